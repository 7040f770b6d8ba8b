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

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpcollab.design import (
    PreparedDesign,
    SurveyDesign,
    calibration_psu_correction,
    domain_df,
    domain_df_from_counts,
    prepare_design,
    stratified_variance,
)
from gpcollab.errors import ArgumentError, BoundaryWarning, DesignError
from gpcollab.intervals import (
    CI_METHODS,
    boundary_ci,
    check_level,
    proportion_ci,
    wald_ci,
)

__all__ = [
    "BoundaryWarning",
    "estimate_mean",
    "estimate_proportions",
    "estimate_total",
]

FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.intp]
By: TypeAlias = str | Sequence[str] | None


# --------------------------------------------------------------------------- domains


@dataclass(frozen=True)
class _Domains:
    code: IntArray  # (n,) 0..D-1, or -1 for rows in no domain (missing by/y with na_rm)
    count: int
    labels: pd.DataFrame  # D rows, one column per by variable


def _check_columns(data: pd.DataFrame, names: Sequence[str], param: str) -> None:
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise ArgumentError(
            f"`{param}` names column(s) {missing!r} not in the data; "
            f"available columns: {list(map(str, data.columns))}."
        )


def _as_list(by: By) -> list[str]:
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


def _factor(col: pd.Series) -> tuple[IntArray, pd.Index | pd.Categorical]:
    """Integer codes (-1 for missing) and the values they stand for, in display order."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cat = col.cat
        return np.asarray(cat.codes, dtype=np.intp), pd.Categorical(
            cat.categories, categories=cat.categories, ordered=cat.ordered
        )
    codes, uniques = pd.factorize(col, sort=True, use_na_sentinel=True)
    return codes.astype(np.intp, copy=False), uniques


def _domains(data: pd.DataFrame, by: list[str], valid: NDArray[np.bool_]) -> _Domains:
    n = len(data)
    if not by:
        code = np.where(valid, 0, -1).astype(np.intp)
        return _Domains(code, 1, pd.DataFrame(index=range(1)))
    codes: list[IntArray] = []
    values: list[pd.Index | pd.Categorical] = []
    for name in by:
        c, v = _factor(data[name])
        codes.append(c)
        values.append(v)
    sizes = [max(len(v), 1) for v in values]
    all_valid = bool(valid.all())
    key = codes[0].astype(np.intp)
    for c, size in zip(codes[1:], sizes[1:], strict=True):
        key = key * size + c
    n_keys = int(np.prod(np.asarray(sizes, dtype=np.float64)))
    if not all_valid:
        key = np.where(valid, key, -1)
    inside = valid if not all_valid else None
    keys_in = key if inside is None else key[inside]
    if n_keys <= 4 * n + 1024:
        present = np.bincount(keys_in, minlength=n_keys) > 0
        observed = np.flatnonzero(present)
        remap = np.cumsum(present, dtype=np.intp) - 1
        mapped = remap[keys_in]
    else:
        observed, mapped = np.unique(keys_in, return_inverse=True)
    if inside is None:
        code = mapped.astype(np.intp, copy=False)
    else:
        code = np.full(n, -1, dtype=np.intp)
        code[inside] = mapped
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
    return _Domains(code, len(observed), pd.DataFrame(labels))


def _missing_mask(data: pd.DataFrame, cols: list[str]) -> NDArray[np.bool_]:
    miss = np.zeros(len(data), dtype=bool)
    for c in cols:
        miss |= np.asarray(data[c].isna(), dtype=bool)
    return miss


def _valid_rows(data: pd.DataFrame, cols: list[str], na_rm: bool) -> NDArray[np.bool_]:
    miss = _missing_mask(data, cols)
    n_miss = int(miss.sum())
    if n_miss and not na_rm:
        per_col = {c: int(data[c].isna().sum()) for c in cols if data[c].isna().any()}
        raise DesignError(
            f"{n_miss} row(s) have missing values in {per_col!r}. Pass na_rm=True to leave "
            "them out of the estimates (they stay in the design for the variance, as R's "
            "na.rm=TRUE does), or fill them in first."
        )
    return ~miss


def _prepare(
    data: pd.DataFrame, y: str, by: By, design: SurveyDesign | None, na_rm: bool
) -> tuple[PreparedDesign, list[str], _Domains]:
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"`data` must be a pandas DataFrame, but {type(data).__name__} was passed."
        )
    if not isinstance(y, str):
        raise ArgumentError(f"`y` must be a column name (str), but {y!r} was passed.")
    by_cols = _as_list(by)
    _check_columns(data, [y], "y")
    _check_columns(data, by_cols, "by")
    if y in by_cols:
        raise ArgumentError(f"`y` ({y!r}) is also listed in `by`.")
    prepared = prepare_design(data, design)
    valid = _valid_rows(data, [y, *by_cols], na_rm)
    if not valid.any():
        raise DesignError(
            f"No row has non-missing values in {[y, *by_cols]!r}"
            + (" after na_rm=True left the missing ones out" if na_rm else "")
            + "; there is nothing to estimate."
        )
    return prepared, by_cols, _domains(data, by_cols, valid)


def _numeric_y(
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


def _df_override(df: float | None, design_dfs: IntArray) -> FloatArray:
    if df is None:
        return design_dfs.astype(np.float64)
    if isinstance(df, bool) or not isinstance(df, int | float) or not df > 0:
        raise ArgumentError(
            f"`df` must be None (design degrees of freedom) or a positive number "
            f"(np.inf for normal intervals), but {df!r} was passed."
        )
    return np.full(design_dfs.shape, float(df))


# --------------------------------------------------------------------------- core sums


@dataclass(frozen=True)
class _DomainSums:
    n: IntArray  # rows in domain
    n_pos: IntArray  # rows with nonzero weight
    w: FloatArray  # sum of weights
    w2: FloatArray  # sum of squared weights


def _domain_sums(prepared: PreparedDesign, dom: _Domains) -> _DomainSums:
    inside = dom.code >= 0
    code = dom.code[inside]
    w = prepared.weights[inside]
    d = dom.count
    return _DomainSums(
        n=np.bincount(code, minlength=d).astype(np.intp),
        n_pos=np.bincount(code[w != 0], minlength=d).astype(np.intp),
        w=_wsum(code, w, d),
        w2=_wsum(code, w * w, d),
    )


def _wsum(code: IntArray, weights: FloatArray, length: int) -> FloatArray:
    return np.asarray(np.bincount(code, weights=weights, minlength=length), dtype=np.float64)


def _calibrated_variance(
    prepared: PreparedDesign,
    totals: FloatArray,
    dom_code: IntArray,
    u: FloatArray,
    n_cols: int,
    col_of_row: IntArray | None = None,
) -> FloatArray:
    """Variance of PSU totals (P, K), raking-aware when the design has calibration margins.

    ``u`` (n,) is ``z / w`` for the single column each row feeds (``col_of_row``, default the
    domain code); rows with a negative column feed none.
    """
    if prepared.calibration_codes:
        col = dom_code if col_of_row is None else col_of_row
        inside = col >= 0
        sums = []
        for codes, levels in zip(
            prepared.calibration_codes, prepared.calibration_levels, strict=True
        ):
            flat = codes[inside] * n_cols + col[inside]
            sums.append(_wsum(flat, u[inside], levels * n_cols).reshape(levels, n_cols))
        totals = totals - calibration_psu_correction(prepared, sums)
    return stratified_variance(prepared, totals)


_WOR_FRACTION_LIMIT = 0.5
"""Below this sampling fraction n'/W the deff uses R's without-replacement SRS variance."""


def _deff_n_eff(
    var: FloatArray,
    sigma2: FloatArray,
    scale2: FloatArray,
    sums: _DomainSums,
) -> tuple[FloatArray, FloatArray]:
    """Design effect and effective sample size.

    ``sigma2`` is the plug-in variance of y in the domain, ``scale2`` the square of the factor
    from a mean to the estimate (1 for means, ``(sum w)^2`` for totals).
    """
    n_pos = sums.n_pos.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = sigma2 * n_pos / (n_pos - 1.0)  # R's svyvar
        fraction = n_pos / sums.w
        # without-replacement SRS only when the weights look like population expansion weights
        fpc = np.where(fraction < _WOR_FRACTION_LIMIT, 1.0 - fraction, 1.0)
        v_srs = scale2 * s2 / n_pos * fpc
        deff = var / v_srs
        kish = sums.w**2 / sums.w2
        n_eff = np.where(var > 0, scale2 * sigma2 / var, kish)
    return _as_float(deff), _as_float(n_eff)


def _as_float(x: NDArray[np.floating] | FloatArray) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def _frame(labels: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    out = labels.reset_index(drop=True).copy()
    for name, values in columns.items():
        out[name] = values
    return out


# --------------------------------------------------------------------------- means / totals


def _mean_or_total(
    data: pd.DataFrame,
    y: str,
    by: By,
    design: SurveyDesign | None,
    level: float,
    df: float | None,
    na_rm: bool,
    kind: Literal["mean", "total"],
) -> pd.DataFrame:
    lvl = check_level(level)
    prepared, _, dom = _prepare(data, y, by, design, na_rm)
    inside = dom.code >= 0
    all_in = bool(inside.all())
    values = _numeric_y(data, y, inside, all_in)
    d, n_psu = dom.count, prepared.n_psu
    if all_in:
        code, w, yv, psu = dom.code, prepared.weights, values, prepared.psu
    else:
        code, w, yv = dom.code[inside], prepared.weights[inside], values[inside]
        psu = prepared.psu[inside]
    # Everything is accumulated per (PSU, domain) cell: one bincount per quantity, no (n, D)
    # matrix.  y is shifted by its overall mean first so the one-pass variance is stable.
    shift = float(yv.mean()) if yv.size else 0.0
    yc = yv - shift
    cell = psu * d + code
    size = n_psu * d
    count = np.bincount(cell, minlength=size).reshape(n_psu, d)
    nonzero = w != 0
    if bool(nonzero.all()):
        count_pos = count
    else:
        count_pos = np.bincount(cell[nonzero], minlength=size).reshape(n_psu, d)
    sw = _wsum(cell, w, size).reshape(n_psu, d)
    swy = _wsum(cell, w * yc, size).reshape(n_psu, d)
    swy2 = _wsum(cell, w * yc * yc, size).reshape(n_psu, d)
    sww = _wsum(cell, w * w, size).reshape(n_psu, d)
    sums = _DomainSums(
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
    if prepared.calibration_codes:
        u = np.zeros(prepared.n)
        with np.errstate(divide="ignore", invalid="ignore"):
            u[inside] = (yc - mean_c[code]) / sums.w[code] if kind == "mean" else yv
        var = _calibrated_variance(prepared, totals, dom.code, u, d)
    else:
        var = stratified_variance(prepared, totals)
    se = np.sqrt(var)
    dfs = _df_override(df, domain_df_from_counts(prepared, count_pos))
    low, high = wald_ci(estimate, se, dfs, lvl)
    deff, n_eff = _deff_n_eff(var, sigma2, scale2, sums)
    return _frame(
        dom.labels,
        {
            "n": sums.n,
            "weighted_n": sums.w,
            "estimate": estimate,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "df": dfs,
            "n_eff": n_eff,
            "deff": deff,
            "ci_method": "wald",
            "conf_level": lvl,
        },
    )


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
    design: SurveyDesign | None = None,
    level: float = 0.95,
    df: float | None = None,
    na_rm: bool = False,
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
        design : SurveyDesign, optional
            The sampling design; ``None`` is a simple random sample.
        level : float, default=0.95
            Confidence level.
        df : float, optional
            Degrees of freedom of the ``t`` critical value; ``None`` uses each domain's design df,
            ``np.inf`` gives the normal interval of R's ``confint(svymean(...))``.
        na_rm : bool, default=False
            Missing ``y`` or ``by`` values raise :class:`~gpcollab.errors.DesignError` unless
            ``True``; then those rows are left out of every domain but stay in the design.
    %s
        Notes
        -----
        The mean of domain ``d`` is ``m_d = sum_{i in d} w_i y_i / W_d`` with ``W_d`` the domain's
        weight total.  Its influence values are ``z_i = w_i (y_i - m_d) / W_d`` for rows in ``d``
        and 0 elsewhere; their variance comes from :func:`gpcollab.design.stratified_variance`.

        ``deff`` is survey's default (``deff=TRUE``): the variance divided by that of a simple
        random sample without replacement of the domain's ``n'`` nonzero-weight rows,
        ``s^2 / n' (1 - n'/W_d)``, where ``s^2`` is the weighted variance of ``y`` with the
        ``n'/(n'-1)`` factor.  That factor only makes sense when the weights expand the sample
        to a population: when ``n'/W_d >= 0.5`` (e.g. an unweighted design, or weights scaled to
        sum to ``n``, where R's deff would be infinite or absurdly large) the with-replacement
        variance (``deff="replace"``) is used instead.

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
    return _mean_or_total(data, y, by, design, level, df, na_rm, "mean")


estimate_mean.__doc__ = (estimate_mean.__doc__ or "") % _TABLE_DOC


def estimate_total(
    data: pd.DataFrame,
    y: str,
    *,
    by: By = None,
    design: SurveyDesign | None = None,
    level: float = 0.95,
    df: float | None = None,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Weighted population total of ``y`` with its design-based standard error.

        Parameters
        ----------
        data, y, by, design, level, df, na_rm
            As in :func:`estimate_mean`.
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
    return _mean_or_total(data, y, by, design, level, df, na_rm, "total")


estimate_total.__doc__ = (estimate_total.__doc__ or "") % _TABLE_DOC


# --------------------------------------------------------------------------- proportions


def estimate_proportions(
    data: pd.DataFrame,
    y: str,
    *,
    by: By = None,
    design: SurveyDesign | None = None,
    ci_method: str = "logit",
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
    design : SurveyDesign, optional
        ``None`` is a simple random sample.
    ci_method : str, default="logit"
        ``"logit"``, ``"xlogit"``, ``"beta"`` (Korn–Graubard), ``"wilson"``, ``"asin"``,
        ``"mean"`` (Wald) — R's ``svyciprop`` methods with ``t`` on the design df — or, for
        unweighted data only, the classical ``"wilson_score"`` and ``"clopper_pearson"``
        intervals on the counts.
    level : float, default=0.95
    df : float, optional
        Override of the degrees of freedom (``np.inf`` for normal intervals).
    na_rm : bool, default=False
        As in :func:`estimate_mean`.

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
        Once per call when any estimate is exactly 0 or 1.  Those rows get the exact
        interval of :func:`gpcollab.intervals.boundary_ci` (Clopper–Pearson on the Kish
        effective size, Korn–Graubard df-adjusted), never NaN and never zero width.

    Notes
    -----
    With ``W_d`` the domain's weight total and ``A_dl`` that of its rows at level ``l``, the
    estimate is ``p_dl = A_dl / W_d``; its influence values are
    ``w_i (1[y_i = l] - p_dl) / W_d`` in the domain and 0 elsewhere.  Under a simple random
    sample this gives ``Var = p (1 - p) / (n - 1)``, as R's survey package.  The classical
    methods use ``n`` and the unweighted count and ignore the SE; they differ from survey's
    ``"wilson"``/``"beta"`` on the same data because of that ``n/(n-1)`` factor and the
    normal (not ``t``) quantile.  ``deff`` and ``n_eff`` are as in :func:`estimate_mean`.

    Examples
    --------
    >>> df = pd.DataFrame({"ok": [True, False, True, True]})
    >>> estimate_proportions(df, "ok")[["ok", "n", "estimate"]]
          ok  n  estimate
    0  False  4      0.25
    1   True  4      0.75
    """
    lvl = check_level(level)
    if ci_method not in CI_METHODS:
        raise ArgumentError(
            f"`ci_method` must be one of {list(CI_METHODS)}, but {ci_method!r} was passed."
        )
    if y in ("conf_level", "n", "estimate", "se", "boundary"):
        raise ArgumentError(f"`y` column {y!r} clashes with an output column; rename it first.")
    classical = ci_method in ("wilson_score", "clopper_pearson")
    if classical and design is not None and design != SurveyDesign():
        raise ArgumentError(
            f"`ci_method={ci_method!r}` is a classical interval for unweighted counts; it "
            f"cannot be used with design={design!r}. Use 'beta' (Korn–Graubard) or 'wilson' "
            "for a design."
        )
    prepared, _, dom = _prepare(data, y, by, design, na_rm)
    y_codes, y_values = _factor(data[y])
    n_levels = len(y_values)
    if n_levels == 0:
        raise DesignError(f"`y` column {y!r} has no non-missing values.")
    d = dom.count
    sums = _domain_sums(prepared, dom)
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

    # PSU totals of w (1[y=l] - p_dl) / W_d = (A_pdl - p_dl B_pd) / W_d
    n_psu = prepared.n_psu
    psu_dom = prepared.psu * d + code
    a_p = _wsum(psu_dom[inside] * n_levels + ycode[inside], w[inside], n_psu * d * n_levels)
    b_p = _wsum(psu_dom[inside], w[inside], n_psu * d)
    totals = (a_p.reshape(n_psu, d, n_levels) - p[None] * b_p.reshape(n_psu, d)[:, :, None]) * (
        inv_w[None, :, None]
    )
    totals = totals.reshape(n_psu, d * n_levels)
    if prepared.calibration_codes:
        cal_sums = []
        for codes, levels in zip(
            prepared.calibration_codes, prepared.calibration_levels, strict=True
        ):
            key = codes[inside] * d + code[inside]
            c_dl = np.bincount(
                key * n_levels + ycode[inside], minlength=levels * d * n_levels
            ).reshape(levels, d, n_levels)
            c_d = np.bincount(key, minlength=levels * d).reshape(levels, d)
            level_sum = (c_dl - p[None] * c_d[:, :, None]) * inv_w[None, :, None]
            cal_sums.append(level_sum.reshape(levels, d * n_levels))
        totals = totals - calibration_psu_correction(prepared, cal_sums)
    var = stratified_variance(prepared, totals).reshape(d, n_levels)
    var = np.where(var < 0, 0.0, var)
    se = np.sqrt(var)

    dfs = np.repeat(_df_override(df, domain_df(prepared, dom.code, d))[:, None], n_levels, axis=1)
    n_base = np.repeat(sums.n[:, None], n_levels, axis=1)
    sigma2 = p * (1.0 - p)
    rep_sums = _DomainSums(
        n=n_base.ravel(),
        n_pos=np.repeat(sums.n_pos, n_levels),
        w=np.repeat(sums.w, n_levels),
        w2=np.repeat(sums.w2, n_levels),
    )
    deff, n_eff = _deff_n_eff(var.ravel(), sigma2.ravel(), np.ones(d * n_levels), rep_sums)

    est = p.ravel()
    boundary = (est == 0.0) | (est == 1.0)
    interior = ~boundary
    low = np.full(est.shape, np.nan)
    high = np.full(est.shape, np.nan)
    if np.any(interior):
        lo_i, hi_i = proportion_ci(
            est[interior],
            se.ravel()[interior],
            dfs.ravel()[interior],
            method=ci_method,
            level=lvl,
            n=rep_sums.n_pos[interior],
            x=counts.ravel()[interior],
        )
        low[interior], high[interior] = lo_i, hi_i
    if np.any(boundary):
        if classical:
            lo_b, hi_b = proportion_ci(
                est[boundary],
                se.ravel()[boundary],
                dfs.ravel()[boundary],
                method=ci_method,
                level=lvl,
                n=rep_sums.n_pos[boundary],
                x=counts.ravel()[boundary],
            )
        else:
            kish = rep_sums.w**2 / rep_sums.w2
            lo_b, hi_b = boundary_ci(
                est[boundary],
                kish[boundary],
                dfs.ravel()[boundary],
                rep_sums.n_pos[boundary],
                lvl,
            )
        low[boundary], high[boundary] = lo_b, hi_b
        warnings.warn(
            f"{int(boundary.sum())} estimated proportion(s) of `{y}` are exactly 0 or 1; "
            "their intervals are exact boundary intervals (column `boundary` is True).",
            BoundaryWarning,
            stacklevel=2,
        )

    labels = dom.labels.loc[np.repeat(np.arange(d), n_levels)].reset_index(drop=True)
    level_codes = np.tile(np.arange(n_levels), d)
    if isinstance(y_values, pd.Categorical):
        labels[y] = pd.Categorical.from_codes(
            level_codes.tolist(), categories=y_values.categories, ordered=y_values.ordered
        )
    else:
        labels[y] = y_values.take(level_codes)
    return _frame(
        labels,
        {
            "n": n_base.ravel(),
            "weighted_n": rep_sums.w,
            "estimate": est,
            "se": se.ravel(),
            "ci_low": low,
            "ci_high": high,
            "df": dfs.ravel(),
            "n_eff": n_eff,
            "deff": deff,
            "ci_method": ci_method,
            "conf_level": lvl,
            "boundary": boundary,
        },
    )
