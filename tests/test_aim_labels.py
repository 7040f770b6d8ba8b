"""Aims given by their label are read as their code wherever `aims=` / `aim=` is taken.

The labels are the ones printed by `gpcollab.vocab.Aim.labels()` (and in every table for
readers); the codes are typed here as the outside reference.
"""

from __future__ import annotations

import pandas as pd
import pytest

import gpcollab
from gpcollab._checks import check_aim, check_aims
from gpcollab.errors import ArgumentError

LABELS = {
    "Improving access for patients": "access",
    "Financial and organisational sustainability": "sustainability",
    "Moving services into the community": "community",
    "Staff experience, training and education": "staff",
    "Clinical quality": "quality",
    "Efficiency of practices": "efficiency",
    "Integration with other health and care services": "integration",
}


@pytest.fixture(scope="module")
def gp17() -> gpcollab.SurveyData:
    return gpcollab.load_survey(2017, "gp")


def test_every_label_maps_to_its_code() -> None:
    for label, code in LABELS.items():
        assert check_aim(label) == code
        assert check_aim(f"  {label.upper()} ") == code  # case and spaces do not matter
        assert check_aim(code) == code
    assert check_aims(list(LABELS)) == list(LABELS.values())
    assert check_aims("Clinical quality") == ["quality"]


def test_analyses_take_labels(gp17: gpcollab.SurveyData) -> None:
    by_label = gpcollab.achievement_rates(gp17, aims=["Improving access for patients"])
    by_code = gpcollab.achievement_rates(gp17, aims=["access"])
    pd.testing.assert_frame_equal(by_label, by_code)
    assert set(by_label["aim"].astype(str)) == {"access"}
    trend = gpcollab.achievement_trend(gp17, aims="Clinical quality")
    assert trend["aim"].astype(str).tolist() == ["quality"]
    model = gpcollab.achievement_model(gp17, "Improving access for patients")
    assert model.aim == "access"


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("acess", "'access' (Improving access for patients)"),
        ("Improving the sustainability of general practice", "'sustainability'"),
    ],
)
def test_an_unknown_aim_names_the_closest_code(
    gp17: gpcollab.SurveyData, given: str, named: str
) -> None:
    with pytest.raises(
        ArgumentError, match="`aims` must be among the aim codes or their labels"
    ) as info:
        gpcollab.achievement_rates(gp17, aims=[given])
    message = str(info.value)
    assert f"Did you mean {named}" in message
    assert "'integration' (Integration with other health and care services)" in message


def test_not_an_aim_at_all_lists_the_codes() -> None:
    with pytest.raises(ArgumentError, match=r"`aims` takes an aim or a list.*int 3"):
        check_aims(3)
    with pytest.raises(ArgumentError, match=r"'zzz' was passed\. Aims: 'access'"):
        check_aim("zzz")  # nothing close: no guess, the full list
    with pytest.raises(ArgumentError, match="`aim` must be one of the aim codes"):
        check_aim(None)
