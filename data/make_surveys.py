"""Regenerate the four bundled survey sets (synthetic reconstructions, seed 0).

Usage::

    python data/make_surveys.py            # rewrite src/gpcollab/datasets/surveys/
    python data/make_surveys.py --out DIR  # write into DIR/<gp2015|ccg2015|gp2017|ccg2017>/

The sets are SYNTHETIC: ``gpcollab.reconstruct(wave, instrument, seed=0)`` builds them from the
published findings register so that the published figures are reproduced. The files are
byte-identical on every run (fixed column order, stable row order, ``\\n`` line endings, no
floats); ``tests/test_reconstruct.py`` checks it by comparing SHA-256 checksums.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

from gpcollab.datasets.surveys import BUNDLED_SEED, SURVEY_FOLDERS, write_bundled_survey
from gpcollab.findings import load_findings
from gpcollab.reconstruction import reconstruct

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "gpcollab" / "datasets" / "surveys"


def checked_by(wave: int, instrument: str) -> str:
    """One sentence for the card: which register rows check the set (so a reader knows how
    little may)."""
    register = load_findings()
    rows = register[
        (register["wave"].astype(str) == str(wave))
        & (register["instrument"].astype(str) == instrument)
        & (register["status_rule"].astype(str) == "evaluate")
    ]
    ids = rows["finding_id"].astype(str).tolist()
    if len(ids) == 1:
        return (
            f"It is checked by a single register row ({ids[0]}: "
            f"{str(rows['statement'].iloc[0]).rstrip('.')}); no other published figure "
            "constrains it, so every answer in it is the reconstruction's assumption."
        )
    listed = f" ({', '.join(ids)})" if len(ids) <= 8 else " (gpcollab.verify_findings lists them)"
    return f"It is checked by {len(ids)} register rows{listed}."


def make_surveys(out: Path) -> list[Path]:
    """Write every bundled set below ``out`` and return the files written."""
    written: list[Path] = []
    for (wave, instrument), folder in SURVEY_FOLDERS.items():
        survey = reconstruct(wave, instrument, seed=BUNDLED_SEED)
        written += write_bundled_survey(survey, out / folder, checked_by(wave, instrument))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="target folder")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    files = make_surveys(args.out)
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        print(f"{digest}  {path}")
    print(f"{len(files)} files in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
