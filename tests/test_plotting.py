"""Tests of the plotting helpers: the drawn artists are inspected, never the pixels.

Every expected number comes from the hand-made input tables below, not from the code under
test: bar widths and heights equal the table's shares, whisker ends equal its interval ends,
tick labels are the vocabulary's labels in order, and the base ``n=...`` is written.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.patches import Rectangle
from matplotlib.text import Text

import gpcollab
from gpcollab import plotting
from gpcollab.schema import SYNTHETIC_NOTICE
from gpcollab.vocab import (
    Achievement,
    Aim,
    ContractWillingness,
    Influence,
    Instrument,
    Membership,
    SizeBand,
)

approx = pytest.approx


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


# -- hand-made tables (shapes of docs/analysis_api.md) ---------------------------------------

ACH_SHARES = {
    # aim: (fully, partially, not achieved, too early), n
    "access": ((0.30, 0.40, 0.10, 0.20), 238),
    "sustainability": ((0.10, 0.50, 0.25, 0.15), 190),
    "staff": ((0.22, 0.38, 0.20, 0.20), 120),
}
OUTCOMES = ["fully", "partially", "not_achieved", "too_early"]


def _cat(values: Any, enum: Any) -> pd.Categorical:
    return pd.Categorical(values, dtype=enum.dtype())


def achievement_table(synthetic: bool = True) -> pd.DataFrame:
    rows = [
        {"aim": aim, "outcome": outcome, "n": n, "estimate": shares[i]}
        for aim, (shares, n) in ACH_SHARES.items()
        for i, outcome in enumerate(OUTCOMES)
    ]
    table = pd.DataFrame(rows)
    table["aim"] = _cat(table["aim"], Aim)
    table["outcome"] = _cat(table["outcome"], Achievement)
    table.attrs.update(synthetic=synthetic, analysis="achievement_rates")
    return table


RATE_EST = [0.20, 0.25, 0.30, 0.40, 0.45]
RATE_LOW = [0.10, 0.15, 0.21, 0.27, 0.25]
RATE_HIGH = [0.35, 0.38, 0.41, 0.54, 0.67]
RATE_N = [40, 60, 80, 50, 20]


def rates_table(synthetic: bool = True) -> pd.DataFrame:
    fully = pd.DataFrame(
        {
            "aim": "access",
            "size_band": _cat(SizeBand.values(), SizeBand),
            "outcome": "fully",
            "n": RATE_N,
            "estimate": RATE_EST,
            "ci_low": RATE_LOW,
            "ci_high": RATE_HIGH,
        }
    )
    # another outcome that must be filtered out
    partly = fully.assign(outcome="partially", estimate=0.5, ci_low=0.4, ci_high=0.6)
    table = pd.concat([fully, partly], ignore_index=True)
    table.attrs.update(synthetic=synthetic)
    return table


def wave_table(synthetic: bool = True) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "item": "membership",
            "option": ["formal", "informal"],
            "wave_first": 2015,
            "wave_second": 2017,
            "estimate_first": [0.37, 0.26],
            "estimate_second": [0.50, 0.20],
            "n_first": [1200, 1200],
            "n_second": [1100, 1100],
            "difference": [0.13, -0.06],
            "se": [0.02, 0.02],
            "ci_low": [0.09, -0.11],
            "ci_high": [0.18, -0.02],
            "p_value": [0.0001, 0.01],
            "ci_low_first": [0.34, 0.23],
            "ci_high_first": [0.40, 0.29],
            "ci_low_second": [0.47, 0.18],
            "ci_high_second": [0.53, 0.23],
        }
    )
    table.attrs.update(synthetic=synthetic)
    return table


LIKERT = {
    # instrument: shares of not_at_all, slightly, fairly, very, dont_know; n
    "gp": ((0.45, 0.25, 0.12, 0.03, 0.15), 900),
    "ccg": ((0.20, 0.30, 0.30, 0.10, 0.10), 150),
}
INFLUENCE = ["not_at_all", "slightly", "fairly", "very", "dont_know"]


def likert_table(synthetic: bool = True) -> pd.DataFrame:
    rows = [
        {"instrument": inst, "option": option, "n": n, "estimate": shares[i]}
        for inst, (shares, n) in LIKERT.items()
        for i, option in enumerate(INFLUENCE)
    ]
    table = pd.DataFrame(rows)
    table["instrument"] = _cat(table["instrument"], Instrument)
    table.attrs.update(synthetic=synthetic)
    return table


WILLING = [0.30, 0.25, 0.20, 0.10, 0.05, 0.10]


def willingness_table() -> pd.DataFrame:
    table = pd.DataFrame({"option": ContractWillingness.values(), "n": 500, "estimate": WILLING})
    table.attrs.update(synthetic=False, instrument="gp")
    return table


SIZE_EST = [0.30, 0.20, 0.25, 0.15, 0.10]


def size_table(synthetic: bool = True) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "item": "size_band",
            "option": SizeBand.values(),
            "n": 400,
            "estimate": SIZE_EST,
            "ci_low": [e - 0.04 for e in SIZE_EST],
            "ci_high": [e + 0.05 for e in SIZE_EST],
        }
    )
    table.attrs.update(synthetic=synthetic)
    return table


# ten PCNs: 3 under 30,000; 5 from 30,000 (the edge counts in the upper band); 2 from 50,000
PCN = pd.DataFrame(
    {
        "registered_patients": [
            12_000,
            25_000,
            29_999,
            30_000,
            31_000,
            40_000,
            45_000,
            49_999,
            50_000,
            99_000,
        ]
    }
)
PCN_SHARES = [0.3, 0.5, 0.2, 0.0, 0.0]


def scenario_table(synthetic: bool = True) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "scenario": ["observed", "all 100k-250k", "two years older"],
            "estimate": [0.30, 0.38, 0.34],
            "ci_low": [0.26, 0.30, 0.29],
            "ci_high": [0.34, 0.46, 0.40],
            "difference": [0.0, 0.08, 0.04],
            "n_boot": 2000,
            "n": 400,
        }
    )
    table.attrs.update(synthetic=synthetic, aim="access")
    return table


# -- artist helpers -------------------------------------------------------------------------


def bars_by_gid(ax: Axes) -> dict[str, list[Rectangle]]:
    out: dict[str, list[Rectangle]] = {}
    for container in ax.containers:
        if isinstance(container, BarContainer):
            for patch in container.patches:
                out.setdefault(str(patch.get_gid()), []).append(patch)
    return out


def whisker_segments(ax: Axes) -> list[np.ndarray]:
    segments: list[np.ndarray] = []
    for container in ax.containers:
        if isinstance(container, ErrorbarContainer):
            for collection in container.lines[2]:
                segments.extend(np.asarray(s) for s in collection.get_segments())
    return segments


def scenario_dots(ax: Axes) -> dict[str, list[float]]:
    """The x of each what-if dot, by gid ("estimate", "few-pcns"), top row first."""
    out: dict[str, list[float]] = {}
    for line in ax.lines:
        if line.get_gid() in ("estimate", "few-pcns"):
            out.setdefault(str(line.get_gid()), []).append(float(line.get_xdata()[0]))
    return out


def interval_ends(ax: Axes) -> list[tuple[float, float]]:
    """(low, high) of each what-if row's interval line, top row first."""
    (lines,) = [c for c in ax.collections if c.get_gid() == "interval"]
    return [(float(s[:, 0].min()), float(s[:, 0].max())) for s in lines.get_segments()]


def flat(labels: list[str]) -> list[str]:
    """Labels as one line: wrapped after a hyphen ("100,000-/249,999") or at a space."""
    return [label.replace("-\n", "-").replace("\n", " ") for label in labels]


def texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def tick_labels(ax: Axes, axis: str) -> list[str]:
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


def footers(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.FOOTER_GID]


# -- every helper: ax given and not given, footer, savefig -----------------------------------

CALLS: dict[str, Callable[..., Axes]] = {
    "achievement": lambda ax=None, synthetic=True: plotting.plot_achievement(
        achievement_table(synthetic), ax=ax
    ),
    "rates": lambda ax=None, synthetic=True: plotting.plot_rates(rates_table(synthetic), ax=ax),
    "waves": lambda ax=None, synthetic=True: plotting.plot_wave_comparison(
        wave_table(synthetic), ax=ax
    ),
    "likert": lambda ax=None, synthetic=True: plotting.plot_likert(likert_table(synthetic), ax=ax),
    "sizes": lambda ax=None, synthetic=True: plotting.plot_size_distribution(
        size_table(synthetic), PCN, ax=ax
    ),
    "scenarios": lambda ax=None, synthetic=True: plotting.plot_scenarios(
        scenario_table(synthetic), ax=ax
    ),
}


@pytest.mark.parametrize("name", CALLS)
def test_without_ax_a_new_figure_is_created(name: str) -> None:
    _, existing = plt.subplots()
    ax = CALLS[name]()
    assert isinstance(ax, Axes)
    assert ax is not existing
    assert ax.figure is not existing.figure
    assert not existing.has_data()
    assert tuple(ax.figure.get_size_inches()) == approx(plotting.FIGSIZE)


@pytest.mark.parametrize("name", CALLS)
def test_with_ax_the_given_axes_is_drawn_on_and_returned(name: str) -> None:
    _fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    n_figures = len(plt.get_fignums())
    ax = CALLS[name](ax=right)
    assert ax is right
    assert right.has_data()
    assert not left.has_data()
    assert len(plt.get_fignums()) == n_figures


@pytest.mark.parametrize("name", CALLS)
def test_footer_only_for_synthetic_data(name: str) -> None:
    assert footers(CALLS[name](synthetic=True)) == [SYNTHETIC_NOTICE]
    assert footers(CALLS[name](synthetic=False)) == []


def test_footer_added_once_per_figure() -> None:
    fig, (left, right) = plt.subplots(1, 2)
    CALLS["rates"](ax=left)
    CALLS["scenarios"](ax=right)
    gids = [t.get_gid() for t in fig.texts]
    assert gids.count(plotting.FOOTER_GID) == 1
    assert gids.count(plotting.NOTE_GID) == 1  # one notes line gathering both charts' notes
    (notes,) = [t.get_text() for t in fig.texts if t.get_gid() == plotting.NOTE_GID]
    assert "bootstrap" in notes  # from the scenarios chart, drawn second
    assert [t.get_text() for t in fig.texts if t.get_gid() == plotting.FOOTER_GID] == [
        SYNTHETIC_NOTICE
    ]


@pytest.mark.parametrize("name", CALLS)
def test_savefig_keeps_the_footer_inside_the_image(name: str, tmp_path: Path) -> None:
    ax = CALLS[name]()
    fig = ax.figure
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=150)
    assert path.stat().st_size > 10_000
    (footer,) = [t for t in fig.texts if t.get_gid() == plotting.FOOTER_GID]
    box = footer.get_window_extent()
    assert box.x0 >= 0 and box.y0 >= 0
    assert box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1
    # the axes leave room for the footer (constrained layout with a reserved strip)
    assert ax.get_tightbbox().y0 >= box.y1 - 1


@pytest.mark.parametrize("name", CALLS)
def test_no_show_and_no_global_rcparams(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("plt.show() was called")

    monkeypatch.setattr(plt, "show", fail)
    before = dict(matplotlib.rcParams)
    CALLS[name]()
    assert dict(matplotlib.rcParams) == before


# -- achievement ----------------------------------------------------------------------------


def test_achievement_widths_and_lefts_are_the_shares() -> None:
    ax = plotting.plot_achievement(achievement_table())
    bars = bars_by_gid(ax)
    assert list(bars) == OUTCOMES
    # default order: by share fully achieved, highest on top
    aims = ["access", "staff", "sustainability"]
    for j, outcome in enumerate(OUTCOMES):
        widths = [p.get_width() for p in bars[outcome]]
        lefts = [p.get_x() for p in bars[outcome]]
        assert widths == approx([ACH_SHARES[a][0][j] for a in aims])
        assert lefts == approx([sum(ACH_SHARES[a][0][:j]) for a in aims])
    ends = [p.get_x() + p.get_width() for p in bars["too_early"]]
    assert ends == approx([1.0, 1.0, 1.0])
    assert tick_labels(ax, "y") == [
        "Improving access for\npatients",
        "Staff experience, training\nand education",
        "Financial and organisational\nsustainability",
    ]
    labels = [label.replace("\n", " ") for label in tick_labels(ax, "y")]
    assert labels == [Aim(a).label for a in aims]
    # first aim drawn at the top
    assert bars["fully"][0].get_y() < bars["fully"][1].get_y()
    assert ax.yaxis_inverted()


def test_achievement_base_n_legend_and_percent_axis() -> None:
    ax = plotting.plot_achievement(achievement_table())
    assert {"n=238", "n=190", "n=120"} <= set(texts(ax))
    assert "30%" in texts(ax)  # segment annotation
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [Achievement(o).label for o in OUTCOMES]
    assert ax.get_xlim() == approx((0.0, 1.0))
    assert ax.xaxis.get_major_formatter()(0.5, 0) == "50%"
    colours = {o: bars_by_gid(ax)[o][0].get_facecolor() for o in OUTCOMES}
    assert matplotlib.colors.to_hex(colours["too_early"]) == plotting.NEUTRAL_GREY.lower()


def test_achievement_order_questionnaire_and_explicit() -> None:
    ax = plotting.plot_achievement(achievement_table(), order="questionnaire")
    labels = [label.replace("\n", " ") for label in tick_labels(ax, "y")]
    assert labels == [Aim.ACCESS.label, Aim.SUSTAINABILITY.label, Aim.STAFF.label]
    ax = plotting.plot_achievement(achievement_table(), order=["staff", "access"])
    labels = [label.replace("\n", " ") for label in tick_labels(ax, "y")]
    assert labels == [Aim.STAFF.label, Aim.ACCESS.label]
    assert [p.get_width() for p in bars_by_gid(ax)["fully"]] == approx([0.22, 0.30])
    with pytest.raises(ValueError, match="`order` must list levels of 'aim'"):
        plotting.plot_achievement(achievement_table(), order=["nope"])


def test_achievement_missing_columns_and_wrong_type() -> None:
    with pytest.raises(ValueError, match=r"needs the columns \['outcome'\]"):
        plotting.plot_achievement(achievement_table().drop(columns="outcome"))
    with pytest.raises(gpcollab.ArgumentError, match="needs a pandas DataFrame"):
        plotting.plot_achievement([1, 2, 3])  # type: ignore[arg-type]


def test_achievement_several_domains_is_an_error() -> None:
    table = pd.concat(
        [achievement_table().assign(level="a"), achievement_table().assign(level="b")]
    )
    with pytest.raises(ValueError, match=r"other grouping columns \['level'\]"):
        plotting.plot_achievement(table)


# -- grouped rates --------------------------------------------------------------------------


def test_rates_heights_whiskers_labels_and_n() -> None:
    ax = plotting.plot_rates(rates_table(), x="size_band", outcome="fully")
    heights = [p.get_height() for p in bars_by_gid(ax)["estimate"]]
    assert heights == approx(RATE_EST)  # the "partially" rows are not drawn
    segments = whisker_segments(ax)
    assert len(segments) == 5
    assert [s[:, 1].min() for s in segments] == approx(RATE_LOW)
    assert [s[:, 1].max() for s in segments] == approx(RATE_HIGH)
    centres = [p.get_x() + p.get_width() / 2 for p in bars_by_gid(ax)["estimate"]]
    assert [s[0, 0] for s in segments] == approx(centres)
    assert flat(tick_labels(ax, "x")) == [b.label for b in SizeBand]
    assert [f"n={n}" for n in RATE_N] == [t for t in texts(ax) if t.startswith("n=")]
    assert ax.get_ylabel().startswith(Achievement.FULLY.label)
    assert ax.yaxis.get_major_formatter()(0.3, 0) == "30%"


def test_rates_other_outcome() -> None:
    ax = plotting.plot_rates(rates_table(), outcome="partially")
    assert [p.get_height() for p in bars_by_gid(ax)["estimate"]] == approx([0.5] * 5)
    with pytest.raises(ValueError, match="`outcome` must be an outcome in the table"):
        plotting.plot_rates(rates_table(), outcome="too_early")


def test_rates_with_hue_draws_side_by_side_bars() -> None:
    table = rates_table()
    staff = table.assign(
        aim="staff",
        estimate=table["estimate"] / 2,
        ci_low=table["ci_low"] / 2,
        ci_high=table["ci_high"] / 2,
    )
    both = pd.concat([table, staff], ignore_index=True)
    both["aim"] = _cat(both["aim"], Aim)
    ax = plotting.plot_rates(both, hue="aim")
    bars = bars_by_gid(ax)
    assert [p.get_height() for p in bars["access"]] == approx(RATE_EST)
    assert [p.get_height() for p in bars["staff"]] == approx([e / 2 for e in RATE_EST])
    assert all(
        a.get_x() + a.get_width() <= s.get_x() + 1e-9
        for a, s in zip(bars["access"], bars["staff"], strict=True)
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [Aim.ACCESS.label, Aim.STAFF.label]
    lows = sorted(s[:, 1].min() for s in whisker_segments(ax))
    assert lows == approx(sorted(RATE_LOW + [v / 2 for v in RATE_LOW]))
    # the table of every aim drawn without `hue`: one bar series per aim, as with hue="aim"
    ax = plotting.plot_rates(both)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == legend
    with pytest.raises(ValueError, match="several rows for the same"):
        plotting.plot_rates(pd.concat([table, table]), x="size_band")


def test_rates_funding_groups_are_labelled() -> None:
    table = pd.DataFrame(
        {
            "funding": [False, True],
            "n": [300, 90],
            "estimate": [0.2, 0.35],
            "ci_low": [0.16, 0.26],
            "ci_high": [0.25, 0.45],
        }
    )
    ax = plotting.plot_rates(table, x="funding")
    # the same words as the report's table of this chart
    assert tick_labels(ax, "x") == ["No such funding", "Access / Challenge Fund"]
    assert [p.get_height() for p in bars_by_gid(ax)["estimate"]] == approx([0.2, 0.35])
    assert ax.get_ylabel() == "Share of respondents"
    assert footers(ax) == []


# -- waves ----------------------------------------------------------------------------------


def test_wave_difference_points_and_interval_ends() -> None:
    ax = plotting.plot_wave_comparison(wave_table())
    segments = whisker_segments(ax)
    assert [s[:, 0].min() for s in segments] == approx([0.09, -0.11])
    assert [s[:, 0].max() for s in segments] == approx([0.18, -0.02])
    (container,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    points = container.lines[0]
    assert points is not None
    assert list(points.get_xdata()) == approx([0.13, -0.06])
    labels = tick_labels(ax, "y")
    assert labels[0].startswith(Membership.FORMAL.label + "\n")
    assert "2015: 37% (n=1,200) → 2017: 50% (n=1,100)" in flat(labels)[0]
    assert "p<0.001" in labels[0] and "p=0.010" in labels[1]
    assert ax.xaxis.get_major_formatter()(0.05, 0) == "+5"
    assert "2015 to 2017" in ax.get_xlabel()


def test_wave_long_form_draws_each_wave_with_its_interval() -> None:
    table = pd.DataFrame(
        {
            "wave": [2015, 2015, 2017, 2017],
            "option": ["formal", "informal"] * 2,
            "n": [1200, 1200, 1100, 1100],
            "estimate": [0.37, 0.26, 0.50, 0.20],
            "ci_low": [0.34, 0.23, 0.47, 0.18],
            "ci_high": [0.40, 0.29, 0.53, 0.23],
        }
    )
    ax = plotting.plot_wave_comparison(table)
    bars = bars_by_gid(ax)
    assert [p.get_height() for p in bars["2015"]] == approx([0.37, 0.26])
    assert [p.get_height() for p in bars["2017"]] == approx([0.50, 0.20])
    assert sorted(s[:, 1].max() for s in whisker_segments(ax)) == approx(
        sorted([0.40, 0.29, 0.53, 0.23])
    )
    labels = [label.replace("\n", " ") for label in tick_labels(ax, "x")]
    assert labels == [Membership.FORMAL.label, Membership.INFORMAL.label]
    # one base per wave: said once, in the legend, not over every bar
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "2015 (n=1,200)",
        "2017 (n=1,100)",
    ]
    assert not [t for t in texts(ax) if t.startswith("n=")]


def test_wave_rows_drawn_as_each_wave_with_its_own_interval() -> None:
    ax = plotting.plot_wave_comparison(wave_table(), show="waves")
    bars = bars_by_gid(ax)
    assert [p.get_height() for p in bars["2015"]] == approx([0.37, 0.26])
    assert [p.get_height() for p in bars["2017"]] == approx([0.50, 0.20])
    ends = sorted((s[:, 1].min(), s[:, 1].max()) for s in whisker_segments(ax))
    expected = sorted([(0.34, 0.40), (0.23, 0.29), (0.47, 0.53), (0.18, 0.23)])
    assert np.ravel(ends) == approx(np.ravel(expected))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["2015 (n=1,200)", "2017 (n=1,100)"]
    assert ax.get_xlabel() == "Is the practice part of a collaboration?"
    assert footers(ax) == [SYNTHETIC_NOTICE]


# -- Likert ---------------------------------------------------------------------------------


def test_likert_diverging_widths_and_zero_split() -> None:
    ax = plotting.plot_likert(likert_table())
    bars = bars_by_gid(ax)
    assert list(bars) == INFLUENCE[:4]  # don't know is not in the main Axes
    for j, option in enumerate(INFLUENCE[:4]):
        widths = [p.get_width() for p in bars[option]]
        assert widths == approx([LIKERT[g][0][j] for g in ("gp", "ccg")])
    # even scale: the negative half ends at zero, the positive half starts there
    assert [p.get_x() + p.get_width() for p in bars["slightly"]] == approx([0.0, 0.0])
    assert [p.get_x() for p in bars["fairly"]] == approx([0.0, 0.0])
    assert [p.get_x() for p in bars["not_at_all"]] == approx([-0.70, -0.50])
    labels = tick_labels(ax, "y")
    assert labels == ["GP practice staff survey\nn=900", "CCG staff survey\nn=150"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [Influence(o).label for o in INFLUENCE[:4]]
    assert ax.xaxis.get_major_formatter()(-0.4, 0) == "40%"


def _texts(ax: Axes, gid: str) -> list[str]:
    return [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == gid]


def test_likert_dont_know_is_a_labelled_figure_beside_the_bars() -> None:
    ax = plotting.plot_likert(likert_table())
    # not a bar on a scale of its own: a labelled figure beside each bar, after its total
    assert not any(p.get_gid() == "dont_know" for p in ax.patches)
    assert ax.child_axes == []
    assert _texts(ax, "dont_know") == ["Don't know: 15%", "Don't know: 10%"]
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    known = [t for t in ax.texts if t.get_gid() == "dont_know"]
    totals = [t for t in ax.texts if t.get_gid() == "side-total"]
    for row, text in enumerate(known):
        # on its bar's row, clear of (right of) the bar and of that row's positive total
        assert text.xy[1] == row
        box = text.get_window_extent(renderer)
        bar_end = max(
            p.get_window_extent().x1 for p in ax.patches if abs(p.get_y() + 0.3 - row) < 0.31
        )
        assert box.x0 > bar_end
        assert box.x0 > totals[2 * row + 1].get_window_extent(renderer).x1


def test_likert_dont_know_on_a_phone_stands_at_the_end_of_each_label_line() -> None:
    """On a phone-wide figure each bar's label has its own line above the bar. The CCG bar
    here ends at 0.30 + 0.50 = 0.80 of the scale, with its total after it: no room on its
    right for "Don't know: 10%", so every row's figure goes at the right end of its label's
    line (one place for all rows), clear of the label, never on the left of a bar."""
    table = likert_table()
    ccg = table["instrument"].astype(str) == "ccg"
    table.loc[ccg, "estimate"] = [0.05, 0.05, 0.40, 0.40, 0.10]
    fig, ax = plt.subplots(figsize=(3.9, 4.5), layout="constrained")
    ax = plotting.plot_likert(table, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    known = [t for t in ax.texts if t.get_gid() == "dont_know"]
    labels = [t for t in ax.texts if t.get_gid() == plotting.ROW_LABEL_GID]
    assert [t.get_text() for t in known] == ["Don't know: 15%", "Don't know: 10%"]
    axes_box = ax.get_window_extent(renderer)
    for text, label in zip(known, labels, strict=True):
        box, label_box = text.get_window_extent(renderer), label.get_window_extent(renderer)
        assert text.get_ha() == "right" and box.x1 == approx(axes_box.x1, abs=1.5)
        # on the label's line: the same baseline, and right of the label's end
        assert box.y0 == approx(label_box.y0, abs=3) and box.x0 > label_box.x1


def test_likert_totals_of_each_side_at_the_bar_ends() -> None:
    ax = plotting.plot_likert(likert_table())
    # GP: 45 + 25 = 70 negative, 12 + 3 = 15 positive; CCG: 20 + 30 = 50, 30 + 10 = 40
    totals = [t for t in ax.texts if t.get_gid() == "side-total"]
    assert [t.get_text() for t in totals] == ["70%", "15%", "50%", "40%"]
    # each written beyond its end of the bar: -0.70 and 0.15 for GP
    assert totals[0].xy[0] == approx(-0.70) and totals[0].get_ha() == "right"
    assert totals[1].xy[0] == approx(0.15) and totals[1].get_ha() == "left"
    assert all(t.get_fontweight() == "bold" for t in totals)


def test_likert_charts_share_one_symmetric_scale() -> None:
    limits = {
        plotting.plot_likert(likert_table()).get_xlim(),
        plotting.plot_likert(willingness_table()).get_xlim(),
    }
    (limit,) = limits
    assert limit[0] == approx(-limit[1]) and limit[1] >= 1.0


def test_likert_odd_scale_middle_straddles_zero_and_single_bar() -> None:
    ax = plotting.plot_likert(willingness_table())
    bars = bars_by_gid(ax)
    (neither,) = bars["neither"]
    assert neither.get_width() == approx(0.20)
    assert neither.get_x() == approx(-0.10)
    (very,) = bars["very_unwilling"]
    assert very.get_x() == approx(-(0.30 + 0.25 + 0.10))
    # contract willingness is asked of GP partners: the bar says so, not "all staff"
    assert tick_labels(ax, "y") == ["GP partners\nn=500"]
    assert _texts(ax, "dont_know") == ["Don't know: 10%"]
    # the middle answer counts on neither side: 30 + 25 unwilling, 10 + 5 willing
    assert _texts(ax, "side-total") == ["55%", "15%"]
    assert footers(ax) == []


def test_likert_without_dont_know_has_no_dont_know_column() -> None:
    table = likert_table()
    table = table[table["option"] != "dont_know"]
    ax = plotting.plot_likert(table)
    assert _texts(ax, "dont_know") == []


def test_likert_unknown_options_are_an_error() -> None:
    table = pd.DataFrame({"option": ["yes", "no"], "estimate": [0.5, 0.5]})
    with pytest.raises(ValueError, match="do not belong to one answer set"):
        plotting.plot_likert(table)


# -- size distribution ----------------------------------------------------------------------


def test_size_distribution_against_pcn_bands() -> None:
    ax = plotting.plot_size_distribution(size_table(), PCN)
    bars = bars_by_gid(ax)
    assert [p.get_height() for p in bars["survey"]] == approx(SIZE_EST)
    assert [p.get_height() for p in bars["pcn"]] == approx(PCN_SHARES)
    segments = whisker_segments(ax)
    assert [s[:, 1].min() for s in segments] == approx([e - 0.04 for e in SIZE_EST])
    assert [s[:, 1].max() for s in segments] == approx([e + 0.05 for e in SIZE_EST])
    assert flat(tick_labels(ax, "x")) == [b.label for b in SizeBand]
    legend = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
    assert legend == [
        "Respondents in a collaboration, survey (n=400)",
        "Primary care networks, Dec 2019 (n=10)",  # no member practices given: networks
    ]


def test_size_distribution_default_uses_the_real_pcns() -> None:
    """The real PCNs, each band's share of the practices in PCNs (the survey's unit: a
    respondent is a practice), computed here from the PCN file directly."""
    pcn = gpcollab.load_population(2019, "pcn")
    patients = pcn["registered_patients"].to_numpy(float)
    practices = pcn["practices"].to_numpy(float)
    edges = [(0, 30_000), (30_000, 50_000), (50_000, 100_000), (100_000, 250_000)]
    edges.append((250_000, np.inf))
    in_band = [(patients >= lo) & (patients < hi) for lo, hi in edges]
    expected = [float(practices[b].sum() / practices.sum()) for b in in_band]
    ax = plotting.plot_size_distribution(size_table())
    heights = [p.get_height() for p in bars_by_gid(ax)["pcn"]]
    assert heights == approx(expected)
    assert sum(heights) == approx(1.0)
    label = ax.get_legend().get_texts()[1].get_text().replace("\n", " ")
    assert f"({int(practices.sum()):,} in {len(patients):,} PCNs)" in label
    # counting networks instead: each PCN once
    shares = gpcollab.pcn_size_shares(unit="pcns")
    assert shares["estimate"].tolist() == approx([float(b.mean()) for b in in_band])
    with pytest.raises(gpcollab.ArgumentError, match="practices"):
        gpcollab.pcn_size_shares(pcn.drop(columns=["practices"]))


# -- scenarios ------------------------------------------------------------------------------


def assert_value_column(ax: Axes) -> list[Text]:
    """The values of a scenarios chart: one per row, their right edges at one x (a column)
    just left of the axis (within 0.15 inch), clear of every dot and interval line, and the
    row labels beside the dots left of them."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    values = [t for t in ax.texts if t.get_gid() == "value"]
    boxes = [t.get_window_extent(renderer) for t in values]
    assert len(values) == sum(len(v) for v in scenario_dots(ax).values())
    assert max(b.x1 for b in boxes) - min(b.x1 for b in boxes) < 0.5
    axis = ax.get_window_extent().x0
    line_starts = [ax.transData.transform((low, 0))[0] for low, _ in interval_ends(ax)]
    assert max(b.x1 for b in boxes) < min([*line_starts, axis])
    assert axis - max(b.x1 for b in boxes) < 0.15 * fig.dpi
    for label in ax.get_yticklabels():
        if label.get_text():
            assert label.get_window_extent(renderer).x1 < min(b.x0 for b in boxes)
    return values


def test_scenarios_dots_intervals_reference_and_labels() -> None:
    ax = plotting.plot_scenarios(scenario_table())
    assert scenario_dots(ax)["estimate"] == approx([0.30, 0.38, 0.34])
    assert np.ravel(interval_ends(ax)) == approx([0.26, 0.34, 0.30, 0.46, 0.29, 0.40])
    assert tick_labels(ax, "y") == ["Observed", "all 100k-250k", "two years older"]
    # one model, one base: said once in the footer, not on every row
    notes = [t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID]
    assert "Base: n=400 in every row." in notes[0]
    # the reference row's dot is grey (red = green = blue), the others coloured
    (reference_dot, *others) = [line for line in ax.lines if line.get_gid() == "estimate"]
    red, green, blue, _ = matplotlib.colors.to_rgba(reference_dot.get_markerfacecolor())
    assert red == green == blue
    assert all(len(set(matplotlib.colors.to_rgb(d.get_markerfacecolor()))) > 1 for d in others)
    # one value per row, the reference row's in bold, in a column left of the axis
    assert texts(ax) == ["Observed: 30%", "30%", "38%", "34%"]
    values = assert_value_column(ax)
    assert [t.get_fontweight() for t in values] == ["bold", "normal", "normal"]
    # an interval starting near 0 leaves the values where they were, clear of it
    low = scenario_table().assign(ci_low=[0.02, 0.30, 0.29])
    ax = plotting.plot_scenarios(low)
    assert_value_column(ax)
    reference = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in reference] == approx([0.30])
    assert Aim.ACCESS.label in ax.get_xlabel()


def test_scenarios_drawn_as_differences_from_the_reference() -> None:
    """``show="difference"``: the reference is the line at 0, labelled with its share (30%);
    each other scenario is its difference in points: all 100k-250k +8 (95% interval +1 to
    +15), two years older +4 (-2 to +10)."""
    table = scenario_table().assign(
        difference_ci_low=[0.0, 0.01, -0.02], difference_ci_high=[0.0, 0.15, 0.10]
    )
    ax = plotting.plot_scenarios(table, show="difference")
    assert tick_labels(ax, "y") == ["all 100k-250k", "two years older"]
    assert scenario_dots(ax)["estimate"] == approx([0.08, 0.04])
    assert np.ravel(interval_ends(ax)) == approx([0.01, 0.15, -0.02, 0.10])
    reference = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in reference] == approx([0.0])
    assert texts(ax) == ["Observed: 30%", "+8 pts", "+4 pts"]
    assert_value_column(ax)
    low, high = ax.get_xlim()
    assert low == approx(-high) and high >= 0.15  # symmetric about 0, every interval on it
    assert "percentage points" in ax.get_xlabel()
    with pytest.raises(gpcollab.ArgumentError, match="show"):
        plotting.plot_scenarios(table, show="levels")  # type: ignore[arg-type]


def test_scenarios_pcn_projection_rows() -> None:
    table = pd.DataFrame(
        {
            "size_band": ["under_30k", "30k_50k", "all_pcns"],
            "pcns": [130, 740, 1250],
            "share_of_pcns": [0.104, 0.592, 1.0],
            "estimate": [0.2, 0.25, 0.24],
            "ci_low": [0.12, 0.2, 0.2],
            "ci_high": [0.3, 0.31, 0.29],
        }
    )
    ax = plotting.plot_scenarios(table, reference=None)
    assert tick_labels(ax, "y") == [
        f"{SizeBand.UNDER_30K.label}\n130 PCNs (10%)",
        f"{SizeBand.FROM_30K.label}\n740 PCNs (59%)",
        "All PCNs\n1,250 PCNs",
    ]
    assert texts(ax) == ["20%", "25%", "24%"]
    assert_value_column(ax)
    # the reference row is drawn on top, as in the scenarios chart
    ax = plotting.plot_scenarios(table, reference="all_pcns")
    assert tick_labels(ax, "y")[0] == "All PCNs\n1,250 PCNs"
    # one PCN is singular, and a share that rounds to 0 is written "<1%"
    one = table.assign(pcns=[1, 740, 1250], share_of_pcns=[0.0008, 0.592, 1.0])
    ax = plotting.plot_scenarios(one, reference=None)
    assert tick_labels(ax, "y")[0].endswith("\n1 PCN (<1%)")
    assert [high for _, high in interval_ends(ax)] == approx([0.3, 0.31, 0.29])
    assert scenario_dots(ax)["few-pcns"] == approx([0.2])  # one PCN: drawn pale


# -- public access ---------------------------------------------------------------------------


def test_gpcollab_plot_is_importable_and_holds_the_helpers() -> None:
    import gpcollab.plot
    from gpcollab.plot import plot_rates

    assert gpcollab.plot.plot_rates is plotting.plot_rates
    assert plot_rates is plotting.plot_rates
    assert sorted(gpcollab.plot.__all__) == sorted(plotting.__all__)
    code = "import gpcollab as gc; print(gc.plot.plot_likert.__module__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "gpcollab.plotting"


def test_palette_is_okabe_ito() -> None:
    okabe_ito = {
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
        "#000000",
    }
    assert set(plotting.PALETTE) == okabe_ito


def test_matplotlib_is_imported_only_when_drawing() -> None:
    code = (
        "import sys, json, gpcollab; gpcollab.plot; print(json.dumps('matplotlib' in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) is False


# -- on the output of the real analysis functions (synthetic reconstruction) ---------------


@pytest.fixture(scope="module")
def real() -> dict[str, Any]:
    from gpcollab.reconstruction import reconstruct

    return {
        "gp15": reconstruct(2015, "gp"),
        "gp17": reconstruct(2017, "gp"),
        "ccg17": reconstruct(2017, "ccg"),
    }


def test_real_achievement_rates(real: dict[str, Any]) -> None:
    from gpcollab.analysis import achievement_rates

    table = achievement_rates(real["gp17"], too_early="separate")
    for ax in (plotting.plot_achievement(table), plotting.plot_achievement(real["gp17"])):
        bars = bars_by_gid(ax)
        order = [label.replace("\n", " ") for label in tick_labels(ax, "y")]
        by_label = {Aim(a).label: a for a in Aim.values()}
        for outcome, patches in bars.items():
            expected = [
                float(
                    table.loc[
                        (table["aim"] == by_label[label]) & (table["outcome"] == outcome),
                        "estimate",
                    ].iloc[0]
                )
                for label in order
            ]
            assert [p.get_width() for p in patches] == approx(expected)
        totals = np.sum([[p.get_width() for p in patches] for patches in bars.values()], axis=0)
        assert totals == approx(np.ones(len(order)))
        assert footers(ax) == [SYNTHETIC_NOTICE]


@pytest.mark.parametrize("by", ["size_band", "age_band", "funding"])
def test_real_rates_by_band(real: dict[str, Any], by: str) -> None:
    from gpcollab.analysis import achievement_rates

    with warnings.catch_warnings():  # exact intervals for empty cells: not what is tested
        warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
        table = achievement_rates(real["gp17"], by=by, aims=["access"])
    fully = table[table["outcome"] == "fully"]
    ax = plotting.plot_rates(table, x=by)
    assert [p.get_height() for p in bars_by_gid(ax)["estimate"]] == approx(
        fully["estimate"].tolist()
    )
    segments = whisker_segments(ax)
    assert [s[:, 1].min() for s in segments] == approx(fully["ci_low"].tolist())
    assert [s[:, 1].max() for s in segments] == approx(fully["ci_high"].tolist())
    assert [t for t in texts(ax) if t.startswith("n=")] == [f"n={n:,}" for n in fully["n"]]


def test_real_stp_views_and_contract_willingness(real: dict[str, Any]) -> None:
    from gpcollab.analysis import contract_willingness, stp_views

    views = stp_views(real["gp17"], real["ccg17"])
    ax = plotting.plot_likert(views)
    assert tick_labels(ax, "y")[0].startswith(Instrument.GP.label)
    dk = views[views["option"] == "dont_know"]["estimate"].tolist()
    written = [t.get_text() for t in ax.texts if t.get_gid() == "dont_know"]
    assert written == [f"Don't know: {100 * share:.0f}%" for share in dk]
    willing = contract_willingness(real["gp17"])
    ax = plotting.plot_likert(willing)
    (neither,) = bars_by_gid(ax)["neither"]
    share = float(willing.loc[willing["option"] == "neither", "estimate"].iloc[0])
    assert neither.get_width() == approx(share)
    assert neither.get_x() == approx(-share / 2)


def test_real_compare_waves_and_size_distribution(real: dict[str, Any]) -> None:
    from gpcollab.analysis import compare_waves, distribution

    change = compare_waves(real["gp15"], real["gp17"], "membership", "formal")
    ax = plotting.plot_wave_comparison(change)
    (segment,) = whisker_segments(ax)
    assert (segment[:, 0].min(), segment[:, 0].max()) == approx(
        (float(change["ci_low"].iloc[0]), float(change["ci_high"].iloc[0]))
    )
    sizes = distribution(real["gp17"], "size_band")
    for ax in (
        plotting.plot_size_distribution(sizes),
        plotting.plot_size_distribution(real["gp17"]),
    ):
        assert [p.get_height() for p in bars_by_gid(ax)["survey"]] == approx(
            sizes["estimate"].tolist()
        )


def test_real_whatif_tables(real: dict[str, Any]) -> None:
    from gpcollab import whatif

    scenarios = [whatif.Scenario("all 100k-250k", set={"size_band": "100k_250k"})]
    table = whatif.standardise(real["gp17"], "access", scenarios, n_boot=30)
    ax = plotting.plot_scenarios(table)
    assert scenario_dots(ax)["estimate"] == approx(table["estimate"].tolist())
    assert [high for _, high in interval_ends(ax)] == approx(table["ci_high"].tolist())
    projection = whatif.pcn_projection(real["gp17"], "access", n_boot=30)
    ax = plotting.plot_scenarios(projection, reference=None)
    assert tick_labels(ax, "y")[-1].startswith("All PCNs\n")
    # the projection's numbers come from the synthetic model; the PCN counts are real
    (footer,) = flat(footers(ax))
    assert footer.startswith(SYNTHETIC_NOTICE) and "PCN counts are real" in footer
    sources = [t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.SOURCE_GID]
    assert "Open Government Licence" in sources[0].replace("\n", " ")


# -- the source line names the survey, its year and who ran it -------------------------------


def source_text(ax: Axes) -> str:
    (text,) = [t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.SOURCE_GID]
    return text.replace("\n", " ")


def test_source_line_names_who_ran_the_published_surveys() -> None:
    # The 2015 and 2017 surveys were run by the Nuffield Trust with the RCGP (the research
    # pages the findings register cites); the bundled sets rebuild them, so they say so.
    gp17 = gpcollab.load_survey(2017, "gp")
    assert source_text(plotting.plot_achievement(gp17)) == (
        "Source: Nuffield Trust and RCGP survey of GP practice staff, 2017."
    )
    table = gpcollab.achievement_rates(gp17, too_early="separate")
    assert source_text(plotting.plot_achievement(table)) == (
        "Source: Nuffield Trust and RCGP survey of GP practice staff, 2017."
    )
    ccg15 = gpcollab.reconstruct(2015, "ccg")
    assert ccg15.meta.organisation == "Nuffield Trust and RCGP"
    assert plotting._source_line(ccg15) == (
        "Source: Nuffield Trust and RCGP survey of CCG staff, 2015."
    )


def test_source_line_of_an_own_export_credits_only_whom_its_codebook_names(
    tmp_path: Path,
) -> None:
    # a later wave read with a copy of the bundled codebook: nobody is named unless the
    # copy says who ran it
    export = gpcollab.write_survey(gpcollab.load_survey(2017, "gp"), tmp_path / "export.csv")
    text = gpcollab.write_codebook(tmp_path / "later.toml", "gp2017").read_text("utf-8")
    assert "\nwave = 2017\n" in text
    (tmp_path / "later.toml").write_text(text.replace("\nwave = 2017\n", "\nwave = 2019\n"))
    own = gpcollab.read_survey(export, codebook=str(tmp_path / "later.toml"))
    assert own.meta.organisation == ""
    line = source_text(plotting.plot_achievement(own))
    assert line == "Source: GP practice staff survey, 2019."
    named = text.replace("\nwave = 2017\n", '\nwave = 2019\norganisation = "Anytown ICB"\n')
    (tmp_path / "named.toml").write_text(named)
    own = gpcollab.read_survey(export, codebook=str(tmp_path / "named.toml"))
    line = source_text(plotting.plot_achievement(own))
    assert line == "Source: Anytown ICB survey of GP practice staff, 2019."


def test_source_line_of_several_surveys() -> None:
    nt = "Nuffield Trust and RCGP"
    both = pd.DataFrame()
    both.attrs = {"wave": [2015, 2017], "instrument": ["gp", "gp"], "organisation": [nt, nt]}
    assert plotting._source_line(both) == (
        "Source: Nuffield Trust and RCGP surveys of GP practice staff, 2015 and 2017."
    )
    # one survey that does not say who ran it: no organisation is credited for either
    mixed = pd.DataFrame()
    mixed.attrs = {"wave": [2017, 2019], "instrument": ["gp", "gp"], "organisation": [nt, ""]}
    assert plotting._source_line(mixed) == "Source: GP practice staff survey, 2017 and 2019."
    # a table from before the organisation was recorded keeps the old words
    old = pd.DataFrame()
    old.attrs = {"wave": 2017, "instrument": "ccg"}
    assert plotting._source_line(old) == "Source: CCG staff survey, 2017."


def _luma(colour: str) -> float:
    """Greyscale lightness (ITU-R BT.601 luma, 0-255) of a hex colour."""
    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


def _contrast(text: str, colour: str) -> float:
    """WCAG 2 contrast ratio of black or white text on ``colour``."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted((luminance(colour), 1.0 if text == "white" else 0.0), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_achievement_segments_read_in_greyscale_in_their_order() -> None:
    # by hand (0.299 R + 0.587 G + 0.114 B): #0072B2 -> 87.2, #4292C6 -> 128.0,
    # #E69F00 -> 162.1, #C4C4C4 -> 196.0; the old light blue #56B4E9 was 158.0, 4 from orange
    assert _luma("#56B4E9") == approx(158.0, abs=0.1)
    ax = plotting.plot_achievement(achievement_table())
    drawn = [matplotlib.colors.to_hex(bars_by_gid(ax)[o][0].get_facecolor()) for o in OUTCOMES]
    lightness = [_luma(colour) for colour in drawn]
    assert lightness == approx([87.2, 128.0, 162.1, 196.0], abs=0.1)
    # darkest first, each segment at least 25 of 255 lighter than the one before
    assert all(b - a >= 25 for a, b in itertools.pairwise(lightness))
    # "don't know", when drawn, comes after "too early to say", lighter again
    dont_know = _luma(plotting.ACHIEVEMENT_COLOURS["dont_know"])
    assert dont_know - lightness[-1] >= 25
    # the label colour chosen for each segment meets WCAG AA (4.5:1) for normal text
    for colour in [*drawn, plotting.ACHIEVEMENT_COLOURS["dont_know"]]:
        assert _contrast(plotting._text_colour(colour), colour) >= 4.5, colour
    # the segment labels drawn use it: white on the dark blue, black on the others
    labels = {t.get_text(): t.get_color() for t in ax.texts if t.get_text() in ("30%", "40%")}
    assert labels == {"30%": "white", "40%": "black"}


@pytest.mark.parametrize("levels", [2, 3, 5])
def test_group_colours_stand_out_from_white(levels: int) -> None:
    """Every colour a dot chart gives a group (the shades of ordered groups, and the grey and
    blue of two groups or two waves) has at least WCAG's 3:1 contrast against the white page
    for graphics; the old lightest shade (#59BFC0, YlGnBu at 0.45) had 2.2:1 and the old grey
    (#9A9A9A) 2.8:1. With L the colour's relative luminance, its contrast against white is
    1.05 / (L + 0.05); _contrast("black", c) is (L + 0.05) / 0.05, so white's is 21 / that."""
    table = dots_table_of_groups(levels)
    ax = plotting.plot_rates(table, x="aim", hue="size_band", kind="dot")
    colours = {
        matplotlib.colors.to_hex(line.get_markerfacecolor())
        for line in ax.lines
        if line.get_gid() not in (None, "estimate") and line.get_marker() == "o"
    }
    assert len(colours) == levels
    for colour in colours:
        assert 21 / _contrast("black", colour) >= 3.0, colour
    assert 21 / _contrast("black", "#9A9A9A") < 3.0  # the check can fail: the old grey does


def dots_table_of_groups(levels: int) -> pd.DataFrame:
    """Two aims by the first ``levels`` size bands, every cell shown."""
    bands = SizeBand.values()[:levels]
    rows = [
        {
            "aim": aim,
            "size_band": band,
            "n": 50,
            "estimate": 0.3,
            "ci_low": 0.2,
            "ci_high": 0.4,
            "suppressed": False,
        }
        for aim in ("access", "staff")
        for band in bands
    ]
    table = pd.DataFrame(rows)
    table["aim"] = pd.Categorical(table["aim"], dtype=Aim.dtype())
    table["size_band"] = pd.Categorical(table["size_band"], categories=bands, ordered=True)
    return table


def test_dot_rows_marked_as_differing_are_bold_and_explained() -> None:
    """``marked`` rows of a dot chart comparing groups (the aims a caller's tests found to
    differ) have bold labels, the others not, and the footer says what bold means; on a
    phone-sized figure the labels above the rows are bold alike."""
    table = dots_table_of_groups(2)
    ax = plotting.plot_rates(table, x="aim", hue="size_band", kind="dot", marked=["staff"])
    weights = {t.get_text().replace("\n", " "): t.get_fontweight() for t in ax.get_yticklabels()}
    assert weights == {Aim.ACCESS.label: "normal", Aim.STAFF.label: "bold"}
    notes = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    assert "Bold: aims on which groups differ significantly." in notes.replace("\n", " ")
    _fig, phone = plt.subplots(figsize=(3.9, 5))
    plotting.plot_rates(table, x="aim", hue="size_band", kind="dot", marked=["staff"], ax=phone)
    above = {
        t.get_text().replace("\n", " "): t.get_fontweight()
        for t in phone.texts
        if t.get_gid() == plotting.ROW_LABEL_GID
    }
    assert above == {Aim.ACCESS.label: "normal", Aim.STAFF.label: "bold"}
    plain = plotting.plot_rates(table, x="aim", hue="size_band", kind="dot")
    assert {t.get_fontweight() for t in plain.get_yticklabels()} == {"normal"}


# -- dot charts comparing groups: each group named beside its line ----------------------------


def group_labels(ax: Axes) -> list[Text]:
    return [t for t in ax.texts if t.get_gid() == plotting.GROUP_LABEL_GID]


def _point_boxes(ax: Axes) -> list[Any]:
    """A box (display pixels) round each dot and each interval line drawn on ``ax``."""
    from matplotlib.collections import LineCollection
    from matplotlib.transforms import Bbox

    per_pt = ax.figure.dpi / 72
    boxes = []
    for line in ax.lines:
        if line.get_marker() in (None, "None", "", " "):
            continue  # the rules between rows
        r = line.get_markersize() / 2 * per_pt
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
            if np.isfinite(x) and np.isfinite(y):
                px, py = ax.transData.transform((x, y))
                boxes.append(Bbox([[px - r, py - r], [px + r, py + r]]))
    for collection in ax.collections:
        if isinstance(collection, LineCollection) and str(collection.get_gid()).startswith("ci-"):
            for segment in collection.get_segments():
                (x0, y0), (x1, y1) = ax.transData.transform(np.asarray(segment))
                boxes.append(Bbox([[min(x0, x1), y0 - 1], [max(x0, x1), y1 + 1]]))
    return boxes


def _other_text_boxes(ax: Axes, labels: list[Text]) -> list[tuple[str, Any]]:
    fig = ax.figure
    texts = [t for t in ax.texts if t not in labels] + [ax.xaxis.label, *fig.texts]
    texts += [*ax.get_yticklabels(), *ax.get_xticklabels()]
    legend = ax.get_legend()
    if legend is not None:
        texts += [*legend.get_texts(), legend.get_title()]
    return [(t.get_text(), t.get_window_extent()) for t in texts if t.get_text().strip()]


def _apart(a: Any, b: Any) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) <= 0 or min(a.y1, b.y1) - max(a.y0, b.y0) <= 0


def assert_groups_named_in_first_row(ax: Axes, first_row: dict[str, float]) -> list[Text]:
    """The groups of a dot chart named once each, beside their own lines of the first row, in
    place of a legend. ``first_row``: each group's name -> its first row's estimate as the
    caller's table gives it (NaN for a hidden cell), in the order of the groups.

    Each name sits on its group's line (the line of dots whose first-row dot is the table's
    estimate), in a colour with WCAG AA contrast against white, inside the scale, left of the
    value column, and overlaps no other text, dot or interval line."""
    fig = ax.figure
    fig.canvas.draw()
    assert ax.get_legend() is None
    labels = group_labels(ax)
    assert [t.get_text() for t in labels] == list(first_row)
    dots = {line.get_label(): line for line in ax.lines if line.get_label() in first_row}
    frame = ax.get_window_extent()
    column = [t.get_window_extent().x0 for t in ax.texts if t.get_gid() in ("value", "base")]
    others = _other_text_boxes(ax, labels)
    marks = _point_boxes(ax)
    first_row_at = float(ax.get_yticks()[0])  # the rows' ticks, the first row's first
    for label in labels:
        name = label.get_text()
        line = dots[name]
        x0, y0 = (float(np.asarray(v, float)[0]) for v in (line.get_xdata(), line.get_ydata()))
        # the line is the group's own, in the first row (rows are a whole unit apart)
        assert x0 == approx(first_row[name], nan_ok=True)
        assert abs(y0 - first_row_at) < 0.5
        assert label.get_position()[1] == approx(y0)
        box = label.get_window_extent()
        line_y = ax.transData.transform((0.0, y0))[1]
        beside = abs((box.y0 + box.y1) / 2 - line_y) <= 1.0
        above = 0 < box.y0 - line_y < 12 * fig.dpi / 72
        assert beside or above, name
        assert box.x0 >= frame.x0 and box.x1 <= min([*column, frame.x1])
        assert box.y0 >= frame.y0 and box.y1 <= frame.y1
        assert all(_apart(box, other) for _, other in others), name
        assert all(_apart(box, mark) for mark in marks), name
        for other in labels:
            assert other is label or _apart(box, other.get_window_extent())
        colour = matplotlib.colors.to_hex(label.get_color())
        assert _contrast("white", colour) >= 4.5, (name, colour)
    return labels


def dots_of_three(hidden_first: bool = False) -> pd.DataFrame:
    """Three aims by three size bands, intervals made up: the first row (access) has a short
    interval well left of the scale's end, a wide one ending near it, and a middle one."""
    bands = SizeBand.values()[:3]
    cells = {  # (aim, band) -> (estimate, low, high)
        ("access", bands[0]): (0.12, 0.05, 0.20),
        ("access", bands[1]): (0.62, 0.45, 0.78),
        ("access", bands[2]): (0.40, 0.30, 0.50),
        ("staff", bands[0]): (0.30, 0.20, 0.40),
        ("staff", bands[1]): (0.35, 0.25, 0.45),
        ("staff", bands[2]): (0.25, 0.15, 0.35),
        ("efficiency", bands[0]): (0.20, 0.10, 0.30),
        ("efficiency", bands[1]): (0.22, 0.12, 0.32),
        ("efficiency", bands[2]): (0.28, 0.18, 0.38),
    }
    rows = [
        {"aim": aim, "size_band": band, "n": 60 + 5 * k, "estimate": e, "ci_low": lo}
        | {"ci_high": hi, "suppressed": False}
        for k, ((aim, band), (e, lo, hi)) in enumerate(cells.items())
    ]
    table = pd.DataFrame(rows)
    if hidden_first:  # the first row's first group hidden by disclosure control
        hide = (table["aim"] == "access") & (table["size_band"] == bands[0])
        table.loc[hide, ["estimate", "ci_low", "ci_high"]] = np.nan
        table.loc[hide, "suppressed"] = True
    table["aim"] = pd.Categorical(table["aim"], dtype=Aim.dtype())
    table["size_band"] = pd.Categorical(table["size_band"], categories=bands, ordered=True)
    table.attrs.update(synthetic=True, wave=2017, instrument="gp", suppression={"min_n": 5})
    return table


FIRST_ROW = {  # the first row of dots_of_three: the order puts access first
    SizeBand("under_30k").label: 0.12,
    SizeBand("30k_50k").label: 0.62,
    SizeBand("50k_100k").label: 0.40,
}
ORDER = ["access", "staff", "efficiency"]


@pytest.mark.parametrize("size", [(8.5, 5.0), (3.9, 7.0)])
def test_dot_groups_are_named_beside_their_lines_in_the_first_row(
    size: tuple[float, float],
) -> None:
    """In place of a legend each group's name is written once, on its own line of the first
    row: at the report's wide size and on a phone (row labels above the rows)."""
    fig = plt.figure(figsize=size, layout="constrained")
    ax = plotting.plot_rates(
        dots_of_three(), x="aim", hue="size_band", kind="dot", order=ORDER, ax=fig.add_subplot()
    )
    labels = assert_groups_named_in_first_row(ax, FIRST_ROW)
    # the names are the chart's small text: 7.5 pt, and 8.5 pt (11 CSS px) on a phone
    assert {t.get_fontsize() for t in labels} == {7.5 if size[0] > 4 else 8.5}
    if size[0] > 4:  # wide: the first group's short interval (ends at 20%) has room after it
        box = labels[0].get_window_extent()
        assert box.x0 > ax.transData.transform((0.20, 0.0))[0]
        assert abs((box.y0 + box.y1) / 2 - ax.transData.transform((0.0, -0.25))[1]) <= 1.0


def test_dot_group_hidden_in_the_first_row_is_named_after_its_mark() -> None:
    """A group whose first-row cell is hidden still has its name on its line, after the
    ``[c]`` that stands for the dot."""
    fig = plt.figure(figsize=(8.5, 5.0), layout="constrained")
    ax = plotting.plot_rates(
        dots_of_three(hidden_first=True),
        x="aim",
        hue="size_band",
        kind="dot",
        order=ORDER,
        ax=fig.add_subplot(),
    )
    first_row = {**FIRST_ROW, SizeBand("under_30k").label: np.nan}
    labels = assert_groups_named_in_first_row(ax, first_row)
    line_y = labels[0].get_position()[1]
    marks = [t for t in ax.texts if t.get_gid() == plotting.SUPPRESSED_GID]
    (mark,) = [t for t in marks if t.get_position()[1] == line_y]
    assert labels[0].get_window_extent().x0 > mark.get_window_extent().x1


@pytest.mark.parametrize("levels", [2, 5])
def test_dot_groups_named_directly_for_two_and_five_groups(levels: int) -> None:
    """Two groups (grey and blue) and five (shades of blue), each named in a readable shade."""
    table = dots_table_of_groups(levels)
    ax = plotting.plot_rates(table, x="aim", hue="size_band", kind="dot")
    names = {SizeBand(b).label: 0.3 for b in SizeBand.values()[:levels]}
    assert_groups_named_in_first_row(ax, names)


def test_dot_groups_named_by_a_legend_when_asked_or_when_names_do_not_fit() -> None:
    """``hue_labels="legend"`` keeps the legend; so does a chart where some name has no
    clear place (every interval spans the whole scale, the lines close together); a small
    axes too short for a line per dot has its legend as before. Each group is then named
    once, in the legend, and nothing overlaps."""
    names = [SizeBand(b).label for b in SizeBand.values()[:3]]

    def legend_only(ax: Axes) -> None:
        ax.figure.canvas.draw()
        assert group_labels(ax) == []
        legend = ax.get_legend()
        entries = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
        assert sorted(e for e in entries if e) == sorted(names)  # (a grid pads with blanks)
        boxes = _other_text_boxes(ax, [])
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
            assert _apart(box_a, box_b), (a, b)

    asked = plotting.plot_rates(
        dots_of_three(), x="aim", hue="size_band", kind="dot", order=ORDER, hue_labels="legend"
    )
    legend_only(asked)
    crowded = dots_of_three().assign(ci_low=0.0, ci_high=1.0)
    fig = plt.figure(figsize=(4.5, 3.8), layout="constrained")
    ax = plotting.plot_rates(crowded, x="aim", hue="size_band", kind="dot", ax=fig.add_subplot())
    # a line per dot (each with its value), but no room beside or above the first row's lines
    assert len([t for t in ax.texts if t.get_gid() == "value"]) == 9
    legend_only(ax)
    _fig, small = plt.subplots(figsize=(4, 3))
    plotting.plot_rates(dots_of_three(), x="aim", hue="size_band", kind="dot", ax=small)
    legend_only(small)
    with pytest.raises(gpcollab.ArgumentError, match="hue_labels"):
        plotting.plot_rates(dots_of_three(), x="aim", hue="size_band", kind="dot", hue_labels="x")


def test_likert_true_zero_is_said_in_the_footer() -> None:
    """An answer nobody gave has no segment to carry its 0%: the footer says it, for that
    bar only (here the willingness scale's "very willing" set to 0 out of 500)."""
    table = willingness_table()
    table.loc[table["option"] == "very_willing", "estimate"] = 0.0
    ax = plotting.plot_likert(table)
    notes = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    label = ContractWillingness.labels()["very_willing"].lower()
    assert f"nobody answered “{label}” (0%)." in notes.replace("\n", " ")
    ax = plotting.plot_likert(willingness_table())  # every answer given: no such note
    notes = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    assert "nobody answered" not in notes


def test_wave_dots_write_uncompared_rows_apart_and_never_bold() -> None:
    """A row whose shares do not compare across the waves (what the answer counts changed) is
    written "55% · 75%", not as a change "55% → 75%", and is not set in bold even when asked
    to be; the other rows keep their arrow."""
    rows = [
        {"wave": wave, "option": option, "n": 60, "estimate": share}
        | {"ci_low": share - 0.1, "ci_high": share + 0.1}
        for wave, shares in (("2015", (0.55, 0.30)), ("2017", (0.75, 0.35)))
        for option, share in zip(("financial", "it"), shares, strict=True)
    ]
    table = pd.DataFrame(rows)
    table.attrs.update(synthetic=False)
    ax = plotting.plot_wave_comparison(
        table, kind="dot", marked=["financial"], uncompared=["financial"]
    )
    values = {t.get_text(): t.get_fontweight() for t in ax.texts if t.get_gid() == "value"}
    assert values == {"55% · 75%": "normal", "30% → 35%": "normal"}


def test_wave_dots_leave_out_a_row_hidden_in_every_wave() -> None:
    """Three answers in two waves; "legal" is hidden in both (a row of "[c] -> [c]" compares
    nothing): it is not drawn, the footer names it, and dot_shape sizes the figure for the
    two rows drawn. "it" is hidden in 2015 only: it stays, with its 2017 value."""
    rows = []
    for wave in ("2015", "2017"):
        for option, share in (("financial", 0.55), ("it", 0.30), ("legal", 0.25)):
            hidden = option == "legal" or (option == "it" and wave == "2015")
            rows.append(
                {
                    "wave": wave,
                    "option": option,
                    "n": 60,
                    "estimate": np.nan if hidden else share,
                    "ci_low": np.nan if hidden else share - 0.1,
                    "ci_high": np.nan if hidden else share + 0.1,
                    "suppressed": hidden,
                }
            )
    table = pd.DataFrame(rows)
    table.attrs.update(synthetic=False)
    assert plotting.dot_shape(table, x="option", hue="wave") == (2, 2)
    ax = plotting.plot_wave_comparison(table, kind="dot")
    # the answers of ccg_support, by their labels
    assert tick_labels(ax, "y") == ["Financial support", "IT support"]
    notes = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    assert "“Legal advice” is not drawn: hidden in every wave (see the table)." in notes.replace(
        "\n", " "
    )
