"""Execute the numbered notebooks and write them as ``.ipynb`` files with their outputs.

The ``py:percent`` files (``00_quickstart.py`` ...) are the reviewed sources. This script reads
each with jupytext, runs it in a fresh IPython kernel (from the notebooks folder, charts inline)
and writes ``<name>.ipynb`` next to it, outputs included, so that the tables and charts can be
read on the repository page without installing anything. ``make notebooks`` runs it; the test
suite executes the same sources and checks that the committed ``.ipynb`` files hold the same
cells (``tests/test_notebooks.py``).

Building an unchanged notebook again gives the same bytes (:func:`stabilise`): cell ids come
from the cells' content, and the random names a run gives to widgets and styled tables are
renamed in a fixed order, so ``git diff`` shows only real changes.

Run: ``python notebooks/build_notebooks.py [NAME ...]`` (default: every numbered notebook).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
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


#: A pandas Styler's table id (``T_`` and five hex digits of a random uuid) and its CSS ids.
STYLER_ID = re.compile(r"(?<![0-9A-Za-z])T_[0-9a-f]{5}(?![0-9a-f])")
#: A memory address in a default repr (``<pandas.io.formats.style.Styler at 0x7f...>``).
ADDRESS = re.compile(r"(?<= at )0x[0-9a-f]+(?=>)")
WIDGET_REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _widget_order(notebook: nbformat.NotebookNode) -> list[str]:
    """Widget model ids in a fixed order: the ones shown in outputs (cell order), then the
    models each refers to, breadth first; models nothing reaches, by their state."""
    shown = [
        output["data"][WIDGET_VIEW]["model_id"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if WIDGET_VIEW in output.get("data", {})
    ]
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    order: list[str] = []
    queue = list(shown)
    while queue:
        model = queue.pop(0)
        if model in order:
            continue
        order.append(model)
        queue.extend(WIDGET_REFERENCE.findall(json.dumps(state.get(model, {}), sort_keys=True)))
    rest = [m for m in state if m not in order]
    return order + sorted(rest, key=lambda m: json.dumps(state[m], sort_keys=True))


def _cell_ids(notebook: nbformat.NotebookNode) -> Iterator[str]:
    """An id for each cell from its kind and source (a counter told apart repeats)."""
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        digest = hashlib.sha256(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:12]
        seen[digest] = seen.get(digest, 0) + 1
        yield digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def _renumber(text: str, pattern: re.Pattern[str], template: str) -> str:
    """Replace each distinct match of ``pattern`` by ``template`` numbered in order of first
    appearance (1, 2 ...)."""
    names: dict[str, str] = {}
    for found in pattern.findall(text):
        names.setdefault(found, template.format(len(names) + 1))
    return pattern.sub(lambda m: names[m.group(0)], text)


def stabilise(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The same notebook with nothing that changes from run to run: cell ids from the cells'
    content; widget model ids, Styler table ids and memory addresses in reprs renamed in order
    of appearance; cell
    metadata emptied of execution records."""
    for cell, cell_id in zip(notebook.cells, _cell_ids(notebook), strict=True):
        cell["id"] = cell_id
        cell.metadata.pop("execution", None)
    names = {model: f"{i:032x}" for i, model in enumerate(_widget_order(notebook), start=1)}
    text = json.dumps(notebook, sort_keys=True)
    text = _renumber(text, STYLER_ID, "T_{:05x}")
    text = _renumber(text, ADDRESS, "0x{:012x}")
    if names:
        pattern = re.compile("|".join(re.escape(model) for model in names))
        text = pattern.sub(lambda m: names[m.group(0)], text)
    return nbformat.from_dict(json.loads(text))


def build(path: Path) -> Path:
    """Execute ``path`` and write its ``.ipynb`` (with outputs) next to it."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # inline charts
    notebook = stabilise(execute(read(path), HERE, env))
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
