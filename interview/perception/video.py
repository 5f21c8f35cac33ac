"""Video features: observable on-camera behaviour per sampled frame, summarised per answer.

Geometry only: whether a face is in frame, how many, where the head points and where the
irises sit in the eyes. Nothing here reads expressions, emotions or personality (EU AI Act).

Head pose: a weak-perspective model of three rigid points of MediaPipe's canonical face
(the two outer eye corners and the nose tip; rigid, so talking does not move them). After
undoing roll (the eye line's tilt), the nose tip's offset from the midpoint of the outer eye
corners, in eye widths as the image shows them (the outer corners' distance), is

    x = (DROP sin(pitch) + DEPTH cos(pitch)) tan(yaw)
    y = (DROP cos(pitch) - DEPTH sin(pitch)) / cos(yaw)

which head_pose() solves in closed form (a quadratic in cos^2 yaw).

Accuracy: exact for the model face seen orthographically (the tests check 1e-6 deg). A real
nose 20 % deeper or shallower than the model's reads a true 30 deg yaw as ~35 or ~25 deg;
pitch depends on where the camera sits and on the face (the shared phone clip, looking at
the lens, reads +9 deg); perspective at webcam distance adds a few degrees; landmark jitter
is ~1 deg frame to frame (yaw std 0.9 deg on the shared clip). Not checked against a
head-pose benchmark: use the angles for changes and coarse limits, not as calibrated angles.

Gaze: the iris centre's offset from the middle of its eye (between the eye's two corners),
in eye widths, both eyes averaged. Combined with the head limits it answers "facing the
screen and eyes roughly centred", not where on the screen the candidate looks.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from interview.backend.schemas import FaceBox, FaceMesh
from interview.perception.media import VIDEO_FPS, iter_frames, video_duration
from interview.perception.schemas import TimeSpan
from interview.perception.video_schemas import FrameObservation, VideoFeatures

if TYPE_CHECKING:
    from interview.backend.registry import Backend

# MediaPipe face-mesh landmark indices; "right" is the subject's own right eye (image left).
RIGHT_EYE = (33, 133)  # outer, inner corner
LEFT_EYE = (263, 362)
NOSE_TIP = 1
# MediaPipe's canonical face model (canonical_face_model.obj), in outer-eye-corner widths.
NOSE_DROP = 0.42634  # nose tip below the line through the outer eye corners
NOSE_DEPTH = 0.48384  # nose tip in front of that line, towards the camera
# On screen: the head within these angles and the irises near the middle of the eyes.
MAX_YAW_DEG = 25.0
MAX_PITCH_DEG = 20.0
MAX_IRIS_X = 0.15  # eye widths from the eye centre; ~0.01 seen looking at the lens
IRIS_Y_REST = -0.07  # eye widths; the iris sits a little above the corner line at rest
MAX_IRIS_Y = 0.15  # eye widths from IRIS_Y_REST; eye movement is ~0.1 per 15 deg
NOTE = (
    "observable behaviour only (faces in frame, head pose, iris position); no expression, "
    "emotion or personality is inferred"
)

Point = tuple[float, float]


def _pixels(mesh: FaceMesh, index: int, width: int, height: int) -> Point:
    x, y, _ = mesh.landmarks[index]
    return x * width, y * height


def _frame(mesh: FaceMesh, width: int, height: int) -> tuple[Point, float, float] | None:
    """Midpoint of the outer eye corners, their distance (px) and the roll (radians)."""
    rx, ry = _pixels(mesh, RIGHT_EYE[0], width, height)
    lx, ly = _pixels(mesh, LEFT_EYE[0], width, height)
    span = math.hypot(lx - rx, ly - ry)
    if span < 1e-6:
        return None
    return ((rx + lx) / 2, (ry + ly) / 2), span, math.atan2(ly - ry, lx - rx)


def _unroll(point: Point, origin: Point, roll: float, scale: float) -> Point:
    """`point` relative to `origin`, turned by -roll and divided by `scale`."""
    dx, dy = point[0] - origin[0], point[1] - origin[1]
    c, s = math.cos(roll), math.sin(roll)
    return (c * dx + s * dy) / scale, (-s * dx + c * dy) / scale


def head_pose(mesh: FaceMesh, shape: Sequence[int]) -> tuple[float, float, float] | None:
    """(yaw, pitch, roll) in degrees from the eye corners and nose tip; None if degenerate."""
    height, width = int(shape[0]), int(shape[1])
    found = _frame(mesh, width, height)
    if found is None:
        return None
    origin, span, roll = found
    x, y = _unroll(_pixels(mesh, NOSE_TIP, width, height), origin, roll, span)
    # With c = cos^2(yaw) and R^2 = DROP^2 + DEPTH^2: y^2 c^2 - (x^2 + y^2 + R^2) c + R^2 = 0.
    r2 = NOSE_DROP**2 + NOSE_DEPTH**2
    b = x * x + y * y + r2
    c = 2 * r2 / (b + math.sqrt(max(b * b - 4 * y * y * r2, 0.0)))  # the root <= 1, stably
    # The nose's height and depth in the pitched head: u = R cos(p + beta), z = R sin(p + beta)
    # with beta = atan2(DEPTH, DROP); angles by atan2, which stays exact near 0.
    u = y * math.sqrt(min(c, 1.0))
    z = math.sqrt(max(r2 - u * u, 0.0))
    yaw = math.atan2(x, z)
    pitch = math.atan2(z, u) - math.atan2(NOSE_DEPTH, NOSE_DROP)
    return math.degrees(yaw), math.degrees(pitch), math.degrees(roll)


def iris_offset(mesh: FaceMesh, shape: Sequence[int]) -> tuple[float, float] | None:
    """Iris centre minus eye centre in eye widths, along and across the eye line, both eyes
    averaged; None if the eye corners coincide."""
    height, width = int(shape[0]), int(shape[1])
    found = _frame(mesh, width, height)
    if found is None:
        return None
    _, _, roll = found
    offsets = []
    for (outer, inner), iris in ((RIGHT_EYE, mesh.right_iris), (LEFT_EYE, mesh.left_iris)):
        a, b = _pixels(mesh, outer, width, height), _pixels(mesh, inner, width, height)
        eye = math.hypot(b[0] - a[0], b[1] - a[1])
        if eye < 1e-6:
            return None
        centre = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        offsets.append(_unroll((iris[0] * width, iris[1] * height), centre, roll, eye))
    return (offsets[0][0] + offsets[1][0]) / 2, (offsets[0][1] + offsets[1][1]) / 2


def _area(box: FaceBox) -> int:
    return box.width * box.height


def observe_frame(
    faces: Sequence[FaceBox], meshes: Sequence[FaceMesh], shape: Sequence[int], t: float = 0.0
) -> FrameObservation:
    """One frame's observation from a detector's boxes and the meshes, for the largest face."""
    count = max(len(faces), len(meshes))
    mesh = max(meshes, key=lambda m: _area(m.box), default=None)
    box = max(faces, key=_area, default=mesh.box if mesh is not None else None)
    if mesh is None:
        return FrameObservation(t=t, faces=count, face_box=box)
    pose = head_pose(mesh, shape)
    offset = iris_offset(mesh, shape)
    if pose is None or offset is None:
        return FrameObservation(t=t, faces=count, face_box=box)
    yaw, pitch, roll = pose
    on_screen = (
        abs(yaw) < MAX_YAW_DEG
        and abs(pitch) < MAX_PITCH_DEG
        and abs(offset[0]) <= MAX_IRIS_X
        and abs(offset[1] - IRIS_Y_REST) <= MAX_IRIS_Y
    )
    return FrameObservation(
        t=t,
        faces=count,
        face_box=box,
        yaw_deg=round(yaw, 3),
        pitch_deg=round(pitch, 3),
        roll_deg=round(roll, 3),
        gaze_on_screen=on_screen,
        gaze_offset=(round(offset[0], 4), round(offset[1], 4)),
    )


def _runs(
    observations: Sequence[FrameObservation], end: float, test: Callable[[FrameObservation], bool]
) -> list[TimeSpan]:
    """Spans of consecutive frames passing `test`; a span ends at the next frame's time."""
    spans: list[TimeSpan] = []
    start: float | None = None
    for i, obs in enumerate(observations):
        if test(obs):
            if start is None:
                start = obs.t
            nxt = observations[i + 1].t if i + 1 < len(observations) else end
            if i + 1 == len(observations) or not test(observations[i + 1]):
                spans.append(TimeSpan(start=start, end=max(nxt, start)))
                start = None
    return spans


def _longest(spans: Sequence[TimeSpan]) -> TimeSpan | None:
    return max(spans, key=lambda s: s.duration, default=None)


def _std(values: Sequence[float]) -> float | None:
    return round(statistics.pstdev(values), 3) if len(values) >= 2 else None


def summarise(
    observations: Sequence[FrameObservation], duration_s: float | None = None
) -> VideoFeatures:
    """Per-answer video features from time-ordered frame observations (pure)."""
    n = len(observations)
    if n == 0:
        return VideoFeatures(
            duration_s=duration_s or 0.0,
            frames=0,
            fps_sampled=0.0,
            face_present_ratio=0.0,
            multi_face_ratio=0.0,
            max_faces=0,
            note=f"no video frames; {NOTE}",
        )
    times = [o.t for o in observations]
    steps = [b - a for a, b in zip(times, times[1:], strict=False)]
    end = times[-1] + (statistics.median(steps) if steps else 0.0)
    if duration_s is not None:
        end = max(duration_s, times[-1])
    measured = [o for o in observations if o.gaze_on_screen is not None]
    no_face = _longest(_runs(observations, end, lambda o: o.faces == 0))
    away = _longest(_runs(observations, end, lambda o: o.gaze_on_screen is False))
    notes = []
    if not measured:
        notes.append("no face mesh in any frame: head pose and gaze not measured")
    notes.append(NOTE)
    return VideoFeatures(
        duration_s=round(end, 4),
        frames=n,
        fps_sampled=round(n / end, 4) if end > 0 else 0.0,
        face_present_ratio=sum(o.faces > 0 for o in observations) / n,
        multi_face_ratio=sum(o.faces > 1 for o in observations) / n,
        max_faces=max(o.faces for o in observations),
        looking_at_screen_ratio=(
            sum(bool(o.gaze_on_screen) for o in measured) / len(measured) if measured else None
        ),
        head_yaw_std_deg=_std([o.yaw_deg for o in measured if o.yaw_deg is not None]),
        head_pitch_std_deg=_std([o.pitch_deg for o in measured if o.pitch_deg is not None]),
        longest_no_face_s=round(no_face.duration, 4) if no_face else 0.0,
        longest_no_face=no_face,
        longest_away_s=round(away.duration, 4) if away else 0.0,
        longest_away=away,
        multi_face_spans=tuple(_runs(observations, end, lambda o: o.faces > 1)),
        note="; ".join(notes),
    )


def observe_video(
    backend: Backend,
    source: Path | bytes,
    fps: float = VIDEO_FPS,
    detector: str = "face-blazeface",
    mesh: str = "face-mesh",
) -> list[FrameObservation]:
    """One observation per frame sampled at ~`fps`, from the backend's face models."""
    boxes_of, meshes_of = backend.faces(detector), backend.faces(mesh)
    observations = []
    for t, image in iter_frames(source, fps=fps):
        boxes = boxes_of.detect(image)
        # No face for the detector: skip the mesh (its own detector is shorter-range).
        meshes = meshes_of.landmarks(image) if boxes else []
        observations.append(observe_frame(boxes, meshes, image.shape, t=t))
    return observations


def features_of(
    observations: Sequence[FrameObservation],
    source: Path | bytes,
    fps: float = VIDEO_FPS,
    models: tuple[str, ...] = ("face-blazeface", "face-mesh"),
) -> VideoFeatures:
    """Per-answer features from observe_video's frames of `source`."""
    # The header's duration, unless a truncated file stops earlier than it says.
    duration = video_duration(source)
    if observations:
        last = observations[-1].t + 1.0 / fps  # the last frame stands for one sampling step
        duration = min(duration, last) if duration > observations[-1].t else last
    features = summarise(observations, duration_s=duration)
    return features.model_copy(update={"models": models})


def video_features(
    backend: Backend,
    source: Path | bytes,
    fps: float = VIDEO_FPS,
    detector: str = "face-blazeface",
    mesh: str = "face-mesh",
) -> VideoFeatures:
    """Video features of one recorded answer, running the backend's face models per frame."""
    observations = observe_video(backend, source, fps, detector, mesh)
    return features_of(observations, source, fps, (detector, mesh))
