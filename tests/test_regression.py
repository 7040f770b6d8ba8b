"""Tests of gpcollab.regression against R's survey package (svyglm quasibinomial, regTermTest).

Sources of expected values:
* "ref 5.F" / "ref 5.I": section 5 of shared/research/statistics_reference.md (R survey 4.1-1),
  held here as printed (10+ significant digits: rtol 1e-8; fewer: to printed precision).
* tests/data/r_survey/gp_like_design/logit_size_age_funded.csv: R oracle (rtol 1e-8).
* tests/data/r_survey/significance_regression/logit_gp_like_*.csv and
  apistrat_ell_meals_mobility.csv: made by make_reference.R in that folder (rtol 1e-8).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab import (
    ArgumentError,
    ConvergenceError,
    DesignError,
    InferenceWarning,
    LogisticFit,
    SurveyDesign,
    logistic_regression,
)

DATA = Path(__file__).parent / "data" / "r_survey"
EXTRA = DATA / "significance_regression"
RTOL = 1e-8


def printed(text: str) -> object:
    """pytest.approx for a number printed as ``text``: half a unit in its last digit."""
    mantissa = text.lower().split("e")[0]
    exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    tol = 0.5 * 10.0 ** (exponent - decimals)
    return pytest.approx(float(text), abs=tol * 1.000001, rel=RTOL)


@pytest.fixture(scope="module")
def gp_like() -> pd.DataFrame:
    df = pd.read_csv(DATA / "gp_like_design.csv")
    df["size_band"] = pd.Categorical(
        df["size_band"], ["<30k", "30-50k", "50-100k", "100-250k", ">250k"]
    )
    df["age_band"] = pd.Categorical(df["age_band"], ["<1y", "1-2y", ">2y"])
    return df


GP_DESIGN = SurveyDesign(weights="weight", strata="region", psu="ccg")
DSTRAT = SurveyDesign(weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def gp_fit(gp_like: pd.DataFrame) -> LogisticFit:
    return logistic_regression(
        gp_like, "fully", ["size_band", "age_band", "funded"], design=GP_DESIGN
    )


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    df = pd.read_csv(DATA / "api" / "apistrat.csv", dtype={"cds": str})
    extra = pd.read_csv(EXTRA / "apistrat_ell_meals_mobility.csv", dtype={"cds": str})
    return df.merge(extra, on="cds", how="left", validate="one_to_one")


def toy() -> pd.DataFrame:
    """The 30-row synthetic collaboration data of ref 5.I."""
    achieved = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0]
    achieved += [1, 1, 1, 0, 1, 1, 1, 0, 1, 1]
    return pd.DataFrame(
        {
            "achieved": achieved,
            "size": pd.Categorical(
                ["small"] * 10 + ["medium"] * 10 + ["large"] * 10,
                categories=["small", "medium", "large"],
            ),
            "funded": ["yes", "no"] * 15,  # strings: levels sorted as R does (no, yes)
            "w": [1.2, 0.8, 1.5, 1.0, 2.0, 0.5, 1.1, 0.9, 1.3, 1.7] * 3,
        }
    )


# ------------------------------------------------------------------------------- oracles


def test_gp_like_coefficients_oracle(gp_fit: LogisticFit) -> None:
    # gp_like_design/logit_size_age_funded.csv (svyglm estimates and SEs)
    oracle = pd.read_csv(DATA / "gp_like_design" / "logit_size_age_funded.csv")
    coefs = gp_fit.coefficients
    assert list(coefs["term"]) == list(oracle["term"])
    np.testing.assert_allclose(coefs["estimate"], oracle["estimate"], rtol=RTOL)
    np.testing.assert_allclose(coefs["se"], oracle["se"], rtol=RTOL)


def test_gp_like_full_table_and_term_tests_oracle(gp_fit: LogisticFit) -> None:
    # significance_regression/logit_gp_like_full.csv and logit_gp_like_term_tests.csv
    full = pd.read_csv(EXTRA / "logit_gp_like_full.csv")
    coefs = gp_fit.coefficients
    for ours, theirs in (("t", "t"), ("p_value", "p_value"), ("ci_low", "ci_low")):
        np.testing.assert_allclose(coefs[ours], full[theirs], rtol=RTOL)
    np.testing.assert_allclose(coefs["ci_high"], full["ci_high"], rtol=RTOL)
    np.testing.assert_allclose(coefs["or_ci_low"], np.exp(full["ci_low"]), rtol=RTOL)
    np.testing.assert_allclose(coefs["odds_ratio"], np.exp(full["estimate"]), rtol=RTOL)
    assert (coefs["df"] == full["df"]).all() and gp_fit.df_residual == 193
    tests = pd.read_csv(EXTRA / "logit_gp_like_term_tests.csv")
    assert list(gp_fit.term_tests["term"]) == list(tests["term"])
    for col in ("F", "ndf", "ddf", "p_value"):
        np.testing.assert_allclose(gp_fit.term_tests[col], tests[col], rtol=RTOL)


def test_apistrat_stype_ref_5f(apistrat: pd.DataFrame) -> None:
    # ref 5.F: svyglm(I(sch.wide=="Yes") ~ stype, dstrat, quasibinomial), regTermTest, confint
    fit = logistic_regression(apistrat, "sch.wide", ["stype"], design=DSTRAT, success="Yes")
    c = fit.coefficients.set_index("term")
    assert list(c.index) == ["(Intercept)", "stypeH", "stypeM"]
    np.testing.assert_allclose(c["estimate"], [2.313634928, -2.233592220, -1.466337068], rtol=RTOL)
    np.testing.assert_allclose(c["se"], [0.3471940925, 0.4437256054, 0.4614675485], rtol=RTOL)
    np.testing.assert_allclose(
        c["p_value"], [2.664784575e-10, 1.090265960e-06, 1.727163770e-03], rtol=RTOL
    )
    assert fit.df_residual == 195
    np.testing.assert_allclose(
        c["odds_ratio"], [10.1111110985, 0.1071428573, 0.2307692311], rtol=RTOL
    )
    np.testing.assert_allclose(
        c["or_ci_low"], [5.09824994138, 0.04465854302, 0.09288015840], rtol=RTOL
    )
    np.testing.assert_allclose(
        c["or_ci_high"], [20.0528747751, 0.2570525388, 0.5733672177], rtol=RTOL
    )
    t = fit.term_tests.iloc[0]
    assert (t["term"], t["ndf"], t["ddf"]) == ("stype", 2, 195)
    assert t["F"] == pytest.approx(12.7043071, rel=RTOL)
    assert t["p_value"] == pytest.approx(6.5101294e-06, rel=RTOL)


def test_apistrat_numeric_ref_5f(apistrat: pd.DataFrame) -> None:
    # ref 5.F: ~ ell + meals + mobility (numeric covariates enter as is)
    fit = logistic_regression(
        apistrat, "sch.wide", ["ell", "meals", "mobility"], design=DSTRAT, success="Yes"
    )
    c = fit.coefficients
    np.testing.assert_allclose(
        c["estimate"],
        [0.835836525054, -0.002489635750, -0.003152365112, 0.060896778707],
        rtol=RTOL,
    )
    np.testing.assert_allclose(
        c["se"], [0.455626095595, 0.013252498611, 0.009199483718, 0.031935421453], rtol=RTOL
    )
    np.testing.assert_allclose(
        c["p_value"], [0.06811454054, 0.85118148441, 0.73221952105, 0.05801475352], rtol=RTOL
    )
    assert fit.df_residual == 197 + 1 - 4


@pytest.mark.parametrize(
    ("weighted", "estimate", "se", "p", "f_size", "p_size"),
    [
        (
            False,
            [-1.6230159124, 0.9418193058, 2.4665849151, 1.3623932133],
            [0.9563919484, 1.0479249672, 1.0739319406, 0.8602376148],
            [0.10163424692, 0.37703583159, 0.02993695428, 0.12534225202],
            "2.705502579",
            "0.08562285",
        ),
        (
            True,
            [-1.7397822550, 0.8230436532, 2.8315262377, 1.1718872727],
            [1.0158475059, 1.0773100141, 1.0720279740, 0.9040931961],
            [0.09868162172, 0.45175686888, 0.01379084323, 0.20629409833],
            "3.807669849",
            "0.035454059",
        ),
    ],
)
def test_toy_ref_5i(
    weighted: bool,
    estimate: list[float],
    se: list[float],
    p: list[float],
    f_size: str,
    p_size: str,
) -> None:
    # ref 5.I: svyglm(achieved ~ size + funded, quasibinomial), df.residual 26, regTermTest(~size)
    design = SurveyDesign(weights="w") if weighted else None
    fit = logistic_regression(toy(), "achieved", ["size", "funded"], design=design)
    c = fit.coefficients
    assert list(c["term"]) == ["(Intercept)", "sizemedium", "sizelarge", "fundedyes"]
    np.testing.assert_allclose(c["estimate"], estimate, rtol=RTOL)
    np.testing.assert_allclose(c["se"], se, rtol=RTOL)
    np.testing.assert_allclose(c["p_value"], p, rtol=RTOL)
    assert fit.df_residual == 26
    size = fit.term_tests.set_index("term").loc["size"]
    assert size["F"] == printed(f_size)
    assert size["p_value"] == printed(p_size)
    assert (size["ndf"], size["ddf"]) == (2, 26)


# ------------------------------------------------------------------------------- behaviour


def test_result_layout(gp_fit: LogisticFit) -> None:
    assert list(gp_fit.coefficients.columns) == [
        "term",
        "variable",
        "level",
        "estimate",
        "se",
        "t",
        "df",
        "p_value",
        "ci_low",
        "ci_high",
        "odds_ratio",
        "or_ci_low",
        "or_ci_high",
    ]
    assert list(gp_fit.term_tests.columns) == ["term", "F", "ndf", "ddf", "p_value"]
    assert gp_fit.vcov.shape == (8, 8)
    assert list(gp_fit.vcov.index) == gp_fit.terms
    np.testing.assert_allclose(
        np.sqrt(np.diag(gp_fit.vcov.to_numpy())), gp_fit.coefficients["se"], rtol=1e-12
    )
    assert gp_fit.coefficients["level"].iloc[1] == "30-50k"
    assert gp_fit.n == 3000 and gp_fit.outcome == "fully" and gp_fit.level == 0.95


def test_predict(gp_fit: LogisticFit, gp_like: pd.DataFrame) -> None:
    X = gp_fit.model_matrix(gp_like)
    expected = 1 / (1 + np.exp(-(X @ gp_fit.params)))
    np.testing.assert_allclose(gp_fit.predict(gp_like), expected, rtol=1e-12)
    # a (B, p) coefficient matrix gives (B, n); row b uses coefficient row b
    rng = np.random.default_rng(2024)
    draws = gp_fit.params + rng.normal(scale=0.1, size=(5, len(gp_fit.params)))
    many = gp_fit.predict(gp_like.head(7), draws)
    assert many.shape == (5, 7)
    np.testing.assert_allclose(many[3], gp_fit.predict(gp_like.head(7), draws[3]), rtol=1e-12)
    # the rows' own columns are enough (design columns not needed)
    new = pd.DataFrame({"size_band": [">250k"], "age_band": [">2y"], "funded": [False]})
    eta = gp_fit.params[[0, 4, 6]].sum()
    assert gp_fit.predict(new)[0] == pytest.approx(1 / (1 + np.exp(-eta)), rel=1e-12)
    with pytest.raises(ArgumentError, match="was not fitted with"):
        gp_fit.predict(new.assign(size_band=["huge"]))
    with pytest.raises(ArgumentError, match="`coef` must have shape"):
        gp_fit.predict(new, np.zeros(3))


def test_weighted_fit_not_frequency_weights() -> None:
    # Multiplying every weight by 10 changes nothing (weights are not frequency weights).
    df = toy()
    a = logistic_regression(df, "achieved", ["size"], design=SurveyDesign(weights="w"))
    b = logistic_regression(
        df.assign(w=df["w"] * 10), "achieved", ["size"], design=SurveyDesign(weights="w")
    )
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients, rtol=1e-10)


def test_separation_raises() -> None:
    df = toy()
    df.loc[df["size"] == "large", "achieved"] = 1
    with pytest.raises(ConvergenceError, match="Perfect separation: every row with size = 'large'"):
        logistic_regression(df, "achieved", ["size"])
    # separation by a numeric covariate
    num = pd.DataFrame({"y": [0, 0, 0, 0, 1, 1, 1, 1], "x": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    with pytest.raises(ConvergenceError, match="separat"):
        logistic_regression(num, "y", ["x"])


def test_non_convergence_raises() -> None:
    with pytest.raises(ConvergenceError, match="did not converge in 1 IRLS"):
        logistic_regression(toy(), "achieved", ["size"], max_iter=1)


def test_argument_errors() -> None:
    df = toy()
    with pytest.raises(ArgumentError, match="`x` must name a column"):
        logistic_regression(df, "achieved", ["nope"])
    with pytest.raises(DesignError, match=r"missing value.*na_rm=True.*stay in the design"):
        logistic_regression(
            df.assign(achieved=df["achieved"].where(df.index > 0)), "achieved", "size"
        )
    with pytest.raises(DesignError, match="single value"):
        logistic_regression(df.assign(achieved=1), "achieved", ["size"])
    with pytest.raises(DesignError, match="rank deficient"):
        logistic_regression(df.assign(size2=df["size"]), "achieved", ["size", "size2"])
    with pytest.raises(ArgumentError, match="distinct columns"):
        logistic_regression(df, "achieved", ["size", "size"])
    with pytest.raises(ArgumentError, match="`max_iter` must be"):
        logistic_regression(df, "achieved", ["size"], max_iter=0)
    with pytest.raises(ArgumentError, match="`level` must be"):
        logistic_regression(df, "achieved", ["size"], level=1.5)


def test_no_residual_df_gives_estimates_with_nan_inference_as_r() -> None:
    """3 strata x 2 PSUs = 3 design df for 4 coefficients: residual df 0. R (survey 4.1.1):

    des <- svydesign(ids=~psu, strata=~h, weights=~w, data=d)
    m <- svyglm(y ~ z + g, des, family=quasibinomial())
    m$df.residual  # 0; coef(m), SE(m) below; summary(m) p-values and confint(m) all NaN
    """
    d = pd.DataFrame(
        {
            "h": [0] * 8 + [1] * 8 + [2] * 8,
            "psu": [0] * 4 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4,
            "w": [
                *[3.42, 3.42, 2.55, 1.86, 1.16, 2.15, 2.23, 1.14, 1.15, 4.0, 2.96, 1.7],
                *[2.3, 3.92, 3.69, 3.53, 2.18, 2.48, 3.03, 1.18, 2.67, 1.81, 3.64, 1.19],
            ],
            "z": [
                *[0.41, 0.83, -1.64, -0.26, -0.98, -0.17, -1.29, 0.02, -0.04, -0.3, -1.05, -0.4],
                *[-1.09, -1.36, 0.22, -1.11, 1.17, 0.72, -2.0, 0.27, -1.1, 0.03, 0.04, -1.99],
            ],
            "g": ["a", "b", "c"] * 8,
            "y": [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0],
        }
    )
    design = SurveyDesign(weights="w", strata="h", psu="psu")
    with pytest.warns(InferenceWarning, match="residual df"):
        fit = logistic_regression(d, "y", ["z", "g"], design=design)
    coef = fit.coefficients.set_index("term")
    r_est = [2.08444917506, 2.10295538552, -4.27374877934, -0.115573584874]
    r_se = [1.00159390091, 0.146607816313, 1.6958161895, 2.31369180379]
    assert list(coef.index) == ["(Intercept)", "z", "gb", "gc"]
    np.testing.assert_allclose(coef["estimate"], r_est, rtol=1e-9)
    np.testing.assert_allclose(coef["se"], r_se, rtol=1e-9)
    assert fit.df_residual == 0
    for column in ("p_value", "ci_low", "ci_high", "or_ci_low", "or_ci_high"):
        assert coef[column].isna().all(), column
    assert fit.term_tests["p_value"].isna().all()
