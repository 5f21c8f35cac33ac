"""Database tables (SQLAlchemy 2). Alembic migrations in interview/migrations mirror these."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on SQLite (which drops tzinfo) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_token_generation() -> int:
    """A fresh, unguessable token generation (62 random bits: fits a signed BIGINT); see
    accounts/credentials.py for what a generation does."""
    return secrets.randbits(62)


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Organization(Base):
    __tablename__ = "organization"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # Interviewer persona and other per-organization settings.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin, recruiter, reviewer, hiring_manager
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Every sign-in token carries this; bumping it signs the user out everywhere.
    # Random, never a counter (accounts/credentials.py); every sign-out draws a new one.
    token_generation: Mapped[int] = mapped_column(
        BigInteger, default=new_token_generation, server_default="0"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRole(Base):
    __tablename__ = "job_role"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="en")
    # Modality switches, weights, thresholds, compliance profile.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CompetencyModelRow(Base):
    __tablename__ = "competency_model"
    __table_args__ = (UniqueConstraint("role_id", "version"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    role_id: Mapped[str] = mapped_column(ForeignKey("job_role.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column()  # CompetencyModel as JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionPlanRow(Base):
    __tablename__ = "question_plan"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    role_id: Mapped[str] = mapped_column(ForeignKey("job_role.id", ondelete="CASCADE"), index=True)
    competency_model_id: Mapped[str] = mapped_column(
        ForeignKey("competency_model.id", ondelete="CASCADE")
    )
    language: Mapped[str] = mapped_column(String(2))
    spec: Mapped[dict[str, Any]] = mapped_column()  # QuestionPlan as JSON
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Candidate(Base):
    __tablename__ = "candidate"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    resume_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InterviewSession(Base):
    __tablename__ = "interview_session"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("candidate.id", ondelete="CASCADE"), index=True
    )
    role_id: Mapped[str] = mapped_column(ForeignKey("job_role.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("question_plan.id", ondelete="CASCADE"))
    # sha256 of the invite token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # invited, started, completed, scored, reviewed
    status: Mapped[str] = mapped_column(String(20), default="invited", index=True)
    language: Mapped[str] = mapped_column(String(2), default="en")
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("session_id", "question_id", "attempt"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(10))  # text, audio, video, choice
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Content-addressed blob keys of the media (sha256 hex), in order.
    media: Mapped[list[Any]] = mapped_column(default=list)
    media_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    transcript: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUpDecision(Base):
    """What was decided after an answer to an open question (or a reply to its probe): a
    probe asked, none needed, or none because the decision failed or came too late, so the
    report can say why a question got no follow-up."""

    __tablename__ = "followup_decision"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))  # the question, not the probe
    outcome: Mapped[str] = mapped_column(String(20))  # see candidate.followups.Outcome
    gap: Mapped[str | None] = mapped_column(String(20), nullable=True)
    missing: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FollowUpPrompt(Base):
    """A follow-up probe asked after an answer; its answer is stored under `<question>~f<n>`."""

    __tablename__ = "followup_prompt"
    __table_args__ = (UniqueConstraint("session_id", "question_id", "n"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    n: Mapped[int] = mapped_column(Integer)  # 1 or 2
    gap: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionShown(Base):
    """When the server first showed a question to the candidate (timed items, answer delay)."""

    __tablename__ = "question_shown"
    __table_args__ = (UniqueConstraint("session_id", "question_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    shown_at: Mapped[datetime] = mapped_column(default=utcnow)


class Recording(Base):
    """One take of a recorded answer, uploaded in chunks; `finished` once joined and stored."""

    __tablename__ = "recording"
    __table_args__ = (UniqueConstraint("session_id", "question_id", "take"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    take: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, finished
    chunk_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    answer_id: Mapped[str | None] = mapped_column(
        ForeignKey("answer.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)


class RecordingChunk(Base):
    """One MediaRecorder blob of a take, durable in the blob store under `blob_key`."""

    __tablename__ = "recording_chunk"
    __table_args__ = (UniqueConstraint("recording_id", "seq"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    recording_id: Mapped[str] = mapped_column(
        ForeignKey("recording.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)  # 0, 1, 2... in recording order
    blob_key: Mapped[str] = mapped_column(String(64))  # sha256 of the bytes
    size: Mapped[int] = mapped_column(Integer)  # bytes
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntegrityEvent(Base):
    """A browser event (focus lost, tab hidden, paste...) as the page reported it."""

    __tablename__ = "integrity_event"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    question_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    client_ms: Mapped[int] = mapped_column(BigInteger)  # the browser's clock, ms since epoch
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # counts, never content
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class EnrollmentPhoto(Base):
    """The candidate's enrollment photo (identity checks compare answers' faces with it)."""

    __tablename__ = "enrollment"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    blob_key: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(20))
    # interview.integrity.identity.Enrollment as JSON, when that check ran.
    descriptor: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Score(Base):
    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("session_id", "competency_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    competency_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)  # continuous level, 1.0 to 5.0
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntegrityFlag(Base):
    __tablename__ = "integrity_flag"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[str | None] = mapped_column(
        ForeignKey("answer.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))  # low, medium, high
    confidence: Mapped[float] = mapped_column(Float)
    start_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    __tablename__ = "report"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), unique=True
    )
    overall: Mapped[float] = mapped_column(Float)
    body: Mapped[dict[str, Any]] = mapped_column()  # Report as JSON
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewOverride(Base):
    __tablename__ = "review_override"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    # SET NULL: deleting a user account keeps the review trail.
    reviewer_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    competency_id: Mapped[str] = mapped_column(String(64))
    old_level: Mapped[int] = mapped_column(Integer)
    new_level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Review(Base):
    """The human review of one interview: who reviews it, and the final decision."""

    __tablename__ = "review"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), unique=True
    )
    reviewer_id: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
    )
    assigned_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decision: Mapped[str | None] = mapped_column(String(10), nullable=True)  # advance reject hold
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SelfReport(Base):
    """A candidate's voluntary self-reported group, for the adverse-impact (four-fifths) report
    only. Kept apart from scoring: nothing that scores an interview reads this table."""

    __tablename__ = "self_report"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), unique=True
    )
    group_label: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewRequest(Base):
    """A candidate's request for a human review of their interview (GDPR Art. 22)."""

    __tablename__ = "review_request"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Open until a person answers it: a level change or decision after the request, or an
    # explicit answer with a note. SET NULL: deleting a user account keeps the answer.
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    answered_by: Mapped[str | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    # How it was answered: note, override or decision (hiring.review.ANSWERED_VIA).
    answered_via: Mapped[str | None] = mapped_column(String(10), nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)  # the note, if one was written


class ConsentRecord(Base):
    __tablename__ = "consent_record"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    session_id: Mapped[str] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))  # recording, ai_assessment, biometric
    granted: Mapped[bool] = mapped_column(Boolean)
    notice_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    organization_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # user:<id>, candidate:<session>, system
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (Index("ix_job_claim", "status", "run_after"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    # Deduplicates submissions: one live job per key.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued running done failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    worker: Mapped[str | None] = mapped_column(String(100), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Heartbeat(Base):
    """The last time a check proved the database takes writes (/ready upserts its row)."""

    __tablename__ = "heartbeat"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    at: Mapped[datetime] = mapped_column()
