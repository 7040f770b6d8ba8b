"""Latency of the interactive what-if (``gpcollab.widgets``) on the bundled GP 2017 set.

Run: ``python benchmarks/bench_widget.py [repeats]``. Measures, after the first call of each
aim (which fits its model once, also timed), every widget update the user can make: each aim x
each threshold x a few shares, one :meth:`WhatIf.compute` call each, as the widget's callback
makes it. Prints the first-call (fit) time per aim and the median, 95th percentile and maximum
of the updates. Target: every update well under a second.
"""

from __future__ import annotations

import statistics
import sys
import time

import gpcollab
from gpcollab.vocab import Aim
from gpcollab.widgets import WhatIf


def main(repeats: int = 3) -> None:
    survey = gpcollab.load_survey(2017, "gp")
    whatif = WhatIf(survey)
    thresholds = [30_000, 50_000, 100_000, 250_000]
    shares = [0.0, 0.3, 0.6, 1.0]
    first: dict[str, float] = {}
    updates: list[float] = []
    for aim in Aim.values():
        start = time.perf_counter()
        whatif.compute(aim, 100_000, 0.5)
        first[aim] = time.perf_counter() - start
        for _ in range(repeats):
            for threshold in thresholds:
                for share in shares:
                    start = time.perf_counter()
                    whatif.compute(aim, threshold, share)
                    updates.append(time.perf_counter() - start)
    print(f"what-if widget latency, {survey.meta.label} (n_boot={whatif.n_boot})")
    for aim, seconds in first.items():
        print(f"  first call (fits the model) {aim:<15} {seconds:.3f} s")
    updates.sort()
    p95 = updates[int(0.95 * (len(updates) - 1))]
    print(
        f"  {len(updates)} updates: median {statistics.median(updates):.3f} s, "
        f"95th percentile {p95:.3f} s, max {updates[-1]:.3f} s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
