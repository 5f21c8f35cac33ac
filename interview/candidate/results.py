"""A scored interview written back: its scores, report and integrity flags, replacing
the previous ones, and the perceptions a re-score reuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interview.integrity.recording import PerceivedAnswer
from interview.report.schemas import Report
from interview.storage.tables import (
    Answer,
    IntegrityFlag,
    InterviewSession,
)
from interview.storage.tables import Report as ReportRow
from interview.storage.tables import Score as ScoreRow


def write_scores(
    s: Session,
    report: Report,
    job_id: str | None,
    now: datetime,
    perceived: dict[str, PerceivedAnswer] | None = None,
) -> None:
    """Replace a session's scores and report (a re-score overwrites, never duplicates), and
    keep fresh perceptions so a re-score does not transcribe again."""
    for answer_id, p in (perceived or {}).items():
        row = s.get(Answer, answer_id)
        if row is not None:
            row.transcript = p.model_dump(mode="json")
    s.execute(delete(ScoreRow).where(ScoreRow.session_id == report.session_id))
    s.execute(delete(ReportRow).where(ReportRow.session_id == report.session_id))
    s.execute(delete(IntegrityFlag).where(IntegrityFlag.session_id == report.session_id))
    answer_ids = dict(
        s.execute(
            select(Answer.question_id, Answer.id)
            .where(Answer.session_id == report.session_id)
            .order_by(Answer.attempt)
        ).all()
    )
    for f in report.integrity_flags:
        s.add(
            IntegrityFlag(
                session_id=report.session_id,
                answer_id=answer_ids.get(f.question_id) if f.question_id else None,
                kind=f.kind,
                severity=f.severity,
                confidence=f.confidence,
                start_s=f.start_s,
                end_s=f.end_s,
                evidence=f.model_dump(mode="json"),
                created_at=now,
            )
        )
    for r in report.competencies:
        s.add(
            ScoreRow(
                session_id=report.session_id,
                competency_id=r.competency_id,
                level=r.level,
                value=r.value,
                confidence=r.confidence,
                evidence=[e.model_dump(mode="json") for e in r.evidence],
                job_id=job_id,
                created_at=now,
            )
        )
    s.add(
        ReportRow(
            session_id=report.session_id,
            overall=report.overall,
            body=report.model_dump(mode="json"),
            job_id=job_id,
            created_at=now,
        )
    )
    sess = s.get(InterviewSession, report.session_id)
    if sess is not None and sess.status in ("completed", "started", "invited"):
        sess.status = "scored"
