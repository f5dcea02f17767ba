"""Markers as data: the default is today's `# TODO START` / `# TODO END`, byte for byte, and
another course's banners (USC CSCI-567's `# TODO:` ... `# NOTE: DO NOT MODIFY CODE BELOW THIS`)
work through the same analyzer, verify and CLIs."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from code_analyze import analyze
from code_analyze.blocks import DEFAULT_MARKERS, Markers, find_blocks, markers_from_json
from code_analyze.summary import analyze_dirs, problems, render_summary
from code_analyze.verify import verify_submission

USC = Markers(start=r"\s*# TODO:", end=r"\s*# NOTE: DO NOT MODIFY CODE BELOW THIS",
              protected=None)
RULE = "        " + "#" * 80

PRISTINE = f'''import numpy as np


class linear_layer:

    def __init__(self, input_D, output_D):

        self.params = dict()
        self.gradient = dict()

{RULE}
        # TODO: Use np.random.normal() with mean 0 and standard deviation 0.1 to initialize
        #   self.params['W'] and self.params['b'], and set the gradients to zeros.
{RULE}
        raise NotImplementedError("Not Implemented function: __init__, class: linear_layer")

{RULE}
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
{RULE}

    def forward(self, X):
{RULE}
        # TODO: Implement the linear forward pass. Store the result in forward_output
{RULE}
        raise NotImplementedError("Not Implemented function: forward, class: linear_layer")

{RULE}
        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO
{RULE}
        return forward_output
'''
INIT = ["        self.params['W'] = np.random.normal(0, 0.1, (input_D, output_D))",
        "        self.params['b'] = np.random.normal(0, 0.1, (1, output_D))",
        "        self.gradient['W'] = np.zeros((input_D, output_D))",
        "        self.gradient['b'] = np.zeros((1, output_D))"]
FORWARD = ["        # Reference: https://www.cs.toronto.edu/~lczhang/321/notes/",
           "        forward_output = X @ self.params['W'] + self.params['b']"]


def _student(init: list[str], forward: list[str]) -> str:
    stub_init = '        raise NotImplementedError("Not Implemented function: __init__, class: linear_layer")'
    stub_forward = '        raise NotImplementedError("Not Implemented function: forward, class: linear_layer")'
    return PRISTINE.replace(stub_init, "\n".join(init)).replace(stub_forward, "\n".join(forward))


@pytest.fixture
def usc(tmp_path: Path) -> Path:
    for folder in ("pristine", "submission"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pristine" / "neural_networks.py").write_text(PRISTINE, encoding="utf-8")
    (tmp_path / "submission" / "neural_networks.py").write_text(_student(INIT, FORWARD),
                                                                 encoding="utf-8")
    return tmp_path


def test_default_markers_are_todays_strings_exactly(handout):
    assert Markers() == DEFAULT_MARKERS
    assert (DEFAULT_MARKERS.start_label, DEFAULT_MARKERS.end_label) == ("# TODO START", "# TODO END")
    for line, start in (("\t# TODO START  ", True), ("# TODO STARTED", True), ("x  # TODO START", False),
                        ("#TODO START", False), ("\x0c  # TODO START", True)):
        assert DEFAULT_MARKERS.is_start(line) is start
    assert DEFAULT_MARKERS.reference_text("   # Reference:  a b  ") == "a b"
    assert DEFAULT_MARKERS.is_protected("# TODO: other") and not DEFAULT_MARKERS.is_protected("# todo")
    # Passing the default explicitly changes no byte of the summary.
    handout.write("run_mlp.py", handout.pristine["run_mlp.py"].replace("100", "20"))
    assert render_summary(analyze_dirs(handout.origin, handout.target, Markers())) == handout.summary()


def test_usc_banners_delimit_blocks_and_only_the_students_lines_are_shown(usc):
    blocks, marker_problems = find_blocks(PRISTINE, USC)
    assert [(block.start, block.end) for block in blocks] == [(12, 18), (23, 28)]
    assert marker_problems == [] and find_blocks(PRISTINE)[0] == []
    summary = render_summary(analyze_dirs(usc / "pristine", usc / "submission", USC))
    assert summary == (
        "########################\n# Filled Code\n########################\n"
        "# ../codes/neural_networks.py:1\n" + "\n".join(INIT) + "\n\n"
        "# ../codes/neural_networks.py:2\n" + "\n".join(FORWARD) + "\n\n\n"
        "########################\n# References\n########################\n"
        "# https://www.cs.toronto.edu/~lczhang/321/notes/\n\n"
        "########################\n# Other Modifications\n########################\n\n")


def test_usc_removed_note_is_a_missing_marker_and_a_changed_hand_out_line(usc):
    student = _student(INIT, FORWARD)
    student = student.replace("        # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO\n", "", 1)
    (usc / "submission" / "neural_networks.py").write_text(student, encoding="utf-8")
    analysis = analyze_dirs(usc / "pristine", usc / "submission", USC)
    assert problems(analysis) == [
        "neural_networks.py:1 markers missing (linear_layer.__init__)",
        "neural_networks.py: hand-out line 18 '# NOTE: DO NOT MODIFY CODE BELOW THIS, until next "
        "TODO' changed or removed"]
    _, found = find_blocks(student, USC)
    next_todo = student.splitlines().index("        # TODO: Implement the linear forward pass. "
                                           "Store the result in forward_output") + 1
    assert [problem.message for problem in found] == [
        "line 12: '# TODO:' has no '# NOTE: DO NOT MODIFY CODE BELOW THIS' before the next START "
        f"at line {next_todo}"]


def test_verify_cli_takes_the_markers_as_json(usc):
    (usc / "summary.txt").write_text(
        render_summary(analyze_dirs(usc / "pristine", usc / "submission", USC)), encoding="utf-8")
    command = [sys.executable, "-m", "code_analyze.verify", "--pristine", str(usc / "pristine"),
               "--codes", str(usc / "submission"), "--summary", str(usc / "summary.txt"), "--json"]
    mine = subprocess.run(command + ["--markers-json", json.dumps(asdict(USC))],
                          capture_output=True, text=True, timeout=60)
    assert mine.returncode == 0, mine.stderr
    assert json.loads(mine.stdout)["matches"] is True
    # With the default markers the same files have no blocks: what was filled code becomes
    # other modifications, and the summary no longer matches.
    default = json.loads(subprocess.run(command, capture_output=True, text=True, timeout=60).stdout)
    assert default["matches"] is False
    assert default["problems"][0].startswith("summary.txt differs from the regenerated one "
                                             "(Filled Code, References, Other Modifications)")
    assert verify_submission(usc / "pristine", usc / "submission", usc / "summary.txt",
                             USC).matches
    broken = subprocess.run(command + ["--markers-json", '{"start": "("}'], capture_output=True,
                            text=True, timeout=60)
    assert broken.returncode == 2 and broken.stdout == ""
    assert broken.stderr.startswith("python -m code_analyze.verify: error: --markers-json: start "
                                    "is not a regular expression (") and broken.stderr.count("\n") == 1


@pytest.mark.parametrize("text, message", [
    ("[1]", "expected a JSON object with keys among ['end', 'protected', 'reference', 'start']"),
    ('{"begin": "x"}', "expected a JSON object with keys among"),
    ('{"end": 3}', "end must be a string (a regular expression)"),
    ("{'start': 1}", "not JSON ("),
])
def test_markers_json_mistakes_are_one_clear_line(text, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        markers_from_json(text)
    assert markers_from_json('{"protected": null}') == Markers(protected=None)


def test_hand_out_markers_json_beside_analyze_py_is_used(usc, tmp_path):
    package = Path(analyze.__file__).resolve().parent
    script_dir = tmp_path / "handout" / "code_analyze"
    shutil.copytree(package, script_dir, ignore=shutil.ignore_patterns("__pycache__"))
    (script_dir / "markers.json").write_text(json.dumps(asdict(USC)), encoding="utf-8")
    output = tmp_path / "summary.txt"
    run = subprocess.run([sys.executable, str(script_dir / "analyze.py"), "--origin-dir",
                          str(usc / "pristine"), "--target-dir", str(usc / "submission"),
                          "--output", str(output)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"wrote {output} (2 of 2 blocks filled)\n"
    assert output.read_text(encoding="utf-8") == render_summary(
        analyze_dirs(usc / "pristine", usc / "submission", USC))
    (script_dir / "markers.json").write_text('{"start": 1}', encoding="utf-8")
    run = subprocess.run([sys.executable, str(script_dir / "analyze.py"), "--origin-dir",
                          str(usc / "pristine"), "--target-dir", str(usc / "submission")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr == (f"analyze.py: error: {script_dir / 'markers.json'}: start must be a "
                          "string (a regular expression)\n")
