"""Tests of gpcollab.weighting: raking, post-stratification, Kish efficiency.

Sources: tests/data/r_survey/gp_like_design/raked_weights.csv (R rake of the gp_like design),
estimation_extra/apiclus1_raked_weights.csv (R, epsilon 1e-10) and the statistics reference
5.A (Kish n_eff of dw), 5.E (raked cells) and 5.I (raked toy weights, printed with 8 decimals,
and Kish efficiencies printed as percentages with 8 decimals).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gpcollab.errors import ArgumentError, ConvergenceError, DesignError
from gpcollab.weighting import kish_efficiency, poststratify, rake

DATA = Path(__file__).parent / "data" / "r_survey"
RTOL = 1e-8


@pytest.fixture(scope="module")
def gp() -> pd.DataFrame:
    return pd.read_csv(DATA / "gp_like_design.csv")


def _gp_margins() -> dict[str, dict[object, float]]:
    df = pd.read_csv(DATA / "gp_like_design" / "rake_margins.csv")
    size = df[df["margin"] == "size_band"]
    region = df[df["margin"] == "region"]
    return {
        "size_band": dict(zip(size["level"], size["Freq"], strict=True)),
        "region": dict(zip(region["level"].astype(int), region["Freq"], strict=True)),
    }


def test_rake_gp_like_matches_r(gp: pd.DataFrame) -> None:
    # source: gp_like_design/raked_weights.csv
    oracle = pd.read_csv(DATA / "gp_like_design" / "raked_weights.csv")
    w = rake(gp, _gp_margins(), weights="weight")
    np.testing.assert_allclose(w.to_numpy(), oracle["raked_weight"].to_numpy(), rtol=RTOL)
    assert w.index.equals(gp.index)
    assert w.attrs["max_error"] < 1e-10
    assert w.attrs["kish_efficiency"] == pytest.approx(kish_efficiency(w), rel=1e-14)
    # margins are met
    for col, targets in _gp_margins().items():
        sums = w.groupby(gp[col]).sum()
        for level, total in targets.items():
            assert sums[level] == pytest.approx(total, rel=1e-10)


def test_rake_apiclus1_matches_r() -> None:
    # source: estimation_extra/apiclus1_raked_weights.csv; cells from statistics reference 5.E
    data = pd.read_csv(DATA / "estimation_extra" / "apiclus1_awards.csv")
    oracle = pd.read_csv(DATA / "estimation_extra" / "apiclus1_raked_weights.csv")
    w = rake(
        data,
        {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}},
        weights="pw",
    )
    np.testing.assert_allclose(w.to_numpy(), oracle["raked_weight"].to_numpy(), rtol=RTOL)
    cells = w.groupby([data["stype"], data["sch.wide"]]).sum()
    expected = {
        ("E", "No"): 478.0708350,
        ("E", "Yes"): 3942.9291650,
        ("H", "No"): 201.3765877,
        ("H", "Yes"): 553.6234123,
        ("M", "No"): 392.5525773,
        ("M", "Yes"): 625.4474227,
    }
    for key, value in expected.items():
        # printed to 7 decimals after R's own stopping rule; agreement is 1.4e-10 relative
        assert cells[key] == pytest.approx(value, rel=1e-9)


def test_rake_toy_section_5i() -> None:
    # statistics reference 5.I: raked weights (8 decimals) and Kish efficiencies
    w0 = [1.2, 0.8, 1.5, 1.0, 2.0, 0.5, 1.1, 0.9, 1.3, 1.7] * 3
    data = pd.DataFrame(
        {
            "size": ["small"] * 10 + ["medium"] * 10 + ["large"] * 10,
            "funded": ["yes", "no"] * 15,
            "w": w0,
        }
    )
    expected = np.array(
        """1.52112676 0.97959184 1.90140845 1.22448980 2.53521127 0.61224490 1.39436620
        1.10204082 1.64788732 2.08163265 0.91267606 0.58775510 1.14084507 0.73469388
        1.52112676 0.36734694 0.83661972 0.66122449 0.98873239 1.24897959 0.60845070
        0.39183673 0.76056338 0.48979592 1.01408451 0.24489796 0.55774648 0.44081633
        0.65915493 0.83265306""".split(),
        dtype=float,
    )
    w = rake(
        data,
        {"size": {"small": 15, "medium": 9, "large": 6}, "funded": {"no": 12, "yes": 18}},
        weights="w",
    )
    np.testing.assert_allclose(w.to_numpy(), expected, rtol=0, atol=5e-9)
    assert 100 * w.attrs["kish_efficiency"] == pytest.approx(77.71091221, abs=5e-9)
    assert 100 * kish_efficiency(w0) == pytest.approx(88.99876391, abs=5e-9)


def test_kish_efficiency_apistrat_weights() -> None:
    # statistics reference 5.A: Kish n_eff of dw = 168.5813313 (efficiency 84.29066564 %)
    data = pd.read_csv(DATA / "api" / "apistrat.csv")
    eff = kish_efficiency(data["pw"])
    assert eff * len(data) == pytest.approx(168.5813313, abs=5e-8)
    assert 100 * eff == pytest.approx(84.29066564, abs=5e-9)
    assert kish_efficiency([1.0, 1.0, 2.0, 2.0]) == pytest.approx(36 / 40)  # hand computation
    with pytest.raises(ArgumentError, match=r"non-negative"):
        kish_efficiency([1.0, -1.0])


def test_poststratify() -> None:
    data = pd.DataFrame({"g": ["a", "a", "b", "b"], "h": ["x", "y", "x", "y"], "w": [1, 3, 1, 1]})
    w = poststratify(data, "g", {"a": 8, "b": 10}, weights="w")
    assert w.tolist() == [2.0, 6.0, 5.0, 5.0]  # hand: a scaled by 8/4, b by 10/2
    cells = {("a", "x"): 1, ("a", "y"): 2, ("b", "x"): 3, ("b", "y"): 4}
    w2 = poststratify(data, ["g", "h"], cells)
    assert w2.tolist() == [1.0, 2.0, 3.0, 4.0]
    with pytest.raises(ArgumentError, match=r"level\(s\) \['b'\] with no target"):
        poststratify(data, "g", {"a": 8})


@pytest.mark.parametrize(
    ("margins", "match"),
    [
        (
            {"g": {"a": 5, "b": 5, "c": 1}},
            r"level\(s\) \['c'\] of 'g' that are absent from the data",
        ),
        ({"g": {"a": 5}}, r"level\(s\) \['b'\] with no target"),
        ({"g": {"a": 5, "b": 5}, "h": {"x": 5, "y": 6}}, r"must sum to the same population total"),
        ({"zz": {"a": 1}}, r"`margins` names column 'zz'"),
        ({"g": {"a": -1, "b": 5}}, r"finite and non-negative"),
        ({}, r"non-empty mapping"),
    ],
)
def test_rake_errors(margins: dict[str, dict[str, float]], match: str) -> None:
    data = pd.DataFrame({"g": ["a", "a", "b", "b"], "h": ["x", "y", "x", "y"]})
    # targets the data cannot reach are a design error; every other case is an argument error
    error = DesignError if "absent from the data" in match else ArgumentError
    with pytest.raises(error, match=match):
        rake(data, margins)


def test_rake_non_convergence_reports_error() -> None:
    # an empty cell (a, y) makes these margins unreachable exactly: IPF creeps slowly
    data = pd.DataFrame({"g": ["a", "b", "b"], "h": ["x", "x", "y"]})
    margins = {"g": {"a": 10.0, "b": 10.0}, "h": {"x": 2.0, "y": 18.0}}
    with pytest.raises(ConvergenceError, match=r"did not converge in max_iter=5 .* error is \d"):
        rake(data, margins, max_iter=5)
    with pytest.raises(ArgumentError, match=r"`max_iter` must be a positive integer"):
        rake(data, margins, max_iter=0)
    with pytest.raises(ArgumentError, match=r"`tol` must be a positive number"):
        rake(data, margins, tol=-1.0)


def _suite_weights(case: str) -> np.ndarray:
    """R survey 4.5's adjusted weights w[1..n] of one case of the R suite."""
    ref = pd.read_csv(
        Path(__file__).parent / "data" / "r_survey_suite" / "reference" / "survey_4.5.csv",
        keep_default_na=False,
        dtype=str,
    )
    rows = ref[(ref["case"] == case) & ref["qty"].str.startswith("w[")]
    order = rows["qty"].str.slice(2, -1).astype(int).argsort()
    return rows["value"].astype(float).to_numpy()[order.to_numpy()]


def _kalton() -> tuple[pd.DataFrame, dict[str, dict[str, float]]]:
    suite = Path(__file__).parent / "data" / "r_survey_suite" / "data"
    data = pd.read_csv(suite / "kalton_sample.csv")
    margins = {}
    for name in ("a", "b"):
        pop = pd.read_csv(suite / f"kalton_pop_{name}.csv")
        data[name] = data[name].astype(str)
        margins[name] = dict(zip(pop[name].astype(str), pop["Freq"].astype(float), strict=True))
    return data, margins


def test_rake_epsilon_stops_where_r_stops() -> None:
    # source: R survey 4.5, tests/kalton.R rake(..., control=list(epsilon=1e-4)) (the suite's
    # calib/kalton_rake_test): R stops after the fifth sweep, where no margin total moved by
    # 1e-4 of the 1000 starting weights; the weights are not yet raked to convergence
    data, margins = _kalton()
    w = rake(data, margins, epsilon=1e-4, max_iter=10)
    np.testing.assert_allclose(w.to_numpy(), _suite_weights("calib/kalton_rake_test"), rtol=1e-12)
    assert w.attrs["iterations"] == 5
    assert w.attrs["converged"] is True
    assert w.attrs["max_error"] > 1e-7  # R's stop leaves the margins unmet
    converged = rake(data, margins)
    assert not np.allclose(w.to_numpy(), converged.to_numpy(), rtol=1e-6)


def test_rake_epsilon_not_met_warns_like_r() -> None:
    from gpcollab.errors import ConvergenceWarning

    data, margins = _kalton()
    with pytest.warns(ConvergenceWarning, match=r"max_iter=2 sweeps.*epsilon"):
        w = rake(data, margins, epsilon=1e-12, max_iter=2)
    assert w.attrs["converged"] is False
    assert w.attrs["iterations"] == 2
    with pytest.raises(ArgumentError, match="epsilon"):
        rake(data, margins, epsilon=0)
    # the default rule still raises when it cannot converge
    with pytest.raises(ConvergenceError):
        rake(data, margins, max_iter=2)


def test_rake_r_default_rule_matches_r_on_apiclus1() -> None:
    # source: R survey 4.5, example(rake): rake(dclus1, ~stype, ~sch.wide) with the default
    # control=list(epsilon=1, maxit=10) (the suite's calib/rake_clus1_default)
    suite = Path(__file__).parent / "data" / "r_survey_suite" / "data"
    data = pd.read_csv(suite / "apiclus1.csv")
    margins = {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch.wide": {"No": 1072, "Yes": 5122}}
    w = rake(data, margins, weights="pw", epsilon=1, max_iter=10)
    np.testing.assert_allclose(w.to_numpy(), _suite_weights("calib/rake_clus1_default"), rtol=1e-12)
    assert w.attrs["iterations"] == 4


def test_rake_margin_weights_are_the_last_sweep_steps() -> None:
    # hand computation: one sweep rakes this table exactly (sex first, then age)
    df = pd.DataFrame({"sex": ["f", "f", "m", "m"], "age": ["y", "o", "y", "o"]})
    w = rake(df, {"sex": {"f": 60, "m": 40}, "age": {"y": 50, "o": 50}})
    steps = w.attrs["margin_weights"]
    assert list(steps.columns) == ["sex", "age"]
    assert steps["sex"].tolist() == [30.0, 30.0, 20.0, 20.0]  # 60/2 and 40/2
    assert steps["age"].tolist() == w.tolist()


def test_calibration_weights_name_one_column_per_margin() -> None:
    from gpcollab import SurveyDesign

    with pytest.raises(ArgumentError, match="one column per `calibration` margin"):
        SurveyDesign(weights="w", calibration=("a", "b"), calibration_weights=("wa",))
