"""Device discovery: one small Platform class per device kind, resolved lazily."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from interview.errors import BackendUnavailable

log = logging.getLogger(__name__)


class Platform(Protocol):
    kind: str

    def present(self) -> bool: ...
    def memory_mb(self) -> int | None: ...
    def adapt_dtype(self, requested: str) -> str: ...


class CpuPlatform:
    kind = "cpu"

    def present(self) -> bool:
        return True

    def memory_mb(self) -> int | None:
        try:
            return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
        except (ValueError, OSError):
            return None

    def adapt_dtype(self, requested: str) -> str:
        # Half precision is slow or missing on CPUs.
        return "float32" if requested in ("float16", "bfloat16") else requested


class CudaPlatform:
    kind = "cuda"

    def present(self) -> bool:
        try:
            import torch  # heavy; only imported when a model may use CUDA
        except ImportError:
            return False
        return bool(torch.cuda.is_available())

    def memory_mb(self) -> int | None:
        import torch

        return int(torch.cuda.get_device_properties(0).total_memory // (1024 * 1024))

    def adapt_dtype(self, requested: str) -> str:
        return requested


PLATFORMS: dict[str, Platform] = {"cpu": CpuPlatform(), "cuda": CudaPlatform()}


@lru_cache(maxsize=16)
def _present(kind: str) -> bool:
    platform = PLATFORMS.get(kind)
    return platform is not None and platform.present()


@dataclass(frozen=True)
class Placement:
    device: str
    reason: str


def place(model: str, preferred: tuple[str, ...], policy: str) -> Placement:
    """Pick a device for a model under the policy ('auto', 'strict' or an explicit list)."""
    if policy not in ("auto", "strict"):
        pinned = [d.strip() for d in policy.split(",") if d.strip()]
        for device in pinned:
            if device.split(":")[0] in preferred and _present(device.split(":")[0]):
                return Placement(device, f"pinned by device policy {policy!r}")
        raise BackendUnavailable(
            f"model {model!r} supports {list(preferred)} but device policy pins {pinned}, "
            "none of which is present; widen INTERVIEW_DEVICE_POLICY"
        )
    for kind in preferred:
        if _present(kind):
            best = preferred[0]
            if kind == "cpu" and best != "cpu" and policy == "strict":
                raise BackendUnavailable(
                    f"model {model!r} prefers {best} but only cpu is present and device "
                    "policy is 'strict'; set INTERVIEW_DEVICE_POLICY=auto to allow CPU"
                )
            reason = "first preferred device present" if kind == best else f"{best} absent"
            log.info("model %s placed on %s (%s)", model, kind, reason)
            return Placement(kind, reason)
    raise BackendUnavailable(f"model {model!r}: none of its devices {list(preferred)} is present")
