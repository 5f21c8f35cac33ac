"""HR dashboard queries and downloads at size: the progress list (filtered, sorted, paged),
its CSV export, the four-fifths report, and a report PDF. Last line: one JSON object.

Seeds a temporary SQLite database with one organization, one role and N interviews (a third
scored, with reports built by report.build from hand-made scores; a self-reported group
for most), then times each operation (median of repeats, milliseconds). No model runs.

Usage: bench/dashboard.py [--sessions 3000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from interview.accounts.users import create_organization
from interview.competency.library import load_library
from interview.competency.schemas import CompetencyModel, WeightedCompetency
from interview.hiring.dashboard import (
    EXPORT_HEADER,
    MAX_EXPORT,
    SessionQuery,
    export_rows,
    fairness_outcomes,
    list_sessions,
)
from interview.hiring.invitations import invite
from interview.hiring.roles import store_role
from interview.questions.plan import build_plan
from interview.report.build import build_report
from interview.report.export import to_csv
from interview.report.fairness import adverse_impact
from interview.report.pdf import report_pdf
from interview.report.schemas import Provenance, Report
from interview.scoring.schemas import AnswerScore, Evidence
from interview.storage.db import Database
from interview.storage.tables import InterviewSession, JobRole, SelfReport
from interview.storage.tables import Report as ReportRow

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
QUOTE = "I split the shop floor into zones and served every customer before closing."


def _model() -> CompetencyModel:
    lib = load_library()
    ids = ("customer_orientation", "teamwork", "integrity", "problem_solving")
    return CompetencyModel(
        role_title="Retail associate",
        template_id=None,
        library_version=lib.version,
        items=tuple(WeightedCompetency(competency=lib.competency(c), weight=0.25) for c in ids),
    )


def _report(session_id: str, name: str, model: CompetencyModel, i: int) -> Report:
    scores = []
    for k, item in enumerate(model.items):
        value = 1.0 + (i * 7 + k * 3) % 40 / 10.0
        ev = Evidence(
            question_id=f"q{k}", quote=QUOTE, start_char=0, end_char=len(QUOTE),
            start_s=1.0 + k, end_s=4.0 + k, supports="anchor:3", similarity=0.8,
        )  # fmt: skip
        scores.append(
            AnswerScore(
                question_id=f"q{k}",
                competency_id=item.competency.id,
                level=round(value),
                value=value,
                confidence=0.8,
                anchor_similarity=(0.2,) * 5,
                matched_positive=(),
                matched_negative=(),
                evidence=(ev,),
            )  # fmt: skip
        )
    prov = Provenance(
        package_version="bench", library_version="x", competency_model_version=1,
        models={"embed": "e5"}, settings_hash="h", scored_at=NOW,
    )  # fmt: skip
    return build_report(
        session_id=session_id, candidate_name=name, language="en", model=model,
        scores=scores, asked=[s.question_id for s in scores], provenance=prov,
    )  # fmt: skip


def seed(db: Database, n: int) -> tuple[str, str, Report]:
    model = _model()
    plan = build_plan(model, "en", max_questions=4, items=[])
    with db.session() as s:
        org = create_organization(s, "Bench", NOW)
        role = store_role(s, org.id, "Retail associate", "", "en", model, plan, "bench", NOW)
        org_id, role_id = org.id, role.id
    last = None
    with db.session() as s:
        for i in range(n):
            inv = invite(s, org_id, role_id, f"Candidate {i:05d}", f"c{i}@x.io", "en", "bench",
                         NOW + timedelta(seconds=i))  # fmt: skip
            if i % 4:
                group = f"G{i % 3}"
                s.add(SelfReport(session_id=inv.session_id, group_label=group, created_at=NOW))
            if i % 3 == 0:
                rep = _report(inv.session_id, f"Candidate {i:05d}", model, i)
                body = rep.model_dump(mode="json")
                body["integrity"] = ("low", "medium", "high")[(i // 3) % 3]
                s.add(ReportRow(session_id=inv.session_id, overall=rep.overall, body=body,
                                created_at=NOW))  # fmt: skip
                sess = s.get(InterviewSession, inv.session_id)
                assert sess is not None
                sess.status = "scored"
                last = rep
    assert last is not None
    return org_id, role_id, last


def timed(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(runs), 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        start = time.perf_counter()
        org_id, role_id, report = seed(db, args.sessions)
        seed_s = time.perf_counter() - start
        out: dict[str, object] = {"sessions": args.sessions, "seed_s": round(seed_s, 1)}
        with db.session() as s:
            role = s.get(JobRole, role_id)
            assert role is not None
            cases = {
                "list_page_ms": SessionQuery(),
                "list_band_sorted_ms": SessionQuery(band="advance", sort="-overall"),
                "list_search_ms": SessionQuery(search="00042"),
                "list_integrity_sorted_ms": SessionQuery(sort="-integrity"),
            }
            for key, q in cases.items():

                def page(q: SessionQuery = q) -> object:
                    return list_sessions(s, org_id, q, 50, 100, NOW)

                out[key] = timed(page, args.repeat)
                print(f"{key}: {out[key]} ms", file=sys.stderr)

            def export() -> str:
                rows, _ = list_sessions(s, org_id, SessionQuery(), MAX_EXPORT, 0, NOW)
                return to_csv(EXPORT_HEADER, export_rows(rows))

            out["csv_export_ms"] = timed(export, args.repeat)
            out["csv_bytes"] = len(export().encode())
            out["fairness_ms"] = timed(
                lambda: adverse_impact(fairness_outcomes(s, role, "recommendation")), args.repeat
            )
        out["pdf_first_ms"] = timed(lambda: report_pdf(report), 1)  # finds and reads fonts
        out["pdf_ms"] = timed(lambda: report_pdf(report), args.repeat)
        out["pdf_bytes"] = len(report_pdf(report))
        db.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
