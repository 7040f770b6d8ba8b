"""Confidence intervals for means and proportions: pure, vectorised functions.

Every function here takes arrays of estimates, standard errors, degrees of freedom and sample
sizes and returns ``(low, high)`` arrays of the same shape; none of them knows about designs or
data frames.  The design-based methods follow R's ``survey::svyciprop`` (survey 4.5 for
``"wilson"``); the classical ones (``"wilson_score"``, ``"clopper_pearson"``) are the textbook
intervals for ``x`` successes in ``n`` independent trials, as ``prop.test(correct=FALSE)`` and
``binom.test`` in R.

``scipy.special`` is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import math
from typing import Any, Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from gpcollab._checks import check_level
from gpcollab._typing import FloatArray
from gpcollab.errors import ArgumentError

__all__ = [
    "CI_METHODS",
    "DESIGN_CI_METHODS",
    "CIMethod",
    "asin_ci",
    "boundary_ci",
    "clopper_pearson_ci",
    "expit",
    "korn_graubard_ci",
    "likelihood_ci",
    "logit_ci",
    "proportion_ci",
    "survey_wilson_ci",
    "t_quantile",
    "wald_ci",
    "wilson_score_ci",
]

CIMethod: TypeAlias = Literal[
    "logit",
    "xlogit",
    "beta",
    "wilson",
    "asin",
    "mean",
    "likelihood",
    "wilson_score",
    "clopper_pearson",
]
#: Methods that work from an estimate, its design-based SE and the design df.
DESIGN_CI_METHODS: tuple[str, ...] = ("logit", "xlogit", "beta", "wilson", "asin", "mean")
#: Every accepted ``ci_method``; ``"likelihood"`` also needs the rows of the data (see
#: :func:`likelihood_ci`), so only the estimators offer it.
CI_METHODS: tuple[str, ...] = (
    *DESIGN_CI_METHODS,
    "likelihood",
    "wilson_score",
    "clopper_pearson",
)


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def t_quantile(level: float, df: ArrayLike) -> FloatArray:
    """Two-sided critical value ``t_{1-(1-level)/2, df}``; ``df=inf`` gives the normal one.

    Examples
    --------
    >>> round(float(t_quantile(0.95, np.inf)), 6)
    1.959964
    """
    from scipy import special  # heavy: scipy loads only when this runs

    q = 1.0 - (1.0 - check_level(level)) / 2.0
    dfa = _f(df)
    with np.errstate(invalid="ignore"):
        out = np.where(dfa > 0, special.stdtrit(np.where(dfa > 0, dfa, 1.0), q), np.nan)
    return _f(out)


def t_two_sided_p(statistic: ArrayLike, df: ArrayLike) -> FloatArray:
    """Two-sided p-value ``2 P(T_df > |statistic|)``; ``df=inf`` gives the normal one.

    ``scipy.special`` only: loading ``scipy.stats`` costs about a second.

    Examples
    --------
    >>> round(float(t_two_sided_p(1.959963984540054, np.inf)), 6)
    0.05
    """
    from scipy import special  # heavy: scipy loads only when this runs

    return _f(2.0 * special.stdtr(_f(df), -np.abs(_f(statistic))))


def f_sf(statistic: ArrayLike, df_num: ArrayLike, df_den: ArrayLike) -> FloatArray:
    """Upper tail ``P(F_{df_num, df_den} > statistic)`` (``scipy.special.fdtrc``)."""
    from scipy import special  # heavy: scipy loads only when this runs

    return _f(special.fdtrc(_f(df_num), _f(df_den), _f(statistic)))


def chi2_sf(statistic: ArrayLike, df: ArrayLike) -> FloatArray:
    """Upper tail ``P(chi2_df > statistic)`` (``scipy.special.chdtrc``)."""
    from scipy import special  # heavy: scipy loads only when this runs

    return _f(special.chdtrc(_f(df), _f(statistic)))


def wald_ci(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Symmetric interval ``estimate ± t_df · se`` (svyciprop ``method="mean"``).

    Parameters
    ----------
    estimate, se, df : array_like
        Broadcastable arrays; ``df=np.inf`` gives the normal interval of ``confint(svymean())``.
    level : float, default=0.95

    Returns
    -------
    (low, high) : tuple of ndarray
    """
    est, half = _f(estimate), t_quantile(level, df) * _f(se)
    return est - half, est + half


def logit_ci(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Interval on the logit scale, back-transformed (svyciprop ``"logit"``/``"xlogit"``).

    Notes
    -----
    With ``p`` the estimate, the SE of ``logit(p)`` is ``se / (p (1 - p))`` by the delta method,
    and the interval is ``expit(logit(p) ± t_df · se / (p (1 - p)))``.  For Taylor-linearised
    designs R's ``"logit"`` (a fitted intercept-only quasi-binomial model) equals this to about
    1e-9.
    """
    p = _f(estimate)
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.log(p) - np.log1p(-p)
        half = t_quantile(level, df) * _f(se) / (p * (1.0 - p))
    return expit(centre - half), expit(centre + half)


def expit(x: FloatArray) -> FloatArray:
    """The logistic function 1 / (1 + e^-x), computed through tanh (no overflow)."""
    return _f(0.5 * (1.0 + np.tanh(0.5 * x)))


def asin_ci(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Arcsine-square-root interval (svyciprop ``"asin"``).

    Notes
    -----
    ``a = asin(sqrt(p))`` has SE ``se / (2 sqrt(p (1 - p)))``; the interval is
    ``sin(a ± t_df · SE_a)^2``.  As in R, an end whose angle leaves ``[0, pi/2]`` is still
    squared (so a negative lower angle gives a small positive lower end).
    """
    p = _f(estimate)
    with np.errstate(divide="ignore", invalid="ignore"):
        angle = np.arcsin(np.sqrt(p))
        half = t_quantile(level, df) * _f(se) / (2.0 * np.sqrt(p * (1.0 - p)))
    return np.sin(angle - half) ** 2, np.sin(angle + half) ** 2


def korn_graubard_ci(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Korn–Graubard (Clopper–Pearson with an effective n) interval (svyciprop ``"beta"``).

    Parameters
    ----------
    estimate, se, df : array_like
    n : array_like
        Number of sampled rows behind the estimate (R's ``nrow(design)``).
    level : float, default=0.95

    Notes
    -----
    The effective sample size is ``n* = p (1 - p) / se^2``, scaled by
    ``(t_{n-1} / t_df)^2`` (critical values at ``level``); the ends are the beta quantiles
    ``B^{-1}(alpha/2; n* p, n* (1 - p) + 1)`` and ``B^{-1}(1 - alpha/2; n* p + 1, n* (1 - p))``.
    """
    from scipy import special  # heavy: scipy loads only when this runs

    lvl = check_level(level)
    alpha = 1.0 - lvl
    p, s = _f(estimate), _f(se)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_star = p * (1.0 - p) / s**2
        n_star = n_star * (t_quantile(lvl, _f(n) - 1.0) / t_quantile(lvl, df)) ** 2
        low = special.betaincinv(n_star * p, n_star * (1.0 - p) + 1.0, alpha / 2.0)
        high = special.betaincinv(n_star * p + 1.0, n_star * (1.0 - p), 1.0 - alpha / 2.0)
    return _f(low), _f(high)


def likelihood_ci(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    glm_weight: ArrayLike,
    dispersion: ArrayLike,
    n_obs: ArrayLike,
    level: float = 0.95,
    start: tuple[ArrayLike, ArrayLike, ArrayLike] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Rao–Scott scaled profile-likelihood interval (svyciprop ``"likelihood"``).

    Examples
    --------
    A simple random sample of 40 rows, 12 of them successes (SE ``sqrt(pq / 39)``, dispersion
    40/39); R's ``svyciprop(~y, svydesign(id=~1, data=d), method="likelihood")`` gives
    (0.16717, 0.46057):

    >>> low, high = likelihood_ci(0.3, (0.3 * 0.7 / 39) ** 0.5, 39, 40, 40 / 39, 40)
    >>> round(float(low), 5), round(float(high), 5)
    (0.16717, 0.46057)

    Parameters
    ----------
    estimate, se, df : array_like
        Estimated proportion, its design-based SE and the design degrees of freedom.
    glm_weight : array_like
        Sum over the rows of the weights rescaled to mean 1 over the design's rows (the prior
        weights of R's intercept-only ``svyglm``).
    dispersion : array_like
        R's dispersion of that model: the design-weighted variance (``svyvar``) of its Pearson
        residuals.
    n_obs : array_like
        Rows of the model (``n - 1`` is the denominator df of its F critical value).
    level : float, default=0.95
    start : tuple of array_like, optional
        ``(intercept, information, deviance)`` after the first iteratively reweighted least
        squares step of R's ``glm`` from its row-by-row starting values, the information (sum
        of working weights) that step used, and the deviance at the starting values.  With
        them the fit is iterated to R's stopping rule (``epsilon=1e-8``), so the intercept and
        the model-based variance are R's to rounding; ``None`` takes the exact maximum.

    Returns
    -------
    (low, high) : tuple of ndarray

    Notes
    -----
    As R's ``confint.svyglm(method="likelihood")`` on ``svyglm(y ~ 1, family=quasibinomial)``:
    with ``b0`` the fitted intercept, ``mu = expit(b0)``, ``s = se / (mu (1 - mu))`` and the
    design effect of the logit ``lambda = s^2 I`` (``I`` the information of the model's last
    iteration), the
    interval holds the ``b`` whose signed root ``z(b)`` of the scaled deviance difference
    ``(D(b) - D(b0)) / dispersion`` lies within ``± t_{df} sqrt(lambda)``.  R evaluates ``z``
    at up to 9 steps of ``zmax / 5 · s`` either side of ``b0`` (``zmax`` the F(1, n - 1)
    critical value at ``alpha = Phi(t sqrt(lambda)) / 2``), passes a cubic spline
    (Forsythe–Malcolm–Moler ends, three times as many points) through them and inverts it
    linearly; this does the same, so the ends agree with R's to rounding.  An end the profile
    does not reach is NaN, as in R.
    """
    from scipy import special  # heavy: scipy loads only when this runs

    lvl = check_level(level)
    p = _f(estimate)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = (np.log(p) - np.log1p(-p), _f(glm_weight) * p * (1.0 - p), np.full(p.shape, np.nan))
    fit = exact if start is None else tuple(_f(a) for a in start)
    arrays = np.broadcast_arrays(p, _f(se), _f(df), _f(glm_weight), _f(dispersion), _f(n_obs), *fit)
    low, high = np.full(arrays[0].shape, np.nan), np.full(arrays[0].shape, np.nan)
    for idx in np.ndindex(arrays[0].shape):
        values = [float(a[idx]) for a in arrays]
        ends = _profile_ends(*values, level=lvl, exact=start is None, special=special)
        if ends is not None:
            low[idx], high[idx] = ends
    return _f(low), _f(high)


_PROFILE_STEPS = 10
"""R's ``maxsteps``: at most ``_PROFILE_STEPS - 1`` profile points either side of the fit."""
_GLM_EPSILON = 1e-8
"""R's ``glm.control()$epsilon``: the relative change of deviance that ends the fit."""
_GLM_MAXIT = 25
"""R's ``glm.control()$maxit``."""


def _deviance(eta: float, p: float, weight: float) -> float:
    """Binomial deviance of a 0/1 outcome with weighted mean ``p`` and weight total ``weight``
    at the intercept ``eta`` (rows with y = 1 carry ``weight p`` of the weight)."""
    log_mu = -math.log1p(math.exp(-eta)) if eta > -700 else eta
    log_1mu = -math.log1p(math.exp(eta)) if eta < 700 else -eta
    return -2.0 * weight * (p * log_mu + (1.0 - p) * log_1mu)


def _glm_fit(
    p: float, weight: float, eta1: float, info1: float, dev_start: float
) -> tuple[float, float]:
    """R's ``glm.fit`` iterations of the intercept-only binomial model after its first step:
    the final intercept and the information (sum of working weights) of the last iteration."""
    eta, info, dev_old = eta1, info1, dev_start
    for _ in range(_GLM_MAXIT):
        dev = _deviance(eta, p, weight)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < _GLM_EPSILON:
            break
        dev_old = dev
        mu = float(expit(np.asarray(eta)))
        info = weight * mu * (1.0 - mu)
        eta = eta + weight * (p - mu) / info
    return eta, info


def _profile_ends(
    p: float,
    se: float,
    df: float,
    weight: float,
    dispersion: float,
    n: float,
    eta1: float,
    info1: float,
    dev_start: float,
    *,
    level: float,
    exact: bool,
    special: Any,
) -> tuple[float, float] | None:
    """The two ends of :func:`likelihood_ci` for one estimate (``None`` where R has none)."""
    if not (0.0 < p < 1.0 and se > 0 and dispersion > 0 and df > 0 and n > 1):
        return None
    b0, info = (eta1, info1) if exact else _glm_fit(p, weight, eta1, info1, dev_start)
    mu = float(expit(np.asarray(b0)))  # R's fitted value: within the fit's tolerance of p
    step_se = se / (mu * (1.0 - mu))
    lam = step_se**2 * info
    half = (1.0 - level) / 2.0
    crit = float(special.stdtrit(df, half)) if math.isfinite(df) else float(special.ndtri(half))
    alpha = float(special.ndtr(crit * math.sqrt(lam))) / 2.0
    zmax = abs(float(special.stdtrit(n - 1.0, alpha / 2.0)))
    delta = zmax / 5.0
    dev0 = _deviance(b0, p, weight)
    points = [(b0, 0.0)]
    for sign in (-1.0, 1.0):
        z, step = 0.0, 1
        while step < _PROFILE_STEPS and abs(z) < zmax:
            b = b0 + sign * step * delta * step_se
            z = sign * math.sqrt(max((_deviance(b, p, weight) - dev0) / dispersion, 0.0))
            points.append((b, z))
            step += 1
    par = np.array([b for b, _ in points])
    prof = np.array([z for _, z in points])
    order = np.argsort(par, kind="stable")
    grid, fitted = _fmm_spline(par[order], prof[order], 3 * par.size)
    cutoff = float(special.ndtri(2.0 * alpha))
    by_value = np.argsort(fitted, kind="stable")  # R's approx() sorts by the spline's values
    ends = np.interp([cutoff, -cutoff], fitted[by_value], grid[by_value], np.nan, np.nan)
    out = expit(np.asarray(ends, dtype=np.float64))
    return float(out[0]), float(out[1])


def _fmm_spline(x: FloatArray, y: FloatArray, n_out: int) -> tuple[FloatArray, FloatArray]:
    """R's ``spline(x, y, n = n_out, method = "fmm")``: the interpolating cubic spline whose
    end cubics fit the first and last four points (Forsythe, Malcolm and Moler), evaluated on
    ``n_out`` equally spaced points from ``min(x)`` to ``max(x)``."""
    n = x.size
    b, c, d = np.zeros(n), np.zeros(n), np.zeros(n)
    if n < 3:
        slope = (y[1] - y[0]) / (x[1] - x[0])
        b[:] = slope
    else:
        d[0] = x[1] - x[0]
        c[1] = (y[1] - y[0]) / d[0]
        for i in range(1, n - 1):
            d[i] = x[i + 1] - x[i]
            b[i] = 2.0 * (d[i - 1] + d[i])
            c[i + 1] = (y[i + 1] - y[i]) / d[i]
            c[i] = c[i + 1] - c[i]
        b[0], b[n - 1] = -d[0], -d[n - 2]
        c[0] = c[n - 1] = 0.0
        if n > 3:
            c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
            c[n - 1] = c[n - 2] / (x[n - 1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
            c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
            c[n - 1] = -c[n - 1] * d[n - 2] * d[n - 2] / (x[n - 1] - x[n - 4])
        for i in range(1, n):
            t = d[i - 1] / b[i - 1]
            b[i] = b[i] - t * d[i - 1]
            c[i] = c[i] - t * c[i - 1]
        c[n - 1] = c[n - 1] / b[n - 1]
        for i in range(n - 2, -1, -1):
            c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
        b[n - 1] = (y[n - 1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[n - 1])
        for i in range(n - 1):
            b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
            d[i] = (c[i + 1] - c[i]) / d[i]
            c[i] = 3.0 * c[i]
        c[n - 1] = 3.0 * c[n - 1]
        d[n - 1] = d[n - 2]
    grid = np.linspace(x[0], x[-1], n_out)
    seg = np.clip(np.searchsorted(x, grid, side="right") - 1, 0, n - 1)
    dx = grid - x[seg]
    return grid, y[seg] + dx * (b[seg] + dx * (c[seg] + dx * d[seg]))


def survey_wilson_ci(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Score (Wilson) interval with a design effective n (svyciprop ``"wilson"``, survey 4.5).

    Notes
    -----
    ``n* = p (1 - p) / se^2`` and ``t = t_df``; the centre is ``(p + t^2 / (2 n*)) / (1 + t^2/n*)``
    and the half-width ``t / (2 n*) · sqrt(4 n* p (1 - p) + t^2) / (1 + t^2 / n*)``.
    """
    p, s = _f(estimate), _f(se)
    t = t_quantile(level, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_star = p * (1.0 - p) / s**2
    return _wilson(p, n_star, t)


def _wilson(p: FloatArray, n: FloatArray, crit: FloatArray) -> tuple[FloatArray, FloatArray]:
    c2 = crit**2
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1.0 + c2 / n
        centre = (p + c2 / (2.0 * n)) / denom
        half = crit / (2.0 * n) * np.sqrt(4.0 * n * p * (1.0 - p) + c2) / denom
    return _f(centre - half), _f(centre + half)


def wilson_score_ci(
    x: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Classical Wilson score interval for ``x`` successes in ``n`` trials (normal quantile).

    Equals R's ``prop.test(x, n, correct=FALSE)$conf.int``.

    Examples
    --------
    >>> low, high = wilson_score_ci(13, 32)
    >>> round(float(low), 10), round(float(high), 10)
    (0.2551963484, 0.5773997512)
    """
    xa, na = _f(x), _f(n)
    return _wilson(xa / na, na, t_quantile(level, np.inf))


def clopper_pearson_ci(
    x: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Exact (Clopper–Pearson) interval for ``x`` successes in ``n`` trials.

    Equals R's ``binom.test(x, n)$conf.int``; ``x = 0`` gives ``(0, 1 - (alpha/2)^(1/n))``.
    ``n`` need not be an integer (it is an effective sample size in :func:`boundary_ci`).

    Examples
    --------
    >>> low, high = clopper_pearson_ci(0, 32)
    >>> float(low), round(float(high), 7)
    (0.0, 0.1088812)
    """
    from scipy import special  # heavy: scipy loads only when this runs

    alpha = 1.0 - check_level(level)
    xa, na = _f(x), _f(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(
            xa > 0, special.betaincinv(np.maximum(xa, 1e-300), na - xa + 1.0, alpha / 2.0), 0.0
        )
        high = np.where(
            xa < na,
            special.betaincinv(xa + 1.0, np.maximum(na - xa, 1e-300), 1.0 - alpha / 2.0),
            1.0,
        )
    return _f(low), _f(high)


def boundary_ci(
    estimate: ArrayLike,
    n_effective: ArrayLike,
    df: ArrayLike,
    n: ArrayLike,
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Exact interval for an estimated proportion of exactly 0 or 1.

    No delta-method interval exists there (the SE is 0), and R's methods return NaN or a
    zero-width interval.  This is the Clopper–Pearson interval for 0 (or ``n*``) successes out of
    ``n*``, where ``n*`` is ``n_effective`` (the Kish effective size ``(sum w)^2 / sum w^2``)
    scaled by ``(t_{n-1} / t_df)^2`` as in Korn–Graubard: for 0 it is
    ``(0, 1 - (alpha/2)^(1/n*))``.  Unweighted simple random samples get the classical exact
    interval.

    Parameters
    ----------
    estimate : array_like
        0 or 1.
    n_effective : array_like
        Kish effective sample size.
    df : array_like
        Design degrees of freedom.
    n : array_like
        Number of sampled rows.
    level : float, default=0.95
    """
    lvl = check_level(level)
    p = _f(estimate)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = t_quantile(lvl, _f(n) - 1.0) / t_quantile(lvl, df)
        n_star = _f(n_effective) * np.where(np.isfinite(ratio), ratio, 1.0) ** 2
    return clopper_pearson_ci(np.round(p) * n_star, n_star, lvl)


def proportion_ci(
    estimate: ArrayLike,
    se: ArrayLike,
    df: ArrayLike,
    *,
    method: str = "logit",
    level: float = 0.95,
    n: ArrayLike | None = None,
    x: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Confidence interval for a proportion by the named method.

    Parameters
    ----------
    estimate, se, df : array_like
        Estimated proportion, its (design-based) standard error and degrees of freedom.
    method : {"logit", "xlogit", "beta", "wilson", "asin", "mean", "wilson_score", \
"clopper_pearson"}, default="logit"
        ``"logit"`` and ``"xlogit"`` (identical for linearised designs) use :func:`logit_ci`;
        ``"likelihood"`` needs the rows behind the estimate (:func:`likelihood_ci`, through
        ``estimate_proportions``) and raises :class:`~gpcollab.errors.ArgumentError` here;
        ``"beta"`` :func:`korn_graubard_ci`; ``"wilson"`` :func:`survey_wilson_ci`; ``"asin"``
        :func:`asin_ci`; ``"mean"`` :func:`wald_ci`.  The classical ``"wilson_score"`` and
        ``"clopper_pearson"`` ignore ``se`` and ``df`` and use the counts ``x`` of ``n``.
    level : float, default=0.95
    n : array_like, optional
        Number of sampled rows (needed by ``"beta"`` and the classical methods).
    x : array_like, optional
        Unweighted number of successes (classical methods only).

    Returns
    -------
    (low, high) : tuple of ndarray

    Examples
    --------
    >>> low, high = proportion_ci(0.40625, 0.0882099653, 31, method="logit")
    >>> round(float(low), 6), round(float(high), 6)
    (0.245024, 0.590577)
    """
    if method not in CI_METHODS:
        raise ArgumentError(
            f"`ci_method` must be one of {list(CI_METHODS)}, but {method!r} was passed."
        )
    if method == "likelihood":
        raise ArgumentError(
            "`ci_method='likelihood'` needs the rows behind each estimate (its model's "
            "dispersion); use estimate_proportions, or likelihood_ci with them."
        )
    if method in ("logit", "xlogit"):
        return logit_ci(estimate, se, df, level)
    if method == "mean":
        return wald_ci(estimate, se, df, level)
    if method == "asin":
        return asin_ci(estimate, se, df, level)
    if method == "wilson":
        return survey_wilson_ci(estimate, se, df, level)
    if n is None:
        raise ArgumentError(f"`ci_method={method!r}` needs the sample size `n`.")
    if method == "beta":
        return korn_graubard_ci(estimate, se, df, n, level)
    counts = _f(estimate) * _f(n) if x is None else _f(x)
    if method == "wilson_score":
        return wilson_score_ci(counts, n, level)
    return clopper_pearson_ci(counts, n, level)
