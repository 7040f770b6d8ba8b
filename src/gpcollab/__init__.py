"""gpcollab: analyse surveys of collaboration between GP practices in England.

The public API is flat: everything listed in ``__all__`` is importable from ``gpcollab``.
Names are resolved lazily on first use, so ``import gpcollab`` stays cheap and does not pull
in pandas, pandera, scipy.stats or matplotlib until a function needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gpcollab.errors import UnknownNameError

__version__ = "0.2.0"

# public name -> module that defines it (one module per idea; see docs/architecture.md)
_EXPORTS: dict[str, str] = {
    # errors
    "GpcollabError": "errors",
    "ArgumentError": "errors",
    "CodebookError": "errors",
    "LoadError": "errors",
    "UnreadableFileError": "errors",
    "SurveyValidationError": "errors",
    "DesignError": "errors",
    "ConvergenceError": "errors",
    "MissingItemError": "errors",
    "UnknownNameError": "errors",
    "DatasetError": "errors",
    "SurveyLoadError": "errors",
    "FindingsError": "errors",
    "ReconstructionError": "errors",
    "ScenarioSpecError": "errors",
    "BoundaryWarning": "errors",
    "InferenceWarning": "errors",
    "ConvergenceWarning": "errors",
    "MissingValueWarning": "errors",
    # vocabulary
    "Wave": "vocab",
    "Instrument": "vocab",
    "Role": "vocab",
    "Region": "vocab",
    "Membership": "vocab",
    "CollaborationForm": "vocab",
    "LegalForm": "vocab",
    "SizeBand": "vocab",
    "AgeBand": "vocab",
    "Level": "vocab",
    "Aim": "vocab",
    "Achievement": "vocab",
    "FundingSource": "vocab",
    "Barrier": "vocab",
    "Driver": "vocab",
    "Influence": "vocab",
    "Likelihood": "vocab",
    "ContractWillingness": "vocab",
    "ContractReason": "vocab",
    "Encouragement": "vocab",
    "CCGSupport": "vocab",
    "PracticeShare": "vocab",
    # typed tables
    "SurveyData": "schema",
    "SurveyMeta": "schema",
    # loading real exports: codebooks, reader and writer
    "Codebook": "codebook",
    "load_codebook": "codebook",
    "list_codebooks": "codebook",
    "write_codebook": "codebook",
    "suggest_alias": "codebook",
    "read_survey": "io",
    "write_survey": "io",
    "LoadReport": "io",
    "Rejection": "io",
    "MissingCell": "io",
    "Inconsistency": "io",
    # hypothesis tests and logistic regression
    "chisq_test": "significance",
    "trend_test": "significance",
    "compare_proportions": "significance",
    "compare_domains": "significance",
    "compare_means": "significance",
    "logistic_regression": "regression",
    "LogisticFit": "regression",
    "survey_glm": "regression",
    "GlmFit": "regression",
    # findings register and verification
    "load_findings": "findings",
    "load_assumptions": "findings",
    "verify_findings": "findings",
    # bundled datasets
    "load_population": "datasets",
    "list_datasets": "datasets",
    "dataset_card": "datasets",
    "load_survey": "datasets.surveys",
    # synthetic reconstruction of the response sets
    "reconstruct": "reconstruction",
    # the self-contained HTML report
    "build_report": "report",
    "ReportResult": "report",
    # survey design and estimation
    "SurveyDesign": "design",
    "estimate_mean": "estimate",
    "estimate_total": "estimate",
    "estimate_proportions": "estimate",
    "estimate_quantile": "estimate",
    "estimate_ratio": "estimate",
    "estimate_var": "estimate",
    "ReplicateDesign": "replicate",
    "as_replicate_design": "replicate",
    "replicate_weights": "replicate",
    "weighted_quantile": "quantile_rules",
    "rake": "weighting",
    "poststratify": "weighting",
    "kish_efficiency": "weighting",
    "calibrate": "weighting",
    "CalibrationModel": "weighting",
    "weighted_table": "tables",
    # analyses: the questions users ask, models, what-if, disclosure control
    "prevalence": "analysis",
    "distribution": "analysis",
    "compare_waves": "analysis",
    "aims_chosen": "analysis",
    "achievement_rates": "analysis",
    "achievement_differences": "analysis",
    "any_fully_achieved": "analysis",
    "funding_among_achievers": "analysis",
    "achievement_trend": "analysis",
    "stp_views": "analysis",
    "contract_willingness": "analysis",
    "contract_reasons": "analysis",
    "ccg_support": "analysis",
    "achievement_model": "models",
    "AchievementModel": "models",
    "Scenario": "whatif",
    "reband": "whatif",
    "standardise": "whatif",
    "pcn_projection": "whatif",
    "pcn_size_shares": "whatif",
    "suppress": "disclosure",
    # presentation: tables as a reader should see them
    "present": "presentation",
    "present_frame": "presentation",
    # the interactive what-if for notebooks (ipywidgets, an optional extra)
    "whatif_widget": "widgets",
}

__all__ = sorted(_EXPORTS)

# public name -> module returned itself (``gpcollab.plot``: the plotting helpers, short name)
_MODULES: dict[str, str] = {"plot": "plot"}
__all__ = sorted([*__all__, *_MODULES])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from gpcollab import plot
    from gpcollab.analysis import (
        achievement_differences,
        achievement_rates,
        achievement_trend,
        aims_chosen,
        any_fully_achieved,
        ccg_support,
        compare_waves,
        contract_reasons,
        contract_willingness,
        distribution,
        funding_among_achievers,
        prevalence,
        stp_views,
    )
    from gpcollab.codebook import (
        Codebook,
        list_codebooks,
        load_codebook,
        suggest_alias,
        write_codebook,
    )
    from gpcollab.datasets import dataset_card, list_datasets, load_population
    from gpcollab.datasets.surveys import load_survey
    from gpcollab.design import SurveyDesign
    from gpcollab.disclosure import suppress
    from gpcollab.errors import (
        ArgumentError,
        BoundaryWarning,
        CodebookError,
        ConvergenceError,
        ConvergenceWarning,
        DatasetError,
        DesignError,
        FindingsError,
        GpcollabError,
        InferenceWarning,
        LoadError,
        MissingItemError,
        MissingValueWarning,
        ReconstructionError,
        ScenarioSpecError,
        SurveyLoadError,
        SurveyValidationError,
        UnknownNameError,
        UnreadableFileError,
    )
    from gpcollab.estimate import (
        estimate_mean,
        estimate_proportions,
        estimate_quantile,
        estimate_ratio,
        estimate_total,
        estimate_var,
    )
    from gpcollab.findings import load_assumptions, load_findings, verify_findings
    from gpcollab.io import (
        Inconsistency,
        LoadReport,
        MissingCell,
        Rejection,
        read_survey,
        write_survey,
    )
    from gpcollab.models import AchievementModel, achievement_model
    from gpcollab.presentation import present, present_frame
    from gpcollab.quantile_rules import weighted_quantile
    from gpcollab.reconstruction import reconstruct
    from gpcollab.regression import GlmFit, LogisticFit, logistic_regression, survey_glm
    from gpcollab.replicate import ReplicateDesign, as_replicate_design, replicate_weights
    from gpcollab.report import ReportResult, build_report
    from gpcollab.schema import SurveyData, SurveyMeta
    from gpcollab.significance import (
        chisq_test,
        compare_domains,
        compare_means,
        compare_proportions,
        trend_test,
    )
    from gpcollab.tables import weighted_table
    from gpcollab.vocab import (
        Achievement,
        AgeBand,
        Aim,
        Barrier,
        CCGSupport,
        CollaborationForm,
        ContractReason,
        ContractWillingness,
        Driver,
        Encouragement,
        FundingSource,
        Influence,
        Instrument,
        LegalForm,
        Level,
        Likelihood,
        Membership,
        PracticeShare,
        Region,
        Role,
        SizeBand,
        Wave,
    )
    from gpcollab.weighting import (
        CalibrationModel,
        calibrate,
        kish_efficiency,
        poststratify,
        rake,
    )
    from gpcollab.whatif import Scenario, pcn_projection, pcn_size_shares, reband, standardise
    from gpcollab.widgets import whatif_widget


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        module = importlib.import_module(f"gpcollab.{_MODULES[name]}")
        globals()[name] = module
        return module
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise UnknownNameError(f"module 'gpcollab' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gpcollab.{module_name}"), name)
    globals()[name] = value  # cache: later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
