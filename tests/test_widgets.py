"""The interactive what-if: its plain functions and the widget's callbacks, without a browser."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import gpcollab
from gpcollab.errors import ArgumentError
from gpcollab.presentation import suppression_note
from gpcollab.schema import SYNTHETIC_NOTICE
from gpcollab.widgets import WhatIf, size_mix, whatif_widget

LOWER = {"under_30k": 0, "30k_50k": 30_000, "50k_100k": 50_000, "100k_250k": 100_000}
LOWER["over_250k"] = 250_000


@pytest.fixture(scope="module")
def gp17() -> gpcollab.SurveyData:
    return gpcollab.load_survey(2017, "gp")


@pytest.fixture(scope="module")
def whatif(gp17: gpcollab.SurveyData) -> WhatIf:
    return WhatIf(gp17, n_boot=100)


def _access_base(survey: gpcollab.SurveyData) -> pd.DataFrame:
    """Respondents who set access with an outcome in the default base, counted with pandas."""
    aims = survey.aims
    assert aims is not None
    access = aims[(aims["aim"] == "access") & ~aims["outcome"].isin(["too_early", "dont_know"])]
    return access.merge(survey.respondents, on="respondent_id")


def _staff_base(survey: gpcollab.SurveyData) -> pd.DataFrame:
    """Respondents who set the staff aim with an outcome in the default base."""
    aims = survey.aims
    assert aims is not None
    staff = aims[(aims["aim"] == "staff") & ~aims["outcome"].isin(["too_early", "dont_know"])]
    return staff.merge(survey.respondents, on="respondent_id").dropna(subset=["size_band"])


def test_size_mix_by_hand() -> None:
    bands = pd.Series(["under_30k"] * 2 + ["30k_50k"] * 6 + ["100k_250k"] * 3 + ["over_250k"])
    mix = size_mix(bands, 100_000, 0.25)
    # below 100,000: 2 and 6 of 8 share 0.75; at or above: 3 and 1 of 4 share 0.25
    assert mix == pytest.approx(
        {"under_30k": 0.1875, "30k_50k": 0.5625, "100k_250k": 0.1875, "over_250k": 0.0625}
    )
    everyone_small = size_mix(bands, 250_000, 0.0)
    assert set(everyone_small) == {"under_30k", "30k_50k", "100k_250k"}
    assert sum(everyone_small.values()) == pytest.approx(1.0)
    empty_side = size_mix(pd.Series(["under_30k"]), 250_000, 1.0)
    assert empty_side == {"over_250k": 1.0}
    with pytest.raises(ArgumentError, match="one of"):
        size_mix(bands, 75_000, 0.5)
    with pytest.raises(ArgumentError, match="from 0 to 1"):
        size_mix(bands, 100_000, 1.5)


def test_breakdown_counted_by_hand(gp17: gpcollab.SurveyData, whatif: WhatIf) -> None:
    base = _access_base(gp17).dropna(subset=["size_band"])
    above = base["size_band"].astype(str).map(LOWER) >= 50_000
    result = whatif.compute("access", threshold=50_000, share_above=0.5)
    table = result.breakdown.set_index("size_group")
    for label, side in (("under 50,000", ~above), ("50,000 or more", above)):
        rows = base[side]
        assert table.loc[label, "n"] == len(rows)
        assert table.loc[label, "estimate"] == pytest.approx((rows["outcome"] == "fully").mean())


def test_standardised_observed_row_is_the_observed_rate(
    gp17: gpcollab.SurveyData, whatif: WhatIf
) -> None:
    base = _access_base(gp17).dropna(subset=["size_band", "age_band", "level"])
    result = whatif.compute("access", threshold=100_000, share_above=0.8)
    table = result.standardised.set_index("scenario")
    assert list(table.index) == ["observed", "80% at 100,000 or more"]
    assert table.loc["observed", "n"] == len(base)
    assert table.loc["observed", "estimate"] == pytest.approx((base["outcome"] == "fully").mean())
    low, high = table.loc["80% at 100,000 or more", ["ci_low", "ci_high"]]
    assert 0 <= low <= table.loc["80% at 100,000 or more", "estimate"] <= high <= 1


def test_share_one_above_the_top_edge_is_everyone_in_the_top_band(
    gp17: gpcollab.SurveyData, whatif: WhatIf
) -> None:
    result = whatif.compute("access", threshold=250_000, share_above=1.0)
    model, _ = whatif.model("access")
    direct = gpcollab.standardise(
        gp17, "access", gpcollab.Scenario("top", set={"size_band": "over_250k"}), model=model,
        n_boot=0,
    )  # fmt: skip
    assert result.standardised["estimate"].iloc[1] == pytest.approx(direct["estimate"].iloc[1])


def test_html_view_and_errors(whatif: WhatIf) -> None:
    result = whatif.compute("staff", threshold=100_000, share_above=0.5)
    html = result.to_html()
    assert "Fully achieved: Staff experience" in html
    assert "cut at 100,000" in html and "under 100,000" in html
    assert SYNTHETIC_NOTICE in html
    # the staff model's note, in words
    assert "Note: Time since the collaboration formed is entered as an ordered score" in html
    with pytest.raises(ArgumentError, match="`aim` must be one of"):
        whatif.compute("world_peace", 100_000, 0.5)


def test_widget_callbacks_update_the_output(gp17: gpcollab.SurveyData) -> None:
    pytest.importorskip("ipywidgets", reason="the widget needs the notebooks extra")
    box = whatif_widget(gp17, aims=["access", "staff"], n_boot=50)
    aim, threshold, share, output = box.children
    assert box.result.aim == "access" and box.result.threshold == 100_000
    # the slider starts at the observed share at or above 100,000 (counted by hand)
    base = _access_base(gp17).dropna(subset=["size_band", "age_band", "level"])
    observed = (base["size_band"].astype(str).map(LOWER) >= 100_000).mean()
    assert share.value == pytest.approx(round(observed, 2))
    threshold.value = 30_000
    assert box.result.threshold == 30_000 and "cut at 30,000" in output.value
    share.value = 0.25
    assert box.result.share_above == 0.25 and "25% at 30,000 or more" in output.value
    aim.value = "staff"
    assert box.result.aim == "staff" and "Staff experience" in output.value
    with pytest.raises(ArgumentError, match="`aims` must be among"):
        whatif_widget(gp17, aims=["nope"])


def _row_cells(html: str, first_cell: str) -> list[str]:
    """The text cells of the table row whose first cell is ``first_cell``."""
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", html, flags=re.S):
        cells = [c.strip() for c in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", row, re.S)]
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in the widget's tables")


def test_html_hides_a_small_cell_as_the_report_does(
    gp17: gpcollab.SurveyData, whatif: WhatIf
) -> None:
    # staff, cut at 250,000: counted here, 1 of the 11 respondents at 250,000 or more fully
    # achieved it, a count under the threshold of 5, so its share is hidden
    base = _staff_base(gp17)
    top = base[base["size_band"].astype(str) == "over_250k"]
    assert (len(top), int((top["outcome"] == "fully").sum())) == (11, 1)
    html = whatif.compute("staff", threshold=250_000, share_above=0.5).to_html()
    assert _row_cells(html, "250,000 or more") == ["250,000 or more", "[c]", "11"]
    assert suppression_note(5) in html  # the report's words, with its threshold
    assert 'data-suppression-min-n="5"' in html
    shown = _row_cells(html, "under 250,000")[1]
    assert shown.endswith(")") and "%" in shown  # the large group keeps its estimate


def test_html_hides_the_cell_that_would_reveal_a_small_one(
    gp17: gpcollab.SurveyData, whatif: WhatIf
) -> None:
    # access, cut at 30,000: under 30,000, 5 fully, 7 partially and 3 not achieved (of 15).
    # "Not achieved" (3) is hidden; the smallest other cell of the group, "fully" (5), is
    # hidden too, or 15 - 5 - 7 would give it back. The widget shows only "fully": [c].
    base = _access_base(gp17).dropna(subset=["size_band"])
    small = base[base["size_band"].astype(str) == "under_30k"]
    counts = small["outcome"].astype(str).value_counts().to_dict()
    assert counts == {"partially": 7, "fully": 5, "not_achieved": 3}
    html = whatif.compute("access", threshold=30_000, share_above=0.5).to_html()
    assert _row_cells(html, "under 30,000") == ["under 30,000", "[c]", "15"]
    # the same cell when the widget's threshold is switched off: 5 of 15
    unsafe = WhatIf(gp17, n_boot=20, min_n=0).compute("access", 30_000, 0.5).to_html()
    assert _row_cells(unsafe, "under 30,000")[1].startswith("33% (")


def test_result_renders_itself_and_min_n_is_checked(
    gp17: gpcollab.SurveyData, whatif: WhatIf
) -> None:
    result = whatif.compute("staff", threshold=250_000, share_above=0.5)
    styler_ids = re.compile(r"T_[0-9a-f]{5}")  # each rendering names its tables anew
    shown = styler_ids.sub("T_", result._repr_html_())
    assert shown == styler_ids.sub("T_", result.to_html())
    assert "[c]" in shown
    with pytest.raises(ArgumentError, match="`min_n` must be a whole number"):
        WhatIf(gp17, min_n=-1)
