"""The analysis layer's shared ground: argument types, the survey and design arguments, and
the respondent-level columns that :mod:`gpcollab.analysis`, :mod:`gpcollab.models` and
:mod:`gpcollab.whatif` build on (aim outcomes, funding, ticked options, ``by`` groups).

Private to the package (see docs/architecture.md); its names are public to the package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from gpcollab._checks import check_choice
from gpcollab.design import SurveyDesign
from gpcollab.errors import ArgumentError
from gpcollab.schema import ITEMS, SurveyData
from gpcollab.vocab import Achievement, Aim, FundingSource

__all__ = [
    "DONT_KNOW_CHOICES",
    "HELPER_PREFIX",
    "TOO_EARLY_CHOICES",
    "ByArg",
    "DesignArg",
    "DontKnow",
    "TooEarly",
    "achievement_codes",
    "achievement_levels",
    "aim_outcomes",
    "as_design",
    "bool_categorical",
    "check_survey",
    "design_columns",
    "funding_column",
    "provenance",
    "resolve_by",
    "respondent_frame",
    "set_attrs",
    "ticked",
    "two_designs",
]

#: ``design=`` of an analysis: a design, the name of a weight column, or None (equal weights).
DesignArg: TypeAlias = SurveyDesign | str | None
#: ``by=`` of an analysis: column names, ``"funding"``, or Series aligned with the respondents.
ByArg: TypeAlias = str | pd.Series | Sequence[str | pd.Series] | None
#: What to do with "too early to tell" answers about an aim.
TooEarly: TypeAlias = Literal["exclude", "not_achieved", "separate"]
#: What to do with "don't know" answers about an aim.
DontKnow: TypeAlias = Literal["exclude", "separate"]

TOO_EARLY_CHOICES: tuple[str, ...] = ("exclude", "not_achieved", "separate")
DONT_KNOW_CHOICES: tuple[str, ...] = ("exclude", "separate")

#: Prefix of the helper columns the analysis layer adds to a copy of ``respondents``.
HELPER_PREFIX = "_gpcollab_"


def as_design(design: DesignArg) -> SurveyDesign | None:
    """Turn the ``design`` argument into a :class:`SurveyDesign` (or ``None``)."""
    if design is None or isinstance(design, SurveyDesign):
        return design
    if isinstance(design, str):
        return SurveyDesign(weights=design)
    raise ArgumentError(
        "`design` must be a SurveyDesign, the name of a weight column, or None, but "
        f"{type(design).__name__} was passed."
    )


def design_columns(design: SurveyDesign | None) -> list[str]:
    """The respondent columns ``design`` names (weights, strata, PSU, fpc, margins), once each."""
    if design is None:
        return []
    named = [design.weights, design.strata, design.psu, design.fpc]
    given = [c for c in named if c is not None] + [*design.calibration, *design.poststrata]
    return list(dict.fromkeys(given))


def check_survey(survey: object, param: str = "survey") -> SurveyData:
    """Raise a clear error unless ``survey`` is a :class:`SurveyData`."""
    if not isinstance(survey, SurveyData):
        raise ArgumentError(
            f"`{param}` must be a SurveyData (e.g. gpcollab.load_survey(2017, 'gp')), but "
            f"{type(survey).__name__} was passed."
        )
    return survey


def respondent_frame(survey: SurveyData) -> pd.DataFrame:
    """A copy of ``survey.respondents`` to add columns to, without the set's ``attrs`` (pandas
    would deep-copy them into every table made from it)."""
    frame = survey.respondents.copy()
    frame.attrs.clear()
    return frame


def provenance(surveys: Sequence[SurveyData], analysis: str) -> dict[str, Any]:
    """The ``attrs`` every analysis table carries."""
    if len(surveys) == 1:
        meta = surveys[0].meta
        return {
            "wave": meta.wave,
            "instrument": meta.instrument.value,
            "organisation": meta.organisation,
            "synthetic": bool(meta.synthetic),
            "source": meta.source,
            "analysis": analysis,
        }
    return {
        "wave": [s.meta.wave for s in surveys],
        "instrument": [s.meta.instrument.value for s in surveys],
        "organisation": [s.meta.organisation for s in surveys],
        "synthetic": any(s.meta.synthetic for s in surveys),
        "source": "; ".join(s.meta.source for s in surveys),
        "analysis": analysis,
    }


def set_attrs(table: pd.DataFrame, attrs: Mapping[str, Any]) -> pd.DataFrame:
    """Replace ``table.attrs`` by ``attrs`` (in place) and return the table."""
    table.attrs.clear()
    table.attrs.update(attrs)
    return table


def funding_column(survey: SurveyData, source: str = FundingSource.ACCESS_FUND.value) -> pd.Series:
    """Whether each respondent's collaboration received funding from ``source``.

    Booleans as an ordered categorical ``[False, True]``, missing for respondents who were not
    asked about funding (those not in a collaboration).
    """
    survey.require("funding")
    check_choice(source, FundingSource.values(), "source")
    long = survey.multi["funding"]
    ticked = set(long.loc[long["option"] == source, "respondent_id"])
    values = survey.respondents["respondent_id"].isin(ticked).to_numpy()
    out = bool_categorical(values, survey.collaborating().to_numpy(), "funding")
    return out.set_axis(survey.respondents.index)


def bool_categorical(
    values: np.ndarray[Any, Any], known: np.ndarray[Any, Any], name: str
) -> pd.Series:
    """Ordered categorical ``[False, True]`` of ``values``, missing where ``known`` is False."""
    codes = np.where(np.asarray(known, dtype=bool), np.asarray(values, dtype=np.intp), -1)
    categorical = pd.Categorical.from_codes(
        codes.tolist(), categories=pd.Index([False, True]), ordered=True
    )
    return pd.Series(categorical, name=name)


def ticked(survey: SurveyData, item: str, option: str) -> pd.Series:
    """Boolean Series (aligned with ``respondents``): respondent ticked ``option`` of ``item``."""
    long = survey.multi[item]
    ids = set(long.loc[long["option"] == option, "respondent_id"])
    return survey.respondents["respondent_id"].isin(ids)


def aim_outcomes(survey: SurveyData) -> pd.DataFrame:
    """Outcome per respondent (rows aligned with ``respondents``) and aim (columns).

    One column per :class:`~gpcollab.vocab.Aim` value, in questionnaire order, each an ordered
    categorical of :class:`~gpcollab.vocab.Achievement`, missing where the aim was not set (as
    :meth:`SurveyData.aims_wide`, built from the codes in one pass).
    """
    survey.require("aims")
    aims = survey.aims
    assert aims is not None
    ids = pd.Index(survey.respondents["respondent_id"])
    codes = np.full((len(ids), len(Aim)), -1, dtype=np.intp)
    rows = ids.get_indexer(aims["respondent_id"])  # ids and aims were validated at construction
    aim = pd.Categorical(aims["aim"], dtype=Aim.dtype()).codes
    outcome = pd.Categorical(aims["outcome"], dtype=Achievement.dtype()).codes
    codes[rows, aim] = outcome
    dtype = Achievement.dtype()
    return pd.DataFrame(
        {
            value: pd.Categorical.from_codes(codes[:, j].tolist(), dtype=dtype)
            for j, value in enumerate(Aim.values())
        },
        index=survey.respondents.index,
    )


def achievement_levels(too_early: str, dont_know: str = "exclude") -> list[str]:
    """The outcomes kept in the base under the ``too_early`` and ``dont_know`` policies."""
    check_choice(too_early, TOO_EARLY_CHOICES, "too_early")
    check_choice(dont_know, DONT_KNOW_CHOICES, "dont_know")
    keep = [Achievement.FULLY.value, Achievement.PARTIALLY.value, Achievement.NOT_ACHIEVED.value]
    if too_early == "separate":
        keep.append(Achievement.TOO_EARLY.value)
    if dont_know == "separate":
        keep.append(Achievement.DONT_KNOW.value)
    return keep


def achievement_codes(outcome: pd.Series, too_early: str, dont_know: str = "exclude") -> pd.Series:
    """Recode an aim's outcomes under the ``too_early`` and ``dont_know`` policies.

    ``"exclude"`` leaves the answer out of the base (missing), ``"not_achieved"`` (too early
    only) counts it as not achieved, ``"separate"`` keeps it as an outcome of its own. Returns
    an ordered categorical over the outcomes kept in the base (:func:`achievement_levels`).
    """
    keep = achievement_levels(too_early, dont_know)
    target = {value: keep.index(value) for value in keep}
    if too_early == "not_achieved":
        target[Achievement.TOO_EARLY.value] = keep.index(Achievement.NOT_ACHIEVED.value)
    recode = np.array([target.get(value, -1) for value in Achievement.values()], dtype=np.intp)
    dtype = Achievement.dtype()
    coded = outcome.array if outcome.dtype == dtype else pd.Categorical(outcome, dtype=dtype)
    codes = np.asarray(coded.codes, dtype=np.intp)
    kept = np.where(codes >= 0, recode[codes], -1)
    categorical = pd.Categorical.from_codes(
        kept,  # type: ignore[arg-type]  # an integer array (the stubs ask for a list)
        categories=pd.Index(keep),
        ordered=True,
    )
    return pd.Series(categorical, index=outcome.index, name="outcome")


def resolve_by(
    survey: SurveyData, frame: pd.DataFrame, by: ByArg, param: str = "by"
) -> tuple[pd.DataFrame, list[str]]:
    """Add the ``by`` columns to ``frame`` (a copy of ``respondents``); return it and the names."""
    if by is None:
        return frame, []
    items: list[str | pd.Series] = [by] if isinstance(by, str | pd.Series) else list(by)
    names: list[str] = []
    for entry in items:
        if isinstance(entry, pd.Series):
            name = str(entry.name) if entry.name is not None else "group"
            if len(entry) != len(frame) or not entry.index.equals(frame.index):
                raise ArgumentError(
                    f"`{param}` Series {name!r} must be aligned with survey.respondents "
                    f"({len(frame)} rows, same index), but it has {len(entry)} rows."
                )
            frame[name] = (
                entry.to_numpy()
                if not isinstance(entry.dtype, pd.CategoricalDtype)
                else entry.array
            )
        elif isinstance(entry, str):
            name = entry
            if name == "funding":
                frame[name] = funding_column(survey).array
            elif name in ITEMS and ITEMS[name].kind == "single":
                survey.require(name)
            elif name not in frame.columns or name.startswith(HELPER_PREFIX):
                usable = [
                    c
                    for c in frame.columns
                    if c != "respondent_id" and not str(c).startswith(HELPER_PREFIX)
                ]
                raise ArgumentError(
                    f"`{param}` names {name!r}, which is neither a respondent column nor "
                    f"'funding'; usable: {[*usable, 'funding']!r}."
                )
        else:
            raise ArgumentError(
                f"`{param}` must hold column names or pandas Series, but {entry!r} was passed."
            )
        if name in names:
            raise ArgumentError(f"`{param}` lists {name!r} twice.")
        names.append(name)
    return frame, names


def two_designs(
    design: DesignArg | tuple[DesignArg, DesignArg], names: tuple[str, str]
) -> tuple[DesignArg, DesignArg]:
    """The designs of a two-sample analysis: ``design=(a, b)``, or one design for both."""
    if isinstance(design, tuple | list):
        if len(design) != 2:
            raise ArgumentError(
                f"`design` as a tuple must hold two designs, ({names[0]}, {names[1]}), but it "
                f"holds {len(design)}."
            )
        return design[0], design[1]
    return design, design
