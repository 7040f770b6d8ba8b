"""Tests of gpcollab.design: design encoding, the variance engine and degrees of freedom.

Expected numbers come from R's survey package (files under tests/data/r_survey/, described in
its README) or from hand computation written out here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab.design import (
    SurveyDesign,
    design_df,
    domain_df,
    influence_covariance,
    prepare_design,
)
from gpcollab.errors import ArgumentError, DesignError

DATA = Path(__file__).parent / "data" / "r_survey"
RTOL = 1e-8

# The gp_like design that reproduces mean_fully.csv exactly (estimate and SE to 1e-15):
# svydesign(ids=~ccg, strata=~region, weights=~weight).  ccg codes are unique across regions,
# so R's nest= does not matter.
GP_DESIGN = SurveyDesign(weights="weight", strata="region", psu="ccg")


@pytest.fixture(scope="module")
def gp() -> pd.DataFrame:
    return pd.read_csv(DATA / "gp_like_design.csv")


@pytest.fixture(scope="module")
def apistrat() -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / "apistrat.csv")


@pytest.fixture(scope="module")
def apiclus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / "apiclus1.csv")


@pytest.fixture(scope="module")
def api_results() -> pd.DataFrame:
    return pd.read_csv(DATA / "api" / "results.csv")


def _mean_and_se(data: pd.DataFrame, y: str, design: SurveyDesign) -> tuple[float, float]:
    prep = prepare_design(data, design)
    w = prep.weights
    values = data[y].to_numpy(dtype=float)
    total_w = w.sum()
    mean = float((w * values).sum() / total_w)
    z = w * (values - mean) / total_w
    return mean, float(np.sqrt(influence_covariance(prep, z)[0, 0]))


def _oracle(results: pd.DataFrame, design: str, quantity: str) -> pd.Series:
    row = results[(results["design"] == design) & (results["quantity"] == quantity)]
    assert len(row) == 1
    return row.iloc[0]


def test_gp_like_mean_matches_r(gp: pd.DataFrame) -> None:
    # source: r_survey/gp_like_design/mean_fully.csv (svymean(~fully, des))
    oracle = pd.read_csv(DATA / "gp_like_design" / "mean_fully.csv").iloc[0]
    mean, se = _mean_and_se(gp, "fully", GP_DESIGN)
    assert mean == pytest.approx(oracle["estimate"], rel=RTOL)
    assert se == pytest.approx(oracle["fully"], rel=RTOL)


def test_gp_like_counts_and_df(gp: pd.DataFrame) -> None:
    prep = prepare_design(gp, GP_DESIGN)
    assert (prep.n_strata, prep.n_psu) == (7, 207)
    assert prep.df == 200
    assert prep.psu_per_stratum.sum() == 207


@pytest.mark.parametrize(
    ("design", "fpc", "quantity"),
    [
        ("apistrat (fpc)", "fpc", "mean api00"),
        ("apistrat (fpc)", "fpc", "total enroll"),
    ],
)
def test_apistrat_matches_r(
    apistrat: pd.DataFrame, api_results: pd.DataFrame, design: str, fpc: str, quantity: str
) -> None:
    # source: r_survey/api/results.csv, svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc)
    oracle = _oracle(api_results, design, quantity)
    des = SurveyDesign(weights="pw", strata="stype", fpc=fpc)
    if quantity.startswith("mean"):
        est, se = _mean_and_se(apistrat, "api00", des)
    else:
        prep = prepare_design(apistrat, des)
        z = prep.weights * apistrat["enroll"].to_numpy(dtype=float)
        est, se = float(z.sum()), float(np.sqrt(influence_covariance(prep, z)[0, 0]))
    assert est == pytest.approx(oracle["estimate"], rel=RTOL)
    assert se == pytest.approx(oracle["se"], rel=RTOL)


@pytest.mark.parametrize(
    ("design", "fpc"), [("apiclus1 (fpc)", "fpc"), ("apiclus1 (no fpc)", None)]
)
def test_apiclus1_matches_r(
    apiclus1: pd.DataFrame, api_results: pd.DataFrame, design: str, fpc: str | None
) -> None:
    # source: r_survey/api/results.csv, svydesign(id=~dnum, weights=~pw, [fpc=~fpc])
    oracle = _oracle(api_results, design, "mean api00")
    est, se = _mean_and_se(apiclus1, "api00", SurveyDesign(weights="pw", psu="dnum", fpc=fpc))
    assert est == pytest.approx(oracle["estimate"], rel=RTOL)
    assert se == pytest.approx(oracle["se"], rel=RTOL)


def test_fpc_as_fraction_equals_fpc_as_count(apistrat: pd.DataFrame) -> None:
    data = apistrat.copy()
    n_h = data.groupby("stype")["stype"].transform("size")
    data["frac"] = n_h / data["fpc"]
    _, se_count = _mean_and_se(data, "api00", SurveyDesign(weights="pw", strata="stype", fpc="fpc"))
    _, se_frac = _mean_and_se(data, "api00", SurveyDesign(weights="pw", strata="stype", fpc="frac"))
    assert se_frac == pytest.approx(se_count, rel=1e-12)


def test_fpc_without_weights_gives_inverse_fraction_weights(apistrat: pd.DataFrame) -> None:
    prep = prepare_design(apistrat, SurveyDesign(strata="stype", fpc="fpc"))
    # apistrat's pw is N_h / n_h (stored by R in single precision, hence the tolerance)
    np.testing.assert_allclose(prep.weights, apistrat["pw"], rtol=1e-6)


def test_degrees_of_freedom_match_r(apistrat: pd.DataFrame, apiclus1: pd.DataFrame) -> None:
    # statistics_reference 5.A: degf dclus1 = 14, dstrat = 197, dw = 199;
    # 2.2 / 5.D: degf(subset(dw, stype == "H")) = 49
    dclus1 = prepare_design(apiclus1, SurveyDesign(weights="pw", psu="dnum", fpc="fpc"))
    dstrat = prepare_design(apistrat, SurveyDesign(weights="pw", strata="stype", fpc="fpc"))
    dw = prepare_design(apistrat, SurveyDesign(weights="pw"))
    assert (design_df(dclus1), design_df(dstrat), design_df(dw)) == (14, 197, 199)
    assert design_df(dw, (apistrat["stype"] == "H").to_numpy()) == 49
    codes = pd.factorize(apistrat["stype"], sort=True)[0].astype(np.intp)
    assert domain_df(dw, codes, 3).tolist() == [99, 49, 49]  # E 100, H 50, M 50 rows


def test_srs_variance_of_a_proportion_is_p_q_over_n_minus_1() -> None:
    # hand computation: 13 ones in 32, Var = p(1-p)/(n-1)
    y = np.r_[np.ones(13), np.zeros(19)]
    prep = prepare_design(pd.DataFrame({"y": y}), None)
    p = 13 / 32
    var = influence_covariance(prep, (y - p) / 32)[0, 0]
    assert var == pytest.approx(p * (1 - p) / 31, rel=1e-12)
    assert prep.df == 31


def test_covariance_of_two_columns_is_symmetric_and_matches_columns(gp: pd.DataFrame) -> None:
    prep = prepare_design(gp, GP_DESIGN)
    rng = np.random.default_rng(1)
    z = rng.normal(size=(len(gp), 3))
    cov = influence_covariance(prep, z)
    np.testing.assert_allclose(cov, cov.T)
    for j in range(3):
        assert cov[j, j] == pytest.approx(influence_covariance(prep, z[:, j])[0, 0], rel=1e-12)


@pytest.mark.parametrize("policy", ["adjust", "average", "remove"])
def test_lonely_psu_policies_match_r(policy: str) -> None:
    # source: r_survey/estimation_extra (make_reference.R, options(survey.lonely.psu=policy))
    data = pd.read_csv(DATA / "estimation_extra" / "lonely_psu.csv")
    res = pd.read_csv(DATA / "estimation_extra" / "extra_results.csv").set_index(
        ["case", "quantity"]
    )
    des = SurveyDesign(weights="w", strata="h", psu="p", lonely_psu=policy)  # type: ignore[arg-type]
    mean, se = _mean_and_se(data, "y", des)
    assert mean == pytest.approx(res.loc[(f"lonely_{policy}", "mean y"), "estimate"], rel=RTOL)
    assert se == pytest.approx(res.loc[(f"lonely_{policy}", "mean y"), "se"], rel=RTOL)
    if policy == "adjust":
        # these references are survey 4.1-1, which centred a lonely PSU's total at 0; survey
        # 4.5 centres it at the average PSU total (test_r_survey_suite checks 4.5's totals)
        return
    prep = prepare_design(data, des)
    z = prep.weights * data["y"].to_numpy(dtype=float)
    se_total = float(np.sqrt(influence_covariance(prep, z)[0, 0]))
    assert se_total == pytest.approx(res.loc[(f"lonely_{policy}", "total y"), "se"], rel=RTOL)


def test_lonely_psu_fails_by_default() -> None:
    data = pd.read_csv(DATA / "estimation_extra" / "lonely_psu.csv")
    prep = prepare_design(data, SurveyDesign(weights="w", strata="h", psu="p"))
    with pytest.raises(DesignError, match=r"single PSU.*: 3\. .*lonely_psu"):
        influence_covariance(prep, data["y"].to_numpy(dtype=float))


def test_lonely_psu_fail_only_when_the_estimate_meets_it() -> None:
    # R (survey.lonely.psu="fail") estimates a domain without rows in the lonely stratum
    data = pd.DataFrame({"h": ["a", "a", "b", "b", "lone"], "y": [1.0, 2.0, 3.0, 5.0, 8.0]}).assign(
        in_d=lambda d: d["h"] != "lone"
    )
    prep = prepare_design(data, SurveyDesign(strata="h"))
    z = np.where(data["in_d"], data["y"] - 2.75, 0.0) / 4
    # hand: strata a and b, each (m/(m-1)) * sum of squared deviations of z within the stratum
    by_hand = 2 * ((0.5 / 4) ** 2 * 2) + 2 * ((1.0 / 4) ** 2 * 2)
    got = influence_covariance(prep, z, mask=data["in_d"].to_numpy())[0, 0]
    assert got == pytest.approx(by_hand)
    with pytest.raises(DesignError, match=r"'lone'"):
        influence_covariance(prep, z)


def test_certainty_psu_is_not_lonely() -> None:
    # a stratum with one PSU sampled with certainty (fpc = 1 PSU) contributes zero variance
    data = pd.DataFrame({"h": [1, 1, 2], "y": [1.0, 3.0, 5.0], "N": [4, 4, 1]})
    prep = prepare_design(data, SurveyDesign(strata="h", fpc="N"))
    y = data["y"].to_numpy()
    # total: stratum 1 has N=4, n=2 -> w=2; hand: (1 - 2/4) * 2/1 * ((2-4)^2 + (6-4)^2) = 8
    z = prep.weights * y
    assert influence_covariance(prep, z)[0, 0] == pytest.approx(8.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": "nope"}, r"`weights` names column 'nope'"),
        ({"strata": "h", "weights": "neg"}, r"1 negative value\(s\), e\.g\. -1\.0 at row 1"),
        ({"weights": "nan"}, r"missing value"),
        ({"strata": "h", "fpc": "bad_fpc"}, r"constant within each stratum.*stratum 1 has"),
        ({"strata": "h", "fpc": "mixed_fpc"}, r"mixes sampling fractions"),
        ({"strata": "h", "fpc": "small2_fpc"}, r"stratum 1 has population size 1.0 but 2"),
        ({"weights": "text"}, r"must be numeric"),
    ],
)
def test_bad_design_columns(kwargs: dict[str, str], match: str) -> None:
    data = pd.DataFrame(
        {
            "h": [1, 1, 2, 2],
            "neg": [1.0, -1.0, 1.0, 1.0],
            "nan": [1.0, np.nan, 1.0, 1.0],
            "bad_fpc": [10, 11, 10, 10],
            "mixed_fpc": [0.5, 0.5, 10, 10],
            "small_fpc": [1.0, 1.0, 10, 10],
            "small2_fpc": [1, 1, 10, 10],
            "text": ["a", "b", "c", "d"],
        }
    )
    # naming an absent or non-numeric column is an argument error; bad values in a design
    # column are a design error
    error = (
        ArgumentError
        if match in (r"`weights` names column 'nope'", r"must be numeric")
        else DesignError
    )
    with pytest.raises(error, match=match):
        prepare_design(data, SurveyDesign(**kwargs))  # type: ignore[arg-type]


def test_bad_design_arguments() -> None:
    with pytest.raises(ArgumentError, match=r"`lonely_psu` must be one of"):
        SurveyDesign(lonely_psu="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"either raking margins"):
        SurveyDesign(calibration=("a",), poststrata=("b",))
    with pytest.raises(ArgumentError, match=r"`weights` must be a column name"):
        SurveyDesign(weights=3)  # type: ignore[arg-type]
    assert SurveyDesign(calibration="a").calibration == ("a",)  # type: ignore[arg-type]
    with pytest.raises(DesignError, match=r"`data` has no rows"):
        prepare_design(pd.DataFrame({"y": []}), None)
    with pytest.raises(ArgumentError, match=r"`design` must be a SurveyDesign"):
        prepare_design(pd.DataFrame({"y": [1]}), "weights")  # type: ignore[arg-type]
    prep = prepare_design(pd.DataFrame({"y": [1.0, 2.0]}), None)
    with pytest.raises(ArgumentError, match=r"shape \(n,\) or \(n, k\)"):
        influence_covariance(prep, np.zeros(3))


def test_psu_labels_are_nested_in_strata_with_nest() -> None:
    # the same PSU label in two strata names two PSUs (R's nest=TRUE)
    data = pd.DataFrame({"h": [1, 1, 2, 2], "c": [1, 2, 1, 2]})
    prep = prepare_design(data, SurveyDesign(strata="h", psu="c", nest=True))
    assert prep.n_psu == 4
    assert prep.df == 2


def test_psu_labels_repeated_across_strata_need_nest() -> None:
    # R's svydesign(nest=FALSE) refuses clusters that are not nested in strata
    data = pd.DataFrame({"h": ["x", "x", "y", "y"], "c": ["p1", "p2", "p1", "p3"]})
    with pytest.raises(
        DesignError, match=r"PSU 'p1' occurs in 2 strata of 'h' \('x', 'y'\).*nest=True"
    ):
        prepare_design(data, SurveyDesign(strata="h", psu="c"))
    # unique labels need no nest
    ok = data.assign(c=["p1", "p2", "p4", "p3"])
    assert prepare_design(ok, SurveyDesign(strata="h", psu="c")).n_psu == 4


def test_influence_covariance_is_raking_aware(gp: pd.DataFrame) -> None:
    # source: gp_like_design/raked_weights.csv + raked_mean_fully.csv (R rake(), then svymean)
    data = gp.assign(
        raked=pd.read_csv(DATA / "gp_like_design" / "raked_weights.csv")["raked_weight"]
    )
    oracle = pd.read_csv(DATA / "gp_like_design" / "raked_mean_fully.csv").iloc[0]
    design = SurveyDesign(
        weights="raked", strata="region", psu="ccg", calibration=("size_band", "region")
    )
    mean, se = _mean_and_se(data, "fully", design)
    assert mean == pytest.approx(oracle["estimate"], rel=RTOL)
    assert se == pytest.approx(oracle["fully"], rel=RTOL)


def test_factorize_sorted_on_text_as_read_csv_gives_it() -> None:
    # read_csv hands out one object per distinct string, which the fast path exploits; the
    # codes must equal pandas.factorize(sort=True) exactly, missing values included
    import io

    from gpcollab.design import _factorize_shared_objects, factorize_sorted

    rng = np.random.default_rng(3)
    words = np.array(["beta", "alpha", "gamma", "delta"])
    text = pd.Series(words[rng.integers(0, 4, size=50_000)])
    text[rng.integers(0, 50_000, size=50)] = None
    as_read = pd.read_csv(io.StringIO(text.to_csv(index=False)))["0"]
    assert as_read.dtype == object
    assert _factorize_shared_objects(np.asarray(as_read)) is not None  # the fast path is taken
    codes, uniques = factorize_sorted(as_read)
    want_codes, want_uniques = pd.factorize(as_read, sort=True)
    assert list(uniques) == list(want_uniques) == ["alpha", "beta", "delta", "gamma"]
    np.testing.assert_array_equal(codes, want_codes)
    # distinct objects for every row (no sharing): the ordinary path, same answer
    fresh = pd.Series([s[:1] + s[1:] for s in as_read.fillna("zz")], dtype=object)
    assert _factorize_shared_objects(np.asarray(fresh)) is None
    codes2, uniques2 = factorize_sorted(fresh)
    want2, wuniq2 = pd.factorize(fresh, sort=True)
    np.testing.assert_array_equal(codes2, want2)
    assert list(uniques2) == list(wuniq2)


def test_codes_taken_as_they_are_leave_the_callers_table_writable() -> None:
    # strata and PSUs already coded 0..k-1 are used without a copy (a read-only view); the
    # caller's table must stay writable
    df = pd.DataFrame({"h": np.arange(10) % 2, "p": np.arange(10), "w": 1.0})
    prepared = prepare_design(df, SurveyDesign(weights="w", strata="h", psu="p"))
    assert prepared.stratum.tolist() == [0, 1] * 5
    df.loc[0, "h"] = 1
    assert df["h"].tolist() == [1, 1] + [0, 1] * 4


def test_text_codes_by_address_table_and_by_address_hash_agree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a column as read_csv gives it is coded from a direct table of its objects' addresses;
    # when the addresses spread too far it hashes them instead: both equal pandas.factorize
    import io

    from gpcollab import design

    rng = np.random.default_rng(11)
    words = np.array(["wren", "ash", "oak", "elm", "yew"])
    text = pd.Series(words[rng.integers(0, 5, size=60_000)])
    as_read = pd.read_csv(io.StringIO(text.to_csv(index=False)))["0"]
    # whether read_csv's five string objects lie close enough in memory for the fast path
    # depends on the allocator, not on this code: the judgement is checked on addresses set
    # here, five objects 64 bytes apart (a fast path) and 1 GB apart (not)
    real = design._object_addresses
    for gap, fast in ((64, True), (1 << 30, False)):
        monkeypatch.setattr(
            design,
            "_object_addresses",
            # each object's rank among the distinct ones, times the gap, as its address
            lambda values, gap=gap: (np.unique(real(values), return_inverse=True)[1] + 1) * gap,
        )
        assert design.codes_without_hashing(as_read) is fast
    monkeypatch.setattr(design, "_object_addresses", real)
    holed = text.copy()
    holed[rng.integers(0, 60_000, size=40)] = None  # read_csv's NaN lies far from the strings
    with_missing = pd.read_csv(io.StringIO(holed.to_csv(index=False)))["0"]
    for column in (as_read, with_missing):
        want_codes, want_uniques = pd.factorize(column, sort=True)
        for span in (design._ADDRESS_SPAN, 0):  # the table, then the hash of the addresses
            monkeypatch.setattr(design, "_ADDRESS_SPAN", span)
            assert design._factorize_shared_objects(np.asarray(column)) is not None
            codes, uniques = design.factorize_sorted(column)
            np.testing.assert_array_equal(codes, want_codes)
            assert list(uniques) == list(want_uniques) == ["ash", "elm", "oak", "wren", "yew"]
    assert int((codes < 0).sum()) == int(holed.isna().sum()) > 0
    fresh = pd.Series([s[:1] + s[1:] for s in as_read], dtype=object)
    assert not design.codes_without_hashing(fresh)
    assert design.codes_without_hashing(pd.Series(np.arange(5)))
