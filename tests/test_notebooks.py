"""The numbered notebooks run, import only gpcollab, end by checking the register, and their
committed ``.ipynb`` copies (with outputs) hold the same cells as the sources.

The notebooks live in ``notebooks/`` as jupytext ``py:percent`` scripts (the reviewed source;
``notebooks/jupytext.toml`` pairs them with ``.ipynb`` files). ``make notebooks`` executes them
and writes the ``.ipynb`` files with their outputs, so that they read on the repository page.
Here each source is executed once, in a fresh IPython kernel, from an empty temporary directory,
with the Agg backend, so a failing ``assert`` in its final ``verify_findings`` cell fails the
test; the committed ``.ipynb`` is compared with the source cell by cell, not executed again.
"""

from __future__ import annotations

import ast
import html as htmllib
import importlib.util
import inspect
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import gpcollab
import gpcollab.disclosure
from gpcollab import vocab
from gpcollab.presentation import EXTRA_LABELS
from gpcollab.schema import SYNTHETIC_NOTICE

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
BUILD_SCRIPT = NOTEBOOK_DIR / "build_notebooks.py"


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
    ignored = (NOTEBOOK_DIR / ".gitignore").read_text(encoding="utf-8").split()
    assert "*.ipynb" not in ignored  # the executed notebooks are committed
    assert ".ipynb_checkpoints/" in ignored


def _build_module() -> Any:
    spec = importlib.util.spec_from_file_location("build_notebooks", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell_sources(notebook: Any) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_committed_ipynb_is_in_sync_and_executed(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    build = _build_module()
    ipynb = path.with_suffix(".ipynb")
    assert ipynb.is_file(), f"{ipynb.name} is missing: run `make notebooks`"
    committed = nbformat.read(ipynb, as_version=4)
    assert _cell_sources(committed) == _cell_sources(build.read(path)), (
        f"{ipynb.name} does not match {path.name}: run `make notebooks`"
    )
    code = [cell for cell in committed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code), f"{ipynb.name}: not executed"
    outputs = [out for cell in code for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"], f"{ipynb.name}: errors"
    kinds = {kind for out in outputs for kind in out.get("data", {})}
    assert "text/html" in kinds, f"{ipynb.name}: no table shown as HTML"
    if "gc.plot." in path.read_text(encoding="utf-8"):
        assert "image/png" in kinds, f"{ipynb.name}: draws charts but shows none"


def test_notebooks_show_tables_not_printed_text() -> None:
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert ".to_string(" not in text, f"{path.name} prints a table as text; display() it"


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
    # gpcollab, and the standard library's `warnings` to handle a warning by what it means
    others = [name for name in imported if name.split(".")[0] not in ("gpcollab", "warnings")]
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
    pytest.importorskip("nbclient", reason="the notebooks extra is not installed")
    build = _build_module()
    workdir = tmp_path / "run"
    workdir.mkdir()
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(tmp_path / "mplconfig"),
        "PYTHONHASHSEED": "0",
    }
    notebook = build.execute(build.read(path), workdir, env)  # raises on a failing cell
    outputs = [out for cell in notebook.cells for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out.output_type == "error"]
    assert sorted(p.name for p in workdir.iterdir()) == [], f"{path.name} wrote files"


# -- the committed notebooks as published documents ------------------------------------------
#
# The executed .ipynb files are what readers see on the repository page. These tests read
# their saved outputs (no kernel) for the classes of defect a reader would meet: a stray repr
# of a plotting object, a warning or anything on stderr, a result table that shows machine
# codes or bare proportions to three decimals, and a table whose small cells were not hidden
# by disclosure control. Views of the data themselves (``respondents.head()``) may show codes.

STRAY_REPR = re.compile(
    r"^\[?(?:Text\(|<matplotlib|<Axes|<Figure|Line2D\(|Legend\(|VBox\(|HBox\(|<[\w.]+ object at 0x)"
)
BARE_DECIMAL = re.compile(r"^[−-]?\d*\.\d{3,}$")
#: A bare number to three or more decimals inside a printed line (not a p-value: "p = 0.012").
PRINTED_DECIMAL = re.compile(r"(?<![\w.=])(?<!p = )(?<!p=)[−-]?\d*\.\d{3,}(?![\d.])")
#: The last line of pandas' plain-text repr of a Series ("Name: count, dtype: int64").
PLAIN_SERIES = re.compile(r"(^|\n)(Name: .*, )?dtype: \w+\s*$")
#: A column heading that names one side of a comparison by its raw suffix ("Estimate (a)",
#: "Sample a", "N first"): the reader cannot tell what a or first is.
RAW_SIDE = re.compile(r"(\((a|b|first|second)\)|\s(a|b|first|second))$", re.I)
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Column headings of a table that holds results (not a view of the data).
RESULT_HEADINGS = {
    "estimate",
    "ci_low",
    "ci_high",
    "se",
    "p_value",
    "odds_ratio",
    "odds_ratio_per_step",
    "reproduced",
    "difference",
    "deff",
    "share_practices",
    "share_of_practices",
}
P_VALUE_HEADINGS = {"p-value", "p_value", "p"}


def _machine_codes() -> set[str]:
    """Answer codes of gpcollab.vocab that differ from their label (years excluded), and the
    values that analyses add beside them."""
    codes: set[str] = set()
    for _, choices in inspect.getmembers(vocab, inspect.isclass):
        if issubclass(choices, vocab.Choice) and choices is not vocab.Choice:
            for value, label in choices.labels().items():
                if value != label and re.fullmatch(r"[a-z][a-z0-9_]*", value):
                    codes.add(value)
    # the values analyses add beside the answers ("in_collaboration", "all_pcns" ...)
    codes |= {value for value, label in EXTRA_LABELS.items() if value != label}
    return codes


def _committed(path: Path) -> Any:
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    return nbformat.read(path.with_suffix(".ipynb"), as_version=4)


def _outputs(path: Path) -> list[tuple[int, Any]]:
    return [
        (number, output)
        for number, cell in enumerate(_committed(path).cells)
        if cell.cell_type == "code"
        for output in cell.outputs
    ]


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@dataclass
class ShownTable:
    """One HTML table of a notebook's outputs: its headings, body rows and the table tag."""

    cell: int
    tag: str
    headings: list[str]
    rows: list[list[str]]
    caption: str = ""

    @property
    def presented(self) -> bool:
        """Written by gc.present (a Styler), not a DataFrame's own repr."""
        return "gpcollab-present" in self.tag

    @property
    def results(self) -> bool:
        return self.presented or bool(RESULT_HEADINGS & set(self.headings))


def _pages(path: Path) -> list[tuple[int, str]]:
    """Every HTML a reader sees: the outputs' ``text/html`` (by cell number), and the HTML that
    the saved widget state shows (a live widget's tables, cell ``-1``)."""
    pages = [(n, o.get("data", {}).get("text/html", "")) for n, o in _outputs(path)]
    state = _committed(path).metadata.get("widgets", {}).get(WIDGET_STATE, {})
    for model in state.get("state", {}).values():
        value = model.get("state", {}).get("value")
        if isinstance(value, str) and "<table" in value:
            pages.append((-1, value))
    return pages


def _tables(path: Path) -> list[ShownTable]:
    found = []
    for number, page in _pages(path):
        for table in re.findall(r"<table\b.*?</table>", page, flags=re.S):
            tag = re.match(r"<table\b[^>]*>", table).group(0)  # type: ignore[union-attr]
            head, _, body = table.partition("</thead>")
            headings = [_text(h) for h in re.findall(r"<th\b[^>]*>(.*?)</th>", head, re.S)]
            if not body:
                head, body = "", table
            rows = [
                [_text(c) for c in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", row, re.S)]
                for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)
            ]
            # the index heading row of a DataFrame repr is blank; keep the named headings
            caption = re.search(r"<caption\b[^>]*>(.*?)</caption>", table, re.S)
            shown = ShownTable(number, tag, [h for h in headings if h], rows)
            shown.caption = _text(caption.group(1)) if caption else ""
            found.append(shown)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_no_stray_reprs(path: Path) -> None:
    stray = []
    for number, output in _outputs(path):
        if output.output_type not in ("execute_result", "display_data"):
            continue
        data = output.get("data", {})
        if "application/vnd.jupyter.widget-view+json" in data:
            continue  # a widget: checked by test_widgets_are_saved_with_a_static_view
        if "image/png" in data:
            continue  # a chart shown inline (its text/plain is only the fallback)
        text = str(data.get("text/plain", ""))
        if STRAY_REPR.match(text.strip()):
            stray.append((number, text[:60]))
        elif "text/html" not in data and PLAIN_SERIES.search(text):  # a Series as text
            stray.append((number, text[-60:]))
    assert not stray, f"{path.name}: end the cell with ';' (or assign it): {stray}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_no_warnings_or_stderr(path: Path) -> None:
    shown = [
        (number, str(output.get("text", ""))[:120])
        for number, output in _outputs(path)
        if output.output_type == "stream" and output.get("name") == "stderr"
    ]
    shown += [
        (number, str(output.get("data", {}).get("text/plain", ""))[:120])
        for number, output in _outputs(path)
        if "Warning" in str(output.get("data", {}).get("text/plain", ""))
    ]
    assert not shown, f"{path.name} shows warnings or stderr: {shown}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_result_tables_are_for_readers(path: Path) -> None:
    codes = _machine_codes()
    problems = []
    for table in _tables(path):
        if not table.results:
            continue  # a view of the data itself
        if not table.presented and {"estimate", "ci_low"} & set(table.headings):
            problems.append((table.cell, "estimates shown raw: use gc.present", table.headings))
        p_columns = {i for i, h in enumerate(table.headings) if h in P_VALUE_HEADINGS}
        offset = max(len(table.rows[0]) - len(table.headings), 0) if table.rows else 0
        for row in table.rows:
            for i, cell in enumerate(row):
                if cell in codes:
                    problems.append((table.cell, "machine code", cell))
                if BARE_DECIMAL.match(cell) and i - offset not in p_columns:
                    problems.append((table.cell, "bare decimal", cell))
                if table.presented and cell in ("True", "False"):
                    problems.append((table.cell, "True/False for a yes/no group", cell))
        if not table.presented:
            continue
        raw = [h for h in table.headings if RAW_SIDE.search(h)]
        if raw:
            problems.append((table.cell, "a comparison's side by its suffix", raw))
        # a percentage (in a column of percentages) or an odds ratio left blank: a hidden cell
        # that lost its [c], or a missing value with nothing to say why
        percentages = {
            i for r in table.rows for i, cell in enumerate(r) if re.match(r"^\d+(\.\d+)?%", cell)
        }
        ratios = {i for i, h in enumerate(table.headings) if h.startswith("Odds ratio")}
        valued = sorted(percentages | ratios)
        blank = [(r[0], i) for r in table.rows for i in valued if r[i] == ""]
        if blank:
            problems.append((table.cell, "blank value", blank[:3]))
        if SYNTHETIC_NOTICE not in table.caption:  # every bundled set is synthetic
            problems.append((table.cell, "no synthetic notice", table.headings[:3]))
    assert not problems, f"{path.name}: {problems[:8]} ({len(problems)} in all)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_printed_results_are_for_readers(path: Path) -> None:
    """Lines a cell prints carry no machine code (``in_collaboration``, ``too_early``: the
    codes with an underscore or a digit, which no sentence uses) and no bare number to three
    decimals (a share is a percentage; p-values, "p = 0.012", may have three)."""
    codes = sorted((c for c in _machine_codes() if re.search(r"[_\d]", c)), key=len)
    # a code in quotes is Python's repr of a value: a view of the data itself
    alternatives = "|".join(map(re.escape, reversed(codes)))
    word = re.compile(r"(?<![\w'\"-])(" + alternatives + r")(?![\w'\"-])")
    problems = []
    for number, output in _outputs(path):
        if output.output_type != "stream" or output.get("name") != "stdout":
            continue
        for line in str(output.get("text", "")).splitlines():
            if line.startswith("As expected:"):  # an error message shown on purpose
                continue
            found = word.findall(line) + PRINTED_DECIMAL.findall(line)
            if found:
                problems.append((number, found, line[:90]))
    assert not problems, f"{path.name}: {problems[:6]} ({len(problems)} in all)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_every_presented_table_went_through_disclosure_control(path: Path) -> None:
    problems = []
    for table in _tables(path):
        if not table.presented:
            continue
        if "data-suppression-min-n" not in table.tag:
            problems.append((table.cell, "not through gc.suppress", table.headings[:3]))
            continue
        min_n = int(re.search(r'data-suppression-min-n="(\d+)"', table.tag).group(1))  # type: ignore[union-attr]
        assert min_n == gpcollab.disclosure.DEFAULT_MIN_N  # the report's threshold
        # "Base (n)", or each side's "Base (n, 2015)" in a comparison (hidden as a whole row)
        bases = [i for i, h in enumerate(table.headings) if h.startswith("Base (n")]
        estimates = [i for i, h in enumerate(table.headings) if "(" in h or h == "Estimate"]
        for row in table.rows:
            for base in bases:
                n = row[base].replace(",", "")
                if n.isdigit() and 0 < int(n) < min_n:
                    shown = [
                        row[i] for i in estimates if i not in bases and row[i] not in ("", "[c]")
                    ]
                    if shown:
                        problems.append((table.cell, f"base {n} shown", shown))
    assert not problems, f"{path.name}: {problems[:8]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_widgets_are_saved_with_a_static_view(path: Path) -> None:
    notebook = _committed(path)
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}
    )
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        views = [
            o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
            for o in cell.outputs
            if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        ]
        if not views:
            continue
        assert all(v in state.get("state", {}) for v in views), f"{path.name}: widget state"
        static = [o for o in cell.outputs if "<table" in o.get("data", {}).get("text/html", "")]
        assert static, f"{path.name}: a widget without a static view of its tables beside it"


TWICE = """# %% [markdown]
# A notebook built twice must give the same file (synthetic data).

# %%
import ipywidgets

import gpcollab as gc

# %%
gc.present(gc.prevalence(gc.load_survey(2017, "gp")))

# %%
ipywidgets.VBox([ipywidgets.IntSlider(value=3), ipywidgets.Label("a label")])

# %%
gc.present(gc.prevalence(gc.load_survey(2017, "gp")))
"""


@pytest.mark.slow
def test_building_twice_gives_byte_identical_files(tmp_path: Path) -> None:
    pytest.importorskip("nbclient", reason="the notebooks extra is not installed")
    build = _build_module()
    source = tmp_path / "99_twice.py"
    source.write_text(TWICE, encoding="utf-8")
    first = build.build(source).read_bytes()
    second = build.build(source).read_bytes()
    assert first == second
    text = first.decode("utf-8")
    # the random names were there to rename: a styled table and a widget
    assert "T_00001" in text and "T_00002" in text
    assert f"{1:032x}" in text and "IPY_MODEL_" in text
    nbformat = pytest.importorskip("nbformat")
    ids = [cell.id for cell in nbformat.reads(text, as_version=4).cells]
    assert len(set(ids)) == len(ids) == 5  # the repeated cell gets an id of its own


def test_stabilise_names_cells_by_content() -> None:
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    build = _build_module()
    cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
    one = build.stabilise(nbformat.v4.new_notebook(cells=cells))
    cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 2")]
    two = build.stabilise(nbformat.v4.new_notebook(cells=cells))
    assert one.cells[0].id == two.cells[0].id  # unchanged cell, unchanged id
    assert one.cells[1].id != two.cells[1].id  # changed cell, new id


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids)
def test_committed_ipynb_has_stable_cell_ids(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat", reason="the notebooks extra is not installed")
    build = _build_module()
    committed = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
    assert [cell.id for cell in committed.cells] == list(build._cell_ids(committed)), (
        f"{path.name}: cell ids are not the content-derived ones: run `make notebooks`"
    )
