"""Domains of an estimate: the rows each combination of ``by`` values holds.

The estimators of :mod:`gpcollab.estimate` and :mod:`gpcollab.replicate` share this coding:
each ``by`` column becomes integer codes (category order for a categorical column, sorted
values otherwise), the observed combinations become domain codes ``0..D-1`` (``-1`` for a row in
no domain: a missing ``by`` value, or a missing ``y`` with ``na_rm``), with one label row per
domain.  The argument checks every estimator runs first live here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpcollab._typing import FloatArray, IntArray
from gpcollab.design import factorize_sorted
from gpcollab.errors import ArgumentError, DesignError

__all__ = [
    "By",
    "DomainSums",
    "Domains",
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
    if (n_by or n_y) and not na_rm:
        per_col = {y: n_y} if n_y else {}
        per_col.update({c: int(data[c].isna().sum()) for c in by if n_by and data[c].isna().any()})
        raise DesignError(
            f"{int((by_missing | y_missing).sum())} row(s) have missing values in {per_col!r}. "
            "Pass na_rm=True to leave them out of the estimates (they stay in the design for "
            "the variance, as R's na.rm=TRUE does), or fill them in first."
        )
    if not n_y:
        return Domains(by_code, count, labels, by_code)
    code = np.where(y_missing, -1, by_code)
    has_rows = np.bincount(code[code >= 0], minlength=count) > 0
    if has_rows.all():
        return Domains(code, count, labels, by_code)
    # a domain whose every y is missing has nothing to estimate: drop it
    remap = np.where(has_rows, np.cumsum(has_rows) - 1, -1).astype(np.intp)
    return Domains(
        np.where(code >= 0, remap[code], -1).astype(np.intp),
        int(has_rows.sum()),
        labels.loc[has_rows].reset_index(drop=True),
        np.where(by_code >= 0, remap[by_code], -1).astype(np.intp),
    )


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
