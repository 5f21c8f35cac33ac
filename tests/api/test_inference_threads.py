"""InferenceThreads: model waits run in per-model limiters, and a full waiting line is
refused at once instead of growing without bound."""

from __future__ import annotations

import threading

import anyio
import pytest

from interview.api.inference import InferenceThreads
from interview.errors import Overloaded


def test_a_full_waiting_line_is_refused_and_other_models_are_not_held() -> None:
    threads = InferenceThreads(per_model=1, waiting_per_thread=1)
    release = threading.Event()
    results: list[str] = []

    def held(name: str) -> str:
        release.wait(10)
        return name

    async def main() -> None:
        async with anyio.create_task_group() as tg:

            async def call(name: str) -> None:
                results.append(await threads.run("asr", held, name))

            tg.start_soon(call, "running")
            await anyio.sleep(0.2)
            tg.start_soon(call, "waiting")
            await anyio.sleep(0.2)
            assert threads.limiter("asr").statistics().tasks_waiting == 1
            with pytest.raises(Overloaded, match="'asr' is busy"):
                await threads.run("asr", held, "refused")
            # Another model's line is its own.
            assert await threads.run("embed", lambda: "embedded") == "embedded"
            release.set()

    anyio.run(main)
    assert sorted(results) == ["running", "waiting"]


def test_at_least_one_thread_per_model() -> None:
    with pytest.raises(ValueError, match="at least one thread"):
        InferenceThreads(per_model=0)


def test_a_call_past_its_deadline_is_abandoned_not_waited_for() -> None:
    threads = InferenceThreads(per_model=2)
    release, finished = threading.Event(), threading.Event()

    def slow() -> str:
        release.wait(10)
        finished.set()
        return "late"

    async def main() -> float:
        start = anyio.current_time()
        with pytest.raises(Overloaded, match="no result within 0.3 s"):
            await threads.run("asr", slow, deadline_s=0.3)
        waited = anyio.current_time() - start
        assert await threads.run("asr", lambda: "quick", deadline_s=5.0) == "quick"
        return waited

    waited = anyio.run(main)
    assert 0.3 <= waited < 2.0
    assert not finished.is_set()  # still running on its own thread when the caller gave up
    release.set()
    assert finished.wait(5)
