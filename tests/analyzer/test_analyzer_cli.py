"""analyze.py as students run it: a script inside the hand-out, the standard library and LibCST."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from code_analyze import analyze

PACKAGE = Path(analyze.__file__).resolve().parent


def test_script_in_handout_runs_from_anywhere_and_writes_the_same_bytes(handout, tmp_path):
    for module in PACKAGE.glob("*.py"):
        shutil.copy(module, handout.root / "code_analyze" / module.name)
    (handout.origin / "utils.py").write_text("# e\n", encoding="utf-8")
    handout.write("utils.py", "# é\n".encode("latin-1"))
    script = Path("code_analyze", "analyze.py")
    outputs = []
    for cwd, path in ((handout.root, script), (tmp_path, handout.root / script)):
        run = subprocess.run([sys.executable, str(path)], cwd=cwd, capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        outputs.append((handout.root / "code_analyze" / "summary.txt").read_bytes())
    assert "warning: utils.py: not UTF-8 (byte 2)" in run.stdout
    assert outputs[0] == outputs[1] == handout.summary().encode("utf-8")
    # The hand-out's own copy is imported, not the one installed with the grader.
    imported = subprocess.run(
        [sys.executable, "-c", "import runpy, sys; runpy.run_path(sys.argv[1]); "
         "print(sys.modules['code_analyze.summary'].__file__)", str(handout.root / script)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert Path(imported.stdout.strip()).parent == handout.root / "code_analyze"


def test_path_overrides_and_one_line_error_for_a_missing_folder(handout, tmp_path, capsys):
    output = tmp_path / "out" / "summary.txt"
    assert analyze.main(["--origin-dir", str(handout.origin), "--target-dir", str(handout.target),
                         "--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == handout.summary()
    assert analyze.main(["--origin-dir", str(handout.origin),
                         "--target-dir", str(tmp_path / "nope")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "nope (your codes) is not a folder" in error


def test_without_libcst_the_script_says_how_to_install_it_in_one_line(handout):
    script = handout.root / "code_analyze" / "analyze.py"
    shutil.copytree(PACKAGE, script.parent, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run(
        [sys.executable, "-c", "import runpy, sys; sys.modules['libcst'] = None; "
         "runpy.run_path(sys.argv[1], run_name='__main__')", str(script)],
        cwd=handout.root, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr == ("analyze.py: error: LibCST is not installed; run `pip install libcst`, "
                          "then run me again\n")
    assert not (script.parent / "summary.txt").exists()


def test_package_imports_only_the_standard_library_libcst_and_itself():
    allowed = set(sys.stdlib_module_names) | {"code_analyze", "__future__", "libcst"}
    for module in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] in allowed, f"{module.name} imports {name}"
