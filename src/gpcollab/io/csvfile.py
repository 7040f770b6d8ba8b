"""Reading CSV text as a stream of rows, with physical line numbers.

The file is decoded with the encoding :func:`~gpcollab.io.source.detect_encoding` decided and
read line by line (never whole), so memory stays bounded whatever the file's size. Each row
carries the physical lines it spans, as an editor numbers them, so a row after a cell that
holds line breaks keeps the number a user sees.

An unclosed quote would make the CSV parser swallow every following line into one field. A
row spanning several lines is therefore checked: when its quoted field runs to the end of the
file, when the row breaks CSV's quoting rules read strictly (a quote followed by text, as when
the next quoted answer closes the open quote), when the row has more fields than the header (or
fewer, with separators in the swallowed lines), or when its continuation lines look like rows
of their own (they hold many separators), the quote is taken as unclosed. The row where it
opened is rejected (naming the line and column, and the lines after it) and the lines after it
are read again as rows of their own, so rows read always equals the data lines of the file.
A row on one line that breaks CSV's quoting rules read strictly and has the wrong number of
fields is rejected the same way, so that its values never land in the wrong columns.
A line holding only the DOS end-of-file mark (0x1A) at the end of the file, or that mark ending
the last line, is the end of the file (with a note), never a row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from collections.abc import Iterator
from typing import TextIO

from gpcollab.codebook import normalise_text
from gpcollab.errors import LoadError, UnreadableFileError
from gpcollab.io.limits import Limits
from gpcollab.io.source import Source, detect_encoding
from gpcollab.io.table import RawRow, RawTable

__all__ = ["DELIMITERS", "read_csv"]

DELIMITERS = (",", ";", "\t", "|")
_END = "\x00gpcollab: end of file\x00"  # fed to the parser after the last line (NUL is refused)
_DOS_EOF = "\x1a"  # Ctrl-Z: old DOS programs end text files with it
_BREAK = re.compile(r"\r\n|\r|\n")
_ANY_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BLOCK_CHARS = 1 << 20


def _split_lf(text: str) -> list[str]:
    """Lines ending in LF (a CR inside a line stays); the last item is the unfinished rest."""
    parts = text.split("\n")
    rest = parts.pop()
    return [p + "\n" for p in parts] + [rest]


def _split_any(text: str) -> list[str]:
    """Lines ending in LF, CR or CRLF; the last item is the unfinished rest.

    A CR at the very end may be the first half of a CRLF split by the block, so it stays in
    the rest.
    """
    lines = _ANY_LINE.findall(text)
    consumed = sum(map(len, lines))
    rest = text[consumed:]
    if lines and not rest and lines[-1].endswith("\r") and not lines[-1].endswith("\r\n"):
        rest = lines.pop()
    elif lines and rest == "" and not lines[-1].endswith(("\n", "\r")):
        rest = lines.pop()
    return [*lines, rest]


def read_csv(
    source: Source, known_headers: set[str], limits: Limits, encoding: str | None = None
) -> RawTable:
    """Open a CSV file as a :class:`RawTable` whose rows are parsed lazily.

    Parameters
    ----------
    source : Source
    known_headers : set of str
        Normalised header texts of the codebook (they decide the separator).
    limits : Limits
    encoding : str, optional
        Force the encoding instead of detecting it.
    """
    chosen = detect_encoding(source, encoding)
    newline = _newline(source, chosen)
    stream = io.TextIOWrapper(source.open(), encoding=chosen, newline=newline)
    feed = _Feed(stream, source.name, limits, newline)
    try:
        first = feed.first_content_line()
    except BaseException:
        stream.close()
        raise
    if first is None:
        stream.close()
        raise LoadError(
            f"{source.name}: the file is empty (only blank lines); expected a header row."
        )
    delimiter = _sniff_delimiter(first, known_headers)
    table = RawTable("csv", iter(()), encoding=chosen, delimiter=delimiter)
    if delimiter != ",":
        table.notes.append(f"fields are separated by {delimiter!r}, not commas")
    feed.notes = table.notes
    table.rows = _Records(feed, delimiter, table, limits).rows()
    table.closers.append(stream.close)
    return table


def _newline(source: Source, encoding: str) -> str:
    """``"\\n"`` when lines end in LF or CRLF, so that a carriage return inside a quoted cell
    stays in the cell; ``""`` (any line end) for files whose lines end in a lone CR."""
    with io.TextIOWrapper(source.open(), encoding=encoding, errors="replace", newline="") as text:
        head = text.read(65536)
    first = _BREAK.search(head)
    return "" if first is not None and first.group() == "\r" else "\n"


def _sniff_delimiter(line: str, known: set[str]) -> str:
    best, best_score = ",", -1
    for delimiter in DELIMITERS:
        try:
            fields = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:  # e.g. a stray carriage return inside the header line
            continue
        score = sum(normalise_text(f) in known for f in fields) * 1000 + len(fields)
        if score > best_score:
            best, best_score = delimiter, score
    return best


class _Feed:
    """The physical lines of a text stream, numbered, with push-back.

    ``taken`` collects the lines handed out since it was last reset: the lines of one record.
    After the last line, one end marker is handed out, so that a quoted field still open at
    the end of the file can be recognised.
    """

    def __init__(self, stream: TextIO, name: str, limits: Limits, newline: str) -> None:
        self.stream = stream
        self.name = name
        self.max_chars = limits.max_line_chars
        self.line = 0
        self.pending: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self.ended = False
        self.buffered: deque[str] = deque()
        self.partial = ""
        self.splitter = _split_lf if newline == "\n" else _split_any
        self.notes: list[str] = []  # the table's notes, once the table exists
        self._items = self._lines()

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        item = next(self._items)  # StopIteration at the end, from the generator
        self.taken.append(item)
        return item[1]

    def _lines(self) -> Iterator[tuple[int, str]]:
        while True:
            if self.pending:
                yield self.pending.popleft()
                continue
            if not self.buffered:
                self._fill()
            if self.buffered:
                self.line += 1
                line = self.buffered.popleft()
                if line.rstrip("\r\n") == _DOS_EOF and self._at_end():
                    self.notes.append(
                        f"line {self.line} holds only the character 0x1a, the end-of-file mark "
                        "of old DOS programs: read as the end of the file"
                    )
                    continue
                yield self.line, line
            elif self.ended:
                return
            else:
                self.ended = True
                yield self.line + 1, _END

    def _at_end(self) -> bool:
        """True when no line follows the one just taken."""
        if not self.buffered:
            self._fill()
        return not self.buffered

    def _fill(self) -> None:
        """Read a block of text and split it into lines (the last, partial one is kept)."""
        while not self.buffered:
            try:
                block = self.stream.read(_BLOCK_CHARS)
            except UnicodeDecodeError as exc:
                raise UnreadableFileError(
                    f"{self.name}: near line {self.line + 1}: not valid "
                    f"{self.stream.encoding} text ({exc.reason})."
                ) from None
            except OSError as exc:
                raise UnreadableFileError(
                    f"{self.name}: cannot read the file ({exc.strerror or exc})."
                ) from None
            text = self.partial + block
            if not block:
                self.partial = ""
                if len(text) > 1 and text.endswith(_DOS_EOF):
                    text = text[:-1]
                    self.notes.append(
                        f"line {self.line + 1} ends with the character 0x1a, the end-of-file "
                        "mark of old DOS programs: read as the end of the file"
                    )
                if text:
                    self._check_length(text, 0)
                    self.buffered.append(text)
                return
            parts = self.splitter(text)
            self.partial = parts.pop()
            for k, part in enumerate(parts):
                if len(part) > self.max_chars:
                    self._check_length(part, k)
            self._check_length(self.partial, len(parts))
            self.buffered.extend(parts)

    def _check_length(self, line: str, index: int) -> None:
        if len(line) > self.max_chars:
            raise LoadError(
                f"{self.name}: line {self.line + len(self.buffered) + index + 1} is longer than "
                f"{self.max_chars:,} characters (Limits.max_line_chars); a survey export has "
                "short lines. Is this a CSV file?"
            )

    def _read(self) -> str:
        """One physical line (used before parsing starts)."""
        if not self.buffered:
            self._fill()
        return self.buffered.popleft() if self.buffered else ""

    def first_content_line(self) -> str | None:
        """The first line that is not blank (the lines read are pushed back)."""
        seen: list[tuple[int, str]] = []
        found = None
        while True:
            text = self._read()
            if not text:
                break
            self.line += 1
            seen.append((self.line, text))
            if text.strip():
                found = text
                break
        self.pending.extend(seen)
        return found

    def push_back(self, items: list[tuple[int, str]]) -> None:
        self.pending.extendleft(reversed(items))
        self._items = self._lines()  # the old generator may have finished at the end marker


class _Records:
    """Turns the lines of a :class:`_Feed` into rows, recovering from unclosed quotes."""

    def __init__(self, feed: _Feed, delimiter: str, table: RawTable, limits: Limits) -> None:
        self.feed = feed
        self.delimiter = delimiter
        self.table = table
        self.limits = limits
        self.width: int | None = None
        self.count = 0

    def rows(self) -> Iterator[RawRow]:
        feed = self.feed
        reader = csv.reader(feed, delimiter=self.delimiter)
        while True:
            feed.taken = []
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield self._broken(None, 0, f"not valid CSV ({exc})")
                reader = csv.reader(feed, delimiter=self.delimiter)
                continue
            taken = feed.taken
            if len(taken) == 1 and taken[0][1] is _END:
                return
            self._count(cells)
            if len(taken) == 1:
                problem = self._misquoted(cells, taken[0][1])
                if problem is None:
                    yield taken[0][0], taken[0][0], cells
                    continue
                yield self._broken(*problem)
                continue
            problem = self._runaway(cells)
            if problem is None:
                yield taken[0][0], taken[-1][0], cells
                continue
            yield self._broken(*problem)
            reader = csv.reader(feed, delimiter=self.delimiter)

    def _count(self, cells: list[str]) -> None:
        """Enforce the limits on rows and on the header's width."""
        self.count += 1
        if self.count > self.limits.max_rows:
            raise LoadError(
                f"{self.feed.name}: more than {self.limits.max_rows:,} rows "
                f"(Limits.max_rows); raise the limit if the file is genuine."
            )
        if self.width is None and any(c.strip() for c in cells):
            self.width = len(cells)
            if self.width > self.limits.max_columns:
                raise LoadError(
                    f"{self.feed.name}: line {self.feed.taken[0][0]}: the header has "
                    f"{self.width:,} fields, more than the {self.limits.max_columns:,} allowed "
                    "(Limits.max_columns)."
                )

    def _runaway(self, cells: list[str]) -> tuple[int, int, str] | None:
        """(field, line offset, reason) when a multi-line row has an unclosed quote."""
        before = 0  # line breaks in the fields before the one inspected
        threshold = max(2, (self.width - 1) // 2) if self.width else None
        for index, cell in enumerate(cells):
            if _END in cell:
                return (
                    index,
                    before,
                    "the quote is never closed: the field runs to the end of the file",
                )
            parts = _BREAK.split(cell)
            if len(parts) == 1:
                continue
            miscount = self._miscount(cells, parts[1:])
            if miscount:
                return index, before, miscount
            if threshold is not None:
                crowded = [p for p in parts[1:] if p.count(self.delimiter) >= threshold]
                if crowded:
                    return (
                        index,
                        before,
                        f"the quoted field runs over {len(parts)} lines, and the lines after "
                        f"the first hold {crowded[0].count(self.delimiter)} separators, like "
                        "rows of their own: the quote is probably not closed",
                    )
            before += len(parts) - 1
        return None

    def _misquoted(self, cells: list[str], line: str) -> tuple[int, int, str] | None:
        """(field, 0, reason) when a one-line row breaks CSV's quoting rules and so has the
        wrong number of fields: a quote followed by text merges or splits fields, and every
        value after it would land in another column."""
        width = self.width
        if width is None or len(cells) == width or '"' not in line or not self._malformed():
            return None
        field = line[: line.find('"')].count(self.delimiter)
        return (
            field,
            0,
            f"a quote in the row is followed by text rather than a separator, which leaves the "
            f"row with {len(cells)} fields where the header has {width}: its values cannot be "
            "matched to their columns",
        )

    def _miscount(self, cells: list[str], continuation: list[str]) -> str:
        """Why a row spanning lines has a quote that swallowed them, judged by its width.

        A cell that legitimately holds line breaks leaves the row as wide as the header. A quote
        left open swallows the next lines up to the next quote: the row then has more fields
        than the header, or fewer while the swallowed lines hold separators.
        """
        width = self.width
        if self._malformed():
            return (
                f"a quoted field runs over {len(continuation) + 1} lines, and a quote in it is "
                "followed by text rather than a separator, as when a quote left open is closed "
                "by the next quoted answer: the quote is probably not closed"
            )
        if width is None or len(cells) == width:
            return ""
        if len(cells) < width and not any(self.delimiter in part for part in continuation):
            return ""  # a short row (trailing empty cells left out) with a multi-line cell
        return (
            f"a quoted field runs over {len(continuation) + 1} lines and leaves the row with "
            f"{len(cells)} fields where the header has {width}: the quote is probably not "
            "closed"
        )

    def _malformed(self) -> bool:
        """Whether the lines of the current row break CSV's quoting rules (read strictly)."""
        lines = [text for _, text in self.feed.taken if text is not _END]
        try:
            for _ in csv.reader(lines, delimiter=self.delimiter, strict=True):
                pass
        except csv.Error:
            return True
        return False

    def _broken(self, index: int | None, offset: int, reason: str) -> RawRow:
        """Reject the row where a quote opened; push back the lines after that line."""
        taken = self.feed.taken
        if taken and taken[-1][1] is _END:
            taken = taken[:-1]
            self.feed.ended = False  # hand the end marker out again after the pushed-back lines
        first = taken[0][0] if taken else self.feed.line
        opened = min(offset, max(len(taken) - 1, 0))
        opening_line = taken[opened][1] if taken else ""
        found = opening_line.rstrip("\r\n")
        if index is not None:
            quote = found.find('"')
            found = found[quote:] if quote >= 0 else found
        if len(found) > 60:
            found = found[:57] + "..."
        where = f"line {first + opened}" if opened else f"line {first}"
        rest = taken[opened + 1 :]
        if len(rest) == 1:
            lines = f"; line {rest[0][0]} after it was read as a row of its own"
        elif rest:
            lines = f"; lines {rest[0][0]}-{rest[-1][0]} after it were read as rows of their own"
        else:
            lines = ""
        self.table.broken[first] = (index, found, f"{reason} (the quote opens on {where}{lines})")
        self.feed.push_back(rest)
        self.feed.taken = []
        return first, first + opened, None
