"""Identity, presence and liveness flags from per-frame face numbers: pure, no model, no I/O.

interview.integrity.identity runs the face models over an answer's video and hands one
FaceFrame per sampled frame to judge_frames() here, which answers four questions, each by a
measurement that a reviewer can check against the video:

- identity_mismatch: is the person answering the one enrolled at the start? The largest
  face's dlib descriptor (128-d) is compared with the enrolled one by Euclidean distance.
  On the shared data the same person stays within 0.10 of their own first frame and the
  seven other faces of the group photos lie 0.63-0.97 from him and from each other
  (bench/integrity.py's spliced clips: 0.73 or more once pasted into a frame). dlib's usual
  threshold is 0.6 (its 99.4% pair accuracy on LFW); ours is MISMATCH_DISTANCE = 0.55: a
  little stricter, since a run of frames must cross it (so one blurred or turned frame does
  not flag) and a missed impostor costs more than a reviewer's look. The descriptor is
  identity only: no age, sex or expression is read from it.
- extra_person: two or more faces (BlazeFace) for a sustained run.
- no_face: nobody in frame for several seconds.
- still_image: the face does not move like a live person (a photo on a stand, a frozen or
  injected picture). Over every LIVENESS_WINDOW_S stretch of frames with a face mesh, three
  geometric movements are measured: how far the face's landmarks wander from their mean
  position (head drift, in eye widths), the range of eye openness (a blink) and the range of
  the lip gap (speech). A stretch is still when all three stay under their thresholds. On the
  shared clip (a man sitting still, silent, not blinking) the head alone moved 0.0136 eye
  widths or more in every 6 s stretch; a frame of it repeated, with camera noise up to
  sigma 10 grey levels and video compression, moved 0.0044 at most; the threshold sits
  between. Known limit: a photo moved by hand moves rigidly like a head and is NOT caught;
  the measure catches pictures that do not move at all.

Tested with hand-made frames. No expression, emotion or personality is inferred anywhere here.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import Field

from interview.backend.schemas import FaceBox
from interview.errors import InvalidInput
from interview.integrity.schemas import Flag, Frozen

MISMATCH_DISTANCE = 0.55  # descriptor distance above which a face is not the enrolled one
MISMATCH_MIN_S = 1.5  # a mismatch must last this long (3 frames at 2 fps) to flag
EXTRA_MIN_S = 1.5  # two or more faces for this long
NO_FACE_MIN_S = 3.0  # nobody in frame for this long

LIVENESS_WINDOW_S = 6.0  # stretch over which movement is judged
STILL_MAX_MOTION = 0.007  # eye widths; live >= 0.0136 and pictures <= 0.0044 seen (above)
BLINK_RANGE = 0.08  # eye openness range that shows a blink (open ~0.29, closed < 0.1)
MOUTH_RANGE = 0.04  # lip gap range, eye widths, that shows speech (closed ~0.001)
NOTE = (
    "identity (face descriptor distance), face count and face movement only; no expression, "
    "emotion or personality is inferred"
)

Point = tuple[float, float]


# -- schemas ---------------------------------------------------------------------------------


class FaceFrame(Frozen):
    """What one sampled frame shows, as numbers (the input of the pure judge_frames)."""

    t: float = Field(ge=0)  # seconds from the first frame
    faces: int = Field(ge=0)  # faces the detector found
    box: FaceBox | None = None  # the largest face
    second_score: float | None = None  # detector confidence of the second-largest face
    distance: float | None = None  # largest face to the enrolled descriptor
    # Liveness geometry of the largest face mesh (None without a mesh):
    shape: tuple[Point, ...] | None = None  # identity.MOTION_POINTS in pixels
    eye_span: float | None = Field(default=None, gt=0)  # outer eye corners apart, pixels
    eye_openness: float | None = None  # lid gap / eye width, both eyes averaged
    mouth_opening: float | None = None  # lip gap / eye span


class Liveness(Frozen):
    """Movement of the face over the answer, judged in LIVENESS_WINDOW_S stretches."""

    judged: bool
    reason: str  # why not judged, or what was judged
    window_s: float
    windows: int = Field(default=0, ge=0)  # stretches with a face mesh in every frame
    still_windows: int = Field(default=0, ge=0)
    motion_min: float | None = None  # eye widths; the stillest stretch's landmark wander
    motion_median: float | None = None
    eye_openness_range: float | None = None  # largest range in a stretch (a blink: > 0.08)
    mouth_opening_range: float | None = None  # largest range in a stretch (speech: > 0.04)
    motion_threshold: float = STILL_MAX_MOTION


class IdentityResult(Frozen):
    """Identity, presence and liveness numbers of one answer's video, and the flags they raise."""

    frames: int = Field(ge=0)  # sampled frames
    fps: float = Field(gt=0)  # sampling rate asked for
    duration_s: float = Field(ge=0)  # seconds of video processed
    processing_s: float = Field(default=0.0, ge=0)  # wall-clock seconds the check took
    enrolled: bool  # False: identity not checked (no enrolment)
    distance_median: float | None = None  # over frames with a face
    distance_max: float | None = None
    distance_threshold: float = MISMATCH_DISTANCE
    face_present_ratio: float = Field(ge=0, le=1)
    max_faces: int = Field(ge=0)
    liveness: Liveness
    flags: tuple[Flag, ...] = ()
    models: tuple[str, ...] = ()
    note: str = NOTE


# -- pure judgement --------------------------------------------------------------------------


def runs(hits: Sequence[bool]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of consecutive True values."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i, hit in enumerate([*hits, False]):
        if hit and start is None:
            start = i
        elif not hit and start is not None:
            out.append((start, i))
            start = None
    return out


def _span(frames: Sequence[FaceFrame], i: int, j: int, end: float) -> tuple[float, float]:
    """Seconds from frame i to the frame after the run [i, j) (or the end of the video)."""
    stop = frames[j].t if j < len(frames) else max(end, frames[j - 1].t)
    return frames[i].t, stop


def sustained(
    frames: Sequence[FaceFrame],
    test: Callable[[FaceFrame], bool],
    end: float,
    min_s: float,
) -> list[tuple[int, int, float, float]]:
    """Runs of frames passing `test` lasting at least min_s: (i, j, start_s, end_s)."""
    out = []
    for i, j in runs([test(f) for f in frames]):
        start, stop = _span(frames, i, j, end)
        if stop - start >= min_s - 1e-9:
            out.append((i, j, start, stop))
    return out


def _confidence(margin: float) -> float:
    """0.5 at the threshold, rising linearly to 0.99 a full scale past it (an ordering for
    reviewers, not a calibrated probability)."""
    return round(0.5 + 0.49 * min(max(margin, 0.0), 1.0), 3)


def mismatch_flags(
    frames: Sequence[FaceFrame],
    end: float,
    threshold: float = MISMATCH_DISTANCE,
    min_s: float = MISMATCH_MIN_S,
    question_id: str | None = None,
) -> list[Flag]:
    """identity_mismatch for each run of frames whose face is farther than threshold from the
    enrolment; a frame without a face (distance None) ends a run."""
    flags = []
    for i, j, start, stop in sustained(
        frames, lambda f: f.distance is not None and f.distance > threshold, end, min_s
    ):
        distances = [f.distance for f in frames[i:j] if f.distance is not None]
        median = statistics.median(distances)
        flags.append(
            Flag(
                kind="identity_mismatch",
                severity="high",
                confidence=_confidence((median - threshold) / 0.3),
                start_s=round(start, 3),
                end_s=round(stop, 3),
                evidence={
                    "distance_median": round(median, 4),
                    "distance_min": round(min(distances), 4),
                    "distance_max": round(max(distances), 4),
                    "threshold": threshold,
                    "frames": j - i,
                    "min_seconds": min_s,
                },
                question_id=question_id,
                note=(
                    f"From {start:.1f} s to {stop:.1f} s the face in frame does not match the "
                    f"face enrolled at the start (descriptor distance {median:.2f}; the same "
                    f"person stays under {threshold}). Watch this part: it may be someone else."
                ),
            )
        )
    return flags


def extra_person_flags(
    frames: Sequence[FaceFrame],
    end: float,
    min_s: float = EXTRA_MIN_S,
    question_id: str | None = None,
) -> list[Flag]:
    """extra_person for each run of frames with two or more faces lasting min_s."""
    flags = []
    for i, j, start, stop in sustained(frames, lambda f: f.faces >= 2, end, min_s):
        scores = [f.second_score for f in frames[i:j] if f.second_score is not None]
        most = max(f.faces for f in frames[i:j])
        flags.append(
            Flag(
                kind="extra_person",
                severity="medium",
                confidence=round(statistics.median(scores), 3) if scores else 0.5,
                start_s=round(start, 3),
                end_s=round(stop, 3),
                evidence={
                    "max_faces": most,
                    "seconds": round(stop - start, 3),
                    "min_seconds": min_s,
                    "frames": j - i,
                    "second_face_score_median": (
                        round(statistics.median(scores), 3) if scores else None
                    ),
                },
                question_id=question_id,
                note=(
                    f"Up to {most} faces in frame from {start:.1f} s to {stop:.1f} s: someone "
                    "else may be present (a photo or screen behind the candidate also counts)."
                ),
            )
        )
    return flags


def no_face_flags(
    frames: Sequence[FaceFrame],
    end: float,
    min_s: float = NO_FACE_MIN_S,
    question_id: str | None = None,
) -> list[Flag]:
    """no_face for each run of frames without a face lasting min_s."""
    flags = []
    for i, j, start, stop in sustained(frames, lambda f: f.faces == 0, end, min_s):
        seconds = stop - start
        flags.append(
            Flag(
                kind="no_face",
                severity="medium" if seconds >= 3 * min_s else "low",
                # The detector misses faces turned far away or in the dark: the absence is
                # likely but not certain.
                confidence=0.8,
                start_s=round(start, 3),
                end_s=round(stop, 3),
                evidence={"seconds": round(seconds, 3), "min_seconds": min_s, "frames": j - i},
                question_id=question_id,
                note=(
                    f"No face in frame for {seconds:.1f} s ({start:.1f} s to {stop:.1f} s): "
                    "the candidate may have left, turned away, or covered the camera."
                ),
            )
        )
    return flags


def window_motion(frames: Sequence[FaceFrame]) -> tuple[float, float, float]:
    """(landmark wander in eye widths, eye openness range, lip gap range) over frames that all
    carry mesh geometry. Wander: RMS distance of MOTION_POINTS from their mean positions,
    divided by the median eye span."""
    shapes = np.asarray([f.shape for f in frames], dtype=np.float64)  # frames x points x 2
    span = statistics.median(f.eye_span or 0.0 for f in frames)
    wander = float(np.sqrt(((shapes - shapes.mean(axis=0)) ** 2).sum(axis=-1).mean()))
    eyes = [f.eye_openness or 0.0 for f in frames]
    mouths = [f.mouth_opening or 0.0 for f in frames]
    return wander / span, max(eyes) - min(eyes), max(mouths) - min(mouths)


def liveness(
    frames: Sequence[FaceFrame],
    fps: float,
    end: float,
    window_s: float = LIVENESS_WINDOW_S,
    question_id: str | None = None,
) -> tuple[Liveness, list[Flag]]:
    """Movement over every window of consecutive mesh frames, and still_image flags for the
    stretches where head, eyes and lips all stayed still."""
    size = max(3, round(window_s * fps))  # frames in a window
    measured = [
        (i, window_motion(frames[i : i + size]))
        for i in range(len(frames) - size + 1)
        if all(f.shape is not None and f.eye_span for f in frames[i : i + size])
    ]
    if not measured:
        have = max((j - i for i, j in runs([f.shape is not None for f in frames])), default=0)
        return (
            Liveness(
                judged=False,
                reason=f"no {window_s:g} s stretch with a face mesh in every frame "
                f"(longest {have} frames, need {size} at {fps:g} fps)",
                window_s=window_s,
            ),
            [],
        )
    motions = [m for _, (m, _, _) in measured]
    still = {
        i
        for i, (motion, eyes, mouth) in measured
        if motion < STILL_MAX_MOTION and eyes < BLINK_RANGE and mouth < MOUTH_RANGE
    }
    result = Liveness(
        judged=True,
        reason=f"{len(measured)} windows of {size} frames ({window_s:g} s) with a face mesh",
        window_s=window_s,
        windows=len(measured),
        still_windows=len(still),
        motion_min=round(min(motions), 5),
        motion_median=round(statistics.median(motions), 5),
        eye_openness_range=round(max(e for _, (_, e, _) in measured), 4),
        mouth_opening_range=round(max(m for _, (_, _, m) in measured), 4),
    )
    # A frame is still when a still window covers it; flag each run of such frames.
    covered = [False] * len(frames)
    for s in still:
        covered[s : s + size] = [True] * size
    by_start = dict(measured)
    flags = []
    for i, j in runs(covered):
        start, stop = _span(frames, i, j, end)
        inside = [by_start[s] for s in sorted(still) if i <= s < j]
        motion = max(m for m, _, _ in inside)
        flags.append(
            Flag(
                kind="still_image",
                severity="medium",
                confidence=_confidence(1 - motion / STILL_MAX_MOTION),
                start_s=round(start, 3),
                end_s=round(stop, 3),
                evidence={
                    "motion": round(motion, 5),
                    "motion_threshold": STILL_MAX_MOTION,
                    "eye_openness_range": round(max(e for _, e, _ in inside), 4),
                    "blink_threshold": BLINK_RANGE,
                    "mouth_opening_range": round(max(m for _, _, m in inside), 4),
                    "mouth_threshold": MOUTH_RANGE,
                    "window_s": window_s,
                    "frames": j - i,
                },
                question_id=question_id,
                note=(
                    f"From {start:.1f} s to {stop:.1f} s the face did not move like a live "
                    f"person: its landmarks wandered {motion:.4f} eye widths (a live person "
                    f"sitting still: {STILL_MAX_MOTION} or more), with no blink and no lip "
                    "movement. It may be a photo or a frozen picture; check the video."
                ),
            )
        )
    return result, flags


def judge_frames(
    frames: Sequence[FaceFrame],
    *,
    fps: float,
    duration_s: float,
    enrolled: bool,
    question_id: str | None = None,
) -> IdentityResult:
    """Flags and summary numbers from per-frame measurements (pure)."""
    if not fps > 0:
        raise InvalidInput(f"fps is {fps}; sample at least one frame per run (e.g. fps=2)")
    end = max([duration_s, *(f.t for f in frames)])
    live, still = liveness(frames, fps, end, question_id=question_id)
    distances = [f.distance for f in frames if f.distance is not None]
    flags = [
        *(mismatch_flags(frames, end, question_id=question_id) if enrolled else []),
        *extra_person_flags(frames, end, question_id=question_id),
        *no_face_flags(frames, end, question_id=question_id),
        *still,
    ]
    n = len(frames)
    return IdentityResult(
        frames=n,
        fps=fps,
        duration_s=round(end, 4),
        enrolled=enrolled,
        distance_median=round(statistics.median(distances), 4) if distances else None,
        distance_max=round(max(distances), 4) if distances else None,
        face_present_ratio=sum(f.faces > 0 for f in frames) / n if n else 0.0,
        max_faces=max((f.faces for f in frames), default=0),
        liveness=live,
        flags=tuple(sorted(flags, key=lambda f: (f.start_s or 0.0, f.kind))),
    )
