"""report.html in --out: what a TA reads after a batch, as one self-contained page.

Inline SVG and CSS only: no script, no font or image from the network, so it opens the same from a
file, a mail attachment or an archive. Sections: counts and mean/median, the score histogram, the
tests most students fail, per-class (point group) rates, failure causes (one cause, one row),
leaderboard figures, every could-not-grade reason, the slowest submissions, and every student with a
link to their feedback.md. All student text is escaped.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import quote

from grader.assignment import Assignment
from grader.render import format_points
from grader.results import COULD_NOT_GRADE, Entry
from grader.stats import failure_causes, figure_ranges, group_rates, histogram, pass_rates, slowest, summarize

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px 32px; color: #1d2630; max-width: 1100px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #d0d7de; }
.counts { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.count { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.count b { display: block; font-size: 22px; } .count span { color: #57606a; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; } th, td { padding: 3px 10px; text-align: left; vertical-align: top; }
th { background: #f3f5f7; } tr:nth-child(even) td { background: #fafbfc; } td.num { text-align: right; }
.bad { color: #b42318; } .muted { color: #57606a; } svg text { font-family: "DejaVu Sans", Arial, sans-serif; }
"""
BAR_W = 160


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _bar(fraction: float) -> str:
    """A horizontal bar of `fraction` (green part passed, red part not)."""
    w = round(BAR_W * fraction)
    return (f'<svg width="{BAR_W}" height="12" role="img" aria-label="{_pct(fraction)}">'
            f'<rect width="{BAR_W}" height="12" fill="#f4c7c3"/><rect width="{w}" height="12" fill="#2da44e"/></svg>')


def _histogram_svg(bins: list[tuple[str, int]]) -> str:
    width, height, pad, top = 640, 220, 30, 20
    peak = max((n for _, n in bins), default=0) or 1
    slot = (width - 2 * pad) / max(len(bins), 1)
    parts = [f'<svg width="{width}" height="{height + 40}" role="img" aria-label="score histogram">',
             f'<line x1="{pad}" y1="{height}" x2="{width - pad}" y2="{height}" stroke="#57606a"/>']
    for i, (label, n) in enumerate(bins):
        h = (height - top) * n / peak
        x = pad + i * slot
        parts.append(f'<rect x="{x + 3:.1f}" y="{height - h:.1f}" width="{slot - 6:.1f}" height="{h:.1f}" fill="#4c78a8"/>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - h - 4:.1f}" font-size="12" text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{height + 16}" font-size="11" text-anchor="middle">{esc(label)}</text>')
    parts.append(f'<text x="{width / 2}" y="{height + 34}" font-size="12" text-anchor="middle">points (total after late '
                 'penalties; the last bar includes bonus above the maximum)</text></svg>')
    return "".join(parts)


def _table(header: Sequence[str], rows: list[list[str]], numeric: Sequence[int] = ()) -> str:
    """Rows of already escaped HTML cells."""
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _counts(entries: Sequence[Entry]) -> str:
    s = summarize(entries)
    cells = [("submissions", s.graded + s.could_not_grade), ("graded", s.graded),
             ("could not grade", s.could_not_grade), ("no submission", s.no_submission),
             ("mean", "-" if s.mean is None else f"{s.mean:g} / {format_points(s.max_score)}"),
             ("median", "-" if s.median is None else f"{s.median:g} / {format_points(s.max_score)}")]
    return '<div class="counts">' + "".join(f'<div class="count"><b>{esc(v)}</b><span>{esc(k)}</span></div>'
                                            for k, v in cells) + "</div>"


def _students(entries: Sequence[Entry]) -> list[list[str]]:
    rows = []
    for e in entries:
        r = e.result
        link = (f'<a href="{quote(e.student_id)}/feedback.md">feedback.md</a>' if r is not None else "")
        total = "" if r is None else f"{format_points(r.total)} / {format_points(r.max_score) if r.error is None else '-'}"
        late = "" if r is None or not r.late_penalty else f"-{format_points(r.late_penalty)}"
        figures = ", ".join(f"{n} {v:g}" for n, v, _ in r.leaderboard) if r else ""
        rows.append([esc(e.student_id), esc(e.name), esc(e.status), total, late, esc(figures), link])
    return rows


def render_report(entries: Sequence[Entry], assignment: Assignment) -> str:
    entries = sorted(entries, key=lambda e: e.student_id)
    s = summarize(entries)
    rates = pass_rates(entries)
    sections = [
        ("Scores", _histogram_svg(histogram(entries, s.max_score))),
        ("Tests most students fail", _table(
            ["test", "points", "passed", "", "failed by"],
            [[esc(r.name), format_points(r.points), _pct(r.rate), _bar(r.rate), str(r.graded - r.passed)]
             for r in rates], numeric=(1, 2, 4))),
        ("Per class (point group)", _table(
            ["group", "tests", "points earned", "", "all tests passed"],
            [[esc(g), str(n), "-" if earned is None else _pct(earned), "" if earned is None else _bar(earned),
              _pct(all_passed)]
             for g, n, earned, all_passed in group_rates(entries, assignment.point_groups)], numeric=(1, 2, 4))),
        ("Failure causes (one cause, one row)", _table(
            ["cause", "submissions", "tests failed"],
            [[esc(m), str(subs), str(n)] for m, subs, n in failure_causes(entries)], numeric=(1, 2))),
        ("Leaderboard figures", _table(
            ["figure", "min", "median", "max", "submissions"],
            [[esc(n), f"{lo:g}", f"{mid:g}", f"{hi:g}", str(k)] for n, lo, mid, hi, k in figure_ranges(entries)],
            numeric=(1, 2, 3, 4))),
        ("Could not grade", _table(
            ["id", "reason"],
            [[esc(e.student_id), f'<span class="bad">{esc(e.result.error)}</span>']
             for e in entries if e.status == COULD_NOT_GRADE])),
        ("Slowest submissions", _table(
            ["id", "seconds"], [[esc(e.student_id), f"{e.result.execution_time_s:.1f}"] for e in slowest(entries)],
            numeric=(1,))),
        ("Students", _table(["id", "name", "status", "total", "late", "figures", "feedback"], _students(entries))),
    ]
    body = "".join(f"<section><h2>{esc(title)}</h2>{content}</section>" for title, content in sections)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(assignment.title)}: grading report</title><style>{STYLE}</style></head>"
            f"<body><h1>{esc(assignment.title)}</h1><p class=\"muted\">Grading report: every result in this "
            f"folder.</p>{_counts(entries)}{body}</body></html>\n")
