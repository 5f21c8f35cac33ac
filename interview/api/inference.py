"""Waiting for a model without holding a thread of the default pool.

Sync endpoints and run_in_threadpool share AnyIO's default thread limiter (40 tokens per
event loop). A request waiting seconds for a model in its queue held one of them; under
bench/load.py's 100 candidates every token was held by requests waiting for the recognizer
or the embedder, and cheap requests (events, shown, a chunk's database work) queued behind
them for seconds. Model waits take their thread from limiters of their own, one per model,
so neither cheap requests nor one model's callers wait behind another model's queue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread

from interview.errors import Overloaded

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


class InferenceThreads:
    """Per-model thread limiters for blocking calls that wait for a model."""

    def __init__(self, per_model: int, waiting_per_thread: int = 8) -> None:
        if per_model < 1:
            raise ValueError(f"per_model={per_model}: at least one thread per model is needed")
        self.per_model = per_model
        # Beyond this many requests waiting for a model's threads, more are refused at once
        # (Overloaded: a 429, or no follow-up for an answer already stored) instead of
        # queueing without bound behind the model's own bounded queue.
        self.max_waiting = per_model * waiting_per_thread
        self._limiters: dict[str, anyio.CapacityLimiter] = {}

    def limiter(self, model: str) -> anyio.CapacityLimiter:
        """The limiter of `model` (a catalogue name, or a label for a group of models)."""
        limiter = self._limiters.get(model)
        if limiter is None:  # only the event loop's thread gets here: no lock needed
            limiter = self._limiters[model] = anyio.CapacityLimiter(self.per_model)
        return limiter

    async def run(
        self, model: str, func: Callable[[*Ts], T], *args: *Ts, deadline_s: float | None = None
    ) -> T:
        """func(*args) in a worker thread of `model`'s limiter. Like run_in_threadpool, a
        cancelled request still waits for the call to end (the thread may use its Session).
        Overloaded when max_waiting requests already wait for the model's threads, or when
        `deadline_s` passes first (waiting in line included): the call is then abandoned to
        finish on its own, so `func` must not touch the request's database session."""
        limiter = self.limiter(model)
        waiting = limiter.statistics().tasks_waiting
        if waiting >= self.max_waiting:
            raise Overloaded(
                f"model {model!r} is busy ({waiting} requests waiting); retry shortly",
                retry_after=2.0,
            )
        if deadline_s is None:
            return await anyio.to_thread.run_sync(func, *args, limiter=limiter)
        try:
            with anyio.fail_after(deadline_s):
                return await anyio.to_thread.run_sync(
                    func, *args, limiter=limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            raise Overloaded(
                f"model {model!r} gave no result within {deadline_s:g} s", retry_after=deadline_s
            ) from None
