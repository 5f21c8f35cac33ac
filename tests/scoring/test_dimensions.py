"""Delivery and presence dimensions from measured features (exact, pure)."""

from __future__ import annotations

import pytest

from interview.perception.schemas import SpeechFeatures, TimeSpan
from interview.perception.video_schemas import VideoFeatures
from interview.scoring.dimensions import delivery, presence


def speech(rate: float, pause: float, fillers: float, words: float = 100) -> SpeechFeatures:
    return SpeechFeatures(
        duration_s=60,
        speech_s=40,
        speech_ratio=0.66,
        words=words,
        rate_wpm=rate,
        pause_count=5,
        pause_ratio=pause,
        long_pauses=(TimeSpan(start=10, end=13),),
        filler_count=2,
        filler_rate_per_100_words=fillers,
    )


def video(present: float, looking: float | None) -> VideoFeatures:
    return VideoFeatures(
        duration_s=10,
        frames=30,
        fps_sampled=3,
        face_present_ratio=present,
        multi_face_ratio=0,
        max_faces=1,
        looking_at_screen_ratio=looking,
    )


def test_fluent_speech_scores_five_and_cites_measurements() -> None:
    d = delivery([speech(140, 0.2, 0.0)])
    assert d is not None and d.value == 5.0
    assert d.evidence[0] == "0.0 fillers per 100 words (scored)"
    assert d.evidence[1] == "speaking rate 140 words per minute (shown, not scored)"
    assert "1 of 2 s or more (shown, not scored)" in d.evidence[2]


def test_only_fillers_move_delivery_rate_and_pauses_are_not_scored() -> None:
    base = delivery([speech(140, 0.2, 3.0)]).value  # type: ignore[union-attr]
    assert base == pytest.approx(5 - 4 * 3 / 12, abs=1e-3)
    assert delivery([speech(60, 0.2, 3.0)]).value == base  # type: ignore[union-attr]
    assert delivery([speech(140, 0.6, 3.0)]).value == base  # type: ignore[union-attr]
    assert delivery([speech(140, 0.2, 12.0)]).value == 1.0  # type: ignore[union-attr]


def test_no_speech_means_no_delivery_score() -> None:
    assert delivery([speech(0, 0, 0, words=0)]) is None and delivery([]) is None


def test_presence_from_observable_ratios() -> None:
    p = presence([video(1.0, 1.0), video(0.5, 0.0)])
    assert p is not None and p.value == pytest.approx((5.0 + 2.0) / 2)
    assert p.evidence == (
        "face in frame 75% of sampled frames",
        "facing the screen 50% of frames with a face",
    )
    assert presence([]) is None
