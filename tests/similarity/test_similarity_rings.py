"""Copy rings: code shared by a whole group is not discounted as common, and the group is reported."""
import csv
import random

from grader.similarity import main
from grader.similarity.command import compare_submissions


def test_a_ring_of_15_identical_copies_in_a_class_of_22_is_one_cluster(tmp_path, planting, capsys):
    honest = planting.honest_students(22, random.Random(16))
    ring = [f"s{i:02d}" for i in range(15)]
    for i, own in enumerate(honest):
        planting.write_submission(tmp_path / "class" / f"s{i:02d}", honest[0] if i < 15 else own)
    assert main([str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--top", "120"]) == 0
    with open(tmp_path / "out" / "clusters.csv", newline="") as f:
        [cluster] = list(csv.DictReader(f))
    assert (cluster["cluster"], cluster["size"], cluster["pairs"]) == ("1", "15", "105")
    assert cluster["members"].split(";") == ring and float(cluster["mean_overall"]) == 1.0
    assert len(cluster["shared"].split(";")) >= 15  # the blocks they all copied
    with open(tmp_path / "out" / "similarity.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    inside = [r for r in rows if r["a"] in ring and r["b"] in ring]
    assert len(inside) == 105 and rows[:105] == inside  # every pair of the ring, first
    assert all(r["cluster"] == "1" and r["score"] == "1.0000" for r in inside)
    assert all(r["cluster"] == "" for r in rows[105:])
    html = (tmp_path / "out" / "report.html").read_text()
    assert "22 submissions, 1 cluster," in html and ", ".join(ring) in html
    out = capsys.readouterr().out
    assert "1 cluster of students" in out and "s00, s01, s02" in out and "(7 more)" in out


def test_the_same_class_without_the_ring_has_no_cluster(tmp_path, planting):
    """The honest students of that class share code (six implementations per block) but not as a
    group that shares it all."""
    honest = planting.honest_students(22, random.Random(16))
    paths = [planting.write_submission(tmp_path / f"s{i:02d}", own) for i, own in enumerate(honest)]
    cohort, pairs, clusters = compare_submissions([str(p) for p in paths], [])
    assert clusters == []
    assert max(p.overall for p in pairs) < 0.5
