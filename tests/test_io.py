"""read_survey / write_survey: round trips in every format, and malformed inputs.

Every malformed-input test checks the message (file, row, column, found, allowed where they
apply) and, when rows are read, the accounting: rows read = accepted + rejected.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import gpcollab
from _loader_helpers import CODEBOOKS, random_survey, read_rows, same_data, write_rows
from gpcollab.codebook import load_codebook
from gpcollab.errors import GpcollabError, LoadError, UnreadableFileError
from gpcollab.io import LoadReport, Rejection, read_survey, write_survey
from gpcollab.schema import SurveyData

CB = load_codebook("gp2017")
SPEC = {s.name: s for s in CB.single}
ROLE = SPEC["role"].column
AGE = SPEC["age_band"].column
CCG = CB.columns[0].column
BARRIERS = next(m for m in CB.multi if m.name == "barriers")
assert CB.aims is not None
AIMS = CB.aims

FORMATS = {
    "csv-utf8": ("x.csv", {}),
    "csv-utf8-bom": ("x.csv", {"encoding": "utf-8-sig"}),
    "csv-cp1252": ("x.csv", {"encoding": "cp1252"}),
    "csv-utf16": ("x.csv", {"encoding": "utf-16"}),
    "xlsx": ("x.xlsx", {}),
    "sav": ("x.sav", {}),
    "two-header-csv": ("x.csv", {"header_rows": 2}),
    "two-header-xlsx": ("x.xlsx", {"header_rows": 2}),
}


def check_accounting(data: SurveyData, report: LoadReport) -> None:
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert data.n == report.rows_accepted
    assert {r.row for r in report.rejections} == set(
        report.to_frame()["row"]
    ) or not report.rejections
    assert len({r.row for r in report.rejections}) == report.rows_rejected
    # cells set missing belong to accepted rows, never to rejected ones
    assert not {c.row for c in report.missing_cells} & {r.row for r in report.rejections}
    kept = set(data.respondents["respondent_id"])
    assert {c.respondent_id for c in report.missing_cells} <= kept


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("codebook", CODEBOOKS)
@pytest.mark.parametrize("variant", list(FORMATS))
def test_round_trip_every_format(tmp_path: Path, codebook: str, variant: str) -> None:
    name, options = FORMATS[variant]
    original = random_survey(codebook, n=12, seed=7, id_prefix="Réponse-")
    path = write_survey(original, tmp_path / name, **options)
    data, report = read_survey(path, codebook, strict=False)
    assert same_data(original, data), variant
    assert report.ok and report.rows_read == 12
    assert data.meta.source == str(path) and data.meta.codebook == codebook
    assert not data.meta.synthetic
    if variant.startswith("csv"):
        expected = {"csv-utf8": "utf-8", "csv-utf8-bom": "utf-8-sig", "csv-utf16": "utf-16"}.get(
            variant, variant[4:]
        )
        assert report.encoding == expected
    assert report.header_rows == (
        2 if variant.startswith("two") else 0 if name[-3:] == "sav" else 1
    )
    assert read_survey(path, codebook).equals(data)  # strict: the data alone


def test_all_formats_load_to_identical_data(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=30, seed=3)
    loaded = []
    for variant, (name, options) in FORMATS.items():
        path = write_survey(original, tmp_path / f"{variant}-{name}", **options)
        loaded.append(read_survey(path, "gp2017"))
    assert all(same_data(loaded[0], other) for other in loaded[1:])


def test_written_csv_looks_like_a_survey_export(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=3, seed=2)
    rows = read_rows(write_survey(original, tmp_path / "flat.csv"))
    assert rows[0][:2] == ["Respondent ID", ROLE]
    assert f"{BARRIERS.question} - Staff shortages" in rows[0]
    two = read_rows(write_survey(original, tmp_path / "two.csv", header_rows=2))
    first_barrier = two[0].index(BARRIERS.question)
    assert two[1][first_barrier : first_barrier + 2] == [
        "Time and work pressures",
        "Staff shortages",
    ]
    assert two[0][first_barrier + 1] == ""
    assert two[1][1] == "Response"


def test_sav_keeps_value_labels(tmp_path: Path) -> None:
    import pyreadstat

    original = random_survey("ccg2017", n=5, seed=1)
    path = write_survey(original, tmp_path / "x.sav")
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert meta.variable_value_labels["Q1"][1] == "GP partner"
    assert meta.column_names_to_labels["Q1"] == load_codebook("ccg2017").single[0].column


def test_write_survey_refuses_data_the_codebook_cannot_hold(tmp_path: Path) -> None:
    data = random_survey("gp2017", n=3)
    with pytest.raises(GpcollabError, match=r"codebook ccg2017 has no column for 'membership'"):
        write_survey(data, tmp_path / "x.csv", "ccg2017")
    with pytest.raises(GpcollabError, match=r"cannot tell the format from the extension '.json'"):
        write_survey(data, tmp_path / "x.json")


def test_public_names_are_exported() -> None:
    assert gpcollab.read_survey is read_survey
    assert gpcollab.LoadReport is LoadReport and gpcollab.Rejection is Rejection
    assert gpcollab.load_codebook("gp2015").wave == 2015


# -- fixtures for malformed inputs ------------------------------------------------------------


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, list[list[str]], SurveyData]:
    """A clean gp2017 export of four respondents (file rows 2-5), as rows to tamper with."""
    original = random_survey("gp2017", n=4, seed=11)
    path = write_survey(original, tmp_path / "export.csv")
    return path, read_rows(path), original


def col(rows: list[list[str]], header: str) -> int:
    return rows[0].index(header)


def load_lenient(path: Path, codebook: str = "gp2017") -> tuple[SurveyData, LoadReport]:
    data, report = read_survey(path, codebook, strict=False)
    check_accounting(data, report)
    return data, report


# -- malformed inputs: the header ------------------------------------------------------------


def test_missing_column(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    i = col(rows, ROLE)
    write_rows(path, [r[:i] + r[i + 1 :] for r in rows])
    with pytest.raises(LoadError, match=r"export\.csv: the header does not fit codebook gp2017"):
        read_survey(path, strict=False)
    with pytest.raises(LoadError, match=re.escape(f"missing column '{ROLE}'")):
        read_survey(path)


def test_misspelt_column_suggests_the_closest(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, _ = export
    rows[0][col(rows, ROLE)] = "Which of the following best describe your role"
    write_rows(path, rows)
    with pytest.raises(
        LoadError, match=r"closest in the file: 'Which of the following best describe"
    ):
        read_survey(path)


def test_duplicated_column(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    i = col(rows, ROLE)
    write_rows(path, [[*r, r[i]] for r in rows])
    with pytest.raises(LoadError, match=re.escape(f"column '{ROLE}' appears 2 times (columns B, ")):
        read_survey(path)


def test_header_case_and_spaces_are_normalised(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, original = export
    rows[0] = [f"  {h.upper()}  " for h in rows[0]]
    write_rows(path, rows)
    assert same_data(read_survey(path), original)


def test_extra_columns_are_ignored_and_reported(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, original = export
    write_rows(path, [[*r, "2017-03-01" if k else "Start date"] for k, r in enumerate(rows)])
    data, report = load_lenient(path)
    assert same_data(data, original)
    assert report.ignored_columns == ("Start date",)
    assert "columns not in the codebook (ignored): 'Start date'" in str(report)


def test_two_header_export_missing_its_second_row(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=3, seed=4)
    rows = read_rows(write_survey(original, tmp_path / "two.csv", header_rows=2))
    path = write_rows(tmp_path / "two.csv", [rows[0], *rows[2:]])
    with pytest.raises(LoadError) as info:
        read_survey(path)
    message = str(info.value)
    assert "two.csv: the header does not fit codebook gp2017" in message
    assert "Row 1 looks like the first header row of a two-header export" in message
    assert "row 2 is not the row of answer options (found 'R001'" in message


def test_two_header_export_with_an_unknown_option(tmp_path: Path) -> None:
    original = random_survey("gp2017", n=3, seed=4)
    rows = read_rows(write_survey(original, tmp_path / "two.csv", header_rows=2))
    first = rows[0].index(BARRIERS.question)
    rows = [
        [*r[: first + 1], x, *r[first + 1 :]]
        for r, x in zip(rows, ["", "Cyber attack", "X", "", ""], strict=False)
    ]
    path = write_rows(tmp_path / "two.csv", rows)
    data, report = load_lenient(path)
    # the respondent is kept; the tick under an unknown option is the cell set missing
    assert report.rows_rejected == 0 and report.rows_accepted == 3 and data.n == 3
    (rejection,) = report.missing_cells
    assert rejection.row == 3
    assert rejection.column == f"{BARRIERS.question} | Cyber attack"
    assert rejection.found == "X"
    assert "'Time and work pressures', 'Staff shortages'" in rejection.allowed
    assert "an option the codebook does not know ('Cyber attack') is ticked" in rejection.reason


def test_multi_select_with_an_unknown_option_column(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, _ = export
    header = f"{BARRIERS.question} - Weather"
    write_rows(
        path,
        [[*r, header if k == 0 else ("Weather" if k == 2 else "")] for k, r in enumerate(rows)],
    )
    _, report = load_lenient(path)
    assert [(r.row, r.column, r.found) for r in report.missing_cells] == [(3, header, "Weather")]
    assert report.rows_rejected == 0
    with pytest.raises(LoadError, match=r"row 3, column '.*- Weather': an option the codebook"):
        read_survey(path)


# -- malformed inputs: cells ------------------------------------------------------------------


def test_unknown_answer_text(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[2][col(rows, ROLE)] = "Senior partner"
    write_rows(path, rows)
    with pytest.raises(LoadError) as info:
        read_survey(path)
    message = str(info.value)
    assert "export.csv: 1 cell(s) in 1 row(s) hold an answer the codebook does not know" in message
    assert "strict=False to load the file: it keeps the 1 respondent(s) with those cells set" in (
        message
    )
    assert f"row 3, column '{ROLE}': unknown answer; found 'Senior partner'" in message
    assert "allowed: 'GP partner', 'Salaried GP', 'Practice manager'" in message
    assert "(or codes 1-8), or blank" in message
    report = info.value.report
    assert isinstance(report, LoadReport)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 4, 0)
    (cell,) = report.missing_cells
    assert (cell.file, cell.row, cell.respondent_id) == (str(path), 3, "R002")
    # strict=False keeps the respondent, with that one cell missing and the others as given
    data, lenient = load_lenient(path)
    assert data.n == 4 and lenient.missing_cells == report.missing_cells
    row = data.respondents.set_index("respondent_id").loc["R002"]
    assert pd.isna(row["role"])
    assert "cells set missing: 1 in 1 accepted row(s)" in str(lenient)


def test_unknown_answer_code(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[4][col(rows, ROLE)] = "17"
    write_rows(path, rows)
    _, report = load_lenient(path)
    (r,) = report.missing_cells
    assert report.rows_rejected == 0
    assert (r.row, r.column, r.found, r.reason) == (5, ROLE, "17", "unknown answer code")


def test_answer_codes_and_numbers_stored_as_text_are_accepted(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, original = export
    i = col(rows, ROLE)
    for row in rows[1:]:
        if row[i]:
            value = SPEC["role"].answers[row[i]]
            row[i] = f"{SPEC['role'].codes[value]}.0"
    write_rows(path, rows)
    assert same_data(read_survey(path), original)


def test_trailing_spaces_and_case_differences_are_accepted(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, original = export
    for row in rows[1:]:
        row[:] = [f" {c.swapcase()}   " if c and k else c for k, c in enumerate(row)]
    write_rows(path, rows)
    data, report = load_lenient(path)
    assert report.ok
    assert same_data(data, original)


def test_missing_value_codes_are_missing(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    for code, row in zip(
        ["N/A", "-99", "Prefer not to say", "not answered"], rows[1:], strict=True
    ):
        row[col(rows, ROLE)] = code
    write_rows(path, rows)
    data = read_survey(path)
    assert data.respondents["role"].isna().all()


def test_duplicate_respondent_id(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[3][0] = rows[1][0]
    write_rows(path, rows)
    data, report = load_lenient(path)
    assert report.rows_rejected == 2
    first, second = report.rejections
    assert (first.row, first.column, first.found) == (2, "Respondent ID", "R001")
    assert first.reason == "duplicate respondent id (also on row(s) 4)"
    assert second.reason == "duplicate respondent id (also on row(s) 2)"
    assert first.allowed == "a respondent id used on one row only"
    assert "R001" not in set(data.respondents["respondent_id"])


def test_blank_respondent_id(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[2][0] = "  "
    write_rows(path, rows)
    _, report = load_lenient(path)
    (r,) = report.rejections
    assert (r.row, r.column, r.reason) == (3, "Respondent ID", "respondent id is missing")


def test_aims_answered_for_a_missing_respondent(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, _ = export
    row = rows[3]
    row[0] = ""
    row[col(rows, SPEC["membership"].column)] = "Yes - formal"  # aims are asked of members
    row[col(rows, AIMS.options[0].column)] = AIMS.options[0].text
    row[col(rows, AIMS.outcome_columns["access"].column)] = "Fully achieved"
    write_rows(path, rows)
    data, report = load_lenient(path)
    assert [(r.row, r.reason) for r in report.rejections] == [(4, "respondent id is missing")]
    assert len(data.aims) == len(read_survey_without_row(path, 4).aims)


def read_survey_without_row(path: Path, row: int) -> SurveyData:
    rows = read_rows(path)
    del rows[row - 1]
    return read_survey(write_rows(path.with_name("without.csv"), rows))


def test_outcome_for_an_aim_not_ticked(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[1][col(rows, AIMS.options[1].column)] = ""
    column = AIMS.outcome_columns[AIMS.options[1].value].column
    rows[1][col(rows, column)] = "Partially achieved"
    write_rows(path, rows)
    _, report = load_lenient(path)
    (r,) = report.missing_cells
    assert report.rows_rejected == 0
    assert (r.row, r.column, r.found) == (2, column, "Partially achieved")
    assert r.allowed == "blank, because the aim is not ticked"
    assert "which is not ticked" in r.reason


def test_multi_select_cell_that_is_not_a_tick(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, _ = export
    column = BARRIERS.options[1].column
    rows[2][col(rows, column)] = "Maybe"
    write_rows(path, rows)
    _, report = load_lenient(path)
    (r,) = report.missing_cells
    assert report.rows_rejected == 0
    assert (r.row, r.column, r.found, r.reason) == (3, column, "Maybe", "not a tick or a blank")
    assert r.allowed.startswith("'Staff shortages', '1', 'Yes', 'Selected' (ticked)")


def test_multi_select_ticks_as_numbers_and_words(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, original = export
    for row in rows[1:]:
        for option in BARRIERS.options:
            i = col(rows, option.column)
            row[i] = "1" if row[i] else "0"
    rows[1][col(rows, BARRIERS.options[0].column)] = (
        "yes" if rows[1][col(rows, BARRIERS.options[0].column)] == "1" else "no"
    )
    write_rows(path, rows)
    assert same_data(read_survey(path), original)


def test_ccg_code_pattern_and_case(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[1][col(rows, CCG)] = "05d"
    rows[2][col(rows, CCG)] = "Camden"
    write_rows(path, rows)
    data, report = load_lenient(path)
    assert data.respondents["ccg_code"].iloc[0] == "05D"
    (r,) = report.missing_cells
    assert report.rows_rejected == 0
    assert (r.row, r.column, r.found, r.allowed) == (
        3,
        CCG,
        "Camden",
        "text matching ^[0-9]{2}[A-Z0-9]$",
    )


def test_date_in_a_text_field_of_a_csv(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[1][col(rows, AGE)] = "01/02/2017"
    write_rows(path, rows)
    _, report = load_lenient(path)
    (r,) = report.missing_cells
    assert report.rows_rejected == 0
    assert r.column == AGE and r.found == "01/02/2017"
    assert "this looks like a date" in r.reason and "'Less than a year ago'" in r.allowed


# -- malformed inputs: the shape of the file ---------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(LoadError, match=r"empty\.csv: the file is empty \(0 bytes\)"):
        read_survey(path, strict=False)


def test_file_of_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n  \n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"blank\.csv: the file is empty \(only blank lines\)"):
        read_survey(path)


def test_header_only(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    write_rows(path, rows[:1])
    with pytest.raises(LoadError, match=r"export\.csv: the file has a header but no data rows"):
        read_survey(path)
    data, report = load_lenient(path)
    assert data.n == 0 and report.rows_read == 0
    assert "the file has a header but no data rows" in report.notes


def test_short_row_is_read_with_blanks_and_noted(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    # Excel leaves out the trailing empty cells of a row: the missing cells are blanks.
    path, rows, original = export
    rows[4] = rows[4][:5]
    write_rows(path, rows)
    data, report = load_lenient(path)
    assert data.n == 4 and report.ok
    assert data.respondents["respondent_id"].tolist() == ["R001", "R002", "R003", "R004"]
    cut = [s.name for s in CB.single if rows[0].index(s.column) >= 5]
    kept = [s.name for s in CB.single if rows[0].index(s.column) < 5]
    assert cut and data.respondents.loc[3, cut].isna().all()
    assert data.respondents.loc[3, kept].tolist() == original.respondents.loc[3, kept].tolist()
    assert any(
        "1 row(s) have fewer fields than the header" in n and "blank: line 5" in n
        for n in report.notes
    )


def test_row_with_too_many_fields(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[2] = [*rows[2], "stray"]
    write_rows(path, rows)
    _, report = load_lenient(path)
    (r,) = report.rejections
    assert r.row == 3 and r.found == "stray"
    assert f"row has {len(rows[0]) + 1} fields but the header has {len(rows[0])}" in r.reason


def test_unclosed_quote_swallows_lines_but_not_silently(tmp_path: Path) -> None:
    original = random_survey("ccg2015", n=4, seed=5)
    path = write_survey(original, tmp_path / "q.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",", ',"', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, report = load_lenient(path, "ccg2015")
    # the row where the quote opens is rejected; the lines after it are rows of their own
    assert report.rows_read == 4 and data.n == 3
    (r,) = report.rejections
    assert r.row == 3 and r.found.startswith('"')
    assert r.reason.startswith("the quote is never closed: the field runs to the end of the file")
    assert "(the quote opens on line 3; lines 4-5 after it were read as rows of their own)" in (
        r.reason
    )


def test_semicolon_separated_file_is_detected(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, original = export
    write_rows(path, rows, delimiter=";")
    data, report = load_lenient(path)
    assert same_data(data, original)
    assert report.delimiter == ";"
    assert "fields are separated by ';', not commas" in report.notes


def test_one_row_with_the_wrong_delimiter(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    text = path.read_text(encoding="utf-8").splitlines()
    text[3] = ";".join(rows[3])
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    _, report = load_lenient(path)
    (r,) = report.rejections
    assert r.row == 4 and r.reason.startswith("truncated row: ")


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, rows, original = export
    rows[3][col(rows, ROLE)] = "Astronaut"
    text = path.read_text(encoding="utf-8").splitlines()
    lines = [",".join(f'"{c}"' for c in r) for r in rows]
    path.write_text(
        "\n".join([lines[0], "", lines[1], lines[2], ",,,", lines[3], lines[4]]) + "\n",
        encoding="utf-8",
    )
    assert text
    data, report = load_lenient(path)
    assert report.blank_rows == (2, 5)
    assert [r.row for r in report.missing_cells] == [6]
    assert report.rows_read == 4 and data.n == 4
    assert "blank rows skipped: lines 2, 5" in report.summary()
    assert original.n == 4


def test_binary_file_renamed_csv(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(
        UnreadableFileError,
        match=r"photo\.csv: the file holds binary data, not text, although its name ends in '.csv'",
    ):
        read_survey(path, strict=False)


def test_text_that_is_neither_utf8_nor_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"Respondent ID\nR1\x81\n")
    with pytest.raises(
        UnreadableFileError,
        match=r"odd\.csv: line 2 \(byte offset 16\) is neither UTF-8 nor cp1252 text "
        r"\(byte 0x81\)",
    ):
        read_survey(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"nothing\.csv: no such file"):
        read_survey(tmp_path / "nothing.csv")


def test_old_xls_workbook(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(
        UnreadableFileError, match=r"old binary Excel workbook \(\.xls\).*save it as \.xlsx"
    ):
        read_survey(path)


def test_damaged_xlsx(tmp_path: Path) -> None:
    path = write_survey(random_survey("gp2015", n=3), tmp_path / "x.xlsx")
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(UnreadableFileError, match=r"x\.xlsx: not a readable XLSX workbook"):
        read_survey(path, "gp2015")


def test_xlsx_saved_with_a_csv_name_is_read_as_xlsx(tmp_path: Path) -> None:
    original = random_survey("gp2015", n=3)
    path = write_survey(original, tmp_path / "x.xlsx")
    renamed = path.rename(tmp_path / "x.csv")
    data, report = load_lenient(renamed, "gp2015")
    assert same_data(data, original)
    assert report.format == "xlsx"
    assert "the name ends in '.csv' but the content is xlsx; read as xlsx" in report.notes


def test_forced_format_that_does_not_match(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, _, _ = export
    with pytest.raises(
        UnreadableFileError, match=r"format='sav' was asked for, but the content is csv"
    ):
        read_survey(path, format="sav")


# -- XLSX and SAV specifics -------------------------------------------------------------------


def xlsx_from_rows(path: Path, rows: list[list[object]]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_numbers_stored_as_numbers_and_text(
    tmp_path: Path, export: tuple[Path, list[list[str]], SurveyData]
) -> None:
    _, rows, _ = export
    table: list[list[object]] = [list(r) for r in rows]
    i = col(rows, ROLE)
    for k, row in enumerate(table[1:], start=1):
        row[0] = 1000 + k
        if row[i]:
            row[i] = SPEC["role"].codes[SPEC["role"].answers[str(row[i])]]
    table[1][i] = "1"
    path = xlsx_from_rows(tmp_path / "numbers.xlsx", table)
    data = read_survey(path)
    assert data.respondents["respondent_id"].tolist() == ["1001", "1002", "1003", "1004"]
    assert data.respondents["role"].iloc[0] == "gp_partner"


def test_excel_date_in_a_text_field(
    tmp_path: Path, export: tuple[Path, list[list[str]], SurveyData]
) -> None:
    _, rows, _ = export
    table: list[list[object]] = [list(r) for r in rows]
    table[2][col(rows, CCG)] = dt.datetime(2017, 2, 1)
    table[3][col(rows, AGE)] = dt.datetime(2017, 1, 2)
    path = xlsx_from_rows(tmp_path / "dates.xlsx", table)
    _, report = load_lenient(path)
    first, second = report.missing_cells
    assert (first.row, first.column, first.found) == (3, CCG, "2017-02-01")
    assert "does not match the expected pattern (this looks like a date" in first.reason
    assert (second.row, second.column, second.found) == (4, AGE, "2017-01-02")
    assert "unknown answer (this looks like a date: a spreadsheet may have turned" in second.reason


def test_sav_with_unexpected_value_labels(tmp_path: Path) -> None:
    import pyreadstat

    original = random_survey("ccg2017", n=4, seed=3)
    path = write_survey(original, tmp_path / "x.sav")
    frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    labels = dict(meta.variable_value_labels)
    labels["Q1"] = {**labels["Q1"], 1.0: "Senior partner", 9.0: "Retired GP"}
    frame.loc[0, "Q1"] = 1.0
    frame.loc[2, "Q1"] = 9.0
    frame.loc[3, "Q1"] = 7.0  # CCG manager (the CCG items are asked of CCG staff)
    pyreadstat.write_sav(
        frame, str(path), column_labels=meta.column_labels, variable_value_labels=labels
    )
    data, report = load_lenient(path, "ccg2017")
    assert data.n == 4 and data.respondents["role"].iloc[3] == "ccg_manager"
    assert data.respondents["role"].iloc[[0, 2]].isna().all()
    labelled = [c for c in report.missing_cells if c.column == "Q1"]
    first, second = labelled
    assert (first.row, first.column, first.found) == (1, "Q1", "1 = 'Senior partner'")
    assert first.reason == "the file's value label is not a known answer"
    assert "'GP partner'" in first.allowed
    assert (second.row, second.found) == (3, "9 = 'Retired GP'")
    # with the role missing, the CCG's own items (asked of CCG staff) are off route: blanked too
    others = [c for c in report.missing_cells if c.column != "Q1"]
    assert {c.row for c in others} <= {1, 3}
    assert all(c.reason.startswith("off-route answer:") for c in others)
    assert all("role = blank" in c.reason for c in others)


def test_sav_matched_by_variable_labels_when_names_differ(tmp_path: Path) -> None:
    import pyreadstat

    original = random_survey("ccg2015", n=4, seed=3)
    path = write_survey(original, tmp_path / "x.sav")
    frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    renamed = {c: f"v{k}" for k, c in enumerate(frame.columns)}
    pyreadstat.write_sav(
        frame.rename(columns=renamed),
        str(path),
        column_labels=meta.column_labels,
        variable_value_labels={renamed[k]: v for k, v in meta.variable_value_labels.items()},
    )
    assert same_data(read_survey(path, "ccg2015"), original)


def test_damaged_sav(tmp_path: Path) -> None:
    path = tmp_path / "x.sav"
    path.write_bytes(b"$FL2" + b"garbage" * 10)
    with pytest.raises(UnreadableFileError, match=r"x\.sav: not a readable SPSS \.sav file"):
        read_survey(path)


def test_missing_optional_package_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = write_survey(random_survey("gp2015", n=2), tmp_path / "x.xlsx")
    monkeypatch.setitem(sys.modules, "defusedxml.ElementTree", None)
    with pytest.raises(
        LoadError,
        match=r"optional package 'defusedxml'; install it with: pip install gpcollab\[xlsx\]",
    ):
        read_survey(path, "gp2015")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(
        LoadError,
        match=r"optional package 'openpyxl'; install it with: pip install gpcollab\[xlsx\]",
    ):
        write_survey(random_survey("gp2015", n=2), tmp_path / "y.xlsx")


# -- numbers (a user codebook with numeric columns) --------------------------------------------


@pytest.fixture
def numeric_codebook(tmp_path: Path) -> Path:
    text = Path(load_codebook("ccg2015").source)
    source = Path(__file__).resolve().parents[1] / "src" / "gpcollab" / "codebooks" / text.name
    body = source.read_text(encoding="utf-8").replace('name = "ccg2015"', 'name = "local"')
    body = body.replace(
        "[columns.ccg_code]",
        '[columns.collab_patients]\ncolumn = "Patients covered"\n\n'
        '[columns.weight]\ncolumn = "Weight"\nrequired = false\n\n[columns.ccg_code]',
    )
    path = tmp_path / "local.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_numeric_columns_round_trip_and_accept_thousands(
    tmp_path: Path, numeric_codebook: Path
) -> None:
    base = random_survey("ccg2015", n=3, seed=2)
    respondents = base.respondents.drop(columns="ccg_code").assign(
        collab_patients=[45000.0, None, 0.125],
        weight=[1.5, 2.0, None],
        ccg_code=base.respondents["ccg_code"],
    )
    import dataclasses

    meta = dataclasses.replace(base.meta, codebook="local")
    data = SurveyData(respondents, aims=base.aims, multi=base.multi, meta=meta)
    path = write_survey(data, tmp_path / "n.csv", numeric_codebook)
    assert same_data(read_survey(path, numeric_codebook), data)
    rows = read_rows(path)
    rows[1][col(rows, "Patients covered")] = "45,000"
    rows[2][col(rows, "Patients covered")] = "lots"
    rows[3][col(rows, "Patients covered")] = "-3"
    write_rows(path, rows)
    back, report = load_lenient(path, str(numeric_codebook))
    assert back.respondents["collab_patients"].iloc[0] == 45000.0
    assert back.respondents["collab_patients"].iloc[1:].isna().all()
    assert [(r.row, r.found, r.allowed) for r in report.missing_cells] == [
        (3, "lots", "a number of 0 or more, or blank"),
        (4, "-3", "a number of 0 or more, or blank"),
    ]


def test_optional_column_may_be_absent(tmp_path: Path, numeric_codebook: Path) -> None:
    data = random_survey("ccg2015", n=3, seed=2)
    rows = read_rows(write_survey(data, tmp_path / "n.csv"))
    rows = [[*r, "12" if k else "Patients covered"] for k, r in enumerate(rows)]
    back = read_survey(write_rows(tmp_path / "n.csv", rows), numeric_codebook)
    assert "weight" not in back.respondents and back.respondents["collab_patients"].eq(12).all()


# -- the report -------------------------------------------------------------------------------


def test_strict_error_lists_every_problem(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[1][col(rows, ROLE)] = "Pilot"
    rows[3][col(rows, ROLE)] = "Chef"
    rows[3][col(rows, CCG)] = "???"
    write_rows(path, rows)
    with pytest.raises(LoadError) as info:
        read_survey(path)
    message = str(info.value)
    assert "3 cell(s) in 2 row(s) hold an answer the codebook does not know" in message
    assert "Pass strict=False to load the file" in message
    assert "row 2, column" in message and "'Pilot'" in message
    assert "'Chef'" in message and "'???'" in message
    frame = info.value.report.to_frame()  # type: ignore[attr-defined]
    assert list(frame.columns) == [
        "file",
        "row",
        "respondent_id",
        "column",
        "found",
        "allowed",
        "reason",
        "action",
    ]
    assert frame["row"].tolist() == [2, 4, 4]
    assert set(frame["action"]) == {"cell set missing"}


def test_report_text_and_frame(export: tuple[Path, list[list[str]], SurveyData]) -> None:
    path, rows, _ = export
    rows[2][col(rows, ROLE)] = "Pilot"
    write_rows(path, rows)
    _, report = load_lenient(path)
    text = str(report)
    assert f"{path} (csv, utf-8, delimiter ',', 1 header row(s)) read with codebook gp2017" in text
    assert "rows read: 4 = accepted 4 + rejected 0" in text
    assert f"  - {path}, row 3 (respondent 'R002'), column '{ROLE}': unknown answer; found " in (
        text
    )
    assert not report.ok
    assert isinstance(report.to_frame(), pd.DataFrame)


def test_unknown_codebook_is_a_codebook_error(
    export: tuple[Path, list[list[str]], SurveyData],
) -> None:
    path, _, _ = export
    with pytest.raises(GpcollabError, match="Unknown codebook 'gp1999'"):
        read_survey(path, "gp1999")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableFileError, match=r"x\.xlsx: not a readable XLSX workbook"):
        read_survey(path)
