"""Small things users hit: writing a bundled set, error messages that stay short, the licence."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

import gpcollab
from gpcollab.errors import GpcollabError, describe

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("wave", "instrument"), [(2015, "ccg"), (2017, "gp")])
def test_write_survey_of_a_bundled_set_uses_its_codebook(
    wave: int, instrument: str, tmp_path: Path
) -> None:
    survey = gpcollab.load_survey(wave, instrument)
    assert survey.meta.codebook is None  # the synthetic sets were not read from an export
    target = gpcollab.write_survey(survey, tmp_path / "x.csv")
    back = gpcollab.read_survey(target, codebook=f"{instrument}{wave}")
    assert len(back.respondents) == len(survey.respondents)
    single = [c for c in ("membership", "size_band", "role") if c in survey.respondents]
    for column in single:
        assert back.respondents[column].astype(str).tolist() == (
            survey.respondents[column].astype(str).tolist()
        ), column


def test_write_survey_without_any_codebook_says_so(tmp_path: Path) -> None:
    survey = gpcollab.load_survey(2017, "gp")
    meta = survey.meta.__class__(**{**survey.meta.__dict__, "wave": 2031})
    odd = gpcollab.SurveyData(survey.respondents, survey.aims, survey.multi, meta)
    with pytest.raises(GpcollabError, match=r"no codebook is bundled for gp 2031"):
        gpcollab.write_survey(odd, tmp_path / "x.csv")


def test_rake_with_a_dataframe_of_targets_keeps_the_message_short() -> None:
    survey = gpcollab.load_survey(2017, "gp")
    targets = pd.DataFrame({"region": [f"r{i}" for i in range(50)], "share": [0.02] * 50})
    with pytest.raises(GpcollabError) as info:
        gpcollab.rake(survey.respondents, targets)  # type: ignore[arg-type]
    message = str(info.value)
    assert "a DataFrame (50 rows; columns 'region', 'share')" in message
    assert "r49" not in message and len(message) < 300
    assert "set_index" in message  # how to turn the table into targets


def test_describe_tables_and_long_values() -> None:
    frame = pd.DataFrame({f"c{i}": [1] for i in range(8)})
    assert describe(frame) == "a DataFrame (1 row; columns 'c0', 'c1', 'c2', 'c3', 'c4', 'c5', …)"
    assert describe(pd.Series([1, 2, 3], name="w")) == "a Series 'w' of length 3"
    assert describe("x" * 200) == "'" + "x" * 78 + "…"
    assert describe(3) == "3"


def test_licence_is_mit_shipped_in_the_wheel_and_keeps_the_ogl_attribution() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Open Government Licence v3.0" in text and "NHS Digital" in text
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    # hatchling copies license-files into the wheel's .dist-info/licenses/
    assert project["project"]["license-files"] == ["LICENSE"]
    assert "LICENSE" in project["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "MIT licence" in readme and "Open Government Licence v3.0" in readme
