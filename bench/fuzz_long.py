"""The long fuzz run: the properties of tests/fuzz/ with a large budget and a fresh seed.

    python bench/fuzz_long.py [--examples 2000] [--seed N]

For each property: how many inputs, how many were refused (a clear SubmissionError or an
analyzer note) versus accepted, and the time per input, next to a baseline measured in the same
run (generating the same inputs without checking them), so the figure is a ratio. Any failure is
printed with hypothesis's minimal example and the script exits 1.
"""
from __future__ import annotations

import argparse
import collections
import importlib.util
import random
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("fuzz_props", HERE.parent / "tests" / "fuzz" / "fuzz_props.py")
props = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_props"] = props
_spec.loader.exec_module(props)

VALID_ZIP = props.build_zip([("s/codes/layers.py", b"import numpy as np\n" * 20, "file"),
                             ("s/summary.txt", b"summary\n", "file")])
PROPERTIES = {
    "intake: random bytes": (st.binary(max_size=4000), props.check_intake),
    "intake: generated archives": (props.ARCHIVES, lambda e: props.check_intake(props.build_zip(e))),
    "intake: corrupted zip": (props.MUTATIONS, lambda m: props.check_intake(props.mutate(VALID_ZIP, m))),
    "analyzer: random bytes": (st.binary(max_size=6000), props.check_analyzer),
    "analyzer: generated python": (props.python_sources(), props.check_analyzer),
    "analyzer: edited reference": (props.REFERENCE_EDITS, lambda e: props.check_analyzer(props.edit_reference(e))),
}


def run(strategy, check, examples: int, run_seed: int) -> tuple[collections.Counter, float, float]:
    """(outcome counts, seconds checking, seconds generating only) for one property."""
    outcomes: collections.Counter = collections.Counter()
    timing = {"check": 0.0}
    config = settings(max_examples=examples, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))

    @seed(run_seed)
    @config
    @given(strategy)
    def checked(value):
        start = time.perf_counter()
        outcomes[str(check(value))[:40]] += 1
        timing["check"] += time.perf_counter() - start

    @seed(run_seed)
    @config
    @given(strategy)
    def generated_only(value):
        pass

    start = time.perf_counter()
    generated_only()
    baseline = time.perf_counter() - start
    checked()
    return outcomes, timing["check"], baseline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="inputs per property")
    parser.add_argument("--seed", type=int, default=random.SystemRandom().randrange(2**32))
    args = parser.parse_args(argv)
    print(f"seed {args.seed}, {args.examples} inputs per property")
    failed = False
    for name, (strategy, check) in PROPERTIES.items():
        try:
            outcomes, checking, baseline = run(strategy, check, args.examples, args.seed)
        except Exception as e:  # hypothesis re-raises the shrunk failure: report it, go on
            failed = True
            print(f"{name}: FAILED: {type(e).__name__}: {e}")
            continue
        n = sum(outcomes.values())
        top = ", ".join(f"{k} {v}" for k, v in outcomes.most_common(3))
        print(f"{name}: {n} inputs, {checking / max(n, 1) * 1e3:.2f} ms each, "
              f"check/generate time {checking / max(baseline, 1e-9):.1f}x; {top}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
