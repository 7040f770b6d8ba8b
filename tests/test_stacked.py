"""All aims (or options) in one engine call give what one engine call per aim gives.

The analyses stack the respondents once per aim and estimate every aim's shares together
(``gpcollab._stacked``). The expected values here are the engine's own estimates on each aim's
unstacked table, under designs that exercise every part of the variance: weights, strata,
clusters, a stratum with one PSU under each lonely-PSU rule, raking (estimated aim by aim) and
the classical count intervals (likewise).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import gpcollab
from gpcollab import SurveyDesign, estimate_proportions

DESIGNS = {
    "srs": None,
    "weights": SurveyDesign(weights="weight"),
    "clustered": SurveyDesign(weights="weight", strata="region", psu="ccg_code"),
    "lonely_adjust": SurveyDesign(weights="weight", strata="ccg_code", lonely_psu="adjust"),
    "lonely_average": SurveyDesign(strata="ccg_code", lonely_psu="average"),
    "raked": SurveyDesign(weights="weight", calibration=("region",)),
    "poststratified": SurveyDesign(weights="weight", poststrata=("role",)),
}


@pytest.fixture(scope="module")
def survey() -> gpcollab.SurveyData:
    base = gpcollab.load_survey(2017, "gp")
    weights = np.random.default_rng(11).uniform(0.5, 3.0, base.n)
    respondents = base.respondents.assign(weight=weights)
    return gpcollab.SurveyData(respondents, base.aims, dict(base.multi), base.meta)


#: Every design with the design-based intervals; the classical count interval takes no design.
RATE_CASES = [(name, method) for name in DESIGNS for method in ("logit", "beta")]
RATE_CASES.append(("srs", "clopper_pearson"))


@pytest.mark.parametrize(("name", "ci_method"), RATE_CASES)
def test_rates_equal_one_engine_call_per_aim(
    survey: gpcollab.SurveyData, name: str, ci_method: str
) -> None:
    design = DESIGNS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
        table = gpcollab.achievement_rates(
            survey,
            by="size_band",
            design=design,
            ci_method=ci_method,  # type: ignore[arg-type]
        )
        wide = survey.aims.pivot(index="respondent_id", columns="aim", values="outcome")
        for aim in ("access", "staff", "integration"):
            frame = survey.respondents.copy()
            outcome = frame["respondent_id"].map(wide[aim].astype(object))
            kept = ["fully", "partially", "not_achieved"]
            frame["outcome"] = pd.Categorical(outcome.where(outcome.isin(kept)), categories=kept)
            expected = estimate_proportions(
                frame, "outcome", by="size_band", design=design, ci_method=ci_method, na_rm=True
            )  # type: ignore[arg-type]
            ours = table[(table["aim"] == aim) & (table["n"] > 0)].reset_index(drop=True)
            for column in ("n", "estimate", "se", "ci_low", "ci_high", "df", "n_eff", "deff"):
                np.testing.assert_array_equal(
                    ours[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float)
                )


@pytest.mark.parametrize("name", ["srs", "clustered", "lonely_adjust", "raked"])
def test_options_equal_one_engine_call_per_option(survey: gpcollab.SurveyData, name: str) -> None:
    design = DESIGNS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
        table = gpcollab.distribution(survey, "barriers", by="level", design=design)
        ticked = survey.selected("barriers")
        asked = survey.collaborating().to_numpy()  # barriers: asked of those collaborating
        for option in ("time_pressure", "it_systems"):
            frame = survey.respondents.copy()
            yes = ticked[option].to_numpy()
            frame["yes"] = pd.Categorical(
                np.where(asked, yes, None), categories=[False, True], ordered=True
            )
            expected = estimate_proportions(frame, "yes", by="level", design=design, na_rm=True)
            expected = expected[expected["yes"] == True].reset_index(drop=True)  # noqa: E712
            ours = table[(table["option"] == option) & (table["n"] > 0)].reset_index(drop=True)
            for column in ("n", "estimate", "se", "ci_low", "ci_high", "df", "deff"):
                np.testing.assert_array_equal(
                    ours[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float)
                )
