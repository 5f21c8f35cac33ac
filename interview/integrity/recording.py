"""One recorded answer perceived and checked: transcript, speech features and (for video)
video features from perception, then its identity, reading, read-aloud and second-voice
flags. It lives in integrity because it runs integrity's checks on perception's output
(perception imports no integrity)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from interview.backend.protocols import Audio, VoiceEmbedder
from interview.backend.registry import Backend
from interview.errors import BackendUnavailable, InvalidInput, NotFound
from interview.integrity.face_flags import IdentityResult
from interview.integrity.gaze import looking_away, reading_sweeps
from interview.integrity.identity import Enrollment, check_identity
from interview.integrity.read_aloud import LANGUAGES as READING_LANGUAGES
from interview.integrity.read_aloud import read_aloud
from interview.integrity.schemas import Flag
from interview.integrity.second_voice import second_voice
from interview.perception.media import decode_audio
from interview.perception.schemas import SpeechFeatures, Transcript
from interview.perception.speech import speech_features
from interview.perception.transcript import transcribe
from interview.perception.video import features_of, observe_video
from interview.perception.video_schemas import FrameObservation, VideoFeatures

log = logging.getLogger(__name__)
ASR_MODEL = "whisper-base"  # CTranslate2: the fastest recognizer on CPU here
SAMPLE_RATE = 16_000
VOICE_MODEL = "voice-ge2e"  # speaker vectors for the second-voice check


class PerceivedAnswer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    transcript: Transcript
    speech: SpeechFeatures | None = None
    video: VideoFeatures | None = None
    # Identity, liveness, reading and read-aloud flags for this recording (interview.integrity)
    integrity: tuple[Flag, ...] = ()
    integrity_checked: bool = False  # False: recorded before these checks, or not checkable
    identity: IdentityResult | None = None  # video only: identity, presence and liveness


def recorded_integrity(heard: Mapping[str, PerceivedAnswer]) -> tuple[list[Flag], bool]:
    """The media flags of an interview's recordings, each tagged with its question id, and
    whether any recording was checked at all (for integrity.session.SessionEvidence)."""
    flags = [
        f.model_copy(update={"question_id": qid}) for qid, p in heard.items() for f in p.integrity
    ]
    return flags, any(p.integrity_checked for p in heard.values())


def media_integrity(
    observations: Sequence[FrameObservation] | None,
    speech: SpeechFeatures | None,
    transcript: Transcript,
    language: str,
    audio: Audio | None = None,
    voices: VoiceEmbedder | None = None,
) -> list[Flag]:
    """Looking away, reading sweeps and read-aloud flags from what perception measured, and
    second-voice flags when the audio and a voice embedder are given."""
    flags: list[Flag] = []
    sweeps = None
    if observations:
        flags += looking_away(observations)[1]
        sweeps, sweep_flags = reading_sweeps(observations)
        flags += sweep_flags
    if speech is not None and transcript.status == "ok" and language in READING_LANGUAGES:
        try:
            flags += read_aloud(speech, transcript, sweeps, language=language)[1]
        except InvalidInput as exc:  # e.g. a transcript heard in another language
            log.warning("read-aloud check skipped: %s", exc)
    if audio is not None and voices is not None and len(audio):
        try:
            flags += second_voice(voices, audio)[1]
        except (InvalidInput, BackendUnavailable) as exc:  # e.g. Resemblyzer not installed
            log.warning("second-voice check skipped: %s", exc)
    return flags


def perceive(
    backend: Backend,
    source: bytes | Path,
    language: str,
    *,
    with_video: bool,
    asr: str = ASR_MODEL,
    enrollment: Enrollment | None = None,
    heard: Transcript | None = None,
) -> PerceivedAnswer:
    """Never raises for bad candidate media: the transcript says 'failed' and why. Video is
    also checked for identity (against `enrollment`, when the candidate gave one), other
    people, absence and liveness. `heard` is the live transcriber's transcript of this very
    recording, reused instead of transcribing it again when it came out whole ("ok")."""
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
    if heard is not None and heard.status == "ok" and heard.model == asr:
        transcript = heard
    else:
        transcript = transcribe(backend.recognizer(asr), audio, language, asr)
    speech = speech_features(audio, SAMPLE_RATE, transcript) if len(audio) else None
    video = None
    observations = None
    identity = None
    if with_video:
        try:
            observations = observe_video(backend, source)
            video = features_of(observations, source)
            identity = check_identity(backend, source, enrollment)
        except InvalidInput as exc:
            log.warning("video features skipped: %s", exc)
    try:
        voices = backend.voices(VOICE_MODEL)
    except NotFound as exc:  # a catalogue without the voice model: the check is off
        log.warning("second-voice check skipped: %s", exc)
        voices = None
    flags = media_integrity(observations, speech, transcript, language, audio, voices)
    if identity is not None:
        flags += identity.flags
    return PerceivedAnswer(
        transcript=transcript,
        speech=speech,
        video=video,
        integrity=tuple(sorted(flags, key=lambda f: (f.start_s or 0.0, f.kind))),
        integrity_checked=True,
        identity=identity,
    )
