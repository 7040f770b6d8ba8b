# %% [markdown]
# # 06 — Weighting to the practice population, and sensitivity to the base assumptions
#
# > **Synthetic data.** The response sets are *synthetic reconstructions* built by `gpcollab`
# > from the published figures; the respondents are invented. The population margins are real
# > (NHS Digital practice data for 2016-17, Open Government Licence v3.0). Charts carry a footer
# > saying so.
#
# The surveys were open online surveys answered by volunteers; the publications report plain
# shares of respondents, with no weighting and no confidence intervals. This notebook asks two
# questions a careful reader would ask of any such figure:
#
# 1. **Weighting.** If the respondents were re-weighted so that their regional mix matched the
#    real population of English practices, would the figures move? We rake the 2017 GP set to
#    the real regional margins, look at what the weights cost in precision (Kish efficiency),
#    and compare weighted with unweighted estimates, with standard errors that take the raking
#    into account (as R's `survey` package does for raked designs).
# 2. **Base assumptions.** Many published shares did not say what they were shares *of*. The
#    register fixes each base with a named assumption; switching an assumption to its
#    alternative shows how far the reproduced figure moves — and whether the published number
#    would still be reproduced.

# %%
import gpcollab as gc

gp2015 = gc.load_survey(2015, "gp")
gp2017 = gc.load_survey(2017, "gp")
ccg2017 = gc.load_survey(2017, "ccg")
display(gp2017)


def show(table, *groups, **options):
    """Display a result table for readers, as the report shows it: disclosure control first
    (gc.suppress: an estimate resting on fewer than 5 respondents is hidden as [c]), then
    answer labels, "34% (29–40)" and the base n (gc.present)."""
    display(gc.present(gc.suppress(table), groups=list(groups), **options))


# %% [markdown]
# ## 1. Raking to the real regional mix
#
# The population table has practices and registered patients by NHS England region and
# list-size band (2016-17). The survey records the respondent's region, so the region margin is
# the one we can rake to. Two targets are natural: the number of *practices* in each region
# (each weighted respondent then stands for a number of practices), or the number of
# registered *patients* (a patient-weighted reading).

# %%
population = gc.load_population(2017, "region_band")
regions = population.groupby(["region_code", "region_name"], observed=True)[
    ["practices", "registered_patients"]
].sum()
patients = regions["registered_patients"]
sample = gp2017.respondents["region"].value_counts(normalize=True)
regions["practices (%)"] = (100 * regions["practices"] / regions["practices"].sum()).round(1)
regions["registered patients (%)"] = (100 * patients / patients.sum()).round(1)
regions["respondents (%)"] = [round(100 * sample[code], 1) for code, _ in regions.index]
display(regions)

# %% [markdown]
# The reconstruction placed respondents in regions in proportion to the practices of the 2017
# frame (assumption A-16), but at random CCG by CCG, so the sample shares differ from the
# targets by a few points. `rake` iterates proportional fitting until every margin is met (with
# one margin it is post-stratification, reached in one sweep). The returned weights carry the
# Kish efficiency — the effective sample size as a share of n. 1.0 means the weights cost
# nothing; values much below, say, 0.7 signal weights that blow up the variance.

# %%
practice_targets = {code: int(v) for (code, _), v in regions["practices"].items()}
patient_targets = {code: int(v) for (code, _), v in regions["registered_patients"].items()}

w_practices = gc.rake(gp2017.respondents, {"region": practice_targets})
w_patients = gc.rake(gp2017.respondents, {"region": patient_targets})
for label, w in (("practices", w_practices), ("patients", w_patients)):
    print(
        f"to {label:9s}: sum {w.sum():>14,.0f}, weight range {w.min():,.1f} to {w.max():,.1f}, "
        f"Kish efficiency {gc.kish_efficiency(w):.2f} (iterations {w.attrs['iterations']})"
    )

# %% [markdown]
# Analyses read the weights from the `weight` column of `respondents` (the one numeric column a
# `SurveyData` may carry for this), so we build one new `SurveyData` per weighting, keeping the
# set's aims, multi-select tables and metadata (still marked synthetic).
#
# The design names the weights and the margins they were raked to (`calibration`). With that,
# the variance is computed on the residuals of the calibration, as R's `survey` does for a
# raked design: a share that the region explains is estimated *more* precisely than the naive
# weighted formula says.


# %%
def with_weights(survey, weights):
    """The same response set with a ``weight`` column added to its respondents."""
    return gc.SurveyData(
        survey.respondents.assign(weight=weights),
        aims=survey.aims,
        multi=survey.multi,
        meta=survey.meta,
    )


to_practices = with_weights(gp2017, w_practices)
to_patients = with_weights(gp2017, w_patients)
raked = gc.SurveyDesign(weights="weight", calibration=("region",))
naive = gc.SurveyDesign(weights="weight")  # the same weights, raking ignored

# %% [markdown]
# ### Weighted and unweighted prevalence
#
# Reading the table: "unweighted" is the published kind of figure; the columns "weighted to
# practices" and "weighted to patients" are what the same answers say about the population of
# practices (or of patients) *if* the respondents in each region were like the non-respondents
# there — an assumption weighting cannot check. Their standard errors are the raking-aware
# ones; the last, "raking ignored", is the naive weighted formula on the weights to practices.

# %%
KEY = "membership"
unweighted = gc.prevalence(gp2017)[[KEY, "n", "estimate", "se"]]
practice = gc.prevalence(to_practices, design=raked)[[KEY, "estimate", "se", "n_eff"]]
patient = gc.prevalence(to_patients, design=raked)[[KEY, "estimate", "se"]]
ignoring = gc.prevalence(to_practices, design=naive)[[KEY, "se"]]
# each column named for its weighting, so that the table's headings say which is which
comparison = (
    unweighted.rename(columns={"estimate": "estimate_unweighted", "se": "se_unweighted"})
    .merge(practice.rename(columns=lambda c: c if c == KEY else f"{c}_weighted_to_practices"))
    .merge(patient.rename(columns=lambda c: c if c == KEY else f"{c}_weighted_to_patients"))
    .merge(ignoring.rename(columns={"se": "se_raking_ignored"}), on=KEY)
)
show(comparison, KEY, decimals=1)

# %% [markdown]
# The same for the aims of 2017. Weighting to the regional mix moves every share by well under
# a point: in this set, region is barely related to the answers, so there is little for the
# weights to correct. With real responses the comparison is worth making — the pipeline is the
# same.

# %%
AIM = "aim"
aims_unweighted = gc.aims_chosen(gp2017)[[AIM, "n", "estimate", "ci_low", "ci_high"]]
aims_weighted = gc.aims_chosen(to_practices, design=raked)[[AIM, "estimate", "ci_low", "ci_high"]]
aims = aims_unweighted.merge(aims_weighted, on=AIM, suffixes=("_unweighted", "_weighted"))
aims["difference"] = aims["estimate_weighted"] - aims["estimate_unweighted"]  # in points
show(aims, AIM, decimals=1)

# %%
weighted_aims = gc.suppress(gc.aims_chosen(to_practices, design=raked))
ax = gc.plot.plot_rates(weighted_aims, x="aim", kind="panels")

# %% [markdown]
# ## 2. Sensitivity to the base assumptions
#
# `load_assumptions()` lists the register's named assumptions; the *switchable* ones are
# readings of an unstated base (or of a vague word such as "probable"). For each, we re-run
# `verify_findings` with the alternative option and compare the reproduced figure with the
# default's.
#
# Reading the table: `default` and `alternative` are the figures the same responses give under
# the two readings; `moved` is the shift in points (for a rule such as S-11, the number of
# respondents who would contradict it; for an association, the change in its effect). The
# status says whether the published figure is still reproduced.
#
# **A caution specific to synthetic data.** The reconstruction was *built* under the default
# readings, so the defaults match by construction and a `mismatch` under an alternative is, here,
# mostly a measure of how far the figure moves. With real responses the same table is evidence:
# a published figure that only one reading can reproduce tells you which base the authors used.
# One case is evidence even here, because it is arithmetic: A-07 (below).

# %%
assumptions = gc.load_assumptions()
switchable = assumptions[assumptions["switchable"]]
display(switchable[["assumption_id", "title", "default", "options"]])

# %%
register = gc.load_findings().astype({"value": float}).set_index("finding_id")
SETS = {(2015, "gp"): gp2015, (2017, "gp"): gp2017, (2017, "ccg"): ccg2017}


def verified(survey, **options):
    """verify_findings indexed by finding id, with `reproduced` as plain floats (NaN if none)."""
    return (
        gc.verify_findings(survey, **options).astype({"reproduced": float}).set_index("finding_id")
    )


defaults = {key: verified(survey) for key, survey in SETS.items()}

lines = []
for row in switchable.itertuples():
    affected = str(row.affects).split(";")
    for option in str(row.options).split(";"):
        if option == row.default:
            continue
        for key, survey in SETS.items():
            ids = [
                f
                for f in affected
                if (register.at[f, "wave"], register.at[f, "instrument"]) == key
                and defaults[key].at[f, "status"] != "not_applicable"
            ]
            if not ids:
                continue
            switched = verified(survey, assumptions={row.assumption_id: option})
            for f in ids:
                before = defaults[key].at[f, "reproduced"]
                after = switched.at[f, "reproduced"]
                moved = after - before
                lines.append(
                    f"{row.assumption_id}={option:17s} {f:8s} "
                    f"{defaults[key].at[f, 'status']:>9s} -> {switched.at[f, 'status']:<9s} "
                    f"default {before:7.2f}  alternative {after:7.2f}  moved {moved:+7.2f}"
                )
print("\n".join(lines))

# %% [markdown]
# Two cases worth reading closely:
#
# * **A-07** — 46% of CCGs expected fewer than a quarter of their practices to be willing. Over
#   all 51 respondents no whole number gives 46% (23/51 = 45.1%); leaving out "don't know" gives
#   23/50 = 46.0%. No set of responses could reproduce the published figure under the
#   alternative reading, so the base must have excluded "don't know".
# * **A-04** — 52% aimed to improve access. Over collaborating respondents that is 238 of 458;
#   over all 565 respondents the same 238 would be 42%. The register's choice follows from who
#   was asked the question (only respondents in a collaboration).
#
# A-04 for the two aims it affects, side by side:

# %%
alt = verified(gp2017, assumptions={"A-04": "all_respondents"})
for f in ("S-03", "S-01"):
    published = register.at[f, "value"]
    print(
        f"{f}: published {published if published == published else 'verbal'}; "
        f"collaborating base {defaults[(2017, 'gp')].at[f, 'reproduced']:.1f}%, "
        f"all-respondents base {alt.at[f, 'reproduced']:.1f}% ({alt.at[f, 'status']})"
    )

# %% [markdown]
# ## Check against the register
#
# Under the default assumptions every finding that depends on a switchable assumption must be
# reproduced, and so must the 2017 GP findings when checked under the raked design (the
# association tests then use the weights; percentages stay unweighted, as published).

# %%
affected = {f for text in switchable["affects"] for f in str(text).split(";")}
failures = []
for key, checked in defaults.items():
    mine = checked.loc[checked.index.isin(sorted(affected))]
    print(f"\n{SETS[key].meta.label}: {mine['status'].value_counts().to_dict()}")
    display(mine[["published", "reproduced", "status", "assumptions"]].round({"reproduced": 1}))
    failures += list(mine.index[mine["status"] == "mismatch"])

under_design = gc.verify_findings(to_practices, design=raked)
print(f"\n2017 GP under the raked design: {under_design['status'].value_counts().to_dict()}")
failures += list(under_design.loc[under_design["status"] == "mismatch", "finding_id"])
assert not failures, f"not reproduced: {failures}"
