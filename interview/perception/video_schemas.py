"""Typed outputs of video perception: per-frame observations and per-answer video features.

Observable behaviour only (face present, how many faces, head pose, where the irises sit in
the eyes); no expression, emotion or personality is inferred (EU AI Act).
"""

from __future__ import annotations

from pydantic import Field

from interview.backend.schemas import FaceBox, Frozen
from interview.perception.schemas import TimeSpan


class FrameObservation(Frozen):
    """What one sampled frame shows. Angles and gaze are None when no face mesh was found.

    Head pose is the candidate's (the largest face's): yaw > 0 turns the nose towards the
    image's right, pitch > 0 tilts it up, roll > 0 turns the face clockwise in the image.
    """

    t: float = Field(ge=0)  # seconds from the first frame of the video
    faces: int = Field(ge=0)  # faces seen by the detector or the mesh, whichever saw more
    face_box: FaceBox | None = None  # the largest face, pixels of the sampled frame
    yaw_deg: float | None = None
    pitch_deg: float | None = None
    roll_deg: float | None = None
    gaze_on_screen: bool | None = None  # irises centred and head within the limits
    # Iris centre minus eye centre, in eye widths, both eyes averaged, along (x) and across
    # (y) the eye line: x > 0 towards the image's right, y > 0 down; ~(0, -0.07) looking
    # at the lens.
    gaze_offset: tuple[float, float] | None = None


class VideoFeatures(Frozen):
    """Observable on-camera behaviour over one answer's video; never feelings or traits.

    Ratios are over sampled frames; looking_at_screen_ratio only over frames where a face
    mesh was found (face_present_ratio says how many). Spans run from a sampled frame to
    the next sampled frame (or the end of the video).
    """

    duration_s: float = Field(ge=0)
    frames: int = Field(ge=0)  # sampled frames
    fps_sampled: float = Field(ge=0)  # frames / duration_s
    face_present_ratio: float = Field(ge=0, le=1)
    multi_face_ratio: float = Field(ge=0, le=1)  # frames with two or more faces
    max_faces: int = Field(ge=0)
    looking_at_screen_ratio: float | None = Field(default=None, ge=0, le=1)
    head_yaw_std_deg: float | None = None  # None with fewer than two measured frames
    head_pitch_std_deg: float | None = None
    longest_no_face_s: float = Field(default=0.0, ge=0)
    longest_no_face: TimeSpan | None = None
    longest_away_s: float = Field(default=0.0, ge=0)  # face seen, gaze off the screen
    longest_away: TimeSpan | None = None
    multi_face_spans: tuple[TimeSpan, ...] = ()
    models: tuple[str, ...] = ()  # catalogue names of the detector and the mesh
    note: str = ""  # what could not be measured, and what the numbers are
