"""verify_submission: the grader's check of a submitted summary.txt."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from code_analyze.blocks import find_blocks, split_lines
from code_analyze.summary import analyze_dirs, problems
from code_analyze.verify import verify_submission

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "codes"


def test_own_summary_matches_even_after_a_windows_round_trip(handout, tmp_path):
    summary = tmp_path / "summary.txt"
    summary.write_bytes(b"\xef\xbb\xbf" + handout.summary().replace("\n", "\r\n").encode("utf-8"))
    report = verify_submission(handout.origin, handout.target, summary)
    assert (report.matches, report.problems) == (True, [])
    assert report.regenerated == handout.summary()


def test_hand_edited_summary_names_the_section_that_differs(handout, tmp_path):
    summary = tmp_path / "summary.txt"
    summary.write_text(handout.summary().replace("        x = self._saved_tensor\n", ""),
                       encoding="utf-8")
    report = verify_submission(handout.origin, handout.target, summary)
    assert not report.matches
    assert report.problems == ["summary.txt differs from the regenerated one (Filled Code); run "
                               "`python code_analyze/analyze.py` and submit the summary.txt it writes"]


def test_stale_summary_after_a_later_edit_outside_blocks(handout, tmp_path):
    summary = tmp_path / "summary.txt"
    summary.write_text(handout.summary(), encoding="utf-8")
    handout.write("run_mlp.py", handout.pristine["run_mlp.py"].replace("100", "20"))
    report = verify_submission(handout.origin, handout.target, summary)
    assert not report.matches
    assert re.match(r"summary\.txt differs from the regenerated one \(Other Modifications\)",
                    report.problems[0])


def test_missing_summary_and_broken_markers_are_reported(handout):
    handout.write("layers.py", handout.fill("layers.py").replace("# TODO START", "# TODO", 1))
    report = verify_submission(handout.origin, handout.target, None)
    assert not report.matches
    assert report.problems == [
        "summary.txt is missing; run `python code_analyze/analyze.py` and submit the summary.txt "
        "it writes",
        "layers.py:1 markers missing (Selu.forward)",
        "layers.py: hand-out line 19 '# TODO START' changed or removed"]
    with pytest.raises(FileNotFoundError, match="pristine codes"):
        verify_submission(handout.root / "nowhere", handout.target, None)


def _stubbed(text: str) -> str:
    """The reference file as the hand-out has it: each block holding only `pass`."""
    lines = split_lines(text)
    for block in reversed(find_blocks(text)[0]):
        lines[block.start:block.end - 1] = [block.indent + "pass"]
    return "\n".join(lines)


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference/codes not written yet")
def test_reference_solution_against_its_stubbed_copy_fills_every_block(tmp_path):
    for source in REFERENCE.glob("*.py"):
        (tmp_path / source.name).write_text(_stubbed(source.read_text(encoding="utf-8")),
                                            encoding="utf-8")
    analysis = analyze_dirs(tmp_path, REFERENCE)
    assert problems(analysis) == [] and analysis.missing_files == analysis.additional_files == ()
    for report in analysis.files:
        assert report.modifications == ()
        bodies = [block.body for block in find_blocks(
            (REFERENCE / report.name).read_text(encoding="utf-8"))[0]]
        assert [list(block.lines) for block in report.blocks] == [
            [line.rstrip() for line in body if line.strip() and line.strip() != "pass"]
            for body in bodies]
    assert sum(len(report.blocks) for report in analysis.files) >= 10
