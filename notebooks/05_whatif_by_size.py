# %% [markdown]
# # 05 — What if collaborations were bigger, or older? (and what it implies for PCNs)
#
# > **Synthetic data.** The what-if estimates below are fitted to the *synthetic* 2017 GP set
# > built by `gpcollab` from the published figures. The sources gave only the *directions* of
# > the size and age associations; how strong they are in this set is a choice of the
# > reconstruction (assumption A-17). So the numbers show how the method works and what the
# > published directions would imply at the strengths assumed — they are **not** estimates of
# > the real effects. The PCN sizes, in contrast, are real (NHS Digital, December 2019). Charts
# > carry a footer saying so.
#
# **The published basis.** Collaborations of 100,000+ patients working across a whole CCG or
# several were better at achieving the staff-experience aim; older collaborations more often
# achieved sustainability, care out of hospital, quality and staff experience; and larger and
# smaller collaborations set different aims (notebook 03).
#
# **The questions.** (1) How do the rates look when size is cut at other thresholds? (2) What
# would the rate of full achievement be if every collaboration were over 100,000 patients, or
# two years older — holding everything else about them as observed? (3) Primary care networks,
# set up in July 2019, mostly cover 30,000–50,000 patients and were all under a year old in
# December 2019: what do the fitted size and age effects imply for them?

# %%
import gpcollab as gc

gp2017 = gc.load_survey(2017, "gp")
display(gp2017)

N_BOOT = 300  # modest, so the notebook runs in seconds; use 2,000 or more for reporting


def show(table, *groups, **options):
    """Display a result table for readers, as the report shows it: disclosure control first
    (gc.suppress: an estimate resting on fewer than 5 respondents is hidden as [c]), then
    answer labels, "34% (29–40)" and the base n (gc.present)."""
    display(gc.present(gc.suppress(table), groups=list(groups), **options))


# %% [markdown]
# ## 1. Re-banding size
#
# The survey recorded size in five bands (under 30,000; 30,000–49,999; 50,000–99,999;
# 100,000–249,999; 250,000 or more). `reband` regroups them at any band edge; a threshold that
# falls inside a band (say 75,000) cannot be answered from banded data, and the error says which
# thresholds can.

# %%
try:
    gc.reband(gp2017, 75_000)
except gc.ArgumentError as error:
    print("As expected:", error)

# %%
for thresholds in (100_000, [50_000, 100_000], [30_000, 50_000, 250_000]):
    groups = gc.reband(gp2017, thresholds)
    rates = gc.suppress(gc.achievement_rates(gp2017, aims=["staff"], by=groups))
    print(f"\nstaff aim fully achieved, size cut at {thresholds}")
    show(rates[rates["outcome"] == "fully"], "size_group")

# %% [markdown]
# The chart for the three-group cut: one row per aim, a dot per group from smallest (top) to
# largest.

# %%
three = gc.reband(gp2017, [50_000, 100_000])
rates = gc.suppress(gc.achievement_rates(gp2017, aims=["staff", "access"], by=three))
ax = gc.plot.plot_rates(rates, x="aim", hue="size_group", outcome="fully", kind="dot")

# %% [markdown]
# ## 2. Standardising to another mix
#
# `standardise` fits a logistic model of full achievement (here on size — cut at 100,000 —
# age, level and funding), rewrites everyone's characteristics as each `Scenario` says, and
# averages the predicted probabilities (g-computation). The first row is the observed rate;
# `difference` is against it, with a bootstrap percentile interval from paired replicates.
#
# For the staff aim no collaboration under a year old achieved it fully, so a separate effect
# for each age band cannot be estimated. `scores=("age_band",)` enters age as one slope per
# band instead — an assumption of a steady trend across the three bands.

# %%
size_group = gc.reband(gp2017, 100_000)
SCENARIOS = [
    gc.Scenario("all over 100,000", set={"size_group": "100,000 or more"}),
    gc.Scenario("all under 100,000", set={"size_group": "under 100,000"}),
    gc.Scenario("all two years older", shift={"age_band": 2}),
    gc.Scenario("all whole-CCG level", set={"level": "single_ccg"}),
]
TERMS = (size_group, "age_band", "level", "funding")

staff_whatif = gc.standardise(
    gp2017, "staff", SCENARIOS, terms=TERMS, scores=("age_band",), n_boot=N_BOOT, seed=1
)
WHATIF = ["scenario", "n", "estimate", "ci_low", "ci_high", "difference"]
WHATIF += ["difference_ci_low", "difference_ci_high"]
show(staff_whatif[WHATIF], "scenario")

# %% [markdown]
# Reading the chart: each row is a scenario's difference from the observed rate, in
# percentage points, with the bootstrap interval of that difference (`show="difference"`); the
# dashed line at 0 is the observed rate. A scenario whose interval crosses 0 is not clearly
# different from what was observed. (Without `show=`, the chart draws each scenario's own
# rate; whether two such intervals overlap is not a test of their difference.)

# %%
ax = gc.plot.plot_scenarios(gc.suppress(staff_whatif), show="difference")

# %% [markdown]
# The same scenarios for the access aim, for which the sources published no size or age
# association: the standardised rates barely move, as they should.

# %%
access_whatif = gc.standardise(gp2017, "access", SCENARIOS, terms=TERMS, n_boot=N_BOOT, seed=1)
show(access_whatif[WHATIF], "scenario")

# %% [markdown]
# ## 3. Projecting onto the real primary care networks
#
# `pcn_projection` takes the fitted effects of the five size bands (with age and level) and
# applies them to the 1,250 real PCNs of December 2019, all placed in the youngest age band.
# One row per PCN size band (how many PCNs are in it, and the rate the model implies), and a
# final `all_pcns` row averaged over the real size mix.
#
# Caveats, in order of importance: the effects are those of a synthetic set; PCNs are not the
# voluntary collaborations of 2017 (they were set up by contract, with their own funding); and
# the PCN size mix sits at the small end of the 2017 collaborations, where the survey had
# fewest respondents, so the intervals are wide.

# %%
pcn = gc.load_population(2019, "pcn")
ax = gc.plot.plot_size_distribution(gc.suppress(gc.distribution(gp2017, "size_band")), pcn)

projection = gc.pcn_projection(
    gp2017,
    "staff",
    terms=("size_band", "age_band", "level"),
    scores=("age_band",),
    n_boot=N_BOOT,
    seed=1,
)
PROJECTION = ["size_band", "pcns", "share_of_pcns", "estimate", "ci_low", "ci_high"]
show(projection[PROJECTION], "size_band")

# %%
ax = gc.plot.plot_scenarios(gc.suppress(projection))

# %% [markdown]
# How much of the drop is size and how much age? `age_band=None` keeps the survey's observed
# age mix instead of making every network under a year old (`n_boot=0`: point estimates only).

# %%
same_ages = gc.pcn_projection(
    gp2017,
    "staff",
    age_band=None,
    terms=("size_band", "age_band", "level"),
    scores=("age_band",),
    n_boot=0,
)
observed = staff_whatif.loc[staff_whatif["scenario"] == "observed", "estimate"].iloc[0]
young = projection.loc[projection["size_band"] == "all_pcns", "estimate"].iloc[0]
sized = same_ages.loc[same_ages["size_band"] == "all_pcns", "estimate"].iloc[0]
print(f"observed 2017 collaborations:                 {observed:.1%}")
print(f"PCN sizes, the 2017 collaborations' ages:     {sized:.1%}")
print(f"PCN sizes, all under a year old (Dec 2019):   {young:.1%}")

# %% [markdown]
# Under the assumed effects, moving to PCN sizes lowers the rate a little; making every network
# under a year old lowers it much more — as the published rule implies, since no collaboration
# under a year old had fully achieved the staff aim. Read it as "too early to judge", not as a
# forecast for networks that have since matured.

# %% [markdown]
# ## Try it yourself
#
# `gc.whatif_widget` puts the what-if under sliders (it needs `ipywidgets`, part of
# `pip install "gpcollab[notebooks]"`): pick the aim, move the size threshold and the share of
# collaborations at or above it, and the breakdown by the re-cut size groups and the
# standardised rate with its bootstrap interval are recomputed — each change answers in well
# under a second. The controls need a live kernel; so that a rendered copy of this notebook
# still shows something to read, the tables of the starting setting are shown under it too.

# %%
widget = gc.whatif_widget(gp2017, aims=["staff", "access", "community"])
display(widget)
show(widget.result.breakdown, "size_group")
show(widget.result.standardised[WHATIF], "scenario")

# %% [markdown]
# ## Check against the register
#
# The what-ifs rest on the size margin (2017-08: 53% over 100,000) and the three published
# associations (S-09 size and level with staff, S-10 age, S-14 aims by size).

# %%
IDS = ["2017-08", "S-09", "S-10", "S-14"]
checked = gc.verify_findings(gp2017)
mine = checked[checked["finding_id"].isin(IDS)]
display(
    mine[["finding_id", "published", "reproduced", "p_value", "status", "statement"]].round(
        {"reproduced": 1}
    )
)
assert sorted(mine["finding_id"]) == sorted(IDS)
assert not (mine["status"] == "mismatch").any(), "a published figure is not reproduced"
