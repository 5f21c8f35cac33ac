"""Integrity flags for one recorded answer outside an interview (the CLI's `integrity check`):
the same perception and checks the scoring job runs, on a file and an optional photo."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from interview.backend.registry import Backend
from interview.integrity.face_flags import IdentityResult
from interview.integrity.identity import enroll
from interview.integrity.recording import perceive
from interview.integrity.schemas import Flag
from interview.integrity.summary import IntegritySummary, summarise
from interview.perception.media import probe_media
from interview.perception.schemas import SpeechFeatures, Transcript


class RecordingCheck(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    has_video: bool
    enrolled: bool  # a reference photo was given and its face enrolled
    flags: tuple[Flag, ...]
    summary: IntegritySummary
    identity: IdentityResult | None = None
    speech: SpeechFeatures | None = None
    transcript: Transcript


def check_recording(
    backend: Backend, data: bytes, language: str, reference: bytes | None = None
) -> RecordingCheck:
    """InvalidInput (naming the problem) for media that does not decode, or a reference photo
    without exactly one clear face."""
    _, has_video = probe_media(data)
    enrollment = enroll(backend, reference) if reference is not None else None
    perceived = perceive(backend, data, language, with_video=has_video, enrollment=enrollment)
    return RecordingCheck(
        has_video=has_video,
        enrolled=enrollment is not None,
        flags=perceived.integrity,
        summary=summarise(perceived.integrity, ["media"]),
        identity=perceived.identity,
        speech=perceived.speech,
        transcript=perceived.transcript,
    )
