"""Synthetic reconstruction of the four response sets and the bundled seed-0 files."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

import gpcollab
from gpcollab import (
    GpcollabError,
    dataset_card,
    list_datasets,
    load_findings,
    load_survey,
    reconstruct,
    verify_findings,
)
from gpcollab.datasets.surveys import SURVEY_FOLDERS, dataset_name
from gpcollab.findings import assumption_value
from gpcollab.schema import ITEMS, SYNTHETIC_NOTICE, SurveyData

SETS = [(2015, "gp"), (2015, "ccg"), (2017, "gp"), (2017, "ccg")]
IDS = [f"{i}{w}" for w, i in SETS]
N = {(2015, "gp"): 982, (2015, "ccg"): 94, (2017, "gp"): 565, (2017, "ccg"): 51}
ROOT = Path(__file__).resolve().parents[1]

# items of docs/instruments.md
INSTRUMENT_ITEMS = {
    (2015, "gp"): {
        "role",
        "region",
        "membership",
        "form",
        "legal_form",
        "size_band",
        "age_band",
        "level",
        "drivers",
        "barriers",
    },
    (2015, "ccg"): {"role", "region", "ccg_encouragement", "ccg_support", "barriers"},
    (2017, "gp"): {
        "role",
        "region",
        "membership",
        "form",
        "legal_form",
        "size_band",
        "age_band",
        "level",
        "aims",
        "funding",
        "barriers",
        "stp_influence",
        "stp_change",
        "contract_willingness",
        "contract_reasons",
    },
    (2017, "ccg"): {
        "role",
        "region",
        "ccg_encouragement",
        "ccg_support",
        "barriers",
        "stp_influence",
        "stp_change",
        "practices_willing",
    },
}


def _documented_conflicts() -> set[str]:
    register = load_findings()
    return set(register.loc[register["status_rule"] == "conflict", "finding_id"].astype(str))


def _assert_verifies(survey: SurveyData) -> pd.DataFrame:
    result = verify_findings(survey)
    status = result["status"].astype(str)
    bad = result.loc[status == "mismatch", ["finding_id", "reproduced", "detail"]]
    assert bad.empty, f"{survey.meta.label}: mismatches\n{bad.to_string()}"
    conflicts = set(result.loc[status == "conflict", "finding_id"].astype(str))
    assert conflicts <= _documented_conflicts()
    applicable = result.loc[status != "not_applicable"]
    assert applicable["status"].astype(str).isin(["match", "conflict"]).all()
    assert len(applicable) > 0
    assert bool(result["synthetic"].all())
    return result


@pytest.fixture(scope="module")
def seed0() -> dict[tuple[int, str], SurveyData]:
    return {key: reconstruct(*key) for key in SETS}


# -------------------------------------------------------------------------- reconstruction


@pytest.mark.parametrize("key", SETS, ids=IDS)
def test_published_sizes_items_and_synthetic_flag(
    seed0: dict[tuple[int, str], SurveyData], key: tuple[int, str]
) -> None:
    survey = seed0[key]
    assert survey.n == N[key] == survey.meta.n
    assert set(survey.meta.items) == INSTRUMENT_ITEMS[key]
    assert survey.meta.synthetic is True and survey.synthetic
    assert "reconstruct" in survey.meta.source
    assert SYNTHETIC_NOTICE in repr(survey)
    assert survey.respondents["respondent_id"].is_unique
    assert survey.respondents["ccg_code"].notna().all()


@pytest.mark.parametrize("key", SETS, ids=IDS)
def test_seed0_verifies_against_the_register(
    seed0: dict[tuple[int, str], SurveyData], key: tuple[int, str]
) -> None:
    _assert_verifies(seed0[key])


def test_bases_follow_the_instruments(seed0: dict[tuple[int, str], SurveyData]) -> None:
    survey = seed0[(2017, "gp")]
    frame = survey.respondents
    collaborating = survey.collaborating().to_numpy()
    for item in ("form", "legal_form", "size_band", "age_band", "level"):
        assert frame[item].notna().to_numpy().tolist() == collaborating.tolist()
    ids = set(frame.loc[collaborating, "respondent_id"])
    assert survey.aims is not None
    assert set(survey.aims["respondent_id"]) == ids
    assert survey.aims.groupby("respondent_id").size().max() <= 3
    for item in ("funding", "barriers"):
        assert set(survey.multi[item]["respondent_id"]) <= ids
    partners = frame["role"] == "gp_partner"
    assert (frame["contract_willingness"].notna() == partners).all()
    unwilling = frame.loc[
        frame["contract_willingness"].isin(["very_unwilling", "unwilling"]), "respondent_id"
    ]
    assert set(survey.multi["contract_reasons"]["respondent_id"]) == set(unwilling)


def test_2015_gp_respondents_come_from_184_real_ccgs(
    seed0: dict[tuple[int, str], SurveyData],
) -> None:
    codes = seed0[(2015, "gp")].respondents["ccg_code"]
    assert codes.nunique() == 184
    real = set(gpcollab.load_population(2015, "ccg")["ccg_code"])
    assert set(codes) <= real
    ccg = seed0[(2017, "ccg")].respondents["ccg_code"]
    assert ccg.is_unique  # one response per CCG


def test_fully_achieved_concentrates_in_one_third(
    seed0: dict[tuple[int, str], SurveyData],
) -> None:
    survey = seed0[(2017, "gp")]
    assert survey.aims is not None
    hit = survey.aims.loc[survey.aims["outcome"] == "fully", "respondent_id"].nunique()
    share = 100 * hit / int(survey.collaborating().sum())
    assert 28 <= share <= 38
    too_young = survey.respondents.set_index("respondent_id")["age_band"]
    aims = survey.aims.assign(age=survey.aims["respondent_id"].map(too_young))
    fully = aims[aims["outcome"] == "fully"]
    assert not ((fully["aim"] == "sustainability") & (fully["age"] != "over_2y")).any()


def test_same_seed_is_identical() -> None:
    for key in SETS:
        assert reconstruct(*key, seed=5).equals(reconstruct(*key, seed=5))


def test_unknown_wave_or_instrument_lists_the_available_ones() -> None:
    with pytest.raises(GpcollabError, match=r"Available: \(2015, 'gp'\)"):
        reconstruct(2019, "gp")
    with pytest.raises(GpcollabError, match="ccg"):
        reconstruct(2017, "pcn")
    with pytest.raises(GpcollabError, match="seed"):
        reconstruct(2017, "gp", seed=-1)


@pytest.mark.slow
def test_other_seeds_verify_and_differ(seed0: dict[tuple[int, str], SurveyData]) -> None:
    for key in SETS:
        previous = [seed0[key]]
        for seed in (1, 2, 3):
            survey = reconstruct(*key, seed=seed)
            _assert_verifies(survey)
            assert survey.n == N[key]
            for other in previous:
                assert not survey.respondents.equals(other.respondents)
            previous.append(survey)


# -------------------------------------------------------------------------- bundled sets


@pytest.mark.parametrize("key", SETS, ids=IDS)
def test_bundled_sets_are_the_seed0_output(
    seed0: dict[tuple[int, str], SurveyData], key: tuple[int, str]
) -> None:
    bundled = load_survey(*key)
    built = seed0[key]
    assert bundled.meta.synthetic is True
    assert "gpcollab.reconstruct, seed 0" in bundled.meta.source
    assert SYNTHETIC_NOTICE in repr(bundled)
    assert bundled.meta.items == built.meta.items
    assert bundled.respondents.equals(built.respondents)
    assert bundled.aims is not None and built.aims is not None
    assert bundled.aims.equals(built.aims)
    assert set(bundled.multi) == set(built.multi)
    for item in built.multi:
        assert bundled.multi[item].equals(built.multi[item])
    _assert_verifies(bundled)


def test_load_survey_hands_out_copies_and_checks_its_arguments() -> None:
    first = load_survey(2017, "ccg")
    first.respondents.loc[0, "respondent_id"] = "changed"
    assert load_survey(2017, "ccg").respondents.loc[0, "respondent_id"] != "changed"
    with pytest.raises(GpcollabError, match="Available"):
        load_survey(2016, "gp")


def test_registry_lists_the_sets_and_cards_say_synthetic() -> None:
    listing = list_datasets().set_index("name")
    for key in SETS:
        name = dataset_name(*key)
        assert bool(listing.loc[name, "synthetic"])
        assert listing.loc[name, "kind"] == "survey"
        assert int(listing.loc[name, "rows"]) == N[key]
        card = dataset_card(name)
        assert SYNTHETIC_NOTICE in card
        assert "gpcollab.reconstruct, seed 0" in card


@pytest.mark.parametrize("key", SETS, ids=IDS)
def test_metadata_declares_every_column(key: tuple[int, str]) -> None:
    folder = resources.files("gpcollab.datasets").joinpath("surveys", SURVEY_FOLDERS[key])
    meta = json.loads(folder.joinpath("metadata.json").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert meta["provenance"].startswith("reconstructed from the published findings register")
    assert meta["licence"] and meta["title"]
    assert set(meta["items"]) == INSTRUMENT_ITEMS[key]
    multi = {i for i in meta["items"] if ITEMS[i].kind == "multi"}
    expected = {"respondents"} | multi | ({"aims"} if "aims" in meta["items"] else set())
    assert set(meta["tables"]) == expected
    assert next(iter(meta["tables"])) == "respondents"


def _files(root: Path) -> Iterator[Path]:
    yield from sorted(p for p in root.rglob("*") if p.is_file())


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_surveys", ROOT / "data/make_surveys.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_reproduces_the_bundled_files(tmp_path: Path) -> None:
    bundled = ROOT / "src" / "gpcollab" / "datasets" / "surveys"
    _load_script().make_surveys(tmp_path)
    expected = {p.relative_to(bundled): p for p in _files(bundled)}
    produced = {p.relative_to(tmp_path): p for p in _files(tmp_path)}
    assert set(produced) == {p for p in expected if p.suffix in (".csv", ".json")}
    for rel, path in produced.items():
        got = hashlib.sha256(path.read_bytes()).hexdigest()
        want = hashlib.sha256(expected[rel].read_bytes()).hexdigest()
        assert got == want, f"{rel} differs from the bundled file"
        assert b"\r" not in path.read_bytes()


def test_counts_agree_with_the_registers_assumptions(
    seed0: dict[tuple[int, str], SurveyData],
) -> None:
    # the integer counts R1's assumptions record are the ones the reconstruction derives
    gp17 = seed0[(2017, "gp")].respondents

    def counts(column: pd.Series) -> dict[str, int]:
        return {str(k): int(v) for k, v in column.value_counts().items() if v}

    def nonzero(value: dict[str, int]) -> dict[str, int]:
        return {k: int(v) for k, v in value.items() if v}

    assert counts(gp17["contract_willingness"]) == nonzero(assumption_value("A-19"))
    assert counts(gp17["membership"]) == nonzero(assumption_value("A-18"))
    gp15 = seed0[(2015, "gp")].respondents
    assert counts(gp15["membership"]) == nonzero(assumption_value("A-01"))


def test_the_2015_ccg_card_says_one_register_row_checks_it() -> None:
    register = load_findings()
    rows = register[
        (register["wave"] == 2015)
        & (register["instrument"] == "ccg")
        & (register["status_rule"] == "evaluate")
    ]
    assert rows["finding_id"].tolist() == ["2015-02"]  # the number of CCGs that answered
    card = dataset_card(dataset_name(2015, "ccg"))
    assert "checked by a single register row (2015-02" in card
    assert "checked by a single register row" not in dataset_card(dataset_name(2017, "gp"))
