"""What-if analyses: re-banding collaboration size, standardisation, projection onto PCNs.

* :func:`reband` re-cuts collaboration size at other thresholds (for example the 50,000 of 2015
  or the 100,000 of 2017), for use as ``by=`` or as a model term.
* :func:`standardise` answers "what would the full-achievement rate of an aim be if the mix of
  size, age, level or funding were different?" by g-computation on the fitted
  :func:`~gpcollab.models.achievement_model`, with a seeded bootstrap interval.
* :func:`pcn_projection` applies the fitted size (and age) effects to the real distribution of
  registered populations of primary care networks (December 2019).

Scenarios are plain data: a :class:`Scenario` or a dict with the same keys, so a notebook can
loop over a list of them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from gpcollab._checks import check_level
from gpcollab._respondents import DesignArg, DontKnow, TooEarly, check_survey, set_attrs
from gpcollab._typing import FloatArray
from gpcollab.datasets import load_population
from gpcollab.errors import ArgumentError, ConvergenceError, DesignError, GpcollabError
from gpcollab.instrument import ITEMS
from gpcollab.intervals import expit
from gpcollab.models import (
    DEFAULT_TERMS,
    OUTCOME,
    AchievementModel,
    achievement_model,
)
from gpcollab.schema import SurveyData
from gpcollab.vocab import Aim, SizeBand

__all__ = [
    "Scenario",
    "Separation",
    "fit_model",
    "pcn_projection",
    "pcn_size_shares",
    "reband",
    "standardise",
]


#: Newton steps per bootstrap replicate, started from the full-sample fit.
BOOT_NEWTON_STEPS = 4
#: Replicates processed at once (bounds memory at about chunk x rows x terms floats).
_BOOT_CHUNK = 1000


# ---------------------------------------------------------------------------------------------
# re-banding
# ---------------------------------------------------------------------------------------------


def _usable_thresholds() -> list[int]:
    return [int(band.edges[0]) for band in list(SizeBand)[1:]]


def _group_labels(cuts: Sequence[float]) -> list[str]:
    labels = [f"under {cuts[0]:,.0f}"]
    for low, high in itertools.pairwise(cuts):
        labels.append(f"{low:,.0f} to {high - 1:,.0f}")
    labels.append(f"{cuts[-1]:,.0f} or more")
    return labels


def reband(survey: SurveyData, thresholds: float | Sequence[float]) -> pd.Series:
    """Collaboration size re-cut at other thresholds (registered patients).

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``size_band`` (and optionally carrying numeric ``collab_patients``).
    thresholds : number or sequence of numbers
        Cut points in registered patients, e.g. ``100_000`` or ``[30_000, 50_000]``. Each
        group includes its lower bound.

    Returns
    -------
    pandas.Series
        Ordered categorical aligned with ``survey.respondents`` (same index), named
        ``size_group``, with labels such as ``"under 100,000"`` and ``"100,000 or more"``;
        missing where size was not answered. Use it as ``by=`` or as a model term.

    Raises
    ------
    ArgumentError
        A threshold does not fall on an edge of the size bands for respondents who have only a
        band (no numeric size); the message lists the usable thresholds.

    Examples
    --------
    >>> import gpcollab
    >>> survey = gpcollab.load_survey(2017, "gp")
    >>> gpcollab.reband(survey, 100_000).cat.categories.tolist()
    ['under 100,000', '100,000 or more']
    """
    survey = check_survey(survey)
    survey.require("size_band")
    raw = [thresholds] if isinstance(thresholds, int | float) else list(thresholds)
    if not raw or not all(
        isinstance(t, int | float) and not isinstance(t, bool) and np.isfinite(t) and t > 0
        for t in raw
    ):
        raise ArgumentError(
            "`thresholds` must be one or more positive numbers of registered patients, e.g. "
            f"100_000 or [50_000, 100_000], but {thresholds!r} was passed."
        )
    cuts = sorted({float(t) for t in raw})
    labels = _group_labels(cuts)
    band = survey.respondents["size_band"]
    if "collab_patients" in survey.respondents:
        numeric = survey.respondents["collab_patients"].to_numpy(dtype=np.float64)
    else:
        numeric = np.full(len(band), np.nan)
    use_band = np.isnan(numeric) & band.notna().to_numpy()
    codes = np.full(len(band), -1, dtype=np.intp)
    has_number = ~np.isnan(numeric)
    codes[has_number] = np.searchsorted(cuts, numeric[has_number], side="right")
    if use_band.any():
        usable = _usable_thresholds()
        bad = [t for t in cuts if t not in usable]
        if bad:
            shown = ", ".join(f"{t:,.0f}" for t in bad)
            raise ArgumentError(
                f"`thresholds` {shown} do not fall on an edge of the size bands, and "
                f"{int(use_band.sum())} respondent(s) have only a band (no numeric "
                f"collab_patients). Usable thresholds: {usable!r}."
            )
        lower = np.array([band.edges[0] for band in SizeBand])
        band_codes = np.asarray(band.cat.codes, dtype=np.intp)
        codes[use_band] = np.searchsorted(cuts, lower[band_codes[use_band]], side="right")
    group = pd.Categorical.from_codes(codes.tolist(), categories=pd.Index(labels), ordered=True)
    return pd.Series(group, index=survey.respondents.index, name="size_group")


# ---------------------------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A counterfactual mix of collaboration characteristics, as plain data.

    Parameters
    ----------
    name : str
        Label of the scenario (its row in :func:`standardise`).
    set : mapping of str to value, default={}
        Put everyone in one category, e.g. ``{"size_band": "100k_250k"}`` or
        ``{"funding": True}``.
    shift : mapping of str to int, default={}
        Move everyone up (or, negative, down) by a number of bands of an ordered term, capped at
        the first and last band: ``{"age_band": 2}`` makes every collaboration two years older
        (the age bands below two years are one year wide).
    mix : mapping of str to mapping of value to float, default={}
        Another distribution of a term, e.g. ``{"size_band": {"under_30k": 0.5,
        "30k_50k": 0.5}}``; shares must add up to 1. Each respondent's other characteristics are
        kept, and the rate is averaged over the mix.

    Examples
    --------
    >>> Scenario("all over 100,000", set={"size_band": "100k_250k"}).name
    'all over 100,000'
    >>> Scenario.coerce({"name": "older", "shift": {"age_band": 2}}).shift
    {'age_band': 2}
    """

    name: str
    set: Mapping[str, Any] = field(default_factory=dict)
    shift: Mapping[str, int] = field(default_factory=dict)
    mix: Mapping[str, Mapping[Any, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ArgumentError(f"Scenario `name` must be a non-empty string, not {self.name!r}.")
        for key in ("set", "shift", "mix"):
            if not isinstance(getattr(self, key), Mapping):
                raise ArgumentError(
                    f"Scenario {self.name!r}: `{key}` must be a mapping of term to value, but "
                    f"{getattr(self, key)!r} was passed."
                )
        named = [*self.set, *self.shift, *self.mix]
        twice = sorted({t for t in named if named.count(t) > 1})
        if twice:
            raise ArgumentError(
                f"Scenario {self.name!r} changes {twice!r} in more than one of set/shift/mix; "
                "use one."
            )

    @classmethod
    def coerce(cls, value: Scenario | Mapping[str, Any]) -> Scenario:
        """A :class:`Scenario` from itself or a dict with keys name, set, shift, mix."""
        if isinstance(value, Scenario):
            return value
        if isinstance(value, Mapping):
            unknown = sorted(set(value) - {"name", "set", "shift", "mix"})
            if unknown or "name" not in value:
                raise ArgumentError(
                    "A scenario dict needs 'name' and may have 'set', 'shift', 'mix'; got keys "
                    f"{sorted(value)!r}."
                )
            return cls(**dict(value))
        raise ArgumentError(
            f"A scenario must be a Scenario or a dict, but {type(value).__name__} was passed."
        )


ScenarioArg: TypeAlias = Scenario | Mapping[str, Any]


def _allowed(data: pd.DataFrame, term: str) -> list[Any]:
    column = data[term]
    if isinstance(column.dtype, pd.CategoricalDtype):
        return list(column.cat.categories)
    if pd.api.types.is_bool_dtype(column.dtype):
        return [False, True]
    return []  # numeric: any number


def _check_value(model: AchievementModel, scenario: str, term: str, value: Any) -> Any:
    allowed = _allowed(model.data, term)
    if allowed and value not in allowed:
        raise ArgumentError(
            f"Scenario {scenario!r}: {term} = {value!r} is not a category of {term!r}; "
            f"allowed: {allowed!r}."
        )
    if not allowed and not isinstance(value, int | float):
        raise ArgumentError(f"Scenario {scenario!r}: {term!r} is numeric; {value!r} is not.")
    return value


def _assign(frame: pd.DataFrame, term: str, value: Any) -> None:
    column = frame[term]
    if isinstance(column.dtype, pd.CategoricalDtype):
        frame[term] = pd.Categorical([value] * len(frame), dtype=column.dtype)
    else:
        frame[term] = value


def _components(model: AchievementModel, scenario: Scenario) -> list[tuple[pd.DataFrame, float]]:
    """The model frame rewritten by ``scenario``: (frame, share) pairs to average over."""
    base = model.data.copy()
    terms = set(model.terms)
    for term in [*scenario.set, *scenario.shift, *scenario.mix]:
        if term in model.attrs.get("left_out", []):
            raise DesignError(
                f"Scenario {scenario.name!r} changes {term!r}, which had to be left out of the "
                f"model: {model.attrs['notes'][0]}"
            )
        if term not in terms:
            raise ArgumentError(
                f"Scenario {scenario.name!r} changes {term!r}, which is not a model term; "
                f"terms: {list(model.terms)!r}."
            )
    for term, value in scenario.set.items():
        _assign(base, term, _check_value(model, scenario.name, term, value))
    for term, steps in scenario.shift.items():
        column = base[term]
        if isinstance(steps, bool) or not isinstance(steps, int):
            raise ArgumentError(
                f"Scenario {scenario.name!r}: shift of {term!r} must be a whole number of "
                f"bands, but {steps!r} was passed."
            )
        if not (isinstance(column.dtype, pd.CategoricalDtype) and column.dtype.ordered):
            raise ArgumentError(
                f"Scenario {scenario.name!r}: {term!r} is not an ordered band, so it cannot be "
                "shifted; use set= or mix=."
            )
        top = len(column.dtype.categories) - 1
        codes = np.clip(np.asarray(column.cat.codes) + steps, 0, top)
        base[term] = pd.Categorical.from_codes(codes.tolist(), dtype=column.dtype)
    parts: list[list[tuple[Any, float]]] = []
    for term, shares in scenario.mix.items():
        if not isinstance(shares, Mapping) or not shares:
            raise ArgumentError(
                f"Scenario {scenario.name!r}: mix of {term!r} must map categories to shares, "
                f"but {shares!r} was passed."
            )
        values = [float(v) for v in shares.values()]
        if any(v < 0 for v in values) or abs(sum(values) - 1.0) > 1e-6:
            raise ArgumentError(
                f"Scenario {scenario.name!r}: the shares of {term!r} must be non-negative and "
                f"add up to 1, but they add up to {sum(values):g}."
            )
        parts.append(
            [(_check_value(model, scenario.name, term, k), float(v)) for k, v in shares.items()]
        )
    mix_terms = list(scenario.mix)
    out = []
    for combo in itertools.product(*parts):
        frame = base.copy()
        share = 1.0
        for term, (value, weight) in zip(mix_terms, combo, strict=True):
            _assign(frame, term, value)
            share *= weight
        if share > 0:
            out.append((frame, share))
    return out


def _matrices(model: AchievementModel, scenario: Scenario) -> list[tuple[FloatArray, float]]:
    try:
        return [(model.model_matrix(f), s) for f, s in _components(model, scenario)]
    except (ArgumentError, DesignError) as error:
        if str(error).startswith("Scenario"):
            raise
        raise type(error)(f"Scenario {scenario.name!r}: {error}") from error


# ---------------------------------------------------------------------------------------------
# the model, with a fallback when a band separates the outcome
# ---------------------------------------------------------------------------------------------

#: What :func:`fit_model` does when a band separates the outcome (nobody in it fully achieved
#: the aim, or everybody did): ``"fallback"`` enters the ordered term as a band score, or else
#: leaves the term out, and says so in the notes; ``"error"`` raises the engine's
#: :class:`~gpcollab.errors.ConvergenceError`.
Separation: TypeAlias = Literal["fallback", "error"]


def _term_name(term: str | pd.Series) -> str:
    return term if isinstance(term, str) else str(term.name)


def _is_ordered(column: object) -> bool:
    return (
        isinstance(column, pd.Series)
        and isinstance(column.dtype, pd.CategoricalDtype)
        and bool(column.dtype.ordered)
    )


def _separating_bands(model: AchievementModel, term: str) -> list[tuple[Any, bool]]:
    """Observed bands of ``term`` in which every row (with weight) has the same outcome.

    Returns (band, outcome) pairs, outcome True when every row fully achieved the aim.
    """
    used = model.weights > 0
    column = model.data[term][used]
    outcome = model.data[OUTCOME][used].astype(bool).to_numpy()
    out: list[tuple[Any, bool]] = []
    for band in column.cat.categories:  # a handful of bands
        hit = outcome[(column == band).to_numpy()]
        if len(hit) and (hit.all() or not hit.any()):
            out.append((band, bool(hit.all())))
    return out


def _term_words(term: str) -> str:
    """A model term as a reader names it (``size_band`` -> "size of collaboration")."""
    item = ITEMS.get(term)
    return item.question.lower() if item is not None else term.replace("_", " ")


def _band_words(term: str, band: object) -> str:
    """One band of a model term by its label (``under_30k`` -> "Under 30,000")."""
    item = ITEMS.get(term)
    labels = item.choices.labels() if item is not None else {}
    return f"“{labels.get(str(band), str(band))}”"


def _aim_words(aim: str) -> str:
    return f"“{Aim.labels().get(aim, aim)}”"


def _score_note(aim: str, term: str, bands: list[tuple[Any, bool]]) -> str:
    what = _term_words(term)
    if bands:
        described = "; ".join(
            f"{'every' if every else 'no'} respondent in {_band_words(term, band)} fully "
            "achieved it"
            for band, every in bands
        )
        which = "that band's own odds ratio" if len(bands) == 1 else "those bands' odds ratios"
        why = f"for the aim {_aim_words(aim)}, {described}, so {which} would be infinite"
    else:
        why = f"the model of {_aim_words(aim)} could not be fitted with one coefficient per band"
    return (
        f"{what.capitalize()} is entered as an ordered score (one log-odds step per "
        f"band) instead of one coefficient per band: {why}. Pass separation='error' to get the "
        "error instead."
    )


def _drop_note(aim: str, term: str, error: GpcollabError) -> str:
    reason = str(error).split(" (aim ")[0].rstrip(".")  # the engine's words, without its hint
    return (
        f"{_term_words(term).capitalize()} is left out of the model of "
        f"{_aim_words(aim)}: it separates the outcome even when entered as a score, so no "
        f"finite effect exists (the engine: {reason}). Scenarios cannot change it; pass "
        "separation='error' to get the error instead."
    )


def fit_model(
    survey: SurveyData,
    aim: str,
    *,
    terms: Sequence[str | pd.Series] = DEFAULT_TERMS,
    scores: Sequence[str] = (),
    too_early: TooEarly = "exclude",
    dont_know: DontKnow = "exclude",
    separation: Separation = "fallback",
    design: DesignArg = None,
) -> tuple[AchievementModel, list[str]]:
    """The achievement model used by :func:`standardise`, and notes on how it was specified.

    Fits :func:`~gpcollab.achievement_model` with the terms asked for. When a band separates
    the outcome (nobody in it fully achieved the aim, or everybody did), the odds ratio of that
    band is infinite and the model cannot be fitted as asked. With ``separation="fallback"``
    (the default) the smallest change that can be fitted is made, and a note says which:

    1. an ordered term (size, age, level, a :func:`reband` group) is entered as a band score
       0, 1, 2, … (one log-odds step per band), as ``scores=`` would;
    2. if that is not enough (the score separates too, e.g. nobody under two years fully
       achieved it), the term is left out of the model.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims`` and the terms (GP 2017).
    aim : str
        The aim, e.g. ``"staff"``.
    terms, scores, too_early, dont_know, design
        As in :func:`gpcollab.achievement_model`.
    separation : {"fallback", "error"}, default="fallback"
        What to do when a band separates the outcome: adapt the model as above, or raise.

    Returns
    -------
    model : AchievementModel
        The fitted model (``model.terms`` and ``model.scores`` say how it was specified; the
        notes are in ``model.attrs["notes"]`` too, and so in the ``attrs`` of every table
        drawn from it).
    notes : list of str
        One sentence per change; empty when the model was fitted as asked.

    Raises
    ------
    ConvergenceError
        The model cannot be fitted as asked and ``separation="error"``, or no fallback can be
        fitted either (the message is the engine's, for the model as asked).
    ArgumentError
        ``separation`` is not "fallback" or "error".

    Examples
    --------
    >>> import gpcollab
    >>> from gpcollab.whatif import fit_model
    >>> model, notes = fit_model(gpcollab.load_survey(2017, "gp"), "staff")
    >>> model.aim
    'staff'
    """
    if separation not in ("fallback", "error"):
        raise ArgumentError(
            f"`separation` must be 'fallback' or 'error', but {separation!r} was passed."
        )
    chosen = [scores] if isinstance(scores, str) else list(scores)
    listed: list[str | pd.Series] = [terms] if isinstance(terms, str | pd.Series) else list(terms)

    def attempt(use: list[str | pd.Series], score: list[str]) -> AchievementModel:
        return achievement_model(
            survey,
            aim,
            use,
            scores=score,
            too_early=too_early,
            dont_know=dont_know,
            design=design,
        )

    try:
        return attempt(listed, chosen), []
    except ConvergenceError as error:
        if separation == "error":
            raise
        first_error = error
    survey = check_survey(survey)

    def ordered(use: list[str | pd.Series]) -> list[str]:
        out = []
        for term in use:
            name = _term_name(term)
            column = term if isinstance(term, pd.Series) else survey.respondents.get(name)
            if name not in chosen and _is_ordered(column):
                out.append(name)
        return out

    def rescue(use: list[str | pd.Series]) -> tuple[AchievementModel, list[str]] | None:
        """The model of ``use`` with as few extra terms as scores as can be fitted."""
        candidates = ordered(use)
        base = [s for s in chosen if s in map(_term_name, use)]
        trials = [[c] for c in candidates] + ([candidates] if len(candidates) > 1 else [])
        for extra in ([], *trials):
            try:
                return attempt(use, [*base, *extra]), extra
            except ConvergenceError:
                continue
        return None

    rescued = rescue(listed)
    notes: list[str] = []
    if rescued is not None:
        model, extra = rescued
        notes = [_score_note(aim, name, _separating_bands(model, name)) for name in extra]
    else:
        for term in listed if len(listed) > 1 else []:
            name = _term_name(term)
            rest = [t for t in listed if t is not term]
            rescued = rescue(rest)
            if rescued is None:
                continue
            model, extra = rescued
            reason: GpcollabError = first_error
            try:  # the reason, in the engine's words: the term alone, as a score if ordered
                attempt([term], [name] if name in chosen or name in ordered([term]) else [])
            except GpcollabError as error:
                reason = error
            notes = [_score_note(aim, n, _separating_bands(model, n)) for n in extra]
            notes.insert(0, _drop_note(aim, name, reason))
            model.attrs["left_out"] = [name]
            break
        else:
            raise first_error
    model.attrs["notes"] = [*model.attrs.get("notes", []), *notes]
    return model, notes


# ---------------------------------------------------------------------------------------------
# vectorised bootstrap
# ---------------------------------------------------------------------------------------------


def _resample_counts(model: AchievementModel, n_boot: int, rng: np.random.Generator) -> FloatArray:
    """(B, n) number of times each model row appears in each replicate.

    Rows are resampled with replacement; under a design, whole PSUs are resampled within
    strata (as many PSUs as the stratum has).
    """
    data = model.data
    n = len(data)
    design = model.design
    strata = design.strata if design is not None else None
    psu = design.psu if design is not None else None
    if strata is None and psu is None:
        counts: FloatArray = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(np.float64)
        return counts
    stratum_codes = (
        pd.factorize(data[strata], sort=True)[0] if strata is not None else np.zeros(n, np.intp)
    )
    unit = (
        pd.factorize(data[psu].astype(str) + "\x00" + pd.Series(stratum_codes).astype(str))[0]
        if psu is not None
        else np.arange(n)
    )
    n_units = int(unit.max()) + 1
    unit_stratum = np.zeros(n_units, dtype=np.intp)
    unit_stratum[unit] = stratum_codes
    unit_counts = np.zeros((n_boot, n_units))
    for h in np.unique(unit_stratum):  # a few strata
        members = np.flatnonzero(unit_stratum == h)
        m = len(members)
        unit_counts[:, members] = rng.multinomial(m, np.full(m, 1.0 / m), size=n_boot)
    out: FloatArray = unit_counts[:, unit]
    return out


def _bootstrap_coefficients(
    model: AchievementModel, counts: FloatArray, steps: int = BOOT_NEWTON_STEPS
) -> FloatArray:
    """(B, p) coefficients refitted on each replicate by batched Newton steps.

    Every replicate starts from the full-sample coefficients; each step solves all B weighted
    score equations at once (``einsum`` over a (B, n, p) array). A small ridge keeps a
    replicate's information matrix invertible when a category is absent from it (that
    coefficient then stays at its full-sample value).
    """
    X = model.model_matrix(model.data)
    y = model.data[OUTCOME].to_numpy(dtype=np.float64)
    w = model.weights
    w = w / w.mean()
    beta0 = model.fit.params
    p = X.shape[1]
    out = np.empty((counts.shape[0], p))
    eye = np.eye(p)
    for start in range(0, counts.shape[0], _BOOT_CHUNK):
        cw = counts[start : start + _BOOT_CHUNK] * w  # (b, n)
        beta = np.broadcast_to(beta0, (cw.shape[0], p)).copy()
        for _ in range(steps):
            mu = expit(beta @ X.T)
            score = (cw * (y - mu)) @ X  # (b, p)
            info = np.einsum("bn,ni,nj->bij", cw * mu * (1.0 - mu), X, X, optimize=True)
            ridge = 1e-9 * np.trace(info, axis1=1, axis2=2)[:, None, None] + 1e-12
            step = np.linalg.solve(info + ridge * eye, score[:, :, None])[:, :, 0]
            beta += np.clip(step, -5.0, 5.0)  # keeps separated replicates finite
        out[start : start + cw.shape[0]] = beta
    return out


def _standardised(
    matrices: list[tuple[FloatArray, float]],
    beta: FloatArray,
    cw: FloatArray,
) -> FloatArray:
    """Weighted mean predicted probability under a scenario, for each row of ``beta``.

    ``beta`` (B, p) and ``cw`` (B, n) replicate weights (counts x design weights).
    """
    total = cw.sum(axis=1)
    est = np.zeros(beta.shape[0])
    for X, share in matrices:
        est += share * np.einsum("bn,bn->b", cw, expit(beta @ X.T)) / total
    return est


def _check_boot(n_boot: int, seed: int | None) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        raise ArgumentError(f"`n_boot` must be a whole number >= 0, but {n_boot!r} was passed.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ArgumentError(f"`seed` must be an integer or None, but {seed!r} was passed.")


@dataclass(frozen=True)
class _Replicates:
    point: FloatArray  # (S,) estimates with the full-sample fit
    reps: FloatArray  # (B, S) bootstrap replicates


def _run(
    model: AchievementModel,
    scenarios: list[list[tuple[FloatArray, float]]],
    n_boot: int,
    seed: int | None,
) -> _Replicates:
    w = model.weights
    beta = model.fit.params[None, :]
    point = np.array([_standardised(m, beta, w[None, :])[0] for m in scenarios])
    if n_boot == 0:
        return _Replicates(point, np.empty((0, len(scenarios))))
    rng = np.random.default_rng(seed)
    counts = _resample_counts(model, n_boot, rng)
    betas = _bootstrap_coefficients(model, counts)
    cw = counts * w
    reps = np.column_stack([_standardised(m, betas, cw) for m in scenarios])
    return _Replicates(point, reps)


def _interval(reps: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    if reps.shape[0] == 0:
        nan = np.full(reps.shape[1], np.nan)
        return nan, nan
    alpha = 1.0 - level
    low, high = np.quantile(reps, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)


def _summary(res: _Replicates, level: float) -> dict[str, FloatArray]:
    low, high = _interval(res.reps, level)
    diff = res.reps - res.reps[:, :1]
    d_low, d_high = _interval(diff, level)
    empty = res.reps.shape[0] == 0
    return {
        "estimate": res.point,
        "se": np.full(len(res.point), np.nan) if empty else res.reps.std(axis=0, ddof=1),
        "ci_low": low,
        "ci_high": high,
        "difference": res.point - res.point[0],
        "difference_ci_low": d_low,
        "difference_ci_high": d_high,
        "boot_mean": np.full(len(res.point), np.nan) if empty else res.reps.mean(axis=0),
    }


def _attrs(model: AchievementModel, analysis: str, **extra: Any) -> dict[str, Any]:
    return {
        **model.attrs,
        "analysis": analysis,
        "aim": model.aim,
        "terms": list(model.terms),
        "scores": list(model.scores),
        "notes": list(model.attrs.get("notes", [])),
        **extra,
    }


def _check_model(model: object, aim: str) -> None:
    if not isinstance(model, AchievementModel):
        raise ArgumentError(
            "`model` must be an AchievementModel (from gpcollab.achievement_model or "
            f"gpcollab.whatif.fit_model), but {type(model).__name__} was passed."
        )
    if model.aim != aim:
        raise ArgumentError(
            f"`model` is a model of the aim {model.aim!r}, but `aim` is {aim!r}; pass the same "
            "aim, or fit a model of this one."
        )


# ---------------------------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------------------------


def standardise(
    survey: SurveyData,
    aim: str,
    scenarios: ScenarioArg | Sequence[ScenarioArg] = (),
    *,
    terms: Sequence[str | pd.Series] = DEFAULT_TERMS,
    scores: Sequence[str] = (),
    too_early: TooEarly = "exclude",
    dont_know: DontKnow = "exclude",
    model: AchievementModel | None = None,
    separation: Separation = "fallback",
    n_boot: int = 2000,
    seed: int | None = 0,
    design: DesignArg = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Expected full-achievement rate of an aim under other mixes of collaborations.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims`` and the model terms (GP 2017).
    aim : str
        The aim, e.g. ``"access"``.
    scenarios : Scenario, dict, or a sequence of them, default=()
        The counterfactual mixes (see :class:`Scenario`). The observed mix is always added
        first, as ``"observed"``.
    terms, too_early, dont_know, scores, design
        As in :func:`gpcollab.achievement_model`.
    model : AchievementModel, optional
        An already fitted model, e.g. from :func:`fit_model` (``terms``, ``too_early``,
        ``dont_know``, ``scores``, ``design`` and ``separation`` are then ignored).
    separation : {"fallback", "error"}, default="fallback"
        When a band separates the outcome (nobody in it fully achieved the aim, or everybody
        did), enter its ordered term as a band score, or else leave the term out, and say so in
        ``attrs["notes"]``; or raise the :class:`~gpcollab.errors.ConvergenceError` (see
        :func:`fit_model`).
    n_boot : int, default=2000
        Bootstrap replicates for the intervals (0: point estimates only).
    seed : int or None, default=0
        Seed of the bootstrap; the same seed gives the same intervals.
    level : float, default=0.95
        Level of the percentile intervals.

    Returns
    -------
    pandas.DataFrame
        One row per scenario, ``"observed"`` first: ``scenario``, ``estimate``, ``se``
        (bootstrap SD), ``ci_low``, ``ci_high``, ``difference`` (vs observed),
        ``difference_ci_low``, ``difference_ci_high``, ``boot_mean`` (mean of the replicates),
        ``n_boot``, ``n`` (respondents in the model), ``conf_level``. ``attrs["notes"]`` lists
        how the model departs from the terms asked for (empty when it does not);
        ``attrs["scores"]`` names the terms entered as scores.

    Raises
    ------
    ArgumentError
        A scenario names a term that is not in the model, a category that does not exist or
        that no respondent in the model has, or mix shares that do not add up to 1.

    Notes
    -----
    g-computation: the model of :func:`~gpcollab.achievement_model` is fitted; each respondent's
    characteristics are rewritten as the scenario says; the estimate is the weighted mean of
    the predicted probabilities over the respondents in the model. For the observed mix this is
    the observed (weighted) rate exactly, because a logistic model with an intercept reproduces
    the mean outcome.

    Intervals: respondents (or, under a design, PSUs within strata) are resampled with
    replacement; each replicate's model is refitted by a fixed number of Newton steps
    (:data:`BOOT_NEWTON_STEPS`) from the full-sample coefficients, all replicates at once, and
    the scenario estimates recomputed on the replicate's own respondents. Intervals are the
    percentile ones; differences use paired replicates.

    Examples
    --------
    >>> import gpcollab
    >>> survey = gpcollab.load_survey(2017, "gp")
    >>> table = gpcollab.standardise(survey, "access", [
    ...     {"name": "all 100,000-249,999", "set": {"size_band": "100k_250k"}},
    ...     {"name": "two years older", "shift": {"age_band": 2}},
    ... ], n_boot=200)
    >>> table["scenario"].tolist()
    ['observed', 'all 100,000-249,999', 'two years older']
    >>> bool((table["ci_low"] <= table["estimate"]).all())
    True
    """
    survey = check_survey(survey)
    conf = check_level(level)
    _check_boot(n_boot, seed)
    items = [scenarios] if isinstance(scenarios, Scenario | Mapping) else list(scenarios)
    chosen = [Scenario("observed"), *(Scenario.coerce(s) for s in items)]
    names = [s.name for s in chosen]
    if len(set(names)) != len(names):
        raise ArgumentError(
            f"Scenario names must be distinct (and not 'observed'), but got {names[1:]!r}."
        )
    if model is None:
        model, _ = fit_model(
            survey,
            aim,
            terms=terms,
            too_early=too_early,
            dont_know=dont_know,
            scores=scores,
            design=design,
            separation=separation,
        )
    else:
        _check_model(model, aim)
    res = _run(model, [_matrices(model, s) for s in chosen], n_boot, seed)
    table = pd.DataFrame({"scenario": names, **_summary(res, conf)})
    table["n_boot"] = n_boot
    table["n"] = model.n
    table["conf_level"] = conf
    return set_attrs(table, _attrs(model, "standardise", seed=seed))


@functools.cache
def _pcn_population() -> pd.DataFrame:
    """The networks of December 2019, read once (only read here, never handed out)."""
    return load_population(2019, "pcn")


def pcn_size_shares(
    pcn: pd.DataFrame | None = None, *, unit: Literal["practices", "pcns"] = "practices"
) -> pd.DataFrame:
    """How primary care networks spread over the collaboration size bands.

    Parameters
    ----------
    pcn : pandas.DataFrame, optional
        One row per PCN with ``registered_patients`` and, for ``unit="practices"``,
        ``practices``; default the real December 2019 table
        ``gpcollab.load_population(2019, "pcn")``. Each PCN falls in the
        :class:`~gpcollab.vocab.SizeBand` of its registered patients (lower edge inclusive).
    unit : {"practices", "pcns"}, default="practices"
        What the shares count: the practices in PCNs of each band (comparable with a survey
        of practices, where each respondent is a practice in a collaboration of that size),
        or the networks themselves.

    Returns
    -------
    pandas.DataFrame
        One row per size band, in order: ``size_band``, ``pcns`` (networks in the band),
        ``practices`` (their member practices, when given), ``estimate`` (the band's share of
        ``unit``) and ``n`` (the total of ``unit``, the same on every row).

    Examples
    --------
    >>> shares = pcn_size_shares()
    >>> round(float(shares.loc[shares["size_band"] == "30k_50k", "estimate"].iloc[0]), 2)
    0.52
    """
    if pcn is None:
        pcn = load_population(2019, "pcn")
    if unit not in ("practices", "pcns"):
        raise ArgumentError(f"`unit` must be 'practices' or 'pcns', but {unit!r} was passed.")
    needed = ["registered_patients"] + (["practices"] if unit == "practices" else [])
    missing = [c for c in needed if c not in pcn.columns]
    if missing:
        has = ", ".join(map(str, pcn.columns))
        raise ArgumentError(f"`pcn` needs the column(s) {', '.join(missing)}; it has {has}.")
    bands = pd.Series(SizeBand.bin(pcn["registered_patients"]), index=pcn.index).astype(str)
    values = SizeBand.values()
    out = pd.DataFrame({"size_band": pd.Categorical(values, dtype=SizeBand.dtype())})
    out["pcns"] = bands.value_counts().reindex(values, fill_value=0).to_numpy(dtype=int)
    if "practices" in pcn.columns:
        members = pd.to_numeric(pcn["practices"]).groupby(bands.to_numpy()).sum()
        out["practices"] = members.reindex(values, fill_value=0).to_numpy(dtype=int)
    counted = out["practices"] if unit == "practices" else out["pcns"]
    total = int(counted.sum())
    out["estimate"] = counted / total if total else np.nan
    out["n"] = total
    out.attrs.update(unit=unit, synthetic=False)
    return out


def pcn_projection(
    survey: SurveyData,
    aim: str,
    *,
    age_band: str | None = "under_1y",
    population: pd.DataFrame | None = None,
    terms: Sequence[str | pd.Series] = DEFAULT_TERMS,
    scores: Sequence[str] = (),
    too_early: TooEarly = "exclude",
    dont_know: DontKnow = "exclude",
    model: AchievementModel | None = None,
    separation: Separation = "fallback",
    n_boot: int = 2000,
    seed: int | None = 0,
    design: DesignArg = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """What the fitted size and age effects imply for primary care networks (December 2019).

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims`` and ``size_band`` (GP 2017).
    aim : str
        The aim, e.g. ``"access"``.
    age_band : str or None, default="under_1y"
        Age given to every network. PCNs started on 1 July 2019, so in December 2019 every one
        was under a year old; ``None`` keeps the survey's observed age mix.
    population : pandas.DataFrame, optional
        One row per network with ``registered_patients``; default
        ``gpcollab.load_population(2019, "pcn")`` (NHS Digital, December 2019).
    terms, too_early, dont_know, scores, design
        As in :func:`gpcollab.achievement_model`; ``terms`` must include ``"size_band"``.
    model : AchievementModel, optional
        An already fitted model of ``aim`` with a ``size_band`` term, as in
        :func:`standardise` (``terms``, ``too_early``, ``dont_know``, ``scores``, ``design``
        and ``separation`` are then ignored).
    separation : {"fallback", "error"}, default="fallback"
        As in :func:`standardise` (see :func:`fit_model`); the notes are in
        ``attrs["notes"]``.
    n_boot, seed, level
        As in :func:`standardise`.

    Returns
    -------
    pandas.DataFrame
        One row per size band holding at least one network: ``size_band`` (text),
        ``pcns``, ``share_of_pcns``, ``estimate`` (expected full-achievement rate for a network
        of that size), ``se``, ``ci_low``, ``ci_high``, then a final row ``all_pcns`` averaging
        the bands over the networks; plus ``n_boot``, ``n``, ``conf_level``.

    Notes
    -----
    For each band every respondent in the model is given that size (and ``age_band``) with the
    other characteristics (level, funding) as observed, and the predicted probabilities are
    averaged (g-computation, as :func:`standardise`). Networks without a list size are left out
    (their number is in ``attrs["pcns_without_size"]``). The projection carries the 2017
    associations over to a different kind of organisation; it is a what-if, not a forecast.

    Examples
    --------
    >>> import gpcollab
    >>> table = gpcollab.pcn_projection(gpcollab.load_survey(2017, "gp"), "access", n_boot=0)
    >>> table["size_band"].tolist()
    ['under_30k', '30k_50k', '50k_100k', '100k_250k', 'over_250k', 'all_pcns']
    """
    survey = check_survey(survey)
    conf = check_level(level)
    _check_boot(n_boot, seed)
    if population is None:
        population = _pcn_population()
    if "registered_patients" not in population.columns:
        raise ArgumentError(
            "`population` must have a 'registered_patients' column (one row per network)."
        )
    if model is None:
        names = [t for t in terms if isinstance(t, str)]
        if "size_band" not in names:
            raise ArgumentError(
                f"`terms` must include 'size_band' to project onto network sizes, but "
                f"{terms!r} was passed."
            )
        model, _ = fit_model(
            survey,
            aim,
            terms=terms,
            too_early=too_early,
            dont_know=dont_know,
            scores=scores,
            design=design,
            separation=separation,
        )
    else:
        _check_model(model, aim)
    if "size_band" not in model.terms:
        raise ArgumentError(
            "`model` must have a 'size_band' term to project onto network sizes, but its "
            f"terms are {list(model.terms)!r}. {' '.join(model.attrs.get('notes', []))}"
        )
    patients = pd.to_numeric(population["registered_patients"], errors="coerce").astype(float)
    missing = int(patients.isna().sum())
    band = pd.Series(SizeBand.bin(patients.dropna()))
    counts = band.value_counts(sort=False).reindex(SizeBand.values()).fillna(0).astype(int)
    present = [b for b in SizeBand.values() if counts[b] > 0]
    shares = counts[present] / counts[present].sum()
    chosen = []
    for value in present:
        setting: dict[str, Any] = {"size_band": value}
        if age_band is not None:
            setting["age_band"] = age_band
        chosen.append(Scenario(value, set=setting))
    matrices = [_matrices(model, s) for s in chosen]
    res = _run(model, matrices, n_boot, seed)
    weights = shares.to_numpy()
    all_point = float(res.point @ weights)
    all_reps = res.reps @ weights
    reps = np.column_stack([res.reps, all_reps]) if res.reps.size else res.reps
    low, high = _interval(reps if reps.size else np.empty((0, len(present) + 1)), conf)
    table = pd.DataFrame(
        {
            "size_band": [*present, "all_pcns"],
            "pcns": [*counts[present].tolist(), int(counts.sum())],
            "share_of_pcns": [*weights.tolist(), 1.0],
            "estimate": [*res.point.tolist(), all_point],
            "se": (
                reps.std(axis=0, ddof=1) if reps.shape[0] > 1 else np.full(len(present) + 1, np.nan)
            ),
            "ci_low": low,
            "ci_high": high,
        }
    )
    table["n_boot"] = n_boot
    table["n"] = model.n
    table["conf_level"] = conf
    return set_attrs(
        table,
        _attrs(
            model,
            "pcn_projection",
            seed=seed,
            age_band=age_band,
            pcns_without_size=missing,
        ),
    )
