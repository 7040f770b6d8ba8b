"""Codebooks: the bundled four match the instrument contract; malformed ones fail clearly."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import gpcollab
from gpcollab.codebook import (
    Codebook,
    alias_line,
    list_codebooks,
    load_codebook,
    normalise_text,
    parse_codebook,
    suggest_alias,
    write_codebook,
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


# -- codebooks made to be adapted (issue 19, item 4) ------------------------------------------

SETS = {"gp2015": (2015, "gp"), "ccg2015": (2015, "ccg"), "gp2017": (2017, "gp")}
SETS["ccg2017"] = (2017, "ccg")


def _same_tables(a: gpcollab.SurveyData, b: gpcollab.SurveyData) -> None:
    assert a.respondents.equals(b.respondents)
    assert a.aims is not None and b.aims is not None and a.aims.equals(b.aims)
    assert sorted(a.multi) == sorted(b.multi)
    assert all(a.multi[k].equals(b.multi[k]) for k in a.multi)


@pytest.mark.parametrize("name", sorted(SETS))
@pytest.mark.parametrize("extension", ["csv", "sav"])
def test_codebook_new_reads_the_bundled_export_back_unchanged(
    tmp_path: Path, name: str, extension: str
) -> None:
    from gpcollab import cli

    out = tmp_path / f"my_{name}.toml"
    assert cli.main(["codebook", "new", str(out), "--from", name]) == 0
    survey = gpcollab.load_survey(*SETS[name])
    export = gpcollab.write_survey(survey, tmp_path / f"export.{extension}")
    with_bundled = gpcollab.read_survey(export, codebook=name)
    with_new = gpcollab.read_survey(export, codebook=str(out))
    _same_tables(with_new, with_bundled)
    assert with_new.meta.codebook == f"my_{name}" and len(with_new.respondents) == survey.n
    # the respondents are the bundled set's, answer for answer
    assert list(with_new.respondents["respondent_id"]) == list(survey.respondents["respondent_id"])
    for item in (s.name for s in load_codebook(name).single):
        assert with_new.respondents[item].astype("string").fillna("<NA>").tolist() == (
            survey.respondents[item].astype("string").fillna("<NA>").tolist()
        ), item
    # the file is the codebook, key for key (the name aside); who ran the survey is left as a
    # comment, so a copy adapted to another survey never credits the Nuffield Trust and RCGP
    written = load_codebook(out)
    assert written.organisation == "" and with_new.meta.organisation == ""
    assert with_bundled.meta.organisation == "Nuffield Trust and RCGP"
    assert "# organisation = " in out.read_text(encoding="utf-8")
    assert dataclasses.replace(
        written, name=name, organisation="Nuffield Trust and RCGP"
    ) == load_codebook(name)


def test_the_written_codebook_is_commented_and_can_be_edited(tmp_path: Path) -> None:
    out = write_codebook(tmp_path / "local.toml", "gp2017")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# gpcollab codebook 'local'")
    assert 'name = "local"' in text
    # each item says its kind and lists its values with their labels
    assert "# aims: per aim a tick column" in text
    assert "partially (Partially achieved)" in text
    assert "# role: single choice, one column." in text
    assert "gp_partner (GP partner)" in text
    assert 'extends = "gp2017"' in text  # the way to add aliases without a copy
    # a reader edits a header and adds an answer text, and an export in their wording loads
    question = load_codebook("gp2017").aims.outcome_question  # type: ignore[union-attr]
    edited = text.replace(f'outcome_question = "{question}"', 'outcome_question = "Achieved?"')
    edited = edited.replace(
        '"Partially achieved" = "partially"\n',
        '"Partially achieved" = "partially"\n"Partly achieved" = "partially"\n',
    )
    out.write_text(edited, encoding="utf-8")
    cb = load_codebook(out)
    assert cb.aims is not None
    assert cb.aims.outcome_columns["access"].column == ("Achieved? - Improving access for patients")
    assert cb.aims.answers["Partly achieved"] == "partially"


def test_codebook_new_refuses_unknown_bases_and_existing_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gpcollab import cli

    out = tmp_path / "mine.toml"
    assert cli.main(["codebook", "new", str(out), "--from", "gp2019"]) == 2
    err = capsys.readouterr().err
    assert "Unknown codebook 'gp2019'" in err and "ccg2015, ccg2017, gp2015, gp2017" in err
    assert not out.exists()
    assert cli.main(["codebook", "new", str(out)]) == 0  # --from defaults to gp2017
    assert load_codebook(out).name == "mine"
    assert cli.main(["codebook", "new", str(out), "--from", "ccg2015"]) == 2
    assert "--force" in capsys.readouterr().err
    assert load_codebook(out).instrument is Instrument.GP  # untouched
    assert cli.main(["codebook", "new", str(out), "--from", "ccg2015", "--force"]) == 0
    assert parse_codebook(out.read_text(encoding="utf-8")).wave == 2015
    with pytest.raises(CodebookError, match=r"ends in \.toml"):
        write_codebook(tmp_path / "mine.txt")
    # a file named like a bundled codebook gets a name of its own
    assert load_codebook(write_codebook(tmp_path / "gp2017.toml")).name == "gp2017_local"
    capsys.readouterr()
    assert cli.main(["codebook", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("ccg2015  CCG staff survey 2015")


def _export_with_partly(tmp_path: Path) -> tuple[Path, gpcollab.SurveyData, str]:
    """The bundled GP 2017 export with one achievement written "Partly achieved"."""
    survey = gpcollab.load_survey(2017, "gp")
    path = gpcollab.write_survey(survey, tmp_path / "export.csv")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if "Partially achieved" in line)
    lines[number] = lines[number].replace("Partially achieved", "Partly achieved", 1)
    path.write_text("".join(lines), encoding="utf-8")
    return path, survey, lines[number].split(",")[0]


def test_aliases_without_copying_the_codebook(tmp_path: Path) -> None:
    path, survey, respondent = _export_with_partly(tmp_path)
    with pytest.raises(gpcollab.LoadError):
        gpcollab.read_survey(path, codebook="gp2017")  # the bundled codebook does not know it
    local = load_codebook("gp2017", aliases={"aims": {"Partly achieved": "partially"}})
    assert local.name == "gp2017+aliases"
    data = gpcollab.read_survey(path, codebook=local)
    _same_tables(data, gpcollab.read_survey(gpcollab.write_survey(survey, tmp_path / "b.csv")))
    assert respondent in set(data.aims.loc[data.aims["outcome"] == "partially", "respondent_id"])
    # the texts written do not change, and the codebook is found again by its name
    again = gpcollab.write_survey(data, tmp_path / "again.csv")
    assert "Partly achieved" not in again.read_text(encoding="utf-8")
    # the same as a small TOML file
    aliases = tmp_path / "gp2017_partly.toml"
    aliases.write_text(
        'extends = "gp2017"\n\n[aliases.aims]\n"Partly achieved" = "partially"\n\n'
        '[aliases.role]\n"Partner" = "gp_partner"\n',
        encoding="utf-8",
    )
    extended = load_codebook(aliases)
    assert extended.name == "gp2017_partly" and extended.wave == 2017
    assert extended.single[0].answers["Partner"] == "gp_partner"
    _same_tables(gpcollab.read_survey(path, codebook=str(aliases)), data)
    # a file can extend another file, by a path relative to itself
    (tmp_path / "sub").mkdir()
    more = tmp_path / "sub" / "more.toml"
    more.write_text(
        'extends = "../gp2017_partly.toml"\n[survey]\nname = "more"\n'
        '[aliases.region]\n"The North" = "Y54"\n',
        encoding="utf-8",
    )
    chained = load_codebook(more)
    region = next(s for s in chained.single if s.name == "region")
    assert region.answers["The North"] == "Y54" and chained.aims is not None
    assert chained.aims.answers["Partly achieved"] == "partially"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('extends = "gp2019"\n', r"key 'extends': cannot load 'gp2019'.*ccg2015, ccg2017"),
        ("extends = 2017\n", r"key 'extends': expected a bundled codebook"),
        ('extends = "gp2017"\n[aliases.aims]\n"Partly" = "part"\n', r"'part'.*fully, partially"),
        (
            'extends = "gp2017"\n[aliases.barriers]\n"Time" = "time_pressure"\n',
            r"aliases\.barriers.*tick-all-that-apply.*survey\.ticked",
        ),
        ('extends = "gp2017"\n[aliases.colour]\n"Red" = "red"\n', r"allowed: role, region"),
        (
            'extends = "gp2017"\n[aliases.aims]\n"Fully achieved" = "partially"\n',
            r"already means 'fully' in gp2017",
        ),
        ('extends = "gp2017"\n[aliases.aims]\n"N/A" = "partially"\n', r"missing-value code"),
        ('extends = "gp2017"\n[items.role]\ncolumn = "x"\n', r"key 'items': unknown key"),
        ('extends = "gp2017"\n[survey]\nname = "gp2015"\n', r"'gp2015' cannot name"),
        ('extends = "loop.toml"\n', r"leads back to this file"),
    ],
)
def test_bad_alias_files_name_the_key_and_what_is_allowed(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "loop.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CodebookError, match=message) as info:
        load_codebook(path)
    assert str(path) in str(info.value)


def test_a_loop_through_two_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(CodebookError, match="leads back"):
        load_codebook(tmp_path / "a.toml")


def test_suggest_alias_gives_the_line_to_add() -> None:
    hint = suggest_alias("gp2017", "aims", "Partly achieved")
    assert (hint.item, hint.value, hint.closest) == ("aims", "partially", "Partially achieved")
    assert hint.line == '"Partly achieved" = "partially"'
    assert hint.table == "aliases.aims" and hint.copy_table == "items.aims.answers"
    assert '"Partly achieved" = "partially" under [aliases.aims]' in str(hint)
    assert 'extends = "gp2017"' in str(hint)
    # the header of an aim's achievement column, or of a single-choice item, names the item
    aims = load_codebook("gp2017").aims
    assert aims is not None
    header = aims.outcome_columns["staff"].column
    assert suggest_alias("gp2017", header, "Partly achieved").item == "aims"
    role = suggest_alias("gp2017", "Which of the following best describes your role?", "GP-partner")
    assert (role.item, role.value) == ("role", "gp_partner")
    assert suggest_alias("gp2017", "Q1", "Salaried").value == "salaried_gp"  # SPSS name
    # nothing close: the line holds VALUE and the allowed values are listed
    far = suggest_alias("gp2017", "role", "zzzz")
    assert far.value is None and far.line == '"zzzz" = "VALUE"'
    assert "VALUE one of: gp_partner, salaried_gp" in str(far)
    # quotes are escaped so that the line pastes into TOML as it is
    quoted = suggest_alias("gp2017", "aims", 'Partly "achieved"')
    assert quoted.line == '"Partly \\"achieved\\"" = "partially"'
    assert parse_toml_line(quoted.line) == {'Partly "achieved"': "partially"}
    with pytest.raises(CodebookError, match="items with answer texts: role, region"):
        suggest_alias("gp2017", "barriers", "Time")


def parse_toml_line(line: str) -> dict[str, object]:
    import tomllib

    return tomllib.loads(line)


def test_alias_line_pastes_into_a_codebook(tmp_path: Path) -> None:
    line = alias_line("Partly achieved\t", "partially")
    assert line == '"Partly achieved" = "partially"'
    path = tmp_path / "partly.toml"
    path.write_text(f'extends = "gp2017"\n[aliases.aims]\n{line}\n', encoding="utf-8")
    assert load_codebook(path).aims.answers["Partly achieved"] == "partially"  # type: ignore[union-attr]
