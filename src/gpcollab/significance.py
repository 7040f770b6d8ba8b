"""Design-based hypothesis tests: Rao–Scott chi-square, trend across ordered bands, two waves.

Every test accepts an optional :class:`~gpcollab.design.SurveyDesign` (``None`` = simple random
sample of equally weighted rows) and returns a tidy :class:`pandas.DataFrame`. The conventions are
those of R's ``survey`` package (``svychisq``, ``svyglm``), whose outputs the tests reproduce.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpcollab._checks import (
    binary_outcome,
    check_column,
    check_complete,
    check_frame,
    check_level,
    renamed_argument,
)
from gpcollab._typing import FloatArray, IntArray
from gpcollab.design import (
    PreparedDesign,
    SurveyDesign,
    design_df,
    influence_covariance,
    prepare_design,
    stratified_covariance,
)
from gpcollab.errors import ArgumentError, DesignError
from gpcollab.estimate import domain_means, domain_reference
from gpcollab.intervals import chi2_sf, f_sf, t_quantile, t_two_sided_p
from gpcollab.regression import logistic_coefficient

__all__ = ["chisq_test", "compare_domains", "compare_means", "compare_proportions", "trend_test"]


ChisqStatistic = Literal["F", "Chisq", "Pearson", "Wald", "adjWald"]
_STATISTICS: tuple[str, ...] = ("F", "Chisq", "Pearson", "Wald", "adjWald")

_METHODS: dict[str, str] = {
    "F": "Rao-Scott second-order F (Satterthwaite df)",
    "Chisq": "Rao-Scott first-order chi-square (X2 / mean generalised design effect)",
    "Pearson": "Pearson chi-square ignoring the design",
    "Wald": "design-based Wald F",
    "adjWald": "design-based adjusted Wald F",
}


def _factor_codes(data: pd.DataFrame, column: str) -> tuple[IntArray, list[object]]:
    """Codes 0..L-1 of the levels present in ``column`` (-1 for a missing value), as R's
    ``factor()`` of the column: levels with rows of any weight count."""
    values = data[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        raw = np.asarray(values.cat.codes, dtype=np.intp)
        levels_all: list[object] = list(values.cat.categories)
    else:
        codes, uniques = pd.factorize(values, sort=True)
        raw = np.asarray(codes, dtype=np.intp)
        levels_all = list(uniques)
    present = np.bincount(raw[raw >= 0], minlength=len(levels_all)) > 0
    remap = np.append(np.cumsum(present) - 1, -1)  # index -1 maps a missing value to -1
    levels = [lv for lv, keep in zip(levels_all, present, strict=True) if keep]
    return np.asarray(remap[raw], dtype=np.intp), levels


@dataclass(frozen=True)
class _Table:
    """A two-way table of a design: codes, levels and the rows with both values present."""

    prepared: PreparedDesign
    r_codes: IntArray
    c_codes: IntArray
    n_rows: int
    n_cols: int
    used: NDArray[np.bool_]
    w: FloatArray  # weights, 0 for rows with a missing value

    @property
    def k(self) -> int:
        return (self.n_rows - 1) * (self.n_cols - 1)

    @property
    def cell(self) -> IntArray:
        """Cell of each row, row level fastest (R's ``interaction(rows, cols)``); 0 if unused."""
        return np.where(self.used, self.r_codes + self.n_rows * self.c_codes, 0)

    def influence_covariance(self, z: FloatArray) -> FloatArray:
        mask = None if self.used.all() else self.used
        return influence_covariance(self.prepared, z, mask=mask)


def _two_way_table(
    data: pd.DataFrame, row: str, col: str, design: SurveyDesign | None, na_rm: bool
) -> _Table:
    check_column(data, row, "row")
    check_column(data, col, "col")
    if row == col:
        raise ArgumentError(f"`row` and `col` must be different columns, but both are {row!r}.")
    prepared = prepare_design(data, design)
    r_codes, r_levels = _factor_codes(data, row)
    c_codes, c_levels = _factor_codes(data, col)
    used = (r_codes >= 0) & (c_codes >= 0)
    if not used.all() and not na_rm:
        per_column = {c: int(data[c].isna().sum()) for c in (row, col) if data[c].isna().any()}
        rows = list(data.index[~used][:5])
        raise DesignError(
            f"{int((~used).sum())} row(s) have missing values in {per_column!r}, e.g. at rows "
            f"{rows}. Pass na_rm=True to leave them out of the table as R's svychisq does: "
            "they stay in the design (a domain), so its PSUs, strata and degrees of freedom "
            "are unchanged. Do not filter the rows out first: that changes the design."
        )
    for name, levels in ((row, r_levels), (col, c_levels)):
        if len(levels) < 2:
            raise DesignError(
                f"Column {name!r} has {len(levels)} level(s) with respondents ({levels!r}); a "
                "chi-square test needs at least two."
            )
    w = np.where(used, np.asarray(prepared.weights, dtype=np.float64), 0.0)
    return _Table(prepared, r_codes, c_codes, len(r_levels), len(c_levels), used, w)


def _rao_scott(table: _Table, nu: int) -> dict[str, tuple[float, ...]]:
    """Pearson X² of the weighted table and its first- and second-order Rao–Scott corrections."""

    n_rows, n_cols, k = table.n_rows, table.n_cols, table.k
    n = table.prepared.n  # R's N: every row of the design, missing values included
    n_cells = n_rows * n_cols
    cell, w = table.cell, table.w
    total = w.sum()
    props = np.bincount(cell, weights=w, minlength=n_cells) / total
    indicators = np.zeros((len(cell), n_cells))
    indicators[np.arange(len(cell)), cell] = 1.0
    cov = table.influence_covariance(w[:, None] * (indicators - props) / total)

    grid = props.reshape(n_cols, n_rows).T
    expected = np.outer(grid.sum(axis=1), grid.sum(axis=0))
    x2 = float(n * np.sum((grid - expected) ** 2 / expected))

    row_of = np.tile(np.arange(n_rows), n_cols)
    col_of = np.repeat(np.arange(n_cols), n_rows)
    main = np.column_stack(
        [
            np.ones(n_cells),
            row_of[:, None] == np.arange(1, n_rows)[None, :],
            col_of[:, None] == np.arange(1, n_cols)[None, :],
        ]
    ).astype(np.float64)
    inter = (
        (
            (row_of[:, None, None] == np.arange(1, n_rows)[None, :, None])
            & (col_of[:, None, None] == np.arange(1, n_cols)[None, None, :])
        )
        .reshape(n_cells, k)
        .astype(np.float64)
    )
    q, _ = np.linalg.qr(main)
    contrast = inter - q @ (q.T @ inter)
    inv_p = np.divide(1.0, props, out=np.zeros_like(props), where=props > 0)
    scaled = contrast * inv_p[:, None]
    delta = np.linalg.solve(contrast.T @ scaled / n, scaled.T @ cov @ scaled)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    f_value = x2 / trace
    mean_deff = trace / k
    nan = float("nan")
    return {
        "F": (f_value, d0, d0 * nu, nan, float(f_sf(f_value, d0, d0 * nu)), nan),
        "Chisq": (x2, nan, nan, float(k), float(chi2_sf(x2 / mean_deff, k)), mean_deff),
        "Pearson": (x2, nan, nan, float(k), float(chi2_sf(x2, k)), nan),
    }


def _wald(table: _Table, nu: int) -> dict[str, tuple[float, ...]]:
    """Design-based Wald tests of observed minus expected cell totals."""

    n_rows, n_cols, k = table.n_rows, table.n_cols, table.k
    cell, w, used = table.cell, table.w, table.used
    r_codes = np.where(used, table.r_codes, 0)
    c_codes = np.where(used, table.c_codes, 0)
    total = w.sum()
    totals = np.bincount(cell, weights=w, minlength=n_rows * n_cols)
    row_tot = np.bincount(r_codes, weights=w, minlength=n_rows)
    col_tot = np.bincount(c_codes, weights=w, minlength=n_cols)
    row_of = np.tile(np.arange(n_rows), n_cols)
    col_of = np.repeat(np.arange(n_cols), n_rows)
    free = (row_of < n_rows - 1) & (col_of < n_cols - 1)
    fr, fc = row_of[free], col_of[free]
    diff = totals[free] - row_tot[fr] * col_tot[fc] / total
    in_cell = (cell[:, None] == np.flatnonzero(free)[None, :]).astype(np.float64)
    in_row = (r_codes[:, None] == fr[None, :]).astype(np.float64)
    in_col = (c_codes[:, None] == fc[None, :]).astype(np.float64)
    infl = w[:, None] * (
        in_cell
        - (in_row * col_tot[fc] + in_col * row_tot[fr]) / total
        + row_tot[fr] * col_tot[fc] / total**2
    )
    try:
        wald = float(diff @ np.linalg.solve(table.influence_covariance(infl), diff))
    except np.linalg.LinAlgError:
        wald = float("nan")
    nan = float("nan")
    f_wald = wald / k
    p_wald = float(f_sf(f_wald, k, nu)) if nu > 0 else nan
    adj_ddf = nu - k + 1
    if adj_ddf >= 1:
        f_adj = f_wald * adj_ddf / nu
        p_adj = float(f_sf(f_adj, k, adj_ddf))
    else:
        f_adj = p_adj = nan
    return {
        "Wald": (f_wald, float(k), float(nu), nan, p_wald, nan),
        "adjWald": (f_adj, float(k), float(adj_ddf), nan, p_adj, nan),
    }


def chisq_test(
    data: pd.DataFrame,
    row: str,
    col: str,
    *,
    design: SurveyDesign | None = None,
    statistic: ChisqStatistic = "F",
    na_rm: bool = False,
) -> pd.DataFrame:
    """Test independence of two categorical variables under a survey design (R ``svychisq``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    row, col : str
        The two categorical columns (any dtype; a ``pd.Categorical`` keeps its category order,
        other columns are sorted). Levels that occur in no row are dropped; each variable needs
        at least two levels.
    design : SurveyDesign, optional
        Sampling design; ``None`` is a simple random sample of equally weighted rows.
    statistic : {"F", "Chisq", "Pearson", "Wald", "adjWald"}, default="F"
        The headline test, returned in the first row; the other rows follow in the order
        F, Chisq, Pearson, Wald, adjWald.
    na_rm : bool, default=False
        Rows with a missing ``row`` or ``col`` raise :class:`~gpcollab.errors.DesignError`
        unless ``True``; then they are left out of the table but kept in the design as a domain,
        as R's ``svychisq`` (``na.rm=TRUE``, its default) does.

    Returns
    -------
    pandas.DataFrame
        One row per test, with columns

        ``test``
            ``"F"`` (Rao–Scott second order), ``"Chisq"`` (Rao–Scott first order),
            ``"Pearson"`` (design ignored), ``"Wald"``, ``"adjWald"``.
        ``statistic``
            The statistic as R prints it (``Chisq`` and ``Pearson``: the Pearson X² itself).
        ``ndf``, ``ddf``
            Numerator and denominator df of F-referred statistics (NaN otherwise).
        ``df``
            Degrees of freedom of chi-square-referred statistics (NaN otherwise).
        ``p_value``
            Upper-tail p-value.
        ``design_effect``
            Mean generalised design effect δ̄ (the first-order divisor; NaN for other rows).
        ``method``
            Description of the test.
        ``n``
            Number of rows in the table (both values present).

    Notes
    -----
    Let p̂ be the R × C table of weighted cell proportions, p̂ᵣ₊ and p̂₊꜀ its margins, n the number
    of rows of the design (as R: rows with a missing value included) and k = (R − 1)(C − 1).
    The Pearson statistic of the weighted table scaled to total n is
    X² = n Σ (p̂ᵣ꜀ − p̂ᵣ₊p̂₊꜀)² / (p̂ᵣ₊p̂₊꜀); the ``Pearson`` row refers it to χ²ₖ as if the
    data were a simple random sample (without a design it equals the classical test without
    continuity correction). The design df ν is survey 4.5's ``degf(design)``: the number of
    PSUs minus the number of strata of the whole design, among rows of nonzero weight (a PSU
    or stratum whose rows all have weight zero does not count; survey 4.1-1 counted it).

    Rao–Scott: V is the design covariance of the RC cell proportions (influence values
    wᵢ(1[i in cell] − p̂)/Σw). With X₁ the main-effects model on the cells, C the interaction
    columns made orthogonal to X₁, and D⁻¹ = diag(1/p̂) (0 for an empty cell, as R does),
    the generalised design-effect matrix is Δ = (CᵀD⁻¹C/n)⁻¹ CᵀD⁻¹VD⁻¹C.

    * ``F`` (second order, default): F = X²/tr Δ on d₀ = (tr Δ)²/tr Δ² and d₀ ν
      degrees of freedom.
    * ``Chisq`` (first order): X²/δ̄ with δ̄ = tr Δ / k referred to χ²ₖ; ``statistic`` is the
      unadjusted X², as R prints it.

    Wald: with cell totals N̂ᵣ꜀ and margins, the k contrasts dᵣ꜀ = N̂ᵣ꜀ − N̂ᵣ₊N̂₊꜀/N̂ for the first
    R − 1 rows and C − 1 columns, their linearised design covariance V_d and W = dᵀV_d⁻¹d:

    * ``Wald``: F = W/k on (k, ν);
    * ``adjWald``: F = W (ν − k + 1)/(k ν) on (k, ν − k + 1) (NaN when ν < k).

    Examples
    --------
    >>> import pandas as pd
    >>> from gpcollab import chisq_test
    >>> df = pd.DataFrame({"size": list("SSSSLLLL"), "achieved": [1, 0, 0, 0, 1, 1, 1, 0]})
    >>> chisq_test(df, "size", "achieved")[["test", "statistic", "p_value"]].round(4)
          test  statistic  p_value
    0        F     1.7500   0.2275
    1    Chisq     2.0000   0.1859
    2  Pearson     2.0000   0.1573
    3     Wald     2.3333   0.1705
    4  adjWald     2.3333   0.1705
    """
    data = check_frame(data)
    if statistic not in _STATISTICS:
        raise ArgumentError(
            f"`statistic` must be one of {list(_STATISTICS)}, but {statistic!r} was passed."
        )
    table = _two_way_table(data, row, col, design, na_rm)
    # survey 4.5: nu <- degf(design), PSUs minus strata among rows of nonzero weight (4.1.1
    # counted every PSU and stratum, which differs when one holds only rows of weight zero)
    nu = design_df(table.prepared)
    rows = {**_rao_scott(table, nu), **_wald(table, nu)}
    n_used = int(table.used.sum())
    order = [statistic] + [s for s in _STATISTICS if s != statistic]
    return pd.DataFrame(
        [(s, *rows[s], _METHODS[s], n_used) for s in order],
        columns=[
            "test",
            "statistic",
            "ndf",
            "ddf",
            "df",
            "p_value",
            "design_effect",
            "method",
            "n",
        ],
    )


def trend_test(
    data: pd.DataFrame,
    y: str,
    across: str | None = None,
    *,
    design: SurveyDesign | None = None,
    success: object | None = None,
    scores: Sequence[float] | None = None,
    level: float = 0.95,
    na_rm: bool = False,
    ordered: str | None = None,
) -> pd.DataFrame:
    """Test for a linear trend in a binary outcome across the levels of an ordered factor.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    y : str
        Outcome: boolean, 0/1, or any column with ``success`` naming the value counted as 1.
    across : str
        The column the trend runs across: an ordered ``pd.Categorical`` (e.g. age bands;
        scores follow the category order) or a numeric column (its values are the scores).
    design : SurveyDesign, optional
        Sampling design; ``None`` is a simple random sample of equally weighted rows.
    success : object, optional
        Value of ``y`` counted as a success when ``y`` is not boolean or 0/1.
    scores : sequence of float, optional
        One score per category of ``across`` (all categories, in order); default
        0, 1, 2, … (equally spaced steps). Not allowed for a numeric column.
    level : float, default=0.95
        Confidence level of the interval.
    na_rm : bool, default=False
        Rows with a missing ``y`` or ``across`` raise unless ``True``; then they are left out
        of the fit but kept in the design, as :func:`~gpcollab.logistic_regression` does.
    ordered : str, optional
        Deprecated name of ``across`` (removed in 0.3.0).

    Returns
    -------
    pandas.DataFrame
        One row: ``test`` (``"t"``), ``outcome``, ``across``, ``n_levels`` (levels with
        respondents), ``slope``
        (change in log-odds per score unit, i.e. per band with default scores), ``se``,
        ``odds_ratio`` = exp(slope) with ``or_ci_low``/``or_ci_high``, ``statistic`` (t),
        ``df``, ``p_value`` (two-sided), ``direction`` (``"increasing"``, ``"decreasing"`` or
        ``"flat"``, the sign of the slope), ``method``, ``n``.

    Notes
    -----
    The test is the Wald t test of the slope β₁ of the design-based logistic regression
    logit P(y = 1) = β₀ + β₁·score (:func:`~gpcollab.logistic_regression`, R
    ``svyglm(y ~ score, family = quasibinomial)``): t = β̂₁/SE on design df − 1 degrees of
    freedom, interval exp(β̂₁ ± t_{(1+level)/2, df}·SE). It is a design-based counterpart of
    the Cochran–Armitage trend test: it asks whether the odds of success change steadily from
    band to band, and is more powerful than the chi-square test against that alternative.

    Examples
    --------
    >>> import pandas as pd
    >>> from gpcollab import trend_test
    >>> age = pd.Categorical(list("AAAABBBBCCCC"), categories=list("ABC"), ordered=True)
    >>> df = pd.DataFrame({"age": age, "ok": [0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0]})
    >>> trend_test(df, "ok", "age")[["odds_ratio", "df", "direction"]].round(3)
       odds_ratio  df   direction
    0         3.0  10  increasing
    """
    data = check_frame(data)
    chosen = renamed_argument("trend_test", "ordered", "across", ordered, across)
    if chosen is None:
        raise ArgumentError("trend_test needs `across`: the ordered column the trend runs across.")
    row = trend_fields(
        data, y, chosen, design=design, success=success, scores=scores, level=level, na_rm=na_rm
    )
    return pd.DataFrame({name: [value] for name, value in row.items()})


def trend_fields(
    data: pd.DataFrame,
    y: str,
    across: str,
    *,
    design: SurveyDesign | None = None,
    success: object | None = None,
    scores: Sequence[float] | None = None,
    level: float = 0.95,
    na_rm: bool = False,
) -> dict[str, Any]:
    """The one row of :func:`trend_test` as a dict (column name to value), for a checked frame.

    For callers that test many outcomes: a one-row DataFrame costs more than the fit itself.

    Parameters
    ----------
    data, y, across, design, success, scores, level, na_rm
        As :func:`trend_test` (``data`` already checked with ``check_frame``).

    Returns
    -------
    dict
        The columns of :func:`trend_test`'s row, same names, same values.
    """
    conf = check_level(level)
    check_column(data, across, "across")
    if across == y:
        raise ArgumentError(f"`across` and `y` must be different columns, but both are {y!r}.")
    values = data[across] if na_rm else check_complete(data, across, "across")
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) and dtype.ordered:
        n_cat = len(dtype.categories)
        if scores is None:
            table = np.arange(n_cat, dtype=np.float64)
        else:
            table = np.asarray(scores, dtype=np.float64)
            if table.shape != (n_cat,) or not np.all(np.isfinite(table)):
                raise ArgumentError(
                    f"`scores` must hold {n_cat} finite numbers, one per category of "
                    f"{across!r} ({list(dtype.categories)!r}), but {scores!r} was passed."
                )
        codes = np.asarray(values.cat.codes, dtype=np.intp)
        score = np.where(codes >= 0, table[codes], np.nan)
    elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        if scores is not None:
            raise ArgumentError(
                f"`scores` applies to an ordered categorical; column {across!r} is numeric "
                "and its values are used as scores. Pass `scores=None`."
            )
        score = values.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        raise ArgumentError(
            f"Column {across!r} (`across`) must be an ordered pandas Categorical or numeric, "
            f"but it has dtype {dtype}. Convert it with "
            "pd.Categorical(values, categories=[...], ordered=True)."
        )
    n_levels = int(np.unique(score[~np.isnan(score)]).size)
    if n_levels < 2:
        raise DesignError(
            f"Column {across!r} has a single observed level; a trend needs at least two."
        )
    score_col = "__gpcollab_trend_score__"
    frame = data.copy(deep=False)  # the caller's frame keeps its columns
    frame[score_col] = score
    coef = logistic_coefficient(
        frame,
        y,
        [score_col],
        1,
        design=design,
        success=success,
        level=conf,
        na_rm=na_rm,
    )
    slope = coef.estimate
    direction = "increasing" if slope > 0 else "decreasing" if slope < 0 else "flat"
    return {
        "test": "t",
        "outcome": y,
        "across": across,
        "n_levels": n_levels,
        "slope": slope,
        "se": coef.se,
        "odds_ratio": coef.odds_ratio,
        "or_ci_low": coef.or_ci_low,
        "or_ci_high": coef.or_ci_high,
        "statistic": coef.t,
        "df": coef.df,
        "p_value": coef.p_value,
        "direction": direction,
        "method": "design-based logistic regression on scores: Wald t test of the slope",
        "n": coef.n,
    }


def _proportion(
    data: pd.DataFrame,
    y: str,
    design: SurveyDesign | None,
    success: object | None,
    which: str,
) -> tuple[float, float, int, int]:
    """Weighted proportion, its linearised variance, design df and n for one sample."""
    data = check_frame(data, f"data_{which}")
    outcome = binary_outcome(data, y, success)
    prepared = prepare_design(data, design)
    w = np.asarray(prepared.weights, dtype=np.float64)
    total = w.sum()
    if not total > 0:
        raise DesignError(f"The weights of `data_{which}` sum to {total!r}; they must be positive.")
    # a value of the sample first: a sample of all 0s or all 1s gives exactly 0 or 1, SE 0
    ref = float(domain_reference(np.zeros(w.size, dtype=np.intp), outcome, 1, w)[0])
    p = ref + float(w @ (outcome - ref) / total)
    var = float(influence_covariance(prepared, w * (outcome - p) / total)[0, 0])
    return p, var, int(design_df(prepared)), len(data)


_UNSET: Any = object()


def _two_designs(
    design: tuple[SurveyDesign | None, SurveyDesign | None] | None,
    design_a: SurveyDesign | None,
    design_b: SurveyDesign | None,
) -> tuple[SurveyDesign | None, SurveyDesign | None]:
    """The pair of designs, from ``design=(a, b)`` or the deprecated ``design_a``/``design_b``."""
    if design_a is not _UNSET or design_b is not _UNSET:
        warnings.warn(
            "compare_proportions(design_a=..., design_b=...) is deprecated and will be removed "
            "in gpcollab 0.3; pass design=(design_a, design_b).",
            DeprecationWarning,
            stacklevel=3,
        )
        if design is not None:
            raise ArgumentError("Pass either design=(a, b) or design_a/design_b, not both.")
        return (
            None if design_a is _UNSET else design_a,
            None if design_b is _UNSET else design_b,
        )
    if design is None:
        return None, None
    if not isinstance(design, tuple) or len(design) != 2:
        raise ArgumentError(
            "`design` must be a pair (design of data_a, design of data_b), e.g. "
            f"(SurveyDesign(weights='w'), None); but {design!r} was passed."
        )
    return design[0], design[1]


def compare_proportions(
    data_a: pd.DataFrame,
    data_b: pd.DataFrame,
    y: str,
    *,
    design: tuple[SurveyDesign | None, SurveyDesign | None] | None = None,
    success: object | None = None,
    level: float = 0.95,
    labels: tuple[str, str] = ("a", "b"),
    design_a: SurveyDesign | None = _UNSET,
    design_b: SurveyDesign | None = _UNSET,
) -> pd.DataFrame:
    """Compare a proportion between two independent samples (for example two survey waves).

    Parameters
    ----------
    data_a, data_b : pandas.DataFrame
        The two samples (say, the 2015 and the 2017 wave), each with column ``y``.
    y : str
        Outcome: boolean, 0/1, or any column with ``success`` naming the value counted.
    design : tuple of (SurveyDesign or None, SurveyDesign or None), optional
        The designs of the two samples, in the order of ``data_a``, ``data_b``; ``None`` (for
        the pair or either one) is a simple random sample of equally weighted rows.
    success : object, optional
        Value of ``y`` whose proportion is compared, when ``y`` is not boolean or 0/1 (e.g. one
        category of an answer set).
    level : float, default=0.95
        Confidence level of the interval for the difference.
    labels : tuple of (str, str), default=("a", "b")
        Names of the two samples, copied to ``sample_a``/``sample_b``.
    design_a, design_b : SurveyDesign, optional
        Deprecated since 0.2.0 (removed in 0.3): use ``design=(design_a, design_b)``.

    Returns
    -------
    pandas.DataFrame
        One row: ``sample_a``, ``sample_b``, ``n_a``, ``n_b``, ``estimate_a``, ``se_a``,
        ``estimate_b``, ``se_b``, ``difference`` (b − a), ``se``, ``ci_low``, ``ci_high``,
        ``test`` (``"t"``), ``statistic`` (its value), ``df``, ``p_value`` (two-sided),
        ``conf_level``, ``method``.

    Notes
    -----
    In each sample the proportion is the weighted mean p̂ = Σwᵢyᵢ/Σwᵢ with the linearised
    design variance of its influence values wᵢ(yᵢ − p̂)/Σwᵢ (R ``svymean``). The samples are
    independent, so SE(p̂_b − p̂_a) = √(SE_a² + SE_b²). The degrees of freedom are those R gives
    when the two samples are stacked as separate strata and the difference is estimated by
    ``svyglm(y ~ sample)`` (equivalently ``svyttest``): df = df_a + df_b − 1, where df_x is
    the design df of sample x (PSUs − strata). The interval is difference ± t_{(1+level)/2, df}·SE
    and the p-value that of t = difference/SE.

    Examples
    --------
    >>> import pandas as pd
    >>> from gpcollab import compare_proportions
    >>> w15 = pd.DataFrame({"formal": [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]})
    >>> w17 = pd.DataFrame({"formal": [1, 1, 0, 1, 0, 1, 1, 0, 1, 1]})
    >>> res = compare_proportions(w15, w17, "formal", labels=("2015", "2017"))
    >>> res[["estimate_a", "estimate_b", "difference", "df"]]
       estimate_a  estimate_b  difference  df
    0         0.4         0.7         0.3  17
    """

    conf = check_level(level)
    des_a, des_b = _two_designs(design, design_a, design_b)
    if (
        not isinstance(labels, tuple)
        or len(labels) != 2
        or not all(isinstance(s, str) for s in labels)
    ):
        raise ArgumentError(
            f"`labels` must be a tuple of two strings, e.g. ('2015', '2017'), but {labels!r} "
            "was passed."
        )
    p_a, v_a, df_a, n_a = _proportion(data_a, y, des_a, success, "a")
    p_b, v_b, df_b, n_b = _proportion(data_b, y, des_b, success, "b")
    df = df_a + df_b - 1
    if df < 1:
        raise DesignError(
            f"The two samples have design df {df_a} and {df_b}; df_a + df_b − 1 = {df} leaves "
            "no degrees of freedom for the comparison."
        )
    diff = p_b - p_a
    se = float(np.sqrt(v_a + v_b))
    crit = float(t_quantile(conf, df))
    if se > 0:
        t_stat = diff / se
        p_value = float(t_two_sided_p(t_stat, df))
    else:
        t_stat = p_value = float("nan")
    return pd.DataFrame(
        {
            "sample_a": [labels[0]],
            "sample_b": [labels[1]],
            "n_a": [n_a],
            "n_b": [n_b],
            "estimate_a": [p_a],
            "se_a": [float(np.sqrt(v_a))],
            "estimate_b": [p_b],
            "se_b": [float(np.sqrt(v_b))],
            "difference": [diff],
            "se": [se],
            "ci_low": [diff - crit * se],
            "ci_high": [diff + crit * se],
            "test": ["t"],
            "statistic": [t_stat],
            "df": [df],
            "p_value": [p_value],
            "conf_level": [conf],
            "method": ["difference of independent proportions, t on df_a + df_b - 1"],
        }
    )


def _group_codes(data: pd.DataFrame, group: str) -> tuple[IntArray, list[object]]:
    codes, levels = _factor_codes(data, group)
    if len(levels) != 2:
        raise DesignError(
            f"Column {group!r} (`group`) must have exactly two levels to compare, but it has "
            f"{len(levels)}: {levels[:10]!r}."
        )
    return codes, levels


def _mean_difference(
    prepared: PreparedDesign,
    y: FloatArray,
    second: NDArray[np.bool_],
    rows: NDArray[np.bool_],
) -> tuple[float, float, float, float]:
    """Means of the two groups among ``rows``, their difference and its design-based SE.

    The influence values of ``mean_2 - mean_1`` are ``w_i (y_i - mean_g) (±1 / W_g)``: the
    score of the group coefficient of ``svyglm(y ~ group)`` times its inverse information.
    """
    w = np.where(rows, prepared.weights, 0.0)
    w2, w1 = w * second, w * ~second
    total2, total1 = w2.sum(), w1.sum()
    if not (total1 > 0 and total2 > 0):
        raise DesignError("One of the two groups has no rows with positive weight to compare.")
    # each mean from a value of its own group: a group whose y is constant gets it exactly
    ref1, ref2 = domain_reference(second.astype(np.intp), y, 2, w)
    mean2 = ref2 + float(w2 @ (y - ref2) / total2)
    mean1 = ref1 + float(w1 @ (y - ref1) / total1)
    z = w2 * (y - mean2) / total2 - w1 * (y - mean1) / total1
    mask = None if rows.all() else rows
    var = float(influence_covariance(prepared, z, mask=mask)[0, 0])
    return mean1, mean2, mean2 - mean1, float(np.sqrt(var))


def compare_means(
    data: pd.DataFrame,
    y: str,
    group: str,
    *,
    by: str | Sequence[str] | None = None,
    design: SurveyDesign | None = None,
    level: float = 0.95,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Compare the mean of ``y`` between the two levels of ``group`` (R ``svyttest``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    y : str
        Numeric (or 0/1) column.
    group : str
        Column with exactly two levels (categorical order, else sorted); the difference is
        second level minus first, as R's coefficient of the group.
    by : str or list of str, optional
        Domain columns: one comparison per domain (R's ``svyttest`` on ``subset(design, ...)``).
    design : SurveyDesign, optional
        ``None`` is a simple random sample of equally weighted rows.
    level : float, default=0.95
        Confidence level of the interval for the difference.
    na_rm : bool, default=False
        Rows with a missing ``y`` or ``group`` raise unless ``True``; then they are left out of
        the comparison but stay in the design (a domain), as ``svyglm`` does.

    Returns
    -------
    pandas.DataFrame
        One row per domain: the ``by`` columns, ``group_a``, ``group_b`` (the two levels),
        ``n``, ``estimate_a``, ``estimate_b`` (the means), ``difference`` (b − a), ``se``,
        ``ci_low``, ``ci_high``, ``test`` (``"t"``), ``statistic``, ``df``, ``p_value``
        (two-sided), ``conf_level``, ``method``.

    Notes
    -----
    ``svyttest(y ~ group, design)`` fits ``svyglm(y ~ group)``; its group coefficient is the
    difference of the two (domain) means, with the linearised SE of that difference, and the
    test is t = difference / SE on the residual df = design df − 1 (the design df of the rows
    compared, within the domain).  The interval is difference ± t_{(1+level)/2, df} SE.

    Examples
    --------
    >>> import pandas as pd
    >>> from gpcollab import compare_means
    >>> df = pd.DataFrame({"staff": [3.0, 5.0, 4.0, 8.0, 9.0, 7.0], "formal": list("nnnyyy")})
    >>> compare_means(df, "staff", "formal")[["difference", "df"]]
       difference  df
    0         4.0   4
    """

    data = check_frame(data)
    conf = check_level(level)
    check_column(data, y, "y")
    check_column(data, group, "group")
    by_cols = [by] if isinstance(by, str) else list(by or [])
    for name in by_cols:
        check_column(data, name, "by")
    if len({y, group, *by_cols}) != 2 + len(by_cols):
        raise ArgumentError("`y`, `group` and `by` must name different columns.")
    prepared = prepare_design(data, design)
    codes, levels = _group_codes(data, group)
    values = data[y]
    if not pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    ):
        raise ArgumentError(f"`y` column {y!r} must be numeric, but has dtype {values.dtype}.")
    y_values = values.to_numpy(dtype=np.float64, na_value=np.nan)
    complete = (codes >= 0) & ~np.isnan(y_values)
    if by_cols:
        keys = data[by_cols].astype(object)
        complete &= ~np.asarray(keys.isna().any(axis=1), dtype=bool)
    if not complete.all() and not na_rm:
        columns = [c for c in (y, group, *by_cols) if data[c].isna().any()]
        raise DesignError(
            f"{int((~complete).sum())} row(s) have missing values in {columns!r}. Pass "
            "na_rm=True to leave them out as R's svyttest does: they stay in the design (a "
            "domain), so its PSUs, strata and degrees of freedom are unchanged."
        )
    y_filled = np.where(complete, y_values, 0.0)
    second = codes == 1
    if by_cols:
        frame = data.loc[complete, by_cols]
        domains = frame.drop_duplicates().sort_values(by_cols).reset_index(drop=True)
    else:
        domains = pd.DataFrame(index=range(1))
    out: list[dict[str, object]] = []
    for _, key in domains.iterrows():
        rows = complete.copy()
        for name in by_cols:
            rows &= np.asarray(data[name] == key[name], dtype=bool)
        mean1, mean2, diff, se = _mean_difference(prepared, y_filled, second, rows)
        df = design_df(prepared, rows) - 1
        t_stat = diff / se if se > 0 else float("nan")
        crit = float(t_quantile(conf, df)) if df > 0 else float("nan")
        out.append(
            {
                **{name: key[name] for name in by_cols},
                "group_a": levels[0],
                "group_b": levels[1],
                "n": int(rows.sum()),
                "estimate_a": mean1,
                "estimate_b": mean2,
                "difference": diff,
                "se": se,
                "ci_low": diff - crit * se,
                "ci_high": diff + crit * se,
                "test": "t",
                "statistic": t_stat,
                "df": df,
                "p_value": float(t_two_sided_p(t_stat, df)) if df > 0 else float("nan"),
                "conf_level": conf,
                "method": "design-based t test of a difference in means (svyttest)",
            }
        )
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- domains of one table


def _column_list(value: str | Sequence[str] | None, param: str) -> list[str]:
    """``by`` / ``within`` as a list of distinct column names."""
    if value is None:
        return []
    names = [value] if isinstance(value, str) else list(value)
    if not all(isinstance(name, str) for name in names):
        raise ArgumentError(
            f"`{param}` must be a column name or a list of names, but {value!r} was passed."
        )
    if len(set(names)) != len(names):
        raise ArgumentError(f"`{param}` lists a column twice: {names!r}.")
    return names


def _domain_pairs(labels: pd.DataFrame, within: list[str]) -> tuple[IntArray, IntArray]:
    """Every pair ``(first, second)`` of domains, first before second in table order, among
    the domains that share their ``within`` values (all domains without ``within``)."""
    if within:
        group = labels.groupby(within, sort=False, observed=True, dropna=False).ngroup()
        groups = np.asarray(group, dtype=np.intp)
    else:
        groups = np.zeros(len(labels), dtype=np.intp)
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        i, j = np.triu_indices(members.size, k=1)
        firsts.append(members[i])
        seconds.append(members[j])
    return np.concatenate(firsts).astype(np.intp), np.concatenate(seconds).astype(np.intp)


def compare_domains(
    data: pd.DataFrame,
    y: str,
    *,
    by: str | Sequence[str],
    within: str | Sequence[str] | None = None,
    design: SurveyDesign | None = None,
    level: float = 0.95,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Test the difference in the mean of ``y`` between every pair of domains of one table.

    The domains of a table share the design's PSUs, so their estimates are correlated; the
    standard error of a difference uses their covariance, as R's
    ``svycontrast(svyby(~y, ~by, design, svymean, covmat=TRUE), c(-1, 1))``.  Whether two
    intervals overlap is no test of a difference; this is.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled unit.
    y : str
        Numeric, 0/1 or boolean column (a 0/1 column gives proportions).
    by : str or list of str
        Columns whose combinations are the domains compared.
    within : str or list of str, optional
        Columns held fixed: only domains with the same ``within`` values are compared (for
        example ``by="size_band", within="aim"`` compares size bands aim by aim).
    design : SurveyDesign, optional
        The sampling design; ``None`` is a simple random sample.  Two-stage designs
        (``ssu=``, ``ssu_fpc=``) add their second-stage term to the covariance, as R's
        ``svyrecvar``.
    level : float, default=0.95
        Confidence level of the interval for each difference.
    na_rm : bool, default=False
        Missing ``by`` or ``within`` values raise :class:`~gpcollab.errors.DesignError`
        unless ``True``; a missing ``y`` makes the pairs of its domain NaN (R's ``NA``) with a
        :class:`~gpcollab.errors.MissingValueWarning`.  With ``True`` those rows are left out
        of every domain but stay in the design (a domain, as R's ``na.rm=TRUE``).

    Returns
    -------
    pandas.DataFrame
        One row per pair of domains: the ``within`` columns; ``<col>_first`` for each ``by``
        column, then ``<col>_second`` for each (the pair's two domains, in the table's order:
        category order, else sorted); ``difference`` (second mean minus first); ``se``;
        ``df``; ``statistic`` (``difference / se``); ``p_value`` (two-sided, ``t`` on ``df``);
        ``ci_low``, ``ci_high`` (``difference ± t_{(1+level)/2, df} se``); ``conf_level``;
        ``test`` (``"t"``); ``estimate_first``, ``estimate_second``; ``n_first``,
        ``n_second`` (unweighted rows of each domain).

    Raises
    ------
    ArgumentError
        ``by`` is missing or names a column twice, a column is named in both ``by`` and
        ``within``, or ``y`` is not numeric.
    DesignError
        Missing ``by`` values without ``na_rm=True``, or no pair of domains to compare.

    Notes
    -----
    With ``m_d`` the mean of domain ``d`` and ``W_d`` its weight total, the influence values
    of ``m_d`` are ``w_i (y_i - m_d) / W_d`` in ``d`` and 0 elsewhere.  The covariance of all
    domain means comes from their PSU totals in one pass, over the whole design (raking and
    post-stratification corrected, strata with a single PSU handled for the whole design as
    ``svyrecvar`` does for ``covmat=TRUE``); the variance of a difference is
    ``V_ff + V_ss - 2 V_fs``.  ``df`` is the design's degrees of freedom, R's
    ``degf(design)`` (PSUs minus strata among rows of nonzero weight), as in
    ``confint(svycontrast(...), df = degf(design))``.

    Examples
    --------
    >>> import pandas as pd
    >>> from gpcollab import compare_domains
    >>> df = pd.DataFrame({"staff": [3.0, 5.0, 4.0, 8.0, 9.0, 7.0], "band": list("aaabbb")})
    >>> compare_domains(df, "staff", by="band")[["band_first", "band_second", "difference"]]
      band_first band_second  difference
    0          a           b         4.0
    """

    conf = check_level(level)
    by_cols = _column_list(by, "by")
    within_cols = _column_list(within, "within")
    if not by_cols:
        raise ArgumentError("`by` must name at least one column whose domains are compared.")
    both_named = sorted(set(by_cols) & set(within_cols))
    if both_named:
        raise ArgumentError(f"Column(s) {both_named!r} are named in both `by` and `within`.")
    means = domain_means(data, y, [*within_cols, *by_cols], design, na_rm)
    first, second = _domain_pairs(means.labels, within_cols)
    if first.size == 0:
        raise DesignError(
            f"There is no pair of domains of {by_cols!r} to compare"
            + (f" within the same {within_cols!r}" if within_cols else "")
            + f": the data hold {len(means.labels)} domain(s)."
        )
    cov = stratified_covariance(means.prepared, means.psu_totals, None, means.ssu_totals)
    var = cov[first, first] + cov[second, second] - 2.0 * cov[first, second]
    se = np.sqrt(np.maximum(var, 0.0))
    difference = means.estimate[second] - means.estimate[first]
    df = float(means.prepared.df)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = difference / se
    if df > 0:
        p_value = t_two_sided_p(statistic, df)
        half = float(t_quantile(conf, df)) * se
    else:
        p_value = np.full(first.size, np.nan)
        half = np.full(first.size, np.nan)
    out = means.labels.loc[first, within_cols].reset_index(drop=True)
    for suffix, rows in (("first", first), ("second", second)):
        for name in by_cols:
            column = f"{name}_{suffix}"
            if column in out.columns:
                raise ArgumentError(
                    f"Result column {column!r} clashes with a `within` column; rename it first."
                )
            out[column] = means.labels[name].take(rows).reset_index(drop=True)
    columns: dict[str, Any] = {
        "difference": difference,
        "se": se,
        "df": df,
        "statistic": statistic,
        "p_value": p_value,
        "ci_low": difference - half,
        "ci_high": difference + half,
        "conf_level": conf,
        "test": "t",
        "estimate_first": means.estimate[first],
        "estimate_second": means.estimate[second],
        "n_first": means.n[first],
        "n_second": means.n[second],
    }
    for name, values in columns.items():
        out[name] = values
    return out
