"""Two-stage designs with a second-stage fpc against R (svydesign(ids=~psu+ssu, fpc=~f1+f2)).

Expected values: ``tests/data/design_toolbox/reference.csv`` (cases ``twostage/*``), written by
``make_reference.R`` there (R's ``svyrecvar`` / ``multistage`` variance): weights, mean, total
with ``na_rm``, proportions, domain means and totals and a linear model, at 1e-8 relative. The
suite's survey 4.5 case ``unsupported/multistage_dclus2`` runs in ``test_r_survey_suite.py``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from _r_suite import compare, load
from gpcollab import (
    ArgumentError,
    DesignError,
    SurveyDesign,
    chisq_test,
    estimate_mean,
    estimate_proportions,
    estimate_ratio,
    estimate_total,
    estimate_var,
    survey_glm,
)
from gpcollab.design import prepare_design
from test_survey_glm import quantities, reference


def _two(data: pd.DataFrame, des: SurveyDesign) -> dict[str, float]:
    """make_reference.R's k_two() for a two-stage design."""
    w = prepare_design(data, des).weights  # the weights R's svydesign derives from the fpcs
    out = {f"w[{i + 1}]": float(v) for i, v in enumerate(w)}
    m = estimate_mean(data, "api00", design=des).iloc[0]
    t = estimate_total(data, "enroll", design=des, na_rm=True).iloc[0]
    out.update(
        mean_api00_est=m["estimate"],
        mean_api00_se=m["se"],
        total_enroll_est=t["estimate"],
        total_enroll_se=t["se"],
    )
    for row in estimate_proportions(data, "comp.imp", design=des).itertuples():
        out[f"compimp_est[comp.imp{row[1]}]"] = row.estimate
        out[f"compimp_se[comp.imp{row[1]}]"] = row.se
    for kind, name in (("mean", "by_stype"), ("total", "total_by_stype")):
        fn = estimate_mean if kind == "mean" else estimate_total
        for row in fn(data, "api00", by="stype", design=des).itertuples():
            out[f"{name}_est[{row[1]}]"] = row.estimate
            out[f"{name}_se[{row[1]}]"] = row.se
    fit = survey_glm(data, "api00 ~ ell + meals", design=des)
    out.update(quantities(fit))
    return out


def _case(case: str) -> dict[str, float]:
    data = load("apiclus2")
    if case == "twostage/dclus2_fpc_weights":
        des = SurveyDesign(psu="dnum", ssu="snum", fpc="fpc1", ssu_fpc="fpc2")
    elif case == "twostage/dclus2_pw":
        des = SurveyDesign(weights="pw", psu="dnum", ssu="snum", fpc="fpc1", ssu_fpc="fpc2")
    elif case == "twostage/dclus2_strata_fractions":
        data["half"] = ["low" if d < 400 else "high" for d in data["dnum"]]
        data["frac1"] = 40 / 757
        data["frac2"] = 1 / (data["pw"] / (757 / 40))
        des = SurveyDesign(
            weights="pw", strata="half", psu="dnum", ssu="snum", fpc="frac1", ssu_fpc="frac2"
        )
    else:
        lonely = int(reference()[case]["lonely_dnum"])
        data.loc[data["dnum"] == lonely, "fpc2"] = 5.0
        des = SurveyDesign(
            weights="pw",
            psu="dnum",
            ssu="snum",
            fpc="fpc1",
            ssu_fpc="fpc2",
            lonely_psu="remove",
        )
        return {**_two(data, des), "lonely_dnum": float(lonely)}
    return _two(data, des)


RATIO_VAR_CHISQ = "twostage/dclus2_ratio_var_chisq"
CASES = [c for c in sorted(reference()) if c.startswith("twostage/") and c != RATIO_VAR_CHISQ]


@pytest.mark.parametrize("case", CASES)
def test_two_stage_agrees_with_r(case: str) -> None:
    bad = compare(_case(case), reference()[case])
    assert not bad, f"{case}: quantities differ from R (qty, ours, R): {bad[:8]}"


def test_four_cases() -> None:
    assert len(CASES) == 4


def test_ratio_variance_and_chisq_agree_with_r() -> None:
    data = load("apiclus2")
    des = SurveyDesign(psu="dnum", ssu="snum", fpc="fpc1", ssu_fpc="fpc2")
    r = estimate_ratio(data, "api00", "api99", design=des).iloc[0]
    v = estimate_var(data, "api00", design=des).iloc[0]
    f = chisq_test(data, "sch.wide", "stype", design=des).set_index("test").loc["F"]
    ours = {
        "ratio_est": r["estimate"],
        "ratio_se": r["se"],
        "var_est": v["estimate"],
        "var_se": v["se"],
        "F_stat": f["statistic"],
        "F_ndf": f["ndf"],
        "F_ddf": f["ddf"],
        "F_p": f["p_value"],
    }
    bad = compare(ours, reference()[RATIO_VAR_CHISQ])
    assert not bad, f"quantities differ from R (qty, ours, R): {bad}"


def test_lonely_second_stage_unit_is_refused_under_fail() -> None:
    data = load("apiclus2")
    lonely = int(reference()["twostage/dclus2_lonely_remove"]["lonely_dnum"])
    data.loc[data["dnum"] == lonely, "fpc2"] = 5.0
    des = SurveyDesign(weights="pw", psu="dnum", ssu="snum", fpc="fpc1", ssu_fpc="fpc2")
    with pytest.raises(DesignError, match="lonely SSU"):
        estimate_mean(data, "api00", design=des)


def test_two_stage_needs_its_columns() -> None:
    with pytest.raises(ArgumentError, match="ssu_fpc"):
        SurveyDesign(psu="dnum", ssu_fpc="fpc2", fpc="fpc1")


def test_without_second_stage_fpc_only_the_first_stage_counts() -> None:
    # R: svydesign(id=~dnum+snum, weights=~pw) is the ultimate-cluster design (suite clus2wr)
    data = load("apiclus2")
    a = estimate_mean(data, "api00", design=SurveyDesign(weights="pw", psu="dnum", ssu="snum"))
    b = estimate_mean(data, "api00", design=SurveyDesign(weights="pw", psu="dnum"))
    pd.testing.assert_frame_equal(a, b)


def test_second_stage_fpc_must_be_constant_within_a_psu() -> None:
    data = load("apiclus2")
    biggest = data["dnum"].value_counts().idxmax()
    data.loc[data.index[data["dnum"] == biggest][0], "fpc2"] = 999.0
    des = SurveyDesign(psu="dnum", ssu="snum", fpc="fpc1", ssu_fpc="fpc2")
    with pytest.raises(DesignError, match=rf"'fpc2'.*{biggest}.*names a PSU"):
        estimate_mean(data, "api00", design=des)
