"""Tests of gpcollab.estimate against R's survey package.

Sources: files under tests/data/r_survey/ (see its README) and the numbers of sections 5.A,
5.B, 5.D, 5.E, 5.H and 5.I of the project's statistics reference, held here as constants.
Numbers printed there with 10 decimals are matched to that printed precision (absolute 1e-9 or
the stated relative tolerance), not to 1e-8 relative.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from gpcollab import (
    BoundaryWarning,
    SurveyDesign,
    estimate_mean,
    estimate_proportions,
    estimate_total,
    rake,
)
from gpcollab.errors import ArgumentError, DesignError, MissingValueWarning

DATA = Path(__file__).parent / "data" / "r_survey"
RTOL = 1e-8
PRINTED = 1e-9  # absolute tolerance for values printed with 10 decimals

# svydesign(ids=~ccg, strata=~region, weights=~weight): reproduces mean_fully.csv exactly
GP_DESIGN = SurveyDesign(weights="weight", strata="region", psu="ccg")
DSTRAT = SurveyDesign(weights="pw", strata="stype", fpc="fpc")  # 5.A dstrat
DW = SurveyDesign(weights="pw")  # 5.A dw (weights only)
DCLUS1 = SurveyDesign(weights="pw", psu="dnum", fpc="fpc")  # 5.A dclus1


@pytest.fixture(scope="module")
def gp() -> pd.DataFrame:
    return pd.read_csv(DATA / "gp_like_design.csv")


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    data = pd.read_csv(DATA / "api" / "apistrat.csv")
    data["yes"] = (data["sch.wide"] == "Yes").astype(float)
    return data


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    data = pd.read_csv(DATA / "estimation_extra" / "apiclus1_awards.csv")
    data["yes"] = (data["sch.wide"] == "Yes").astype(float)
    return data


@pytest.fixture(scope="module")
def toy() -> pd.DataFrame:
    """Section 5.I synthetic collaboration data (30 rows, in order)."""
    achieved = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0]
    achieved += [1, 1, 0, 1, 0, 0, 1, 0, 1, 0]
    achieved += [1, 1, 1, 0, 1, 1, 1, 0, 1, 1]
    size = pd.Categorical(
        ["small"] * 10 + ["medium"] * 10 + ["large"] * 10,
        categories=["small", "medium", "large"],
        ordered=True,
    )
    w = [1.2, 0.8, 1.5, 1.0, 2.0, 0.5, 1.1, 0.9, 1.3, 1.7] * 3
    funded = ["yes", "no"] * 15
    return pd.DataFrame({"achieved": achieved, "size": size, "w": w, "funded": funded})


def _close(actual: object, expected: float, *, abs_tol: float = PRINTED) -> None:
    assert float(actual) == pytest.approx(expected, rel=0, abs=abs_tol)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- gp_like oracles


def test_gp_overall_mean(gp: pd.DataFrame) -> None:
    # source: gp_like_design/mean_fully.csv
    oracle = pd.read_csv(DATA / "gp_like_design" / "mean_fully.csv").iloc[0]
    row = estimate_mean(gp, "fully", design=GP_DESIGN).iloc[0]
    assert row["estimate"] == pytest.approx(oracle["estimate"], rel=RTOL)
    assert row["se"] == pytest.approx(oracle["fully"], rel=RTOL)
    assert (row["n"], row["df"]) == (3000, 200)
    assert row["weighted_n"] == pytest.approx(gp["weight"].sum())


@pytest.mark.parametrize(
    ("by", "file"),
    [(["size_band"], "by_size_band.csv"), (["aim", "size_band"], "by_aim_size_band.csv")],
)
def test_gp_domain_means(gp: pd.DataFrame, by: list[str], file: str) -> None:
    # source: gp_like_design/by_*.csv = svyby(~fully, ~..., des, svymean)
    oracle = pd.read_csv(DATA / "gp_like_design" / file)
    result = estimate_mean(gp, "fully", by=by, design=GP_DESIGN)
    assert len(result) == len(oracle)
    merged = result.merge(oracle, on=by, suffixes=("", "_r"), validate="one_to_one")
    assert len(merged) == len(oracle)
    np.testing.assert_allclose(merged["estimate"], merged["estimate_r"], rtol=RTOL)
    np.testing.assert_allclose(merged["se"], merged["se_r"], rtol=RTOL)


def test_gp_svyciprop_methods(gp: pd.DataFrame) -> None:
    # source: gp_like_design/ciprop_methods.csv (svyciprop(~fully, des, method=...));
    # "likelihood" is not implemented.
    oracle = pd.read_csv(DATA / "gp_like_design" / "ciprop_methods.csv").set_index("method")
    for method in ["logit", "xlogit", "beta", "mean"]:
        row = estimate_proportions(gp, "fully", design=GP_DESIGN, ci_method=method)
        row = row[row["fully"] == 1].iloc[0]
        assert row["estimate"] == pytest.approx(oracle.loc[method, "estimate"], rel=RTOL)
        assert row["ci_low"] == pytest.approx(oracle.loc[method, "ci_low"], rel=RTOL)
        assert row["ci_high"] == pytest.approx(oracle.loc[method, "ci_high"], rel=RTOL)
        assert row["ci_method"] == method


def test_gp_classical_intervals_by_size_band(gp: pd.DataFrame) -> None:
    # source: gp_like_design/srs_proportion_ci.csv (prop.test(correct=FALSE), binom.test)
    oracle = pd.read_csv(DATA / "gp_like_design" / "srs_proportion_ci.csv")
    for method, cols in [("wilson_score", "wilson"), ("clopper_pearson", "cp")]:
        res = estimate_proportions(gp, "fully", by="size_band", ci_method=method)
        res = res[res["fully"] == 1].merge(oracle, on="size_band", suffixes=("", "_r"))
        assert len(res) == 5
        np.testing.assert_array_equal(res["n"], res["n_r"])
        np.testing.assert_allclose(res["estimate"], res["x"] / res["n"], rtol=1e-14)
        np.testing.assert_allclose(res["ci_low"], res[f"{cols}_low"], rtol=RTOL)
        np.testing.assert_allclose(res["ci_high"], res[f"{cols}_high"], rtol=RTOL)


def test_gp_raked_mean_calibration_aware(gp: pd.DataFrame) -> None:
    # source: gp_like_design/rake_margins.csv + raked_mean_fully.csv (svymean on the raked design)
    margins_df = pd.read_csv(DATA / "gp_like_design" / "rake_margins.csv")
    margins = {
        "size_band": dict(
            margins_df.loc[margins_df["margin"] == "size_band", ["level", "Freq"]].to_numpy()
        ),
        "region": {
            int(k): v
            for k, v in margins_df.loc[
                margins_df["margin"] == "region", ["level", "Freq"]
            ].to_numpy()
        },
    }
    data = gp.copy()
    data["raked"] = rake(data, margins, weights="weight")
    design = SurveyDesign(
        weights="raked", strata="region", psu="ccg", calibration=("size_band", "region")
    )
    oracle = pd.read_csv(DATA / "gp_like_design" / "raked_mean_fully.csv").iloc[0]
    row = estimate_mean(data, "fully", design=design).iloc[0]
    assert row["estimate"] == pytest.approx(oracle["estimate"], rel=RTOL)
    assert row["se"] == pytest.approx(oracle["fully"], rel=RTOL)
    prop = estimate_proportions(data, "fully", design=design)
    assert prop["se"].iloc[1] == pytest.approx(oracle["fully"], rel=RTOL)
    # weights treated as fixed give a different (larger) SE
    fixed = estimate_mean(data, "fully", design=SurveyDesign("raked", "region", "ccg")).iloc[0]
    assert fixed["se"] > oracle["fully"] * 1.01


# --------------------------------------------------------------------------- api oracles


def test_api_results_file(apistrat: pd.DataFrame, apiclus1: pd.DataFrame) -> None:
    # source: api/results.csv
    res = pd.read_csv(DATA / "api" / "results.csv")
    by = estimate_mean(apistrat, "api00", by="stype", design=DSTRAT).set_index("stype")
    for stype in "EHM":
        oracle = res[res["quantity"] == f"mean api00 | stype={stype}"].iloc[0]
        assert by.loc[stype, "estimate"] == pytest.approx(oracle["estimate"], rel=RTOL)
        assert by.loc[stype, "se"] == pytest.approx(oracle["se"], rel=RTOL)
    tot = estimate_total(apistrat, "enroll", design=DSTRAT).iloc[0]
    oracle = res[res["quantity"] == "total enroll"].iloc[0]
    assert tot["estimate"] == pytest.approx(oracle["estimate"], rel=RTOL)
    assert tot["se"] == pytest.approx(oracle["se"], rel=RTOL)
    prop = estimate_proportions(
        apiclus1, "sch.wide", design=SurveyDesign(weights="pw", psu="dnum")
    ).set_index("sch.wide")
    oracle = res[res["quantity"] == "proportion sch.wide==Yes"].iloc[0]
    assert prop.loc["Yes", "estimate"] == pytest.approx(oracle["estimate"], rel=RTOL)
    assert prop.loc["Yes", "se"] == pytest.approx(oracle["se"], rel=RTOL)


def test_design_effects_match_r(apistrat: pd.DataFrame, apiclus1: pd.DataFrame) -> None:
    # source: estimation_extra/extra_results.csv (deff=TRUE) and section 5.A
    res = pd.read_csv(DATA / "estimation_extra" / "extra_results.csv").set_index(
        ["case", "quantity"]
    )
    dw = estimate_proportions(apistrat, "sch.wide", design=DW).set_index("sch.wide")
    assert dw.loc["Yes", "deff"] == pytest.approx(
        res.loc[("apistrat_weights_only", "deff prop sch.wide Yes"), "estimate"], rel=RTOL
    )
    _close(dw.loc["Yes", "se"], 0.02606868, abs_tol=5e-9)  # 5.A, printed to 8 decimals
    clus = estimate_mean(apiclus1, "api00", design=DCLUS1).iloc[0]
    assert clus["deff"] == pytest.approx(
        res.loc[("apiclus1_fpc", "deff mean api00"), "estimate"], rel=RTOL
    )
    tot = estimate_total(apiclus1, "enroll", design=DCLUS1).iloc[0]
    assert tot["estimate"] == pytest.approx(
        res.loc[("apiclus1_fpc", "total enroll"), "estimate"], rel=RTOL
    )
    assert tot["se"] == pytest.approx(res.loc[("apiclus1_fpc", "total enroll"), "se"], rel=RTOL)
    assert tot["deff"] == pytest.approx(
        res.loc[("apiclus1_fpc", "deff total enroll"), "estimate"], rel=RTOL
    )
    by = estimate_mean(apistrat, "api00", by="stype", design=DSTRAT).set_index("stype")
    for stype in "EHM":
        assert by.loc[stype, "deff"] == pytest.approx(
            res.loc[(f"apistrat_fpc_by_stype_{stype}", "deff mean api00"), "estimate"], rel=RTOL
        )
    # 5.A: svymean(~sch.wide, dclus1): SE 0.020359477, DEff 0.70743
    clus_p = estimate_proportions(apiclus1, "sch.wide", design=DCLUS1).set_index("sch.wide")
    _close(clus_p.loc["Yes", "se"], 0.020359477, abs_tol=5e-10)
    _close(clus_p.loc["Yes", "deff"], 0.70743, abs_tol=5e-6)


def test_section_5d_domains(apistrat: pd.DataFrame) -> None:
    # statistics_reference 5.D: svyby(~I(sch.wide=="Yes"), ~stype, dstrat, svyciprop)
    logit = estimate_proportions(apistrat, "sch.wide", by="stype", design=DSTRAT)
    logit = logit[logit["sch.wide"] == "Yes"].set_index("stype")
    beta = estimate_proportions(apistrat, "sch.wide", by="stype", design=DSTRAT, ci_method="beta")
    beta = beta[beta["sch.wide"] == "Yes"].set_index("stype")
    expected = {
        "E": (0.91, 0.02843519621, 0.8354459442, 0.9526888940, 0.8366077770, 0.9577672662),
        "H": (0.52, 0.06896763492, 0.3833795166, 0.6536933598, 0.3777083021, 0.6599553636),
        "M": (0.70, 0.06383743035, 0.5588291506, 0.8112547870, 0.5563352041, 0.8197071788),
    }
    for stype, (p, se, lo, hi, blo, bhi) in expected.items():
        _close(logit.loc[stype, "estimate"], p, abs_tol=1e-12)
        _close(logit.loc[stype, "se"], se, abs_tol=1e-11)
        _close(logit.loc[stype, "ci_low"], lo)
        _close(logit.loc[stype, "ci_high"], hi)
        _close(beta.loc[stype, "ci_low"], blo)
        _close(beta.loc[stype, "ci_high"], bhi)
    # svyby(~api00, ~stype, dstrat, svymean) prints normal (df = Inf) intervals
    means = estimate_mean(apistrat, "api00", by="stype", design=DSTRAT, df=np.inf)
    means = means.set_index("stype")
    for stype, (lo, hi) in {
        "E": (650.1607856, 698.6992144),
        "H": (596.5437648, 655.0962352),
        "M": (604.8197577, 668.3802423),
    }.items():
        _close(means.loc[stype, "ci_low"], lo, abs_tol=1e-7)
        _close(means.loc[stype, "ci_high"], hi, abs_tol=1e-7)
    # dw by stype: SE from all 200 rows, CI df = the domain's (49 for H)
    dw = estimate_proportions(apistrat, "sch.wide", by="stype", design=DW)
    dw = dw[dw["sch.wide"] == "Yes"].set_index("stype")
    assert dw["df"].tolist() == [99, 49, 49]
    for stype, (se, lo, hi) in {
        "E": (0.02868999090, 0.8345955478, 0.9529663515),
        "H": (0.07083138730, 0.3798385055, 0.6570823805),
        "M": (0.06497003561, 0.5561553922, 0.8129087657),
    }.items():
        _close(dw.loc[stype, "se"], se, abs_tol=1e-11)
        _close(dw.loc[stype, "ci_low"], lo)
        _close(dw.loc[stype, "ci_high"], hi)


def test_section_5b_dstrat_and_dw_methods(apistrat: pd.DataFrame) -> None:
    # statistics_reference 5.B, svyciprop(~I(sch.wide=="Yes"), dstrat / dw, method=...)
    dstrat = {
        "logit": (0.7745396544, 0.8708148545),
        "xlogit": (0.7745396547, 0.8708148549),
        "asin": (0.7774179082, 0.8731788341),
        "beta": (0.7741713286, 0.8734315926),
        "mean": (0.7799381810, 0.8759578419),
        "wilson": (0.7748145864, 0.8706375623),
    }
    dw = {
        "logit": (0.7703487213, 0.8734735005),
        "xlogit": (0.7703487217, 0.8734735009),
        "beta": (0.7699107511, 0.8764512764),
        "mean": (0.7765417079, 0.8793543149),
    }
    for design, table, se in [(DSTRAT, dstrat, 0.0243447801), (DW, dw, 0.0260686797)]:
        for method, (lo, hi) in table.items():
            res = estimate_proportions(apistrat, "sch.wide", design=design, ci_method=method)
            row = res[res["sch.wide"] == "Yes"].iloc[0]
            _close(row["estimate"], 0.8279480114)
            _close(row["se"], se)
            _close(row["ci_low"], lo)
            _close(row["ci_high"], hi)


def test_section_5e_raked_and_poststratified(apiclus1: pd.DataFrame) -> None:
    # source: estimation_extra/extra_results.csv (R, control=list(maxit=100, epsilon=1e-10))
    res = pd.read_csv(DATA / "estimation_extra" / "extra_results.csv").set_index(
        ["case", "quantity"]
    )
    data = apiclus1.copy()
    data["raked"] = rake(
        data,
        {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}},
        weights="pw",
    )
    design = SurveyDesign(weights="raked", calibration=("stype", "sch.wide"))
    mean = estimate_mean(data, "api00", design=design).iloc[0]
    oracle = res.loc[("apiclus1_weights_raked", "mean api00")]
    assert mean["estimate"] == pytest.approx(oracle["estimate"], rel=RTOL)
    assert mean["se"] == pytest.approx(oracle["se"], rel=RTOL)
    prop = estimate_proportions(data, "awards", design=design).set_index("awards").loc["Yes"]
    oracle = res.loc[("apiclus1_weights_raked", "prop awards Yes (logit)")]
    for col in ["estimate", "se", "ci_low", "ci_high"]:
        assert prop[col] == pytest.approx(oracle[col], rel=RTOL)
    # postStratify(dclus1, ~stype, ...) == calibration on stype alone
    from gpcollab import poststratify

    data["ps"] = poststratify(data, "stype", {"E": 4421, "H": 755, "M": 1018}, weights="pw")
    ps_design = SurveyDesign(weights="ps", psu="dnum", fpc="fpc", calibration=("stype",))
    mean = estimate_mean(data, "api00", design=ps_design).iloc[0]
    oracle = res.loc[("apiclus1_fpc_poststrat_stype", "mean api00")]
    assert mean["estimate"] == pytest.approx(oracle["estimate"], rel=RTOL)
    assert mean["se"] == pytest.approx(oracle["se"], rel=RTOL)
    total = estimate_total(data, "enroll", design=ps_design).iloc[0]
    oracle = res.loc[("apiclus1_fpc_poststrat_stype", "total enroll")]
    assert total["estimate"] == pytest.approx(oracle["estimate"], rel=RTOL)
    assert total["se"] == pytest.approx(oracle["se"], rel=RTOL)


# --------------------------------------------------------------------------- 5.I toy data

TOY_OVERALL = {
    # design: (p, SE, {method: (low, high)})
    "unweighted": (
        0.5333333333,
        0.0926411112,
        {
            "logit": (0.3480228382, 0.7098805978),
            "beta": (0.3399737699, 0.7196287013),
            "mean": (0.3438609867, 0.7228056800),
            "asin": (0.3460079241, 0.7159082527),
            "wilson": (0.3519535710, 0.7063092567),
        },
    ),
    "weighted": (
        0.5222222222,
        0.0985647739,
        {
            "logit": (0.3276134818, 0.7103107634),
            "beta": (0.3177960273, 0.7213353520),
            "mean": (0.3206346249, 0.7238098196),
            "asin": (0.3242771363, 0.7165967899),
            "wilson": (0.3321457518, 0.7060737994),
        },
    ),
}

TOY_BY_SIZE = {
    ("unweighted", "small"): (0.30, 0.1473911053, (0.0805408631, 0.6770888308),
                              (0.0642384442, 0.6586723926), (-0.0334218447, 0.6334218447),
                              (0.0908720524, 0.6475843199)),
    ("unweighted", "medium"): (0.50, 0.1608168802, (0.1892068308, 0.8107931692),
                               (0.1825644904, 0.8174355096), (0.1362069425, 0.8637930575),
                               (0.2058312854, 0.7941687146)),
    ("unweighted", "large"): (0.80, 0.1286535042, (0.3934887197, 0.9610317280),
                              (0.4369255082, 0.9761459129), (0.5089655540, 1.0910344460),
                              (0.4389306463, 0.9533847953)),
    ("weighted", "small"): (0.275, 0.1434917721, (0.0692999380, 0.6589664879),
                            (0.0528492579, 0.6355874735), (-0.0496009400, 0.5996009400),
                            (0.0789573477, 0.6266325872)),
    ("weighted", "medium"): (0.45, 0.1668343266, (0.1511587893, 0.7898796081),
                             (0.1390039927, 0.7938321592), (0.0725945331, 0.8274054669),
                             (0.1670330647, 0.7694947997)),
    ("weighted", "large"): (0.8416666667, 0.1086243972, (0.4568030160, 0.9710998592),
                            (0.5132353370, 0.9836190080), (0.5959412086, 1.0873921248),
                            (0.5051232365, 0.9651378562)),
}  # fmt: skip


def _toy_design(kind: str) -> SurveyDesign | None:
    return SurveyDesign(weights="w") if kind == "weighted" else None


@pytest.mark.parametrize("kind", ["unweighted", "weighted"])
def test_section_5i_overall(toy: pd.DataFrame, kind: str) -> None:
    # statistics_reference 5.I, svyciprop(~achieved, design, method=...), degf 29
    p, se, methods = TOY_OVERALL[kind]
    for method, (lo, hi) in methods.items():
        res = estimate_proportions(toy, "achieved", design=_toy_design(kind), ci_method=method)
        row = res[res["achieved"] == 1].iloc[0]
        _close(row["estimate"], p)
        _close(row["se"], se)
        _close(row["ci_low"], lo)
        _close(row["ci_high"], hi)
        assert row["df"] == 29


@pytest.mark.parametrize("kind", ["unweighted", "weighted"])
def test_section_5i_by_size(toy: pd.DataFrame, kind: str) -> None:
    # statistics_reference 5.I "By size (subset; df 9)"
    methods = ["logit", "beta", "mean", "wilson"]
    results = {
        m: estimate_proportions(toy, "achieved", by="size", design=_toy_design(kind), ci_method=m)
        for m in methods
    }
    for size in ["small", "medium", "large"]:
        p, se, *cis = TOY_BY_SIZE[(kind, size)]
        for method, (lo, hi) in zip(methods, cis, strict=True):
            res = results[method]
            row = res[(res["size"] == size) & (res["achieved"] == 1)].iloc[0]
            _close(row["estimate"], p)
            _close(row["se"], se)
            _close(row["ci_low"], lo)
            _close(row["ci_high"], hi)
            assert row["df"] == 9
            assert row["n"] == 10


def test_section_5i_raked(toy: pd.DataFrame) -> None:
    # statistics_reference 5.I: raked to size x funded; logit p 0.4423282555
    # (0.2669208870, 0.6334078979), SE 0.0939044551 calibration-aware, 0.1018650808 fixed
    data = toy.copy()
    data["rw"] = rake(
        data,
        {"size": {"small": 15, "medium": 9, "large": 6}, "funded": {"no": 12, "yes": 18}},
        weights="w",
    )
    aware = estimate_proportions(
        data, "achieved", design=SurveyDesign(weights="rw", calibration=("size", "funded"))
    ).iloc[1]
    _close(aware["estimate"], 0.4423282555)
    _close(aware["se"], 0.0939044551)
    _close(aware["ci_low"], 0.2669208870)
    _close(aware["ci_high"], 0.6334078979)
    fixed = estimate_proportions(data, "achieved", design=SurveyDesign(weights="rw")).iloc[1]
    _close(fixed["se"], 0.1018650808)
    _close(fixed["ci_low"], 0.2542059618)
    _close(fixed["ci_high"], 0.6485947898)


# --------------------------------------------------------------------------- 5.B mtcars / 5.H


@pytest.fixture()
def mtcars_am() -> pd.DataFrame:
    # 13 of 32 cars have am == 1 (mtcars); cyl == 5 never occurs
    return pd.DataFrame({"am": [1] * 13 + [0] * 19, "cyl5": [0] * 32})


def test_unweighted_srs_proportion(mtcars_am: pd.DataFrame) -> None:
    # statistics_reference 5.B: p = 0.40625, SE = 0.0882099653, logit (0.2450235377,
    # 0.5905774540); df=Inf (0.2504448154, 0.5835253018); 5.G classical Wilson / exact
    row = estimate_proportions(mtcars_am, "am").iloc[1]
    _close(row["se"], 0.0882099653)
    _close(row["ci_low"], 0.2450235377)
    _close(row["ci_high"], 0.5905774540)
    assert row["df"] == 31
    row = estimate_proportions(mtcars_am, "am", df=np.inf).iloc[1]
    _close(row["ci_low"], 0.2504448154)
    _close(row["ci_high"], 0.5835253018)
    row = estimate_proportions(mtcars_am, "am", ci_method="wilson_score").iloc[1]
    _close(row["ci_low"], 0.2551963484)
    _close(row["ci_high"], 0.5773997512)
    row = estimate_proportions(mtcars_am, "am", ci_method="clopper_pearson").iloc[1]
    _close(row["ci_low"], 0.2369841006)
    _close(row["ci_high"], 0.5935507534)
    mean = estimate_mean(mtcars_am, "am", df=np.inf).iloc[0]  # = confint(svymean())
    _close(mean["ci_low"], 0.2333616449)
    _close(mean["ci_high"], 0.5791383551)


def test_boundary_proportion_gets_exact_interval_and_warning(mtcars_am: pd.DataFrame) -> None:
    # statistics_reference 5.H: R gives NaN or zero width for 0/32; 5.G: exact (0, 0.1088812)
    with pytest.warns(BoundaryWarning, match="exactly 0 or 1"):
        res = estimate_proportions(mtcars_am, "cyl5")
    # only level 0 is observed: its proportion is 1, interval (1 - 0.1088812, 1)
    assert len(res) == 1 and res["boundary"].all()
    assert res.iloc[0]["estimate"] == 1.0
    assert res.iloc[0]["ci_high"] == 1.0
    _close(res.iloc[0]["ci_low"], 1 - 0.1088812, abs_tol=5e-8)
    data = mtcars_am.assign(cyl5=pd.Categorical(mtcars_am["cyl5"], categories=[0, 1]))
    for method in ["logit", "beta", "wilson", "asin", "mean", "xlogit", "clopper_pearson"]:
        with pytest.warns(BoundaryWarning):
            res = estimate_proportions(data, "cyl5", ci_method=method)
        assert res["boundary"].all()
        assert res[["ci_low", "ci_high"]].notna().all().all()
        assert (res["ci_high"] > res["ci_low"]).all()
        one = res[res["cyl5"] == 1].iloc[0]
        assert one["ci_low"] == 0.0
        _close(one["ci_high"], 0.1088812, abs_tol=5e-8)


def test_boundary_under_a_design_is_finite(gp: pd.DataFrame) -> None:
    data = gp.assign(zero=0)
    with pytest.warns(BoundaryWarning):
        res = estimate_proportions(data, "zero", by="size_band", design=GP_DESIGN)
    assert res["boundary"].all()
    assert (res["estimate"] == 1.0).all() and (res["ci_high"] == 1.0).all()
    assert (res["ci_low"] < 1).all() and (res["ci_low"] > 0.95).all()


# --------------------------------------------------------------------------- table shape


def test_categorical_order_and_dtype_are_kept(gp: pd.DataFrame) -> None:
    order = ["<30k", "30-50k", "50-100k", "100-250k", ">250k"]
    data = gp.assign(size_band=pd.Categorical(gp["size_band"], categories=order, ordered=True))
    res = estimate_mean(data, "fully", by="size_band", design=GP_DESIGN)
    assert res["size_band"].tolist() == order
    assert isinstance(res["size_band"].dtype, pd.CategoricalDtype)
    assert res["size_band"].cat.ordered
    # the result-table contract of docs/architecture.md
    assert list(res.columns) == [
        "size_band", "n", "estimate", "se", "ci_low", "ci_high", "df", "ci_method",
        "conf_level", "weighted_n", "n_eff", "deff",
    ]  # fmt: skip
    assert res["n"].sum() == 3000


def test_empty_domains_are_dropped() -> None:
    data = pd.DataFrame(
        {
            "y": [1.0, 2.0, 3.0, 4.0],
            "g": pd.Categorical(["a", "a", "c", "c"], categories=["a", "b", "c"]),
        }
    )
    res = estimate_mean(data, "y", by="g")
    assert res["g"].tolist() == ["a", "c"]
    assert res["estimate"].tolist() == [1.5, 3.5]


def test_proportions_sum_to_one_within_domains(gp: pd.DataFrame) -> None:
    res = estimate_proportions(gp, "age_band", by=["aim", "size_band"], design=GP_DESIGN)
    sums = res.groupby(["aim", "size_band"], observed=True)["estimate"].sum()
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)
    assert len(res) == 35 * gp["age_band"].nunique()


def test_proportions_equal_means_of_indicators(gp: pd.DataFrame) -> None:
    data = gp.assign(old=(gp["age_band"] == ">2y").astype(float))
    mean = estimate_mean(data, "old", by="size_band", design=GP_DESIGN)
    prop = estimate_proportions(data, "age_band", by="size_band", design=GP_DESIGN)
    prop = prop[prop["age_band"] == ">2y"]
    np.testing.assert_allclose(prop["estimate"], mean["estimate"], rtol=1e-12)
    np.testing.assert_allclose(prop["se"], mean["se"], rtol=1e-10)
    np.testing.assert_allclose(prop["deff"], mean["deff"], rtol=1e-10)


def test_n_eff_and_unweighted_deff() -> None:
    # hand computation: unweighted SRS, y = 0,0,1,1: p = 0.5, SE^2 = p q/(n-1) = 1/12,
    # n_eff = p q / SE^2 = 3; deff falls back to the with-replacement SRS variance
    # (s^2/n = (1/3)/4 = 1/12): deff = 1
    res = estimate_mean(pd.DataFrame({"y": [0.0, 0.0, 1.0, 1.0]}), "y").iloc[0]
    assert res["se"] ** 2 == pytest.approx(1 / 12)
    assert res["n_eff"] == pytest.approx(3.0)
    assert res["deff"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- errors


def test_missing_values_need_na_rm() -> None:
    data = pd.DataFrame({"y": [1.0, np.nan, 3.0, 5.0], "g": ["a", "a", "b", None]})
    with pytest.raises(
        DesignError, match=r"1 row\(s\) have missing values in the `by`.*'g'.*na_rm"
    ):
        estimate_mean(data, "y", by="g")
    res = estimate_mean(data, "y", by="g", na_rm=True)
    assert res["n"].tolist() == [1, 1]
    assert res["estimate"].tolist() == [1.0, 3.0]


def test_missing_y_without_na_rm_is_nan_in_its_domain_only() -> None:
    # as R's svyby(~y, ~g, svymean) without na.rm: NA where a domain holds a missing y.
    # Hand computation for domain b of this 5-row SRS: y = 3, 5, 7, mean 5; its influence
    # values are (y - 5) / 3 in b and 0 elsewhere, so SE^2 = 5/4 * ((2/3)^2 + (2/3)^2)
    data = pd.DataFrame({"y": [1.0, np.nan, 3.0, 5.0, 7.0], "g": ["a", "a", "b", "b", "b"]})
    with pytest.warns(MissingValueWarning, match=r"'y' has 1 missing.*g='a'.*na_rm=True"):
        res = estimate_mean(data, "y", by="g").set_index("g")
    assert np.isnan(res.loc["a", ["estimate", "se", "ci_low", "ci_high"]].astype(float)).all()
    assert res.loc["b", "estimate"] == 5.0
    assert res.loc["b", "se"] ** 2 == pytest.approx(5 / 4 * 8 / 9, rel=1e-12)
    with pytest.warns(MissingValueWarning, match="the estimate get NaN"):
        whole = estimate_total(data, "y")
    assert np.isnan(whole["estimate"].iloc[0]) and np.isnan(whole["se"].iloc[0])
    with pytest.warns(MissingValueWarning):
        props = estimate_proportions(data.assign(c=["x", None, "x", "z", "z"]), "c", by="g")
    assert props.loc[props["g"] == "a", "estimate"].isna().all()
    assert props.loc[props["g"] == "b", "estimate"].tolist() == pytest.approx([1 / 3, 2 / 3])


@pytest.mark.parametrize("estimator", [estimate_mean, estimate_total])
def test_a_domain_with_every_y_missing_is_a_nan_row_without_na_rm(estimator: Any) -> None:
    # R's svyby(..., na.rm=FALSE) prints NA for a domain whose every y is NA, as for one with
    # a single NA. By hand for domain b (no design: every weight 1): y = 3, 5; mean 4, total 8.
    data = pd.DataFrame({"y": [np.nan, np.nan, 3.0, 5.0, 1.0], "g": ["a", "a", "b", "b", "c"]})
    data.loc[4, "y"] = np.nan
    data = pd.concat([data, pd.DataFrame({"y": [2.0], "g": ["c"]})], ignore_index=True)
    with pytest.warns(MissingValueWarning, match=r"g='a'; g='c' \(1 of them with no non-miss"):
        res = estimator(data, "y", by="g").set_index("g")
    assert res.index.tolist() == ["a", "b", "c"]
    assert res.loc["a", "n"] == 0
    assert np.isnan(res.loc[["a", "c"], ["estimate", "se"]].astype(float)).all().all()
    expected = 4.0 if estimator is estimate_mean else 3.0 + 5.0
    assert res.loc["b", "estimate"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda d: estimate_mean(d, "nope"), r"`y` names column\(s\) \['nope'\]"),
        (lambda d: estimate_mean(d, "y", by=["g", "zz"]), r"`by` names column\(s\) \['zz'\]"),
        (lambda d: estimate_mean(d, "g"), r"needs? a numeric or boolean column"),
        (lambda d: estimate_mean(d, "y", level=95), r"`level` must be a number strictly"),
        (lambda d: estimate_mean(d, "y", df=0), r"`df` must be None"),
        (lambda d: estimate_mean(d, "y", by="y"), r"also listed in `by`"),
        (lambda d: estimate_proportions(d, "g", ci_method="exact"), r"`ci_method` must be one"),
        (
            lambda d: estimate_proportions(
                d, "g", design=SurveyDesign(weights="y"), ci_method="wilson_score"
            ),
            r"classical interval for unweighted counts",
        ),
        (lambda d: estimate_mean(d.to_numpy(), "y"), r"`data` must be a pandas DataFrame"),
    ],
)
def test_bad_arguments(call: object, match: str) -> None:
    data = pd.DataFrame({"y": [1.0, 2.0, 3.0], "g": ["a", "b", "b"]})
    with pytest.raises(ArgumentError, match=match):
        call(data)  # type: ignore[operator]


def test_all_missing_with_na_rm_is_a_clear_error() -> None:
    # every y missing: no domain remains, so there is nothing to estimate
    data = pd.DataFrame(
        {"y": pd.Categorical([None, None], categories=["a", "b"]), "g": pd.Categorical(["x", "y"])}
    )
    with pytest.raises(DesignError, match="nothing to estimate"):
        estimate_proportions(data, "y", by="g", na_rm=True)
    with pytest.raises(DesignError, match="nothing to estimate"):
        estimate_mean(data.assign(y=[np.nan, np.nan]), "y", na_rm=True)


def test_deff_of_weights_scaled_to_the_sample_size_is_the_with_replacement_one() -> None:
    # weights summing to n (mean 1) are relative weights, not population expansion weights:
    # deff = var / (s^2 / n) with no finite-population factor. By hand for y = (1, 0, 1, 0),
    # w = (0.5, 1.5, 1.0, 1.0): W = 4, p = 0.375, z_i = w_i (y_i - p) / W and
    # var = n/(n-1) * sum z_i^2 = 4/3 * 0.05908203125 = 0.0787760416...,
    # s^2 = sum w (y - p)^2 / W * n/(n-1) = 0.234375 * 4/3 = 0.3125, v_srs = s^2 / 4 = 0.078125,
    # so deff = 0.0787760416 / 0.078125 = 1.0083333...
    data = pd.DataFrame({"y": [1.0, 0.0, 1.0, 0.0], "w": [0.5, 1.5, 1.0, 1.0]})
    res = estimate_mean(data, "y", design=SurveyDesign(weights="w"))
    z = np.array([0.5 * 0.625, 1.5 * -0.375, 1.0 * 0.625, 1.0 * -0.375]) / 4
    var = 4 / 3 * np.sum(z**2)
    assert res["deff"].item() == pytest.approx(var / 0.078125, rel=1e-12)
    assert res["deff"].item() == pytest.approx(1.0083333333333, rel=1e-12)
