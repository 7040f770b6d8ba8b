"""Replicate-weight designs by domain: gpcollab against R's survey on the same tables.

Run: ``python benchmarks/bench_replicate.py [--quick] [--no-r] [--r-timeout SECONDS]
[--only TEXT]`` (``--only``: the tables whose name contains ``TEXT``).

Each row times one estimator by domain on a replicate design made from a Taylor design with
:func:`gpcollab.as_replicate_design` (R: ``as.svrepdesign``), from the data in memory (the
replicate weights are made by every call, as R's ``svyby`` on a design built beforehand is
not):

* ``survey-sized``: 200,000 rows, 1,450 PSUs, 35 domains (7 aims x 5 size bands): JK1 on the
  PSUs unstratified (1,450 replicates), JKn with 145 strata of 10 PSUs (1,450 replicates), BRR
  with 725 strata of 2 PSUs (1,024 replicates), the bootstrap with 145 strata (200 replicates);
* ``R-sized``: 20,000 rows, 120 PSUs (60 strata of 2, so R's Hadamard matrix is the one
  gpcollab builds), the same 35 domains and types (bootstrap: 50 replicates);
* the bundled (synthetic) GP sets of 2015 and 2017, strata ``region`` and PSUs ``ccg_code``,
  by ``size_band`` (JK1 unstratified, JKn, bootstrap with 50 replicates; BRR needs two PSUs
  per stratum and is not run there).

Estimators: ``estimate_mean(x)``, ``estimate_total(x)`` and ``estimate_proportions(y)`` by
domain (``x`` a measurement, ``y`` a 0/1 outcome read as categories).  Times are the best of a
few runs (``--quick``: one run, survey-sized JK1 and JKn only).  Where ``Rscript`` with the
survey package is installed, the same design is built in R (``as.svrepdesign``, not timed) and
``svyby(~x, ~aim+size_band, des, svymean)`` (``svytotal``; ``svymean`` of ``factor(y)``) is
timed on it, each R job stopped after ``--r-timeout`` seconds (default 120: the survey-sized
tables take R longer, shown as ``> 120 s``); for JK1, JKn and BRR the estimates and SEs must
agree with R's within 1e-8 (relative).  The bootstrap's replicates are random draws, different
in R, so only its time is compared.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

# run as a script, this folder is on sys.path: one check for R, shared with bench_domains
from bench_domains import r_available

import gpcollab as gc
from gpcollab import ReplicateDesign, SurveyDesign, as_replicate_design
from gpcollab.replicate import prepare_replicates

TOL = 1e-8
BY = ["aim", "size_band"]


@dataclass(frozen=True)
class Table:
    """A table to time, its replicate designs and what R should do with them."""

    name: str
    data: pd.DataFrame
    by: list[str]
    designs: dict[str, ReplicateDesign]
    r_designs: dict[str, str]  # type -> R code building `des` from data frame `d`


def synthetic_table(n: int, n_psu: int, seed: int = 20261206) -> pd.DataFrame:
    """A seeded table: every PSU has rows; strata of 10 and of 2 PSUs; 35 domains."""
    rng = np.random.default_rng(seed)
    psu = np.concatenate([np.arange(n_psu), rng.integers(0, n_psu, size=n - n_psu)])
    aim = rng.integers(0, 7, size=n)
    size = rng.integers(0, 5, size=n)
    effect = rng.normal(0.0, 0.3, size=n_psu)
    x = 50.0 + 5.0 * size + 2.0 * aim + 10.0 * effect[psu] + rng.normal(0.0, 8.0, size=n)
    y = (rng.random(n) < 0.2 + 0.05 * size + 0.1 * (effect[psu] > 0)).astype(np.int64)
    return pd.DataFrame(
        {
            "psu": psu,
            "stratum10": psu // 10,
            "stratum2": psu // 2,
            "w": rng.lognormal(mean=2.0, sigma=0.4, size=n),
            "aim": np.array([f"aim{k}" for k in range(7)])[aim],
            "size_band": np.array([f"size{k}" for k in range(5)])[size],
            "x": x,
            "y": y,
        }
    )


def synthetic(name: str, n: int, n_psu: int, n_boot: int) -> Table:
    data = synthetic_table(n, n_psu)
    one = SurveyDesign(weights="w", psu="psu")
    by10 = SurveyDesign(weights="w", strata="stratum10", psu="psu", nest=True)
    by2 = SurveyDesign(weights="w", strata="stratum2", psu="psu", nest=True)
    return Table(
        name,
        data,
        BY,
        {
            "JK1": as_replicate_design(one, "JK1"),
            "JKn": as_replicate_design(by10, "JKn"),
            "BRR": as_replicate_design(by2, "BRR"),
            "bootstrap": as_replicate_design(by10, "bootstrap", n_replicates=n_boot, seed=1),
        },
        {
            "JK1": 'as.svrepdesign(svydesign(ids=~psu, weights=~w, data=d), type="JK1")',
            "JKn": "as.svrepdesign(svydesign(ids=~psu, strata=~stratum10, weights=~w, "
            'nest=TRUE, data=d), type="JKn")',
            "BRR": "as.svrepdesign(svydesign(ids=~psu, strata=~stratum2, weights=~w, "
            'nest=TRUE, data=d), type="BRR")',
            "bootstrap": "as.svrepdesign(svydesign(ids=~psu, strata=~stratum10, weights=~w, "
            f'nest=TRUE, data=d), type="subbootstrap", replicates={n_boot})',
        },
    )


def bundled(wave: int) -> Table:
    survey = gc.load_survey(wave, "gp")
    frame = survey.respondents
    level = frame["level"]
    data = pd.DataFrame(
        {
            "region": frame["region"].astype(str),
            "ccg_code": frame["ccg_code"].astype(str),
            "size_band": frame["size_band"].astype(str),
            "w": 1.0,
            # a measurement and a 0/1 outcome of the synthetic set: the level's code, and
            # whether the collaboration works at the level of a locality
            "x": level.cat.codes.astype(float),
            "y": (level.astype(str) == "locality").astype(np.int64),
        }
    )
    data = data[level.notna().to_numpy()].reset_index(drop=True)
    one = SurveyDesign(psu="ccg_code")
    strat = SurveyDesign(strata="region", psu="ccg_code", nest=True)
    return Table(
        f"GP {wave} (bundled, synthetic)",
        data,
        ["size_band"],
        {
            "JK1": as_replicate_design(one, "JK1"),
            "JKn": as_replicate_design(strat, "JKn"),
            "bootstrap": as_replicate_design(strat, "bootstrap", n_replicates=50, seed=1),
        },
        {
            "JK1": 'as.svrepdesign(svydesign(ids=~ccg_code, data=d), type="JK1")',
            "JKn": "as.svrepdesign(svydesign(ids=~ccg_code, strata=~region, nest=TRUE, "
            'data=d), type="JKn")',
            "bootstrap": "as.svrepdesign(svydesign(ids=~ccg_code, strata=~region, nest=TRUE, "
            'data=d), type="subbootstrap", replicates=50)',
        },
    )


STATISTICS: dict[str, Callable[..., pd.DataFrame]] = {
    "mean": lambda d, by, des: gc.estimate_mean(d, "x", by=by, design=des),
    "total": lambda d, by, des: gc.estimate_total(d, "x", by=by, design=des),
    "proportions": lambda d, by, des: gc.estimate_proportions(d, "y", by=by, design=des),
}

R_SCRIPT = r"""
suppressMessages(library(survey))
d <- read.csv("{csv}", stringsAsFactors=FALSE)
d$yf <- factor(d$y)
des <- {design}
by <- as.formula("~{by}")
time_it <- function(f) {{
  best <- Inf
  for (i in seq_len({repeats})) {{
    t0 <- proc.time()[["elapsed"]]; r <- f(); best <- min(best, proc.time()[["elapsed"]] - t0)
  }}
  list(best=best, r=r)
}}
m <- time_it(function() svyby(~x, by, des, svymean))
t <- time_it(function() svyby(~x, by, des, svytotal))
p <- time_it(function() svyby(~yf, by, des, svymean))
keys <- function(b) do.call(paste, c(lapply(strsplit("{by}", "+", fixed=TRUE)[[1]],
                                             function(k) as.character(b[[k]])), sep="|"))
out <- rbind(
  data.frame(stat="mean", key=keys(m$r), estimate=coef(m$r), se=SE(m$r)),
  data.frame(stat="total", key=keys(t$r), estimate=coef(t$r), se=SE(t$r)),
  data.frame(stat="proportions", key=paste(keys(p$r), "1", sep="|"),
             estimate=p$r[["yf1"]], se=as.matrix(SE(p$r))[, 2])
)
write.csv(out, "{out}", row.names=FALSE)
cat(sprintf("%.6f %.6f %.6f\n", m$best, t$best, p$best))
"""


def run_r(
    table: Table, kind: str, repeats: int, timeout: float
) -> tuple[dict[str, float], pd.DataFrame] | None:
    """R's best times of the three svyby calls and its estimates, or None after ``timeout``."""
    with tempfile.TemporaryDirectory() as tmp:
        csv, out, script = Path(tmp) / "d.csv", Path(tmp) / "out.csv", Path(tmp) / "b.R"
        table.data.to_csv(csv, index=False)
        script.write_text(
            R_SCRIPT.format(
                csv=csv.as_posix(),
                out=out.as_posix(),
                design=table.r_designs[kind],
                by="+".join(table.by),
                repeats=repeats,
            )
        )
        try:
            res = subprocess.run(
                ["Rscript", str(script)],
                capture_output=True,
                text=True,
                check=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return None
        times = [float(v) for v in res.stdout.strip().splitlines()[-1].split()]
        return dict(zip(STATISTICS, times, strict=True)), pd.read_csv(out)


def ours_keyed(result: pd.DataFrame, by: list[str], stat: str) -> pd.DataFrame:
    frame = result
    if stat == "proportions":
        frame = frame[frame["y"].astype(str) == "1"]
    keys = frame[by].astype(str).agg("|".join, axis=1)
    if stat == "proportions":
        keys = keys + "|1"
    return pd.DataFrame({"key": keys.to_numpy(), "estimate": frame["estimate"], "se": frame["se"]})


def agreement(ours: dict[str, pd.DataFrame], theirs: pd.DataFrame, by: list[str]) -> float:
    """Largest relative difference in estimates and SEs over every statistic and domain."""
    worst = 0.0
    for stat, result in ours.items():
        left = ours_keyed(result, by, stat)
        right = theirs[theirs["stat"] == stat]
        merged = left.merge(right, on="key", suffixes=("", "_r"))
        if len(merged) != len(left):
            raise AssertionError(f"{stat}: domains differ from R's ({len(merged)} of {len(left)})")
        for col in ("estimate", "se"):
            ours_, theirs_ = merged[col].to_numpy(), merged[f"{col}_r"].to_numpy()
            scale = np.maximum(np.abs(theirs_), np.finfo(float).tiny)
            worst = max(worst, float(np.max(np.abs(ours_ - theirs_) / scale)))
    return worst


def time_ours(
    table: Table, kind: str, repeats: int
) -> tuple[dict[str, float], dict[str, pd.DataFrame]]:
    times: dict[str, float] = {}
    results: dict[str, pd.DataFrame] = {}
    design = table.designs[kind]
    for stat, run in STATISTICS.items():
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            results[stat] = run(table.data, table.by, design)
            best = min(best, time.perf_counter() - t0)
        times[stat] = best
    return times, results


def main(argv: list[str]) -> None:
    warnings.simplefilter("ignore", gc.BoundaryWarning)  # boundary rows are timed all the same
    quick = "--quick" in argv
    use_r = "--no-r" not in argv and r_available()
    timeout = 120.0
    if "--r-timeout" in argv:
        timeout = float(argv[argv.index("--r-timeout") + 1])
    tables = [
        (synthetic("survey-sized", 200_000, 1_450, 200), 1 if quick else 2),
        (synthetic("R-sized", 20_000, 120, 50), 3),
        (bundled(2015), 5),
        (bundled(2017), 5),
    ]
    if quick:
        tables = tables[:1]
    if "--only" in argv:  # tables whose name contains the text given
        wanted = argv[argv.index("--only") + 1]
        tables = [(t, r) for t, r in tables if wanted in t.name]
    print(
        "seconds per call, best of the runs shown; R: svyby on the design built beforehand "
        f"(not timed), stopped after {timeout:.0f} s"
    )
    header = f"{'table':32} {'type':9} {'reps':>5} {'stat':12} {'gpcollab':>9} {'R':>9} {'R/gp':>7}"
    print(header)
    print("-" * len(header))
    for table, repeats in tables:
        for kind in table.designs:
            if quick and kind not in ("JK1", "JKn"):
                continue
            ours, results = time_ours(table, kind, repeats)
            n_reps = prepare_replicates(table.data, table.designs[kind]).n_replicates
            r = run_r(table, kind, min(repeats, 3), timeout) if use_r else None
            for stat, seconds in ours.items():
                if r is None:
                    r_text, ratio = ("n/a" if not use_r else f"> {timeout:.0f}"), ""
                else:
                    r_text = f"{r[0][stat]:.3f}"
                    ratio = f"{r[0][stat] / seconds:.0f}x"
                print(
                    f"{table.name:32} {kind:9} {n_reps:>5} {stat:12} {seconds:>9.3f} "
                    f"{r_text:>9} {ratio:>7}"
                )
            if r is not None and kind != "bootstrap":
                worst = agreement(results, r[1], table.by)
                status = "OK" if worst <= TOL else "MISMATCH"
                print(f"{'':32} agreement with R: max relative difference {worst:.1e} ({status})")
    print("the bundled sets are synthetic reconstructions, not survey responses")


if __name__ == "__main__":
    main(sys.argv[1:])
