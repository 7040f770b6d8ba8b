"""The error policy (docs/architecture.md, "Errors"), checked over the whole source tree.

* nothing in ``src/`` raises a built-in exception type: every error derives from
  :class:`GpcollabError`, and the classes that must also be a built-in type (so that
  ``except ValueError`` or ``hasattr`` keep working) inherit from both;
* every exception class lives in ``gpcollab/errors.py`` and is exported from ``gpcollab``; the
  modules that used to define one still re-export it;
* problems with how a function was called raise :class:`ArgumentError`, problems with the
  design or the data :class:`DesignError` (both are ``ValueError``).
"""

from __future__ import annotations

import ast
import builtins
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import gpcollab
from gpcollab import errors

SRC = Path(gpcollab.__file__).parent

BUILTIN_EXCEPTIONS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _raised_name(node: ast.Raise) -> str | None:
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    if isinstance(exc, ast.Name):
        return exc.id
    if isinstance(exc, ast.Attribute):
        return exc.attr
    return None  # bare ``raise`` (re-raise) or an expression such as ``type(error)(...)``


def test_the_scan_sees_the_whole_package() -> None:
    # guards the checks below against scanning nothing (wrong folder, empty glob)
    names = {path.relative_to(SRC).as_posix() for path, _ in _modules()}
    assert {"errors.py", "analysis.py", "plotting.py", "datasets/__init__.py"} <= names


def test_no_builtin_exception_is_raised_in_src() -> None:
    found = [
        f"{path.relative_to(SRC)}:{node.lineno}: raise {name}"
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise)
        and (name := _raised_name(node)) is not None
        and name in BUILTIN_EXCEPTIONS
    ]
    assert found == [], "raise a gpcollab.errors class instead:\n" + "\n".join(found)


def test_the_scan_would_catch_a_builtin_raise() -> None:
    # the detector itself, on a snippet: it must flag all three spellings, not re-raises
    tree = ast.parse(
        "raise ValueError('x')\nraise KeyError\nraise builtins.TypeError('y')\nraise\n"
        "raise ArgumentError('ok')\n"
    )
    flagged = [
        _raised_name(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise) and _raised_name(node) in BUILTIN_EXCEPTIONS
    ]
    assert flagged == ["ValueError", "KeyError", "TypeError"]


def test_exception_classes_are_defined_only_in_errors_py() -> None:
    known = BUILTIN_EXCEPTIONS | {
        name for name, value in vars(errors).items() if isinstance(value, type)
    }
    found = []
    for path, tree in _modules():
        if path.name == "errors.py":
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue  # private control-flow signals stay next to their only user
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            if bases & known:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}: class {node.name}")
    assert found == [], "move these to gpcollab/errors.py:\n" + "\n".join(found)


def _error_classes() -> list[type[BaseException]]:
    return [
        value
        for _, value in inspect.getmembers(errors, inspect.isclass)
        if issubclass(value, BaseException) and value.__module__ == errors.__name__
    ]


def test_errors_module_holds_the_expected_classes() -> None:
    names = {cls.__name__ for cls in _error_classes()}
    assert {
        "GpcollabError",
        "ArgumentError",
        "DesignError",
        "FindingsError",
        "DatasetError",
        "SurveyLoadError",
        "ReconstructionError",
        "ScenarioSpecError",
        "UnknownNameError",
        "BoundaryWarning",
    } <= names


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda cls: cls.__name__)
def test_every_error_class_derives_from_gpcollab_error_and_is_exported(
    cls: type[BaseException],
) -> None:
    if issubclass(cls, Warning):
        assert not issubclass(cls, errors.GpcollabError)
    else:
        assert issubclass(cls, errors.GpcollabError)
    assert cls.__name__ in gpcollab.__all__
    assert getattr(gpcollab, cls.__name__) is cls


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("gpcollab.findings", "FindingsError"),
        ("gpcollab.datasets", "DatasetError"),
        ("gpcollab.datasets.surveys", "SurveyLoadError"),
        ("gpcollab.reconstruction", "ReconstructionError"),
        ("gpcollab.cli", "ScenarioSpecError"),
        ("gpcollab.estimate", "BoundaryWarning"),
    ],
)
def test_moved_classes_are_still_importable_from_their_old_module(module: str, name: str) -> None:
    import importlib

    assert getattr(importlib.import_module(module), name) is getattr(errors, name)


def test_dual_inheritance_keeps_builtin_handlers_working() -> None:
    assert issubclass(errors.ArgumentError, ValueError)
    assert issubclass(errors.DesignError, ValueError)
    assert issubclass(errors.ScenarioSpecError, ValueError)
    assert issubclass(errors.UnknownNameError, AttributeError)
    assert issubclass(errors.UnknownNameError, KeyError)
    # the protocols that rely on them
    assert not hasattr(gpcollab, "not_a_function")
    from gpcollab.reconstruction import RECONSTRUCTION_PARAMETERS

    assert RECONSTRUCTION_PARAMETERS.get("not_a_parameter", "fallback") == "fallback"
    assert "not_a_parameter" not in RECONSTRUCTION_PARAMETERS
    with pytest.raises(errors.UnknownNameError, match="no reconstruction parameter"):
        RECONSTRUCTION_PARAMETERS["not_a_parameter"]


# ------------------------------------------------------------------ argument vs design errors

_FRAME = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "b", "b"], "w": [1.0] * 4})


# functions of the analysis modules whose first argument is a table, not a survey (their own
# bad-input tests sit with them: pcn_size_shares in test_plotting)
_OF_A_TABLE = {"pcn_size_shares"}


def _analyses() -> list[str]:
    return [
        name
        for name in gpcollab.__all__
        if inspect.isfunction(value := getattr(gpcollab, name))
        and value.__module__ in ("gpcollab.analysis", "gpcollab.models", "gpcollab.whatif")
        and name not in _OF_A_TABLE
    ]


# the arguments after the survey(s) that each analysis needs before it looks at them
_REQUIRED: dict[str, tuple[object, ...]] = {
    "compare_waves": (_FRAME, "membership", "formal"),
    "distribution": ("form",),
    "stp_views": (_FRAME,),
    "achievement_model": ("access",),
    "reband": (100_000,),
    "standardise": ("access", []),
    "pcn_projection": ("access",),
}
# the keyword-only arguments an analysis needs before it looks at the survey
_REQUIRED_KEYWORDS: dict[str, dict[str, object]] = {
    "achievement_differences": {"by": "size_band"},
}


@pytest.mark.parametrize("name", _analyses())
def test_passing_a_dataframe_to_an_analysis_is_an_argument_error(name: str) -> None:
    func = getattr(gpcollab, name)
    with pytest.raises(errors.ArgumentError, match="must be a SurveyData"):
        func(_FRAME, *_REQUIRED.get(name, ()), **_REQUIRED_KEYWORDS.get(name, {}))


ARGUMENT_PROBLEMS: list[tuple[str, Callable[[], object]]] = [
    ("unknown column", lambda: gpcollab.estimate_mean(_FRAME, "nope")),
    ("unknown by", lambda: gpcollab.estimate_proportions(_FRAME, "g", by="nope")),
    ("level out of range", lambda: gpcollab.estimate_mean(_FRAME, "y", level=95)),
    ("unknown ci_method", lambda: gpcollab.estimate_proportions(_FRAME, "g", ci_method="x")),  # type: ignore[arg-type]
    ("wrong object", lambda: gpcollab.estimate_mean(_FRAME.to_numpy(), "y")),  # type: ignore[arg-type]
    ("unknown lonely_psu", lambda: gpcollab.SurveyDesign(lonely_psu="drop")),  # type: ignore[arg-type]
    ("design not a SurveyDesign", lambda: gpcollab.estimate_mean(_FRAME, "y", design="w")),  # type: ignore[arg-type]
    ("unknown weights column", lambda: gpcollab.rake(_FRAME, {"g": {"a": 2, "b": 2}}, weights="x")),
    ("bad max_iter", lambda: gpcollab.rake(_FRAME, {"g": {"a": 2, "b": 2}}, max_iter=0)),
    ("unknown statistic", lambda: gpcollab.chisq_test(_FRAME, "g", "y", statistic="G")),  # type: ignore[arg-type]
    ("same column twice", lambda: gpcollab.chisq_test(_FRAME, "g", "g")),
    ("negative min_n", lambda: gpcollab.suppress(_FRAME, min_n=-1)),
    ("unknown vocabulary value", lambda: gpcollab.Aim.parse("happiness")),
    ("plot of a list", lambda: gpcollab.plot.plot_achievement([1, 2])),  # type: ignore[arg-type]
    ("scenario of a number", lambda: gpcollab.Scenario.coerce(3)),
]


@pytest.mark.parametrize(
    "call", [c for _, c in ARGUMENT_PROBLEMS], ids=[i for i, _ in ARGUMENT_PROBLEMS]
)
def test_argument_problems_raise_argument_error(call: Callable[[], object]) -> None:
    with pytest.raises(errors.ArgumentError) as caught:
        call()
    assert not isinstance(caught.value, errors.DesignError)
    assert isinstance(caught.value, ValueError)  # `except ValueError` keeps working


DESIGN_PROBLEMS: list[tuple[str, Callable[[], object]]] = [
    (
        "lonely PSU under 'fail'",
        lambda: gpcollab.estimate_mean(
            _FRAME.assign(h=[1, 2, 2, 2], p=[1, 2, 3, 4]),
            "y",
            design=gpcollab.SurveyDesign(strata="h", psu="p"),
        ),
    ),
    (
        "missing value in a design column",
        lambda: gpcollab.estimate_mean(
            _FRAME.assign(w=[1.0, np.nan, 1.0, 1.0]), "y", design=gpcollab.SurveyDesign(weights="w")
        ),
    ),
    ("no rows", lambda: gpcollab.estimate_mean(_FRAME.iloc[:0], "y")),
    ("single level", lambda: gpcollab.chisq_test(_FRAME.assign(g="a"), "g", "y")),
]


@pytest.mark.parametrize(
    "call", [c for _, c in DESIGN_PROBLEMS], ids=[i for i, _ in DESIGN_PROBLEMS]
)
def test_design_problems_raise_design_error(call: Callable[[], object]) -> None:
    with pytest.raises(errors.DesignError):
        call()


def test_a_weight_column_name_as_engine_design_says_what_to_pass() -> None:
    with pytest.raises(errors.ArgumentError, match=r"pass SurveyDesign\(weights='w'\)"):
        gpcollab.estimate_mean(_FRAME, "y", design="w")  # type: ignore[arg-type]
