"""The loader on damaged, unusual and hostile exports: every class of issue 10 has a test here
that builds its own file.

Expected values are written by hand from the file each test builds (the rows it holds, the line
where a quote opens, the number a cell means), never taken from the loader's own output.
"""

from __future__ import annotations

import os
import re
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from _loader_helpers import (
    declare_sav_encoding,
    patch_zip,
    random_survey,
    read_rows,
    same_data,
    write_rows,
)
from gpcollab.codebook import load_codebook
from gpcollab.errors import ArgumentError, CodebookError, LoadError, UnreadableFileError
from gpcollab.io import Limits, LoadReport, read_survey, write_survey
from gpcollab.schema import SurveyData

CB = load_codebook("gp2017")
SPEC = {s.name: s for s in CB.single}
ROLE = SPEC["role"].column
MEMBERSHIP = SPEC["membership"].column
BARRIERS = next(m for m in CB.multi if m.name == "barriers")


def lenient(
    path: Path, codebook: object = "gp2017", **options: object
) -> tuple[SurveyData, LoadReport]:
    data, report = read_survey(path, codebook, strict=False, **options)  # type: ignore[call-overload]
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert data.n == report.rows_accepted
    return data, report


def export(
    tmp_path: Path, n: int = 6, seed: int = 1, name: str = "x.csv"
) -> tuple[Path, SurveyData]:
    original = random_survey("gp2017", n=n, seed=seed)
    return write_survey(original, tmp_path / name), original


def numeric_codebook(tmp_path: Path, survey_lines: str = "") -> Path:
    """A user codebook (ccg2015 answers) with numeric columns "Patients covered", "Weight"."""
    source = Path(load_codebook("ccg2015").source)
    if not source.exists():
        source = (
            Path(__file__).resolve().parents[1] / "src" / "gpcollab" / "codebooks" / source.name
        )
    body = source.read_text(encoding="utf-8").replace('name = "ccg2015"', 'name = "local"')
    body = body.replace("[survey]\n", "[survey]\n" + survey_lines, 1)
    body = body.replace(
        "[columns.ccg_code]",
        '[columns.collab_patients]\ncolumn = "Patients covered"\nrequired = false\n\n'
        '[columns.weight]\ncolumn = "Weight"\nrequired = false\n\n[columns.ccg_code]',
    )
    path = tmp_path / "local.toml"
    path.write_text(body, encoding="utf-8")
    return path


def with_weights(tmp_path: Path, weights: list[str], delimiter: str, codebook: Path) -> Path:
    """A ccg2015 export with a Weight column holding ``weights`` as written."""
    base = random_survey("ccg2015", n=len(weights), seed=4)
    rows = read_rows(write_survey(base, tmp_path / "w.csv"))
    rows[0].append("Weight")
    for row, weight in zip(rows[1:], weights, strict=True):
        row.append(weight)
    return write_rows(tmp_path / "w.csv", rows, delimiter=delimiter)


# -- 1. XLSX <dimension> that understates the sheet ------------------------------------------


def test_xlsx_dimension_tag_that_understates_the_sheet_is_ignored(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=90, seed=2)
    path = write_survey(original, tmp_path / "dim.xlsx")
    # claim the sheet ends at row 40, as some writers do
    patch_zip(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("<sheetData>", '<dimension ref="A1:C40"/><sheetData>', 1),
    )
    assert b"A1:C40" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    data, report = lenient(path)
    assert report.rows_read == 90 and data.n == 90
    assert same_data(data, original)


def test_xlsx_with_shared_strings_styles_and_dates(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    original = random_survey("gp2017", n=5, seed=3)
    rows = read_rows(write_survey(original, tmp_path / "s.csv"))
    workbook = openpyxl.Workbook()  # the normal writer: shared strings and a styles part
    sheet = workbook.active
    for row in rows:
        sheet.append([c or None for c in row])
    ccg = rows[0].index(CB.columns[0].column) + 1
    sheet.cell(row=3, column=ccg, value=dt.date(2017, 5, 4))  # Excel turned a code into a date
    sheet.cell(row=3, column=ccg).number_format = "dd/mm/yyyy"
    workbook.save(tmp_path / "s.xlsx")
    data, report = lenient(tmp_path / "s.xlsx")
    (problem,) = report.missing_cells
    assert (problem.row, problem.found) == (3, "2017-05-04")
    assert "this looks like a date" in problem.reason
    rows[2][ccg - 1] = ""  # the respondent is kept, with the date cell missing
    assert same_data(data, read_survey(write_rows(tmp_path / "s.csv", rows)))


# -- 2. unclosed quotes ----------------------------------------------------------------------


def test_unclosed_quote_that_closes_lines_later_is_caught(tmp_path: Path) -> None:
    path, _ = export(tmp_path, n=8)
    write_rows(path, read_rows(path), delimiter=";")  # no answer needs quoting then
    lines = path.read_text(encoding="utf-8").splitlines()
    assert not any('"' in line for line in lines)
    # line 3 opens a quote in its second field (the role); the next quote is on line 7
    lines[2] = lines[2].replace(";", ';"', 1)
    lines[6] = lines[6].replace(";", ';"x', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, report = lenient(path)
    assert report.rows_read == 8  # 9 physical lines, 1 header
    first = report.rejections[0]
    assert (first.row, first.column) == (3, ROLE)
    assert first.found.startswith('"')
    assert "the quote opens on line 3" in first.reason and "not closed" in first.reason
    assert "lines 4-7 after it were read as rows of their own" in first.reason
    # the lines the quote swallowed are read on their own: R003, R004, R005 load
    assert {"R003", "R004", "R005"} <= set(data.respondents["respondent_id"])
    assert "R002" not in set(data.respondents["respondent_id"])


def test_unclosed_quote_in_a_large_file_reports_every_line(tmp_path: Path) -> None:
    path, _ = export(tmp_path, n=240, seed=5)
    write_rows(path, read_rows(path), delimiter=";")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(";", ';"', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, report = lenient(path)
    assert report.rows_read == 240
    assert [r.row for r in report.rejections] == [6]
    assert data.n == 239


def test_legitimate_multi_line_cell_keeps_editor_line_numbers(tmp_path: Path) -> None:
    path, _ = export(tmp_path, n=5)
    rows = read_rows(path)
    rows[0].append("Comments")
    for row in rows[1:]:
        row.append("")
    rows[1][-1] = "first line\nsecond line\nthird line"
    rows[3][rows[0].index(ROLE)] = "Astronaut"
    write_rows(path, rows)
    # line 1 header, lines 2-4 row R001, line 5 R002, line 6 R003 (bad), ...
    _, report = lenient(path)
    assert report.rows_read == 5
    (problem,) = report.missing_cells
    assert (problem.row, problem.column, problem.found) == (6, ROLE, "Astronaut")


# -- 3. decimal commas -----------------------------------------------------------------------


def test_decimal_commas_are_read_as_decimals(tmp_path: Path) -> None:
    codebook = numeric_codebook(tmp_path)
    path = with_weights(tmp_path, ["0,75", "1,5", "2", ""], ";", codebook)
    data, report = lenient(path, codebook)
    assert report.ok
    assert data.respondents["weight"].tolist()[:3] == [0.75, 1.5, 2.0]
    assert pd.isna(data.respondents["weight"].iloc[3])
    assert report.decimal == ","
    assert any("decimal mark ','" in n and "'0,75'" in n for n in report.notes)


def test_decimal_comma_is_never_read_as_thousands(tmp_path: Path) -> None:
    codebook = numeric_codebook(tmp_path)
    path = with_weights(tmp_path, ["0,75", "1.5", "2", "3"], ";", codebook)
    data, report = lenient(path, codebook)  # both marks appear: nothing is guessed
    assert 75.0 not in data.respondents["weight"].tolist()
    assert {r.found for r in report.missing_cells} <= {"0,75", "1.5"}
    data, report = lenient(path, codebook, decimal=".")
    (problem,) = report.missing_cells
    assert (problem.row, problem.found, problem.column) == (2, "0,75", "Weight")
    assert "decimal mark ','" in problem.reason and "this file's is '.'" in problem.reason
    weights = data.respondents["weight"].tolist()
    assert pd.isna(weights[0]) and weights[1:] == [1.5, 2.0, 3.0]


def test_decimal_mark_from_the_codebook_and_thousands(tmp_path: Path) -> None:
    codebook = numeric_codebook(tmp_path, 'decimal = ","\n')
    path = with_weights(tmp_path, ["1.234,5", "1 234", "0,5", "12"], ";", codebook)
    data, report = lenient(path, codebook)
    assert report.ok
    assert data.respondents["weight"].tolist() == [1234.5, 1234.0, 0.5, 12.0]


def test_ambiguous_number_in_a_semicolon_file_is_not_guessed(tmp_path: Path) -> None:
    codebook = numeric_codebook(tmp_path)
    path = with_weights(tmp_path, ["1,234", "2", "3", "4"], ";", codebook)
    data, report = lenient(path, codebook)
    (problem,) = report.missing_cells
    assert problem.found == "1,234" and problem.reason.startswith("ambiguous")
    weights = data.respondents["weight"].tolist()
    assert pd.isna(weights[0]) and weights[1:] == [2.0, 3.0, 4.0]


# -- 4. formulas without saved values ---------------------------------------------------------


def test_xlsx_formula_without_a_saved_value_is_reported(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=4, seed=6)
    path = write_survey(original, tmp_path / "f.xlsx")
    # row 3, column B (the role) becomes a formula with no cached value; H1 gets one too,
    # outside the codebook's columns

    def change(xml: str) -> str:
        xml = re.sub(r'<c r="B3"[^>]*>.*?</c>', '<c r="B3"><f>CONCAT(A1,"x")</f></c>', xml, count=1)
        return xml.replace('<c r="A2"', '<c r="ZZ2"><f>1+1</f></c><c r="A2"', 1)

    patch_zip(path, "xl/worksheets/sheet1.xml", change)
    data, report = lenient(path)
    formula = next(p for p in report.missing_cells if p.column == ROLE)
    assert (formula.row, formula.found) == (3, '=CONCAT(A1,"x")')
    assert "formula without a saved value" in formula.reason
    # kept, the role missing; what rests on the role (partners' items) is off route, listed
    assert data.n == 4 and pd.isna(data.respondents["role"].iloc[1])
    assert {p.row for p in report.missing_cells} == {3}
    assert any("formulas without saved values" in n and "ZZ2" in n for n in report.notes)


# -- 5. mixed encodings ------------------------------------------------------------------------


def test_utf8_file_with_one_cp1252_byte_is_refused_not_garbled(tmp_path: Path) -> None:
    path, _ = export(tmp_path, n=4)
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"R001", "R001 \u2013 Kent".encode(), 1)  # valid UTF-8 dash
    lines[3] = lines[3].replace(b"R003", b"R003 \x96 Kent", 1)  # a cp1252 dash
    path.write_bytes(b"\n".join(lines))
    offset = len(b"\n".join(lines[:3])) + 1 + len(b"R003 ")
    with pytest.raises(UnreadableFileError) as info:
        read_survey(path)
    message = str(info.value)
    assert f"line 4 (byte offset {offset}) holds byte 0x96, which is not UTF-8" in message
    assert "line 2" in message and "'–'" in message and "mixed text encodings" in message


def test_pure_cp1252_file_still_loads(tmp_path: Path) -> None:
    path, _ = export(tmp_path, n=3)
    text = path.read_text(encoding="utf-8").replace("R002", "R002 \u2013 Kent")
    path.write_bytes(text.encode("cp1252"))
    data, report = lenient(path)
    assert report.encoding == "cp1252"
    assert "R002 \u2013 Kent" in set(data.respondents["respondent_id"])


# -- 6. SPSS files declaring the wrong encoding ------------------------------------------------


def spss_with_accents(tmp_path: Path) -> tuple[Path, SurveyData]:
    original = random_survey("gp2017", n=3, seed=7)
    respondents = original.respondents.copy()
    respondents["respondent_id"] = ["Ashford \u2013 Kent", "caf\u00e9", "R3"]
    remap = dict(
        zip(original.respondents["respondent_id"], respondents["respondent_id"], strict=True)
    )
    aims = original.aims.assign(respondent_id=original.aims["respondent_id"].map(remap))
    multi = {
        k: v.assign(respondent_id=v["respondent_id"].map(remap)) for k, v in original.multi.items()
    }
    data = SurveyData(respondents, aims=aims, multi=multi, meta=original.meta)
    return write_survey(data, tmp_path / "enc.sav"), data


def test_spss_declaring_windows_1252_but_holding_utf8_is_detected(tmp_path: Path) -> None:
    pytest.importorskip("pyreadstat")
    path, data = spss_with_accents(tmp_path)
    declare_sav_encoding(path)
    back, report = lenient(path)
    assert same_data(back, data)  # no 'Ashford â€“ Kent'
    assert any(
        "declares the encoding WINDOWS-1252 but its texts are UTF-8" in n for n in report.notes
    )
    assert report.encoding == "UTF-8"


def test_spss_encoding_can_be_overridden(tmp_path: Path) -> None:
    pytest.importorskip("pyreadstat")
    path, data = spss_with_accents(tmp_path)
    declare_sav_encoding(path)
    back, report = lenient(path, encoding="UTF-8")
    assert same_data(back, data) and report.encoding == "UTF-8"
    garbled, _ = lenient(path, encoding="WINDOWS-1252")  # the user insists: read as declared
    assert "Ashford \u00e2\u20ac\u201c Kent" in set(garbled.respondents["respondent_id"])


# -- valid files once wrongly rejected ----------------------------------------------------------


def test_spss_ticks_coded_1_and_2_with_value_labels(tmp_path: Path) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    original = random_survey("gp2017", n=6, seed=8)
    path = write_survey(original, tmp_path / "t.sav")
    frame, meta = pyreadstat.read_sav(str(path), user_missing=False)
    labels = dict(meta.variable_value_labels)
    for option in BARRIERS.options:  # recode 1/0 as 1 = Yes, 2 = No
        frame[option.var] = frame[option.var].map({1.0: 1.0, 0.0: 2.0})
        labels[option.var] = {1: "Yes", 2: "No"}
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=list(meta.column_labels),
        variable_value_labels=labels,
    )
    data, report = lenient(path)
    assert report.ok
    assert same_data(data, original)


def test_ticks_written_as_floats(tmp_path: Path) -> None:
    path, original = export(tmp_path, n=6, seed=9)
    rows = read_rows(path)
    columns = [rows[0].index(o.column) for o in BARRIERS.options]
    for row in rows[1:]:
        for k in columns:
            row[k] = "1.0" if row[k] else "0.0"
    write_rows(path, rows)
    data, report = lenient(path)
    assert report.ok and same_data(data, original)


def test_excel_ragged_rows_load(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=20, seed=10)
    path = write_survey(original, tmp_path / "r.csv")
    rows = read_rows(path)
    ragged = [rows[0]] + [r[: max(k for k, c in enumerate(r) if c) + 1] for r in rows[1:]]
    write_rows(path, ragged)
    shortened = sum(len(r) < len(rows[0]) for r in ragged[1:])
    assert shortened > 0
    data, report = lenient(path)
    assert report.ok and same_data(data, original)
    assert any(f"{shortened} row(s) have fewer fields than the header" in n for n in report.notes)


@pytest.mark.parametrize("header_rows", [1, 2])
def test_header_ending_with_a_separator(tmp_path: Path, header_rows: int) -> None:
    original = random_survey("gp2017", n=4, seed=11)
    path = write_survey(original, tmp_path / "e.csv", header_rows=header_rows)  # type: ignore[arg-type]
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    # every header line ends with ','; the data lines too, or not (both occur)
    lines = [line + "," if k < header_rows or k % 2 else line for k, line in enumerate(lines)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, report = lenient(path)
    assert report.ok and same_data(data, original)


@pytest.mark.parametrize(
    "dash",
    ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d"],
)
def test_dash_variants_in_answers(tmp_path: Path, dash: str) -> None:
    path, original = export(tmp_path, n=6, seed=12)
    rows = read_rows(path)
    k = rows[0].index(MEMBERSHIP)
    changed = 0
    for row in rows[1:]:
        if " - " in row[k]:
            row[k] = row[k].replace(" - ", f" {dash} ")
            changed += 1
    assert changed
    write_rows(path, rows)
    data, report = lenient(path)
    assert report.ok and same_data(data, original)


def qualtrics_rows(original: SurveyData, tmp_path: Path) -> list[list[str]]:
    rows = read_rows(write_survey(original, tmp_path / "q1.csv"))
    ids = ["ResponseId" if k == 0 else f"QID{k}" for k in range(len(rows[0]))]
    imports = ['{"ImportId":"_recordId"}'] + [
        f'{{"ImportId":"QID{k}"}}' for k in range(1, len(rows[0]))
    ]
    return [ids, rows[0], imports, *rows[1:]]


def test_three_header_export_with_import_ids(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=5, seed=13)
    path = write_rows(tmp_path / "q.csv", qualtrics_rows(original, tmp_path))
    data, report = lenient(path)
    assert report.ok and same_data(data, original)
    assert report.header_rows == 3
    assert any("header row 3 holds import ids" in n for n in report.notes)


def test_three_header_export_that_does_not_fit_names_the_id_row(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=3, seed=13)
    rows = qualtrics_rows(original, tmp_path)
    rows[1] = [f"Question {k}" for k in range(len(rows[1]))]
    path = write_rows(tmp_path / "q.csv", rows)
    with pytest.raises(LoadError) as info:
        read_survey(path)
    assert "Row 3 holds import ids" in str(info.value)


# -- formula injection ---------------------------------------------------------------------------


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=6, seed=14)
    nasty = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tR5", "\rR6"]
    respondents = original.respondents.copy()
    remap = dict(zip(original.respondents["respondent_id"], nasty, strict=True))
    respondents["respondent_id"] = nasty
    data = SurveyData(
        respondents,
        aims=original.aims.assign(respondent_id=original.aims["respondent_id"].map(remap)),
        multi={
            k: v.assign(respondent_id=v["respondent_id"].map(remap))
            for k, v in original.multi.items()
        },
        meta=original.meta,
    )
    path = write_survey(data, tmp_path / "inj.csv")
    import csv
    import io

    text = path.read_bytes().decode("utf-8")  # newline="\n": a lone CR stays in its cell
    written = [row[0] for row in csv.reader(io.StringIO(text, newline="\n"))][1:]
    assert written == ["'" + cell for cell in nasty]
    assert same_data(read_survey(path), data)


# -- resource bounds -----------------------------------------------------------------------------


def test_xlsx_with_one_cell_at_xfd1048576_is_refused_quickly(tmp_path: Path) -> None:
    path = write_survey(random_survey("gp2017", n=2), tmp_path / "far.xlsx")
    patch_zip(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            "</sheetData>",
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            "</sheetData>",
        ),
    )
    assert path.stat().st_size < 20_000
    started = time.perf_counter()
    with pytest.raises(LoadError, match=r"cell XFD1048576 holds a value.*Limits\.max_columns"):
        read_survey(path)
    assert time.perf_counter() - started < 5
    # within the columns allowed but spanning too many cells
    patch_zip(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace("XFD1048576", "AZ1048576"))
    with pytest.raises(LoadError, match=r"cell AZ1048576 holds a value, so the sheet spans"):
        read_survey(path, limits=Limits(max_cells=10_000_000))
    assert time.perf_counter() - started < 5


def test_xlsx_that_inflates_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    path = write_survey(random_survey("gp2017", n=2), tmp_path / "bomb.xlsx")
    padding = "<!--" + " " * 3_000_000 + "-->"  # 3 MB of XML that compresses to a few KB
    patch_zip(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("<sheetData>", padding + "<sheetData>"),
    )
    assert path.stat().st_size < 100_000
    with pytest.raises(LoadError, match=r"Limits\.max_xml_bytes"):
        read_survey(path, limits=Limits(max_xml_bytes=1_000_000))
    assert read_survey(path).n == 2  # within the default limit


def test_limits_on_csv_lines_rows_and_columns(tmp_path: Path) -> None:
    path, _ = export(tmp_path, n=3)
    with pytest.raises(
        LoadError, match=r"line 1 is longer than 100 characters \(Limits\.max_line_chars\)"
    ):
        read_survey(path, limits=Limits(max_line_chars=100))
    with pytest.raises(LoadError, match=r"line 1: the header has \d+ fields, more than the 10"):
        read_survey(path, limits=Limits(max_columns=10))
    with pytest.raises(LoadError, match=r"more than 2 rows \(Limits\.max_rows\)"):
        read_survey(path, limits=Limits(max_rows=2))
    one_line = tmp_path / "one.csv"
    one_line.write_text("Respondent ID" + ",x" * 600_000, encoding="utf-8")
    with pytest.raises(LoadError, match=r"Limits\.max_line_chars"):
        read_survey(one_line)


def test_catastrophic_pattern_does_not_hang(tmp_path: Path) -> None:
    body = Path(load_codebook("gp2017").source)
    if not body.exists():
        body = Path(__file__).resolve().parents[1] / "src" / "gpcollab" / "codebooks" / body.name
    text = body.read_text(encoding="utf-8").replace('name = "gp2017"', 'name = "redos"')
    text = text.replace('pattern = "^[0-9]{2}[A-Z0-9]$"', 'pattern = "^(A+)+$"')
    codebook = tmp_path / "redos.toml"
    codebook.write_text(text, encoding="utf-8")
    path, _ = export(tmp_path, n=3)
    rows = read_rows(path)
    k = rows[0].index(CB.columns[0].column)
    rows[1][k] = "A" * 40 + "!"
    rows[2][k] = "A" * 100_000
    rows[3][k] = ""
    write_rows(path, rows)
    started = time.perf_counter()
    data, report = lenient(path, codebook)
    assert time.perf_counter() - started < 10
    assert [r.row for r in report.missing_cells] == [2] and data.n == 3


def test_pattern_needing_backtracking_is_refused_by_the_codebook(tmp_path: Path) -> None:
    body = Path(__file__).resolve().parents[1] / "src" / "gpcollab" / "codebooks" / "gp2017.toml"
    text = body.read_text(encoding="utf-8").replace(
        'pattern = "^[0-9]{2}[A-Z0-9]$"', 'pattern = "^(a)\\\\1$"'
    )
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError, match=r"columns\.ccg_code\.pattern.*back-references"):
        load_codebook(path)


# -- FIFO and standard input ----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(
        UnreadableFileError, match=r"pipe\.csv: is a named pipe \(FIFO\), not a regular file"
    ):
        read_survey(fifo)


def test_standard_input_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    path, original = export(tmp_path, n=4)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    data, report = lenient(Path("-"))
    assert report.file == "<stdin>" and same_data(data, original)


# -- messages -------------------------------------------------------------------------------------


def test_leading_blank_lines_are_skipped(tmp_path: Path) -> None:
    path, original = export(tmp_path, n=3)
    path.write_text("\n  \n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    data, report = lenient(path)
    assert report.ok and same_data(data, original)
    assert report.blank_rows == (1, 2)


def cover_and_data(tmp_path: Path) -> tuple[Path, SurveyData]:
    openpyxl = pytest.importorskip("openpyxl")
    original = random_survey("gp2017", n=3, seed=15)
    rows = read_rows(write_survey(original, tmp_path / "c.csv"))
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Cover"
    cover.append(["Survey of GP practices", "exported 2017-06-01"])
    data = workbook.create_sheet("Responses")
    for row in rows:
        data.append([c or None for c in row])
    notes = workbook.create_sheet("Notes")
    notes.append(["nothing here"])
    workbook.save(tmp_path / "c.xlsx")
    return tmp_path / "c.xlsx", original


def test_workbook_with_a_cover_sheet(tmp_path: Path) -> None:
    path, original = cover_and_data(tmp_path)
    data, report = lenient(path)
    assert same_data(data, original) and report.sheet == "Responses"
    assert any(
        "read sheet 'Responses' (sheet 2 of 3: 'Cover', 'Responses', 'Notes')" in n
        for n in report.notes
    )
    with pytest.raises(LoadError, match="none of the 47 columns of codebook gp2017"):
        read_survey(path, sheet="Cover")
    assert same_data(read_survey(path, sheet=1), original)
    with pytest.raises(
        LoadError, match=r"no sheet named 'Answers'; the sheets are 'Cover', 'Responses', 'Notes'"
    ):
        read_survey(path, sheet="Answers")
    with pytest.raises(ArgumentError, match=r"sheet=5 but the workbook has 3 sheet"):
        read_survey(path, sheet=5)


def test_codebook_chooses_the_sheet(tmp_path: Path) -> None:
    path, _ = cover_and_data(tmp_path)
    body = Path(__file__).resolve().parents[1] / "src" / "gpcollab" / "codebooks" / "gp2017.toml"
    text = body.read_text(encoding="utf-8").replace(
        'name = "gp2017"', 'name = "sheets"\nsheet = "Cover"'
    )
    codebook = tmp_path / "sheets.toml"
    codebook.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match="none of the 47 columns of codebook sheets"):
        read_survey(path, codebook)


def test_write_survey_after_loading_with_a_codebook_path(tmp_path: Path) -> None:
    codebook = numeric_codebook(tmp_path)
    base = random_survey("ccg2015", n=3, seed=16)
    path = write_survey(base, tmp_path / "b.csv")
    data = read_survey(path, codebook)
    assert data.meta.codebook == "local"
    again = write_survey(data, tmp_path / "again.csv")  # finds 'local' by its name
    back = read_survey(again, codebook)
    # the optional numeric columns are written (empty) and read back as empty columns
    assert back.respondents[["collab_patients", "weight"]].isna().all().all()
    assert back.respondents.drop(columns=["collab_patients", "weight"]).equals(data.respondents)


def test_writes_are_atomic_and_never_follow_links(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "x.csv"
    link.symlink_to(victim)
    write_survey(random_survey("gp2017", n=2), link)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not link.is_symlink() and link.read_text(encoding="utf-8").startswith("Respondent ID")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["victim.txt", "x.csv"]


@pytest.mark.parametrize("ending", ["\r", "\r\n"])
def test_old_mac_and_windows_line_ends_across_blocks(tmp_path: Path, ending: str) -> None:
    # more than one read block (1 MiB) of text, so line ends meet block boundaries
    original = random_survey("gp2017", n=3600, seed=17)
    path = write_survey(original, tmp_path / "mac.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_bytes(ending.join(lines).encode("utf-8") + ending.encode())
    assert path.stat().st_size > 1 << 20
    data, report = lenient(path)
    assert report.ok and report.rows_read == 3600
    assert same_data(data, original)
