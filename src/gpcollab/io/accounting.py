"""The accounting of one load: :class:`Rejection`, :class:`MissingCell`, :class:`Inconsistency`
and :class:`LoadReport`.

Rows read = rows accepted + rows rejected, always; every rejected row has at least one
:class:`Rejection` naming the file, the row, the column, the value found and what is allowed.
A row is rejected only when it cannot be read as a respondent's row (its fields cannot be
split or counted, its id is blank or repeated). A cell whose answer the codebook does not know,
or an answer given off the questionnaire's route, is a :class:`MissingCell`: under
``strict=False`` the respondent is kept with that cell set missing. Two answers that disagree
(a region that is not the CCG's) are an :class:`Inconsistency`: reported, never changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from gpcollab import _html
from gpcollab.errors import LoadError
from gpcollab.routing import CONSISTENCY_RULES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "Inconsistency",
    "LoadReport",
    "MissingCell",
    "Rejection",
    "inconsistency_lines",
    "line_list",
]


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
class MissingCell:
    """One cell of a kept respondent that was set missing (``strict=False``).

    Attributes
    ----------
    file : str
        The file read.
    row : int
        Row as the user sees it (see :class:`Rejection`).
    respondent_id : str or None
        The respondent whose cell it is.
    column : str
        Header of the cell's column (the item's question for an answer given off route to a
        multi-select item or the aims, whose cells span several columns).
    found : str
        The value found, as written in the file.
    allowed : str
        What the column accepts, or the routing rule that excludes the answer.
    reason : str
        What is wrong, in words.
    """

    file: str
    row: int
    respondent_id: str | None
    column: str
    found: str
    allowed: str
    reason: str

    def __str__(self) -> str:
        who = "" if self.respondent_id is None else f" (respondent {self.respondent_id!r})"
        return (
            f"{self.file}, row {self.row}{who}, column {self.column!r}: {self.reason}; "
            f"found {self.found!r}; allowed: {self.allowed}"
        )


@dataclass(frozen=True)
class Inconsistency:
    """Two answers of one respondent that disagree; both are kept as answered.

    Attributes
    ----------
    file : str
        The file read.
    row : int
        Row as the user sees it (see :class:`Rejection`).
    respondent_id : str or None
        The respondent.
    rule : str
        The consistency rule (a key of :data:`gpcollab.routing.CONSISTENCY_RULES`, e.g.
        ``"region_ccg"``).
    found : str
        The answer that disagrees (e.g. the region given).
    detail : str
        What the other answer implies (e.g. ``"CCG 00C is in region Y54"``).
    """

    file: str
    row: int
    respondent_id: str | None
    rule: str
    found: str
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.file}, row {self.row}, respondent {self.respondent_id!r}: rule "
            f"{self.rule!r}: found {self.found!r}, but {self.detail}"
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
        Rows left out because they cannot be read as a respondent's row; each has at least
        one entry in ``rejections``.
    rejections : tuple of Rejection
        One entry per problem of a rejected row (a row may have several).
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
    missing_cells : tuple of MissingCell
        Cells of accepted rows holding an answer the codebook does not know or an answer off
        route. ``strict=False`` keeps these respondents with the cells set missing;
        ``strict=True`` refuses the file.
    inconsistencies : tuple of Inconsistency
        Answers that disagree with each other (the region and the CCG's region), kept as
        answered: a note on the data's quality, never a reason to change or drop them.
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
    missing_cells: tuple[MissingCell, ...] = ()
    inconsistencies: tuple[Inconsistency, ...] = ()

    def __post_init__(self) -> None:
        rejected_rows = {r.row for r in self.rejections}
        if (
            self.rows_read != self.rows_accepted + self.rows_rejected
            or len(rejected_rows) != self.rows_rejected
            or any(cell.row in rejected_rows for cell in self.missing_cells)
        ):  # pragma: no cover - a bug in the loader, never an input problem
            raise LoadError(f"{self.file}: load accounting does not add up: {self!r}")

    @property
    def ok(self) -> bool:
        """True when every row read was accepted and no cell was set missing."""
        return self.rows_rejected == 0 and not self.missing_cells

    @property
    def rows_with_missing_cells(self) -> int:
        """Accepted rows with at least one cell set missing."""
        return len({cell.row for cell in self.missing_cells})

    def to_frame(self) -> pd.DataFrame:
        """Every problem as a DataFrame.

        Columns ``file, row, respondent_id, column, found, allowed, reason, action``; the
        action is ``"row rejected"`` or ``"cell set missing"``; rows in file order.
        """
        import pandas as pd  # lazy: pandas is heavy and only needed here

        columns = ["file", "row", "respondent_id", "column", "found", "allowed", "reason"]
        records = [
            [*(getattr(r, c, None) for c in columns), "row rejected"] for r in self.rejections
        ]
        records += [
            [*(getattr(c, k) for k in columns), "cell set missing"] for c in self.missing_cells
        ]
        frame = pd.DataFrame(records, columns=[*columns, "action"]).astype({"row": "int64"})
        return frame.sort_values("row", kind="stable", ignore_index=True)

    def missing_cells_frame(self) -> pd.DataFrame:
        """The cells set missing: ``row, respondent_id, column, found, allowed, reason``."""
        import pandas as pd  # lazy: pandas is heavy and only needed here

        columns = ["row", "respondent_id", "column", "found", "allowed", "reason"]
        return pd.DataFrame(
            [[getattr(c, k) for k in columns] for c in self.missing_cells], columns=columns
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
        if self.missing_cells:
            lines.append(
                f"cells set missing: {len(self.missing_cells)} in "
                f"{self.rows_with_missing_cells} accepted row(s) (answers the codebook does "
                "not know, or answers off route)"
            )
        if self.blank_rows:
            lines.append(f"blank rows skipped: {line_list(self.blank_rows)}")
        lines.extend(inconsistency_lines(self.inconsistencies))
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
            lines.append(f"{len(self.rejections)} problem(s) in rejected rows:")
            lines.extend(f"  - {rejection}" for rejection in self.rejections)
        if self.missing_cells:
            lines.append(f"{len(self.missing_cells)} cell(s) set missing in accepted rows:")
            lines.extend(f"  - {cell}" for cell in self.missing_cells)
        return "\n".join(lines)


def _load_report_html(report: LoadReport, limit: int = 50) -> str:
    """HTML of a :class:`LoadReport`: the accounting, then the problems.

    Rows read = accepted + rejected is shown first (rejected in red when any); the first
    ``limit`` problems follow as a table, rows rejected and cells set missing in file order
    (all of them are in ``report.to_frame()``).
    """
    colour = "#b00020" if report.rows_rejected else "#1b7837"
    pairs: list[tuple[str, object]] = [
        ("file", report.file),
        ("codebook", report.codebook),
        ("format", report.format + (f", {report.encoding}" if report.encoding else "")),
        ("header rows", report.header_rows),
    ]
    if report.missing_cells:
        pairs.append(
            (
                "cells set missing",
                f"{len(report.missing_cells)} in {report.rows_with_missing_cells} accepted row(s)",
            )
        )
    if report.blank_rows:
        shown = ", ".join(map(str, report.blank_rows[:20]))
        more = " …" if len(report.blank_rows) > 20 else ""
        word = "lines" if len(report.blank_rows) > 1 else "line"
        pairs.append(("blank lines skipped", f"{word} {shown}{more}"))
    if report.ignored_columns:
        pairs.append(("columns ignored", ", ".join(report.ignored_columns)))
    pairs += [("note", note) for note in report.notes]
    pairs += [("inconsistent answers (kept)", str(item)) for item in report.inconsistencies[:limit]]
    problems = ""
    frame = report.to_frame()
    if len(frame):
        columns = ("row", "respondent_id", "column", "found", "allowed", "reason", "action")
        body = []
        for record in frame.head(limit).to_dict("records"):
            cells = ("" if record[c] is None else str(record[c]) for c in columns)
            body.append(_html.row(_html.td(escape(cell)) for cell in cells))
        left = len(frame) - limit
        tail = f"<div>… and {left} more (report.to_frame() has all)</div>" if left > 0 else ""
        problems = f"<div>{len(frame)} problem(s):</div>{_html.table(columns, body)}{tail}"
    return _html.box(
        f"<b>LoadReport</b>: rows read {report.rows_read:,} = accepted "
        f"{report.rows_accepted:,} + <span style='color:{colour};font-weight:bold'>rejected "
        f"{report.rows_rejected:,}</span>",
        _html.definition_table(pairs),
        problems,
    )


_LISTED = 20


def line_list(rows: Sequence[int]) -> str:
    """Line numbers as a list (``"line 33"``, ``"lines 33, 52"``), runs joined by a dash."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    shown = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs[:_LISTED]]
    more = f" ... ({len(rows)} lines in all)" if len(runs) > _LISTED else ""
    return ("line " if len(rows) == 1 else "lines ") + ", ".join(shown) + more


def inconsistency_lines(found: Sequence[Inconsistency]) -> list[str]:
    """One line per consistency rule: how many respondents, which ones (the first few)."""
    by_rule: dict[str, list[Inconsistency]] = {}
    for item in found:
        by_rule.setdefault(item.rule, []).append(item)
    lines = []
    for rule, items in by_rule.items():
        ids = ", ".join(repr(i.respondent_id) for i in items[:_LISTED])
        more = f" ... ({len(items)} in all)" if len(items) > _LISTED else ""
        lines.append(
            f"inconsistent answers (rule {rule!r}: {CONSISTENCY_RULES.get(rule, rule)}), kept as "
            f"answered: {len(items)} respondent(s): {ids}{more}"
        )
    return lines
