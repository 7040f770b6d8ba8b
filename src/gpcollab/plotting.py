"""Charts of the report, drawn from the tidy tables of the analysis functions.

Every helper has the shape of a seaborn axes-level function: the data come first (a tidy table
returned by an analysis function, or for some helpers a :class:`~gpcollab.schema.SurveyData`
from which that table is computed first), every other argument is keyword-only, an optional
``ax=`` receives the drawing, extra ``**kwargs`` go to the bar artists
(:class:`matplotlib.patches.Rectangle`), and the :class:`matplotlib.axes.Axes` is returned.

=====================================================  =========================================
helper                                                 expected table (see docs/analysis_api.md)
=====================================================  =========================================
``plot_achievement(data, *, order=None, ax=None)``     ``achievement_rates(..., too_early=
                                                       "separate")``: ``aim``, ``outcome``, ``n``,
                                                       ``estimate``
``plot_rates(data, *, x="size_band", hue=None,         ``achievement_rates(..., by=x)`` (or any
outcome="fully", ax=None)``                            table): column ``x``, optional ``hue``
                                                       and ``outcome``, ``n``, ``estimate``,
                                                       ``ci_low``, ``ci_high``
``plot_wave_comparison(data, *, x=None, ax=None)``     ``compare_waves`` rows (``estimate_first``,
                                                       ``estimate_second``, ``n_first``,
                                                       ``n_second``, ``difference``, ``ci_low``,
                                                       ``ci_high``), or a long table with a
                                                       ``wave`` column
``plot_likert(data, *, group="instrument", ax=None)``  ``stp_views``, ``contract_willingness``,
                                                       ``distribution``: ``option``,
                                                       ``estimate``, optional ``n`` and ``group``
``plot_size_distribution(data, pcn=None, *, ax=None)`` ``distribution(survey, "size_band")`` (or
                                                       a ``size_band`` column) and the PCN table
                                                       of ``load_population(2019, "pcn")``
``plot_scenarios(data, *, label=None, ax=None)``       ``whatif.standardise`` (``scenario``) or
                                                       ``whatif.pcn_projection`` (``size_band``):
                                                       ``estimate``, ``ci_low``, ``ci_high``
=====================================================  =========================================

Conventions
-----------
* **Figures.** With ``ax=None`` each helper creates a *new* figure (7 x 4 inches, constrained
  layout) instead of drawing on the current Axes, so calls in a loop or in consecutive notebook
  cells never draw over each other. Pass ``ax=`` to place a chart in your own layout. No helper
  calls ``plt.show()`` or changes :data:`matplotlib.rcParams`; styling is set per artist.
  matplotlib is imported only when a chart is drawn.
* **Shares.** Tables hold proportions in [0, 1]; they are drawn as such (so a bar's width or
  height *is* the table's ``estimate``) on an axis labelled 0-100 %. Whiskers are the table's
  own asymmetric intervals ``ci_low``/``ci_high``; nothing is re-estimated.
* **Labels.** Categories are shown with the human labels of :mod:`gpcollab.vocab` (for
  example ``Aim.ACCESS.label``) in questionnaire order; the unweighted base is written as
  ``n=238``.
* **Colours.** :data:`PALETTE` is the Okabe-Ito palette (Okabe & Ito, *Color Universal
  Design*, 2008), safe for the common colour-vision deficiencies. Ordered answers use
  :data:`ACHIEVEMENT_COLOURS` (blues for achieved, orange for not achieved) and the ColorBrewer
  *PuOr* diverging scheme (Brewer, colorbrewer2.org, marked colour-blind safe) for Likert-type
  items; "too early to say" and "don't know" are neutral greys, and for Likert items "don't
  know" is drawn apart, in a small panel to the right of the diverging bars.
* **Synthetic data.** When the table's ``attrs["synthetic"]`` (or ``SurveyData.meta.synthetic``)
  is true, the figure gets one footer text, :data:`gpcollab.schema.SYNTHETIC_NOTICE`, with gid
  :data:`FOOTER_GID` (added once per figure however many charts it holds). On a figure created
  by a helper, the constrained layout keeps room for it; on your own figure leave a little
  space at the bottom.
"""

from __future__ import annotations

import importlib
import math
import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from gpcollab.analysis import ESTIMATE_COLUMNS
from gpcollab.errors import ArgumentError
from gpcollab.schema import ITEMS, SYNTHETIC_NOTICE
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

    from gpcollab._typing import FloatArray
    from gpcollab.schema import SurveyData


__all__ = [
    "ACHIEVEMENT_COLOURS",
    "DIVERGING_COLOURS",
    "FIGSIZE",
    "FOOTER_GID",
    "NEUTRAL_GREY",
    "PALETTE",
    "plot_achievement",
    "plot_likert",
    "plot_rates",
    "plot_scenarios",
    "plot_size_distribution",
    "plot_wave_comparison",
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

NEUTRAL_GREY = "#BBBBBB"
"""Colour of answers outside the ordered scale ("too early to say", "don't know")."""

ACHIEVEMENT_COLOURS: dict[str, str] = {
    Achievement.FULLY.value: "#0072B2",
    Achievement.PARTIALLY.value: "#56B4E9",
    Achievement.NOT_ACHIEVED.value: "#E69F00",
    Achievement.TOO_EARLY.value: NEUTRAL_GREY,
    Achievement.DONT_KNOW.value: "#DDDDDD",
}
"""Colour of each achievement outcome (Okabe-Ito blues and orange, then greys)."""

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
"""gid of the footer Text added to figures drawn from synthetic data."""

_FONT = 9
_SMALL = 7.5

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
    "funding": "Received GP Access Fund / Prime Minister's Challenge Fund",
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
_SPECIAL_LABELS: dict[str, str] = {"all_pcns": "All PCNs", "observed": "Observed"}


# -- small helpers ---------------------------------------------------------------------------


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _label_segments(
    ax: Axes, y: FloatArray, left: FloatArray, widths: FloatArray, colour: str
) -> None:
    """Write each stacked segment's percentage inside it (segments under 6% stay blank)."""
    for yi, x0, w in zip(y, left, widths, strict=True):
        if w >= 0.06:
            ax.text(
                x0 + w / 2,
                yi,
                _pct(w),
                ha="center",
                va="center",
                fontsize=_SMALL,
                color=_text_colour(colour),
            )


def _n_text(n: Any) -> str:
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "n=?"
    return f"n={int(n):,}"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if len(text) > width else text


def _title(column: str) -> str:
    if column in _TITLES:
        return _TITLES[column]
    if column in ITEMS:
        return ITEMS[column].question
    return column.replace("_", " ").capitalize()


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


def _labeller(data: pd.DataFrame, column: str) -> Callable[[Any], str]:
    """Function giving the human label of a value of ``column``."""
    enum: type[Choice] | None = _COLUMN_ENUMS.get(column)
    if column == "option":
        enum = _option_enum(data)
    if enum is not None:
        labels = {**_SPECIAL_LABELS, **enum.labels()}
        return lambda value: labels.get(str(value), str(value))
    if column == "wave":
        return lambda value: (
            str(Wave.of(value).value) if str(value) in Wave.values() else str(value)
        )
    if column == "funding":
        return lambda value: {"True": "Received", "False": "Did not receive"}.get(
            str(value), str(value)
        )
    if column == "scenario":
        return lambda value: _SPECIAL_LABELS.get(str(value), str(value))
    return str


def _levels(data: pd.DataFrame, column: str, order: Sequence[Any] | None = None) -> list[Any]:
    """Levels of ``column`` present in ``data``: ``order``, else category or first-seen order."""
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
    enum = _COLUMN_ENUMS.get(column)
    if column == "option":
        enum = _option_enum(data)
    if enum is not None:
        rank = {v: i for i, v in enumerate(enum.values())}
        return sorted(present, key=lambda v: rank.get(str(v), len(rank)))
    if column == "wave" or series.dtype == bool:
        return sorted(present, key=str)
    return present


def _require(data: pd.DataFrame, columns: Sequence[str], helper: str) -> None:
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
    from gpcollab.schema import SurveyData

    return isinstance(data, SurveyData)


def _is_synthetic(*sources: object) -> bool:
    for source in sources:
        if _is_survey(source):
            if bool(source.meta.synthetic):  # type: ignore[attr-defined]
                return True
        elif isinstance(source, pd.DataFrame) and bool(source.attrs.get("synthetic", False)):
            return True
    return False


def _analysis() -> Any:
    """The analysis module, imported when a chart is computed from a SurveyData."""
    return importlib.import_module("gpcollab.analysis")


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
    return new_ax


def _root_figure(ax: Axes) -> Figure:
    from matplotlib.figure import Figure

    fig: Any = ax.figure
    while not isinstance(fig, Figure):
        fig = fig.figure
    return fig


def _finish(ax: Axes, synthetic: bool) -> Axes:
    """Add the synthetic-data footer to the figure (once), then return ``ax``."""
    if not synthetic:
        return ax
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    fig = _root_figure(ax)
    if any(text.get_gid() == FOOTER_GID for text in fig.texts):
        return ax
    fig.text(
        0.01,
        0.01,
        SYNTHETIC_NOTICE,
        ha="left",
        va="bottom",
        fontsize=_SMALL,
        fontstyle="italic",
        color="#444444",
        gid=FOOTER_GID,
    )
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0.0, 0.055, 1.0, 0.945))
    return ax


def _style(ax: Axes, *, grid: Literal["x", "y"]) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=_FONT)
    ax.grid(axis=grid, color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)


def _percent_axis(ax: Axes, axis: Literal["x", "y"], *, signed: bool = False) -> None:
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    target = ax.xaxis if axis == "x" else ax.yaxis
    if signed:
        target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{100 * abs(v):.0f}%"))
    else:
        target.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))


def _text_colour(colour: str) -> str:
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if luminance < 0.5 else "black"


def _legend(ax: Axes, *, ncol: int, title: str | None = None) -> None:
    ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=ncol,
        frameon=False,
        fontsize=_SMALL,
        title=title,
        title_fontsize=_SMALL,
    )


def _numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series)) and series.dtype != bool


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


# -- achievement: 100% stacked bars ---------------------------------------------------------


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
        early in grey); the shares of each aim are drawn as given.
    order : sequence of str or {"achievement", "questionnaire"}, default="achievement"
        Aims from top to bottom: by share fully achieved (then fully or partially), in
        questionnaire order, or the listed aim values (a subset is allowed).
    annotate : bool, default=True
        Write the percentage inside segments of at least 6 %.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes with the chart: one bar container per outcome (labelled with the outcome's
        label) and a text ``n=...`` right of each bar.
    """
    if _is_survey(data):
        table = _analysis().achievement_rates(data, too_early="separate")
    else:
        table = data
    _require(table, ["aim", "outcome", "n", "estimate"], "plot_achievement")
    _single(table, ["aim", "outcome"], "plot_achievement")
    aim_label = _labeller(table, "aim")
    outcomes = _levels(table, "outcome")
    outcome_label = _labeller(table, "outcome")
    shares = table.pivot_table(
        index=table["aim"].astype(str),
        columns=table["outcome"].astype(str),
        values="estimate",
        aggfunc="first",
        observed=True,
        dropna=False,
    ).fillna(0.0)
    bases = table.groupby(table["aim"].astype(str), observed=True)["n"].max()
    if isinstance(order, str) and order in ("achievement", "questionnaire"):
        aims = [str(a) for a in _levels(table, "aim")]
        if order == "achievement":
            fully = shares.get(Achievement.FULLY.value, pd.Series(0.0, index=shares.index))
            partly = shares.get(Achievement.PARTIALLY.value, pd.Series(0.0, index=shares.index))
            aims.sort(key=lambda a: (-fully.get(a, 0.0), -(fully.get(a, 0.0) + partly.get(a, 0.0))))
    else:
        aims = [str(a) for a in _levels(table, "aim", order)]

    ax = _axes(ax)
    y = np.arange(len(aims), dtype=float)
    left = np.zeros(len(aims))
    for outcome in outcomes:
        key = str(outcome)
        widths = np.array([float(shares.at[a, key]) if key in shares else 0.0 for a in aims])
        colour = ACHIEVEMENT_COLOURS.get(key, NEUTRAL_GREY)
        bars = ax.barh(
            y,
            widths,
            left=left,
            height=0.7,
            color=colour,
            edgecolor="white",
            linewidth=0.6,
            label=outcome_label(outcome),
            **kwargs,
        )
        for patch in bars:
            patch.set_gid(key)
        if annotate:
            _label_segments(ax, y, left, widths, colour)
        left = left + widths

    from matplotlib.transforms import blended_transform_factory

    to_right = blended_transform_factory(ax.transAxes, ax.transData)
    for yi, aim in zip(y, aims, strict=True):
        ax.text(1.01, yi, _n_text(bases.get(aim)), transform=to_right, va="center", fontsize=_SMALL)
    ax.set_yticks(y, [_wrap(aim_label(a), 28) for a in aims])
    ax.set_ylim(len(aims) - 0.5, -0.5)  # first aim on top
    ax.set_xlim(0.0, 1.0)
    _percent_axis(ax, "x")
    ax.set_xlabel("Share of collaborations that set the aim", fontsize=_FONT)
    _style(ax, grid="x")
    _legend(ax, ncol=len(outcomes))
    return _finish(ax, _is_synthetic(data))


# -- grouped bars with asymmetric whiskers --------------------------------------------------


def _grouped_bars(
    ax: Axes,
    table: pd.DataFrame,
    *,
    x: str,
    hue: str | None,
    order: Sequence[Any] | None,
    hue_order: Sequence[Any] | None,
    colours: Sequence[str],
    hue_labels: Callable[[Any], str] | None = None,
    **kwargs: Any,
) -> None:
    """Vertical bars of ``estimate`` by ``x`` (and ``hue``), whiskers ``ci_low``-``ci_high``."""
    groups = _levels(table, x, order)
    hues: list[Any] = [None] if hue is None else _levels(table, hue, hue_order)
    x_label = _labeller(table, x)
    h_label = hue_labels or (_labeller(table, hue) if hue is not None else str)
    width = 0.8 / len(hues)
    has_ci = {"ci_low", "ci_high"} <= set(table.columns)
    for j, level in enumerate(hues):
        rows = table if hue is None else table[table[hue].astype(str) == str(level)]
        keyed = rows.set_index(rows[x].astype(str))
        keys = [str(g) for g in groups]
        present = np.array([k in keyed.index for k in keys])

        def column(name: str, keyed: pd.DataFrame = keyed, keys: list[str] = keys) -> FloatArray:
            return np.asarray(keyed[name].reindex(keys).to_numpy(dtype=float, na_value=np.nan))

        pos = np.arange(len(groups)) + (j - (len(hues) - 1) / 2) * width
        est = column("estimate")
        bars = ax.bar(
            pos,
            np.nan_to_num(est),
            width=width * 0.92,
            color=colours[j % len(colours)],
            label=None if hue is None else h_label(level),
            **kwargs,
        )
        for patch in bars:
            patch.set_gid("estimate" if hue is None else str(level))
        tops = np.nan_to_num(est)
        if has_ci:
            lo = column("ci_low")
            hi = column("ci_high")
            ok = ~(np.isnan(est) | np.isnan(lo) | np.isnan(hi))
            if ok.any():
                whiskers = ax.errorbar(
                    pos[ok],
                    est[ok],
                    yerr=np.vstack([est[ok] - lo[ok], hi[ok] - est[ok]]),
                    fmt="none",
                    ecolor="#222222",
                    elinewidth=1.0,
                    capsize=3,
                )
                whiskers.set_label("_ci")
            tops = np.where(ok, hi, tops)
        if "n" in rows.columns:
            bases = column("n")
            for p, top, base, here in zip(pos, tops, bases, present, strict=True):
                if here:
                    ax.text(
                        p,
                        float(top) + 0.015,
                        _n_text(base),
                        ha="center",
                        va="bottom",
                        fontsize=_SMALL if len(hues) < 3 else 6.5,
                    )
    ax.set_xticks(np.arange(len(groups)), [_wrap(x_label(g), 16) for g in groups])
    highest = float(np.nanmax(np.r_[table["estimate"].to_numpy(float), 0.0]))
    if has_ci:
        highest = max(highest, float(np.nanmax(np.r_[table["ci_high"].to_numpy(float), 0.0])))
    ax.set_ylim(0.0, min(max(highest + 0.1, 0.2), 1.1))
    from matplotlib.ticker import FixedLocator

    ax.yaxis.set_major_locator(
        FixedLocator([t for t in np.linspace(0, 1, 11) if t <= highest + 0.1])
    )
    _percent_axis(ax, "y")
    _style(ax, grid="y")


def plot_rates(
    data: pd.DataFrame | SurveyData,
    *,
    x: str = "size_band",
    hue: str | None = None,
    outcome: str = "fully",
    order: Sequence[Any] | None = None,
    hue_order: Sequence[Any] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Rates with asymmetric confidence whiskers, grouped by a band (and optionally a hue).

    Parameters
    ----------
    data : pandas.DataFrame or SurveyData
        A table with column ``x``, ``estimate``, ``ci_low``, ``ci_high`` and ``n`` — typically
        ``achievement_rates(survey, by=x, aims=[...])``. When an ``outcome`` column is present
        only the rows of ``outcome`` are drawn. A ``SurveyData`` is first passed to
        ``achievement_rates(survey, by=x)``.
    x : str, default="size_band"
        Column along the horizontal axis (``"size_band"``, ``"age_band"``, ``"level"``,
        ``"funding"``, ``"size_group"``, …).
    hue : str, optional
        Second grouping column drawn as side-by-side bars (for example ``"aim"`` or
        ``"wave"``). Without it the table must have one row per ``x`` level.
    outcome : str, default="fully"
        Achievement outcome whose rate is drawn (when the table has an ``outcome`` column).
    order, hue_order : sequence, optional
        Levels of ``x`` and ``hue`` to draw, in order; default questionnaire order.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per hue level, one errorbar container per hue level whose segments
        run from ``ci_low`` to ``ci_high``, and a text ``n=...`` above each whisker.
    """
    if _is_survey(data):
        table = _analysis().achievement_rates(data, by=x)
    else:
        table = data
    _require(table, [x, "estimate"], "plot_rates")
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
    ax = _axes(ax)
    _grouped_bars(
        ax, table, x=x, hue=hue, order=order, hue_order=hue_order, colours=PALETTE, **kwargs
    )
    items = table["item"].astype(str).unique() if "item" in table.columns else []
    if x == "option" and len(items) == 1 and items[0] in ITEMS:
        ax.set_xlabel(ITEMS[items[0]].question, fontsize=_FONT)
    else:
        ax.set_xlabel(_title(x), fontsize=_FONT)
    if "outcome" in table.columns:
        what = Achievement.labels().get(str(outcome), str(outcome))
        ax.set_ylabel(f"{what} (% of the base)", fontsize=_FONT)
    else:
        ax.set_ylabel("Share", fontsize=_FONT)
    if hue is not None:
        _legend(ax, ncol=min(3, table[hue].nunique()), title=_title(hue))
    return _finish(ax, _is_synthetic(data))


# -- waves -----------------------------------------------------------------------------------


def plot_wave_comparison(
    data: pd.DataFrame,
    *,
    show: Literal["change", "waves"] = "change",
    x: str | None = None,
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
        For the long form: the column along the horizontal axis (default ``"option"``, else
        ``"aim"``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.errorbar` (difference form) or
        :meth:`matplotlib.axes.Axes.bar` (long form).

    Returns
    -------
    matplotlib.axes.Axes
    """
    _require(data, ["estimate"] if "wave" in data.columns else [], "plot_wave_comparison")
    if show == "waves" and "estimate_first" in data.columns:
        data = _waves_long(data)
    if "estimate_first" not in data.columns and "wave" in data.columns:
        column = x or ("option" if "option" in data.columns else "aim")
        return plot_rates(data, x=column, hue="wave", ax=ax, **kwargs)
    needed = ["estimate_first", "estimate_second", "difference", "ci_low", "ci_high"]
    _require(data, needed, "plot_wave_comparison")
    ax = _axes(ax)
    rows = data.reset_index(drop=True)
    labels: list[str] = []
    for _, row in rows.iterrows():
        name = ""
        if "option" in rows.columns:
            item = str(row["item"]) if "item" in rows.columns else None
            if item is not None and item in ITEMS:
                name = ITEMS[item].choices.labels().get(str(row["option"]), str(row["option"]))
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
        labels.append(f"{_wrap(name, 40)}\n{detail}" if name else detail)
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
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:+.0f}" if v else "0"))
    first = str(rows["wave_first"].iloc[0]) if "wave_first" in rows.columns else "first wave"
    second = str(rows["wave_second"].iloc[0]) if "wave_second" in rows.columns else "second"
    ax.set_xlabel(f"Change {first} to {second}, percentage points", fontsize=_FONT)
    _style(ax, grid="x")
    return _finish(ax, _is_synthetic(data))


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


def plot_likert(
    data: pd.DataFrame,
    *,
    group: str | None = "instrument",
    group_order: Sequence[Any] | None = None,
    annotate: bool = True,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Diverging stacked bars for an ordered (Likert-type) item, "don't know" drawn apart.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per option (and group): ``option``, ``estimate`` and optionally ``n`` and the
        ``group`` column — the tables of ``stp_views`` (``group="instrument"``: GP versus CCG
        staff), ``contract_willingness`` or ``distribution`` of an ordinal item. The scale
        (:class:`~gpcollab.vocab.Influence`, :class:`~gpcollab.vocab.Likelihood`,
        :class:`~gpcollab.vocab.ContractWillingness`, …) is taken from the ``item`` column or
        attribute, else recognised from the options.
    group : str or None, default="instrument"
        Column giving one bar per level. When the column is absent (or ``None``) a single bar
        is drawn, labelled with the table's instrument.
    group_order : sequence, optional
        Levels of ``group`` from top to bottom.
    annotate : bool, default=True
        Write the percentage inside segments of at least 6 %.
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
        know" is drawn in a child Axes to the right (``ax.child_axes``, gid ``"dont_know"``).
        Tick labels carry the base ``n=...``.
    """
    _require(data, ["option", "estimate"], "plot_likert")
    scale = _likert_scale(data)
    substantive = [v for v in scale.values() if v != _DONT_KNOW]
    k = len(substantive)
    side = k // 2
    negative, neutral, positive = substantive[:side], substantive[side:-side], substantive[-side:]
    neg_colours, mid_colour, pos_colours = DIVERGING_COLOURS[min(max(side, 1), 3)]
    colours = dict(zip(negative, neg_colours[-len(negative) :], strict=True))
    colours.update(zip(positive, pos_colours[: len(positive)], strict=True))
    colours.update({v: mid_colour for v in neutral})
    labels = scale.labels()

    by_group = group is not None and group in data.columns
    if by_group:
        assert group is not None
        _single(data, [group, "option"], "plot_likert")
        groups = _levels(data, group, group_order)
        group_label = _labeller(data, group)
        subsets = [data[data[group].astype(str) == str(g)] for g in groups]
        names = [group_label(g) for g in groups]
    else:
        _single(data, ["option"], "plot_likert")
        subsets = [data]
        instrument = data.attrs.get("instrument")
        names = [
            Instrument.labels().get(str(instrument), "All respondents")
            if isinstance(instrument, str)
            else "All respondents"
        ]
    shares = [
        {str(o): float(e) for o, e in zip(s["option"], s["estimate"], strict=True)} for s in subsets
    ]
    bases = [s["n"].max() if "n" in s.columns else None for s in subsets]

    ax = _axes(ax)
    y = np.arange(len(subsets), dtype=float)
    starts = np.array(
        [
            -(sum(sh.get(v, 0.0) for v in negative) + sum(sh.get(v, 0.0) for v in neutral) / 2)
            for sh in shares
        ]
    )
    left = starts.copy()
    for value in substantive:
        widths = np.array([sh.get(value, 0.0) for sh in shares])
        colour = colours[value]
        bars = ax.barh(
            y,
            widths,
            left=left,
            height=0.6,
            color=colour,
            edgecolor="white",
            linewidth=0.6,
            label=labels[value],
            **kwargs,
        )
        for patch in bars:
            patch.set_gid(value)
        if annotate:
            _label_segments(ax, y, left, widths, colour)
        left = left + widths
    ax.axvline(0.0, color="#444444", linewidth=0.8)
    reach = max(float(np.max(-starts)), float(np.max(left)), 0.1)
    reach = min(1.0, math.ceil(reach * 10 + 0.5) / 10)
    ax.set_xlim(-reach, reach)
    _percent_axis(ax, "x", signed=True)
    ax.set_yticks(
        y,
        [
            f"{_wrap(name, 24)}\n{_n_text(n)}" if n is not None else _wrap(name, 24)
            for name, n in zip(names, bases, strict=True)
        ],
    )
    ax.set_ylim(len(subsets) - 0.5, -0.5)
    ax.set_xlabel("Share of respondents", fontsize=_FONT)
    _style(ax, grid="x")
    _legend(ax, ncol=k if k <= 4 else 3)

    dont_know = np.array([sh.get(_DONT_KNOW, np.nan) for sh in shares])
    if not np.all(np.isnan(dont_know)):
        side_ax = ax.inset_axes((1.04, 0.0, 0.14, 1.0), sharey=ax)
        side_ax.set_gid(_DONT_KNOW)
        widths = np.nan_to_num(dont_know)
        side_bars = side_ax.barh(
            y, widths, height=0.6, color=NEUTRAL_GREY, label=labels.get(_DONT_KNOW, "Don't know")
        )
        for patch in side_bars:
            patch.set_gid(_DONT_KNOW)
        for yi, w in zip(y, widths, strict=True):
            side_ax.text(w + 0.01, yi, _pct(w), va="center", fontsize=_SMALL)
        side_ax.set_xlim(0.0, max(0.2, float(widths.max()) * 1.6))
        side_ax.set_title(labels.get(_DONT_KNOW, "Don't know"), fontsize=_SMALL)
        side_ax.tick_params(left=False, labelleft=False, bottom=False, labelbottom=False)
        for spine in ("top", "right", "bottom"):
            side_ax.spines[spine].set_visible(False)
    return _finish(ax, _is_synthetic(data))


# -- collaboration size versus PCN size -----------------------------------------------------


def _pcn_band_shares(pcn: pd.DataFrame) -> pd.DataFrame:
    """Count and share of PCNs in each :class:`SizeBand` (by ``registered_patients``)."""
    _require(pcn, ["registered_patients"], "plot_size_distribution (pcn)")
    bands = pd.Series(SizeBand.bin(pcn["registered_patients"]))
    counts = [int(c) for c in bands.value_counts(sort=False).reindex(SizeBand.values())]
    total = sum(counts)
    return pd.DataFrame(
        {
            "size_band": pd.Categorical(SizeBand.values(), dtype=SizeBand.dtype()),
            "count": counts,
            "n": total,
            "estimate": [c / total if total else np.nan for c in counts],
        }
    )


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
        PCNs with ``registered_patients``; default the real December 2019 table
        ``gpcollab.load_population(2019, "pcn")``. Its PCNs are put in the same
        :class:`~gpcollab.vocab.SizeBand` bands (lower edge inclusive).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        Two bar containers (gid ``"survey"`` and ``"pcn"``), the survey one with whiskers; the
        legend gives each base.
    """
    if _is_survey(data):
        table = _analysis().distribution(data, "size_band")
    else:
        table = data
    if "size_band" not in table.columns:
        _require(table, ["option", "estimate"], "plot_size_distribution")
        table = table.rename(columns={"option": "size_band"})
    _require(table, ["size_band", "estimate"], "plot_size_distribution")
    _single(table, ["size_band"], "plot_size_distribution")
    if pcn is None:
        from gpcollab.datasets import load_population

        pcn = load_population(2019, "pcn")
    pcn_table = _pcn_band_shares(pcn)

    survey_n = table["n"].max() if "n" in table.columns else None
    source = f" ({_n_text(survey_n)})" if survey_n is not None else ""
    survey_rows = table.assign(source="survey")
    pcn_rows = pcn_table.drop(columns=["count"]).assign(source="pcn")
    both = pd.concat([survey_rows, pcn_rows], ignore_index=True)
    both["size_band"] = both["size_band"].astype(str).astype(SizeBand.dtype())
    legend = {
        "survey": f"Collaborations, survey{source}",
        "pcn": f"Primary care networks, Dec 2019 (n={int(pcn_table['n'].iloc[0]):,})",
    }
    ax = _axes(ax)
    plain = both.drop(columns=["n"])
    _grouped_bars(
        ax,
        plain,
        x="size_band",
        hue="source",
        order=None,
        hue_order=["survey", "pcn"],
        colours=(PALETTE[0], PALETTE[1]),
        hue_labels=lambda s: legend[str(s)],
        **kwargs,
    )
    ax.set_xlabel("Registered patients covered", fontsize=_FONT)
    ax.set_ylabel("Share", fontsize=_FONT)
    _legend(ax, ncol=2)
    return _finish(ax, _is_synthetic(data))


# -- what-if scenarios ----------------------------------------------------------------------


def plot_scenarios(
    data: pd.DataFrame,
    *,
    label: str | None = None,
    reference: str | None = "observed",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """What-if estimates side by side, each with its interval.

    Parameters
    ----------
    data : pandas.DataFrame
        ``whatif.standardise`` (one row per scenario, ``"observed"`` first) or
        ``whatif.pcn_projection`` (one row per PCN size band and ``all_pcns``): ``estimate``,
        ``ci_low``, ``ci_high`` and optionally ``n`` or ``pcns``/``share_of_pcns``.
    label : str, optional
        Column naming the rows; default ``"scenario"``, else ``"size_band"``.
    reference : str or None, default="observed"
        Row drawn in grey with a dashed line at its estimate (``None``: no reference).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One horizontal bar per row (top to bottom in table order) with a whisker from
        ``ci_low`` to ``ci_high`` and a text with the base right of the whisker.
    """
    if label is None:
        label = "scenario" if "scenario" in data.columns else "size_band"
    _require(data, [label, "estimate", "ci_low", "ci_high"], "plot_scenarios")
    _single(data, [label], "plot_scenarios")
    rows = data.reset_index(drop=True)
    namer = _labeller(rows, label)
    names = [str(v) for v in rows[label]]
    est = rows["estimate"].to_numpy(float)
    lo = rows["ci_low"].to_numpy(float)
    hi = rows["ci_high"].to_numpy(float)
    colours = [
        NEUTRAL_GREY if reference is not None and name == reference else PALETTE[0]
        for name in names
    ]
    ax = _axes(ax)
    y = np.arange(len(rows), dtype=float)
    bars = ax.barh(y, est, height=0.6, color=colours, **kwargs)
    for patch in bars:
        patch.set_gid("estimate")
    ax.errorbar(
        est,
        y,
        xerr=np.vstack([est - lo, hi - est]),
        fmt="none",
        ecolor="#222222",
        elinewidth=1.0,
        capsize=3,
    )
    pcns = rows["pcns"].to_numpy(float) if "pcns" in rows.columns else None
    pcn_shares = rows["share_of_pcns"].to_numpy(float) if "share_of_pcns" in rows.columns else None
    for i, name in enumerate(names):
        if reference is not None and name == reference:
            ax.axvline(est[i], color="#666666", linestyle="--", linewidth=0.8, zorder=0)
        if pcns is not None:
            assert pcns is not None
            note = f"{int(pcns[i]):,} PCNs"
            if pcn_shares is not None and name != "all_pcns":
                note += f" ({_pct(float(pcn_shares[i]))})"
        elif "n" in rows.columns:
            note = _n_text(rows.at[i, "n"])
        else:
            continue
        ax.text(hi[i] + 0.01, y[i], f"{_pct(est[i])}, {note}", va="center", fontsize=_SMALL)
    ax.set_yticks(y, [_wrap(namer(v), 26) for v in rows[label]])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0.0, min(1.0, float(np.nanmax(np.r_[hi, 0.1])) + 0.25))
    _percent_axis(ax, "x")
    aim = data.attrs.get("aim")
    what = f": {Aim.labels()[aim]}" if isinstance(aim, str) and aim in Aim.values() else ""
    ax.set_xlabel(f"Share fully achieving the aim{what}", fontsize=_FONT)
    _style(ax, grid="x")
    return _finish(ax, _is_synthetic(data))
