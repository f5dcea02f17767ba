"""Rebuild the example submissions in this folder from reference/codes, byte for byte.

    python examples/make_examples.py [OUT_DIR]

- 2023000001.zip: the reference solution (full marks), zipped without a top folder;
- 2023000002.zip: the reference with a sign error in Linear.backward (grad_W), inside a top
  folder `2023000002/` as many students zip it;
- 2023000003.zip: the empty hand-out, skeleton/codes (every TODO block raises NotImplementedError).
Each has a Report.md and the summary.txt that code_analyze writes against the hand-out's pristine
copy (skeleton/code_analyze/_codes), as a student's analyzer would.
Entries are sorted and carry a fixed time stamp, so a re-run gives the same bytes.
"""
from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from code_analyze.summary import analyze_dirs, render_summary  # noqa: E402

REFERENCE = REPO / "reference" / "codes"
HANDOUT = REPO / "skeleton" / "codes"
PRISTINE = REPO / "skeleton" / "code_analyze" / "_codes"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CORRECT, WRONG, SKELETON = "2023000001", "2023000002", "2023000003"
SIGN_ERROR = ("self.grad_W = input.T @ grad_output", "self.grad_W = -input.T @ grad_output")
REPORT = """# Report ({kind})

This is an example submission made by examples/make_examples.py for trying the grader:

    grade examples/{sid}.zip
"""


def _read(folder: Path) -> dict[str, str]:
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))}
    if not files:
        raise SystemExit(f"make_examples: no .py files in {folder}; run grade-skeleton first")
    return files


def codes_variants() -> dict[str, dict[str, str]]:
    reference = _read(REFERENCE)
    wrong = dict(reference)
    old, new = SIGN_ERROR
    if wrong["layers.py"].count(old) != 1:
        raise SystemExit(f"make_examples: reference/codes/layers.py no longer has '{old}' once")
    wrong["layers.py"] = wrong["layers.py"].replace(old, new)
    return {CORRECT: reference, WRONG: wrong, SKELETON: _read(HANDOUT)}


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")


def summary_of(pristine: dict[str, str], codes: dict[str, str]) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp) / "_codes", pristine)
        _write(Path(tmp) / "codes", codes)
        return render_summary(analyze_dirs(Path(tmp) / "_codes", Path(tmp) / "codes"))


def write_zip(path: Path, files: dict[str, str], prefix: str = "") -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(prefix + name, ZIP_TIME)
            info.create_system, info.external_attr = 3, 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name].encode("utf-8"))


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else HERE  # another folder: to check the committed zips are current
    variants, pristine = codes_variants(), _read(PRISTINE)
    kinds = {CORRECT: "correct", WRONG: "sign error in Linear.backward", SKELETON: "empty skeleton"}
    for sid, codes in variants.items():
        files = {f"codes/{name}": text for name, text in codes.items()}
        files["summary.txt"] = summary_of(pristine, codes)
        files["Report.md"] = REPORT.format(kind=kinds[sid], sid=sid)
        write_zip(out / f"{sid}.zip", files, prefix=f"{sid}/" if sid == WRONG else "")
        print(f"wrote {out / f'{sid}.zip'} ({kinds[sid]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
