"""grade-similarity on generated submissions: time, memory, average precision on planted copies.

Run:  python bench/similarity_speed.py [--students 1000] [--blocks 16] [--cohort DIR]
                                       [--base DIR] [--no-copydetect]
Honest students come from tests/similarity/planting.py: each block from one of six independent
implementations (the five test fixtures and the reference), then every site of it decided on its
own (operand order, x**2 / x*x / np.square, np.sum(x) / x.sum(), matmul / dot / @, axis=1 / -1,
temporaries inlined or introduced, names), so honest students share the short obvious blocks, as
in a real class, but rarely a long block verbatim. 40 students are copiers instead, each
disguising one classmate's code: exact, renamed, reformatted, reordered, comments + dead code, or
one block only (the classmate's longest). --cohort keeps the generated folders there and reuses
them (30,000 students take minutes to generate).
The command runs as a child process (`grade-similarity DIR --out ... --top 0`); its wall and CPU
time (worker processes included) and its memory, the peak of the summed RSS of its process tree
sampled every 20 ms, are reported with their ratio to a baseline measured in the same run (read
every file, find its blocks, ast.parse each block, on one core), since the machine is shared.
--base DIR runs another checkout's grade-similarity (e.g. `git archive <commit>` unpacked there)
on the same cohort in the same run. If copydetect (PyPI) is installed it runs on the same
layers.py/loss.py files, told the template (the reference with stubbed blocks) as boilerplate.
Prints a markdown table.
"""
from __future__ import annotations

import argparse
import ast
import csv
import importlib.util
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from code_analyze.blocks import find_blocks  # noqa: E402
from grader.similarity.normalize import dedent  # noqa: E402

SEED = 20240601
PLANTED = 40  # planted pairs (at most a third of the cohort)
KINDS = ("exact", "renamed", "reformatted", "reordered", "dead_code", "one_block")


def _load_planting():
    spec = importlib.util.spec_from_file_location("planting", ROOT / "tests/similarity/planting.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


planting = _load_planting()


def _swapped(body: list[str]) -> list[str]:
    """Swap the first two neighbouring assignments that do not touch each other's names."""
    tree = ast.parse("\n".join(body))
    stmts = tree.body
    for i in range(len(stmts) - 1):
        a, b = stmts[i], stmts[i + 1]
        if not (isinstance(a, ast.Assign) and isinstance(b, ast.Assign)):
            continue
        names = [{n.id for n in ast.walk(s) if isinstance(n, ast.Name)} for s in (a, b)]
        targets = [{n.id for t in s.targets for n in ast.walk(t) if isinstance(n, ast.Name)} for s in (a, b)]
        if not (targets[0] & names[1] or targets[1] & names[0]) and "self" not in targets[0] | targets[1]:
            stmts[i], stmts[i + 1] = b, a
            break
    return ast.unparse(tree).split("\n")


def build_cohort(dest: Path, students: int, blocks: int | None = None) -> tuple[list[Path], set[tuple[str, str]]]:
    """Honest students and planted copiers; with `blocks`, only the first that many blocks of
    each file pair are filled, the others keep the hand-out's stub."""
    rng = random.Random(SEED)
    bodies = {f"s{number:04d}": own for number, own in enumerate(planting.honest_students(students, rng))}
    for own in bodies.values():
        for key in list(own)[blocks:] if blocks is not None else []:
            own[key] = ["raise NotImplementedError"]
    labels = sorted(bodies)
    planted_count = min(PLANTED, students // 3)
    copiers = labels[-planted_count:]
    sources = rng.sample(labels[:-planted_count], planted_count)
    planted = set()
    for i, (copier, source) in enumerate(zip(copiers, sources)):
        kind, theirs = KINDS[i % len(KINDS)], bodies[source]
        if kind == "one_block":
            key = max(theirs, key=lambda k: len(theirs[k]))
            bodies[copier] = planting.one_block(bodies[copier], theirs, key)
        else:
            bodies[copier] = {"exact": dict, "renamed": planting.renamed,
                              "reformatted": planting.reformatted, "dead_code": planting.commented,
                              "reordered": lambda b: {k: _swapped(v) for k, v in b.items()}}[kind](theirs)
        planted.add(tuple(sorted((copier, source))))
    paths = []
    for label in labels:
        codes = dest / label / "codes"
        codes.mkdir(parents=True)
        for name in planting.FILLED_FILES:
            text = (planting.REFERENCE_CODES / name).read_text()
            (codes / name).write_text(planting.fill_blocks(name, text, bodies[label]))
        paths.append(dest / label)
    return paths, planted


def write_template(dest: Path) -> Path:
    """The hand-out's layers.py and loss.py: each block holds only a stub."""
    dest.mkdir(parents=True)
    for name in planting.FILLED_FILES:
        lines = (planting.REFERENCE_CODES / name).read_text().split("\n")
        for block in reversed(find_blocks("\n".join(lines))[0]):
            lines[block.start:block.end - 1] = [block.indent + "pass"]
        (dest / name).write_text("\n".join(lines))
    return dest


def average_precision(scores: dict[tuple[str, str], float], positives: set[tuple[str, str]]) -> float:
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    hits, total = 0, 0.0
    for rank, (pair, score) in enumerate(ranked, 1):
        if pair in positives and score > 0:
            hits += 1
            total += hits / rank
    return total / len(positives)


class Clock:
    """Wall and CPU seconds of a step, the CPU of finished child processes included."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), _cpu()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, _cpu() - self.cpu


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run_baseline(paths: list[Path]) -> Clock:
    """The floor: read each codes/*.py, find its blocks, ast.parse each block body (one core)."""
    with Clock() as clock:
        for path in paths:
            for name in planting.FILLED_FILES:
                for block in find_blocks((path / "codes" / name).read_text())[0]:
                    ast.parse("\n".join(dedent(block.body)))
    return clock


RUN = "import sys; from grader.cli import similarity_main; sys.exit(similarity_main())"


class Run:
    """One grade-similarity process on the cohort: time, memory, exit status, scores by pair."""

    def __init__(self, source: Path, cohort: Path, out: Path):
        env = {**os.environ, "PYTHONPATH": str(source)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-c", RUN, str(cohort), "--out", str(out), "--top", "0"],
                                   cwd=source, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sampler = _TreeMemory(process.pid)
        sampler.start()
        self.stderr = process.communicate()[1].decode(errors="replace").strip()
        self.wall = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        self.peak_mb = sampler.peak / 2**20
        self.returncode = process.returncode
        self.score, self.overall = {}, {}
        if process.returncode == 0:
            with open(out / "similarity.csv", newline="") as f:
                for row in csv.DictReader(f):
                    pair = tuple(sorted((row["a"], row["b"])))
                    self.score[pair], self.overall[pair] = float(row["score"]), float(row["overall"])


class _TreeMemory(threading.Thread):
    """The peak over time of the summed resident memory of a process and its descendants."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, sum(_rss(p) for p in _tree(self.pid)))

def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def run_copydetect(cohort_dir: Path, template: Path) -> tuple[Clock, dict]:
    from copydetect import CopyDetector
    with Clock() as clock:
        detector = CopyDetector(test_dirs=[str(cohort_dir)], ref_dirs=[str(cohort_dir)],
                                boilerplate_dirs=[str(template)], extensions=["py"],
                                same_name_only=True, autoopen=False, silent=True)
        detector.run()
    per_pair: dict[tuple[str, str], list[float]] = {}
    files = [Path(f) for f in detector.test_files]
    sims = detector.similarity_matrix
    for i, fi in enumerate(files):
        for j, fj in enumerate(files):
            if j > i and fi.name == fj.name and sims[i, j, 0] >= 0:
                pair = tuple(sorted((fi.parts[-3], fj.parts[-3])))
                per_pair.setdefault(pair, []).append(float(sims[i, j].mean()))
    return clock, {pair: sum(v) / len(v) for pair, v in per_pair.items()}


def cohort_at(dest: Path, students: int, blocks: int | None) -> tuple[Path, set[tuple[str, str]]]:
    """The generated cohort in dest (made there the first time) and its planted pairs."""
    planted_file = dest / "planted.json"
    if not planted_file.exists():
        _, planted = build_cohort(dest / "cohort", students, blocks)
        planted_file.write_text(json.dumps(sorted(planted)))
    return dest / "cohort", {tuple(p) for p in json.loads(planted_file.read_text())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--blocks", type=int, default=None,
                        help="fill only the first N blocks (the issue's target is 16; default all 21)")
    parser.add_argument("--cohort", type=Path, help="keep the generated cohort in this folder and reuse it")
    parser.add_argument("--base", type=Path, help="also run the grade-similarity of this checkout")
    parser.add_argument("--no-copydetect", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cohort, planted = cohort_at(args.cohort or tmp / "generated", args.students, args.blocks)
        paths = sorted(cohort.iterdir())
        # the baseline runs before and after the detectors: the machine is shared and its load drifts
        before = run_baseline(paths)
        runs = [("grade-similarity (this checkout)", Run(ROOT, cohort, tmp / "ours"))]
        if args.base:
            runs.append((f"grade-similarity ({args.base.name})", Run(args.base.resolve(), cohort, tmp / "base")))
        after = run_baseline(paths)
        base_wall, base_cpu = (before.wall + after.wall) / 2, (before.cpu + after.cpu) / 2
        rows = []
        for name, run in runs:
            if run.returncode:
                rows.append((name, run, None, f"exit {run.returncode}: {run.stderr.splitlines()[-1:]}"))
                continue
            rows.append((name + ", ranked by score", run, average_precision(run.score, planted), ""))
            rows.append((name + ", ranked by overall only", None, average_precision(run.overall, planted), ""))
        if not args.no_copydetect and importlib.util.find_spec("copydetect"):
            cd_clock, cd = run_copydetect(cohort, write_template(tmp / "template"))
            rows.append(("copydetect 0.5 (PyPI), same files", cd_clock, average_precision(cd, planted), ""))
    blocks = min(args.blocks or 99, len(planting.reference_bodies()))
    print(f"{args.students} submissions x {blocks} blocks, {len(planted)} planted pairs "
          f"({', '.join(KINDS)}), seed {SEED}, {len(os.sched_getaffinity(0))} cores, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print(f"baseline (read + find blocks + ast.parse every block, one core): "
          f"wall {base_wall:.2f} s, CPU {base_cpu:.2f} s\n")
    print("| detector | wall (s) | CPU (s) | wall / baseline | CPU / baseline | peak memory (MB) "
          "| average precision |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, clock, ap, note in rows:
        memory = f"{clock.peak_mb:.0f}" if isinstance(clock, Run) else ""
        if clock is None:
            print(f"| {name} | | | | | | {ap:.3f} |")
        elif ap is None:
            print(f"| {name} | {clock.wall:.2f} | {clock.cpu:.2f} | | | {memory} | {note} |")
        else:
            print(f"| {name} | {clock.wall:.2f} | {clock.cpu:.2f} | {clock.wall / base_wall:.1f}x | "
                  f"{clock.cpu / base_cpu:.1f}x | {memory} | {ap:.3f} |")
    print(f"\nrerun: python bench/similarity_speed.py --students {args.students}"
          + (f" --blocks {args.blocks}" if args.blocks else "") + (" --base DIR" if args.base else ""))


if __name__ == "__main__":
    main()
