"""Identity and liveness checks on real video: enrolment, identity switches, others in frame,
nobody in frame, a still picture (the pure judgement of per-frame numbers: test_face_flags.py).

The real-model tests run BlazeFace, the face mesh and the dlib descriptor on the shared phone
clip and on short clips written here from its real frames: another person's face (from the
group photos) pasted over the candidate's, a second face over his shoulder, blank frames, one
frame held still with camera noise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from interview.backend.schemas import FaceBox
from interview.errors import InvalidInput
from interview.integrity.face_flags import MISMATCH_DISTANCE, STILL_MAX_MOTION, IdentityResult
from interview.integrity.identity import Enrollment, check_identity, decode_photo, enroll
from interview.perception.media import iter_frames

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
VIDEO = DATA / "video" / "one_person_center.mp4"
SELFIE = DATA / "images" / "four_people_selfie.jpg"
STANDING = DATA / "images" / "three_people_standing.jpg"
CLIP_FPS = 10.0  # frames per second of the clips written here
STEP = 0.5  # seconds between frames sampled at the default 2 fps


# -- photos ----------------------------------------------------------------------------------


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
