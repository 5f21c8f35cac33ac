"""Per-model bounded queues, micro-batching, deadlines and cancellation.

A request is a list of items for one engine method. Requests for the same method and options
that arrive within `max_wait_ms` are merged into one engine call of at most `max_batch`
items; a full queue raises Overloaded (HTTP 429 with Retry-After) instead of growing memory.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.metrics import BackendMetrics
from interview.errors import BackendUnavailable, InterviewError, Overloaded

log = logging.getLogger(__name__)

# Engine methods that take a list and return one result per item (a list or an array).
BATCHED = frozenset({"embed_passages", "embed_queries", "generate", "score", "pair_scores"})


class DeadlineExceeded(BackendUnavailable):
    """The request waited past its deadline and was dropped before it ran."""


@dataclass
class Request:
    method: str
    items: Sequence[Any]
    kwargs: dict[str, Any]
    future: Future[Any] = field(default_factory=Future)
    deadline: float | None = None  # time.monotonic() value
    submitted: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> tuple[str, str]:
        return self.method, repr(sorted(self.kwargs.items()))


_STOP = object()


class ModelQueue:
    """One loaded model on one device: a bounded queue and the worker that drains it."""

    def __init__(
        self, name: str, model: Any, entry: ModelEntry, device: str, metrics: BackendMetrics
    ) -> None:
        self.name = name
        self.model = model
        self.entry = entry
        self.device = device
        self.metrics = metrics
        self.max_batch = entry.max_batch
        self.max_wait = entry.max_wait_ms / 1000.0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=entry.queue_bound)
        self._carry: deque[Request] = deque()  # dequeued but not mergeable into the last batch
        self._busy = threading.Event()
        self._ewma_s = 0.05  # smoothed seconds per batch, for Retry-After
        self.last_used = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name=f"model:{name}", daemon=True)
        self._thread.start()
        self.metrics.loaded.labels(name, device).set(1)

    # -- submitting ---------------------------------------------------------------------
    def submit(
        self, method: str, items: Sequence[Any], kwargs: dict[str, Any], timeout_s: float | None
    ) -> Future[Any]:
        deadline = time.monotonic() + timeout_s if timeout_s else None
        req = Request(method, items, kwargs, deadline=deadline)
        try:
            self._queue.put_nowait(req)
        except queue.Full:
            self.metrics.requests.labels(self.name, self.device, "rejected").inc()
            retry = max(1.0, self.depth * self._ewma_s / max(1, self.max_batch))
            raise Overloaded(
                f"model {self.name!r} queue is full ({self.entry.queue_bound} waiting); "
                f"retry after {retry:.0f}s",
                retry_after=retry,
            ) from None
        self.last_used = time.monotonic()
        self.metrics.queue_depth.labels(self.name, self.device).set(self.depth)
        return req.future

    @property
    def depth(self) -> int:
        return self._queue.qsize() + len(self._carry)

    @property
    def idle(self) -> bool:
        return self.depth == 0 and not self._busy.is_set()

    def stop(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(10)
        self.metrics.loaded.labels(self.name, self.device).set(0)

    # -- draining -----------------------------------------------------------------------
    def _next(self, timeout: float | None) -> Any:
        if self._carry:
            return self._carry.popleft()
        return self._queue.get(timeout=timeout) if timeout is not None else self._queue.get()

    def _loop(self) -> None:
        while True:
            first = self._next(None)
            if first is _STOP:
                self._fail_pending()
                return
            batch = [first]
            size = len(first.items)
            if first.method in BATCHED:
                size = self._gather(batch, size)
            self._busy.set()
            try:
                self._run(batch)
            finally:
                self._busy.clear()
                self.metrics.queue_depth.labels(self.name, self.device).set(self.depth)

    def _gather(self, batch: list[Request], size: int) -> int:
        """Add compatible requests until max_batch items or max_wait has passed."""
        key = batch[0].key
        until = time.monotonic() + self.max_wait
        skipped: list[Request] = []
        while size < self.max_batch:
            remaining = until - time.monotonic()
            try:
                nxt = self._next(max(remaining, 0) if remaining > 0 else 0.0)
            except queue.Empty:
                break
            if nxt is _STOP:
                self._queue.put(_STOP)
                break
            if nxt.key != key or size + len(nxt.items) > self.max_batch:
                skipped.append(nxt)
                if remaining <= 0:
                    break
                continue
            batch.append(nxt)
            size += len(nxt.items)
        self._carry.extendleft(reversed(skipped))
        return size

    def _run(self, batch: list[Request]) -> None:
        now = time.monotonic()
        live = []
        for req in batch:
            if not req.future.set_running_or_notify_cancel():
                self.metrics.requests.labels(self.name, self.device, "cancelled").inc()
                continue
            if req.deadline is not None and now > req.deadline:
                req.future.set_exception(
                    DeadlineExceeded(
                        f"model {self.name!r}: request waited {now - req.submitted:.2f}s, past its "
                        "deadline; the backend is saturated, retry later"
                    )
                )
                self.metrics.requests.labels(self.name, self.device, "expired").inc()
                continue
            live.append(req)
        if not live:
            return
        method = getattr(self.model, live[0].method)
        start = time.monotonic()
        try:
            if live[0].method in BATCHED:
                items = [item for req in live for item in req.items]
                out = method(items, **live[0].kwargs)
                results = _split(out, [len(r.items) for r in live])
            else:
                results = [method(*req.items, **req.kwargs) for req in live]
        except Exception as exc:  # engine failure: every caller gets it
            for req in live:
                req.future.set_exception(
                    exc
                    if isinstance(exc, InterviewError)
                    else BackendUnavailable(f"model {self.name!r} failed: {exc}")
                )
            self.metrics.requests.labels(self.name, self.device, "error").inc(len(live))
            log.exception("model %s failed on a batch of %d", self.name, len(live))
            return
        took = time.monotonic() - start
        self._ewma_s = 0.8 * self._ewma_s + 0.2 * took
        n_items = sum(len(r.items) for r in live)
        self.metrics.compute.labels(self.name, self.device).observe(took)
        self.metrics.batch_size.labels(self.name, self.device).observe(n_items)
        done = time.monotonic()
        for req, result in zip(live, results, strict=True):
            req.future.set_result(result)
            self.metrics.latency.labels(self.name, self.device).observe(done - req.submitted)
            self.metrics.requests.labels(self.name, self.device, "ok").inc()
        self._count_prefix_hits(results)
        self.last_used = done

    def _count_prefix_hits(self, results: list[Any]) -> None:
        for result in results:
            if isinstance(result, list):
                for g in result:
                    cached = getattr(g, "cached_prefix_tokens", 0)
                    if cached:
                        self.metrics.prefix_hits.labels(self.name, self.device).inc()
                        self.metrics.prefix_tokens.labels(self.name, self.device).inc(cached)

    def _fail_pending(self) -> None:
        while True:
            try:
                req = self._next(0)
            except queue.Empty:
                return
            if req is not _STOP and req.future.set_running_or_notify_cancel():
                req.future.set_exception(BackendUnavailable(f"model {self.name!r} was unloaded"))


def _split(out: Any, sizes: list[int]) -> list[Any]:
    """Cut one batched result back into per-request results."""
    results = []
    offset = 0
    for n in sizes:
        part = out[offset : offset + n]
        results.append(part if isinstance(out, np.ndarray) else list(part))
        offset += n
    if offset != len(out):
        raise BackendUnavailable(f"engine returned {len(out)} results for {offset} items")
    return results
