"""Writing a :class:`~gpcollab.schema.SurveyData` back as an export :func:`read_survey` reads.

Every file is written atomically through :mod:`gpcollab.safe_write` (never through a symbolic
link), and every text cell of a CSV is neutralised against formula injection (a leading
apostrophe before ``=``, ``+``, ``-``, ``@``, tab or carriage return), which the loader undoes.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from gpcollab.codebook import AimsSpec, Codebook, list_codebooks, load_codebook
from gpcollab.errors import ArgumentError, GpcollabError
from gpcollab.io.source import ENCODINGS, EXTENSIONS, FORMATS, optional_import
from gpcollab.io.table import FileFormat
from gpcollab.safe_write import csv_text, write_bytes, write_text

if TYPE_CHECKING:  # pragma: no cover
    from gpcollab.schema import SurveyData

__all__ = ["write_survey"]

Kind = Literal["text", "number"]


def write_survey(
    survey: SurveyData,
    path: str | os.PathLike[str],
    codebook: str | os.PathLike[str] | Codebook | None = None,
    *,
    format: FileFormat | None = None,
    encoding: str = "utf-8",
    header_rows: Literal[1, 2] = 1,
) -> Path:
    """Write a :class:`SurveyData` as an export that :func:`read_survey` reads back unchanged.

    Parameters
    ----------
    survey : SurveyData
        The response set.
    path : str or path-like
        Where to write. The file is written atomically (a temporary file renamed over it); a
        symbolic link at ``path`` is replaced, never written through.
    codebook : str, path-like or Codebook, optional
        Defaults to the codebook recorded in ``survey.meta.codebook`` (a codebook read from a
        file earlier in the session is found by its name), else to the bundled codebook of the
        survey's instrument and wave (``"gp2017"`` for ``load_survey(2017, "gp")``).
    format : {"csv", "xlsx", "sav"}, optional
        Defaults to the extension of ``path``.
    encoding : str, default="utf-8"
        CSV only: ``"utf-8"``, ``"utf-8-sig"`` (with byte-order mark, which Excel likes),
        ``"cp1252"`` or ``"utf-16"``.
    header_rows : {1, 2}, default=1
        CSV and XLSX: one header row (question wording; ``"<question> - <option>"`` for the
        option columns of multi-select questions) or the two rows of an online-survey export
        (question, then answer option).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ArgumentError
        Unknown format, encoding or ``header_rows``.
    GpcollabError
        The codebook has no column for some of the data, a text cannot be encoded, or the file
        cannot be written.
    LoadError
        The optional package the format needs is missing.

    Notes
    -----
    Answers are written as the first answer text the codebook declares for each value (in
    ``.sav`` files, as codes with the texts as value labels); ticked options as the option text.
    In CSV files a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading apostrophe, so that spreadsheet programs do not run it as a formula
    (OWASP's advice against CSV injection); :func:`read_survey` removes it again.
    """
    cb = load_codebook(codebook if codebook is not None else _meta_codebook(survey))
    target = Path(os.fspath(path))
    kind = format or EXTENSIONS.get(target.suffix.lower())
    if kind not in FORMATS:
        raise ArgumentError(
            f"{target}: cannot tell the format from the extension {target.suffix!r}; pass "
            f"format= one of {', '.join(FORMATS)}."
        )
    if header_rows not in (1, 2):
        raise ArgumentError(f"header_rows must be 1 or 2, got {header_rows!r}")
    if encoding not in ENCODINGS:
        raise ArgumentError(f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    grid = _Grid(survey, cb, codes=(kind == "sav"))
    if kind == "csv":
        write_text(target, _csv(grid, header_rows), encoding)
    elif kind == "xlsx":
        write_bytes(target, _xlsx(grid, target, header_rows))
    else:
        write_bytes(target, _sav(grid, target))
    return target


def _meta_codebook(survey: SurveyData) -> str:
    """The codebook the data were read with, else the bundled one of their wave and instrument."""
    if survey.meta.codebook is not None:
        return survey.meta.codebook
    bundled = f"{survey.meta.instrument}{survey.meta.wave}"
    if bundled in list_codebooks():
        return bundled
    raise ArgumentError(
        "write_survey needs a codebook: the data do not record one and no codebook is bundled "
        f"for {survey.meta.instrument} {survey.meta.wave} (bundled: {list_codebooks()}); pass "
        "codebook=..."
    )


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


class _Grid:
    """The export as columns of Python values, with their headers and SPSS metadata."""

    def __init__(self, survey: SurveyData, cb: Codebook, *, codes: bool) -> None:
        self.survey = survey
        self.codes = codes
        self.kind: Kind = "number" if codes else "text"
        _check_writable(survey, cb)
        self.ids = [str(v) for v in survey.respondents["respondent_id"]]
        self.n = len(self.ids)
        self.questions: list[str] = []  # first header row of a two-header export
        self.options: list[str] = []  # second header row
        self.flat: list[str] = []  # the one header row
        self.vars: list[str] = []
        self.columns: list[list[Any]] = []
        self.kinds: list[Kind] = []
        self.value_labels: dict[str, dict[int, str]] = {}
        self.add(cb.id_column, cb.id_column, "", cb.id_var, list(self.ids))
        self._singles(cb)
        self._multi(cb)
        if cb.aims is not None:
            self._aims(cb.aims)
        self._free_columns(cb)

    def add(
        self,
        flat: str,
        question: str,
        option: str,
        var: str,
        values: list[Any],
        kind: Kind = "text",
    ) -> None:
        self.flat.append(flat)
        self.questions.append(question)
        self.options.append(option)
        self.vars.append(var)
        self.columns.append(values)
        self.kinds.append(kind)

    def _raw(self, name: str) -> list[Any]:
        respondents = self.survey.respondents
        if name in respondents:
            return list(respondents[name].astype(object).tolist())
        return [None] * self.n

    def _singles(self, cb: Codebook) -> None:
        for spec in cb.single:
            raw = self._raw(spec.name)
            if self.codes:
                values: list[Any] = [float(spec.codes[v]) if _present(v) else None for v in raw]
                self.value_labels[spec.var] = {c: spec.text_of(v) for v, c in spec.codes.items()}
            else:
                values = [spec.text_of(str(v)) if _present(v) else None for v in raw]
            self.add(spec.column, spec.column, "Response", spec.var, values, self.kind)

    def _ticks(self, chosen: set[tuple[str, str]], value: str, text: str, var: str) -> list[Any]:
        if self.codes:
            self.value_labels[var] = {1: text, 0: "Not selected"}
            return [1.0 if (rid, value) in chosen else 0.0 for rid in self.ids]
        return [text if (rid, value) in chosen else None for rid in self.ids]

    def _multi(self, cb: Codebook) -> None:
        for m in cb.multi:
            table = self.survey.multi.get(m.name)
            chosen: set[tuple[str, str]] = set()
            if table is not None:
                ids, options = table["respondent_id"].astype(str), table["option"].astype(str)
                chosen = set(zip(ids, options, strict=True))
            for k, option in enumerate(m.options):
                values = self._ticks(chosen, option.value, option.text, option.var)
                question = m.question if k == 0 else ""
                self.add(option.column, question, option.text, option.var, values, self.kind)

    def _aims(self, spec: AimsSpec) -> None:
        set_aims: dict[tuple[str, str], object] = {}
        if self.survey.aims is not None:
            frame = self.survey.aims[["respondent_id", "aim", "outcome"]].astype(object)
            for rid, aim, outcome in frame.itertuples(index=False, name=None):
                set_aims[(str(rid), str(aim))] = outcome
        chosen = set(set_aims)
        for k, option in enumerate(spec.options):
            ticks = self._ticks(chosen, option.value, option.text, option.var)
            question = spec.question if k == 0 else ""
            self.add(option.column, question, option.text, option.var, ticks, self.kind)
        for k, option in enumerate(spec.options):
            out = spec.outcome_columns[option.value]
            raw = [set_aims.get((rid, option.value)) for rid in self.ids]
            if self.codes:
                values: list[Any] = [
                    float(spec.codes[str(v)]) if _present(v) else None for v in raw
                ]
                self.value_labels[out.var] = {c: spec.text_of(v) for v, c in spec.codes.items()}
            else:
                values = [spec.text_of(str(v)) if _present(v) else None for v in raw]
            question = spec.outcome_question if k == 0 else ""
            self.add(out.column, question, option.text, out.var, values, self.kind)

    def _free_columns(self, cb: Codebook) -> None:
        for column in cb.columns:
            raw = self._raw(column.name)
            if column.kind == "number":
                numbers: list[Any] = [float(v) if _present(v) else None for v in raw]
                self.add(column.column, column.column, "Response", column.var, numbers, "number")
            else:
                values = [str(v) if _present(v) else None for v in raw]
                self.add(column.column, column.column, "Open-Ended Response", column.var, values)

    def headers(self, header_rows: int) -> list[list[str]]:
        if header_rows == 1:
            return [self.flat]
        return [self.questions, self.options]

    def rows(self) -> Iterable[list[Any]]:
        for r in range(self.n):
            yield [column[r] for column in self.columns]


def _check_writable(survey: SurveyData, cb: Codebook) -> None:
    extra = [i for i in survey.meta.items if i not in cb.items]
    kept = {"respondent_id", *(s.name for s in cb.single), *(c.name for c in cb.columns)}
    lost = [c for c in survey.respondents.columns if c not in kept]
    if extra or lost:
        raise GpcollabError(
            f"codebook {cb.name} has no column for {', '.join(map(repr, extra + lost))}; "
            "writing would lose those answers. Use a codebook that declares them."
        )


def _format_number(value: object) -> object:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return value


def _csv(grid: _Grid, header_rows: int) -> str:
    rows: list[list[object]] = [list(h) for h in grid.headers(header_rows)]
    rows.extend([_format_number(v) for v in row] for row in grid.rows())
    return csv_text(rows)


def _xlsx(grid: _Grid, target: Path, header_rows: int) -> bytes:
    openpyxl = optional_import("openpyxl", "xlsx", str(target))
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Responses")

    def cell(value: Any) -> Any:
        result = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and value.startswith("="):
            result.data_type = "s"  # text, never a formula
        return result

    try:
        for header in grid.headers(header_rows):
            sheet.append([cell(h) for h in header])
        for row in grid.rows():
            sheet.append([cell(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
    except Exception as exc:  # openpyxl refuses control characters, among others
        raise GpcollabError(f"{target}: cannot write the workbook ({exc}).") from None
    return buffer.getvalue()


def _sav(grid: _Grid, target: Path) -> bytes:
    import pandas as pd  # lazy: only this writer needs a DataFrame

    pyreadstat = optional_import("pyreadstat", "spss", str(target))
    frame = pd.DataFrame(
        {
            var: pd.Series([float("nan") if v is None else v for v in column], dtype="float64")
            if kind == "number"
            else pd.Series(["" if v is None else str(v) for v in column], dtype=object)
            for var, column, kind in zip(grid.vars, grid.columns, grid.kinds, strict=True)
        }
    )
    with tempfile.TemporaryDirectory() as folder:  # pyreadstat writes to a path only
        scratch = os.path.join(folder, "export.sav")
        try:
            pyreadstat.write_sav(
                frame,
                scratch,
                column_labels=list(grid.flat),
                variable_value_labels=grid.value_labels,
            )
            with open(scratch, "rb") as handle:
                return handle.read()
        except Exception as exc:  # pyreadstat.ReadstatError, OSError
            raise GpcollabError(f"{target}: cannot write the SPSS file ({exc}).") from None
