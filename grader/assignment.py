"""An assignment is a folder: `assignment.toml` declares everything the core used to assume.

    assignment.toml   this file's schema (below); paths in it are relative to the folder
    reference/        exactly what a correct student submits, laid out at the submission's root
    skeleton/         the hand-out, generated from reference/ by grade-skeleton
    hidden/           the hidden pytest suite
    tasks/            optional: trusted code that runs inside the worker next to the student's
    public/           optional: self-checks shipped to students in the hand-out
    handout/          optional: the hand-out README template and files shipped as they are

The core (intake, sandbox, worker, plugin, run, batch, renderers, skeleton, similarity, the
Gradescope bundle) reads these declarations and names no course, file or data set of its own.
docs/authoring.md walks through every key; `grade-skeleton --assignment DIR --validate` checks a
folder end to end.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from code_analyze.blocks import DEFAULT_MARKERS, Markers
from grader.errors import ConfigError

ASSIGNMENTS_DIR = Path(__file__).resolve().parent / "assignments"
DEFAULT_ASSIGNMENT_DIR = ASSIGNMENTS_DIR / "mlp"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
FRESH_WORKER = ("submission", "module", "test")
DEFAULT_REFUSED = ("torch", "torchvision", "tensorflow", "keras", "jax", "jaxlib", "flax", "sklearn", "mxnet",
                   "paddle", "theano", "chainer", "cupy", "caffe", "caffe2", "lasagne", "tinygrad", "mindspore",
                   "oneflow", "onnxruntime", "autograd")
"""Deep-learning frameworks: a numpy homework refuses them at import unless its [sandbox] says otherwise."""
DATA_FORMATS = ("idx", "pkl.gz", "hdf5", "json")


@dataclass(frozen=True)
class Limits:
    """Per-request limits of the sandboxed worker; `grade --timeout/--memory` override some."""

    call_timeout_s: float = 10.0
    """Wall clock for one proxy call (construct, method, attribute)."""
    task_timeout_s: float = 240.0
    """Wall clock for one run_task (e.g. a training run)."""
    import_timeout_s: float = 10.0
    """Wall clock for importing one student module (top-level code included)."""
    memory_mb: int = 2048
    """Address-space limit of the worker (RLIMIT_AS)."""
    cpu_s: int = 900
    """CPU seconds for the worker's whole life (RLIMIT_CPU)."""
    max_processes: int = 64
    max_file_mb: int = 64
    max_open_files: int = 256
    max_output_kb: int = 64
    """Student prints kept per call; the rest is dropped."""

    def replace(self, **changes) -> "Limits":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


@dataclass(frozen=True)
class Layout:
    """[submission]: how a student's hand-in is laid out and what it must hold."""

    code_folder: str
    """Folder of the code files under the submission's root ("codes"); "" when they sit at the root."""
    files: tuple[str, ...]
    """Every code file the grader knows: required, optional and given (the worker imports their stems)."""
    required: tuple[str, ...]
    given: tuple[str, ...]
    """Files graded from the hand-out's copy: a missing one is supplied, a changed one replaced (with a note)."""
    missing: dict[str, str]
    """File -> the note shown when it is absent (required files get a default one)."""
    report: tuple[str, ...]
    """Accepted report names at the root (any one); () when no report is expected."""
    report_note: str
    integrity: str
    """Integrity file at the root (e.g. summary.txt, checked by the hidden tests); "" for none."""
    integrity_note: str
    notebooks: bool
    """A .ipynb may stand in for a .py of the same name (its code cells become the module)."""

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(Path(f).stem for f in self.files if f.endswith(".py"))

    def holds_code(self, folder: Path) -> bool:
        """Whether a folder holds a submission's code: its code folder, or for a flat layout any of its files."""
        if self.code_folder:
            return (folder / self.code_folder).is_dir()
        notebooks = tuple(n[:-3] + ".ipynb" for n in self.files if n.endswith(".py")) if self.notebooks else ()
        return any((folder / name).is_file() for name in self.files + notebooks)

    def shown(self, name: str) -> str:
        """How a file is named to students: `codes/layers.py`, or `layers.py` when flat."""
        return f"{self.code_folder}/{name}" if self.code_folder else name


@dataclass(frozen=True)
class HandoutSpec:
    """[handout]: how grade-skeleton turns reference/ into skeleton/."""

    name: str
    """Top folder of the published zip."""
    markers: Markers
    """Regular expressions of a block's first and last line (kept in the hand-out), of a
    reference line, and of the hand-out lines students must keep (code_analyze.blocks.Markers)."""
    stub: str
    """What replaces a block's body: a Python statement with {qualname}, {function} and {class} filled in."""
    banner: bool
    """Comment and blank lines at the start and end of a block's body belong to the markers' banner
    and stay in the hand-out; the stub replaces the code between them."""
    pass_in: tuple[str, ...]
    """Functions whose blocks become `pass` instead (they run while merely building objects)."""
    readme: Path | None
    """README template ($variables, see docs/authoring.md); None: no README is generated."""
    files: Path | None
    """A folder copied into the hand-out as it is (data notes, helper files)."""
    data: tuple[str, ...]
    """Data sets ([data.*] names) the published zip carries in data/."""
    code_analyze: bool
    """Ship code_analyze/ with a pristine copy of the code, for the integrity file."""


@dataclass(frozen=True)
class ValidateSpec:
    """[validate]: what `grade-skeleton --validate` allows and leaves out."""

    cross_cutting: tuple[str, ...] = ()
    """Tests that use several classes together (a worked example, a training run): any block's
    stub may cost them, besides the tests of the block's own `[points."<file>:<Class>"]` group."""
    skip_in_variants: tuple[str, ...] = ()
    """Expensive tests left out when grading the block-broken variants (the reference and the
    skeleton still run them)."""


@dataclass(frozen=True)
class SandboxSpec:
    """[sandbox]: what the student's code may reach inside the worker."""

    packages: tuple[str, ...]
    """Importable packages beyond numpy and the standard library."""
    refused: tuple[str, ...]
    """Top-level packages refused at import (frameworks the homework forbids)."""
    data: tuple[str, ...]
    """Data sets ([data.*] names) visible read-only beside the code, test labels removed."""
    fresh_worker: str
    """"submission": one worker for the whole suite; "module" / "test": a fresh one for each."""


@dataclass(frozen=True)
class DataSpec:
    """[data.<name>]: a data set made from a source the project ships, in a course's format."""

    name: str
    source: str
    """"mnist" (data/mnist), "fashion-mnist" (Debian's package), or a folder of IDX files."""
    format: str
    """One of DATA_FORMATS: how the hand-out ships it and the worker sees it."""
    files: tuple[str, ...]
    """File names, e.g. ("mnist_subset.json",) or the HDF5 train and test files."""
    sizes: dict[str, int]
    """Rows per split, e.g. {"train": 10000, "valid": 1000, "test": 1000}; absent: the format's own."""


@dataclass(frozen=True)
class LatePolicy:
    """[late]: what a late submission costs (grader/late.py applies it; docs/batch.md)."""

    deadline: dt.datetime
    """With its UTC offset, e.g. 2026-10-01T23:59:00+08:00."""
    penalty_per_day: float = 0.0
    """Fraction of the score lost per day or part of a day late (0.1: 10 % a day)."""
    penalty_per_hour: float = 0.0
    """Or per hour or part of an hour late; at most one of the two is set."""
    cap: float = 1.0
    """The largest fraction lateness can cost (0.5: a late submission keeps at least half)."""


@dataclass(frozen=True)
class Assignment:
    name: str
    title: str
    root: Path
    reference_dir: Path
    """A correct submission, laid out as students hand it in (trusted: imported in the parent only)."""
    skeleton_dir: Path
    hidden_dir: Path
    tasks_path: Path | None
    """Trusted worker-side code: a .py file or a folder of modules (imported as `tasks`)."""
    public_dir: Path | None
    layout: Layout
    handout: HandoutSpec
    sandbox: SandboxSpec
    data: dict[str, DataSpec]
    limits: Limits
    points: dict[str, float] = field(default_factory=dict)
    """Test function name -> points: the one table of points (assignment.toml [points])."""
    point_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Group name -> its tests, in table order. `[points."<file>:<Class>"]` groups cover the blocks of
    that class (the hand-out README shows each group's sum); tests directly under [points] have none."""
    visibility: dict[str, str] = field(default_factory=dict)
    default_visibility: str = "after_due_date"
    settings: dict = field(default_factory=dict)
    """Free-form [settings] for the hidden tests (thresholds, configurations)."""
    validate: ValidateSpec = field(default_factory=ValidateSpec)
    late: LatePolicy | None = None
    """[late]; None: lateness is neither measured nor charged."""
    gradebook_notes: dict[str, str] = field(default_factory=dict)
    """[gradebook] notes: test -> the short note the gradebook's notes column shows when that test does
    not pass (e.g. test_todo_markers_unchanged = "edits outside TODO blocks")."""

    @property
    def reference_code(self) -> Path:
        """The reference's code folder (what the reference fixture imports)."""
        return self.reference_dir / self.layout.code_folder

    @property
    def pristine_dir(self) -> Path:
        """The hand-out's code folder: what integrity files, given files and changes are checked against."""
        return self.skeleton_dir / self.layout.code_folder

    @property
    def bonus_tests(self) -> frozenset[str]:
        """[settings] bonus_tests: tests whose points come on top of the maximum."""
        return frozenset(self.settings.get("bonus_tests", ()))

    @property
    def max_score(self) -> float:
        """The points at stake, bonus tests left out."""
        return round(sum(v for k, v in self.points.items() if k not in self.bonus_tests), 6)


class _Reader:
    """Reads one table of assignment.toml, naming the file and key in every error."""

    def __init__(self, data: dict, label: str, path: tuple[str, ...] = ()):
        self.data, self.label, self.path = data, label, path

    def _fail(self, key: str, why: str) -> ConfigError:
        where = f"[{'.'.join(self.path)}] " if self.path else ""
        return ConfigError(f"{self.label}: {where}{key} {why}")

    def table(self, key: str) -> "_Reader":
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self._fail(key, "must be a table")
        return _Reader(value, self.label, self.path + (key,))

    def str(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self._fail(key, f"= {value!r} must be a string")
        return value

    def bool(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, f"= {value!r} must be true or false")
        return value

    def strs(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, f"= {value!r} must be a list of strings")
        return tuple(value)

    def str_table(self, key: str) -> dict[str, str]:
        value = self.data.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self._fail(key, "must be a table of strings")
        return dict(value)

    def unknown(self, known: set[str]) -> None:
        extra = sorted(set(self.data) - known)
        if extra:
            raise self._fail(extra[0], f"is not a known key (known: {', '.join(sorted(known))})")


def _path(root: Path, value: str) -> Path:
    return (root / value).resolve()


def _read_layout(t: _Reader) -> Layout:
    t.unknown({"code_folder", "required", "optional", "given", "missing", "report", "report_note",
               "integrity", "integrity_note", "notebooks"})
    folder = t.str("code_folder", "").strip("/")
    required, optional, given = t.strs("required"), t.strs("optional"), t.strs("given")
    files = tuple(dict.fromkeys(required + optional + given))
    if not files:
        raise ConfigError(f"{t.label}: [submission] lists no files; name them in required, optional or given")
    shown = (lambda n: f"{folder}/{n}" if folder else n)
    missing = {name: f"{shown(name)} is missing" for name in required}
    missing.update(t.str_table("missing"))
    report = t.strs("report")
    integrity = t.str("integrity", "")
    return Layout(
        code_folder=folder, files=files, required=required, given=given, missing=missing, report=report,
        report_note=t.str("report_note", f"no report ({' or '.join(report)}) at the top of the submission"),
        integrity=integrity,
        integrity_note=t.str("integrity_note", f"no {integrity} at the top of the submission"),
        notebooks=t.bool("notebooks", False))


STUB_FIELDS = {"qualname": "Class.method", "function": "method", "class": "Class"}


def _read_handout(t: _Reader, root: Path, name: str) -> HandoutSpec:
    t.unknown({"name", "markers", "stub", "banner", "pass_in", "readme", "files", "data", "code_analyze"})
    markers = _read_markers(t)
    stub = t.str("stub", 'raise NotImplementedError("{qualname}")')
    try:
        stub.format_map(STUB_FIELDS)
    except (KeyError, IndexError, ValueError, AttributeError) as e:
        raise ConfigError(f"{t.label}: [handout] stub = {stub!r} cannot be filled ({type(e).__name__}: {e}); "
                          "use {qualname}, {function} or {class}, and {{ }} for literal braces") from None
    readme, files = t.str("readme", ""), t.str("files", "")
    return HandoutSpec(
        name=t.str("name", name), markers=markers, stub=stub, banner=t.bool("banner", False),
        pass_in=t.strs("pass_in", ("__init__", "__repr__", "__str__", "__del__")),
        readme=_path(root, readme) if readme else None, files=_path(root, files) if files else None,
        data=t.strs("data"), code_analyze=t.bool("code_analyze", False))


def _read_markers(t: _Reader) -> Markers:
    """[handout] markers: a table (start, end, reference, protected), or [start, end]; each a
    regular expression matched at the start of a line. Default: `# TODO START` / `# TODO END`."""
    value = t.data.get("markers")
    if value is None:
        return DEFAULT_MARKERS
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
        markers = Markers(start=value[0], end=value[1], protected=None)
    elif isinstance(value, dict) and set(value) <= {"start", "end", "reference", "protected"} \
            and all(isinstance(v, str) for v in value.values()):
        markers = Markers(**value)
    else:
        raise ConfigError(f"{t.label}: [handout] markers must be [start, end] or a table of start, end, "
                          "reference, protected: regular expressions")
    for field_name in ("start", "end", "reference", "protected"):
        pattern = getattr(markers, field_name)
        try:
            re.compile(pattern or "")
        except re.error as e:
            raise ConfigError(f"{t.label}: [handout] markers {field_name} {pattern!r} is not a regular "
                              f"expression ({e})") from None
    return markers


def _read_validate(t: _Reader) -> ValidateSpec:
    t.unknown({"cross_cutting", "skip_in_variants"})
    return ValidateSpec(cross_cutting=t.strs("cross_cutting"), skip_in_variants=t.strs("skip_in_variants"))


def _read_sandbox(t: _Reader) -> SandboxSpec:
    t.unknown({"packages", "refused", "data", "fresh_worker"})
    fresh = t.str("fresh_worker", "submission")
    if fresh not in FRESH_WORKER:
        raise ConfigError(f"{t.label}: [sandbox] fresh_worker = {fresh!r}; use one of {', '.join(FRESH_WORKER)}")
    return SandboxSpec(packages=t.strs("packages"), refused=t.strs("refused", DEFAULT_REFUSED),
                       data=t.strs("data"), fresh_worker=fresh)


def _read_data(t: _Reader) -> dict[str, DataSpec]:
    specs = {}
    for name in t.data:
        d = t.table(name)
        d.unknown({"source", "format", "files", "sizes"})
        fmt = d.str("format", "idx")
        if fmt not in DATA_FORMATS:
            raise ConfigError(f"{t.label}: [data.{name}] format = {fmt!r}; use one of {', '.join(DATA_FORMATS)}")
        sizes = d.data.get("sizes", {})
        if not isinstance(sizes, dict) or not all(isinstance(v, int) and v > 0 for v in sizes.values()):
            raise ConfigError(f"{t.label}: [data.{name}] sizes must map split names to positive row counts")
        source = d.str("source", "")
        if not source:
            raise ConfigError(f"{t.label}: [data.{name}] needs a source: \"mnist\" (the shipped data/mnist), "
                              "\"fashion-mnist\", or a folder of IDX files")
        specs[name] = DataSpec(name, source, fmt, d.strs("files"), dict(sizes))
    return specs


def _read_late(t: _Reader) -> LatePolicy | None:
    if not t.data:
        return None
    t.unknown({"deadline", "penalty_per_day", "penalty_per_hour", "cap"})
    deadline = t.data.get("deadline")
    if isinstance(deadline, str):
        try:
            deadline = dt.datetime.fromisoformat(deadline)
        except ValueError:
            deadline = None
    if not isinstance(deadline, dt.datetime) or deadline.tzinfo is None:
        raise ConfigError(f"{t.label}: [late] deadline must be a date and time with its UTC offset, "
                          'e.g. deadline = "2026-10-01T23:59:00+08:00"')
    numbers = {}
    for key, default in (("penalty_per_day", 0.0), ("penalty_per_hour", 0.0), ("cap", 1.0)):
        value = t.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise t._fail(key, f"= {value!r} must be a fraction between 0 and 1 (0.1 is 10 %)")
        numbers[key] = float(value)
    if numbers["penalty_per_day"] and numbers["penalty_per_hour"]:
        raise ConfigError(f"{t.label}: [late] sets both penalty_per_day and penalty_per_hour; keep one")
    return LatePolicy(deadline=deadline, **numbers)


def _read_gradebook(t: _Reader) -> dict[str, str]:
    t.unknown({"notes"})
    return t.str_table("notes")


def load_assignment(path: Path | str | None = None) -> Assignment:
    root = Path(path).resolve() if path else DEFAULT_ASSIGNMENT_DIR
    toml_path = root / "assignment.toml"
    label = str(toml_path)
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        raise ConfigError(f"{toml_path}: no assignment.toml; pass --assignment a folder that has one") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{toml_path}: not valid TOML ({e}); fix the file") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{toml_path}: not UTF-8 text ({e.reason}); save it as UTF-8") from None
    top = _Reader(data, label)
    top.unknown({"name", "title", "reference", "skeleton", "hidden", "tasks", "public", "submission", "handout",
                 "sandbox", "data", "limits", "points", "visibility", "default_visibility", "settings",
                 "validate", "late", "gradebook"})
    try:
        limits = Limits(**top.table("limits").data)
    except TypeError as e:
        raise ConfigError(f"{toml_path}: [limits] has an unknown key ({e})") from None
    name = top.str("name", root.name)
    tasks, public = top.str("tasks", ""), top.str("public", "")
    points, groups = _read_points(data.get("points", {}), toml_path)
    assignment = Assignment(
        name=name, title=top.str("title", name), root=root,
        reference_dir=_path(root, top.str("reference", "reference")),
        skeleton_dir=_path(root, top.str("skeleton", "skeleton")),
        hidden_dir=_path(root, top.str("hidden", "hidden")),
        tasks_path=_path(root, tasks) if tasks else None,
        public_dir=_path(root, public) if public else None,
        layout=_read_layout(top.table("submission")),
        handout=_read_handout(top.table("handout"), root, name),
        sandbox=_read_sandbox(top.table("sandbox")),
        data=_read_data(top.table("data")),
        limits=limits, points=points, point_groups=groups,
        visibility=top.str_table("visibility"),
        default_visibility=top.str("default_visibility", "after_due_date"),
        settings=dict(top.table("settings").data),
        validate=_read_validate(top.table("validate")),
        late=_read_late(top.table("late")),
        gradebook_notes=_read_gradebook(top.table("gradebook")),
    )
    _check(assignment, label)
    return assignment


def _check(a: Assignment, label: str) -> None:
    for what, p in (("reference", a.reference_dir), ("hidden", a.hidden_dir)):
        if not p.is_dir():
            raise ConfigError(f"{label}: {what} folder {p} does not exist")
    if a.tasks_path is not None and not a.tasks_path.exists():
        raise ConfigError(f"{label}: tasks {a.tasks_path} does not exist")
    for v in (a.default_visibility, *a.visibility.values()):
        if v not in VISIBILITIES:
            raise ConfigError(f"{label}: visibility {v!r} is not one of {', '.join(VISIBILITIES)}")
    for names, where in ((a.sandbox.data, "[sandbox] data"), (a.handout.data, "[handout] data")):
        unknown = sorted(set(names) - set(a.data))
        if unknown:
            raise ConfigError(f"{label}: {where} names {unknown[0]!r}, which no [data.{unknown[0]}] table declares")
    for names, where in ((a.bonus_tests, "[settings] bonus_tests"), (a.gradebook_notes, "[gradebook] notes"),
                         (a.validate.cross_cutting, "[validate] cross_cutting"),
                         (a.validate.skip_in_variants, "[validate] skip_in_variants")):
        unknown = sorted(set(names) - set(a.points))
        if unknown:
            raise ConfigError(f"{label}: {where} names {', '.join(unknown)}, which [points] "
                              "does not list; fix the name or add its points")


def _read_points(table: dict, toml_path: Path) -> tuple[dict[str, float], dict[str, tuple[str, ...]]]:
    """Flatten [points]: plain `test = n` entries and `[points."group"]` sub-tables of them."""
    points: dict[str, float] = {}
    groups: dict[str, tuple[str, ...]] = {}

    def add(test: str, value) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{toml_path}: [points] {test} = {value!r} is not a number")
        if test in points:
            raise ConfigError(f"{toml_path}: [points] lists {test} twice; keep one")
        points[test] = float(value)

    for key, value in table.items():
        if isinstance(value, dict):
            for test, n in value.items():
                add(test, n)
            groups[key] = tuple(value)
        else:
            add(key, value)
    return points, groups
