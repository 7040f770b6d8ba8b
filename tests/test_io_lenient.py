"""Analysts' own exports (issue 19): respondents are kept, and every line is accounted for.

Each test builds its own hostile file. Expected values are written by hand from the file the
test builds (the line a problem sits on, the respondent, the value written), never taken from
the loader's own output.

Classes covered: a cell with an answer the codebook does not know (kept, cell missing); an
aim outcome the codebook does not know; answers that disagree (region vs CCG: reported, kept);
a quote that swallows the next line; a DOS end-of-file mark; numeric ids from XLSX and SPSS;
a file that is not this survey; ``verify_findings`` given a DataFrame; blank lines named as
lines.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from _loader_helpers import random_survey, read_rows, write_rows
from gpcollab import verify_findings
from gpcollab.codebook import load_codebook
from gpcollab.errors import ArgumentError, LoadError
from gpcollab.io import LoadReport, read_survey, write_survey
from gpcollab.schema import SurveyData

CB = load_codebook("gp2017")
SPEC = {s.name: s for s in CB.single}
AIMS = CB.aims
assert AIMS is not None
ROLE = SPEC["role"].column
REGION = SPEC["region"].column
MEMBERSHIP = SPEC["membership"].column
CCG = next(c.column for c in CB.columns if c.name == "ccg_code")
BARRIERS = next(m for m in CB.multi if m.name == "barriers")


def lenient(path: Path, codebook: str = "gp2017") -> tuple[SurveyData, LoadReport]:
    data, report = read_survey(path, codebook, strict=False)
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert data.n == report.rows_accepted
    assert not {c.row for c in report.missing_cells} & {r.row for r in report.rejections}
    return data, report


def four_respondents(tmp_path: Path) -> list[list[str]]:
    """A clean gp2017 export of four respondents (R001-R004), as rows of text."""
    return read_rows(write_survey(random_survey("gp2017", n=4, seed=1), tmp_path / "x.csv"))


# -- 1. a cell the codebook does not know: the respondent is kept, the cell set missing --------


def test_unknown_aim_outcome_keeps_the_respondent_and_names_the_cell(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    header = rows[0]
    # make R003 (line 4) a member with the access aim, achieved "Partly achieved" (unknown)
    aim = header.index(AIMS.options[0].column)
    outcome = header.index(AIMS.outcome_columns["access"].column)
    row = rows[3]
    row[header.index(MEMBERSHIP)] = "Yes - an informal collaboration"
    row[aim] = AIMS.options[0].text
    row[outcome] = "Partly achieved"
    path = write_rows(tmp_path / "partly.csv", rows)

    with pytest.raises(LoadError) as caught:
        read_survey(path)
    message = str(caught.value)
    assert "1 cell(s) in 1 row(s) hold an answer the codebook does not know" in message
    assert "strict=False" in message and "keeps the 1 respondent(s) with those cells" in message

    data, report = lenient(path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 4, 0)
    (cell,) = report.missing_cells
    assert (cell.row, cell.respondent_id, cell.column, cell.found) == (
        4,
        "R003",
        AIMS.outcome_columns["access"].column,
        "Partly achieved",
    )
    assert "'Partially achieved'" in cell.allowed and cell.reason == "unknown answer"
    # the aim stays ticked, its outcome missing; the respondent's other answers as written
    mine = data.aims[data.aims["respondent_id"] == "R003"].set_index("aim")
    assert "access" in mine.index and pd.isna(mine.at["access", "outcome"])
    assert data.respondents.set_index("respondent_id").at["R003", "membership"] == "informal"
    frame = report.to_frame()
    assert frame[["row", "respondent_id", "found", "action"]].values.tolist() == [
        [4, "R003", "Partly achieved", "cell set missing"]
    ]
    assert "cells set missing: 1 in 1 accepted row(s)" in report.summary()


def test_unreadable_rows_are_still_rejected_whole(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    rows[1][0] = ""  # line 2: no id
    rows[2] = [*rows[2], "stray"]  # line 3: a field more than the header
    rows[3][rows[0].index(ROLE)] = "Astronaut"  # line 4: one unknown answer
    data, report = lenient(write_rows(tmp_path / "mixed.csv", rows))
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 2, 2)
    assert [r.row for r in report.rejections] == [2, 3]
    assert [(c.row, c.found) for c in report.missing_cells] == [(4, "Astronaut")]
    assert data.respondents["respondent_id"].tolist() == ["R003", "R004"]


# -- 2. answers that disagree: reported, never a rejection, kept as answered --------------------


def test_region_not_the_ccgs_is_reported_and_kept(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    header = rows[0]
    # 00C is Darlington (North of England, Y54); London is Y56
    for k, region in ((1, "London"), (2, "North of England"), (3, "London")):
        rows[k][header.index(CCG)] = "00C"
        rows[k][header.index(REGION)] = region
    path = write_rows(tmp_path / "regions.csv", rows)
    strict = read_survey(path)  # not a problem: a strict load succeeds
    data, report = lenient(path)
    assert report.ok and data.n == 4
    assert [(i.row, i.respondent_id, i.rule, i.found) for i in report.inconsistencies] == [
        (2, "R001", "region_ccg", "Y56"),
        (4, "R003", "region_ccg", "Y56"),
    ]
    assert report.inconsistencies[0].detail == "CCG 00C is in region Y54"
    regions = data.respondents.set_index("respondent_id")["region"].astype(str)
    assert regions[["R001", "R002", "R003"]].tolist() == ["Y56", "Y54", "Y56"]
    assert strict.respondents["region"].astype(str).tolist()[:3] == ["Y56", "Y54", "Y56"]
    text = report.summary()
    assert "inconsistent answers (rule 'region_ccg'" in text
    assert "kept as answered: 2 respondent(s): 'R001', 'R003'" in text


# -- 5. accounting by physical line ------------------------------------------------------------


def test_quote_left_open_at_the_end_of_a_line_names_both_lines(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    lines = write_rows(tmp_path / "q.csv", rows).read_text(encoding="utf-8").splitlines()
    # line 3 ends with an opening quote; line 4 holds a quoted answer that "closes" it
    lines[2] = lines[2] + ',"'
    cells = lines[3].split(",")
    cells[1] = f'"{cells[1]}"'
    lines[3] = ",".join(cells)
    path = tmp_path / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, report = lenient(path)
    assert report.rows_read == 4  # four data lines, four rows
    (rejection,) = report.rejections
    assert rejection.row == 3
    assert "the quote opens on line 3; line 4 after it was read as a row of its own" in (
        rejection.reason
    )
    assert data.respondents["respondent_id"].tolist() == ["R001", "R003", "R004"]


def test_dos_end_of_file_mark_is_the_end_of_the_file(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    body = write_rows(tmp_path / "z.csv", rows).read_bytes()
    for name, tail, line in (("own.csv", b"\x1a", 6), ("crlf.csv", b"\x1a\r\n", 6)):
        path = tmp_path / name
        path.write_bytes(body + tail)
        data, report = lenient(path)
        assert (report.rows_read, data.n, report.ok) == (4, 4, True)
        assert any(f"line {line} holds only the character 0x1a" in n for n in report.notes)
    glued = tmp_path / "glued.csv"
    glued.write_bytes(body.rstrip(b"\r\n") + b"\x1a")
    data, report = lenient(glued)
    assert (report.rows_read, data.n, report.ok) == (4, 4, True)
    assert any("line 5 ends with the character 0x1a" in n for n in report.notes)


def test_control_character_line_mid_file_is_a_named_problem(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    text = write_rows(tmp_path / "m.csv", rows).read_text(encoding="utf-8").splitlines()
    text.insert(2, "\x1a")  # becomes line 3
    path = tmp_path / "m.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    data, report = lenient(path)
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (5, 4, 1)
    (rejection,) = report.rejections
    assert rejection.row == 3 and rejection.found == "\x1a"
    assert "control character 0x1a" in rejection.reason
    assert "\x1a" not in set(data.respondents["respondent_id"])


def xlsx_with_ids(path: Path, rows: list[list[str]], ids: list[int]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(rows[0])
    for row, rid in zip(rows[1:], ids, strict=True):
        sheet.append([rid, *(c or None for c in row[1:])])
    workbook.save(path)
    return path


def test_xlsx_numeric_ids_are_written_without_a_decimal_part(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    ids = [4000000000000001, 4000000000000002, 12, 2**53]  # all exact in a double
    data, report = lenient(xlsx_with_ids(tmp_path / "ids.xlsx", rows, ids))
    assert report.ok
    assert data.respondents["respondent_id"].tolist() == [
        "4000000000000001",
        "4000000000000002",
        "12",
        "9007199254740992",
    ]


def test_xlsx_ids_beyond_two_to_the_53_are_refused_as_lossy(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    ids = [1, 2**53 + 2, 3, 40000000000000001]  # the last is stored as 4.0e16 by a double
    data, report = lenient(xlsx_with_ids(tmp_path / "big.xlsx", rows, ids))
    assert [r.row for r in report.rejections] == [3, 5]
    assert all("scientific notation" in r.reason and "2**53" in r.reason for r in report.rejections)
    assert data.respondents["respondent_id"].tolist() == ["1", "3"]


def test_sav_numeric_ids_are_written_without_a_decimal_part(tmp_path: Path) -> None:
    import pyreadstat

    path = write_survey(random_survey("ccg2017", n=3, seed=2), tmp_path / "x.sav")
    frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    id_var = frame.columns[0]
    frame[id_var] = [4000000000000001.0, 7.0, 2.0**53 + 2]
    pyreadstat.write_sav(
        frame,
        str(path),
        column_labels=meta.column_labels,
        variable_value_labels=meta.variable_value_labels,
    )
    data, report = lenient(path, "ccg2017")
    assert data.respondents["respondent_id"].tolist() == ["4000000000000001", "7"]
    (rejection,) = report.rejections
    assert rejection.row == 3 and "scientific notation" in rejection.reason


# -- 7. clear errors ----------------------------------------------------------------------------


def test_a_file_that_is_not_this_survey_gets_one_headline(tmp_path: Path) -> None:
    path = tmp_path / "staff.csv"
    path.write_text("Name,Email,Team\nAnn,a@example.org,Blue\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_survey(path, "gp2017")
    message = str(caught.value)
    assert message.startswith(f"{path}: none of the ")
    assert "columns of codebook gp2017" in message and "'Name', 'Email', 'Team'" in message
    assert "missing column" not in message and message.count("\n") == 0


def test_verify_findings_given_a_dataframe_says_what_to_pass() -> None:
    data = random_survey("gp2017", n=3, seed=0)
    with pytest.raises(ArgumentError) as caught:
        verify_findings(data.respondents)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "a DataFrame was passed" in message
    assert "pass the SurveyData itself, e.g. verify_findings(data)" in message


def test_blank_lines_are_named_as_lines(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    text = write_rows(tmp_path / "b.csv", rows).read_text(encoding="utf-8").splitlines()
    text.insert(3, "")  # line 4
    path = tmp_path / "b.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    _, report = lenient(path)
    assert report.blank_rows == (4,)
    assert "blank rows skipped: line 4" in report.summary()


def test_short_ids_that_look_like_numbers_stay_text(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    for row, rid in zip(rows[1:], ["1e5", "1E100", "2E+3", "4.00E+15"], strict=True):
        row[0] = rid
    data, report = lenient(write_rows(tmp_path / "ids.csv", rows))
    assert data.respondents["respondent_id"].tolist() == ["1e5", "1E100", "2E+3"]
    (rejection,) = report.rejections  # Excel's display of a 16-digit id: its digits are lost
    assert (rejection.row, rejection.found) == (5, "4.00E+15")


def test_online_survey_export_with_extra_columns_a_stray_answer_and_a_blank_row(
    tmp_path: Path,
) -> None:
    """A two-header export as an online-survey tool writes it, with the problems of issue 19."""
    rows = read_rows(
        write_survey(random_survey("gp2017", n=6, seed=4), tmp_path / "two.csv", header_rows=2)
    )
    # tool columns after the id; an "Other (please specify)" text under the barriers question
    rows[0][1:1] = ["Collector ID", "Start Date", "IP Address"]
    rows[1][1:1] = ["", "", ""]
    for k, row in enumerate(rows[2:], start=1):
        row[1:1] = ["214523", "03/15/2017 09:12:44 AM", f"10.0.0.{k}"]
    last = max(i for i, c in enumerate(rows[1]) if c in {o.text for o in BARRIERS.options})
    for k, row in enumerate(rows):
        row.insert(last + 1, {1: "Other (please specify)", 3: "Parking, mostly"}.get(k, ""))
    # line 5 (R003): member with the access aim, achieved "Partly achieved"
    header = [q or "" for q in rows[0]]
    member = header.index(MEMBERSHIP)
    aim = rows[1].index(AIMS.options[0].text)  # first option under the aims question
    outcome = max(i for i, c in enumerate(rows[1]) if c == AIMS.options[0].text)
    rows[4][member], rows[4][aim], rows[4][outcome] = "Yes - formal", "1", "Partly achieved"
    # line 6 (R004): London, with a CCG in the North of England
    rows[5][header.index(REGION)], rows[5][header.index(CCG)] = "London", "00C"
    rows.insert(6, [""] * len(rows[0]))  # line 7 blank
    data, report = lenient(write_rows(tmp_path / "tool.csv", rows))
    assert (report.header_rows, report.rows_read, report.rows_accepted) == (2, 6, 6)
    assert report.blank_rows == (7,)
    assert report.ignored_columns == ("Collector ID", "Start Date", "IP Address")
    assert [(c.row, c.respondent_id, c.found) for c in report.missing_cells] == [
        (4, "R002", "Parking, mostly"),
        (5, "R003", "Partly achieved"),
    ]
    assert [(i.row, i.respondent_id, i.found) for i in report.inconsistencies] == [
        (6, "R004", "Y56")
    ]
    assert data.respondents["respondent_id"].tolist() == [f"R00{k}" for k in range(1, 7)]


def test_a_one_line_row_with_a_stray_quote_is_rejected_not_shifted(tmp_path: Path) -> None:
    rows = four_respondents(tmp_path)
    header = rows[0]
    path = write_rows(tmp_path / "clean.csv", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    # line 3 (R002): a quote opens the role field and is "closed" by the quoted membership
    # answer further on, so the fields between merge and the row comes out short
    role = header.index(ROLE)
    fields = lines[2].split(",")
    fields[role] = '"' + fields[role]
    membership = header.index(MEMBERSHIP)
    fields[membership] = '"' + fields[membership] + '"x'
    lines[2] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, report = lenient(path)
    assert report.rows_read == 4
    assert (report.rows_accepted, report.rows_rejected) == (3, 1)
    assert [r.row for r in report.rejections] == [3]
    assert "a quote in the row is followed by text" in report.rejections[0].reason
    assert "R002" not in set(data.respondents["respondent_id"])
    assert not report.missing_cells  # nothing of R002 was read into the wrong columns
