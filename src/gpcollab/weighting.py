"""Weighting to population margins: raking, post-stratification and Kish efficiency.

:func:`rake` and :func:`poststratify` return new weights; to get standard errors that account
for the weighting (as R does for a design returned by ``rake()``/``postStratify()``), build the
design with ``SurveyDesign(weights=<new column>, ..., calibration=(<margin columns>))`` after
raking, or ``SurveyDesign(weights=<new column>, ..., poststrata=(<columns>))`` after
post-stratification.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from gpcollab._typing import FloatArray, IntArray
from gpcollab.errors import ArgumentError, ConvergenceError, DesignError, describe

__all__ = ["kish_efficiency", "poststratify", "rake"]

Targets: TypeAlias = Mapping[Hashable, float] | pd.Series


def kish_efficiency(weights: ArrayLike) -> float:
    """Kish's weighting efficiency ``(sum w)^2 / (n sum w^2)``, between 0 and 1.

    Parameters
    ----------
    weights : array_like
        Non-negative weights of the ``n`` rows.

    Returns
    -------
    float
        The effective sample size ``(sum w)^2 / sum w^2`` divided by ``n``; 1 for equal weights.

    Examples
    --------
    >>> kish_efficiency([1.0, 1.0, 2.0, 2.0])
    0.9
    """
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w > 0):
        raise ArgumentError(
            "`weights` must be a non-empty array of finite, non-negative numbers, not all zero."
        )
    return float(w.sum() ** 2 / (w.size * np.dot(w, w)))


def _base_weights(data: pd.DataFrame, weights: str | None) -> FloatArray:
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"`data` must be a pandas DataFrame, but {type(data).__name__} was passed."
        )
    if weights is None:
        return np.ones(len(data), dtype=np.float64)
    if weights not in data.columns:
        raise ArgumentError(
            f"`weights` names column {weights!r}, which is not in the data; "
            f"available columns: {list(map(str, data.columns))}."
        )
    try:
        w = np.asarray(data[weights], dtype=np.float64)
    except (TypeError, ValueError):
        raise ArgumentError(f"`weights` column {weights!r} must be numeric.") from None
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise DesignError(f"`weights` column {weights!r} must hold finite, non-negative numbers.")
    return w.copy()


def _encode_margin(
    data: pd.DataFrame, column: str, targets: Targets, param: str
) -> tuple[IntArray, FloatArray]:
    """Row codes into the target levels, and the target totals; checks both directions."""
    if column not in data.columns:
        raise ArgumentError(
            f"`{param}` names column {column!r}, which is not in the data; "
            f"available columns: {list(map(str, data.columns))}."
        )
    if isinstance(targets, pd.Series):
        levels = list(targets.index)
        values = np.asarray(targets.to_numpy(), dtype=np.float64)
    elif isinstance(targets, Mapping):
        levels = list(targets.keys())
        values = np.asarray(list(targets.values()), dtype=np.float64)
    else:
        raise ArgumentError(
            f"`{param}` targets for {column!r} must be a mapping level -> population total "
            f"(or a Series indexed by level), but {type(targets).__name__} was passed."
        )
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ArgumentError(
            f"`{param}` targets for {column!r} must be finite and non-negative: {values!r}."
        )
    col = data[column]
    if col.isna().any():
        raise DesignError(
            f"`{param}` column {column!r} has {int(col.isna().sum())} missing value(s); "
            "every row needs a level to be weighted."
        )
    index = pd.Index(levels)
    if not index.is_unique:
        raise ArgumentError(f"`{param}` targets for {column!r} repeat a level: {levels!r}.")
    codes = np.asarray(index.get_indexer(pd.Index(np.asarray(col, dtype=object))), dtype=np.intp)
    if np.any(codes < 0):
        unknown = pd.unique(np.asarray(col, dtype=object)[codes < 0])
        raise ArgumentError(
            f"`{param}` column {column!r} has level(s) {list(unknown)[:10]!r} with no target; "
            f"targets are given for {levels!r}."
        )
    counts = np.bincount(codes, minlength=len(levels))
    absent = [lvl for lvl, c, t in zip(levels, counts, values, strict=True) if c == 0 and t > 0]
    if absent:
        raise DesignError(
            f"`{param}` gives targets for level(s) {absent!r} of {column!r} that are absent "
            "from the data; no weights can reach them (merge them with a neighbouring level)."
        )
    return codes, values


def _level_sums(codes: IntArray, w: FloatArray, n_levels: int) -> FloatArray:
    return np.asarray(np.bincount(codes, weights=w, minlength=n_levels), dtype=np.float64)


def _scale(codes: IntArray, w: FloatArray, targets: FloatArray, column: str) -> FloatArray:
    current = _level_sums(codes, w, len(targets))
    stuck = (current <= 0) & (targets > 0)
    if np.any(stuck):
        raise DesignError(
            f"level(s) #{np.flatnonzero(stuck).tolist()} of {column!r} have only zero weights "
            "but a positive target; they cannot be scaled."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(current > 0, targets / current, 0.0)
    return np.asarray(w * factor[codes], dtype=np.float64)


def rake(
    data: pd.DataFrame,
    margins: Mapping[str, Targets],
    *,
    weights: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 1000,
) -> pd.Series:
    """Rake weights to population margins by iterative proportional fitting.

    Parameters
    ----------
    data : pandas.DataFrame
    margins : mapping of str to mapping
        ``{column: {level: population total}}`` (or a Series indexed by level per column), one
        entry per margin, applied in the given order.  Every margin must have the same grand
        total, and every level in the data needs a target (and vice versa).
    weights : str, optional
        Column of starting weights; ``None`` starts from 1.
    tol : float, default=1e-10
        Convergence when every margin is within ``tol`` of its targets, measured as the largest
        absolute difference of a weighted level total divided by the grand total.
    max_iter : int, default=1000
        Maximum number of sweeps over the margins.

    Returns
    -------
    pandas.Series
        Raked weights, aligned with ``data.index`` and named ``"raked_weight"``.  ``attrs`` holds
        ``iterations``, ``max_error`` and ``kish_efficiency``.

    Raises
    ------
    ArgumentError
        Unknown columns, levels without targets, negative targets, or margins whose totals
        differ.
    DesignError
        Targets for levels absent from the data, or levels with only zero weights.
    ConvergenceError
        The margins are not met within ``max_iter`` sweeps; the message gives the achieved error.

    Notes
    -----
    Each sweep multiplies the weights of every row, margin by margin, by
    ``target_l / (current weighted total of its level l)``.  The fixed point is R's
    ``rake()`` result; R's default stopping rule (``epsilon=1`` weight unit on the full
    cross-table) is much looser than ``tol`` here, so R oracles should be produced with
    ``control=list(epsilon=1e-10)``.  For the variance of estimates from the raked weights, use
    ``SurveyDesign(weights=..., calibration=tuple(margins))``.

    Examples
    --------
    >>> df = pd.DataFrame({"sex": ["f", "f", "m", "m"], "age": ["y", "o", "y", "o"]})
    >>> w = rake(df, {"sex": {"f": 60, "m": 40}, "age": {"y": 50, "o": 50}})
    >>> w.round(6).tolist()
    [30.0, 30.0, 20.0, 20.0]
    """
    if not isinstance(margins, Mapping) or not margins:
        hint = (  # a table of targets is the usual mistake (typed as a mapping, so by name)
            "; for a table of targets pass {column: table.set_index(level_column)[total_column]}"
            if type(margins).__name__ == "DataFrame"
            else ""
        )
        raise ArgumentError(
            "`margins` must be a non-empty mapping {column: {level: population total}}, "
            f"but {describe(margins)} was passed{hint}."
        )
    if isinstance(tol, bool) or not isinstance(tol, int | float) or not tol > 0:
        raise ArgumentError(f"`tol` must be a positive number, but {tol!r} was passed.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ArgumentError(f"`max_iter` must be a positive integer, but {max_iter!r} was passed.")
    w = _base_weights(data, weights)
    encoded = [(col, *_encode_margin(data, col, tg, "margins")) for col, tg in margins.items()]
    totals = np.asarray([t.sum() for _, _, t in encoded])
    grand = float(totals[0])
    if not np.allclose(totals, grand, rtol=1e-8, atol=0.0):
        detail = {col: float(t.sum()) for col, _, t in encoded}
        raise ArgumentError(
            f"`margins` targets must sum to the same population total, but they sum to {detail!r}."
        )
    if grand <= 0:
        raise ArgumentError("`margins` targets sum to 0; nothing to rake to.")

    def error(current: FloatArray) -> float:
        return (
            max(
                float(np.max(np.abs(_level_sums(codes, current, len(t)) - t)))
                for _, codes, t in encoded
            )
            / grand
        )

    achieved = float("inf")
    for iteration in range(1, max_iter + 1):
        for col, codes, targets in encoded:
            w = _scale(codes, w, targets, col)
        achieved = error(w)
        if achieved < tol:
            out = pd.Series(w, index=data.index, name="raked_weight")
            out.attrs.update(
                iterations=iteration, max_error=achieved, kish_efficiency=kish_efficiency(w)
            )
            return out
    raise ConvergenceError(
        f"raking did not converge in max_iter={max_iter} sweeps: the largest margin error is "
        f"{achieved:.3g} of the total (tol={tol:g}). The margins may be incompatible with the "
        "sample (e.g. empty combinations); raise max_iter or tol, or collapse levels."
    )


def poststratify(
    data: pd.DataFrame,
    strata: str | Sequence[str],
    targets: Targets,
    *,
    weights: str | None = None,
) -> pd.Series:
    """Post-stratify weights so each post-stratum's weights add up to its population total.

    Parameters
    ----------
    data : pandas.DataFrame
    strata : str or list of str
        Column(s) defining the post-strata.  With several columns, the levels of ``targets``
        are tuples, e.g. ``{("north", "small"): 120.0, ...}`` or a MultiIndex Series.
    targets : mapping or pandas.Series
        Population total of every post-stratum.
    weights : str, optional
        Column of starting weights; ``None`` starts from 1.

    Returns
    -------
    pandas.Series
        New weights named ``"poststratified_weight"``, aligned with ``data.index``; ``attrs``
        holds ``kish_efficiency``.

    Notes
    -----
    Row ``i`` in post-stratum ``g`` gets ``w_i * N_g / sum_{j in g} w_j``.  For standard errors
    use ``SurveyDesign(weights=..., poststrata=tuple(strata))`` with the same columns (this
    reproduces R's ``postStratify()``, also when the starting weights vary within post-strata).

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"]})
    >>> poststratify(df, "g", {"a": 10, "b": 5}).tolist()
    [5.0, 5.0, 5.0]
    """
    w = _base_weights(data, weights)
    cols = [strata] if isinstance(strata, str) else list(strata)
    if not cols or not all(isinstance(c, str) for c in cols):
        raise ArgumentError(
            f"`strata` must be a column name or a list of names, but {strata!r} was passed."
        )
    if len(cols) == 1:
        codes, values = _encode_margin(data, cols[0], targets, "targets")
    else:
        missing = [c for c in cols if c not in data.columns]
        if missing:
            raise ArgumentError(f"`strata` names column(s) {missing!r} not in the data.")
        key = pd.Series(list(zip(*(data[c] for c in cols), strict=True)), index=data.index)
        frame = pd.DataFrame({"_cell": key})
        if isinstance(targets, pd.Series):
            targets = dict(zip(list(targets.index), targets.to_numpy(), strict=True))
        codes, values = _encode_margin(frame, "_cell", targets, "targets")
    new = _scale(codes, w, values, "+".join(cols))
    out = pd.Series(new, index=data.index, name="poststratified_weight")
    out.attrs.update(kish_efficiency=kish_efficiency(new))
    return out
