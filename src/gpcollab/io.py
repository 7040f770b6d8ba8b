"""Read real survey exports into :class:`~gpcollab.schema.SurveyData`, and write them back.

:func:`read_survey` understands

* CSV in UTF-8 (with or without a byte-order mark), cp1252 (Windows Excel) or UTF-16 (Excel
  "Unicode text"), separated by commas, semicolons, tabs or bars (detected, and reported);
* XLSX workbooks (first sheet; needs ``pip install gpcollab[xlsx]``);
* SPSS ``.sav`` files, whose value labels are used to read the codes (needs
  ``pip install gpcollab[spss]``);
* in CSV and XLSX, either one header row (question wording as header; a multi-select option as
  ``"<question> - <option>"``) or the two header rows of common online-survey exports (question
  text, then answer option, a multi-select question spread over one column per option).

What the columns and answers mean comes from a codebook (see :mod:`gpcollab.codebook`).

Every load is accounted for in a :class:`LoadReport`: rows read = rows accepted + rows rejected,
and each rejection names the file, the row, the column, the value found and the values allowed.
Row numbers are those a user sees when opening the file: 1-based and counting the header rows
(the line of a CSV file, the row of the sheet; in a ``.sav`` file, the case number). Wholly
blank lines are skipped, not counted as rows, and listed in the report. An answer the
questionnaire's routing does not ask for (:mod:`gpcollab.routing`: e.g. a collaboration's form
from a respondent outside any collaboration) is a problem of its row like any other: the row is
rejected, with one rejection per off-route answer naming the respondent, item and rule (strict
loads raise; lenient ones leave the row out). Rows are never repaired by blanking answers.

Every failure is one of the library's own exceptions: :class:`~gpcollab.errors.LoadError` (and
its subclass :class:`~gpcollab.errors.UnreadableFileError` when the file cannot be read at
all) or :class:`~gpcollab.errors.CodebookError`.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from gpcollab.codebook import Codebook, list_codebooks, load_codebook, normalise_text
from gpcollab.display import load_report_html
from gpcollab.errors import GpcollabError, LoadError, UnreadableFileError
from gpcollab.routing import record_problems

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from gpcollab.schema import SurveyData

__all__ = ["FORMATS", "LoadReport", "Rejection", "read_survey", "write_survey"]

FileFormat = Literal["csv", "xlsx", "sav"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "sav")
"""File formats read and written. Two header rows are detected in CSV and XLSX."""

_EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".sav": "sav",
    ".zsav": "sav",
}
_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16")
_DELIMITERS = (",", ";", "\t", "|")
_SUBHEADERS = {"", "response", "open-ended response", "open ended response"}
_DATE_LIKE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$"
    r"|^\d{1,2}[- ][A-Za-z]{3}([- ]\d{2,4})?$|^[A-Za-z]{3}[- ]\d{2,4}$"
)
_CODE = re.compile(r"^[+-]?\d+(\.0*)?$")


# -- the accounting --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    """One problem that kept a row out of the data.

    Attributes
    ----------
    file : str
        The file read.
    row : int
        Row as the user sees it (1-based, counting header rows; case number in ``.sav``).
    column : str
        Header of the offending column (``"question | option"`` in two-header exports; the
        variable name in ``.sav`` files).
    found : str
        The value found, as written in the file (empty for a blank cell).
    allowed : str
        What the column accepts.
    reason : str
        What is wrong, in words.
    """

    file: str
    row: int
    column: str
    found: str
    allowed: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}, row {self.row}, column {self.column!r}: {self.reason}; "
            f"found {self.found!r}; allowed: {self.allowed}"
        )


@dataclass(frozen=True)
class LoadReport:
    """Accounting of one load: every row read is either accepted or rejected, with reasons.

    Attributes
    ----------
    file : str
        The file read.
    codebook : str
        Name of the codebook used.
    format : str
        ``"csv"``, ``"xlsx"`` or ``"sav"``.
    encoding : str or None
        Text encoding used (CSV only): ``utf-8``, ``utf-8-sig`` (with byte-order mark),
        ``cp1252`` or ``utf-16``.
    delimiter : str or None
        Field separator detected (CSV only).
    header_rows : int
        Number of header rows (1, or 2 for an online-survey export; 0 for ``.sav``).
    rows_read : int
        Data rows read (blank lines are not rows).
    rows_accepted : int
        Rows in the returned data.
    rows_rejected : int
        Rows left out; each has at least one entry in ``rejections``.
    rejections : tuple of Rejection
        One entry per problem (a row may have several).
    blank_rows : tuple of int
        Wholly blank lines or sheet rows that were skipped.
    ignored_columns : tuple of str
        Columns of the file the codebook does not use (start times, IP addresses, ...).
    notes : tuple of str
        Anything else worth knowing (e.g. a semicolon separator was detected).
    """

    file: str
    codebook: str
    format: str
    encoding: str | None
    delimiter: str | None
    header_rows: int
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rejections: tuple[Rejection, ...] = ()
    blank_rows: tuple[int, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        rejected_rows = {r.row for r in self.rejections}
        if self.rows_read != self.rows_accepted + self.rows_rejected or (
            len(rejected_rows) != self.rows_rejected
        ):  # pragma: no cover - a bug in the loader, never an input problem
            raise LoadError(f"{self.file}: load accounting does not add up: {self!r}")

    @property
    def ok(self) -> bool:
        """True when every row read was accepted."""
        return self.rows_rejected == 0

    def to_frame(self) -> pd.DataFrame:
        """The rejections as a DataFrame: ``file, row, column, found, allowed, reason``."""
        import pandas as pd

        columns = ["file", "row", "column", "found", "allowed", "reason"]
        return pd.DataFrame(
            [[getattr(r, c) for c in columns] for r in self.rejections], columns=columns
        ).astype({"row": "int64"})

    def summary(self) -> str:
        """The accounting in one paragraph (without the list of problems)."""
        lines = [
            f"{self.file} ({self.format}"
            + (f", {self.encoding}" if self.encoding else "")
            + (f", delimiter {self.delimiter!r}" if self.delimiter else "")
            + f", {self.header_rows} header row(s)) read with codebook {self.codebook}",
            f"rows read: {self.rows_read} = accepted {self.rows_accepted}"
            f" + rejected {self.rows_rejected}",
        ]
        if self.blank_rows:
            lines.append(f"blank rows skipped: {_ranges(self.blank_rows)}")
        if self.ignored_columns:
            lines.append(
                f"columns not in the codebook (ignored): "
                f"{', '.join(repr(c) for c in self.ignored_columns)}"
            )
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return load_report_html(self)

    def __str__(self) -> str:
        lines = [self.summary()]
        if self.rejections:
            lines.append(f"{len(self.rejections)} problem(s):")
            lines.extend(f"  - {rejection}" for rejection in self.rejections)
        return "\n".join(lines)


def _ranges(rows: Sequence[int]) -> str:
    return ", ".join(str(r) for r in rows[:20]) + (" ..." if len(rows) > 20 else "")


# -- reading ---------------------------------------------------------------------------------


@overload
def read_survey(
    path: str | os.PathLike[str],
    codebook: str | os.PathLike[str] | Codebook = ...,
    *,
    strict: Literal[True] = ...,
    format: FileFormat | None = ...,
) -> SurveyData: ...


@overload
def read_survey(
    path: str | os.PathLike[str],
    codebook: str | os.PathLike[str] | Codebook = ...,
    *,
    strict: Literal[False],
    format: FileFormat | None = ...,
) -> tuple[SurveyData, LoadReport]: ...


def read_survey(
    path: str | os.PathLike[str],
    codebook: str | os.PathLike[str] | Codebook = "gp2017",
    *,
    strict: bool = True,
    format: FileFormat | None = None,
) -> SurveyData | tuple[SurveyData, LoadReport]:
    """Read a survey export (CSV, XLSX or SPSS) into a validated :class:`SurveyData`.

    Parameters
    ----------
    path : str or path-like
        The export.
    codebook : str, path-like or Codebook, default="gp2017"
        A bundled codebook name (``gp2015``, ``ccg2015``, ``gp2017``, ``ccg2017``), the path of
        your own TOML codebook, or a loaded :class:`~gpcollab.codebook.Codebook`.
    strict : bool, default=True
        If True, any rejected row raises one :class:`LoadError` listing every problem, and the
        data are returned alone. If False, rejected rows are left out and ``(data, report)``
        is returned; every rejected row is in the report.
    format : {"csv", "xlsx", "sav"}, optional
        Force a format. By default it is taken from the extension and checked against the
        content (an XLSX workbook saved as ``.csv`` is read as XLSX, with a note).

    Returns
    -------
    SurveyData or tuple of (SurveyData, LoadReport)

    Raises
    ------
    UnreadableFileError
        The file is missing, binary, damaged or in an unknown encoding.
    LoadError
        The file does not fit the codebook (missing or duplicated columns, no data rows), or
        ``strict=True`` and rows were rejected. ``error.report`` holds the accounting when
        the rows could be read.
    CodebookError
        The codebook cannot be loaded.

    Notes
    -----
    Answer texts and headers are matched ignoring case, repeated or surrounding whitespace and
    dash or curly-quote variants. Numeric answer codes (as in SPSS) are accepted too. Rows
    with a blank or repeated respondent id are rejected (all rows sharing an id).

    Examples
    --------
    >>> from gpcollab import read_survey  # doctest: +SKIP
    >>> data, report = read_survey("export.csv", "gp2017", strict=False)  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    """
    cb = load_codebook(codebook)
    file = os.fspath(path)
    table = _read_table(Path(file), cb, format)
    data, report = _interpret(table, cb, file, strict)
    if strict and not report.ok:
        lines = [
            f"{file}: {report.rows_rejected} of {report.rows_read} row(s) rejected "
            f"({len(report.rejections)} problem(s)); pass strict=False to load the others:",
            *(
                f"  - row {r.row}, column {r.column!r}: {r.reason}; found {r.found!r}; "
                f"allowed: {r.allowed}"
                for r in report.rejections
            ),
        ]
        raise LoadError("\n".join(lines), report=report)
    if strict and report.rows_read == 0:
        raise LoadError(
            f"{file}: the file has a header but no data rows "
            f"({report.header_rows} header row(s), {len(report.blank_rows)} blank row(s)).",
            report=report,
        )
    assert data is not None
    if strict:
        return data
    return data, report


# -- raw tables ------------------------------------------------------------------------------


@dataclass
class _Table:
    """A file reduced to rows of text cells, before any meaning is attached."""

    format: FileFormat
    rows: list[tuple[int, int, list[str | None]]]  # (first line, last line, cells)
    encoding: str | None = None
    delimiter: str | None = None
    labels: list[str] | None = None  # SPSS variable labels (header row is variable names)
    value_labels: dict[int, dict[str, str]] = field(default_factory=dict)  # SPSS, by column
    strict_width: bool = True  # CSV: a short row is truncated (XLSX rows end at the last value)
    notes: list[str] = field(default_factory=list)


def _cell_text(value: object) -> str | None:
    """One cell as text (None for empty). Whole-number floats lose their ``.0``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _sniff(path: Path, data: bytes, format: FileFormat | None) -> tuple[FileFormat, list[str]]:
    notes: list[str] = []
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if data.startswith(b"PK\x03\x04"):
        by_content: FileFormat | Literal["binary", "xls"] | None = "xlsx"
    elif data[:4] in (b"$FL2", b"$FL3"):
        by_content = "sav"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        by_content = "xls"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        by_content = "csv"
    elif b"\x00" in data[:8192] or _control_ratio(data[:8192]) > 0.05:
        by_content = "binary"
    else:
        by_content = "csv"
    if by_content == "xls":
        raise UnreadableFileError(
            f"{path}: this is an old binary Excel workbook (.xls); open it in Excel and save it "
            "as .xlsx or .csv, then read that file."
        )
    if by_content == "binary":
        raise UnreadableFileError(
            f"{path}: the file holds binary data, not text"
            + (f", although its name ends in {path.suffix!r}" if path.suffix else "")
            + f"; allowed: CSV text, XLSX or SPSS .sav ({', '.join(_EXTENSIONS)})."
        )
    if format is not None:
        if format not in FORMATS:
            raise LoadError(f"{path}: unknown format {format!r}; allowed: {', '.join(FORMATS)}")
        if format != by_content:
            raise UnreadableFileError(
                f"{path}: format={format!r} was asked for, but the content is {by_content}."
            )
        return format, notes
    assert by_content is not None
    if by_extension is not None and by_extension != by_content:
        notes.append(
            f"the name ends in {path.suffix!r} but the content is {by_content}; "
            f"read as {by_content}"
        )
    elif by_extension is None and path.suffix:
        notes.append(f"unknown extension {path.suffix!r}; the content was read as {by_content}")
    return by_content, notes


def _control_ratio(data: bytes) -> float:
    if not data:
        return 0.0
    control = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return control / len(data)


def _read_table(path: Path, codebook: Codebook, format: FileFormat | None) -> _Table:
    try:
        if path.is_dir():
            raise UnreadableFileError(f"{path}: is a folder, not a file.")
        with path.open("rb") as handle:
            head = handle.read(8192)
    except FileNotFoundError:
        raise UnreadableFileError(f"{path}: no such file.") from None
    except OSError as exc:
        raise UnreadableFileError(
            f"{path}: cannot open the file ({exc.strerror or exc})."
        ) from None
    if not head:
        raise LoadError(f"{path}: the file is empty (0 bytes); expected a header row and data.")
    kind, notes = _sniff(path, head, format)
    if kind == "csv":
        table = _read_csv(path, codebook)
    elif kind == "xlsx":
        table = _read_xlsx(path)
    else:
        table = _read_sav(path)
    table.notes[:0] = notes
    return table


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(f"{path}: damaged UTF-16 text ({exc.reason}).") from None
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            line = data[: exc.start + 3].count(b"\n") + 1
            raise UnreadableFileError(
                f"{path}: starts with a UTF-8 byte-order mark but line {line} is not UTF-8 "
                f"(byte {data[exc.start + 3]:#04x})."
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFileError(
            f"{path}: line {line} is neither UTF-8 nor cp1252 text (byte {data[exc.start]:#04x});"
            " allowed encodings: UTF-8 (with or without BOM), cp1252, UTF-16."
        ) from None


def _read_csv(path: Path, codebook: Codebook) -> _Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(
            f"{path}: cannot read the file ({exc.strerror or exc})."
        ) from None
    text, encoding = _decode(path, data)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise UnreadableFileError(f"{path}: line {line} holds a NUL byte: this is not a text file.")
    if not text.strip():
        raise LoadError(f"{path}: the file is empty (only blank lines); expected a header row.")
    known = _Headers(codebook).known_header_keys
    first_line = text.lstrip("\r\n").splitlines()[0]
    best, best_score = ",", -1
    for delimiter in _DELIMITERS:
        try:
            fields = next(csv.reader([first_line], delimiter=delimiter))
        except (csv.Error, StopIteration):  # pragma: no cover - one line always parses
            continue
        score = sum(normalise_text(f) in known for f in fields) * 1000 + len(fields)
        if score > best_score:
            best, best_score = delimiter, score
    table = _Table("csv", [], encoding=encoding, delimiter=best)
    if best != ",":
        table.notes.append(f"fields are separated by {best!r}, not commas")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=best)
    last = 0
    try:
        for cells in reader:
            first, last = last + 1, reader.line_num
            table.rows.append((first, last, [c if c != "" else None for c in cells]))
    except csv.Error as exc:
        raise LoadError(f"{path}, row {reader.line_num + 1}: not valid CSV ({exc}).") from None
    return table


def _optional_import(module: str, extra: str, path: Path) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise LoadError(
            f"{path}: reading or writing this format needs the optional package {module!r}; "
            f"install it with: pip install gpcollab[{extra}]"
        ) from None


def _read_xlsx(path: Path) -> _Table:
    openpyxl = _optional_import("openpyxl", "xlsx", path)
    table = _Table("xlsx", [], strict_width=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with path.open("rb") as handle:  # a handle: openpyxl would refuse a .csv name
                content = io.BytesIO(handle.read())
            workbook = openpyxl.load_workbook(content, read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                if len(workbook.worksheets) > 1:
                    table.notes.append(f"read the first sheet, {sheet.title!r}")
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    cells = [_cell_text(v) for v in values]
                    table.rows.append((number, number, cells))
            finally:
                workbook.close()
    except GpcollabError:  # pragma: no cover
        raise
    except Exception as exc:  # openpyxl and zipfile raise many types for damaged workbooks
        raise UnreadableFileError(
            f"{path}: not a readable XLSX workbook ({type(exc).__name__}: {exc})."
        ) from None
    while table.rows and all(c is None or not c.strip() for c in table.rows[-1][2]):
        table.rows.pop()  # trailing formatted-but-empty rows are not blank lines a user typed
    if not table.rows:
        raise LoadError(f"{path}: the first sheet is empty; expected a header row.")
    return table


def _read_sav(path: Path) -> _Table:
    pyreadstat = _optional_import("pyreadstat", "spss", path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame, meta = pyreadstat.read_sav(
                os.fspath(path), apply_value_formats=False, user_missing=False
            )
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise UnreadableFileError(
            f"{path}: not a readable SPSS .sav file ({type(exc).__name__}: {exc})."
        ) from None
    names = [str(c) for c in frame.columns]
    table = _Table("sav", [], labels=[str(label or "") for label in meta.column_labels])
    table.rows.append((0, 0, list(names)))
    value_labels: Mapping[str, Mapping[object, object]] = meta.variable_value_labels or {}
    for index, name in enumerate(names):
        labels = value_labels.get(name)
        if labels:
            table.value_labels[index] = {
                str(_cell_text(code)): str(label) for code, label in labels.items()
            }
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        cells = [_cell_text(v) for v in values]
        table.rows.append((number, number, [None if c == "" else c for c in cells]))
    return table


# -- headers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    """What a column of the file holds."""

    kind: Literal["id", "single", "multi", "aim", "outcome", "column", "stray"]
    name: str  # item or column name
    value: str = ""  # option or aim value; for stray: the unknown option text
    header: str = ""  # the codebook's one-row header of the column


class _Headers:
    """Lookup tables from header texts to slots, for one codebook."""

    def __init__(self, codebook: Codebook) -> None:
        self.flat: dict[str, _Slot] = {}
        self.pairs: dict[tuple[str, str], _Slot] = {}
        self.questions: dict[str, str] = {}  # normalised question of multi/aims -> item name
        self.required: list[_Slot] = []

        def add(slot: _Slot, var: str, pair: tuple[str, str] | None, required: bool) -> None:
            self.flat[normalise_text(slot.header)] = slot
            self.flat.setdefault(normalise_text(var), slot)
            if pair is not None:
                self.pairs[(normalise_text(pair[0]), normalise_text(pair[1]))] = slot
            if required:
                self.required.append(slot)

        cb = codebook
        add(_Slot("id", "respondent_id", header=cb.id_column), cb.id_var, None, True)
        for single in cb.single:
            add(_Slot("single", single.name, header=single.column), single.var, None, True)
        for multi in cb.multi:
            self.questions[normalise_text(multi.question)] = multi.name
            for option in multi.options:
                slot = _Slot("multi", multi.name, option.value, option.column)
                add(slot, option.var, (multi.question, option.text), True)
        if cb.aims is not None:
            self.questions[normalise_text(cb.aims.question)] = "aims"
            self.questions[normalise_text(cb.aims.outcome_question)] = "aims outcome"
            for option in cb.aims.options:
                add(
                    _Slot("aim", "aims", option.value, option.column),
                    option.var,
                    (cb.aims.question, option.text),
                    True,
                )
                out = cb.aims.outcome_columns[option.value]
                add(
                    _Slot("outcome", "aims", option.value, out.column),
                    out.var,
                    (cb.aims.outcome_question, option.text),
                    True,
                )
        for column in cb.columns:
            add(
                _Slot("column", column.name, header=column.column),
                column.var,
                None,
                column.required,
            )
        self.known_header_keys = set(self.flat) | set(self.questions)

    def lookup_flat(self, header: str) -> _Slot | None:
        key = normalise_text(header)
        slot = self.flat.get(key)
        if slot is not None:
            return slot
        for question, item in self.questions.items():  # "<question> - <unknown option>"
            if key.startswith(question + " - ") and item != "aims outcome":
                return _Slot("stray", item, header[len(question) + 3 :].strip(), header)
        return None

    def lookup_pair(self, question: str, option: str) -> _Slot | None:
        key = (normalise_text(question), normalise_text(option))
        slot = self.pairs.get(key)
        if slot is not None:
            return slot
        if key[1] in _SUBHEADERS or key[1] == key[0]:
            slot = self.flat.get(key[0])
            if slot is not None and slot.kind in ("id", "single", "column"):
                return slot
        item = self.questions.get(key[0])
        if item is not None and item != "aims outcome":
            return _Slot("stray", item, option.strip(), f"{question} | {option}")
        return None


def _ffill(cells: Sequence[str | None]) -> list[str]:
    filled: list[str] = []
    current = ""
    for cell in cells:
        if cell is not None and cell.strip():
            current = cell
        filled.append(current)
    return filled


@dataclass
class _Layout:
    header_rows: int
    columns: dict[int, _Slot]  # position -> slot
    display: list[str]  # header text per position, for messages
    ignored: list[str]


def _layout(table: _Table, codebook: Codebook, file: str) -> _Layout:
    headers = _Headers(codebook)
    rows = table.rows
    first = rows[0][2]
    display = [c or "" for c in first]
    flat = {i: headers.lookup_flat(c) for i, c in enumerate(first) if c is not None}
    if table.labels is not None:  # SPSS: match the variable name, else its label
        for i, label in enumerate(table.labels):
            if flat.get(i) is None and label:
                flat[i] = headers.lookup_flat(label)
    flat_hits = {i: s for i, s in flat.items() if s is not None}
    layout = _Layout(1 if table.format != "sav" else 0, flat_hits, display, [])
    if len(rows) >= 2 and table.format != "sav":
        second = rows[1][2]
        questions = _ffill(first)
        pairs: dict[int, _Slot] = {}
        for i, question in enumerate(questions):
            option = second[i] if i < len(second) else None
            slot = headers.lookup_pair(question, option or "")
            if slot is not None:
                pairs[i] = slot
        if _matched(pairs) > _matched(flat_hits) and not _looks_like_data(first, second, headers):
            shown = [
                q if not (i < len(second) and second[i]) else f"{q} | {second[i]}"
                for i, q in enumerate(questions)
            ]
            layout = _Layout(2, pairs, shown, [])
    width = len(layout.display)
    layout.ignored = [
        layout.display[i] for i in range(width) if i not in layout.columns and layout.display[i]
    ]

    # every required column once
    by_slot: dict[_Slot, list[int]] = {}
    for i, slot in layout.columns.items():
        if slot.kind != "stray":
            by_slot.setdefault(slot, []).append(i)
    problems: list[str] = []
    for slot, positions in by_slot.items():
        if len(positions) > 1:
            where = ", ".join(_column_name(i) for i in positions)
            problems.append(
                f"column {slot.header!r} appears {len(positions)} times (columns {where})"
            )
    missing = [slot for slot in headers.required if slot not in by_slot]
    if missing:
        present = [d for d in layout.ignored if d]
        for slot in missing[:30]:
            close = difflib.get_close_matches(slot.header, present, n=1, cutoff=0.75)
            problems.append(
                f"missing column {slot.header!r}"
                + (f" (closest in the file: {close[0]!r})" if close else "")
            )
        if len(missing) > 30:
            problems.append(f"... and {len(missing) - 30} more missing columns")
    if problems:
        hint = ""
        if layout.header_rows == 1 and table.format != "sav":
            two_header_questions = [
                c for c in first if c is not None and normalise_text(c) in headers.questions
            ]
            if two_header_questions:
                hint = (
                    f"\nRow 1 looks like the first header row of a two-header export (it has the "
                    f"question {two_header_questions[0]!r} over several columns), but row 2 is "
                    "not the row of answer options (found "
                    + ", ".join(repr(c or "") for c in rows[1][2][:3])
                    + " ...). Export with both header rows, or with one row of "
                    "'<question> - <option>' headers."
                    if len(rows) >= 2
                    else ""
                )
        raise LoadError(
            f"{file}: the header does not fit codebook {codebook.name} "
            f"({len(problems)} problem(s)):{hint}\n  - " + "\n  - ".join(problems)
        )
    return layout


def _looks_like_data(
    first: Sequence[str | None], second: Sequence[str | None], headers: _Headers
) -> bool:
    """True when row 2 holds answers under one-column questions (so it is not a header)."""
    for i, question in enumerate(first):
        if not question or not question.strip():
            continue
        slot = headers.flat.get(normalise_text(question))
        if slot is None or slot.kind not in ("id", "single", "column"):
            continue
        below = normalise_text(second[i] or "") if i < len(second) else ""
        if below not in _SUBHEADERS and below != normalise_text(question):
            return True
    return False


def _matched(found: Mapping[int, _Slot]) -> int:
    return sum(slot.kind != "stray" for slot in found.values())


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


# -- interpreting rows -----------------------------------------------------------------------


class _Vocab:
    """Normalised lookups for one codebook."""

    def __init__(self, cb: Codebook) -> None:
        self.missing = {normalise_text(m) for m in cb.missing}
        self.ticked = {normalise_text(t) for t in cb.ticked}
        self.unticked = {normalise_text(t) for t in cb.unticked} | self.missing
        self.single = {s.name: s for s in cb.single}
        self.answers: dict[str, dict[str, str]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.allowed: dict[str, str] = {}
        for spec in cb.single:
            self._answers(spec.name, spec.answers, spec.codes)
        if cb.aims is not None:
            self._answers("aims", cb.aims.answers, cb.aims.codes)
        self.option_text = {(m.name, o.value): o.text for m in cb.multi for o in m.options}
        if cb.aims is not None:
            self.option_text.update({("aims", o.value): o.text for o in cb.aims.options})
        self.options_allowed = {
            m.name: ", ".join(repr(o.text) for o in m.options) for m in cb.multi
        }
        if cb.aims is not None:
            self.options_allowed["aims"] = ", ".join(repr(o.text) for o in cb.aims.options)
        self.columns = {c.name: c for c in cb.columns}
        self.tick_words = ", ".join(repr(t) for t in cb.ticked[:3])

    def _answers(self, name: str, answers: Mapping[str, str], codes: Mapping[str, int]) -> None:
        self.answers[name] = {normalise_text(t): v for t, v in answers.items()}
        self.codes[name] = {str(c): v for v, c in codes.items()}
        shown = list(dict.fromkeys(answers.values()))
        texts = [next(t for t, v in answers.items() if v == value) for value in shown]
        low, high = min(codes.values()), max(codes.values())
        self.allowed[name] = (
            ", ".join(repr(t) for t in texts) + f" (or codes {low}-{high}), or blank"
        )


def _date_hint(text: str) -> str:
    if _DATE_LIKE.match(text.strip()):
        return " (this looks like a date: a spreadsheet may have turned the answer into one)"
    return ""


def _interpret(
    table: _Table, cb: Codebook, file: str, strict: bool
) -> tuple[SurveyData | None, LoadReport]:
    """Check every row; build the data unless ``strict`` and some row failed."""
    import pandas as pd

    from gpcollab.schema import SurveyData, SurveyMeta

    layout = _layout(table, cb, file)
    vocab = _Vocab(cb)
    width = len(layout.display)
    header_rows = layout.header_rows if table.format != "sav" else 1
    rejections: list[Rejection] = []
    blank_rows: list[int] = []
    records: list[tuple[int, dict[str, Any]]] = []
    rows_read = 0
    rejected: set[int] = set()

    for first_line, last_line, cells in table.rows[header_rows:]:
        if all(c is None or not c.strip() for c in cells):
            blank_rows.extend(range(first_line, last_line + 1))
            continue
        rows_read += 1
        problems: list[tuple[str, str, str, str]] = []  # column, found, allowed, reason
        if len(cells) != width and (table.strict_width or len(cells) > width):
            extra = [c for c in cells[width:] if c is not None and c.strip()]
            if len(cells) < width:
                span = (
                    f" (lines {first_line}-{last_line} were read as one row: check for an "
                    "unclosed quote)"
                    if last_line > first_line
                    else ""
                )
                problems.append(
                    (
                        layout.display[len(cells)],
                        "",
                        f"{width} fields, as in the header",
                        f"truncated row: {len(cells)} of {width} fields{span}",
                    )
                )
            elif extra:
                problems.append(
                    (
                        f"{_column_name(width)} (beyond the header)",
                        extra[0],
                        f"{width} fields, as in the header",
                        f"row has {len(cells)} fields but the header has {width} (a stray "
                        "delimiter, or a comma in an unquoted answer?)",
                    )
                )
        if not problems:
            records.append((first_line, _parse_row(cells, layout, table, vocab, cb, problems)))
        if problems:
            rejected.add(first_line)
        for column, found, allowed, reason in problems:
            rejections.append(Rejection(file, first_line, column, found, allowed, reason))

    # duplicated ids: every row sharing an id is rejected
    rows_by_id: dict[str, list[int]] = {}
    for row, record in records:
        if record.get("respondent_id") is not None:
            rows_by_id.setdefault(record["respondent_id"], []).append(row)
    id_column = next(layout.display[i] for i, s in layout.columns.items() if s.kind == "id")
    for rid, rows in rows_by_id.items():
        if len(rows) > 1:
            for row in rows:
                others = ", ".join(str(r) for r in rows if r != row)
                rejections.append(
                    Rejection(
                        file,
                        row,
                        id_column,
                        rid,
                        "a respondent id used on one row only",
                        f"duplicate respondent id (also on row(s) {others})",
                    )
                )
                rejected.add(row)
    rejections.sort(key=lambda r: r.row)

    accepted = [record for row, record in records if row not in rejected]
    notes = list(table.notes)
    if rows_read == 0:
        notes.append("the file has a header but no data rows")
    report = LoadReport(
        file=file,
        codebook=cb.name,
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        header_rows=layout.header_rows,
        rows_read=rows_read,
        rows_accepted=len(accepted),
        rows_rejected=len(rejected),
        rejections=tuple(rejections),
        blank_rows=tuple(blank_rows),
        ignored_columns=tuple(layout.ignored),
        notes=tuple(notes),
    )
    if strict and (rejections or rows_read == 0):
        return None, report
    respondents: dict[str, list[Any]] = {"respondent_id": []}
    for spec in cb.single:
        respondents[spec.name] = []
    present_columns = {s.name for s in layout.columns.values() if s.kind == "column"}
    for spec_column in cb.columns:
        if spec_column.name in present_columns:
            respondents[spec_column.name] = []
    aims: dict[str, list[Any]] = {"respondent_id": [], "aim": [], "outcome": []}
    multi: dict[str, dict[str, list[str]]] = {
        m.name: {"respondent_id": [], "option": []} for m in cb.multi
    }
    for record in accepted:
        for key, values in respondents.items():
            values.append(record.get(key))
        rid = record["respondent_id"]
        for name, value in record["_multi"]:
            multi[name]["respondent_id"].append(rid)
            multi[name]["option"].append(value)
        for aim, outcome in record["_aims"]:
            aims["respondent_id"].append(rid)
            aims["aim"].append(aim)
            aims["outcome"].append(outcome)
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in respondents.items()})
    for spec_column in cb.columns:
        if spec_column.kind == "number" and spec_column.name in frame:
            frame[spec_column.name] = pd.to_numeric(frame[spec_column.name]).astype("float64")
    meta = SurveyMeta(
        wave=cb.wave,
        instrument=cb.instrument,
        n=len(accepted),
        source=file,
        synthetic=False,
        codebook=cb.name,
        items=cb.items,
    )
    data = SurveyData(
        frame,
        aims=pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in aims.items()}),
        multi={
            name: pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
            for name, cols in multi.items()
        },
        meta=meta,
    )
    return data, report


def _parse_row(
    cells: list[str | None],
    layout: _Layout,
    table: _Table,
    vocab: _Vocab,
    cb: Codebook,
    problems: list[tuple[str, str, str, str]],
) -> dict[str, Any]:
    record: dict[str, Any] = {"_multi": [], "_aims": []}
    aims_set: dict[str, bool] = {}
    outcomes: dict[str, tuple[str | None, str, str]] = {}  # aim -> (value, column, raw text)
    for i, slot in layout.columns.items():
        raw = cells[i] if i < len(cells) else None
        text = None if raw is None else raw.strip()
        column = layout.display[i]
        norm = None if text is None else normalise_text(text)
        blank = norm is None or norm in vocab.missing

        if slot.kind == "id":
            if blank:
                problems.append(
                    (column, raw or "", "a non-blank respondent id", "respondent id is missing")
                )
            record["respondent_id"] = None if blank else text
        elif slot.kind in ("single", "outcome"):
            name = slot.name
            value: str | None = None
            if not blank:
                assert text is not None and norm is not None
                value, found, why = _choice(text, norm, vocab, name, table.value_labels.get(i))
                if value is None:
                    problems.append((column, found, vocab.allowed[name], why + _date_hint(text)))
            if slot.kind == "single":
                record[name] = value
            else:
                outcomes[slot.value] = (value, column, raw or "")
        elif slot.kind in ("multi", "aim", "stray"):
            ticked = False
            if not (blank or norm in vocab.unticked):
                assert norm is not None and text is not None
                label = (table.value_labels.get(i) or {}).get(text)
                own = vocab.option_text.get((slot.name, slot.value), slot.value)
                ticked = (
                    norm in vocab.ticked
                    or norm == normalise_text(own)
                    or (label is not None and normalise_text(label) == normalise_text(own))
                )
                if slot.kind == "stray":
                    problems.append(
                        (
                            column,
                            text,
                            vocab.options_allowed[slot.name],
                            f"an option the codebook does not know ({slot.value!r}) is ticked",
                        )
                    )
                elif not ticked:
                    problems.append(
                        (
                            column,
                            text,
                            f"{own!r}, {vocab.tick_words} (ticked), or blank, 0, 'No' (not ticked)",
                            "not a tick or a blank" + _date_hint(text),
                        )
                    )
            if ticked and slot.kind == "multi":
                record["_multi"].append((slot.name, slot.value))
            elif slot.kind == "aim":
                aims_set[slot.value] = ticked
        else:  # free text or number
            spec = vocab.columns[slot.name]
            if blank:
                record[slot.name] = None
            elif spec.kind == "number":
                assert text is not None
                number = _number(text)
                if number is None:
                    problems.append(
                        (
                            column,
                            text,
                            "a number of 0 or more, or blank",
                            "not a number" + _date_hint(text),
                        )
                    )
                record[slot.name] = number
            else:
                assert text is not None
                value_text = text.upper() if spec.upper else text
                if spec.pattern is not None and not re.fullmatch(spec.pattern, value_text):
                    problems.append(
                        (
                            column,
                            text,
                            f"text matching {spec.pattern}",
                            "does not match the expected pattern" + _date_hint(text),
                        )
                    )
                record[slot.name] = value_text
    if cb.aims is not None:
        for option in cb.aims.options:
            outcome, column, raw = outcomes.get(option.value, (None, "", ""))
            if aims_set.get(option.value):
                record["_aims"].append((option.value, outcome))
            elif outcome is not None:
                problems.append(
                    (
                        column,
                        raw,
                        "blank, because the aim is not ticked",
                        f"an achievement is given for the aim {option.text!r}, which is not ticked",
                    )
                )
    problems.extend(record_problems(record, cb))  # answers off the questionnaire's route
    return record


def _choice(
    text: str, norm: str, vocab: _Vocab, name: str, labels: Mapping[str, str] | None
) -> tuple[str | None, str, str]:
    """Map one answer to a machine value: (value or None, found as shown, reason)."""
    answers = vocab.answers[name]
    if labels is not None and text in labels:  # SPSS code with a value label in the file
        label = labels[text]
        value = answers.get(normalise_text(label))
        if value is None:
            return None, f"{text} = {label!r}", "the file's value label is not a known answer"
        return value, text, ""
    value = answers.get(norm)
    if value is not None:
        return value, text, ""
    if _CODE.match(text):
        code = str(int(float(text)))
        value = vocab.codes[name].get(code)
        if value is not None:
            return value, text, ""
        return None, text, "unknown answer code"
    return None, text, "unknown answer"


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "").replace(" ", "").replace("\u00a0", "").lstrip("'")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    return number


# -- writing ---------------------------------------------------------------------------------


def write_survey(
    survey: SurveyData,
    path: str | os.PathLike[str],
    codebook: str | os.PathLike[str] | Codebook | None = None,
    *,
    format: FileFormat | None = None,
    encoding: str = "utf-8",
    header_rows: Literal[1, 2] = 1,
) -> Path:
    """Write a :class:`SurveyData` as an export that :func:`read_survey` reads back unchanged.

    Parameters
    ----------
    survey : SurveyData
        The response set.
    path : str or path-like
        Where to write.
    codebook : str, path-like or Codebook, optional
        Defaults to the codebook recorded in ``survey.meta.codebook``, else to the bundled
        codebook of the survey's instrument and wave (``"gp2017"`` for
        ``load_survey(2017, "gp")``).
    format : {"csv", "xlsx", "sav"}, optional
        Defaults to the extension of ``path``.
    encoding : str, default="utf-8"
        CSV only: ``"utf-8"``, ``"utf-8-sig"`` (with byte-order mark, which Excel likes) or
        ``"cp1252"``.
    header_rows : {1, 2}, default=1
        CSV and XLSX: one header row (question wording; ``"<question> - <option>"`` for the
        option columns of multi-select questions) or the two rows of an online-survey export
        (question, then answer option).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    GpcollabError
        The codebook has no column for some of the data, or a text cannot be encoded.
    LoadError
        The optional package the format needs is missing.

    Notes
    -----
    Answers are written as the first answer text the codebook declares for each value (in
    ``.sav`` files, as codes with the texts as value labels); ticked options as the option text.
    """
    cb = load_codebook(codebook if codebook is not None else _meta_codebook(survey))
    target = Path(os.fspath(path))
    kind = format or _EXTENSIONS.get(target.suffix.lower())
    if kind not in FORMATS:
        raise GpcollabError(
            f"{target}: cannot tell the format from the extension {target.suffix!r}; pass "
            f"format= one of {', '.join(FORMATS)}."
        )
    if header_rows not in (1, 2):
        raise GpcollabError(f"header_rows must be 1 or 2, got {header_rows!r}")
    if encoding not in _ENCODINGS:
        raise GpcollabError(f"encoding must be one of {', '.join(_ENCODINGS)}, got {encoding!r}")
    grid = _Grid(survey, cb, codes=(kind == "sav"))
    if kind == "csv":
        _write_csv(grid, target, encoding, header_rows)
    elif kind == "xlsx":
        _write_xlsx(grid, target, header_rows)
    else:
        _write_sav(grid, target)
    return target


def _meta_codebook(survey: SurveyData) -> str:
    """The codebook the data were read with, else the bundled one of their wave and instrument."""
    if survey.meta.codebook is not None:
        return survey.meta.codebook
    bundled = f"{survey.meta.instrument}{survey.meta.wave}"
    if bundled in list_codebooks():
        return bundled
    raise GpcollabError(
        "write_survey needs a codebook: the data do not record one and no codebook is bundled "
        f"for {survey.meta.instrument} {survey.meta.wave} (bundled: {list_codebooks()}); pass "
        "codebook=..."
    )


class _Grid:
    """The export as columns of Python values, with their headers and SPSS metadata."""

    def __init__(self, survey: SurveyData, cb: Codebook, *, codes: bool) -> None:
        extra = [i for i in survey.meta.items if i not in cb.items]
        respondents = survey.respondents
        kept = {"respondent_id", *(s.name for s in cb.single), *(c.name for c in cb.columns)}
        lost = [c for c in respondents.columns if c not in kept]
        if extra or lost:
            raise GpcollabError(
                f"codebook {cb.name} has no column for {', '.join(map(repr, extra + lost))}; "
                "writing would lose those answers. Use a codebook that declares them."
            )
        ids = [str(v) for v in respondents["respondent_id"]]
        self.questions: list[str] = []  # first header row of a two-header export
        self.options: list[str] = []  # second header row
        self.flat: list[str] = []  # the one header row
        self.vars: list[str] = []
        self.columns: list[list[Any]] = []
        self.kinds: list[Literal["text", "number"]] = []
        self.value_labels: dict[str, dict[int, str]] = {}

        def add(
            flat: str,
            question: str,
            option: str,
            var: str,
            values: list[Any],
            kind: Literal["text", "number"] = "text",
        ) -> None:
            self.flat.append(flat)
            self.questions.append(question)
            self.options.append(option)
            self.vars.append(var)
            self.columns.append(values)
            self.kinds.append(kind)

        def present(value: object) -> bool:
            return value is not None and not (isinstance(value, float) and math.isnan(value))

        add(cb.id_column, cb.id_column, "", cb.id_var, list(ids))
        for spec in cb.single:
            if spec.name in respondents:
                raw = respondents[spec.name].astype(object).tolist()
            else:
                raw = [None] * len(ids)
            if codes:
                values: list[Any] = [float(spec.codes[v]) if present(v) else None for v in raw]
                self.value_labels[spec.var] = {
                    code: spec.text_of(v) for v, code in spec.codes.items()
                }
            else:
                values = [spec.text_of(str(v)) if present(v) else None for v in raw]
            add(
                spec.column,
                spec.column,
                "Response",
                spec.var,
                values,
                "number" if codes else "text",
            )
        for m in cb.multi:
            chosen: set[tuple[str, str]] = set()
            table = survey.multi.get(m.name)
            if table is not None:
                chosen = set(
                    zip(
                        table["respondent_id"].astype(str), table["option"].astype(str), strict=True
                    )
                )
            for k, option in enumerate(m.options):
                ticks = [(rid, option.value) in chosen for rid in ids]
                if codes:
                    values = [1.0 if t else 0.0 for t in ticks]
                    self.value_labels[option.var] = {1: option.text, 0: "Not selected"}
                else:
                    values = [option.text if t else None for t in ticks]
                add(
                    option.column,
                    m.question if k == 0 else "",
                    option.text,
                    option.var,
                    values,
                    "number" if codes else "text",
                )
        if cb.aims is not None:
            set_aims: dict[tuple[str, str], object] = {}
            if survey.aims is not None:
                for rid, aim, outcome in (
                    survey.aims[["respondent_id", "aim", "outcome"]]
                    .astype(object)
                    .itertuples(index=False, name=None)
                ):
                    set_aims[(str(rid), str(aim))] = outcome
            spec_aims = cb.aims
            for k, option in enumerate(spec_aims.options):
                keys = [(rid, option.value) for rid in ids]
                if codes:
                    values = [1.0 if key in set_aims else 0.0 for key in keys]
                    self.value_labels[option.var] = {1: option.text, 0: "Not selected"}
                else:
                    values = [option.text if key in set_aims else None for key in keys]
                add(
                    option.column,
                    spec_aims.question if k == 0 else "",
                    option.text,
                    option.var,
                    values,
                    "number" if codes else "text",
                )
            for k, option in enumerate(spec_aims.options):
                out = spec_aims.outcome_columns[option.value]
                raw = [set_aims.get((rid, option.value)) for rid in ids]
                if codes:
                    values = [float(spec_aims.codes[str(v)]) if present(v) else None for v in raw]
                    self.value_labels[out.var] = {
                        code: spec_aims.text_of(v) for v, code in spec_aims.codes.items()
                    }
                else:
                    values = [spec_aims.text_of(str(v)) if present(v) else None for v in raw]
                add(
                    out.column,
                    spec_aims.outcome_question if k == 0 else "",
                    option.text,
                    out.var,
                    values,
                    "number" if codes else "text",
                )
        for column in cb.columns:
            if column.name in respondents:
                raw = respondents[column.name].astype(object).tolist()
            else:
                raw = [None] * len(ids)
            if column.kind == "number":
                values = [float(v) if present(v) else None for v in raw]
                add(column.column, column.column, "Response", column.var, values, "number")
            else:
                values = [str(v) if present(v) else None for v in raw]
                add(column.column, column.column, "Open-Ended Response", column.var, values)
        self.n = len(ids)

    def headers(self, header_rows: int) -> list[list[str]]:
        if header_rows == 1:
            return [self.flat]
        return [self.questions, self.options]

    def rows(self) -> Iterable[list[Any]]:
        for r in range(self.n):
            yield [column[r] for column in self.columns]


def _format_number(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _write_csv(grid: _Grid, path: Path, encoding: str, header_rows: int) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for header in grid.headers(header_rows):
        writer.writerow(header)
    for row in grid.rows():
        writer.writerow(["" if v is None else _format_number(v) for v in row])
    text = buffer.getvalue()
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        line = text[: exc.start].count("\n") + 1
        raise GpcollabError(
            f"{path}: cannot write {bad!r} (line {line}) in {encoding}; use encoding='utf-8'."
        ) from None
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise GpcollabError(f"{path}: cannot write the file ({exc.strerror or exc}).") from None


def _write_xlsx(grid: _Grid, path: Path, header_rows: int) -> None:
    openpyxl = _optional_import("openpyxl", "xlsx", path)
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")

    def cell(value: Any) -> Any:
        result = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and value.startswith("="):
            result.data_type = "s"  # text, never a formula
        return result

    try:
        for header in grid.headers(header_rows):
            sheet.append([cell(h) for h in header])
        for row in grid.rows():
            sheet.append([cell(v) for v in row])
        workbook.save(path)
    except OSError as exc:
        raise GpcollabError(f"{path}: cannot write the file ({exc.strerror or exc}).") from None
    except Exception as exc:  # openpyxl refuses control characters, among others
        raise GpcollabError(f"{path}: cannot write the workbook ({exc}).") from None


def _write_sav(grid: _Grid, path: Path) -> None:
    import pandas as pd

    pyreadstat = _optional_import("pyreadstat", "spss", path)
    frame = pd.DataFrame(
        {
            var: pd.Series([float("nan") if v is None else v for v in column], dtype="float64")
            if kind == "number"
            else pd.Series(["" if v is None else str(v) for v in column], dtype=object)
            for var, column, kind in zip(grid.vars, grid.columns, grid.kinds, strict=True)
        }
    )
    try:
        pyreadstat.write_sav(
            frame,
            os.fspath(path),
            column_labels=list(grid.flat),
            variable_value_labels=grid.value_labels,
        )
    except Exception as exc:  # pyreadstat.ReadstatError, OSError
        raise GpcollabError(f"{path}: cannot write the SPSS file ({exc}).") from None
