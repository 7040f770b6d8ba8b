"""Share tables of several outcomes of the same respondents, estimated in one engine call.

An analysis often asks one question of several outcomes: how far each aim was achieved, which
options of a multi-select item were ticked. Each outcome's shares are domain estimates over the
same respondents. Instead of one engine call per outcome (and a merge per outcome), the
respondent rows are stacked, one copy per outcome, with the outcome's label as one more domain
column. Every copy keeps its respondent's PSU (a design without clusters makes each respondent
its own PSU, shared by its copies), stratum, weight and fpc, and the copies of the other
outcomes lie outside the domain. So the PSU totals, the strata met, the number of PSUs per
stratum and the degrees of freedom of every domain are those of a separate call, and so are the
estimates, standard errors and intervals.

Two cases are estimated outcome by outcome instead: raked or post-stratified designs, whose
weights and variance involve every row of the table, and the classical intervals for unweighted
counts (``"wilson_score"``, ``"clopper_pearson"``), which take no design.

Private to the package (see docs/architecture.md); its names are public to the package.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gpcollab._checks import check_level
from gpcollab._respondents import HELPER_PREFIX, bool_categorical, design_columns
from gpcollab._typing import BoolArray, IntArray
from gpcollab.design import SurveyDesign, factorize_sorted, prepare_design
from gpcollab.errors import ArgumentError
from gpcollab.estimate import BoundaryWarning, estimate_proportions
from gpcollab.estimate_table import BOUNDARY_WARN_MIN_N
from gpcollab.intervals import DESIGN_CI_METHODS, CIMethod
from gpcollab.significance import compare_domains

__all__ = ["ANSWER", "PART", "stacked_differences", "stacked_shares", "stacked_yes_shares"]

#: Column of the stacked table holding the outcome's label (an aim, an option).
PART = f"{HELPER_PREFIX}part"
#: Column of the stacked table holding the answer whose share is estimated.
ANSWER = f"{HELPER_PREFIX}answer"
#: Respondent position in the unstacked table: the PSU of a design without clusters.
_ROW = f"{HELPER_PREFIX}row"


def _calibrated(design: SurveyDesign | None) -> bool:
    """Raked or post-stratified: weights and variance involve every row, so no stacking."""
    return design is not None and bool(design.calibration or design.poststrata)


def _categorical(codes: IntArray, dtype: pd.CategoricalDtype) -> pd.Categorical:
    """The categorical of ``codes`` (``-1`` for missing) in ``dtype``, without a copy."""
    return pd.Categorical.from_codes(codes, dtype=dtype)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Factor:
    """A domain column's codes (``-1`` for missing) and the value of each code."""

    codes: IntArray
    values: pd.Index  # the categories, or the distinct values in sorted order
    dtype: pd.CategoricalDtype | None  # the column's dtype when it is categorical

    @classmethod
    def of(cls, column: pd.Series) -> _Factor:
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = np.asarray(column.cat.codes, dtype=np.intp)
            return cls(codes, column.dtype.categories, column.dtype)
        codes, uniques = factorize_sorted(column)  # sorted, as the engine and groupby sort
        return cls(codes, uniques, None)

    def labels(self, codes: IntArray) -> pd.Categorical | pd.Index:
        """The values of ``codes`` (all valid), in the column's dtype."""
        if self.dtype is not None:
            return _categorical(codes, self.dtype)
        return self.values.take(codes)

    def codes_of(self, labels: pd.Series) -> IntArray:
        """The codes of ``labels`` (values of this column, as the engine returns them)."""
        if isinstance(labels.dtype, pd.CategoricalDtype):
            return np.asarray(labels.cat.codes, dtype=np.intp)
        return np.asarray(self.values.get_indexer(pd.Index(labels)), dtype=np.intp)


@dataclass(frozen=True)
class _Grid:
    """Every (domain, outcome, answer) cell as a position in the product of the factors."""

    sizes: list[int]  # of the by columns, then PART, then ANSWER

    @property
    def size(self) -> int:
        return int(np.prod(np.asarray(self.sizes, dtype=np.int64)))

    def key(self, codes: Sequence[IntArray]) -> IntArray:
        """The position of each row whose factors have ``codes`` (all valid)."""
        key = np.zeros(len(codes[0]), dtype=np.intp)
        for c, size in zip(codes, self.sizes, strict=True):
            key = key * size + c
        return key

    def cells(self) -> list[IntArray]:
        """The code of each factor at every position of the product, in order."""
        return [np.asarray(c, dtype=np.intp).ravel() for c in np.indices(self.sizes)]


def _stack(
    frame: pd.DataFrame, labels: Sequence[str], by: Sequence[str], design: SurveyDesign | None
) -> pd.DataFrame:
    """One copy of the ``by`` and design columns of ``frame`` per outcome label, with PART
    (the label) and ROW (the respondent's position, the PSU of a design without one)."""
    n, k = len(frame), len(labels)
    columns = list(dict.fromkeys([*by, *(c for c in design_columns(design) if c in frame)]))
    positions = np.tile(np.arange(n, dtype=np.intp), k)
    stacked = frame[columns].take(positions)
    part = pd.CategoricalDtype(pd.Index(labels), ordered=True)
    stacked[PART] = _categorical(np.repeat(np.arange(k, dtype=np.intp), n), part)
    stacked[_ROW] = positions
    return stacked


def _shared_psu(design: SurveyDesign | None) -> SurveyDesign:
    """``design`` for the stacked rows: the copies of a respondent share its PSU."""
    if design is not None and design.psu is not None:
        return design
    return dataclasses.replace(design or SurveyDesign(), psu=_ROW)


def _engine(
    stacked: pd.DataFrame,
    n_parts: int,
    by: Sequence[str],
    design: SurveyDesign | None,
    ci_method: CIMethod,
    level: float,
    valid: BoolArray,
) -> pd.DataFrame:
    """The engine's shares of every non-empty (domain, outcome): one call, or one per outcome."""
    domains = [*by, PART]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)  # one warning per table, below
        if ci_method in DESIGN_CI_METHODS and not _calibrated(design):
            return estimate_proportions(
                stacked,
                ANSWER,
                by=domains,
                design=_shared_psu(design),
                ci_method=ci_method,
                level=level,
                na_rm=True,
            )
        n = len(stacked) // n_parts
        parts = [
            estimate_proportions(
                stacked.iloc[j * n : (j + 1) * n],
                ANSWER,
                by=domains,
                design=design,
                ci_method=ci_method,
                level=level,
                na_rm=True,
            )
            for j in range(n_parts)
            if valid[j * n : (j + 1) * n].any()
        ]
    return pd.concat(parts, ignore_index=True)


#: Engine columns placed in the table as they come; ``n`` and ``count`` are counted here.
_FROM_ENGINE = ("estimate", "se", "ci_low", "ci_high", "df", "weighted_n", "n_eff", "deff")


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _boundary_message(
    table: pd.DataFrame, by: Sequence[str], names: Mapping[str, str], seen: BoolArray
) -> str | None:
    """The warning for boundary estimates a reader would take at face value, if any.

    As the engine's: an estimate of exactly 0 or 1 with a base of at least
    :data:`~gpcollab.estimate.BOUNDARY_WARN_MIN_N`, for an answer chosen somewhere in its own
    outcome (``seen``; an answer nobody chose is 0 everywhere, which is no news).
    """
    read = table["boundary"].to_numpy() & (table["n"].to_numpy() >= BOUNDARY_WARN_MIN_N) & seen
    if not read.any():
        return None
    first = table.iloc[int(np.flatnonzero(read)[0])]
    shown = [(c, c) for c in by] + [(c, names[c]) for c in (PART, ANSWER) if c in names]
    where = ", ".join(f"{name}={_plain(first[c])!r}" for c, name in shown)
    return (
        f"{int(read.sum())} estimated proportion(s) with a base of at least "
        f"{BOUNDARY_WARN_MIN_N} are exactly 0 or 1 (first: {where}: {int(first['count'])} of "
        f"{int(first['n'])}); their intervals are exact boundary intervals (column `boundary` "
        'is True). To silence: warnings.filterwarnings("ignore", '
        "category=gpcollab.BoundaryWarning)."
    )


def stacked_shares(
    frame: pd.DataFrame,
    outcomes: Mapping[str, pd.Series],
    by: Sequence[str],
    design: SurveyDesign | None,
    ci_method: CIMethod,
    level: float,
    names: Mapping[str, str],
) -> pd.DataFrame:
    """Engine shares of every answer of every outcome, per domain of ``by``, with ``count``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The respondents with the ``by`` columns (and the design's columns).
    outcomes : mapping of str to pandas.Series
        Outcome label to an ordered categorical aligned with ``frame`` (one dtype for all);
        missing is outside the base. Rows with a missing outcome or ``by`` value stay in the
        design (domain estimation) but in no domain.
    by : sequence of str
        Domain columns of ``frame``.
    design, ci_method, level
        As in :func:`gpcollab.estimate_proportions`.
    names : mapping of str to str
        How the warning names ``PART`` and ``ANSWER`` (e.g. ``{PART: "aim", ANSWER:
        "outcome"}``); a column left out is not shown (the label of a single outcome).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``PART`` (ordered categorical of the labels, in the order given),
        ``ANSWER`` (the outcomes' categories), then the estimate columns with ``count``. One row
        per combination of the categories of categorical ``by`` columns, the values each
        outcome observed of the other ``by`` columns, the outcomes and the answers (a domain
        without respondents has ``n = 0`` and missing estimates), sorted in that order.

    Warns
    -----
    BoundaryWarning
        At most once, as the engine (:func:`_boundary_message`).
    """
    lvl = check_level(level)
    if not outcomes:
        raise ArgumentError("stacked_shares needs at least one outcome.")
    dtype = next(iter(outcomes.values())).dtype
    if not isinstance(dtype, pd.CategoricalDtype) or any(
        o.dtype != dtype for o in outcomes.values()
    ):
        raise ArgumentError(f"stacked outcomes need one categorical dtype, not {dtype}")
    if design is not None:
        prepare_design(frame, design)  # its errors name the respondents' rows and columns
    stacked = _stack(frame, list(outcomes), by, design)
    codes = [np.asarray(o.cat.codes, dtype=np.intp) for o in outcomes.values()]
    stacked[ANSWER] = _categorical(np.concatenate(codes), dtype)
    keys = [*by, PART, ANSWER]
    factors = [_Factor.of(stacked[c]) for c in keys]
    grid = _Grid([len(f.values) for f in factors])
    valid = np.ones(len(stacked), dtype=bool)
    for f in factors:
        valid &= f.codes >= 0
    key = grid.key([f.codes[valid] for f in factors])
    count = np.bincount(key, minlength=grid.size)
    n_levels = grid.sizes[-1]
    base = count.reshape(-1, n_levels).sum(axis=1)
    cells = grid.cells()
    keep = np.ones(grid.size, dtype=bool)
    part_of_cell = cells[len(by)]
    for j, f in enumerate(factors[: len(by)]):  # a column without categories: the values
        if f.dtype is None:  # each outcome observed
            seen_value = np.zeros((grid.sizes[len(by)], grid.sizes[j]), dtype=bool)
            seen_value[factors[len(by)].codes[valid], f.codes[valid]] = True
            keep &= seen_value[part_of_cell, cells[j]]
    columns: dict[str, Any] = {
        c: f.labels(cells[j][keep]) for j, (c, f) in enumerate(zip(keys, factors, strict=True))
    }
    columns["n"] = np.repeat(base, n_levels)[keep].astype(np.int64)
    columns["count"] = count[keep].astype(np.int64)
    values = {c: np.full(grid.size, np.nan) for c in _FROM_ENGINE}
    boundary = np.zeros(grid.size, dtype=bool)
    if valid.any():  # the engine cannot handle an empty base; every row is then empty
        engine = _engine(stacked, len(outcomes), by, design, ci_method, lvl, valid)
        at = grid.key([f.codes_of(engine[c]) for c, f in zip(keys, factors, strict=True)])
        for c in _FROM_ENGINE:
            values[c][at] = engine[c].to_numpy(dtype=np.float64)
        boundary[at] = engine["boundary"].to_numpy(dtype=bool)
    columns.update({c: values[c][keep] for c in ("estimate", "se", "ci_low", "ci_high", "df")})
    columns["ci_method"] = np.full(int(keep.sum()), ci_method, dtype=object)
    columns["conf_level"] = np.full(int(keep.sum()), lvl)
    columns["boundary"] = boundary[keep]
    columns.update({c: values[c][keep] for c in ("weighted_n", "n_eff", "deff")})
    out = pd.DataFrame(columns)
    chosen = count.reshape(-1, grid.sizes[-2], n_levels).sum(axis=0) > 0  # (outcome, answer)
    seen = chosen[cells[len(by)], cells[-1]][keep]
    message = _boundary_message(out, by, names, seen)
    if message is not None:
        warnings.warn(message, BoundaryWarning, stacklevel=2)
    return out


def stacked_yes_shares(
    frame: pd.DataFrame,
    flags: Mapping[str, tuple[pd.Series, pd.Series]],
    by: Sequence[str],
    design: SurveyDesign | None,
    ci_method: CIMethod,
    level: float,
    names: Mapping[str, str],
) -> pd.DataFrame:
    """Share answering "yes" of each outcome: ``flags`` maps a label to ``(yes, base)``
    (booleans aligned with ``frame``; rows outside ``base`` are in no domain).

    Returns the rows of the "yes" answer of :func:`stacked_shares`, without ``ANSWER``.
    """
    outcomes = {
        label: bool_categorical(yes.to_numpy(dtype=bool), base.to_numpy(dtype=bool), ANSWER)
        for label, (yes, base) in flags.items()
    }
    named = {ANSWER: "answer", **names}
    out = stacked_shares(frame, outcomes, by, design, ci_method, level, named)
    out = out.loc[out[ANSWER] == True].drop(columns=[ANSWER])  # noqa: E712 - categorical
    return out.reset_index(drop=True)


def stacked_differences(
    frame: pd.DataFrame,
    outcomes: Mapping[str, pd.Series],
    by: Sequence[str],
    within: Sequence[str],
    design: SurveyDesign | None,
    level: float,
) -> pd.DataFrame | None:
    """:func:`gpcollab.compare_domains` of every outcome, its domains paired within it.

    Parameters
    ----------
    frame : pandas.DataFrame
        The respondents with the ``by`` and ``within`` columns (and the design's columns).
    outcomes : mapping of str to pandas.Series
        Outcome label to a 0/1 float Series aligned with ``frame``; missing is outside the base.
    by, within : sequence of str
        Columns of ``frame``: the domains compared, and those held fixed.
    design, level
        As in :func:`gpcollab.compare_domains`.

    Returns
    -------
    pandas.DataFrame or None
        The table of :func:`gpcollab.compare_domains` with ``PART`` first among the ``within``
        columns: one row per outcome and pair of its domains. None when no outcome has two
        domains with respondents.
    """
    if design is not None:
        prepare_design(frame, design)  # its errors name the respondents' rows and columns
    stacked = _stack(frame, list(outcomes), [*by, *within], design)
    y = np.concatenate([o.to_numpy(dtype=np.float64) for o in outcomes.values()])
    stacked[ANSWER] = y
    valid = ~np.isnan(y)
    for name in (*by, *within):
        valid &= np.asarray(stacked[name].notna(), dtype=bool)
    groups = stacked.loc[valid, [PART, *within, *by]].drop_duplicates()
    domains = groups.groupby([PART, *within], observed=True).size()
    if not (domains >= 2).any():
        return None
    inner = [PART, *within]
    if not _calibrated(design):
        return compare_domains(
            stacked,
            ANSWER,
            by=list(by),
            within=inner,
            design=_shared_psu(design),
            level=level,
            na_rm=True,
        )
    n = len(frame)
    paired = set(domains.index.get_level_values(PART)[domains.to_numpy() >= 2])
    parts = [
        compare_domains(
            stacked.iloc[j * n : (j + 1) * n],
            ANSWER,
            by=list(by),
            within=inner,
            design=design,
            level=level,
            na_rm=True,
        )
        for j, label in enumerate(outcomes)
        if label in paired
    ]
    return pd.concat(parts, ignore_index=True)
