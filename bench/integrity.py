"""Integrity checks measured: identity switches caught, their delay, false alarms, speed, and
the machine-written text check, with the floors each must pass.

identity: the shared one-person phone clip (10.5 s) with another person's face spliced over
the candidate's for SPLICE_S seconds, once per other face found in the two group photos (7:
four in the selfie, three standing), each at a different time. Enrolment is the clip's first
frame. A switch is caught when an identity_mismatch flag overlaps the spliced stretch and
starts within 2 s of the switch. Delay: flag start minus switch time (what a reviewer is
pointed to), and confirmation (when the run was long enough to flag) minus switch time. The
pasted face is a still crop moved by a few pixels and scaled by a few per cent each frame.
False alarms: any flag on the unspliced clip, enrolled from its first frame and from its
middle frame.

speed: frames per second of check_identity (decode, BlazeFace, face mesh, one dlib
descriptor per frame) and of interview.perception.video.observe_video on the shared clip,
and the real-time factor (video seconds per processing second) at the sampling rate used.

text: bench/ai_text.py's own functions (load_pairs, score_cached, features, auroc,
tpr_at_fpr) on ../shared/data/text: AUROC and TPR at 1% FPR of the sampling discrepancy that
interview/integrity/ai_text.py flags on, over every loaded pair (no fitting: both numbers are
threshold-free), and the share the shipped calibration flags. --quick: 20 pairs per file;
--skip-text: none. Scoring is slow: Gemma 3 270M scored 0.1 texts a second on the 2 shared
cores (10 minutes for --quick's 60 texts, so the full 450 take over an hour); scores are
cached under /tmp by bench/ai_text.py, so a second run scores nothing again. With 20 human
texts a file, "TPR at 1% FPR" is the TPR above the highest human text.

Usage: bench/integrity.py [--quick] [--skip-text]. Progress goes to stderr; the last stdout
line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from interview.backend.registry import Backend
from interview.backend.schemas import FaceBox
from interview.integrity.face_flags import (
    MISMATCH_DISTANCE,
    MISMATCH_MIN_S,
    IdentityResult,
    judge_frames,
)
from interview.integrity.identity import (
    FPS,
    check_identity,
    enroll,
    observe_frames,
    seconds_processed,
)
from interview.perception.media import iter_frames
from interview.perception.video import observe_video

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
VIDEO = DATA / "video" / "one_person_center.mp4"
PHOTOS = ("four_people_selfie.jpg", "three_people_standing.jpg")
CLIP_FPS = 12.0  # frames per second of the spliced clips written here
SPLICE_S = 3.0  # seconds the other face stays
FIRST_SWITCH_S = 1.3  # switch times 1.3, 2.2, ... 6.7 s: never on a sampled frame's time
SWITCH_STEP_S = 0.9
MAX_DELAY_S = 2.0  # floor: a switch is caught when the flag starts within this
AUROC_FLOOR = 0.9

Image = np.ndarray


def other_faces(backend: Backend) -> list[tuple[str, Image, FaceBox]]:
    """Every face BlazeFace finds in the group photos: (label, photo, box)."""
    detector = backend.faces("face-blazeface")
    faces = []
    for name in PHOTOS:
        photo = cv2.imread(str(DATA / "images" / name))
        assert photo is not None, f"cannot read {name}"
        for k, box in enumerate(sorted(detector.detect(photo), key=lambda b: b.x)):
            faces.append((f"{name.split('.')[0]}#{k}", photo, box))
    return faces


def paste_face(
    frame: Image, photo: Image, face: FaceBox, target: FaceBox, shift: tuple[float, float, float]
) -> Image:
    """`frame` with the photo's face (and a margin around it) scaled onto `target`'s place,
    moved by shift = (dx px, dy px, scale factor)."""
    dx, dy, scale = shift
    s = target.width / face.width * scale
    cx, cy = face.x + face.width / 2, face.y + face.height / 2
    tx, ty = target.x + target.width / 2 + dx, target.y + target.height / 2 + dy
    # photo -> frame: scale about the face centre, then move it onto the target's centre.
    matrix = np.float32([[s, 0, tx - s * cx], [0, s, ty - s * cy]])
    height, width = frame.shape[:2]
    warped = cv2.warpAffine(photo, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
    # An ellipse 1.6 face widths wide over the face (hair and chin included), soft edge.
    mask = np.zeros((height, width), np.float32)
    axes = (round(0.8 * target.width * scale), round(1.0 * target.height * scale))
    cv2.ellipse(mask, (round(tx), round(ty)), axes, 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 6)[..., None]
    return (warped * mask + frame * (1 - mask)).astype(np.uint8)


def write_clip(frames: list[Image], path: Path, fps: float = CLIP_FPS) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened(), f"cannot write {path}"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def spliced_clip(
    real: list[tuple[float, Image]],
    target: FaceBox,
    photo: Image,
    face: FaceBox,
    start: float,
    path: Path,
    seed: int,
) -> Path:
    """The real frames with the other face over the candidate's for [start, start + SPLICE_S)."""
    rng = np.random.default_rng(seed)
    walk = np.zeros(3)
    out = []
    for t, frame in real:
        if start <= t < start + SPLICE_S:
            walk = np.clip(walk + rng.normal(0, (1.0, 1.0, 0.004)), -4, 4)  # jitter
            shift = (walk[0], walk[1], 1.0 + float(np.clip(walk[2], -0.02, 0.02)))
            frame = paste_face(frame, photo, face, target, shift)
        out.append(frame)
    return write_clip(out, path)


def _flag_summary(result: IdentityResult) -> list[dict[str, Any]]:
    return [
        {"kind": f.kind, "start_s": f.start_s, "end_s": f.end_s, "evidence": f.evidence}
        for f in result.flags
    ]


def bench_identity(backend: Backend, work: Path) -> dict[str, Any]:
    """Switches caught, delays, and false alarms on the unspliced clip."""
    real = list(iter_frames(VIDEO, fps=CLIP_FPS))
    first = real[0][1]
    enrolment = enroll(backend, first)
    middle = enroll(backend, real[len(real) // 2][1])
    target = enrolment.box
    false_alarms = {}
    for label, enr in (("first_frame", enrolment), ("middle_frame", middle)):
        result = check_identity(backend, VIDEO, enr)
        false_alarms[label] = {
            "flags": _flag_summary(result),
            "distance_median": result.distance_median,
            "distance_max": result.distance_max,
            "liveness_motion_min": result.liveness.motion_min,
        }
        print(f"unspliced, enrolled from the {label}: {false_alarms[label]}", file=sys.stderr)
    switches = []
    for k, (label, photo, face) in enumerate(other_faces(backend)):
        start = FIRST_SWITCH_S + k * SWITCH_STEP_S
        clip = spliced_clip(real, target, photo, face, start, work / f"switch_{k}.mp4", seed=k)
        frames = observe_frames(backend, clip, enrolment, FPS)
        result = judge_frames(
            frames, fps=FPS, duration_s=seconds_processed(clip, frames, FPS), enrolled=True
        )
        end = start + SPLICE_S
        hits = [
            f
            for f in result.flags
            if f.kind == "identity_mismatch"
            and f.start_s is not None
            and f.end_s is not None
            and f.start_s < end
            and f.end_s > start
        ]
        caught = bool(hits) and hits[0].start_s is not None and hits[0].start_s - start <= 2.0
        delay = hits[0].start_s - start if hits and hits[0].start_s is not None else None
        inside = [f.distance for f in frames if f.distance is not None and start <= f.t < end]
        row = {
            "face": label,
            "switch_s": round(start, 2),
            "back_s": round(end, 2),
            "caught": caught,
            "delay_s": round(delay, 3) if delay is not None else None,
            "confirmed_s": (
                round(delay + MISMATCH_MIN_S, 3) if delay is not None else None
            ),  # the run is long enough to flag MISMATCH_MIN_S after it starts
            "flag_end_error_s": (
                round(hits[-1].end_s - end, 3) if hits and hits[-1].end_s is not None else None
            ),
            "distance_min_spliced": round(min(inside), 4) if inside else None,
            "distance_median_spliced": round(statistics.median(inside), 4) if inside else None,
            "other_flags": [f.kind for f in result.flags if f.kind != "identity_mismatch"],
            "mismatch_flags": len([f for f in result.flags if f.kind == "identity_mismatch"]),
        }
        switches.append(row)
        print(f"switch {k}: {json.dumps(row)}", file=sys.stderr)
    delays = [r["delay_s"] for r in switches if r["caught"]]
    confirmed = [r["confirmed_s"] for r in switches if r["caught"]]
    return {
        "threshold": MISMATCH_DISTANCE,
        "min_run_s": MISMATCH_MIN_S,
        "fps": FPS,
        "switches": len(switches),
        "caught": sum(r["caught"] for r in switches),
        "detection_rate": round(sum(r["caught"] for r in switches) / len(switches), 4),
        "delay_max_s": max(delays) if delays else None,
        "delay_median_s": round(statistics.median(delays), 3) if delays else None,
        "confirmed_max_s": max(confirmed) if confirmed else None,
        "distance_min_spliced": min(
            (r["distance_min_spliced"] for r in switches if r["distance_min_spliced"]),
            default=None,
        ),
        "false_alarms": sum(len(v["flags"]) for v in false_alarms.values()),
        "unspliced": false_alarms,
        "per_switch": switches,
    }


def bench_speed(backend: Backend) -> dict[str, Any]:
    """Frames per second and real-time factor of check_identity and observe_video."""
    enrolment = enroll(backend, next(iter_frames(VIDEO))[1])
    check_identity(backend, VIDEO, enrolment)  # warm: models loaded, caches filled
    runs = []
    for _ in range(2):
        started, cpu = time.perf_counter(), time.process_time()
        result = check_identity(backend, VIDEO, enrolment)
        runs.append((time.perf_counter() - started, time.process_time() - cpu, result))
    seconds, cpu_s, result = min(runs, key=lambda r: r[0])
    started = time.perf_counter()
    observations = observe_video(backend, VIDEO, fps=FPS)
    video_s = time.perf_counter() - started
    out = {
        "identity_frames": result.frames,
        "identity_fps": round(result.frames / seconds, 2),
        "identity_realtime_factor": round(result.duration_s / seconds, 2),
        "identity_seconds": round(seconds, 3),
        # CPU seconds of all the process's threads: the cost without other work competing.
        "identity_cpu_seconds": round(cpu_s, 3),
        "identity_realtime_factor_cpu": round(result.duration_s / cpu_s, 2),
        "load_average_1min": round(os.getloadavg()[0], 2),  # other work on the machine
        "video_seconds": round(result.duration_s, 3),
        "sampling_fps": FPS,
        "observe_video_frames": len(observations),
        "observe_video_fps": round(len(observations) / video_s, 2),
        "observe_video_realtime_factor": round(result.duration_s / video_s, 2),
    }
    print(f"speed: {json.dumps(out)}", file=sys.stderr)
    return out


def bench_text(quick: bool) -> dict[str, Any]:
    """AUROC and TPR at 1% FPR of the shipped statistic, through bench/ai_text.py's functions."""
    # bench/ is not a package: bench/ai_text.py is imported from beside this file.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import ai_text as text_bench

    from interview.integrity.ai_text import flag_for, judge_text, load_calibration

    pairs_per_file = 20 if quick else 150
    backend: list[Backend] = []

    def generator() -> Any:
        if not backend:
            backend.append(Backend("auto", cache_dir=ROOT / "var" / "models"))
        return backend[0].generator(text_bench.MODEL)

    pairs = {name: text_bench.load_pairs(name, pairs_per_file) for name in text_bench.FILES}
    texts = [t for name in text_bench.FILES for pair in pairs[name] for t in pair]
    by_text, new, score_s = text_bench.score_cached(texts, generator)
    calibration = load_calibration()
    out: dict[str, Any] = {"pairs_per_file": pairs_per_file, "texts_scored_new": new}
    all_h: list[float] = []
    all_m: list[float] = []
    for name in text_bench.FILES:
        human = [text_bench.features(by_text[h])[0] for h, _ in pairs[name]]
        machine = [text_bench.features(by_text[m])[0] for _, m in pairs[name]]
        all_h.extend(human)
        all_m.extend(machine)
        flagged = [
            flag_for(judge_text(t, "en", by_text[t], calibration), None) is not None
            for pair in pairs[name]
            for t in pair
        ]
        out[name] = {
            "auroc": round(text_bench.auroc(human, machine), 4),
            "tpr_at_1fpr": round(text_bench.tpr_at_fpr(human, machine), 4),
            "shipped_fpr": round(float(np.mean(flagged[0::2])), 4),
            "shipped_tpr": round(float(np.mean(flagged[1::2])), 4),
        }
    human_unique = list(dict.fromkeys(h for name in text_bench.FILES for h, _ in pairs[name]))
    pooled_h = [text_bench.features(by_text[h])[0] for h in human_unique]
    out["pooled"] = {
        "auroc": round(text_bench.auroc(pooled_h, all_m), 4),
        "tpr_at_1fpr": round(text_bench.tpr_at_fpr(pooled_h, all_m), 4),
    }
    out["scoring_s"] = round(score_s, 1)
    print(f"text: {json.dumps(out)}", file=sys.stderr)
    return out


def floors(identity: dict[str, Any], speed: dict[str, Any], text: dict[str, Any] | None) -> dict:
    """Which floors pass."""
    out: dict[str, Any] = {
        "all_switches_caught_within_2s": identity["caught"] == identity["switches"]
        and identity["delay_max_s"] is not None
        and identity["delay_max_s"] <= MAX_DELAY_S,
        "zero_false_alarms": identity["false_alarms"] == 0,
        "identity_at_least_real_time": speed["identity_realtime_factor"] >= 1.0,
    }
    if text is not None:
        for name, numbers in text.items():
            if isinstance(numbers, dict) and "auroc" in numbers:
                out[f"text_auroc_{name}_at_least_{AUROC_FLOOR}"] = numbers["auroc"] >= AUROC_FLOOR
    else:
        out["text_auroc"] = "skipped (--skip-text)"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 text pairs per file")
    parser.add_argument("--skip-text", action="store_true", help="no machine-written text part")
    args = parser.parse_args()
    started = time.perf_counter()
    backend = Backend("auto", cache_dir=ROOT / "var" / "models")
    with tempfile.TemporaryDirectory(prefix="bench-integrity-") as work:
        identity = bench_identity(backend, Path(work))
    speed = bench_speed(backend)
    backend.close()
    text = None if args.skip_text else bench_text(args.quick)
    results = {
        "identity": identity,
        "speed": speed,
        "text": text,
        "floors": floors(identity, speed, text),
        "total_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
