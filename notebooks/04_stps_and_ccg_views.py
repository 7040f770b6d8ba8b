# %% [markdown]
# # 04 — STPs, contracts and the views of CCGs (2017)
#
# > **Synthetic data.** Neither the GP nor the CCG responses of 2017 were published. Both sets
# > used here are *synthetic reconstructions* built by `gpcollab` so that the published figures
# > are reproduced. The answer options the sources never showed (for example "slightly
# > influential") and their shares are the reconstruction's own (assumption A-13). Charts carry a
# > footer saying so.
#
# **What was published.**
#
# * *STP influence.* Over half of GP practice staff, but only about a third of CCG respondents,
#   said practices and their collaborations had not been influential at all in shaping the local
#   sustainability and transformation partnership (STP).
# * *STP change.* About a fifth of GP respondents, against 61% of CCG respondents, thought the
#   STP would probably bring meaningful change to general practice.
# * *Contracts.* Of 241 GP partners, 53% were unwilling (32% very) to give up their national
#   contract to join a new care model, 27% willing (9% very), 14% undecided and 7% did not
#   know. The unwilling feared losing control (81%), flexibility (63%) and continuity of care
#   (63%), or did not want to be salaried (48%). 46% of CCG respondents expected fewer than a
#   quarter of their practices to be willing.
# * *CCG support.* 98% of CCG respondents said their CCG had actively encouraged collaboration.
# * *Barriers.* Lack of time and work pressures came first, then staff shortages.

# %%
import gpcollab as gc

gp2017 = gc.load_survey(2017, "gp")
ccg2017 = gc.load_survey(2017, "ccg")
display(gp2017)
display(ccg2017)


def show(table, *groups, **options):
    """Display a result table for readers, as the report shows it: disclosure control first
    (gc.suppress: an estimate resting on fewer than 5 respondents is hidden as [c]), then
    answer labels, "34% (29–40)" and the base n (gc.present)."""
    display(gc.present(gc.suppress(table), groups=list(groups), **options))


# %% [markdown]
# ## How influential were practices in shaping the STP?
#
# `stp_views` stacks the GP and the CCG answers. Reading the diverging chart: each row is one
# survey; the negative answers extend left of the centre line, the positive ones right; "don't
# know" is drawn apart on the right. Percentages are of all respondents of that survey.

# %%
influence = gc.suppress(gc.stp_views(gp2017, ccg2017, item="stp_influence"))
show(influence, "instrument", "option")
ax = gc.plot.plot_likert(influence, hue="instrument")

# %% [markdown]
# The gap between the two surveys in "not at all influential", with a test for two independent
# samples (the engine's `compare_proportions`). The CCG sample is small (51), hence the wide
# interval.

# %%
gap = gc.compare_proportions(
    gp2017.respondents,
    ccg2017.respondents,
    "stp_influence",
    success="not_at_all",
    labels=("GP staff", "CCG staff"),
)
# the engine works on plain tables, so it cannot know they are synthetic: say so
show(gap, synthetic=gp2017.synthetic or ccg2017.synthetic)

# %% [markdown]
# ## Will the STP bring real change to general practice?
#
# "Probably" is read as "probable" or "very probable" (assumption A-08; notebook 06 shows the
# alternative reading).

# %%
change = gc.suppress(gc.stp_views(gp2017, ccg2017, item="stp_change"))
show(change, "instrument", "option")
ax = gc.plot.plot_likert(change, hue="instrument")

# %% [markdown]
# ## Would GP partners give up their contract?
#
# Asked of GP partners only (241). The willingness scale was published in full, so this
# distribution *is* the published one; only the respondents are invented.

# %%
willing = gc.suppress(gc.contract_willingness(gp2017))
show(willing, "option")
ax = gc.plot.plot_likert(willing, hue=None)

# %% [markdown]
# Reasons, asked of the partners who were unwilling or very unwilling (more than one could be
# ticked, so the shares do not add up to 100%).

# %%
show(gc.contract_reasons(gp2017), "option")

# %% [markdown]
# And the CCGs' estimate of how many of their practices would be willing. The published 46%
# for "less than a quarter" leaves out the "don't know" answers (assumption A-07: 23 of 50);
# the table below is over all 51 respondents, so it shows 45%.

# %%
show(gc.distribution(ccg2017, "practices_willing", among="all"), "option")

# %% [markdown]
# ## What CCGs did to encourage collaboration

# %%
show(gc.ccg_support(ccg2017, item="ccg_encouragement"), "option")
print()
show(gc.ccg_support(ccg2017), "option")

# %% [markdown]
# ## Barriers
#
# Share of collaborating GP respondents, and of CCG respondents, naming each barrier (more than
# one could be named). Only the order of the first two was published; the shares are the
# reconstruction's.

# %%
for survey, among in ((gp2017, "collaborating"), (ccg2017, "all")):
    print(f"\n{survey.meta.label}")
    barriers = gc.distribution(survey, "barriers", among=among)
    show(barriers.sort_values("estimate", ascending=False), "option")

# %% [markdown]
# ## Check against the register
#
# The findings discussed here, in both 2017 sets: topics `stp`, `contracts`, `reasons`,
# `support` and `barriers`.

# %%
register = gc.load_findings()
TOPICS = ["stp", "contracts", "reasons", "support", "barriers"]
for survey in (gp2017, ccg2017):
    checked = gc.verify_findings(survey)
    ids = register.loc[
        register["topic"].isin(TOPICS)
        & (register["wave"] == 2017)
        & (register["instrument"] == survey.meta.instrument.value),
        "finding_id",
    ]
    mine = checked[checked["finding_id"].isin(ids)]
    print(f"\n{survey.meta.label}: {mine['status'].value_counts().to_dict()}")
    display(
        mine[["finding_id", "published", "reproduced", "base_n", "status", "statement"]].round(
            {"reproduced": 1}
        )
    )
    assert len(mine) == len(ids) > 0
    assert not (mine["status"] == "mismatch").any(), f"{survey.meta.label}: mismatch"
