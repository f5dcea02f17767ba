"""report.html: ranked pairs, and per pair the matching blocks side by side, matches highlighted.

Self-contained (inline CSS, no script, no network); every piece of student text is escaped.
A line is highlighted when a fingerprint the two students share (and that is not common in the
cohort) was taken from it.
"""
from __future__ import annotations

from html import escape

from grader.similarity.compare import Cohort, PairScore
from grader.similarity.fingerprint import KGRAM_TOKENS

_STYLE = """
body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.pair{margin-top:2em;border-top:2px solid #444}.sides{display:flex;gap:1em}
.side{flex:1;min-width:0}pre{background:#f7f7f7;padding:4px;overflow-x:auto;margin:0}
pre span{display:block}pre span.hit{background:#ffe08a}.meta{color:#666;font-size:90%}
"""


def render_report(cohort: Cohort, pairs: list[PairScore], max_pairs: int) -> str:
    students = cohort.students
    shown = pairs[:max_pairs]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>Similarity of TODO blocks</title>", f"<style>{_STYLE}</style></head><body>",
             "<h1>Similarity of TODO blocks</h1>",
             f"<p class=meta>{len(students)} submissions, {len(pairs)} pairs sharing uncommon code; "
             f"the first {len(shown)} are shown. Scores are 0 to 1; common code weighs nothing.</p>",
             "<table><tr><th>#</th><th>Submission</th><th>Submission</th><th>Overall</th>"
             "<th>Matched blocks</th></tr>"]
    for rank, pair in enumerate(shown, 1):
        parts.append(f'<tr><td class=num>{rank}</td><td>{escape(students[pair.a].label)}</td>'
                     f'<td>{escape(students[pair.b].label)}</td><td class=num>{pair.overall:.3f}</td>'
                     f'<td><a href="#pair{rank}">{len(pair.matched)}</a></td></tr>')
    parts.append("</table>")
    for rank, pair in enumerate(shown, 1):
        parts.append(_pair_section(cohort, pair, rank))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _pair_section(cohort: Cohort, pair: PairScore, rank: int) -> str:
    a, b = cohort.students[pair.a], cohort.students[pair.b]
    parts = [f'<div class=pair id="pair{rank}"><h2>#{rank}: {escape(a.label)} and '
             f"{escape(b.label)}, overall {pair.overall:.3f}</h2>"]
    shared = {key: cohort.shared_fingerprints(pair.a, pair.b, key) for key in pair.blocks}
    for key in sorted((k for k in shared if shared[k]), key=lambda k: (-pair.blocks[k], k)):
        parts.append(f"<h3>{escape(key)}: {pair.blocks[key]:.3f}</h3><div class=sides>")
        for number, student in ((pair.a, a), (pair.b, b)):
            block = student.blocks[key]
            hits = _hit_lines(cohort, number, key, shared[key])
            lines = "".join(f'<span{" class=hit" if i in hits else ""}>{escape(line) or " "}</span>'
                            for i, line in enumerate(block.body, 1))
            parts.append(f"<div class=side><div class=meta>{escape(student.label)}: "
                         f"{escape(block.file)} line {block.start + 1}</div><pre>{lines}</pre></div>")
        parts.append("</div>")
    parts.append("</div>")
    return "\n".join(parts)


def _hit_lines(cohort: Cohort, student: int, key: str, shared: set[int]) -> set[int]:
    """Body lines (1-based) holding a token of a shared fingerprint's k-gram."""
    code = cohort.students[student].blocks[key].normalized()
    fingerprints = cohort.fingerprints[student][key]
    lines: set[int] = set()
    for h in shared:
        for start in fingerprints.get(h, ()):
            lines.update(code.lines[start:start + KGRAM_TOKENS])
    return lines
