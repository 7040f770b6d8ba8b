"""Which column of a file is which: header rows matched against a codebook.

Three header layouts are recognised:

* one header row (the question wording; ``"<question> - <option>"`` for the option columns of a
  multi-select question; or the SPSS variable names);
* two header rows (question, then answer option), as common online-survey tools write them;
* three header rows where one row holds import ids (``{"ImportId":"QID1"}``) under rows of
  question ids and question texts, as another widespread tool writes them.

The layout matching the most codebook columns wins. Every required column must appear exactly
once; otherwise :class:`~gpcollab.errors.LoadError` lists every missing or repeated column, with
the closest header found and, for multi-row headers, which row holds what.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from gpcollab.codebook import Codebook, normalise_text
from gpcollab.errors import LoadError
from gpcollab.io.xlsxfile import column_letters

__all__ = ["Headers", "Layout", "Slot", "find_layout"]

_SUBHEADERS = {"", "response", "open-ended response", "open ended response"}
_IMPORT_ID = re.compile(r'^\{\s*"importid"\s*:', re.IGNORECASE)
_MAX_LISTED = 30


@dataclass(frozen=True)
class Slot:
    """What a column of the file holds."""

    kind: Literal["id", "single", "multi", "aim", "outcome", "column", "stray"]
    name: str  # item or column name
    value: str = ""  # option or aim value; for stray: the unknown option text
    header: str = ""  # the codebook's one-row header of the column


class Headers:
    """Lookup tables from header texts to slots, for one codebook."""

    def __init__(self, codebook: Codebook) -> None:
        self.flat: dict[str, Slot] = {}
        self.pairs: dict[tuple[str, str], Slot] = {}
        self.questions: dict[str, str] = {}  # normalised question of multi/aims -> item name
        self.required: list[Slot] = []
        cb = codebook
        self._add(Slot("id", "respondent_id", header=cb.id_column), cb.id_var, None, True)
        for single in cb.single:
            self._add(Slot("single", single.name, header=single.column), single.var, None, True)
        for multi in cb.multi:
            self.questions[normalise_text(multi.question)] = multi.name
            for option in multi.options:
                slot = Slot("multi", multi.name, option.value, option.column)
                self._add(slot, option.var, (multi.question, option.text), True)
        if cb.aims is not None:
            self._add_aims(cb)
        for column in cb.columns:
            slot = Slot("column", column.name, header=column.column)
            self._add(slot, column.var, None, column.required)
        self.known = set(self.flat) | set(self.questions)

    def _add(self, slot: Slot, var: str, pair: tuple[str, str] | None, required: bool) -> None:
        self.flat[normalise_text(slot.header)] = slot
        self.flat.setdefault(normalise_text(var), slot)
        if pair is not None:
            self.pairs[(normalise_text(pair[0]), normalise_text(pair[1]))] = slot
        if required:
            self.required.append(slot)

    def _add_aims(self, cb: Codebook) -> None:
        aims = cb.aims
        assert aims is not None
        self.questions[normalise_text(aims.question)] = "aims"
        self.questions[normalise_text(aims.outcome_question)] = "aims outcome"
        for option in aims.options:
            slot = Slot("aim", "aims", option.value, option.column)
            self._add(slot, option.var, (aims.question, option.text), True)
            out = aims.outcome_columns[option.value]
            slot = Slot("outcome", "aims", option.value, out.column)
            self._add(slot, out.var, (aims.outcome_question, option.text), True)

    def lookup_flat(self, header: str) -> Slot | None:
        key = normalise_text(header)
        slot = self.flat.get(key)
        if slot is not None:
            return slot
        for question, item in self.questions.items():  # "<question> - <unknown option>"
            if key.startswith(question + " - ") and item != "aims outcome":
                return Slot("stray", item, header[len(question) + 3 :].strip(), header)
        return None

    def lookup_pair(self, question: str, option: str) -> Slot | None:
        key = (normalise_text(question), normalise_text(option))
        slot = self.pairs.get(key)
        if slot is not None:
            return slot
        if key[1] in _SUBHEADERS or key[1] == key[0]:
            slot = self.flat.get(key[0])
            if slot is not None and slot.kind in ("id", "single", "column"):
                return slot
        item = self.questions.get(key[0])
        if item is not None and item != "aims outcome":
            return Slot("stray", item, option.strip(), f"{question} | {option}")
        return None


@dataclass
class Layout:
    """The header rows' meaning: which position holds which slot.

    Attributes
    ----------
    header_rows : int
        Rows the header takes (0 for ``.sav``, whose header is the variable names).
    columns : dict of int to Slot
        Position -> slot, for every column the codebook knows.
    display : list of str
        Header text per position, for messages.
    ignored : list of str
        Headers of columns the codebook does not use.
    notes : list of str
        What was recognised (e.g. a row of import ids).
    """

    header_rows: int
    columns: dict[int, Slot]
    display: list[str]
    ignored: list[str]
    notes: list[str]


def find_layout(
    rows: Sequence[Sequence[str]],
    codebook: Codebook,
    file: str,
    *,
    labels: Sequence[str] | None = None,
    spss: bool = False,
) -> Layout:
    """Match the first non-blank rows of a file (``rows``) against the codebook.

    Raises
    ------
    LoadError
        A required column is missing or a column appears twice (every problem is listed).
    """
    headers = Headers(codebook)
    candidates = [_flat(rows[0], headers, labels, 1)]
    import_row = None if spss else _import_id_row(rows)
    if not spss and len(rows) >= 2:
        candidates.append(_pairs(rows[0], rows[1], headers, 2))
    if import_row is not None:
        consumed = import_row + 1
        extra = [_flat(rows[k], headers, None, consumed) for k in range(import_row)]
        if import_row == 2:
            extra.append(_pairs(rows[0], rows[1], headers, consumed))
        candidates.extend(extra)
        for candidate in extra:
            candidate.notes.append(
                f"header row {consumed} holds import ids ({rows[import_row][0][:40]!r} ...); "
                f"read as a {consumed}-row header"
            )
    layout = max(candidates, key=lambda c: _matched(c.columns))  # first wins on ties
    if spss:
        layout.header_rows = 0
    layout.ignored = [
        text for i, text in enumerate(layout.display) if i not in layout.columns and text
    ]
    if not any(slot.kind != "stray" for slot in layout.columns.values()):
        shown = [text for text in layout.display if text.strip()]
        listed = ", ".join(repr(t[:40]) for t in shown[:5]) + (" ..." if len(shown) > 5 else "")
        raise LoadError(
            f"{file}: none of the {len(headers.required)} columns of codebook {codebook.name} "
            f"({codebook.instrument.label} {codebook.wave}) is in the file's header"
            + (f" (it has {listed})" if shown else "")
            + ": this is not an export of that survey. Choose the codebook of the survey the "
            "file comes from, or write one for its columns."
            + _hint(layout, rows, headers, import_row, spss)
        )
    problems = _column_problems(layout, headers)
    if problems:
        hint = _hint(layout, rows, headers, import_row, spss)
        raise LoadError(
            f"{file}: the header does not fit codebook {codebook.name} "
            f"({len(problems)} problem(s)):{hint}\n  - " + "\n  - ".join(problems)
        )
    return layout


def _flat(
    row: Sequence[str], headers: Headers, labels: Sequence[str] | None, consumed: int
) -> Layout:
    found = {i: headers.lookup_flat(c) for i, c in enumerate(row) if c.strip()}
    if labels is not None:  # SPSS: match the variable name, else its label
        for i, label in enumerate(labels):
            if found.get(i) is None and label:
                found[i] = headers.lookup_flat(label)
    hits = {i: s for i, s in found.items() if s is not None}
    return Layout(consumed, hits, [c or "" for c in row], [], [])


def _pairs(first: Sequence[str], second: Sequence[str], headers: Headers, consumed: int) -> Layout:
    """Question over option: a question spans the columns after it whose own cell is empty."""
    width = max(len(first), len(second))
    questions: list[str] = []
    current = ""
    for i in range(width):
        cell = first[i] if i < len(first) else ""
        option = second[i] if i < len(second) else ""
        if cell.strip():
            current = cell
        questions.append(current if (cell.strip() or option.strip()) else "")
    found: dict[int, Slot] = {}
    shown: list[str] = []
    for i, question in enumerate(questions):
        option = second[i] if i < len(second) else ""
        shown.append(f"{question} | {option}" if option.strip() else question)
        slot = headers.lookup_pair(question, option) if question else None
        if slot is not None:
            found[i] = slot
    if _looks_like_data(first, second, headers):
        return Layout(consumed, {}, shown, [], [])
    return Layout(consumed, found, shown, [], [])


def _import_id_row(rows: Sequence[Sequence[str]]) -> int | None:
    for k in (1, 2):
        if k < len(rows):
            filled = [c for c in rows[k] if c.strip()]
            if filled and sum(bool(_IMPORT_ID.match(c.strip())) for c in filled) * 2 >= len(filled):
                return k
    return None


def _looks_like_data(first: Sequence[str], second: Sequence[str], headers: Headers) -> bool:
    """True when row 2 holds answers under one-column questions (so it is not a header)."""
    for i, question in enumerate(first):
        if not question.strip():
            continue
        slot = headers.flat.get(normalise_text(question))
        if slot is None or slot.kind not in ("id", "single", "column"):
            continue
        below = normalise_text(second[i]) if i < len(second) else ""
        if below not in _SUBHEADERS and below != normalise_text(question):
            return True
    return False


def _matched(found: Mapping[int, Slot]) -> int:
    return sum(slot.kind != "stray" for slot in found.values())


def _column_problems(layout: Layout, headers: Headers) -> list[str]:
    """Every required column once: the problems, in words."""
    by_slot: dict[Slot, list[int]] = {}
    for i, slot in layout.columns.items():
        if slot.kind != "stray":
            by_slot.setdefault(slot, []).append(i)
    problems: list[str] = []
    for slot, positions in by_slot.items():
        if len(positions) > 1:
            where = ", ".join(column_letters(i) for i in positions)
            problems.append(
                f"column {slot.header!r} appears {len(positions)} times (columns {where})"
            )
    missing = [slot for slot in headers.required if slot not in by_slot]
    for slot in missing[:_MAX_LISTED]:
        close = difflib.get_close_matches(slot.header, layout.ignored, n=1, cutoff=0.75)
        problems.append(
            f"missing column {slot.header!r}"
            + (f" (closest in the file: {close[0]!r})" if close else "")
        )
    if len(missing) > _MAX_LISTED:
        problems.append(f"... and {len(missing) - _MAX_LISTED} more missing columns")
    return problems


def _hint(
    layout: Layout,
    rows: Sequence[Sequence[str]],
    headers: Headers,
    import_row: int | None,
    spss: bool,
) -> str:
    if spss:
        return ""
    if import_row is not None:
        return (
            f"\nRow {import_row + 1} holds import ids ({rows[import_row][0][:40]!r} ...): this is "
            f"a {import_row + 1}-row header (question ids, question texts, import ids), but "
            "neither the question-id row nor the question-text row names the codebook's columns."
        )
    if layout.header_rows != 1:
        return ""
    two_header = [c for c in rows[0] if c.strip() and normalise_text(c) in headers.questions]
    if not two_header or len(rows) < 2:
        return ""
    return (
        f"\nRow 1 looks like the first header row of a two-header export (it has the question "
        f"{two_header[0]!r} over several columns), but row 2 is not the row of answer options "
        "(found "
        + ", ".join(repr(c) for c in rows[1][:3])
        + " ...). Export with both header rows, or with one row of "
        "'<question> - <option>' headers."
    )
