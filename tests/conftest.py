"""Shared, seeded fixtures for the test suite.

``survey_factory`` builds small hand-made :class:`gpcollab.SurveyData` sets whose answers a test
can count by hand; ``rng`` is a seeded generator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from gpcollab.schema import ITEMS, SurveyData, SurveyMeta

#: Items a hand-built GP 2017 set asks unless a test says otherwise.
GP2017_ITEMS: tuple[str, ...] = (
    "role",
    "membership",
    "form",
    "size_band",
    "age_band",
    "level",
    "aims",
    "funding",
    "stp_influence",
    "stp_change",
    "contract_willingness",
    "contract_reasons",
)


def make_survey(
    rows: Sequence[Mapping[str, Any]],
    *,
    wave: int = 2017,
    instrument: str = "gp",
    items: Iterable[str] | None = None,
    synthetic: bool = False,
) -> SurveyData:
    """Build a SurveyData from one dict per respondent.

    Each dict may hold single-choice answers and numeric columns by name, ``"aims"`` as a
    mapping ``{aim: outcome}``, and multi-select items as lists of ticked options. Missing keys
    are missing answers. ``respondent_id`` defaults to ``"r1"``, ``"r2"``, ….
    """
    asked = tuple(items) if items is not None else GP2017_ITEMS
    records: list[dict[str, Any]] = []
    aims: list[dict[str, Any]] = []
    multi: dict[str, list[dict[str, Any]]] = {
        item: [] for item in asked if ITEMS[item].kind == "multi"
    }
    single = [item for item in asked if ITEMS[item].kind == "single"]
    for i, row in enumerate(rows, start=1):
        rid = str(row.get("respondent_id", f"r{i}"))
        record: dict[str, Any] = {"respondent_id": rid}
        for item in single:
            record[item] = row.get(item)
        for key in ("weight", "collab_patients", "ccg_code"):
            if key in row:
                record[key] = row[key]
        records.append(record)
        for aim, outcome in dict(row.get("aims", {})).items():
            aims.append({"respondent_id": rid, "aim": aim, "outcome": outcome})
        for item in multi:
            for option in row.get(item, []):
                multi[item].append({"respondent_id": rid, "option": option})
    respondents = pd.DataFrame(records)
    meta = SurveyMeta(
        wave,
        instrument,
        n=len(records),
        source="hand-built test set",
        synthetic=synthetic,
        items=asked,
    )
    return SurveyData(
        respondents,
        pd.DataFrame(aims, columns=["respondent_id", "aim", "outcome"]),
        {k: pd.DataFrame(v, columns=["respondent_id", "option"]) for k, v in multi.items()},
        meta,
    )


@pytest.fixture
def survey_factory() -> Callable[..., SurveyData]:
    """The :func:`make_survey` builder."""
    return make_survey


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator."""
    return np.random.default_rng(20171010)


def simulate_survey(n: int = 565, seed: int = 1, *, weights: bool = False) -> SurveyData:
    """A random GP 2017-like set of ``n`` respondents (for speed and smoke tests only).

    Full achievement of each aim rises with age band and size band, so models have signal.
    """
    gen = np.random.default_rng(seed)
    sizes = ["under_30k", "30k_50k", "50k_100k", "100k_250k", "over_250k"]
    ages = ["under_1y", "1y_2y", "over_2y"]
    levels = ["locality", "single_ccg", "multi_ccg"]
    aims = ["access", "sustainability", "community", "staff", "quality"]
    rows: list[dict[str, Any]] = []
    for i in range(n):
        collaborating = gen.random() < 0.81
        row: dict[str, Any] = {
            "role": gen.choice(["gp_partner", "practice_manager", "salaried_gp"]),
            "membership": gen.choice(["formal", "informal"]) if collaborating else "none",
            "region": gen.choice(["Y54", "Y55", "Y56", "Y57"]),
            "ccg_code": f"C{i % 40:02d}",
        }
        if weights:
            row["weight"] = float(gen.uniform(0.5, 2.0))
        if collaborating:
            s, a = int(gen.integers(5)), int(gen.integers(3))
            row.update(size_band=sizes[s], age_band=ages[a], level=levels[int(gen.integers(3))])
            outcomes = {}
            for aim in gen.choice(aims, size=3, replace=False):
                eta = -1.8 + 0.5 * a + 0.2 * s + gen.normal(0, 0.3)
                u = gen.random()
                p_full = 1 / (1 + np.exp(-eta))
                outcomes[str(aim)] = (
                    "fully"
                    if u < p_full
                    else gen.choice(["partially", "not_achieved", "too_early"])
                )
            row["aims"] = outcomes
            row["funding"] = ["access_fund"] if gen.random() < 0.3 else []
        rows.append(row)
    items = (*GP2017_ITEMS, "region")
    return make_survey(rows, items=items, synthetic=True)


@pytest.fixture(scope="session")
def simulated_survey() -> SurveyData:
    """A seeded random 565-respondent GP 2017-like set."""
    return simulate_survey()
