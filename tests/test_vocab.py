"""Tests of the answer-set enums."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from gpcollab import vocab
from gpcollab.vocab import Achievement, AgeBand, Aim, Choice, Membership, SizeBand, Wave

ENUMS = [
    getattr(vocab, name)
    for name in vocab.__all__
    if isinstance(getattr(vocab, name), type)
    and issubclass(getattr(vocab, name), Choice)
    and getattr(vocab, name) is not Choice
]


def test_every_answer_set_named_in_the_issue_exists() -> None:
    names = {e.__name__ for e in ENUMS}
    wanted = {
        "Wave", "Instrument", "Role", "Region", "Membership", "CollaborationForm", "LegalForm",
        "SizeBand", "AgeBand", "Level", "Aim", "Achievement", "FundingSource", "Barrier",
        "Influence", "Likelihood", "ContractWillingness", "CCGSupport",
    }  # fmt: skip
    assert wanted <= names


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_members_have_unique_machine_values_and_labels(enum: type[Choice]) -> None:
    values = enum.values()
    assert len(values) == len(set(values))
    labels = list(enum.labels().values())
    assert all(isinstance(label, str) and label for label in labels)
    assert len(labels) == len(set(labels))
    for value in values:  # machine values are stable identifiers, not prose
        assert value == value.strip()
        assert " " not in value


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_dtype_is_ordered_categorical_in_declaration_order(enum: type[Choice]) -> None:
    dtype = enum.dtype()
    assert isinstance(dtype, pd.CategoricalDtype)
    assert dtype.ordered
    assert list(dtype.categories) == [member.value for member in enum]
    assert [member.order for member in enum] == list(range(len(enum)))


def test_ordinal_flags() -> None:
    ordinal = {e.__name__ for e in ENUMS if e.ordinal}
    assert ordinal == {
        "SizeBand", "AgeBand", "Level", "Achievement", "Influence", "Likelihood",
        "ContractWillingness", "PracticeShare",
    }  # fmt: skip


def test_member_is_its_machine_value() -> None:
    assert Aim.ACCESS == "access"
    assert str(Aim.ACCESS) == "access"
    assert f"{Membership.FORMAL}" == "formal"


def test_parse_is_lenient_about_case_spacing_and_dashes() -> None:
    assert Achievement.parse("  FULLY   achieved ") is Achievement.FULLY
    assert Achievement.parse("fully") is Achievement.FULLY
    assert SizeBand.parse("30,000\u201349,999") is SizeBand.FROM_30K
    assert Achievement.parse("Don\u2019t know") is Achievement.DONT_KNOW
    assert Wave.of(2017) is Wave.Y2017


def test_parse_rejects_unknown_text_listing_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"'mostly' is not a valid Achievement; allowed: 'fully'"):
        Achievement.parse("mostly")


def test_size_band_edges_tile_the_line_and_put_published_thresholds_on_edges() -> None:
    edges = [band.edges for band in SizeBand]
    assert edges[0][0] == 0
    assert all(upper == lower for (_, upper), (lower, _) in itertools.pairwise(edges))
    assert edges[-1][1] == float("inf")
    cut_points = {lower for lower, _ in edges}
    assert {30_000, 50_000, 100_000} <= cut_points  # PCN scale, 2015 and 2017 splits


def test_age_band_edges() -> None:
    assert [band.edges for band in AgeBand] == [(0, 1), (1, 2), (2, float("inf"))]


def test_achievement_substantive_and_collaborating_membership() -> None:
    assert [a.value for a in Achievement if a.substantive] == [
        "fully",
        "partially",
        "not_achieved",
    ]
    assert {m.value for m in Membership.collaborating()} == {"formal", "informal", "both"}


def test_size_band_bin_puts_each_edge_in_the_band_above() -> None:
    # the bands printed on the questionnaire: under 30,000; 30,000-49,999; 50,000-99,999;
    # 100,000-249,999; 250,000 or more
    patients = [0, 29_999, 30_000, 49_999, 50_000, 99_999.5, 100_000, 249_999, 250_000, 3e6]
    expected = ["under_30k", "under_30k", "30k_50k", "30k_50k", "50k_100k", "50k_100k"]
    expected += ["100k_250k", "100k_250k", "over_250k", "over_250k"]
    bands = SizeBand.bin(patients)
    assert list(bands) == expected
    assert bands.dtype == SizeBand.dtype()


def test_size_band_bin_leaves_unusable_numbers_without_a_band() -> None:
    bands = SizeBand.bin(pd.Series([None, -5, "n/a", 12_000]))
    assert bands.isna().tolist() == [True, True, True, False]
