"""Tests of gpcollab.models.achievement_model."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

import gpcollab
from conftest import make_survey
from gpcollab.errors import ArgumentError, ConvergenceError
from gpcollab.models import achievement_model
from gpcollab.schema import SurveyData


def _rows() -> list[dict[str, Any]]:
    """Access setters: funded 3 of 4 fully achieved, unfunded 2 of 8 (odds ratio 9)."""
    rows: list[dict[str, Any]] = []
    outcomes = [("fully", True)] * 3 + [("partially", True)]
    outcomes += [("fully", False)] * 2 + [("not_achieved", False)] * 3 + [("partially", False)] * 3
    for i, (outcome, funded) in enumerate(outcomes):
        rows.append(
            dict(
                membership="formal",
                size_band="under_30k" if i % 2 else "100k_250k",
                age_band=["under_1y", "1y_2y", "over_2y"][i % 3],
                level="locality",
                aims={"access": outcome},
                funding=["access_fund"] if funded else [],
                weight=1.0 + (i % 2),
            )
        )
    rows.append(dict(membership="formal", aims={"access": "too_early"}, funding=[]))
    rows.append(dict(membership="none"))
    return rows


@pytest.fixture
def survey() -> SurveyData:
    return make_survey(_rows(), synthetic=True)


def test_odds_ratio_of_funding_by_hand(survey: SurveyData) -> None:
    model = achievement_model(survey, "access", terms=("funding",))
    coef = model.coefficients.set_index("term")
    assert coef.loc["fundingTrue", "odds_ratio"] == pytest.approx(9.0, rel=1e-6)
    assert coef.loc["(Intercept)", "odds_ratio"] == pytest.approx(2 / 6, rel=1e-6)
    assert model.n == 12 and model.n_dropped == 0  # too early left out of the base
    assert list(model.term_tests["term"]) == ["funding"]
    assert model.coefficients.attrs["synthetic"] is True
    fitted = model.predict(pd.DataFrame({"funding": pd.Categorical([True, False])}))
    assert fitted == pytest.approx([3 / 4, 2 / 8])


def test_too_early_counted_and_dropped_rows(survey: SurveyData) -> None:
    model = achievement_model(survey, "access", terms=("funding",), too_early="not_achieved")
    assert model.n == 13  # the too-early row joins the unfunded: 2 of 9
    intercept = model.coefficients.set_index("term").loc["(Intercept)", "odds_ratio"]
    assert intercept == pytest.approx(2 / 7, rel=1e-6)
    with_size = achievement_model(
        survey, "access", terms=("funding", "size_band"), too_early="not_achieved"
    )
    assert with_size.n == 12 and with_size.n_dropped == 1  # no size for the too-early row


def test_weighted_fit_uses_weights(survey: SurveyData) -> None:
    model = achievement_model(survey, "access", terms=("funding",), design="weight")
    # weights 1 (even i) and 2 (odd i); funded i = 0..3: fully at i 0, 1, 2 -> 1 + 2 + 1 = 4
    # of 1 + 2 + 1 + 2 = 6; unfunded i = 4..11: fully at 4, 5 -> 1 + 2 = 3 of 12
    funded_odds, unfunded_odds = (4 / 6) / (2 / 6), (3 / 12) / (9 / 12)
    coef = model.coefficients.set_index("term")
    assert coef.loc["fundingTrue", "odds_ratio"] == pytest.approx(
        funded_odds / unfunded_odds, rel=1e-6
    )


def test_scores_and_errors(survey: SurveyData) -> None:
    model = achievement_model(survey, "access", terms=("age_band",), scores=("age_band",))
    assert list(model.coefficients["term"]) == ["(Intercept)", "age_band_score"]
    assert np.isfinite(model.coefficients["odds_ratio"]).all()
    with pytest.raises(ArgumentError, match="`aim` must be one of"):
        achievement_model(survey, "happiness")
    with pytest.raises(ArgumentError, match="`scores` names 'size_band', which is not one of"):
        achievement_model(survey, "access", terms=("funding",), scores=("size_band",))
    with pytest.raises(ArgumentError, match="`terms` names 'colour'"):
        achievement_model(survey, "access", terms=("colour",))


def test_separation_error_suggests_scores() -> None:
    rows = [
        dict(membership="formal", age_band=age, aims={"access": outcome})
        for age, outcome in [
            ("under_1y", "partially"), ("under_1y", "not_achieved"),
            ("over_2y", "fully"), ("over_2y", "partially"), ("1y_2y", "fully"),
            ("1y_2y", "not_achieved"),
        ]
    ]  # fmt: skip
    survey = make_survey(rows)
    with pytest.raises(ConvergenceError, match="scores="):
        achievement_model(survey, "access", terms=("age_band",))


def test_bundled_staff_model_directions() -> None:
    survey = gpcollab.load_survey(2017, "gp")
    model = achievement_model(
        survey, "staff", scores=("age_band",), too_early="separate", dont_know="separate"
    )
    coef = model.coefficients.set_index("term")
    # S-09 / S-10: older, larger and CCG-wide collaborations more often fully achieved it
    assert coef.loc["age_band_score", "odds_ratio"] > 1
    assert coef.loc["age_band_score", "p_value"] < 0.05
    assert coef.loc["size_band100k_250k", "odds_ratio"] > 1
    assert coef.loc["levelmulti_ccg", "odds_ratio"] > 1
    assert math.isfinite(float(model.term_tests["F"].sum()))
