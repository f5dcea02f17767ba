"""The generated hand-out: layout, byte-for-byte copies outside blocks, no solution leaks,
reproducible bytes, --check and the publishable zip."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from code_analyze.blocks import find_blocks, split_lines
from grader.skeleton import main
from grader.skeleton.handout import read_tree

REPO = Path(__file__).resolve().parents[2]

REFERENCE = REPO / "reference"
# Block lines this short carry no solution (`return input`, `return grad_output`, `pass`);
# a longer line leaks if it occurs anywhere in the hand-out, even inside another line.
TRIVIAL_LINE_CHARS = 20


def _outside_and_bodies(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    blocks, problems = find_blocks(text)
    assert not problems
    inside = {n for b in blocks for n in b.body_lines}
    outside = [line for n, line in enumerate(split_lines(text), 1) if n not in inside]
    return outside, [b.body for b in blocks]


def test_layout(handout):
    files = read_tree(handout)
    codes = sorted(p.name for p in (REFERENCE / "codes").glob("*.py"))
    assert sorted(n[len("codes/"):] for n in files if n.startswith("codes/")) == codes
    for name in codes:
        assert files[f"code_analyze/_codes/{name}"] == files[f"codes/{name}"]
    for path in (REPO / "code_analyze").glob("*.py"):
        assert files[f"code_analyze/{path.name}"] == path.read_bytes()
    assert files["code_analyze/Do NOT modify or upload this folder"] == b""
    for path in (REFERENCE / "tests").glob("*.py"):
        assert files[f"tests/{path.name}"] == path.read_bytes()
    assert [n for n in files if n.startswith("data/")] == ["data/README.md"]
    readme = files["README.md"].decode()
    assert "| `Gelu` (codes/layers.py) | `Gelu.forward`, `Gelu.backward` | 6 |" in readme
    assert "| `FocalLoss` (codes/loss.py) | `FocalLoss.forward`, `FocalLoss.backward` | 6 (bonus) |" in readme
    assert "That is 100 points, plus 6 bonus points." in readme
    assert "python code_analyze/analyze.py" in readme and "above 95%" in readme


def test_only_block_bodies_change_and_each_becomes_one_stub(handout):
    stubbed = 0
    for path in sorted((REFERENCE / "codes").glob("*.py")):
        ref_outside, ref_bodies = _outside_and_bodies(path.read_text())
        out_outside, out_bodies = _outside_and_bodies((handout / "codes" / path.name).read_text())
        assert out_outside == ref_outside, path.name
        assert len(out_bodies) == len(ref_bodies)
        for body in out_bodies:
            assert len(body) == 1 and body[0].strip().startswith('raise NotImplementedError("')
        stubbed += len(out_bodies)
    assert stubbed == 21


def test_no_reference_block_line_leaks_into_the_handout(handout):
    given = set()  # lines the reference already shows outside blocks: the student sees them anyway
    solution = set()
    for path in sorted((REFERENCE / "codes").glob("*.py")):
        outside, bodies = _outside_and_bodies(path.read_text())
        given |= {line.strip() for line in outside}
        solution |= {line.strip() for body in bodies for line in body}
    secret = {line for line in solution - given
              if len(line) >= TRIVIAL_LINE_CHARS and not line.startswith("#")}
    assert len(secret) >= 40  # the check has teeth: most solution lines are long enough
    texts = {name: data.decode("utf-8", "replace") for name, data in read_tree(handout).items()}
    leaks = [(line, name) for line in sorted(secret) for name, text in texts.items() if line in text]
    assert leaks == []


def test_two_runs_give_identical_bytes(handout, tmp_path):
    assert main(["--out", str(tmp_path / "again")]) == 0
    assert read_tree(tmp_path / "again") == read_tree(handout)


def test_check_lists_every_difference_and_exits_1(handout, tmp_path, capsys):
    out = tmp_path / "skeleton"
    shutil.copytree(handout, out)
    assert main(["--out", str(out), "--check"]) == 0
    capsys.readouterr()
    with open(out / "codes" / "layers.py", "a") as f:
        f.write("# edited by hand\n")
    (out / "README.md").unlink()
    (out / "codes" / "extra.py").write_text("")
    before = read_tree(out)
    assert main(["--out", str(out), "--check"]) == 1
    listed = capsys.readouterr().out.splitlines()
    assert listed == ["skeleton/README.md: missing", "skeleton/codes/extra.py: not generated (stale)",
                      "skeleton/codes/layers.py: differs",
                      "grade-skeleton: 3 file(s) out of date; run grade-skeleton to regenerate"]
    assert read_tree(out) == before  # --check changes nothing


def test_zip_is_deterministic_and_ships_mnist(tmp_path):
    first, second = tmp_path / "a" / "hw1.zip", tmp_path / "b" / "hw1.zip"
    for path in (first, second):
        assert main(["--out", str(path.parent / "skeleton"), "--zip", str(path)]) == 0
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names) and all(n.startswith("hw1/") for n in names)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        for gz in sorted((REPO / "data" / "mnist").glob("*.gz")):
            assert archive.read(f"hw1/data/{gz.name}") == gz.read_bytes()
        assert "hw1/data/MNIST-README.md" in names
        tree = read_tree(tmp_path / "a" / "skeleton")
        assert {n: archive.read(f"hw1/{n}") for n in tree} == tree


def test_checked_in_skeleton_is_up_to_date(capsys):
    """CI's `grade-skeleton --check`: regenerate skeleton/ after editing reference/."""
    code = main(["--check"])
    assert code == 0, capsys.readouterr().out
