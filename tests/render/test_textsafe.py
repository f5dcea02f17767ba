"""grader.textsafe on its own: spreadsheet formula prefixes and terminal escape sequences."""
import csv
import io

import pytest
from grader.textsafe import csv_cell, terminal_text


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)",
                                  "\t=1", "\r=1"])
def test_csv_cell_neutralises_each_formula_prefix(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["s0001", "0.1234", "a=b", " =1", "x-y", "", "名前"])
def test_csv_cell_leaves_other_text_alone(text):
    assert csv_cell(text) == text


def test_csv_cell_survives_the_csv_module_and_utf8():
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([csv_cell("=cmd|' /C calc'!A0"), csv_cell("bad\udcff")])
    row = next(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["'=cmd|' /C calc'!A0", "bad\ufffd"]
    out.getvalue().encode("utf-8")  # a lone surrogate would make writing the file fail


@pytest.mark.parametrize("text, expected", [
    ("a\x1b]52;c;ZWNobyBoaQ==\x07b", "ab"),  # OSC 52: set the clipboard
    ("a\x1b]52;c;ZWNobyBoaQ==\x1b\\b", "ab"),  # the same, ended by ST
    ("\x1b[2J\x1b[Hname", "name"),  # CSI 2J: clear the screen, then home
    ("red\x1b[31m!\x1b[0m", "red!"),
    ("\x9b2Jx", "x"),  # the 8-bit CSI
    ("\x1bcreset", "reset"),  # ESC c: reset the terminal
    ("bell\x07 back\x08space", "bell backspace"),
    ("line\none\ttab", "line one tab"),
    ("abc\u202edcba", "abcdcba"),  # right-to-left override
    ("lone\udc80", "lone\ufffd"),
    ("[bold red]x[/] [link=file:///etc]y[/link]", "[bold red]x[/] [link=file:///etc]y[/link]"),
    ("plain 名前 é", "plain 名前 é"),
])
def test_terminal_text_strips_escapes_and_controls(text, expected):
    assert terminal_text(text) == expected
