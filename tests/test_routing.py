"""Questionnaire routing: every rule catches an off-route answer, in SurveyData and read_survey.

Each test builds a small response set by hand with one answer the questionnaire could not have
collected, and checks the error names the respondent, the item and the rule broken.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab import SurveyData, SurveyMeta, SurveyValidationError, load_survey, verify_findings
from gpcollab.errors import LoadError
from gpcollab.io import read_survey, write_survey
from gpcollab.routing import ROUTES, RULES
from gpcollab.schema import ITEMS

GP17 = ("role", "region", "membership", "form", "aims", "funding", "contract_willingness")
GP17_ALL = (*GP17, "contract_reasons")


def _gp(respondents: dict[str, list[object]], **tables: pd.DataFrame) -> SurveyData:
    frame = pd.DataFrame(respondents)
    items = tuple(c for c in GP17_ALL if c in frame.columns or c in tables)
    meta = SurveyMeta(2017, "gp", n=len(frame), source="hand-built", synthetic=False, items=items)
    aims = tables.pop("aims", None)
    return SurveyData(frame, aims, tables, meta)


def _violations(respondents: dict[str, list[object]], **tables: pd.DataFrame) -> pd.DataFrame:
    with pytest.raises(SurveyValidationError) as caught:
        _gp(respondents, **tables)
    failures = caught.value.failures
    assert isinstance(failures, pd.DataFrame)
    return failures[failures["rule"].notna()]


def _base(**changes: list[object]) -> dict[str, list[object]]:
    """Two respondents, both on route: a partner in a collaboration and a manager outside."""
    columns: dict[str, list[object]] = {
        "respondent_id": ["p1", "m2"],
        "role": ["gp_partner", "practice_manager"],
        "region": ["Y56", "Y54"],
        "membership": ["formal", "none"],
        "form": ["federation", None],
        "contract_willingness": ["unwilling", None],
        "ccg_code": ["07L", "00C"],  # Barking and Dagenham (London), Darlington (North)
    }
    columns.update(changes)
    return columns


def test_a_set_on_route_is_accepted() -> None:
    aims = pd.DataFrame({"respondent_id": ["p1"], "aim": ["access"], "outcome": ["fully"]})
    reasons = pd.DataFrame({"respondent_id": ["p1"], "option": ["continuity"]})
    survey = _gp(_base(), aims=aims, contract_reasons=reasons)
    assert survey.n == 2


def test_every_base_an_item_names_is_declared() -> None:
    assert {item.base for item in ITEMS.values()} <= set(ROUTES)
    for route in ROUTES.values():
        if route.item is not None:
            assert ITEMS[route.item].kind == "single"
            assert set(route.values) <= set(ITEMS[route.item].choices.values())


def test_collaboration_item_from_a_non_collaborator() -> None:
    found = _violations(_base(form=["federation", "network"]))
    assert found[["column", "respondent_id", "rule", "value"]].values.tolist() == [
        ["form", "m2", "collaborating", "network"]
    ]
    assert "membership = 'none'" in found["check"].iloc[0]


def test_aims_and_multi_select_from_a_non_collaborator() -> None:
    aims = pd.DataFrame({"respondent_id": ["m2"], "aim": ["staff"], "outcome": ["partially"]})
    funding = pd.DataFrame({"respondent_id": ["p1", "m2"], "option": ["ccg", "members"]})
    with pytest.raises(SurveyValidationError) as caught:
        _gp(_base(), aims=aims, funding=funding)
    message = str(caught.value)
    assert "aims, column 'aims', row 0, respondent 'm2': found 'staff'" in message
    assert "multi[funding], column 'funding', row 1, respondent 'm2': found 'members'" in message
    assert message.count("rule 'collaborating'") == 2


def test_a_blank_condition_does_not_route_anyone() -> None:
    found = _violations(
        _base(membership=["formal", None]),
        funding=pd.DataFrame({"respondent_id": ["m2"], "option": ["ccg"]}),
    )
    assert found["respondent_id"].tolist() == ["m2"]
    assert "membership = blank" in found["check"].iloc[0]


def test_contract_willingness_from_someone_not_a_partner() -> None:
    found = _violations(
        _base(contract_willingness=["unwilling", "willing"], membership=["formal", "informal"])
    )
    assert found[["column", "respondent_id", "rule"]].values.tolist() == [
        ["contract_willingness", "m2", "gp_partners"]
    ]
    assert "role = 'practice_manager'" in found["check"].iloc[0]


def test_contract_reasons_from_a_willing_partner() -> None:
    reasons = pd.DataFrame({"respondent_id": ["p1"], "option": ["salaried"]})
    found = _violations(_base(contract_willingness=["willing", None]), contract_reasons=reasons)
    assert found[["table", "respondent_id", "rule", "value"]].values.tolist() == [
        ["multi[contract_reasons]", "p1", "unwilling_partners", "salaried"]
    ]


def test_ccg_items_from_practice_staff() -> None:
    respondents = pd.DataFrame(
        {
            "respondent_id": ["c1", "c2"],
            "role": ["ccg_manager", "practice_manager"],
            "ccg_encouragement": ["actively", "on_request"],
        }
    )
    support = pd.DataFrame({"respondent_id": ["c1", "c2"], "option": ["legal", "it"]})
    meta = SurveyMeta(
        2015, "ccg", 2, "hand-built", False, items=("role", "ccg_encouragement", "ccg_support")
    )
    with pytest.raises(SurveyValidationError) as caught:
        SurveyData(respondents, None, {"ccg_support": support}, meta)
    failures = caught.value.failures
    assert failures[["column", "respondent_id", "rule"]].values.tolist() == [
        ["ccg_encouragement", "c2", "ccg_staff"],
        ["ccg_support", "c2", "ccg_staff"],
    ]


def test_region_must_be_the_region_of_the_ccg() -> None:
    # 00C (Darlington) is in the North of England (Y54), not London (Y56)
    found = _violations(_base(region=["Y56", "Y56"]))
    assert found[["column", "respondent_id", "rule", "value"]].values.tolist() == [
        ["region", "m2", "region_ccg", "Y56"]
    ]
    assert "CCG 00C is in region Y54" in found["check"].iloc[0]


def test_outcome_without_an_aim() -> None:
    aims = pd.DataFrame({"respondent_id": ["p1"], "aim": [None], "outcome": ["fully"]})
    found = _violations(_base(), aims=aims)
    assert found[["table", "respondent_id", "rule"]].values.tolist() == [
        ["aims", "p1", "outcome_needs_aim"]
    ]


def test_items_not_asked_by_the_instrument_impose_no_route() -> None:
    # a CCG survey does not ask membership, so its barriers are asked of everyone
    respondents = pd.DataFrame({"respondent_id": ["c1"], "role": ["ccg_other"]})
    barriers = pd.DataFrame({"respondent_id": ["c1"], "option": ["it_systems"]})
    meta = SurveyMeta(2017, "ccg", 1, "hand-built", False, items=("role", "barriers"))
    assert SurveyData(respondents, None, {"barriers": barriers}, meta).n == 1


def test_all_violations_are_reported_at_once() -> None:
    found = _violations(
        _base(
            form=["federation", "merger"],
            contract_willingness=["unwilling", "willing"],
            region=["Y54", "Y54"],
        )
    )
    assert sorted(found["rule"]) == ["collaborating", "gp_partners", "region_ccg"]
    assert set(found["rule"]) <= set(RULES)


# -- read_survey: off-route rows are rejected (strict: error; lenient: left out, reported) ----


def _export_with_off_route_form(tmp_path: Path) -> tuple[Path, int]:
    survey = load_survey(2017, "gp")
    path = write_survey(survey, tmp_path / "gp.csv", codebook="gp2017")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    membership = next(c for c in frame.columns if "part of a collaboration" in c)
    form = next(c for c in frame.columns if "best describes the collaboration" in c)
    row = int(frame.index[frame[membership] == "No"][0])
    frame.loc[row, form] = "Federation"
    frame.to_csv(path, index=False)
    return path, row


def test_read_survey_rejects_an_off_route_row(tmp_path: Path) -> None:
    path, row = _export_with_off_route_form(tmp_path)
    with pytest.raises(LoadError, match="off-route answer: respondent 'gp2017-0"):
        read_survey(path, "gp2017")
    data, report = read_survey(path, "gp2017", strict=False)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (565, 564, 1)
    (rejection,) = report.rejections
    assert rejection.row == row + 2  # header line, then 1-based data lines
    assert rejection.found == "federation"
    assert "'form' answered 'federation' but rule 'collaborating'" in rejection.reason
    assert data.n == 564


# -- the partner base of the contract findings --------------------------------------------


def test_shuffled_roles_fail_the_partner_based_findings() -> None:
    survey = load_survey(2017, "gp")
    rows = verify_findings(survey).set_index("finding_id")
    partner_rows = [f"2017-{k}" for k in range(30, 47)]
    assert (rows.loc[partner_rows, "status"] == "match").all()
    # shuffle the roles after construction (validation would refuse such a set): partners'
    # answers now sit with other roles, and the published base (partners) no longer holds them
    shuffled = load_survey(2017, "gp")
    column = shuffled.respondents["role"]
    roles = column.to_numpy().copy()
    np.random.default_rng(1).shuffle(roles)
    shuffled.respondents["role"] = pd.Categorical(roles, dtype=column.dtype)
    after = verify_findings(shuffled).set_index("finding_id")
    assert after.loc["2017-33", "status"] == "mismatch"  # 241 partners answered
    assert after.loc["2017-33", "reproduced"] < 241
    assert (after.loc[partner_rows, "status"] == "mismatch").sum() >= 12


def test_a_column_shuffled_set_is_refused() -> None:
    """Every respondent column shuffled on its own (ids kept): the routing no longer holds."""
    survey = load_survey(2017, "gp")
    rng = np.random.default_rng(0)
    shuffled = survey.respondents.copy()
    for column in shuffled.columns.drop("respondent_id"):
        shuffled[column] = shuffled[column].to_numpy()[rng.permutation(len(shuffled))]
    with pytest.raises(SurveyValidationError) as caught:
        SurveyData(shuffled, survey.aims, survey.multi, survey.meta)
    failures = caught.value.failures
    rules = set(failures["rule"].dropna())
    assert {"collaborating", "gp_partners", "unwilling_partners", "region_ccg"} <= rules
    off = failures[(failures["rule"] == "collaborating") & (failures["column"] == "form")]
    assert len(off) > 0 and off["respondent_id"].notna().all()
