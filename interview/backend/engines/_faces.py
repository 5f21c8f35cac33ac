"""Helpers shared by the face engines (opencv_haar, mediapipe_engine, dlib_engine).

This module imports nothing heavy at module level, so importing it costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.protocols import Image
from interview.backend.schemas import FaceBox
from interview.backend.weights import package_dir, verify, verify_file
from interview.errors import BackendUnavailable, InvalidInput

T = TypeVar("T")


class Options(Protocol):
    """An engine's options dataclass: fields with defaults and a range check."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def __init__(self, **values: Any) -> None: ...
    def check(self, model: str) -> None: ...


OptionsT = TypeVar("OptionsT", bound=Options)
Prepare = Callable[[ModelEntry, Path], dict[str, Any]]


def pick_kind(entry: ModelEntry, classes: Mapping[str, T]) -> T:
    """classes[entry.options["kind"]] (the first key when kind is absent); InvalidInput
    naming the kind and the offered ones otherwise."""
    kind = entry.options.get("kind", next(iter(classes)))
    if kind not in classes:
        raise InvalidInput(
            f"model {entry.name!r}: options.kind is {kind!r}; engine "
            f"{entry.engine!r} offers {list(classes)}"
        )
    return classes[kind]


def setup(
    entry: ModelEntry, device: str, cache_dir: Path, cls: type[OptionsT], prepare: Prepare
) -> tuple[OptionsT, dict[str, Any]]:
    """What every face engine does first: require the CPU, parse options, prepare files."""
    require_cpu(entry, device)
    options = parse_options(entry, cls)
    return options, prepare(entry, cache_dir)


def package_files(
    entry: ModelEntry,
    module: str,
    extras: Mapping[str, str | None] | None = None,
    advice: str = "reinstall",
) -> dict[str, Any]:
    """Locate source.file (and `extras`, name -> expected sha256) inside an installed
    package and verify their checksums. The engines read them in place: nothing goes to
    cache_dir. A missing source.file raises, naming `advice` and the package."""
    folder = package_dir(module)
    path = folder / entry.source.file
    if not entry.source.file or not path.is_file():
        raise BackendUnavailable(
            f"model {entry.name!r}: {path} is missing; {advice} {entry.source.package}"
        )
    found = {entry.source.file: verify(entry, path)}
    for name, expected in (extras or {}).items():
        found[name] = verify_file(entry, folder / name, expected)
    return {"folder": folder, "file": path, "sha256": found[entry.source.file], "files": found}


def parse_options(entry: ModelEntry, cls: type[OptionsT]) -> OptionsT:
    """entry.options as the engine's frozen options dataclass; unknown keys are an error."""
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(entry.options) - known)
    if unknown:
        raise InvalidInput(
            f"model {entry.name!r}: unknown options {unknown}; known: {sorted(known)}"
        )
    opts = cls(**entry.options)
    try:
        opts.check(entry.name)
    except TypeError as exc:  # a string where a number belongs
        raise InvalidInput(
            f"model {entry.name!r}: options {entry.options} have a wrong "
            f"type ({exc}); see {cls.__name__} for the expected ones"
        ) from exc
    return opts


def require_cpu(entry: ModelEntry, device: str) -> None:
    """Raise unless the placed device is the CPU (these engines have no GPU path)."""
    if device.split(":")[0] != "cpu":
        raise BackendUnavailable(
            f"model {entry.name!r}: engine {entry.engine!r} runs on cpu "
            f"only, not {device!r}; list only cpu in its devices"
        )


def check_image(image: Any) -> Image:
    """The image itself if it is H x W x 3 uint8 (BGR); InvalidInput otherwise."""
    if (
        not isinstance(image, np.ndarray)
        or image.dtype != np.uint8
        or image.ndim != 3
        or image.shape[2] != 3
        or image.shape[0] == 0
        or image.shape[1] == 0
    ):
        got = (
            f"{image.dtype} array of shape {image.shape}"
            if isinstance(image, np.ndarray)
            else type(image).__name__
        )
        raise InvalidInput(
            f"face image must be an H x W x 3 uint8 BGR array, got {got}; "
            "decode with cv2.imread or convert with cv2.cvtColor"
        )
    return image


def clip_box(
    x: float, y: float, w: float, h: float, score: float, width: int, height: int
) -> FaceBox:
    """A pixel box cut to the image (faces at the border extend past it)."""
    left, top = max(0, round(x)), max(0, round(y))
    right, bottom = min(width, round(x + w)), min(height, round(y + h))
    return FaceBox(
        x=left, y=top, width=max(0, right - left), height=max(0, bottom - top), score=score
    )
