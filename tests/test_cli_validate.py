"""``gpcollab validate``: exit codes 0 / 1 / 2, the accounting and every problem printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from _loader_helpers import random_survey, read_rows, write_rows
from gpcollab.cli import SUBCOMMANDS, build_parser, main
from gpcollab.codebook import load_codebook
from gpcollab.io import write_survey

ROLE = load_codebook("gp2017").single[0].column


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_survey(random_survey("gp2017", n=4, seed=1), tmp_path / "clean.csv")


@pytest.fixture
def faulty(clean: Path) -> Path:
    rows = read_rows(clean)
    rows[2][rows[0].index(ROLE)] = "Astronaut"
    rows[4][0] = rows[1][0]
    return write_rows(clean.with_name("faulty.csv"), rows)


def test_exit_0_when_every_row_loads(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(clean), "--codebook", "gp2017"]) == 0
    out = capsys.readouterr().out
    assert "rows read: 4 = accepted 4 + rejected 0" in out
    assert "result: OK, all 4 rows load" in out


def test_exit_1_and_every_problem_printed(faulty: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(faulty), "--codebook", "gp2017"]) == 1
    out = capsys.readouterr().out
    assert "rows read: 4 = accepted 2 + rejected 2" in out
    assert "2 problem(s) in rejected rows:" in out
    assert "1 cell(s) set missing in accepted rows:" in out
    assert f"row 3 (respondent 'R002'), column '{ROLE}': unknown answer; found 'Astronaut'" in out
    assert "row 2, column 'Respondent ID': duplicate respondent id (also on row(s) 5)" in out
    assert "row 5, column 'Respondent ID': duplicate respondent id (also on row(s) 2)" in out
    assert "result: 2 of 4 rows rejected; 1 cell(s) in 1 row(s) would be set missing" in out
    assert "(or 'gpcollab report --keep-respondents') keeps the 1 respondent(s) with" in out


def test_exit_1_when_the_columns_do_not_fit(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(clean), "--codebook", "ccg2017"]) == 1
    out = capsys.readouterr().out
    assert "the header does not fit codebook ccg2017" in out
    assert "result: the file does not fit the codebook; no rows loaded" in out


def test_exit_1_for_header_only(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_rows(clean, read_rows(clean)[:1])
    assert main(["validate", str(clean)]) == 1
    assert "result: no data rows" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate"], "the following arguments are required: FILE"),
        (["validate", "x.csv", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["validate", "x.csv", "--codebook", "gp1999"], "Unknown codebook 'gp1999'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "usage: gpcollab"),
    ],
)
def test_exit_2_for_unusable_arguments(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_exit_2_for_an_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv: no such file" in capsys.readouterr().err
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)))
    assert main(["validate", str(binary), "-c", "gp2015"]) == 2
    assert "binary data" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--help"]) == 0
    assert "Exit status: 0 when every row loads" in capsys.readouterr().out


def test_subcommand_registry() -> None:
    assert SUBCOMMANDS and callable(SUBCOMMANDS[0])
    parser = build_parser()
    args = parser.parse_args(["validate", "f.csv", "-c", "ccg2015"])
    assert (args.command, args.file, args.codebook) == ("validate", "f.csv", "ccg2015")


def test_installed_script(faulty: Path, clean: Path) -> None:
    script = Path(sys.executable).parent / "gpcollab"
    if not script.exists():  # pragma: no cover - the package is always installed in CI
        pytest.skip("gpcollab script not installed")
    result = subprocess.run(
        [str(script), "validate", str(faulty), "--codebook", "gp2017"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "rows read: 4 = accepted 2 + rejected 2" in result.stdout
    ok = subprocess.run(
        [str(script), "validate", str(clean)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr


# -- hostile files: documented exit status, no traceback, file + row/line + column + problem ----


def _unclosed_quote(tmp_path: Path) -> Path:
    path = write_survey(random_survey("gp2017", n=6, seed=2), tmp_path / "quote.csv")
    write_rows(path, read_rows(path), delimiter=";")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(";", ';"', 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _mixed_encoding(tmp_path: Path) -> Path:
    path = write_survey(random_survey("gp2017", n=4, seed=2), tmp_path / "mixed.csv")
    data = path.read_bytes().replace(b"R001", "R001 \u2013".encode()).replace(b"R003", b"R003 \x96")
    path.write_bytes(data)
    return path


def _wrong_separator(tmp_path: Path) -> Path:
    path = write_survey(random_survey("gp2017", n=4, seed=2), tmp_path / "sep.csv")
    rows = read_rows(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = ";".join(cell.replace(",", " ") for cell in rows[3])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _extra_field(tmp_path: Path) -> Path:
    path = write_survey(random_survey("gp2017", n=4, seed=2), tmp_path / "extra.csv")
    rows = read_rows(path)
    rows[2].append("stray")
    return write_rows(path, rows)


def _formula(tmp_path: Path) -> Path:
    import re

    from _loader_helpers import patch_zip

    path = write_survey(random_survey("gp2017", n=4, seed=2), tmp_path / "formula.xlsx")
    return patch_zip(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(r'<c r="B3"[^>]*>.*?</c>', '<c r="B3"><f>A1</f></c>', xml, count=1),
    )


def _far_cell(tmp_path: Path) -> Path:
    from _loader_helpers import patch_zip

    path = write_survey(random_survey("gp2017", n=2, seed=2), tmp_path / "far.xlsx")
    return patch_zip(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            "</sheetData>",
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
        ),
    )


def _import_ids(tmp_path: Path) -> Path:
    rows = read_rows(write_survey(random_survey("gp2017", n=2, seed=2), tmp_path / "q.csv"))
    width = len(rows[0])
    ids = [f"QID{k}" for k in range(width)]
    texts = [f"Question {k}" for k in range(width)]
    imports = [f'{{"ImportId":"QID{k}"}}' for k in range(width)]
    return write_rows(tmp_path / "three.csv", [ids, texts, imports, *rows[1:]])


def _long_line(tmp_path: Path) -> Path:
    path = tmp_path / "long.csv"
    path.write_text("Respondent ID" + ",x" * 600_000 + "\n", encoding="utf-8")
    return path


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return path


def _fifo(tmp_path: Path) -> Path:
    import os

    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


HOSTILE = {
    "unclosed quote": (_unclosed_quote, 1, ["quote.csv, row 3", ROLE, "quote is never closed"]),
    "mixed encodings": (_mixed_encoding, 2, ["mixed.csv", "line 4 (byte offset", "not UTF-8"]),
    "wrong separator": (_wrong_separator, 1, ["sep.csv, row 4", "separated by ';'"]),
    "extra field": (_extra_field, 1, ["extra.csv, row 3", "beyond the header", "'stray'"]),
    "formula": (_formula, 1, ["formula.xlsx, row 3", ROLE, "formula without a saved value"]),
    "far cell": (_far_cell, 1, ["far.xlsx", "cell XFD1048576", "Limits.max_columns"]),
    "import ids": (_import_ids, 1, ["three.csv", "Row 3 holds import ids", "none of the"]),
    "long line": (_long_line, 1, ["long.csv", "line 1 is longer than", "Limits.max_line_chars"]),
    "binary": (_binary, 2, ["photo.csv", "binary data"]),
    "fifo": (_fifo, 2, ["pipe.csv", "named pipe (FIFO), not a regular file"]),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files(tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    build, status, fragments = HOSTILE[case]
    path = build(tmp_path)
    assert main(["validate", str(path), "--codebook", "gp2017"]) == status
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    for fragment in fragments:
        assert fragment in text, (case, fragment, text[:2000])
    # exit 2 speaks on stderr, exit 1 on stdout
    assert (captured.err if status == 2 else captured.out).strip()


def test_standard_input_in_a_subprocess(clean: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gpcollab.cli", "validate", "-", "--codebook", "gp2017"],
        input=clean.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"<stdin> (csv, utf-8" in done.stdout and b"result: OK, all 4 rows load" in done.stdout


def test_sheet_option_chooses_by_name_or_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    rows = read_rows(write_survey(random_survey("gp2017", n=3, seed=2), tmp_path / "c.csv"))
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    workbook.active.append(["Cover page"])
    data = workbook.create_sheet("Responses")
    for row in rows:
        data.append([c or None for c in row])
    workbook.save(tmp_path / "c.xlsx")
    assert main(["validate", str(tmp_path / "c.xlsx")]) == 0
    assert "sheet 'Responses'" in capsys.readouterr().out
    assert main(["validate", str(tmp_path / "c.xlsx"), "--sheet", "1"]) == 1
    assert "none of the 47 columns of codebook gp2017" in capsys.readouterr().out
    assert main(["validate", str(tmp_path / "c.xlsx"), "--sheet", "Responses"]) == 0


def test_empty_out_is_refused(clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--survey", str(clean), "--codebook", "gp2017", "--out", ""]) == 2
    assert "--out '': the output folder is empty" in capsys.readouterr().err
    assert main(["reproduce", "--out", "  "]) == 2
    assert "the output folder is empty" in capsys.readouterr().err


# -- analysts' own exports (issue 19) ------------------------------------------------------------


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``gpcollab validate ... | head -1``: no BrokenPipeError traceback on stderr."""
    script = Path(sys.executable).parent / "gpcollab"
    if not script.exists():  # pragma: no cover - the package is always installed in CI
        pytest.skip("gpcollab script not installed")
    survey = random_survey("gp2017", n=3000, seed=2)
    rows = read_rows(write_survey(survey, tmp_path / "many.csv"))
    role = rows[0].index(ROLE)
    for row in rows[1:]:
        row[role] = "Astronaut"  # 3000 problem lines: far more than a pipe's buffer
    path = write_rows(tmp_path / "many.csv", rows)
    result = subprocess.run(
        f"'{script}' validate '{path}' --codebook gp2017 | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.stdout.startswith(str(path))
    assert result.stdout.count("\n") == 1
    assert "Traceback" not in result.stderr and "BrokenPipeError" not in result.stderr


def test_report_keeps_respondents_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gpcollab.datasets.surveys import load_survey

    path = write_survey(load_survey(2017, "ccg"), tmp_path / "ccg.csv", codebook="ccg2017")
    rows = read_rows(path)
    role = rows[0].index(load_codebook("ccg2017").single[0].column)
    rows[3][role] = "Chief cook"  # line 4, respondent ccg2017-0003
    write_rows(path, rows)
    base = ["report", "--survey", str(path), "--codebook", "ccg2017", "--n-boot", "2", "-q"]
    assert main([*base, "--out", str(tmp_path / "refused")]) == 1
    err = capsys.readouterr().err
    assert "pass --keep-respondents to keep these respondents" in err
    assert not (tmp_path / "refused" / "index.html").exists()

    assert main([*base, "--out", str(tmp_path / "kept"), "--keep-respondents"]) == 0
    html = (tmp_path / "kept" / "index.html").read_text(encoding="utf-8")
    assert "were set missing</strong>" in html and "Cells set missing" in html
    assert "ccg2017-0003" in html and "Chief cook" in html
    # line 4 of the file, its respondent, the answer found and why, on one row of the table
    assert re.search(r'class="num">4</td><td[^>]*>ccg2017-0003</td><td[^>]*>[^<]*role', html)
    assert re.search(r"<td[^>]*>Chief cook</td><td[^>]*>unknown answer</td>", html)


def test_an_unknown_answer_gets_the_codebook_line_to_add(
    clean: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = read_rows(clean)
    header = rows[0]
    # an achievement column holding "Partially achieved" in the clean file gets a new wording
    cells = [(r, c) for r, row in enumerate(rows[1:], 1) for c, v in enumerate(row)]
    found = [(r, c) for r, c in cells if rows[r][c] == "Partially achieved"]
    assert len(found) >= 2, "the random survey should hold partial achievements"
    for r, c in found[:2]:
        rows[r][c] = "Partly achieved"
    rows[1][header.index(ROLE)] = "Astronaut"  # unknown, and like no known answer
    path = write_rows(clean.with_name("aliases.csv"), rows)
    assert main(["validate", str(path), "--codebook", "gp2017"]) == 1
    out = capsys.readouterr().out
    assert "unknown answers, and the codebook line that would read each:" in out
    assert out.count('"Partly achieved" = "partially"') == 1
    assert "[2 cell(s), item 'aims']" in out
    assert "under [aliases.aims]" in out
    assert '"Astronaut" = "VALUE"' in out
