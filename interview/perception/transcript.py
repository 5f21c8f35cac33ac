"""Transcripts of spoken answers: Whisper through the backend, guarded against its failure modes.

Silence never reaches the model (Whisper invents text on it); audio over 30 s is cut at quiet
points into windows Whisper takes whole; text Whisper is known to hallucinate on near-silence
is dropped on the decoder's own evidence; languages are "en" and "zh" only.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interview.backend.protocols import SpeechRecognizer
from interview.backend.schemas import Segment, Transcription
from interview.errors import InvalidInput
from interview.perception.media import SAMPLE_RATE, decode_audio
from interview.perception.schemas import TimedWord, TimeSpan, Transcript, TranscriptSegment
from interview.perception.speech import FRAME_S, SILENCE_DBFS, frame_levels, voice_activity

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh")
MIN_SPEECH_S = 0.2  # s of voice activity below which a recording is "silent"; voice activity
# counts only frames louder than SILENCE_DBFS (-50 dBFS RMS per 20 ms) that also stand clear
# of the recording's noise floor (see speech.speech_threshold)
CHUNK_S = 30.0  # s; Whisper's window: longer audio is cut into pieces of at most this
MIN_CHUNK_S = 20.0  # s; each cut falls at the quietest point between 20 s and 30 s
CUT_SMOOTH_S = 0.2  # s; energy is averaged over this before looking for the quietest point
# Whisper's own rule for dropping a window (no_speech_threshold, logprob_threshold), applied
# per segment.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
# Text Whisper produces on near-silence (subtitle credits from its training data). It is
# dropped when the decoder doubts it (no_speech_prob or avg_logprob past these) or no voice
# lies under it, since an answer can honestly end with "Thank you."
HALLUCINATIONS = frozenset(
    {
        "you",
        "thank you",
        "thank you very much",
        "thanks for watching",
        "thank you for watching",
        "please subscribe",
        "bye",
        "谢谢",
        "谢谢观看",
        "谢谢大家",
        "谢谢收看",
        "感谢观看",
        "请订阅",
        "字幕由amara.org社区提供",
        "请不吝点赞订阅转发打赏支持明镜与点点栏目",
    }
)
HALLUCINATION_NO_SPEECH = 0.3
HALLUCINATION_LOGPROB = -0.8
MIN_VOICE_UNDER_S = 0.1  # s of voice activity a segment needs beneath it to count as heard

Audio = npt.NDArray[np.float32]


def _check_language(language: str | None) -> None:
    if language is not None and language not in LANGUAGES:
        raise InvalidInput(f"language {language!r} is not supported; use one of {LANGUAGES}")


def _voiced(spans: list[TimeSpan], start: float = 0.0, end: float = float("inf")) -> float:
    """Seconds of voice activity between `start` and `end`."""
    return sum(max(0.0, min(s.end, end) - max(s.start, start)) for s in spans)


def plan_chunks(audio: Audio, sr: int = SAMPLE_RATE) -> list[tuple[int, int]]:
    """(start, end) sample ranges of at most CHUNK_S, each cut at its quietest late point."""
    n = len(audio)
    if n <= CHUNK_S * sr:
        return [(0, n)]
    levels = frame_levels(audio, sr)
    frame = round(FRAME_S * sr)  # samples per level
    smooth = max(1, round(CUT_SMOOTH_S * sr / frame))
    energy = np.convolve(10 ** (levels / 10), np.ones(smooth) / smooth, mode="same")
    chunks = []
    start = 0
    while n - start > CHUNK_S * sr:
        lo = (start + int(MIN_CHUNK_S * sr)) // frame
        hi = (start + int(CHUNK_S * sr)) // frame
        # Among equally quiet frames (digital silence) take the last: fewer, longer chunks.
        window = energy[lo:hi][::-1]
        cut = (hi - 1 - int(np.argmin(window))) * frame
        chunks.append((start, cut))
        start = cut
    chunks.append((start, n))
    return chunks


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if unicodedata.category(ch)[0] not in "PZ")


_HALLUCINATIONS = frozenset(_norm(h) for h in HALLUCINATIONS)


def _hallucinated(segment: Segment, spans: list[TimeSpan], offset: float) -> bool:
    """Whether a segment is text Whisper made up over near-silence."""
    no_speech = segment.no_speech_prob or 0.0
    logprob = segment.avg_logprob if segment.avg_logprob is not None else 0.0
    if no_speech >= NO_SPEECH_PROB and logprob < LOW_LOGPROB:
        return True
    if _norm(segment.text) not in _HALLUCINATIONS:
        return False
    unheard = _voiced(spans, offset + segment.start, offset + segment.end) < MIN_VOICE_UNDER_S
    return no_speech >= HALLUCINATION_NO_SPEECH or logprob < HALLUCINATION_LOGPROB or unheard


def _score(result: Transcription) -> float:
    """Mean token log-probability, weighted by segment length (higher: a better reading)."""
    weights = [max(s.end - s.start, 0.01) for s in result.segments]
    if not weights:
        return float("-inf")
    logprobs = [s.avg_logprob if s.avg_logprob is not None else -5.0 for s in result.segments]
    return float(np.average(logprobs, weights=weights))


@dataclass
class _Reading:
    """Language choice shared across the chunks of one recording."""

    hint: str | None  # the interview's language, if known
    fixed: str | None = None  # once chosen, later chunks are forced to it
    note: str = ""


def _recognize(recognizer: SpeechRecognizer, chunk: Audio, reading: _Reading) -> Transcription:
    """Transcribe one chunk; the first decides the language, restricted to "en"/"zh"."""
    if reading.fixed is not None:
        return recognizer.transcribe(chunk, language=reading.fixed, word_timestamps=True)
    result = recognizer.transcribe(chunk, language=None, word_timestamps=True)
    if result.language in LANGUAGES:
        reading.fixed = result.language
        if reading.hint is not None and result.language != reading.hint:
            reading.note = f"answered in {result.language!r}, not the interview's {reading.hint!r}"
        return result
    detected = result.language
    if reading.hint is not None:
        result = recognizer.transcribe(chunk, language=reading.hint, word_timestamps=True)
    else:  # no interview language: the better-scored of the two readings
        readings = [
            recognizer.transcribe(chunk, language=lang, word_timestamps=True) for lang in LANGUAGES
        ]
        result = max(readings, key=_score)
    reading.fixed = result.language
    reading.note = f"Whisper detected {detected!r}; transcribed as {result.language!r}"
    return result


def transcribe(
    recognizer: SpeechRecognizer, audio: Audio, language: str | None, model_name: str
) -> Transcript:
    """Transcribe a 16 kHz mono answer; silence gives status "silent" without calling the model."""
    _check_language(language)
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim != 1 or not np.isfinite(samples).all():
        raise InvalidInput(
            f"audio must be finite mono 16 kHz samples (got shape {samples.shape}); "
            "interview.perception.media.decode_audio gives them"
        )
    duration = len(samples) / SAMPLE_RATE
    spans = voice_activity(samples, SAMPLE_RATE)
    voiced = _voiced(spans)
    if voiced < MIN_SPEECH_S:
        levels = frame_levels(samples, SAMPLE_RATE)
        loudest = float(levels.max()) if len(levels) else float("-inf")
        return Transcript(
            text="",
            language=language or "",
            duration_s=duration,
            status="silent",
            note=(
                f"no speech: {voiced:.2f} s of voice activity (loudest 20 ms frame "
                f"{loudest:.1f} dBFS; speech must exceed {SILENCE_DBFS:.0f} dBFS and the "
                "noise floor); check the microphone"
            ),
            model=model_name,
        )

    reading = _Reading(hint=language)
    words: list[TimedWord] = []
    segments: list[TranscriptSegment] = []
    dropped: list[str] = []
    for start, end in plan_chunks(samples):
        offset = start / SAMPLE_RATE
        if _voiced(spans, offset, end / SAMPLE_RATE) < MIN_SPEECH_S:
            continue  # a silent stretch of a long answer: nothing to hear
        result = _recognize(recognizer, samples[start:end], reading)
        chunk_end = end / SAMPLE_RATE
        for seg in result.segments:
            if not seg.text.strip():
                continue
            if _hallucinated(seg, spans, offset):
                dropped.append(seg.text.strip())
                continue
            segments.append(
                TranscriptSegment(
                    text=seg.text.strip(),
                    start=min(offset + seg.start, chunk_end),
                    end=min(offset + seg.end, chunk_end),
                    avg_logprob=seg.avg_logprob,
                    no_speech_prob=seg.no_speech_prob,
                )
            )
            for w in seg.words:
                # Word times are kept in order and inside their chunk (Whisper's may overrun).
                begin = min(max(offset + w.start, words[-1].start if words else 0.0), chunk_end)
                words.append(
                    TimedWord(
                        word=w.word,
                        start=begin,
                        end=min(max(offset + w.end, begin), chunk_end),
                        probability=w.probability,
                    )
                )

    lang = reading.fixed or language or ""
    text = ("" if lang == "zh" else " ").join(s.text for s in segments).strip()
    notes = [reading.note] if reading.note else []
    if dropped:
        notes.append(f"dropped {len(dropped)} segment(s) heard over near-silence: {dropped}")
    if not text:
        notes.append("the recognizer heard no words in the speech-like sound")
    return Transcript(
        text=text,
        language=lang,
        duration_s=duration,
        words=tuple(words),
        segments=tuple(segments),
        status="ok" if text else "empty",
        note="; ".join(notes),
        model=model_name,
    )


def transcribe_media(
    recognizer: SpeechRecognizer, source: bytes | Path, language: str | None, model_name: str
) -> Transcript:
    """Decode candidate media and transcribe it; undecodable media gives status "failed".

    Raises InvalidInput only for the caller's mistakes (a source that is neither bytes nor an
    existing file, an unsupported language); a busy or missing model raises BackendUnavailable.
    """
    _check_language(language)
    if not isinstance(source, bytes | Path):
        raise InvalidInput(
            f"source is a {type(source).__name__}; pass the media as bytes or a pathlib.Path"
        )
    if isinstance(source, Path) and not source.is_file():
        raise InvalidInput(f"media file {source} does not exist; check the stored path")
    try:
        audio = decode_audio(source, SAMPLE_RATE)
    except Exception as exc:  # candidate media: any decoder failure is a result, not a crash
        log.warning("could not decode answer media: %s", exc)
        reason = str(exc) if isinstance(exc, InvalidInput) else f"{type(exc).__name__}: {exc}"
        return Transcript(
            text="",
            language=language or "",
            duration_s=0.0,
            status="failed",
            note=f"media could not be decoded ({reason})",
            model=model_name,
        )
    return transcribe(recognizer, audio, language, model_name)
