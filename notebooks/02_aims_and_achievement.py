# %% [markdown]
# # 02 — Aims and their achievement (2017)
#
# > **Synthetic data.** The 2017 responses were never published. The set used here is a
# > *synthetic reconstruction* built by `gpcollab` so that the published figures come out as
# > printed; the respondents and every cross-tabulation the sources did not print are invented.
# > Charts drawn from it carry a footer saying so.
#
# **What was published.** The 2017 GP survey asked respondents in a collaboration what its main
# priorities had been over the past year, and how far each had been achieved. Only a few
# figures reached print (mostly through the lead author's blog):
#
# * 52% said their collaboration aimed to improve patients' access; of those, 34% said the aim
#   was fully achieved and 47% partially;
# * a little under half aimed at the sustainability of practices; only 11% of those reported it
#   fully achieved;
# * about a third said at least one of their top priorities had been fully achieved;
# * about a fifth of those who (fully or partly) achieved the access aim had money from the GP
#   Access Fund / Prime Minister's Challenge Fund;
# * access was the aim most often fully achieved, relative to the others;
# * no collaboration under a year old fully achieved sustainability, moving care out of
#   hospital, quality or staff experience — and sustainability only from two years on.
#
# The bases of these shares were not stated; the register's named assumptions (A-04, A-05,
# A-20) fix them, and notebook 06 shows how the figures move under the other readings.

# %%
import warnings

import gpcollab as gc

gp2017 = gc.load_survey(2017, "gp")
display(gp2017)


def show(table, *groups, **options):
    """Display a result table for readers, as the report shows it: disclosure control first
    (gc.suppress: an estimate resting on fewer than 5 respondents is hidden as [c]), then
    answer labels, "34% (29–40)" and the base n (gc.present)."""
    display(gc.present(gc.suppress(table), groups=list(groups), **options))


# %% [markdown]
# ## Which aims collaborations set
#
# One row per aim: the share of collaborating respondents whose collaboration set it (each set
# up to three). Access (52%) and sustainability (just under half) are published; the other
# aims' shares are the reconstruction's own, chosen so that the published *differences by size*
# hold (notebook 03).

# %%
aims = gc.aims_chosen(gp2017)
show(aims, "aim")

# %% [markdown]
# ## How far each aim was achieved
#
# `achievement_rates` gives, for each aim, the share of each outcome among respondents whose
# collaboration set it. "Too early to say" matters: many collaborations were young. With
# `too_early="separate"` it is kept as its own outcome (the stacked chart below); with the
# default `"exclude"` it is dropped from the base, and with `"not_achieved"` counted as a
# failure. "Don't know" is left out of the base by default (`dont_know="exclude"`) or kept as
# its own outcome (`dont_know="separate"`).
#
# Reading the chart: one bar per aim, 100% wide; blues are achieved (dark = fully), orange not
# achieved, greys too early to say. `n=` is the number of respondents whose collaboration set
# the aim and gave a substantive or "too early" answer.

# %%
stacked = gc.suppress(gc.achievement_rates(gp2017, too_early="separate"))
ax = gc.plot.plot_achievement(stacked)
fully = stacked[stacked["outcome"] == "fully"].sort_values("estimate", ascending=False)
print("Fully achieved, highest first (too early to say kept in the base):")
show(fully, "aim")

# %% [markdown]
# The published shares for access (34% fully, 47% partially) and sustainability (11% fully)
# are over *everyone* whose collaboration set the aim, "too early" and "don't know" included
# (assumption A-20). Keeping both as separate outcomes gives exactly that base:

# %%
published_base = gc.achievement_rates(
    gp2017, aims=["access", "sustainability"], too_early="separate", dont_know="separate"
)
show(published_base, "aim", "outcome")

# %% [markdown]
# The other policies answer other questions. Leaving "too early" out asks "of those who could
# judge, how many achieved it?"; counting it as not achieved asks "how many had achieved it by
# the time of the survey?" — which lowers every rate:

# %%
POLICIES = {"exclude": "left out of the base", "not_achieved": "counted as not achieved"}
for policy, words in POLICIES.items():
    table = gc.achievement_rates(gp2017, aims=["access", "sustainability"], too_early=policy)
    print(f"\n'Too early to say' {words}")
    show(table, "aim", "outcome")

# %% [markdown]
# ## At least one priority fully achieved; who had the Access Fund
#
# Two further published figures: about a third of collaborating respondents had at least one
# priority fully achieved (A-05: the base is everyone in a collaboration), and about a fifth of
# those achieving the access aim (fully or partly) had GP Access Fund / Challenge Fund money.

# %%
show(gc.any_fully_achieved(gp2017))
show(gc.funding_among_achievers(gp2017, aim="access", source="access_fund"), "aim", "source")

# %% [markdown]
# ## Older collaborations achieve more
#
# The sources say progress took time: none of four aims was fully achieved by a collaboration
# under a year old, and sustainability only by those over two years. `achievement_trend` fits
# the odds of full achievement across the ordered age bands (a design-based trend test); the
# odds ratio is per step up in age band. Where no young collaboration achieved an aim at all,
# the fit separates and the function says so in `note` instead of reporting an infinite ratio.

# %%
trend = gc.achievement_trend(gp2017)
show(trend[["aim", "n", "odds_ratio_per_step", "or_ci_low", "or_ci_high", "p_value"]], "aim")
for row in trend[trend["note"].astype(str) != ""].itertuples():
    print(f"{gc.Aim(row.aim).label}: no odds ratio, {row.note}")

# %% [markdown]
# The same pattern as rates by age band, for the four aims of the published rule: one row per
# aim, a dot per age band (under one year, one to two years, over two years), each with its
# value and base at the right.
#
# Some of these rates are exactly 0%: no collaboration in the band fully achieved the aim.
# That is the published rule, not a gap in the data. `achievement_rates` flags such rows with `boundary = True` and a
# `BoundaryWarning`, because a logit interval cannot be computed at 0%: their intervals are
# exact (Clopper–Pearson-type) ones instead. We take the warning as read, and list the rows it
# is about under the chart.

# %%
four = ["sustainability", "community", "quality", "staff"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", gc.BoundaryWarning)  # understood: listed below
    by_age = gc.achievement_rates(gp2017, by="age_band", aims=four)
by_age = gc.suppress(by_age)
fully_by_age = by_age[by_age["outcome"] == "fully"]
ax = gc.plot.plot_rates(by_age, x="aim", hue="age_band", outcome="fully", kind="dot")
show(fully_by_age, "age_band", "aim")
print("Exactly 0% or 100%, with exact intervals:")
show(fully_by_age[fully_by_age["boundary"]], "age_band", "aim")

# %% [markdown]
# ## Check against the register
#
# The findings discussed here: the aims (S-01, S-03), the achievement shares and ranking (S-02,
# S-04 to S-06, S-08), funding among achievers (S-07) and the two rules on the time it takes
# (S-11, S-12). The associations with age and size are checked in notebook 03.

# %%
IDS = ["S-01", "S-02", "S-03", "S-04", "S-05", "S-06", "S-07", "S-08", "S-11", "S-12"]
checked = gc.verify_findings(gp2017)
mine = checked[checked["finding_id"].isin(IDS)]
display(
    mine[["finding_id", "published", "reproduced", "base_n", "status", "statement"]].round(
        {"reproduced": 1}
    )
)
assert sorted(mine["finding_id"]) == sorted(IDS)
assert not (mine["status"] == "mismatch").any(), "a published figure is not reproduced"
