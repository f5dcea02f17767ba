"""grade-skeleton --validate: the hidden suite judged on the reference, the hand-out and each block
left as its stub, graded for real (grader.run.grade_one: sandboxed workers, one process per tree).

The rules; a broken one is a FAIL row and exit status 1:
- reference/ gets full marks, bonus included, and passes every test (the 0-point flags too);
- the skeleton (the regenerated hand-out's code, handed in as a submission) scores 0;
- each block-broken variant (the reference with one block replaced by its stub) loses at least one
  test of its own `[points."<file>:<Class>"]` group and, outside it, only [validate] cross_cutting
  tests; [validate] skip_in_variants tests are not run for the variants. "Loses" is measured
  against the reference's own score for each test.

The hand-out is regenerated into a temporary folder and the trees are graded against it (given files,
the integrity file), so a TA can validate before regenerating; the committed skeleton/ is never
written (`grade-skeleton` does that; `--check` says whether it is current). When the hand-out ships
code_analyze and [submission] names an integrity file, each tree gets the one the analyzer writes.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from code_analyze.summary import analyze_dirs, render_summary
from grader.assignment import Assignment
from grader.results import GRADER_ERROR, GradeResult
from grader.skeleton.handout import Handout, reference_files, stubbed_code, write_tree
from grader.skeleton.readme import group_of
from grader.skeleton.stubs import StubbedBlock

REFERENCE, SKELETON = "reference", "skeleton"
MAX_LISTED = 6
"""Lost tests named in a row; more are counted."""


@dataclass(frozen=True)
class Variant:
    """One tree to grade: the reference, the skeleton, or the reference with one block stubbed."""

    name: str
    folder: Path
    block: StubbedBlock | None = None
    group: str = ""
    """For a block variant: the points group whose tests it may lose."""


@dataclass(frozen=True)
class Row:
    variant: str
    score: str
    lost: str
    verdict: str

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


# --- the trees ------------------------------------------------------------------------------------

def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def write_submission(assignment: Assignment, variant: Variant) -> Path:
    """The variant as a student hands it in: the code in its folder, the reference's other top-level
    files (a report), and the integrity file the shipped analyzer writes for this code."""
    layout = assignment.layout
    if variant.name == REFERENCE:
        code = reference_files(assignment)
    else:
        code, _ = stubbed_code(assignment, variant.block)
    code_dir = variant.folder / layout.code_folder
    _write(code_dir, code)
    if layout.code_folder:
        for path in sorted(assignment.reference_dir.iterdir()):
            if path.is_file():
                shutil.copyfile(path, variant.folder / path.name)
    if layout.integrity and assignment.handout.code_analyze:
        analysis = analyze_dirs(assignment.pristine_dir, code_dir, assignment.handout.markers)
        (variant.folder / layout.integrity).write_text(render_summary(analysis), encoding="utf-8")
    return variant.folder


def _variants(handout: Handout, work: Path) -> list[Variant]:
    assignment = handout.assignment
    found = [Variant(REFERENCE, work / REFERENCE), Variant(SKELETON, work / SKELETON)]
    for number, block in enumerate(handout.blocks, start=1):
        found.append(Variant(block.key, work / f"block-{number:02d}", block, group_of(assignment, block) or ""))
    return found


def grade_variant(assignment: Assignment, variant: Variant) -> GradeResult:
    """Build the variant's tree and grade it (in a pool process: pytest runs one suite at a time)."""
    from grader.plugin import run_hidden_tests
    from grader.run import grade_one

    leave_out = frozenset(assignment.validate.skip_in_variants if variant.block else ())

    def runner(assignment, sub, *, limits=None, sandbox=True):
        return run_hidden_tests(assignment, sub.code_dir, limits=limits, sandbox=sandbox, root=sub.root,
                                leave_out=leave_out)

    return grade_one(write_submission(assignment, variant), assignment, runner=runner)


# --- the rules ------------------------------------------------------------------------------------

def _listing(tests: list[str]) -> str:
    if not tests:
        return "-"
    more = f" (+{len(tests) - MAX_LISTED} more)" if len(tests) > MAX_LISTED else ""
    return ", ".join(tests[:MAX_LISTED]) + more


def judge(assignment: Assignment, variant: Variant, result: GradeResult, reference: GradeResult) -> Row:
    """The variant's row of the table, its verdict by the rules in this module's docstring. A block
    variant's lost tests are those it scores less on than the reference does."""
    score = f"{result.score:g} / {result.max_score:g}"
    if result.error is not None:
        return Row(variant.name, "-", "-", f"FAIL: could not grade: {result.error}")
    short = [o.test for o in result.outcomes if o.score < o.max_score]
    broken = [o.test for o in result.outcomes if o.status == GRADER_ERROR]
    if broken:
        return Row(variant.name, score, _listing(short), f"FAIL: grader error in {_listing(broken)}")
    if variant.name == REFERENCE:
        failed = [o.test for o in result.outcomes if not o.passed]
        unrun = sorted(set(assignment.points) - {o.test for o in result.outcomes})
        full = not failed and not unrun and result.score == sum(assignment.points.values())
        return Row(variant.name, score, _listing(short),
                   "ok" if full else f"FAIL: not full marks ({_listing(failed + unrun)} failed or did not run)")
    if variant.name == SKELETON:
        scored = [o.test for o in result.outcomes if o.score > 0]
        graded = sum(o.max_score > 0 for o in result.outcomes)
        return Row(variant.name, score, f"{len(short)} of {graded}",
                   "ok" if not scored else f"FAIL: scores with {_listing(scored)}")
    baseline = {o.test: o.score for o in reference.outcomes}
    lost = [o.test for o in result.outcomes if o.score < baseline.get(o.test, o.max_score)]
    own = set(assignment.point_groups.get(variant.group, ()))
    outside = [t for t in lost if t not in own and t not in assignment.validate.cross_cutting]
    if outside:
        verdict = f"FAIL: also loses {_listing(outside)}, outside [points.\"{variant.group}\"]"
    elif not own.intersection(lost):
        verdict = f"FAIL: loses no test of [points.\"{variant.group}\"]: no test notices the stub"
    else:
        verdict = "ok"
    return Row(variant.name, score, _listing(lost), verdict)


def render_table(rows: list[Row]) -> str:
    """Plain aligned columns, the long list of lost tests last."""
    header = Row("variant", "score", "lost tests", "verdict")
    widths = [max(len(getattr(r, f)) for r in [header, *rows]) for f in ("variant", "score", "verdict")]
    return "\n".join(f"{r.variant:<{widths[0]}}  {r.score:>{widths[1]}}  {r.verdict:<{widths[2]}}  {r.lost}".rstrip()
                     for r in [header, *rows])


# --- running --------------------------------------------------------------------------------------

def validate(handout: Handout, jobs: int, say=print) -> int:
    """Grade every variant, print the table; 0 when every rule holds, else 1."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="grade-skeleton-validate-") as tmp:
        work = Path(tmp)
        write_tree(handout, work / "handout")
        assignment = dataclasses.replace(handout.assignment, skeleton_dir=work / "handout")
        variants = _variants(handout, work)
        say(f"validating {handout.assignment.name}: the reference, the skeleton and {len(variants) - 2} "
            f"block-broken variants, {jobs} at a time")
        context = multiprocessing.get_context("spawn")  # pytest and the reference import afresh in each
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(grade_variant, assignment, v) for v in variants]
            results = [f.result() for f in futures]
    rows = [judge(assignment, v, r, results[0]) for v, r in zip(variants, results)]
    say(render_table(rows))
    failed = sum(not r.ok for r in rows)
    took = time.perf_counter() - started
    say(f"{len(rows) - failed} of {len(rows)} variants ok, {failed} failed ({took:.0f} s)")
    return 1 if failed else 0
