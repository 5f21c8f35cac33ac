"""Requests waiting for a model hold no thread of the default pool (interview.api.inference).

bench/load.py saw cheap endpoints (events, shown) take 12-15 s at p95: typed answers and
finished recordings waited for the embedder or the recognizer in sync endpoints, so they held
every token of AnyIO's default thread limiter and everything else queued behind them.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread
import httpx
import pytest
from sqlalchemy import func, select

from interview.api.routes import candidate
from interview.storage.tables import Answer
from tests.api.conftest import Api

DEFAULT_TOKENS = 4  # the default thread limiter, made small for the test (AnyIO's is 40)
TYPED = 6  # typed answers waiting for the embedder at once: more than DEFAULT_TOKENS
WAIT_S = 20.0  # generous: the check is that requests finish while the model is held
STRONG = (
    "A customer came back angry because the jacket we altered was too short. I checked the "
    "order slip, found the tailor had used the wrong measurement, apologised and arranged a "
    "free re-alteration by Friday. I called her on Thursday to confirm and she was happy."
)


def _candidates(api: Api, n: int) -> tuple[list[str], str]:
    """n invitations with consent given, and the id of the role's first open question."""
    hr = api.login()
    r = api.client.post(
        "/api/v1/roles",
        json={"title": "Retail sales associate", "max_questions": 2, "choice_items": 0},
        headers=hr,
    )
    assert r.status_code == 201, r.text
    role = r.json()
    question = next(q["id"] for q in role["questions"] if q["kind"] == "behavioural")
    tokens = []
    for i in range(n):
        inv = api.client.post(
            f"/api/v1/roles/{role['id']}/invitations",
            json={"candidate_name": f"Candidate {i}", "email": f"c{i}@example.com"},
            headers=hr,
        ).json()
        consent = {"recording": True, "ai_assessment": True}
        r = api.client.post(f"/api/v1/interview/{inv['token']}/consent", json=consent)
        assert r.status_code == 201, r.text
        tokens.append(inv["token"])
    return tokens, question


def test_cheap_requests_answer_while_every_answer_waits_for_the_embedder(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more typed answers waiting for the embedder than the default pool has threads,
    the interview page and browser events still answer, every waiting answer reaches the
    model at once, and once the model is free every answer is acknowledged and stored once."""
    assert api.settings.inference_threads >= TYPED
    tokens, question = _candidates(api, TYPED + 1)

    async def shrink() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = DEFAULT_TOKENS

    api.client.portal.call(shrink)  # type: ignore[union-attr]
    gate = threading.Event()
    waiting = threading.Semaphore(0)
    real = candidate.followup_for

    def held_followup(*args: Any, **kwargs: Any) -> Any:
        waiting.release()
        assert gate.wait(60), "the test never freed the model"
        return real(*args, **kwargs)  # the real embedder decides once freed

    monkeypatch.setattr(candidate, "followup_for", held_followup)
    client = api.client
    cheap, typed = tokens[-1], tokens[:-1]
    with ThreadPoolExecutor(TYPED + 2) as pool:
        try:
            answers = [
                pool.submit(
                    client.post,
                    f"/api/v1/interview/{t}/answers",
                    json={"question_id": question, "text": STRONG},
                )
                for t in typed
            ]
            for _ in range(TYPED):  # each answer is committed, then waits for the model
                assert waiting.acquire(timeout=WAIT_S), "answers did not reach the model at once"
            page = pool.submit(client.get, f"/api/v1/interview/{cheap}").result(WAIT_S)
            event = {"kind": "focus_lost", "question_id": question, "client_time": 1}
            events = pool.submit(
                client.post, f"/api/v1/interview/{cheap}/events", json={"events": [event]}
            ).result(WAIT_S)
            assert not gate.is_set()
            assert not any(a.done() for a in answers)  # all still waiting for the model
        finally:
            gate.set()
        acks: list[httpx.Response] = [a.result(WAIT_S * 3) for a in answers]
    assert page.status_code == 200, page.text
    assert events.status_code == 201 and events.json() == {"stored": 1}, events.text
    assert [a.status_code for a in acks] == [201] * TYPED, [a.text for a in acks]
    assert all(a.json()["question_id"] == question for a in acks)
    with api.db.session() as s:
        stored = s.execute(
            select(Answer.session_id, func.count()).group_by(Answer.session_id)
        ).all()
    assert len(stored) == TYPED and {n for _, n in stored} == {1}, stored
