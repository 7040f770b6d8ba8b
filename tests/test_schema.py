"""Tests of the typed SurveyData model: coercion, lazy validation, referential checks."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pandas as pd
import pytest

from gpcollab import MissingItemError, SurveyData, SurveyMeta, SurveyValidationError
from gpcollab.schema import ITEMS, SYNTHETIC_NOTICE


def _meta(n: int, items: tuple[str, ...], synthetic: bool = False) -> SurveyMeta:
    return SurveyMeta(2017, "gp", n=n, source="hand-built", synthetic=synthetic, items=items)


def _survey(synthetic: bool = False) -> SurveyData:
    respondents = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r3"],
            "membership": ["formal", "none", "informal"],
            "size_band": ["under_30k", None, "100k_250k"],
            "ccg_code": ["00K", "00K", "99A"],
        }
    )
    aims = pd.DataFrame(
        {
            "respondent_id": ["r1", "r1", "r3"],
            "aim": ["access", "staff", "access"],
            "outcome": ["fully", None, "too_early"],
        }
    )
    funding = pd.DataFrame({"respondent_id": ["r1", "r3", "r3"], "option": ["ccg", "ccg", "none"]})
    meta = _meta(3, ("membership", "size_band", "aims", "funding"), synthetic)
    return SurveyData(respondents, aims, {"funding": funding}, meta)


def test_columns_become_ordered_categoricals_of_the_vocabulary() -> None:
    survey = _survey()
    membership = survey.respondents["membership"]
    assert isinstance(membership.dtype, pd.CategoricalDtype)
    assert membership.dtype.ordered
    assert list(membership.dtype.categories) == ["formal", "informal", "both", "none", "dont_know"]
    assert survey.respondents["size_band"].isna().tolist() == [False, True, False]
    assert list(survey.aims.columns) == ["respondent_id", "aim", "outcome"]
    assert survey.aims["outcome"].isna().tolist() == [False, True, False]
    assert survey.multi["funding"]["option"].tolist() == ["ccg", "ccg", "none"]


def test_helpers_count_as_by_hand() -> None:
    survey = _survey()
    assert survey.n == 3
    assert survey.collaborating().tolist() == [True, False, True]
    ticked = survey.selected("funding")
    assert ticked.loc["r3", ["ccg", "none", "access_fund"]].tolist() == [True, True, False]
    assert not ticked.loc["r2"].any()
    wide = survey.aims_wide()
    assert wide.loc["r1", "access"] == "fully"
    assert pd.isna(wide.loc["r2", "access"])
    assert wide.loc["r3", "access"] == "too_early"


def test_every_problem_is_reported_at_once() -> None:
    respondents = pd.DataFrame(
        {
            "respondent_id": ["r1", "r1", "r3"],
            "membership": ["formal", "sometimes", "none"],
            "mystery": [1, 2, 3],
        }
    )
    aims = pd.DataFrame(
        {
            "respondent_id": ["r1", "r9"],
            "aim": ["access", "world_peace"],
            "outcome": ["fully", None],
        }
    )
    with pytest.raises(SurveyValidationError) as caught:
        SurveyData(respondents, aims, {}, _meta(4, ("membership", "aims")))
    failures = caught.value.failures
    message = str(caught.value)
    found = set(zip(failures["table"], failures["column"], strict=True))
    assert ("respondents", "membership") in found  # unknown answer
    assert ("respondents", "mystery") in found  # unknown column
    assert ("respondents", "respondent_id") in found  # duplicate id
    assert ("aims", "aim") in found  # unknown aim
    assert ("aims", "respondent_id") in found  # orphan aims row
    assert ("meta", "n") in found  # n disagrees with the rows
    assert "found 'sometimes', expected one of: formal, informal, both, none, dont_know" in message
    assert "found 'r9', expected a known respondent" in message


def test_duplicate_aim_rows_and_multi_select_unknown_option() -> None:
    respondents = pd.DataFrame({"respondent_id": ["a"], "membership": ["formal"]})
    aims = pd.DataFrame({"respondent_id": ["a", "a"], "aim": ["access"] * 2, "outcome": [None] * 2})
    funding = pd.DataFrame({"respondent_id": ["a"], "option": ["lottery"]})
    with pytest.raises(SurveyValidationError, match="lottery") as caught:
        SurveyData(
            respondents, aims, {"funding": funding}, _meta(1, ("membership", "aims", "funding"))
        )
    assert "a unique respondent_id+aim pair" in str(caught.value)


def test_item_promised_by_meta_must_be_present_and_vice_versa() -> None:
    respondents = pd.DataFrame({"respondent_id": ["a"], "size_band": ["under_30k"]})
    with pytest.raises(SurveyValidationError) as caught:
        SurveyData(respondents, meta=_meta(1, ("membership",)))
    message = str(caught.value)
    assert "column 'membership'" in message
    assert "column 'size_band'" in message


def test_meta_is_required() -> None:
    with pytest.raises(SurveyValidationError, match="meta=SurveyMeta"):
        SurveyData(pd.DataFrame({"respondent_id": ["a"]}))


def test_require_names_the_missing_item_and_what_was_asked() -> None:
    survey = _survey()
    survey.require("aims", "membership")
    with pytest.raises(
        MissingItemError, match=r"does not have 'stp_influence'; it asked: membership"
    ):
        survey.require("stp_influence")


def test_survey_is_frozen_and_equality_is_by_content() -> None:
    survey = _survey()
    with pytest.raises(FrozenInstanceError):
        survey.meta = _meta(3, ())  # type: ignore[misc]
    assert survey.equals(_survey())
    assert not survey.equals(_survey(synthetic=True))


def test_repr_says_synthetic_only_for_synthetic_sets() -> None:
    assert SYNTHETIC_NOTICE in repr(_survey(synthetic=True))
    assert SYNTHETIC_NOTICE not in repr(_survey(synthetic=False))
    assert "3 respondents" in repr(_survey())


def test_input_frames_are_not_modified() -> None:
    respondents = pd.DataFrame({"respondent_id": [1, 2], "membership": ["formal", "none"]})
    SurveyData(respondents, meta=_meta(2, ("membership",)))
    assert respondents["respondent_id"].tolist() == [1, 2]
    assert respondents["membership"].dtype == object


def test_items_registry_is_consistent() -> None:
    for name, item in ITEMS.items():
        assert item.name == name
        assert item.kind in {"single", "multi", "aims"}
        assert item.base in {
            "all",
            "collaborating",
            "gp_partners",
            "unwilling_partners",
            "ccg_staff",
        }


def test_selected_with_no_ticks_is_all_false() -> None:
    meta = _meta(2, ("membership", "funding"))
    respondents = pd.DataFrame({"respondent_id": ["a", "b"], "membership": ["formal", "none"]})
    survey = SurveyData(respondents, meta=meta)
    ticked = survey.selected("funding")
    assert ticked.shape == (2, 7)
    assert not ticked.to_numpy().any()
    assert ticked.index.tolist() == ["a", "b"]


@pytest.mark.parametrize(
    ("respondents", "aims", "column", "expected"),
    [
        # each column check, alone, on a set that is otherwise valid: the quick whole-column
        # pass must not let any of them through
        ({"respondent_id": ["a", None]}, None, "respondent_id", "not_nullable"),
        ({"respondent_id": ["a", "a"]}, None, "respondent_id", "a unique value"),
        (
            {"respondent_id": ["a", "b"], "collab_patients": [12_000.0, -1.0]},
            None,
            "collab_patients",
            "greater_than_or_equal_to(0)",
        ),
        (
            {"respondent_id": ["a", "b"]},
            {"respondent_id": ["a", "a"], "aim": ["access", "access"], "outcome": [None, None]},
            "respondent_id+aim",
            "a unique respondent_id+aim pair",
        ),
        (
            {"respondent_id": ["a", "b"]},
            {"respondent_id": ["a", None], "aim": ["access", "staff"], "outcome": [None, None]},
            "respondent_id",
            "not_nullable",
        ),
        (  # ids are coerced to text, so 5 is "5": an unknown respondent
            {"respondent_id": ["a", "b"]},
            {"respondent_id": ["a", 5], "aim": ["access", "staff"], "outcome": [None, None]},
            "respondent_id",
            "a known respondent",
        ),
    ],
)
def test_every_column_check_still_fires(
    respondents: dict[str, list[object]],
    aims: dict[str, list[object]] | None,
    column: str,
    expected: str,
) -> None:
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in respondents.items()})
    if "collab_patients" in frame:
        frame["collab_patients"] = frame["collab_patients"].astype(float)
    n = len(frame)
    items: tuple[str, ...] = ("aims",) if aims is not None else ()
    aims_frame = None if aims is None else pd.DataFrame(aims)
    with pytest.raises(SurveyValidationError) as caught:
        SurveyData(frame, aims_frame, {}, _meta(n, items))
    failures = caught.value.failures
    hits = failures[(failures["column"] == column) & (failures["check"] == expected)]
    assert len(hits) >= 1, failures.to_string()
