"""A scored interview written back: its scores, report and integrity flags, replacing
the previous ones, and the perceptions a re-score reuses. Or, without consent to AI
assessment, none of these: the interview is handed to a person to assess."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interview.errors import NotFound
from interview.integrity.recording import PerceivedAnswer
from interview.privacy.audit import audit
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
    clear_scores(s, report.session_id)
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


# The session's status while a person, not the AI, assesses it (consent to AI assessment
# was withdrawn, or never given): no AI scores, no recommendation.
PERSON_STATUS = "manual"


def clear_scores(s: Session, session_id: str) -> int:
    """Delete a session's AI-derived scores, report and integrity flags; returns the number
    of rows deleted. Transcripts stay: they are the candidate's words, not an assessment."""
    n = 0
    for table in (ScoreRow, ReportRow, IntegrityFlag):
        result = s.execute(delete(table).where(table.session_id == session_id))
        n += result.rowcount or 0  # type: ignore[attr-defined]
    return n


def lock_session(s: Session, session_id: str) -> InterviewSession:
    """The session row, locked for this transaction: a consent withdrawal and a scoring
    job's writes take turns, so scores written by one are deleted by the other."""
    sess = s.get(InterviewSession, session_id, with_for_update=True, populate_existing=True)
    if sess is None:
        raise NotFound(f"interview session {session_id!r} not found")
    return sess


def assess_by_person(s: Session, session_id: str, actor: str, now: datetime) -> dict[str, Any]:
    """Without consent to AI assessment: delete any AI scores of the session and leave it
    for a person to assess. Safe to repeat; the audit trail records when it changed."""
    sess = lock_session(s, session_id)
    removed = clear_scores(s, session_id)
    before = sess.status
    if sess.status in ("completed", "scored"):
        sess.status = PERSON_STATUS
    if removed or sess.status != before:
        audit(
            s,
            sess.organization_id,
            actor,
            "assessment.person",
            f"session:{sess.id}",
            now,
            reason="no consent to AI assessment",
            deleted_rows=removed,
        )
    return {"assessed_by": "person", "reason": "no consent to AI assessment"}
