"""Small-cell suppression for every table that leaves the library (CSV exports, the report).

Survey tables of small groups can identify people: a CCG subgroup of three respondents, or a
cell of one GP partner who was "very willing" to give up the contract. :func:`suppress` masks
such estimates before export. The exporters (the report and the CLI's CSV writer) call it by
default; analysts can call it on any analysis table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gpcollab.errors import ArgumentError

__all__ = ["DEFAULT_MIN_N", "DEFAULT_VALUE_COLUMNS", "suppress"]

#: Default threshold: bases and counts below this are not shown.
DEFAULT_MIN_N = 5

#: Columns masked in a suppressed row, when present (they reveal the estimate or the count).
DEFAULT_VALUE_COLUMNS: tuple[str, ...] = (
    "count",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n_eff",
    "deff",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "boot_mean",
)


def _check_columns(table: pd.DataFrame, names: Sequence[str], param: str) -> list[str]:
    missing = [c for c in names if c not in table.columns]
    if missing:
        raise ArgumentError(
            f"`{param}` names column(s) {missing!r} that the table does not have; columns: "
            f"{list(map(str, table.columns))!r}."
        )
    return list(names)


def comparison_sides(table: pd.DataFrame) -> list[str]:
    """The sides of a comparison table: ``first``, ``second`` for a table with
    ``estimate_first`` and ``estimate_second`` (:func:`gpcollab.compare_waves`,
    :func:`gpcollab.compare_domains`), ``a``, ``b`` for ``estimate_a`` ... (in column order)."""
    found = [str(c).removeprefix("estimate_") for c in table.columns]
    return [s for s, c in zip(found, table.columns, strict=True) if str(c) != s and s]


def _with_sides(table: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """``names`` and, for each side of a comparison, ``<name>_<side>``, those in the table."""
    wanted = [*names, *(f"{name}_{side}" for side in comparison_sides(table) for name in names)]
    return [c for c in dict.fromkeys(wanted) if c in table.columns]


def _small(values: pd.Series, min_n: int, mask_zeros: bool) -> np.ndarray[Any, np.dtype[np.bool_]]:
    number = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore"):
        small = number < min_n
        if not mask_zeros:
            small &= number != 0
    return np.asarray(small & ~np.isnan(number), dtype=bool)


def suppress(
    table: pd.DataFrame,
    *,
    min_n: int = DEFAULT_MIN_N,
    count_columns: Sequence[str] = ("n", "count"),
    value_columns: Sequence[str] | None = None,
    group_columns: Sequence[str] | None = None,
    mask_zeros: bool = False,
) -> pd.DataFrame:
    """Mask estimates resting on fewer than ``min_n`` respondents, and cells that reveal them.

    Parameters
    ----------
    table : pandas.DataFrame
        An analysis table (see ``docs/analysis_api.md``) or any table with unweighted base and
        count columns.
    min_n : int, default=5
        Threshold: a row whose base (``n``) or count is 1 to ``min_n - 1`` is masked. ``0`` or
        ``1`` switches suppression off.
    count_columns : sequence of str, default=("n", "count")
        Unweighted base and count columns checked against ``min_n`` (those present are used).
        In a comparison of two sides (columns ``estimate_<side>``, such as ``estimate_first``
        and ``estimate_second`` of :func:`gpcollab.compare_waves`), each side's
        ``<name>_<side>`` (``n_first``, ``count_second`` ...) is checked too.
    value_columns : sequence of str, optional
        Columns set to missing in a masked row; default the estimate columns present
        (:data:`DEFAULT_VALUE_COLUMNS`: count, estimate, se, intervals, design effects, …),
        with each side's ``<name>_<side>`` in a comparison. A comparison row is masked as a
        whole: the difference and one side's estimate would give back the other side's.
        The base ``n`` is kept: it says how few respondents there were, not what they said.
    group_columns : sequence of str, optional
        Columns identifying a group of rows whose estimates add up to a known total (the
        answers of one question in one domain, which add up to 1). Default: the hint the
        analysis functions store in ``table.attrs["disclosure"]``; without it only primary
        suppression is applied. ``[]`` makes the whole table one group.
    mask_zeros : bool, default=False
        Also mask counts of 0. A zero reveals nobody's answer, so it is shown by default.

    Returns
    -------
    pandas.DataFrame
        A copy with the masked values missing (``count`` becomes a nullable integer), a
        boolean column ``suppressed``, and ``attrs["suppression"]`` recording the rule
        (``min_n``, number of primary and secondary cells). A table that went through
        ``suppress`` before keeps the rows it hid (so suppressing twice is safe; the rule
        records the larger threshold).

    Notes
    -----
    Primary suppression: every row whose base or count is below ``min_n`` (counts of 0 excepted
    unless ``mask_zeros``) is masked.

    Secondary (complementary) suppression: within a group of rows whose estimates add up to a
    known total, a single masked row could be recovered by subtraction. Whenever a group has
    exactly one masked row among rows with a base of at least ``min_n``, the shown row with the
    next-smallest count (ties: the first) is masked too. Subtotal rows named in the table's
    hint (for example ``in_collaboration`` = formal + informal + both in
    :func:`gpcollab.prevalence`) form groups of their own with their components, and the rule
    is repeated until nothing changes. Tables of multi-select items (each option its own
    yes/no share) have no such groups: their rows are independent and only primary suppression
    applies.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"option": ["a", "b", "c"], "n": [40, 40, 40],
    ...                       "count": [2, 10, 28], "estimate": [0.05, 0.25, 0.7]})
    >>> suppress(table, group_columns=[])[["option", "estimate", "suppressed"]]
      option  estimate  suppressed
    0      a       NaN        True
    1      b       NaN        True
    2      c       0.7       False
    """
    _check_arguments(table, min_n)
    out = table.copy()
    out.attrs = dict(table.attrs)
    values = (
        _with_sides(out, DEFAULT_VALUE_COLUMNS)
        if value_columns is None
        else _check_columns(out, value_columns, "value_columns")
    )
    earlier = _earlier(out)  # a table suppressed before keeps what it hid
    masked = _primary(out, _with_sides(out, count_columns), min_n, mask_zeros)
    before: dict[str, Any] = dict(out.attrs.get("suppression") or {}) if earlier.any() else {}
    primary = int((masked & ~earlier).sum()) + int(before.get("primary", 0))
    masked |= earlier
    plan = _Additivity.of(out, group_columns)
    if plan.additive and len(out) and min_n > 1:
        _secondary(masked, plan.sets(out), _cell_sizes(out), _bases_ok(out, min_n))
    _mask(out, values, masked)
    rule_n = max(min_n, before.get("min_n", 0)) if isinstance(before.get("min_n"), int) else min_n
    out.attrs["suppression"] = {
        "min_n": rule_n,
        "primary": primary,
        "secondary": int(masked.sum()) - primary,
        "mask_zeros": mask_zeros or bool(before.get("mask_zeros", False)),
    }
    return out


IndexArray = np.ndarray[Any, np.dtype[np.intp]]
Mask = np.ndarray[Any, np.dtype[np.bool_]]


def _check_arguments(table: object, min_n: object) -> None:
    if not isinstance(table, pd.DataFrame):
        raise ArgumentError(
            f"`table` must be a pandas DataFrame, but {type(table).__name__} was passed."
        )
    check_min_n(min_n)


def check_min_n(min_n: object) -> int:
    """``min_n`` checked as :func:`suppress` takes it (a whole number >= 0), for callers that
    keep a threshold to apply later (the what-if widget)."""
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 0:
        raise ArgumentError(f"`min_n` must be a whole number >= 0, but {min_n!r} was passed.")
    return min_n


def _earlier(out: pd.DataFrame) -> Mask:
    """Rows that an earlier :func:`suppress` of the same table hid (its ``suppressed`` flag)."""
    if "suppressed" not in out.columns:
        return np.zeros(len(out), dtype=bool)
    flag = out["suppressed"].astype("boolean").fillna(False)
    return np.asarray(flag.to_numpy(dtype=bool), dtype=bool)


def _primary(out: pd.DataFrame, counts: Sequence[str], min_n: int, mask_zeros: bool) -> Mask:
    """Rows whose base or count is below ``min_n`` (primary suppression)."""
    masked = np.zeros(len(out), dtype=bool)
    for column in counts:
        masked |= _small(out[column], min_n, mask_zeros)
    return masked


@dataclass(frozen=True)
class _Additivity:
    """Which rows of a table add up to a known total: the groups, the column of the answer
    levels, and the subtotal levels with their parts (from the analysis function's hint)."""

    additive: bool
    groups: list[str]
    level_column: str | None
    subtotals: dict[str, list[str]]

    @classmethod
    def of(cls, out: pd.DataFrame, group_columns: Sequence[str] | None) -> _Additivity:
        hint: dict[str, Any] = dict(out.attrs.get("disclosure") or {})
        if group_columns is not None:  # the caller's groups: every group adds up, no levels
            return cls(True, _check_columns(out, group_columns, "group_columns"), None, {})
        groups = [g for g in hint.get("group_columns", []) if g in out.columns]
        level_column = hint.get("level_column")
        additive = level_column is not None and level_column in out.columns
        subtotals = dict(hint.get("subtotals") or {}) if additive else {}
        return cls(additive, groups, level_column, subtotals)

    def sets(self, out: pd.DataFrame) -> list[IndexArray]:
        """Row numbers of each set of cells that add up: per group, the answers without the
        subtotal rows, and each subtotal row with its parts."""
        n_rows = len(out)
        key = (
            out[self.groups].astype(str).agg("\x1f".join, axis=1).to_numpy()
            if self.groups
            else np.zeros(n_rows, dtype=object)
        )
        levels = (
            out[self.level_column].astype(str).to_numpy()
            if self.level_column is not None
            else np.array([""] * n_rows, dtype=object)
        )
        is_subtotal = np.isin(levels, list(self.subtotals))
        sets: list[IndexArray] = []
        for value in pd.unique(key):  # one additive set per group (a handful of rows each)
            rows = np.flatnonzero(key == value)
            sets.append(rows[~is_subtotal[rows]])
            for name, parts in self.subtotals.items():
                total = rows[levels[rows] == name]
                members = rows[np.isin(levels[rows], parts)]
                if len(total):
                    sets.append(np.concatenate([members, total]))
        return sets


def _cell_sizes(out: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Size of each cell for choosing the complementary one: its count, else its estimate (in
    a comparison, the first side's); the first cell when the table has neither."""
    candidates = _with_sides(out, ["count"]) + _with_sides(out, ["estimate"])
    if not candidates:
        return np.zeros(len(out), dtype=np.float64)
    size = pd.to_numeric(out[candidates[0]], errors="coerce").to_numpy(dtype=np.float64)
    return np.where(np.isnan(size), np.inf, size)


def _bases_ok(out: pd.DataFrame, min_n: int) -> Mask:
    if "n" not in out.columns:
        return np.ones(len(out), dtype=bool)
    return np.asarray(
        pd.to_numeric(out["n"], errors="coerce").to_numpy(dtype=np.float64) >= min_n, dtype=bool
    )


def _secondary(
    masked: Mask, sets: Sequence[IndexArray], size: np.ndarray[Any, Any], base_ok: Mask
) -> None:
    """Complementary suppression, in place: while a set has exactly one masked cell among the
    cells with a base of at least ``min_n``, mask its smallest shown cell too."""
    changed = True
    while changed:
        changed = False
        for rows in sets:
            rows = rows[base_ok[rows]]
            if len(rows) < 2 or int(masked[rows].sum()) != 1:
                continue
            shown = rows[~masked[rows]]
            pick = shown[int(np.argmin(size[shown]))]  # first of equal sizes
            masked[pick] = True
            changed = True


def _mask(out: pd.DataFrame, values: Sequence[str], masked: Mask) -> None:
    """Set the value columns of the masked rows to missing and add the ``suppressed`` flag."""
    for column in values:
        counts = column == "count" or column.startswith("count_")
        if counts and pd.api.types.is_integer_dtype(out[column].dtype):
            out[column] = out[column].astype("Int64")
    for column in values:
        out.loc[masked, column] = pd.NA if out[column].dtype == "Int64" else np.nan
    out["suppressed"] = masked
