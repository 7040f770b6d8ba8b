"""Tests of gpcollab.whatif: reband, scenarios, standardise and the PCN projection."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import make_survey
from gpcollab import whatif as W
from gpcollab.design import SurveyDesign
from gpcollab.errors import ArgumentError, ConvergenceError, DesignError
from gpcollab.models import achievement_model
from gpcollab.schema import SurveyData
from gpcollab.vocab import Aim
from gpcollab.whatif import Scenario, pcn_projection, reband, standardise


def _rows() -> list[dict[str, Any]]:
    """Access setters by size band: under 30k 1 of 4 fully, 30-50k 2 of 4, 100-250k 3 of 4."""
    plan = {"under_30k": 1, "30k_50k": 2, "100k_250k": 3}
    rows: list[dict[str, Any]] = []
    for band, fully in plan.items():
        for k in range(4):
            rows.append(
                dict(
                    membership="formal",
                    size_band=band,
                    age_band=["under_1y", "1y_2y", "over_2y", "over_2y"][k],
                    level="locality",
                    aims={"access": "fully" if k < fully else "partially"},
                )
            )
    rows.append(dict(membership="none"))
    return rows


@pytest.fixture
def survey() -> SurveyData:
    return make_survey(_rows(), synthetic=True)


# --------------------------------------------------------------------------- reband


def test_reband_on_band_edges(survey: SurveyData) -> None:
    groups = reband(survey, 50_000)
    assert groups.name == "size_group"
    assert list(groups.cat.categories) == ["under 50,000", "50,000 or more"]
    assert groups.value_counts().to_dict() == {"under 50,000": 8, "50,000 or more": 4}
    assert groups.isna().sum() == 1  # the respondent not in a collaboration
    three = reband(survey, [100_000, 30_000])
    assert list(three.cat.categories) == ["under 30,000", "30,000 to 99,999", "100,000 or more"]
    assert three.index.equals(survey.respondents.index)


def test_reband_off_edge_lists_usable(survey: SurveyData) -> None:
    with pytest.raises(ArgumentError, match=r"Usable thresholds: \[30000, 50000, 100000, 250000\]"):
        reband(survey, 75_000)
    with pytest.raises(ArgumentError, match="positive numbers"):
        reband(survey, [])


def test_reband_with_numeric_sizes() -> None:
    rows = [
        dict(membership="formal", size_band="50k_100k", collab_patients=60_000.0),
        dict(membership="formal", size_band="50k_100k", collab_patients=90_000.0),
    ]
    groups = reband(make_survey(rows), 75_000)  # numeric sizes: any threshold works
    assert list(groups.astype(str)) == ["under 75,000", "75,000 or more"]


# --------------------------------------------------------------------------- scenarios


def test_scenario_from_dict_and_errors(survey: SurveyData) -> None:
    assert Scenario.coerce({"name": "x", "set": {"size_band": "under_30k"}}).set == {
        "size_band": "under_30k"
    }
    with pytest.raises(ArgumentError, match="needs 'name'"):
        Scenario.coerce({"set": {}})
    with pytest.raises(ArgumentError, match="more than one"):
        Scenario("x", set={"size_band": "under_30k"}, shift={"size_band": 1})
    model = achievement_model(survey, "access", terms=("size_band",))
    bad = Scenario("huge", set={"size_band": "over_500k"})
    with pytest.raises(ArgumentError, match=r"'huge'.*'over_500k'.*allowed: \['under_30k'"):
        standardise(survey, "access", bad, model=model, n_boot=0)
    with pytest.raises(ArgumentError, match="not a model term"):
        standardise(survey, "access", Scenario("x", set={"level": "locality"}), model=model)
    with pytest.raises(ArgumentError, match="add up to 1"):
        standardise(
            survey, "access", Scenario("x", mix={"size_band": {"under_30k": 0.5}}), model=model
        )
    with pytest.raises(ArgumentError, match=r"no respondent|not fitted"):
        standardise(survey, "access", Scenario("x", set={"size_band": "over_250k"}), model=model)


# --------------------------------------------------------------------------- standardise


def test_standardise_by_hand(survey: SurveyData) -> None:
    """With one saturated term, g-computation gives the band rates (counted by hand)."""
    table = standardise(
        survey,
        "access",
        [
            Scenario("all 30-50k", set={"size_band": "30k_50k"}),
            {"name": "half and half", "mix": {"size_band": {"under_30k": 0.5, "100k_250k": 0.5}}},
        ],
        terms=("size_band",),
        n_boot=200,
    )
    assert list(table["scenario"]) == ["observed", "all 30-50k", "half and half"]
    est = table.set_index("scenario")["estimate"]
    assert est["observed"] == pytest.approx(6 / 12, abs=1e-7)
    assert est["all 30-50k"] == pytest.approx(2 / 4, abs=1e-7)
    assert est["half and half"] == pytest.approx((1 / 4 + 3 / 4) / 2, abs=1e-7)
    assert table.attrs["analysis"] == "standardise" and table.attrs["synthetic"] is True


def test_shift_capped_at_top_band() -> None:
    rows = [
        dict(membership="formal", age_band=age, aims={"access": outcome})
        for age, outcome in [
            ("under_1y", "fully"), ("under_1y", "partially"), ("under_1y", "partially"),
            ("over_2y", "fully"), ("over_2y", "fully"), ("over_2y", "partially"),
        ]
    ]  # fmt: skip
    survey = make_survey(rows)
    table = standardise(
        survey, "access", Scenario("two years older", shift={"age_band": 2}),
        terms=("age_band",), n_boot=0,
    )  # fmt: skip
    # everyone moves to over_2y (under_1y + 2 bands; over_2y is capped): rate 2/3
    assert table.set_index("scenario").loc["two years older", "estimate"] == pytest.approx(2 / 3)


def test_observed_mix_returns_observed_rate(simulated_survey: SurveyData) -> None:
    n_boot = 2000
    table = standardise(simulated_survey, "access", n_boot=n_boot, seed=11)
    observed = table.iloc[0]
    # the observed rate counted straight from the aims table: fully achieved among access
    # setters with a substantive answer (the default excludes "too early" and "don't know")
    aims = simulated_survey.aims
    access = aims.loc[aims["aim"] == "access", "outcome"].astype(str)
    substantive = access[access.isin(["fully", "partially", "not_achieved"])]
    rates = (substantive == "fully").mean()
    assert len(substantive) == len(achievement_model(simulated_survey, "access").data)
    # point estimate: a logistic model with an intercept reproduces the mean outcome exactly
    assert observed["estimate"] == pytest.approx(rates, abs=1e-8)
    # bootstrap mean: each replicate's observed-mix rate is that replicate's own rate, so the
    # mean of the replicates differs from the observed rate only by Monte Carlo error
    # (SD / sqrt(B)); allow four of those
    assert abs(observed["boot_mean"] - rates) < 4 * observed["se"] / np.sqrt(n_boot)
    assert observed["ci_low"] < rates < observed["ci_high"]
    assert observed["difference"] == 0.0


def test_bootstrap_is_seeded(simulated_survey: SurveyData) -> None:
    scen = Scenario("big", set={"size_band": "100k_250k"})
    a = standardise(simulated_survey, "access", scen, n_boot=300, seed=3)
    b = standardise(simulated_survey, "access", scen, n_boot=300, seed=3)
    c = standardise(simulated_survey, "access", scen, n_boot=300, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])


def test_batched_newton_matches_full_refit(simulated_survey: SurveyData) -> None:
    """The vectorised replicate fits equal a full IRLS fit on the resampled rows."""
    from gpcollab.regression import logistic_regression

    model = achievement_model(simulated_survey, "access")
    counts = W._resample_counts(model, 3, np.random.default_rng(5))
    betas = W._bootstrap_coefficients(model, counts)
    for b in range(3):
        data = model.data.assign(_count=counts[b])
        keep = data["_count"] > 0
        refit = logistic_regression(
            data.loc[keep], "fully_achieved", list(model.terms), design=SurveyDesign("_count")
        )
        assert betas[b] == pytest.approx(refit.params, abs=1e-6)


def test_stratified_bootstrap_runs() -> None:
    from conftest import simulate_survey

    survey = simulate_survey(300, seed=2, weights=True)
    design = SurveyDesign(weights="weight", strata="region", psu="ccg_code", nest=True)
    table = standardise(
        survey, "access", Scenario("older", shift={"age_band": 1}), n_boot=200, design=design
    )
    assert table["ci_low"].lt(table["estimate"]).all()
    assert table["ci_high"].gt(table["estimate"]).all()


# --------------------------------------------------------------------------- PCN projection


def test_pcn_projection_by_hand(survey: SurveyData) -> None:
    population = pd.DataFrame({"registered_patients": [20_000, 25_000, 40_000, 120_000, None]})
    table = pcn_projection(
        survey, "access", terms=("size_band",), age_band=None, population=population, n_boot=0
    )
    assert list(table["size_band"]) == ["under_30k", "30k_50k", "100k_250k", "all_pcns"]
    assert list(table["pcns"]) == [2, 1, 1, 4]
    assert table["share_of_pcns"].tolist() == pytest.approx([0.5, 0.25, 0.25, 1.0])
    est = table.set_index("size_band")["estimate"]
    assert est["under_30k"] == pytest.approx(1 / 4, abs=1e-7)
    assert est["100k_250k"] == pytest.approx(3 / 4, abs=1e-7)
    assert est["all_pcns"] == pytest.approx(0.5 * 1 / 4 + 0.25 * 2 / 4 + 0.25 * 3 / 4, abs=1e-7)
    assert table.attrs["pcns_without_size"] == 1


def test_pcn_projection_real_population(simulated_survey: SurveyData) -> None:
    table = pcn_projection(simulated_survey, "access", n_boot=100)
    assert table["size_band"].iloc[-1] == "all_pcns"
    assert table["pcns"].iloc[-1] == table["pcns"].iloc[:-1].sum()
    assert table["share_of_pcns"].iloc[:-1].sum() == pytest.approx(1.0)
    assert table.attrs["age_band"] == "under_1y"
    with pytest.raises(ArgumentError, match="must include 'size_band'"):
        pcn_projection(simulated_survey, "access", terms=("age_band",))


# --------------------------------------------------------------------------- separation


def _separated_rows() -> list[dict[str, Any]]:
    """Access by size: under 30k 0 of 4 fully (separates), 30-50k 2 of 4, 100-250k 3 of 4.

    Age: under_1y and 1y_2y never fully achieved, over_2y 5 of 6 (separates even as a score).
    """
    plan = {"under_30k": 0, "30k_50k": 2, "100k_250k": 3}
    ages = ["under_1y", "1y_2y", "over_2y", "over_2y"]
    rows: list[dict[str, Any]] = []
    for band, fully in plan.items():
        for k in range(4):
            outcome = "fully" if ages[k] == "over_2y" and k - 2 < fully else "partially"
            if band == "under_30k":
                outcome = "partially"
            rows.append(
                dict(
                    membership="formal",
                    size_band=band,
                    age_band=ages[k],
                    aims={"access": outcome},
                )
            )
    return rows


def _logistic_on_score(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Maximum-likelihood intercept and slope, by scipy's optimiser (not the engine)."""
    from scipy.optimize import minimize

    def nll(beta: np.ndarray) -> float:
        eta = beta[0] + beta[1] * x
        return float(np.sum(np.logaddexp(0.0, eta) - y * eta))

    res = minimize(nll, np.zeros(2), method="BFGS", options={"gtol": 1e-10})
    return float(res.x[0]), float(res.x[1])


def test_separating_band_falls_back_to_a_score() -> None:
    rows = _separated_rows()
    survey = make_survey(rows)
    # the outcome by band, counted from the rows above: under_30k 0/4, 30k_50k 2/4, 100k_250k
    # 2/4 (only the two over_2y rows can be fully achieved)
    x = np.array([0.0] * 4 + [1.0] * 4 + [3.0] * 4)  # band positions in SizeBand order
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1], dtype=float)
    a, b = _logistic_on_score(x, y)
    table = standardise(
        survey,
        "access",
        Scenario("all 100-250k", set={"size_band": "100k_250k"}),
        terms=("size_band",),
        n_boot=0,
    )
    est = table.set_index("scenario")["estimate"]
    assert est["observed"] == pytest.approx(4 / 12, abs=1e-7)
    assert est["all 100-250k"] == pytest.approx(1 / (1 + np.exp(-(a + 3 * b))), abs=1e-6)
    assert table.attrs["scores"] == ["size_band"]
    (note,) = table.attrs["notes"]
    assert "Registered patients covered is entered as an ordered score" in note
    assert "no respondent in “Under 30,000” fully achieved it" in note


def test_separation_error_keeps_the_engine_error() -> None:
    survey = make_survey(_separated_rows())
    with pytest.raises(ConvergenceError, match="under_30k"):
        standardise(survey, "access", terms=("size_band",), n_boot=0, separation="error")
    with pytest.raises(ArgumentError, match="'fallback' or 'error'"):
        W.fit_model(survey, "access", separation="maybe")  # type: ignore[arg-type]


def test_term_separating_even_as_a_score_is_left_out() -> None:
    survey = make_survey(_separated_rows())
    # age: under_1y 0/4 and 1y_2y 0/4 fully, over_2y 4/6: a score separates too (0, 0, then
    # some), so age is left out; size keeps its score as in the test above
    x = np.array([0.0] * 4 + [1.0] * 4 + [3.0] * 4)
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1], dtype=float)
    a, b = _logistic_on_score(x, y)
    model, notes = W.fit_model(survey, "access", terms=("size_band", "age_band"))
    assert model.terms == ("size_band",)
    assert model.scores == ("size_band",)
    assert notes[0].startswith(
        "Time since the collaboration formed is left out of the model of “Improving access"
    )
    assert "Registered patients covered is entered as an ordered score" in notes[1]
    table = standardise(
        survey, "access", Scenario("big", set={"size_band": "100k_250k"}), model=model, n_boot=0
    )
    assert table.attrs["notes"] == notes
    big = table.set_index("scenario").loc["big", "estimate"]
    assert big == pytest.approx(1 / (1 + np.exp(-(a + 3 * b))), abs=1e-6)
    with pytest.raises(DesignError, match="'age_band', which had to be left out"):
        standardise(survey, "access", Scenario("older", shift={"age_band": 1}), model=model)
    with pytest.raises(ArgumentError, match="model of the aim 'access', but `aim` is 'staff'"):
        standardise(survey, "staff", model=model)


@pytest.mark.parametrize("aim", [a.value for a in Aim])
def test_every_aim_of_the_bundled_set_can_be_standardised(aim: str) -> None:
    """The class of the README failure: the default terms fail on several aims as asked."""
    from gpcollab.datasets.surveys import load_survey

    survey = load_survey(2017, "gp")
    table = standardise(
        survey, aim, Scenario("all 100-250k", set={"size_band": "100k_250k"}), n_boot=20
    )
    assert list(table["scenario"]) == ["observed", "all 100-250k"]
    assert table["estimate"].between(0, 1).all()
    for note in table.attrs["notes"]:  # every departure from the terms asked for is explained
        assert "entered as an ordered score" in note or "left out of the model" in note
    assert len(table.attrs["notes"]) == len(table.attrs["scores"]) + (4 - len(table.attrs["terms"]))
