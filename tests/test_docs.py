"""The documentation site's sources (``docs/site``, built by ``make docs``) cover the public API.

Building the site takes minutes, so the suite checks its sources: every public name of
``gpcollab`` (``__all__``, the lazy-name table) and every public chart helper of
``gpcollab.plot`` is listed on an API reference page, nothing else is, and the gallery draws
every ``plot_*`` helper. A new public name without a page fails here.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import gpcollab
import gpcollab.plot
from gpcollab.disclosure import DEFAULT_MIN_N

SITE = Path(__file__).resolve().parents[1] / "docs" / "site"
ENTRY = re.compile(r"^   (gpcollab\.plot\.)?([A-Za-z_][A-Za-z0-9_]*)\s*$", re.M)


def _listed() -> tuple[list[str], list[str]]:
    """Names listed under autosummary on the API pages: (gpcollab names, gpcollab.plot names)."""
    top: list[str] = []
    plot: list[str] = []
    for page in sorted((SITE / "api").glob("*.rst")):
        for prefix, name in ENTRY.findall(page.read_text(encoding="utf-8")):
            (plot if prefix else top).append(name)
    return top, plot


def test_every_public_name_has_a_reference_entry() -> None:
    top, plot = _listed()
    public = set(gpcollab.__all__) - {"plot"}  # the module: its helpers are listed one by one
    assert sorted(set(top)) == sorted(public), (
        f"missing: {sorted(public - set(top))}, not public: {sorted(set(top) - public)}"
    )
    assert len(top) == len(set(top)), "a name is listed twice"
    assert sorted(plot) == sorted(gpcollab.plot.__all__)


def test_the_reference_is_grouped_by_topic() -> None:
    pages = {p.stem for p in (SITE / "api").glob("*.rst")}
    expected = {"loading", "estimates", "analyses", "whatif", "charts", "record", "report"}
    assert expected <= pages
    index = (SITE / "api" / "index.md").read_text(encoding="utf-8")
    assert all(f"\n{page}\n" in index for page in pages), "an API page is not in the toctree"


def _gallery() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gallery", SITE / "gallery.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gallery_draws_every_chart_helper() -> None:
    helpers = sorted(n for n in gpcollab.plot.__all__ if n.startswith("plot_"))
    assert _gallery().HELPERS == helpers


def test_guides_are_in_the_toctree_and_architecture_is_included() -> None:
    index = (SITE / "index.md").read_text(encoding="utf-8")
    for guide in sorted((SITE / "guides").glob("*.md")):
        assert f"guides/{guide.stem}\n" in index, guide.name
    architecture = (SITE / "guides" / "architecture.md").read_text(encoding="utf-8")
    assert "{include} ../../architecture.md" in architecture  # included, not copied


def test_disclosure_guide_states_the_rule_of_the_code() -> None:
    text = (SITE / "guides" / "disclosure.md").read_text(encoding="utf-8")
    assert f"`min_n = {DEFAULT_MIN_N}`" in text
    assert f"based on fewer than {DEFAULT_MIN_N} respondents, or would reveal such a" in text
