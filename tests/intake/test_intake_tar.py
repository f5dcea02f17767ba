"""intake of .tar.gz/.tgz/.tar: read as safely as a zip (the same caps; no links, devices, absolute
or `..` entries), every refusal one line naming the archive."""
import gzip
import io
import tarfile

import pytest

from grader.archive import MAX_FILES, MAX_TAR_HEADER_BYTES
from grader.assignment import load_assignment
from grader.errors import SubmissionError
from grader.intake import open_submission

LAYOUT = load_assignment().layout
GOOD = {"2023000001/Report.md": b"# report\n", "2023000001/summary.txt": b"summary\n",
        "2023000001/codes/layers.py": b"x = 1\n", "2023000001/codes/loss.py": b"y = 2\n"}


def member(name: str, data: bytes = b"", kind=tarfile.REGTYPE, **attrs) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.mode = kind, len(data) if kind in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0, 0o644
    for key, value in attrs.items():
        setattr(info, key, value)
    return info, data


def make_tar(path, members, mode="w:gz", fmt=tarfile.PAX_FORMAT):
    with tarfile.open(path, mode, format=fmt) as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


@pytest.mark.parametrize("name, mode", [("2023000001.tar.gz", "w:gz"), ("2023000001.tgz", "w:gz"),
                                        ("2023000001.TAR.GZ", "w:gz"), ("2023000001.tar", "w")])
def test_a_tar_reads_like_a_zip(tmp_path, name, mode):
    path = make_tar(tmp_path / name, [member(n, d) for n, d in GOOD.items()] + [
        member("2023000001/codes", kind=tarfile.DIRTYPE), member("__MACOSX/._x", b"junk")], mode)
    with open_submission(path, LAYOUT) as sub:
        assert sub.student_id == "2023000001" and sub.flags == []
        assert (sub.code_dir / "layers.py").read_text() == "x = 1\n"
        assert sorted(p.name for p in sub.code_dir.iterdir()) == ["layers.py", "loss.py"]


def _bomb() -> list:
    return [member("codes/bomb.py", bytes(40 * 2**20))]


HOSTILE = {
    "slip": ([member("../evil.py", b"x")], "leaves the archive"),
    "absolute": ([member("/tmp/evil.py", b"x")], "absolute path"),
    "symlink": ([member("codes/layers.py", kind=tarfile.SYMTYPE, linkname="/etc/passwd")], "is a link"),
    "hard link": ([member("codes/a.py", b"x"), member("codes/layers.py", kind=tarfile.LNKTYPE, linkname="codes/a.py")],
                  "is a link"),
    "character device": ([member("codes/dev", kind=tarfile.CHRTYPE, devmajor=1, devminor=3)], "device"),
    "fifo": ([member("codes/pipe", kind=tarfile.FIFOTYPE)], "device, pipe"),
    "duplicate": ([member("codes/layers.py", b"a"), member("codes/layers.py", b"b")], "appears twice"),
    "duplicate up to case": ([member("codes/layers.py", b"a"), member("codes/LAYERS.py", b"b")], "appears twice"),
    "too many entries": ([member(f"codes/f{i}.py") for i in range(MAX_FILES + 1)], f"more than {MAX_FILES}"),
    "bomb": (_bomb(), "expands more than 100x"),
    "huge pax header": ([member("codes/a.py", b"x", pax_headers={"comment": "x" * (2 * MAX_TAR_HEADER_BYTES)})],
                        "tar header of"),
    "empty": ([], "empty"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_tar_is_rejected_with_one_line(tmp_path, kind):
    members, words = HOSTILE[kind]
    path = make_tar(tmp_path / "2023000009.tar.gz", members)
    with pytest.raises(SubmissionError) as caught:
        with open_submission(path):
            pass
    message = str(caught.value)
    assert words in message and message.startswith("2023000009.tar.gz: ") and "\n" not in message, message
    assert not (tmp_path / "evil.py").exists()


def test_gnu_long_name_header_is_capped(tmp_path):
    """A GNU long-name record is read whole into memory by tarfile: capped before it is."""
    name = "codes/" + "x" * (MAX_TAR_HEADER_BYTES + 10)
    path = make_tar(tmp_path / "2023000010.tgz", [member(name, b"x")], fmt=tarfile.GNU_FORMAT)
    with pytest.raises(SubmissionError, match=r"^2023000010.tgz: a tar header of \d+ bytes"):
        with open_submission(path):
            pass


@pytest.mark.parametrize("content", [b"", b"not a tar at all" * 100, gzip.compress(b"not a tar" * 100)])
def test_not_a_tar_is_rejected_with_one_line(tmp_path, content):
    path = tmp_path / "2023000011.tar.gz"
    path.write_bytes(content)
    with pytest.raises(SubmissionError) as caught:
        with open_submission(path):
            pass
    assert str(caught.value).startswith("2023000011.tar.gz: ") and "\n" not in str(caught.value)
