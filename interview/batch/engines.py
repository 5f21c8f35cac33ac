"""Where a batch's tasks run: this process, worker processes, or Ray actors.

Every engine runs batch.score.run_task and yields one Outcome per Task, in any order.
"local" runs in this process (--jobs 1). ProcessEngine starts workers with spawn (no model
state is forked), each with its own Backend, so models load once per worker. RayEngine
puts the same function on Ray actors that hold the models, with a GPU share where the
cluster has GPUs; recordings travel as bytes, so the nodes need no shared disk.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Literal, Protocol

from interview.backend.registry import Backend
from interview.batch.score import CandidateScorer, Outcome, Task, run_task
from interview.config import Settings
from interview.errors import InvalidInput

log = logging.getLogger(__name__)
EngineName = Literal["local", "ray"]
LOCAL_RAY_OBJECT_STORE = 256 * 1024 * 1024  # bytes; a local Ray only carries recordings


class Engine(Protocol):
    def map(self, tasks: Sequence[Task]) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


def make_scorer(settings: Settings) -> CandidateScorer:
    backend = Backend(
        settings.device_policy,
        cache_dir=settings.model_cache_dir,
        memory_cap_mb=settings.models_memory_cap_mb or None,
        request_timeout_s=settings.request_timeout_s,
        remote_api_key=settings.remote_api_key,
    )
    return CandidateScorer(backend, settings)


class LocalEngine:
    """In this process: --jobs 1."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._scorer: CandidateScorer | None = None

    def map(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        for task in tasks:
            if self._scorer is None:
                self._scorer = make_scorer(self.settings)
            yield run_task(self._scorer, task)

    def close(self) -> None:
        if self._scorer is not None:
            self._scorer.backend.close()


_WORKER: CandidateScorer | None = None


def _watch_parent(parent: int) -> None:
    """A worker whose driver died (killed, say) exits instead of idling with its models."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _init_worker(settings: Settings, parent: int) -> None:
    global _WORKER
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    _WORKER = make_scorer(settings)


def _work(task: Task) -> Outcome:
    assert _WORKER is not None, "worker initialised by _init_worker"
    return run_task(_WORKER, task)


class ProcessEngine:
    """Worker processes (spawn: no model state is forked), each with its own Backend.

    A worker that dies (a decoder crash, out of memory) breaks the pool: a new pool is made
    and the tasks it lost run once more; lost twice, a task is reported failed."""

    def __init__(self, settings: Settings, jobs: int) -> None:
        self._settings, self._jobs = settings, jobs
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self._jobs,
            mp_context=mp.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self._settings, os.getpid()),
        )

    def map(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        todo = list(tasks)
        for attempt in (1, 2):
            futures = {self._pool.submit(_work, t): t for t in todo}
            todo = []
            for future in as_completed(futures):
                task = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    if attempt == 1:
                        todo.append(task)
                    else:
                        yield _lost(
                            task, "its worker process died twice (a crash or out of memory)"
                        )
            if not todo:
                return
            log.warning("a worker process died; %d candidates run again in a new pool", len(todo))
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _lost(task: Task, why: str) -> Outcome:
    return Outcome(task.candidate.candidate_id, task.stage, error=f"not scored: {why}; run again")


class ActorScorer:
    """A Ray actor's state: the loaded models."""

    def __init__(self, settings: Settings) -> None:
        self.scorer = make_scorer(settings)

    def run(self, task: Task) -> Outcome:
        return run_task(self.scorer, task)


def actor_options(cluster: dict[str, float], actors: int) -> dict[str, float]:
    """Each actor's share of the cluster: up to one CPU, and up to one GPU where there are
    GPUs (fractions when actors outnumber them, so all of them start)."""
    options = {"num_cpus": min(1.0, max(cluster.get("CPU", 1.0), 0.01) / actors)}
    if cluster.get("GPU", 0.0) > 0:
        options["num_gpus"] = min(1.0, cluster["GPU"] / actors)
    return options


def _with_bytes(task: Task) -> Task:
    """The task with its recordings' bytes, for workers that do not share our disk."""
    if task.stage != "perceive":
        return task
    paths = [a.media for a in task.candidate.answers if a.media] + [task.candidate.photo]
    media = {}
    for p in paths:
        if p:
            with contextlib.suppress(OSError):  # the worker names the unreadable file
                media[p] = Path(p).read_bytes()
    return Task(**{**task.__dict__, "media": media})


class RayEngine:
    """Ray actors holding the models; a local Ray is started (and stopped) when no address."""

    def __init__(self, settings: Settings, jobs: int, address: str | None) -> None:
        try:
            import ray
        except ImportError as exc:
            raise InvalidInput(
                f"--engine ray needs Ray: pip install 'interview[ray]' ({exc})"
            ) from None
        self._ray = ray
        self._started = not ray.is_initialized()
        if self._started:
            init: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is None:
                init |= {
                    "num_cpus": os.cpu_count() or 1,
                    "object_store_memory": LOCAL_RAY_OBJECT_STORE,
                }
            try:
                ray.init(address=address, **init)
            except (ConnectionError, ValueError, RuntimeError) as exc:
                raise InvalidInput(f"cannot reach the Ray cluster at {address}: {exc}") from None
        cluster = {k: float(v) for k, v in ray.cluster_resources().items()}
        options = actor_options(cluster, jobs)
        log.info("ray: %d actors, each %s, cluster %s", jobs, options, cluster)
        actor = ray.remote(ActorScorer).options(**options)  # type: ignore[arg-type]
        self._actors: list[Any] = [actor.remote(settings) for _ in range(jobs)]

    def map(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Each idle actor takes the next task; a dead actor's task is reported failed and
        the actor is not used again."""
        ray = self._ray
        waiting, idle = list(reversed(tasks)), list(self._actors)
        running: dict[Any, tuple[Any, Task]] = {}
        while waiting or running:
            while idle and waiting:
                actor, task = idle.pop(), waiting.pop()
                running[actor.run.remote(_with_bytes(task))] = (actor, task)
            if not running:  # every actor is dead
                yield from (_lost(t, "no Ray actor is left") for t in reversed(waiting))
                return
            (ref,), _ = ray.wait(list(running), num_returns=1)
            actor, task = running.pop(ref)
            try:
                outcome = ray.get(ref)
            except ray.exceptions.RayActorError as exc:
                self._actors.remove(actor)
                yield _lost(task, f"its Ray actor died ({type(exc).__name__})")
                continue
            except ray.exceptions.RayError as exc:
                outcome = _lost(task, f"Ray failed: {str(exc)[:300]}")
            idle.append(actor)
            yield outcome

    def close(self) -> None:
        for a in self._actors:
            self._ray.kill(a)
        if self._started:
            self._ray.shutdown()


def make_engine(settings: Settings, engine: EngineName, jobs: int, address: str | None) -> Engine:
    if engine == "ray":
        return RayEngine(settings, jobs, address)
    if jobs > 1:
        return ProcessEngine(settings, jobs)
    return LocalEngine(settings)
