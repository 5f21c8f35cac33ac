"""Device placement policies and plugin discovery, with hand-made platforms."""

from __future__ import annotations

from typing import Any

import pytest

from interview.backend import devices
from interview.errors import BackendUnavailable


class FakeNpu:
    kind = "npu"

    def present(self) -> bool:
        return True

    def memory_mb(self) -> int | None:
        return 16_000

    def adapt_dtype(self, requested: str) -> str:
        return "int8" if requested == "float32" else requested


@pytest.fixture
def with_npu(monkeypatch: pytest.MonkeyPatch) -> None:
    table = {**{p.kind: p for p in devices.BUILTIN}, "npu": FakeNpu()}
    monkeypatch.setattr(devices, "platforms", lambda: table)
    devices.present.cache_clear()
    yield
    devices.present.cache_clear()


def test_auto_takes_the_first_present_device_and_says_why() -> None:
    p = devices.place("m", ("cuda", "cpu"), "auto")
    assert p.device == "cpu" and p.reason == "cuda absent"  # this machine has no GPU
    assert devices.place("m", ("cpu",), "auto").reason == "first preferred device"


def test_strict_refuses_a_silent_cpu_fallback() -> None:
    with pytest.raises(BackendUnavailable, match="strict"):
        devices.place("m", ("cuda", "cpu"), "strict")
    assert devices.place("m", ("cpu",), "strict").device == "cpu"  # CPU-only model is fine


def test_pinned_devices() -> None:
    assert devices.place("m", ("cuda", "cpu"), "cuda:1,cpu").device == "cpu"
    with pytest.raises(BackendUnavailable, match="pins"):
        devices.place("m", ("cpu",), "cuda:0")


def test_plugin_platforms_take_part_in_placement(with_npu: Any) -> None:
    assert devices.place("m", ("npu", "cpu"), "auto").device == "npu"
    assert devices.adapt_dtype("npu:0", "float32") == "int8"
    kinds = {d["kind"]: d for d in devices.describe()}
    assert kinds["npu"]["present"] and kinds["npu"]["memory_mb"] == 16_000


def test_cpu_adapts_half_precision() -> None:
    assert devices.adapt_dtype("cpu", "float16") == "float32"
    assert devices.adapt_dtype("cpu", "int8") == "int8"


def test_entry_point_plugins_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    class EP:
        value = "fake_pkg:FakeNpu"

        def load(self) -> type:
            return FakeNpu

    monkeypatch.setattr(
        devices, "entry_points", lambda group: [EP()] if group == devices.PLUGIN_GROUP else []
    )
    devices.platforms.cache_clear()
    try:
        assert "npu" in devices.platforms()
    finally:
        devices.platforms.cache_clear()
