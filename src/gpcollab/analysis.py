"""The questions analysts ask of a survey wave: prevalence, aims, achievement, STP and contracts.

Every public function here takes a :class:`~gpcollab.schema.SurveyData` (two for comparisons),
an optional survey design, and returns a tidy :class:`pandas.DataFrame` whose columns are
described in ``docs/analysis_api.md``: grouping columns first (ordered categoricals, so rows
sort in questionnaire order), then the estimate columns of the engine
(:func:`gpcollab.estimate_proportions`) plus ``count``, the unweighted number of respondents in
the numerator. Every estimate and interval comes from the engine; this module only decides who
is in the base and what counts as a "yes".

Conventions shared by all functions:

* ``design`` is a :class:`~gpcollab.design.SurveyDesign` whose column names refer to
  ``survey.respondents``, the name of a weight column (shorthand for
  ``SurveyDesign(weights=name)``), or ``None`` (simple random sample, equal weights).
* Estimates for a subgroup (the respondents in a collaboration, those who set an aim, a size
  band) are *domain* estimates: the rest of the sample stays in the design, as R's
  ``svyby``/``subset`` do.
* ``by`` takes respondent column names, the special name ``"funding"`` (the collaboration
  received GP Access Fund / Prime Minister's Challenge Fund money), or a
  :class:`pandas.Series` aligned with ``survey.respondents`` (for example
  :func:`gpcollab.whatif.reband`). Domains with no respondents are kept as rows with ``n = 0``
  and missing estimates, so a chart shows the gap rather than hiding the band.
* Every estimate of exactly 0 or 1 has ``boundary`` True and an exact interval. One
  :class:`~gpcollab.estimate.BoundaryWarning` per call says so when such an estimate has a base
  of at least :data:`~gpcollab.estimate.BOUNDARY_WARN_MIN_N` and a level somebody chose
  (silence it with ``warnings.filterwarnings("ignore", category=gpcollab.BoundaryWarning)``).
* ``DataFrame.attrs`` holds ``wave``, ``instrument``, ``synthetic``, ``source`` and
  ``analysis`` (the function name), and a ``disclosure`` hint read by
  :func:`gpcollab.disclosure.suppress`.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal, ParamSpec, TypeAlias, TypeVar

import numpy as np
import pandas as pd

from gpcollab._checks import check_aim, check_aims, check_choice, check_level, renamed_argument
from gpcollab._docstrings import share_docs
from gpcollab._respondents import (
    DONT_KNOW_CHOICES,
    HELPER_PREFIX,
    TOO_EARLY_CHOICES,
    ByArg,
    DesignArg,
    DontKnow,
    TooEarly,
    achievement_codes,
    aim_outcomes,
    as_design,
    check_survey,
    design_columns,
    provenance,
    resolve_by,
    respondent_frame,
    set_attrs,
    ticked,
    two_designs,
)
from gpcollab._stacked import (
    ANSWER,
    PART,
    stacked_differences,
    stacked_shares,
    stacked_yes_shares,
)
from gpcollab.design import SurveyDesign, prepare_design
from gpcollab.errors import ArgumentError, ConvergenceError, DesignError, GpcollabError
from gpcollab.estimate import ESTIMATE_COLUMNS as ESTIMATE_COLUMNS  # re-exported for plotting
from gpcollab.estimate import BoundaryWarning, estimate_proportions
from gpcollab.intervals import CIMethod, t_two_sided_p, wald_ci
from gpcollab.schema import ITEMS, SurveyData
from gpcollab.significance import chisq_test, trend_fields
from gpcollab.vocab import (
    Achievement,
    Aim,
    ContractWillingness,
    FundingSource,
    Instrument,
    Membership,
    Role,
)

__all__ = [
    "achievement_differences",
    "achievement_rates",
    "achievement_trend",
    "aims_chosen",
    "any_fully_achieved",
    "ccg_support",
    "compare_waves",
    "contract_reasons",
    "contract_willingness",
    "distribution",
    "funding_among_achievers",
    "prevalence",
    "stp_views",
]

Among: TypeAlias = Literal["all", "collaborating"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

#: Prefix of the helper columns this module adds to a copy of ``respondents``.
#: Column holding the 0/1 (or level) answer analysed in one call to the engine.
_Y = f"{HELPER_PREFIX}y"


_AMONG: tuple[str, ...] = ("all", "collaborating")


# ---------------------------------------------------------------------------------------------
# small shared helpers (also used by gpcollab.models and gpcollab.whatif)
# ---------------------------------------------------------------------------------------------


def boundary_once(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Collect the engine's boundary warnings and issue at most one per public call."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", BoundaryWarning)
            result = func(*args, **kwargs)
        hits = [w for w in caught if issubclass(w.category, BoundaryWarning)]
        for other in caught:  # pass on anything that is not a boundary warning
            if not issubclass(other.category, BoundaryWarning):
                warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
        if hits:  # the engine's first message says which estimate and how to silence it
            text = str(hits[0].message).replace(f"`{_Y}`", "the answer").replace(_Y, "answer")
            warnings.warn(f"{func.__name__}: {text}", BoundaryWarning, stacklevel=2)
        return result

    return wrapper


def _finish(
    table: pd.DataFrame,
    surveys: Sequence[SurveyData],
    analysis: str,
    *,
    groups: Sequence[str] = (),
    level_column: str | None = None,
    subtotals: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    table = set_attrs(table.reset_index(drop=True), provenance(surveys, analysis))
    table.attrs["disclosure"] = {
        "group_columns": list(groups),
        "level_column": level_column,
        "subtotals": dict(subtotals or {}),
    }
    return table


def _shares(
    frame: pd.DataFrame,
    y: str,
    by: list[str],
    design: SurveyDesign | None,
    ci_method: CIMethod,
    level: float,
) -> pd.DataFrame:
    """Engine proportions of each level of ``frame[y]`` (missing = outside the base), with
    ``count`` and the empty domains of categorical ``by`` columns added.

    ``frame[y]`` must be an ordered categorical. Rows with a missing ``y`` or ``by`` value stay
    in the design (domain estimation) but in no domain.
    """
    out = stacked_shares(frame, {y: frame[y]}, by, design, ci_method, level, {ANSWER: y})
    return out.drop(columns=[PART]).rename(columns={ANSWER: y})


def _yes_shares(
    frame: pd.DataFrame,
    yes: pd.Series,
    base: pd.Series,
    by: list[str],
    design: SurveyDesign | None,
    ci_method: CIMethod,
    level: float,
) -> pd.DataFrame:
    """Share answering "yes" among the ``base`` rows (booleans aligned with ``frame``).

    Returns the rows of the ``True`` level only, without the level column.
    """
    out = stacked_yes_shares(frame, {"yes": (yes, base)}, by, design, ci_method, level, {})
    return out.drop(columns=[PART])


def _options(
    frame: pd.DataFrame,
    flags: dict[str, tuple[pd.Series, pd.Series]],
    name: str,
    dtype: pd.CategoricalDtype,
    by: list[str],
    design: SurveyDesign | None,
    ci_method: CIMethod,
    level: float,
) -> pd.DataFrame:
    """Share answering "yes" of several outcomes in one engine call; the outcomes' labels
    (``flags`` in the order of ``dtype``) as the ``dtype`` column ``name`` after ``by``."""
    out = stacked_yes_shares(frame, flags, by, design, ci_method, level, {PART: name})
    out[PART] = pd.Categorical(out[PART], dtype=dtype)
    return out.rename(columns={PART: name})


def _selected(survey: SurveyData, item: str, index: pd.Index) -> dict[str, pd.Series]:
    """Whether each respondent ticked each option of a multi-select item (``index`` rows)."""
    wide = survey.selected(item)
    return {str(option): pd.Series(wide[option].to_numpy(), index=index) for option in wide.columns}


def _categorical(values: Sequence[str], choices: Sequence[str], name: str) -> pd.Series:
    return pd.Series(
        pd.Categorical(list(values), categories=list(choices), ordered=True), name=name
    )


# ---------------------------------------------------------------------------------------------
# 1. landscape
# ---------------------------------------------------------------------------------------------


@boundary_once
@share_docs
def prevalence(
    survey: SurveyData,
    *,
    by: ByArg = None,
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Share of respondents whose practice is in a formal, informal or no collaboration.

    Parameters
    ----------
    survey : SurveyData
        A GP-practice wave (it must ask ``membership``).
    {by}
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row per membership answer (``formal``, ``informal``, ``both``, ``none``,
        ``dont_know``) plus ``in_collaboration`` (formal, informal or both), per domain:
        the ``by`` columns, ``membership`` (text), then the estimate columns. The base is every
        respondent who answered the question.

    Raises
    ------
    MissingItemError
        The wave did not ask about membership (e.g. a CCG survey).

    See Also
    --------
    compare_waves : the change in a share between two waves, with its test.
    distribution : the answers to any other single-choice or multi-select item.

    Examples
    --------
    The bundled 2017 set (synthetic, rebuilt from the published figures) gives the published
    shares: 51% formal, 30% informal, 81% in a collaboration of either kind.

    >>> import warnings
    >>> import gpcollab
    >>> with warnings.catch_warnings():  # nobody answered "both": a boundary estimate of 0
    ...     warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
    ...     table = gpcollab.prevalence(gpcollab.load_survey(2017, "gp"))
    >>> shares = table.set_index("membership")["estimate"]
    >>> (100 * shares[["formal", "informal", "in_collaboration"]]).round().astype(int).tolist()
    [51, 30, 81]
    """
    survey = check_survey(survey)
    survey.require("membership")
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    des = as_design(design)
    answers = _shares(frame, "membership", by_cols, des, ci_method, level)
    answered = frame["membership"].notna()
    joined = _yes_shares(frame, survey.collaborating(), answered, by_cols, des, ci_method, level)
    joined.insert(len(by_cols), "membership", "in_collaboration")
    answers["membership"] = answers["membership"].astype(str)
    table = pd.concat([answers, joined], ignore_index=True)
    order = [*Membership.values(), "in_collaboration"]
    table["_order"] = table["membership"].map(order.index)
    table = table.sort_values([*by_cols, "_order"], kind="stable").drop(columns="_order")
    return _finish(
        table,
        [survey],
        "prevalence",
        groups=by_cols,
        level_column="membership",
        subtotals={"in_collaboration": [m.value for m in Membership.collaborating()]},
    )


@boundary_once
@share_docs
def distribution(
    survey: SurveyData,
    item: str,
    *,
    by: ByArg = None,
    among: Among = "collaborating",
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Distribution of the answers to one item, e.g. form, legal form, size band, age or level.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``item``.
    item : str
        A single-choice item (``"form"``, ``"legal_form"``, ``"size_band"``, ``"age_band"``,
        ``"level"``, ``"role"``, …) or a multi-select item (``"barriers"``, ``"funding"``,
        ``"drivers"``, …). For a multi-select item each option's row is the share ticking it
        (shares need not add up to 1).
    {by}
    among : {"collaborating", "all"}, default="collaborating"
        Base: respondents in a collaboration (formal, informal or both) or every respondent;
        in both cases only those who answered (for multi-select items: who were asked).
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``item`` (the item's name), ``option`` (ordered categorical of the
        item's answers), then the estimate columns.

    Raises
    ------
    MissingItemError
        The wave did not ask ``item``.

    See Also
    --------
    prevalence : membership of a collaboration, with its subtotal.
    aims_chosen : the aims collaborations set (a multi-answer item of its own).

    Examples
    --------
    46% of the 2017 respondents in a collaboration said it was over two years old (published):

    >>> import gpcollab
    >>> ages = gpcollab.distribution(gpcollab.load_survey(2017, "gp"), "age_band")
    >>> (100 * ages.set_index("option")["estimate"]).round().astype(int).to_dict()
    {'under_1y': 22, '1y_2y': 32, 'over_2y': 46}
    """
    survey = check_survey(survey)
    if item not in ITEMS or ITEMS[item].kind == "aims":
        usable = [name for name, spec in ITEMS.items() if spec.kind != "aims"]
        raise ArgumentError(f"`item` must be one of {usable!r}, but {item!r} was passed.")
    survey.require(item)
    check_choice(among, _AMONG, "among")
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    des = as_design(design)
    spec = ITEMS[item]
    in_base = (
        survey.collaborating()
        if among == "collaborating" and survey.asks("membership")
        else pd.Series(True, index=frame.index)
    )
    if spec.kind == "single":
        frame[_Y] = frame[item].where(in_base.astype(bool))
        table = _shares(frame, _Y, by_cols, des, ci_method, level).rename(columns={_Y: "option"})
    else:
        asked = _asked(survey, item) & in_base
        flags = {o: (t, asked) for o, t in _selected(survey, item, frame.index).items()}
        table = _options(
            frame, flags, "option", spec.choices.dtype(), by_cols, des, ci_method, level
        )
    table.insert(len(by_cols), "item", item)
    return _finish(
        table,
        [survey],
        "distribution",
        groups=[*by_cols, "item"],
        level_column="option" if spec.kind == "single" else None,
    )


def _asked(survey: SurveyData, item: str) -> pd.Series:
    """Who was asked a multi-select item (from the item's base in :data:`ITEMS`)."""
    base = ITEMS[item].base
    index = survey.respondents.index
    if base == "collaborating" and survey.asks("membership"):
        return survey.collaborating()
    if base == "gp_partners" and "role" in survey.respondents:
        return (survey.respondents["role"] == Role.GP_PARTNER.value).fillna(False)
    if base == "unwilling_partners" and survey.asks("contract_willingness"):
        unwilling = [ContractWillingness.VERY_UNWILLING.value, ContractWillingness.UNWILLING.value]
        return survey.respondents["contract_willingness"].isin(unwilling)
    return pd.Series(True, index=index)


def _indicator(survey: SurveyData, item: str, option: str | Sequence[str]) -> pd.DataFrame:
    """Columns ``yes`` and ``base`` (booleans aligned with respondents) for ``item == option``."""
    if item not in ITEMS:
        raise ArgumentError(f"`item` must be one of {list(ITEMS)!r}, but {item!r} was passed.")
    survey.require(item)
    spec = ITEMS[item]
    options = [option] if isinstance(option, str) else list(option)
    if not options:
        raise ArgumentError(
            "`success` must name at least one answer, but an empty list was passed."
        )
    index = survey.respondents.index
    if item == "membership" and options == ["in_collaboration"]:
        answered = survey.respondents["membership"].notna()
        return pd.DataFrame({"yes": survey.collaborating(), "base": answered}, index=index)
    allowed = spec.choices.values() + (["in_collaboration"] if item == "membership" else [])
    for value in options:
        check_choice(value, allowed, "success")
    if spec.kind == "single":
        answer = survey.respondents[item]
        return pd.DataFrame({"yes": answer.isin(options), "base": answer.notna()}, index=index)
    if spec.kind == "multi":
        yes = pd.Series(False, index=index)
        for value in options:
            yes |= ticked(survey, item, value)
        return pd.DataFrame({"yes": yes, "base": _asked(survey, item)}, index=index)
    wide = aim_outcomes(survey)  # aims: the collaboration set the aim
    yes = wide[options].notna().any(axis=1)
    return pd.DataFrame({"yes": yes, "base": _asked_aims(survey)}, index=index)


def _asked_aims(survey: SurveyData) -> pd.Series:
    if survey.asks("membership"):
        return survey.collaborating()
    return pd.Series(True, index=survey.respondents.index)


@share_docs
def compare_waves(
    first: SurveyData,
    second: SurveyData,
    item: str,
    success: str | Sequence[str] | None = None,
    *,
    design: DesignArg | tuple[DesignArg, DesignArg] = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
    option: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Change between two waves in the share giving an answer, with interval and test.

    Parameters
    ----------
    first, second : SurveyData
        The earlier and the later wave (e.g. GP 2015 and GP 2017).
    item : str
        An item both waves asked: single choice (``"membership"``, ``"form"``, …),
        multi-select (``"barriers"``, …) or ``"aims"``.
    success : str or sequence of str
        The answer(s) counted as a success; several answers are counted together. For
        ``membership`` the name ``"in_collaboration"`` counts formal, informal or both.
    {design_pair}
    {ci_method}
    {level}
    option : str or sequence of str, optional
        Deprecated name of ``success`` (removed in 0.3.0).

    Returns
    -------
    pandas.DataFrame
        One row: ``item``, ``option``, ``wave_first``, ``wave_second``, ``estimate_first``,
        ``estimate_second``, ``n_first``, ``n_second``, ``count_first``, ``count_second``,
        ``ci_low_first``/``ci_high_first``/``ci_low_second``/``ci_high_second``,
        ``difference`` (second − first), ``se``, ``ci_low``, ``ci_high``, ``df``,
        ``statistic``, ``p_value``, ``conf_level``.

    Raises
    ------
    MissingItemError
        One of the waves did not ask ``item`` (the message names the wave).

    See Also
    --------
    gpcollab.compare_proportions : the engine's comparison of two samples of any table.
    prevalence, distribution : the share in one wave.

    Notes
    -----
    Each wave's share is the engine's domain estimate over the respondents who answered (for a
    collaboration item: respondents in a collaboration who answered). The waves are independent
    samples, so the SE of the difference is ``sqrt(se_first² + se_second²)``; the interval and
    the two-sided test use t on ``df_first + df_second − 1`` degrees of freedom, as
    :func:`gpcollab.compare_proportions` (R's ``svyglm(y ~ wave)`` on the stacked waves).

    Examples
    --------
    >>> import gpcollab
    >>> gp15 = gpcollab.load_survey(2015, "gp")
    >>> gp17 = gpcollab.load_survey(2017, "gp")
    >>> change = gpcollab.compare_waves(gp15, gp17, "membership", "in_collaboration")
    >>> change[["estimate_first", "estimate_second"]].round(2).iloc[0].tolist()
    [0.73, 0.81]
    """
    first = check_survey(first, "first")
    second = check_survey(second, "second")
    chosen = renamed_argument("compare_waves", "option", "success", option, success)
    if chosen is None:
        raise ArgumentError(
            "compare_waves needs `success`: the answer(s) of `item` counted, e.g. "
            "compare_waves(gp2015, gp2017, 'membership', 'in_collaboration')."
        )
    conf = check_level(level)
    designs = two_designs(design, ("first", "second"))
    results = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BoundaryWarning)
        for survey, des in zip((first, second), designs, strict=True):
            ind = _indicator(survey, item, chosen)
            frame = respondent_frame(survey)
            row = _yes_shares(frame, ind["yes"], ind["base"], [], as_design(des), ci_method, conf)
            results.append(row.iloc[0])
    for other in caught:  # pass on anything that is not a boundary warning
        if not issubclass(other.category, BoundaryWarning):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    hits = [w for w in caught if issubclass(w.category, BoundaryWarning)]
    if hits:
        warnings.warn(f"compare_waves: {hits[0].message}", BoundaryWarning, stacklevel=2)
    a, b = results
    diff = float(b["estimate"] - a["estimate"])
    se = float(np.hypot(a["se"], b["se"]))
    df = float(a["df"] + b["df"] - 1)
    if not df >= 1:
        raise DesignError(
            f"The waves have design df {a['df']} and {b['df']}; no degrees of freedom remain "
            "for the comparison."
        )
    low, high = wald_ci(np.array([diff]), np.array([se]), np.array([df]), conf)
    statistic = diff / se if se > 0 else float("nan")
    p_value = float(t_two_sided_p(statistic, df)) if se > 0 else float("nan")
    label = chosen if isinstance(chosen, str) else "+".join(chosen)
    table = pd.DataFrame(
        {
            "item": [item],
            "option": [label],
            "wave_first": [first.meta.wave],
            "wave_second": [second.meta.wave],
            "estimate_first": [float(a["estimate"])],
            "estimate_second": [float(b["estimate"])],
            "n_first": [int(a["n"])],
            "n_second": [int(b["n"])],
            "count_first": [int(a["count"])],
            "count_second": [int(b["count"])],
            "ci_low_first": [float(a["ci_low"])],
            "ci_high_first": [float(a["ci_high"])],
            "ci_low_second": [float(b["ci_low"])],
            "ci_high_second": [float(b["ci_high"])],
            "difference": [diff],
            "se": [se],
            "ci_low": [float(low[0])],
            "ci_high": [float(high[0])],
            "df": [df],
            "statistic": [statistic],
            "p_value": [p_value],
            "conf_level": [conf],
        }
    )
    return _finish(table, [first, second], "compare_waves")


# ---------------------------------------------------------------------------------------------
# 2-3. aims and their achievement
# ---------------------------------------------------------------------------------------------


def _aim_list(survey: SurveyData, aims: str | Sequence[str] | None) -> list[str]:
    if aims is None:
        present = set(survey.aims["aim"].dropna().astype(str)) if survey.aims is not None else set()
        return [a for a in Aim.values() if a in present]
    return check_aims(aims)  # codes or labels, as codes


@boundary_once
@share_docs
def aims_chosen(
    survey: SurveyData,
    *,
    by: ByArg = None,
    among: Among = "collaborating",
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Share of respondents whose collaboration set each aim, overall or by domain.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims``.
    by : str, Series or list, optional
        Domains, e.g. ``"size_band"`` or ``reband(survey, [100_000])``.
    among : {"collaborating", "all"}, default="collaborating"
        Base: respondents in a collaboration, or every respondent.
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``aim`` (ordered categorical), then the estimate columns; one row
        per aim in the vocabulary (and domain). Aims are chosen together, so shares need not add
        up to 1.

    See Also
    --------
    achievement_rates : how far each aim was achieved by those who set it.

    Examples
    --------
    52% of the 2017 respondents in a collaboration said it set out to widen access (published):

    >>> import gpcollab
    >>> survey = gpcollab.load_survey(2017, "gp")
    >>> aims = gpcollab.aims_chosen(survey)
    >>> round(100 * float(aims.loc[aims["aim"] == "access", "estimate"].iloc[0]))
    52
    >>> by_size = gpcollab.aims_chosen(survey, by=gpcollab.reband(survey, [100_000]))
    >>> by_size["size_group"].cat.categories.tolist()
    ['under 100,000', '100,000 or more']
    """
    survey = check_survey(survey)
    survey.require("aims")
    check_choice(among, _AMONG, "among")
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    des = as_design(design)
    wide = aim_outcomes(survey)
    base = _asked_aims(survey) if among == "collaborating" else pd.Series(True, index=frame.index)
    flags = {aim: (wide[aim].notna(), base) for aim in Aim.values()}
    table = _options(frame, flags, "aim", Aim.dtype(), by_cols, des, ci_method, level)
    return _finish(table, [survey], "aims_chosen", groups=by_cols)


@boundary_once
@share_docs
def achievement_rates(
    survey: SurveyData,
    *,
    by: ByArg = None,
    aims: str | Sequence[str] | None = None,
    too_early: TooEarly = "exclude",
    dont_know: DontKnow = "exclude",
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """How far each aim was achieved: shares fully, partially and not achieved, with intervals.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims``.
    {by}
    aims : str or sequence of str, optional
        Aims to report; default every aim at least one respondent set, in questionnaire order.
    {too_early}
    {dont_know}
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``aim``, ``outcome`` (ordered categorical), then the estimate
        columns. ``n`` is the number of respondents who set the aim and gave an outcome in the
        base; the outcomes of one aim and domain add up to 1.

    See Also
    --------
    aims_chosen : which aims were set.
    any_fully_achieved : one or more aims fully achieved.
    achievement_trend : the trend of full achievement across ordered bands.
    gpcollab.achievement_model : a logistic model of full achievement.

    Notes
    -----
    The published shares of one aim (34% of those aiming to improve access fully achieved it,
    47% partially; 11% for sustainability) are over everyone whose collaboration set the aim
    (register assumption A-20, ``all_setters``): reproduce them with
    ``too_early="separate", dont_know="separate"``. The default gives the shares among
    substantive answers (fully, partially or not achieved).

    Examples
    --------
    >>> import gpcollab
    >>> survey = gpcollab.load_survey(2017, "gp")
    >>> rates = gpcollab.achievement_rates(
    ...     survey, aims="access", too_early="separate", dont_know="separate"
    ... )
    >>> shares = (100 * rates.set_index("outcome")["estimate"]).round().astype(int)
    >>> shares[["fully", "partially"]].to_dict()  # the published shares (S-04, S-05)
    {'fully': 34, 'partially': 47}
    """
    survey = check_survey(survey)
    survey.require("aims")
    check_choice(too_early, TOO_EARLY_CHOICES, "too_early")
    check_choice(dont_know, DONT_KNOW_CHOICES, "dont_know")
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    des = as_design(design)
    wide = aim_outcomes(survey)
    chosen = _aim_list(survey, aims)
    if not chosen:
        raise DesignError("No respondent in this set chose any aim; there is nothing to rate.")
    outcomes = {
        aim: achievement_codes(wide[aim], too_early, dont_know)
        for aim in Aim.values()
        if aim in chosen
    }
    names = {PART: "aim", ANSWER: "outcome"}
    table = stacked_shares(frame, outcomes, by_cols, des, ci_method, level, names)
    table[PART] = pd.Categorical(table[PART], dtype=Aim.dtype())
    table[ANSWER] = pd.Categorical(
        table[ANSWER], dtype=Achievement.dtype()
    ).remove_unused_categories()
    table = table.rename(columns={PART: "aim", ANSWER: "outcome"})
    return _finish(
        table,
        [survey],
        "achievement_rates",
        groups=[*by_cols, "aim"],
        level_column="outcome",
    )


@share_docs
def achievement_differences(
    survey: SurveyData,
    *,
    by: ByArg = None,
    aims: str | Sequence[str] | None = None,
    success: str | Sequence[str] = "fully",
    within: ByArg = None,
    too_early: TooEarly = "exclude",
    dont_know: DontKnow = "exclude",
    design: DesignArg = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Design-based differences in achieving each aim between every pair of groups.

    Whether two groups' intervals overlap is no test of a difference: the groups of one table
    share the design's PSUs, so their estimates are correlated. Each row here is the
    difference between two groups' shares of ``success`` among those who set the aim, with
    its standard error from their covariance (:func:`gpcollab.compare_domains`, R's
    ``svyby(..., covmat=TRUE)`` and ``svycontrast``), a t test and an interval.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims``.
    by : str, Series or list
        Required: the groups compared, respondent column names (``"size_band"``, ``"age_band"``,
        ``"level"``, ...), ``"funding"``, a :class:`pandas.Series` aligned with
        ``survey.respondents`` (such as :func:`gpcollab.whatif.reband`), or a list of these
        (groups are their combinations).
    aims : str or sequence of str, optional
        Aims to compare; default every aim at least one respondent set, in questionnaire order.
    success : str or sequence of str, default="fully"
        The outcome(s) counted as achieving the aim (:class:`~gpcollab.vocab.Achievement`
        values), e.g. ``("fully", "partially")``; the share is that of
        :func:`achievement_rates` (the sum of its rows for several outcomes).
    within : str, Series or list, optional
        Columns held fixed, as ``by``: only groups with the same ``within`` values are
        compared (e.g. ``by="size_band", within="age_band"``). Pairs are always within an aim.
    {too_early}
    {dont_know}
    {design}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row per aim and pair of groups that both have respondents in the base: ``aim``,
        the ``within`` columns, ``<col>_first`` for each ``by`` column then ``<col>_second``
        for each (the two groups, in the table's order: category order, else sorted),
        ``difference`` (second share minus first), ``se``, ``df``, ``statistic``
        (``difference / se``), ``p_value`` (two-sided t on ``df``), ``ci_low``, ``ci_high``,
        ``conf_level``, ``test`` (``"t"``), ``estimate_first``, ``estimate_second`` (the two
        shares), ``n_first``, ``n_second`` (respondents in the base of each group).

    Raises
    ------
    MissingItemError
        The wave did not ask about aims.
    DesignError
        No aim has respondents in two groups to compare.

    See Also
    --------
    achievement_rates : the shares themselves, with their intervals.
    gpcollab.compare_domains : the engine's comparison of the domains of any table.

    Notes
    -----
    ``df`` is the design's degrees of freedom (PSUs minus strata: ``n - 1`` without a design),
    as R's ``degf(design)`` in ``confint(svycontrast(...), df = degf(design))``. All aims are
    estimated in one pass.

    Examples
    --------
    >>> import gpcollab
    >>> gaps = gpcollab.achievement_differences(
    ...     gpcollab.load_survey(2017, "gp"), by="size_band", aims="access"
    ... )
    >>> gaps.columns[:3].tolist()
    ['aim', 'size_band_first', 'size_band_second']
    >>> len(gaps)  # every pair of the five size bands
    10
    """
    survey = check_survey(survey)
    survey.require("aims")
    conf = check_level(level)
    wanted = [success] if isinstance(success, str) else list(success)
    if not wanted:
        raise ArgumentError(
            "`success` must name at least one outcome, but an empty list was passed."
        )
    for value in wanted:
        check_choice(value, Achievement.values(), "success")
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    if not by_cols:
        raise ArgumentError("`by` must name the groups to compare, e.g. by='size_band'.")
    frame, within_cols = resolve_by(survey, frame, within, param="within")
    both_named = sorted(set(by_cols) & set(within_cols))
    if both_named:
        raise ArgumentError(f"Column(s) {both_named!r} are named in both `by` and `within`.")
    wide = aim_outcomes(survey)
    chosen = _aim_list(survey, aims)
    outcomes = {}
    for aim in Aim.values():
        if aim in chosen:
            kept = achievement_codes(wide[aim], too_early, dont_know)
            hit = kept.isin(wanted).to_numpy(dtype=np.float64)
            outcomes[aim] = pd.Series(np.where(kept.isna(), np.nan, hit), index=frame.index)
    table = (
        stacked_differences(frame, outcomes, by_cols, within_cols, as_design(design), conf)
        if outcomes
        else None
    )
    if table is None:
        raise DesignError(
            f"No aim has respondents in two groups of {by_cols!r} to compare"
            + (f" within the same {within_cols!r}" if within_cols else "")
            + "."
        )
    table[PART] = pd.Categorical(table[PART], dtype=Aim.dtype())
    table = table.rename(columns={PART: "aim"})
    return _finish(table, [survey], "achievement_differences", groups=["aim", *within_cols])


@boundary_once
@share_docs
def any_fully_achieved(
    survey: SurveyData,
    *,
    by: ByArg = None,
    among: Literal["collaborating", "set_an_aim", "all"] = "collaborating",
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Share of respondents with one or more of their collaboration's aims fully achieved.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims``.
    {by}
    among : {"collaborating", "set_an_aim", "all"}, default="collaborating"
        Base: respondents in a collaboration (the register's reading, assumption A-05), those
        whose collaboration set at least one aim, or every respondent.
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row (per domain): the ``by`` columns, then the estimate columns.

    See Also
    --------
    achievement_rates : the outcome of each aim on its own.

    Examples
    --------
    "About a third" of the 2017 respondents in a collaboration saw at least one of its aims
    met in full (published in words; the synthetic set has 38%):

    >>> import gpcollab
    >>> share = gpcollab.any_fully_achieved(gpcollab.load_survey(2017, "gp"))["estimate"]
    >>> 0.3 < float(share.iloc[0]) < 0.4
    True
    """
    survey = check_survey(survey)
    survey.require("aims")
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    check_choice(among, ("collaborating", "set_an_aim", "all"), "among")
    wide = aim_outcomes(survey)
    if among == "collaborating":
        base = _asked_aims(survey)
    elif among == "set_an_aim":
        base = wide.notna().any(axis=1)
    else:
        base = pd.Series(True, index=frame.index)
    yes = (wide == Achievement.FULLY.value).any(axis=1)
    table = _yes_shares(frame, yes, base, by_cols, as_design(design), ci_method, level)
    return _finish(table, [survey], "any_fully_achieved", groups=by_cols)


@boundary_once
@share_docs
def funding_among_achievers(
    survey: SurveyData,
    *,
    by: ByArg = None,
    aim: str = "access",
    source: str = "access_fund",
    outcomes: Sequence[str] = ("fully", "partially"),
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Of respondents who (fully or partially) achieved an aim, the share who had a funding source.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims`` and ``funding``.
    {by}
    aim : str, default="access"
        The aim (an :class:`~gpcollab.vocab.Aim` value).
    source : str, default="access_fund"
        A :class:`~gpcollab.vocab.FundingSource` value (GP Access Fund / Challenge Fund).
    outcomes : sequence of str, default=("fully", "partially")
        Outcomes that put a respondent in the base.
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row (per domain): the ``by`` columns, ``aim``, ``source``, then the estimate columns.

    See Also
    --------
    achievement_rates : how far the aim was achieved.

    Examples
    --------
    "About a fifth" of those who fully or partly met the access aim had Challenge Fund or GP
    Access Fund money (published in words):

    >>> import gpcollab
    >>> table = gpcollab.funding_among_achievers(gpcollab.load_survey(2017, "gp"))
    >>> round(float(table["estimate"].iloc[0]), 1)
    0.2
    """
    survey = check_survey(survey)
    survey.require("aims", "funding")
    aim = check_aim(aim)
    check_choice(source, FundingSource.values(), "source")
    chosen = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    for value in chosen:
        check_choice(value, Achievement.values(), "outcomes")
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    base = aim_outcomes(survey)[aim].isin(chosen)
    yes = ticked(survey, "funding", source)
    table = _yes_shares(frame, yes, base, by_cols, as_design(design), ci_method, level)
    table.insert(len(by_cols), "aim", aim)
    table["aim"] = pd.Categorical(table["aim"], dtype=Aim.dtype())
    table.insert(len(by_cols) + 1, "source", source)
    return _finish(table, [survey], "funding_among_achievers", groups=by_cols)


# ---------------------------------------------------------------------------------------------
# 4. associations
# ---------------------------------------------------------------------------------------------


@share_docs
def achievement_trend(
    survey: SurveyData,
    *,
    aims: str | Sequence[str] | None = None,
    across: str = "age_band",
    too_early: TooEarly = "exclude",
    dont_know: DontKnow = "exclude",
    design: DesignArg = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Trend in full achievement of each aim across ordered bands (default: collaboration age).

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims`` and ``across``.
    aims : str or sequence of str, optional
        Default: every aim at least one respondent set.
    across : str, default="age_band"
        An ordered respondent column (``"age_band"``, ``"size_band"``, ``"level"``).
    too_early : {"exclude", "not_achieved", "separate"}, default="exclude"
        "Too early to say" is left out of the base, or (``"not_achieved"`` and ``"separate"``
        alike) kept in it as not fully achieved.
    dont_know : {"exclude", "separate"}, default="exclude"
        The same for "don't know". The register's association checks keep both in the base.
    {design}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row per aim: ``aim``, ``across``, ``n``, ``odds_ratio_per_step`` (odds ratio of full
        achievement per band step), ``or_ci_low``, ``or_ci_high`` (its interval), ``statistic``,
        ``df``, ``p_value``, ``direction`` (``"increasing"``, ``"decreasing"``, ``"flat"``),
        ``method`` and ``note`` (why a row is empty, e.g. a single band observed).

    See Also
    --------
    gpcollab.trend_test : the engine's trend test of any table.
    achievement_rates : the rates themselves, e.g. ``by="age_band"``.

    Notes
    -----
    Each aim's test is :func:`gpcollab.trend_test` (a design-based logistic regression of full
    achievement on band scores 0, 1, 2, …, Wald t on the slope) fitted to the respondents who
    set the aim and are in the base. When a band has no success (or no failure) the slope is
    infinite; the row then reports the Rao–Scott F test of band by outcome
    (:func:`gpcollab.chisq_test`, ``statistic`` is F), the direction of the engine's rates
    from the lowest to the highest observed band, and no odds ratio (``method`` says which
    test was used). Under a clustered design the tests use the subset of rows in the base,
    not a domain analysis.

    Examples
    --------
    Older collaborations more often fully achieved better staff experience (published as an
    association):

    >>> import gpcollab
    >>> trend = gpcollab.achievement_trend(gpcollab.load_survey(2017, "gp"), aims="staff")
    >>> trend[["aim", "direction"]].iloc[0].tolist()
    ['staff', 'increasing']
    >>> bool(trend["or_ci_low"].iloc[0] < trend["odds_ratio_per_step"].iloc[0])
    True
    """
    survey = check_survey(survey)
    survey.require("aims", across)
    check_choice(too_early, TOO_EARLY_CHOICES, "too_early")
    check_choice(dont_know, DONT_KNOW_CHOICES, "dont_know")
    conf = check_level(level)
    des = as_design(design)
    band = survey.respondents[across]
    if not (isinstance(band.dtype, pd.CategoricalDtype) and band.dtype.ordered):
        raise ArgumentError(f"`across` must name an ordered band column, but {across!r} is not.")
    wide = aim_outcomes(survey)
    if des is not None:
        prepare_design(survey.respondents, des)  # its errors list the respondents' columns
    needed = [across, *(c for c in design_columns(des) if c != across)]
    # the columns as arrays, once: each aim's frame is built from them (cheaper than .loc)
    arrays = {column: survey.respondents[column].array for column in needed}
    band_known = band.notna().to_numpy()
    rows = []
    for aim in _aim_list(survey, aims):
        outcome = achievement_codes(wide[aim], too_early, dont_know)
        keep = outcome.notna().to_numpy() & band_known
        fully = outcome.to_numpy()[keep] == Achievement.FULLY.value
        data = pd.DataFrame(
            {**{column: values[keep] for column, values in arrays.items()}, _Y: fully},
            index=survey.respondents.index[keep],
        )
        row: dict[str, Any] = {"aim": aim, "across": across, "n": int(keep.sum())}
        empty = dict.fromkeys(
            ("odds_ratio_per_step", "or_ci_low", "or_ci_high", "statistic", "df", "p_value"),
            np.nan,
        )
        try:
            res = trend_fields(data, _Y, across, design=des, level=conf)
        except ConvergenceError:
            try:
                chi = chisq_test(data, across, _Y, design=des).iloc[0]
                rates = _band_rates(data, across, des)
            except GpcollabError as error:
                row.update(empty, direction=None, method="", note=str(error))
            else:
                first, last = rates[0], rates[-1]
                direction = (
                    "increasing" if last > first else "decreasing" if last < first else "flat"
                )
                row.update(
                    empty,
                    statistic=float(chi["statistic"]),
                    df=float(chi["ddf"]),
                    p_value=float(chi["p_value"]),
                    direction=direction,
                    method="Rao-Scott F test of band by outcome (logistic slope separated)",
                    note="a band has no full achievement (or only full achievement); "
                    "rates by band: " + ", ".join(f"{r:.1%}" for r in rates),
                )
        except DesignError as error:
            row.update(empty, direction=None, method="", note=str(error))
        else:
            row.update(
                odds_ratio_per_step=float(res["odds_ratio"]),
                or_ci_low=float(res["or_ci_low"]),
                or_ci_high=float(res["or_ci_high"]),
                statistic=float(res["statistic"]),
                df=float(res["df"]),
                p_value=float(res["p_value"]),
                direction=str(res["direction"]),
                method="design-based logistic trend (Wald t of the slope per band)",
                note="",
            )
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        raise DesignError("No respondent in this set chose any aim; there is no trend to test.")
    table["aim"] = pd.Categorical(table["aim"], dtype=Aim.dtype())
    return _finish(table, [survey], "achievement_trend")


def _band_rates(data: pd.DataFrame, across: str, design: SurveyDesign | None) -> list[float]:
    """Engine estimates of the share fully achieving, by observed band (in band order)."""
    frame = data.copy(deep=False)  # the caller's frame keeps its column
    frame[across] = frame[across].cat.remove_unused_categories()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BoundaryWarning)  # rates of 0 are expected here
        rates = estimate_proportions(frame, _Y, by=across, design=design)
    return [float(v) for v in rates.loc[rates[_Y] == True, "estimate"]]  # noqa: E712


# ---------------------------------------------------------------------------------------------
# 5. STP, contracts and CCG views
# ---------------------------------------------------------------------------------------------


def _single_shares(
    survey: SurveyData,
    item: str,
    base: pd.Series | None,
    by: ByArg,
    design: DesignArg,
    ci_method: CIMethod,
    level: float,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The shares of the answers to ``item`` among ``base``; the frame and ``by`` columns used."""
    survey.require(item)
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    answer = frame[item]
    frame[_Y] = answer if base is None else answer.where(base.to_numpy(dtype=bool))
    table = _shares(frame, _Y, by_cols, as_design(design), ci_method, level)
    return table.rename(columns={_Y: "option"}), frame, by_cols


@boundary_once
@share_docs
def stp_views(
    gp_survey: SurveyData,
    ccg_survey: SurveyData,
    item: str = "stp_influence",
    *,
    design: DesignArg | tuple[DesignArg, DesignArg] = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """GP and CCG answers side by side on the STP: its influence or the change it will bring.

    Parameters
    ----------
    gp_survey, ccg_survey : SurveyData
        The GP-practice and the CCG instrument of one wave (2017).
    item : {"stp_influence", "stp_change"}, default="stp_influence"
        Influence of practices and collaborations in shaping the STP, or how probable
        meaningful STP-driven change in primary care is.
    {design_pair}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        One row per instrument and answer: ``instrument`` (ordered categorical), ``option``,
        then the estimate columns. The base is everyone who answered, "don't know" included.

    See Also
    --------
    distribution : the answers to an item within one instrument.
    compare_waves : one share compared between two samples, with its test.

    Examples
    --------
    61% of CCG respondents but only about a fifth of practice staff expected STP-driven change
    in primary care (published):

    >>> import warnings
    >>> import gpcollab
    >>> gp, ccg = gpcollab.load_survey(2017, "gp"), gpcollab.load_survey(2017, "ccg")
    >>> with warnings.catch_warnings():  # no CCG respondent said "very probable": 0
    ...     warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
    ...     views = gpcollab.stp_views(gp, ccg, "stp_change")
    >>> likely = views[views["option"].isin(["probable", "very_probable"])]
    >>> (100 * likely.groupby("instrument", observed=True)["estimate"].sum()).round().to_dict()
    {'gp': 20.0, 'ccg': 61.0}
    """
    gp_survey = check_survey(gp_survey, "gp_survey")
    ccg_survey = check_survey(ccg_survey, "ccg_survey")
    check_choice(item, ("stp_influence", "stp_change"), "item")
    designs = two_designs(design, ("gp", "ccg"))
    parts = []
    for survey, des in zip((gp_survey, ccg_survey), designs, strict=True):
        part, _, _ = _single_shares(survey, item, None, None, des, ci_method, level)
        part.insert(0, "instrument", survey.meta.instrument.value)
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    table["instrument"] = pd.Categorical(table["instrument"], dtype=Instrument.dtype())
    return _finish(
        table,
        [gp_survey, ccg_survey],
        "stp_views",
        groups=["instrument"],
        level_column="option",
    )


_UNWILLING = ("very_unwilling", "unwilling")
_WILLING = ("willing", "very_willing")


@boundary_once
@share_docs
def contract_willingness(
    survey: SurveyData,
    *,
    by: ByArg = None,
    combine: bool = False,
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """GP partners' willingness to leave their practice contract for a new care model.

    Parameters
    ----------
    survey : SurveyData
        A GP wave asking ``contract_willingness`` (2017).
    {by}
    combine : bool, default=False
        Also report ``"unwilling_any"`` (very unwilling or unwilling) and ``"willing_any"``
        (willing or very willing), each estimated by the engine.
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``option`` (ordered categorical; text when ``combine``), then the
        estimate columns. Base: GP partners who answered, "don't know" included.

    See Also
    --------
    contract_reasons : why the unwilling partners would keep their contract.

    Examples
    --------
    The published split of the 241 partners who answered: 32% very unwilling, 21% unwilling,
    14% neither, 18% willing, 9% very willing, 7% don't know:

    >>> import gpcollab
    >>> table = gpcollab.contract_willingness(gpcollab.load_survey(2017, "gp"))
    >>> (100 * table["estimate"]).round().astype(int).tolist()
    [32, 21, 14, 18, 9, 7]
    >>> int(table["n"].iloc[0])
    241
    """
    survey = check_survey(survey)
    survey.require("contract_willingness")
    partners = _partners(survey)
    table, frame, by_cols = _single_shares(
        survey, "contract_willingness", partners, by, design, ci_method, level
    )
    subtotals: dict[str, list[str]] = {}
    if combine:
        answer = survey.respondents["contract_willingness"]
        base = answer.notna() & partners
        subtotals = {"unwilling_any": list(_UNWILLING), "willing_any": list(_WILLING)}
        flags = {name: (answer.isin(group), base) for name, group in subtotals.items()}
        des = as_design(design)
        extra = stacked_yes_shares(frame, flags, by_cols, des, ci_method, level, {PART: "option"})
        extra = extra.rename(columns={PART: "option"})
        extra["option"] = extra["option"].astype(str)
        table["option"] = table["option"].astype(str)
        table = pd.concat([table, extra], ignore_index=True)
        order = [*ContractWillingness.values(), "unwilling_any", "willing_any"]
        table["_order"] = table["option"].map(order.index)
        table = table.sort_values([*by_cols, "_order"], kind="stable").drop(columns="_order")
    return _finish(
        table,
        [survey],
        "contract_willingness",
        groups=by_cols,
        level_column="option",
        subtotals=subtotals,
    )


def _partners(survey: SurveyData) -> pd.Series:
    if "role" not in survey.respondents:
        return pd.Series(True, index=survey.respondents.index)
    return (survey.respondents["role"] == Role.GP_PARTNER.value).fillna(False)


def _multi_table(
    survey: SurveyData,
    item: str,
    base: pd.Series,
    by: ByArg,
    design: DesignArg,
    ci_method: CIMethod,
    level: float,
) -> tuple[pd.DataFrame, list[str]]:
    survey.require(item)
    frame, by_cols = resolve_by(survey, respondent_frame(survey), by)
    flags = {o: (t, base) for o, t in _selected(survey, item, frame.index).items()}
    dtype = ITEMS[item].choices.dtype()
    des = as_design(design)
    return _options(frame, flags, "option", dtype, by_cols, des, ci_method, level), by_cols


@boundary_once
@share_docs
def contract_reasons(
    survey: SurveyData,
    *,
    by: ByArg = None,
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """Reasons GP partners gave for not leaving their contract (multi-select).

    Parameters
    ----------
    survey : SurveyData
        A GP wave asking ``contract_reasons`` (2017).
    {by}
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``option`` (ordered categorical), then the estimate columns: the
        share ticking each reason. Base: GP partners who said they were very unwilling or
        unwilling to leave their contract.

    See Also
    --------
    contract_willingness : how willing partners were to leave their contract.

    Examples
    --------
    The published shares among reluctant partners: 81% fear losing control, 63% flexibility,
    63% continuity of care, 48% do not want to be salaried.

    >>> import gpcollab
    >>> reasons = gpcollab.contract_reasons(gpcollab.load_survey(2017, "gp"))
    >>> shares = (100 * reasons.set_index("option")["estimate"]).round().astype(int)
    >>> shares[["lose_control", "lose_flexibility", "continuity", "salaried"]].tolist()
    [81, 63, 63, 48]
    """
    survey = check_survey(survey)
    survey.require("contract_reasons", "contract_willingness")
    base = survey.respondents["contract_willingness"].isin(_UNWILLING) & _partners(survey)
    table, by_cols = _multi_table(survey, "contract_reasons", base, by, design, ci_method, level)
    return _finish(table, [survey], "contract_reasons", groups=by_cols)


@boundary_once
@share_docs
def ccg_support(
    survey: SurveyData,
    *,
    by: ByArg = None,
    item: Literal["ccg_support", "ccg_encouragement"] = "ccg_support",
    design: DesignArg = None,
    ci_method: CIMethod = "logit",
    level: float = 0.95,
) -> pd.DataFrame:
    """What CCGs said about encouraging and supporting collaboration.

    Parameters
    ----------
    survey : SurveyData
        A CCG wave.
    {by}
    item : {"ccg_support", "ccg_encouragement"}, default="ccg_support"
        ``"ccg_support"``: share of CCGs giving each kind of support (multi-select);
        ``"ccg_encouragement"``: distribution of the CCG's stance (single choice).
    {design}
    {ci_method}
    {level}

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``option`` (ordered categorical), then the estimate columns. Base:
        every respondent (who answered, for the single-choice item).

    See Also
    --------
    stp_views : CCG and practice views of the STP side by side.

    Examples
    --------
    98% of the 2017 CCG respondents said their CCG actively promoted collaboration (published):

    >>> import warnings
    >>> import gpcollab
    >>> ccg = gpcollab.load_survey(2017, "ccg")
    >>> with warnings.catch_warnings():  # no respondent said "not involved": 0
    ...     warnings.simplefilter("ignore", gpcollab.BoundaryWarning)
    ...     stance = gpcollab.ccg_support(ccg, item="ccg_encouragement")
    >>> round(100 * float(stance.loc[stance["option"] == "actively", "estimate"].iloc[0]))
    98
    """
    survey = check_survey(survey)
    check_choice(item, ("ccg_support", "ccg_encouragement"), "item")
    if item == "ccg_support":
        base = pd.Series(True, index=survey.respondents.index)
        table, by_cols = _multi_table(survey, item, base, by, design, ci_method, level)
        level_column = None
    else:
        table, _, by_cols = _single_shares(survey, item, None, by, design, ci_method, level)
        level_column = "option"
    return _finish(table, [survey], "ccg_support", groups=by_cols, level_column=level_column)
