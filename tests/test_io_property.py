"""Property tests of the loader (hypothesis).

1. Any valid SurveyData drawn from a codebook's vocabulary survives write -> read unchanged, in
   every format.
2. Random corruption of a valid CSV gives either loaded data with honest accounting or one of
   the library's own errors, never another exception type (2,000 examples).
3. Corruption that only changes case and whitespace of answers gives the same data.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from _loader_helpers import CODEBOOKS, build_survey, random_survey, read_rows, same_data, write_rows
from gpcollab.codebook import load_codebook
from gpcollab.errors import GpcollabError, LoadError
from gpcollab.io import read_survey, write_survey
from gpcollab.schema import SurveyData

ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijk0123456789-_éü"
VARIANTS = {
    "csv": ("csv", {}),
    "csv-bom": ("csv", {"encoding": "utf-8-sig"}),
    "csv-cp1252": ("csv", {"encoding": "cp1252"}),
    "two-header-csv": ("csv", {"header_rows": 2}),
    "xlsx": ("xlsx", {}),
    "two-header-xlsx": ("xlsx", {"header_rows": 2}),
    "sav": ("sav", {}),
}


@st.composite
def surveys(draw: st.DrawFn, codebook: str | None = None) -> SurveyData:
    """A valid response set for one of the bundled codebooks."""
    cb = load_codebook(codebook or draw(st.sampled_from(CODEBOOKS)))
    ids = draw(
        st.lists(
            st.text(ID_ALPHABET, min_size=1, max_size=8).filter(lambda s: s[0] not in "-_"),
            min_size=1,
            max_size=8,
            unique=True,
        )
    )
    n = len(ids)
    singles = {
        spec.name: draw(
            st.lists(st.sampled_from([*spec.choices.values(), None]), min_size=n, max_size=n)
        )
        for spec in cb.single
    }
    ccg = draw(
        st.lists(
            st.none() | st.from_regex(r"[0-9]{2}[A-Z0-9]", fullmatch=True), min_size=n, max_size=n
        )
    )
    multi = {}
    for spec in cb.multi:
        values = [o.value for o in spec.options]
        ticks = draw(st.lists(st.sets(st.sampled_from(values)), min_size=n, max_size=n))
        multi[spec.name] = [
            (rid, v) for rid, t in zip(ids, ticks, strict=True) for v in values if v in t
        ]
    aims: list[tuple[str, str, str | None]] = []
    if cb.aims is not None:
        aim_values = [o.value for o in cb.aims.options]
        outcomes = [*dict.fromkeys(cb.aims.answers.values()), None]
        for rid in ids:
            chosen = draw(st.sets(st.sampled_from(aim_values), max_size=4))
            for aim in aim_values:
                if aim in chosen:
                    aims.append((rid, aim, draw(st.sampled_from(outcomes))))
    return build_survey(cb, ids, singles, ccg, multi, aims)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=surveys(), variant=st.sampled_from(list(VARIANTS)))
def test_write_then_read_is_identity(tmp_path: Path, data: SurveyData, variant: str) -> None:
    extension, options = VARIANTS[variant]
    path = write_survey(data, tmp_path / f"roundtrip.{extension}", **options)
    back = read_survey(path, data.meta.codebook or "")
    assert same_data(data, back), variant


# -- corruption --------------------------------------------------------------------------------

_BASE: dict[str, bytes] = {}
_ORIGINAL: dict[str, SurveyData] = {}


def base_file(codebook: str, tmp: Path) -> bytes:
    """A small valid CSV export per codebook, built once."""
    if codebook not in _BASE:
        path = write_survey(random_survey(codebook, n=4, seed=3), tmp / f"base-{codebook}.csv")
        _BASE[codebook] = path.read_bytes()
    return _BASE[codebook]


@st.composite
def corruptions(draw: st.DrawFn, size: int) -> list[tuple[str, int, int, bytes]]:
    """One to three edits: replace, delete, insert bytes, duplicate a chunk, truncate."""
    kinds = st.sampled_from(["replace", "delete", "insert", "duplicate", "truncate", "byte"])
    edits = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(kinds)
        start = draw(st.integers(0, max(size - 1, 0)))
        length = draw(st.integers(1, 40))
        payload = draw(
            st.binary(min_size=1, max_size=6)
            | st.sampled_from([b",", b'"', b"\n", b"\r\n", b";", b"\x00", b"\xff", b"\xef\xbb\xbf"])
        )
        edits.append((kind, start, length, payload))
    return edits


def corrupt(data: bytes, edits: list[tuple[str, int, int, bytes]]) -> bytes:
    for kind, start, length, payload in edits:
        start = min(start, len(data))
        if kind == "replace":
            data = data[:start] + payload + data[start + len(payload) :]
        elif kind == "delete":
            data = data[:start] + data[start + length :]
        elif kind == "insert":
            data = data[:start] + payload + data[start:]
        elif kind == "duplicate":
            data = data[:start] + data[start : start + length] + data[start:]
        elif kind == "truncate":
            data = data[:start]
        else:
            data = data[:start] + bytes([payload[0]]) + data[start + 1 :]
    return data


@pytest.fixture(scope="module")
def corruption_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corruption")


@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(codebook=st.sampled_from(CODEBOOKS), seed=st.data())
def test_corrupted_csv_gives_data_or_our_own_error(
    corruption_dir: Path, codebook: str, seed: st.DataObject
) -> None:
    base = base_file(codebook, corruption_dir)
    edits = seed.draw(corruptions(len(base)))
    path = corruption_dir / "corrupt.csv"
    path.write_bytes(corrupt(base, edits))
    try:
        data = read_survey(path, codebook)
    except LoadError as error:
        report = error.report
        if report is not None:  # rows were read: the accounting must hold
            assert report.rows_read == report.rows_accepted + report.rows_rejected  # type: ignore[attr-defined]
        return
    except GpcollabError:
        return
    # loaded without complaint: every non-blank line after the header became a respondent
    lines = [line for line in path.read_bytes().splitlines()[1:] if line.strip(b" \t,;|")]
    assert data.n <= len(lines)
    assert data.meta.n == data.n


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(codebook=st.sampled_from(CODEBOOKS), seed=st.integers(0, 2**32 - 1))
def test_case_and_whitespace_noise_gives_the_same_data(
    corruption_dir: Path, codebook: str, seed: int
) -> None:
    import csv
    import io

    if codebook not in _ORIGINAL:
        _ORIGINAL[codebook] = random_survey(codebook, n=4, seed=3)
    original = _ORIGINAL[codebook]
    text = base_file(codebook, corruption_dir).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rng = random.Random(seed)
    for row in rows[1:]:
        for k in range(1, len(row)):  # not the id: ids are case-sensitive text
            if row[k] and rng.random() < 0.5:
                cell = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in row[k])
                row[k] = (
                    " " * rng.randint(0, 2) + cell.replace(" ", "  ") + "\t" * rng.randint(0, 1)
                )
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path = corruption_dir / "noisy.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    assert same_data(read_survey(path, codebook), original)


# -- dialects: ragged rows, quoting, separators, encodings ----------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=surveys(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    quote_all=st.booleans(),
    ragged=st.booleans(),
    line_end=st.sampled_from(["\n", "\r\n"]),
    leading_blank=st.integers(0, 2),
)
def test_csv_dialects_give_the_same_data(
    tmp_path: Path,
    data: SurveyData,
    encoding: str,
    delimiter: str,
    quote_all: bool,
    ragged: bool,
    line_end: str,
    leading_blank: int,
) -> None:
    """Excel-style ragged rows, any quoting, separator, encoding, line end: same data."""
    import csv
    import io

    rows = read_rows(write_survey(data, tmp_path / "plain.csv"))
    if ragged:  # Excel leaves out trailing empty cells
        rows = [rows[0]] + [
            r[: max((k for k, c in enumerate(r) if c), default=0) + 1] for r in rows[1:]
        ]
    buffer = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=line_end).writerows(
        rows
    )
    text = line_end * leading_blank + buffer.getvalue()
    try:
        payload = text.encode(encoding)
    except UnicodeEncodeError:  # an id outside cp1252: not a case for this encoding
        return
    path = tmp_path / "dialect.csv"
    path.write_bytes(payload)
    back, report = read_survey(path, data.meta.codebook or "", strict=False)
    assert report.ok, str(report)
    assert same_data(back, data)
    assert report.rows_read == data.n
    assert report.blank_rows == tuple(range(1, leading_blank + 1))


# -- decimal marks --------------------------------------------------------------------------


def _numeric_codebook(folder: Path) -> Path:
    path = folder / "numeric.toml"
    if not path.exists():
        source = Path(__file__).resolve().parents[1] / "src" / "gpcollab" / "codebooks"
        body = (source / "ccg2015.toml").read_text(encoding="utf-8")
        body = body.replace('name = "ccg2015"', 'name = "numeric"').replace(
            "[columns.ccg_code]", '[columns.weight]\ncolumn = "Weight"\n\n[columns.ccg_code]'
        )
        path.write_text(body, encoding="utf-8")
    return path


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    weights=st.lists(
        st.integers(0, 10**7).map(lambda k: k / 100) | st.integers(0, 500).map(float),
        min_size=1,
        max_size=6,
    ),
    comma=st.booleans(),
    group=st.booleans(),
)
def test_decimal_marks_read_exactly_or_reject(
    corruption_dir: Path, weights: list[float], comma: bool, group: bool
) -> None:
    """A weight written with either mark (thousands grouped or not) is read as written, or its
    cell is set missing and listed: it never becomes another number."""
    codebook = _numeric_codebook(corruption_dir)
    base = random_survey("ccg2015", n=len(weights), seed=1)
    rows = read_rows(write_survey(base, corruption_dir / "dec.csv"))
    rows[0].append("Weight")

    def written(value: float) -> str:
        whole, _, fraction = f"{value:.2f}".partition(".")
        if group:
            whole = f"{int(whole):,}".replace(",", "." if comma else ",")
        fraction = fraction.rstrip("0")
        mark = "," if comma else "."
        return whole + (mark + fraction if fraction else "")

    for row, value in zip(rows[1:], weights, strict=True):
        row.append(written(value))
    path = write_rows(corruption_dir / "dec.csv", rows, delimiter=";" if comma else ",")
    data, report = read_survey(path, codebook, strict=False)
    got = dict(zip(data.respondents["respondent_id"], data.respondents["weight"], strict=True))
    listed = {cell.respondent_id for cell in report.missing_cells if cell.column == "Weight"}
    for rid, value in zip(base.respondents["respondent_id"], weights, strict=True):
        if rid in listed:
            assert math.isnan(got[rid]), (written(value), report)
        else:
            assert got[rid] == pytest.approx(value, abs=1e-9), (written(value), report)
    assert report.rows_read == len(weights) == data.n


# -- unclosed quotes ------------------------------------------------------------------------


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(codebook=st.sampled_from(CODEBOOKS), seed=st.data())
def test_stray_quote_never_hides_rows(
    corruption_dir: Path, codebook: str, seed: st.DataObject
) -> None:
    """A quote inserted anywhere: rows read still equals the data lines of the file."""
    original = random_survey(codebook, n=8, seed=2)
    rows = read_rows(write_survey(original, corruption_dir / "q.csv"))
    path = write_rows(corruption_dir / "q.csv", rows, delimiter=";")
    lines = path.read_text(encoding="utf-8").splitlines()
    line = seed.draw(st.integers(1, len(lines) - 1))
    where = seed.draw(st.integers(0, len(lines[line])))
    lines[line] = lines[line][:where] + '"' + lines[line][where:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, report = read_survey(path, codebook, strict=False)
    assert report.rows_read == len(lines) - 1
    assert report.rows_read == report.rows_accepted + report.rows_rejected
    assert data.n == report.rows_accepted >= len(lines) - 2


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(codebook=st.sampled_from(CODEBOOKS), seed=st.data())
def test_quote_closed_by_a_later_quoted_answer_never_hides_rows(
    corruption_dir: Path, codebook: str, seed: st.DataObject
) -> None:
    """A field opens a quote it never closes; a quoted answer on a later line "closes" it.

    Whatever the two fields (the same position included), rows read equals the data lines, only
    the row where the quote opens is lost, and every other respondent is read.
    """
    original = random_survey(codebook, n=8, seed=2)
    rows = read_rows(write_survey(original, corruption_dir / "q.csv"))
    width = len(rows[0])
    opened = seed.draw(st.integers(2, len(rows) - 2), label="line where the quote opens")
    closed = seed.draw(st.integers(opened + 1, min(opened + 2, len(rows))), label="closing line")
    i = seed.draw(st.integers(1, width - 1), label="field opening the quote")
    j = seed.draw(st.integers(1, width - 1), label="quoted field closing it")
    opening = [_quoted(c) for c in rows[opened - 1]]
    # the quote must stay open to the end of its line: no quoted answer after it on that line
    assume(all('"' not in c for c in opening[i:]))
    opening[i] = '"' + opening[i]
    closing = [_quoted(c) for c in rows[closed - 1]]
    closing[j] = f'"{rows[closed - 1][j] or "x"}"'
    lines = [",".join(_quoted(c) for c in row) for row in rows]
    lines[opened - 1], lines[closed - 1] = ",".join(opening), ",".join(closing)
    path = corruption_dir / "q.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data, report = read_survey(path, codebook, strict=False)
    assert report.rows_read == len(lines) - 1
    assert [r.row for r in report.rejections] == [opened]
    lost = rows[opened - 1][0]
    kept = [row[0] for row in rows[1:] if row[0] != lost]
    assert data.respondents["respondent_id"].tolist() == kept


def _quoted(cell: str) -> str:
    """A cell as CSV writes it (quoted when it holds a comma, a quote or a line break)."""
    if any(c in cell for c in ',"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell
