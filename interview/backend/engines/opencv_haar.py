"""OpenCV's frontal-face Haar cascade (CPU): face presence and count, no landmarks."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.engines._faces import check_image, clip_box, package_files, setup
from interview.backend.protocols import Image
from interview.backend.schemas import FaceBox
from interview.errors import BackendUnavailable, InvalidInput


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
    # The cascade ships inside the wheel: nothing to download or join into cache_dir.
    return package_files(entry, entry.source.module or "cv2")


class HaarFaceDetector:
    """Viola-Jones cascade; gives no calibrated confidence, so every box scores 1.0."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import cv2

        self.entry = entry
        self.options, self.files = setup(entry, device, cache_dir, HaarOptions, prepare)
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
