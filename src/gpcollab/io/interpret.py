"""From rows of text to :class:`~gpcollab.schema.SurveyData` and a :class:`LoadReport`.

Rows are taken in chunks and read column by column: each distinct text of a column is read
once (an answer, a tick, a number, ...) and the result spread over the rows holding it, so the
cost per row is a few array operations, and memory holds one chunk of text plus the values
kept. Every row read ends up accepted or rejected; a rejected row has one
:class:`~gpcollab.io.accounting.Rejection` per problem, in column order.

A row is rejected only when it cannot be read as a respondent's row: it cannot be split into
fields, has more fields than the header, or its id is blank or repeated. A problem of one cell
(an answer the codebook does not know, a number that is not one, a formula without a value, an
answer off the questionnaire's route) sets that cell missing and is recorded as a
:class:`~gpcollab.io.accounting.MissingCell`; the loader returns the respondent only with
``strict=False``. An answer off route is blanked in questionnaire order, so an answer resting
on a blanked condition is blanked (and listed) too. Answers that disagree with each other (the
region and the CCG) are kept and listed as
:class:`~gpcollab.io.accounting.Inconsistency`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from gpcollab.codebook import Codebook
from gpcollab.errors import LoadError
from gpcollab.io.accounting import (
    Inconsistency,
    LoadReport,
    MissingCell,
    Rejection,
    line_list,
)
from gpcollab.io.cells import Decimal, Problem, Vocab, detect_decimal
from gpcollab.io.csvfile import DELIMITERS
from gpcollab.io.layout import Layout, Slot, find_layout
from gpcollab.io.table import RawRow, RawTable
from gpcollab.io.xlsxfile import column_letters
from gpcollab.routing import REGION_RULE, ROUTES, Violation, record_problems, region_mismatches
from gpcollab.schema import ITEMS, SurveyData, SurveyMeta

__all__ = ["interpret"]

CHUNK_ROWS = 16_384
_HEADER_PEEK = 3
_LISTED_OTHERS = 5


def interpret(
    table: RawTable, cb: Codebook, file: str, strict: bool, decimal: Decimal | None = None
) -> tuple[SurveyData | None, LoadReport]:
    """Check every row; build the data unless ``strict`` and some row failed."""
    return _Interpreter(table, cb, file, decimal).run(strict)


@dataclass
class _Chunk:
    """What one chunk of rows yielded, for the rows that could be split into cells."""

    lines: np.ndarray[Any, Any]
    bad: np.ndarray[Any, Any]
    ids: np.ndarray[Any, Any]
    values: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict)
    ticks: dict[tuple[str, str], np.ndarray[Any, Any]] = field(default_factory=dict)
    outcomes: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict)
    cells: list[tuple[int, int, str, Problem]] = field(default_factory=list)
    """Cells set missing: (index in the chunk, order, column, problem)."""


class _Interpreter:
    def __init__(self, table: RawTable, cb: Codebook, file: str, decimal: Decimal | None) -> None:
        self.table = table
        self.cb = cb
        self.file = file
        self.vocab = Vocab(cb)
        given = decimal or cb.decimal
        self.mark: Decimal | None = "," if given == "," else "." if given == "." else None
        self.mark_note = "" if given is None else "given"
        self.rows_read = 0
        self.blank_rows: list[int] = []
        self.short_rows: list[int] = []
        self.found: list[tuple[int, int, Rejection]] = []  # (row, order, rejection)
        self.rejected: set[int] = set()
        self.cells: list[tuple[int, int, MissingCell]] = []  # (row, order, cell)
        self.inconsistent: list[Inconsistency] = []
        self.chunks: list[_Chunk] = []
        self.ignored_formulas: list[str] = []
        self.layout: Layout

    # -- the whole file ----------------------------------------------------------------------

    def run(self, strict: bool) -> tuple[SurveyData | None, LoadReport]:
        rows = self._header()
        while True:
            chunk = list(itertools.islice(rows, CHUNK_ROWS))
            if not chunk:
                break
            self._chunk(chunk)
        self._duplicates()
        report = self._report()
        if strict and (self.found or self.cells or self.rows_read == 0):
            return None, report
        return self._build(), report

    def _header(self) -> Iterator[RawRow]:
        """Find the header rows; return the rows after them."""
        rows = self.table.rows
        spss = self.table.format == "sav"
        peeked: list[RawRow] = []
        content: list[int] = []  # positions in peeked of non-blank, unbroken rows
        for row in rows:
            peeked.append(row)
            cells = row[2]
            if cells is None:
                if not content:
                    broken = self.table.broken.get(row[0])
                    why = broken[2] if broken else "it cannot be split into fields"
                    raise LoadError(
                        f"{self.file}: the header row (line {row[0]}) is unusable: {why}."
                    )
                break
            if any(c.strip() for c in cells):
                content.append(len(peeked) - 1)
                if len(content) == _HEADER_PEEK or spss:
                    break
        if not content:
            what = "sheet" if self.table.format == "xlsx" else "file"
            raise LoadError(
                f"{self.file}: the {what} is empty (only blank rows); expected a header row."
            )
        header_cells = [peeked[k][2] or [] for k in content]
        self.layout = find_layout(
            header_cells, self.cb, self.file, labels=self.table.labels, spss=spss
        )
        consumed = 1 if spss else self.layout.header_rows
        last_header = content[consumed - 1]
        for first, last, cells in peeked[:last_header]:
            if cells is not None and not any(c.strip() for c in cells):
                self.blank_rows.extend(range(first, last + 1))
        self.width = len(self.layout.display)
        self.readers = _readers(self.layout, self.vocab, self.table)
        return itertools.chain(peeked[last_header + 1 :], rows)

    # -- one chunk ---------------------------------------------------------------------------

    def _chunk(self, rows: list[RawRow]) -> None:
        lines: list[int] = []
        kept: list[list[str]] = []
        for first, last, cells in rows:
            if cells is None:
                self.rows_read += 1
                self._broken(first)
                continue
            if not "".join(cells).strip():
                self.blank_rows.extend(range(first, last + 1))
                continue
            self.rows_read += 1
            fitted = self._fit(first, last, cells)
            if fitted is not None:
                lines.append(first)
                kept.append(fitted)
        if kept:
            self._columns(lines, kept)

    def _broken(self, first: int) -> None:
        position, found, reason = self.table.broken.get(first, (None, "", "unreadable row"))
        column = self._display(position) if position is not None else "(whole row)"
        self._problem(first, position or 0, column, (found, "a closed quote", reason))

    def _display(self, position: int) -> str:
        if position < self.width and self.layout.display[position]:
            return self.layout.display[position]
        return f"{column_letters(position)} (beyond the header)"

    def _fit(self, first: int, last: int, cells: list[str]) -> list[str] | None:
        """The row cut or padded to the header's width, or None when it is rejected."""
        width = self.width
        if len(cells) > width:
            extra = [c for c in cells[width:] if c.strip()]
            if extra:
                self._problem(
                    first,
                    width,
                    self._display(width),
                    (
                        extra[0],
                        f"{width} fields, as in the header",
                        f"row has {len(cells)} fields but the header has {width} (a stray "
                        "delimiter, or a comma in an unquoted answer?)",
                    ),
                )
                return None
            return cells[:width]
        if len(cells) < width:
            if self.table.format == "csv":
                other = self._other_delimiter(cells)
                if other is not None:
                    self._problem(
                        first,
                        len(cells),
                        self._display(len(cells)),
                        (
                            "",
                            f"{width} fields, as in the header",
                            f"truncated row: {len(cells)} of {width} fields, and it holds "
                            f"{other[1]} {other[0]!r} characters: is this row separated by "
                            f"{other[0]!r} instead of {self.table.delimiter!r}?",
                        ),
                    )
                    return None
                self.short_rows.append(first)
            return cells + [""] * (width - len(cells))
        return cells

    def _other_delimiter(self, cells: list[str]) -> tuple[str, int] | None:
        joined = "".join(cells)
        for candidate in DELIMITERS:
            if candidate == self.table.delimiter:
                continue
            count = joined.count(candidate)
            if count >= len(cells) and count + 1 >= max(2, (self.width * 3) // 4):
                return candidate, count
        return None

    def _problem(self, row: int, order: int, column: str, problem: Problem) -> None:
        found, allowed, reason = problem
        self.found.append((row, order, Rejection(self.file, row, column, found, allowed, reason)))
        self.rejected.add(row)

    def _columns(self, lines: list[int], kept: list[list[str]]) -> None:
        columns = list(zip(*kept, strict=True))
        n = len(kept)
        chunk = _Chunk(np.asarray(lines), np.zeros(n, dtype=bool), np.empty(0, dtype=object))
        self._decide_decimal(columns)
        for reader in self.readers:
            reader.read(self, columns[reader.position], chunk)
        self._aims_not_ticked(columns, chunk)
        self._formulas(chunk)
        self._routing(chunk)
        self._consistency(chunk)
        for index, order, column, (found, allowed, reason) in chunk.cells:
            line = int(chunk.lines[index])
            rid = chunk.ids[index]
            self.cells.append(
                (line, order, MissingCell(self.file, line, rid, column, found, allowed, reason))
            )
        chunk.cells.clear()
        self.chunks.append(chunk)

    def _decide_decimal(self, columns: Sequence[tuple[str, ...]]) -> None:
        if self.mark_note:
            return
        numbers = [r.position for r in self.readers if r.kind == "number"]
        if not numbers:
            return
        texts = (t for p in numbers for t in dict.fromkeys(columns[p]) if t.strip())
        mark, example = detect_decimal(texts)
        if mark is not None:
            self.mark = mark
            self.mark_note = f"detected from {example!r}"

    def number_mark(self) -> tuple[Decimal, bool]:
        """The decimal mark to read numbers with, and whether ambiguous values are accepted."""
        if self.mark is not None:
            return self.mark, True
        return ".", self.table.delimiter != ";"

    def record_problems(
        self,
        chunk: _Chunk,
        rows: np.ndarray[Any, Any],
        position: int,
        problems: list[Problem],
        order: int | None = None,
        *,
        cell: bool = True,
    ) -> None:
        """Problems found in one column, at positions ``rows`` of the chunk.

        A cell problem (the default) sets the cell missing, and the value stored for it must
        be missing already; ``cell=False`` rejects the row.
        """
        column = self._display(position)
        rank = position if order is None else order
        for index, problem in zip(rows.tolist(), problems, strict=True):
            chunk.bad[index] = True
            if cell:
                chunk.cells.append((index, rank, column, problem))
            else:
                self._problem(int(chunk.lines[index]), rank, column, problem)

    def _aims_not_ticked(self, columns: Sequence[tuple[str, ...]], chunk: _Chunk) -> None:
        aims = self.cb.aims
        if aims is None:
            return
        for option in aims.options:
            outcome = chunk.outcomes.get(option.value)
            ticked = chunk.ticks.get(("aims", option.value))
            position = self.outcome_positions.get(option.value)
            if outcome is None or ticked is None or position is None:
                continue
            rows = np.flatnonzero(pd.notna(outcome) & ~ticked)
            if len(rows):
                outcome[rows] = None
                problem = (
                    "blank, because the aim is not ticked",
                    f"an achievement is given for the aim {option.text!r}, which is not ticked",
                )
                self.record_problems(
                    chunk,
                    rows,
                    position,
                    [(columns[position][i].strip(), *problem) for i in rows.tolist()],
                    order=self.width + position,
                )

    def _routing(self, chunk: _Chunk) -> None:
        """Answers off the questionnaire's route (:mod:`gpcollab.routing`), set missing.

        A vectorised test flags the rows that may break a rule; the routing module's own
        per-row check then words the problems, so loading and :class:`SurveyData` agree. The
        check is repeated on the row after blanking, so that an answer whose condition was just
        blanked (a reason for keeping the contract, once the willingness is blanked) is blanked
        too; each round blanks at least one answer, so the rounds end.
        """
        flagged = self._off_route_candidates(chunk)
        for index in np.flatnonzero(flagged).tolist():
            order = 2 * self.width
            while True:
                problems = record_problems(self._record(chunk, index), self.cb)
                if not problems:
                    break
                for violation, column, allowed, reason in problems:
                    chunk.cells.append((index, order, column, (violation.found, allowed, reason)))
                    order += 1
                    self._blank(chunk, index, violation)

    @staticmethod
    def _blank(chunk: _Chunk, index: int, violation: Violation) -> None:
        """Set the answer of an off-route violation missing in row ``index`` of the chunk."""
        if violation.table == "respondents":
            chunk.values[violation.item][index] = None
            return
        for (name, value), ticked in chunk.ticks.items():
            if name == violation.item:
                ticked[index] = False
                if name == "aims" and value in chunk.outcomes:
                    chunk.outcomes[value][index] = None

    def _off_route_candidates(self, chunk: _Chunk) -> np.ndarray[Any, Any]:
        items = self.cb.items
        flagged = np.zeros(len(chunk.lines), dtype=bool)
        for item in items:
            route = ROUTES[ITEMS[item].base]
            condition = chunk.values.get(route.item or "")
            if not route.applies(items) or condition is None:
                continue
            admitted = pd.Series(condition, dtype=object).isin(list(route.values)).to_numpy()
            flagged |= self._answered(chunk, item) & ~admitted
        return flagged

    def _consistency(self, chunk: _Chunk) -> None:
        """Regions that are not the region of the CCG given: listed, kept as answered."""
        region, codes = chunk.values.get("region"), chunk.values.get("ccg_code")
        if "region" not in self.cb.items or region is None or codes is None:
            return
        for index, expected in region_mismatches(region, codes):
            self.inconsistent.append(
                Inconsistency(
                    self.file,
                    int(chunk.lines[index]),
                    chunk.ids[index],
                    REGION_RULE,
                    str(region[index]),
                    f"CCG {codes[index]} is in region {expected}",
                )
            )

    def _answered(self, chunk: _Chunk, item: str) -> np.ndarray[Any, Any]:
        """Rows answering ``item`` (a single answer, a ticked option or aim)."""
        if item in chunk.values:
            return np.asarray(pd.notna(chunk.values[item]), dtype=bool)
        answered = np.zeros(len(chunk.lines), dtype=bool)
        for (name, _), ticked in chunk.ticks.items():
            if name == item:
                answered |= ticked
        return answered

    def _record(self, chunk: _Chunk, index: int) -> dict[str, Any]:
        """One row in the routing module's record form."""
        record: dict[str, Any] = {"respondent_id": chunk.ids[index], "_multi": [], "_aims": []}
        for name, values in chunk.values.items():
            record[name] = values[index]
        for reader in self.readers:
            slot = reader.slot
            if slot.kind == "multi" and chunk.ticks[(slot.name, slot.value)][index]:
                record["_multi"].append((slot.name, slot.value))
        if self.cb.aims is not None:
            for option in self.cb.aims.options:
                ticked = chunk.ticks.get(("aims", option.value))
                if ticked is not None and ticked[index]:
                    outcome = chunk.outcomes.get(option.value)
                    record["_aims"].append(
                        (option.value, None if outcome is None else outcome[index])
                    )
        return record

    def _formulas(self, chunk: _Chunk) -> None:
        formulas = self.table.formulas
        if not formulas:
            return
        for index, line in enumerate(chunk.lines.tolist()):
            cells = formulas.get(line)
            if not cells:
                continue
            for position, formula in sorted(cells.items()):
                slot = self.layout.columns.get(position)
                if slot is not None:
                    chunk.bad[index] = True
                    problem: Problem = (
                        formula,
                        "a value saved in the cell",
                        "the cell holds a formula without a saved value (the program that "
                        "wrote the workbook did not compute it); open and save the "
                        "workbook in a spreadsheet program, or type the value",
                    )
                    if slot.kind == "id":
                        self._problem(line, position, self._display(position), problem)
                    else:
                        chunk.cells.append((index, position, self._display(position), problem))
                else:
                    self.ignored_formulas.append(f"{column_letters(position)}{line}")

    # -- after the last chunk ----------------------------------------------------------------

    def _duplicates(self) -> None:
        """Every row sharing a respondent id with another row is rejected."""
        if not self.chunks:
            return
        ids = pd.Series(np.concatenate([c.ids for c in self.chunks]), dtype=object)
        lines = np.concatenate([c.lines for c in self.chunks])
        repeated = ids.notna() & ids.duplicated(keep=False)
        if not repeated.any():
            return
        position = next(i for i, s in self.layout.columns.items() if s.kind == "id")
        column = self.layout.display[position]
        groups = pd.Series(lines[repeated.to_numpy()]).groupby(ids[repeated].to_numpy()).agg(list)
        for rid, rows in groups.items():
            for row in rows:
                others = [r for r in rows if r != row]
                listed = ", ".join(str(r) for r in others[:_LISTED_OTHERS])
                if len(others) > _LISTED_OTHERS:
                    listed += f", ... ({len(rows)} rows in all)"
                self.found.append(
                    (
                        row,
                        self.width * 3,
                        Rejection(
                            self.file,
                            row,
                            column,
                            str(rid),
                            "a respondent id used on one row only",
                            f"duplicate respondent id (also on row(s) {listed})",
                        ),
                    )
                )
                self.rejected.add(row)

    def _report(self) -> LoadReport:
        for line, order, cell in self.cells:  # a rejected row's cell problems are its problems
            if line in self.rejected:
                self.found.append(
                    (
                        line,
                        order,
                        Rejection(
                            cell.file, line, cell.column, cell.found, cell.allowed, cell.reason
                        ),
                    )
                )
        kept = [item for item in self.cells if item[0] not in self.rejected]
        kept.sort(key=lambda item: (item[0], item[1]))
        self.found.sort(key=lambda item: (item[0], item[1]))
        notes = list(self.table.notes) + list(self.layout.notes)
        if self.short_rows:
            notes.append(
                f"{len(self.short_rows)} row(s) have fewer fields than the header (as Excel "
                "writes rows whose last cells are empty); their missing cells were read as "
                f"blank: {line_list(self.short_rows)}"
            )
        if self.ignored_formulas:
            notes.append(
                f"{len(self.ignored_formulas)} cell(s) outside the codebook's columns hold "
                f"formulas without saved values (read as blank): {_listed(self.ignored_formulas)}"
            )
        has_numbers = any(r.kind == "number" for r in self.readers)
        if has_numbers and self.mark is not None and self.mark_note.startswith("detected"):
            notes.append(f"numbers read with the decimal mark {self.mark!r} ({self.mark_note})")
        if self.rows_read == 0:
            notes.append("the file has a header but no data rows")
        rejections = tuple(r for _, _, r in self.found)
        accepted = self.rows_read - len(self.rejected)
        return LoadReport(
            file=self.file,
            codebook=self.cb.name,
            format=self.table.format,
            encoding=self.table.encoding,
            delimiter=self.table.delimiter,
            header_rows=self.layout.header_rows,
            rows_read=self.rows_read,
            rows_accepted=accepted,
            rows_rejected=len(self.rejected),
            rejections=rejections,
            blank_rows=tuple(self.blank_rows),
            ignored_columns=tuple(self.layout.ignored),
            notes=tuple(notes),
            sheet=self.table.sheet,
            decimal=(self.number_mark()[0] if has_numbers else None),
            missing_cells=tuple(cell for _, _, cell in kept),
            inconsistencies=tuple(i for i in self.inconsistent if i.row not in self.rejected),
        )

    def _build(self) -> SurveyData:
        cb = self.cb
        if self.chunks:
            lines = np.concatenate([c.lines for c in self.chunks])
            keep = ~np.isin(lines, np.fromiter(self.rejected, dtype=lines.dtype))
        else:
            keep = np.zeros(0, dtype=bool)

        def gather(parts: list[np.ndarray[Any, Any]], dtype: Any) -> Any:
            if not parts:
                return np.empty(0, dtype=dtype)
            return np.concatenate(parts)[keep]

        chunks = self.chunks
        ids = gather([c.ids for c in chunks], object)
        frame = pd.DataFrame({"respondent_id": pd.Series(ids, dtype=object)})
        for spec in cb.single:
            values = gather([c.values[spec.name] for c in chunks], object)
            frame[spec.name] = pd.Series(values, dtype=object)
        present = {s.name for s in self.layout.columns.values() if s.kind == "column"}
        for column in cb.columns:
            if column.name not in present:
                continue
            values = gather([c.values[column.name] for c in chunks], object)
            series = pd.Series(values, dtype=object)
            if column.kind == "number":
                series = pd.to_numeric(series).astype("float64")
            frame[column.name] = series
        multi = {
            m.name: _long(
                ids,
                [o.value for o in m.options],
                [gather([c.ticks[(m.name, o.value)] for c in chunks], bool) for o in m.options],
                None,
                "option",
            )
            for m in cb.multi
        }
        if cb.aims is not None:
            options = [o.value for o in cb.aims.options]
            aims = _long(
                ids,
                options,
                [gather([c.ticks[("aims", v)] for c in chunks], bool) for v in options],
                [gather([c.outcomes[v] for c in chunks], object) for v in options],
                "aim",
            )
        else:
            aims = pd.DataFrame(
                {k: pd.Series([], dtype=object) for k in ("respondent_id", "aim", "outcome")}
            )
        meta = SurveyMeta(
            wave=cb.wave,
            instrument=cb.instrument,
            n=len(ids),
            source=self.file,
            synthetic=False,
            codebook=cb.name,
            items=cb.items,
            organisation=cb.organisation,
        )
        return SurveyData(frame, aims=aims, multi=multi, meta=meta)

    @property
    def outcome_positions(self) -> dict[str, int]:
        return {s.value: i for i, s in self.layout.columns.items() if s.kind == "outcome"}


def _long(
    ids: np.ndarray[Any, Any],
    values: list[str],
    ticks: list[np.ndarray[Any, Any]],
    outcomes: list[np.ndarray[Any, Any]] | None,
    name: str,
) -> pd.DataFrame:
    """One row per (respondent, ticked option), respondents in file order, options in order."""
    rows = [np.flatnonzero(t) for t in ticks]
    position = np.concatenate([*rows, np.empty(0, dtype=np.intp)])
    which = np.concatenate(
        [np.full(len(r), k, dtype=np.intp) for k, r in enumerate(rows)]
        or [np.empty(0, dtype=np.intp)]
    )
    order = np.lexsort((which, position))
    position, which = position[order], which[order]
    table = {
        "respondent_id": pd.Series(ids[position], dtype=object),
        name: pd.Series(np.asarray(values, dtype=object)[which], dtype=object),
    }
    if outcomes is not None:
        picked = np.concatenate(
            [o[r] for o, r in zip(outcomes, rows, strict=True)] + [np.empty(0, dtype=object)]
        )[order]
        table["outcome"] = pd.Series(picked, dtype=object)
    return pd.DataFrame(table)


def _listed(items: Sequence[object]) -> str:
    return ", ".join(str(i) for i in items[:10]) + (" ..." if len(items) > 10 else "")


# -- column readers --------------------------------------------------------------------------


@dataclass
class _Reader:
    """Reads one column of the file for one slot."""

    position: int
    slot: Slot
    kind: str
    labels: dict[str, str] | None

    def read(self, run: _Interpreter, column: tuple[str, ...], chunk: _Chunk) -> None:
        codes, uniques = pd.factorize(np.asarray(column, dtype=object))
        results = [self.one(run, str(u)) for u in uniques]
        values = np.empty(len(results), dtype=object)
        for k, (value, _) in enumerate(results):
            values[k] = value
        bad_unique = np.array([p is not None for _, p in results], dtype=bool)
        rows = np.flatnonzero(bad_unique[codes])
        if len(rows):
            problems = [results[codes[i]][1] for i in rows.tolist()]
            run.record_problems(chunk, rows, self.position, problems, cell=self.kind != "id")  # type: ignore[arg-type,unused-ignore]
        self.store(chunk, values[codes])

    def one(self, run: _Interpreter, text: str) -> tuple[object, Problem | None]:
        vocab, slot = run.vocab, self.slot
        if self.kind == "id":
            return vocab.respondent_id(text)
        if self.kind in ("single", "outcome"):
            return vocab.choice(text, slot.name, self.labels)
        if self.kind == "tick":
            tick = vocab.tick(text, slot.name, slot.value, self.labels)
            return tick.ticked, tick.problem
        if self.kind == "stray":
            return None, vocab.stray(text, slot.name, slot.value)
        spec = vocab.columns[slot.name]
        if self.kind == "number":
            mark, ambiguous_ok = run.number_mark()
            return vocab.number(text, mark, ambiguous_ok)
        return vocab.text(text, spec)

    def store(self, chunk: _Chunk, values: np.ndarray[Any, Any]) -> None:
        slot = self.slot
        if self.kind == "id":
            chunk.ids = values
        elif self.kind == "tick":
            chunk.ticks[(slot.name, slot.value)] = values.astype(bool)
        elif self.kind == "outcome":
            chunk.outcomes[slot.value] = values
        elif self.kind != "stray":
            chunk.values[slot.name] = values


def _readers(layout: Layout, vocab: Vocab, table: RawTable) -> list[_Reader]:
    readers: list[_Reader] = []
    for position, slot in layout.columns.items():
        if slot.kind in ("multi", "aim"):
            kind = "tick"
        elif slot.kind == "column":
            kind = vocab.columns[slot.name].kind
        else:
            kind = slot.kind
        readers.append(_Reader(position, slot, kind, table.value_labels.get(position)))
    return readers
