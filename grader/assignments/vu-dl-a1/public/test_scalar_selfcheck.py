"""Question 3 and 4 self-checks: the worked example, your derivatives against finite differences
of your own loss, and a short training run on the synthetic data."""
import ast
import math
import random
from pathlib import Path

from scalar import forward_backward, train, init_weights

WORKED = dict(x=[1.0, -1.0], W=[[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]], b=[0.0, 0.0, 0.0],
              V=[[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]], c=[0.0, 0.0], target=0)
STEP = 1e-5


def close(got, want, tol=1e-4):
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(close(g, w, tol) for g, w in zip(got, want))
    return abs(got - want) <= tol


def test_worked_example():
    result = forward_backward(**WORKED)
    assert close(result["dW"], [[0.0] * 3] * 2), result["dW"]
    assert close(result["db"], [0.0] * 3), result["db"]
    assert close(result["dV"], [[-0.4404, 0.4404]] * 3), result["dV"]
    assert close(result["dc"], [-0.5, 0.5]), result["dc"]


def test_derivatives_match_finite_differences_of_your_loss():
    rng = random.Random(1)
    net = dict(x=[rng.gauss(0, 1) for _ in range(2)], W=[[rng.gauss(0, 1) for _ in range(3)] for _ in range(2)],
               b=[rng.gauss(0, 0.5) for _ in range(3)], V=[[rng.gauss(0, 1) for _ in range(2)] for _ in range(3)],
               c=[rng.gauss(0, 0.5) for _ in range(2)], target=1)
    result = forward_backward(**net)
    for name in ("W", "b", "V", "c"):
        flat = [(i, None) for i in range(len(net[name]))] if name in "bc" else \
            [(i, j) for i in range(len(net[name])) for j in range(len(net[name][0]))]
        for i, j in flat:
            slopes = []
            for sign in (1, -1):
                moved = {k: [list(r) if isinstance(r, list) else r for r in v] if isinstance(v, list) else v
                         for k, v in net.items()}
                if j is None:
                    moved[name][i] += sign * STEP
                else:
                    moved[name][i][j] += sign * STEP
                slopes.append(forward_backward(**moved)["loss"])
            numeric = (slopes[0] - slopes[1]) / (2 * STEP)
            analytic = result["d" + name][i] if j is None else result["d" + name][i][j]
            assert math.isclose(analytic, numeric, rel_tol=1e-4, abs_tol=1e-6), (name, i, j, analytic, numeric)


def test_training_lowers_the_loss():
    from data import load_synth

    (xtrain, ytrain), _, _ = load_synth()
    x, y = xtrain[:10_000].tolist(), ytrain[:10_000].tolist()
    result = train(x, y, *init_weights(seed=0), epochs=1, learning_rate=0.1)
    losses = result["losses"]
    assert len(losses) == len(x)
    assert sum(losses[-1000:]) < 0.5 * sum(losses[:1000])


def test_scalar_py_uses_plain_python():
    tree = ast.parse((Path(__file__).resolve().parent.parent / "scalar.py").read_text())
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}
    assert "numpy" not in modules
    forward_backward(**WORKED)  # and the function is written
