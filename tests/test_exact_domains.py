"""A domain whose outcome is constant gives exactly that constant, whatever the design.

R's survey package gives exactly 0 or 1 with SE 0 for a domain whose 0/1 outcome is all 0 or
all 1, and exactly the value for a constant measurement: the weighted mean of equal values is
that value, and its influence values are all zero.  These are properties, so they are checked
over random designs (weights with zeros, strata, clusters, fpc, lonely PSUs, raking margins,
post-strata) and random domains with hypothesis; the expected values need no R because they
are exact by definition (the constant itself, SE 0, and an interval that holds it).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpcollab import (
    SurveyDesign,
    compare_domains,
    compare_means,
    compare_proportions,
    estimate_mean,
    estimate_proportions,
    estimate_var,
)


@dataclass
class Case:
    data: pd.DataFrame
    design: SurveyDesign
    constant: float  # the outcome of every row of domain "const"
    na_rm: bool


@st.composite
def cases(draw: st.DrawFn, constant: st.SearchStrategy[float]) -> Case:
    """A random table and design; domain ``"const"`` has outcome ``constant`` throughout."""
    n_strata = draw(st.integers(1, 4))
    psus = [draw(st.integers(1, 4)) for _ in range(n_strata)]
    lonely = draw(st.sampled_from(["adjust", "average", "remove", "certainty"]))
    if any(m == 1 for m in psus) and n_strata == 1:
        psus[0] = 2  # a design of one PSU is no design
    n = draw(st.integers(sum(psus) + 2, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    psu_stratum = np.repeat(np.arange(n_strata), psus)
    psu = rng.integers(0, psu_stratum.size, n)
    psu[: psu_stratum.size] = np.arange(psu_stratum.size)  # every PSU has a row
    weights = rng.uniform(0.05, 20.0, n) * rng.choice([1.0, 1e-3, 1e3], n)
    if draw(st.booleans()):
        weights[rng.random(n) < 0.15] = 0.0
    domains = np.array(["const", "b", "c", "d"])[rng.integers(0, draw(st.integers(2, 4)), n)]
    domains[:2] = ["const", "b"]  # both kinds of domain occur
    value = draw(constant)
    y = np.where(domains == "const", value, rng.normal(value, 3.0, n).round(3))
    if draw(st.booleans()):
        y = np.where(domains == "const", value, rng.integers(0, 2, n).astype(float))
    na_rm = draw(st.booleans())
    if na_rm:
        y[rng.random(n) < 0.1] = np.nan
    const_rows = domains == "const"
    if not np.any(const_rows & ~np.isnan(y) & (weights > 0)):
        first = int(np.flatnonzero(const_rows)[0])
        y[first], weights[first] = value, 1.5
    data = pd.DataFrame(
        {
            "y": y,
            "g": domains,
            "w": weights,
            "h": psu_stratum[psu],
            "psu": psu,
            "fpc": np.array([m * 3 for m in psus], dtype=float)[psu_stratum[psu]],
            "m": rng.choice(["north", "south"], n),
        }
    )
    kind = draw(st.sampled_from(["srs", "weights", "clustered", "fpc", "raked", "poststratified"]))
    design = {
        "srs": SurveyDesign(),
        "weights": SurveyDesign(weights="w"),
        "clustered": SurveyDesign(weights="w", strata="h", psu="psu", lonely_psu=lonely),
        "fpc": SurveyDesign(weights="w", strata="h", psu="psu", fpc="fpc", lonely_psu=lonely),
        "raked": SurveyDesign(
            weights="w", strata="h", psu="psu", calibration=("m", "h"), lonely_psu=lonely
        ),
        "poststratified": SurveyDesign(
            weights="w", strata="h", psu="psu", poststrata=("m",), lonely_psu=lonely
        ),
    }[kind]
    return Case(data, design, value, na_rm)


def _no_stratum_to_average(case: Case, row: pd.Series) -> bool:
    """``lonely_psu="average"`` and every stratum the domain meets has a single PSU: there is
    no stratum to average over, and the SE is NaN (as R's ``onestage``: 0 * H / 0)."""
    return case.design.lonely_psu == "average" and bool(np.isnan(row["se"]))


MEASUREMENTS = st.one_of(
    st.sampled_from([0.0, 1.0, 7.25, -3.1, 0.1, 1e-9, 123456.789]),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64),
)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _row(table: pd.DataFrame, **where: object) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for name, value in where.items():
        mask &= np.asarray(table[name] == value, dtype=bool)
    assert mask.sum() == 1, where
    return table.loc[mask].iloc[0]


@SETTINGS
@given(cases(MEASUREMENTS))
def test_constant_measurement_is_exact(case: Case) -> None:
    table = estimate_mean(case.data, "y", by="g", design=case.design, na_rm=case.na_rm)
    row = _row(table, g="const")
    assert row["estimate"] == case.constant
    assert row["se"] == 0.0 or _no_stratum_to_average(case, row)
    if row["df"] > 0:  # with no degree of freedom the interval is NaN, as R's
        assert row["ci_low"] == case.constant == row["ci_high"]
    variance = _row(
        estimate_var(case.data, "y", by="g", design=case.design, na_rm=case.na_rm), g="const"
    )
    data = case.data
    weighted = data["w"] > 0 if case.design.weights else True
    if ((data["g"] == "const") & weighted).sum() > 1:  # one row: n/(n-1) = inf, NaN as R
        assert variance["estimate"] == 0.0
        assert variance["se"] == 0.0 or _no_stratum_to_average(case, variance)


@SETTINGS
@given(cases(st.sampled_from([0.0, 1.0])))
def test_constant_proportion_is_exact_on_every_column_type(case: Case) -> None:
    data = case.data.copy()
    answered = data["y"].notna()
    others = data["g"] != "const"
    data.loc[others, "y"] = (data.loc[others, "y"] > 0).astype(float).where(answered)
    text = pd.Series(np.where(data["y"] == 1.0, "yes", "no"), index=data.index).where(answered)
    columns = {
        "numeric": data["y"],
        "boolean": (data["y"] == 1.0).where(answered).astype("boolean"),
        "text": text,
        "categorical": pd.Series(pd.Categorical(text, ["no", "yes"]), index=data.index),
    }
    share = estimate_mean(data, "y", by="g", design=case.design, na_rm=case.na_rm)
    row = _row(share, g="const")
    assert row["estimate"] == case.constant
    assert row["se"] == 0.0 or _no_stratum_to_average(case, row)
    for name, column in columns.items():
        frame = data.assign(out=column)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # BoundaryWarning: the subject of this test
            table = estimate_proportions(frame, "out", by="g", design=case.design, na_rm=case.na_rm)
        rows = table.loc[table["g"] == "const"]
        seen = set()
        for _, level in rows.iterrows():
            is_one = level["out"] in (1.0, True, "yes")
            expected = 1.0 if is_one == (case.constant == 1.0) else 0.0
            seen.add(expected)
            assert level["estimate"] == expected, name
            assert level["se"] == 0.0 or _no_stratum_to_average(case, level), name
            assert bool(level["boundary"]), name
            # the boundary interval: one end at the estimate, never zero width
            if expected == 0.0:
                assert level["ci_low"] == 0.0 and 0.0 < level["ci_high"] <= 1.0, name
            else:
                assert level["ci_high"] == 1.0 and 0.0 <= level["ci_low"] < 1.0, name
        assert 1.0 in seen, name  # the constant's own level is there, at exactly 1


@SETTINGS
@given(cases(MEASUREMENTS), st.sampled_from([0.0, 1.0, 2.5, -8.0]))
def test_difference_of_constant_domains_is_exact(case: Case, other: float) -> None:
    data = case.data.copy()
    data.loc[data["g"] == "b", "y"] = other
    data.loc[1, "w"] = max(data.loc[1, "w"], 1.5)  # row 1 is in "b": give it weight
    table = compare_domains(data, "y", by="g", design=case.design, na_rm=case.na_rm)
    pair = _row(table, g_first="b", g_second="const")
    assert pair["estimate_first"] == other
    assert pair["estimate_second"] == case.constant
    assert pair["difference"] == case.constant - other
    assert pair["se"] == 0.0 or _no_stratum_to_average(case, pair)
    if pair["df"] > 0 and pair["se"] == 0.0:
        assert pair["ci_low"] == pair["ci_high"] == pair["difference"]


@SETTINGS
@given(cases(st.sampled_from([0.0, 1.0])))
def test_two_sample_comparisons_of_constant_groups_are_exact(case: Case) -> None:
    data = case.data.loc[case.data["g"].isin(["const", "b"])].copy()
    data.loc[data["g"] == "b", "y"] = 1.0 - case.constant
    data = data.loc[data["y"].notna()]
    if data.loc[data["g"] == "b", "w"].sum() == 0 or data["psu"].nunique() < 2:
        return  # a group with no weight, or one PSU: nothing to compare
    design = SurveyDesign(weights="w")
    means = compare_means(data, "y", "g", design=design)
    assert means["estimate_b"].iloc[0] == case.constant  # levels sorted: "b", "const"
    assert means["estimate_a"].iloc[0] == 1.0 - case.constant
    assert means["se"].iloc[0] == 0.0
    const = data.loc[data["g"] == "const"]
    other = data.loc[data["g"] == "b"]
    if (const["w"] > 0).sum() < 2 or (other["w"] > 0).sum() < 2:
        return  # compare_proportions needs a degree of freedom in each sample
    result = compare_proportions(const, other, "y", design=(design, design))
    assert result["estimate_a"].iloc[0] == case.constant
    assert result["estimate_b"].iloc[0] == 1.0 - case.constant
    assert result["se_a"].iloc[0] == result["se_b"].iloc[0] == 0.0
