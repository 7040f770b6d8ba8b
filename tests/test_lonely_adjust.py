"""``lonely_psu="adjust"`` inside domains, as survey 4.5: by-domain totals and na_rm totals.

Expected values: tests/data/lonely_adjust/oracles.csv, written by make_oracles.R in that folder.
The R installed has survey 4.1.1, which does not centre a lonely PSU; survey >= 4.4-1 centres
it at ``colSums(x) / (the sample's PSUs in the strata the domain meets)`` (survey 4.5's
``onestage``).  The script puts that logic in place of 4.1.1's ``onestage`` and checks it
against the shared suite's survey 4.5 values (whole-sample totals) and against 4.1.1 where
nothing changed; the 4.1.1 SEs are kept in the file (column ``se_survey_4.1.1``) to show the
cases differ.  Agreement at 1e-8 (relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab import SurveyDesign, estimate_total

DATA = Path(__file__).parent / "data"
RTOL = 1e-8


def _apiclus1() -> pd.DataFrame:
    return pd.read_csv(DATA / "r_survey_suite" / "data" / "apiclus1.csv")


CASES = {
    # case: (data, design, y, by, na_rm)
    "api_by_stype_api00": ("api", "api", "api00", "stype", False),
    "api_by_stype_acsk3_narm": ("api", "api", "acs.k3", "stype", True),
    "api_fpc_by_stype_api00": ("api", "api_fpc", "api00", "stype", False),
    "api_by_both_api00": ("api", "api", "api00", "both", False),
    "clustered_by_g_y": ("cd", "clustered", "y", "g", False),
    "clustered_by_a_y_na_narm": ("cd", "clustered", "y_na", "a", True),
    "singleton_by_sex_age": ("single", "singleton", "Age", "Sex", False),
    "api_total_acsk3_narm": ("api", "api", "acs.k3", None, True),
    "api_fpc_total_acsk3_narm": ("api", "api_fpc", "acs.k3", None, True),
    "clustered_total_y_na_narm": ("cd", "clustered", "y_na", None, True),
}
DESIGNS = {
    "api": SurveyDesign(weights="pw", strata="dnum", lonely_psu="adjust"),
    "api_fpc": SurveyDesign(weights="pw", strata="dnum", fpc="fpc_lonely", lonely_psu="adjust"),
    "clustered": SurveyDesign(
        weights="w", strata="h_lonely", psu="psu_lonely", lonely_psu="adjust"
    ),
    "singleton": SurveyDesign(
        weights="Design_Weight", strata="Stratum", psu="PSU", lonely_psu="adjust"
    ),
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {
        "api": _apiclus1(),
        "cd": pd.read_csv(DATA / "compare_domains" / "data.csv"),
        "single": pd.read_csv(DATA / "r_survey_suite" / "data" / "singleton.csv"),
    }


@pytest.fixture(scope="module")
def oracles() -> pd.DataFrame:
    return pd.read_csv(DATA / "lonely_adjust" / "oracles.csv", keep_default_na=False)


@pytest.mark.parametrize("case", sorted(CASES))
def test_adjust_in_domains_matches_survey_4_5(
    case: str, tables: dict[str, pd.DataFrame], oracles: pd.DataFrame
) -> None:
    data_key, design_key, y, by, na_rm = CASES[case]
    table = estimate_total(tables[data_key], y, by=by, design=DESIGNS[design_key], na_rm=na_rm)
    keys = table[by].astype(str) if by else pd.Series(["(all)"])
    got = table.assign(domain=list(keys)).set_index("domain")
    want = oracles.loc[oracles["case"] == case].set_index("domain")
    for domain, row in want.iterrows():
        if domain not in got.index:
            # a domain whose every y is missing: gpcollab leaves it out, R reports a total of
            # 0 with SE 0
            assert na_rm and float(row["estimate"]) == 0.0 and float(row["se"]) == 0.0, domain
            continue
        assert got.loc[domain, "estimate"] == pytest.approx(float(row["estimate"]), rel=RTOL)
        assert got.loc[domain, "se"] == pytest.approx(float(row["se"]), rel=RTOL), domain


def test_the_oracles_differ_from_survey_4_1_1(oracles: pd.DataFrame) -> None:
    # the cases exercise the 4.5 centre: most SEs differ from 4.1.1's uncentred ones
    se45 = oracles["se"].astype(float)
    se411 = oracles["se_survey_4.1.1"].astype(float)
    changed = ~np.isclose(se45, se411, rtol=1e-6)
    assert changed.sum() >= 10
    assert set(oracles.loc[changed, "case"]) >= {
        "api_by_stype_api00",
        "clustered_by_g_y",
        "api_total_acsk3_narm",
        "clustered_total_y_na_narm",
    }
