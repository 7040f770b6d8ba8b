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
        "<caption>Percentage (95% CI). [c] = hidden by disclosure control: based on fewer than "
        "5 respondents, or would reveal such a cell." in html
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


def test_odds_ratios_differences_and_p_values_read_as_words_and_numbers() -> None:
    # a model's coefficients: each level labelled by its variable's answers, the odds ratio to
    # two decimals with its interval, the p-value to three decimals ("<0.001" below that)
    coefficients = pd.DataFrame(
        {
            "variable": ["(Intercept)", "size_band", "funding"],
            "level": [None, "100k_250k", "True"],
            "odds_ratio": [0.5712, 1.5449, 1.1401],
            "or_ci_low": [0.1673, 0.4316, 0.5489],
            "or_ci_high": [1.9503, 5.5301, 2.3682],
            "p_value": [0.3702, 0.00049, 0.7303],
        }
    )
    frame = present_frame(coefficients)
    assert frame.columns.tolist() == ["variable", "level", "Odds ratio (95% CI)", "p-value"]
    assert frame["variable"].tolist() == ["(Intercept)", "Size band", "Funding"]
    assert frame["level"].tolist() == ["", "100,000-249,999", "Yes"]
    assert frame["Odds ratio (95% CI)"].tolist() == [
        "0.57 (0.17 to 1.95)",
        "1.54 (0.43 to 5.53)",
        "1.14 (0.55 to 2.37)",
    ]
    assert frame["p-value"].tolist() == ["0.370", "<0.001", "0.730"]
    # a what-if: the difference from the observed rate in signed points, with its interval
    scenarios = pd.DataFrame(
        {
            "scenario": ["observed", "all older"],
            "n": [300, 300],
            "estimate": [0.25, 0.31],
            "ci_low": [0.2, 0.24],
            "ci_high": [0.3, 0.38],
            "difference": [0.0, 0.0612],
            "difference_ci_low": [0.0, -0.0049],
            "difference_ci_high": [0.0, 0.1277],
        }
    )
    frame = present_frame(scenarios)
    assert frame["scenario"].tolist() == ["Observed", "all older"]
    assert frame["Difference, points (95% CI)"].tolist() == [
        "0 (0 to 0)",
        "+6 (0 to 13)",
    ]


def test_merged_tables_show_each_estimate_and_their_errors() -> None:
    # an unweighted and a weighted estimate side by side (merged with suffixes)
    merged = pd.DataFrame(
        {
            "membership": ["formal", "in_collaboration"],
            "n": [565, 565],
            "estimate": [0.5115, 0.8106],
            "se": [0.02103, 0.01648],
            "estimate_practices": [0.5262, 0.8031],
            "se_practices": [0.02089, 0.01661],
        }
    )
    frame = present_frame(merged, decimals=1, ci=False)
    assert frame.columns.tolist() == [
        "membership",
        "estimate",
        "Estimate (practices)",
        "Standard error, points",
        "Standard error, points (practices)",
        "Base (n)",
    ]
    assert frame.iloc[1].tolist() == [
        "In a collaboration (formal, informal or both)",
        "81.1%",
        "80.3%",
        "1.65",
        "1.66",
        "565",
    ]


def test_styler_records_the_disclosure_rule_it_went_through() -> None:
    rates = _rates()
    assert 'data-suppression-min-n="5"' in present(gpcollab.suppress(rates)).to_html()
    plain = present(rates).to_html()
    assert 'class="gpcollab-present"' in plain and "data-suppression-min-n" not in plain


# -- comparisons of two sides: each side under its own name -------------------------------


def test_two_samples_headed_by_their_labels() -> None:
    # compare_proportions' own example: 4 of 10 in the first sample, 7 of 10 in the second.
    # SEs by hand (simple random sample, R's svymean): sqrt(p(1-p)/(n-1)):
    # sqrt(.24/9) = 0.1633, sqrt(.21/9) = 0.1528; of the difference sqrt(.05) = 0.2236.
    w15 = pd.DataFrame({"formal": [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]})
    w17 = pd.DataFrame({"formal": [1, 1, 0, 1, 0, 1, 1, 0, 1, 1]})
    table = gpcollab.compare_proportions(w15, w17, "formal", labels=("GP staff", "CCG staff"))
    view = present(table, ci=False).data
    assert view.columns.tolist() == [
        "Estimate (GP staff)",
        "Estimate (CCG staff)",
        "Standard error of the difference, points",
        "Standard error, points (GP staff)",
        "Standard error, points (CCG staff)",
        "Difference, points",
        "p-value",
        "Base (n, GP staff)",
        "Base (n, CCG staff)",
    ]
    assert view.iloc[0].tolist()[:6] == ["40%", "70%", "22.4", "16.3", "15.3", "+30"]
    assert view.iloc[0].tolist()[-2:] == ["10", "10"]


def test_two_waves_headed_by_their_years() -> None:
    gp15 = gpcollab.load_survey(2015, "gp")
    gp17 = gpcollab.load_survey(2017, "gp")
    table = gpcollab.compare_waves(gp15, gp17, "membership", "in_collaboration")
    view = present(table).data
    assert view.columns.tolist() == [
        "Item",
        "Option",
        "Estimate (2015)",
        "Estimate (2017)",
        "Difference, points (95% CI)",
        "p-value",
        "Base (n, 2015)",
        "Base (n, 2017)",
    ]
    assert view.loc[0, "Item"] == "Is the practice part of a collaboration?"
    assert view.loc[0, "Option"] == "In a collaboration (formal, informal or both)"


def test_domain_pairs_that_change_by_row_keep_their_columns() -> None:
    # compare_domains' own example, and a third band: means 4, 8 and 2 (by hand)
    frame = pd.DataFrame(
        {
            "staff": [3.0, 5.0, 4.0, 8.0, 9.0, 7.0, 1.0, 3.0, 2.0],
            "band": list("aaabbbccc"),
        }
    )
    table = gpcollab.compare_domains(frame, "staff", by="band")
    view = present(table, percent=False, decimals=1, ci=False).data
    assert view.columns.tolist() == [
        "First band",
        "Second band",
        "Estimate (first band)",
        "Estimate (second band)",
        "Difference",
        "p-value",
        "Base (n, first band)",
        "Base (n, second band)",
    ]
    rows = view[["First band", "Second band", "Estimate (first band)", "Difference"]]
    assert rows.values.tolist() == [
        ["a", "b", "4.0", "+4.0"],
        ["a", "c", "4.0", "−2.0"],
        ["b", "c", "8.0", "−6.0"],
    ]


def test_sides_without_names_are_the_first_and_the_second() -> None:
    table = pd.DataFrame(
        {
            "size_band": ["under_30k"],
            "estimate_a": [0.25],
            "estimate_b": [0.5],
            "n_a": [20],
            "n_b": [30],
            "difference": [0.25],
        }
    )
    view = present(table).data
    assert view.columns.tolist() == [
        "Size band",
        "Estimate (first)",
        "Estimate (second)",
        "Difference, points",
        "Base (n, first)",
        "Base (n, second)",
    ]
    assert view.iloc[0].tolist() == ["Under 30,000", "25%", "50%", "+25", "20", "30"]


def test_a_side_named_by_a_code_shows_its_label() -> None:
    table = pd.DataFrame(
        {
            "size_band_first": ["under_30k", "under_30k"],
            "size_band_second": ["over_250k", "over_250k"],
            "aim": ["access", "staff"],
            "estimate_first": [0.25, 0.1],
            "estimate_second": [0.5, 0.2],
            "n_first": [20, 20],
            "n_second": [3, 30],
        }
    )
    safe = gpcollab.suppress(table)
    view = present(safe).data
    assert view.columns.tolist() == [
        "Aim",
        "Estimate (Under 30,000)",
        "Estimate (250,000 or more)",
        "Base (n, Under 30,000)",
        "Base (n, 250,000 or more)",
    ]
    # the row whose second side rests on 3 respondents is hidden on both sides
    assert view.iloc[0, 1:3].tolist() == [SUPPRESSED, SUPPRESSED]
    assert view.iloc[1, 1:3].tolist() == ["10%", "20%"]


def test_engine_tables_say_they_are_synthetic_when_told() -> None:
    table = _rates().drop(columns=["count"])
    table.attrs = {}  # as the engine returns it: it does not know where the rows came from
    assert SYNTHETIC_NOTICE not in present(table).caption
    assert SYNTHETIC_NOTICE in present(table, synthetic=True).caption
    assert SYNTHETIC_NOTICE not in present(_rates(), synthetic=False).caption
    with pytest.raises(ArgumentError, match="`synthetic` must be True, False or None"):
        present(table, synthetic="yes")


def test_yes_no_groups_read_yes_and_no() -> None:
    table = pd.DataFrame({"funding": [False, True], "n": [172, 43], "estimate": [0.4, 0.2]})
    view = present(table, ci=False).data
    assert view.values.tolist() == [["No", "40%", "172"], ["Yes", "20%", "43"]]
    assert view.columns.tolist() == ["Funding", "Estimate", "Base (n)"]


def test_other_standard_errors_are_shown_under_their_names() -> None:
    table = pd.DataFrame(
        {"aim": ["access"], "n": [458], "estimate": [0.52], "se": [0.0234], "se_naive": [0.025]}
    )
    view = present(table, ci=False).data
    assert view.columns.tolist() == [
        "Aim",
        "Estimate",
        "Standard error, points",
        "Standard error, points (naive)",
        "Base (n)",
    ]
    assert view.iloc[0, 2:4].tolist() == ["2.3", "2.5"]


def test_a_table_suppressed_twice_still_says_c() -> None:
    once = gpcollab.suppress(_rates())
    view = present(gpcollab.suppress(once), columns="outcome")
    # under 30,000: counts 1 and 3 of 4 respondents, both hidden, both [c]
    assert view.data.iloc[0, 1:3].tolist() == [SUPPRESSED, SUPPRESSED]
    assert "[c] = hidden by disclosure control" in view.caption


def test_an_odds_ratio_the_model_could_not_give_says_so() -> None:
    # achievement_trend's separated aim: no ratio (infinite), a test all the same
    table = pd.DataFrame(
        {
            "aim": ["sustainability", "community"],
            "n": [168, 170],
            "odds_ratio_per_step": [float("nan"), 4.03],
            "or_ci_low": [float("nan"), 2.04],
            "or_ci_high": [float("nan"), 7.95],
            "p_value": [0.0004, 0.0001],
        }
    )
    view = present(table).data
    assert view["Odds ratio per step (95% CI)"].tolist() == [
        "not estimable",
        "4.03 (2.04 to 7.95)",
    ]


def test_hidden_cell_rule_says_the_note_and_the_chart_reason_in_the_same_words() -> None:
    from gpcollab.presentation import HiddenCellRule, suppression_note

    rule = HiddenCellRule(5)
    assert (
        rule.note
        == suppression_note(5)
        == (
            "[c] = hidden by disclosure control: based on fewer than 5 respondents, or would "
            "reveal such a cell."
        )
    )
    # a base under the threshold is hidden for that alone; a larger base's cell held fewer
    # than 5 respondents or would reveal one that did (a masked table no longer says which)
    assert rule.reason(4) == "fewer than 5 respondents"
    assert rule.reason(5) == "fewer than 5 respondents, or would reveal such a cell"
    assert rule.reason(float("nan")) == rule.reason(40)
    for n in (0, 4, 5, 40):
        for part in rule.reason(n).split(", or "):
            assert part in rule.note
    # no usable threshold: the same words without the number
    for threshold in (None, True, 1, "5"):
        assert HiddenCellRule(threshold).reason(2) == (
            "too few respondents, or would reveal such a cell"
        )
    table = pd.DataFrame({"n": [3]})
    table.attrs["suppression"] = {"min_n": 10}
    assert HiddenCellRule.of(table).reason(3) == "fewer than 10 respondents"
