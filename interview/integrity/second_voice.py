"""Second voice in the room: stretches of a recorded answer spoken by someone other than the
candidate. A flag is a prompt to listen, never a finding of cheating: a TV, a colleague
walking in or an interpreter all cause it.

The recording is cut into 1.6 s windows (what the GE2E encoder was trained on) every 0.4 s;
windows that are mostly silence (webrtcvad) are skipped. Each voiced window gets a speaker
vector. The candidate's voice is the one that opens the answer: among the first voiced
windows, the one with the most neighbours at or above the threshold, and the mean of those
neighbours; an enrolled voice, when one is given, replaces it. A run of voiced windows all
below the threshold to that voice, lasting MIN_RUN_S, is flagged from the centre of its first
window to the centre of its last (a window turns low once the other voice fills about half
of it).

THRESHOLD is set by bench/second_voice.py: in single-speaker recordings (jfk.flac,
zh_meeting.wav, espeak-ng en-us, en-gb, en+f3 and cmn at 120-250 wpm) no window falls below
0.744 (jfk); in the other voice's stretch of the spliced recordings no window rises above
0.682 (espeak en+f3 after en-us; real voices stay under 0.57). 0.70 sits in that gap; at 0.66
the same splices are found but a synthetic stretch splits in two. espeak-ng's male voices
(en-us, en-gb+m3, cmn) sound alike to the encoder (0.9 and more) and are not told apart.
Not calibrated on recorded interviews. When the voice that opens the answer is not the
candidate's (a prompter speaks first), the flag marks the right change of voice but names
the candidate's stretch as the other one: the reviewer listens either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from interview.backend.protocols import Audio, VoiceEmbedder
from interview.errors import BackendUnavailable
from interview.integrity.schemas import Flag, Frozen

SAMPLE_RATE = 16_000  # Hz; what decode_audio gives and the encoder expects
WINDOW_S = 1.6  # s; GE2E's partial-utterance length
STEP_S = 0.4  # s between window starts
VAD_FRAME_S = 0.03  # s; webrtcvad takes 10, 20 or 30 ms frames
VAD_MODE = 2  # 0 (keeps most) .. 3 (keeps least); 2 drops hum and breath, keeps soft speech
TARGET_RMS = 10 ** (-30 / 20)  # -30 dBFS
MIN_VOICED = 0.6  # share of a window's VAD frames that must be speech for it to count
MIN_WINDOWS = 8  # voiced windows (~4.4 s of speech) below which a recording is not judged
THRESHOLD = 0.70  # cosine to the candidate's voice below which a window sounds like another
MIN_RUN_S = 1.2  # s from first to last low window centre: shorter dips are noise
MAX_GAP_S = 1.0  # s of skipped (silent) windows a low run may span


class SecondVoiceResult(Frozen):
    """Whether another voice was heard; not judged when too little speech was voiced."""

    judged: bool
    reason: str  # e.g. "too little speech: 5 voiced windows, need 8"
    windows: int = Field(ge=0)  # voiced windows embedded
    reference_windows: int = Field(default=0, ge=0)  # windows averaged into the reference
    reference: str = "dominant"  # "dominant" (opens this recording) or "enrolled"
    threshold: float = THRESHOLD
    min_similarity: float | None = None  # lowest window similarity to the candidate's voice
    low_stretches: int = Field(default=0, ge=0)  # flagged stretches


def voiced_mask(audio: Audio) -> np.ndarray:
    """One bool per 30 ms frame: webrtcvad's speech decision."""
    try:
        import webrtcvad
    except ImportError as exc:
        raise BackendUnavailable(
            f"the second-voice check needs webrtcvad ({exc}); install webrtcvad-wheels"
        ) from exc

    frame = int(VAD_FRAME_S * SAMPLE_RATE)
    n = len(audio) // frame
    pcm = (np.clip(audio[: n * frame], -1.0, 1.0) * 32767).astype("<i2").tobytes()
    vad = webrtcvad.Vad(VAD_MODE)
    step = frame * 2  # bytes per frame
    return np.array(
        [vad.is_speech(pcm[i * step : (i + 1) * step], SAMPLE_RATE) for i in range(n)],
        dtype=bool,
    )


def voiced_windows(audio: Audio) -> tuple[np.ndarray, np.ndarray]:
    """Start times (s) of the windows that are mostly speech, and those windows (n x samples)."""
    size, hop = int(WINDOW_S * SAMPLE_RATE), int(STEP_S * SAMPLE_RATE)
    if len(audio) < size:
        return np.zeros(0), np.zeros((0, size), dtype=np.float32)
    mask = voiced_mask(audio)
    per_window = int(round(WINDOW_S / VAD_FRAME_S))
    starts = np.arange(0, len(audio) - size + 1, hop)
    keep = []
    for s in starts:
        first = int(round(s / SAMPLE_RATE / VAD_FRAME_S))
        frames = mask[first : first + per_window]
        if len(frames) and frames.mean() >= MIN_VOICED:
            keep.append(s)
    chosen = np.array(keep, dtype=int)
    clips = np.stack([audio[s : s + size] for s in chosen]) if len(chosen) else np.zeros((0, size))
    # Each window is brought to -30 dBFS (as Resemblyzer's own preprocessing does): the
    # encoder reads plain mel power, and it should hear who speaks, not how loud.
    rms = np.sqrt(np.mean(clips**2, axis=1, keepdims=True)) if len(chosen) else 1.0
    clips = clips * (TARGET_RMS / np.maximum(rms, 1e-6))
    return chosen / SAMPLE_RATE, clips.astype(np.float32)


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def dominant_voice(vectors: np.ndarray, threshold: float) -> tuple[np.ndarray, int]:
    """The candidate's voice: the mean of the largest neighbourhood (windows at or above
    `threshold` to one centre window), the centre taken from the first MIN_WINDOWS voiced
    windows. The candidate starts the answer and is heard most; a voice that comes in later
    (an interpreter, a colleague taking over, a TV), however long, is never taken for theirs,
    and a brief other voice at the start loses to the candidate's larger neighbourhood."""
    sims = vectors @ vectors.T
    counts = (sims >= threshold).sum(axis=1)
    centre = int(np.argmax(counts[:MIN_WINDOWS]))  # argmax keeps the first of equal counts
    members = sims[centre] >= threshold
    return unit(vectors[members].mean(axis=0)), int(members.sum())


def low_runs(times: np.ndarray, sims: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """Index ranges [first, last] of consecutive voiced windows below `threshold` (silent gaps
    up to MAX_GAP_S allowed) lasting MIN_RUN_S."""
    runs: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for i, sim in enumerate(sims):
        if sim >= threshold:
            if current is not None:
                runs.append(current)
            current = None
        elif current is not None and times[i] - times[current[1]] <= STEP_S + MAX_GAP_S:
            current = (current[0], i)
        else:
            if current is not None:
                runs.append(current)
            current = (i, i)
    if current is not None:
        runs.append(current)
    return [(a, b) for a, b in runs if times[b] - times[a] >= MIN_RUN_S - 1e-9]


def second_voice(
    embedder: VoiceEmbedder,
    audio: Audio,
    *,
    enrolled: np.ndarray | None = None,
    threshold: float = THRESHOLD,
    question_id: str | None = None,
) -> tuple[SecondVoiceResult, list[Flag]]:
    """Stretches of one answer's audio (16 kHz mono) where a voice other than the candidate's
    speaks; `enrolled` (a unit speaker vector), when given, is the candidate's voice."""
    times, clips = voiced_windows(np.asarray(audio, dtype=np.float32))
    if len(times) < MIN_WINDOWS:
        return SecondVoiceResult(
            judged=False,
            reason=f"too little speech: {len(times)} voiced windows, need {MIN_WINDOWS}",
            windows=len(times),
            threshold=threshold,
        ), []
    vectors = unit(np.asarray(embedder.embed_voices(clips), dtype=np.float64))
    if enrolled is not None:
        ref, n_ref, kind = unit(np.asarray(enrolled, dtype=np.float64)), 0, "enrolled"
    else:
        ref, n_ref = dominant_voice(vectors, threshold)
        kind = "dominant"
    sims = vectors @ ref
    centres = times + WINDOW_S / 2
    flags = []
    for a, b in low_runs(times, sims, threshold):
        stretch = sims[a : b + 1]
        start, end = float(centres[a]), float(centres[b])
        low, mean = float(stretch.min()), float(stretch.mean())
        evidence: dict[str, Any] = {
            "mean_similarity": round(mean, 3),
            "min_similarity": round(low, 3),
            "max_similarity": round(float(stretch.max()), 3),
            "threshold": threshold,
            "windows": b - a + 1,
            "window_s": WINDOW_S,
            "reference": kind,
            "reference_windows": n_ref,
        }
        flags.append(
            Flag(
                kind="second_voice",
                severity="medium",
                confidence=round(min(1.0, 0.5 + (threshold - mean) / 0.4), 2),
                start_s=round(start, 2),
                end_s=round(end, 2),
                evidence=evidence,
                question_id=question_id,
                note=(
                    f"another voice may be speaking from {start:.1f} s to {end:.1f} s "
                    f"(similarity {mean:.2f} to the candidate's voice, threshold "
                    f"{threshold:.2f}); listen to this stretch: a TV, a colleague or an "
                    "interpreter can cause it; it is not evidence of cheating on its own"
                ),
            )
        )
    result = SecondVoiceResult(
        judged=True,
        reason=f"{len(times)} voiced windows of {WINDOW_S} s against the {kind} voice",
        windows=len(times),
        reference_windows=n_ref,
        reference=kind,
        threshold=threshold,
        min_similarity=round(float(sims.min()), 3),
        low_stretches=len(flags),
    )
    return result, flags
