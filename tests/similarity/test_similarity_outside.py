"""Code outside the TODO blocks is compared too: new files, helper functions, changed given code."""
import re
import csv
import random

from grader.assignment import DEFAULT_ASSIGNMENT_DIR, load_assignment
from grader.similarity import main
from grader.similarity.cohort import _read_students
from grader.similarity.layout import CodeLayout, code_layout

NEW_FILE = "helpers.py (new file)"


def _class(planting, count=30, seed=14):
    """Honest students, and the four longest blocks of student 3 (the copier's source)."""
    honest = planting.honest_students(count, random.Random(seed))
    longest = sorted(honest[3], key=lambda k: (-sum(map(len, honest[3][k])), k))
    return honest, ([k for k in longest if k.startswith("loss.py")][:2]
                    + [k for k in longest if k.startswith("layers.py")][:2])


def _rows(out):
    with open(out / "similarity.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_copied_code_moved_into_a_new_module_ranks_first_attributed_to_it(tmp_path, planting, capsys):
    """The copier moved four of s03's block bodies into codes/helpers.py and calls them from the
    blocks: the blocks alone share nothing, yet the pair ranks first, matched in helpers.py."""
    honest, keys = _class(planting)
    bodies, helpers = planting.moved_out(honest[29], honest[3], keys)
    for i, own in enumerate(honest[:29]):
        planting.write_submission(tmp_path / "class" / f"s{i:02d}", own)
    planting.write_submission(tmp_path / "class" / "s29", bodies, {"helpers.py": helpers})
    assert main([str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 0
    rows = _rows(tmp_path / "out")
    assert (rows[0]["a"], rows[0]["b"]) == ("s03", "s29")
    assert float(rows[0]["score"]) > 0.9 > float(rows[1]["score"])
    assert NEW_FILE in rows[0]["matched"].split(";")
    assert all(NEW_FILE not in row["matched"] for row in rows[1:])
    assert all(rows[0][key] == "0.0000" for key in keys)  # the blocks alone: nothing shared
    html = (tmp_path / "out" / "report.html").read_text()
    section = html[html.index('id="pair1"'):html.index('id="pair2"')]
    assert f"s29's {NEW_FILE}" in section and "s29: helpers.py line" in section
    assert section.count("<mark>") > 10
    first = next(line for line in capsys.readouterr().out.splitlines() if "│  1 │" in line)
    assert "s03" in first and "s29" in first and NEW_FILE in first


def test_copied_code_moved_outside_the_blocks_of_a_given_file_is_found(tmp_path, planting):
    """The same disguise within layers.py: module-level functions after the hand-out's code."""
    honest, keys = _class(planting, seed=15)
    keys = [k for k in keys if k.startswith("layers.py")]
    bodies, functions = planting.moved_out(honest[29], honest[3], keys, module=None)
    layers = planting.fill_blocks("layers.py", (planting.REFERENCE_CODES / "layers.py").read_text(), bodies)
    for i, own in enumerate(honest[:29]):
        planting.write_submission(tmp_path / "class" / f"s{i:02d}", own)
    planting.write_submission(tmp_path / "class" / "s29", bodies, {"layers.py": layers + "\n\n" + functions})
    assert main([str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 0
    rows = _rows(tmp_path / "out")
    assert (rows[0]["a"], rows[0]["b"]) == ("s03", "s29")
    assert "layers.py (outside blocks)" in rows[0]["matched"].split(";")


def test_reformatted_given_code_is_not_the_students_code(tmp_path, planting):
    """Given code the student only reformatted (split lines, a trailing comma) adds no unit; a
    line of their own outside the blocks does."""
    layers = (planting.REFERENCE_CODES / "layers.py").read_text()
    given = "    e = np.exp(-np.abs(u))\n    return np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n"
    assert given in layers
    reformatted = ("    e = np.exp(\n        -np.abs(u)\n    )\n"
                   "    return np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e),)\n")
    own = planting.read_honest("student_a")
    folder = planting.write_submission(tmp_path / "a", own, {"layers.py": planting.fill_blocks(
        "layers.py", layers.replace(given, reformatted), own)})
    layout = code_layout(load_assignment(None))
    [student] = _read_students([folder], False, layout, {})
    assert student.extras == []
    mine = "    scaled = np.clip(u * 0.5 + np.tanh(u) * 3.0, -7.0, 7.0)\n    print(scaled.sum(), scaled.mean())\n"
    folder = planting.write_submission(tmp_path / "b", own, {"layers.py": planting.fill_blocks(
        "layers.py", layers.replace(given, mine + given), own)})
    [student] = _read_students([folder], False, layout, {})
    [unit] = student.extras
    assert (unit.key, unit.file) == ("layers.py (outside blocks)", "layers.py")
    assert mine.splitlines()[0] in unit.body and len(unit.hashes()) >= 5
    [student] = _read_students([folder], False, CodeLayout(), {})  # no hand-out: the blocks only
    assert student.extras == []


def test_assignment_flag_names_the_hand_out(tmp_path, planting):
    """With --assignment, the pristine files come from that assignment: a helpers.py it hands out
    is given code, not the copier's."""
    honest, keys = _class(planting, count=12)
    bodies, helpers = planting.moved_out(honest[11], honest[3], keys)
    for i, own in enumerate(honest[:11]):
        planting.write_submission(tmp_path / "class" / f"s{i:02d}", own)
    planting.write_submission(tmp_path / "class" / "s11", bodies, {"helpers.py": helpers})
    pristine = tmp_path / "handout" / "codes"  # the course's hand-out: codes/ with a helpers.py of its own
    pristine.mkdir(parents=True)
    for file in load_assignment(None).pristine_dir.glob("*.py"):
        (pristine / file.name).write_text(file.read_text())
    (pristine / "helpers.py").write_text(helpers)
    text = (DEFAULT_ASSIGNMENT_DIR / "assignment.toml").read_text()
    for key in ("reference", "skeleton", "hidden", "tasks", "public", "readme", "files"):  # absolute paths
        text = re.sub(rf'^{key} = "([^"]+)"', lambda m: f'{key} = "{(DEFAULT_ASSIGNMENT_DIR / m[1]).resolve()}"',
                      text, count=1, flags=re.M)
    text = text.replace(f'skeleton = "{(DEFAULT_ASSIGNMENT_DIR / "../../../skeleton").resolve()}"',
                        f'skeleton = "{pristine.parent}"')
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "assignment.toml").write_text(text)
    assert main([str(tmp_path / "class"), "--out", str(tmp_path / "default")]) == 0
    assert NEW_FILE in _rows(tmp_path / "default")[0]["matched"]
    own = tmp_path / "own"
    assert main([str(tmp_path / "class"), "--assignment", str(tmp_path / "course"), "--out", str(own)]) == 0
    assert all("helpers.py" not in row["matched"] for row in _rows(own))
