"""The accounting of one load: :class:`Rejection` and :class:`LoadReport`.

Rows read = rows accepted + rows rejected, always; every rejected row has at least one
:class:`Rejection` naming the file, the row, the column, the value found and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from gpcollab import _html
from gpcollab.errors import LoadError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["LoadReport", "Rejection"]


@dataclass(frozen=True)
class Rejection:
    """One problem that kept a row out of the data.

    Attributes
    ----------
    file : str
        The file read.
    row : int
        Row as the user sees it: the line of a CSV file where the row starts (as an editor
        numbers it, counting header and blank lines), the row of the sheet, the case number in
        ``.sav``.
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
        Text encoding used (CSV: ``utf-8``, ``utf-8-sig`` (with byte-order mark), ``cp1252``
        or ``utf-16``; ``.sav``: the encoding the texts were decoded with).
    delimiter : str or None
        Field separator detected (CSV only).
    header_rows : int
        Number of header rows (1, 2 for an online-survey export, 3 when a row of import ids
        follows; 0 for ``.sav``).
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
        Anything else worth knowing (the separator, the sheet read, rows shorter than the
        header, the decimal mark, ...).
    sheet : str or None
        XLSX only: the name of the sheet read.
    decimal : str or None
        The decimal mark used for numeric columns (``"."`` or ``","``), when the codebook has
        numeric columns.
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
    sheet: str | None = None
    decimal: str | None = None

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
        import pandas as pd  # lazy: pandas is heavy and only needed here

        columns = ["file", "row", "column", "found", "allowed", "reason"]
        return pd.DataFrame(
            [[getattr(r, c) for c in columns] for r in self.rejections], columns=columns
        ).astype({"row": "int64"})

    def summary(self) -> str:
        """The accounting in one paragraph (without the list of problems)."""
        lines = [
            f"{self.file} ({self.format}"
            + (f", sheet {self.sheet!r}" if self.sheet else "")
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
        return _load_report_html(self)

    def __str__(self) -> str:
        lines = [self.summary()]
        if self.rejections:
            lines.append(f"{len(self.rejections)} problem(s):")
            lines.extend(f"  - {rejection}" for rejection in self.rejections)
        return "\n".join(lines)


def _load_report_html(report: LoadReport, limit: int = 50) -> str:
    """HTML of a :class:`LoadReport`: the accounting, then the problems.

    Rows read = accepted + rejected is shown first (rejected in red when any); the first
    ``limit`` problems follow as a table (all of them are in ``report.to_frame()``).
    """
    colour = "#b00020" if report.rows_rejected else "#1b7837"
    pairs: list[tuple[str, object]] = [
        ("file", report.file),
        ("codebook", report.codebook),
        ("format", report.format + (f", {report.encoding}" if report.encoding else "")),
        ("header rows", report.header_rows),
    ]
    if report.blank_rows:
        pairs.append(("blank rows skipped", ", ".join(map(str, report.blank_rows[:20]))))
    if report.ignored_columns:
        pairs.append(("columns ignored", ", ".join(report.ignored_columns)))
    pairs += [("note", note) for note in report.notes]
    problems = ""
    if report.rejections:
        columns = ("row", "column", "found", "allowed", "reason")
        body = [
            _html.row(_html.td(escape(str(getattr(r, c)))) for c in columns)
            for r in report.rejections[:limit]
        ]
        more = len(report.rejections) - limit
        tail = f"<div>… and {more} more (report.to_frame() has all)</div>" if more > 0 else ""
        problems = (
            f"<div>{len(report.rejections)} problem(s):</div>{_html.table(columns, body)}{tail}"
        )
    return _html.box(
        f"<b>LoadReport</b>: rows read {report.rows_read:,} = accepted "
        f"{report.rows_accepted:,} + <span style='color:{colour};font-weight:bold'>rejected "
        f"{report.rows_rejected:,}</span>",
        _html.definition_table(pairs),
        problems,
    )


def _ranges(rows: Sequence[int]) -> str:
    return ", ".join(str(r) for r in rows[:20]) + (" ..." if len(rows) > 20 else "")
