"""The release number is one number: pyproject.toml, ``gpcollab.__version__``, the command line
and the CHANGELOG's latest heading all say the same, and that heading carries a date."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import gpcollab

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


def test_the_release_is_0_2_0() -> None:
    # written out by hand: a release is a decision, not something derived
    assert _pyproject_version() == "0.2.0"


def test_package_version_matches_pyproject() -> None:
    assert gpcollab.__version__ == _pyproject_version()


def test_command_line_prints_the_version() -> None:
    script = Path(sys.executable).with_name("gpcollab")
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"gpcollab {_pyproject_version()}"


def test_changelog_latest_release_is_this_version_and_dated() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (\S+) \(([^)]*)\)", text, re.M)
    assert first is not None, "CHANGELOG.md has no '## <version> (<date>)' heading"
    assert first.group(1) == _pyproject_version()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", first.group(2)), first.group(2)
