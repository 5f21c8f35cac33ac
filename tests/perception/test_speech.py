"""Speech features: exact values on hand-built signals and transcripts, tolerances on real speech
(JFK, espeak-ng) transcribed by real Whisper base."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from interview.backend.protocols import Audio
from interview.perception.media import SAMPLE_RATE, decode_audio
from interview.perception.schemas import TimedWord, Transcript
from interview.perception.speech import count_fillers, speech_features, voice_activity
from interview.perception.transcript import transcribe

JFK = Path(__file__).resolve().parents[3] / "shared" / "data" / "audio" / "jfk.flac"
MODEL = "whisper-base"
SR = SAMPLE_RATE


def said(text: str, language: str = "en", words: tuple[TimedWord, ...] = ()) -> Transcript:
    return Transcript(
        text=text, language=language, duration_s=10.0, words=words, status="ok", model=MODEL
    )


def timed(*items: tuple[str, float, float]) -> tuple[TimedWord, ...]:
    return tuple(TimedWord(word=w, start=s, end=e, probability=0.9) for w, s, e in items)


def glide(seconds: float, f_from: float, f_to: float, level: float = 0.1) -> Audio:
    """A voiced-like harmonic tone whose pitch glides linearly from f_from to f_to (Hz)."""
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(np.linspace(f_from, f_to, len(t))) / SR
    wave = sum(np.sin(k * phase) / k for k in range(1, 6))
    return (level * wave / np.abs(wave).max()).astype(np.float32)


def quiet(seconds: float) -> Audio:
    return np.random.default_rng(1).normal(0, 1e-4, int(seconds * SR)).astype(np.float32)


# -- pure: hand-built inputs, exact values ---------------------------------------------
@pytest.mark.parametrize(
    ("text", "language", "fillers"),
    [
        ("Um, I think, uh, it was like, a big success, you know. I mean, we shipped.", "en", 5),
        ("Er... so, like, umm we did it.", "en", 3),  # er, like (set off), umm
        ("I like my job and I would like to stay. That's what I mean. Do you know him?", "en", 0),
        ("Things like reading, you know, help. And you know, I mean it.", "en", 2),
        ("嗯，我觉得那个，就是我们的团队然后然后做得很好。呃", "zh", 4),
        ("那个人就是我的经理，然后我们一起工作。", "zh", 0),
        ("嗯嗯，就是，就是说", "zh", 2),  # one run of 嗯; only the first 就是 is set off
    ],
)
def test_fillers_are_counted_exactly(text: str, language: str, fillers: int) -> None:
    assert count_fillers(said(text, language)) == fillers


def test_fillers_use_pauses_between_timed_words() -> None:
    # No punctuation, but a 0.6 s silence after "like" and after "然后" sets them off.
    words = timed(("it", 0.0, 0.2), ("was", 0.2, 0.4), ("like", 0.4, 0.6), ("big", 1.2, 1.5))
    assert count_fillers(said("it was like big", words=words)) == 1
    close = timed(("it", 0.0, 0.2), ("was", 0.2, 0.4), ("like", 0.4, 0.6), ("big", 0.7, 0.9))
    assert count_fillers(said("it was like big", words=close)) == 0
    zh = timed(("然后", 0.0, 0.4), ("我们", 1.0, 1.3), ("然后", 1.3, 1.6), ("走", 1.7, 1.9))
    assert count_fillers(said("然后我们然后走", "zh", zh)) == 1


def test_chinese_rate_counts_characters_over_two() -> None:
    # 3 s of voice between 1 s silences; 13 characters (the full stop is not spoken) = 6.5 words.
    audio = np.concatenate([quiet(1), glide(3, 120, 180), quiet(1)])
    zh = speech_features(audio, SR, said("我们的团队提高了百分之三十。", "zh"))
    assert zh.words == 6.5
    assert zh.rate_wpm == pytest.approx(6.5 / (3 / 60), rel=0.03)
    en = speech_features(audio, SR, said("We raised the team's results by thirty percent."))
    assert en.words == 8
    assert en.rate_wpm == pytest.approx(8 / (3 / 60), rel=0.03)


def test_pitch_and_voice_of_a_known_tone() -> None:
    audio = np.concatenate([quiet(1), glide(3, 120, 180), quiet(1)])
    f = speech_features(audio, SR, said("one two three"))
    assert [(round(s.start, 2), round(s.end, 2)) for s in voice_activity(audio, SR)] == [(1.0, 4.0)]
    assert f.duration_s == 5.0 and f.speech_s == pytest.approx(3.0, abs=0.05)
    assert f.speech_ratio == pytest.approx(0.6, abs=0.01)
    assert f.pause_count == 0 and f.pause_ratio == 0
    assert f.pitch_median_hz == pytest.approx(150, rel=0.03)
    # 5th-95th percentile of a linear 120->180 Hz glide: 123 -> 177 Hz = 6.3 semitones.
    assert f.pitch_range_semitones == pytest.approx(12 * np.log2(177 / 123), abs=0.3)
    assert f.loudness_range_db is not None and f.loudness_range_db < 3  # a steady level


def test_pauses_between_tones() -> None:
    audio = np.concatenate(
        [glide(1, 150, 150), quiet(0.5), glide(1, 150, 150), quiet(2.5), glide(1, 150, 150)]
    )
    f = speech_features(audio, SR, said("a b c"))
    assert f.pause_count == 2
    assert [(round(p.start, 2), round(p.end, 2)) for p in f.long_pauses] == [(2.5, 5.0)]
    assert f.pause_ratio == pytest.approx(3 / 6, abs=0.01)


def test_a_silent_transcript_gives_no_words() -> None:
    audio = quiet(2)
    t = Transcript(text="", language="en", duration_s=2, status="silent", model=MODEL)
    f = speech_features(audio, SR, t)
    assert f.words == 0 and f.rate_wpm == 0 and f.filler_count == 0 and f.speech_s == 0
    assert f.pitch_median_hz is None and "no speech" in f.note and "silent" in f.note


# -- real speech through real Whisper --------------------------------------------------
@pytest.fixture(scope="module")
def recognizer(backend):  # type: ignore[no-untyped-def]
    return backend.recognizer(MODEL)


@pytest.fixture(scope="module")
def jfk() -> Audio:
    return decode_audio(JFK)


@pytest.fixture(scope="module")
def jfk_transcript(recognizer, jfk: Audio) -> Transcript:  # type: ignore[no-untyped-def]
    return transcribe(recognizer, jfk, "en", MODEL)


@pytest.mark.slow
def test_jfk_delivery(jfk: Audio, jfk_transcript: Transcript) -> None:
    f = speech_features(jfk, SR, jfk_transcript)
    assert f.words == 22
    assert 100 <= f.rate_wpm <= 200
    assert 0.4 < f.speech_ratio < 0.95
    assert f.pause_count >= 2 and f.long_pauses == ()  # JFK pauses, but under 2 s
    assert f.filler_count == 0
    assert f.pitch_median_hz is not None and 75 < f.pitch_median_hz < 400
    assert f.pitch_range_semitones is not None and f.pitch_range_semitones > 2
    assert f.loudness_range_db is not None and f.loudness_range_db > 5


@pytest.mark.slow
def test_inserted_silences_are_long_pauses(
    recognizer,  # type: ignore[no-untyped-def]
    jfk: Audio,
    jfk_transcript: Transcript,
) -> None:
    # Insert 3 s of faint noise after "Americans," and between "you," and "ask".
    w = jfk_transcript.words
    cuts = [
        (w[i].end + w[i + 1].start) / 2
        for i in range(len(w) - 1)
        if w[i].word in ("Americans,", "you,")
    ]
    assert len(cuts) == 2
    pieces, last = [], 0
    for cut in cuts:
        pieces += [jfk[last : int(cut * SR)], quiet(3)]
        last = int(cut * SR)
    gapped = np.concatenate([*pieces, jfk[last:]])

    before = speech_features(jfk, SR, jfk_transcript)
    after = speech_features(gapped, SR, transcribe(recognizer, gapped, "en", MODEL))
    assert len(after.long_pauses) >= 2
    # Each inserted silence lies inside a long pause (shifted by the silences before it).
    for k, cut in enumerate(cuts):
        at = cut + 3 * k
        assert any(p.start <= at + 0.1 and at + 2.9 <= p.end for p in after.long_pauses)
    assert after.pause_ratio > before.pause_ratio + 0.1
    assert after.rate_wpm < before.rate_wpm
    assert after.speech_s == pytest.approx(before.speech_s, abs=1.0)
    assert after.words == before.words


@pytest.mark.slow
def test_spoken_fillers_are_counted(recognizer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    wav = tmp_path / "fillers.wav"
    text = "Um, I think, uh, the project was like a big success, you know. We shipped it on time."
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(wav), text], check=True)
    audio = decode_audio(wav)
    f = speech_features(audio, SR, transcribe(recognizer, audio, "en", MODEL))
    assert f.filler_count >= 2
    assert f.filler_rate_per_100_words == pytest.approx(100 * f.filler_count / f.words)
    assert f.pitch_range_semitones is not None and f.pitch_range_semitones > 0
