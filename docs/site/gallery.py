"""The gallery page: every public chart helper of ``gpcollab.plot`` drawn on the bundled sets.

``write(folder)`` draws one figure per helper from the bundled *synthetic* reconstructions (and,
for the size comparison, the real 2019 PCN table), saves them as PNG and writes ``gallery.md``
beside them. ``HELPERS`` names the helper each figure shows, so the test suite can check that
no public ``plot_*`` helper is missing from the gallery.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

import gpcollab as gc

NOTICE = "Synthetic reconstruction from published figures — not the survey responses."


def _rates(ax: Axes) -> str:
    gp17 = gc.load_survey(2017, "gp")
    rates = gc.suppress(gc.achievement_rates(gp17, by="size_band", aims=["access"]))
    gc.plot.plot_rates(rates, x="size_band", ax=ax)
    return (
        'rates = gc.suppress(gc.achievement_rates(gp17, by="size_band", aims=["access"]))\n'
        'gc.plot.plot_rates(rates, x="size_band")'
    )


def _rates_by_age(ax: Axes) -> str:
    gp17 = gc.load_survey(2017, "gp")
    aims = ["community", "staff", "quality"]
    rates = gc.suppress(gc.achievement_rates(gp17, by="age_band", aims=aims))
    gc.plot.plot_rates(rates, x="aim", hue="age_band", outcome="fully", kind="dot", ax=ax)
    return (
        'aims = ["community", "staff", "quality"]\n'
        'rates = gc.suppress(gc.achievement_rates(gp17, by="age_band", aims=aims))\n'
        'gc.plot.plot_rates(rates, x="aim", hue="age_band", outcome="fully", kind="dot")'
    )


def _achievement(ax: Axes) -> str:
    gp17 = gc.load_survey(2017, "gp")
    table = gc.suppress(gc.achievement_rates(gp17, too_early="separate"))
    gc.plot.plot_achievement(table, ax=ax)
    return (
        'table = gc.suppress(gc.achievement_rates(gp17, too_early="separate"))\n'
        "gc.plot.plot_achievement(table)"
    )


def _likert(ax: Axes) -> str:
    gp17, ccg17 = gc.load_survey(2017, "gp"), gc.load_survey(2017, "ccg")
    gc.plot.plot_likert(gc.suppress(gc.stp_views(gp17, ccg17, item="stp_influence")), ax=ax)
    return 'gc.plot.plot_likert(gc.suppress(gc.stp_views(gp17, ccg17, item="stp_influence")))'


def _waves(ax: Axes) -> str:
    gp15, gp17 = gc.load_survey(2015, "gp"), gc.load_survey(2017, "gp")
    change = gc.compare_waves(gp15, gp17, "membership", "in_collaboration")
    gc.plot.plot_wave_comparison(change, show="waves", ax=ax)
    return (
        'change = gc.compare_waves(gp15, gp17, "membership", "in_collaboration")\n'
        'gc.plot.plot_wave_comparison(change, show="waves")'
    )


def _sizes(ax: Axes) -> str:
    gp17 = gc.load_survey(2017, "gp")
    gc.plot.plot_size_distribution(gc.distribution(gp17, "size_band"), ax=ax)
    return 'gc.plot.plot_size_distribution(gc.distribution(gp17, "size_band"))'


def _scenarios(ax: Axes) -> str:
    gp17 = gc.load_survey(2017, "gp")
    scenarios = [
        gc.Scenario("all two years older", shift={"age_band": 2}),
        gc.Scenario("all whole-CCG level", set={"level": "single_ccg"}),
    ]
    table = gc.standardise(gp17, "access", scenarios, n_boot=200, seed=1)
    gc.plot.plot_scenarios(table, ax=ax)
    return (
        "scenarios = [\n"
        '    gc.Scenario("all two years older", shift={"age_band": 2}),\n'
        '    gc.Scenario("all whole-CCG level", set={"level": "single_ccg"}),\n'
        "]\n"
        'gc.plot.plot_scenarios(gc.standardise(gp17, "access", scenarios, n_boot=200, seed=1))'
    )


#: (file stem, title, helper shown, drawing function returning the code it ran)
FIGURES: list[tuple[str, str, str, Callable[[Axes], str]]] = [
    ("rates", "Rates with intervals, by band", "plot_rates", _rates),
    ("rates_dot", "Dot plot: several aims, a dot per age band", "plot_rates", _rates_by_age),
    ("achievement", "How far each aim was achieved", "plot_achievement", _achievement),
    ("likert", "An ordered item, GP and CCG views", "plot_likert", _likert),
    ("waves", "Two waves side by side", "plot_wave_comparison", _waves),
    ("sizes", "Collaboration sizes beside the 2019 PCNs", "plot_size_distribution", _sizes),
    ("scenarios", "What-if scenarios", "plot_scenarios", _scenarios),
]
HELPERS = sorted({helper for _, _, helper, _ in FIGURES})


def write(folder: Path) -> Path:
    """Draw every figure into ``folder`` and write ``folder/gallery.md``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Gallery",
        "",
        "Each chart helper of `gpcollab.plot`, drawn when this site was built, on the bundled",
        "response sets. **These sets are synthetic**: reconstructed from the published",
        "figures, not the survey responses (see {doc}`/guides/synthetic_sets`); every figure",
        "says so in its footer. The code under each figure is the call that drew it, after",
        '`import gpcollab as gc` and `gp17 = gc.load_survey(2017, "gp")` (and the 2015 GP and',
        "2017 CCG sets where named).",
    ]
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        for stem, title, helper, draw in FIGURES:
            fig, ax = plt.subplots(figsize=(8, 5))
            code = draw(ax)
            fig.savefig(folder / f"{stem}.png", dpi=90, bbox_inches="tight")
            plt.close(fig)
            lines += [
                "",
                f"## {title}",
                "",
                f"{{func}}`gpcollab.plot.{helper}` (synthetic data)",
                "",
                f"```{{image}} {stem}.png",
                f":alt: {title}, drawn by {helper} on a synthetic set. {NOTICE}",
                "```",
                "",
                "```python",
                code,
                "```",
            ]
    page = folder / "gallery.md"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return page
