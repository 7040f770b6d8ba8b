"""Charts of the report, drawn from the tidy tables of the analysis functions.

Every helper has the shape of a seaborn axes-level function: the data come first (a tidy table
returned by an analysis function, or for some helpers a :class:`~gpcollab.schema.SurveyData`
from which that table is computed first), every other argument is keyword-only, a second
grouping column is ``hue=`` (levels in ``hue_order=``), an optional ``ax=`` receives the
drawing, extra ``**kwargs`` go to the main artists, and the :class:`matplotlib.axes.Axes` is
returned. The module is also importable as ``gpcollab.plot``.

=======================================================  =======================================
helper                                                   expected table (docs/analysis_api.md)
=======================================================  =======================================
``plot_achievement(data, *, order=None, ax=None)``       ``achievement_rates(...,
                                                         too_early="separate")``: ``aim``,
                                                         ``outcome``, ``n``, ``estimate``
``plot_rates(data, *, x="size_band", hue=None,           ``achievement_rates(..., by=x)`` (or
kind="bar", outcome="fully", ax=None)``                  any table): column ``x``, optional
                                                         ``hue`` and ``outcome``, ``n``,
                                                         ``estimate``, ``ci_low``, ``ci_high``
``plot_wave_comparison(data, *, x=None, ax=None)``       ``compare_waves`` rows, or a long table
                                                         with a ``wave`` column
``plot_likert(data, *, hue="instrument", ax=None)``      ``stp_views``, ``contract_willingness``,
                                                         ``distribution``: ``option``,
                                                         ``estimate``, optional ``n`` and ``hue``
``plot_size_distribution(data, pcn=None, *, ax=None)``   ``distribution(survey, "size_band")``
                                                         and the PCN table of
                                                         ``load_population(2019, "pcn")``
``plot_scenarios(data, *, y=None, ax=None)``             ``whatif.standardise`` (``scenario``) or
                                                         ``whatif.pcn_projection``
                                                         (``size_band``)
=======================================================  =======================================

Conventions
-----------
* **Figures.** With ``ax=None`` each helper creates a *new* figure (7 x 4 inches, constrained
  layout), so calls in a loop never draw over each other. Pass ``ax=`` to place a chart in your
  own layout; on a figure without a layout engine the helper switches on constrained layout so
  that labels, legend and footer fit (a figure with its own engine is left alone). No helper
  calls ``plt.show()`` or changes :data:`matplotlib.rcParams`. matplotlib is imported only when
  a chart is drawn.
* **Shares.** Tables hold proportions in [0, 1], drawn as such on an axis labelled 0-100 %.
  Whiskers are the table's own asymmetric intervals ``ci_low``/``ci_high``.
* **Suppressed cells.** Rows whose ``suppressed`` column is true (see
  :func:`gpcollab.suppress`) are never drawn as zero: they get the marker
  :data:`SUPPRESSED_MARK` (a hatched stub or block), and the footer explains it. A true zero
  is written "0%" at the axis.
* **Footer.** Each figure gets, once, a footer: notes (what a marker means, the range of
  bases), a source line built from the table's ``attrs`` (``wave``, ``instrument``; gid
  :data:`SOURCE_GID`) and, for synthetic data, :data:`gpcollab.schema.SYNTHETIC_NOTICE`
  (gid :data:`FOOTER_GID`). Constrained layout keeps room for it.
* **Labels.** Categories show the human labels of :mod:`gpcollab.vocab` in questionnaire
  order; the unweighted base is written ``n=238``.
* **Colours.** :data:`PALETTE` is the Okabe-Ito palette (colour-blind safe) for unordered
  groups; ordered groups (size, age and level bands, waves) take shades of one hue from
  :func:`sequential_colours` (ColorBrewer YlGnBu), light for the first level and dark for the
  last. Achievement outcomes use :data:`ACHIEVEMENT_COLOURS` and Likert-type items the
  ColorBrewer *PuOr* diverging scheme; "too early to say" and "don't know" are greys.
"""

from __future__ import annotations

import importlib
import itertools
import math
import re
import textwrap
import warnings
from collections.abc import Callable, Collection, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from gpcollab._checks import check_choice
from gpcollab.analysis import ESTIMATE_COLUMNS
from gpcollab.datasets import load_population
from gpcollab.errors import ArgumentError
from gpcollab.headlines import AIM_SHORT_LABELS
from gpcollab.presentation import (
    EXTRA_LABELS,
    SUPPRESSED,
    HiddenCellRule,
    suppression_note_for,
)
from gpcollab.schema import ITEMS, SYNTHETIC_NOTICE, SurveyData
from gpcollab.vocab import (
    Achievement,
    Aim,
    Choice,
    ContractWillingness,
    Influence,
    Instrument,
    Likelihood,
    PracticeShare,
    SizeBand,
    Wave,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import NDArray

    from gpcollab._typing import BoolArray, FloatArray


__all__ = [
    "ACHIEVEMENT_COLOURS",
    "DIVERGING_COLOURS",
    "FEW_PCNS",
    "FIGSIZE",
    "FOOTER_GID",
    "LIKERT_LIMIT",
    "NEUTRAL_GREY",
    "NOTE_GID",
    "PALETTE",
    "REAL_DATA_COLOUR",
    "SOURCE_GID",
    "SUPPRESSED_GID",
    "SUPPRESSED_MARK",
    "add_footnote",
    "dot_label_lines",
    "footnote_height",
    "panel_height",
    "plot_achievement",
    "plot_likert",
    "plot_rates",
    "plot_scenarios",
    "plot_size_distribution",
    "plot_wave_comparison",
    "sequential_colours",
]

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe-Ito colour-blind-safe qualitative palette, in the order the helpers use it."""

REAL_DATA_COLOUR = "#009E73"
"""Colour of real (published, not synthetic) data beside survey estimates: the PCNs of 2019.
Each colour keeps one meaning across the report: blue the survey's estimates, orange the
negative side of a scale (and "not achieved"), purple its positive side, grey what stands
apart (a comparison wave or row, "don't know", "too early to say"), green real PCN data."""

NEUTRAL_GREY = "#C4C4C4"
"""Colour of answers outside the ordered scale ("too early to say", "don't know")."""

ACHIEVEMENT_COLOURS: dict[str, str] = {
    Achievement.FULLY.value: "#0072B2",
    Achievement.PARTIALLY.value: "#4292C6",
    Achievement.NOT_ACHIEVED.value: "#E69F00",
    Achievement.TOO_EARLY.value: NEUTRAL_GREY,
    Achievement.DONT_KNOW.value: "#DDDDDD",
}
"""Colour of each achievement outcome: Okabe-Ito blue, a lighter blue (ColorBrewer Blues),
Okabe-Ito orange, then greys. Their lightness rises in the order of the segments (greyscale
luma about 87, 128, 162, 196 and 221 of 255), so the chart also reads in greyscale; each takes
black or white text at WCAG AA contrast."""

DIVERGING_COLOURS: dict[int, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    1: (("#E66101",), "#E0E0E0", ("#5E3C99",)),
    2: (("#E66101", "#FDB863"), "#E0E0E0", ("#B2ABD2", "#5E3C99")),
    3: (("#B35806", "#F1A340", "#FEE0B6"), "#E0E0E0", ("#D8DAEB", "#998EC3", "#542788")),
}
"""ColorBrewer PuOr by points per side: (negative, outer to inner), neutral, (positive, inner
to outer). The neutral middle is a light grey so it reads as neither side."""

FIGSIZE: tuple[float, float] = (7.0, 4.0)
"""Size in inches of the figures the helpers create (report width)."""

FOOTER_GID = "gpcollab-synthetic-footer"
"""gid of the footer Text carrying the synthetic notice."""

SOURCE_GID = "gpcollab-source"
"""gid of the footer Text naming the source of the data."""

NOTE_GID = "gpcollab-note"
"""gid of the footer Text with notes (suppression marker, bases)."""

SUPPRESSED_MARK = SUPPRESSED
"""Marker of a cell hidden by disclosure control (the ONS convention for a confidential value)."""

SUPPRESSED_GID = "suppressed"
"""gid of the artists (marker texts, hatched stubs) standing for suppressed cells."""

_PHONE_SIZES = (9.5, 8.5)
"""On a phone layout every text is at least 8.5 pt: about 11 CSS px on a 390 px screen."""
_SCREEN_SIZES = (9.0, 7.5)
"""Label and annotation sizes of every other figure (a wide one, a user's 4 by 3 inches)."""
_SIZES: ContextVar[tuple[float, float]] = ContextVar("gpcollab_text_sizes", default=_SCREEN_SIZES)
"""Text sizes (labels, small annotations) of the chart being drawn; see :func:`_axes`."""
_FOOTER_FONT = 7.5
_FOOTER_FONT_PHONE = 8.5
"""Footer size of a tall figure at most 4 inches wide: a phone layout, shown at about 95 px
per inch on a 390 px screen, where 7 pt would be 9 px."""
_HATCH = "////"
_MARK_COLOUR = "#555555"
_WAVE_COLOURS = ("#8A8A8A", "#0072B2")  # each at least 3:1 against white (WCAG graphics)

# column name -> answer set whose labels the column's values take
_COLUMN_ENUMS: dict[str, type[Choice]] = {
    **{name: item.choices for name, item in ITEMS.items() if item.kind == "single"},
    "aim": Aim,
    "outcome": Achievement,
    "instrument": Instrument,
}

_TITLES: dict[str, str] = {
    "aim": "Aim",
    "outcome": "Outcome",
    "size_band": "Registered patients covered by the collaboration",
    "age_band": "Time since the collaboration formed",
    "level": "Level at which the collaboration operates",
    "funding": "GP Access Fund / Challenge Fund money",
    "instrument": "Survey",
    "wave": "Survey wave",
    "scenario": "Scenario",
    "size_group": "Registered patients covered by the collaboration",
}

_LIKERT_SCALES: tuple[type[Choice], ...] = (
    Influence,
    Likelihood,
    ContractWillingness,
    PracticeShare,
)

_DONT_KNOW = "dont_know"

# labels of the special rows the analysis tables add
_SPECIAL_LABELS: dict[str, str] = {
    "all_pcns": "All PCNs",
    "observed": "Observed",
    "in_collaboration": "In a collaboration (any form)",
}

_UNSET: Any = object()


# -- small helpers ---------------------------------------------------------------------------


def _pct(share: float) -> str:
    """A share as a whole percentage; shares above 0 that round to 0 are "<1%"."""
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 < share < 1:
        return ">99%"
    return f"{100 * share:.0f}%"


def _n_text(n: Any) -> str:
    if n is None or (isinstance(n, float) and math.isnan(n)) or n is pd.NA:
        return "n=?"
    return f"n={int(n):,}"


def _wrap(text: str, width: int) -> str:
    width = max(int(width), 6)
    if len(text) <= width:
        return text
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))


def _title(column: str) -> str:
    if column in _TITLES:
        return _TITLES[column]
    if column in ITEMS:
        return ITEMS[column].question
    return column.replace("_", " ").capitalize()


def _renamed(kwargs: dict[str, Any], old: str, new: str, value: Any, helper: str) -> Any:
    """Take a deprecated argument out of ``kwargs``: warn, and return it in place of ``value``."""
    if old not in kwargs:
        return value
    warnings.warn(
        f"The argument `{old}` of {helper} is deprecated and will be removed in gpcollab 0.3; "
        f"use `{new}` instead.",
        DeprecationWarning,
        stacklevel=3,
    )
    return kwargs.pop(old)


def _scale_for_values(values: Sequence[Any], candidates: Sequence[type[Choice]]) -> type[Choice]:
    present = {str(v) for v in values}
    for scale in candidates:
        if present <= set(scale.values()):
            return scale
    names = ", ".join(c.__name__ for c in candidates)
    raise ArgumentError(
        f"The options {sorted(present)} do not belong to one answer set ({names}); "
        "pass a table from gpcollab.analysis or add an `item` column."
    )


def _option_enum(data: pd.DataFrame) -> type[Choice] | None:
    """Answer set of an ``option`` column, from ``item`` (column or attrs) or from its values."""
    item: Any = None
    if "item" in data.columns and data["item"].nunique() == 1:
        item = data["item"].iloc[0]
    elif isinstance(data.attrs.get("item"), str):
        item = data.attrs["item"]
    if item is not None and str(item) in ITEMS:
        return ITEMS[str(item)].choices
    values = data["option"].dropna().astype(str).unique().tolist()
    candidates: list[type[Choice]] = [*_LIKERT_SCALES, *{s.choices for s in ITEMS.values()}]
    for scale in candidates:
        if set(values) <= set(scale.values()):
            return scale
    return None


def _column_enum(data: pd.DataFrame, column: str) -> type[Choice] | None:
    if column == "option":
        return _option_enum(data)
    return _COLUMN_ENUMS.get(column)


def _labeller(data: pd.DataFrame, column: str) -> Callable[[Any], str]:
    """Function giving the human label of a value of ``column``."""
    enum = _column_enum(data, column)
    if enum is not None:
        labels = {**_SPECIAL_LABELS, **enum.labels()}
        return lambda value: labels.get(str(value), str(value))
    if column == "wave":
        return lambda value: (
            str(Wave.of(value).value) if str(value) in Wave.values() else str(value)
        )
    if column == "funding":
        # the words of the report's tables (report._label)
        return lambda value: {"True": "Access / Challenge Fund", "False": "No such funding"}.get(
            str(value), str(value)
        )
    if column == "scenario":
        return lambda value: _SPECIAL_LABELS.get(str(value), str(value))
    if column == "size_group":  # whatif.reband's groups ("under 100,000") head a row
        return lambda value: str(value)[:1].upper() + str(value)[1:]
    return str


_TOTALS = ("in_collaboration", "all_pcns", "observed")
"""Rows an analysis adds beside an item's own answers as their total or reference (labelled
in :data:`gpcollab.presentation.EXTRA_LABELS`): a chart draws them first, where the figure its
title quotes is looked for."""


def _levels(data: pd.DataFrame, column: str, order: Sequence[Any] | None = None) -> list[Any]:
    """Levels of ``column`` present in ``data``: ``order``, else category or first-seen order
    with any total or reference row (:data:`_TOTALS`) first."""
    levels = _given_levels(data, column, order)
    if order is not None:
        return levels
    totals = set(_TOTALS) | {EXTRA_LABELS[key] for key in _TOTALS}
    return [v for v in levels if str(v) in totals] + [v for v in levels if str(v) not in totals]


def _given_levels(data: pd.DataFrame, column: str, order: Sequence[Any] | None) -> list[Any]:
    series = data[column]
    present = list(pd.unique(series.dropna()))
    if order is not None:
        keys = {str(v): v for v in present}
        missing = [o for o in order if str(o) not in keys]
        if missing:
            raise ArgumentError(
                f"The value for `order` must list levels of {column!r}, but {missing!r} are "
                f"not in the data; available: {[str(v) for v in present]}."
            )
        return [keys[str(o)] for o in order]
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [c for c in series.cat.categories if c in set(present)]
    enum = _column_enum(data, column)
    if enum is not None:
        rank = {v: i for i, v in enumerate(enum.values())}
        return sorted(present, key=lambda v: rank.get(str(v), len(rank)))
    if column == "wave" or series.dtype == bool:
        return sorted(present, key=str)
    return present


def _ordered(data: pd.DataFrame, column: str) -> bool:
    """True when the levels of ``column`` are ordered bands (size, age, level) or waves."""
    if column == "wave":
        return True
    enum = _column_enum(data, column)
    return bool(enum is not None and enum.ordinal)


def sequential_colours(k: int) -> list[str]:
    """``k`` shades of one hue for ordered levels, light (first) to dark (last).

    Parameters
    ----------
    k : int
        Number of levels (at least 1).

    Returns
    -------
    list of str
        Hex colours sampled from ColorBrewer's YlGnBu (colour-blind safe, printable), leaving
        out its lighter part so that every shade has at least 3:1 contrast against white
        (WCAG's level for graphics).
    """
    from matplotlib import colormaps  # heavy: matplotlib
    from matplotlib.colors import to_hex  # heavy: matplotlib

    if k < 1:
        raise ArgumentError(f"`k` must be at least 1, but {k!r} was passed.")
    cmap = colormaps["YlGnBu"]
    points = [0.8] if k == 1 else np.linspace(0.6, 0.97, k).tolist()
    return [to_hex(cmap(p)) for p in points]


def _hue_colours(data: pd.DataFrame, hue: str | None, levels: Sequence[Any]) -> list[str]:
    if hue is None:
        return [PALETTE[0]]
    if hue == "wave" and len(levels) == 2:
        return list(_WAVE_COLOURS)
    if _ordered(data, hue):
        return sequential_colours(len(levels))
    return [PALETTE[i % len(PALETTE)] for i in range(len(levels))]


def _require(data: object, columns: Sequence[str], helper: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"{helper} needs a pandas DataFrame (a table from gpcollab.analysis), "
            f"got {type(data).__name__}."
        )
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ArgumentError(
            f"{helper} needs the columns {missing!r}, which are not in the table; "
            f"available columns: {[str(c) for c in data.columns]}."
        )


def _is_survey(data: object) -> bool:
    return isinstance(data, SurveyData)


def _is_synthetic(*sources: object) -> bool:
    for source in sources:
        if _is_survey(source):
            if bool(source.meta.synthetic):  # type: ignore[attr-defined]
                return True
        elif isinstance(source, pd.DataFrame) and bool(source.attrs.get("synthetic", False)):
            return True
    return False


def _whatif() -> Any:
    """The what-if module, imported when a chart needs it."""
    return importlib.import_module("gpcollab.whatif")


def _analysis() -> Any:
    """The analysis module, imported when a chart is computed from a SurveyData."""
    return importlib.import_module("gpcollab.analysis")


def _suppressed(table: pd.DataFrame) -> BoolArray:
    """Boolean mask of the rows hidden by disclosure control (``suppressed`` column)."""
    if "suppressed" not in table.columns:
        return np.zeros(len(table), dtype=bool)
    flags = table["suppressed"].to_numpy(dtype=object)
    return np.array([bool(f) if isinstance(f, bool | np.bool_) else False for f in flags], bool)


def _numeric(series: pd.Series) -> FloatArray:
    return np.asarray(pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan))


def _single(data: pd.DataFrame, keys: Sequence[str], helper: str) -> None:
    """Raise when ``data`` has more than one row per combination of ``keys``."""
    if data.duplicated(subset=list(keys)).any():
        extra = [
            str(c)
            for c in data.columns
            if c not in keys and c not in _ESTIMATE_COLUMNS and data[c].nunique(dropna=False) > 1
        ]
        raise ArgumentError(
            f"{helper} found several rows for the same {list(keys)!r}; the table has other "
            f"grouping columns {extra!r}. Filter the table to one group first, or pass "
            "`hue=` for a second grouping column."
        )


_ESTIMATE_COLUMNS = (*ESTIMATE_COLUMNS, "suppressed")


# -- figure, layout and footer ---------------------------------------------------------------


def _font() -> float:
    """Size of labels (ticks, axis labels) in the chart being drawn."""
    return _SIZES.get()[0]


def _small() -> float:
    """Size of annotations (values, bases, legends) in the chart being drawn."""
    return _SIZES.get()[1]


def _sizes_for(width: float, height: float) -> tuple[float, float]:
    """Label and annotation sizes for a figure ``width`` by ``height`` inches."""
    return _PHONE_SIZES if width <= 4.0 and height >= 3.5 else _SCREEN_SIZES  # see _is_phone


def _is_phone(fig: Figure) -> bool:
    """A tall figure at most 4 inches wide: the phone layout of a chart."""
    return float(fig.get_figwidth()) <= 4.0 and float(fig.get_figheight()) >= 3.5


def _axes(ax: Axes | None) -> Axes:
    """The Axes to draw on (a new figure when ``ax`` is None), with the text sizes of its
    figure: larger on a phone layout, so that no text is under about 11 CSS px."""
    if ax is not None:
        _ensure_layout(ax)
    else:
        import matplotlib.pyplot as plt  # heavy: matplotlib

        _, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    fig = _root_figure(ax)
    _SIZES.set(_sizes_for(float(fig.get_figwidth()), float(fig.get_figheight())))
    return ax


def _root_figure(ax: Axes) -> Figure:
    from matplotlib.figure import Figure  # heavy: matplotlib

    fig: Any = ax.figure
    while not isinstance(fig, Figure):
        fig = fig.figure
    return fig


def _ensure_layout(ax: Axes) -> None:
    """Switch on constrained layout on a figure that has no layout engine."""
    fig = _root_figure(ax)
    if fig.get_layout_engine() is None and ax.get_subplotspec() is not None:
        fig.set_layout_engine("constrained")


def _axes_width_in(ax: Axes) -> float:
    """Width of ``ax`` in inches (before layout: from its subplot position)."""
    fig = _root_figure(ax)
    return max(float(ax.get_position().width) * float(fig.get_figwidth()), 1.0)


def _figure_width_in(ax: Axes) -> float:
    return float(_root_figure(ax).get_figwidth())


def _chars(width_in: float, fontsize: float) -> int:
    """How many characters of ``fontsize`` fit in ``width_in`` inches (DejaVu Sans average)."""
    return max(int(width_in * 72 / (fontsize * 0.62)), 6)


@dataclass
class _Footer:
    synthetic: str = ""
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _footer_state(fig: Figure) -> _Footer:
    state = getattr(fig, "_gpcollab_footer", None)
    if not isinstance(state, _Footer):
        state = _Footer()
        fig._gpcollab_footer = state  # type: ignore[attr-defined]
    return state


def _source_line(data: object) -> str:
    """ "Source: ..." from a table's ``attrs`` (``wave``, ``instrument``, ``organisation``) or a
    survey's meta: the survey, its year and, where the metadata names it, who ran it."""
    if _is_survey(data):
        meta = data.meta  # type: ignore[attr-defined]
        return _survey_source([meta.organisation], [meta.instrument.value], [meta.wave])
    if not isinstance(data, pd.DataFrame):
        return ""
    if isinstance(data.attrs.get("source_line"), str):
        return str(data.attrs["source_line"])
    instruments = data.attrs.get("instrument")
    waves = data.attrs.get("wave")
    if instruments is None and waves is None:
        return ""
    return _survey_source(
        _as_list(data.attrs.get("organisation", "")), _as_list(instruments), _as_list(waves)
    )


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _survey_source(
    organisations: Sequence[object], instruments: Sequence[object], waves: Sequence[object]
) -> str:
    """The source line of the surveys named: "Source: <organisation> survey of <respondents>,
    <years>." when every survey names the same organisation, else (a survey that does not say
    who ran it is never credited to another's organisation) "Source: <survey>, <years>."."""
    parsed = [Instrument.parse(i) if i in Instrument.values() else i for i in instruments]
    kinds = list(dict.fromkeys(i for i in parsed if i is not None))
    when = " and ".join(dict.fromkeys(str(w) for w in waves if w is not None))
    named = {str(o or "").strip() for o in organisations}
    if len(named) == 1 and "" not in named and kinds:
        who = " and ".join(i.respondents if isinstance(i, Instrument) else str(i) for i in kinds)
        surveys = "surveys" if len(kinds) > 1 or " and " in when else "survey"
        return f"Source: {named.pop()} {surveys} of {who}" + (f", {when}." if when else ".")
    what = " and ".join(i.label if isinstance(i, Instrument) else str(i) for i in kinds)
    text = ", ".join(part for part in (what, when) if part)
    return f"Source: {text}." if text else ""


def _finish(
    ax: Axes,
    data: object,
    *,
    notes: Sequence[str] = (),
    sources: Sequence[str] = (),
    synthetic_scope: str = "",
) -> Axes:
    """Add (or update) the figure's footer for the chart just drawn on ``ax``; return ``ax``.

    The footer is at most one notes text, one source text and one synthetic notice per figure,
    however many charts it holds; each line is wrapped to the figure's width, and constrained
    layout keeps a strip for it.
    """
    fig = _root_figure(ax)
    _note_footer(fig, data, notes=notes, sources=sources, synthetic_scope=synthetic_scope)
    _fit_legend(ax)
    _tidy(ax)
    if getattr(ax, "_gpcollab_unstack", False):
        _unstack_values(ax)
    return ax


def _note_footer(
    fig: Figure,
    data: object,
    *,
    notes: Sequence[str] = (),
    sources: Sequence[str] = (),
    synthetic_scope: str = "",
) -> None:
    """Add what ``data`` needs to the figure's footer (notes, its source, the synthetic
    notice), each once, and draw the footer again."""
    state = _footer_state(fig)
    if _is_synthetic(data) and not state.synthetic:
        state.synthetic = SYNTHETIC_NOTICE + (f" ({synthetic_scope})" if synthetic_scope else "")
    for line in (*sources, _source_line(data)):
        if line and line not in state.sources:
            state.sources.append(line)
    for note in notes:
        if note and note not in state.notes:
            state.notes.append(note)
    _draw_footer(fig, state)


def add_footnote(fig: Figure, note: str) -> None:
    """Add ``note`` (how a chart was made, what to bear in mind) to the notes in the footer of
    ``fig``, after those the charts on it gave, above the source line.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure holding charts drawn by this module's helpers (or none).
    note : str
        The note's sentences; nothing is added when it is empty.
    """
    _note_footer(fig, None, notes=[note])


def footnote_height(note: str, *, width: float, height: float) -> float:
    """Height in inches that ``note`` takes in the footer of a figure ``width`` by ``height``
    inches (as :func:`add_footnote` sets it: wrapped to the width, at the footer's size).

    Parameters
    ----------
    note : str
    width, height : float
        The figure's size in inches.

    Returns
    -------
    float
        0 for an empty note.
    """
    if not note.strip():
        return 0.0
    size = _footer_size(width, height)
    lines = _wrap(note, _chars(width - 0.2, size)).count("\n") + 1
    return lines * size * 1.3 / 72


def _footer_size(width: float, height: float) -> float:
    """Font size of the footer of a figure ``width`` by ``height`` inches: a little smaller on a
    small figure (a user's 4 by 3 inches), never on a wide one however short."""
    if height < 3.5 and width < 6.0:
        return _FOOTER_FONT - 1.0
    return _FOOTER_FONT_PHONE if width <= 4.0 else _FOOTER_FONT  # see _is_phone


def _draw_footer(fig: Figure, state: _Footer) -> None:
    from matplotlib.layout_engine import ConstrainedLayoutEngine  # heavy: matplotlib
    from matplotlib.transforms import ScaledTranslation  # heavy: matplotlib

    for old in list(fig.texts):
        if old.get_gid() in (FOOTER_GID, SOURCE_GID, NOTE_GID):
            old.remove()
    size = _footer_size(float(fig.get_figwidth()), float(fig.get_figheight()))
    width = _chars(float(fig.get_figwidth()) - 0.2, size)
    lines: list[tuple[str, str, str]] = []  # bottom to top: (text, gid, style)
    if state.synthetic:
        lines.append((_wrap(state.synthetic, width), FOOTER_GID, "italic"))
    if state.sources:
        lines.append((_wrap(" ".join(state.sources), width), SOURCE_GID, "normal"))
    if state.notes:
        lines.append((_wrap(" ".join(state.notes), width), NOTE_GID, "normal"))
    line_in = size * 1.3 / 72
    y_in = 0.05
    for text, gid, style in lines:
        offset = ScaledTranslation(0.08, y_in, fig.dpi_scale_trans)
        fig.text(
            0.0,
            0.0,
            text,
            ha="left",
            va="bottom",
            fontsize=size,
            fontstyle=style,
            color="#444444" if gid != NOTE_GID else "#222222",
            gid=gid,
            transform=fig.transFigure + offset,
        )
        y_in += line_in * (text.count("\n") + 1) + 0.02
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine) and lines:
        bottom = min((y_in + 0.04) / float(fig.get_figheight()), 0.4)
        rect = engine.get().get("rect") or (0.0, 0.0, 1.0, 1.0)
        top = float(rect[1]) + float(rect[3])
        engine.set(rect=(0.0, bottom, 1.0, max(top - bottom, 0.1)))


def _suppressed_note(data: pd.DataFrame) -> str:
    return suppression_note_for(data)  # the rule in the words of every table and page


def _style(ax: Axes, *, grid: Literal["x", "y"]) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=_font())
    ax.grid(axis=grid, color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def _percent_axis(ax: Axes, axis: Literal["x", "y"], *, signed: bool = False) -> None:
    from matplotlib.ticker import FuncFormatter, PercentFormatter  # heavy: matplotlib

    target = ax.xaxis if axis == "x" else ax.yaxis
    ax._gpcollab_value_axis = axis  # type: ignore[attr-defined]
    if signed:
        target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{100 * abs(v):.0f}%"))
    else:
        target.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))


def _luminance(colour: Any) -> float:
    """WCAG relative luminance of ``colour`` (0 for black, 1 for white)."""
    from matplotlib.colors import to_rgb  # heavy: matplotlib

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _text_colour(colour: str) -> str:
    """Black or white, whichever contrasts more with ``colour`` (WCAG relative luminance)."""
    luminance = _luminance(colour)
    # contrast with white (1.05 / (L + 0.05)) against contrast with black ((L + 0.05) / 0.05)
    return "white" if 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.05 else "black"


_TEXT_CONTRAST = 4.5
"""WCAG AA contrast of normal text against its background."""


def _text_shade(colour: str) -> str:
    """``colour`` darkened (its red, green and blue scaled down alike, so its hue stays) just
    enough for text in it to have WCAG AA contrast (4.5:1) against white; unchanged when it
    has it already."""
    from matplotlib.colors import to_hex, to_rgb  # heavy: matplotlib

    rgb = np.asarray(to_rgb(colour), dtype=float)
    for scale in np.linspace(1.0, 0.0, 101):
        shade = str(to_hex(tuple(rgb * scale)))  # judged as drawn: in whole 8-bit steps
        if 1.05 / (_luminance(shade) + 0.05) >= _TEXT_CONTRAST:
            return shade
    return "#000000"


def _legend(
    ax: Axes, *, ncol: int, title: str | None = None, anchor: float = 1.0, align: str = "left"
) -> None:
    """Legend above the axes, in one row when it fits (see :func:`_fit_legend`)."""
    handles, labels = ax.get_legend_handles_labels()
    if not labels:
        return
    width_in = _axes_width_in(ax)
    per_entry = [(len(label) * _small() * 0.55 + 2.6 * _small()) / 72 for label in labels]
    columns = max(1, min(ncol, len(labels)))
    if columns < len(labels) or columns * max(per_entry) > width_in:
        columns = 1  # one row, else one column (see _fit_legend)
    if title:
        title = _wrap(title, _chars(width_in, _small()))
    _place_legend(
        ax, handles, labels, columns, title, anchor, align, max(1, min(ncol, len(labels)))
    )


def _place_legend(
    ax: Axes,
    handles: Sequence[Any],
    labels: Sequence[str],
    columns: int,
    title: str | None,
    anchor: float,
    align: str,
    wanted: int,
) -> None:
    legend = ax.legend(
        handles,
        labels,
        loc="lower left" if align == "left" else "lower center",
        bbox_to_anchor=(0.0 if align == "left" else 0.5, anchor),
        ncol=columns,
        frameon=False,
        fontsize=_small(),
        title=title,
        title_fontsize=_small(),
        alignment="left" if align == "left" else "center",
        borderaxespad=0.3,
        handlelength=1.2,
        handletextpad=0.5,
        columnspacing=1.0,
    )
    legend._gpcollab_place = (  # type: ignore[attr-defined]
        handles,
        list(labels),
        title,
        anchor,
        align,
        wanted,
    )


def _fit_legend(ax: Axes) -> None:
    """Give the legend as many columns as were asked for (one row) when they fit above the
    axes, else fewer (then wrapped labels), so that it is never wider than the axes: a wider
    legend would make constrained layout squeeze the plot."""
    legend = ax.get_legend()
    place = getattr(legend, "_gpcollab_place", None)
    if legend is None or place is None:
        return
    handles, labels, title, anchor, align, wanted = place
    fig = _root_figure(ax)
    legend.set_visible(False)  # measure the axes as the layout makes it without the legend
    _layout(fig)
    boxes = [ax.get_window_extent(), *(child.get_window_extent() for child in ax.child_axes)]
    allowed = 0.92 * (max(b.x1 for b in boxes) - boxes[0].x0)  # text is wider at low dpi
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    # one row in the order of the marks, else one column; where a column would take over a
    # quarter of the figure's height, a grid filled row by row (it reads in order across)
    tall = 0.25 * fig.bbox.height
    if title:
        title = _wrap(title.replace("\n", " "), _chars(allowed / fig.dpi - 0.1, _small()))
    for columns in dict.fromkeys((wanted if wanted >= len(labels) else 1, 1)):
        _place_legend(ax, handles, labels, columns, title, anchor, align, wanted)
        placed = ax.get_legend()
        if placed is None:
            return
        box = placed.get_window_extent(renderer)
        if box.width <= allowed and (columns > 1 or box.height <= tall or len(labels) < 3):
            return
    for columns in range(min(wanted, len(labels)) - 1, 1, -1):
        grid_handles, grid_labels = _row_major(handles, labels, columns)
        _place_legend(ax, grid_handles, grid_labels, columns, title, anchor, align, wanted)
        placed = ax.get_legend()
        if placed is None or placed.get_window_extent(renderer).width <= allowed:
            return
    _place_legend(ax, handles, labels, 1, title, anchor, align, wanted)
    placed = ax.get_legend()
    if placed is None or placed.get_window_extent(renderer).width <= allowed:
        return
    chars = _chars(allowed / fig.dpi - 0.35, _small())
    labels = [_wrap(label.replace("\n", " "), chars) for label in labels]
    title = _wrap(title.replace("\n", " "), chars + 4) if title else title
    _place_legend(ax, handles, labels, 1, title, anchor, align, wanted)


def _row_major(
    handles: Sequence[Any], labels: Sequence[str], columns: int
) -> tuple[list[Any], list[str]]:
    """Legend entries reordered (and padded with blank ones) so that matplotlib, which fills a
    legend column by column, shows them in their order row by row."""
    from matplotlib.lines import Line2D  # heavy: matplotlib

    rows = math.ceil(len(labels) / columns)
    out_handles: list[Any] = []
    out_labels: list[str] = []
    for column in range(columns):
        for row in range(rows):
            k = row * columns + column
            if k < len(labels):
                out_handles.append(handles[k])
                out_labels.append(labels[k])
            else:
                out_handles.append(Line2D([], [], alpha=0.0))
                out_labels.append("")
    return out_handles, out_labels


def _category_ticks(ax: Axes, labels: Sequence[str]) -> None:
    """Tick labels of vertical bars, wrapped to their slot (:func:`_tidy` checks them after
    layout and turns them upright if they still collide)."""
    k = max(len(labels), 1)
    chars = _chars(_axes_width_in(ax) / k - 0.08, _font())
    ax.set_xticks(np.arange(k), [_wrap_breaking(label, chars) for label in labels])
    ax._gpcollab_categories = list(labels)  # type: ignore[attr-defined]


def _wrap_breaking(text: str, width: int) -> str:
    """Wrap ``text`` to ``width``, also after hyphens ("100,000-249,999" -> "100,000-/249,999")."""
    width = max(int(width), 6)
    if len(text) <= width:
        return text
    pieces: list[tuple[str, str]] = []  # (piece, what joins it to the next one)
    for word in text.split(" "):
        parts = re.split(r"(?<=-)(?=\S)", word)
        pieces.extend((part, "") for part in parts[:-1])
        pieces.append((parts[-1], " "))
    # the label is as wide as its longest piece anyway: lines up to that width cost no room
    # and save a line ("250,000 / or more", not "250,000 / or / more")
    width = max(width, *(len(piece) for piece, _ in pieces))
    lines: list[str] = []
    line = ""
    joiner = ""
    for piece, after in pieces:
        if line and len(line) + len(joiner) + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = f"{line}{joiner}{piece}" if line else piece
        joiner = after
    lines.append(line)
    return "\n".join(lines)


def _boxes_collide(boxes: Sequence[Any]) -> bool:
    """True when two boxes overlap, each grown by a tenth of its size: text is relatively
    larger at a low resolution, so what just fits on screen may touch in a small PNG."""
    grown = [
        (
            b.x0 - 0.05 * b.width,
            b.y0 - 0.05 * b.height,
            b.x1 + 0.05 * b.width,
            b.y1 + 0.05 * b.height,
        )
        for b in boxes
    ]
    for i, a in enumerate(grown):
        for b in grown[i + 1 :]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 0 and min(a[3], b[3]) - max(a[1], b[1]) > 0:
                return True
    return False


def _tick_boxes(axis: Any) -> list[Any]:
    return [
        tick.label1.get_window_extent()
        for tick in axis._update_ticks()
        if tick.label1.get_visible() and tick.label1.get_text()
    ]


def _tidy(ax: Axes) -> None:
    """After layout, fit what a small axes cannot hold: rewrap (or stand upright) colliding
    category labels, thin out colliding percentage ticks, shrink colliding row labels, then
    wrap axis labels to the axes' size. Each check measures the laid-out figure."""
    fig = _root_figure(ax)
    _layout(fig)
    _reserve_value_column(ax)
    changed = _fit_categories(ax, fig)
    changed = _fit_value_ticks(ax) or changed
    changed = _fit_rows(ax, fig) or changed
    if changed:
        _layout(fig)
    for _ in range(3):  # wrapping one label moves the axes, and with it the other label
        if not _fit_axis_labels(ax, fig):
            break
        _layout(fig)
        if _fit_rows(ax, fig):  # a shorter axes may bring its rows' labels together
            _layout(fig)
    _reserve_value_column(ax)  # on the axes as laid out at last


def _fit_categories(ax: Axes, fig: Figure) -> bool:
    categories = getattr(ax, "_gpcollab_categories", None)
    if not categories or not _boxes_collide(_tick_boxes(ax.xaxis)):
        return False
    slot_in = ax.get_window_extent().width / fig.dpi / len(categories)
    for size in (8.5, 8.0, 7.5, 7.0):
        labels = [_wrap_breaking(c, _chars(slot_in - 0.12, size)) for c in categories]
        ax.set_xticks(np.arange(len(categories)), labels, fontsize=size)
        _layout(fig)
        if not _boxes_collide(_tick_boxes(ax.xaxis)):
            return True
    ax.set_xticks(
        np.arange(len(categories)),
        [_wrap(c, 22) for c in categories],
        rotation=90,
        ha="center",
        va="top",
        fontsize=_font(),
    )
    return True


def _fit_value_ticks(ax: Axes) -> bool:
    from matplotlib.ticker import FixedLocator  # heavy: matplotlib

    name = getattr(ax, "_gpcollab_value_axis", None)
    axis = ax.xaxis if name == "x" else ax.yaxis
    if name is None or not _boxes_collide(_tick_boxes(axis)):
        return False
    low, high = ax.get_xlim() if name == "x" else ax.get_ylim()
    if getattr(ax, "_gpcollab_value_column", None) is not None:  # the scale's own end
        low, high = max(low, 0.0), float(getattr(ax, "_gpcollab_dot_top", 1.0))
    step = next((s for s in (0.2, 0.25, 0.5) if abs(high - low) / s <= 4), 1.0)
    axis.set_major_locator(FixedLocator(np.arange(low - low % step, high + 1e-9, step).tolist()))
    return True


def _fit_rows(ax: Axes, fig: Figure) -> bool:
    """Row labels that collide: first their short forms (when the chart gave some), then a
    smaller font."""
    rows = _tick_boxes(ax.yaxis)
    size = float(_font())
    changed = False
    short = getattr(ax, "_gpcollab_short_rows", None)
    if short and rows and _boxes_collide(rows):
        ax.set_yticks(ax.get_yticks(), short)
        _layout(fig)
        rows = _tick_boxes(ax.yaxis)
        changed = True
    labels = [t.get_text() for t in ax.get_yticklabels()]
    if rows and _boxes_collide(rows) and any(label.count("\n") > 1 for label in labels):
        # labels of three lines and more: two wider lines each
        flat = [label.replace("\n", " ") for label in labels]
        width = max(len(f) + 1 for f in flat) // 2 + 4
        ax.set_yticks(ax.get_yticks(), [_wrap(f, width) for f in flat])
        _layout(fig)
        rows = _tick_boxes(ax.yaxis)
        changed = True
    while rows and _boxes_collide(rows) and size > 5:
        size -= 0.5
        ax.tick_params(axis="y", labelsize=size)
        _layout(fig)
        rows = _tick_boxes(ax.yaxis)
        changed = True
    if changed:
        _bold_rows(ax)
    return changed


def _fit_axis_labels(ax: Axes, fig: Figure) -> bool:
    """Wrap an axis label longer than its axes, or one that leaves the canvas."""
    box = ax.get_window_extent()
    changed = False
    for label, length in ((ax.xaxis.label, box.width), (ax.yaxis.label, box.height)):
        extent = label.get_window_extent()
        size = extent.width if label is ax.xaxis.label else extent.height
        beyond = extent.x0 < fig.bbox.x0 or extent.x1 > fig.bbox.x1 or extent.y1 > fig.bbox.y1
        if not label.get_text() or (size <= length and not beyond):
            continue
        fits = length
        if label is ax.xaxis.label:  # centred on the axes: as wide as the canvas lets it be
            centre = box.x0 + box.width / 2
            fits = min(length, 2 * min(centre - fig.bbox.x0, fig.bbox.x1 - centre))
        text = label.get_text().replace("\n", " ")
        wrapped = _wrap(text, _chars(0.9 * fits / fig.dpi, float(label.get_fontsize())))
        changed = changed or wrapped != label.get_text()
        label.set_text(wrapped)
    return changed


def _layout(fig: Figure) -> None:
    """Run the figure's layout (no pixels drawn). A layout that collapses on the way (a legend
    still too wide) is what the caller is about to fix, so its warning is not passed on.

    A constrained layout is run on its own: it measures every artist it places, and the
    measurements that follow (:meth:`~matplotlib.text.Text.get_window_extent`, the ticks'
    boxes) update what they read, so the rest of a draw (walking every artist with a renderer
    that draws nothing) would only repeat work. Other figures are drawn without rendering.
    """
    from matplotlib.layout_engine import ConstrainedLayoutEngine  # heavy: matplotlib

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        engine = fig.get_layout_engine()
        if isinstance(engine, ConstrainedLayoutEngine):
            engine.execute(fig)
        else:
            fig.draw_without_rendering()


# -- achievement: 100% stacked bars ---------------------------------------------------------


def _hatched(ax: Axes, y: float, left: float, width: float, height: float) -> None:
    """A hatched block standing for suppressed cells, with the marker inside (or beside) it."""
    ax.barh(
        [y],
        [width],
        left=[left],
        height=height,
        color="white",
        edgecolor="#8A8A8A",
        hatch=_HATCH,
        linewidth=0.6,
        gid=SUPPRESSED_GID,
    )
    inside = width >= 0.05
    ax.text(
        left + width / 2 if inside else left + width + 0.005,
        y,
        SUPPRESSED_MARK,
        ha="center" if inside else "left",
        va="center",
        fontsize=_small(),
        color="#222222",
        gid=SUPPRESSED_GID,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6} if inside else None,
    )


def _achievement_order(
    table: pd.DataFrame,
    shares: pd.DataFrame,
    order: Sequence[str] | Literal["achievement", "questionnaire"],
) -> list[str]:
    if isinstance(order, str) and order in ("achievement", "questionnaire"):
        aims = [str(a) for a in _levels(table, "aim")]
        if order == "achievement":
            zero = pd.Series(0.0, index=shares.index)
            fully = shares.get(Achievement.FULLY.value, zero).fillna(0.0)
            partly = shares.get(Achievement.PARTIALLY.value, zero).fillna(0.0)
            aims.sort(key=lambda a: (-fully.get(a, 0.0), -(fully.get(a, 0.0) + partly.get(a, 0.0))))
        return aims
    return [str(a) for a in _levels(table, "aim", order)]


def plot_achievement(
    data: pd.DataFrame | SurveyData,
    *,
    order: Sequence[str] | Literal["achievement", "questionnaire"] = "achievement",
    annotate: bool = True,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """How far each aim was achieved: 100 % stacked horizontal bars, one per aim.

    Parameters
    ----------
    data : pandas.DataFrame or SurveyData
        The table of ``achievement_rates(survey, too_early="separate")``: one row per aim and
        outcome with ``aim``, ``outcome``, ``n`` (base of the aim) and ``estimate`` (share of
        the base). A ``SurveyData`` is first passed to that function. Outcomes are stacked in
        :class:`~gpcollab.vocab.Achievement` order (fully, partially, not achieved, then too
        early in grey); the shares of each aim are drawn as given. Outcomes marked
        ``suppressed`` are drawn together as one hatched block marked ``[c]`` (their shares add
        up to what the shown outcomes leave of 100 %).
    order : sequence of str or {"achievement", "questionnaire"}, default="achievement"
        Aims from top to bottom: by share fully achieved (then fully or partially), in
        questionnaire order, or the listed aim values (a subset is allowed).
    annotate : bool, default=True
        Write each segment's percentage: inside it when it fits, else just above the bar.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes with the chart: one bar container per outcome (labelled with the outcome's
        label) and a text ``n=...`` right of each bar. On a phone-sized figure (at most 4
        inches wide) each aim's label is written above its bar (gid ``"row-label"``).
    """
    if _is_survey(data):
        table = _analysis().achievement_rates(data, too_early="separate")
    else:
        table = data
    _require(table, ["aim", "outcome", "n", "estimate"], "plot_achievement")
    _single(table, ["aim", "outcome"], "plot_achievement")
    hidden = table.assign(_hidden=_suppressed(table))
    outcomes = _levels(table, "outcome")
    outcome_label = _labeller(table, "outcome")
    shares = table.pivot_table(
        index=table["aim"].astype(str),
        columns=table["outcome"].astype(str),
        values="estimate",
        aggfunc="first",
        observed=True,
        dropna=False,
    )
    hidden_cells = {
        (str(a), str(o))
        for a, o, h in zip(hidden["aim"], hidden["outcome"], hidden["_hidden"], strict=True)
        if h
    }
    bases = table.groupby(table["aim"].astype(str), observed=True)["n"].max()
    aims = _achievement_order(table, shares, order)

    ax = _axes(ax)
    y = np.arange(len(aims), dtype=float)
    known = np.array(
        [np.nansum([shares.at[a, str(o)] for o in outcomes if str(o) in shares]) for a in aims]
    )
    block = np.where(
        [any((a, str(o)) in hidden_cells for o in outcomes) for a in aims],
        np.clip(1.0 - known, 0.0, 1.0),
        0.0,
    )
    block_drawn = np.zeros(len(aims), dtype=bool)
    left = np.zeros(len(aims))
    segments: list[_Segment] = []
    above = _rows_labelled_above(ax)
    height = 0.55 if above else 0.7
    for outcome in outcomes:
        key = str(outcome)
        is_hidden = np.array([(a, key) in hidden_cells for a in aims], dtype=bool)
        for i in np.flatnonzero(is_hidden & ~block_drawn):
            _hatched(ax, float(y[i]), float(left[i]), float(block[i]), height)
            left[i] += block[i]
            block_drawn[i] = True
        widths = np.nan_to_num(
            np.array([float(shares.at[a, key]) if key in shares else 0.0 for a in aims])
        )
        colour = ACHIEVEMENT_COLOURS.get(key, NEUTRAL_GREY)
        bars = ax.barh(
            y,
            widths,
            left=left,
            height=height,
            color=colour,
            edgecolor="white",
            linewidth=0.6,
            label=outcome_label(outcome),
            **kwargs,
        )
        for patch in bars:
            patch.set_gid(key)
        segments.extend(
            _Segment(float(yi), float(x0), float(w), colour, 0)
            for yi, x0, w in zip(y, left, widths, strict=True)
        )
        left = left + widths

    from matplotlib.transforms import blended_transform_factory  # heavy: matplotlib

    to_right = blended_transform_factory(ax.transAxes, ax.transData)
    for yi, aim in zip(y, aims, strict=True):
        ax.text(
            1.01, yi, _n_text(bases.get(aim)), transform=to_right, va="center", fontsize=_small()
        )
    aim_label = _labeller(table, "aim")
    short = [AIM_SHORT_LABELS.get(a, aim_label(a)) for a in aims]
    ax.set_yticks(y, ["" if above else _wrap(aim_label(a), 28) for a in aims])
    ax._gpcollab_short_rows = short  # type: ignore[attr-defined]
    # first aim on top; labels above the bars need room above the first
    ax.set_ylim(len(aims) - 0.5, -0.8 if above else -0.5)
    ax.set_xlim(0.0, 1.0)
    _percent_axis(ax, "x")
    ax.set_xlabel("Share of collaborations that set the aim", fontsize=_font())
    _style(ax, grid="x")
    _legend(ax, ncol=len(outcomes))
    notes = [_suppressed_note(table)] if block_drawn.any() else []
    _finish(ax, data, notes=notes)
    if above:
        _row_labels_above(ax, [aim_label(a) for a in aims], short, bar=height)
    if annotate:  # segments too narrow for their label stay blank
        _label_segments_fitted(ax, segments, above=not above)
    return ax


# -- rates: grouped bars with whiskers, or dots ---------------------------------------------


@dataclass
class _Series:
    """One hue level of a rates chart, aligned on the levels of ``x``."""

    level: Any
    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    n: FloatArray
    present: BoolArray
    hidden: BoolArray
    assumed: list[str] = field(default_factory=list)  # per level: assumption fixing it, or ""


def _assumed(table: pd.DataFrame) -> list[str]:
    """Per row: the assumption that fixes the value (``assumption`` column), else ""."""
    if "assumption" not in table.columns:
        return [""] * len(table)
    return ["" if pd.isna(a) else str(a) for a in table["assumption"]]


def _series(
    table: pd.DataFrame, x: str, hue: str | None, groups: Sequence[Any], hues: Sequence[Any]
) -> list[_Series]:
    # every column read once for the whole table; each hue level then picks its rows
    keys = {str(g): i for i, g in enumerate(groups)}
    slot = np.array([keys.get(str(v), -1) for v in table[x]], dtype=int)
    level = table[hue].astype(str).to_numpy() if hue is not None else None
    columns = {
        name: (_numeric(table[name]) if name in table.columns else np.full(len(table), np.nan))
        for name in ("estimate", "ci_low", "ci_high", "n")
    }
    hidden, assumed = _suppressed(table), _assumed(table)
    out: list[_Series] = []
    for value in hues:
        mine = slot >= 0 if level is None else (slot >= 0) & (level == str(value))
        rows = np.flatnonzero(mine)  # one row a group at most (_single)
        where = slot[rows]

        def column(
            values: FloatArray, rows: NDArray[Any] = rows, where: NDArray[Any] = where
        ) -> FloatArray:
            aligned = np.full(len(keys), np.nan)
            aligned[where] = values[rows]
            return aligned

        present = np.zeros(len(keys), dtype=bool)
        present[where] = True
        hidden_here = np.zeros(len(keys), dtype=bool)
        hidden_here[where] = hidden[rows]
        assumed_here = [""] * len(keys)
        for r, w in zip(rows, where, strict=True):
            assumed_here[w] = assumed[r]
        out.append(
            _Series(
                level=value,
                estimate=column(columns["estimate"]),
                low=column(columns["ci_low"]),
                high=column(columns["ci_high"]),
                n=column(columns["n"]),
                present=present,
                hidden=hidden_here,
                assumed=assumed_here,
            )
        )
    return out


def _bases_note(series: Sequence[_Series], what: str) -> str:
    bases = np.concatenate([s.n[s.present] for s in series]) if series else np.array([])
    bases = bases[~np.isnan(bases)]
    if len(bases) == 0:
        return ""
    low, high = int(bases.min()), int(bases.max())
    if low == high:
        return f"Base: n={low:,} for each {what}."
    return f"Bases: n={low:,} to {high:,} per {what} (see the table)."


def _grouped_bars(
    ax: Axes,
    table: pd.DataFrame,
    *,
    x: str,
    hue: str | None,
    order: Sequence[Any] | None,
    hue_order: Sequence[Any] | None,
    colours: Sequence[str] | None = None,
    hue_labels: Callable[[Any], str] | None = None,
    values: bool = False,
    **kwargs: Any,
) -> list[str]:
    """Vertical bars of ``estimate`` by ``x`` (and ``hue``), whiskers ``ci_low``-``ci_high``;
    with ``values`` each bar's share written above it (and its whisker). A bar too short to
    see keeps a hairline outline, so that its label has a mark to stand on.

    Returns the footer notes the chart needs (suppressed marker, bases not written on bars).
    """
    groups = _levels(table, x, order)
    hues: list[Any] = [None] if hue is None else _levels(table, hue, hue_order)
    palette = list(colours) if colours is not None else _hue_colours(table, hue, hues)
    h_label = hue_labels or (_labeller(table, hue) if hue is not None else str)
    width = 0.8 / len(hues)
    series = _series(table, x, hue, groups, hues)
    slot_in = _axes_width_in(ax) / max(len(groups), 1) * width
    n_fits = max((len(_n_text(n)) for s in series for n in s.n), default=5) * _small() * 0.6 / 72
    write_n = "n" in table.columns and n_fits <= slot_in * 0.98
    base_in_legend = False
    if "n" in table.columns:
        constant = [_constant_base(s) for s in series]
        if all(b is not None for b in constant):
            write_n = False  # one base per series: said once, in the legend or the footer
            if hue is not None and hue_labels is None and len(set(constant)) > 1:
                base_in_legend = True
                h_label = _with_base(
                    h_label, {str(s.level): b for s, b in zip(series, constant, strict=True)}
                )
    any_hidden = False
    for j, s in enumerate(series):
        pos = np.arange(len(groups)) + (j - (len(hues) - 1) / 2) * width
        bars = ax.bar(
            pos,
            np.nan_to_num(s.estimate),
            width=width * 0.92,
            color=palette[j % len(palette)],
            edgecolor=palette[j % len(palette)],
            linewidth=0.8,
            label=None if hue is None else h_label(s.level),
            **kwargs,
        )
        for patch in bars:
            patch.set_gid("estimate" if hue is None else str(s.level))
        tops = _whiskers(ax, s, pos, capsize=min(3.0, slot_in * 72 * 0.3))
        if values:  # a true zero is labelled by _bar_marks
            for p, top, est, shown in zip(
                pos, tops, s.estimate, s.present & ~s.hidden, strict=True
            ):
                if shown and not math.isnan(est) and est != 0:
                    ax.annotate(
                        _pct(float(est)),
                        (p, float(top)),
                        xytext=(0, _LABEL_CLEARANCE_PT + 1.0),  # clear of the whisker's cap
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        fontsize=_small(),
                        gid="value",
                    )
        any_hidden |= _bar_marks(ax, s, pos, tops, width=width * 0.92, write_n=write_n)
    _category_ticks(ax, [_labeller(table, x)(g) for g in groups])
    if values and len(hues) > 1:
        ax._gpcollab_unstack = True  # type: ignore[attr-defined]  # see _finish
    highest = float(np.nanmax(np.r_[[np.nanmax(np.r_[s.high, s.estimate, 0.0]) for s in series]]))
    top = min(max(highest + (0.1 if write_n else 0.05) + (0.1 if values else 0.0), 0.2), 1.1)
    ax.set_ylim(0.0, top)
    from matplotlib.ticker import FixedLocator  # heavy: matplotlib

    step = 0.1 if top <= 0.6 else 0.2
    ax.yaxis.set_major_locator(FixedLocator([t for t in np.arange(0, 1.0001, step) if t <= top]))
    _percent_axis(ax, "y")
    _style(ax, grid="y")
    notes = [_suppressed_note(table)] if any_hidden else []
    if "n" in table.columns and not write_n and not base_in_legend:
        notes.append(_bases_note(series, "bar"))
    return notes


_LABEL_CLEARANCE_PT = 2.5
"""Room (points) kept between two value labels, and between a label and the whisker under it:
closer, the digits of neighbouring labels read as one number on a phone."""


def _unstack_values(ax: Axes) -> None:
    """Keep the value labels of side-by-side bars (narrower than their labels) apart, measured
    on the laid-out figure: two labels that nearly touch sideways move apart a little, each
    still over its bar; a label still too close to a lower one is lifted just above it."""
    fig = _root_figure(ax)
    _layout(fig)
    clear = _LABEL_CLEARANCE_PT * fig.dpi / 72  # pixels kept free around a label
    labels = [t for t in ax.texts if t.get_gid() == "value"]
    by_x = sorted(labels, key=lambda t: t.get_window_extent().x0)
    for left, right in itertools.pairwise(by_x):
        a, b = left.get_window_extent(), right.get_window_extent()
        overlap = a.x1 + clear - b.x0  # pixels to gain for a clear gap between them
        level = min(a.y1, b.y1) - max(a.y0, b.y0) > -clear
        if level and 0 < overlap <= 0.5 * min(a.width, b.width):
            for label, sign in ((left, -1.0), (right, 1.0)):
                x, y = label.xyann  # type: ignore[attr-defined]
                label.xyann = (x + sign * overlap / 2 * 72 / fig.dpi, y)  # type: ignore[attr-defined]
    # a label wider than its bar moves sideways off a taller neighbouring bar it would touch
    bars = [b.get_window_extent() for b in ax.patches if abs(float(b.get_height())) > 0]  # type: ignore[attr-defined]
    for label in labels:
        box = label.get_window_extent()
        centre = (box.x0 + box.x1) / 2
        for bar in bars:
            touching = bar.x0 < box.x1 + clear and box.x0 - clear < bar.x1
            if not touching or box.y0 > bar.y1 + clear or bar.x0 <= centre <= bar.x1:
                continue
            shift = bar.x1 + clear - box.x0 if centre > bar.x1 else bar.x0 - clear - box.x1
            if abs(shift) <= box.width / 2:
                x, y = label.xyann  # type: ignore[attr-defined]
                label.xyann = (x + shift * 72 / fig.dpi, y)  # type: ignore[attr-defined]
                box = label.get_window_extent()
                centre = (box.x0 + box.x1) / 2
    placed: list[Any] = []
    for label in sorted(labels, key=lambda t: t.get_window_extent().y0):
        box = label.get_window_extent()
        for other in placed:
            beside = min(box.x1, other.x1) - max(box.x0, other.x0) > -clear
            if beside and box.y0 < other.y1 + clear:
                lift = (other.y1 + clear - box.y0) * 72 / fig.dpi
                x, y = label.xyann  # type: ignore[attr-defined]
                label.xyann = (x, y + lift)  # type: ignore[attr-defined]
                box = label.get_window_extent()
        placed.append(box)


def _whiskers(ax: Axes, s: _Series, pos: NDArray[Any], *, capsize: float) -> FloatArray:
    """Interval whiskers of one bar series; returns the top of each bar or whisker."""
    ok = ~(np.isnan(s.estimate) | np.isnan(s.low) | np.isnan(s.high))
    if ok.any():
        whiskers = ax.errorbar(
            pos[ok],
            s.estimate[ok],
            yerr=np.vstack([s.estimate[ok] - s.low[ok], s.high[ok] - s.estimate[ok]]),
            fmt="none",
            ecolor="#222222",
            elinewidth=1.0,
            capsize=capsize,
        )
        whiskers.set_label("_ci")
    return np.asarray(np.where(ok, s.high, np.nan_to_num(s.estimate)), dtype=float)


def _bar_marks(
    ax: Axes, s: _Series, pos: NDArray[Any], tops: FloatArray, *, width: float, write_n: bool
) -> bool:
    """Marks over one bar series: a hatched stub and ``[c]`` for each hidden cell, "0%" at the
    axis for a true zero, and the base over each bar when asked; returns whether a cell was
    hidden."""
    small: dict[str, Any] = {
        "textcoords": "offset points",
        "ha": "center",
        "va": "bottom",
        "fontsize": _small(),
    }
    any_hidden = False
    for p, top, base, here, hidden, est in zip(
        pos, tops, s.n, s.present, s.hidden, s.estimate, strict=True
    ):
        if hidden:
            any_hidden = True
            ax.bar(
                [p],
                [0.025],
                width=width,
                color="white",
                edgecolor="#8A8A8A",
                hatch=_HATCH,
                linewidth=0.6,
                gid=SUPPRESSED_GID,
            )
            ax.annotate(
                SUPPRESSED_MARK,
                (p, 0.025),
                xytext=(0, 1.5),
                color="#222222",
                gid=SUPPRESSED_GID,
                **small,
            )
            continue
        lift = 1.5  # points above the whisker (or above the "0%" of a true zero)
        if here and est == 0:
            ax.annotate("0%", (p, 0.0), xytext=(0, 1.5), **small)
            lift = 10.0
        if here and write_n:
            ax.annotate(_n_text(base), (p, float(top)), xytext=(0, lift), **small)
    return any_hidden


def _constant_base(series: _Series) -> int | None:
    """The base ``n`` shared by every shown row of a series, or None when it varies."""
    bases = {int(n) for n, here in zip(series.n, series.present, strict=True) if here and n == n}
    return bases.pop() if len(bases) == 1 else None


def _with_base(label: Callable[[Any], str], bases: dict[str, int | None]) -> Callable[[Any], str]:
    """Legend labels with each series' base: "2015 (n=982)"."""
    return lambda level: f"{label(level)} ({_n_text(bases.get(str(level)))})"


def _comparable_rows(
    table: pd.DataFrame, x: str, hue: str, rows: Sequence[Any], dots: Sequence[Any]
) -> tuple[list[Any], list[Any], list[str]]:
    """The rows (levels of ``x``) and dots (levels of ``hue``) of a dot chart comparing groups
    that are worth drawing, and footnotes naming what is left out: a row whose groups are
    mostly hidden by disclosure control has nothing to compare, and a group hidden in most rows
    says nothing but "[c]" (the table keeps their few shown values); the rules of the small
    multiples (:func:`_kept_panels`, :func:`_kept_groups`) with rows in place of panels."""
    per_row = _series(table, hue, x, dots, rows)  # one series a row, aligned on the dots
    drawn = [i for i, s in enumerate(per_row) if s.present.any()]
    kept = [i for i in drawn if _comparable(per_row[i])] or drawn
    name = _labeller(table, x)
    left_out = [_Omitted.of(name(rows[i]), per_row[i]) for i in drawn if i not in kept]
    kept_dots, _, dots_out = _kept_groups(dots, [per_row[i] for i in kept], _labeller(table, hue))
    return [rows[i] for i in kept], kept_dots, _left_out_notes(left_out, dots_out)


def _rows_shown_in_a_wave(
    table: pd.DataFrame, x: str, rows: Sequence[Any], waves: Sequence[Any]
) -> tuple[list[Any], list[str]]:
    """The rows of a chart of waves with a value shown in at least one wave, and a footnote
    naming those hidden in every wave: a row of "[c] → [c]" compares nothing (the rule of the
    charts comparing groups, :func:`_comparable_rows`, for waves)."""
    per_row = _series(table, "wave", x, waves, rows)  # one series a row, aligned on the waves
    shown = [bool((s.present & ~s.hidden).any()) or not s.present.any() for s in per_row]
    name = _labeller(table, x)
    out = [f"“{name(row)}”" for row, keep in zip(rows, shown, strict=True) if not keep]
    if not out:
        return list(rows), []
    listed = "; ".join(out[:-1]) + " and " + out[-1] if len(out) > 1 else out[0]
    verb = "are" if len(out) > 1 else "is"
    note = f"{listed} {verb} not drawn: hidden in every wave (see the table)."
    return [row for row, keep in zip(rows, shown, strict=True) if keep], [note]


def dot_shape(table: pd.DataFrame, *, x: str, hue: str | None) -> tuple[int, int]:
    """How many rows and how many dots a row :func:`plot_rates` draws for ``table`` as a dot
    chart, rows and groups that disclosure control mostly hides left out, so that a caller can
    size the figure before drawing it.

    Parameters
    ----------
    table : pandas.DataFrame
        As for :func:`plot_rates`, with columns ``x`` and ``hue``.
    x, hue : str
        The rows' column and the dots' column (None: one dot a row).

    Returns
    -------
    tuple of int
        The number of rows and of dots in each row.
    """
    rows = _levels(table, x, None) if x in table.columns else [None]
    if hue is None or hue not in table.columns:
        return len(rows), 1
    dots = _levels(table, hue, None)
    if hue != "wave":
        rows, dots, _ = _comparable_rows(table, x, hue, rows, dots)
    elif x in table.columns:
        rows, _ = _rows_shown_in_a_wave(table, x, rows, dots)
    return len(rows), len(dots)


def _dot_scale_top(series: Sequence[_Series]) -> float:
    """Right end of a dot chart's scale: the first multiple of 20% past every dot and
    interval end (at most 100%), so that the scale is no longer than the data need."""
    ends = [float(np.nanmax(np.r_[s.estimate, s.high, 0.0])) for s in series]
    return min(max(math.ceil(max(ends, default=1.0) * 5 - 1e-9) / 5, 0.2), 1.0)


def _dots(
    ax: Axes,
    table: pd.DataFrame,
    *,
    x: str,
    hue: str | None,
    order: Sequence[Any] | None,
    hue_order: Sequence[Any] | None,
    highlight: Sequence[tuple[Any, Any]] = (),
    marked: Sequence[Any] = (),
    uncompared: Sequence[Any] = (),
    **kwargs: Any,
) -> list[str]:
    """Dot plot: one row per level of ``x``, one dot (with its interval) per ``hue`` level.

    Two waves write each row's pair of values in a column at the right ("55% → 75%"; the rows
    in ``uncompared`` side by side, "37% · 51%", with no arrow of a change). Groups
    compared (any other ``hue``) write each dot's value and base on its own line of that
    column, and leave out rows and groups that disclosure control hides mostly
    (:func:`_comparable_rows`)."""
    groups = _levels(table, x, order)
    hues: list[Any] = [None] if hue is None else _levels(table, hue, hue_order)
    compare = hue is not None and hue != "wave"
    left_out: list[str] = []
    if compare:
        groups, hues, left_out = _comparable_rows(table, x, str(hue), groups, hues)
    elif hue == "wave":
        groups, left_out = _rows_shown_in_a_wave(table, x, groups, hues)
    palette = list(_WAVE_COLOURS) if compare and len(hues) == 2 else _hue_colours(table, hue, hues)
    h_label = _labeller(table, hue) if hue is not None else str
    series = _series(table, x, hue, groups, hues)
    constant = [_constant_base(s) for s in series] if "n" in table.columns else []
    base_in_legend = (
        hue is not None
        and not compare
        and bool(constant)
        and all(b is not None for b in constant)
        and len(set(constant)) > 1
    )
    if base_in_legend:
        h_label = _with_base(
            h_label, {str(s.level): b for s, b in zip(series, constant, strict=True)}
        )
    step = min(0.75 / len(hues), 0.3 if compare else 0.22)
    if compare and not _dot_lines_fit(ax, len(groups), step):
        compare = False  # too little height for a line each: values as for waves, bases below
    y = np.arange(len(groups), dtype=float)
    row_pt = _row_pt(ax, len(groups))
    # dots no taller than the space between them, on a small axes
    marker = float(np.clip(0.9 * step * row_pt, 3.0, 6.0))
    strong = {str(m) for m in marked}
    bold_rows = [i for i, g in enumerate(groups) if str(g) in strong]
    at: list[FloatArray] = []  # each series' dot positions
    hidden_at: list[tuple[int, float]] = []  # (series, position) of each hidden dot
    assumed: list[str] = []
    zeros: dict[int, list[float]] = {}  # row -> positions of its zero dots
    for j, s in enumerate(series):
        yj = y + (j - (len(hues) - 1) / 2) * step
        at.append(yj)
        colour = palette[j % len(palette)]
        fixed = np.array([bool(a) for a in s.assumed], dtype=bool)
        ok = ~(np.isnan(s.low) | np.isnan(s.high) | np.isnan(s.estimate) | fixed)
        if ok.any():
            ax.hlines(
                yj[ok],
                s.low[ok],
                s.high[ok],
                color=colour,
                linewidth=1.6,
                alpha=0.85,
                gid=f"ci-{s.level}",
            )
        options: dict[str, Any] = {
            "marker": "o",
            "linestyle": "none",
            "markersize": marker,
            "markerfacecolor": colour,
            "markeredgecolor": "#333333",
            "markeredgewidth": 0.5,
            "color": colour,
        }
        options.update(kwargs)
        (points,) = ax.plot(
            np.where(s.present & ~s.hidden & ~fixed, s.estimate, np.nan),
            yj,
            label="_none" if hue is None else h_label(s.level),
            **options,
        )
        points.set_gid("estimate" if hue is None else str(s.level))
        for yi, hidden, est, here, assumption in zip(
            yj, s.hidden, s.estimate, s.present, s.assumed, strict=True
        ):
            if here and assumption:  # not data: said in words, no dot
                assumed.append(assumption)
                ax.text(
                    0.012,
                    yi,
                    "not measured",  # the footer names the assumption
                    ha="left",
                    va="center",
                    fontsize=_small(),
                    fontstyle="italic",
                    color=_MARK_COLOUR,
                    gid="assumed",
                )
            elif here and est == 0:  # a true zero, clear of the axis, labelled beside it
                zeros.setdefault(int(np.argmin(np.abs(y - yi))), []).append(float(yi))
            if hidden:
                hidden_at.append((j, float(yi)))
    if not compare and len(series) <= _MOST_VALUES:  # one mark a row: its column says which
        rows = sorted({int(np.argmin(np.abs(y - yi))) for _, yi in hidden_at})
        hidden_at = [(0, float(y[row])) for row in rows]
    for j, yi in hidden_at:  # on the hidden dot's own line, at the start of the scale
        ax.text(
            0.006 + (0 if compare else 0.06 * j),  # side by side when several in a row
            yi,
            SUPPRESSED_MARK,
            ha="left",
            va="center",
            fontsize=_small(),
            color=_MARK_COLOUR,
            gid=SUPPRESSED_GID,
        )
    if compare:  # each dot's value, base or "[c]" in the column at the right too
        bold = {(str(a), str(b)) for a, b in highlight}
        _dot_cells(ax, series, at, [str(g) for g in groups], bold)
    if compare or (hue == "wave" and len(hues) > 1):
        # what the names of the groups (or of the waves, with their bases), written beside
        # their lines of the first row, need to know
        names = [str(h_label(s.level)) for s in series]
        ax._gpcollab_dot_lines = _first_row_lines(series, at, names, palette, marker)  # type: ignore[attr-defined]
    if not compare:
        if row_pt < 2 * _font():  # no room: the axis's own 0% says it
            zeros = {}
        for dots in zeros.values():  # one "0%" for the zero dots of a row
            ax.annotate(
                "0%",
                (0.0, sum(dots) / len(dots)),
                xytext=(7, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=_small(),
                gid="zero",
            )
        header = [] if hue is None else [str(_labeller(table, hue)(level)) for level in hues]
        joiner = " → " if hue == "wave" else " / "
        not_compared = {str(u) for u in uncompared}
        apart = [i for i, g in enumerate(groups) if str(g) in not_compared]
        _dot_values(ax, series, y, joiner=joiner, header=header, bold=bold_rows, apart=apart)
    labels = [_labeller(table, x)(g) for g in groups]
    ax._gpcollab_bold_rows = bold_rows  # type: ignore[attr-defined]
    if x == "aim":  # labels that collide on a small axes take the aims' short names
        short = [AIM_SHORT_LABELS.get(str(g), lab) for g, lab in zip(groups, labels, strict=True)]
        ax._gpcollab_short_rows = short  # type: ignore[attr-defined]
    if _rows_labelled_above(ax):  # on a phone: each row's label on its own line above it
        ax.set_yticks(y, [""] * len(groups))
        # the row's dots span the hue offsets and a marker; its label goes just above that
        spread = (len(hues) - 1) * step + 0.2
        ax._gpcollab_rows_above = (labels, spread)  # type: ignore[attr-defined]
        # above the first row, the room every other row's label has above its dots
        ax.set_ylim(len(groups) - 0.5, -1.0 + (len(hues) - 1) * step / 2 + 0.05)
    else:  # the labels beside the rows, which rules between them keep apart
        for boundary in y[:-1] + 0.5:
            ax.axhline(boundary, color="#E2E2E2", linewidth=0.6, zorder=0)
        width = _chars(min(2.6, _axes_width_in(ax) * 0.45), _font())
        ax.set_yticks(y, [_wrap(label, width) for label in labels])
        _bold_rows(ax)
        ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    top = _dot_scale_top(series)
    ax._gpcollab_dot_top = top  # type: ignore[attr-defined]
    ax.set_xlim(_DOT_LEFT * top, top)  # a dot at 0 is drawn whole, clear of the axis line
    _percent_axis(ax, "x")
    _style(ax, grid="x")
    notes = [_suppressed_note(table)] if hidden_at else []
    if bold_rows and hue == "wave":
        notes.append("Bold: the changes between waves that are significant.")
    elif bold_rows:
        rows_word = "aims" if x == "aim" else "rows"
        if highlight:
            notes.append(f"Bold: {rows_word} and values that differ significantly between groups.")
        else:
            notes.append(f"Bold: {rows_word} on which groups differ significantly.")
    notes += left_out
    for assumption in dict.fromkeys(assumed):
        notes.append(
            "“Not measured”: the survey gives no figure; the synthetic set's value is an "
            f"assumption ({assumption}), not data."
        )
    if "n" in table.columns and not base_in_legend:
        note = _bases_note(series, "dot")
        if not compare or note.startswith("Base:"):  # else each dot's base is beside it
            notes.append(note)
    return notes


def _row_pt(ax: Axes, rows: int) -> float:
    """Height of a row of a dot chart on ``ax`` in points, judged before the layout: the axes'
    planned height less about 1.4 inches for the legend, labels and footer the layout will
    take."""
    fig = _root_figure(ax)
    planned = float(ax.get_position().height) * float(fig.get_figheight())
    return max(planned - 1.4, 0.2) * 72 / max(rows, 1)


def _bold_rows(ax: Axes) -> None:
    """Set the row labels of ``ax._gpcollab_bold_rows`` (positions) in bold, again after a
    fitting step has rewritten the labels."""
    bold = getattr(ax, "_gpcollab_bold_rows", ())
    for i, label in enumerate(ax.get_yticklabels()):
        label.set_fontweight("bold" if i in bold else "normal")


def _dot_lines_fit(ax: Axes, rows: int, step: float) -> bool:
    """Whether the dots of a row, ``step`` rows apart, stand far enough apart on ``ax`` for
    each to have its value on a line of its own."""
    return _row_pt(ax, rows) * step >= _font()


def _dot_cells(
    ax: Axes,
    series: Sequence[_Series],
    at: Sequence[FloatArray],
    rows: Sequence[str],
    bold: set[tuple[str, str]],
) -> None:
    """Each dot's value and base in a column at the right of a dot chart comparing groups,
    level with the dot (``at``: each series' positions): "38%" (or "[c]") then "n=76" in grey,
    both right-aligned so that the figures line up; the cells of ``bold`` (row level, series
    level) are set in bold, as the two a title compares. The scale is narrowed to leave the
    column its room once the chart is laid out (:func:`_reserve_value_column`)."""
    from matplotlib.transforms import blended_transform_factory, offset_copy  # heavy

    size, small = _font(), _small()
    bases = {_n_text(s.n[g]) for s in series for g in range(len(rows)) if s.present[g]}
    # one base for every dot is said once, in the footer
    base_in = max((_text_in(b, small) for b in bases), default=0.0) if len(bases) > 1 else 0.0
    value_in = _text_in("100%", size) + _BOLD_ROOM_IN
    gap_in = 0.14
    fig = _root_figure(ax)
    at_edge = blended_transform_factory(ax.transAxes, ax.transData)
    before_base = offset_copy(at_edge, fig=fig, x=-(base_in + gap_in) * 72, units="points")
    for s, ys in zip(series, at, strict=True):
        for g, row in enumerate(rows):
            if not s.present[g]:
                continue
            value = _dot_value(s, g)
            strong = (row, str(s.level)) in bold
            ax.text(
                1.0,
                ys[g],
                value,
                ha="right",
                va="center",
                fontsize=size,
                fontweight="bold" if strong else "normal",
                color=_MARK_COLOUR if value == SUPPRESSED_MARK else "#1d1d1d",
                gid="value",
                transform=before_base,
            )
            if not base_in:
                continue
            ax.text(
                1.0,
                ys[g],
                _n_text(s.n[g]),
                ha="right",
                va="center",
                fontsize=small,
                color="#555555",
                gid="base",
                transform=at_edge,
            )
    ax._gpcollab_value_column = value_in + gap_in + base_in + 0.15  # type: ignore[attr-defined]
    ax._gpcollab_cells = base_in > 0  # type: ignore[attr-defined]  # the bases are here only


_DOT_LEFT = -0.025
"""Left end of a dot chart's scale: a dot at 0 is drawn whole, clear of the axis line."""

_MOST_VALUES = 2
"""Most dots a row of a dot chart may have for their values to be written beside it: two
waves read as "55% → 75%"; more would make a column wider than the dots' scale can spare."""


def _dot_value(s: _Series, g: int) -> str:
    """How a row's value column writes the dot of series ``s`` in row ``g``: its percentage,
    the disclosure mark, or a dash where there is none (not asked, or set by an assumption)."""
    if s.hidden[g]:
        return SUPPRESSED_MARK
    if not s.present[g] or s.assumed[g] or math.isnan(float(s.estimate[g])):
        return "—"
    return _pct(float(s.estimate[g]))


_APART = " · "
"""What joins two values of a row that do not compare (in place of an arrow of change)."""


def _dot_values(
    ax: Axes,
    series: Sequence[_Series],
    y: FloatArray,
    *,
    joiner: str,
    header: Sequence[str],
    bold: Collection[int] = (),
    apart: Collection[int] = (),
) -> None:
    """Each row's values in a column at the right of a dot chart (one or two dots a row),
    right-aligned at the axes' edge so that every value ends at the same place, clear of the
    dots and their lines, under a ``header`` naming the dots (when there are several); the
    rows in ``apart`` (positions) joined by a dot, not ``joiner``: values that do not compare.
    The scale is narrowed to leave the column its room once the chart is laid out
    (:func:`_reserve_value_column`)."""
    if not series or len(series) > _MOST_VALUES:
        return
    from matplotlib.transforms import blended_transform_factory  # heavy: matplotlib

    at_edge = blended_transform_factory(ax.transAxes, ax.transData)
    widest = 0.0
    if len(header) > 1:
        title = joiner.join(header)
        widest = _text_in(title, _small())
        ax.annotate(
            title,
            (1.0, 1.0),
            xycoords="axes fraction",
            xytext=(0, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=_small(),
            color="#444444",
            gid="value-header",
        )
    for g, row in enumerate(y):
        parts = [_dot_value(s, g) for s in series]
        if all(part == "—" for part in parts):
            continue
        text = (_APART if g in apart else joiner).join(parts)
        widest = max(widest, _text_in(text, _small()) + (_BOLD_ROOM_IN if g in bold else 0.0))
        ax.text(
            1.0,
            row,
            text,
            ha="right",
            va="center",
            fontsize=_small(),
            fontweight="bold" if g in bold else "normal",
            color="#1d1d1d",
            gid="value",
            transform=at_edge,
        )
    if widest:
        ax._gpcollab_value_column = widest + 0.15  # type: ignore[attr-defined]


def _reserve_value_column(ax: Axes) -> None:
    """Narrow a dot chart's scale (0 to :func:`_dot_scale_top`) so that its value column
    (:func:`_dot_values`, :func:`_dot_cells`) has the room at the axes' right, measured on the
    laid-out axes."""
    column = getattr(ax, "_gpcollab_value_column", None)
    if column is None:
        return
    from matplotlib.ticker import FixedLocator  # heavy: matplotlib

    top = float(getattr(ax, "_gpcollab_dot_top", 1.0))
    width = ax.get_window_extent().width / _root_figure(ax).dpi
    left = _DOT_LEFT * top
    span = top - left
    ax.set_xlim(left, top + span * column / max(width - column, 0.5))
    ax.spines["bottom"].set_bounds(left, top)
    # the scale's ticks stop at its end, as many as its width holds apart
    scale_in = width - column
    if scale_in < max(1.2, 0.4 * width) and not getattr(ax, "_gpcollab_cells", False):
        # an axes too narrow for both: the scale keeps the room, the footer gives the bases
        for text in [t for t in ax.texts if t.get_gid() in ("value", "value-header")]:
            text.remove()
        del ax._gpcollab_value_column  # type: ignore[attr-defined]
        ax.set_xlim(left, top)
        return
    # the axis label under the middle of the scale, not of the scale and the column
    right = top + span * column / max(width - column, 0.5)
    ax.xaxis.label.set_x((top / 2 - left) / (right - left))
    steps = (0.1, 0.2, 0.25, 0.5)  # apart by half an inch or more, at most six of them
    step = next((s for s in steps if scale_in * s / top >= 0.55 and top / s <= 6), 1.0)
    ax.xaxis.set_major_locator(FixedLocator(np.arange(0.0, top + 1e-9, step).tolist()))
    legend = ax.get_legend()
    for header in [t for t in ax.texts if t.get_gid() == "value-header"]:
        # the legend names the dots too: on an axes too narrow for both, it alone does
        if legend is not None and header.get_window_extent().overlaps(legend.get_window_extent()):
            header.remove()


# -- dot charts comparing groups: each group named beside its line ---------------------------

GROUP_LABEL_GID = "group-label"
"""gid of a group's name written beside its line in the first row of a dot chart comparing
groups (in place of a legend)."""

_GROUP_LABEL_CLEAR_PT = 2.5
"""Space (points) a group's name keeps free from every other mark and text of the chart."""
_GROUP_LABEL_GAP_PT = 4.0
"""Space (points) between the end of a line's marks and its group's name: the clearance, and
half the interval line's width."""
_GROUP_LABEL_PAD_PT = 1.0
"""White margin (points) behind a group's name, so that grid lines pass behind it."""


@dataclass(frozen=True)
class _DotLine:
    """A group's line in the first row of a dot chart comparing groups, as the group's name
    written beside it needs it: the name, the text colour, the line's height, and the marks on
    it, each as (data x, points it reaches left of x, points it reaches right of x)."""

    name: str
    colour: str
    y: float
    marks: tuple[tuple[float, float, float], ...]


def _first_row_lines(
    series: Sequence[_Series],
    at: Sequence[FloatArray],
    names: Sequence[str],
    palette: Sequence[str],
    marker: float,
) -> list[_DotLine]:
    """Each group's line in the first row of a dot chart comparing groups (``at``: each
    series' positions; ``marker``: the dots' size in points), with its interval's ends and its
    dot as marks; a hidden dot's ``[c]`` (a text) is found when the names are placed."""
    radius = marker / 2 + 0.5  # the dot and its edge
    lines = []
    for j, (s, ys, name) in enumerate(zip(series, at, names, strict=True)):
        marks: list[tuple[float, float, float]] = []
        drawn = bool(s.present[0]) and not s.assumed[0]
        if drawn and not (np.isnan(s.low[0]) or np.isnan(s.high[0]) or np.isnan(s.estimate[0])):
            marks += [(float(s.low[0]), 0.0, 0.0), (float(s.high[0]), 0.0, 0.0)]
        if drawn and not s.hidden[0] and not np.isnan(s.estimate[0]):
            marks.append((float(s.estimate[0]), radius, radius))
        colour = _text_shade(palette[j % len(palette)])
        lines.append(_DotLine(name, colour, float(ys[0]), tuple(marks)))
    return lines


def _mark_boxes(ax: Axes) -> list[Any]:
    """Boxes (display pixels) of everything drawn on and beside ``ax`` that a group's name must
    keep clear of: each dot, each interval, every text on the axes (values, bases, ``[c]``,
    row labels) and the tick and axis labels."""
    from matplotlib.collections import LineCollection  # heavy: matplotlib
    from matplotlib.transforms import Bbox  # heavy: matplotlib

    fig = _root_figure(ax)
    per_pt = fig.dpi / 72
    boxes = []
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " ") or not line.get_visible():
            continue
        r = (float(line.get_markersize()) / 2 + float(line.get_markeredgewidth())) * per_pt
        xy = np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)
        for px, py in ax.transData.transform(xy[np.isfinite(xy).all(axis=1)]):
            boxes.append(Bbox([[px - r, py - r], [px + r, py + r]]))
    for collection in ax.collections:
        if not isinstance(collection, LineCollection) or not collection.get_visible():
            continue
        half = float(np.max(collection.get_linewidth(), initial=1.0)) / 2 * per_pt
        for segment in collection.get_segments():
            ends = ax.transData.transform(np.asarray(segment, dtype=float))
            low, high = ends.min(axis=0), ends.max(axis=0)
            boxes.append(Bbox([[low[0] - half, low[1] - half], [high[0] + half, high[1] + half]]))
    for text in [*ax.texts, ax.xaxis.label, ax.yaxis.label]:
        if text.get_visible() and text.get_text().strip():
            boxes.append(text.get_window_extent())
    return boxes + _tick_boxes(ax.xaxis) + _tick_boxes(ax.yaxis)


def _label_lines(ax: Axes) -> bool:
    """Write each group's name beside its line in the first row of a dot chart comparing
    groups (:func:`_first_row_lines`), on the laid-out chart: right of the line's marks (its
    interval, dot, or the ``[c]`` of a hidden dot) when the name fits before the scale's end
    (and so before the value column), else left of them, else just above the line; never on
    another mark or text. Returns False, leaving no name drawn, when some name has no clear
    place (a small axes): the caller then draws a legend."""
    from matplotlib.transforms import offset_copy  # heavy: matplotlib

    lines: list[_DotLine] = getattr(ax, "_gpcollab_dot_lines", [])
    fig = _root_figure(ax)
    per_pt = fig.dpi / 72
    clear = _GROUP_LABEL_CLEAR_PT * per_pt
    frame = ax.get_window_extent()
    column = [t.get_window_extent().x0 for t in ax.texts if t.get_gid() in ("value", "base")]
    # within the scale (0 to its last tick), so that no name runs on into the value column
    scale_end = float(ax.transData.transform((getattr(ax, "_gpcollab_dot_top", 1.0), 0.0))[0])
    right_edge = min([*column, frame.x1, scale_end + clear]) - clear
    boxes = _mark_boxes(ax)
    placed: list[Any] = []
    for line in lines:
        marks = list(line.marks)
        for text in ax.texts:  # a hidden dot's "[c]", a cell "not measured", on this line
            if text.get_gid() in (SUPPRESSED_GID, "assumed") and np.isclose(
                float(text.get_position()[1]), line.y
            ):
                width = text.get_window_extent().width / per_pt
                marks.append((float(text.get_position()[0]), 0.0, width))
        if not marks:  # nothing drawn on the line: the name at the start of the scale
            marks = [(0.0, 0.0, 0.0)]
        ends = [(float(ax.transData.transform((x, line.y))[0]), x, lo, hi) for x, lo, hi in marks]
        _, x_right, _, right_pt = max(ends, key=lambda e: e[0] + e[3] * per_pt)
        _, x_left, left_pt, _ = min(ends, key=lambda e: e[0] - e[2] * per_pt)
        gap = _GROUP_LABEL_GAP_PT
        # above the line: clear of its dot (or of the line's width)
        rise = max(max((m[2] for m in marks), default=0.0), 1.0) + _GROUP_LABEL_CLEAR_PT + 0.5
        candidates = (  # (x, points across, points up, ha, va)
            (x_right, right_pt + gap, 0.0, "left", "center"),
            (x_left, -left_pt - gap, 0.0, "right", "center"),
            (x_left, -left_pt, rise, "left", "bottom"),
            (x_right, right_pt, rise, "right", "bottom"),
        )
        label = None
        for x, across, up, ha, va in candidates:
            text = ax.text(
                x,
                line.y,
                line.name,
                transform=offset_copy(ax.transData, fig=fig, x=across, y=up, units="points"),
                ha=ha,
                va=va,
                fontsize=_small(),
                color=line.colour,
                gid=GROUP_LABEL_GID,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": _GROUP_LABEL_PAD_PT},
                zorder=2.6,
            )
            box = text.get_window_extent()
            inside = (
                box.x0 >= frame.x0 + clear
                and box.x1 <= right_edge
                and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            )
            # a name above its line keeps more room up: the chart's rows may yet come closer
            # (a footnote added to the figure shortens the axes)
            grown = box.padded(clear, 2 * clear if up else clear)
            if inside and not any(grown.overlaps(other) for other in boxes):
                label = text
                break
            text.remove()
        if label is None:
            for text in placed:
                text.remove()
            return False
        placed.append(label)
        boxes.append(label.get_window_extent())
    return True


# -- rates by group: small multiples ---------------------------------------------------------

_PANEL_GAP_IN = 0.22
"""Space between two columns of panels, in inches."""
_TITLE_UNITS = 1.15
"""Height of one line of a panel title, in rows of bars."""
_BLOCK_GAP_UNITS = 0.7
"""Space under each row of panels, in rows of bars."""
_MAX_BAR_IN = 2.2
"""Widest bar area of a panel beside others, in inches (a single panel takes the width)."""
_ROW_IN = 0.22
"""Height of a row of bars the panels are laid out for, in inches: a layout whose rows would
come out much taller (an Axes taller than it needs) gives way to one with fewer columns."""


def _text_in(text: str, size: float) -> float:
    """Approximate width of ``text`` in inches at ``size`` points (DejaVu Sans)."""
    return len(text) * size * 0.6 / 72


def _measured_in(fig: Figure, text: str, size: float) -> float:
    """Width of ``text`` in inches at ``size`` points, as ``fig``'s renderer sets it."""
    from matplotlib.font_manager import FontProperties  # heavy: matplotlib

    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width, _, _ = renderer.get_text_width_height_descent(text, FontProperties(size=size), False)
    return float(width) / fig.dpi


def _value_column_in(size: float) -> float:
    """Width in inches of a value column of percentages at ``size`` points, its gap included."""
    return _text_in("100%", size) + 0.08


@dataclass(frozen=True)
class _PanelGrid:
    """How the panels of a small-multiple chart are laid out on one Axes."""

    columns: int
    with_n: bool  # each cell's base written beside its value
    panel_in: float  # width of one panel (bars and value column)
    bar_in: float  # width of the bar area (0 to the shared maximum)
    titles: list[str]  # panel titles, wrapped
    units: float  # height of the chart in rows of bars
    font: float  # size of the values and titles

    @property
    def rows(self) -> int:
        return math.ceil(len(self.titles) / self.columns)

    def row_units(self, row: int) -> float:
        """Title lines of panel row ``row`` (the most any of its panels has)."""
        titles = self.titles[row * self.columns : (row + 1) * self.columns]
        lines = max((t.count("\n") + 1 for t in titles if t), default=0)
        return lines * _TITLE_UNITS


def _panel_titles(
    facets: Sequence[tuple[Any, str]], width_in: float, size: float, short: bool = False
) -> list[str]:
    """The panels' titles wrapped to their width (a title may reach over the gap to the next
    panel): the full labels when each fits on one line, else (or with ``short``) the short
    names of them all, so that the panels of one chart name their aims alike and their titles
    stand level."""
    chars = max(int((width_in + 0.8 * _PANEL_GAP_IN) * 72 / (size * 0.64)), 6)
    full = [_wrap(label, chars) if label else "" for _, label in facets]
    if not short and all("\n" not in title for title in full):
        return full
    return [
        _wrap(AIM_SHORT_LABELS.get(str(value), label), chars) if label else ""
        for value, label in facets
    ]


def _panel_grid(
    width_in: float,
    height_in: float | None,
    facets: Sequence[tuple[Any, str]],
    groups: float,
    n_width: float,
    size: float,
) -> _PanelGrid:
    """Choose the columns of panels for an Axes ``width_in`` x ``height_in`` inches.

    Preferred: the most columns whose bars keep at least 0.8 inch with each cell's base written
    beside its value; else without the bases (then said in the footer); among the layouts whose
    rows are tall enough for the text (``height_in`` None: any height). When none is, the one
    with the tallest rows, its text made smaller to fit.
    """
    value_in = _value_column_in(size)
    line_in = size * 1.3 / 72
    options: list[_PanelGrid] = []
    choices = [(True, 0.8, False), (False, 0.3, False), (False, 0.3, True)]
    for with_n, least, short in choices if n_width > 0 else choices[1:]:
        for columns in range(min(4, len(facets)), 0, -1):
            panel_in = (width_in - (columns - 1) * _PANEL_GAP_IN) / columns
            bar_in = panel_in - value_in - (n_width + _BOLD_ROOM_IN if with_n else 0.0)
            if bar_in < least:
                continue
            # side by side, values stay close to their bars (the rest is margin); a single
            # panel takes the width, as a one-panel chart would leave it empty
            if columns > 1 and bar_in > _MAX_BAR_IN:
                panel_in -= bar_in - _MAX_BAR_IN
                bar_in = _MAX_BAR_IN
            titles = _panel_titles(facets, panel_in, size, short)
            grid = _PanelGrid(columns, with_n, panel_in, bar_in, titles, 0.0, size)
            units = sum(grid.row_units(r) + groups + _BLOCK_GAP_UNITS for r in range(grid.rows))
            options.append(_PanelGrid(columns, with_n, panel_in, bar_in, titles, units - 0.4, size))
    if not options:  # a very narrow Axes: one column, no bases
        titles = _panel_titles(facets, width_in, size)
        grid = _PanelGrid(1, False, width_in, max(width_in - value_in, 0.1), titles, 0.0, size)
        units = sum(grid.row_units(r) + groups + _BLOCK_GAP_UNITS for r in range(grid.rows))
        options = [_PanelGrid(1, False, width_in, grid.bar_in, titles, units - 0.4, size)]
    if height_in is None:
        return options[0]
    fitting = [grid for grid in options if height_in / grid.units >= line_in]
    for grid in fitting:  # the preferred layout whose rows are neither cramped nor stretched
        if height_in / grid.units <= 1.5 * _ROW_IN:
            return grid
    if fitting:  # every layout stretched: the one that fills the height with the most rows
        return max(fitting, key=lambda g: g.units)
    best = max(options, key=lambda g: height_in / g.units)
    font = max(5.5, min(size, height_in / best.units * 72 / 1.3))
    return _PanelGrid(
        best.columns, False, best.panel_in, best.bar_in, best.titles, best.units, font
    )


def panel_height(
    data: pd.DataFrame, *, x: str, hue: str | None = "aim", width: float, row: float = 0.2
) -> float:
    """Height in inches of the Axes :func:`plot_rates` needs with ``kind="panels"``.

    Parameters
    ----------
    data : pandas.DataFrame
        The table to be drawn.
    x, hue : str
        As for :func:`plot_rates`.
    width : float
        Width of the figure in inches.
    row : float, default=0.2
        Height of one row of bars in inches.

    Returns
    -------
    float
        Rows of bars and panel titles of the preferred layout, times ``row``.
    """
    groups = _levels(data, x)
    facets, series, _ = _kept_panels(data, x, hue if hue in data.columns else None, groups, None)
    groups, _, _ = _kept_groups(groups, series, _labeller(data, x))
    font, size = _PHONE_SIZES if width <= 4.0 else _sizes_for(width, 4.0)
    above = _labels_above(width, len(facets))
    labels, group_units = _group_labels(data, x, groups, width, font, above=above)
    longest = max((len(line) for label in labels for line in label.split("\n")), default=8)
    width_in = width - (0.0 if above else _text_in("x" * longest, font)) - 0.35
    grid = _panel_grid(
        width_in, None, facets, len(groups) * group_units, _text_in(" n=1,000", size), size
    )
    return grid.units * row


def dot_label_lines(data: pd.DataFrame, *, x: str, width: float) -> int:
    """Lines the longest row label of :func:`plot_rates` with ``kind="dot"`` takes on its own
    line above its row, as on a phone layout ``width`` inches wide (at most 4 inches; wider
    figures write the labels beside the rows: 0).

    Parameters
    ----------
    data : pandas.DataFrame
        The table to be drawn.
    x : str
        As for :func:`plot_rates`.
    width : float
        Width of the figure in inches.

    Returns
    -------
    int
        Lines of the longest label wrapped to the chart's width, or 0 beside the rows.
    """
    if width > 4.0:
        return 0
    name = _labeller(data, x)
    # the chart spans the figure less its margins (about 0.3 inches), as _row_labels_above
    chars = _chars(width - 0.3, _PHONE_SIZES[0])
    return max((_wrap(name(g), chars).count("\n") + 1 for g in _levels(data, x)), default=1)


_LABEL_LINE_UNITS = 0.85
"""Height of a line of group label written above its bar, in rows of bars (phone layout)."""


def _labels_above(figure_in: float, facets: int) -> bool:
    """Whether a panel chart writes each group's label above its bar instead of beside it: a
    single panel on a phone, where labels beside the bars would take a third of the width."""
    return figure_in <= 4.0 and facets == 1


def _group_labels(
    table: pd.DataFrame,
    x: str,
    groups: Sequence[Any],
    figure_in: float,
    size: float,
    *,
    above: bool = False,
) -> tuple[list[str], float]:
    """Labels of the groups and the height of a group's row in rows of bars. Beside the bars:
    wrapped to two fifths of the figure's width, a row as tall as its label's lines. Above
    them (``above``): wrapped to the figure's width, a row holding the label and the bar."""
    name = _labeller(table, x)
    chars = _chars(figure_in - 0.35, size) if above else min(30, _chars(figure_in * 0.4, size))
    labels = [_wrap(name(g), chars) for g in groups]
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return labels, (1.0 + _LABEL_LINE_UNITS * lines if above else float(lines))


def _panel_facets(
    table: pd.DataFrame, hue: str | None, hue_order: Sequence[Any] | None
) -> list[tuple[Any, str]]:
    if hue is None or hue not in table.columns:
        return [(None, "")]
    label = _labeller(table, hue)
    return [(level, label(level)) for level in _levels(table, hue, hue_order)]


def _kept_panels(
    table: pd.DataFrame,
    x: str,
    hue: str | None,
    groups: Sequence[Any],
    hue_order: Sequence[Any] | None,
) -> tuple[list[tuple[Any, str]], list[_Series], list[_Omitted]]:
    """The panels to draw (level and label of ``hue``, and their series) and those left out
    because disclosure control hides most of their groups, or leaves fewer than two of them
    to compare."""
    facets = _panel_facets(table, hue, hue_order)
    series = _series(table, x, hue, groups, [level for level, _ in facets])
    drawn = [i for i, s in enumerate(series) if s.present.any()]
    keep = [i for i in drawn if _comparable(series[i])]
    keep = keep or drawn  # no panel comparable: draw them all rather than nothing
    left_out = [_Omitted.of(facets[i][1], series[i]) for i in drawn if i not in keep]
    return [facets[i] for i in keep], [series[i] for i in keep], left_out


def _mostly_hidden(series: _Series) -> bool:
    """Whether disclosure control hides more than half of a panel's (or a row's) groups."""
    return 2 * int(series.hidden.sum()) > int(series.present.sum())


def _comparable(series: _Series) -> bool:
    """Whether a panel (or a row) has something to compare: at most half of its groups hidden
    and at least two shown (a panel with one group shows it, as there is no comparison to
    lose)."""
    present, hidden = int(series.present.sum()), int(series.hidden.sum())
    return not _mostly_hidden(series) and (present - hidden >= 2 or present < 2)


@dataclass(frozen=True)
class _Omitted:
    """A panel or row a chart leaves out, and why: most of its groups hidden, or (``alone``)
    one group shown beside hidden ones, with nothing to compare it with."""

    name: str
    alone: bool

    @classmethod
    def of(cls, name: str, series: _Series) -> _Omitted:
        return cls(name, alone=not _mostly_hidden(series))


def _kept_groups(
    groups: Sequence[Any], series: Sequence[_Series], name: Callable[[Any], str]
) -> tuple[list[Any], list[_Series], list[str]]:
    """The groups to draw in every panel and the series cut to them, and a note's words for
    each group left out because disclosure control hides it in more than half of the panels
    (a row of "[c]" in most panels says nothing; the table keeps its few shown values). At
    least two groups stay."""
    if len(series) < 2:
        return list(groups), list(series), []
    hidden = np.sum([s.hidden for s in series], axis=0)
    keep = [g for g in range(len(groups)) if 2 * int(hidden[g]) <= len(series)]
    if len(keep) == len(groups) or len(keep) < 2:
        return list(groups), list(series), []
    out = [
        f"“{name(groups[g])}” is not drawn: {int(hidden[g])} of its {len(series)} cells are hidden"
        for g in range(len(groups))
        if g not in keep
    ]
    cut = [
        replace(
            s,
            estimate=s.estimate[keep],
            low=s.low[keep],
            high=s.high[keep],
            n=s.n[keep],
            present=s.present[keep],
            hidden=s.hidden[keep],
            assumed=[s.assumed[g] for g in keep],
        )
        for s in series
    ]
    return [groups[g] for g in keep], cut, out


def _panel_notes(
    table: pd.DataFrame,
    hidden: bool,
    left_out: Sequence[_Omitted],
    groups_out: Sequence[str] = (),
) -> list[str]:
    notes = [_suppressed_note(table)] if hidden else []
    return notes + _left_out_notes(left_out, groups_out)


def _left_out_notes(left_out: Sequence[_Omitted], groups_out: Sequence[str]) -> list[str]:
    """Footnotes naming the groups (``groups_out``) and the aims or rows (``left_out``) a
    chart leaves out, each with its reason: disclosure control hides most of their cells, or
    leaves one group shown with nothing to compare it with."""
    notes = [f"{group} (see the table)." for group in groups_out]
    for alone, why in (
        (False, "mostly hidden"),
        (True, "one group shown, the others hidden, so nothing to compare"),
    ):
        names = [f"“{o.name}”" for o in left_out if o.alone == alone]
        if not names:
            continue
        several = len(names) > 1
        listed = "; ".join(names[:-1]) + " and " + names[-1] if several else names[0]
        verb = "are" if several else "is"
        notes.append(f"{listed} {verb} not drawn: {why} (see the table).")
    return notes


def _hidden_reason(n: float, min_n: int | None) -> str:
    """Why a cell whose base is ``n`` is hidden, for the chart: the words of the footer's
    ``[c]`` note (:class:`~gpcollab.presentation.HiddenCellRule`), never a wording of its own."""
    return HiddenCellRule(min_n).reason(n)


def _panel_scale(ax: Axes, left: float, ends: Sequence[float], y: float, size: float) -> None:
    """The shared scale written under a panel with no panel below it (at ``y``, in rows), as
    the x axis writes it under the bottom row, so that no scale floats under an empty slot."""
    from matplotlib.transforms import offset_copy  # heavy: matplotlib

    below = offset_copy(ax.transData, fig=_root_figure(ax), y=-3.5, units="points")
    for end in ends:
        ax.vlines(left + end, y, y + 0.12, color="#444444", linewidth=0.8)
        ax.text(
            left + end,
            y,
            _pct(end),
            ha="center",
            va="top",
            fontsize=size,
            color="#444444",
            transform=below,
            gid="panel-scale",
        )


_VALUE_GAP_IN = 0.05
"""Space between a value and the start of its bar, in inches."""

_BOLD_ROOM_IN = 0.06
"""More room a value set in bold takes than the value column is measured for, in inches: the
base before it keeps clear of it."""


def _value_cell(
    ax: Axes,
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    gid: str,
    colour: str = "#1d1d1d",
    bold: bool = False,
) -> None:
    """One row of a value column: ``text`` right-aligned at ``x`` (data coordinates), so that
    every value of the column ends at the same place."""
    weight = "bold" if bold else "normal"
    ax.text(
        x, y, text, ha="right", va="center", fontsize=size, fontweight=weight, color=colour, gid=gid
    )


def _panels(
    ax: Axes,
    table: pd.DataFrame,
    *,
    x: str,
    hue: str | None,
    order: Sequence[Any] | None,
    hue_order: Sequence[Any] | None,
    height: float | None = None,
    highlight: Sequence[tuple[Any, Any]] = (),
    **kwargs: Any,
) -> list[str]:
    """Small multiples on one Axes: a panel per level of ``hue`` (an aim), a horizontal bar per
    level of ``x`` (a group) on one shared scale, its interval as a line, its value (and base)
    written in a column at the panel's right. The panels fit ``height`` inches (default: the
    axes' height less an estimate of the footer). Returns the footer notes."""
    groups = _levels(table, x, order)
    facets, series, left_out = _kept_panels(table, x, hue, groups, hue_order)
    groups, series, groups_out = _kept_groups(groups, series, _labeller(table, x))
    rule = table.attrs.get("suppression") or {}
    min_n = rule.get("min_n") if isinstance(rule, dict) else None

    fig = _root_figure(ax)
    small = _small()
    above = _labels_above(_figure_width_in(ax), len(facets))
    labels, group_units = _group_labels(
        table, x, groups, _figure_width_in(ax), _font(), above=above
    )
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_yticks(np.arange(len(groups)), [""] * len(groups) if above else labels)
    ax.tick_params(axis="y", length=0, labelsize=_font())
    ax.tick_params(axis="x", labelsize=small, length=2, colors="#444444")
    ax.set_xlabel("placeholder", fontsize=_font())
    # the footer's notes known now take their room too (the bases note may follow)
    hidden = any(bool(s.hidden.any()) for s in series)
    _note_footer(fig, table, notes=_panel_notes(table, hidden, left_out, groups_out))
    _layout(fig)  # the group labels take their room: measure what is left for the panels
    box = ax.get_window_extent()
    width_in = box.width / fig.dpi
    spare = 0.3 if _is_phone(fig) else 0.15  # a wrapped axis label, the bases note
    height_in = box.height / fig.dpi - spare if height is None else height
    ax._gpcollab_panel_height = height_in  # type: ignore[attr-defined]
    bases = {int(n) for s in series for n in s.n[s.present] if not math.isnan(n)}
    # one base for every bar is said once, in the footer
    n_width = max((_text_in(" " + _n_text(n), small) for n in bases), default=0.0)
    n_width = n_width if len(bases) > 1 else 0.0
    grid = _panel_grid(
        width_in, max(height_in, 0.5), facets, len(groups) * group_units, n_width, small
    )
    if grid.font < small and group_units > 1 and not above:  # too little height: one line each
        labels, group_units = [label.replace("\n", " ") for label in labels], 1.0
        ax.set_yticks(np.arange(len(groups)), labels)
        ax.tick_params(axis="y", labelsize=grid.font + 0.5)
        _layout(fig)
        width_in = ax.get_window_extent().width / fig.dpi
        grid = _panel_grid(width_in, max(height_in, 0.5), facets, len(groups), n_width, small)
    font = grid.font
    value_in = _value_column_in(font)
    # the column before the bars: the bases, room for a bold value, the values
    values_in = value_in + (n_width + _BOLD_ROOM_IN if grid.with_n else 0.0)
    top = max((float(np.nanmax(np.r_[s.estimate, s.high, 0.0])) for s in series), default=0.0)
    scale = min(max(math.ceil(top * 5 - 1e-9) / 5, 0.2), 1.0)
    per_in = scale / grid.bar_in  # data units in one inch
    step = (grid.panel_in + _PANEL_GAP_IN) * per_in
    colour = kwargs.pop("color", PALETTE[0])
    bold = {(str(group), str(level)) for group, level in highlight}

    ticks: list[float] = []
    tick_labels: list[str] = []
    y_ticks: list[float] = []
    y_labels: list[str] = []
    any_hidden = False
    y0 = 0.0
    for row in range(grid.rows):
        title_units = grid.row_units(row)
        first = y0 + title_units + 0.5 * group_units
        y = first + np.arange(len(groups), dtype=float) * group_units
        y_ticks.extend(y.tolist())
        y_labels.extend([""] * len(groups) if above else labels)
        # the bars: centred in their rows, or under the labels written above them
        bar_h = 0.8 if above else 0.66 * group_units  # a row of wrapped labels: a thicker bar
        bar_y = y + (0.5 * (group_units - 1.0) if above else 0.0)
        for column in range(grid.columns):
            k = row * grid.columns + column
            if k >= len(series):
                break
            # a panel: its values (and bases) in a column, then its bars from ``left``
            s, start = series[k], column * step
            left = start + values_in * per_in
            if grid.titles[k]:  # first lines level across the row: shorter titles padded
                lines = grid.titles[k].count("\n") + 1
                ax.text(
                    start,
                    first - 0.5 * group_units - 0.05,
                    grid.titles[k] + "\n " * (round(title_units / _TITLE_UNITS) - lines),
                    ha="left",
                    va="bottom",
                    fontsize=font,
                    fontweight="bold",
                    color="#1d1d1d",
                    gid="panel-title",
                )
            shown = s.present & ~s.hidden & ~np.isnan(s.estimate)
            for i in range(len(groups) if above else 0):
                ax.text(
                    start,
                    bar_y[i] - 0.5 * bar_h - 0.08,
                    labels[i],
                    ha="left",
                    va="bottom",
                    fontsize=_font(),
                    color="#1d1d1d",
                    gid=ROW_LABEL_GID,
                    # the panel's axis line passes behind the label, never through it
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
                    zorder=2.5,
                )
            bars = ax.barh(
                bar_y[shown],
                s.estimate[shown],
                left=left,
                height=bar_h,
                color=colour,
                label="_nolegend_",
                **kwargs,
            )
            for patch in bars:
                patch.set_gid("estimate" if hue is None else str(s.level))
            ok = shown & ~(np.isnan(s.low) | np.isnan(s.high))
            if ok.any():
                ax.hlines(
                    bar_y[ok], left + s.low[ok], left + s.high[ok], color="#1d1d1d", linewidth=0.9
                )
            reach = 0.5 * bar_h + 0.12  # the axis line spans the bars with a little to spare
            ax.vlines(
                left,
                bar_y[0] - reach,
                bar_y[-1] + reach,
                color="#444444",
                linewidth=0.8,
                zorder=1.5,
            )
            for g in np.flatnonzero(s.present):
                if s.hidden[g]:
                    any_hidden = True
                    text = SUPPRESSED_MARK
                    reason = _hidden_reason(float(s.n[g]), min_n)
                    if _text_in(reason, font) < grid.bar_in * 0.9:
                        ax.text(
                            left + 0.05 * per_in,
                            bar_y[g],
                            reason,
                            ha="left",
                            va="center",
                            fontsize=font,
                            fontstyle="italic",
                            color=_MARK_COLOUR,
                            gid="hidden-reason",
                        )
                else:
                    text = _pct(float(s.estimate[g]))
                    if s.estimate[g] == 0:  # a true zero: a visible stroke at the axis
                        half = 0.5 * bar_h
                        ax.vlines(
                            left, bar_y[g] - half, bar_y[g] + half, color=colour, linewidth=2.5
                        )
                # right-aligned next to the bar's start: each value beside its bar, in a
                # column, clear of the bar and its interval; the base in a column before it
                _value_cell(
                    ax,
                    left - _VALUE_GAP_IN * per_in,
                    float(bar_y[g]),
                    text,
                    size=font,
                    gid=SUPPRESSED_GID if s.hidden[g] else "value",
                    bold=(str(groups[g]), str(s.level)) in bold,
                )
                if grid.with_n:
                    _value_cell(
                        ax,
                        left - (value_in + _BOLD_ROOM_IN) * per_in,
                        float(bar_y[g]),
                        _n_text(s.n[g]),
                        size=font,
                        gid="base",
                        colour="#555555",
                    )
            parts = 1 if grid.bar_in < 0.9 else (2 if grid.bar_in < 3.0 else 4)
            ends = [scale * i / parts for i in range(parts + 1)]
            if row == grid.rows - 1:
                ticks.extend(left + e for e in ends)
                tick_labels.extend(_pct(e) for e in ends)
            elif k + grid.columns >= len(series):  # nothing below: the scale under the panel
                _panel_scale(ax, left, ends, bar_y[-1] + reach, small)
        y0 = first + (len(groups) - 0.5) * group_units + _BLOCK_GAP_UNITS
    ax.set_yticks(y_ticks, y_labels)
    ax.tick_params(axis="y", labelsize=min(_font(), font + (0.5 if group_units > 1 else 1.0)))
    ax.set_xticks(ticks, tick_labels)
    ax.set_ylim(y0 - _BLOCK_GAP_UNITS + 0.1, -0.1)
    # the axes' own width: panels narrower than it leave a margin, never stretch
    used = (grid.columns - 1) * step + grid.panel_in * per_in
    right = max(used, (width_in - 0.06) * per_in)
    ax.set_xlim(-0.06 * per_in, right)
    # where the axis label is centred (plot_rates): under the panels, not the margin beside them
    ax._gpcollab_label_x = (used + 0.06 * per_in) / 2 / (right + 0.06 * per_in)  # type: ignore[attr-defined]
    ax.grid(False)
    notes = _panel_notes(table, any_hidden, left_out, groups_out)
    if "n" in table.columns and not grid.with_n:
        notes.append(_bases_note(series, "bar"))
    return notes


def plot_rates(
    data: pd.DataFrame | SurveyData,
    *,
    x: str = "size_band",
    hue: str | None = None,
    kind: Literal["bar", "dot", "panels"] = "bar",
    outcome: str = "fully",
    order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    highlight: Sequence[tuple[Any, Any]] = (),
    marked: Sequence[Any] = (),
    uncompared: Sequence[Any] = (),
    ax: Axes | None = None,
    hue_labels: Literal["direct", "legend"] = "direct",
    **kwargs: Any,
) -> Axes:
    """Rates with their confidence intervals, grouped by a band (and optionally a hue).

    Parameters
    ----------
    data : pandas.DataFrame or SurveyData
        A table with column ``x``, ``estimate``, ``ci_low``, ``ci_high`` and ``n`` — typically
        ``achievement_rates(survey, by=x)``. When an ``outcome`` column is present only the
        rows of ``outcome`` are drawn. A ``SurveyData`` is first passed to
        ``achievement_rates(survey, by=x)``. Rows marked ``suppressed`` are drawn as a hatched
        stub (bars) or a marker (dots), never as zero.
    x : str, default="size_band"
        Grouping column: along the horizontal axis (bars) or one row each (dots).
    hue : str, optional
        Second grouping column (for example ``"aim"`` or ``"wave"``). When omitted and the
        table holds several aims (``achievement_rates(survey, by=x)`` holds all of them),
        ``hue="aim"`` is used.
    kind : {"bar", "dot", "panels"}, default="bar"
        Side-by-side bars with whiskers; a dot plot (one row per ``x`` level, a dot and a
        line per ``hue`` level on one scale from 0 to the first 20 % past the data; for groups
        compared, as ``x="aim", hue="size_group"``, each dot's value and base written level
        with it at the right; rows with more than half of their groups hidden or fewer than
        two shown, and groups hidden in most rows, left out with a footnote); or small
        multiples (one panel per
        ``hue`` level, for example per aim, with one horizontal bar per ``x`` level in one
        colour on one shared scale, its interval as a line, and its value and base written
        beside it): the most legible choice for many groups. In panels a hidden cell keeps its
        row, reads ``[c]`` with the reason (its base, or "few answers"), and a panel whose
        groups are mostly hidden is left out with a footnote; a true zero is a stroke at the
        axis labelled "0%". On a phone-sized figure (at most 4 inches wide, at least 3.5 tall)
        a dot chart writes each row's label on its own line above its dots (gid
        ``"row-label"``), so that the rows take the width.
    outcome : str, default="fully"
        Achievement outcome whose rate is drawn (when the table has an ``outcome`` column).
    order, hue_order : sequence, optional
        Levels of ``x`` and ``hue`` to draw, in order; default questionnaire order, with a
        total row an analysis adds (such as "in a collaboration") first.
    highlight : sequence of (x level, hue level), optional
        Panels and dots comparing groups: cells whose values are set in bold, such as the two
        a title compares.
    marked : sequence, optional
        Dots: rows (levels of ``x``) on which the groups, or the two waves, differ by a test
        the caller ran (such as :func:`gpcollab.compare_domains` or
        :func:`gpcollab.compare_waves`, with a multiple-comparison adjustment); their labels
        (and a wave chart's values) are set in bold and a footnote says what bold means.
    uncompared : sequence, optional
        Dots by wave: rows (levels of ``x``) whose shares do not compare across the waves
        (what the answer counts changed, as
        :func:`gpcollab.headlines.uncompared_rows` finds); their two values are written side
        by side ("37% · 51%"), not as a change ("37% → 51%"), and never in bold.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    hue_labels : {"direct", "legend"}, default="direct"
        How a dot chart comparing groups (any ``hue`` but ``"wave"``, each dot on a line of
        its own) names its groups. ``"direct"``: each group's name written once, in a darker
        shade of its colour (WCAG AA contrast against white), beside its line in the first
        row (the row the order puts first, such as the aim a title names): right of its
        interval when the name fits within the scale (so clear of the value column), else
        left of it, else just above the line; after the ``[c]`` of a hidden dot (gid
        ``"group-label"``, :data:`GROUP_LABEL_GID`). When some name
        cannot be placed clear of every mark and text (a small axes), or the axes is too
        short for a line per dot, a legend above the axes names the groups instead.
        ``"legend"``: always the legend. Bars and waves always have a legend.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar` (bars) or :meth:`~matplotlib.axes.Axes.plot`
        (dots).

    Returns
    -------
    matplotlib.axes.Axes
        Bars: one bar container per hue level (gid ``"estimate"`` or the level) with its
        errorbar container, and ``n=...`` above each whisker when it fits (else the range of
        bases in the footer). Dots: one line of markers per hue level (same gids) and one
        line collection of intervals.

    Ordered hues (size, age, level bands, waves) take shades of one colour
    (:func:`sequential_colours`); other hues the Okabe-Ito palette.
    """
    if _is_survey(data):
        table = _analysis().achievement_rates(data, by=x)
    else:
        table = data
    _require(table, [x, "estimate"], "plot_rates")
    if kind not in ("bar", "dot", "panels"):
        raise ArgumentError(f"`kind` must be 'bar', 'dot' or 'panels', but {kind!r} was passed.")
    if hue is None and x != "aim" and "aim" in table.columns and table["aim"].nunique() > 1:
        hue = "aim"
    if hue is not None:
        _require(table, [hue], "plot_rates")
    if "outcome" in table.columns:
        table = table[table["outcome"].astype(str) == str(outcome)]
        if table.empty:
            raise ArgumentError(
                f"The value for `outcome` must be an outcome in the table, but {outcome!r} "
                "was passed and has no rows."
            )
    _single(table, [x] if hue is None else [x, hue], "plot_rates")
    check_choice(hue_labels, ("direct", "legend"), "hue_labels")
    own_figure = ax is None
    ax = _axes(ax)
    if own_figure and kind == "dot":  # a figure of its own: as tall as its rows need
        rows, dots = dot_shape(table, x=x, hue=hue)
        per_dot = 0.17 if hue not in (None, "wave") else 0.12  # groups: a value line a dot
        # a legend of many entries may take a column (groups named directly need no room)
        named = hue_labels == "direct" and hue not in (None, "wave")
        legend = 0.0 if named else 0.18 * max(dots - 3, 0)
        height = 1.7 + legend + rows * (0.3 + per_dot * dots)
        _root_figure(ax).set_figheight(min(max(height, 2.4), 9.0))
    helpers: dict[str, Callable[..., list[str]]] = {"dot": _dots, "panels": _panels}
    draw: Callable[..., list[str]] = helpers.get(kind, _grouped_bars)
    if kind in ("panels", "dot"):
        kwargs["highlight"] = highlight
    if kind == "dot":
        not_compared = {str(u) for u in uncompared}
        kwargs["marked"] = [m for m in marked if str(m) not in not_compared]
        kwargs["uncompared"] = uncompared
    notes = draw(ax, table, x=x, hue=hue, order=order, hue_order=hue_order, **kwargs)
    items = table["item"].astype(str).unique() if "item" in table.columns else []
    value_label = (
        f"{Achievement.labels().get(str(outcome), str(outcome))} (% of the base)"
        if "outcome" in table.columns
        else "Share of respondents"
    )
    category_label = (
        ITEMS[items[0]].question
        if x == "option" and len(items) == 1 and items[0] in ITEMS
        else _title(x)
    )
    if kind in ("dot", "panels"):
        has_ci = {"ci_low", "ci_high"} <= set(table.columns)
        ax.set_xlabel(value_label + ("; lines: 95% CI" if has_ci else ""), fontsize=_font())
        ax.xaxis.label.set_x(getattr(ax, "_gpcollab_label_x", 0.5))
    else:
        ax.set_xlabel(category_label, fontsize=_font())
        ax.set_ylabel(value_label, fontsize=_font())
    # a dot chart comparing groups names them beside their lines once it is laid out
    named = kind == "dot" and hue_labels == "direct" and hasattr(ax, "_gpcollab_dot_lines")
    if hue is not None and kind != "panels" and not named:
        _legend(ax, ncol=table[hue].nunique(), title=_title(hue))
    _finish(ax, data, notes=notes)
    if kind == "panels":
        # the panels were fitted to an estimate of the room the footer and labels leave; when
        # the laid-out axes is smaller, fit them again to what it is
        fig = _root_figure(ax)
        planned = getattr(ax, "_gpcollab_panel_height", None)
        actual = ax.get_window_extent().height / fig.dpi
        if planned is not None and actual < 0.95 * planned:  # rows keep some slack
            xlabel = ax.get_xlabel()
            ax.cla()
            notes = _panels(
                ax, table, x=x, hue=hue, order=order, hue_order=hue_order, height=actual, **kwargs
            )  # (kwargs hold the highlight)
            ax.set_xlabel(xlabel, fontsize=_font())
            ax.xaxis.label.set_x(getattr(ax, "_gpcollab_label_x", 0.5))
            _finish(ax, data, notes=notes)
    _dot_rows_above(ax)
    if named and not _label_lines(ax):  # no clear place for every name: a legend says them
        for text in [t for t in ax.texts if t.get_gid() == ROW_LABEL_GID]:
            text.remove()  # written again on the axes the legend leaves
        _legend(ax, ncol=table[str(hue)].nunique(), title=_title(str(hue)))
        _finish(ax, data, notes=notes)
        _dot_rows_above(ax)
    return ax


def _dot_rows_above(ax: Axes) -> None:
    """The phone layout of a dot chart: each row's label written above its dots, once the
    layout is done."""
    rows_above = getattr(ax, "_gpcollab_rows_above", None)
    if rows_above is not None:
        bold = getattr(ax, "_gpcollab_bold_rows", ())
        _row_labels_above(ax, rows_above[0], bar=rows_above[1], bold=bold)  # full names


# -- waves -----------------------------------------------------------------------------------


def _wave_row_label(rows: pd.DataFrame, row: pd.Series, width: int = 60) -> str:
    name = ""
    if "option" in rows.columns:
        item = str(row["item"]) if "item" in rows.columns else None
        if item is not None and item in ITEMS:
            labels = {**_SPECIAL_LABELS, **ITEMS[item].choices.labels()}
            name = labels.get(str(row["option"]), str(row["option"]))
        else:
            name = _labeller(rows, "option")(row["option"])
        if "item" in rows.columns and rows["item"].nunique() > 1:
            name = f"{_title(str(row['item']))}: {name}"
    first = str(row.get("wave_first", "first"))
    second = str(row.get("wave_second", "second"))
    detail = (
        f"{first}: {_pct(float(row['estimate_first']))} ({_n_text(row.get('n_first'))})"
        f" → {second}: {_pct(float(row['estimate_second']))} ({_n_text(row.get('n_second'))})"
    )
    if "p_value" in rows.columns and not pd.isna(row["p_value"]):
        p = float(row["p_value"])
        detail += f", p={p:.3f}" if p >= 0.001 else ", p<0.001"
    if len(detail) > width:
        detail = detail.replace(" → ", " →\n")
    return f"{_wrap(name, min(40, width))}\n{detail}" if name else detail


def plot_wave_comparison(
    data: pd.DataFrame,
    *,
    show: Literal["change", "waves"] = "change",
    x: str | None = None,
    kind: Literal["bar", "dot"] = "bar",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Compare two waves (2015 and 2017): the change with its interval, or the two rates.

    Parameters
    ----------
    data : pandas.DataFrame
        Either rows of ``compare_waves`` (one per item and option, possibly concatenated):
        ``option`` (and ``item``), ``wave_first``, ``wave_second``, ``estimate_first``,
        ``estimate_second``, ``n_first``, ``n_second``, ``difference``, ``ci_low``, ``ci_high``
        (the interval of the difference) and optionally ``p_value``; the change is drawn as a
        point with its asymmetric interval, in percentage points, one row per comparison, and
        the tick label gives each wave's share and base. Or a long table with a ``wave``
        column and ``estimate``, ``ci_low``, ``ci_high``, ``n`` (for example two
        ``distribution`` tables concatenated): the rates of each wave are drawn side by side
        with their own intervals (as :func:`plot_rates` with ``hue="wave"``).
    show : {"change", "waves"}, default="change"
        For ``compare_waves`` rows: draw the change with its interval, or (``"waves"``, which
        needs the per-wave ``ci_low_first``, ``ci_high_first``, ``ci_low_second`` and
        ``ci_high_second``) each wave's share with its own interval, as the long form.
    x : str, optional
        For the long form: the grouping column (default ``"option"``, else ``"aim"``).
    kind : {"bar", "dot"}, default="bar"
        For the long form: as in :func:`plot_rates`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.errorbar` (difference form) or to
        :func:`plot_rates` (long form).

    Returns
    -------
    matplotlib.axes.Axes
    """
    _require(data, ["estimate"] if "wave" in data.columns else [], "plot_wave_comparison")
    if show == "waves" and "estimate_first" in data.columns:
        data = _waves_long(data)
    if "estimate_first" not in data.columns and "wave" in data.columns:
        column = x or ("option" if "option" in data.columns else "aim")
        return plot_rates(data, x=column, hue="wave", kind=kind, ax=ax, **kwargs)
    needed = ["estimate_first", "estimate_second", "difference", "ci_low", "ci_high"]
    _require(data, needed, "plot_wave_comparison")
    ax = _axes(ax)
    rows = data.reset_index(drop=True)
    width = _chars(float(_root_figure(ax).get_figwidth()) * 0.45, _font())
    labels = [_wave_row_label(rows, row, width) for _, row in rows.iterrows()]
    y = np.arange(len(rows), dtype=float)
    diff = rows["difference"].to_numpy(float)
    lo = rows["ci_low"].to_numpy(float)
    hi = rows["ci_high"].to_numpy(float)
    options: dict[str, Any] = {"fmt": "o", "color": PALETTE[0], "ecolor": "#222222"}
    options.update(kwargs)
    ax.errorbar(
        diff, y, xerr=np.vstack([diff - lo, hi - diff]), capsize=3, elinewidth=1.0, **options
    )
    ax.axvline(0.0, color="#666666", linewidth=0.8, zorder=0)
    reach = float(np.nanmax(np.abs(np.r_[lo, hi, 0.05])))
    ax.set_xlim(-1.15 * reach, 1.15 * reach)
    ax.set_yticks(y, labels)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    from matplotlib.ticker import FuncFormatter  # heavy: matplotlib

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:+.0f}" if v else "0"))
    first = str(rows["wave_first"].iloc[0]) if "wave_first" in rows.columns else "first wave"
    second = str(rows["wave_second"].iloc[0]) if "wave_second" in rows.columns else "second"
    ax.set_xlabel(f"Change {first} to {second}, percentage points", fontsize=_font())
    _style(ax, grid="x")
    return _finish(ax, data)


def _waves_long(data: pd.DataFrame) -> pd.DataFrame:
    """``compare_waves`` rows as a long table: one row per option and wave."""
    per_wave = ["estimate", "ci_low", "ci_high", "n"]
    needed = [f"{c}_{w}" for w in ("first", "second") for c in per_wave]
    _require(data, [*needed, "wave_first", "wave_second", "option"], "plot_wave_comparison")
    keep = [c for c in ("item", "option") if c in data.columns]
    parts = [
        data[keep].assign(wave=data[f"wave_{w}"], **{c: data[f"{c}_{w}"] for c in per_wave})
        for w in ("first", "second")
    ]
    long = pd.concat(parts, ignore_index=True)
    long.attrs = dict(data.attrs)
    return long


# -- Likert-type items: diverging bars ------------------------------------------------------


def _likert_scale(table: pd.DataFrame) -> type[Choice]:
    enum = _option_enum(table)
    if enum is not None and enum.ordinal:
        return enum
    values = table["option"].dropna().astype(str).unique().tolist()
    return _scale_for_values(values, _LIKERT_SCALES)


@dataclass(frozen=True)
class _LikertScale:
    """The options of a Likert-type scale split into halves, with their colours and labels."""

    negative: list[str]
    neutral: list[str]
    positive: list[str]
    colours: dict[str, str]
    labels: dict[str, str]

    @property
    def substantive(self) -> list[str]:
        return [*self.negative, *self.neutral, *self.positive]

    @classmethod
    def of(cls, scale: type[Choice]) -> _LikertScale:
        substantive = [v for v in scale.values() if v != _DONT_KNOW]
        side = len(substantive) // 2
        negative = substantive[:side]
        positive = substantive[len(substantive) - side :]
        neutral = substantive[side : len(substantive) - side]
        neg_colours, mid_colour, pos_colours = DIVERGING_COLOURS[min(max(side, 1), 3)]
        colours = dict(zip(negative, neg_colours[-len(negative) :], strict=True))
        colours.update(zip(positive, pos_colours[: len(positive)], strict=True))
        colours.update({v: mid_colour for v in neutral})
        return cls(negative, neutral, positive, colours, scale.labels())


@dataclass(frozen=True)
class _LikertRow:
    """One diverging bar: its label, shares by option, suppressed options and base."""

    name: str
    shares: dict[str, float]
    hidden: frozenset[str]
    base: Any

    def start(self, scale: _LikertScale) -> float:
        """Left end of the bar: the negative half and half the neutral middle, left of zero."""
        negative = sum(self.shares.get(v, 0.0) for v in scale.negative)
        return -(negative + sum(self.shares.get(v, 0.0) for v in scale.neutral) / 2)


def _likert_rows(
    data: pd.DataFrame, hue: str | None, hue_order: Sequence[Any] | None
) -> list[_LikertRow]:
    if hue is not None and hue in data.columns:
        _single(data, [hue, "option"], "plot_likert")
        levels = _levels(data, hue, hue_order)
        label = _labeller(data, hue)
        parts = [(label(g), data[data[hue].astype(str) == str(g)]) for g in levels]
    else:
        _single(data, ["option"], "plot_likert")
        parts = [(_likert_population(data), data)]
    rows = []
    for name, part in parts:
        hidden = _suppressed(part)
        estimate = _numeric(part["estimate"])
        options = part["option"].astype(str).tolist()
        rows.append(
            _LikertRow(
                name=name,
                shares={
                    o: float(e)
                    for o, e, h in zip(options, estimate, hidden, strict=True)
                    if not h and not math.isnan(e)
                },
                hidden=frozenset(o for o, h in zip(options, hidden, strict=True) if h),
                base=part["n"].max() if "n" in part.columns else None,
            )
        )
    return rows


def _likert_population(data: pd.DataFrame) -> str:
    """Who answered a single-bar Likert table (the item's base, else the instrument)."""
    item = data.attrs.get("item")
    if item is None and "item" in data.columns and data["item"].nunique() == 1:
        item = data["item"].iloc[0]
    base = ITEMS[str(item)].base if item is not None and str(item) in ITEMS else None
    if base == "gp_partners" or (item is None and _option_enum(data) is ContractWillingness):
        return "GP partners"
    if base == "collaborating":
        return "Respondents in a collaboration"
    instrument = data.attrs.get("instrument")
    if isinstance(instrument, str):
        return Instrument.labels().get(instrument, "All respondents")
    return "All respondents"


@dataclass(frozen=True)
class _Segment:
    """A labelled segment of a diverging bar: where it is and which end of the bar it is."""

    y: float
    left: float
    width: float
    colour: str
    outer: int  # -1: the bar's left end, +1: its right end, 0: inside the bar


ROW_LABEL_GID = "row-label"
"""gid of a row's label written above its bar (the phone layout of the stacked bar charts)."""


def _rows_labelled_above(ax: Axes) -> bool:
    """Whether the stacked bars of ``ax`` carry their row labels above the bars instead of
    beside them: on a phone, where labels beside the bars would take half the width."""
    return _is_phone(_root_figure(ax))


_ROW_LABEL_PAD_PT = 2.0
"""White margin (points) around a row label written above its bar."""


_LIKERT_PHONE_BAR = 0.5
"""Height (in rows) of a diverging bar on a phone, where its label stands on a line above it."""


def _label_line_y(row: int, bar: float) -> float:
    """Where the line of a row's label above its bar stands (``bar``: the bars' height in
    rows), as :func:`_row_labels_above` writes it."""
    return row - bar / 2 - 0.04


def _row_labels_above(
    ax: Axes,
    labels: Sequence[str],
    short: Sequence[str] | None = None,
    *,
    bar: float,
    bold: Collection[int] = (),
) -> None:
    """Write each row's label on its own line above its bar (``bar``: the bars' height in
    rows), from the chart's left edge; the y tick labels are left blank before the layout so
    that the bars take the width. When a label is longer than the chart is wide, every row
    takes its short form (``short``: one naming for all rows, not a mix of long and short
    names), else it wraps; the rows in ``bold`` (positions) are set in bold. Call after the
    layout."""
    from matplotlib.transforms import blended_transform_factory, offset_copy  # heavy

    fig = _root_figure(ax)
    chars = _chars(ax.get_window_extent().width / fig.dpi, _font())
    # the white box reaches _ROW_LABEL_PAD_PT past the text, and the text stands that much
    # higher, so the box's lower edge stays clear of the bar under it
    to_left = offset_copy(
        blended_transform_factory(ax.transAxes, ax.transData),
        fig=fig,
        y=_ROW_LABEL_PAD_PT,
        units="points",
    )
    ax.tick_params(axis="y", length=0)
    texts = [" ".join(label.split()) for label in labels]
    if short is not None and any(len(text) > chars for text in texts):
        texts = list(short)
    for i, text in enumerate(texts):
        ax.text(
            0.0,
            _label_line_y(i, bar),
            _wrap(text, chars),
            transform=to_left,
            ha="left",
            va="bottom",
            fontsize=_font(),
            fontweight="bold" if i in bold else "normal",
            color="#1d1d1d",
            gid=ROW_LABEL_GID,
            # grid lines, the zero line and a reference line pass behind the label with a
            # margin, never through or against its letters
            bbox={"facecolor": "white", "edgecolor": "none", "pad": _ROW_LABEL_PAD_PT},
            zorder=2.5,
        )


def _label_segments_fitted(
    ax: Axes, segments: Sequence[_Segment], *, above: bool = True, below: bool = False
) -> None:
    """Write each segment's percentage: inside when it fits (measured on the laid-out axes),
    else outside the bar's end (outer segments) or, with ``above``, just above the bar (with
    ``below``, just below it), nudged clear of the label before it."""
    fig = _root_figure(ax)
    box = ax.get_window_extent()  # laid out by _finish, just before
    low, high = ax.get_xlim()
    per_inch = (high - low) / max(box.width / fig.dpi, 0.1)  # data units in one inch
    above_end: dict[float, float] = {}
    # a label above a bar needs the gap between two bars (a third of a row) to hold it
    rows_in = box.height / fig.dpi / max(abs(float(np.diff(ax.get_ylim())[0])), 1.0)
    room_above = 0.3 * rows_in * 72 >= _small() * 1.05
    for seg in segments:
        if seg.width <= 0:
            continue
        text = _pct(seg.width)
        needed = (len(text) * _small() * 0.62 / 72 + 0.05) * per_inch
        if seg.width >= needed:
            ax.text(
                seg.left + seg.width / 2,
                seg.y,
                text,
                ha="center",
                va="center",
                fontsize=_small(),
                color=_text_colour(seg.colour),
            )
        elif seg.outer:
            edge = seg.left if seg.outer < 0 else seg.left + seg.width
            ax.text(
                edge + 0.04 * per_inch * seg.outer,
                seg.y,
                text,
                ha="right" if seg.outer < 0 else "left",
                va="center",
                fontsize=_small(),
                color="#222222",
            )
        elif (above or below) and room_above:  # nudged right of the label before it
            room = needed + 0.08 * per_inch
            centre = max(seg.left + seg.width / 2, above_end.get(seg.y, -np.inf) + room / 2)
            ax.text(
                centre,
                seg.y + 0.28 if below else seg.y - 0.31,
                text,
                ha="center",
                va="top" if below else "bottom",
                fontsize=_small(),
                color="#222222",
            )
            above_end[seg.y] = centre + room / 2


def _draw_diverging(
    ax: Axes, rows: Sequence[_LikertRow], scale: _LikertScale, *, height: float, **kwargs: Any
) -> tuple[tuple[float, float], bool, list[_Segment]]:
    """The diverging bars; returns their reach left and right of zero, whether a suppressed
    option was marked, and the segments to label."""
    y = np.arange(len(rows), dtype=float)
    starts = np.array([row.start(scale) for row in rows])
    left = starts.copy()
    order = scale.substantive
    marked = False
    segments: list[_Segment] = []
    for value in order:
        widths = np.array([row.shares.get(value, 0.0) for row in rows])
        colour = scale.colours[value]
        bars = ax.barh(
            y,
            widths,
            left=left,
            height=height,
            color=colour,
            edgecolor="white",
            linewidth=0.6,
            label=scale.labels[value],
            **kwargs,
        )
        for patch in bars:
            patch.set_gid(value)
        for i, row in enumerate(rows):
            if value in row.hidden:
                marked = True
                negative_side = value in scale.negative
                ax.text(
                    left[i] - 0.008 if negative_side else left[i] + 0.008,
                    y[i],
                    SUPPRESSED_MARK,
                    ha="right" if negative_side else "left",
                    va="center",
                    fontsize=_small(),
                    color="#222222",
                    gid=SUPPRESSED_GID,
                )
                continue
            # the bar's ends hold the totals of each side: a label too wide for its segment
            # goes above the bar
            segments.append(_Segment(float(y[i]), float(left[i]), float(widths[i]), colour, 0))
        left = left + widths
    return (float(np.max(-starts)), float(np.max(left))), marked, segments


def _zero_answers(rows: Sequence[_LikertRow], scale: _LikertScale) -> list[str]:
    """Footnotes for the answers nobody in a bar gave (a true 0%, which no segment can show):
    "CCG staff survey: nobody answered “very probable” (0%)."."""
    notes = []
    for row in rows:
        zeros = [scale.labels[v] for v in scale.substantive if row.shares.get(v, None) == 0.0]
        if zeros:
            said = " or ".join(f"“{label.lower()}”" for label in zeros)
            notes.append(f"{row.name}: nobody answered {said} (0%).")
    return notes


def _side_totals(ax: Axes, rows: Sequence[_LikertRow], scale: _LikertScale) -> None:
    """The total of each side of the scale, in bold beyond each end of its bar (none for a
    side holding a hidden cell: its total would reveal it)."""
    for i, row in enumerate(rows):
        start = row.start(scale)
        end = start + sum(row.shares.get(v, 0.0) for v in scale.substantive)
        for side, edge, align, sign in (
            (scale.negative, start, "right", -1),
            (scale.positive, end, "left", 1),
        ):
            if not side or any(v in row.hidden for v in side):
                continue
            total = sum(row.shares.get(v, 0.0) for v in side)
            ax.annotate(
                _pct(total),
                (edge, float(i)),
                xytext=(3 * sign, 0),
                textcoords="offset points",
                ha=align,
                va="center",
                fontsize=_small(),
                fontweight="bold",
                color="#1d1d1d",
                gid="side-total",
            )


def _draw_dont_know(
    ax: Axes,
    rows: Sequence[_LikertRow],
    label: str,
    scale: _LikertScale,
    *,
    width_in: float,
    labels_above: Sequence[str] = (),
) -> bool:
    """ "Don't know" as a labelled figure beside each bar ("Don't know: 12%"; a length on the
    scale would mislead): after the bar's bold total on the right, or before the one on the
    left when the right has no room (``width_in``: the chart's expected width). Returns whether
    a cell was marked hidden.

    Where each row's label stands on its own line above its bar (``labels_above``: those
    labels) and a bar has no room on its right, every row's figure goes at the right end of
    its label's line instead: the same place for each row, never on the side of the scale
    whose total it could be read as.
    """
    from matplotlib.transforms import blended_transform_factory  # heavy: matplotlib

    size = _small()
    per_in = (2 * LIKERT_LIMIT + 0.3) / width_in  # scale units in one inch
    # what is written at each end of a bar (the side's bold total, or the mark of its hidden
    # cell) is cleared by this many points
    clear = 3 + _text_in("100%", size) * 72 + 6
    if labels_above and _dont_know_on_label_lines(
        ax, rows, label, scale, labels_above, right_room=(clear / 72) * per_in, per_in=per_in
    ):
        return any(_DONT_KNOW in row.hidden for row in rows)
    marked = False
    for i, row in enumerate(rows):
        hidden = _DONT_KNOW in row.hidden
        marked |= hidden
        if hidden:
            value = SUPPRESSED_MARK
        elif _DONT_KNOW in row.shares:
            value = _pct(row.shares[_DONT_KNOW])
        else:
            continue
        start = row.start(scale)
        end = start + sum(row.shares.get(v, 0.0) for v in scale.substantive)
        one, two = f"{label}: {value}", f"{label}:\n{value}"

        def fits(text: str, edge: float, sign: int) -> bool:
            width = max(_text_in(line, size) for line in text.split("\n"))
            return LIKERT_LIMIT + 0.15 - sign * edge - (clear / 72 + width) * per_in >= 0

        # after the bar's right end on one line, or two; else before its left end; else (a
        # small axes) just right of the chart
        where: dict[str, Any] = {"textcoords": "offset points"}
        choices = [(one, end, 1), (two, end, 1), (one, start, -1), (two, start, -1)]
        found = next((c for c in choices if fits(*c)), None)
        if found is not None:
            text, edge, sign = found
            point, align = (edge, float(i)), "left" if sign > 0 else "right"
            where["xytext"] = (sign * clear, 0)
        else:
            text, point, align = two, (1.02, float(i)), "left"
            where = {"xycoords": blended_transform_factory(ax.transAxes, ax.transData)}
        ax.annotate(
            text,
            point,
            ha=align,
            va="center",
            fontsize=size,
            color="#444444",
            gid=SUPPRESSED_GID if hidden else _DONT_KNOW,
            **where,
        )
    return marked


def _dont_know_text(row: _LikertRow, label: str) -> str | None:
    """``row``'s "Don't know" figure as written ("Don't know: 12%", or the hidden mark)."""
    if _DONT_KNOW in row.hidden:
        return f"{label}: {SUPPRESSED_MARK}"
    if _DONT_KNOW in row.shares:
        return f"{label}: {_pct(row.shares[_DONT_KNOW])}"
    return None


def _dont_know_on_label_lines(
    ax: Axes,
    rows: Sequence[_LikertRow],
    label: str,
    scale: _LikertScale,
    labels_above: Sequence[str],
    *,
    right_room: float,
    per_in: float,
) -> bool:
    """Write each row's "Don't know" figure at the right end of the line of its label above
    the bar (as :func:`_row_labels_above` sets it), when some bar has no room on its right for
    it and every label line has room for it; return whether it did."""
    from matplotlib.transforms import blended_transform_factory, offset_copy  # heavy

    size = _small()
    texts = [_dont_know_text(row, label) for row in rows]
    tight = False
    for row, text in zip(rows, texts, strict=True):
        if text is None:
            continue
        end = row.start(scale) + sum(row.shares.get(v, 0.0) for v in scale.substantive)
        needed = right_room + _text_in(text, size) * per_in
        tight |= LIKERT_LIMIT + 0.15 - end - needed < 0
    if not tight:
        return False
    width_in = (2 * LIKERT_LIMIT + 0.3) / per_in
    fig = _root_figure(ax)
    for name, text in zip(labels_above, texts, strict=True):
        label_in = _measured_in(fig, " ".join(name.split()), _font())
        if text is not None and label_in + _measured_in(fig, text, size) + 0.2 > width_in:
            return False  # a long label would run into it
    at_right = offset_copy(
        blended_transform_factory(ax.transAxes, ax.transData),
        fig=fig,
        y=_ROW_LABEL_PAD_PT,
        units="points",
    )
    for i, (row, text) in enumerate(zip(rows, texts, strict=True)):
        if text is None:
            continue
        ax.text(
            1.0,
            _label_line_y(i, _LIKERT_PHONE_BAR),  # the line of the row's label
            text,
            transform=at_right,
            ha="right",
            va="bottom",
            fontsize=size,
            color="#444444",
            gid=SUPPRESSED_GID if _DONT_KNOW in row.hidden else _DONT_KNOW,
        )
    return True


LIKERT_LIMIT = 1.0
"""Half-width of the shared scale of every diverging chart: -100 % to 100 %."""


def plot_likert(
    data: pd.DataFrame,
    *,
    hue: str | None = "instrument",
    hue_order: Sequence[Any] | None = None,
    annotate: bool = True,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Diverging stacked bars for an ordered (Likert-type) item, "don't know" drawn apart.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per option (and hue level): ``option``, ``estimate`` and optionally ``n`` and
        the ``hue`` column — the tables of ``stp_views`` (``hue="instrument"``: GP versus CCG
        staff), ``contract_willingness`` or ``distribution`` of an ordinal item. The scale
        (:class:`~gpcollab.vocab.Influence`, :class:`~gpcollab.vocab.Likelihood`,
        :class:`~gpcollab.vocab.ContractWillingness`, …) is taken from the ``item`` column or
        attribute, else recognised from the options. Rows marked ``suppressed`` get the marker
        ``[c]`` where their segment would start.
    hue : str or None, default="instrument"
        Column giving one bar per level. When the column is absent (or ``None``) a single bar
        is drawn, labelled with who was asked (GP partners for contract willingness, else the
        table's instrument). Replaces ``group``, deprecated.
    hue_order : sequence, optional
        Levels of ``hue`` from top to bottom. Replaces ``group_order``, deprecated.
    annotate : bool, default=True
        Write each segment's percentage: inside segments of at least 6 %, outside the bar end
        (or above the bar) for smaller ones.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        The diverging chart. The negative half of the scale is drawn left of zero and the
        positive half right of it; an odd scale's middle option straddles zero. Widths are the
        table's shares as given (their base includes "don't know", as in the table). "Don't
        know" is given as a figure beside each bar ("Don't know: 12%", gid ``"dont_know"``), or
        at the right end of the line of the bar's label on a phone.
        Tick labels carry the base ``n=...``; the legend lists the options in scale order. On
        a phone-sized figure (at most 4 inches wide) each bar's label is written above it
        instead (gid ``"row-label"``), so that the bars take the width.
    """
    hue = _renamed(kwargs, "group", "hue", hue, "plot_likert")
    hue_order = _renamed(kwargs, "group_order", "hue_order", hue_order, "plot_likert")
    _require(data, ["option", "estimate"], "plot_likert")
    scale = _LikertScale.of(_likert_scale(data))
    rows = _likert_rows(data, hue, hue_order)
    ax = _axes(ax)
    above = _rows_labelled_above(ax)
    height = _LIKERT_PHONE_BAR if above else 0.6
    _, marked, segments = _draw_diverging(ax, rows, scale, height=height, **kwargs)
    # the zero line runs behind the bars, so that no label sits under it
    ax.axvline(0.0, color="#444444", linewidth=0.8, zorder=0.5)
    _side_totals(ax, rows, scale)
    # one symmetric scale for every diverging chart, with room for the totals at the ends
    ax.set_xlim(-LIKERT_LIMIT - 0.15, LIKERT_LIMIT + 0.15)
    from matplotlib.ticker import FixedLocator  # heavy: matplotlib

    ax.xaxis.set_major_locator(FixedLocator(np.linspace(-LIKERT_LIMIT, LIKERT_LIMIT, 5).tolist()))
    _percent_axis(ax, "x", signed=True)
    bases = [_n_text(row.base) if row.base is not None else "" for row in rows]
    # on a phone each row's label stands on its own line above the bar
    above_labels = [
        row.name + (f" ({base})" if base else "") for row, base in zip(rows, bases, strict=True)
    ]
    ax.set_yticks(
        np.arange(len(rows)),
        [
            "" if above else _wrap(row.name, 24) + (f"\n{base}" if base else "")
            for row, base in zip(rows, bases, strict=True)
        ],
    )
    # labels above the bars: room above the first bar for its label, below the last for the
    # percentages of segments too narrow to hold theirs
    ax.set_ylim(len(rows) - 0.5 + (0.2 if above else 0.0), -0.75 if above else -0.5)
    ax.set_xlabel("Share of respondents", fontsize=_font())
    _style(ax, grid="x")
    _legend(ax, ncol=len(scale.substantive))
    if any(_DONT_KNOW in row.shares or _DONT_KNOW in row.hidden for row in rows):
        fig = _root_figure(ax)
        _layout(fig)  # the room beside each bar is measured on the laid-out chart
        width = ax.get_window_extent().width / fig.dpi
        label = scale.labels.get(_DONT_KNOW, "Don't know")
        marked |= _draw_dont_know(
            ax, rows, label, scale, width_in=width, labels_above=above_labels if above else ()
        )
    notes = [_suppressed_note(data)] if marked else []
    if scale.negative:
        middle = " (the middle answer in neither)" if scale.neutral else ""
        notes.append(f"Bold: the total of each side of the scale{middle}.")
    notes += _zero_answers(rows, scale)
    _finish(ax, data, notes=notes)
    if above:
        _row_labels_above(ax, above_labels, bar=_LIKERT_PHONE_BAR)
    if annotate:
        _label_segments_fitted(ax, segments, above=not above, below=above)
    return ax


# -- collaboration size versus PCN size -----------------------------------------------------

PCN_SOURCE = (
    "PCN sizes: NHS Digital, Primary Care Network core data (ePCN), December 2019; "
    "real data, Open Government Licence v3.0."
)
"""Source line of charts that show the real 2019 primary care networks."""


def plot_size_distribution(
    data: pd.DataFrame | SurveyData,
    pcn: pd.DataFrame | None = None,
    *,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Sizes of collaborations (survey) beside the sizes of primary care networks (2019).

    Parameters
    ----------
    data : pandas.DataFrame or SurveyData
        The distribution of collaboration size: ``distribution(survey, "size_band")`` (an
        ``option`` column of size bands) or any table with a ``size_band`` column, plus
        ``estimate`` and optionally ``ci_low``, ``ci_high`` and ``n``. A ``SurveyData`` is first
        passed to ``distribution(survey, "size_band")``.
    pcn : pandas.DataFrame, optional
        PCNs with ``registered_patients`` (and ``practices``); default the real December 2019
        table ``gpcollab.load_population(2019, "pcn")``. Its PCNs are put in the same
        :class:`~gpcollab.vocab.SizeBand` bands (lower edge inclusive). With ``practices``, the
        PCN bars are shares of the practices in PCNs of each size
        (:func:`gpcollab.pcn_size_shares`), the same unit as a survey of practices; without, of
        the networks.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers (gid ``"survey"`` and ``"pcn"``), the survey one with whiskers; the
        legend gives each base. The footer names both sources; a synthetic notice applies to
        the survey bars only.
    """
    if _is_survey(data):
        table = _analysis().distribution(data, "size_band")
    else:
        table = data
    _require(table, [], "plot_size_distribution")
    if "size_band" not in table.columns:
        _require(table, ["option", "estimate"], "plot_size_distribution")
        table = table.rename(columns={"option": "size_band"})
    _require(table, ["size_band", "estimate"], "plot_size_distribution")
    _single(table, ["size_band"], "plot_size_distribution")
    default_pcn = pcn is None
    if pcn is None:
        pcn = load_population(2019, "pcn")
    _require(pcn, ["registered_patients"], "plot_size_distribution (pcn)")
    unit: Literal["practices", "pcns"] = "practices" if "practices" in pcn.columns else "pcns"
    pcn_table = _whatif().pcn_size_shares(pcn, unit=unit)

    survey_n = table["n"].max() if "n" in table.columns else None
    source = f" ({_n_text(survey_n)})" if survey_n is not None else ""
    survey_rows = table.assign(source="survey")
    pcn_rows = pcn_table[["size_band", "estimate", "n"]].assign(source="pcn")
    both = pd.concat([survey_rows, pcn_rows], ignore_index=True)
    both["size_band"] = both["size_band"].astype(str).astype(SizeBand.dtype())
    networks = int(pcn_table["pcns"].sum())
    pcn_label = (
        f"Practices in PCNs, Dec 2019 ({int(pcn_table['n'].iloc[0]):,} in {networks:,} PCNs)"
        if unit == "practices"
        else f"Primary care networks, Dec 2019 (n={networks:,})"
    )
    legend = {"survey": f"Respondents in a collaboration, survey{source}", "pcn": pcn_label}
    ax = _axes(ax)
    plain = both.drop(columns=["n"])
    notes = _grouped_bars(
        ax,
        plain,
        x="size_band",
        hue="source",
        order=None,
        hue_order=["survey", "pcn"],
        colours=(PALETTE[0], REAL_DATA_COLOUR),
        hue_labels=lambda s: legend[str(s)],
        values=True,
        **kwargs,
    )
    for bar in ax.patches:  # striped: the two sides stay apart in greyscale too
        if bar.get_gid() == "pcn":
            bar.set_hatch("///")
            bar.set_edgecolor("white")
            bar.set_linewidth(0.0)
    ax.set_xlabel("Registered patients covered", fontsize=_font())
    ax.set_ylabel("Share in each size band", fontsize=_font())
    _legend(ax, ncol=2)
    real_pcn = default_pcn or pcn.attrs.get("dataset") == "population_pcn_2019"
    return _finish(
        ax,
        table,
        notes=notes,
        sources=[PCN_SOURCE] if real_pcn else [],
        synthetic_scope="collaboration bars only; the PCN bars are real" if real_pcn else "",
    )


# -- what-if scenarios ----------------------------------------------------------------------


def _scenario_rows(data: pd.DataFrame, y: str, reference: str | None) -> pd.DataFrame:
    """Rows in drawing order: the reference row first (on top), then the table's order."""
    rows = data.reset_index(drop=True)
    if reference is not None:
        is_reference = rows[y].astype(str) == reference
        rows = pd.concat([rows[is_reference], rows[~is_reference]], ignore_index=True)
    return rows


def _pcn_count(count: float, share: float | None) -> str:
    text = f"{int(count):,} PCN" + ("" if int(count) == 1 else "s")
    return text + (f" ({_pct(share)})" if share is not None else "")


FEW_PCNS = 10
"""A PCN size band with fewer networks than this is drawn pale in :func:`plot_scenarios`."""
_PALE_BLUE = "#A6CBE6"


def _scenario_values(
    ax: Axes,
    pos: FloatArray,
    values: FloatArray,
    bold: Sequence[bool],
    write: Callable[[float], str] = _pct,
) -> None:
    """Each row's value (as ``write`` words it) in a column just left of the axis,
    right-aligned, so that every value sits level with its dot, in one place, and no interval
    line runs through one; the row labels (when beside the dots) move left of the column."""
    from matplotlib.transforms import blended_transform_factory, offset_copy  # heavy

    size = _small()
    gap = 4.0  # points between a value and the axis line
    column = offset_copy(
        blended_transform_factory(ax.transAxes, ax.transData),
        fig=_root_figure(ax),
        x=-gap,
        units="points",
    )
    widest = _value_column_in(size)
    for y, value, strong in zip(pos, values, bold, strict=True):
        if not math.isnan(value):
            text = write(float(value))
            widest = max(widest, _text_in(text, size) + 0.08)
            ax.text(
                0.0,
                float(y),
                text,
                ha="right",
                va="center",
                fontsize=size,
                fontweight="bold" if strong else "normal",
                color="#1d1d1d",
                gid="value",
                transform=column,
            )
    # the labels beside the dots stand left of the values (the tick pad is in points)
    ax.tick_params(axis="y", pad=widest * 72 + gap)


def _points(difference: float) -> str:
    """A difference of two shares in percentage points, signed: "+2 pts", "−10 pts"."""
    value = round(100 * difference)
    sign = "+" if value > 0 else ("\u2212" if value < 0 else "")
    return f"{sign}{abs(value)} pts"


def plot_scenarios(
    data: pd.DataFrame,
    *,
    y: str | None = None,
    reference: str | None = "observed",
    show: Literal["estimate", "difference"] = "estimate",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """What-if estimates side by side, each a dot with its interval.

    Parameters
    ----------
    data : pandas.DataFrame
        ``whatif.standardise`` (one row per scenario, ``"observed"`` first) or
        ``whatif.pcn_projection`` (one row per PCN size band and ``all_pcns``): ``estimate``,
        ``ci_low``, ``ci_high`` and optionally ``n`` or ``pcns``/``share_of_pcns``.
    y : str, optional
        Column naming the rows; default ``"scenario"``, else ``"size_band"``. Replaces
        ``label``, deprecated.
    reference : str or None, default="observed"
        Row drawn in grey on top, with a labelled dashed line at its estimate (``None``: no
        reference).
    show : {"estimate", "difference"}, default="estimate"
        Each scenario's share, or its difference from the reference (columns ``difference``,
        ``difference_ci_low``, ``difference_ci_high`` of ``whatif.standardise``) in percentage
        points, on a scale around a line at 0 labelled with the reference's share: the chart
        of a claim about differences.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` for the dots.

    Returns
    -------
    matplotlib.axes.Axes
        One dot per row (the reference on top, then table order; gid ``"estimate"``, or
        ``"few-pcns"`` for a pale band of few networks) with a line from ``ci_low`` to
        ``ci_high``; the values in a column left of the axis. The base (``n``, or the number
        and share of PCNs) is part of the row's tick label.
    """
    y = _renamed(kwargs, "label", "y", y, "plot_scenarios")
    _require(data, [], "plot_scenarios")
    if y is None:
        y = "scenario" if "scenario" in data.columns else "size_band"
    columns = ("estimate", "ci_low", "ci_high")
    if show == "difference":
        columns = ("difference", "difference_ci_low", "difference_ci_high")
    elif show != "estimate":
        raise ArgumentError(f"`show` must be 'estimate' or 'difference', but {show!r} was passed.")
    _require(data, [y, *columns], "plot_scenarios")
    _single(data, [y], "plot_scenarios")
    if reference is not None and reference not in set(data[y].astype(str)):
        reference = None
    rows = _scenario_rows(data, y, reference)
    reference_share = math.nan
    if reference is not None:
        is_reference = rows[y].astype(str) == reference
        reference_share = float(rows.loc[is_reference, "estimate"].iloc[0])
        if show == "difference":  # the reference is the line at 0, not a row
            rows = rows[~is_reference].reset_index(drop=True)
    namer = _labeller(rows, y)
    names = [str(v) for v in rows[y]]
    est, lo, hi = (rows[c].to_numpy(float) for c in columns)
    pcns = _numeric(rows["pcns"]) if "pcns" in rows.columns else None
    # a band of very few PCNs is drawn pale: its estimate describes a handful of networks
    few = (
        (pcns < FEW_PCNS) & np.array([n != reference for n in names])
        if pcns is not None
        else np.zeros(len(rows), dtype=bool)
    )
    colours = [
        _WAVE_COLOURS[0] if name == reference else (_PALE_BLUE if pale else PALETTE[0])
        for name, pale in zip(names, few, strict=True)
    ]
    ax = _axes(ax)
    above = _rows_labelled_above(ax)  # on a phone: each label on its own line(s) above its dot
    pos = np.arange(len(rows), dtype=float)
    ax.hlines(pos, lo, hi, colors=colours, linewidth=1.8, gid="interval")
    for p, value, colour, pale in zip(pos, est, colours, few, strict=True):
        options: dict[str, Any] = {
            "marker": "o",
            "markersize": 7.0,
            "markerfacecolor": colour,
            "markeredgecolor": "#333333",
            "markeredgewidth": 0.5,
            "linestyle": "none",
        }
        options.update(kwargs)
        (dot,) = ax.plot([value], [p], **options)
        dot.set_gid("few-pcns" if pale else "estimate")
    # a base shared by every row (one model fitted once) is said once, in the footer
    one_base = "n" in rows.columns and rows["n"].nunique(dropna=False) == 1
    pcn_shares = _numeric(rows["share_of_pcns"]) if "share_of_pcns" in rows.columns else None
    labels, flat = [], []  # beside the dots (wrapped), and on one line above them
    for i, name in enumerate(names):
        words = namer(rows.at[i, y])
        extra = ""
        if pcns is not None:
            share = None if pcn_shares is None or name == "all_pcns" else float(pcn_shares[i])
            extra = _pcn_count(float(pcns[i]), share)
        elif "n" in rows.columns and not one_base:
            extra = _n_text(rows.at[i, "n"])
        width = min(28, _chars(_figure_width_in(ax) * 0.42, _font()))
        labels.append(_wrap(words, width) + (f"\n{extra}" if extra else ""))
        flat.append(words + (f" · {extra}" if extra else ""))
    top = -0.5
    if reference is not None:
        line = 0.0 if show == "difference" else reference_share
        # above the grid lines (one of which may fall on it), below the dots and lines
        ax.axvline(line, color="#444444", linestyle="--", linewidth=1.0, zorder=1.5)
        top = -1.3 if above else -1.0  # on a phone, above the first row's own label
        ax.text(
            line + 0.006,
            -0.9 if above else -0.62,
            f"{namer(reference)}: {_pct(reference_share)}",
            ha="left",
            va="center",
            fontsize=_small(),
            color="#444444",
            gid="reference-label",
        )
    ax.set_yticks(pos, [""] * len(labels) if above else labels)
    ax.set_ylim(len(rows) - 0.5, top)
    aim = data.attrs.get("aim")
    what = f": {Aim.labels()[aim]}" if isinstance(aim, str) and aim in Aim.values() else ""
    if show == "difference":
        from matplotlib.ticker import FuncFormatter, MultipleLocator  # heavy: matplotlib

        reach = max(float(np.nanmax(np.abs(np.r_[lo, hi, 0.05]))), 0.05)
        reach = math.ceil(reach * 10 + 0.2) / 10  # to the next 10 points, a little past
        ax.set_xlim(-reach, reach)
        ax.xaxis.set_major_locator(MultipleLocator(0.1 if reach <= 0.4 else 0.2))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _points(v).replace(" pts", "")))
        ax._gpcollab_value_axis = "x"  # type: ignore[attr-defined]
        # the aim and the share are the title's: the axis says what the scale measures
        label = f"Difference from {namer(reference).lower() if reference else 'observed'}, "
        label += "percentage points"
    else:
        ax.set_xlim(0.0, min(1.0, float(np.nanmax(np.r_[hi, 0.1])) + 0.05))
        _percent_axis(ax, "x")
        label = f"Share fully achieving the aim{what}"
    ax.set_xlabel(_wrap(label, _chars(_axes_width_in(ax), _font())), fontsize=_font())
    _style(ax, grid="x")
    ax.tick_params(axis="y", length=0)
    projection = "pcns" in rows.columns
    _scenario_values(
        ax,
        pos,
        est,
        bold=[name == reference for name in names],
        write=_points if show == "difference" else _pct,
    )
    _finish(
        ax,
        data,
        notes=[
            *([f"Pale: a band of fewer than {FEW_PCNS} PCNs."] if few.any() else []),
            *(
                ["Lines: 95% bootstrap intervals."]
                if "n_boot" in rows.columns or projection
                else []
            ),
            *(
                [f"Base: {_n_text(rows['n'].iloc[0])} in every row."]
                if one_base and not projection
                else []
            ),
        ],
        sources=[PCN_SOURCE] if projection else [],
        synthetic_scope="the model's estimates; the PCN counts are real" if projection else "",
    )
    if above:  # written once the layout is done, across the chart's width
        _row_labels_above(ax, flat, bar=0.3)
    return ax
