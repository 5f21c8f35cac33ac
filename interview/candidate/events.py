"""What the candidate's page reports: when each question was shown, and browser events
(focus, tab visibility, paste and copy counts); read back as integrity evidence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interview.candidate.answers import answerable
from interview.candidate.followups import split_followup_id
from interview.candidate.session import has_consent, plan_of
from interview.errors import Conflict, InvalidInput
from interview.integrity import events as integrity_events
from interview.storage.tables import (
    IntegrityEvent,
    InterviewSession,
    QuestionShown,
)


def mark_shown(
    s: Session, sess: InterviewSession, question_id: str, now: datetime
) -> tuple[datetime, bool]:
    """Record when `question_id` was first shown; (that time, whether this call was the first).
    Timed items and the delay before answering are measured from it, on the server's clock."""
    answerable(s, sess, question_id)
    q = select(QuestionShown).where(
        QuestionShown.session_id == sess.id, QuestionShown.question_id == question_id
    )
    row = s.scalar(q)
    if row is not None:
        return row.shown_at, False
    s.add(QuestionShown(session_id=sess.id, question_id=question_id, shown_at=now))
    try:
        s.flush()
    except IntegrityError:  # shown twice at once: the other request's time is the first
        s.rollback()
        row = s.scalar(q)
        assert row is not None
        return row.shown_at, False
    return now, True


def shown_times(s: Session, session_id: str) -> dict[str, datetime]:
    """When each question (or follow-up) was first shown to the candidate, by question id."""
    rows = s.scalars(select(QuestionShown).where(QuestionShown.session_id == session_id))
    return {r.question_id: r.shown_at for r in rows}


EventKind = Literal[
    "focus_lost",
    "focus_back",
    "tab_hidden",
    "tab_visible",
    "paste",
    "copy",
    "answer_start",
    "page_load",  # loaded again during the interview (a reload): its gap is not leaving
]


class BrowserEvent(BaseModel):
    """One integrity event from the candidate's page; detail holds counts, never content."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: EventKind
    question_id: str | None = None
    client_ms: int  # the browser's clock, milliseconds since the epoch
    detail: dict[str, int | float | bool | str] = {}
    received_at: datetime  # the server's clock


def record_events(s: Session, sess: InterviewSession, events: Sequence[BrowserEvent]) -> int:
    """Store a batch of browser events of a running, consented interview; returns the count."""
    if sess.status != "started":
        raise Conflict(f"this interview is {sess.status}; browser events are not collected")
    if not has_consent(s, sess.id):
        raise Conflict("consent was not given; browser events are not collected")
    plan = plan_of(s, sess)
    for e in events:
        if e.question_id is not None and plan.question(split_followup_id(e.question_id)[0]) is None:
            raise InvalidInput(f"event question_id {e.question_id!r} is not in this interview")
    for e in events:
        s.add(
            IntegrityEvent(
                session_id=sess.id,
                kind=e.kind,
                question_id=e.question_id,
                client_ms=e.client_ms,
                detail=dict(e.detail),
                received_at=e.received_at,
            )
        )
    s.flush()
    return len(events)


def session_events(s: Session, session_id: str) -> list[BrowserEvent]:
    """A session's browser events in the order the server received them (for integrity)."""
    rows = s.scalars(
        select(IntegrityEvent)
        .where(IntegrityEvent.session_id == session_id)
        .order_by(IntegrityEvent.received_at, IntegrityEvent.client_ms)
    ).all()
    return [
        BrowserEvent(
            kind=r.kind,  # type: ignore[arg-type]  # only EventKind values are stored
            question_id=r.question_id,
            client_ms=r.client_ms,
            detail=r.detail,
            received_at=r.received_at,
        )
        for r in rows
    ]


def browser_evidence(
    s: Session, session_id: str
) -> tuple[list[integrity_events.BrowserEvent], dict[str, float]]:
    """The page's events on the server's clock, and when each question was first shown.

    The browser's clock may be off by minutes; the smallest (receipt - client time) over the
    events estimates that offset (the event sent with the least delay), and shifts them all."""
    stored = session_events(s, session_id)
    shown = {
        q: t.replace(tzinfo=t.tzinfo or UTC).timestamp()
        for q, t in shown_times(s, session_id).items()
    }
    if not stored:
        return [], shown
    offset = min(
        e.received_at.replace(tzinfo=e.received_at.tzinfo or UTC).timestamp() - e.client_ms / 1000
        for e in stored
    )
    return [
        integrity_events.BrowserEvent(
            kind=e.kind,
            at=e.client_ms / 1000 + offset,
            question_id=e.question_id,
            detail=dict(e.detail),
        )
        for e in stored
    ], shown
