"""Tests of gpcollab.significance against R's survey package (svychisq, svyglm).

Sources of expected values:
* "ref 5.C" / "ref 5.I": section 5 of shared/research/statistics_reference.md (R survey 4.1-1),
  held here as printed; numbers printed with fewer than ~9 significant digits are matched to
  their printed precision (half a unit in the last printed digit), the rest to rtol 1e-8.
* tests/data/r_survey/gp_like_design/*.csv: R oracle files (full precision, rtol 1e-8).
* tests/data/r_survey/significance_regression/*.csv: made by make_reference.R in that folder
  (R 4.2.2, survey 4.1-1), full precision, rtol 1e-8.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab import (
    ArgumentError,
    DesignError,
    SurveyDesign,
    chisq_test,
    compare_proportions,
    trend_test,
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


def by_stat(table: pd.DataFrame) -> pd.DataFrame:
    """The result indexed by test name, its number under the oracles' name ``value``."""
    return table.set_index("test").rename(columns={"statistic": "value"})


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def gp_like() -> pd.DataFrame:
    df = pd.read_csv(DATA / "gp_like_design.csv")
    df["size_band"] = pd.Categorical(
        df["size_band"], ["<30k", "30-50k", "50-100k", "100-250k", ">250k"]
    )
    df["age_band"] = pd.Categorical(df["age_band"], ["<1y", "1-2y", ">2y"], ordered=True)
    return df


GP_DESIGN = SurveyDesign(weights="weight", strata="region", psu="ccg")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / "apiclus1.csv")


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / "apistrat.csv")


DCLUS1 = SurveyDesign(weights="pw", psu="dnum", fpc="fpc")
DSTRAT = SurveyDesign(weights="pw", strata="stype", fpc="fpc")
DW = SurveyDesign(weights="pw")


def toy() -> pd.DataFrame:
    """The 30-row synthetic collaboration data of ref 5.I."""
    achieved = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0]
    achieved += [1, 1, 1, 0, 1, 1, 1, 0, 1, 1]
    size = pd.Categorical(
        ["small"] * 10 + ["medium"] * 10 + ["large"] * 10,
        categories=["small", "medium", "large"],
        ordered=True,
    )
    return pd.DataFrame(
        {
            "achieved": achieved,
            "size": size,
            "funded": pd.Categorical(["yes", "no"] * 15, categories=["no", "yes"]),
            "w": [1.2, 0.8, 1.5, 1.0, 2.0, 0.5, 1.1, 0.9, 1.3, 1.7] * 3,
        }
    )


def mtcars() -> pd.DataFrame:
    """Columns am, gear, vs of R's mtcars data (32 cars, in R's row order)."""
    am = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1]
    am += [1, 1, 1, 1]
    gear = [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 5]
    gear += [5, 5, 5, 4]
    vs = [0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1]
    vs += [0, 0, 0, 1]
    return pd.DataFrame({"am": am, "gear": gear, "vs": vs})


# ------------------------------------------------------------------------------- chisq_test


def test_chisq_gp_like_oracle(gp_like: pd.DataFrame) -> None:
    # gp_like_design/chisq_size_band_fully.csv (R svychisq, F and Chisq)
    oracle = pd.read_csv(DATA / "gp_like_design" / "chisq_size_band_fully.csv")
    res = by_stat(chisq_test(gp_like, "size_band", "fully", design=GP_DESIGN))
    f_row = oracle.set_index("statistic").loc["F"]
    c_row = oracle.set_index("statistic").loc["Chisq"]
    for col in ("value", "ndf", "ddf", "p_value"):
        assert res.loc["F", col] == pytest.approx(f_row[col], rel=RTOL)
    for col in ("value", "df", "p_value"):
        assert res.loc["Chisq", col] == pytest.approx(c_row[col], rel=RTOL)


@pytest.mark.parametrize(
    ("case", "make"),
    [
        ("gp_like size_band x fully", "gp"),
        ("mtcars am x gear", "gear"),
        ("mtcars am x vs", "vs"),
    ],
)
def test_chisq_extra_oracle(case: str, make: str, gp_like: pd.DataFrame) -> None:
    # significance_regression/chisq_extra.csv: all four svychisq statistics (+ chisq.test)
    oracle = pd.read_csv(EXTRA / "chisq_extra.csv")
    oracle = oracle[oracle["case"] == case].set_index("statistic")
    if make == "gp":
        res = by_stat(chisq_test(gp_like, "size_band", "fully", design=GP_DESIGN))
    else:
        res = by_stat(chisq_test(mtcars(), "am", make))
    assert set(oracle.index) <= set(res.index)
    for stat, row in oracle.iterrows():
        for col in ("value", "ndf", "ddf", "df", "p_value"):
            if np.isnan(row[col]):
                assert np.isnan(res.loc[stat, col])
            else:
                assert res.loc[stat, col] == pytest.approx(row[col], rel=RTOL), (stat, col)


def test_chisq_dclus1_ref_5c(apiclus1: pd.DataFrame) -> None:
    # ref 5.C, dclus1 ~sch.wide+stype (printed to 8 significant digits)
    res = by_stat(chisq_test(apiclus1, "sch.wide", "stype", design=DCLUS1))
    assert res.loc["F", "value"] == printed("5.1933695")
    assert res.loc["F", "ndf"] == printed("1.4946398")
    assert res.loc["F", "ddf"] == printed("20.9249569")
    assert res.loc["F", "p_value"] == printed("0.02174746")
    assert res.loc["Chisq", "value"] == printed("11.940892")
    assert res.loc["Chisq", "p_value"] == printed("0.005553263")
    assert res.loc["adjWald", "value"] == printed("2.2295544")
    assert (res.loc["adjWald", "ndf"], res.loc["adjWald", "ddf"]) == (2, 13)
    assert res.loc["adjWald", "p_value"] == printed("0.1470579")
    assert res.loc["Wald", "value"] == printed("2.4010586")
    assert (res.loc["Wald", "ndf"], res.loc["Wald", "ddf"]) == (2, 14)
    assert res.loc["Wald", "p_value"] == printed("0.1268963")


@pytest.mark.parametrize(
    ("design", "f", "ndf", "ddf", "p_f", "p_chisq"),
    [
        (DSTRAT, "17.247444", "1.8286715", "360.2482863", "2.035046e-07", "3.232438e-08"),
        (DW, "16.719578", "1.8381238", "365.7866378", "2.977849e-07", "5.479989e-08"),
    ],
)
def test_chisq_dstrat_dw_ref_5c(
    apistrat: pd.DataFrame,
    design: SurveyDesign,
    f: str,
    ndf: str,
    ddf: str,
    p_f: str,
    p_chisq: str,
) -> None:
    # ref 5.C, dstrat and weights-only dw, ~sch.wide+stype (printed precision)
    res = by_stat(chisq_test(apistrat, "sch.wide", "stype", design=design))
    assert res.loc["F", "value"] == printed(f)
    assert res.loc["F", "ndf"] == printed(ndf)
    assert res.loc["F", "ddf"] == printed(ddf)
    assert res.loc["F", "p_value"] == printed(p_f)
    assert res.loc["Chisq", "value"] == printed("26.753534")
    assert res.loc["Chisq", "p_value"] == printed(p_chisq)


def test_chisq_empty_cell_mtcars_ref_5c() -> None:
    # ref 5.C: unweighted mtcars am x gear has an empty cell (am=1, gear=3)
    res = by_stat(chisq_test(mtcars(), "am", "gear"))
    assert res.loc["Chisq", "value"] == printed("20.944669")
    assert res.loc["F", "value"] == printed("13.411714")
    assert res.loc["F", "ndf"] == printed("1.8121206")
    assert res.loc["F", "ddf"] == printed("56.1757385")
    assert res.loc["F", "p_value"] == printed("3.1385e-05")
    assert res.loc["Chisq", "p_value"] == printed("1.497e-06")
    two_by_two = by_stat(chisq_test(mtcars(), "am", "vs"))
    assert two_by_two.loc["Chisq", "value"] == printed("0.90688")
    assert two_by_two.loc["F", "value"] == printed("0.87854")
    assert (two_by_two.loc["F", "ndf"], two_by_two.loc["F", "ddf"]) == pytest.approx((1, 31))
    assert two_by_two.loc["F", "p_value"] == printed("0.3558")
    assert two_by_two.loc["Pearson", "p_value"] == printed("0.3409")  # chisq.test(correct=F)


@pytest.mark.parametrize(
    ("weighted", "expected"),
    [
        (
            False,
            {
                ("F", "value"): "2.4598214286",
                ("F", "ndf"): "2",
                ("F", "ddf"): "58",
                ("F", "p_value"): "0.09432147798",
                ("Chisq", "value"): "5.0892857143",
                ("Chisq", "p_value"): "0.08545020857",
                ("Wald", "value"): "3.0149484039",
                ("Wald", "p_value"): "0.06462603762",
                ("adjWald", "value"): "2.9109846658",
                ("adjWald", "p_value"): "0.07102773393",
                ("Pearson", "value"): "5.0892857",
                ("Pearson", "p_value"): "0.07850108",
            },
        ),
        (
            True,
            {
                ("F", "value"): "3.3664397622",
                ("F", "ndf"): "1.9889620832",
                ("F", "ddf"): "57.6799004115",
                ("F", "p_value"): "0.04166720167",
                ("Chisq", "value"): "6.7485155863",
                ("Chisq", "p_value"): "0.03451229084",
                ("Wald", "value"): "3.7233993104",
                ("Wald", "p_value"): "0.0363671992",
                ("adjWald", "value"): "3.5950062307",
                ("adjWald", "p_value"): "0.04076998484",
            },
        ),
    ],
)
def test_chisq_toy_ref_5i(weighted: bool, expected: dict[tuple[str, str], str]) -> None:
    # ref 5.I svychisq(~achieved+size); unweighted also chisq.test(correct=FALSE)
    design = SurveyDesign(weights="w") if weighted else None
    res = by_stat(chisq_test(toy(), "achieved", "size", design=design))
    for (stat, col), text in expected.items():
        assert res.loc[stat, col] == printed(text), (stat, col)
    assert (res.loc["Wald", "ndf"], res.loc["Wald", "ddf"]) == (2, 29)
    assert (res.loc["adjWald", "ndf"], res.loc["adjWald", "ddf"]) == (2, 28)


def test_chisq_srs_identity_and_scipy() -> None:
    # Hand identity (ref 5.C): SRS without empty cells, F = X2 (n-1) / (n df) on (df, df (n-1));
    # Pearson row equals scipy's chi2_contingency without continuity correction.
    from scipy.stats import chi2_contingency

    df = toy()
    res = by_stat(chisq_test(df, "size", "funded"))
    n, k = 30, 2
    x2 = res.loc["Pearson", "value"]
    assert res.loc["F", "value"] == pytest.approx(x2 * (n - 1) / (n * k), rel=1e-12)
    assert res.loc["F", "ddf"] == pytest.approx(k * (n - 1), rel=1e-12)
    table = pd.crosstab(df["size"], df["funded"]).to_numpy()
    stat, p, dof, _ = chi2_contingency(table, correction=False)
    assert (x2, res.loc["Pearson", "p_value"], res.loc["Pearson", "df"]) == pytest.approx(
        (stat, p, dof), rel=1e-12
    )


def test_chisq_layout_and_order(gp_like: pd.DataFrame) -> None:
    res = chisq_test(gp_like, "size_band", "fully", design=GP_DESIGN, statistic="Wald")
    assert list(res["test"]) == ["Wald", "F", "Chisq", "Pearson", "adjWald"]
    assert list(res.columns) == [
        "test",
        "statistic",
        "ndf",
        "ddf",
        "df",
        "p_value",
        "design_effect",
        "method",
        "n",
    ]
    assert (res["n"] == 3000).all()
    # unused categories are dropped rather than producing NaN
    extra = gp_like.assign(
        size_band=gp_like["size_band"].cat.add_categories(["unknown"]),
    )
    again = chisq_test(extra, "size_band", "fully", design=GP_DESIGN)
    pd.testing.assert_frame_equal(
        again, chisq_test(gp_like, "size_band", "fully", design=GP_DESIGN)
    )


def test_chisq_errors() -> None:
    df = toy()
    with pytest.raises(ArgumentError, match="`statistic` must be one of"):
        chisq_test(df, "size", "funded", statistic="G")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="`row` must name a column"):
        chisq_test(df, "nope", "funded")
    with pytest.raises(DesignError, match="at least two"):
        chisq_test(df.assign(one="x"), "one", "funded")
    with pytest.raises(DesignError, match=r"missing value.*na_rm=True.*stay in the design"):
        chisq_test(df.assign(size=df["size"].where(df.index != 3)), "size", "funded")
    with pytest.raises(ArgumentError, match="different columns"):
        chisq_test(df, "size", "size")


# ------------------------------------------------------------------------------- trend_test


@pytest.mark.parametrize(
    ("case", "weighted"),
    [("toy unweighted achieved ~ size", False), ("toy weighted achieved ~ size", True)],
)
def test_trend_toy_oracle(case: str, weighted: bool) -> None:
    # significance_regression/trend_extra.csv: svyglm(achieved ~ score, quasibinomial)
    row = pd.read_csv(EXTRA / "trend_extra.csv").set_index("case").loc[case]
    design = SurveyDesign(weights="w") if weighted else None
    res = trend_test(toy(), "achieved", "size", design=design).iloc[0]
    assert res["slope"] == pytest.approx(row["slope"], rel=RTOL)
    assert res["se"] == pytest.approx(row["se"], rel=RTOL)
    assert res["statistic"] == pytest.approx(row["t"], rel=RTOL)
    assert res["p_value"] == pytest.approx(row["p_value"], rel=RTOL)
    assert res["df"] == row["df"] == 28
    assert res["or_ci_low"] == pytest.approx(np.exp(row["ci_low"]), rel=RTOL)
    assert res["or_ci_high"] == pytest.approx(np.exp(row["ci_high"]), rel=RTOL)
    assert res["odds_ratio"] == pytest.approx(np.exp(row["slope"]), rel=RTOL)
    assert res["direction"] == "increasing"
    assert res["n_levels"] == 3


def test_trend_gp_like_oracle(gp_like: pd.DataFrame) -> None:
    row = pd.read_csv(EXTRA / "trend_extra.csv").set_index("case")
    row = row.loc["gp_like fully ~ age_band"]
    res = trend_test(gp_like, "fully", "age_band", design=GP_DESIGN).iloc[0]
    for ours, theirs in (
        ("slope", "slope"),
        ("se", "se"),
        ("statistic", "t"),
        ("p_value", "p_value"),
    ):
        assert res[ours] == pytest.approx(row[theirs], rel=RTOL)
    assert res["df"] == 199


def test_trend_direction_scores_and_numeric() -> None:
    df = toy()
    flipped = df.assign(achieved=1 - df["achieved"])
    assert trend_test(flipped, "achieved", "size")["direction"].iloc[0] == "decreasing"
    # explicit equally spaced scores 0, 2, 4 halve the slope; numeric column = same model
    base = trend_test(df, "achieved", "size").iloc[0]
    doubled = trend_test(df, "achieved", "size", scores=[0, 2, 4]).iloc[0]
    assert doubled["slope"] == pytest.approx(base["slope"] / 2, rel=1e-9)
    assert doubled["p_value"] == pytest.approx(base["p_value"], rel=1e-9)
    numeric = df.assign(score=df["size"].cat.codes.astype(float))
    same = trend_test(numeric, "achieved", "score").iloc[0]
    assert same["slope"] == pytest.approx(base["slope"], rel=1e-12)
    # categorical outcome with success=
    labelled = df.assign(outcome=np.where(df["achieved"] == 1, "fully", "not"))
    coded = trend_test(labelled, "outcome", "size", success="fully").iloc[0]
    assert coded["slope"] == pytest.approx(base["slope"], rel=1e-12)


def test_trend_errors() -> None:
    df = toy()
    with pytest.raises(ArgumentError, match="ordered pandas Categorical"):
        trend_test(df.assign(size=df["size"].astype(str)), "achieved", "size")
    with pytest.raises(ArgumentError, match="`scores` must hold 3"):
        trend_test(df, "achieved", "size", scores=[1, 2])
    with pytest.raises(ArgumentError, match="pass `success=`"):
        trend_test(df.assign(a=np.where(df["achieved"] == 1, "y", "n")), "a", "size")
    with pytest.raises(ArgumentError, match="`level` must be"):
        trend_test(df, "achieved", "size", level=95)


# --------------------------------------------------------------------- compare_proportions


def test_compare_proportions_by_hand() -> None:
    # Unweighted SRS: Var(p) = p(1 - p)/(n - 1); df = (n_a - 1) + (n_b - 1) - 1.
    from scipy import stats

    a = pd.DataFrame({"formal": [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]})  # 4/10
    b = pd.DataFrame({"formal": [True] * 14 + [False] * 6})  # 14/20
    res = compare_proportions(a, b, "formal", labels=("2015", "2017")).iloc[0]
    va, vb = 0.4 * 0.6 / 9, 0.7 * 0.3 / 19
    se = np.sqrt(va + vb)
    df = 9 + 19 - 1
    t = 0.3 / se
    crit = stats.t.ppf(0.975, df)
    assert (res["sample_a"], res["sample_b"], res["n_a"], res["n_b"]) == ("2015", "2017", 10, 20)
    assert res["estimate_a"] == pytest.approx(0.4, rel=1e-12)
    assert res["estimate_b"] == pytest.approx(0.7, rel=1e-12)
    assert res["difference"] == pytest.approx(0.3, rel=1e-12)
    assert res["se_a"] == pytest.approx(np.sqrt(va), rel=1e-12)
    assert res["se"] == pytest.approx(se, rel=1e-12)
    assert res["df"] == df
    assert res["statistic"] == pytest.approx(t, rel=1e-12)
    assert res["p_value"] == pytest.approx(2 * stats.t.sf(t, df), rel=1e-12)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((0.3 - crit * se, 0.3 + crit * se))


def test_compare_proportions_api_oracle(apistrat: pd.DataFrame, apiclus1: pd.DataFrame) -> None:
    # significance_regression/compare_proportions_extra.csv: svyglm(y ~ sample) on the stacked
    # design (apistrat and apiclus1 as separate strata, with fpc)
    row = pd.read_csv(EXTRA / "compare_proportions_extra.csv").iloc[0]
    res = compare_proportions(
        apistrat, apiclus1, "sch.wide", design=(DSTRAT, DCLUS1), success="Yes"
    ).iloc[0]
    for col in ("estimate_a", "se_a", "estimate_b", "se_b", "difference", "se", "p_value"):
        assert res[col] == pytest.approx(row[col], rel=RTOL), col
    assert res["statistic"] == pytest.approx(row["t"], rel=RTOL)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx(
        (row["ci_low"], row["ci_high"]), rel=RTOL
    )
    assert res["df"] == row["df"] == 210


def test_compare_proportions_toy_gp_oracle(gp_like: pd.DataFrame) -> None:
    row = pd.read_csv(EXTRA / "compare_proportions_extra.csv").iloc[1]
    res = compare_proportions(
        toy().rename(columns={"achieved": "fully"}),
        gp_like,
        "fully",
        design=(SurveyDesign(weights="w"), GP_DESIGN),
    ).iloc[0]
    for col in ("estimate_a", "se_a", "estimate_b", "se_b", "difference", "se", "p_value"):
        assert res[col] == pytest.approx(row[col], rel=RTOL), col
    assert (res["ci_low"], res["ci_high"]) == pytest.approx(
        (row["ci_low"], row["ci_high"]), rel=RTOL
    )
    assert res["df"] == row["df"] == 228


def test_compare_proportions_old_design_arguments_still_work(gp_like: pd.DataFrame) -> None:
    # design_a/design_b are kept for one release with a DeprecationWarning, same numbers
    df = toy().rename(columns={"achieved": "fully"})
    new = compare_proportions(df, gp_like, "fully", design=(SurveyDesign(weights="w"), GP_DESIGN))
    with pytest.warns(DeprecationWarning, match=r"design=\(design_a, design_b\)"):
        old = compare_proportions(
            df, gp_like, "fully", design_a=SurveyDesign(weights="w"), design_b=GP_DESIGN
        )
    pd.testing.assert_frame_equal(old, new)
    with pytest.raises(ArgumentError, match="`design` must be a pair"):
        compare_proportions(df, df, "fully", design=(None, None, None))  # type: ignore[arg-type]


def test_compare_proportions_errors() -> None:
    df = toy()
    with pytest.raises(ArgumentError, match="`success` must be one of"):
        compare_proportions(df, df, "funded", success="maybe")
    with pytest.raises(ArgumentError, match="`labels` must be"):
        compare_proportions(df, df, "achieved", labels=("a",))  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="`data_b` must be a pandas DataFrame"):
        compare_proportions(df, [1, 2], "achieved")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="must hold 0/1"):
        compare_proportions(df, df.assign(achieved=2), "achieved")


def test_missing_values_are_a_domain_with_na_rm() -> None:
    # R: svychisq/svyglm drop rows with a missing value from the table or fit but keep them in
    # the design (na.rm / na.omit subset the design). A cluster design where the missing rows
    # fill a whole PSU: the design df stays that of every PSU; filtering the rows would lose one.
    df = toy().assign(psu=np.arange(30) // 3)
    design = SurveyDesign(psu="psu")
    gappy = df.assign(size=df["size"].where(df["psu"] != 0))
    filtered = df[df["psu"] != 0]
    chi = chisq_test(gappy, "size", "funded", design=design, na_rm=True).set_index("test")
    chi_filtered = chisq_test(filtered, "size", "funded", design=design).set_index("test")
    assert chi.loc["Wald", "ddf"] == 9  # 10 PSUs - 1, as R's svychisq (nu of the whole design)
    assert chi_filtered.loc["Wald", "ddf"] == 8
    assert chi.loc["Wald", "n"] == 27
    # the same weighted table, so the same Pearson statistic up to R's scaling to all n rows
    assert chi.loc["Pearson", "statistic"] == pytest.approx(
        chi_filtered.loc["Pearson", "statistic"] * 30 / 27, rel=1e-12
    )
    trend = trend_test(
        gappy.assign(size=gappy["size"].astype("category").cat.as_ordered()),
        "achieved",
        "size",
        design=design,
        na_rm=True,
    ).iloc[0]
    assert trend["n"] == 27
    # residual df: design df of the 9 PSUs with rows in the fit (8) + 1 - 2 coefficients
    assert trend["df"] == 7
