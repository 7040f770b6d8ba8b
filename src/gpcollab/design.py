"""Survey designs and the Taylor-linearisation variance engine.

A :class:`SurveyDesign` names the columns that describe how a sample was drawn (weights,
strata, primary sampling units, finite population correction).  :func:`prepare_design` turns it
into integer-coded arrays once per call (:class:`PreparedDesign`), and every estimator then
reduces to the same two steps:

1. compute influence values ``z`` (one column per estimate) for the point estimate;
2. hand them to :func:`influence_covariance` (dense ``z``) or, for many domains at once, sum them
   by PSU with :func:`psu_sums` / :func:`domain_psu_sums` and call :func:`stratified_variance`.

The conventions are those of R's ``survey`` package for single-stage (ultimate cluster) designs:
with-replacement sampling of PSUs within strata, an optional finite population correction,
``survey.lonely.psu``-style handling of strata with a single PSU, and the raking-aware variance
R computes for designs whose weights were raked (see ``SurveyDesign.calibration``).

Multistage designs (R's ``svydesign(ids=~psu+ssu, fpc=~fpc1+fpc2)``, e.g. ``dclus2``) are out of
scope: only the first stage is used, which is R's default "ultimate cluster" approximation when
no second-stage fpc is given.  No data in this project needs more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpcollab.errors import ArgumentError, DesignError

__all__ = [
    "LonelyPSU",
    "PreparedDesign",
    "SurveyDesign",
    "design_df",
    "domain_df",
    "domain_df_from_counts",
    "domain_psu_sums",
    "influence_covariance",
    "prepare_design",
    "psu_sums",
    "stratified_covariance",
    "stratified_variance",
]

LonelyPSU: TypeAlias = Literal["fail", "adjust", "average", "remove"]
_LONELY_CHOICES: tuple[str, ...] = ("fail", "adjust", "average", "remove")

#: Number of backfitting sweeps R's ``svyrecvar`` applies for raked designs.
RAKING_SWEEPS = 10

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.intp]


@dataclass(frozen=True)
class SurveyDesign:
    """How a sample was drawn, by column name.

    Parameters
    ----------
    weights : str or None, default=None
        Column of sampling (or raked) weights: the number of population units each row stands
        for.  ``None`` gives every row weight 1, or ``N_h / m_h`` when ``fpc`` holds population
        counts.
    strata : str or None, default=None
        Column of stratum labels.  ``None`` means a single stratum.
    psu : str or None, default=None
        Column of primary sampling unit (cluster) labels.  ``None`` makes every row its own PSU.
        PSU labels are read within strata (R's ``nest=TRUE``): the same label in two strata
        names two different PSUs.
    fpc : str or None, default=None
        Finite population correction, constant within each stratum: either the population
        number of PSUs in the stratum (values > 1), or the sampling fraction (values in
        ``(0, 1]``), as R's ``fpc=`` argument.  ``None`` means sampling with replacement.
    lonely_psu : {"fail", "adjust", "average", "remove"}, default="fail"
        What to do with a stratum that has a single PSU (R's ``options(survey.lonely.psu=)``):
        ``"fail"`` raises :class:`~gpcollab.errors.DesignError`; ``"adjust"`` measures that PSU's
        total from the grand mean instead of its stratum mean (exactly as R: from zero, which is
        the grand mean of influence values of means and proportions); ``"average"`` replaces
        its contribution by the average contribution of the other strata; ``"remove"`` lets it
        contribute nothing.  A single PSU that was sampled with certainty (fpc equal to one PSU)
        contributes zero whatever the policy.
    calibration : tuple of str, default=()
        Columns whose margins ``weights`` were raked (or post-stratified) to.  When set, the
        influence values are projected off the calibration margins before the variance is
        computed, as R does for a design returned by ``rake()``/``postStratify()``.

    Notes
    -----
    ``SurveyDesign()`` with no arguments is a simple random sample with replacement of
    equally weighted rows: the variance of a mean is then ``s^2 / n`` with
    ``s^2 = sum((y - ybar)^2) / (n - 1)``, i.e. ``p(1 - p) / (n - 1)`` for a proportion.

    Examples
    --------
    >>> design = SurveyDesign(weights="weight", strata="region", psu="ccg")
    >>> design.lonely_psu
    'fail'
    """

    weights: str | None = None
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: LonelyPSU = "fail"
    calibration: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("weights", "strata", "psu", "fpc"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ArgumentError(
                    f"SurveyDesign `{name}` must be a column name (str) or None, "
                    f"but {value!r} was passed."
                )
        if self.lonely_psu not in _LONELY_CHOICES:
            raise ArgumentError(
                f"SurveyDesign `lonely_psu` must be one of {list(_LONELY_CHOICES)}, "
                f"but {self.lonely_psu!r} was passed."
            )
        calibration: object = self.calibration
        if isinstance(calibration, str):
            calibration = (calibration,)
        if not isinstance(calibration, tuple | list) or not all(
            isinstance(c, str) for c in calibration
        ):
            raise ArgumentError(
                "SurveyDesign `calibration` must be a tuple of column names, "
                f"but {self.calibration!r} was passed."
            )
        object.__setattr__(self, "calibration", tuple(str(c) for c in calibration))


@dataclass(frozen=True)
class PreparedDesign:
    """Integer-coded design arrays for one table of ``n`` rows.

    Attributes
    ----------
    weights : ndarray of float, shape (n,)
        Row weights (non-negative).
    stratum : ndarray of intp, shape (n,)
        Stratum codes ``0..H-1``.
    psu : ndarray of intp, shape (n,)
        PSU codes ``0..P-1``, distinct across strata.
    psu_stratum : ndarray of intp, shape (P,)
        Stratum code of each PSU.
    psu_per_stratum : ndarray of intp, shape (H,)
        Number of PSUs ``m_h`` in each stratum (whole sample).
    sampling_fraction : ndarray of float, shape (H,)
        ``f_h`` of the finite population correction (0 without one).
    lonely_psu : str
        Lonely-PSU policy.
    calibration_codes : tuple of ndarray of intp
        Level codes (shape (n,)) of each calibration margin, in the order given.
    calibration_levels : tuple of int
        Number of levels of each calibration margin.
    """

    weights: FloatArray
    stratum: IntArray
    psu: IntArray
    psu_stratum: IntArray
    psu_per_stratum: IntArray
    sampling_fraction: FloatArray
    lonely_psu: LonelyPSU = "fail"
    calibration_codes: tuple[IntArray, ...] = ()
    calibration_levels: tuple[int, ...] = ()
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.weights.shape[0])

    @property
    def n_strata(self) -> int:
        """Number of strata ``H``."""
        return int(self.psu_per_stratum.shape[0])

    @property
    def n_psu(self) -> int:
        """Number of PSUs ``P``."""
        return int(self.psu_stratum.shape[0])

    @property
    def df(self) -> int:
        """Design degrees of freedom of the whole sample (PSUs minus strata, nonzero weights)."""
        return design_df(self)


def _column(data: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in data.columns:
        raise ArgumentError(
            f"SurveyDesign `{role}` names column {name!r}, which is not in the data; "
            f"available columns: {list(map(str, data.columns))}."
        )
    col = data[name]
    if not isinstance(col, pd.Series):  # duplicated column label
        raise DesignError(f"SurveyDesign `{role}` column {name!r} appears more than once.")
    n_missing = int(col.isna().sum())
    if n_missing:
        raise DesignError(
            f"SurveyDesign `{role}` column {name!r} has {n_missing} missing value(s); "
            "design columns must be complete (drop or impute those rows first)."
        )
    return col


def _dense_codes(values: NDArray[np.int64]) -> tuple[IntArray, int] | None:
    """Codes of non-negative integers in sorted order in O(n), or None if the range is large."""
    if values.size == 0:
        return None
    lo, hi = int(values.min()), int(values.max())
    if lo < 0 or hi > 4 * values.size + 1024:
        return None
    present = np.bincount(values, minlength=hi + 1) > 0
    remap = np.cumsum(present, dtype=np.intp) - 1
    return remap[values], int(remap[-1]) + 1


def _codes(col: pd.Series) -> tuple[IntArray, int]:
    """Codes ``0..k-1`` of a column's values, in sorted (or category) order."""
    if pd.api.types.is_integer_dtype(col.dtype) and not isinstance(col.dtype, pd.CategoricalDtype):
        dense = _dense_codes(np.asarray(col, dtype=np.int64))
        if dense is not None:
            return dense
    codes, uniques = pd.factorize(col, sort=True)
    return codes.astype(np.intp, copy=False), len(uniques)


def _numeric(col: pd.Series, name: str, role: str) -> FloatArray:
    try:
        values = np.asarray(col, dtype=np.float64)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"SurveyDesign `{role}` column {name!r} must be numeric, but has dtype {col.dtype}."
        ) from None
    if not np.all(np.isfinite(values)):
        raise DesignError(f"SurveyDesign `{role}` column {name!r} has non-finite values.")
    return values


def prepare_design(data: pd.DataFrame, design: SurveyDesign | None) -> PreparedDesign:
    """Encode the design columns of ``data`` as integer arrays.

    Parameters
    ----------
    data : pandas.DataFrame
        The sample, one row per responding unit.
    design : SurveyDesign or None
        The design; ``None`` means a simple random sample (``SurveyDesign()``).

    Returns
    -------
    PreparedDesign
        Codes and weights for the ``len(data)`` rows.

    Raises
    ------
    ArgumentError
        ``data`` is not a DataFrame, or a named column is absent or not numeric.
    DesignError
        A design column is incomplete; weights are negative; the fpc is not constant within
        strata or smaller than the number of sampled PSUs; a stratum has a single PSU and
        ``lonely_psu="fail"``.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 2.0, 3.0, 4.0], "h": [0, 0, 1, 1]})
    >>> prep = prepare_design(df, SurveyDesign(weights="w", strata="h"))
    >>> prep.n_psu, prep.n_strata, prep.df
    (4, 2, 2)
    """
    if design is None:
        design = SurveyDesign()
    if not isinstance(design, SurveyDesign):
        raise ArgumentError(
            f"`design` must be a SurveyDesign or None, but {type(design).__name__} was passed."
        )
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"`data` must be a pandas DataFrame, but {type(data).__name__} was passed."
        )
    n = len(data)
    if n == 0:
        raise DesignError("`data` has no rows; a design needs at least one row.")

    if design.strata is not None:
        stratum, n_strata = _codes(_column(data, design.strata, "strata"))
    else:
        stratum, n_strata = np.zeros(n, dtype=np.intp), 1

    if design.psu is not None:
        psu_raw, n_raw = _codes(_column(data, design.psu, "psu"))
        psu_key = stratum.astype(np.int64) * n_raw + psu_raw
        dense = _dense_codes(psu_key)
        if dense is None:
            psu_codes, psu_uniques = pd.factorize(psu_key, sort=True)
            dense = psu_codes.astype(np.intp, copy=False), len(psu_uniques)
        psu, n_psu = dense
    else:
        order = np.argsort(stratum, kind="stable")
        psu = np.empty(n, dtype=np.intp)
        psu[order] = np.arange(n, dtype=np.intp)
        n_psu = n
    psu_stratum = np.zeros(n_psu, dtype=np.intp)
    psu_stratum[psu] = stratum
    psu_per_stratum = np.bincount(psu_stratum, minlength=n_strata).astype(np.intp)

    fraction = np.zeros(n_strata, dtype=np.float64)
    if design.fpc is not None:
        fpc = _numeric(_column(data, design.fpc, "fpc"), design.fpc, "fpc")
        lo = np.full(n_strata, np.inf)
        hi = np.full(n_strata, -np.inf)
        np.minimum.at(lo, stratum, fpc)
        np.maximum.at(hi, stratum, fpc)
        if np.any(lo != hi):
            bad = int(np.flatnonzero(lo != hi)[0])
            raise DesignError(
                f"SurveyDesign `fpc` column {design.fpc!r} must be constant within each "
                f"stratum, but stratum #{bad} has values from {float(lo[bad])!r} "
                f"to {float(hi[bad])!r}."
            )
        if np.any(lo <= 0):
            raise DesignError(
                f"SurveyDesign `fpc` column {design.fpc!r} must be positive "
                "(population counts, or sampling fractions in (0, 1])."
            )
        if np.all(lo <= 1):
            fraction = lo.copy()
        elif np.any(lo < 1):
            raise DesignError(
                f"SurveyDesign `fpc` column {design.fpc!r} mixes sampling fractions (< 1) and "
                "population counts (> 1); use one or the other (as R: all <= 1 or all >= 1)."
            )
        else:
            if np.any(lo < psu_per_stratum):
                bad = int(np.flatnonzero(lo < psu_per_stratum)[0])
                raise DesignError(
                    f"SurveyDesign `fpc` column {design.fpc!r}: stratum #{bad} has population "
                    f"size {float(lo[bad])!r} but {int(psu_per_stratum[bad])} sampled PSUs."
                )
            fraction = psu_per_stratum / lo

    if design.weights is not None:
        weights = _numeric(_column(data, design.weights, "weights"), design.weights, "weights")
        if np.any(weights < 0):
            raise DesignError(
                f"SurveyDesign `weights` column {design.weights!r} has negative values; "
                "weights must be >= 0."
            )
    elif design.fpc is not None:
        weights = (1.0 / fraction)[stratum]
    else:
        weights = np.ones(n, dtype=np.float64)

    lonely = psu_per_stratum == 1
    certain = fraction >= 1.0 - 1e-7
    if design.lonely_psu == "fail" and np.any(lonely & ~certain):
        lonely_codes = np.flatnonzero(lonely & ~certain)
        labels = (
            pd.unique(np.asarray(data[design.strata])[np.isin(stratum, lonely_codes)]).tolist()
            if design.strata is not None
            else ["(single stratum)"]
        )
        raise DesignError(
            f"{len(lonely_codes)} stratum/strata have a single PSU (lonely PSU): "
            f"{list(labels)[:10]!r}. Choose SurveyDesign(lonely_psu=...) from "
            "'adjust', 'average' or 'remove' (as R's options(survey.lonely.psu=)), "
            "or merge those strata."
        )

    cal_codes: list[IntArray] = []
    cal_levels: list[int] = []
    for name in design.calibration:
        codes, k = _codes(_column(data, name, "calibration"))
        cal_codes.append(codes)
        cal_levels.append(k)

    return PreparedDesign(
        weights=weights,
        stratum=stratum,
        psu=psu,
        psu_stratum=psu_stratum,
        psu_per_stratum=psu_per_stratum,
        sampling_fraction=fraction,
        lonely_psu=design.lonely_psu,
        calibration_codes=tuple(cal_codes),
        calibration_levels=tuple(cal_levels),
    )


# --------------------------------------------------------------------------- accumulation


def _as_2d(z: NDArray[np.float64], n: int) -> FloatArray:
    arr = np.asarray(z, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise ArgumentError(
            f"influence values must have shape (n,) or (n, k) with n = {n}, "
            f"but shape {np.shape(z)} was passed."
        )
    return arr


def _wsum(codes: IntArray, *, weights: FloatArray, minlength: int) -> FloatArray:
    """Weighted ``bincount`` typed as float."""
    return np.asarray(np.bincount(codes, weights=weights, minlength=minlength), dtype=np.float64)


def _group_sums(codes: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    """Column sums of ``values`` (n, k) by row group ``codes`` -> (n_groups, k), no loops."""
    k = values.shape[1]
    if k == 1:
        one = _wsum(codes, weights=values[:, 0], minlength=n_groups)
        return one[:, None]
    flat = (codes[:, None] * k + np.arange(k, dtype=np.intp)).ravel()
    out = _wsum(flat, weights=values.ravel(), minlength=n_groups * k)
    return out.reshape(n_groups, k)


def psu_sums(prepared: PreparedDesign, z: NDArray[np.float64]) -> FloatArray:
    """Sum influence values within PSUs.

    Parameters
    ----------
    prepared : PreparedDesign
    z : ndarray, shape (n,) or (n, k)

    Returns
    -------
    ndarray, shape (P, k)
        PSU totals ``t_pj = sum_{i in p} z_ij``.
    """
    return _group_sums(prepared.psu, _as_2d(z, prepared.n), prepared.n_psu)


def domain_psu_sums(
    prepared: PreparedDesign,
    values: NDArray[np.float64],
    domain: IntArray,
    n_domains: int,
) -> FloatArray:
    """PSU-by-domain totals of a per-row value, for influence values that live in one domain.

    Row ``i`` contributes ``values[i]`` to column ``domain[i]`` only, so the (n, D) matrix of
    influence values is never built: one ``bincount`` over ``psu * D + domain``.

    Parameters
    ----------
    prepared : PreparedDesign
    values : ndarray of float, shape (n,)
    domain : ndarray of intp, shape (n,)
        Domain code of each row, ``0..D-1``; rows with a negative code are outside every domain.
    n_domains : int

    Returns
    -------
    ndarray, shape (P, D)
    """
    keep = domain >= 0
    psu = prepared.psu
    vals = np.asarray(values, dtype=np.float64)
    if not np.all(keep):
        psu, domain, vals = psu[keep], domain[keep], vals[keep]
    flat = psu * n_domains + domain
    out = _wsum(flat, weights=vals, minlength=prepared.n_psu * n_domains)
    return out.reshape(prepared.n_psu, n_domains)


# --------------------------------------------------------------------------- calibration


def _calibration_crosstabs(prepared: PreparedDesign) -> list[list[FloatArray]]:
    key = "crosstabs"
    cached = prepared._cache.get(key)
    if cached is None:
        codes, levels = prepared.calibration_codes, prepared.calibration_levels
        tabs: list[list[FloatArray]] = []
        for a, la in zip(codes, levels, strict=True):
            row = []
            for b, lb in zip(codes, levels, strict=True):
                flat = np.bincount(a * lb + b, minlength=la * lb).astype(np.float64)
                row.append(flat.reshape(la, lb))
            tabs.append(row)
        prepared._cache[key] = tabs
        cached = tabs
    return cached  # type: ignore[return-value]


def _calibration_psu_weights(prepared: PreparedDesign) -> list[FloatArray]:
    key = "psu_weights"
    cached = prepared._cache.get(key)
    if cached is None:
        out = []
        for codes, levels in zip(
            prepared.calibration_codes, prepared.calibration_levels, strict=True
        ):
            flat = prepared.psu * levels + codes
            sums = np.bincount(flat, weights=prepared.weights, minlength=prepared.n_psu * levels)
            out.append(sums.reshape(prepared.n_psu, levels))
        prepared._cache[key] = out
        cached = out
    return cached  # type: ignore[return-value]


def calibration_psu_correction(
    prepared: PreparedDesign, level_sums: list[FloatArray]
) -> FloatArray:
    """PSU totals to subtract for the raking-aware (calibration) variance.

    With ``u_i = z_i / w_i``, R's ``svyrecvar`` repeatedly (10 sweeps, margin by margin)
    subtracts from ``u`` its unweighted mean within each level of each raking margin, and uses
    ``w_i * u_i`` afterwards.  The accumulated subtraction is ``sum_m b_m[level_m(i)]``, so it
    can be carried out on the small level-by-level tables alone: a Gauss–Seidel iteration on the
    coefficients ``b_m`` using the cross-tabulation counts of the margins.

    Parameters
    ----------
    prepared : PreparedDesign
    level_sums : list of ndarray, each (L_m, k)
        ``sum_{i: level_m(i) = l} z_i / w_i`` for each calibration margin ``m``.

    Returns
    -------
    ndarray, shape (P, k)
        ``sum_{i in p} w_i * sum_m b_m[level_m(i)]``.
    """
    tabs = _calibration_crosstabs(prepared)
    counts = [np.diag(tabs[m][m]) for m in range(len(tabs))]
    k = level_sums[0].shape[1]
    coefs = [np.zeros((len(c), k)) for c in counts]
    for _ in range(RAKING_SWEEPS):
        for m in range(len(coefs)):
            fitted = sum((tabs[m][j] @ coefs[j] for j in range(len(coefs))), start=np.zeros((1, k)))
            with np.errstate(invalid="ignore", divide="ignore"):
                step = (level_sums[m] - fitted) / counts[m][:, None]
            coefs[m] = coefs[m] + np.where(counts[m][:, None] > 0, step, 0.0)
    psu_w = _calibration_psu_weights(prepared)
    return sum((psu_w[m] @ coefs[m] for m in range(len(coefs))), start=np.zeros((1, k)))


def calibration_level_sums(prepared: PreparedDesign, z: FloatArray) -> list[FloatArray]:
    """``sum z/w`` by level of each calibration margin for dense influence values (n, k)."""
    w = prepared.weights
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(w[:, None] > 0, z / w[:, None], 0.0)
    return [
        _group_sums(codes, u, levels)
        for codes, levels in zip(
            prepared.calibration_codes, prepared.calibration_levels, strict=True
        )
    ]


# --------------------------------------------------------------------------- variance


def _centred_and_scale(
    prepared: PreparedDesign, totals: FloatArray
) -> tuple[FloatArray, FloatArray, float]:
    """Centre PSU totals within strata; return them, the per-PSU scale, and the strata factor."""
    m = prepared.psu_per_stratum
    h_of_p = prepared.psu_stratum
    strat_sum = _group_sums(h_of_p, totals, prepared.n_strata)
    centred = totals - (strat_sum / m[:, None])[h_of_p]
    f = prepared.sampling_fraction
    with np.errstate(divide="ignore", invalid="ignore"):
        scale_h = np.where(m > 1, (1.0 - f) * m / (m - 1), 0.0)
    lonely = (m == 1) & (f < 1.0 - 1e-7)
    factor = 1.0
    if np.any(lonely):
        policy = prepared.lonely_psu
        if policy == "fail":
            raise DesignError(
                "a stratum has a single PSU; set SurveyDesign(lonely_psu=...) to "
                "'adjust', 'average' or 'remove'."
            )
        if policy == "adjust":
            # R (survey 4.x) leaves a lonely PSU's total uncentred, i.e. measures it from 0;
            # for means and proportions the influence values sum to 0, so this is the
            # deviation from the grand mean of the PSU totals.
            lonely_p = lonely[h_of_p]
            centred[lonely_p] = totals[lonely_p]
            scale_h = np.where(lonely, 1.0 - f, scale_h)
        elif policy == "average":
            n_ok = int(np.sum(~lonely))
            factor = prepared.n_strata / n_ok if n_ok else float("nan")
        # "remove": scale 0 already
    return centred, scale_h[h_of_p], factor


def stratified_covariance(prepared: PreparedDesign, totals: NDArray[np.float64]) -> FloatArray:
    """Covariance from PSU totals (with-replacement first stage, strata, fpc, lonely PSUs).

    Parameters
    ----------
    prepared : PreparedDesign
    totals : ndarray, shape (P, k)
        PSU totals of the influence values.

    Returns
    -------
    ndarray, shape (k, k)

    Notes
    -----
    ``V = sum_h (1 - f_h) * m_h / (m_h - 1) * sum_{p in h} (t_p - tbar_h)(t_p - tbar_h)^T``,
    where ``m_h`` is the number of PSUs in stratum ``h``, ``tbar_h`` the mean PSU total there
    and ``f_h`` the sampling fraction.
    """
    centred, scale, factor = _centred_and_scale(prepared, np.asarray(totals, dtype=np.float64))
    cov = (centred * scale[:, None]).T @ centred
    return cov * factor


def stratified_variance(prepared: PreparedDesign, totals: NDArray[np.float64]) -> FloatArray:
    """Diagonal of :func:`stratified_covariance` only, in ``O(P k)``: shape (k,)."""
    centred, scale, factor = _centred_and_scale(prepared, np.asarray(totals, dtype=np.float64))
    var: FloatArray = np.einsum("pk,p,pk->k", centred, scale, centred)
    return var * factor


def influence_covariance(prepared: PreparedDesign, z: NDArray[np.float64]) -> FloatArray:
    """Taylor-linearised covariance of estimates with influence values ``z``.

    Parameters
    ----------
    prepared : PreparedDesign
    z : ndarray, shape (n,) or (n, k)
        Influence values: estimate ``j`` minus its true value is approximately
        ``sum_i z[i, j]``.  For domain estimates pass the full-sample values (zero outside the
        domain).

    Returns
    -------
    ndarray, shape (k, k)

    Notes
    -----
    The values are summed within PSUs, and :func:`stratified_covariance` is applied.  When the
    design has calibration margins, the PSU totals are first corrected with
    :func:`calibration_psu_correction` (R's raking-aware variance).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 0.0, 1.0, 1.0]})
    >>> prep = prepare_design(df, None)
    >>> z = (df["y"].to_numpy() - 0.75) / 4
    >>> float(influence_covariance(prep, z)[0, 0])  # p(1-p)/(n-1)
    0.0625
    """
    z2 = _as_2d(z, prepared.n)
    totals = _group_sums(prepared.psu, z2, prepared.n_psu)
    if prepared.calibration_codes:
        totals = totals - calibration_psu_correction(prepared, calibration_level_sums(prepared, z2))
    return stratified_covariance(prepared, totals)


# --------------------------------------------------------------------------- degrees of freedom


def design_df(prepared: PreparedDesign, mask: NDArray[np.bool_] | None = None) -> int:
    """Design degrees of freedom: PSUs minus strata among rows in ``mask`` with nonzero weight.

    Parameters
    ----------
    prepared : PreparedDesign
    mask : ndarray of bool, shape (n,), optional
        Rows of a domain; ``None`` means all rows.

    Returns
    -------
    int
        R's ``degf(subset(design, mask))``.
    """
    inset = prepared.weights != 0
    if mask is not None:
        inset = inset & np.asarray(mask, dtype=bool)
    n_psu = int(np.count_nonzero(np.bincount(prepared.psu[inset], minlength=prepared.n_psu)))
    n_str = int(np.count_nonzero(np.bincount(prepared.stratum[inset], minlength=prepared.n_strata)))
    return n_psu - n_str


def domain_df(prepared: PreparedDesign, domain: IntArray, n_domains: int) -> IntArray:
    """:func:`design_df` of every domain at once: shape (D,).

    Parameters
    ----------
    prepared : PreparedDesign
    domain : ndarray of intp, shape (n,)
        Domain codes ``0..D-1`` (negative: in no domain).
    n_domains : int
    """
    inset = (prepared.weights != 0) & (domain >= 0)
    d = domain[inset]
    psu_hit = np.bincount(
        prepared.psu[inset] * n_domains + d, minlength=prepared.n_psu * n_domains
    ).reshape(prepared.n_psu, n_domains)
    str_hit = np.bincount(
        prepared.stratum[inset] * n_domains + d, minlength=prepared.n_strata * n_domains
    ).reshape(prepared.n_strata, n_domains)
    out: IntArray = (np.count_nonzero(psu_hit, axis=0) - np.count_nonzero(str_hit, axis=0)).astype(
        np.intp
    )
    return out


def domain_df_from_counts(prepared: PreparedDesign, counts: NDArray[np.integer]) -> IntArray:
    """Domain degrees of freedom from a (P, D) table of nonzero-weight row counts.

    The same as :func:`domain_df`, for callers that already accumulated rows by PSU and domain.
    """
    hit = np.asarray(counts) > 0
    n_domains = hit.shape[1]
    flat = (prepared.psu_stratum[:, None] * n_domains + np.arange(n_domains)).ravel()
    per_stratum = np.bincount(
        flat, weights=hit.ravel().astype(np.float64), minlength=prepared.n_strata * n_domains
    ).reshape(prepared.n_strata, n_domains)
    out: IntArray = (hit.sum(axis=0) - np.count_nonzero(per_stratum, axis=0)).astype(np.intp)
    return out
