"""The result table of an estimate, and the columns computed alongside every estimate.

Shared by :mod:`gpcollab.estimate` (linearised designs) and :mod:`gpcollab.replicate`
(replicate-weight designs): the column order of docs/architecture.md ("Result tables"), Wald
intervals on the design degrees of freedom, proportion intervals with their exact boundary
intervals, the :class:`~gpcollab.errors.BoundaryWarning` text, and the design effect and
effective sample size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpcollab._checks import check_level
from gpcollab._typing import FloatArray, IntArray
from gpcollab.design import SurveyDesign
from gpcollab.domains import DomainSums
from gpcollab.errors import ArgumentError
from gpcollab.intervals import CI_METHODS, boundary_ci, likelihood_ci, proportion_ci, wald_ci

if TYPE_CHECKING:  # pragma: no cover
    from gpcollab.replicate import ReplicateDesign

__all__ = [
    "BOUNDARY_WARN_MIN_N",
    "CLASSICAL_METHODS",
    "DEFF_KINDS",
    "ESTIMATE_COLUMNS",
    "DeffKind",
    "boundary_warning",
    "check_proportion_args",
    "deff_n_eff",
    "interval_df",
    "proportion_intervals",
    "result_table",
    "wald_table",
]

#: Smallest base (unweighted rows in the domain) at which an estimate of exactly 0 or 1 is
#: reported by a :class:`BoundaryWarning`. Below it, and for a level observed nowhere in the
#: data (an answer nobody chose), the ``boundary`` column alone marks the row.
BOUNDARY_WARN_MIN_N = 30


def boundary_warning(
    y: str,
    est: FloatArray,
    counts: IntArray,
    n_base: IntArray,
    labels: pd.DataFrame,
    y_values: Any,
) -> str | None:
    """The warning text for the boundary estimates a reader would take at face value, if any.

    ``est`` and ``counts`` are (domains, levels); ``n_base`` the domains' unweighted bases.
    """
    seen = counts.sum(axis=0) > 0  # levels somebody chose
    read = ((est == 0.0) | (est == 1.0)) & seen[None, :] & (n_base >= BOUNDARY_WARN_MIN_N)[:, None]
    if not read.any():
        return None
    d, level = (int(i) for i in np.argwhere(read)[0])
    where = ", ".join(f"{k}={v!r}" for k, v in labels.iloc[d].items())
    value = list(y_values)[level]
    first = f"{where + ', ' if where else ''}{y}={value!r}: {counts[d, level]} of {n_base[d]}"
    return (
        f"{int(read.sum())} estimated proportion(s) of `{y}` with a base of at least "
        f"{BOUNDARY_WARN_MIN_N} are exactly 0 or 1 (first: {first}); their intervals are exact "
        "boundary intervals (column `boundary` is True). To silence: "
        'warnings.filterwarnings("ignore", category=gpcollab.BoundaryWarning).'
    )


def interval_df(df: float | None, design_dfs: IntArray) -> FloatArray:
    """Degrees of freedom of each interval: the design's, or the ``df`` the caller gave."""
    if df is None:
        return design_dfs.astype(np.float64)
    if isinstance(df, bool) or not isinstance(df, int | float) or not df > 0:
        raise ArgumentError(
            f"`df` must be None (design degrees of freedom) or a positive number "
            f"(np.inf for normal intervals), but {df!r} was passed."
        )
    return np.full(design_dfs.shape, float(df))


_WOR_FRACTION_LIMIT = 0.5
"""Below this sampling fraction n'/W the deff uses R's without-replacement SRS variance."""


DeffKind: TypeAlias = Literal["auto", "wor", "replace"]
DEFF_KINDS: tuple[str, ...] = ("auto", "wor", "replace")


def deff_n_eff(
    var: FloatArray,
    sigma2: FloatArray,
    scale2: FloatArray,
    sums: DomainSums,
    kind: str = "auto",
    mean: bool = True,
) -> tuple[FloatArray, FloatArray]:
    """Design effect and effective sample size.

    ``sigma2`` is the plug-in variance of y in the domain, ``scale2`` the square of the factor
    from a mean to the estimate (1 for means, ``(sum w)^2`` for totals).  ``kind`` chooses the
    simple random sample of the denominator: ``"wor"`` without replacement (R's
    ``deff=TRUE``; NaN for a mean when the weights sum to less than the rows, as R),
    ``"replace"`` with replacement (R's ``deff="replace"``), ``"auto"`` the first when the
    weights expand the sample to a population and the second otherwise.
    """
    n_pos = sums.n_pos.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = sigma2 * n_pos / (n_pos - 1.0)  # R's svyvar
        fraction = n_pos / sums.w
        if kind == "replace":
            fpc = np.ones_like(fraction)
        elif kind == "wor":
            fpc = 1.0 - fraction
            if mean:
                fpc = np.where(sums.w < n_pos, np.nan, fpc)
        else:
            # without-replacement SRS only when the weights look like population expansion
            # weights
            fpc = np.where(fraction < _WOR_FRACTION_LIMIT, 1.0 - fraction, 1.0)
        v_srs = scale2 * s2 / n_pos * fpc
        deff = var / v_srs
        kish = kish_n(sums.w, sums.w2)
        n_eff = np.where(var > 0, scale2 * sigma2 / var, kish)
    return np.asarray(deff, dtype=np.float64), np.asarray(n_eff, dtype=np.float64)


def kish_n(w: FloatArray, w2: FloatArray) -> FloatArray:
    """Kish's effective sample size (sum w)^2 / sum w^2 per domain; NaN for an empty domain."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(w**2 / w2, dtype=np.float64)


#: Order of the result columns of every estimate table (docs/architecture.md, "Result
#: tables"), after the grouping columns; ``count`` is added by the analyses.
ESTIMATE_COLUMNS: tuple[str, ...] = (
    "n",
    "count",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "df",
    "ci_method",
    "conf_level",
    "boundary",
    "weighted_n",
    "n_eff",
    "deff",
)


def level_labels(domain_labels: pd.DataFrame, y: str, y_values: Any) -> pd.DataFrame:
    """The labels of a proportions table: each domain's labels repeated for every level of
    ``y``, with the level in column ``y`` (a categorical keeps its categories and order).

    Parameters
    ----------
    domain_labels : DataFrame
        One row of labels per domain.
    y : str
        Name of the column the levels go in.
    y_values : Categorical or Index
        The levels of ``y``, in the order of the estimates within each domain.

    Returns
    -------
    DataFrame
        ``len(domain_labels) * len(y_values)`` rows: domain by domain, level by level.
    """
    d, n_levels = len(domain_labels), len(y_values)
    labels = domain_labels.loc[np.repeat(np.arange(d), n_levels)].reset_index(drop=True)
    level_codes = np.tile(np.arange(n_levels), d)
    if isinstance(y_values, pd.Categorical):
        labels[y] = pd.Categorical.from_codes(
            level_codes.tolist(), categories=y_values.categories, ordered=y_values.ordered
        )
    else:
        labels[y] = y_values.take(level_codes)
    return labels


def result_table(labels: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    """The result table: the domain labels, then ``columns`` in the order of ESTIMATE_COLUMNS.

    Columns given before ``n`` (such as ``quantile``) stay next to the labels; columns outside
    the contract (such as ``qrule``) come last.
    """
    out = labels.reset_index(drop=True)
    names = list(columns)
    first = names.index("n") if "n" in names else len(names)
    known = [c for c in ESTIMATE_COLUMNS if c in columns]
    rest = [c for c in names[first:] if c not in ESTIMATE_COLUMNS]
    added = {name: columns[name] for name in [*names[:first], *known, *rest]}
    if set(added) & set(out.columns):  # a column replaces a label of the same name
        out = out.copy()
        for name, values in added.items():
            out[name] = values
        return out
    # one frame of the new columns joined to the labels: inserting them one by one costs more
    # than the estimate itself on survey-sized data
    table = pd.concat([out, pd.DataFrame(added, index=out.index)], axis=1)
    table.attrs = out.attrs
    return table


def wald_table(
    labels: pd.DataFrame,
    sums: DomainSums,
    estimate: FloatArray,
    var: FloatArray,
    design_df: IntArray,
    df: float | None,
    level: float,
    **extra: Any,
) -> pd.DataFrame:
    """The result table of a linearised estimate, ``estimate ± t_df · se`` by domain.

    ``extra`` columns (such as ``n_eff`` and ``deff``) take their place in the contract's order.
    """
    se = np.sqrt(var)
    dfs = interval_df(df, design_df)
    low, high = wald_ci(estimate, se, dfs, level)
    columns: dict[str, Any] = {
        "n": sums.n,
        "weighted_n": sums.w,
        "estimate": estimate,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "df": dfs,
        "ci_method": "wald",
        "conf_level": level,
    }
    return result_table(labels, {**columns, **extra})


def check_proportion_args(
    y: object, design: SurveyDesign | ReplicateDesign | None, ci_method: str, level: float
) -> float:
    """The checked confidence level, after checking ``ci_method`` and ``y`` against the design."""
    lvl = check_level(level)
    if ci_method not in CI_METHODS:
        raise ArgumentError(
            f"`ci_method` must be one of {list(CI_METHODS)}, but {ci_method!r} was passed."
        )
    if y in ("conf_level", "n", "estimate", "se", "boundary"):
        raise ArgumentError(f"`y` column {y!r} clashes with an output column; rename it first.")
    if ci_method in CLASSICAL_METHODS and design is not None and design != SurveyDesign():
        raise ArgumentError(
            f"`ci_method={ci_method!r}` is a classical interval for unweighted counts; it "
            f"cannot be used with design={design!r}. Use 'beta' (Korn–Graubard) or 'wilson' "
            "for a design."
        )
    return lvl


CLASSICAL_METHODS = ("wilson_score", "clopper_pearson")


def proportion_intervals(
    est: FloatArray,
    se: FloatArray,
    dfs: FloatArray,
    beta_dfs: FloatArray,
    rows: IntArray,
    counts: IntArray,
    kish: FloatArray,
    n_pos: IntArray,
    method: str,
    level: float,
    profile: tuple[FloatArray, ...] | None = None,
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Interval ends of every estimate, and which estimates sit on the 0/1 boundary.

    ``profile`` holds, for ``method="likelihood"``, the prior-weight total, dispersion, rows
    and first fitting step (intercept, information, starting deviance) of each estimate's
    intercept-only model (:func:`~gpcollab.intervals.likelihood_ci`).
    """
    boundary = (est == 0.0) | (est == 1.0)
    interior = ~boundary
    low = np.full(est.shape, np.nan)
    high = np.full(est.shape, np.nan)
    if method == "likelihood" and np.any(interior):
        if profile is None:
            raise ArgumentError(
                "`ci_method='likelihood'` needs a linearised design (SurveyDesign), not "
                "replicate weights."
            )
        weight, dispersion, n_obs, *start = (a[interior] for a in profile)
        low[interior], high[interior] = likelihood_ci(
            est[interior],
            se[interior],
            dfs[interior],
            weight,
            dispersion,
            n_obs,
            level,
            (start[0], start[1], start[2]),
        )
    elif np.any(interior):
        beta = method == "beta"
        low[interior], high[interior] = proportion_ci(
            est[interior],
            se[interior],
            (beta_dfs if beta else dfs)[interior],
            method=method,
            level=level,
            n=(rows if beta else n_pos)[interior],
            x=counts[interior],
        )
    if np.any(boundary):
        if method in CLASSICAL_METHODS:
            low[boundary], high[boundary] = proportion_ci(
                est[boundary],
                se[boundary],
                dfs[boundary],
                method=method,
                level=level,
                n=n_pos[boundary],
                x=counts[boundary],
            )
        else:
            low[boundary], high[boundary] = boundary_ci(
                est[boundary], kish[boundary], dfs[boundary], n_pos[boundary], level
            )
    return low, high, boundary
