"""The instruments: every item the questionnaires may ask, and the respondent columns.

:data:`ITEMS` is the instrument specification: each item's name, how its answers are stored,
its closed answer set (a :class:`~gpcollab.vocab.Choice`), its wording and who is asked it (its
*base*, whose meaning :data:`gpcollab.routing.ROUTES` declares). :data:`NUMERIC_COLUMNS` and
:data:`TEXT_COLUMNS` are the optional respondent columns besides the items, and
:data:`SYNTHETIC_NOTICE` the sentence every artefact drawn from a reconstructed set carries;
:data:`PUBLISHED_SURVEYS` who ran each of the four published surveys.

These facts sit below the data model: :mod:`gpcollab.schema` validates tables against them,
:mod:`gpcollab.routing` reads each item's base, codebooks map exports onto them. Like
:mod:`gpcollab.vocab`, this module loads without pandas or numpy. :mod:`gpcollab.schema`
re-exports every name, so ``from gpcollab.schema import ITEMS`` keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from gpcollab.vocab import (
    AgeBand,
    Aim,
    Barrier,
    CCGSupport,
    Choice,
    CollaborationForm,
    ContractReason,
    ContractWillingness,
    Driver,
    Encouragement,
    FundingSource,
    Influence,
    LegalForm,
    Level,
    Likelihood,
    Membership,
    PracticeShare,
    Region,
    Role,
    SizeBand,
)

__all__ = [
    "ITEMS",
    "NUMERIC_COLUMNS",
    "PUBLISHED_ORGANISATION",
    "PUBLISHED_SURVEYS",
    "SYNTHETIC_NOTICE",
    "TEXT_COLUMNS",
    "Base",
    "Item",
    "ItemKind",
]

SYNTHETIC_NOTICE = "Synthetic reconstruction from published figures — not the survey responses"
"""The sentence every artefact drawn from a reconstructed (synthetic) set carries."""

PUBLISHED_ORGANISATION = "Nuffield Trust and RCGP"
"""Who ran the published surveys: the Nuffield Trust with the Royal College of General
Practitioners (the research pages and coverage the findings register cites call them the
"Nuffield Trust / RCGP" surveys). Chart source lines name it (``SurveyMeta.organisation``)."""

PUBLISHED_SURVEYS: Mapping[tuple[int, str], str] = MappingProxyType(
    {
        (2015, "gp"): PUBLISHED_ORGANISATION,
        (2015, "ccg"): PUBLISHED_ORGANISATION,
        (2017, "gp"): PUBLISHED_ORGANISATION,
        (2017, "ccg"): PUBLISHED_ORGANISATION,
    }
)
"""(wave, instrument) of each published survey -> who ran it. The reconstructions and the
bundled sets of these four surveys carry it; any other wave names its organisation in its own
metadata (a codebook's ``survey.organisation``), or none."""

ItemKind = Literal["single", "multi", "aims"]
Base = Literal["all", "collaborating", "gp_partners", "unwilling_partners", "ccg_staff"]


@dataclass(frozen=True)
class Item:
    """One question of the instruments.

    Attributes
    ----------
    name : str
        Column name (single choice), key of ``SurveyData.multi`` (multi-select) or ``"aims"``.
    kind : {"single", "multi", "aims"}
        How the answers are stored.
    choices : type of Choice
        The closed answer set (for ``"aims"``: the aims; outcomes use Achievement).
    question : str
        Short wording of the question, in our words.
    base : {"all", "collaborating", "gp_partners", "unwilling_partners", "ccg_staff"}
        Who is asked (the questionnaire's routing): everyone, respondents in a collaboration,
        GP partners, GP partners unwilling to leave their contract, or CCG staff. What each
        base means is declared in :data:`gpcollab.routing.ROUTES`;
        :class:`~gpcollab.schema.SurveyData` rejects answers given off route.
    """

    name: str
    kind: ItemKind
    choices: type[Choice]
    question: str
    base: Base = "all"


def _items(*items: Item) -> Mapping[str, Item]:
    return MappingProxyType({item.name: item for item in items})


ITEMS: Mapping[str, Item] = _items(
    Item("role", "single", Role, "Your role"),
    Item("region", "single", Region, "NHS England region of the practice or CCG"),
    Item("membership", "single", Membership, "Is the practice part of a collaboration?"),
    Item("form", "single", CollaborationForm, "Form of the collaboration", "collaborating"),
    Item("legal_form", "single", LegalForm, "Legal form of the collaboration", "collaborating"),
    Item("size_band", "single", SizeBand, "Registered patients covered", "collaborating"),
    Item("age_band", "single", AgeBand, "Time since the collaboration formed", "collaborating"),
    Item("level", "single", Level, "Level at which the collaboration operates", "collaborating"),
    Item("stp_influence", "single", Influence, "Influence of practices in shaping the STP"),
    Item("stp_change", "single", Likelihood, "Will the STP bring meaningful change?"),
    Item(
        "contract_willingness",
        "single",
        ContractWillingness,
        "Willing to leave the practice contract for a new care model?",
        "gp_partners",
    ),
    Item(
        "ccg_encouragement",
        "single",
        Encouragement,
        "The CCG's stance on collaboration",
        "ccg_staff",
    ),
    Item(
        "practices_willing",
        "single",
        PracticeShare,
        "Share of member practices willing to give up their contracts",
        "ccg_staff",
    ),
    Item("funding", "multi", FundingSource, "Sources of funding", "collaborating"),
    Item("barriers", "multi", Barrier, "Barriers to progress", "collaborating"),
    Item("drivers", "multi", Driver, "Reasons for forming", "collaborating"),
    Item(
        "contract_reasons",
        "multi",
        ContractReason,
        "Reasons for not leaving the contract",
        "unwilling_partners",
    ),
    Item("ccg_support", "multi", CCGSupport, "Support the CCG gives", "ccg_staff"),
    Item("aims", "aims", Aim, "Main aims set, and how far each was achieved", "collaborating"),
)
"""Every item the four instruments may ask, by name, with its routing (``base``).

This is the instrument specification: ``docs/instruments.md`` lists which instrument asks which
item, and :mod:`gpcollab.routing` what each base means."""

NUMERIC_COLUMNS: tuple[str, ...] = ("collab_patients", "weight")
"""Optional numeric respondent columns."""

TEXT_COLUMNS: tuple[str, ...] = ("ccg_code",)
"""Optional free-text respondent columns (besides ``respondent_id``)."""
