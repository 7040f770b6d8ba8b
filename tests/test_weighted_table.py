"""weighted_table against R's svytable (weighted counts, Ntotal rescaling, round=TRUE).

Expected values: ``tests/data/design_toolbox/reference.csv`` (cases ``table/*``), written by
``make_reference.R`` there, compared at 1e-8 relative. The suite's survey 4.5 case
``unsupported/svytable`` runs in ``test_r_survey_suite.py``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from _r_suite import compare, design
from gpcollab import ArgumentError, DesignError, SurveyDesign, weighted_table
from test_survey_glm import reference


def cells(table: pd.DataFrame, by: list[str]) -> dict[str, float]:
    keys = table[by].astype(str).agg(".".join, axis=1)
    return {f"cell[{k}]": float(v) for k, v in zip(keys, table["weighted_n"], strict=True)}


STRATUM_TOTALS = {"E": 4421.0, "H": 755.0, "M": 1018.0}

CASES = {
    "table/clus1_schwide_stype": ("clus1", ["sch.wide", "stype"], {}),
    "table/clus1_percent": ("clus1", ["sch.wide", "stype"], {"ntotal": 100}),
    "table/clus1_three_way_round": (
        "clus1",
        ["stype", "awards", "yr.rnd"],
        {"ntotal": 6194, "round_counts": True},
    ),
    "table/strat_by_stratum_totals": (
        "strat",
        ["sch.wide", "comp.imp"],
        {"ntotal": STRATUM_TOTALS},
    ),
    "table/strat_unweighted_design_total": ("strat", ["awards"], {"ntotal": 1.0}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_weighted_table_agrees_with_r(case: str) -> None:
    name, by, kw = CASES[case]
    data, des = design(name)
    table = weighted_table(data, by, design=des, **kw)  # type: ignore[arg-type]
    bad = compare(cells(table, by), reference()[case])
    assert not bad, f"{case}: cells differ from R (qty, ours, R): {bad[:8]}"


def test_every_table_oracle_has_a_case() -> None:
    assert set(CASES) == {c for c in reference() if c.startswith("table/")}


def test_layout_and_unweighted_counts() -> None:
    data, des = design("clus1")
    table = weighted_table(data, ["stype", "awards", "yr.rnd"], design=des)
    assert list(table.columns) == ["stype", "awards", "yr.rnd", "n", "weighted_n"]
    assert len(table) == 3 * 2 * 2  # empty cells included
    assert table["n"].sum() == len(data)
    assert list(table["stype"].cat.categories) == ["E", "H", "M"]
    # hand count: rows of the first cell
    first = (data["stype"] == "E") & (data["awards"] == "No") & (data["yr.rnd"] == "No")
    assert table["n"].iloc[0] == int(first.sum())
    assert table["weighted_n"].iloc[0] == pytest.approx(float(data.loc[first, "pw"].sum()))


def test_missing_values_and_bad_ntotal() -> None:
    data, des = design("clus1")
    data.loc[data.index[:3], "stype"] = None
    with pytest.raises(DesignError, match="na_rm"):
        weighted_table(data, "stype", design=des)
    assert weighted_table(data, "stype", design=des, na_rm=True)["n"].sum() == len(data) - 3
    with pytest.raises(ArgumentError, match="ntotal"):
        weighted_table(data, "sch.wide", design=des, ntotal=-1)
    strat, sdes = design("strat")
    with pytest.raises(ArgumentError, match="stratum"):
        weighted_table(strat, "awards", design=sdes, ntotal={"E": 1.0})
    with pytest.raises(ArgumentError, match="by"):
        weighted_table(strat, [], design=SurveyDesign())
