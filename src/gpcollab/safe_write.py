"""Writing output files safely: atomically, never through a symbolic link, CSV cells defused.

Every file gpcollab writes (exports from :func:`~gpcollab.io.write_survey`, report pages,
tables and figures) goes through this module:

* :func:`write_bytes` / :func:`write_text` write to a temporary file in the target's folder and
  rename it over the target, so a reader never sees half a file and an interrupted write leaves
  the old file intact. The rename replaces a symbolic link at the target path with a regular
  file instead of writing through it, so a link planted in an output folder can never make
  gpcollab overwrite a file elsewhere.
* :func:`output_folder` creates (or checks) an output folder and refuses an empty path and
  folders that are symbolic links inside the output tree.
* :func:`neutralise_cell` defuses CSV formula injection the way OWASP recommends: a text cell
  starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe,
  so spreadsheet programs show it as text instead of running it. Plain numbers (``-3``,
  ``+4.5``) are left alone. :func:`restore_cell` undoes it, and the loader applies it on read,
  so a written file reads back unchanged.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from gpcollab.errors import ArgumentError, GpcollabError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "csv_text",
    "neutralise_cell",
    "output_folder",
    "restore_cell",
    "subfolder",
    "write_bytes",
    "write_csv_frame",
    "write_text",
]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise_cell(text: str) -> str:
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell("-3"), neutralise_cell("Yes - formal")
    ('-3', 'Yes - formal')
    """
    if text.startswith(_TRIGGERS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def restore_cell(text: str) -> str:
    """Undo :func:`neutralise_cell` (only where it would have added the apostrophe).

    Examples
    --------
    >>> restore_cell("'=1+2"), restore_cell("'quoted'")
    ('=1+2', "'quoted'")
    """
    if (
        text.startswith("'")
        and text[1:].startswith(_TRIGGERS)
        and not _PLAIN_NUMBER.match(text[1:])
    ):
        return text[1:]
    return text


def csv_text(rows: Iterable[Sequence[object]], delimiter: str = ",") -> str:
    """Rows as CSV text, every text cell neutralised (``None`` is written as an empty cell)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    for row in rows:
        writer.writerow(
            ["" if v is None else neutralise_cell(v) if isinstance(v, str) else v for v in row]
        )
    return buffer.getvalue()


def write_csv_frame(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a DataFrame as UTF-8 CSV (header, no index), neutralised and atomically."""
    header: list[object] = [str(c) for c in frame.columns]
    rows = [
        [None if _missing(v) else v for v in row]
        for row in frame.itertuples(index=False, name=None)
    ]
    return write_text(path, csv_text([header, *rows]))


def _missing(value: object) -> bool:
    """A missing value of a table (None, NaN, NA, NaT); a text is never missing."""
    import pandas as pd  # lazy: the writers of exports and pages do not need pandas

    if value is None or isinstance(value, str):
        return value is None
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):  # a container in a cell
        return False


def output_folder(path: str | os.PathLike[str]) -> Path:
    """Create (or accept) an output folder; refuse an empty path or a non-folder.

    Raises
    ------
    ArgumentError
        The path is empty, or names something that is not a folder.
    GpcollabError
        The folder cannot be created.
    """
    text = os.fspath(path)
    if not str(text).strip():
        raise ArgumentError(
            "the output folder is empty (''); name a folder, e.g. 'report' ('.' for the current "
            "one)."
        )
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise ArgumentError(f"{folder}: exists and is not a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GpcollabError(
            f"{folder}: cannot create the folder ({exc.strerror or exc})."
        ) from None
    return folder


def subfolder(parent: Path, name: str) -> Path:
    """A folder inside an output folder, which must not be a symbolic link."""
    folder = parent / name
    if folder.is_symlink():
        raise GpcollabError(
            f"{folder}: is a symbolic link; refusing to write through it (files would land "
            "outside the output folder). Remove the link."
        )
    return output_folder(folder)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, then rename); return the path.

    A symbolic link at ``path`` is replaced by the new file; its target is not touched. The
    file is readable by everyone (mode 0644), as files written with ``open`` usually are.
    """
    target = Path(os.fspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise GpcollabError(f"{target}: cannot write the file ({exc.strerror or exc}).") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0o600; outputs are meant to be shared
        os.replace(temporary, target)
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:  # pragma: no cover - already gone
            pass
        raise GpcollabError(f"{target}: cannot write the file ({exc.strerror or exc}).") from None
    return target


def write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` atomically (see :func:`write_bytes`)."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        line = text[: exc.start].count("\n") + 1
        raise GpcollabError(
            f"{os.fspath(path)}: cannot write {bad!r} (line {line}) in {encoding}; use "
            "encoding='utf-8'."
        ) from None
    return write_bytes(path, data)
