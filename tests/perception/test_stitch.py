"""Transcribing in stretches (pure): where growing audio is cut, and how the stretches'
transcripts merge into one."""

from __future__ import annotations

import numpy as np
import pytest

from interview.backend.protocols import Audio
from interview.perception.media import SAMPLE_RATE
from interview.perception.schemas import TimedWord, Transcript, TranscriptSegment
from interview.perception.stitch import (
    GUARD_S,
    OPEN_CUT_S,
    choose_cut,
    merge_pieces,
    pause_cuts,
    settled_cut,
)

MODEL = "whisper-base"
SR = SAMPLE_RATE


# -- pure: cut choice ----------------------------------------------------------------------
def test_pause_cuts_are_mid_pause_and_after_an_open_silence() -> None:
    spans = [(0.0, 1.0), (1.5, 3.0), (4.0, 5.0)]
    assert pause_cuts(spans, 5.2) == [1.25, 3.5]  # the end is still (maybe) a word
    assert pause_cuts(spans, 6.0) == [1.25, 3.5, 5.0 + OPEN_CUT_S]  # 1 s of silence: settled
    assert pause_cuts([], 3.0) == [3.0 - GUARD_S]  # nothing voiced yet
    assert pause_cuts([], 0.5) == []


def test_settled_cut_takes_the_latest_admissible_pause() -> None:
    spans = [(0.5, 2.0), (2.6, 5.0), (5.6, 9.0), (9.4, 10.0)]
    # Pauses at 2.3, 5.3, 9.2: 2.3 is too short a stretch, 9.2 too close to the end (10.0).
    assert settled_cut(spans, 10.0, min_stretch_s=3.0, guard_s=1.0) == pytest.approx(5.3)
    assert settled_cut(spans, 10.0, min_stretch_s=3.0, guard_s=0.5) == pytest.approx(9.2)
    assert settled_cut(spans, 10.0, min_stretch_s=6.0, guard_s=1.0) is None
    assert settled_cut(spans, 10.0, min_stretch_s=1.0, max_stretch_s=5.0) == pytest.approx(2.3)
    # A silent stretch is free: no minimum length.
    assert settled_cut([], 1.5, min_stretch_s=3.0) == pytest.approx(1.5 - GUARD_S)


def _speechlike(pattern: list[tuple[float, bool]], seed: int = 0) -> Audio:
    """Noise floor (~-60 dBFS) with 200 Hz 'voice' where the pattern says so."""
    rng = np.random.default_rng(seed)
    parts = []
    for seconds, voiced in pattern:
        n = int(seconds * SR)
        x = rng.normal(0, 0.001, n)
        if voiced:
            x += 0.3 * np.sin(2 * np.pi * 200 * np.arange(n) / SR)
        parts.append(x)
    return np.concatenate(parts).astype(np.float32)


def test_choose_cut_lands_in_a_pause() -> None:
    audio = _speechlike([(2.0, True), (0.6, False), (2.5, True), (0.5, False), (1.0, True)])
    cut = choose_cut(audio, SR, min_stretch_s=3.0)
    assert cut is not None
    assert 5.1 < cut / SR < 5.6  # inside the second pause: the first makes too short a stretch
    assert choose_cut(audio[: int(4.0 * SR)], SR, min_stretch_s=3.0) is None
    assert choose_cut(np.zeros(0, np.float32), SR) is None


def test_choose_cut_splits_continuous_speech_within_whispers_window() -> None:
    audio = _speechlike([(40.0, True)])
    cut = choose_cut(audio, SR)
    assert cut is not None and 20 * SR <= cut <= 30 * SR


# -- pure: merging -------------------------------------------------------------------------
def _piece(texts: list[str], language: str = "en", length: float = 4.0) -> Transcript:
    segments, words = [], []
    for i, text in enumerate(texts):
        start, end = i * length / len(texts), (i + 1) * length / len(texts)
        segments.append(TranscriptSegment(text=text, start=start, end=end, avg_logprob=-0.2))
        words.append(TimedWord(word=text, start=start, end=end, probability=0.9))
    return Transcript(
        text=("" if language == "zh" else " ").join(texts),
        language=language,
        duration_s=length,
        words=tuple(words),
        segments=tuple(segments),
        status="ok" if texts else "empty",
        note="" if texts else "the recognizer heard no words in the speech-like sound",
        model=MODEL,
    )


def _silent(length: float) -> Transcript:
    return Transcript(
        text="", language="en", duration_s=length, status="silent", note="no speech", model=MODEL
    )


def test_merge_offsets_times_and_joins_text() -> None:
    pieces = [(0.0, _piece(["Hello", "there."])), (4.0, _silent(2.0)), (6.0, _piece(["Bye."]))]
    t = merge_pieces(pieces, 10.0, "en", MODEL)
    assert t.text == "Hello there. Bye."
    assert t.status == "ok" and t.language == "en" and t.model == MODEL and t.note == ""
    assert [w.start for w in t.words] == [0.0, 2.0, 6.0]
    assert [(s.start, s.end) for s in t.segments] == [(0.0, 2.0), (2.0, 4.0), (6.0, 10.0)]
    assert t.duration_s == 10.0


def test_merge_chinese_without_spaces_and_language_from_the_speech() -> None:
    t = merge_pieces(
        [(0.0, _piece(["我负责"], "zh")), (4.0, _piece(["团队。"], "zh"))], 8, "en", MODEL
    )
    assert t.text == "我负责团队。" and t.language == "zh"


def test_merge_clamps_to_the_duration_and_keeps_word_order() -> None:
    t = merge_pieces([(0.0, _piece(["a", "b"])), (3.0, _piece(["c", "d"]))], 6.5, "en", MODEL)
    starts = [w.start for w in t.words]
    assert starts == sorted(starts)
    assert all(w.end <= 6.5 for w in t.words) and t.segments[-1].end == 6.5


def test_merge_status_empty_and_silent() -> None:
    empty = merge_pieces([(0.0, _silent(3)), (3.0, _piece([]))], 7.0, "zh", MODEL)
    assert empty.status == "empty" and empty.text == "" and empty.language == "zh"
    assert "heard no words" in empty.note
    silent = merge_pieces([(0.0, _silent(3)), (3.0, _silent(3))], 6.0, None, MODEL)
    assert silent.status == "silent" and silent.language == ""
    assert merge_pieces([], 0.0, "en", MODEL).status == "silent"
