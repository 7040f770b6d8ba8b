"""Tests of gpcollab.analysis on hand-built sets (answers counted by hand) and the bundled set."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import gpcollab
from conftest import make_survey
from gpcollab import analysis as A
from gpcollab.errors import ArgumentError, BoundaryWarning, MissingItemError
from gpcollab.schema import SurveyData

# Six GP-2017 respondents; weights 1, 2, 1, 3, 1, 2 (total 10).
ROWS: list[dict[str, Any]] = [
    dict(
        role="gp_partner", membership="formal", size_band="under_30k", age_band="under_1y",
        level="locality", aims={"access": "fully", "sustainability": "too_early"},
        funding=["access_fund"], contract_willingness="very_unwilling",
        contract_reasons=["lose_control", "continuity"], stp_influence="not_at_all", weight=1.0,
    ),
    dict(
        role="gp_partner", membership="informal", size_band="under_30k", age_band="over_2y",
        level="single_ccg", aims={"access": "partially", "staff": "fully"},
        contract_willingness="willing", stp_influence="slightly", weight=2.0,
    ),
    dict(
        role="practice_manager", membership="formal", size_band="100k_250k", age_band="over_2y",
        level="single_ccg", aims={"access": "not_achieved", "sustainability": "dont_know"},
        funding=["ccg"], stp_influence="not_at_all", weight=1.0,
    ),
    dict(role="practice_manager", membership="none", stp_influence="dont_know", weight=3.0),
    dict(
        role="nurse", membership="formal", size_band="100k_250k", age_band="1y_2y",
        level="multi_ccg", aims={"access": "fully", "sustainability": "too_early"},
        funding=["access_fund", "ccg"], stp_influence="fairly", weight=1.0,
    ),
    dict(
        role="gp_partner", membership="formal", size_band="over_250k", age_band="over_2y",
        level="multi_ccg", aims={"access": "too_early", "quality": "partially"},
        contract_willingness="unwilling", contract_reasons=["lose_control"],
        stp_influence="not_at_all", weight=2.0,
    ),
]  # fmt: skip


@pytest.fixture
def gp() -> SurveyData:
    return make_survey(ROWS, synthetic=True)


@pytest.fixture
def ccg() -> SurveyData:
    rows = [
        dict(role="ccg_manager", stp_influence="not_at_all", ccg_support=["financial", "it"]),
        dict(role="ccg_clinical", stp_influence="fairly", ccg_support=["financial"]),
        dict(role="ccg_manager", stp_influence="not_at_all", ccg_encouragement="actively"),
    ]
    items = ("role", "stp_influence", "ccg_support", "ccg_encouragement")
    return make_survey(rows, instrument="ccg", items=items)


def row(table: pd.DataFrame, **where: Any) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for key, value in where.items():
        mask &= (table[key].astype(object) == value).to_numpy()
    assert mask.sum() == 1, f"{where} matched {mask.sum()} rows"
    return table.loc[mask].iloc[0]


def srs_se(p: float, n: int) -> float:
    """SE of a proportion under simple random sampling, survey-package convention."""
    return math.sqrt(p * (1 - p) / (n - 1))


# --------------------------------------------------------------------------- landscape


def test_prevalence_unweighted_counts(gp: SurveyData) -> None:
    # nobody answered "both" or "don't know": zeros nobody chose, so no BoundaryWarning
    table = A.prevalence(gp)
    assert list(table["membership"]) == [
        "formal", "informal", "both", "none", "dont_know", "in_collaboration"
    ]  # fmt: skip
    formal = row(table, membership="formal")
    assert (formal["n"], formal["count"]) == (6, 4)
    assert formal["estimate"] == pytest.approx(4 / 6)
    assert formal["se"] == pytest.approx(srs_se(4 / 6, 6))
    joined = row(table, membership="in_collaboration")
    assert (joined["count"], joined["estimate"]) == (5, pytest.approx(5 / 6))
    assert table.attrs["synthetic"] is True
    assert table.attrs["analysis"] == "prevalence"
    assert table.attrs["wave"] == 2017 and table.attrs["instrument"] == "gp"


def test_prevalence_weighted(gp: SurveyData) -> None:
    table = A.prevalence(gp, design="weight")
    # weights: formal 1+1+1+2 = 5, informal 2, none 3; total 10
    assert row(table, membership="formal")["estimate"] == pytest.approx(0.5)
    assert row(table, membership="none")["estimate"] == pytest.approx(0.3)
    assert row(table, membership="in_collaboration")["estimate"] == pytest.approx(0.7)
    assert row(table, membership="formal")["n"] == 6  # the base stays unweighted


def test_distribution_single_and_multi(gp: SurveyData) -> None:
    sizes = A.distribution(gp, "size_band")
    assert row(sizes, option="under_30k")["estimate"] == pytest.approx(2 / 5)
    assert row(sizes, option="over_250k")["count"] == 1
    assert row(sizes, option="30k_50k")["estimate"] == 0.0
    assert set(sizes["n"]) == {5}
    funds = A.distribution(gp, "funding")
    assert row(funds, option="access_fund")["estimate"] == pytest.approx(2 / 5)
    assert row(funds, option="ccg")["count"] == 2


def test_compare_waves_by_hand(gp: SurveyData) -> None:
    from scipy import stats

    first = make_survey(
        [{"membership": m} for m in ("formal", "none", "none", "informal")],
        wave=2015,
        items=("membership",),
    )
    table = A.compare_waves(first, gp, "membership", "in_collaboration")
    p1, p2 = 2 / 4, 5 / 6
    se = math.sqrt(srs_se(p1, 4) ** 2 + srs_se(p2, 6) ** 2)
    df = (4 - 1) + (6 - 1) - 1
    res = table.iloc[0]
    assert res["difference"] == pytest.approx(p2 - p1)
    assert res["se"] == pytest.approx(se)
    assert res["df"] == df
    half = stats.t.ppf(0.975, df) * se
    assert (res["ci_low"], res["ci_high"]) == (
        pytest.approx(p2 - p1 - half),
        pytest.approx(p2 - p1 + half),
    )
    assert res["p_value"] == pytest.approx(2 * stats.t.sf((p2 - p1) / se, df))
    assert table.attrs["wave"] == [2015, 2017]


def test_compare_waves_item_missing_in_a_wave(gp: SurveyData) -> None:
    first = make_survey([{"membership": "formal"}], wave=2015, items=("membership",))
    with pytest.raises(MissingItemError, match=r"2015.*'aims'"):
        A.compare_waves(first, gp, "aims", "access")


def test_unknown_option_and_by_are_clear_errors(gp: SurveyData) -> None:
    with pytest.raises(ArgumentError, match="`success` must be one of"):
        A.compare_waves(gp, gp, "membership", "federated")
    with pytest.raises(ArgumentError, match="`by` names 'colour'"):
        A.aims_chosen(gp, by="colour")
    with pytest.raises(ArgumentError, match="aligned"):
        A.aims_chosen(gp, by=pd.Series(["a", "b"], name="g"))


# --------------------------------------------------------------------------- aims and achievement


def test_aims_chosen(gp: SurveyData) -> None:
    table = A.aims_chosen(gp)
    assert row(table, aim="access")["estimate"] == 1.0
    assert row(table, aim="sustainability")["estimate"] == pytest.approx(3 / 5)
    assert row(table, aim="staff")["count"] == 1
    assert set(table["n"]) == {5}
    everyone = A.aims_chosen(gp, among="all")
    assert row(everyone, aim="sustainability")["estimate"] == pytest.approx(3 / 6)


def test_achievement_rates_policies(gp: SurveyData) -> None:
    excl = A.achievement_rates(gp, aims="access")
    assert list(excl["outcome"].astype(str)) == ["fully", "partially", "not_achieved"]
    assert row(excl, outcome="fully")["estimate"] == pytest.approx(2 / 4)
    # a domain (4 of the 6 respondents) of a simple random sample, as R's svyby:
    # var = N / (N - 1) * p (1 - p) / n_domain
    assert row(excl, outcome="fully")["se"] == pytest.approx(math.sqrt(6 / 5 * 0.25 / 4))
    assert set(excl["n"]) == {4}
    as_not = A.achievement_rates(gp, aims="access", too_early="not_achieved")
    assert row(as_not, outcome="not_achieved")["estimate"] == pytest.approx(2 / 5)
    sep = A.achievement_rates(gp, aims="access", too_early="separate")
    assert row(sep, outcome="too_early")["estimate"] == pytest.approx(1 / 5)
    assert sep["estimate"].sum() == pytest.approx(1.0)
    assert excl.attrs["analysis"] == "achievement_rates"


def test_achievement_rates_weighted(gp: SurveyData) -> None:
    table = A.achievement_rates(gp, aims="access", design="weight")
    # setters with a substantive answer: r1 (w1) fully, r2 (w2) partially, r3 (w1) not, r5 (w1)
    assert row(table, outcome="fully")["estimate"] == pytest.approx(2 / 5)
    assert row(table, outcome="partially")["estimate"] == pytest.approx(2 / 5)
    assert row(table, outcome="fully")["n"] == 4


def test_all_too_early(gp: SurveyData) -> None:
    # sustainability: r1 and r5 too early, r3 don't know -> nothing substantive
    excl = A.achievement_rates(gp, aims="sustainability")
    assert set(excl["n"]) == {0}
    assert excl["estimate"].isna().all()
    as_not = A.achievement_rates(gp, aims="sustainability", too_early="not_achieved")
    assert row(as_not, outcome="not_achieved")["estimate"] == 1.0
    assert row(as_not, outcome="not_achieved")["boundary"]
    both = A.achievement_rates(
        gp, aims="sustainability", too_early="separate", dont_know="separate"
    )
    assert row(both, outcome="too_early")["estimate"] == pytest.approx(2 / 3)
    assert row(both, outcome="dont_know")["estimate"] == pytest.approx(1 / 3)


def test_achievement_rates_empty_and_single_domains(gp: SurveyData) -> None:
    by_size = A.achievement_rates(gp, aims="access", by="size_band")
    assert len(by_size) == 5 * 3  # every band kept, empty ones too
    empty = by_size[by_size["size_band"] == "30k_50k"]
    assert (empty["n"] == 0).all() and empty["estimate"].isna().all()
    over = by_size[by_size["size_band"] == "over_250k"]  # only a "too early" answer
    assert (over["n"] == 0).all()
    assert row(by_size, size_band="100k_250k", outcome="fully")["estimate"] == 0.5
    by_level = A.achievement_rates(gp, aims="access", by="level")
    one = row(by_level, level="locality", outcome="fully")
    assert (one["n"], one["count"], one["estimate"], one["boundary"]) == (1, 1, 1.0, True)
    assert 0.0 < one["ci_low"] < 1.0 and one["ci_high"] == 1.0


def test_achievement_rates_by_funding_and_series(gp: SurveyData) -> None:
    funded = A.achievement_rates(gp, aims="access", by="funding")
    assert row(funded, funding=True, outcome="fully")["estimate"] == 1.0  # r1, r5
    assert row(funded, funding=False, outcome="partially")["estimate"] == 0.5  # r2, r3
    group = pd.Series(["a", "a", "b", None, "b", "b"], name="grp")
    by_series = A.achievement_rates(gp, aims="access", by=group)
    assert row(by_series, grp="b", outcome="fully")["estimate"] == pytest.approx(1 / 2)


def test_any_fully_achieved_bases(gp: SurveyData) -> None:
    collab = A.any_fully_achieved(gp)
    assert (collab.iloc[0]["n"], collab.iloc[0]["count"]) == (5, 3)  # r1, r2, r5
    everyone = A.any_fully_achieved(gp, among="all")
    assert everyone.iloc[0]["estimate"] == pytest.approx(3 / 6)


def test_funding_among_achievers(gp: SurveyData) -> None:
    table = A.funding_among_achievers(gp)
    res = table.iloc[0]
    assert (res["n"], res["count"]) == (3, 2)  # r1, r2, r5 achieved; r1, r5 funded
    assert res["aim"] == "access" and res["source"] == "access_fund"


def test_missing_item_is_clear(gp: SurveyData) -> None:
    wave = make_survey([{"membership": "formal"}], wave=2015, items=("membership",))
    with pytest.raises(MissingItemError, match="'aims'"):
        A.achievement_rates(wave)
    with pytest.raises(MissingItemError, match="'contract_willingness'"):
        A.contract_willingness(wave)


# --------------------------------------------------------------------------- STP, contracts, CCGs


def test_contract_willingness_and_reasons(gp: SurveyData) -> None:
    table = A.contract_willingness(gp, combine=True)
    assert row(table, option="very_unwilling")["estimate"] == pytest.approx(1 / 3)
    assert row(table, option="unwilling_any")["estimate"] == pytest.approx(2 / 3)
    assert set(table["n"]) == {3}  # the three GP partners
    reasons = A.contract_reasons(gp)
    assert row(reasons, option="lose_control")["estimate"] == 1.0
    assert row(reasons, option="continuity")["estimate"] == pytest.approx(0.5)
    assert set(reasons["n"]) == {2}


def test_stp_views_and_ccg_support(gp: SurveyData, ccg: SurveyData) -> None:
    views = A.stp_views(gp, ccg)
    assert row(views, instrument="gp", option="not_at_all")["estimate"] == pytest.approx(3 / 6)
    assert row(views, instrument="ccg", option="not_at_all")["estimate"] == pytest.approx(2 / 3)
    assert views.attrs["instrument"] == ["gp", "ccg"]
    support = A.ccg_support(ccg)
    assert row(support, option="financial")["estimate"] == pytest.approx(2 / 3)
    assert row(support, option="it")["count"] == 1
    stance = A.ccg_support(ccg, item="ccg_encouragement")
    assert row(stance, option="actively")["estimate"] == 1.0


# --------------------------------------------------------------------------- trend


def test_achievement_trend_direction(simulated_survey: SurveyData) -> None:
    table = A.achievement_trend(simulated_survey, aims=["community", "staff"])
    assert list(table["direction"]) == ["increasing", "increasing"]
    assert (table["odds_ratio_per_step"] > 1).all()
    assert (table["p_value"] < 0.05).all()


def test_achievement_trend_separated_falls_back() -> None:
    # access, too early counted as not achieved: fully 1/1 (under 1y), 1/1 (1-2y), 0/3 (over 2y)
    rows = [{**r, "respondent_id": f"x{k}-{i}"} for k in range(3) for i, r in enumerate(ROWS)]
    table = A.achievement_trend(make_survey(rows), aims="access", too_early="not_achieved")
    res = table.iloc[0]
    assert "Rao-Scott" in res["method"]
    assert res["direction"] == "decreasing"
    assert math.isnan(res["odds_ratio_per_step"])
    assert res["n"] == 15 and res["note"].endswith("100.0%, 100.0%, 0.0%")


# --------------------------------------------------------------------------- the bundled set


def _bundled(wave: int) -> SurveyData:
    return gpcollab.load_survey(wave, "gp")


@pytest.fixture(scope="module")
def bundled() -> tuple[SurveyData, pd.DataFrame, pd.DataFrame]:
    survey = _bundled(2017)
    verified = gpcollab.verify_findings(survey).set_index("finding_id")
    register = gpcollab.load_findings().set_index("finding_id")
    return survey, verified, register


def _check(value: float, finding: str, bundled: tuple[Any, pd.DataFrame, pd.DataFrame]) -> None:
    """``value`` (a proportion) equals verify's reproduction and meets the published figure."""
    _, verified, register = bundled
    got = 100.0 * value
    assert verified.loc[finding, "status"] == "match"
    assert got == pytest.approx(float(verified.loc[finding, "reproduced"]), abs=1e-9)
    published = register.loc[finding, "value"]
    if pd.notna(published):  # percentages match to the published rounding (0.5 points)
        assert abs(got - float(published)) <= 0.5
    else:  # verbal quantities: inside the documented range
        low, high = register.loc[finding, ["range_low", "range_high"]].astype(float)
        assert low <= got <= high


def test_bundled_achievement_of_access_and_sustainability(bundled: Any) -> None:
    survey = bundled[0]
    table = A.achievement_rates(
        survey, aims=["access", "sustainability"], too_early="separate", dont_know="separate"
    )
    _check(row(table, aim="access", outcome="fully")["estimate"], "S-04", bundled)
    _check(row(table, aim="access", outcome="partially")["estimate"], "S-05", bundled)
    _check(row(table, aim="sustainability", outcome="fully")["estimate"], "S-02", bundled)


def test_bundled_any_priority_and_funding(bundled: Any) -> None:
    survey = bundled[0]
    _check(A.any_fully_achieved(survey).iloc[0]["estimate"], "S-06", bundled)
    _check(A.funding_among_achievers(survey).iloc[0]["estimate"], "S-07", bundled)
    _check(row(A.aims_chosen(survey), aim="access")["estimate"], "S-03", bundled)


def test_bundled_prevalence_and_change(bundled: Any) -> None:
    survey = bundled[0]
    table = A.prevalence(survey)
    _check(row(table, membership="in_collaboration")["estimate"], "2017-05", bundled)
    earlier = _bundled(2015)
    verified_2015 = gpcollab.verify_findings(earlier).set_index("finding_id")
    change = A.compare_waves(earlier, survey, "membership", "in_collaboration").iloc[0]
    first = float(verified_2015.loc["2015-03", "reproduced"])
    assert 100 * change["estimate_first"] == pytest.approx(first, abs=1e-9)
    _check(change["estimate_second"], "2017-05", bundled)
    assert change["difference"] > 0 and change["p_value"] < 0.05


def test_bundled_contracts(bundled: Any) -> None:
    survey = bundled[0]
    table = A.contract_willingness(survey, combine=True)
    _check(row(table, option="unwilling_any")["estimate"], "2017-34", bundled)
    _check(row(table, option="very_unwilling")["estimate"], "2017-38", bundled)
    reasons = A.contract_reasons(survey)
    _check(row(reasons, option="lose_control")["estimate"], "2017-43", bundled)


def test_bundled_associations(bundled: Any) -> None:
    survey, verified, _ = bundled
    assert verified.loc[["S-08", "S-10"], "status"].eq("match").all()
    trend = A.achievement_trend(survey, too_early="separate", dont_know="separate")
    published = trend[trend["aim"].isin(["sustainability", "community", "quality", "staff"])]
    assert (published["direction"] == "increasing").all()
    assert (published["p_value"] < 0.05).all()
    # no collaboration aged 1-2 years (a base of 39) fully achieved sustainability: a read zero
    with pytest.warns(BoundaryWarning, match="age_band='1y_2y'"):
        A.achievement_rates(survey, by="age_band", aims="sustainability")
    # zeros in answers nobody chose (e.g. no "don't know" for one aim) raise no BoundaryWarning
    rates = A.achievement_rates(survey, too_early="separate", dont_know="separate")
    fully = rates[rates["outcome"] == "fully"]
    assert str(fully.loc[fully["estimate"].idxmax(), "aim"]) == "access"  # S-08


# ------------------------------------------------------------------ one argument vocabulary

_ANALYSES = [
    name
    for name in A.__all__
    if callable(getattr(A, name)) and getattr(A, name).__module__ == "gpcollab.analysis"
]
_DEPRECATED = {"option"}  # old names kept one release, placed after every current argument


@pytest.mark.parametrize("name", [*_ANALYSES, "achievement_model", "standardise", "pcn_projection"])
def test_signatures_follow_one_order(name: str) -> None:
    import inspect

    func = getattr(gpcollab, name)
    params = inspect.signature(func).parameters
    keyword = [p for p, v in params.items() if v.kind is v.KEYWORD_ONLY and p not in _DEPRECATED]
    # by (when there is one) comes first among the keyword-only arguments ...
    if "by" in keyword:
        assert keyword[0] == "by"
    # ... and design, ci_method, level close the list, in that order, where present
    tail = [p for p in ("design", "ci_method", "level") if p in params]
    assert keyword[-len(tail) :] == tail
    if "ci_method" in params:
        assert params["ci_method"].annotation == "CIMethod"


def test_deprecated_names_come_last() -> None:
    import inspect

    params = list(inspect.signature(A.compare_waves).parameters)
    assert params[-1] == "option"


def test_compare_waves_option_is_the_old_name_of_success(gp: SurveyData) -> None:
    expected = A.compare_waves(gp, gp, "membership", success="in_collaboration")
    with pytest.warns(DeprecationWarning, match="`option=` is deprecated.*use `success=`"):
        old = A.compare_waves(gp, gp, "membership", option="in_collaboration")
    pd.testing.assert_frame_equal(old, expected)
    # hand count: 5 of the 6 respondents are in a collaboration, in both "waves"
    assert expected["estimate_first"].iloc[0] == pytest.approx(5 / 6)
    with pytest.raises(ArgumentError, match="pass `success=` only"):
        A.compare_waves(gp, gp, "membership", "formal", option="formal")
    with pytest.raises(ArgumentError, match="needs `success`"):
        A.compare_waves(gp, gp, "membership")


@pytest.mark.parametrize("design", [(None, None, None), (None,), ()])
def test_two_sample_designs_must_be_pairs(gp: SurveyData, ccg: SurveyData, design: Any) -> None:
    with pytest.raises(
        ArgumentError, match=rf"two designs, \(gp, ccg\), but it holds {len(design)}"
    ):
        A.stp_views(gp, ccg, design=design)
    with pytest.raises(ArgumentError, match=r"two designs, \(first, second\)"):
        A.compare_waves(gp, gp, "membership", "formal", design=design)


def test_achievement_trend_names_the_odds_ratio_interval_as_the_trend_test_does() -> None:
    survey = gpcollab.load_survey(2017, "gp")
    table = A.achievement_trend(survey, aims=["staff"])
    assert {"odds_ratio_per_step", "or_ci_low", "or_ci_high"} <= set(table.columns)
    assert not {"ci_low", "ci_high"} & set(table.columns)
    row = table.iloc[0]
    assert row["or_ci_low"] <= row["odds_ratio_per_step"] <= row["or_ci_high"]


# the result-table contract (docs/architecture.md, "Result tables"), written out here
_CONTRACT = ["n", "count", "estimate", "se", "ci_low", "ci_high", "df", "ci_method",
             "conf_level", "boundary", "weighted_n", "n_eff", "deff"]  # fmt: skip


def test_analysis_and_engine_tables_share_one_column_order(gp: SurveyData) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)  # six respondents: shares of 0 and 1
        engine = gpcollab.estimate_proportions(
            gp.respondents.assign(w=1.0), "membership", by="role", design=gpcollab.SurveyDesign("w")
        )
        analysis = A.prevalence(gp, by="role")
    assert list(engine.columns) == ["role", "membership", *[c for c in _CONTRACT if c != "count"]]
    assert list(analysis.columns) == ["role", "membership", *_CONTRACT]
