"""Identity and liveness checks on one answer's video: flags for a reviewer, never a verdict.

The candidate's face is enrolled once (with consent) from a photo: enroll() keeps the one
face's dlib descriptor (128-d). check_identity() samples the answer's video at FPS, runs the
backend's face models over each frame (observe_frames: BlazeFace boxes, the largest face's
descriptor distance to the enrolment, its face-mesh geometry) and hands the per-frame numbers
to interview.integrity.face_flags.judge_frames(), which is pure and turns them into
identity_mismatch, extra_person, no_face and still_image flags (its docstring gives the
thresholds and the measurements behind them). No expression, emotion or personality is
inferred anywhere here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from pydantic import Field

from interview.backend.schemas import FaceBox, FaceMesh
from interview.errors import InvalidInput
from interview.integrity.face_flags import FaceFrame, IdentityResult, Point, judge_frames
from interview.integrity.schemas import Frozen
from interview.perception.media import iter_frames, video_duration

if TYPE_CHECKING:
    from interview.backend.registry import Backend

DETECTOR = "face-blazeface"  # fast (~12 ms a frame); counts faces and boxes the largest
EMBEDDER = "face-dlib"  # 128-d identity descriptor, ~0.15 s a face on one core
MESH = "face-mesh"  # 478-point geometry for the movement (liveness) measure
# Frames sampled per second. The descriptor is most of the cost: at 2 fps the check takes
# 0.32-0.38 CPU seconds per second of video (bench/integrity.py), 2.8x real time on the wall
# clock (1.2x with the 2 cores busy with other work, load ~7.5).
FPS = 2.0
DIMENSION = 128
MIN_ENROLL_FACE_PX = 80  # shorter side of the enrolment face; dlib aligns to a 150 px chip

# MediaPipe face-mesh indices; "right" is the subject's own right eye (image left).
RIGHT_EYE = (33, 133)  # outer, inner corner
LEFT_EYE = (263, 362)
RIGHT_LIDS = (159, 145)  # upper, lower lid at the eye's middle
LEFT_LIDS = (386, 374)
LIPS = (13, 14)  # inner upper and lower lip at the middle
# Points whose wandering is the motion measure: eye corners and lids, nose tip, chin, mouth
# corners and lips, forehead, the face's sides.
MOTION_POINTS = (33, 133, 263, 362, 159, 145, 386, 374, 1, 152, 61, 291, 13, 14, 10, 234, 454)
IMAGE_MAGIC = {  # first bytes -> format, for photos we accept
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
}

Image = npt.NDArray[np.uint8]


# -- schemas ---------------------------------------------------------------------------------


class Enrollment(Frozen):
    """The candidate's reference face, taken once (with consent) before the interview."""

    descriptor: tuple[float, ...] = Field(min_length=DIMENSION, max_length=DIMENSION)
    box: FaceBox  # the face in the enrolment photo, pixels
    width: int = Field(gt=0)  # the photo's size, pixels
    height: int = Field(gt=0)
    model: str = EMBEDDER  # catalogue name of the descriptor model
    detector: str = DETECTOR


# -- enrolment -------------------------------------------------------------------------------


def decode_photo(data: bytes) -> Image:
    """A JPEG, PNG or WebP photo as a BGR array; InvalidInput naming the problem otherwise."""
    import cv2

    if not data:
        raise InvalidInput("the photo is empty (0 bytes); take a photo with the camera")
    kind = next((k for magic, k in IMAGE_MAGIC.items() if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "WebP"
    if kind is None:
        raise InvalidInput(
            f"the photo ({len(data)} bytes) is not a JPEG, PNG or WebP image "
            "(recognised by its content, not its name); send a photo"
        )
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise InvalidInput(
            f"the {kind} photo ({len(data)} bytes) could not be decoded; it may be "
            "truncated or damaged: take the photo again"
        )
    return np.asarray(image, dtype=np.uint8)


def _check_array(image: Any) -> Image:
    if (
        not isinstance(image, np.ndarray)
        or image.dtype != np.uint8
        or image.ndim != 3
        or image.shape[2] != 3
        or 0 in image.shape
    ):
        got = (
            f"a {image.dtype} array of shape {image.shape}"
            if isinstance(image, np.ndarray)
            else type(image).__name__
        )
        raise InvalidInput(
            f"the photo must be JPEG/PNG/WebP bytes or an H x W x 3 uint8 BGR array, got {got}"
        )
    return image


def _area(box: FaceBox) -> int:
    return box.width * box.height


def enroll(
    backend: Backend,
    image: bytes | Image,
    *,
    detector: str = DETECTOR,
    embedder: str = EMBEDDER,
) -> Enrollment:
    """The reference descriptor of the one face in a photo (bytes, or a BGR array as OpenCV
    and interview.perception.media.iter_frames give); InvalidInput the candidate can act on
    otherwise."""
    photo = decode_photo(image) if isinstance(image, bytes) else _check_array(image)
    height, width = photo.shape[:2]
    boxes = backend.faces(detector).detect(photo)
    if not boxes:
        raise InvalidInput("no face found in the photo: face the camera in good light")
    if len(boxes) > 1:
        raise InvalidInput(
            f"{len(boxes)} faces in the photo: only the candidate should be in frame"
        )
    box = boxes[0]
    if min(box.width, box.height) < MIN_ENROLL_FACE_PX:
        raise InvalidInput(
            f"the face is too small in the photo ({min(box.width, box.height)} px, need "
            f"{MIN_ENROLL_FACE_PX}): come closer to the camera"
        )
    vector = backend.faces(embedder).embed(photo, [box])[0]
    return Enrollment(
        descriptor=tuple(float(v) for v in vector),
        box=box,
        width=width,
        height=height,
        model=embedder,
        detector=detector,
    )


# -- per-frame measurements ------------------------------------------------------------------


def _pixel(mesh: FaceMesh, index: int, width: int, height: int) -> Point:
    x, y, _ = mesh.landmarks[index]
    return x * width, y * height


def _dist(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def mesh_geometry(mesh: FaceMesh, shape: Sequence[int]) -> dict[str, Any] | None:
    """The liveness geometry of one face mesh (FaceFrame's shape, eye_span, eye_openness,
    mouth_opening); None when the eye corners coincide."""
    height, width = int(shape[0]), int(shape[1])

    def px(index: int) -> Point:
        return _pixel(mesh, index, width, height)

    span = _dist(px(RIGHT_EYE[0]), px(LEFT_EYE[0]))
    eyes = [_dist(px(o), px(i)) for o, i in (RIGHT_EYE, LEFT_EYE)]
    if span < 1e-6 or min(eyes) < 1e-6:
        return None
    lids = [_dist(px(u), px(d)) for u, d in (RIGHT_LIDS, LEFT_LIDS)]
    return {
        "shape": tuple(px(i) for i in MOTION_POINTS),
        "eye_span": span,
        "eye_openness": (lids[0] / eyes[0] + lids[1] / eyes[1]) / 2,
        "mouth_opening": _dist(px(LIPS[0]), px(LIPS[1])) / span,
    }


def face_frame(
    t: float,
    boxes: Sequence[FaceBox],
    meshes: Sequence[FaceMesh],
    shape: Sequence[int],
    distance: float | None = None,
) -> FaceFrame:
    """One frame's numbers from the detector's boxes and the meshes (largest face each)."""
    ordered = sorted(boxes, key=_area, reverse=True)
    mesh = max(meshes, key=lambda m: _area(m.box), default=None)
    geometry = mesh_geometry(mesh, shape) if mesh is not None else None
    return FaceFrame(
        t=t,
        faces=len(ordered),
        box=ordered[0] if ordered else None,
        second_score=ordered[1].score if len(ordered) > 1 else None,
        distance=distance,
        **(geometry or {}),
    )


def observe_frames(
    backend: Backend,
    source: Path | bytes,
    enrollment: Enrollment | None,
    fps: float = FPS,
    detector: str = DETECTOR,
    mesh: str = MESH,
) -> list[FaceFrame]:
    """Per sampled frame: faces, the largest face's distance to the enrolment (only that face
    is embedded) and its mesh geometry. Frames without a face skip the mesh and descriptor."""
    boxes_of, meshes_of = backend.faces(detector), backend.faces(mesh)
    embed = backend.faces(enrollment.model) if enrollment is not None else None
    reference = np.asarray(enrollment.descriptor, np.float32) if enrollment else None
    frames = []
    for t, image in iter_frames(source, fps=fps):
        boxes = boxes_of.detect(image)
        if not boxes:
            frames.append(FaceFrame(t=t, faces=0))
            continue
        distance = None
        if embed is not None and reference is not None:
            largest = max(boxes, key=_area)
            vector = embed.embed(image, [largest])[0]
            distance = round(float(np.linalg.norm(vector - reference)), 4)
        frames.append(face_frame(t, boxes, meshes_of.landmarks(image), image.shape, distance))
    return frames


def seconds_processed(source: Path | bytes, frames: Sequence[FaceFrame], fps: float) -> float:
    """The header's duration, unless a truncated file stops earlier than it says."""
    duration = video_duration(source)
    if frames:
        last = frames[-1].t + 1.0 / fps  # the last frame stands for one sampling step
        duration = min(duration, last) if duration > frames[-1].t else last
    return duration


def check_identity(
    backend: Backend,
    source: Path | bytes,
    enrollment: Enrollment | None,
    *,
    question_id: str | None = None,
    fps: float = FPS,
    detector: str = DETECTOR,
    mesh: str = MESH,
) -> IdentityResult:
    """Identity, presence and liveness flags of one answer's video (source: a file or bytes).

    With enrollment None only extra_person, no_face and still_image are checked.
    """
    if not fps > 0:
        raise InvalidInput(f"fps is {fps}; sample at least one frame per run (e.g. fps=2)")
    started = time.perf_counter()
    frames = observe_frames(backend, source, enrollment, fps, detector, mesh)
    result = judge_frames(
        frames,
        fps=fps,
        duration_s=seconds_processed(source, frames, fps),
        enrolled=enrollment is not None,
        question_id=question_id,
    )
    models = (detector, mesh, *((enrollment.model,) if enrollment else ()))
    return result.model_copy(
        update={"processing_s": round(time.perf_counter() - started, 3), "models": models}
    )
