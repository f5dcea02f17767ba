"""A student's notebook as the module it stands for: its code cells, in order, as Python text.

Read in the parent as text only (nbformat parses the JSON, every notebook format version
included); nothing of the notebook runs here. IPython syntax that is not Python is dropped with
a note naming the cell: line magics (`%matplotlib inline`), cell magics (`%%time`), shell escapes
(`!pip install ...`, `files = !ls`). Everything else is kept as written, top-level training code
included: the worker imports the module under a time budget and says so when it trains on import.
"""
from __future__ import annotations

import re

import nbformat

MAX_NOTEBOOK_BYTES = 50 * 2**20
"""Embedded plots make notebooks large; beyond this a notebook is not read."""
_IPYTHON_LINE = re.compile(r"^\s*(?:[%!]|\w+(?:\s*,\s*\w+)*\s*=\s*[%!])")
"""A line magic or shell escape, possibly assigned: `%time x`, `!ls`, `out = !ls`."""


class NotebookError(Exception):
    """The file is not a notebook nbformat can read."""


def notebook_to_module(data: bytes, name: str) -> tuple[str, list[str]]:
    """(module source, notes) for the notebook `name` whose bytes are `data`."""
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB; clear its outputs")
    try:
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError,
            nbformat.reader.NotJSONError) as e:
        raise NotebookError(f"{name} is not a notebook Jupyter can open ({type(e).__name__})") from None
    parts, notes = [], []
    number = 0
    for cell in notebook.cells:
        if cell.get("cell_type") != "code":
            continue
        number += 1
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        kept, dropped = _python_lines(source)
        for line in dropped:
            notes.append(f"{name} code cell {number}: dropped `{line.strip()[:60]}` (IPython syntax, not Python)")
        parts.append(f"# --- {name}, code cell {number} ---\n{kept}\n")
    return "\n".join(parts), notes


def _python_lines(source: str) -> tuple[str, list[str]]:
    """The cell without its IPython lines; a cell magic drops the whole cell."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [lines[0]]
    kept, dropped = [], []
    for line in lines:
        if _IPYTHON_LINE.match(line):
            dropped.append(line)
            kept.append("")  # keeps line numbers of the rest within the cell
        else:
            kept.append(line)
    return "\n".join(kept), dropped
