"""``gpcollab whatif``: the README's example, ``--terms``, ``--scores`` and ``--separation``."""

from __future__ import annotations

import pytest

from gpcollab import cli
from gpcollab.schema import SYNTHETIC_NOTICE


def test_readme_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """``gpcollab whatif --aim staff --scenario size_band=100k_250k`` (README, What-if).

    In the bundled GP 2017 set no collaboration under a year old fully achieved the staff aim,
    so the age term goes in as a score, and the output says so.
    """
    status = cli.main(
        ["whatif", "--aim", "staff", "--scenario", "size_band=100k_250k", "--n-boot", "50"]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    lines = captured.out.splitlines()
    assert SYNTHETIC_NOTICE in captured.out
    assert any(line.startswith("size_band=100k_250k") for line in lines)
    assert "(age_band as scores)" in captured.out
    notes = [line for line in lines if line.startswith("note: ")]
    assert len(notes) == 1 and "no respondent in “Less than 1 year” fully" in notes[0]
    assert "95% CI" in captured.out


def test_separation_error_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["whatif", "--aim", "staff", "--scenario", "size_band=100k_250k", "--n-boot", "5"]
    assert cli.main([*args, "--separation", "error"]) == 1
    assert "Perfect separation" in capsys.readouterr().err


def test_terms_and_scores(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(
        [
            "whatif",
            "--aim",
            "staff",
            "--scenario",
            "size_band=100k_250k",
            "--terms",
            "size_band,age_band",
            "--scores",
            "age_band",
            "--separation",
            "error",
            "--n-boot",
            "5",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "model of size_band, age_band (age_band as scores)" in out
    assert "note:" not in out  # fitted as asked


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--terms", "size_band,colour"], "from size_band, age_band, level, funding"),
        (["--terms", "size_band,size_band"], "names a term twice"),
        (["--scores", "funding"], "a score must be one of the --terms"),
        (["--terms", "size_band", "--scores", "age_band"], "a score must be one of the --terms"),
    ],
)
def test_bad_terms_exit_2(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["whatif", "--aim", "staff", "--scenario", "size_band=100k_250k", *extra]
    assert cli.main(args) == 2
    assert message in capsys.readouterr().err
