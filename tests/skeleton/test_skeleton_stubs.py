"""Stubs replace exactly the inside of each block; every broken reference is one clear error
naming file and line, and nothing is written."""
from __future__ import annotations

import subprocess
import sys

import libcst as cst
import pytest

from grader.assignment import load_assignment
from grader.errors import ConfigError
from grader.skeleton import main
from grader.skeleton.stubs import stub_source

SPEC = load_assignment().handout  # the default markers and stub


def stub(text: str):
    return stub_source(text, "mod.py", "reference/codes/mod.py", SPEC)


def test_stub_names_the_block_and_keeps_everything_else_byte_for_byte():
    text = ("import numpy as np\r\n\r\nclass A:\r\n\tdef f(self, x):   # keep me\r\n"
            "\t\t# TODO START   \r\n\t\ty = x * 2\r\n\t\treturn y\r\n\t\t# TODO END\r\n"
            "\r\n# trailing comment\r\n")
    result, blocks = stub(text)
    assert result == ("import numpy as np\r\n\r\nclass A:\r\n\tdef f(self, x):   # keep me\r\n"
                      "\t\t# TODO START   \r\n\t\traise NotImplementedError(\"A.f\")\r\n"
                      "\t\t# TODO END\r\n\r\n# trailing comment\r\n")
    assert [(b.key, b.start, b.end, b.body) for b in blocks] == [
        ("mod.py:A.f", 5, 8, ("\t\ty = x * 2", "\t\treturn y"))]


def test_stubbed_module_imports_and_raises_naming_the_block():
    result, _ = stub("class Gelu:\n    def backward(self, g):\n        # TODO START\n"
                     "        return g\n        # TODO END\n\ndef helper():\n    # TODO START\n"
                     "    return 1\n    # TODO END\n")
    namespace: dict = {}
    exec(compile(result, "mod.py", "exec"), namespace)  # our own generated text, not student code
    with pytest.raises(NotImplementedError, match=r"^Gelu\.backward$"):
        namespace["Gelu"]().backward(1)
    with pytest.raises(NotImplementedError, match=r"^helper$"):
        namespace["helper"]()


def test_block_in_a_constructor_gets_pass_so_objects_can_still_be_built():
    result, _ = stub("class A:\n    def __init__(self):\n        self.x = 1\n        # TODO START\n"
                     "        self.y = 2\n        # TODO END\n")
    assert "        # TODO START\n        pass\n        # TODO END\n" in result
    cst.parse_module(result)


@pytest.mark.parametrize("text, line, words", [
    ("def f():\n    # TODO START\n    return 1\n", 2, "never closed"),
    ("def f():\n    return 1\n    # TODO END\n", 3, "without a '# TODO START'"),
    ("def f():\n    # TODO START\n    # TODO START\n    return 1\n    # TODO END\n", 2,
     "before the next START at line 3"),
    ("# TODO START\nx = 1\n# TODO END\n", 1, "outside any function body"),
    ("class A:\n    # TODO START\n    x = 1\n    # TODO END\n", 2, "outside any function body"),
    ("def f():\n    # TODO START\n    return 1\n\ndef g():\n    # TODO END\n    pass\n", 2,
     "in another function body"),
    ("def f(c):\n    if c:\n    # TODO START\n        return 1\n    # TODO END\n", 3,
     "would leave the file unparsable"),
    ("def f():\n    x = (1 +\n    # TODO START\n        2)\n    # TODO END\n    return x\n", 3,
     "would leave the file unparsable"),
    ("def f(:\n    pass\n", 1, "does not parse"),
    ('def f():\n    s = """\n    # TODO START\n    """\n    # TODO END\n', 3, "not a comment"),
])
def test_broken_reference_is_one_line_naming_file_and_line(text, line, words):
    with pytest.raises(ConfigError) as caught:
        stub(text)
    message = str(caught.value)
    assert message.startswith(f"reference/codes/mod.py:{line}: ")
    assert words in message
    assert "\n" not in message


def test_error_writes_nothing(mini):
    out = mini / "skeleton"
    out.mkdir()
    (out / "old.txt").write_text("keep")
    (mini / "reference" / "codes" / "mod.py").write_text("def f():\n    # TODO START\n")
    with pytest.raises(ConfigError) as caught:
        main(["--assignment", str(mini), "--zip", str(mini / "hw.zip")])
    assert str(caught.value).startswith(f"{mini}/reference/codes/mod.py:2: ")
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in mini.iterdir()) == ["assignment.toml", "hidden", "reference", "skeleton"]


def test_console_script_prints_one_error_line_and_exits_2(mini):
    (mini / "reference" / "codes" / "mod.py").write_text("x = 1\n# TODO START\n# TODO END\n")
    run = subprocess.run([sys.executable, "-c", "import sys; from grader.cli import skeleton_main; "
                          "sys.exit(skeleton_main())", "--assignment", str(mini)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"grade-skeleton: error: {mini}/reference/codes/mod.py:2: the '# TODO START' marker is outside any "
        "function body; TODO blocks must sit inside a function or method"]
    assert not (mini / "skeleton").exists()


def test_points_groups_must_match_the_blocks(mini):
    """The README's points come from the assignment's table, whose class groups must match."""
    toml = mini / "assignment.toml"
    base = 'name = "mini"\n[submission]\ncode_folder = "codes"\nrequired = ["mod.py"]\n'
    toml.write_text(base + '[points."mod.py:Thing"]\ntest_a = 3\n[points."mod.py:Gone"]\ntest_b = 1\n')
    with pytest.raises(ConfigError, match="names no block of the reference's mod.py"):
        main(["--assignment", str(mini)])
    toml.write_text(base + '[points."Other"]\ntest_a = 3\n')
    with pytest.raises(ConfigError, match="block 'mod.py:Thing.run' has no"):
        main(["--assignment", str(mini)])
    assert not (mini / "skeleton").exists()
