"""``SurveyDesign(adjust_domain_lonely=True)``: R's ``options(survey.adjust.domain.lonely=TRUE)``.

Expected values: tests/data/lonely_adjust/domain_lonely_oracles.csv, written with R by
make_domain_lonely_oracles.R in that folder (``svyby`` means and totals by a domain that
visits one PSU of a stratum with five, under the lonely-PSU policies the option changes and
one it does not).  The option off must give the ordinary variance (the rows with
``adjust_domain_lonely`` FALSE), on R's domain-lonely one.  Agreement at 1e-8 (relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab import SurveyDesign, estimate_mean, estimate_total
from gpcollab.errors import ArgumentError

DATA = Path(__file__).parent / "data"
ORACLES = pd.read_csv(DATA / "lonely_adjust" / "domain_lonely_oracles.csv")
DESIGNS = {
    "strat": {"weights": "w", "strata": "h", "psu": "psu"},
    "strat_fpc": {"weights": "w", "strata": "h", "psu": "psu", "fpc": "fpc"},
    "lonely": {"weights": "w", "strata": "h_lonely", "psu": "psu_lonely"},
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = pd.read_csv(DATA / "compare_domains" / "data.csv")
    # as the R script: PSU 1 of stratum 1, all of stratum 2, PSUs 10-11 of stratum 3
    one = (d["psu"] == 1) | (d["h"] == 2) | d["psu"].isin([10, 11])
    d["dom"] = np.where(one, "one", "rest")
    return d


CASES = sorted(
    {
        (r.design, r.policy, r.stat, r.y, bool(r.na_rm), bool(r.adjust_domain_lonely))
        for r in ORACLES.itertuples()
    }
)


@pytest.mark.parametrize(("design", "policy", "stat", "y", "na_rm", "adjust"), CASES)
def test_matches_r(
    data: pd.DataFrame, design: str, policy: str, stat: str, y: str, na_rm: bool, adjust: bool
) -> None:
    des = SurveyDesign(**DESIGNS[design], lonely_psu=policy, adjust_domain_lonely=adjust)  # type: ignore[arg-type]
    fn = estimate_mean if stat == "mean" else estimate_total
    ours = fn(data, y, by="dom", design=des, na_rm=na_rm).set_index("dom")
    expected = ORACLES[
        (ORACLES["design"] == design)
        & (ORACLES["policy"] == policy)
        & (ORACLES["stat"] == stat)
        & (ORACLES["y"] == y)
        & (ORACLES["na_rm"] == na_rm)
        & (ORACLES["adjust_domain_lonely"] == adjust)
    ].set_index("dom")
    for dom, row in expected.iterrows():
        assert ours.loc[dom, "estimate"] == pytest.approx(row["estimate"], rel=1e-8)
        assert ours.loc[dom, "se"] == pytest.approx(row["se"], rel=1e-8)


def test_option_changes_only_the_domain_with_one_psu() -> None:
    # source: domain_lonely_oracles.csv: the option raises the "one" domain's SE (it visits a
    # single PSU of stratum 1) and leaves "rest" (4 of 5 PSUs) as it was
    rows = ORACLES[(ORACLES["design"] == "strat") & (ORACLES["policy"] == "adjust")]
    rows = rows[rows["y"] == "y"].set_index(["adjust_domain_lonely", "dom"])["se"]
    assert rows[(True, "one")] > rows[(False, "one")]
    assert rows[(True, "rest")] == rows[(False, "rest")]


def test_flag_must_be_bool() -> None:
    with pytest.raises(ArgumentError, match="adjust_domain_lonely"):
        SurveyDesign(adjust_domain_lonely="yes")  # type: ignore[arg-type]


def test_adjust_total_centres_at_the_mean_of_all_psu_totals_as_survey_45() -> None:
    # Debian's R (4.1.1) does not centre a domain-lonely PSU under "adjust"; survey 4.5 (its
    # arma_onestage) centres every PSU of a stratum counted as lonely at the mean of all PSU
    # totals, sum(x) / (number of PSUs in the design), and its unvisited PSUs add that mean
    # squared. Hand computation of that rule for a domain total on four strata of 3, 2, 3
    # and 1 PSUs, the domain visiting PSUs 1-2 of stratum A, PSU 1 of stratum B (lonely in
    # the domain), all of C and D (lonely in the design). x = w * y in the domain.
    psu = ["a1", "a2", "a3", "b1", "b2", "c1", "c2", "c3", "d1"]
    stratum = [p[0] for p in psu]
    x = [4.0, 6.0, 0.0, 5.0, 0.0, 3.0, 7.0, 2.0, 9.0]  # PSU totals in the domain (one row each)
    data = pd.DataFrame({"h": stratum, "psu": psu, "y": x, "w": 1.0})
    data["dom"] = np.where(data["psu"].isin(["a3", "b2"]), "out", "in")
    design = SurveyDesign(
        weights="w", strata="h", psu="psu", lonely_psu="adjust", adjust_domain_lonely=True
    )
    res = estimate_total(data, "y", by="dom", design=design).set_index("dom")
    mean = 36.0 / 9  # all nine PSUs' domain totals over the nine PSUs of the design
    a = 3 / 2 * ((4 - 10 / 3) ** 2 + (6 - 10 / 3) ** 2 + (0 - 10 / 3) ** 2)  # visits two: own mean
    b = 2 / 1 * ((5 - mean) ** 2 + (0 - mean) ** 2)  # lonely in the domain: the overall mean
    c = 3 / 2 * ((3 - 4) ** 2 + (7 - 4) ** 2 + (2 - 4) ** 2)
    d = (9 - mean) ** 2  # lonely in the design, scale 1
    assert res.loc["in", "estimate"] == pytest.approx(36.0, rel=1e-12)
    assert res.loc["in", "se"] == pytest.approx(np.sqrt(a + b + c + d), rel=1e-10)
