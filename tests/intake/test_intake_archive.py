"""intake: real zips, good and hostile; every rejection is one line naming the archive."""
import stat
import warnings
import zipfile

import pytest

from grader.errors import SubmissionError
from grader.assignment import load_assignment
from grader.intake import MAX_FILES, open_submission

LAYOUT = load_assignment().layout

GOOD = {"Report.md": "# report\n", "summary.txt": "########################\n",
        "codes/layers.py": "x = 1\n", "codes/loss.py": "y = 2\n"}


class GbkNameInfo(zipfile.ZipInfo):
    """Writes its name in GBK without the UTF-8 flag, as Chinese Windows zip tools do."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits


def make_zip(path, entries, *, info_class=zipfile.ZipInfo, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates we write on purpose
        for name, data in entries:
            info = name if isinstance(name, zipfile.ZipInfo) else info_class(name)
            info.compress_type = compression
            zf.writestr(info, data)
    return path


def good_entries(prefix=""):
    return [(prefix + name, data) for name, data in GOOD.items()]


def test_plain_zip_gives_codes_report_and_summary(tmp_path):
    z = make_zip(tmp_path / "2023000001.zip", good_entries())
    with open_submission(z, LAYOUT) as sub:
        assert sub.student_id == "2023000001"
        assert (sub.code_dir / "layers.py").read_text() == "x = 1\n"
        assert sub.report.name == "Report.md" and sub.integrity.name == "summary.txt"
        assert sub.flags == []
        root = sub.root
    assert not root.exists(), "the temp dir must be deleted after the context"


def test_top_folder_and_macosx_junk_are_tolerated(tmp_path):
    entries = good_entries("2023000002/") + [("__MACOSX/2023000002/._layers.py", "junk"),
                                              ("2023000002/.DS_Store", "junk"), ("2023000002/codes/", "")]
    with open_submission(make_zip(tmp_path / "2023000002.zip", entries), LAYOUT) as sub:
        assert sub.root.name == "2023000002"
        assert sorted(p.name for p in sub.code_dir.iterdir()) == ["layers.py", "loss.py"]
        assert not any(p.name.startswith("._") or p.name == ".DS_Store" for p in sub.root.rglob("*"))
        assert sub.flags == []


def test_gbk_encoded_names_are_decoded(tmp_path):
    entries = [("2023000003/Report.md", "r"), ("2023000003/summary.txt", "s"),
               ("2023000003/codes/layers.py", "x = 1\n"), ("2023000003/实验报告说明.txt", "中文")]
    z = make_zip(tmp_path / "2023000003.zip", entries, info_class=GbkNameInfo)
    with zipfile.ZipFile(z) as zf:  # really written without the UTF-8 flag
        assert all(not i.flag_bits & 0x800 for i in zf.infolist())
    with open_submission(z, LAYOUT) as sub:
        assert (sub.root / "实验报告说明.txt").read_text(encoding="utf-8") == "中文"


def test_folder_input_is_accepted(tmp_path):
    folder = tmp_path / "2023000004"
    for name, data in GOOD.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(data)
    with open_submission(folder, LAYOUT) as sub:
        assert sub.student_id == "2023000004"
        assert sub.code_dir != folder / "codes"  # a private copy, not the original
        assert (sub.code_dir / "loss.py").read_text() == "y = 2\n"


def _symlink_info(name):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _device_info(name):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFCHR | 0o666) << 16
    return info


HOSTILE = {
    "zip slip": ([("../evil.py", "x")], "leaves the archive"),
    "zip slip with backslashes": ([("codes\\..\\..\\evil.py", "x")], "leaves the archive"),
    "absolute path": ([("/tmp/evil.py", "x")], "absolute path"),
    "windows drive": ([("C:/evil.py", "x")], "absolute path"),
    "symlink": ([(_symlink_info("codes/layers.py"), "/etc/passwd")], "symbolic link"),
    "device": ([(_device_info("codes/dev"), "")], "device"),
    "duplicate": ([("codes/layers.py", "a"), ("codes/layers.py", "b")], "appears twice"),
    "duplicate up to case": ([("codes/layers.py", "a"), ("codes/Layers.py", "b")], "appears twice"),
    "file and folder clash": ([("codes", "a"), ("codes/layers.py", "b")], "also a file"),
    "too many files": ([(f"codes/f{i}.py", "") for i in range(MAX_FILES + 1)], f"more than {MAX_FILES}"),
    "name too long": ([("codes/" + "x" * 300 + ".py", "")], "cannot extract"),
    "zip bomb": ([("codes/bomb.py", b"\0" * (20 * 2**20))], "zip bomb"),
    "empty": ([], "empty"),
    "only junk": ([("__MACOSX/._a", "x"), ("codes/", "")], "empty"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_archive_is_rejected_with_one_line(tmp_path, kind):
    entries, words = HOSTILE[kind]
    z = make_zip(tmp_path / "2023000009.zip", entries)
    with pytest.raises(SubmissionError) as caught:
        with open_submission(z):
            pass
    message = str(caught.value)
    assert words in message and message.startswith("2023000009.zip: ") and "\n" not in message
    assert not (tmp_path / "evil.py").exists()


@pytest.mark.parametrize("content", [b"", b"this is not a zip", b"PK\x03\x04 truncated"])
def test_not_a_zip_is_rejected_with_one_line(tmp_path, content):
    z = tmp_path / "2023000010.zip"
    z.write_bytes(content)
    with pytest.raises(SubmissionError, match=r"^2023000010.zip: not a readable zip archive") as caught:
        with open_submission(z):
            pass
    assert "\n" not in str(caught.value)


def test_folder_with_symlink_is_rejected(tmp_path):
    folder = tmp_path / "2023000011"
    (folder / "codes").mkdir(parents=True)
    (folder / "codes" / "layers.py").symlink_to("/etc/passwd")
    with pytest.raises(SubmissionError, match="symbolic link"):
        with open_submission(folder):
            pass


def test_password_protected_entry_is_rejected(tmp_path):
    z = make_zip(tmp_path / "2023000012.zip", [("codes/layers.py", "x")], compression=zipfile.ZIP_STORED)
    data = bytearray(z.read_bytes())  # zipfile cannot encrypt: set the "encrypted" flag by hand
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + flags_at] |= 0x1
    z.write_bytes(bytes(data))
    with pytest.raises(SubmissionError, match="password-protected"):
        with open_submission(z):
            pass
