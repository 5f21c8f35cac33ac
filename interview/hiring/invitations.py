"""Inviting a candidate to a role's interview (the link's token is shown once, only its
hash is stored), renewing an invitation, and finding an organization's interview sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from interview.accounts.credentials import new_invite_token, token_hash
from interview.errors import Conflict, NotFound
from interview.hiring.roles import get_role, latest_model_and_plan
from interview.privacy.audit import audit
from interview.storage.tables import Candidate, InterviewSession, QuestionPlanRow

INVITE_DAYS = 14


@dataclass(frozen=True)
class Invitation:
    session_id: str
    candidate_id: str
    token: str  # shown once; only its hash is stored
    expires_at: datetime


def invite(
    s: Session,
    org_id: str,
    role_id: str,
    name: str,
    email: str | None,
    language: str,
    actor: str,
    now: datetime,
    plan_row: QuestionPlanRow | None = None,
    days: int = INVITE_DAYS,
) -> Invitation:
    role = get_role(s, org_id, role_id)
    if plan_row is None:
        _, plan_row = latest_model_and_plan(s, role.id, language)
    candidate = Candidate(organization_id=org_id, name=name, email=email, created_at=now)
    s.add(candidate)
    s.flush()
    token = new_invite_token()
    expires = now + timedelta(days=days)
    sess = InterviewSession(
        organization_id=org_id,
        candidate_id=candidate.id,
        role_id=role.id,
        plan_id=plan_row.id,
        token_hash=token_hash(token),
        language=language,
        expires_at=expires,
        created_at=now,
    )
    s.add(sess)
    s.flush()
    audit(s, org_id, actor, "candidate.invite", f"session:{sess.id}", now)
    return Invitation(sess.id, candidate.id, token, expires)


def renew_invitation(
    s: Session, sess: InterviewSession, actor: str, now: datetime, days: int = INVITE_DAYS
) -> Invitation:
    """A new link (the old one stops working) and expiry for an interview not yet started."""
    if sess.status != "invited":
        raise Conflict(f"this interview is {sess.status}; only unstarted invitations renew")
    token = new_invite_token()
    sess.token_hash = token_hash(token)
    sess.expires_at = now + timedelta(days=days)
    s.flush()
    audit(s, sess.organization_id, actor, "candidate.invite_renew", f"session:{sess.id}", now)
    return Invitation(sess.id, sess.candidate_id, token, sess.expires_at)


def session_for_org(s: Session, org_id: str, session_id: str) -> InterviewSession:
    sess = s.get(InterviewSession, session_id)
    if sess is None or sess.organization_id != org_id:
        raise NotFound(f"interview session {session_id!r} not found")
    return sess
