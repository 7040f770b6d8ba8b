"""Replicate-weight designs against R's ``survey`` (``tests/data/replicate``).

``replicate.R`` there builds each design in R (``as.svrepdesign`` from a Taylor design, or
``svrepdesign`` from replicate columns it exported to ``given_*.csv``) and writes every
estimate of ``replicate_4.1.1.csv``; here the same estimates come from gpcollab's public
estimators with ``design=ReplicateDesign(...)`` and must agree at 1e-8 relative.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _r_suite import compare, load
from gpcollab import (
    ReplicateDesign,
    SurveyDesign,
    as_replicate_design,
    estimate_mean,
    estimate_proportions,
    estimate_quantile,
    estimate_ratio,
    estimate_total,
    estimate_var,
    replicate_weights,
)
from gpcollab.errors import ArgumentError, DesignError, GpcollabError, InferenceWarning
from gpcollab.replicate import hadamard, prepare_replicates, weights_rank

HERE = Path(__file__).parent / "data" / "replicate"
ORACLE = HERE / "replicate_4.1.1.csv"
Quantities = dict[str, float]


@cache
def reference() -> dict[str, dict[str, float | str]]:
    table = pd.read_csv(ORACLE, keep_default_na=False, dtype=str)
    out: dict[str, dict[str, float | str]] = {}
    for case, qty, value, note in zip(
        table["case"], table["qty"], table["value"], table["note"], strict=True
    ):
        out.setdefault(case, {})[qty] = (
            note if qty == "error" else (math.nan if value in ("NA", "NaN") else float(value))
        )
    return out


def _given(name: str) -> pd.DataFrame:
    # round_trip: parse the 17-digit numbers exactly as R does (correctly rounded)
    return pd.read_csv(HERE / f"given_{name}.csv", float_precision="round_trip")


def _with_yes(data: pd.DataFrame) -> pd.DataFrame:
    return data.assign(yes=data["sch.wide"].astype(str) == "Yes")


CLUS1 = SurveyDesign(weights="pw", psu="dnum", fpc="fpc")
STRAT = SurveyDesign(weights="pw", strata="stype", fpc="fpc")
SCD = SurveyDesign(weights="one", strata="ESA", psu="ambulance", nest=True)
GP = SurveyDesign(weights="weight", strata="region", psu="ccg", nest=True)


def _jkn_rscales() -> tuple[float, ...]:
    return tuple(float(v) for v in pd.read_csv(HERE / "given_strat_jkn_rscales.csv")["rscales"])


def _pairs8() -> pd.DataFrame:
    """replicate.R's pairs8: the first 16 schools of apistrat as 8 strata of 2 PSUs."""
    data = load("apistrat").iloc[:16].reset_index(drop=True)
    return data.assign(h=np.repeat(np.arange(1, 9), 2), p=np.tile([1, 2], 8))


PAIRS8 = SurveyDesign(weights="pw", strata="h", psu="p", nest=True)
# R's default order-12 (Paley) matrix for eight strata, exported by replicate.R
HADAMARD8 = pd.read_csv(HERE / "given_hadamard8.csv").to_numpy()

DESIGNS: dict[str, Callable[[], tuple[pd.DataFrame, ReplicateDesign]]] = {
    "pairs8_brr": lambda: (_pairs8(), as_replicate_design(PAIRS8, "BRR", hadamard=HADAMARD8)),
    "clus1_jk1": lambda: (_with_yes(load("apiclus1")), as_replicate_design(CLUS1)),
    "clus1_nofpc_jk1": lambda: (
        _with_yes(load("apiclus1")),
        as_replicate_design(SurveyDesign(weights="pw", psu="dnum")),
    ),
    "strat_jkn": lambda: (_with_yes(load("apistrat")), as_replicate_design(STRAT)),
    "strat_jkn_mse": lambda: (_with_yes(load("apistrat")), as_replicate_design(STRAT, mse=True)),
    "scd_brr": lambda: (load("scd"), as_replicate_design(SCD, "BRR")),
    "scd_fay": lambda: (load("scd"), as_replicate_design(SCD, "Fay", fay_rho=0.3)),
    "gp_jkn": lambda: (
        pd.read_csv(Path(__file__).parent / "data" / "r_survey" / "gp_like_design.csv"),
        as_replicate_design(GP),
    ),
    "given_boot": lambda: (
        _with_yes(_given("clus1_boot")),
        ReplicateDesign(type="bootstrap", replicates="^rep[0-9]", weights="pw"),
    ),
    "given_boot_mse": lambda: (
        _with_yes(_given("clus1_boot")),
        ReplicateDesign(type="bootstrap", replicates="^rep[0-9]", weights="pw", mse=True),
    ),
    "given_jkn": lambda: (
        _with_yes(_given("strat_jkn")),
        ReplicateDesign(type="JKn", replicates="^rep[0-9]", weights="pw", rscales=_jkn_rscales()),
    ),
    "given_fay": lambda: (
        _given("scd_fay"),
        ReplicateDesign(type="Fay", replicates="^rep[0-9]", weights="one", rho=0.3),
    ),
    "given_jk1": lambda: (
        _with_yes(_given("clus1_jk1")),
        ReplicateDesign(type="JK1", replicates="^rep[0-9]", weights="pw", scale=14 / 15),
    ),
}


# --------------------------------------------------------------------------- quantities


def _row(row: pd.Series, *names: str) -> Quantities:
    mapping = {"est": "estimate", "se": "se", "df": "df", "ci_l": "ci_low", "ci_u": "ci_high"}
    return {name: float(row[mapping[name]]) for name in names}


def _keyed(table: pd.DataFrame, by: str, *names: str) -> Quantities:
    out: Quantities = {}
    for _, row in table.iterrows():
        out.update({f"{k}[{row[by]}]": v for k, v in _row(row, *names).items()})
    return out


WALD = ("est", "se", "df", "ci_l", "ci_u")


def _compute(case: str) -> Quantities:
    design_name, rest = case.split("/", 1)
    data, design = DESIGNS[design_name]()
    parts = rest.split("/")
    by = parts[0].removeprefix("by_") if parts[0].startswith("by_") else None
    if by is not None:
        parts = parts[1:]
        by = {"schwide": "sch.wide"}.get(by, by)
    stat = parts[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InferenceWarning)
        if stat in ("mean", "total"):
            y = parts[1]
            na_rm = len(parts) > 2
            if na_rm and y not in data.columns:  # as replicate.R: api00 where api99_na is absent
                y, na_rm = "api00", False
            fn = estimate_mean if stat == "mean" else estimate_total
            res = fn(data, y, by=by, design=design, na_rm=na_rm)
            return _keyed(res, by, *WALD) if by else _row(res.iloc[0], *WALD)
        if stat == "ratio":
            num, den = {"api.stu_enroll": ("api.stu", "enroll")}.get(parts[1], ("alive", "arrests"))
            res = estimate_ratio(data, num, den, by=by, design=design)
            return _keyed(res, by, *WALD) if by else _row(res.iloc[0], *WALD)
        if stat == "factor":
            return _factor(data, parts[1], by, design)
        if stat == "ciprop":
            y, method = parts[1], parts[2]
            frame = data.assign(**{y: data[y].astype(bool)})
            res = estimate_proportions(frame, y, by=by, design=design, ci_method=method)  # type: ignore[arg-type]
            res = res[res[y]]
            return _keyed(res, by, *WALD) if by else _row(res.iloc[0], *WALD)
        if stat == "quantile":
            y, method = parts[1], parts[2]
            # R's svyquantile on a replicate design computes the "mean" interval for these
            method = "mean" if method in ("beta", "xlogit", "asin") else method
            p = 0.25 if parts[-1] == "q25" else 0.5
            res = estimate_quantile(
                data,
                y,
                quantiles=p,
                by=by,
                design=design,
                ci_method=method,
            )
            return _keyed(res, by, *WALD) if by else _row(res.iloc[0], *WALD)
    raise AssertionError(f"unknown case {case}")


def _factor(data: pd.DataFrame, y: str, by: str | None, design: ReplicateDesign) -> Quantities:
    res = estimate_proportions(data, y, by=by, design=design)
    out: Quantities = {}
    for _, row in res.iterrows():
        suffix = f"[{row[by]}]" if by else ""
        out[f"est[{row[y]}]{suffix}"] = float(row["estimate"])
        out[f"se[{row[y]}]{suffix}"] = float(row["se"])
        out[f"df{suffix}"] = float(row["df"])
    return out


ESTIMATE_CASES = sorted(c for c in reference() if not c.startswith(("error/", "lonely_")))


def test_every_oracle_case_is_run() -> None:
    assert len(ESTIMATE_CASES) > 200
    assert {c.split("/")[0] for c in ESTIMATE_CASES} == set(DESIGNS)


#: R's "logit" interval comes from an intercept-only quasi-binomial glm refitted on every
#: replicate; glm.fit stops once the deviance changes by less than 1e-8 of itself, so R's
#: replicate coefficients carry an error of about that size, which gpcollab (the exact logit of
#: each replicate proportion) does not. Those intervals are compared at this tolerance.
LOGIT_RTOL = 1e-6

#: Domains where a bootstrap replicate has a proportion of exactly 1: the replicate logit is
#: infinite, so gpcollab's interval is (0, 1); R's glm stops at a large finite logit and reports
#: nearly (0, 1) (5e-5 to 0.99999).
INFINITE_LOGIT = {
    "given_boot/by_stype/ciprop/yes/logit": "H",
    "given_boot_mse/by_stype/ciprop/yes/logit": "H",
}


@pytest.mark.parametrize("case", ESTIMATE_CASES)
def test_agrees_with_r(case: str) -> None:
    ours, theirs = _compute(case), dict(reference()[case])
    if case in INFINITE_LOGIT:
        key = INFINITE_LOGIT[case]
        assert (ours[f"ci_l[{key}]"], ours[f"ci_u[{key}]"]) == (0.0, 1.0)
        assert float(theirs.pop(f"ci_l[{key}]")) < 1e-4
        assert float(theirs.pop(f"ci_u[{key}]")) > 1 - 1e-4
        del ours[f"ci_l[{key}]"], ours[f"ci_u[{key}]"]
    bad = compare(ours, theirs)
    if case.endswith("/logit"):
        bad = [
            (q, got, want)
            for q, got, want in bad
            if not (q.startswith("ci_") and abs(got - want) <= LOGIT_RTOL * abs(want))
        ]
    assert not bad, f"{case}: {len(bad)} quantities differ from R (qty, ours, R): {bad[:8]}"


# --------------------------------------------------------------------------- R's refusals


ERRORS: dict[str, Callable[[], object]] = {
    "error/jk1_stratified": lambda: as_replicate_design(STRAT, "JK1"),
    "error/jkn_unstratified": lambda: as_replicate_design(CLUS1, "JKn"),
    "error/brr_unstratified": lambda: as_replicate_design(CLUS1, "BRR"),
    "error/brr_odd_psus": lambda: estimate_mean(
        DESIGNS["gp_jkn"]()[0], "fully", design=as_replicate_design(GP, "BRR")
    ),
    "error/fay_without_rho": lambda: ReplicateDesign(type="Fay", replicates="^rep"),
    "error/jkn_combined_without_rscales": lambda: ReplicateDesign(type="JKn", replicates="^rep"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_refuses_what_r_refuses(case: str) -> None:
    assert "error" in reference()[case]  # R refused too
    with pytest.raises(GpcollabError):
        ERRORS[case]()


@pytest.mark.parametrize("policy", ["adjust", "average", "remove", "certainty", "fail"])
def test_jkn_lonely_stratum_follows_the_policy(policy: str) -> None:
    """R's jknweights with options(survey.lonely.psu=policy): row 1 of apistrat alone."""
    data = load("apistrat")
    data = data.assign(stratum=np.where(data.index == 0, "X", data["stype"].astype(str)))
    rep = as_replicate_design(SurveyDesign(weights="pw", strata="stratum", lonely_psu=policy))  # type: ignore[arg-type]
    want = reference()[f"lonely_{policy}/mean/api00"]
    if "error" in want:
        with pytest.raises(DesignError, match="'X' has a single PSU"):
            estimate_mean(data, "api00", design=rep)
        return
    ours = _row(estimate_mean(data, "api00", design=rep).iloc[0], *WALD)
    total = _row(estimate_total(data, "enroll", design=rep).iloc[0], *WALD)
    ours.update({f"total_{k}": v for k, v in total.items()})
    assert compare(ours, want) == []


def test_other_engine_functions_refuse_a_replicate_design() -> None:
    data = _given("scd_fay")
    rep = ReplicateDesign(type="Fay", replicates="^rep", weights="one", rho=0.3)
    with pytest.raises(ArgumentError, match="must be a SurveyDesign or None"):
        estimate_var(data, "alive", design=rep)


def test_bad_input_messages() -> None:
    data = _given("scd_fay")
    with pytest.raises(ArgumentError, match=r"not in the data.*rep999"):
        estimate_mean(
            data, "alive", design=ReplicateDesign(type="BRR", replicates=("rep001", "rep999"))
        )
    with pytest.raises(ArgumentError, match="matches no column"):
        estimate_mean(data, "alive", design=ReplicateDesign(type="BRR", replicates="^zz"))
    with pytest.raises(ArgumentError, match="`type` must be one of"):
        ReplicateDesign(type="jackknife", replicates="^rep")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="`type` must be one of"):
        as_replicate_design(SCD, "brr")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="sets `scale`"):
        ReplicateDesign(type="BRR", replicates="^rep", scale=0.5)
    with pytest.raises(ArgumentError, match="not a Hadamard"):
        as_replicate_design(SCD, "BRR", hadamard=np.ones((4, 4)))
    with pytest.raises(ArgumentError, match="seed"):
        as_replicate_design(CLUS1, "bootstrap")
    holes = data.assign(rep002=data["rep002"].where(data.index != 3))
    with pytest.raises(DesignError, match=r"rep002.*missing.*rows \[3\]"):
        estimate_mean(holes, "alive", design=ReplicateDesign(type="BRR", replicates="^rep"))
    scd = load("scd")
    with pytest.raises(DesignError, match=r"exactly 2 PSUs.*3 \(1 PSUs\)"):
        odd = scd.assign(ambulance=np.where(scd.index == 5, 1, scd["ambulance"]))
        estimate_mean(odd, "alive", design=as_replicate_design(SCD, "BRR"))
    lonely = load("apistrat").assign(stype=lambda d: np.where(d.index == 0, "X", d["stype"]))
    with pytest.raises(DesignError, match=r"'X' has a single PSU"):
        estimate_mean(lonely, "api00", design=as_replicate_design(STRAT))


# --------------------------------------------------------------------------- by hand


def test_brr_weights_follow_the_hadamard_rows() -> None:
    """scd: three strata of two ambulances, R's order-4 matrix; written out by hand."""
    data = load("scd")
    w = replicate_weights(data, as_replicate_design(SCD, "BRR")).to_numpy()
    # rows 2-4 of [[1,1,1,1],[1,0,1,0],[1,1,0,0],[1,0,0,1]]: a 1 puts the first PSU in
    expected = np.array(
        [[2, 0, 2, 0], [0, 2, 0, 2], [2, 2, 0, 0], [0, 0, 2, 2], [2, 0, 0, 2], [0, 2, 2, 0]],
        dtype=float,
    )
    assert np.array_equal(w, expected)
    assert hadamard(4).shape == (8, 8)


def test_default_hadamard_differs_from_r_only_for_nonlinear_estimates() -> None:
    """Eight strata: R's order-12 matrix, gpcollab's default Sylvester order 16 (documented).

    Both are fully balanced, so the SE of a total is the same (R's value); a mean's differs.
    """
    data = _pairs8()
    ours = as_replicate_design(PAIRS8, "BRR")
    assert replicate_weights(data, ours).shape == (16, 16)
    total = estimate_total(data, "enroll", design=ours)
    want = reference()["pairs8_brr/total/enroll"]
    assert compare(_row(total.iloc[0], "est", "se"), {k: want[k] for k in ("est", "se")}) == []
    mean = estimate_mean(data, "api00", design=ours)
    assert (
        abs(float(mean["se"].iloc[0]) / float(reference()["pairs8_brr/mean/api00"]["se"]) - 1)
        > 1e-6
    )


def test_rank_is_r_qr_rank() -> None:
    a = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0000001], [0.0, 0.0, 1.0]])
    # column 2 is twice column 1; column 3 is independent
    assert weights_rank(a.T @ a) == 2
    assert weights_rank(np.zeros((2, 2))) == 0


def test_constant_domain_is_exact() -> None:
    """A domain whose values are all 7.25 (or all True) has exactly that estimate and SE 0."""
    data = _with_yes(_given("clus1_jk1"))
    data = data.assign(c=np.where(data["stype"] == "H", 7.25, data["api00"] / 7.0))
    data["yes_h"] = np.where(data["stype"] == "H", True, data["yes"])
    rep = ReplicateDesign(type="JK1", replicates="^rep[0-9]", weights="pw", scale=14 / 15)
    mean = estimate_mean(data, "c", by="stype", design=rep).set_index("stype")
    assert mean.loc["H", "estimate"] == 7.25 and mean.loc["H", "se"] == 0.0
    assert mean.loc["H", "ci_low"] == 7.25 == mean.loc["H", "ci_high"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prop = estimate_proportions(data, "yes_h", by="stype", design=rep)
    h = prop[(prop["stype"] == "H") & prop["yes_h"]].iloc[0]
    assert h["estimate"] == 1.0 and h["se"] == 0.0 and h["boundary"]


def test_jk1_by_hand() -> None:
    """Four PSUs of one row each, no weights: JK1 variance of a mean is s^2 / n."""
    data = pd.DataFrame({"y": [1.0, 2.0, 4.0, 9.0]})
    res = estimate_mean(data, "y", design=as_replicate_design(SurveyDesign()))
    assert res["se"].iloc[0] == pytest.approx(math.sqrt(np.var([1, 2, 4, 9], ddof=1) / 4))
    assert res["df"].iloc[0] == 3
    prepared = prepare_replicates(data, as_replicate_design(SurveyDesign()))
    assert prepared.scale == pytest.approx(3 / 4)


def test_bootstrap_conversion_is_seeded() -> None:
    data = load("apiclus1")
    a = replicate_weights(data, as_replicate_design(CLUS1, "bootstrap", seed=1, n_replicates=20))
    b = replicate_weights(data, as_replicate_design(CLUS1, "bootstrap", seed=1, n_replicates=20))
    assert a.equals(b) and a.shape == (len(data), 20)
    # each replicate draws n - 1 = 14 of the 15 clusters, each worth 15/14 of its weight
    per_cluster = (a.div(data["pw"], axis=0)).groupby(data["dnum"]).first()
    assert np.allclose(per_cluster.sum(axis=0), 14 * 15 / 14)


def test_rscales_may_be_a_list() -> None:
    design = ReplicateDesign(type="JKn", replicates="^rep", rscales=[0.5, 0.25])  # type: ignore[arg-type]
    assert design.rscales == (0.5, 0.25)
