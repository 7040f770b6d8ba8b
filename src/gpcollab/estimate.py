"""Design-based means, totals and proportions, overall and by domain.

Each estimator returns a tidy :class:`pandas.DataFrame` with one row per domain (and, for
proportions, per level of ``y``).  All domains are computed in one vectorised pass: row
quantities are accumulated with ``numpy.bincount`` over integer domain codes, influence values
are summed by PSU and domain without building an (n, D) matrix, and the variance is computed by
:mod:`gpcollab.design`.

Conventions (R's ``survey``/``srvyr``):

* Domain estimates use full-sample influence values (rows outside a domain contribute zero),
  so SEs equal ``svyby(...)``/``subset()``; each domain has its own degrees of freedom (its
  PSUs minus its strata, among rows with nonzero weight), as ``degf(subset(design, ...))``.
* Confidence intervals use ``t`` on the design degrees of freedom, as ``svyciprop`` and srvyr
  do (``confint(svymean())`` is normal-based: pass ``df=np.inf`` to get it).
* Domains are the combinations of ``by`` values present in the data (R's ``svyby`` drops empty
  ones); categorical ``by`` columns keep their category order and dtype.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpcollab import replicate
from gpcollab._checks import check_level
from gpcollab._parallel import both
from gpcollab._typing import FloatArray, IntArray
from gpcollab.design import (
    DomainRows,
    PreparedDesign,
    SurveyDesign,
    calibration_psu_correction,
    codes_without_hashing,
    domain_df,
    domain_df_from_counts,
    greg_psu_correction,
    poststratum_psu_correction,
    prepare_design,
    ssu_sums,
    stratified_variance,
)
from gpcollab.domains import (
    By,
    Domains,
    DomainSums,
    blank_domains,
    check_columns,
    check_estimate_args,
    code_domains,
    factor_codes,
    numeric_outcome,
)
from gpcollab.errors import ArgumentError, BoundaryWarning, DesignError
from gpcollab.estimate_table import (
    DEFF_KINDS,
    ESTIMATE_COLUMNS,
    DeffKind,
    boundary_warning,
    check_proportion_args,
    deff_n_eff,
    interval_df,
    kish_n,
    level_labels,
    proportion_intervals,
    result_table,
    wald_table,
)
from gpcollab.intervals import (
    CIMethod,
    proportion_ci,
    t_quantile,
)
from gpcollab.quantile_rules import QRULES, QRule, check_probabilities, quantile_of_sorted
from gpcollab.replicate import ReplicateDesign

__all__ = [
    "ESTIMATE_COLUMNS",
    "BoundaryWarning",
    "estimate_mean",
    "estimate_proportions",
    "estimate_quantile",
    "estimate_ratio",
    "estimate_total",
    "estimate_var",
]


# --------------------------------------------------------------------------- domains


def _prepare(
    data: pd.DataFrame,
    y: str,
    by: By,
    design: SurveyDesign | None,
    na_rm: bool,
    y_codes: IntArray | None = None,
) -> tuple[PreparedDesign, list[str], Domains]:
    """Checks, the prepared design and the domains; ``y_codes`` (factor codes of ``y``, -1
    for missing) spares a second pass over a text ``y``."""
    by_cols = check_estimate_args(data, y, by)

    def domains() -> Domains:
        y_missing = np.asarray(data[y].isna(), dtype=bool) if y_codes is None else y_codes < 0
        return code_domains(data, by_cols, y_missing, na_rm, y)

    # pandas hashes a text column holding the GIL for most of the run, so beside another step
    # it only makes the two wait on each other (measured: slower, not faster): code such
    # columns on this thread, one step after the other (a column read by read_csv is coded
    # from its objects' addresses, by NumPy steps that release the GIL: side by side)
    hashed = not all(codes_without_hashing(data[c]) for c in by_cols)
    prepared, dom = both(
        lambda: prepare_design(data, design), domains, rows=0 if hashed else len(data)
    )
    if dom.count == 0 or not np.any(dom.code >= 0):
        raise DesignError(
            f"No row has non-missing values in {[y, *by_cols]!r}"
            + (" after na_rm=True left the missing ones out" if na_rm else "")
            + "; there is nothing to estimate."
        )
    return prepared, by_cols, dom


# --------------------------------------------------------------------------- core sums


def _domain_sums(prepared: PreparedDesign, dom: Domains) -> DomainSums:
    inside = dom.code >= 0
    code = dom.code[inside]
    w = prepared.weights[inside]
    d = dom.count
    return DomainSums(
        n=np.bincount(code, minlength=d).astype(np.intp),
        n_pos=np.bincount(code[w != 0], minlength=d).astype(np.intp),
        w=_wsum(code, w, d),
        w2=_wsum(code, w * w, d),
    )


def _wsum(code: IntArray, weights: FloatArray, length: int) -> FloatArray:
    return np.asarray(np.bincount(code, weights=weights, minlength=length), dtype=np.float64)


def _calibrated_totals(
    prepared: PreparedDesign,
    totals: FloatArray,
    column: IntArray,
    u: FloatArray,
    n_cols: int,
) -> FloatArray:
    """PSU totals (P, K) corrected for raking margins or post-strata (R's ``svyrecvar``).

    ``u`` (n,) is ``z / w`` for the single column ``column[i]`` row ``i`` feeds; rows with a
    negative column feed none.
    """
    inside = column >= 0
    if prepared.calibration_codes:
        sums = []
        ratios = prepared.calibration_ratios or (None,) * len(prepared.calibration_codes)
        for codes, levels, r in zip(
            prepared.calibration_codes, prepared.calibration_levels, ratios, strict=True
        ):
            flat = codes[inside] * n_cols + column[inside]
            ur = u[inside] if r is None else u[inside] * r[inside]
            sums.append(_wsum(flat, ur, levels * n_cols).reshape(levels, n_cols))
        totals = totals - calibration_psu_correction(prepared, sums)
    if prepared.poststratum is not None:
        levels = prepared.n_poststrata
        flat = prepared.poststratum[inside] * n_cols + column[inside]
        z = u[inside] * prepared.weights[inside]
        level_sums = _wsum(flat, z, levels * n_cols).reshape(levels, n_cols)
        totals = totals - poststratum_psu_correction(prepared, level_sums)
    if prepared.greg_matrix is not None and prepared.greg_base is not None:
        # sum_i x_i z_i / g_i = sum_i x_i u_i d_i, column by column of the calibration model
        ud = u[inside] * prepared.greg_base[inside]
        greg = np.stack(
            [_wsum(column[inside], x[inside] * ud, n_cols) for x in prepared.greg_matrix.T]
        )
        totals = totals - greg_psu_correction(prepared, greg)
    return totals


def _as_float(x: NDArray[np.floating] | FloatArray) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------- means / totals


@dataclass(frozen=True)
class _Means:
    """Domain means (or totals) of one per-row value, with their variance and design df."""

    estimate: FloatArray
    var: FloatArray
    design_df: IntArray
    sums: DomainSums
    sigma2: FloatArray  # plug-in variance of the value in each domain
    scale2: FloatArray  # 1 for means, W_d^2 for totals
    psu_totals: FloatArray  # (P, D) PSU totals of the influence values, calibration-corrected
    ssu_totals: FloatArray | None = None  # (S, D) SSU totals of the same, two-stage designs


def domain_reference(
    code: IntArray, values: FloatArray, n_domains: int, weights: FloatArray
) -> FloatArray:
    """One value of ``values`` taken from each domain's rows of nonzero weight: shape (D,).

    Sums are formed from ``values`` minus its domain's reference value: that keeps one-pass
    variances stable, and a domain whose values (of nonzero weight) are all equal gets exactly
    that value back as its mean, with influence values of exactly zero, so its SE is exactly
    0 and no shift or rounding leaks into the estimate.  Which row supplies the value does not
    matter, so the rows are read in growing chunks until every domain has one (usually the
    first few thousand rows).  A domain without rows of nonzero weight takes 0.

    Parameters
    ----------
    code : ndarray of intp, shape (n,)
        Domain ``0..D-1`` of each row (every row in a domain).
    values : ndarray of float, shape (n,)
    n_domains : int
    weights : ndarray of float, shape (n,)
    """
    reference = np.zeros(n_domains)
    seen = np.zeros(n_domains, dtype=bool)
    start, step, n = 0, _REFERENCE_CHUNK, code.shape[0]
    while start < n:
        stop = min(n, start + step)
        chunk_code, chunk_values = code[start:stop], values[start:stop]
        positive = weights[start:stop] != 0
        if not bool(positive.all()):
            chunk_code, chunk_values = chunk_code[positive], chunk_values[positive]
        reference[chunk_code] = chunk_values
        seen[chunk_code] = True
        if bool(seen.all()):
            break
        start, step = stop, step * 4
    return reference


_REFERENCE_CHUNK = 4096
"""Rows read first by :func:`domain_reference`; each further chunk is four times larger."""


def _shifted(
    values: FloatArray, code: IntArray, reference: FloatArray
) -> tuple[FloatArray, FloatArray, bool]:
    """``values`` minus their domain's reference value, the shift used for each domain, and
    whether the shifted values are known to be all 0 or 1 (so that they equal their squares).

    One subtraction serves every domain when their references agree, and a 0/1 outcome needs
    no shift (a domain of 0s sums to 0 and one of 1s to its weight total, exactly); otherwise
    each row takes its own domain's reference.
    """
    if bool(np.all(reference == reference[0])):
        return values - reference[0], reference, False
    if bool(np.all((reference == 0.0) | (reference == 1.0))) and bool(
        np.all((values == 0.0) | (values == 1.0))
    ):
        return values, np.zeros_like(reference), True
    shifted = reference.take(code)
    np.subtract(values, shifted, out=shifted)
    return shifted, reference, False


def _domain_means(
    prepared: PreparedDesign,
    dom: Domains,
    values: FloatArray,
    kind: Literal["mean", "total"] = "mean",
) -> _Means:
    """Means (totals) of ``values`` over every domain in one pass.

    Everything is accumulated per (PSU, domain) cell: one bincount per quantity, no (n, D)
    matrix.  ``values`` is shifted by a value of its own domain first
    (:func:`domain_reference`), so the one-pass variance is stable and a constant domain is
    exact.
    """
    inside = dom.code >= 0
    d, n_psu = dom.count, prepared.n_psu
    if bool(inside.all()):
        code, w, yv, psu = dom.code, prepared.weights, values, prepared.psu
    else:
        code, w, yv = dom.code[inside], prepared.weights[inside], values[inside]
        psu = prepared.psu[inside]
    yc, shift, zero_one = _shifted(yv, code, domain_reference(code, yv, d, w))
    cell = psu * d
    cell += code
    size = n_psu * d

    def counts_and_weights() -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        count = np.bincount(cell, minlength=size)
        positive = w != 0
        count_pos = count if bool(positive.all()) else np.bincount(cell[positive], minlength=size)
        return count, count_pos, _wsum(cell, w, size), _wsum(cell, w * w, size)

    def weighted_values() -> tuple[FloatArray, FloatArray]:
        wy = w * yc
        swy = _wsum(cell, wy, size)
        if zero_one:  # w y^2 is w y, to the last bit: one pass spared
            return swy, swy
        return swy, _wsum(cell, np.multiply(wy, yc, out=wy), size)

    (flat_count, flat_count_pos, flat_w, flat_ww), (flat_wy, flat_wy2) = both(
        counts_and_weights, weighted_values, rows=len(cell)
    )
    count, count_pos = flat_count.reshape(n_psu, d), flat_count_pos.reshape(n_psu, d)
    sw, sww = flat_w.reshape(n_psu, d), flat_ww.reshape(n_psu, d)
    swy, swy2 = flat_wy.reshape(n_psu, d), flat_wy2.reshape(n_psu, d)
    sums = DomainSums(
        n=count.sum(axis=0).astype(np.intp),
        n_pos=count_pos.sum(axis=0).astype(np.intp),
        w=sw.sum(axis=0),
        w2=sww.sum(axis=0),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_c = swy.sum(axis=0) / sums.w
        sigma2 = np.maximum(swy2.sum(axis=0) / sums.w - mean_c**2, 0.0)
        if kind == "mean":
            estimate, scale2 = mean_c + shift, np.ones(d)
            totals = (swy - mean_c * sw) / sums.w
        else:
            estimate, scale2 = swy.sum(axis=0) + shift * sums.w, sums.w**2
            totals = swy + shift * sw
    if prepared.calibrated:
        u = np.zeros(prepared.n)
        with np.errstate(divide="ignore", invalid="ignore"):
            u[inside] = (yc - mean_c[code]) / sums.w[code] if kind == "mean" else yv
        totals = _calibrated_totals(prepared, totals, dom.code, u, d)
    ssu_totals = None
    if prepared.ssu is not None:  # two-stage design: SSU totals of the same influence values
        z = np.zeros(prepared.n)
        with np.errstate(divide="ignore", invalid="ignore"):
            z[inside] = w * ((yc - mean_c[code]) / sums.w[code] if kind == "mean" else yv)
        ssu_totals = ssu_sums(prepared, z, dom.code, d)
    return _Means(
        estimate=_as_float(estimate),
        var=stratified_variance(prepared, totals, DomainRows(dom.code, d), ssu_totals),
        design_df=domain_df_from_counts(prepared, count_pos),
        sums=sums,
        sigma2=_as_float(sigma2),
        scale2=_as_float(scale2),
        psu_totals=_as_float(totals),
        ssu_totals=ssu_totals,
    )


@dataclass(frozen=True)
class DomainMeans:
    """Domain means of one outcome with everything needed for their covariance.

    Attributes
    ----------
    prepared : PreparedDesign
        The design of the whole table.
    labels : pandas.DataFrame
        One row per domain, one column per ``by`` column (category order, else sorted).
    estimate : ndarray, shape (D,)
        The domain means.
    n : ndarray of intp, shape (D,)
        Rows in each domain (unweighted).
    psu_totals : ndarray, shape (P, D)
        PSU totals of each domain mean's influence values (zero outside the domain),
        corrected for raking or post-strata: :func:`gpcollab.design.stratified_covariance`
        of them is R's ``vcov(svyby(..., svymean, covmat=TRUE))``.
    ssu_totals : ndarray, shape (S, D), optional
        SSU totals of the same influence values for a two-stage design
        (``SurveyDesign(ssu_fpc=...)``): the second-stage term of that covariance.
    """

    prepared: PreparedDesign
    labels: pd.DataFrame
    estimate: FloatArray
    n: IntArray
    psu_totals: FloatArray
    ssu_totals: FloatArray | None = None


def domain_means(
    data: pd.DataFrame, y: str, by: By, design: SurveyDesign | None, na_rm: bool
) -> DomainMeans:
    """The means of ``y`` in every domain of ``by`` with their influence totals, in one pass.

    Parameters
    ----------
    data, y, by, design, na_rm
        As in :func:`estimate_mean`.

    Returns
    -------
    DomainMeans
    """
    prepared, _, dom = _prepare(data, y, by, design, na_rm)
    inside = dom.code >= 0
    values = numeric_outcome(data, y, inside, bool(inside.all()))
    means = _domain_means(prepared, dom, values, "mean")
    estimate, psu_totals, ssu_totals = means.estimate, means.psu_totals, means.ssu_totals
    if dom.blank is not None:  # a missing y without na_rm: NaN, as R's NA
        estimate = np.where(dom.blank, np.nan, estimate)
        psu_totals = np.where(dom.blank[None, :], np.nan, psu_totals)
        if ssu_totals is not None:
            ssu_totals = np.where(dom.blank[None, :], np.nan, ssu_totals)
    return DomainMeans(prepared, dom.labels, estimate, means.sums.n, psu_totals, ssu_totals)


def _mean_or_total(
    data: pd.DataFrame,
    y: str,
    by: By,
    design: SurveyDesign | ReplicateDesign | None,
    level: float,
    df: float | None,
    na_rm: bool,
    kind: Literal["mean", "total"],
    deff_kind: str = "auto",
) -> pd.DataFrame:
    if isinstance(design, ReplicateDesign):
        return replicate.mean_or_total(data, y, by, design, level, df, na_rm, kind, deff_kind)
    lvl = check_level(level)
    if deff_kind not in DEFF_KINDS:
        raise ArgumentError(
            f"`deff` must be one of {list(DEFF_KINDS)}, but {deff_kind!r} was passed."
        )
    prepared, _, dom = _prepare(data, y, by, design, na_rm)
    inside = dom.code >= 0
    values = numeric_outcome(data, y, inside, bool(inside.all()))
    means = _domain_means(prepared, dom, values, kind)
    deff, n_eff = deff_n_eff(
        means.var, means.sigma2, means.scale2, means.sums, deff_kind, kind == "mean"
    )
    table = wald_table(
        dom.labels,
        means.sums,
        means.estimate,
        means.var,
        means.design_df,
        df,
        lvl,
        n_eff=n_eff,
        deff=deff,
    )
    return blank_domains(table, dom)


_TABLE_DOC = """
    Returns
    -------
    pandas.DataFrame
        One row per domain (combination of ``by`` values present in the data, in category /
        sorted order), with columns: the ``by`` columns; ``n`` (rows in the domain,
        unweighted); ``weighted_n`` (sum of weights); ``estimate``; ``se``; ``ci_low``,
        ``ci_high`` (``estimate ± t_df · se``); ``df`` (the domain's design degrees of
        freedom, or ``df`` if given); ``n_eff``; ``deff``; ``ci_method`` (``"wald"``);
        ``conf_level`` (the confidence level; not named ``level``, which is a survey item).
"""


def estimate_mean(
    data: pd.DataFrame,
    y: str,
    *,
    by: By = None,
    design: SurveyDesign | ReplicateDesign | None = None,
    level: float = 0.95,
    df: float | None = None,
    na_rm: bool = False,
    deff: DeffKind = "auto",
) -> pd.DataFrame:
    """Weighted mean of ``y`` with its design-based standard error, overall or by domain.

        Parameters
        ----------
        data : pandas.DataFrame
            One row per sampled unit.
        y : str
            Numeric or boolean column.
        by : str or list of str, optional
            Columns defining domains (subpopulations).
        design : SurveyDesign or ReplicateDesign, optional
            The sampling design; ``None`` is a simple random sample.
        level : float, default=0.95
            Confidence level.
        df : float, optional
            Degrees of freedom of the ``t`` critical value; ``None`` uses each domain's design df,
            ``np.inf`` gives the normal interval of R's ``confint(svymean(...))``.
        na_rm : bool, default=False
            Missing ``y`` or ``by`` values raise :class:`~gpcollab.errors.DesignError` unless
            ``True``; then those rows are left out of every domain but stay in the design.
        deff : {"auto", "wor", "replace"}, default="auto"
            The simple random sample the design effect compares with: ``"wor"`` is R's
            ``deff=TRUE`` exactly, ``"replace"`` R's ``deff="replace"``, ``"auto"`` chooses
            (see Notes).
    %s
        Notes
        -----
        The mean of domain ``d`` is ``m_d = sum_{i in d} w_i y_i / W_d`` with ``W_d`` the domain's
        weight total.  Its influence values are ``z_i = w_i (y_i - m_d) / W_d`` for rows in ``d``
        and 0 elsewhere; their variance comes from :func:`gpcollab.design.stratified_variance`.

        ``deff="wor"`` is survey's ``deff=TRUE``: the variance divided by that of a simple
        random sample without replacement of the domain's ``n'`` nonzero-weight rows,
        ``s^2 / n' (1 - n'/W_d)``, where ``s^2`` is the weighted variance of ``y`` with the
        ``n'/(n'-1)`` factor (NaN, as R, when the weights sum to less than ``n'``).  That
        factor only makes sense when the weights expand the sample to a population, so the
        default ``"auto"`` uses it only when ``n'/W_d < 0.5``; otherwise (e.g. an unweighted
        design, or weights scaled to sum to ``n``, where R's deff would be infinite or absurdly
        large) it uses the with-replacement variance ``s^2 / n'`` of ``deff="replace"``.

        ``n_eff`` is the size of a simple random sample giving the same SE:
        ``sigma^2 / se^2`` with ``sigma^2 = sum w (y - m)^2 / W`` (for a 0/1 ``y`` this is the
        ``p (1 - p) / se^2`` of Korn–Graubard); when ``se`` is 0 it is the Kish size
        ``W^2 / sum w^2``.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0], "g": ["a", "a", "b", "b"]})
        >>> estimate_mean(df, "y", by="g")[["g", "n", "estimate", "df"]]
           g  n  estimate   df
        0  a  2       1.5  1.0
        1  b  2       4.5  1.0
    """
    return _mean_or_total(data, y, by, design, level, df, na_rm, "mean", deff)


estimate_mean.__doc__ = (estimate_mean.__doc__ or "") % _TABLE_DOC


def estimate_total(
    data: pd.DataFrame,
    y: str,
    *,
    by: By = None,
    design: SurveyDesign | ReplicateDesign | None = None,
    level: float = 0.95,
    df: float | None = None,
    na_rm: bool = False,
    deff: DeffKind = "auto",
) -> pd.DataFrame:
    """Weighted population total of ``y`` with its design-based standard error.

        Parameters
        ----------
        data, y, by, design, level, df, na_rm, deff
            As in :func:`estimate_mean` (``deff="wor"`` is never NaN for a total, as R).
    %s
        Notes
        -----
        The total of domain ``d`` is ``sum_{i in d} w_i y_i``; its influence values are
        ``w_i y_i`` in ``d`` and 0 elsewhere.  ``deff`` and ``n_eff`` are those of the mean scaled
        by ``W_d^2``, as R's ``svytotal``.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": [10.0, 10.0, 20.0]})
        >>> float(estimate_total(df, "y", design=SurveyDesign(weights="w"))["estimate"].iloc[0])
        90.0
    """
    return _mean_or_total(data, y, by, design, level, df, na_rm, "total", deff)


estimate_total.__doc__ = (estimate_total.__doc__ or "") % _TABLE_DOC


# --------------------------------------------------------------------------- proportions


@dataclass(frozen=True)
class _LevelTable:
    """Weighted level shares of every domain: the ``(D, L)`` tables behind the estimates."""

    inside: NDArray[np.bool_]  # (n,) rows in a domain
    code: IntArray  # (n,) domain code, 0 outside (masked by `inside`)
    ycode: IntArray  # (n,) level code, 0 outside
    w: FloatArray  # (n,) weight, 0 outside
    p: FloatArray  # (D, L) proportions
    counts: IntArray  # (D, L) unweighted rows
    inv_w: FloatArray  # (D,) 1 / W_d


def _level_table(
    prepared: PreparedDesign, dom: Domains, y_codes: IntArray, n_levels: int, sums: DomainSums
) -> _LevelTable:
    d = dom.count
    inside = dom.code >= 0
    code = np.where(inside, dom.code, 0)
    ycode = np.where(inside, y_codes, 0)
    w = np.where(inside, prepared.weights, 0.0)
    cell = code * n_levels + ycode  # (domain, level) column of each row
    a = _wsum(cell, w, d * n_levels).reshape(d, n_levels)
    counts = np.bincount(cell[inside], minlength=d * n_levels).reshape(d, n_levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = a / sums.w[:, None]
        inv_w = 1.0 / sums.w
    return _LevelTable(inside, code, ycode, w, p, counts.astype(np.intp), inv_w)


def _level_sums(
    key: IntArray, t: _LevelTable, n_groups: int, weights: FloatArray | None
) -> FloatArray:
    """``sum (1[y=l] - p_dl) / W_d`` (times ``weights`` if given) by group ``key`` and column."""
    d, n_levels = t.p.shape
    inside = t.inside
    k = key[inside] * d + t.code[inside]
    wt = None if weights is None else weights[inside]
    c_dl = np.bincount(
        k * n_levels + t.ycode[inside], weights=wt, minlength=n_groups * d * n_levels
    ).reshape(n_groups, d, n_levels)
    c_d = np.bincount(k, weights=wt, minlength=n_groups * d).reshape(n_groups, d)
    out = (c_dl - t.p[None] * c_d[:, :, None]) * t.inv_w[None, :, None]
    return np.asarray(out.reshape(n_groups, d * n_levels), dtype=np.float64)


def _proportion_variance(prepared: PreparedDesign, dom: Domains, t: _LevelTable) -> FloatArray:
    """Variance of every ``p_dl``: PSU totals of ``w (1[y=l] - p_dl) / W_d``, corrected."""
    d, n_levels = t.p.shape
    n_psu = prepared.n_psu
    totals = _level_sums(prepared.psu, t, n_psu, t.w)
    if prepared.calibration_codes:
        ratios = prepared.calibration_ratios or (None,) * len(prepared.calibration_codes)
        cal_sums = [
            _level_sums(codes, t, levels, r)
            for codes, levels, r in zip(
                prepared.calibration_codes, prepared.calibration_levels, ratios, strict=True
            )
        ]
        totals = totals - calibration_psu_correction(prepared, cal_sums)
    if prepared.poststratum is not None:
        post = _level_sums(prepared.poststratum, t, prepared.n_poststrata, t.w)
        totals = totals - poststratum_psu_correction(prepared, post)
    if prepared.greg_matrix is not None and prepared.greg_base is not None:
        anywhere = np.zeros(prepared.n, dtype=np.intp)
        sums = np.concatenate(
            [_level_sums(anywhere, t, 1, x * prepared.greg_base) for x in prepared.greg_matrix.T]
        )
        totals = totals - greg_psu_correction(prepared, sums)
    rows = DomainRows(dom.code, d, np.repeat(np.arange(d, dtype=np.intp), n_levels))
    ssu_totals = None
    if prepared.ssu is not None and prepared.ssu_psu is not None:
        ssu_totals = _level_sums(prepared.ssu, t, prepared.ssu_psu.shape[0], t.w)
    var = stratified_variance(prepared, totals, rows, ssu_totals).reshape(d, n_levels)
    return np.asarray(np.where(var < 0, 0.0, var), dtype=np.float64)


def _likelihood_profile(
    prepared: PreparedDesign, dom: Domains, t: _LevelTable, sums: DomainSums
) -> tuple[FloatArray, ...]:
    """What ``ci_method="likelihood"`` needs of each ``p_dl``'s model, shape (D * L,) each.

    R fits ``svyglm(I(y == l) ~ 1, family=quasibinomial)`` on the domain's design, with prior
    weights ``w~ = w / mean(w)`` (the mean over the design's rows: the domain's rows, or every
    row of a raked or post-stratified design) on the rows with ``y``.  Returned: their sum;
    the model's dispersion (``svyvar`` of ``residuals.svyglm``'s Pearson residuals); the
    model's rows; and ``glm``'s first step from its row-by-row start
    ``m = (w~ y + 0.5) / (w~ + 1)`` (intercept, information, deviance at the start), which
    depends on each row's weight.
    """
    d, n_levels = t.p.shape
    inside = t.inside
    code = t.code[inside]
    cell = code * n_levels + t.ycode[inside]
    design_rows = _domain_rows(prepared, dom).astype(np.float64)
    known = dom.by_code >= 0
    mean_w = _wsum(dom.by_code[known], prepared.weights[known], d) / design_rows
    scaled = t.w[inside] / mean_w[code]  # R's prior weights w~

    def per_level(one: FloatArray, zero: FloatArray) -> FloatArray:
        """Sums over each domain's rows of ``one`` where y = l and ``zero`` elsewhere."""
        diff = _wsum(cell, one - zero, d * n_levels).reshape(d, n_levels)
        return diff + _wsum(code, zero, d)[:, None]

    start = []
    for y in (1.0, 0.0):
        m = (scaled * y + 0.5) / (scaled + 1.0)
        v = m * (1.0 - m)
        work = scaled * v
        z = np.log(m) - np.log1p(-m) + (y - m) / v
        dev = -2.0 * scaled * (np.log(m) if y else np.log1p(-m))
        start.append((work * z, work, dev))
    num1, info1, dev_start = (per_level(a, b) for a, b in zip(*start, strict=True))
    p, big_w = t.p, sums.w[:, None]
    # the model's rows: the design's rows with y (a raked or post-stratified design keeps all)
    rows_with_y = sums.n.astype(np.float64)
    if prepared.calibrated:
        no_y = int(np.count_nonzero((dom.by_code >= 0) & (dom.code < 0)))
        rows_with_y = np.full(d, float(prepared.n - no_y))
    pos = sums.n_pos.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.broadcast_to(big_w / mean_w[:, None], p.shape)
        eta1 = num1 / info1
        # svyvar of (y - p) sqrt(w~ / w^) / sqrt(pq), w^ the weights rescaled over the rows
        # with y (w~ / w^ is one constant): for a 0/1 y that is w~ / w^ times n+ / (n+ - 1)
        rescale = (sums.w / rows_with_y) / mean_w
        dispersion = np.broadcast_to((rescale * pos / (pos - 1.0))[:, None], p.shape)
    n_obs = np.broadcast_to(rows_with_y[:, None], p.shape)
    return tuple(_as_float(a).ravel() for a in (weight, dispersion, n_obs, eta1, info1, dev_start))


def _domain_rows(prepared: PreparedDesign, dom: Domains) -> IntArray:
    """Rows of each domain's design, R's ``nrow(subset(design, domain))``.

    R keeps a missing ``y`` and zero weights in the domain; a raked or post-stratified design
    keeps every row.
    """
    if prepared.calibrated:
        return np.full(dom.count, prepared.n, dtype=np.intp)
    return np.bincount(dom.by_code[dom.by_code >= 0], minlength=dom.count).astype(np.intp)


def estimate_proportions(
    data: pd.DataFrame,
    y: str,
    *,
    by: By = None,
    design: SurveyDesign | ReplicateDesign | None = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
    df: float | None = None,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Proportion of each level of ``y``, overall or within domains, with intervals.

    Parameters
    ----------
    data : pandas.DataFrame
    y : str
        Column whose levels are counted: categorical (all declared categories are reported, in
        order), boolean, or any column with a few distinct values (reported sorted).
    by : str or list of str, optional
        Domain columns; proportions are within each domain (they sum to 1 per domain).
    design : SurveyDesign or ReplicateDesign, optional
        ``None`` is a simple random sample.
    ci_method : str, default="logit"
        ``"logit"``, ``"xlogit"``, ``"beta"`` (Korn–Graubard), ``"wilson"``, ``"asin"``,
        ``"mean"`` (Wald), ``"likelihood"`` (Rao–Scott scaled profile likelihood,
        :func:`~gpcollab.intervals.likelihood_ci`; linearised designs only) — R's
        ``svyciprop`` methods with ``t`` on the design df — or, for unweighted data only, the
        classical ``"wilson_score"`` and ``"clopper_pearson"`` intervals on the counts.
    level : float, default=0.95
    df : float, optional
        Override of the degrees of freedom (``np.inf`` for normal intervals).  Like R's
        ``svyciprop``, ``"beta"`` ignores it (its ``df`` column shows the design df it used).
    na_rm : bool, default=False
        As in :func:`estimate_mean`.  Rows with a missing ``y`` still count towards the
        domain's degrees of freedom, as in R (``svyciprop`` takes ``degf(design)`` of the
        design it was given).

    Returns
    -------
    pandas.DataFrame
        One row per domain and level of ``y``: the ``by`` columns, ``y`` (the level), ``n``
        (unweighted rows in the domain, the base), ``weighted_n`` (weighted base), ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``df``, ``n_eff``, ``deff``, ``ci_method``,
        ``conf_level`` and ``boundary`` (True when the estimate is exactly 0 or 1).

    Warns
    -----
    BoundaryWarning
        Once per call when an estimate a reader would take at face value is exactly 0 or 1:
        its domain's base is at least :data:`BOUNDARY_WARN_MIN_N` rows and its level is
        chosen somewhere in the data (a level nobody chose is 0 everywhere, which is no news).
        Every estimate of exactly 0 or 1, warned about or not, has ``boundary`` True and the
        exact interval of :func:`gpcollab.intervals.boundary_ci` (Clopper–Pearson on the Kish
        effective size, Korn–Graubard df-adjusted), never NaN and never zero width. Silence
        the warning with ``warnings.filterwarnings("ignore", category=BoundaryWarning)``.
        R's ``svyciprop`` gives NaN or a zero-width interval there: a deliberate difference.

    Notes
    -----
    With ``W_d`` the domain's weight total and ``A_dl`` that of its rows at level ``l``, the
    estimate is ``p_dl = A_dl / W_d``; its influence values are
    ``w_i (1[y_i = l] - p_dl) / W_d`` in the domain and 0 elsewhere.  Under a simple random
    sample this gives ``Var = p (1 - p) / (n - 1)``, as R's survey package.  The classical
    methods use ``n`` and the unweighted count and ignore the SE; they differ from survey's
    ``"wilson"``/``"beta"`` on the same data because of that ``n/(n-1)`` factor and the
    normal (not ``t``) quantile.  ``deff`` and ``n_eff`` are as in :func:`estimate_mean`.

    ``"beta"`` follows ``svyciprop(method="beta")`` exactly: the effective sample size is
    scaled by ``(t_{n-1} / t_df)^2`` with ``n`` the number of rows of the domain's design
    (R's ``nrow(design)``: rows with zero weight or a missing ``y`` included, every row of a
    raked or post-stratified design) and ``df`` the domain's design df, whatever ``df=`` says.

    ``"logit"`` with one degree of freedom: gpcollab gives the interval with ``t_1``. R's
    ``svyciprop`` gives ``(0, NaN)`` there, because ``confint.svyglm`` turns the ``t``
    quantile into a normal level ``1 - 2 Φ(t_{1, α/2})``, which rounds to exactly 1 at
    ``df = 1`` (a deliberate difference; from ``df = 2`` on the two agree).

    Examples
    --------
    >>> df = pd.DataFrame({"ok": [True, False, True, True]})
    >>> estimate_proportions(df, "ok")[["ok", "n", "estimate"]]
          ok  n  estimate
    0  False  4      0.25
    1   True  4      0.75
    """
    if isinstance(design, ReplicateDesign):
        return replicate.proportions(data, y, by, design, ci_method, level, df, na_rm)
    lvl = check_proportion_args(y, design, ci_method, level)
    check_estimate_args(data, y, by)
    y_codes, y_values = factor_codes(data[y])
    prepared, _, dom = _prepare(data, y, by, design, na_rm, y_codes)
    n_levels = len(y_values)
    if n_levels == 0:
        raise DesignError(f"`y` column {y!r} has no non-missing values.")
    d = dom.count
    sums = _domain_sums(prepared, dom)
    table = _level_table(prepared, dom, y_codes, n_levels, sums)
    se = np.sqrt(_proportion_variance(prepared, dom, table)).ravel()

    design_dfs = domain_df(prepared, dom.by_code, d)
    # "beta" ignores df= as svyciprop does, so its rows report the df its interval used
    dfs = np.repeat(interval_df(None if ci_method == "beta" else df, design_dfs), n_levels)
    n_base = np.repeat(sums.n, n_levels)
    rep_sums = DomainSums(
        n=n_base,
        n_pos=np.repeat(sums.n_pos, n_levels),
        w=np.repeat(sums.w, n_levels),
        w2=np.repeat(sums.w2, n_levels),
    )
    est = table.p.ravel()
    deff, n_eff = deff_n_eff(se**2, est * (1.0 - est), np.ones(d * n_levels), rep_sums)
    low, high, boundary = proportion_intervals(
        est,
        se,
        dfs,
        np.repeat(design_dfs.astype(np.float64), n_levels),
        np.repeat(_domain_rows(prepared, dom), n_levels),
        table.counts.ravel(),
        kish_n(rep_sums.w, rep_sums.w2),
        rep_sums.n_pos,
        ci_method,
        lvl,
        _likelihood_profile(prepared, dom, table, sums) if ci_method == "likelihood" else None,
    )
    if np.any(boundary):
        message = boundary_warning(y, table.p, table.counts, sums.n, dom.labels, y_values)
        if message is not None:
            warnings.warn(message, BoundaryWarning, stacklevel=2)
    labels = level_labels(dom.labels, y, y_values)
    result = result_table(
        labels,
        {
            "n": n_base,
            "weighted_n": rep_sums.w,
            "estimate": est,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "df": dfs,
            "n_eff": n_eff,
            "deff": deff,
            "ci_method": ci_method,
            "conf_level": lvl,
            "boundary": boundary,
        },
    )
    return blank_domains(result, dom)


# --------------------------------------------------------------------------- quantiles


QuantileCI: TypeAlias = Literal["mean", "beta", "xlogit", "asin", "quantile"]
_QUANTILE_CI: tuple[str, ...] = ("mean", "beta", "xlogit", "asin")


def _domain_samples(
    prepared: PreparedDesign, dom: Domains, values: FloatArray
) -> list[tuple[FloatArray, FloatArray]]:
    """Each domain's values with positive weight, sorted (stable), with their weights."""
    inside = (dom.code >= 0) & (prepared.weights != 0)
    code = dom.code[inside]
    order = np.lexsort((values[inside], code))
    xs, ws, cs = values[inside][order], prepared.weights[inside][order], code[order]
    bounds = np.searchsorted(cs, np.arange(dom.count + 1))
    return [(xs[a:b], ws[a:b]) for a, b in itertools.pairwise(bounds)]


def _woodruff(
    prepared: PreparedDesign,
    dom: Domains,
    values: FloatArray,
    samples: list[tuple[FloatArray, FloatArray]],
    p: float,
    qrule: str,
    ci_method: str,
    lvl: float,
    df: float | None,
) -> dict[str, Any]:
    """One quantile in every domain with its Woodruff interval (R ``svyquantile``)."""
    qhat = np.array([quantile_of_sorted(xs, ws, p, qrule) for xs, ws in samples])
    inside = dom.code >= 0
    below = np.zeros(prepared.n)
    below[inside] = values[inside] <= qhat[dom.code[inside]]
    share = _domain_means(prepared, dom, below, "mean")
    se_share = np.sqrt(share.var)
    dfs = interval_df(df, share.design_df)
    rows = np.full(dom.count, prepared.n) if prepared.calibrated else share.sums.n
    with np.errstate(divide="ignore", invalid="ignore"):
        p_low, p_high = proportion_ci(
            share.estimate,
            se_share,
            share.design_df.astype(np.float64) if ci_method == "beta" else dfs,
            method=ci_method,
            level=lvl,
            n=rows,
        )
    low = np.array(
        [
            np.nan if not pl >= 0 else quantile_of_sorted(xs, ws, float(pl), qrule)
            for pl, (xs, ws) in zip(p_low, samples, strict=True)
        ]
    )
    high = np.array(
        [
            np.nan if not ph <= 1 else quantile_of_sorted(xs, ws, float(ph), qrule)
            for ph, (xs, ws) in zip(p_high, samples, strict=True)
        ]
    )
    se = (high - low) / (2.0 * t_quantile(lvl, dfs))
    return {
        "quantile": p,
        "n": share.sums.n,
        "weighted_n": share.sums.w,
        "estimate": qhat,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "df": dfs,
        "ci_method": ci_method,
        "qrule": qrule,
        "conf_level": lvl,
    }


def estimate_quantile(
    data: pd.DataFrame,
    y: str,
    *,
    quantiles: float | Sequence[float] = 0.5,
    by: By = None,
    design: SurveyDesign | ReplicateDesign | None = None,
    ci_method: QuantileCI = "mean",
    qrule: QRule = "math",
    level: float = 0.95,
    df: float | None = None,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Quantiles of ``y`` (e.g. the median) with Woodruff confidence intervals (R ``svyquantile``).

    Parameters
    ----------
    data : pandas.DataFrame
    y : str
        Numeric column.
    quantiles : float or list of float, default=0.5
        Probabilities in [0, 1].
    by : str or list of str, optional
        Domain columns.
    design : SurveyDesign or ReplicateDesign, optional
        ``None`` is a simple random sample.
    ci_method : {"mean", "beta", "xlogit", "asin"}, default="mean"
        How the interval of the share of the population at or below the estimate is formed
        before it is mapped back to the scale of ``y`` (R's ``interval.type``; ``"mean"`` is
        the Wald interval, ``"beta"`` Korn–Graubard; R's ``"score"`` is not offered).  A
        :class:`~gpcollab.replicate.ReplicateDesign` takes ``"mean"`` or ``"quantile"`` (the
        quantile's own replicate SE; see :func:`gpcollab.replicate.quantiles`).
    qrule : str, default="math"
        Which value is the quantile (R's ``qrule``, see :mod:`gpcollab.quantile_rules`).
    level : float, default=0.95
    df : float, optional
        Degrees of freedom of the intervals; ``None`` uses each domain's design df,
        ``np.inf`` the normal quantile.  ``"beta"`` ignores it for the share, as R does.
    na_rm : bool, default=False
        As in :func:`estimate_mean` (rows with a missing ``y`` are a domain; here, as in R's
        ``svyquantile``, they do not count towards the degrees of freedom).

    Returns
    -------
    pandas.DataFrame
        One row per domain and probability: the ``by`` columns, ``quantile`` (the
        probability), ``n``, ``weighted_n``, ``estimate``, ``se``, ``ci_low``, ``ci_high``,
        ``df``, ``ci_method``, ``qrule``, ``conf_level``.

    Notes
    -----
    Woodruff's method, exactly as ``svyquantile(..., ci=TRUE)`` in survey 4.x: with
    ``q`` the estimate, the share ``m = P(y <= q)`` is estimated as a domain mean with its
    design-based SE; its interval ``(m_low, m_high)`` (``ci_method``, t on the df) is mapped back
    through the same quantile rule, ``(Q(m_low), Q(m_high))``.  An end whose share falls
    outside [0, 1] is NaN.  The SE is R's: the interval's width divided by
    ``2 t_{(1+level)/2, df}``.

    Examples
    --------
    >>> df = pd.DataFrame({"patients": [8_000.0, 12_000.0, 30_000.0, 50_000.0, 90_000.0]})
    >>> estimate_quantile(df, "patients")[["quantile", "estimate"]]
       quantile  estimate
    0       0.5   30000.0
    """
    if isinstance(design, ReplicateDesign):
        return replicate.quantiles(
            data, y, quantiles, by, design, ci_method, qrule, level, df, na_rm
        )
    lvl = check_level(level)
    probs = check_probabilities(quantiles)
    if ci_method not in _QUANTILE_CI:
        raise ArgumentError(
            f"`ci_method` must be one of {list(_QUANTILE_CI)} for quantiles, but "
            f"{ci_method!r} was passed."
        )
    if qrule not in QRULES:
        raise ArgumentError(f"`qrule` must be one of {list(QRULES)}, but {qrule!r} was passed.")
    prepared, _, dom = _prepare(data, y, by, design, na_rm)
    inside = dom.code >= 0
    values = numeric_outcome(data, y, inside, bool(inside.all()))
    samples = _domain_samples(prepared, dom, values)
    parts = [
        result_table(
            dom.labels, _woodruff(prepared, dom, values, samples, p, qrule, ci_method, lvl, df)
        )
        for p in probs
    ]
    out = pd.concat(parts, ignore_index=True)
    if len(probs) > 1 and dom.count > 1:  # domains first, then probabilities
        order = np.argsort(np.tile(np.arange(dom.count), len(probs)), kind="stable")
        out = out.iloc[order].reset_index(drop=True)
    return blank_domains(out, dom)


# --------------------------------------------------------------------------- ratios, variances


def estimate_ratio(
    data: pd.DataFrame,
    numerator: str,
    denominator: str,
    *,
    by: By = None,
    design: SurveyDesign | ReplicateDesign | None = None,
    level: float = 0.95,
    df: float | None = None,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Ratio of two population totals with its linearised SE (R ``svyratio``).

    Parameters
    ----------
    data : pandas.DataFrame
    numerator, denominator : str
        Numeric columns; the estimate is ``sum w * numerator / sum w * denominator``.
    by : str or list of str, optional
        Domain columns.
    design : SurveyDesign or ReplicateDesign, optional
    level : float, default=0.95
    df : float, optional
        As in :func:`estimate_mean` (``np.inf`` gives R's ``confint(svyratio(...))``).
    na_rm : bool, default=False
        Rows missing either column raise unless ``True``; then they are a domain, as R.

    Returns
    -------
    pandas.DataFrame
        One row per domain: the ``by`` columns, ``n``, ``weighted_n``, ``estimate``, ``se``,
        ``ci_low``, ``ci_high`` (``estimate ± t_df · se``), ``df``, ``ci_method`` (``"wald"``),
        ``conf_level``.

    Notes
    -----
    ``R_d = Y_d / X_d`` with ``Y_d = sum_{i in d} w_i y_i`` and ``X_d`` likewise; its influence
    values are ``w_i (y_i - R_d x_i) / X_d`` in the domain and 0 elsewhere.

    Examples
    --------
    >>> df = pd.DataFrame({"nurses": [2.0, 3.0, 5.0], "gps": [4.0, 5.0, 11.0]})
    >>> float(estimate_ratio(df, "nurses", "gps")["estimate"].iloc[0])
    0.5
    """
    if isinstance(design, ReplicateDesign):
        return replicate.ratio(data, numerator, denominator, by, design, level, df, na_rm)
    lvl = check_level(level)
    if not isinstance(denominator, str) or not isinstance(data, pd.DataFrame):
        raise ArgumentError("`denominator` must be a column name and `data` a DataFrame.")
    check_columns(data, [denominator], "denominator")
    if denominator == numerator:
        raise ArgumentError(f"`numerator` and `denominator` are both {numerator!r}.")
    frame = data
    den_missing = np.asarray(data[denominator].isna(), dtype=bool)
    if den_missing.any():
        # a row missing the denominator is missing for the ratio: mark its numerator missing
        frame = data.assign(**{numerator: data[numerator].where(~den_missing)})
    prepared, _, dom = _prepare(frame, numerator, by, design, na_rm)
    inside = dom.code >= 0
    all_in = bool(inside.all())
    num = numeric_outcome(frame, numerator, inside, all_in)
    den = numeric_outcome(frame, denominator, inside, all_in)
    totals_y = _domain_means(prepared, dom, num, "total").estimate
    totals_x = _domain_means(prepared, dom, den, "total")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = totals_y / totals_x.estimate
        z = np.zeros(prepared.n)
        z[inside] = (num[inside] - ratio[dom.code[inside]] * den[inside]) / totals_x.estimate[
            dom.code[inside]
        ]
    resid = _domain_means(prepared, dom, z, "total")
    return blank_domains(
        wald_table(dom.labels, resid.sums, ratio, resid.var, resid.design_df, df, lvl), dom
    )


def estimate_var(
    data: pd.DataFrame,
    y: str,
    *,
    by: By = None,
    design: SurveyDesign | None = None,
    level: float = 0.95,
    df: float | None = None,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Population variance of ``y`` with its design-based SE (R ``svyvar``).

    Parameters
    ----------
    data, y, by, design, level, df, na_rm
        As in :func:`estimate_mean`.

    Returns
    -------
    pandas.DataFrame
        One row per domain: the ``by`` columns, ``n``, ``weighted_n``, ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``df``, ``ci_method`` (``"wald"``), ``conf_level``.

    Notes
    -----
    As ``svyvar``: with ``m_d`` the domain mean and ``n_d`` the number of rows of the domain
    with nonzero weight (rows with a missing ``y`` included, as R counts them before
    ``na.rm``), the estimate is the domain mean of ``(y - m_d)^2 n_d / (n_d - 1)``, and its SE
    that of this mean (``m_d`` treated as known, as R does).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 6.0]})
    >>> round(float(estimate_var(df, "y")["estimate"].iloc[0]), 10)  # the sample variance
    4.6666666667
    """
    lvl = check_level(level)
    prepared, _, dom = _prepare(data, y, by, design, na_rm)
    inside = dom.code >= 0
    values = numeric_outcome(data, y, inside, bool(inside.all()))
    means = _domain_means(prepared, dom, values, "mean")
    by_rows = (dom.by_code >= 0) & (prepared.weights != 0)
    n_rows = np.bincount(dom.by_code[by_rows], minlength=dom.count).astype(np.float64)
    squares = np.zeros(prepared.n)
    code = dom.code[inside]
    with np.errstate(divide="ignore", invalid="ignore"):  # one row: n/(n-1) = inf, NaN as R
        factor = n_rows / (n_rows - 1.0)
        squares[inside] = (values[inside] - means.estimate[code]) ** 2 * factor[code]
    var = _domain_means(prepared, dom, squares, "mean")
    return blank_domains(
        wald_table(dom.labels, var.sums, var.estimate, var.var, var.design_df, df, lvl), dom
    )
