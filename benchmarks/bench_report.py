"""Wall time of a full ``gpcollab reproduce`` run, in fresh processes.

Run: ``python benchmarks/bench_report.py [repeats]``. Each repeat runs the installed
``gpcollab reproduce --out <temporary folder>`` end to end (interpreter start, imports, loading
the four bundled sets, every analysis, the what-if bootstrap, the findings check, the figures
and the page) and the median is compared with the target of 10 seconds on a 2-core machine;
each run also checks that ``index.html`` is under 2.5 MB (the figures are files beside it).
Exits 1 when the median is over the target, a page is too large or a run fails. The CPU time
of the children (``user+sys``) is printed too: on a shared machine it moves less than the wall
time.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0
MAX_PAGE_BYTES = 2_500_000


def _command() -> list[str]:
    script = Path(sys.executable).with_name("gpcollab")
    if script.exists():
        return [str(script)]
    found = shutil.which("gpcollab")
    if found:
        return [found]
    return [sys.executable, "-m", "gpcollab.cli"]


def run_once() -> float:
    """Seconds taken by one ``gpcollab reproduce`` run into a fresh temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "MPLBACKEND": "Agg"}
        cpu_before = os.times()
        started = time.perf_counter()
        done = subprocess.run(
            [*_command(), "reproduce", "--out", folder, "--quiet"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"gpcollab reproduce exited {done.returncode}")
        cpu_after = os.times()
        cpu = sum(
            getattr(cpu_after, f) - getattr(cpu_before, f)
            for f in ("children_user", "children_system")
        )
        figures = len(list(Path(folder, "figures").glob("*.png")))
        page = Path(folder, "index.html").stat().st_size
        print(
            f"  run: {elapsed:6.2f} s wall, {cpu:6.2f} s CPU ({figures} figures, page {page:,} B)"
        )
        if page > MAX_PAGE_BYTES:
            raise SystemExit(f"index.html is {page:,} bytes, over {MAX_PAGE_BYTES:,}")
    return elapsed


def main(repeats: int = 3) -> int:
    """Time ``repeats`` runs; returns 0 when the median is within the target."""
    print(f"gpcollab reproduce, {repeats} run(s):")
    times = [run_once() for _ in range(repeats)]
    median = statistics.median(times)
    verdict = "OK" if median <= TARGET_SECONDS else "TOO SLOW"
    print(f"median {median:.2f} s (target <= {TARGET_SECONDS:.0f} s): {verdict}")
    return 0 if median <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
