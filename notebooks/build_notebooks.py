"""Execute the numbered notebooks and write them as ``.ipynb`` files with their outputs.

The ``py:percent`` files (``00_quickstart.py`` ...) are the reviewed sources. This script reads
each with jupytext, runs it in a fresh IPython kernel (from the notebooks folder, charts inline)
and writes ``<name>.ipynb`` next to it, outputs included, so that the tables and charts can be
read on the repository page without installing anything. ``make notebooks`` runs it; the test
suite executes the same sources and checks that the committed ``.ipynb`` files hold the same
cells (``tests/test_notebooks.py``).

Run: ``python notebooks/build_notebooks.py [NAME ...]`` (default: every numbered notebook).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
TIMEOUT = 600  # seconds per cell


def sources() -> list[Path]:
    """The numbered ``py:percent`` notebooks, in order."""
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def read(path: Path) -> nbformat.NotebookNode:
    """The notebook of a ``py:percent`` file, without outputs."""
    return jupytext.read(path)


def execute(
    notebook: nbformat.NotebookNode, cwd: Path, env: dict[str, str] | None = None
) -> nbformat.NotebookNode:
    """Run every cell in a fresh ``python3`` kernel started in ``cwd``; raise on an error."""
    client = NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,
    )
    client.execute(env=env)
    return notebook


def build(path: Path) -> Path:
    """Execute ``path`` and write its ``.ipynb`` (with outputs) next to it."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # inline charts
    notebook = execute(read(path), HERE, env)
    target = path.with_suffix(".ipynb")
    jupytext.write(notebook, target, fmt="ipynb")
    return target


def main(names: list[str]) -> int:
    chosen = [p for p in sources() if not names or p.stem in names or p.name in names]
    if names and not chosen:
        print(f"no notebook named {names}; have {[p.stem for p in sources()]}", file=sys.stderr)
        return 2
    for path in chosen:
        print(f"executing {path.name} ...", flush=True)
        print(f"  wrote {build(path).relative_to(HERE.parent)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
