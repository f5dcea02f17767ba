"""Test accuracy and wall time of the reference's run_mlp.py in its two documented configurations.

    python bench/reference_accuracy.py [--only default|dropout]

Each configuration runs as the real command (a fresh process, data loading included) and reports
through its --json file. Goals: the default >= 98.0% in <= 60 s; two hidden layers with dropout >= 98.5%.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

RUN_MLP = Path(__file__).resolve().parents[1] / "reference" / "codes" / "run_mlp.py"
CONFIGS = {
    "default": ([], 0.980, 60.0),
    "dropout": (["--hidden", "512", "256", "--dropout", "0.2", "--weight-decay", "0", "--epochs", "30",
                 "--lr-halve-at", "12", "18", "24"],
                0.985, None),
}


def run(flags: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        subprocess.run([sys.executable, str(RUN_MLP), *flags, "--json", str(out)], check=True,
                       stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(CONFIGS))
    args = parser.parse_args(argv)
    missed = 0
    for name, (flags, goal_acc, goal_s) in CONFIGS.items():
        if args.only and name != args.only:
            continue
        result = run(flags)
        acc, wall = result["final"]["test_acc"], result["wall_s"]
        ok = acc >= goal_acc and (goal_s is None or wall <= goal_s)
        missed += not ok
        goal = f">= {goal_acc:.1%}" + (f" in <= {goal_s:.0f} s" if goal_s else "")
        print(f"{name:<8} python reference/codes/run_mlp.py {' '.join(flags)}".rstrip())
        print(f"         test accuracy {acc:.2%}, wall {wall:.1f} s, {len(result['epochs'])} epochs, "
              f"{result['config']['dtype']}, {result['blas_threads']} BLAS thread(s) "
              f"(goal {goal}: {'met' if ok else 'MISSED'})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
