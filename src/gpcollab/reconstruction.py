"""Synthetic response sets rebuilt from the published findings register.

The answers to the 2015 and 2017 surveys were never released; only percentages were. This module
builds, for each of the four instruments, a *synthetic* set of responses whose computed figures
come out as the published ones (to the published rounding) and whose stated associations hold.
Every set it returns has ``meta.synthetic = True``; it is a teaching and testing device, never a
stand-in for the real responses.

The method (summarised with the package's layers in ``docs/architecture.md``, "The synthetic
reconstruction"):

1. **Counts first.** For every published percentage the base is fixed (through the named
   assumption the register gives), and the integer count whose percentage rounds to the
   published value is chosen; for a word quantity ("two thirds") a count inside the range the
   register documents. Published values are read from the register by finding id.
2. **Joint assignment.** Respondents are built attribute by attribute with
   ``numpy.random.default_rng(seed)``: region and CCG from the real practice population, role,
   membership, the collaboration's form, legal form, size, age and level, then aims, outcomes,
   funding and views. Where the record states an association the counts are split across the
   groups by a stated effect size (an odds ratio, kept as a parameter), so the margins stay
   exact and the association holds.
3. **Verification.** :func:`gpcollab.verify_findings` on the result; a set that does not verify
   is a bug.

Every parameter that is a choice rather than a published figure (effect sizes, shares of answers
never published, role and level mixes...) is a named assumption of
``datasets/findings/assumptions.json`` (A-15, A-17, A-22 to A-27); this module holds no numbers of
its own. :data:`RECONSTRUCTION_PARAMETERS` is a read-only view of them under the names the
generator uses. Filters of the register are evaluated by :func:`gpcollab.findings.filter_mask`,
the evaluator :func:`gpcollab.verify_findings` uses, so both read the computation language alike.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from gpcollab._typing import BoolArray, FloatArray
from gpcollab.datasets import load_population
from gpcollab.errors import ReconstructionError, UnknownNameError
from gpcollab.findings import (
    assumption_value,
    filter_mask,
    load_findings,
    resolve_computation,
)
from gpcollab.instrument import PUBLISHED_SURVEYS
from gpcollab.schema import ITEMS, SurveyData, SurveyMeta
from gpcollab.vocab import CCG_SUCCESSORS, Aim, Instrument, Level, SizeBand

__all__ = [
    "INSTRUMENTS",
    "RECONSTRUCTION_PARAMETERS",
    "ReconstructionError",
    "reconstruct",
]

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]

INSTRUMENTS: tuple[tuple[int, str], ...] = (
    (2015, "gp"),
    (2015, "ccg"),
    (2017, "gp"),
    (2017, "ccg"),
)
"""The (wave, instrument) pairs that can be reconstructed."""

ITEMS_ASKED: Mapping[tuple[int, str], tuple[str, ...]] = {
    (2015, "gp"): (
        "role",
        "region",
        "membership",
        "form",
        "legal_form",
        "size_band",
        "age_band",
        "level",
        "drivers",
        "barriers",
    ),
    (2015, "ccg"): ("role", "region", "ccg_encouragement", "ccg_support", "barriers"),
    (2017, "gp"): (
        "role",
        "region",
        "membership",
        "form",
        "legal_form",
        "size_band",
        "age_band",
        "level",
        "aims",
        "funding",
        "barriers",
        "stp_influence",
        "stp_change",
        "contract_willingness",
        "contract_reasons",
    ),
    (2017, "ccg"): (
        "role",
        "region",
        "ccg_encouragement",
        "ccg_support",
        "barriers",
        "stp_influence",
        "stp_change",
        "practices_willing",
    ),
}
"""Items each instrument asked (``docs/instruments.md``), in questionnaire order."""

# ------------------------------------------------------------------------------------------
# Parameters that are choices, not published figures: each is read from one named assumption
# of the assumptions file (gpcollab.findings.assumption_value, default option). Shares are
# relative weights (they need not sum to one); odds ratios are effect sizes of stated
# associations. None of these numbers was published, and none is written in this module.
# ------------------------------------------------------------------------------------------


def _key(*path: str) -> Callable[[Any], Any]:
    """Read ``value[path[0]][path[1]]...`` of an assumption's value."""

    def read(value: Any) -> Any:
        for step in path:
            value = value[step]
        return value

    return read


def _bands(year: str, item: str, names: Sequence[str]) -> Callable[[Any], Any]:
    """Read the shares of some bands of ``item`` in ``year`` from the A-15 value."""

    def read(value: Any) -> Any:
        shares = value[year][item]
        return {name: float(shares[name]) for name in names}

    return read


_PARAMETERS: Mapping[str, tuple[str, Callable[[Any], Any]]] = {
    # who answered
    "role_shares_gp2015": ("A-22", _key("gp_2015")),
    "role_shares_gp2017_non_partner": ("A-22", _key("gp_2017_non_partner")),
    "role_shares_ccg": ("A-22", _key("ccg")),
    # form, legal form and level beyond the published shares
    "form_other_shares": ("A-23", _key("form_other")),
    "super_practice_share_2017": ("A-23", _key("super_practice_2017")),
    "legal_other_shares": ("A-23", _key("legal_form_other_2015")),
    "legal_shares_2017": ("A-23", _key("legal_form_2017")),
    "informal_excluded": ("A-23", _key("informal_excluded")),
    "level_shares_within_ccg_2015": ("A-23", _key("level_within_ccg_2015")),
    "level_shares_2017": ("A-23", _key("level_2017")),
    # size and age bands on either side of the published splits
    "size_shares_below_2015": ("A-15", _bands("2015", "size_band", ("under_30k", "30k_50k"))),
    "size_shares_above_2015": (
        "A-15",
        _bands("2015", "size_band", ("50k_100k", "100k_250k", "over_250k")),
    ),
    "size_shares_below_2017": (
        "A-15",
        _bands("2017", "size_band", ("under_30k", "30k_50k", "50k_100k")),
    ),
    "size_shares_above_2017": ("A-15", _bands("2017", "size_band", ("100k_250k", "over_250k"))),
    "age_shares_remainder_2015": ("A-15", _bands("2015", "age_band", ("1y_2y", "over_2y"))),
    "age_shares_remainder_2017": ("A-15", _bands("2017", "age_band", ("under_1y", "1y_2y"))),
    # effect sizes
    "staff_fully_or_large_ccg": ("A-17", _key("S-09")),
    "age_fully_or_per_band": ("A-17", _key("S-10_per_band")),
    "aim_choice_or_larger": ("A-17", _key("S-14")),
    # aims set and their achievement, 2017
    "aims_per_respondent_shares": ("A-24", _key("aims_per_respondent")),
    "aim_other_weights": ("A-24", _key("other_aim_weights")),
    "fully_rate_other_aims": ("A-25", _key("fully_rate_other_aims")),
    "min_age_band_fully": ("A-25", _key("youngest_band_fully")),
    "non_fully_outcome_shares": ("A-25", _key("other_outcomes_by_age_band")),
    # multi-select items
    "barrier_shares_gp": ("A-26", _key("barriers_gp")),
    "barrier_shares_ccg": ("A-26", _key("barriers_ccg")),
    "driver_shares": ("A-26", _key("drivers")),
    "funding_shares": ("A-26", _key("funding")),
    "access_fund_share_not_achieving_access": ("A-26", _key("access_fund_not_achieving_access")),
    "ccg_support_shares_2015": ("A-26", _key("ccg_support_2015")),
    "ccg_support_shares_2017": ("A-26", _key("ccg_support_2017")),
    "contract_other_reason_share": ("A-26", _key("contract_reason_other")),
    # single-choice answer points never published
    "encouragement_shares_2015": ("A-27", _key("encouragement_2015")),
    "encouragement_other_2017": ("A-27", _key("encouragement_other_2017")),
    "stp_influence_other_gp": ("A-27", _key("stp_influence_other_gp")),
    "stp_influence_other_ccg": ("A-27", _key("stp_influence_other_ccg")),
    "stp_change_other_gp": ("A-27", _key("stp_change_other_gp")),
    "stp_change_other_ccg": ("A-27", _key("stp_change_other_ccg")),
    "practices_willing_dont_know": ("A-27", _key("practices_willing_dont_know")),
    "practices_willing_other": ("A-27", _key("practices_willing_other")),
    "second_point_share": ("A-27", _key("second_point_share")),
}
"""Parameter name -> (assumption id, how to read it from that assumption's value)."""


def _parameter(key: str) -> Any:
    """One reconstruction parameter, read from its assumption (default option)."""
    if key not in _PARAMETERS:
        raise ReconstructionError(f"No reconstruction parameter {key!r}.")
    assumption_id, read = _PARAMETERS[key]
    try:
        return read(assumption_value(assumption_id))
    except (KeyError, TypeError, IndexError) as exc:
        raise ReconstructionError(
            f"The value of assumption {assumption_id} has no entry for the parameter {key!r} "
            f"({exc!r}); see data/findings/make_assumptions.py."
        ) from exc


class _ParameterView(Mapping[str, Any]):
    """Read-only mapping of the reconstruction's parameters, each read from its assumption."""

    def __getitem__(self, key: str) -> Any:
        if key not in _PARAMETERS:
            raise UnknownNameError(f"no reconstruction parameter {key!r}")
        return _parameter(key)

    def __iter__(self) -> Iterator[str]:
        return iter(_PARAMETERS)

    def __len__(self) -> int:
        return len(_PARAMETERS)

    def source(self, key: str) -> str:
        """The id of the assumption a parameter is read from."""
        return _PARAMETERS[key][0]

    def __repr__(self) -> str:
        return f"<reconstruction parameters read from assumptions: {', '.join(self)}>"


RECONSTRUCTION_PARAMETERS: Mapping[str, Any] = _ParameterView()
"""Choices the reconstruction makes where nothing was published, by name (read-only view).

Each value is read from a named assumption of ``assumptions.json`` when looked up; nothing is
stored here. ``RECONSTRUCTION_PARAMETERS.source(name)`` gives the assumption id.
"""

_NOMINAL_VERBAL: Mapping[str, tuple[float | None, float | None]] = {}
"""Fallback ranges for verbal rows without ``range_low``/``range_high`` (none expected)."""


# ------------------------------------------------------------------------------------------
# the register and the assumptions
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Finding:
    finding_id: str
    value: float | None
    unit: str
    range_low: float | None
    range_high: float | None
    computation: Mapping[str, Any]
    status_rule: str


def _as_float(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@dataclass
class _Record:
    """The published findings (computations with the assumptions spliced in), read once."""

    findings: dict[str, _Finding]

    @classmethod
    def load(cls) -> _Record:
        frame = load_findings()
        findings: dict[str, _Finding] = {}
        for row in frame.to_dict("records"):
            computation = row.get("computation")
            if isinstance(computation, str):
                computation = json.loads(computation) if computation.strip() else {}
            if isinstance(computation, Mapping):
                computation = resolve_computation(dict(computation))
            findings[str(row["finding_id"])] = _Finding(
                finding_id=str(row["finding_id"]),
                value=_as_float(row.get("value")),
                unit=str(row.get("unit", "")),
                range_low=_as_float(row.get("range_low")),
                range_high=_as_float(row.get("range_high")),
                computation=computation if isinstance(computation, Mapping) else {},
                status_rule=str(row.get("status_rule", "evaluate")),
            )
        return cls(findings)

    def finding(self, finding_id: str) -> _Finding:
        if finding_id not in self.findings:
            raise ReconstructionError(
                f"The findings register has no row {finding_id!r}, which the reconstruction needs."
            )
        return self.findings[finding_id]

    def value(self, finding_id: str) -> float:
        found = self.finding(finding_id)
        if found.value is None:
            raise ReconstructionError(f"Finding {finding_id} has no published value.")
        return found.value

    def target(self, finding_id: str) -> tuple[float, float, float]:
        """(target percent, lowest allowed, highest allowed) for a percent or verbal row."""
        found = self.finding(finding_id)
        if found.unit == "verbal":
            low, high = found.range_low, found.range_high
            if low is None or high is None:
                low, high = _NOMINAL_VERBAL.get(finding_id, (low, high))
            if low is None or high is None:
                raise ReconstructionError(f"Verbal finding {finding_id} has no documented range.")
            return (low + high) / 2.0, low, high
        value = self.value(finding_id)
        return value, value - 0.5, value + 0.5

    def assumption_value(self, assumption_id: str) -> Any:
        """The default option's ``value`` of an assumption (its filter when it has none)."""
        return assumption_value(assumption_id)

    def param(self, key: str) -> Any:
        """A reconstruction parameter, read from the assumption that names it."""
        return _parameter(key)


def _evaluated(record: _Record, *finding_ids: str) -> str:
    """The first of ``finding_ids`` the register evaluates (others follow it or conflict)."""
    for finding_id in finding_ids:
        if record.finding(finding_id).status_rule == "evaluate":
            return finding_id
    return finding_ids[0]


def _rounds_to(count: int, base: int, low: float, high: float, unit: str) -> bool:
    if base <= 0:
        return False
    pct = 100.0 * count / base
    if unit == "verbal":
        return low - 1e-9 <= pct <= high + 1e-9
    # published to whole percent: keep clear of the .5 edges so any rounding rule agrees
    return low + 1e-9 < pct < high - 1e-9


def _count(record: _Record, finding_id: str, base: int) -> int:
    """The integer count whose share of ``base`` reproduces the finding, nearest its target."""
    target, low, high = record.target(finding_id)
    unit = record.finding(finding_id).unit
    ideal = target * base / 100.0
    candidates = [c for c in range(base + 1) if _rounds_to(c, base, low, high, unit)]
    if not candidates:
        raise ReconstructionError(
            f"No whole number of respondents out of {base} reproduces finding {finding_id}."
        )
    return min(candidates, key=lambda c: (abs(c - ideal), c))


def _candidates(record: _Record, finding_id: str, base: int) -> list[int]:
    _, low, high = record.target(finding_id)
    unit = record.finding(finding_id).unit
    return [c for c in range(base + 1) if _rounds_to(c, base, low, high, unit)]


# ------------------------------------------------------------------------------------------
# the response set under construction, and the register's filter language on it
# ------------------------------------------------------------------------------------------


@dataclass
class _Build:
    n: int
    single: dict[str, ObjArray] = field(default_factory=dict)
    ccg_code: ObjArray | None = None
    ccg_patients: FloatArray | None = None
    aim_set: dict[str, BoolArray] = field(default_factory=dict)
    aim_outcome: dict[str, ObjArray] = field(default_factory=dict)
    multi: dict[str, dict[str, BoolArray]] = field(default_factory=dict)

    def column(self, name: str) -> ObjArray:
        if name not in self.single:
            self.single[name] = np.full(self.n, None, dtype=object)
        return self.single[name]


_COLLABORATING = ("formal", "informal", "both")


class _BuildView:
    """The set under construction, seen as :class:`gpcollab.findings.FilterData`.

    An answer not given yet (an item or aim not built so far) matches no filter value.
    """

    def __init__(self, build: _Build) -> None:
        self.build = build
        self.n = build.n

    def _none(self) -> BoolArray:
        return np.zeros(self.n, dtype=bool)

    def single_mask(self, item: str, values: Sequence[str]) -> BoolArray:
        column = self.build.single.get(item)
        if column is None:
            return self._none()
        return np.isin(column.astype(str), list(values))

    def answered_mask(self, item: str, exclude: Sequence[str]) -> BoolArray:
        column = self.build.single.get(item)
        if column is None:
            return self._none()
        keep = np.array([v is not None for v in column], dtype=bool)
        return keep & ~np.isin(column.astype(str), list(exclude))

    def aim_mask(self, aim: str, outcomes: Sequence[str] | None) -> BoolArray:
        chosen = self.build.aim_set.get(aim, self._none())
        if outcomes is None:
            return chosen.copy()
        outcome = self.build.aim_outcome.get(aim, np.full(self.n, None, dtype=object))
        return chosen & np.isin(outcome.astype(str), list(outcomes))

    def any_aim_mask(self) -> BoolArray:
        hit = self._none()
        for chosen in self.build.aim_set.values():
            hit |= chosen
        return hit

    def any_aim_outcome_mask(self, outcomes: Sequence[str]) -> BoolArray:
        hit = self._none()
        for aim, chosen in self.build.aim_set.items():
            outcome = self.build.aim_outcome.get(aim, np.full(self.n, None, dtype=object))
            hit |= chosen & np.isin(outcome.astype(str), list(outcomes))
        return hit

    def ticked_mask(self, item: str, options: Sequence[str]) -> BoolArray:
        table = self.build.multi.get(item, {})
        hit = self._none()
        for option in options:
            hit |= table.get(str(option), self._none())
        return hit


def _mask(build: _Build, where: Mapping[str, Any]) -> BoolArray:
    """Evaluate a register filter on the set being built (the evaluator verification uses)."""
    return np.asarray(filter_mask(where, _BuildView(build)), dtype=bool)


def _base_size(
    build: _Build, record: _Record, finding_id: str, default: BoolArray | None = None
) -> int:
    """Size of a proportion finding's base, evaluated on the set built so far."""
    computation = record.finding(finding_id).computation
    if computation.get("type") == "proportion":
        return int(_mask(build, computation.get("base") or {}).sum())
    if computation.get("type") == "share_of_constant":
        return int(computation["denominator"])
    if default is None:
        return build.n
    return int(default.sum())


def _numerator_values(
    record: _Record, finding_id: str, column: str, default: Sequence[str]
) -> list[str]:
    """The answers of ``column`` a finding counts (from its computation), or ``default``.

    The computation's assumptions are already spliced in (:meth:`_Record.load`).
    """
    computation = record.finding(finding_id).computation
    for key in ("numerator", "where"):
        spec = computation.get(key)
        if isinstance(spec, Mapping) and column in spec:
            values = spec[column]
            return [values] if isinstance(values, str) else [str(v) for v in values]
    return list(default)


# ------------------------------------------------------------------------------------------
# integer tools
# ------------------------------------------------------------------------------------------


def _split(total: int, weights: Sequence[float] | FloatArray) -> IntArray:
    """Integers summing to ``total`` proportional to ``weights`` (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    out = np.floor(exact).astype(np.int64)
    short = total - int(out.sum())
    order = np.lexsort((np.arange(len(w)), -(exact - out)))
    out[order[:short]] += 1
    return np.asarray(out, dtype=np.int64)


def _split_capped(
    total: int, weights: Sequence[float] | FloatArray, caps: Sequence[int] | IntArray
) -> IntArray:
    """Like :func:`_split` but never above ``caps`` (the excess goes to the others)."""
    cap = np.asarray(caps, dtype=np.int64)
    if total > int(cap.sum()):
        raise ReconstructionError(f"Cannot place {total} in cells holding {int(cap.sum())}.")
    w = np.asarray(weights, dtype=float) * (cap > 0)
    out = np.zeros(len(cap), dtype=np.int64)
    remaining = total
    while remaining > 0:
        free = cap - out
        usable = w if w[free > 0].sum() > 0 else np.ones_like(w)
        share = _split(remaining, np.where(free > 0, usable, 0.0).astype(float))
        share = np.minimum(share, free)
        if share.sum() == 0:
            share[int(np.argmax(free))] = 1
        out += share
        remaining = total - int(out.sum())
    return out


def _ipf_integer(
    rows: Sequence[int], cols: Sequence[int], seed: FloatArray, caps: IntArray | None = None
) -> IntArray:
    """Integer table with exact margins, near the IPF fit of ``seed`` to them.

    Iterative proportional fitting keeps the odds ratios of ``seed``; the fitted table is then
    rounded row by row (largest remainder) and column excesses are moved, one unit at a time,
    to the cell whose fractional part is largest.
    """
    r = np.asarray(rows, dtype=float)
    c = np.asarray(cols, dtype=float)
    if abs(r.sum() - c.sum()) > 1e-9:
        raise ReconstructionError("Row and column totals differ.")
    table = np.asarray(seed, dtype=float).copy()
    for _ in range(500):
        rs = table.sum(axis=1)
        table *= np.divide(r, rs, out=np.zeros_like(r), where=rs > 0)[:, None]
        cs = table.sum(axis=0)
        table *= np.divide(c, cs, out=np.zeros_like(c), where=cs > 0)[None, :]
        if np.abs(table.sum(axis=1) - r).max() < 1e-10:
            break
    cap = np.full(table.shape, np.iinfo(np.int64).max) if caps is None else caps
    out = np.vstack(
        [_split_capped(int(r[i]), table[i], cap[i]) for i in range(table.shape[0])]
    ).astype(np.int64)
    frac = table - out
    for _ in range(10_000):
        excess = out.sum(axis=0) - c.astype(np.int64)
        if not excess.any():
            return out
        over = int(np.argmax(excess))
        under = int(np.argmin(excess))
        # move one unit in some row from `over` to `under`: prefer the best fractional fit
        ok = (out[:, over] > 0) & (out[:, under] < cap[:, under])
        if not ok.any():
            break
        score = np.where(ok, frac[:, under] - frac[:, over], -np.inf)
        i = int(np.argmax(score))
        out[i, over] -= 1
        out[i, under] += 1
        frac[i, over] += 1
        frac[i, under] -= 1
    raise ReconstructionError("Could not round the table to its margins.")


def _pick(
    rng: np.random.Generator, pool: IntArray, k: int, weights: FloatArray | None = None
) -> IntArray:
    """``k`` members of ``pool`` without replacement (weighted: Efraimidis–Spirakis keys)."""
    if k > len(pool):
        raise ReconstructionError(f"Cannot choose {k} respondents out of {len(pool)}.")
    u = rng.random(len(pool))
    if weights is None:
        keys = u
    else:
        w = np.asarray(weights, dtype=float)
        keys = np.where(w > 0, np.log(np.maximum(u, 1e-300)) / np.where(w > 0, w, 1.0), -np.inf)
    order = np.argsort(-keys, kind="stable")
    return np.sort(pool[order[:k]])


def _deal(
    rng: np.random.Generator, pool: IntArray, counts: Mapping[str, int], target: ObjArray
) -> None:
    """Give ``counts[v]`` members of ``pool`` (chosen at random) the answer ``v``."""
    if sum(counts.values()) != len(pool):
        raise ReconstructionError("Answer counts do not add up to the respondents asked.")
    shuffled = pool[rng.permutation(len(pool))]
    start = 0
    for value, k in counts.items():
        target[shuffled[start : start + k]] = value
        start += k


def _shares(record: _Record, key: str) -> tuple[list[str], list[float]]:
    table: Mapping[str, float] = record.param(key)
    return list(table), [float(v) for v in table.values()]


def _tick(
    rng: np.random.Generator,
    build: _Build,
    item: str,
    pool: IntArray,
    counts: Mapping[str, int],
) -> None:
    """Multi-select: exactly ``counts[o]`` members of ``pool`` tick option ``o``."""
    table = build.multi.setdefault(item, {})
    for option, k in counts.items():
        ticked = np.zeros(build.n, dtype=bool)
        ticked[_pick(rng, pool, k)] = True
        table[option] = table.get(option, np.zeros(build.n, dtype=bool)) | ticked


# ------------------------------------------------------------------------------------------
# shared steps
# ------------------------------------------------------------------------------------------


def _ccg_frame(year: int) -> pd.DataFrame:
    """The CCGs of the wave's year: the bundled frame with that year's mergers applied.

    The 2017 frame (2016-17 practices) is mapped to the April 2017 geography of 207 CCGs
    (:data:`gpcollab.vocab.CCG_SUCCESSORS`): merged CCGs add up their practices and patients.
    Sorted by code.
    """
    frame = load_population(year, "ccg")
    frame = frame.loc[frame["formed_from"].isna()]  # the frame's own CCGs, merged below
    merged = CCG_SUCCESSORS.get(year, {})
    codes = frame["ccg_code"].astype(str).map(lambda code: merged.get(code, code))
    frame = frame.assign(ccg_code=codes)
    return (
        frame.groupby("ccg_code", sort=True, as_index=False)
        .agg(
            region_code=("region_code", "first"),
            practices=("practices", "sum"),
            registered_patients=("registered_patients", "sum"),
        )
        .reset_index(drop=True)
    )


def _place(build: _Build, frame: pd.DataFrame, chosen: IntArray) -> None:
    build.ccg_code = frame["ccg_code"].astype(str).to_numpy(dtype=object)[chosen]
    build.ccg_patients = frame["registered_patients"].to_numpy(dtype=float)[chosen]
    build.single["region"] = frame["region_code"].astype(str).to_numpy(dtype=object)[chosen]


def _place_gp(rng: np.random.Generator, build: _Build, year: int, n_ccgs: int | None) -> None:
    """Region and CCG of each respondent's practice, from the real practice population.

    A respondent's CCG is drawn from the CCGs of the wave's year (:func:`_ccg_frame`) with
    probability proportional to its number of practices; with ``n_ccgs`` set, exactly that
    many distinct CCGs (chosen with the same weights) appear.
    """
    frame = _ccg_frame(year)
    practices = frame["practices"].to_numpy(dtype=float)
    index = np.arange(len(frame), dtype=np.int64)
    if n_ccgs is None:
        chosen = rng.choice(index, size=build.n, p=practices / practices.sum())
    else:
        if not 0 < n_ccgs <= min(len(frame), build.n):
            raise ReconstructionError(f"Cannot spread {build.n} respondents over {n_ccgs} CCGs.")
        areas = _pick(rng, index, n_ccgs, practices)
        extra = rng.choice(
            areas, size=build.n - n_ccgs, p=practices[areas] / practices[areas].sum()
        )
        chosen = np.concatenate([areas, extra])[rng.permutation(build.n)]
    _place(build, frame, np.asarray(chosen, dtype=np.int64))


def _place_ccg(rng: np.random.Generator, build: _Build, year: int) -> None:
    """One respondent per CCG: ``n`` distinct CCGs of the wave's year drawn at random."""
    frame = _ccg_frame(year)
    chosen = _pick(rng, np.arange(len(frame), dtype=np.int64), build.n)
    _place(build, frame, chosen[rng.permutation(build.n)])


def _roles(
    rng: np.random.Generator, build: _Build, record: _Record, key: str, partners: int | None = None
) -> None:
    names, weights = _shares(record, key)
    everyone = np.arange(build.n, dtype=np.int64)
    role = build.column("role")
    if partners is None:
        _deal(rng, everyone, dict(zip(names, _split(build.n, weights).tolist(), strict=True)), role)
        return
    counts = {"gp_partner": partners}
    counts.update(zip(names, _split(build.n - partners, weights).tolist(), strict=True))
    _deal(rng, everyone, counts, role)


def _multi_shares(
    rng: np.random.Generator,
    build: _Build,
    record: _Record,
    item: str,
    pool: IntArray,
    key: str,
) -> None:
    names, weights = _shares(record, key)
    counts = {name: round(w * len(pool)) for name, w in zip(names, weights, strict=True)}
    _tick(rng, build, item, pool, counts)


def _barriers(
    rng: np.random.Generator, build: _Build, record: _Record, pool: IntArray, key: str
) -> None:
    """Barriers with exact counts in the stated order (time pressure, then staff shortages)."""
    _multi_shares(rng, build, record, "barriers", pool, key)
    _ensure_ticked(rng, build, "barriers", pool, "other")


def _ensure_ticked(
    rng: np.random.Generator, build: _Build, item: str, pool: IntArray, fallback: str
) -> None:
    """Everyone in ``pool`` ticks at least one option (``fallback`` when they ticked none)."""
    table = build.multi.setdefault(item, {})
    any_ticked = np.zeros(build.n, dtype=bool)
    for ticked in table.values():
        any_ticked |= ticked
    empty = np.zeros(build.n, dtype=bool)
    empty[pool] = True
    empty &= ~any_ticked
    table[fallback] = table.get(fallback, np.zeros(build.n, dtype=bool)) | empty


def _single_with_target(
    rng: np.random.Generator,
    build: _Build,
    record: _Record,
    column: str,
    pool: IntArray,
    published: Sequence[tuple[str, Sequence[str]]],
    other_key: str,
    base_default: BoolArray | None = None,
) -> None:
    """A single-choice item: published findings fix some answers' counts, shares the rest.

    ``published`` lists (finding id, default answers counted); the answers each finding counts
    are read from its computation when present. Counts are exact; who gets which answer is
    random within ``pool``.
    """
    values = build.column(column)
    counts: dict[str, int] = {}
    for finding_id, default in published:
        answers = [
            a for a in _numerator_values(record, finding_id, column, default) if a not in counts
        ]
        base = _base_size(build, record, finding_id, base_default)
        k = _count(record, finding_id, base)
        # most of the count goes to the first answer the finding counts; the second gets a
        # small share only while the first answer alone still reproduces the finding, so
        # the row holds whichever of its answers another reading of it counts
        finding = record.finding(finding_id)
        extra = 0
        if len(answers) > 1 and finding.unit == "verbal" and finding.range_low is not None:
            least = math.ceil(finding.range_low * base / 100.0 - 1e-9)
            share = float(record.param("second_point_share"))
            extra = max(0, min(round(share * k), k - least))
        counts[answers[0]] = k - extra
        for position, answer in enumerate(answers[1:]):
            counts[answer] = extra if position == 0 else 0
    names, weights = _shares(record, other_key)
    rest = len(pool) - sum(counts.values())
    if rest < 0:
        raise ReconstructionError(f"Published counts for {column!r} exceed the respondents asked.")
    for name, k in zip(names, _split(rest, weights).tolist(), strict=True):
        counts[name] = counts.get(name, 0) + k
    _deal(rng, pool, counts, values)


# ------------------------------------------------------------------------------------------
# GP instruments
# ------------------------------------------------------------------------------------------


def _membership_2015(rng: np.random.Generator, build: _Build, record: _Record) -> None:
    total = _count(record, "2015-03", _base_size(build, record, "2015-03"))
    formal = _count(record, "2015-04", _base_size(build, record, "2015-04"))
    informal = _count(record, "2015-05", _base_size(build, record, "2015-05"))
    both = total - formal - informal
    if both < 0:
        raise ReconstructionError("Formal and informal exceed the 2015 total in a collaboration.")
    # the answer that holds the missing points: "both" unless the assumption says otherwise
    split = record.assumption_value("A-01")
    residual = "both"
    if isinstance(split, Mapping):
        named = [k for k in split if k not in ("formal", "informal", "none")]
        residual = named[0] if named else residual
    counts = {"formal": formal, "informal": informal, residual: both, "none": build.n - total}
    _deal(rng, np.arange(build.n, dtype=np.int64), counts, build.column("membership"))


def _membership_2017(rng: np.random.Generator, build: _Build, record: _Record) -> None:
    base = build.n
    totals = _candidates(record, "2017-05", base)
    formal = _candidates(record, "2017-27", base)
    informal = _candidates(record, "2017-28", base)
    ideal = record.value("2017-05") * base / 100
    options = [
        (f, i) for f, i in itertools.product(formal, informal) if f + i in totals
    ]  # 2017 adds up, so no "both"
    if not options:
        raise ReconstructionError("No formal/informal split reproduces the 2017 total.")
    f, i = min(
        options,
        key=lambda fi: (
            abs(fi[0] + fi[1] - ideal),
            abs(fi[0] - record.value("2017-27") * base / 100)
            + abs(fi[1] - record.value("2017-28") * base / 100),
        ),
    )
    counts = {"formal": f, "informal": i, "both": 0, "none": base - f - i}
    _deal(rng, np.arange(base, dtype=np.int64), counts, build.column("membership"))


def _collaborating(build: _Build) -> IntArray:
    membership = build.single["membership"].astype(str)
    return np.flatnonzero(np.isin(membership, _COLLABORATING)).astype(np.int64)


def _deal_eligible(
    rng: np.random.Generator,
    pool: IntArray,
    counts: Mapping[str, int],
    target: ObjArray,
    barred: Mapping[str, BoolArray],
) -> None:
    """Like :func:`_deal`, but an answer in ``barred`` never goes to a respondent it bars.

    The barred answers are dealt first, each among the members of ``pool`` still free and not
    barred from it; the other answers then go at random to those left.
    """
    if sum(counts.values()) != len(pool):
        raise ReconstructionError("Answer counts do not add up to the respondents asked.")
    free = pool.copy()
    for value, k in counts.items():
        if value not in barred or k == 0:
            continue
        eligible = free[~barred[value][free]]
        if k > len(eligible):
            raise ReconstructionError(
                f"{k} respondents should answer {value!r}, but only {len(eligible)} may."
            )
        chosen = _pick(rng, eligible, k)
        target[chosen] = value
        free = free[~np.isin(free, chosen)]
    _deal(rng, free, {v: k for v, k in counts.items() if v not in barred}, target)


def _informal_bars(
    build: _Build, record: _Record, item: str, answers: Sequence[str]
) -> dict[str, BoolArray]:
    """Answers of ``item`` an informal collaboration cannot give (A-23), as barred masks."""
    informal = build.single["membership"].astype(str) == "informal"
    excluded = set(record.param("informal_excluded").get(item, ()))
    return {answer: informal for answer in answers if answer in excluded}


def _size_level_feasible(size: str, level: str, smallest_ccg: float) -> bool:
    """Whether a collaboration of this size band can work at this level anywhere.

    A whole-CCG or multi-CCG collaboration covers at least the smallest CCG's patients, so its
    band must reach above that; a locality may be of any size.
    """
    return level == "locality" or SizeBand.parse(size).edges[1] > smallest_ccg


def _size_and_level(
    rng: np.random.Generator,
    build: _Build,
    pool: IntArray,
    size_counts: Mapping[str, int],
    level_counts: Mapping[str, int],
    smallest_ccg: float,
) -> None:
    """Joint size band x level with exact margins, independent apart from physical limits.

    The joint counts are the independence fit of the margins with the impossible cells
    (:func:`_size_level_feasible`) empty. Respondents are then placed cell by cell, most
    demanding cell first: a locality or whole-CCG collaboration must fit inside its CCG (its
    band's lower bound below the CCG's registered patients).
    """
    assert build.ccg_patients is not None
    sizes = [s for s in SizeBand.values() if s in size_counts]
    levels = [v for v in Level.values() if v in level_counts]
    feasible = np.array(
        [[_size_level_feasible(s, v, smallest_ccg) for v in levels] for s in sizes], dtype=bool
    )
    caps = np.where(feasible, len(pool), 0).astype(np.int64)
    table = _ipf_integer(
        [size_counts[s] for s in sizes],
        [level_counts[v] for v in levels],
        feasible.astype(float),
        caps,
    )
    cells = [
        (
            SizeBand.parse(size).edges[0] if level != "multi_ccg" else 0.0,
            size,
            level,
            int(table[i, j]),
        )
        for i, size in enumerate(sizes)
        for j, level in enumerate(levels)
    ]
    size_col = build.column("size_band")
    level_col = build.column("level")
    free = pool.copy()
    for need, size, level, k in sorted(cells, key=lambda cell: -cell[0]):
        eligible = free[build.ccg_patients[free] > need]
        if k > len(eligible):
            raise ReconstructionError(
                f"Only {len(eligible)} collaborating respondents work in CCGs large enough for "
                f"{k} {level} collaborations of {size}."
            )
        chosen = _pick(rng, eligible, k)
        size_col[chosen] = size
        level_col[chosen] = level
        free = free[~np.isin(free, chosen)]


def _gp_form(
    rng: np.random.Generator, build: _Build, record: _Record, year: int, pool: IntArray
) -> None:
    """Form of the collaboration: published shares, the rest by A-23's weights."""
    in_pool = np.zeros(build.n, dtype=bool)
    in_pool[pool] = True
    n_pool = len(pool)
    if year == 2015:
        form = build.column("form")
        counts: dict[str, int] = {}
        for finding_id, value in (("2015-15", "federation"), ("2015-16", "super_practice")):
            answer = _numerator_values(record, finding_id, "form", [value])[0]
            counts[answer] = _count(
                record, finding_id, _base_size(build, record, finding_id, in_pool)
            )
    else:
        form = build.column("form")
        fed = _count(record, "2017-06", _base_size(build, record, "2017-06", in_pool))
        superp = round(float(record.param("super_practice_share_2017")) * n_pool)
        counts = {"federation": fed, "super_practice": superp}
    names, weights = _shares(record, "form_other_shares")
    rest = n_pool - sum(counts.values())
    for name, k in zip(names, _split(rest, weights).tolist(), strict=True):
        counts[name] = counts.get(name, 0) + k
    _deal_eligible(rng, pool, counts, form, _informal_bars(build, record, "form", list(counts)))


def _gp_legal_form(
    rng: np.random.Generator, build: _Build, record: _Record, year: int, pool: IntArray
) -> None:
    """Legal form: published shares (2015) or A-23's mix; informal ones are not incorporated."""
    legal = build.column("legal_form")
    in_pool = np.zeros(build.n, dtype=bool)
    in_pool[pool] = True
    if year == 2015:
        limited_id = _evaluated(record, "2015-17")
        computation = record.finding(limited_id).computation
        base_mask = in_pool.copy()
        if computation.get("type") == "proportion":
            base_mask &= _mask(build, computation.get("base") or {})
        counts = {
            "limited_company": _count(record, limited_id, int(base_mask.sum())),
            "cic": _count(record, "2015-18", int(base_mask.sum())),
        }
        names, shares = _shares(record, "legal_other_shares")
        rest = len(pool) - sum(counts.values())
        counts.update(zip(names, _split(rest, shares).tolist(), strict=True))
    else:
        names, shares = _shares(record, "legal_shares_2017")
        counts = dict(zip(names, _split(len(pool), shares).tolist(), strict=True))
    bars = _informal_bars(build, record, "legal_form", list(counts))
    _deal_eligible(rng, pool, counts, legal, bars)


def _gp_attributes(
    rng: np.random.Generator, build: _Build, record: _Record, year: int, pool: IntArray
) -> None:
    """Form, legal form, size band, age band and level of each respondent's collaboration."""
    in_pool = np.zeros(build.n, dtype=bool)
    in_pool[pool] = True
    n_pool = len(pool)
    _gp_form(rng, build, record, year, pool)
    _gp_legal_form(rng, build, record, year, pool)
    # size and level
    if year == 2015:
        above = _count(record, "2015-19", _base_size(build, record, "2015-19", in_pool))
        level_id = _evaluated(record, "2015-20", "S-17")
        multi = n_pool - _count(record, level_id, _base_size(build, record, level_id, in_pool))
        within_names, within_w = _shares(record, "level_shares_within_ccg_2015")
        level_counts = dict(
            zip(within_names, _split(n_pool - multi, within_w).tolist(), strict=True)
        )
        level_counts["multi_ccg"] = multi
        below_key, above_key = "size_shares_below_2015", "size_shares_above_2015"
    else:
        above = _count(record, "2017-08", _base_size(build, record, "2017-08", in_pool))
        names, shares = _shares(record, "level_shares_2017")
        level_counts = dict(zip(names, _split(n_pool, shares).tolist(), strict=True))
        below_key, above_key = "size_shares_below_2017", "size_shares_above_2017"
    below_names, below_w = _shares(record, below_key)
    above_names, above_w = _shares(record, above_key)
    size_counts = dict(zip(below_names, _split(n_pool - above, below_w).tolist(), strict=True))
    size_counts.update(zip(above_names, _split(above, above_w).tolist(), strict=True))
    smallest = float(_ccg_frame(year)["registered_patients"].min())
    _size_and_level(rng, build, pool, size_counts, level_counts, smallest)
    # age
    if year == 2015:
        age_id = _evaluated(record, "2015-14", "2015-06")
        young = _count(record, age_id, _base_size(build, record, age_id, in_pool))
        names, shares = _shares(record, "age_shares_remainder_2015")
        counts = {"under_1y": young}
    else:
        age_id = _evaluated(record, "2017-07", "S-15", "2017-20")
        old = _count(record, age_id, _base_size(build, record, age_id, in_pool))
        names, shares = _shares(record, "age_shares_remainder_2017")
        counts = {"over_2y": old}
        young = old
    counts.update(zip(names, _split(n_pool - young, shares).tolist(), strict=True))
    _deal(rng, pool, counts, build.column("age_band"))


# -- aims and outcomes (2017) ---------------------------------------------------------------

_AGE_ORDER = ("under_1y", "1y_2y", "over_2y")
_LARGE = ("100k_250k", "over_250k")


def _realise(
    rng: np.random.Generator, capacity: IntArray, column_totals: Sequence[int]
) -> BoolArray:
    """0/1 matrix with the given row and column sums (Gale–Ryser greedy, random ties).

    Columns are filled largest first, each from the rows with the most room left, so the
    matrix exists whenever any does.
    """
    remaining = capacity.astype(np.int64).copy()
    out = np.zeros((len(capacity), len(column_totals)), dtype=bool)
    totals = np.asarray(column_totals, dtype=np.int64)
    for j in np.lexsort((rng.random(len(totals)), -totals)).tolist():
        k = int(totals[j])
        order = np.lexsort((rng.random(len(remaining)), -remaining))
        rows = order[:k]
        if k and remaining[rows].min() <= 0:
            raise ReconstructionError("Aim counts cannot be realised by the respondents' aims.")
        out[rows, j] = True
        remaining[rows] -= 1
    if remaining.any():
        raise ReconstructionError("Aim counts do not use every respondent's aims.")
    return out


def _split_by_odds(
    total: int, sizes: Sequence[int], odds_ratio: float, caps: Sequence[int] | None = None
) -> IntArray:
    """Split ``total`` successes over two groups so that their odds ratio is ``odds_ratio``.

    Group 1 against group 0, over the groups' ``sizes``; the integer split whose realised odds
    ratio is nearest (on the log scale) the stated one, each group holding at most its cap
    (default: its size).
    """
    n0, n1 = int(sizes[0]), int(sizes[1])
    c0, c1 = (n0, n1) if caps is None else (int(caps[0]), int(caps[1]))
    best: tuple[float, int] | None = None
    for k1 in range(max(0, total - c0), min(total, c1) + 1):
        k0 = total - k1
        odds1 = (k1 + 0.5) / (n1 - k1 + 0.5)
        odds0 = (k0 + 0.5) / (n0 - k0 + 0.5)
        gap = abs(math.log(odds1 / odds0) - math.log(odds_ratio))
        if best is None or gap < best[0] - 1e-12:
            best = (gap, k1)
    if best is None:
        raise ReconstructionError(f"Cannot place {total} in groups of {n0} and {n1}.")
    return np.array([total - best[1], best[1]], dtype=np.int64)


def _capacities(n: int, slots: int, shares: Sequence[float]) -> IntArray:
    """How many aims (1, 2, 3) each of ``n`` respondents set: near ``shares``, adding to
    ``slots``."""
    counts = _split(n, shares)  # respondents setting 1, 2, 3 aims
    if not n <= slots <= 3 * n:
        raise ReconstructionError(f"{n} respondents cannot set {slots} aims (1 to 3 each).")
    total = int(counts @ np.arange(1, 4))
    while total < slots:  # one more aim for someone: from 2 to 3 if possible, else 1 to 2
        move = 1 if counts[1] > 0 else 0
        counts[move] -= 1
        counts[move + 1] += 1
        total += 1
    while total > slots:  # one fewer: from 2 to 1 if possible, else 3 to 2
        move = 1 if counts[1] > 0 else 2
        counts[move] -= 1
        counts[move - 1] += 1
        total -= 1
    return np.repeat(np.arange(1, 4, dtype=np.int64), counts)


def _aims(rng: np.random.Generator, build: _Build, record: _Record, pool: IntArray) -> None:
    """Which aims each collaboration set (1-3 each).

    Each aim's setters are split between larger (100,000+) and smaller collaborations so that
    the odds ratio of setting it is A-17's S-14 value; how many aims each respondent set then
    follows A-24's shares within each size group, adding up to the aims placed there.
    """
    aims = Aim.values()
    sizes = build.single["size_band"].astype(str)
    large = np.isin(sizes[pool], _LARGE)
    groups = [pool[~large], pool[large]]
    k_names, k_shares = _shares(record, "aims_per_respondent_shares")
    if [int(k) for k in k_names] != [1, 2, 3]:
        raise ReconstructionError("A-24 must give the shares of one, two and three aims.")
    slots = int(sum(int(_split(len(g), k_shares) @ np.arange(1, 4)) for g in groups))
    in_pool = np.zeros(build.n, dtype=bool)
    in_pool[pool] = True
    totals = {
        "access": _count(record, "S-03", _base_size(build, record, "S-03", in_pool)),
        "sustainability": _count(record, "S-01", _base_size(build, record, "S-01", in_pool)),
    }
    other_names, other_w = _shares(record, "aim_other_weights")
    rest = slots - sum(totals.values())
    caps = [len(pool)] * len(other_names)
    totals.update(zip(other_names, _split_capped(rest, other_w, caps).tolist(), strict=True))
    odds: Mapping[str, float] = record.param("aim_choice_or_larger")
    table = np.vstack(
        [
            _split_by_odds(totals[a], [len(groups[0]), len(groups[1])], float(odds.get(a, 1.0)))
            for a in aims
        ]
    )
    for gi, group in enumerate(groups):
        capacity = _capacities(len(group), int(table[:, gi].sum()), k_shares)
        capacity = capacity[rng.permutation(len(group))]
        chosen = _realise(rng, capacity, table[:, gi].tolist())
        for j, aim in enumerate(aims):
            mask = build.aim_set.setdefault(aim, np.zeros(build.n, dtype=bool))
            mask[group[chosen[:, j]]] = True
    for aim in aims:
        build.aim_set.setdefault(aim, np.zeros(build.n, dtype=bool))
        build.aim_outcome[aim] = np.full(build.n, None, dtype=object)


def _solve_alpha(sizes: FloatArray, logit_shift: FloatArray, total: float) -> FloatArray:
    """Probabilities expit(alpha + shift) whose expected total over ``sizes`` is ``total``."""
    live = np.isfinite(logit_shift) & (sizes > 0)
    if total <= 0 or not live.any():
        return np.zeros_like(sizes)
    lo, hi = -30.0, 30.0
    for _ in range(200):
        mid = (lo + hi) / 2
        p = np.where(live, 1 / (1 + np.exp(-(mid + np.where(live, logit_shift, 0.0)))), 0.0)
        if float((p * sizes).sum()) < total:
            lo = mid
        else:
            hi = mid
    return np.where(live, 1 / (1 + np.exp(-(lo + np.where(live, logit_shift, 0.0)))), 0.0)


def _age_counts(total: int, sizes: IntArray, eligible: BoolArray, odds_ratio: float) -> IntArray:
    """Split ``total`` successes over the age bands (setters ``sizes``).

    Ineligible bands (younger than the youngest band that achieves the aim, A-25) get none.
    Between every two adjacent eligible bands the odds of success rise by ``odds_ratio`` (A-17
    states it per band step): the counts are the expected counts of
    ``logit p = alpha + k * log(odds_ratio)`` over the eligible bands ``k``, with ``alpha``
    solved so that they add up to ``total``, then rounded to whole respondents within each
    band's setters. An odds ratio of 1 splits in proportion to the eligible bands' sizes.
    """
    cap = np.where(eligible, sizes, 0).astype(np.int64)
    steps = np.arange(len(sizes), dtype=float) * math.log(odds_ratio)
    shift = np.where(eligible, steps, -np.inf)
    p = _solve_alpha(sizes.astype(float), shift, float(total))
    return _split_capped(total, p * sizes, cap)


def _outcome_counts(
    total: int, setters: IntArray, eligible: BoolArray, age_or: float, group_or: float
) -> IntArray:
    """Fully-achieved counts per (age band, size-level group) cell.

    The age margin follows the stated trend (:func:`_age_counts`), the group margin the stated
    odds ratio between the groups (:func:`_split_by_odds`, over all their setters), and the
    cells are the independence fit of both margins, integerised within each cell's setters.
    """
    by_age = setters.sum(axis=1)
    ages = _age_counts(total, by_age, eligible, age_or)
    room = np.where(eligible[:, None], setters, 0).astype(np.int64)
    groups = _split_by_odds(total, setters.sum(axis=0).tolist(), group_or, room.sum(axis=0))
    if group_or == 1.0:
        groups = _split_capped(total, room.sum(axis=0).astype(float), room.sum(axis=0))
    rows = [i for i in range(len(ages)) if ages[i] > 0]
    out = np.zeros_like(setters)
    if rows:
        fitted = _ipf_integer(
            ages[rows].tolist(),
            groups.tolist(),
            room[rows].astype(float),
            room[rows],
        )
        out[rows] = fitted
    return out


def _outcomes(rng: np.random.Generator, build: _Build, record: _Record, pool: IntArray) -> None:
    """Outcome of every aim set: exact published counts, the stated effects, and S-06."""
    aims = Aim.values()
    age = build.single["age_band"].astype(str)
    age_index = np.array([_AGE_ORDER.index(a) if a in _AGE_ORDER else -1 for a in age])
    sizes = build.single["size_band"].astype(str)
    levels = build.single["level"].astype(str)
    big = np.isin(sizes, _LARGE) & np.isin(levels, ("single_ccg", "multi_ccg"))
    stratum = np.where(age_index >= 0, age_index * 2 + big.astype(int), -1)
    age_or: Mapping[str, float] = record.param("age_fully_or_per_band")
    min_age: Mapping[str, str] = record.param("min_age_band_fully")
    staff_or = float(record.param("staff_fully_or_large_ccg"))
    other_rates: Mapping[str, float] = record.param("fully_rate_other_aims")
    setters = {a: build.aim_set[a] for a in aims}
    fully_total: dict[str, int] = {
        "access": _count(record, "S-04", int(setters["access"].sum())),
        "sustainability": _count(record, "S-02", int(setters["sustainability"].sum())),
    }
    for aim in aims:
        if aim not in fully_total:
            fully_total[aim] = round(float(other_rates[aim]) * int(setters[aim].sum()))
    fully = {a: np.zeros(build.n, dtype=bool) for a in aims}
    for aim in aims:
        members = [
            [np.flatnonzero(setters[aim] & (stratum == band * 2 + g)) for g in (0, 1)]
            for band in range(len(_AGE_ORDER))
        ]
        cell_sizes = np.array([[len(m) for m in row] for row in members], dtype=np.int64)
        floor = _AGE_ORDER.index(min_age.get(aim, "under_1y"))
        eligible = np.arange(len(_AGE_ORDER)) >= floor
        counts = _outcome_counts(
            fully_total[aim],
            cell_sizes,
            eligible,
            float(age_or.get(aim, 1.0)),
            staff_or if aim == "staff" else 1.0,
        )
        for band, row in enumerate(members):
            for g, cell in enumerate(row):
                fully[aim][_pick(rng, cell.astype(np.int64), int(counts[band, g]))] = True
    _concentrate(rng, build, record, fully, setters, stratum, pool)
    # outcomes other than fully
    shares: Mapping[str, Sequence[float]] = record.param("non_fully_outcome_shares")
    labels = np.array(["partially", "not_achieved", "too_early", "dont_know"], dtype=object)
    partially_access = _count(record, "S-05", int(setters["access"].sum()))
    for aim in aims:
        outcome = build.aim_outcome[aim]
        outcome[fully[aim]] = "fully"
        rest = np.flatnonzero(setters[aim] & ~fully[aim]).astype(np.int64)
        probs = np.array([shares[age[i]] for i in rest], dtype=float).reshape(len(rest), 4)
        probs /= probs.sum(axis=1, keepdims=True)
        if aim == "access":
            chosen = _pick(rng, rest, partially_access, probs[:, 0])
            outcome[chosen] = "partially"
            keep = ~np.isin(rest, chosen)
            rest, probs = rest[keep], probs[keep][:, 1:]
            probs /= probs.sum(axis=1, keepdims=True)
            lab = labels[1:]
        else:
            lab = labels
        draws = (rng.random(len(rest))[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        outcome[rest] = lab[np.minimum(draws, len(lab) - 1)]


def _move(
    rng: np.random.Generator,
    matrix: BoolArray,
    set_matrix: BoolArray,
    stratum: IntArray,
    donor_count: int | None,
    taker_count: int | None,
) -> bool:
    """Move one fully-achieved outcome of some aim between two respondents of one stratum.

    The donor holds ``donor_count`` fully-achieved aims (None: two or more), the taker set the
    aim without achieving it and holds ``taker_count`` (None: one or more). Every aim's count
    in every stratum is kept. Returns False when no such move exists.
    """
    per_person = matrix.sum(axis=1)
    donor_ok = per_person >= 2 if donor_count is None else per_person == donor_count
    taker_ok = per_person >= 1 if taker_count is None else per_person == taker_count
    for j in rng.permutation(matrix.shape[1]).tolist():
        donors = np.flatnonzero(matrix[:, j] & donor_ok)
        takers = np.flatnonzero(set_matrix[:, j] & ~matrix[:, j] & taker_ok)
        common = np.intersect1d(stratum[donors], stratum[takers])
        if len(common) == 0:
            continue
        s = common[rng.integers(len(common))]
        candidates = [int(d) for d in donors[stratum[donors] == s]]
        donor = candidates[rng.integers(len(candidates))]
        options = [int(t) for t in takers[stratum[takers] == s] if t != donor]
        if not options:
            continue
        taker = options[rng.integers(len(options))]
        matrix[donor, j] = False
        matrix[taker, j] = True
        return True
    return False


def _concentrate(
    rng: np.random.Generator,
    build: _Build,
    record: _Record,
    fully: dict[str, BoolArray],
    setters: Mapping[str, BoolArray],
    stratum: IntArray,
    pool: IntArray,
) -> None:
    """Move fully-achieved outcomes between respondents of the same stratum and aim until the
    S-06 number of respondents has at least one aim fully achieved, and fewer respondents
    achieved two aims than one (and three than two).

    The S-06 count is the one in the published range nearest the number the outcomes reach
    before any move, so as few moves as possible cluster them. Each move keeps every aim's
    count within every stratum, so the published rates and the effect sizes are untouched.
    """
    aims = list(fully)
    matrix = np.column_stack([fully[a] for a in aims])
    set_matrix = np.column_stack([setters[a] for a in aims])
    in_pool = np.zeros(build.n, dtype=bool)
    in_pool[pool] = True
    base = _base_size(build, record, "S-06", in_pool)
    natural = int((matrix.sum(axis=1) > 0).sum())
    target = min(_candidates(record, "S-06", base), key=lambda c: (abs(c - natural), c))
    for _ in range(5 * build.n):
        union = int((matrix.sum(axis=1) > 0).sum())
        if union == target:
            break
        if union > target:  # take the only success of one, give to someone who has one
            moved = _move(rng, matrix, set_matrix, stratum, 1, None)
        else:  # take one of several successes, give to someone who has none
            moved = _move(rng, matrix, set_matrix, stratum, None, 0)
        if not moved:
            raise ReconstructionError(
                "Cannot reach the published share of respondents with an aim fully achieved."
            )
    for _ in range(5 * build.n):
        held = np.bincount(matrix.sum(axis=1), minlength=4)
        if held[1] > held[2] >= held[3]:
            break
        if held[2] >= held[1]:  # two with two -> one with one, one with three
            moved = _move(rng, matrix, set_matrix, stratum, 2, 2)
        else:  # one with three and one with one -> two with two
            moved = _move(rng, matrix, set_matrix, stratum, 3, 1)
        if not moved:
            break
    for j, aim in enumerate(aims):
        fully[aim] = matrix[:, j].copy()


def _funding(rng: np.random.Generator, build: _Build, record: _Record, pool: IntArray) -> None:
    """Funding sources; about one-fifth of access achievers had Access/Challenge Fund money."""
    in_pool = np.zeros(build.n, dtype=bool)
    in_pool[pool] = True
    computation = record.finding("S-07").computation
    if computation.get("type") == "proportion":
        achievers = _mask(build, computation.get("base") or {}) & in_pool
    else:
        achievers = _mask(build, {"aim": "access", "outcome": ["fully", "partially"]})
    k = _count(record, "S-07", int(achievers.sum()))
    table = build.multi.setdefault("funding", {})
    fund = np.zeros(build.n, dtype=bool)
    fund[_pick(rng, np.flatnonzero(achievers).astype(np.int64), k)] = True
    others = np.flatnonzero(in_pool & ~achievers).astype(np.int64)
    share = float(record.param("access_fund_share_not_achieving_access"))
    fund[_pick(rng, others, round(share * len(others)))] = True
    table["access_fund"] = fund
    _multi_shares(rng, build, record, "funding", pool, "funding_shares")
    _ensure_ticked(rng, build, "funding", pool, "none")


def _contracts(rng: np.random.Generator, build: _Build, record: _Record) -> None:
    """Willingness of GP partners (joint counts fitting every published split) and reasons."""
    partners = np.flatnonzero(build.single["role"].astype(str) == "gp_partner").astype(np.int64)
    base = len(partners)
    parts = {
        "very_unwilling": "2017-38",
        "unwilling": "2017-39",
        "neither": "2017-40",
        "willing": "2017-41",
        "very_willing": "2017-42",
        "dont_know": "2017-37",
    }
    sums: list[tuple[tuple[str, ...], str]] = [
        (("very_unwilling", "unwilling"), "2017-34"),
        (("willing", "very_willing"), "2017-35"),
    ]
    sums += [(("very_unwilling", "unwilling"), "2017-30"), (("willing", "very_willing"), "2017-31")]
    sums += [(("neither",), "2017-36")]
    options = {name: _candidates(record, fid, base) for name, fid in parts.items()}
    ideal = {name: record.value(fid) * base / 100 for name, fid in parts.items()}
    allowed = {fid: set(_candidates(record, fid, base)) for _, fid in sums}
    names = list(parts)

    def fits(value: Mapping[str, int]) -> bool:
        return (
            sum(value.values()) == base
            and all(value[n] in options[n] for n in names)
            and all(sum(value[n] for n in group) in allowed[fid] for group, fid in sums)
        )

    # the counts the assumptions file records, when they reproduce every split
    recorded = record.assumption_value("A-19")
    if isinstance(recorded, Mapping) and set(recorded) == set(names):
        chosen = {n: int(recorded[n]) for n in names}
        if fits(chosen):
            _deal(rng, partners, chosen, build.column("contract_willingness"))
            _contract_reasons(rng, build, record)
            return
    best: tuple[float, tuple[int, ...]] | None = None
    for combo in itertools.product(*(options[n] for n in names)):
        value = dict(zip(names, combo, strict=True))
        if fits(value):
            cost = sum((value[n] - ideal[n]) ** 2 for n in names)
            if best is None or cost < best[0]:
                best = (cost, combo)
    if best is None:
        raise ReconstructionError("No willingness counts fit every published split.")
    counts = dict(zip(names, best[1], strict=True))
    _deal(rng, partners, counts, build.column("contract_willingness"))
    _contract_reasons(rng, build, record)


def _contract_reasons(rng: np.random.Generator, build: _Build, record: _Record) -> None:
    """Reasons for not leaving, ticked by the partners unwilling to leave (exact counts)."""
    willingness = build.single["contract_willingness"].astype(str)
    unwilling = np.flatnonzero(np.isin(willingness, ("very_unwilling", "unwilling"))).astype(
        np.int64
    )
    in_base = np.zeros(build.n, dtype=bool)
    in_base[unwilling] = True
    reasons = {
        "lose_control": "2017-43",
        "lose_flexibility": "2017-44",
        "continuity": "2017-45",
        "salaried": "2017-46",
    }
    table = build.multi.setdefault("contract_reasons", {})
    covered = np.zeros(build.n, dtype=bool)
    for option, fid in reasons.items():
        k = _count(record, fid, _base_size(build, record, fid, in_base))
        # give the first ticks to those who have none yet, so every unwilling partner has one
        fresh = unwilling[~covered[unwilling]]
        first = fresh[: min(k, len(fresh))] if option != "lose_control" else fresh[:0]
        pool = unwilling[~np.isin(unwilling, first)]
        rest = _pick(rng, pool, k - len(first))
        ticked = np.zeros(build.n, dtype=bool)
        ticked[first] = True
        ticked[rest] = True
        table[option] = ticked
        covered |= ticked
    other = round(float(record.param("contract_other_reason_share")) * len(unwilling))
    ticked = np.zeros(build.n, dtype=bool)
    ticked[_pick(rng, unwilling, other)] = True
    table["other"] = ticked
    _ensure_ticked(rng, build, "contract_reasons", unwilling, "other")


def _stp(
    rng: np.random.Generator,
    build: _Build,
    record: _Record,
    influence_id: str,
    change_id: str,
    suffix: str,
) -> None:
    everyone = np.arange(build.n, dtype=np.int64)
    _single_with_target(
        rng,
        build,
        record,
        "stp_influence",
        everyone,
        [(influence_id, ["not_at_all"])],
        f"stp_influence_other_{suffix}",
    )
    _single_with_target(
        rng,
        build,
        record,
        "stp_change",
        everyone,
        [(change_id, ["probable", "very_probable"])],
        f"stp_change_other_{suffix}",
    )


def _gp(rng: np.random.Generator, build: _Build, record: _Record, year: int) -> None:
    if year == 2015:
        _place_gp(rng, build, 2015, int(record.value("2015-08")))
        _roles(rng, build, record, "role_shares_gp2015")
        _membership_2015(rng, build, record)
    else:
        _place_gp(rng, build, 2017, None)
        partners = int(record.value("2017-33"))
        _roles(rng, build, record, "role_shares_gp2017_non_partner", partners)
        _membership_2017(rng, build, record)
    pool = _collaborating(build)
    _gp_attributes(rng, build, record, year, pool)
    if year == 2015:
        _multi_shares(rng, build, record, "drivers", pool, "driver_shares")
        _ensure_ticked(rng, build, "drivers", pool, "other")
        _barriers(rng, build, record, pool, "barrier_shares_gp")
        return
    _aims(rng, build, record, pool)
    _outcomes(rng, build, record, pool)
    _funding(rng, build, record, pool)
    _barriers(rng, build, record, pool, "barrier_shares_gp")
    _stp(rng, build, record, "2017-09", "2017-11", "gp")
    _contracts(rng, build, record)


def _ccg(rng: np.random.Generator, build: _Build, record: _Record, year: int) -> None:
    _place_ccg(rng, build, year)
    _roles(rng, build, record, "role_shares_ccg")
    everyone = np.arange(build.n, dtype=np.int64)
    encouragement = build.column("ccg_encouragement")
    if year == 2015:
        names, shares = _shares(record, "encouragement_shares_2015")
        _deal(
            rng,
            everyone,
            dict(zip(names, _split(build.n, shares).tolist(), strict=True)),
            encouragement,
        )
        _multi_shares(rng, build, record, "ccg_support", everyone, "ccg_support_shares_2015")
        _ensure_ticked(rng, build, "ccg_support", everyone, "none")
        _barriers(rng, build, record, everyone, "barrier_shares_ccg")
        return
    active = _count(record, "S-13", _base_size(build, record, "S-13"))
    names, shares = _shares(record, "encouragement_other_2017")
    counts = {"actively": active}
    counts.update(zip(names, _split(build.n - active, shares).tolist(), strict=True))
    _deal(rng, everyone, counts, encouragement)
    _multi_shares(rng, build, record, "ccg_support", everyone, "ccg_support_shares_2017")
    _ensure_ticked(rng, build, "ccg_support", everyone, "none")
    _barriers(rng, build, record, everyone, "barrier_shares_ccg")
    _stp(rng, build, record, "2017-10", "2017-12", "ccg")
    # share of member practices willing to give up contracts: a few don't know, rest by shares
    willing = build.column("practices_willing")
    dont_know = int(record.param("practices_willing_dont_know"))
    dk_rows = _pick(rng, everyone, dont_know)
    willing[dk_rows] = "dont_know"
    answered = everyone[~np.isin(everyone, dk_rows)]
    willing[answered] = "quarter_half"  # placeholder: the base counts who answered
    under = _count(record, "2017-47", _base_size(build, record, "2017-47"))
    names, shares = _shares(record, "practices_willing_other")
    counts = {"under_quarter": under}
    counts.update(zip(names, _split(len(answered) - under, shares).tolist(), strict=True))
    _deal(rng, answered, counts, willing)


# ------------------------------------------------------------------------------------------
# assembling the SurveyData
# ------------------------------------------------------------------------------------------

_SAMPLE_FINDING: Mapping[tuple[int, str], str] = {
    (2015, "gp"): "2015-01",
    (2015, "ccg"): "2015-02",
    (2017, "gp"): "2017-01",
    (2017, "ccg"): "2017-02",
}

_BUILDERS: Mapping[str, Callable[[np.random.Generator, _Build, _Record, int], None]] = {
    "gp": _gp,
    "ccg": _ccg,
}


def _source(wave: int, instrument: str, seed: int) -> str:
    return (
        f"gpcollab.reconstruct({wave}, {instrument!r}, seed={seed}): synthetic responses "
        "reconstructed from the published findings register"
    )


def _frames(
    build: _Build, wave: int, instrument: str, items: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, pd.DataFrame]]:
    width = max(4, len(str(build.n)))
    ids = np.array([f"{instrument}{wave}-{i + 1:0{width}d}" for i in range(build.n)], dtype=object)
    respondents: dict[str, Any] = {"respondent_id": ids}
    for item in items:
        if ITEMS[item].kind == "single":
            respondents[item] = build.single.get(item, np.full(build.n, None, dtype=object))
    respondents["ccg_code"] = build.ccg_code
    resp = pd.DataFrame(respondents)
    aim_rows: list[tuple[int, int]] = []
    if "aims" in items:
        for j, aim in enumerate(Aim.values()):
            for i in np.flatnonzero(build.aim_set.get(aim, np.zeros(build.n, dtype=bool))):
                aim_rows.append((int(i), j))
    aim_rows.sort()
    aim_values = Aim.values()
    aims = pd.DataFrame(
        {
            "respondent_id": [ids[i] for i, _ in aim_rows],
            "aim": [aim_values[j] for _, j in aim_rows],
            "outcome": [build.aim_outcome[aim_values[j]][i] for i, j in aim_rows],
        }
    )
    multi: dict[str, pd.DataFrame] = {}
    for item in items:
        if ITEMS[item].kind != "multi":
            continue
        options = ITEMS[item].choices.values()
        ticked = build.multi.get(item, {})
        rows = sorted(
            (int(i), k)
            for k, option in enumerate(options)
            for i in np.flatnonzero(ticked.get(option, np.zeros(build.n, dtype=bool)))
        )
        multi[item] = pd.DataFrame(
            {"respondent_id": [ids[i] for i, _ in rows], "option": [options[k] for _, k in rows]}
        )
    return resp, (aims if "aims" in items else None), multi


def reconstruct(wave: int, instrument: str, seed: int = 0) -> SurveyData:
    """Build a synthetic response set whose computed figures reproduce the findings register.

    Parameters
    ----------
    wave : int
        Survey year: ``2015`` or ``2017``.
    instrument : str
        ``"gp"`` (GP-practice staff) or ``"ccg"`` (CCG staff).
    seed : int, default=0
        Seed of ``numpy.random.default_rng``. The same seed always gives the same set; the
        bundled sets (:func:`gpcollab.load_survey`) are seed 0.

    Returns
    -------
    SurveyData
        Exactly the published number of respondents, ``meta.synthetic = True`` and
        ``meta.source`` naming the reconstruction. The items are those of
        ``docs/instruments.md``.

    Raises
    ------
    ReconstructionError
        For an unknown wave or instrument (the message lists the available ones), or when the
        register's figures cannot be met together.

    Notes
    -----
    The set is synthetic: made up so that the published percentages and associations come out
    as published. Individual answers, and any figure never published, carry no information
    about the real respondents. The choices made where nothing was published are named
    assumptions (:func:`gpcollab.load_assumptions`); :data:`RECONSTRUCTION_PARAMETERS` lists
    them under the generator's names.

    Examples
    --------
    >>> from gpcollab import reconstruct
    >>> survey = reconstruct(2017, "ccg", seed=1)
    >>> survey.n, survey.meta.synthetic
    (51, True)
    """
    key = (int(wave) if not isinstance(wave, bool) else -1, str(instrument).lower())
    if key not in ITEMS_ASKED:
        available = ", ".join(f"({w}, {i!r})" for w, i in INSTRUMENTS)
        raise ReconstructionError(
            f"No reconstruction for wave {wave!r}, instrument {instrument!r}. "
            f"Available: {available}."
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ReconstructionError(f"seed must be a non-negative integer, got {seed!r}.")
    year, inst = key
    record = _Record.load()
    n = int(record.value(_SAMPLE_FINDING[key]))
    build = _Build(n=n)
    rng = np.random.default_rng(int(seed))
    _BUILDERS[inst](rng, build, record, year)
    items = ITEMS_ASKED[key]
    respondents, aims, multi = _frames(build, year, inst, items)
    meta = SurveyMeta(
        wave=year,
        instrument=Instrument.parse(inst),
        n=n,
        source=_source(year, inst, int(seed)),
        synthetic=True,
        codebook=None,
        items=items,
        organisation=PUBLISHED_SURVEYS.get((year, inst), ""),
        notes=(
            "Synthetic: built so that the published figures are reproduced; not the survey "
            "responses, which were never published."
        ),
    )
    return SurveyData(respondents, aims, multi, meta)
