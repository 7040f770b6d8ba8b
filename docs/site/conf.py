"""Sphinx configuration of the gpcollab documentation site (``make docs``).

Built offline with warnings as errors. Three parts are generated at build time into
``_generated/`` (ignored by git): the gallery (each public chart helper drawn on the bundled
synthetic sets, :mod:`gallery`), the command-line help (from ``gpcollab.cli.build_parser``) and
copies of the executed notebooks of ``notebooks/``, which myst-nb renders without running them.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GENERATED = HERE / "_generated"
sys.path.insert(0, str(HERE))

import gallery  # noqa: E402  (docs/site/gallery.py, beside this file)

import gpcollab  # noqa: E402
from gpcollab.cli import build_parser  # noqa: E402

project = "gpcollab"
author = "gpcollab developers"
copyright = "gpcollab developers, MIT licence"
release = gpcollab.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_nb",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "review"]
nb_execution_mode = "off"  # the committed notebooks are already executed
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
suppress_warnings = ["mystnb.unknown_mime_type", "myst.xref_missing"]
html_theme = "alabaster"
html_title = f"gpcollab {release}"
html_theme_options = {
    "description": "Surveys of collaboration between GP practices",
    "fixed_sidebar": True,
}
html_static_path: list[str] = []


def _cli_page() -> str:
    """The command line's help texts, one section a command."""
    parser = build_parser()
    lines = [
        "# The command line",
        "",
        "`gpcollab` is installed with the package. Each command's help, as `--help` prints it:",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
    ]
    commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, sub in commands[0].choices.items():
        lines += ["", f"## gpcollab {name}", "", "```text", sub.format_help().rstrip(), "```"]
    return "\n".join(lines) + "\n"


def _notebooks() -> None:
    target = GENERATED / "notebooks"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        shutil.copyfile(path, target / path.name)


def _generate(_app: object) -> None:
    GENERATED.mkdir(exist_ok=True)
    (GENERATED / "cli.md").write_text(_cli_page(), encoding="utf-8")
    _notebooks()
    gallery.write(GENERATED / "gallery")


def setup(app: object) -> None:
    app.connect("builder-inited", _generate)  # type: ignore[attr-defined]
