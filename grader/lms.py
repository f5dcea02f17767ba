"""The download layouts of learning-management systems: who submitted what, and when.

    Moodle     "Download all submissions", as folders:  Jane Doe_1234567_assignsubmission_file_/hw1.zip
               or flat (folders option off):            Jane Doe_1234567_assignsubmission_file_hw1.zip
               The number is Moodle's participant id (also with blind marking: "Participant_1234567_...").
    Canvas     "Download Submissions":                  smithjane_12345_67890_hw1.zip, smithjane_late_12345_67890_hw1.zip
               <login>_[late_]<Canvas user id>_<attachment id>_<file name as uploaded>.
    Gradescope "Export Submissions":                    submission_metadata.yml beside submission_<n>/ folders;
               the YAML maps each folder to its :submitters: (:name:, :sid:, :email:) and :created_at:.

submission_metadata.yml is read by a small reader of the block YAML subset Gradescope writes (the
few keys above; every other subtree, such as :results: and :history:, is skipped by indentation)
rather than adding PyYAML as a dependency for three keys. docs/batch.md lists the sources.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field

GRADESCOPE_METADATA = "submission_metadata.yml"
MAX_METADATA_BYTES = 64 * 2**20

_MOODLE_FOLDER = re.compile(r"(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?")
_MOODLE_FILE = re.compile(r"(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)")
# the login is made from the student's name: at least one letter, no underscore
_CANVAS_FILE = re.compile(r"(?P<login>[^_]*[^\W\d_][^_]*)_(?:(?P<late>late|LATE)_)?(?P<id>\d+)_(?P<attachment>\d+)_(?P<file>.+)")


@dataclass(frozen=True)
class LmsName:
    """What an LMS's file or folder name says about a submission."""

    layout: str
    """"moodle" or "canvas"."""
    student_id: str
    name: str = ""
    """The student's name where the layout gives one (Moodle)."""
    file: str = ""
    """The uploaded file's own name, for a file (not a folder)."""
    plugin: str = "file"
    """Moodle's submission plugin: "file"; "onlinetext" holds typed text, not files."""
    marked_late: bool = False


def moodle_folder(name: str) -> LmsName | None:
    m = _MOODLE_FOLDER.fullmatch(name)
    return m and LmsName("moodle", m["id"], name=m["name"].strip(), plugin=m["plugin"])


def lms_file(name: str) -> LmsName | None:
    """A Moodle (flat) or Canvas file name, else None."""
    m = _MOODLE_FILE.fullmatch(name)
    if m:
        return LmsName("moodle", m["id"], name=m["name"].strip(), file=m["file"], plugin=m["plugin"])
    m = _CANVAS_FILE.fullmatch(name)
    if m:
        return LmsName("canvas", m["id"], file=m["file"], marked_late=bool(m["late"]))
    return None


# --- Gradescope's submission_metadata.yml ------------------------------------------------------

@dataclass
class GradescopeSubmission:
    folder: str
    submitters: list[dict[str, str]] = field(default_factory=list)
    """Each with "name", "sid", "email" (as given; any may be missing)."""
    created_at: dt.datetime | None = None


_KEY_VALUE = re.compile(r"(?P<key>:?[\w-]+):(?:\s+(?P<value>.*))?")
_TIMESTAMP = re.compile(r"(\d{4}-\d\d-\d\d)[Tt ]+(\d\d?:\d\d:\d\d)(\.\d+)?\s*(Z|[+-]\d\d?(?::?\d\d)?)?")


def scalar(text: str | None) -> str:
    """A YAML scalar on one line: 'single' ('' escapes), "double" (JSON escapes), or plain."""
    text = (text or "").strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        try:
            return str(json.loads(text))
        except ValueError:
            return text[1:-1]
    text = re.split(r"\s#", text, maxsplit=1)[0].strip()
    return "" if text in ("~", "null") else text


def timestamp(text: str) -> dt.datetime | None:
    """A YAML timestamp ("2026-10-01 23:59:00.123 -07:00"); no offset means UTC, as YAML says."""
    m = _TIMESTAMP.fullmatch(scalar(text))
    if not m:
        return None
    offset = (m[4] or "Z").replace("Z", "+00:00")
    if ":" not in offset:
        offset = offset[:-2] + ":" + offset[-2:]
    if len(offset.split(":")[0]) == 2:  # "+7:00" -> "+07:00"
        offset = offset[0] + "0" + offset[1:]
    try:
        return dt.datetime.fromisoformat(f"{m[1]}T{m[2].zfill(8)}{(m[3] or '')[:7]}{offset}")
    except ValueError:
        return None


def read_gradescope_metadata(text: str) -> dict[str, GradescopeSubmission]:
    """folder -> its submission, from the text of submission_metadata.yml."""
    found: dict[str, GradescopeSubmission] = {}
    current: GradescopeSubmission | None = None
    items_at = in_submitters = None  # the indent of the submitters' "- " items, once seen
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped or stripped.startswith("#") or stripped == "---":
            continue
        if indent == 0:
            current, in_submitters, items_at = None, False, None
            if stripped.endswith(":"):
                current = found.setdefault(scalar(stripped[:-1]), GradescopeSubmission(scalar(stripped[:-1])))
            continue
        if current is None:
            continue
        if in_submitters and stripped.startswith("- ") and indent == (items_at or indent):
            items_at = indent
            current.submitters.append({})
            stripped, indent = stripped[2:].lstrip(" "), indent + 2
        m = _KEY_VALUE.fullmatch(stripped)
        if in_submitters and items_at is not None and indent == items_at + 2 and m and current.submitters:
            current.submitters[-1][m["key"].lstrip(":")] = scalar(m["value"])
        elif indent == 2 and m:
            in_submitters, items_at = m["key"] == ":submitters", None
            if m["key"] == ":created_at":
                current.created_at = timestamp(m["value"] or "")
        elif indent <= 2:
            in_submitters = False
    return found
