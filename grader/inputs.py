"""What `grade` was given, as submissions with ids: every input accounted for.

A folder of archives, of submission folders, or an LMS download (grader/lms.py) becomes a list of
Input (one per student id, the newest when one id came twice) and a list of Rejected (each with
one line saying why: a bad id, a file that is no archive, an older duplicate). One bad name never
stops the others. Ids are file names under --out and cells in spreadsheets, so only a safe set is
accepted (check_id).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader import lms
from grader.archive import archive_kind, archive_stem, is_junk, one_line
from grader.assignment import Layout

MAX_ID_CHARS = 80
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]*")
RESERVED_NAMES = frozenset({"gradebook.csv", "report.html", "roster.csv", "canvas.csv", "moodle.csv"})
"""What --out holds beside the students' folders: no id may take one of these names (any case)."""
SUPPORTED = "a .zip, .tar.gz/.tgz or submission folder"
OTHER_ARCHIVES = {".rar", ".7z", ".gz", ".bz2", ".xz", ".zst", ".lz", ".z", ".cab", ".arj"}
"""Archives grade does not open: a student meant them as a submission (could not grade)."""


@dataclass(frozen=True)
class Input:
    """One submission to grade."""

    student_id: str
    path: Path
    """The archive or submission folder to grade."""
    source: str
    """How the TA names it: the path below the folder they gave."""
    layout: str = "plain"
    """Where the id came from: "plain" (the name itself), "moodle", "canvas" or "gradescope"."""
    submitted_at: dt.datetime | None = None
    """The LMS's submission time, when its layout gives one; else the file's time is used."""
    marked_late: bool = False
    name: str = ""
    email: str = ""
    notes: tuple[str, ...] = ()
    """About other files of the same student (older duplicates, files that are no archive)."""

    @property
    def sort_time(self) -> float:
        """When it was submitted, for "the newest wins": the LMS time, else the file's."""
        if self.submitted_at is not None:
            return self.submitted_at.timestamp()
        try:
            return self.path.stat().st_mtime
        except OSError:
            return 0.0


@dataclass(frozen=True)
class Rejected:
    """An input that is not graded, and why (one line)."""

    source: str
    reason: str
    student_id: str | None = None
    """Set when the id is known: a student whose only file is refused still gets a result."""
    submission: bool = True
    """False for a file that is no submission at all (a script, a spreadsheet beside the
    archives): named in the summary, but not counted as a submission that could not be graded."""


@dataclass
class Found:
    inputs: list[Input] = field(default_factory=list)
    """One per student id, sorted by id."""
    rejected: list[Rejected] = field(default_factory=list)
    """Not graded; those with an id and no Input get a could-not-grade result of their own."""
    noted: list[Rejected] = field(default_factory=list)
    """Files of a student who has an Input (an older duplicate, a PDF beside the zip): noted on it."""


def check_id(student_id: str) -> str | None:
    """Why `student_id` cannot name a student's results (None: it can)."""
    shown = one_line(student_id)[:MAX_ID_CHARS]
    if not _SAFE_ID.fullmatch(student_id):
        return (f"the id '{shown}' may hold only letters, digits and . _ @ + - and must start with a "
                "letter or digit; rename it to the student's id")
    if len(student_id) > MAX_ID_CHARS:
        return f"the id '{shown}...' is longer than {MAX_ID_CHARS} characters; rename it to the student's id"
    if student_id.lower() in RESERVED_NAMES:
        return f"the id '{shown}' is the name of a file grade writes; rename it to the student's id"
    return None


def is_submission_dir(path: Path, layout: Layout) -> bool:
    """A folder holding one submission (its code folder, or for a flat layout its code files)."""
    if layout.code_folder:
        return (path / layout.code_folder).is_dir()
    return any((path / name).is_file() for name in layout.files)


def input_of(path: Path, layout: Layout, source: str | None = None) -> list[Input | Rejected]:
    """One archive or folder, named by its own name (plain, Moodle or Canvas); an LMS folder
    gives the archives in it."""
    source = source or path.name
    named = lms.moodle_folder(path.name) if path.is_dir() else lms.lms_file(path.name)
    unsupported = not path.is_dir() and archive_kind(path) is None
    if unsupported and named is None and path.suffix.lower() not in OTHER_ARCHIVES:
        return [Rejected(source, f"not {SUPPORTED}", submission=False)]
    if named is not None:
        sid = named.student_id
    elif path.is_dir():
        sid = path.name
    else:
        sid = archive_stem(path.name) if not unsupported else re.sub(r"(\.tar)?\.[^.]*$", "", path.name)
    why = check_id(sid)
    if why:
        return [Rejected(source, why)]
    if named is not None and named.plugin != "file":
        return [Rejected(source, f"Moodle's {named.plugin} submissions are not graded, only files", sid)]
    if unsupported:  # a student's file: a .rar, a PDF alone
        return [Rejected(source, f"not {SUPPORTED}; ask for a .zip", sid)]
    found = Input(sid, path, source, named.layout if named else "plain", name=named.name if named else "",
                  marked_late=bool(named and named.marked_late))
    return _inside(found, layout) if named is not None and path.is_dir() else [found]


def _inside(folder: Input, layout: Layout) -> list[Input | Rejected]:
    """An LMS folder: the archives in it (the newest wins later) with its other files refused, or
    the folder itself when it holds the submission's files loose."""
    if is_submission_dir(folder.path, layout):
        return [folder]
    children = sorted(p for p in folder.path.iterdir() if not is_junk((p.name,)))
    archives = [p for p in children if p.is_file() and archive_kind(p)]
    if not archives:
        return [folder]
    return [replace(folder, path=p, source=f"{folder.source}/{p.name}") for p in archives] + [
        Rejected(f"{folder.source}/{p.name}", "submitted beside the archive; not graded", folder.student_id)
        for p in children if p not in archives]


def find_inputs(paths: list[Path], out_dir: Path, layout: Layout) -> Found:
    """Every input under `paths` (files or folders), each an Input or a Rejected."""
    items: list[Input | Rejected] = []
    skip = Path(out_dir).resolve()
    for path in paths:
        if path.is_file() or is_submission_dir(path, layout) or lms.moodle_folder(path.name):
            items += input_of(path, layout, str(path))
        elif (path / lms.GRADESCOPE_METADATA).is_file():
            items += _gradescope(path, layout)
        else:
            for child in sorted(path.iterdir()):
                if is_junk((child.name,)) or child.resolve() == skip:
                    continue
                if (child / lms.GRADESCOPE_METADATA).is_file():  # an export unzipped beside others
                    items += _gradescope(child, layout)
                else:
                    items += input_of(child, layout, f"{path.name}/{child.name}")
    return _newest_per_id(items)


def _gradescope(folder: Path, layout: Layout) -> list[Input | Rejected]:
    """Gradescope's export: each submission_<n>/ folder, with the id, name, email and time its
    metadata gives (the first submitter of a group; the others are noted)."""
    metadata_path = folder / lms.GRADESCOPE_METADATA
    if metadata_path.stat().st_size > lms.MAX_METADATA_BYTES:
        return [Rejected(str(metadata_path), f"larger than {lms.MAX_METADATA_BYTES // 2**20} MiB; not read")]
    submissions = lms.read_gradescope_metadata(metadata_path.read_text(encoding="utf-8", errors="replace"))
    items: list[Input | Rejected] = []
    for child in sorted(folder.iterdir()):
        source = f"{folder.name}/{child.name}"
        if child.name == lms.GRADESCOPE_METADATA or is_junk((child.name,)):
            continue
        meta = submissions.get(child.name)
        if meta is None or not child.is_dir():
            items.append(Rejected(source, f"not a submission {lms.GRADESCOPE_METADATA} lists"))
            continue
        first = meta.submitters[0] if meta.submitters else {}
        sid = next((c for c in (first.get("sid"), first.get("email"), child.name) if c and check_id(c) is None), None)
        if sid is None:
            items.append(Rejected(source, check_id(child.name) or "no usable id"))
            continue
        others = [one_line(s.get("name") or s.get("sid", "")) for s in meta.submitters[1:]]
        notes = (f"a group submission, also by {', '.join(others)}",) if others else ()
        items += _inside(Input(sid, child, source, "gradescope", meta.created_at, name=first.get("name", ""),
                               email=first.get("email", ""), notes=notes), layout)
    return items


def _newest_per_id(items: list[Input | Rejected]) -> Found:
    """One Input per id (ids differing only by case are one id: they share a folder on some disks);
    older ones and refused files of a graded id are noted on it, not graded."""
    by_id: dict[str, list[Input]] = {}
    for item in items:
        if isinstance(item, Input):
            by_id.setdefault(item.student_id.casefold(), []).append(item)
    found = Found()
    kept: dict[str, Input] = {}
    for key, group in by_id.items():
        group.sort(key=lambda i: (i.sort_time, i.source))
        newest, notes = group[-1], list(group[-1].notes)
        for old in group[:-1]:
            found.noted.append(Rejected(old.source, f"older than {newest.source}; graded that one", newest.student_id))
            notes.append(f"an older submission ({one_line(Path(old.source).name)}) was not graded")
        kept[key] = replace(newest, notes=tuple(notes))
    for item in items:
        if isinstance(item, Rejected):
            owner = kept.get((item.student_id or "").casefold())
            if owner is None:
                found.rejected.append(item)
            else:
                found.noted.append(item)
                kept[owner.student_id.casefold()] = replace(
                    owner, notes=owner.notes + (f"{one_line(Path(item.source).name)}: {item.reason}",))
    found.inputs = sorted(kept.values(), key=lambda i: i.student_id)
    return found


def content_hash(path: Path) -> str:
    """sha256 of an archive's bytes, or of a folder's file names and contents (links by target)."""
    digest = hashlib.sha256()
    if path.is_file():
        _hash_file(digest, path)
        return digest.hexdigest()
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path).as_posix().encode("utf-8", "surrogateescape")
        if p.is_symlink():
            digest.update(b"L" + rel + b"\0" + str(p.readlink()).encode("utf-8", "surrogateescape") + b"\0")
        elif p.is_file():
            digest.update(b"F" + rel + b"\0")
            _hash_file(digest, p)
    return digest.hexdigest()


def _hash_file(digest, path: Path) -> None:
    with open(path, "rb") as f:
        while chunk := f.read(2**20):
            digest.update(chunk)
    digest.update(b"\0")



def input_to_json(item: Input) -> str:
    """The record a batch hands its child `grade` (grade --input-record)."""
    return json.dumps({"student_id": item.student_id, "path": str(item.path), "source": item.source,
                       "layout": item.layout, "marked_late": item.marked_late, "name": item.name,
                       "email": item.email, "notes": list(item.notes),
                       "submitted_at": item.submitted_at.isoformat() if item.submitted_at else None})


def input_from_json(text: str) -> Input:
    d = json.loads(text)
    when = d.get("submitted_at")
    return Input(d["student_id"], Path(d["path"]), d["source"], d["layout"],
                 dt.datetime.fromisoformat(when) if when else None, bool(d["marked_late"]), d["name"], d["email"],
                 tuple(d["notes"]))
