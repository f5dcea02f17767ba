"""Data sets an assignment declares ([data.<name>]), made from what the project ships.

    source  "mnist" (data/mnist), "fashion-mnist" (Debian's dataset-fashion-mnist), or a folder
            of the four IDX files, relative to the assignment folder
    format  idx | json | pkl.gz | hdf5 (formats.py says what each file holds)
    files   the file names (default: the course's own, e.g. mnist_subset.json)
    sizes   rows per split (default: the course's own, e.g. json 10000 / 1000 / 1000)

Train and valid are consecutive rows of the source's training images (train first, then valid),
test the first rows of its test images. Every file is written from the source's uint8 bytes, so
the parent always knows the exact numbers a student's file holds. Three views of one set:
- load_splits: {split: Split(uint8 images (N, 784), int64 labels)} for the hidden tests, in the
  parent only; as_stored=True gives the arrays exactly as the hand-out's file holds them.
- handout_files: file name -> path, for the published hand-out's data/ (with the source's
  licence note, MNIST-README.md for MNIST).
- worker_files: what the sandbox binds read-only beside the student's code: the same files with
  every TEST label removed (json: test y = [-1] * n; pkl.gz: test y all -1; hdf5: test ydata all
  zeros; idx: no t10k-labels file). Test labels never enter the worker.
Files are built once per machine into the cache (cache.py, keyed by content: format, names,
sizes, the source files' sha256 and WRITER_VERSION) and read from there; a cache hit costs a
hash of the source files and one .npz read. `python -m grader.datasets --assignment DIR` builds
an assignment's sets ahead of time (e.g. in Gradescope's setup.sh).
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from grader.assignment import DATA_FORMATS, DataSpec
from grader.data import FASHION_MNIST_DIR, IDX_FILES, REPO_MNIST_DIR, find_idx, load_mnist_pixels
from grader.datasets.cache import Entry, content_key, file_sha256, obtain, read_npz, write_npz
from grader.datasets.formats import FORMATS, Format, Split
from grader.errors import ConfigError

__all__ = ["Split", "Entry", "source_dir", "build", "load_splits", "handout_files", "worker_files"]
WRITER_VERSION = 1
"""Part of every cache key: bump it when a writer's output changes."""
SPLITS_FILE = "splits.npz"
VIEWS = {"handout": False, "worker": True}
"""An entry's folders, and whether the view loses its test labels."""


class _Plan(NamedTuple):
    fmt: Format
    names: tuple[str, ...]
    sizes: dict[str, int | None]
    sources: tuple[Path, ...]
    """The source's four IDX files."""
    label: str
    """How errors name the declaration: `<toml>: [data.<name>]`."""


def source_dir(spec: DataSpec, root: Path) -> Path:
    """The IDX folder a set is made from: "mnist", "fashion-mnist", or a folder relative to root."""
    if spec.source == "mnist":
        return REPO_MNIST_DIR
    if spec.source == "fashion-mnist":
        return FASHION_MNIST_DIR
    return (root / spec.source).resolve()


def _plan(spec: DataSpec, root: Path) -> _Plan:
    label = f"{root / 'assignment.toml'}: [data.{spec.name}]"
    if spec.format not in FORMATS:
        raise ConfigError(f"{label} format = {spec.format!r}; use one of {', '.join(DATA_FORMATS)}")
    fmt = FORMATS[spec.format]
    names = spec.files or fmt.files
    if len(names) != len(fmt.files) or len(set(names)) != len(names) or any(
            n in ("", ".", "..") or Path(n).name != n for n in names):
        raise ConfigError(f"{label} files must be {len(fmt.files)} distinct plain file names for format "
                          f"{spec.format} (default: {', '.join(fmt.files)})")
    unknown = sorted(set(spec.sizes) - set(fmt.splits))
    if unknown:
        raise ConfigError(f"{label} sizes names split {unknown[0]!r}; format {spec.format} has "
                          f"{', '.join(fmt.splits)}")
    folder = source_dir(spec, root)
    if not folder.is_dir():
        fix = ("install it with `apt-get install dataset-fashion-mnist`" if spec.source == "fashion-mnist"
               else "set source to \"mnist\", \"fashion-mnist\" or a folder of the four MNIST IDX files")
        raise ConfigError(f"{label} source {spec.source!r}: {folder} does not exist; {fix}")
    try:
        sources = tuple(find_idx(folder, name) for name in IDX_FILES)
    except ConfigError as e:
        raise ConfigError(f"{label} source {spec.source!r}: {e}") from None
    return _Plan(fmt, names, {**fmt.sizes, **spec.sizes}, sources, label)


def build(spec: DataSpec, root: Path) -> Entry:
    """The set's cache entry (entry.json, splits.npz, handout/, worker/), built unless it exists."""
    plan = _plan(spec, root)
    description = {"writer": WRITER_VERSION, "format": spec.format, "files": list(plan.names), "sizes": plan.sizes,
                   "source": [[p.name, file_sha256(p)] for p in plan.sources]}
    key = content_key(description)
    return obtain(f"{spec.format.replace('.', '')}-{key[:16]}", description, lambda folder: _write(plan, folder))


def _write(plan: _Plan, folder: Path) -> None:
    train_x, train_y, test_x, test_y = load_mnist_pixels(plan.sources[0].parent)
    splits = _cut(plan, Split(train_x, train_y), Split(test_x, test_y))
    write_npz(folder / SPLITS_FILE, {f"{name}_{part}": array for name, split in splits.items()
                                     for part, array in zip(Split._fields, split)})
    for view, worker in VIEWS.items():
        (folder / view).mkdir()
        plan.fmt.write(splits, plan.names, folder / view, plan.sources, worker)


def _cut(plan: _Plan, train: Split, test: Split) -> dict[str, Split]:
    """Train then valid from the training images, in order; test from the test images."""
    splits = {}
    for kind, (images, labels), names in (("training", train, plan.fmt.splits[:-1]), ("test", test, ("test",))):
        begin = 0
        for split in names:
            n = plan.sizes[split] if plan.sizes[split] is not None else len(images) - begin
            if begin + n > len(images):
                asked = " + ".join(f"{s} {plan.sizes[s]}" for s in names if plan.sizes[s] is not None)
                raise ConfigError(f"{plan.label} sizes ask for {asked} rows, but {plan.sources[0].parent} has "
                                  f"{len(images)} {kind} images; lower them")
            splits[split] = Split(images[begin:begin + n], labels[begin:begin + n])
            begin += n
    return splits


def load_splits(spec: DataSpec, root: Path, *, as_stored: bool = False) -> dict[str, Split]:
    """{split: Split} in the format's split order (idx and hdf5: train, test; json and pkl.gz:
    train, valid, test). Images uint8 (N, 784) and labels int64, read-only, shared within the
    process. as_stored: the arrays as the hand-out's files hold them (json float64
    round(p / 255, 4), pkl.gz float32 p / 255 and int64, hdf5 float32 and one-hot float32 rows,
    idx uint8 pixels and labels): what json.load, pickle.load or h5py give a student."""
    entry = build(spec, root)
    arrays = read_npz(entry.path / SPLITS_FILE)
    fmt = FORMATS[spec.format]
    splits = {s: Split(arrays[f"{s}_images"], arrays[f"{s}_labels"]) for s in fmt.splits}
    if not as_stored:
        return splits
    stored = {s: fmt.stored(split) for s, split in splits.items()}
    for split in stored.values():
        for array in split:
            array.flags.writeable = False
    return stored


def _view(spec: DataSpec, root: Path, view: str) -> list[Path]:
    folder = build(spec, root).path / view
    return [folder / name for name in _plan(spec, root).names if (folder / name).is_file()]


def handout_files(spec: DataSpec, root: Path) -> dict[str, Path]:
    """Name in the hand-out's data/ -> file, in the course's format (with the source's licence
    note, when it has one, as MNIST-README.md or <name>-README.md)."""
    files = {path.name: path for path in _view(spec, root, "handout")}
    readme = source_dir(spec, root) / "README.md"
    if readme.is_file():
        files["MNIST-README.md" if spec.source == "mnist" else f"{spec.name}-README.md"] = readme
    return files


def worker_files(spec: DataSpec, root: Path) -> list[Path]:
    """The files the worker may read: the hand-out's files without test labels."""
    return _view(spec, root, "worker")
