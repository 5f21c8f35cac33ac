"""Video perception: frame decoding, head pose and gaze geometry, per-answer summaries.

The pure tests hand-build meshes from the documented face model and expect exact values;
the slow ones run the real MediaPipe models on the shared phone clip and on a clip written
here (four faces for 2 s, then nobody for 2 s).
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import wave
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from interview.backend.schemas import FaceBox, FaceMesh
from interview.errors import InvalidInput
from interview.perception.media import iter_frames, video_duration
from interview.perception.schemas import TimeSpan
from interview.perception.video import (
    IRIS_Y_REST,
    LEFT_EYE,
    NOSE_DEPTH,
    NOSE_DROP,
    NOSE_TIP,
    RIGHT_EYE,
    head_pose,
    observe_frame,
    summarise,
    video_features,
)
from interview.perception.video_schemas import FrameObservation

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
VIDEO = DATA / "video" / "one_person_center.mp4"
SELFIE = DATA / "images" / "four_people_selfie.jpg"
SHAPE = (480, 640, 3)  # the hand-built meshes' image: height, width
STEP = 1 / 3  # seconds between frames sampled at the default 3 fps


# -- hand-built meshes ------------------------------------------------------------------------


def _mesh(
    yaw: float = 0.0,
    pitch: float = 0.0,
    roll: float = 0.0,
    iris: tuple[float, float] = (0.0, IRIS_Y_REST),
    eye_px: float = 100.0,
) -> FaceMesh:
    """The face model of interview.perception.video, posed and projected orthographically.

    Head frame in outer-eye-corner widths: x to the image's right, y down, z towards the
    camera. Each eye is 0.3 wide (inner corners at +-0.2); `iris` is the iris offset from
    each eye's centre in eye widths. Degrees; the face sits at the image centre.
    """
    eye = 0.3
    head = {
        RIGHT_EYE[0]: (-0.5, 0.0, 0.0),
        RIGHT_EYE[1]: (-0.2, 0.0, 0.0),
        LEFT_EYE[0]: (0.5, 0.0, 0.0),
        LEFT_EYE[1]: (0.2, 0.0, 0.0),
        NOSE_TIP: (0.0, NOSE_DROP, NOSE_DEPTH),
        468: (-0.35 + iris[0] * eye, iris[1] * eye, 0.0),  # right iris
        473: (0.35 + iris[0] * eye, iris[1] * eye, 0.0),  # left iris
    }
    p, y, r = (math.radians(a) for a in (pitch, yaw, roll))
    height, width = SHAPE[:2]
    points: list[tuple[float, float, float]] = [(0.5, 0.5, 0.0)] * 478
    for index, (x0, y0, z0) in head.items():
        y1, z1 = y0 * math.cos(p) - z0 * math.sin(p), y0 * math.sin(p) + z0 * math.cos(p)
        x2, z2 = x0 * math.cos(y) + z1 * math.sin(y), -x0 * math.sin(y) + z1 * math.cos(y)
        x3, y3 = x2 * math.cos(r) - y1 * math.sin(r), x2 * math.sin(r) + y1 * math.cos(r)
        points[index] = (
            (width / 2 + x3 * eye_px) / width,
            (height / 2 + y3 * eye_px) / height,
            z2 * eye_px / width,
        )
    box = FaceBox(x=270, y=190, width=100, height=120)
    return FaceMesh(
        box=box,
        landmarks=tuple(points),
        left_iris=points[473][:2],
        right_iris=points[468][:2],
    )


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"),
    [(0, 0, 0), (30, 0, 0), (-45, 0, 0), (0, 15, 0), (0, -25, 0), (20, -10, 0), (-35, 12, 25)],
)
def test_head_pose_inverts_the_face_model_exactly(yaw: float, pitch: float, roll: float) -> None:
    pose = head_pose(_mesh(yaw, pitch, roll), SHAPE)
    assert pose is not None
    assert pose == pytest.approx((yaw, pitch, roll), abs=1e-6)


def test_head_pose_does_not_depend_on_face_size_or_position() -> None:
    near = head_pose(_mesh(20, -10, 5, eye_px=150), SHAPE)
    far = head_pose(_mesh(20, -10, 5, eye_px=40), SHAPE)
    assert near == pytest.approx(far, abs=1e-6)


def test_a_collapsed_mesh_has_no_pose() -> None:
    flat = FaceMesh(
        box=FaceBox(x=0, y=0, width=1, height=1),
        landmarks=((0.5, 0.5, 0.0),) * 478,
        left_iris=(0.5, 0.5),
        right_iris=(0.5, 0.5),
    )
    assert head_pose(flat, SHAPE) is None
    obs = observe_frame([], [flat], SHAPE)
    assert obs.faces == 1
    assert obs.yaw_deg is None and obs.gaze_on_screen is None


def test_observe_frame_looking_at_the_screen() -> None:
    small = FaceBox(x=10, y=10, width=20, height=20)
    big = FaceBox(x=250, y=170, width=140, height=160, score=0.9)
    obs = observe_frame([small, big], [_mesh(iris=(0.1, -0.02))], SHAPE, t=1.5)
    assert obs.t == 1.5
    assert obs.faces == 2
    assert obs.face_box == big  # the largest face is the candidate's
    assert (obs.yaw_deg, obs.pitch_deg, obs.roll_deg) == (0.0, 0.0, 0.0)
    assert obs.gaze_offset == (0.1, -0.02)
    assert obs.gaze_on_screen is True


@pytest.mark.parametrize(
    ("pose", "iris"),
    [
        ((0, 0, 0), (0.2, IRIS_Y_REST)),  # eyes turned aside
        ((0, 0, 0), (-0.2, IRIS_Y_REST)),
        ((0, 0, 0), (0.0, IRIS_Y_REST + 0.2)),  # eyes down
        ((30, 0, 0), (0.0, IRIS_Y_REST)),  # head turned
        ((-30, 0, 0), (0.0, IRIS_Y_REST)),
        ((0, -25, 0), (0.0, IRIS_Y_REST)),  # head down, reading
    ],
)
def test_observe_frame_looking_away(
    pose: tuple[float, float, float], iris: tuple[float, float]
) -> None:
    obs = observe_frame([FaceBox(x=250, y=170, width=140, height=160)], [_mesh(*pose, iris)], SHAPE)
    assert obs.gaze_on_screen is False
    assert obs.gaze_offset is not None
    assert obs.gaze_offset[0] == pytest.approx(iris[0], abs=1e-4)  # turning keeps x in eye widths


def test_iris_offset_is_measured_along_a_tilted_eye_line() -> None:
    obs = observe_frame([], [_mesh(roll=30, iris=(0.12, -0.05))], SHAPE)
    assert obs.roll_deg == pytest.approx(30.0)
    assert obs.gaze_offset == pytest.approx((0.12, -0.05), abs=1e-4)
    assert obs.faces == 1
    assert obs.face_box == FaceBox(x=270, y=190, width=100, height=120)  # the mesh's box


def test_observe_frame_without_a_mesh() -> None:
    boxes = [FaceBox(x=0, y=0, width=50, height=50)] * 3
    obs = observe_frame(boxes, [], SHAPE, t=2.0)
    assert obs == FrameObservation(t=2.0, faces=3, face_box=boxes[0])
    assert observe_frame([], [], SHAPE) == FrameObservation(t=0.0, faces=0)


# -- summaries ---------------------------------------------------------------------------------


def _obs(
    t: float, faces: int, on: bool | None = None, yaw: float = 0.0, pitch: float = 0.0
) -> FrameObservation:
    if on is None:
        return FrameObservation(t=t, faces=faces)
    return FrameObservation(t=t, faces=faces, yaw_deg=yaw, pitch_deg=pitch, gaze_on_screen=on)


OBSERVATIONS = [
    _obs(0.0, 1, True, 2, 1),
    _obs(0.5, 1, False, -2, 1),
    _obs(1.0, 0),
    _obs(1.5, 0),
    _obs(2.0, 0),
    _obs(2.5, 2),  # the detector saw two faces, the mesh none
    _obs(3.0, 2, False, 2, -1),
    _obs(3.5, 1, False, -2, -1),
]


@pytest.mark.parametrize("duration", [4.0, None])  # None: one more step after the last frame
def test_summarise_exact(duration: float | None) -> None:
    features = summarise(OBSERVATIONS, duration_s=duration)
    assert features.duration_s == 4.0
    assert features.frames == 8
    assert features.fps_sampled == 2.0
    assert features.face_present_ratio == 5 / 8
    assert features.multi_face_ratio == 2 / 8
    assert features.max_faces == 2
    assert features.looking_at_screen_ratio == 1 / 4  # of the four frames with a mesh
    assert features.head_yaw_std_deg == 2.0
    assert features.head_pitch_std_deg == 1.0
    assert features.longest_no_face == TimeSpan(start=1.0, end=2.5)
    assert features.longest_no_face_s == 1.5
    assert features.longest_away == TimeSpan(start=3.0, end=4.0)  # beats 0.5..1.0
    assert features.longest_away_s == 1.0
    assert features.multi_face_spans == (TimeSpan(start=2.5, end=3.5),)
    assert "no expression, emotion or personality" in features.note


def test_summarise_nothing_and_nobody() -> None:
    empty = summarise([], duration_s=3.0)
    assert (empty.frames, empty.duration_s, empty.face_present_ratio) == (0, 3.0, 0.0)
    assert empty.looking_at_screen_ratio is None
    assert "no video frames" in empty.note
    nobody = summarise([_obs(0.0, 0), _obs(1.0, 0)], duration_s=2.0)
    assert nobody.longest_no_face == TimeSpan(start=0.0, end=2.0)
    assert nobody.looking_at_screen_ratio is None
    assert nobody.head_yaw_std_deg is None
    assert nobody.multi_face_spans == ()
    assert "head pose and gaze not measured" in nobody.note


# -- decoding ----------------------------------------------------------------------------------


def test_phone_clip_frames_are_upright_and_sampled_by_time() -> None:
    frames = list(iter_frames(VIDEO, max_side=1000))
    assert frames[0][1].shape == (848, 480, 3)  # stored 848x480 with a 90 degree tag
    assert frames[0][1].dtype == np.uint8
    times = np.array([t for t, _ in frames])
    assert times[0] == 0.0
    assert np.allclose(np.diff(times), STEP, atol=1 / 24)  # within one frame of the 24 fps clip
    assert len(frames) == 32  # 10.5 s at 3 fps
    small = next(iter_frames(VIDEO))[1]
    assert small.shape == (640, 362, 3)  # long side <= 640
    assert video_duration(VIDEO) == pytest.approx(10.5, abs=0.05)
    assert len(list(iter_frames(VIDEO.read_bytes(), fps=1.0))) == 11


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x00garbage" * 100, "could not decode 800 bytes"),
        (b"", "empty"),
    ],
)
def test_garbage_is_invalid_input(data: bytes, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        list(iter_frames(data))
    with pytest.raises(InvalidInput, match=match):
        video_duration(data)


def test_audio_only_and_missing_files_are_invalid_input(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16_000)
        wav.writeframes(np.zeros(16_000, np.int16).tobytes())
    with pytest.raises(InvalidInput, match="no video stream.*camera"):
        list(iter_frames(buffer.getvalue()))
    with pytest.raises(InvalidInput, match="does not exist"):
        list(iter_frames(tmp_path / "absent.mp4"))
    with pytest.raises(InvalidInput, match="fps is 0"):
        list(iter_frames(VIDEO, fps=0))


def test_truncated_mp4_yields_the_frames_it_has() -> None:
    data = VIDEO.read_bytes()
    frames = list(iter_frames(data[: len(data) // 2]))
    assert 3 < len(frames) < 30
    assert frames[-1][0] < 8.0


def test_truncated_webm_yields_the_frames_it_has(tmp_path: Path) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        pytest.skip("ffmpeg is not installed (make sysdeps)")
    # Streamed out as a browser's MediaRecorder does: the header carries no duration.
    data = subprocess.run(
        [ffmpeg, "-loglevel", "error", "-i", str(VIDEO), "-t", "3", "-an", "-vf", "scale=-2:320"]
        + ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"]
        + ["-f", "webm", "pipe:1"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    whole = list(iter_frames(data))
    assert len(whole) == 9  # 3 s at 3 fps
    assert whole[0][1].shape[:2] == (320, 182)  # ffmpeg turned it upright, then scaled it
    assert video_duration(data) == pytest.approx(3.0, abs=0.05)  # from packet times
    cut = tmp_path / "cut.webm"
    cut.write_bytes(data[: len(data) * 6 // 10])
    frames = list(iter_frames(cut))
    assert 0 < len(frames) < len(whole)
    assert [t for t, _ in frames] == [t for t, _ in whole[: len(frames)]]
    assert frames[-1][0] < video_duration(cut) < 3.0


# -- real models -------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_person_looking_at_the_camera(backend: Any) -> None:
    features = video_features(backend, VIDEO)
    assert features.frames == 32
    assert features.duration_s == pytest.approx(10.5, abs=0.05)
    assert features.face_present_ratio > 0.9  # 1.0 seen
    assert features.max_faces == 1
    assert features.multi_face_spans == ()
    assert features.looking_at_screen_ratio is not None
    assert features.looking_at_screen_ratio > 0.7  # 1.0 seen
    assert features.head_yaw_std_deg is not None and features.head_yaw_std_deg < 5  # 0.9 seen
    assert features.head_pitch_std_deg is not None and features.head_pitch_std_deg < 5
    assert features.longest_no_face_s == 0.0
    assert features.models == ("face-blazeface", "face-mesh")


@pytest.mark.slow
def test_truncated_upload_is_summarised_up_to_its_end(backend: Any) -> None:
    data = VIDEO.read_bytes()
    features = video_features(backend, data[: len(data) // 2])
    assert 3 < features.frames < 30
    assert features.duration_s < 8.0  # not the 10.5 s the header promises
    assert features.face_present_ratio > 0.9


@pytest.fixture(scope="module")
def four_then_nobody(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 s at 10 fps (MJPG): the four-people selfie for 2 s, then a black frame for 2 s."""
    selfie = cv2.imread(str(SELFIE))
    assert selfie is not None
    scale = 640 / selfie.shape[1]
    frame = cv2.resize(selfie, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)[:480]
    path = tmp_path_factory.mktemp("video") / "four_then_nobody.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (640, 480))
    assert writer.isOpened()
    for i in range(40):
        writer.write(frame if i < 20 else np.zeros_like(frame))
    writer.release()
    return path


@pytest.mark.slow
def test_others_in_frame_then_nobody(backend: Any, four_then_nobody: Path) -> None:
    features = video_features(backend, four_then_nobody)
    assert features.duration_s == pytest.approx(4.0, abs=0.01)
    assert features.max_faces >= 3  # 4 seen
    (span,) = features.multi_face_spans
    assert span.start == 0.0
    assert span.end == pytest.approx(2.0, abs=STEP)
    assert features.multi_face_ratio == pytest.approx(0.5, abs=0.1)
    assert features.longest_no_face is not None
    assert features.longest_no_face_s == pytest.approx(2.0, abs=STEP)
    assert features.longest_no_face.end == pytest.approx(4.0, abs=0.01)
    assert features.face_present_ratio == pytest.approx(0.5, abs=0.1)


@pytest.mark.slow
def test_real_landmarks_follow_a_turned_and_a_mirrored_frame(backend: Any) -> None:
    detector, mesh = backend.faces("face-blazeface"), backend.faces("face-mesh")
    _, frame = next(iter_frames(VIDEO))
    height, width = frame.shape[:2]

    def observe(image: np.ndarray) -> FrameObservation:
        return observe_frame(detector.detect(image), mesh.landmarks(image), image.shape)

    upright = observe(frame)
    assert upright.yaw_deg is not None and upright.pitch_deg is not None
    assert upright.roll_deg is not None
    assert upright.gaze_on_screen is True
    for angle in (20, -20):  # cv2: counter-clockwise in the image, so roll falls by `angle`
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        turned = observe(cv2.warpAffine(frame, matrix, (width, height)))
        assert turned.roll_deg == pytest.approx(upright.roll_deg - angle, abs=2.0)  # 0.4 seen
        assert turned.yaw_deg == pytest.approx(upright.yaw_deg, abs=3.0)  # 2.4 seen
        assert turned.pitch_deg == pytest.approx(upright.pitch_deg, abs=3.0)  # 0.6 seen
        assert turned.gaze_on_screen is True
    mirrored = observe(np.ascontiguousarray(frame[:, ::-1]))
    assert mirrored.yaw_deg == pytest.approx(-upright.yaw_deg, abs=2.5)  # 1.1 seen
    assert mirrored.roll_deg == pytest.approx(-upright.roll_deg, abs=2.0)  # 0.4 seen
