"""Planted copies rank above honest pairs; the command writes its outputs from zips and folders."""
import importlib.util
import itertools
import random
import shutil
import zipfile

import numpy as np
import pytest
from grader.errors import ConfigError
from grader.similarity import main
from grader.similarity import cohort as cohort_module
from grader.similarity.command import compare_submissions


def _overall(pairs, students):
    return {(students[p.a].label, students[p.b].label): p for p in pairs}


def test_every_planted_pair_ranks_above_every_honest_pair(planted, planting):
    paths, origin = planted
    cohort, pairs, _ = compare_submissions([str(p) for p in paths], [])
    by_pair = _overall(pairs, cohort.students)
    labels = sorted(origin)
    planted_scores, honest_scores = [], []
    for a, b in itertools.combinations(labels, 2):
        score = by_pair[(a, b)].score if (a, b) in by_pair else 0.0
        (planted_scores if origin[a] & origin[b] else honest_scores).append(score)
    assert min(planted_scores) > max(honest_scores)
    one = by_pair[("b", "copy_one_block_b")]
    assert one.matched == [planting.ONE_BLOCK_KEY]
    for label in ("copy_exact_a", "copy_dead_code_a"):
        assert by_pair[("a", label)].overall == 1.0
    assert by_pair[("b", "copy_renamed_b")].overall == 1.0
    assert by_pair[("c", "copy_reformatted_c")].overall == 1.0
    assert by_pair[("copy_reordered_d", "d")].overall == 1.0


def test_honest_implementations_do_not_score_high_for_being_correct(tmp_path, planting):
    paths = [planting.write_submission(tmp_path / n, planting.read_honest(n)) for n in planting.HONEST]
    cohort, pairs, _ = compare_submissions([str(p) for p in paths], [])
    assert len(cohort.students) == 5
    assert max(p.score for p in pairs) < 0.25


def test_the_obvious_answer_weighs_nothing(tmp_path, planting):
    """Everybody's Tanh.backward is the same one line; it must not make two students similar."""
    obvious = ["return grad_output * (1 - self._saved_tensor ** 2)"]
    key = "layers.py:Tanh.backward:1"
    paths = [planting.write_submission(tmp_path / n, {**planting.read_honest(n), key: obvious}) for n in planting.HONEST]
    cohort, pairs, _ = compare_submissions([str(p) for p in paths], [], max_share=0.5)
    assert all(p.blocks[key] == 0.0 for p in pairs)
    assert all(cohort.mass_of(s, key) == 0.0 for s in range(5))


def test_previous_years_are_compared_with_this_year_only(tmp_path, planting):
    a, c = planting.read_honest("student_a"), planting.read_honest("student_c")
    old = tmp_path / "2023"
    planting.write_submission(old / "old_a", a)
    planting.write_submission(old / "old_a_again", a)
    planting.write_submission(tmp_path / "now" / "new_a", a)
    planting.write_submission(tmp_path / "now" / "new_c", c)
    cohort, pairs, _ = compare_submissions([str(tmp_path / "now")], [str(old)])
    found = {tuple(sorted((cohort.students[p.a].label, cohort.students[p.b].label))) for p in pairs}
    assert ("2023/old_a", "new_a") in found and ("2023/old_a_again", "new_a") in found
    assert ("2023/old_a", "2023/old_a_again") not in found


def test_command_reads_zips_writes_csv_and_html_and_is_deterministic(planted, tmp_path, capsys):
    paths, _ = planted
    zips = tmp_path / "zips"
    zips.mkdir()
    for folder in paths:
        with zipfile.ZipFile(zips / f"{folder.name}.zip", "w") as zf:
            for file in sorted(folder.rglob("*.py")):
                zf.write(file, f"{folder.name}/{file.relative_to(folder)}")
    assert main([str(zips), "--out", str(tmp_path / "one")]) == 0
    assert main([str(zips), "--out", str(tmp_path / "two")]) == 0
    for name in ("similarity.csv", "clusters.csv", "report.html"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    rows = (tmp_path / "one" / "similarity.csv").read_text().splitlines()
    assert rows[0].startswith("rank,a,b,score,overall,evidence,cluster,matched,layers.py:Dropout.backward:1")
    assert rows[7].split(",")[1:3] == ["b", "copy_one_block_b"]
    html = (tmp_path / "one" / "report.html").read_text()
    assert "class=hit" in html and "<mark>" in html and "http" not in html and "<script" not in html
    assert "copy_one_block_b" in capsys.readouterr().out


def test_missing_input_is_one_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        main([str(tmp_path / "nope.zip")])


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("student", ["student_a", "student_b", "student_c", "student_d", "student_e"])
def test_honest_fixtures_are_correct_implementations(student, tmp_path, planting):
    """Our own fixture code (never student code), checked against the reference numerically."""
    folder = planting.write_submission(tmp_path / student, planting.read_honest(student))
    ref_layers = _load(planting.REFERENCE_CODES / "layers.py", "ref_layers")
    ref_loss = _load(planting.REFERENCE_CODES / "loss.py", "ref_loss")
    layers = _load(folder / "codes" / "layers.py", f"{student}_layers")
    loss = _load(folder / "codes" / "loss.py", f"{student}_loss")
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=(4, 10)), rng.normal(size=(4, 10))
    for name in ("Selu", "Swish", "Gelu", "Tanh"):
        ref, mine = getattr(ref_layers, name)("r"), getattr(layers, name)("m")
        np.testing.assert_allclose(mine.forward(x), ref.forward(x), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(mine.backward(g), ref.backward(g), rtol=1e-6, atol=1e-9)
    np.random.seed(1)
    ref = ref_layers.Linear("r", 10, 3, 0.1)
    np.random.seed(1)
    mine = layers.Linear("m", 10, 3, 0.1)
    np.testing.assert_allclose(mine.forward(x), ref.forward(x))
    gout = rng.normal(size=(4, 3))
    np.testing.assert_allclose(mine.backward(gout), ref.backward(gout))
    config = {"momentum": 0.9, "learning_rate": 0.1, "weight_decay": 0.01}
    for _ in range(2):
        ref.update(config), mine.update(config)
    np.testing.assert_allclose(mine.W, ref.W)
    np.testing.assert_allclose(mine.b, ref.b)
    drop = layers.Dropout("d", 0.25)
    y = drop.forward(x)
    assert set(np.round(y / x, 6).ravel()) <= {0.0, round(1 / 0.75, 6)}
    np.testing.assert_allclose(drop.backward(np.ones_like(x)) * x, y)
    drop.training = False
    np.testing.assert_array_equal(drop.forward(x), x)
    t = np.eye(10)[rng.integers(0, 10, size=4)]
    for name in ("MSELoss", "SoftmaxCrossEntropyLoss", "HingeLoss", "FocalLoss"):
        ref, mine = getattr(ref_loss, name)("r"), getattr(loss, name)("m")
        np.testing.assert_allclose(mine.forward(x, t), ref.forward(x, t), rtol=1e-6)
        np.testing.assert_allclose(mine.backward(x, t), ref.backward(x, t), rtol=1e-6, atol=1e-9)


def test_submission_folders_and_folders_of_submissions_are_accepted(tmp_path, planting):
    a = planting.write_submission(tmp_path / "a", planting.read_honest("student_a"))
    shutil.copytree(a, tmp_path / "class" / "a_copy")
    planting.write_submission(tmp_path / "class" / "c", planting.read_honest("student_c"))
    cohort, pairs, _ = compare_submissions([str(a), str(tmp_path / "class")], [])
    assert [s.label for s in cohort.students] == ["a", "a_copy", "c"]
    assert (pairs[0].a, pairs[0].b, pairs[0].overall) == (0, 1, 1.0)


def test_one_copied_block_ranks_above_every_honest_pair_in_a_class(tmp_path, planting):
    """60 honest students (each block its own variant and small choices) and 3 students who copied
    only one long block from a classmate: the copies outrank every honest pair, though the other
    20 blocks dilute their overall score below some honest pairs'."""
    rng = random.Random(7)
    honest = planting.honest_students(63, rng)
    copies = {}
    for copier, source in ((60, 5), (61, 17), (62, 33)):
        key = max(honest[source], key=lambda k: sum(map(len, honest[source][k])))
        honest[copier] = planting.one_block(honest[copier], honest[source], key)
        copies[(f"s{source:02d}", f"s{copier:02d}")] = key
    paths = [planting.write_submission(tmp_path / f"s{i:02d}", bodies) for i, bodies in enumerate(honest)]
    cohort, pairs, clusters = compare_submissions([str(p) for p in paths], [])
    by_pair = _overall(pairs, cohort.students)
    honest_best = max(p.score for k, p in by_pair.items() if k not in copies)
    for pair, key in copies.items():
        assert by_pair[pair].score > honest_best
        assert key in by_pair[pair].matched
    assert min(by_pair[pair].overall for pair in copies) < honest_best
    assert clusters == []  # honest students share blocks, not the whole of their code


def test_report_marks_the_matched_fragments_escaped(tmp_path, planting):
    """The copied line's text is wrapped in <mark>, student text is escaped, the rest is not marked."""
    key = "loss.py:HingeLoss.forward:1"
    copied = ["tag = '<i>&' + str(self.margin)", "scores = np.maximum(0, input - (input * target).sum(axis=1, keepdims=True) + self.margin)",
              "scores[target > 0] = 0", "return scores.sum() / input.shape[0]"]
    paths = [planting.write_submission(tmp_path / n, {**planting.read_honest(n), key: copied})
             for n in ("student_a", "student_c")]
    paths.append(planting.write_submission(tmp_path / "student_e", planting.read_honest("student_e")))
    assert main([str(p) for p in paths] + ["--out", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<i>" not in html and "&#x27;&lt;i&gt;&amp;&#x27;" in html
    assert "<mark>scores[target &gt; 0] = 0</mark>" in html


def test_reading_on_several_cores_gives_the_same_pairs(planted, monkeypatch):
    """The process pool (used from PARALLEL_MIN_SUBMISSIONS on) returns students in order."""
    paths, _ = planted
    serial = compare_submissions([str(p) for p in paths], [])[1]
    monkeypatch.setattr(cohort_module, "PARALLEL_MIN_SUBMISSIONS", 2)
    monkeypatch.setattr(cohort_module.os, "sched_getaffinity", lambda _: {0, 1})
    pools = []

    class CountedPool(cohort_module.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(cohort_module, "ProcessPoolExecutor", CountedPool)
    cohort, parallel, _ = compare_submissions([str(p) for p in paths], [])
    assert len(pools) == 1
    assert [s.label for s in cohort.students] == sorted(s.label for s in cohort.students)
    assert parallel == serial
