"""Timed items through the API: what the page sends when the countdown runs out is kept
(the choice, or "no answer, time ran out"), and answers after the limit are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from interview.candidate.answers import TIME_GRACE_S
from interview.hiring.dashboard import session_answers
from interview.storage.tables import Answer, InterviewSession, QuestionShown
from tests.api.conftest import Api
from tests.api.test_chunks import _interview, _message, _role

# The subject is the models' and the API's work, not the database: PostgreSQL only
# (tests/web runs the whole product on SQLite; tests/storage both databases).
pytestmark = pytest.mark.one_database


def _item(questions: list[dict[str, Any]]) -> dict[str, Any]:
    return next(q for q in questions if q["choices"])


def _shown_ago(api: Api, t: str, qid: str, seconds: float) -> None:
    """Show the item, then move its first-shown time `seconds` into the past."""
    r = api.client.post(f"/api/v1/interview/{t}/questions/{qid}/shown")
    assert r.status_code in (200, 201), r.text
    with api.db.session() as s:  # this interview's row is the newest (others were moved back)
        row = s.scalars(
            select(QuestionShown)
            .where(QuestionShown.question_id == qid)
            .order_by(QuestionShown.shown_at.desc())
        ).first()
        assert row is not None
        s.execute(
            update(QuestionShown)
            .where(QuestionShown.id == row.id)
            .values(shown_at=row.shown_at - timedelta(seconds=seconds))
        )
        s.commit()


def _kinds(api: Api, qid: str) -> list[tuple[str, str | None]]:
    with api.db.session() as s:
        rows = s.scalars(select(Answer).where(Answer.question_id == qid).order_by(Answer.attempt))
        return [(a.kind, a.text) for a in rows]


def test_timed_items_refuse_late_answers_and_keep_what_the_page_sends_at_the_limit(
    api: Api,
) -> None:
    role = _role(api)
    url = lambda t: f"/api/v1/interview/{t}/answers"  # noqa: E731
    item = _item(role["questions"])
    qid, limit, pick = item["id"], item["time_limit_s"], item["choices"][0]["id"]

    # In time: a choice is taken; a reload resumes the countdown where it was.
    t, _ = _interview(api, role)
    _shown_ago(api, t, qid, limit - 20)
    again = api.client.post(f"/api/v1/interview/{t}/questions/{qid}/shown").json()
    assert 15 <= again["seconds_left"] <= 20
    assert api.client.post(url(t), json={"question_id": qid, "choice_id": pick}).status_code == 201

    # Past the limit and its grace: refused, naming the item and the limit.
    t2, _ = _interview(api, role)
    _shown_ago(api, t2, qid, limit + TIME_GRACE_S + 5)
    late = api.client.post(url(t2), json={"question_id": qid, "choice_id": pick})
    assert late.status_code == 409, late.text
    assert qid in _message(late) and f"{limit} s" in _message(late)
    assert _kinds(api, qid)[-1:] == [("choice", pick)]  # only the first interview's answer

    # The page's own send at the limit (arriving a few seconds late) keeps the choice.
    t3, _ = _interview(api, role)
    _shown_ago(api, t3, qid, limit + 3)
    body = {"question_id": qid, "choice_id": pick, "timed_out": True}
    at_limit = api.client.post(url(t3), json=body)
    assert at_limit.status_code == 201 and at_limit.json()["timed_out"] is False, at_limit.text
    # Nothing picked: "no answer, time ran out" is stored and counts as answered; after it,
    # a choice is refused and a retried send returns the same record.
    t4, _ = _interview(api, role)
    _shown_ago(api, t4, qid, limit)
    nothing = api.client.post(url(t4), json={"question_id": qid, "timed_out": True})
    assert nothing.status_code == 201 and nothing.json()["timed_out"] is True, nothing.text
    retry = api.client.post(url(t4), json={"question_id": qid, "timed_out": True}).json()
    assert retry["answer_id"] == nothing.json()["answer_id"]
    refused = api.client.post(url(t4), json={"question_id": qid, "choice_id": pick})
    assert refused.status_code == 409 and "ran out" in _message(refused)
    assert qid in api.client.get(f"/api/v1/interview/{t4}").json()["answered"]
    with api.db.session() as s:  # HR's report lists it by the item's words, as timed out
        stored = s.get(Answer, nothing.json()["answer_id"])
        assert stored is not None
        sess = s.get(InterviewSession, stored.session_id)
        assert sess is not None
        [seen] = [a for a in session_answers(s, sess) if a.question_id == qid]
    assert (seen.kind, seen.text, seen.question_text) == ("timeout", "", item["text"])
    # A send past the grace keeps no late choice: the item is recorded as timed out.
    t5, _ = _interview(api, role)
    _shown_ago(api, t5, qid, limit + TIME_GRACE_S + 30)
    gone = api.client.post(url(t5), json=body)
    assert gone.status_code == 201 and gone.json()["timed_out"] is True
    assert ("timeout", "") in _kinds(api, qid)


def test_untimed_questions_are_not_refused_for_time(api: Api) -> None:
    role = _role(api)
    t, _ = _interview(api, role)
    open_q = next(q for q in role["questions"] if not q["choices"])
    _shown_ago(api, t, open_q["id"], 3600)
    r = api.client.post(
        f"/api/v1/interview/{t}/answers",
        json={"question_id": open_q["id"], "text": "I listened, then fixed the order."},
    )
    assert r.status_code == 201, r.text
    assert (
        api.client.post(
            f"/api/v1/interview/{t}/answers",
            json={"question_id": open_q["id"], "text": "x", "timed_out": True},
        ).status_code
        == 422
    )
