"""Closed answer sets of the GP-collaboration surveys, as enums.

Each enum member carries a stable machine value (what files and tables store), a human label
(what charts and reports show) and, through the definition order, its position. Ordinal sets
(size, age, achievement, influence, likelihood, willingness, share) are marked with
:func:`ordinal_scale` (``ordinal`` is True): their
order is meaningful and trend tests may use it. Every set becomes an ordered
``pandas.CategoricalDtype`` through :meth:`Choice.dtype`, so tables and charts sort themselves in
questionnaire order.

The questionnaires of 2015 and 2017 were never published. The options below follow what the
publications show (see ``findings/NOTES.md`` section 3 of the project's shared record); where a
set of options was not shown, the docstring of the enum says that the options are our choice.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

from gpcollab.errors import ArgumentError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from numpy.typing import ArrayLike

__all__ = [
    "CCG_SUCCESSORS",
    "Achievement",
    "AgeBand",
    "Aim",
    "Barrier",
    "CCGSupport",
    "Choice",
    "CollaborationForm",
    "ContractReason",
    "ContractWillingness",
    "Driver",
    "Encouragement",
    "FundingSource",
    "Influence",
    "Instrument",
    "LegalForm",
    "Level",
    "Likelihood",
    "Membership",
    "PracticeShare",
    "Region",
    "Role",
    "SizeBand",
    "Wave",
    "ordinal_scale",
]


def _normalise(text: str) -> str:
    """Case-fold and collapse whitespace and dash variants, for lenient matching."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip().casefold()


class Choice(StrEnum):
    """Base class of every answer set: a ``str`` enum with a human ``label``.

    Members are declared as ``NAME = "machine_value", "Human label"``. The member compares equal
    to its machine value, so ``Aim.ACCESS == "access"``.
    """

    label: str
    ordinal: ClassVar[bool]  # set after the class body; True via @ordinal_scale

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return str(self.value)

    @property
    def order(self) -> int:
        """Position of the member in questionnaire order (0-based)."""
        return list(type(self)).index(self)

    @classmethod
    def values(cls) -> list[str]:
        """Machine values in questionnaire order."""
        return [member.value for member in cls]

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Mapping of machine value to human label."""
        return {member.value: member.label for member in cls}

    @classmethod
    def dtype(cls) -> pd.CategoricalDtype:
        """The ordered pandas categorical dtype whose categories are the machine values."""
        import pandas as pd  # light: `import gpcollab.vocab` does not load pandas

        return pd.CategoricalDtype(cls.values(), ordered=True)

    @classmethod
    def parse(cls, text: object) -> Self:
        """Return the member whose machine value or label matches ``text``.

        Matching ignores case, surrounding and repeated whitespace, and dash or apostrophe
        variants. Raises :class:`~gpcollab.errors.ArgumentError` (a ``ValueError``) listing the
        allowed values when nothing matches.
        """
        if isinstance(text, cls):
            return text
        key = _normalise(str(text))
        for member in cls:
            if key in (_normalise(member.value), _normalise(member.label)):
                return member
        allowed = ", ".join(repr(v) for v in cls.values())
        raise ArgumentError(f"{text!r} is not a valid {cls.__name__}; allowed: {allowed}")


Choice.ordinal = False

_C = TypeVar("_C", bound=type[Choice])


def ordinal_scale(cls: _C) -> _C:
    """Mark an answer set as ordinal: its declaration order is meaningful."""
    cls.ordinal = True
    return cls


class Wave(Choice):
    """Survey waves covered by the published record. Later waves are plain years in metadata."""

    Y2015 = "2015", "2015 surveys (July-November 2015)"
    Y2017 = "2017", "2017 surveys (2017)"

    @classmethod
    def of(cls, year: int | str) -> Wave:
        """The wave for a year given as int or string."""
        return cls.parse(str(year))


class Instrument(Choice):
    """Which questionnaire: GP-practice staff or clinical commissioning group staff."""

    GP = "gp", "GP practice staff survey"
    CCG = "ccg", "CCG staff survey"

    @property
    def respondents(self) -> str:
        """Who answers it, e.g. ``"GP practice staff"`` (a source line's "survey of ...")."""
        return self.label.removesuffix(" survey")


class Role(Choice):
    """Role of the respondent. Options not published: our choice, covering both instruments."""

    GP_PARTNER = "gp_partner", "GP partner"
    SALARIED_GP = "salaried_gp", "Salaried or locum GP"
    PRACTICE_MANAGER = "practice_manager", "Practice manager"
    NURSE = "nurse", "Practice nurse or other clinician"
    OTHER_PRACTICE = "other_practice", "Other practice staff"
    CCG_CLINICAL = "ccg_clinical", "CCG clinical lead"
    CCG_MANAGER = "ccg_manager", "CCG manager"
    CCG_OTHER = "ccg_other", "Other CCG staff"


class Region(Choice):
    """NHS England regions in the 2016-17 geography (codes Y54 to Y57)."""

    NORTH = "Y54", "North of England"
    MIDLANDS_EAST = "Y55", "Midlands and East of England"
    LONDON = "Y56", "London"
    SOUTH = "Y57", "South of England"


CCG_SUCCESSORS: dict[int, dict[str, str]] = {
    2017: {"00W": "14L", "01M": "14L", "01N": "14L"},
}
"""CCG mergers at the start of a wave's year: old code -> code in that year's geography.

The bundled 2017 practice frame uses the CCGs of 2016-17 (209). On 1 April 2017 Central, North
and South Manchester CCGs (00W, 01M, 01N) merged into NHS Manchester CCG (14L), leaving the 207
CCGs the 2017 publications count (QOF 2016-17 organisation reference, geography of April 2017).
The 2015 frame (2015-16, 209 CCGs) needs no change.
"""


class Membership(Choice):
    """Whether the respondent's practice is part of a collaboration.

    Formal, informal and none were published. ``both`` (in a formal and an informal
    collaboration) is our reading of the ten points that separate the 2015 total (73%) from
    formal (37%) plus informal (26%); it is a named assumption of the reconstruction.
    """

    FORMAL = "formal", "Formal collaboration"
    INFORMAL = "informal", "Informal collaboration"
    BOTH = "both", "Both formal and informal"
    NONE = "none", "Not in a collaboration"
    DONT_KNOW = "dont_know", "Don't know"

    @classmethod
    def collaborating(cls) -> tuple[Membership, ...]:
        """The answers that count as being part of a collaboration."""
        return (cls.FORMAL, cls.INFORMAL, cls.BOTH)


class CollaborationForm(Choice):
    """Form of the collaboration. Federation and super-practice were published; others ours."""

    FEDERATION = "federation", "Federation"
    NETWORK = "network", "Network or locality group"
    SUPER_PRACTICE = "super_practice", "Super-practice"
    MULTI_SITE = "multi_site", "Multi-site organisation"
    PRIMARY_CARE_HOME = "primary_care_home", "Primary care home"
    MERGER = "merger", "Merger of practices"
    OTHER = "other", "Other"


class LegalForm(Choice):
    """Legal form of the collaboration.

    Private limited company and community interest company were published; the other options
    are our choice.
    """

    LIMITED_COMPANY = "limited_company", "Private limited company"
    CIC = "cic", "Community interest company"
    LLP = "llp", "Limited liability partnership"
    PARTNERSHIP = "partnership", "Partnership"
    UNINCORPORATED = "unincorporated", "No legal entity (e.g. memorandum of understanding)"
    OTHER = "other", "Other"
    DONT_KNOW = "dont_know", "Don't know"


@ordinal_scale
class SizeBand(Choice):
    """Registered patients covered by the collaboration.

    The publications split at 50,000 (2015) and 100,000 (2017); the bands are our choice so that
    both thresholds, and the 30,000-50,000 scale of primary care networks, fall on band edges.
    :attr:`edges` gives each band's lower and upper bound.
    """

    UNDER_30K = "under_30k", "Under 30,000"
    FROM_30K = "30k_50k", "30,000-49,999"
    FROM_50K = "50k_100k", "50,000-99,999"
    FROM_100K = "100k_250k", "100,000-249,999"
    OVER_250K = "over_250k", "250,000 or more"

    @property
    def edges(self) -> tuple[float, float]:
        """Lower (inclusive) and upper (exclusive) bound in registered patients."""
        return _SIZE_EDGES[self.value]

    @classmethod
    def bin(cls, patients: ArrayLike) -> pd.Categorical:
        """The band of each number of registered patients (lower edge inclusive).

        The one place where numbers of patients become bands: a network of exactly 30,000
        patients is in ``"30k_50k"``. Missing, negative or non-numeric values give a missing
        band.

        Examples
        --------
        >>> list(SizeBand.bin([0, 29_999, 30_000, 250_000, None]))
        ['under_30k', 'under_30k', '30k_50k', 'over_250k', nan]
        """
        import numpy as np  # lazy, as dtype(): the vocabulary does not load numpy or pandas
        import pandas as pd  # light: `import gpcollab.vocab` does not load pandas

        values = pd.to_numeric(pd.Series(patients, dtype=object), errors="coerce")
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        lower = np.array([band.edges[0] for band in cls])
        codes = np.searchsorted(lower, numbers, side="right") - 1
        codes[~(numbers >= 0)] = -1  # NaN and negative numbers have no band
        return pd.Categorical.from_codes(codes.tolist(), dtype=cls.dtype())


_SIZE_EDGES: dict[str, tuple[float, float]] = {
    "under_30k": (0.0, 30_000.0),
    "30k_50k": (30_000.0, 50_000.0),
    "50k_100k": (50_000.0, 100_000.0),
    "100k_250k": (100_000.0, 250_000.0),
    "over_250k": (250_000.0, float("inf")),
}


@ordinal_scale
class AgeBand(Choice):
    """Time since the collaboration formed.

    "Formed in the last year" (2015) and "more than two years" (2017) were published; the middle
    band completes the scale. :attr:`edges` gives the bounds in years.
    """

    UNDER_1Y = "under_1y", "Less than 1 year"
    FROM_1Y = "1y_2y", "1 to 2 years"
    OVER_2Y = "over_2y", "More than 2 years"

    @property
    def edges(self) -> tuple[float, float]:
        """Lower (inclusive) and upper (exclusive) bound in years."""
        return _AGE_EDGES[self.value]


_AGE_EDGES: dict[str, tuple[float, float]] = {
    "under_1y": (0.0, 1.0),
    "1y_2y": (1.0, 2.0),
    "over_2y": (2.0, float("inf")),
}


@ordinal_scale
class Level(Choice):
    """Level at which the collaboration operates (ordered by scale)."""

    LOCALITY = "locality", "Locality within a CCG"
    SINGLE_CCG = "single_ccg", "Whole CCG area"
    MULTI_CCG = "multi_ccg", "Across several CCGs"


class Aim(Choice):
    """Aims (main priorities) a collaboration set itself.

    Access, sustainability, moving services into the community, staff experience and clinical
    quality were published (2017); efficiency and integration with other services are our
    additions, drawn from the 2015 reasons for forming.
    """

    ACCESS = "access", "Improving access for patients"
    SUSTAINABILITY = "sustainability", "Financial and organisational sustainability"
    COMMUNITY = "community", "Moving services into the community"
    STAFF = "staff", "Staff experience, training and education"
    QUALITY = "quality", "Clinical quality"
    EFFICIENCY = "efficiency", "Efficiency of practices"
    INTEGRATION = "integration", "Integration with other health and care services"


@ordinal_scale
class Achievement(Choice):
    """How far an aim was achieved. Only "fully achieved" was published; the rest is ours.

    The first three answers are substantive and ordered (:attr:`substantive`); "too early to
    say" and "don't know" stand apart, and every rate takes an explicit policy for them.
    """

    FULLY = "fully", "Fully achieved"
    PARTIALLY = "partially", "Partially achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"
    TOO_EARLY = "too_early", "Too early to say"
    DONT_KNOW = "dont_know", "Don't know"

    @property
    def substantive(self) -> bool:
        """True for fully, partially and not achieved."""
        return self in (Achievement.FULLY, Achievement.PARTIALLY, Achievement.NOT_ACHIEVED)


class FundingSource(Choice):
    """Sources of funding for the collaboration (multi-select). Options are our choice."""

    ACCESS_FUND = "access_fund", "GP Access Fund / Prime Minister's Challenge Fund"
    CCG = "ccg", "CCG funding"
    NHS_ENGLAND = "nhs_england", "Other NHS England funding"
    VANGUARD = "vanguard", "New care models (vanguard) funding"
    MEMBERS = "members", "Member practices' contributions"
    OTHER = "other", "Other source"
    NONE = "none", "No external funding"


class Barrier(Choice):
    """Barriers to progress (multi-select). The first four were named in 2017; others ours."""

    TIME_PRESSURE = "time_pressure", "Time and work pressures"
    STAFF_SHORTAGES = "staff_shortages", "Staff shortages"
    PRACTICE_FINANCES = "practice_finances", "Practice finances"
    COMPETING_PRIORITIES = "competing_priorities", "Competing priorities (e.g. STPs)"
    ENGAGING_PRACTICES = "engaging_practices", "Engaging member practices"
    LEGAL_ISSUES = "legal_issues", "Legal and governance issues"
    IT_SYSTEMS = "it_systems", "IT and data sharing"
    OTHER = "other", "Other"


class Driver(Choice):
    """Reasons for forming the collaboration (2015, multi-select). Options named in 2015-16."""

    CCG_ENCOURAGEMENT = "ccg_encouragement", "Encouragement from the CCG"
    FINANCIAL_PRESSURE = "financial_pressure", "Financial pressures"
    EXPAND_SERVICES = "expand_services", "Expanding the range of services"
    EFFICIENCIES = "efficiencies", "Achieving efficiencies"
    WIN_CONTRACTS = "win_contracts", "Winning contracts for community-based care"
    OTHER = "other", "Other"


@ordinal_scale
class Influence(Choice):
    """How influential practices and collaborations were in shaping the local STP.

    "Not at all influential" was published; the other points are our choice.
    """

    NOT_AT_ALL = "not_at_all", "Not at all influential"
    SLIGHTLY = "slightly", "Slightly influential"
    FAIRLY = "fairly", "Fairly influential"
    VERY = "very", "Very influential"
    DONT_KNOW = "dont_know", "Don't know"


@ordinal_scale
class Likelihood(Choice):
    """How probable meaningful STP-driven change in primary care is.

    "Probable" was published (CCG 2017); the other points are our choice.
    """

    VERY_IMPROBABLE = "very_improbable", "Very improbable"
    IMPROBABLE = "improbable", "Improbable"
    PROBABLE = "probable", "Probable"
    VERY_PROBABLE = "very_probable", "Very probable"
    DONT_KNOW = "dont_know", "Don't know"


@ordinal_scale
class ContractWillingness(Choice):
    """Willingness of GP partners to leave their GMS/PMS/APMS contract for a new care model.

    The five-point scale plus "don't know" was published (2017).
    """

    VERY_UNWILLING = "very_unwilling", "Very unwilling"
    UNWILLING = "unwilling", "Unwilling"
    NEITHER = "neither", "Neither unwilling nor willing"
    WILLING = "willing", "Willing"
    VERY_WILLING = "very_willing", "Very willing"
    DONT_KNOW = "dont_know", "Don't know"


class ContractReason(Choice):
    """Reasons for not leaving the practice contract (multi-select). Four published; other ours."""

    LOSE_CONTROL = "lose_control", "Losing control of decision-making and leadership"
    LOSE_FLEXIBILITY = "lose_flexibility", "Losing flexibility"
    CONTINUITY = "continuity", "Continuity of care with patients"
    SALARIED = "salaried", "Not wanting to become salaried"
    OTHER = "other", "Other"


class Encouragement(Choice):
    """The CCG's stance towards collaboration. "Actively encouraged" was published; rest ours."""

    ACTIVELY = "actively", "Actively encouraged collaboration"
    ON_REQUEST = "on_request", "Supported collaboration when asked"
    NOT_INVOLVED = "not_involved", "Not involved"


class CCGSupport(Choice):
    """Support the CCG gave (multi-select). The first three were published; the rest ours."""

    FINANCIAL = "financial", "Financial support"
    EXPERT_ADVICE = "expert_advice", "Expert advice"
    PROJECT_MANAGEMENT = "project_management", "Project-management staff"
    LEGAL = "legal", "Legal advice"
    IT = "it", "IT support"
    ORGANISATIONAL = "organisational", "Organisational and leadership development"
    NONE = "none", "None"


@ordinal_scale
class PracticeShare(Choice):
    """CCG estimate of the share of member practices willing to give up their contracts.

    "Less than a quarter" was published (2017); the other bands are our choice.
    """

    UNDER_QUARTER = "under_quarter", "Less than a quarter"
    QUARTER_HALF = "quarter_half", "A quarter to a half"
    HALF_THREE_QUARTERS = "half_three_quarters", "A half to three-quarters"
    OVER_THREE_QUARTERS = "over_three_quarters", "More than three-quarters"
    DONT_KNOW = "dont_know", "Don't know"
