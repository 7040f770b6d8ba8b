"""Tests of gpcollab.compare_domains: differences between the domains of one table.

Expected values: tests/data/compare_domains/oracles.csv, written by make_oracles.R in that
folder (R survey 4.1.1) from svyby(~y, ~by, design, svymean, covmat=TRUE) + svycontrast, or
for raked and post-stratified designs the same covariance written out as survey 4.5's svyby
computes it (see the script).  Difference and SE must agree with R at 1e-8 (relative), df is
R's degf(design).
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
    compare_domains,
    estimate_mean,
)

HERE = Path(__file__).parent / "data" / "compare_domains"
RTOL = 1e-8

DESIGNS = {
    "strat_clus_fpc": SurveyDesign(weights="w", strata="h", psu="psu", fpc="fpc"),
    "weights_only": SurveyDesign(weights="w"),
    "raked": SurveyDesign(weights="w_rake", strata="h", psu="psu", calibration=("g", "m2")),
    "poststratified": SurveyDesign(weights="w_ps", strata="h", psu="psu", poststrata=("g",)),
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "data.csv")


@pytest.fixture(scope="module")
def oracles() -> pd.DataFrame:
    return pd.read_csv(HERE / "oracles.csv", keep_default_na=False)


def _design(case: str, lonely: str) -> SurveyDesign:
    if case == "lonely":
        return SurveyDesign(
            weights="w",
            strata="h_lonely",
            psu="psu_lonely",
            lonely_psu=lonely,  # type: ignore[arg-type]
        )
    return DESIGNS[case.removesuffix("_na_rm")]


def _labels(table: pd.DataFrame, within: list[str], by: list[str], suffix: str) -> list[str]:
    columns = [*within, *(f"{name}_{suffix}" for name in by)]
    return ["|".join(str(v) for v in row) for row in table[columns].itertuples(index=False)]


def test_every_oracle_case_agrees_with_r(data: pd.DataFrame, oracles: pd.DataFrame) -> None:
    groups = oracles.groupby(["case", "y", "by", "within", "lonely"], sort=False)
    assert groups.ngroups == 26  # every case of make_oracles.R is checked
    for (case, y, by, within, lonely), expected in groups:
        by_cols = by.split("+")
        within_cols = within.split("+") if within else []
        table = compare_domains(
            data,
            y,
            by=by_cols,
            within=within_cols or None,
            design=_design(case, lonely),
            na_rm=case.endswith("_na_rm"),
        )
        key = [
            f"{a}/{b}"
            for a, b in zip(
                _labels(table, within_cols, by_cols, "first"),
                _labels(table, within_cols, by_cols, "second"),
                strict=True,
            )
        ]
        got = table.assign(key=key).set_index("key")
        # R lists the domains of several `by` columns with the first varying fastest, gpcollab
        # in sorted order, so a pair may come the other way round: its difference changes sign
        sign = np.ones(len(expected))
        keys = []
        for i, (first, second) in enumerate(
            zip(expected["first"], expected["second"], strict=True)
        ):
            if f"{first}/{second}" in got.index:
                keys.append(f"{first}/{second}")
            else:
                keys.append(f"{second}/{first}")
                sign[i] = -1.0
        where = f"{case} {y} by={by} within={within!r} lonely={lonely}"
        assert sorted(got.index) == sorted(keys), where
        got = got.loc[keys]
        np.testing.assert_allclose(
            got["difference"], sign * expected["difference"].astype(float), rtol=RTOL, err_msg=where
        )
        np.testing.assert_allclose(
            got["se"], expected["se"].astype(float), rtol=RTOL, err_msg=where
        )
        np.testing.assert_array_equal(got["df"], expected["df"].astype(float), err_msg=where)


def test_columns_and_inference(data: pd.DataFrame, oracles: pd.DataFrame) -> None:
    table = compare_domains(data, "y", by="g", design=DESIGNS["strat_clus_fpc"], level=0.9)
    assert list(table.columns) == [
        "g_first",
        "g_second",
        "difference",
        "se",
        "df",
        "statistic",
        "p_value",
        "ci_low",
        "ci_high",
        "conf_level",
        "test",
        "estimate_first",
        "estimate_second",
        "n_first",
        "n_second",
    ]
    assert list(zip(table["g_first"], table["g_second"], strict=True)) == [
        ("large", "medium"),
        ("large", "small"),
        ("medium", "small"),
    ]
    row = table.iloc[1]
    # R oracle row: large -> small, difference 1.7509684868900095, se 0.48105874442646562,
    # degf 14; R: t = 3.6398225937615432, qt(0.95, 14) = 1.7613101357748917
    assert row["statistic"] == pytest.approx(1.7509684868900095 / 0.48105874442646562, rel=1e-8)
    half = 1.7613101357748917 * 0.48105874442646562
    assert row["ci_low"] == pytest.approx(1.7509684868900095 - half, rel=1e-8)
    assert row["ci_high"] == pytest.approx(1.7509684868900095 + half, rel=1e-8)
    # R: 2 * pt(-1.7509684868900095 / 0.48105874442646562, 14) = 0.0026783544176401134
    assert row["p_value"] == pytest.approx(0.0026783544176401134, rel=1e-8)
    assert row["conf_level"] == 0.9
    means = estimate_mean(data, "y", by="g", design=DESIGNS["strat_clus_fpc"])
    assert row["estimate_first"] == means["estimate"].iloc[0]
    assert row["estimate_second"] == means["estimate"].iloc[2]
    assert row["difference"] == row["estimate_second"] - row["estimate_first"]
    assert row["n_first"] == (data["g"] == "large").sum()


def test_categorical_by_keeps_its_order_and_dtype(data: pd.DataFrame) -> None:
    frame = data.assign(g=pd.Categorical(data["g"], ["small", "medium", "large"], ordered=True))
    table = compare_domains(frame, "b", by="g", design=DESIGNS["weights_only"])
    assert isinstance(table["g_first"].dtype, pd.CategoricalDtype)
    assert list(table["g_first"].astype(str)) == ["small", "small", "medium"]
    assert list(table["g_second"].astype(str)) == ["medium", "large", "large"]
    plain = compare_domains(data, "b", by="g", design=DESIGNS["weights_only"])
    # the pair small/large is large/small reversed: the difference changes sign, not size
    assert table["difference"].iloc[1] == pytest.approx(-plain["difference"].iloc[1], rel=1e-12)
    assert table["se"].iloc[1] == pytest.approx(plain["se"].iloc[1], rel=1e-12)


def test_boolean_outcome_is_a_proportion(data: pd.DataFrame) -> None:
    as_bool = compare_domains(data.assign(b=data["b"] == 1), "b", by="g")
    as_int = compare_domains(data, "b", by="g")
    np.testing.assert_array_equal(as_bool["difference"], as_int["difference"])
    np.testing.assert_array_equal(as_bool["se"], as_int["se"])


def test_lonely_psu_fail_raises(data: pd.DataFrame) -> None:
    # R: svyrecvar on the whole design stops, "Stratum (5) has only one PSU at stage 1"
    with pytest.raises(DesignError, match="single PSU"):
        compare_domains(data, "y", by="g", design=_design("lonely", "fail"))


def test_bad_arguments(data: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match="both `by` and `within`"):
        compare_domains(data, "y", by="g", within="g")
    with pytest.raises(ArgumentError, match="at least one column"):
        compare_domains(data, "y", by=[])
    with pytest.raises(ArgumentError, match="numeric"):
        compare_domains(data, "a", by="g")
    with pytest.raises(DesignError, match="no pair of domains"):
        compare_domains(data.assign(one="x"), "y", by="one")
    with pytest.raises(DesignError, match="missing values in the `by`"):
        compare_domains(data.assign(g=data["g"].where(data.index > 0)), "y", by="g")


# --------------------------------------------------------------------------- two-stage designs

TWO_STAGE = pd.read_csv(HERE / "two_stage_oracles.csv", keep_default_na=False, dtype=str)
SUITE_DATA = Path(__file__).parent / "data" / "r_survey_suite" / "data"


def _two_stage(name: str, lonely_dnum: str) -> tuple[pd.DataFrame, SurveyDesign]:
    """The designs of make_two_stage_oracles.R, on the survey package's apiclus2."""
    d = pd.read_csv(SUITE_DATA / "apiclus2.csv")
    d["yes"] = (d["sch.wide"] == "Yes").astype(float)
    stages = {"psu": "dnum", "ssu": "snum"}
    if name == "fpc":
        return d, SurveyDesign(**stages, fpc="fpc1", ssu_fpc="fpc2")
    if name == "pw":
        return d, SurveyDesign(weights="pw", **stages, fpc="fpc1", ssu_fpc="fpc2")
    if name == "strata_fractions":
        d["half"] = np.where(d["dnum"] < 400, "low", "high")
        d["frac1"] = 40 / 757
        d["frac2"] = 1 / (d["pw"] / (757 / 40))
        return d, SurveyDesign(weights="pw", strata="half", **stages, fpc="frac1", ssu_fpc="frac2")
    d.loc[d["dnum"] == int(lonely_dnum), "fpc2"] = 5.0  # lonely at the second stage
    return d, SurveyDesign(weights="pw", **stages, fpc="fpc1", ssu_fpc="fpc2", lonely_psu="remove")


TWO_STAGE_CASES = sorted(
    {(r.design, r.y, r.by, r.within, r.lonely_dnum) for r in TWO_STAGE.itertuples()}
)


@pytest.mark.parametrize(("design", "y", "by", "within", "lonely_dnum"), TWO_STAGE_CASES)
def test_two_stage_matches_r(design: str, y: str, by: str, within: str, lonely_dnum: str) -> None:
    # source: two_stage_oracles.csv (svyby(covmat=TRUE) + svycontrast on svydesign(id =
    # ~dnum + snum, fpc = ~fpc1 + fpc2)): the second stage's variance enters the covariance
    data, des = _two_stage(design, lonely_dnum)
    ours = compare_domains(data, y, by=by, within=within or None, design=des)
    expected = TWO_STAGE[
        (TWO_STAGE["design"] == design) & (TWO_STAGE["y"] == y) & (TWO_STAGE["by"] == by)
    ]
    assert len(ours) == len(expected)
    for row in expected.itertuples():
        hit = ours[(ours[f"{by}_first"] == row.first) & (ours[f"{by}_second"] == row.second)]
        if within:
            hit = hit[hit[within].astype(str) == row.within_value]
        assert len(hit) == 1
        got = hit.iloc[0]
        assert got["difference"] == pytest.approx(float(row.difference), rel=RTOL)
        assert got["se"] == pytest.approx(float(row.se), rel=RTOL)
        assert got["df"] == float(row.df)


def test_two_stage_second_stage_counts() -> None:
    # source: two_stage_oracles.csv: without ssu_fpc (the ultimate-cluster design) the SE of
    # E - H differs from R's two-stage value
    data, des = _two_stage("fpc", "")
    first_stage = SurveyDesign(psu="dnum", fpc="fpc1")
    row = TWO_STAGE[(TWO_STAGE["design"] == "fpc") & (TWO_STAGE["second"] == "H")].iloc[0]
    two = compare_domains(data, "api00", by="stype", design=des)
    assert two["se"].iloc[0] == pytest.approx(float(row.se), rel=RTOL)
    one = compare_domains(data, "api00", by="stype", design=first_stage)
    assert abs(one["se"].iloc[0] - float(row.se)) > 1e-3 * float(row.se)
