"""Codebooks: how the columns and answer texts of a raw survey export map to gpcollab fields.

A codebook is a small TOML file, one per instrument and wave. The four bundled ones
(``gp2015``, ``ccg2015``, ``gp2017``, ``ccg2017``) live in ``gpcollab/codebooks/``; a user who
runs a new wave or a local survey writes their own and passes its path wherever a codebook name
is accepted. The format is documented in the README ("Loading your own export and writing a
codebook") and in :func:`load_codebook`.

:func:`load_codebook` reads and checks a file and returns a frozen :class:`Codebook`. Every
problem (unknown item, answer mapped to a value the vocabulary does not have, a missing-value
code that is also an answer, ...) raises :class:`~gpcollab.errors.CodebookError` naming the
file, the key and what is wrong.

The raw column names and answer texts of the bundled codebooks are our design: the real exports
of the 2015 and 2017 surveys were never published. They imitate a common online-survey export
(question wording as the column header, one column per option of a multi-select question).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Protocol

import re2  # type: ignore[import-untyped,unused-ignore]

from gpcollab.errors import CodebookError
from gpcollab.schema import ITEMS, NUMERIC_COLUMNS, TEXT_COLUMNS
from gpcollab.vocab import Achievement, Aim, Choice, Instrument

__all__ = [
    "AimsSpec",
    "Codebook",
    "ColumnSpec",
    "MultiSpec",
    "OptionSpec",
    "SingleSpec",
    "compile_pattern",
    "list_codebooks",
    "load_codebook",
    "normalise_text",
]

BUNDLED: tuple[str, ...] = ("gp2015", "ccg2015", "gp2017", "ccg2017")
"""Names of the codebooks shipped with the package."""

DEFAULT_MISSING: tuple[str, ...] = ("", "N/A", "NA", "-99", "Prefer not to say", "Not answered")
DEFAULT_TICKED: tuple[str, ...] = ("1", "Yes", "Y", "True", "X", "Selected", "Ticked")
DEFAULT_UNTICKED: tuple[str, ...] = ("0", "No", "N", "False", "Not selected")

# Every dash and hyphen (Unicode category Pd, plus the minus sign and the hyphen bullet) reads
# as "-"; curly and prime quotes as straight ones; zero-width characters and soft hyphens vanish.
_DASH_CHARS = (
    "\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a\u2e3b"
    "\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
    "\u2212\u2043"
)
_FOLD = str.maketrans(
    {
        **dict.fromkeys(_DASH_CHARS, "-"),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\uff07", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\uff02", '"'),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", None),
    }
)
_SPACE = re.compile(r"\s+")
_VAR_NAME = re.compile(r"^[A-Za-z@][A-Za-z0-9_.@#$]{0,63}$")


def normalise_text(text: str) -> str:
    """Key for lenient matching of headers and answer texts.

    Case-folds, turns every dash and hyphen variant (en and em dashes, U+2010 hyphen, U+2011
    non-breaking hyphen, the minus sign, ...) into ``-`` and curly quotes into straight ones,
    drops zero-width characters and soft hyphens, collapses runs of whitespace (including
    non-breaking spaces) into one space and strips both ends.

    Examples
    --------
    >>> normalise_text("  Fully   ACHIEVED ")
    'fully achieved'
    >>> normalise_text("Yes \u2011 formal") == normalise_text("yes - formal")
    True
    """
    return _SPACE.sub(" ", text.translate(_FOLD)).strip().casefold()


class Pattern(Protocol):
    """A compiled codebook pattern (a linear-time RE2 expression)."""

    def fullmatch(self, text: str) -> object | None: ...


def compile_pattern(pattern: str) -> Pattern:
    """Compile a codebook ``pattern`` with RE2, whose matching time is linear in the text.

    Python's own engine backtracks: a pattern such as ``^(A+)+$`` takes exponential time on a
    cell of 40 characters. RE2 never backtracks, so no cell can make a load hang. It leaves
    out the features that need backtracking (back-references such as ``\\1``, look-ahead and
    look-behind); a pattern using them is refused.

    Raises
    ------
    CodebookError
        The pattern is not valid, or needs a feature RE2 does not have.

    Examples
    --------
    >>> bool(compile_pattern("^[0-9]{2}[A-Z0-9]$").fullmatch("05D"))
    True
    """
    options = re2.Options()
    options.log_errors = False
    try:
        return _Compiled(re2.compile(pattern, options))
    except re2.error as exc:
        message = exc.args[0] if exc.args else exc
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        raise CodebookError(
            f"pattern {pattern!r}: {message} (patterns are matched by RE2, in linear time: "
            "back-references and look-around are not available)"
        ) from None


class _Compiled:
    """An RE2 expression with the ``fullmatch`` of :class:`Pattern` (typed)."""

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled

    def fullmatch(self, text: str) -> object | None:
        return self._compiled.fullmatch(text)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SingleSpec:
    """A single-choice item: one raw column holding an answer text (or a numeric code).

    Attributes
    ----------
    name : str
        Item name (a key of :data:`gpcollab.schema.ITEMS`) and column of ``respondents``.
    column : str
        Raw column header: the question as worded in the export.
    var : str
        Variable name used in SPSS files (and accepted as a header in CSV/XLSX).
    choices : type of Choice
        The vocabulary enum of the answers.
    answers : mapping of str to str
        Answer text as written in the export -> machine value. Several texts may map to one
        value; the first text of each value is the one :func:`~gpcollab.io.write_survey` writes.
    codes : mapping of str to int
        Machine value -> numeric code (SPSS value, also accepted in text files).
    """

    name: str
    column: str
    var: str
    choices: type[Choice]
    answers: Mapping[str, str]
    codes: Mapping[str, int]

    def text_of(self, value: str) -> str:
        """The answer text written for a machine value (the first one declared)."""
        return _first_text(self.answers, value)


@dataclass(frozen=True)
class OptionSpec:
    """One option of a multi-select question (or one aim): its own raw column.

    Attributes
    ----------
    value : str
        Machine value of the option.
    text : str
        Option text (the second header row of a two-header export; also a valid "ticked" cell).
    column : str
        Header of the option's column in a one-header export.
    var : str
        SPSS variable name.
    """

    value: str
    text: str
    column: str
    var: str


@dataclass(frozen=True)
class MultiSpec:
    """A multi-select item: one raw column per option, ticked or blank.

    Attributes
    ----------
    name : str
        Item name (key of ``SurveyData.multi``).
    question : str
        Question wording (first header row of a two-header export).
    choices : type of Choice
        The vocabulary enum of the options.
    options : tuple of OptionSpec
        One per option, in the order the export lists them.
    """

    name: str
    question: str
    choices: type[Choice]
    options: tuple[OptionSpec, ...]


@dataclass(frozen=True)
class AimsSpec:
    """The aims question: per aim, one "was it set" column and one achievement column.

    Attributes
    ----------
    question : str
        Wording of "which aims did the collaboration set" (ticked per aim).
    outcome_question : str
        Wording of "how far was each aim achieved" (one answer per aim).
    options : tuple of OptionSpec
        One per aim: the "set" column.
    outcome_columns : mapping of str to OptionSpec
        Aim machine value -> the achievement column of that aim (``value`` is the aim).
    answers : mapping of str to str
        Achievement answer text -> :class:`~gpcollab.vocab.Achievement` value.
    codes : mapping of str to int
        Achievement value -> numeric code.
    """

    question: str
    outcome_question: str
    options: tuple[OptionSpec, ...]
    outcome_columns: Mapping[str, OptionSpec]
    answers: Mapping[str, str]
    codes: Mapping[str, int]

    def text_of(self, value: str) -> str:
        """The achievement text written for a machine value."""
        return _first_text(self.answers, value)


@dataclass(frozen=True)
class ColumnSpec:
    """A free-text or numeric respondent column (``ccg_code``, ``collab_patients``, ``weight``).

    Attributes
    ----------
    name : str
        Column of ``respondents``.
    column : str
        Raw column header.
    var : str
        SPSS variable name.
    kind : {"text", "number"}
        Text is kept as written (stripped); numbers must be non-negative.
    required : bool
        Whether the export must have the column.
    pattern : str or None
        Regular expression a text value must match in full, if any.
    upper : bool
        Upper-case text values before checking (codes such as ``05d`` become ``05D``).
    """

    name: str
    column: str
    var: str
    kind: Literal["text", "number"]
    required: bool = True
    pattern: str | None = None
    upper: bool = False


@dataclass(frozen=True)
class Codebook:
    """A validated codebook: what an export of one instrument looks like.

    Build it with :func:`load_codebook`; do not construct it by hand.

    Attributes
    ----------
    name : str
        Short name, e.g. ``"gp2017"``; recorded in ``SurveyMeta.codebook``.
    wave : int
        Survey year.
    instrument : Instrument
        GP-practice or CCG questionnaire.
    title : str
        Human description.
    id_column : str
        Header of the respondent-id column.
    id_var : str
        SPSS variable name of the respondent id.
    missing : tuple of str
        Cell values that mean "no answer" in every column (compared after normalisation).
    ticked, unticked : tuple of str
        Cell values meaning ticked or not ticked in multi-select columns (besides the option
        text, which also means ticked, and blank or missing codes, which mean not ticked).
    single : tuple of SingleSpec
    multi : tuple of MultiSpec
    aims : AimsSpec or None
    columns : tuple of ColumnSpec
    source : str
        Where the codebook was read from.
    sheet : str or None
        XLSX: the sheet to read (``survey.sheet``); by default the sheet whose header fits.
    decimal : {".", ","} or None
        Decimal mark of numbers in text files (``survey.decimal``); by default detected.
    """

    name: str
    wave: int
    instrument: Instrument
    title: str
    id_column: str
    id_var: str
    missing: tuple[str, ...]
    ticked: tuple[str, ...]
    unticked: tuple[str, ...]
    single: tuple[SingleSpec, ...]
    multi: tuple[MultiSpec, ...]
    aims: AimsSpec | None
    columns: tuple[ColumnSpec, ...]
    items: tuple[str, ...]
    source: str = field(default="", compare=False)
    sheet: str | None = None
    decimal: str | None = None

    @property
    def label(self) -> str:
        """Short human label, e.g. ``"gp2017 (GP practice staff survey 2017)"``."""
        return f"{self.name} ({self.instrument.label} {self.wave})"

    def __repr__(self) -> str:
        return f"<Codebook {self.label}: items {', '.join(self.items)}>"


def _first_text(answers: Mapping[str, str], value: str) -> str:
    for text, target in answers.items():
        if target == value:
            return text
    # validation guarantees every value has a text, so this is a programming error
    raise CodebookError(f"no answer text maps to the value {value!r}")  # pragma: no cover


# -- loading ---------------------------------------------------------------------------------


def list_codebooks() -> list[str]:
    """Names of the bundled codebooks.

    Examples
    --------
    >>> list_codebooks()
    ['ccg2015', 'ccg2017', 'gp2015', 'gp2017']
    """
    return sorted(BUNDLED)


def load_codebook(name_or_path: str | os.PathLike[str] | Codebook) -> Codebook:
    """Load and check a codebook.

    Parameters
    ----------
    name_or_path : str, path-like or Codebook
        A bundled name (see :func:`list_codebooks`), a path to a TOML codebook, or an already
        loaded :class:`Codebook` (returned unchanged).

    Returns
    -------
    Codebook

    Notes
    -----
    A codebook read from a file is remembered by its name for the rest of the session, so the
    name recorded in data loaded with it (``SurveyMeta.codebook``) finds it again, e.g. in
    :func:`~gpcollab.io.write_survey`.

    Raises
    ------
    CodebookError
        Unknown name, unreadable file, invalid TOML, or any inconsistency; the message names the
        file, the key and the problem.

    Examples
    --------
    >>> cb = load_codebook("gp2017")
    >>> cb.wave, cb.instrument.value, cb.id_column
    (2017, 'gp', 'Respondent ID')
    """
    if isinstance(name_or_path, Codebook):
        return name_or_path
    if isinstance(name_or_path, str) and name_or_path in BUNDLED:
        return _load_bundled(name_or_path)
    path = Path(os.fspath(name_or_path))
    if path.suffix.lower() != ".toml" and not path.exists():
        known = _LOADED.get(os.fspath(name_or_path))
        if known is not None:  # the name of a codebook read from a file earlier
            return known
        raise CodebookError(
            f"Unknown codebook {os.fspath(name_or_path)!r}. Bundled codebooks: "
            f"{', '.join(list_codebooks())}; or pass the path to a .toml codebook file."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: cannot read the codebook ({exc})") from exc
    codebook = parse_codebook(text, source=str(path))
    if codebook.name not in BUNDLED:
        _LOADED[codebook.name] = codebook
    return codebook


# Codebooks read from files in this session, by name: data loaded with a codebook given by path
# record only its name (``SurveyMeta.codebook``), and ``write_survey`` finds it here.
_LOADED: dict[str, Codebook] = {}


@cache
def _load_bundled(name: str) -> Codebook:
    resource = resources.files("gpcollab.codebooks").joinpath(f"{name}.toml")
    text = resource.read_text(encoding="utf-8")
    return parse_codebook(text, source=f"gpcollab/codebooks/{name}.toml")


def parse_codebook(text: str, source: str = "<string>") -> Codebook:
    """Build a :class:`Codebook` from TOML text (``source`` names it in error messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CodebookError(f"{source}: not valid TOML ({exc})") from exc
    return _Builder(source).build(data)


class _Builder:
    """Turns the parsed TOML into a Codebook, raising CodebookError on the first problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> CodebookError:
        return CodebookError(f"{self.source}: key {key!r}: {problem}")

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            found = "nothing" if value is None else type(value).__name__
            raise self.fail(f"{path}{key}", f"expected a table, found {found}")
        return value

    def string(
        self, data: Mapping[str, Any], key: str, path: str, default: str | None = None
    ) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (not value.strip() and default is None):
            raise self.fail(f"{path}{key}", f"expected non-empty text, found {value!r}")
        return value.strip()

    def strings(
        self, data: Mapping[str, Any], key: str, path: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = data.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{path}{key}", f"expected a list of strings, found {value!r}")
        return tuple(v.strip() for v in value)

    def check_keys(self, data: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(
                    f"{path}{key}", f"unknown key; allowed here: {', '.join(sorted(allowed))}"
                )

    def var(self, data: Mapping[str, Any], path: str, default: str) -> str:
        name = self.string(data, "var", path, default)
        if not _VAR_NAME.match(name):
            raise self.fail(
                f"{path}var",
                f"{name!r} is not a valid SPSS variable name (a letter, then letters, digits "
                "or _ . @ # $; at most 64 characters)",
            )
        return name

    # -- the whole file ----------------------------------------------------------------------

    def build(self, data: Mapping[str, Any]) -> Codebook:
        self.check_keys(data, {"survey", "columns", "items"}, "")
        survey = self.table(data, "survey", "")
        self.check_keys(
            survey,
            {
                "name",
                "wave",
                "instrument",
                "title",
                "id_column",
                "id_var",
                "missing",
                "ticked",
                "unticked",
                "sheet",
                "decimal",
            },
            "survey.",
        )
        name = self.string(survey, "name", "survey.")
        wave = survey.get("wave")
        if not isinstance(wave, int) or isinstance(wave, bool) or not 1990 <= wave <= 2100:
            raise self.fail("survey.wave", f"expected a year such as 2017, found {wave!r}")
        try:
            instrument = Instrument.parse(self.string(survey, "instrument", "survey."))
        except ValueError as exc:
            raise self.fail("survey.instrument", str(exc)) from None
        missing = self.strings(survey, "missing", "survey.", DEFAULT_MISSING)
        if "" not in missing:
            missing = ("", *missing)
        ticked = self.strings(survey, "ticked", "survey.", DEFAULT_TICKED)
        unticked = self.strings(survey, "unticked", "survey.", DEFAULT_UNTICKED)
        clash = {normalise_text(t) for t in ticked} & {
            normalise_text(t) for t in (*unticked, *missing)
        }
        if clash:
            raise self.fail(
                "survey.ticked", f"{sorted(clash)!r} also listed as unticked or missing"
            )
        self.missing_keys = {normalise_text(m) for m in missing}

        items = self.table(data, "items", "")
        single: list[SingleSpec] = []
        multi: list[MultiSpec] = []
        aims: AimsSpec | None = None
        for item_name, spec in items.items():
            path = f"items.{item_name}."
            if item_name not in ITEMS:
                raise self.fail(
                    f"items.{item_name}", f"unknown item; known items: {', '.join(ITEMS)}"
                )
            if not isinstance(spec, dict):
                raise self.fail(f"items.{item_name}", "expected a table")
            kind = ITEMS[item_name].kind
            if kind == "single":
                single.append(self.single(item_name, spec, path))
            elif kind == "multi":
                multi.append(self.multi(item_name, spec, path))
            else:
                aims = self.aims(spec, path)

        columns = self.columns(data.get("columns", {}))
        id_column = self.string(survey, "id_column", "survey.")
        id_var = self.var({"var": survey.get("id_var", "respondent_id")}, "survey.id_", "")
        codebook = Codebook(
            name=name,
            wave=wave,
            instrument=instrument,
            title=self.string(survey, "title", "survey.", ""),
            id_column=id_column,
            id_var=id_var,
            missing=missing,
            ticked=ticked,
            unticked=unticked,
            single=tuple(single),
            multi=tuple(multi),
            aims=aims,
            columns=columns,
            items=tuple(items),
            source=self.source,
            **self.options_of_file(survey),
        )
        self.check_unique_columns(codebook)
        return codebook

    def options_of_file(self, survey: Mapping[str, Any]) -> dict[str, str | None]:
        sheet = survey.get("sheet")
        if sheet is not None and (not isinstance(sheet, str) or not sheet.strip()):
            raise self.fail("survey.sheet", f"expected a sheet name, found {sheet!r}")
        decimal = survey.get("decimal")
        if decimal is not None and decimal not in (".", ","):
            raise self.fail("survey.decimal", f"expected '.' or ',', found {decimal!r}")
        return {"sheet": sheet, "decimal": decimal}

    # -- parts -------------------------------------------------------------------------------

    def answers(
        self, spec: Mapping[str, Any], path: str, choices: type[Choice]
    ) -> tuple[Mapping[str, str], Mapping[str, int]]:
        raw = self.table(spec, "answers", path)
        answers: dict[str, str] = {}
        seen: dict[str, str] = {}
        for text, value in raw.items():
            key = f"{path}answers.{text}"
            if not isinstance(value, str) or value not in choices.values():
                raise self.fail(
                    key,
                    f"maps to {value!r}, which is not a {choices.__name__} value; allowed: "
                    f"{', '.join(choices.values())}",
                )
            norm = normalise_text(text)
            if not norm:
                raise self.fail(key, "an answer text cannot be blank")
            if norm in self.missing_keys:
                raise self.fail(key, f"{text!r} is also a missing-value code in survey.missing")
            if norm in seen and seen[norm] != value:
                raise self.fail(key, f"same text (ignoring case) already maps to {seen[norm]!r}")
            seen[norm] = value
            answers[text.strip()] = value
        unmapped = [v for v in choices.values() if v not in answers.values()]
        if unmapped:
            raise self.fail(
                f"{path}answers",
                f"no answer text for {', '.join(map(repr, unmapped))}; every "
                f"{choices.__name__} value needs at least one",
            )
        codes_raw = spec.get("codes")
        codes: dict[str, int] = {}
        if codes_raw is None:
            codes = {value: i for i, value in enumerate(choices.values(), start=1)}
        else:
            if not isinstance(codes_raw, dict):
                raise self.fail(f"{path}codes", "expected a table of value = integer code")
            for value, code in codes_raw.items():
                if value not in choices.values():
                    raise self.fail(
                        f"{path}codes.{value}",
                        f"not a {choices.__name__} value; allowed: {', '.join(choices.values())}",
                    )
                if not isinstance(code, int) or isinstance(code, bool):
                    raise self.fail(f"{path}codes.{value}", f"expected an integer, found {code!r}")
                codes[value] = code
            absent = [v for v in choices.values() if v not in codes]
            if absent:
                raise self.fail(f"{path}codes", f"no code for {', '.join(map(repr, absent))}")
        if len(set(codes.values())) != len(codes):
            raise self.fail(f"{path}codes", "two values share a code")
        for value, code in codes.items():
            norm = str(code)
            if norm in self.missing_keys:
                raise self.fail(f"{path}codes.{value}", f"code {code} is a missing-value code")
            if norm in seen and seen[norm] != value:
                raise self.fail(f"{path}codes.{value}", f"code {code} is the text of another value")
        return MappingProxyType(answers), MappingProxyType(codes)

    def single(self, name: str, spec: Mapping[str, Any], path: str) -> SingleSpec:
        self.check_keys(spec, {"column", "var", "answers", "codes"}, path)
        choices = ITEMS[name].choices
        answers, codes = self.answers(spec, path, choices)
        return SingleSpec(
            name=name,
            column=self.string(spec, "column", path),
            var=self.var(spec, path, name),
            choices=choices,
            answers=answers,
            codes=codes,
        )

    def options(
        self, spec: Mapping[str, Any], path: str, choices: type[Choice], question: str, prefix: str
    ) -> tuple[OptionSpec, ...]:
        raw = self.table(spec, "options", path)
        options: list[OptionSpec] = []
        for value, option in raw.items():
            key = f"{path}options.{value}"
            if value not in choices.values():
                raise self.fail(
                    key,
                    f"not a {choices.__name__} value; allowed: {', '.join(choices.values())}",
                )
            if isinstance(option, str):
                option = {"text": option}
            if not isinstance(option, dict):
                raise self.fail(key, "expected the option text, or a table with text/column/var")
            self.check_keys(option, {"text", "column", "var"}, f"{key}.")
            text = self.string(option, "text", f"{key}.")
            column = self.string(option, "column", f"{key}.", f"{question} - {text}")
            options.append(
                OptionSpec(value, text, column, self.var(option, f"{key}.", f"{prefix}{value}"))
            )
        absent = [v for v in choices.values() if v not in raw]
        if absent:
            raise self.fail(
                f"{path}options", f"no column for option(s) {', '.join(map(repr, absent))}"
            )
        texts = [normalise_text(o.text) for o in options]
        if len(set(texts)) != len(texts):
            raise self.fail(f"{path}options", "two options have the same text")
        return tuple(options)

    def multi(self, name: str, spec: Mapping[str, Any], path: str) -> MultiSpec:
        self.check_keys(spec, {"question", "options"}, path)
        question = self.string(spec, "question", path)
        choices = ITEMS[name].choices
        return MultiSpec(
            name, question, choices, self.options(spec, path, choices, question, f"{name}_")
        )

    def aims(self, spec: Mapping[str, Any], path: str) -> AimsSpec:
        self.check_keys(spec, {"question", "outcome_question", "options", "answers", "codes"}, path)
        question = self.string(spec, "question", path)
        outcome_question = self.string(spec, "outcome_question", path)
        options = self.options(spec, path, Aim, question, "aim_")
        outcome_columns = {
            o.value: OptionSpec(
                o.value, o.text, f"{outcome_question} - {o.text}", f"{o.var}_outcome"[:64]
            )
            for o in options
        }
        answers, codes = self.answers(spec, path, Achievement)
        return AimsSpec(
            question, outcome_question, options, MappingProxyType(outcome_columns), answers, codes
        )

    def columns(self, raw: object) -> tuple[ColumnSpec, ...]:
        if not isinstance(raw, dict):
            raise self.fail("columns", "expected a table of column tables")
        result: list[ColumnSpec] = []
        for name, spec in raw.items():
            path = f"columns.{name}."
            if name not in (*TEXT_COLUMNS, *NUMERIC_COLUMNS):
                raise self.fail(
                    f"columns.{name}",
                    f"unknown column; allowed: {', '.join((*TEXT_COLUMNS, *NUMERIC_COLUMNS))}",
                )
            if not isinstance(spec, dict):
                raise self.fail(f"columns.{name}", "expected a table")
            self.check_keys(spec, {"column", "var", "required", "pattern", "upper"}, path)
            kind: Literal["text", "number"] = "text" if name in TEXT_COLUMNS else "number"
            pattern = spec.get("pattern")
            if pattern is not None:
                if kind != "text" or not isinstance(pattern, str):
                    raise self.fail(f"{path}pattern", "a text pattern applies to text columns")
                try:
                    compile_pattern(pattern)
                except CodebookError as exc:
                    raise self.fail(
                        f"{path}pattern", f"invalid regular expression: {exc}"
                    ) from None
            flags = {k: spec.get(k, k == "required") for k in ("required", "upper")}
            for key, flag in flags.items():
                if not isinstance(flag, bool):
                    raise self.fail(f"{path}{key}", f"expected true or false, found {flag!r}")
            result.append(
                ColumnSpec(
                    name=name,
                    column=self.string(spec, "column", path),
                    var=self.var(spec, path, name),
                    kind=kind,
                    required=bool(flags["required"]),
                    pattern=pattern,
                    upper=bool(flags["upper"]),
                )
            )
        return tuple(result)

    def check_unique_columns(self, codebook: Codebook) -> None:
        headers: dict[str, str] = {}
        variables: dict[str, str] = {}

        def claim(header: str, var: str, owner: str) -> None:
            checks = (
                (headers, normalise_text(header), f"column {header!r}"),
                (variables, var.casefold(), f"SPSS variable {var!r}"),
            )
            for table, key, what in checks:
                if key in table:
                    raise self.fail(owner, f"{what} is also used by {table[key]}")
                table[key] = owner

        claim(codebook.id_column, codebook.id_var, "survey.id_column")
        for s in codebook.single:
            claim(s.column, s.var, f"items.{s.name}.column")
        for m in codebook.multi:
            for o in m.options:
                claim(o.column, o.var, f"items.{m.name}.options.{o.value}")
        if codebook.aims is not None:
            for o in codebook.aims.options:
                claim(o.column, o.var, f"items.aims.options.{o.value}")
                out = codebook.aims.outcome_columns[o.value]
                claim(out.column, out.var, f"items.aims.options.{o.value} (outcome)")
        for c in codebook.columns:
            claim(c.column, c.var, f"columns.{c.name}.column")
