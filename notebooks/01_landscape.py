# %% [markdown]
# # 01 — The landscape of collaboration in 2015 and 2017
#
# > **Synthetic data.** The survey responses were never published. The response sets used here
# > are *synthetic reconstructions* made by `gpcollab` so that the published figures are
# > reproduced; the individual respondents are invented. Read every table below as "what the
# > published figures imply", not as new evidence. Charts carry a footer saying so.
#
# **What was published.** In the 2015 GP survey (982 responses from practices in 184 CCG areas)
# 73% of respondents said their practice collaborated with others — 37% in a formal
# collaboration, 26% in an informal one. The two parts add up to 63%, not 73%; the register's
# assumption A-01 reads the missing ten points as respondents in *both* kinds. In 2017 (565
# practice staff) the share was 81%: 51% formal and 30% informal. About two thirds of the 2015
# arrangements were federations, 2% super-practices; 42% were limited companies and 8%
# community interest companies; about two thirds served more than 50,000 patients and 84% stayed
# within one CCG. In 2017, 45% of collaborating respondents described a federation, 46% a
# collaboration over two years old, and 53% one serving more than 100,000 patients.
#
# This notebook recomputes those figures from the two GP sets, compares the waves, and puts the
# 2017 collaboration sizes next to the real primary care networks of 2019.

# %%
import gpcollab as gc

gp2015 = gc.load_survey(2015, "gp")
gp2017 = gc.load_survey(2017, "gp")
ccg2015 = gc.load_survey(2015, "ccg")
ccg2017 = gc.load_survey(2017, "ccg")
for survey in (gp2015, gp2017, ccg2015, ccg2017):
    display(survey)


def show(table, *groups, **options):
    """Display a result table for readers, as the report shows it: disclosure control first
    (gc.suppress: an estimate resting on fewer than 5 respondents is hidden as [c]), then
    answer labels, "34% (29–40)" and the base n (gc.present)."""
    display(gc.present(gc.suppress(table), groups=list(groups), **options))


# %% [markdown]
# ## Who answered
#
# The 2015 GP respondents came from practices in 184 CCG areas; the CCG surveys had 94 (2015)
# and 51 (2017) respondents. In the synthetic sets, respondents are placed in real CCGs in
# proportion to the real practice population (assumption A-16), so the CCG codes are real codes
# even though the respondents are not.

# %%
for survey in (gp2015, gp2017, ccg2015, ccg2017):
    areas = survey.respondents["ccg_code"].nunique()
    print(f"{survey.meta.label:40s} n = {survey.n:4d}   CCG areas = {areas}")

# %% [markdown]
# ## How many collaborate
#
# `prevalence` gives one row per membership answer and the published headline row,
# `in_collaboration` (formal, informal or both). In the 2015 set the "both" row carries the ten
# points the published components leave unexplained.

# %%
for survey in (gp2015, gp2017):
    print(f"\n{survey.meta.label}")
    show(gc.prevalence(survey), "membership")

# %% [markdown]
# ## The change between the waves
#
# `compare_waves` estimates the difference (2017 minus 2015) with its interval and a test. The
# two waves are independent samples of volunteers, not panels of the same practices, and the
# 2015 "both" answer has no 2017 counterpart, so the formal and informal rows are not strictly
# comparable; the headline row is. Read the chart as: the two waves' shares as dots with their
# intervals, both written at the right, 2015 first.

# %%
changes = {}
for option in ("in_collaboration", "formal", "informal"):
    changes[option] = gc.compare_waves(gp2015, gp2017, "membership", option)
    show(changes[option], "option", decimals=1)

ax = gc.plot.plot_wave_comparison(
    gc.suppress(changes["in_collaboration"]), show="waves", kind="dot"
)

# %% [markdown]
# ## What the collaborations look like
#
# Attributes of the collaboration were asked only of respondents in one, so `distribution`
# takes them over collaborating respondents by default (assumption A-02). Answer options that
# were never published (for example "network" or "multi-site") are the library's own, and the
# shares of those options are choices of the reconstruction, not findings.

# %%
for item in ("form", "legal_form", "level"):
    print(f"\n2015: {item}")
    show(gc.distribution(gp2015, item), "option")

# %%
for item in ("form", "age_band", "size_band"):
    print(f"\n2017: {item}")
    show(gc.distribution(gp2017, item), "option")

# %% [markdown]
# The two waves published size against different thresholds: more than 50,000 patients in
# 2015, more than 100,000 in 2017. `reband` re-cuts the size bands at any band edge, so each
# wave can be read at its own threshold (and at the other's).

# %%
for survey, threshold in ((gp2015, 50_000), (gp2017, 100_000), (gp2015, 100_000)):
    groups = gc.reband(survey, threshold)
    frame = survey.respondents.assign(size_group=groups)
    table = gc.estimate_proportions(frame, "size_group", na_rm=True)
    print(f"\n{survey.meta.label}, cut at {threshold:,}")
    show(table, "size_group", synthetic=survey.synthetic)  # the engine cannot know it

# %% [markdown]
# ## Collaborations then, networks now
#
# Since July 2019 almost every practice belongs to a primary care network (PCN). The chart puts
# the sizes of the 2017 (synthetic) collaborations beside the sizes of the 1,250 real PCNs of
# December 2019 (NHS Digital), in one unit: practices. Each respondent is a practice, and each
# PCN counts its member practices (`gc.pcn_size_shares`), so the bars compare where practices
# were then and are now. Most practices' networks cover 30,000–50,000 patients, far smaller
# than the typical collaboration respondents described in 2017.

# %%
pcn = gc.load_population(2019, "pcn")
print(f"PCNs: {len(pcn):,}; median registered patients {pcn['registered_patients'].median():,.0f}")
ax = gc.plot.plot_size_distribution(gc.suppress(gc.distribution(gp2017, "size_band")), pcn)

# %% [markdown]
# ## Check against the register
#
# The findings discussed here: sample sizes, prevalence, form, legal form, size, age and level,
# for all four instruments. Rows marked `conflict` are printed figures the register does not
# follow (for example one article's 75% for 2015, where every other source says 73%); they are
# shown with the value the set reproduces, and are not failures.

# %%
register = gc.load_findings()
TOPICS = ["sample", "prevalence", "form", "legal_form", "size", "age", "level"]
for survey in (gp2015, gp2017, ccg2015, ccg2017):
    checked = gc.verify_findings(survey)
    ids = register.loc[
        register["topic"].isin(TOPICS)
        & (register["wave"] == survey.meta.wave)
        & (register["instrument"] == survey.meta.instrument.value)
        & register["unit"].isin(["percent", "count", "verbal"]),
        "finding_id",
    ]
    mine = checked[checked["finding_id"].isin(ids)]
    statuses = mine["status"].str.replace("_", " ")  # "not_applicable" -> "not applicable"
    tally = ", ".join(f"{count} {status}" for status, count in statuses.value_counts().items())
    print(f"{survey.meta.label}: {tally}")
    display(
        mine.assign(status=statuses)[
            ["finding_id", "published", "reproduced", "status", "statement"]
        ].round({"reproduced": 1})
    )
    assert len(mine) == len(ids) > 0
    assert not (mine["status"] == "mismatch").any(), f"{survey.meta.label}: mismatch"
