"""Logistic models of full achievement of an aim, by collaboration size, age, level and funding.

:func:`achievement_model` builds the model frame from a :class:`~gpcollab.schema.SurveyData` (one
row per respondent whose collaboration set the aim and gave an outcome in the base) and fits a
design-based logistic regression with the engine (:func:`gpcollab.logistic_regression`, R's
``svyglm`` with a quasibinomial family). The result, an :class:`AchievementModel`, carries odds
ratios with intervals, term-wise F tests and a ``predict`` method used by
:mod:`gpcollab.whatif` for standardisation and projections.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from gpcollab._checks import check_aim, check_choice
from gpcollab._docstrings import share_docs
from gpcollab._respondents import (
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
)
from gpcollab._typing import FloatArray
from gpcollab.design import SurveyDesign
from gpcollab.errors import ArgumentError, ConvergenceError, DesignError
from gpcollab.regression import LogisticFit, logistic_regression
from gpcollab.schema import SurveyData
from gpcollab.vocab import Achievement

__all__ = ["DEFAULT_TERMS", "OUTCOME", "SCORE_SUFFIX", "AchievementModel", "achievement_model"]

#: Explanatory variables of the published associations.
DEFAULT_TERMS: tuple[str, ...] = ("size_band", "age_band", "level", "funding")
#: Suffix of the numeric column of a term entered as band scores.
SCORE_SUFFIX = "_score"
#: Name of the 0/1 outcome column of the model frame (True = aim fully achieved).
OUTCOME = "fully_achieved"

_COEFFICIENT_COLUMNS = [
    "term",
    "variable",
    "level",
    "estimate",
    "se",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "p_value",
]


@dataclass(frozen=True, eq=False)
class AchievementModel:
    """A fitted model of full achievement of one aim (see :func:`achievement_model`).

    Attributes
    ----------
    fit : LogisticFit
        The engine's fit (coefficients, covariance, term tests, ``predict``).
    aim : str
        The aim modelled.
    terms : tuple of str
        Explanatory variables, in model order.
    scores : tuple of str
        Terms entered as band scores 0, 1, 2, … (column ``<term>_score`` of the fit).
    data : pandas.DataFrame
        The model frame: ``fully_achieved`` (bool), the terms, and the design columns.
    design : SurveyDesign or None
        The design used.
    too_early : str
        Policy for "too early to say".
    dont_know : str
        Policy for "don't know".
    n_dropped : int
        Respondents who set the aim and gave an outcome in the base but were left out because a
        term was missing (not answered).
    attrs : dict
        Provenance (wave, instrument, synthetic, source).
    """

    fit: LogisticFit
    aim: str
    terms: tuple[str, ...]
    scores: tuple[str, ...]
    data: pd.DataFrame
    design: SurveyDesign | None
    too_early: str
    dont_know: str
    n_dropped: int
    attrs: dict[str, Any]

    @property
    def coefficients(self) -> pd.DataFrame:
        """One row per coefficient: ``term``, ``variable``, ``level``, ``estimate`` (log odds),
        ``se``, ``odds_ratio``, ``or_ci_low``, ``or_ci_high``, ``p_value``."""
        table = self.fit.coefficients[_COEFFICIENT_COLUMNS].copy()
        return set_attrs(table, {**self.attrs, "analysis": "achievement_model"})

    @property
    def term_tests(self) -> pd.DataFrame:
        """One row per term: ``term``, ``F``, ``ndf``, ``ddf``, ``p_value`` (Wald F test)."""
        table = self.fit.term_tests.copy()
        return set_attrs(table, {**self.attrs, "analysis": "achievement_model"})

    @property
    def n(self) -> int:
        """Rows in the model frame."""
        return len(self.data)

    @property
    def weights(self) -> FloatArray:
        """Design weights of the model rows (ones without a weighted design)."""
        if self.design is None or self.design.weights is None:
            return np.ones(len(self.data))
        return self.data[self.design.weights].to_numpy(dtype=np.float64)

    def with_scores(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the score columns of the ``scores`` terms (re)computed."""
        if not self.scores:
            return frame
        out = frame.copy()
        for name in self.scores:
            out[f"{name}{SCORE_SUFFIX}"] = _score(out[name], name)
        return out

    def model_matrix(self, frame: pd.DataFrame) -> FloatArray:
        """The (n, p) model matrix of ``frame`` (terms as in the fit, scores recomputed)."""
        return self.fit.model_matrix(self.with_scores(frame))

    def predict(self, frame: pd.DataFrame | None = None) -> FloatArray:
        """Predicted probability of full achievement for each row of ``frame``.

        Parameters
        ----------
        frame : pandas.DataFrame, optional
            Rows holding every term (categories as in the fit); default the model frame.

        Returns
        -------
        numpy.ndarray of shape (len(frame),)
        """
        return self.fit.predict(self.data if frame is None else self.with_scores(frame))


def _score(column: pd.Series, name: str) -> FloatArray:
    if not (isinstance(column.dtype, pd.CategoricalDtype) and column.dtype.ordered):
        raise ArgumentError(
            f"`scores` names {name!r}, which is not an ordered band; only ordered terms "
            "(size_band, age_band, level, a reband Series) can be entered as scores."
        )
    codes = np.asarray(column.cat.codes, dtype=np.float64)
    return np.where(codes < 0, np.nan, codes)


def _model_frame(
    survey: SurveyData,
    aim: str,
    terms: Sequence[str | pd.Series],
    too_early: str,
    dont_know: str,
    design: SurveyDesign | None,
    scores: Sequence[str] = (),
) -> tuple[pd.DataFrame, list[str], int]:
    frame = respondent_frame(survey)
    frame, names = resolve_by(survey, frame, list(terms), param="terms")
    outcome = achievement_codes(aim_outcomes(survey)[aim], too_early, dont_know)
    in_base = outcome.notna()
    complete = in_base.copy()
    for name in names:
        complete &= frame[name].notna()
    frame[OUTCOME] = (outcome == Achievement.FULLY.value).to_numpy()
    keep = [OUTCOME, *names, *[c for c in design_columns(design) if c not in names]]
    # categorical terms keep every category of the vocabulary (the engine fits the observed
    # ones), so scenarios can name, and shift into, any band
    data = frame.loc[complete.to_numpy(), keep].reset_index(drop=True)
    for name in scores:
        if name not in names:
            raise ArgumentError(
                f"`scores` names {name!r}, which is not one of the terms {names!r}."
            )
        data[f"{name}{SCORE_SUFFIX}"] = _score(data[name], name)
    return data, names, int(in_base.sum() - complete.sum())


@share_docs
def achievement_model(
    survey: SurveyData,
    aim: str,
    terms: Sequence[str | pd.Series] = DEFAULT_TERMS,
    *,
    too_early: TooEarly = "exclude",
    dont_know: DontKnow = "exclude",
    scores: Sequence[str] = (),
    design: DesignArg = None,
    level: float = 0.95,
) -> AchievementModel:
    """Logistic model of full achievement of ``aim`` on collaboration characteristics.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims`` and the terms (GP 2017).
    aim : str
        An :class:`~gpcollab.vocab.Aim` value, e.g. ``"staff"``.
    terms : sequence of str or Series, default=("size_band", "age_band", "level", "funding")
        Respondent columns, ``"funding"`` (received GP Access Fund / Challenge Fund money), or
        Series aligned with ``survey.respondents`` such as ``reband(survey, [100_000])``.
        Categorical terms are treatment-coded against their first observed category.
    too_early : {"exclude", "not_achieved", "separate"}, default="exclude"
        "Too early to say" is left out, or (``"not_achieved"`` and ``"separate"`` alike)
        counted as not fully achieved.
    dont_know : {"exclude", "separate"}, default="exclude"
        The same for "don't know". The register's association checks (S-09, S-10) keep both
        in the base (everyone who set the aim).
    scores : sequence of str, default=()
        Ordered terms entered as their band position 0, 1, 2, … (one coefficient: the change
        in log odds per band) instead of one dummy per band. Use it when a band has no full
        achievement at all, e.g. ``scores=("age_band",)`` for aims no collaboration under a
        year old had fully achieved; the odds ratio of such a band would be infinite.
    {design}
    {level}

    Returns
    -------
    AchievementModel
        ``coefficients`` (odds ratios and intervals), ``term_tests``, ``fit``, ``data``,
        ``predict``.

    Raises
    ------
    ArgumentError
        Unknown aim or term.
    DesignError
        Too few rows, or a term with a single observed value.
    ConvergenceError
        A band in which every respondent (or none) fully achieved the aim: its odds ratio is
        infinite. Merge bands, e.g. ``terms=(reband(survey, [100_000]), "age_band")``.

    Notes
    -----
    The model is fitted to the respondents in the base (they set the aim and gave an outcome
    kept by the ``too_early`` and ``dont_know`` policies, with every term answered); rows
    missing a term are counted in ``n_dropped``. Standard errors are design-based (sandwich
    with linearised score totals); intervals and tests use t on design df + 1 − p. Under a
    clustered design the fit uses the subset of rows in the base, not a domain analysis.

    See Also
    --------
    gpcollab.achievement_rates : the rates themselves, by any grouping.
    gpcollab.achievement_trend : a trend test across ordered bands, one aim at a time.
    gpcollab.standardise : what-if scenarios computed from this model.
    gpcollab.logistic_regression : the engine's model of any table.

    Examples
    --------
    Collaborations of over 100,000 patients working across a whole CCG or several CCGs did
    better on staff experience than the rest (published as an association, S-09):

    >>> import gpcollab
    >>> survey = gpcollab.load_survey(2017, "gp")
    >>> r = survey.respondents
    >>> group = r["size_band"].isin(["100k_250k", "over_250k"]) & r["level"].isin(
    ...     ["single_ccg", "multi_ccg"]
    ... )
    >>> model = gpcollab.achievement_model(survey, "staff", terms=group.rename("large_wide"))
    >>> odds = model.coefficients.set_index("term")["odds_ratio"]
    >>> bool(odds["large_wideTrue"] > 1)
    True
    """
    survey = check_survey(survey)
    survey.require("aims")
    aim = check_aim(aim)
    check_choice(too_early, ("exclude", "not_achieved", "separate"), "too_early")
    check_choice(dont_know, ("exclude", "separate"), "dont_know")
    if isinstance(terms, str | pd.Series):
        terms = [terms]
    if len(terms) == 0:
        raise ArgumentError("`terms` must name at least one variable, but it is empty.")
    des = as_design(design)
    chosen_scores = [scores] if isinstance(scores, str) else list(scores)
    data, names, dropped = _model_frame(
        survey, aim, terms, too_early, dont_know, des, chosen_scores
    )
    if len(data) == 0:
        raise DesignError(
            f"No respondent set the aim {aim!r} with an outcome in the base; nothing to model."
        )
    try:
        x = [f"{n}{SCORE_SUFFIX}" if n in chosen_scores else n for n in names]
        fit = logistic_regression(data, OUTCOME, x, design=des, level=level)
    except ConvergenceError as error:
        raise ConvergenceError(
            f"{error} (aim {aim!r}; enter the band as a score, e.g. scores=('age_band',), "
            "merge sparse bands with gpcollab.reband, or leave the term out)"
        ) from error
    return AchievementModel(
        fit=fit,
        aim=aim,
        terms=tuple(names),
        scores=tuple(chosen_scores),
        data=data,
        design=des,
        too_early=too_early,
        dont_know=dont_know,
        n_dropped=dropped,
        attrs=provenance([survey], "achievement_model"),
    )
