# %% [markdown]
# # 00 — Quickstart
#
# > **Synthetic data.** The responses to the 2015 and 2017 surveys of GP practices and CCGs
# > were never published. Every response set used in these notebooks is a *synthetic
# > reconstruction*: microdata built by `gpcollab` so that the published percentages come out as
# > printed. The respondents are invented; only the figures they reproduce, and the NHS Digital
# > population tables, are real. Charts drawn from them carry a footer saying so.
#
# This notebook is a ten-minute tour of the library:
#
# 1. what data ship with it (and which of them are real);
# 2. loading one response set and looking at its tables;
# 3. a first estimate with the design-based engine, and the same thing through an analysis
#    function;
# 4. a first chart;
# 5. checking the figures against the findings register — the way every notebook ends.
#
# Everything is imported from one package.

# %%
import gpcollab as gc

print("gpcollab", gc.__version__)

# %% [markdown]
# ## 1. What ships with the library
#
# `list_datasets()` lists the bundled tables. The `population_*` tables are **real**: counts of
# English GP practices and their registered patients (NHS Digital, Open Government Licence
# v3.0), by NHS England region and list-size band, by CCG, and the primary care networks (PCNs)
# of December 2019. The `findings_register` holds the figures the survey publications printed,
# with a machine-readable recipe for computing each one from responses.

# %%
display(gc.list_datasets()[["name", "kind", "rows", "tables"]])

# %% [markdown]
# The real practice population of 2016-17, by region. These are the numbers a weighting
# exercise would aim at (notebook 06 does that).

# %%
frame = gc.load_population(2017, "region_band")
by_region = frame.groupby("region_name", observed=True)[["practices", "registered_patients"]].sum()
share = 100 * by_region["practices"] / by_region["practices"].sum()
display(by_region.assign(**{"share of practices (%)": share.round(1)}))
print(
    f"\nEngland: {by_region['practices'].sum():,} practices, "
    f"{by_region['registered_patients'].sum():,} registered patients"
)

# %% [markdown]
# ## 2. A response set
#
# `load_survey(wave, instrument)` returns a `SurveyData`: one row per respondent in
# `respondents`, the aims of each respondent's collaboration (and how far each was achieved) in
# `aims`, multi-select questions in `multi`, and facts about the set in `meta` — including
# `meta.synthetic`, which is `True` for every bundled set.

# %%
gp2017 = gc.load_survey(2017, "gp")
display(gp2017)
print("synthetic:", gp2017.meta.synthetic)
print("items asked:", ", ".join(gp2017.meta.items))

# %%
display(gp2017.respondents.head(8))

# %% [markdown]
# Answers are ordered categoricals built from the library's vocabulary, so tables sort in
# questionnaire order. The long `aims` table has one row per aim a respondent's collaboration
# set, with its outcome.

# %%
display(gp2017.aims.head(8))
print("\nmembership answers:", list(gp2017.respondents["membership"].cat.categories))

# %% [markdown]
# ## 3. A first estimate
#
# The engine works on any data frame. Here it estimates the share of each membership answer
# among all 565 respondents. With `SurveyDesign()` (no weights, no clusters) this is a simple
# random sample; the standard errors and logit intervals are those R's `survey` package gives.
#
# The result is a tidy table for further work: `n` is the unweighted base, `estimate` a
# proportion between 0 and 1, `ci_low`/`ci_high` its 95% interval. Rows at exactly 0 (nobody
# answered "both" in the 2017 set, by assumption A-18) get an exact interval and
# `boundary = True`.
#
# To *show* a table, pass it through two steps, as the report does: `gc.suppress` hides every
# estimate resting on fewer than 5 respondents (shown `[c]`), and `gc.present` turns codes into
# answer labels and proportions into "34% (29–40)" with the base. Every table below is shown
# this way, by the small `show` helper.


# %%
def show(table, *groups, **options):
    """Display a result table for readers: disclosure control, then labels and percentages."""
    display(gc.present(gc.suppress(table), groups=list(groups), **options))


engine = gc.estimate_proportions(gp2017.respondents, "membership", design=gc.SurveyDesign())
print("columns of the result:", ", ".join(engine.columns))
# the engine works on a plain table and cannot know it came from a synthetic set: say so
show(engine, "membership", synthetic=gp2017.synthetic)

# %% [markdown]
# The analysis layer wraps the same engine in questions users ask. `prevalence` adds the row
# that was published — the share in any collaboration (formal, informal or both). The published
# figure for 2017 is 81%.

# %%
prev = gc.prevalence(gp2017)
show(prev, "membership")
print("\nattrs:", {k: prev.attrs[k] for k in ("wave", "instrument", "synthetic")})

# %% [markdown]
# Clustering matters when respondents from the same CCG resemble each other. Passing a design
# with the CCG as the primary sampling unit lets the interval reflect that (`deff` is the design
# effect against a simple random sample). Here it barely moves: the synthetic respondents were
# spread over CCGs at random, so they share nothing with their CCG neighbours.

# %%
clustered = gc.prevalence(gp2017, design=gc.SurveyDesign(psu="ccg_code"))
in_any = clustered.loc[clustered["membership"] == "in_collaboration"]
show(in_any, "membership")
print(f"design effect: {in_any['deff'].iloc[0]:.2f}")

# %% [markdown]
# ## 4. A first chart
#
# How often was improving access fully achieved, by the size of the collaboration? Every plot
# helper takes a tidy table (here from `achievement_rates`), accepts `ax=` to draw into your own
# layout, and returns the matplotlib `Axes`. For one aim, `kind="panels"` draws one horizontal
# bar per group, its 95% interval as a line, its value and unweighted base `n=` beside it, and a
# cell hidden by disclosure control kept in its place and marked `[c]`. (For several aims,
# `x="aim", hue=..., kind="dot"` draws the report's comparison charts: a row per aim, a dot per
# group.) The footer marks the data as synthetic.

# %%
rates = gc.suppress(gc.achievement_rates(gp2017, by="size_band", aims=["access"]))
ax = gc.plot.plot_rates(rates, x="size_band", outcome="fully", kind="panels")
show(rates.loc[rates["outcome"] == "fully"], "size_band")

# %% [markdown]
# `gc.present` can also spread one grouping across the columns (here the outcomes), and its
# result exports with `.to_html()` and `.to_excel()`; `[c]` marks the cells `gc.suppress`
# hides.

# %%
gc.present(gc.suppress(rates), columns="outcome")

# %% [markdown]
# ## 5. Checking against the published findings
#
# `verify_findings` recomputes every published figure that applies to a response set and
# compares it with the register: `match`, `mismatch`, `conflict` (the sources disagree and the
# register follows another row) or `not_applicable`. A reconstruction that does not match is a
# bug, so each notebook ends by checking the findings it discussed and stops if any of them is
# a `mismatch`. Here: the sample size and the prevalence figures of 2017.

# %%
register = gc.load_findings()
checked = gc.verify_findings(gp2017)
topics = ["sample", "prevalence"]
ids = register.loc[
    register["topic"].isin(topics) & (register["wave"] == 2017) & (register["instrument"] == "gp"),
    "finding_id",
]
mine = checked[checked["finding_id"].isin(ids)]
display(
    mine[["finding_id", "published", "reproduced", "status", "statement"]].round({"reproduced": 1})
)
print("\nall 2017 GP findings:", checked["status"].value_counts().to_dict())
assert len(mine) == len(ids) > 0
assert not (mine["status"] == "mismatch").any(), "a published figure is not reproduced"
assert (mine["status"] == "match").sum() >= 1
