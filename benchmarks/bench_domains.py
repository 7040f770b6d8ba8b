"""Domain means at 1,000,000 rows: gpcollab against R's svyby (and samplics when installed).

Run: ``python benchmarks/bench_domains.py [n_rows]``.

The table is shaped like ``tests/data/r_survey/gp_like_design.csv``: 7 strata (``region``),
207 PSUs (``ccg``, nested in regions), 7 aims x 5 size bands = 35 domains, a weight and a 0/1
outcome ``fully``.  It is written to a CSV file and read back with ``pandas.read_csv``, so
``aim`` and ``size_band`` are text columns of dtype ``object``, as users' own exports arrive
("CSV-typed" input); the same table with ``aim`` and ``size_band`` as categoricals (as
gpcollab's loaders produce) is the second input.  After the data is in memory it times

* ``estimate_mean(data, "fully", by=["aim", "size_band"], design=...)`` on both inputs
  (best of 15, as timeit takes the best of its runs; the two results must be identical);
* where ``Rscript`` with the survey package is available, R on the same CSV (reading it not
  timed; best of 3): ``svydesign(...)`` followed by ``svyby(~fully, ~aim+size_band, des,
  svymean)`` on the table as ``read.csv`` gives it, which is the work one gpcollab call does
  (prepare the design, code the domains, estimate), and ``svyby`` alone on a design built
  beforehand with ``aim`` and ``size_band`` made factors.  It checks that every estimate and
  SE agrees within 1e-9 (relative) and prints both speed ratios for each input (target: at
  least 150x on CSV-typed input, like for like);
* where samplics is installed, its domain mean on the same rows (same checks);

then prints peak memory and the import-cost comparison of ``bench_import.py``.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from gpcollab import SurveyDesign, estimate_mean

AIMS = ["access", "community", "efficiency", "engagement", "quality", "staff", "sustainability"]
SIZES = ["<30k", "30-50k", "50-100k", "100-250k", ">250k"]
DESIGN = SurveyDesign(weights="weight", strata="region", psu="ccg")
TOL = 1e-9


def make_table(n: int, seed: int = 20240601) -> pd.DataFrame:
    """A seeded table of ``n`` rows shaped like gp_like_design.csv."""
    rng = np.random.default_rng(seed)
    ccg_region = np.sort(rng.integers(0, 7, size=207))
    ccg_region[:7] = np.arange(7)  # every region has PSUs
    ccg = rng.integers(0, 207, size=n)
    size = rng.integers(0, 5, size=n)
    aim = rng.integers(0, 7, size=n)
    weight = rng.lognormal(mean=0.4, sigma=0.5, size=n)
    p = 0.2 + 0.05 * size + 0.01 * aim + 0.002 * (ccg % 10)
    fully = (rng.random(n) < p).astype(np.int64)
    return pd.DataFrame(
        {
            "region": ccg_region[ccg],
            "ccg": ccg,
            "weight": weight,
            "aim": pd.Categorical.from_codes(aim.tolist(), categories=AIMS),
            "size_band": pd.Categorical.from_codes(size.tolist(), categories=SIZES, ordered=True),
            "fully": fully,
        }
    )


def csv_typed(data: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``data`` written to ``path`` and read back as ``pandas.read_csv`` types it."""
    data.to_csv(path, index=False)
    return pd.read_csv(path)


def time_gpcollab(data: pd.DataFrame, repeats: int = 15) -> tuple[float, pd.DataFrame, float]:
    """Best time of ``repeats`` runs, the result, and tracemalloc peak (bytes) of one run."""
    best = float("inf")
    result = pd.DataFrame()
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = estimate_mean(data, "fully", by=["aim", "size_band"], design=DESIGN)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    estimate_mean(data, "fully", by=["aim", "size_band"], design=DESIGN)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, result, float(peak)


R_SCRIPT = r"""
suppressMessages(library(survey))
d <- read.csv("{csv}")
best_by <- Inf; best_all <- Inf
for (i in seq_len({repeats})) {{
  # the whole call from the table read.csv gives (aim, size_band as character)
  t0 <- proc.time()[["elapsed"]]
  des0 <- svydesign(ids=~ccg, strata=~region, weights=~weight, data=d)
  b0 <- svyby(~fully, ~aim+size_band, des0, svymean)
  best_all <- min(best_all, proc.time()[["elapsed"]] - t0)
  # svyby alone, on a design built beforehand from factors (not timed)
  f <- d; f$aim <- factor(f$aim); f$size_band <- factor(f$size_band)
  des <- svydesign(ids=~ccg, strata=~region, weights=~weight, data=f)
  t0 <- proc.time()[["elapsed"]]
  b <- svyby(~fully, ~aim+size_band, des, svymean)
  best_by <- min(best_by, proc.time()[["elapsed"]] - t0)
}}
stopifnot(isTRUE(all.equal(unname(coef(b0)), unname(coef(b)))))
out <- data.frame(aim=b$aim, size_band=b$size_band, estimate=coef(b), se=SE(b))
write.csv(out, "{out}", row.names=FALSE)
cat(sprintf("%.6f %.6f\n", best_by, best_all))
"""


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('survey', quietly=TRUE))"],
        capture_output=True,
    )
    return check.returncode == 0


def run_r(csv: Path, repeats: int = 3) -> tuple[float, float, pd.DataFrame]:
    """R's best times (seconds) of ``svyby`` alone and of ``svydesign`` + ``svyby`` on the
    table as read (reading the file not timed), and its estimates."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.csv"
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.format(csv=csv.as_posix(), out=out.as_posix(), repeats=repeats))
        res = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, check=True)
        by_only, whole = (float(x) for x in res.stdout.strip().splitlines()[-1].split())
        return by_only, whole, pd.read_csv(out)


def compare(ours: pd.DataFrame, theirs: pd.DataFrame, name: str) -> float:
    """Largest relative difference in estimate and SE over the 35 domains."""
    left = ours.assign(aim=ours["aim"].astype(str), size_band=ours["size_band"].astype(str))
    merged = left.merge(theirs, on=["aim", "size_band"], suffixes=("", "_other"))
    if len(merged) != len(ours):
        raise AssertionError(f"{name}: domains differ ({len(merged)} matched of {len(ours)})")
    worst = 0.0
    for col in ("estimate", "se"):
        rel = np.abs(merged[col] / merged[f"{col}_other"] - 1.0)
        worst = max(worst, float(rel.max()))
    status = "OK" if worst <= TOL else "MISMATCH"
    print(f"  {name}: max relative difference in estimates and SEs {worst:.2e} ({status})")
    return worst


def run_samplics(data: pd.DataFrame) -> tuple[float, pd.DataFrame] | None:
    try:
        from samplics.estimation import TaylorEstimator  # type: ignore[import-not-found]
    except ImportError:
        return None
    domain = data["aim"].astype(str) + "|" + data["size_band"].astype(str)
    t0 = time.perf_counter()
    est = TaylorEstimator("mean")
    est.estimate(
        y=data["fully"].to_numpy(),
        samp_weight=data["weight"].to_numpy(),
        stratum=data["region"].to_numpy(),
        psu=data["ccg"].to_numpy(),
        domain=domain.to_numpy(),
    )
    seconds = time.perf_counter() - t0
    keys = list(est.point_est)
    out = pd.DataFrame(
        {
            "aim": [k.split("|")[0] for k in keys],
            "size_band": [k.split("|")[1] for k in keys],
            "estimate": [est.point_est[k] for k in keys],
            "se": [est.stderror[k] for k in keys],
        }
    )
    return seconds, out


def main(n: int = 1_000_000) -> None:
    categorical = make_table(n)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "data.csv"
        data = csv_typed(categorical, csv)
        print(
            f"table: {n:,} rows, {data['region'].nunique()} strata, {data['ccg'].nunique()} "
            f"PSUs, {data.groupby(['aim', 'size_band']).ngroups} domains; aim and size_band "
            f"as read_csv gives them (dtype {data['aim'].dtype}) and as categoricals"
        )
        seconds, ours, peak = time_gpcollab(data)
        cat_seconds, cat_ours, _ = time_gpcollab(
            data.assign(aim=categorical["aim"], size_band=categorical["size_band"])
        )
        print(f"  gpcollab estimate_mean(by=['aim', 'size_band']), CSV-typed: {seconds:.4f} s")
        print(
            f"  gpcollab estimate_mean(by=['aim', 'size_band']), categorical: {cat_seconds:.4f} s"
        )
        keys = ["aim", "size_band"]
        left = ours.sort_values(keys).reset_index(drop=True)
        right = cat_ours.astype({k: str for k in keys}).sort_values(keys).reset_index(drop=True)
        for col in (*keys, "estimate", "se", "df"):
            if not np.array_equal(left[col].to_numpy(), right[col].to_numpy()):
                raise AssertionError(f"CSV-typed and categorical input differ in {col}")
        print("  the two inputs give identical estimates, SEs and df")

        if r_available():
            r_by, r_whole, r_result = run_r(csv)
            print(
                f"  R survey (best of 3), svyby(~fully, ~aim+size_band, des, svymean) alone: "
                f"{r_by:.3f} s; svydesign + svyby from the table as read: {r_whole:.3f} s"
            )
            compare(ours, r_result, "R svyby")
            print(
                "  speed ratio R / gpcollab (a gpcollab call always includes preparing the "
                "design and coding the domains):"
            )
            print(
                f"    like for like, R svydesign + svyby vs estimate_mean: "
                f"{r_whole / seconds:.0f}x on CSV-typed input (target >= 150x), "
                f"{r_whole / cat_seconds:.0f}x on categoricals"
            )
            print(
                f"    R svyby alone (design prebuilt, factors made, neither timed): "
                f"{r_by / seconds:.0f}x on CSV-typed input, {r_by / cat_seconds:.0f}x on "
                "categoricals"
            )
        else:
            print("  R with the survey package is not installed: R comparison skipped")

    samplics = run_samplics(categorical)
    if samplics is None:
        print("  samplics is not installed: samplics comparison skipped")
    else:
        s_seconds, s_result = samplics
        print(f"  samplics TaylorEstimator('mean') by domain: {s_seconds:.3f} s")
        compare(cat_ours, s_result, "samplics")
        print(f"  speed ratio samplics / gpcollab: {s_seconds / cat_seconds:.0f}x")

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        f"  memory: peak allocation during estimate_mean {peak / 2**20:.0f} MiB; "
        f"process peak RSS (including the table) {rss:.0f} MiB (target < 1 GiB)"
    )
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_import import main as bench_import

    bench_import(5)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
