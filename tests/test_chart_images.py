"""Charts as a reader sees them: layout checks on the drawn artists and image regression tests.

Every helper is drawn at the default size and on a user's own 4 x 3 inch axes (a figure without
a layout engine), and every figure of the report in its wide and narrow layout. On each:

* no two text boxes overlap and no text leaves the canvas (measured on the laid-out figure);
* cells hidden by disclosure control are drawn with their marker ``[c]``, as many as the input
  table has hidden cells (counted by hand below);
* report figures carry their headline, base line, source line and, for synthetic data, the
  synthetic notice; the charts of real PCN data cite NHS Digital and do not call it synthetic.

The images are compared with baselines in ``tests/baseline/`` (``matplotlib.testing.compare``,
RMS tolerance :data:`TOLERANCE`). The drawing is made deterministic: Agg canvas, matplotlib's
default style with the bundled DejaVu Sans, fixed DPI and no metadata. To accept an intended
change of look, run ``GPCOLLAB_UPDATE_BASELINES=1 pytest tests/test_chart_images.py`` and look
at every changed PNG before committing it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.testing.compare import compare_images
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import gpcollab
from gpcollab import plotting
from gpcollab.schema import SYNTHETIC_NOTICE
from gpcollab.vocab import Aim, Instrument, SizeBand
from test_plotting import (
    PCN,
    achievement_table,
    assert_groups_named_in_first_row,
    assert_value_column,
    group_labels,
    likert_table,
    rates_table,
    scenario_table,
    size_table,
    wave_table,
    willingness_table,
)

BASELINE = Path(__file__).parent / "baseline"
TOLERANCE = 6.0
DPI = 72
LAYOUT_DPI = 100
UPDATE = os.environ.get("GPCOLLAB_UPDATE_BASELINES") == "1"


@pytest.fixture(autouse=True)
def fixed_style() -> Iterator[None]:
    """matplotlib's default style with DejaVu Sans (bundled with matplotlib), whatever the
    user's matplotlibrc says."""
    with matplotlib.rc_context(rc=matplotlib.rcParamsDefault):
        matplotlib.rcParams.update({"font.family": ["DejaVu Sans"], "svg.hashsalt": "gpcollab"})
        yield
    plt.close("all")


# -- hand-made tables with hidden cells ------------------------------------------------------


def achievement_with_hidden() -> pd.DataFrame:
    """Staff: "not achieved" and "too early" hidden (0.20 + 0.20 of the bar); access shown."""
    table = achievement_table()
    table = table[table["aim"].astype(str) != "sustainability"].reset_index(drop=True)
    hidden = (table["aim"].astype(str) == "staff") & table["outcome"].astype(str).isin(
        ["not_achieved", "too_early"]
    )
    table["suppressed"] = hidden
    table.loc[hidden, "estimate"] = np.nan
    return table


def dots_with_hidden() -> pd.DataFrame:
    """Two aims by five size bands; two cells hidden, one true zero."""
    rows = []
    for aim, scale in (("access", 1.0), ("staff", 0.5)):
        for band, est in zip(SizeBand.values(), [0.2, 0.25, 0.3, 0.4, 0.45], strict=True):
            e = est * scale
            rows.append(
                {
                    "aim": aim,
                    "size_band": band,
                    "outcome": "fully",
                    "n": 40,
                    "estimate": e,
                    "ci_low": e * 0.6,
                    "ci_high": min(e * 1.5, 1.0),
                    "suppressed": False,
                }
            )
    table = pd.DataFrame(rows)
    hide = (table["aim"] == "staff") & table["size_band"].isin(["under_30k", "over_250k"])
    table.loc[hide, ["estimate", "ci_low", "ci_high"]] = np.nan
    table.loc[hide, "suppressed"] = True
    zero = (table["aim"] == "access") & (table["size_band"] == "30k_50k")
    table.loc[zero, ["estimate", "ci_low"]] = 0.0
    table["aim"] = pd.Categorical(table["aim"], dtype=Aim.dtype())
    table["size_band"] = pd.Categorical(table["size_band"], dtype=SizeBand.dtype())
    table.attrs.update(synthetic=True, wave=2017, instrument="gp", suppression={"min_n": 5})
    return table


def likert_with_hidden() -> pd.DataFrame:
    """The CCG row's "very" and "don't know" hidden, as in the report's 2017 STP table."""
    table = likert_table()
    hide = (table["instrument"].astype(str) == "ccg") & table["option"].isin(["very", "dont_know"])
    table["suppressed"] = hide
    table.loc[hide, "estimate"] = np.nan
    table.attrs.update(wave=[2017, 2017], instrument=["gp", "ccg"])
    return table


def projection_table() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "size_band": [*SizeBand.values(), "all_pcns"],
            "pcns": [131, 736, 363, 19, 1, 1250],
            "share_of_pcns": [0.1048, 0.5888, 0.2904, 0.0152, 0.0008, 1.0],
            "estimate": [0.41, 0.35, 0.20, 0.31, 0.31, 0.31],
            "ci_low": [0.12, 0.01, 0.09, 0.16, 0.21, 0.09],
            "ci_high": [0.64, 0.67, 0.49, 0.40, 0.55, 0.60],
            "n_boot": 100,
            "n": 216,
        }
    )
    table.attrs.update(synthetic=True, aim="access", wave=2017, instrument="gp")
    return table


#: name -> (draw on ax or a new figure, number of hidden cells the chart must mark)
CASES: dict[str, tuple[Callable[[Axes | None], Axes], int]] = {
    "achievement": (lambda ax: plotting.plot_achievement(achievement_table(), ax=ax), 0),
    # one hatched block for the two hidden outcomes of one aim
    "achievement_hidden": (
        lambda ax: plotting.plot_achievement(achievement_with_hidden(), ax=ax),
        1,
    ),
    "rates": (lambda ax: plotting.plot_rates(rates_table(), x="size_band", ax=ax), 0),
    "rates_dots": (
        lambda ax: plotting.plot_rates(
            dots_with_hidden(), x="aim", hue="size_band", kind="dot", ax=ax
        ),
        2,
    ),
    "rates_panels": (
        lambda ax: plotting.plot_rates(
            dots_with_hidden(), x="size_band", hue="aim", kind="panels", ax=ax
        ),
        2,
    ),
    "rates_bars_hidden": (
        lambda ax: plotting.plot_rates(dots_with_hidden(), x="size_band", ax=ax),
        2,
    ),
    "waves": (lambda ax: plotting.plot_wave_comparison(wave_table(), ax=ax), 0),
    "waves_long": (lambda ax: plotting.plot_wave_comparison(wave_table(), show="waves", ax=ax), 0),
    # CCG: "very" in the diverging bar and "don't know" in the side panel
    "likert": (lambda ax: plotting.plot_likert(likert_with_hidden(), ax=ax), 2),
    "likert_single": (lambda ax: plotting.plot_likert(willingness_table(), ax=ax), 0),
    "sizes": (lambda ax: plotting.plot_size_distribution(size_table(), PCN, ax=ax), 0),
    "scenarios": (lambda ax: plotting.plot_scenarios(scenario_table(), ax=ax), 0),
    "projection": (
        lambda ax: plotting.plot_scenarios(projection_table(), reference="all_pcns", ax=ax),
        0,
    ),
}
SIZES = ("default", "4x3")


def draw_case(name: str, size: str) -> Figure:
    draw, _ = CASES[name]
    if size == "default":
        ax = draw(None)
    else:  # a user's own small axes: plain figure, no layout engine
        _fig, user_ax = plt.subplots(figsize=(4, 3))
        ax = draw(user_ax)
    fig = ax.figure
    assert isinstance(fig, Figure)
    return fig


# -- measuring the drawn text ---------------------------------------------------------------


def _axes_texts(ax: Axes) -> list[Text]:
    found: list[Text] = [*ax.texts, ax.title, ax._left_title, ax._right_title]
    for axis in (ax.xaxis, ax.yaxis):
        found.append(axis.label)
        for tick in axis._update_ticks():
            found.extend(t for t in (tick.label1, tick.label2) if t.get_visible())
    legend = ax.get_legend()
    if legend is not None:
        found.extend([*legend.get_texts(), legend.get_title()])
    for child in ax.child_axes:
        found.extend(_axes_texts(child))
    return found


def drawn_texts(fig: Figure) -> list[tuple[Text, Bbox]]:
    """Every visible, non-empty text of the figure with its box in display pixels, measured at
    matplotlib's default resolution (the report draws at 110 dpi and more)."""
    fig.set_dpi(LAYOUT_DPI)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    texts: list[Text] = list(fig.texts)
    for ax in fig.axes:
        if ax in {c for a in fig.axes for c in a.child_axes}:
            continue  # drawn through its parent
        texts.extend(_axes_texts(ax))
    out = []
    for text in dict.fromkeys(texts):
        if text.get_visible() and text.get_text().strip():
            out.append((text, text.get_window_extent(renderer)))
    return out


def overlaps(boxes: list[tuple[Text, Bbox]]) -> list[tuple[str, str]]:
    clashes = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if width > 1.0 and height > 1.0:
                clashes.append((a.get_text(), b.get_text()))
    return clashes


CLEARANCE_PT = 2.0
"""Room a value label keeps from every other text of its chart. Boxes that merely do not
overlap can still touch: fig 13 on a phone once drew "23%" and "29%" with boxes 2 pixels apart
(at 100 dpi), reading as one number; ``overlaps`` let that pass."""


def crowded(boxes: list[tuple[Text, Bbox]]) -> list[tuple[str, str]]:
    """Pairs of texts drawn on the axes, one of them a value label (gid ``value``), whose boxes
    come closer than :data:`CLEARANCE_PT` both across and up (the figure's own texts, stacked
    footer lines and titles, are left to :func:`overlaps`)."""
    clear = CLEARANCE_PT * LAYOUT_DPI / 72
    on_axes = [(t, b) for t, b in boxes if t.axes is not None]
    clashes = []
    for i, (a, box_a) in enumerate(on_axes):
        for b, box_b in on_axes[i + 1 :]:
            if "value" not in (a.get_gid(), b.get_gid()):
                continue
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if width > -clear and height > -clear:
                clashes.append((a.get_text(), b.get_text()))
    return clashes


def outside(fig: Figure, boxes: list[tuple[Text, Bbox]]) -> list[str]:
    canvas = fig.bbox
    return [
        text.get_text()
        for text, box in boxes
        if box.x0 < canvas.x0 - 1
        or box.y0 < canvas.y0 - 1
        or box.x1 > canvas.x1 + 1
        or box.y1 > canvas.y1 + 1
    ]


def markers(fig: Figure) -> list[Text]:
    """The texts that mark hidden cells where their value would be: the mark alone, or in a
    labelled figure ("Don't know: [c]"); a value column's "[c]" says it again."""
    return [
        t
        for t, _ in drawn_texts(fig)
        if t.get_gid() == plotting.SUPPRESSED_GID
        and t.get_text().split()[-1:] == [plotting.SUPPRESSED_MARK]
    ]


def footer(fig: Figure, gid: str) -> str:
    return " ".join(t.get_text().replace("\n", " ") for t in fig.texts if t.get_gid() == gid)


# -- the helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", CASES)
def test_helper_layout(name: str, size: str) -> None:
    fig = draw_case(name, size)
    boxes = drawn_texts(fig)
    assert overlaps(boxes) == []
    assert crowded(boxes) == []
    assert outside(fig, boxes) == []
    assert len(markers(fig)) == CASES[name][1]
    if CASES[name][1]:
        assert "[c] = hidden by disclosure control" in footer(fig, plotting.NOTE_GID)
    # the axes keep a usable size however many labels and legend entries there are
    for ax in fig.axes:
        if ax.get_subplotspec() is not None:
            box = ax.get_window_extent()
            assert box.width > 0.3 * fig.bbox.width and box.height > 0.2 * fig.bbox.height


def test_hidden_block_of_the_achievement_chart_is_what_the_shown_cells_leave() -> None:
    ax = plotting.plot_achievement(achievement_with_hidden())
    blocks = [p for p in ax.patches if p.get_gid() == plotting.SUPPRESSED_GID]
    assert len(blocks) == 1
    # staff: fully 0.22 and partially 0.38 shown, so the hidden cells hold 1 - 0.60
    assert blocks[0].get_width() == pytest.approx(0.40)
    assert blocks[0].get_x() == pytest.approx(0.60)
    assert blocks[0].get_hatch()


def test_panels_keep_hidden_cells_in_place_and_draw_true_zeros() -> None:
    table = dots_with_hidden()
    ax = plotting.plot_rates(table, x="size_band", hue="aim", kind="panels")
    access = [p for p in ax.patches if p.get_gid() == "access"]
    staff = [p for p in ax.patches if p.get_gid() == "staff"]
    # access: five bars, the true zero among them; staff: two hidden cells, no bar for them
    assert len(access) == 5 and len(staff) == 3
    assert sorted(p.get_width() for p in access) == pytest.approx([0.0, 0.2, 0.3, 0.4, 0.45])
    marks = [t for t in ax.texts if t.get_gid() == plotting.SUPPRESSED_GID]
    assert [t.get_text() for t in marks] == ["[c]", "[c]"]
    # each hidden cell keeps its own row: the first and last size band of the staff panel
    rows = sorted({p.get_y() + p.get_height() / 2 for p in staff})
    step = rows[1] - rows[0]
    assert [t.get_position()[1] for t in marks] == pytest.approx([rows[0] - step, rows[-1] + step])
    # the reason beside it, in the footer note's own words: a base of 40 is not small, so the
    # cell held fewer than 5 respondents or would reveal one that did
    reasons = [t.get_text() for t in ax.texts if t.get_gid() == "hidden-reason"]
    assert reasons == ["fewer than 5 respondents, or would reveal such a cell"] * 2
    note = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    assert all(reason in note.replace("\n", " ") for reason in reasons)
    values = [t.get_text() for t in ax.texts if t.get_gid() == "value"]
    assert values.count("0%") == 1
    # one base for every bar: said once in the footer
    notes = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    assert "Base: n=40 for each bar." in notes.replace("\n", " ")


def test_panels_leave_out_an_aim_mostly_hidden_and_say_so() -> None:
    table = dots_with_hidden()
    hide = (table["aim"] == "staff") & (table["size_band"] == "50k_100k")
    table.loc[hide, ["estimate", "ci_low", "ci_high"]] = np.nan
    table.loc[hide, "suppressed"] = True  # now 3 of the 5 staff cells are hidden
    ax = plotting.plot_rates(table, x="size_band", hue="aim", kind="panels")
    assert not any(p.get_gid() == "staff" for p in ax.patches)
    titles = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "panel-title"]
    assert titles == [Aim.ACCESS.label]
    notes = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    notes = notes.replace("\n", " ")
    assert (
        "“Staff experience, training and education” is not drawn: mostly hidden (see the table)."
    ) in notes


def test_panels_leave_out_an_aim_with_one_group_left_to_compare() -> None:
    # two groups per aim; staff keeps one shown group (30k_50k) once its other is hidden:
    # half hidden is not "most", but one shown group compares with nothing; the note says
    # which of the two reasons left it out
    table = dots_with_hidden()
    table = table[table["size_band"].isin(["30k_50k", "50k_100k"])].copy()
    hide = (table["aim"] == "staff") & (table["size_band"] == "50k_100k")
    table.loc[hide, ["estimate", "ci_low", "ci_high"]] = np.nan
    table.loc[hide, "suppressed"] = True
    ax = plotting.plot_rates(table, x="size_band", hue="aim", kind="panels")
    titles = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "panel-title"]
    assert titles == [Aim.ACCESS.label]
    notes = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    notes = notes.replace("\n", " ")
    assert (
        "“Staff experience, training and education” is not drawn: one group shown, the others "
        "hidden, so nothing to compare (see the table)."
    ) in notes


def test_panels_name_the_small_base_and_every_aim_left_out() -> None:
    table = dots_with_hidden()
    # a base of 3 (under the threshold of 5) is hidden for that alone: the note's first reason
    small = (table["aim"] == "staff") & (table["size_band"] == "under_30k")
    table.loc[small, "n"] = 3
    ax = plotting.plot_rates(table, x="size_band", hue="aim", kind="panels")
    reasons = [t.get_text() for t in ax.texts if t.get_gid() == "hidden-reason"]
    assert reasons == [
        "fewer than 5 respondents",
        "fewer than 5 respondents, or would reveal such a cell",
    ]
    # two of three aims mostly hidden: one sentence names both, plural
    third = table[table["aim"] == "access"].assign(aim="efficiency")
    table = pd.concat([table, third], ignore_index=True)
    table["aim"] = pd.Categorical(table["aim"].astype(str), dtype=Aim.dtype())
    table.attrs = dict(third.attrs)
    hide = table["size_band"].isin(["30k_50k", "50k_100k", "100k_250k"]) & (
        table["aim"] != "efficiency"
    )
    table.loc[hide, ["estimate", "ci_low", "ci_high"]] = np.nan
    table.loc[hide, "suppressed"] = True
    ax = plotting.plot_rates(table, x="size_band", hue="aim", kind="panels")
    notes = " ".join(t.get_text() for t in ax.figure.texts if t.get_gid() == plotting.NOTE_GID)
    assert (
        "“Improving access for patients” and “Staff experience, training and education” are "
        "not drawn: mostly hidden (see the table)."
    ) in notes.replace("\n", " ")


def test_panels_write_each_base_when_the_bases_differ() -> None:
    table = dots_with_hidden().assign(n=[30, 31, 32, 33, 34, 40, 41, 42, 43, 44])
    ax = plotting.plot_rates(table, x="size_band", hue="aim", kind="panels")
    bases = [t.get_text() for t in ax.texts if t.get_gid() == "base"]
    # every cell's base, hidden ones included (a base is never masked)
    assert bases == ["n=30", "n=31", "n=32", "n=33", "n=34", "n=40", "n=41", "n=42", "n=43", "n=44"]


def _panel_columns(ax: Axes) -> dict[float, list[float]]:
    """Left edge (data x) of each column of panels and the y of its panels' titles."""
    columns: dict[float, list[float]] = {}
    for text in ax.texts:
        if text.get_gid() == "panel-title":
            x, y = text.get_position()
            columns.setdefault(round(x, 6), []).append(y)
    return columns


def assert_no_scale_floats(ax: Axes) -> None:
    """The shared scale is written under the lowest panel of every column, never under an
    empty slot: on the x axis for columns reaching the last row of panels, else just below
    the column's lowest panel."""
    columns = _panel_columns(ax)
    last_row = max(y for ys in columns.values() for y in ys)
    lefts = sorted(columns)
    width = (lefts[1] - lefts[0]) if len(lefts) > 1 else float("inf")
    ticks = [float(t) for t in ax.get_xticks()]
    scales = [t for t in ax.texts if t.get_gid() == "panel-scale"]
    tol = 1e-3 * min(width, 1.0)
    for left in lefts:
        inside = [x for x in ticks if left - tol <= x < left + width - tol]
        written = [t for t in scales if left - tol <= t.get_position()[0] < left + width - tol]
        if max(columns[left]) == last_row:
            assert inside and not written
        else:  # under the column's lowest panel, above the next row's titles
            assert written and not inside
            assert all(max(columns[left]) < t.get_position()[1] < last_row for t in written)
            assert written[0].get_text() == "0%"


def test_panels_scale_is_under_each_column_not_under_an_empty_slot() -> None:
    table = dots_with_hidden()
    access = table[table["aim"] == "access"]
    more = [
        access.assign(aim=pd.Categorical([aim] * len(access), dtype=Aim.dtype()))
        for aim in ("sustainability", "community", "quality")
    ]
    wide = pd.concat([table, *more], ignore_index=True)  # five aims: one row is not full
    wide.attrs = dict(table.attrs)
    fig = Figure(figsize=(10, 4.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = plotting.plot_rates(wide, x="size_band", hue="aim", kind="panels", ax=fig.add_subplot())
    columns = _panel_columns(ax)
    assert len(columns) > 1 and len({y for ys in columns.values() for y in ys}) > 1
    assert_no_scale_floats(ax)
    assert overlaps(drawn_texts(fig)) == []


def test_panels_fill_a_tall_axes_with_rows_not_stretched_bars() -> None:
    table = dots_with_hidden()
    for size in ((10, 3.2), (10, 6.0)):
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(fig)
        ax = plotting.plot_rates(
            table, x="size_band", hue="aim", kind="panels", ax=fig.add_subplot()
        )
        drawn_texts(fig)
        bars = sorted(p.get_window_extent().y0 for p in ax.patches if p.get_gid() == "access")
        step_in = (bars[1] - bars[0]) / fig.dpi
        columns = len(_panel_columns(ax))
        # two aims: side by side in a short Axes; in a tall one, one above the other, so
        # that the rows fill the height instead of each bar's row stretching to ~0.6 inch
        assert columns == (2 if size[1] < 4 else 1)
        assert step_in < 0.4


def test_true_zero_reads_zero_and_hidden_cells_are_not_zero() -> None:
    ax = plotting.plot_rates(dots_with_hidden(), x="size_band")
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("0%") == 1  # the one true zero
    assert labels.count(plotting.SUPPRESSED_MARK) == 2
    stubs = [p for p in ax.patches if p.get_gid() == plotting.SUPPRESSED_GID]
    assert len(stubs) == 2 and all(p.get_hatch() for p in stubs)


def test_likert_labels_small_segments_and_uses_black_on_orange() -> None:
    ax = plotting.plot_likert(likert_table())
    by_text = {t.get_text(): t for t in ax.texts}
    # GP "very" is 3%: too small to hold its label, written above the bar (its end holds the
    # total of the positive side, 15%)
    very = next(p for p in ax.patches if p.get_gid() == "very")
    assert by_text["3%"].get_position()[1] < very.get_y()  # y runs downwards: above
    totals = [t.get_text() for t in ax.texts if t.get_gid() == "side-total"]
    assert totals == ["70%", "15%", "50%", "40%"]
    # white on #E66101 has a contrast of 3.5:1; black has 6:1
    assert matplotlib.colors.to_hex(by_text["45%"].get_color()) == "#000000"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [
        "Not at all influential",
        "Slightly influential",
        "Fairly influential",
        "Very influential",
    ]
    assert ax.get_legend()._ncols == 4


def test_dont_know_figures_stay_clear_of_the_legend_and_the_bars() -> None:
    for size in SIZES:
        fig = draw_case("likert", size)
        boxes = drawn_texts(fig)
        (ax,) = fig.axes
        known = [box for text, box in boxes if text.get_gid() == "dont_know"]
        assert known and overlaps(boxes) == [] and outside(fig, boxes) == []
        bars = [p.get_window_extent() for p in ax.patches if p.get_width() > 0]
        for box in known:
            assert not any(box.overlaps(bar) for bar in bars)


def test_old_argument_names_warn_and_still_work() -> None:
    with pytest.warns(DeprecationWarning, match="`group` of plot_likert is deprecated"):
        ax = plotting.plot_likert(likert_table(), group="instrument")
    assert len(ax.get_yticklabels()) == 2
    with pytest.warns(DeprecationWarning, match="`label` of plot_scenarios"):
        plotting.plot_scenarios(scenario_table(), label="scenario")


def test_plot_rates_on_every_aim_draws_one_series_per_aim() -> None:
    """The natural call after the quickstart: achievement_rates(s, by="size_band")."""
    survey = gpcollab.load_survey(2017, "gp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
        table = gpcollab.achievement_rates(survey, by="size_band")
    ax = plotting.plot_rates(table, x="size_band")
    legend = ax.get_legend()
    entries = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    # matplotlib fills a legend column by column: read it row by row, as a reader does
    columns = legend._ncols
    rows = len(entries) // columns
    across = [entries[c * rows + r] for r in range(rows) for c in range(columns)]
    assert [e for e in across if e] == [
        a.label for a in Aim if a.value in set(table["aim"].astype(str))
    ]


def test_wave_comparison_labels_the_subtotal_row() -> None:
    table = wave_table().assign(option=["in_collaboration", "formal"])
    ax = plotting.plot_wave_comparison(table)
    assert ax.get_yticklabels()[0].get_text().startswith("In a collaboration (any form)")


def test_errors_are_argument_errors() -> None:
    with pytest.raises(gpcollab.ArgumentError, match="`kind` must be"):
        plotting.plot_rates(rates_table(), kind="pie")  # type: ignore[arg-type]
    with pytest.raises(gpcollab.ArgumentError, match="needs a pandas DataFrame"):
        plotting.plot_likert({"option": []})  # type: ignore[arg-type]
    with pytest.raises(gpcollab.ArgumentError, match="at least 1"):
        plotting.sequential_colours(0)


def test_sequential_colours_darken_with_the_level() -> None:
    from matplotlib.colors import to_rgb

    def luminance(colour: str) -> float:
        r, g, b = to_rgb(colour)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    colours = plotting.sequential_colours(5)
    assert all(luminance(a) > luminance(b) for a, b in itertools.pairwise(colours))


# -- the report's figures -------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_figures() -> dict[str, Any]:
    return build_report_figures()


def build_report_figures() -> dict[str, Any]:
    """Every report figure, wide and narrow, drawn as :func:`gpcollab.report.render_figures`
    draws it (a small bootstrap keeps it quick)."""
    from gpcollab.headlines import chart_text
    from gpcollab.report import (
        NARROW_INCHES,
        WIDE_INCHES,
        _drawn_figure,
        _for_drawing,
        gather_report,
    )

    sets = [gpcollab.load_survey(w, i) for w in (2015, 2017) for i in ("gp", "ccg")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
        content = gather_report(sets, n_boot=40, seed=0)
    out: dict[str, Any] = {}
    with matplotlib.rc_context(rc=matplotlib.rcParamsDefault):
        matplotlib.rcParams["font.family"] = ["DejaVu Sans"]
        for section in content.sections:
            for item in section.tables:
                if item.chart is None:
                    continue
                text = chart_text(item.key, item.table, item.title)
                for layout, width in (("wide", WIDE_INCHES), ("narrow", NARROW_INCHES)):
                    fig = _drawn_figure(_for_drawing(item), text, width)  # tests set aside
                    out[f"{item.key}-{layout}"] = (fig, item)
    return out


REPORT_KEYS = [
    "prevalence",
    "aims_by_size",
    "achievement_by_aim",
    "fully_by_size_band",
    "fully_by_age_band",
    "fully_by_level",
    "fully_by_funding",
    "stp_influence",
    "stp_change",
    "contract_willingness_2017_gp",
    "contract_reasons_2017_gp",
    "ccg_support",
    "size_distribution",
    "scenarios",
    "pcn_projection",
]


def test_report_draws_the_expected_figures(report_figures: dict[str, Any]) -> None:
    assert sorted({key.rsplit("-", 1)[0] for key in report_figures}) == sorted(REPORT_KEYS)


@pytest.mark.parametrize("layout", ["wide", "narrow"])
@pytest.mark.parametrize("key", REPORT_KEYS)
def test_report_figure_layout(report_figures: dict[str, Any], key: str, layout: str) -> None:
    fig, item = report_figures[f"{key}-{layout}"]
    boxes = drawn_texts(fig)
    assert overlaps(boxes) == []
    assert crowded(boxes) == []
    assert outside(fig, boxes) == []
    # headline, base and source on every chart
    (headline,) = [t for t in fig.texts if t.get_gid() == "headline"]
    (base,) = [t for t in fig.texts if t.get_gid() == "base"]
    assert headline.get_text() and base.get_text()
    assert footer(fig, plotting.SOURCE_GID).startswith("Source:") or "NHS Digital" in footer(
        fig, plotting.SOURCE_GID
    )
    notice = footer(fig, plotting.FOOTER_GID)
    assert notice.startswith(SYNTHETIC_NOTICE)
    if key in ("size_distribution", "pcn_projection"):
        source = footer(fig, plotting.SOURCE_GID)
        assert "NHS Digital" in source and "Open Government Licence v3.0" in source
        assert "PCN" in notice and "real" in notice  # the notice is limited to the survey part
    # every cell hidden by disclosure control is marked, none is drawn as a bar or dot
    hidden = int(item.table["suppressed"].sum()) if "suppressed" in item.table else 0
    if item.chart == "achievement":
        expected = int(
            item.table.loc[item.table["suppressed"], "aim"].nunique()
        )  # one block per aim
    elif key.startswith("fully_by_"):
        # a row per aim: an aim with more than half of its groups hidden, or fewer than two
        # shown, is left out (and named in the notes); the other aims mark each hidden cell
        per_aim = item.table.groupby(item.table["aim"].astype(str), observed=True)["suppressed"]
        left_out = [
            aim
            for aim, flags in per_aim
            if 2 * int(flags.sum()) > len(flags) or (len(flags) >= 2 > len(flags) - flags.sum())
        ]
        # then a group hidden in more than half of the aims drawn is left out of every row
        # (and named); the cells marked are the hidden ones of the aims and groups drawn
        table = item.table.assign(aim=item.table["aim"].astype(str))
        drawn = table[~table["aim"].isin(left_out)]
        group = str(item.chart_options.get("hue"))
        aims = drawn["aim"].nunique()
        per_group = drawn.groupby(drawn[group].astype(str), observed=True)["suppressed"].sum()
        groups_out = [g for g, n in per_group.items() if 2 * int(n) > aims]
        if len(per_group) - len(groups_out) < 2:
            groups_out = []
        kept = drawn[~drawn[group].astype(str).isin(groups_out)]
        expected = int(kept["suppressed"].sum())
        notes = footer(fig, plotting.NOTE_GID)
        assert all(Aim(aim).label in notes for aim in left_out)
        for g in groups_out:  # e.g. figure 6: "... is not drawn: 6 of its 7 cells are hidden"
            assert f"is not drawn: {int(per_group[g])} of its {aims} cells are hidden" in notes
    elif item.chart_options.get("kind") == "dot" and "wave" in item.table:
        # two waves a row: one mark in a row with a hidden cell, and each hidden cell is "[c]"
        # in the row's value column ("[c] → 45%"); a row hidden in every wave is left out and
        # named in the notes, as a row mostly hidden is in the charts comparing groups
        x = str(item.chart_options["x"])
        rows = item.table.assign(**{x: item.table[x].astype(str)})
        every = rows.groupby(x)["suppressed"].all()
        kept = rows[~rows[x].isin(set(every.index[every]))]
        flags = kept["suppressed"].astype(bool)
        expected = int(kept.loc[flags, x].nunique())
        values = [t.get_text() for t, _ in drawn_texts(fig) if t.get_gid() == "value"]
        marks = sum(v.split(" → ").count(plotting.SUPPRESSED_MARK) for v in values)
        assert marks == int(flags.sum())
        notes = footer(fig, plotting.NOTE_GID).replace("\n", " ")
        assert ("hidden in every wave" in notes) == bool(every.any())
    else:
        expected = hidden
    assert len(markers(fig)) == expected


# A phone 390 CSS px wide shows a figure across the page's width less its padding (0.8rem each
# side, report._CSS): 364.4 CSS px for the narrow figure's 3.9 inches. One point is then
# 364.4 / (3.9 * 72) = 1.298 CSS px, so 11 CSS px needs 8.48 points.
PHONE_CSS_PX_PER_POINT = (390 - 2 * 0.8 * 16) / (3.9 * 72)


@pytest.mark.parametrize(
    "key", ["achievement_by_aim", "stp_influence", "stp_change", "contract_willingness_2017_gp"]
)
def test_phone_stacked_bars_have_their_labels_above_them(
    report_figures: dict[str, Any], key: str
) -> None:
    """On a phone the row labels of stacked bars sit on their own line above each bar, so that
    the bars take the width and the segments hold their values (the one a title quotes too)."""
    fig, _ = report_figures[f"{key}-narrow"]
    ax = fig.axes[0]
    drawn_texts(fig)
    assert all(not t.get_text() for t in ax.get_yticklabels())
    labels = [t for t in ax.texts if t.get_gid() == plotting.ROW_LABEL_GID]
    renderer = fig.canvas.get_renderer()
    rows = sorted({round(p.get_y() + p.get_height() / 2, 6) for p in ax.patches})
    assert len(labels) == len(rows) and len(rows) >= 1
    tops = {}  # display y of the top of each row's bars
    for patch in ax.patches:
        centre = round(patch.get_y() + patch.get_height() / 2, 6)
        tops[centre] = max(tops.get(centre, -np.inf), patch.get_window_extent().y1)
    for label, row in zip(labels, rows, strict=True):
        box = label.get_window_extent(renderer)
        assert box.y0 >= tops[row] - 0.5  # above its own bar
        assert box.x0 >= ax.get_window_extent().x0 - 1  # from the chart's left edge
    # the bars take most of the figure's width
    assert ax.get_window_extent().width > 0.75 * fig.bbox.width
    headline = next(t.get_text() for t in fig.texts if t.get_gid() == "headline")
    quoted = re.findall(r"\d+%", headline)
    values = {t.get_text() for t in ax.texts}
    if key == "achievement_by_aim":
        assert quoted and all(q in values for q in quoted)


@pytest.mark.parametrize("layout", ["wide", "narrow"])
@pytest.mark.parametrize("key", ["contract_reasons_2017_gp"])
def test_panel_axis_label_is_centred_under_the_panels(
    report_figures: dict[str, Any], key: str, layout: str
) -> None:
    """The value axis label sits under the middle of the panels drawn (from the values beside
    the first panel's bars to the end of the last panel's scale), not under the middle of an
    axes the panels leave partly empty (figure 11's single panel once had its label under its
    value column)."""
    fig, _ = report_figures[f"{key}-{layout}"]
    ax = fig.axes[0]
    drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    left = min(
        t.get_window_extent(renderer).x0 for t in ax.texts if t.get_gid() in {"value", "base"}
    )
    # the scale's end: under the bottom row, or written under a panel with none below it
    ends = [ax.transData.transform((x, 0))[0] for x in ax.get_xticks()]
    ends += [
        ax.transData.transform(t.get_position())[0]
        for t in ax.texts
        if t.get_gid() == "panel-scale"
    ]
    right = max(ends)
    box = ax.xaxis.label.get_window_extent(renderer)
    centre = (box.x0 + box.x1) / 2
    assert abs(centre - (left + right) / 2) < 0.08 * (right - left)


@pytest.mark.parametrize("layout", ["wide", "narrow"])
@pytest.mark.parametrize(
    "key", ["prevalence", "fully_by_size_band", "fully_by_age_band", "fully_by_level"]
)
def test_dot_axis_label_is_centred_under_the_scale(
    report_figures: dict[str, Any], key: str, layout: str
) -> None:
    """A dot chart's value axis label sits under the middle of its scale (0% to its last
    tick), not under the middle of the scale and the value column beside it."""
    fig, _ = report_figures[f"{key}-{layout}"]
    ax = fig.axes[0]
    drawn_texts(fig)
    ticks = [float(t) for t in ax.get_xticks()]
    left = ax.transData.transform((0.0, 0))[0]
    right = ax.transData.transform((max(ticks), 0))[0]
    values = [t.get_window_extent().x0 for t in ax.texts if t.get_gid() == "value"]
    assert values and min(values) > right  # the column is beside the scale, not on it
    box = ax.xaxis.label.get_window_extent(fig.canvas.get_renderer())
    assert abs((box.x0 + box.x1) / 2 - (left + right) / 2) < 0.05 * (right - left)


def assert_panel_reaches_the_right_edge(ax: Axes) -> None:
    """The panels' scale ends near the axes' right edge: no empty strip is left beside them
    wider than 0.3 inch (a single panel, once capped at 3.3 inches of bar, left the right
    third of a wide figure empty)."""
    fig = ax.figure
    drawn_texts(fig)
    right = max(ax.transData.transform((x, 0))[0] for x in ax.get_xticks())
    assert ax.get_window_extent().x1 - right < 0.3 * fig.dpi


@pytest.mark.parametrize("width", [12.0, 8.5, 6.0, 3.9])
def test_single_panel_takes_the_width(width: float) -> None:
    fig = plt.figure(figsize=(width, 3.5), layout="constrained")
    ax = plotting.plot_rates(
        rates_table(), x="size_band", hue=None, kind="panels", ax=fig.add_subplot()
    )
    assert_panel_reaches_the_right_edge(ax)
    plt.close(fig)


@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_report_single_panel_takes_the_width(report_figures: dict[str, Any], layout: str) -> None:
    fig, _ = report_figures[f"contract_reasons_2017_gp-{layout}"]
    assert_panel_reaches_the_right_edge(fig.axes[0])


@pytest.mark.parametrize("layout", ["wide", "narrow"])
@pytest.mark.parametrize("key", ["scenarios", "pcn_projection"])
def test_report_scenario_values_in_one_column(
    report_figures: dict[str, Any], key: str, layout: str
) -> None:
    """Every value of the what-if charts sits in one column left of the axis, so that no
    interval line runs through a number (on the phone they were once placed row by row, some
    at the bar's end, some at its base)."""
    fig, _ = report_figures[f"{key}-{layout}"]
    drawn_texts(fig)
    assert_value_column(fig.axes[0])


@pytest.mark.parametrize("key", ["prevalence", "ccg_support"])
def test_phone_dot_charts_have_their_labels_above_the_rows(
    report_figures: dict[str, Any], key: str
) -> None:
    """On a phone the category labels of a dot chart sit on their own lines above each row's
    dots (as the stacked bars' labels do), between that row's dots and the row above, so no
    label is squeezed into a narrow column beside the rows and none covers a dot."""
    fig, item = report_figures[f"{key}-narrow"]
    ax = fig.axes[0]
    drawn_texts(fig)
    renderer = fig.canvas.get_renderer()
    assert all(not t.get_text() for t in ax.get_yticklabels())
    labels = [t for t in ax.texts if t.get_gid() == plotting.ROW_LABEL_GID]
    x = str(item.chart_options["x"])
    # every row but those hidden in every wave (figure 12's "none")
    every = item.table.groupby(item.table[x].astype(str))["suppressed"].all()
    assert len(labels) == item.table[x].nunique() - int(every.sum())
    # each row's dots in display pixels: rows are the integer y positions, dots around them
    dots: dict[int, list[float]] = {}
    for line in ax.lines:
        xs, ys = line.get_xdata(), line.get_ydata()
        for xv, yv in zip(np.asarray(xs, float), np.asarray(ys, float), strict=True):
            if np.isfinite(xv) and np.isfinite(yv):
                _, py = ax.transData.transform((xv, yv))
                dots.setdefault(int(np.rint(yv)), []).append(float(py))
    radius = 3.0 * fig.dpi / 72  # the dots are 6 points across
    for row, label in enumerate(labels):
        box = label.get_window_extent(renderer)
        assert box.x0 >= ax.get_window_extent().x0 - 1  # from the chart's left edge
        assert label.get_text().count("\n") <= 1  # at most two lines (were up to five)
        if row in dots:  # above its own dots (display y grows upwards)
            assert box.y0 >= max(dots[row]) + radius - 0.5
        if row - 1 in dots:  # below the dots of the row above
            assert box.y1 <= min(dots[row - 1]) - radius + 0.5
    assert ax.get_window_extent().width > 0.8 * fig.bbox.width


@pytest.mark.parametrize(
    "key", ["aims_by_size", "fully_by_size_band", "fully_by_age_band", "fully_by_level"]
)
def test_report_rows_are_sorted_by_the_value_the_title_names(
    report_figures: dict[str, Any], key: str
) -> None:
    """The aim a finding title names comes first; the others by their share over the groups
    shown, largest first (hand-computed below from the table: base-weighted estimates)."""
    from gpcollab.headlines import AIM_SHORT_LABELS, titled_aim

    fig, item = report_figures[f"{key}-wide"]
    table = item.table
    titles = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    by_label = {a.label: a.value for a in Aim} | {v: k for k, v in AIM_SHORT_LABELS.items()}
    drawn = [by_label[t] for t in titles]
    first = titled_aim(table)
    if first is not None:
        assert drawn[0] == first
        headline = next(t.get_text() for t in fig.texts if t.get_gid() == "headline")
        assert AIM_SHORT_LABELS[first].lower() in headline.replace("\n", " ")
    rest = [a for a in drawn if a != first]
    shares = []
    for aim in rest:
        rows = table[(table["aim"].astype(str) == aim) & ~table["suppressed"].astype(bool)]
        shares.append(float((rows["estimate"] * rows["n"]).sum() / rows["n"].sum()))
    assert shares == sorted(shares, reverse=True)


def test_aims_chart_title_rests_on_tests_of_the_shares_it_shows(
    report_figures: dict[str, Any],
) -> None:
    """Figure 2's title states a difference only with the design-based tests of the two size
    groups it shows (under / over 100,000 patients) within each aim (7 aims x 1 pair); the
    tested shares are those the chart draws (aims_chosen, computed apart), so the title cannot
    quote another base."""
    fig, item = report_figures["aims_by_size-wide"]
    table = item.table
    tests = table.attrs["differences"]
    assert len(tests) == 7 * 1
    shares = {
        (str(r["aim"]), str(r["size_group"])): float(r["estimate"])
        for r in table.to_dict(orient="records")
    }
    for row in tests.to_dict(orient="records"):
        first = shares[(row["aim"], str(row["size_group_first"]))]
        second = shares[(row["aim"], str(row["size_group_second"]))]
        assert row["estimate_first"] == pytest.approx(first)
        assert row["estimate_second"] == pytest.approx(second)
    headline = next(t.get_text() for t in fig.texts if t.get_gid() == "headline")
    assert "more often chose" in headline.replace("\n", " ")
    # the test is said under the chart on the page, not on the image
    from gpcollab.headlines import chart_text

    assert "Holm-adjusted over 7 comparisons" in chart_text(item.key, table, item.title).method
    assert "Holm" not in footer(fig, plotting.NOTE_GID)


@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_wave_dots_write_both_waves_beside_each_row(
    report_figures: dict[str, Any], layout: str
) -> None:
    """Figures 1 and 12 write each row's two shares in a column at the right, earlier wave
    first; the published figures (findings 2015-03, 2017-01; CCG financial support 55% and 75%)
    are read there. Figure 1 leads with the share its title quotes, the collaborating total."""
    fig, item = report_figures[f"prevalence-{layout}"]
    values = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "value"]
    assert values[0] == "73% → 81%"  # the first row: in a collaboration, 2015 then 2017
    # formal and informal do not compare (2017 has no "both", A-18): their shares stand apart,
    # with no arrow of a change; read from the table, 2015 then 2017
    share = {
        (str(r["wave"]), str(r["membership"])): f"{100 * float(r['estimate']):.0f}%"
        for r in item.table.to_dict(orient="records")
    }
    for kind in ("formal", "informal"):
        assert f"{share[('2015', kind)]} · {share[('2017', kind)]}" in values
    headers = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "value-header"]
    assert headers in ([], ["2015 → 2017"])  # left to the legend when they would meet
    fig, _ = report_figures[f"ccg_support-{layout}"]
    values = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "value"]
    assert values[0] == "55% → 75%"  # financial support, the most common in 2017
    # "none", hidden in both waves, compares nothing: not drawn, and named in the notes
    assert "[c] → [c]" not in values
    notes = footer(fig, plotting.NOTE_GID).replace("\n", " ")
    assert "“None” is not drawn: hidden in every wave (see the table)." in notes
    # the column is clear of every dot and interval: the scale ends before it
    ax = fig.axes[0]
    right = ax.transData.transform((1.0, 0.0))[0]
    for text in (t for t in ax.texts if t.get_gid() == "value"):
        assert text.get_window_extent().x0 > right


def test_size_chart_uses_the_publications_banding(report_figures: dict[str, Any]) -> None:
    """Figure 4 contrasts collaborations under and over 100,000 patients, as the 2017
    publication does: in five bands most aims' cells fall under the disclosure threshold."""
    fig, item = report_figures["fully_by_size_band-wide"]
    table = item.table
    assert "size_group" in table.columns and "size_band" not in table.columns
    assert [str(v) for v in table["size_group"].cat.categories] == [
        "under 100,000",
        "100,000 or more",
    ]
    # every aim drawn (none mostly hidden) as a row, a dot for each group
    from gpcollab.headlines import AIM_SHORT_LABELS

    names = {aim.label for aim in Aim} | set(AIM_SHORT_LABELS.values())
    rows = [t.get_text().strip().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert len([r for r in rows if r in names]) == len(Aim.values())
    assert "not drawn" not in footer(fig, plotting.NOTE_GID)
    # the two groups named beside their lines in the first row, no legend
    assert fig.axes[0].get_legend() is None
    labels = [t.get_text() for t in group_labels(fig.axes[0])]
    assert labels == ["Under 100,000", "100,000 or more"]
    # the title's tests are on the same two groups the chart shows: one pair per aim
    tests = table.attrs["differences"]
    assert set(tests["size_group_first"].astype(str)) == {"under 100,000"}
    assert len(tests) == len(Aim.values())


#: the groups each chart comparing groups draws (those disclosure control mostly hides left
#: out: "across several CCGs"), as (value in the table, name on the chart)
COMPARED_GROUPS: dict[str, list[tuple[object, str]]] = {
    "aims_by_size": [("under 100,000", "Under 100,000"), ("100,000 or more", "100,000 or more")],
    "fully_by_size_band": [
        ("under 100,000", "Under 100,000"),
        ("100,000 or more", "100,000 or more"),
    ],
    "fully_by_age_band": [
        ("under_1y", "Less than 1 year"),
        ("1y_2y", "1 to 2 years"),
        ("over_2y", "More than 2 years"),
    ],
    "fully_by_level": [("locality", "Locality within a CCG"), ("single_ccg", "Whole CCG area")],
    "fully_by_funding": [(False, "No such funding"), (True, "Access / Challenge Fund")],
}
#: on a phone the first rows of figures 6 and 7 leave no clear place for a name: "Locality
#: within a CCG" (interval 26% to 48% of a 60% scale) and "Access / Challenge Fund" (18% to
#: 46%) fit on neither side of their intervals, and above the line the row's label, or the
#: other group's line, is too close: their groups are named by the legend
LEGEND_ON_PHONE = {"fully_by_level", "fully_by_funding"}


@pytest.mark.parametrize("layout", ["wide", "narrow"])
@pytest.mark.parametrize("key", list(COMPARED_GROUPS))
def test_report_groups_are_named_beside_the_first_row(
    report_figures: dict[str, Any], key: str, layout: str
) -> None:
    """Figures 2, 4, 5, 6 and 7 name each group once, on its own line of the first row (the
    aim the title names), in place of a legend; the estimates of that row are read from the
    report's table."""
    from gpcollab.headlines import AIM_SHORT_LABELS

    fig, item = report_figures[f"{key}-{layout}"]
    ax = fig.axes[0]
    drawn_texts(fig)
    if layout == "narrow" and key in LEGEND_ON_PHONE:
        assert group_labels(ax) == []
        entries = [t.get_text().replace("\n", " ") for t in ax.get_legend().get_texts()]
        assert sorted(e for e in entries if e) == sorted(n for _, n in COMPARED_GROUPS[key])
        return
    rows = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    if layout == "narrow":  # the rows' labels above them
        rows = [t.get_text() for t in ax.texts if t.get_gid() == plotting.ROW_LABEL_GID]
    by_label = {a.label: a.value for a in Aim} | {v: k for k, v in AIM_SHORT_LABELS.items()}
    first = by_label[rows[0].replace("\n", " ")]
    table = item.table
    group = str(item.chart_options["hue"])
    first_row = {}
    for value, name in COMPARED_GROUPS[key]:
        (cell,) = table[(table["aim"].astype(str) == first) & (table[group] == value)].index
        hidden = bool(table.loc[cell, "suppressed"])
        first_row[name] = np.nan if hidden else float(table.loc[cell, "estimate"])
    assert_groups_named_in_first_row(ax, first_row)


@pytest.mark.parametrize("key", REPORT_KEYS)
def test_report_phone_rows_name_the_aims_one_way(report_figures: dict[str, Any], key: str) -> None:
    """On a phone each row's label stands above its bar; where one aim's full name is too
    long, all rows take the short names (figure 3 once read "Improving access for patients"
    above "Integration"): a chart names its aims one way."""
    from gpcollab.headlines import AIM_SHORT_LABELS

    fig, _ = report_figures[f"{key}-narrow"]
    # names that are the same in both forms ("Clinical quality") count as neither
    full = {aim.label for aim in Aim} - set(AIM_SHORT_LABELS.values())
    short = set(AIM_SHORT_LABELS.values()) - {aim.label for aim in Aim}
    rows = {
        " ".join(t.get_text().split())
        for ax in fig.axes
        for t in ax.texts
        if t.get_gid() == plotting.ROW_LABEL_GID
    }
    assert not (rows & full and rows & short), sorted(rows)


@pytest.mark.parametrize("key", REPORT_KEYS)
def test_report_phone_text_is_at_least_11_css_px(report_figures: dict[str, Any], key: str) -> None:
    fig, _ = report_figures[f"{key}-narrow"]
    assert fig.get_figwidth() == pytest.approx(3.9)
    small = sorted(
        {
            (round(text.get_fontsize() * PHONE_CSS_PX_PER_POINT, 1), text.get_text())
            for text, _ in drawn_texts(fig)
            if text.get_fontsize() * PHONE_CSS_PX_PER_POINT < 11.0
        }
    )
    assert small == []


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", REPORT_KEYS)
def test_report_tables_drawn_by_their_public_helper(
    report_figures: dict[str, Any], key: str, size: str
) -> None:
    """The report's tables drawn as an analyst would, with the public helper and the report's
    arguments, on a new figure and on their own 4 x 3 inch axes."""
    from gpcollab.report import _chart_call, _chart_helpers, _drawable

    _, item = report_figures[f"{key}-wide"]
    chart, options = _chart_call(item)
    helper = _chart_helpers()[chart]
    assert helper.__module__ == "gpcollab.plotting" and not helper.__name__.startswith("_")
    if size == "default":
        ax = helper(_drawable(item.table, key), **options)
    else:
        _fig, user_ax = plt.subplots(figsize=(4, 3))
        ax = helper(_drawable(item.table, key), ax=user_ax, **options)
    fig = ax.figure
    boxes = drawn_texts(fig)
    assert overlaps(boxes) == []
    assert outside(fig, boxes) == []
    every = " ".join(t.get_text() for t, _ in boxes)
    assert "n=" in every or "PCN" in every  # the base
    assert footer(fig, plotting.SOURCE_GID)  # the source
    hidden = int(item.table["suppressed"].sum()) if "suppressed" in item.table else 0
    shown_marks = len(markers(fig))
    if hidden == 0:
        assert shown_marks == 0
    else:  # no hidden cell drawn as a value: each is marked, or its aim left out and named
        notes = footer(fig, plotting.NOTE_GID).replace("\n", " ")
        assert shown_marks >= 1 or re.search(r"not drawn: (.* )?(hidden|nothing to compare)", notes)
        if shown_marks:
            assert "[c] = hidden by disclosure control" in notes


def test_report_titles_state_findings(report_figures: dict[str, Any]) -> None:
    def headline(key: str) -> str:
        fig, _ = report_figures[f"{key}-wide"]
        (text,) = [t.get_text() for t in fig.texts if t.get_gid() == "headline"]
        return text.replace("\n", " ")

    # 458 of 565 GP respondents in 2017 (81%) and 717 of 982 in 2015 (73%): the bundled sets
    # reproduce the published figures, see docs/findings_register.md
    assert headline("prevalence") == (
        "81% of practices were in a collaboration in 2017, up from 73% in 2015"
    )
    assert "GP partners" in headline("contract_willingness_2017_gp")
    assert headline("ccg_support").endswith("in 2017, ") is False
    # fig 10's bar names its base: partners, not all GP-practice staff
    fig, _ = report_figures["contract_willingness_2017_gp-wide"]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0].startswith("GP partners") and Instrument.GP.label not in labels[0]
    # the what-if chart says why its observed share differs from the achievement chart's, in
    # the note under it (the line under its title names only whom and when)
    fig, _ = report_figures["scenarios-wide"]
    notes = footer(fig, plotting.NOTE_GID).lower()
    assert "too early to say" in notes and "left out" in notes


@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_report_figures_keep_their_test_off_the_image(
    report_figures: dict[str, Any], layout: str
) -> None:
    """The test behind a title is given under the chart on the page (its method), not in the
    image: the figure's footer says in plain words what the base leaves out, above the
    source, and the line under the title names no test either."""
    from gpcollab.headlines import chart_text

    fig, item = report_figures[f"fully_by_age_band-{layout}"]
    table = item.table
    hidden = table.loc[table["suppressed"].astype(bool), ["aim", "age_band"]]
    # by hand from the table: 7 aims x 3 pairs of age bands = 21 pairs; integration has two of
    # its three bands hidden (no pair left), quality its 1-2 years band (one pair left), and
    # sustainability is 0% under 1 year and 0% at 1-2 years (no variance, no test): 12 + 1 + 2
    assert sorted(map(tuple, hidden.astype(str).to_numpy())) == [
        ("integration", "1y_2y"),
        ("integration", "under_1y"),
        ("quality", "1y_2y"),
    ]
    community = table[table["aim"].astype(str) == "community"].set_index("age_band")["estimate"]
    # the largest supported gap: community, over 2 years 36% against 0% under a year
    assert round(100 * (community["over_2y"] - community["under_1y"])) == 36
    method = chart_text(item.key, table, item.title).method
    # its p-value (compare_domains) is about 2e-12, times 15 pairs still under 0.001
    assert "Design-based tests, Holm-adjusted over 15 comparisons" in method
    assert "by 36 points (95% CI" in method
    notes = footer(fig, plotting.NOTE_GID)
    assert "Holm" not in notes and "95% CI" not in notes
    assert "“Too early to say” and “don’t know” are left out of the base" in notes
    (base,) = [t.get_text() for t in fig.texts if t.get_gid() == "base"]
    assert "Holm" not in base and "Difference" not in base
    # the note sits above the source line (the footer is laid out bottom up)
    (note_text,) = [t for t in fig.texts if t.get_gid() == plotting.NOTE_GID]
    (source_text,) = [t for t in fig.texts if t.get_gid() == plotting.SOURCE_GID]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    note_box = note_text.get_window_extent(renderer)
    assert note_box.y0 > source_text.get_window_extent(renderer).y1
    # and below the chart
    assert note_box.y1 < min(ax.get_tightbbox(renderer).y0 for ax in fig.axes)


# -- image regression -----------------------------------------------------------------------


def _compare(fig: Figure, name: str, tmp_path: Path) -> None:
    # the report's figures are shared with the layout tests, which draw them at LAYOUT_DPI: draw
    # every figure so once before saving, so the image does not depend on which tests ran first
    drawn_texts(fig)
    actual = tmp_path / f"{name}.png"
    fig.savefig(actual, dpi=DPI, metadata={"Software": None})
    expected = BASELINE / f"{name}.png"
    if UPDATE or not expected.exists():
        if not UPDATE:
            pytest.fail(f"no baseline {expected}; run with GPCOLLAB_UPDATE_BASELINES=1")
        BASELINE.mkdir(exist_ok=True)
        expected.write_bytes(actual.read_bytes())
        return
    result = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert result is None, result


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", CASES)
def test_helper_image(name: str, size: str, tmp_path: Path) -> None:
    _compare(draw_case(name, size), f"helper-{name}-{size}", tmp_path)


DATA_FINGERPRINT = BASELINE / "report-data.sha256"


def _bundled_data_fingerprint() -> str:
    """SHA-256 of the bundled response sets the report figures are drawn from."""
    import hashlib

    root = Path(gpcollab.__file__).parent / "datasets" / "surveys"
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("layout", ["wide", "narrow"])
@pytest.mark.parametrize("key", REPORT_KEYS)
def test_report_image(
    report_figures: dict[str, Any], key: str, layout: str, tmp_path: Path
) -> None:
    # the report's figures show the bundled synthetic sets, which are rebuilt when the findings
    # register changes: their pixels are compared only with baselines drawn from the same data
    # (the layout checks above run whatever the data)
    fingerprint = _bundled_data_fingerprint()
    if UPDATE:
        BASELINE.mkdir(exist_ok=True)
        DATA_FINGERPRINT.write_text(fingerprint + "\n", encoding="utf-8")
    elif DATA_FINGERPRINT.read_text(encoding="utf-8").strip() != fingerprint:
        pytest.skip(
            "the bundled response sets changed since the report baselines were drawn; "
            "redraw them with GPCOLLAB_UPDATE_BASELINES=1 and look at every changed PNG"
        )
    fig, _ = report_figures[f"{key}-{layout}"]
    _compare(fig, f"report-{key}-{layout}", tmp_path)


@pytest.mark.parametrize("key", ["contract_reasons_2017_gp", "scenarios", "pcn_projection"])
def test_phone_bars_carry_their_labels_above(report_figures: dict[str, Any], key: str) -> None:
    """On a phone, a chart of one column of bars or dots (a single panel, the what-if
    scenarios) writes each label on its own line(s) above its mark, so the marks take the
    width: no label beside them, each label between its mark and the one above, from the
    chart's left edge."""
    fig, _ = report_figures[f"{key}-narrow"]
    drawn_texts(fig)  # lays the figure out
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    assert not any(t.get_text() for t in ax.get_yticklabels())
    labels = sorted(
        (t.get_window_extent() for t in ax.texts if t.get_gid() == plotting.ROW_LABEL_GID),
        key=lambda box: -box.y0,
    )
    marks = [p.get_window_extent() for p in ax.patches if p.get_width() > 0] or [
        line.get_window_extent(renderer)  # the what-if charts: a dot a row
        for line in ax.lines
        if line.get_gid() in ("estimate", "few-pcns")
    ]
    bars = sorted(marks, key=lambda box: -box.y0)
    assert len(labels) == len(bars) >= 3
    for i, (label, bar) in enumerate(zip(labels, bars, strict=True)):
        assert label.y0 >= bar.y1 - 0.5  # above its own bar
        if i:
            assert label.y1 <= bars[i - 1].y0 + 0.5  # under the bar above
        assert label.x0 >= ax.get_window_extent().x0 - 1
    assert ax.get_window_extent().width > 0.8 * fig.bbox.width


def test_a_dot_chart_on_its_own_figure_is_as_tall_as_its_rows() -> None:
    """A dot chart drawn without ``ax=`` sizes its figure to its rows: one row of two waves
    is not spread over the default 4 inches, and seven rows get more than two rows do."""
    table = rates_table()
    one = table[table["size_band"].astype(str) == "under_30k"]
    heights = []
    for part in (one, table):
        ax = plotting.plot_rates(part, x="size_band", hue=None, kind="dot")
        heights.append(ax.figure.get_figheight())
        fig = ax.figure
        assert overlaps(drawn_texts(fig)) == []
        plt.close(fig)
    assert heights[0] < plotting.FIGSIZE[1] and heights[0] < heights[1]


@pytest.mark.parametrize("layout", ["wide", "narrow"])
@pytest.mark.parametrize(
    "key",
    [
        "aims_by_size",
        "fully_by_size_band",
        "fully_by_age_band",
        "fully_by_level",
        "fully_by_funding",
    ],
)
def test_the_values_that_differ_are_in_bold(
    report_figures: dict[str, Any], key: str, layout: str
) -> None:
    """The values set in bold are those of every pair of groups the design-based tests find
    different, recomputed here from the tests' p-values with Holm's step-down rule written
    out (pairs with a hidden cell are not tested): so the two shares a finding title quotes
    ("(36% vs 0%)") are bold, and a neutral title's chart has none. The aims of those pairs
    have bold labels."""
    fig, item = report_figures[f"{key}-{layout}"]
    headline = next(t.get_text() for t in fig.texts if t.get_gid() == "headline")
    headline = headline.replace("\n", " ")
    quoted = re.findall(r"\((\d+%) vs (\d+%)\)", headline)
    table = item.table
    group = str(item.chart_options["hue"])
    shown = {
        (str(r[group]), str(r["aim"])): float(r["estimate"])
        for r in table.to_dict(orient="records")
        if not r["suppressed"]
    }
    tests = table.attrs["differences"].to_dict(orient="records")
    tests = [
        t
        for t in tests
        if (str(t[f"{group}_first"]), str(t["aim"])) in shown
        and (str(t[f"{group}_second"]), str(t["aim"])) in shown
        and t["p_value"] == t["p_value"]
    ]
    # Holm: the i-th smallest p-value times (m - i), never below an earlier adjusted one
    m, running, adjusted = len(tests), 0.0, {}
    for i, t in enumerate(sorted(tests, key=lambda t: t["p_value"])):
        running = max(running, min(1.0, (m - i) * t["p_value"]))
        adjusted[id(t)] = running
    cells = {
        (str(t[f"{group}_{side}"]), str(t["aim"]))
        for t in tests
        if adjusted[id(t)] < 0.05
        for side in ("first", "second")
    }
    expected = sorted(f"{100 * shown[c]:.0f}%" for c in cells)
    bold = sorted(
        t.get_text()
        for t in fig.axes[0].texts
        if t.get_gid() == "value" and t.get_fontweight() == "bold"
    )
    assert bold == expected
    if quoted:
        assert set(quoted[0]) <= set(bold)
    else:
        assert "more often" in headline or bold == []
    labels = fig.axes[0].get_yticklabels() or []
    bold_rows = [t for t in labels if t.get_fontweight() == "bold"]
    bold_rows += [
        t
        for t in fig.axes[0].texts
        if t.get_gid() == plotting.ROW_LABEL_GID and t.get_fontweight() == "bold"
    ]
    assert len(bold_rows) == len({aim for _, aim in cells})


@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_wave_dots_name_each_wave_beside_the_first_row(
    report_figures: dict[str, Any], layout: str
) -> None:
    """Figure 12 names each wave, with its base, beside its line in the first row, in place of
    a legend; the bases are the table's (one per wave)."""
    fig, item = report_figures[f"ccg_support-{layout}"]
    ax = fig.axes[0]
    table = item.table
    bases = table.groupby(table["wave"].astype(str))["n"].max()
    expected = [f"{wave} (n={int(n)})" for wave, n in bases.items()]
    names = [t.get_text() for t in ax.texts if t.get_gid() == plotting.GROUP_LABEL_GID]
    assert names == expected
    assert ax.get_legend() is None


def test_scenarios_are_sorted_by_the_difference_the_chart_draws(
    report_figures: dict[str, Any],
) -> None:
    """Scenarios have no order of their own: figure 14 sorts them by the value it draws (the
    difference from observed), largest first, under the observed row."""
    fig, item = report_figures["scenarios-wide"]
    table = item.table
    assert str(table["scenario"].iloc[0]) == "observed"
    differences = [float(d) for d in table["difference"].iloc[1:]]
    assert differences == sorted(differences, reverse=True)
    # the chart's rows, top to bottom, follow the table
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert labels == [str(v) for v in table["scenario"].iloc[1:]]


def test_dots_mark_a_hidden_cell_on_its_own_line(report_figures: dict[str, Any]) -> None:
    """A hidden dot is marked "[c]" on its own line at the start of the scale (where the chart
    shows it, not only in the column at the right), and its value column says "[c]" too:
    figure 5's hidden cells, each level with the line its dot would be on. (Figure 12's
    "None", hidden in both waves, is left out.)"""
    fig, _ = report_figures["fully_by_age_band-wide"]
    drawn = drawn_texts(fig)
    marks = sorted(t.get_position()[1] for t, _ in drawn if t.get_gid() == plotting.SUPPRESSED_GID)
    column = sorted(
        t.get_position()[1] for t, _ in drawn if t.get_gid() == "value" and t.get_text() == "[c]"
    )
    assert marks and marks == pytest.approx(column)


@pytest.mark.parametrize("layout", ["wide", "narrow"])
def test_wave_charts_set_the_tested_changes_in_bold(
    report_figures: dict[str, Any], layout: str
) -> None:
    """Figure 1: the change in the total is tested (design-based, +8 points, p < 0.001 in
    the report's change table), so its row's values are bold; the formal and informal rows,
    which do not compare across waves, are not tested and stay plain. Figure 12: no change
    survives Holm's adjustment over its answers, so nothing is bold."""
    fig, _ = report_figures[f"prevalence-{layout}"]
    bold = [
        t.get_text()
        for t in fig.axes[0].texts
        if t.get_gid() == "value" and t.get_fontweight() == "bold"
    ]
    assert bold == ["73% → 81%"]
    assert "Bold: the changes between waves that are significant." in footer(fig, plotting.NOTE_GID)
    fig, _ = report_figures[f"ccg_support-{layout}"]
    assert not [t for t in fig.axes[0].texts if t.get_fontweight() == "bold"]
