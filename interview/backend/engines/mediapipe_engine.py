"""MediaPipe's legacy solutions (CPU): 478-point face mesh with iris, and BlazeFace detection.

The registry maps the engine name "mediapipe" to load(), which builds a MediaPipeFaceMesh
for options {kind: mesh} (the default) and a MediaPipeFaceDetector for {kind: detector}.
Outputs are geometry only (where a face is, where it looks); nothing here reads
expressions or infers emotions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic

from interview.backend.catalogue import ModelEntry
from interview.backend.engines._faces import (
    OptionsT,
    check_image,
    clip_box,
    package_files,
    pick_kind,
    setup,
)
from interview.backend.protocols import Image
from interview.backend.schemas import FaceBox, FaceMesh
from interview.errors import BackendUnavailable, InvalidInput

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
    # The graphs load these files from the package themselves: nothing goes to cache_dir.
    return package_files(
        entry,
        entry.source.module or "mediapipe",
        dict(entry.options.get("extra_files") or {}),
        advice="mediapipe 0.10.21 is the last release that ships its models; install",
    )


class _Graph(Generic[OptionsT]):
    """A MediaPipe solution graph behind a lock: a graph takes one image at a time."""

    def __init__(
        self, entry: ModelEntry, device: str, cache_dir: Path, cls: type[OptionsT]
    ) -> None:
        import mediapipe as mp

        self.entry = entry
        self.options, self.files = setup(entry, device, cache_dir, cls, prepare)
        self._graph = self._open(mp.solutions, self.options)
        self._lock = threading.Lock()

    def _open(self, solutions: Any, options: OptionsT) -> Any:
        """The solution's graph, built from the checked options."""
        raise NotImplementedError

    def _process(self, image: Image) -> tuple[Any, int, int]:
        """The graph's result for a BGR image, with the image's height and width."""
        height, width = check_image(image).shape[:2]
        rgb = image[:, :, ::-1].copy()  # BGR -> RGB, contiguous as MediaPipe needs
        with self._lock:
            return self._graph.process(rgb), height, width

    def close(self) -> None:
        """Stop the graph's threads (the registry may drop the object instead)."""
        with self._lock:
            self._graph.close()


class MediaPipeFaceMesh(_Graph[MeshOptions]):
    """478 normalised landmarks per face, iris centres included (FaceLandmarker)."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        super().__init__(entry, device, cache_dir, MeshOptions)

    def _open(self, solutions: Any, options: MeshOptions) -> Any:
        return solutions.face_mesh.FaceMesh(
            refine_landmarks=True,  # adds the 10 iris points (468..477)
            static_image_mode=options.static_image_mode,
            max_num_faces=options.max_num_faces,
            min_detection_confidence=options.min_detection_confidence,
            min_tracking_confidence=options.min_tracking_confidence,
        )

    def landmarks(self, image: Image) -> list[FaceMesh]:
        """Face meshes in a BGR image; coordinates are fractions of its width and height."""
        result, height, width = self._process(image)
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


class MediaPipeFaceDetector(_Graph[DetectorOptions]):
    """BlazeFace boxes with a 0..1 confidence (FaceDetector)."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        super().__init__(entry, device, cache_dir, DetectorOptions)

    def _open(self, solutions: Any, options: DetectorOptions) -> Any:
        return solutions.face_detection.FaceDetection(
            model_selection=options.model_selection,
            min_detection_confidence=options.min_detection_confidence,
        )

    def detect(self, image: Image) -> list[FaceBox]:
        """Faces in a BGR image, as pixel boxes in that image."""
        result, height, width = self._process(image)
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


def load(
    entry: ModelEntry, device: str, cache_dir: Path
) -> MediaPipeFaceMesh | MediaPipeFaceDetector:
    """The registry's factory for engine "mediapipe": the class options.kind names."""
    return pick_kind(entry, KINDS)(entry, device, cache_dir)


KINDS: dict[str, type[MediaPipeFaceMesh] | type[MediaPipeFaceDetector]] = {
    "mesh": MediaPipeFaceMesh,  # the default when options.kind is absent
    "detector": MediaPipeFaceDetector,
}


def _check_confidence(model: str, *values: float) -> None:
    if not all(0.0 <= v <= 1.0 for v in values):
        raise InvalidInput(f"model {model!r}: confidence options {list(values)} must lie in 0..1")
