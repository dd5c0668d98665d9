"""The one reader (rnndiagrams/inputs.py) against real hostile zips: every member is inflated as
a bounded stream whatever the zip declares, and every failure is one located SpecError."""

import io
import random
import resource
import sys
import zipfile
import zlib

import pytest
from conftest import ROOT

from rnndiagrams.errors import SpecError
from rnndiagrams.inputs import MAX_ZIP_ENTRIES, read_zip_member

sys.path.insert(0, str(ROOT))
from fuzz import zips  # noqa: E402 (after the path is set)

LIMIT = 1_000_000
CONFIG = b'{"class_name": "Sequential", "config": {"layers": []}}' * 100


def _write(tmp_path, data: bytes):
    path = tmp_path / "model.keras"
    path.write_bytes(data)
    return str(path)


def _refused(path: str, message: str, member: str = "config.json") -> SpecError:
    with pytest.raises(SpecError) as e:
        read_zip_member(path, member, LIMIT, "expected a model")
    assert e.value.where in (f"{path}:1:1", f"{path}!{member}:1:1"), e.value.where
    assert message in e.value.problem, e.value.problem
    assert "\n" not in str(e.value)
    return e.value


def _zipfile_zip(method: int, data: bytes = CONFIG, name: str = "config.json") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        z.writestr(name, data)
        z.writestr("model.weights.h5", b"\x89HDF" * 1000)
    return buf.getvalue()


@pytest.mark.parametrize(
    "method",
    [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA],
    ids=["stored", "deflate", "bzip2", "lzma"],
)
def test_members_written_by_pythons_zipfile_read_back(method, tmp_path):
    path = _write(tmp_path, _zipfile_zip(method))
    assert read_zip_member(path, "config.json", LIMIT, "expected a model") == CONFIG
    assert read_zip_member(path, "missing.json", LIMIT, "expected a model") is None


def test_a_member_of_exactly_the_limit_is_read_and_one_byte_more_refused(tmp_path):
    path = _write(tmp_path, _zipfile_zip(zipfile.ZIP_DEFLATED, b"x" * LIMIT))
    assert len(read_zip_member(path, "config.json", LIMIT, "expected")) == LIMIT
    with pytest.raises(SpecError, match="inflates past 999,999 bytes"):
        read_zip_member(path, "config.json", LIMIT - 1, "expected a model")


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.parametrize(
    "bomb",
    [
        lambda: zips.bz2_bomb("config.json"),  # 3 KB declaring 900 bytes, inflating to 4 GiB
        lambda: zips.deflate_bomb("config.json", 4096),  # 4 MB inflating to 4 GiB
    ],
    ids=["bz2-4GiB", "deflate-4GiB"],
)
def test_bombs_stop_at_the_bound_whatever_they_declare(bomb, tmp_path):
    path = _write(tmp_path, zips.build([bomb()]))
    before = _peak_kb()
    _refused(path, "member inflates past 1,000,000 bytes")
    assert _peak_kb() - before < 200 * 1024  # the 4 GiB were never held


def test_a_million_entry_directory_is_refused_before_zipfile_reads_it(tmp_path):
    path = _write(tmp_path, zips.build([zips.stored("config.json", CONFIG)], 1_000_000))
    before = _peak_kb()
    error = _refused(path, "a zip of 1,000,000 entries")
    assert f"at most {MAX_ZIP_ENTRIES:,} entries" in str(error)
    assert _peak_kb() - before < 100 * 1024  # zipfile took 431 MB for its ZipInfo objects


def test_zip64_end_records_are_read(tmp_path):
    """70,000 entries need ZIP64 end records (the count passes 65,535): the true count is read
    from them, not the 0xFFFF placeholder."""
    path = _write(tmp_path, zips.build([zips.stored("config.json", CONFIG)], 70_000))
    _refused(path, "a zip of 70,000 entries")


def test_zip64_written_by_zipfile_reads_back(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z, z.open("config.json", "w", force_zip64=True) as f:
        f.write(CONFIG)
    path = _write(tmp_path, buf.getvalue())
    assert read_zip_member(path, "config.json", LIMIT, "expected a model") == CONFIG


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("flags", 0x1, "an encrypted zip member"),
        ("flags", 0x41, "an encrypted zip member"),  # strong encryption
        ("method", 6, "zip compression method 6"),  # implode
        ("method", 99, "zip compression method 99"),  # AES
        ("crc", 0xDEADBEEF, "CRC mismatch"),
    ],
)
def test_patched_headers_are_one_located_error(field, value, message, tmp_path):
    data = zips.patch(_zipfile_zip(zipfile.ZIP_DEFLATED), "config.json", field, value)
    _refused(_write(tmp_path, data), message)


def test_corrupt_deflate_data_is_one_located_error(tmp_path):
    good = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = bytearray(good.compress(CONFIG) + good.flush())
    data[0] = 0xFF  # a reserved block type
    entry = zips.Entry("config.json", bytes(data), zips.DEFLATE, zlib.crc32(CONFIG), len(CONFIG))
    _refused(_write(tmp_path, zips.build([entry])), "damaged compressed data")


@pytest.mark.parametrize("method", [zips.BZIP2, zips.LZMA])
def test_corrupt_bzip2_and_lzma_data_is_one_located_error(method, tmp_path):
    data = _zipfile_zip(method)
    (_, local, _), *_ = zips.directory(data)
    damaged = bytearray(data)
    for i in range(local + 30 + len("config.json") + 4, local + 30 + len("config.json") + 40):
        damaged[i] ^= 0x5A
    _refused(_write(tmp_path, bytes(damaged)), "damaged")


@pytest.mark.parametrize("cut", [10, 100, -30, -10])
def test_truncated_zips_are_one_located_error(cut, tmp_path):
    data = _zipfile_zip(zipfile.ZIP_DEFLATED)
    _refused(_write(tmp_path, data[:cut]), "damaged")


@pytest.mark.parametrize("method", [zips.DEFLATE, zips.BZIP2, zips.LZMA])
def test_a_compressed_size_that_cuts_the_stream_short_is_one_located_error(method, tmp_path):
    data = zips.patch(_zipfile_zip(method), "config.json", "compressed", 20)
    _refused(_write(tmp_path, data), "damaged")


def test_a_zip_version_zipfile_does_not_know_is_one_located_error(tmp_path):
    """zipfile raised NotImplementedError ("zip file version 11.5")."""
    data = zips.patch(_zipfile_zip(zipfile.ZIP_DEFLATED), "model.weights.h5", "version", 115)
    _refused(_write(tmp_path, data), "a damaged zip (zip file version 11.5)")


def test_a_name_flagged_utf8_that_is_not_is_one_located_error(tmp_path):
    """zipfile raised UnicodeDecodeError for a member name flagged UTF-8 (bit 11) that is not."""
    data = zips.build([zips.stored("config.json", CONFIG), zips.stored("w\udcff.h5", b"")])
    data = zips.patch(data, "w\ufffd.h5", "flags", 0x800)
    _refused(_write(tmp_path, data), "a damaged zip ('utf-8' codec can't decode")


def test_an_lzma_member_shorter_than_its_header_is_refused_without_reading_on(tmp_path):
    """Its compressed size left a negative count to read: f.read(-1) reads the whole file."""
    data = zips.patch(_zipfile_zip(zipfile.ZIP_LZMA), "config.json", "compressed", 3)
    _refused(_write(tmp_path, data), "shorter than its header")


@pytest.mark.parametrize("method", [zips.STORED, zips.DEFLATE, zips.BZIP2, zips.LZMA])
def test_bytes_changed_anywhere_give_the_member_or_one_located_error(method, tmp_path):
    """1 to 4 bytes changed anywhere in a two-member zip, 400 times per method: the member
    comes back as written, or one SpecError; never another exception."""
    base = _zipfile_zip(method)
    path = tmp_path / "model.keras"
    rng = random.Random(method)
    for _ in range(400):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path.write_bytes(bytes(data))
        try:
            # a changed name finds no member; a changed byte of data fails the CRC
            assert read_zip_member(str(path), "config.json", LIMIT, "expected") in (None, CONFIG)
        except SpecError as e:
            assert "\n" not in str(e) and str(e).startswith(str(path))
