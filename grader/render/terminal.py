"""The table `grade` prints: test, status, score/max, message, and the total.

Tests that failed for one cause share one row (an import error that broke 45 tests is one row
with its count); leaderboard figures (the MNIST accuracy) and a late penalty have rows of their
own. Every cell is plain Text with escape sequences stripped: messages come from students' code.
"""
from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.late import describe
from grader.render import figures, format_points, group_label, grouped, max_points, status_word
from grader.results import GradeResult
from grader.textsafe import terminal_text

STATUS_STYLES = {"passed": "green", "partly passed": "yellow", "wrong answer": "red",
                 "not implemented": "magenta", "could not be checked": "red"}


def text(value: str, style: str = "") -> Text:
    """A cell of student text: escape sequences stripped, never read as markup."""
    return Text(terminal_text(value), style)


def build_table(result: GradeResult) -> Table:
    """A rich Table of the outcomes. Cells are Text, not markup: messages may hold `[1, 2]`."""
    table = Table(title=Text(terminal_text(f"Submission {result.student_id}")), title_justify="left")
    for column, justify in (("Test", "left"), ("Status", "left"), ("Score", "right"), ("Message", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    if result.error is not None:
        table.add_row(Text("(whole submission)"), Text("could not grade", "red"), Text("0"), text(result.error))
    for group in grouped(result.outcomes):
        first, word = group[0], status_word(group[0])
        score = format_points(sum(o.score for o in group))
        table.add_row(text(group_label(group)), Text(word, STATUS_STYLES.get(word, "")),
                      Text(f"{score}/{format_points(sum(o.max_score for o in group))}"), text(first.message))
    table.add_section()
    for name, value in figures(result):
        table.add_row(text(name), Text("figure"), Text(value), Text(""))
    late = result.extra.get("late")
    if late:
        table.add_row(Text("Late penalty"), Text(""), Text(f"-{format_points(result.late_penalty)}"), text(describe(late)))
    table.add_row(Text("Total", "bold"), Text(""),
                  Text(f"{format_points(result.total)}/{format_points(max_points(result))}", "bold"), Text(""))
    for note in result.notes:
        table.add_row(Text("(note)"), Text(""), Text(""), text(note))
    return table


def render_terminal(result: GradeResult, *, width: int = 100) -> str:
    """The table as plain text (no colours), e.g. for logs and tests."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(build_table(result))
    return console.file.getvalue()
