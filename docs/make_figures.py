"""Regenerate the README's quickstart figure from the bundled (synthetic) 2017 GP set.

Run ``python docs/make_figures.py`` from the repository root.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

import gpcollab as gc

matplotlib.use("Agg")

OUT = Path(__file__).parent / "images" / "quickstart.png"


def main() -> None:
    gp17 = gc.load_survey(2017, "gp")
    rates = gc.achievement_rates(gp17, by="size_band", aims=["access"])
    ax = gc.plot.plot_rates(rates, x="size_band")
    ax.set_title("Improving access: share fully achieved, by collaboration size")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(OUT, dpi=110, bbox_inches="tight")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
