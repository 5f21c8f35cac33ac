"""The audit trail: who did what to which record, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from interview.storage.tables import AuditEvent, new_id


def audit(
    s: Session,
    org_id: str | None,
    actor: str,
    action: str,
    subject: str,
    now: datetime,
    **detail: object,
) -> AuditEvent:
    """Add one event to the session (the caller commits); returns it for linking."""
    event = AuditEvent(
        id=new_id(),  # known before the flush, so other events can name this one
        organization_id=org_id,
        actor=actor,
        action=action,
        subject=subject,
        detail=detail,
        created_at=now,
    )
    s.add(event)
    return event
