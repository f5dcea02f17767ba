"""grade-similarity on 1,000 generated submissions: time, and average precision on planted copies.

Run:  python bench/similarity_speed.py [--students 1000] [--no-copydetect]
Each honest student fills every block from one of six independent implementations (the five test
fixtures and the reference), then edits it at random (commuted operands, x**2 -> x*x, np.sum(x)
<-> x.sum(), a temporary for the result); 40 of them are copiers instead, each disguising one
classmate's code: exact, renamed, reformatted, reordered, comments + dead code, or one block only.
If copydetect (PyPI) is installed it runs on the same layers.py/loss.py files, told the
template (the reference with stubbed blocks) as boilerplate. Prints a markdown table.
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from code_analyze.blocks import find_blocks  # noqa: E402
from grader.similarity.command import main as similarity_main  # noqa: E402
from grader.similarity.command import compare_submissions  # noqa: E402

SEED = 20240601
PLANTED = 40  # planted pairs (at most a third of the cohort)
KINDS = ("exact", "renamed", "reformatted", "reordered", "dead_code", "one_block")


def _load_planting():
    spec = importlib.util.spec_from_file_location("planting", ROOT / "tests/similarity/planting.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


planting = _load_planting()


class _Edit(ast.NodeTransformer):
    """The small rewrites that make two students' versions of one formula differ."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, (ast.Mult, ast.Add)) and self.rng.random() < 0.3:
            return ast.BinOp(node.right, node.op, node.left)
        if (isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant)
                and node.right.value == 2 and isinstance(node.left, (ast.Name, ast.Attribute))
                and self.rng.random() < 0.5):
            return ast.BinOp(node.left, ast.Mult(), node.left)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "np"
                and f.attr in ("sum", "max", "mean") and len(node.args) == 1 and self.rng.random() < 0.5):
            return ast.Call(ast.Attribute(node.args[0], f.attr, ast.Load()), [], node.keywords)
        return node

    def visit_Return(self, node):
        self.generic_visit(node)
        if node.value is not None and not isinstance(node.value, ast.Name) and self.rng.random() < 0.4:
            name = self.rng.choice(["result", "out", "res", "ret", "value", "ans"])
            return [ast.Assign([ast.Name(name, ast.Store())], node.value, lineno=0),
                    ast.Return(ast.Name(name, ast.Load()))]
        return node


def _edited(body: list[str], rng: random.Random) -> list[str]:
    tree = _Edit(rng).visit(ast.parse("\n".join(body)))
    return ast.unparse(ast.fix_missing_locations(tree)).split("\n")


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


def build_cohort(dest: Path, students: int) -> tuple[list[Path], set[tuple[str, str]]]:
    rng = random.Random(SEED)
    variants = [planting.read_honest(n) for n in planting.HONEST] + [_reference_bodies()]
    bodies = {}
    for number in range(students):
        bodies[f"s{number:04d}"] = {key: _edited(rng.choice(variants)[key], rng) for key in variants[0]}
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


def _reference_bodies() -> dict[str, list[str]]:
    from grader.similarity.blocks import block_keys
    out = {}
    for name in planting.FILLED_FILES:
        text = (planting.REFERENCE_CODES / name).read_text()
        for key, block, _ in block_keys(name, text):
            width = len(block.indent)
            out[key] = [line[width:] for line in block.body if not line.strip().startswith("#")]
    return out


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


def run_ours(paths: list[Path], out: Path) -> tuple[tuple[float, float], dict]:
    start, cpu = time.perf_counter(), time.process_time()
    similarity_main([str(p) for p in paths] + ["--out", str(out), "--top", "0"])
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    cohort, pairs = compare_submissions([str(p) for p in paths], [])
    labels = [s.label for s in cohort.students]
    return seconds, {tuple(sorted((labels[p.a], labels[p.b]))): p.overall for p in pairs}


def run_copydetect(cohort_dir: Path, template: Path) -> tuple[tuple[float, float], dict]:
    from copydetect import CopyDetector
    start, cpu = time.perf_counter(), time.process_time()
    detector = CopyDetector(test_dirs=[str(cohort_dir)], ref_dirs=[str(cohort_dir)],
                            boilerplate_dirs=[str(template)], extensions=["py"],
                            same_name_only=True, autoopen=False, silent=True)
    detector.run()
    seconds = (time.perf_counter() - start, time.process_time() - cpu)
    per_pair: dict[tuple[str, str], list[float]] = {}
    files = [Path(f) for f in detector.test_files]
    sims = detector.similarity_matrix
    for i, fi in enumerate(files):
        for j, fj in enumerate(files):
            if j > i and fi.name == fj.name and sims[i, j, 0] >= 0:
                pair = tuple(sorted((fi.parts[-3], fj.parts[-3])))
                per_pair.setdefault(pair, []).append(float(sims[i, j].mean()))
    return seconds, {pair: sum(v) / len(v) for pair, v in per_pair.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--no-copydetect", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths, planted = build_cohort(tmp / "cohort", args.students)
        ours_s, ours = run_ours(paths, tmp / "out")
        rows = [("grade-similarity (ours)", ours_s, average_precision(ours, planted))]
        if not args.no_copydetect and importlib.util.find_spec("copydetect"):
            cd_s, cd = run_copydetect(tmp / "cohort", write_template(tmp / "template"))
            rows.append(("copydetect (PyPI)", cd_s, average_precision(cd, planted)))
    print(f"{args.students} submissions x 21 blocks, {len(planted)} planted pairs "
          f"({', '.join(KINDS)}), seed {SEED}\n")
    print("| detector | wall (s) | CPU (s) | CPU ratio to ours | average precision |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, cpu), ap in rows:
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / ours_s[1]:.1f}x | {ap:.3f} |")
    print(f"\nrerun: python bench/similarity_speed.py --students {args.students}")


if __name__ == "__main__":
    main()
