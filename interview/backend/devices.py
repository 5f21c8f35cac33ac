"""Device discovery: one small Platform class per device kind, resolved lazily.

Built in: cpu, cuda, rocm, mps, xpu. NPUs and other accelerators come from third-party
packages that register a Platform under the entry-point group `interview.platforms`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any, Protocol

from interview.errors import BackendUnavailable

log = logging.getLogger(__name__)
PLUGIN_GROUP = "interview.platforms"
HALF = ("float16", "bfloat16")


class Platform(Protocol):
    kind: str  # "cuda", "npu", ... the prefix of a device string such as "cuda:0"

    def present(self) -> bool: ...
    def memory_mb(self) -> int | None: ...
    def adapt_dtype(self, requested: str) -> str: ...


def _torch() -> Any | None:
    """torch, if installed; only imported when a GPU kind is asked about."""
    try:
        import torch
    except ImportError:
        return None
    return torch


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
        # Half precision is slow or missing on CPUs; CTranslate2 runs int8 there instead.
        return "float32" if requested in HALF else requested


class CudaPlatform:
    kind = "cuda"

    def present(self) -> bool:
        torch = _torch()
        return bool(torch and torch.cuda.is_available() and not torch.version.hip)

    def memory_mb(self) -> int | None:
        torch = _torch()
        assert torch is not None
        return int(torch.cuda.get_device_properties(0).total_memory // (1024 * 1024))

    def adapt_dtype(self, requested: str) -> str:
        torch = _torch()
        if requested == "bfloat16" and torch and not torch.cuda.is_bf16_supported():
            return "float16"
        return "float16" if requested == "int8" else requested


class RocmPlatform(CudaPlatform):
    """AMD GPUs: torch exposes them through the cuda API when built with HIP."""

    kind = "rocm"

    def present(self) -> bool:
        torch = _torch()
        return bool(torch and torch.cuda.is_available() and torch.version.hip)


class MpsPlatform:
    kind = "mps"

    def present(self) -> bool:
        torch = _torch()
        return bool(torch and torch.backends.mps.is_available())

    def memory_mb(self) -> int | None:
        return None  # unified memory: shared with the CPU

    def adapt_dtype(self, requested: str) -> str:
        return "float16" if requested in ("bfloat16", "int8") else requested


class XpuPlatform:
    kind = "xpu"

    def present(self) -> bool:
        torch = _torch()
        return bool(torch and hasattr(torch, "xpu") and torch.xpu.is_available())

    def memory_mb(self) -> int | None:
        torch = _torch()
        assert torch is not None
        return int(torch.xpu.get_device_properties(0).total_memory // (1024 * 1024))

    def adapt_dtype(self, requested: str) -> str:
        return "float16" if requested == "int8" else requested


BUILTIN: tuple[Platform, ...] = (
    CudaPlatform(),
    RocmPlatform(),
    XpuPlatform(),
    MpsPlatform(),
    CpuPlatform(),
)


@lru_cache(maxsize=1)
def platforms() -> dict[str, Platform]:
    """Built-in platforms plus plugins; a broken plugin is logged and skipped."""
    found: dict[str, Platform] = {p.kind: p for p in BUILTIN}
    for ep in entry_points(group=PLUGIN_GROUP):
        try:
            plugin = ep.load()
            platform = plugin() if isinstance(plugin, type) else plugin
            found[platform.kind] = platform
            log.info("device platform %r from plugin %s", platform.kind, ep.value)
        except Exception as exc:
            log.warning("device plugin %s failed to load: %s", ep.value, exc)
    return found


@lru_cache(maxsize=32)
def present(kind: str) -> bool:
    platform = platforms().get(kind)
    try:
        return platform is not None and platform.present()
    except Exception as exc:  # a driver error means "not usable"
        log.warning("device %s check failed: %s", kind, exc)
        return False


def describe() -> list[dict[str, Any]]:
    """Every known device kind, whether it is present here, and its memory."""
    out = []
    for kind, platform in platforms().items():
        ok = present(kind)
        out.append({"kind": kind, "present": ok, "memory_mb": platform.memory_mb() if ok else None})
    return out


def adapt_dtype(device: str, requested: str) -> str:
    return platforms()[device.split(":")[0]].adapt_dtype(requested)


@dataclass(frozen=True)
class Placement:
    device: str
    reason: str


def place(model: str, preferred: tuple[str, ...], policy: str) -> Placement:
    """Pick a device for a model under the policy ('auto', 'strict' or an explicit list)."""
    if policy not in ("auto", "strict"):
        pinned = [d.strip() for d in policy.split(",") if d.strip()]
        for device in pinned:
            kind = device.split(":")[0]
            if kind in preferred and present(kind):
                return Placement(device, f"pinned by device policy {policy!r}")
        raise BackendUnavailable(
            f"model {model!r} supports {list(preferred)} but device policy pins {pinned}, "
            "none of which is present and supported; widen INTERVIEW_DEVICE_POLICY"
        )
    best = preferred[0]
    for kind in preferred:
        if not present(kind):
            continue
        if kind == "cpu" and best != "cpu" and policy == "strict":
            raise BackendUnavailable(
                f"model {model!r} prefers {best} but only cpu is present and device policy "
                "is 'strict'; set INTERVIEW_DEVICE_POLICY=auto to allow CPU"
            )
        skipped = preferred[: preferred.index(kind)]
        reason = "first preferred device" if not skipped else f"{', '.join(skipped)} absent"
        log.info("model %s placed on %s (%s)", model, kind, reason)
        return Placement(kind, reason)
    raise BackendUnavailable(f"model {model!r}: none of its devices {list(preferred)} is present")
