"""The plotting helpers under their short name: ``import gpcollab.plot`` or
``from gpcollab.plot import plot_rates``.

The same objects as :mod:`gpcollab.plotting` (where they are documented); ``gpcollab.plot`` is
this module.
"""

from __future__ import annotations

from gpcollab.plotting import (
    ACHIEVEMENT_COLOURS,
    DIVERGING_COLOURS,
    FEW_PCNS,
    FIGSIZE,
    FOOTER_GID,
    LIKERT_LIMIT,
    NEUTRAL_GREY,
    NOTE_GID,
    PALETTE,
    REAL_DATA_COLOUR,
    SOURCE_GID,
    SUPPRESSED_GID,
    SUPPRESSED_MARK,
    add_footnote,
    dot_label_lines,
    footnote_height,
    panel_height,
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
    "FEW_PCNS",
    "FIGSIZE",
    "FOOTER_GID",
    "LIKERT_LIMIT",
    "NEUTRAL_GREY",
    "NOTE_GID",
    "PALETTE",
    "REAL_DATA_COLOUR",
    "SOURCE_GID",
    "SUPPRESSED_GID",
    "SUPPRESSED_MARK",
    "add_footnote",
    "dot_label_lines",
    "footnote_height",
    "panel_height",
    "plot_achievement",
    "plot_likert",
    "plot_rates",
    "plot_scenarios",
    "plot_size_distribution",
    "plot_wave_comparison",
    "sequential_colours",
]
