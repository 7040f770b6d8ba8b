"""``gpcollab validate``: exit codes 0 / 1 / 2, the accounting and every problem printed."""

from __future__ import annotations

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
    assert "rows read: 4 = accepted 1 + rejected 3" in out
    assert "3 problem(s):" in out
    assert f"row 3, column '{ROLE}': unknown answer; found 'Astronaut'" in out
    assert "row 2, column 'Respondent ID': duplicate respondent id (also on row(s) 5)" in out
    assert "row 5, column 'Respondent ID': duplicate respondent id (also on row(s) 2)" in out
    assert "result: 3 of 4 rows rejected" in out


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
    assert "rows read: 4 = accepted 1 + rejected 3" in result.stdout
    ok = subprocess.run(
        [str(script), "validate", str(clean)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
