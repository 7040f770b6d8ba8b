"""Questionnaire routing (skip logic): who is asked which item, declared once and checked.

Each item of :data:`gpcollab.instrument.ITEMS` names its *base* (``Item.base``): the respondents the
questionnaire routes to it. This module declares what each base means (:data:`ROUTES`) and finds
the answers given off route, so that :class:`~gpcollab.schema.SurveyData` (all at once, lazily)
and :func:`~gpcollab.io.read_survey` (row by row) enforce the same rules:

``collaborating``
    Collaboration attributes (form, legal form, size, age, level), aims and their outcomes,
    funding, barriers and drivers are asked only of respondents in a collaboration (membership
    formal, informal or both), where the instrument asks about membership.
``gp_partners``
    Willingness to leave the practice contract is asked only of GP partners.
``unwilling_partners``
    Reasons for keeping the contract only of partners who answered very unwilling or unwilling.
``ccg_staff``
    The CCG's own items (its stance, its support, member practices' willingness) only of CCG
    staff.

An aims row with an outcome but no aim breaks ``outcome_needs_aim``: outcomes are asked only
for the aims a collaboration set.

An answer whose condition item is blank is off route too: the questionnaire shows the item only
once the condition has been answered with one of the listed values.

Consistency between two answers is not routing: ``region_ccg`` (:data:`CONSISTENCY_RULES`), the
region given is the NHS England region of the respondent's CCG (``ccg_code``), looked up in the
bundled CCG frames (2015-16 and 2016-17 geography, and the April 2017 merger of
:data:`gpcollab.vocab.CCG_SUCCESSORS`; codes outside them are not checked). Both are answers the
respondent gave, so a disagreement is reported (:func:`find_inconsistencies`, and the loader's
:class:`~gpcollab.io.LoadReport`) and never a reason to refuse or blank an answer.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from gpcollab.instrument import ITEMS
from gpcollab.vocab import CCG_SUCCESSORS, ContractWillingness, Membership, Role

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from gpcollab.codebook import Codebook

__all__ = [
    "CONSISTENCY_RULES",
    "ROUTES",
    "RULES",
    "Route",
    "Violation",
    "ccg_region",
    "find_inconsistencies",
    "find_violations",
    "record_problems",
    "record_violations",
    "region_mismatches",
]


@dataclass(frozen=True)
class Route:
    """Who the questionnaire routes to an item.

    Attributes
    ----------
    name : str
        The base's name, as used in ``Item.base``.
    rule : str
        The rule in words ("asked only of ...").
    item : str or None
        The single-choice item the condition reads; None for an item asked of everyone.
    values : tuple of str
        The answers of ``item`` that route a respondent to the items on this base.
    """

    name: str
    rule: str
    item: str | None = None
    values: tuple[str, ...] = ()

    def applies(self, items: Sequence[str]) -> bool:
        """Whether the rule binds an instrument asking ``items`` (it must ask the condition)."""
        return self.item is not None and self.item in items

    def admits(self, value: object) -> bool:
        """Whether a respondent whose condition answer is ``value`` is routed to the items."""
        return value is not None and str(value) in self.values


ROUTES: Mapping[str, Route] = {
    "all": Route("all", "asked of every respondent"),
    "collaborating": Route(
        "collaborating",
        "asked only of respondents in a collaboration (membership formal, informal or both)",
        "membership",
        tuple(m.value for m in Membership.collaborating()),
    ),
    "gp_partners": Route(
        "gp_partners", "asked only of GP partners (role gp_partner)", "role", (Role.GP_PARTNER,)
    ),
    "unwilling_partners": Route(
        "unwilling_partners",
        "asked only of GP partners unwilling to leave their contract "
        "(contract_willingness very_unwilling or unwilling)",
        "contract_willingness",
        (ContractWillingness.VERY_UNWILLING, ContractWillingness.UNWILLING),
    ),
    "ccg_staff": Route(
        "ccg_staff",
        "asked only of CCG staff (role ccg_clinical, ccg_manager or ccg_other)",
        "role",
        (Role.CCG_CLINICAL, Role.CCG_MANAGER, Role.CCG_OTHER),
    ),
}
"""Every base an item may name, with the condition that routes respondents to it."""

REGION_RULE = "region_ccg"
OUTCOME_RULE = "outcome_needs_aim"
RULES: Mapping[str, str] = {
    **{name: route.rule for name, route in ROUTES.items() if route.item is not None},
    OUTCOME_RULE: "an outcome is asked only for an aim the collaboration set",
}
"""Every routing rule by name, in words."""

CONSISTENCY_RULES: Mapping[str, str] = {
    REGION_RULE: "the region given is the NHS England region of the respondent's CCG (ccg_code)",
}
"""Rules tying two answers together, by name, in words: reported, never enforced."""


@dataclass(frozen=True)
class Violation:
    """One answer given off route.

    Attributes
    ----------
    respondent_id : str or None
        The respondent (None when the row has no id).
    row : int or None
        Position of the offending row in its table.
    table : str
        ``"respondents"``, ``"aims"`` or ``"multi[<item>]"``.
    item : str
        The item answered off route.
    rule : str
        Name of the rule broken (a key of :data:`RULES`, or of :data:`CONSISTENCY_RULES` for
        an inconsistency).
    found : str
        The answer given.
    condition : str
        What the condition item held (e.g. ``"membership = 'none'"``).
    """

    respondent_id: str | None
    row: int | None
    table: str
    item: str
    rule: str
    found: str
    condition: str

    @property
    def message(self) -> str:
        """The violation in one sentence naming the respondent, the item and the rule."""
        if self.rule in CONSISTENCY_RULES:
            return (
                f"respondent {self.respondent_id!r}: {self.item!r} answered {self.found!r}, "
                f"but {self.condition} (rule {self.rule!r}: {CONSISTENCY_RULES[self.rule]})"
            )
        return (
            f"respondent {self.respondent_id!r}: {self.item!r} answered {self.found!r} "
            f"but rule {self.rule!r} says it is {RULES[self.rule]}; {self.condition}"
        )


def _shown(value: object) -> str:
    return "blank" if value is None else repr(str(value))


@lru_cache(maxsize=1)
def _ccg_regions() -> dict[str, str]:
    """CCG code -> region code over the bundled CCG frames (regions agree between them).

    Read as package files with the standard library (not through ``gpcollab.datasets``, a later
    layer than the data model that calls this).
    """
    folder = resources.files("gpcollab.datasets").joinpath("population")
    regions: dict[str, str] = {}
    for name in ("ccg_2015.csv", "ccg_2017.csv"):
        text = folder.joinpath(name).read_text(encoding="utf-8")
        for row in csv.DictReader(text.splitlines()):
            regions.setdefault(row["ccg_code"], row["region_code"])
    for merged in CCG_SUCCESSORS.values():  # a merged CCG lies in its predecessors' region
        for old, new in merged.items():
            regions.setdefault(new, regions[old])
    return regions


def ccg_region(code: object) -> str | None:
    """NHS England region (Y54-Y57) of a CCG code of the bundled frames, else None."""
    return None if code is None else _ccg_regions().get(str(code))


def _item_base(item: str) -> Route:
    return ROUTES[ITEMS[item].base]


def record_violations(record: Mapping[str, Any], items: Sequence[str]) -> list[Violation]:
    """Routing violations of one respondent given as a plain record (the loader's row form).

    Parameters
    ----------
    record : mapping
        Single-choice answers by item name (None for blank), ``respondent_id``, optional
        ``ccg_code``, and the lists ``_multi`` of ``(item, option)`` and ``_aims`` of
        ``(aim, outcome)`` pairs.
    items : sequence of str
        Items the instrument asks.

    Returns
    -------
    list of Violation
    """
    rid = record.get("respondent_id")
    rid = None if rid is None else str(rid)
    found: list[Violation] = []

    def check(item: str, table: str, answer: str) -> None:
        route = _item_base(item)
        if not route.applies(items) or route.item is None:
            return
        value = record.get(route.item)
        if not route.admits(value):
            condition = f"{route.item} = {_shown(value)}"
            found.append(Violation(rid, None, table, item, route.name, answer, condition))

    for item in items:
        if item in record and record[item] is not None:
            check(item, "respondents", str(record[item]))
    for item, option in dict.fromkeys(record.get("_multi", ())):
        check(item, f"multi[{item}]", str(option))
    aims = list(record.get("_aims", ()))
    if aims:
        given = (str(a) if o is None else f"{a} ({o})" for a, o in aims)
        check("aims", "aims", ", ".join(given))
    return found


def _condition_text(route: Route, value: Any) -> str:
    missing = value is None or value != value  # NaN / NA (not equal to itself)
    return f"{route.item} = {_shown(None if missing else value)}"


def _single_item_violations(respondents: pd.DataFrame, items: Sequence[str]) -> list[Violation]:
    """Single-choice answers given by respondents their item's route excludes."""
    found: list[Violation] = []
    ids = respondents["respondent_id"]
    for item in items:
        if item not in respondents.columns:
            continue
        route = _item_base(item)
        if not route.applies(items) or route.item not in respondents.columns:
            continue
        answered = respondents[item].notna()
        admitted = respondents[route.item].astype(object).isin(list(route.values))
        for row in respondents.index[answered & ~admitted]:
            condition = _condition_text(route, respondents.at[row, route.item])
            answer = str(respondents.at[row, item])
            found.append(
                Violation(
                    str(ids.at[row]), int(row), "respondents", item, route.name, answer, condition
                )
            )
    return found


def _long_table_violations(
    respondents: pd.DataFrame,
    tables: Sequence[tuple[str, str, pd.DataFrame, str]],
    items: Sequence[str],
) -> list[Violation]:
    """Rows of the aims and multi-select tables belonging to respondents off the route.

    ``tables`` holds (item, table name, table, answer column) for each long table.
    """
    # light: the tables are pandas already; this module is imported before pandas is
    import numpy as np
    import pandas as pd

    found: list[Violation] = []
    ids = respondents["respondent_id"]
    first = ~ids.duplicated().to_numpy()  # repeated ids are reported by the schema checks
    respondent_of_id = pd.Index(ids.to_numpy()[first])
    for item, table_name, table, answer_column in tables:
        route = _item_base(item)
        if not route.applies(items) or route.item not in respondents.columns or table.empty:
            continue
        condition = respondents[route.item].astype(object)
        column = condition.to_numpy()[first]
        admitted = condition.isin(list(route.values)).to_numpy()[first]
        rid = table["respondent_id"]
        # orphans (position -1) are reported by the referential checks
        position = np.asarray(respondent_of_id.get_indexer(pd.Index(rid)))
        known = position >= 0
        off = known & ~admitted[np.where(known, position, 0)]
        for k in np.flatnonzero(off).tolist():
            row = table.index[k]
            condition_text = _condition_text(route, column[int(position[k])])
            answer = str(table.at[row, answer_column])
            found.append(
                Violation(
                    str(rid.iat[k]), int(row), table_name, item, route.name, answer, condition_text
                )
            )
    return found


def _outcome_violations(aims: pd.DataFrame) -> list[Violation]:
    """Aims rows holding an outcome but no aim."""
    found: list[Violation] = []
    for row in aims.index[aims["aim"].isna() & aims["outcome"].notna()]:
        who = aims.at[row, "respondent_id"]
        rid = None if who is None or who != who else str(who)
        outcome = str(aims.at[row, "outcome"])
        found.append(
            Violation(rid, int(row), "aims", "aims", OUTCOME_RULE, outcome, "no aim on the row")
        )
    return found


def region_mismatches(region: Iterable[Any], codes: Iterable[Any]) -> list[tuple[int, str]]:
    """Positions whose region is not their CCG's, with the CCG's region (vectorised).

    Parameters
    ----------
    region, codes : sequences or arrays of the same length
        Region codes given (Y54-Y58, or None) and CCG codes given (or None).

    Returns
    -------
    list of (int, str)
        ``(position, region of the CCG)`` for each disagreement; a blank answer or a CCG code
        outside the bundled frames is never a disagreement.
    """
    # light: the tables are pandas already; this module is imported before pandas is
    import numpy as np
    import pandas as pd

    expected = pd.Series(np.asarray(list(codes), dtype=object), dtype=object).map(_ccg_regions())
    given = pd.Series(np.asarray(list(region), dtype=object), dtype=object)
    wrong = given.notna() & expected.notna() & (given.astype(str) != expected.astype(str))
    return [(int(k), str(expected.iat[k])) for k in np.flatnonzero(wrong.to_numpy()).tolist()]


def find_inconsistencies(respondents: pd.DataFrame, items: Sequence[str]) -> list[Violation]:
    """Answers that disagree with each other (:data:`CONSISTENCY_RULES`), as a note.

    A respondent whose region is not the region of their CCG keeps both answers: this lists
    them (rule ``region_ccg``) so that the disagreement can be reported or resolved (e.g. by
    deriving the region from the CCG with :func:`ccg_region`), never enforced.

    Parameters
    ----------
    respondents : pandas.DataFrame
        The respondents table of a :class:`~gpcollab.schema.SurveyData`.
    items : sequence of str
        Items the instrument asks.

    Returns
    -------
    list of Violation
        One per respondent whose answers disagree, in table order.
    """
    if "region" not in items or not {"region", "ccg_code"} <= set(respondents.columns):
        return []
    codes = respondents["ccg_code"].astype(object).tolist()
    region = respondents["region"].astype(object).tolist()
    found: list[Violation] = []
    for k, expected in region_mismatches(region, codes):
        row = respondents.index[k]
        found.append(
            Violation(
                str(respondents.at[row, "respondent_id"]),
                int(row),
                "respondents",
                "region",
                REGION_RULE,
                str(region[k]),
                f"CCG {codes[k]} is in region {expected}",
            )
        )
    return found


def find_violations(
    respondents: pd.DataFrame,
    aims: pd.DataFrame,
    multi: Mapping[str, pd.DataFrame],
    items: Sequence[str],
) -> list[Violation]:
    """Every routing violation of a response set, all at once (vectorised per rule).

    Parameters
    ----------
    respondents, aims, multi
        The tables of a :class:`~gpcollab.schema.SurveyData` (coerced).
    items : sequence of str
        Items the instrument asks.

    Returns
    -------
    list of Violation
        In table order: respondents (by item), aims, multi-select items, then outcomes
        without an aim. Answers that disagree with each other (a region that is not the
        CCG's) are not routing: see :func:`find_inconsistencies`.
    """
    tables: list[tuple[str, str, pd.DataFrame, str]] = []
    if "aims" in items:
        tables.append(("aims", "aims", aims, "aim"))
    tables += [(name, f"multi[{name}]", table, "option") for name, table in multi.items()]
    found = _single_item_violations(respondents, items)
    found += _long_table_violations(respondents, tables, items)
    if "aims" in items and not aims.empty:
        found += _outcome_violations(aims)
    return found


def record_problems(
    record: Mapping[str, Any], codebook: Codebook
) -> list[tuple[Violation, str, str, str]]:
    """Routing violations of one loaded row, with ``(column, allowed, reason)`` in words.

    The form :func:`gpcollab.io.read_survey` uses for the cells it sets missing: the column is
    the export's header of the item answered off route (its question, for a multi-select item
    or the aims).
    """
    headers: dict[str, str] = {spec.name: spec.column for spec in codebook.single}
    headers.update({spec.name: spec.question for spec in codebook.multi})
    if codebook.aims is not None:
        headers["aims"] = codebook.aims.question
    return [
        (
            v,
            headers.get(v.item, v.item),
            f"blank (rule {v.rule!r})",
            f"off-route answer: {v.item!r} is {RULES[v.rule]}, and {v.condition}",
        )
        for v in record_violations(record, codebook.items)
    ]
