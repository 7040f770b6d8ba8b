"""What one cell means: an answer, a tick, a number, a text, or a problem.

The interpreter (:mod:`.interpret`) calls these functions once per distinct text of a column,
not once per cell, so their cost does not grow with the number of rows.

Numbers follow one decimal mark per file: ``"."`` (thousands may be grouped with ``,``) or
``","`` (thousands grouped with ``.``); spaces, non-breaking spaces and apostrophes may group
thousands under either. A value that only makes sense under the other mark (``0,75`` when the
mark is ``"."``) is rejected, never reinterpreted: ``0,75`` never becomes 75.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from gpcollab.codebook import Codebook, ColumnSpec, compile_pattern, normalise_text
from gpcollab.io.table import EXACT_INTEGERS
from gpcollab.safe_write import restore_cell

__all__ = ["Decimal", "Vocab", "date_hint", "detect_decimal", "parse_number"]

Decimal = Literal[".", ","]
Problem = tuple[str, str, str]  # found, allowed, reason

_DATE_LIKE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$|^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$"
    r"|^\d{1,2}[- ][A-Za-z]{3}([- ]\d{2,4})?$|^[A-Za-z]{3}[- ]\d{2,4}$"
)
_CODE = re.compile(r"^[+-]?\d+(\.0*)?$")
_GROUP = "[ \u00a0\u202f']"
_NUMBER = {
    ".": re.compile(rf"^(\d+|\d{{1,3}}(,\d{{3}})+|\d{{1,3}}({_GROUP}\d{{3}})+)(\.\d*)?$|^\.\d+$"),
    ",": re.compile(rf"^(\d+|\d{{1,3}}(\.\d{{3}})+|\d{{1,3}}({_GROUP}\d{{3}})+)(,\d*)?$|^,\d+$"),
}
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?[eE][+-]?\d+$")
# Unambiguous evidence of a decimal mark: the separator is not followed by exactly 3 digits,
# or both separators occur in the order that only one convention allows.
_EVIDENCE = {
    ".": re.compile(r"^\d*\.(\d{1,2}|\d{4,})$|^\d{1,3}(,\d{3})+\.\d+$|^0\.\d+$"),
    ",": re.compile(r"^\d*,(\d{1,2}|\d{4,})$|^\d{1,3}(\.\d{3})+,\d+$|^0,\d+$"),
}
_AMBIGUOUS = re.compile(r"^\d{1,3}[.,]\d{3}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ID_ALLOWED = "a non-blank respondent id"
# Spreadsheets show a number of 12 digits or more in scientific notation, rounded ("4.00E+15"),
# as the XLSX and SPSS readers write a whole number beyond 2**53 ("4.0...e+16"); an id such as
# "1e5" or "1E100" is text and stays as written.
_ROUNDED_ID = re.compile(r"^\d+(\.\d+)?[eE]\+\d+$")
_ROUNDED_IDS = 1e11


def _control_reason(char: str) -> str:
    return (
        f"the respondent id holds the control character {ord(char):#04x}, which is not text "
        "(0x1a is the end-of-file mark of old DOS programs): this is not a respondent's row"
    )


def date_hint(text: str) -> str:
    """A hint when an answer looks like a date a spreadsheet made of it."""
    if _DATE_LIKE.match(text.strip()):
        return " (this looks like a date: a spreadsheet may have turned the answer into one)"
    return ""


def detect_decimal(values: Iterable[str]) -> tuple[Decimal | None, str]:
    """The decimal mark the numbers show, with the value that shows it (or None, "")."""
    seen: dict[str, str] = {}
    for value in values:
        text = value.strip().lstrip("+")
        for mark, pattern in _EVIDENCE.items():
            if mark not in seen and pattern.match(text):
                seen[mark] = text
    if len(seen) == 1:
        mark, example = next(iter(seen.items()))
        return ("," if mark == "," else "."), example
    return None, ""


def parse_number(text: str, mark: Decimal, ambiguous_ok: bool = True) -> tuple[float | None, str]:
    """A non-negative number written with decimal mark ``mark``: (value, "") or (None, why).

    Examples
    --------
    >>> parse_number("1.234,5", ",")
    (1234.5, '')
    >>> parse_number("0,75", ".")[0] is None
    True
    """
    cleaned = restore_cell(text.strip())
    if cleaned.startswith("-") and cleaned[1:].strip()[:1].isdigit():
        return None, "negative"
    cleaned = cleaned.lstrip("+")
    if _SCIENTIFIC.match(cleaned):
        return float(cleaned), ""
    if not _NUMBER[mark].match(cleaned):
        other: Decimal = "," if mark == "." else "."
        if _NUMBER[other].match(cleaned):
            return None, f"written with the decimal mark {other!r}, but this file's is {mark!r}"
        return None, "not a number"
    if not ambiguous_ok and _AMBIGUOUS.match(cleaned):
        return None, (
            "ambiguous: the separator may be a decimal mark or group thousands, and nothing "
            "in the file says which (set survey.decimal in the codebook, or pass decimal=)"
        )
    digits = re.sub(_GROUP, "", cleaned)
    if mark == ",":
        digits = digits.replace(".", "").replace(",", ".")
    else:
        digits = digits.replace(",", "")
    return float(digits), ""


@dataclass(frozen=True)
class Tick:
    """The reading of a cell in a multi-select column: ticked, or a problem."""

    ticked: bool
    problem: Problem | None = None


class Vocab:
    """Normalised lookups for one codebook, and the per-value readers."""

    def __init__(self, cb: Codebook) -> None:
        self.missing = {normalise_text(m) for m in cb.missing}
        self.initials = {m[0] for m in self.missing if m}
        self.ticked = {normalise_text(t) for t in cb.ticked}
        self.unticked = {normalise_text(t) for t in cb.unticked} | self.missing
        self.answers: dict[str, dict[str, str]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.allowed: dict[str, str] = {}
        for spec in cb.single:
            self._answers(spec.name, spec.answers, spec.codes)
        if cb.aims is not None:
            self._answers("aims", cb.aims.answers, cb.aims.codes)
        self.option_text = {(m.name, o.value): o.text for m in cb.multi for o in m.options}
        self.options_allowed = {
            m.name: ", ".join(repr(o.text) for o in m.options) for m in cb.multi
        }
        if cb.aims is not None:
            self.option_text.update({("aims", o.value): o.text for o in cb.aims.options})
            self.options_allowed["aims"] = ", ".join(repr(o.text) for o in cb.aims.options)
        self.columns = {c.name: c for c in cb.columns}
        self.patterns = {
            c.name: compile_pattern(c.pattern) for c in cb.columns if c.pattern is not None
        }
        self.tick_words = ", ".join(repr(t) for t in cb.ticked[:3])

    def _answers(self, name: str, answers: Mapping[str, str], codes: Mapping[str, int]) -> None:
        self.answers[name] = {normalise_text(t): v for t, v in answers.items()}
        self.codes[name] = {str(c): v for v, c in codes.items()}
        shown = list(dict.fromkeys(answers.values()))
        texts = [next(t for t, v in answers.items() if v == value) for value in shown]
        low, high = min(codes.values()), max(codes.values())
        self.allowed[name] = (
            ", ".join(repr(t) for t in texts) + f" (or codes {low}-{high}), or blank"
        )

    # -- readers of one distinct text --------------------------------------------------------

    def blank(self, text: str) -> bool:
        """Blank or a missing-value code."""
        stripped = text.strip()
        if not stripped:
            return True
        first = stripped[0]
        if first.isalnum() and first.casefold()[0] not in self.initials:
            return False  # no missing-value code starts with this character
        return normalise_text(stripped) in self.missing

    def respondent_id(self, raw: str) -> tuple[str | None, Problem | None]:
        if self.blank(raw):
            control = _CONTROL.search(raw)
            if control is not None:  # e.g. a DOS end-of-file mark (0x1A) left on a line
                return None, (raw, _ID_ALLOWED, _control_reason(control.group()))
            return None, (raw, _ID_ALLOWED, "respondent id is missing")
        text = raw.strip()
        control = _CONTROL.search(text)
        if control is not None:
            return None, (text, _ID_ALLOWED, _control_reason(control.group()))
        if _ROUNDED_ID.match(text) and float(text) >= _ROUNDED_IDS:
            return None, (
                text,
                "the id as written, e.g. as text",
                "the respondent id is a number in scientific notation: a spreadsheet rounded "
                f"it, or the file stores it as a number beyond {EXACT_INTEGERS:,} (2**53), "
                "which a double cannot hold, so its last digits may be lost; store ids as text",
            )
        return restore_cell(text), None

    def choice(
        self, raw: str, name: str, labels: Mapping[str, str] | None
    ) -> tuple[str | None, Problem | None]:
        """An answer (single-choice item or aim outcome): machine value or a problem."""
        if self.blank(raw):
            return None, None
        text = raw.strip()
        if labels is not None and text in labels:  # SPSS code with a value label in the file
            label = labels[text]
            value = self.answers[name].get(normalise_text(label))
            if value is None:
                if normalise_text(label) in self.missing:
                    return None, None
                why = "the file's value label is not a known answer"
                return None, (f"{text} = {label!r}", self.allowed[name], why)
            return value, None
        text = restore_cell(text)
        value = self.answers[name].get(normalise_text(text))
        if value is not None:
            return value, None
        if _CODE.match(text):
            value = self.codes[name].get(str(int(float(text))))
            if value is not None:
                return value, None
            return None, (text, self.allowed[name], "unknown answer code")
        return None, (text, self.allowed[name], "unknown answer" + date_hint(text))

    def tick(self, raw: str, item: str, option: str, labels: Mapping[str, str] | None) -> Tick:
        """A cell of an option column: ticked or not (a value label decides for a code)."""
        own = self.option_text.get((item, option), option)
        text = restore_cell(raw.strip())
        label = (labels or {}).get(text)
        words = [normalise_text(text)] if label is None else [normalise_text(label)]
        if _CODE.match(text):
            words.append(str(int(float(text))))
        if not words[0] or any(w in self.unticked for w in words):
            return Tick(False)
        if any(w in self.ticked or w == normalise_text(own) for w in words):
            return Tick(True)
        shown = text if label is None else f"{text} = {label!r}"
        return Tick(
            False,
            (
                shown,
                f"{own!r}, {self.tick_words} (ticked), or blank, 0, 'No' (not ticked)",
                "not a tick or a blank" + date_hint(text),
            ),
        )

    def stray(self, raw: str, item: str, option: str) -> Problem | None:
        """A cell under an option the codebook does not know: a problem when it is ticked."""
        text = raw.strip()
        if self.blank(text) or normalise_text(text) in self.unticked:
            return None
        if _CODE.match(text) and str(int(float(text))) in self.unticked:
            return None
        why = f"an option the codebook does not know ({option!r}) is ticked"
        return text, self.options_allowed[item], why

    def text(self, raw: str, spec: ColumnSpec) -> tuple[str | None, Problem | None]:
        if self.blank(raw):
            return None, None
        text = restore_cell(raw.strip())
        value = text.upper() if spec.upper else text
        pattern = self.patterns.get(spec.name)
        if pattern is not None and not pattern.fullmatch(value):
            why = "does not match the expected pattern" + date_hint(text)
            return None, (raw.strip(), f"text matching {spec.pattern}", why)
        return value, None

    def number(
        self, raw: str, mark: Decimal, ambiguous_ok: bool
    ) -> tuple[float | None, Problem | None]:
        if self.blank(raw):
            return None, None
        number, why = parse_number(raw, mark, ambiguous_ok)
        if number is None:
            text = raw.strip()
            reason = "not a number" + date_hint(text) if why == "not a number" else why
            return None, (text, "a number of 0 or more, or blank", reason)
        return number, None


def unique_texts(values: Iterable[Any]) -> list[str]:
    """Distinct texts, in order of first appearance."""
    return list(dict.fromkeys(str(v) for v in values))
