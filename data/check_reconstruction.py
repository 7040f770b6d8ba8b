"""Check the synthetic response sets over many seeds: routing, physical limits, realised effects.

For seeds 0-9 (or ``--seeds``) of all four reconstructed sets this script counts

* routing violations (:func:`gpcollab.routing.find_violations`),
* impossible combinations: a locality or whole-CCG collaboration larger than its CCG; a
  whole-CCG or multi-CCG collaboration under 50,000 patients (the smallest CCG has about
  74,000); an informal collaboration incorporated (company, CIC, LLP) or recorded as a merger,
  super-practice or multi-site organisation; a CCG code outside the wave year's frame (207 CCGs
  in 2017); a region other than the CCG's,
* implausible S-06 patterns (at least as many respondents fully achieving two aims as one),
* mismatches of :func:`gpcollab.verify_findings` (skip with ``--no-verify``: it is the slow
  part, about two seconds a seed),

and compares the realised odds ratios of the 2017 GP sets with the ones assumption A-17 states
(geometric mean over the seeds, within a factor of 1.25), plus associations the record does not
state, which should sit at chance level. The age effect of S-10 is stated per band step, so it
is measured at every step between adjacent age bands (``S-10/staff/1y_2y>over_2y``), not only
as one trend over the whole range (printed for information). A step from a band in which the
record allows nobody to achieve the aim (S-11, A-25) must be infinite in every seed. The odds
ratios are computed here from the tables, by code separate from the generator.

The unit tests run the same checks on fewer seeds, to keep CI fast; run this script for all
ten::

    python data/check_reconstruction.py [--seeds 10]

Exit status 1 when any check fails.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from gpcollab import SurveyData, load_population, reconstruct, verify_findings
from gpcollab.findings import assumption_value
from gpcollab.routing import find_violations
from gpcollab.vocab import CCG_SUCCESSORS, AgeBand, SizeBand

SETS = ((2015, "gp"), (2015, "ccg"), (2017, "gp"), (2017, "ccg"))
LARGE = ("100k_250k", "over_250k")
WIDE = ("single_ccg", "multi_ccg")
FACTOR = 1.25
INCORPORATED = ("limited_company", "cic", "llp")
SINGLE_ORGANISATION = ("merger", "super_practice", "multi_site")


def ccg_frame(year: int) -> pd.DataFrame:
    """CCG code -> region and registered patients in the wave year's geography."""
    frame = load_population(year, "ccg")
    frame = frame.loc[frame["formed_from"].isna()]  # the frame's own CCGs, merged below
    merged = CCG_SUCCESSORS.get(year, {})
    frame = frame.assign(ccg_code=frame["ccg_code"].map(lambda c: merged.get(c, c)))
    return frame.groupby("ccg_code").agg(
        region_code=("region_code", "first"), patients=("registered_patients", "sum")
    )


def impossible(survey: SurveyData) -> dict[str, int]:
    """Counts of each impossible combination in one set."""
    r = survey.respondents
    frame = ccg_frame(survey.meta.wave)
    out = {
        "ccg_outside_frame": int((~r["ccg_code"].isin(frame.index)).sum()),
        "region_not_ccg_region": int(
            (r["region"].astype(str) != r["ccg_code"].map(frame["region_code"])).sum()
        ),
    }
    if "level" not in r:
        return out
    low = r["size_band"].map(lambda b: SizeBand(b).edges[0] if isinstance(b, str) else np.nan)
    high = r["size_band"].map(lambda b: SizeBand(b).edges[1] if isinstance(b, str) else np.nan)
    patients = r["ccg_code"].map(frame["patients"])
    level = r["level"].astype(object)
    informal = r["membership"].astype(object) == "informal"
    out["larger_than_own_ccg"] = int(
        (level.isin(["locality", "single_ccg"]) & (low.astype(float) >= patients)).sum()
    )
    out["ccg_wide_under_50k"] = int((level.isin(WIDE) & (high.astype(float) <= 50_000)).sum())
    out["ccg_wide_under_smallest_ccg"] = int(
        (level.isin(WIDE) & (high.astype(float) <= frame["patients"].min())).sum()
    )
    out["informal_incorporated"] = int((informal & r["legal_form"].isin(INCORPORATED)).sum())
    out["informal_single_organisation"] = int(
        (informal & r["form"].isin(SINGLE_ORGANISATION)).sum()
    )
    return out


def s06_implausible(survey: SurveyData) -> int:
    """1 when at least as many respondents fully achieved two aims as one."""
    assert survey.aims is not None
    fully = survey.aims[survey.aims["outcome"] == "fully"].groupby("respondent_id").size()
    held = np.bincount(fully.to_numpy(), minlength=4)
    return int(not held[1] > held[2] >= held[3])


def odds_ratio(exposed: np.ndarray, outcome: np.ndarray) -> float:
    """2x2 odds ratio (0.5 added to every cell only when one is empty)."""
    a = float((exposed & outcome).sum())
    b = float((exposed & ~outcome).sum())
    c = float((~exposed & outcome).sum())
    d = float((~exposed & ~outcome).sum())
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    return (a * d) / (b * c)


def trend_odds_ratio(score: np.ndarray, outcome: np.ndarray) -> float:
    """Per-unit odds ratio of a logistic regression of ``outcome`` on ``score`` (Newton)."""
    x = np.column_stack([np.ones(len(score)), score.astype(float)])
    y = outcome.astype(float)
    if y.sum() == 0 or y.sum() == len(y) or np.all(y[score < score.max()] == 0):
        return math.inf if y.sum() else math.nan
    beta = np.zeros(2)
    for _ in range(100):
        p = 1 / (1 + np.exp(-x @ beta))
        step = np.linalg.solve(x.T @ (x * (p * (1 - p))[:, None]), x.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(np.exp(beta[1]))


def adjacent_odds_ratios(band: np.ndarray, outcome: np.ndarray) -> list[float]:
    """Odds ratio of ``outcome`` between each band and the next (band codes 0, 1, 2 ...).

    Infinite when the younger band has no success and the older one has some; NaN when
    neither has any; 0.5 added to every cell only when a failure cell is empty.
    """
    out: list[float] = []
    for lower in range(len(AgeBand.values()) - 1):
        young, old = outcome[band == lower], outcome[band == lower + 1]
        a, b = float(old.sum()), float((~old).sum())
        c, d = float(young.sum()), float((~young).sum())
        if c == 0:
            out.append(math.inf if a > 0 else math.nan)
            continue
        if min(a, b, d) == 0:
            a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        out.append((a * d) / (b * c))
    return out


def step_names(aim: str) -> list[str]:
    """Names of the adjacent-band steps of S-10 for one aim (``S-10/staff/1y_2y>over_2y``)."""
    bands = AgeBand.values()
    return [f"S-10/{aim}/{young}>{old}" for young, old in itertools.pairwise(bands)]


def realised(survey: SurveyData) -> dict[str, float]:
    """Realised odds ratios of a 2017 GP set, by name (``S-14/access``, ...)."""
    r = survey.respondents.set_index("respondent_id")
    wide = survey.aims_wide()
    collab = survey.collaborating().to_numpy()
    large = r["size_band"].isin(LARGE).to_numpy()
    group = large & r["level"].isin(WIDE).to_numpy()
    age = r["age_band"].cat.codes.to_numpy()
    out: dict[str, float] = {}
    for aim in wide.columns:
        chose = wide[aim].notna().to_numpy()
        fully = (wide[aim] == "fully").to_numpy()
        out[f"S-14/{aim}"] = odds_ratio(large[collab], chose[collab])
        out[f"trend/S-10/{aim}"] = trend_odds_ratio(age[chose], fully[chose])
        steps = adjacent_odds_ratios(age[chose], fully[chose])
        out.update(zip(step_names(aim), steps, strict=True))
        out[f"unstated/aim_by_age/{aim}"] = trend_odds_ratio(age[collab], chose[collab])
        if aim != "staff":
            out[f"unstated/fully_by_group/{aim}"] = odds_ratio(group[chose], fully[chose])
    staff = wide["staff"].notna().to_numpy()
    out["S-09"] = odds_ratio(group[staff], (wide["staff"] == "fully").to_numpy()[staff])
    return out


def stated() -> dict[str, float]:
    """The odds ratios assumption A-17 states, under the names :func:`realised` uses."""
    value: Mapping[str, object] = assumption_value("A-17")
    out: dict[str, float] = {"S-09": float(value["S-09"])}  # type: ignore[arg-type]
    for aim, number in value["S-14"].items():  # type: ignore[attr-defined]
        out[f"S-14/{aim}"] = float(number)
    # S-10: the odds ratio holds at every step between adjacent age bands from the youngest
    # band in which the aim is achieved; the step into that band is infinite (S-11)
    youngest: Mapping[str, str] = assumption_value("A-25")["youngest_band_fully"]  # type: ignore[index]
    bands = AgeBand.values()
    for aim, number in value["S-10_per_band"].items():  # type: ignore[attr-defined]
        first = bands.index(youngest.get(aim, bands[0]))
        for lower, name in enumerate(step_names(aim)):
            if lower + 1 == first:
                out[name] = math.inf
            elif lower >= first:
                out[name] = float(number)
    return out


def agrees(want: float, values: list[float]) -> tuple[bool, float]:
    """Whether the realised ``values`` (one a seed) give the stated odds ratio ``want``, and
    the summary compared: the geometric mean, within a factor of 1.25; for an infinite one
    (fixed by the record) the smallest value, which must be infinite too."""
    if math.isinf(want):
        got = min(values)
        return math.isinf(got), got
    got = geometric_mean(values)
    return 1 / FACTOR <= got / want <= FACTOR, got


def geometric_mean(values: Iterable[float]) -> float:
    logs = [math.log(v) for v in values]
    return math.exp(sum(logs) / len(logs))


def run(seeds: int, verify: bool = True) -> int:
    failures = 0
    started = time.perf_counter()
    per_seed: list[dict[str, float]] = []
    for seed in range(seeds):
        for wave, instrument in SETS:
            survey = reconstruct(wave, instrument, seed=seed)
            items = survey.meta.items
            assert survey.aims is not None
            violations = find_violations(survey.respondents, survey.aims, survey.multi, items)
            bad = {k: v for k, v in impossible(survey).items() if v}
            if violations or bad:
                failures += 1
                print(f"seed {seed} {instrument}{wave}: {len(violations)} routing, {bad}")
            if verify:
                status = verify_findings(survey)["status"].astype(str)
                mismatches = int((status == "mismatch").sum())
                if mismatches:
                    failures += 1
                    print(f"seed {seed} {instrument}{wave}: {mismatches} register mismatch(es)")
            if (wave, instrument) == (2017, "gp"):
                failures += s06_implausible(survey)
                per_seed.append(realised(survey))
    checked = "built, verified and checked" if verify else "built and checked"
    print(f"{seeds} seeds x 4 sets {checked} in {time.perf_counter() - started:.1f} s")
    targets = stated()
    print(f"{'odds ratio':40} {'stated':>7} {'realised':>9}  (geometric mean over seeds)")
    for name in sorted({*targets, *per_seed[0]}):
        values = [s[name] for s in per_seed]
        want = targets.get(name, 1.0 if name.startswith("unstated") else None)
        if want is None:
            if name.startswith("trend/"):  # the whole range, for information: not stated
                print(f"{name:40} {'':>7} {geometric_mean(values):9.2f}  (whole range)")
            continue
        ok, got = agrees(want, values)
        failures += not ok
        print(f"{name:40} {want:7.2f} {got:9.2f}  {'ok' if ok else 'OUT OF RANGE'}")
    print("all checks pass" if not failures else f"{failures} check(s) failed")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--no-verify", action="store_true", help="skip verify_findings")
    args = parser.parse_args(argv)
    return run(args.seeds, verify=not args.no_verify)


if __name__ == "__main__":
    sys.exit(main())
