"""dlib on CPU: 128-d face identity descriptors (ResNet), and the HOG face detector.

The registry maps the engine name "dlib" to load(), which builds a DlibFaceEmbedder for
options {kind: embedder} (the default) and a DlibFaceDetector for {kind: detector}.
Descriptors serve identity checks (is this the same candidate); nothing here reads
expressions or infers emotions.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.engines._faces import check_image, clip_box, package_files, pick_kind, setup
from interview.backend.protocols import Image, Vectors
from interview.backend.schemas import FaceBox
from interview.backend.weights import package_dir
from interview.errors import InvalidInput

DIMENSION = 128  # dlib_face_recognition_resnet_model_v1 output size


@dataclass(frozen=True)
class EmbedderOptions:
    """entry.options of a dlib descriptor model; checked once at load."""

    kind: str = "embedder"
    landmarks_file: str = "models/shape_predictor_5_face_landmarks.dat"  # aligns the face
    landmarks_sha256: str | None = None
    num_jitters: int = 0  # >1 averages that many jittered crops: ~num_jitters x slower
    padding: float = 0.25  # context around the aligned face chip, as dlib trained it

    def check(self, model: str) -> None:
        if self.num_jitters < 0 or not 0.0 <= self.padding <= 1.0:
            raise InvalidInput(
                f"model {model!r}: options num_jitters={self.num_jitters}, "
                f"padding={self.padding}; need num_jitters >= 0, 0 <= padding <= 1"
            )


@dataclass(frozen=True)
class DetectorOptions:
    """entry.options of the HOG detector; checked once at load."""

    kind: str = "detector"
    upsample: int = 0  # 0 finds faces from ~80 px; each step doubles the image (~4x slower)
    threshold: float = 0.0  # SVM margin a detection needs; negative finds more, wrongly too

    def check(self, model: str) -> None:
        if not 0 <= self.upsample <= 2:
            raise InvalidInput(f"model {model!r}: options.upsample is {self.upsample}; use 0..2")
        if not -1.0 <= self.threshold <= 2.0:
            raise InvalidInput(
                f"model {model!r}: options.threshold is {self.threshold}; "
                "use a margin in -1..2 (0 is dlib's own)"
            )


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, Any]:
    """Locate the dlib model files and verify their checksums.

    The HOG detector's weights are compiled into dlib (source.file is ""), so there is
    nothing to check for it.
    """
    module = entry.source.module or entry.source.package.split("==")[0].replace("-", "_")
    if not entry.source.file:
        return {"folder": package_dir(module), "file": None, "sha256": None, "files": {}}
    extras: dict[str, str | None] = {}
    if entry.options.get("kind", "embedder") == "embedder":
        name = entry.options.get("landmarks_file", EmbedderOptions.landmarks_file)
        extras[name] = entry.options.get("landmarks_sha256")
    # The files are read in place from the package: nothing goes to cache_dir.
    return package_files(entry, module, extras)


class DlibFaceEmbedder:
    """128-d descriptors: same person ~0.05-0.3 apart, others ~0.6-0.9 (FaceEmbedder)."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import dlib

        self.entry = entry
        self.options, self.files = setup(entry, device, cache_dir, EmbedderOptions, prepare)
        self.dimension = entry.dimension or DIMENSION
        self._dlib = dlib
        folder = self.files["folder"]
        self._landmarks = dlib.shape_predictor(str(folder / self.options.landmarks_file))
        self._net = dlib.face_recognition_model_v1(str(self.files["file"]))
        self._lock = threading.Lock()  # the network keeps its activations between calls

    def embed(self, image: Image, boxes: Sequence[FaceBox]) -> Vectors:
        """One float32 descriptor per box, in the boxes' order; shape (len(boxes), 128)."""
        check_image(image)
        if not boxes:
            return np.zeros((0, self.dimension), dtype=np.float32)
        dlib = self._dlib
        rgb = np.ascontiguousarray(image[:, :, ::-1])  # dlib wants RGB
        shapes = dlib.full_object_detections()
        with self._lock:
            for box in boxes:
                rect = dlib.rectangle(
                    box.x, box.y, box.x + box.width - 1, box.y + box.height - 1
                )  # inclusive corners
                shapes.append(self._landmarks(rgb, rect))
            out = self._net.compute_face_descriptor(
                rgb, shapes, num_jitters=self.options.num_jitters, padding=self.options.padding
            )
        return np.asarray(out, dtype=np.float32).reshape(len(boxes), self.dimension)


class DlibFaceDetector:
    """HOG + linear SVM frontal faces; score is the margin squashed to 0..1 (FaceDetector)."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import dlib

        self.entry = entry
        self.options, self.files = setup(entry, device, cache_dir, DetectorOptions, prepare)
        self._detector = dlib.get_frontal_face_detector()
        self._lock = threading.Lock()  # the scanner keeps its feature pyramid between calls

    def detect(self, image: Image) -> list[FaceBox]:
        """Faces in a BGR image, as pixel boxes in that image."""
        height, width = check_image(image).shape[:2]
        rgb = np.ascontiguousarray(image[:, :, ::-1])
        with self._lock:
            rects, margins, _ = self._detector.run(
                rgb, self.options.upsample, self.options.threshold
            )
        # A logistic of the SVM margin: dlib's own threshold (0) maps to 0.5, as BlazeFace's
        # default confidence does; it is an ordering, not a calibrated probability.
        return [
            clip_box(
                r.left(), r.top(), r.width(), r.height(), 1 / (1 + math.exp(-m)), width, height
            )
            for r, m in zip(rects, margins, strict=True)
        ]


def load(entry: ModelEntry, device: str, cache_dir: Path) -> DlibFaceEmbedder | DlibFaceDetector:
    """The registry's factory for engine "dlib": the class options.kind names."""
    return pick_kind(entry, KINDS)(entry, device, cache_dir)


KINDS: dict[str, type[DlibFaceEmbedder] | type[DlibFaceDetector]] = {
    "embedder": DlibFaceEmbedder,  # the default when options.kind is absent
    "detector": DlibFaceDetector,
}
