"""Time 2,000 bootstrap replicates of a standardisation on the bundled 565-respondent set.

Target: under 2 seconds (model fit, resampling, batched Newton refits and scenario estimates).
Run with ``python benchmarks/bench_bootstrap.py``.
"""

from __future__ import annotations

import time

import gpcollab
from gpcollab.whatif import Scenario, standardise

N_BOOT = 2000
TARGET_SECONDS = 2.0


def main() -> None:
    survey = gpcollab.load_survey(2017, "gp")
    scenarios = [
        Scenario("all 100,000-249,999", set={"size_band": "100k_250k"}),
        Scenario("two years older", shift={"age_band": 2}),
        Scenario("half under 30,000", mix={"size_band": {"under_30k": 0.5, "30k_50k": 0.5}}),
    ]
    standardise(survey, "access", scenarios, n_boot=50)  # warm up imports and caches
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        table = standardise(survey, "access", scenarios, n_boot=N_BOOT, seed=0)
        timings.append(time.perf_counter() - start)
    best, worst = min(timings), max(timings)
    print(f"standardise: {N_BOOT} replicates x {len(scenarios) + 1} scenarios on {survey.n} rows")
    print(f"  model rows: {int(table['n'].iloc[0])}")
    print(f"  best {best:.3f} s, worst {worst:.3f} s (target < {TARGET_SECONDS:.1f} s)")
    print("  OK" if worst < TARGET_SECONDS else "  TOO SLOW")


if __name__ == "__main__":
    main()
