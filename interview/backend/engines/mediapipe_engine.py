"""MediaPipe's legacy solutions (CPU): 478-point face mesh with iris, and BlazeFace detection.

The registry maps the engine name "mediapipe" to MediaPipeFaceMesh only; a catalogue entry
with options {kind: detector} gets a MediaPipeFaceDetector instead, because
MediaPipeFaceMesh.__new__ dispatches on options.kind. Outputs are geometry only (where a
face is, where it looks); nothing here reads expressions or infers emotions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interview.backend.catalogue import ModelEntry
from interview.backend.engines.opencv_haar import (
    check_image,
    clip_box,
    parse_options,
    require_cpu,
)
from interview.backend.protocols import Image
from interview.backend.schemas import FaceBox, FaceMesh
from interview.backend.weights import package_dir, sha256_file, verify
from interview.errors import BackendUnavailable, InvalidInput

KINDS = ("mesh", "detector")
RIGHT_IRIS, LEFT_IRIS = 468, 473  # iris centres; the subject's own right and left eye
MESH_POINTS = 478  # 468 face points + 2 x 5 iris points (refine_landmarks=True)


@dataclass(frozen=True)
class MeshOptions:
    """entry.options of a face-mesh model; checked once at load."""

    kind: str = "mesh"
    # True: every image is handled alone. False tracks a face across consecutive images,
    # which is faster but wrong when one loaded model serves frames of many sessions.
    static_image_mode: bool = True
    max_num_faces: int = 4
    min_detection_confidence: float = 0.5  # 0..1
    min_tracking_confidence: float = 0.5  # 0..1; used only when static_image_mode is False
    extra_files: dict[str, str | None] = field(default_factory=dict)  # path -> sha256

    def check(self, model: str) -> None:
        if self.max_num_faces < 1:
            raise InvalidInput(
                f"model {model!r}: options.max_num_faces is {self.max_num_faces}; use 1 or more"
            )
        _check_confidence(model, self.min_detection_confidence, self.min_tracking_confidence)


@dataclass(frozen=True)
class DetectorOptions:
    """entry.options of a BlazeFace model; checked once at load."""

    kind: str = "detector"
    model_selection: int = 1  # 0: short range (within ~2 m), 1: full range (within ~5 m)
    min_detection_confidence: float = 0.5  # 0..1
    extra_files: dict[str, str | None] = field(default_factory=dict)  # path -> sha256

    def check(self, model: str) -> None:
        if self.model_selection not in (0, 1):
            raise InvalidInput(
                f"model {model!r}: options.model_selection is {self.model_selection!r}; use 0 or 1"
            )
        _check_confidence(model, self.min_detection_confidence)


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, Any]:
    """Locate the .tflite files inside the mediapipe package and verify their checksums."""
    folder = package_dir(entry.source.module or "mediapipe")
    path = folder / entry.source.file
    if not entry.source.file or not path.is_file():
        raise BackendUnavailable(
            f"model {entry.name!r}: {path} is missing; mediapipe 0.10.21 "
            f"is the last release that ships its models; install "
            f"{entry.source.package}"
        )
    found = {entry.source.file: verify(entry, path)}
    for name, expected in dict(entry.options.get("extra_files") or {}).items():
        extra = folder / name
        actual = sha256_file(extra) if extra.is_file() else "missing"
        if expected and actual != expected:
            raise BackendUnavailable(
                f"model {entry.name!r}: {extra} has sha256 {actual}, the "
                f"catalogue expects {expected}; reinstall "
                f"{entry.source.package}"
            )
        found[name] = actual
    # The graphs load these files from the package themselves: nothing goes to cache_dir.
    return {"folder": folder, "file": path, "sha256": found[entry.source.file], "files": found}


class MediaPipeFaceMesh:
    """478 normalised landmarks per face, iris centres included (FaceLandmarker)."""

    def __new__(cls, entry: ModelEntry, device: str, cache_dir: Path) -> Any:
        # One registry name per engine: options.kind picks the class (see the module doc).
        kind = entry.options.get("kind", "mesh")
        if kind == "detector":
            return MediaPipeFaceDetector(entry, device, cache_dir)
        if kind != "mesh":
            raise InvalidInput(
                f"model {entry.name!r}: options.kind is {kind!r}; engine "
                f"'mediapipe' offers {list(KINDS)}"
            )
        return super().__new__(cls)

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import mediapipe as mp

        require_cpu(entry, device)
        self.entry = entry
        self.options = parse_options(entry, MeshOptions)
        self.files = prepare(entry, cache_dir)
        self._graph = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=self.options.static_image_mode,
            max_num_faces=self.options.max_num_faces,
            refine_landmarks=True,  # adds the 10 iris points (468..477)
            min_detection_confidence=self.options.min_detection_confidence,
            min_tracking_confidence=self.options.min_tracking_confidence,
        )
        self._lock = threading.Lock()  # a MediaPipe graph takes one image at a time

    def landmarks(self, image: Image) -> list[FaceMesh]:
        """Face meshes in a BGR image; coordinates are fractions of its width and height."""
        height, width = check_image(image).shape[:2]
        rgb = image[:, :, ::-1].copy()  # BGR -> RGB, contiguous as MediaPipe needs
        with self._lock:
            result = self._graph.process(rgb)
        meshes = []
        for face in result.multi_face_landmarks or ():
            points = tuple((p.x, p.y, p.z) for p in face.landmark)
            if len(points) != MESH_POINTS:
                raise BackendUnavailable(
                    f"model {self.entry.name!r}: MediaPipe returned "
                    f"{len(points)} landmarks, expected {MESH_POINTS}; "
                    f"install {self.entry.source.package}"
                )
            xs = [p[0] * width for p in points]
            ys = [p[1] * height for p in points]
            box = clip_box(
                min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys), 1.0, width, height
            )
            meshes.append(
                FaceMesh(
                    box=box,
                    landmarks=points,
                    left_iris=points[LEFT_IRIS][:2],
                    right_iris=points[RIGHT_IRIS][:2],
                )
            )
        return meshes

    def close(self) -> None:
        """Stop the graph's threads (the registry may drop the object instead)."""
        with self._lock:
            self._graph.close()


class MediaPipeFaceDetector:
    """BlazeFace boxes with a 0..1 confidence (FaceDetector)."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import mediapipe as mp

        require_cpu(entry, device)
        self.entry = entry
        self.options = parse_options(entry, DetectorOptions)
        self.files = prepare(entry, cache_dir)
        self._graph = mp.solutions.face_detection.FaceDetection(
            model_selection=self.options.model_selection,
            min_detection_confidence=self.options.min_detection_confidence,
        )
        self._lock = threading.Lock()  # a MediaPipe graph takes one image at a time

    def detect(self, image: Image) -> list[FaceBox]:
        """Faces in a BGR image, as pixel boxes in that image."""
        height, width = check_image(image).shape[:2]
        rgb = image[:, :, ::-1].copy()
        with self._lock:
            result = self._graph.process(rgb)
        boxes = []
        for detection in result.detections or ():
            rel = detection.location_data.relative_bounding_box  # fractions of the image
            boxes.append(
                clip_box(
                    rel.xmin * width,
                    rel.ymin * height,
                    rel.width * width,
                    rel.height * height,
                    float(detection.score[0]),
                    width,
                    height,
                )
            )
        return boxes

    def close(self) -> None:
        """Stop the graph's threads (the registry may drop the object instead)."""
        with self._lock:
            self._graph.close()


def _check_confidence(model: str, *values: float) -> None:
    if not all(0.0 <= v <= 1.0 for v in values):
        raise InvalidInput(f"model {model!r}: confidence options {list(values)} must lie in 0..1")
