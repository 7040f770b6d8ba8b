"""An interactive what-if for notebooks: pick an aim, move the size threshold and the mix.

The computation lives in plain functions, tested without a browser:

* :func:`size_mix` — the size-band mix with a chosen share of collaborations at or above a
  threshold (the observed mix kept within each side);
* :class:`WhatIf` — holds a survey and its fitted models (one per aim, fitted once) and returns,
  for one setting, the re-banded breakdown of full achievement and the standardised rates with
  their bootstrap intervals (:meth:`WhatIf.compute`), both through the report's disclosure
  control (:func:`~gpcollab.suppress`: an estimate resting on fewer than ``min_n``
  respondents, or one that would reveal such a cell, shows as ``[c]``).

:func:`whatif_widget` wires those to ipywidgets controls (the ``notebooks`` extra:
``pip install -e ".[notebooks]"`` in a clone); each change of a control makes one
:meth:`WhatIf.compute` call, which answers well under a second on the bundled sets
(``benchmarks/bench_widget.py`` measures it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from gpcollab._checks import check_aims
from gpcollab._respondents import check_survey
from gpcollab.analysis import achievement_rates
from gpcollab.disclosure import DEFAULT_MIN_N, check_min_n, suppress
from gpcollab.errors import ArgumentError
from gpcollab.models import AchievementModel
from gpcollab.presentation import present
from gpcollab.schema import SYNTHETIC_NOTICE, SurveyData
from gpcollab.vocab import Aim, SizeBand
from gpcollab.whatif import Scenario, fit_model, reband, standardise

__all__ = ["WHATIF_N_BOOT", "WhatIf", "WhatIfResult", "size_mix", "whatif_widget"]

#: Bootstrap replicates per widget update (the intervals' Monte Carlo error is about 1 point).
WHATIF_N_BOOT = 400


def _thresholds() -> list[int]:
    return [int(band.edges[0]) for band in list(SizeBand)[1:]]


def size_mix(observed: pd.Series, threshold: int, share_above: float) -> dict[str, float]:
    """Size-band shares with ``share_above`` of collaborations at or above ``threshold``.

    Within each side of the threshold the bands keep their observed proportions; a side with
    no respondent spreads its share evenly over its bands.

    Parameters
    ----------
    observed : pandas.Series
        The ``size_band`` column of the respondents in the model (categorical of
        :class:`~gpcollab.vocab.SizeBand`).
    threshold : int
        A band edge in registered patients: 30,000, 50,000, 100,000 or 250,000.
    share_above : float
        Share of collaborations at or above the threshold, 0 to 1.

    Returns
    -------
    dict of str to float
        Band value -> share, adding up to 1 (bands with share 0 left out).

    Examples
    --------
    >>> import pandas as pd
    >>> bands = pd.Series(["under_30k", "30k_50k", "30k_50k", "100k_250k"])
    >>> size_mix(bands, 50_000, 0.5)
    {'under_30k': 0.16666666666666666, '30k_50k': 0.3333333333333333, '100k_250k': 0.5}
    """
    usable = _thresholds()
    if threshold not in usable:
        raise ArgumentError(f"`threshold` must be one of {usable!r}, not {threshold!r}.")
    if isinstance(share_above, bool) or not 0.0 <= float(share_above) <= 1.0:
        raise ArgumentError(f"`share_above` must be a share from 0 to 1, not {share_above!r}.")
    values = SizeBand.values()
    lower = {band.value: band.edges[0] for band in SizeBand}
    counts = observed.astype(str).value_counts().reindex(values, fill_value=0)
    mix: dict[str, float] = {}
    for above, share in ((False, 1.0 - float(share_above)), (True, float(share_above))):
        side = [v for v in values if (lower[v] >= threshold) == above]
        total = float(counts[side].sum())
        for v in side:
            part = share * (float(counts[v]) / total if total > 0 else 1.0 / len(side))
            if part > 0:
                mix[v] = part
    return mix


@dataclass(frozen=True)
class WhatIfResult:
    """One setting of the what-if and its two tables.

    Attributes
    ----------
    aim, threshold, share_above
        The setting.
    breakdown : pandas.DataFrame
        Full achievement of the aim by the size groups cut at ``threshold``
        (:func:`~gpcollab.achievement_rates` rows with ``outcome == "fully"``), after
        :func:`~gpcollab.suppress` on the whole table (so a cell hidden to protect another
        outcome's small cell is hidden here too, as in the report).
    standardised : pandas.DataFrame
        :func:`~gpcollab.standardise` output (the observed mix and the scenario mix), after
        :func:`~gpcollab.suppress`.
    notes : list of str
        How the model departs from the terms asked for (see :func:`gpcollab.whatif.fit_model`).
    """

    aim: str
    threshold: int
    share_above: float
    breakdown: pd.DataFrame
    standardised: pd.DataFrame
    notes: list[str]
    min_n: int = DEFAULT_MIN_N

    def to_html(self) -> str:
        """Both tables as presentation views (labels, percentages, intervals, bases), each
        through :func:`~gpcollab.suppress` with ``min_n`` (a table that already went through
        it is shown as it is), so a small cell shows ``[c]`` and the caption says why."""
        label = Aim.labels()[self.aim]
        parts = [
            f"<h4>Fully achieved: {label}, by size (cut at {self.threshold:,})</h4>",
            present(self._safe(self.breakdown), groups=["size_group"]).to_html(),
            f"<h4>Standardised: {100 * self.share_above:.0f}% of collaborations at "
            f"{self.threshold:,} patients or more</h4>",
            present(self._safe(self.standardised), groups=["scenario"]).to_html(),
        ]
        parts += [f"<p><i>Note: {note}</i></p>" for note in self.notes]
        if self.breakdown.attrs.get("synthetic"):
            parts.append(f"<p><b>{SYNTHETIC_NOTICE}</b></p>")
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _safe(self, table: pd.DataFrame) -> pd.DataFrame:
        return table if "suppressed" in table else suppress(table, min_n=self.min_n)


class WhatIf:
    """The computation behind :func:`whatif_widget`: a survey and its fitted models.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims`` and ``size_band`` (GP 2017).
    n_boot : int, default=WHATIF_N_BOOT
        Bootstrap replicates of the standardised rates.
    seed : int, default=0
        Bootstrap seed (the same setting always gives the same intervals).
    min_n : int, default=5
        Disclosure threshold of :func:`~gpcollab.suppress` (the report's, by default) applied
        to both tables.

    Examples
    --------
    >>> import gpcollab
    >>> from gpcollab.widgets import WhatIf
    >>> whatif = WhatIf(gpcollab.load_survey(2017, "gp"))
    >>> result = whatif.compute("access", threshold=100_000, share_above=0.5)
    >>> result.standardised["scenario"].tolist()
    ['observed', '50% at 100,000 or more']
    """

    def __init__(
        self,
        survey: SurveyData,
        *,
        n_boot: int = WHATIF_N_BOOT,
        seed: int = 0,
        min_n: int = DEFAULT_MIN_N,
    ):
        self.survey = check_survey(survey)
        self.survey.require("aims", "size_band")
        self.n_boot = n_boot
        self.seed = seed
        self.min_n = check_min_n(min_n)
        self._models: dict[str, tuple[AchievementModel, list[str]]] = {}
        self._breakdowns: dict[tuple[str, int], pd.DataFrame] = {}

    def model(self, aim: str) -> tuple[AchievementModel, list[str]]:
        """The fitted model of ``aim`` and its notes (fitted on first use, then kept)."""
        if aim not in self._models:
            self._models[aim] = fit_model(self.survey, aim)
        return self._models[aim]

    def observed_share_above(self, aim: str, threshold: int) -> float:
        """Share of the model's respondents at or above ``threshold`` (the slider's start)."""
        model, _ = self.model(aim)
        lower = np.array([band.edges[0] for band in SizeBand])
        codes = np.asarray(model.data["size_band"].cat.codes)
        return float(np.mean(lower[codes] >= threshold)) if len(codes) else 0.0

    def breakdown(self, aim: str, threshold: int) -> pd.DataFrame:
        """Full achievement of ``aim`` by size cut at ``threshold``, through disclosure control
        (computed once, then kept: moving the share slider does not change it)."""
        key = (aim, threshold)
        if key not in self._breakdowns:
            groups = reband(self.survey, threshold)
            rates = suppress(
                achievement_rates(self.survey, by=groups, aims=[aim]), min_n=self.min_n
            )
            table = rates[rates["outcome"] == "fully"].drop(columns=["aim", "outcome"])
            table.attrs.update(rates.attrs)
            self._breakdowns[key] = table
        return self._breakdowns[key].copy()

    def compute(self, aim: str, threshold: int, share_above: float) -> WhatIfResult:
        """The breakdown and the standardised rates for one setting."""
        if aim not in Aim.values():
            raise ArgumentError(f"`aim` must be one of {Aim.values()!r}, not {aim!r}.")
        model, notes = self.model(aim)
        if "size_band" not in model.terms:
            raise ArgumentError(
                f"The model of {aim!r} has no size term, so the mix cannot change: "
                + " ".join(notes)
            )
        breakdown = self.breakdown(aim, threshold)
        mix = size_mix(model.data["size_band"], threshold, share_above)
        name = f"{100 * share_above:.0f}% at {threshold:,} or more"
        table = standardise(
            self.survey,
            aim,
            [Scenario(name, mix={"size_band": mix})],
            model=model,
            n_boot=self.n_boot,
            seed=self.seed,
        )
        safe = suppress(table, min_n=self.min_n)
        return WhatIfResult(
            aim, threshold, float(share_above), breakdown, safe, notes, min_n=self.min_n
        )


def whatif_widget(
    survey: SurveyData,
    *,
    aims: Sequence[str] | None = None,
    n_boot: int = WHATIF_N_BOOT,
    seed: int = 0,
    min_n: int = DEFAULT_MIN_N,
) -> Any:
    """An interactive what-if for a notebook (needs ``ipywidgets``: the notebooks extra).

    Controls: the aim, the size threshold, and the share of collaborations at or above it.
    Each change recomputes the breakdown by the re-cut size groups and the standardised rate
    under the chosen mix (:meth:`WhatIf.compute`) and shows both as tables.

    Parameters
    ----------
    survey : SurveyData
        A wave asking ``aims`` and ``size_band`` (GP 2017).
    aims : sequence of str, optional
        Aims offered (default: every aim).
    n_boot, seed, min_n
        As in :class:`WhatIf`: every table the widget shows goes through
        :func:`~gpcollab.suppress` with ``min_n`` (the report's threshold by default).

    Returns
    -------
    ipywidgets.VBox
        The controls above an HTML output; ``.whatif`` is the :class:`WhatIf` behind it and
        ``.result`` the latest :class:`WhatIfResult`.

    Raises
    ------
    ArgumentError
        ipywidgets is not installed (the message says how to install it), or an unknown aim.
    """
    try:
        import ipywidgets as w  # optional: the notebooks extra, only for the widget
    except ImportError:
        raise ArgumentError(
            "whatif_widget needs ipywidgets, from the notebooks extra: in a clone of gpcollab, "
            "pip install -e '.[notebooks]' (or pip install ipywidgets)"
        ) from None
    whatif = WhatIf(survey, n_boot=n_boot, seed=seed, min_n=min_n)
    offered = check_aims(aims) if aims is not None else Aim.values()  # codes or labels
    if not offered:
        raise ArgumentError(f"`aims` must name at least one of {Aim.values()!r}.")
    labels: Mapping[str, str] = Aim.labels()
    aim = w.Dropdown(options=[(labels[a], a) for a in offered], value=offered[0], description="Aim")
    threshold = w.SelectionSlider(
        options=[(f"{t:,}", t) for t in _thresholds()],
        value=100_000,
        description="Threshold",
    )
    share = w.FloatSlider(
        value=round(whatif.observed_share_above(offered[0], 100_000), 2),
        min=0.0,
        max=1.0,
        step=0.05,
        description="Share at or above",
        readout_format=".0%",
        style={"description_width": "initial"},
    )
    output = w.HTML()
    box = w.VBox([aim, threshold, share, output])

    def update(_: object = None) -> None:
        try:
            result = whatif.compute(aim.value, threshold.value, share.value)
        except ArgumentError as error:  # e.g. an aim whose model had to leave size out
            output.value = f"<p><b>{escape(str(error))}</b></p>"
            return
        box.result = result
        output.value = result.to_html()

    for control in (aim, threshold, share):
        control.observe(update, names="value")
    box.whatif = whatif
    update()
    return box
