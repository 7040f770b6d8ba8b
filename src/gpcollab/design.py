"""Survey designs and the Taylor-linearisation variance engine.

A :class:`SurveyDesign` names the columns that describe how a sample was drawn (weights,
strata, primary sampling units, finite population correction).  :func:`prepare_design` turns it
into integer-coded arrays once per call (:class:`PreparedDesign`), and every estimator then
reduces to the same two steps:

1. compute influence values ``z`` (one column per estimate) for the point estimate;
2. hand them to :func:`influence_covariance` (dense ``z``) or, for many domains at once, sum them
   by PSU with :func:`psu_sums` / :func:`domain_psu_sums` and call :func:`stratified_variance`.

The conventions are those of R's ``survey`` package for single-stage (ultimate cluster) designs:
with-replacement sampling of PSUs within strata, an optional finite population correction,
``survey.lonely.psu``-style handling of strata with a single PSU, and the raking-aware variance
R computes for designs whose weights were raked (see ``SurveyDesign.calibration``).

Two-stage designs with a second-stage fpc (R's ``svydesign(ids=~psu+ssu, fpc=~fpc1+fpc2)``,
e.g. ``dclus2``; ``SurveyDesign(ssu=, ssu_fpc=)``) add R's second-stage term to the variance
(``svyrecvar``'s ``multistage``): within every PSU, the between-SSU variance of the SSU totals
with the second-stage fpc, times the first-stage sampling fraction.  Without a second-stage fpc
only the first stage is used (R's "ultimate cluster" variance).
"""

from __future__ import annotations

import ctypes
import platform
from dataclasses import dataclass, field, replace
from typing import Literal, NoReturn, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpcollab._checks import check_column_names
from gpcollab._typing import FloatArray, IntArray
from gpcollab.errors import ArgumentError, DesignError
from gpcollab.weighting import CalibrationModel, calibration_matrix

__all__ = [
    "DomainRows",
    "LonelyPSU",
    "PreparedDesign",
    "SurveyDesign",
    "design_df",
    "domain_df",
    "domain_df_from_counts",
    "domain_psu_sums",
    "influence_covariance",
    "prepare_design",
    "psu_sums",
    "stratified_covariance",
    "stratified_variance",
]

LonelyPSU: TypeAlias = Literal["fail", "adjust", "average", "remove", "certainty"]
_LONELY_CHOICES: tuple[str, ...] = ("fail", "adjust", "average", "remove", "certainty")

#: Number of backfitting sweeps R's ``svyrecvar`` applies for raked designs.
RAKING_SWEEPS = 10


@dataclass(frozen=True)
class SurveyDesign:
    """How a sample was drawn, by column name.

    Parameters
    ----------
    weights : str or None, default=None
        Column of sampling (or raked) weights: the number of population units each row stands
        for.  ``None`` gives every row weight 1, or ``N_h / m_h`` when ``fpc`` holds population
        counts.
    strata : str or None, default=None
        Column of stratum labels.  ``None`` means a single stratum.
    psu : str or None, default=None
        Column of primary sampling unit (cluster) labels.  ``None`` makes every row its own PSU.
        With strata, a PSU label that occurs in two strata is an error unless ``nest=True``.
    fpc : str or None, default=None
        Finite population correction, constant within each stratum: either the population
        number of PSUs in the stratum (values > 1), or the sampling fraction (values in
        ``(0, 1]``), as R's ``fpc=`` argument.  ``None`` means sampling with replacement.
    lonely_psu : {"fail", "adjust", "average", "remove", "certainty"}, default="fail"
        What to do with a stratum that has a single PSU in the whole design (R's
        ``options(survey.lonely.psu=)``, survey 4.5): ``"fail"`` raises
        :class:`~gpcollab.errors.DesignError` when an estimate involves that stratum (a domain
        without rows in it is estimated, as in R); ``"adjust"`` measures that PSU's total from
        the average PSU total of the estimate: its total over the sample's number of PSUs in
        the strata the estimate (or domain) meets (survey >= 4.4-1; means do not change,
        totals do); ``"average"`` replaces its contribution by the average contribution of the
        other strata that the estimate (or domain) involves; ``"remove"`` and ``"certainty"``
        let it contribute nothing (the same for a single-stage design).  A single PSU that was
        sampled with certainty (fpc equal to one PSU) contributes zero whatever the policy.
    calibration : tuple of str, default=()
        Raking margins: columns whose margins ``weights`` were raked to (:func:`gpcollab.rake`,
        R's ``rake()``).  The influence values are then projected off the margins before the
        variance is computed, as R does for a raked design (10 backfitting sweeps).  Rows of
        weight zero take no part in the projection; R divides by their zero weight there and
        returns NaN standard errors for such a design (a deliberate difference).
    calibration_weights : tuple of str, default=()
        For raking stopped before convergence (:func:`gpcollab.rake` with ``epsilon``, R's
        ``rake()`` default): one column per ``calibration`` margin holding the weights right
        after that margin's step of the last sweep (``rake(...).attrs["margin_weights"]``).
        R projects the influence values on each margin with those weights (they are the
        weights its ``postStratify`` steps left); ``()`` takes ``weights`` for every margin,
        which is the same once raking has converged.
    poststrata : tuple of str, default=()
        Post-stratification: columns whose cross-classification defines the post-strata that
        ``weights`` were post-stratified to (:func:`gpcollab.poststratify`, R's
        ``postStratify()``, or ``calibrate()`` to the cells of one categorical variable).  Each
        influence value ``z_i`` is replaced by ``z_i - w_i * Z_g / W_g``, with ``Z_g`` and
        ``W_g`` the post-stratum's totals of ``z`` and of the weights, exactly as R (which
        counts a row of weight zero as ``w_i = 1`` in that subtraction).  Cannot be combined
        with ``calibration``.
    greg : CalibrationModel, optional
        Linear (GREG) calibration: the model ``weights`` were calibrated with
        (:func:`gpcollab.calibrate`, R's ``calibrate()``; pass its result's ``attrs["model"]``).
        Each influence value ``z_i`` is replaced by ``w_i`` times the residual of the weighted
        regression of ``z_i / w_i`` on the calibration variables (weights before calibration),
        as R's ``svyrecvar`` does for a calibrated design. Cannot be combined with
        ``calibration`` or ``poststrata``.
    ssu : str or None, default=None
        Column of second-stage unit labels (read within PSUs), for a two-stage design.
    ssu_fpc : str or None, default=None
        Second-stage finite population correction, constant within each PSU: the number of
        SSUs in the PSU's population (or the sampling fraction), R's second column of
        ``fpc=~fpc1+fpc2``.  Needs ``psu``, ``ssu`` and ``fpc``; the variance then has R's
        second-stage term, and without ``weights`` each row weighs ``(N1/n1) (N2/n2)``.  A PSU
        with a single sampled SSU (not all of its SSUs) is lonely at the second stage:
        ``lonely_psu="fail"`` refuses the design, ``"remove"`` / ``"certainty"`` let it add
        nothing (``"adjust"`` and ``"average"`` are not available at the second stage).  Not
        combined with calibration.
    adjust_domain_lonely : bool, default=False
        Treat a stratum that has several PSUs but only one with rows in a domain (a subset,
        a ``by`` domain, the rows ``na_rm`` keeps) as lonely within that domain, as R's
        ``options(survey.adjust.domain.lonely=TRUE)``.  It changes ``lonely_psu="adjust"``
        (that PSU's total is measured from the estimate's average PSU total, and the stratum's
        PSUs without domain rows from it too, rather than from the stratum's mean) and
        ``"average"`` (the stratum's contribution is replaced by the average of the other
        strata the domain meets); the other policies are unaffected, as in R.  Raked and
        post-stratified designs keep every row in a domain, so no stratum becomes lonely there.
    nest : bool, default=False
        PSU labels are numbered within strata (R's ``nest=TRUE``): the same label in two strata
        names two different PSUs.  With ``False`` (R's default) a label found in two strata
        raises :class:`~gpcollab.errors.DesignError` naming it.

    Notes
    -----
    ``SurveyDesign()`` with no arguments is a simple random sample with replacement of
    equally weighted rows: the variance of a mean is then ``s^2 / n`` with
    ``s^2 = sum((y - ybar)^2) / (n - 1)``, i.e. ``p(1 - p) / (n - 1)`` for a proportion.

    Examples
    --------
    >>> design = SurveyDesign(weights="weight", strata="region", psu="ccg")
    >>> design.lonely_psu
    'fail'
    """

    weights: str | None = None
    strata: str | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: LonelyPSU = "fail"
    calibration: tuple[str, ...] = ()
    poststrata: tuple[str, ...] = ()
    nest: bool = False
    greg: CalibrationModel | None = None
    ssu: str | None = None
    ssu_fpc: str | None = None
    adjust_domain_lonely: bool = False
    calibration_weights: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("weights", "strata", "psu", "fpc", "ssu", "ssu_fpc"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ArgumentError(
                    f"SurveyDesign `{name}` must be a column name (str) or None, "
                    f"but {value!r} was passed."
                )
        if self.lonely_psu not in _LONELY_CHOICES:
            raise ArgumentError(
                f"SurveyDesign `lonely_psu` must be one of {list(_LONELY_CHOICES)}, "
                f"but {self.lonely_psu!r} was passed."
            )
        for name in ("calibration", "poststrata", "calibration_weights"):
            columns = check_column_names(getattr(self, name), "SurveyDesign", name)
            object.__setattr__(self, name, columns)
        if self.calibration_weights and len(self.calibration_weights) != len(self.calibration):
            raise ArgumentError(
                "SurveyDesign `calibration_weights` names one column per `calibration` margin; "
                f"got {len(self.calibration_weights)} for {len(self.calibration)}: "
                f"calibration={self.calibration!r}, "
                f"calibration_weights={self.calibration_weights!r}."
            )
        if self.calibration and self.poststrata:
            raise ArgumentError(
                "SurveyDesign takes either raking margins (`calibration`) or post-strata "
                f"(`poststrata`), not both; got calibration={self.calibration!r} and "
                f"poststrata={self.poststrata!r}."
            )
        if self.greg is not None and (
            not isinstance(self.greg, CalibrationModel) or self.calibration or self.poststrata
        ):
            raise ArgumentError(
                "SurveyDesign `greg` takes the CalibrationModel of gpcollab.calibrate() (its "
                "result's attrs['model']), without `calibration` or `poststrata`; got "
                f"greg={self.greg!r}."
            )
        if self.ssu_fpc is not None and (
            self.psu is None
            or self.ssu is None
            or self.fpc is None
            or self.calibration
            or self.poststrata
            or self.greg is not None
        ):
            raise ArgumentError(
                "SurveyDesign `ssu_fpc` (a two-stage design) needs `psu`, `ssu` and the "
                "first-stage `fpc`, and is not combined with calibration; got "
                f"psu={self.psu!r}, ssu={self.ssu!r}, fpc={self.fpc!r}."
            )
        for name in ("nest", "adjust_domain_lonely"):
            if not isinstance(getattr(self, name), bool):
                raise ArgumentError(
                    f"SurveyDesign `{name}` must be True or False, not {getattr(self, name)!r}."
                )


@dataclass(frozen=True)
class PreparedDesign:
    """Integer-coded design arrays for one table of ``n`` rows.

    Attributes
    ----------
    weights : ndarray of float, shape (n,)
        Row weights (non-negative).
    stratum : ndarray of intp, shape (n,)
        Stratum codes ``0..H-1``.
    psu : ndarray of intp, shape (n,)
        PSU codes ``0..P-1``, distinct across strata.
    psu_stratum : ndarray of intp, shape (P,)
        Stratum code of each PSU.
    psu_per_stratum : ndarray of intp, shape (H,)
        Number of PSUs ``m_h`` in each stratum (whole sample).
    sampling_fraction : ndarray of float, shape (H,)
        ``f_h`` of the finite population correction (0 without one).
    lonely_psu : str
        Lonely-PSU policy.
    calibration_codes : tuple of ndarray of intp
        Level codes (shape (n,)) of each raking margin, in the order given.
    calibration_levels : tuple of int
        Number of levels of each raking margin.
    poststratum : ndarray of intp or None
        Post-stratum code of each row (``SurveyDesign.poststrata``), or None.
    n_poststrata : int
        Number of post-strata.
    stratum_labels : tuple
        The stratum label of each code, for messages.
    greg_matrix : ndarray of float, shape (n, q), or None
        Model matrix of a linear calibration (``SurveyDesign.greg``).
    greg_base : ndarray of float, shape (n,), or None
        The weights before that calibration.
    ssu : ndarray of intp, shape (n,), or None
        Second-stage unit codes ``0..S-1`` of a two-stage design (``SurveyDesign.ssu_fpc``).
    ssu_psu : ndarray of intp, shape (S,), or None
        PSU code of each second-stage unit.
    ssu_scale : ndarray of float, shape (P,), or None
        ``f1_h (1 - f2_p) m_p / (m_p - 1)`` of every PSU (0 for one SSU): the factor of its
        second-stage sum of squares.
    """

    weights: FloatArray
    stratum: IntArray
    psu: IntArray
    psu_stratum: IntArray
    psu_per_stratum: IntArray
    sampling_fraction: FloatArray
    lonely_psu: LonelyPSU = "fail"
    adjust_domain_lonely: bool = False
    calibration_codes: tuple[IntArray, ...] = ()
    calibration_levels: tuple[int, ...] = ()
    calibration_ratios: tuple[FloatArray, ...] = ()
    poststratum: IntArray | None = None
    n_poststrata: int = 0
    stratum_labels: tuple[object, ...] = ()
    greg_matrix: FloatArray | None = None
    greg_base: FloatArray | None = None
    ssu: IntArray | None = None
    ssu_psu: IntArray | None = None
    ssu_scale: FloatArray | None = None
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.weights.shape[0])

    @property
    def n_strata(self) -> int:
        """Number of strata ``H``."""
        return int(self.psu_per_stratum.shape[0])

    @property
    def n_psu(self) -> int:
        """Number of PSUs ``P``."""
        return int(self.psu_stratum.shape[0])

    @property
    def df(self) -> int:
        """Design degrees of freedom of the whole sample (PSUs minus strata, nonzero weights)."""
        return design_df(self)

    @property
    def calibrated(self) -> bool:
        """True for raked or post-stratified designs.

        R keeps every row of such a design in a domain (with weight zero outside it), so every
        stratum and PSU takes part in a domain's variance; other designs are cut to the
        domain's rows (see :func:`stratified_variance`).
        """
        return (
            bool(self.calibration_codes)
            or self.poststratum is not None
            or self.greg_matrix is not None
        )

    @property
    def lonely_strata(self) -> NDArray[np.bool_]:
        """Strata with a single PSU that was not sampled with certainty: shape (H,)."""
        lonely: NDArray[np.bool_] = (self.psu_per_stratum == 1) & (
            self.sampling_fraction < 1.0 - _CERTAIN
        )
        return lonely

    def stratum_label(self, code: int) -> str:
        """The label of stratum ``code`` as written in messages."""
        if not self.stratum_labels:
            return "(single stratum)"
        return repr(_plain(self.stratum_labels[code]))


_CERTAIN = 1e-7
"""A stratum whose sampling fraction is within this of 1 was sampled with certainty."""


def _plain(value: object) -> object:
    """NumPy scalars as plain Python values, so messages read ``3``, not ``np.int64(3)``."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _column(data: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in data.columns:
        raise ArgumentError(
            f"SurveyDesign `{role}` names column {name!r}, which is not in the data; "
            f"available columns: {list(map(str, data.columns))}."
        )
    col = data[name]
    if not isinstance(col, pd.Series):  # duplicated column label
        raise ArgumentError(f"SurveyDesign `{role}` column {name!r} appears more than once.")
    missing = np.asarray(col.isna(), dtype=bool)
    if missing.any():
        rows = list(data.index[missing][:5])
        raise DesignError(
            f"SurveyDesign `{role}` column {name!r} has {int(missing.sum())} missing value(s), "
            f"e.g. at rows {rows}; design columns must be complete (drop or impute those rows "
            "first)."
        )
    return col


def _dense_codes(values: NDArray[np.int64]) -> tuple[IntArray, int, NDArray[np.intp]] | None:
    """Codes of non-negative integers in sorted order in O(n), their number and the values
    present; None if the range is large.

    When the values are already ``0..k-1`` with none absent (a column of codes), they are
    their own codes: a read-only view is returned instead of a copy.
    """
    if values.size == 0:
        return None
    lo, hi = int(values.min()), int(values.max())
    if lo < 0 or hi > 4 * values.size + 1024:
        return None
    present = np.bincount(values, minlength=hi + 1) > 0
    if lo == 0 and bool(present.all()):
        codes = values.astype(np.intp, copy=False).view()  # a view: never lock the caller's array
        codes.flags.writeable = False
        return codes, hi + 1, np.arange(hi + 1, dtype=np.intp)
    remap = np.cumsum(present, dtype=np.intp) - 1
    return remap.take(values), int(remap[-1]) + 1, np.flatnonzero(present)


def _codes(col: pd.Series) -> tuple[IntArray, int]:
    """Codes ``0..k-1`` of a column's values, in sorted (or category) order."""
    codes, labels = _codes_and_labels(col)
    return codes, len(labels)


def _codes_and_labels(col: pd.Series) -> tuple[IntArray, pd.Index]:
    """Codes ``0..k-1`` of a column's values and the value of each code (sorted order)."""
    if pd.api.types.is_integer_dtype(col.dtype) and not isinstance(col.dtype, pd.CategoricalDtype):
        values = np.asarray(col, dtype=np.int64)
        dense = _dense_codes(values)
        if dense is not None:
            return dense[0], pd.Index(dense[2])
    return factorize_sorted(col)


_PROBE = 10_000
"""Rows looked at before trusting that an object column repeats a few string objects."""


def _object_addresses(values: NDArray[np.object_]) -> NDArray[np.uintp]:
    """The addresses of the objects an object array holds, as integers (a view, no copy).

    An object array stores one pointer per element; reading them as integers lets the few
    distinct objects of a column be found with an integer hash table.  CPython only.
    """
    n = values.shape[0]
    buffer = (ctypes.c_size_t * n).from_address(values.__array_interface__["data"][0])
    return np.ctypeslib.as_array(buffer).view(np.uintp)


def codes_without_hashing(col: pd.Series) -> bool:
    """Whether :func:`factorize_sorted` will code ``col`` without hashing its rows.

    True for a column that is not text, and for a text column of a few string objects lying
    close together in memory (as ``pandas.read_csv`` makes them), judged from its first rows.
    Such columns are coded by whole-array NumPy steps that release the global interpreter
    lock, so they can be coded beside other work; hashing strings holds the lock.
    """
    if col.dtype != object:
        return True
    values = np.asarray(col)
    n = values.shape[0]
    if n < 4 * _PROBE or not values.flags.c_contiguous:
        return False
    probe = pd.unique(_object_addresses(values)[:_PROBE])
    return len(probe) <= _PROBE // 100 and int(probe.max()) - int(probe.min()) <= min(
        4 * n, _ADDRESS_SPAN
    )


def _factorize_shared_objects(values: NDArray[np.object_]) -> tuple[IntArray, pd.Index] | None:
    """Codes of an object column whose equal values are mostly the same Python object.

    ``pandas.read_csv`` hands out one string object per distinct value (per chunk), so a
    text column of a million rows holds a few dozen objects.  Factorising the object
    addresses (integers) and then only the distinct objects by value is several times faster
    than hashing a million strings, and gives the same codes.  None when the column does not
    look like that (then the caller factorises by value).
    """
    n = values.shape[0]
    if (
        n < 4 * _PROBE
        or not values.flags.c_contiguous
        or platform.python_implementation() != "CPython"
    ):
        return None
    addresses = _object_addresses(values)
    if len(pd.unique(addresses[:_PROBE])) > _PROBE // 100:
        return None
    low = int(addresses.min())
    span = int(addresses.max()) - low
    if span <= min(4 * n, _ADDRESS_SPAN):
        # the objects lie close together (read_csv makes them one after the other): an
        # address's offset from the lowest indexes a table directly, no hashing
        offsets = (addresses - np.uintp(low)).view(np.intp)
        present = np.flatnonzero(np.bincount(offsets, minlength=span + 1))
        if present.size > n // 100:
            return None
        codes, uniques = _factorize_objects(present + low)
        table = np.full(span + 1, -1, dtype=np.intp)
        table[present] = codes
        return table[offsets], uniques  # indexing: quicker than take for a small table
    by_object, distinct = pd.factorize(addresses)
    if len(distinct) > n // 100:
        return None
    codes, uniques = _factorize_objects(distinct)
    return codes.take(by_object), uniques


_ADDRESS_SPAN = 1 << 22
"""Widest range of object addresses looked up in a direct table (32 MB of codes)."""


def _factorize_objects(addresses: NDArray[np.integer]) -> tuple[IntArray, pd.Index]:
    """Sorted factor codes of the objects at ``addresses`` (held by the column being coded,
    so their addresses are valid)."""
    objects = np.empty(len(addresses), dtype=object)
    objects[:] = [ctypes.cast(int(a), ctypes.py_object).value for a in addresses]
    codes, uniques = pd.factorize(objects, sort=True)
    return np.asarray(codes, dtype=np.intp), pd.Index(uniques)


def factorize_sorted(col: pd.Series) -> tuple[IntArray, pd.Index]:
    """``pandas.factorize(col, sort=True)`` (codes ``-1`` for missing), fast for text columns.

    Parameters
    ----------
    col : pandas.Series

    Returns
    -------
    codes : ndarray of intp, shape (n,)
    uniques : pandas.Index
        The distinct values in sorted order.
    """
    if col.dtype == object:
        fast = _factorize_shared_objects(np.asarray(col))
        if fast is not None:
            return fast
    codes, uniques = pd.factorize(col, sort=True)
    return codes.astype(np.intp, copy=False), pd.Index(uniques)


def _numeric(col: pd.Series, name: str, role: str) -> FloatArray:
    try:
        values = np.asarray(col, dtype=np.float64)
    except (TypeError, ValueError):
        raise ArgumentError(
            f"SurveyDesign `{role}` column {name!r} must be numeric, but has dtype {col.dtype}."
        ) from None
    if not np.all(np.isfinite(values)):
        raise DesignError(f"SurveyDesign `{role}` column {name!r} has non-finite values.")
    return values


def _psu_codes(
    data: pd.DataFrame, design: SurveyDesign, stratum: IntArray, labels: pd.Index
) -> tuple[IntArray, IntArray]:
    """PSU codes distinct across strata (ordered by stratum, then label) and the stratum of
    each PSU; repeated labels need ``nest=True``."""
    assert design.psu is not None
    psu_raw, psu_labels = _codes_and_labels(_column(data, design.psu, "psu"))
    n_raw = len(psu_labels)
    psu_key = stratum.astype(np.int64)
    psu_key *= n_raw
    psu_key += psu_raw
    n_keys = len(labels) * n_raw
    if n_keys <= 4 * psu_key.size + 1024:
        keys = np.flatnonzero(np.bincount(psu_key, minlength=n_keys))
        psu = None
    else:
        key_codes, keys = pd.factorize(psu_key, sort=True)
        psu = key_codes.astype(np.intp, copy=False)
        keys = np.asarray(keys)
    n_psu = len(keys)
    if design.strata is not None and not design.nest and n_psu > n_raw:
        _repeated_psu_error(design, keys, n_raw, labels, psu_labels)
    psu_stratum = (keys // n_raw).astype(np.intp)
    if psu is None:
        raw_of_psu = keys % n_raw
        if n_psu == n_raw and bool(np.all(raw_of_psu == np.arange(n_raw))):
            psu = psu_raw  # the labels' order already runs stratum by stratum
        elif n_psu == n_raw:
            rank = np.empty(n_raw, dtype=np.intp)
            rank[raw_of_psu] = np.arange(n_raw, dtype=np.intp)
            psu = rank.take(psu_raw)
        else:
            remap = np.zeros(n_keys, dtype=np.intp)
            remap[keys] = np.arange(n_psu, dtype=np.intp)
            psu = remap.take(psu_key)
    return psu, psu_stratum


def _repeated_psu_error(
    design: SurveyDesign,
    keys: NDArray[np.int64],
    n_raw: int,
    labels: pd.Index,
    psu_labels: pd.Index,
) -> NoReturn:
    """Raise the error for PSU labels that occur in several strata without ``nest=True``."""
    raw_of_psu = keys % n_raw
    counts = np.bincount(raw_of_psu, minlength=n_raw)
    bad = int(np.flatnonzero(counts > 1)[0])
    strata_of_bad = sorted({int(s) for s in (keys[raw_of_psu == bad] // n_raw)})
    shown = ", ".join(repr(_plain(labels[s])) for s in strata_of_bad[:5])
    raise DesignError(
        f"SurveyDesign `psu` column {design.psu!r}: PSU {_plain(psu_labels[bad])!r} occurs "
        f"in {len(strata_of_bad)} strata of {design.strata!r} ({shown}); "
        f"{int(np.count_nonzero(counts > 1))} PSU label(s) repeat across strata. If PSUs "
        "are numbered within strata, pass SurveyDesign(..., nest=True) (R's nest=TRUE); "
        "otherwise fix the labels."
    )


def _sampling_fraction(
    data: pd.DataFrame,
    design: SurveyDesign,
    stratum: IntArray,
    psu_per_stratum: IntArray,
    labels: pd.Index | None,
) -> FloatArray:
    """``f_h`` from the fpc column (population counts or fractions), checked per stratum."""
    n_strata = psu_per_stratum.shape[0]
    if design.fpc is None:
        return np.zeros(n_strata, dtype=np.float64)

    def name(h: int) -> str:
        return f"stratum {_plain(labels[h])!r}" if labels is not None else "the sample"

    fpc = _numeric(_column(data, design.fpc, "fpc"), design.fpc, "fpc")
    lo = np.full(n_strata, np.inf)
    hi = np.full(n_strata, -np.inf)
    np.minimum.at(lo, stratum, fpc)
    np.maximum.at(hi, stratum, fpc)
    if np.any(lo != hi):
        bad = int(np.flatnonzero(lo != hi)[0])
        raise DesignError(
            f"SurveyDesign `fpc` column {design.fpc!r} must be constant within each "
            f"stratum, but {name(bad)} has values from {float(lo[bad])!r} "
            f"to {float(hi[bad])!r}."
        )
    if np.any(lo <= 0):
        bad = int(np.flatnonzero(lo <= 0)[0])
        raise DesignError(
            f"SurveyDesign `fpc` column {design.fpc!r} must be positive (population counts, "
            f"or sampling fractions in (0, 1]), but {name(bad)} has {float(lo[bad])!r}."
        )
    if np.all(lo <= 1):
        return lo.copy()
    if np.any(lo < 1):
        raise DesignError(
            f"SurveyDesign `fpc` column {design.fpc!r} mixes sampling fractions (< 1) and "
            "population counts (> 1); use one or the other (as R: all <= 1 or all >= 1)."
        )
    if np.any(lo < psu_per_stratum):
        bad = int(np.flatnonzero(lo < psu_per_stratum)[0])
        raise DesignError(
            f"SurveyDesign `fpc` column {design.fpc!r}: {name(bad)} has population "
            f"size {float(lo[bad])!r} but {int(psu_per_stratum[bad])} sampled PSUs."
        )
    return np.asarray(psu_per_stratum / lo, dtype=np.float64)


def _second_stage(
    data: pd.DataFrame,
    design: SurveyDesign,
    stratum: IntArray,
    psu: IntArray,
    fraction: FloatArray,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """SSU codes, their PSU, the second-stage factor of every PSU, and ``f2`` of every PSU."""
    assert design.ssu is not None and design.ssu_fpc is not None
    n_psu = int(psu.max()) + 1
    within, _ = _codes(_column(data, design.ssu, "ssu"))
    key = psu.astype(np.int64) * (int(within.max()) + 1) + within
    ssu, n_ssu = _codes(pd.Series(key))
    ssu_psu = np.zeros(n_ssu, dtype=np.intp)
    ssu_psu[ssu] = psu
    per_psu = np.bincount(ssu_psu, minlength=n_psu).astype(np.intp)
    first_row = np.zeros(n_psu, dtype=np.intp)
    first_row[psu[::-1]] = np.arange(len(psu))[::-1]
    assert design.psu is not None
    psu_labels = pd.Index(np.asarray(data[design.psu])[first_row])
    try:
        f2 = _sampling_fraction(data, replace(design, fpc=design.ssu_fpc), psu, per_psu, psu_labels)
    except DesignError as error:
        raise DesignError(
            f"{error} (The second-stage fpc is read within each PSU of {design.psu!r}: "
            "'stratum' here names a PSU.)"
        ) from None
    psu_stratum = np.zeros(n_psu, dtype=np.intp)
    psu_stratum[psu] = stratum
    lonely = (per_psu == 1) & (f2 < 1.0 - _CERTAIN)
    if np.any(lonely) and design.lonely_psu not in ("remove", "certainty"):
        first = int(np.flatnonzero(lonely)[0])
        rows = np.flatnonzero(psu == first)[:3]
        raise DesignError(
            f"{int(lonely.sum())} PSU(s) have a single sampled second-stage unit but more in "
            f"the population (a lonely SSU), e.g. the PSU of row(s) {list(data.index[rows])!r}. "
            "Choose SurveyDesign(lonely_psu='remove') or 'certainty' to let it add nothing at "
            "the second stage, as R does ('adjust' and 'average' are not available there)."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(per_psu > 1, (1.0 - f2) * per_psu / (per_psu - 1), 0.0)
    return ssu, ssu_psu, scale * fraction[psu_stratum], f2


def prepare_design(data: pd.DataFrame, design: SurveyDesign | None) -> PreparedDesign:
    """Encode the design columns of ``data`` as integer arrays.

    Parameters
    ----------
    data : pandas.DataFrame
        The sample, one row per responding unit.
    design : SurveyDesign or None
        The design; ``None`` means a simple random sample (``SurveyDesign()``).

    Returns
    -------
    PreparedDesign
        Codes and weights for the ``len(data)`` rows.

    Raises
    ------
    ArgumentError
        ``design`` or ``data`` is of the wrong type, or a named column is absent.
    DesignError
        A design column is incomplete or not numeric; weights are negative; the fpc is not
        constant within strata or smaller than the number of sampled PSUs (the message names
        the stratum); a PSU label occurs in two strata without ``nest=True``.  A lonely PSU
        under ``lonely_psu="fail"`` is reported when an estimate needs its stratum.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [1.0, 2.0, 3.0, 4.0], "h": [0, 0, 1, 1]})
    >>> prep = prepare_design(df, SurveyDesign(weights="w", strata="h"))
    >>> prep.n_psu, prep.n_strata, prep.df
    (4, 2, 2)
    """
    if design is None:
        design = SurveyDesign()
    if not isinstance(design, SurveyDesign):
        raise ArgumentError(
            f"`design` must be a SurveyDesign or None, but {type(design).__name__} was passed."
            + (
                f" For weights alone pass SurveyDesign(weights={design!r}); only the analyses "
                "(gpcollab.prevalence, ...) take a weight column's name as the design."
                if isinstance(design, str)
                else ""
            )
        )
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"`data` must be a pandas DataFrame, but {type(data).__name__} was passed."
        )
    n = len(data)
    if n == 0:
        raise DesignError("`data` has no rows; a design needs at least one row.")

    labels: pd.Index | None = None
    if design.strata is not None:
        stratum, labels = _codes_and_labels(_column(data, design.strata, "strata"))
        n_strata = len(labels)
    else:
        stratum, n_strata = np.zeros(n, dtype=np.intp), 1

    if design.psu is not None:
        psu, psu_stratum = _psu_codes(
            data, design, stratum, labels if labels is not None else pd.Index([0])
        )
    else:
        order = np.argsort(stratum, kind="stable")
        psu = np.empty(n, dtype=np.intp)
        psu[order] = np.arange(n, dtype=np.intp)
        psu_stratum = stratum[order]
    psu_per_stratum = np.bincount(psu_stratum, minlength=n_strata).astype(np.intp)
    fraction = _sampling_fraction(data, design, stratum, psu_per_stratum, labels)
    stage2 = None if design.ssu_fpc is None else _second_stage(data, design, stratum, psu, fraction)

    if design.weights is not None:
        weights = _numeric(_column(data, design.weights, "weights"), design.weights, "weights")
        if np.any(weights < 0):
            bad = np.flatnonzero(weights < 0)
            raise DesignError(
                f"SurveyDesign `weights` column {design.weights!r} has {bad.size} negative "
                f"value(s), e.g. {float(weights[bad[0]])!r} at row {data.index[bad[0]]!r}; "
                "weights must be >= 0."
            )
    elif design.fpc is not None:
        weights = (1.0 / fraction)[stratum]
        if stage2 is not None:
            weights = weights / stage2[3][psu]
    else:
        weights = np.ones(n, dtype=np.float64)

    cal_codes: list[IntArray] = []
    cal_levels: list[int] = []
    for name in design.calibration:
        codes, k = _codes(_column(data, name, "calibration"))
        cal_codes.append(codes)
        cal_levels.append(k)
    cal_ratios = []
    for name in design.calibration_weights:  # final weight over each margin's step weight
        step = _numeric(_column(data, name, "calibration_weights"), name, "calibration_weights")
        with np.errstate(divide="ignore", invalid="ignore"):
            cal_ratios.append(np.where(step > 0, weights / step, 1.0))
    poststratum: IntArray | None = None
    n_post = 0
    if design.poststrata:
        key = np.zeros(n, dtype=np.int64)
        for name in design.poststrata:
            codes, k = _codes(_column(data, name, "poststrata"))
            key = key * k + codes
        poststratum, n_post = _codes(pd.Series(key))
    greg_matrix = greg_base = None
    if design.greg is not None:
        greg_matrix = calibration_matrix(data, design.greg)
        base = design.greg.weights
        greg_base = (
            np.ones(n) if base is None else _numeric(_column(data, base, "greg"), base, "greg")
        )

    return PreparedDesign(
        weights=weights,
        stratum=stratum,
        psu=psu,
        psu_stratum=psu_stratum,
        psu_per_stratum=psu_per_stratum,
        sampling_fraction=fraction,
        lonely_psu=design.lonely_psu,
        adjust_domain_lonely=design.adjust_domain_lonely,
        calibration_codes=tuple(cal_codes),
        calibration_levels=tuple(cal_levels),
        calibration_ratios=tuple(cal_ratios),
        poststratum=poststratum,
        n_poststrata=n_post,
        stratum_labels=tuple(labels) if labels is not None else (),
        greg_matrix=greg_matrix,
        greg_base=greg_base,
        ssu=None if stage2 is None else stage2[0],
        ssu_psu=None if stage2 is None else stage2[1],
        ssu_scale=None if stage2 is None else stage2[2],
    )


# --------------------------------------------------------------------------- accumulation


def _as_2d(z: FloatArray, n: int) -> FloatArray:
    arr = np.asarray(z, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise ArgumentError(
            f"influence values must have shape (n,) or (n, k) with n = {n}, "
            f"but shape {np.shape(z)} was passed."
        )
    return arr


def _wsum(codes: IntArray, *, weights: FloatArray, minlength: int) -> FloatArray:
    """Weighted ``bincount`` typed as float."""
    return np.asarray(np.bincount(codes, weights=weights, minlength=minlength), dtype=np.float64)


def _group_sums(codes: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    """Column sums of ``values`` (n, k) by row group ``codes`` -> (n_groups, k), no loops."""
    k = values.shape[1]
    if k == 1:
        one = _wsum(codes, weights=values[:, 0], minlength=n_groups)
        return one[:, None]
    flat = (codes[:, None] * k + np.arange(k, dtype=np.intp)).ravel()
    out = _wsum(flat, weights=values.ravel(), minlength=n_groups * k)
    return out.reshape(n_groups, k)


def psu_sums(prepared: PreparedDesign, z: FloatArray) -> FloatArray:
    """Sum influence values within PSUs.

    Parameters
    ----------
    prepared : PreparedDesign
    z : ndarray, shape (n,) or (n, k)

    Returns
    -------
    ndarray, shape (P, k)
        PSU totals ``t_pj = sum_{i in p} z_ij``.
    """
    return _group_sums(prepared.psu, _as_2d(z, prepared.n), prepared.n_psu)


def domain_psu_sums(
    prepared: PreparedDesign,
    values: FloatArray,
    domain: IntArray,
    n_domains: int,
) -> FloatArray:
    """PSU-by-domain totals of a per-row value, for influence values that live in one domain.

    Row ``i`` contributes ``values[i]`` to column ``domain[i]`` only, so the (n, D) matrix of
    influence values is never built: one ``bincount`` over ``psu * D + domain``.

    Parameters
    ----------
    prepared : PreparedDesign
    values : ndarray of float, shape (n,)
    domain : ndarray of intp, shape (n,)
        Domain code of each row, ``0..D-1``; rows with a negative code are outside every domain.
    n_domains : int

    Returns
    -------
    ndarray, shape (P, D)
    """
    keep = domain >= 0
    psu = prepared.psu
    vals = np.asarray(values, dtype=np.float64)
    if not np.all(keep):
        psu, domain, vals = psu[keep], domain[keep], vals[keep]
    flat = psu * n_domains + domain
    out = _wsum(flat, weights=vals, minlength=prepared.n_psu * n_domains)
    return out.reshape(prepared.n_psu, n_domains)


# --------------------------------------------------------------------------- calibration


def _calibration_crosstabs(prepared: PreparedDesign) -> list[list[FloatArray]]:
    key = "crosstabs"
    cached = prepared._cache.get(key)
    if cached is None:
        codes, levels = prepared.calibration_codes, prepared.calibration_levels
        ratios = prepared.calibration_ratios
        tabs: list[list[FloatArray]] = []
        for m, (a, la) in enumerate(zip(codes, levels, strict=True)):
            row = []
            for j, (b, lb) in enumerate(zip(codes, levels, strict=True)):
                # sum over the rows of each cell of r_m / r_j (a count when raking converged)
                weight = ratios[m] / ratios[j] if ratios and m != j else None
                flat = np.bincount(a * lb + b, weights=weight, minlength=la * lb)
                row.append(flat.astype(np.float64).reshape(la, lb))
            tabs.append(row)
        prepared._cache[key] = tabs
        cached = tabs
    return cached  # type: ignore[return-value]


def _calibration_psu_weights(prepared: PreparedDesign) -> list[FloatArray]:
    key = "psu_weights"
    cached = prepared._cache.get(key)
    if cached is None:
        out = []
        for m, (codes, levels) in enumerate(
            zip(prepared.calibration_codes, prepared.calibration_levels, strict=True)
        ):
            flat = prepared.psu * levels + codes
            w = prepared.weights
            if prepared.calibration_ratios:  # the margin's own weights, R's psw
                w = w / prepared.calibration_ratios[m]
            sums = np.bincount(flat, weights=w, minlength=prepared.n_psu * levels)
            out.append(sums.reshape(prepared.n_psu, levels))
        prepared._cache[key] = out
        cached = out
    return cached  # type: ignore[return-value]


def calibration_psu_correction(
    prepared: PreparedDesign, level_sums: list[FloatArray]
) -> FloatArray:
    """PSU totals to subtract for the raking-aware (calibration) variance.

    With ``u_i = z_i / w_i``, R's ``svyrecvar`` repeatedly (10 sweeps, margin by margin)
    subtracts from ``u`` its unweighted mean within each level of each raking margin, and uses
    ``w_i * u_i`` afterwards.  The accumulated subtraction is ``sum_m b_m[level_m(i)]``, so it
    can be carried out on the small level-by-level tables alone: a Gauss–Seidel iteration on the
    coefficients ``b_m`` using the cross-tabulation counts of the margins.  When each margin
    has its own weights ``w_i / r_m(i)`` (``SurveyDesign.calibration_weights``: raking stopped
    before convergence), R averages ``r_m u`` and subtracts ``b_m / r_m``: the same iteration
    with the cross-tabulations summing ``r_m / r_j``, ``level_sums`` holding ``sum r_m u``
    and the PSU totals taken with the margin's weights.

    Parameters
    ----------
    prepared : PreparedDesign
    level_sums : list of ndarray, each (L_m, k)
        ``sum_{i: level_m(i) = l} r_m(i) z_i / w_i`` for each calibration margin ``m``
        (``r_m = 1`` without ``calibration_weights``).

    Returns
    -------
    ndarray, shape (P, k)
        ``sum_{i in p} w_i * sum_m b_m[level_m(i)]``.
    """
    tabs = _calibration_crosstabs(prepared)
    counts = [np.diag(tabs[m][m]) for m in range(len(tabs))]
    k = level_sums[0].shape[1]
    coefs = [np.zeros((len(c), k)) for c in counts]
    for _ in range(RAKING_SWEEPS):
        for m in range(len(coefs)):
            fitted = sum((tabs[m][j] @ coefs[j] for j in range(len(coefs))), start=np.zeros((1, k)))
            with np.errstate(invalid="ignore", divide="ignore"):
                step = (level_sums[m] - fitted) / counts[m][:, None]
            coefs[m] = coefs[m] + np.where(counts[m][:, None] > 0, step, 0.0)
    psu_w = _calibration_psu_weights(prepared)
    return sum((psu_w[m] @ coefs[m] for m in range(len(coefs))), start=np.zeros((1, k)))


def calibration_level_sums(prepared: PreparedDesign, z: FloatArray) -> list[FloatArray]:
    """``sum z/w`` (times each margin's ratio, :func:`calibration_psu_correction`) by level of
    each calibration margin for dense influence values (n, k)."""
    w = prepared.weights
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(w[:, None] > 0, z / w[:, None], 0.0)
    ratios = prepared.calibration_ratios or (None,) * len(prepared.calibration_codes)
    return [
        _group_sums(codes, u if r is None else u * r[:, None], levels)
        for codes, levels, r in zip(
            prepared.calibration_codes, prepared.calibration_levels, ratios, strict=True
        )
    ]


def _poststratum_psu_weights(prepared: PreparedDesign) -> FloatArray:
    cached = prepared._cache.get("post_psu_weights")
    if cached is None:
        assert prepared.poststratum is not None
        levels = prepared.n_poststrata
        flat = prepared.psu * levels + prepared.poststratum
        # as R's postStratify variance: a row of weight zero takes weight 1 here (R sets
        # psw = 1 where the weights before and after are both 0, to avoid 0/0)
        row_weights = np.where(prepared.weights == 0, 1.0, prepared.weights)
        sums = np.bincount(flat, weights=row_weights, minlength=prepared.n_psu * levels)
        weight_sums = np.bincount(prepared.poststratum, weights=prepared.weights, minlength=levels)
        cached = (sums.reshape(prepared.n_psu, levels), weight_sums)
        prepared._cache["post_psu_weights"] = cached
    return cached  # type: ignore[return-value]


def poststratum_psu_correction(prepared: PreparedDesign, level_sums: FloatArray) -> FloatArray:
    """PSU totals to subtract for a post-stratified design (R's ``postStratify()``).

    R replaces each influence value by ``z_i - w_i * Z_g / W_g``, where ``Z_g`` is the
    post-stratum's total of the influence values and ``W_g`` its total weight (the mean of
    ``z / w`` weighted by the weights before post-stratification, which differ from the final
    ones by a factor constant within the post-stratum).

    Parameters
    ----------
    prepared : PreparedDesign
    level_sums : ndarray, shape (G, k)
        ``Z_g`` of every post-stratum and column.

    Returns
    -------
    ndarray, shape (P, k)
        ``sum_{i in p} w_i Z_g(i) / W_g(i)``, where a row of weight zero counts ``w_i = 1``:
        R's ``svyrecvar`` sets the post-stratified weight of such rows to 1 before subtracting
        (to avoid 0/0), so they carry ``-Z_g / W_g`` into their PSU's total.
    """
    psu_weights, weight_sums = _poststratum_psu_weights(prepared)
    with np.errstate(divide="ignore", invalid="ignore"):
        coef = np.where(weight_sums[:, None] > 0, level_sums / weight_sums[:, None], 0.0)
    return np.asarray(psu_weights @ coef, dtype=np.float64)


def greg_sums(prepared: PreparedDesign, z: FloatArray) -> FloatArray:
    """``sum_i x_i z_i / g_i`` (q, k) of dense influence values, for :func:`greg_psu_correction`."""
    assert prepared.greg_matrix is not None and prepared.greg_base is not None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(prepared.weights > 0, prepared.greg_base / prepared.weights, 0.0)
    return np.asarray(prepared.greg_matrix.T @ (z * ratio[:, None]), dtype=np.float64)


def greg_psu_correction(prepared: PreparedDesign, sums: FloatArray) -> FloatArray:
    """PSU totals to subtract for a linearly calibrated (GREG) design (R's ``calibrate()``).

    R replaces ``z`` by ``w * qr.resid(qr(X sqrt(d)), z / (g sqrt(d)))``: ``z_i`` minus
    ``w_i x_i^T B``, with ``B = (X^T D X)^-1 sum_i x_i z_i / g_i`` the coefficients of the
    regression of ``z / w`` on the calibration variables ``X`` weighted by the weights ``d``
    before calibration (``w = g d``).

    Parameters
    ----------
    prepared : PreparedDesign
    sums : ndarray, shape (q, k)
        ``sum_i x_i z_i / g_i`` for every column of influence values (:func:`greg_sums`).

    Returns
    -------
    ndarray, shape (P, k)
        ``sum_{i in p} w_i x_i^T B``.
    """
    cached = prepared._cache.get("greg")
    if cached is None:
        X, d = prepared.greg_matrix, prepared.greg_base
        assert X is not None and d is not None
        gram = (X * d[:, None]).T @ X
        if np.linalg.matrix_rank(gram) < gram.shape[0]:
            raise DesignError(
                "SurveyDesign `greg`: the calibration variables are collinear in the sample (a "
                "constant numeric column, or two factors that split the rows the same way)."
            )
        psu_x = _group_sums(prepared.psu, X * prepared.weights[:, None], prepared.n_psu)
        cached = (psu_x, np.asarray(np.linalg.inv(gram), dtype=np.float64))
        prepared._cache["greg"] = cached
    tables: tuple[FloatArray, FloatArray] = cached  # type: ignore[assignment]
    psu_x, gram_inv = tables
    return np.asarray(psu_x @ (gram_inv @ sums), dtype=np.float64)


# --------------------------------------------------------------------------- variance


@dataclass(frozen=True)
class DomainRows:
    """Which rows each column of influence values belongs to (for the lonely-PSU rules).

    R cuts a domain (``subset()``, ``svyby``, ``na.rm=TRUE``, rows a model drops) out of the
    design: only the strata and PSUs with rows in the domain are visited, while each stratum
    keeps its whole-sample number of PSUs.  That changes nothing for ordinary strata (the PSUs
    of the domain-less rows have zero totals), but it decides whether a lonely stratum is met
    (``"fail"``), how many strata ``"average"`` averages over and the centre ``"adjust"`` uses.
    Raked and post-stratified designs keep every row (R sets the weights outside the domain to
    zero), so there every stratum and PSU takes part.

    Attributes
    ----------
    code : ndarray of intp, shape (n,)
        Group ``0..G-1`` of each row, ``-1`` for rows in no group.
    n_groups : int
    column_group : ndarray of intp, shape (K,), optional
        Group of each column of influence values; ``None`` means column ``k`` is group ``k``.
    """

    code: IntArray
    n_groups: int
    column_group: IntArray | None = None

    @classmethod
    def from_mask(cls, mask: NDArray[np.bool_], n_columns: int) -> DomainRows:
        """Every column belongs to the one domain of the rows in ``mask``."""
        code = np.where(np.asarray(mask, dtype=bool), 0, -1).astype(np.intp)
        return cls(code, 1, np.zeros(n_columns, dtype=np.intp))


def _presence(
    prepared: PreparedDesign, rows: DomainRows | None, n_columns: int
) -> tuple[NDArray[np.bool_], FloatArray]:
    """Strata taking part in each column (H, K), and the number of PSUs those strata have in
    the whole sample (survey 4.5's ``n_PSUs_from_all_strata``, the "adjust" denominator)."""
    n_strata = prepared.n_strata
    if rows is None or prepared.calibrated:
        return np.ones((n_strata, n_columns), dtype=bool), np.full(n_columns, float(prepared.n_psu))
    inside = rows.code >= 0
    code = rows.code[inside]
    g = rows.n_groups
    strata_hit = (
        np.bincount(prepared.stratum[inside] * g + code, minlength=n_strata * g).reshape(
            n_strata, g
        )
        > 0
    )
    psu_count = prepared.psu_per_stratum.astype(np.float64) @ strata_hit
    if rows.column_group is None:
        return strata_hit, psu_count
    return strata_hit[:, rows.column_group], psu_count[rows.column_group]


def _centred_and_scale(
    prepared: PreparedDesign, totals: FloatArray, rows: DomainRows | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """PSU totals centred within strata, the per-PSU scale, and a per-column factor."""
    m = prepared.psu_per_stratum
    h_of_p = prepared.psu_stratum
    k = totals.shape[1]
    strat_sum = _group_sums(h_of_p, totals, prepared.n_strata)
    centred = totals - (strat_sum / np.maximum(m, 1)[:, None])[h_of_p]
    f = prepared.sampling_fraction
    with np.errstate(divide="ignore", invalid="ignore"):
        scale_h = np.where(m > 1, (1.0 - f) * m / (m - 1), 0.0)
    factor = np.ones(k)
    lonely = prepared.lonely_strata
    policy = prepared.lonely_psu
    in_domain = _domain_lonely(prepared, rows, k)  # (H, k) or None
    if policy in ("remove", "certainty") or not (np.any(lonely) or in_domain is not None):
        return centred, scale_h[h_of_p], factor
    present, psu_count = _presence(prepared, rows, k)
    lonely_present = present & lonely[:, None]
    if policy == "fail":
        met = np.flatnonzero(lonely_present.any(axis=1))
        if met.size:
            shown = ", ".join(prepared.stratum_label(int(h)) for h in met[:10])
            raise DesignError(
                f"{met.size} stratum/strata have a single PSU (lonely PSU): {shown}. Choose "
                "SurveyDesign(lonely_psu=...) from 'adjust', 'average', 'remove' or "
                "'certainty' (R's options(survey.lonely.psu=)), or merge those strata."
            )
    elif policy == "adjust":
        # survey >= 4.4-1 (onestage): the lonely PSU is measured from the estimate's total
        # over the sample's PSUs of the strata the domain meets (their whole-sample counts,
        # not only the PSUs the domain visits); for means that centre is 0
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = totals.sum(axis=0) / psu_count
        lonely_p = lonely[h_of_p]
        centred[lonely_p] = (totals[lonely_p] - centre) * lonely_present[h_of_p[lonely_p]]
        scale_h = np.where(lonely, 1.0 - f, scale_h)
        if in_domain is not None:  # every PSU of the stratum, visited or not, from the centre
            moved = in_domain[h_of_p]
            centred = np.where(moved, totals - centre, centred)
    else:  # average
        if in_domain is not None:
            lonely_present = lonely_present | in_domain
            centred = np.where(in_domain[h_of_p], 0.0, centred)
        n_str = present.sum(axis=0).astype(np.float64)
        n_ok = n_str - lonely_present.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(n_ok > 0, n_str / n_ok, np.nan)
    return centred, scale_h[h_of_p], factor


def _domain_lonely(
    prepared: PreparedDesign, rows: DomainRows | None, n_columns: int
) -> NDArray[np.bool_] | None:
    """Strata lonely within each column's domain (``adjust_domain_lonely``): shape (H, k).

    A stratum with several PSUs in the sample of which the domain visits exactly one, as R's
    ``onestrat`` finds it when ``survey.adjust.domain.lonely`` is set.  ``None`` when the rule
    is off, does not apply (whole sample, raked or post-stratified designs, policies other
    than "adjust" and "average") or finds no such stratum.
    """
    if (
        not prepared.adjust_domain_lonely
        or prepared.lonely_psu not in ("adjust", "average")
        or rows is None
        or prepared.calibrated
    ):
        return None
    inside = rows.code >= 0
    g = rows.n_groups
    visited = (
        np.bincount(prepared.psu[inside] * g + rows.code[inside], minlength=prepared.n_psu * g)
        .reshape(prepared.n_psu, g)
        .astype(bool)
    )
    visits = _group_sums(prepared.psu_stratum, visited.astype(np.float64), prepared.n_strata)
    found = (visits == 1) & (prepared.psu_per_stratum > 1)[:, None]
    if rows.column_group is not None:
        found = found[:, rows.column_group]
    return found if bool(found.any()) else None


def ssu_sums(
    prepared: PreparedDesign, values: FloatArray, domain: IntArray, n_domains: int
) -> FloatArray:
    """SSU-by-domain totals (S, D) of a per-row value, as :func:`domain_psu_sums` by PSU."""
    assert prepared.ssu is not None and prepared.ssu_psu is not None
    keep = domain >= 0
    flat = prepared.ssu[keep] * n_domains + domain[keep]
    n_ssu = prepared.ssu_psu.shape[0]
    out = _wsum(
        flat, weights=np.asarray(values, dtype=np.float64)[keep], minlength=n_ssu * n_domains
    )
    return out.reshape(n_ssu, n_domains)


def _second_stage_centred(prepared: PreparedDesign, ssu_totals: FloatArray | None) -> FloatArray:
    """SSU totals centred within their PSU, times the root of the PSU's second-stage factor."""
    if ssu_totals is None:
        raise DesignError(
            "This estimate has no second-stage variance for a two-stage design "
            "(SurveyDesign(ssu_fpc=...)); means, totals, proportions, quantiles, ratios and "
            "models have it. Leave `ssu_fpc` out for the first-stage (ultimate cluster) variance."
        )
    assert prepared.ssu_psu is not None and prepared.ssu_scale is not None
    t = np.asarray(ssu_totals, dtype=np.float64)
    owner = prepared.ssu_psu
    count = np.bincount(owner, minlength=prepared.n_psu).astype(np.float64)
    mean = _group_sums(owner, t, prepared.n_psu) / np.maximum(count, 1.0)[:, None]
    return np.asarray((t - mean[owner]) * np.sqrt(prepared.ssu_scale[owner])[:, None])


def stratified_covariance(
    prepared: PreparedDesign,
    totals: FloatArray,
    rows: DomainRows | None = None,
    ssu_totals: FloatArray | None = None,
) -> FloatArray:
    """Covariance from PSU totals (with-replacement first stage, strata, fpc, lonely PSUs).

    Parameters
    ----------
    prepared : PreparedDesign
    totals : ndarray, shape (P, k)
        PSU totals of the influence values.
    rows : DomainRows, optional
        The domain of each column (lonely-PSU rules); ``None`` is the whole sample.
    ssu_totals : ndarray, shape (S, k), optional
        SSU totals of the same influence values: required for a two-stage design
        (``SurveyDesign(ssu_fpc=...)``), whose second-stage term they give.

    Returns
    -------
    ndarray, shape (k, k)

    Notes
    -----
    ``V = sum_h (1 - f_h) * m_h / (m_h - 1) * sum_{p in h} (t_p - tbar_h)(t_p - tbar_h)^T``,
    where ``m_h`` is the number of PSUs in stratum ``h``, ``tbar_h`` the mean PSU total there
    and ``f_h`` the sampling fraction.  Strata with one PSU follow ``lonely_psu``.
    """
    centred, scale, factor = _centred_and_scale(
        prepared, np.asarray(totals, dtype=np.float64), rows
    )
    cov = (centred * scale[:, None]).T @ centred
    root = np.sqrt(factor)
    cov = cov * np.outer(root, root)
    if prepared.ssu_scale is not None:
        second = _second_stage_centred(prepared, ssu_totals)
        cov = cov + second.T @ second
    return np.asarray(cov, dtype=np.float64)


def stratified_variance(
    prepared: PreparedDesign,
    totals: FloatArray,
    rows: DomainRows | None = None,
    ssu_totals: FloatArray | None = None,
) -> FloatArray:
    """Diagonal of :func:`stratified_covariance` only, in ``O(P k)``: shape (k,)."""
    centred, scale, factor = _centred_and_scale(
        prepared, np.asarray(totals, dtype=np.float64), rows
    )
    var: FloatArray = np.einsum("pk,p,pk->k", centred, scale, centred) * factor
    if prepared.ssu_scale is not None:
        second = _second_stage_centred(prepared, ssu_totals)
        var = var + np.einsum("sk,sk->k", second, second)
    return var


def calibrated_psu_totals(prepared: PreparedDesign, z: FloatArray) -> FloatArray:
    """PSU totals of dense influence values (n, k), corrected for raking or post-strata."""
    totals = _group_sums(prepared.psu, z, prepared.n_psu)
    if prepared.calibration_codes:
        totals = totals - calibration_psu_correction(prepared, calibration_level_sums(prepared, z))
    if prepared.poststratum is not None:
        level_sums = _group_sums(prepared.poststratum, z, prepared.n_poststrata)
        totals = totals - poststratum_psu_correction(prepared, level_sums)
    if prepared.greg_matrix is not None:
        totals = totals - greg_psu_correction(prepared, greg_sums(prepared, z))
    return totals


def influence_covariance(
    prepared: PreparedDesign,
    z: FloatArray,
    mask: NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Taylor-linearised covariance of estimates with influence values ``z``.

    Parameters
    ----------
    prepared : PreparedDesign
    z : ndarray, shape (n,) or (n, k)
        Influence values: estimate ``j`` minus its true value is approximately
        ``sum_i z[i, j]``.  For domain estimates pass the full-sample values (zero outside the
        domain).
    mask : ndarray of bool, shape (n,), optional
        Rows of the domain the estimates belong to (R's subset), for the lonely-PSU rules;
        ``None`` is the whole sample.

    Returns
    -------
    ndarray, shape (k, k)

    Notes
    -----
    The values are summed within PSUs, and :func:`stratified_covariance` is applied.  When the
    design is raked or post-stratified, the PSU totals are first corrected as R does
    (:func:`calibration_psu_correction`, :func:`poststratum_psu_correction`).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 0.0, 1.0, 1.0]})
    >>> prep = prepare_design(df, None)
    >>> z = (df["y"].to_numpy() - 0.75) / 4
    >>> float(influence_covariance(prep, z)[0, 0])  # p(1-p)/(n-1)
    0.0625
    """
    z2 = _as_2d(z, prepared.n)
    rows = None if mask is None else DomainRows.from_mask(mask, z2.shape[1])
    ssu = None
    if prepared.ssu is not None and prepared.ssu_psu is not None:
        ssu = _group_sums(prepared.ssu, z2, prepared.ssu_psu.shape[0])
    return stratified_covariance(prepared, calibrated_psu_totals(prepared, z2), rows, ssu)


# --------------------------------------------------------------------------- degrees of freedom


def design_df(prepared: PreparedDesign, mask: NDArray[np.bool_] | None = None) -> int:
    """Design degrees of freedom: PSUs minus strata among rows in ``mask`` with nonzero weight.

    Parameters
    ----------
    prepared : PreparedDesign
    mask : ndarray of bool, shape (n,), optional
        Rows of a domain; ``None`` means all rows.

    Returns
    -------
    int
        R's ``degf(subset(design, mask))``.
    """
    inset = prepared.weights != 0
    if mask is not None:
        inset = inset & np.asarray(mask, dtype=bool)
    n_psu = int(np.count_nonzero(np.bincount(prepared.psu[inset], minlength=prepared.n_psu)))
    n_str = int(np.count_nonzero(np.bincount(prepared.stratum[inset], minlength=prepared.n_strata)))
    return n_psu - n_str


def domain_df(prepared: PreparedDesign, domain: IntArray, n_domains: int) -> IntArray:
    """:func:`design_df` of every domain at once: shape (D,).

    Parameters
    ----------
    prepared : PreparedDesign
    domain : ndarray of intp, shape (n,)
        Domain codes ``0..D-1`` (negative: in no domain).
    n_domains : int
    """
    inset = (prepared.weights != 0) & (domain >= 0)
    d = domain[inset]
    psu_hit = np.bincount(
        prepared.psu[inset] * n_domains + d, minlength=prepared.n_psu * n_domains
    ).reshape(prepared.n_psu, n_domains)
    str_hit = np.bincount(
        prepared.stratum[inset] * n_domains + d, minlength=prepared.n_strata * n_domains
    ).reshape(prepared.n_strata, n_domains)
    out: IntArray = (np.count_nonzero(psu_hit, axis=0) - np.count_nonzero(str_hit, axis=0)).astype(
        np.intp
    )
    return out


def domain_df_from_counts(prepared: PreparedDesign, counts: NDArray[np.integer]) -> IntArray:
    """Domain degrees of freedom from a (P, D) table of nonzero-weight row counts.

    The same as :func:`domain_df`, for callers that already accumulated rows by PSU and domain.
    """
    hit = np.asarray(counts) > 0
    n_domains = hit.shape[1]
    flat = (prepared.psu_stratum[:, None] * n_domains + np.arange(n_domains)).ravel()
    per_stratum = np.bincount(
        flat, weights=hit.ravel().astype(np.float64), minlength=prepared.n_strata * n_domains
    ).reshape(prepared.n_strata, n_domains)
    out: IntArray = (hit.sum(axis=0) - np.count_nonzero(per_stratum, axis=0)).astype(np.intp)
    return out
