"""One reader for every input a user hands us: specs, imported model files, watched files.

Each is a regular file, opened without blocking (a FIFO would hang `open()`, a device such as
a link to /dev/zero would stream without end, a pipe on stdin would grow with its input) and
read with a byte bound, whatever the file says of itself. A zip member is read as a stream
with a bound, whatever size the zip declares for it, so a compression bomb stops at the bound.
Every failure is one SpecError located at the file.
"""

from __future__ import annotations

import os
import stat
import struct
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

from .errors import SpecError

if TYPE_CHECKING:
    import zipfile

CHUNK = 1 << 16
MAX_ZIP_ENTRIES = 10_000  # a .keras file has three; 1M entries took 431 MB in zipfile
MAX_CENTRAL_DIRECTORY = 4 << 20


def read_bytes(path: str | os.PathLike[str], limit: int, expected: str) -> bytes:
    """The file's bytes, at most `limit` of them; `expected` says what the file should be."""
    name = os.fspath(path)
    with open_regular(name, expected) as f:
        return bounded_read(f, limit, name, expected)


def read_text(path: str | os.PathLike[str], limit: int, expected: str) -> str:
    """The file as UTF-8 text, at most `limit` bytes; a bad byte is located at its line:col."""
    name = os.fspath(path)
    return decode_utf8(read_bytes(name, limit, expected), name, expected)


def open_regular(name: str, expected: str) -> BinaryIO:
    """The file opened for reading, refused unless it is a regular file."""
    where = f"{name}:1:1"
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        reason = e.strerror if isinstance(e, OSError) else str(e)
        raise SpecError(where, f"cannot read file ({reason})", expected) from None
    kind = file_kind(os.fstat(fd).st_mode)
    if kind:
        os.close(fd)
        raise SpecError(where, f"not a regular file ({kind})", expected)
    return os.fdopen(fd, "rb")


def bounded_read(f: BinaryIO, limit: int, name: str, expected: str) -> bytes:
    """At most `limit` bytes of `f`; one byte more is an error, not a truncation."""
    try:
        raw = f.read(limit + 1)
    except OSError as e:
        raise SpecError(f"{name}:1:1", f"cannot read file ({e.strerror})", expected) from None
    if len(raw) > limit:
        raise SpecError(
            f"{name}:1:1", f"file is over {limit:,} bytes", f"{expected} of at most that"
        )
    return raw


def decode_utf8(raw: bytes, name: str, expected: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = len(raw[raw.rfind(b"\n", 0, e.start) + 1 : e.start].decode("utf-8", "replace")) + 1
        raise SpecError(f"{name}:{line}:{col}", "bytes that are not UTF-8", expected) from None


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    for test, kind in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_zip_member(path: str, member: str, limit: int, expected: str) -> bytes | None:
    """The member's bytes (None when the zip has no such member), inflated as a stream that
    stops past `limit`. The zip's directory is bounded before zipfile reads it. (zipfile,
    bz2 and lzma are imported here, by the only reader that needs them: not by a spec's.)"""
    import zipfile

    where = f"{path}:1:1"
    with open_regular(path, expected) as f:
        try:
            _check_directory(f, where, expected)
            with zipfile.ZipFile(f) as z:
                try:
                    info = z.getinfo(member)
                except KeyError:
                    return None
                return _inflate(f, info, limit, f"{path}!{member}:1:1", expected)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            EOFError,
            struct.error,
            NotImplementedError,  # zipfile's, for a zip version it does not know
            ValueError,  # UnicodeDecodeError, for a name flagged UTF-8 that is not
        ) as e:
            raise SpecError(where, f"a damaged zip ({_shown(e)})", expected) from None


def _check_directory(f: BinaryIO, where: str, expected: str) -> None:
    """Refuse a zip whose central directory is too big to read, before zipfile reads it."""
    size = f.seek(0, os.SEEK_END)
    tail_start = max(0, size - (1 << 16) - 22)
    f.seek(tail_start)
    tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise SpecError(where, "a damaged zip (no end of central directory)", expected)
    entries, directory = struct.unpack("<HI", tail[at + 10 : at + 16])
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and tail[at - 20 : at - 16] == b"PK\x06\x07":
        (record,) = struct.unpack("<Q", tail[at - 12 : at - 4])
        f.seek(record)
        zip64 = f.read(56)
        if zip64[:4] != b"PK\x06\x06" or len(zip64) < 56:
            raise SpecError(where, "a damaged zip (bad ZIP64 directory)", expected)
        entries, directory = struct.unpack("<QQ", zip64[32:48])
    if entries > MAX_ZIP_ENTRIES or directory > MAX_CENTRAL_DIRECTORY:
        raise SpecError(
            where,
            f"a zip of {entries:,} entries ({directory:,}-byte directory)",
            f"{expected} (at most {MAX_ZIP_ENTRIES:,} entries)",
        )
    f.seek(0)


def _shown(error: Exception) -> str:
    """An error's words, bounded: zipfile's may quote a member's name."""
    text = str(error)
    return text if len(text) <= 100 else text[:100] + "..."


_METHODS = {0: "stored", 8: "deflate", 12: "bzip2", 14: "lzma"}


def _inflate(f: BinaryIO, info: zipfile.ZipInfo, limit: int, where: str, expected: str) -> bytes:
    """Decompress one member ourselves: zipfile inflates bzip2 and lzma without bound, and
    trusts the size the zip declares."""
    import lzma

    if info.flag_bits & 0x1:
        raise SpecError(where, "an encrypted zip member", expected)
    method = _METHODS.get(info.compress_type)
    if method is None:
        raise SpecError(
            where,
            f"zip compression method {info.compress_type}",
            f"{expected} (stored, deflate, bzip2 or lzma)",
        )
    f.seek(info.header_offset)
    header = f.read(30)
    if header[:4] != b"PK\x03\x04" or len(header) < 30:
        raise SpecError(where, "a damaged zip (bad local header)", expected)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    f.seek(start)
    out = bytearray()
    try:
        step = _decompressor(method, f, where, expected)
        remaining = info.compress_size - (f.tell() - start)
        if remaining < 0:  # f.read(-1) would read the whole file
            raise SpecError(where, "a damaged zip member (shorter than its header)", expected)
        while True:
            chunk = f.read(min(CHUNK, remaining)) if remaining else b""
            remaining -= len(chunk)
            out += step(chunk, limit + 1 - len(out))
            if len(out) > limit:
                raise SpecError(where, f"member inflates past {limit:,} bytes", expected)
            if not chunk:
                break
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as e:
        raise SpecError(where, f"damaged compressed data ({e})", expected) from None
    if zlib.crc32(out) != info.CRC:
        raise SpecError(where, "a damaged zip member (CRC mismatch)", expected)
    return bytes(out)


Step = Callable[[bytes, int], bytes]


def _decompressor(method: str, f: BinaryIO, where: str, expected: str) -> Step:
    """A function (chunk, room) -> at most `room` more output bytes per call's input,
    draining what the decompressor holds back before taking more input."""
    import bz2
    import lzma

    if method == "stored":
        return lambda chunk, room: chunk
    if method == "deflate":
        z = zlib.decompressobj(-15)

        def inflate(chunk: bytes, room: int) -> bytes:
            out = bytearray(z.decompress(chunk, room))
            while z.unconsumed_tail and len(out) < room:
                out += z.decompress(z.unconsumed_tail, room - len(out))
            return bytes(out)  # input left over means `room` is reached: the caller refuses

        return inflate
    if method == "bzip2":
        d: bz2.BZ2Decompressor | lzma.LZMADecompressor = bz2.BZ2Decompressor()
    else:
        props = f.read(4)
        if len(props) < 4:
            raise SpecError(where, "a damaged lzma member", expected)
        size = struct.unpack("<H", props[2:4])[0]
        d = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[_lzma_filter(f.read(size))])

    def unpack(chunk: bytes, room: int) -> bytes:
        if d.eof:
            return b""
        out = bytearray(d.decompress(chunk, room))
        while not d.eof and not d.needs_input and len(out) < room:
            out += d.decompress(b"", room - len(out))
        return bytes(out)

    return unpack


def _lzma_filter(props: bytes) -> dict[str, int]:
    """LZMA1 properties as a zip's lzma member header gives them (APPNOTE 5.8.8)."""
    import lzma

    if len(props) != 5 or props[0] >= 9 * 5 * 5:
        raise ValueError("bad lzma properties")
    pb, rest = divmod(props[0], 45)
    lp, lc = divmod(rest, 9)
    dict_size = struct.unpack("<I", props[1:5])[0]
    return {"id": lzma.FILTER_LZMA1, "dict_size": dict_size, "lc": lc, "lp": lp, "pb": pb}
