"""calibrate() (linear / GREG calibration) and SurveyDesign(greg=...) against R's calibrate().

Expected values: ``tests/data/design_toolbox/reference.csv`` (cases ``greg/*``), written by
``make_reference.R`` there: the calibrated weights, and means, totals, proportions, domain
means and totals and a linear model on the calibrated design, compared at 1e-8 relative. The
suite's survey 4.5 cases ``unsupported/calibrate_*`` run in ``test_r_survey_suite.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from _r_suite import compare, design
from gpcollab import (
    ArgumentError,
    CalibrationModel,
    ConvergenceError,
    DesignError,
    SurveyDesign,
    calibrate,
    estimate_mean,
    estimate_proportions,
    estimate_total,
    survey_glm,
)
from test_survey_glm import quantities, reference

POP_TYPES = {"E": 4421.0, "H": 755.0, "M": 1018.0}
POP_SCHWIDE = {"No": 1072.0, "Yes": 5122.0}
API99 = 3914069.0
THREE = {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE, "api99": API99}


def _on(data: pd.DataFrame, des: SurveyDesign) -> dict[str, float]:
    """The quantities of make_reference.R's k_on() for a calibrated design."""
    out = {f"w[{i + 1}]": float(w) for i, w in enumerate(data[des.weights])}
    m = estimate_mean(data, "api00", design=des).iloc[0]
    t = estimate_total(data, "enroll", design=des, na_rm=True).iloc[0]
    out.update(
        mean_api00_est=m["estimate"],
        mean_api00_se=m["se"],
        total_enroll_est=t["estimate"],
        total_enroll_se=t["se"],
    )
    p = estimate_proportions(data, "comp.imp", design=des)
    for row in p.itertuples():
        out[f"compimp_est[comp.imp{row[1]}]"] = row.estimate
        out[f"compimp_se[comp.imp{row[1]}]"] = row.se
    for by, kind, name in (("awards", "mean", "by_awards"), ("stype", "total", "total_by_stype")):
        fn = estimate_mean if kind == "mean" else estimate_total
        for row in fn(data, "api00", by=by, design=des).itertuples():
            out[f"{name}_est[{row[1]}]"] = row.estimate
            out[f"{name}_se[{row[1]}]"] = row.se
    fit = survey_glm(data, "api00 ~ ell + sch.wide", design=des)
    out.update(quantities(fit, ("sch.wide",)))
    return out


def _calibrated(name: str, totals: dict[str, object], **kw: object) -> dict[str, float]:
    data, des = design(name)
    w = calibrate(data, totals, weights=des.weights, **kw)  # type: ignore[arg-type]
    data["cal_w"] = w
    cal = SurveyDesign(
        weights="cal_w", strata=des.strata, psu=des.psu, fpc=des.fpc, greg=w.attrs["model"]
    )
    return _on(data, cal)


@pytest.mark.parametrize(
    ("case", "name", "totals", "kw"),
    [
        ("greg/clus1_three_margins", "clus1", THREE, {}),
        ("greg/clus1_bounded", "clus1", THREE, {"bounds": (0.5, 1.6)}),
        ("greg/clus1_api99_intercept", "clus1", {"api99": API99}, {"population": 6194.0}),
        ("greg/strat_api99_only", "strat", {"api99": API99}, {}),
    ],
)
def test_calibrated_design_agrees_with_r(
    case: str, name: str, totals: dict[str, object], kw: dict[str, object]
) -> None:
    bad = compare(_calibrated(name, totals, **kw), reference()[case])
    assert not bad, f"{case}: quantities differ from R (qty, ours, R): {bad[:8]}"


def test_bounds_r_cannot_meet_are_refused() -> None:
    assert reference()["greg/clus1_bounds_unmet"] == {"error": 1.0}
    data, _ = design("clus1")
    with pytest.raises(ConvergenceError, match="bounds"):
        calibrate(data, THREE, weights="pw", bounds=(0.8, 1.2))


def test_totals_are_met_and_bounds_hold() -> None:
    data, _ = design("clus1")
    w = calibrate(data, THREE, weights="pw", bounds=(0.5, 1.6))
    g = w.attrs["g"]
    assert g.min() >= 0.5 - 1e-12 and g.max() <= 1.6 + 1e-12
    np.testing.assert_allclose(w.groupby(data["stype"], observed=True).sum()["H"], 755.0)
    np.testing.assert_allclose(float((w * data["api99"]).sum()), API99, rtol=1e-7)
    assert w.attrs["model"] == CalibrationModel(("stype", "sch.wide"), ("api99",), "pw", True)


def test_hand_computed_linear_calibration() -> None:
    # g = 1 + x'lambda on x = (1, [g = b], v): weights 2.5, 7.5 | 2.5, 7.5 meet a=10, b=10 and
    # sum v w = 2.5 + 15 + 7.5 + 30 = 55 (solved by hand from the two level equations)
    df = pd.DataFrame({"g": ["a", "a", "b", "b"], "v": [1.0, 2.0, 3.0, 4.0]})
    w = calibrate(df, {"g": {"a": 10, "b": 10}, "v": 55.0})
    np.testing.assert_allclose(w.to_numpy(), [2.5, 7.5, 2.5, 7.5])


def test_calibrating_a_mean_to_its_total_gives_se_zero() -> None:
    # the total of a calibration variable is known exactly: its SE is 0 (R gives 0 too)
    data, _ = design("clus1")
    data["cal_w"] = w = calibrate(data, THREE, weights="pw")
    cal = SurveyDesign(weights="cal_w", psu="dnum", fpc="fpc", greg=w.attrs["model"])
    res = estimate_total(data, "api99", design=cal).iloc[0]
    assert res["estimate"] == pytest.approx(API99, rel=1e-12)
    assert res["se"] < 1e-6 * API99


def test_bad_calibration_input() -> None:
    data, _ = design("clus1")
    with pytest.raises(ArgumentError, match="population sizes"):
        calibrate(data, {"stype": POP_TYPES, "sch.wide": {"No": 1.0, "Yes": 2.0}})
    with pytest.raises(ArgumentError, match="no target"):
        calibrate(data, {"stype": {"E": 1.0, "H": 2.0}})
    with pytest.raises(ArgumentError, match="mapping"):
        calibrate(data, {"stype": "E"})
    with pytest.raises(ArgumentError, match="numeric"):
        calibrate(data, {"stype": 5.0})
    with pytest.raises(ArgumentError, match="bounds"):
        calibrate(data, THREE, bounds=(1.2, 2.0))
    with pytest.raises(DesignError, match="missing"):
        calibrate(data, {"acs.k3": 1000.0})
    with pytest.raises(ArgumentError, match="greg"):
        SurveyDesign(weights="pw", greg="stype")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="greg"):
        SurveyDesign(weights="pw", calibration=("stype",), greg=CalibrationModel(("stype",)))
    assert math.isfinite(calibrate(data, {"api99": API99}).sum())
