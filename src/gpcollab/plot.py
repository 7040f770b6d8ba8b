"""The plotting helpers under their short name: ``import gpcollab.plot`` or
``from gpcollab.plot import plot_rates``.

The same objects as :mod:`gpcollab.plotting` (where they are documented); ``gpcollab.plot`` is
this module.
"""

from __future__ import annotations

from gpcollab.plotting import (
    ACHIEVEMENT_COLOURS,
    DIVERGING_COLOURS,
    FIGSIZE,
    FOOTER_GID,
    NEUTRAL_GREY,
    NOTE_GID,
    PALETTE,
    SOURCE_GID,
    SUPPRESSED_GID,
    SUPPRESSED_MARK,
    plot_achievement,
    plot_likert,
    plot_rates,
    plot_scenarios,
    plot_size_distribution,
    plot_wave_comparison,
    sequential_colours,
)

__all__ = [
    "ACHIEVEMENT_COLOURS",
    "DIVERGING_COLOURS",
    "FIGSIZE",
    "FOOTER_GID",
    "NEUTRAL_GREY",
    "NOTE_GID",
    "PALETTE",
    "SOURCE_GID",
    "SUPPRESSED_GID",
    "SUPPRESSED_MARK",
    "plot_achievement",
    "plot_likert",
    "plot_rates",
    "plot_scenarios",
    "plot_size_distribution",
    "plot_wave_comparison",
    "sequential_colours",
]
