"""Resource limits of the loader: how big an input may be before it is refused.

Besides these, a single CSV field may hold at most 131,072 characters (the limit of Python's
``csv`` module); a quoted field that runs past it is reported as an unclosed quote.

Every limit exists so that no input file, however damaged or hostile, can make a load run for
minutes or exhaust memory. The defaults are far above what a survey export needs; a user with a
genuinely larger file raises the one limit named in the error message::

    from gpcollab import read_survey
    from gpcollab.io import Limits

    data = read_survey("big.xlsx", "gp2017", limits=Limits(max_xml_bytes=1_000_000_000))
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True)
class Limits:
    """Bounds on what :func:`~gpcollab.io.read_survey` accepts (each one adjustable).

    Attributes
    ----------
    max_line_chars : int, default=1_000_000
        Longest physical line of a CSV file. A longer line is refused (a CSV export of a survey
        has lines of a few kilobytes; a file without line breaks is not a CSV export).
    max_columns : int, default=5_000
        Most columns in a header row (CSV and XLSX).
    max_rows : int, default=5_000_000
        Most data rows or sheet rows.
    max_cells : int, default=50_000_000
        Most cells in the rectangle an XLSX sheet spans (last row x last column holding a
        value). A workbook with one value in cell XFD1048576 spans 17 billion cells and is
        refused before anything is allocated for it.
    max_xml_bytes : int, default=200_000_000
        Most bytes of XML unpacked from an XLSX workbook (sheet, shared strings, styles and
        workbook parts together). Both the sizes the archive declares and the bytes actually
        unpacked are checked, so a small "zip bomb" is refused early.
    max_stdin_bytes : int, default=500_000_000
        Most bytes read from standard input (which is read once, into memory).
    """

    max_line_chars: int = 1_000_000
    max_columns: int = 5_000
    max_rows: int = 5_000_000
    max_cells: int = 50_000_000
    max_xml_bytes: int = 200_000_000
    max_stdin_bytes: int = 500_000_000


DEFAULT_LIMITS = Limits()
"""The limits used when ``read_survey`` is not given ``limits=``."""
