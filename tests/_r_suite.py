"""Data, designs and comparison rules of the R ``survey`` agreement suite.

The suite lives in ``tests/data/r_survey_suite`` (a copy of ``../shared/oracles/r_survey_suite``,
see its README): R's own test files and help examples run through survey 4.5. This module reads
the data exactly as ``reference.R`` does (factor levels from ``data/levels.csv``) and builds the
Python counterpart of every design ``D$<name>`` of ``reference.R``; ``test_r_survey_suite.py``
holds the cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from gpcollab import SurveyDesign

SUITE = Path(__file__).parent / "data" / "r_survey_suite"
REFERENCE = SUITE / "reference" / "survey_4.5.csv"

#: Relative tolerance of every comparison (README of the suite).
RTOL = 1e-8
#: Absolute floor, as a multiple of the largest magnitude in the case, for values that are zero
#: up to rounding.
ATOL_SCALE = 1e-14


@cache
def reference() -> dict[str, dict[str, float | str]]:
    """``{case: {qty: value}}``; ``error`` cases map ``"error"`` to R's message."""
    table = pd.read_csv(REFERENCE, keep_default_na=False, dtype=str)
    out: dict[str, dict[str, float | str]] = {}
    for case, qty, value, note in zip(
        table["case"], table["qty"], table["value"], table["note"], strict=True
    ):
        entry = out.setdefault(case, {})
        entry[qty] = note if qty == "error" else _number(value)
    return out


def _number(text: str) -> float:
    if text in ("NA", "NaN"):
        return math.nan
    return float(text)  # "Inf" and "-Inf" parse


@cache
def _levels() -> pd.DataFrame:
    return pd.read_csv(SUITE / "data" / "levels.csv", keep_default_na=False, dtype=str)


@cache
def _load(name: str) -> pd.DataFrame:
    data = pd.read_csv(SUITE / "data" / f"{name}.csv", encoding="utf-8")
    levels = _levels()
    for column, lv in zip(
        levels.loc[levels["dataset"] == name, "column"],
        levels.loc[levels["dataset"] == name, "levels"],
        strict=True,
    ):
        categories = lv.split("|")
        data[column] = pd.Categorical(data[column].astype(str), categories=categories)
    return data


def load(name: str) -> pd.DataFrame:
    """A fresh copy of ``data/<name>.csv`` with R's factors as categoricals."""
    return _load(name).copy()


def _fpc_data() -> pd.DataFrame:
    d = load("fpc")
    # the same floating-point operations as R's formulas
    d["prob_w"] = 1.0 / (1.0 / d["weight"])
    d["frac_fpc"] = d["nh"] / d["Nh"]
    d["interact"] = d["stratid"].astype(str) + "." + d["psuid"].astype(str)
    return d


def _designs() -> dict[str, Callable[[], tuple[pd.DataFrame, SurveyDesign]]]:
    fpc = _fpc_data
    return {
        "srs": lambda: (load("apisrs"), SurveyDesign(weights="pw", fpc="fpc")),
        "srs_nofpc": lambda: (load("apisrs"), SurveyDesign(weights="pw")),
        "srs_unw": lambda: (load("apisrs"), SurveyDesign()),
        "strat": lambda: (load("apistrat"), SurveyDesign(weights="pw", strata="stype", fpc="fpc")),
        "strat_nofpc": lambda: (load("apistrat"), SurveyDesign(weights="pw", strata="stype")),
        "clus1": lambda: (load("apiclus1"), SurveyDesign(weights="pw", psu="dnum", fpc="fpc")),
        "clus1_nofpc": lambda: (load("apiclus1"), SurveyDesign(weights="pw", psu="dnum")),
        "clus1_fpconly": lambda: (load("apiclus1"), SurveyDesign(psu="dnum", fpc="fpc")),
        # two stages with replacement: only the first stage counts (ultimate clusters)
        "clus2wr": lambda: (load("apiclus2"), SurveyDesign(weights="pw", psu="dnum")),
        "fpc_nofpc": lambda: (fpc(), _nest(weights="weight", psu="psuid", strata="stratid")),
        "fpc_Nh": lambda: (
            fpc(),
            _nest(weights="weight", psu="psuid", strata="stratid", fpc="Nh"),
        ),
        "fpc_prob_Nh": lambda: (
            fpc(),
            _nest(weights="prob_w", psu="psuid", strata="stratid", fpc="Nh"),
        ),
        "fpc_frac": lambda: (
            fpc(),
            _nest(weights="weight", psu="psuid", strata="stratid", fpc="frac_fpc"),
        ),
        "fpc_interact": lambda: (
            fpc(),
            SurveyDesign(weights="weight", psu="interact", strata="stratid", fpc="frac_fpc"),
        ),
        "fpc_Nh_now": lambda: (fpc(), _nest(psu="psuid", strata="stratid", fpc="Nh")),
        "fpc_frac_now": lambda: (fpc(), _nest(psu="psuid", strata="stratid", fpc="frac_fpc")),
        "fpc_ind_w": lambda: (fpc(), SurveyDesign(weights="weight", strata="stratid")),
        "fpc_ind_w1": lambda: (fpc(), SurveyDesign(weights="w1", strata="stratid")),
        "fpc_ind_now": lambda: (fpc(), SurveyDesign(strata="stratid")),
        "fpc_ind_prob": lambda: (fpc(), SurveyDesign(weights="prob_w", strata="stratid")),
        "fpc_psu_now": lambda: (fpc(), _nest(psu="psuid", strata="stratid")),
        "fpc_psu_nostrata_now": lambda: (fpc(), SurveyDesign(psu="psuid")),
        "fpc_psu_nostrata_w": lambda: (fpc(), SurveyDesign(psu="psuid", weights="weight")),
        "fpc_2stage_w": lambda: (fpc(), SurveyDesign(psu="stratid", weights="weight")),
        "fpc_2stage_now": lambda: (fpc(), SurveyDesign(psu="stratid")),
        "fpc_27": lambda: (fpc(), SurveyDesign(psu="psuid", weights="weight", fpc="fpc27")),
        "scd_fpc": lambda: (
            load("scd"),
            _nest(weights="one", psu="ambulance", strata="ESA", fpc="fpc5"),
        ),
        "scd_nofpc": lambda: (load("scd"), _nest(weights="one", psu="ambulance", strata="ESA")),
        "nhanes": lambda: (
            load("nhanes"),
            _nest(psu="SDMVPSU", strata="SDMVSTRA", weights="WTMEC2YR"),
        ),
        "elect_wr": lambda: (_with(load("election_pps"), w=lambda d: 1.0 / d["p"]), _w("w")),
        "kigyo_srs": lambda: (load("kigyo"), _w("srs.w")),
        "kigyo_pps": lambda: (load("kigyo"), _w("pps.w")),
        "mtcars": lambda: (load("mtcars"), SurveyDesign()),
        "kalton": lambda: (load("kalton_sample"), SurveyDesign()),
        "lonely_api": lambda: (load("apiclus1"), SurveyDesign(weights="pw", strata="dnum")),
        "lonely_api_fpc": lambda: (
            load("apiclus1"),
            SurveyDesign(weights="pw", strata="dnum", fpc="fpc_lonely"),
        ),
        "lonely_sub": lambda: (
            load("apiclus1").query("dnum != 413").reset_index(drop=True),
            SurveyDesign(weights="pw", strata="dnum"),
        ),
        "singleton": lambda: (
            load("singleton"),
            SurveyDesign(psu="PSU", strata="Stratum", weights="Design_Weight"),
        ),
    }


def _nest(**kwargs: str) -> SurveyDesign:
    """R's ``nest=TRUE``: PSU labels are read within strata."""
    return SurveyDesign(nest=True, **kwargs)


def _w(column: str) -> SurveyDesign:
    return SurveyDesign(weights=column)


def _with(data: pd.DataFrame, **columns: Callable[[pd.DataFrame], object]) -> pd.DataFrame:
    for name, make in columns.items():
        data[name] = make(data)
    return data


def design(name: str) -> tuple[pd.DataFrame, SurveyDesign]:
    """The data and design of ``D$<name>`` in ``reference.R``."""
    return _designs()[name]()


def compare(
    ours: Mapping[str, float], theirs: Mapping[str, float | str]
) -> list[tuple[str, float, float]]:
    """Quantities of ``ours`` that differ from R's: ``(qty, ours, R)``; every R qty is needed."""
    values = [abs(float(v)) for v in theirs.values() if isinstance(v, float) and np.isfinite(v)]
    floor = ATOL_SCALE * max(values, default=0.0)
    bad: list[tuple[str, float, float]] = []
    for qty, expected in theirs.items():
        if qty not in ours:
            bad.append((qty, math.nan, float(expected)))
            continue
        got = float(ours[qty])
        want = float(expected)
        if math.isnan(want) or math.isnan(got):
            if not (math.isnan(want) and math.isnan(got)):
                bad.append((qty, got, want))
            continue
        if math.isinf(want) or math.isinf(got):
            if got != want:
                bad.append((qty, got, want))
            continue
        if abs(got - want) > max(RTOL * abs(want), floor):
            bad.append((qty, got, want))
    extra = sorted(set(ours) - set(theirs))
    bad.extend((qty, float(ours[qty]), math.nan) for qty in extra)
    return bad
