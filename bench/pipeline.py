"""End to end on recorded media: one interview of ten answers (about ten minutes of 720p video
with speech) through decoding, transcription, speech and video features, content scoring and
the report, with the time of each stage. The floor: the whole at most half of real time.
Last line: one JSON object."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from interview.backend.registry import Backend
from interview.competency.library import load_library
from interview.perception.media import decode_audio
from interview.perception.speech import speech_features
from interview.perception.transcript import transcribe
from interview.perception.video import video_features
from interview.pipeline import EMBEDDER, AnswerScorer
from interview.report.build import build_report
from interview.report.schemas import Provenance
from interview.scoring.dimensions import delivery, presence
from interview.scoring.timing import attach_times

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
ASR = "whisper-base"


def make_answer(out: Path, seconds: int) -> Path:
    """A 720p answer: the shared clip's person, padded to 16:9 and looped, with real speech."""
    clip = out / f"answer_{seconds}s.mp4"
    if not clip.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-stream_loop",
                "-1",
                "-i",
                str(DATA / "video" / "one_person_center.mp4"),
                "-stream_loop",
                "-1",
                "-i",
                str(DATA / "audio" / "jfk.flac"),
                "-map",
                "0:v",
                "-map",
                "1:a",
                "-t",
                str(seconds),
                "-vf",
                "scale=-2:720,pad=1280:720:(ow-iw)/2:0,fps=30",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-crf",
                "28",
                "-c:a",
                "aac",
                "-ac",
                "1",
                str(clip),
            ],
            check=True,
        )
    return clip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 answers of 20 s")
    args = parser.parse_args()
    answers, seconds = (2, 20) if args.quick else (10, 60)
    work = Path(tempfile.gettempdir()) / "interview-bench-pipeline"
    work.mkdir(exist_ok=True)
    clip = make_answer(work, seconds)
    backend = Backend("auto", cache_dir=ROOT / "var" / "models")
    scorer = AnswerScorer(backend.embedder(EMBEDDER))
    recognizer = backend.recognizer(ASR)
    # Load the models before the clock starts: a server keeps them loaded.
    backend.load(ASR), backend.load("face-blazeface"), backend.load("face-mesh")
    library = load_library()
    comps = [
        library.competency(c)
        for c in (
            "customer_orientation",
            "teamwork",
            "ownership",
            "communication",
            "problem_solving",
        )
    ]
    stages: dict[str, float] = defaultdict(float)

    def timed(stage: str, fn, *a, **k):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        out = fn(*a, **k)
        stages[stage] += time.perf_counter() - t
        return out

    start = time.perf_counter()
    data = clip.read_bytes()
    scores, speeches, videos = [], [], []
    for n in range(answers):
        audio = timed("decode_audio", decode_audio, data)
        transcript = timed("transcribe", transcribe, recognizer, audio, "en", ASR)
        speeches.append(timed("speech_features", speech_features, audio, 16000, transcript))
        videos.append(timed("video_features", video_features, backend, data))
        comp = comps[n % len(comps)]
        score = timed("content_scoring", scorer.score, f"q{n}", transcript.text, comp, "en")
        scores.append(attach_times(score, transcript))
        print(f"answer {n + 1}/{answers} done", file=sys.stderr, flush=True)
    from interview.competency.schemas import CompetencyModel, WeightedCompetency

    model = CompetencyModel(
        role_title="bench",
        template_id=None,
        library_version=library.version,
        items=tuple(WeightedCompetency(competency=c, weight=1 / len(comps)) for c in comps),
    )
    dims = [d for d in (delivery(speeches), presence(videos)) if d is not None]
    timed(
        "report",
        build_report,
        session_id="bench",
        candidate_name="bench",
        language="en",
        model=model,
        scores=scores,
        asked=[s.question_id for s in scores],
        dimensions=dims,
        provenance=Provenance(
            package_version="bench",
            library_version=library.version,
            competency_model_version=1,
            models={"asr": ASR},
            settings_hash="bench",
            scored_at=datetime.now(UTC),
        ),
    )
    wall = time.perf_counter() - start
    media_s = answers * seconds
    result = {
        "quick": args.quick,
        "answers": answers,
        "media_s": media_s,
        "wall_s": round(wall, 1),
        "wall_over_media": round(wall / media_s, 3),
        "floor": 0.5,
        "meets_floor": wall / media_s <= 0.5,
        "stages_s": {k: round(v, 1) for k, v in stages.items()},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
