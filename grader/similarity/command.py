"""grade-similarity SUBMISSIONS... [--previous DIR...] [--out DIR]: steps of the command.

Read every submission's TODO blocks, score the pairs that share uncommon code, then write
DIR/similarity.csv and DIR/report.html (atomically) and print the top pairs.
"""
from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader.errors import ConfigError
from grader.output import write_atomic
from grader.similarity.cohort import expand_inputs, load_students
from grader.similarity.compare import DEFAULT_MAX_SHARE, Cohort, PairScore
from grader.similarity.report_html import render_report

REPORT_PAIRS = 100  # report.html details this many pairs; the CSV lists them all


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if not 0 < args.max_share <= 1:
        raise ConfigError(f"--max-share {args.max_share}: give a share of the cohort in (0, 1]")
    cohort, pairs = compare_submissions(args.submissions, args.previous or [], args.max_share)
    args.out.mkdir(parents=True, exist_ok=True)
    write_atomic(args.out / "similarity.csv", render_csv(cohort, pairs))
    write_atomic(args.out / "report.html", render_report(cohort, pairs, REPORT_PAIRS))
    console = Console()
    for student in cohort.students:
        for note in student.notes:
            console.print(f"[yellow]skipped[/]: {note}", highlight=False)
    console.print(_table(cohort, pairs[:args.top]))
    console.print(f"wrote {args.out / 'similarity.csv'} and {args.out / 'report.html'}", highlight=False)
    return 0


def compare_submissions(current: list[str], previous: list[str],
                        max_share: float = DEFAULT_MAX_SHARE) -> tuple[Cohort, list[PairScore]]:
    """The cohort (this year first, then earlier years) and its scored pairs, best first."""
    cache: dict = {}
    students = load_students(expand_inputs(current), False, cache)
    students += load_students(expand_inputs(previous), True, cache) if previous else []
    cohort = Cohort(students, max_share)
    return cohort, cohort.score_pairs()


def render_csv(cohort: Cohort, pairs: list[PairScore]) -> str:
    """One row per pair; a block column is empty when either student's block was not scored."""
    keys = sorted({key for mine in cohort.fingerprints for key in mine})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["rank", "a", "b", "score", "overall", "evidence", "matched_blocks", *keys])
    for rank, pair in enumerate(pairs, 1):
        a, b = cohort.students[pair.a].label, cohort.students[pair.b].label
        cells = [f"{pair.blocks[k]:.4f}" if k in pair.blocks else "" for k in keys]
        writer.writerow([rank, a, b, f"{pair.score:.4f}", f"{pair.overall:.4f}", f"{pair.evidence:.4f}",
                         ";".join(pair.matched), *cells])
    return out.getvalue()


def _table(cohort: Cohort, pairs: list[PairScore]) -> Table:
    table = Table(title=f"Most similar pairs of {len(cohort.students)} submissions")
    for name in ("#", "a", "b", "score", "overall", "matched blocks"):
        table.add_column(name, justify="right" if name in ("#", "score", "overall") else "left")
    for rank, pair in enumerate(pairs, 1):
        names = [k.split(":", 1)[1].rsplit(":", 1)[0] for k in pair.matched]
        matched = ", ".join(names) if len(names) <= 3 else f"{len(names)} of {len(pair.blocks)}"
        table.add_row(str(rank), cohort.students[pair.a].label, cohort.students[pair.b].label,
                      f"{pair.score:.3f}", f"{pair.overall:.3f}", matched or "-")
    return table


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade-similarity",
        description="Rank pairs of submissions by the TODO-block code they share; write "
                    "similarity.csv and report.html.")
    parser.add_argument("submissions", nargs="+",
                        help="submission zips or folders with codes/, or folders holding them")
    parser.add_argument("--previous", nargs="+", metavar="DIR",
                        help="earlier years' submissions: compared with this year, not each other")
    parser.add_argument("--out", type=Path, default=Path("similarity"),
                        help="output folder (default: ./similarity)")
    parser.add_argument("--top", type=int, default=20, help="pairs printed (default: 20)")
    parser.add_argument("--max-share", type=float, default=DEFAULT_MAX_SHARE,
                        help="code found in more than this share of the cohort counts as the "
                             f"obvious answer and weighs nothing (default: {DEFAULT_MAX_SHARE})")
    return parser
