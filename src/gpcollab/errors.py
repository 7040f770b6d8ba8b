"""The library's own exception types.

Every error gpcollab raises on purpose derives from :class:`GpcollabError`, so callers can catch
one class. Errors about input data name the file, row and column, what was found and what is
allowed.
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


class UnreadableFileError(LoadError):
    """A survey file cannot be read at all: missing, not a file, binary content under a text
    extension, a damaged XLSX/SAV, or an encoding that is neither UTF-8 nor cp1252.

    A subclass of :class:`LoadError`; ``gpcollab validate`` exits with status 2 for it (and 1
    for files that can be read but do not fit the codebook).
    """
