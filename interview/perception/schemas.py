"""Typed outputs of perception: a transcript with word times, and measured speech features."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TranscriptStatus = Literal["ok", "empty", "silent", "failed"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TimeSpan(Frozen):
    start: float = Field(ge=0)  # seconds from the start of the answer's audio
    end: float = Field(ge=0)

    @property
    def duration(self) -> float:
        return self.end - self.start


class TimedWord(Frozen):
    word: str  # as the recognizer wrote it, punctuation attached ("Americans,")
    start: float = Field(ge=0)  # seconds from the start of the answer's audio
    end: float = Field(ge=0)
    probability: float = Field(ge=0, le=1)


class TranscriptSegment(Frozen):
    """A stretch of the transcript as the recognizer decoded it, with its decoding scores."""

    text: str
    start: float = Field(ge=0)
    end: float = Field(ge=0)
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


class Transcript(Frozen):
    """What was said in one answer, and whether the recognizer could hear anything.

    status: "ok" (text heard), "empty" (there was sound but no words survived),
    "silent" (no speech in the audio; the model was not called), "failed" (the media
    could not be decoded; `note` says why).
    """

    text: str
    language: str  # "en" or "zh"; the interview's language (or "") when nothing was heard
    duration_s: float = Field(ge=0)
    words: tuple[TimedWord, ...] = ()
    segments: tuple[TranscriptSegment, ...] = ()
    status: TranscriptStatus
    note: str = ""
    model: str  # catalogue name of the recognizer, e.g. "whisper-base"


class SpeechFeatures(Frozen):
    """Measured delivery properties of one spoken answer; never feelings or traits.

    Rates are over the talking span (first to last speech, pauses included); pauses are
    silences of at least 0.25 s inside that span.
    """

    duration_s: float = Field(ge=0)  # the whole recording
    speech_s: float = Field(ge=0)  # time with voice (talking span minus pauses)
    speech_ratio: float = Field(ge=0, le=1)  # speech_s / duration_s
    words: float = Field(ge=0)  # spoken words; Chinese: characters / 2 (project convention)
    rate_wpm: float = Field(ge=0)  # words per minute of talking span
    pause_count: int = Field(ge=0)
    pause_ratio: float = Field(ge=0, le=1)  # pause time / talking span
    long_pauses: tuple[TimeSpan, ...] = ()  # pauses of 2 s or more, in order
    filler_count: int = Field(ge=0)
    filler_rate_per_100_words: float = Field(ge=0)
    pitch_median_hz: float | None = None  # None when no voiced frames were found
    pitch_range_semitones: float | None = None  # 5th to 95th percentile of voiced pitch
    loudness_range_db: float | None = None  # 5th to 95th percentile of intensity while speaking
    note: str = ""  # what could not be measured, and why

    @property
    def long_pause_count(self) -> int:
        return len(self.long_pauses)
