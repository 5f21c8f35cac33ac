"""Every entity round-trips on SQLite and PostgreSQL through the migrated schema."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from interview.storage.db import Database
from interview.storage.tables import (
    Answer,
    AuditEvent,
    Base,
    Candidate,
    CompetencyModelRow,
    ConsentRecord,
    IntegrityFlag,
    InterviewSession,
    Job,
    JobRole,
    Organization,
    QuestionPlanRow,
    Report,
    ReviewOverride,
    Score,
    User,
)

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_migration_creates_every_table(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    db.upgrade()  # a second upgrade is a no-op


def _seed(db: Database) -> dict[str, str]:
    with db.session() as s:
        org = Organization(name="Acme", created_at=NOW)
        s.add(org)
        s.flush()
        user = User(
            organization_id=org.id,
            email="a@acme.test",
            name="A",
            role="admin",
            password_hash="x",
            created_at=NOW,
        )
        role = JobRole(
            organization_id=org.id, title="Picker", settings={"video": False}, created_at=NOW
        )
        cand = Candidate(organization_id=org.id, name="李雷", email=None, created_at=NOW)
        s.add_all([user, role, cand])
        s.flush()
        model = CompetencyModelRow(role_id=role.id, version=1, spec={"k": [1, 2]}, created_at=NOW)
        s.add(model)
        s.flush()
        plan = QuestionPlanRow(
            role_id=role.id,
            competency_model_id=model.id,
            language="zh",
            spec={"questions": []},
            created_at=NOW,
        )
        s.add(plan)
        s.flush()
        sess = InterviewSession(
            organization_id=org.id,
            candidate_id=cand.id,
            role_id=role.id,
            plan_id=plan.id,
            token_hash="f" * 64,
            language="zh",
            expires_at=NOW + timedelta(days=1),
            created_at=NOW,
        )
        s.add(sess)
        s.flush()
        ans = Answer(
            session_id=sess.id,
            question_id="q1",
            kind="text",
            text="你好",
            media=["a" * 64],
            created_at=NOW,
        )
        s.add(ans)
        s.flush()
        s.add_all(
            [
                Score(
                    session_id=sess.id,
                    competency_id="teamwork",
                    level=4,
                    value=3.8,
                    confidence=0.7,
                    evidence=[{"quote": "你好"}],
                    created_at=NOW,
                ),
                IntegrityFlag(
                    session_id=sess.id,
                    answer_id=ans.id,
                    kind="paste",
                    severity="low",
                    confidence=1.0,
                    start_s=1.5,
                    end_s=2.0,
                    created_at=NOW,
                ),
                Report(session_id=sess.id, overall=70.0, body={"overall": 70.0}, created_at=NOW),
                ReviewOverride(
                    session_id=sess.id,
                    reviewer_id=user.id,
                    competency_id="teamwork",
                    old_level=4,
                    new_level=3,
                    reason="quote is generic",
                    created_at=NOW,
                ),
                ConsentRecord(
                    session_id=sess.id,
                    kind="ai_assessment",
                    granted=True,
                    notice_version="2026-11",
                    created_at=NOW,
                ),
                AuditEvent(
                    organization_id=org.id, actor="system", action="x", subject="y", created_at=NOW
                ),
                Job(
                    kind="score_session",
                    key="k1",
                    payload={"session_id": sess.id},
                    created_at=NOW,
                    run_after=NOW,
                ),
            ]
        )
        return {"org": org.id, "session": sess.id, "answer": ans.id}


def test_entities_round_trip(db: Database) -> None:
    ids = _seed(db)
    with db.session() as s:
        sess = s.get(InterviewSession, ids["session"])
        assert sess is not None and sess.status == "invited" and sess.language == "zh"
        assert sess.expires_at == NOW + timedelta(days=1)  # tz-aware UTC on both databases
        assert sess.expires_at.tzinfo is not None
        ans = s.get(Answer, ids["answer"])
        assert ans is not None and ans.text == "你好" and ans.media == ["a" * 64]
        assert s.scalar(select(Score.value)) == pytest.approx(3.8)
        assert s.scalar(select(Report.body)) == {"overall": 70.0}
        assert s.scalar(select(IntegrityFlag.start_s)) == 1.5
        assert s.scalar(select(ReviewOverride.reason)) == "quote is generic"


def test_erasing_an_organization_cascades(db: Database) -> None:
    ids = _seed(db)
    with db.session() as s:
        org = s.get(Organization, ids["org"])
        s.delete(org)
    with db.session() as s:
        for table in (InterviewSession, Answer, Score, Report, Candidate, ConsentRecord):
            assert s.scalars(select(table)).all() == [], table.__name__


def test_unique_constraints(db: Database) -> None:
    ids = _seed(db)
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(
            Score(
                session_id=ids["session"],
                competency_id="teamwork",
                level=1,
                value=1.0,
                confidence=0.1,
                created_at=NOW,
            )
        )


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.session() as s:
        s.add(Organization(name="x", created_at=datetime(2026, 1, 1)))
        s.flush()


def test_migrations_match_the_table_definitions(db: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "tables.py changed without a migration: " + repr(diff)
