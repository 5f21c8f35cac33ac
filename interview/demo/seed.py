"""Demo data: an organization, HR users, two roles, candidates with scored answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from interview.accounts.passwords import generate_password
from interview.accounts.users import create_organization, create_user, set_password
from interview.backend.registry import Backend
from interview.candidate.answers import submit_choice_answer, submit_text_answer
from interview.candidate.results import write_scores
from interview.candidate.session import complete, plan_of, record_consent
from interview.config import Settings
from interview.hiring.invitations import invite
from interview.hiring.roles import store_role
from interview.pipeline import EMBEDDER, AnswerScorer, score_session, setup_role
from interview.storage.db import Database
from interview.storage.tables import InterviewSession, Job, JobRole, Organization, User

DEMO_ORG = "Demo Retail Group"
DEMO_ADMIN = "admin@demo.example"
ROLES = [
    ("Retail associate", "Serve customers on the shop floor, run the till, restock shelves.", "en"),
    ("餐厅服务员", "负责点餐、上菜、处理顾客投诉，保持餐区整洁。", "zh"),
]
STRONG = (
    "Last December our store was short two people on the busiest Saturday. I split the floor "
    "into zones, asked a colleague to cover the till and took the returns queue myself. I "
    "explained the wait to each customer, apologised and offered a pickup slot. We served "
    "everyone before closing, complaints dropped from six the week before to one, and my "
    "manager used the zone plan for the rest of the season."
)
WEAK = "I don't know, I just do what I'm told. It was fine I guess."


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    invite_token: str


def seed(settings: Settings, backend: Backend, now: datetime | None = None) -> DemoLogin:
    """Create the demo data once; on later runs reset the demo password and add an invite."""
    now = now or datetime.now(UTC)
    db = Database(settings.resolved_database_url)
    password = generate_password(DEMO_ADMIN, "Demo Admin")  # passes the policy, like any other
    embedder = backend.embedder(EMBEDDER)
    try:
        with db.session() as s:
            org = s.scalar(select(Organization).where(Organization.name == DEMO_ORG))
            fresh = org is None
            if org is None:
                org = create_organization(s, DEMO_ORG, now)
                org.settings = {"persona": {"name": "Alex", "greeting": "Hi, I'm Alex."}}
                create_user(s, org.id, DEMO_ADMIN, "Demo Admin", "admin", password, now)
                create_user(
                    s,
                    org.id,
                    "recruiter@demo.example",
                    "Demo Recruiter",
                    "recruiter",
                    generate_password("recruiter@demo.example", "Demo Recruiter"),
                    now,
                )
            else:
                admin = s.scalar(select(User).where(User.email == DEMO_ADMIN))
                assert admin is not None
                set_password(admin, password)
            org_id = org.id
        role_ids = []
        if fresh:
            for title, description, language in ROLES:
                model, plan, _ = setup_role(embedder, title, description, language, 4)
                with db.session() as s:
                    role = store_role(
                        s, org_id, title, description, language, model, plan, "system", now
                    )
                    role_ids.append((role.id, language))
            scorer = AnswerScorer(embedder)
            for name, answer in (("Jordan Lee", STRONG), ("Sam Park", WEAK)):
                with db.session() as s:
                    inv = invite(s, org_id, role_ids[0][0], name, None, "en", "system", now)
                    sess = s.get(InterviewSession, inv.session_id)
                    assert sess is not None
                    record_consent(s, sess, {"recording": True, "ai_assessment": True}, now)
                    for q in plan_of(s, sess).questions:
                        if q.choices:  # the strong candidate picks the keyed-best option
                            pick = (max if answer is STRONG else min)(
                                q.choices, key=lambda c: c.points
                            )
                            submit_choice_answer(s, sess, q.id, pick.id, now)
                        else:
                            submit_text_answer(
                                s, sess, q.id, answer, settings.max_answer_chars, now
                            )
                    complete(s, sess, now)
                report, _, _ = score_session(db, scorer, settings, inv.session_id, now)
                with db.session() as s:
                    write_scores(s, report, None, now)
                    job = s.scalar(select(Job).where(Job.key == f"score:{inv.session_id}:1"))
                    if job is not None:
                        job.status, job.finished_at = "done", now
        with db.session() as s:
            first = s.scalars(
                select(JobRole)
                .where(JobRole.organization_id == org_id)
                .order_by(JobRole.created_at)
            ).first()
            assert first is not None, "demo organization has no roles"
            inv = invite(s, org_id, first.id, "Demo Candidate", None, first.language, "system", now)
        return DemoLogin(DEMO_ADMIN, password, inv.token)
    finally:
        db.dispose()
