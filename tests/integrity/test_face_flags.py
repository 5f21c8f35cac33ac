"""The pure judgement of per-frame face numbers: runs, identity switches, others in frame,
nobody in frame, a still face. Frames are built by hand and the spans are exact (the face
models on real video: test_identity.py)."""

from __future__ import annotations

import numpy as np
import pytest

from interview.errors import InvalidInput
from interview.integrity.face_flags import (
    BLINK_RANGE,
    MISMATCH_DISTANCE,
    STILL_MAX_MOTION,
    FaceFrame,
    extra_person_flags,
    judge_frames,
    liveness,
    mismatch_flags,
    no_face_flags,
    runs,
    sustained,
)
from interview.integrity.identity import MOTION_POINTS

STEP = 0.5  # seconds between frames sampled at the default 2 fps


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
