"""chisq_test on designs with rows of weight zero, as survey 4.5's svychisq.

Expected values: tests/data/chisq_zero_weights/oracles.csv, written by make_oracles.R in that
folder.  survey 4.5 takes the design df as ``degf(design)`` (PSUs minus strata among rows of
nonzero weight); survey 4.1.1, installed here, counts every PSU and stratum.  The script
makes the 4.5 function from 4.1.1's by replacing that one line and keeps 4.1.1's p-values
beside the 4.5 ones (column ``p_value_survey_4.1.1``).  Agreement at 1e-8 (relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab import SurveyDesign, chisq_test

HERE = Path(__file__).parent / "data" / "chisq_zero_weights"
RTOL = 1e-8


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "data.csv")


@pytest.fixture(scope="module")
def oracles() -> pd.DataFrame:
    return pd.read_csv(HERE / "oracles.csv")


def test_every_case_agrees_with_survey_4_5(data: pd.DataFrame, oracles: pd.DataFrame) -> None:
    groups = oracles.groupby(["weights", "row", "col"], sort=False)
    assert groups.ngroups == 9
    for (weights, row, col), expected in groups:
        design = SurveyDesign(weights=weights, strata="h", psu="psu")
        got = chisq_test(data, row, col, design=design).set_index("test")
        where = f"{weights} {row} x {col}"
        for _, want in expected.iterrows():
            result = got.loc[want["test"]]
            assert result["statistic"] == pytest.approx(want["statistic"], rel=RTOL), where
            assert result["p_value"] == pytest.approx(want["p_value"], rel=RTOL), where
            if not np.isnan(want["ndf"]):
                assert result["ndf"] == pytest.approx(want["ndf"], rel=RTOL), where
                assert result["ddf"] == pytest.approx(want["ddf"], rel=RTOL), where


def test_cases_with_a_zero_weight_psu_differ_from_survey_4_1_1(oracles: pd.DataFrame) -> None:
    # the design df moves only when a PSU or a stratum has no row of nonzero weight
    moved = pd.Series(
        ~np.isclose(oracles["p_value"], oracles["p_value_survey_4.1.1"], rtol=1e-9, atol=0)
    )
    by_weights = moved.groupby(oracles["weights"]).sum()
    assert by_weights["w_rows"] == 0  # every PSU keeps a weighted row: the same df
    assert by_weights["w_zero"] >= 6 and by_weights["w_stratum"] >= 6
