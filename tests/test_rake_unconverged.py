"""Raking stopped before convergence: weights and R's variance of the raked design.

Expected values: tests/data/rake_unconverged/oracles.csv, written with R by make_oracles.R in
that folder: ``rake()`` of a stratified, clustered design to three margins stopped after two
sweeps (``maxit=2``), then ``svymean``, ``svytotal``, ``svyby`` means and proportions.  R
projects the influence values on each margin with the weights that margin's step of the last
sweep left, which ``SurveyDesign(calibration_weights=...)`` takes from
``rake(...).attrs["margin_weights"]``.  Agreement at 1e-8 (relative).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab import (
    ConvergenceWarning,
    SurveyDesign,
    estimate_mean,
    estimate_proportions,
    estimate_total,
    rake,
)

DATA = Path(__file__).parent / "data"
R = pd.read_csv(DATA / "rake_unconverged" / "oracles.csv").set_index("qty")["value"]
MARGINS = {
    "g": {"large": 300.0, "medium": 420.0, "small": 280.0},
    "m2": {"north": 480.0, "south": 520.0},
    "a": {"access": 550.0, "quality": 450.0},
}


@pytest.fixture(scope="module")
def raked() -> tuple[pd.DataFrame, SurveyDesign]:
    data = pd.read_csv(DATA / "compare_domains" / "data.csv")
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        w = rake(data, MARGINS, weights="w", epsilon=1e-12, max_iter=2)
    data["rw"] = w
    steps = w.attrs["margin_weights"]
    for margin in MARGINS:
        data[f"rw_{margin}"] = steps[margin]
    des = SurveyDesign(
        weights="rw",
        strata="h",
        psu="psu",
        calibration=tuple(MARGINS),
        calibration_weights=tuple(f"rw_{m}" for m in MARGINS),
    )
    return data, des


def test_weights(raked: tuple[pd.DataFrame, SurveyDesign]) -> None:
    data, _ = raked
    expected = np.array([R[f"w[{i + 1}]"] for i in range(len(data))])
    np.testing.assert_allclose(data["rw"].to_numpy(), expected, rtol=1e-12)


def test_mean_total_and_domains(raked: tuple[pd.DataFrame, SurveyDesign]) -> None:
    data, des = raked
    m = estimate_mean(data, "y", design=des).iloc[0]
    t = estimate_total(data, "y", design=des).iloc[0]
    assert m["estimate"] == pytest.approx(R["mean_est"], rel=1e-8)
    assert m["se"] == pytest.approx(R["mean_se"], rel=1e-8)
    assert t["estimate"] == pytest.approx(R["total_est"], rel=1e-8)
    assert t["se"] == pytest.approx(R["total_se"], rel=1e-8)
    by = estimate_mean(data, "y", by="a", design=des).set_index("a")
    for level in ("access", "quality"):
        assert by.loc[level, "estimate"] == pytest.approx(R[f"by_a_est[{level}]"], rel=1e-8)
        assert by.loc[level, "se"] == pytest.approx(R[f"by_a_se[{level}]"], rel=1e-8)
    props = estimate_proportions(data, "g", by="m2", design=des)
    for row in props.itertuples():
        key = f"{row.m2}:g{row.g}"
        assert row.estimate == pytest.approx(R[f"prop_est[{key}]"], rel=1e-8)
        assert row.se == pytest.approx(R[f"prop_se[{key}]"], rel=1e-8)


def test_final_weights_for_every_margin_differ_from_r(
    raked: tuple[pd.DataFrame, SurveyDesign],
) -> None:
    # the same design without calibration_weights: the converged-raking formula, off R's SE
    data, _ = raked
    plain = SurveyDesign(weights="rw", strata="h", psu="psu", calibration=tuple(MARGINS))
    se = estimate_mean(data, "y", design=plain)["se"].iloc[0]
    assert abs(se - R["mean_se"]) > 1e-6 * R["mean_se"]
