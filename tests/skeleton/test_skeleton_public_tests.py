"""The public self-checks: all pass on a hand-out filled from the reference, and each one fails
on the bare skeleton with a one-line message naming the block."""
from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from code_analyze.blocks import find_blocks, split_lines

REPO = Path(__file__).resolve().parents[2]


def run_public_tests(handout: Path, tmp_path: Path) -> dict[str, str | None]:
    """Test id -> None if it passed, else its failure message; pytest runs in a subprocess."""
    report = tmp_path / "junit.xml"
    subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider",
                    f"--junitxml={report}"], cwd=handout, capture_output=True, timeout=300)
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        outcomes[f"{case.get('classname')}.{case.get('name')}"] = (
            None if problem is None else problem.get("message"))
    return outcomes


def fill_from_reference(skeleton_text: str, reference_text: str) -> str:
    """The skeleton file with each block body put back from the reference."""
    lines = split_lines(skeleton_text)
    ref_blocks = find_blocks(reference_text)[0]
    for block, ref in reversed(list(zip(find_blocks(skeleton_text)[0], ref_blocks))):
        lines[block.start:block.end - 1] = list(ref.body)
    return "\n".join(lines)


def test_reference_passes_and_bare_skeleton_fails_each_public_test(handout, tmp_path):
    filled = tmp_path / "filled"
    shutil.copytree(handout, filled)
    for path in sorted((filled / "codes").glob("*.py")):
        reference = (REPO / "reference" / "codes" / path.name).read_text()
        path.write_text(fill_from_reference(path.read_text(), reference))
    passing = run_public_tests(filled, tmp_path / "filled-run")
    bare = run_public_tests(handout, tmp_path / "bare-run")

    assert len(passing) >= 20 and set(bare) == set(passing)
    assert {name: msg for name, msg in passing.items() if msg is not None} == {}
    unreadable = {name: msg for name, msg in bare.items()
                  if msg is None or "is not implemented yet (codes/" not in msg or "\n" in msg}
    assert unreadable == {}
