"""The table `grade` prints: test, status, score/max, message, and the total."""
from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.render import format_points, max_points, status_word, test_label
from grader.results import GradeResult
from grader.textsafe import terminal_text

STATUS_STYLES = {"passed": "green", "partly passed": "yellow", "wrong answer": "red",
                 "not implemented": "magenta", "could not be checked": "red"}


def build_table(result: GradeResult) -> Table:
    """A rich Table of the outcomes. Cells are Text, not markup (messages may hold `[1, 2]`), and
    student text loses its escape sequences (grader.textsafe)."""
    table = Table(title=Text(f"Submission {terminal_text(result.student_id, keep_newlines=False)}"),
                  title_justify="left")
    for column, justify in (("Test", "left"), ("Status", "left"), ("Score", "right"), ("Message", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    if result.error is not None:
        table.add_row(Text("(whole submission)"), Text("could not grade", "red"), Text("0"),
                      Text(terminal_text(result.error)))
    for o in result.outcomes:
        word = status_word(o)
        table.add_row(Text(test_label(o)), Text(word, STATUS_STYLES.get(word, "")),
                      Text(f"{format_points(o.score)}/{format_points(o.max_score)}"), Text(terminal_text(o.message)))
    table.add_section()
    table.add_row(Text("Total", "bold"), Text(""),
                  Text(f"{format_points(result.score)}/{format_points(max_points(result))}", "bold"), Text(""))
    for note in result.notes:
        table.add_row(Text("(note)"), Text(""), Text(""), Text(terminal_text(note)))
    return table


def render_terminal(result: GradeResult, *, width: int = 100) -> str:
    """The table as plain text (no colours), e.g. for logs and tests."""
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(build_table(result))
    return console.file.getvalue()
