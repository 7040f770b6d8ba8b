"""Replicate-weight survey designs (R's ``svrepdesign`` and ``as.svrepdesign``) and their estimates.

A :class:`ReplicateDesign` measures uncertainty by re-computing an estimate with each of ``R``
sets of replicate weights instead of linearising it.  It is either given as columns of the data
(a survey file that ships replicate weights: jackknife, BRR, Fay, bootstrap, ...) or built from a
Taylor :class:`~gpcollab.design.SurveyDesign` by :func:`as_replicate_design` (JK1, JKn, BRR,
Fay's BRR, the ``n - 1`` bootstrap), with the conventions of R's ``survey`` package:

* the variance of an estimate ``theta`` with replicates ``theta_r`` is
  ``scale * sum_r rscales_r (theta_r - centre)^2``, where the centre is the mean of the
  replicates whose ``rscales`` is positive, or ``theta`` itself when ``mse=True`` (R's
  ``svrVar``); replicates that cannot be computed (a domain with no weight in the replicate) are
  left out, as R does, with an :class:`~gpcollab.errors.InferenceWarning`;
* the degrees of freedom are the rank of the matrix of replicate (analysis) weights minus one,
  taken over the rows of the domain (R's ``degf`` of ``subset(design, ...)``, a QR rank with
  tolerance 1e-5);
* a domain is the subset of rows in it (R's ``svyby`` on a replicate design).

The estimators themselves are the public :func:`gpcollab.estimate_mean`,
:func:`~gpcollab.estimate_total`, :func:`~gpcollab.estimate_proportions`,
:func:`~gpcollab.estimate_ratio` and :func:`~gpcollab.estimate_quantile`: passed a
``ReplicateDesign`` as ``design=``, they call the functions at the end of this module and return
the same tables.

Replicate weights are kept in compressed form: ``unit_factors[u, r]`` for each sampling unit
``u`` (a PSU when built from a Taylor design, a row when given as columns) times a row's base
weight, so that a design with a million rows and a thousand PSUs needs no million-by-thousand
matrix.  The same form keeps survey-sized tables quick: the replicate sums of every domain are
one product of a (domain, unit) table with the factors, and each domain's rank test works on
the ``R x R`` Gram matrix of its units' factors, by blocks of columns, or for a jackknife (whose
replicates each change one stratum) stratum block by stratum block with a 2 x 2 update carried
between blocks, so that 200,000 rows with 1,450 PSUs and 35 domains take about a second.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from gpcollab._checks import check_level
from gpcollab._typing import FloatArray, IntArray
from gpcollab.design import PreparedDesign, SurveyDesign, prepare_design
from gpcollab.domains import (
    Domains,
    DomainSums,
    blank_domains,
    check_estimate_args,
    code_domains,
    factor_codes,
    numeric_outcome,
)
from gpcollab.errors import ArgumentError, BoundaryWarning, DesignError, InferenceWarning
from gpcollab.estimate_table import (
    DEFF_KINDS,
    boundary_warning,
    check_proportion_args,
    deff_n_eff,
    interval_df,
    kish_n,
    level_labels,
    proportion_intervals,
    result_table,
    wald_table,
)
from gpcollab.intervals import expit, t_quantile, wald_ci
from gpcollab.quantile_rules import QRULES, check_probabilities, quantile_of_sorted

__all__ = [
    "QR_TOLERANCE",
    "ConversionType",
    "PreparedReplicates",
    "ReplicateDesign",
    "ReplicateType",
    "as_replicate_design",
    "hadamard",
    "prepare_replicates",
    "replicate_variance",
    "replicate_weights",
    "weights_rank",
]

ReplicateType: TypeAlias = Literal[
    "JK1", "JKn", "BRR", "Fay", "bootstrap", "ACS", "successive-difference", "JK2", "other"
]
_TYPES: tuple[str, ...] = (
    "JK1",
    "JKn",
    "BRR",
    "Fay",
    "bootstrap",
    "ACS",
    "successive-difference",
    "JK2",
    "other",
)
ConversionType: TypeAlias = Literal["auto", "JK1", "JKn", "BRR", "Fay", "bootstrap"]
_CONVERSIONS: tuple[str, ...] = ("auto", "JK1", "JKn", "BRR", "Fay", "bootstrap")

#: Relative tolerance of the QR rank behind the degrees of freedom (R's ``degf``: ``qr(...,
#: tol=1e-5)``): a column whose part not explained by the columns before it has a norm below
#: this fraction of its own norm does not add to the rank.
QR_TOLERANCE = 1e-5


# --------------------------------------------------------------------------- the design


@dataclass(frozen=True)
class ReplicateDesign:
    """A survey design whose variances come from replicate weights (R's ``svyrep.design``).

    Build it from replicate-weight columns of the data, as R's ``svrepdesign``, or from a Taylor
    design with :func:`as_replicate_design` (as R's ``as.svrepdesign``).

    Parameters
    ----------
    type : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "ACS", "successive-difference", "JK2", \
"other"}
        How the replicates were made; it sets ``scale`` and ``rscales`` as R's ``svrepdesign``
        does: ``"BRR"`` uses ``scale = 1 / R``; ``"Fay"`` ``1 / (R (1 - rho)^2)``;
        ``"bootstrap"`` ``1 / (R - 1)`` unless ``scale`` is given; ``"ACS"`` and
        ``"successive-difference"`` ``4 / R``; ``"JK2"`` 1; ``"JK1"`` takes ``scale`` (usually
        ``(n - 1) / n``) and ``"JKn"`` ``rscales`` (``(n_h - 1) / n_h`` for each replicate),
        which R guesses when they are missing (with an
        :class:`~gpcollab.errors.InferenceWarning` here); ``"other"`` takes both (default 1).
    replicates : tuple of str, or str
        The replicate-weight columns, or a regular expression matching their names (as R's
        ``repweights="^repw"``), in data order.
    weights : str or None, default=None
        The full-sample (sampling) weight column; ``None`` gives every row weight 1.
    combined_weights : bool, default=True
        The replicate columns already include the sampling weights (R's default); with
        ``False`` each replicate weight is multiplied by ``weights``.
    scale : float, optional
        Overall multiplier of the variance (see ``type``).
    rscales : float or tuple of float, optional
        Multiplier of each replicate's squared deviation (one value, or one per replicate).
    rho : float, optional
        Fay's coefficient, required for ``type="Fay"``: replicate weights are ``rho`` and
        ``2 - rho`` times the full-sample weights.
    mse : bool, default=False
        Centre the squared deviations at the full-sample estimate instead of the mean of the
        replicates (R's ``mse=TRUE``).
    source : SurveyDesign, optional
        Set by :func:`as_replicate_design`: the Taylor design the replicate weights are made
        from (then ``replicates``, ``weights``, ``scale``, ``rscales`` and ``rho`` are unused).
    fay_rho, hadamard, n_replicates, seed
        Set by :func:`as_replicate_design` (see there).

    Notes
    -----
    A design built by :func:`as_replicate_design` makes its replicate weights from the data
    each time it is used; :func:`replicate_weights` returns them.

    Examples
    --------
    >>> design = ReplicateDesign(type="JK1", replicates="^rep", weights="w", scale=0.8)
    >>> design.type, design.mse
    ('JK1', False)
    """

    type: ReplicateType
    replicates: tuple[str, ...] | str = ()
    weights: str | None = None
    combined_weights: bool = True
    scale: float | None = None
    rscales: float | tuple[float, ...] | None = None
    rho: float | None = None
    mse: bool = False
    source: SurveyDesign | None = None
    fay_rho: float = 0.0
    hadamard: tuple[tuple[float, ...], ...] | None = None
    n_replicates: int = 50
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ArgumentError(
                f"ReplicateDesign `type` must be one of {list(_TYPES)}, but {self.type!r} was "
                "passed."
            )
        if self.source is not None:
            if not isinstance(self.source, SurveyDesign):
                raise ArgumentError(
                    "ReplicateDesign `source` must be a SurveyDesign, but "
                    f"{type(self.source).__name__} was passed."
                )
            return
        reps: object = self.replicates
        if isinstance(reps, list):
            reps = tuple(reps)
            object.__setattr__(self, "replicates", reps)
        given: object = self.rscales
        if isinstance(given, list | np.ndarray):  # a list is welcome: keep it as a tuple
            object.__setattr__(self, "rscales", tuple(float(v) for v in given))
        if isinstance(reps, str):
            try:
                re.compile(reps)
            except re.error as exc:
                raise ArgumentError(
                    f"ReplicateDesign `replicates` {reps!r} is not a valid regular expression "
                    f"({exc})."
                ) from None
        elif not (isinstance(reps, tuple) and reps and all(isinstance(c, str) for c in reps)):
            raise ArgumentError(
                "ReplicateDesign `replicates` must name the replicate-weight columns (a tuple "
                f"of names, or a regular expression matching them), but {reps!r} was passed."
            )
        if self.weights is not None and not isinstance(self.weights, str):
            raise ArgumentError(
                "ReplicateDesign `weights` must be a column name (str) or None, but "
                f"{self.weights!r} was passed."
            )
        for name in ("combined_weights", "mse"):
            if not isinstance(getattr(self, name), bool):
                raise ArgumentError(
                    f"ReplicateDesign `{name}` must be True or False, not {getattr(self, name)!r}."
                )
        _check_settings(self)


def _positive(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and bool(np.isfinite(value))
        and value > 0
    )


def _check_settings(design: ReplicateDesign) -> None:
    """Refuse the settings R refuses (or would ignore) for the design's type."""
    kind = design.type
    if design.scale is not None and not _positive(design.scale):
        raise ArgumentError(
            f"ReplicateDesign `scale` must be a positive number, but {design.scale!r} was passed."
        )
    if design.rscales is not None:
        values = design.rscales if isinstance(design.rscales, tuple) else (design.rscales,)
        if not values or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v) and v >= 0
            for v in values
        ):
            raise ArgumentError(
                "ReplicateDesign `rscales` must be a non-negative number or a tuple of them, "
                f"but {design.rscales!r} was passed."
            )
    if kind == "Fay":
        if design.rho is None:
            raise ArgumentError(
                "ReplicateDesign(type='Fay') needs Fay's coefficient `rho` (R: \"With "
                "type='Fay' you must supply the correct rho\")."
            )
        if not (isinstance(design.rho, int | float) and 0 <= design.rho < 1):
            raise ArgumentError(
                f"ReplicateDesign `rho` must be in [0, 1), but {design.rho!r} was passed."
            )
    elif design.rho is not None:
        raise ArgumentError(
            f"ReplicateDesign `rho` is Fay's coefficient and only used with type='Fay', not "
            f"type={kind!r}."
        )
    if kind in ("BRR", "Fay", "ACS", "successive-difference", "JK2") and (
        design.scale is not None or (kind != "JK2" and design.rscales is not None)
    ):
        raise ArgumentError(
            f"ReplicateDesign(type={kind!r}) sets `scale` and `rscales` itself (as R's "
            "svrepdesign); leave them out, or use type='other' to give your own."
        )
    if kind == "JKn" and design.rscales is None and design.combined_weights:
        raise ArgumentError(
            "ReplicateDesign(type='JKn') with combined weights needs `rscales` ((n_h - 1) / n_h "
            "for each replicate); R: 'Must provide rscales for combined JKn weights'."
        )


def as_replicate_design(
    design: SurveyDesign,
    type: ConversionType = "auto",  # R's argument name (it shadows the builtin here)
    *,
    fay_rho: float = 0.0,
    mse: bool = False,
    hadamard: ArrayLike | None = None,
    n_replicates: int = 50,
    seed: int | None = None,
) -> ReplicateDesign:
    """A replicate-weight design made from a Taylor design (R's ``as.svrepdesign``).

    Parameters
    ----------
    design : SurveyDesign
        Weights, strata, PSUs and fpc of the sample (no raking or post-strata).
    type : {"auto", "JK1", "JKn", "BRR", "Fay", "bootstrap"}, default="auto"
        ``"auto"`` is ``"JK1"`` (delete-one-PSU jackknife) without strata and ``"JKn"``
        (delete one PSU within its stratum) with strata, as R.  ``"BRR"`` (balanced repeated
        replication) and ``"Fay"`` need strata of exactly two PSUs; ``"bootstrap"`` is the
        ``n - 1`` bootstrap of R's ``type="subbootstrap"``, drawn with NumPy (``seed``).
    fay_rho : float, default=0.0
        Fay's coefficient in [0, 1) for ``"Fay"`` (``"BRR"`` with ``fay_rho > 0`` is Fay's
        method, as R).
    mse : bool, default=False
        As in :class:`ReplicateDesign`.
    hadamard : array_like, optional
        A square Hadamard matrix of 0/1 (or -1/+1) values with at least strata + 1 rows, for
        ``"BRR"`` and ``"Fay"``: a 1 in row ``k + 1`` puts the first PSU of the ``k``-th
        stratum in the half sample of that column's replicate, as in R's default matrices
        (pass ``survey:::hadamard(n_strata)`` to get R's replicates).  R's own
        ``hadamard.matrix=`` argument instead recodes the value met first to 0, which turns
        such a matrix into its complement.  The default is the Sylvester matrix of the smallest
        order ``4 * 2^k`` above the number of strata (see Notes).
    n_replicates : int, default=50
        Number of bootstrap replicates.
    seed : int, optional
        Seed of the bootstrap draws (required for ``"bootstrap"``, so results repeat).

    Returns
    -------
    ReplicateDesign
        Its replicate weights are made from the data whenever an estimate is computed.

    Raises
    ------
    ArgumentError
        ``type`` is unknown; ``"JK1"`` with strata or ``"JKn"``/``"BRR"``/``"Fay"`` without
        them (R: "Can't use JK1 for a stratified design", "Must use JK1 or bootstrap for an
        unstratified design"); a raked or post-stratified design; a bad ``fay_rho``, ``seed``
        or ``hadamard``.  A stratum without exactly two PSUs under ``"BRR"`` is a
        :class:`~gpcollab.errors.DesignError` when the design meets the data.

    Notes
    -----
    *JK1*: replicate ``j`` drops PSU ``j`` and multiplies the others by ``n / (n - 1)``;
    ``scale = (1 - f) (n - 1) / n``.  *JKn*: the same within each stratum, other strata
    unchanged, ``rscales = (1 - f_h) (n_h - 1) / n_h``; a stratum sampled completely gets no
    replicate; a stratum with one PSU follows the design's ``lonely_psu`` as R's
    ``jknweights``.  *BRR / Fay*: one replicate per column of the Hadamard matrix; row ``k + 1``
    says which PSU of the ``k``-th stratum (strata in sorted order of their labels as text, PSUs
    in order of first appearance) gets weight ``2 - rho`` and which ``rho``;
    ``scale = 1 / (R (1 - rho)^2)``; the fpc is dropped, as R does.  R takes its Hadamard
    matrices from a stored list: for 1-3, 4-7, 12-15, 28-31 and 60-63 strata they are the
    Sylvester matrices used here, so replicates and SEs agree with R; for other numbers of
    strata R uses other (Paley) matrices, which give the same SEs for totals but slightly
    different ones for nonlinear estimates (pass R's matrix as ``hadamard`` to agree).
    *Bootstrap*: in each stratum, ``n_h - 1`` PSUs are drawn with replacement, and each PSU's
    weight is multiplied by ``n_h / (n_h - 1)`` times the number of its draws;
    ``scale = 1 / (R - 1)``.

    Examples
    --------
    >>> rep = as_replicate_design(SurveyDesign(weights="pw", strata="stype"))
    >>> rep.type
    'JKn'
    """
    if not isinstance(design, SurveyDesign):
        raise ArgumentError(
            f"`design` must be a SurveyDesign, but {design.__class__.__name__} was passed."
        )
    if type not in _CONVERSIONS:
        raise ArgumentError(f"`type` must be one of {list(_CONVERSIONS)}, but {type!r} was passed.")
    if design.calibration or design.poststrata:
        raise ArgumentError(
            "as_replicate_design takes a design without raking margins or post-strata; "
            f"got calibration={design.calibration!r}, poststrata={design.poststrata!r}."
        )
    kind: str = type
    if kind == "auto":
        kind = "JK1" if design.strata is None else "JKn"
    if kind == "JK1" and design.strata is not None:
        raise ArgumentError(
            f"type='JK1' cannot be used for a stratified design (strata={design.strata!r}); "
            "use 'JKn' (R: \"Can't use JK1 for a stratified design\")."
        )
    if kind in ("JKn", "BRR", "Fay") and design.strata is None:
        raise ArgumentError(
            f"type={kind!r} needs strata; an unstratified design takes 'JK1' or 'bootstrap' "
            "(R: 'Must use JK1 or bootstrap for an unstratified design')."
        )
    if not (isinstance(fay_rho, int | float) and 0 <= fay_rho < 1):
        raise ArgumentError(f"`fay_rho` must be in [0, 1), but {fay_rho!r} was passed.")
    if kind == "BRR" and fay_rho > 0:
        kind = "Fay"
    if kind == "Fay" and fay_rho == 0:
        raise ArgumentError("type='Fay' needs Fay's coefficient: pass fay_rho in (0, 1).")
    if kind == "bootstrap":
        if seed is None or isinstance(seed, bool) or not isinstance(seed, int):
            raise ArgumentError(
                "type='bootstrap' draws random replicates: pass an integer `seed` so that the "
                f"results repeat (got seed={seed!r})."
            )
        if isinstance(n_replicates, bool) or not isinstance(n_replicates, int) or n_replicates < 2:
            raise ArgumentError(
                f"`n_replicates` must be an integer >= 2, but {n_replicates!r} was passed."
            )
    matrix = None if hadamard is None else _checked_hadamard(hadamard)
    return ReplicateDesign(
        type=kind,  # type: ignore[arg-type]
        source=design,
        mse=mse,
        fay_rho=float(fay_rho),
        hadamard=matrix,
        n_replicates=n_replicates,
        seed=seed,
    )


# --------------------------------------------------------------------------- Hadamard matrices


def hadamard(n_strata: int) -> NDArray[np.int8]:
    """The 0/1 Sylvester Hadamard matrix of the smallest order ``4 * 2^k`` above ``n_strata``.

    Built from R's order-4 matrix by doubling, ``[[H, H], [H, 1 - H]]``, as R's ``hadamard()``
    does for these orders.  Row 1 is all ones; rows ``2 .. n_strata + 1`` choose the half
    samples.

    Examples
    --------
    >>> hadamard(3).tolist()
    [[1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1]]
    """
    h = np.array([[1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1]], dtype=np.int8)
    while h.shape[0] < n_strata + 1:
        h = np.block([[h, h], [h, 1 - h]]).astype(np.int8)
    return h


def _checked_hadamard(matrix: ArrayLike) -> tuple[tuple[float, ...], ...]:
    """A user's Hadamard matrix of 0/1 (or -1/+1) values as 0/1 rows, checked."""
    arr = np.asarray(matrix, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 2:
        raise ArgumentError(
            f"`hadamard` must be a square matrix, but one of shape {arr.shape} was passed."
        )
    if not (np.isin(arr, (0.0, 1.0)).all() or np.isin(arr, (-1.0, 1.0)).all()):
        raise ArgumentError("`hadamard` must hold 0/1 (or -1/+1) values only.")
    binary = (arr > 0).astype(np.float64)
    signs = 2.0 * binary - 1.0
    k = arr.shape[0]
    if not np.array_equal(signs @ signs.T, k * np.eye(k)):
        raise ArgumentError("`hadamard` is not a Hadamard matrix (its rows are not orthogonal).")
    return tuple(tuple(float(v) for v in row) for row in binary)


# --------------------------------------------------------------------------- prepared arrays


@dataclass(frozen=True)
class PreparedReplicates:
    """The replicate weights of one table of ``n`` rows, compressed by sampling unit.

    The analysis weight of row ``i`` in replicate ``r`` is
    ``base[i] * unit_factors[unit[i], r]``.

    Attributes
    ----------
    weights : ndarray, shape (n,)
        Full-sample (sampling) weights.
    base : ndarray, shape (n,)
        Row factor of the replicate weights (``weights``, or 1 for combined replicate columns).
    unit : ndarray of intp, shape (n,)
        Sampling unit of each row (PSU, or the row itself for given columns).
    unit_factors : ndarray, shape (U, R)
        Replicate factor of each unit.
    scale : float
    rscales : ndarray, shape (R,)
    mse : bool
    type : str
    """

    weights: FloatArray
    base: FloatArray
    unit: IntArray
    unit_factors: FloatArray
    scale: float
    rscales: FloatArray
    mse: bool
    type: str

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.weights.shape[0])

    @property
    def n_replicates(self) -> int:
        """Number of replicates ``R``."""
        return int(self.unit_factors.shape[1])

    def analysis_weights(self, rows: NDArray[Any] | None = None) -> FloatArray:
        """Replicate weights of each row, shape (n, R) (or of ``rows``: a mask or positions)."""
        if rows is None:
            return np.asarray(self.base[:, None] * self.unit_factors[self.unit], dtype=np.float64)
        return np.asarray(
            self.base[rows, None] * self.unit_factors[self.unit[rows]], dtype=np.float64
        )


def prepare_replicates(data: pd.DataFrame, design: ReplicateDesign) -> PreparedReplicates:
    """The replicate weights of ``design`` on ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
    design : ReplicateDesign

    Returns
    -------
    PreparedReplicates

    Raises
    ------
    ArgumentError
        A named column is absent, no column matches the pattern, or a column is not numeric.
    DesignError
        A weight is missing or not finite; a stratum cannot be replicated as asked (a lonely PSU
        under ``lonely_psu="fail"``, BRR without two PSUs per stratum).
    """
    if not isinstance(design, ReplicateDesign):
        raise ArgumentError(
            f"`design` must be a ReplicateDesign, but {type(design).__name__} was passed."
        )
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"`data` must be a pandas DataFrame, but {type(data).__name__} was passed."
        )
    if len(data) == 0:
        raise DesignError("`data` has no rows; a design needs at least one row.")
    if design.source is not None:
        return _converted(data, design)
    return _given(data, design)


def _numeric_column(data: pd.DataFrame, name: str, role: str) -> FloatArray:
    col = data[name]
    if not isinstance(col, pd.Series):
        raise ArgumentError(f"ReplicateDesign `{role}` column {name!r} appears more than once.")
    if isinstance(col.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
    ):
        raise ArgumentError(
            f"ReplicateDesign `{role}` column {name!r} must be numeric, but has dtype {col.dtype}."
        )
    values = np.asarray(col, dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        rows = list(data.index[bad][:5])
        raise DesignError(
            f"ReplicateDesign `{role}` column {name!r} has {int(bad.sum())} missing or "
            f"non-finite value(s), e.g. at rows {rows}; weights must be complete."
        )
    return values


def _replicate_columns(data: pd.DataFrame, design: ReplicateDesign) -> list[str]:
    if isinstance(design.replicates, str):
        pattern = re.compile(design.replicates)
        found = [str(c) for c in data.columns if pattern.search(str(c))]
        if not found:
            raise ArgumentError(
                f"ReplicateDesign `replicates` pattern {design.replicates!r} matches no column; "
                f"available columns: {list(map(str, data.columns))}."
            )
        return found
    missing = [c for c in design.replicates if c not in data.columns]
    if missing:
        raise ArgumentError(
            f"ReplicateDesign `replicates` names {len(missing)} column(s) not in the data: "
            f"{missing[:10]!r}; available columns: {list(map(str, data.columns))}."
        )
    return list(design.replicates)


def _given(data: pd.DataFrame, design: ReplicateDesign) -> PreparedReplicates:
    """R's ``svrepdesign``: replicate columns of the data, with R's scale and rscales."""
    names = _replicate_columns(data, design)
    if design.weights is not None and design.weights in names:
        raise ArgumentError(
            f"ReplicateDesign `weights` column {design.weights!r} is also one of the replicates."
        )
    reps = np.column_stack([_numeric_column(data, c, "replicates") for c in names])
    if design.weights is None:
        weights = np.ones(len(data))
    else:
        if design.weights not in data.columns:
            raise ArgumentError(
                f"ReplicateDesign `weights` names column {design.weights!r}, which is not in "
                f"the data; available columns: {list(map(str, data.columns))}."
            )
        weights = _numeric_column(data, design.weights, "weights")
    n_reps = reps.shape[1]
    scale, rscales = _scales(design, reps)
    if rscales.shape[0] not in (1, n_reps):
        raise ArgumentError(
            f"ReplicateDesign `rscales` has {rscales.shape[0]} values, but there are {n_reps} "
            "replicates (give one value or one per replicate)."
        )
    base = np.ones(len(data)) if design.combined_weights else weights
    return PreparedReplicates(
        weights=weights,
        base=base,
        unit=np.arange(len(data), dtype=np.intp),
        unit_factors=reps,
        scale=scale,
        rscales=np.broadcast_to(rscales, (n_reps,)).astype(np.float64),
        mse=design.mse,
        type=design.type,
    )


def _scales(design: ReplicateDesign, reps: FloatArray) -> tuple[float, FloatArray]:
    """``scale`` and ``rscales`` of given replicate columns, by R's ``svrepdesign`` rules."""
    n_reps = reps.shape[1]
    kind = design.type
    scale = design.scale
    given = design.rscales
    rscales = None if given is None else np.atleast_1d(np.asarray(given, dtype=np.float64))
    if kind == "BRR":
        scale = 1.0 / n_reps
    elif kind == "Fay":
        assert design.rho is not None
        scale = 1.0 / (n_reps * (1.0 - design.rho) ** 2)
    elif kind == "bootstrap" and scale is None:
        scale = 1.0 / (n_reps - 1) if n_reps > 1 else float("nan")
    elif kind in ("ACS", "successive-difference"):
        scale, rscales = 4.0 / n_reps, None
    elif kind == "JK2":
        scale, rscales = 1.0, None
    elif kind == "JK1" and scale is None:
        if design.combined_weights:
            scale = (n_reps - 1) / n_reps
            guess = f"(R - 1) / R = {scale!r} (R = {n_reps} replicates)"
        else:
            scale = 1.0 / float(np.max(reps[:, 0]))
            guess = f"1 / max(first replicate) = {scale!r}"
        warnings.warn(
            f"ReplicateDesign(type='JK1') without `scale`: guessed {guess}, as R's svrepdesign "
            "does; pass scale=(n - 1) / n to be sure.",
            InferenceWarning,
            stacklevel=4,
        )
    elif kind == "JKn" and rscales is None:  # not combined (combined was refused)
        with np.errstate(divide="ignore"):
            rscales = 1.0 / np.max(reps, axis=0)
        warnings.warn(
            "ReplicateDesign(type='JKn') without `rscales`: guessed 1 / (largest replicate "
            "factor) for each replicate, as R's svrepdesign does; pass rscales to be sure.",
            InferenceWarning,
            stacklevel=4,
        )
    elif kind == "other" and (scale is None or rscales is None):
        warnings.warn(
            "ReplicateDesign(type='other') without `scale` or `rscales`: the missing ones are "
            "set to 1, as R's svrepdesign does.",
            InferenceWarning,
            stacklevel=4,
        )
    if rscales is None:
        rscales = np.ones(n_reps)
    return (1.0 if scale is None else float(scale)), rscales


def _converted(data: pd.DataFrame, design: ReplicateDesign) -> PreparedReplicates:
    """R's ``as.svrepdesign``: replicate factors by PSU from the Taylor design."""
    assert design.source is not None
    taylor = prepare_design(data, design.source)
    kind = design.type
    if kind == "JK1":
        factors, scale, rscales = _jk1(taylor)
    elif kind == "JKn":
        factors, scale, rscales = _jkn(taylor)
    elif kind in ("BRR", "Fay"):
        factors = _brr(taylor, design)
        if design.source.fpc is not None:
            warnings.warn(
                f"as_replicate_design(type={kind!r}) drops the finite population correction "
                f"of {design.source.fpc!r}, as R's as.svrepdesign does.",
                InferenceWarning,
                stacklevel=4,
            )
        n_reps = factors.shape[1]
        scale, rscales = 1.0 / (n_reps * (1.0 - design.fay_rho) ** 2), np.ones(n_reps)
    else:  # bootstrap
        factors = _bootstrap(taylor, design.n_replicates, design.seed)
        scale, rscales = 1.0 / (design.n_replicates - 1), np.ones(design.n_replicates)
    return PreparedReplicates(
        weights=taylor.weights,
        base=taylor.weights,
        unit=taylor.psu,
        unit_factors=factors,
        scale=scale,
        rscales=rscales,
        mse=design.mse,
        type=kind,
    )


def _jk1(taylor: PreparedDesign) -> tuple[FloatArray, float, FloatArray]:
    n = taylor.n_psu
    if n < 2:
        raise DesignError("A JK1 jackknife needs at least 2 PSUs, but the design has 1.")
    factors = np.full((n, n), n / (n - 1.0))
    np.fill_diagonal(factors, 0.0)
    scale = (1.0 - float(taylor.sampling_fraction[0])) * (n - 1.0) / n
    return factors, scale, np.ones(n)


def _jkn(taylor: PreparedDesign) -> tuple[FloatArray, float, FloatArray]:
    """R's ``jknweights``: delete-one-PSU replicates stratum by stratum."""
    n_psu, n_strata = taylor.n_psu, taylor.n_strata
    columns: list[FloatArray] = []
    rscales: list[float] = []
    policy = taylor.lonely_psu
    for h in range(n_strata):
        members = np.flatnonzero(taylor.psu_stratum == h)
        m = members.size
        keep = 1.0 - float(taylor.sampling_fraction[h])
        if keep == 0.0:  # every PSU of the stratum sampled: no replicate (R's drop.replicates)
            continue
        if m == 1:
            if policy == "fail":
                raise DesignError(
                    f"Stratum {taylor.stratum_label(h)} has a single PSU (lonely PSU), so it "
                    "cannot be jackknifed. Choose SurveyDesign(lonely_psu=...) from 'adjust', "
                    "'average', 'remove' or 'certainty' (R's options(survey.lonely.psu=)), or "
                    "merge strata."
                )
            if policy == "adjust":
                col = np.full(n_psu, n_strata / (n_strata - 1.0))
                col[members] = 0.0
                columns.append(col)
                rscales.append((n_strata - 1.0) / n_strata)
            continue
        for j in members:
            col = np.ones(n_psu)
            col[members] = m / (m - 1.0)
            col[j] = 0.0
            columns.append(col)
            rscales.append(keep * (m - 1.0) / m)
    if not columns:
        raise DesignError(
            "Every stratum was sampled completely (or has a single PSU left out by lonely_psu): "
            "there is no sampling variance to replicate."
        )
    scale = n_psu / len(columns) if policy == "average" and len(columns) < n_psu else 1.0
    return np.column_stack(columns), scale, np.asarray(rscales)


def _r_text(label: object) -> str:
    """A stratum label as R's ``as.character`` writes it (whole numbers without ``.0``)."""
    item = getattr(label, "item", None)
    value = item() if callable(item) else label
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _brr(taylor: PreparedDesign, design: ReplicateDesign) -> FloatArray:
    """R's ``brrweights`` for strata of two PSUs: one replicate per Hadamard column."""
    sizes = taylor.psu_per_stratum
    if np.any(sizes != 2):
        bad = np.flatnonzero(sizes != 2)
        shown = ", ".join(
            f"{taylor.stratum_label(int(h))} ({int(sizes[h])} PSUs)" for h in bad[:10]
        )
        raise DesignError(
            f"BRR needs exactly 2 PSUs in every stratum, but {bad.size} stratum/strata differ: "
            f"{shown}. Use type='JKn' or 'bootstrap', or pair the PSUs into strata of two."
        )
    n_strata = taylor.n_strata
    labels = [_r_text(lab) for lab in taylor.stratum_labels] or ["1"] * n_strata
    position = np.empty(n_strata, dtype=np.intp)
    position[np.argsort(np.array(labels, dtype=object), kind="stable")] = np.arange(n_strata)
    if design.hadamard is not None:
        matrix = np.asarray(design.hadamard, dtype=np.float64)
        if matrix.shape[0] < n_strata + 1:
            raise ArgumentError(
                f"`hadamard` has {matrix.shape[0]} rows, but {n_strata} strata need at least "
                f"{n_strata + 1}."
            )
    else:
        matrix = hadamard(n_strata).astype(np.float64)
    first_row = np.full(taylor.n_psu, taylor.n, dtype=np.intp)
    np.minimum.at(first_row, taylor.psu, np.arange(taylor.n, dtype=np.intp))
    rho = design.fay_rho
    factors = np.empty((taylor.n_psu, matrix.shape[1]))
    for h in range(n_strata):
        members = np.flatnonzero(taylor.psu_stratum == h)
        first, second = members[np.argsort(first_row[members], kind="stable")]
        chooser = matrix[position[h] + 1]  # 1: the first PSU is in the half sample
        factors[first] = rho + (2.0 - 2.0 * rho) * chooser
        factors[second] = 2.0 - rho - (2.0 - 2.0 * rho) * chooser
    return factors


def _bootstrap(taylor: PreparedDesign, n_replicates: int, seed: int | None) -> FloatArray:
    """The ``n_h - 1`` bootstrap of R's ``subbootweights``, drawn with NumPy."""
    rng = np.random.default_rng(seed)
    factors = np.empty((taylor.n_psu, n_replicates))
    for h in range(taylor.n_strata):
        members = np.flatnonzero(taylor.psu_stratum == h)
        m = members.size
        if m < 2:
            raise DesignError(
                f"Stratum {taylor.stratum_label(h)} has a single PSU; the bootstrap needs at "
                "least 2 PSUs in every stratum."
            )
        for r in range(n_replicates):
            draws = rng.integers(0, m, size=m - 1)
            factors[members, r] = np.bincount(draws, minlength=m) * (m / (m - 1.0))
    return factors


def replicate_weights(data: pd.DataFrame, design: ReplicateDesign) -> pd.DataFrame:
    """The replicate (analysis) weights of every row, one column per replicate.

    R's ``weights(design, "analysis")``: with these columns and ``combined_weights=True``, the
    design can be saved with the data and rebuilt as ``ReplicateDesign(type=..., replicates=...,
    scale=..., rscales=...)``.

    Parameters
    ----------
    data : pandas.DataFrame
    design : ReplicateDesign

    Returns
    -------
    pandas.DataFrame
        Columns ``rep001``, ``rep002``, ... on the index of ``data``.
    """
    prepared = prepare_replicates(data, design)
    width = max(3, len(str(prepared.n_replicates)))
    names = [f"rep{r + 1:0{width}d}" for r in range(prepared.n_replicates)]
    return pd.DataFrame(prepared.analysis_weights(), index=data.index, columns=names)


# --------------------------------------------------------------------------- variance and df


def replicate_variance(
    prepared: PreparedReplicates, replicates: FloatArray, estimate: FloatArray
) -> FloatArray:
    """Variance of each estimate from its replicates (R's ``svrVar``).

    Parameters
    ----------
    prepared : PreparedReplicates
    replicates : ndarray, shape (k, R)
        Replicate estimates; a non-finite one is left out (with its ``rscales``), as R's
        ``na.omit``, and an :class:`~gpcollab.errors.InferenceWarning` says how many.
    estimate : ndarray, shape (k,)
        Full-sample estimates (the centre when ``mse`` is True).

    Returns
    -------
    ndarray, shape (k,)
        ``scale * sum_r rscales_r (theta_r - centre)^2``; NaN when no replicate is usable.
    """
    reps = np.asarray(replicates, dtype=np.float64)
    usable = np.isfinite(reps)
    rscales = np.broadcast_to(prepared.rscales, reps.shape)
    if prepared.mse:
        centre = np.asarray(estimate, dtype=np.float64)
    else:
        counted = usable & (rscales > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = np.where(counted, reps, 0.0).sum(axis=1) / counted.sum(axis=1)
    dev = np.where(usable, reps - centre[:, None], 0.0)
    var = prepared.scale * np.sum(dev * dev * rscales, axis=1)
    lost = ~usable.all(axis=1) & np.isfinite(estimate)  # no word on an estimate that is NaN
    if lost.any():
        worst = int((~usable).sum(axis=1).max())
        warnings.warn(
            f"{int(lost.sum())} estimate(s) have replicates that cannot be computed (up to "
            f"{worst} of {reps.shape[1]}, e.g. a domain with no weight in a replicate); they "
            "are left out of the variance, as R does.",
            InferenceWarning,
            stacklevel=4,
        )
        var = np.where(usable.any(axis=1), var, np.nan)
    return np.asarray(var, dtype=np.float64)


#: Columns taken together by :func:`weights_rank`: the rows counted before a block reach it in
#: one matrix product, and only the block's own columns are tested one by one.
_RANK_BLOCK = 64


def weights_rank(gram: FloatArray, tol: float = QR_TOLERANCE, max_rank: int | None = None) -> int:
    """Rank of a matrix from its Gram matrix ``A^T A``, as R's ``qr(A, tol)$rank``.

    Columns are taken in order; a column counts when the part of it not explained by the
    columns counted before has a norm of at least ``tol`` times its own norm (the test of
    LINPACK's ``dqrdc2``, which R's ``qr`` uses; a zero column never counts).

    Parameters
    ----------
    gram : ndarray, shape (k, k)
        ``A^T A`` of the matrix ``A`` whose ``k`` columns are tested.
    tol : float, default=QR_TOLERANCE
        Relative tolerance of the test.
    max_rank : int, optional
        An upper bound of the rank known beforehand (such as the number of rows of ``A``): the
        columns after the one that reaches it are not tested.

    Returns
    -------
    int
        The number of columns that count.

    Notes
    -----
    The test is a Cholesky factorisation of the Gram matrix scaled to unit diagonal that skips
    the columns failing it.  It runs by blocks of columns (left-looking): the rows counted
    before a block update it in one matrix product, a block whose columns all pass is factorised
    by LAPACK at once, and only a block holding a column that fails is tested column by column.
    """
    diag = np.diag(gram).astype(np.float64)
    cols = np.flatnonzero(diag > 0)
    k = int(cols.size)
    limit = k if max_rank is None else min(k, int(max_rank))
    if limit <= 0:
        return 0
    norms = np.sqrt(diag[cols])
    unit = np.asarray(gram, dtype=np.float64)[np.ix_(cols, cols)] / np.outer(norms, norms)
    tol2 = tol * tol
    basis = np.zeros((limit, k))  # row r: coefficients of the r-th counted column, by column
    counted = 0
    for j0 in range(0, k, _RANK_BLOCK):
        j1 = min(k, j0 + _RANK_BLOCK)
        before = basis[:counted, j0:j1]
        reduced = unit[j0:j1, j0:j1] - before.T @ before
        pivots, local = _block_rows(reduced, tol2, limit - counted)
        found = len(pivots)
        if found:
            if j1 < k and counted + found < limit:
                # the new rows over the columns right of the block: T^T X = rhs, T triangular
                columns = j0 + np.asarray(pivots)
                rhs = unit[columns, j1:] - basis[:counted, columns].T @ basis[:counted, j1:]
                basis[counted : counted + found, j1:] = np.linalg.solve(local[:, pivots].T, rhs)
            basis[counted : counted + found, j0:j1] = local
            counted += found
        if counted == limit:
            break
    return counted


def _block_rows(reduced: FloatArray, tol2: float, room: int) -> tuple[list[int], FloatArray]:
    """The columns of one block that count, and their rows over the block's columns."""
    b = reduced.shape[0]
    if room >= b:
        try:
            lower = np.linalg.cholesky(reduced)
        except np.linalg.LinAlgError:
            pass
        else:
            if bool(np.all(np.diag(lower) ** 2 >= tol2)):
                return list(range(b)), np.ascontiguousarray(lower.T)
    rows = np.zeros((min(b, room), b))
    pivots: list[int] = []
    for j in range(b):
        n_rows = len(pivots)
        coef = rows[:n_rows, j]
        residual = reduced[j, j] - float(coef @ coef)
        if residual < tol2:
            continue
        root = np.sqrt(residual)
        rows[n_rows, j] = root
        rows[n_rows, j + 1 :] = (reduced[j, j + 1 :] - coef @ rows[:n_rows, j + 1 :]) / root
        pivots.append(j)
        if len(pivots) == room:
            break
    return pivots, rows[: len(pivots)]


class _UnitRanks:
    """Ranks of the replicate weights of subsets of units: ``F_S^T diag(m) F_S`` tested as
    :func:`weights_rank` does, for many subsets ``S`` of the units of one design.

    Replicate factors made from a Taylor design are mostly one value per replicate (a jackknife
    replicate changes only the PSUs of its own stratum), so ``F = 1 c^T + E`` with ``E`` sparse,
    and the Gram matrix is ``D + U Sigma U^T``: ``D = E^T diag(m) E`` is block diagonal (the
    replicates of one stratum form a block), ``U = [c, E^T m]`` has two columns and
    ``Sigma = [[sum m, 1], [1, 0]]``.  The test then runs block by block: each block's Schur
    complement is its own part of ``D`` plus ``U_b Sigma U_b^T``, and eliminating the block's
    counted columns only updates the 2 x 2 ``Sigma`` (the complement of a block-diagonal plus
    low-rank matrix keeps that form).  That costs the blocks' sizes cubed instead of ``R^3``.
    Factors without that shape (BRR, the bootstrap, replicate columns given with the data) get
    the Gram matrix by a matrix product and :func:`weights_rank`.
    """

    #: Neighbouring blocks are merged up to this many columns (fewer, larger steps); a block of
    #: ``E^T E`` larger than ``BLOCK_MAX`` (or than half the replicates) makes the dense test
    #: the better one.
    BLOCK_MIN = 64
    BLOCK_MAX = 512

    def __init__(self, factors: FloatArray) -> None:
        self.factors = factors
        self.blocks: list[tuple[int, int, IntArray, FloatArray]] = []
        n_units, n_reps = factors.shape
        if n_units > 4 * n_reps:
            # many more units than replicates (replicate columns given with the data: a unit
            # per row), where each domain's product is cheap
            return
        # any value per replicate makes F = 1 c^T + E exact; the median of a sample of units
        # is the common one (most units) in a jackknife, which leaves E sparse
        common = np.median(factors[:: max(1, n_units // 64)], axis=0)
        deviation = factors - common
        nonzero = deviation != 0
        touched = np.flatnonzero(nonzero.any(axis=1))
        if touched.size == 0:
            return
        first = np.argmax(nonzero[touched], axis=1)
        last = n_reps - 1 - np.argmax(nonzero[touched, ::-1], axis=1)
        # blocks: runs of replicates that no unit links to a replicate outside the run
        reach = np.arange(n_reps)
        np.maximum.at(reach, first, last)
        ends = np.flatnonzero(np.maximum.accumulate(reach) == np.arange(n_reps)) + 1
        if np.max(np.diff(np.r_[0, ends])) > min(self.BLOCK_MAX, n_reps // 2):
            return  # no useful blocks (BRR, the bootstrap): the product is as quick
        cuts = [0]
        for end in ends:
            if end - cuts[-1] >= self.BLOCK_MIN or end == n_reps:
                cuts.append(int(end))
        bounds: IntArray = np.asarray(cuts, dtype=np.intp)
        unit_block = np.searchsorted(bounds, first, side="right") - 1
        order = np.argsort(unit_block, kind="stable")
        splits = np.searchsorted(unit_block[order], np.arange(1, bounds.size - 1))
        for k, units in enumerate(np.split(touched[order], splits)):
            start, stop = int(bounds[k]), int(bounds[k + 1])
            self.blocks.append((start, stop, units, deviation[units, start:stop]))
        self.common = common
        self.deviation = deviation

    @property
    def structured(self) -> bool:
        """Whether the factors have the jackknife's shape (the block-by-block test applies)."""
        return bool(self.blocks)

    def rank(self, units: IntArray, mass: FloatArray, tol: float = QR_TOLERANCE) -> int:
        """The rank R's ``qr(tol)`` finds for the replicate weights of ``units`` (masses
        ``mass``, the sums of their rows' squared base weights)."""
        limit = int(units.size)
        if not self.structured:
            rows = self.factors[units] * np.sqrt(mass)[:, None]
            return weights_rank(rows.T @ rows, tol, max_rank=limit)
        m = np.zeros(self.factors.shape[0])
        m[units] = mass
        c = self.common
        cross = m @ self.deviation
        total = float(m.sum())
        low = np.column_stack([c, cross])
        sigma = np.array([[total, 1.0], [1.0, 0.0]])
        tol2 = tol * tol
        counted = 0
        for start, stop, block_units, part_e in self.blocks:
            # the block of D = E^T diag(m) E, and each column's squared norm (its test's scale)
            weighted = part_e * m[block_units][:, None]
            own = part_e.T @ weighted
            part = low[start:stop]
            norms = (
                np.diag(own) + total * c[start:stop] ** 2 + 2.0 * c[start:stop] * cross[start:stop]
            )
            live = norms > 0  # a zero column never counts and changes nothing
            if not live.any():
                continue
            if not live.all():
                own, part, norms = own[np.ix_(live, live)], part[live], norms[live]
            root = np.sqrt(norms)
            part = part / root[:, None]
            schur = own / np.outer(root, root) + part @ sigma @ part.T
            pivots, rows = _block_rows(schur, tol2, limit - counted)
            if not pivots:
                continue
            # eliminating the counted columns: Sigma -= Sigma U_C^T K_C^-1 U_C Sigma
            solved = np.linalg.solve(rows[:, pivots].T, part[pivots] @ sigma)
            sigma = sigma - solved.T @ solved
            counted += len(pivots)
            if counted == limit:
                break
        return counted


def _cells(
    prepared: PreparedReplicates, code: IntArray, n_groups: int, values: FloatArray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Every (group, unit) pair with rows, in group order: group, unit and sum of ``values``.

    A dense (unit, group) table when it is small (units are PSUs), else only the pairs that
    occur (units are rows, for replicate columns given with the data).
    """
    inside = code >= 0
    n_units = prepared.unit_factors.shape[0]
    if n_units * n_groups <= 4 * prepared.n + 1024:
        table = np.bincount(
            code[inside] * n_units + prepared.unit[inside],
            weights=values[inside],
            minlength=n_groups * n_units,
        )
        seen = np.bincount(
            code[inside] * n_units + prepared.unit[inside], minlength=n_groups * n_units
        )
        keys = np.flatnonzero(seen)
        sums = table[keys]
    else:
        key = code[inside].astype(np.int64) * n_units + prepared.unit[inside]
        keys, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse, weights=values[inside], minlength=keys.size)
    return (
        (keys // n_units).astype(np.intp),
        (keys % n_units).astype(np.intp),
        np.asarray(sums, dtype=np.float64),
    )


def _domain_df(prepared: PreparedReplicates, code: IntArray, n_groups: int) -> IntArray:
    """R's ``degf(subset(design, rows of the group))`` of every group: rank - 1.

    The Gram matrix of a group's replicate weights is ``F_u^T diag(m_u) F_u`` over its units,
    with ``m_u`` the sum of the squared base weights of the unit's rows in the group; its rank
    is at most the number of those units.
    """
    out = np.full(n_groups, -1, dtype=np.intp)
    group, unit, mass = _cells(prepared, code, n_groups, prepared.base * prepared.base)
    bounds = np.searchsorted(group, np.arange(n_groups + 1))
    ranks = _UnitRanks(prepared.unit_factors)
    for g in range(n_groups):
        rows = slice(bounds[g], bounds[g + 1])
        keep = mass[rows] > 0
        if keep.any():
            out[g] = ranks.rank(unit[rows][keep], mass[rows][keep]) - 1
    return out


# --------------------------------------------------------------------------- sums by domain

#: Largest block of (cell, replicate) contributions held at once when the cells are many
#: (replicate columns given with the data, whose units are rows): 4M values, 32 MB.
_CHUNK_VALUES = 1 << 22


def _sums(
    prepared: PreparedReplicates, code: IntArray, n_groups: int, values: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Full-sample and replicate sums of ``values`` by group: shapes (G,) and (G, R).

    The replicate sums are unit-by-group sums of ``base * values`` times the units' factors:
    one product of the (group, unit) table with the factors when the table is small (units are
    PSUs), else the cells that occur, a bounded block at a time.
    """
    inside = code >= 0
    full = np.bincount(
        code[inside], weights=prepared.weights[inside] * values[inside], minlength=n_groups
    )
    factors = prepared.unit_factors
    n_units = factors.shape[0]
    if n_units * n_groups <= 4 * prepared.n + 1024:
        table = np.bincount(
            code[inside] * n_units + prepared.unit[inside],
            weights=prepared.base[inside] * values[inside],
            minlength=n_groups * n_units,
        ).reshape(n_groups, n_units)
        return np.asarray(full, dtype=np.float64), np.asarray(table @ factors, dtype=np.float64)
    group, unit, sums = _cells(prepared, code, n_groups, prepared.base * values)
    reps = np.zeros((n_groups, prepared.n_replicates))
    step = max(1, _CHUNK_VALUES // max(1, prepared.n_replicates))
    for start in range(0, group.size, step):
        g = group[start : start + step]
        firsts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        contributions = factors[unit[start : start + step]] * sums[start : start + step, None]
        reps[g[firsts]] += np.add.reduceat(contributions, firsts, axis=0)
    return np.asarray(full, dtype=np.float64), reps


def _ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(num / den, dtype=np.float64)


def _domain_sums(prepared: PreparedReplicates, dom: Domains) -> DomainSums:
    inside = dom.code >= 0
    c, w = dom.code[inside], prepared.weights[inside]
    d = dom.count
    return DomainSums(
        n=np.bincount(c, minlength=d).astype(np.intp),
        n_pos=np.bincount(c[w != 0], minlength=d).astype(np.intp),
        w=np.asarray(np.bincount(c, weights=w, minlength=d), dtype=np.float64),
        w2=np.asarray(np.bincount(c, weights=w * w, minlength=d), dtype=np.float64),
    )


def _setup(
    data: pd.DataFrame,
    y: str,
    by: str | Sequence[str] | None,
    design: ReplicateDesign,
    na_rm: bool,
    y_missing: NDArray[np.bool_] | None = None,
) -> tuple[PreparedReplicates, Domains]:
    by_cols = check_estimate_args(data, y, by)
    prepared = prepare_replicates(data, design)
    missing = np.asarray(data[y].isna(), dtype=bool) if y_missing is None else y_missing
    dom = code_domains(data, by_cols, missing, na_rm, y)
    if dom.count == 0 or not np.any(dom.code >= 0):
        raise DesignError(
            f"No row has non-missing values in {[y, *by_cols]!r}"
            + (" after na_rm=True left the missing ones out" if na_rm else "")
            + "; there is nothing to estimate."
        )
    return prepared, dom


# --------------------------------------------------------------------------- estimators


def mean_or_total(
    data: pd.DataFrame,
    y: str,
    by: str | Sequence[str] | None,
    design: ReplicateDesign,
    level: float,
    df: float | None,
    na_rm: bool,
    kind: Literal["mean", "total"],
    deff_kind: str = "auto",
) -> pd.DataFrame:
    """:func:`gpcollab.estimate_mean` / ``estimate_total`` on a replicate design."""
    lvl = check_level(level)
    if deff_kind not in DEFF_KINDS:
        raise ArgumentError(
            f"`deff` must be one of {list(DEFF_KINDS)}, but {deff_kind!r} was passed."
        )
    prepared, dom = _setup(data, y, by, design, na_rm)
    inside = dom.code >= 0
    values = numeric_outcome(data, y, inside, bool(inside.all()))
    d = dom.count
    w_full, w_reps = _sums(prepared, dom.code, d, np.ones(prepared.n))
    if kind == "mean":
        # measured from the domain's first value, so that a constant comes out exactly
        first = np.full(d, np.nan)
        present, where = np.unique(dom.code[inside], return_index=True)
        first[present] = values[inside][where]
        shifted = np.where(inside, values - estimate_of(dom, first), 0.0)
        y_full, y_reps = _sums(prepared, dom.code, d, shifted)
        estimate = first + _ratio(y_full, w_full)
        reps = first[:, None] + _ratio(y_reps, w_reps)
        scale2 = np.ones(d)
    else:
        y_full, y_reps = _sums(prepared, dom.code, d, values)
        estimate, reps, scale2 = y_full, y_reps, w_full**2
    var = replicate_variance(prepared, reps, estimate)
    sums = _domain_sums(prepared, dom)
    mean = estimate if kind == "mean" else _ratio(y_full, w_full)
    centred = np.where(inside, values - estimate_of(dom, mean), 0.0)
    sq_full, _ = _sums(prepared, dom.code, d, centred * centred)
    sigma2 = _ratio(sq_full, w_full)
    deff, n_eff = deff_n_eff(var, sigma2, scale2, sums, deff_kind, kind == "mean")
    table = wald_table(
        dom.labels,
        sums,
        estimate,
        var,
        _domain_df(prepared, dom.code, d),
        df,
        lvl,
        n_eff=n_eff,
        deff=deff,
    )
    return blank_domains(table, dom)


def estimate_of(dom: Domains, per_domain: FloatArray) -> FloatArray:
    """Each row's value of a per-domain quantity (0 outside every domain)."""
    return np.where(dom.code >= 0, per_domain[np.maximum(dom.code, 0)], 0.0)


def ratio(
    data: pd.DataFrame,
    numerator: str,
    denominator: str,
    by: str | Sequence[str] | None,
    design: ReplicateDesign,
    level: float,
    df: float | None,
    na_rm: bool,
) -> pd.DataFrame:
    """:func:`gpcollab.estimate_ratio` on a replicate design (R's ``svyratio``)."""
    lvl = check_level(level)
    if not isinstance(denominator, str) or not isinstance(data, pd.DataFrame):
        raise ArgumentError("`denominator` must be a column name and `data` a DataFrame.")
    if denominator not in data.columns:
        raise ArgumentError(
            f"`denominator` names column {denominator!r}, which is not in the data; "
            f"available columns: {list(map(str, data.columns))}."
        )
    if denominator == numerator:
        raise ArgumentError(f"`numerator` and `denominator` are both {numerator!r}.")
    frame = data
    den_missing = np.asarray(data[denominator].isna(), dtype=bool)
    if den_missing.any():
        frame = data.assign(**{numerator: data[numerator].where(~den_missing)})
    prepared, dom = _setup(frame, numerator, by, design, na_rm)
    inside = dom.code >= 0
    all_in = bool(inside.all())
    num = numeric_outcome(frame, numerator, inside, all_in)
    den = numeric_outcome(frame, denominator, inside, all_in)
    d = dom.count
    num_full, num_reps = _sums(prepared, dom.code, d, num)
    den_full, den_reps = _sums(prepared, dom.code, d, den)
    estimate = _ratio(num_full, den_full)
    var = replicate_variance(prepared, _ratio(num_reps, den_reps), estimate)
    table = wald_table(
        dom.labels,
        _domain_sums(prepared, dom),
        estimate,
        var,
        _domain_df(prepared, dom.code, d),
        df,
        lvl,
    )
    return blank_domains(table, dom)


def proportions(
    data: pd.DataFrame,
    y: str,
    by: str | Sequence[str] | None,
    design: ReplicateDesign,
    ci_method: str,
    level: float,
    df: float | None,
    na_rm: bool,
) -> pd.DataFrame:
    """:func:`gpcollab.estimate_proportions` on a replicate design (R's ``svyciprop``).

    ``"logit"`` is the interval of R's intercept-only quasi-binomial model on the replicate
    design: the SE of ``logit(p)`` comes from the replicates' ``logit(p_r)``, not from the delta
    method; the other methods use the replicate SE of ``p`` as they use the linearised one.
    """
    lvl = check_proportion_args(y, design, ci_method, level)
    check_estimate_args(data, y, by)
    y_codes, y_values = factor_codes(data[y])
    prepared, dom = _setup(data, y, by, design, na_rm, y_codes < 0)
    n_levels = len(y_values)
    if n_levels == 0:
        raise DesignError(f"`y` column {y!r} has no non-missing values.")
    d = dom.count
    inside = dom.code >= 0
    cell = np.where(inside, dom.code * n_levels + np.maximum(y_codes, 0), -1).astype(np.intp)
    a_full, a_reps = _sums(prepared, cell, d * n_levels, np.ones(prepared.n))
    # the domains' sums as sums of their levels' sums: a domain whose rows all share one level
    # has that level's sums exactly (the others add exact zeros), so its share is exactly 1
    w_full = a_full.reshape(d, n_levels).sum(axis=1)
    w_reps = a_reps.reshape(d, n_levels, -1).sum(axis=1)
    est = _ratio(a_full, np.repeat(w_full, n_levels))
    p_reps = _ratio(a_reps, np.repeat(w_reps, n_levels, axis=0))
    var = replicate_variance(prepared, p_reps, est)
    se = np.sqrt(np.where(var < 0, 0.0, var))
    sums = _domain_sums(prepared, dom)
    counts = np.bincount(cell[inside], minlength=d * n_levels).astype(np.intp)
    design_dfs = _domain_df(prepared, dom.by_code, d)
    dfs = np.repeat(interval_df(None if ci_method == "beta" else df, design_dfs), n_levels)
    rows = np.bincount(dom.by_code[dom.by_code >= 0], minlength=d).astype(np.intp)
    rep_sums = DomainSums(
        n=np.repeat(sums.n, n_levels),
        n_pos=np.repeat(sums.n_pos, n_levels),
        w=np.repeat(sums.w, n_levels),
        w2=np.repeat(sums.w2, n_levels),
    )
    deff, n_eff = deff_n_eff(se**2, est * (1.0 - est), np.ones(d * n_levels), rep_sums)
    low, high, boundary = proportion_intervals(
        est,
        se,
        dfs,
        np.repeat(design_dfs.astype(np.float64), n_levels),
        np.repeat(rows, n_levels),
        counts,
        kish_n(rep_sums.w, rep_sums.w2),
        rep_sums.n_pos,
        ci_method,
        lvl,
    )
    if ci_method == "logit":
        interior = ~boundary
        with np.errstate(divide="ignore", invalid="ignore"):
            logits = np.log(est) - np.log1p(-est)
            rep_logits = np.log(p_reps) - np.log1p(-p_reps)
        inner = rep_logits[interior]
        # a replicate proportion of exactly 0 or 1 has an infinite logit: the logit's SE is
        # infinite and the interval (0, 1) (R's replicate glm fit stops at a large finite value
        # there, which gives nearly the same interval)
        infinite = np.isinf(inner).any(axis=1)
        var_logit = replicate_variance(
            prepared, np.where(np.isinf(inner), 0.0, inner), logits[interior]
        )
        se_logit = np.where(infinite, np.inf, np.sqrt(var_logit))
        half = t_quantile(lvl, dfs[interior]) * se_logit
        low[interior] = expit(logits[interior] - half)
        high[interior] = expit(logits[interior] + half)
    if np.any(boundary):
        p_table = est.reshape(d, n_levels)
        message = boundary_warning(
            y, p_table, counts.reshape(d, n_levels), sums.n, dom.labels, y_values
        )
        if message is not None:
            warnings.warn(message, BoundaryWarning, stacklevel=3)
    labels = level_labels(dom.labels, y, y_values)
    table = result_table(
        labels,
        {
            "n": rep_sums.n,
            "weighted_n": rep_sums.w,
            "estimate": est,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "df": dfs,
            "n_eff": n_eff,
            "deff": deff,
            "ci_method": ci_method,
            "conf_level": lvl,
            "boundary": boundary,
        },
    )
    return blank_domains(table, dom)


def quantiles(
    data: pd.DataFrame,
    y: str,
    probabilities: float | Sequence[float],
    by: str | Sequence[str] | None,
    design: ReplicateDesign,
    ci_method: str,
    qrule: str,
    level: float,
    df: float | None,
    na_rm: bool,
) -> pd.DataFrame:
    """:func:`gpcollab.estimate_quantile` on a replicate design (R's ``svyquantile``).

    ``ci_method="mean"``: Woodruff's interval, the share at or below the estimate measured with
    the replicates (its Wald interval mapped back through the quantile rule);
    ``"quantile"``: the quantile re-computed with each replicate's weights, its replicate SE
    and ``estimate ± t_df · se``.  R's ``svyquantile`` on a replicate design accepts
    ``interval.type`` ``"beta"``, ``"xlogit"`` and ``"asin"`` but computes the ``"mean"``
    interval for them (it does not pass the type on to ``woodruffCI``), so gpcollab refuses
    them here rather than give an interval R cannot confirm.
    """
    lvl = check_level(level)
    probs = check_probabilities(probabilities)
    allowed = ("mean", "quantile")
    if ci_method not in allowed:
        raise ArgumentError(
            f"`ci_method` must be one of {list(allowed)} for quantiles on a replicate design, "
            f"but {ci_method!r} was passed ('beta', 'xlogit' and 'asin' are Taylor-design "
            "intervals; R's svyquantile computes 'mean' for them on replicate designs)."
        )
    if qrule not in QRULES:
        raise ArgumentError(f"`qrule` must be one of {list(QRULES)}, but {qrule!r} was passed.")
    prepared, dom = _setup(data, y, by, design, na_rm)
    inside = dom.code >= 0
    values = numeric_outcome(data, y, inside, bool(inside.all()))
    if ci_method == "quantile" and prepared.type in ("JK1", "JKn"):
        warnings.warn(
            "Jackknife replicate weights may not give valid standard errors for quantiles "
            "(R's warning for interval.type='quantile').",
            InferenceWarning,
            stacklevel=3,
        )
    d = dom.count
    dfs = interval_df(df, _domain_df(prepared, dom.code, d))
    sums = _domain_sums(prepared, dom)
    parts = []
    for p in probs:
        columns = _quantile_columns(prepared, dom, values, p, ci_method, qrule, lvl, dfs, sums)
        parts.append(result_table(dom.labels, columns))
    out = pd.concat(parts, ignore_index=True)
    if len(probs) > 1 and d > 1:  # domains first, then probabilities
        order = np.argsort(np.tile(np.arange(d), len(probs)), kind="stable")
        out = out.iloc[order].reset_index(drop=True)
    return blank_domains(out, dom)


def _quantile_columns(
    prepared: PreparedReplicates,
    dom: Domains,
    values: FloatArray,
    p: float,
    ci_method: str,
    qrule: str,
    lvl: float,
    dfs: FloatArray,
    sums: DomainSums,
) -> dict[str, Any]:
    d = dom.count
    qhat = np.full(d, np.nan)
    low = np.full(d, np.nan)
    high = np.full(d, np.nan)
    se = np.full(d, np.nan)
    crit = t_quantile(lvl, dfs)
    samples = []
    for g in range(d):
        rows = np.flatnonzero(dom.code == g)
        order = rows[np.argsort(values[rows], kind="stable")]
        xs, ws = values[order], prepared.weights[order]
        positive = ws != 0
        samples.append((xs[positive], ws[positive]))
        qhat[g] = quantile_of_sorted(xs[positive], ws[positive], p, qrule)
        if ci_method == "quantile":
            rep_w = prepared.analysis_weights(order)
            reps = np.array(
                [
                    quantile_of_sorted(xs[rep_w[:, r] != 0], rep_w[rep_w[:, r] != 0, r], p, qrule)
                    for r in range(prepared.n_replicates)
                ]
            )
            se[g] = float(np.sqrt(replicate_variance(prepared, reps[None, :], qhat[g : g + 1])[0]))
    if ci_method == "quantile":
        low, high = qhat - crit * se, qhat + crit * se
    else:
        below = np.where(dom.code >= 0, values <= estimate_of(dom, qhat), False).astype(float)
        w_full, w_reps = _sums(prepared, dom.code, d, np.ones(prepared.n))
        b_full, b_reps = _sums(prepared, dom.code, d, below)
        share = _ratio(b_full, w_full)
        share_se = np.sqrt(replicate_variance(prepared, _ratio(b_reps, w_reps), share))
        p_low, p_high = wald_ci(share, share_se, dfs, lvl)
        for g, (xs, ws) in enumerate(samples):
            if p_low[g] >= 0:
                low[g] = quantile_of_sorted(xs, ws, float(p_low[g]), qrule)
            if p_high[g] <= 1:
                high[g] = quantile_of_sorted(xs, ws, float(p_high[g]), qrule)
        se = (high - low) / (2.0 * crit)
    return {
        "quantile": p,
        "n": sums.n,
        "weighted_n": sums.w,
        "estimate": qhat,
        "se": se,
        "ci_low": low,
        "ci_high": high,
        "df": dfs,
        "ci_method": ci_method,
        "qrule": qrule,
        "conf_level": lvl,
    }
