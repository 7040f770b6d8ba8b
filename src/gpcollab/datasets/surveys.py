"""The four bundled response sets: synthetic reconstructions, seed 0.

The real responses of the 2015 and 2017 surveys were never published. What ships here are the
seed-0 outputs of :func:`gpcollab.reconstruct` — *synthetic* sets built so that the published
figures come out as published — stored as CSV tables with a metadata file each, under
``datasets/surveys/<gp2015|ccg2015|gp2017|ccg2017>/``. ``data/make_surveys.py`` rebuilds the
files byte for byte with :func:`write_bundled_survey`.

:func:`load_survey` reads them back (declared dtypes, validated once and cached) as a
:class:`~gpcollab.schema.SurveyData` whose ``meta.synthetic`` is True. The dataset registry
lists them (``gpcollab.list_datasets()``) and renders their cards, which open with
:data:`~gpcollab.schema.SYNTHETIC_NOTICE`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from gpcollab.datasets import DatasetEntry
from gpcollab.errors import DatasetError, SurveyLoadError
from gpcollab.instrument import PUBLISHED_SURVEYS
from gpcollab.schema import ITEMS, SurveyData, SurveyMeta
from gpcollab.vocab import Achievement, Aim, Instrument

__all__ = [
    "BUNDLED_SEED",
    "SURVEY_FOLDERS",
    "dataset_name",
    "load_survey",
    "survey_metadata",
    "survey_tables",
    "write_bundled_survey",
]

BUNDLED_SEED = 0
"""Seed of the reconstruction the bundled sets come from."""

SURVEY_FOLDERS: Mapping[tuple[int, str], str] = {
    (2015, "gp"): "gp2015",
    (2015, "ccg"): "ccg2015",
    (2017, "gp"): "gp2017",
    (2017, "ccg"): "ccg2017",
}
"""Folder below ``datasets/surveys/`` of each (wave, instrument)."""

_LICENCE = "MIT (as gpcollab)"
_PROVENANCE = (
    "reconstructed from the published findings register by gpcollab.reconstruct, seed "
    f"{BUNDLED_SEED}"
)


def dataset_name(wave: int, instrument: str) -> str:
    """Registry name of a bundled set, e.g. ``"survey_gp_2017"``."""
    return f"survey_{instrument}_{wave}"


def _key(wave: int, instrument: str) -> tuple[int, str]:
    key = (-1 if isinstance(wave, bool) else int(wave), str(instrument).lower())
    if key not in SURVEY_FOLDERS:
        available = ", ".join(f"({w}, {i!r})" for w, i in SURVEY_FOLDERS)
        raise SurveyLoadError(
            f"No bundled survey set for wave {wave!r}, instrument {instrument!r}. "
            f"Available: {available}."
        )
    return key


# ---------------------------------------------------------------------------- writing


def survey_tables(survey: SurveyData) -> dict[str, pd.DataFrame]:
    """The tables of a set as written to disk: respondents, aims (if asked), each multi-select.

    Parameters
    ----------
    survey : SurveyData
        A response set.

    Returns
    -------
    dict of str to pandas.DataFrame
        Table name -> frame with text columns (categories as their machine values), rows in
        respondent order, then questionnaire order of aims and options.
    """
    tables: dict[str, pd.DataFrame] = {"respondents": survey.respondents}
    if survey.asks("aims"):
        assert survey.aims is not None
        tables["aims"] = survey.aims
    for item in survey.meta.items:
        if item in survey.multi:
            tables[item] = survey.multi[item]
    return tables


def _column_spec(name: str, table: str) -> dict[str, Any]:
    if name == "respondent_id":
        return {"dtype": "string", "description": "Synthetic respondent identifier"}
    if name == "ccg_code":
        return {
            "dtype": "string",
            "description": "CCG organisation code of the practice (GP) or of the CCG: a real "
            "code drawn from the practice population, not a respondent's",
        }
    if table == "aims" and name == "aim":
        choices: Any = Aim
        description = "Aim the respondent's collaboration set"
    elif table == "aims" and name == "outcome":
        choices = Achievement
        description = "How far the aim was achieved"
    elif name == "option":
        choices = ITEMS[table].choices
        description = f"Option ticked: {ITEMS[table].question}"
    else:
        choices = ITEMS[name].choices
        description = ITEMS[name].question
    return {
        "dtype": "category",
        "description": description,
        "categories": choices.values(),
        "ordered": bool(choices.ordinal),
    }


def survey_metadata(survey: SurveyData, checked_by: str = "") -> dict[str, Any]:
    """Dataset metadata (registry format of :mod:`gpcollab.datasets`) for a bundled set.

    ``checked_by`` (a sentence naming the register rows that check the set) ends the
    description when given.
    """
    wave, instrument = survey.meta.wave, survey.meta.instrument.value
    folder = SURVEY_FOLDERS[_key(wave, instrument)]
    tables: dict[str, Any] = {}
    for name, frame in survey_tables(survey).items():
        if name == "respondents":
            description = "One row per (synthetic) respondent; single-choice answers"
        elif name == "aims":
            description = "One row per aim a respondent's collaboration set, with its outcome"
        else:
            description = f"Multi-select item {name!r}: one row per option ticked"
        tables[name] = {
            "file": f"{name}.csv",
            "description": description,
            "columns": {column: _column_spec(column, name) for column in frame.columns},
        }
    return {
        "name": dataset_name(wave, instrument),
        "kind": "survey",
        "wave": wave,
        "instrument": instrument,
        "folder": folder,
        "title": f"{survey.meta.label}: synthetic reconstruction (seed {BUNDLED_SEED})",
        "synthetic": True,
        "description": (
            "SYNTHETIC responses, not the survey's: the real answers were never published. "
            f"The {survey.n} rows were made up by gpcollab.reconstruct so that every figure "
            "of the findings register that applies to this instrument is reproduced (to the "
            "published rounding) and every published association holds; anything else in "
            "them (other answers, cross-tabulations nobody published) is an artefact of the "
            "reconstruction's stated assumptions. Use them to learn and test the pipeline, "
            "never as evidence about GP practices or CCGs."
            + (f" {checked_by}" if checked_by else "")
        ),
        "licence": _LICENCE,
        "provenance": _PROVENANCE,
        "derivation": (
            "python data/make_surveys.py (calls gpcollab.reconstruct(wave, instrument, "
            f"seed={BUNDLED_SEED}) and gpcollab.datasets.surveys.write_bundled_survey); the output "
            "is byte-identical on every run. Published values come from the findings register "
            "(gpcollab.load_findings), choices from its assumptions and "
            "gpcollab.reconstruction.RECONSTRUCTION_PARAMETERS."
        ),
        "seed": BUNDLED_SEED,
        "n": survey.n,
        "items": list(survey.meta.items),
        "source": survey.meta.source,
        "tables": tables,
    }


def _csv_text(frame: pd.DataFrame) -> str:
    text = frame.astype(object).to_csv(index=False, lineterminator="\n", na_rep="")
    return str(text)


def write_bundled_survey(
    survey: SurveyData, folder: Path | str, checked_by: str = ""
) -> list[Path]:
    """Write a set's tables and metadata to ``folder`` (created if needed), byte-stable.

    Parameters
    ----------
    survey : SurveyData
        A synthetic set (the seed-0 reconstruction for the bundled files).
    folder : path-like
        Target folder; existing files of the same names are replaced.
    checked_by : str, optional
        A sentence for the card saying which register rows check the set (written by
        ``data/make_surveys.py``, which reads the register).

    Returns
    -------
    list of pathlib.Path
        The files written: ``metadata.json`` then one CSV per table.

    Raises
    ------
    SurveyLoadError
        If the set is not synthetic or not one of the four instruments.
    """
    if not survey.synthetic:
        raise SurveyLoadError("Only synthetic reconstructions are written as bundled sets.")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    meta = survey_metadata(survey, checked_by)
    written = [target / "metadata.json"]
    written[0].write_bytes((json.dumps(meta, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    for name, frame in survey_tables(survey).items():
        path = target / f"{name}.csv"
        path.write_bytes(_csv_text(frame).encode("utf-8"))
        written.append(path)
    return written


# ---------------------------------------------------------------------------- reading


@cache
def _load(key: tuple[int, str]) -> SurveyData:
    folder = resources.files("gpcollab.datasets").joinpath("surveys", SURVEY_FOLDERS[key])
    resource = f"surveys/{SURVEY_FOLDERS[key]}/metadata.json"
    try:
        meta = json.loads(folder.joinpath("metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:  # pragma: no cover - broken installation
        raise DatasetError(f"Bundled survey metadata {resource} is missing.") from exc
    entry = DatasetEntry(name=str(meta["name"]), meta=meta, folder=folder, resource=resource)
    tables = entry.read_tables()
    for frame in tables.values():  # text columns as Python str, as SurveyData builds them
        for column in ("respondent_id", "ccg_code"):
            if column in frame:
                present = frame[column].notna().to_numpy()
                values = frame[column].astype(object).to_numpy()
                frame[column] = pd.Series(
                    [v if keep else None for v, keep in zip(values, present, strict=True)],
                    index=frame.index,
                    dtype=object,
                )
    items = tuple(str(item) for item in meta["items"])
    multi = {name: frame for name, frame in tables.items() if name not in ("respondents", "aims")}
    survey_meta = SurveyMeta(
        wave=int(meta["wave"]),
        instrument=Instrument.parse(str(meta["instrument"])),
        n=int(meta["n"]),
        source=f"bundled dataset {meta['name']!r}: {meta['provenance']}",
        synthetic=bool(meta["synthetic"]),
        codebook=None,
        items=items,
        notes=str(meta["description"]),
        organisation=PUBLISHED_SURVEYS.get((int(meta["wave"]), str(meta["instrument"])), ""),
    )
    return SurveyData(tables["respondents"], tables.get("aims"), multi, survey_meta)


def _fresh(survey: SurveyData) -> SurveyData:
    """A copy with its own tables (the cached, validated set is never handed out itself)."""
    clone = copy.copy(survey)
    object.__setattr__(clone, "respondents", survey.respondents.copy())
    if survey.aims is not None:
        object.__setattr__(clone, "aims", survey.aims.copy())
    object.__setattr__(
        clone, "multi", MappingProxyType({k: v.copy() for k, v in survey.multi.items()})
    )
    return clone


def load_survey(wave: int, instrument: str) -> SurveyData:
    """Load one of the four bundled response sets — synthetic reconstructions.

    Parameters
    ----------
    wave : int
        ``2015`` or ``2017``.
    instrument : str
        ``"gp"`` or ``"ccg"``.

    Returns
    -------
    SurveyData
        The seed-0 output of :func:`gpcollab.reconstruct` for that instrument, read from the
        bundled files: ``meta.synthetic`` is True, ``meta.source`` names the reconstruction.
        Each call returns its own copy of the tables.

    Raises
    ------
    SurveyLoadError
        For an unknown wave or instrument; the message lists the available ones.

    Notes
    -----
    These are not the survey responses, which were never published: they were made up so that
    the published figures are reproduced. See ``gpcollab.dataset_card("survey_gp_2017")``.

    Examples
    --------
    >>> from gpcollab import load_survey
    >>> survey = load_survey(2017, "gp")
    >>> survey.n, survey.synthetic
    (565, True)
    """
    return _fresh(_load(_key(wave, instrument)))
