"""Candidate-side extras behind the invite token: the interviewer persona to show, and the
optional, voluntary self-reported group used only for the adverse-impact report."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, status
from sqlalchemy import delete, select

from interview.api.deps import SessionDep, now
from interview.api.hr_schemas import (
    PersonaOut,
    SelfReportIn,
    SelfReportOptionsOut,
    SelfReportOut,
    persona_from,
    self_report_groups,
)
from interview.errors import Conflict, InvalidInput
from interview.service import audit, session_by_token
from interview.storage.tables import JobRole, Organization, SelfReport

router = APIRouter(prefix="/interview/{token}", tags=["candidate"])
DEFAULT_PERSONA = {"en": "Interviewer", "zh": "面试官"}
DEFAULT_GREETING = {
    "en": "Hello, I'm {name}. I'll ask you a few questions; take your time.",
    "zh": "您好，我是{name}。接下来我会问您几个问题，请不必着急。",
}


def initials(name: str) -> str:
    """ "Alex Chen" -> "AC"; "小李" -> "小李"[:2]."""
    parts = name.split()
    if len(parts) > 1:
        return (parts[0][0] + parts[-1][0]).upper()
    return name[:2].upper()


@router.get("/persona")
def persona(token: str, s: SessionDep) -> PersonaOut:
    """The role's persona, else the organization's, else a plain interviewer."""
    sess = session_by_token(s, token, now())
    role = s.get(JobRole, sess.role_id)
    org = s.get(Organization, sess.organization_id)
    chosen = persona_from((role.settings or {}).get("persona") if role else None) or (
        persona_from((org.settings or {}).get("persona") if org else None)
    )
    lang: Literal["en", "zh"] = "zh" if sess.language == "zh" else "en"
    name = chosen.name if chosen else DEFAULT_PERSONA[lang]
    greeting = (chosen.greeting.get(lang) if chosen else None) or DEFAULT_GREETING[lang].format(
        name=name
    )
    return PersonaOut(
        name=name,
        initials=(chosen.initials if chosen and chosen.initials else initials(name)),
        avatar=chosen.avatar if chosen else None,
        greeting=greeting,
    )


def _groups(s: SessionDep, org_id: str) -> list[str]:
    org = s.get(Organization, org_id)
    return self_report_groups(org.settings if org else None)


@router.get("/self-report")
def self_report_options(token: str, s: SessionDep) -> SelfReportOptionsOut:
    """The groups offered (none: the question is not asked) and the candidate's own answer."""
    sess = session_by_token(s, token, now())
    chosen = s.scalar(select(SelfReport.group_label).where(SelfReport.session_id == sess.id))
    return SelfReportOptionsOut(groups=_groups(s, sess.organization_id), chosen=chosen)


@router.post("/self-report", status_code=status.HTTP_201_CREATED)
def self_report(token: str, body: SelfReportIn, s: SessionDep) -> SelfReportOut:
    """Store (or, with no group, withdraw) the candidate's self-reported group. It is kept
    apart from the interview and never read by scoring."""
    sess = session_by_token(s, token, now())
    group = " ".join(body.group.split()) if body.group else ""
    offered = _groups(s, sess.organization_id)
    if group and not offered:
        raise Conflict("this organization does not ask candidates to report a group")
    if group and group not in offered:
        raise InvalidInput(f"group {group!r} is not one of the offered: {', '.join(offered)}")
    s.execute(delete(SelfReport).where(SelfReport.session_id == sess.id))
    if group:
        s.add(SelfReport(session_id=sess.id, group_label=group, created_at=now()))
    # The audit trail records that it happened, never the group itself.
    audit(
        s,
        sess.organization_id,
        f"candidate:{sess.id}",
        "candidate.self_report",
        f"session:{sess.id}",
        now(),
        withdrawn=not group,
    )
    s.flush()
    stored = s.scalar(select(SelfReport.id).where(SelfReport.session_id == sess.id))
    return SelfReportOut(stored=stored is not None)
