"""Gaze checks: gaze off the screen, and eyes sweeping line after line as in reading. Pure
functions over the frame observations perception already has; no model runs here. The voice
side (speech too fluent to be spontaneous) is in read_aloud.py.

Each check returns a frozen result with the measured numbers, and flags for a human reviewer.
A flag is a prompt to look at the recording, never a finding of cheating: people look away
to think, some speakers are very fluent, and a gaze tracker made of one webcam is coarse.
Geometry and timing only; nothing here reads expressions, emotions or personality.

Looking away: the share of face-visible time (frames with a face mesh) with the gaze off the
screen (video.py's gaze_on_screen), and the stretches away. People look away to think, so a
flag needs more than a third of the answer away or one stretch of 8 s or more.

Reading pattern. Reading a line moves the eyes slowly along it (a few small saccades, 1.5-4 s
per line) and then back in one fast return saccade (~50 ms) to the start of the next line.
Sampled at a few frames per second this shows as a sawtooth in the horizontal gaze: a gradual
drift over several frames, then a jump about as big the other way within one frame step. A
flag needs MIN_RUN such sweeps in a row, each starting where the last return landed.

Sampling rate: a drift needs three samples to look gradual. Simulated six-line passages with
0.15 eye widths of sweep and 0.01 jitter are flagged 91% of the time with 1.5 s lines at the
pipeline's default 3 fps (interview.perception.media.VIDEO_FPS), but only 27% with 1 s lines (79% at
6 fps). So 3 fps suits text read across a screen or a sheet; a narrow column read in about a
second a line (a phone teleprompter) needs the pipeline to sample at 6 fps or more. The
functions take whatever rate they are given; below MIN_FPS nothing is judged.

The signal is the iris offset along the eye line plus the head's yaw in the same units
(EYE_WIDTHS_PER_DEG), so turning the head while the eyes stay on one point cancels out. On the
shared phone clip (the candidate looks at the lens) the iris offset follows yaw with a slope
of -0.003 to -0.004 eye widths per degree (3 and 10 fps); eyeball geometry (12 mm radius,
30 mm eye width) gives ~0.007, and the ~1 deg jitter of yaw pulls a fitted slope low, so
0.005 sits between. That clip's per-frame jitter is 0.003-0.005 eye widths; the jump
threshold adapts to the jitter of each recording (JUMP_NOISE). Both directions are tried
(mirrored recordings, right-to-left scripts).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from interview.errors import InvalidInput
from interview.integrity.schemas import Flag, Frozen
from interview.perception.schemas import TimeSpan
from interview.perception.video_schemas import FrameObservation

REVIEW = "This is a prompt for human review, not a finding of cheating."

# -- looking away ----------------------------------------------------------------------------
AWAY_RATIO = 0.35  # flag when gaze is off the screen for more than this share of face time
LONG_AWAY_S = 8.0  # s; or when one stretch away lasts at least this long
STRETCH_S = 3.0  # s; stretches away this long or longer are listed for the reviewer
AWAY_MEDIUM_RATIO = 0.6  # "medium" from this share away ...
AWAY_MEDIUM_S = 20.0  # ... or one stretch this long (s); "low" below both
MIN_FACE_S = 8.0  # s of face-visible time below which looking away is not judged (= LONG_AWAY_S)
BRIDGE_S = 1.0  # s; frames without a face mesh shorter than this do not break a stretch

# -- reading sweeps --------------------------------------------------------------------------
EYE_WIDTHS_PER_DEG = 0.005  # iris offset per degree of head yaw (see the module docstring)
MIN_FPS = 2.0  # frames per second below which a line's drift cannot be told from a jump
MIN_GAZE_S = 8.0  # s of measured gaze below which reading is not judged (4 lines of 2 s)
MIN_JUMP = 0.05  # eye widths (~7 deg); a return saccade is at least this big ...
JUMP_NOISE = 3.5  # ... and this many times the per-frame jitter
MAX_RETURN_S = 0.25  # s; a return saccade fits in one frame step, or this long at high rates
MIN_LINE_S = 0.6  # s; a line's drift lasts this long or more ...
MAX_LINE_S = 6.0  # ... and at most this long
MIN_DRIFT_STEPS = 2  # a drift spans at least this many frame steps (three samples)
MAX_STEP_SHARE = 0.7  # no single step carries more of a drift than this (a drift is gradual)
MIN_HALF = 0.1  # each half of a drift's time moves the gaze this share of it (no dwell)
MATCH = (0.5, 2.0)  # return / drift size: the eyes go back about as far as the line went
MIN_RUN = 4  # flag only this many consecutive sweeps (4 lines take 6-26 s, within ~30 s)
MEDIUM_RUN = 6  # "medium" from this many consecutive, regular sweeps; "low" below
MEDIUM_LINE_CV = 0.5  # ... regular: line durations vary less than this (std / mean)


Direction = Literal["image_left", "image_right"]
Samples = Sequence[tuple[float, float]]  # (seconds, horizontal gaze in eye widths)


class LookingAwayResult(Frozen):
    """How much of one answer the candidate's gaze was off the screen, over face-visible time."""

    judged: bool
    reason: str
    frames: int = Field(ge=0)  # sampled frames
    face_s: float = Field(ge=0)  # time with a face mesh (gaze measured)
    away_s: float = Field(ge=0)  # of face_s, gaze off the screen
    away_ratio: float | None = Field(default=None, ge=0, le=1)
    longest_away_s: float = Field(default=0.0, ge=0)
    stretches: tuple[TimeSpan, ...] = ()  # stretches away of STRETCH_S or more, in order
    ratio_threshold: float = AWAY_RATIO
    stretch_threshold_s: float = LONG_AWAY_S


class ReadingResult(Frozen):
    """Line-by-line horizontal eye sweeps in one answer's video (drift, then a fast return)."""

    judged: bool
    reason: str
    fps: float = Field(ge=0)  # sampling rate the observations came at (1 / median step)
    frames: int = Field(ge=0)
    gaze_s: float = Field(ge=0)  # time with gaze measured
    direction: Direction | None = None  # the drift's direction in the image, when sweeps seen
    sweeps: int = Field(default=0, ge=0)  # drift + return pairs, in that direction
    sweeps_per_minute: float = Field(default=0.0, ge=0)  # over gaze_s
    longest_run: int = Field(default=0, ge=0)  # most sweeps in a row, line after line
    runs: tuple[TimeSpan, ...] = ()  # runs of MIN_RUN or more consecutive sweeps
    sweep_spans: tuple[TimeSpan, ...] = ()  # every sweep, drift start to return landing
    line_s_median: float | None = None  # drift durations in the longest run (s)
    line_s_cv: float | None = None  # their std / mean: low = regular
    amplitude_median: float | None = None  # return sizes in the longest run (eye widths)
    amplitude_cv: float | None = None
    jitter: float | None = None  # per-frame noise of the gaze signal (eye widths, robust)
    jump_threshold: float | None = None  # the smallest return counted (eye widths)
    min_run: int = MIN_RUN


# -- shared helpers --------------------------------------------------------------------------


def _check_order(observations: Sequence[FrameObservation]) -> None:
    for a, b in zip(observations, observations[1:], strict=False):
        if b.t <= a.t:
            raise InvalidInput(
                f"frame observations are not in time order (t={a.t} then t={b.t}); pass them "
                "as observe_video returns them"
            )


def _step(observations: Sequence[FrameObservation]) -> float:
    """The sampling step (s): the median gap between frames; 0 with fewer than two."""
    gaps = [b.t - a.t for a, b in zip(observations, observations[1:], strict=False)]
    return statistics.median(gaps) if gaps else 0.0


def _weights(observations: Sequence[FrameObservation], step: float) -> list[float]:
    """The time each frame stands for: up to the next frame, at most two steps."""
    out = []
    for i, o in enumerate(observations):
        nxt = observations[i + 1].t - o.t if i + 1 < len(observations) else step
        out.append(min(nxt, 2 * step))
    return out


def cv(values: Sequence[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = statistics.fmean(values)
    return statistics.pstdev(values) / mean if mean > 0 else None


def time_span(start: float, end: float) -> TimeSpan:
    return TimeSpan(start=round(start, 4), end=round(max(end, start), 4))


def span_lists(spans: Sequence[TimeSpan]) -> list[list[float]]:
    return [[s.start, s.end] for s in spans]


# -- looking away ----------------------------------------------------------------------------


def _away_stretches(observations: Sequence[FrameObservation], step: float) -> list[TimeSpan]:
    """Stretches of gaze off the screen; unmeasured frames under BRIDGE_S do not break one."""
    stretches: list[TimeSpan] = []
    start: float | None = None
    last_away = end = 0.0  # the open stretch's last away frame, and where that frame ends
    for i, o in enumerate(observations):
        nxt = observations[i + 1].t if i + 1 < len(observations) else o.t + step
        if o.gaze_on_screen is False:
            start = o.t if start is None else start
            last_away = o.t
            end = min(nxt, o.t + 2 * step)
            continue
        if start is None:
            continue
        if o.gaze_on_screen is None and o.t - last_away < BRIDGE_S:
            continue
        stretches.append(time_span(start, min(o.t, end)))
        start = None
    if start is not None:
        stretches.append(time_span(start, end))
    return stretches


def looking_away(
    observations: Sequence[FrameObservation], *, question_id: str | None = None
) -> tuple[LookingAwayResult, list[Flag]]:
    """Share of face-visible time with gaze off the screen, and long stretches away."""
    _check_order(observations)
    step = _step(observations)
    weights = _weights(observations, step)
    pairs = list(zip(observations, weights, strict=True))
    face_s = sum(w for o, w in pairs if o.gaze_on_screen is not None)
    away_s = sum(w for o, w in pairs if o.gaze_on_screen is False)
    base = {"frames": len(observations), "face_s": round(face_s, 4), "away_s": round(away_s, 4)}
    if face_s < MIN_FACE_S:
        reason = f"too little face-visible video: {face_s:.1f} s, need {MIN_FACE_S:g} s"
        return LookingAwayResult(judged=False, reason=reason, **base), []
    stretches = _away_stretches(observations, step)
    longest = max((s.duration for s in stretches), default=0.0)
    ratio = min(away_s / face_s, 1.0)
    result = LookingAwayResult(
        judged=True,
        reason=f"gaze measured on {face_s:.1f} s of face-visible video",
        away_ratio=round(ratio, 4),
        longest_away_s=round(longest, 4),
        stretches=tuple(s for s in stretches if s.duration >= STRETCH_S),
        **base,
    )
    if ratio <= AWAY_RATIO and longest < LONG_AWAY_S:
        return result, []
    medium = ratio >= AWAY_MEDIUM_RATIO or longest >= AWAY_MEDIUM_S
    # How far past the flag threshold, towards the "medium" level: 0.3 at it, 0.7 at medium.
    past = max(
        (ratio - AWAY_RATIO) / (AWAY_MEDIUM_RATIO - AWAY_RATIO),
        (longest - LONG_AWAY_S) / (AWAY_MEDIUM_S - LONG_AWAY_S),
    )
    target = max(stretches, key=lambda s: s.duration)
    flag = Flag(
        kind="looking_away",
        severity="medium" if medium else "low",
        confidence=round(min(0.3 + 0.4 * max(past, 0.0), 0.7), 3),
        start_s=target.start,
        end_s=target.end,
        evidence={
            "away_ratio": result.away_ratio,
            "away_ratio_threshold": AWAY_RATIO,
            "longest_away_s": result.longest_away_s,
            "longest_away_threshold_s": LONG_AWAY_S,
            "away_s": result.away_s,
            "face_s": result.face_s,
            "stretches": span_lists(result.stretches),
            "medium_from": {"away_ratio": AWAY_MEDIUM_RATIO, "longest_away_s": AWAY_MEDIUM_S},
        },
        question_id=question_id,
        note=(
            f"Gaze was off the screen for {100 * ratio:.0f}% of the face-visible time "
            f"(flag above {100 * AWAY_RATIO:.0f}%), longest stretch {longest:.1f} s (flag from "
            f"{LONG_AWAY_S:g} s). People often look away to think; watch the stretch to see "
            f"whether the candidate seems to read from somewhere else. {REVIEW}"
        ),
    )
    return result, [flag]


# -- reading sweeps --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sweep:
    start: int  # drift start (sample index)
    turn: int  # drift end = return start
    land: int  # return landing
    line_s: float  # drift duration
    size: float  # return size, eye widths


def _despike(xs: Sequence[float]) -> list[float]:
    """Single-frame outliers (a blink moves the iris landmarks) replaced by their neighbours'
    mean: a sample MIN_JUMP off both neighbours while they agree. A sawtooth's corners stay."""
    out = list(xs)
    for i in range(1, len(xs) - 1):
        before, after = xs[i - 1], xs[i + 1]
        if abs(before - after) < MIN_JUMP / 2 and abs(xs[i] - (before + after) / 2) > MIN_JUMP:
            out[i] = (before + after) / 2
    return out


def _gaze_series(observations: Sequence[FrameObservation], step: float) -> list[Samples]:
    """Horizontal gaze (eye widths, head yaw included) as runs of measured frames, split where
    more than 2.5 steps go unmeasured, single-frame spikes removed. No smoothing: at a few
    frames per second a running median would cut the sawtooth's corners."""
    runs: list[list[tuple[float, float]]] = []
    for o in observations:
        if o.gaze_offset is None:
            continue
        x = o.gaze_offset[0] + (o.yaw_deg or 0.0) * EYE_WIDTHS_PER_DEG
        if not runs or o.t - runs[-1][-1][0] > 2.5 * step:
            runs.append([])
        runs[-1].append((o.t, x))
    clean: list[Samples] = []
    for run in runs:
        xs = _despike([x for _, x in run])
        clean.append([(t, x) for (t, _), x in zip(run, xs, strict=True)])
    return clean


def _jitter(series: Sequence[Samples]) -> float:
    """Per-frame noise of the gaze signal (eye widths): the robust std of second differences
    (1.4826 x their median absolute deviation) over sqrt(6), which a steady drift leaves at 0."""
    second = [
        run[k + 1][1] - 2 * run[k][1] + run[k - 1][1]
        for run in series
        for k in range(1, len(run) - 1)
    ]
    if len(second) < 2:
        return 0.0
    mid = statistics.median(second)
    return 1.4826 * statistics.median(abs(d - mid) for d in second) / math.sqrt(6)


def _returns(run: Samples, sign: int, jump: float, step: float) -> list[tuple[int, int]]:
    """(start, landing) of fast moves against the drift `sign`, each at least `jump` big."""
    found = []
    longest = max(step * 1.01, MAX_RETURN_S)
    i = 0
    while i < len(run) - 1:
        j = i
        while j + 1 < len(run) and sign * (run[j + 1][1] - run[j][1]) < 0:
            if run[j + 1][0] - run[i][0] > longest:
                break
            j += 1
        if j > i and sign * (run[i][1] - run[j][1]) >= jump:
            found.append((i, j))
            i = j
        else:
            i += 1
    return found


def _sweep(run: Samples, sign: int, start: int, turn: int, land: int) -> _Sweep | None:
    """The drift run[start..turn] and return run[turn..land] as a sweep, if they look like one:
    long enough, gradual and steady (each half of the drift moves it), then a return about as
    big as the drift."""
    drift = sign * (run[turn][1] - run[start][1])
    size = sign * (run[turn][1] - run[land][1])
    line_s = run[turn][0] - run[start][0]
    if turn - start < MIN_DRIFT_STEPS or not MIN_LINE_S <= line_s <= MAX_LINE_S or drift <= 0:
        return None
    middle = min(range(start, turn + 1), key=lambda k: abs(run[k][0] - run[start][0] - line_s / 2))
    halves = sign * (run[middle][1] - run[start][1]), sign * (run[turn][1] - run[middle][1])
    biggest = max(sign * (run[k + 1][1] - run[k][1]) for k in range(start, turn))
    if (
        MATCH[0] <= size / drift <= MATCH[1]
        and biggest <= MAX_STEP_SHARE * drift
        and min(halves) >= MIN_HALF * drift
    ):
        return _Sweep(start, turn, land, line_s, size)
    return None


def _sweeps(run: Samples, sign: int, jump: float, step: float) -> list[_Sweep]:
    """Drift + return pairs in one run of samples, for a drift towards `sign` (+1: image right)."""
    out = []
    prev: int | None = None  # where the previous return landed
    for turn, land in _returns(run, sign, jump, step):
        t = run[turn][0]
        if prev is not None and t - run[prev][0] <= MAX_LINE_S:
            start = prev  # line after line: the drift starts where the last return landed
        else:  # the first line: it starts where the gaze was furthest back
            window = [k for k in range(prev or 0, turn + 1) if t - run[k][0] <= MAX_LINE_S]
            start = min(window, key=lambda k: sign * run[k][1])
        prev = land
        sweep = _sweep(run, sign, start, turn, land)
        if sweep is not None:
            out.append(sweep)
    return out


def _chains(sweeps: Sequence[_Sweep]) -> list[list[_Sweep]]:
    """Sweeps grouped line after line: each drift starts where the last return landed."""
    chains: list[list[_Sweep]] = []
    for s in sweeps:
        if chains and s.start == chains[-1][-1].land:
            chains[-1].append(s)
        else:
            chains.append([s])
    return chains


@dataclass(frozen=True)
class _Found:
    sign: int
    spans: list[TimeSpan]
    chains: list[tuple[list[_Sweep], Samples]]

    @property
    def longest(self) -> int:
        return max((len(c) for c, _ in self.chains), default=0)


def _find(series: Sequence[Samples], sign: int, jump: float, step: float) -> _Found:
    spans, chains = [], []
    for run in series:
        sweeps = _sweeps(run, sign, jump, step)
        spans += [time_span(run[s.start][0], run[s.land][0]) for s in sweeps]
        chains += [(c, run) for c in _chains(sweeps)]
    return _Found(sign, spans, chains)


def reading_sweeps(
    observations: Sequence[FrameObservation], *, question_id: str | None = None
) -> tuple[ReadingResult, list[Flag]]:
    """Count line-by-line reading sweeps in the horizontal gaze, at whatever rate it was sampled."""
    _check_order(observations)
    step = _step(observations)
    fps = 1 / step if step > 0 else 0.0
    series = _gaze_series(observations, step)
    gaze_s = sum(
        min(b[0] - a[0], 2 * step) for run in series for a, b in zip(run, run[1:], strict=False)
    )
    gaze_s += step * len(series)  # each run's last sample stands for one step
    base = {"fps": round(fps, 4), "frames": len(observations), "gaze_s": round(gaze_s, 4)}
    if fps < MIN_FPS:
        reason = (
            f"sampled at {fps:.2f} fps; reading sweeps need at least {MIN_FPS:g} fps "
            "(3 sees lines of 1.5 s or more, 6 or more sees narrow columns)"
        )
        return ReadingResult(judged=False, reason=reason, **base), []
    if gaze_s < MIN_GAZE_S:
        reason = f"too little video with the gaze measured: {gaze_s:.1f} s, need {MIN_GAZE_S:g} s"
        return ReadingResult(judged=False, reason=reason, **base), []
    jitter = _jitter(series)
    jump = max(MIN_JUMP, JUMP_NOISE * jitter)
    found = max(
        (_find(series, sign, jump, step) for sign in (1, -1)),
        key=lambda f: (f.longest, len(f.spans)),
    )
    best, _ = max(found.chains, key=lambda c: len(c[0]), default=([], []))
    lines = [s.line_s for s in best]
    sizes = [s.size for s in best]
    runs = tuple(
        time_span(r[c[0].start][0], r[c[-1].land][0]) for c, r in found.chains if len(c) >= MIN_RUN
    )
    line_cv, size_cv = cv(lines), cv(sizes)
    result = ReadingResult(
        judged=True,
        reason=f"{len(observations)} frames at {fps:.1f} fps, gaze measured on {gaze_s:.1f} s",
        direction=(("image_right" if found.sign > 0 else "image_left") if found.spans else None),
        sweeps=len(found.spans),
        sweeps_per_minute=round(60 * len(found.spans) / gaze_s, 3),
        longest_run=found.longest,
        runs=runs,
        sweep_spans=tuple(found.spans),
        line_s_median=round(statistics.median(lines), 4) if lines else None,
        line_s_cv=round(line_cv, 4) if line_cv is not None else None,
        amplitude_median=round(statistics.median(sizes), 4) if sizes else None,
        amplitude_cv=round(size_cv, 4) if size_cv is not None else None,
        jitter=round(jitter, 4),
        jump_threshold=round(jump, 4),
        **base,
    )
    if not runs:
        return result, []
    regular = line_cv is not None and line_cv < MEDIUM_LINE_CV
    medium = found.longest >= MEDIUM_RUN and regular
    target = max(runs, key=lambda s: s.duration)
    flag = Flag(
        kind="reading_pattern",
        severity="medium" if medium else "low",
        confidence=round(min(0.1 * found.longest + (0.2 if regular else 0.0), 0.8), 3),
        start_s=target.start,
        end_s=target.end,
        evidence={
            "longest_run": found.longest,
            "min_run": MIN_RUN,
            "medium_run": MEDIUM_RUN,
            "sweeps": result.sweeps,
            "sweeps_per_minute": result.sweeps_per_minute,
            "runs": span_lists(runs),
            "line_s_median": result.line_s_median,
            "line_s_cv": result.line_s_cv,
            "line_s_cv_regular_below": MEDIUM_LINE_CV,
            "amplitude_median": result.amplitude_median,
            "jump_threshold": result.jump_threshold,
            "jitter": result.jitter,
            "fps": result.fps,
        },
        question_id=question_id,
        note=(
            f"The eyes swept sideways {found.longest} times in a row, a slow drift then a "
            f"quick jump back, about {result.line_s_median or 0:.1f} s per sweep, as when "
            f"reading lines of text (flag from {MIN_RUN} in a row). Watch this part of the "
            f"recording: scanning a room or a screen can look alike. {REVIEW}"
        ),
    )
    return result, [flag]
