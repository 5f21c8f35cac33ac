"""Batch scoring (`interview score`) throughput. Last line: one JSON object.

Text: ten-answer interviews (questions and answers from bench/data/scoring_labels.jsonl,
English, ~76 words an answer, shuffled per candidate) through the batch worker's scoring
function, content scoring only and then with the machine-written-text check on (Gemma 3
270M scores every answer of 50+ words), side by side. Reported per minute: a first pass
(cold caches: rubric vectors per competency, question matches), a second pass over the same
interviews (warm, as in a long batch: the per-minute figure compared with the floor), and a
whole run_batch with --jobs 2 from a cold start, model loading included. Floor: 60 content-
scored interviews a minute on a 2-core CPU.

Recorded: candidate folders of video answers (the shared clip looped, 640 px, 12 fps, with
JFK's speech looped), scored by run_batch with --jobs 1, --jobs 2 and --engine ray (a local
Ray, one actor per job), text checks off. Reported: minutes of media scored per minute of
wall time, start-up (model loading, Ray) included, as a user of the CLI sees it.

Usage: bench/batch.py [--quick] [--part all|text|content|media]. --quick: 6 text interviews
(2 with the text check), 3 candidates of 2 answers of 8 s. Full: 60 text interviews (6 with
the check), 4 candidates of 3 answers of 20 s. --part content: text without the check.
Times vary with the machine's load (shared CPUs): the load average is printed with the
numbers, and the CPU seconds per text interview give what an idle core would do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from interview.batch.engines import EngineName, make_scorer
from interview.batch.example import SAMPLE_RATE, write_video
from interview.batch.input import Candidate, read_inputs, resolve_role, resume_parts
from interview.batch.run import run_batch
from interview.batch.score import Task, run_task
from interview.config import Settings
from interview.perception.media import decode_audio, iter_frames

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
LABELS = ROOT / "bench" / "data" / "scoring_labels.jsonl"
FPS = 12
FLOOR = 60.0  # text interviews per minute, content scoring


def text_interviews(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n ten-answer interviews for a retail role from the labelled English answers."""
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    english = [r for r in rows if r["language"] == "en"]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        picked = rng.sample(english, 10)
        out.append(
            {
                "candidate_id": f"t-{i:04d}",
                "role": "retail_associate",
                "language": "en",
                "answers": [{"question": r["question"], "answer": r["answer"]} for r in picked],
            }
        )
    return out


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_text(n: int, settings: Settings, tmp: Path, jobs: int = 2) -> dict[str, Any]:
    """The worker's scoring function twice over the same interviews (the first pass fills
    the caches a long batch has warm: rubric vectors per competency, question matches), then
    run_batch with `jobs` workers from a cold start, as the CLI runs it."""
    path = tmp / f"text-{n}-{settings.integrity_text_checks}.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in text_interviews(n)) + "\n", "utf-8")
    candidates = [c for c in read_inputs(path) if isinstance(c, Candidate)]
    role = resolve_role(candidates[0].role)
    tasks = [
        Task(
            "score",
            c,
            datetime.now(UTC),
            role=role,
            models=resume_parts(c, role, settings)["models"],
        )
        for c in candidates
    ]
    scorer = make_scorer(settings)
    passes, cpu = [], 0.0
    for _ in range(2):
        t0, c0 = time.perf_counter(), _cpu_s()
        for task in tasks:
            outcome = run_task(scorer, task)
            assert outcome.report is not None, outcome.error
        passes.append(time.perf_counter() - t0)
        cpu = _cpu_s() - c0
    scorer.backend.close()
    whole = time.perf_counter()
    result = run_batch(path, settings, jobs=jobs)
    assert not result.failed, [r.error for r in result.rows if r.error]
    whole_s = time.perf_counter() - whole
    return {
        "interviews": n,
        "answers_each": 10,
        "first_pass_s": round(passes[0], 2),
        "first_pass_per_min": round(n / passes[0] * 60, 1),
        "per_min": round(n / passes[1] * 60, 1),
        # CPU seconds of the warm pass: what an idle core would do, whatever the load
        "cpu_s_per_interview": round(cpu / n, 2),
        "per_min_per_idle_core": round(n / cpu * 60, 1),
        f"run_batch_jobs{jobs}_s": round(whole_s, 2),
        f"run_batch_jobs{jobs}_per_min": round(n / whole_s * 60, 1),
    }


def _looped(seconds: float) -> tuple[list[np.ndarray], np.ndarray]:
    frames = [img for _, img in iter_frames(DATA / "video" / "one_person_center.mp4", fps=FPS)]
    need = int(seconds * FPS)
    video = [frames[i % len(frames)] for i in range(need)]
    speech = decode_audio(DATA / "audio" / "jfk.flac")
    samples = int(seconds * SAMPLE_RATE)
    return video, np.resize(speech, samples).astype(np.float32)


def media_folder(root: Path, candidates: int, answers: int, seconds: float) -> float:
    """Candidate folders of video answers; returns the seconds of media written."""
    frames, audio = _looped(seconds)
    for c in range(candidates):
        folder = root / f"m-{c:03d}"
        folder.mkdir(parents=True)
        for a in range(answers):
            write_video(folder / f"q{a + 1}.mp4", frames, audio)
        manifest = {
            "role": "retail_associate",
            "language": "en",
            "answers": [
                {"question": "Tell me about a time you helped a customer.", "file": f"q{a + 1}.mp4"}
                for a in range(answers)
            ],
        }
        (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return candidates * answers * seconds


def bench_media(folder: Path, media_s: float, settings: Settings, tmp: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"media_s": media_s}
    runs: tuple[tuple[str, EngineName, int], ...] = (
        ("jobs1", "local", 1),
        ("jobs2", "local", 2),
        ("ray", "ray", 2),
    )
    for label, engine, jobs in runs:
        start = time.perf_counter()
        result = run_batch(folder, settings, tmp / f"out-{label}", jobs=jobs, engine=engine)
        wall = time.perf_counter() - start
        assert not result.failed, [r.error for r in result.rows if r.error]
        out[label] = {
            "wall_s": round(wall, 1),
            "media_min_per_min": round(result.media_seconds / wall, 3),
        }
        print(f"{label}: {result.media_seconds:.0f} s of media in {wall:.0f} s", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller run (a few minutes)")
    parser.add_argument(
        "--part",
        choices=("all", "text", "media", "content"),
        default="all",
        help="content: text interviews without the machine-written-text check",
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
    n_text, n_checked = (6, 2) if args.quick else (60, 6)
    cands, answers, seconds = (3, 2, 8.0) if args.quick else (4, 3, 20.0)
    content = Settings(integrity_text_checks=False, integrity_reference_answers=False)
    checked = Settings(integrity_text_checks=True, integrity_reference_answers=False)
    load_before = os.getloadavg()
    result: dict[str, Any] = {"quick": args.quick, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if args.part in ("all", "text", "content"):
            text = bench_text(n_text, content, tmp)
            print(f"text: {text}", file=sys.stderr)
            with_check = None
            if args.part != "content":
                with_check = bench_text(n_checked, checked, tmp)
                print(f"text + machine-text check: {with_check}", file=sys.stderr)
            best = max(text["per_min"], text["run_batch_jobs2_per_min"])
            idle = text["per_min_per_idle_core"] * (os.cpu_count() or 1)
            result["text"] = {
                "content_only": text,
                "with_machine_text_check": with_check,
                "floor_per_min": FLOOR,
                "meets_floor": best >= FLOOR,
                "short_of_floor_by": round(FLOOR / best, 2) if best < FLOOR else None,
                # every core busy with a worker (--jobs = cores), no other load
                "idle_machine_estimate_per_min": round(idle, 1),
            }
        if args.part in ("all", "media"):
            folder = tmp / "media"
            media_s = media_folder(folder, cands, answers, seconds)
            result["recorded"] = bench_media(folder, media_s, content, tmp)
    result["load_avg_before"] = [round(x, 2) for x in load_before]
    result["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
