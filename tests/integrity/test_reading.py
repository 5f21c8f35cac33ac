"""Reading checks: exact values on hand-built gaze series and transcripts; then the real face
models on the shared phone clip (she looks at the lens) and real Whisper on espeak-ng speech
read from a paragraph."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from interview.errors import InvalidInput
from interview.integrity.gaze import (
    AWAY_RATIO,
    LONG_AWAY_S,
    MIN_RUN,
    ReadingResult,
    looking_away,
    reading_sweeps,
)
from interview.integrity.read_aloud import (
    FLUENT,
    ReadAloudResult,
    count_repairs,
    pace_cv,
    read_aloud,
)
from interview.perception.media import SAMPLE_RATE, decode_audio
from interview.perception.schemas import SpeechFeatures, TimedWord, TimeSpan, Transcript
from interview.perception.speech import count_fillers, speech_features, spoken_words
from interview.perception.transcript import transcribe
from interview.perception.video import observe_video
from interview.perception.video_schemas import FrameObservation
from tests.conftest import SHARED

VIDEO = SHARED / "data" / "video" / "one_person_center.mp4"
STEP = 1 / 3  # s between frames at the pipeline's default 3 fps
ASR = "whisper-base"
LENS_JITTER = 0.004  # per-frame std of gaze x on the shared clip, looking at the lens


# -- hand-built gaze ---------------------------------------------------------------------------


def frames(
    xs: Sequence[float],
    step: float = STEP,
    on: Sequence[bool | None] | None = None,
) -> list[FrameObservation]:
    """One frame per value of gaze x (eye widths); on screen when |x| <= 0.15 unless `on` says
    (None: no face mesh in that frame)."""
    out = []
    for i, x in enumerate(xs):
        seen = bool(abs(x) <= 0.15) if on is None else on[i]
        measured = seen is not None
        out.append(
            FrameObservation(
                t=round(i * step, 4),
                faces=1,
                yaw_deg=0.0 if measured else None,
                pitch_deg=0.0 if measured else None,
                roll_deg=0.0 if measured else None,
                gaze_on_screen=seen,
                gaze_offset=(round(float(x), 4), -0.07) if measured else None,
            )
        )
    return out


def sawtooth(
    lines: int = 6, per_line: int = 8, amp: float = 0.15, sign: int = 1, lead: int = 9
) -> list[float]:
    """Gaze x reading `lines` lines: at the lens for `lead` frames, then each line a steady
    drift over per_line frames and a one-frame return to the next line's start; after the
    last line the eyes return to the start once more, then go back to the lens."""
    line = [sign * (-amp / 2 + amp * k / (per_line - 1)) for k in range(per_line)]
    return [0.0] * lead + line * lines + [line[0]] + [0.0] * 9


def wandering(seed: int, jitter: float, seconds: float = 60.0) -> list[float]:
    """Natural looking around: a slow random walk (2 s memory, 0.04 std), a few short glances
    aside (0.5-2.5 s, 0.1-0.3 eye widths), and per-frame jitter."""
    rng = np.random.default_rng(seed)
    n = int(seconds / STEP)
    keep = np.exp(-STEP / 2.0)
    xs = np.zeros(n)
    for i in range(1, n):
        xs[i] = keep * xs[i - 1] + np.sqrt(1 - keep**2) * 0.04 * rng.normal()
    for _ in range(3):
        at, length = int(rng.uniform(0, n - 9)), int(rng.uniform(0.5, 2.5) / STEP)
        xs[at : at + length] += rng.choice([-1, 1]) * rng.uniform(0.1, 0.3)
    return list(xs + rng.normal(0, jitter, n))


def with_jitter(xs: Sequence[float], seed: int, jitter: float) -> list[float]:
    return list(np.asarray(xs) + np.random.default_rng(seed).normal(0, jitter, len(xs)))


# -- looking away ------------------------------------------------------------------------------


def test_one_long_stretch_away_is_a_low_flag_with_its_span() -> None:
    # 60 s at 3 fps; frames 60..89 (20.0 s to 30.0 s) look away: one 10 s stretch.
    on = [not 60 <= i < 90 for i in range(180)]
    result, flags = looking_away(frames([0.0] * 180, on=on), question_id="q1")
    assert result.judged and result.face_s == pytest.approx(60.0)
    assert result.away_s == pytest.approx(10.0)
    assert result.away_ratio == pytest.approx(1 / 6, abs=1e-4)
    assert result.stretches == (TimeSpan(start=20.0, end=30.0),)
    assert result.longest_away_s == pytest.approx(10.0)
    (flag,) = flags
    assert (flag.kind, flag.severity, flag.question_id) == ("looking_away", "low", "q1")
    assert (flag.start_s, flag.end_s) == (20.0, 30.0)
    assert flag.evidence["away_ratio_threshold"] == AWAY_RATIO
    assert flag.evidence["longest_away_threshold_s"] == LONG_AWAY_S
    assert flag.evidence["longest_away_s"] == pytest.approx(10.0)
    assert "not a finding of cheating" in flag.note and "think" in flag.note


def test_many_glances_away_flag_by_their_share() -> None:
    # Every 5 s, 2 s away: 40% of the time away, no stretch near 8 s.
    on = [(i % 15) >= 6 for i in range(180)]
    result, flags = looking_away(frames([0.0] * 180, on=on))
    assert result.away_ratio == pytest.approx(0.4)
    assert result.longest_away_s == pytest.approx(2.0) and result.stretches == ()
    (flag,) = flags
    assert flag.severity == "low" and flag.evidence["away_ratio"] == pytest.approx(0.4)


def test_half_a_minute_away_is_medium() -> None:
    on = [not 30 <= i < 120 for i in range(180)]
    _, flags = looking_away(frames([0.0] * 180, on=on))
    assert [f.severity for f in flags] == ["medium"]
    assert (flags[0].start_s, flags[0].end_s) == (10.0, 40.0)


def test_thinking_glances_are_not_flagged() -> None:
    # Three 4 s glances away in a minute (20%): people look away to think.
    on = [not any(s <= i < s + 12 for s in (15, 75, 140)) for i in range(180)]
    result, flags = looking_away(frames([0.0] * 180, on=on))
    assert result.judged and result.away_ratio == pytest.approx(0.2)
    assert len(result.stretches) == 3 and flags == []


def test_a_lost_face_mesh_for_a_moment_does_not_break_a_stretch() -> None:
    on: list[bool | None] = [True] * 90
    on[30:57] = [False] * 27
    on[40:42] = [None, None]  # 0.67 s without a mesh inside the stretch
    result, flags = looking_away(frames([0.0] * 90, on=on))
    assert result.stretches == (TimeSpan(start=10.0, end=19.0),)
    assert result.away_s == pytest.approx(25 / 3, abs=1e-4) and flags[0].end_s == 19.0


def test_too_little_face_is_not_judged_and_disorder_is_invalid() -> None:
    result, flags = looking_away(frames([0.0] * 20, on=[False] * 20))  # 6.7 s
    assert not result.judged and "too little" in result.reason and flags == []
    shuffled = frames([0.0] * 3)
    with pytest.raises(InvalidInput, match="time order"):
        looking_away([shuffled[1], shuffled[0], shuffled[2]])


# -- reading sweeps ----------------------------------------------------------------------------


@pytest.mark.parametrize(("sign", "direction"), [(1, "image_right"), (-1, "image_left")])
def test_six_lines_read_are_flagged_with_their_span(sign: int, direction: str) -> None:
    result, flags = reading_sweeps(frames(sawtooth(sign=sign)), question_id="q2")
    assert result.judged and result.fps == pytest.approx(3.0, rel=1e-3)
    assert (result.sweeps, result.longest_run, result.direction) == (6, 6, direction)
    # Line 1 starts at frame 9 (3.0 s); the sixth return lands at frame 9 + 6 * 8 (19.0 s).
    assert result.runs == (TimeSpan(start=3.0, end=19.0),)
    assert result.line_s_median == pytest.approx(7 * STEP, abs=1e-3)
    assert result.line_s_cv == pytest.approx(0.0, abs=1e-3)
    assert result.amplitude_median == pytest.approx(0.15, abs=1e-3)
    assert result.sweeps_per_minute == pytest.approx(60 * 6 / result.gaze_s, abs=1e-3)
    (flag,) = flags
    assert (flag.kind, flag.severity, flag.question_id) == ("reading_pattern", "medium", "q2")
    assert (flag.start_s, flag.end_s) == (3.0, 19.0)
    assert flag.evidence["longest_run"] == 6 and flag.evidence["min_run"] == MIN_RUN
    assert flag.evidence["jump_threshold"] >= 0.05
    assert "not a finding of cheating" in flag.note


def test_three_lines_are_counted_but_not_flagged() -> None:
    result, flags = reading_sweeps(frames(sawtooth(lines=3) + [0.0] * 30))
    assert (result.sweeps, result.longest_run) == (3, 3)
    assert result.runs == () and flags == []


def read_lines(fps: float, line_s: float, seed: int, lines: int = 8) -> list[float]:
    """Gaze x sampled at `fps` while reading `lines` lines of about line_s (+-30%) each: a steady
    drift of 0.15 eye widths, an instant return; 3 s at the lens before and after; 0.01 jitter."""
    rng = np.random.default_rng(seed)
    ends = np.cumsum(line_s * rng.uniform(0.7, 1.3, lines)) + 3.0
    starts = np.concatenate([[3.0], ends[:-1]])
    xs = []
    for t in np.arange(0, ends[-1] + 3.0, 1 / fps):
        k = np.searchsorted(ends, t, side="right")
        inside = 3.0 <= t < ends[-1]
        xs.append(0.15 * ((t - starts[k]) / (ends[k] - starts[k]) - 0.5) if inside else 0.0)
    return with_jitter(xs, seed, 0.01)


def test_one_second_lines_need_a_higher_frame_rate() -> None:
    # Lines of ~1 s (a narrow column): at 3 fps a line is ~3 frames and drift looks like jumps;
    # the same reading sampled at 6 fps is seen. Lines of ~1.5 s are seen at 3 fps.
    def seen(fps: float, line_s: float) -> int:
        found = [reading_sweeps(frames(read_lines(fps, line_s, s), 1 / fps))[1] for s in range(20)]
        return sum(bool(f) for f in found)

    assert seen(6.0, 1.0) >= 12
    assert seen(3.0, 1.0) <= 8
    assert seen(3.0, 1.5) >= 16


def test_too_low_a_frame_rate_is_not_judged() -> None:
    result, flags = reading_sweeps(frames(sawtooth(), step=1.0))
    assert not result.judged and "fps" in result.reason and flags == []


def test_looking_at_the_lens_sweeps_nothing() -> None:
    lens = with_jitter([0.0] * 180, seed=3, jitter=LENS_JITTER)
    result, flags = reading_sweeps(frames(lens))
    assert result.judged and result.sweeps == 0 and flags == []
    assert result.jitter == pytest.approx(LENS_JITTER, rel=0.3)
    assert looking_away(frames(lens))[1] == []


def test_natural_looking_around_is_not_reading() -> None:
    # A minute of slow wandering and glances, plus one glance away and back (3 s off screen).
    for seed in range(20):
        xs = wandering(seed, jitter=0.015)
        xs[90:99] = [0.3] * 9
        result, flags = reading_sweeps(frames(xs))
        assert result.judged and result.longest_run < MIN_RUN and flags == [], seed
        assert looking_away(frames(xs))[1] == [], seed


def test_reading_is_seen_through_realistic_jitter() -> None:
    clean = sawtooth()
    at_01 = [bool(reading_sweeps(frames(with_jitter(clean, s, 0.01)))[1]) for s in range(20)]
    at_02 = [bool(reading_sweeps(frames(with_jitter(clean, s, 0.02)))[1]) for s in range(20)]
    assert all(at_01)
    assert sum(at_02) >= 12  # 0.02 eye widths of jitter is ~1/4 of a drift step's 3 frames
    noisy_natural = [bool(reading_sweeps(frames(wandering(s, 0.02)))[1]) for s in range(20)]
    assert not any(noisy_natural)


# -- read aloud: pure --------------------------------------------------------------------------


def said(
    words: Sequence[tuple[str, float, float]], language: str = "en", text: str | None = None
) -> Transcript:
    timed = tuple(TimedWord(word=w, start=s, end=e, probability=0.9) for w, s, e in words)
    joined = ("" if language == "zh" else " ").join(w for w, _, _ in words)
    return Transcript(
        text=text if text is not None else joined,
        language=language,
        duration_s=(words[-1][2] + 0.5) if words else 1.0,
        words=timed,
        status="ok",
        model=ASR,
    )


def features(transcript: Transcript) -> SpeechFeatures:
    """Speech features measured from the word times alone (no audio): talking span, pauses
    between words, fillers counted by perception.speech."""
    ws = transcript.words
    talking = ws[-1].end - ws[0].start
    gaps = [TimeSpan(start=a.end, end=b.start) for a, b in zip(ws, ws[1:], strict=False)]
    pauses = [g for g in gaps if g.duration >= 0.25]
    words = spoken_words(transcript.text, transcript.language)
    fillers = count_fillers(transcript)
    return SpeechFeatures(
        duration_s=transcript.duration_s,
        speech_s=talking - sum(p.duration for p in pauses),
        speech_ratio=min((talking - sum(p.duration for p in pauses)) / transcript.duration_s, 1),
        words=words,
        rate_wpm=60 * words / talking,
        pause_count=len(pauses),
        pause_ratio=sum(p.duration for p in pauses) / talking,
        long_pauses=tuple(p for p in pauses if p.duration >= 2.0),
        filler_count=fillers,
        filler_rate_per_100_words=100 * fillers / words,
    )


def metronome(n: int = 100, gap: float = 0.1, length: float = 0.3) -> Transcript:
    """n words, each `length` s, `gap` s apart: read-like regularity, no fillers."""
    words = [f"word{k % 7}" for k in range(n)]
    return said([(w, k * (length + gap), k * (length + gap) + length) for k, w in enumerate(words)])


SPONTANEOUS = (
    "Um so I I was, uh, working at a shop and we we had a problem with the, the stock. "
    "And um I think the the manager, she asked me to, to fix the ordering. Uh so I looked at "
    "what we sold, um, every week, and I made a, like, a list. It took, uh, a while, you know. "
    "And then we we ordered less and, um, the waste went down by I I think a third."
)


def spontaneous() -> Transcript:
    """Talk with fillers, repetitions and pauses of uneven length (two over 2 s)."""
    rng = np.random.default_rng(7)
    t, items = 0.0, []
    for k, w in enumerate(SPONTANEOUS.split()):
        length = rng.uniform(0.15, 0.4)
        items.append((w, t, t + length))
        t += length + (2.6 if k in (20, 55) else rng.choice([0.05, 0.1, 0.15, 0.3, 0.8]))
    return said(items)


def test_repairs_are_counted_exactly() -> None:
    text = "I I think we went, we went to the wh- the store and it was very good"
    assert count_repairs(said([(w, 0, 0) for w in text.split()]), "en") == (1, 2)
    zh = Transcript(text="我们我们去看看吧", language="zh", duration_s=3, status="ok", model=ASR)
    assert count_repairs(zh, "zh") == (0, 1)  # 我们我们 is a restart; 看看 is a word


def test_pace_cv_of_even_and_uneven_talk() -> None:
    assert pace_cv(metronome(gap=0.0, length=0.5), "en") == pytest.approx(0.0, abs=1e-9)
    # 10 s: ten words in the first 5 s, five in the next 5 s: 2 and 1 words/s, CV 1/3.
    first = [(f"a{k}", k * 0.5, k * 0.5 + 0.2) for k in range(10)]
    second = [(f"b{k}", 5 + k, 5 + k + 0.2) for k in range(4)] + [("end", 9.8, 10.0)]
    assert pace_cv(said(first + second), "en") == pytest.approx(1 / 3, rel=1e-6)


def test_spontaneous_talk_is_not_flagged_even_with_sweeps() -> None:
    transcript = spontaneous()
    sweeps = reading_sweeps(frames(sawtooth(lines=8) + [0.0] * 60))[0]
    result, flags = read_aloud(features(transcript), transcript, sweeps, language="en")
    assert result.judged and not result.fluent and flags == []
    # I I (twice), we we (twice), the, the / the the, to, to; 9 fillers in 78 words.
    assert (result.repetitions, result.restarts, result.words) == (7, 0, 78)
    assert result.disfluency_per_100_words == pytest.approx(100 * (9 + 7) / 78, abs=1e-3)
    assert result.long_pauses_per_minute == pytest.approx(60 * 2 / result.talking_s, abs=1e-3)
    assert result.fluency is not None and result.fluency < FLUENT


def test_fluent_talk_needs_the_eyes_when_there_is_video() -> None:
    transcript = metronome()  # 40 s, 100 words, no fillers
    speech = features(transcript)
    lens = reading_sweeps(frames(with_jitter([0.0] * 150, seed=1, jitter=LENS_JITTER)))[0]
    reading = reading_sweeps(frames(sawtooth(lines=8) + [0.0] * 60))[0]
    blind = reading_sweeps(frames([0.0] * 150, on=[None] * 150))[0]
    audio_only, low = read_aloud(speech, transcript, None, language="en", question_id="q3")
    assert audio_only.fluent and audio_only.fluency == 1.0 and audio_only.eyes == "not_seen"
    assert [(f.kind, f.severity) for f in low] == [("read_aloud", "low")]
    assert "not seen" in low[0].note and "not a finding of cheating" in low[0].note
    assert low[0].question_id == "q3" and low[0].evidence["fluency_threshold"] == FLUENT
    looked, none = read_aloud(speech, transcript, lens, language="en")
    assert looked.eyes == "no_sweeps" and none == []
    both, medium = read_aloud(speech, transcript, reading, language="en")
    assert both.eyes == "sweeps" and [f.severity for f in medium] == ["medium"]
    assert medium[0].confidence > low[0].confidence
    assert (medium[0].start_s, medium[0].end_s) == (0.0, pytest.approx(39.9))
    unseen, weak = read_aloud(speech, transcript, blind, language="en")
    assert unseen.eyes == "not_seen" and [f.severity for f in weak] == ["low"]


def test_short_answers_and_bad_languages() -> None:
    short = metronome(n=50)  # 20 s, 50 words
    result, flags = read_aloud(features(short), short, None, language="en")
    assert not result.judged and "too short" in result.reason and flags == []
    with pytest.raises(InvalidInput, match="not supported"):
        read_aloud(features(short), short, None, language="fr")
    with pytest.raises(InvalidInput, match="transcript is in 'en'"):
        read_aloud(features(short), short, None, language="zh")


# -- real models ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clip(backend: Any) -> list[FrameObservation]:
    return observe_video(backend, VIDEO)


@pytest.mark.slow
def test_the_shared_clip_looking_at_the_lens_raises_nothing(clip: list[FrameObservation]) -> None:
    away, away_flags = looking_away(clip)
    assert away.judged and away.away_ratio is not None and away.away_ratio < 0.1
    assert away_flags == []
    sweeps, sweep_flags = reading_sweeps(clip)
    assert sweeps.judged and sweeps.fps == pytest.approx(3.0, rel=0.05)
    assert sweeps.longest_run < MIN_RUN and sweep_flags == []
    assert sweeps.jitter is not None and sweeps.jitter < 0.02


PARAGRAPH = (
    "In my last role I led a team of five engineers who maintained the payment service for a "
    "large online shop. Early in the year our error rate doubled after a migration to a new "
    "database. I organised a review of every change we had made, and we found that two queries "
    "were missing an index. We fixed the queries within a week, added tests that measure their "
    "speed, and set up an alert for slow requests. The error rate fell back below one in a "
    "thousand, and the checkout became faster than before. I learned that careful reviews and "
    "simple measurements prevent most of the problems that look mysterious at first."
)


@pytest.fixture(scope="module")
def read_speech(backend: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Transcript]:
    """~40 s of espeak-ng reading PARAGRAPH (no fillers, even pace), transcribed by Whisper."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    wav = Path(tmp_path_factory.mktemp("read")) / "read.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-s", "145", "-w", str(wav), PARAGRAPH], check=True)
    audio = decode_audio(wav)
    transcript = transcribe(backend.recognizer(ASR), audio, "en", ASR)
    return speech_features(audio, SAMPLE_RATE, transcript), transcript


@pytest.mark.slow
def test_speech_read_from_a_paragraph_sounds_read(read_speech: tuple[Any, Transcript]) -> None:
    speech, transcript = read_speech
    assert transcript.status == "ok" and speech.words >= 90
    talking = transcript.words[-1].end - transcript.words[0].start
    alone, low = read_aloud(speech, transcript, None, language="en")
    assert alone.judged and alone.talking_s == pytest.approx(talking, abs=1e-3)
    assert alone.fluent and alone.fluency is not None and alone.fluency >= FLUENT
    assert alone.pace_cv is not None and alone.pace_cv < 0.25
    assert alone.disfluency_per_100_words <= 1.0
    assert [f.severity for f in low] == ["low"]
    # The same voice with eyes sweeping through the talk: a medium flag over the talking span.
    lines = int(talking / (8 * STEP)) - 1
    reading: ReadingResult = reading_sweeps(frames(sawtooth(lines=lines, lead=3)))[0]
    assert reading.longest_run >= MIN_RUN
    both, flags = read_aloud(speech, transcript, reading, language="en", question_id="q9")
    assert [(f.kind, f.severity) for f in flags] == [("read_aloud", "medium")]
    assert flags[0].start_s == pytest.approx(transcript.words[0].start)
    assert flags[0].evidence["longest_sweep_run"] == reading.longest_run
    # ... and with eyes on the lens the whole time: nothing.
    lens = reading_sweeps(frames(with_jitter([0.0] * int(talking / STEP), 2, LENS_JITTER)))[0]
    looked: ReadAloudResult
    looked, none = read_aloud(speech, transcript, lens, language="en")
    assert looked.eyes == "no_sweeps" and none == []
