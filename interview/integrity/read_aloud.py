"""Read-aloud check: speech too fluent to be spontaneous. Pure functions over the transcript
and speech features perception already has; the eyes' part comes from gaze.reading_sweeps.
A flag is a prompt for a human reviewer, never a finding of cheating.

Spontaneous speech carries about 6 disfluencies (fillers, repetitions, restarts)
per 100 words, pauses of several seconds while planning, and an uneven pace; read speech has
almost none of these. The recognizer (Whisper) tends to leave fillers out, which makes
spontaneous speech look more fluent than it was: so the voice alone never gives more than a
"low" flag, and with video the eyes must sweep too. The pace ramp is set from synthetic read
speech (espeak-ng through Whisper base: pace CV 0.12 over 5 s windows) and the expectation
that thinking pauses make spontaneous windows vary by a third or more; it is not calibrated
on recorded interviews.
"""

from __future__ import annotations

import math
import statistics
from typing import Any, Literal

from pydantic import Field

from interview.errors import InvalidInput
from interview.integrity.gaze import REVIEW, ReadingResult, cv, span_lists, time_span
from interview.integrity.schemas import Flag, Frozen
from interview.perception.schemas import SpeechFeatures, TimeSpan, Transcript
from interview.perception.speech import spoken_words

# -- read aloud ------------------------------------------------------------------------------
MIN_TALK_S = 30.0  # s of talking below which an answer is not judged
MIN_WORDS = 60.0  # words (Chinese: characters / 2) below which an answer is not judged
WINDOW_S = 5.0  # s; pace is words per second in consecutive windows of this length
MIN_WINDOW_S = 2.5  # s; a shorter last window is dropped
# Each fluency part is 1 (read-like) at or below the first value, 0 at or above the second.
FILLER_RAMP = (0.5, 3.0)  # fillers per 100 words
REPAIR_RAMP = (0.3, 2.0)  # repetitions and restarts per 100 words
PACE_RAMP = (0.25, 0.5)  # coefficient of variation of words per second across windows
LONG_PAUSE_RAMP = (0.0, 2.0)  # pauses of 2 s or more per minute
FLUENT = 0.8  # fluency (mean of the four parts) at or above this is "fluent" evidence ...
MAX_DISFLUENCY = 1.0  # ... and only with at most this many fillers + repairs per 100 words
LANGUAGES = ("en", "zh")
Eyes = Literal["sweeps", "no_sweeps", "not_seen"]


class ReadAloudResult(Frozen):
    """How scripted one spoken answer sounds: disfluencies, pace regularity, long pauses."""

    judged: bool
    reason: str
    language: str
    words: float = Field(ge=0)  # Chinese: characters / 2
    talking_s: float = Field(ge=0)  # first word to last word
    filler_rate_per_100_words: float = Field(default=0.0, ge=0)
    repetitions: int = Field(default=0, ge=0)  # a word said twice in a row ("I I")
    restarts: int = Field(default=0, ge=0)  # a phrase said again ("we went, we went"), "wh-"
    disfluency_per_100_words: float = Field(default=0.0, ge=0)  # fillers + the two above
    pace_cv: float | None = None  # std / mean of words per second across WINDOW_S windows
    long_pauses_per_minute: float = Field(default=0.0, ge=0)
    fluency: float | None = Field(default=None, ge=0, le=1)  # 1 = as regular as reading
    fluent: bool = False  # fluency >= FLUENT and disfluencies <= MAX_DISFLUENCY
    eyes: Eyes = "not_seen"  # what the video said: sweeps, none, or no video judged


# -- read aloud ------------------------------------------------------------------------------


def _ramp(value: float, good: float, bad: float) -> float:
    """1 at or below `good`, 0 at or above `bad`, linear between."""
    if value <= good:
        return 1.0
    if value >= bad:
        return 0.0
    return (bad - value) / (bad - good)


def _core(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum() or ch in "'-").strip("'")


def _tokens(transcript: Transcript, language: str) -> list[str]:
    if transcript.words:
        words = [w.word for w in transcript.words]
    elif language == "zh":
        words = list(transcript.text)
    else:
        words = transcript.text.split()
    return [c for c in (_core(w) for w in words) if c.strip("-")]


def count_repairs(transcript: Transcript, language: str) -> tuple[int, int]:
    """(repetitions, restarts): a word said twice in a row; a two-word phrase said again, or a
    word cut off ("wh-"). Chinese: only units of two or more characters count, since doubled
    characters (看看, 谢谢) are ordinary words."""
    tokens = _tokens(transcript, language)
    cut = sum(t.endswith("-") for t in tokens)
    tokens = [t.rstrip("-") for t in tokens]
    repetitions = restarts = 0
    i = 0
    while i < len(tokens) - 1:
        if tokens[i + 2 : i + 4] == tokens[i : i + 2]:
            restarts += 1
            i += 2
        elif tokens[i] == tokens[i + 1] and (language != "zh" or len(tokens[i]) >= 2):
            repetitions += 1
            i += 1
        else:
            i += 1
    return repetitions, restarts + cut


def pace_cv(transcript: Transcript, language: str) -> float | None:
    """Coefficient of variation of words per second over consecutive WINDOW_S windows of the
    talking span, words placed by their midpoints; a last window shorter than MIN_WINDOW_S
    joins the one before. None with fewer than two windows."""
    words = transcript.words
    if not words:
        return None
    start, end = words[0].start, words[-1].end
    if end <= start:
        return None
    count = max(1, math.floor((end - start) / WINDOW_S))
    if end - start - count * WINDOW_S >= MIN_WINDOW_S:
        count += 1
    spoken = [0.0] * count
    for w in words:
        k = min(max(int(((w.start + w.end) / 2 - start) // WINDOW_S), 0), count - 1)
        spoken[k] += spoken_words(w.word, language)
    lengths = [WINDOW_S] * (count - 1) + [end - start - (count - 1) * WINDOW_S]
    return cv([n / length for n, length in zip(spoken, lengths, strict=True)])


def _talking_s(speech: SpeechFeatures, transcript: Transcript) -> float:
    if transcript.words:
        return transcript.words[-1].end - transcript.words[0].start
    return 60 * speech.words / speech.rate_wpm if speech.rate_wpm > 0 else 0.0


def _eyes(sweeps: ReadingResult | None, span: TimeSpan) -> tuple[Eyes, str]:
    if sweeps is None:
        return "not_seen", "no video"
    if not sweeps.judged:
        return "not_seen", f"video not judged: {sweeps.reason}"
    overlapping = [r for r in sweeps.runs if r.start < span.end and span.start < r.end]
    if overlapping:
        return "sweeps", f"{sweeps.longest_run} reading sweeps in a row while talking"
    return "no_sweeps", "no run of reading sweeps while talking"


def read_aloud(
    speech: SpeechFeatures,
    transcript: Transcript,
    sweeps: ReadingResult | None,
    *,
    language: str,
    question_id: str | None = None,
) -> tuple[ReadAloudResult, list[Flag]]:
    """Whether a spoken answer sounds read from a script: too fluent for spontaneous talk, and
    (when the video was judged) the eyes sweeping line after line at the same time."""
    if language not in LANGUAGES:
        raise InvalidInput(f"language {language!r} is not supported; use one of {LANGUAGES}")
    if transcript.language and transcript.language != language:
        raise InvalidInput(
            f"the transcript is in {transcript.language!r} but language is {language!r}; "
            "pass the language the answer was transcribed in"
        )
    talking = _talking_s(speech, transcript)
    base = {"language": language, "words": speech.words, "talking_s": round(talking, 3)}
    why_not = None
    if transcript.status != "ok":
        why_not = f"transcript is {transcript.status}: nothing to judge"
    elif not transcript.words:
        why_not = "no word times in the transcript: pace cannot be measured"
    elif talking < MIN_TALK_S or speech.words < MIN_WORDS:
        why_not = (
            f"too short to judge: {talking:.1f} s and {speech.words:g} words of talking; need "
            f"{MIN_TALK_S:g} s and {MIN_WORDS:g} words"
        )
    if why_not is not None:
        return ReadAloudResult(judged=False, reason=why_not, **base), []

    repetitions, restarts = count_repairs(transcript, language)
    repairs_rate = 100 * (repetitions + restarts) / speech.words
    disfluency = speech.filler_rate_per_100_words + repairs_rate
    cv = pace_cv(transcript, language)
    long_rate = 60 * speech.long_pause_count / talking
    parts = [
        _ramp(speech.filler_rate_per_100_words, *FILLER_RAMP),
        _ramp(repairs_rate, *REPAIR_RAMP),
        _ramp(cv, *PACE_RAMP) if cv is not None else 0.0,
        _ramp(long_rate, *LONG_PAUSE_RAMP),
    ]
    fluency = statistics.fmean(parts)
    fluent = fluency >= FLUENT and disfluency <= MAX_DISFLUENCY
    span = time_span(transcript.words[0].start, transcript.words[-1].end)
    eyes, eyes_why = _eyes(sweeps, span)
    result = ReadAloudResult(
        judged=True,
        reason=f"{speech.words:g} words over {talking:.1f} s; eyes: {eyes_why}",
        filler_rate_per_100_words=round(speech.filler_rate_per_100_words, 3),
        repetitions=repetitions,
        restarts=restarts,
        disfluency_per_100_words=round(disfluency, 3),
        pace_cv=round(cv, 4) if cv is not None else None,
        long_pauses_per_minute=round(long_rate, 3),
        fluency=round(fluency, 4),
        fluent=fluent,
        eyes=eyes,
        **base,
    )
    if not fluent or eyes == "no_sweeps":
        return result, []
    return result, [
        _read_aloud_flag(result, sweeps if eyes == "sweeps" else None, span, eyes_why, question_id)
    ]


def _read_aloud_flag(
    result: ReadAloudResult,
    sweeps: ReadingResult | None,
    span: TimeSpan,
    eyes_why: str,
    question_id: str | None,
) -> Flag:
    """A "medium" flag when the eyes swept while talking, "low" when only the voice was judged."""
    fluency = result.fluency or 0.0
    evidence: dict[str, Any] = {
        "fluency": result.fluency,
        "fluency_threshold": FLUENT,
        "disfluency_per_100_words": result.disfluency_per_100_words,
        "disfluency_max": MAX_DISFLUENCY,
        "filler_rate_per_100_words": result.filler_rate_per_100_words,
        "filler_ramp": list(FILLER_RAMP),
        "repetitions": result.repetitions,
        "restarts": result.restarts,
        "repair_ramp": list(REPAIR_RAMP),
        "pace_cv": result.pace_cv,
        "pace_ramp": list(PACE_RAMP),
        "long_pauses_per_minute": result.long_pauses_per_minute,
        "long_pause_ramp": list(LONG_PAUSE_RAMP),
        "eyes": result.eyes,
    }
    if sweeps is not None:
        evidence |= {"longest_sweep_run": sweeps.longest_run, "sweep_runs": span_lists(sweeps.runs)}
        eyes_note = (
            f"and the eyes swept line after line ({sweeps.longest_run} sweeps in a row) while "
            "talking"
        )
        confidence = 0.6 * fluency + 0.3 * min(sweeps.longest_run / 8, 1.0)
    else:
        eyes_note = f"but the eyes were not seen ({eyes_why}), so this rests on the voice alone"
        confidence = 0.4 * fluency
    pace = f"pace CV {result.pace_cv:.2f}" if result.pace_cv is not None else "pace not measured"
    return Flag(
        kind="read_aloud",
        severity="medium" if sweeps is not None else "low",
        confidence=round(confidence, 3),
        start_s=span.start,
        end_s=span.end,
        evidence=evidence,
        question_id=question_id,
        note=(
            f"The answer is unusually fluent for unprepared speech "
            f"({result.disfluency_per_100_words:.1f} fillers, repetitions and restarts per 100 "
            f"words; {pace}; {result.long_pauses_per_minute:.1f} long pauses a minute) "
            f"{eyes_note}. Rehearsed speakers talk like this too, and the recognizer may leave "
            f"out some fillers; listen to the answer. {REVIEW}"
        ),
    )
