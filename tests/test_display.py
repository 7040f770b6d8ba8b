"""Rich display in Jupyter: the ``_repr_html_`` of the objects a notebook shows, and Markdown."""

from __future__ import annotations

import re

import pandas as pd

import gpcollab
from conftest import make_survey
from gpcollab._html import Markdown
from gpcollab.findings import STATUS_COLOURS
from gpcollab.io import LoadReport, Rejection
from gpcollab.schema import SYNTHETIC_NOTICE


def _text(html: str) -> str:
    """The visible text of an HTML fragment."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_survey_card_for_a_synthetic_set() -> None:
    rows = [
        dict(membership="formal", size_band="30k_50k", aims={"access": "fully"}),
        dict(membership="none"),
        dict(membership="informal", size_band=None),
    ]
    survey = make_survey(rows, synthetic=True)
    html = survey._repr_html_()
    text = _text(html)
    assert SYNTHETIC_NOTICE in html
    assert "GP practice staff survey 2017" in text
    assert "respondents 3" in text and "wave 2017" in text
    # the items, with their answer sets (machine value and label) and how many answered
    label = gpcollab.vocab.SizeBand("30k_50k").label
    assert f"<code>30k_50k</code> {label}" in html
    size_row = next(r for r in html.split("<tr>") if r.startswith("<td") and ">size_band<" in r)
    assert ">1</td>" in size_row  # one respondent gave a size band
    assert "1 set an aim" in text


def test_real_set_has_no_synthetic_banner_and_escapes_text() -> None:
    survey = make_survey([dict(membership="formal")])
    meta = survey.meta.__class__(**{**survey.meta.__dict__, "source": "<script>x</script>"})
    real = gpcollab.SurveyData(survey.respondents, survey.aims, survey.multi, meta)
    html = real._repr_html_()
    assert SYNTHETIC_NOTICE not in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "synthetic no" in _text(real.meta._repr_html_())


def test_meta_html_lists_the_items() -> None:
    meta = gpcollab.load_survey(2015, "ccg").meta
    text = _text(meta._repr_html_())
    assert "CCG" in text and "wave 2015" in text and f"respondents {meta.n}" in text
    assert "items asked: " + ", ".join(meta.items) in text
    assert SYNTHETIC_NOTICE in text


def test_load_report_html() -> None:
    rejection = Rejection("x.csv", 4, "Size", "huge", "under 30,000; ...", "unknown answer")
    report = LoadReport(
        file="x.csv",
        codebook="gp2017",
        format="csv",
        encoding="utf-8",
        delimiter=",",
        header_rows=1,
        rows_read=3,
        rows_accepted=2,
        rows_rejected=1,
        rejections=(rejection,),
        ignored_columns=("Start time",),
    )
    html = report._repr_html_()
    text = _text(html)
    assert "rows read 3 = accepted 2 + rejected 1" in text
    assert "color:#b00020" in html  # rejected in red
    assert "1 problem(s)" in text
    assert "4 Size huge under 30,000; ... unknown answer" in text
    assert "columns ignored Start time" in text


def test_verify_findings_statuses_are_coloured() -> None:
    check = gpcollab.verify_findings(gpcollab.load_survey(2017, "gp"))
    html = check._repr_html_()
    n_match = int((check["status"] == "match").sum())
    assert f"match {n_match}" in _text(html)
    colour = STATUS_COLOURS["match"]
    assert html.count(f"background:{colour};font-weight:bold") == n_match
    assert SYNTHETIC_NOTICE in html
    # derived tables are plain DataFrames, so pandas shows them as usual
    assert type(check[check["status"] == "match"]) is pd.DataFrame


def test_dataset_card_renders_as_markdown() -> None:
    card = gpcollab.dataset_card("population_pcn_2019")
    assert isinstance(card, Markdown) and isinstance(card, str)
    assert card._repr_markdown_() == str(card)
    assert card.startswith("# Primary care networks")
