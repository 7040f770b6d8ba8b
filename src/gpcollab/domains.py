"""Domains of an estimate: the rows each combination of ``by`` values holds.

The estimators of :mod:`gpcollab.estimate` and :mod:`gpcollab.replicate` share this coding:
each ``by`` column becomes integer codes (category order for a categorical column, sorted
values otherwise), the observed combinations become domain codes ``0..D-1`` (``-1`` for a row in
no domain: a missing ``by`` value, or a missing ``y``), with one label row per domain.  A
missing ``y`` without ``na_rm`` makes its domain *blank*: its estimates are NaN, as R's ``NA``
(:func:`blank_domains`), while the other domains are estimated exactly.  The argument checks
every estimator runs first live here too.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpcollab._typing import FloatArray, IntArray
from gpcollab.design import factorize_sorted
from gpcollab.errors import ArgumentError, DesignError, MissingValueWarning

__all__ = [
    "By",
    "DomainSums",
    "Domains",
    "blank_domains",
    "check_columns",
    "check_estimate_args",
    "code_domains",
    "factor_codes",
    "numeric_outcome",
]

By: TypeAlias = str | Sequence[str] | None


@dataclass(frozen=True)
class Domains:
    code: IntArray  # (n,) 0..D-1, or -1 for rows in no domain (missing by/y with na_rm)
    count: int
    labels: pd.DataFrame  # D rows, one column per by variable
    by_code: IntArray  # (n,) the domain of each row by the `by` values alone (y ignored)
    blank: NDArray[np.bool_] | None = None  # (D,) domains with a missing y, na_rm=False: NaN


def check_columns(data: pd.DataFrame, names: Sequence[str], param: str) -> None:
    """Raise :class:`~gpcollab.errors.ArgumentError` naming any of ``names`` not in ``data``."""
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise ArgumentError(
            f"`{param}` names column(s) {missing!r} not in the data; "
            f"available columns: {list(map(str, data.columns))}."
        )


def _by_columns(by: By) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    out = list(by)
    if not all(isinstance(b, str) for b in out):
        raise ArgumentError(
            f"`by` must be a column name or a list of names, but {by!r} was passed."
        )
    if len(set(out)) != len(out):
        raise ArgumentError(f"`by` lists a column twice: {out!r}.")
    return out


def factor_codes(col: pd.Series) -> tuple[IntArray, pd.Index | pd.Categorical]:
    """Integer codes (-1 for missing) and the values they stand for, in display order."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cat = col.cat
        return np.asarray(cat.codes, dtype=np.intp), pd.Categorical(
            cat.categories, categories=cat.categories, ordered=cat.ordered
        )
    return factorize_sorted(col)


def _combine(
    codes: list[IntArray], values: list[pd.Index | pd.Categorical], by: list[str], n: int
) -> tuple[IntArray, int, pd.DataFrame]:
    """Domain codes (-1 where a by value is missing) of the observed combinations, and labels."""
    sizes = [max(len(v), 1) for v in values]
    any_missing = any(c.size and int(c.min()) < 0 for c in codes)
    missing = np.zeros(n, dtype=bool)
    if any_missing:
        for c in codes:
            missing |= c < 0
    key = codes[0]
    for c, size in zip(codes[1:], sizes[1:], strict=True):
        key = key * size
        key += c
    n_keys = int(np.prod(np.asarray(sizes, dtype=np.float64)))
    keys_in = key[~missing] if any_missing else key
    if n_keys <= 4 * n + 1024:
        present = np.bincount(keys_in, minlength=n_keys) > 0
        observed = np.flatnonzero(present)
        if bool(present.all()):
            mapped = keys_in  # every combination occurs: the key is the domain code
        else:
            mapped = (np.cumsum(present, dtype=np.intp) - 1).take(keys_in)
    else:
        observed, mapped = np.unique(keys_in, return_inverse=True)
    if any_missing:
        code = np.full(n, -1, dtype=np.intp)
        code[~missing] = mapped
    else:
        code = mapped.astype(np.intp, copy=False)
    labels: dict[str, object] = {}
    rest = observed.astype(np.int64)
    parts: list[NDArray[np.int64]] = []
    for size in reversed(sizes):
        parts.append(rest % size)
        rest = rest // size
    parts.reverse()
    for name, part, v in zip(by, parts, values, strict=True):
        if isinstance(v, pd.Categorical):
            labels[name] = pd.Categorical.from_codes(
                part.tolist(), categories=v.categories, ordered=v.ordered
            )
        else:
            labels[name] = v.take(part)
    return code, len(observed), pd.DataFrame(labels)


def code_domains(
    data: pd.DataFrame, by: list[str], y_missing: NDArray[np.bool_], na_rm: bool, y: str
) -> Domains:
    """Domains of the ``by`` values; rows with a missing ``y`` are in none (``na_rm``)."""
    n = len(data)
    if by:
        factors = [factor_codes(data[name]) for name in by]
        by_code, count, labels = _combine([c for c, _ in factors], [v for _, v in factors], by, n)
    else:
        by_code, count, labels = np.zeros(n, dtype=np.intp), 1, pd.DataFrame(index=range(1))
    by_missing = by_code < 0
    n_by, n_y = (int(by_missing.sum()) if by else 0), int(y_missing.sum())
    if n_by and not na_rm:
        per_col = {c: int(data[c].isna().sum()) for c in by if data[c].isna().any()}
        raise DesignError(
            f"{n_by} row(s) have missing values in the `by` column(s) {per_col!r}, so they "
            "belong to no domain. Pass na_rm=True to leave them out of the estimates (they "
            "stay in the design for the variance, as R's na.rm=TRUE does), or fill them in first."
        )
    if not n_y:
        return Domains(by_code, count, labels, by_code)
    code = np.where(y_missing, -1, by_code)
    held = np.bincount(code[code >= 0], minlength=count) > 0
    blank = None
    if not na_rm:
        blank = np.bincount(by_code[y_missing & ~by_missing], minlength=count) > 0
        _warn_blank(y, int((y_missing & ~by_missing).sum()), labels, blank, held)
    if held.all() or not na_rm:  # without na_rm an empty domain stays, as R's NA row
        return Domains(code, count, labels, by_code, blank)
    # with na_rm, a domain whose every y is missing has nothing to estimate: drop it
    remap = np.where(held, np.cumsum(held) - 1, -1).astype(np.intp)
    return Domains(
        np.where(code >= 0, remap[code], -1).astype(np.intp),
        int(held.sum()),
        labels.loc[held].reset_index(drop=True),
        np.where(by_code >= 0, remap[by_code], -1).astype(np.intp),
        None if blank is None else blank[held],
    )


def _warn_blank(
    y: str,
    n_missing: int,
    labels: pd.DataFrame,
    blank: NDArray[np.bool_],
    held: NDArray[np.bool_],
) -> None:
    """The :class:`~gpcollab.errors.MissingValueWarning` of a missing ``y`` without na_rm."""
    names = list(labels.columns)
    shown = [
        ", ".join(f"{name}={value!r}" for name, value in zip(names, row, strict=True))
        for row in labels.loc[blank].itertuples(index=False, name=None)
    ]
    where = (
        f"the domain(s) {'; '.join(shown[:10])}{' ...' if len(shown) > 10 else ''}"
        if names
        else "the estimate"
    )
    empty = int((blank & ~held).sum())
    dropped = f" ({empty} of them with no non-missing value at all)" if empty else ""
    warnings.warn(
        f"`y` column {y!r} has {n_missing} missing value(s) and na_rm=False: {where}"
        f"{dropped} get NaN estimates, standard errors and intervals, as R's NA. Pass "
        "na_rm=True to leave the missing rows out of the estimates (they stay in the design "
        "for the variance, as R's na.rm=TRUE does).",
        MissingValueWarning,
        stacklevel=4,
    )


def blank_domains(table: pd.DataFrame, dom: Domains) -> pd.DataFrame:
    """``table`` with NaN estimates, SEs and intervals for the rows of blank domains.

    ``table`` is a result table whose label columns are those of ``dom.labels`` (a domain may
    span several rows, one per level or probability).
    """
    if dom.blank is None or not bool(dom.blank.any()):
        return table
    names = list(dom.labels.columns)
    if names:
        blank_keys = pd.MultiIndex.from_frame(dom.labels.loc[dom.blank, names].astype(object))
        rows = pd.MultiIndex.from_frame(table[names].astype(object)).isin(blank_keys)
    else:
        rows = np.ones(len(table), dtype=bool)
    stats = [c for c in ("estimate", "se", "ci_low", "ci_high", "n_eff", "deff") if c in table]
    table.loc[rows, stats] = np.nan
    if "boundary" in table.columns:
        table.loc[rows, "boundary"] = False
    return table


def check_estimate_args(data: object, y: object, by: By) -> list[str]:
    """Argument checks shared by the estimators; the ``by`` columns as a list."""
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"`data` must be a pandas DataFrame, but {type(data).__name__} was passed."
        )
    if not isinstance(y, str):
        raise ArgumentError(f"`y` must be a column name (str), but {y!r} was passed.")
    by_cols = _by_columns(by)
    check_columns(data, [y], "y")
    check_columns(data, by_cols, "by")
    if y in by_cols:
        raise ArgumentError(f"`y` ({y!r}) is also listed in `by`.")
    return by_cols


def numeric_outcome(
    data: pd.DataFrame, y: str, valid: NDArray[np.bool_], all_valid: bool = False
) -> FloatArray:
    col = data[y]
    if isinstance(col.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
    ):
        raise ArgumentError(
            f"`y` column {y!r} has dtype {col.dtype}; estimate_mean/estimate_total need a "
            "numeric or boolean column. Use estimate_proportions for categories."
        )
    if all_valid:
        return np.asarray(col, dtype=np.float64)
    values = np.zeros(len(col), dtype=np.float64)
    values[valid] = np.asarray(col[valid], dtype=np.float64)
    return values


@dataclass(frozen=True)
class DomainSums:
    """Unweighted and weighted sizes of every domain, shape (D,) each."""

    n: IntArray  # rows in domain
    n_pos: IntArray  # rows with nonzero weight
    w: FloatArray  # sum of weights
    w2: FloatArray  # sum of squared weights
