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
    # the README's last chart: every aim, under and over 100,000 patients (disclosure control
    # applied, as to every published figure)
    by_size = gc.suppress(gc.achievement_rates(gp17, by=gc.reband(gp17, 100_000)))
    ax = gc.plot.plot_rates(by_size, x="aim", hue="size_group", kind="dot")
    ax.set_title("Aims fully achieved, under and over 100,000 patients", loc="left")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    ax.figure.savefig(OUT, dpi=110, bbox_inches="tight")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
