"""Identity and liveness checks: enrolment, identity switches, others in frame, nobody in
frame, a still picture.

The pure tests hand-build per-frame numbers and expect exact spans. The real-model tests run
BlazeFace, the face mesh and the dlib descriptor on the shared phone clip and on short clips
written here from its real frames: another person's face (from the group photos) pasted over
the candidate's, a second face over his shoulder, blank frames, one frame held still with
camera noise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from interview.backend.schemas import FaceBox
from interview.errors import InvalidInput
from interview.integrity.identity import (
    BLINK_RANGE,
    MISMATCH_DISTANCE,
    MOTION_POINTS,
    STILL_MAX_MOTION,
    Enrollment,
    FaceFrame,
    IdentityResult,
    check_identity,
    decode_photo,
    enroll,
    extra_person_flags,
    judge_frames,
    liveness,
    mismatch_flags,
    no_face_flags,
    runs,
    sustained,
)
from interview.perception.media import iter_frames

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
VIDEO = DATA / "video" / "one_person_center.mp4"
SELFIE = DATA / "images" / "four_people_selfie.jpg"
STANDING = DATA / "images" / "three_people_standing.jpg"
CLIP_FPS = 10.0  # frames per second of the clips written here
STEP = 0.5  # seconds between frames sampled at the default 2 fps


# -- pure logic ------------------------------------------------------------------------------


def _frames(distances: list[float | None], step: float = STEP) -> list[FaceFrame]:
    return [
        FaceFrame(t=i * step, faces=0 if d is None else 1, distance=d)
        for i, d in enumerate(distances)
    ]


def test_runs_are_half_open_index_ranges() -> None:
    assert runs([]) == []
    assert runs([False, True, True, False, True]) == [(1, 3), (4, 5)]
    assert runs([True] * 3) == [(0, 3)]


def test_sustained_runs_end_at_the_next_frame_or_the_video_end() -> None:
    frames = _frames([None, 0.1, None, None, None, 0.1, None, None])
    out = sustained(frames, lambda f: f.faces == 0, end=4.0, min_s=1.5)
    # 0.0-0.5 is too short; 1.0-2.5 lasts exactly 1.5 s; 3.0-end(4.0) is 1.0 s.
    assert out == [(2, 5, 1.0, 2.5)]
    assert sustained(frames, lambda f: f.faces == 0, end=5.0, min_s=1.5)[-1] == (6, 8, 3.0, 5.0)


def test_one_bad_frame_is_not_a_mismatch_but_a_run_is() -> None:
    frames = _frames([0.1, 0.1, 0.8, 0.1, 0.1, 0.7, 0.9, 0.8, 0.1, 0.95, 0.95, None, 0.95])
    (flag,) = mismatch_flags(frames, end=6.5, question_id="q1")
    assert flag.kind == "identity_mismatch"
    assert (flag.start_s, flag.end_s) == (2.5, 4.0)
    assert flag.evidence["threshold"] == MISMATCH_DISTANCE
    assert flag.evidence["distance_median"] == 0.8
    assert flag.evidence["distance_max"] == 0.9
    assert flag.evidence["frames"] == 3
    assert flag.severity == "high"
    assert flag.question_id == "q1"
    assert 0.5 < flag.confidence < 1.0
    assert "0.80" in flag.note and "enrolled" in flag.note
    # 0.95 at 4.5-5.0 is two frames (1.0 s), and the None frame ends the run after it.
    assert mismatch_flags(frames, end=6.5, min_s=1.0)[1].start_s == 4.5


def test_extra_person_and_no_face_runs() -> None:
    counts = [1, 2, 1, 2, 2, 2, 3, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    frames = [
        FaceFrame(t=i * STEP, faces=n, second_score=0.8 if n > 1 else None)
        for i, n in enumerate(counts)
    ]
    (extra,) = extra_person_flags(frames, end=8.0)
    assert (extra.start_s, extra.end_s) == (1.5, 3.5)
    assert extra.evidence["max_faces"] == 3
    assert extra.confidence == 0.8
    (nobody,) = no_face_flags(frames, end=8.0)
    assert (nobody.start_s, nobody.end_s) == (4.0, 7.0)
    assert nobody.evidence["seconds"] == 3.0
    assert nobody.evidence["min_seconds"] == 3.0
    assert nobody.severity == "low"
    # The last no-face frame runs to the end of the video: 7.5-8.0 is too short.
    assert no_face_flags(frames, end=11.0)[-1].end_s == 11.0


def _mesh_frame(
    t: float, offset: tuple[float, float] = (0.0, 0.0), eye: float = 0.29, mouth: float = 0.0
) -> FaceFrame:
    """A face whose MOTION_POINTS sit on a 100 px eye span, moved by `offset` pixels."""
    base = [(200.0 + 7 * k, 300.0 + 3 * (k % 5)) for k in range(len(MOTION_POINTS))]
    return FaceFrame(
        t=t,
        faces=1,
        shape=tuple((x + offset[0], y + offset[1]) for x, y in base),
        eye_span=100.0,
        eye_openness=eye,
        mouth_opening=mouth,
    )


def test_a_frozen_face_is_still_and_a_drifting_one_is_not() -> None:
    # 10 s at 2 fps: still (0.1 px noise) for the first 7 s, then the head drifts 4 px a frame.
    rng = np.random.default_rng(1)
    frames = [
        _mesh_frame(i * STEP, tuple(rng.normal(0, 0.1, 2)) if i < 14 else (4.0 * (i - 13), 0))
        for i in range(20)
    ]
    result, flags = liveness(frames, fps=2.0, end=10.0, question_id="q2")
    assert result.judged
    assert result.windows == 20 - 12 + 1
    assert result.motion_min is not None and result.motion_min < 0.002
    (flag,) = flags
    assert flag.kind == "still_image"
    assert (flag.start_s, flag.end_s) == (0.0, 7.0)  # the two still windows: frames 0-13
    assert flag.evidence["motion"] < STILL_MAX_MOTION
    assert flag.evidence["motion_threshold"] == STILL_MAX_MOTION
    assert flag.question_id == "q2"


@pytest.mark.parametrize("change", ["blink", "speech"])
def test_a_blink_or_speech_in_a_still_head_is_live(change: str) -> None:
    frames = [
        _mesh_frame(
            i * STEP,
            eye=0.08 if change == "blink" and i % 6 == 3 else 0.29,
            mouth=0.1 if change == "speech" and i % 2 else 0.0,
        )
        for i in range(14)
    ]
    result, flags = liveness(frames, fps=2.0, end=7.0)
    assert flags == []
    assert result.judged and result.still_windows == 0
    if change == "blink":
        assert result.eye_openness_range is not None
        assert result.eye_openness_range >= BLINK_RANGE


def test_liveness_needs_a_window_of_mesh_frames() -> None:
    frames = [_mesh_frame(i * STEP) for i in range(11)]  # 5.5 s: one frame short of 6 s
    result, flags = liveness(frames, fps=2.0, end=5.5)
    assert not result.judged and flags == []
    assert "longest 11 frames, need 12" in result.reason


def test_judge_frames_without_enrolment_ignores_distances() -> None:
    frames = [f.model_copy(update={"distance": 0.9}) for f in _frames([0.0] * 8)]
    unenrolled = judge_frames(frames, fps=2.0, duration_s=4.0, enrolled=False)
    assert unenrolled.flags == ()
    enrolled = judge_frames(frames, fps=2.0, duration_s=4.0, enrolled=True, question_id="q")
    assert [f.kind for f in enrolled.flags] == ["identity_mismatch"]
    assert enrolled.flags[0].question_id == "q"
    assert (enrolled.distance_median, enrolled.distance_max) == (0.9, 0.9)
    assert enrolled.face_present_ratio == 1.0
    assert enrolled.duration_s == 4.0
    assert not enrolled.liveness.judged
    empty = judge_frames([], fps=2.0, duration_s=0.0, enrolled=True)
    assert (empty.frames, empty.face_present_ratio, empty.max_faces) == (0, 0.0, 0)
    with pytest.raises(InvalidInput, match="fps is 0"):
        judge_frames(frames, fps=0, duration_s=4.0, enrolled=False)


def test_bad_photos_are_named() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        decode_photo(b"")
    with pytest.raises(InvalidInput, match="not a JPEG, PNG or WebP"):
        decode_photo(b"%PDF-1.7 not a photo" * 10)
    jpeg = SELFIE.read_bytes()
    with pytest.raises(InvalidInput, match="JPEG photo .* could not be decoded"):
        decode_photo(jpeg[:200])


# -- clips made from real frames -------------------------------------------------------------


def _paste(
    frame: np.ndarray, photo: np.ndarray, face: FaceBox, target: FaceBox, shift: Any
) -> np.ndarray:
    """`frame` with the photo's face scaled onto `target`'s place (soft-edged ellipse),
    moved by shift = (dx px, dy px, scale)."""
    dx, dy, scale = shift
    s = target.width / face.width * scale
    cx, cy = face.x + face.width / 2, face.y + face.height / 2
    tx, ty = target.x + target.width / 2 + dx, target.y + target.height / 2 + dy
    matrix = np.float32([[s, 0, tx - s * cx], [0, s, ty - s * cy]])
    height, width = frame.shape[:2]
    warped = cv2.warpAffine(photo, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
    mask = np.zeros((height, width), np.float32)
    axes = (round(0.8 * target.width * scale), round(1.0 * target.height * scale))
    cv2.ellipse(mask, (round(tx), round(ty)), axes, 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 6)[..., None]
    return (warped * mask + frame * (1 - mask)).astype(np.uint8)


def _write(frames: list[np.ndarray], path: Path) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), CLIP_FPS, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture(scope="module")
def real() -> list[np.ndarray]:
    """The shared clip's upright frames at 10 fps (362 x 640)."""
    return [image for _, image in iter_frames(VIDEO, fps=CLIP_FPS)]


@pytest.fixture(scope="module")
def enrolment(backend: Any, real: list[np.ndarray]) -> Enrollment:
    return enroll(backend, real[0])


@pytest.fixture(scope="module")
def other_face(backend: Any) -> tuple[np.ndarray, FaceBox]:
    """A man from the standing group photo (the face that lies closest to the candidate's)."""
    photo = cv2.imread(str(STANDING))
    assert photo is not None
    boxes = backend.faces("face-blazeface").detect(photo)
    assert len(boxes) == 3
    return photo, max(boxes, key=lambda b: b.score)


@pytest.fixture(scope="module")
def clips(
    tmp_path_factory: pytest.TempPathFactory,
    real: list[np.ndarray],
    enrolment: Enrollment,
    other_face: tuple[np.ndarray, FaceBox],
) -> dict[str, Path]:
    """The clips, 8 s each at 10 fps, written once for the module."""
    folder = tmp_path_factory.mktemp("identity")
    photo, face = other_face
    rng = np.random.default_rng(7)
    spliced = []
    for i, frame in enumerate(real[:80]):
        if 32 <= i < 57:  # 3.2 s to 5.7 s: the other man, jittered by a few pixels
            shift = (*rng.normal(0, 1.5, 2), 1 + rng.normal(0, 0.01))
            frame = _paste(frame, photo, face, enrolment.box, shift)
        spliced.append(frame)
    corner = FaceBox(x=237, y=14, width=115, height=115)  # above his right shoulder
    extra = [
        _paste(f, photo, face, corner, (0, 0, 1)) if 25 <= i < 55 else f
        for i, f in enumerate(real[:80])
    ]
    blank = np.full_like(real[0], 128)
    nobody = [blank if 20 <= i < 60 else f for i, f in enumerate(real[:80])]
    held = real[12].astype(np.float32)
    still = [
        np.clip(held + rng.normal(0, 3, held.shape), 0, 255).astype(np.uint8) for _ in range(80)
    ]
    return {
        "spliced": _write(spliced, folder / "spliced.mp4"),
        "extra": _write(extra, folder / "extra.mp4"),
        "nobody": _write(nobody, folder / "nobody.mp4"),
        "still": _write(still, folder / "still.mp4"),
    }


def _kinds(result: IdentityResult) -> list[str]:
    return [f.kind for f in result.flags]


# -- real models -----------------------------------------------------------------------------


@pytest.mark.slow
def test_enrol_from_a_frame_and_from_its_jpeg(
    backend: Any, real: list[np.ndarray], enrolment: Enrollment
) -> None:
    assert len(enrolment.descriptor) == 128
    assert (enrolment.width, enrolment.height) == (362, 640)
    assert enrolment.box.width > 200  # ~260 px: a phone close-up
    assert (enrolment.model, enrolment.detector) == ("face-dlib", "face-blazeface")
    ok, jpeg = cv2.imencode(".jpg", real[0])
    assert ok
    again = enroll(backend, jpeg.tobytes())
    gap = np.linalg.norm(np.subtract(again.descriptor, enrolment.descriptor))
    assert gap < 0.1  # JPEG re-encoding of the same frame; 0.0x seen


@pytest.mark.slow
def test_enrolment_refuses_photos_a_candidate_must_retake(
    backend: Any, real: list[np.ndarray]
) -> None:
    with pytest.raises(InvalidInput, match=r"^4 faces in the photo: only the candidate"):
        enroll(backend, SELFIE.read_bytes())
    with pytest.raises(InvalidInput, match="not a JPEG, PNG or WebP"):
        enroll(backend, b"GIF89a" + bytes(100))
    ok, png = cv2.imencode(".png", np.full((480, 640, 3), 200, np.uint8))
    assert ok
    with pytest.raises(InvalidInput, match="no face found in the photo: face the camera"):
        enroll(backend, png.tobytes())
    wall = np.ascontiguousarray(real[0][:170])  # the mirror and wall above his head
    with pytest.raises(InvalidInput, match="no face found"):
        enroll(backend, wall)
    tiny = cv2.resize(real[0], None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    with pytest.raises(InvalidInput, match=r"too small in the photo \(\d+ px, need 80\)"):
        enroll(backend, tiny)
    with pytest.raises(InvalidInput, match="H x W x 3 uint8"):
        enroll(backend, np.zeros((10, 10), np.uint8))  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_real_clip_raises_no_flag(backend: Any, enrolment: Enrollment) -> None:
    result = check_identity(backend, VIDEO, enrolment, question_id="q1")
    assert result.flags == ()
    assert result.frames == 21  # 10.5 s at 2 fps
    assert result.duration_s == pytest.approx(10.5, abs=0.05)
    assert result.enrolled
    assert result.distance_max is not None and result.distance_max < 0.3  # 0.09 seen
    assert result.face_present_ratio == 1.0 and result.max_faces == 1
    assert result.liveness.judged
    assert result.liveness.motion_min is not None
    assert result.liveness.motion_min > STILL_MAX_MOTION  # 0.0136 seen
    assert result.models == ("face-blazeface", "face-mesh", "face-dlib")
    assert result.processing_s > 0


@pytest.mark.slow
def test_a_spliced_face_is_flagged_where_it_appears(
    backend: Any, enrolment: Enrollment, clips: dict[str, Path]
) -> None:
    result = check_identity(backend, clips["spliced"].read_bytes(), enrolment, question_id="q3")
    mismatches = [f for f in result.flags if f.kind == "identity_mismatch"]
    assert len(mismatches) == 1, result.flags
    (flag,) = mismatches
    assert flag.start_s is not None and flag.end_s is not None
    switch, back = 3.2, 5.7
    assert switch <= flag.start_s <= switch + 2.0  # 3.5 seen
    assert flag.start_s < back and flag.end_s > switch
    assert flag.end_s <= back + 1.0
    assert flag.evidence["distance_median"] > MISMATCH_DISTANCE  # ~0.73 seen
    assert flag.evidence["threshold"] == MISMATCH_DISTANCE
    assert flag.question_id == "q3"
    assert _kinds(result) == ["identity_mismatch"]


@pytest.mark.slow
def test_a_second_face_behind_the_candidate(
    backend: Any, enrolment: Enrollment, clips: dict[str, Path]
) -> None:
    result = check_identity(backend, clips["extra"], enrolment)
    assert _kinds(result) == ["extra_person"]  # the largest face is still the candidate
    (flag,) = result.flags
    assert flag.start_s is not None and flag.end_s is not None
    assert flag.start_s == pytest.approx(2.5, abs=STEP)
    assert flag.end_s == pytest.approx(5.5, abs=STEP)
    assert flag.evidence["max_faces"] == 2
    assert result.max_faces == 2


@pytest.mark.slow
def test_nobody_in_frame(backend: Any, clips: dict[str, Path]) -> None:
    result = check_identity(backend, clips["nobody"], None)
    assert not result.enrolled and result.distance_median is None
    assert _kinds(result) == ["no_face"]
    (flag,) = result.flags
    assert flag.start_s == pytest.approx(2.0, abs=STEP)
    assert flag.end_s == pytest.approx(6.0, abs=STEP)
    assert result.face_present_ratio == pytest.approx(0.5, abs=0.1)


@pytest.mark.slow
def test_a_still_picture_is_flagged_and_the_live_clip_is_not(
    backend: Any, clips: dict[str, Path]
) -> None:
    result = check_identity(backend, clips["still"], None)
    assert _kinds(result) == ["still_image"]
    (flag,) = result.flags
    assert (flag.start_s, flag.end_s) == (0.0, pytest.approx(8.0, abs=0.05))
    assert flag.evidence["motion"] < STILL_MAX_MOTION  # ~0.002 seen, live >= 0.0136
    assert result.liveness.judged and result.liveness.still_windows == result.liveness.windows
    live = check_identity(backend, VIDEO, None)
    assert live.flags == ()
    assert live.liveness.still_windows == 0
