"""Tests of the bundled population margins and the dataset registry (gpcollab.datasets)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

import gpcollab
from gpcollab.datasets import (
    SYNTHETIC_NOTICE,
    DatasetError,
    dataset_card,
    find_metadata,
    list_datasets,
    load_dataset,
    load_population,
    render_card,
    summarise_in_bands,
)
from gpcollab.errors import ArgumentError, GpcollabError

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data" / "gp_practice_frame"
SCRIPT = REPO / "data" / "derive_population.py"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=(
        "re-derives the bundled population tables from the raw NHS Digital practice files, "
        "which are kept outside the repository (in ../shared/data/gp_practice_frame) and are "
        "not in this checkout; the bundled tables themselves are tested"
    ),
)

# Published / README totals, typed here on purpose as the outside reference.
PRACTICES_2015, PATIENTS_2015 = 7_733, 57_051_119
PRACTICES_2017, PATIENTS_2017 = 7_478, 58_140_688
PCNS_2019 = 1_250

POPULATION_TABLES = [(2015, "region_band"), (2017, "region_band"), (2015, "ccg"), (2017, "ccg")]
POPULATION_TABLES.append((2019, "pcn"))

EXPECTED_DTYPES = {
    "region_band": {
        "region_code": "string",
        "region_name": "string",
        "list_size_band": "category",
        "list_size_min": "int64",
        "list_size_max": "Int64",
        "practices": "int64",
        "registered_patients": "int64",
    },
    "ccg": {
        "ccg_code": "string",
        "region_code": "string",
        "region_name": "string",
        "practices": "int64",
        "registered_patients": "int64",
        "merged_into": "string",
        "formed_from": "string",
    },
    "pcn": {
        "pcn_code": "string",
        "ccg_code": "string",
        "practices": "int64",
        "practices_with_list_size": "int64",
        "registered_patients": "Int64",
        "practices_in_2017_frame": "int64",
        "patients_2017_frame": "int64",
    },
}

# Independent of the script: NHS England local office -> region (2016-17 geography).
OFFICE_REGION = {
    **dict.fromkeys(["Q72", "Q73", "Q74", "Q75", "Q83", "Q84"], "Y54"),
    **dict.fromkeys(["Q76", "Q77", "Q78", "Q79"], "Y55"),
    "Q71": "Y56",
    **dict.fromkeys(["Q70", "Q80", "Q81", "Q82"], "Y57"),
}
BAND_EDGES = (5_000, 10_000, 15_000, 20_000)


# ------------------------------------------------------------------ bundled tables


@pytest.mark.parametrize(("year", "table"), POPULATION_TABLES)
def test_population_tables_have_declared_dtypes(year: int, table: str) -> None:
    frame = load_population(year, table)
    assert {c: str(t) for c, t in frame.dtypes.items()} == EXPECTED_DTYPES[table]
    assert frame.attrs["synthetic"] is False
    assert frame.attrs["licence"] == "Open Government Licence v3.0"
    assert len(frame) > 0


def test_region_band_table_shape_and_band_order() -> None:
    frame = load_population(2015, "region_band")
    assert len(frame) == 4 * 5
    assert sorted(frame["region_code"].unique()) == ["Y54", "Y55", "Y56", "Y57"]
    bands = frame["list_size_band"].cat.categories.tolist()
    assert bands[0] == "under 5,000" and bands[-1] == "20,000 and over"
    assert frame["list_size_band"].cat.ordered


@pytest.mark.parametrize(
    ("year", "practices", "patients"),
    [(2015, PRACTICES_2015, PATIENTS_2015), (2017, PRACTICES_2017, PATIENTS_2017)],
)
def test_bundled_totals_match_published(year: int, practices: int, patients: int) -> None:
    ccg = load_population(year, "ccg")
    for frame in (
        load_population(year, "region_band"),
        ccg.loc[ccg["formed_from"].isna()],  # the frame's own CCGs
        ccg.loc[ccg["merged_into"].isna()],  # the geography after the wave's mergers
    ):
        assert int(frame["practices"].sum()) == practices
        assert int(frame["registered_patients"].sum()) == patients


@pytest.mark.parametrize(
    ("year", "instrument"), [(2015, "gp"), (2015, "ccg"), (2017, "gp"), (2017, "ccg")]
)
def test_every_ccg_code_of_a_bundled_set_is_in_its_population_frame(
    year: int, instrument: str
) -> None:
    used = set(gpcollab.load_survey(year, instrument).respondents["ccg_code"].dropna())
    frame = load_population(year, "ccg")
    assert used, "the bundled set records CCG codes"
    assert used <= set(frame["ccg_code"]), sorted(used - set(frame["ccg_code"]))


def test_manchester_formed_in_april_2017_has_region_and_summed_patients() -> None:
    """14L NHS Manchester (1 April 2017) = Central (00W) + North (01M) + South (01N) Manchester.

    Expected values: the predecessors' rows of the same table (2016-17 payments file) and the
    North of England region, where Manchester lies.
    """
    frame = load_population(2017, "ccg").set_index("ccg_code")
    predecessors = ["00W", "01M", "01N"]
    row = frame.loc["14L"]
    assert row["region_code"] == "Y54" and row["region_name"] == "North of England"
    assert row["formed_from"] == "00W;01M;01N" and pd.isna(row["merged_into"])
    assert row["practices"] == frame.loc[predecessors, "practices"].sum() == 30 + 36 + 24
    assert row["registered_patients"] == frame.loc[predecessors, "registered_patients"].sum()
    assert (frame.loc[predecessors, "merged_into"] == "14L").all()
    # every other row is a CCG of the frame: 209 of 2016-17, 207 after the April 2017 merger
    assert int(frame["formed_from"].isna().sum()) == 209
    assert int(frame["merged_into"].isna().sum()) == 207
    assert load_population(2015, "ccg")[["merged_into", "formed_from"]].isna().all().all()
    # the mergers match the package's own record of them
    successors = gpcollab.vocab.CCG_SUCCESSORS[2017]
    assert {old: new for old, new in frame["merged_into"].dropna().items()} == successors


def test_pcn_table_has_every_pcn() -> None:
    pcn = load_population(2019, "pcn")
    assert len(pcn) == PCNS_2019
    assert pcn["pcn_code"].is_unique
    assert (pcn["practices_with_list_size"] <= pcn["practices"]).all()
    assert (pcn["practices_in_2017_frame"] <= pcn["practices"]).all()


def test_public_api_exports() -> None:
    for name in ("load_population", "list_datasets", "dataset_card"):
        assert name in gpcollab.__all__
        assert getattr(gpcollab, name) is getattr(gpcollab.datasets, name)


# ------------------------------------------------------------------ registry and cards


def test_list_datasets_columns_and_population_rows() -> None:
    listing = list_datasets()
    assert list(listing.columns) == ["name", "kind", "title", "synthetic", "rows", "tables"]
    assert listing["synthetic"].dtype == bool
    assert listing["rows"].dtype == "int64"
    assert listing["name"].is_unique
    population = listing[listing["kind"] == "population"].set_index("name")
    assert population.loc["population_pcn_2019", "rows"] == PCNS_2019
    assert not population["synthetic"].any()


def _csv_shape(entry_name: str, table: str) -> tuple[int, int]:
    """Rows and columns of a bundled CSV counted with the stdlib (not with pandas)."""
    entry = find_metadata()[entry_name]
    data = entry.folder.joinpath(entry.meta["tables"][table]["file"]).read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    return len(rows) - 1, len(rows[0])


@pytest.mark.parametrize("name", list_datasets()["name"].tolist())
def test_every_card_states_counts_equal_to_the_data(name: str) -> None:
    card = dataset_card(name)
    entry = find_metadata()[name]
    assert card.startswith(f"# {entry.meta['title']}\n")
    for table in entry.table_names:
        n_rows, n_cols = _csv_shape(name, table)
        assert f"`{table}`: {n_rows:,} rows × {n_cols} columns" in card
        assert f"## Table `{table}`" in card
        for column in entry.meta["tables"][table]["columns"]:
            assert f"| `{column}` |" in card
    if entry.synthetic:
        assert SYNTHETIC_NOTICE in card.split("\n## ")[0]
        assert "**Synthetic:** yes" in card
    else:
        assert SYNTHETIC_NOTICE not in card
        assert "**Synthetic:** no" in card
    assert "**Licence:**" in card


def test_population_cards_cite_ogl_and_nhs_digital() -> None:
    for name in list_datasets().query("kind == 'population'")["name"]:
        card = dataset_card(name)
        assert "Open Government Licence v3.0" in card
        assert "Contains information from NHS Digital" in card


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: load_population(2016, "ccg"), r"year 2016.*2015: ccg, region_band"),
        (lambda: load_population(2019, "ccg"), r"No population table 'ccg' for year 2019"),
        (lambda: load_population(2015, "pcns"), r"2019: pcn"),
        (lambda: load_population("2015", "ccg"), r"year '2015'"),  # type: ignore[arg-type]
        (lambda: dataset_card("penguins"), r"Available datasets: .*population_ccg_2015"),
        (lambda: load_dataset("population_ccg_2015", "pcn"), r"Available tables: ccg"),
    ],
)
def test_bad_names_give_clear_errors(call: object, pattern: str) -> None:
    with pytest.raises(DatasetError, match=pattern) as info:
        call()  # type: ignore[operator]
    assert isinstance(info.value, GpcollabError)


def _write_set(folder: Path, meta: dict[str, object], tables: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for file, text in tables.items():
        (folder / file).write_text(text, encoding="utf-8")


def _synthetic_meta(name: str) -> dict[str, object]:
    return {
        "name": name,
        "title": "GP survey 2015 (reconstructed)",
        "synthetic": True,
        "wave": 2015,
        "tables": {
            "respondents": {
                "file": "respondents.csv",
                "columns": {
                    "respondent_id": {"dtype": "int64", "description": "Respondent"},
                    "size_band": {
                        "dtype": "category",
                        "description": "Collaboration size",
                        "categories": ["small", "large"],
                        "ordered": True,
                    },
                },
            },
            "aims": {
                "file": "aims.csv",
                "columns": {
                    "respondent_id": {"dtype": "int64", "description": "Respondent"},
                    "aim": {"dtype": "string", "description": "Aim"},
                    "member": {"dtype": "bool", "description": "In a collaboration"},
                },
            },
        },
    }


def test_registry_discovers_a_later_survey_folder(tmp_path: Path) -> None:
    _write_set(
        tmp_path / "surveys" / "gp_2015",
        _synthetic_meta("survey_gp_2015"),
        {
            "respondents.csv": "respondent_id,size_band\n1,small\n2,large\n3,small\n",
            "aims.csv": "respondent_id,aim,member\n1,access,True\n2,NA,False\n",
        },
    )
    (tmp_path / "surveys" / "codebook.json").write_text('{"questions": []}', encoding="utf-8")
    registry = find_metadata(tmp_path)
    assert list(registry) == ["survey_gp_2015"]
    entry = registry["survey_gp_2015"]
    assert entry.kind == "surveys"  # defaults to the top folder name
    assert entry.meta["wave"] == 2015
    tables = entry.read_tables()
    assert tables["respondents"]["size_band"].cat.ordered
    assert tables["aims"]["member"].dtype == bool
    assert tables["aims"]["aim"].iloc[1] == "NA"  # the text NA is not a missing value
    card = render_card(entry.meta, tables)
    assert card.splitlines()[2] == f"> **{SYNTHETIC_NOTICE}.**"
    assert "`respondents`: 3 rows × 2 columns; `aims`: 2 rows × 3 columns" in card


def test_registry_reports_malformed_metadata(tmp_path: Path) -> None:
    meta = _synthetic_meta("broken")
    del meta["synthetic"]
    _write_set(tmp_path / "surveys" / "broken", meta, {"respondents.csv": "", "aims.csv": ""})
    with pytest.raises(DatasetError, match=r"surveys/broken/meta.json: missing key\(s\) synthetic"):
        find_metadata(tmp_path)


def test_read_rejects_values_outside_categories(tmp_path: Path) -> None:
    _write_set(
        tmp_path / "surveys" / "gp",
        _synthetic_meta("gp"),
        {"respondents.csv": "respondent_id,size_band\n1,huge\n", "aims.csv": "respondent_id\n"},
    )
    entry = find_metadata(tmp_path)["gp"]
    with pytest.raises(DatasetError, match=r"row 2, column 'size_band': 'huge' is not one of"):
        entry.read_table("respondents")
    with pytest.raises(DatasetError, match="differs from the declared columns"):
        entry.read_table("aims")


# ------------------------------------------------------------------ banding


def test_summarise_in_bands_keeps_every_row() -> None:
    pcn = load_population(2019, "pcn")
    bands = summarise_in_bands(pcn, [30_000, 50_000])
    assert bands["band"].tolist() == ["under 30,000", "30,000-49,999", "50,000 and over"]
    assert int(bands["units"].sum()) == PCNS_2019
    assert int(bands["practices"].sum()) == int(pcn["practices"].sum())
    assert int(bands["registered_patients"].sum()) == int(pcn["registered_patients"].sum())
    with_gap = pcn.assign(registered_patients=pcn["registered_patients"].mask(pcn.index < 3))
    gap = summarise_in_bands(with_gap, [30_000, 50_000]).set_index("band")
    assert gap.loc["no figure", "units"] == 3
    assert int(gap["units"].sum()) == PCNS_2019


def test_summarise_in_bands_edge_goes_up_and_errors() -> None:
    data = pd.DataFrame({"registered_patients": [99, 100, 101]})
    bands = summarise_in_bands(data, [100])
    assert bands["units"].tolist() == [1, 2]
    with pytest.raises(ArgumentError, match="`column`"):
        summarise_in_bands(data, [100], column="patients")
    with pytest.raises(ArgumentError, match="increasing"):
        summarise_in_bands(data, [200, 100])


# ------------------------------------------------------------------ re-derivation


def _bundled_files() -> dict[str, bytes]:
    folder = resources.files("gpcollab.datasets").joinpath("population")
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.name.endswith((".csv", ".json"))}


@pytest.fixture(scope="module")
def rederived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("population")
    subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(SHARED), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out


@needs_shared
@pytest.mark.needs_shared
def test_rederived_tables_are_byte_identical(rederived: Path) -> None:
    bundled = _bundled_files()
    fresh = {p.name: p.read_bytes() for p in rederived.iterdir()}
    assert sorted(fresh) == sorted(bundled)
    for name, data in bundled.items():
        assert fresh[name] == data, name
    assert sum(len(d) for d in bundled.values()) < 200_000


def _raw_rows(name: str) -> list[dict[str, str]]:
    text = (SHARED / name).read_bytes().decode("latin-1")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _raw_frame(year: int) -> list[tuple[str, str, str, int]]:
    """(practice, CCG, local office, patients) of a frame, straight from the payments file."""
    if year == 2015:
        rows, office, patients = (
            _raw_rows("nhspaymentsgp-15-16-csv.csv"),
            "NHSEnglandRegionCode",
            "NumberOfRegisteredPatientsLastKnownFigure",
        )
        quarter = "Q2"
    else:
        rows, office, patients = (
            _raw_rows("nhspaymentsgp-16-17-csv.csv"),
            "NHSEnglandRegionLocalOfficeCode",
            "NumberofRegisteredPatientsLastKnownFigure",
        )
        quarter = "Q4"
    out = []
    for row in rows:
        if row["QuarterUsedForPatientData"] != quarter:
            continue
        count = int(row[patients].replace(",", "").strip() or 0)
        if count > 0:
            out.append((row["PracticeCode"], row["CCGCode"], row[office], count))
    return out


@needs_shared
@pytest.mark.needs_shared
@pytest.mark.parametrize(
    ("year", "practices", "patients"),
    [(2015, PRACTICES_2015, PATIENTS_2015), (2017, PRACTICES_2017, PATIENTS_2017)],
)
def test_rederived_frames_match_independent_totals(
    rederived: Path, year: int, practices: int, patients: int
) -> None:
    raw = _raw_frame(year)
    # the independent stdlib computation reproduces the published figures ...
    assert len(raw) == practices
    assert len({code for code, *_ in raw}) == practices
    assert sum(n for *_, n in raw) == patients
    # ... and the derived tables agree with it cell by cell
    cells: Counter[tuple[str, int]] = Counter()
    cell_patients: Counter[tuple[str, int]] = Counter()
    ccgs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, ccg, office, n in raw:
        band = sum(n >= edge for edge in BAND_EDGES)
        cells[(OFFICE_REGION[office], band)] += 1
        cell_patients[(OFFICE_REGION[office], band)] += n
        ccgs[ccg][0] += 1
        ccgs[ccg][1] += n
    with (rederived / f"region_band_{year}.csv").open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert sum(int(r["practices"]) for r in table) == practices
    assert sum(int(r["registered_patients"]) for r in table) == patients
    for r in table:
        key = (r["region_code"], sum(int(r["list_size_min"]) >= e for e in BAND_EDGES))
        assert int(r["practices"]) == cells[key], key
        assert int(r["registered_patients"]) == cell_patients[key], key
    with (rederived / f"ccg_{year}.csv").open(newline="") as handle:
        ccg_rows = {
            r["ccg_code"]: [int(r["practices"]), int(r["registered_patients"])]
            for r in csv.DictReader(handle)
            if not r["formed_from"]
        }
    assert ccg_rows == dict(ccgs)
    if year == 2017:  # 14L, formed on 1 April 2017: the payments-file sums of its three CCGs
        manchester = [sum(ccgs[c][i] for c in ("00W", "01M", "01N")) for i in (0, 1)]
        with (rederived / "ccg_2017.csv").open(newline="") as handle:
            formed = {r["ccg_code"]: r for r in csv.DictReader(handle) if r["formed_from"]}
        assert list(formed) == ["14L"]
        assert [int(formed["14L"][k]) for k in ("practices", "registered_patients")] == manchester


@needs_shared
@pytest.mark.needs_shared
def test_rederived_pcns_match_independent_count(rederived: Path) -> None:
    details = _raw_rows("epcn_2019-12_pcn_details.csv")
    members = _raw_rows("epcn_2019-12_pcn_core_partner_details.csv")
    codes = {r["PCN Code"] for r in details}
    assert len(codes) == PCNS_2019 == 1_250
    member_count = Counter(r["PCN Code"] for r in members)
    averages = {
        r["practice_code"]: r["patients_avg_2018_19"]
        for r in _raw_rows("gp_practice_frame_england_2015_2017.csv")
    }
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for r in members:
        value = averages.get(r["Partner Organisation Code"], "")
        if value:
            sums[r["PCN Code"]] += Decimal(value)
    with (rederived / "pcn_2019.csv").open(newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == PCNS_2019
    assert {r["pcn_code"] for r in table} == codes
    for r in table:
        assert int(r["practices"]) == member_count[r["pcn_code"]]
        expected = sums[r["pcn_code"]].quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert int(r["registered_patients"]) == int(expected)
    assert sum(int(r["practices"]) for r in table) == len(members)
