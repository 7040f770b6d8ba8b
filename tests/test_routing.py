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
from gpcollab.routing import CONSISTENCY_RULES, ROUTES, RULES, find_inconsistencies
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


def test_a_region_that_is_not_the_ccgs_is_reported_never_refused() -> None:
    # 00C (Darlington) is in the North of England (Y54), not London (Y56): two answers the
    # respondent gave disagree; the set is accepted with both, and the disagreement is listed
    survey = _gp(_base(region=["Y56", "Y56"]))
    assert survey.respondents["region"].astype(str).tolist() == ["Y56", "Y56"]
    (found,) = find_inconsistencies(survey.respondents, survey.meta.items)
    assert (found.respondent_id, found.item, found.rule, found.found) == (
        "m2",
        "region",
        "region_ccg",
        "Y56",
    )
    assert found.condition == "CCG 00C is in region Y54"
    assert "region_ccg" in CONSISTENCY_RULES and "region_ccg" not in RULES
    assert find_inconsistencies(_gp(_base()).respondents, GP17) == []


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
    assert sorted(found["rule"]) == ["collaborating", "gp_partners"]
    assert set(found["rule"]) <= set(RULES)


# -- read_survey: off-route answers (strict: error; lenient: the cell set missing, reported) --


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


def test_read_survey_sets_an_off_route_answer_missing(tmp_path: Path) -> None:
    path, row = _export_with_off_route_form(tmp_path)
    with pytest.raises(LoadError, match="off-route answer: 'form' is asked only of respondents"):
        read_survey(path, "gp2017")
    data, report = read_survey(path, "gp2017", strict=False)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (565, 565, 0)
    (cell,) = report.missing_cells
    assert cell.row == row + 2  # header line, then 1-based data lines
    assert cell.found == "federation" and cell.allowed == "blank (rule 'collaborating')"
    assert "and membership = 'none'" in cell.reason
    assert data.n == 565
    kept = data.respondents.set_index("respondent_id").loc[cell.respondent_id]
    assert kept["membership"] == "none" and pd.isna(kept["form"])


def test_a_blanked_condition_blanks_what_rests_on_it(tmp_path: Path) -> None:
    """An unknown role: the role is set missing, then the partners' items resting on it."""
    survey = load_survey(2017, "gp")
    path = write_survey(survey, tmp_path / "gp.csv", codebook="gp2017")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    role = next(c for c in frame.columns if "role" in c.lower())
    willing = survey.respondents["contract_willingness"].astype(str)
    unwilling = survey.respondents.index[willing == "unwilling"]
    reasons = survey.multi["contract_reasons"]
    row = next(
        i
        for i in unwilling
        if survey.respondents.at[i, "respondent_id"] in set(reasons["respondent_id"])
    )
    frame.loc[row, role] = "Senior partner"
    frame.to_csv(path, index=False)
    data, report = read_survey(path, "gp2017", strict=False)
    rid = survey.respondents.at[row, "respondent_id"]
    cells = report.missing_cells
    assert {c.respondent_id for c in cells} == {rid} and data.n == survey.n
    assert cells[0].found == "Senior partner" and cells[0].reason == "unknown answer"
    found = [c.found for c in cells[1:]]
    given = reasons.loc[reasons["respondent_id"] == rid, "option"].tolist()
    assert found == ["unwilling", *given]  # willingness first, then each reason it routed to
    kept = data.respondents.set_index("respondent_id").loc[rid]
    assert pd.isna(kept["role"]) and pd.isna(kept["contract_willingness"])
    assert rid not in set(data.multi["contract_reasons"]["respondent_id"])


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
    assert {"collaborating", "gp_partners", "unwilling_partners"} <= rules
    off = failures[(failures["rule"] == "collaborating") & (failures["column"] == "form")]
    assert len(off) > 0 and off["respondent_id"].notna().all()
