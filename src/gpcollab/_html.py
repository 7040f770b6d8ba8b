"""The building blocks of rich display in Jupyter: inline styles, HTML pieces and Markdown.

Each class a notebook shows renders itself with these (``_repr_html_``): ``SurveyData`` and
``SurveyMeta`` in :mod:`gpcollab.schema`, ``LoadReport`` in :mod:`gpcollab.io.accounting`, the
``verify_findings`` table in :mod:`gpcollab.findings`; dataset cards are :class:`Markdown`.
The pieces take text, which they escape, or HTML that a caller built from them (named
``html``). The module imports nothing from gpcollab and loads without pandas, so it sits at
the bottom of the package, below every class that uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

__all__ = [
    "BANNER",
    "BOX",
    "CELL",
    "TABLE",
    "Markdown",
    "box",
    "definition_table",
    "notice_banner",
    "row",
    "table",
    "td",
    "th",
]

BOX = "font-family:sans-serif;font-size:13px;line-height:1.4;max-width:60em"
"""Style of the box around one object's display."""

BANNER = (
    "background:#fff3cd;border-left:4px solid #b8860b;padding:4px 8px;margin:4px 0;font-weight:bold"
)
"""Style of a notice that must not be missed (the synthetic-data notice)."""

TABLE = "border-collapse:collapse;margin:4px 0"
"""Style of a table."""

CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"
"""Style of a table cell (header or data)."""


class Markdown(str):
    """Markdown text: a ``str`` (prints and compares as one) that Jupyter renders.

    Examples
    --------
    >>> card = Markdown("# Title")
    >>> card == "# Title", card._repr_markdown_()
    (True, '# Title')
    """

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        return str(self)


def box(*html: str) -> str:
    """The parts of one object's display, in its box."""
    return f"<div style='{BOX}'>{''.join(html)}</div>"


def notice_banner(text: str) -> str:
    """A notice in a banner; empty for no notice (``""``).

    Examples
    --------
    >>> notice_banner("")
    ''
    >>> notice_banner("Synthetic <data>").endswith(">Synthetic &lt;data&gt;</div>")
    True
    """
    return f"<div style='{BANNER}'>{escape(text)}</div>" if text else ""


def th(text: str) -> str:
    """A header cell holding ``text``."""
    return f"<th style='{CELL}'>{escape(text)}</th>"


def td(html: str, style: str = "") -> str:
    """A data cell holding ``html``; ``style`` (``";background:..."``) adds to the cell style."""
    return f"<td style='{CELL}{style}'>{html}</td>"


def row(cells: Iterable[str]) -> str:
    """A table row of cells made by :func:`th` or :func:`td`."""
    return f"<tr>{''.join(cells)}</tr>"


def table(headers: Sequence[str], rows: Iterable[str]) -> str:
    """A table: a header row of ``headers`` (text), then ``rows`` made by :func:`row`.

    Examples
    --------
    >>> html = table(["a", "b"], [row([td("1"), td("<b>2</b>")])])
    >>> html.count("<tr>"), html.count("<th "), "<b>2</b>" in html
    (2, 2, True)
    """
    return f"<table style='{TABLE}'>{row(map(th, headers))}{''.join(rows)}</table>"


def definition_table(pairs: Iterable[tuple[str, object]]) -> str:
    """A two-column table of facts: the name of each (a header cell), then its value as text."""
    body = "".join(row([th(key), td(escape(str(value)))]) for key, value in pairs)
    return f"<table style='{TABLE}'>{body}</table>"
