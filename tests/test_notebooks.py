"""The numbered notebooks run, import only gpcollab, and end by checking the register.

The notebooks live in ``notebooks/`` as jupytext ``py:percent`` scripts (the reviewed source;
``notebooks/jupytext.toml`` pairs them with ``.ipynb`` files for Jupyter users). Each is run as a
plain script in a fresh interpreter, from an empty temporary directory, with the Agg backend, so
a failing ``assert`` in its final ``verify_findings`` cell fails the test.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gpcollab

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
EXPECTED = [
    "00_quickstart",
    "01_landscape",
    "02_aims_and_achievement",
    "03_size_age_funding",
    "04_stps_and_ccg_views",
    "05_whatif_by_size",
    "06_weighting_and_sensitivity",
]
TIMEOUT = 300  # seconds per notebook; each takes a few seconds


def _ids(path: Path) -> str:
    return path.stem


def _cells(path: Path) -> list[tuple[str, str]]:
    """(kind, source) of each ``# %%`` cell: kind is "markdown" or "code"."""
    cells: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            kind = "markdown" if "[markdown]" in line else "code"
            cells.append((kind, []))
        elif cells:
            cells[-1][1].append(line)
    return [(kind, "\n".join(lines)) for kind, lines in cells]


def _gc_attributes(tree: ast.AST) -> set[str]:
    """Names used as ``gc.<name>`` (the notebooks import gpcollab as gc)."""
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "gc"
    }


def test_all_numbered_notebooks_present() -> None:
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


def test_paired_with_ipynb_by_jupytext_config() -> None:
    config = (NOTEBOOK_DIR / "jupytext.toml").read_text(encoding="utf-8")
    assert 'formats = "ipynb,py:percent"' in config
    assert "*.ipynb" in (NOTEBOOK_DIR / ".gitignore").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_imports_nothing_but_gpcollab(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "__import__", f"{path.name}: __import__ call"
    assert imported, f"{path.name} imports nothing"
    others = [name for name in imported if name.split(".")[0] != "gpcollab"]
    assert not others, f"{path.name} imports {others}; notebooks may import only gpcollab"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_uses_only_public_gpcollab_names(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    public = set(gpcollab.__all__) | {"plot", "__version__"}
    unknown = sorted(_gc_attributes(tree) - public)
    assert not unknown, f"{path.name} uses gc.{unknown}, not in gpcollab's public API"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_opens_with_the_synthetic_notice(path: Path) -> None:
    cells = _cells(path)
    kind, text = cells[0]
    assert kind == "markdown", f"{path.name}: the first cell should be markdown"
    assert "synthetic" in text.lower(), f"{path.name}: the opening cell must say it is synthetic"
    assert sum(k == "markdown" for k, _ in cells) >= 3, f"{path.name}: too little narrative"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_never_calls_show(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    shows = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "show"
    ]
    assert not shows, f"{path.name}: .show() on lines {shows}; the helpers return Axes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_ends_with_a_verify_findings_check(path: Path) -> None:
    code = [text for kind, text in _cells(path) if kind == "code"]
    last = ast.parse(code[-1])
    calls = [
        node
        for node in ast.walk(last)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Attribute) and node.func.attr == "verify_findings")
            or (isinstance(node.func, ast.Name) and node.func.id == "verify_findings")
        )
    ]
    asserts = [node for node in ast.walk(last) if isinstance(node, ast.Assert)]
    assert calls, f"{path.name}: the last code cell should call verify_findings"
    assert asserts, f"{path.name}: the last code cell should assert on the statuses"
    assert "mismatch" in code[-1], f"{path.name}: the last cell should fail on a mismatch"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_notebook_runs_and_its_checks_pass(path: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "run"
    workdir.mkdir()
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(tmp_path / "mplconfig"),
        "PYTHONHASHSEED": "0",
    }
    result = subprocess.run(
        [sys.executable, str(path)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, (
        f"{path.name} exited with {result.returncode}\n"
        f"--- stdout (tail) ---\n{result.stdout[-3000:]}\n"
        f"--- stderr (tail) ---\n{result.stderr[-6000:]}"
    )
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in workdir.iterdir()) == [], f"{path.name} wrote files"
