"""A write is committed before its response starts: the client never outruns the disk."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api


def test_commit_happens_before_the_response_starts(api: Api) -> None:
    events: list[str] = []
    ctx = api.client.app.state.ctx  # type: ignore[attr-defined]
    real_new_session = ctx.db.new_session

    def tracking_session() -> Any:
        s = real_new_session()
        real_commit = s.commit

        def commit() -> None:
            real_commit()
            events.append("commit")

        s.commit = commit  # type: ignore[method-assign]
        return s

    ctx.db.new_session = tracking_session
    inner = api.client.app.middleware_stack  # type: ignore[attr-defined]

    async def recording_app(scope: Any, receive: Any, send: Any) -> None:
        async def recording_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                events.append("response")
            await send(message)

        await inner(scope, receive, recording_send)

    api.client.app.middleware_stack = recording_app  # type: ignore[attr-defined]
    hr = api.login()
    events.clear()
    r = api.client.post("/api/v1/roles", json={"title": "Nurse", "max_questions": 1}, headers=hr)
    assert r.status_code == 201
    assert "commit" in events and events.index("commit") < events.index("response"), events
