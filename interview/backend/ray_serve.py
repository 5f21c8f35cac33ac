"""Scale-out on Ray Serve: one deployment per catalogue entry, with resource requests.

Each replica runs our own Backend (queue, micro-batcher, metrics) for its model, so a model
behaves the same on one machine and across a cluster. Ray is imported only here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from interview.backend.catalogue import ModelEntry, get_entry
from interview.errors import BackendUnavailable


def resources_for(entry: ModelEntry, cluster: dict[str, float]) -> dict[str, Any]:
    """Ray actor options for a model: a GPU where it prefers one and the cluster has one,
    custom resources (e.g. NPUs) named in entry.options['ray_resources']."""
    options: dict[str, Any] = {"num_cpus": float(entry.options.get("ray_num_cpus", 1))}
    gpu_kinds = {"cuda", "rocm", "xpu"}
    if any(d.split(":")[0] in gpu_kinds for d in entry.devices) and cluster.get("GPU", 0) > 0:
        options["num_gpus"] = float(entry.options.get("ray_num_gpus", 1))
    custom = entry.options.get("ray_resources") or {}
    missing = [r for r in custom if cluster.get(r, 0) <= 0]
    if missing:
        raise BackendUnavailable(
            f"model {entry.name!r} asks for Ray resources {missing} that "
            "no node of this cluster offers"
        )
    if custom:
        options["resources"] = dict(custom)
    return options


def build(
    entry: ModelEntry,
    device_policy: str,
    cache_dir: Path,
    cluster: dict[str, float],
    replicas: int = 1,
) -> Any:
    """A Ray Serve application serving one catalogue model."""
    from ray import serve

    @serve.deployment(
        name=entry.name,
        num_replicas=replicas,
        ray_actor_options=resources_for(entry, cluster),
        max_ongoing_requests=entry.queue_bound,
    )
    class ModelDeployment:
        def __init__(self, name: str, policy: str, cache: str) -> None:
            from interview.backend.registry import Backend

            self.name = name
            self.backend = Backend(policy, cache_dir=Path(cache))
            self.backend.load(name)  # load at start, not on the first request

        async def __call__(self, method: str, items: list[Any], kwargs: dict[str, Any]) -> Any:
            # Run in a thread so concurrent calls meet in our micro-batcher.
            return await asyncio.to_thread(self.backend.call, self.name, method, items, **kwargs)

        def device(self) -> str:
            return self.backend.queue(self.name).device

    return ModelDeployment.bind(entry.name, device_policy, str(cache_dir))  # type: ignore[attr-defined]


class RayServeModels:
    """Deploy catalogue models on a Ray cluster and call them like the local Backend."""

    def __init__(
        self,
        address: str | None = None,
        device_policy: str = "auto",
        cache_dir: Path = Path("var/models"),
        **init: Any,
    ) -> None:
        import ray
        from ray import serve

        if not ray.is_initialized():
            ray.init(address=address, include_dashboard=False, log_to_driver=False, **init)
        self._serve = serve
        self.device_policy = device_policy
        self.cache_dir = cache_dir.resolve()
        self._handles: dict[str, Any] = {}
        self.cluster = {k: float(v) for k, v in ray.cluster_resources().items()}

    def deploy(self, names: Sequence[str], replicas: int = 1) -> None:
        for name in names:
            app = build(get_entry(name), self.device_policy, self.cache_dir, self.cluster, replicas)
            self._handles[name] = self._serve.run(app, name=name, route_prefix=None)

    def call(self, name: str, method: str, items: Sequence[Any], **kwargs: Any) -> Any:
        if name not in self._handles:
            raise BackendUnavailable(f"model {name!r} is not deployed on Ray; deploy() it first")
        return self._handles[name].remote(method, list(items), kwargs).result()

    def device(self, name: str) -> str:
        return str(self._handles[name].device.remote().result())

    def shutdown(self) -> None:
        import ray

        self._serve.shutdown()
        ray.shutdown()
