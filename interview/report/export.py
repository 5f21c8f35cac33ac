"""CSV export, safe to open in a spreadsheet: the HR progress list and the batch summary. Pure.

A cell that begins with =, +, -, @ (or a tab or carriage return) is read as a formula by
Excel, LibreOffice and Google Sheets; a candidate could put one in their name. Some of them
also split a cell at a field separator (a "," or ";" in the locale's CSV dialect), so
"x;=1+1" holds a formula too. OWASP's advice (CSV injection), followed here: such a cell gets
a leading apostrophe, which spreadsheets show as text, and every cell is quoted. Text leaves
as it would have entered (text/clean.py): rows stored before the input was cleaned lose
their control and invisible characters here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from interview.text.clean import clean_text

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a new cell inside ours: either field separator, a tab, a line.
_PARTS = re.compile(r"[,;\t\r\n]")


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet could read `text`, or a separator-split part of it, as a
    formula (a part may start after spaces)."""
    if text.startswith(FORMULA_START):
        return True
    return any(part.lstrip(" ").startswith(FORMULA_START) for part in _PARTS.split(text))


def guard(text: str) -> str:
    """`text` cleaned, with an apostrophe before it when a spreadsheet could evaluate it."""
    text = clean_text(text)
    return "'" + text if needs_guard(text) else text


def safe_cell(value: object) -> str:
    """The value as text for a CSV cell: numbers as they are (two decimals for a float),
    text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return guard(str(value))
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 CSV (every cell quoted, CRLF line ends) of guarded cells, with a BOM so
    Excel reads UTF-8 (Chinese names) correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return "\ufeff" + out.getvalue()
