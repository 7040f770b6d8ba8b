"""The ``reproduce``, ``report`` and ``whatif`` subcommands."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import gpcollab
import gpcollab.findings
from gpcollab import cli
from gpcollab.schema import SYNTHETIC_NOTICE


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    out = tmp_path_factory.mktemp("reproduce") / "report"
    status = cli.main(["reproduce", "--out", str(out), "--n-boot", "100"])
    return status, out


def test_reproduce_writes_the_report_and_exits_0(
    reproduced: tuple[int, Path],
) -> None:
    status, out = reproduced
    assert status == 0
    assert (out / "index.html").is_file()
    assert (out / "findings_check.csv").is_file()
    figures = list((out / "figures").glob("*.png"))
    assert figures
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("<img") == len(figures)
    checked = pd.read_csv(out / "findings_check.csv")
    assert (checked["status"] != "mismatch").all()


def test_reproduce_shows_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # progress lines go to stderr, the summary to stdout; min-n and n-boot are honoured
    assert cli.main(["reproduce", "--out", str(tmp_path), "--n-boot", "20", "--min-n", "3"]) == 0
    captured = capsys.readouterr()
    assert "loading the bundled GP 2017 set" in captured.err
    assert "drew figure 1 of 15" in captured.err
    assert "findings check:" in captured.out
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "threshold of 3" in html and "20 replicates" in html


def test_reproduce_exits_1_on_a_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = gpcollab.findings.verify_findings

    def with_a_mismatch(survey: gpcollab.SurveyData, **kwargs: object) -> pd.DataFrame:
        table = real(survey, **kwargs)  # type: ignore[arg-type]
        table["status"] = table["status"].astype(str)
        table.loc[table.index[:1], "status"] = "mismatch"
        return table

    monkeypatch.setattr(gpcollab.findings, "verify_findings", with_a_mismatch)
    status = cli.main(["reproduce", "--out", str(tmp_path), "--n-boot", "20", "-q"])
    assert status == 1
    out = capsys.readouterr().out
    assert "MISMATCH" in out
    checked = pd.read_csv(tmp_path / "findings_check.csv")
    assert (checked["status"] == "mismatch").sum() == 4  # first row of each of the four sets
    assert "do not match" in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_reproduce_rejects_an_unusable_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    assert cli.main(["reproduce", "--out", str(target)]) == 2
    assert "not a folder" in capsys.readouterr().err
    assert cli.main(["reproduce"]) == 2  # --out is required
    assert cli.main(["reproduce", "--out", str(tmp_path), "--min-n", "0"]) == 2


def _export(tmp_path: Path) -> Path:
    from test_report import relabelled_subset

    path = tmp_path / "export.csv"
    gpcollab.write_survey(relabelled_subset(200), path, "gp2017")
    return path


def test_report_from_an_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = _export(tmp_path)
    out = tmp_path / "out"
    status = cli.main(
        [
            "report",
            "--survey",
            str(export),
            "--codebook",
            "gp2017",
            "--out",
            str(out),
            "--n-boot",
            "20",
            "--min-n",
            "10",
        ]
    )
    assert status == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="banner"' not in html
    assert SYNTHETIC_NOTICE not in html
    assert "export.csv" in html
    assert "threshold of 10" in html
    assert html.count("<img") == len(list((out / "figures").glob("*.png")))
    assert (out / "findings_check.csv").is_file()
    assert "reading" in capsys.readouterr().err


def test_report_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = _export(tmp_path)
    args = ["report", "--survey", str(export), "--out", str(tmp_path / "o")]
    assert cli.main([*args, "--codebook", "no_such_codebook"]) == 2
    assert "no_such_codebook" in capsys.readouterr().err
    missing = ["report", "--survey", str(tmp_path / "nope.csv"), "--codebook", "gp2017"]
    assert cli.main([*missing, "--out", str(tmp_path / "o")]) == 2


def test_report_refuses_an_export_with_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = _export(tmp_path)
    lines = export.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    broken = lines[1].split(",")
    column = next(i for i, h in enumerate(header) if "role" in h.lower())
    broken[column] = "Astronaut"
    export.write_text("\n".join([lines[0], ",".join(broken), *lines[2:]]) + "\n", "utf-8")
    status = cli.main(
        ["report", "--survey", str(export), "--codebook", "gp2017", "--out", str(tmp_path / "o")]
    )
    assert status == 1
    assert "gpcollab validate" in capsys.readouterr().err
    assert not (tmp_path / "o" / "index.html").exists()


def test_whatif_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(
        [
            "whatif",
            "--aim",
            "access",
            "--scenario",
            "size_band=100k_250k",
            "--scenario",
            "age_band+=1,funding=yes",
            "--scenario",
            "size_band=under_30k:0.5/30k_50k:0.5",
            "--n-boot",
            "50",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert any(line.startswith("scenario") and "estimate" in line for line in lines)
    for name in ("observed", "size_band=100k_250k", "age_band+=1,funding=yes"):
        assert any(line.startswith(name) for line in lines), name
    assert SYNTHETIC_NOTICE in out
    assert "50 bootstrap replicates" in out


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("size_band=huge", "allowed: under_30k, 30k_50k"),
        ("colour=red", "allowed: size_band, age_band, level, funding"),
        ("funding+=1", "only ordered terms can be shifted"),
        ("age_band+=one", "whole number"),
        ("size_band=under_30k:0.5/30k_50k:0.2", "add up to"),
        ("size_band", "TERM=VALUE"),
        ("level=locality,level=multi_ccg", "changed twice"),
        ("funding=maybe", "yes or no"),
    ],
)
def test_whatif_rejects_a_bad_scenario(
    spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["whatif", "--aim", "access", "--scenario", spec]) == 2
    assert message in capsys.readouterr().err


def test_whatif_rejects_a_bad_aim(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["whatif", "--aim", "world_peace", "--scenario", "level=locality"]) == 2
    assert "allowed: access" in capsys.readouterr().err


def test_parse_scenario() -> None:
    scenario = cli.parse_scenario("size_band=100k_250k,age_band-=1,funding=no")
    assert scenario.name == "size_band=100k_250k,age_band-=1,funding=no"
    assert dict(scenario.set) == {"size_band": "100k_250k", "funding": False}
    assert dict(scenario.shift) == {"age_band": -1}
    mixed = cli.parse_scenario("level=locality:0.25/single_ccg:0.75")
    assert dict(mixed.mix) == {"level": {"locality": 0.25, "single_ccg": 0.75}}


def test_cli_defaults_agree_with_the_library() -> None:
    from gpcollab.disclosure import DEFAULT_MIN_N
    from gpcollab.report import DEFAULT_N_BOOT

    assert cli._DEFAULT_MIN_N == DEFAULT_MIN_N
    assert cli._DEFAULT_N_BOOT == DEFAULT_N_BOOT
