"""grade-similarity SUBMISSIONS... [--previous DIR...] [--assignment DIR] [--out DIR]: the steps.

Read every submission's code (TODO blocks, new files, changes outside the blocks), score the pairs
that share uncommon code and the clusters they form, then write DIR/similarity.csv,
DIR/clusters.csv and DIR/report.html (atomically) and print the clusters and the top pairs.
Student text reaches the terminal as plain text without control sequences (grader.textsafe).
"""
from __future__ import annotations

import argparse
import csv
import io
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.assignment import load_assignment
from grader.errors import ConfigError, GraderError
from grader.output import write_atomic
from grader.similarity.cohort import expand_inputs, load_students
from grader.similarity.compare import DEFAULT_MAX_SHARE, MAX_HOLDERS, Cohort, PairScore
from grader.similarity.layout import code_layout
from grader.similarity.pairs import score_pairs
from grader.similarity.report_html import render_report
from grader.similarity.rings import Cluster, count
from grader.textsafe import csv_cell, terminal_text

REPORT_PAIRS = 100  # report.html details this many pairs; the CSV lists them all


class OutOfMemoryError(GraderError):
    """The comparison needed more memory than the machine (or its limit) gives."""


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if not 0 < args.max_share <= 1:
        raise ConfigError(f"--max-share {args.max_share}: give a share of the cohort in (0, 1]")
    if args.max_holders < 0:
        raise ConfigError(f"--max-holders {args.max_holders}: give a number of students, or 0 for no cap")
    try:
        cohort, pairs, clusters = compare_submissions(args.submissions, args.previous or [], args.max_share,
                                                      args.assignment, args.max_holders)
        args.out.mkdir(parents=True, exist_ok=True)
        write_atomic(args.out / "similarity.csv", render_csv(cohort, pairs, clusters))
        write_atomic(args.out / "clusters.csv", render_clusters_csv(cohort, pairs, clusters))
        write_atomic(args.out / "report.html", render_report(cohort, pairs, clusters, REPORT_PAIRS))
    except MemoryError:
        raise OutOfMemoryError("out of memory while comparing; compare fewer submissions at once (fewer "
                               "--previous years) or give the process more memory") from None
    except BrokenProcessPool:
        raise OutOfMemoryError("a process reading the submissions was killed (out of memory?); "
                               "compare fewer submissions at once or give it more memory") from None
    console = Console(highlight=False)
    for student in cohort.students:
        for note in student.notes:
            console.print(Text.assemble(("skipped", "yellow"), ": ", terminal_text(note)))
    if clusters and args.top > 0:
        console.print(_cluster_table(cohort, pairs, clusters, args.top))
    console.print(_table(cohort, pairs[:args.top]))
    console.print(Text(f"wrote {args.out / 'similarity.csv'}, clusters.csv and report.html"))
    return 0


def compare_submissions(current: list[str], previous: list[str], max_share: float = DEFAULT_MAX_SHARE,
                        assignment: Path | None = None, max_holders: int = MAX_HOLDERS,
                        ) -> tuple[Cohort, list[PairScore], list[Cluster]]:
    """The cohort (this year first, then earlier years), its scored pairs (best first), clusters."""
    layout = code_layout(load_assignment(assignment))
    cache: dict = {}
    students = load_students(expand_inputs(current, layout), False, cache, layout)
    students += load_students(expand_inputs(previous, layout), True, cache, layout) if previous else []
    cohort = Cohort(students, max_share, max_holders)
    pairs, clusters = score_pairs(cohort)
    return cohort, pairs, clusters


def cluster_of(clusters: list[Cluster]) -> dict[int, int]:
    """Student -> the number (from 1) of the cluster it belongs to."""
    return {s: number for number, c in enumerate(clusters, 1) for s in c.members}


def render_csv(cohort: Cohort, pairs: list[PairScore], clusters: list[Cluster]) -> str:
    """One row per pair; a block column is empty when either student's block was not scored."""
    keys = cohort.keys
    cluster = cluster_of(clusters)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in ("rank", "a", "b", "score", "overall", "evidence", "cluster",
                                           "matched", *keys)])
    for rank, pair in enumerate(pairs, 1):
        a, b = cohort.students[pair.a].label, cohort.students[pair.b].label
        same = cluster.get(pair.a) if cluster.get(pair.a) == cluster.get(pair.b) else None
        cells = [f"{pair.blocks[k]:.4f}" if k in pair.blocks else "" for k in keys]
        writer.writerow([csv_cell(c) for c in (rank, a, b, f"{pair.score:.4f}", f"{pair.overall:.4f}",
                                               f"{pair.evidence:.4f}", same or "", ";".join(pair.matched),
                                               *cells)])
    return out.getvalue()


def render_clusters_csv(cohort: Cohort, pairs: list[PairScore], clusters: list[Cluster]) -> str:
    """One row per cluster: its members and the code they share."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["cluster", "size", "pairs", "mean_overall", "members", "shared"])
    for number, c in enumerate(clusters, 1):
        members = ";".join(cohort.students[s].label for s in c.members)
        writer.writerow([csv_cell(x) for x in (number, len(c.members), c.pairs, f"{c.mean_overall:.4f}",
                                               members, ";".join(c.shared(pairs)))])
    return out.getvalue()


def _cluster_table(cohort: Cohort, pairs: list[PairScore], clusters: list[Cluster], top: int) -> Table:
    table = Table(title=f"{count(len(clusters), 'cluster')} of students sharing most of their code")
    for name in ("cluster", "size", "overall", "members", "shared code"):
        table.add_column(name, justify="right" if name in ("cluster", "size", "overall") else "left")
    for number, c in enumerate(clusters[:top], 1):
        labels = [cohort.students[s].label for s in c.members]
        shown = ", ".join(labels[:8]) + (f", ... ({len(labels) - 8} more)" if len(labels) > 8 else "")
        shared = c.shared(pairs)
        table.add_row(str(number), str(len(c.members)), f"{c.mean_overall:.3f}", Text(terminal_text(shown)),
                      Text(terminal_text(_short(shared, len(cohort.keys)))))
    return table


def _table(cohort: Cohort, pairs: list[PairScore]) -> Table:
    table = Table(title=f"Most similar pairs of {len(cohort.students)} submissions")
    for name in ("#", "a", "b", "score", "overall", "matched"):
        table.add_column(name, justify="right" if name in ("#", "score", "overall") else "left")
    for rank, pair in enumerate(pairs, 1):
        table.add_row(str(rank), Text(terminal_text(cohort.students[pair.a].label)),
                      Text(terminal_text(cohort.students[pair.b].label)), f"{pair.score:.3f}",
                      f"{pair.overall:.3f}", Text(terminal_text(_short(pair.matched, len(pair.blocks)))))
    return table


def _short(matched: list[str], of: int) -> str:
    """`Selu.forward, helpers.py (new file)` or, for many, `12 of 21`."""
    names = [k.split(":", 1)[1].rsplit(":", 1)[0] if k.count(":") >= 2 else k for k in matched]
    return (", ".join(names) if len(names) <= 3 else f"{len(names)} of {of}") or "-"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade-similarity",
        description="Rank pairs of submissions by the code they share (TODO blocks, new files, "
                    "changes outside the blocks); write similarity.csv, clusters.csv and report.html.")
    parser.add_argument("submissions", nargs="+",
                        help="submission zips or folders with codes/, or folders holding them")
    parser.add_argument("--previous", nargs="+", metavar="DIR",
                        help="earlier years' submissions: compared with this year, not each other")
    parser.add_argument("--assignment", type=Path, metavar="DIR",
                        help="the assignment folder whose hand-out tells given code from the "
                             "student's (default: the built-in MLP assignment)")
    parser.add_argument("--out", type=Path, default=Path("similarity"),
                        help="output folder (default: ./similarity)")
    parser.add_argument("--top", type=int, default=20, help="pairs printed (default: 20)")
    parser.add_argument("--max-share", type=float, default=DEFAULT_MAX_SHARE,
                        help="code found in more than this share of the cohort counts as the "
                             f"obvious answer and weighs nothing (default: {DEFAULT_MAX_SHARE})")
    parser.add_argument("--max-holders", type=int, default=MAX_HOLDERS, metavar="N",
                        help="so does code that more than N students wrote, whatever the cohort's size; "
                             f"0: no such cap (slower on large cohorts; default: {MAX_HOLDERS})")
    return parser
