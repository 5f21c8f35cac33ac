"""The audit trail: who did what to which record, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from interview.storage.tables import (
    AuditEvent,
)


def audit(
    s: Session,
    org_id: str | None,
    actor: str,
    action: str,
    subject: str,
    now: datetime,
    **detail: object,
) -> None:
    s.add(
        AuditEvent(
            organization_id=org_id,
            actor=actor,
            action=action,
            subject=subject,
            detail=detail,
            created_at=now,
        )
    )
