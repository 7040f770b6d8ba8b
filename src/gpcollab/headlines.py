"""What the report says about its tables: finding-style chart titles, base lines, key findings.

A think-tank chart states its finding in the title ("81% of practices were in a collaboration
in 2017, up from 73%"), says under it whom the shares are of and when (the base), and gives how
it was tested and what to bear in mind in a note under the chart. The functions here compute
those sentences from the report's (already suppressed) tables, so they hold for any response
set: when the numbers do not support a statement (a cell is suppressed, a column is missing)
the title falls back to a plain description and nothing is claimed.

:func:`chart_text` gives (title, base line, note) for one report table; :func:`key_findings` the
headline figures for the box at the top of the page, each with its interval or base.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from gpcollab.schema import ITEMS
from gpcollab.vocab import Aim, Choice, Instrument, SizeBand

__all__ = [
    "AIM_SHORT_LABELS",
    "SIGNIFICANCE",
    "TITLE_CHARS",
    "ChartText",
    "KeyFinding",
    "changed_options",
    "chart_text",
    "differing_aims",
    "differing_cells",
    "holm",
    "key_findings",
    "supported_differences",
    "titled_aim",
    "titled_cells",
    "uncompared_rows",
]


@dataclass(frozen=True)
class ChartText:
    """Title, base line and note of one chart.

    Attributes
    ----------
    title : str
        The finding, as a sentence (or a plain description when none can be stated).
    base : str
        Who the percentages are of, their bases (n) and the survey and wave: short, as the
        subtitle above the chart (at most three lines on a phone).
    note : str
        What a reader must bear in mind, in plain words, for the footer of the chart itself
        (it travels with the image): what the base leaves out or keeps in and why, that
        several answers could be ticked, that estimates are weighted. Empty when there is
        nothing to add.
    method : str
        How the title's finding was tested or modelled (the design-based tests, Holm's
        adjustment, the largest difference with its interval; the model behind a what-if),
        for the text under the chart on the page rather than the image. Empty when the title
        rests on no test.
    """

    title: str
    base: str
    note: str = ""
    method: str = ""


@dataclass(frozen=True)
class KeyFinding:
    """One headline figure of the key-findings box.

    Attributes
    ----------
    label : str
        What is measured.
    value : str
        The figure (with its change, when two waves are compared).
    detail : str
        Its interval and base.
    anchor : str
        Key of the table it comes from (for a link).
    """

    label: str
    value: str
    detail: str
    anchor: str


def _pct(share: float) -> str:
    if 0 < share < 0.005:
        return "<1%"
    return f"{100 * share:.0f}%"


def _points(diff: float) -> str:
    return f"{100 * diff:+.0f} points"


def _rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows not hidden by disclosure control, with a usable estimate."""
    shown = table
    if "suppressed" in table:
        shown = table.loc[~table["suppressed"].astype(bool)]
    if "estimate" not in shown:
        return shown
    return shown.loc[pd.to_numeric(shown["estimate"], errors="coerce").notna()]


def _label(enum: type[Choice], value: object) -> str:
    return enum.labels().get(str(value), str(value))


def _waves(table: pd.DataFrame) -> str:
    wave = table.attrs.get("wave")
    waves = wave if isinstance(wave, list) else [wave]
    return " and ".join(dict.fromkeys(str(w) for w in waves if w is not None))


def _survey_words(table: pd.DataFrame) -> str:
    instrument = table.attrs.get("instrument")
    names = instrument if isinstance(instrument, list) else [instrument]
    labels = Instrument.labels()
    who = " and ".join(dict.fromkeys(labels.get(str(i), str(i)) for i in names if i is not None))
    waves = _waves(table)
    return f"{who} {waves}".strip()


def _weighted(table: pd.DataFrame) -> str:
    if {"weighted_n", "n"} <= set(table.columns):
        weighted = pd.to_numeric(table["weighted_n"], errors="coerce")
        n = pd.to_numeric(table["n"], errors="coerce")
        if bool(((weighted - n).abs() > 1e-6).any()):
            return "Weighted estimates; n is the unweighted base."
    return ""


def _bases(table: pd.DataFrame) -> str:
    """The range of the bases of the cells a chart draws: a hidden cell is no bar or dot, and
    its base, often the small one, is not quoted."""
    if "n" not in table:
        return ""
    n = pd.to_numeric(_rows(table)["n"], errors="coerce").dropna()
    if n.empty:
        return ""
    low, high = int(n.min()), int(n.max())
    return f"n={low:,}" if low == high else f"n={low:,} to {high:,}"


def _quoted(text: str) -> str:
    return f"“{text}”"


def _note(*sentences: str) -> str:
    """The sentences of a note, the empty ones left out."""
    return " ".join(part.strip() for part in sentences if part.strip())


def _who(who: str, table: pd.DataFrame, per: str = "", *, bases_given: bool = True) -> str:
    """A base line: ``who`` with the bases of ``table`` in brackets (``per``, as " per bar",
    after them; none when the chart writes each base beside its mark, ``bases_given=False``),
    then the survey and wave."""
    bases = _bases(table) if bases_given else ""
    survey = _survey_words(table)
    return who + (f" ({bases}{per})" if bases else "") + (f", {survey}" if survey else "")


# -- one function per kind of table ---------------------------------------------------------


def _prevalence(table: pd.DataFrame) -> ChartText:
    base = _who("All GP-practice respondents", table)
    note = ""  # the total's row label says what it counts: formal, informal or both
    rows = _rows(table)
    total = rows[rows["membership"].astype(str) == "in_collaboration"]
    if total.empty:
        return ChartText("Membership of a collaboration, by wave", base, note)
    by_wave = total.sort_values("wave")
    shares = [float(v) for v in by_wave["estimate"]]
    waves = [str(w) for w in by_wave["wave"]]
    if len(shares) == 1:
        title = f"{_pct(shares[0])} of practices were in a collaboration in {waves[0]}"
    else:
        verb = "up" if shares[-1] > shares[0] else "down" if shares[-1] < shares[0] else "as"
        title = (
            f"{_pct(shares[-1])} of practices were in a collaboration in {waves[-1]}, "
            f"{verb} from {_pct(shares[0])} in {waves[0]}"
        )
        note = _note(note, _kinds_not_comparable(table))
        return ChartText(title, base, note, _changes_note(table))
    return ChartText(title, base, note)


def _waves_splitting_kinds(table: pd.DataFrame) -> list[str]:
    """The waves of a membership table that split collaborations into formal and informal
    with no one in both (the two shares add up to the total), when another wave counts
    "both"; empty otherwise."""
    rows = _rows(table)
    if not {"wave", "membership", "estimate"} <= set(rows.columns):
        return []
    share: dict[tuple[str, str], float] = {
        (str(r["wave"]), str(r["membership"])): float(r["estimate"])
        for r in rows.to_dict(orient="records")
        if r["estimate"] == r["estimate"]
    }
    waves = sorted({w for w, _ in share})

    def split(wave: str) -> bool:
        parts = share.get((wave, "formal"), math.nan) + share.get((wave, "informal"), math.nan)
        return abs(parts - share.get((wave, "in_collaboration"), math.nan)) < 0.005

    with_both = [w for w in waves if share.get((w, "both"), 0.0) > 0 and not split(w)]
    without = [w for w in waves if split(w)]
    return without if with_both else []


def uncompared_rows(table: pd.DataFrame) -> list[str]:
    """The rows of a membership table (``prevalence``) whose shares do not compare across its
    waves: "formal" and "informal" when one wave counts those in both kinds apart ("both") and
    another splits them with no one in both (its two shares add up to the total), so that the
    two rows mean different things in the two waves; only the total compares. Empty otherwise.

    Parameters
    ----------
    table : pandas.DataFrame
        Shares of ``membership`` answers by ``wave`` (``estimate``; the total as
        ``in_collaboration``).

    Returns
    -------
    list of str
        Membership codes, for the chart to write without a change between the waves.
    """
    return ["formal", "informal"] if _waves_splitting_kinds(table) else []


def _kinds_not_comparable(table: pd.DataFrame) -> str:
    """A sentence for the note when the formal and informal rows do not compare across
    waves (:func:`uncompared_rows`); empty otherwise."""
    without = _waves_splitting_kinds(table)
    if not without:
        return ""
    return (
        f"The formal and informal rows do not compare across waves ({' and '.join(without)} "
        "has no “both”), so their shares stand apart (·); the total compares."
    )


def _aims_by_size(table: pd.DataFrame) -> ChartText:
    group, words = _group_column(table)
    # the report's chart: whatif.reband's two groups (size_group); a table by size_band too
    base = _who(f"Collaborating practices, {_by_line(group) or 'by size'}", table)
    if group is None:
        return ChartText(f"Share of collaborations choosing each aim, {words}", base)
    title, tested = _difference_title(table, group, words, ("chose", "choosing"))
    return ChartText(title, base, "Several aims could be chosen.", tested)


def _achievement(table: pd.DataFrame) -> ChartText:
    base = _who("Collaborations that set each aim", table)
    note = (
        "“Too early to say” stays in the base, as published, which lowers shares a little; "
        "“don’t know” is left out."
    )
    rows = _rows(table)
    fully = rows[rows["outcome"].astype(str) == "fully"]
    if len(fully) < 2:
        return ChartText("How far each aim was achieved", base, note)
    at = fully["estimate"].idxmax()
    top = fully.loc[at]
    others = fully.loc[fully.index != at, "estimate"].astype(float)
    # the top aim's share (the publication ranks it first, finding S-22) and the rest as a
    # range: levels, not a ranking ("most", "least") that no test of the gap supports
    title = (
        f"{_pct(float(top['estimate']))} fully achieved {_short_aim(str(top['aim']))}; other "
        f"aims {_pct(float(others.min()))} to {_pct(float(others.max()))}"
    )
    return ChartText(title, base, note)


_BY_WORDS: Mapping[str, str] = {
    "size_band": "by size",
    "size_group": "by size",  # whatif.reband's groups, e.g. under / over 100,000 patients
    "age_band": "by age",
    "level": "by level of operation",
    # a yes/no group: named by its two sides, not "by ... funding" (the fund's name ends in it)
    "funding": "with and without Access / Challenge Fund money",
}
"""How a title names the groups it compares, after "each aim"."""


_BASE_BY: Mapping[str, str] = {
    "size_band": "by registered patients covered",
    "size_group": "by registered patients covered",
    "age_band": "by time since forming",
    "level": "by the level they work at",
    "funding": "by GP Access Fund / Challenge Fund money",
}
"""What the groups of a chart are, for its base line: the chart names each group beside its
dots, and the base line says what they are groups of."""


def _by_line(group: str | None) -> str:
    """:data:`_BASE_BY` of a grouping column (empty for none)."""
    if group is None:
        return ""
    return next((words for name, words in _BASE_BY.items() if group.startswith(name)), "")


def _group_column(table: pd.DataFrame) -> tuple[str | None, str]:
    """The grouping column of an ``achievement_rates(by=...)`` table and its words."""
    for column in table.columns:
        for name, words in _BY_WORDS.items():
            if str(column).startswith(name):
                return str(column), words
    return None, "by group"


AIM_SHORT_LABELS: Mapping[str, str] = {
    Aim.ACCESS.value: "Access",
    Aim.SUSTAINABILITY.value: "Sustainability",
    Aim.COMMUNITY.value: "Services in the community",
    Aim.STAFF.value: "Staff experience",
    Aim.QUALITY.value: "Clinical quality",
    Aim.EFFICIENCY.value: "Efficiency",
    Aim.INTEGRATION.value: "Integration",
}
"""Short names of the aims, for titles and panels too narrow for the full label."""

SIGNIFICANCE = 0.05
"""Family-wise error rate of the tests behind a title (Holm's step-down adjustment)."""

# how a title names the collaborations of one group of an unordered grouping:
# "Collaborations <qualifier>" (ordered groups, by size or age, take _COMPARATIVES)
_QUALIFIERS: Mapping[str, Mapping[str, str]] = {
    "level": {
        "locality": "covering a locality",
        "single_ccg": "covering a whole CCG",
        "multi_ccg": "spanning several CCGs",
    },
    "funding": {"True": "with Access / Challenge Fund money", "False": "without such money"},
}


def _qualifier(group: str, value: object) -> str:
    for prefix, words in _QUALIFIERS.items():
        if group.startswith(prefix) and str(value) in words:
            return words[str(value)]
    return f"in “{value}”"


_COMPARATIVES: Mapping[str, tuple[str, str]] = {
    "size_band": ("Smaller", "Larger"),
    "size_group": ("Smaller", "Larger"),
    "age_band": ("Younger", "Older"),
}
"""How a title opens on the collaborations of one of two ordered groups: (the lower group in
the table's order, the higher). The chart names the groups beside their dots, so a title can
say "Older collaborations" where the guidance's ten words leave no room for the bands."""


def _comparatives(group: str) -> tuple[str, str] | None:
    """:data:`_COMPARATIVES` of ``group``'s column, or None when its groups have no order."""
    return next((pair for prefix, pair in _COMPARATIVES.items() if group.startswith(prefix)), None)


def _subject(group: str, value: object, lower: bool) -> str:
    """The collaborations of ``value`` as a title's subject: "Older collaborations" where the
    groups are ordered (``lower``: ``value`` comes first of the two compared in the table's
    order), else "Collaborations" and its :func:`_qualifier`."""
    pair = _comparatives(group)
    if pair is not None:
        return f"{pair[0] if lower else pair[1]} collaborations"
    return f"Collaborations {_qualifier(group, value)}"


def _second_mention(group: str, value: object, lower: bool) -> str:
    """The collaborations of ``value``, one of two groups, after the other was named:
    "smaller ones" where the groups are ordered (``lower``: the first in the table's order),
    else "those" and its :func:`_qualifier` ("those without such money")."""
    pair = _comparatives(group)
    if pair is not None:
        return f"{(pair[0] if lower else pair[1]).lower()} ones"
    return f"those {_qualifier(group, value)}"


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment of ``p_values`` (family-wise error rate).

    Parameters
    ----------
    p_values : sequence of float

    Returns
    -------
    list of float
        The adjusted p-values, in the input order: the i-th smallest times (m - i + 1), kept
        non-decreasing, at most 1.
    """
    m = len(p_values)
    adjusted = [1.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * float(p_values[index])))
        adjusted[index] = running
    return adjusted


def supported_differences(
    table: pd.DataFrame, differences: pd.DataFrame, group: str
) -> pd.DataFrame:
    """The differences between groups a chart of ``table`` may state.

    Parameters
    ----------
    table : pandas.DataFrame
        The chart's table after disclosure control: ``aim`` (optional), the ``group`` column,
        ``estimate`` and ``suppressed``.
    differences : pandas.DataFrame
        Design-based tests of every pair of groups (:func:`gpcollab.compare_domains`' shape:
        ``aim`` (optional), ``<group>_first``, ``<group>_second``, ``difference`` (second minus
        first), ``p_value``, ``ci_low``, ``ci_high``).
    group : str
        The grouping column.

    Returns
    -------
    pandas.DataFrame
        The pairs whose two cells are both shown in ``table`` (a hidden cell is never
        compared), with ``p_holm``, their p-values adjusted for every such pair (Holm), and
        ``significant`` (``p_holm`` below :data:`SIGNIFICANCE`). ``attrs["family"]`` is the
        number of pairs tested together.
    """
    # without their attrs: pandas deep-copies ``attrs`` into the result of every operation,
    # and a report table keeps its tests (tables) there
    table, differences = _bare(table), _bare(differences)
    shown = _rows(table)
    by_aim = "aim" in differences.columns and "aim" in shown.columns
    keys = {
        (str(row.get("aim", "")) if by_aim else "", str(row[group]))
        for row in shown.to_dict(orient="records")
    }
    rows = differences.reset_index(drop=True)
    aims = rows["aim"].astype(str) if by_aim else pd.Series([""] * len(rows))
    both = [
        (aim, str(first)) in keys and (aim, str(second)) in keys
        for aim, first, second in zip(
            aims, rows[f"{group}_first"], rows[f"{group}_second"], strict=True
        )
    ]
    return _adjusted(rows.loc[pd.Series(both)])


def _bare(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (not copied) without its ``attrs``."""
    bare = table.copy(deep=False)
    bare.attrs = {}
    return bare


def _adjusted(tests: pd.DataFrame) -> pd.DataFrame:
    """``tests`` with a p-value, with ``p_holm`` (Holm over them all) and ``significant``
    (``p_holm`` below :data:`SIGNIFICANCE`); ``attrs["family"]`` is how many were tested."""
    p = pd.to_numeric(tests["p_value"], errors="coerce")
    tested = tests.loc[p.notna()].reset_index(drop=True)
    tested["p_holm"] = holm(pd.to_numeric(tested["p_value"]).tolist())
    tested["significant"] = tested["p_holm"] < SIGNIFICANCE
    tested.attrs["family"] = len(tested)
    return tested


def _tested(table: pd.DataFrame, group: str) -> pd.DataFrame | None:
    """:func:`supported_differences` of the tests that came with ``table`` (in
    ``table.attrs["differences"]``), or None when none did."""
    differences = table.attrs.get("differences")
    if not isinstance(differences, pd.DataFrame) or differences.empty:
        return None
    return supported_differences(table, differences, group)


def _tested_changes(table: pd.DataFrame) -> pd.DataFrame | None:
    """The wave-to-wave tests that came with ``table`` (``attrs["wave_changes"]``, rows of
    :func:`gpcollab.compare_waves`) of the answers shown in both waves, with ``p_holm``
    (Holm over them) and ``significant``; None when no tests came."""
    changes = table.attrs.get("wave_changes")
    if not isinstance(changes, pd.DataFrame) or changes.empty or "option" not in changes:
        return None
    rows = _rows(table)
    column = "option" if "option" in rows.columns else "membership"
    if column not in rows.columns or "wave" not in rows.columns:
        return None
    waves = rows.groupby(rows[column].astype(str))["wave"].nunique()
    shown_in_both = waves.index[waves >= 2].astype(str)
    return _adjusted(changes[changes["option"].astype(str).isin(shown_in_both)])


def changed_options(table: pd.DataFrame) -> list[str]:
    """The answers whose share changed between the waves of ``table`` by a design-based test
    (:func:`gpcollab.compare_waves`, Holm-adjusted over the answers tested, those hidden in a
    wave left out), for the chart to mark; empty when no tests came with the table.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of several waves (``prevalence``, ``ccg_support``) with its tests in
        ``attrs["wave_changes"]``.

    Returns
    -------
    list of str
        Answer codes, in the order of the tests.
    """
    tested = _tested_changes(table)
    if tested is None:
        return []
    return [str(o) for o in tested.loc[tested["significant"], "option"]]


def _changes_note(table: pd.DataFrame) -> str:
    """The sentence on the wave-to-wave tests for a chart's note."""
    tested = _tested_changes(table)
    if tested is None or tested.empty:
        return ""
    clear = tested[tested["significant"]]
    family = len(tested)
    scope = (
        "Design-based test of the change"
        if family == 1
        else (f"Design-based tests of the change, Holm-adjusted over {family} answers")
    )
    if clear.empty:
        return f"{scope}: no change is significant."
    best = _largest_first(clear).iloc[0]
    lo, hi = sorted((float(best["ci_low"]), float(best["ci_high"])))
    size = (
        f"{100 * float(best['difference']):+.0f} points (95% CI {100 * lo:+.0f} to {100 * hi:+.0f})"
    )
    if family == 1:
        return f"{scope}: {size}, significant."
    return f"{scope}: {len(clear)} significant; the largest {size}."


def _aim_tests(table: pd.DataFrame) -> tuple[str, pd.DataFrame] | None:
    """The grouping column of a rates-by-group table and the tests of its pairs of groups
    within each aim (:func:`_tested`), or None when no tests by aim came with it."""
    group, _ = _group_column(table)
    tested = _tested(table, group) if group is not None else None
    if group is None or tested is None or "aim" not in tested.columns:
        return None
    return group, tested


def differing_aims(table: pd.DataFrame) -> list[str]:
    """The aims on which the groups of ``table`` differ by a design-based test (at least one
    pair of groups significant after Holm's adjustment over every pair tested), for the chart
    to mark; empty when no tests came with the table or none is significant.

    Parameters
    ----------
    table : pandas.DataFrame
        As for :func:`chart_text` with a ``fully_by_...`` or ``aims_by_size`` key.

    Returns
    -------
    list of str
        Aim codes, in the table's order.
    """
    clear = {aim for _, aim in differing_cells(table)}
    if not clear:
        return []
    return [a for a in dict.fromkeys(table["aim"].astype(str)) if a in clear]


def differing_cells(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The cells of every pair of groups that differ by a design-based test (Holm-adjusted
    over every pair tested), as (group, aim) pairs, for the chart to set in bold: the two a
    finding title compares among them; empty when no tests came with the table.

    Parameters
    ----------
    table : pandas.DataFrame
        As for :func:`chart_text` with a ``fully_by_...`` or ``aims_by_size`` key.

    Returns
    -------
    list of (str, str)
        Each cell once, in the order of the tests.
    """
    found = _aim_tests(table)
    if found is None:
        return []
    group, tested = found
    cells: dict[tuple[str, str], None] = {}
    for row in tested[tested["significant"]].to_dict(orient="records"):
        for side in ("first", "second"):
            cells[(str(row[f"{group}_{side}"]), str(row["aim"]))] = None
    return list(cells)


def titled_aim(table: pd.DataFrame) -> str | None:
    """The aim a finding title of ``table`` (a rates-by-group table with its tests) names:
    that of the largest difference a design-based test supports; None for a neutral title.

    Parameters
    ----------
    table : pandas.DataFrame
        As for :func:`chart_text` with a ``fully_by_...`` or ``aims_by_size`` key.

    Returns
    -------
    str or None
    """
    cells = titled_cells(table)
    return cells[0][1] if cells else None


def titled_cells(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The two cells a finding title of ``table`` compares, as (group, aim) pairs: those of
    the largest difference a design-based test supports; empty for a neutral title.

    Parameters
    ----------
    table : pandas.DataFrame
        As for :func:`chart_text` with a ``fully_by_...`` or ``aims_by_size`` key.

    Returns
    -------
    list of (str, str)
        The group of each side of the difference and the aim, e.g.
        ``[("30k_50k", "sustainability"), ("over_250k", "sustainability")]``.
    """
    found = _aim_tests(table)
    if found is None:
        return []
    group, tested = found
    clear = _largest_first(tested[tested["significant"]])
    if clear.empty:
        return []
    best = clear.iloc[0]
    aim = str(best["aim"])
    return [(str(best[f"{group}_first"]), aim), (str(best[f"{group}_second"]), aim)]


def _largest_first(differences: pd.DataFrame) -> pd.DataFrame:
    """``differences`` from the largest (in absolute value) to the smallest; ties keep their
    order."""
    size = pd.to_numeric(differences["difference"]).abs()
    return differences.loc[size.sort_values(ascending=False, kind="stable").index]


TITLE_CHARS = 100
"""Longest title that states a pattern of differences (a line and a half wide, four lines on
a phone): the aims that do not fit are left to the chart, which draws every aim and sets
those that differ in bold."""

_AIMS_PER_SIDE = 2
"""Most aims a title names on one side of a two-group contrast."""


def _listed(names: Sequence[str]) -> str:
    """Names joined as a sentence lists them: "a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _pattern_title(clear: pd.DataFrame, group: str, verb: str) -> str:
    """A title stating the differences of ``clear`` (supported differences between the same
    two groups, one per aim, largest first) in both directions: the side of the largest
    difference first, each side's aims by the size of their difference, at most
    :data:`_AIMS_PER_SIDE` a side and no more than fit in :data:`TITLE_CHARS`; a side
    with no supported difference is left out."""
    first, second = str(clear[f"{group}_first"].iloc[0]), str(clear[f"{group}_second"].iloc[0])
    higher = [second if float(d) > 0 else first for d in clear["difference"]]
    lead = higher[0]
    other = second if lead == first else first
    aims = [_short_aim(str(aim)) for aim in clear["aim"]]
    named: dict[str, list[str]] = {lead: [], other: []}

    def title() -> str:
        text = f"{_subject(group, lead, lead == first)} more often {verb} {_listed(named[lead])}"
        others = _second_mention(group, other, lower=other == first)
        if named[other]:
            return f"{text}; {others}, {_listed(named[other])}"
        return f"{text} than {others}"

    # the top aim of each side first (both directions), then the rest by size of difference
    tops = [higher.index(side) for side in (lead, other) if side in higher]
    closed: set[str] = set()
    for at in [*tops, *(i for i in range(len(aims)) if i not in tops)]:
        side = higher[at]
        if side in closed:
            continue
        named[side].append(aims[at])
        if at > 0 and (len(title()) > TITLE_CHARS or len(named[side]) > _AIMS_PER_SIDE):
            named[side].pop()  # an aim that does not fit, and the smaller ones after it
            closed.add(side)
    return title()


def _tests_sentence(clear: pd.DataFrame, family: int) -> str:
    """The note on the tests behind a finding title: how many were tested together, how many
    differ, and the largest difference with its interval (``clear``: the significant ones,
    largest first)."""
    best = clear.iloc[0]
    diff = abs(float(best["difference"]))
    # significant, so the interval lies on one side of zero: its ends as sizes of the gap
    lo, hi = sorted((abs(float(best["ci_low"])), abs(float(best["ci_high"]))))
    size = f"by {100 * diff:.0f} points (95% CI {100 * lo:.0f} to {100 * hi:.0f})"
    aim = _short_aim(str(best["aim"])) if "aim" in best.index else ""
    if len(clear) > 1:
        found = f"{len(clear)} differ significantly; the largest, {aim + ', ' if aim else ''}{size}"
    else:
        found = f"only {aim or 'one'} differs significantly, {size}"
    return f"Design-based tests, Holm-adjusted over {family} comparisons: {found}."


def _difference_title(
    table: pd.DataFrame, group: str, words: str, outcome: tuple[str, str]
) -> tuple[str, str]:
    """A title stating what design-based tests support (``outcome``: the verb, as "fully
    achieved", and its "-ing" form), with the sentence on the tests for the chart's note.

    Two groups differing on several aims: the pattern, in both directions
    (:func:`_pattern_title`). Otherwise the largest supported difference, with its two shares.
    A neutral title when none is supported; no sentence either when no tests came with the
    table (in ``table.attrs["differences"]``)."""
    verb, gerund = outcome
    neutral = f"Share of collaborations {gerund} each aim, {words}"
    tested = _tested(table, group)
    family = int(tested.attrs["family"]) if tested is not None else 0
    if tested is None or family == 0:
        return neutral, ""
    clear = tested[tested["significant"]]
    if clear.empty:  # the tests' finding: nothing stands out, among the aims tested
        aims = tested["aim"].nunique() if "aim" in tested else 0
        every = table["aim"].nunique() if "aim" in table else 0
        which = "any aim"
        if 0 < aims < every:  # aims with hidden groups were not compared: say how many were
            which = "the one aim compared" if aims == 1 else f"the {aims} aims compared"
        # a yes/no group ("with and without X money") reads "by funding" after the difference
        # (the base line names the fund)
        by = "by funding" if words.startswith("with and without ") else words
        compared = _groups_compared(tested, table, group)
        if compared:  # a group hidden in every aim was not compared: the title says so
            by = compared
        return f"No clear difference {by} in {gerund} {which}", (
            f"No difference between groups is significant (design-based tests, Holm-adjusted "
            f"over {family} comparisons)."
        )
    clear = _largest_first(clear)
    test = _tests_sentence(clear, family)
    if len(clear) > 1 and "aim" in clear.columns and _two_groups(tested, group):
        return _pattern_title(clear, group, verb), test
    best = clear.iloc[0]
    diff = float(best["difference"])
    high, low = ("second", "first") if diff > 0 else ("first", "second")
    high_share = float(best.get(f"estimate_{high}", math.nan))
    low_share = float(best.get(f"estimate_{low}", math.nan))
    aim = str(best["aim"]) if "aim" in best.index else ""
    aim_words = _short_aim(aim) if aim else "it"
    subject = _subject(group, best[f"{group}_{high}"], lower=high == "first")
    title = f"{subject} more often {verb} {aim_words}"
    if _comparatives(group) is None:  # no order to say it by: the other group named too
        title += f" than those {_qualifier(group, best[f'{group}_{low}'])}"
    if not (math.isnan(high_share) or math.isnan(low_share)):
        title += f" ({_pct(high_share)} vs {_pct(low_share)})"
    return title, test


_GROUP_NOUNS: Mapping[str, str] = {
    "size_band": "size bands",
    "size_group": "size groups",
    "age_band": "age bands",
    "level": "levels",
}
"""What a title calls several groups of a column, to say how many it compared."""


def _groups_compared(tested: pd.DataFrame, table: pd.DataFrame, group: str) -> str:
    """ "between the 2 levels compared" when the tests leave out some of ``table``'s groups
    (each of their cells hidden, or their pairs untested), else empty."""
    noun = next((n for name, n in _GROUP_NOUNS.items() if group.startswith(name)), None)
    if noun is None or group not in table:
        return ""
    values = pd.concat([tested[f"{group}_first"], tested[f"{group}_second"]]).astype(str)
    count = values.nunique()
    if count >= table[group].astype(str).nunique():
        return ""
    return f"between the {count} {noun} compared"


def _two_groups(tested: pd.DataFrame, group: str) -> bool:
    """Whether the groups compared in ``tested`` are two."""
    values = pd.concat([tested[f"{group}_first"], tested[f"{group}_second"]]).astype(str)
    return bool(values.nunique() == 2)


def _fully_by(table: pd.DataFrame) -> ChartText:
    group, words = _group_column(table)
    # the exclusions, which set these charts apart from the achievement chart, open the note:
    # in the base line they made it three lines on a phone
    # the chart writes each group's base beside its dot: a range here would also count the
    # groups and aims it leaves out
    by = _by_line(group)
    base = _who(
        f"Collaborations that set the aim{', ' + by if by else ''}", table, bases_given=False
    )
    excluded = (
        "“Too early to say” and “don’t know” are left out of the base, which lifts shares a little."
    )
    if group is None:
        return ChartText(f"Aims fully achieved, {words}", base, _note(excluded, _weighted(table)))
    title, tested = _difference_title(table, group, words, ("fully achieved", "fully achieving"))
    return ChartText(title, base, _note(excluded, _weighted(table)), tested)


_LIKERT_WORDS: Mapping[str, str] = {
    "stp_influence": "said they had little or no influence on their STP",
    "stp_change": "doubted their STP would bring meaningful change",
}

_DONT_KNOW_KEPT = "“Don’t know” is part of the base; its share is given as a figure, not drawn."


def _negative_share(part: pd.DataFrame, enum: type[Choice]) -> float | None:
    """The share answering on the negative half of ``enum``'s scale, or None when an answer
    of that half is missing or hidden."""
    substantive = [v for v in enum.values() if v != "dont_know"]
    side = substantive[: len(substantive) // 2]
    chosen = part[part["option"].astype(str).isin(side)]
    if len(chosen) != len(side) or ("suppressed" in chosen and chosen["suppressed"].any()):
        return None
    return float(pd.to_numeric(chosen["estimate"], errors="coerce").sum())


def _stp(item: str) -> Callable[[pd.DataFrame], ChartText]:
    """Title of an STP chart: one message, the practices' view (the report's subject) as the
    share on the negative side of the scale; the CCG bar beside it is read off the chart (a
    title carrying both read as two messages, and as a contrast no test stands behind)."""

    def describe(table: pd.DataFrame) -> ChartText:
        enum = ITEMS[item].choices
        base = f"All respondents of each survey, {_survey_words(table)}"
        note = _note(
            "STP: sustainability and transformation partnership.",
            _DONT_KNOW_KEPT,
            _weighted(table),
        )
        gp_rows = table[table["instrument"].astype(str) == "gp"]
        gp = _negative_share(gp_rows, enum) if not gp_rows.empty else None
        if gp is not None:
            words = _LIKERT_WORDS.get(item, "answered on the negative side")
            return ChartText(f"{_pct(gp)} of practices {words}", base, note)
        question = ITEMS[item].question
        joiner = " " if question.endswith("?") else ": "
        return ChartText(f"{question}{joiner}GP-practice and CCG respondents compared", base, note)

    return describe


def _willingness(table: pd.DataFrame) -> ChartText:
    enum = ITEMS["contract_willingness"].choices
    base = _who("GP partners", table)
    note = _note(_DONT_KNOW_KEPT, _weighted(table))
    unwilling = _negative_share(table, enum)
    if unwilling is None:
        return ChartText("Willingness of GP partners to give up the practice contract", base, note)
    title = f"{_pct(unwilling)} of GP partners were unwilling to give up the practice contract"
    return ChartText(title, base, note)


def _in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter lower case, unless it is an acronym."""
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def _top_option(
    item: str, who: str, verb: str, topic: str = ""
) -> Callable[[pd.DataFrame], ChartText]:
    """Title of a tick-all-that-apply chart: the share of the answer ticked most, in words
    (``verb``, as "cited"), in the latest wave; no "most" or "more than", which would need a
    test of the difference from the next answer, nor the earlier wave's share, which would
    read as a change no test supports. Where the chart shows two waves and the tests of the
    changes found none (``topic``: what the answers are about, as "the support CCGs gave"),
    that is the message: two dots a row apart invite a story of change."""

    def describe(table: pd.DataFrame) -> ChartText:
        enum = ITEMS[item].choices
        base = _who(who, table)
        note = _note(
            "Several answers could be ticked, so shares need not add to 100%.", _weighted(table)
        )
        rows = _rows(table)
        if "wave" in rows:
            waves = sorted(rows["wave"].astype(str).unique())
            latest = rows[rows["wave"].astype(str) == waves[-1]]
        else:
            waves, latest = [], rows
        if latest.empty:
            return ChartText(ITEMS[item].question, base, note)
        top = latest.loc[latest["estimate"].idxmax()]
        title = (
            f"{_pct(float(top['estimate']))} {verb} "
            f"{_quoted(_in_sentence(_label(enum, top['option'])))}"
        )
        if len(waves) >= 2:  # the latest wave's share, and the earlier one when a test
            # of the change stands behind it
            title += f" in {waves[-1]}"
            earlier = rows[
                (rows["wave"].astype(str) == waves[0])
                & (rows["option"].astype(str) == str(top["option"]))
            ]
            changed = changed_options(table)
            if str(top["option"]) in changed and not earlier.empty:
                title += f", up from {_pct(float(earlier['estimate'].iloc[0]))} in {waves[0]}"
                if float(earlier["estimate"].iloc[0]) > float(top["estimate"]):
                    title = title.replace(", up from", ", down from")
            tested = _tested_changes(table)
            if topic and tested is not None and not tested.empty and not changed:
                title = f"No clear change from {waves[0]} to {waves[-1]} in {topic}"
                # said on the chart too, beside the "55% → 75%" a reader may lift
                note = _note(note, "None of the changes between the waves is significant.")
            return ChartText(title, base, note, _changes_note(table))
        return ChartText(title, base, note)

    return describe


def _sizes(table: pd.DataFrame) -> ChartText:
    base = (
        _who("Respondents in a collaboration who gave its size", table)
        + "; practices in PCNs, England, December 2019"
    )
    note = (
        "PCNs: primary care networks. Both colours are shares of practices: each respondent is "
        "a practice, and each PCN counts its member practices."
    )
    from gpcollab.whatif import pcn_size_shares  # the model code, only for this chart

    rows = _rows(table)
    shares = pcn_size_shares()
    if rows.empty or float(shares["n"].iloc[0]) == 0:
        return ChartText("Size of collaborations beside the size of PCNs", base, note)
    # one message: the band most practices' PCNs fall in, and how many respondents' were
    top = shares.loc[shares["estimate"].idxmax()]
    band = next(b for b in SizeBand if b.value == str(top["size_band"]))
    share = _pct(float(top["estimate"]))
    title = f"{share} of PCN practices were in networks of {band.label} patients"
    same = rows.loc[rows["option"].astype(str) == band.value]
    if same.empty:
        return ChartText(title, base, note)
    title += f", against {_pct(float(same['estimate'].iloc[0]))} of respondents"
    # the PCN share is a count of every practice in a PCN, not an estimate: the survey's
    # interval alone says whether the two differ
    method = ""
    if {"ci_low", "ci_high"} <= set(same.columns):
        low, high = float(same["ci_low"].iloc[0]), float(same["ci_high"].iloc[0])
        inside = low <= float(top["estimate"]) <= high
        method = (
            f"The respondents' share has a 95% CI of {_pct(low)} to {_pct(high)}, which "
            f"{'includes' if inside else 'excludes'} the PCNs' {share}: a count of every "
            "practice in a PCN, not an estimate."
        )
    return ChartText(title, base, note, method)


def _aim_name(table: pd.DataFrame) -> tuple[str, str]:
    """The aim of a what-if table (``attrs["aim"]``): its full label quoted, for the line under
    the title, and its short name quoted, for the title."""
    aim = table.attrs.get("aim")
    if not isinstance(aim, str):
        return "the aim", "the aim"
    return _quoted(_label(Aim, aim)), _short_aim(aim)


def _short_aim(aim: str) -> str:
    """An aim as a title names it: its short name, quoted (“access”)."""
    return _quoted(AIM_SHORT_LABELS.get(aim, _label(Aim, aim)).lower())


def _scenarios(table: pd.DataFrame) -> ChartText:
    aim_words, short = _aim_name(table)
    base = _who(f"Model base: collaborations that set {aim_words}", table)
    # why the observed share here is not the achievement chart's, in one sentence
    note = (
        "Each scenario runs the model with collaborations mixed as it says. “Too early to "
        "say” is left out of the base, which lifts the observed share a little."
    )
    method = (
        "G-computation on a logistic model of collaborations with a known outcome, by size, "
        "age, level and funding."
    )
    rows = _rows(table)
    observed = rows[rows["scenario"].astype(str) == "observed"]
    others = rows[rows["scenario"].astype(str) != "observed"]
    plain = f"Share fully achieving {short} in each what-if scenario"
    if observed.empty or others.empty:
        return ChartText(plain, base, note, method)
    obs = float(observed["estimate"].iloc[0])
    if not {"difference", "difference_ci_low", "difference_ci_high"} <= set(others.columns):
        return ChartText(plain, base, note, method)
    # the bootstrap interval of each scenario's difference from the observed share (the two
    # come from the same replicates), not whether the scenario's own interval covers it
    low = pd.to_numeric(others["difference_ci_low"], errors="coerce")
    high = pd.to_numeric(others["difference_ci_high"], errors="coerce")
    clear = others[(low > 0) | (high < 0)]
    interval = "bootstrap interval"
    level = pd.to_numeric(others.get("conf_level", pd.Series()), errors="coerce").dropna()
    if not level.empty:
        interval = f"{100 * float(level.iloc[0]):.0f}% {interval}"
    if clear.empty:
        title = f"No what-if scenario clearly changes the {_pct(obs)} fully achieving {short}"
        tested = f"Every {interval} of a difference from observed includes 0."
    else:
        best = clear.loc[pd.to_numeric(clear["difference"]).abs().idxmax()]
        diff = float(best["difference"])
        title = (
            f"{best['scenario']}: {_pct(float(best['estimate']))} would fully achieve "
            f"{short}, {100 * abs(diff):.0f} points {'more' if diff > 0 else 'fewer'} "
            f"than observed"
        )
        tested = (
            f"Difference {100 * diff:+.0f} points ({interval} "
            f"{100 * float(best['difference_ci_low']):+.0f} to "
            f"{100 * float(best['difference_ci_high']):+.0f})."
        )
    return ChartText(title, base, note, _note(method, tested))


def _projection(table: pd.DataFrame) -> ChartText:
    _, short = _aim_name(table)
    survey = _survey_words(table)
    # the projection's key assumption is said where the reader looks first, with whom it is of
    base = "All PCNs in England, December 2019 (NHS Digital), each taken as under a year old" + (
        f"; model fitted to {survey}" if survey else ""
    )
    note = (
        "The what-if model applied to the real primary care networks (PCNs). A what-if, not a "
        "forecast."
    )
    rows = _rows(table)
    total = rows[rows["size_band"].astype(str) == "all_pcns"]
    if total.empty:
        return ChartText(f"What-if share fully achieving {short}, by PCN size", base, note)
    row = total.iloc[0]
    # a what-if first, and "would", not "will": the note says it is not a forecast; the
    # interval beside the central figure, so that it is not lifted alone
    level = pd.to_numeric(pd.Series([row.get("conf_level")]), errors="coerce").iloc[0]
    interval = f"{100 * float(level):.0f}% interval" if level == level else "interval"
    title = (
        f"What-if for real PCNs: {_pct(float(row['estimate']))} would fully achieve {short} "
        f"({interval} {_pct(float(row['ci_low']))} to {_pct(float(row['ci_high']))})"
    )
    return ChartText(title, base, note)


_DESCRIBERS: dict[str, Callable[[pd.DataFrame], ChartText]] = {
    "prevalence": _prevalence,
    "aims_by_size": _aims_by_size,
    "achievement_by_aim": _achievement,
    "fully_by_": _fully_by,
    "stp_influence": _stp("stp_influence"),
    "stp_change": _stp("stp_change"),
    "contract_willingness": _willingness,
    "contract_reasons": _top_option(
        "contract_reasons",
        "GP partners unwilling to give up the contract",
        "of unwilling partners cited",
    ),
    "ccg_support": _top_option(
        "ccg_support",
        "CCG respondents",
        "of CCG respondents said their CCG gave",
        "the support CCGs gave collaboration",
    ),
    "size_distribution": _sizes,
    "scenarios": _scenarios,
    "pcn_projection": _projection,
}


def chart_text(key: str, table: pd.DataFrame, fallback: str) -> ChartText:
    """Finding-style title, base line and note of the report chart drawn from ``table``.

    Parameters
    ----------
    key : str
        Key of the report table (``"prevalence"``, ``"fully_by_size_band"``, ...).
    table : pandas.DataFrame
        The table, after disclosure control.
    fallback : str
        Title used when no describer applies or the numbers cannot support a finding.

    Returns
    -------
    ChartText
    """
    for prefix, describe in _DESCRIBERS.items():
        if key.startswith(prefix):
            try:
                return describe(table)
            except (KeyError, ValueError, TypeError, IndexError):  # a table of another shape
                break
    return ChartText(fallback, _survey_words(table))


# -- the key-findings box -------------------------------------------------------------------


def _interval(row: Mapping[Any, Any], low: str = "ci_low", high: str = "ci_high") -> str:
    lo, hi = row.get(low), row.get(high)
    if lo is None or hi is None or any(isinstance(v, float) and math.isnan(v) for v in (lo, hi)):
        return ""
    return f"95% CI {_pct(float(lo))} to {_pct(float(hi))}"


def key_findings(tables: Mapping[str, pd.DataFrame]) -> list[KeyFinding]:
    """Headline figures of the report, each with its change, interval and base.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        The report's tables (after disclosure control) by key.

    Returns
    -------
    list of KeyFinding
        Only the figures the given tables support, in page order.
    """
    out: list[KeyFinding] = []
    change = tables.get("prevalence_change")
    if change is not None and len(_rows(change)) == 1:
        row = _rows(change).iloc[0].to_dict()
        out.append(
            KeyFinding(
                "Practices in a collaboration",
                f"{_pct(row['estimate_first'])} → {_pct(row['estimate_second'])}",
                f"{row['wave_first']} to {row['wave_second']}: {_points(row['difference'])} "
                f"(95% CI {100 * row['ci_low']:+.0f} to {100 * row['ci_high']:+.0f}); "
                f"n={int(row['n_first']):,} and {int(row['n_second']):,}",
                "prevalence",
            )
        )
    anyfull = tables.get("any_fully")
    if anyfull is not None and len(_rows(anyfull)) == 1:
        row = _rows(anyfull).iloc[0].to_dict()
        out.append(
            KeyFinding(
                "Collaborations that fully achieved at least one aim",
                _pct(row["estimate"]),
                f"{_interval(row)}; n={int(row['n']):,} ({_waves(anyfull)})",
                "achievement",
            )
        )
    achievement = tables.get("achievement_by_aim")
    if achievement is not None:
        fully = _rows(achievement)
        fully = fully[fully["outcome"].astype(str) == "fully"]
        if not fully.empty:
            row = fully.loc[fully["estimate"].idxmax()].to_dict()
            out.append(
                KeyFinding(
                    f"Aim most often fully achieved: {_label(Aim, row['aim'])}",
                    _pct(row["estimate"]),
                    f"{_interval(row)}; n={int(row['n']):,} that set the aim",
                    "achievement",
                )
            )
    for key, table in tables.items():
        if key.startswith("contract_willingness"):
            share = _negative_share(table, ITEMS["contract_willingness"].choices)
            if share is not None:
                out.append(
                    KeyFinding(
                        "GP partners unwilling to give up the contract",
                        _pct(share),
                        f"n={_bases(table).removeprefix('n=')} GP partners ({_waves(table)})",
                        "contracts",
                    )
                )
    projection = tables.get("pcn_projection")
    if projection is not None:
        total = _rows(projection)
        total = total[total["size_band"].astype(str) == "all_pcns"]
        if not total.empty:
            row = total.iloc[0].to_dict()
            aim = projection.attrs.get("aim")
            out.append(
                KeyFinding(
                    "What-if: real PCNs fully achieving "
                    + (_quoted(_label(Aim, aim)) if isinstance(aim, str) else "the aim"),
                    _pct(row["estimate"]),
                    f"{_interval(row)} (bootstrap); a what-if, not a forecast",
                    "whatif",
                )
            )
    return out
