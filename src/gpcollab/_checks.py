"""Checks of the arguments every layer is given, written once (see docs/architecture.md).

Each check either returns the value (converted where useful) or raises
:class:`~gpcollab.errors.ArgumentError` naming the parameter, what was passed and what is
allowed; data that cannot be used (a missing value, no rows) raise
:class:`~gpcollab.errors.DesignError`. The module is private to the package, its function names
are public to it: the engine (``intervals``, ``estimate``, ``regression``, ``significance``) and
the analysis layer import them from here.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Iterable
from typing import TypeVar

import numpy as np
import pandas as pd

from gpcollab._typing import FloatArray
from gpcollab.errors import ArgumentError, DesignError
from gpcollab.vocab import Aim

_T = TypeVar("_T")

__all__ = [
    "binary_outcome",
    "check_aim",
    "check_aims",
    "check_choice",
    "check_column",
    "check_complete",
    "check_frame",
    "check_level",
    "renamed_argument",
]


def check_level(level: object) -> float:
    """Return a confidence level strictly between 0 and 1 as a float.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    >>> check_level(95)
    Traceback (most recent call last):
    ...
    gpcollab.errors.ArgumentError: `level` must be a number strictly between 0 and 1 (e.g. 0.95), but 95 was passed.
    """  # noqa: E501 - a doctest line is as long as the message
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ArgumentError(
            f"`level` must be a number strictly between 0 and 1 (e.g. 0.95), "
            f"but {level!r} was passed."
        )
    return float(level)


def check_choice(value: object, allowed: Iterable[str], param: str) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise naming the parameter."""
    options = list(allowed)
    if not isinstance(value, str) or value not in options:
        raise ArgumentError(f"`{param}` must be one of {options!r}, but {value!r} was passed.")
    return value


def check_aim(value: object, param: str = "aim") -> str:
    """Return the code of an aim given by its code (``"access"``) or its label.

    Labels are those of :class:`~gpcollab.vocab.Aim` (``"Improving access for patients"``),
    matched ignoring case, repeated spaces and dash or apostrophe variants. Anything else raises
    :class:`~gpcollab.errors.ArgumentError` listing every code with its label, and naming the
    code of the closest aim when one is close.

    Examples
    --------
    >>> check_aim("Improving access for patients"), check_aim("staff")
    ('access', 'staff')
    """
    return _aim_code(value, param, "must be one of")


def _aim_code(value: object, param: str, must: str) -> str:
    if isinstance(value, str):
        try:
            return Aim.parse(value).value
        except ArgumentError:
            pass
    listing = ", ".join(f"{code!r} ({label})" for code, label in Aim.labels().items())
    closest = _closest_aim(value) if isinstance(value, str) else None
    hint = f" Did you mean {closest!r} ({Aim.labels()[closest]})?" if closest else ""
    raise ArgumentError(
        f"`{param}` {must} the aim codes or their labels, but {value!r} was passed.{hint} "
        f"Aims: {listing}."
    )


def _closest_aim(text: str) -> str | None:
    """The aim whose code is a word of ``text``, or whose code or label it resembles most."""
    words = set(re.findall(r"[a-z]+", text.casefold()))
    named = [code for code in Aim.values() if code in words]
    if len(named) == 1:
        return named[0]
    key = text.casefold().strip()
    best, best_ratio = None, 0.6
    for code, label in Aim.labels().items():
        for candidate in (code, label.casefold()):
            ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
            if ratio > best_ratio:
                best, best_ratio = code, ratio
    return best


def check_aims(value: object, param: str = "aims") -> list[str]:
    """Return the codes of one aim or a sequence of aims, each a code or a label.

    See :func:`check_aim`; a sequence of something else than aims raises
    :class:`~gpcollab.errors.ArgumentError`.

    Examples
    --------
    >>> check_aims(["Improving access for patients", "quality"])
    ['access', 'quality']
    """
    if isinstance(value, str):
        return [_aim_code(value, param, "must be among")]
    if not isinstance(value, Iterable):
        raise ArgumentError(
            f"`{param}` takes an aim or a list of aims (codes or labels), but "
            f"{type(value).__name__} {value!r} was passed. Aims: {', '.join(Aim.values())}."
        )
    return [_aim_code(item, param, "must be among") for item in value]


def check_column_names(value: object, owner: str, param: str) -> tuple[str, ...]:
    """A column name or a sequence of them, as a tuple (for the fields of frozen dataclasses).

    Parameters
    ----------
    value : object
        What was passed: one name, or a tuple or list of names.
    owner : str
        The class whose field it is, for the message (``"SurveyDesign"``).
    param : str
        The field's name, for the message.

    Raises
    ------
    ArgumentError
        If ``value`` is not a name nor a tuple or list of names.

    Examples
    --------
    >>> check_column_names("region", "SurveyDesign", "poststrata")
    ('region',)
    """
    columns = (value,) if isinstance(value, str) else value
    if not isinstance(columns, tuple | list) or not all(isinstance(c, str) for c in columns):
        raise ArgumentError(
            f"{owner} `{param}` must be a tuple of column names, but {value!r} was passed."
        )
    return tuple(columns)


def check_frame(data: object, param: str = "data") -> pd.DataFrame:
    """Return ``data`` if it is a DataFrame with at least one row."""
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(
            f"`{param}` must be a pandas DataFrame, but {type(data).__name__} was passed."
        )
    if len(data) == 0:
        raise DesignError(f"`{param}` has no rows.")
    return data


def check_column(data: pd.DataFrame, column: object, param: str) -> str:
    """Return ``column`` if it names a column of ``data``."""
    if not isinstance(column, str) or column not in data.columns:
        shown = ", ".join(repr(c) for c in list(data.columns)[:20])
        raise ArgumentError(
            f"`{param}` must name a column of the data, but {column!r} was passed. "
            f"Available columns: {shown}."
        )
    return column


def check_complete(data: pd.DataFrame, column: str, param: str) -> pd.Series:
    """Return ``data[column]`` if it has no missing value (never dropped silently)."""
    values = data[column]
    missing = values.isna().to_numpy()
    if missing.any():
        rows = list(data.index[missing][:5])
        raise DesignError(
            f"Column {column!r} (`{param}`) has {int(missing.sum())} missing value(s), e.g. at "
            f"rows {rows}. Missing values are never dropped silently: filter the rows or recode "
            "the missing answers first."
        )
    return values


def binary_outcome(
    data: pd.DataFrame, y: str, success: object | None, param: str = "y"
) -> FloatArray:
    """Code column ``y`` as 0/1 floats (1 = success).

    Booleans give True = 1; numeric columns must already hold values in [0, 1]; any column can be
    coded by naming the ``success`` value (for example a category of an answer set).
    """
    values = check_complete(data, check_column(data, y, param), param)
    if success is not None:
        if isinstance(values.dtype, pd.CategoricalDtype):
            known = list(values.cat.categories)
        else:
            known = list(pd.unique(values))
        if success not in known:
            shown = ", ".join(repr(v) for v in known[:20])
            raise ArgumentError(
                f"`success` must be one of the values of column {y!r}: {shown}; but "
                f"{success!r} was passed."
            )
        return np.asarray(values == success, dtype=np.float64)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=np.float64)
    if pd.api.types.is_numeric_dtype(values.dtype):
        out = values.to_numpy(dtype=np.float64)
        if np.any((out < 0) | (out > 1)):
            bad = sorted(set(out[(out < 0) | (out > 1)].tolist()))[:5]
            raise ArgumentError(
                f"Column {y!r} (`{param}`) must hold 0/1 (or proportions in [0, 1]), but it has "
                f"values such as {bad}. Pass `success=` to name the value counted as 1."
            )
        return out
    shown = ", ".join(repr(v) for v in list(pd.unique(values))[:10])
    raise ArgumentError(
        f"Column {y!r} (`{param}`) is not boolean or 0/1; pass `success=` naming the value "
        f"counted as a success (values seen: {shown})."
    )


def renamed_argument(
    function: str, old: str, new: str, old_value: _T | None, new_value: _T | None
) -> _T | None:
    """The value of an argument renamed this release, warning when the old name was used.

    The old name keeps working for one release with a :class:`DeprecationWarning`; passing
    both names is an :class:`~gpcollab.errors.ArgumentError`.
    """
    if old_value is None:
        return new_value
    if new_value is not None:
        raise ArgumentError(
            f"{function}: pass `{new}=` only; `{old}=` is its old name (deprecated)."
        )
    warnings.warn(
        f"{function}: `{old}=` is deprecated and will be removed in 0.3.0; use `{new}=`.",
        DeprecationWarning,
        stacklevel=3,
    )
    return old_value
