"""Ways around the analyzer: files Python reads but the analyzer did not, tabs Python nests
otherwise than a 4-column editor. Each change must show in summary.txt, or fail the check."""
from __future__ import annotations

import ast

from code_analyze.verify import verify_submission

# A given (non-TODO) method the pristine layers.py gets for these tests.
GIVEN = '''

class Momentum(object):
    def __init__(self, mm):
        self.mm = mm

    def step(self, param, grad, diff):
        if self.mm:
            diff = self.mm * diff + grad
        param -= diff
        return param
'''
# The same method, its statements indented so that at 4 columns per tab every line looks as in
# the hand-out, while Python (8 columns, and consistent at 1) nests `param -= diff` in the `if`.
MOVED = '''

class Momentum(object):
\tdef __init__(self, mm):
\t    self.mm = mm

\tdef step(self, param, grad, diff):
\t    if self.mm:
\t    \tdiff = self.mm * diff + grad
   \t \tparam -= diff
\t    return param
'''


def _other_modifications(summary: str) -> str:
    return summary.split("# Other Modifications\n########################\n")[1]


def _submit(handout, tmp_path):
    """The submission's summary.txt as the analyzer writes it, and verify's report on it."""
    summary = tmp_path / "summary.txt"
    summary.write_text(handout.summary(), encoding="utf-8")
    return verify_submission(handout.origin, handout.target, summary)


def test_latin1_file_is_analysed_as_python_reads_it(handout, tmp_path):
    # Python runs this file (it declares latin-1); its change to given code must be listed.
    loss = ("# -*- coding: latin-1 -*-\n" + handout.fill("loss.py").replace(
        "        self.name = name\n",
        "        self.name = name\n        np.seterr(all='ignore')  # désactivé\n"))
    handout.write("loss.py", loss.encode("latin-1"))
    summary = handout.summary()
    assert "not analysed" not in summary and "not UTF-8" not in summary
    assert "# ../codes/loss.py:1\n        return np.sum((target - input) ** 2)" in summary
    assert ("# _codes/loss.py -> ../codes/loss.py\n# 1 + # -*- coding: latin-1 -*-\n"
            "# 8 +         np.seterr(all='ignore')  # désactivé\n") in _other_modifications(summary)
    report = _submit(handout, tmp_path)
    assert (report.matches, report.problems) == (True, [])


def test_tabs_that_nest_a_statement_elsewhere_show_as_a_change(handout, tmp_path):
    (handout.origin / "layers.py").write_text(handout.pristine["layers.py"] + GIVEN,
                                              encoding="utf-8")
    handout.write("layers.py", handout.fill("layers.py") + MOVED)
    # The premise: Python accepts the file and runs `param -= diff` only when momentum is on.
    step = next(node for node in ast.walk(ast.parse((handout.target / "layers.py").read_text()))
                if isinstance(node, ast.FunctionDef) and node.name == "step")
    assert isinstance(step.body[0], ast.If) and isinstance(step.body[0].body[1], ast.AugAssign)
    # ...while every line, tabs at 4 columns, reads as the hand-out's.
    expanded = [line.expandtabs(4) for line in MOVED.splitlines()]
    assert [line.lstrip() for line in expanded] == [line.lstrip() for line in GIVEN.splitlines()]
    assert [line.rstrip() for line in expanded if line.strip()][3:] == [
        line for line in GIVEN.splitlines() if line.strip()][3:]
    lines = (handout.target / "layers.py").read_text().splitlines()
    moved_at = lines.index("   \t \tparam -= diff") + 1
    given_at = (handout.pristine["layers.py"] + GIVEN).splitlines().index(
        "        param -= diff") + 1
    assert _other_modifications(handout.summary()) == (
        "# _codes/layers.py -> ../codes/layers.py\n"
        f"# {given_at} -         param -= diff\n"
        f"# {moved_at} +    \t \tparam -= diff\n\n")


def test_files_the_analyzer_cannot_read_fail_the_check_with_their_reason(handout, tmp_path):
    # Declared ASCII but is not; no declaration and not UTF-8; a file of the student's own.
    loss = b"# coding: ascii\n" + handout.fill("loss.py").encode() + b"# \xe9\n"
    run_mlp = handout.pristine["run_mlp.py"].encode() + b"# \xb2\xe2\xca\xd4\n"  # GBK
    handout.write("loss.py", loss)
    handout.write("run_mlp.py", run_mlp)
    bad_loss, bad_run = loss.index(b"\xe9"), run_mlp.index(b"\xb2")
    handout.write("helpers.py", b"# -*- coding: no-such-codec -*-\nimport torch\n")
    report = _submit(handout, tmp_path)  # the summary.txt is the analyzer's own
    assert not report.matches
    reasons = [problem for problem in report.problems if not problem.startswith("summary.txt")]
    assert reasons == [
        f"loss.py: not ascii as its coding line says (byte {bad_loss}); not analysed, "
        "save it as UTF-8",
        f"run_mlp.py: not UTF-8 (byte {bad_run}); not analysed, save it as UTF-8",
        "helpers.py: declares the unknown encoding 'no-such-codec'; not analysed, save it as UTF-8"]
    files = {facts.name: facts for facts in report.files}
    assert (files["helpers.py"].readable, files["helpers.py"].imports) == (False, ())
    assert files["layers.py"].to_json() == {"readable": True, "parses": True, "reason": None,
                                            "imports": ["numpy"]}
