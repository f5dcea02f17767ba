"""grade-skeleton on assignment folders anywhere on disk: the course's own markers and stub, the
analyzer's markers.json, one-line errors that write nothing, and --validate's rules."""
from __future__ import annotations

import dataclasses
import json

import pytest

from code_analyze.blocks import find_blocks, markers_from_json
from grader.assignment import load_assignment
from grader.errors import ConfigError
from grader.skeleton import main
from grader.skeleton.stubs import stub_source

HASH_MARKERS = """[handout]
markers = ['^\\s*# >>> your code', '^\\s*# <<<']
stub = 'raise NotImplementedError("{function} of {class}")'
code_analyze = true
"""


def toml(mini) -> str:
    return (mini / "assignment.toml").read_text()


def code(mini) -> str:
    return (mini / "reference" / "codes" / "mod.py").read_text()


def with_handout(mini, handout: str) -> None:
    (mini / "assignment.toml").write_text(toml(mini).replace("[points.", handout + "[points.", 1))


def with_markers(mini) -> None:
    with_handout(mini, HASH_MARKERS)
    (mini / "reference" / "codes" / "mod.py").write_text(
        code(mini).replace("# TODO START", "# >>> your code here").replace("# TODO END", "# <<<"))


def test_course_markers_and_stub_fields_reach_the_handout_and_the_analyzer(mini):
    with_markers(mini)
    assert main(["--assignment", str(mini)]) == 0
    out = mini / "skeleton"
    text = (out / "codes" / "mod.py").read_text()
    assert '        # >>> your code here\n        raise NotImplementedError("run of Thing")\n        # <<<\n' in text
    assert (out / "code_analyze" / "_codes" / "mod.py").read_text() == text
    markers = markers_from_json((out / "code_analyze" / "markers.json").read_text())
    [block], problems = find_blocks(text, markers)  # what analyze.py will read in the hand-out
    assert problems == [] and block.body == ('        raise NotImplementedError("run of Thing")',)


def test_default_markers_ship_no_markers_json(handout):
    assert not (handout / "code_analyze" / "markers.json").exists()


def test_banner_lines_stay_and_only_the_chosen_block_is_stubbed(mini):
    spec = dataclasses.replace(load_assignment(mini).handout, banner=True)
    text = ("def f():\n    # TODO START\n    # explain f\n\n    return 1\n    # ---\n    # TODO END\n"
            "def g():\n    # TODO START\n    return 2\n    # TODO END\n")
    stubbed, blocks = stub_source(text, "mod.py", "mod.py", spec)
    assert stubbed.startswith('def f():\n    # TODO START\n    # explain f\n\n    raise NotImplementedError("f")\n'
                              "    # ---\n    # TODO END\n")
    only_g, _ = stub_source(text, "mod.py", "mod.py", spec, only=2)
    assert "return 1" in only_g and "return 2" not in only_g and [b.index for b in blocks] == [1, 2]


@pytest.mark.parametrize("handout, words", [
    ("[handout]\nmarkers = ['^# TODO (', '# END']\n", "[handout] markers start '^# TODO (' is not a regular"),
    ("[handout]\nstub = 'raise NotImplementedError(\"{name}\")'\n", "cannot be filled (KeyError: 'name')"),
    ("[handout]\nmarkers = ['^# BEGIN', '^# END']\n", "no block between lines matching '^# BEGIN' and '^# END'"),
    ("[handout]\nreadme = 'handout/README.md'\n", "[handout] readme points to"),
    ("[submission]\nrequired = ['mod.py', 'other.py']\n", "other.py: missing; [submission] lists it"),
    ("[submission]\ngiven = ['mod.py']\n", "mod.py: holds blocks but [submission] gives it"),
    ("[handout]\ndata = ['digits']\n[data.digits]\nsource = 'no-such-folder'\n", "no-such-folder"),
])
def test_each_mistake_is_one_line_naming_the_file_and_nothing_is_written(mini, handout, words):
    if handout.startswith("[submission]"):
        (mini / "assignment.toml").write_text(toml(mini).replace('required = ["mod.py"]\n', "")
                                              .replace("[submission]\n", handout))
    else:
        with_handout(mini, handout)
    before = sorted(p.relative_to(mini) for p in mini.rglob("*"))
    with pytest.raises(ConfigError) as caught:
        main(["--assignment", str(mini), "--zip", str(mini / "hw.zip")])
    message = str(caught.value)
    assert words in message and "\n" not in message and str(mini) in message
    assert sorted(p.relative_to(mini) for p in mini.rglob("*")) == before


TWICE = """
    def twice(self, x):
        # TODO START
        return 2 * x
        # TODO END
"""
VALIDATE_TESTS = '''
def test_thing_run(student):
    """Thing.run doubles"""
    assert student.mod.Thing().run(3) == 6


def test_always():
    """passes whatever the code: the skeleton scores"""


def test_wrong():
    """fails even on the reference"""
    assert False, "wrong on purpose"
'''


def test_validate_reports_each_broken_rule(mini, capsys):
    (mini / "reference" / "codes" / "mod.py").write_text(code(mini) + TWICE)
    (mini / "hidden" / "test_mod.py").write_text(VALIDATE_TESTS)
    (mini / "assignment.toml").write_text(toml(mini) + "test_always = 1\ntest_wrong = 1\n")
    assert main(["--assignment", str(mini), "--validate", "--jobs", "2"]) == 1
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split()[0]: line for line in lines if line.startswith(("reference", "skeleton", "mod.py"))}
    assert "FAIL: not full marks (test_wrong failed or did not run)" in rows["reference"]
    assert "FAIL: scores with test_always" in rows["skeleton"]
    # what the reference loses too is not the block's: the variant loses just test_thing_run
    assert rows["mod.py:Thing.run"].split()[-2:] == ["ok", "test_thing_run"]
    assert 'FAIL: loses no test of [points."mod.py:Thing"]: no test notices the stub' in rows["mod.py:Thing.twice"]
    assert lines[-1].startswith("1 of 4 variants ok, 3 failed")
    assert sorted(p.name for p in mini.iterdir()) == ["assignment.toml", "hidden", "reference"]


def test_validate_rejects_unknown_test_names(mini):
    (mini / "assignment.toml").write_text(toml(mini) + '[validate]\ncross_cutting = ["test_nope"]\n')
    with pytest.raises(ConfigError, match=r"\[validate\] cross_cutting names test_nope, which \[points\]"):
        main(["--assignment", str(mini), "--validate"])


def test_markers_json_is_valid_json_for_the_analyzer(mini):
    with_markers(mini)
    assert main(["--assignment", str(mini)]) == 0
    data = json.loads((mini / "skeleton" / "code_analyze" / "markers.json").read_text())
    assert data == {"start": r"^\s*# >>> your code", "end": r"^\s*# <<<", "reference": r"\s*# Reference:(.*)",
                    "protected": None}
