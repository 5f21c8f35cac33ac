"""Router logic with a fake engine: batching, bounds, deadlines, cancellation, unloading."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interview.backend.catalogue import ModelEntry, Source
from interview.backend.registry import Backend
from interview.backend.router import DeadlineExceeded
from interview.errors import BackendUnavailable, Overloaded


class FakeEmbedder:
    """Records each engine call; can be held to simulate a busy device."""

    dimension = 4

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        self.calls: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.fail = False

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.gate.wait()
        if self.fail:
            raise RuntimeError("device lost")
        self.calls.append(list(texts))
        return np.array([[len(t), 0, 0, 1] for t in texts], dtype=np.float32)

    embed_passages = embed_queries


def entry(name: str, **kw: Any) -> ModelEntry:
    base = dict(
        name=name,
        task="embed",
        engine="fake",
        license="MIT",
        dimension=4,
        source=Source(package="none", file=""),
        max_batch=32,
        max_wait_ms=50,
        queue_bound=64,
        memory_mb=100,
    )
    base.update(kw)
    return ModelEntry(**base)  # type: ignore[arg-type]


def backend(*entries: ModelEntry, cap: int | None = None) -> Backend:
    return Backend(
        "auto",
        catalogue={e.name: e for e in entries},
        factories={"fake": FakeEmbedder},
        memory_cap_mb=cap,
    )


def test_concurrent_requests_are_merged_into_batches() -> None:
    b = backend(entry("m"))
    engine = b.load("m")
    engine.gate.clear()  # hold the engine so requests pile up
    with ThreadPoolExecutor(16) as pool:
        futures = [pool.submit(b.embedder("m").embed_queries, [f"t{i:02d}"]) for i in range(16)]
        time.sleep(0.2)
        engine.gate.set()
        results = [f.result() for f in futures]
    assert all(r.shape == (1, 4) and r[0, 0] == 3 for r in results)
    assert sum(len(c) for c in engine.calls) == 16
    assert len(engine.calls) <= 3  # one held call, then the rest in one or two batches
    assert max(len(c) for c in engine.calls) >= 8


def test_each_caller_gets_its_own_rows_back() -> None:
    b = backend(entry("m"))
    e = b.embedder("m")
    with ThreadPoolExecutor(8) as pool:
        outs = list(pool.map(lambda n: e.embed_queries(["x" * n] * n), range(1, 9)))
    for n, out in enumerate(outs, start=1):
        assert out.shape == (n, 4) and set(out[:, 0]) == {n}


def test_max_batch_is_respected() -> None:
    b = backend(entry("m", max_batch=4))
    engine = b.load("m")
    engine.gate.clear()
    with ThreadPoolExecutor(12) as pool:
        futures = [pool.submit(b.embedder("m").embed_queries, ["a"]) for _ in range(12)]
        time.sleep(0.2)
        engine.gate.set()
        [f.result() for f in futures]
    assert max(len(c) for c in engine.calls) <= 4


def test_full_queue_answers_overloaded_with_retry_after() -> None:
    b = backend(entry("m", queue_bound=2, max_wait_ms=0))
    engine = b.load("m")
    engine.gate.clear()
    q = b.queue("m")
    first = q.submit("embed_queries", ["a"], {}, None)  # taken by the worker, held
    time.sleep(0.1)
    q.submit("embed_queries", ["b"], {}, None)
    q.submit("embed_queries", ["c"], {}, None)
    with pytest.raises(Overloaded, match="queue is full") as info:
        q.submit("embed_queries", ["d"], {}, None)
    assert info.value.retry_after >= 1
    engine.gate.set()
    assert first.result(5).shape == (1, 4)


def test_expired_and_cancelled_requests_never_reach_the_engine() -> None:
    b = backend(entry("m", max_wait_ms=0))
    engine = b.load("m")
    engine.gate.clear()
    q = b.queue("m")
    held = q.submit("embed_queries", ["held"], {}, None)
    time.sleep(0.1)
    expiring = q.submit("embed_queries", ["late"], {}, 0.05)
    cancelled = q.submit("embed_queries", ["gone"], {}, None)
    assert cancelled.cancel()
    time.sleep(0.2)
    engine.gate.set()
    held.result(5)
    with pytest.raises(DeadlineExceeded, match="deadline"):
        expiring.result(5)
    time.sleep(0.1)
    assert ["late"] not in engine.calls and ["gone"] not in engine.calls


def test_engine_errors_reach_every_caller_and_the_queue_survives() -> None:
    b = backend(entry("m"))
    engine = b.load("m")
    engine.fail = True
    with pytest.raises(BackendUnavailable, match="device lost"):
        b.embedder("m").embed_queries(["a"])
    engine.fail = False
    assert b.embedder("m").embed_queries(["ok"]).shape == (1, 4)


def test_least_recently_used_idle_model_is_unloaded_under_the_cap() -> None:
    b = backend(
        entry("a", memory_mb=100), entry("b", memory_mb=100), entry("c", memory_mb=100), cap=250
    )
    b.embedder("a").embed_queries(["x"])
    b.embedder("b").embed_queries(["x"])
    b.embedder("a").embed_queries(["x"])  # a is now more recent than b
    b.embedder("c").embed_queries(["x"])
    assert b.loaded() == ["a", "c"]
    assert b'interview_model_unloads_total{model="b"} 1.0' in b.metrics.render()


def test_methods_outside_the_task_are_refused() -> None:
    b = backend(entry("m"))
    with pytest.raises(BackendUnavailable, match="does not support 'transcribe'"):
        b.call("m", "transcribe", [np.zeros(10)])


def test_metrics_count_batches_and_requests() -> None:
    b = backend(entry("m"))
    b.embedder("m").embed_queries(["a", "b", "c"])
    text = b.metrics.render().decode()
    assert 'interview_model_requests_total{device="cpu",model="m",outcome="ok"} 1.0' in text
    assert 'interview_model_batch_size_sum{device="cpu",model="m"} 3.0' in text
