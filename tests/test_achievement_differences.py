"""achievement_differences: design-based differences between groups, against R and by hand.

The R oracle (``tests/data/achievement_differences``) is R survey's ``svyby(covmat=TRUE)`` and
``svycontrast`` on a small stratified, clustered, weighted set; the hand case is a simple
random sample whose covariance between groups is zero, so the SE is written out in the test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import gpcollab
from conftest import make_survey
from gpcollab import SurveyDesign
from gpcollab.errors import ArgumentError, DesignError

DATA = Path(__file__).parent / "data" / "achievement_differences"
CLUSTERED = SurveyDesign(weights="weight", strata="region", psu="ccg_code")


def _oracle_survey() -> gpcollab.SurveyData:
    table = pd.read_csv(DATA / "respondents.csv", keep_default_na=False)
    rows = []
    for record in table.to_dict("records"):
        aims = {aim: record[aim] for aim in ("access", "staff") if record[aim]}
        rows.append(
            {
                "respondent_id": record["respondent_id"],
                "membership": "formal",
                "region": record["region"],
                "ccg_code": record["ccg_code"],
                "weight": float(record["weight"]),
                "size_band": record["size_band"],
                "aims": aims,
            }
        )
    return make_survey(rows, items=("membership", "region", "size_band", "aims"))


def test_agrees_with_r_svycontrast() -> None:
    oracle = pd.read_csv(DATA / "oracle.csv")
    table = gpcollab.achievement_differences(
        _oracle_survey(), by="size_band", aims=["access", "staff"], design=CLUSTERED
    )
    assert len(table) == len(oracle) == 6
    for row in oracle.itertuples():
        aim = table[table["aim"] == row.aim]
        same = aim[
            (aim["size_band_first"] == row.size_band_first)
            & (aim["size_band_second"] == row.size_band_second)
        ]
        swapped = aim[
            (aim["size_band_first"] == row.size_band_second)
            & (aim["size_band_second"] == row.size_band_first)
        ]
        sign = 1.0 if len(same) == 1 else -1.0
        ours = (same if len(same) == 1 else swapped).iloc[0]
        assert ours["difference"] == pytest.approx(sign * row.difference, abs=1e-12)
        assert ours["se"] == pytest.approx(row.se, rel=1e-10)
        assert ours["df"] == row.df
        first, second = (
            (row.estimate_first, row.estimate_second)
            if sign > 0
            else (row.estimate_second, row.estimate_first)
        )
        assert ours["estimate_first"] == pytest.approx(first, abs=1e-12)
        assert ours["estimate_second"] == pytest.approx(second, abs=1e-12)


def test_weights_only_by_hand() -> None:
    # under_30k: fully (w 1), fully (w 2), partially (w 1); 30k_50k: fully (w 3), not (w 1),
    # not (w 2); plus one respondent too early (out of the base) and one without the aim
    people = [
        ("under_30k", "fully", 1.0),
        ("under_30k", "fully", 2.0),
        ("under_30k", "partially", 1.0),
        ("30k_50k", "fully", 3.0),
        ("30k_50k", "not_achieved", 1.0),
        ("30k_50k", "not_achieved", 2.0),
        ("30k_50k", "too_early", 1.0),
        ("under_30k", None, 1.0),
    ]
    rows = [
        {
            "membership": "formal",
            "size_band": band,
            "weight": w,
            "aims": {"access": outcome} if outcome else {},
        }
        for band, outcome, w in people
    ]
    survey = make_survey(rows, items=("membership", "size_band", "aims"))
    table = gpcollab.achievement_differences(survey, by="size_band", design="weight")
    assert len(table) == 1
    row = table.iloc[0]
    assert (row["size_band_first"], row["size_band_second"]) == ("under_30k", "30k_50k")
    # shares: under_30k 3/4 (weights 1 + 2 of 4), 30k_50k 3/6
    assert row["estimate_first"] == pytest.approx(0.75, abs=1e-15)
    assert row["estimate_second"] == pytest.approx(0.5, abs=1e-15)
    assert row["difference"] == pytest.approx(-0.25, abs=1e-15)
    # every respondent is a PSU (n = 8); z_i = w_i (y_i - m) / W in its group, 0 elsewhere;
    # the z of each group add up to 0, so V = n / (n - 1) * sum z^2 and the groups'
    # covariance is 0
    z_a = np.array([1 * (1 - 0.75), 2 * (1 - 0.75), 1 * (0 - 0.75)]) / 4.0
    z_b = np.array([3 * (1 - 0.5), 1 * (0 - 0.5), 2 * (0 - 0.5)]) / 6.0
    se = np.sqrt(8 / 7 * (np.sum(z_a**2) + np.sum(z_b**2)))
    assert row["se"] == pytest.approx(se, rel=1e-12)
    assert row["df"] == 7  # 8 PSUs, 1 stratum
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(0.25 / se, 7), rel=1e-10)
    half = stats.t.ppf(0.975, 7) * se
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((-0.25 - half, -0.25 + half))
    assert (row["n_first"], row["n_second"]) == (3, 3)


@pytest.mark.parametrize(
    "design",
    [None, CLUSTERED, SurveyDesign(weights="weight", calibration=("region",))],
    ids=["srs", "clustered", "raked"],
)
def test_equals_the_engine_aim_by_aim(design: SurveyDesign | None) -> None:
    # all aims in one pass give what compare_domains gives on each aim's own table
    survey = _oracle_survey()
    table = gpcollab.achievement_differences(
        survey, by="size_band", success=("fully", "partially"), design=design
    )
    wide = survey.aims.pivot(index="respondent_id", columns="aim", values="outcome")
    for aim in ("access", "staff"):
        outcome = survey.respondents["respondent_id"].map(wide[aim].astype(object))
        frame = survey.respondents.copy()
        substantive = outcome.isin(["fully", "partially", "not_achieved"])
        frame["y"] = np.where(substantive, outcome.isin(["fully", "partially"]), np.nan)
        expected = gpcollab.compare_domains(frame, "y", by="size_band", design=design, na_rm=True)
        ours = table[table["aim"] == aim].drop(columns="aim").reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, expected, check_exact=False, rtol=1e-13)


def test_within_keeps_pairs_apart_and_names_the_table() -> None:
    survey = gpcollab.load_survey(2017, "gp")
    table = gpcollab.achievement_differences(
        survey, by="size_band", within="age_band", aims="staff"
    )
    assert list(table.columns[:4]) == [
        "aim",
        "age_band",
        "size_band_first",
        "size_band_second",
    ]
    assert table.groupby("age_band", observed=True).size().max() <= 10  # 5 bands: 10 pairs
    assert table.attrs["analysis"] == "achievement_differences"
    assert table.attrs["synthetic"] is True


def test_bad_arguments() -> None:
    survey = gpcollab.load_survey(2017, "gp")
    with pytest.raises(ArgumentError, match="success"):
        gpcollab.achievement_differences(survey, by="size_band", success="brilliantly")
    with pytest.raises(ArgumentError, match="both `by` and `within`"):
        gpcollab.achievement_differences(survey, by="size_band", within="size_band")
    with pytest.raises(ArgumentError, match="`by` must name"):
        gpcollab.achievement_differences(survey, by=None)
    lonely = make_survey(
        [{"membership": "formal", "size_band": "under_30k", "aims": {"access": "fully"}}] * 3,
        items=("membership", "size_band", "aims"),
    )
    with pytest.raises(DesignError, match="No aim has respondents in two groups"):
        gpcollab.achievement_differences(lonely, by="size_band")
