"""Zip files as an attacker writes them, byte by byte: bombs, huge directories, patched headers.

Python's zipfile cannot write these (it compresses what it is given and keeps its headers
honest), so `make fuzz` and the tests build them here. Pure functions, fast: a 1 GiB deflate
bomb or a 1M-entry directory takes well under a second to build.
"""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

STORED, DEFLATE, BZIP2, LZMA = 0, 8, 12, 14

# bz2 of 4 GiB of zeros (bz2.BZ2Compressor(9), 2,9xx bytes): one stream, so zipfile and our
# reader both inflate all of it unless they bound the output.
BZ2_BOMB_4GIB = base64.b64decode((Path(__file__).with_name("bz2_bomb.b64")).read_bytes())
BZ2_BOMB_SIZE = 4 << 30


@dataclass(frozen=True)
class Entry:
    """One member as the headers declare it; `data` is written as is (already compressed)."""

    name: str
    data: bytes
    method: int = STORED
    crc: int = 0
    size: int = 0  # the uncompressed size the headers declare
    flags: int = 0


def stored(name: str, data: bytes) -> Entry:
    return Entry(name, data, STORED, zlib.crc32(data), len(data))


def deflate_bomb(
    name: str, mebibytes: int, declared: int = 900, prefix: bytes = b"", fill: bytes = b"\0"
) -> Entry:
    """Deflate data of `prefix` and `mebibytes` MiB of `fill`, declaring `declared` bytes, with
    its true CRC. Built from one compressed MiB repeated: after a full flush the compressor
    starts afresh, byte-aligned, so each MiB compresses to the same bytes."""
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    mib = fill * ((1 << 20) // len(fill))
    block = c.compress(mib) + c.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(prefix)
    for _ in range(mebibytes):
        crc = zlib.crc32(mib, crc)
    return Entry(name, head + block * mebibytes + c.flush(), DEFLATE, crc, declared)


def bz2_bomb(name: str, declared: int = 900) -> Entry:
    return Entry(name, BZ2_BOMB_4GIB, BZIP2, 0, declared)


def build(entries: list[Entry], directory_entries: int | None = None) -> bytes:
    """A zip of `entries`; with `directory_entries`, the central directory repeats the first
    entry (under numbered names) that many times, all pointing at one local header. ZIP64 end
    records are written when the count passes 65,535, as zipfile writes them."""
    local, central = bytearray(), []
    for e in entries:
        name = e.name.encode("utf-8", "surrogateescape")  # "\udcff" stands for byte 0xFF
        head = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, e.flags, e.method, 0, 0x21, e.crc,
            len(e.data), e.size, len(name), 0,
        )  # fmt: skip
        central.append(_central(e, name, len(local)))
        local += head + name + e.data
    if directory_entries is not None:
        first = entries[0]
        central = [
            _central(first, f"{first.name}.{i}".encode(), 0) for i in range(directory_entries)
        ]
    directory = b"".join(central)
    count, offset = len(central), len(local)
    tail = bytearray()
    if count > 0xFFFF:
        zip64_at = offset + len(directory)
        tail += struct.pack(
            "<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, len(directory), offset
        )
        tail += struct.pack("<IIQI", 0x07064B50, 0, zip64_at, 1)
    short = min(count, 0xFFFF)
    tail += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, short, short, len(directory), offset, 0)
    return bytes(local) + directory + bytes(tail)


def _central(e: Entry, name: bytes, offset: int) -> bytes:
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            e.flags,
            e.method,
            0,
            0x21,
            e.crc,
            len(e.data),
            e.size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )  # fmt: skip
        + name
    )


# Header fields a mutation may patch: (offset in the local header, offset in the central
# entry, struct format).
FIELDS = {
    "version": (4, 6, "<H"),  # needed to extract: zipfile refuses past 6.3
    "flags": (6, 8, "<H"),
    "method": (8, 10, "<H"),
    "crc": (14, 16, "<I"),
    "compressed": (18, 20, "<I"),
    "size": (22, 24, "<I"),
}


def directory(data: bytes) -> list[tuple[int, int, str]]:
    """(central entry offset, local header offset, name) of each member, from the end record."""
    at = data.rfind(b"PK\x05\x06")
    if at < 0:
        return []
    count, _, start = struct.unpack("<HII", data[at + 10 : at + 20])
    out = []
    pos = start
    for _ in range(count):
        if data[pos : pos + 4] != b"PK\x01\x02":
            break
        n, m, k = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        (local,) = struct.unpack("<I", data[pos + 42 : pos + 46])
        out.append((pos, local, data[pos + 46 : pos + 46 + n].decode("utf-8", "replace")))
        pos += 46 + n + m + k
    return out


def patch(data: bytes, member: str, field: str, value: int) -> bytes:
    """`data` with `field` of `member` set to `value` in both its local and central headers."""
    out = bytearray(data)
    local_at, central_at, fmt = FIELDS[field]
    for central, local, name in directory(data):
        if name == member:
            struct.pack_into(fmt, out, central + central_at, value)
            if out[local : local + 4] == b"PK\x03\x04":
                struct.pack_into(fmt, out, local + local_at, value)
    return bytes(out)
