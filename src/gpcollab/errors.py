"""The library's own exception and warning types: every one of them is defined here.

Every error gpcollab raises derives from :class:`GpcollabError`, so callers can catch one
class; nothing in the package raises a bare built-in exception. How a function was called
(an unknown column or option, a value out of range, an object of the wrong kind) is an
:class:`ArgumentError`; a design or data that cannot be used as given is a
:class:`DesignError`. Where callers or Python's protocols expect a built-in class, the error
inherits from it too (``ArgumentError`` and ``DesignError`` are ``ValueError``s,
``UnknownNameError`` is an ``AttributeError`` and a ``KeyError``). Errors about input data name
the file, row and column, what was found and what is allowed. See ``docs/architecture.md``.
"""

from __future__ import annotations


class GpcollabError(Exception):
    """Base class of every error raised by gpcollab."""


class ArgumentError(GpcollabError, ValueError):
    """A function was called with an argument it cannot use: an unknown column, option or name,
    a value out of range, or an object of the wrong kind.

    A subclass of ``ValueError`` too, so ``except ValueError`` keeps working. Problems with the
    *data* or the *design* (rather than with how a function was called) raise the more specific
    classes below.
    """


class CodebookError(GpcollabError):
    """A codebook file is malformed, or names something the vocabulary does not know."""


class LoadError(GpcollabError):
    """A survey export could not be read, or (with ``strict=True``) some rows were rejected.

    Attributes
    ----------
    report : LoadReport or None
        The load accounting (rows read, accepted, rejected, with every rejection), when the file
        could be read at all.
    """

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class SurveyValidationError(GpcollabError, ValueError):
    """Tables handed to :class:`~gpcollab.schema.SurveyData` break the schema.

    The message lists every problem found (validation is lazy), and ``failures`` holds them as
    a DataFrame with columns ``table, column, check, row, value``.
    """

    def __init__(self, message: str, failures: object | None = None) -> None:
        super().__init__(message)
        self.failures = failures


class DesignError(GpcollabError, ValueError):
    """A survey design, its columns or an estimation request cannot be used as given."""


class ConvergenceError(GpcollabError, RuntimeError):
    """An iterative fit (raking, logistic regression) did not converge."""


class MissingItemError(GpcollabError, KeyError):
    """The survey wave or instrument did not ask the item an analysis needs."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownNameError(GpcollabError, AttributeError, KeyError):
    """A name looked up on the ``gpcollab`` package, or in one of its read-only mappings (such
    as :data:`gpcollab.reconstruction.PARAMETERS`), does not exist.

    A subclass of ``AttributeError`` and ``KeyError`` as well, because Python's protocols
    (``hasattr``, ``getattr(..., default)``, ``Mapping.get``, ``in``) rely on those classes.
    """

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0]) if self.args else ""


class DatasetError(GpcollabError, LookupError):
    """A bundled dataset is unknown, or its metadata or data file is malformed."""


class SurveyLoadError(GpcollabError, LookupError):
    """No bundled set for the wave and instrument asked for."""


class FindingsError(GpcollabError, ValueError):
    """The register, an assumption choice or a computation is malformed or unknown."""


class ReconstructionError(GpcollabError, ValueError):
    """A synthetic set cannot be built: unknown wave or instrument, or an infeasible target."""


class ScenarioSpecError(GpcollabError, ValueError):
    """A ``--scenario`` text cannot be parsed; the message lists what is allowed."""


class BoundaryWarning(UserWarning):
    """An estimated proportion is exactly 0 or 1; its interval is the exact boundary one."""


class InferenceWarning(UserWarning):
    """An estimate is returned but some of its inference is not: for example a model with as
    many coefficients as the design has degrees of freedom, whose p-values and intervals are
    NaN (as in R)."""


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped by its rule before converging (``rake(epsilon=...)`` after
    ``max_iter`` sweeps, as R's ``rake`` warns); the last iterate is returned."""


class MissingValueWarning(UserWarning):
    """An outcome has missing values and ``na_rm`` is False: the estimates of the domains
    holding them are NaN (as R's ``NA``); ``na_rm=True`` leaves those rows out instead."""


class UnreadableFileError(LoadError):
    """A survey file cannot be read at all: missing, not a file, binary content under a text
    extension, a damaged XLSX/SAV, or an encoding that is neither UTF-8 nor cp1252.

    A subclass of :class:`LoadError`; ``gpcollab validate`` exits with status 2 for it (and 1
    for files that can be read but do not fit the codebook).
    """


def describe(value: object, limit: int = 80) -> str:
    """A short description of ``value`` for an error message.

    Tables and arrays are described by their kind and shape (never printed whole); any other
    value is shown by its ``repr``, cut to ``limit`` characters.

    Examples
    --------
    >>> import pandas as pd
    >>> describe(pd.DataFrame({"region": ["a", "b"], "share": [0.5, 0.5]}))
    "a DataFrame (2 rows; columns 'region', 'share')"
    >>> describe([1, 2, 3])
    '[1, 2, 3]'
    """
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if kind == "DataFrame" and shape is not None:
        columns = [repr(c) for c in list(getattr(value, "columns", []))]
        shown = ", ".join(columns[:6]) + (", …" if len(columns) > 6 else "")
        rows = f"{shape[0]} row{'' if shape[0] == 1 else 's'}"
        return f"a DataFrame ({rows}; columns {shown})"
    if shape is not None and kind in ("Series", "ndarray", "Index", "Categorical"):
        name = getattr(value, "name", None)
        named = f" {name!r}" if isinstance(name, str) else ""
        return f"a {kind}{named} of length {shape[0] if shape else 1}"
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
