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

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Protocol

import re2  # type: ignore[import-untyped,unused-ignore]

from gpcollab import __version__
from gpcollab.errors import CodebookError, GpcollabError
from gpcollab.instrument import ITEMS, NUMERIC_COLUMNS, TEXT_COLUMNS
from gpcollab.safe_write import write_text
from gpcollab.vocab import Achievement, Aim, Choice, Instrument

__all__ = [
    "AimsSpec",
    "AliasSuggestion",
    "Codebook",
    "ColumnSpec",
    "MultiSpec",
    "OptionSpec",
    "SingleSpec",
    "add_aliases",
    "alias_line",
    "codebook_toml",
    "compile_pattern",
    "list_codebooks",
    "load_codebook",
    "normalise_text",
    "suggest_alias",
    "write_codebook",
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
    organisation : str
        Who ran the survey (``survey.organisation``), named by chart source lines; empty when
        the file does not say. Only a codebook for the survey that organisation ran sets it.
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
    organisation: str = ""

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


def load_codebook(
    name_or_path: str | os.PathLike[str] | Codebook,
    *,
    aliases: Mapping[str, Mapping[str, str]] | None = None,
) -> Codebook:
    """Load and check a codebook.

    Parameters
    ----------
    name_or_path : str, path-like or Codebook
        A bundled name (see :func:`list_codebooks`), a path to a TOML codebook, or an already
        loaded :class:`Codebook` (returned unchanged when no ``aliases`` are given).
    aliases : mapping of str to mapping of str to str, optional
        More answer texts for the codebook's items, without copying it: item name (a
        single-choice item, or ``"aims"`` for the achievement answers) -> {answer text as
        written in your export: machine value}, e.g.
        ``{"aims": {"Partly achieved": "partially"}}``. The result is named
        ``"<name>+aliases"`` (see :func:`add_aliases`). A TOML file can do the same with
        ``extends = "gp2017"`` and an ``[aliases.<item>]`` table.

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
    >>> local = load_codebook("gp2017", aliases={"aims": {"Partly achieved": "partially"}})
    >>> local.name, local.aims.answers["Partly achieved"]
    ('gp2017+aliases', 'partially')
    """
    codebook = _load(name_or_path, ())
    if aliases is None:
        return codebook
    return add_aliases(codebook, aliases)


def _load(name_or_path: str | os.PathLike[str] | Codebook, chain: tuple[str, ...]) -> Codebook:
    """:func:`load_codebook` without aliases; ``chain`` holds the files extending this one."""
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
    codebook = _parse(text, str(path), chain)
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
    """Build a :class:`Codebook` from TOML text (``source`` names it in error messages).

    A text with a top-level ``extends`` key is a set of aliases for another codebook (see
    :func:`add_aliases`); a relative path in ``extends`` is taken from the folder of
    ``source``.
    """
    return _parse(text, source, ())


def _parse(text: str, source: str, chain: tuple[str, ...]) -> Codebook:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CodebookError(f"{source}: not valid TOML ({exc})") from exc
    if "extends" in data:
        return _extend(data, source, chain)
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
                "organisation",
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
            organisation=self.string(survey, "organisation", "survey.", ""),
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
        self, spec: Mapping[str, Any], path: str, choices: type[Choice], table: str = "answers"
    ) -> tuple[Mapping[str, str], Mapping[str, int]]:
        raw = self.table(spec, table, path)
        answers: dict[str, str] = {}
        seen: dict[str, str] = {}
        for text, value in raw.items():
            key = f"{path}{table}.{text}"
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
                f"{path}{table}",
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


# -- aliases: more answer texts without copying a codebook -----------------------------------

ALIAS_SUFFIX = "+aliases"
"""Added to a codebook's name when :func:`load_codebook` is given ``aliases=``."""


def add_aliases(
    codebook: Codebook,
    aliases: Mapping[str, Mapping[str, str]],
    *,
    name: str | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Codebook:
    """A copy of ``codebook`` that also reads the answer texts in ``aliases``.

    Parameters
    ----------
    codebook : Codebook
        The codebook to extend (bundled or your own).
    aliases : mapping of str to mapping of str to str
        Item name -> {answer text as written in the export: machine value}. Items are the
        codebook's single-choice items, and ``"aims"`` for the achievement answers of every
        aim. A text already declared with the same value is accepted (nothing changes).
    name : str, optional
        Name of the result (recorded in ``SurveyMeta.codebook``); default
        ``"<codebook name>+aliases"``. A bundled codebook's name is refused.
    title : str, optional
        Title of the result; default the codebook's.
    source : str, optional
        Where the aliases come from (a file), used in error messages.

    Returns
    -------
    Codebook
        The same columns, items and codes; each aliased item reads its texts and the new
        ones. The texts written by :func:`~gpcollab.io.write_survey` (the first text of each
        value) do not change.

    Raises
    ------
    CodebookError
        An unknown item, a tick-all-that-apply item (its cells are ticks, not answers), a value
        outside the item's vocabulary, a text that is a missing-value code, or a text that
        already means another value. The message names the item, the text and what is allowed.

    Examples
    --------
    >>> cb = add_aliases(load_codebook("gp2017"), {"role": {"Partner": "gp_partner"}})
    >>> cb.name, cb.single[0].answers["Partner"]
    ('gp2017+aliases', 'gp_partner')
    """
    builder = _Builder(source or f"aliases for codebook {codebook.name!r}")
    builder.missing_keys = {normalise_text(m) for m in codebook.missing}
    if not isinstance(aliases, Mapping):
        raise builder.fail("aliases", "expected a table: item name -> {answer text: value}")
    singles = {spec.name: spec for spec in codebook.single}
    aims = codebook.aims
    for item, table in aliases.items():
        where = f"aliases.{item}"
        if not isinstance(table, Mapping):
            raise builder.fail(where, 'expected a table of "answer text" = "value" lines')
        current: SingleSpec | AimsSpec
        if item in singles:
            current = singles[item]
            choices = current.choices
        elif item == "aims" and aims is not None:
            current, choices = aims, Achievement
        else:
            raise builder.fail(where, _not_aliasable(codebook, item))
        merged = dict(current.answers)
        known = {normalise_text(text): value for text, value in merged.items()}
        for text, value in table.items():
            norm = normalise_text(str(text))
            if norm in known and known[norm] != value:
                raise builder.fail(
                    f"{where}.{text}",
                    f"{text!r} already means {known[norm]!r} in {codebook.name}; an alias adds "
                    "a text, it cannot change what a text means",
                )
            if norm not in known:
                merged[str(text)] = value
        answers, _ = builder.answers(
            {where: merged, "codes": dict(current.codes)}, "", choices, table=where
        )
        if isinstance(current, SingleSpec):
            singles[item] = replace(current, answers=answers)
        else:
            aims = replace(current, answers=answers)
    new_name = (name if name is not None else f"{codebook.name}{ALIAS_SUFFIX}").strip()
    if not new_name or new_name in BUNDLED:
        raise builder.fail(
            "survey.name",
            f"{new_name!r} cannot name a codebook with aliases (a bundled codebook has it, or "
            "it is blank); choose another name",
        )
    extended = replace(
        codebook,
        name=new_name,
        title=codebook.title if title is None else title,
        single=tuple(singles[spec.name] for spec in codebook.single),
        aims=aims,
        source=source or codebook.source,
    )
    _LOADED[extended.name] = extended
    return extended


def _answer_items(codebook: Codebook) -> list[str]:
    """The items of ``codebook`` whose cells hold answer texts (single choice, then aims)."""
    return [spec.name for spec in codebook.single] + (["aims"] if codebook.aims else [])


def _not_aliasable(codebook: Codebook, item: str) -> str:
    allowed = ", ".join(_answer_items(codebook))
    if any(multi.name == item for multi in codebook.multi):
        return (
            f"{item} is a tick-all-that-apply item: its cells are ticks, not answers (cell "
            f"texts meaning ticked or not are survey.ticked and survey.unticked); items with "
            f"answer texts: {allowed}"
        )
    return f"not an item of {codebook.name} with answer texts; allowed: {allowed}"


def _extend(data: Mapping[str, Any], source: str, chain: tuple[str, ...]) -> Codebook:
    """A codebook file with ``extends`` (a base codebook) and ``[aliases.<item>]`` tables."""
    builder = _Builder(source)
    builder.check_keys(data, {"extends", "survey", "aliases"}, "")
    reference = data["extends"]
    if not isinstance(reference, str) or not reference.strip():
        raise builder.fail(
            "extends",
            f"expected a bundled codebook ({', '.join(list_codebooks())}) or the path of a "
            f".toml codebook, found {reference!r}",
        )
    reference = reference.strip()
    here = str(Path(source).resolve()) if source.lower().endswith(".toml") else source
    base_ref: str | Path = reference
    if reference not in BUNDLED:
        base_path = Path(reference)
        if not base_path.is_absolute() and source.lower().endswith(".toml"):
            base_path = Path(source).parent / base_path
        if str(base_path.resolve()) in (*chain, here):
            raise builder.fail("extends", f"{reference!r} leads back to this file (a loop)")
        base_ref = base_path
    try:
        base = _load(base_ref, (*chain, here))
    except CodebookError as exc:
        raise builder.fail("extends", f"cannot load {reference!r}: {exc}") from None
    survey = data.get("survey", {})
    if not isinstance(survey, dict):
        raise builder.fail("survey", "expected a table (name, title)")
    builder.check_keys(survey, {"name", "title"}, "survey.")
    name = Path(source).stem if source.lower().endswith(".toml") else None
    if "name" in survey:
        name = builder.string(survey, "name", "survey.")
    title = builder.string(survey, "title", "survey.", base.title)
    aliases = data.get("aliases", {})
    if not isinstance(aliases, dict):
        raise builder.fail("aliases", "expected [aliases.<item>] tables")
    return add_aliases(base, aliases, name=name, title=title, source=source)


# -- suggestions for answers a codebook does not know -----------------------------------------


def alias_line(found: str, value: str) -> str:
    """The TOML line that maps the answer text ``found`` to the machine ``value``.

    Examples
    --------
    >>> print(alias_line('Partly "achieved"', "partially"))
    "Partly \\"achieved\\"" = "partially"
    """
    return f"{toml_string(found.strip())} = {toml_string(value)}"


@dataclass(frozen=True)
class AliasSuggestion:
    """What to add to a codebook so that it reads an answer text it does not know.

    Attributes
    ----------
    item : str
        The item (``"aims"`` for an achievement answer).
    found : str
        The answer text found in the export.
    value : str or None
        The machine value of the closest known answer, or None when no answer is close (the
        line then holds ``VALUE``, to be replaced by one of ``allowed``).
    closest : str or None
        The known answer text (or value label) ``found`` resembles most.
    allowed : tuple of str
        The item's machine values.
    line : str
        The TOML line to add, e.g. ``"Partly achieved" = "partially"``.
    table : str
        Where the line goes in a file that extends the codebook, e.g. ``aliases.aims``.
    copy_table : str
        Where it goes in a full copy of the codebook, e.g. ``items.aims.answers``.
    codebook : str
        Name of the codebook that did not know the answer.
    """

    item: str
    found: str
    value: str | None
    closest: str | None
    allowed: tuple[str, ...]
    line: str
    table: str
    copy_table: str
    codebook: str

    def __str__(self) -> str:
        where = (
            f"under [{self.table}] of a codebook file with extends = "
            f"{toml_string(self.codebook)}, or under [{self.copy_table}] of your own copy"
        )
        if self.value is None:
            return (
                f"to read {self.found!r}, add {self.line} {where}, with VALUE one of: "
                f"{', '.join(self.allowed)}"
            )
        closest = f"closest known answer: {self.closest!r}"
        return f"to read {self.found!r}, add {self.line} {where} ({closest})"


def suggest_alias(
    codebook: Codebook | str | os.PathLike[str], item_or_column: str, found: str
) -> AliasSuggestion:
    """The codebook line that would make an unknown answer text readable.

    For the output of ``gpcollab validate`` and load reports: when a cell of a single-choice
    item (or an aim's achievement) holds a text the codebook does not know, this says which
    line to add and where. The suggested value is the one whose known answer texts (or value
    label, or machine value) the found text resembles most (:mod:`difflib` ratio of the
    normalised texts, at least 0.6); when none is that close the line holds ``VALUE`` and
    :attr:`AliasSuggestion.allowed` lists the choices.

    Parameters
    ----------
    codebook : Codebook, str or path-like
        The codebook used to read the export (or its name or path).
    item_or_column : str
        An item name (``"role"``, ``"aims"``), or the export header of its column as the
        codebook declares it (an aim's achievement column counts as ``"aims"``), or its SPSS
        variable name.
    found : str
        The cell text that was not recognised.

    Returns
    -------
    AliasSuggestion
        ``str()`` of it is one readable sentence; ``.line`` is the TOML line alone.

    Raises
    ------
    CodebookError
        If ``item_or_column`` is not an item of the codebook with answer texts.

    Examples
    --------
    >>> hint = suggest_alias("gp2017", "aims", "Partly achieved")
    >>> hint.line, hint.table
    ('"Partly achieved" = "partially"', 'aliases.aims')
    """
    cb = load_codebook(codebook)
    item = _item_of(cb, item_or_column)
    if item == "aims":
        assert cb.aims is not None  # _item_of returns "aims" only when the codebook has them
        answers: Mapping[str, str] = cb.aims.answers
        choices: type[Choice] = Achievement
    else:
        spec = next(s for s in cb.single if s.name == item)
        answers, choices = spec.answers, spec.choices
    candidates = [(text, value) for text, value in answers.items()]
    candidates += [(label, value) for value, label in choices.labels().items()]
    candidates += [(value, value) for value in choices.values()]
    key = normalise_text(found)
    best_ratio, closest, value = 0.0, None, None
    for text, target in candidates:
        ratio = difflib.SequenceMatcher(None, key, normalise_text(text)).ratio()
        if ratio > best_ratio:
            best_ratio, closest, value = ratio, text, target
    if best_ratio < _CLOSE_ENOUGH:
        closest, value = None, None
    return AliasSuggestion(
        item=item,
        found=found.strip(),
        value=value,
        closest=closest,
        allowed=tuple(choices.values()),
        line=alias_line(found, value if value is not None else "VALUE"),
        table=f"aliases.{item}",
        copy_table=f"items.{item}.answers",
        codebook=cb.name,
    )


_CLOSE_ENOUGH = 0.6


def _item_of(codebook: Codebook, item_or_column: str) -> str:
    """The answer item named by an item name, a declared header or an SPSS variable name."""
    if item_or_column in _answer_items(codebook):
        return item_or_column
    key = normalise_text(item_or_column)
    for spec in codebook.single:
        if key in (normalise_text(spec.column), normalise_text(spec.var)):
            return spec.name
    if codebook.aims is not None:
        for out in codebook.aims.outcome_columns.values():
            if key in (normalise_text(out.column), normalise_text(out.var)):
                return "aims"
    raise CodebookError(
        f"{codebook.name}: {item_or_column!r} is not an item or column with answer texts; "
        f"items with answer texts: {', '.join(_answer_items(codebook))}"
    )


# -- writing an editable codebook ------------------------------------------------------------

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_TOML_ESCAPES["\r"] = "\\r"


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (quoted, with escapes).

    Examples
    --------
    >>> toml_string('Don\\'t "know"')
    '"Don\\'t \\\\"know\\\\""'
    """
    out = []
    for char in text:
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(text: str) -> str:
    return text if _BARE_KEY.match(text) else toml_string(text)


def _strings(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def _allowed(choices: type[Choice]) -> list[str]:
    """Comment lines listing a vocabulary's machine values and their labels."""
    pairs = [f"{value} ({label})" for value, label in choices.labels().items()]
    lines, current = [], "# values:"
    for pair in pairs:
        if len(current) + len(pair) + 2 > 98:
            lines.append(current)
            current = "#   "
        current += f" {pair},"
    lines.append(current.rstrip(","))
    return lines


def _answer_tables(path: str, answers: Mapping[str, str], codes: Mapping[str, int]) -> list[str]:
    lines = [
        "",
        f"[{path}.answers]   # answer text in the export = value; add a line for each wording",
    ]
    lines += [f"{toml_string(text)} = {toml_string(value)}" for text, value in answers.items()]
    lines += ["", f"[{path}.codes]   # numeric codes (SPSS values; also read in text files)"]
    lines += [f"{_key(value)} = {code}" for value, code in codes.items()]
    return lines


def _option_lines(options: tuple[OptionSpec, ...], question: str, prefix: str) -> list[str]:
    lines = []
    for option in options:
        if (
            option.column == f"{question} - {option.text}"
            and option.var == f"{prefix}{option.value}"
        ):
            lines.append(f"{_key(option.value)} = {toml_string(option.text)}")
        else:
            lines.append(
                f"{_key(option.value)} = {{ text = {toml_string(option.text)}, column = "
                f"{toml_string(option.column)}, var = {toml_string(option.var)} }}"
            )
    return lines


def codebook_toml(codebook: Codebook | str | os.PathLike[str], *, name: str | None = None) -> str:
    """An editable, commented TOML text of a codebook, to adapt to your own export.

    Every key is written out (nothing is left to a default), each item says its kind and lists
    its allowed values, and the head of the file says how to adapt it. Loading the text gives
    back the same codebook (under ``name``).

    Parameters
    ----------
    codebook : Codebook, str or path-like
        The codebook to write out: a bundled name, a path or a loaded codebook.
    name : str, optional
        The ``survey.name`` of the new codebook (default: the codebook's own name).

    Returns
    -------
    str

    Examples
    --------
    >>> text = codebook_toml("ccg2017", name="my_ccg")
    >>> parse_codebook(text).name, parse_codebook(text).items == load_codebook("ccg2017").items
    ('my_ccg', True)
    """
    cb = load_codebook(codebook)
    new_name = cb.name if name is None else name
    lines = [
        f"# gpcollab codebook {new_name!r}: what the columns and answers of an export mean.",
        f"# Written by gpcollab {__version__} from the codebook {cb.label}.",
        "#",
        "# To adapt it to your export:",
        "# - Headers: set each `column` (and the `question` of tick-all-that-apply items) to the",
        "#   header your export has. Headers and answers match ignoring case, repeated spaces and",
        "#   dash or curly-quote variants.",
        "# - Answers: under [items.<item>.answers] each line maps an answer text of your export to",
        '#   a value, e.g. "Partly achieved" = "partially". Add a line for every wording your',
        "#   export uses; several texts may share a value; the first text of a value is the one",
        "#   write_survey writes. The values of each item are listed above it.",
        "# - Check it: gpcollab.load_codebook('this-file.toml') names the key and the problem;",
        "#   gpcollab validate export.csv --codebook this-file.toml checks an export.",
        "# - Only adding answer texts? A short file does it without a copy:",
        f'#       extends = "{cb.name}"',
        "#       [aliases.aims]",
        '#       "Partly achieved" = "partially"',
        "#   (README: 'Loading your own export and writing a codebook').",
    ]
    if cb.name in BUNDLED:
        lines += [
            "# The bundled codebooks' headers and answer texts are our design: the real exports",
            "# of the 2015 and 2017 surveys were never published.",
        ]
    lines += [
        "",
        "[survey]",
        f"name = {toml_string(new_name)}   # recorded in SurveyData.meta.codebook",
        f"wave = {cb.wave}",
        f'instrument = "{cb.instrument.value}"   # "gp" or "ccg"',
        f"title = {toml_string(cb.title)}",
        f"# organisation = {toml_string(cb.organisation or 'Who ran the survey')}"
        "   # named in chart source lines; set it only for the survey it ran",
        f"id_column = {toml_string(cb.id_column)}   # header of the respondent id",
        f"id_var = {toml_string(cb.id_var)}   # SPSS variable name of the id",
        f'missing = {_strings(cb.missing)}   # mean "no answer" in every column',
        f"ticked = {_strings(cb.ticked)}   # tick cells meaning ticked (the option text too)",
        f"unticked = {_strings(cb.unticked)}   # ... and not ticked (blank cells too)",
        f"sheet = {toml_string(cb.sheet)}"
        if cb.sheet
        else '# sheet = "Sheet1"   # XLSX: the sheet to read (default: the one that fits)',
        f"decimal = {toml_string(cb.decimal)}"
        if cb.decimal
        else '# decimal = ","   # decimal mark of numbers in CSV files (default: detected)',
    ]
    for column in cb.columns:
        lines += [
            "",
            f"[columns.{column.name}]   # a {column.kind} column",
            f"column = {toml_string(column.column)}",
            f"var = {toml_string(column.var)}",
            f"required = {'true' if column.required else 'false'}",
            f"upper = {'true' if column.upper else 'false'}   # upper-case the text first",
        ]
        if column.pattern is not None:
            lines.append(f"pattern = {toml_string(column.pattern)}   # a value must match it")
    singles = {spec.name: spec for spec in cb.single}
    multis = {spec.name: spec for spec in cb.multi}
    for item in cb.items:
        lines.append("")
        if item in singles:
            spec = singles[item]
            lines += [f"# {item}: single choice, one column.", *_allowed(spec.choices)]
            lines += [
                f"[items.{item}]",
                f"column = {toml_string(spec.column)}",
                f"var = {toml_string(spec.var)}",
            ]
            lines += _answer_tables(f"items.{item}", spec.answers, spec.codes)
        elif item in multis:
            multi = multis[item]
            lines += [
                f"# {item}: tick all that apply, one column per option; a one-row header is",
                '# "<question> - <option text>" unless the option gives its own column.',
                *_allowed(multi.choices),
                f"[items.{item}]",
                f"question = {toml_string(multi.question)}",
                "",
                f"[items.{item}.options]   # value = option text",
                *_option_lines(multi.options, multi.question, f"{item}_"),
            ]
        elif cb.aims is not None:
            aims = cb.aims
            lines += [
                "# aims: per aim a tick column (was the aim set?) and an achievement column",
                '# ("<outcome_question> - <option text>"), which holds one of the answers below.',
                *_allowed(Aim),
                "[items.aims]",
                f"question = {toml_string(aims.question)}",
                f"outcome_question = {toml_string(aims.outcome_question)}",
                "",
                "[items.aims.options]   # aim = option text",
                *_option_lines(aims.options, aims.question, "aim_"),
                "",
                "# achievement answers:",
                *_allowed(Achievement),
            ]
            lines += _answer_tables("items.aims", aims.answers, aims.codes)[1:]
    return "\n".join(lines) + "\n"


def write_codebook(
    path: str | os.PathLike[str],
    base: Codebook | str | os.PathLike[str] = "gp2017",
    *,
    name: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write an editable copy of a codebook (:func:`codebook_toml`) to ``path``.

    Parameters
    ----------
    path : str or path-like
        The ``.toml`` file to write (atomically).
    base : Codebook, str or path-like, default="gp2017"
        The codebook to start from: a bundled name (:func:`list_codebooks`) or a path.
    name : str, optional
        ``survey.name`` of the new codebook; default the file's stem (``my_gp.toml`` ->
        ``my_gp``), with ``_local`` added when that is a bundled codebook's name.
    overwrite : bool, default=False
        Replace an existing file.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    CodebookError
        Unknown base (the message lists the bundled codebooks), a path that does not end in
        ``.toml``, or an existing file without ``overwrite``.
    """
    target = Path(os.fspath(path))
    if target.suffix.lower() != ".toml":
        raise CodebookError(f"{target}: a codebook file name ends in .toml")
    if target.exists() and not overwrite:
        raise CodebookError(
            f"{target}: the file exists; choose another name, or overwrite it (overwrite=True; "
            "--force on the command line)"
        )
    if name is None:
        name = target.stem if target.stem not in BUNDLED else f"{target.stem}_local"
    text = codebook_toml(base, name=name)
    parse_codebook(text, source=str(target))  # the file written must load
    try:
        return write_text(target, text)
    except GpcollabError as exc:
        raise CodebookError(str(exc)) from None
