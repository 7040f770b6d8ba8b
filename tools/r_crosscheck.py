"""Cross-check the engine against R's survey package on random designs.

Run: ``python tools/r_crosscheck.py [n_designs] [--keep DIR]`` (needs ``Rscript`` with the
``survey`` and ``jsonlite`` packages; the tests never need R).

The R suite in ``tests/`` checks the cases survey's authors wrote. This script checks the
cases nobody wrote: it draws ``n_designs`` small designs at random (0 to 5 strata, with or
without PSUs, lonely PSUs under ``remove`` / ``average`` / ``certainty``, an fpc, rows of
weight zero, missing values in ``y``), runs the same estimators in R and in gpcollab, and
compares every number at 1e-8 relative.  Quantities: ``svymean``, ``svytotal``, ``svyby``
(means, totals, proportions with their intervals, medians, ratios), ``svyciprop`` (logit, mean,
beta, xlogit, asin), ``svyquantile`` (math and hf7 rules, Woodruff intervals), ``svyratio``,
``svyvar``, ``svyttest``, ``svychisq`` (F and Chisq), ``svyglm`` (quasibinomial), design
effects (``deff=TRUE`` and ``"replace"``), the beta / xlogit / asin quantile intervals, PSUs
numbered within strata (``nest=TRUE``), ``postStratify`` and ``rake`` designs with domain
means.

Known differences, each documented where it lives, are listed as such and not counted:
an estimate of exactly 0 (R's ``svyciprop`` logit gives about 1e-10) and its interval (gpcollab
gives the exact one), the logit interval at one degree of freedom (R gives 0 or NaN) or to 1e-7
(R's comes from an iterative fit), a raked design with rows of weight zero (R's variance is
NaN), and separated logistic models (gpcollab refuses).
R's survey 4.1 and 4.5 agree on everything drawn here (``lonely_psu="adjust"`` is left out:
it changed in 4.4-1).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import gpcollab as gc
from gpcollab import SurveyDesign

TOL = 1e-8
POP_G = {"a": 500.0, "b": 300.0, "c": 200.0}
POP_B2 = {"u": 450.0, "v": 550.0}

R_SCRIPT = r"""
suppressMessages(library(survey)); library(jsonlite)
specs <- fromJSON("specs.json")
out <- list()
add <- function(i, q, v)
  out[[length(out) + 1]] <<- data.frame(i = i, qty = q, value = as.numeric(v))
by_rows <- function(i, b, key, name, ci = FALSE) {
  for (k in seq_len(nrow(b))) {
    lev <- as.character(b[[key]][k])
    add(i, paste0(name, "_est_", lev), coef(b)[k])
    add(i, paste0(name, "_se_", lev), SE(b)[k])
    if (ci) {
      add(i, paste0(name, "_lo_", lev), b$ci_l[k]); add(i, paste0(name, "_hi_", lev), b$ci_u[k])
    }
  }
}
for (r in seq_len(nrow(specs))) {
  s <- specs[r, ]; i <- s$i
  d <- read.csv(sprintf("d%d.csv", i)); d$g <- factor(d$g); d$b2 <- factor(d$b2)
  options(survey.lonely.psu = s$lonely)
  des <- svydesign(ids = if (s$use_psu) ~psu else ~1, strata = if (s$H > 0) ~h else NULL,
                   weights = ~w, fpc = if (s$fpc) ~N else NULL, data = d)
  try({m <- svymean(~y, des, na.rm = TRUE); add(i, "mean_est", coef(m))
       add(i, "mean_se", SE(m))})
  try({m <- svytotal(~y, des, na.rm = TRUE); add(i, "total_est", coef(m))
       add(i, "total_se", SE(m))})
  try(by_rows(i, svyby(~y, ~g, des, svymean, na.rm = TRUE), "g", "bymean"))
  try(by_rows(i, svyby(~y, ~g, des, svytotal, na.rm = TRUE), "g", "bytotal"))
  try(by_rows(i, svyby(~I(b == 1), ~g, des, svyciprop, method = "logit",
                       vartype = c("se", "ci")), "g", "byprop", ci = TRUE))
  try(by_rows(i, svyby(~y, ~b2, des, svyquantile, quantiles = 0.5, na.rm = TRUE, ci = TRUE),
              "b2", "bymedian"))
  try(by_rows(i, svyby(~y, ~b2, des, svyratio, denominator = ~x, na.rm = TRUE),
              "b2", "byratio"))
  for (meth in c("logit", "mean", "beta", "xlogit", "asin")) try({
    p <- svyciprop(~I(b == 1), des, method = meth); ci <- attr(p, "ci")
    add(i, paste0("prop.", meth, "_est"), coef(p)); add(i, paste0("prop.", meth, "_lo"), ci[1])
    add(i, paste0("prop.", meth, "_hi"), ci[2])})
  try({q <- svyquantile(~y, des, 0.5, na.rm = TRUE, ci = TRUE); ci <- confint(q)
       add(i, "median_est", coef(q)); add(i, "median_se", SE(q))
       add(i, "median_lo", ci[1]); add(i, "median_hi", ci[2])})
  try({q <- svyquantile(~y, des, c(0.25, 0.75), qrule = "hf7", na.rm = TRUE, ci = TRUE)
       cf <- coef(q); ci <- confint(q)
       add(i, "q25.hf7_est", cf[1]); add(i, "q75.hf7_est", cf[2])
       add(i, "q25.hf7_lo", ci[1, 1]); add(i, "q75.hf7_hi", ci[2, 2])})
  try({m <- svyratio(~y, ~x, des, na.rm = TRUE); add(i, "ratio_est", coef(m))
       add(i, "ratio_se", SE(m))})
  try({m <- svyvar(~y, des, na.rm = TRUE); add(i, "var_est", coef(m))
       add(i, "var_se", SE(m))})
  try({t <- svyttest(z ~ b2, des)
       add(i, "ttest_t", t$statistic); add(i, "ttest_df", t$parameter)
       add(i, "ttest_p", t$p.value)})
  try({c1 <- svychisq(~g + b2, des, statistic = "F"); add(i, "chisqF_stat", c1$statistic)
       add(i, "chisqF_ndf", c1$parameter[1]); add(i, "chisqF_ddf", c1$parameter[2])
       add(i, "chisqF_p", c1$p.value)})
  try({c2 <- svychisq(~g + b2, des, statistic = "Chisq"); add(i, "chisqC_stat", c2$statistic)
       add(i, "chisqC_p", c2$p.value)})
  try({m <- svyglm(b ~ z + g, des, family = quasibinomial()); cf <- coef(m); se <- SE(m)
       for (k in seq_along(cf)) {
         add(i, paste0("glm_est_", names(cf)[k]), cf[k])
         add(i, paste0("glm_se_", names(cf)[k]), se[k])
       }})
  try({m <- svymean(~z, des, deff = TRUE); add(i, "deff_est", deff(m))})
  try({m <- svymean(~z, des, deff = "replace"); add(i, "deffrep_est", deff(m))})
  for (it in c("beta", "xlogit", "asin")) try({
    q <- svyquantile(~z, des, 0.5, ci = TRUE, interval.type = it); ci <- confint(q)
    add(i, paste0("median.", it, "_lo"), ci[1]); add(i, paste0("median.", it, "_hi"), ci[2])})
  if (s$H > 0 && s$use_psu) try({
    # the same design with PSUs numbered within strata, nest = TRUE
    d$psu_in <- ave(d$psu, d$h, FUN = function(p) as.integer(factor(p)))
    nd <- svydesign(ids = ~psu_in, strata = ~h, weights = ~w, nest = TRUE,
                    fpc = if (s$fpc) ~N else NULL, data = d)
    by_rows(i, svyby(~z, ~g, nd, svymean), "g", "nested")})
  pop_g <- data.frame(g = c("a", "b", "c"), Freq = c(500, 300, 200))
  try({ps <- postStratify(des, ~g, pop_g)
       m <- svymean(~z, ps); add(i, "post_est", coef(m)); add(i, "post_se", SE(m))
       by_rows(i, svyby(~z, ~b2, ps, svymean), "b2", "postby")})
  try({rk <- rake(des, list(~g, ~b2), list(pop_g, data.frame(b2 = c("u", "v"), Freq = c(450, 550))),
                  control = list(maxit = 100, epsilon = 1e-12))
       m <- svymean(~z, rk); add(i, "rake_est", coef(m)); add(i, "rake_se", SE(m))
       m <- svytotal(~z, rk); add(i, "raketotal_est", coef(m)); add(i, "raketotal_se", SE(m))})
}
write.csv(do.call(rbind, out), "reference.csv", row.names = FALSE)
"""


def make_designs(folder: Path, count: int) -> list[dict[str, object]]:
    """Write ``count`` random designs as CSV files; return their specifications."""
    specs: list[dict[str, object]] = []
    for i in range(count):
        rng = np.random.default_rng(1000 + i)
        n_strata = int(rng.choice([0, 2, 3, 5]))
        use_psu = bool(rng.random() < 0.75)
        lonely = str(rng.choice(["remove", "average", "certainty"])) if n_strata else "fail"
        allow_lonely = n_strata > 0 and rng.random() < 0.4
        rows: list[tuple[int, int]] = []
        psu = 0
        for h in range(max(n_strata, 1)):
            low = 1 if allow_lonely and h == 0 else 2
            m = int(rng.integers(low, 7)) if use_psu else int(rng.integers(4, 30))
            for _ in range(m):
                rows += [(h, psu)] * (int(rng.integers(1, 8)) if use_psu else 1)
                psu += 1
        d = pd.DataFrame(rows, columns=["h", "psu"])
        n = len(d)
        d["w"] = np.round(rng.lognormal(1.0, 0.6, n), 6)
        if rng.random() < 0.2:
            d.loc[rng.random(n) < 0.05, "w"] = 0.0
        zero_weights = bool((d["w"] == 0).any())
        fpc = bool(rng.random() < 0.3 and n_strata > 0 and not allow_lonely)
        if fpc:
            sampled = d.groupby("h")["psu"].nunique()
            d["N"] = d["h"].map({h: int(m * rng.uniform(1.2, 6)) + 1 for h, m in sampled.items()})
        g = rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2])
        d["g"] = g
        d["z"] = np.round(rng.normal(0, 1, n), 6)
        eta = -0.3 + 0.8 * d["z"] + 0.5 * (g == "b")
        d["b"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
        d["b2"] = rng.choice(["u", "v"], n)
        d["y"] = np.round(rng.gamma(2.0, 3.0, n) + 2 * d["b"], 6)
        d["x"] = np.round(rng.uniform(1, 5, n), 6)
        missing = bool(rng.random() < 0.4)
        if missing:
            d.loc[rng.random(n) < 0.08, "y"] = np.nan
        d.to_csv(folder / f"d{i}.csv", index=False)
        specs.append(
            {
                "i": i,
                "H": n_strata,
                "use_psu": use_psu,
                "lonely": lonely,
                "fpc": fpc,
                "n": n,
                "zero_weights": zero_weights,
            }
        )
    (folder / "specs.json").write_text(json.dumps(specs))
    return specs


def _rows(
    out: list[tuple[int, str, float]],
    i: int,
    name: str,
    table: pd.DataFrame,
    key: str,
    *,
    ci: bool = False,
) -> None:
    for _, row in table.iterrows():
        level = str(row[key])
        out.append((i, f"{name}_est_{level}", float(row["estimate"])))
        out.append((i, f"{name}_se_{level}", float(row["se"])))
        if ci:
            out.append((i, f"{name}_lo_{level}", float(row["ci_low"])))
            out.append((i, f"{name}_hi_{level}", float(row["ci_high"])))
            out.append((i, f"{name}_df_{level}", float(row["df"])))


def ours(folder: Path, spec: dict[str, object]) -> tuple[list[tuple[int, str, float]], list[str]]:
    """gpcollab's numbers for one design, and the calls it refused (with the reason)."""
    i = int(spec["i"])  # type: ignore[call-overload]
    d = pd.read_csv(folder / f"d{i}.csv")
    layout = {
        "strata": "h" if spec["H"] else None,
        "psu": "psu" if spec["use_psu"] else None,
        "fpc": "N" if spec["fpc"] else None,
        "lonely_psu": spec["lonely"],
    }
    des = SurveyDesign(weights="w", **layout)  # type: ignore[arg-type]
    out: list[tuple[int, str, float]] = []
    refused: list[str] = []

    def put(name: str, value: object) -> None:
        out.append((i, name, float(value)))  # type: ignore[arg-type]

    def whole(name: str, row: pd.Series) -> None:
        put(f"{name}_est", row["estimate"])
        put(f"{name}_se", row["se"])

    def one_success(table: pd.DataFrame) -> pd.DataFrame:
        return table[table["b"].astype(str) == "1"]

    def proportions() -> None:
        for method in ("logit", "mean", "beta", "xlogit", "asin"):
            row = one_success(gc.estimate_proportions(d, "b", design=des, ci_method=method))
            put(f"prop.{method}_est", row["estimate"].iloc[0])
            put(f"prop.{method}_df", row["df"].iloc[0])
            put(f"prop.{method}_lo", row["ci_low"].iloc[0])
            put(f"prop.{method}_hi", row["ci_high"].iloc[0])

    def quantiles() -> None:
        row = gc.estimate_quantile(d, "y", design=des, na_rm=True).iloc[0]
        whole("median", row)
        put("median_lo", row["ci_low"])
        put("median_hi", row["ci_high"])
        t = gc.estimate_quantile(
            d, "y", quantiles=[0.25, 0.75], qrule="hf7", design=des, na_rm=True
        )
        put("q25.hf7_est", t["estimate"].iloc[0])
        put("q75.hf7_est", t["estimate"].iloc[1])
        put("q25.hf7_lo", t["ci_low"].iloc[0])
        put("q75.hf7_hi", t["ci_high"].iloc[1])

    def tests() -> None:
        t = gc.compare_means(d, "z", "b2", design=des).iloc[0]
        put("ttest_t", t["statistic"])
        put("ttest_df", t["df"])
        put("ttest_p", t["p_value"])
        f = gc.chisq_test(d, "g", "b2", design=des, statistic="F").iloc[0]
        for column in ("stat", "ndf", "ddf", "p"):
            put(
                f"chisqF_{column}",
                f["statistic" if column == "stat" else "p_value" if column == "p" else column],
            )
        c = gc.chisq_test(d, "g", "b2", design=des, statistic="Chisq").iloc[0]
        put("chisqC_stat", c["statistic"])
        put("chisqC_p", c["p_value"])

    def model() -> None:
        fit = gc.logistic_regression(d, "b", ["z", "g"], design=des)
        for _, row in fit.coefficients.iterrows():
            put(f"glm_est_{row['term']}", row["estimate"])
            put(f"glm_se_{row['term']}", row["se"])

    def effects_and_intervals() -> None:
        put("deff_est", gc.estimate_mean(d, "z", design=des, deff="wor")["deff"].iloc[0])
        put("deffrep_est", gc.estimate_mean(d, "z", design=des, deff="replace")["deff"].iloc[0])
        for method in ("beta", "xlogit", "asin"):
            row = gc.estimate_quantile(d, "z", design=des, ci_method=method).iloc[0]  # type: ignore[arg-type]
            put(f"median.{method}_lo", row["ci_low"])
            put(f"median.{method}_hi", row["ci_high"])

    def nested() -> None:
        if not (spec["H"] and spec["use_psu"]):
            return
        within = d.assign(psu_in=d.groupby("h")["psu"].rank(method="dense").astype(int))
        nested_design = SurveyDesign(**{**layout, "psu": "psu_in"}, weights="w", nest=True)  # type: ignore[arg-type]
        _rows(out, i, "nested", gc.estimate_mean(within, "z", by="g", design=nested_design), "g")

    def calibrated() -> None:
        post = d.assign(pw=gc.poststratify(d, "g", POP_G, weights="w"))
        pdes = SurveyDesign(weights="pw", poststrata=("g",), **layout)  # type: ignore[arg-type]
        whole("post", gc.estimate_mean(post, "z", design=pdes).iloc[0])
        _rows(out, i, "postby", gc.estimate_mean(post, "z", by="b2", design=pdes), "b2")

    def raked() -> None:
        raked = d.assign(rw=gc.rake(d, {"g": POP_G, "b2": POP_B2}, weights="w", tol=1e-14))
        rdes = SurveyDesign(weights="rw", calibration=("g", "b2"), **layout)  # type: ignore[arg-type]
        whole("rake", gc.estimate_mean(raked, "z", design=rdes).iloc[0])
        whole("raketotal", gc.estimate_total(raked, "z", design=rdes).iloc[0])

    steps: dict[str, Callable[[], None]] = {
        "mean": lambda: whole("mean", gc.estimate_mean(d, "y", design=des, na_rm=True).iloc[0]),
        "total": lambda: whole("total", gc.estimate_total(d, "y", design=des, na_rm=True).iloc[0]),
        "bymean": lambda: _rows(
            out, i, "bymean", gc.estimate_mean(d, "y", by="g", design=des, na_rm=True), "g"
        ),
        "bytotal": lambda: _rows(
            out, i, "bytotal", gc.estimate_total(d, "y", by="g", design=des, na_rm=True), "g"
        ),
        "byprop": lambda: _rows(
            out,
            i,
            "byprop",
            one_success(gc.estimate_proportions(d, "b", by="g", design=des)),
            "g",
            ci=True,
        ),
        "bymedian": lambda: _rows(
            out, i, "bymedian", gc.estimate_quantile(d, "y", by="b2", design=des, na_rm=True), "b2"
        ),
        "byratio": lambda: _rows(
            out, i, "byratio", gc.estimate_ratio(d, "y", "x", by="b2", design=des, na_rm=True), "b2"
        ),
        "proportions": proportions,
        "quantiles": quantiles,
        "ratio": lambda: whole(
            "ratio", gc.estimate_ratio(d, "y", "x", design=des, na_rm=True).iloc[0]
        ),
        "var": lambda: whole("var", gc.estimate_var(d, "y", design=des, na_rm=True).iloc[0]),
        "tests": tests,
        "glm": model,
        "effects": effects_and_intervals,
        "nested": nested,
        "post": calibrated,
        "rake": raked,
    }
    for name, step in steps.items():
        try:
            step()
        except gc.GpcollabError as error:
            refused.append(f"design {i}, {name}: {type(error).__name__}: {str(error)[:120]}")
    return out, refused


def known_difference(row: pd.Series, context: dict[tuple[int, str], float]) -> str | None:
    """Why a disagreement is a documented one, or None."""
    qty, r_value, value = str(row["qty"]), row["value_r"], row["value_py"]
    i = int(row["i"])
    if value == 0.0 and abs(r_value) < 1e-9:
        return "an estimate of exactly 0 (R's svyciprop logit gives about 1e-10)"
    logit_interval = qty.startswith(("byprop_lo_", "byprop_hi_", "prop.logit_lo", "prop.logit_hi"))
    if logit_interval:
        if qty.startswith("byprop"):
            level = qty.rsplit("_", 1)[1]
            df = context.get((i, f"byprop_df_{level}"))
            estimate = context.get((i, f"byprop_est_{level}"))
        else:
            df, estimate = context.get((i, "prop.logit_df")), context.get((i, "prop.logit_est"))
        if estimate in (0.0, 1.0):
            return "interval of an estimate of exactly 0 or 1 (gpcollab's exact interval)"
        if df == 1.0 and (r_value == 0.0 or np.isnan(r_value)):
            return "logit interval at one degree of freedom (R gives 0 or NaN)"
        if row["rel"] < 1e-6:
            return "logit interval: R's comes from an iterative fit (svyglm), good to ~1e-7"
    if qty.startswith("rake") and np.isnan(r_value) and bool(row["zero_weights"]):
        return "raked design with rows of weight zero (R's variance divides 0 by 0: NaN)"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n_designs", nargs="?", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="keep the designs and R's output here")
    args = parser.parse_args()
    if shutil.which("Rscript") is None:
        print("Rscript is not installed: nothing to compare with")
        return 2
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        specs = make_designs(folder, args.n_designs)
        (folder / "reference.R").write_text(R_SCRIPT)
        subprocess.run(["Rscript", "reference.R"], cwd=folder, check=True, capture_output=True)
        reference = pd.read_csv(folder / "reference.csv")
        values: list[tuple[int, str, float]] = []
        refused: list[str] = []
        for spec in specs:
            got, no = ours(folder, spec)
            values += got
            refused += no
    mine = pd.DataFrame(values, columns=["i", "qty", "value"])
    context = {(int(i), str(q)): float(v) for i, q, v in values}
    both = reference.merge(mine, on=["i", "qty"], suffixes=("_r", "_py"))
    both = both.merge(pd.DataFrame(specs)[["i", "zero_weights"]], on="i")
    both = both[~(both["value_r"].isna() & both["value_py"].isna())]
    gap = (both["value_py"] - both["value_r"]).abs()
    both["rel"] = gap / np.maximum(both["value_r"].abs(), 1e-300)
    # zero up to rounding on both sides (e.g. an SE of 3e-16 against 4e-16) counts as agreement
    off = both[~((both["rel"] <= TOL) | (gap <= 1e-13))].copy()
    off["known"] = off.apply(known_difference, axis=1, context=context)
    print(f"{len(specs)} random designs, {len(both)} quantities compared with R at {TOL:g}")
    print(f"  agree: {len(both) - len(off)}")
    for reason, group in off[off["known"].notna()].groupby("known"):
        print(f"  known difference ({reason}): {len(group)}")
    unknown = off[off["known"].isna()]
    print(f"  DISAGREE: {len(unknown)}")
    if len(unknown):
        print(unknown.sort_values("rel", ascending=False).head(30).to_string())
    missing = reference.merge(mine, on=["i", "qty"], how="left", indicator=True)
    skipped = missing[missing["_merge"] == "left_only"]
    print(f"  R values with no gpcollab value: {len(skipped)} (calls gpcollab refused:)")
    for line in refused:
        print(f"    {line}")
    return 1 if len(unknown) else 0


if __name__ == "__main__":
    sys.exit(main())
