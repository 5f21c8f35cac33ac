"""CSV export of the HR progress list, safe to open in a spreadsheet. Pure.

A cell that begins with =, +, -, @ (or a tab or carriage return) is read as a formula by
Excel, LibreOffice and Google Sheets; a candidate could put one in their name. Such cells
get a leading apostrophe, which spreadsheets show as text (OWASP: CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with an apostrophe before anything a spreadsheet would evaluate."""
    if value is None:
        return ""
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 CSV (quoted where needed, CRLF line ends) of escaped cells, with a BOM so
    Excel reads UTF-8 (Chinese names) correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return "\ufeff" + out.getvalue()
