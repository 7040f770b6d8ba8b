"""Bundled datasets: a registry discovered from metadata files, loaders and dataset cards.

Every bundled dataset is described by a JSON metadata file placed next to its data files
anywhere below this package folder (``src/gpcollab/datasets/``). Nothing is hard-coded here:
another module registers a dataset simply by shipping its files, so a new folder such as
``surveys/<name>/`` shows up in :func:`list_datasets` and gets a card from
:func:`dataset_card` as soon as it exists.

Metadata format
---------------
A JSON file is a dataset's metadata when its top level is an object with the keys ``"name"``
and ``"tables"``; other JSON files are ignored. Keys:

``name`` (str, required)
    Unique dataset name, e.g. ``"population_ccg_2015"``.
``title`` (str, required)
    One-line title.
``synthetic`` (bool, required)
    ``true`` for data made up by gpcollab (the reconstructed survey sets); their cards open
    with :data:`SYNTHETIC_NOTICE`.
``tables`` (object, required)
    Table name -> ``{"file": <CSV path relative to the JSON>, "description": str (optional),
    "columns": {column: {"dtype": str, "description": str, "unit": str (optional),
    "categories": [...] and "ordered": bool (for "category")}}}``. The first table is the
    primary one (its row count is the ``rows`` of :func:`list_datasets`); put a survey set's
    respondents first. Allowed dtypes: ``string``, ``int64``, ``Int64``, ``float64``,
    ``Float64``, ``boolean``, ``bool``, ``category``.
``kind`` (str, optional)
    ``"population"``, ``"survey"``, ``"findings"``...; defaults to the first folder below
    ``datasets/``.
``description``, ``licence``, ``licence_url``, ``attribution``, ``derivation`` (str, optional)
    Shown on the card.
``provenance`` (str, object or list of objects, optional)
    Sources; objects may have ``title``, ``publisher``, ``url``, ``file``, ``obtained_from``.
Any other key (``year``, ``table``, ``wave``, ``instrument``...) is kept and available as
:attr:`DatasetEntry.meta`.

The helpers for other loaders are :func:`find_metadata` (name -> :class:`DatasetEntry`),
:meth:`DatasetEntry.read_table` / :meth:`DatasetEntry.read_tables`, :func:`read_declared_csv`
and :func:`render_card`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import numpy as np
import pandas as pd

from gpcollab._html import Markdown
from gpcollab.errors import ArgumentError, DatasetError
from gpcollab.instrument import SYNTHETIC_NOTICE

__all__ = [
    "SYNTHETIC_NOTICE",
    "DatasetEntry",
    "DatasetError",
    "dataset_card",
    "find_metadata",
    "list_datasets",
    "load_dataset",
    "load_population",
    "read_declared_csv",
    "render_card",
    "summarise_in_bands",
]

_REQUIRED_KEYS = ("name", "title", "synthetic", "tables")
_DTYPES = ("string", "int64", "Int64", "float64", "Float64", "boolean", "bool", "category")


@dataclass(frozen=True)
class DatasetEntry:
    """One registered dataset: its metadata and where its files are.

    Attributes
    ----------
    name : str
        The dataset's unique name.
    meta : Mapping[str, Any]
        The parsed metadata JSON (``kind`` filled in when the file leaves it out).
    folder : Traversable
        The folder holding the metadata file; table files are relative to it.
    resource : str
        Path of the metadata file relative to the ``gpcollab.datasets`` package.
    """

    name: str
    meta: Mapping[str, Any] = field(repr=False)
    folder: Traversable = field(repr=False)
    resource: str

    @property
    def kind(self) -> str:
        """Kind of dataset (``population``, ``survey``...)."""
        return str(self.meta["kind"])

    @property
    def title(self) -> str:
        """One-line title."""
        return str(self.meta["title"])

    @property
    def synthetic(self) -> bool:
        """Whether the data were made up (reconstructed) rather than published."""
        return bool(self.meta["synthetic"])

    @property
    def table_names(self) -> list[str]:
        """Names of the dataset's tables, primary table first."""
        return list(self.meta["tables"])

    def read_table(self, table: str | None = None) -> pd.DataFrame:
        """Read one table with the dtypes declared in the metadata.

        Parameters
        ----------
        table : str or None, default=None
            Table name; ``None`` reads the primary (first) table.

        Returns
        -------
        pandas.DataFrame
            The table; ``attrs`` holds ``dataset``, ``table``, ``title``, ``synthetic`` and
            ``licence``.
        """
        names = self.table_names
        if table is None:
            table = names[0]
        if table not in names:
            raise DatasetError(
                f"Dataset {self.name!r} has no table {table!r}. Available tables: "
                f"{', '.join(names)}."
            )
        spec = self.meta["tables"][table]
        frame = read_declared_csv(
            self.folder.joinpath(spec["file"]),
            spec["columns"],
            source_name=f"{_resource_dir(self.resource)}{spec['file']}",
        )
        frame.attrs.update(
            dataset=self.name,
            table=table,
            title=self.title,
            synthetic=self.synthetic,
            licence=str(self.meta.get("licence", "")),
        )
        return frame

    def read_tables(self) -> dict[str, pd.DataFrame]:
        """Read every table of the dataset, in metadata order."""
        return {name: self.read_table(name) for name in self.table_names}


def _resource_dir(resource: str) -> str:
    head, sep, _ = resource.rpartition("/")
    return f"{head}{sep}"


def _walk(folder: Traversable, prefix: str) -> Iterator[tuple[Traversable, str]]:
    """Yield (json file, package-relative path) below ``folder``, in sorted order."""
    for child in sorted(folder.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            if child.name.startswith((".", "_")):  # __pycache__, hidden folders
                continue
            yield from _walk(child, f"{prefix}{child.name}/")
        elif child.name.endswith(".json"):
            yield child, f"{prefix}{child.name}"


def _validate(meta: dict[str, Any], resource: str, folder: Traversable) -> None:
    missing = [key for key in _REQUIRED_KEYS if key not in meta]
    if missing:
        raise DatasetError(f"Dataset metadata {resource}: missing key(s) {', '.join(missing)}.")
    if not isinstance(meta["synthetic"], bool):
        raise DatasetError(
            f"Dataset metadata {resource}: 'synthetic' must be true or false, "
            f"got {meta['synthetic']!r}."
        )
    tables = meta["tables"]
    if not isinstance(tables, dict) or not tables:
        raise DatasetError(f"Dataset metadata {resource}: 'tables' must be a non-empty object.")
    for table, spec in tables.items():
        where = f"Dataset metadata {resource}, table {table!r}"
        if not isinstance(spec, dict) or "file" not in spec or "columns" not in spec:
            raise DatasetError(f"{where}: needs 'file' and 'columns'.")
        if not folder.joinpath(spec["file"]).is_file():
            raise DatasetError(f"{where}: data file {spec['file']!r} not found next to it.")
        for column, col_spec in spec["columns"].items():
            dtype = col_spec.get("dtype") if isinstance(col_spec, dict) else None
            if dtype not in _DTYPES:
                raise DatasetError(
                    f"{where}, column {column!r}: dtype must be one of {', '.join(_DTYPES)}, "
                    f"got {dtype!r}."
                )
            if dtype == "category" and not col_spec.get("categories"):
                raise DatasetError(f"{where}, column {column!r}: 'category' needs 'categories'.")


def find_metadata(root: Traversable | None = None) -> dict[str, DatasetEntry]:
    """Discover every dataset metadata file below the datasets package.

    The package folder is walked afresh on every call, so datasets added later (for example a
    ``surveys/`` folder) are found without any change here.

    Parameters
    ----------
    root : Traversable or None, default=None
        Folder to search; the installed ``gpcollab.datasets`` package when ``None``.

    Returns
    -------
    dict of str to DatasetEntry
        Registered datasets by name, sorted by name.

    Raises
    ------
    DatasetError
        If a metadata file is not valid JSON, lacks a required key, points at a missing data
        file, or two files claim the same name.
    """
    if root is None:
        root = resources.files("gpcollab.datasets")
    found: dict[str, DatasetEntry] = {}
    for path, resource in _walk(root, ""):
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DatasetError(f"Dataset metadata {resource} is not valid JSON: {exc}") from exc
        if not isinstance(meta, dict) or "name" not in meta or "tables" not in meta:
            continue  # some other JSON file (a codebook, a fixture...), not dataset metadata
        folder = root
        for part in resource.split("/")[:-1]:
            folder = folder.joinpath(part)
        _validate(meta, resource, folder)
        meta.setdefault("kind", resource.split("/")[0] if "/" in resource else "other")
        name = str(meta["name"])
        if name in found:
            raise DatasetError(
                f"Dataset name {name!r} is used by both {found[name].resource} and {resource}."
            )
        found[name] = DatasetEntry(name=name, meta=meta, folder=folder, resource=resource)
    return dict(sorted(found.items()))


def _pandas_dtype(spec: Mapping[str, Any]) -> Any:
    dtype = spec["dtype"]
    if dtype == "category":
        return pd.CategoricalDtype(list(spec["categories"]), ordered=bool(spec.get("ordered")))
    return dtype


def read_declared_csv(
    source: Traversable, columns: Mapping[str, Mapping[str, Any]], *, source_name: str = ""
) -> pd.DataFrame:
    """Read a CSV whose columns and dtypes are declared in dataset metadata.

    Parameters
    ----------
    source : Traversable
        The CSV file (a package resource or a :class:`pathlib.Path`).
    columns : Mapping[str, Mapping[str, Any]]
        Column name -> ``{"dtype": ..., "categories": [...], "ordered": bool}`` in file order.
    source_name : str, default=""
        Name used in error messages (defaults to the file name).

    Returns
    -------
    pandas.DataFrame
        Columns in the declared order with the declared dtypes. Empty cells are missing
        values; the literal text ``NA`` is kept as text.

    Raises
    ------
    DatasetError
        If the header differs from the declared columns, a value cannot take its dtype, or a
        category column holds a value outside its categories.
    """
    name = source_name or source.name
    read_as: dict[Hashable, str] = {}
    for column, spec in columns.items():
        dtype = spec["dtype"]
        read_as[column] = {"category": "string", "bool": "boolean"}.get(dtype, str(dtype))
    with source.open("rb") as handle:
        try:
            frame = pd.read_csv(handle, dtype=read_as, keep_default_na=False, na_values=[""])
        except (ValueError, TypeError) as exc:
            raise DatasetError(f"{name}: a value does not fit its declared dtype: {exc}") from exc
    if list(frame.columns) != list(columns):
        raise DatasetError(
            f"{name}: header {list(frame.columns)} differs from the declared columns "
            f"{list(columns)}."
        )
    for column, spec in columns.items():
        if spec["dtype"] == "category":
            dtype = _pandas_dtype(spec)
            values = frame[column]
            converted = values.astype(dtype)
            bad = values.notna() & converted.isna()
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0])
                raise DatasetError(
                    f"{name}, row {row + 2}, column {column!r}: {values.iloc[row]!r} is not one "
                    f"of {list(spec['categories'])}."
                )
            frame[column] = converted
        elif spec["dtype"] == "bool":
            if frame[column].isna().any():
                raise DatasetError(f"{name}, column {column!r}: empty cell in a bool column.")
            frame[column] = frame[column].astype(bool)
    return frame


# ---------------------------------------------------------------------------- registry API


def _entry(name: str) -> DatasetEntry:
    registry = find_metadata()
    if name not in registry:
        raise DatasetError(
            f"No bundled dataset is called {name!r}. Available datasets: "
            f"{', '.join(registry) or '(none)'}."
        )
    return registry[name]


def load_dataset(name: str, table: str | None = None) -> pd.DataFrame:
    """Load one table of a bundled dataset by name.

    Parameters
    ----------
    name : str
        Dataset name, as listed by :func:`list_datasets`.
    table : str or None, default=None
        Table of the dataset; the primary (first) table when ``None``.

    Returns
    -------
    pandas.DataFrame
        The table with its declared dtypes.

    Raises
    ------
    DatasetError
        If there is no such dataset or table; the message lists what is available.
    """
    return _entry(name).read_table(table)


def list_datasets() -> pd.DataFrame:
    """List every bundled dataset.

    Returns
    -------
    pandas.DataFrame
        One row per dataset, sorted by name, with columns ``name``, ``kind``, ``title``,
        ``synthetic`` (bool), ``rows`` (rows of the primary table, counted now from the data)
        and ``tables`` (table names, comma-separated).

    Examples
    --------
    >>> from gpcollab import list_datasets
    >>> "population_pcn_2019" in set(list_datasets()["name"])
    True
    """
    records = []
    for entry in find_metadata().values():
        records.append(
            {
                "name": entry.name,
                "kind": entry.kind,
                "title": entry.title,
                "synthetic": entry.synthetic,
                "rows": len(entry.read_table()),
                "tables": ", ".join(entry.table_names),
            }
        )
    columns = ["name", "kind", "title", "synthetic", "rows", "tables"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.astype(
        {
            "name": "string",
            "kind": "string",
            "title": "string",
            "synthetic": bool,
            "rows": "int64",
            "tables": "string",
        }
    )


def _provenance_lines(provenance: Any) -> list[str]:
    if provenance is None or provenance == "":
        return ["- not stated"]
    if isinstance(provenance, str):
        return [f"- {provenance}"]
    items = [provenance] if isinstance(provenance, Mapping) else list(provenance)
    lines = []
    for item in items:
        if not isinstance(item, Mapping):
            lines.append(f"- {item}")
            continue
        head = item.get("title") or item.get("file") or "source"
        parts = [f"**{head}**"]
        if item.get("publisher"):
            parts.append(str(item["publisher"]))
        if item.get("url"):
            parts.append(f"<{item['url']}>")
        line = "- " + " — ".join(parts)
        details = [f"file `{item['file']}`"] if item.get("file") and item.get("title") else []
        if item.get("obtained_from"):
            details.append(f"obtained from {item['obtained_from']}")
        if details:
            line += f" ({'; '.join(details)})"
        lines.append(line)
    return lines


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_card(meta: Mapping[str, Any], tables: Mapping[str, pd.DataFrame]) -> str:
    """Render a dataset card in Markdown from metadata and the loaded tables.

    Every count on the card (rows, columns) is computed from ``tables``, never taken from the
    metadata. A synthetic dataset's card opens with :data:`SYNTHETIC_NOTICE`.

    Parameters
    ----------
    meta : Mapping[str, Any]
        Dataset metadata (see the module docstring for the keys).
    tables : Mapping[str, pandas.DataFrame]
        The dataset's tables by name, as loaded.

    Returns
    -------
    str
        The card: title, synthetic notice, licence, row counts, description, provenance,
        derivation and one column dictionary per table.
    """
    synthetic = bool(meta.get("synthetic"))
    lines = [f"# {meta.get('title', meta.get('name', 'Untitled dataset'))}", ""]
    if synthetic:
        lines += [f"> **{SYNTHETIC_NOTICE}.**", ""]
    licence = str(meta.get("licence") or "not stated")
    if meta.get("licence_url"):
        licence += f" (<{meta['licence_url']}>)"
    counts = "; ".join(
        f"`{name}`: {len(frame):,} rows × {frame.shape[1]} columns"
        for name, frame in tables.items()
    )
    lines += [
        f"- **Name:** `{meta.get('name', '')}`",
        f"- **Kind:** {meta.get('kind', 'other')}",
        "- **Synthetic:** "
        + ("yes — made up to match published figures" if synthetic else "no — real data"),
        f"- **Licence:** {licence}",
    ]
    if meta.get("attribution"):
        lines.append(f"- **Attribution:** {meta['attribution']}")
    lines += [f"- **Rows:** {counts or 'no tables'}", ""]
    if meta.get("description"):
        lines += [str(meta["description"]), ""]
    lines += ["## Provenance", "", *_provenance_lines(meta.get("provenance")), ""]
    if meta.get("derivation"):
        lines += ["## Derivation", "", str(meta["derivation"]), ""]
    declared = meta.get("tables", {})
    for name, frame in tables.items():
        spec = declared.get(name, {}) if isinstance(declared, Mapping) else {}
        file_part = f" (`{spec['file']}`)" if spec.get("file") else ""
        lines += [
            f"## Table `{name}`{file_part}: {len(frame):,} rows × {frame.shape[1]} columns",
            "",
        ]
        if spec.get("description"):
            lines += [str(spec["description"]), ""]
        lines += ["| column | dtype | unit | description |", "| --- | --- | --- | --- |"]
        described = spec.get("columns", {})
        for column in frame.columns:
            col_spec = described.get(column, {})
            description = col_spec.get("description", "(not described)")
            if col_spec.get("categories"):
                order = "ordered " if col_spec.get("ordered") else ""
                values = ", ".join(str(c) for c in col_spec["categories"])
                description += f"; {order}values: {values}"
            lines.append(
                f"| `{_cell(column)}` | {frame[column].dtype} | {_cell(col_spec.get('unit', ''))} "
                f"| {_cell(description)} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def dataset_card(name: str) -> str:
    """Return the Markdown card of a bundled dataset (Jupyter renders it).

    Parameters
    ----------
    name : str
        Dataset name, as listed by :func:`list_datasets`.

    Returns
    -------
    Markdown (a str)
        A ``str`` of Markdown with title, provenance, licence, rows per table (counted from the
        data now), columns with descriptions and the synthetic flag; Jupyter renders it as
        Markdown, ``print`` shows the text.

    Raises
    ------
    DatasetError
        If there is no such dataset; the message lists the available names.

    Examples
    --------
    >>> from gpcollab import dataset_card
    >>> print(dataset_card("population_pcn_2019").splitlines()[0])  # doctest: +ELLIPSIS
    # Primary care networks (PCNs) in England, December 2019...
    """
    entry = _entry(name)
    return Markdown(render_card(entry.meta, entry.read_tables()))


# ---------------------------------------------------------------------------- population


def _population_entries() -> dict[tuple[int, str], DatasetEntry]:
    out: dict[tuple[int, str], DatasetEntry] = {}
    for entry in find_metadata().values():
        if entry.kind == "population" and "year" in entry.meta and "table" in entry.meta:
            out[(int(entry.meta["year"]), str(entry.meta["table"]))] = entry
    return dict(sorted(out.items()))


def load_population(year: int, table: str) -> pd.DataFrame:
    """Load a population margin of English GP practices derived from NHS Digital data.

    Parameters
    ----------
    year : int
        ``2015`` or ``2017`` (practice frames of those survey years) or ``2019`` (PCNs).
    table : str
        ``"region_band"``: practices and registered patients by NHS England region and practice
        list-size band (2015, 2017); ``"ccg"``: one row per CCG with region, practices and
        patients (2015, 2017); ``"pcn"``: one row per PCN, December 2019, with parent CCG,
        member practices and registered patients (2019).

    Returns
    -------
    pandas.DataFrame
        The table with declared dtypes (codes as ``string``, counts as ``int64``, the
        list-size band as an ordered categorical). See :func:`dataset_card` for the
        definitions, e.g. ``dataset_card("population_region_band_2015")``.

    Raises
    ------
    DatasetError
        If there is no table for that year and name; the message lists what exists.

    Notes
    -----
    Contains information from NHS Digital, licensed under the current version of the Open
    Government Licence (v3.0).

    Examples
    --------
    >>> from gpcollab import load_population
    >>> int(load_population(2017, "region_band")["practices"].sum())
    7478
    """
    available = _population_entries()
    key = (year, table)
    if key not in available or isinstance(year, bool):
        listing = "; ".join(
            f"{y}: {', '.join(t for yy, t in available if yy == y)}"
            for y in sorted({y for y, _ in available})
        )
        raise DatasetError(
            f"No population table {table!r} for year {year!r}. Available (year: tables): {listing}."
        )
    return available[key].read_table()


def _band_label(low: int | None, high: int | None) -> str:
    if low is None:
        return f"under {high:,}"
    if high is None:
        return f"{low:,} and over"
    return f"{low:,}-{high - 1:,}"


def _whole(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def summarise_in_bands(
    data: pd.DataFrame,
    edges: Sequence[int],
    *,
    column: str = "registered_patients",
) -> pd.DataFrame:
    """Count the rows of a population table (CCGs, PCNs, cells) in size bands.

    Parameters
    ----------
    data : pandas.DataFrame
        A table such as ``load_population(2017, "ccg")`` or ``load_population(2019, "pcn")``.
    edges : Sequence[int]
        Increasing cut points; ``(100_000, 250_000)`` gives the bands "under 100,000",
        "100,000-249,999" and "250,000 and over". A value equal to an edge falls in the band
        that starts there.
    column : str, default="registered_patients"
        The size column to band.

    Returns
    -------
    pandas.DataFrame
        One row per band (ordered categorical ``band``), with ``lower`` and ``upper`` (first
        value of the next band; missing for the last), ``units`` (rows of ``data`` in the band),
        the sum of ``column`` and, when ``data`` has it, the sum of ``practices``. Rows whose
        size is missing are counted in an extra band ``"no figure"``, never dropped.

    Raises
    ------
    ArgumentError
        If ``column`` is not in ``data`` or ``edges`` is empty or not strictly increasing.

    Examples
    --------
    >>> from gpcollab import load_population
    >>> from gpcollab.datasets import summarise_in_bands
    >>> bands = summarise_in_bands(load_population(2019, "pcn"), [30_000, 50_000])
    >>> int(bands["units"].sum())
    1250
    """
    if column not in data.columns:
        raise ArgumentError(
            f"The value for `column` must be one of {list(data.columns)}, but {column!r} "
            "was passed."
        )
    cuts = [int(e) for e in edges]
    if not cuts or any(b <= a for a, b in itertools.pairwise(cuts)):
        raise ArgumentError(
            f"`edges` must be a non-empty increasing sequence, got {list(edges)!r}."
        )
    lows: list[int | None] = [None, *cuts]
    highs: list[int | None] = [*cuts, None]
    labels = [_band_label(lo, hi) for lo, hi in zip(lows, highs, strict=True)]
    values = pd.to_numeric(data[column]).astype("Float64")
    known = values.notna().to_numpy(dtype=bool)
    filled = values.fillna(0).to_numpy(dtype=float)
    index = np.where(known, np.searchsorted(np.asarray(cuts, dtype=float), filled, "right"), -1)
    has_practices = "practices" in data.columns
    rows = []
    for i, label in enumerate(labels):
        mask = index == i
        row: dict[str, Any] = {
            "band": label,
            "lower": lows[i],
            "upper": highs[i],
            "units": int(mask.sum()),
        }
        if has_practices:
            row["practices"] = int(data.loc[mask, "practices"].sum())
        row[column] = _whole(values[mask].sum())
        rows.append(row)
    if not known.all():
        labels.append("no figure")
        row = {"band": "no figure", "lower": None, "upper": None, "units": int((~known).sum())}
        if has_practices:
            row["practices"] = int(data.loc[~known, "practices"].sum())
        row[column] = 0
        rows.append(row)
    out = pd.DataFrame(rows)
    out["band"] = pd.Categorical(out["band"], categories=labels, ordered=True)
    out["lower"] = out["lower"].astype("Int64")
    out["upper"] = out["upper"].astype("Int64")
    return out
