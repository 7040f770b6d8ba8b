"""estimate_quantile, estimate_ratio, estimate_var and compare_means against R.

Expected values: ``tests/data/r_survey/estimators_extra/reference.csv``, written by
``make_reference.R`` there (R ``svyquantile``, ``svyratio``, ``svyvar``, ``svyttest`` on the api
samples of the R survey suite; domains as R's ``subset(design, stype == s)``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _r_suite import compare, design
from gpcollab import (
    ArgumentError,
    DesignError,
    MissingValueWarning,
    SurveyDesign,
    chisq_test,
    compare_means,
    estimate_mean,
    estimate_proportions,
    estimate_quantile,
    estimate_ratio,
    estimate_var,
    logistic_regression,
    poststratify,
    weighted_quantile,
)

REFERENCE = Path(__file__).parent / "data" / "r_survey" / "estimators_extra" / "reference.csv"
POP_TYPES = {"E": 4421.0, "H": 755.0, "M": 1018.0}


def _reference() -> dict[str, dict[str, float]]:
    table = pd.read_csv(REFERENCE, keep_default_na=False, dtype={"value": str})
    out: dict[str, dict[str, float]] = {}
    for case, qty, value in zip(table["case"], table["qty"], table["value"], strict=True):
        out.setdefault(case, {})[qty] = math.nan if value in ("NA", "NaN") else float(value)
    return out


REF = _reference()


def _design(name: str) -> tuple[pd.DataFrame, SurveyDesign]:
    if name != "clus1_ps":
        return design(name)
    data, _ = design("clus1")
    data["ps_w"] = poststratify(data, "stype", POP_TYPES, weights="pw")
    return data, SurveyDesign(weights="ps_w", psu="dnum", fpc="fpc", poststrata=("stype",))


def _row(frame: pd.DataFrame, by_value: str | None) -> pd.Series:
    if by_value is None:
        return frame.iloc[0]
    return frame[frame["stype"].astype(str) == by_value].iloc[0]


def _quantile(case: str) -> dict[str, float]:
    parts = case.split("/")
    by = "stype" if parts[0] == "quantile_by" else None
    _, name, y, p, interval, rule = parts[:6]
    flags = parts[6:]
    data, des = _design(name)
    res = estimate_quantile(
        data,
        y,
        quantiles=float(p),
        by=by,
        design=des,
        ci_method=interval,  # type: ignore[arg-type]
        qrule=rule,  # type: ignore[arg-type]
        df=math.inf if "dfinf" in flags else None,
        na_rm="narm" in flags,
    )
    row = _row(res, flags[-1] if by else None)
    return {
        "est": float(row["estimate"]),
        "ci_l": float(row["ci_low"]),
        "ci_u": float(row["ci_high"]),
        "se": float(row["se"]),
        "df": float(row["df"]),
    }


def _ratio(case: str) -> dict[str, float]:
    parts = case.split("/")
    _, name, num, den = parts[:4]
    flags = parts[4:]
    by = "stype" if parts[0] == "ratio_by" else None
    data, des = _design(name)
    res = estimate_ratio(data, num, den, by=by, design=des, na_rm="narm" in flags)
    row = _row(res, flags[-1] if by else None)
    return {"est": float(row["estimate"]), "se": float(row["se"]), "df": float(row["df"])}


def _var(case: str) -> dict[str, float]:
    parts = case.split("/")
    _, name, y = parts[:3]
    flags = parts[3:]
    by = "stype" if parts[0] == "var_by" else None
    data, des = _design(name)
    res = estimate_var(data, y, by=by, design=des, na_rm="narm" in flags)
    row = _row(res, flags[-1] if by else None)
    return {"est": float(row["estimate"]), "se": float(row["se"]), "df": float(row["df"])}


def _ttest(case: str) -> dict[str, float]:
    parts = case.split("/")
    _, name, y, group = parts[:4]
    by = "stype" if parts[0] == "ttest_by" else None
    data, des = _design(name)
    na_rm = bool(data[y].isna().any())
    res = compare_means(data, y, group, by=by, design=des, na_rm=na_rm)
    row = _row(res, parts[4] if by else None)
    return {
        "estimate": float(row["difference"]),
        "se": float(row["se"]),
        "t": float(row["statistic"]),
        "df": float(row["df"]),
        "p": float(row["p_value"]),
        "ci_l": float(row["ci_low"]),
        "ci_u": float(row["ci_high"]),
    }


def _na_data() -> tuple[pd.DataFrame, SurveyDesign]:
    """make_reference.R's na_clus1: missing values in whole PSUs and in rows, zero weights."""
    data, _ = design("clus1")
    comp = data["comp.imp"].astype(object).where(~data["dnum"].isin([637, 716]))
    data["comp_na"] = pd.Categorical(comp, categories=["No", "Yes"])
    data["sw_na"] = (data["sch.wide"] == "Yes").astype(float)
    data.loc[[2, 9, 49], "sw_na"] = np.nan
    data["ell_na"] = data["ell"].astype(float).where(~data["dnum"].eq(716))
    data.loc[[6, 7], "ell_na"] = np.nan
    data["pw0"] = data["pw"]
    data.loc[[4, 5], "pw0"] = 0.0
    return data, SurveyDesign(weights="pw0", psu="dnum", fpc="fpc")


def _ciprop_na(case: str) -> dict[str, float]:
    parts = case.split("/")
    data, des = _na_data()
    dfinf = parts[-1] == "dfinf"
    res = estimate_proportions(
        data,
        "sw_na",
        design=des,
        ci_method=parts[3],
        na_rm=True,  # type: ignore[arg-type]
        df=math.inf if dfinf else None,
    )
    row = res[res["sw_na"] == 1.0].iloc[0]
    out = {
        "est": float(row["estimate"]),
        "se": float(row["se"]),
        "ci_l": float(row["ci_low"]),
        "ci_u": float(row["ci_high"]),
    }
    if not dfinf:
        out["df"] = float(row["df"])
    return out


def _chisq_na(case: str) -> dict[str, float]:
    data, des = _na_data()
    res = chisq_test(data, "sch.wide", "comp_na", design=des, na_rm=True).set_index("test")
    out: dict[str, float] = {}
    for test in ("F", "Wald"):
        out[f"{test}_stat"] = float(res.loc[test, "statistic"])
        out[f"{test}_ndf"] = float(res.loc[test, "ndf"])
        out[f"{test}_ddf"] = float(res.loc[test, "ddf"])
        out[f"{test}_p"] = float(res.loc[test, "p_value"])
    return out


def _glm_na(case: str) -> dict[str, float]:
    data, des = _na_data()
    fit = logistic_regression(
        data, "sch.wide", ["ell_na", "meals", "mobility"], design=des, success="Yes", na_rm=True
    )
    out = {"df_resid": float(fit.df_residual)}
    for _, row in fit.coefficients.iterrows():
        out[f"coef[{row['term']}]"] = float(row["estimate"])
        out[f"se[{row['term']}]"] = float(row["se"])
    return out


RUNNERS = {
    "ciprop_na": _ciprop_na,
    "chisq_na": _chisq_na,
    "glm_na": _glm_na,
    "quantile": _quantile,
    "quantile_by": _quantile,
    "ratio": _ratio,
    "ratio_by": _ratio,
    "var": _var,
    "var_by": _var,
    "ttest": _ttest,
    "ttest_by": _ttest,
}


@pytest.mark.parametrize("case", sorted(REF))
def test_agrees_with_r(case: str) -> None:
    ours = RUNNERS[case.split("/")[0]](case)
    bad = compare(ours, REF[case])
    assert not bad, f"{case}: (qty, ours, R) {bad}"


def test_quantile_rules_by_hand() -> None:
    x, w = [1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0]
    # cumulative shares 0.25, 0.5, 0.75, 1: the median is reached exactly at 2
    assert weighted_quantile(x, w, 0.5, "math") == 2.0
    assert weighted_quantile(x, w, 0.5, "school") == 2.5
    # hf7 is R's default quantile(): 1 + 0.5 * (4 - 1) = 2.5; p = 0.1 -> 1.3
    assert weighted_quantile(x, w, 0.1, "hf7") == pytest.approx(1.3)
    # a zero weight drops the row; weights 3:1 with p = 0.75 reached exactly at 1
    assert weighted_quantile([1.0, 2.0, 9.0], [3.0, 1.0, 0.0], 0.75) == 1.0
    # R's rule when the first value alone holds more than p of the weight: it returns the
    # second value (qrule_math(c(1, 2), c(3, 1), 0.5) is 2 in R); gpcollab does the same
    assert weighted_quantile([1.0, 2.0, 9.0], [3.0, 1.0, 0.0], 0.5) == 2.0
    assert math.isnan(weighted_quantile([1.0], [0.0], 0.5))


def test_quantiles_by_domain_layout() -> None:
    data = pd.DataFrame({"y": np.arange(1.0, 9.0), "g": list("aaaabbbb")})
    res = estimate_quantile(data, "y", quantiles=[0.25, 0.5], by="g")
    assert list(res["g"]) == ["a", "a", "b", "b"]
    assert list(res["quantile"]) == [0.25, 0.5, 0.25, 0.5]
    # math rule by hand: a = 1..4 -> 1 and 2; b = 5..8 -> 5 and 6
    assert list(res["estimate"]) == [1.0, 2.0, 5.0, 6.0]


def test_estimator_argument_errors() -> None:
    data = pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [1.0, 1.0, 2.0], "g": ["a", "b", "c"]})
    with pytest.raises(ArgumentError, match="`quantiles` must be a probability"):
        estimate_quantile(data, "y", quantiles=1.5)
    with pytest.raises(ArgumentError, match="`qrule` must be one of"):
        estimate_quantile(data, "y", qrule="nearest")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="`ci_method` must be one of"):
        estimate_quantile(data, "y", ci_method="score")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="both 'y'"):
        estimate_ratio(data, "y", "y")
    with pytest.raises(DesignError, match="exactly two levels"):
        compare_means(data, "y", "g")
    with pytest.warns(MissingValueWarning, match="na_rm=True"):
        assert np.isnan(estimate_var(data.assign(y=[1.0, None, 3.0]), "y")["estimate"].iloc[0])


def test_deff_kind_is_checked() -> None:
    data = pd.DataFrame({"y": [1.0, 2.0, 4.0]})
    with pytest.raises(ArgumentError, match="`deff` must be one of"):
        from gpcollab import estimate_mean

        estimate_mean(data, "y", deff="exact")  # type: ignore[arg-type]


def test_poststratified_design_with_a_zero_weight_row_matches_r() -> None:
    """A row of weight zero in a post-stratified design counts as weight 1 in R's variance.

    R (survey 4.1.1; the rule is the same in 4.5):
        d <- data.frame(w=c(2.935126, 0, 3.740972, 3.164098, 1.250211),
                        g=c("c","c","b","a","c"), b2=c("v","u","v","u","v"),
                        z=c(-1.706021, -0.084945, -0.091558, -1.655104, -0.241563))
        des <- postStratify(svydesign(ids=~1, weights=~w, data=d), ~g,
                            data.frame(g=c("a","b","c"), Freq=c(500, 300, 200)))
        svymean(~z, des)            # -1.10873332140891, SE 0.0970122796395372
        svyby(~z, ~b2, des, svymean)  # v: -0.562362642817819, SE 0.194029436751209
    """
    d = pd.DataFrame(
        {
            "w": [2.935126, 0.0, 3.740972, 3.164098, 1.250211],
            "g": ["c", "c", "b", "a", "c"],
            "b2": ["v", "u", "v", "u", "v"],
            "z": [-1.706021, -0.084945, -0.091558, -1.655104, -0.241563],
        }
    )
    d["pw"] = poststratify(d, "g", {"a": 500, "b": 300, "c": 200}, weights="w")
    design = SurveyDesign(weights="pw", poststrata=("g",))
    whole = estimate_mean(d, "z", design=design).iloc[0]
    assert whole["estimate"] == pytest.approx(-1.10873332140891, rel=1e-9)
    assert whole["se"] == pytest.approx(0.0970122796395372, rel=1e-9)
    v = estimate_mean(d, "z", by="b2", design=design).set_index("b2").loc["v"]
    assert v["estimate"] == pytest.approx(-0.562362642817819, rel=1e-9)
    assert v["se"] == pytest.approx(0.194029436751209, rel=1e-9)
