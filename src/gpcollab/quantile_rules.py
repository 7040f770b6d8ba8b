"""Weighted quantile rules: which value of a weighted sample is its ``p``-quantile.

Pure functions of values, weights and a probability, with no design; the design-based estimator
with confidence intervals is :func:`gpcollab.estimate_quantile`.  The rules are those of R's
``survey::svyquantile`` (survey >= 4.1, argument ``qrule``): ``"math"`` (the default: the
smallest value whose cumulative weight share reaches ``p``), ``"school"`` (the midpoint of the
two values on either side when the share is reached exactly), ``"shahvaish"`` (Shah & Vaish)
and the weighted forms of Hyndman & Fan's nine types ``"hf1"`` ... ``"hf9"``.

Cumulative weights are summed in extended precision, as R's ``cumsum`` and ``sum`` are, so
that the exact comparisons of the discrete rules (``"math"``, ``"school"``, ``"hf1"`` to
``"hf3"``) fall on the same side as in R.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from gpcollab._typing import FloatArray
from gpcollab.errors import ArgumentError

__all__ = ["QRULES", "QRule", "check_probabilities", "weighted_quantile"]

QRule: TypeAlias = Literal[
    "math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9"
]
#: Every accepted ``qrule``.
QRULES: tuple[str, ...] = (
    "math",
    "school",
    "shahvaish",
    "hf1",
    "hf2",
    "hf3",
    "hf4",
    "hf5",
    "hf6",
    "hf7",
    "hf8",
    "hf9",
)


def _cumsum(w: FloatArray) -> FloatArray:
    """Running sums accumulated in extended precision and rounded, as R's ``cumsum``."""
    return np.asarray(np.cumsum(w.astype(np.longdouble)), dtype=np.float64)


def _step(x: FloatArray, w: FloatArray, p: float) -> tuple[int, int, float, float]:
    """R's ``qs``: positions of the values on either side of ``p`` and the weight shares."""
    cumw = _cumsum(w)
    total = float(cumw[-1])
    pos = max(int(np.searchsorted(cumw, p * total, side="right")) - 1, 0)
    nxt = pos if pos == len(x) - 1 else pos + 1
    return pos, nxt, p - cumw[pos] / total, cumw[nxt] / total - p


def _math(x: FloatArray, w: FloatArray, p: float) -> float:
    pos, nxt, wlow, _ = _step(x, w, p)
    return float(x[pos] if wlow == 0 else x[nxt])


def _school(x: FloatArray, w: FloatArray, p: float) -> float:
    pos, nxt, wlow, _ = _step(x, w, p)
    return float((x[pos] + x[nxt]) / 2 if wlow == 0 else x[nxt])


def _hf3(x: FloatArray, w: FloatArray, p: float) -> float:
    values, inverse = np.unique(x, return_inverse=True)
    tied = np.asarray(np.bincount(inverse, weights=w, minlength=len(values)), dtype=np.float64)
    pos, nxt, wlow, _ = _step(values, tied, p)
    # R tests the 1-based position for evenness
    return float(values[pos] if wlow == 0 and (pos + 1) % 2 == 0 else values[nxt])


def _hf4(x: FloatArray, w: FloatArray, p: float) -> float:
    pos, nxt, wlow, wup = _step(x, w, p)
    gamma = wlow / (wup + wlow)
    return float(x[pos] * (1 - gamma) + x[nxt] * gamma)


def _approx(knots: FloatArray, x: FloatArray, p: float) -> float:
    """R's ``approx(knots, x, p, rule=2)``: linear interpolation, constant outside."""
    if p <= knots[0]:
        return float(x[0]) if p < knots[0] else float(x[int(np.searchsorted(knots, p))])
    if p >= knots[-1]:
        return float(x[-1])
    j = int(np.searchsorted(knots, p, side="left"))
    if knots[j] == p:
        return float(x[j])
    i = j - 1
    return float(x[i] + (x[j] - x[i]) * ((p - knots[i]) / (knots[j] - knots[i])))


def _continuous(knots: Callable[[FloatArray, FloatArray], FloatArray]) -> Callable[..., float]:
    def rule(x: FloatArray, w: FloatArray, p: float) -> float:
        return _approx(knots(w, _cumsum(w)), x, p)

    return rule


def _shahvaish(x: FloatArray, w: FloatArray, p: float) -> float:
    n = len(x)
    w_ld = w.astype(np.longdouble)
    mean = w_ld.sum() / n
    mean = mean + (w_ld - mean).sum() / n  # R's mean() refines the sum by a second pass
    cum = _cumsum(np.asarray(w / float(mean), dtype=np.float64))
    knots = (cum + 0.5 - w / 2) / (n + 1)
    # approx(method="constant", f=0, rule=2): the value at the last knot <= p
    j = int(np.searchsorted(knots, p, side="right")) - 1
    return float(x[min(max(j, 0), n - 1)])


def _shift(cumw: FloatArray) -> FloatArray:
    return np.concatenate([[0.0], cumw[:-1]])


_RULES: dict[str, Callable[[FloatArray, FloatArray, float], float]] = {
    "math": _math,
    "hf1": _math,
    "school": _school,
    "hf2": _school,
    "hf3": _hf3,
    "hf4": _hf4,
    "hf5": _continuous(lambda w, c: (c - w / 2) / c[-1]),
    "hf6": _continuous(lambda w, c: c / (c[-1] + w[-1])),
    "hf7": _continuous(lambda w, c: _shift(c) / c[-2] if len(c) > 1 else np.zeros(1)),
    "hf8": _continuous(lambda w, c: (_shift(c) * 1 / 3 + c * 2 / 3) / (c[-1] + w[-1] / 3)),
    "hf9": _continuous(lambda w, c: (_shift(c) * 3 / 8 + c * 5 / 8) / (c[-1] + w[-1] / 4)),
    "shahvaish": _shahvaish,
}


def sorted_sample(x: ArrayLike, w: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Values with positive weight in ascending (stable) order, and their weights."""
    xa = np.asarray(x, dtype=np.float64)
    wa = np.asarray(w, dtype=np.float64)
    keep = wa != 0
    xa, wa = xa[keep], wa[keep]
    order = np.argsort(xa, kind="stable")
    return xa[order], wa[order]


def weighted_quantile(x: ArrayLike, w: ArrayLike, p: float, qrule: str = "math") -> float:
    """The ``p``-quantile of values ``x`` with weights ``w`` by rule ``qrule``.

    Parameters
    ----------
    x, w : array_like
        Values and their (non-negative) weights; rows of weight 0 are ignored.
    p : float
        Probability in [0, 1].
    qrule : str, default="math"
        One of :data:`QRULES` (R ``svyquantile``'s ``qrule``).

    Returns
    -------
    float
        NaN when no value has a positive weight.

    Notes
    -----
    R's discrete rules start from the last value whose cumulative weight share is at most
    ``p``, and from the first value when there is none: so when the smallest value alone holds
    more than ``p`` of the weight, ``"math"`` returns the *second* smallest value (R:
    ``survey:::qrule_math(c(1, 2), c(3, 1), 0.5)`` is 2).  gpcollab keeps R's answer so that
    estimates agree with ``svyquantile``.

    Examples
    --------
    >>> weighted_quantile([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1], 0.5)
    2.0
    >>> weighted_quantile([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1], 0.5, qrule="school")
    2.5
    """
    rule = _RULES.get(qrule)
    if rule is None:
        raise ArgumentError(f"`qrule` must be one of {list(QRULES)}, but {qrule!r} was passed.")
    xs, ws = sorted_sample(x, w)
    if xs.size == 0:
        return float("nan")
    return rule(xs, ws, float(p))


def quantile_of_sorted(xs: FloatArray, ws: FloatArray, p: float, qrule: str) -> float:
    """:func:`weighted_quantile` for values already passed through :func:`sorted_sample`."""
    if xs.size == 0:
        return float("nan")
    return _RULES[qrule](xs, ws, float(p))


def check_probabilities(quantiles: float | Sequence[float]) -> list[float]:
    """The probabilities of ``quantiles`` as a list, each checked to lie in [0, 1]."""
    probs = [quantiles] if isinstance(quantiles, int | float) else list(quantiles)
    if not probs or not all(
        isinstance(p, int | float) and not isinstance(p, bool) and 0 <= p <= 1 for p in probs
    ):
        raise ArgumentError(
            "`quantiles` must be a probability in [0, 1] or a list of them (e.g. 0.5 or "
            f"[0.25, 0.5, 0.75]), but {quantiles!r} was passed."
        )
    return [float(p) for p in probs]
