"""Student text on its way to a person: spreadsheet cells and terminals.

    csv_cell("=HYPERLINK(...)")  -> "'=HYPERLINK(...)"   a spreadsheet shows it, never runs it
    terminal_text("\\x1b]52;c;...\\x07id") -> "id"      no escape sequence reaches the TA's terminal

Ids, file names, error messages and notes can all come from students (a zip's name, an
exception's text); every CSV the project writes and every terminal renderer passes them here.
"""
from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What spreadsheets (Excel, LibreOffice, Sheets) read as the start of a formula (OWASP's list)."""

_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI: colours, cursor moves, CSI 2J (clear screen)
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, OSC 52 (set the clipboard)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"       # DCS, SOS, PM, APC strings
    r"|\x1b[ -/]*[0-~]?"                    # any other escape
    r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*[\x07\x9c]?")  # the 8-bit CSI and OSC
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0/C1 controls but TAB and LF, and the bidirectional overrides that reorder what is shown."""
_SURROGATE = re.compile(r"[\ud800-\udfff]")
"""Lone surrogates (a file name that was not UTF-8): shown as U+FFFD, never a crash when written."""


def csv_cell(text: str) -> str:
    """`text` as a cell no spreadsheet runs as a formula: an apostrophe before a formula prefix."""
    text = _SURROGATE.sub("\ufffd", str(text))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def terminal_text(text: str) -> str:
    """`text` on one line, without escape sequences or control characters (tabs and newlines become spaces)."""
    text = _ESCAPE_SEQUENCES.sub("", str(text)).replace("\t", " ").replace("\r\n", " ").replace("\n", " ")
    return _SURROGATE.sub("\ufffd", _CONTROLS.sub("", text))
