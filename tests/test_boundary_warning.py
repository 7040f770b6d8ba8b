"""When a BoundaryWarning fires: estimates a reader takes at face value, once per call.

The data are built by hand, so which estimates are exactly 0 or 1, their bases, and which
answers nobody chose are known from the construction.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import gpcollab
from conftest import make_survey
from gpcollab.estimate import BoundaryWarning, estimate_proportions
from gpcollab.estimate_table import BOUNDARY_WARN_MIN_N


def _frame(groups: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Rows of (g, y) with y a categorical of a, b, c; counts per group as given."""
    rows = [(g, y) for g, counts in groups.items() for y, k in counts.items() for _ in range(k)]
    frame = pd.DataFrame(rows, columns=["g", "y"])
    frame["y"] = pd.Categorical(frame["y"], categories=["a", "b", "c"])
    return frame


def _boundary_warnings(call: object) -> tuple[object, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()  # type: ignore[operator]
    return result, [w for w in caught if issubclass(w.category, BoundaryWarning)]


def test_the_threshold_is_thirty() -> None:
    assert BOUNDARY_WARN_MIN_N == 30


def test_answer_nobody_chose_does_not_warn() -> None:
    frame = _frame({"x": {"a": 25, "b": 15}})  # "c" is chosen by nobody: 0 of 40
    table, caught = _boundary_warnings(lambda: estimate_proportions(frame, "y"))
    assert caught == []
    assert table.set_index("y").loc["c", "boundary"]  # still marked, with an exact interval
    assert table.set_index("y").loc["c", "ci_high"] > 0


def test_read_estimate_at_the_boundary_warns_once_naming_it() -> None:
    # group x: 35 rows, all "a" (a = 1, b = 0 while b is chosen in y); group y: 5 a, 5 b
    frame = _frame({"x": {"a": 35}, "y": {"a": 5, "b": 5}})
    table, caught = _boundary_warnings(lambda: estimate_proportions(frame, "y", by="g"))
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("2 estimated proportion(s) of `y`")  # x: a = 1 and b = 0
    assert "(first: g='x', y='a': 35 of 35)" in message
    assert 'warnings.filterwarnings("ignore", category=gpcollab.BoundaryWarning)' in message
    # c (nobody) is boundary in both groups too, but not counted in the warning
    assert int(table["boundary"].sum()) == 4


def test_small_base_does_not_warn() -> None:
    frame = _frame({"x": {"a": BOUNDARY_WARN_MIN_N - 1}, "y": {"a": 5, "b": 5}})
    table, caught = _boundary_warnings(lambda: estimate_proportions(frame, "y", by="g"))
    assert caught == []
    x = table[table["g"] == "x"].set_index("y")
    assert x.loc["a", "estimate"] == 1.0 and x.loc["a", "boundary"]


def test_quickstart_prevalence_is_quiet() -> None:
    """The first call of the README: 'both' and "don't know" were chosen by nobody."""
    survey = gpcollab.load_survey(2017, "gp")
    table, caught = _boundary_warnings(lambda: gpcollab.prevalence(survey))
    assert caught == []
    zero = table.set_index("membership").loc[["both", "dont_know"]]
    assert (zero["count"] == 0).all() and zero["boundary"].all()


def test_analysis_warns_once_per_call_with_its_name() -> None:
    rows = [dict(membership="formal", size_band="100k_250k") for _ in range(40)]
    rows += [dict(membership="informal", size_band="under_30k") for _ in range(3)]
    survey = make_survey(rows)
    # by size: the 40 in 100k_250k are all formal (a read 1 and a read 0 for informal)
    _, caught = _boundary_warnings(lambda: gpcollab.prevalence(survey, by="size_band"))
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("prevalence: ")
    assert "size_band='100k_250k'" in message and "_gpcollab" not in message
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=gpcollab.BoundaryWarning)
        gpcollab.prevalence(survey, by="size_band")  # silenced as documented: no error


@pytest.mark.parametrize("aim", ["access", "staff", "integration"])
def test_achievement_rates_by_size_warns_only_for_large_bases(aim: str) -> None:
    survey = gpcollab.load_survey(2017, "gp")
    table, caught = _boundary_warnings(
        lambda: gpcollab.achievement_rates(survey, by="size_band", aims=[aim])
    )
    seen = table.groupby("outcome", observed=True)["count"].transform("sum") > 0
    read = table["boundary"] & (table["n"] >= BOUNDARY_WARN_MIN_N) & seen
    assert len(caught) == int(read.any())
