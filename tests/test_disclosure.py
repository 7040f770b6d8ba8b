"""Tests of gpcollab.disclosure.suppress."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import make_survey
from gpcollab import analysis as A
from gpcollab.disclosure import suppress
from gpcollab.errors import ArgumentError


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "domain": ["a", "a", "a", "b", "b", "b"],
            "option": ["x", "y", "z"] * 2,
            "n": [40, 40, 40, 3, 3, 3],
            "count": [2, 10, 28, 1, 2, 0],
            "estimate": [0.05, 0.25, 0.70, 1 / 3, 2 / 3, 0.0],
            "se": [0.03, 0.07, 0.07, 0.3, 0.3, 0.0],
        }
    )


def test_primary_only_without_groups() -> None:
    out = suppress(_table())
    # small count (2 < 5) and the whole small domain (n = 3) are masked
    assert out["suppressed"].tolist() == [True, False, False, True, True, True]
    assert out.loc[0, ["estimate", "se"]].isna().all()
    assert out["count"].dtype == "Int64" and out["count"].isna().sum() == 4
    assert out.loc[1, "estimate"] == 0.25
    assert out.attrs["suppression"] == {
        "min_n": 5, "primary": 4, "secondary": 0, "mask_zeros": False
    }  # fmt: skip
    assert "suppressed" not in _table().columns  # input untouched


def test_secondary_within_group() -> None:
    out = suppress(_table(), group_columns=["domain"])
    # domain a: x masked; y (next smallest count) masked too, so x cannot be derived
    assert out["suppressed"].tolist() == [True, True, False, True, True, True]
    assert out.attrs["suppression"]["secondary"] == 1


def test_zeros_and_threshold() -> None:
    table = _table().assign(n=40)
    out = suppress(table, group_columns=["domain"])
    assert not out.loc[5, "suppressed"]  # a zero reveals nobody
    assert suppress(table, group_columns=["domain"], mask_zeros=True).loc[5, "suppressed"]
    assert not suppress(table, min_n=0)["suppressed"].any()
    with pytest.raises(ArgumentError, match="`min_n` must be"):
        suppress(table, min_n=-1)
    with pytest.raises(ArgumentError, match="`group_columns` names"):
        suppress(table, group_columns=["nope"])


def test_uses_hint_of_analysis_tables() -> None:
    rows = [
        dict(membership="formal", aims={"access": outcome})
        for outcome in ["fully"] * 2 + ["partially"] * 8 + ["not_achieved"] * 10
    ]
    rates = A.achievement_rates(make_survey(rows), aims="access")
    out = suppress(rates)
    # fully (2) is primary; partially (8, next smallest) is masked so it cannot be derived
    assert out["suppressed"].tolist() == [True, True, False]
    assert out.attrs["analysis"] == "achievement_rates"


def test_prevalence_subtotal() -> None:
    rows = [dict(membership="formal")] * 10 + [dict(membership="informal")] * 8
    rows += [dict(membership="both")] * 2 + [dict(membership="none")] * 10
    rows += [dict(membership="dont_know")] * 6
    table = A.prevalence(make_survey(rows, items=("membership",)))
    out = suppress(table).set_index("membership")
    # "both" (2) is primary. In the answer set, the next smallest (dont_know, 6) goes too;
    # in_collaboration = formal + informal + both would reveal it, so one more of that set goes
    assert out.loc["both", "suppressed"] and out.loc["dont_know", "suppressed"]
    assert int(out.loc[["formal", "informal", "in_collaboration"], "suppressed"].sum()) >= 1
    assert np.isnan(out.loc["both", "estimate"])


def test_a_comparison_row_is_hidden_when_either_side_is_small() -> None:
    # compare_waves' columns: the second wave's count is 3 (< 5), so its share is hidden, and
    # with it the first wave's share and the difference, which would give it back
    table = pd.DataFrame(
        {
            "option": ["formal", "informal"],
            "n_first": [40, 40],
            "n_second": [30, 30],
            "count_first": [10, 20],
            "count_second": [3, 12],
            "estimate_first": [0.25, 0.5],
            "estimate_second": [0.1, 0.4],
            "ci_low_first": [0.13, 0.35],
            "ci_high_first": [0.4, 0.65],
            "difference": [-0.15, -0.1],
            "se": [0.09, 0.12],
            "n_eff_first": [38.0, 39.0],
        }
    )
    out = suppress(table)
    assert out["suppressed"].tolist() == [True, False]
    hidden = ["estimate_first", "estimate_second", "ci_low_first", "ci_high_first"]
    hidden += ["difference", "se", "n_eff_first"]
    assert out.loc[0, hidden].isna().all()
    assert out.loc[0, ["count_first", "count_second"]].isna().all()
    assert out.loc[1, hidden].tolist() == [0.5, 0.4, 0.35, 0.65, -0.1, 0.12, 39.0]
    assert out[["n_first", "n_second"]].values.tolist() == [[40, 30], [40, 30]]  # bases kept
    assert out["count_second"].dtype == "Int64"
    # a base under the threshold on one side hides the row too
    small = suppress(table.assign(n_first=[40, 4]), group_columns=None)
    assert small["suppressed"].tolist() == [True, True]


def test_suppressing_twice_keeps_what_the_first_pass_hid() -> None:
    once = suppress(_table(), min_n=5)
    # the second pass sees missing counts where the first hid them: the rows stay hidden
    twice = suppress(once, min_n=5)
    assert twice["suppressed"].tolist() == once["suppressed"].tolist()
    assert twice["suppressed"].tolist() == [True, False, False, True, True, True]
    assert twice.attrs["suppression"]["min_n"] == 5
    assert twice.attrs["suppression"]["primary"] == once.attrs["suppression"]["primary"]
    # a lower threshold the second time cannot show what the first one hid
    assert suppress(once, min_n=2).attrs["suppression"]["min_n"] == 5
    assert suppress(once, min_n=2)["suppressed"].tolist()[:4] == [True, False, False, True]


def test_complementary_cells_of_a_comparison_without_a_plain_estimate() -> None:
    # two weightings of one answer set, side by side (estimate_unweighted, estimate_weighted);
    # the hint says the options add up: "y" has 3 respondents, so the smallest other share of
    # the first side ("x", 0.2) is hidden too
    table = pd.DataFrame(
        {
            "option": ["x", "y", "z"],
            "n_unweighted": [50, 3, 50],
            "estimate_unweighted": [0.2, 0.03, 0.77],
            "estimate_weighted": [0.25, 0.02, 0.73],
        }
    )
    table.attrs["disclosure"] = {"group_columns": [], "level_column": "option"}
    out = suppress(table)
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["estimate_weighted"].isna().tolist() == [True, True, False]
