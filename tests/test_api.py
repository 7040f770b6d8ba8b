"""The public API: every exported name resolves, and ``import gpcollab`` stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import gpcollab


@pytest.mark.parametrize("name", gpcollab.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(gpcollab, name) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'not_a_function'"):
        gpcollab.not_a_function  # noqa: B018


def test_import_does_not_pull_heavy_modules() -> None:
    code = (
        "import sys, json, gpcollab; "
        "print(json.dumps({m: m in sys.modules for m in "
        "['matplotlib', 'scipy.stats', 'pandera', 'statsmodels']}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {
        "matplotlib": False,
        "scipy.stats": False,
        "pandera": False,
        "statsmodels": False,
    }


def test_estimation_path_does_not_import_matplotlib_or_scipy_stats() -> None:
    code = (
        "import sys, json; from gpcollab import estimate_proportions, SurveyDesign; "
        "print(json.dumps([m in sys.modules for m in ['matplotlib', 'scipy.stats']]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [False, False]


def test_function_names_are_not_shadowed_by_submodules() -> None:
    # importing every submodule must not rebind an exported function to a module object
    import importlib
    import pkgutil
    import types

    for module in pkgutil.iter_modules(gpcollab.__path__):
        importlib.import_module(f"gpcollab.{module.name}")
    shadowed = [
        name
        for name in gpcollab.__all__
        if name != "plot" and isinstance(getattr(gpcollab, name), types.ModuleType)
    ]
    assert shadowed == []


def test_type_checking_imports_match_the_lazy_exports() -> None:
    # the TYPE_CHECKING block (what IDEs and mypy see) must list exactly the lazy exports
    import ast
    from pathlib import Path

    tree = ast.parse(Path(gpcollab.__file__).read_text(encoding="utf-8"))
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    imported = {
        alias.asname or alias.name
        for node in ast.walk(guarded)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == set(gpcollab.__all__)


def test_renamed_arguments_keep_their_old_name_for_one_release() -> None:
    import pandas as pd

    age = pd.Categorical(list("AAAABBBBCCCC"), categories=list("ABC"), ordered=True)
    data = pd.DataFrame({"age": age, "ok": [0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0]})
    new = gpcollab.trend_test(data, "ok", across="age")
    with pytest.warns(DeprecationWarning, match="`ordered=` is deprecated.*use `across=`"):
        old = gpcollab.trend_test(data, "ok", ordered="age")
    pd.testing.assert_frame_equal(old, new)
    # the odds of success triple per band: 1/3 (A), 1 (B: 2 of 4), 3 (C: 3 of 4)
    assert new["odds_ratio"].iloc[0] == pytest.approx(3.0, rel=1e-6)
    assert new["across"].iloc[0] == "age"
    with pytest.raises(gpcollab.ArgumentError, match="pass `across=` only"):
        gpcollab.trend_test(data, "ok", "age", ordered="age")


def _analysis_functions() -> list[str]:
    from gpcollab import analysis

    return [*analysis.__all__, "achievement_model"]


@pytest.mark.parametrize("name", _analysis_functions())
def test_analysis_docstrings_run_their_examples_and_point_onwards(name: str) -> None:
    import re

    doc = getattr(gpcollab, name).__doc__
    assert "See Also" in doc
    assert ">>> " in doc and "+SKIP" not in doc  # examples run as doctests
    assert not re.search(r"^\s*\{\w+\}\s*$", doc, re.M)  # every shared entry was filled in
    # every parameter is documented, in signature order
    import inspect

    params = list(inspect.signature(getattr(gpcollab, name)).parameters)
    entries = re.findall(r"^    ((?:\w+, )*\w+) :", doc, re.M)
    names = [n for entry in entries for n in entry.split(", ")]
    assert [n for n in names if n in params] == params
