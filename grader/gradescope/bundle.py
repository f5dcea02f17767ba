"""`grade-gradescope`: build the autograder.zip that Gradescope's "Configure Autograder" page takes.

Gradescope's image never sees this repository, so the zip carries what grading needs: the grader
package (without its own assignments/), code_analyze, pyproject.toml and README.md, the data the
assignment's sets are made from, and the assignment itself under assignment/: its folder with
every file and folder its assignment.toml points to (reference, skeleton, hidden, tasks, public,
[handout] readme and files, data folders), laid out relative to their common ancestor, so the
toml's relative paths (even "../../../reference") hold inside the zip unchanged. setup.sh and
run_autograder sit at its root, with gradescope.json: the choices made here (the assignment's
folder inside the zip among them) that run_autograder reads. Entries are sorted and stamped with
one fixed time, so the same tree gives the same bytes.
"""
from __future__ import annotations

import argparse
import json
import os
import stat
import zipfile
from pathlib import Path

from grader import datasets
from grader.assignment import Assignment, load_assignment
from grader.errors import ConfigError, GraderError
from grader.output import write_atomic

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
SETTINGS_FILE = "gradescope.json"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
GRADESCOPE_TIMEOUT_S = 600
RESULTS_MARGIN_S = 30
"""Time run_autograder keeps back from Gradescope's timeout to write a could-not-grade result."""
ALWAYS = ("pyproject.toml", "README.md", "grader", "code_analyze")
LEFT_OUT = ("grader/assignments",)
"""The package's own assignment folders: the bundled one travels under assignment/."""
ASSIGNMENT_PREFIX = "assignment"
SKIP_NAMES = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".DS_Store"}
SKIP_SUFFIXES = {".pyc", ".pyo"}


def _outermost(paths: set[Path]) -> list[Path]:
    return sorted(p for p in paths if not any(q != p and q in p.parents for q in paths))


def assignment_paths(assignment: Assignment) -> list[Path]:
    """The assignment's folder and everything its toml points to, outermost first, no repeats."""
    spec = assignment.handout
    paths = {assignment.root, assignment.reference_dir, assignment.skeleton_dir, assignment.hidden_dir}
    paths |= {p for p in (assignment.tasks_path, assignment.public_dir, spec.readme, spec.files) if p is not None}
    for data in assignment.data.values():  # a folder the toml names, not a set the project provides
        folder = datasets.source_dir(data, assignment.root)
        if folder == (assignment.root / data.source).resolve():
            paths.add(folder)
    if not assignment.skeleton_dir.is_dir():
        raise ConfigError(f"{assignment.skeleton_dir}: no hand-out yet (grading compares with it); run "
                          f"grade-skeleton --assignment {assignment.root} first")
    return _outermost({p for p in paths if p.exists()})


def project_paths(assignment: Assignment) -> list[Path]:
    """Project-relative files and folders: the grader, and the data sets the project provides."""
    parts = {Path(p) for p in ALWAYS}
    for data in assignment.data.values():
        folder = datasets.source_dir(data, assignment.root)
        if folder != (assignment.root / data.source).resolve() and folder.is_relative_to(PROJECT_ROOT):
            parts.add(folder.relative_to(PROJECT_ROOT))
    return _outermost(parts)


def _walk(path: Path) -> list[Path]:
    """Regular files under path (or path itself), without caches, dot files and compiled files."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ConfigError(f"{path}: missing; the bundle needs it")
    found = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = [d for d in dirnames if d not in SKIP_NAMES and not d.startswith(".")]
        for name in filenames:
            full = Path(dirpath) / name
            if (name in SKIP_NAMES or full.suffix in SKIP_SUFFIXES or name.startswith(".")
                    or full.is_symlink() or not full.is_file()):
                continue
            found.append(full)
    return found


def _template(name: str, values: dict[str, str]) -> bytes:
    text = (HERE / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text.encode("utf-8")


def _entry(name: str, executable: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so unzip keeps the mode bits below
    info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
    return info


def bundle_files(assignment: Assignment, *, visibility: str | None = None,
                 time_limit_s: int = GRADESCOPE_TIMEOUT_S) -> dict[str, tuple[bytes, bool]]:
    """name -> (bytes, executable) of every entry of the autograder zip."""
    files: dict[str, tuple[bytes, bool]] = {}
    for root in project_paths(assignment):
        for path in _walk(PROJECT_ROOT / root):
            name = path.relative_to(PROJECT_ROOT).as_posix()
            if not any(name.startswith(left + "/") for left in LEFT_OUT):
                files[name] = (path.read_bytes(), False)
    paths = assignment_paths(assignment)
    ancestor = Path(os.path.commonpath(paths))
    for root in paths:
        for path in _walk(root):
            files[f"{ASSIGNMENT_PREFIX}/{path.relative_to(ancestor).as_posix()}"] = (path.read_bytes(), False)
    folder = Path(ASSIGNMENT_PREFIX, assignment.root.relative_to(ancestor)).as_posix()
    max_score = assignment.max_score
    settings = {"assignment": folder, "visibility": visibility, "max_score": max_score}
    scripts = {"MAX_SCORE": f"{max_score:g}", "BUDGET_S": str(max(time_limit_s - RESULTS_MARGIN_S, 1)),
               "ASSIGNMENT": folder}
    files["setup.sh"] = (_template("setup.sh", scripts), True)
    files["run_autograder"] = (_template("run_autograder", scripts), True)
    files[SETTINGS_FILE] = ((json.dumps(settings, indent=2, sort_keys=True) + "\n").encode(), False)
    return files


def build_bundle(out: Path, assignment: Assignment, **options) -> int:
    """Write the zip atomically; return the number of entries."""
    files = bundle_files(assignment, **options)
    tmp = Path(out).with_name(f".{Path(out).name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name in sorted(files):
                data, executable = files[name]
                zf.writestr(_entry(name, executable), data, compresslevel=9)
        write_atomic(out, tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)
    return len(files)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, through grader.cli
        raise GraderError(f"{message} (see grade-gradescope --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="grade-gradescope",
                description="Build the Gradescope autograder zip (setup.sh, run_autograder, the grader).")
    p.add_argument("--out", type=Path, default=Path("autograder.zip"), help="zip to write (default %(default)s)")
    p.add_argument("--assignment", type=Path, help="assignment folder (default: the MLP homework)")
    p.add_argument("--visibility", choices=VISIBILITIES,
                   help="visibility of every hidden test (default: the assignment's, after_due_date)")
    p.add_argument("--time-limit", type=int, default=GRADESCOPE_TIMEOUT_S, metavar="S",
                   help="the Gradescope assignment's autograder timeout in seconds (default %(default)s)")
    return p


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.time_limit <= RESULTS_MARGIN_S:
        raise GraderError(f"--time-limit must be more than {RESULTS_MARGIN_S} s, not {args.time_limit}")
    if args.out.is_dir():
        raise GraderError(f"{args.out}: is a folder; give the zip file to write, e.g. {args.out / 'autograder.zip'}")
    assignment = load_assignment(args.assignment)
    count = build_bundle(args.out, assignment, visibility=args.visibility, time_limit_s=args.time_limit)
    print(f"wrote {args.out} ({count} files); upload it on the assignment's Configure Autograder page")
    return 0
