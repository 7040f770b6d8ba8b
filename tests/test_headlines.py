"""Chart titles: a difference between groups is stated only when a design-based test of that
difference supports it (never from overlapping intervals), and its direction is named."""

from __future__ import annotations

import itertools
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import pytest

from gpcollab import headlines
from gpcollab.headlines import (
    TITLE_CHARS,
    changed_options,
    chart_text,
    differing_aims,
    differing_cells,
    holm,
    supported_differences,
    titled_aim,
    titled_cells,
    uncompared_rows,
)
from gpcollab.vocab import AgeBand, Aim
from test_chart_images import REPORT_KEYS


def test_holm_matches_the_step_down_rule() -> None:
    # R: p.adjust(c(0.01, 0.04, 0.03), "holm") is 0.03 0.06 0.06
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    # adjusted values never exceed 1 and never fall below an earlier one
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def fully_by_age(*, hidden_staff_under_1y: bool = False) -> pd.DataFrame:
    """Two aims by three age bands, as ``achievement_rates(by="age_band")`` after suppression."""
    rows = []
    shares = {"access": [0.45, 0.38, 0.35], "sustainability": [0.0, 0.05, 0.24]}
    for aim, values in shares.items():
        for band, share in zip(AgeBand.values(), values, strict=True):
            rows.append(
                {
                    "age_band": band,
                    "aim": aim,
                    "outcome": "fully",
                    "n": 40,
                    "estimate": share,
                    "ci_low": max(share - 0.1, 0.0),
                    "ci_high": share + 0.1,
                    "suppressed": False,
                }
            )
    table = pd.DataFrame(rows)
    if hidden_staff_under_1y:
        hide = (table["aim"] == "sustainability") & (table["age_band"] == "under_1y")
        table.loc[hide, ["estimate", "ci_low", "ci_high"]] = np.nan
        table.loc[hide, "suppressed"] = True
    table.attrs.update(wave=2017, instrument="gp")
    return table


def differences(p_sustainability: float) -> pd.DataFrame:
    """Tests of every pair of age bands within each aim, in compare_domains' shape."""
    rows = []
    pairs = [("under_1y", "1y_2y"), ("under_1y", "over_2y"), ("1y_2y", "over_2y")]
    table = fully_by_age()
    for aim in ("access", "sustainability"):
        share = dict(
            zip(
                table.loc[table["aim"] == aim, "age_band"],
                table.loc[table["aim"] == aim, "estimate"],
                strict=True,
            )
        )
        for first, second in pairs:
            diff = share[second] - share[first]
            p = (
                p_sustainability
                if (aim, first, second) == ("sustainability", "under_1y", "over_2y")
                else 0.5
            )
            rows.append(
                {
                    "aim": aim,
                    "age_band_first": first,
                    "age_band_second": second,
                    "difference": diff,
                    "se": 0.05,
                    "df": 400.0,
                    "statistic": diff / 0.05,
                    "p_value": p,
                    "ci_low": diff - 0.098,
                    "ci_high": diff + 0.098,
                    "estimate_first": share[first],
                    "estimate_second": share[second],
                }
            )
    return pd.DataFrame(rows)


def test_a_supported_difference_is_stated_with_its_direction_and_test() -> None:
    table = fully_by_age()
    table.attrs["differences"] = differences(p_sustainability=0.0001)
    text = chart_text("fully_by_age_band", table, "fallback")
    # six pairs tested together: Holm multiplies the smallest p-value by 6, 0.0006 < 0.05
    # age bands are ordered: "older" says which way, and the chart names the two bands
    # beside their dots (over 2 years 24%, under a year 0%)
    assert text.title == (
        "Older collaborations more often fully achieved “sustainability” (24% vs 0%)"
    )
    # the test is said under the chart on the page (method), not in the image's note
    assert text.method == (
        "Design-based tests, Holm-adjusted over 6 comparisons: only “sustainability” differs "
        "significantly, by 24 points (95% CI 14 to 34)."
    )
    assert "Holm" not in text.note
    # the table is of the GP practice survey, 2017; the chart writes each dot's base (n=40)
    # beside it, so the base line gives none; it says what the groups are (the chart names
    # each beside its dots)
    assert text.base == (
        "Collaborations that set the aim, by time since forming, GP practice staff survey 2017"
    )


def test_no_finding_when_the_test_does_not_support_one() -> None:
    table = fully_by_age()
    # p = 0.01 on its own would pass, but not after allowing for six pairs (0.06)
    table.attrs["differences"] = differences(p_sustainability=0.01)
    text = chart_text("fully_by_age_band", table, "fallback")
    # the tests' own finding: nothing stands out
    assert text.title == "No clear difference by age in fully achieving any aim"
    assert text.method == (
        "No difference between groups is significant (design-based tests, Holm-adjusted over 6 "
        "comparisons)."
    )
    assert "significant" not in text.base
    # no tests given: a neutral title, and nothing said about differences at all
    plain = chart_text("fully_by_age_band", fully_by_age(), "fallback")
    assert plain.title == "Share of collaborations fully achieving each aim, by age"
    assert "significant" not in plain.note and "differ" not in plain.title
    assert plain.method == ""
    assert plain.note == (
        "“Too early to say” and “don’t know” are left out of the base, which lifts shares a little."
    )


def test_a_hidden_cell_is_never_compared() -> None:
    table = fully_by_age(hidden_staff_under_1y=True)
    tested = supported_differences(table, differences(p_sustainability=0.0001), "age_band")
    # the two sustainability pairs with the hidden under-1-year cell are left out
    assert tested.attrs["family"] == 4
    assert not (
        (tested["aim"] == "sustainability") & (tested["age_band_first"] == "under_1y")
    ).any()
    table.attrs["differences"] = differences(p_sustainability=0.0001)
    # sustainability's other pairs are tested, so every aim is still compared
    assert chart_text("fully_by_age_band", table, "x").title.startswith("No clear difference")
    assert "any aim" in chart_text("fully_by_age_band", table, "x").title


def test_a_no_difference_title_counts_only_the_aims_compared() -> None:
    # tests came for access alone (sustainability's were not run): nothing significant, and
    # the title must not speak for both aims
    table = fully_by_age()
    tests = differences(p_sustainability=0.5)
    table.attrs["differences"] = tests[tests["aim"] == "access"].reset_index(drop=True)
    title = chart_text("fully_by_age_band", table, "x").title
    assert title == "No clear difference by age in fully achieving the one aim compared"


def test_a_no_difference_title_counts_the_groups_compared() -> None:
    """Under a year hidden in both aims: its four pairs cannot be tested, and the title must
    not speak for three age bands when two were compared."""
    table = fully_by_age()
    hide = table["age_band"] == "under_1y"
    table.loc[hide, ["estimate", "ci_low", "ci_high"]] = np.nan
    table.loc[hide, "suppressed"] = True
    table.attrs["differences"] = differences(p_sustainability=0.5)
    title = chart_text("fully_by_age_band", table, "x").title
    assert title == (
        "No clear difference between the 2 age bands compared in fully achieving any aim"
    )


def test_scenario_title_rests_on_the_interval_of_the_difference() -> None:
    table = pd.DataFrame(
        {
            "scenario": ["observed", "All 100,000-249,999 patients", "All one age band older"],
            "n": 215,
            "estimate": [0.38, 0.30, 0.47],
            "ci_low": [0.31, 0.20, 0.33],
            "ci_high": [0.45, 0.41, 0.60],
            "difference": [0.0, -0.08, 0.09],
            # the older scenario's own interval covers 0.38, but its difference excludes 0
            "difference_ci_low": [0.0, -0.2, 0.02],
            "difference_ci_high": [0.0, 0.03, 0.16],
        }
    )
    table.attrs["aim"] = Aim.ACCESS.value
    text = chart_text("scenarios", table, "fallback")
    assert text.title == (
        "All one age band older: 47% would fully achieve “access”, 9 points more than observed"
    )
    # no conf_level column: the interval's level is not claimed
    assert text.method.endswith("Difference +9 points (bootstrap interval +2 to +16).")
    table["conf_level"] = 0.95
    text = chart_text("scenarios", table, "fallback")
    assert text.method.endswith("Difference +9 points (95% bootstrap interval +2 to +16).")
    assert "bootstrap" not in text.note and "g-computation" not in text.note.lower()
    assert "bootstrap" not in text.base and "g-computation" not in text.base
    # n=215 in every row; no survey attrs on this table, so none is named
    assert text.base == (
        "Model base: collaborations that set “Improving access for patients” (n=215)"
    )
    table["difference_ci_low"] = [0.0, -0.2, -0.01]
    # no difference excludes 0: the observed 38%, and the aim's short name
    assert chart_text("scenarios", table, "fallback").title == (
        "No what-if scenario clearly changes the 38% fully achieving “access”"
    )


def test_projection_title_is_a_what_if_with_its_interval() -> None:
    table = pd.DataFrame(
        {
            "size_band": ["all_pcns", "under_30k"],
            "estimate": [0.37, 0.33],
            "ci_low": [0.19, 0.09],
            "ci_high": [0.57, 0.68],
        }
    )
    table.attrs["aim"] = Aim.ACCESS.value
    text = chart_text("pcn_projection", table, "fallback")
    # a what-if, not a projection: the title says so first, and the note calls it no forecast
    assert text.title == (
        "What-if for real PCNs: 37% would fully achieve “access” (interval 19% to 57%)"
    )
    # with the interval's level given, the title names it
    text = chart_text("pcn_projection", table.assign(conf_level=0.95), "fallback")
    assert text.title.endswith("(95% interval 19% to 57%)")
    assert "A what-if, not a forecast." in text.note
    without_total = table[table["size_band"] != "all_pcns"]
    assert chart_text("pcn_projection", without_total, "x").title == (
        "What-if share fully achieving “access”, by PCN size"
    )


@pytest.mark.parametrize(
    ("group", "aims", "expected"),
    [
        ("age_band", 2, "No clear difference by age in fully achieving any aim"),
        (
            "funding",
            1,
            # the base line names the fund
            "No clear difference by funding in fully achieving the one aim compared",
        ),
    ],
)
def test_no_difference_titles_are_short(group: str, aims: int, expected: str) -> None:
    table = fully_by_age()
    tests = differences(p_sustainability=0.5)
    if aims == 1:
        tests = tests[tests["aim"] == "access"].reset_index(drop=True)
    table = table.rename(columns={"age_band": group})
    table.attrs["differences"] = tests.rename(
        columns={"age_band_first": f"{group}_first", "age_band_second": f"{group}_second"}
    )
    title = chart_text(f"fully_by_{group}", table, "x").title
    assert title == expected
    assert len(title.replace(" / ", "/").split()) <= 14  # the guidance: about 10 words


def test_a_reband_of_size_is_named_in_patients() -> None:
    """Figure 4 compares whatif.reband's groups (``size_group``): the title names them."""
    groups = ["under 100,000", "100,000 or more"]
    table = pd.DataFrame(
        {
            "size_group": pd.Categorical(groups, categories=groups, ordered=True),
            "aim": "staff",
            "outcome": "fully",
            "n": [73, 48],
            "estimate": [0.12, 0.25],
            "ci_low": [0.06, 0.14],
            "ci_high": [0.22, 0.39],
            "suppressed": False,
        }
    )
    table.attrs.update(wave=2017, instrument="gp")
    tests = pd.DataFrame(
        {
            "aim": ["staff"],
            "size_group_first": ["under 100,000"],
            "size_group_second": ["100,000 or more"],
            "difference": [0.13],
            "p_value": [0.01],
            "ci_low": [0.03],
            "ci_high": [0.23],
            "estimate_first": [0.12],
            "estimate_second": [0.25],
        }
    )
    table.attrs["differences"] = tests
    text = chart_text("fully_by_size_band", table, "fallback")
    # one pair: Holm leaves p = 0.01, below 0.05
    # the two size groups are ordered: "larger", and the chart labels the groups
    assert text.title == (
        "Larger collaborations more often fully achieved “staff experience” (25% vs 12%)"
    )
    assert "only “staff experience” differs significantly, by 13 points (95% CI 3 to 23)" in (
        text.method
    )
    table.attrs["differences"] = tests.assign(p_value=0.2)
    assert chart_text("fully_by_size_band", table, "x").title == (
        "No clear difference by size in fully achieving any aim"
    )


def two_groups(
    group: str,
    values: tuple[str, str],
    shares: dict[str, tuple[float, float]],
    p_values: dict[str, float],
) -> pd.DataFrame:
    """A table of aims by two groups (``shares``: the first group's share, the second's) with
    its tests in compare_domains' shape: one pair per aim, difference second minus first,
    interval the difference +/- 10 points, unadjusted p-values as given."""
    rows, tests = [], []
    for aim, (first, second) in shares.items():
        for value, share in zip(values, (first, second), strict=True):
            rows.append(
                {
                    group: value,
                    "aim": aim,
                    "n": 100,
                    "estimate": share,
                    "ci_low": share - 0.1,
                    "ci_high": share + 0.1,
                    "suppressed": False,
                }
            )
        tests.append(
            {
                "aim": aim,
                f"{group}_first": values[0],
                f"{group}_second": values[1],
                "difference": second - first,
                "p_value": p_values[aim],
                "ci_low": second - first - 0.1,
                "ci_high": second - first + 0.1,
                "estimate_first": first,
                "estimate_second": second,
            }
        )
    table = pd.DataFrame(rows)
    table.attrs.update(wave=2017, instrument="gp", differences=pd.DataFrame(tests))
    return table


SIZE_GROUPS = ("under 100,000", "100,000 or more")
# the shape of the 2017 publication's contrast (S-14): larger collaborations chose access and
# services in the community more often, smaller ones sustainability and staff experience
SIZE_SHARES = {
    "access": (0.40, 0.63),  # +23 points
    "community": (0.36, 0.58),  # +22
    "sustainability": (0.57, 0.36),  # -21
    "staff": (0.46, 0.26),  # -20
    "efficiency": (0.32, 0.33),  # +1
}
# Holm over 5: 0.0001 x 5 = 0.0005, 0.0002 x 4 = 0.0008, 0.0003 x 3 = 0.0009, 0.004 x 2 = 0.008
# (all four below 0.05), 0.9 x 1 = 0.9
SIZE_P = {
    "access": 0.0001,
    "community": 0.0002,
    "sustainability": 0.0003,
    "staff": 0.004,
    "efficiency": 0.9,
}


def test_two_groups_differing_on_several_aims_get_the_pattern_both_ways() -> None:
    table = two_groups("size_group", SIZE_GROUPS, SIZE_SHARES, SIZE_P)
    text = chart_text("aims_by_size", table, "fallback")
    # the largest difference's side first, then the other side's largest (80 characters);
    # the next largest, "services in the community" (+22), would make it 113: left out
    assert text.title == (
        "Larger collaborations more often chose “access”; smaller ones, “sustainability”"
    )
    assert len(text.title) <= TITLE_CHARS == 100
    assert text.note == "Several aims could be chosen."
    # the tests in one short sentence: family, how many differ, the largest with its interval
    assert text.method == (
        "Design-based tests, Holm-adjusted over 5 comparisons: "
        "4 differ significantly; the largest, “access”, by 23 points (95% CI 13 to 33)."
    )
    # the chart's first panel and its bold values: the first aim the title names
    assert titled_aim(table) == "access"
    assert titled_cells(table) == [("under 100,000", "access"), ("100,000 or more", "access")]


def test_a_pattern_title_names_up_to_two_aims_a_side_by_size_of_difference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With room for every aim, each side lists its aims largest difference first, at most
    two: the third of the larger side (efficiency, +15 points) is left out."""
    monkeypatch.setattr(headlines, "TITLE_CHARS", 400)
    shares = SIZE_SHARES | {"integration": (0.20, 0.32), "efficiency": (0.20, 0.35)}
    p_values = SIZE_P | {"integration": 0.001, "efficiency": 0.001}
    table = two_groups("size_group", SIZE_GROUPS, shares, p_values)
    assert chart_text("aims_by_size", table, "fallback").title == (
        "Larger collaborations more often chose “access” and “services in the community”; "
        "smaller ones, “sustainability” and “staff experience”"
    )


@pytest.mark.parametrize(
    ("group", "values", "expected"),
    [
        (
            "age_band",
            ("under_1y", "over_2y"),
            "Older collaborations more often fully achieved “access” and “efficiency” than "
            "younger ones",
        ),
        (
            "size_band",
            ("30k_50k", "over_250k"),
            "Larger collaborations more often fully achieved “access” and “efficiency” than "
            "smaller ones",
        ),
        (
            "level",
            ("locality", "multi_ccg"),
            # 100 characters at most: "and “efficiency”" would make it 118
            "Collaborations spanning several CCGs more often fully achieved “access” than those "
            "covering a locality",
        ),
        (
            "funding",
            ("False", "True"),
            "Collaborations with Access / Challenge Fund money more often fully achieved "
            "“access” than those without such money",
        ),
    ],
)
def test_a_pattern_in_one_direction_names_the_other_group_by_its_qualifier(
    group: str, values: tuple[str, str], expected: str
) -> None:
    """Both supported differences favour the second group: the side with none is left out,
    and the other group is named as every grouping names it."""
    shares = {
        "access": (0.20, 0.45),
        "efficiency": (0.10, 0.30),
        "sustainability": (0.30, 0.28),
    }
    # Holm over 3: 0.0001 x 3, 0.001 x 2 below 0.05; 0.6
    p_values = {"access": 0.0001, "efficiency": 0.001, "sustainability": 0.6}
    table = two_groups(group, values, shares, p_values)
    text = chart_text(f"fully_by_{group}", table, "fallback")
    assert text.title == expected
    assert text.method == (
        "Design-based tests, Holm-adjusted over 3 comparisons: 2 differ significantly; the "
        "largest, “access”, by 25 points (95% CI 15 to 35)."
    )


def test_two_groups_with_one_supported_aim_keep_the_title_with_two_shares() -> None:
    # Holm over 5: 0.0001 x 5 = 0.0005; the others 0.5 x 4 = 1
    p_values = dict.fromkeys(SIZE_P, 0.5) | {"sustainability": 0.0001}
    table = two_groups("size_group", SIZE_GROUPS, SIZE_SHARES, p_values)
    text = chart_text("aims_by_size", table, "fallback")
    assert text.title == "Smaller collaborations more often chose “sustainability” (57% vs 36%)"
    assert text.method.endswith(
        "Design-based tests, Holm-adjusted over 5 comparisons: only “sustainability” differs "
        "significantly, by 21 points (95% CI 11 to 31)."
    )
    assert titled_cells(table) == [
        ("under 100,000", "sustainability"),
        ("100,000 or more", "sustainability"),
    ]


def test_three_groups_keep_the_largest_supported_difference() -> None:
    """Three age bands: the title names the largest supported pair, as before, and the note
    counts both supported ones."""
    table = fully_by_age()
    tests = differences(p_sustainability=0.0001)
    # access, under a year vs over 2 years (0.45 vs 0.35): Holm 0.0002 x 5 = 0.001
    access = (tests["aim"] == "access") & (tests["age_band_second"] == "over_2y")
    access &= tests["age_band_first"] == "under_1y"
    tests.loc[access, "p_value"] = 0.0002
    table.attrs["differences"] = tests
    text = chart_text("fully_by_age_band", table, "fallback")
    assert text.title == (
        "Older collaborations more often fully achieved “sustainability” (24% vs 0%)"
    )
    assert text.method.endswith(
        "Design-based tests, Holm-adjusted over 6 comparisons: 2 differ significantly; the "
        "largest, “sustainability”, by 24 points (95% CI 14 to 34)."
    )


@pytest.mark.parametrize("group", ["size_band", "size_group", "age_band", "level", "funding"])
def test_neutral_titles_name_their_groups_without_repeating_a_word(group: str) -> None:
    """The neutral title of every grouping reads as English: no word said twice in a row
    under two forms (the funding chart once read "... Challenge Fund funding")."""
    table = fully_by_age().rename(columns={"age_band": group})
    title = chart_text(f"fully_by_{group}", table, "fallback").title
    assert title.startswith("Share of collaborations fully achieving each aim, ")
    words = [w.strip("(),“”").lower() for w in title.split()]
    for first, second in itertools.pairwise(words):
        assert not (second.startswith(first) or first.startswith(second)), (first, second)
    if group == "funding":
        assert title.endswith("with and without Access / Challenge Fund money")


def test_tick_all_titles_state_the_top_share_without_ranking_it() -> None:
    """A tick-all-that-apply title gives the share of the answer ticked most, in words, but
    claims no "most": no test compares it with the next answer (75% vs 65% of 51 CCGs)."""
    table = pd.DataFrame(
        {
            "wave": ["2015", "2015", "2017", "2017"],
            "option": ["financial", "expert_advice", "financial", "expert_advice"],
            "estimate": [0.55, 0.45, 0.75, 0.65],
            "n": [94, 94, 51, 51],
        }
    )
    title = chart_text("ccg_support", table, "fallback").title
    assert title == "75% of CCG respondents said their CCG gave “financial support” in 2017"
    # neither a ranking nor a change from 2015 (55%): no test stands behind either
    assert "most" not in title and "55%" not in title


def test_achievement_title_gives_the_other_aims_as_a_range() -> None:
    """The share of the aim fully achieved most often is given (the publication ranks it
    first); the others are a range. Levels, not a ranking: neither "most" nor a "least
    often" resting on a one-point gap, which no test supports."""
    shares = {"access": 0.35, "community": 0.20, "sustainability": 0.12, "quality": 0.11}
    table = pd.DataFrame(
        {
            "aim": list(shares),
            "outcome": ["fully"] * len(shares),
            "estimate": list(shares.values()),
            "n": [233, 210, 196, 168],
        }
    )
    title = chart_text("achievement_by_aim", table, "fallback").title
    assert title == "35% fully achieved “access”; other aims 11% to 20%"
    assert "least" not in title and "most" not in title


# -- the base line says whom and when; the method goes in the note -------------------------

# A base line is set at 8.5 pt in the figure's width less 0.3 inches of margin (report._frame);
# at about 0.6 of the size per character that is (3.9 - 0.3) * 72 / (8.5 * 0.6) = 50.8
# characters a line on the 3.9-inch phone layout and (8.5 - 0.3) * 72 / 5.1 = 115.8 on the
# 8.5-inch one. Three lines on a phone (two where it can) and one or two on a wide screen keep
# the subtitle a subtitle; the bases of up to 373 characters this replaces ran to 8 lines.
PHONE_BASE_CHARS = 50
WIDE_BASE_CHARS = 115
TEST_WORDS = ("Holm", "p<", "p=", "bootstrap", "g-computation", "significant", "95% CI")

# every describer of headlines._DESCRIBERS, by the report table that reaches it: the report's
# charts, as the image tests list them
DESCRIBED_KEYS = tuple(REPORT_KEYS)


@pytest.fixture(scope="module")
def report_texts() -> dict[str, Any]:
    """The chart text of every report chart, from the bundled sets' report tables."""
    import warnings

    import gpcollab
    from gpcollab.report import gather_report

    sets = [gpcollab.load_survey(w, i) for w in (2015, 2017) for i in ("gp", "ccg")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
        content = gather_report(sets, n_boot=40, seed=0)
    return {
        item.key: chart_text(item.key, item.table, item.title)
        for section in content.sections
        for item in section.tables
        if item.chart is not None
    }


def test_every_describer_is_met_by_a_report_chart(report_texts: dict[str, Any]) -> None:
    assert sorted(report_texts) == sorted(DESCRIBED_KEYS)


@pytest.mark.parametrize("key", DESCRIBED_KEYS)
def test_base_lines_are_short_and_name_no_test(report_texts: dict[str, Any], key: str) -> None:
    base = report_texts[key].base
    assert base, key
    assert len(textwrap.wrap(base, PHONE_BASE_CHARS)) <= 3, base
    assert len(textwrap.wrap(base, WIDE_BASE_CHARS)) <= 2, base
    assert not [word for word in TEST_WORDS if word in base], base


def test_the_tests_and_caveats_are_in_the_notes(report_texts: dict[str, Any]) -> None:
    # the titles of these charts rest on design-based tests of pairs of groups, Holm-adjusted:
    # said under the chart on the page (method), while the image's note stays in plain words
    for key in ("aims_by_size", "fully_by_size_band", "fully_by_age_band", "fully_by_level"):
        assert "Holm-adjusted" in report_texts[key].method
        assert "design-based tests" in report_texts[key].method.lower()
    jargon = ("Holm", "p<", "p=", "bootstrap", "g-computation", "95% CI", "esign-based")
    for key, text in report_texts.items():
        assert not [word for word in jargon if word in text.note], (key, text.note)
    # the what-if dots are a model's, their intervals the bootstrap's
    method = report_texts["scenarios"].method
    assert "G-computation on a logistic model" in method and "bootstrap interval" in method
    assert "“Too early to say” is left out of the base" in report_texts["scenarios"].note
    assert "A what-if, not a forecast." in report_texts["pcn_projection"].note
    # the achievement chart keeps "too early to say"; the charts by group leave it out
    assert "“Too early to say” stays in the base" in report_texts["achievement_by_aim"].note
    assert report_texts["fully_by_age_band"].note.startswith(
        "“Too early to say” and “don’t know” are left out of the base"
    )
    for key in ("stp_influence", "stp_change", "contract_willingness_2017_gp"):
        assert "“Don’t know” is part of the base" in report_texts[key].note
    for key in ("stp_influence", "stp_change"):  # the acronym spelled out once
        assert report_texts[key].note.startswith("STP: sustainability and transformation")
    # figure 13 compares a survey share with a count: the survey's interval is the test
    assert report_texts["size_distribution"].method.startswith(
        "The respondents' share has a 95% CI of "
    )
    for key in ("contract_reasons_2017_gp", "ccg_support", "aims_by_size"):
        assert "could be ticked" in report_texts[key].note or "could be chosen" in (
            report_texts[key].note
        )


def test_bases_of_the_report_name_whom_and_when(report_texts: dict[str, Any]) -> None:
    # 2015: 982 GP-practice respondents, 2017: 565 (the published bases of 73% and 81%)
    assert report_texts["prevalence"].base == (
        "All GP-practice respondents (n=565 to 982), GP practice staff survey 2015 and 2017"
    )
    # 241 GP partners answered the contract question in 2017 (published base, finding 2017-33)
    assert report_texts["contract_willingness_2017_gp"].base == (
        "GP partners (n=241), GP practice staff survey 2017"
    )


def test_size_title_gives_one_message_the_pcns_band_and_collaborations_in_it() -> None:
    """Figure 13's title: the band most practices' PCNs fall in and the share of respondents
    (practices) in collaborations of that band: one contrast, in one unit. The PCN share is
    counted here by hand from the bundled NHS Digital list with the band's own bounds (30,000
    to 49,999 patients), each PCN weighted by its member practices."""
    from gpcollab.datasets import load_population

    pcn = load_population(2019, "pcn")
    patients = pcn["registered_patients"].to_numpy(float)
    practices = pcn["practices"].to_numpy(float)
    in_band = (patients >= 30_000) & (patients < 50_000)
    share = round(100 * practices[in_band].sum() / practices.sum())
    table = pd.DataFrame(
        {
            "option": ["under_30k", "30k_50k", "50k_100k", "100k_250k", "over_250k"],
            "estimate": [0.10, 0.14, 0.23, 0.38, 0.15],
            "n": [458] * 5,
        }
    )
    table.attrs.update(wave=2017, instrument="gp")
    text = chart_text("size_distribution", table, "fallback")
    assert text.title == (
        f"{share}% of PCN practices were in networks of 30,000-49,999 patients, against 14% of "
        "respondents"
    )
    assert ";" not in text.title  # one message
    assert "shares of practices" in text.note
    assert text.method == ""  # no interval given: nothing said of a difference
    # the survey's 14% with its interval (11% to 18%, by hand) set against the PCN count
    with_ci = table.assign(ci_low=table["estimate"] - 0.03, ci_high=table["estimate"] + 0.04)
    assert chart_text("size_distribution", with_ci, "x").method == (
        f"The respondents' share has a 95% CI of 11% to 18%, which excludes the PCNs' {share}%: "
        "a count of every practice in a PCN, not an estimate."
    )


def test_a_base_line_quotes_the_bases_of_the_cells_drawn() -> None:
    """A hidden cell is no mark: its base (here 4, the smallest) is not in the range the
    subtitle quotes, which runs over the three shown cells (20, 35 and 60)."""
    table = pd.DataFrame(
        {
            "aim": ["access", "access", "access", "staff"],
            "size_band": ["under_30k", "30k_50k", "over_250k", "over_250k"],
            "estimate": [0.10, 0.20, 0.30, 0.0],
            "n": [20, 35, 60, 4],
            "suppressed": [False, False, False, True],
        }
    )
    table.attrs.update(wave=2017, instrument="gp")
    text = chart_text("aims_by_size", table, "fallback")
    assert "(n=20 to 60)" in text.base


def test_rates_by_group_leave_the_bases_to_the_chart() -> None:
    """Achievement by group writes each group's base beside its dot; its base line names no
    range, which would count the groups the chart leaves out too."""
    table = pd.DataFrame(
        {
            "aim": ["access", "access"],
            "age_band": ["under_1y", "over_2y"],
            "estimate": [0.10, 0.30],
            "n": [20, 60],
            "suppressed": [False, False],
        }
    )
    table.attrs.update(wave=2017, instrument="gp")
    text = chart_text("fully_by_age_band", table, "fallback")
    assert text.base == (
        "Collaborations that set the aim, by time since forming, GP practice staff survey 2017"
    )


def test_differing_aims_are_those_with_a_significant_pair() -> None:
    """Holm over the five aims of SIZE_P (worked above): access, community, sustainability and
    staff stay below 0.05, efficiency (0.9) does not; the chart marks the four, in the
    table's order. With no tests, or none significant, nothing is marked."""
    table = two_groups("size_group", SIZE_GROUPS, SIZE_SHARES, SIZE_P)
    assert differing_aims(table) == ["access", "community", "sustainability", "staff"]
    # and the cells to set in bold: both groups of each of the four
    assert sorted(differing_cells(table)) == sorted(
        (group, aim)
        for aim in ("access", "community", "sustainability", "staff")
        for group in SIZE_GROUPS
    )
    none = two_groups("size_group", SIZE_GROUPS, SIZE_SHARES, dict.fromkeys(SIZE_P, 0.5))
    assert differing_aims(none) == []
    untested = table.copy()
    untested.attrs = {k: v for k, v in table.attrs.items() if k != "differences"}
    assert differing_aims(untested) == []


def stp_change_table(ccg: list[float], ccg_hidden: tuple[str, ...] = ()) -> pd.DataFrame:
    """GP answers 24/40/18/2/16% and the given CCG shares, of the stp_change scale."""
    options = ["very_improbable", "improbable", "probable", "very_probable", "dont_know"]
    gp = [0.24, 0.40, 0.18, 0.02, 0.16]
    rows = [
        {"instrument": inst, "option": o, "estimate": e, "n": n, "suppressed": False}
        for inst, shares, n in (("gp", gp, 565), ("ccg", ccg, 51))
        for o, e in zip(options, shares, strict=True)
    ]
    table = pd.DataFrame(rows)
    hide = (table["instrument"] == "ccg") & table["option"].isin(ccg_hidden)
    table.loc[hide, ["estimate", "suppressed"]] = [np.nan, True]
    table.attrs.update(wave=2017)
    return table


def test_likert_title_gives_one_message_the_practices_view() -> None:
    """GP: 24 + 40 = 64% on the negative side. The title gives that one message, whatever the
    CCG bar beside it shows (its majority on the other side, 61 + 0 = 61%, or on the same,
    27 + 40 = 67%): the chart shows both bars, and a title with both read as two messages
    and as a contrast no test stands behind."""
    for ccg, hidden in (
        ([0.02, 0.27, 0.61, 0.0, 0.10], ("very_improbable",)),
        ([0.27, 0.40, 0.20, 0.03, 0.10], ()),
    ):
        text = chart_text("stp_change", stp_change_table(ccg, hidden), "")
        assert text.title == "64% of practices doubted their STP would bring meaningful change"
        assert "CCG" not in text.title


def test_prevalence_note_says_when_formal_and_informal_do_not_compare() -> None:
    """2015: 37 + 26 + 10 (both) = 73%; 2017: 51 + 30 = 81%, no "both". The formal and
    informal rows then mean different things in the two waves; the note says so. With "both"
    counted in each wave, it says nothing of the kind."""
    rows = []
    for wave, formal, informal, both, total in (
        (2015, 0.37, 0.26, 0.10, 0.73),
        (2017, 0.51, 0.30, 0.0, 0.81),
    ):
        for membership, estimate in (
            ("formal", formal),
            ("informal", informal),
            ("both", both),
            ("in_collaboration", total),
        ):
            rows.append({"wave": wave, "membership": membership, "estimate": estimate, "n": 500})
    table = pd.DataFrame(rows)
    note = chart_text("prevalence", table, "").note
    assert "The formal and informal rows do not compare across waves (2017 has no “both”)" in note
    # the chart writes those two rows' shares apart, not as a change
    assert uncompared_rows(table) == ["formal", "informal"]
    both_waves = table.copy()
    both_waves.loc[
        (both_waves["wave"] == 2017) & (both_waves["membership"] == "both"), "estimate"
    ] = 0.05
    both_waves.loc[
        (both_waves["wave"] == 2017) & (both_waves["membership"] == "formal"), "estimate"
    ] = 0.46
    assert "do not compare" not in chart_text("prevalence", both_waves, "").note
    assert uncompared_rows(both_waves) == []


def test_wave_changes_are_tested_and_holm_adjusted() -> None:
    """Two answers tested between 2015 and 2017: p = 0.018 and 0.02. Holm over the two:
    0.018 x 2 = 0.036 and max(0.036, 0.02 x 1) = 0.036, both below 0.05, so both changes are
    significant; over six answers (four more at p = 0.5) 0.018 x 6 = 0.108 is not. An answer
    hidden in a wave is not tested."""
    rows = []
    for wave, shares in ((2015, (0.55, 0.45)), (2017, (0.75, 0.65))):
        for option, estimate in zip(("financial", "expert_advice"), shares, strict=True):
            rows.append({"wave": wave, "option": option, "estimate": estimate, "n": 60})
    table = pd.DataFrame(rows)
    table.attrs["wave_changes"] = pd.DataFrame(
        {
            "option": ["financial", "expert_advice"],
            "difference": [0.20, 0.20],
            "ci_low": [0.03, 0.03],
            "ci_high": [0.35, 0.37],
            "p_value": [0.018, 0.02],
        }
    )
    assert changed_options(table) == ["financial", "expert_advice"]
    text = chart_text("ccg_support", table, "")
    assert text.title == (
        "75% of CCG respondents said their CCG gave “financial support” in 2017, up from 55% "
        "in 2015"
    )
    assert "Holm-adjusted over 2 answers: 2 significant; the largest +20 points" in text.method
    more = [f"option_{i}" for i in range(4)]
    extra = pd.DataFrame(
        [{"wave": w, "option": o, "estimate": 0.3, "n": 60} for w in (2015, 2017) for o in more]
    )
    wide = pd.concat([table, extra], ignore_index=True)
    wide.attrs["wave_changes"] = pd.concat(
        [
            table.attrs["wave_changes"],
            pd.DataFrame(
                {"option": more, "difference": 0.0, "ci_low": -0.1, "ci_high": 0.1, "p_value": 0.5}
            ),
        ],
        ignore_index=True,
    )
    assert changed_options(wide) == []
    # tests came and found no change: that is the title (two dots a row apart would invite a
    # story of change), not the top share, which the chart shows
    text = chart_text("ccg_support", wide, "")
    assert text.title == "No clear change from 2015 to 2017 in the support CCGs gave collaboration"
    assert text.note.endswith("None of the changes between the waves is significant.")
    untested = wide.copy()
    untested.attrs = {}
    assert chart_text("ccg_support", untested, "").title.endswith("in 2017")
    hidden = table[~((table["wave"] == 2015) & (table["option"] == "expert_advice"))]
    hidden.attrs = dict(table.attrs)
    assert changed_options(hidden) == ["financial"]  # one test left: 0.018 < 0.05
