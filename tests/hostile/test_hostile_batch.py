"""One real `grade --jobs 2` batch over every hostile case (tests/hostile/cases.py) and hostile
archive, next to honest submissions, in each isolation mode (bubblewrap, and the fallback:
Landlock, seccomp, rlimits and a uid of its own); then: each case's verdicts and reasons, cheats
never beat the honest code, and nothing outside the submissions' temp folders changed or survived.
"""
import csv
import importlib.util
import io
import json
import os
import re
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.intake import MAX_FILES
from grader.textsafe import terminal_text
from grader.sandbox import SCRATCH_BYTES, bwrap_works

MODES = [pytest.param("bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason="bubblewrap cannot run here")),
         pytest.param("fallback", marks=pytest.mark.skipif(os.geteuid() != 0, reason=(
             "the fallback's uid separation needs a root grader (CI and Gradescope are)")))]

_spec = importlib.util.spec_from_file_location("hostile_cases", Path(__file__).with_name("cases.py"))
cases = sys.modules.setdefault("hostile_cases", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(cases)
CASES = {c.sid: c for c in cases.ALL}
BATCH_TIMEOUT_S = 400


# --- hostile archives ------------------------------------------------------------------------

def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (0o120777) << 16
    return info


def _inner_zip(kit, sid: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in kit.reference_codes({}).items():
            zf.writestr(f"{sid}/codes/{name}", data)
    return buf.getvalue()


def _deflate_bomb() -> bytes:
    """64 MiB of zeros; the archive entry is about 64 KB (a 1000x ratio)."""
    return bytes(64 * 2**20)


# sid -> (build(kit, path, sid), expected could_not_grade reason or None, expected score, notes)
def _archive_cases(kit):
    token = kit.TOKEN
    honest = kit.reference_codes({})

    def with_extra(*extra, summary=b"summary\n"):
        return lambda path, sid: kit.zip_submission(path, sid, honest, list(extra), summary=summary)

    def raw(entries):
        def build(path, sid):
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
                for info, data in entries(sid):
                    zf.writestr(info, data)
            return path
        return build

    def non_utf8(path, sid):
        kit.zip_submission(path, sid, honest, [(f"{sid}/QQQQ-{token}.txt", "x")])
        path.write_bytes(path.read_bytes().replace(b"QQQQ", b"\xff\xfe\x81\x90"))
        return path

    def not_a_zip(path, sid):
        path.write_bytes(b"this is not a zip archive " * 40)
        return path

    return {
        "zip_slip": (with_extra((f"../../{token}.py", "x")), "leaves the archive", None, ()),
        "absolute_path": (with_extra((f"/tmp/{token}.py", "x")), "is an absolute path", None, ()),
        "symlink": (with_extra((_symlink("s/codes/link.py"), "/etc/passwd")), "is a symbolic link", None, ()),
        "zip_bomb": (with_extra(("s/codes/bomb.bin", _deflate_bomb())), "a zip bomb", None, ()),
        "many_files": (raw(lambda sid: [(f"{sid}/codes/f{i}.py", "") for i in range(5 * MAX_FILES)]),
                       f"more than {MAX_FILES} entries", None, ()),
        "duplicate_names": (lambda path, sid: kit.zip_submission(
            path, sid, honest, [(f"{sid}/codes/layers.py", "x = 1\n")]), "appears twice", None, ()),
        "non_utf8_name": (non_utf8, None, cases.FULL, ()),
        "nested_zip": (lambda path, sid: with_extra((f"{sid}/old.zip", _inner_zip(kit, sid)))(path, sid),
                       None, cases.FULL, ("nested archive not opened",)),
        "only_a_nested_zip": (raw(lambda sid: [(f"{sid}.zip", _inner_zip(kit, sid))]), "no codes/ folder", None,
                              ("nested archive not opened",)),
        "empty_zip": (raw(lambda sid: []), "the archive is empty", None, ()),
        "not_a_zip": (not_a_zip, "not a readable zip archive", None, ()),
        "empty_summary": (with_extra(summary=b""), None, cases.FULL, ("summary.txt is empty",)),
    }


ARCHIVE_IDS = ["zip_slip", "absolute_path", "symlink", "zip_bomb", "many_files", "duplicate_names",
               "non_utf8_name", "nested_zip", "only_a_nested_zip", "empty_zip", "not_a_zip", "empty_summary"]
# names and ids from students: each refused in one line, none stops the others, none escapes --out
# or reaches a spreadsheet as a formula; "dupcase.zip" beside "dupcase.ZIP" is one student
HOSTILE_NAMES = {"...zip": "the id '..' may hold only", "gradebook.csv.zip": "is the name of a file grade writes",
                 "=cmd().zip": "the id '=cmd()' may hold only", "\t=1+1.zip": "the id '\\t=1+1' may hold only",
                 "report.html.tar.gz": "is the name of a file grade writes"}


# --- the batch ---------------------------------------------------------------------------------

class BatchRun:
    def __init__(self, root, proc, out, tmpdir, before, after, leftovers, listener_hits, archives):
        self.root, self.proc, self.out, self.tmpdir = root, proc, out, tmpdir
        self.before, self.after, self.leftovers = before, after, leftovers
        self.listener_hits, self.archives = listener_hits, archives

    def results(self, sid: str) -> dict:
        return json.loads((self.out / sid / "results.json").read_text())

    def tests(self, sid: str) -> dict[str, dict]:
        return {t["extra_data"]["test"]: t for t in self.results(sid)["tests"] if "test" in t["extra_data"]}


def _fill(source: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        source = source.replace(f"@{key}@", value)
    assert not re.search(r"@[A-Z_]+@", source), source
    return source


@pytest.fixture(scope="module", params=MODES)
def batch(request, tmp_path_factory, tiny_assignment, canary, kit):
    root = tmp_path_factory.mktemp("hostile-batch")
    zips, out, tmpdir = root / "zips", root / "out", root / "tmp"
    for d in (zips, tmpdir):
        d.mkdir()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    secrets = [str(tiny_assignment.hidden_test), str(tiny_assignment.root / "assignment.toml"),
               str(kit.REFERENCE / "layers.py"), str(kit.MNIST_LABELS), "/etc/passwd", "/etc/hostname",
               str(kit.REPO / "grader" / "plugin.py"), str(canary), str(out)]
    targets = [str(canary), str(kit.REFERENCE / "layers.py"), str(tiny_assignment.hidden_test),
               str(tiny_assignment.root / f"{kit.TOKEN}.py"), str(kit.REPO / f"{kit.TOKEN}.txt"),
               str(root / f"{kit.TOKEN}.txt"), f"../{kit.TOKEN}.txt", f"/{kit.TOKEN}.txt",
               f"/usr/{kit.TOKEN}.txt", str(out / f"{kit.TOKEN}.json")]
    for case in cases.ALL:
        values = {"TOKEN": kit.TOKEN, "PORT": str(listener.getsockname()[1]), "SECRETS": repr(secrets),
                  "TARGETS": repr(targets), "OUT": str(out), "SID": case.sid, "REFERENCE": str(kit.REFERENCE),
                  "REFERENCE_PATH": repr(str(kit.REFERENCE)), "TMPDIR": str(tmpdir), "CANARY": str(canary)}
        codes = {k: (None if v is None else _fill(v, values)) for k, v in case.edits.items()}
        kit.zip_submission(zips / f"{case.sid}.zip", case.sid, kit.reference_codes(codes))
    archives = _archive_cases(kit)
    for sid in ARCHIVE_IDS:
        archives[sid][0](zips / f"{sid}.zip", sid)
    for name in HOSTILE_NAMES:
        kit.zip_submission(zips / name, "x", kit.reference_codes({}))
    older = kit.zip_submission(zips / "dupcase.zip", "dupcase", kit.reference_codes({}))
    os.utime(older, (1_000_000_000, 1_000_000_000))
    kit.zip_submission(zips / "dupcase.ZIP", "dupcase", kit.reference_codes({}))

    watched = [canary, tiny_assignment.root, kit.REPO / "data", zips, Path("/etc/passwd")]
    before = kit.snapshot(*watched)
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONPATH": str(kit.REPO)}
    mode = ["--no-sandbox"] if request.param == "fallback" else []
    proc = subprocess.run([sys.executable, "-m", "grader.grade", str(zips), "--jobs", "2", "--out", str(out),
                           "--assignment", str(tiny_assignment.root), *mode], capture_output=True, text=True,
                          env=env, cwd=root, timeout=BATCH_TIMEOUT_S)
    after = kit.snapshot(*watched)
    leftovers = {
        "temp files": sorted(str(p) for p in tmpdir.iterdir()),
        "processes": kit.processes_with(kit.TOKEN) + kit.processes_with(str(tmpdir)),
        "token paths": kit.paths_named(kit.TOKEN, kit.REPO, root, tiny_assignment.root, canary.parent)
        + [str(p) for p in Path("/tmp").iterdir() if kit.TOKEN in p.name],
        "token in reference": [str(p) for p in kit.REFERENCE.glob("*.py") if kit.TOKEN in p.read_text()],
    }
    hits = []
    try:
        while True:
            conn, _ = listener.accept()
            hits.append(conn.recv(100))
            conn.close()
    except BlockingIOError:
        pass
    listener.close()
    return BatchRun(root, proc, out, tmpdir, before, after, leftovers, hits, archives)


def test_batch_finishes_and_the_host_is_untouched(batch):
    # exit 1: some could not be graded (the hostile archives and names), each named with its reason
    assert batch.proc.returncode == 1, batch.proc.stdout + batch.proc.stderr
    refused = sorted(sid for sid in ARCHIVE_IDS if batch.archives[sid][1] is not None)
    lines = batch.proc.stdout.splitlines()
    assert lines[0].startswith(f"graded {len(CASES) + len(ARCHIVE_IDS) - len(refused) + 1}, could not grade "
                               f"{len(refused) + len(HOSTILE_NAMES)}, skipped 0"), lines[0]
    for sid in refused:
        assert any(line.startswith(f"  could not grade zips/{sid}.zip: ") for line in lines), sid
    for name, words in HOSTILE_NAMES.items():  # shown on one line: a TAB in a name becomes a space
        shown = terminal_text(name)
        assert any(line.startswith(f"  could not grade zips/{shown}: ") and words in line for line in lines), name
    assert "  not graded, noted on the student's result: zips/dupcase.zip: older than zips/dupcase.ZIP; " \
           "graded that one" in lines
    ids = list(CASES) + ARCHIVE_IDS + ["dupcase"]
    assert sorted(p.name for p in batch.out.iterdir() if p.is_dir()) == sorted(ids)
    assert sorted(p.name for p in batch.root.iterdir()) == ["out", "tmp", "zips"]
    gradebook = (batch.out / "gradebook.csv").read_text()
    assert all(sid in gradebook for sid in ids)
    cells = [cell for row in csv.reader(io.StringIO(gradebook, newline="")) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert batch.after == batch.before
    assert batch.leftovers == {"temp files": [], "processes": [], "token paths": [], "token in reference": []}
    assert batch.listener_hits == []


@pytest.mark.parametrize("sid", list(CASES))
def test_case_verdicts(batch, sid):
    case = CASES[sid]
    results = batch.results(sid)
    assert results["extra_data"]["could_not_grade"] is False, results["extra_data"]["error"]
    tests = batch.tests(sid)
    assert set(tests) == {"test_relu_forward", "test_relu_backward", "test_linear_forward",
                          "test_linear_backward", "test_softmax_cross_entropy_forward"}
    for test in tests.values():  # every test has a verdict; every non-pass says why in one line
        assert test["extra_data"]["status"] in ("passed", "failed", "error", "not_implemented")
        if test["extra_data"]["status"] != "passed":
            assert test["output"].strip() and "Traceback" not in test["output"], test
    for name, (status, fragment) in case.expect.items():
        assert (tests[name]["extra_data"]["status"], fragment in tests[name]["output"]) == (status, True), \
            tests[name]
    if case.score is not None:
        assert results["score"] == case.score, {k: (t["extra_data"]["status"], t["output"]) for k, t in tests.items()}
    for note in case.notes:
        assert any(note in n for n in results["extra_data"]["notes"]), results["extra_data"]["notes"]


def test_scratch_space_is_capped(batch):
    """fill_scratch writes 4 MB files into /tmp, its folder, /dev/shm and /: only the two
    size-capped tmpfs (/tmp and the copy) take any."""
    output = batch.tests("fill_scratch")["test_relu_forward"]["output"]
    stored_mb = int(re.search(r"stored (\d+) MB", output).group(1))
    assert 0 < stored_mb <= 2 * SCRATCH_BYTES // 2**20


@pytest.mark.parametrize("sid", [c.sid for c in cases.GRADE])
def test_cheats_never_beat_the_honest_code(batch, sid):
    honest = batch.results("honest_wrong")
    cheat = batch.results(sid)
    assert honest["score"] == 5
    assert cheat["score"] <= honest["score"]
    assert batch.tests(sid)["test_linear_forward"]["extra_data"]["status"] != "passed"


def test_the_reference_cannot_be_imported(batch):
    output = batch.tests("import_reference")["test_linear_forward"]["output"]
    # absent (bubblewrap) or unreadable (a checkout whose folders the sandbox had to create, the fallback)
    assert re.search(r"reference unavailable: \['(FileNotFound|Permission)Error', '(ModuleNotFound|Permission)Error'\]",
                     output), output


@pytest.mark.parametrize("sid", ARCHIVE_IDS)
def test_hostile_archives(batch, sid):
    _, reason, score, notes = batch.archives[sid]
    results = batch.results(sid)
    if reason is None:
        assert results["extra_data"]["could_not_grade"] is False and results["score"] == score
    else:
        error = results["extra_data"]["error"]
        assert reason in error and "\n" not in error and error.startswith(sid), error
        assert results["score"] == 0 and results["tests"][0]["status"] == "failed"
    for note in notes:
        assert any(note in n for n in results["extra_data"]["notes"]), results["extra_data"]["notes"]


def test_student_text_reaches_the_terminal_without_its_escape_sequences(batch):
    """OSC 52 (clipboard), CSI 2J (clear screen), colours: what the TA's terminal shows is plain text."""
    from grader.render.gradescope import results_from_json
    from grader.render.terminal import render_terminal

    result = results_from_json(batch.results("escape_sequences"))
    assert "\x1b" in result.outcomes[0].message or "\x9b" in result.outcomes[0].message  # kept in results.json
    table = render_terminal(result, width=200)
    assert "\x1b" not in table and "\x9b" not in table and "\x07" not in table
    assert "cleared" in table


def test_a_planted_link_never_redirects_the_copy_or_its_owner(batch, canary):
    """symlink_then_crash planted links to the canary and crashed: the restart's copy and chown did
    not follow them (the snapshot of the watched files, owners included, is unchanged too)."""
    st = canary.stat()
    assert (st.st_uid, canary.read_text()) == (os.geteuid(), "untouched\n")
