"""Derive the bundled population margins of English GP practices from NHS Digital files.

Reads the practice-level files in ``../shared/data/gp_practice_frame/`` (never committed) and
writes small aggregate tables, each a CSV plus a metadata JSON, into
``src/gpcollab/datasets/population/``. The output is deterministic: rows are sorted on their
keys, every number is a whole count, and JSON is written with a fixed layout, so running the
script again reproduces the files byte for byte.

Usage::

    python data/derive_population.py [--source DIR] [--out DIR]

``--source`` defaults to ``$GPCOLLAB_FRAME_DIR`` if set, else
``../shared/data/gp_practice_frame`` relative to the repository root. ``--out`` defaults to
``src/gpcollab/datasets/population`` in the repository.

Frame definitions
-----------------
2015 frame
    Practices in *NHS Payments to General Practice, England 2015/16* whose registered-patient
    figure was taken at quarter 2 of 2015-16 (``QuarterUsedForPatientData == "Q2"``) and is
    positive; patients are ``NumberOfRegisteredPatientsLastKnownFigure``. In the joined frame
    file these are the rows with ``in_frame_2015 == 1``, patients in ``patients_2015_16``.
    Practices that closed before the quarter-2 count (their figure comes from Q1) are left out.
    Result: 7,733 practices, 57,051,119 registered patients.
2017 frame
    Practices in *NHS Payments to General Practice, England 2016/17* whose figure was taken at
    quarter 4 of 2016-17 and is positive (``in_frame_2017 == 1``, patients in
    ``patients_2016_17``). Result: 7,478 practices, 58,140,688 registered patients.
CCGs formed by mergers within the wave
    The CCG table of a wave also has a row for each CCG formed by a merger at the start of the
    wave's year, which the wave's respondents name: 14L (NHS Manchester, April 2017, from 00W,
    01M and 01N), found by comparing the 2016-17 payments-file CCGs with QOF 2016-17's April
    2017 geography. Its region and summed practices and patients come from its predecessors,
    which keep their rows (``merged_into``); the new row lists them in ``formed_from``.
PCNs, December 2019
    Every PCN in the ODS ePCN "PCN Details" sheet (1,250), with member practices from the
    "PCN Core Partner Details" sheet.

Regions are the four NHS England regions of the 2016-17 geography (Y54-Y57). The payments files
give each practice's NHS England local office (Q70-Q84); the local office -> region map is read
from QOF 2016-17 ``ORGANISATION_REFERENCE_1617.csv`` (``SUBREGION_CODE`` -> ``REGION_CODE``,
London's Q71a/b/c folded into Q71) plus one explicit entry: Q73 (Lancashire and Greater
Manchester, abolished in 2016 when it was split into Q83 and Q84, both in Y54) -> Y54. The map is
cross-checked against the region word in the payments files' local-office names.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "data" / "gp_practice_frame"
DEFAULT_OUT = REPO_ROOT / "src" / "gpcollab" / "datasets" / "population"
SOURCE_ENV = "GPCOLLAB_FRAME_DIR"

FRAME_FILE = "gp_practice_frame_england_2015_2017.csv"
PAYMENTS_1516 = "nhspaymentsgp-15-16-csv.csv"
PAYMENTS_1617 = "nhspaymentsgp-16-17-csv.csv"
QOF_ORG = "ORGANISATION_REFERENCE_1617.csv"
EPCN_MEMBERS = "epcn_2019-12_pcn_core_partner_details.csv"
EPCN_DETAILS = "epcn_2019-12_pcn_details.csv"

LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ATTRIBUTION = (
    "Contains information from NHS Digital, licensed under the current version of the "
    "Open Government Licence (v3.0)."
)

REGIONS: dict[str, str] = {
    "Y54": "North of England",
    "Y55": "Midlands and East of England",
    "Y56": "London",
    "Y57": "South of England",
}
# Local office that no longer existed in the QOF 2016-17 geography: Q73 "NHS England North
# (Lancashire and Greater Manchester)" was split into Q83 and Q84, both in the North (Y54).
EXTRA_LOCAL_OFFICES: dict[str, str] = {"Q73": "Y54"}
# Region word in the payments files' local-office names -> region code (cross-check only).
NAME_PREFIX_REGION: dict[str, str] = {
    "NHS ENGLAND NORTH": "Y54",
    "NHS ENGLAND MIDLANDS AND EAST": "Y55",
    "NHS ENGLAND LONDON": "Y56",
    "NHS ENGLAND SOUTH": "Y57",
}

# Practice list-size bands: (label, lowest list size, highest list size or None).
LIST_SIZE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under 5,000", 0, 4_999),
    ("5,000-9,999", 5_000, 9_999),
    ("10,000-14,999", 10_000, 14_999),
    ("15,000-19,999", 15_000, 19_999),
    ("20,000 and over", 20_000, None),
)

SOURCES: dict[str, dict[str, str]] = {
    PAYMENTS_1516: {
        "title": "NHS Payments to General Practice, England 2015/16 (practice-level CSV)",
        "publisher": "NHS Digital",
        "url": "https://digital.nhs.uk/data-and-information/publications/statistical/"
        "nhs-payments-to-general-practice",
        "obtained_from": "GitHub joonalillfors/machine-learning-for-health-care-risk-adjustment, "
        "nhs-data/nhspaymentsgp-15-16-csv.csv, commit 26ecfc9b7187e611e33a02f7945f9606296555ac, "
        "git blob 917d5100dbc197eebe8281fc68d6abecc30b75da",
    },
    PAYMENTS_1617: {
        "title": "NHS Payments to General Practice, England 2016/17 (practice-level CSV)",
        "publisher": "NHS Digital",
        "url": "https://digital.nhs.uk/data-and-information/publications/statistical/"
        "nhs-payments-to-general-practice",
        "obtained_from": "GitHub joonalillfors/machine-learning-for-health-care-risk-adjustment, "
        "nhs-data/nhspaymentsgp-16-17-csv.csv, commit 26ecfc9b7187e611e33a02f7945f9606296555ac, "
        "git blob 38c3fd3793af0222d567ae86b1997c39d550b1db",
    },
    "nhspaymentsgp-18-19-csv.csv": {
        "title": "NHS Payments to General Practice, England 2018/19 (practice-level CSV)",
        "publisher": "NHS Digital",
        "url": "https://digital.nhs.uk/data-and-information/publications/statistical/"
        "nhs-payments-to-general-practice",
        "obtained_from": "GitHub joonalillfors/machine-learning-for-health-care-risk-adjustment, "
        "nhs-data/nhspaymentsgp-18-19-csv.csv, commit 26ecfc9b7187e611e33a02f7945f9606296555ac, "
        "git blob 2e170f0cde7598b4b5862369be301ba8b46a354f (used through the joined frame file)",
    },
    QOF_ORG: {
        "title": "Quality and Outcomes Framework 2016-17, organisation reference (raw data CSV)",
        "publisher": "NHS Digital",
        "url": "https://digital.nhs.uk/data-and-information/publications/statistical/"
        "quality-and-outcomes-framework-achievement-prevalence-and-exceptions-data",
        "obtained_from": "GitHub datascience2021-web/hyp, ORGANISATION_REFERENCE_1617.csv, "
        "commit 3156732ff92f5d5a29aca178d917eb881f9b7396, "
        "git blob 5ae1584dea03e8e5d7496b1b6ffdfb08968be5c1",
    },
    EPCN_MEMBERS: {
        "title": "ODS ePCN workbook, sheet 'PCN Core Partner Details' (December 2019)",
        "publisher": "NHS Digital (Organisation Data Service)",
        "url": "https://digital.nhs.uk/services/organisation-data-service/"
        "export-data-files/csv-downloads/gp-and-gp-practice-related-data",
        "obtained_from": "GitHub psychty/Population-pyramids, ePCN.xlsx, "
        "commit 215be05739b7fc3a6021340cc2e0c2c2a684e23f, "
        "git blob 33510713da624722011873cdb20ee7658320b1de; sheet exported to CSV",
    },
    EPCN_DETAILS: {
        "title": "ODS ePCN workbook, sheet 'PCN Details' (December 2019)",
        "publisher": "NHS Digital (Organisation Data Service)",
        "url": "https://digital.nhs.uk/services/organisation-data-service/"
        "export-data-files/csv-downloads/gp-and-gp-practice-related-data",
        "obtained_from": "GitHub psychty/Population-pyramids, ePCN.xlsx, "
        "commit 215be05739b7fc3a6021340cc2e0c2c2a684e23f, "
        "git blob 33510713da624722011873cdb20ee7658320b1de; sheet exported to CSV",
    },
    FRAME_FILE: {
        "title": "GP practice frame, England 2015-2017 (derived: one row per practice code)",
        "publisher": "gpcollab shared data folder, joining the NHS Digital files above",
        "url": "",
        "obtained_from": "../shared/data/gp_practice_frame/gp_practice_frame_england_2015_2017.csv "
        "(exact join on practice code, no imputation; see the README in that folder)",
    },
}

FRAME_DEFINITION = {
    2015: (
        "2015 frame: practices in NHS Payments to General Practice 2015/16 whose registered-"
        "patient figure was taken at quarter 2 of 2015-16 and is above zero (joined-frame flag "
        "in_frame_2015 = 1); patients = NumberOfRegisteredPatientsLastKnownFigure "
        "(patients_2015_16). The exact date of the quarter-2 count is not stated in the file."
    ),
    2017: (
        "2017 frame: practices in NHS Payments to General Practice 2016/17 whose registered-"
        "patient figure was taken at quarter 4 of 2016-17 and is above zero (joined-frame flag "
        "in_frame_2017 = 1); patients = NumberofRegisteredPatientsLastKnownFigure "
        "(patients_2016_17). The exact date of the quarter-4 count is not stated in the file."
    ),
}

REGION_MAPPING_NOTE = (
    "Region = NHS England region (2016-17 geography) of the practice's NHS England local office "
    "in that year's payments file. Local office -> region comes from QOF 2016-17 "
    "ORGANISATION_REFERENCE_1617.csv (SUBREGION_CODE -> REGION_CODE, with London's Q71a/Q71b/Q71c "
    "read as Q71), plus Q73 (Lancashire and Greater Manchester, split into Q83 and Q84 in 2016) "
    "-> Y54 North of England."
)

MERGER_NOTE = {
    2015: "No CCG was formed by a merger in the wave's year, so merged_into and formed_from "
    "are empty.",
    2017: "CCGs formed by a merger at the start of the wave's year (14L NHS Manchester, 1 April "
    "2017, from 00W, 01M and 01N) have a row of their own too, with their region and the summed "
    "practices and patients of the CCGs they were formed from (formed_from); those CCGs keep "
    "their rows and name the new code in merged_into. A 2017 survey that records 14L joins on "
    "ccg_code. Totals: sum the rows whose formed_from is empty (2016-17 geography, 209 CCGs), or "
    "those whose merged_into is empty (April 2017 geography, 207 CCGs); summing every row "
    "counts Manchester twice.",
}
MERGER_DERIVATION = {
    2015: "",
    2017: "Mergers: a CCG code of April 2017 (QOF 2016-17 organisation reference, "
    "qof_ccg_code_apr2017 in the joined frame file) that is not a 2016-17 payments-file CCG; "
    "its predecessors are the payments-file CCGs of the frame practices QOF places in it, each "
    "of which must lie wholly in it (checked).",
}

BAND_NOTE = (
    "List-size bands on the practice's registered patients: under 5,000; 5,000-9,999; "
    "10,000-14,999; 15,000-19,999; 20,000 and over."
)


class DerivationError(RuntimeError):
    """The source files do not look as this script expects."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise DerivationError(message)


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read a CSV file into a list of dicts (all values strings).

    NHS Digital's payments files have Latin-1 pound signs in their headers, so files that are
    not valid UTF-8 are read as Latin-1.
    """
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def local_office_regions(source: Path) -> dict[str, str]:
    """Map NHS England local-office codes (Q70-Q84) to region codes (Y54-Y57)."""
    mapping: dict[str, str] = {}
    for row in read_rows(source / QOF_ORG):
        office = row["SUBREGION_CODE"][:3]  # Q71a/Q71b/Q71c -> Q71 (London)
        region = row["REGION_CODE"]
        _check(region in REGIONS, f"{QOF_ORG}: unknown REGION_CODE {region!r}")
        previous = mapping.setdefault(office, region)
        _check(previous == region, f"{QOF_ORG}: local office {office} in two regions")
    for office, region in EXTRA_LOCAL_OFFICES.items():
        _check(office not in mapping, f"{office} is already in {QOF_ORG}; drop the extra entry")
        mapping[office] = region
    # Cross-check with the region word in the payments files' local-office names.
    for name, code_col, name_col in (
        (PAYMENTS_1516, "NHSEnglandRegionCode", "NHSEnglandRegionName"),
        (PAYMENTS_1617, "NHSEnglandRegionLocalOfficeCode", "NHSEnglandRegionLocalOfficeName"),
    ):
        path = source / name
        if not path.exists():
            continue
        for row in read_rows(path):
            office, office_name = row[code_col], row[name_col].upper()
            _check(office in mapping, f"{name}: local office {office!r} has no region")
            expected = [r for p, r in NAME_PREFIX_REGION.items() if office_name.startswith(p)]
            _check(
                expected == [mapping[office]],
                f"{name}: local office {office} ({office_name}) maps to {mapping[office]}",
            )
    return dict(sorted(mapping.items()))


def band_of(patients: int) -> int:
    """Index into LIST_SIZE_BANDS of a practice list size."""
    for i, (_, low, high) in enumerate(LIST_SIZE_BANDS):
        if patients >= low and (high is None or patients <= high):
            return i
    raise DerivationError(f"list size {patients} falls in no band")


def frame_practices(source: Path, year: int, regions: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rows of one frame: practice code, CCG, local office, region, registered patients."""
    suffix = {2015: "2015_16", 2017: "2016_17"}[year]
    quarter = {2015: "Q2", 2017: "Q4"}[year]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in read_rows(source / FRAME_FILE):
        flag = row[f"in_frame_{year}"]
        patients_text = row[f"patients_{suffix}"]
        by_rule = (
            row[f"patients_quarter_{suffix}"] == quarter
            and patients_text != ""
            and int(patients_text) > 0
        )
        _check(
            (flag == "1") == by_rule,
            f"{FRAME_FILE}: practice {row['practice_code']} has in_frame_{year}={flag!r} "
            f"but quarter/patients say {by_rule}",
        )
        if flag != "1":
            continue
        code = row["practice_code"]
        _check(code not in seen, f"{FRAME_FILE}: practice {code} appears twice")
        seen.add(code)
        office = row[f"nhse_local_office_code_{suffix}"]
        _check(office in regions, f"{FRAME_FILE}: practice {code} local office {office!r}")
        ccg = row[f"ccg_code_{suffix}"]
        _check(ccg != "", f"{FRAME_FILE}: practice {code} has no CCG in {suffix}")
        out.append(
            {
                "practice_code": code,
                "ccg_code": ccg,
                "region_code": regions[office],
                "patients": int(patients_text),
            }
        )
    return out


def region_band_table(practices: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Practices and patients by region x list-size band, every cell present (zeros kept)."""
    cells = {(r, b): [0, 0] for r in REGIONS for b in range(len(LIST_SIZE_BANDS))}
    for p in practices:
        cell = cells[(p["region_code"], band_of(p["patients"]))]
        cell[0] += 1
        cell[1] += p["patients"]
    rows = []
    for (region, b), (n, patients) in sorted(cells.items()):
        label, low, high = LIST_SIZE_BANDS[b]
        rows.append(
            {
                "region_code": region,
                "region_name": REGIONS[region],
                "list_size_band": label,
                "list_size_min": low,
                "list_size_max": "" if high is None else high,
                "practices": n,
                "registered_patients": patients,
            }
        )
    return rows


def ccg_table(
    practices: Sequence[Mapping[str, Any]], mergers: Mapping[str, Sequence[str]] | None = None
) -> list[dict[str, Any]]:
    """One row per CCG: region, practices, patients; then the CCGs formed by ``mergers``.

    ``mergers`` maps the code of a CCG formed during the wave's year to the codes it was formed
    from (see :func:`ccg_mergers`). The predecessors keep their rows (``merged_into`` names the
    new code); the new CCG gets a row of its own (``formed_from`` lists the predecessors) with
    their region and summed practices and patients, so a survey that records the new code can
    be joined to the table. Summing a column over every row counts those patients twice: sum
    the rows whose ``formed_from`` is empty for the frame's own geography.
    """
    mergers = mergers or {}
    successor = {old: new for new, olds in mergers.items() for old in olds}
    groups: dict[str, dict[str, Any]] = {}
    for p in practices:
        g = groups.setdefault(
            p["ccg_code"], {"regions": set(), "practices": 0, "registered_patients": 0}
        )
        g["regions"].add(p["region_code"])
        g["practices"] += 1
        g["registered_patients"] += p["patients"]
    rows = []
    for code in sorted(groups):
        g = groups[code]
        _check(len(g["regions"]) == 1, f"CCG {code} has practices in regions {g['regions']}")
        (region,) = g["regions"]
        rows.append(
            {
                "ccg_code": code,
                "region_code": region,
                "region_name": REGIONS[region],
                "practices": g["practices"],
                "registered_patients": g["registered_patients"],
                "merged_into": successor.get(code, ""),
                "formed_from": "",
            }
        )
    for new in sorted(mergers):
        olds = sorted(mergers[new])
        _check(new not in groups, f"CCG {new} is formed by a merger but already in the frame")
        _check(all(o in groups for o in olds), f"CCG {new}: a predecessor is not in the frame")
        regions = set().union(*(groups[o]["regions"] for o in olds))
        _check(len(regions) == 1, f"CCG {new} is formed from CCGs in regions {regions}")
        (region,) = regions
        rows.append(
            {
                "ccg_code": new,
                "region_code": region,
                "region_name": REGIONS[region],
                "practices": sum(groups[o]["practices"] for o in olds),
                "registered_patients": sum(groups[o]["registered_patients"] for o in olds),
                "merged_into": "",
                "formed_from": ";".join(olds),
            }
        )
    return sorted(rows, key=lambda row: str(row["ccg_code"]))


def ccg_mergers(source: Path, year: int) -> dict[str, list[str]]:
    """CCGs formed by mergers at the start of the wave's year: new code -> predecessor codes.

    Only the 2017 wave has a later geography to compare with: QOF 2016-17
    (``qof_ccg_code_apr2017`` in the joined frame file, the CCGs of April 2017). A CCG code of
    April 2017 that is not a 2016-17 payments-file CCG was formed by a merger; its predecessors
    are the payments-file CCGs of the frame practices that QOF places in it, and each
    predecessor must map wholly to it (every one of its practices that QOF lists is in the new
    CCG). Practices absent from QOF (e.g. most of Dudley, 05C) are left out of the comparison.
    """
    if year != 2017:
        return {}
    old_of_new: dict[str, set[str]] = {}
    new_of_old: dict[str, set[str]] = {}
    old_codes: set[str] = set()
    for row in read_rows(source / FRAME_FILE):
        if row["in_frame_2017"] != "1":
            continue
        old, new = row["ccg_code_2016_17"], row["qof_ccg_code_apr2017"]
        old_codes.add(old)
        if new:
            old_of_new.setdefault(new, set()).add(old)
            new_of_old.setdefault(old, set()).add(new)
    mergers: dict[str, list[str]] = {}
    for new in sorted(set(old_of_new) - old_codes):
        olds = sorted(old_of_new[new])
        for old in olds:
            _check(
                new_of_old[old] == {new},
                f"{FRAME_FILE}: CCG {old} is split between {sorted(new_of_old[old])} in April 2017",
            )
        mergers[new] = olds
    return mergers


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pcn_table(source: Path) -> list[dict[str, Any]]:
    """One row per PCN in ePCN December 2019 (all of them, none dropped)."""
    details = read_rows(source / EPCN_DETAILS)
    members = read_rows(source / EPCN_MEMBERS)
    frame = {row["practice_code"]: row for row in read_rows(source / FRAME_FILE)}
    pcns: dict[str, dict[str, Any]] = {}
    for row in details:
        code = row["PCN Code"]
        _check(code not in pcns, f"{EPCN_DETAILS}: PCN {code} appears twice")
        pcns[code] = {
            "pcn_code": code,
            "ccg_code": row["Current Clinical Commissioning Group Code"],
            "practices": 0,
            "practices_with_list_size": 0,
            "_patients": Decimal(0),
            "practices_in_2017_frame": 0,
            "patients_2017_frame": 0,
        }
    seen: set[str] = set()
    for row in members:
        practice, pcn = row["Partner Organisation Code"], row["PCN Code"]
        _check(pcn in pcns, f"{EPCN_MEMBERS}: practice {practice} in unknown PCN {pcn}")
        _check(practice not in seen, f"{EPCN_MEMBERS}: practice {practice} in two PCNs")
        seen.add(practice)
        entry = pcns[pcn]
        entry["practices"] += 1
        known = frame.get(practice)
        if known is None:
            continue
        if known["patients_avg_2018_19"] != "":
            entry["practices_with_list_size"] += 1
            entry["_patients"] += Decimal(known["patients_avg_2018_19"])
        if known["in_frame_2017"] == "1":
            entry["practices_in_2017_frame"] += 1
            entry["patients_2017_frame"] += int(known["patients_2016_17"])
    rows = []
    for code in sorted(pcns):
        entry = pcns[code]
        patients = entry.pop("_patients")
        # A PCN none of whose members has a 2018-19 figure keeps its row, with an empty count.
        entry["registered_patients"] = (
            _round_half_up(patients) if entry["practices_with_list_size"] else ""
        )
        rows.append(
            {
                k: entry[k]
                for k in (
                    "pcn_code",
                    "ccg_code",
                    "practices",
                    "practices_with_list_size",
                    "registered_patients",
                    "practices_in_2017_frame",
                    "patients_2017_frame",
                )
            }
        )
    return rows


# ---------------------------------------------------------------------------- metadata


def _col(dtype: str, description: str, unit: str | None = None, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"dtype": dtype, "description": description}
    if unit is not None:
        spec["unit"] = unit
    spec.update(extra)
    return spec


def _sources(names: Sequence[str]) -> list[dict[str, str]]:
    return [{"file": name, **SOURCES[name]} for name in names]


def region_band_meta(year: int) -> dict[str, Any]:
    payments = PAYMENTS_1516 if year == 2015 else PAYMENTS_1617
    band_labels = [label for label, _, _ in LIST_SIZE_BANDS]
    return {
        "name": f"population_region_band_{year}",
        "kind": "population",
        "year": year,
        "table": "region_band",
        "title": f"English GP practices and registered patients by NHS England region and "
        f"list-size band, {year} frame",
        "description": "Count of practices and their registered patients in each NHS England "
        "region (2016-17 geography) and practice list-size band. All 20 region x band cells "
        "are present; empty cells hold zeros.",
        "synthetic": False,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": ATTRIBUTION,
        "provenance": _sources([payments, QOF_ORG, FRAME_FILE]),
        "derivation": " ".join(
            [
                FRAME_DEFINITION[year],
                REGION_MAPPING_NOTE,
                BAND_NOTE,
                "Script: data/derive_population.py.",
            ]
        ),
        "tables": {
            "region_band": {
                "file": f"region_band_{year}.csv",
                "columns": {
                    "region_code": _col("string", "NHS England region code (Y54-Y57)"),
                    "region_name": _col("string", "NHS England region name"),
                    "list_size_band": _col(
                        "category",
                        "Practice list-size band (ordered)",
                        categories=band_labels,
                        ordered=True,
                    ),
                    "list_size_min": _col("int64", "Smallest list size in the band", "patients"),
                    "list_size_max": _col(
                        "Int64", "Largest list size in the band (empty: no upper limit)", "patients"
                    ),
                    "practices": _col("int64", "Practices in the cell", "practices"),
                    "registered_patients": _col(
                        "int64", "Registered patients of those practices", "patients"
                    ),
                },
            }
        },
    }


def ccg_meta(year: int) -> dict[str, Any]:
    payments = PAYMENTS_1516 if year == 2015 else PAYMENTS_1617
    fy = "2015-16" if year == 2015 else "2016-17"
    return {
        "name": f"population_ccg_{year}",
        "kind": "population",
        "year": year,
        "table": "ccg",
        "title": f"Registered populations of clinical commissioning groups (CCGs), {year} frame",
        "description": f"One row per CCG ({fy} payments-file CCG of each practice in the frame) "
        "with its region, number of practices and registered patients: the distribution of "
        "CCG sizes. Summarise it in bands with gpcollab.datasets.summarise_in_bands. "
        + MERGER_NOTE[year],
        "synthetic": False,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": ATTRIBUTION,
        "provenance": _sources([payments, QOF_ORG, FRAME_FILE]),
        "derivation": " ".join(
            part
            for part in [
                FRAME_DEFINITION[year],
                f"CCG = CCGCode in the {fy} payments file. "
                "Every CCG's practices lie in one region (checked).",
                MERGER_DERIVATION[year],
                REGION_MAPPING_NOTE,
                "Script: data/derive_population.py.",
            ]
        ),
        "tables": {
            "ccg": {
                "file": f"ccg_{year}.csv",
                "columns": {
                    "ccg_code": _col("string", f"CCG organisation code ({fy})"),
                    "region_code": _col("string", "NHS England region code (Y54-Y57)"),
                    "region_name": _col("string", "NHS England region name"),
                    "practices": _col("int64", "Practices of the CCG in the frame", "practices"),
                    "registered_patients": _col(
                        "int64", "Registered patients of those practices", "patients"
                    ),
                    "merged_into": _col(
                        "string",
                        "Code of the CCG this one merged into at the start of the wave's year "
                        "(empty: no merger)",
                    ),
                    "formed_from": _col(
                        "string",
                        "For a CCG formed by a merger at the start of the wave's year: the "
                        "codes it was formed from, separated by ';' (empty: a CCG of the frame)",
                    ),
                },
            }
        },
    }


def pcn_meta() -> dict[str, Any]:
    return {
        "name": "population_pcn_2019",
        "kind": "population",
        "year": 2019,
        "table": "pcn",
        "title": "Primary care networks (PCNs) in England, December 2019: member practices and "
        "registered populations",
        "description": "One row per PCN in the ODS ePCN file of December 2019 (every PCN, none "
        "dropped), with its parent CCG, the number of member practices and the registered "
        "population.",
        "synthetic": False,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "attribution": ATTRIBUTION,
        "provenance": _sources(
            [EPCN_DETAILS, EPCN_MEMBERS, "nhspaymentsgp-18-19-csv.csv", PAYMENTS_1617, FRAME_FILE]
        ),
        "derivation": (
            "PCNs and parent CCGs from the 'PCN Details' sheet; membership from the 'PCN Core "
            "Partner Details' sheet (each practice in exactly one PCN). registered_patients is "
            "the sum over member practices of the 'Average Number of Registered Patients' in "
            "NHS Payments to General Practice 2018/19, rounded half up to a whole patient after "
            "summing: it is the published list size nearest in time to December 2019 "
            "(taken from the joined frame file, so it exists only for practices present in "
            "2015-16, 2016-17 or "
            "QOF 2016-17). Member practices without a 2018-19 figure are "
            "counted in practices but not in practices_with_list_size, and add nothing to "
            "registered_patients; a PCN with no such figure at all would keep its row with "
            "registered_patients empty (none in this file). practices_in_2017_frame and "
            "patients_2017_frame give the same sum using the 2017 frame (payments 2016/17, "
            "quarter 4) for comparison. Script: data/derive_population.py."
        ),
        "tables": {
            "pcn": {
                "file": "pcn_2019.csv",
                "columns": {
                    "pcn_code": _col("string", "PCN organisation code (ODS)"),
                    "ccg_code": _col("string", "Parent CCG code of the PCN, December 2019"),
                    "practices": _col("int64", "Member practices (ePCN)", "practices"),
                    "practices_with_list_size": _col(
                        "int64", "Member practices with a 2018-19 list-size figure", "practices"
                    ),
                    "registered_patients": _col(
                        "Int64",
                        "Sum of members' 2018-19 average registered patients (whole patients)",
                        "patients",
                    ),
                    "practices_in_2017_frame": _col(
                        "int64", "Member practices that are in the 2017 frame", "practices"
                    ),
                    "patients_2017_frame": _col(
                        "int64", "Registered patients of those practices (2017 frame)", "patients"
                    ),
                },
            }
        },
    }


# ---------------------------------------------------------------------------- writing


def write_table(out: Path, meta: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> None:
    """Write one CSV and its metadata JSON (LF line endings, fixed layout)."""
    ((table_name, table),) = meta["tables"].items()
    columns = list(table["columns"])
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        _check(list(row) == columns, f"{table_name}: columns {list(row)} != {columns}")
        writer.writerow([row[c] for c in columns])
    (out / table["file"]).write_bytes(buffer.getvalue().encode("utf-8"))
    text = json.dumps(meta, indent=2, ensure_ascii=False) + "\n"
    (out / f"{meta['name']}.json").write_bytes(text.encode("utf-8"))


def derive(source: Path, out: Path) -> list[Path]:
    """Derive every population table from ``source`` into ``out``; return the files written."""
    for name in (FRAME_FILE, QOF_ORG, EPCN_MEMBERS, EPCN_DETAILS):
        _check((source / name).is_file(), f"missing source file {source / name}")
    out.mkdir(parents=True, exist_ok=True)
    regions = local_office_regions(source)
    written: list[Path] = []
    for year in (2015, 2017):
        practices = frame_practices(source, year, regions)
        for meta, rows in (
            (region_band_meta(year), region_band_table(practices)),
            (ccg_meta(year), ccg_table(practices, ccg_mergers(source, year))),
        ):
            write_table(out, meta, rows)
            written += [
                out / f"{meta['name']}.json",
                out / next(iter(meta["tables"].values()))["file"],
            ]
    meta = pcn_meta()
    write_table(out, meta, pcn_table(source))
    written += [out / f"{meta['name']}.json", out / "pcn_2019.csv"]
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=Path(os.environ.get(SOURCE_ENV, DEFAULT_SOURCE)),
        help=f"folder with the NHS Digital files (default: ${SOURCE_ENV} or {DEFAULT_SOURCE})",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    try:
        written = derive(args.source, args.out)
    except DerivationError as exc:
        print(f"derive_population: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
