"""Design-based logistic regression of a binary outcome (R ``survey::svyglm``, quasibinomial).

Point estimates come from weighted iteratively reweighted least squares (IRLS); standard errors
from the design-based sandwich ``A⁻¹ B A⁻¹``, where ``B`` is the design covariance of the score
totals computed by :func:`gpcollab.design.influence_covariance`. Coefficient tests and intervals
use Student's t on the residual degrees of freedom ``design df + 1 − p``, as R does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.typing import NDArray

from gpcollab._checks import binary_outcome, check_column, check_complete, check_frame, check_level
from gpcollab._typing import FloatArray
from gpcollab.design import (
    PreparedDesign,
    SurveyDesign,
    design_df,
    influence_covariance,
    prepare_design,
)
from gpcollab.errors import ArgumentError, ConvergenceError, DesignError, InferenceWarning
from gpcollab.intervals import expit

__all__ = ["LogisticFit", "logistic_regression"]


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
# fitting
# ---------------------------------------------------------------------------------------------


def _deviance(y: FloatArray, mu: FloatArray, w: FloatArray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y > 0, y * np.log(y / mu), 0.0)
        b = np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    return float(2.0 * np.sum(w * (a + b)))


@dataclass(frozen=True)
class _IrlsResult:
    beta: FloatArray
    working_weights: FloatArray  # prior weight x mu(1 - mu) of the last iteration's input
    mu: FloatArray  # fitted probabilities at beta
    iterations: int


def _irls(X: FloatArray, y: FloatArray, w: FloatArray, max_iter: int, tol: float) -> _IrlsResult:
    """Fisher scoring for the logit link, started and stopped as R's ``glm.fit``."""
    mu = (w * y + 0.5) / (w + 1.0)
    eta = np.log(mu / (1.0 - mu))
    dev_old = _deviance(y, mu, w)
    for iteration in range(1, max_iter + 1):
        var = mu * (1.0 - mu)
        working = w * var
        z = eta + (y - mu) / var
        root = np.sqrt(working)
        beta = np.asarray(
            np.linalg.lstsq(X * root[:, None], z * root, rcond=None)[0], dtype=np.float64
        )
        eta = X @ beta
        mu = expit(eta)
        if np.any((w > 0) & ((mu < _SEPARATION_EPS) | (mu > 1.0 - _SEPARATION_EPS))):
            raise ConvergenceError(
                "Fitted probabilities numerically 0 or 1 occurred: the outcome is "
                "(quasi-)perfectly separated by the explanatory variables, so some coefficients "
                "are infinite. Merge sparse levels or leave variables out."
            )
        dev = _deviance(y, mu, w)
        if not np.isfinite(dev):
            break
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            return _IrlsResult(beta, working, mu, iteration)
        dev_old = dev
    raise ConvergenceError(
        f"The logistic regression did not converge in {max_iter} IRLS iterations (relative "
        f"deviance change tolerance {tol:g}). Raise `max_iter`, or check for separation "
        "(a level or combination of levels in which every outcome is 0, or every one is 1)."
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
class LogisticFit:
    """A fitted design-based logistic regression (see :func:`logistic_regression`).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per coefficient: ``term`` (R-style name, e.g. ``size_band30-50k``),
        ``variable``, ``level`` (category for a dummy, ``None`` otherwise), ``estimate``
        (log-odds scale), ``se``, ``t``, ``df``, ``p_value`` (two-sided), ``ci_low``/``ci_high``
        (log-odds scale), ``odds_ratio`` = exp(estimate), ``or_ci_low``/``or_ci_high``.
    term_tests : pandas.DataFrame
        One row per model variable: ``term``, ``F``, ``ndf``, ``ddf``, ``p_value`` — the Wald F
        test that all of the variable's coefficients are zero (R ``regTermTest``).
    vcov : pandas.DataFrame
        Design-based covariance matrix of the coefficients, labelled by term.
    df_residual : int
        Residual degrees of freedom: design df + 1 − number of coefficients.
    n : int
        Number of rows used.
    iterations : int
        IRLS iterations used.
    level : float
        Confidence level of the intervals.
    outcome : str
        Name of the outcome column.
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
        """Fitted probabilities for the rows of ``data``.

        Parameters
        ----------
        data : pandas.DataFrame
            Rows holding every model variable (categories must be ones seen in the fit).
        coef : array-like of shape (p,) or (B, p), optional
            Coefficients to use instead of the fitted ones; a (B, p) matrix (for example
            bootstrap replicates) gives one row of probabilities per replicate.

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
        if coef is None:
            return expit(X @ self.params)
        beta = np.asarray(coef, dtype=np.float64)
        if beta.ndim not in (1, 2) or beta.shape[-1] != p:
            raise ArgumentError(
                f"`coef` must have shape ({p},) or (B, {p}) for this model, but an array of "
                f"shape {beta.shape} was passed."
            )
        return expit(beta @ X.T)


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


def _term_names(data: pd.DataFrame, y: str, x: str | Sequence[str]) -> list[str]:
    names = [x] if isinstance(x, str) else list(x)
    if not names:
        raise ArgumentError("`x` must name at least one column, but an empty list was passed.")
    check_column(data, y, "y")
    for name in names:
        check_column(data, name, "x")
    if len(set(names)) != len(names) or y in names:
        raise ArgumentError(
            f"`x` must list distinct columns other than the outcome {y!r}, but {names!r} was "
            "passed."
        )
    return names


def _sandwich(
    prepared: PreparedDesign,
    X: FloatArray,
    outcome: FloatArray,
    fit: _IrlsResult,
    used: NDArray[np.bool_],
) -> FloatArray:
    """Design-based covariance ``A^-1 B A^-1`` of the coefficients (R ``svy.varcoef``)."""
    mu = fit.mu
    info_inv = np.linalg.inv((X * fit.working_weights[:, None]).T @ X)
    scores = (fit.working_weights * (outcome - mu) / (mu * (1.0 - mu)))[:, None] * X
    if used.all():
        meat = influence_covariance(prepared, scores)
    else:
        full = np.zeros((prepared.n, X.shape[1]))
        full[used] = scores
        meat = influence_covariance(prepared, full, mask=used)
    vcov = info_inv @ np.asarray(meat, dtype=np.float64) @ info_inv
    return np.asarray(0.5 * (vcov + vcov.T), dtype=np.float64)


def _coefficient_table(
    beta: FloatArray,
    vcov: FloatArray,
    df_resid: int,
    conf: float,
    variables: Sequence[_Variable],
) -> pd.DataFrame:
    from scipy import stats  # lazy: keeps `import gpcollab` light

    se = np.sqrt(np.diag(vcov))
    t_stat = beta / se
    p_value = 2.0 * stats.t.sf(np.abs(t_stat), df_resid)
    crit = float(stats.t.ppf(0.5 + conf / 2.0, df_resid))
    lo, hi = beta - crit * se, beta + crit * se
    terms = ["(Intercept)"] + [t for v in variables for t in v.term_names()]
    var_col: list[str] = ["(Intercept)"]
    level_col: list[object] = [None]
    for v in variables:
        var_col += [v.name] * v.width
        level_col += [None] if v.levels is None else list(v.levels[1:])
    return pd.DataFrame(
        {
            "term": terms,
            "variable": var_col,
            "level": pd.Series(level_col, dtype=object),
            "estimate": beta,
            "se": se,
            "t": t_stat,
            "df": df_resid,
            "p_value": p_value,
            "ci_low": lo,
            "ci_high": hi,
            "odds_ratio": np.exp(beta),
            "or_ci_low": np.exp(lo),
            "or_ci_high": np.exp(hi),
        }
    )


def _term_tests(
    beta: FloatArray, vcov: FloatArray, variables: Sequence[_Variable], df_resid: int
) -> pd.DataFrame:
    """Wald F test of each model variable (R ``regTermTest``)."""
    from scipy import stats  # lazy: keeps `import gpcollab` light

    rows: list[dict[str, object]] = []
    start = 1
    for v in variables:  # a handful of model terms
        idx = slice(start, start + v.width)
        b = beta[idx]
        f_stat = float(b @ np.linalg.solve(vcov[idx, idx], b)) / v.width
        rows.append(
            {
                "term": v.name,
                "F": f_stat,
                "ndf": v.width,
                "ddf": df_resid,
                "p_value": float(stats.f.sf(f_stat, v.width, df_resid)),
            }
        )
        start += v.width
    return pd.DataFrame(rows, columns=["term", "F", "ndf", "ddf", "p_value"])


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
    conf = check_level(level)
    tolerance = _check_controls(max_iter, tol)
    names = _term_names(data, y, x)
    used = _complete_rows(data, [y, *names], na_rm)
    rows = data if used.all() else data.loc[used]
    outcome = binary_outcome(rows, y, success)
    if np.all(outcome == outcome[0]):
        raise DesignError(
            f"The outcome {y!r} takes the single value {outcome[0]:g} in every row; there is "
            "nothing to model."
        )
    variables = tuple(_variable_from(rows, name) for name in names)
    X = _model_matrix(rows, variables)
    prepared = prepare_design(data, design)
    all_weights = np.asarray(prepared.weights, dtype=np.float64)
    weights = all_weights[used]
    _check_separation(outcome, weights, variables, X, y)
    p = X.shape[1]
    if np.linalg.matrix_rank(X[weights > 0]) < p:
        raise DesignError(
            f"The model matrix of {names!r} is rank deficient: some terms are collinear (for "
            "example two variables that split the rows the same way). Leave one of them out."
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
            stacklevel=2,
        )
    fit = _irls(X, outcome, weights / all_weights.mean(), max_iter, tolerance)
    vcov = _sandwich(prepared, X, outcome, fit, used)
    coefficients = _coefficient_table(fit.beta, vcov, df_resid, conf, variables)
    terms = [str(t) for t in coefficients["term"]]
    return LogisticFit(
        coefficients=coefficients,
        term_tests=_term_tests(fit.beta, vcov, variables, df_resid),
        vcov=pd.DataFrame(vcov, index=terms, columns=terms),
        df_residual=df_resid,
        n=int(used.sum()),
        iterations=fit.iterations,
        level=conf,
        outcome=y,
        _variables=variables,
    )
