"""gpcollab.safe_write: atomic writes, no writing through links, CSV formula neutralisation."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpcollab.errors import ArgumentError, GpcollabError
from gpcollab.safe_write import (
    neutralise_cell,
    output_folder,
    restore_cell,
    subfolder,
    write_bytes,
    write_csv_frame,
    write_text,
)


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1:A9)", "'+SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "-3"),  # plain numbers are data, not formulas
        ("+4.5", "+4.5"),
        ("-1e3", "-1e3"),
        ("Yes - formal", "Yes - formal"),
        ("", ""),
        ("'quoted'", "'quoted'"),
    ],
)
def test_neutralise_follows_owasp(cell: str, written: str) -> None:
    assert neutralise_cell(cell) == written
    assert restore_cell(written) == cell


@given(st.text(max_size=30))
def test_restore_undoes_neutralise(text: str) -> None:
    assert restore_cell(neutralise_cell(text)) == text
    assert not neutralise_cell(text).startswith(("=", "+", "@", "\t", "\r")) or text[:1] == "+"


def test_write_replaces_a_link_instead_of_following_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.html"
    outside.write_text("precious", encoding="utf-8")
    report = tmp_path / "report"
    report.mkdir()
    (report / "index.html").symlink_to(outside)
    write_text(report / "index.html", "<html></html>")
    assert outside.read_text(encoding="utf-8") == "precious"
    assert not (report / "index.html").is_symlink()
    assert (report / "index.html").read_text(encoding="utf-8") == "<html></html>"
    assert os.listdir(report) == ["index.html"]  # no temporary file left behind


def test_linked_subfolder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = output_folder(tmp_path / "out")
    (out / "figures").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(GpcollabError, match=r"figures: is a symbolic link; refusing"):
        subfolder(out, "figures")


def test_empty_or_wrong_output_folder(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="the output folder is empty"):
        output_folder("")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ArgumentError, match="exists and is not a folder"):
        output_folder(tmp_path / "file")


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(GpcollabError, match=r"cannot write '\\u2603'|cannot write '☃'"):
        write_text(target, "new ☃", encoding="cp1252")
    assert target.read_text(encoding="utf-8") == "old"
    with pytest.raises(GpcollabError, match="cannot write the file"):
        write_bytes(tmp_path / "missing-folder" / "x.bin", b"x")
    assert sorted(os.listdir(tmp_path)) == ["t.csv"]


def test_report_tables_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"finding": ["=cmd|' /C calc'!A0", "plain"], "value": [-0.5, None], "n": [3, 4]}
    )
    path = write_csv_frame(frame, tmp_path / "t.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert rows == [
        ["finding", "value", "n"],
        ["'=cmd|' /C calc'!A0", "-0.5", "3"],
        ["plain", "", "4"],
    ]
