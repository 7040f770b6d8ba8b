"""Write ``src/gpcollab/datasets/findings/assumptions.json``: the named assumptions.

Every choice the published record leaves open is one entry here (format in
``docs/findings_register.md``). Which register rows depend on an assumption (``affects``) is
filled in from the register's ``assumptions`` column, so the two files cannot drift apart.
Run after ``make_register.py``, from the repository root::

    python data/findings/make_assumptions.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "src" / "gpcollab" / "datasets" / "findings"

COLLAB = {"membership": "@collaborating"}

ASSUMPTIONS: list[dict[str, Any]] = [
    {
        "id": "A-01",
        "title": "The ten missing points of the 2015 prevalence are 'both formal and informal'",
        "description": "In 2015 the total in a collaboration (73%) exceeds formal (37%) plus "
        "informal (26%) by ten points. We read those respondents as belonging to a formal and "
        "an informal collaboration at once (answer 'both'); 'formal' and 'informal' count only "
        "those reporting that one kind. Integer solution on 982: 363 formal, 255 informal, 99 "
        "both, 265 not in a collaboration (717 collaborating). The alternative reading, that "
        "the ten points were unsure or 'other' answers, cannot give 73% with 'don't know' "
        "outside the collaborating set, so it is listed for the record only.",
        "default": "both",
        "options": {
            "both": {
                "description": "The ten points answered 'both'.",
                "value": {"formal": 363, "informal": 255, "both": 99, "none": 265},
            },
            "unsure": {
                "description": "The ten points were unsure or another kind; they would not "
                "count as collaborating, so 73% could not be reproduced (63% instead).",
                "value": {"formal": 363, "informal": 255, "dont_know": 99, "none": 265},
            },
        },
    },
    {
        "id": "A-02",
        "title": "Base of the collaboration attributes (form, size, age, level)",
        "description": "Shares of collaborations by form, size, age and level are taken over "
        "respondents in a collaboration (formal, informal or both), because only they were "
        "asked about it. The alternative base is every respondent (those outside a "
        "collaboration counting as 'no').",
        "default": "collaborating",
        "options": {
            "collaborating": {"description": "Respondents in a collaboration.", "filter": COLLAB},
            "all_respondents": {"description": "All respondents.", "filter": {}},
        },
    },
    {
        "id": "A-03",
        "title": "Base of the 2015 legal-form shares",
        "description": "The 42% limited companies and 8% CICs are taken over all respondents "
        "in a collaboration. Legal form matters mostly for formal collaborations, so formal "
        "(formal or both) respondents are an alternative base; so is everyone.",
        "default": "collaborating",
        "options": {
            "collaborating": {"description": "Respondents in a collaboration.", "filter": COLLAB},
            "formal_only": {
                "description": "Respondents in a formal collaboration (formal or both).",
                "filter": {"membership": ["formal", "both"]},
            },
            "all_respondents": {"description": "All respondents.", "filter": {}},
        },
    },
    {
        "id": "A-04",
        "title": "Base of the 2017 aims (52% access, just under half sustainability)",
        "description": "Each collaborating respondent's collaboration set up to three main "
        "priorities; the share setting an aim is taken over respondents in a collaboration. "
        "The alternative base is all respondents.",
        "default": "collaborating",
        "options": {
            "collaborating": {"description": "Respondents in a collaboration.", "filter": COLLAB},
            "all_respondents": {"description": "All respondents.", "filter": {}},
        },
    },
    {
        "id": "A-05",
        "title": "Base of 'one or more priorities fully achieved' (one-third)",
        "description": "Taken over respondents in a collaboration. Alternatives: only those "
        "whose collaboration set at least one aim, or all respondents.",
        "default": "collaborating",
        "options": {
            "collaborating": {"description": "Respondents in a collaboration.", "filter": COLLAB},
            "set_an_aim": {
                "description": "Respondents whose collaboration set at least one aim.",
                "filter": {"any_aim": True},
            },
            "all_respondents": {"description": "All respondents.", "filter": {}},
        },
    },
    {
        "id": "A-06",
        "title": "Base of the reasons for not leaving the contract (81/63/63/48)",
        "description": "Only GP partners who were unwilling or very unwilling were asked for "
        "reasons; the shares are taken over all of them. Alternative: only those who ticked at "
        "least one reason.",
        "default": "unwilling_partners",
        "options": {
            "unwilling_partners": {
                "description": "Partners answering very unwilling or unwilling.",
                "filter": {
                    "role": ["gp_partner"],
                    "contract_willingness": ["very_unwilling", "unwilling"],
                },
            },
            "gave_a_reason": {
                "description": "Unwilling partners who ticked at least one reason.",
                "filter": {
                    "role": ["gp_partner"],
                    "contract_willingness": ["very_unwilling", "unwilling"],
                    "contract_reasons": {
                        "any": [
                            "lose_control",
                            "lose_flexibility",
                            "continuity",
                            "salaried",
                            "other",
                        ]
                    },
                },
            },
        },
    },
    {
        "id": "A-07",
        "title": "Base of the CCG estimate 'less than a quarter' (46%)",
        "description": "46% is impossible over all 51 CCG respondents (23/51 = 45.1%, 24/51 = "
        "47.1%), so the base leaves out 'don't know' (and missing) answers: 23 of 50 = 46.0%. "
        "The alternative, all 51 respondents, shows the figure moving to 45.1%.",
        "default": "excluding_dont_know",
        "options": {
            "excluding_dont_know": {
                "description": "CCG respondents who gave a band (don't know left out).",
                "filter": {"answered": "practices_willing", "exclude": ["dont_know"]},
            },
            "all_respondents": {"description": "All CCG respondents.", "filter": {}},
        },
    },
    {
        "id": "A-08",
        "title": "What 'probable' STP-driven change counts",
        "description": "The likelihood scale was not published. 'Thought change probable' "
        "(CCG 61%) and 'thought STPs would deliver change' (GP one-fifth) count the answers "
        "'probable' and 'very probable'. Alternative: 'probable' alone.",
        "default": "probable_or_very",
        "options": {
            "probable_or_very": {
                "description": "Probable or very probable.",
                "filter": {"stp_change": ["probable", "very_probable"]},
            },
            "probable_only": {
                "description": "Only the answer 'probable'.",
                "filter": {"stp_change": ["probable"]},
            },
        },
    },
    {
        "id": "A-09",
        "title": "What 'achieving an aim' means in the associations (S-09, S-10)",
        "description": "'Better able to achieve' and 'associated with achieving' are read as "
        "the aim being fully achieved. Alternative: fully or partially achieved.",
        "default": "fully",
        "options": {
            "fully": {"description": "Fully achieved.", "filter": {"outcome": ["fully"]}},
            "fully_or_partially": {
                "description": "Fully or partially achieved.",
                "filter": {"outcome": ["fully", "partially"]},
            },
        },
    },
    {
        "id": "A-10",
        "title": "What 'progress took at least one (two) years' means (S-11, S-12)",
        "description": "Read as: no collaboration younger than the threshold reports the aim "
        "fully achieved. Alternative (stricter): none reports it fully or partially achieved.",
        "default": "fully",
        "options": {
            "fully": {"description": "Fully achieved.", "filter": {"outcome": ["fully"]}},
            "fully_or_partially": {
                "description": "Fully or partially achieved.",
                "filter": {"outcome": ["fully", "partially"]},
            },
        },
    },
    {
        "id": "A-11",
        "title": "'Formed during 2014/15' is the under-one-year age band",
        "description": "The 2016 summary says almost half of collaborations formed in the "
        "2014/15 financial year; the 2015 survey ran July-November 2015, so we read this as "
        "the same answer as 'formed in the last year' (44%). Alternative: under two years.",
        "default": "under_1y",
        "options": {
            "under_1y": {"description": "Under one year.", "filter": {"age_band": ["under_1y"]}},
            "under_2y": {
                "description": "Under two years.",
                "filter": {"age_band": ["under_1y", "1y_2y"]},
            },
        },
    },
    {
        "id": "A-12",
        "title": "Figures about collaborations are figures about respondents",
        "description": "Sources say '% of collaborations' for answers given by respondents. "
        "Each respondent describes one collaboration, and two respondents from the same "
        "collaboration count twice; no collaboration identifier exists to de-duplicate.",
        "default": "respondent_level",
        "options": {
            "respondent_level": {"description": "One answer per respondent.", "value": True}
        },
    },
    {
        "id": "A-13",
        "title": "Answer options that were never published",
        "description": "Only some options were shown in the sources (federation, "
        "super-practice; limited company, CIC; fully achieved; not at all influential; "
        "probable; less than a quarter; actively encouraged; the willingness scale). The other "
        "options of each item are ours (gpcollab.vocab, docstrings say which). Rows that use "
        "an unpublished option, or whose base depends on one, carry this assumption.",
        "default": "vocab",
        "options": {
            "vocab": {
                "description": "Answer sets as in gpcollab.vocab.",
                "value": {
                    "published": {
                        "form": ["federation", "super_practice"],
                        "legal_form": ["limited_company", "cic"],
                        "outcome": ["fully", "partially"],
                        "stp_influence": ["not_at_all"],
                        "stp_change": ["probable"],
                        "practices_willing": ["under_quarter"],
                        "ccg_encouragement": ["actively"],
                        "barriers": [
                            "time_pressure",
                            "staff_shortages",
                            "practice_finances",
                            "competing_priorities",
                        ],
                        "drivers": [
                            "ccg_encouragement",
                            "financial_pressure",
                            "expand_services",
                            "efficiencies",
                        ],
                    }
                },
            }
        },
    },
    {
        "id": "A-14",
        "title": "'Within a single CCG area' covers locality and whole-CCG collaborations",
        "description": "The level item has locality, whole CCG and several CCGs (our bands). "
        "A collaboration within one CCG is a locality or a whole-CCG one. Alternative: "
        "whole-CCG only.",
        "default": "locality_or_ccg",
        "options": {
            "locality_or_ccg": {
                "description": "Locality or whole CCG.",
                "filter": {"level": ["locality", "single_ccg"]},
            },
            "single_ccg_only": {
                "description": "Whole CCG only.",
                "filter": {"level": ["single_ccg"]},
            },
        },
    },
    {
        "id": "A-15",
        "title": "Size and age distributions beyond the published splits",
        "description": "Only >50,000 (2015, two thirds), >100,000 (2017, 53%), under one "
        "year (2015, 44%) and over two years (2017, 46%) were published. The shares of the "
        "other bands among collaborating respondents are ours, chosen to look like the real "
        "spread of CCG and locality populations.",
        "default": "nominal",
        "options": {
            "nominal": {
                "description": "Shares of each band among collaborating respondents.",
                "value": {
                    "2015": {
                        "size_band": {
                            "under_30k": 0.15,
                            "30k_50k": 0.18,
                            "50k_100k": 0.30,
                            "100k_250k": 0.27,
                            "over_250k": 0.10,
                        },
                        "age_band": {"under_1y": 0.44, "1y_2y": 0.26, "over_2y": 0.30},
                    },
                    "2017": {
                        "size_band": {
                            "under_30k": 0.10,
                            "30k_50k": 0.14,
                            "50k_100k": 0.23,
                            "100k_250k": 0.38,
                            "over_250k": 0.15,
                        },
                        "age_band": {"under_1y": 0.22, "1y_2y": 0.32, "over_2y": 0.46},
                    },
                },
            }
        },
    },
    {
        "id": "A-16",
        "title": "Regional mix of respondents follows the real practice population",
        "description": "The sources give no regional breakdown. Each GP respondent's CCG is "
        "drawn from the real CCGs of that wave's frame (bundled population_ccg_2015 / _2017) "
        "with probability proportional to the CCG's number of practices, so the regional mix "
        "(Y54-Y57, the CCG's region) follows the practice population; for 2015 exactly 184 "
        "distinct CCGs appear (finding 2015-08). CCG respondents are distinct CCGs drawn with "
        "equal probability from the same frame.",
        "default": "practice_population",
        "options": {
            "practice_population": {
                "description": "CCGs (and so regions) drawn from the bundled population margins.",
                "value": {
                    "gp": {
                        "2015": "population_ccg_2015",
                        "2017": "population_ccg_2017",
                        "weight_by": "practices",
                    },
                    "ccg": {
                        "2015": "population_ccg_2015",
                        "2017": "population_ccg_2017",
                        "weight_by": "equal",
                    },
                },
            }
        },
    },
    {
        "id": "A-17",
        "title": "Effect sizes given to the published associations",
        "description": "The sources state directions only, never strengths. The reconstruction "
        "builds each stated association from an odds ratio of our choosing, and realises it (up "
        "to whole numbers of respondents) in every seed; associations the record does not state "
        "are left at chance level (odds ratio 1). S-09: large (over 100,000) whole-CCG or "
        "multi-CCG collaborations against the rest, fully achieving staff experience, among "
        "those setting it. S-10_per_band: for community, staff and quality, the odds ratio of "
        "'fully achieved', among those setting the aim, between each age band and the next, at "
        "every step between bands in which the aim is achieved. Nobody achieves these aims in "
        "the first year (S-11), so the step from under one year to one to two years is "
        "unbounded, fixed by the record and not by this number; 3.5 is the odds ratio between "
        "collaborations of one to two years and older ones. The logistic trend over all three "
        "bands, which verify_findings reports for S-10, is therefore steeper (about 5 per "
        "band). Sustainability is achieved only after two years (S-12), so its one step is "
        "unbounded too and it has no entry; "
        "access, efficiency and integration have no age effect (1). S-14: larger against "
        "smaller collaborations for setting each aim, among collaborating respondents (above 1 "
        "for access and community; below 1 for sustainability and staff, and for quality as "
        "the lead author's blog has it; 1 for efficiency and integration). Size and level are "
        "otherwise independent; they are tied only by the physical limits of A-23.",
        "default": "nominal",
        "options": {
            "nominal": {
                "description": "Odds ratios used by the reconstruction.",
                "value": {
                    "S-09": 3.0,
                    "S-10_per_band": {
                        "access": 1.0,
                        "community": 3.5,
                        "staff": 3.5,
                        "quality": 3.5,
                        "efficiency": 1.0,
                        "integration": 1.0,
                    },
                    "S-14": {
                        "access": 2.5,
                        "community": 2.5,
                        "sustainability": 0.4,
                        "staff": 0.4,
                        "quality": 0.4,
                        "efficiency": 1.0,
                        "integration": 1.0,
                    },
                },
            }
        },
    },
    {
        "id": "A-18",
        "title": "No 'both' answers in 2017",
        "description": "In 2017 formal (51%) plus informal (30%) equals the total (81%), so "
        "no 2017 respondent is given 'both'. Integer solution on 565: 288 formal, 170 "
        "informal, 107 not in a collaboration (458 collaborating).",
        "default": "no_both",
        "options": {
            "no_both": {
                "description": "Counts on 565.",
                "value": {"formal": 288, "informal": 170, "both": 0, "none": 107},
            }
        },
    },
    {
        "id": "A-19",
        "title": "Counts of the GP partners' contract willingness",
        "description": "The published shares (32, 21, 14, 18, 9, 7; 53 and 27 combined) on "
        "241 partners are all met by one set of counts, used by the reconstruction.",
        "default": "counts",
        "options": {
            "counts": {
                "description": "Counts on 241 partners.",
                "value": {
                    "very_unwilling": 76,
                    "unwilling": 51,
                    "neither": 33,
                    "willing": 43,
                    "very_willing": 21,
                    "dont_know": 17,
                },
            }
        },
    },
    {
        "id": "A-20",
        "title": "Base of the achievement shares of one aim (S-02, S-04, S-05)",
        "description": "'Of those aiming to improve access, 34% fully achieved it' is taken "
        "over everyone whose collaboration set the aim, including 'too early to say' and "
        "'don't know'. Alternative: only substantive answers (fully, partially, not).",
        "default": "all_setters",
        "options": {
            "all_setters": {"description": "Everyone who set the aim.", "filter": {}},
            "substantive": {
                "description": "Only fully, partially or not achieved.",
                "filter": {"outcome": ["fully", "partially", "not_achieved"]},
            },
        },
    },
    {
        "id": "A-21",
        "title": "Smallest base for ranking aims by achievement (S-08)",
        "description": "'Access was most often fully achieved relative to other aims' compares "
        "the fully-achieved rate of each aim; aims set by fewer respondents than this are left "
        "out of the comparison, since a rate over a handful of answers says little.",
        "default": "twenty",
        "options": {"twenty": {"description": "At least 20 respondents.", "value": 20}},
    },
    {
        "id": "A-22",
        "title": "Who answered: the mix of respondent roles",
        "description": "No source gives the roles of the respondents, apart from the 241 GP "
        "partners who answered the 2017 contract question. The shares below are our guess at "
        "a plausible mix (partners and practice managers most common among practice staff; "
        "managers most common among CCG staff). They are relative weights; in 2017 they split "
        "the respondents who are not partners. No published figure depends on them, so the "
        "list of affected rows is empty.",
        "default": "nominal",
        "options": {
            "nominal": {
                "description": "Relative weights of each role.",
                "value": {
                    "gp_2015": {
                        "gp_partner": 0.50,
                        "salaried_gp": 0.12,
                        "practice_manager": 0.28,
                        "nurse": 0.03,
                        "other_practice": 0.07,
                    },
                    "gp_2017_non_partner": {
                        "salaried_gp": 0.22,
                        "practice_manager": 0.55,
                        "nurse": 0.08,
                        "other_practice": 0.15,
                    },
                    "ccg": {"ccg_clinical": 0.35, "ccg_manager": 0.55, "ccg_other": 0.10},
                },
            }
        },
    },
    {
        "id": "A-23",
        "title": "Form, legal form and level of collaborations beyond the published shares",
        "description": "Only federations and super-practices (2015), federations (2017), "
        "limited companies and CICs (2015) and collaborations beyond one CCG (2015) were "
        "published. We chose the rest: how the other forms share what is left, the share of "
        "super-practices in 2017, the whole 2017 legal-form mix and the other 2015 legal "
        "forms, and the level mix (locality against whole CCG in 2015; all three levels in "
        "2017). Shares are relative weights. Some combinations cannot happen and are never "
        "built (informal_excluded): an informal collaboration is not incorporated (no "
        "company, CIC or LLP) and is not a merger, super-practice or multi-site organisation; "
        "a collaboration working across a whole CCG or several CCGs covers at least as many "
        "patients as the smallest CCG of the wave's year (about 74,000, so never under "
        "50,000); a locality or whole-CCG collaboration is not larger than its own CCG (its "
        "size band starts below the CCG's registered patients). Otherwise the answers are "
        "independent of one another. The published figures do not move with these choices, "
        "but the rows listed do: the exclusions decide which collaborations hold the 2015 "
        "companies (visible under A-03's other bases), the 2015 locality/CCG split matters "
        "under A-14's other reading, and the 2017 levels define S-09's group.",
        "default": "nominal",
        "options": {
            "nominal": {
                "description": "Relative weights of the unpublished answers.",
                "value": {
                    "form_other": {
                        "network": 0.45,
                        "multi_site": 0.15,
                        "primary_care_home": 0.10,
                        "merger": 0.10,
                        "other": 0.20,
                    },
                    "super_practice_2017": 0.03,
                    "legal_form_other_2015": {
                        "llp": 0.10,
                        "partnership": 0.15,
                        "unincorporated": 0.45,
                        "other": 0.10,
                        "dont_know": 0.20,
                    },
                    "legal_form_2017": {
                        "limited_company": 0.40,
                        "cic": 0.07,
                        "llp": 0.04,
                        "partnership": 0.09,
                        "unincorporated": 0.28,
                        "other": 0.04,
                        "dont_know": 0.08,
                    },
                    "informal_excluded": {
                        "form": ["merger", "super_practice", "multi_site"],
                        "legal_form": ["limited_company", "cic", "llp"],
                    },
                    "level_within_ccg_2015": {"locality": 0.55, "single_ccg": 0.45},
                    "level_2017": {"locality": 0.45, "single_ccg": 0.40, "multi_ccg": 0.15},
                },
            }
        },
    },
    {
        "id": "A-24",
        "title": "Aims set beyond access and sustainability (2017)",
        "description": "Only the shares setting access (52%) and sustainability (just under "
        "half) were published. We chose how many main priorities each collaboration set "
        "(one to three; most set three) and how the remaining choices spread over the other "
        "five aims (relative weights). They shape the bases of the aim rankings and "
        "associations listed.",
        "default": "nominal",
        "options": {
            "nominal": {
                "description": "Shares of one, two and three aims; weights of the other aims.",
                "value": {
                    "aims_per_respondent": {"1": 0.06, "2": 0.12, "3": 0.82},
                    "other_aim_weights": {
                        "community": 0.42,
                        "staff": 0.30,
                        "quality": 0.34,
                        "efficiency": 0.28,
                        "integration": 0.22,
                    },
                },
            }
        },
    },
    {
        "id": "A-25",
        "title": "Achievement of aims beyond the published rates (2017)",
        "description": "Fully-achieved rates were published for access (34%) and "
        "sustainability only, and partly-achieved for access only. We chose: the "
        "fully-achieved rate of each other aim (kept below access's, since access ranked "
        "first, S-08); the youngest age band in which each aim may be fully achieved (our "
        "reading of S-11 and S-12: sustainability only after two years; community, staff and "
        "quality only after one); and, by age band, how the answers other than 'fully' split "
        "over partially, not achieved, too early to say and don't know (in that order; "
        "younger collaborations say 'too early' more often). Fully-achieved outcomes are "
        "grouped in as few respondents as S-06 (one-third achieved at least one aim) needs, "
        "and no further: fewer respondents fully achieve two aims than one, and three than "
        "two. The listed rows use them directly, or under another option of A-09, A-10 or "
        "A-20.",
        "default": "nominal",
        "options": {
            "nominal": {
                "description": "Rates, youngest bands and outcome shares by age band.",
                "value": {
                    "fully_rate_other_aims": {
                        "community": 0.19,
                        "staff": 0.13,
                        "quality": 0.10,
                        "efficiency": 0.17,
                        "integration": 0.16,
                    },
                    "youngest_band_fully": {
                        "sustainability": "over_2y",
                        "community": "1y_2y",
                        "staff": "1y_2y",
                        "quality": "1y_2y",
                    },
                    "other_outcomes_by_age_band": {
                        "under_1y": [0.40, 0.12, 0.43, 0.05],
                        "1y_2y": [0.58, 0.17, 0.20, 0.05],
                        "over_2y": [0.62, 0.28, 0.05, 0.05],
                    },
                },
            }
        },
    },
    {
        "id": "A-26",
        "title": "Shares ticking each option of the multi-select items",
        "description": "For barriers, drivers, funding sources, CCG support and the reasons "
        "for keeping the contract, only rankings or single options were published. The share "
        "of respondents ticking each option is ours, chosen so that the published rankings "
        "hold (time pressure and staff shortages first among barriers, S-16; efficiencies and "
        "new services first among drivers, S-19). It also fixes the share of collaborating "
        "respondents not achieving access who still had Access/Challenge Fund money, and the "
        "share of unwilling partners giving an 'other' reason. Respondents left with no tick "
        "get the item's fallback option.",
        "default": "nominal",
        "options": {
            "nominal": {
                "description": "Share ticking each option, by item (and instrument).",
                "value": {
                    "barriers_gp": {
                        "time_pressure": 0.74,
                        "staff_shortages": 0.58,
                        "practice_finances": 0.41,
                        "competing_priorities": 0.33,
                        "engaging_practices": 0.36,
                        "legal_issues": 0.14,
                        "it_systems": 0.22,
                        "other": 0.05,
                    },
                    "barriers_ccg": {
                        "time_pressure": 0.78,
                        "staff_shortages": 0.55,
                        "practice_finances": 0.37,
                        "competing_priorities": 0.45,
                        "engaging_practices": 0.39,
                        "legal_issues": 0.20,
                        "it_systems": 0.25,
                        "other": 0.06,
                    },
                    "drivers": {
                        "efficiencies": 0.63,
                        "expand_services": 0.58,
                        "financial_pressure": 0.49,
                        "ccg_encouragement": 0.44,
                        "win_contracts": 0.52,
                        "other": 0.05,
                    },
                    "funding": {
                        "ccg": 0.45,
                        "nhs_england": 0.15,
                        "vanguard": 0.08,
                        "members": 0.40,
                        "other": 0.05,
                    },
                    "access_fund_not_achieving_access": 0.12,
                    "ccg_support_2015": {
                        "financial": 0.55,
                        "expert_advice": 0.45,
                        "project_management": 0.40,
                        "legal": 0.25,
                        "it": 0.30,
                        "organisational": 0.50,
                    },
                    "ccg_support_2017": {
                        "financial": 0.75,
                        "expert_advice": 0.65,
                        "project_management": 0.55,
                        "legal": 0.25,
                        "it": 0.35,
                        "organisational": 0.45,
                    },
                    "contract_reason_other": 0.08,
                },
            }
        },
    },
    {
        "id": "A-27",
        "title": "Answer points of single-choice views that were never published",
        "description": "Of the CCG and STP questions only one answer point each was "
        "published ('actively encouraged' in 2017, 'not at all influential', 'probable', "
        "'less than a quarter'). How the other points share the rest is ours (relative "
        "weights), as is the whole 2015 CCG encouragement mix; in 2017 every CCG not "
        "'actively' encouraging is put at 'on request', none at 'not involved'. Two "
        "numbers matter for published rows. One CCG respondent answered 'don't know' to "
        "the share of practices willing to give up contracts, which is what lets 46% be "
        "met over the other 50 (2017-47, A-07). When a word quantity counts two answer "
        "points (one-fifth thought change probable or very probable, 2017-11), the "
        "second point gets a tenth of the count while the first alone still meets the "
        "range, so the row holds under either reading of A-08.",
        "default": "nominal",
        "options": {
            "nominal": {
                "description": "Weights of the unpublished answer points, and two counting rules.",
                "value": {
                    "encouragement_2015": {
                        "actively": 0.70,
                        "on_request": 0.25,
                        "not_involved": 0.05,
                    },
                    "encouragement_other_2017": {"on_request": 1.0, "not_involved": 0.0},
                    "stp_influence_other_gp": {
                        "slightly": 0.45,
                        "fairly": 0.20,
                        "very": 0.05,
                        "dont_know": 0.30,
                    },
                    "stp_influence_other_ccg": {
                        "slightly": 0.40,
                        "fairly": 0.40,
                        "very": 0.10,
                        "dont_know": 0.10,
                    },
                    "stp_change_other_gp": {
                        "very_improbable": 0.30,
                        "improbable": 0.50,
                        "dont_know": 0.20,
                    },
                    "stp_change_other_ccg": {
                        "very_improbable": 0.10,
                        "improbable": 0.70,
                        "dont_know": 0.20,
                    },
                    "practices_willing_dont_know": 1,
                    "practices_willing_other": {
                        "quarter_half": 0.55,
                        "half_three_quarters": 0.30,
                        "over_three_quarters": 0.15,
                    },
                    "second_point_share": 0.1,
                },
            }
        },
    },
]


ASSUMPTIONS += [
    {
        "id": "A-28",
        "title": "The 2018 restatements (S-17, S-18) describe the 2015 GP survey",
        "description": "A 2018 news item gave 'some 85%' of collaborations working within one "
        "CCG and two thirds covering over 50,000 patients without naming a survey year. The "
        "same splits (84% within one CCG, two thirds over 50,000) were published for the "
        "2015 GP survey, so we read both as restatements of it and check them against that "
        "wave; 'some 85%' is a hedged figure, taken as 82.5-87.5%.",
        "default": "gp_2015",
        "options": {
            "gp_2015": {
                "description": "Checked against the 2015 GP survey.",
                "value": {"wave": 2015, "instrument": "gp"},
            }
        },
    },
    {
        "id": "A-29",
        "title": "'Main' barriers are the two ticked most often (S-16)",
        "description": "The source names time to engage and workforce shortages as the main "
        "barriers and lists others without order or shares. We read 'main' as: each of the "
        "two is ticked by more respondents than any other barrier, in no order between them; "
        "nothing is read into the order of the rest.",
        "default": "two_most_ticked",
        "options": {
            "two_most_ticked": {
                "description": "Both main barriers above every other barrier.",
                "value": ["time_pressure", "staff_shortages"],
            }
        },
    },
    {
        "id": "A-30",
        "title": "Patient engagement is not an aim of the 2017 questionnaire (S-22)",
        "description": "The aims list was rebuilt from the 2017 publications (seven aims); "
        "patient engagement, named among the aims harder to realise, is not one of them and "
        "we do not add it, since nothing else about it was published. S-22 is evaluated over "
        "the three named aims the list has (sustainability, staff experience, quality).",
        "default": "left_out",
        "options": {
            "left_out": {
                "description": "Patient engagement is left out of the evaluation.",
                "value": ["sustainability", "staff", "quality"],
            }
        },
    },
    {
        "id": "A-31",
        "title": "2015 reasons outside the rebuilt questionnaire (S-23)",
        "description": "Improving clinical outcomes and increasing patients' access were named "
        "as 2015 reasons for collaborating, but the 2015 reasons item as rebuilt has six "
        "options (CCG encouragement, financial pressure, extending services, efficiencies, "
        "winning contracts, other). We do not add options nothing else was published about: "
        "only extending services is evaluated.",
        "default": "vocabulary",
        "options": {
            "vocabulary": {
                "description": "Only the reasons in the vocabulary are evaluated.",
                "value": ["expand_services"],
            }
        },
    },
]


def main() -> None:
    with (FOLDER / "register.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    known = {a["id"] for a in ASSUMPTIONS}
    for assumption in ASSUMPTIONS:
        assumption["affects"] = [
            r["finding_id"] for r in rows if assumption["id"] in r["assumptions"].split(";")
        ]
    used = {a for r in rows for a in r["assumptions"].split(";") if a}
    if used - known:
        raise SystemExit(f"register uses unknown assumptions: {sorted(used - known)}")
    text = json.dumps(ASSUMPTIONS, indent=2, ensure_ascii=False) + "\n"
    (FOLDER / "assumptions.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(ASSUMPTIONS)} assumptions")


if __name__ == "__main__":
    main()
