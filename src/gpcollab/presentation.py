"""Presentation views of analysis tables: what a reader of a report should see.

:func:`present_frame` turns any tidy estimate table of gpcollab (grouping columns, ``n``,
``estimate``, ``ci_low``, ``ci_high``, and ``suppressed`` after
:func:`~gpcollab.disclosure.suppress`) into text cells: answer labels instead of machine codes,
percentages with the decimals chosen, the interval as ``"34% (29–40)"``, the base ``n``, and
``"[c]"`` for suppressed cells. :func:`present` wraps that in a pandas ``Styler`` (shown as an
HTML table in Jupyter, exported with ``.to_html()`` or ``.to_excel()``), captioned with the
interval level and, for a synthetic set, the synthetic-data notice.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gpcollab import vocab
from gpcollab.disclosure import comparison_sides
from gpcollab.errors import ArgumentError, describe
from gpcollab.estimate import ESTIMATE_COLUMNS
from gpcollab.schema import ITEMS, SYNTHETIC_NOTICE

if TYPE_CHECKING:  # the Styler import pulls in jinja2; only needed when present() runs
    from pandas.io.formats.style import Styler

__all__ = [
    "SUPPRESSED",
    "HiddenCellRule",
    "present",
    "present_frame",
    "suppression_note",
    "suppression_note_for",
]

#: Text of a suppressed cell (as in official statistics: "c" for confidential).
SUPPRESSED = "[c]"

#: Text of an odds ratio that the model could not estimate (a group with no outcome, or only
#: outcomes, gives an infinite ratio; the table's ``note`` says which).
NOT_ESTIMABLE = "not estimable"


@dataclass(frozen=True)
class HiddenCellRule:
    """The ``[c]`` rule of disclosure control in words: the note under a table or chart, and
    the few words a chart writes beside a hidden cell, both built from the same phrases so
    they can never say it two ways.

    Parameters
    ----------
    min_n : object, optional
        The threshold of :func:`gpcollab.suppress` (a whole number above 1); anything else
        (such as a table without ``attrs["suppression"]``) gives the words without the number.

    Examples
    --------
    >>> rule = HiddenCellRule(5)
    >>> rule.small_cell, rule.reveals
    ('fewer than 5 respondents', 'would reveal such a cell')
    >>> rule.reason(3)
    'fewer than 5 respondents'
    """

    min_n: object = None

    #: Why a cell with enough respondents may still be hidden (secondary suppression).
    reveals = "would reveal such a cell"

    @classmethod
    def of(cls, table: pd.DataFrame) -> HiddenCellRule:
        """The rule :func:`gpcollab.suppress` recorded in ``table.attrs["suppression"]``."""
        rule = table.attrs.get("suppression")
        return cls(rule.get("min_n") if isinstance(rule, Mapping) else None)

    @property
    def threshold(self) -> int | None:
        """``min_n`` when it is a usable threshold (a whole number above 1), else None."""
        min_n = self.min_n
        return (
            min_n if isinstance(min_n, int) and not isinstance(min_n, bool) and min_n > 1 else None
        )

    @property
    def small_cell(self) -> str:
        """The primary rule: ``"fewer than 5 respondents"``."""
        fewer = f"fewer than {self.threshold}" if self.threshold else "too few"
        return f"{fewer} respondents"

    @property
    def note(self) -> str:
        """The one wording of the rule, under every table and chart that hides cells."""
        # the words the charts' footers have always used, short enough for a 4 x 3 inch axes
        return (
            f"{SUPPRESSED} = hidden by disclosure control: based on {self.small_cell}, or "
            f"{self.reveals}."
        )

    def reason(self, n: float) -> str:
        """Why a cell whose base is ``n`` is hidden, in the note's words, to write beside it.

        A base under the threshold is hidden for that alone. A cell with a larger base was
        hidden because fewer respondents than the threshold gave its answer, or because it
        would reveal such a cell (the table no longer tells which), so both are named.
        """
        few = self.threshold is not None and not math.isnan(n) and n < self.threshold
        return self.small_cell if few else f"{self.small_cell}, or {self.reveals}"


def suppression_note(min_n: object = None) -> str:
    """The one wording of the ``[c]`` rule, used under every table and chart that hides cells.

    The report's tables and method notes, the charts' footers (:mod:`gpcollab.plotting`) and
    the captions of :func:`present` all say it in these words (:class:`HiddenCellRule`), so a
    reader meets one rule.

    Parameters
    ----------
    min_n : int, optional
        The disclosure threshold (:func:`gpcollab.suppress`'s ``min_n``); anything else (such
        as a table without ``attrs["suppression"]``) gives the wording without the number.

    Returns
    -------
    str

    Examples
    --------
    >>> print(suppression_note(5))  # doctest: +NORMALIZE_WHITESPACE
    [c] = hidden by disclosure control: based on fewer than 5 respondents,
    or would reveal such a cell.
    """
    return HiddenCellRule(min_n).note


def suppression_note_for(table: pd.DataFrame) -> str:
    """:func:`suppression_note` with the threshold that :func:`gpcollab.suppress` recorded in
    ``table.attrs["suppression"]``."""
    return HiddenCellRule.of(table).note


#: Columns of result tables that are numbers about the estimate, not groups: the engine's
#: columns and those the analyses and the what-if add.
_VALUE_COLUMNS = frozenset(
    {
        *ESTIMATE_COLUMNS,
        "suppressed",
        "difference",
        "difference_ci_low",
        "difference_ci_high",
        "boot_mean",
        "n_boot",
        "share_of_pcns",
        "pcns",
        "odds_ratio",
        "or_ci_low",
        "or_ci_high",
        "odds_ratio_per_step",
        "statistic",
        "F",
        "ndf",
        "ddf",
        "p_value",
        "test",
        "method",
    }
)

#: Result columns shown after the estimate, when the table has them: column, heading, kind of
#: number, and the columns of its interval. ``points`` are differences of proportions.
_EXTRA_VALUES: tuple[tuple[str, str, str, str, str], ...] = (
    ("odds_ratio", "Odds ratio", "ratio", "or_ci_low", "or_ci_high"),
    ("odds_ratio_per_step", "Odds ratio per step", "ratio", "or_ci_low", "or_ci_high"),
    ("difference", "Difference, points", "points", "difference_ci_low", "difference_ci_high"),
    ("share_of_pcns", "Share of PCNs", "share", "", ""),
    ("pcns", "PCNs", "count", "", ""),
    ("p_value", "p-value", "p", "", ""),
)

#: The words of a comparison's side when its table has no column naming it (``a``, ``b`` of a
#: table built by hand are the first and the second, as in the comparisons of gpcollab).
_SIDE_WORDS: Mapping[str, str] = {"a": "first", "b": "second"}


@dataclass(frozen=True)
class _Side:
    """One side of a comparison table (``estimate_<suffix>``, ``n_<suffix>`` ...) and what a
    reader calls it.

    ``name`` is the value of the columns naming the side when they hold one value in every
    row (``wave_first`` = 2015 gives "2015"; ``sample_a`` = "GP staff" gives "GP staff"), and
    those columns are then left out of the view (the headings carry them). When they vary
    from row to row (``size_band_first`` of :func:`gpcollab.compare_domains`), ``name`` is
    "first size band" and the columns stay, headed "First size band".
    """

    suffix: str
    name: str
    label_columns: tuple[str, ...]
    constant: bool


def _value_words(column: str, value: object, labels: bool) -> str:
    """A side's value as a heading: a whole number (a wave's year) as it is, a code as its
    answer label."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(value)
    if labels:
        mapping = _labeller(column, pd.Series([value]))
        if mapping is not None:
            return str(mapping.get(str(value), value))
    return str(value)


def _comparison_sides(table: pd.DataFrame, labels: bool = True) -> list[_Side]:
    """The sides of a comparison table, each with its name (see :class:`_Side`)."""
    found = []
    for suffix in comparison_sides(table):
        ending = f"_{suffix}"
        naming = tuple(
            str(c)
            for c in table.columns
            if str(c).endswith(ending) and str(c).removesuffix(ending) not in _VALUE_COLUMNS
        )
        word = _SIDE_WORDS.get(suffix, suffix.replace("_", " "))
        constant = bool(naming) and len(table) > 0
        constant = constant and all(table[c].nunique(dropna=False) == 1 for c in naming)
        if constant:
            name = " ".join(
                _value_words(c.removesuffix(ending), table[c].iloc[0], labels) for c in naming
            )
        elif naming:
            stems = " and ".join(c.removesuffix(ending).replace("_", " ") for c in naming)
            name = f"{word} {stems}"
        else:
            name = word
        found.append(_Side(suffix, name, naming, constant))
    return found


def _side_columns(sides: Sequence[_Side]) -> set[str]:
    """Every column that belongs to one side of a comparison: its values and its names."""
    stems = ("estimate", "se", "ci_low", "ci_high", "n", "count")
    return {
        *(f"{stem}_{side.suffix}" for side in sides for stem in stems),
        *(c for side in sides for c in side.label_columns),
    }


def _heading(column: str, sides: Sequence[_Side]) -> str:
    """The heading of a grouping column: its words, or the name of the side it names."""
    for side in sides:
        if column in side.label_columns and len(side.label_columns) == 1:
            return side.name[:1].upper() + side.name[1:]
    return column.replace("_", " ").capitalize()


#: Labels of the values that analyses add beside an item's own answers (a summary row, the
#: respondents of a comparison, the what-if's reference rows). Shared with the report.
EXTRA_LABELS: Mapping[str, str] = {
    "in_collaboration": "In a collaboration (formal, informal or both)",
    "gp": vocab.Instrument.GP.label,
    "ccg": vocab.Instrument.CCG.label,
    "observed": "Observed",
    "all_pcns": "All PCNs",
}

#: Answer sets named by a column other than an item (the long tables of aims and outcomes).
_NAMED: Mapping[str, type[vocab.Choice]] = {"aim": vocab.Aim, "outcome": vocab.Achievement}


def _choices() -> list[type[vocab.Choice]]:
    return [
        obj
        for _, obj in inspect.getmembers(vocab, inspect.isclass)
        if issubclass(obj, vocab.Choice) and obj is not vocab.Choice and len(obj) > 0
    ]


def _labeller(column: str, values: pd.Series) -> Mapping[str, str] | None:
    """Machine value -> label for a grouping column, or None when no answer set fits."""
    seen = {str(v) for v in pd.unique(values.dropna())}
    if not seen:
        return None
    if column == "item" and seen <= set(ITEMS):  # a comparison's item: its question
        return {name: ITEMS[name].question for name in seen}
    candidates: list[type[vocab.Choice]] = []
    if column in ITEMS:
        candidates.append(ITEMS[column].choices)
    if column in _NAMED:
        candidates.append(_NAMED[column])
    for choices in candidates:  # the column's own answer set: label what it knows
        if seen & set(choices.values()):
            return {**EXTRA_LABELS, **choices.labels()}
    known = seen - set(EXTRA_LABELS)
    fits = [c for c in _choices() if known <= set(c.values())]
    if fits and known:  # the smallest answer set holding every value (e.g. `option` of one item)
        return {**EXTRA_LABELS, **min(fits, key=len).labels()}
    if seen & set(EXTRA_LABELS):  # e.g. the what-if's "observed" beside its scenarios' names
        return dict(EXTRA_LABELS)
    return None


def _number(value: float, decimals: int, percent: bool) -> str:
    return f"{100 * value:.{decimals}f}" if percent else f"{value:.{decimals}f}"


def _cell(est: float, low: float, high: float, *, decimals: int, percent: bool, ci: bool) -> str:
    if np.isnan(est):
        return ""
    unit = "%" if percent else ""
    text = f"{_number(est, decimals, percent)}{unit}"
    if ci and not (np.isnan(low) or np.isnan(high)):
        text += f" ({_number(low, decimals, percent)}–{_number(high, decimals, percent)})"
    return text


def _has_values(table: pd.DataFrame) -> bool:
    names = [str(c) for c in table.columns]
    extra = {name for name, *_ in _EXTRA_VALUES if name not in ("pcns", "p_value")}
    return any(n == "estimate" or n in extra for n in names) or bool(comparison_sides(table))


def _check(table: object, decimals: object, columns: object) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise ArgumentError(
            f"`table` must be a result table (a pandas DataFrame) of a gpcollab analysis, but "
            f"{describe(table)} was passed."
        )
    if not _has_values(table):
        raise ArgumentError(
            "`table` has no 'estimate' column (nor odds ratios or differences), so it is not an "
            f"estimate table; columns: {list(map(str, table.columns))!r}."
        )
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise ArgumentError(f"`decimals` must be a whole number 0 to 6, not {decimals!r}.")
    if columns is not None and columns not in table.columns:
        raise ArgumentError(
            f"`columns` names {columns!r}, which is not a column of the table; columns: "
            f"{list(map(str, table.columns))!r}."
        )
    return table


def present_frame(
    table: pd.DataFrame,
    *,
    decimals: int = 0,
    percent: bool = True,
    ci: bool = True,
    labels: bool = True,
    columns: str | None = None,
    groups: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The presentation view of an estimate table, as a DataFrame of text.

    Parameters
    ----------
    table : pandas.DataFrame
        A gpcollab result table (``estimate`` and, when present, ``ci_low``, ``ci_high``,
        ``n``, ``suppressed``), e.g. from :func:`~gpcollab.achievement_rates` or
        :func:`~gpcollab.suppress`.
    decimals : int, default=0
        Decimals of the percentages (or of the numbers, with ``percent=False``).
    percent : bool, default=True
        Show estimates as percentages; ``False`` for means, totals, odds ratios.
    ci : bool, default=True
        Add the interval in brackets: ``"34% (29–40)"``.
    labels : bool, default=True
        Show answer labels (``"100,000 to 249,999"``) instead of machine codes
        (``"100k_250k"``) in the grouping columns.
    columns : str, optional
        A grouping column to spread across the columns (e.g. ``"outcome"``), one row per
        remaining group.
    groups : sequence of str, optional
        The grouping columns; default every column that is not one of the engine's value
        columns.

    Returns
    -------
    pandas.DataFrame
        Grouping columns (labelled; a model's ``variable`` and ``level`` in words), then the
        estimate cells (one column ``estimate``, or one per value of ``columns``), then the
        result columns the table has. A comparison of two sides (``estimate_first`` and
        ``estimate_second``, or ``estimate_a`` and ``estimate_b``) shows each side's estimate
        and standard error under the side's name: the value of the columns that name it when
        it is the same in every row ("Estimate (2015)" from ``wave_first``, "Estimate (GP
        staff)" from ``sample_a``; those columns are then left out), else the words of those
        columns ("Estimate (first size band)" beside ``size_band_first``). The result
        columns: odds ratios with their interval ("1.54 (0.43 to 5.53)"; "not estimable"
        when missing, as for a separated fit), differences in
        signed percentage points (as they are, signed, with ``percent=False``), shares and
        numbers of PCNs, p-values ("<0.001"), and ``Base (n)`` when the table has ``n``
        (``Base (n, 2015)`` for each side's ``n_<side>``). Suppressed rows show
        :data:`SUPPRESSED` (``"[c]"``) in place of the estimate. ``attrs`` is kept.

    Raises
    ------
    ArgumentError
        ``table`` is not an estimate table, or ``decimals``/``columns`` cannot be used.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"size_band": ["under_30k", "100k_250k"], "n": [12, 119],
    ...                       "estimate": [0.5, 0.3866], "ci_low": [0.2411, 0.3022],
    ...                       "ci_high": [0.7589, 0.4782]})
    >>> present_frame(table)
             size_band     estimate Base (n)
    0     Under 30,000  50% (24–76)       12
    1  100,000-249,999  39% (30–48)      119
    """
    table = _check(table, decimals, columns)
    sides = _comparison_sides(table, labels)
    named = {c for side in sides if side.constant for c in side.label_columns}
    groups = [g for g in _grouping_columns(table, groups, sides) if g not in named]
    out = pd.DataFrame(index=table.index)
    for g in groups:
        out[g] = _shown_labels(g, table[g]) if labels else table[g]
    if labels and {"variable", "level"} <= set(groups):  # a model's terms: each by its variable
        out["level"] = [
            _term_label(str(variable), level)
            for variable, level in zip(table["variable"], table["level"], strict=True)
        ]
        out["variable"] = [_variable_label(str(v)) for v in table["variable"]]
    if "estimate" in table:
        out["estimate"] = _estimate_cells(table, decimals=decimals, percent=percent, ci=ci)
    for side in sides:  # a comparison: each side's estimate under the side's name
        what = side.suffix
        bounds = table.reindex(columns=[f"ci_low_{what}", f"ci_high_{what}"])
        view = table.assign(estimate=table[f"estimate_{what}"], ci_low=bounds.iloc[:, 0])
        view["ci_high"] = bounds.iloc[:, 1]
        out[f"Estimate ({side.name})"] = _estimate_cells(
            view, decimals=decimals, percent=percent, ci=ci
        )
    # the standard errors of a table that compares them: each side's (se_<side>) and any other
    # se_<what> (such as an error computed another way), after the table's own se
    errors = [(f"se_{side.suffix}", side.name) for side in sides if f"se_{side.suffix}" in table]
    sided = {f"se_{side.suffix}" for side in sides}
    errors += [
        (c, c.removeprefix("se_").replace("_", " "))
        for c in map(str, table.columns)
        if c.startswith("se_") and c not in sided
    ]
    unit = ", points" if percent else ""
    if errors and "se" in table:
        of = " of the difference" if "difference" in table and sides else ""
        out[f"Standard error{of}{unit}"] = _numbers(
            table["se"], "spread" if percent else "number", decimals + 1
        )
    for column, name in errors:
        out[f"Standard error{unit} ({name})"] = _numbers(
            table[column], "spread" if percent else "number", decimals + 1
        )
    for name, heading, kind, low, high in _EXTRA_VALUES:
        if name not in table:
            continue
        if kind == "points" and low not in table and "estimate" not in table:
            low, high = "ci_low", "ci_high"  # a comparison: its interval is the difference's
        if kind == "points" and not percent:  # a difference of means, as it is
            kind, heading = "signed", heading.removesuffix(", points")
        if ci and low in table and high in table:
            has_level = "conf_level" in table and len(table) > 0
            level = float(table["conf_level"].iloc[0]) if has_level else 0.95
            heading += f" ({100 * level:g}% CI)"
        out[heading] = _numbers(
            table[name],
            kind,
            decimals,
            table[low] if ci and low in table else None,
            table[high] if ci and high in table else None,
        )
        if kind == "ratio":  # a model that ran but could not give the ratio (separation)
            missing = pd.to_numeric(table[name], errors="coerce").isna().to_numpy()
            out.loc[missing, heading] = NOT_ESTIMABLE
        if "suppressed" in table and kind in ("ratio", "points", "signed"):
            hidden = table["suppressed"].fillna(False).to_numpy(dtype=bool)
            out.loc[hidden, heading] = SUPPRESSED
    bases = [("n", "Base (n)")]
    bases += [(f"n_{side.suffix}", f"Base (n, {side.name})") for side in sides]
    for name, heading in bases:
        if name in table:
            n = pd.to_numeric(table[name], errors="coerce")
            out[heading] = [f"{int(v):,}" if not np.isnan(v) else "" for v in n]
    if columns is not None:
        out = _spread(out, groups, columns, has_n="n" in table)
    out.attrs.update(table.attrs)
    return out.reset_index(drop=True)


def _numbers(
    values: pd.Series,
    kind: str,
    decimals: int,
    low: pd.Series | None = None,
    high: pd.Series | None = None,
) -> list[str]:
    """Text of a column of numbers of one kind (with its interval in brackets when given).

    ``ratio``: two decimals at least; ``points``: a difference of proportions in percentage
    points, signed; ``spread``: a standard error of a proportion, in points; ``share``: a
    percentage; ``count``: a whole number; ``p``: a p-value
    ("<0.001" below that); ``number``: as is, to ``decimals``; ``signed``: a difference of
    numbers (means), signed, as is.
    """
    scale = 100.0 if kind in ("points", "spread", "share") else 1.0
    places = max(decimals, 2) if kind == "ratio" else decimals

    def one(value: float, signed: bool) -> str:
        if kind == "count":
            return f"{value:,.0f}"
        if kind == "p":
            return "<0.001" if value < 0.001 else f"{value:.3f}"
        text = f"{scale * value:{'+' if signed else ''}.{places}f}"
        if float(text) == 0:  # no sign on a number that rounds to zero ("−0")
            text = text.lstrip("+-")
        return text.replace("-", "−") + ("%" if kind == "share" else "")

    as_float = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    lows = pd.to_numeric(low, errors="coerce").to_numpy(np.float64) if low is not None else None
    highs = pd.to_numeric(high, errors="coerce").to_numpy(np.float64) if high is not None else None
    cells = []
    for i, value in enumerate(as_float):
        if np.isnan(value):
            cells.append("")
            continue
        text = one(value, signed=kind in ("points", "signed"))
        if lows is not None and highs is not None and not np.isnan(lows[i] + highs[i]):
            text += f" ({one(lows[i], False)} to {one(highs[i], False)})"
        cells.append(text)
    return cells


def _grouping_columns(
    table: pd.DataFrame, groups: Sequence[str] | None, sides: Sequence[_Side]
) -> list[str]:
    """The grouping columns: as given (checked), or every column that holds no values (a
    comparison's columns that name its sides count as groups; their values do not)."""
    if groups is None:
        values = _side_columns(sides) - {c for side in sides for c in side.label_columns}
        found = [c for c in table.columns if c not in _VALUE_COLUMNS | values]
        return [c for c in found if not pd.api.types.is_float_dtype(table[c].dtype)]
    chosen = list(groups)
    missing = [g for g in chosen if g not in table.columns]
    if missing:
        raise ArgumentError(f"`groups` names column(s) {missing!r} not in the table.")
    return chosen


def _estimate_cells(table: pd.DataFrame, *, decimals: int, percent: bool, ci: bool) -> list[str]:
    """One text cell per row: the estimate (and interval), or the suppression marker."""
    est = pd.to_numeric(table["estimate"], errors="coerce").to_numpy(dtype=np.float64)
    nan = np.full(len(table), np.nan)
    low = table["ci_low"].to_numpy(dtype=np.float64) if "ci_low" in table else nan
    high = table["ci_high"].to_numpy(dtype=np.float64) if "ci_high" in table else nan
    cells = [
        _cell(e, lo, hi, decimals=decimals, percent=percent, ci=ci)
        for e, lo, hi in zip(est, low, high, strict=True)
    ]
    if "suppressed" in table:
        hidden = table["suppressed"].fillna(False).to_numpy(dtype=bool)
        cells = [SUPPRESSED if h else c for c, h in zip(cells, hidden, strict=True)]
    return cells


def _variable_label(variable: str) -> str:
    """A model variable's name in words (``size_band`` -> ``Size band``)."""
    if variable.startswith("("):  # (Intercept)
        return variable
    return variable.replace("_", " ").capitalize() if variable != "nan" else ""


def _term_label(variable: str, level: object) -> str:
    """The label of one level of a model variable (its answer's label when the variable is an
    item), or the level as given."""
    if _is_blank(level):
        return ""
    text = str(level)
    if text in ("True", "False"):
        return "Yes" if text == "True" else "No"
    if variable in ITEMS and ITEMS[variable].kind != "aims":
        return ITEMS[variable].choices.labels().get(text, text)
    mapping = _labeller(variable, pd.Series([text]))
    return mapping.get(text, text) if mapping else text


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def _shown_labels(column: str, values: pd.Series) -> pd.Series:
    """Answer labels for machine codes, keeping a categorical's order; "Yes" and "No" for a
    yes/no column (such as ``funding``); as given otherwise."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.map({True: "Yes", False: "No"})
    mapping = _labeller(column, values)
    if mapping is None:
        return values
    shown = pd.Series(
        [v if pd.isna(v) else mapping.get(str(v), v) for v in values], index=values.index
    )
    if hasattr(values, "cat"):
        cats = list(dict.fromkeys(mapping.get(str(v), v) for v in values.cat.categories))
        shown = pd.Series(pd.Categorical(shown, categories=cats, ordered=True), index=shown.index)
    return shown


def _spread(out: pd.DataFrame, groups: list[str], columns: str, *, has_n: bool) -> pd.DataFrame:
    """The estimate cells spread across the values of ``columns``, one row per other group."""
    rows = [g for g in groups if g != columns]
    if not rows:
        wide = out.set_index(columns)[["estimate"]].T.reset_index(drop=True)
    else:
        wide = out.pivot_table(
            index=rows,
            columns=columns,
            values="estimate",
            aggfunc="first",
            observed=True,
            sort=False,
        )
        if has_n:  # one base per row when the spread column shares it (a domain's base)
            bases = out.groupby(rows, observed=True, sort=False)["Base (n)"].agg(
                lambda s: s.iloc[0] if s.nunique() == 1 else "varies"
            )
            wide["Base (n)"] = bases
        wide = wide.reset_index()
    wide.columns.name = None
    return wide


def _caption(table: pd.DataFrame, ci: bool, percent: bool, synthetic: bool | None) -> str:
    parts = []
    if ci and "ci_low" in table:
        level = table["conf_level"].iloc[0] if "conf_level" in table and len(table) else 0.95
        parts.append(f"{'Percentage' if percent else 'Estimate'} ({100 * float(level):g}% CI)")
    if "suppressed" in table and table["suppressed"].fillna(False).astype(bool).any():
        parts.append(suppression_note_for(table).rstrip("."))
    if table.attrs.get("synthetic") if synthetic is None else synthetic:
        parts.append(SYNTHETIC_NOTICE)
    return ". ".join(parts) + "." if parts else ""


def present(
    table: pd.DataFrame,
    *,
    decimals: int = 0,
    percent: bool = True,
    ci: bool = True,
    labels: bool = True,
    columns: str | None = None,
    groups: Sequence[str] | None = None,
    caption: str | None = None,
    synthetic: bool | None = None,
) -> Styler:
    """The presentation view of an estimate table, styled for a notebook or a report.

    Parameters
    ----------
    table, decimals, percent, ci, labels, columns, groups
        As in :func:`present_frame`.
    caption : str, optional
        Caption above the table; default the interval level, the ``[c]`` legend when cells
        are suppressed, and the synthetic-data notice for a synthetic set.
    synthetic : bool, optional
        Whether the table was drawn from a synthetic set; default ``table.attrs["synthetic"]``,
        which the analyses set. The engine (``estimate_*``, ``compare_proportions``) works on
        plain DataFrames and does not know where they came from: pass
        ``synthetic=survey.synthetic`` so that its table says so too.

    Returns
    -------
    pandas.io.formats.style.Styler
        Shown as an HTML table (``class="gpcollab-present"``, and ``data-suppression-min-n``
        giving the threshold when the table went through :func:`gpcollab.suppress`) in
        Jupyter; ``.to_html()`` writes HTML and
        ``.to_excel(path)`` an XLSX sheet (``pip install gpcollab[xlsx]``). The text cells are
        in ``.data``.

    Examples
    --------
    >>> import gpcollab
    >>> gp17 = gpcollab.load_survey(2017, "gp")
    >>> rates = gpcollab.achievement_rates(gp17, by="size_band", aims=["access"])
    >>> view = gpcollab.present(rates, columns="outcome")
    >>> view.data.columns.tolist()
    ['Size band', 'Aim', 'Fully achieved', 'Partially achieved', 'Not achieved', 'Base (n)']
    >>> html = view.to_html()
    """
    if synthetic is not None and not isinstance(synthetic, bool):
        raise ArgumentError(f"`synthetic` must be True, False or None, not {synthetic!r}.")
    frame = present_frame(
        table,
        decimals=decimals,
        percent=percent,
        ci=ci,
        labels=labels,
        columns=columns,
        groups=groups,
    )
    sides = _comparison_sides(table, labels)
    headers = {g: _heading(str(g), sides) for g in frame.columns if g in table.columns}
    headers["estimate"] = "Estimate"
    frame = frame.rename(columns=headers)
    styler = frame.style.hide(axis="index")
    # the table says what it is: a reader's view, and the disclosure rule it went through
    rule = table.attrs.get("suppression")
    min_n = rule.get("min_n") if isinstance(rule, Mapping) and "suppressed" in table else None
    attributes = 'class="gpcollab-present"'
    if isinstance(min_n, int):
        attributes += f' data-suppression-min-n="{min_n}"'
    styler = styler.set_table_attributes(attributes)
    text = _caption(table, ci, percent, synthetic) if caption is None else caption
    if text:
        styler = styler.set_caption(text)
    numbers: list[Hashable] = [
        c for c in frame.columns if c not in headers.values() or c == "Estimate"
    ]
    return styler.set_properties(subset=numbers, **{"text-align": "right", "white-space": "nowrap"})
