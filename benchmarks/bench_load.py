"""Loading a large two-header CSV export: wall time and peak memory of ``read_survey``.

Run: ``python benchmarks/bench_load.py [--mb 200] [--compare REF]``.

The file is built from the bundled 2017 GP set (synthetic: the reconstructed response sets are
not real responses) written as a two-header online-survey export and repeated, with fresh
respondent ids, until it reaches ``--mb`` megabytes (200 MB is about 400,000 rows). The load
runs in a fresh Python process, so the peak resident memory reported (``ru_maxrss`` of that
child) is the loader's alone. ``--compare REF`` loads the same file with the loader of a git
revision (e.g. the one before issue 10) and prints the ratios.

Targets (issue 10): at least 5x faster than the 66 s the old loader took on 200 MB, and peak
memory a small multiple of the loaded data, not of the file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from gpcollab.io import read_survey
result = read_survey(sys.argv[1], "gp2017", strict=False)
data = result[0] if isinstance(result, tuple) else result
seconds = time.perf_counter() - started
deep = int(data.respondents.memory_usage(deep=True).sum())
deep += sum(int(t.memory_usage(deep=True).sum()) for t in data.multi.values())
deep += int(data.aims.memory_usage(deep=True).sum())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "rows": data.n, "peak": peak, "data": deep}))
"""


def build(path: Path, megabytes: float) -> int:
    """Write the export; returns the number of data rows."""
    import gpcollab
    from gpcollab.io import write_survey

    base = gpcollab.load_survey(2017, "gp")
    sample = write_survey(base, path.with_suffix(".base.csv"), "gp2017", header_rows=2)
    lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    sample.unlink()
    header, body = lines[:2], lines[2:]
    target = int(megabytes * 1_000_000)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.writelines(header)
        written = sum(len(h) for h in header)
        copy = 0
        while written < target:
            for line in body:
                text = f"B{copy}-{line}"  # a fresh respondent id per copy
                out.write(text)
                written += len(text)
                rows += 1
                if written >= target:
                    break
            copy += 1
    return rows


def load(path: Path, source: Path) -> dict[str, float]:
    """Run the load in a child process whose ``gpcollab`` comes from ``source``."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the load failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def export_revision(ref: str, folder: Path) -> Path:
    """The ``src`` tree of a git revision, unpacked into ``folder``."""
    archive = folder / "src.tar"
    with archive.open("wb") as handle:
        subprocess.run(["git", "archive", ref, "src"], cwd=REPO, stdout=handle, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="file size in MB (default 200)")
    parser.add_argument("--compare", metavar="REF", help="also load with this git revision")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        rows = build(path, args.mb)
        size = path.stat().st_size
        print(f"file: {size / 1e6:.0f} MB, {rows:,} rows, two header rows (synthetic data)")
        new = load(path, REPO / "src")
        print(
            f"this loader: {new['seconds']:.1f} s, peak RSS {new['peak'] / 1e6:.0f} MB "
            f"(data loaded: {new['data'] / 1e6:.0f} MB; peak / data = "
            f"{new['peak'] / new['data']:.1f}; peak / file = {new['peak'] / size:.2f})"
        )
        if args.compare:
            old = load(path, export_revision(args.compare, Path(folder)))
            print(
                f"{args.compare}: {old['seconds']:.1f} s, peak RSS {old['peak'] / 1e6:.0f} MB; "
                f"speed-up {old['seconds'] / new['seconds']:.1f}x, memory "
                f"{old['peak'] / new['peak']:.1f}x less"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
