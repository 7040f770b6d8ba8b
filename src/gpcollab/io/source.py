"""Opening an input safely: regular files and standard input, the format, the text encoding.

* Only regular files are opened. A named pipe (FIFO), a device or a socket would block a load
  or be read twice, so it is refused with a clear message -- except standard input (``"-"`` or
  ``/dev/stdin``), which is read once into memory (at most ``Limits.max_stdin_bytes``).
* The format comes from the content (ZIP, SPSS magic, binary or text), checked against the
  extension.
* The encoding of a text file is decided on the whole file, streamed: UTF-16 or UTF-8 by their
  byte-order marks; else UTF-8 when every byte sequence is valid UTF-8; else cp1252 when no
  valid multi-byte UTF-8 sequence occurs anywhere. A file that holds both valid UTF-8 text and
  bytes that are not UTF-8 mixes encodings: decoding it either way would change some text, so
  it is refused, naming the line and byte offset of both.
"""

from __future__ import annotations

import codecs
import importlib
import io
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from gpcollab.errors import ArgumentError, LoadError, UnreadableFileError
from gpcollab.io.limits import Limits
from gpcollab.io.table import FileFormat

__all__ = [
    "ENCODINGS",
    "EXTENSIONS",
    "FORMATS",
    "Source",
    "detect_encoding",
    "optional_import",
    "sniff_format",
]

FORMATS: tuple[str, ...] = ("csv", "xlsx", "sav")
EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".sav": "sav",
    ".zsav": "sav",
}
ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "cp1252", "utf-16")
_STDIN_NAMES = ("-", "/dev/stdin")
_BLOCK = 1 << 20
# A valid multi-byte UTF-8 sequence (lead byte and its continuation bytes).
_UTF8_MULTI = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


@dataclass
class Source:
    """An input that can be opened (more than once) for reading bytes.

    Attributes
    ----------
    name : str
        How messages name the input (the path as given, or ``<stdin>``).
    path : Path or None
        The regular file, or None for standard input.
    data : bytes or None
        The content of standard input, read once.
    """

    name: str
    path: Path | None
    data: bytes | None = None

    @classmethod
    def open_path(cls, file: str, limits: Limits) -> Source:
        """Check that ``file`` names a readable regular file (or standard input)."""
        if file in _STDIN_NAMES and (file == "-" or not _is_regular(file)):
            return cls("<stdin>", None, _read_stdin(limits))
        try:
            info = os.stat(file)
        except FileNotFoundError:
            raise UnreadableFileError(f"{file}: no such file.") from None
        except OSError as exc:
            raise UnreadableFileError(
                f"{file}: cannot open the file ({exc.strerror or exc})."
            ) from None
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFileError(f"{file}: is a folder, not a file.")
        if not stat.S_ISREG(info.st_mode):
            if _is_stdin(info):
                return cls(file, None, _read_stdin(limits))
            raise UnreadableFileError(
                f"{file}: is {_kind(info.st_mode)}, not a regular file; reading it could block "
                "or consume it. Save the export to a file and read that (standard input is "
                "read with '-')."
            )
        return cls(file, Path(file))

    def open(self) -> BinaryIO:
        """A binary stream positioned at the start."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise UnreadableFileError(
                f"{self.name}: cannot open the file ({exc.strerror or exc})."
            ) from None

    def head(self, size: int = 8192) -> bytes:
        """The first ``size`` bytes."""
        with self.open() as handle:
            try:
                return handle.read(size)
            except OSError as exc:
                raise UnreadableFileError(
                    f"{self.name}: cannot read the file ({exc.strerror or exc})."
                ) from None

    def blocks(self) -> Iterator[bytes]:
        """The content in blocks of about a megabyte."""
        with self.open() as handle:
            while True:
                try:
                    block = handle.read(_BLOCK)
                except OSError as exc:
                    raise UnreadableFileError(
                        f"{self.name}: cannot read the file ({exc.strerror or exc})."
                    ) from None
                if not block:
                    return
                yield block


def _is_regular(file: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(file).st_mode)
    except OSError:
        return False


def _is_stdin(info: os.stat_result) -> bool:
    try:
        own = os.fstat(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (own.st_dev, own.st_ino) == (info.st_dev, info.st_ino)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"  # pragma: no cover


def _read_stdin(limits: Limits) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # pragma: no cover - replaced stdin without bytes
        raise UnreadableFileError("<stdin>: standard input cannot be read as bytes.")
    data: bytes = stream.read(limits.max_stdin_bytes + 1)
    if len(data) > limits.max_stdin_bytes:
        raise LoadError(
            f"<stdin>: more than {limits.max_stdin_bytes:,} bytes on standard input "
            "(Limits.max_stdin_bytes); save the export to a file and read that."
        )
    return data


def optional_import(module: str, extra: str, name: str) -> Any:
    """Import an optional dependency, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise LoadError(
            f"{name}: reading or writing this format needs the optional package "
            f"{module.split('.')[0]!r}; install it with: pip install gpcollab[{extra}]"
        ) from None


# -- the format ------------------------------------------------------------------------------


def sniff_format(source: Source, head: bytes, format: str | None) -> tuple[FileFormat, list[str]]:
    """The format of the content, checked against the extension and ``format``."""
    notes: list[str] = []
    suffix = source.path.suffix if source.path is not None else ""
    by_extension = EXTENSIONS.get(suffix.lower())
    by_content = _content_kind(head)
    if by_content == "xls":
        raise UnreadableFileError(
            f"{source.name}: this is an old binary Excel workbook (.xls); open it in Excel and "
            "save it as .xlsx or .csv, then read that file."
        )
    if by_content == "binary":
        raise UnreadableFileError(
            f"{source.name}: the file holds binary data, not text"
            + (f", although its name ends in {suffix!r}" if suffix else "")
            + f"; allowed: CSV text, XLSX or SPSS .sav ({', '.join(EXTENSIONS)})."
        )
    if format is not None:
        if format not in FORMATS:
            raise ArgumentError(
                f"{source.name}: unknown format {format!r}; allowed: {', '.join(FORMATS)}"
            )
        if format != by_content:
            raise UnreadableFileError(
                f"{source.name}: format={format!r} was asked for, but the content is {by_content}."
            )
        return by_content, notes
    if by_extension is not None and by_extension != by_content:
        notes.append(
            f"the name ends in {suffix!r} but the content is {by_content}; read as {by_content}"
        )
    elif by_extension is None and suffix:
        notes.append(f"unknown extension {suffix!r}; the content was read as {by_content}")
    return by_content, notes


def _content_kind(head: bytes) -> FileFormat | Literal["binary", "xls"]:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head[:4] in (b"$FL2", b"$FL3"):
        return "sav"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"
    if b"\x00" in head or _control_ratio(head) > 0.05:
        return "binary"
    return "csv"


def _control_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    control = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return control / len(data)


# -- the encoding ----------------------------------------------------------------------------


def detect_encoding(source: Source, forced: str | None = None) -> str:
    """The encoding of a text file (one of :data:`ENCODINGS`), checked on every byte.

    Raises
    ------
    UnreadableFileError
        A NUL byte in 8-bit text, bytes that are neither UTF-8 nor cp1252, or a mix of valid
        UTF-8 text and non-UTF-8 bytes; the message names the line and byte offset.
    """
    head = source.head(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    bom = head.startswith(codecs.BOM_UTF8)
    if forced is not None:
        if forced not in ENCODINGS:
            raise ArgumentError(
                f"{source.name}: encoding must be one of {', '.join(ENCODINGS)}, got {forced!r}"
            )
        return forced
    scan = _Scan(source.name)
    for block in source.blocks():
        scan.feed(block)
    scan.finish()
    if scan.bad is None:
        return "utf-8-sig" if bom else "utf-8"
    if bom or scan.first_utf8 is not None:
        bad_line, bad_offset, bad_byte = scan.bad
        line, offset, text = scan.first_utf8 or (1, 0, "the byte-order mark")
        raise UnreadableFileError(
            f"{source.name}: mixed text encodings: line {bad_line} (byte offset {bad_offset}) "
            f"holds byte {bad_byte:#04x}, which is not UTF-8, while line {line} (byte offset "
            f"{offset}) holds UTF-8 text ({text!r}). Decoding the file either way would change "
            "some of its text; re-save it in one encoding (UTF-8)."
        )
    if scan.undefined is not None:
        line, offset, byte = scan.undefined
        raise UnreadableFileError(
            f"{source.name}: line {line} (byte offset {offset}) is neither UTF-8 nor cp1252 text "
            f"(byte {byte:#04x}); allowed encodings: UTF-8 (with or without BOM), cp1252, UTF-16."
        )
    return "cp1252"


class _Scan:
    """Streams the bytes of a file once: NUL bytes, UTF-8 validity, cp1252 validity."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.offset = 0
        self.lines = 1
        self.bad: tuple[int, int, int] | None = None  # line, offset, byte
        self.first_utf8: tuple[int, int, str] | None = None  # line, offset, text
        self.undefined: tuple[int, int, int] | None = None
        self.tail = b""

    def position(self, block: bytes, index: int) -> tuple[int, int]:
        return self.lines + block.count(b"\n", 0, index), self.offset + index

    def feed(self, block: bytes) -> None:
        nul = block.find(b"\x00")
        if nul >= 0:
            line, offset = self.position(block, nul)
            raise UnreadableFileError(
                f"{self.name}: line {line} (byte offset {offset}) holds a NUL byte: this is not "
                "a text file."
            )
        if self.bad is None:
            pending = len(self.decoder.getstate()[0])
            try:
                self.decoder.decode(block)
            except UnicodeDecodeError as exc:
                start = max(0, exc.start - pending)
                line, offset = self.position(block, start)
                self.bad = (line, offset, block[start])
        if not block.isascii():  # pure ASCII blocks hold neither multi-byte nor cp1252 bytes
            self._non_ascii(block)
        self.tail = block[-3:]
        self.lines += block.count(b"\n")
        self.offset += len(block)

    def _non_ascii(self, block: bytes) -> None:
        joined = self.tail + block
        if self.first_utf8 is None:
            match = _UTF8_MULTI.search(joined)
            if match is not None:
                index = match.start() - len(self.tail)
                line, offset = self.position(block, max(index, 0))
                self.first_utf8 = (line, offset, match.group().decode("utf-8"))
        if self.undefined is None:
            match = _CP1252_UNDEFINED.search(block)
            if match is not None:
                line, offset = self.position(block, match.start())
                self.undefined = (line, offset, block[match.start()])

    def finish(self) -> None:
        if self.bad is None:
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self.bad = (self.lines, self.offset - 1, self.tail[-1] if self.tail else 0)
