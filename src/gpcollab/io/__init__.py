"""Read real survey exports into :class:`~gpcollab.schema.SurveyData`, and write them back.

:func:`read_survey` understands

* CSV in UTF-8 (with or without a byte-order mark), cp1252 (Windows Excel) or UTF-16 (Excel
  "Unicode text"), separated by commas, semicolons, tabs or bars (detected, and reported);
* XLSX workbooks (the sheet whose header fits the codebook, or the one asked for; needs
  ``pip install gpcollab[xlsx]``);
* SPSS ``.sav`` files, whose value labels are used to read the codes (needs
  ``pip install gpcollab[spss]``);
* in CSV and XLSX, one header row (question wording as header; a multi-select option as
  ``"<question> - <option>"``), the two header rows of common online-survey exports (question
  text, then answer option), or three header rows with a row of import ids;
* standard input (``"-"``), read once.

What the columns and answers mean comes from a codebook (see :mod:`gpcollab.codebook`).

Every load is accounted for in a :class:`LoadReport`: rows read = rows accepted + rows rejected,
and each problem names the file, the row, the column, the value found and the values allowed.
A row is rejected only when it cannot be read as a respondent's row (it cannot be split into
fields or has more than the header, its id is blank or repeated, or it is a stray control
character). A cell whose answer the codebook does not know, or an answer the questionnaire's
routing does not ask for (:mod:`gpcollab.routing`: e.g. a collaboration's form from a respondent
outside any collaboration), is a :class:`MissingCell`: strict loads raise, lenient ones keep the
respondent with that cell set missing (and, in questionnaire order, what rests on it).
Row numbers are those a user sees when opening the file: 1-based and counting the header rows
(the line of a CSV file where the row starts, as an editor numbers it; the row of the sheet; in
a ``.sav`` file, the case number). Wholly blank lines are skipped, not counted as rows, and
listed in the report. Answers that disagree with each other (a region that is not the CCG's)
are kept as answered and listed as :class:`Inconsistency`, never rejected.

Nothing is changed silently: a value is read as written, or it is set missing or its row
rejected with a reason (an unclosed quote, a number written with the other decimal mark, a
formula without a saved value, a row split by another separator, ...). Inputs are bounded
(:class:`Limits`), so no file can make a load hang or exhaust memory; large CSV files are
streamed.

Every failure is one of the library's own exceptions: :class:`~gpcollab.errors.LoadError` (and
its subclass :class:`~gpcollab.errors.UnreadableFileError` when the file cannot be read at
all), :class:`~gpcollab.errors.CodebookError`, or :class:`~gpcollab.errors.ArgumentError` for
an unusable argument.

The package's modules, in the order data flows: :mod:`.source` (opening, format, encoding),
:mod:`.csvfile`, :mod:`.xlsxfile` and :mod:`.savfile` (rows of text), :mod:`.layout` (which
column is which), :mod:`.cells` (what one value means), :mod:`.interpret` (rows to data and
accounting), :mod:`.accounting` (the report), :mod:`.write` (exports), :mod:`.limits`.
"""

from __future__ import annotations

import gc
import os
from typing import TYPE_CHECKING, Literal, overload

from gpcollab.codebook import Codebook, load_codebook
from gpcollab.errors import ArgumentError, LoadError
from gpcollab.io.accounting import Inconsistency, LoadReport, MissingCell, Rejection
from gpcollab.io.cells import Decimal
from gpcollab.io.csvfile import read_csv
from gpcollab.io.layout import Headers
from gpcollab.io.limits import DEFAULT_LIMITS, Limits
from gpcollab.io.savfile import read_sav
from gpcollab.io.source import FORMATS, Source, sniff_format
from gpcollab.io.table import FileFormat, RawTable
from gpcollab.io.write import write_survey
from gpcollab.io.xlsxfile import read_xlsx

if TYPE_CHECKING:  # pragma: no cover
    from gpcollab.schema import SurveyData

__all__ = [
    "FORMATS",
    "Inconsistency",
    "Limits",
    "LoadReport",
    "MissingCell",
    "Rejection",
    "read_survey",
    "write_survey",
]


@overload
def read_survey(
    path: str | os.PathLike[str],
    codebook: str | os.PathLike[str] | Codebook = ...,
    *,
    strict: Literal[True] = ...,
    format: FileFormat | None = ...,
    sheet: str | int | None = ...,
    encoding: str | None = ...,
    decimal: Decimal | None = ...,
    limits: Limits | None = ...,
) -> SurveyData: ...


@overload
def read_survey(
    path: str | os.PathLike[str],
    codebook: str | os.PathLike[str] | Codebook = ...,
    *,
    strict: Literal[False],
    format: FileFormat | None = ...,
    sheet: str | int | None = ...,
    encoding: str | None = ...,
    decimal: Decimal | None = ...,
    limits: Limits | None = ...,
) -> tuple[SurveyData, LoadReport]: ...


def read_survey(
    path: str | os.PathLike[str],
    codebook: str | os.PathLike[str] | Codebook = "gp2017",
    *,
    strict: bool = True,
    format: FileFormat | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    decimal: Decimal | None = None,
    limits: Limits | None = None,
) -> SurveyData | tuple[SurveyData, LoadReport]:
    """Read a survey export (CSV, XLSX or SPSS) into a validated :class:`SurveyData`.

    Parameters
    ----------
    path : str or path-like
        The export, or ``"-"`` for standard input (read once). Only regular files are read:
        a named pipe or a device is refused rather than left to block.
    codebook : str, path-like or Codebook, default="gp2017"
        A bundled codebook name (``gp2015``, ``ccg2015``, ``gp2017``, ``ccg2017``), the path of
        your own TOML codebook, or a loaded :class:`~gpcollab.codebook.Codebook`.
    strict : bool, default=True
        If True, any problem (a rejected row, or a cell with an unusable answer) raises one
        :class:`LoadError` listing every problem, and the data are returned alone. If False,
        ``(data, report)`` is returned: rows that cannot be read are left out, respondents
        whose cells hold unknown or off-route answers are kept with those cells set missing,
        and every problem is in the report (``rejections``, ``missing_cells``).
    format : {"csv", "xlsx", "sav"}, optional
        Force a format. By default it is taken from the content and checked against the
        extension (an XLSX workbook saved as ``.csv`` is read as XLSX, with a note).
    sheet : str or int, optional
        XLSX: the sheet to read, by name or 0-based position. By default the codebook's
        ``survey.sheet``, else the sheet whose first rows match the codebook's headers best
        (the first sheet on a tie). The report names the sheet read.
    encoding : str, optional
        Override the text encoding. CSV: ``utf-8``, ``utf-8-sig``, ``cp1252`` or ``utf-16``
        (by default detected on the whole file; a file mixing encodings is refused). ``.sav``:
        any encoding name pyreadstat knows, e.g. ``"UTF-8"`` for a file that declares
        windows-1252 but holds UTF-8 (detected and corrected by default, with a note).
    decimal : {".", ","}, optional
        Decimal mark of numeric columns in CSV files. By default the codebook's
        ``survey.decimal``, else detected from the values (``0,75`` shows a comma). A value
        that only makes sense under the other mark is rejected, never reinterpreted.
    limits : Limits, optional
        Resource bounds (longest line, most columns, XLSX cells and unpacked size, ...); see
        :class:`Limits` for the defaults.

    Returns
    -------
    SurveyData or tuple of (SurveyData, LoadReport)

    Raises
    ------
    UnreadableFileError
        The file is missing, not a regular file, binary, damaged, in an unknown or mixed
        encoding.
    LoadError
        The file does not fit the codebook (missing or duplicated columns, none of its columns,
        no data rows), is beyond a limit, or ``strict=True`` and a row was rejected or a cell
        held an unusable answer. ``error.report`` holds the accounting when the rows could be
        read.
    CodebookError
        The codebook cannot be loaded.
    ArgumentError
        An unknown ``format``, ``encoding``, ``decimal`` or ``sheet`` position.

    Notes
    -----
    Answer texts and headers are matched ignoring case, repeated or surrounding whitespace and
    dash or curly-quote variants. Numeric answer codes (as in SPSS, also ``1.0``) are accepted
    too; in a ``.sav`` file a tick column's value labels decide what is ticked (1 = "Yes",
    2 = "No"). Rows with a blank or repeated respondent id are rejected (all rows sharing an
    id). CSV rows shorter than the header (Excel leaves out trailing empty cells) are read with
    blanks, and counted in a note.

    Examples
    --------
    >>> from gpcollab import read_survey  # doctest: +SKIP
    >>> data, report = read_survey("export.csv", "gp2017", strict=False)  # doctest: +SKIP
    >>> print(report)  # doctest: +SKIP
    """
    cb = load_codebook(codebook)
    if decimal is not None and decimal not in (".", ","):
        raise ArgumentError(f"decimal must be '.' or ',', got {decimal!r}")
    bounds = limits or DEFAULT_LIMITS
    source = Source.open_path(os.fspath(path), bounds)
    table = _open_table(source, cb, format, sheet, encoding, bounds)
    from gpcollab.io.interpret import interpret  # pandas and numpy: lazy, as the package's API

    collecting = gc.isenabled()
    gc.disable()  # a load allocates millions of small objects and no cycles: collection only costs
    try:
        data, report = interpret(table, cb, source.name, strict, decimal)
    finally:
        table.close()
        if collecting:
            gc.enable()
    if strict:
        _raise_if_rejected(source.name, report)
    assert data is not None
    if strict:
        return data
    return data, report


def _open_table(
    source: Source,
    cb: Codebook,
    format: FileFormat | None,
    sheet: str | int | None,
    encoding: str | None,
    limits: Limits,
) -> RawTable:
    head = source.head()
    if not head:
        raise LoadError(
            f"{source.name}: the file is empty (0 bytes); expected a header row and data."
        )
    kind, notes = sniff_format(source, head, format)
    known = Headers(cb).known
    if kind == "csv":
        table = read_csv(source, known, limits, encoding)
    elif kind == "xlsx":
        table = read_xlsx(source, known, limits, sheet if sheet is not None else cb.sheet)
    else:
        table = read_sav(source, encoding)
    table.notes[:0] = notes
    return table


def _raise_if_rejected(file: str, report: LoadReport) -> None:
    if not report.ok:
        cells, rows = len(report.missing_cells), report.rows_rejected
        found: list[str] = []
        remedy: list[str] = []
        if rows:
            found.append(f"{rows} of {report.rows_read} row(s) cannot be read as a row")
        if cells:
            kept = report.rows_with_missing_cells
            found.append(
                f"{cells} cell(s) in {kept} row(s) hold an answer the codebook does not know "
                "or an answer off route"
            )
            remedy.append(f"keeps the {kept} respondent(s) with those cells set missing")
        if rows:
            remedy.append(f"leaves out the {rows} unreadable row(s)")
        remedy.append("lists each problem in the report")
        lines = [
            f"{file}: "
            + "; ".join(found)
            + ". Pass strict=False to load the file: it "
            + ", ".join(remedy[:-1])
            + " and "
            + remedy[-1]
            + ":",
            *(
                f"  - row {r.row}, column {r.column!r}: {r.reason}; found {r.found!r}; "
                f"allowed: {r.allowed}"
                for r in _by_row(report)
            ),
        ]
        raise LoadError("\n".join(lines), report=report)
    if report.rows_read == 0:
        raise LoadError(
            f"{file}: the file has a header but no data rows "
            f"({report.header_rows} header row(s), {len(report.blank_rows)} blank row(s)).",
            report=report,
        )


def _by_row(report: LoadReport) -> list[Rejection | MissingCell]:
    """Every problem of a load, rows rejected and cells set missing, in file order."""
    problems: list[Rejection | MissingCell] = [*report.rejections, *report.missing_cells]
    return sorted(problems, key=lambda problem: problem.row)
