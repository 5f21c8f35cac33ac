"""Delivery and presence as scored dimensions: measured properties, never feelings. Pure.

Delivery is scored on fluency alone: fillers per 100 words, the one delivery measure the
validation data supports (bench/validity.py: on independent raters' judgements of real
interviews, filler rate correlates -0.43 with the overall rating); its weight in the overall
comes from the same fit (scoring/data/content_model.json). Speaking rate and pauses are shown
to the reviewer as measured but not scored: nothing here validates them. Pitch and loudness
are reported in the features but never scored: they vary with voice, accent and health.
Presence uses face-in-frame and facing-the-screen ratios: observable behaviour only.
"""

from __future__ import annotations

from collections.abc import Sequence

from interview.perception.schemas import SpeechFeatures
from interview.perception.video_schemas import VideoFeatures
from interview.scoring.fusion import Dimension

# (low, high) bands for a comfortable speaking rate, words per minute (Chinese: chars/2).
RATE_OK = (100.0, 180.0)
RATE_FAR = (60.0, 230.0)  # beyond these the rate itself gets in the listener's way
PAUSE_OK, PAUSE_FAR = 0.30, 0.60  # share of the talking span spent in pauses
FILLER_OK, FILLER_FAR = 0.0, 12.0  # fillers per 100 words: 5 at none, 1 at FILLER_FAR


def _band(value: float, ok: float, far: float) -> float:
    """5 up to `ok`, falling linearly to 1 at `far` (for 'lower is fine' measures)."""
    if value <= ok:
        return 5.0
    if value >= far:
        return 1.0
    return 5.0 - 4.0 * (value - ok) / (far - ok)


def _rate_band(wpm: float) -> float:
    lo, hi = RATE_OK
    far_lo, far_hi = RATE_FAR
    if lo <= wpm <= hi:
        return 5.0
    if wpm < lo:
        return max(1.0, 5.0 - 4.0 * (lo - wpm) / (lo - far_lo))
    return max(1.0, 5.0 - 4.0 * (wpm - hi) / (far_hi - hi))


def fluency(filler_rates: Sequence[float], evidence: Sequence[str] = ()) -> Dimension:
    """Delivery from fillers per 100 words (one rate per spoken answer), 5 at none, falling
    linearly to 1 at FILLER_FAR."""
    rate = sum(filler_rates) / max(len(filler_rates), 1)
    return Dimension(
        name="delivery",
        value=round(_band(rate, FILLER_OK, FILLER_FAR), 3),
        evidence=(f"{rate:.1f} fillers per 100 words (scored)", *evidence),
    )


def delivery(features: Sequence[SpeechFeatures]) -> Dimension | None:
    """Fluency over the answers with speech; rate and pauses shown, not scored. None when
    nothing was said."""
    spoken = [f for f in features if f.words >= 5 and f.speech_s > 0]
    if not spoken:
        return None
    n = len(spoken)
    return fluency(
        [f.filler_rate_per_100_words for f in spoken],
        (
            f"speaking rate {sum(f.rate_wpm for f in spoken) / n:.0f} words per minute "
            "(shown, not scored)",
            f"pauses {100 * sum(f.pause_ratio for f in spoken) / n:.0f}% of talking time, "
            f"{sum(len(f.long_pauses) for f in spoken)} of 2 s or more (shown, not scored)",
        ),
    )


def presence(features: Sequence[VideoFeatures]) -> Dimension | None:
    """Face in frame and facing the screen, averaged over answers with video."""
    seen = [f for f in features if f.frames > 0]
    if not seen:
        return None
    values = []
    for f in seen:
        looking = f.looking_at_screen_ratio if f.looking_at_screen_ratio is not None else 0.0
        values.append(1.0 + 4.0 * (0.5 * f.face_present_ratio + 0.5 * looking))
    n = len(seen)
    present = sum(f.face_present_ratio for f in seen) / n
    looking = sum(f.looking_at_screen_ratio or 0.0 for f in seen) / n
    return Dimension(
        name="presence",
        value=round(sum(values) / n, 3),
        evidence=(
            f"face in frame {100 * present:.0f}% of sampled frames",
            f"facing the screen {100 * looking:.0f}% of frames with a face",
        ),
    )
