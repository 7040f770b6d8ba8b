"""survey_glm against R's svyglm (gaussian, quasipoisson/poisson, binomial counts/proportions).

Expected values: ``tests/data/design_toolbox/reference.csv``, written by ``make_reference.R``
in that folder (R survey: svyglm, summary()$dispersion, confint(ddf=), regTermTest), compared
at 1e-8 relative. The suite's survey 4.5 cases ``unsupported/svyglm_*`` are run in
``test_r_survey_suite.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _r_suite import compare, design
from gpcollab import (
    ArgumentError,
    DesignError,
    GlmFit,
    LogisticFit,
    logistic_regression,
    survey_glm,
)

REFERENCE = Path(__file__).parent / "data" / "design_toolbox" / "reference.csv"

Quantities = dict[str, float]


@cache
def reference() -> dict[str, dict[str, float]]:
    table = pd.read_csv(REFERENCE)
    out: dict[str, dict[str, float]] = {}
    for case, qty, value in zip(table["case"], table["qty"], table["value"], strict=True):
        out.setdefault(case, {})[qty] = float(value)
    return out


def quantities(fit: GlmFit, tests: tuple[str, ...] = ()) -> Quantities:
    out: Quantities = {}
    for row in fit.coefficients.itertuples():
        t = row.term
        out[f"coef[{t}]"] = row.estimate
        out[f"se[{t}]"] = row.se
        out[f"t[{t}]"] = row.t
        out[f"p[{t}]"] = row.p_value
        out[f"ci_l[{t}]"] = row.ci_low
        out[f"ci_u[{t}]"] = row.ci_high
    out["df_resid"] = fit.df_residual
    out["dispersion"] = fit.dispersion
    tt = fit.term_tests.set_index("term")
    for term in tests:
        out[f"F[{term}]"] = tt.loc[term, "F"]
        out[f"ndf[{term}]"] = tt.loc[term, "ndf"]
        out[f"ddf[{term}]"] = tt.loc[term, "ddf"]
        out[f"Fp[{term}]"] = tt.loc[term, "p_value"]
    return out


def _scd() -> tuple[pd.DataFrame, object]:
    data, des = design("scd_nofpc")
    data["dead"] = data["arrests"] - data["alive"]
    data["prop"] = data["alive"] / data["arrests"]
    return data, des


def _gaussian_strat() -> Quantities:
    data, des = design("strat")
    fit = survey_glm(data, "api00 ~ ell + meals + mobility", design=des)
    return quantities(fit, ("ell", "meals"))


def _gaussian_factor() -> Quantities:
    data, des = design("clus1")
    fit = survey_glm(data, "api00", ["stype", "ell"], design=des)
    return quantities(fit, ("stype", "ell"))


def _gaussian_narm() -> Quantities:
    data, des = design("clus1")
    fit = survey_glm(data, "target ~ stype + meals", design=des, na_rm=True)
    return quantities(fit, ("stype",))


def _quasipoisson() -> Quantities:
    data, des = design("clus1")
    fit = survey_glm(data, "enroll ~ stype + meals", family="quasipoisson", design=des)
    return quantities(fit, ("stype",))


def _poisson() -> Quantities:
    data, des = design("strat")
    fit = survey_glm(data, "api.stu ~ ell + yr.rnd", family="poisson", design=des)
    return quantities(fit, ("yr.rnd",))


def _counts_intercept() -> Quantities:
    data, des = _scd()
    fit = survey_glm(data, "cbind(alive, dead) ~ 1", family="quasibinomial", design=des)
    return quantities(fit)


def _counts_ambulance() -> Quantities:
    data, des = _scd()
    fit = survey_glm(data, ("alive", "dead"), "ambulance", family="quasibinomial", design=des)
    return quantities(fit, ("ambulance",))


def _proportion_trials() -> Quantities:
    data, des = _scd()
    fit = survey_glm(data, "prop ~ ambulance", family="quasibinomial", trials="arrests", design=des)
    return quantities(fit, ("ambulance",))


def _proportion_trials_clus1() -> Quantities:
    data, des = design("clus1")
    data["pass"] = data["api00"] / 1000
    fit = survey_glm(data, "pass ~ stype + ell", family="binomial", trials="api.stu", design=des)
    return quantities(fit, ("stype",))


CASES: dict[str, Callable[[], Quantities]] = {
    "glm/gaussian_strat": _gaussian_strat,
    "glm/gaussian_clus1_factor": _gaussian_factor,
    "glm/gaussian_clus1_narm": _gaussian_narm,
    "glm/quasipoisson_clus1": _quasipoisson,
    "glm/poisson_strat": _poisson,
    "glm/binomial_counts_scd_intercept": _counts_intercept,
    "glm/binomial_counts_scd_ambulance": _counts_ambulance,
    "glm/binomial_prop_weights_scd": _proportion_trials,
    "glm/binomial_prop_weights_clus1": _proportion_trials_clus1,
}


def test_every_glm_oracle_has_a_case() -> None:
    assert set(CASES) == {c for c in reference() if c.startswith("glm/")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_survey_glm_agrees_with_r(case: str) -> None:
    bad = compare(CASES[case](), reference()[case])
    assert not bad, f"{case}: quantities differ from R (qty, ours, R): {bad[:8]}"


def test_result_columns_by_link() -> None:
    data, des = design("clus1")
    linear = survey_glm(data, "api00 ~ ell", design=des)
    counts = survey_glm(data, "enroll ~ ell", family="quasipoisson", design=des)
    base = ["term", "variable", "level", "estimate", "se", "t", "df", "p_value"]
    assert list(linear.coefficients.columns) == [*base, "ci_low", "ci_high"]
    assert list(counts.coefficients.columns)[-3:] == ["rate_ratio", "rr_ci_low", "rr_ci_high"]
    assert (linear.family, linear.link) == ("gaussian", "identity")
    assert (counts.family, counts.link) == ("quasipoisson", "log")
    np.testing.assert_allclose(
        counts.coefficients["rate_ratio"], np.exp(counts.coefficients["estimate"])
    )
    # predict is on the response scale: exp(b0 + b1 x)
    b0, b1 = counts.params
    np.testing.assert_allclose(
        counts.predict(pd.DataFrame({"ell": [0.0, 10.0]})), np.exp([b0, b0 + 10 * b1])
    )


def test_logistic_regression_is_the_quasibinomial_glm() -> None:
    data, des = design("strat")
    a = logistic_regression(data, "sch.wide", ["ell", "meals"], design=des, success="Yes")
    b = survey_glm(
        data, "sch.wide ~ ell + meals", family="quasibinomial", design=des, success="Yes"
    )
    assert isinstance(a, LogisticFit) and isinstance(b, LogisticFit)
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients)


def test_bad_arguments() -> None:
    data, _ = _scd()
    with pytest.raises(ArgumentError, match="family"):
        survey_glm(data, "alive ~ ambulance", family="gamma")
    with pytest.raises(ArgumentError, match="binomial"):
        survey_glm(data, ("alive", "dead"), family="gaussian")
    with pytest.raises(ArgumentError, match="formula"):
        survey_glm(data, "alive ~ ambulance", ["ESA"])
    with pytest.raises(ArgumentError, match="cannot read"):
        survey_glm(data, "alive ~ ambulance * ESA")
    with pytest.raises(ArgumentError, match="must name a column"):
        survey_glm(data, "alive ~ nothing")
    negative = data.assign(dead=-data["dead"])
    with pytest.raises(DesignError, match="dead"):
        survey_glm(negative, ("alive", "dead"), family="quasibinomial")
    with pytest.raises(DesignError, match="arrests"):
        survey_glm(data.assign(arrests=-1.0), "arrests ~ ambulance", family="quasipoisson")
