"""OpenCV's frontal-face Haar cascade (CPU): face presence and count, no landmarks."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.protocols import Image
from interview.backend.schemas import FaceBox
from interview.backend.weights import package_dir, verify
from interview.errors import BackendUnavailable, InvalidInput


class Options(Protocol):
    """An engine's options dataclass: fields with defaults and a range check."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def __init__(self, **values: Any) -> None: ...
    def check(self, model: str) -> None: ...


OptionsT = TypeVar("OptionsT", bound=Options)


@dataclass(frozen=True)
class HaarOptions:
    """entry.options of a Haar model; checked once at load."""

    scale_factor: float = 1.05  # pyramid step; 1.05 finds tilted faces 1.1 misses, ~2x slower
    min_neighbors: int = 8  # overlapping hits a face needs; lower admits foliage and shirts
    min_size: float = 0.06  # smallest face, as a fraction of the scanned image's shorter side
    max_side: int = 640  # pixels; larger images are shrunk first (cost grows with area)
    equalize: bool = True  # histogram equalisation helps backlit and low-contrast faces

    def check(self, model: str) -> None:
        if self.scale_factor <= 1.0:
            raise InvalidInput(
                f"model {model!r}: options.scale_factor is {self.scale_factor}; "
                "use a value above 1, e.g. 1.05"
            )
        if self.min_neighbors < 0 or not 0 < self.min_size < 1 or self.max_side < 64:
            raise InvalidInput(
                f"model {model!r}: options {asdict(self)} out of range; need "
                "min_neighbors >= 0, 0 < min_size < 1, max_side >= 64"
            )


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, Any]:
    """Locate the cascade file inside the cv2 package and verify its checksum."""
    folder = package_dir(entry.source.module or "cv2")
    path = folder / entry.source.file
    if not entry.source.file or not path.is_file():
        raise BackendUnavailable(
            f"model {entry.name!r}: cascade {path} is missing; reinstall {entry.source.package}"
        )
    # The cascade ships inside the wheel: nothing to download or join into cache_dir.
    digest = verify(entry, path)
    return {"folder": folder, "file": path, "sha256": digest, "files": {entry.source.file: digest}}


class HaarFaceDetector:
    """Viola-Jones cascade; gives no calibrated confidence, so every box scores 1.0."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import cv2

        require_cpu(entry, device)
        self.entry = entry
        self.options = parse_options(entry, HaarOptions)
        self.files = prepare(entry, cache_dir)
        self._cv2 = cv2
        self._cascade = cv2.CascadeClassifier(str(self.files["file"]))
        if self._cascade.empty():
            raise BackendUnavailable(
                f"model {entry.name!r}: OpenCV could not parse "
                f"{self.files['file']}; reinstall {entry.source.package}"
            )
        self._lock = threading.Lock()  # CascadeClassifier keeps per-call scratch buffers

    def detect(self, image: Image) -> list[FaceBox]:
        """Faces in a BGR image, as pixel boxes in that image."""
        cv2, opts = self._cv2, self.options
        height, width = check_image(image).shape[:2]
        scale = min(1.0, opts.max_side / max(height, width))
        small = (
            image
            if scale == 1.0
            else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        )
        gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
        if opts.equalize:
            gray = cv2.equalizeHist(gray)
        side = max(1, round(opts.min_size * min(gray.shape[:2])))  # pixels at the scanned scale
        with self._lock:
            rects = self._cascade.detectMultiScale(
                gray,
                scaleFactor=opts.scale_factor,
                minNeighbors=opts.min_neighbors,
                minSize=(side, side),
            )
        return [
            clip_box(x / scale, y / scale, w / scale, h / scale, 1.0, width, height)
            for x, y, w, h in np.asarray(rects, dtype=np.float64).reshape(-1, 4)
        ]


# Helpers shared by the face engines (mediapipe_engine and dlib_engine import them): this
# module imports nothing heavy at module level, so importing them costs nothing.


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
