"""Perceiving one recorded answer: transcript, speech features and (for video) video features."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from interview.backend.registry import Backend
from interview.errors import InvalidInput
from interview.integrity.schemas import Flag
from interview.media import decode_audio
from interview.perception.schemas import SpeechFeatures, Transcript
from interview.perception.speech import speech_features
from interview.perception.transcript import transcribe
from interview.perception.video import video_features
from interview.perception.video_schemas import VideoFeatures

log = logging.getLogger(__name__)
ASR_MODEL = "whisper-base"  # CTranslate2: the fastest recognizer on CPU here
SAMPLE_RATE = 16_000


class PerceivedAnswer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    transcript: Transcript
    speech: SpeechFeatures | None = None
    video: VideoFeatures | None = None
    # Identity, liveness, reading and read-aloud flags for this recording (interview.integrity)
    integrity: tuple[Flag, ...] = ()
    integrity_checked: bool = False  # False: recorded before these checks, or not checkable


def perceive(
    backend: Backend, source: bytes | Path, language: str, *, with_video: bool, asr: str = ASR_MODEL
) -> PerceivedAnswer:
    """Never raises for bad candidate media: the transcript says 'failed' and why."""
    try:
        audio = decode_audio(source)
    except InvalidInput as exc:
        failed = Transcript(
            text="",
            language=language,
            duration_s=0.0,
            status="failed",
            note=f"could not read the audio: {exc}",
            model=asr,
        )
        return PerceivedAnswer(transcript=failed)
    transcript = transcribe(backend.recognizer(asr), audio, language, asr)
    speech = speech_features(audio, SAMPLE_RATE, transcript) if len(audio) else None
    video = None
    if with_video:
        try:
            video = video_features(backend, source)
        except InvalidInput as exc:
            log.warning("video features skipped: %s", exc)
    return PerceivedAnswer(transcript=transcript, speech=speech, video=video)
