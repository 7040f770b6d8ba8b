"""Rich display in Jupyter: the HTML behind the ``_repr_html_`` methods, and Markdown text.

The classes that users meet in a notebook (:class:`~gpcollab.schema.SurveyData`,
:class:`~gpcollab.schema.SurveyMeta`, :class:`~gpcollab.io.LoadReport`, the table returned by
:func:`~gpcollab.verify_findings`) each have a one-line ``_repr_html_`` that calls a function
here; :func:`~gpcollab.dataset_card` returns :class:`Markdown`, a ``str`` that Jupyter renders.
Every HTML fragment of a synthetic set carries the synthetic-data notice.

This module imports nothing from the rest of gpcollab at import time (the types appear in
annotations only; ``schema``, which imports this module, is imported inside the two functions
that need its item list and notice), and loads without pandas, as ``schema`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: display sits below every class it draws
    import pandas as pd

    from gpcollab.io import LoadReport
    from gpcollab.schema import SurveyData, SurveyMeta

__all__ = [
    "FINDINGS_READABLE",
    "STATUS_COLOURS",
    "Markdown",
    "findings_html",
    "findings_lines",
    "load_report_html",
    "meta_html",
    "survey_html",
]

#: Background colour of each ``verify_findings`` status (colour-blind-safe pairs of hue and
#: lightness; the status word is always printed too).
STATUS_COLOURS: dict[str, str] = {
    "match": "#d9f0d3",
    "mismatch": "#f4a6a6",
    "conflict": "#fde0b0",
    "not_applicable": "#e6e6e6",
}

_BOX = "font-family:sans-serif;font-size:13px;line-height:1.4;max-width:60em"
_BANNER = (
    "background:#fff3cd;border-left:4px solid #b8860b;padding:4px 8px;margin:4px 0;font-weight:bold"
)
_TABLE = "border-collapse:collapse;margin:4px 0"
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"


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


def _rows(pairs: Iterable[tuple[str, object]]) -> str:
    return "".join(
        f"<tr><th style='{_CELL}'>{escape(key)}</th><td style='{_CELL}'>{escape(str(value))}"
        "</td></tr>"
        for key, value in pairs
    )


def _banner(synthetic: bool) -> str:
    if not synthetic:
        return ""
    from gpcollab.schema import SYNTHETIC_NOTICE  # cycle: schema imports display

    return f"<div style='{_BANNER}'>{escape(SYNTHETIC_NOTICE)}</div>"


def _meta_pairs(meta: SurveyMeta) -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = [
        ("instrument", meta.instrument.label),
        ("wave", meta.wave),
        ("respondents", f"{meta.n:,}"),
        ("synthetic", "yes — reconstructed from published figures" if meta.synthetic else "no"),
        ("source", meta.source),
    ]
    if meta.codebook:
        pairs.append(("codebook", meta.codebook))
    if meta.notes:
        pairs.append(("notes", meta.notes))
    return pairs


def meta_html(meta: SurveyMeta) -> str:
    """HTML of a :class:`~gpcollab.schema.SurveyMeta`: its facts, with the synthetic banner."""
    return (
        f"<div style='{_BOX}'><b>{escape(meta.label)}</b>{_banner(meta.synthetic)}"
        f"<table style='{_TABLE}'>{_rows(_meta_pairs(meta))}</table>"
        f"<div>items asked: {escape(', '.join(meta.items) or 'none')}</div></div>"
    )


def _items_table(survey: SurveyData) -> str:
    from gpcollab.schema import ITEMS  # cycle: schema imports display

    head = "".join(
        f"<th style='{_CELL}'>{h}</th>" for h in ("item", "kind", "question", "answers", "answered")
    )
    body = []
    for name in survey.meta.items:
        item = ITEMS.get(name)
        if item is None:
            continue
        labels = item.choices.labels()
        answers = "; ".join(f"<code>{escape(v)}</code> {escape(t)}" for v, t in labels.items())
        if item.kind == "single" and name in survey.respondents:
            answered = f"{int(survey.respondents[name].notna().sum()):,}"
        elif item.kind == "multi" and name in survey.multi:
            answered = f"{survey.multi[name]['respondent_id'].nunique():,} ticked any"
        elif item.kind == "aims" and survey.aims is not None:
            answered = f"{survey.aims['respondent_id'].nunique():,} set an aim"
        else:
            answered = ""
        cells = [escape(name), escape(item.kind), escape(item.question), answers, answered]
        body.append("<tr>" + "".join(f"<td style='{_CELL}'>{c}</td>" for c in cells) + "</tr>")
    return (
        f"<details><summary>{len(body)} items and their answer sets</summary>"
        f"<table style='{_TABLE}'><tr>{head}</tr>{''.join(body)}</table></details>"
    )


def survey_html(survey: SurveyData) -> str:
    """HTML dataset card of a :class:`~gpcollab.schema.SurveyData`.

    Instrument, wave, respondents, source, the synthetic banner for a reconstructed set, and
    (folded) every item asked with its answer set (machine value and label) and how many
    answered it.
    """
    n_aims = 0 if survey.aims is None else len(survey.aims)
    return (
        f"<div style='{_BOX}'><b>SurveyData: {escape(survey.meta.label)}</b>"
        f"{_banner(survey.meta.synthetic)}"
        f"<table style='{_TABLE}'>{_rows(_meta_pairs(survey.meta))}"
        f"{_rows([('aim rows', f'{n_aims:,}')])}</table>"
        f"{_items_table(survey)}</div>"
    )


def load_report_html(report: LoadReport, limit: int = 50) -> str:
    """HTML of a :class:`~gpcollab.io.LoadReport`: the accounting, then the problems.

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
        head = "".join(f"<th style='{_CELL}'>{c}</th>" for c in columns)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td style='{_CELL}'>{escape('' if v is None else str(v))}</td>"
                for v in (record[c] for c in columns)
            )
            + "</tr>"
            for record in frame.head(limit).to_dict("records")
        )
        left = len(frame) - limit
        tail = f"<div>… and {left} more (report.to_frame() has all)</div>" if left > 0 else ""
        problems = (
            f"<div>{len(frame)} problem(s):</div>"
            f"<table style='{_TABLE}'><tr>{head}</tr>{body}</table>{tail}"
        )
    return (
        f"<div style='{_BOX}'><b>LoadReport</b>: rows read {report.rows_read:,} = accepted "
        f"{report.rows_accepted:,} + <span style='color:{colour};font-weight:bold'>rejected "
        f"{report.rows_rejected:,}</span>"
        f"<table style='{_TABLE}'>{_rows(pairs)}</table>{problems}</div>"
    )


_FINDINGS_COLUMNS: Sequence[str] = (
    "finding_id",
    "status",
    "statement",
    "published",
    "reproduced",
    "tolerance",
    "base_n",
    "reason",
)

#: The readable columns of a ``verify_findings`` table (values at the published precision and
#: the reason on the row), with the headers they are shown under.
FINDINGS_READABLE: Sequence[tuple[str, str]] = (
    ("finding_id", "finding"),
    ("status", "status"),
    ("statement", "statement"),
    ("published_text", "published"),
    ("reproduced_text", "recomputed"),
    ("tolerance", "tolerance"),
    ("base_n", "base"),
    ("explanation", "why"),
)


def _readable_columns(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The columns to show: the readable ones when the table has them, else the raw ones."""
    if {"published_text", "reproduced_text", "explanation"} <= set(table.columns):
        return [(c, h) for c, h in FINDINGS_READABLE if c in table.columns]
    return [(c, c) for c in _FINDINGS_COLUMNS if c in table.columns]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd  # light: display loads with schema, which loads without pandas

        return bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays and other non-scalars: shown as text
        return False


def _text(value: Any) -> str:
    """A cell as plain text: missing as a dash, floats in short form."""
    if _missing(value):
        return "\u2014"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def findings_lines(
    table: pd.DataFrame, statuses: Sequence[str] = ("mismatch", "conflict")
) -> list[str]:
    """One readable line per finding of ``table`` whose status is in ``statuses``.

    For the console (``gpcollab reproduce`` and ``report`` print them): the status, the set
    (when the table has a ``survey`` column), the finding and its statement, the published
    and recomputed values at the published precision, the tolerance and the reason, e.g.
    ``MISMATCH 2017-06: ... — published 45%, recomputed 44% (tolerance ±0.5 points):
    36 / 81 = 44.4%: 0.6 points from 45%, more than the 0.5 allowed``.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`~gpcollab.verify_findings` result, or several stacked with a ``survey``
        column (as in the report's ``findings_check.csv``).
    statuses : sequence of str, default=("mismatch", "conflict")
        The statuses to list.

    Returns
    -------
    list of str
    """
    if "status" not in table.columns:
        return []
    readable = {"published_text", "reproduced_text", "explanation"} <= set(table.columns)
    lines = []
    for row in table.to_dict(orient="records"):
        status = str(row.get("status", ""))
        if status not in statuses:
            continue
        if readable:
            published, recomputed = row["published_text"], row["reproduced_text"]
            why = row["explanation"]
        else:  # an older or reshaped table: the raw columns
            published, recomputed = row.get("published"), row.get("reproduced")
            why = " ".join(
                _text(row.get(k)) for k in ("detail", "reason") if not _blank(row.get(k))
            )
        tolerance = "" if _blank(row.get("tolerance")) else f" (tolerance {row['tolerance']})"
        where = " ".join(
            str(row[k]) for k in ("survey", "finding_id") if k in row and not _blank(row[k])
        )
        line = (
            f"  {status.upper()} {where}: {_text(row.get('statement'))} \u2014 published "
            f"{_text(published)}, recomputed {_text(recomputed)}{tolerance}"
        )
        if not _blank(why):
            line += f": {why}"
        lines.append(line)
    return lines


def _blank(value: Any) -> bool:
    return _missing(value) or not str(value).strip()


def _cell(value: Any) -> str:
    return "" if _missing(value) else escape(_text(value))


def findings_html(table: pd.DataFrame) -> str:
    """HTML of a :func:`~gpcollab.verify_findings` result, each status cell coloured.

    A line counts the statuses; the table shows the readable columns (published and
    recomputed values at the published precision, the tolerance, and why: see
    :data:`FINDINGS_READABLE`); all columns are in the DataFrame.
    A table without a ``status`` column (a filtered or reshaped copy) is shown as pandas would.
    """
    import pandas as pd  # light: display loads with schema, which loads without pandas

    if "status" not in table.columns:
        return str(pd.DataFrame(table).to_html())
    counts = table["status"].astype(str).value_counts()
    summary = ", ".join(
        f"<span style='background:{STATUS_COLOURS.get(s, '#fff')};padding:0 4px'>"
        f"{escape(s)} {int(counts.get(s, 0))}</span>"
        for s in STATUS_COLOURS
        if counts.get(s, 0)
    )
    shown = _readable_columns(table)
    columns = [c for c, _ in shown]
    head = "".join(f"<th style='{_CELL}'>{escape(h)}</th>" for _, h in shown)
    body = []
    for record in table[columns].to_dict(orient="records"):
        status = str(record.get("status", ""))
        cells = []
        for c in columns:
            style = _CELL
            if c == "status":
                style += f";background:{STATUS_COLOURS.get(status, '#fff')};font-weight:bold"
            cells.append(f"<td style='{style}'>{_cell(record[c])}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    notice = str(table.attrs.get("notice") or "")
    banner = f"<div style='{_BANNER}'>{escape(notice)}</div>" if notice else ""
    return (
        f"<div style='{_BOX}'><b>Published findings checked</b>: {len(table)} rows — "
        f"{summary}{banner}<table style='{_TABLE}'><tr>{head}</tr>{''.join(body)}</table></div>"
    )
