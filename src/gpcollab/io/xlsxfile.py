"""Reading an XLSX workbook as a stream of rows, within resource bounds.

The workbook is read directly from its XML parts, with a parser that refuses entity tricks
(``defusedxml``). Nothing in the file is trusted to describe its own size:

* the ``<dimension>`` element (which other tools often write wrongly) is ignored: every
  ``<row>`` of the sheet is read;
* the rectangle the sheet's values span is checked against ``Limits.max_cells`` cell by cell,
  before anything is allocated for it, so a single value in cell XFD1048576 is refused at once;
* the XML unpacked is counted against ``Limits.max_xml_bytes``, both as the archive declares
  it and as it is actually unpacked, so a small workbook that inflates to gigabytes is refused.

A cell holding a formula without a saved value (a workbook written by a program that does not
compute formulas) is read as blank and recorded in ``RawTable.formulas``, so the interpreter
rejects a row that needs it. The sheet read is the one asked for, else the one whose first rows
match the codebook's headers best, else the first; the report names it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from gpcollab.codebook import normalise_text
from gpcollab.errors import ArgumentError, GpcollabError, LoadError, UnreadableFileError
from gpcollab.io.limits import Limits
from gpcollab.io.source import Source, optional_import
from gpcollab.io.table import RawRow, RawTable, cell_text

__all__ = ["column_letters", "read_xlsx"]

_REL_DOC = "/officeDocument"
_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_DATE_TOKENS = re.compile(r"[dmyhs]", re.IGNORECASE)
_TIME_ONLY = re.compile(r"^[^dy]*$", re.IGNORECASE)
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def column_letters(index: int) -> str:
    """Spreadsheet letters of a 0-based column position (0 -> ``A``, 26 -> ``AA``)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def read_xlsx(
    source: Source, known_headers: set[str], limits: Limits, sheet: str | int | None = None
) -> RawTable:
    """Open one sheet of a workbook as a :class:`RawTable` whose rows are read lazily.

    Parameters
    ----------
    source : Source
    known_headers : set of str
        Normalised header texts of the codebook (they choose the sheet when none is given).
    limits : Limits
    sheet : str or int, optional
        Sheet name, or 0-based position.
    """
    parser = optional_import("defusedxml.ElementTree", "xlsx", source.name)
    handle = source.open()
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        handle.close()
        raise UnreadableFileError(
            f"{source.name}: not a readable XLSX workbook ({type(exc).__name__}: {exc})."
        ) from None
    book = _Workbook(archive, source.name, limits, parser)
    try:
        book.load()
        name, part = book.choose(sheet, known_headers)
    except (GpcollabError, ArgumentError):
        archive.close()
        handle.close()
        raise
    except Exception as exc:  # damaged XML or archive: many exception types
        archive.close()
        handle.close()
        raise UnreadableFileError(
            f"{source.name}: not a readable XLSX workbook ({type(exc).__name__}: {exc})."
        ) from None
    table = RawTable("xlsx", iter(()), sheet=name, strict_width=False)
    if len(book.sheets) > 1:
        names = ", ".join(repr(n) for n, _ in book.sheets)
        position = [n for n, _ in book.sheets].index(name) + 1
        table.notes.append(
            f"read sheet {name!r} (sheet {position} of {len(book.sheets)}: {names}); choose "
            "another with sheet= (or --sheet, or survey.sheet in the codebook)"
        )
    table.rows = book.rows(part, table)
    table.closers.extend([archive.close, handle.close])
    return table


class _Counted:
    """A binary stream that counts the bytes read against the workbook's budget."""

    def __init__(self, stream: IO[bytes], book: _Workbook, part: str) -> None:
        self.stream = stream
        self.book = book
        self.part = part

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.book.spend(len(data), self.part)
        return data

    def __enter__(self) -> _Counted:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()


class _Workbook:
    """The parts of a workbook needed to read one sheet's values."""

    def __init__(self, archive: zipfile.ZipFile, name: str, limits: Limits, parser: Any) -> None:
        self.archive = archive
        self.name = name
        self.limits = limits
        self.parser = parser
        self.spent = 0
        self.sheets: list[tuple[str, str]] = []
        self.strings: list[str] = []
        self.date_styles: dict[int, bool] = {}  # style index -> time only
        self.date1904 = False

    # -- budget ------------------------------------------------------------------------------

    def spend(self, size: int, part: str) -> None:
        self.spent += size
        if self.spent > self.limits.max_xml_bytes:
            raise LoadError(
                f"{self.name}: the workbook unpacks to more than {self.limits.max_xml_bytes:,} "
                f"bytes of XML (reached in {part}; Limits.max_xml_bytes). A survey export is "
                "far smaller; this may be a 'zip bomb'. Raise the limit if the file is genuine."
            )

    def open(self, part: str) -> _Counted:
        try:
            info = self.archive.getinfo(part)
        except KeyError:
            raise UnreadableFileError(
                f"{self.name}: not a readable XLSX workbook (the part {part!r} is missing)."
            ) from None
        if self.spent + info.file_size > self.limits.max_xml_bytes:
            raise LoadError(
                f"{self.name}: the part {part} declares {info.file_size:,} bytes of XML, more "
                f"than the {self.limits.max_xml_bytes:,} allowed (Limits.max_xml_bytes). A "
                "survey export is far smaller; this may be a 'zip bomb'. Raise the limit if the "
                "file is genuine."
            )
        return _Counted(self.archive.open(info), self, part)

    def parse(self, part: str) -> Any:
        with self.open(part) as stream:
            return self.parser.parse(stream).getroot()

    def exists(self, part: str) -> bool:
        return part in self.archive.NameToInfo

    # -- structure ---------------------------------------------------------------------------

    def relations(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part) of one part."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if not self.exists(rels):
            return {}
        result: dict[str, tuple[str, str]] = {}
        for rel in self.parse(rels):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            result[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
        return result

    def load(self) -> None:
        root_rels = self.relations("")
        workbook = next(
            (t for kind, t in root_rels.values() if kind.endswith(_REL_DOC)), "xl/workbook.xml"
        )
        rels = self.relations(workbook)
        root = self.parse(workbook)
        for element in root.iter():
            tag = _local(element.tag)
            if tag == "workbookPr":
                self.date1904 = element.get("date1904", "0").lower() in ("1", "true")
            elif tag == "sheet":
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), "")
                if rid in rels:
                    self.sheets.append((element.get("name", ""), rels[rid][1]))
        if not self.sheets:
            raise UnreadableFileError(f"{self.name}: the workbook has no worksheet.")
        for kind, target in rels.values():
            if kind.endswith("/sharedStrings") and self.exists(target):
                self.strings = self._shared_strings(target)
            elif kind.endswith("/styles") and self.exists(target):
                self._styles(target)

    def _shared_strings(self, part: str) -> list[str]:
        strings: list[str] = []
        with self.open(part) as stream:
            for _, element in self.parser.iterparse(stream, events=("end",)):
                if _local(element.tag) == "si":
                    strings.append(_rich_text(element))
                    element.clear()
        return strings

    def _styles(self, part: str) -> None:
        root = self.parse(part)
        formats: dict[int, str] = {}
        for element in root.iter():
            if _local(element.tag) == "numFmt":
                try:
                    formats[int(element.get("numFmtId", "-1"))] = element.get("formatCode", "")
                except ValueError:
                    continue
        for child in root:
            if _local(child.tag) != "cellXfs":
                continue
            for index, xf in enumerate(child):
                try:
                    number_format = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                code = formats.get(number_format)
                if code is not None:
                    bare = _LITERALS.sub("", code).split(";")[0]
                    if _DATE_TOKENS.search(bare):
                        self.date_styles[index] = bool(_TIME_ONLY.match(bare))
                elif number_format in _DATE_IDS:
                    self.date_styles[index] = number_format in (18, 19, 20, 21, 45, 46, 47)

    # -- the sheet ---------------------------------------------------------------------------

    def choose(self, sheet: str | int | None, known: set[str]) -> tuple[str, str]:
        names = [n for n, _ in self.sheets]
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(self.sheets):
                raise ArgumentError(
                    f"{self.name}: sheet={sheet} but the workbook has {len(names)} sheet(s) "
                    f"(0 to {len(names) - 1}): {', '.join(map(repr, names))}"
                )
            return self.sheets[sheet]
        if isinstance(sheet, str):
            for name, part in self.sheets:
                if normalise_text(name) == normalise_text(sheet):
                    return name, part
            raise LoadError(
                f"{self.name}: no sheet named {sheet!r}; the sheets are "
                f"{', '.join(map(repr, names))}."
            )
        if len(self.sheets) == 1:
            return self.sheets[0]
        best, best_score = self.sheets[0], 0
        for candidate in self.sheets[:20]:
            score = self._header_score(candidate[1], known)
            if score > best_score:
                best, best_score = candidate, score
        return best

    def _header_score(self, part: str, known: set[str]) -> int:
        probe = RawTable("xlsx", iter(()))
        score = 0
        for seen, (_, _, cells) in enumerate(self.rows(part, probe)):
            score += sum(normalise_text(c) in known for c in cells or () if c)
            if seen >= 3:
                break
        return score

    def rows(self, part: str, table: RawTable) -> Iterator[RawRow]:
        """Every row holding a value, with the blank rows between them (not those after)."""
        reader = _SheetReader(self, part, table)
        try:
            yield from reader.rows()
        except GpcollabError:
            raise
        except Exception as exc:  # damaged XML: many exception types
            raise UnreadableFileError(
                f"{self.name}: not a readable XLSX workbook ({type(exc).__name__}: {exc} in "
                f"{part})."
            ) from None


def _rich_text(element: Any) -> str:
    """The text of a shared or inline string (rich-text runs joined; phonetic runs left out)."""
    parts: list[str] = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


class _SheetReader:
    """Streams one worksheet's ``<row>`` elements into rows of text."""

    def __init__(self, book: _Workbook, part: str, table: RawTable) -> None:
        self.book = book
        self.part = part
        self.table = table
        self.limits = book.limits
        self.last_row = 0  # last row holding a value
        self.widest = 0  # columns spanned by values
        self.last_emitted = 0

    def rows(self) -> Iterator[RawRow]:
        book = self.book
        with book.open(self.part) as stream:
            number = 0
            cells: dict[int, str] = {}
            position = -1
            current: Any = None
            parent: Any = None
            for event, element in book.parser.iterparse(stream, events=("start", "end")):
                tag = _local(element.tag)
                if event == "start":
                    if tag == "row":
                        current = element
                        number = self._row_number(element, number)
                        cells, position = {}, -1
                    elif tag == "sheetData":
                        parent = element
                    continue
                if tag == "c" and current is not None:
                    position = self._cell(element, number, position, cells)
                    del current[:]  # the finished cell is not needed any more
                elif tag == "row":
                    if cells:
                        yield from self._emit(number, cells)
                    current = None
                    if parent is not None:
                        del parent[:]  # nor the finished row

    def _row_number(self, element: Any, previous: int) -> int:
        text = element.get("r")
        try:
            number = int(text) if text is not None else previous + 1
        except ValueError:
            number = previous + 1
        if number > self.limits.max_rows:
            raise LoadError(
                f"{self.book.name}: sheet row {number:,} is beyond the {self.limits.max_rows:,} "
                "rows allowed (Limits.max_rows)."
            )
        return number

    def _cell(self, element: Any, number: int, position: int, cells: dict[int, str]) -> int:
        ref = element.get("r")
        match = _REF.match(ref) if ref else None
        column = _column_index(match.group(1)) if match else position + 1
        text, formula = self._value(element, number, column)
        if formula is not None:
            self.table.formulas.setdefault(number, {})[column] = formula
        if text:
            self._check_extent(number, column, ref or column_letters(column) + str(number))
            cells[column] = text
        return column

    def _check_extent(self, number: int, column: int, ref: str) -> None:
        limits = self.limits
        if column + 1 > limits.max_columns:
            raise LoadError(
                f"{self.book.name}: cell {ref} holds a value in column {column + 1:,}, beyond "
                f"the {limits.max_columns:,} columns allowed (Limits.max_columns)."
            )
        last_row = max(self.last_row, number)
        widest = max(self.widest, column + 1)
        if last_row * widest > limits.max_cells:
            raise LoadError(
                f"{self.book.name}: cell {ref} holds a value, so the sheet spans {last_row:,} "
                f"rows x {widest:,} columns, more than the {limits.max_cells:,} cells allowed "
                "(Limits.max_cells). Delete the stray cell, or raise the limit."
            )
        self.last_row, self.widest = last_row, widest

    def _value(self, element: Any, number: int, column: int) -> tuple[str, str | None]:
        kind = element.get("t", "n")
        value: str | None = None
        formula: str | None = None
        inline = ""
        for child in element:
            tag = _local(child.tag)
            if tag == "v":
                value = child.text
            elif tag == "f":
                formula = "=" + (child.text or "(shared formula)")
            elif tag == "is":
                inline = _rich_text(child)
        if kind == "inlineStr":
            return inline, None
        if value is None or value == "":
            return "", formula
        if kind == "s":
            try:
                return self.book.strings[int(value)], None
            except (ValueError, IndexError):
                raise UnreadableFileError(
                    f"{self.book.name}: cell {column_letters(column)}{number} refers to shared "
                    f"string {value!r}, which the workbook does not hold."
                ) from None
        if kind == "b":
            return ("True" if value.strip() in ("1", "true") else "False"), None
        if kind in ("str", "e"):
            return value, None
        if kind == "d":
            try:
                return cell_text(datetime.fromisoformat(value.strip())), None
            except ValueError:
                return value, None
        return self._number(value, element.get("s")), None

    def _number(self, value: str, style: str | None) -> str:
        try:
            number = float(value)
        except ValueError:
            return value
        time_only = self.book.date_styles.get(int(style)) if style and style.isdigit() else None
        if time_only is None:
            return cell_text(number)
        if self.book.date1904:
            epoch, days = datetime(1904, 1, 1), number
        else:  # serials below 60 precede Excel's phantom 29 February 1900
            epoch, days = datetime(1899, 12, 30), number + (number < 60)
        try:
            moment = epoch + timedelta(milliseconds=round(days * 86_400_000))
        except (OverflowError, ValueError):
            return cell_text(number)
        if time_only and number < 1:
            return moment.time().isoformat()
        return cell_text(moment)

    def _emit(self, number: int, cells: dict[int, str]) -> Iterator[RawRow]:
        for blank in range(self.last_emitted + 1, number):
            yield blank, blank, []
        self.last_emitted = number
        width = max(cells) + 1
        row = [""] * width
        for column, text in cells.items():
            row[column] = text
        yield number, number, row
