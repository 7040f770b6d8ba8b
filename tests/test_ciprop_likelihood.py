"""``ci_method="likelihood"``: R's ``svyciprop(method="likelihood")``.

Expected values: tests/data/ciprop_likelihood/oracles.csv, written with R by make_oracles.R in
that folder (stratified, clustered, post-stratified and simple random sample designs on the
survey package's api data; whole sample and domains; 95% and 90%; design df and ``df=Inf``).
The interval is the Rao–Scott scaled profile likelihood of an intercept-only quasi-binomial
``svyglm``; R evaluates the profile at a few points and interpolates with a spline, and
gpcollab does the same.  Agreement at 1e-8 (relative).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab import SurveyDesign, estimate_proportions, poststratify
from gpcollab.errors import ArgumentError
from gpcollab.intervals import likelihood_ci, proportion_ci

DATA = Path(__file__).parent / "data"
ORACLES = pd.read_csv(DATA / "ciprop_likelihood" / "oracles.csv")


def _data(name: str) -> pd.DataFrame:
    d = pd.read_csv(DATA / "r_survey_suite" / "data" / f"{name}.csv")
    d["yes"] = d["sch.wide"] == "Yes"
    d["awards_yes"] = d["awards"] == "Yes"
    d["ell_low"] = d["ell"] < 10
    return d


def _design(name: str) -> tuple[pd.DataFrame, SurveyDesign]:
    if name == "strat":
        return _data("apistrat"), SurveyDesign(weights="pw", strata="stype", fpc="fpc")
    if name == "srs":
        return _data("apistrat"), SurveyDesign()
    data = _data("apiclus1")
    if name == "clus1":
        return data, SurveyDesign(weights="pw", psu="dnum", fpc="fpc")
    data["ps_w"] = poststratify(data, "stype", {"E": 4421, "H": 755, "M": 1018}, weights="pw")
    return data, SurveyDesign(weights="ps_w", psu="dnum", fpc="fpc", poststrata=("stype",))


CASES = sorted({(r.design, r.y, float(r.level), r.df) for r in ORACLES.itertuples()})


@pytest.mark.parametrize(("design", "y", "level", "df"), CASES)
def test_matches_r(design: str, y: str, level: float, df: str) -> None:
    data, des = _design(design)
    kw = {"design": des, "ci_method": "likelihood", "level": level}
    if df == "inf":
        kw["df"] = math.inf
    expected = ORACLES[
        (ORACLES["design"] == design)
        & (ORACLES["y"] == y)
        & (ORACLES["level"] == level)
        & (ORACLES["df"] == df)
    ].set_index("domain")
    whole = estimate_proportions(data, y, **kw)  # type: ignore[arg-type]
    got = {"all": whole[whole[y]].iloc[0]}
    if df == "design":
        by = estimate_proportions(data, y, by="stype", **kw)  # type: ignore[arg-type]
        got.update({row["stype"]: row for _, row in by[by[y]].iterrows()})
    for domain, row in expected.iterrows():
        ours = got[str(domain)]
        assert ours["ci_method"] == "likelihood"
        assert ours["estimate"] == pytest.approx(row["estimate"], rel=1e-8)
        assert ours["ci_low"] == pytest.approx(row["ci_low"], rel=1e-8), domain
        assert ours["ci_high"] == pytest.approx(row["ci_high"], rel=1e-8), domain


def test_interval_is_not_symmetric_on_the_logit_scale() -> None:
    # source: oracles.csv, clus1 / ell_low / 95%: R's likelihood ends differ from the logit ones
    data, des = _design("clus1")
    lik = estimate_proportions(data, "ell_low", design=des, ci_method="likelihood")
    logit = estimate_proportions(data, "ell_low", design=des, ci_method="logit")
    assert not np.allclose(lik["ci_low"], logit["ci_low"], rtol=1e-3)


def test_needs_rows() -> None:
    with pytest.raises(ArgumentError, match=r"likelihood.*rows"):
        proportion_ci(0.3, 0.05, 20, method="likelihood")
    # an end the profile never reaches is NaN, as in R (here: a tiny model with few rows)
    low, high = likelihood_ci(0.5, 0.4, 3.0, 4.0, 1.0, 4.0)
    assert np.isnan(low) or 0.0 < low < 0.5
    assert np.isnan(high) or 0.5 < high < 1.0
