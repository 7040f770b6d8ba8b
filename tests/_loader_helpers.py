"""Shared helpers of the loader tests: building response sets from a codebook, comparing them."""

from __future__ import annotations

import csv
import dataclasses
import io
import random
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from gpcollab.codebook import Codebook, load_codebook
from gpcollab.routing import ROUTES, ccg_region
from gpcollab.schema import ITEMS, SurveyData, SurveyMeta

CODEBOOKS = ("gp2015", "ccg2015", "gp2017", "ccg2017")


def build_survey(
    codebook: str | Codebook,
    ids: list[str],
    singles: dict[str, list[str | None]],
    ccg_codes: list[str | None] | None,
    multi: dict[str, list[tuple[str, str]]],
    aims: list[tuple[str, str, str | None]],
) -> SurveyData:
    """A SurveyData shaped the way read_survey returns it (column and row order).

    Answers the questionnaire's routing would not have asked for are blanked first (items in
    questionnaire order, so a blanked condition blanks what depends on it), and a region is
    set to the region of the respondent's CCG where the CCG is a real one.
    """
    cb = load_codebook(codebook)
    on_route = {r: dict.fromkeys(cb.items, True) for r in ids}
    for i, r in enumerate(ids):
        answers = {name: values[i] for name, values in singles.items()}
        for item in cb.items:
            route = ROUTES[ITEMS[item].base]
            if route.applies(cb.items) and not route.admits(answers.get(route.item)):
                on_route[r][item] = False
                if item in singles:
                    singles[item][i] = answers[item] = None
        region = ccg_region(ccg_codes[i]) if ccg_codes is not None else None
        if "region" in singles and singles["region"][i] is not None and region is not None:
            singles["region"][i] = region
    multi = {name: [(r, o) for r, o in rows if on_route[r][name]] for name, rows in multi.items()}
    aims = [row for row in aims if on_route[row[0]].get("aims", True)]
    columns: dict[str, list[str | None]] = {"respondent_id": list(ids)}
    for spec in cb.single:
        columns[spec.name] = singles[spec.name]
    if ccg_codes is not None:
        columns["ccg_code"] = ccg_codes
    respondents = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    aim_frame = None
    if cb.aims is not None:
        aim_frame = pd.DataFrame(
            {
                "respondent_id": pd.Series([a[0] for a in aims], dtype=object),
                "aim": pd.Series([a[1] for a in aims], dtype=object),
                "outcome": pd.Series([a[2] for a in aims], dtype=object),
            }
        )
    tables = {
        m.name: pd.DataFrame(
            {
                "respondent_id": pd.Series([r for r, _ in multi.get(m.name, [])], dtype=object),
                "option": pd.Series([o for _, o in multi.get(m.name, [])], dtype=object),
            }
        )
        for m in cb.multi
    }
    meta = SurveyMeta(
        cb.wave,
        cb.instrument,
        n=len(ids),
        source="test",
        synthetic=False,
        codebook=cb.name,
        items=cb.items,
        organisation=cb.organisation,  # who ran the survey, as the codebook says
    )
    return SurveyData(respondents, aims=aim_frame, multi=tables, meta=meta)


def random_survey(codebook: str, n: int = 5, seed: int = 0, id_prefix: str = "R") -> SurveyData:
    """A seeded, valid response set for ``codebook`` (every value class appears over seeds)."""
    cb = load_codebook(codebook)
    rng = random.Random(seed)
    ids = [f"{id_prefix}{i:03d}" for i in range(1, n + 1)]
    singles = {s.name: [rng.choice([*s.choices.values(), None]) for _ in ids] for s in cb.single}
    codes = [rng.choice(["05D", "99P", "10Q", None]) for _ in ids]
    multi = {
        m.name: [(r, o.value) for r in ids for o in m.options if rng.random() < 0.3]
        for m in cb.multi
    }
    aims: list[tuple[str, str, str | None]] = []
    if cb.aims is not None:
        outcomes = [*dict.fromkeys(cb.aims.answers.values()), None]
        aims = [
            (r, o.value, rng.choice(outcomes))
            for r in ids
            for o in cb.aims.options
            if rng.random() < 0.4
        ]
    return build_survey(cb, ids, singles, codes, multi, aims)


def same_data(a: SurveyData, b: SurveyData) -> bool:
    """Identical tables and metadata, ignoring where each set was read from."""
    a2 = dataclasses.replace(a, meta=dataclasses.replace(a.meta, source=""))
    b2 = dataclasses.replace(b, meta=dataclasses.replace(b.meta, source=""))
    return a2.equals(b2)


def read_rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    """A CSV file as a list of rows."""
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding), newline="")))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    """Write rows as CSV (UTF-8)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


def patch_zip(path: Path, part: str, change: Callable[[str], str]) -> Path:
    """Rewrite one XML part of an XLSX workbook in place (``change`` maps old text to new)."""
    with zipfile.ZipFile(path) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    contents[part] = change(contents[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


def declare_sav_encoding(path: Path, encoding: bytes = b"WINDOWS-1252", code: int = 1252) -> Path:
    """Make a UTF-8 ``.sav`` file written by pyreadstat declare another encoding (in place).

    Rewrites the character-encoding record (type 7, subtype 20) and the character code of the
    integer-information record (type 7, subtype 3), as a tool that mislabels its output does.
    """
    data = path.read_bytes()
    utf8_record = struct.pack("<iiii", 7, 20, 1, 5) + b"UTF-8"
    start = data.index(utf8_record)
    data = (
        data[:start]
        + struct.pack("<iiii", 7, 20, 1, len(encoding))
        + encoding
        + data[start + len(utf8_record) :]
    )
    info = data.index(struct.pack("<iii", 7, 3, 4))
    values = list(struct.unpack("<8i", data[info + 16 : info + 48]))
    values[7] = code
    data = data[: info + 16] + struct.pack("<8i", *values) + data[info + 48 :]
    path.write_bytes(data)
    return path
