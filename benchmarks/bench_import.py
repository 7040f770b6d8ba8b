"""Import cost of gpcollab compared with pandas, each measured in fresh interpreters.

Run: ``python benchmarks/bench_import.py [repeats]``.  Prints the median wall time of

* ``import pandas``;
* ``import gpcollab`` (lazy: should not even import pandas);
* ``from gpcollab import SurveyDesign, estimate_mean, estimate_proportions, rake`` (what an
  analysis needs; imports pandas but neither scipy.stats nor matplotlib);

and the ratios to pandas alone (target: at most 1.6), and checks which heavy modules each
statement pulled in.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

STATEMENTS = {
    "pandas": "import pandas",
    "gpcollab": "import gpcollab",
    "gpcollab estimators": (
        "from gpcollab import SurveyDesign, estimate_mean, estimate_proportions, rake"
    ),
}
HEAVY = ("pandas", "scipy.stats", "scipy.special", "matplotlib", "pandera")

_PROBE = """
import json, sys, time
t0 = time.perf_counter()
{stmt}
elapsed = time.perf_counter() - t0
print(json.dumps({{"seconds": elapsed, "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
"""


def time_statement(stmt: str, repeats: int = 7) -> tuple[float, list[str]]:
    """Median seconds of ``stmt`` in ``repeats`` fresh interpreters, and heavy modules loaded."""
    times: list[float] = []
    loaded: list[str] = []
    code = _PROBE.format(stmt=stmt, heavy=HEAVY)
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        times.append(float(result["seconds"]))
        loaded = list(result["loaded"])
    return statistics.median(times), loaded


def main(repeats: int = 7) -> dict[str, float]:
    """Measure and print; return the ratios to ``import pandas``."""
    results = {name: time_statement(stmt, repeats) for name, stmt in STATEMENTS.items()}
    base = results["pandas"][0]
    ratios: dict[str, float] = {}
    print(f"import cost, median of {repeats} fresh interpreters")
    for name, (seconds, loaded) in results.items():
        ratios[name] = seconds / base
        print(
            f"  {STATEMENTS[name]:<80} {seconds * 1000:7.1f} ms  "
            f"ratio to pandas {ratios[name]:5.2f}  loads {loaded}"
        )
    worst = max(ratios["gpcollab"], ratios["gpcollab estimators"])
    print(f"  worst ratio {worst:.2f} (target <= 1.6): {'OK' if worst <= 1.6 else 'OVER'}")
    for name, (_, loaded) in results.items():
        if name != "pandas" and ({"scipy.stats", "matplotlib"} & set(loaded)):
            print(f"  WARNING: {STATEMENTS[name]!r} imported {loaded}")
    return ratios


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
