"""Typed tables of one survey wave and instrument: :class:`SurveyData`.

A response set has three kinds of table:

``respondents``
    One row per respondent: ``respondent_id`` (unique text), one ordered categorical column per
    single-choice item the instrument asked (see :data:`ITEMS`), and optionally the numeric
    columns ``collab_patients`` (registered patients the collaboration covers) and ``weight``,
    and the text column ``ccg_code`` (for clustered designs).
``aims``
    Long: one row per aim a respondent's collaboration set, with columns ``respondent_id``,
    ``aim`` (:class:`~gpcollab.vocab.Aim`) and ``outcome``
    (:class:`~gpcollab.vocab.Achievement`, missing when not answered).
``multi``
    One long table per multi-select item asked, with columns ``respondent_id`` and ``option``:
    one row per option a respondent ticked.

The item list and the optional respondent columns are the instrument's facts, declared in
:mod:`gpcollab.instrument` (and importable from here as before).

Construction coerces every column to its dtype and validates all tables at once (pandera,
``lazy=True``, plus referential checks); every problem found is reported in one
:class:`~gpcollab.errors.SurveyValidationError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from gpcollab import _html
from gpcollab.errors import MissingItemError, SurveyValidationError
from gpcollab.instrument import ITEMS, NUMERIC_COLUMNS, SYNTHETIC_NOTICE, TEXT_COLUMNS, Item
from gpcollab.routing import RULES, find_violations
from gpcollab.vocab import (
    Achievement,
    Aim,
    Choice,
    Instrument,
    Membership,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ITEMS",
    "NUMERIC_COLUMNS",
    "SYNTHETIC_NOTICE",
    "TEXT_COLUMNS",
    "Item",
    "SurveyData",
    "SurveyMeta",
]


@dataclass(frozen=True)
class SurveyMeta:
    """Facts about a response set.

    Attributes
    ----------
    wave : int
        Year of the wave (2015, 2017, or a later one).
    instrument : Instrument
        GP-practice staff or CCG staff questionnaire.
    n : int
        Number of respondents; must equal the rows of ``respondents``.
    source : str
        Where the responses come from (a file path, or the reconstruction that built them).
    synthetic : bool
        True for reconstructed (synthetic) sets. Every artefact drawn from such a set says so.
    codebook : str or None
        Name of the codebook the set was read with, if any.
    items : tuple of str
        Items the instrument asked (keys of :data:`ITEMS`).
    notes : str
        Free text.
    organisation : str
        Who ran the survey, as a chart's source line names it (e.g. ``"Nuffield Trust and
        RCGP"``); empty when the metadata does not say, and the source line then names the
        survey and its year only. The bundled sets and reconstructions of the published surveys
        carry :data:`~gpcollab.instrument.PUBLISHED_SURVEYS`; an export read with a codebook
        carries the codebook's ``survey.organisation``.
    """

    wave: int
    instrument: Instrument
    n: int
    source: str
    synthetic: bool
    codebook: str | None = None
    items: tuple[str, ...] = ()
    notes: str = ""
    organisation: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "instrument", Instrument.parse(self.instrument))
        object.__setattr__(self, "items", tuple(self.items))

    @property
    def label(self) -> str:
        """Short human label, e.g. ``"GP practice staff survey 2017"``."""
        return f"{self.instrument.label} {self.wave}"

    def _repr_html_(self) -> str:
        """Its facts, with the synthetic banner, and the items asked."""
        return _html.box(
            f"<b>{escape(self.label)}</b>{_synthetic_banner(self.synthetic)}",
            _html.definition_table(_meta_facts(self)),
            f"<div>items asked: {escape(', '.join(self.items) or 'none')}</div>",
        )


def _synthetic_banner(synthetic: bool) -> str:
    return _html.notice_banner(SYNTHETIC_NOTICE if synthetic else "")


def _meta_facts(meta: SurveyMeta) -> list[tuple[str, object]]:
    facts: list[tuple[str, object]] = [
        ("instrument", meta.instrument.label),
        ("wave", meta.wave),
        ("respondents", f"{meta.n:,}"),
        ("synthetic", "yes — reconstructed from published figures" if meta.synthetic else "no"),
        ("source", meta.source),
    ]
    if meta.organisation:
        facts.append(("run by", meta.organisation))
    if meta.codebook:
        facts.append(("codebook", meta.codebook))
    if meta.notes:
        facts.append(("notes", meta.notes))
    return facts


_Failure = dict[str, Any]


@dataclass(frozen=True, eq=False)
class SurveyData:
    """One wave of one instrument: respondents, aims, multi-select answers and metadata.

    Parameters
    ----------
    respondents : pandas.DataFrame
        One row per respondent (see the module docstring). Text or categorical columns are
        coerced to the ordered categoricals of the vocabulary; unknown answers are errors.
    aims : pandas.DataFrame, optional
        Long table ``respondent_id, aim, outcome``. Defaults to an empty table.
    multi : mapping of str to pandas.DataFrame, optional
        One long table ``respondent_id, option`` per multi-select item asked.
    meta : SurveyMeta
        Wave, instrument, n, source, synthetic flag, codebook and items asked.

    Raises
    ------
    SurveyValidationError
        Listing every problem at once (with a ``failures`` DataFrame).

    Examples
    --------
    >>> import pandas as pd
    >>> from gpcollab import SurveyData, SurveyMeta
    >>> meta = SurveyMeta(2017, "gp", n=2, source="example", synthetic=False,
    ...                   items=("membership",))
    >>> data = SurveyData(pd.DataFrame({"respondent_id": ["a", "b"],
    ...                                 "membership": ["formal", "none"]}), meta=meta)
    >>> data.respondents["membership"].cat.categories[:2].tolist()
    ['formal', 'informal']
    """

    respondents: pd.DataFrame
    aims: pd.DataFrame | None = None
    multi: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    meta: SurveyMeta = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not isinstance(self.meta, SurveyMeta):
            raise SurveyValidationError(
                f"SurveyData needs meta=SurveyMeta(...), got {type(self.meta).__name__}"
            )
        respondents, aims, multi = _coerce_and_validate(
            self.respondents, self.aims, self.multi, self.meta
        )
        object.__setattr__(self, "respondents", respondents)
        object.__setattr__(self, "aims", aims)
        object.__setattr__(self, "multi", MappingProxyType(multi))

    # -- convenience -------------------------------------------------------------------------

    @property
    def n(self) -> int:
        """Number of respondents."""
        return len(self.respondents)

    @property
    def synthetic(self) -> bool:
        """True when the set is a synthetic reconstruction."""
        return self.meta.synthetic

    def asks(self, item: str) -> bool:
        """Whether this instrument asked ``item``."""
        return item in self.meta.items

    def require(self, *items: str) -> None:
        """Raise :class:`MissingItemError` unless every item in ``items`` was asked."""
        missing = [item for item in items if item not in self.meta.items]
        if missing:
            asked = ", ".join(self.meta.items) or "nothing"
            raise MissingItemError(
                f"The {self.meta.label} set does not have {', '.join(map(repr, missing))}; "
                f"it asked: {asked}."
            )

    def collaborating(self) -> pd.Series:
        """Boolean Series (aligned with ``respondents``): respondent is in a collaboration.

        CCG instruments, which do not ask about membership, give all False.
        """
        import pandas as pd  # light: `import gpcollab.schema` does not load pandas

        if "membership" not in self.respondents:
            return pd.Series(False, index=self.respondents.index, name="collaborating")
        values = [m.value for m in Membership.collaborating()]
        return self.respondents["membership"].isin(values).rename("collaborating")

    def selected(self, item: str) -> pd.DataFrame:
        """Wide boolean table of a multi-select item: one row per respondent, one column per
        option, True where ticked. Rows follow ``respondents``; index is ``respondent_id``."""
        import numpy as np  # light: `import gpcollab.schema` does not load numpy
        import pandas as pd  # light: `import gpcollab.schema` does not load pandas

        self.require(item)
        spec = ITEMS[item]
        if spec.kind != "multi":
            raise MissingItemError(f"{item!r} is not a multi-select item")
        long = self.multi[item]
        ids = pd.Index(self.respondents["respondent_id"], name="respondent_id")
        options = spec.choices.values()
        ticked = np.zeros((len(ids), len(options)), dtype=bool)
        rows = ids.get_indexer(long["respondent_id"])
        columns = long["option"].cat.codes.to_numpy()
        ticked[rows, columns] = True  # ids and options were validated at construction
        columns_index = pd.CategoricalIndex(options, dtype=spec.choices.dtype(), name="option")
        return pd.DataFrame(ticked, index=ids, columns=columns_index)

    def aims_wide(self) -> pd.DataFrame:
        """Outcome per respondent and aim: rows follow ``respondents`` (index
        ``respondent_id``), one categorical column per aim, missing where the aim was not set."""
        import pandas as pd  # light: `import gpcollab.schema` does not load pandas

        self.require("aims")
        aims = self.aims
        assert aims is not None
        wide = pd.DataFrame(index=pd.Index(self.respondents["respondent_id"], name="respondent_id"))
        for aim in Aim:
            chosen = aims.loc[aims["aim"] == aim.value, ["respondent_id", "outcome"]]
            column = chosen.set_index("respondent_id")["outcome"].reindex(wide.index)
            wide[aim.value] = column.astype(Achievement.dtype())
        return wide

    def equals(self, other: object) -> bool:
        """True when both sets hold identical tables and metadata."""
        if not isinstance(other, SurveyData) or self.meta != other.meta:
            return False
        if set(self.multi) != set(other.multi):
            return False
        assert self.aims is not None and other.aims is not None
        return (
            self.respondents.equals(other.respondents)
            and self.aims.equals(other.aims)
            and all(self.multi[k].equals(other.multi[k]) for k in self.multi)
        )

    def _repr_html_(self) -> str:
        """The dataset card: instrument, wave, respondents, source, the synthetic banner for a
        reconstructed set, and (folded) every item asked with its answer set (machine value
        and label) and how many answered it."""
        n_aims = 0 if self.aims is None else len(self.aims)
        return _html.box(
            f"<b>SurveyData: {escape(self.meta.label)}</b>",
            _synthetic_banner(self.meta.synthetic),
            _html.definition_table([*_meta_facts(self.meta), ("aim rows", f"{n_aims:,}")]),
            _items_table(self),
        )

    def __repr__(self) -> str:
        flag = f" — {SYNTHETIC_NOTICE}" if self.meta.synthetic else ""
        n_aims = 0 if self.aims is None else len(self.aims)
        return (
            f"<SurveyData {self.meta.label}: {self.n} respondents, {n_aims} aim rows, "
            f"multi-select {sorted(self.multi)}{flag}>"
        )


def _items_table(survey: SurveyData) -> str:
    """The folded table of the items ``survey`` asked: answer sets and how many answered."""
    rows = []
    for name in survey.meta.items:
        item = ITEMS.get(name)
        if item is None:
            continue
        labels = item.choices.labels()
        answers = "; ".join(f"<code>{escape(v)}</code> {escape(t)}" for v, t in labels.items())
        if item.kind == "single" and name in survey.respondents:
            answered = f"{int(survey.respondents[name].notna().sum()):,}"
        elif item.kind == "multi" and name in survey.multi:
            answered = f"{survey.multi[name]['respondent_id'].nunique():,} ticked any"
        elif item.kind == "aims" and survey.aims is not None:
            answered = f"{survey.aims['respondent_id'].nunique():,} set an aim"
        else:
            answered = ""
        cells = [escape(name), escape(item.kind), escape(item.question), answers, answered]
        rows.append(_html.row(map(_html.td, cells)))
    headers = ("item", "kind", "question", "answers", "answered")
    return (
        f"<details><summary>{len(rows)} items and their answer sets</summary>"
        f"{_html.table(headers, rows)}</details>"
    )


# -- coercion and validation -----------------------------------------------------------------


def _failure(
    table: str,
    column: str,
    check: str,
    row: object,
    value: object,
    respondent_id: str | None = None,
    rule: str | None = None,
) -> _Failure:
    return {
        "table": table,
        "column": column,
        "check": check,
        "row": row,
        "value": value,
        "respondent_id": respondent_id,
        "rule": rule,
    }


def _coerce_categorical(
    frame: pd.DataFrame, table: str, column: str, choices: type[Choice], failures: list[_Failure]
) -> None:
    """Replace ``frame[column]`` by the enum's ordered categorical; record unknown values."""
    # light: `import gpcollab.schema` does not load numpy or pandas
    import numpy as np
    import pandas as pd

    raw = frame[column]
    dtype = choices.dtype()
    # the text of each distinct value, then its category (-1: unknown); missing stays -1
    codes: np.ndarray[Any, np.dtype[np.intp]]
    if isinstance(raw.dtype, pd.CategoricalDtype):
        codes = raw.cat.codes.to_numpy().astype(np.intp)
        distinct = list(raw.cat.categories)
    else:
        found, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
        codes, distinct = found.astype(np.intp), list(uniques)
    text = [str(value) for value in distinct]
    category = np.asarray(dtype.categories.get_indexer(pd.Index(text, dtype=object)))
    present = codes >= 0
    final = np.full(len(raw), -1, dtype=np.intp)
    final[present] = category[codes[present]]
    unknown = present & (final < 0)
    if unknown.any():
        allowed = ", ".join(choices.values())
        for position in np.flatnonzero(unknown).tolist():
            value = text[int(codes[position])]
            failures.append(
                _failure(table, column, f"one of: {allowed}", raw.index[position], value)
            )
    # unknown values become missing here, but they are reported above and construction fails
    frame[column] = pd.Categorical.from_codes(final, dtype=dtype)  # type: ignore[arg-type]


def _as_text(column: pd.Series) -> pd.Series:
    """Present values as ``str`` (missing ones stay missing)."""
    import pandas as pd  # light: `import gpcollab.schema` does not load pandas

    if column.dtype == object and pd.api.types.infer_dtype(column, skipna=False) == "string":
        return column  # text already, nothing missing
    return column.where(column.isna(), column.map(str, na_action="ignore"))


def _single_items(meta: SurveyMeta) -> list[str]:
    return [i for i in meta.items if i in ITEMS and ITEMS[i].kind == "single"]


def _check_respondent_columns(
    respondents: pd.DataFrame, meta: SurveyMeta, failures: list[_Failure]
) -> None:
    """Every column known and promised by ``meta.items``; every promised item present."""
    import pandas as pd  # light: `import gpcollab.schema` does not load pandas

    for item in meta.items:
        if item not in ITEMS:
            failures.append(
                _failure("meta", "items", f"known item ({', '.join(ITEMS)})", None, item)
            )
    single = _single_items(meta)
    known = {"respondent_id", *NUMERIC_COLUMNS, *TEXT_COLUMNS}
    for column in respondents.columns:
        if column in known:
            continue
        if column in ITEMS and ITEMS[column].kind == "single":
            if column not in single:
                failures.append(
                    _failure("respondents", column, "column listed in meta.items", None, column)
                )
            continue
        failures.append(_failure("respondents", column, "known column", None, column))
    for item in single:
        if item not in respondents.columns:
            failures.append(_failure("respondents", item, "column present", None, None))
    if "respondent_id" not in respondents.columns:
        failures.append(_failure("respondents", "respondent_id", "column present", None, None))
        respondents["respondent_id"] = pd.Series(dtype=object)


def _coerce_respondents(
    respondents: pd.DataFrame, meta: SurveyMeta, failures: list[_Failure]
) -> pd.DataFrame:
    """Check the columns, then coerce items to categoricals, numbers to float, text to str."""
    import pandas as pd  # light: `import gpcollab.schema` does not load pandas

    respondents = respondents.reset_index(drop=True).copy()
    _check_respondent_columns(respondents, meta, failures)
    for item in _single_items(meta):
        if item in respondents.columns:
            _coerce_categorical(respondents, "respondents", item, ITEMS[item].choices, failures)
    for column in NUMERIC_COLUMNS:
        if column in respondents.columns:
            numeric = pd.to_numeric(respondents[column], errors="coerce")
            bad = numeric.isna() & respondents[column].notna()
            for row, value in respondents.loc[bad, column].items():
                failures.append(_failure("respondents", column, "a number", row, value))
            respondents[column] = numeric.astype("float64")
    for column in ("respondent_id", *TEXT_COLUMNS):
        if column in respondents.columns:
            respondents[column] = _as_text(respondents[column])
    return respondents


def _coerce_aims(
    aims: pd.DataFrame | None, meta: SurveyMeta, failures: list[_Failure]
) -> pd.DataFrame:
    """The aims table with its three columns, aim and outcome as categoricals."""
    import pandas as pd  # light: `import gpcollab.schema` does not load pandas

    aim_columns = ["respondent_id", "aim", "outcome"]
    if aims is None:
        aims = pd.DataFrame({c: pd.Series(dtype=object) for c in aim_columns})
    aims = aims.reset_index(drop=True).copy()
    if len(aims) and "aims" not in meta.items:
        failures.append(_failure("aims", "aim", "rows only when 'aims' in meta.items", None, None))
    for column in aim_columns:
        if column not in aims.columns:
            failures.append(_failure("aims", column, "column present", None, None))
            aims[column] = pd.Series(dtype=object)
    for column in aims.columns:
        if column not in aim_columns:
            failures.append(_failure("aims", column, "known column", None, column))
    aims = aims[aim_columns]
    aims["respondent_id"] = aims["respondent_id"].map(str, na_action="ignore")
    _coerce_categorical(aims, "aims", "aim", Aim, failures)
    _coerce_categorical(aims, "aims", "outcome", Achievement, failures)
    return aims


def _coerce_multi_table(name: str, table: pd.DataFrame, failures: list[_Failure]) -> pd.DataFrame:
    import pandas as pd  # light: `import gpcollab.schema` does not load pandas

    table = table.reset_index(drop=True).copy()
    for column in ("respondent_id", "option"):
        if column not in table.columns:
            failures.append(_failure(f"multi[{name}]", column, "column present", None, None))
            table[column] = pd.Series(dtype=object)
    table = table[["respondent_id", "option"]]
    table["respondent_id"] = table["respondent_id"].map(str, na_action="ignore")
    _coerce_categorical(table, f"multi[{name}]", "option", ITEMS[name].choices, failures)
    return table


def _coerce_multi(
    multi: Mapping[str, pd.DataFrame], meta: SurveyMeta, failures: list[_Failure]
) -> dict[str, pd.DataFrame]:
    """One coerced long table per multi-select item asked (empty when none was given)."""
    import pandas as pd  # light: `import gpcollab.schema` does not load pandas

    multi_items = [i for i in meta.items if i in ITEMS and ITEMS[i].kind == "multi"]
    tables: dict[str, pd.DataFrame] = {}
    for name, table in multi.items():
        if name not in multi_items:
            failures.append(_failure(f"multi[{name}]", "", "item listed in meta.items", None, name))
            continue
        tables[name] = _coerce_multi_table(name, table, failures)
    for name in multi_items:
        if name not in tables:
            tables[name] = pd.DataFrame(
                {
                    "respondent_id": pd.Series(dtype=object),
                    "option": pd.Categorical([], dtype=ITEMS[name].choices.dtype()),
                }
            )
    return tables


def _routing_failures(
    respondents: pd.DataFrame,
    aims: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    meta: SurveyMeta,
) -> list[_Failure]:
    """Answers given off the questionnaire's route (:mod:`gpcollab.routing`)."""
    return [
        _failure(
            v.table,
            v.item,
            f"no answer: rule {v.rule!r}, {RULES[v.rule]} ({v.condition})",
            v.row,
            v.found,
            v.respondent_id,
            v.rule,
        )
        for v in find_violations(respondents, aims, tables, meta.items)
    ]


def _coerce_and_validate(
    respondents: pd.DataFrame,
    aims: pd.DataFrame | None,
    multi: Mapping[str, pd.DataFrame],
    meta: SurveyMeta,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Coerce every table, then run every check; raise once listing all problems."""
    failures: list[_Failure] = []
    respondents = _coerce_respondents(respondents, meta, failures)
    aims_table = _coerce_aims(aims, meta, failures)
    tables = _coerce_multi(multi, meta, failures)
    failures.extend(_pandera_failures(respondents, aims_table, tables))
    failures.extend(_referential_failures(respondents, aims_table, tables, meta))
    failures.extend(_routing_failures(respondents, aims_table, tables, meta))
    if failures:
        _raise(failures, meta)
    return respondents, aims_table, tables


def _plainly_valid(
    respondents: pd.DataFrame, aims: pd.DataFrame, tables: Mapping[str, pd.DataFrame]
) -> bool:
    """True when every column check of :func:`_pandera_failures` surely passes.

    Whole-column tests, at least as strict as pandera's: ids are text and present, respondent
    ids unique, (respondent, answer) pairs unique, numbers float64 and not negative.  A set
    that fails any of them goes through pandera, which names every failing cell.
    """
    import pandas as pd  # light: `import gpcollab.schema` does not load pandas

    def text_ids(table: pd.DataFrame) -> bool:
        return bool(pd.api.types.infer_dtype(table["respondent_id"], skipna=False) == "string")

    if not text_ids(respondents) or not respondents["respondent_id"].is_unique:
        return False
    for column in NUMERIC_COLUMNS:
        if column in respondents.columns:
            values = respondents[column]
            if values.dtype != "float64" or bool((values < 0).any()):
                return False
    long_tables = [(aims, "aim"), *((table, "option") for table in tables.values())]
    return all(
        text_ids(table) and not table.duplicated(["respondent_id", answer]).any()
        for table, answer in long_tables
    )


def _pandera_failures(
    respondents: pd.DataFrame, aims: pd.DataFrame, tables: Mapping[str, pd.DataFrame]
) -> list[_Failure]:
    """Column-level checks with pandera (lazy: every failure collected).

    A set that plainly passes them (:func:`_plainly_valid`, whole-column tests) skips pandera,
    whose cell-by-cell checks take most of the time of loading a large export.
    """
    if _plainly_valid(respondents, aims, tables):
        return []
    import pandera.pandas as pa  # heavy: pandera.pandas loads only when this runs
    from pandera.errors import SchemaErrors  # heavy: pandera.errors loads only when this runs

    id_column = pa.Column(str, nullable=False, unique=False, coerce=False)
    respondent_columns: dict[str, Any] = {
        "respondent_id": pa.Column(str, nullable=False, unique=True),
    }
    for column in NUMERIC_COLUMNS:
        if column in respondents.columns:
            respondent_columns[column] = pa.Column(float, pa.Check.ge(0), nullable=True)
    schemas: list[tuple[str, pa.DataFrameSchema, pd.DataFrame]] = [
        ("respondents", pa.DataFrameSchema(respondent_columns, strict=False), respondents),
        (
            "aims",
            pa.DataFrameSchema(
                {"respondent_id": id_column},
                unique=["respondent_id", "aim"],
                strict=False,
            ),
            aims,
        ),
    ]
    for name, table in tables.items():
        schema = pa.DataFrameSchema(
            {"respondent_id": id_column}, unique=["respondent_id", "option"], strict=False
        )
        schemas.append((f"multi[{name}]", schema, table))
    failures: list[_Failure] = []
    for table_name, schema, frame in schemas:
        try:
            schema.validate(frame, lazy=True)
        except SchemaErrors as errors:
            seen: set[tuple[object, str]] = set()
            for case in errors.failure_cases.to_dict("records"):
                check = str(case.get("check"))
                column = "" if case.get("column") is None else str(case.get("column"))
                if check == "multiple_fields_uniqueness":  # one line per duplicated row
                    key_columns = "+".join(schema.unique or [])
                    check, column = f"a unique {key_columns} pair", key_columns
                elif check == "field_uniqueness":
                    check = "a unique value"
                key = (case.get("index"), check)
                if check.startswith("a unique") and key in seen:
                    continue
                seen.add(key)
                failures.append(
                    _failure(table_name, column, check, case.get("index"), case.get("failure_case"))
                )
    return failures


def _referential_failures(
    respondents: pd.DataFrame,
    aims: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    meta: SurveyMeta,
) -> list[_Failure]:
    failures: list[_Failure] = []
    if meta.n != len(respondents):
        failures.append(
            _failure("meta", "n", f"equal to the {len(respondents)} respondent rows", None, meta.n)
        )
    ids = respondents["respondent_id"].dropna()
    for name, table in [("aims", aims), *((f"multi[{k}]", v) for k, v in tables.items())]:
        orphan = table["respondent_id"].notna() & ~table["respondent_id"].isin(ids)
        for row, value in table.loc[orphan, "respondent_id"].items():
            failures.append(_failure(name, "respondent_id", "a known respondent", row, value))
    return failures


def _raise(failures: list[_Failure], meta: SurveyMeta) -> None:
    import pandas as pd  # light: `import gpcollab.schema` does not load pandas

    columns = ["table", "column", "check", "row", "value", "respondent_id", "rule"]
    frame = pd.DataFrame(failures, columns=columns)
    lines = [
        f"{len(frame)} problem(s) in the {meta.label} tables:",
        *(
            f"  - {f['table']}, column {f['column']!r}"
            + ("" if f["row"] is None or pd.isna(f["row"]) else f", row {f['row']}")
            + ("" if f.get("respondent_id") is None else f", respondent {f['respondent_id']!r}")
            + f": found {f['value']!r}, expected {f['check']}"
            for f in failures[:50]
        ),
    ]
    if len(failures) > 50:
        lines.append(f"  ... and {len(failures) - 50} more (see .failures)")
    raise SurveyValidationError("\n".join(lines), failures=frame)
