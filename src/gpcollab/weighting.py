"""Weighting to population margins: raking, post-stratification, GREG calibration, Kish efficiency.

:func:`rake` and :func:`poststratify` return new weights; to get standard errors that account
for the weighting (as R does for a design returned by ``rake()``/``postStratify()``), build the
design with ``SurveyDesign(weights=<new column>, ..., calibration=(<margin columns>))`` after
raking, or ``SurveyDesign(weights=<new column>, ..., poststrata=(<columns>))`` after
post-stratification. :func:`calibrate` (linear, or GREG, calibration to the totals of categorical
and continuous variables, optionally bounded) returns new weights whose ``attrs["model"]`` is the
:class:`CalibrationModel` to pass as ``SurveyDesign(greg=...)``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from gpcollab._checks import check_column_names
from gpcollab._typing import FloatArray, IntArray
from gpcollab.errors import (
    ArgumentError,
    ConvergenceError,
    ConvergenceWarning,
    DesignError,
    describe,
)

__all__ = [
    "CalibrationModel",
    "calibrate",
    "calibration_matrix",
    "kish_efficiency",
    "poststratify",
    "rake",
]

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
    epsilon: float | None = None,
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
        Maximum number of sweeps over the margins (R's ``maxit``, whose default is 10).
    epsilon : float, optional
        Stop by R's rule instead of ``tol`` (survey 4.5 ``rake(control=list(epsilon=...))``):
        after the first sweep in which no weighted level total of any margin moved by
        ``epsilon`` or more since the sweep before (``epsilon`` times the sum of the starting
        weights when ``epsilon < 1``).  R's default is ``epsilon=1, max_iter=10``, which stops
        at weights that are not yet raked to the margins.  When the rule is not met within
        ``max_iter`` sweeps the weights of the last sweep are returned with a
        :class:`~gpcollab.errors.ConvergenceWarning`, as R warns.

    Returns
    -------
    pandas.Series
        Raked weights, aligned with ``data.index`` and named ``"raked_weight"``.  ``attrs`` holds
        ``iterations``, ``max_error`` (the largest margin error as a share of the total),
        ``kish_efficiency``, ``converged`` and ``margin_weights`` (a DataFrame, one column per
        margin: the weights right after that margin's step of the last sweep, for
        ``SurveyDesign(calibration_weights=...)`` when raking stopped before converging).

    Raises
    ------
    ArgumentError
        Unknown columns, levels without targets, negative targets, or margins whose totals
        differ.
    DesignError
        Targets for levels absent from the data, or levels with only zero weights.
    ConvergenceError
        The margins are not met within ``max_iter`` sweeps; the message gives the achieved error
        (with ``epsilon``, a :class:`~gpcollab.errors.ConvergenceWarning` instead).

    Notes
    -----
    Each sweep multiplies the weights of every row, margin by margin, by
    ``target_l / (current weighted total of its level l)``.  The fixed point is R's
    ``rake()`` result; R's default stopping rule (``epsilon=1`` weight unit on the margins'
    tables) is much looser than ``tol`` here: pass ``epsilon=1, max_iter=10`` to stop where R
    stops.  For the variance of estimates from the raked weights, use
    ``SurveyDesign(weights=..., calibration=tuple(margins))``, adding the columns of
    ``attrs["margin_weights"]`` as ``calibration_weights`` when raking stopped before
    converging (R's variance of such a design uses them).

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

    if epsilon is not None:
        return _rake_r_rule(data, w, encoded, epsilon, max_iter, error)
    achieved = float("inf")
    for iteration in range(1, max_iter + 1):
        steps = _sweep(w, encoded)
        w = steps[-1]
        achieved = error(w)
        if achieved < tol:
            return _raked(data, steps, encoded, iteration, achieved, converged=True)
    raise ConvergenceError(
        f"raking did not converge in max_iter={max_iter} sweeps: the largest margin error is "
        f"{achieved:.3g} of the total (tol={tol:g}). The margins may be incompatible with the "
        "sample (e.g. empty combinations); raise max_iter or tol, or collapse levels."
    )


def _sweep(w: FloatArray, encoded: list[tuple[str, IntArray, FloatArray]]) -> list[FloatArray]:
    """One raking sweep: the weights after each margin's step, in margin order."""
    steps = []
    for col, codes, targets in encoded:
        w = _scale(codes, w, targets, col)
        steps.append(w)
    return steps


def _raked(
    data: pd.DataFrame,
    steps: list[FloatArray],
    encoded: list[tuple[str, IntArray, FloatArray]],
    iterations: int,
    max_error: float,
    *,
    converged: bool,
) -> pd.Series:
    w = steps[-1]
    out = pd.Series(w, index=data.index, name="raked_weight")
    margin_weights = pd.DataFrame(
        {col: step for (col, _, _), step in zip(encoded, steps, strict=True)}, index=data.index
    )
    out.attrs.update(
        iterations=iterations,
        max_error=max_error,
        kish_efficiency=kish_efficiency(w),
        converged=converged,
        margin_weights=margin_weights,
    )
    return out


def _rake_r_rule(
    data: pd.DataFrame,
    w: FloatArray,
    encoded: list[tuple[str, IntArray, FloatArray]],
    epsilon: float,
    max_iter: int,
    error: Callable[[FloatArray], float],
) -> pd.Series:
    """Sweeps until no margin's level totals move by ``epsilon`` (R's ``rake`` rule)."""
    if isinstance(epsilon, bool) or not isinstance(epsilon, int | float) or not epsilon > 0:
        raise ArgumentError(f"`epsilon` must be a positive number, but {epsilon!r} was passed.")
    threshold = float(epsilon) * float(w.sum()) if epsilon < 1 else float(epsilon)

    def margin_tables(current: FloatArray) -> FloatArray:
        return np.concatenate([_level_sums(codes, current, len(t)) for _, codes, t in encoded])

    before = margin_tables(w)
    steps = [w]
    for iteration in range(1, max_iter + 1):
        steps = _sweep(w, encoded)
        w = steps[-1]
        after = margin_tables(w)
        if float(np.max(np.abs(after - before))) < threshold:
            return _raked(data, steps, encoded, iteration, error(w), converged=True)
        before = after
    warnings.warn(
        f"raking did not converge in max_iter={max_iter} sweeps: the margins' weighted totals "
        f"still moved by {epsilon:g}{' of the total' if epsilon < 1 else ''} or more in the "
        f"last sweep; the weights of sweep {max_iter} are returned (the largest margin error is "
        f"{error(w):.3g} of the total). Raise max_iter, or leave epsilon out to rake to tol.",
        ConvergenceWarning,
        stacklevel=3,
    )
    return _raked(data, steps, encoded, max_iter, error(w), converged=False)


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


# --------------------------------------------------------------------------- GREG calibration


@dataclass(frozen=True)
class CalibrationModel:
    """The model of a linear (GREG) calibration, for the variance of a calibrated design.

    R's ``calibrate()`` keeps this with the design; here :func:`calibrate` returns it as
    ``attrs["model"]`` of the new weights, to pass as ``SurveyDesign(greg=...)``.

    Parameters
    ----------
    factors : tuple of str
        Categorical columns calibrated to the population count of each level.
    covariates : tuple of str
        Numeric columns calibrated to their population total.
    weights : str or None
        Column of the weights before calibration (``None``: every row 1).
    intercept : bool
        Whether the model has an intercept (the population size is a calibration total). Always
        true when there are ``factors`` (their levels add up to the population size).

    Examples
    --------
    >>> CalibrationModel(factors=("stype",), covariates=("api99",), weights="pw").intercept
    True
    """

    factors: tuple[str, ...] = ()
    covariates: tuple[str, ...] = ()
    weights: str | None = None
    intercept: bool = True

    def __post_init__(self) -> None:
        for name in ("factors", "covariates"):
            columns = check_column_names(getattr(self, name), "CalibrationModel", name)
            object.__setattr__(self, name, columns)
        if not self.factors and not self.covariates and not self.intercept:
            raise ArgumentError("CalibrationModel needs at least one calibration variable.")
        if self.factors and not self.intercept:
            object.__setattr__(self, "intercept", True)
        if self.weights is not None and not isinstance(self.weights, str):
            raise ArgumentError(
                f"CalibrationModel `weights` must be a column name or None, not {self.weights!r}."
            )


def _factor_codes(data: pd.DataFrame, column: str) -> tuple[IntArray, list[object]]:
    """Codes of the levels present, in category (else sorted) order."""
    col = data[column]
    if col.isna().any():
        raise DesignError(
            f"Calibration column {column!r} has {int(col.isna().sum())} missing value(s); "
            "every row needs a level to be calibrated."
        )
    if isinstance(col.dtype, pd.CategoricalDtype):
        present = set(pd.unique(col))
        levels = [c for c in col.cat.categories if c in present]
    else:
        levels = sorted(pd.unique(col), key=lambda v: (str(type(v)), v))
    codes = pd.Index(levels).get_indexer(pd.Index(np.asarray(col, dtype=object)))
    return np.asarray(codes, dtype=np.intp), levels


def _covariate(data: pd.DataFrame, column: str) -> FloatArray:
    col = data[column]
    if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        raise ArgumentError(
            f"Calibration column {column!r} has dtype {col.dtype}; a total is calibrated for a "
            "numeric column (give a mapping {level: count} for a categorical one)."
        )
    values = np.asarray(col, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        bad = int(np.flatnonzero(~np.isfinite(values))[0])
        raise DesignError(
            f"Calibration column {column!r} has a missing or infinite value at row "
            f"{data.index[bad]!r}; every row needs a value to be calibrated."
        )
    return values


def _check_columns(data: pd.DataFrame, model: CalibrationModel) -> None:
    for column in (*model.factors, *model.covariates):
        if column not in data.columns:
            raise ArgumentError(
                f"Calibration column {column!r} is not in the data; available columns: "
                f"{list(map(str, data.columns))}."
            )


def calibration_matrix(data: pd.DataFrame, model: CalibrationModel) -> FloatArray:
    """The model matrix of a linear calibration: shape (n, q), one column per calibrated total.

    An intercept column (when the model has one), the indicators of every level of each factor
    but its first level present, and the covariates. Any full-rank coding of the same columns
    gives the same calibrated weights and variance.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "b", "b"], "x": [1.0, 2.0, 4.0]})
    >>> calibration_matrix(df, CalibrationModel(factors=("g",), covariates=("x",)))
    array([[1., 0., 1.],
           [1., 1., 2.],
           [1., 1., 4.]])
    """
    _check_columns(data, model)
    n = len(data)
    blocks: list[FloatArray] = [np.ones((n, 1))] if model.intercept else []
    for column in model.factors:
        codes, levels = _factor_codes(data, column)
        block = np.zeros((n, len(levels)))
        block[np.arange(n), codes] = 1.0
        blocks.append(block[:, 1:])
    blocks += [_covariate(data, c)[:, None] for c in model.covariates]
    return np.asarray(np.hstack(blocks), dtype=np.float64)


def _pinv(matrix: FloatArray) -> FloatArray:
    """Moore-Penrose inverse keeping singular values above 256 eps of the largest (MASS::ginv)."""
    u, s, vt = np.linalg.svd(matrix)
    keep = s > 256 * np.finfo(np.float64).eps * (s[0] if s.size else 0.0)
    return np.asarray((vt[keep].T / s[keep]) @ u[:, keep].T, dtype=np.float64)


def _bounded_g(
    mm: FloatArray,
    w: FloatArray,
    targets: FloatArray,
    bounds: tuple[float, float],
    tol: float,
    max_iter: int,
) -> tuple[FloatArray, int]:
    """Newton steps for bounded linear calibration, as R's ``grake`` with ``cal.linear``."""
    low, high = bounds[0] - 1.0, bounds[1] - 1.0
    sample = mm.T @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = targets / sample
    rescale = float(np.mean(ratios)) if np.all(ratios > 20.0) else 1.0  # R's SOMETHRESHOLD
    w = w * rescale
    sample = sample * rescale
    eta = np.zeros(mm.shape[1])
    xeta = np.zeros(mm.shape[0])
    achieved = math.inf
    for iteration in range(1, max_iter + 1):
        inside = ((xeta < high) & (xeta > low)).astype(np.float64)
        misfit = targets - sample - mm.T @ (w * np.clip(xeta, low, high))
        eta = eta + _pinv((mm * (w * inside)[:, None]).T @ mm) @ misfit
        xeta = mm @ eta
        misfit = targets - sample - mm.T @ (w * np.clip(xeta, low, high))
        achieved = float(np.max(np.abs(misfit) / (1.0 + np.abs(targets))))
        if achieved < tol:
            return (1.0 + np.clip(xeta, low, high)) * rescale, iteration
    raise ConvergenceError(
        f"Bounded calibration did not meet the totals within bounds={list(bounds)!r} in "
        f"max_iter={max_iter} steps (largest relative misfit {achieved:.3g}, tol={tol:g}). "
        "Widen the bounds, or check that the totals can be reached from this sample."
    )


def _calibration_targets(
    data: pd.DataFrame, totals: Mapping[str, object], population: float | None
) -> tuple[CalibrationModel, FloatArray]:
    """The model (without weights) and its target vector, in :func:`calibration_matrix` order."""
    factors: list[str] = []
    covariates: list[str] = []
    factor_targets: list[FloatArray] = []
    covariate_targets: list[float] = []
    for column, target in totals.items():
        if isinstance(target, Mapping | pd.Series):
            # refuses levels without a count, and counts > 0 for levels absent from the data
            _, values = _encode_margin(data, column, target, "totals")
            _, levels = _factor_codes(data, column)
            index = pd.Index(list(target.keys()) if isinstance(target, Mapping) else target.index)
            present = values[index.get_indexer(pd.Index(levels, dtype=object))]
            factor_targets.append(np.concatenate([[values.sum() - present[1:].sum()], present[1:]]))
            factors.append(column)
        elif isinstance(target, int | float) and not isinstance(target, bool):
            if not math.isfinite(float(target)):
                raise ArgumentError(f"`totals` for {column!r} must be finite, not {target!r}.")
            if column not in data.columns:
                raise ArgumentError(
                    f"`totals` names column {column!r}, which is not in the data; available "
                    f"columns: {list(map(str, data.columns))}."
                )
            covariates.append(column)
            covariate_targets.append(float(target))
        else:
            raise ArgumentError(
                f"`totals` for {column!r} must be a mapping {{level: population count}} (a "
                f"categorical column) or a number (the total of a numeric column), but "
                f"{describe(target)} was passed."
            )
    sizes = [float(t.sum()) for t in factor_targets]
    if population is not None:
        if isinstance(population, bool) or not isinstance(population, int | float):
            raise ArgumentError(f"`population` must be a number, but {population!r} was passed.")
        sizes.append(float(population))
    if sizes and not np.allclose(sizes, sizes[0], rtol=1e-8, atol=0.0):
        raise ArgumentError(
            "The calibration totals imply different population sizes: the level counts of "
            f"{factors!r} and `population` add up to {sizes!r}."
        )
    model = CalibrationModel(tuple(factors), tuple(covariates), None, intercept=bool(sizes))
    parts = [np.array([sizes[0]])] if sizes else []
    parts += [t[1:] for t in factor_targets]
    parts.append(np.asarray(covariate_targets, dtype=np.float64))
    return model, np.concatenate(parts)


def calibrate(
    data: pd.DataFrame,
    totals: Mapping[str, Targets | float],
    *,
    weights: str | None = None,
    population: float | None = None,
    bounds: tuple[float, float] | None = None,
    tol: float = 1e-7,
    max_iter: int = 50,
) -> pd.Series:
    """Linear (GREG) calibration of weights to population totals (R ``calibrate()``).

    Parameters
    ----------
    data : pandas.DataFrame
    totals : mapping of str to mapping or number
        ``{column: {level: population count}}`` for a categorical column (every level in the
        data needs a count), ``{column: total}`` for a numeric column. Several margins of each
        kind may be given together; the levels of every categorical margin must add up to the
        same population size.
    weights : str, optional
        Column of the weights before calibration; ``None`` starts from 1.
    population : float, optional
        The population size (R's ``(Intercept)`` total). Needed only to calibrate numeric
        columns alone with an intercept; with categorical margins it must agree with them.
    bounds : tuple of (float, float), optional
        Lower and upper limits of the ratio of new to old weight (R's ``bounds=``); ``None``
        leaves them free (they may even become negative).
    tol : float, default=1e-7
        Bounded calibration: stop when every total is met within ``tol * (1 + |total|)`` (R's
        ``epsilon``).
    max_iter : int, default=50
        Bounded calibration: the largest number of Newton steps (R's ``maxit``).

    Returns
    -------
    pandas.Series
        Calibrated weights named ``"calibrated_weight"``, aligned with ``data.index``.
        ``attrs`` holds ``model`` (the :class:`CalibrationModel` for
        ``SurveyDesign(greg=...)``), ``g`` (the ratio of new to old weights, an array),
        ``iterations`` and ``kish_efficiency``.

    Raises
    ------
    ArgumentError
        Unknown columns, totals of the wrong kind, or totals implying different population
        sizes.
    DesignError
        Missing values in a calibration column; counts for levels absent from the data.
    ConvergenceError
        Bounded calibration cannot meet the totals within ``max_iter`` steps.

    Notes
    -----
    With base weights dᵢ and model rows xᵢ (an intercept, the level indicators, the numeric
    columns), the new weights are wᵢ = dᵢ gᵢ with gᵢ = 1 + xᵢᵀλ and λ solving
    Σ dᵢ gᵢ xᵢ = T, the population totals: λ = (Σ dᵢ xᵢ xᵢᵀ)⁻¹ (T − Σ dᵢ xᵢ). With ``bounds``
    (L, U), gᵢ = 1 + clip(xᵢᵀλ, L − 1, U − 1) and λ is found by R's Newton steps (and R's
    rescaling of the weights when every total is over 20 times the sample's). For the variance
    build ``SurveyDesign(weights=<new column>, ..., greg=result.attrs["model"])``: the influence
    values are replaced by the residuals of their weighted regression on xᵢ (weights dᵢ), as
    ``svyrecvar`` does for a calibrated design.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1.0, 2.0, 3.0, 4.0]})
    >>> w = calibrate(df, {"g": {"a": 10, "b": 10}, "x": 55.0})
    >>> w.round(4).tolist()
    [2.5, 7.5, 2.5, 7.5]
    """
    if not isinstance(totals, Mapping) or not totals:
        raise ArgumentError(
            "`totals` must be a non-empty mapping {column: {level: count} or total}, but "
            f"{describe(totals)} was passed."
        )
    if isinstance(tol, bool) or not isinstance(tol, int | float) or not tol > 0:
        raise ArgumentError(f"`tol` must be a positive number, but {tol!r} was passed.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ArgumentError(f"`max_iter` must be a positive integer, but {max_iter!r} was passed.")
    base = _base_weights(data, weights)
    spec, targets = _calibration_targets(data, totals, population)
    model = CalibrationModel(spec.factors, spec.covariates, weights, spec.intercept)
    mm = calibration_matrix(data, model)
    if bounds is None:
        gram = (mm * base[:, None]).T @ mm
        if np.linalg.matrix_rank(gram) < mm.shape[1]:
            raise DesignError(
                "The calibration variables are collinear in the sample (for example a numeric "
                "column that is constant, or two margins that split the rows the same way); "
                "leave one out."
            )
        g = 1.0 + mm @ np.linalg.solve(gram, targets - mm.T @ base)
        iterations = 1
    else:
        if (
            not isinstance(bounds, tuple | list)
            or len(bounds) != 2
            or not all(isinstance(b, int | float) for b in bounds)
            or not bounds[0] < 1.0 < bounds[1]
        ):
            raise ArgumentError(
                f"`bounds` must be (lower, upper) with lower < 1 < upper, but {bounds!r} was "
                "passed."
            )
        g, iterations = _bounded_g(
            mm, base, targets, (float(bounds[0]), float(bounds[1])), float(tol), max_iter
        )
    new = base * g
    out = pd.Series(new, index=data.index, name="calibrated_weight")
    out.attrs.update(model=model, g=g, iterations=iterations)
    if np.all(new >= 0) and np.any(new > 0):
        out.attrs["kish_efficiency"] = kish_efficiency(new)
    return out
