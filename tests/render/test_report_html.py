"""report.html: self-contained (no script, nothing from the network), student text escaped, and
rendered by a real browser (Debian's chromium, headless) to a PNG whose page text is read back.

REPORT_PNG=path keeps a copy of the screenshot, to look at."""
import html.parser
import os
import random
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.render.report_html import render_report
from grader.results import ERROR, FAILED, NOT_IMPLEMENTED, PASSED, Entry, GradeResult, Outcome

ASSIGNMENT = load_assignment()
IMPORT_ERROR = "could not import your code: SyntaxError: invalid syntax (codes/layers.py line 12)"
HOSTILE = "<script>alert('x')</script> & <img src=https://example.com/x.png>"


def cohort(n: int = 24, seed: int = 0) -> list[Entry]:
    """n submissions of the MLP assignment with a spread of skill, one import error that breaks
    every layers.py test, one could-not-grade, two late, one roster student without a submission."""
    rng = random.Random(seed)
    groups = {t: g for g, tests in ASSIGNMENT.point_groups.items() for t in tests}
    entries = []
    for i in range(n):
        sid, skill = f"20230{i:05d}", rng.random()
        outcomes = []
        for test, points in ASSIGNMENT.points.items():
            if i == 3 and groups.get(test, "").startswith("layers.py"):
                status, message = ERROR, IMPORT_ERROR
            elif rng.random() < skill + 0.25:
                status, message = PASSED, ""
            elif rng.random() < 0.5:
                status, message = NOT_IMPLEMENTED, "not implemented"
            else:
                status, message = FAILED, f"{test.removeprefix('test_').replace('_', ' ')}: wrong values"
            tags = ("bonus",) if test in ASSIGNMENT.bonus_tests else ()
            outcomes.append(Outcome(test, test.removeprefix("test_").replace("_", " "), status,
                                    points if status == PASSED else 0.0, points, message, tags=tags))
        accuracy = round(80 + 18 * skill, 2)
        late = 0.1 * sum(o.score for o in outcomes) if i in (5, 9) else 0.0
        result = GradeResult(sid, tuple(outcomes), execution_time_s=20 + 100 * rng.random(),
                             leaderboard=(("accuracy (%)", accuracy, "desc"),), late_penalty=round(late, 6))
        entries.append(Entry(sid, result, name=f"Student {i}", on_roster=True))
    entries.append(Entry("2023099998", GradeResult.could_not_grade(
        "2023099998", "no codes/ folder " + HOSTILE, extra={"max_score": ASSIGNMENT.max_score}), on_roster=True))
    entries.append(Entry("2023099999", None, name="Absent Student", on_roster=True))
    return entries


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.tags = [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.parts.append(data)


def page_text(markup: str) -> tuple[str, set[str]]:
    parser = _Text()
    parser.feed(markup)
    return " ".join(" ".join(parser.parts).split()), parser.tags


def test_report_is_self_contained_and_escapes_student_text():
    page = render_report(cohort(), ASSIGNMENT)
    text, tags = page_text(page)
    assert "script" not in tags and "img" not in tags and "iframe" not in tags and "link" not in tags
    assert "http://" not in page and "https://" not in page.replace("https://example.com/x.png", "")
    assert "https://example.com" not in page.split("<body>")[0]  # nothing fetched: only shown, escaped
    assert HOSTILE in text  # the student's text is shown as text
    for section in ("Scores", "Tests most students fail", "Per class (point group)", "Failure causes",
                    "Could not grade", "Slowest submissions", "Students", "Leaderboard figures"):
        assert section in text
    # one cause, one row: the import error that broke every layers.py test of one submission
    causes = page.split("Failure causes")[1].split("</table>")[0]
    assert causes.count(IMPORT_ERROR) == 1
    assert 'href="2023000000/feedback.md"' in page and 'href="2023099999/feedback.md"' not in page


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def _distinct_bytes(data: bytes) -> int:
    """How varied the image's pixels are (a blank page has almost one value)."""
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += 12 + length
    return len(set(zlib.decompress(b"".join(chunks))))


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars"]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium): the report is "
                    "not rendered in a browser here")
def test_report_renders_in_headless_chromium(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_report(cohort(), ASSIGNMENT), encoding="utf-8")
    png = tmp_path / "report.png"
    env = {**os.environ, "HOME": str(tmp_path)}  # chromium's profile stays in tmp_path
    shot = subprocess.run([CHROMIUM, *FLAGS, f"--screenshot={png}", "--window-size=1200,4200", page.as_uri()],
                          capture_output=True, text=True, timeout=180, env=env)
    assert png.is_file(), shot.stderr[-2000:]
    data = png.read_bytes()
    assert _png_size(data) == (1200, 4200) and _distinct_bytes(data) > 50
    if os.environ.get("REPORT_PNG"):
        shutil.copyfile(png, os.environ["REPORT_PNG"])
    dom = subprocess.run([CHROMIUM, *FLAGS, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=180, env=env)
    text, tags = page_text(dom.stdout)
    assert "svg" in tags and "rect" in tags and "script" not in tags
    assert "Tests most students fail" in text and "Could not grade" in text and "Absent Student" in text
    assert HOSTILE in text and "accuracy (%)" in text
