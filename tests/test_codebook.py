"""Codebooks: the bundled four match the instrument contract; malformed ones fail clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import gpcollab
from gpcollab.codebook import (
    Codebook,
    list_codebooks,
    load_codebook,
    normalise_text,
    parse_codebook,
)
from gpcollab.errors import CodebookError, GpcollabError
from gpcollab.schema import ITEMS
from gpcollab.vocab import Achievement, Instrument

ROOT = Path(__file__).resolve().parents[1]


def instrument_contract() -> dict[str, tuple[str, ...]]:
    """Items per instrument, from the table in docs/instruments.md."""
    text = (ROOT / "docs" / "instruments.md").read_text(encoding="utf-8")
    contract = {}
    for line in text.splitlines():
        match = re.match(r"^\| (gp|ccg)(\d{4}) \| ([^|]+) \|", line)
        if match:
            items = tuple(i.strip() for i in match.group(3).split(","))
            contract[match.group(1) + match.group(2)] = items
    return contract


def test_list_codebooks() -> None:
    assert list_codebooks() == ["ccg2015", "ccg2017", "gp2015", "gp2017"]
    assert gpcollab.list_codebooks() == list_codebooks()


@pytest.mark.parametrize("name", ["gp2015", "ccg2015", "gp2017", "ccg2017"])
def test_bundled_codebook_declares_exactly_the_instrument_items(name: str) -> None:
    contract = instrument_contract()
    cb = load_codebook(name)
    assert isinstance(cb, Codebook)
    assert cb.name == name
    assert cb.wave == int(name[-4:])
    assert cb.instrument is Instrument.parse(name[:-4])
    assert cb.items == contract[name]
    assert [c.name for c in cb.columns] == ["ccg_code"]
    # every single-choice value has a text and a code; multi-selects list every option
    for spec in cb.single:
        assert set(spec.answers.values()) == set(spec.choices.values())
        assert set(spec.codes) == set(spec.choices.values())
    for multi in cb.multi:
        assert [o.value for o in multi.options] == multi.choices.values()
        assert all(o.column == f"{multi.question} - {o.text}" for o in multi.options)
    if "aims" in cb.items:
        assert cb.aims is not None
        assert set(cb.aims.answers.values()) == set(Achievement.values())
    else:
        assert cb.aims is None


def test_codebooks_are_cached_and_frozen() -> None:
    cb = load_codebook("gp2017")
    assert load_codebook("gp2017") is cb
    assert load_codebook(cb) is cb
    with pytest.raises(AttributeError):
        cb.name = "other"  # type: ignore[misc]
    assert "gp2017" in repr(cb)


def test_load_codebook_from_a_user_path(tmp_path: Path) -> None:
    source = Path(load_codebook("ccg2017").source)
    assert source.name == "ccg2017.toml"
    text = (ROOT / "src" / "gpcollab" / "codebooks" / "ccg2017.toml").read_text(encoding="utf-8")
    path = tmp_path / "local2021.toml"
    path.write_text(
        text.replace('name = "ccg2017"', 'name = "local2021"').replace(
            "wave = 2017", "wave = 2021"
        ),
        encoding="utf-8",
    )
    cb = load_codebook(path)
    assert (cb.name, cb.wave, cb.source) == ("local2021", 2021, str(path))
    assert load_codebook(str(path)).items == load_codebook("ccg2017").items


def test_unknown_codebook_name_lists_the_bundled_ones() -> None:
    with pytest.raises(CodebookError, match=r"Unknown codebook 'gp2019'.*ccg2015, ccg2017"):
        load_codebook("gp2019")


def test_missing_codebook_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match=r"nowhere\.toml: cannot read the codebook"):
        load_codebook(tmp_path / "nowhere.toml")


def test_normalise_text() -> None:
    assert normalise_text("  Don\u2019t\u00a0 KNOW ") == "don't know"
    assert normalise_text("Yes \u2013 formal") == "yes - formal"


MINIMAL = """
[survey]
name = "mini"
wave = 2019
instrument = "ccg"
id_column = "ID"

[columns.weight]
column = "Weight"

[items.stp_change]
column = "Will the STP change things?"

[items.stp_change.answers]
"Very improbable" = "very_improbable"
"Improbable" = "improbable"
"Probable" = "probable"
"Very probable" = "very_probable"
"Don't know" = "dont_know"

[items.ccg_support]
question = "What support?"

[items.ccg_support.options]
financial = "Money"
expert_advice = "Advice"
project_management = "Project staff"
legal = "Legal"
it = "IT"
organisational = { text = "OD", column = "Support: OD", var = "Q9_6" }
none = "None"
"""


def test_minimal_codebook_parses_with_defaults() -> None:
    cb = parse_codebook(MINIMAL, source="mini.toml")
    assert cb.items == ("stp_change", "ccg_support")
    spec = cb.single[0]
    assert spec.var == "stp_change"
    assert dict(spec.codes) == {
        "very_improbable": 1,
        "improbable": 2,
        "probable": 3,
        "very_probable": 4,
        "dont_know": 5,
    }
    assert spec.text_of("dont_know") == "Don't know"
    options = {o.value: o for o in cb.multi[0].options}
    assert options["financial"].column == "What support? - Money"
    assert options["financial"].var == "ccg_support_financial"
    assert (options["organisational"].column, options["organisational"].var) == (
        "Support: OD",
        "Q9_6",
    )
    assert "" in cb.missing and "-99" in cb.missing
    assert cb.columns[0].kind == "number"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("wave = 2019", 'wave = "2019"', r"key 'survey.wave': expected a year"),
        ('instrument = "ccg"', 'instrument = "pharmacy"', r"key 'survey.instrument'"),
        ("[items.stp_change]", "[items.stp_mood]", r"key 'items.stp_mood': unknown item"),
        (
            '"Probable" = "probable"',
            '"Probable" = "likely"',
            r"answers.Probable': maps to 'likely'",
        ),
        ('"Probable" = "probable"', "", r"no answer text for 'probable'"),
        (
            '"Probable" = "probable"',
            '"Probable" = "probable"\n"-99" = "probable"',
            r"missing-value",
        ),
        (
            '"Improbable" = "improbable"',
            '"Improbable" = "improbable"\n"PROBABLE" = "improbable"',
            r"Probable': same text \(ignoring case\) already maps to 'improbable'",
        ),
        ('financial = "Money"', 'cash = "Money"', r"options.cash': not a CCGSupport value"),
        ('none = "None"', "", r"no column for option\(s\) 'none'"),
        ('legal = "Legal"', 'legal = "Money"', r"two options have the same text"),
        ('column = "Weight"', 'column = "ID"', r"column 'ID' is also used by survey.id_column"),
        ('var = "Q9_6"', 'var = "9 six"', r"not a valid SPSS variable name"),
        ('id_column = "ID"', 'id_column = "ID"\ncolour = "blue"', r"'survey.colour': unknown key"),
        ("[columns.weight]", "[columns.height]", r"'columns.height': unknown column"),
        ('column = "Weight"', 'column = "Weight"\npattern = "["', r"pattern applies to text"),
        ('column = "Will the STP change things?"', "column = 3", r"expected non-empty text"),
        (
            "[items.stp_change]\n",
            "[items.stp_change]\ncodes = { probable = 1 }\n",
            r"no code for 'very_improbable'",
        ),
        ('name = "mini"', 'name = "mini', r"mini\.toml: not valid TOML"),
    ],
)
def test_malformed_codebook_names_file_key_and_problem(old: str, new: str, message: str) -> None:
    assert old in MINIMAL
    with pytest.raises(CodebookError, match=message) as info:
        parse_codebook(MINIMAL.replace(old, new, 1), source="mini.toml")
    assert str(info.value).startswith("mini.toml: ")
    assert isinstance(info.value, GpcollabError)


def test_every_item_of_the_schema_is_covered_by_some_codebook() -> None:
    covered = {item for name in list_codebooks() for item in load_codebook(name).items}
    assert covered == set(ITEMS)
