"""Design-based generalised linear models (R ``survey::svyglm``).

:func:`survey_glm` fits linear (gaussian), count (quasipoisson) and binomial models (0/1
outcomes, proportions with a number of trials, or ``cbind(successes, failures)`` counts);
:func:`logistic_regression` is its logistic special case. Point estimates come from weighted
iteratively reweighted least squares (IRLS, one loop for every family); standard errors from the
design-based sandwich ``A⁻¹ B A⁻¹``, where ``B`` is the design covariance of the score totals
computed by :func:`gpcollab.design.influence_covariance`. Coefficient tests and intervals use
Student's t on the residual degrees of freedom ``design df + 1 − p``, as R does.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.typing import NDArray

from gpcollab._checks import (
    binary_outcome,
    check_choice,
    check_column,
    check_complete,
    check_frame,
    check_level,
)
from gpcollab._typing import FloatArray
from gpcollab.design import (
    PreparedDesign,
    SurveyDesign,
    design_df,
    influence_covariance,
    prepare_design,
)
from gpcollab.errors import ArgumentError, ConvergenceError, DesignError, InferenceWarning
from gpcollab.intervals import expit, f_sf, t_quantile, t_two_sided_p

__all__ = ["GlmFit", "LogisticFit", "logistic_regression", "survey_glm"]


#: Fitted probabilities closer than this to 0 or 1 are taken as a sign of separation.
_SEPARATION_EPS = 1e-8


# ---------------------------------------------------------------------------------------------
# model matrix
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Variable:
    """How one model variable becomes columns of the model matrix."""

    name: str
    levels: tuple[object, ...] | None  # None: numeric, entered as is

    @property
    def width(self) -> int:
        return 1 if self.levels is None else len(self.levels) - 1

    def term_names(self) -> list[str]:
        if self.levels is None:
            return [self.name]
        return [f"{self.name}{level}" for level in self.levels[1:]]


def _variable_from(data: pd.DataFrame, name: str) -> _Variable:
    values = check_complete(data, name, "x")
    dtype = values.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        if not np.all(np.isfinite(values.to_numpy(dtype=np.float64))):
            raise DesignError(f"Column {name!r} (`x`) has infinite values.")
        return _Variable(name, None)
    if isinstance(dtype, pd.CategoricalDtype):
        present = set(pd.unique(values))
        levels = tuple(c for c in values.cat.categories if c in present)
    else:
        levels = tuple(sorted(pd.unique(values)))
    if len(levels) < 2:
        raise DesignError(
            f"Column {name!r} (`x`) has a single observed value {levels[0]!r}; a model term "
            "needs at least two."
        )
    return _Variable(name, levels)


def _model_matrix(data: pd.DataFrame, variables: Sequence[_Variable]) -> FloatArray:
    n = len(data)
    p = 1 + sum(v.width for v in variables)
    X = np.zeros((n, p))
    X[:, 0] = 1.0
    rows = np.arange(n)
    start = 1
    for var in variables:  # a handful of model terms, not rows
        values = check_complete(data, check_column(data, var.name, "x"), "x")
        if var.levels is None:
            if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(
                values.dtype
            ):
                raise ArgumentError(
                    f"Column {var.name!r} was numeric when the model was fitted, but has dtype "
                    f"{values.dtype} now."
                )
            X[:, start] = values.to_numpy(dtype=np.float64)
        else:
            codes = pd.Categorical(np.asarray(values, dtype=object), categories=var.levels).codes
            unknown = codes < 0
            if unknown.any():
                seen = sorted({str(v) for v in np.asarray(values, dtype=object)[unknown]})[:5]
                raise ArgumentError(
                    f"Column {var.name!r} has value(s) {seen} that the model was not fitted "
                    f"with; allowed values: {list(var.levels)!r}."
                )
            hit = codes > 0
            X[rows[hit], start + codes[hit] - 1] = 1.0
        start += var.width
    return X


# ---------------------------------------------------------------------------------------------
# families
# ---------------------------------------------------------------------------------------------


def _binomial_deviance(y: FloatArray, mu: FloatArray, w: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y > 0, y * np.log(y / mu), 0.0)
        b = np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    return float(2.0 * np.sum(w * (a + b)))


def _poisson_deviance(y: FloatArray, mu: FloatArray, w: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2.0 * np.sum(w * (a - (y - mu))))


def _gaussian_deviance(y: FloatArray, mu: FloatArray, w: FloatArray) -> float:
    return float(np.sum(w * (y - mu) ** 2))


def _identity(x: FloatArray) -> FloatArray:
    return x


def _ones(x: FloatArray) -> FloatArray:
    return np.ones_like(x)


def _logit(mu: FloatArray) -> FloatArray:
    return np.asarray(np.log(mu / (1.0 - mu)), dtype=np.float64)


def _logit_mu_eta(eta: FloatArray) -> FloatArray:
    mu = expit(eta)
    return np.asarray(mu * (1.0 - mu), dtype=np.float64)


def _log(mu: FloatArray) -> FloatArray:
    return np.asarray(np.log(mu), dtype=np.float64)


def _exp(eta: FloatArray) -> FloatArray:
    return np.asarray(np.exp(eta), dtype=np.float64)


def _binomial_variance(mu: FloatArray) -> FloatArray:
    return np.asarray(mu * (1.0 - mu), dtype=np.float64)


@dataclass(frozen=True)
class _Family:
    """A GLM family with its canonical link, as R's ``family`` objects (the parts IRLS uses)."""

    name: str
    link: str
    linkfun: Callable[[FloatArray], FloatArray]
    linkinv: Callable[[FloatArray], FloatArray]
    mu_eta: Callable[[FloatArray], FloatArray]
    variance: Callable[[FloatArray], FloatArray]
    deviance: Callable[[FloatArray, FloatArray, FloatArray], float]
    #: names of the exponentiated coefficient and its interval, or None (identity link)
    exp_columns: tuple[str, str, str] | None

    @property
    def binomial(self) -> bool:
        return self.link == "logit"


_GAUSSIAN = _Family(
    "gaussian", "identity", _identity, _identity, _ones, _ones, _gaussian_deviance, None
)
_QUASIPOISSON = _Family(
    "quasipoisson",
    "log",
    _log,
    _exp,
    _exp,
    _identity,
    _poisson_deviance,
    ("rate_ratio", "rr_ci_low", "rr_ci_high"),
)
_QUASIBINOMIAL = _Family(
    "quasibinomial",
    "logit",
    _logit,
    expit,
    _logit_mu_eta,
    _binomial_variance,
    _binomial_deviance,
    ("odds_ratio", "or_ci_low", "or_ci_high"),
)

#: Family names accepted by :func:`survey_glm`. Design-based fits of ``binomial`` and
#: ``poisson`` are those of their quasi families (R's svyglm gives the same table for both).
FAMILIES: dict[str, _Family] = {
    "gaussian": _GAUSSIAN,
    "quasipoisson": _QUASIPOISSON,
    "poisson": _QUASIPOISSON,
    "quasibinomial": _QUASIBINOMIAL,
    "binomial": _QUASIBINOMIAL,
}


def _starting_means(
    family: _Family, y: FloatArray, w: FloatArray, trials: FloatArray | None
) -> FloatArray:
    """R's ``family$initialize``: the fitted means IRLS starts from."""
    if family.link == "identity":
        return y.copy()
    if family.link == "log":
        return y + 0.1
    if trials is not None:  # binomial counts: (n y + 1/2) / (n + 1) with n the trials
        return (trials * y + 0.5) / (trials + 1.0)
    return (w * y + 0.5) / (w + 1.0)


# ---------------------------------------------------------------------------------------------
# fitting
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IrlsResult:
    beta: FloatArray
    working_weights: FloatArray  # prior weight x mu_eta^2 / V(mu) of the last iteration's input
    mu: FloatArray  # fitted means at beta
    eta: FloatArray  # linear predictor at beta
    iterations: int


def _irls(
    X: FloatArray,
    y: FloatArray,
    w: FloatArray,
    max_iter: int,
    tol: float,
    family: _Family = _QUASIBINOMIAL,
    mustart: FloatArray | None = None,
) -> _IrlsResult:
    """Fisher scoring for ``family``, started and stopped as R's ``glm.fit``."""
    mu = _starting_means(family, y, w, None) if mustart is None else mustart
    eta = family.linkfun(mu)
    dev_old = family.deviance(y, mu, w)
    for iteration in range(1, max_iter + 1):
        gradient = family.mu_eta(eta)
        working = w * gradient**2 / family.variance(mu)
        z = eta + (y - mu) / gradient
        root = np.sqrt(working)
        beta = np.asarray(
            np.linalg.lstsq(X * root[:, None], z * root, rcond=None)[0], dtype=np.float64
        )
        eta = X @ beta
        mu = family.linkinv(eta)
        if family.binomial and np.any(
            (w > 0) & ((mu < _SEPARATION_EPS) | (mu > 1.0 - _SEPARATION_EPS))
        ):
            raise ConvergenceError(
                "Fitted probabilities numerically 0 or 1 occurred: the outcome is "
                "(quasi-)perfectly separated by the explanatory variables, so some coefficients "
                "are infinite. Merge sparse levels or leave variables out."
            )
        dev = family.deviance(y, mu, w)
        if not np.isfinite(dev):
            break
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            return _IrlsResult(beta, working, mu, eta, iteration)
        dev_old = dev
    raise ConvergenceError(
        f"The {family.name} regression did not converge in {max_iter} IRLS iterations "
        f"(relative deviance change tolerance {tol:g}). Raise `max_iter`, or check for "
        "separation (a level or combination of levels in which every outcome is 0, or every "
        "one is 1) or counts that grow without bound."
    )


def _check_separation(
    y: FloatArray, w: FloatArray, variables: Sequence[_Variable], X: FloatArray, outcome: str
) -> None:
    """Raise if a level of a categorical term has only successes or only failures."""
    positive = w > 0
    start = 1
    for var in variables:
        if var.levels is not None:
            block = X[:, start : start + var.width]
            codes = np.where(block.any(axis=1), block.argmax(axis=1) + 1, 0)
            k = len(var.levels)
            ones = np.bincount(codes[positive], weights=y[positive], minlength=k)
            zeros = np.bincount(codes[positive], weights=1.0 - y[positive], minlength=k)
            bad = np.flatnonzero((ones == 0) | (zeros == 0))
            if bad.size:
                level = var.levels[int(bad[0])]
                every = "0" if ones[bad[0]] == 0 else "1"
                raise ConvergenceError(
                    f"Perfect separation: every row with {var.name} = {level!r} has {outcome} = "
                    f"{every}, so the odds ratio of that level is infinite and no estimate "
                    "exists. Merge the level with a neighbour, or leave the variable out."
                )
        start += var.width


# ---------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GlmFit:
    """A fitted design-based generalised linear model (see :func:`survey_glm`).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per coefficient: ``term`` (R-style name, e.g. ``size_band30-50k``),
        ``variable``, ``level`` (category for a dummy, ``None`` otherwise), ``estimate`` (on the
        scale of the link), ``se``, ``t``, ``df``, ``p_value`` (two-sided), ``ci_low`` /
        ``ci_high``; then, for a logit link, ``odds_ratio`` = exp(estimate), ``or_ci_low``,
        ``or_ci_high``, and for a log link ``rate_ratio``, ``rr_ci_low``, ``rr_ci_high``
        (a linear model has no exponentiated columns).
    term_tests : pandas.DataFrame
        One row per model variable: ``term``, ``F``, ``ndf``, ``ddf``, ``p_value`` — the Wald F
        test that all of the variable's coefficients are zero (R ``regTermTest``).
    vcov : pandas.DataFrame
        Design-based covariance matrix of the coefficients, labelled by term.
    df_residual : int
        Residual degrees of freedom: design df + 1 − number of coefficients.
    dispersion : float
        The design-based variance of the Pearson residuals (R's ``summary(svyglm)$dispersion``,
        ``svyvar`` of ``resid(fit, "pearson")``). It is reported, not used: the standard errors
        come from the sandwich and need no dispersion.
    family : str
        ``"gaussian"``, ``"quasipoisson"`` or ``"quasibinomial"`` (``binomial`` and ``poisson``
        fit as their quasi families).
    link : str
        ``"identity"``, ``"log"`` or ``"logit"``.
    n : int
        Number of rows used.
    iterations : int
        IRLS iterations used.
    level : float
        Confidence level of the intervals.
    outcome : str
        Name of the outcome column (``"cbind(s, f)"`` for counts of successes and failures).
    """

    coefficients: pd.DataFrame
    term_tests: pd.DataFrame
    vcov: pd.DataFrame
    df_residual: int
    n: int
    iterations: int
    level: float
    outcome: str
    _variables: tuple[_Variable, ...] = field(repr=False)
    dispersion: float = math.nan
    family: str = "quasibinomial"
    link: str = "logit"

    @property
    def params(self) -> FloatArray:
        """Coefficient estimates as a NumPy vector, in the order of :attr:`coefficients`."""
        return self.coefficients["estimate"].to_numpy(dtype=np.float64)

    @property
    def terms(self) -> list[str]:
        """Coefficient names, intercept first."""
        return [str(t) for t in self.coefficients["term"]]

    def model_matrix(self, data: pd.DataFrame) -> FloatArray:
        """The (n, p) model matrix of new rows, coded as in the fit."""
        return _model_matrix(check_frame(data), self._variables)

    def predict(
        self, data: pd.DataFrame, coef: npt.ArrayLike | None = None
    ) -> npt.NDArray[np.float64]:
        """Fitted means (probabilities for a logit link) for the rows of ``data``.

        Parameters
        ----------
        data : pandas.DataFrame
            Rows holding every model variable (categories must be ones seen in the fit).
        coef : array-like of shape (p,) or (B, p), optional
            Coefficients to use instead of the fitted ones; a (B, p) matrix (for example
            bootstrap replicates) gives one row of means per replicate.

        Returns
        -------
        numpy.ndarray
            Shape (n,) for the fitted or a (p,) coefficient vector, (B, n) for a matrix.

        Examples
        --------
        >>> import pandas as pd
        >>> from gpcollab import logistic_regression
        >>> df = pd.DataFrame({"y": [1, 0, 1, 1, 0, 0, 1, 0], "x": [1, 2, 3, 4, 1, 2, 3, 4]})
        >>> fit = logistic_regression(df, "y", ["x"])
        >>> fit.predict(pd.DataFrame({"x": [1, 4]})).round(3)
        array([0.35, 0.65])
        """
        X = self.model_matrix(data)
        p = X.shape[1]
        inverse = FAMILIES[self.family].linkinv
        if coef is None:
            return inverse(X @ self.params)
        beta = np.asarray(coef, dtype=np.float64)
        if beta.ndim not in (1, 2) or beta.shape[-1] != p:
            raise ArgumentError(
                f"`coef` must have shape ({p},) or (B, {p}) for this model, but an array of "
                f"shape {beta.shape} was passed."
            )
        return inverse(beta @ X.T)


@dataclass(frozen=True, eq=False)
class LogisticFit(GlmFit):
    """A fitted design-based logistic regression (see :func:`logistic_regression`).

    A :class:`GlmFit` of the quasibinomial family: ``coefficients`` has the log-odds
    ``estimate`` with ``odds_ratio``, ``or_ci_low`` and ``or_ci_high``, and ``predict`` gives
    probabilities.
    """


# ---------------------------------------------------------------------------------------------
# public function
# ---------------------------------------------------------------------------------------------


def _complete_rows(data: pd.DataFrame, columns: Sequence[str], na_rm: bool) -> NDArray[np.bool_]:
    """Rows with every column present; missing values need ``na_rm=True``."""
    missing = np.zeros(len(data), dtype=bool)
    for column in columns:
        missing |= np.asarray(data[column].isna(), dtype=bool)
    if missing.any() and not na_rm:
        per_column = {c: int(data[c].isna().sum()) for c in columns if data[c].isna().any()}
        rows = list(data.index[missing][:5])
        raise DesignError(
            f"{int(missing.sum())} row(s) have missing values in {per_column!r}, e.g. at rows "
            f"{rows}. Pass na_rm=True to leave them out of the fit as R does: they stay in the "
            "design (a domain), so its PSUs, strata, degrees of freedom and fpc are unchanged. "
            "Do not filter the rows out first: that changes the design."
        )
    if missing.all():
        raise DesignError(f"Every row has a missing value in {list(columns)!r}; nothing to fit.")
    return ~missing


def _check_controls(max_iter: object, tol: object) -> float:
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ArgumentError(f"`max_iter` must be a positive integer, but {max_iter!r} was passed.")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not 0 < tol < 1:
        raise ArgumentError(f"`tol` must be a number in (0, 1), but {tol!r} was passed.")
    return float(tol)


def _term_names(
    data: pd.DataFrame, outcome: Sequence[str], x: str | Sequence[str], *, allow_none: bool
) -> list[str]:
    names = [x] if isinstance(x, str) else list(x)
    if not names and not allow_none:
        raise ArgumentError("`x` must name at least one column, but an empty list was passed.")
    for y in outcome:
        check_column(data, y, "y")
    for name in names:
        check_column(data, name, "x")
    if len(set(names)) != len(names) or set(outcome) & set(names):
        raise ArgumentError(
            f"`x` must list distinct columns other than the outcome {list(outcome)!r}, but "
            f"{names!r} was passed."
        )
    return names


def _sandwich(
    prepared: PreparedDesign,
    X: FloatArray,
    outcome: FloatArray,
    fit: _IrlsResult,
    used: NDArray[np.bool_],
    family: _Family,
) -> FloatArray:
    """Design-based covariance ``A^-1 B A^-1`` of the coefficients (R ``svy.varcoef``).

    The score of row ``i`` is its working weight times its working residual
    ``(y_i - mu_i) / (dmu/deta)_i`` times ``x_i``, as R's ``estfun`` of a ``glm``.
    """
    info_inv = np.linalg.inv((X * fit.working_weights[:, None]).T @ X)
    residual = (outcome - fit.mu) / family.mu_eta(fit.eta)
    scores = (fit.working_weights * residual)[:, None] * X
    if used.all():
        meat = influence_covariance(prepared, scores)
    else:
        full = np.zeros((prepared.n, X.shape[1]))
        full[used] = scores
        meat = influence_covariance(prepared, full, mask=used)
    vcov = info_inv @ np.asarray(meat, dtype=np.float64) @ info_inv
    return np.asarray(0.5 * (vcov + vcov.T), dtype=np.float64)


def _wald(
    beta: FloatArray, vcov: FloatArray, df_resid: int, conf: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Standard errors, t, two-sided p-values and interval ends of the coefficients."""
    se = np.sqrt(np.diag(vcov))
    t_stat = beta / se
    # NaN for df < 1, as scipy.stats gives
    df_ok = df_resid > 0
    with np.errstate(invalid="ignore"):
        p_value = t_two_sided_p(t_stat, df_resid) if df_ok else beta * np.nan
        crit = float(t_quantile(conf, df_resid)) if df_ok else math.nan
    return se, t_stat, p_value, beta - crit * se, beta + crit * se


def _coefficient_table(
    beta: FloatArray,
    vcov: FloatArray,
    df_resid: int,
    conf: float,
    variables: Sequence[_Variable],
    exp_columns: tuple[str, str, str] | None,
) -> pd.DataFrame:
    se, t_stat, p_value, lo, hi = _wald(beta, vcov, df_resid, conf)
    terms = ["(Intercept)"] + [t for v in variables for t in v.term_names()]
    var_col: list[str] = ["(Intercept)"]
    level_col: list[object] = [None]
    for v in variables:
        var_col += [v.name] * v.width
        level_col += [None] if v.levels is None else list(v.levels[1:])
    level_array = np.empty(len(level_col), dtype=object)
    level_array[:] = level_col
    columns: dict[str, object] = {
        "term": terms,
        "variable": var_col,
        "level": level_array,
        "estimate": beta,
        "se": se,
        "t": t_stat,
        "df": np.full(beta.size, df_resid),
        "p_value": p_value,
        "ci_low": lo,
        "ci_high": hi,
    }
    if exp_columns is not None:
        ratio, low, high = exp_columns
        columns.update({ratio: np.exp(beta), low: np.exp(lo), high: np.exp(hi)})
    return pd.DataFrame(columns)


def _term_tests(
    beta: FloatArray, vcov: FloatArray, variables: Sequence[_Variable], df_resid: int
) -> pd.DataFrame:
    """Wald F test of each model variable (R ``regTermTest``)."""

    f_stats: list[float] = []
    start = 1
    for v in variables:  # a handful of model terms
        idx = slice(start, start + v.width)
        b = beta[idx]
        f_stats.append(float(b @ np.linalg.solve(vcov[idx, idx], b)) / v.width)
        start += v.width
    if not variables:  # an intercept-only model
        return pd.DataFrame([], columns=["term", "F", "ndf", "ddf", "p_value"])
    widths = [v.width for v in variables]
    # scipy.stats.f.sf without its argument handling, with its edge values: NaN for ddf < 1,
    # 1 for F <= 0
    p_values = [
        math.nan if df_resid < 1 else 1.0 if f <= 0 else float(f_sf(f, k, df_resid))
        for k, f in zip(widths, f_stats, strict=True)
    ]
    return pd.DataFrame(
        {
            "term": [v.name for v in variables],
            "F": np.asarray(f_stats, dtype=np.float64),
            "ndf": np.asarray(widths, dtype=np.int64),
            "ddf": np.full(len(variables), df_resid, dtype=np.int64),
            "p_value": np.asarray(p_values, dtype=np.float64),
        }
    )


@dataclass(frozen=True)
class _Outcome:
    """The response of a fit: values (proportions for binomial counts) and trials per row."""

    values: FloatArray
    trials: FloatArray | None  # None: one trial per row (or not binomial)
    counts: bool  # trials are counts of a cbind() response (R's binomial start differs)


def _numeric_outcome(rows: pd.DataFrame, y: str, *, non_negative: bool) -> FloatArray:
    values = check_complete(rows, y, "y")
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=np.float64)
    if not pd.api.types.is_numeric_dtype(values.dtype):
        raise ArgumentError(
            f"Column {y!r} (`y`) must be numeric for this family, but has dtype {values.dtype}."
        )
    out = values.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(out) | ((out < 0) if non_negative else False)
    if np.any(bad):
        first = int(np.flatnonzero(bad)[0])
        allowed = "finite numbers >= 0" if non_negative else "finite numbers"
        raise DesignError(
            f"Column {y!r} (`y`) has {int(bad.sum())} value(s) outside {allowed}, e.g. "
            f"{out[first]!r} at row {rows.index[first]!r}."
        )
    return out


def _binomial_counts(rows: pd.DataFrame, successes: str, failures: str) -> _Outcome:
    s = _numeric_outcome(rows, successes, non_negative=True)
    f = _numeric_outcome(rows, failures, non_negative=True)
    n = s + f
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.where(n > 0, s / np.where(n > 0, n, 1.0), 0.0)
    return _Outcome(y, n, counts=True)


def _outcome(
    rows: pd.DataFrame,
    y: Sequence[str],
    family: _Family,
    success: object | None,
    trials: str | None,
) -> _Outcome:
    if len(y) == 2:
        return _binomial_counts(rows, y[0], y[1])
    if family.binomial:
        values = binary_outcome(rows, y[0], success)
        if trials is None:
            return _Outcome(values, None, counts=False)
        return _Outcome(values, _numeric_outcome(rows, trials, non_negative=True), counts=False)
    if success is not None:
        raise ArgumentError(
            f"`success` codes a binary outcome; it does not apply to the {family.name} family."
        )
    return _Outcome(
        _numeric_outcome(rows, y[0], non_negative=family.link == "log"), None, counts=False
    )


def _dispersion(
    fit: _IrlsResult, outcome: _Outcome, family: _Family, weights: FloatArray, scale: float
) -> float:
    """R's ``svyvar(resid(fit, "pearson"), design)`` over the rows fitted.

    ``scale`` is the mean weight of the rows fitted over the mean weight of every row (R
    rescales the prior weights over the whole design, the Pearson residual's weights over the
    rows fitted).
    """
    trials = np.ones_like(fit.mu) if outcome.trials is None else outcome.trials
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = (outcome.values - fit.mu) * np.sqrt(trials * scale / family.variance(fit.mu))
    positive = weights > 0
    n = int(positive.sum())
    if n < 2:
        return math.nan
    w, r = weights[positive], pearson[positive]
    centre = float(np.sum(w * r) / np.sum(w))
    return float(np.sum(w * (r - centre) ** 2) / np.sum(w) * n / (n - 1))


_FORMULA = re.compile(r"^\s*(?P<lhs>[^~]+?)\s*~\s*(?P<rhs>.+?)\s*$")
_CBIND = re.compile(r"^cbind\(\s*(?P<s>[^,()]+?)\s*,\s*(?P<f>[^,()]+?)\s*\)$")


def _unquote(name: str) -> str:
    name = name.strip()
    return name[1:-1] if len(name) > 1 and name[0] == name[-1] == "`" else name


def parse_formula(formula: str) -> tuple[tuple[str, ...], list[str]]:
    """Split an R-style model formula into the outcome column(s) and the term columns.

    ``"y ~ a + b"``, ``"cbind(successes, failures) ~ a"``, ``"y ~ 1"`` (intercept only); names
    with spaces or symbols go in backticks. Interactions and transformations are not
    understood: make a column for them first.

    Examples
    --------
    >>> parse_formula("cbind(alive, dead) ~ 1")
    (('alive', 'dead'), [])
    >>> parse_formula("api00 ~ ell + `sch.wide`")
    (('api00',), ['ell', 'sch.wide'])
    """
    match = _FORMULA.match(formula)
    if match is None:
        raise ArgumentError(
            f"The formula {formula!r} must read 'outcome ~ term + term' (or 'outcome ~ 1')."
        )
    lhs, rhs = match["lhs"].strip(), match["rhs"]
    counts = _CBIND.match(lhs)
    outcome = (_unquote(counts["s"]), _unquote(counts["f"])) if counts else (_unquote(lhs),)
    raw = [t.strip() for t in rhs.split("+")]
    quoted = [len(t) > 1 and t[0] == t[-1] == "`" for t in raw]
    if any(
        not t or (not q and any(c in t for c in "*:()^|~-/"))
        for t, q in zip(raw, quoted, strict=True)
    ):
        raise ArgumentError(
            f"The formula {formula!r} has a term gpcollab cannot read: terms are column names "
            "joined by '+' (make a column for an interaction or a transformation first)."
        )
    return outcome, [_unquote(t) for t in raw if t != "1"]


@dataclass(frozen=True)
class _Estimates:
    """A converged fit before its tables are built."""

    fit: _IrlsResult
    vcov: FloatArray
    df_resid: int
    conf: float
    variables: tuple[_Variable, ...]
    outcome: _Outcome
    label: str
    used: NDArray[np.bool_]
    weights: FloatArray  # design weights of the rows fitted
    scale: float  # their mean weight over the mean weight of every row


def _estimate(
    data: pd.DataFrame,
    y: Sequence[str],
    names: Sequence[str],
    *,
    family: _Family,
    design: SurveyDesign | None,
    success: object | None,
    trials: str | None,
    level: float,
    max_iter: int,
    tol: float,
    na_rm: bool,
) -> _Estimates:
    """Fit any family: coefficients, their design-based covariance and residual df."""
    conf = check_level(level)
    tolerance = _check_controls(max_iter, tol)
    extra = [] if trials is None else [check_column(data, trials, "trials")]
    used = _complete_rows(data, [*y, *names, *extra], na_rm)
    rows = data if used.all() else data.loc[used]
    outcome = _outcome(rows, y, family, success, trials)
    label = y[0] if len(y) == 1 else f"cbind({y[0]}, {y[1]})"
    if family.binomial and np.all(outcome.values == outcome.values[0]):
        raise DesignError(
            f"The outcome {label!r} takes the single value {outcome.values[0]:g} in every row; "
            "there is nothing to model."
        )
    variables = tuple(_variable_from(rows, name) for name in names)
    X = _model_matrix(rows, variables)
    prepared = prepare_design(data, design)
    all_weights = np.asarray(prepared.weights, dtype=np.float64)
    weights = all_weights[used]
    prior = weights / all_weights.mean()
    if outcome.trials is not None:
        prior = prior * outcome.trials
    if family.binomial:
        _check_separation(outcome.values, prior, variables, X, label)
    p = X.shape[1]
    if np.linalg.matrix_rank(X[prior > 0]) < p:
        raise DesignError(
            f"The model matrix of {list(names)!r} is rank deficient: some terms are collinear "
            "(for example two variables that split the rows the same way). Leave one of them "
            "out."
        )
    design_dfs = int(design_df(prepared, None if used.all() else used))
    df_resid = design_dfs + 1 - p
    if df_resid < 1:
        warnings.warn(
            f"The design has {design_dfs} degrees of freedom for {p} coefficients, so the "
            f"residual df (design df + 1 - p) is {df_resid}: estimates and standard errors "
            "are returned, p-values and intervals are NaN (as R's svyglm gives them). Use "
            "fewer terms, or a design with more PSUs per stratum.",
            InferenceWarning,
            stacklevel=3,
        )
    start = _starting_means(
        family, outcome.values, prior, outcome.trials if outcome.counts else None
    )
    fit = _irls(X, outcome.values, prior, max_iter, tolerance, family, start)
    vcov = _sandwich(prepared, X, outcome.values, fit, used, family)
    scale = float(weights.mean() / all_weights.mean())
    return _Estimates(fit, vcov, df_resid, conf, variables, outcome, label, used, weights, scale)


def _fit(
    data: pd.DataFrame,
    y: Sequence[str],
    names: Sequence[str],
    *,
    family: _Family,
    design: SurveyDesign | None,
    success: object | None,
    trials: str | None,
    level: float,
    max_iter: int,
    tol: float,
    na_rm: bool,
) -> dict[str, object]:
    """Fit any family: the fields of a :class:`GlmFit`."""
    est = _estimate(
        data,
        y,
        names,
        family=family,
        design=design,
        success=success,
        trials=trials,
        level=level,
        max_iter=max_iter,
        tol=tol,
        na_rm=na_rm,
    )
    beta, vcov, df_resid = est.fit.beta, est.vcov, est.df_resid
    coefficients = _coefficient_table(
        beta, vcov, df_resid, est.conf, est.variables, family.exp_columns
    )
    terms = [str(t) for t in coefficients["term"]]
    return {
        "coefficients": coefficients,
        "term_tests": _term_tests(beta, vcov, est.variables, df_resid),
        "vcov": pd.DataFrame(vcov, index=terms, columns=terms),
        "df_residual": df_resid,
        "dispersion": _dispersion(est.fit, est.outcome, family, est.weights, est.scale),
        "family": family.name,
        "link": family.link,
        "n": int(est.used.sum()),
        "iterations": est.fit.iterations,
        "level": est.conf,
        "outcome": est.label,
        "_variables": est.variables,
    }


@dataclass(frozen=True)
class Coefficient:
    """One coefficient of a logistic regression, as the row of ``LogisticFit.coefficients``."""

    estimate: float
    se: float
    t: float
    df: int
    p_value: float
    odds_ratio: float
    or_ci_low: float
    or_ci_high: float
    n: int  # rows fitted


def logistic_coefficient(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    term: int,
    *,
    design: SurveyDesign | None = None,
    success: object | None = None,
    level: float = 0.95,
    na_rm: bool = False,
) -> Coefficient:
    """Coefficient ``term`` (0 is the intercept) of :func:`logistic_regression`, without tables.

    The same fit and the same numbers as ``logistic_regression(data, y, x, ...)``'s coefficient
    row ``term``, for callers that fit many models and read one coefficient of each (building
    the fit's tables costs more than the fit itself on survey-sized data).

    Parameters
    ----------
    data, y, x, design, success, level, na_rm
        As :func:`logistic_regression` (IRLS controls at its defaults).
    term : int
        Position of the coefficient in ``LogisticFit.coefficients``.

    Returns
    -------
    Coefficient
        That row's numbers and the number of rows fitted.
    """
    names = _term_names(data, [y], x, allow_none=False)
    est = _estimate(
        data,
        [y],
        names,
        family=_QUASIBINOMIAL,
        design=design,
        success=success,
        trials=None,
        level=level,
        max_iter=25,
        tol=1e-8,
        na_rm=na_rm,
    )
    se, t_stat, p_value, lo, hi = _wald(est.fit.beta, est.vcov, est.df_resid, est.conf)
    beta = est.fit.beta
    return Coefficient(  # exp of whole arrays, as the table takes it (same rounding)
        estimate=float(beta[term]),
        se=float(se[term]),
        t=float(t_stat[term]),
        df=int(est.df_resid),
        p_value=float(p_value[term]),
        odds_ratio=float(np.exp(beta)[term]),
        or_ci_low=float(np.exp(lo)[term]),
        or_ci_high=float(np.exp(hi)[term]),
        n=int(est.used.sum()),
    )


def logistic_regression(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str],
    *,
    design: SurveyDesign | None = None,
    success: object | None = None,
    level: float = 0.95,
    max_iter: int = 25,
    tol: float = 1e-8,
    na_rm: bool = False,
) -> LogisticFit:
    """Fit a logistic regression with design-based standard errors (R ``svyglm``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, holding ``y``, the ``x`` columns and any design columns.
    y : str
        Outcome column: boolean, 0/1 (proportions in [0, 1] are accepted, quasibinomial), or
        any column together with ``success``.
    x : str or sequence of str
        Explanatory variables. Categorical, string and boolean columns become treatment-coded
        dummies with the first category as reference (a ``pd.Categorical``'s category order,
        else sorted values, as R orders factor levels; categories absent from the rows fitted
        are dropped). Numeric columns enter as they are. An intercept is always included.
    design : SurveyDesign, optional
        Sampling design (weights, strata, PSUs, fpc). ``None`` means simple random sampling
        with equal weights.
    success : object, optional
        Value of ``y`` counted as 1 when ``y`` is not boolean or 0/1.
    level : float, default=0.95
        Confidence level of the coefficient and odds-ratio intervals.
    max_iter : int, default=25
        Maximum IRLS iterations (R's ``glm.control`` default).
    tol : float, default=1e-8
        Convergence tolerance on the relative change in deviance (R's ``epsilon``).
    na_rm : bool, default=False
        Rows with a missing ``y`` or ``x`` raise :class:`~gpcollab.errors.DesignError` unless
        ``True``; then they are left out of the fit but kept in the design as a domain, exactly
        as ``svyglm`` (``na.action=na.omit``) does.

    Returns
    -------
    LogisticFit
        Coefficients with odds ratios, term-wise F tests, covariance and ``predict``.

    Raises
    ------
    ArgumentError
        Bad arguments.
    DesignError
        Missing values without ``na_rm``, a constant outcome or collinear terms.

    Warns
    -----
    InferenceWarning
        The design has too few degrees of freedom for the model (residual df = design df + 1 -
        number of coefficients below 1): the estimates and standard errors are returned, the
        p-values, intervals and term tests are NaN, as ``svyglm`` gives them.
    ConvergenceError
        IRLS did not converge, or the data are separated (a level whose outcomes are all 0 or
        all 1, or fitted probabilities numerically 0 or 1). R's ``svyglm`` warns and returns
        huge coefficients there; gpcollab refuses (a deliberate difference).

    Notes
    -----
    With weights wᵢ scaled to mean 1 over every row of the design (R's ``rescale=TRUE``, taken
    before rows with missing values are left out), fitted probabilities μᵢ = expit(xᵢᵀβ) solve
    the weighted score equations Σ wᵢ (yᵢ − μᵢ) xᵢ = 0. They are found by Fisher scoring
    (IRLS), started at μᵢ = (wᵢyᵢ + ½)/(wᵢ + 1) and stopped when the relative deviance change
    ``|D − D_old| / (|D| + 0.1)`` falls below ``tol``, exactly as R's ``glm.fit`` does, so results
    agree with ``svyglm`` to rounding error rather than to the convergence tolerance.

    The covariance is the design-based sandwich V = A⁻¹ B A⁻¹, where
    A = Σ wᵢ μᵢ(1 − μᵢ) xᵢ xᵢᵀ (the weighted information, evaluated like R at the working
    weights of the last iteration) and B is the design covariance of the totals of the score
    contributions uᵢ = wᵢ (yᵢ − μᵢ) xᵢ (strata, PSUs with replacement, fpc; zero for rows left
    out), computed by :func:`gpcollab.design.influence_covariance`. The weight scaling cancels
    in V.

    Each coefficient has t = β̂ⱼ / SEⱼ on df = design df + 1 − p (p coefficients; the design df
    of the rows fitted), a two-sided p-value and the interval β̂ⱼ ± t_{(1+level)/2, df} SEⱼ,
    exponentiated for odds ratios. The term test of a variable with k coefficients β̂ₛ is
    F = β̂ₛᵀ Vₛₛ⁻¹ β̂ₛ / k on (k, df), R's ``regTermTest`` Wald test.

    Survey weights are never treated as frequency weights (which would shrink the standard
    errors).

    Examples
    --------
    >>> import pandas as pd
    >>> from gpcollab import logistic_regression
    >>> df = pd.DataFrame(
    ...     {"achieved": [1, 1, 1, 0, 1, 0, 0, 1], "funded": [True, False] * 4}
    ... )
    >>> fit = logistic_regression(df, "achieved", ["funded"])
    >>> fit.coefficients[["term", "odds_ratio"]].round(3)
              term  odds_ratio
    0  (Intercept)         1.0
    1   fundedTrue         3.0
    """
    data = check_frame(data)
    names = _term_names(data, [y], x, allow_none=False)
    fields = _fit(
        data,
        [y],
        names,
        family=_QUASIBINOMIAL,
        design=design,
        success=success,
        trials=None,
        level=level,
        max_iter=max_iter,
        tol=tol,
        na_rm=na_rm,
    )
    return LogisticFit(**fields)  # type: ignore[arg-type]


def survey_glm(
    data: pd.DataFrame,
    y: str | tuple[str, str],
    x: str | Sequence[str] = (),
    *,
    family: str = "gaussian",
    trials: str | None = None,
    design: SurveyDesign | None = None,
    success: object | None = None,
    level: float = 0.95,
    max_iter: int = 25,
    tol: float = 1e-8,
    na_rm: bool = False,
) -> GlmFit:
    """Fit a generalised linear model with design-based standard errors (R ``svyglm``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, holding the outcome, the ``x`` columns and any design columns.
    y : str or tuple of (str, str)
        The outcome column; or a pair ``(successes, failures)`` of count columns for a binomial
        model of counts (R's ``cbind(successes, failures)``); or an R-style formula
        ``"y ~ a + b"``, ``"cbind(s, f) ~ a"``, ``"y ~ 1"`` (then ``x`` must be left empty).
    x : str or sequence of str, default=()
        Explanatory variables, coded as in :func:`logistic_regression` (categorical, string
        and boolean columns become treatment-coded dummies, numeric columns enter as they are).
        An intercept is always included; an empty ``x`` fits the intercept alone.
    family : {"gaussian", "quasipoisson", "poisson", "quasibinomial", "binomial"}
        ``"gaussian"``: a linear model (identity link) of a numeric outcome.
        ``"quasipoisson"`` / ``"poisson"``: a log-linear model of counts or rates (numbers
        >= 0), with rate ratios. ``"quasibinomial"`` / ``"binomial"``: a logistic model of a
        0/1 outcome, a proportion (with ``trials``), or counts of successes and failures, with
        odds ratios. Design-based fits of ``poisson`` and ``binomial`` are those of the quasi
        families, as in R (the sandwich needs no dispersion).
    trials : str, optional
        Binomial families: the column of the number of trials behind each proportion ``y`` (R's
        ``svyglm(prop ~ x, weights = ~trials, family = quasibinomial)``).
    design : SurveyDesign, optional
        Sampling design (weights, strata, PSUs, fpc, calibration). ``None`` means simple random
        sampling with equal weights.
    success : object, optional
        Binomial families: the value of ``y`` counted as 1 when ``y`` is not boolean or 0/1.
    level : float, default=0.95
        Confidence level of the coefficient intervals.
    max_iter : int, default=25
        Maximum IRLS iterations (R's ``glm.control`` default).
    tol : float, default=1e-8
        Convergence tolerance on the relative change in deviance (R's ``epsilon``).
    na_rm : bool, default=False
        Rows with a missing value in a model column raise
        :class:`~gpcollab.errors.DesignError` unless ``True``; then they are left out of the
        fit but kept in the design as a domain, as ``svyglm`` does.

    Returns
    -------
    GlmFit
        Coefficients (with odds or rate ratios for logit and log links), term-wise F tests,
        covariance, residual df, dispersion and ``predict``.

    Raises
    ------
    ArgumentError
        Bad arguments: an unknown family or column, a formula gpcollab cannot read, a count
        outcome with a family other than binomial.
    DesignError
        Missing values without ``na_rm``, negative counts, a constant binary outcome or
        collinear terms.
    ConvergenceError
        IRLS did not converge, or a binomial outcome is separated.

    Warns
    -----
    InferenceWarning
        Residual df (design df + 1 - number of coefficients) below 1: p-values, intervals and
        term tests are NaN, as ``svyglm`` gives them.

    See Also
    --------
    logistic_regression : the quasibinomial model of a 0/1 outcome.

    Notes
    -----
    With weights wᵢ scaled to mean 1 over every row of the design (R's ``rescale=TRUE``) and,
    for binomial proportions, multiplied by the trials nᵢ, the coefficients solve the weighted
    score equations Σ wᵢ (yᵢ − μᵢ) (dμ/dη)ᵢ / V(μᵢ) xᵢ = 0 (V(μ) = 1, μ, μ(1 − μ) for the
    gaussian, Poisson and binomial variance functions; identity, log and logit links). They are
    found by the one IRLS loop every family shares, started (y, y + 0.1, (wy + ½)/(w + 1) or
    (ny + ½)/(n + 1) for counts) and stopped as R's ``glm.fit``. The covariance is the sandwich
    V = A⁻¹ B A⁻¹ with A the weighted information at the last iteration's working weights and
    B the design covariance of the score totals (strata, PSUs, fpc, calibration; zero for rows
    left out); t tests on design df + 1 − p, and the term tests of R's ``regTermTest``. A
    linear model's coefficient is a difference in the outcome per unit of ``x``; a log link's
    exp(β) is a ratio of means (``rate_ratio``), a logit link's an odds ratio.

    Examples
    --------
    >>> import pandas as pd
    >>> from gpcollab import survey_glm
    >>> df = pd.DataFrame({"y": [1.0, 3.0, 2.0, 5.0, 4.0, 6.0], "x": [1, 2, 3, 4, 5, 6]})
    >>> fit = survey_glm(df, "y ~ x")
    >>> fit.coefficients[["term", "estimate"]].round(3)
              term  estimate
    0  (Intercept)     0.400
    1            x     0.886
    """
    data = check_frame(data)
    family_name = check_choice(family, list(FAMILIES), "family")
    fam = FAMILIES[family_name]
    outcome: tuple[str, ...]
    if isinstance(y, str) and "~" in y:
        if (isinstance(x, str) and x) or (not isinstance(x, str) and list(x)):
            raise ArgumentError(
                f"`y` is the formula {y!r}, so `x` must be left empty, but {x!r} was passed."
            )
        outcome, x = parse_formula(y)
    elif isinstance(y, str):
        outcome = (y,)
    elif isinstance(y, tuple) and len(y) == 2 and all(isinstance(c, str) for c in y):
        outcome = y
    else:
        raise ArgumentError(
            "`y` must be a column name, a pair (successes, failures) of column names or a "
            f"formula, but {y!r} was passed."
        )
    if (len(outcome) == 2 or trials is not None) and not fam.binomial:
        raise ArgumentError(
            "Counts of successes and failures and `trials` belong to the binomial families "
            f"('quasibinomial', 'binomial'), but family={family!r} was passed."
        )
    if len(outcome) == 2 and (trials is not None or success is not None):
        raise ArgumentError(
            "A (successes, failures) outcome carries its own trials; `trials` and `success` "
            "must be left out."
        )
    names = _term_names(data, outcome, x, allow_none=True)
    fields = _fit(
        data,
        outcome,
        names,
        family=fam,
        design=design,
        success=success,
        trials=trials,
        level=level,
        max_iter=max_iter,
        tol=tol,
        na_rm=na_rm,
    )
    if fam.binomial:
        return LogisticFit(**fields)  # type: ignore[arg-type]
    return GlmFit(**fields)  # type: ignore[arg-type]
