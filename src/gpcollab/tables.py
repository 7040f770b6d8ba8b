"""Weighted contingency tables (R ``survey::svytable``).

:func:`weighted_table` gives the weighted count of every cell of a cross-classification, as a
tidy table (one row per cell, empty cells included), optionally rescaled to a population total
or to population totals of the design's strata (R's ``Ntotal=``). For estimates with standard
errors use :func:`gpcollab.estimate_total` or :func:`gpcollab.estimate_proportions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from gpcollab._checks import check_column, check_frame
from gpcollab._typing import FloatArray, IntArray
from gpcollab.design import SurveyDesign, factorize_sorted, prepare_design
from gpcollab.errors import ArgumentError, DesignError

__all__ = ["weighted_table"]


def _levels(values: pd.Series) -> tuple[IntArray, pd.Index]:
    """Codes and levels of one column: every category of a categorical, else sorted values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.cat.codes, dtype=np.intp), pd.Index(values.cat.categories)
    codes, labels = factorize_sorted(values)
    return np.asarray(codes, dtype=np.intp), labels


def _stratum_scale(
    data: pd.DataFrame,
    design: SurveyDesign | None,
    ntotal: Mapping[object, float] | pd.Series,
    weights: FloatArray,
) -> FloatArray:
    """Per-row factor N_h / W_h for population totals of the design's strata."""
    targets = dict(ntotal.items())
    if design is None or design.strata is None:
        return np.full(len(weights), float(sum(targets.values())) / weights.sum())
    strata = data[design.strata]
    labels = pd.unique(strata)
    missing = [s for s in labels if s not in targets]
    if missing:
        raise ArgumentError(
            f"`ntotal` gives no population total for stratum/strata {missing[:10]!r} of "
            f"{design.strata!r}; it gives totals for {list(targets)[:10]!r}."
        )
    codes, uniques = pd.factorize(strata)
    stratum_weight = np.bincount(codes, weights=weights, minlength=len(uniques))
    target = np.array([float(targets[label]) for label in uniques])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = (target / stratum_weight)[codes]
    return np.asarray(factor, dtype=np.float64)


def weighted_table(
    data: pd.DataFrame,
    by: str | Sequence[str],
    *,
    design: SurveyDesign | None = None,
    ntotal: float | Mapping[object, float] | pd.Series | None = None,
    round_counts: bool = False,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Weighted counts of every cell of a cross-classification (R ``svytable``).

    Parameters
    ----------
    data : pandas.DataFrame
    by : str or sequence of str
        The columns to cross-classify. Every category of a categorical column appears (empty
        cells have count 0), in category order; other columns are sorted.
    design : SurveyDesign, optional
        The design whose weights are summed; ``None`` counts every row once.
    ntotal : float or mapping, optional
        Rescale the table: a number makes the counts add up to it (``100`` gives percentages,
        ``1`` proportions); a mapping ``{stratum: population total}`` (a Series indexed by
        stratum works too) rescales each stratum of ``design`` to its total before the strata
        are added up, as R's ``Ntotal=`` with a data frame of stratum totals.
    round_counts : bool, default=False
        Round the counts to whole numbers (halves to even), R's ``round=TRUE``.
    na_rm : bool, default=False
        Rows with a missing value in a ``by`` column raise
        :class:`~gpcollab.errors.DesignError` unless ``True`` (then they are left out; R's
        ``svytable`` leaves them out silently).

    Returns
    -------
    pandas.DataFrame
        One row per cell: the ``by`` columns, ``n`` (rows in the cell, unweighted) and
        ``weighted_n`` (the weighted count, rescaled as asked).

    Raises
    ------
    ArgumentError
        Unknown columns, or ``ntotal`` that is not a positive number or lacks a stratum.
    DesignError
        Missing values without ``na_rm``; weights that add up to 0 where they are rescaled.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": ["x", "x", "y"], "w": [1.0, 3.0, 4.0]})
    >>> weighted_table(df, "a", design=SurveyDesign(weights="w"), ntotal=100)
       a  n  weighted_n
    0  x  2        50.0
    1  y  1        50.0
    """
    data = check_frame(data)
    columns = [by] if isinstance(by, str) else list(by)
    if not columns or len(set(columns)) != len(columns):
        raise ArgumentError(f"`by` must name distinct columns, but {by!r} was passed.")
    for column in columns:
        check_column(data, column, "by")
    weights = np.asarray(prepare_design(data, design).weights, dtype=np.float64)
    if isinstance(ntotal, Mapping | pd.Series):
        scale = _stratum_scale(data, design, ntotal, weights)
    elif ntotal is not None:
        if isinstance(ntotal, bool) or not isinstance(ntotal, int | float) or not ntotal > 0:
            raise ArgumentError(
                "`ntotal` must be a positive number or a mapping {stratum: total}, but "
                f"{ntotal!r} was passed."
            )
        scale = np.full(len(weights), float(ntotal) / weights.sum())
    else:
        scale = np.ones(len(weights))
    missing = np.zeros(len(data), dtype=bool)
    for column in columns:
        missing |= np.asarray(data[column].isna(), dtype=bool)
    if missing.any() and not na_rm:
        counts = {c: int(data[c].isna().sum()) for c in columns if data[c].isna().any()}
        raise DesignError(
            f"{int(missing.sum())} row(s) have missing values in {counts!r}, e.g. at rows "
            f"{list(data.index[missing][:5])!r}; pass na_rm=True to leave them out."
        )
    if not np.all(np.isfinite(scale)):
        raise DesignError("The weights add up to 0 in a stratum or table rescaled by `ntotal`.")
    keep = ~missing
    coded = [_levels(data[c]) for c in columns]
    shape = tuple(len(labels) for _, labels in coded)
    flat = np.ravel_multi_index(tuple(codes[keep] for codes, _ in coded), shape)
    size = int(np.prod(shape))
    weighted = np.bincount(flat, weights=(weights * scale)[keep], minlength=size)
    count = np.bincount(flat, minlength=size)
    if round_counts:
        weighted = np.round(weighted)
    # one row per cell, the last column varying fastest (the order of the codes above)
    grid = pd.MultiIndex.from_product([labels for _, labels in coded], names=columns)
    table = grid.to_frame(index=False)
    for column, (_, labels) in zip(columns, coded, strict=True):
        if isinstance(data[column].dtype, pd.CategoricalDtype):
            ordered = bool(data[column].cat.ordered)
            table[column] = pd.Categorical(table[column], categories=labels, ordered=ordered)
    table["n"] = count.astype(np.int64)
    table["weighted_n"] = weighted
    return table
