"""What `interview score --out DIR` writes: a report JSON per candidate, summary.csv, index.html.

Each report file is the report the dashboard shows plus a "batch" object: the resume key and
what it covers, where the candidate came from, and the answers as scored (typed text or the
transcript), so a re-run can skip the candidate and still compare the others with it. Files
are written whole or not at all (a temporary file renamed into place): a run killed midway
leaves no half-written report.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import ValidationError

from interview.report.export import guard
from interview.report.schemas import Report

REPORTS = "reports"
SUMMARY = "summary.csv"
INDEX = "index.html"
Status = Literal["scored", "skipped", "failed"]


@dataclass(frozen=True)
class StoredAnswer:
    n: int  # 1-based answer number
    question: str
    text: str  # what was scored: typed text or the transcript
    file: str | None = None
    spoken: bool = False


@dataclass(frozen=True)
class StoredReport:
    report: Report
    key: str
    answers: tuple[StoredAnswer, ...]


@dataclass(frozen=True)
class Row:
    """One candidate's line in the summary."""

    source: str
    status: Status
    candidate_id: str | None = None
    role: str = ""
    report: Report | None = None
    error: str = ""
    file: str = ""  # the report file, relative to the output folder
    extra: dict[str, Any] = field(default_factory=dict)


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def report_document(
    report: Report, key: str, parts: dict[str, Any], source: str, answers: Sequence[StoredAnswer]
) -> dict[str, Any]:
    """The report file's JSON: the report's own fields, and "batch"."""
    return {
        **report.model_dump(mode="json"),
        "batch": {
            "key": key,
            "key_parts": parts,
            "candidate_id": report.session_id,
            "source": source,
            "answers": [a.__dict__ for a in answers],
        },
    }


def write_report(path: Path, document: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def load_report(path: Path) -> StoredReport | None:
    """A report file written by an earlier run; None when missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        batch = data.pop("batch")
        return StoredReport(
            report=Report.model_validate(data),
            key=str(batch["key"]),
            answers=tuple(StoredAnswer(**a) for a in batch.get("answers", [])),
        )
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        return None


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is guarded (report/export.py)."""
    return guard(value) if isinstance(value, str) else value


def summary_rows(rows: Sequence[Row]) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, one dict per candidate): the CSV's content."""
    competencies = sorted(
        {c.competency_id for r in rows if r.report for c in r.report.competencies}
    )
    columns = [
        "candidate_id",
        "name",
        "role",
        "language",
        "status",
        "overall",
        "band",
        "integrity",
        "coverage",
        "error",
        "report",
        *(f"level:{c}" for c in competencies),
    ]
    out = []
    for r in rows:
        line: dict[str, Any] = {
            "candidate_id": r.candidate_id or "",
            "role": r.role,
            "status": r.status,
            "error": r.error,
            "report": r.file,
        }
        if r.report is not None:
            levels = {c.competency_id: c.level for c in r.report.competencies}
            line |= {
                "name": r.report.candidate_name,
                "role": r.report.role_title,
                "language": r.report.language,
                "overall": r.report.overall,
                "band": r.report.band,
                "integrity": r.report.integrity,
                "coverage": r.report.coverage,
                **{f"level:{c}": levels.get(c, "") for c in competencies},
            }
        out.append({c: _cell(line.get(c, "")) for c in columns})
    return columns, out


def summary_csv(rows: Sequence[Row]) -> str:
    columns, lines = summary_rows(rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(lines)
    return buf.getvalue()


def index_html(rows: Sequence[Row], title: str) -> str:
    """A static page: one table row per candidate, every text escaped, links to the JSON."""
    counts = {s: sum(r.status == s for r in rows) for s in ("scored", "skipped", "failed")}
    body = []
    for r in rows:
        rep = r.report
        link = (
            f'<a href="{html.escape(quote(r.file))}">{html.escape(r.candidate_id or "")}</a>'
            if r.file
            else html.escape(r.candidate_id or r.source)
        )
        cells = [
            link,
            html.escape(rep.role_title if rep else r.role),
            f"{rep.overall:.1f}" if rep else "",
            html.escape(rep.band) if rep else "",
            html.escape(rep.integrity) if rep else "",
            html.escape(r.status),
            html.escape(r.error),
        ]
        tds = "".join(f"<td>{c}</td>" for c in cells)
        body.append(f'<tr class="{html.escape(r.status)}">{tds}</tr>')
    head = "".join(
        f"<th>{h}</th>"
        for h in ("Candidate", "Role", "Overall", "Band", "Integrity", "Status", "Error")
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
        "tr.failed{background:#fdd}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{counts['scored']} scored, {counts['skipped']} unchanged since an earlier run, "
        f"{counts['failed']} failed. Scores support a human decision; integrity levels say "
        "how closely a reviewer should look, never a verdict.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>\n"
        + "\n".join(body)
        + "\n</tbody></table></body></html>\n"
    )


def write_summary(out: Path, rows: Sequence[Row], title: str) -> None:
    atomic_write(out / SUMMARY, summary_csv(rows))
    atomic_write(out / INDEX, index_html(rows, title))
