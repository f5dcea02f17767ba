"""What grade-similarity prints and writes is safe to look at: names from students are plain text
on the terminal, CSV cells never start a formula, running out of memory is one line."""
import csv
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest

RUN = "import sys; from grader.cli import similarity_main; sys.exit(similarity_main())"
# OSC 52 (set the clipboard), CSI 2J (clear the screen), rich markup, spreadsheet formulas
HOSTILE = ["evil\x1b]52;c;ZWNobyBoaQ==\x07", "\x1b[2J\x1b[Hclear", "[bold red]loud", "[link=javascript:x]click",
           "=HYPERLINK(\"x\",\"y\")", "+1", "-2", "@SUM(A1)", "\tTAB"]


def _run(args, **kwargs):
    env = {**os.environ, "COLUMNS": "250", "TERM": "xterm-256color"}
    return subprocess.run([sys.executable, "-c", RUN, *map(str, args)], capture_output=True, env=env,
                          timeout=300, **kwargs)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, planting):
    """One run of grade-similarity on copies of one submission under hostile names, a name that
    is not UTF-8, an honest one, and a zip the intake refuses naming its entry (`[/]`, a closing
    markup tag): (the finished process, the output folder)."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    a = planting.write_submission(tmp_path / "a", planting.read_honest("student_a"))
    folder = tmp_path / "class"
    for name in HOSTILE:
        shutil.copytree(a, folder / name)
    shutil.copytree(a, folder / os.fsdecode(b"bad\xffutf8"))
    planting.write_submission(folder / "honest_c", planting.read_honest("student_c"))
    with zipfile.ZipFile(folder / "zipped.zip", "w") as zf:
        zf.writestr("../[/]evil.py", "x = 1\n")
    return _run([folder, "--out", tmp_path / "out", "--top", "60"]), tmp_path / "out"


def test_student_names_reach_the_terminal_as_plain_text(hostile):
    done, _ = hostile
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert done.stderr == b""
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "ZWNoby" not in out and "[2J" not in out  # the whole sequence goes, not only ESC
    assert "evil " in out and "clear " in out  # the rest of the name is printed
    assert "[bold red]loud" in out and "[link=javascript:x]click" in out  # text, not markup
    assert "skipped: zipped.zip: entry '../[/]evil.py' leaves the archive" in out
    assert "bad\\udcffutf8" in out
    assert "12 submissions" in out and "1 cluster of students" in out


def test_every_csv_cell_neutralises_formula_prefixes(hostile):
    _, out = hostile
    with open(out / "similarity.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    labels = {cell for row in rows[1:] for cell in row[1:3]}
    assert {"'=HYPERLINK(\"x\",\"y\")", "'+1", "'-2", "'@SUM(A1)", "'\tTAB", "[bold red]loud"} <= labels
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in rows for cell in row)
    with open(out / "clusters.csv", newline="", encoding="utf-8") as f:
        [header, cluster] = list(csv.reader(f))
    assert cluster[1] == "10" and cluster[4].startswith("'\tTAB;") and ";+1;-2;=HYPERLINK" in cluster[4]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "[bold red]loud" in html and "bad\\udcffutf8" in html


def test_running_out_of_memory_is_one_line(planted, tmp_path):
    """Under an address-space limit a little above what the process holds once everything is
    imported, the comparison fails: with one line naming the cause, not a traceback."""
    paths, _ = planted
    driver = textwrap.dedent("""
        import resource, sys
        import numpy, grader.similarity.command, grader.similarity.pairs  # loaded before the limit
        from grader.cli import similarity_main
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                limit = int(line.split()[1]) * 1024 + 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        sys.exit(similarity_main())
    """)
    done = subprocess.run([sys.executable, "-c", driver, *map(str, paths), "--out", str(tmp_path / "out")],
                          capture_output=True, timeout=300)
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith("grade-similarity: error: out of memory")
    assert not list(tmp_path.glob("out/*.tmp")) and not list(tmp_path.glob("out/.*"))
