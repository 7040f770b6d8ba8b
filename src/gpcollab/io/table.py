"""The raw table handed from a file reader to the interpreter: rows of text cells.

A reader (:mod:`.csvfile`, :mod:`.xlsxfile`, :mod:`.savfile`) turns a file into a
:class:`RawTable` whose ``rows`` iterator yields ``(first, last, cells)``: the first and last
line (or sheet row, or case number) the row occupies and its cells as text, ``""`` for a blank
cell. A row the reader could not split into cells (a quote opened and never closed) has
``cells = None`` and an entry in ``broken``. Rows are produced lazily, so a large CSV file is
never held in memory whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

__all__ = ["EXACT_INTEGERS", "FileFormat", "RawRow", "RawTable", "cell_text"]

FileFormat = Literal["csv", "xlsx", "sav"]
RawRow = tuple[int, int, list[str] | None]
EXACT_INTEGERS = 2**53
"""Whole numbers up to this size are exact in a double (XLSX and SPSS store numbers so)."""


@dataclass
class RawTable:
    """A file reduced to rows of text cells, before any meaning is attached.

    Attributes
    ----------
    format : {"csv", "xlsx", "sav"}
    rows : iterator of (int, int, list of str or None)
        Every row of the file, header rows and blank rows included.
    encoding, delimiter, sheet : str or None
        What the reader used or found (for the report).
    labels : list of str, optional
        SPSS variable labels (the first row then holds the variable names).
    value_labels : dict
        SPSS value labels by column position: code as text -> label.
    strict_width : bool
        Whether rows longer than the header are a problem (CSV) or may end early (all formats).
    broken : dict
        First line of a row that could not be split -> (field position or None, text found,
        reason). Filled by the reader while ``rows`` is consumed.
    formulas : dict
        XLSX: sheet row -> {column position: formula} for cells holding a formula without a
        saved value (read as blank). Filled while ``rows`` is consumed.
    notes : list of str
        Remarks for the report.
    closers : list of callables
        Release the open files behind ``rows``; :meth:`close` calls them (the loader always
        does, also when a load fails half-way).
    """

    format: FileFormat
    rows: Iterator[RawRow]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    labels: list[str] | None = None
    value_labels: dict[int, dict[str, str]] = field(default_factory=dict)
    strict_width: bool = True
    broken: dict[int, tuple[int | None, str, str]] = field(default_factory=dict)
    formulas: dict[int, dict[int, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Close the files the rows are read from."""
        for closer in self.closers:
            closer()
        self.closers.clear()


def cell_text(value: object) -> str:
    """One typed cell (XLSX, SPSS) as text; ``""`` when empty.

    Whole-number floats lose their ``.0`` (SPSS stores every number as a float; a 16-digit id
    stays ``4000000000000001``), dates become ISO dates, date-times ISO date-times. A whole
    number beyond 2**53, which a double cannot hold exactly, is written in scientific notation
    (``9.0071992547409940e+15``), so that it is read as a number but never taken for an id.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            if abs(value) <= EXACT_INTEGERS:
                return str(int(value))
            return format(value, ".16e")
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
