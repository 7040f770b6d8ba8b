"""The findings register, its named assumptions, and verification of response sets against it.

The register (``datasets/findings/register.csv``) holds one row per figure printed about the
2015 and 2017 surveys, with a machine-readable computation (format: ``docs/findings_register.md``).
:func:`verify_findings` evaluates every computation that applies to a response set and says,
row by row, whether the set reproduces the publication: ``match``, ``mismatch``, ``conflict``
(the sources disagree and the register follows another row) or ``not_applicable``.

Choices the record leaves open (which base a percentage uses, answer options never published...)
are named assumptions (``datasets/findings/assumptions.json``); computations refer to them with
``"@assumption"``, and ``verify_findings(..., assumptions={"A-04": "all_respondents"})`` shows
how a figure moves under another reading.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from html import escape
from importlib import resources
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from gpcollab import _html
from gpcollab.errors import ArgumentError, ConvergenceError, FindingsError, GpcollabError
from gpcollab.schema import ITEMS, SYNTHETIC_NOTICE, SurveyData
from gpcollab.significance import chisq_test, trend_test
from gpcollab.vocab import Achievement, Aim, Membership

if TYPE_CHECKING:  # pragma: no cover
    from gpcollab.design import SurveyDesign

__all__ = [
    "FINDINGS_READABLE",
    "STATUSES",
    "STATUS_COLOURS",
    "Assumption",
    "FilterData",
    "FindingsError",
    "assumption_value",
    "check_computation",
    "filter_mask",
    "findings_html",
    "findings_lines",
    "get_assumption",
    "load_assumptions",
    "load_findings",
    "resolve_computation",
    "verify_findings",
]

STATUSES: tuple[str, ...] = ("match", "mismatch", "conflict", "not_applicable")
"""Possible values of the ``status`` column of :func:`verify_findings`."""

PERCENT_TOLERANCE = 0.5
"""A reproduced percentage matches when within this many points of the published one."""

ALPHA = 0.05
"""Significance level at which a published association must hold."""

_UNITS = ("percent", "count", "verbal", "association", "ranking", "years")
_STATUS_RULES = ("evaluate", "conflict", "not_applicable")
_STRING_COLUMNS = (
    "finding_id",
    "topic",
    "statement",
    "base",
    "subgroup",
    "source_title",
    "source_url",
    "computation",
    "assumptions",
    "follows",
    "reason",
)
#: Columns of the bundled register, in file order (data/findings/make_register.py writes them).
REGISTER_COLUMNS = (
    "finding_id",
    "wave",
    "instrument",
    "topic",
    "statement",
    "value",
    "unit",
    "range_low",
    "range_high",
    "base",
    "subgroup",
    "source_title",
    "source_url",
    "computation",
    "assumptions",
    "status_rule",
    "follows",
    "reason",
)
_OUTPUT_COLUMNS = (
    "finding_id",
    "statement",
    "published",
    "reproduced",
    "tolerance",
    "status",
    "published_text",
    "reproduced_text",
    "explanation",
    "unit",
    "base_n",
    "p_value",
    "detail",
    "reason",
    "assumptions",
    "synthetic",
)
_COLLABORATING = "@collaborating"


# ------------------------------------------------------------------------------- loading


def _resource(name: str) -> Any:
    return resources.files("gpcollab").joinpath("datasets", "findings", name)


@lru_cache(maxsize=1)
def _register() -> pd.DataFrame:
    with _resource("register.csv").open("rb") as handle:
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[""])
    if tuple(frame.columns) != REGISTER_COLUMNS:
        raise FindingsError(f"register.csv: unexpected header {list(frame.columns)}")
    for column in _STRING_COLUMNS:
        frame[column] = frame[column].astype("string")
    frame["wave"] = pd.to_numeric(frame["wave"]).astype("int64")
    for column in ("value", "range_low", "range_high"):
        frame[column] = pd.to_numeric(frame[column]).astype("Float64")
    frame["instrument"] = pd.Categorical(frame["instrument"], categories=["gp", "ccg"])
    frame["unit"] = pd.Categorical(frame["unit"], categories=list(_UNITS))
    frame["status_rule"] = pd.Categorical(frame["status_rule"], categories=list(_STATUS_RULES))
    bad = frame[["instrument", "unit", "status_rule"]].isna().any(axis=1)
    if bad.any():
        raise FindingsError(
            f"register.csv: unknown instrument, unit or status_rule in rows "
            f"{frame.loc[bad, 'finding_id'].tolist()}"
        )
    return frame


def load_findings() -> pd.DataFrame:
    """Return the findings register: one row per published figure.

    Returns
    -------
    pandas.DataFrame
        Columns (see ``docs/findings_register.md``): ``finding_id``, ``wave`` (int),
        ``instrument`` (category gp/ccg), ``topic``, ``statement`` (our words), ``value``
        (Float64, published number), ``unit`` (category: percent, count, verbal, association,
        ranking, years), ``range_low``/``range_high`` (Float64, verbal rows), ``base``,
        ``subgroup``, ``source_title``, ``source_url``, ``computation`` (JSON text),
        ``assumptions`` (``;``-separated ids), ``status_rule`` (evaluate, conflict,
        not_applicable), ``follows`` and ``reason``. Text columns have the ``string`` dtype.

    Examples
    --------
    >>> from gpcollab import load_findings
    >>> register = load_findings()
    >>> float(register.loc[register["finding_id"] == "2017-05", "value"].item())
    81.0
    """
    frame = _register().copy()
    frame.attrs["title"] = "Findings register of the 2015 and 2017 GP-collaboration surveys"
    return frame


@dataclass(frozen=True)
class Assumption:
    """One named assumption.

    Attributes
    ----------
    id : str
        Assumption id, e.g. ``"A-04"``.
    title, description : str
        What is assumed, in words.
    default : str
        The option used unless another is chosen.
    options : Mapping[str, Mapping[str, Any]]
        Option name -> ``{"description", "filter"?, "value"?}``.
    affects : tuple of str
        Register rows whose computation depends on it.
    """

    id: str
    title: str
    description: str
    default: str
    options: Mapping[str, Mapping[str, Any]] = field(repr=False)
    affects: tuple[str, ...] = ()

    @property
    def switchable(self) -> bool:
        """True when the options carry filters (so verification can be re-run under them)."""
        return any("filter" in option for option in self.options.values())

    def option(self, name: str | None = None) -> Mapping[str, Any]:
        """The named option (the default when ``None``); raises FindingsError if unknown."""
        name = self.default if name is None else name
        if name not in self.options:
            raise FindingsError(
                f"Assumption {self.id} has no option {name!r}; options: {', '.join(self.options)}."
            )
        return self.options[name]


@lru_cache(maxsize=1)
def _assumptions() -> dict[str, Assumption]:
    raw = json.loads(_resource("assumptions.json").read_text(encoding="utf-8"))
    found: dict[str, Assumption] = {}
    for entry in raw:
        assumption = Assumption(
            id=str(entry["id"]),
            title=str(entry["title"]),
            description=str(entry["description"]),
            default=str(entry["default"]),
            options=dict(entry["options"]),
            affects=tuple(entry.get("affects", ())),
        )
        assumption.option()  # the default must exist
        found[assumption.id] = assumption
    return found


def get_assumption(assumption_id: str) -> Assumption:
    """Return one named assumption.

    Raises
    ------
    FindingsError
        If there is no assumption with that id (the message lists them).
    """
    table = _assumptions()
    if assumption_id not in table:
        raise FindingsError(f"No assumption {assumption_id!r}; known: {', '.join(sorted(table))}.")
    return table[assumption_id]


def assumption_value(assumption_id: str, option: str | None = None) -> Any:
    """The parameters of one option of an assumption (its ``value``, else its ``filter``).

    Parameters
    ----------
    assumption_id : str
        E.g. ``"A-19"``.
    option : str or None, default=None
        Option name; the default option when ``None``.

    Returns
    -------
    Any
        The JSON value (numbers, lists or mappings) of the option, or its filter when the
        option has no ``value``.

    Examples
    --------
    >>> from gpcollab.findings import assumption_value
    >>> assumption_value("A-19")["very_unwilling"]
    76
    """
    chosen = get_assumption(assumption_id).option(option)
    if "value" in chosen:
        return chosen["value"]
    return chosen.get("filter")


def load_assumptions() -> pd.DataFrame:
    """Return the named assumptions, one row each.

    Returns
    -------
    pandas.DataFrame
        Columns ``assumption_id``, ``title``, ``default``, ``options`` (``;``-separated option
        names), ``switchable`` (bool: options carry filters, so :func:`verify_findings` can
        use them), ``affects`` (``;``-separated finding ids), ``n_affects`` (int) and
        ``description``.
    """
    records = [
        {
            "assumption_id": a.id,
            "title": a.title,
            "default": a.default,
            "options": ";".join(a.options),
            "switchable": a.switchable,
            "affects": ";".join(a.affects),
            "n_affects": len(a.affects),
            "description": a.description,
        }
        for a in _assumptions().values()
    ]
    frame = pd.DataFrame.from_records(records)
    for column in ("assumption_id", "title", "default", "options", "affects", "description"):
        frame[column] = frame[column].astype("string")
    frame["switchable"] = frame["switchable"].astype(bool)
    frame["n_affects"] = frame["n_affects"].astype("int64")
    return frame


# ------------------------------------------------------------------- computation checking


def _choices(assumptions: Mapping[str, str] | None) -> dict[str, str]:
    table = _assumptions()
    chosen = {a.id: a.default for a in table.values()}
    for key, option in (assumptions or {}).items():
        get_assumption(key).option(option)
        chosen[key] = option
    return chosen


def _resolve(node: Any, chosen: Mapping[str, str]) -> Any:
    """Splice every ``"@assumption"`` filter (and ``{"@value": id}``) in a computation."""
    if isinstance(node, list):
        return [_resolve(item, chosen) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"@value"}:
        return assumption_value(node["@value"], chosen.get(node["@value"]))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key != "@assumption":
            out[key] = _resolve(value, chosen)
    if "@assumption" in node:
        assumption = get_assumption(node["@assumption"])
        option = assumption.option(chosen.get(assumption.id))
        if "filter" not in option:
            raise FindingsError(f"Assumption {assumption.id} has no filter to splice in.")
        for key, value in _resolve(option["filter"], chosen).items():
            if key in out:
                raise FindingsError(
                    f"Assumption {assumption.id} sets {key!r}, which the filter already has."
                )
            out[key] = value
    return out


def resolve_computation(node: Any, assumptions: Mapping[str, str] | None = None) -> Any:
    """Splice the assumptions into a computation or filter, as verification does.

    Parameters
    ----------
    node : Any
        A parsed computation, a filter, or any part of one.
    assumptions : mapping of str to str, optional
        Assumption id -> option name, overriding the defaults.

    Returns
    -------
    Any
        A copy in which every ``"@assumption"`` is replaced by the chosen option's filter keys
        and every ``{"@value": id}`` by the option's value.

    Raises
    ------
    FindingsError
        If an assumption or option is unknown, an option has no filter to splice in, or it
        repeats a key the filter already has.

    Examples
    --------
    >>> from gpcollab.findings import resolve_computation
    >>> resolve_computation({"aim": "staff", "@assumption": "A-09"})
    {'aim': 'staff', 'outcome': ['fully']}
    """
    return _resolve(node, _choices(assumptions))


def _check_values(where: str, item: str, values: Sequence[Any], allowed: Sequence[str]) -> None:
    if isinstance(values, str) or not isinstance(values, list) or not values:
        raise FindingsError(f"{where}: {item!r} needs a non-empty list of values")
    bad = [v for v in values if v not in allowed]
    if bad:
        raise FindingsError(f"{where}: {bad} not among the values of {item!r}: {list(allowed)}")


def _check_filter(node: Any, where: str) -> None:
    if not isinstance(node, dict):
        raise FindingsError(f"{where}: a filter must be a JSON object, got {node!r}")
    if "@assumption" in node:
        _check_assumption_filter(node, where)
        return
    if "outcome" in node and "aim" not in node:
        raise FindingsError(f"{where}: 'outcome' needs 'aim' in the same filter")
    if "exclude" in node and "answered" not in node:
        raise FindingsError(f"{where}: 'exclude' needs 'answered' in the same filter")
    for key, value in node.items():
        _check_filter_key(node, key, value, where)


def _check_assumption_filter(node: dict[str, Any], where: str) -> None:
    """Check each option of the named assumption as spliced into this filter."""
    rest = {k: v for k, v in node.items() if k != "@assumption"}
    assumption = get_assumption(node["@assumption"])
    for name, option in assumption.options.items():
        if "filter" not in option:
            raise FindingsError(f"{where}: assumption {assumption.id} has no filter")
        overlap = set(rest) & set(option["filter"])
        if overlap:
            raise FindingsError(f"{where}: {assumption.id}/{name} repeats {sorted(overlap)}")
        _check_filter({**rest, **option["filter"]}, f"{where} ({assumption.id}/{name})")


def _check_filter_key(node: dict[str, Any], key: str, value: Any, where: str) -> None:
    """Check one key of a filter (``node`` gives the keys checked together with it)."""
    if key in ("exclude", "outcome"):
        return  # checked with 'answered' and 'aim'
    if key == "not":
        _check_filter(value, where)
    elif key == "or":
        if not isinstance(value, list) or not value:
            raise FindingsError(f"{where}: 'or' needs a non-empty list of filters")
        for part in value:
            _check_filter(part, where)
    elif key == "answered":
        if value not in ITEMS or ITEMS[value].kind != "single":
            raise FindingsError(f"{where}: 'answered' needs a single-choice item, not {value!r}")
        if "exclude" in node:
            _check_values(where, value, node["exclude"], ITEMS[value].choices.values())
    elif key == "aim":
        if value not in Aim.values():
            raise FindingsError(f"{where}: unknown aim {value!r}")
        if "outcome" in node:
            _check_values(where, "outcome", node["outcome"], Achievement.values())
    elif key == "any_aim_outcome":
        _check_values(where, key, value, Achievement.values())
    elif key == "any_aim":
        if value is not True:
            raise FindingsError(f"{where}: 'any_aim' must be true")
    elif key in ITEMS:
        _check_item_filter(key, value, where)
    else:
        raise FindingsError(f"{where}: unknown filter key {key!r}")


def _check_item_filter(item: str, value: Any, where: str) -> None:
    """An item's filter: a list of its values (a multi-select item also takes ``{"any": ...}``)."""
    spec = ITEMS[item]
    if spec.kind == "single":
        if item == "membership" and value == _COLLABORATING:
            return
        _check_values(where, item, value, spec.choices.values())
    elif spec.kind == "multi":
        options = value["any"] if isinstance(value, dict) and "any" in value else [value]
        _check_values(where, item, options, spec.choices.values())
    else:
        raise FindingsError(f"{where}: unknown filter key {item!r}")


def check_computation(computation: str | Mapping[str, Any], where: str = "computation") -> None:
    """Validate a computation (JSON text or parsed) against the item vocabulary.

    Every filter key must be a known item or keyword, every value a machine value of that
    item, every assumption known. Raises :class:`FindingsError` at the first problem.
    """
    node: Any = json.loads(computation) if isinstance(computation, str) else computation
    if not isinstance(node, dict) or "type" not in node:
        raise FindingsError(f"{where}: a computation is a JSON object with a 'type'")
    kind = node["type"]
    if kind == "none":
        return
    checker = _COMPUTATION_CHECKS.get(kind)
    if checker is None:
        raise FindingsError(f"{where}: unknown computation type {kind!r}")
    checker(node, where)


def _check_counting(node: dict[str, Any], where: str) -> None:
    """``count``, ``distinct``, ``share_of_constant`` and ``absent``: one filter."""
    kind = node["type"]
    _check_filter(node["where"], where)
    if kind == "distinct" and node.get("column") != "ccg_code":
        raise FindingsError(f"{where}: 'distinct' counts the 'ccg_code' column")
    if kind == "share_of_constant" and not float(node["denominator"]) > 0:
        raise FindingsError(f"{where}: 'denominator' must be positive")


def _check_proportion(node: dict[str, Any], where: str) -> None:
    _check_filter(node["base"], where)
    _check_filter(node["numerator"], where)


def _check_all(node: dict[str, Any], where: str) -> None:
    for i, part in enumerate(node["parts"]):
        check_computation(part, f"{where} part {i}")


def _check_ranking(node: dict[str, Any], where: str) -> None:
    _check_filter(node.get("base", {}), where)
    if "within" in node and not (
        isinstance(node["within"], int) and node["within"] >= len(node["top"])
    ):
        raise FindingsError(f"{where}: 'within' must be a whole number >= len(top)")
    over = node["over"]
    if over == "aims":
        if node.get("measure") != "outcome_rate":
            raise FindingsError(f"{where}: ranking over aims uses measure 'outcome_rate'")
        _check_values(where, "outcome", node["outcome"], Achievement.values())
        _check_values(where, "top", node["top"], Aim.values())
    elif over in ITEMS and ITEMS[over].kind == "multi":
        if node.get("measure") != "share_selected":
            raise FindingsError(f"{where}: ranking over options uses 'share_selected'")
        _check_values(where, "top", node["top"], ITEMS[over].choices.values())
    else:
        raise FindingsError(f"{where}: cannot rank over {over!r}")


def _check_association(node: dict[str, Any], where: str) -> None:
    test = node["test"]
    _check_filter(node["base"], where)
    _check_filter(node["group"] if test != "trend" else {}, where)
    if test == "trend":
        _check_filter(node["outcome"], where)
        across = node["across"]
        if across not in ITEMS or not ITEMS[across].choices.ordinal:
            raise FindingsError(f"{where}: 'across' needs an ordinal item, not {across!r}")
        if node["direction"] not in ("increasing", "decreasing"):
            raise FindingsError(f"{where}: trend direction must be increasing/decreasing")
    elif test == "difference":
        _check_filter(node["outcome"], where)
        if node["direction"] not in ("higher", "lower"):
            raise FindingsError(f"{where}: difference direction must be higher/lower")
    elif test == "aims_by_group":
        for key in ("higher", "lower"):
            if key in node:
                _check_values(where, key, node[key], Aim.values())
    else:
        raise FindingsError(f"{where}: unknown test {test!r}")


_COMPUTATION_CHECKS: dict[str, Callable[[dict[str, Any], str], None]] = {
    "count": _check_counting,
    "distinct": _check_counting,
    "share_of_constant": _check_counting,
    "absent": _check_counting,
    "proportion": _check_proportion,
    "all": _check_all,
    "ranking": _check_ranking,
    "association": _check_association,
}
"""The check of each computation type (``none`` needs none)."""


# ---------------------------------------------------------------------------- evaluation


class FilterData(Protocol):
    """What the filter language needs from a set of respondents.

    :func:`filter_mask` reads a response set only through these methods, so the same
    evaluator serves :func:`verify_findings` (a :class:`~gpcollab.schema.SurveyData`) and the
    reconstruction (a set still being built). Every method returns a boolean array with one
    entry per respondent.
    """

    n: int
    """Number of respondents."""

    def single_mask(self, item: str, values: Sequence[str]) -> np.ndarray:
        """Respondents whose answer to a single-choice ``item`` is one of ``values``."""
        ...

    def answered_mask(self, item: str, exclude: Sequence[str]) -> np.ndarray:
        """Respondents who answered ``item`` with something other than ``exclude``."""
        ...

    def aim_mask(self, aim: str, outcomes: Sequence[str] | None) -> np.ndarray:
        """Respondents whose collaboration set ``aim`` (with one of ``outcomes``, if given)."""
        ...

    def any_aim_mask(self) -> np.ndarray:
        """Respondents whose collaboration set at least one aim."""
        ...

    def any_aim_outcome_mask(self, outcomes: Sequence[str]) -> np.ndarray:
        """Respondents with at least one aim whose outcome is one of ``outcomes``."""
        ...

    def ticked_mask(self, item: str, options: Sequence[str]) -> np.ndarray:
        """Respondents who ticked at least one of ``options`` of a multi-select ``item``."""
        ...


def _filter_mask(
    where: Mapping[str, Any],
    data: FilterData,
    nested: Callable[[Mapping[str, Any]], np.ndarray],
) -> np.ndarray:
    """Evaluate one resolved filter; ``nested`` evaluates the filters under not/or."""
    result = np.ones(data.n, dtype=bool)
    for key, value in where.items():
        if key in ("exclude", "outcome"):
            continue  # read together with "answered" / "aim"
        if key == "@assumption":
            raise FindingsError("Resolve the filter (resolve_computation) before evaluating it.")
        if key == "not":
            part = ~nested(value)
        elif key == "or":
            part = np.zeros(data.n, dtype=bool)
            for sub in value:
                part |= nested(sub)
        elif key == "answered":
            part = data.answered_mask(value, list(where.get("exclude") or ()))
        elif key == "aim":
            part = data.aim_mask(value, where.get("outcome"))
        elif key == "any_aim_outcome":
            part = data.any_aim_outcome_mask(list(value))
        elif key == "any_aim":
            part = data.any_aim_mask()
        elif ITEMS[key].kind == "multi":
            options = value["any"] if isinstance(value, dict) else [value]
            part = data.ticked_mask(key, [str(option) for option in options])
        else:
            values = (
                [m.value for m in Membership.collaborating()] if value == _COLLABORATING else value
            )
            part = data.single_mask(key, list(values))
        result &= np.asarray(part, dtype=bool)
    return result


def filter_mask(
    where: Mapping[str, Any],
    data: FilterData,
    *,
    assumptions: Mapping[str, str] | None = None,
) -> np.ndarray:
    """Evaluate a register filter (``docs/findings_register.md``) on a set of respondents.

    Parameters
    ----------
    where : mapping
        A filter of the computation language; ``"@assumption"`` keys are spliced first.
    data : FilterData
        The respondents, seen through the :class:`FilterData` methods.
    assumptions : mapping of str to str, optional
        Assumption id -> option name, overriding the defaults.

    Returns
    -------
    numpy.ndarray
        Boolean array, True for the respondents the filter selects.
    """
    resolved = resolve_computation(dict(where), assumptions)

    def nested(sub: Mapping[str, Any]) -> np.ndarray:
        return _filter_mask(sub, data, nested)

    return nested(resolved)


class _NotApplicable(GpcollabError):
    """Raised inside evaluation when the survey lacks something a computation needs."""


@dataclass
class _Result:
    reproduced: float = math.nan
    holds: bool | None = None  # for rule-type computations
    base_n: int | None = None
    p_value: float = math.nan
    detail: str = ""


class _Evaluator:
    """Evaluates resolved computations over one survey, caching every filter mask."""

    def __init__(self, survey: SurveyData, design: SurveyDesign | None) -> None:
        self.survey = survey
        self.design = design
        self.frame = survey.respondents
        self.ids = self.frame["respondent_id"].to_numpy()
        self.n = len(self.frame)
        self._masks: dict[str, np.ndarray] = {}
        self._selected: dict[str, pd.DataFrame] = {}
        self._aims: pd.DataFrame | None = None

    # -- pieces of data -------------------------------------------------------------------

    def _require(self, item: str) -> None:
        if not self.survey.asks(item):
            raise _NotApplicable(
                f"The {self.survey.meta.label} set does not have the item {item!r}."
            )

    def _aims_wide(self) -> pd.DataFrame:
        if self._aims is None:
            self._require("aims")
            aims = self.survey.aims
            assert aims is not None
            set_flag = pd.crosstab(aims["respondent_id"], aims["aim"], dropna=False) > 0
            self._aims = set_flag.reindex(index=self.ids, columns=Aim.values(), fill_value=False)
        return self._aims

    def _aim_rows(self, aim: str, outcomes: Sequence[str] | None) -> np.ndarray:
        self._require("aims")
        aims = self.survey.aims
        assert aims is not None
        rows = aims["aim"] == aim
        if outcomes is not None:
            rows &= aims["outcome"].isin(list(outcomes))
        return np.asarray(np.isin(self.ids, aims.loc[rows, "respondent_id"].to_numpy()))

    def _ticked(self, item: str) -> pd.DataFrame:
        if item not in self._selected:
            self._require(item)
            self._selected[item] = self.survey.selected(item)
        return self._selected[item]

    def _weights(self) -> np.ndarray:
        if self.design is not None and self.design.weights is not None:
            if self.design.weights not in self.frame:
                raise _NotApplicable(
                    f"The design's weight column {self.design.weights!r} is absent."
                )
            return np.asarray(self.frame[self.design.weights].to_numpy(dtype=float))
        return np.ones(self.n)

    # -- filters --------------------------------------------------------------------------

    def mask(self, where: Mapping[str, Any]) -> np.ndarray:
        key = json.dumps(where, sort_keys=True)
        if key not in self._masks:
            self._masks[key] = self._compute_mask(where)
        return self._masks[key]

    def _compute_mask(self, where: Mapping[str, Any]) -> np.ndarray:
        return _filter_mask(where, self, self.mask)

    # the FilterData methods (filter_mask reads the set through them)

    def single_mask(self, item: str, values: Sequence[str]) -> np.ndarray:
        self._require(item)
        return np.asarray(self.frame[item].isin(list(values)).to_numpy(), dtype=bool)

    def answered_mask(self, item: str, exclude: Sequence[str]) -> np.ndarray:
        self._require(item)
        column = self.frame[item]
        part = column.notna().to_numpy()
        if exclude:
            part &= ~column.isin(list(exclude)).to_numpy()
        return np.asarray(part, dtype=bool)

    def aim_mask(self, aim: str, outcomes: Sequence[str] | None) -> np.ndarray:
        return self._aim_rows(aim, outcomes)

    def any_aim_mask(self) -> np.ndarray:
        return np.asarray(self._aims_wide().any(axis=1).to_numpy(), dtype=bool)

    def any_aim_outcome_mask(self, outcomes: Sequence[str]) -> np.ndarray:
        self._require("aims")
        aims = self.survey.aims
        assert aims is not None
        hit = aims.loc[aims["outcome"].isin(list(outcomes)), "respondent_id"].to_numpy()
        return np.asarray(np.isin(self.ids, hit), dtype=bool)

    def ticked_mask(self, item: str, options: Sequence[str]) -> np.ndarray:
        ticked = self._ticked(item)
        return np.asarray(ticked[list(options)].any(axis=1).to_numpy(), dtype=bool)

    # -- computations ---------------------------------------------------------------------

    def evaluate(self, node: Mapping[str, Any]) -> _Result:
        kind = node["type"]
        if kind == "count":
            m = self.mask(node["where"])
            return _Result(reproduced=float(m.sum()), base_n=self.n)
        if kind == "distinct":
            column = node["column"]
            if column not in self.frame:
                raise _NotApplicable(f"The set has no {column!r} column.")
            values = self.frame.loc[self.mask(node["where"]), column].dropna()
            return _Result(reproduced=float(values.nunique()), base_n=len(values))
        if kind == "share_of_constant":
            hits = int(self.mask(node["where"]).sum())
            denominator = float(node["denominator"])
            return _Result(
                reproduced=100.0 * hits / denominator,
                base_n=hits,
                detail=f"{hits} / {denominator:g}",
            )
        if kind == "proportion":
            base = self.mask(node["base"])
            hits = base & self.mask(node["numerator"])
            n_base, n_hit = int(base.sum()), int(hits.sum())
            value = 100.0 * n_hit / n_base if n_base else math.nan
            return _Result(reproduced=value, base_n=n_base, detail=f"{n_hit} / {n_base}")
        if kind == "absent":
            found = int(self.mask(node["where"]).sum())
            return _Result(
                reproduced=float(found),
                holds=found == 0,
                detail=f"{found} respondent(s) contradict the rule",
            )
        if kind == "all":
            parts = [self.evaluate(part) for part in node["parts"]]
            p_values = [p.p_value for p in parts if not math.isnan(p.p_value)]
            return _Result(
                holds=all(bool(p.holds) for p in parts),
                p_value=max(p_values) if p_values else math.nan,
                detail="; ".join(p.detail for p in parts),
                base_n=min((p.base_n for p in parts if p.base_n is not None), default=None),
            )
        if kind == "ranking":
            return self._ranking(node)
        if kind == "association":
            return self._association(node)
        raise FindingsError(f"unknown computation type {kind!r}")

    def _ranking(self, node: Mapping[str, Any]) -> _Result:
        base = self.mask(node.get("base", {}))
        w = self._weights()
        rates: dict[str, float] = {}
        if node["over"] == "aims":
            wide = self._aims_wide()
            min_base = int(node.get("min_base", 1))
            for aim in Aim.values():
                setters = base & wide[aim].to_numpy()
                if setters.sum() < max(min_base, 1):
                    continue
                hits = setters & self._aim_rows(aim, node["outcome"])
                rates[aim] = 100.0 * float(w[hits].sum() / w[setters].sum())
        else:
            ticked = self._ticked(node["over"])
            if not base.any():
                return _Result(holds=False, base_n=0, detail="empty base")
            for option in ticked.columns:
                column = ticked[option].to_numpy()
                rates[str(option)] = 100.0 * float(w[base & column].sum() / w[base].sum())
        top = list(node["top"])
        others = [rates[k] for k in rates if k not in top]
        missing = [k for k in top if k not in rates]
        if "within" in node:  # each top option among the first `within` (ties count against)
            within = int(node["within"])
            ranks = [sum(v >= rates[k] for o, v in rates.items() if o != k) for k in top]
            holds = not missing and max(ranks) < within
        else:
            holds = not missing and min(rates[k] for k in top) > max(others, default=-math.inf)
        ordered = sorted(rates.items(), key=lambda kv: -kv[1])
        detail = ", ".join(f"{k} {v:.1f}%" for k, v in ordered)
        if missing:
            detail += f" (not ranked: {', '.join(missing)})"
        return _Result(holds=holds, base_n=int(base.sum()), detail=detail)

    def _frame_for(self, rows: np.ndarray, **columns: Any) -> pd.DataFrame:
        sub = self.frame.loc[rows].copy()
        for name, values in columns.items():
            sub[name] = values
        return sub

    def _two_by_two(
        self, base: np.ndarray, group: np.ndarray, outcome: np.ndarray, label: str
    ) -> tuple[float, float, float, str]:
        """Rates in group and rest (percent), chisq p-value, and a detail line."""
        w = self._weights()
        in_group, rest = base & group, base & ~group
        if not in_group.any() or not rest.any():
            return math.nan, math.nan, math.nan, f"{label}: a group is empty"
        rate_g = 100.0 * float(w[in_group & outcome].sum() / w[in_group].sum())
        rate_r = 100.0 * float(w[rest & outcome].sum() / w[rest].sum())
        sub = self._frame_for(base, _group=group[base], _outcome=outcome[base])
        try:
            test = chisq_test(sub, "_group", "_outcome", design=self.design)
            p_value = float(test["p_value"].iloc[0])
        except GpcollabError as exc:
            return rate_g, rate_r, math.nan, f"{label}: test not computable ({exc})"
        return rate_g, rate_r, p_value, f"{label}: {rate_g:.1f}% vs {rate_r:.1f}% (p={p_value:.3g})"

    def _separated_trend(
        self, sub: pd.DataFrame, across: str, direction: str, label: str
    ) -> _Result:
        """Trend check when the logistic fit separates (a band with no success or no failure).

        The slope is then infinite, so the test falls back to the Rao–Scott chi-square of band
        by outcome (``chisq_test``) and the direction of the rates from the youngest (lowest)
        observed band to the oldest (highest).
        """
        weights = (
            sub[self.design.weights].to_numpy(dtype=float)
            if self.design is not None and self.design.weights is not None
            else np.ones(len(sub))
        )
        frame = pd.DataFrame(
            {"band": sub[across].cat.codes.to_numpy(), "y": sub["_outcome"], "w": weights}
        )
        frame["wy"] = frame["w"] * frame["y"]
        sums = frame.groupby("band")[["wy", "w"]].sum()
        rates = (100.0 * sums["wy"] / sums["w"]).sort_index()
        observed = "flat"
        if rates.iloc[-1] > rates.iloc[0]:
            observed = "increasing"
        elif rates.iloc[-1] < rates.iloc[0]:
            observed = "decreasing"
        try:
            p_value = float(
                chisq_test(sub, across, "_outcome", design=self.design)["p_value"].iloc[0]
            )
        except GpcollabError as exc:
            return _Result(holds=False, base_n=len(sub), detail=f"{label}: {exc}")
        shown = ", ".join(f"{r:.1f}%" for r in rates)
        return _Result(
            holds=observed == direction and p_value < ALPHA,
            base_n=len(sub),
            p_value=p_value,
            detail=f"{label}: separated logistic fit; rates by band {shown}, {observed} "
            f"(chi-square p={p_value:.3g})",
        )

    def _association(self, node: Mapping[str, Any]) -> _Result:
        base = self.mask(node["base"])
        test = node["test"]
        if test == "trend":
            across = node["across"]
            self._require(across)
            rows = base & self.frame[across].notna().to_numpy()
            outcome = self.mask(node["outcome"])
            sub = self._frame_for(rows, _outcome=outcome[rows].astype(int))
            label = f"{json.dumps(node['outcome'], sort_keys=True)} by {across}"
            try:
                result = trend_test(sub, "_outcome", across, design=self.design)
            except ConvergenceError:
                return self._separated_trend(sub, across, node["direction"], label)
            except GpcollabError as exc:
                return _Result(holds=False, base_n=int(rows.sum()), detail=f"{label}: {exc}")
            p_value = float(result["p_value"].iloc[0])
            direction = str(result["direction"].iloc[0])
            odds = float(result["odds_ratio"].iloc[0])
            holds = direction == node["direction"] and p_value < ALPHA
            return _Result(
                reproduced=odds,
                holds=holds,
                base_n=int(rows.sum()),
                p_value=p_value,
                detail=f"{label}: odds ratio per band {odds:.2f}, {direction} (p={p_value:.3g})",
            )
        group = self.mask(node["group"])
        if test == "difference":
            outcome = self.mask(node["outcome"])
            rate_g, rate_r, p_value, detail = self._two_by_two(base, group, outcome, "group")
            sign = 1.0 if node["direction"] == "higher" else -1.0
            holds = sign * (rate_g - rate_r) > 0 and p_value < ALPHA
            return _Result(
                reproduced=rate_g - rate_r,
                holds=bool(holds),
                base_n=int(base.sum()),
                p_value=p_value,
                detail=detail,
            )
        # aims_by_group
        wide = self._aims_wide()
        holds, p_values, lines = True, [], []
        for direction, sign in (("higher", 1.0), ("lower", -1.0)):
            for aim in node.get(direction, []):
                outcome = wide[aim].to_numpy()
                rate_g, rate_r, p_value, detail = self._two_by_two(base, group, outcome, aim)
                ok = sign * (rate_g - rate_r) > 0 and p_value < ALPHA
                holds &= bool(ok)
                p_values.append(p_value)
                lines.append(detail)
        finite = [p for p in p_values if not math.isnan(p)]
        return _Result(
            holds=holds,
            base_n=int(base.sum()),
            p_value=max(finite) if len(finite) == len(p_values) and finite else math.nan,
            detail="; ".join(lines),
        )


def _tolerance(row: Mapping[Any, Any], kind: str) -> str:
    unit = row["unit"]
    if kind in ("association", "all"):
        return f"stated direction with p < {ALPHA:g}"
    if kind == "ranking":
        return "named option(s) rank strictly first"
    if kind == "absent":
        return "no respondent contradicts the rule (0)"
    if unit == "verbal":
        return f"within [{row['range_low']:g}, {row['range_high']:g}]"
    if unit == "count":
        return "exact"
    return f"±{PERCENT_TOLERANCE:g} points"


def _status(row: Mapping[Any, Any], kind: str, result: _Result) -> str:
    if result.holds is not None:
        return "match" if result.holds else "mismatch"
    value = result.reproduced
    if math.isnan(value):
        return "mismatch"
    if row["unit"] == "verbal":
        return "match" if row["range_low"] <= value <= row["range_high"] else "mismatch"
    published = float(row["value"])
    if row["unit"] == "count":
        return "match" if value == published else "mismatch"
    return "match" if abs(value - published) <= PERCENT_TOLERANCE + 1e-9 else "mismatch"


# ----------------------------------------------------------------- readable values

_DASH = "\u2014"
_MAX_DECIMALS = 3


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _published_decimals(value: Any) -> int:
    """Decimal places a published figure is written with (81 -> 0, 81.5 -> 1; at most 3).

    Examples
    --------
    >>> _published_decimals(81.0), _published_decimals(49.9), _published_decimals(None)
    (0, 1, 0)
    """
    if _missing(value) or not math.isfinite(float(value)):
        return 0
    number = float(value)
    for decimals in range(_MAX_DECIMALS + 1):
        if abs(round(number, decimals) - number) < 1e-9:
            return decimals
    return _MAX_DECIMALS


def _fixed(value: float, decimals: int) -> str:
    """``value`` rounded half away from zero (as publications round), with thousands commas."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    return f"{rounded:,}"


def _range_text(row: Mapping[Any, Any]) -> tuple[str, int]:
    low, high = row["range_low"], row["range_high"]
    decimals = max(_published_decimals(low), _published_decimals(high))
    return f"{_fixed(low, decimals)}\u2013{_fixed(high, decimals)}%", decimals


def _published_text(row: Mapping[Any, Any]) -> tuple[str, int]:
    """The published figure as printed, and its decimal places."""
    unit = str(row["unit"])
    if unit == "verbal" and not (_missing(row["range_low"]) or _missing(row["range_high"])):
        return _range_text(row)
    value = row["value"]
    if _missing(value):
        return _DASH, 0
    decimals = _published_decimals(value)
    shown = _fixed(float(value), decimals)
    if unit == "percent":
        return f"{shown}%", decimals
    if unit == "years":
        return f"{shown} year{'' if float(value) == 1 else 's'}", decimals
    return shown, decimals


def _reproduced_text(kind: str, value: float, decimals: int, detail: str) -> str:
    """The recomputed value at the published precision, in the published unit.

    A trend association gives its odds ratio per band, a difference its gap in points.
    """
    if math.isnan(value):
        return _DASH
    if kind == "absent":
        count = int(value)
        if count == 0:
            return "no respondent contradicts"
        return f"{count} respondent{' contradicts' if count == 1 else 's contradict'}"
    if kind in ("count", "distinct"):
        return _fixed(value, 0)
    if kind == "association":
        if "odds ratio" in detail:
            return f"odds ratio {_fixed(value, 2)} per band"
        # in words, not a sign: a CSV cell starting with "+" or "-" reads as a formula
        side = "higher" if value > 0 else "lower" if value < 0 else "apart"
        return f"{_fixed(abs(value), max(decimals, 1))} points {side} in the group"
    return f"{_fixed(value, decimals)}%"


def _readable(row: Mapping[Any, Any], kind: str, record: Mapping[str, Any]) -> dict[str, str]:
    """The readable columns of one :func:`verify_findings` row.

    Parameters
    ----------
    row : mapping
        The register row (``value``, ``unit``, ``range_low``, ``range_high``, ``reason``).
    kind : str
        The computation type (``proportion``, ``count``, ``absent``, ``association``, ...).
    record : mapping
        The row of the check so far: ``reproduced``, ``status``, ``tolerance``, ``detail``,
        ``reason``.

    Returns
    -------
    dict
        ``published_text`` (the figure as published: "81%", "565", "70\u201380%" for a
        verbal quantity, "\u2014" when there is no figure), ``reproduced_text`` (the
        recomputed value at the published precision and in its unit, rounded half away from
        zero as publications round: 81.67 against a published 81 reads "82%"; "\u2014" when
        nothing was computed) and ``explanation`` (why the status is what it is, on one line:
        the counts behind the value, the distance from the published figure for a mismatch,
        the reason for a conflict or a row that cannot be checked).
    """
    published, decimals = _published_text(row)
    reproduced = record["reproduced"]
    value = math.nan if _missing(reproduced) else float(reproduced)
    status = str(record["status"])
    detail = str(record.get("detail") or "")
    reason = str(record.get("reason") or "")
    shown = _reproduced_text(kind, value, decimals, detail)
    if status == "not_applicable" and not record.get("tolerance"):
        return {
            "published_text": published,
            "reproduced_text": _DASH,
            "explanation": f"not checked: {reason}" if reason else "not checked",
        }
    why = _why(row, kind, status, value, published, decimals, detail)
    if published == _DASH and kind in ("association", "all", "ranking"):
        why = f"published as a statement, not a figure; {why}"
    if status == "conflict":
        why = f"{reason}; {why}" if reason and why else reason or why
    elif reason:
        why = f"{why}; {reason}" if why else reason
    return {"published_text": published, "reproduced_text": shown, "explanation": why}


def _why(
    row: Mapping[Any, Any],
    kind: str,
    status: str,
    value: float,
    published: str,
    decimals: int,
    detail: str,
) -> str:
    """The one-line reason behind a status (the counts, and how far off a mismatch is)."""
    unit = str(row["unit"])
    if kind in ("association", "all", "ranking", "absent"):
        if status == "mismatch" and kind == "ranking":
            return f"the named option(s) do not rank first: {detail}"
        if status == "mismatch" and kind != "absent":
            return f"the stated direction with p < {ALPHA:g} does not hold: {detail}"
        return detail
    if math.isnan(value):
        return f"nothing to compute ({detail or 'empty base'})"
    exact = f"{detail} = " if detail and "/" in detail else ""
    precise = _fixed(value, decimals + 1)
    if unit == "verbal":
        inside = "inside" if status == "match" else "outside"
        return f"{exact}{precise}%, {inside} {published}"
    if kind in ("count", "distinct") or unit == "count":
        if status == "match":
            return detail
        return f"{_fixed(value, 0)} counted, {published} published: a count must be equal"
    gap = abs(value - float(row["value"]))
    if status == "match":
        return f"{exact}{precise}%, within {PERCENT_TOLERANCE:g} points of {published}"
    return (
        f"{exact}{precise}%: {_fixed(gap, decimals + 1)} points from {published}, more than the "
        f"{PERCENT_TOLERANCE:g} allowed"
    )


def verify_findings(
    survey: SurveyData,
    *,
    assumptions: Mapping[str, str] | None = None,
    design: SurveyDesign | None = None,
) -> pd.DataFrame:
    """Check a response set against every published finding that applies to it.

    Parameters
    ----------
    survey : SurveyData
        A response set (synthetic or real). Findings apply when their wave and instrument
        equal the set's.
    assumptions : mapping of str to str, optional
        Assumption id -> option name, overriding the defaults (see :func:`load_assumptions`),
        e.g. ``{"A-04": "all_respondents"}`` to take the 2017 aims over all respondents.
    design : SurveyDesign, optional
        Sampling design, used by the association tests (and for the rates compared in
        rankings and associations). Published percentages are shares of respondents, so
        percentages and counts are always computed unweighted.

    Returns
    -------
    pandas.DataFrame
        One row per finding of the set's wave and instrument, in register order, with
        columns ``finding_id``, ``statement``, ``published`` (Float64; missing for verbal,
        association and ranking rows), ``reproduced`` (Float64: the percentage, count or
        share; for verbal rows the percentage; for a trend the odds ratio per band; for a
        difference the gap in points; for an ``absent`` rule the number of contradicting
        respondents), ``tolerance`` (text), ``status`` (category: match, mismatch,
        conflict, not_applicable), ``unit``, ``base_n`` (Int64), ``p_value`` (Float64),
        ``detail`` (the counts or rates behind the value), ``reason`` (why a row is
        conflict or not_applicable, or what part was left out), ``assumptions`` (the
        options used, ``id=option``) and ``synthetic`` (bool: the set is a reconstruction).
        ``attrs`` holds ``synthetic``, ``notice`` (the synthetic-data notice, or empty),
        ``source`` and ``assumptions``.

    Raises
    ------
    ArgumentError
        If ``survey`` is not a :class:`SurveyData` (e.g. its ``respondents`` table).
    FindingsError
        If an assumption id or option is unknown.

    Notes
    -----
    Percentages match when within 0.5 points of the published (rounded) figure, counts when
    equal, verbal quantities when inside the row's range, associations when the stated test
    has the stated direction with p < 0.05, rankings when the named options rank strictly
    first, ``absent`` rules when no respondent contradicts them. Rows whose sources disagree
    with the row the register follows report ``conflict`` (with the reproduced value), never
    ``match``. A finding needing an item the set does not have is ``not_applicable``.
    """
    given: object = survey  # checked at run time: callers pass what they have
    if not isinstance(given, SurveyData):
        hint = (
            " (a table such as data.respondents): pass the SurveyData itself, e.g. "
            "verify_findings(data)"
            if isinstance(given, pd.DataFrame)
            else "; pass a SurveyData, e.g. gpcollab.load_survey(2017, 'gp')"
        )
        raise ArgumentError(
            f"verify_findings: `survey` must be a SurveyData, but a {type(given).__name__} was "
            f"passed{hint}."
        )
    chosen = _choices(assumptions)
    register = _register()
    applies = (register["wave"] == int(survey.meta.wave)) & (
        register["instrument"].astype(str) == survey.meta.instrument.value
    )
    evaluator = _Evaluator(survey, design)
    records: list[dict[str, Any]] = []
    kinds: list[tuple[Mapping[Any, Any], str]] = []
    for row in register.loc[applies].to_dict("records"):
        node = json.loads(row["computation"])
        kind = str(node["type"])
        kinds.append((row, kind))
        reason = "" if pd.isna(row["reason"]) else str(row["reason"])
        used = [a for a in ("" if pd.isna(row["assumptions"]) else row["assumptions"]).split(";")]
        record: dict[str, Any] = {
            "finding_id": row["finding_id"],
            "statement": row["statement"],
            "published": row["value"],
            "reproduced": math.nan,
            "tolerance": "",
            "status": "not_applicable",
            "unit": row["unit"],
            "base_n": None,
            "p_value": math.nan,
            "detail": "",
            "reason": reason,
            "assumptions": ";".join(f"{a}={chosen[a]}" for a in used if a),
            "synthetic": survey.synthetic,
        }
        records.append(record)
        if row["status_rule"] == "not_applicable" or kind == "none":
            continue
        try:
            result = evaluator.evaluate(_resolve(node, chosen))
        except _NotApplicable as exc:
            record["reason"] = str(exc)
            continue
        record.update(
            reproduced=result.reproduced,
            tolerance=_tolerance(row, kind),
            base_n=result.base_n,
            p_value=result.p_value,
            detail=result.detail,
        )
        status = _status(row, kind, result)
        if row["status_rule"] == "conflict":
            record["status"] = "conflict"
            record["reason"] = f"{reason} (reproduced here: {status} against this row)"
        else:
            record["status"] = status
    for record, (register_row, kind) in zip(records, kinds, strict=True):
        record.update(_readable(register_row, kind, record))
    return _output(records, survey, chosen)


class FindingsCheck(pd.DataFrame):
    """The table :func:`verify_findings` returns: a DataFrame that Jupyter shows with each
    status coloured (see :func:`findings_html`). Tables derived from it
    (filters, copies) are plain DataFrames."""

    @property
    def _constructor(self) -> Any:
        return pd.DataFrame

    def _repr_html_(self) -> str:
        return findings_html(self)


def _output(
    records: list[dict[str, Any]], survey: SurveyData, chosen: Mapping[str, str]
) -> pd.DataFrame:
    frame = FindingsCheck(pd.DataFrame.from_records(records, columns=list(_OUTPUT_COLUMNS)))
    for column in ("finding_id", "statement", "tolerance", "detail", "reason", "assumptions"):
        frame[column] = frame[column].astype("string")
    for column in ("published_text", "reproduced_text", "explanation"):
        frame[column] = frame[column].astype("string")
    for column in ("published", "reproduced", "p_value"):
        frame[column] = pd.array(
            [None if v is None or pd.isna(v) else float(v) for v in frame[column]],
            dtype="Float64",
        )
    frame["base_n"] = pd.array(
        [None if v is None or pd.isna(v) else int(v) for v in frame["base_n"]], dtype="Int64"
    )
    frame["status"] = pd.Categorical(frame["status"], categories=list(STATUSES))
    frame["unit"] = pd.Categorical(frame["unit"].astype(str), categories=list(_UNITS))
    frame["synthetic"] = frame["synthetic"].astype(bool)
    frame.attrs.update(
        synthetic=survey.synthetic,
        notice=SYNTHETIC_NOTICE if survey.synthetic else "",
        source=survey.meta.source,
        survey=survey.meta.label,
        assumptions=dict(chosen),
    )
    return frame


# ----------------------------------------------------------------- display

#: Background colour of each ``verify_findings`` status (colour-blind-safe pairs of hue and
#: lightness; the status word is always printed too).
STATUS_COLOURS: dict[str, str] = {
    "match": "#d9f0d3",
    "mismatch": "#f4a6a6",
    "conflict": "#fde0b0",
    "not_applicable": "#e6e6e6",
}


_RAW_COLUMNS: Sequence[str] = (
    "finding_id",
    "status",
    "statement",
    "published",
    "reproduced",
    "tolerance",
    "base_n",
    "reason",
)

#: The readable columns of a ``verify_findings`` table (values at the published precision and
#: the reason on the row), with the headers they are shown under.
FINDINGS_READABLE: Sequence[tuple[str, str]] = (
    ("finding_id", "finding"),
    ("status", "status"),
    ("statement", "statement"),
    ("published_text", "published"),
    ("reproduced_text", "recomputed"),
    ("tolerance", "tolerance"),
    ("base_n", "base"),
    ("explanation", "why"),
)


def _readable_columns(table: pd.DataFrame) -> list[tuple[str, str]]:
    """The columns to show: the readable ones when the table has them, else the raw ones."""
    if {"published_text", "reproduced_text", "explanation"} <= set(table.columns):
        return [(c, h) for c, h in FINDINGS_READABLE if c in table.columns]
    return [(c, c) for c in _RAW_COLUMNS if c in table.columns]


def _cell_text(value: Any) -> str:
    """A cell as plain text: missing as a dash, floats in short form."""
    if _missing(value):
        return _DASH
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def findings_lines(
    table: pd.DataFrame, statuses: Sequence[str] = ("mismatch", "conflict")
) -> list[str]:
    """One readable line per finding of ``table`` whose status is in ``statuses``.

    For the console (``gpcollab reproduce`` and ``report`` print them): the status, the set
    (when the table has a ``survey`` column), the finding and its statement, the published
    and recomputed values at the published precision, the tolerance and the reason, e.g.
    ``MISMATCH 2017-06: ... — published 45%, recomputed 44% (tolerance ±0.5 points):
    36 / 81 = 44.4%: 0.6 points from 45%, more than the 0.5 allowed``.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`~gpcollab.verify_findings` result, or several stacked with a ``survey``
        column (as in the report's ``findings_check.csv``).
    statuses : sequence of str, default=("mismatch", "conflict")
        The statuses to list.

    Returns
    -------
    list of str
    """
    if "status" not in table.columns:
        return []
    readable = {"published_text", "reproduced_text", "explanation"} <= set(table.columns)
    lines = []
    for row in table.to_dict(orient="records"):
        status = str(row.get("status", ""))
        if status not in statuses:
            continue
        if readable:
            published, recomputed = row["published_text"], row["reproduced_text"]
            why = row["explanation"]
        else:  # an older or reshaped table: the raw columns
            published, recomputed = row.get("published"), row.get("reproduced")
            why = " ".join(
                _cell_text(row.get(k)) for k in ("detail", "reason") if not _blank(row.get(k))
            )
        tolerance = "" if _blank(row.get("tolerance")) else f" (tolerance {row['tolerance']})"
        where = " ".join(
            str(row[k]) for k in ("survey", "finding_id") if k in row and not _blank(row[k])
        )
        line = (
            f"  {status.upper()} {where}: {_cell_text(row.get('statement'))} \u2014 published "
            f"{_cell_text(published)}, recomputed {_cell_text(recomputed)}{tolerance}"
        )
        if not _blank(why):
            line += f": {why}"
        lines.append(line)
    return lines


def _blank(value: Any) -> bool:
    return _missing(value) or not str(value).strip()


def _cell(value: Any) -> str:
    return "" if _missing(value) else escape(_cell_text(value))


def findings_html(table: pd.DataFrame) -> str:
    """HTML of a :func:`~gpcollab.verify_findings` result, each status cell coloured.

    A line counts the statuses; the table shows the readable columns (published and
    recomputed values at the published precision, the tolerance, and why: see
    :data:`FINDINGS_READABLE`); all columns are in the DataFrame.
    A table without a ``status`` column (a filtered or reshaped copy) is shown as pandas would.
    """
    if "status" not in table.columns:
        return str(pd.DataFrame(table).to_html())
    counts = table["status"].astype(str).value_counts()
    summary = ", ".join(
        f"<span style='background:{STATUS_COLOURS.get(s, '#fff')};padding:0 4px'>"
        f"{escape(s)} {int(counts.get(s, 0))}</span>"
        for s in STATUS_COLOURS
        if counts.get(s, 0)
    )
    shown = _readable_columns(table)
    columns = [c for c, _ in shown]
    body = []
    for record in table[columns].to_dict(orient="records"):
        colour = STATUS_COLOURS.get(str(record.get("status", "")), "#fff")
        body.append(
            _html.row(
                _html.td(
                    _cell(record[c]),
                    f";background:{colour};font-weight:bold" if c == "status" else "",
                )
                for c in columns
            )
        )
    return _html.box(
        f"<b>Published findings checked</b>: {len(table)} rows — {summary}",
        _html.notice_banner(str(table.attrs.get("notice") or "")),
        _html.table([h for _, h in shown], body),
    )
