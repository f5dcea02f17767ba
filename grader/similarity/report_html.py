"""report.html: clusters, ranked pairs, and per pair the matching code side by side, highlighted.

Self-contained (inline CSS, no script, no network); every piece of student text is escaped.
The text of each fingerprint the two students share (and that is not common in the cohort) is
wrapped in <mark>: the fingerprint's k-gram of tokens is mapped back to line and column ranges.
A block is shown beside the same block of the other student; code outside the blocks (a new file,
a helper method) beside whatever code of the other student holds the same fingerprints.
"""
from __future__ import annotations

from html import escape

from grader.similarity.blocks import BlockCode
from grader.similarity.cohort import Student
from grader.similarity.compare import Cohort, PairScore
from grader.similarity.fingerprint import KGRAM_TOKENS
from grader.similarity.normalize import dedent
from grader.similarity.rings import Cluster, count

_STYLE = """
body{font-family:sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.pair{margin-top:2em;border-top:2px solid #444}.sides{display:flex;gap:1em}
.side{flex:1;min-width:0}pre{background:#f7f7f7;padding:4px;overflow-x:auto;margin:0}
pre span{display:block}pre span.hit{background:#fff6d6}mark{background:#ffd54f}
.meta{color:#666;font-size:90%}
"""


def render_report(cohort: Cohort, pairs: list[PairScore], clusters: list[Cluster], max_pairs: int) -> str:
    students = cohort.students
    shown = pairs[:max_pairs]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>Similarity of submitted code</title>", f"<style>{_STYLE}</style></head><body>",
             "<h1>Similarity of submitted code</h1>",
             f"<p class=meta>{len(students)} submissions, {count(len(clusters), 'cluster')}, {len(pairs)} pairs "
             f"sharing uncommon code; the first {len(shown)} pairs are shown. Scores are 0 to 1; common "
             "code weighs nothing.</p>", *_clusters_html(cohort, pairs, clusters),
             "<h2>Pairs</h2><table><tr><th>#</th><th>Submission</th><th>Submission</th><th>Score</th>"
             "<th>Overall</th><th>Matched</th></tr>"]
    for rank, pair in enumerate(shown, 1):
        parts.append(f'<tr><td class=num>{rank}</td><td>{escape(students[pair.a].label)}</td>'
                     f'<td>{escape(students[pair.b].label)}</td><td class=num>{pair.score:.3f}</td>'
                     f'<td class=num>{pair.overall:.3f}</td>'
                     f'<td><a href="#pair{rank}">{len(pair.matched)}</a></td></tr>')
    parts.append("</table>")
    for rank, pair in enumerate(shown, 1):
        parts.append(_pair_section(cohort, pair, rank))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _clusters_html(cohort: Cohort, pairs: list[PairScore], clusters: list[Cluster]) -> list[str]:
    if not clusters:
        return []
    rows = ["<h2>Clusters</h2><p class=meta>Students joined by pairs that share at least half of "
            "their uncommon code.</p><table><tr><th>#</th><th>Size</th><th>Overall</th><th>Members</th>"
            "<th>Shared code</th></tr>"]
    for number, c in enumerate(clusters, 1):
        members = ", ".join(escape(cohort.students[s].label) for s in c.members)
        rows.append(f"<tr><td class=num>{number}</td><td class=num>{len(c.members)}</td>"
                    f"<td class=num>{c.mean_overall:.3f}</td><td>{members}</td>"
                    f"<td>{escape(', '.join(c.shared(pairs)))}</td></tr>")
    return rows + ["</table>"]


def _pair_section(cohort: Cohort, pair: PairScore, rank: int) -> str:
    a, b = cohort.students[pair.a], cohort.students[pair.b]
    parts = [f'<div class=pair id="pair{rank}"><h2>#{rank}: {escape(a.label)} and '
             f"{escape(b.label)}, score {pair.score:.3f} (overall {pair.overall:.3f})</h2>"]
    shared = {key: cohort.shared_fingerprints(pair.a, pair.b, key) for key in pair.blocks if key in a.blocks}
    for key in sorted((k for k in shared if shared[k]), key=lambda k: (-pair.blocks[k], k)):
        parts.append(f"<h3>{escape(key)}: {pair.blocks[key]:.3f}</h3><div class=sides>")
        parts += [_side(student, [student.blocks[key]], shared[key]) for student in (a, b)]
        parts.append("</div>")
    for location in sorted((k for k in pair.blocks if k not in a.blocks), key=lambda k: (-pair.blocks[k], k)):
        for (owner, other), numbers in zip(((a, b), (b, a)), ((pair.a, pair.b), (pair.b, pair.a))):
            hashes = cohort.shared_outside(*numbers, location)
            if not hashes:
                continue
            parts.append(f"<h3>{escape(owner.label)}'s {escape(location)}: {pair.blocks[location]:.3f}</h3>"
                         "<div class=sides>")
            mine = [u for u in owner.extras if u.key == location and hashes & u.hashes()]
            theirs = [c for c in [*other.blocks.values(), *other.extras] if hashes & c.hashes()]
            parts += [_side(owner, mine, hashes), _side(other, theirs, hashes), "</div>"]
    parts.append("</div>")
    return "\n".join(parts)


def _side(student: Student, units: list[BlockCode], shared: set[int]) -> str:
    """One student's units of code, shared fingerprints marked."""
    parts = ["<div class=side>"]
    for unit in units:
        lines = dedent(unit.body)
        marks = _marks(unit, shared, lines)
        shown = "".join(_line_html(line, marks.get(i)) for i, line in enumerate(lines, 1))
        parts.append(f"<div class=meta>{escape(student.label)}: {escape(unit.file)} line {unit.start + 1}"
                     f"</div><pre>{shown}</pre>")
    return "".join(parts) + "</div>"


def _marks(block: BlockCode, shared: set[int], lines: list[str]) -> dict[int, list[tuple[int, int]]]:
    """Body line (1-based) -> character ranges covered by the k-grams of shared fingerprints.

    A k-gram's text on a line runs from its first name/literal to its last one there; syntax
    tokens (`BinOp`) have no text of their own. A block that did not parse has no columns, so its
    matched lines are marked whole.
    """
    code = block.normalized(spans=True)
    positions = block.positions(code.tokens)
    marks: dict[int, list[tuple[int, int]]] = {}
    for h in sorted(shared):
        for start in positions.get(h, ()):
            reach: dict[int, tuple[int, int]] = {}
            for i in range(start, min(start + KGRAM_TOKENS, len(code.tokens))):
                line = code.lines[i]
                if not 1 <= line <= len(lines):
                    continue
                first, end = code.spans[i] if code.spans else (0, len(lines[line - 1].encode()))
                if first < 0:
                    continue
                low, high = reach.get(line, (first, end))
                reach[line] = (min(low, first), max(high, end))
            for line, span in reach.items():
                marks.setdefault(line, []).append(_characters(lines[line - 1], span))
    return {line: _merged(spans) for line, spans in marks.items()}


def _characters(line: str, span: tuple[int, int]) -> tuple[int, int]:
    """UTF-8 byte columns (as `ast` gives them) -> character columns of `line`."""
    if line.isascii():
        return min(span[0], len(line)), min(max(span), len(line))
    data = line.encode()
    first, end = (len(data[:c].decode("utf-8", "ignore")) for c in span)
    return first, max(first, end)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for first, end in sorted(spans):
        if out and first <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([first, end])
    return [(first, end) for first, end in out]


def _line_html(line: str, marks: list[tuple[int, int]] | None) -> str:
    if not marks:
        return f"<span>{escape(line) or ' '}</span>"
    pieces, at = [], 0
    for first, end in marks:
        pieces += [escape(line[at:first]), "<mark>", escape(line[first:end]), "</mark>"]
        at = end
    pieces.append(escape(line[at:]))
    return f"<span class=hit>{''.join(pieces)}</span>"
