"""Student text made safe for the two places it reaches a person: a spreadsheet and a terminal.

File names, ids and code come from students. In a CSV cell, text starting with `=`, `+`, `-`,
`@`, TAB or CR is run as a formula by Excel, LibreOffice and Google Sheets (OWASP "CSV
injection"); on a terminal, escape sequences act (OSC 52 sets the clipboard, CSI 2J clears the
screen). Both functions return plain text; print it as text, never as rich markup.
"""
from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# ESC or its 8-bit form, then: CSI (`[` params, final byte), OSC/DCS/SOS/PM/APC (a string ended
# by BEL or ST), or one more character (two-byte escapes such as ESC c, which resets the terminal).
_ESCAPE = re.compile(
    r"(?:\x1b\[|\x9b)[\x20-\x3f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x7e]?")
# What is left of the control characters (C0, DEL, C1), and the bidirectional overrides and
# isolates that make a line display in an order other than its own ("Trojan Source").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def csv_cell(text: object) -> str:
    """`text` as a CSV cell a spreadsheet shows as text: a formula prefix gets a leading `'`."""
    text = _SURROGATE.sub("\ufffd", str(text))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def terminal_text(text: object) -> str:
    """`text` without escape sequences and control characters; tabs and newlines become spaces."""
    text = _SURROGATE.sub("\ufffd", str(text))
    if text.isprintable():
        return text
    text = _ESCAPE.sub("", text).replace("\t", " ").replace("\n", " ")
    return _CONTROL.sub("", text)
