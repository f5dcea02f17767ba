"""Student text on its way to a person: a terminal or a spreadsheet.

Names, ids, messages and printed output come from students. On a terminal their escape sequences
would act (OSC 52 sets the clipboard, CSI 2J clears the screen), so terminal_text removes every
escape sequence and shows other control characters as escapes; print the result as plain text,
never as rich markup. In a CSV cell a leading = + - @ TAB or CR makes spreadsheets run a formula,
so csv_cell prefixes such a cell with an apostrophe (the OWASP advice).
"""
from __future__ import annotations

import re

_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"            # CSI ... final byte
    r"|\x1b[\]PX^_][\s\S]*?(?:\x07|\x1b\\\\|$)"  # OSC, DCS, SOS, PM, APC ... terminated by BEL or ST
    r"|\x1b[@-Z\\\\-_]"                   # two-byte sequences
    r"|\x9b[0-?]*[ -/]*[@-~]"             # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][\s\S]*?(?:\x07|\x9c|$)")  # 8-bit OSC, DCS... terminated by BEL or ST
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def terminal_text(text: str, *, keep_newlines: bool = True) -> str:
    """text with escape sequences removed and other control characters shown as \\xNN."""
    text = _ESCAPE_SEQUENCE.sub("", str(text))
    keep = "\n\t" if keep_newlines else ""
    return "".join(c if c.isprintable() or c in keep else ascii(c)[1:-1] for c in text)


def csv_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA_START) else text
