"""Milliseconds per call of every public analysis on the bundled (synthetic) response sets.

Run: ``python benchmarks/bench_analyses.py [repeats]``.

Times each function named in the README's "analyses" and "what-if" rows, and the output
helpers ``suppress``, ``present_frame`` and ``present``, on the bundled sets
(``gpcollab.load_survey``: GP 2015 and 2017, CCG 2015 and 2017, where the function applies)
with the arguments an analyst types: overall, ``by="size_band"``, ``"age_band"``, ``"level"``,
``"funding"``, a re-banded size, the other options. Each call is timed as ``timeit`` does it:
the best of ``repeats`` runs (default 15), after one warm-up call that loads imports and caches.
The surveys are loaded before timing; every call gets the same ``SurveyData``, as in a notebook.

Two times are shown: wall time (``time.perf_counter``) and the CPU time of this process
(``time.process_time``). On an idle machine they agree (the analyses run on one thread at
these sizes); on a machine shared with other jobs the wall time grows with the load while the
CPU time stays the work the call does, so the budget is checked on the CPU time.

Every call has a budget of 25 ms (issue 20: survey-sized speed of the analysis layer), except
the seeded bootstrap of ``standardise`` / ``pcn_projection`` with its default 2,000 replicates,
whose budget is the 2 s of ``bench_bootstrap.py`` (their point estimates alone, ``n_boot=0``,
are held to 25 ms). Rows over budget are flagged ``SLOW`` and the script exits 1 when any is.
The bundled sets are synthetic reconstructions, not the survey responses.
"""

from __future__ import annotations

import sys
import time
import timeit
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gpcollab as gc

BUDGET_MS = 25.0
BOOTSTRAP_BUDGET_MS = 2000.0
DEFAULT_REPEATS = 15


@dataclass(frozen=True)
class Case:
    """One timed call: the function's name, the call as typed, the call itself, its budget."""

    function: str
    call: str
    run: Callable[[], Any]
    budget_ms: float = BUDGET_MS


def cases() -> list[Case]:
    """Every timed call, on surveys loaded once."""
    gp15, gp17 = gc.load_survey(2015, "gp"), gc.load_survey(2017, "gp")
    ccg15, ccg17 = gc.load_survey(2015, "ccg"), gc.load_survey(2017, "ccg")
    big = gc.reband(gp17, [100_000])
    clustered = gc.SurveyDesign(strata="region", psu="ccg_code")
    rates = gc.achievement_rates(gp17, by="size_band")
    model = gc.achievement_model(gp17, "access")
    scenario = gc.Scenario("all 100k-250k", set={"size_band": "100k_250k"})
    out: list[Case] = []

    def add(function: str, call: str, run: Callable[[], Any], budget: float = BUDGET_MS) -> None:
        out.append(Case(function, call, run, budget))

    add("prevalence", "prevalence(gp17)", lambda: gc.prevalence(gp17))
    add("prevalence", "prevalence(gp15)", lambda: gc.prevalence(gp15))
    add(
        "prevalence",
        "prevalence(gp17, by='size_band')",
        lambda: gc.prevalence(gp17, by="size_band"),
    )
    add("distribution", "distribution(gp17, 'age_band')", lambda: gc.distribution(gp17, "age_band"))
    add(
        "distribution",
        "distribution(gp17, 'level', by='size_band')",
        lambda: gc.distribution(gp17, "level", by="size_band"),
    )
    add("distribution", "distribution(gp17, 'barriers')", lambda: gc.distribution(gp17, "barriers"))
    add(
        "distribution",
        "distribution(gp17, 'barriers', by='size_band')",
        lambda: gc.distribution(gp17, "barriers", by="size_band"),
    )
    add("distribution", "distribution(gp15, 'form')", lambda: gc.distribution(gp15, "form"))
    add(
        "distribution",
        "distribution(gp15, 'barriers', by='size_band')",
        lambda: gc.distribution(gp15, "barriers", by="size_band"),
    )
    add(
        "distribution",
        "distribution(ccg17, 'barriers', among='all')",
        lambda: gc.distribution(ccg17, "barriers", among="all"),
    )
    add(
        "compare_waves",
        "compare_waves(gp15, gp17, 'membership', 'in_collaboration')",
        lambda: gc.compare_waves(gp15, gp17, "membership", "in_collaboration"),
    )
    add(
        "compare_waves",
        "compare_waves(gp15, gp17, 'barriers', 'time_pressure')",
        lambda: gc.compare_waves(gp15, gp17, "barriers", "time_pressure"),
    )
    add("aims_chosen", "aims_chosen(gp17)", lambda: gc.aims_chosen(gp17))
    add(
        "aims_chosen",
        "aims_chosen(gp17, by=reband(gp17, [100_000]))",
        lambda: gc.aims_chosen(gp17, by=big),
    )
    add("achievement_rates", "achievement_rates(gp17)", lambda: gc.achievement_rates(gp17))
    for by in ("size_band", "age_band", "level", "funding"):
        add(
            "achievement_rates",
            f"achievement_rates(gp17, by={by!r})",
            lambda by=by: gc.achievement_rates(gp17, by=by),
        )
    add(
        "achievement_rates",
        "achievement_rates(gp17, by=['size_band', 'age_band'])",
        lambda: gc.achievement_rates(gp17, by=["size_band", "age_band"]),
    )
    add(
        "achievement_rates",
        "achievement_rates(gp17, by='size_band', design=clustered)",
        lambda: gc.achievement_rates(gp17, by="size_band", design=clustered),
    )
    add(
        "achievement_rates",
        "achievement_rates(gp17, too_early='separate', dont_know='separate')",
        lambda: gc.achievement_rates(gp17, too_early="separate", dont_know="separate"),
    )
    add("any_fully_achieved", "any_fully_achieved(gp17)", lambda: gc.any_fully_achieved(gp17))
    add(
        "any_fully_achieved",
        "any_fully_achieved(gp17, by='size_band')",
        lambda: gc.any_fully_achieved(gp17, by="size_band"),
    )
    add(
        "funding_among_achievers",
        "funding_among_achievers(gp17, by='size_band')",
        lambda: gc.funding_among_achievers(gp17, by="size_band"),
    )
    for by in ("size_band", "age_band", "level", "funding"):
        add(
            "achievement_differences",
            f"achievement_differences(gp17, by={by!r})",
            lambda by=by: gc.achievement_differences(gp17, by=by),
        )
    add("achievement_trend", "achievement_trend(gp17)", lambda: gc.achievement_trend(gp17))
    add(
        "achievement_trend",
        "achievement_trend(gp17, across='size_band')",
        lambda: gc.achievement_trend(gp17, across="size_band"),
    )
    add(
        "achievement_trend",
        "achievement_trend(gp17, across='level')",
        lambda: gc.achievement_trend(gp17, across="level"),
    )
    add("stp_views", "stp_views(gp17, ccg17)", lambda: gc.stp_views(gp17, ccg17))
    add(
        "stp_views",
        "stp_views(gp17, ccg17, 'stp_change')",
        lambda: gc.stp_views(gp17, ccg17, "stp_change"),
    )
    add(
        "contract_willingness",
        "contract_willingness(gp17)",
        lambda: gc.contract_willingness(gp17),
    )
    add(
        "contract_willingness",
        "contract_willingness(gp17, by='size_band', combine=True)",
        lambda: gc.contract_willingness(gp17, by="size_band", combine=True),
    )
    add("contract_reasons", "contract_reasons(gp17)", lambda: gc.contract_reasons(gp17))
    add(
        "contract_reasons",
        "contract_reasons(gp17, by='size_band')",
        lambda: gc.contract_reasons(gp17, by="size_band"),
    )
    add("ccg_support", "ccg_support(ccg17)", lambda: gc.ccg_support(ccg17))
    add("ccg_support", "ccg_support(ccg15)", lambda: gc.ccg_support(ccg15))
    add(
        "ccg_support",
        "ccg_support(ccg17, item='ccg_encouragement')",
        lambda: gc.ccg_support(ccg17, item="ccg_encouragement"),
    )
    add(
        "achievement_model",
        "achievement_model(gp17, 'access')",
        lambda: gc.achievement_model(gp17, "access"),
    )
    add(
        "achievement_model",
        "achievement_model(gp17, 'staff', scores=('age_band',))",
        lambda: gc.achievement_model(gp17, "staff", scores=("age_band",)),
    )
    add("reband", "reband(gp17, [100_000])", lambda: gc.reband(gp17, [100_000]))
    add(
        "standardise",
        "standardise(gp17, 'access', scenario, n_boot=0)",
        lambda: gc.standardise(gp17, "access", scenario, n_boot=0),
    )
    add(
        "standardise",
        "standardise(gp17, 'access', scenario, model=model, n_boot=0)",
        lambda: gc.standardise(gp17, "access", scenario, model=model, n_boot=0),
    )
    add(
        "standardise",
        "standardise(gp17, 'access', scenario)  # 2,000 replicates",
        lambda: gc.standardise(gp17, "access", scenario),
        BOOTSTRAP_BUDGET_MS,
    )
    add(
        "pcn_projection",
        "pcn_projection(gp17, 'access', n_boot=0)",
        lambda: gc.pcn_projection(gp17, "access", n_boot=0),
    )
    add(
        "pcn_projection",
        "pcn_projection(gp17, 'access')  # 2,000 replicates",
        lambda: gc.pcn_projection(gp17, "access"),
        BOOTSTRAP_BUDGET_MS,
    )
    add("suppress", "suppress(rates)", lambda: gc.suppress(rates))
    add("present_frame", "present_frame(rates)", lambda: gc.present_frame(rates))
    add("present", "present(rates).to_html()", lambda: gc.present(rates).to_html())
    return out


def best_ms(run: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """Best wall and best CPU time of ``repeats`` single calls, in milliseconds (the
    ``timeit`` convention: the best run is the one least disturbed by anything else)."""
    run()  # warm-up: imports, caches
    wall = min(timeit.repeat(run, number=1, repeat=repeats))
    cpu = min(timeit.repeat(run, number=1, repeat=repeats, timer=time.process_time))
    return 1000.0 * wall, 1000.0 * cpu


def main(argv: list[str]) -> int:
    repeats = int(argv[1]) if len(argv) > 1 else DEFAULT_REPEATS
    warnings.simplefilter("ignore", gc.BoundaryWarning)  # boundary rows are expected here
    warnings.simplefilter("ignore", gc.InferenceWarning)
    rows = [(case, *best_ms(case.run, repeats)) for case in cases()]
    width = max(len(case.call) for case, _, _ in rows)
    print(f"Analyses on the bundled synthetic sets, best of {repeats} (ms per call)")
    print(f"{'call':<{width}}  {'wall':>8}  {'cpu':>8}  {'budget':>6}")
    slow = 0
    for case, wall, cpu in rows:
        flag = "" if cpu <= case.budget_ms else "  SLOW"
        slow += bool(flag)
        print(f"{case.call:<{width}}  {wall:8.2f}  {cpu:8.2f}  {case.budget_ms:6.0f}{flag}")
    print(f"{len(rows)} calls, {slow} over budget")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
