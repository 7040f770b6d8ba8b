"""``present``/``present_frame``: labels, percentages, intervals, bases, suppressed cells."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import gpcollab
from gpcollab.errors import ArgumentError
from gpcollab.presentation import SUPPRESSED, present, present_frame
from gpcollab.schema import SYNTHETIC_NOTICE


def _rates() -> pd.DataFrame:
    """A hand-made table in the engine's shape: two size bands by two outcomes."""
    table = pd.DataFrame(
        {
            "size_band": pd.Categorical(
                ["under_30k", "under_30k", "100k_250k", "100k_250k"],
                categories=gpcollab.SizeBand.values(),
                ordered=True,
            ),
            "outcome": ["fully", "partially", "fully", "partially"],
            "n": [4, 4, 119, 119],
            "count": [1, 3, 46, 63],
            "estimate": [0.25, 0.75, 0.386555, 0.529412],
            "ci_low": [0.0305, 0.1941, 0.30212, 0.44011],
            "ci_high": [0.8059, 0.9695, 0.47823, 0.61658],
            "conf_level": 0.95,
        }
    )
    table.attrs["synthetic"] = True
    return table


def test_labels_percentages_intervals_and_bases() -> None:
    frame = present_frame(_rates())
    assert frame.columns.tolist() == ["size_band", "outcome", "estimate", "Base (n)"]
    assert frame["size_band"].tolist() == ["Under 30,000"] * 2 + ["100,000-249,999"] * 2
    assert frame["outcome"].tolist() == ["Fully achieved", "Partially achieved"] * 2
    # 0.386555 -> 39%, interval 30.212% to 47.823% -> 30-48
    assert frame["estimate"].tolist() == [
        "25% (3–81)",
        "75% (19–97)",
        "39% (30–48)",
        "53% (44–62)",
    ]
    assert frame["Base (n)"].tolist() == ["4", "4", "119", "119"]


def test_decimals_and_no_interval() -> None:
    frame = present_frame(_rates(), decimals=1, ci=False, labels=False)
    assert frame["estimate"].tolist() == ["25.0%", "75.0%", "38.7%", "52.9%"]
    assert frame["size_band"].astype(str).tolist()[0] == "under_30k"
    odds = present_frame(_rates(), decimals=2, percent=False)
    assert odds["estimate"].iloc[2] == "0.39 (0.30–0.48)"


def test_spread_across_columns_with_one_base_per_row() -> None:
    frame = present_frame(_rates(), columns="outcome")
    assert frame.columns.tolist() == [
        "size_band",
        "Fully achieved",
        "Partially achieved",
        "Base (n)",
    ]
    row = frame.iloc[1]
    assert row["size_band"] == "100,000-249,999"
    assert (row["Fully achieved"], row["Partially achieved"]) == ("39% (30–48)", "53% (44–62)")
    assert row["Base (n)"] == "119"


def test_suppressed_cells_show_c() -> None:
    suppressed = gpcollab.suppress(_rates(), min_n=5)  # the under-30k base of 4 is masked
    frame = present_frame(suppressed, columns="outcome")
    assert frame.iloc[0][["Fully achieved", "Partially achieved"]].tolist() == [SUPPRESSED] * 2
    assert frame.iloc[1]["Fully achieved"] == "39% (30–48)"


def test_styler_caption_html_and_excel(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl", reason="writing XLSX needs the xlsx extra (openpyxl)")
    from openpyxl import load_workbook

    styler = present(gpcollab.suppress(_rates(), min_n=5), columns="outcome")
    html = styler.to_html()
    assert (
        "<caption>Percentage (95% CI). [c] = hidden by disclosure control: fewer than 5 "
        "respondents in the base or the count, or it would reveal such a cell." in html
    )
    assert SYNTHETIC_NOTICE in html
    assert ">Size band</th>" in html and ">39% (30–48)</td>" in html
    assert ">[c]</td>" in html
    target = tmp_path / "rates.xlsx"
    styler.to_excel(target, index=False)
    sheet = load_workbook(target).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Size band", "Fully achieved", "Partially achieved", "Base (n)"]
    assert rows[2] == ["100,000-249,999", "39% (30–48)", "53% (44–62)", "119"]


def test_on_a_real_analysis_and_bad_arguments() -> None:
    gp17 = gpcollab.load_survey(2017, "gp")
    frame = present_frame(gpcollab.prevalence(gp17))
    assert frame["membership"].iloc[0] == gpcollab.Membership("formal").label
    # the summary row is no answer of the item; it still reads as words, not its code
    assert frame["membership"].iloc[-1] == "In a collaboration (formal, informal or both)"
    with pytest.raises(ArgumentError, match="not an estimate table"):
        present(pd.DataFrame({"x": [1]}))
    with pytest.raises(ArgumentError, match="`table` must be a result table"):
        present(gp17)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="decimals"):
        present(_rates(), decimals=9)
    with pytest.raises(ArgumentError, match="`columns` names 'colour'"):
        present(_rates(), columns="colour")
