"""The CSV guard, one for every export (report/export.py, the batch summary): OWASP's rule for
a cell's start and for every part a separator could split off, and every cell quoted."""

from __future__ import annotations

import csv
import io

import pytest

from interview.batch.output import Row, summary_csv
from interview.report.export import guard, safe_cell, to_csv


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+1",
        "-2+3",
        "@SUM(A1)",
        "\tx",
        "x;=1+1",
        "x,=1+1",
        "Ana; +cmd|' /C calc'!A0",
        "Bo,  @SUM(A1)",
        "a\t-1",
        "a\n=1",
    ],
)
def test_text_a_spreadsheet_could_evaluate_gets_an_apostrophe(text: str) -> None:
    assert guard(text) == "'" + text
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Ana Silva", "Ana-Maria O'Neil", "李雷, Jr.", "a;b", "x = 1"])
def test_plain_text_and_numbers_are_left_as_they_are(text: str) -> None:
    assert guard(text) == text
    assert (safe_cell(-2.5), safe_cell(-3), safe_cell(None)) == ("-2.50", "-3", "")


def test_every_cell_of_the_export_and_the_batch_summary_is_quoted() -> None:
    text = to_csv(["name", "overall"], [["x;=1+1", 50.0], ["李雷, Jr.", None]])
    assert text == '\ufeff"name","overall"\r\n"\'x;=1+1","50.00"\r\n"李雷, Jr.",""\r\n'
    summary = summary_csv([Row("a", "failed", "x;=1+1", error="no; @SUM(1)")])
    assert all(line.startswith('"') for line in summary.splitlines())
    row = next(csv.DictReader(io.StringIO(summary)))
    assert (row["candidate_id"], row["error"]) == ("'x;=1+1", "'no; @SUM(1)")


def test_text_stored_before_input_was_cleaned_leaves_clean() -> None:
    """Rows written before the CSV import cleaned names still hold NULs and bidi overrides."""
    text = to_csv(["name"], [["Ana\x00 Silva\u202e"], ["\u2066=1+1\u2069"], ["a\nb"]])
    assert text == '\ufeff"name"\r\n"Ana Silva"\r\n"\'=1+1"\r\n"a\nb"\r\n'
    assert guard("x\u200b;\x00=1") == "'x;=1" and guard("\r=1") == "'=1"
