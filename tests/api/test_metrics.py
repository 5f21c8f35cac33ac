"""Who may read /metrics (model names and counts): INTERVIEW_METRICS_ACCESS says off, loopback
(the default) or token; anyone else is refused before a metric is rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from interview.api.app import create_app
from interview.config import Settings

TOKEN = "m" * 40
OUTSIDE = ("203.0.113.5", 41000)  # a documentation address: anyone not on this machine
LOOPBACK = ("127.0.0.1", 41000)


def _get(
    tmp_path: Path, client: tuple[str, int], headers: dict[str, str] | None = None, **settings: Any
) -> tuple[int, bytes]:
    app = create_app(Settings(data_dir=tmp_path, job_workers=0, **settings))
    with TestClient(app, client=client) as c:
        r = c.get("/metrics", headers=headers or {})
    return r.status_code, r.content


def test_loopback_is_the_default_and_admits_only_this_machine(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).metrics_access == "loopback"
    app = create_app(Settings(data_dir=tmp_path, job_workers=0))
    for host in ("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"):
        with TestClient(app, client=(host, 41000)) as c:
            r = c.get("/metrics")
        assert r.status_code == 200, (host, r.text)
        assert b"interview_model_request_seconds" in r.content
    for host in ("203.0.113.5", "10.0.0.7", "::ffff:203.0.113.5", "2001:db8::1", "testclient"):
        with TestClient(app, client=(host, 41000)) as c:
            r = c.get("/metrics")
        assert r.status_code == 404, (host, r.text)
        assert "INTERVIEW_METRICS_ACCESS" in r.json()["error"]["message"]
        assert b"interview_" not in r.content
    # A proxy on this machine relays other people's requests from loopback.
    with TestClient(app, client=LOOPBACK) as c:
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
            assert c.get("/metrics", headers={header: "203.0.113.5"}).status_code == 404


def test_off_answers_404_even_on_this_machine(tmp_path: Path) -> None:
    status, body = _get(tmp_path, LOOPBACK, metrics_access="off")
    assert status == 404 and b"INTERVIEW_METRICS_ACCESS=off" in body


def test_token_admits_the_bearer_of_the_token_from_anywhere(tmp_path: Path) -> None:
    app = create_app(
        Settings(data_dir=tmp_path, job_workers=0, metrics_access="token", metrics_token=TOKEN)
    )
    with TestClient(app, client=OUTSIDE) as c:
        ok = c.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200 and b"interview_model_request_seconds" in ok.content
        for headers in (
            {},
            {"Authorization": f"Bearer {TOKEN[:-1]}x"},
            {"Authorization": f"Bearer {TOKEN}{TOKEN}"},
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": "Bearer "},
        ):
            r = c.get("/metrics", headers=headers)
            assert r.status_code == 401, (headers, r.text)
            assert b"interview_" not in r.content
    with TestClient(app, client=LOOPBACK) as c:  # loopback is no way around the token
        assert c.get("/metrics").status_code == 401


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"metrics_access": "token"}, "INTERVIEW_METRICS_TOKEN"),
        ({"metrics_access": "token", "metrics_token": "short"}, "at least 32"),
        ({"metrics_token": TOKEN}, "INTERVIEW_METRICS_ACCESS=token"),
        ({"metrics_access": "off", "metrics_token": TOKEN}, "INTERVIEW_METRICS_ACCESS"),
        ({"metrics_access": "everyone"}, "metrics_access"),
    ],
)
def test_a_bad_combination_is_a_settings_error_naming_the_variable(
    settings: dict[str, str], named: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in settings.items():
        monkeypatch.setenv(f"INTERVIEW_{key.upper()}", value)
    with pytest.raises(ValidationError, match=named):
        Settings()
