"""Every code block of README.md runs, so the README cannot rot.

Python blocks run in order in one namespace (as a reader pasting them into one notebook would),
in a temporary directory holding the example files the loader section names (written from the
bundled synthetic GP 2017 set). Lines starting with ``gpcollab`` in plain fenced blocks run as
commands of the installed ``gpcollab`` script and must exit 0. TOML blocks are excerpts of a
codebook (with "..." lines), so they are not run.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

import gpcollab

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
#: Files the loader section reads, written from the bundled set before the blocks run.
EXAMPLE_FILES = ("gp_survey_2017.csv", "export.xlsx", "export.csv")


def _blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def _commands() -> list[str]:
    return [
        line.split("#")[0].strip()
        for body in _blocks("")
        for line in body.splitlines()
        if line.startswith("gpcollab ")
    ]


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    survey = gpcollab.load_survey(2017, "gp")
    for name in EXAMPLE_FILES:
        gpcollab.write_survey(survey, tmp_path / name)
    return tmp_path


def test_the_readme_has_python_blocks_and_commands() -> None:
    assert len(_blocks("python")) >= 2
    assert any(c.startswith("gpcollab whatif") for c in _commands())
    assert any(c.startswith("gpcollab validate") for c in _commands())


def test_python_blocks_run_in_order(examples: Path) -> None:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict[str, object] = {"__name__": "__readme__"}
    for number, block in enumerate(_blocks("python"), start=1):
        code = compile(block, f"README.md python block {number}", "exec")
        exec(code, namespace)  # the README's own code, as a reader runs it
    plt.close("all")
    assert (examples / "shared.sav").is_file()  # the loader block's write_survey


@pytest.mark.parametrize("command", _commands())
def test_commands_exit_0(command: str, examples: Path) -> None:
    script = Path(sys.executable).with_name("gpcollab")
    args = shlex.split(command)
    assert args[0] == "gpcollab"
    result = subprocess.run(
        [str(script), *args[1:]],
        cwd=examples,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    assert "Traceback" not in result.stderr
