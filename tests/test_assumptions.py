"""The named assumptions file, and the reconstruction's use of it and of the filter language.

The reconstruction must hold no parameter of its own: every choice it makes is read from a named
assumption of ``assumptions.json``. Its filters are evaluated by the same code as
``verify_findings``; the checks here compare the two views of one response set.
"""

from __future__ import annotations

import ast
import importlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gpcollab import reconstruct
from gpcollab.datasets.surveys import load_survey
from gpcollab.findings import (
    FindingsError,
    _Evaluator,
    assumption_value,
    filter_mask,
    get_assumption,
    load_assumptions,
    load_findings,
    resolve_computation,
)
from gpcollab.reconstruction import RECONSTRUCTION_PARAMETERS
from gpcollab.schema import ITEMS, SurveyData

RECONSTRUCT_SOURCE = Path(__file__).resolve().parents[1] / "src" / "gpcollab" / "reconstruction.py"
PARAMETER_ASSUMPTIONS = {"A-15", "A-17", "A-22", "A-23", "A-24", "A-25", "A-26", "A-27"}


def _raw_assumptions() -> list[dict[str, Any]]:
    path = resources.files("gpcollab").joinpath("datasets", "findings", "assumptions.json")
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return entries


# ------------------------------------------------------------------------- the file itself


def test_every_assumption_is_complete() -> None:
    entries = _raw_assumptions()
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    assert len({e["id"] for e in entries}) == len(entries)
    for entry in entries:
        for key in ("id", "title", "description", "default", "options", "affects"):
            assert key in entry, (entry.get("id"), key)
        assert entry["title"].strip() and len(entry["description"]) > 40, entry["id"]
        assert entry["default"] in entry["options"], entry["id"]
        for name, option in entry["options"].items():
            assert option.get("description"), (entry["id"], name)
            assert "value" in option or "filter" in option, (entry["id"], name)


def test_affects_name_register_rows() -> None:
    register = set(load_findings()["finding_id"].astype(str))
    for entry in _raw_assumptions():
        assert isinstance(entry["affects"], list)
        assert set(entry["affects"]) <= register, entry["id"]
        assert len(set(entry["affects"])) == len(entry["affects"]), entry["id"]


def test_parameter_assumptions_hold_values_and_say_they_are_ours() -> None:
    table = load_assumptions().set_index("assumption_id")
    assert PARAMETER_ASSUMPTIONS <= set(table.index)
    for assumption_id in PARAMETER_ASSUMPTIONS:
        assumption = get_assumption(assumption_id)
        assert not assumption.switchable
        assert isinstance(assumption.option().get("value"), dict), assumption_id
        text = assumption.description.lower()
        assert any(word in text for word in ("ours", "we chose", "our ")), assumption_id
    # parameters that shape only unpublished answers say so and affect no row
    assert get_assumption("A-22").affects == ()
    assert "no published figure" in get_assumption("A-22").description.lower()


def test_parameter_rows_carry_their_assumptions() -> None:
    expected = {
        "A-23": {"2015-17", "2015-18", "2015-20", "S-17", "S-09"},
        "A-24": {"S-08", "S-09", "S-10", "S-14", "S-21", "S-22"},
        "A-26": {"S-16", "S-19", "S-23", "S-24"},
        "A-27": {"2017-11", "2017-47"},
    }
    for assumption_id, rows in expected.items():
        assert set(get_assumption(assumption_id).affects) == rows
    assert {"S-06", "S-08", "S-10", "S-11", "S-12"} <= set(get_assumption("A-25").affects)


# ----------------------------------------------------------- reconstruction reads them all


def test_every_parameter_is_read_from_an_assumption() -> None:
    from gpcollab.reconstruction import _PARAMETERS

    assert set(RECONSTRUCTION_PARAMETERS) == set(_PARAMETERS)
    for key in RECONSTRUCTION_PARAMETERS:
        source = RECONSTRUCTION_PARAMETERS.source(key)  # type: ignore[attr-defined]
        assert source in PARAMETER_ASSUMPTIONS, key
        assert RECONSTRUCTION_PARAMETERS[key] is not None, key
    # spot checks against the file, so a renamed entry cannot go unnoticed
    a17 = assumption_value("A-17")
    assert RECONSTRUCTION_PARAMETERS["staff_fully_or_large_ccg"] == a17["S-09"]
    assert RECONSTRUCTION_PARAMETERS["aim_choice_or_larger"] == a17["S-14"]
    assert (
        RECONSTRUCTION_PARAMETERS["practices_willing_dont_know"]
        == (assumption_value("A-27")["practices_willing_dont_know"])
    )
    shares = assumption_value("A-15")["2017"]["size_band"]
    assert RECONSTRUCTION_PARAMETERS["size_shares_above_2017"] == {
        band: shares[band] for band in ("100k_250k", "over_250k")
    }


def test_reconstruction_uses_exactly_the_declared_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = importlib.import_module("gpcollab.reconstruction")  # the package exports the function
    asked: set[str] = set()
    original = module._parameter

    def spy(key: str) -> Any:
        asked.add(key)
        return original(key)

    monkeypatch.setattr(module, "_parameter", spy)
    for wave, instrument in module.INSTRUMENTS:
        reconstruct(wave, instrument)
    assert asked == set(module._PARAMETERS)


def _numbers(node: ast.AST) -> list[object]:
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, (int, float))
        and not isinstance(n.value, bool)
    ]


def test_reconstruct_module_holds_no_parameter_tables() -> None:
    tree = ast.parse(RECONSTRUCT_SOURCE.read_text(encoding="utf-8"))
    # no dict literal maps names to numbers (a table of shares, weights or odds)
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            values = [v for v in node.values if v is not None]
            floats = [v for v in values if isinstance(v, ast.Constant) and type(v.value) is float]
            assert not floats, f"line {node.lineno}: float in a dict literal"
            numeric = [v for v in values if _numbers(v) and not isinstance(v, ast.Name)]
            assert not values or len(numeric) < len(values), f"line {node.lineno}"
    # module-level assignments hold no numbers beyond the wave years
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
            assert set(_numbers(statement.value)) <= {2015, 2017}, statement.lineno
    # the names of the former tables are gone from the code
    text = RECONSTRUCT_SOURCE.read_text(encoding="utf-8")
    for gone in ("_FROM_ASSUMPTIONS", '"gp_partner": 0.', '"time_pressure": 0.', "0.1 * k"):
        assert gone not in text


# --------------------------------------------------------------- one evaluator for filters


def _build_from(survey: SurveyData) -> Any:
    """The reconstruction's working representation of a finished set."""
    from gpcollab.reconstruction import _Build

    n = survey.n
    build = _Build(n=n)
    frame = survey.respondents
    for item in survey.meta.items:
        if item in ITEMS and ITEMS[item].kind == "single":
            values = frame[item].astype(object).to_numpy()
            build.single[item] = np.array(
                [None if v is None or v != v else str(v) for v in values], dtype=object
            )
        elif item in ITEMS and ITEMS[item].kind == "multi":
            wide = survey.selected(item)
            build.multi[item] = {str(c): wide[c].to_numpy(dtype=bool) for c in wide.columns}
    if survey.aims is not None and "aims" in survey.meta.items:
        wide_aims = survey.aims_wide()
        for aim in wide_aims.columns:
            outcome = wide_aims[aim].astype(object).to_numpy()
            build.aim_set[str(aim)] = np.array([v == v and v is not None for v in outcome])
            build.aim_outcome[str(aim)] = np.array(
                [str(v) if v == v and v is not None else None for v in outcome], dtype=object
            )
    return build


def _filters(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        for key in ("where", "base", "numerator", "group", "outcome"):
            if isinstance(node.get(key), dict):
                found.append(node[key])
        for part in node.get("parts", []):
            found += _filters(part)
    return found


@pytest.mark.parametrize("key", [(2015, "gp"), (2017, "gp"), (2017, "ccg")])
def test_reconstruction_and_verification_read_filters_alike(key: tuple[int, str]) -> None:
    from gpcollab.reconstruction import _BuildView

    survey = load_survey(*key)
    register = load_findings()
    rows = register[(register["wave"] == key[0]) & (register["instrument"] == key[1])]
    filters = [f for text in rows["computation"] for f in _filters(json.loads(text))]
    if survey.asks("aims"):
        filters += [
            {"any_aim": True},
            {"or": [{"aim": "staff", "@assumption": "A-09"}, {"not": {"any_aim": True}}]},
        ]
    assert filters
    verifier = _Evaluator(survey, None)
    builder = _BuildView(_build_from(survey))
    for where in filters:
        for choice in (None, {"A-09": "fully_or_partially", "A-20": "substantive"}):
            if key[1] == "ccg" and any(k in json.dumps(where) for k in ("aim", "membership")):
                continue
            expected = filter_mask(where, verifier, assumptions=choice)
            got = filter_mask(where, builder, assumptions=choice)
            assert got.tolist() == expected.tolist(), (where, choice)


def test_outcome_only_options_are_spliced_into_the_aim() -> None:
    survey = load_survey(2017, "gp")
    view = _Evaluator(survey, None)
    where = {"aim": "access", "@assumption": "A-20"}
    setters = filter_mask({"aim": "access"}, view)
    assert filter_mask(where, view).tolist() == setters.tolist()  # A-20 default: everyone
    substantive = filter_mask(where, view, assumptions={"A-20": "substantive"})
    explicit = filter_mask(
        {"aim": "access", "outcome": ["fully", "partially", "not_achieved"]}, view
    )
    assert substantive.tolist() == explicit.tolist()
    assert substantive.sum() < setters.sum()
    assert resolve_computation({"answered": "practices_willing", "@assumption": "A-09"}) == {
        "answered": "practices_willing",
        "outcome": ["fully"],
    }
    with pytest.raises(FindingsError, match="already has"):
        resolve_computation({"aim": "staff", "outcome": ["fully"], "@assumption": "A-09"})
