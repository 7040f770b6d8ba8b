"""Reading an SPSS ``.sav`` file: variable names, labels, value labels and cases.

A ``.sav`` file declares the encoding of its texts, and some tools declare windows-1252 while
writing UTF-8. Read as declared, such texts turn into mojibake (``Ashford â€“ Kent``). After
reading, every text (labels, value labels, string values) is checked: when re-encoding one as
the declared single-byte encoding yields valid UTF-8 that differs, the file is read again as
UTF-8 and the report says so. ``encoding=`` overrides both the declaration and the check.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from gpcollab.errors import UnreadableFileError
from gpcollab.io.source import Source, optional_import
from gpcollab.io.table import RawTable, cell_text

__all__ = ["looks_like_utf8_read_as_8bit", "read_sav"]

_SINGLE_BYTE = ("windows-1252", "cp1252", "iso-8859-1", "latin1", "iso-8859-15", "ascii")


def looks_like_utf8_read_as_8bit(texts: Iterable[str], encoding: str = "cp1252") -> str | None:
    """The first text that is UTF-8 wrongly decoded as ``encoding`` (mojibake), or None.

    Examples
    --------
    >>> looks_like_utf8_read_as_8bit(["Ashford â€“ Kent"])
    'Ashford â€“ Kent'
    >>> looks_like_utf8_read_as_8bit(["Ashford – Kent", "café"]) is None
    True
    """
    for text in texts:
        if text.isascii():
            continue
        try:
            fixed = text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != text:
            return text
    return None


def read_sav(source: Source, encoding: str | None = None) -> RawTable:
    """Read a ``.sav`` file into a :class:`RawTable` (first row: the variable names)."""
    pyreadstat = optional_import("pyreadstat", "spss", source.name)
    if source.path is not None:
        return _read_path(pyreadstat, source, os.fspath(source.path), encoding)
    with tempfile.TemporaryDirectory() as folder:  # pyreadstat reads paths only
        path = os.path.join(folder, "stdin.sav")
        with open(path, "wb") as handle:
            handle.write(source.data or b"")
        return _read_path(pyreadstat, source, path, encoding)


def _read_path(pyreadstat: Any, source: Source, path: str, encoding: str | None) -> RawTable:
    notes: list[str] = []
    try:
        frame, meta = _read(pyreadstat, path, encoding)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        if encoding is not None:
            raise UnreadableFileError(
                f"{source.name}: not a readable SPSS .sav file with encoding {encoding!r} "
                f"({type(exc).__name__}: {exc})."
            ) from None
        try:  # a declared single-byte encoding may fail on UTF-8 bytes it does not define
            frame, meta = _read(pyreadstat, path, "UTF-8")
        except Exception:
            raise UnreadableFileError(
                f"{source.name}: not a readable SPSS .sav file ({type(exc).__name__}: {exc})."
            ) from None
        notes.append(
            "the file's texts could not be decoded in the encoding it declares; they were read "
            "as UTF-8 (pass encoding= to choose another)"
        )
    declared = str(getattr(meta, "file_encoding", "") or "")
    if encoding is None and not notes and declared.lower() in _SINGLE_BYTE:
        bad = looks_like_utf8_read_as_8bit(_texts(frame, meta), _python_codec(declared))
        if bad is not None:
            frame, meta = _read(pyreadstat, path, "UTF-8")
            notes.append(
                f"the file declares the encoding {declared} but its texts are UTF-8 (read as "
                f"declared, {bad!r} would be garbled); read as UTF-8 (pass encoding= to "
                "override)"
            )
    used = encoding or ("UTF-8" if notes else declared or None)
    names = [str(c) for c in frame.columns]
    table = RawTable(
        "sav",
        iter(()),
        encoding=used,
        labels=[str(label or "") for label in meta.column_labels],
        strict_width=False,
    )
    table.notes.extend(notes)
    value_labels: Mapping[str, Mapping[object, object]] = meta.variable_value_labels or {}
    for index, name in enumerate(names):
        labels = value_labels.get(name)
        if labels:
            table.value_labels[index] = {
                cell_text(code): str(label) for code, label in labels.items()
            }
    table.rows = _rows(names, frame)
    return table


def _rows(names: list[str], frame: Any) -> Any:
    yield 0, 0, list(names)
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        yield number, number, [cell_text(v) for v in values]


def _read(pyreadstat: Any, path: str, encoding: str | None) -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pyreadstat.read_sav(  # type: ignore[no-any-return]
            path, apply_value_formats=False, user_missing=False, encoding=encoding
        )


def _texts(frame: Any, meta: Any) -> Iterable[str]:
    yield from (str(label) for label in meta.column_labels if label)
    for labels in (meta.variable_value_labels or {}).values():
        yield from (str(label) for label in labels.values())
    for column in frame.columns:
        if frame[column].dtype == object:
            yield from (v for v in frame[column].dropna().unique() if isinstance(v, str))


def _python_codec(declared: str) -> str:
    lowered = declared.lower()
    if lowered in ("windows-1252", "cp1252"):
        return "cp1252"
    if lowered == "iso-8859-15":
        return "iso-8859-15"
    return "latin1"
