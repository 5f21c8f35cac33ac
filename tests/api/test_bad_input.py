"""Bad input gets a 4xx whose message names the problem; never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api


@pytest.fixture
def hr(api: Api) -> dict[str, str]:
    return api.login()


def test_missing_and_wrong_fields_are_named(api: Api, hr: dict[str, str]) -> None:
    r = api.client.post("/api/v1/roles", json={}, headers=hr)
    assert r.status_code == 422 and "title" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/roles", json={"title": "X", "max_questions": "many"}, headers=hr)
    assert r.status_code == 422 and "max_questions" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/roles", json={"title": "X", "language": "fr"}, headers=hr)
    assert r.status_code == 422 and "language" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/roles", json={"title": "X", "surprise": 1}, headers=hr)
    assert r.status_code == 422 and "surprise" in r.json()["error"]["message"]
    r = api.client.post(
        "/api/v1/roles", content=b"{not json", headers={**hr, "content-type": "application/json"}
    )
    assert r.status_code == 422


def test_unknown_ids_are_404_with_the_id(api: Api, hr: dict[str, str]) -> None:
    for path in ("/api/v1/roles/nope", "/api/v1/sessions/nope/report", "/api/v1/jobs/nope"):
        r = api.client.get(path, headers=hr)
        assert r.status_code == 404 and "'nope'" in r.json()["error"]["message"], path
    r = api.client.get("/api/v1/interview/not-a-token")
    assert r.status_code == 404 and "link is not valid" in r.json()["error"]["message"]


def test_unknown_question_is_named(api: Api, hr: dict[str, str]) -> None:
    role = api.client.post(
        "/api/v1/roles", json={"title": "Nurse", "max_questions": 1}, headers=hr
    ).json()
    token = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": "B"}, headers=hr
    ).json()["token"]
    api.client.post(
        f"/api/v1/interview/{token}/consent", json={"recording": True, "ai_assessment": True}
    )
    r = api.client.post(
        f"/api/v1/interview/{token}/answers", json={"question_id": "made_up:b9", "text": "hello"}
    )
    assert r.status_code == 404 and "made_up:b9" in r.json()["error"]["message"]
    long = "word " * 5000
    r = api.client.post(
        f"/api/v1/interview/{token}/answers",
        json={"question_id": role["questions"][0]["id"], "text": long},
    )
    assert r.status_code == 422 and "limit" in r.json()["error"]["message"]


def test_oversized_bodies_are_refused(api: Api, hr: dict[str, str]) -> None:
    big = b'{"title": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    r = api.client.post(
        "/api/v1/roles", content=big, headers={**hr, "content-type": "application/json"}
    )
    assert r.status_code == 413 and "limit" in r.json()["error"]["message"]

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5 * 1024):
            yield b"x" * 1024

    r = api.client.post(
        "/api/v1/roles", content=chunks(), headers={**hr, "content-type": "application/json"}
    )
    assert r.status_code == 413


def test_auth_errors(api: Api) -> None:
    assert api.client.get("/api/v1/roles").status_code == 401
    r = api.client.get("/api/v1/roles", headers={"Authorization": "Bearer forged.token"})
    assert r.status_code == 401 and "sign in again" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/auth/login", json={"email": "admin@acme.test", "password": "no"})
    assert r.status_code == 401


def test_health_ready_and_docs(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
    ready = api.client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["database"] == "ok"
    assert api.client.get("/docs").status_code == 200
    spec = api.client.get("/api/v1/openapi.json").json()
    assert "/api/v1/roles" in spec["paths"]
