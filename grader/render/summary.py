"""What a batch prints at its end: this run's accounting (every input once), then the cohort
table of the whole --out folder (counts, mean, median, a text histogram, leaderboard figures).
Student text (ids, file names, reasons) is stripped of escape sequences and printed as Text."""
from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from grader.results import Entry
from grader.stats import figure_ranges, histogram, summarize
from grader.textsafe import terminal_text

BAR_CHARS = 30


def histogram_lines(entries: Sequence[Entry], max_score: float) -> list[str]:
    bins = histogram(entries, max_score)
    peak = max((n for _, n in bins), default=0) or 1
    width = max(len(label) for label, _ in bins)
    return [f"{label:>{width}} | {'#' * round(BAR_CHARS * n / peak)} {n}" for label, n in bins]


def cohort_table(entries: Sequence[Entry]) -> Table:
    s = summarize(entries)
    table = Table(title="All results in this folder", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", overflow="fold")
    rows = [("graded", str(s.graded)), ("could not grade", str(s.could_not_grade))]
    if s.no_submission:
        rows.append(("no submission (roster)", str(s.no_submission)))
    if s.mean is not None:
        rows += [("mean", f"{s.mean:g} / {s.max_score:g}"), ("median", f"{s.median:g} / {s.max_score:g}")]
    for name, lo, mid, hi, n in figure_ranges(entries):
        rows.append((terminal_text(name), f"median {mid:g} (min {lo:g}, max {hi:g}; {n} submission{'s' * (n != 1)})"))
    for what, value in rows:
        table.add_row(Text(what), Text(value))
    if s.graded:
        table.add_row(Text("histogram"), Text("\n".join(histogram_lines(entries, s.max_score))))
    return table


def accounting_lines(statuses: dict[str, tuple[str, str]], noted: list[tuple[str, str]],
                     others: list[tuple[str, str]], unknown: list[str], missing: list[str]) -> list[str]:
    """statuses: source -> (outcome, detail) with outcome "graded", "could not grade" or
    "skipped"; noted: (source, why) of files noted on a graded student's result; others: (source,
    why) of files that are no submission."""
    def safe(text: str) -> str:
        return terminal_text(text)

    by = {kind: sorted((s, d) for s, (k, d) in statuses.items() if k == kind) for kind in
          ("graded", "could not grade", "skipped")}
    changed = [s for s, d in by["graded"] if d == "changed"]
    lines = [f"graded {len(by['graded'])}" + (f" ({len(changed)} changed since the last run)" if changed else "")
             + f", could not grade {len(by['could not grade'])}, skipped {len(by['skipped'])} unchanged"
             + (" (--regrade to redo)" if by["skipped"] else "")]
    lines += [f"  could not grade {safe(s)}: {safe(d)}" for s, d in by["could not grade"]]
    lines += [f"  changed, graded again: {safe(s)}" for s in changed]
    lines += [f"  unchanged, {safe(d)}: {safe(s)}" for s, d in by["skipped"] if d]
    lines += [f"  not graded, noted on the student's result: {safe(s)}: {safe(d)}" for s, d in sorted(noted)]
    lines += [f"  not a submission: {safe(s)}: {safe(d)}" for s, d in sorted(others)]
    if unknown:
        lines.append(f"not on the roster ({len(unknown)}): {safe(', '.join(unknown))}")
    if missing:
        lines.append(f"on the roster without a submission ({len(missing)}): {safe(', '.join(missing))}")
    return lines
