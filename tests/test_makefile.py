"""Makefile targets do what the README says: ``make lab`` takes a port and arguments and adds
``--allow-root`` only when run as root; ``make docs`` builds with warnings as errors."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(*args: str) -> list[str]:
    result = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.splitlines()


def test_lab_takes_a_port_and_arguments() -> None:
    lines = _dry_run("lab", "PORT=8899", "LAB_ARGS=--no-browser --ServerApp.token=abc")
    (command,) = [line for line in lines if " jupyter lab " in line]
    assert "--port=8899" in command.split()
    assert command.endswith("--no-browser --ServerApp.token=abc")
    assert ("--allow-root" in command.split()) == (os.getuid() == 0)


def test_lab_default_port() -> None:
    (command,) = [line for line in _dry_run("lab") if " jupyter lab " in line]
    assert "--port=8888" in command.split()


def test_docs_builds_with_warnings_as_errors() -> None:
    (command,) = [line for line in _dry_run("docs") if "sphinx" in line and " -b html" in line]
    assert " -W " in command and "docs/site" in command
