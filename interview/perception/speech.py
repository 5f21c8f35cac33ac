"""Delivery features: measured properties of how an answer was spoken (rate, pauses, fillers,
pitch and loudness ranges). Never feelings, confidence or nervousness (EU AI Act).

Pure: audio samples and a transcript in, SpeechFeatures out. Voice activity is energy-based
(frames within 25 dB of the recording's loud speech, clear of its noise floor), cross-checked
with the recognizer's word times; pitch and intensity come from Praat (parselmouth).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import parselmouth

from interview.errors import InvalidInput
from interview.perception.schemas import SpeechFeatures, TimeSpan, Transcript
from interview.text.sentences import word_count

FRAME_S = 0.02  # s; energy frames for voice activity (non-overlapping)
SILENCE_DBFS = -50.0  # dBFS; a frame quieter than this is never speech (RMS ~0.003)
NOISE_PERCENTILE = 5  # the recording's noise floor: this percentile of frame levels
SPEECH_PERCENTILE = 99  # its loud speech level
MIN_SNR_DB = 6.0  # dB; a frame must stand this far above the noise floor to be speech
# dB below loud speech that still counts as speech. Relative to the speech, not the noise
# floor, so that stretches of digital silence (an edited or muted recording) do not lower the
# threshold into the room noise and erase the pauses.
SPEECH_RANGE_DB = 25.0
LEVEL_FLOOR_DB = -90.0  # dBFS; digital silence is clipped here so percentiles stay finite
MIN_VOICE_S = 0.06  # s; shorter bursts are clicks, not speech
MIN_PAUSE_S = 0.25  # s; shorter silences are part of articulation (common pause threshold)
LONG_PAUSE_S = 2.0  # s
WORD_MARGIN_S = 0.5  # s; sound this far before the first / after the last word is not speech
CONFIDENT_WORD = 0.5  # word probability above which a word inside a silence marks quiet speech
FILLER_PAUSE_S = 0.3  # s; a silence after "like", "you know", 那个... marks them as fillers
PITCH_FLOOR_HZ = 75.0  # Praat's default range for adult voices
PITCH_CEILING_HZ = 500.0
PITCH_STEP_S = 0.01
MIN_PITCH_FRAMES = 10  # fewer voiced frames give no pitch statistics

Audio = npt.NDArray[np.float32]

# Fillers. English: always-filler tokens, and phrases that are fillers only when set off
# (by punctuation or a pause). Chinese: hesitation sounds, and phrases likewise set off.
# Hesitation sounds as transcripts spell them ("ah" and "hmm" too: in the rated interviews of
# bench/validity.py they are a third of all fillers).
EN_HESITATIONS = frozenset(
    {"um", "umm", "ummm", "uhm", "uhmm", "uh", "uhh", "uhhh", "er", "erm", "ah", "ahh", "ahm"}
    | {"hmm", "mm", "mhm", "eh"}
)
EN_PHRASES = (("you", "know"), ("i", "mean"))
# "I like it", "would like to": "like" after these is a verb, not a filler.
LIKE_VERB_BEFORE = frozenset(
    {"i", "you", "we", "they", "would", "'d", "do", "don't", "didn't", "really", "to"}
)
CLAUSE_STARTERS = frozenset({"and", "but", "so", "or", "well"})
ZH_HESITATIONS = frozenset("嗯呃")
ZH_PHRASES = ("那个", "就是", "然后")


# -- voice activity ------------------------------------------------------------------------
def _as_samples(audio: Audio | npt.NDArray[np.float64], sr: int) -> npt.NDArray[np.float64]:
    samples = np.asarray(audio, dtype=np.float64)
    if samples.ndim != 1:
        raise InvalidInput(f"audio has shape {samples.shape}; pass mono samples")
    if sr <= 0:
        raise InvalidInput(f"sample rate {sr} is not positive; pass the rate in Hz, e.g. 16000")
    return samples


def frame_levels(audio: Audio | npt.NDArray[np.float64], sr: int) -> npt.NDArray[np.float64]:
    """RMS level in dBFS of each FRAME_S frame (digital silence clipped to LEVEL_FLOOR_DB)."""
    samples = _as_samples(audio, sr)
    size = max(1, round(FRAME_S * sr))
    n = len(samples) // size
    if n == 0:
        return np.zeros(0)
    frames = samples[: n * size].reshape(n, size)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    return np.maximum(20 * np.log10(rms + 1e-12), LEVEL_FLOOR_DB)


def speech_threshold(levels: npt.NDArray[np.float64]) -> float:
    """The dBFS level above which a frame is speech, set from the recording itself."""
    noise = float(np.percentile(levels, NOISE_PERCENTILE))
    loud = float(np.percentile(levels, SPEECH_PERCENTILE))
    return max(SILENCE_DBFS, loud - SPEECH_RANGE_DB, noise + MIN_SNR_DB)


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end) frame index pairs of the True runs in `mask`."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def voice_activity(audio: Audio, sr: int) -> list[TimeSpan]:
    """Stretches of speech by frame energy: clicks dropped, gaps under MIN_PAUSE_S bridged."""
    levels = frame_levels(audio, sr)
    if len(levels) == 0:
        return []
    voiced = levels > speech_threshold(levels)
    spans: list[list[float]] = []
    for start, end in _runs(voiced):
        if (end - start) * FRAME_S < MIN_VOICE_S:
            continue
        s, e = start * FRAME_S, end * FRAME_S
        if spans and s - spans[-1][1] < MIN_PAUSE_S:
            spans[-1][1] = e
        else:
            spans.append([s, e])
    return [TimeSpan(start=s, end=e) for s, e in spans]


def _cross_check(spans: list[TimeSpan], transcript: Transcript) -> list[TimeSpan]:
    """Voice spans corrected by the word times, when the recognizer heard words.

    Sound well before the first or after the last word is not speech (a cough, a chair);
    a confident word lying wholly inside a silence is quiet speech the energy gate missed.
    """
    words = transcript.words
    if not words or not spans:
        return spans
    lo = words[0].start - WORD_MARGIN_S
    hi = words[-1].end + WORD_MARGIN_S
    kept = [
        TimeSpan(start=max(s.start, lo), end=min(s.end, hi))
        for s in spans
        if s.end > lo and s.start < hi
    ]
    quiet = [
        TimeSpan(start=w.start, end=w.end)
        for w in words
        if w.probability >= CONFIDENT_WORD
        and w.end > w.start
        and not any(s.start < w.end and w.start < s.end for s in kept)
    ]
    merged: list[TimeSpan] = []
    for span in sorted(kept + quiet, key=lambda s: s.start):
        if merged and span.start - merged[-1].end < MIN_PAUSE_S:
            last = merged.pop()
            span = TimeSpan(start=last.start, end=max(last.end, span.end))
        merged.append(span)
    return merged


# -- fillers -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Token:
    core: str  # lower case, punctuation stripped
    set_off: bool  # punctuation or a pause of FILLER_PAUSE_S follows it


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _is_word_char(ch: str) -> bool:
    return not (ch.isspace() or _is_punct(ch))


def _strip_punct(word: str) -> str:
    return "".join(ch for ch in word if not _is_punct(ch) or ch == "'").strip("'").lower()


def _tokens(transcript: Transcript) -> list[_Token]:
    """The transcript's words, from the timed words when there are any, else from the text."""
    words = transcript.words
    if not words:
        if transcript.language == "zh":  # one token per character; spaces and punctuation set off
            text = transcript.text
            return [
                _Token(ch, set_off=i + 1 == len(text) or not _is_word_char(text[i + 1]))
                for i, ch in enumerate(text)
                if _is_word_char(ch)
            ]
        pieces = re.findall(r"\S+", transcript.text)
        return [
            _Token(_strip_punct(p), set_off=_is_punct(p[-1]) or i == len(pieces) - 1)
            for i, p in enumerate(pieces)
        ]
    out = []
    for i, w in enumerate(words):
        text = w.word.strip()
        gap = words[i + 1].start - w.end if i + 1 < len(words) else FILLER_PAUSE_S
        ends_in_punct = bool(text) and _is_punct(text[-1])
        out.append(_Token(_strip_punct(text), set_off=ends_in_punct or gap >= FILLER_PAUSE_S))
    return out


def _count_en_fillers(tokens: list[_Token]) -> int:
    filler = [t.core in EN_HESITATIONS for t in tokens]
    for i in range(len(tokens) - 1):
        pair = (tokens[i].core, tokens[i + 1].core)
        if pair not in EN_PHRASES:
            continue
        before = tokens[i - 1] if i > 0 else None
        clause_start = (
            before is None or before.set_off or filler[i - 1] or before.core in CLAUSE_STARTERS
        )
        if clause_start and tokens[i + 1].set_off:
            filler[i] = True  # the phrase counts once, at its first word
    for i, t in enumerate(tokens):
        if t.core != "like":
            continue
        before = tokens[i - 1] if i > 0 else None
        if before is not None and before.core in LIKE_VERB_BEFORE and not before.set_off:
            continue
        next_filler = i + 1 < len(tokens) and tokens[i + 1].core in EN_HESITATIONS
        if t.set_off or (i > 0 and filler[i - 1]) or next_filler:
            filler[i] = True
    return sum(filler)


def _count_zh_fillers(tokens: list[_Token]) -> int:
    # One character stream; a phrase is set off when its last character ends a set-off token.
    chars: list[str] = []
    set_off: list[bool] = []
    for t in tokens:
        core = "".join(ch for ch in t.core if not ch.isspace())
        chars.extend(core)
        set_off.extend([False] * (len(core) - 1) + [t.set_off] if core else [])
    text = "".join(chars)
    count = 0
    i = 0
    while i < len(text):
        if text[i] in ZH_HESITATIONS:
            count += 1  # a run (嗯嗯) is one hesitation
            while i < len(text) and text[i] in ZH_HESITATIONS:
                i += 1
            continue
        phrase = next((p for p in ZH_PHRASES if text.startswith(p, i)), None)
        if phrase is None:
            i += 1
            continue
        end = i + len(phrase)
        repeated = text.startswith(phrase, end)
        if set_off[end - 1] or repeated:
            count += 1
        i = end
    return count


def count_fillers(transcript: Transcript) -> int:
    """Filler words and phrases in the transcript (see EN_*/ZH_* above for what counts)."""
    tokens = [t for t in _tokens(transcript) if t.core]
    if transcript.language == "zh":
        return _count_zh_fillers(tokens)
    return _count_en_fillers(tokens)


def spoken_words(text: str, language: str) -> float:
    """Words in `text` without punctuation; Chinese: characters / 2 (the project convention)."""
    bare = "".join(" " if _is_punct(ch) and ch != "'" else ch for ch in text)
    return word_count(bare, language)


# -- pitch and loudness --------------------------------------------------------------------
def _inside(times: npt.NDArray[np.float64], spans: list[TimeSpan]) -> npt.NDArray[np.bool_]:
    mask = np.zeros(len(times), dtype=bool)
    for s in spans:
        mask |= (times >= s.start) & (times < s.end)
    return mask


def _pitch_and_loudness(
    samples: npt.NDArray[np.float64], sr: int, spans: list[TimeSpan]
) -> tuple[float | None, float | None, float | None]:
    """Median pitch (Hz), its 5-95th percentile range (semitones), loudness range (dB).

    Loudness counts only frames above the speech threshold: the short silences bridged inside
    a speech span (digital zeros in synthetic audio read as -300 dB) are not quiet speech.
    """
    if not spans or len(samples) < sr * 0.1:
        return None, None, None
    sound = parselmouth.Sound(samples, sampling_frequency=sr)
    pitch = sound.to_pitch(
        time_step=PITCH_STEP_S, pitch_floor=PITCH_FLOOR_HZ, pitch_ceiling=PITCH_CEILING_HZ
    )
    f0 = pitch.selected_array["frequency"]
    f0 = f0[(f0 > 0) & _inside(np.asarray(pitch.xs()), spans)]
    median = semitones = None
    if len(f0) >= MIN_PITCH_FRAMES:
        p5, p95 = np.percentile(f0, [5, 95])
        median = float(np.median(f0))
        semitones = float(12 * np.log2(p95 / p5))
    intensity = sound.to_intensity(minimum_pitch=100.0, time_step=PITCH_STEP_S)
    levels = frame_levels(samples, sr)
    voiced = levels > speech_threshold(levels)
    times = np.asarray(intensity.xs())
    frame = np.minimum((times / FRAME_S).astype(int), len(levels) - 1)
    db = intensity.values[0][_inside(times, spans) & voiced[frame]]
    db = db[np.isfinite(db)]
    loudness = float(np.subtract(*np.percentile(db, [95, 5]))) if len(db) >= 2 else None
    return median, semitones, loudness


# -- features ------------------------------------------------------------------------------
def speech_features(audio: Audio, sr: int, transcript: Transcript) -> SpeechFeatures:
    """Measured delivery features of one answer from its audio and transcript."""
    samples = _as_samples(audio, sr)
    duration = len(samples) / sr
    spans = _cross_check(voice_activity(audio, sr), transcript)
    notes: list[str] = []

    pauses = [
        TimeSpan(start=a.end, end=b.start)
        for a, b in zip(spans, spans[1:], strict=False)
        if b.start - a.end >= MIN_PAUSE_S
    ]
    talking = spans[-1].end - spans[0].start if spans else 0.0
    paused = sum(p.duration for p in pauses)
    speech = max(talking - paused, 0.0)
    if not spans:
        notes.append("no speech found in the audio")

    ok = transcript.status == "ok"
    words = spoken_words(transcript.text, transcript.language) if ok else 0.0
    fillers = count_fillers(transcript) if ok else 0
    if not ok:
        notes.append(f"transcript is {transcript.status}: no words, rate or fillers")

    median, semitones, loudness = _pitch_and_loudness(samples, sr, spans)
    if spans and median is None:
        notes.append("too few voiced frames to measure pitch")

    return SpeechFeatures(
        duration_s=duration,
        speech_s=speech,
        speech_ratio=min(speech / duration, 1.0) if duration else 0.0,
        words=words,
        rate_wpm=words / (talking / 60) if talking else 0.0,
        pause_count=len(pauses),
        pause_ratio=paused / talking if talking else 0.0,
        long_pauses=tuple(p for p in pauses if p.duration >= LONG_PAUSE_S),
        filler_count=fillers,
        filler_rate_per_100_words=100 * fillers / words if words else 0.0,
        pitch_median_hz=median,
        pitch_range_semitones=semitones,
        loudness_range_db=loudness,
        note="; ".join(notes),
    )
