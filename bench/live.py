"""Live transcription: latency from an answer's last chunk to its transcript and follow-up.

Simulates recorded answers the way the candidate page sends them: espeak-ng speech (English,
and Mandarin with the `cmn-latn-pinyin` voice) with pauses between sentences and a faint
noise floor, encoded to WebM/Opus by ffmpeg writing to a pipe (an unsized, unseekable stream, as
MediaRecorder makes), sliced into consecutive byte chunks of ~2.5 s each. The chunks are fed
to interview.candidate.live.LiveSessions at their real-time pace (or `--pace` times faster);
after the last chunk the clock runs until (a) `finish` returns the transcript and (b)
interview.pipeline.followup_for has decided on a follow-up. Side by side: the baseline that
decodes and transcribes the whole answer only once it has arrived (interview.perception
.transcript.transcribe), then decides the follow-up.

Also reported: the word error rate of the live transcript against the whole-file one (the
same model on the same audio, so it measures what cutting into stretches costs; characters
for Chinese), and of both against the script espeak-ng read.

Usage: bench/live.py [--quick] [--pace 1.0] [--chunk-s 2.5]. Per-answer lines on stderr; the
last stdout line is one JSON object. Real models (whisper-base via CTranslate2, e5-small);
the machine's load average is printed, since other work on the same cores slows Whisper.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

from interview.backend.registry import Backend
from interview.candidate.live import LiveSessions
from interview.competency.library import load_library
from interview.integrity.recording import ASR_MODEL
from interview.perception.media import SAMPLE_RATE, decode_audio
from interview.perception.stitch import MIN_STRETCH_S
from interview.perception.transcript import transcribe
from interview.pipeline import EMBEDDER, followup_for

FLOOR_S = 2.0  # s; p95 from the last chunk to the follow-up decision must stay within this
ZH_VOICE = "cmn-latn-pinyin"  # espeak-ng's "cmn" reads unknown syllables as English
NOISE_RMS = 0.001  # ~-60 dBFS: a quiet room through a laptop microphone

STORIES_EN = [
    [
        "Last March, at the Northgate store where I work, our card reader failed on a busy "
        "Saturday morning.",
        "About thirty people were queuing, and several of them were already getting angry.",
        "I was the shift supervisor, so it was my job to keep the queue moving.",
        "First I opened the backup till and asked a colleague to take the cash payments.",
        "Then I walked along the queue and told each customer what was going on.",
        "I called the helpdesk myself and stayed on the line until they reset the terminal.",
        "It took about fifteen minutes before the card reader worked again.",
        "As a result, the queue was down to five people within twenty minutes.",
        "Nobody left without paying, and two customers thanked us on the way out.",
        "Afterwards I wrote a short checklist so the next shift would know what to do.",
    ],
    [
        "Two years ago I was working in a warehouse that shipped garden furniture.",
        "In May our orders doubled in one week because of a television advert.",
        "My task was to make sure every order left within two days, as we had promised.",
        "I split the packing team into two shifts so the tables were never empty.",
        "I moved the most popular chairs next to the loading bay to save walking.",
        "I also checked the late orders every morning and phoned the customers myself.",
        "We cleared the backlog by the following Tuesday.",
        "Only three orders out of about two thousand arrived late that month.",
        "My manager asked me to train the other shift leaders in the same routine.",
    ],
    [
        "In my last job a customer called about a fridge that kept switching itself off.",
        "She had already spoken to two colleagues and was very upset.",
        "I asked her to describe exactly when it happened, and wrote down each answer.",
        "It turned out the fridge stopped every time her washing machine started.",
        "So the problem was the socket, not the fridge.",
        "I explained this calmly and booked an electrician for the next morning.",
        "I called her again two days later to check that everything was working.",
        "She said the fridge had been fine since the new socket was fitted.",
        "She later wrote to the company to say she would buy from us again.",
    ],
    [
        "When I started at the bakery, nobody checked the oven temperatures during the night.",
        "One night a whole batch of bread came out burnt, and we lost about two hundred loaves.",
        "I was responsible for the night shift, so I wanted to stop it happening again.",
        "I made a simple chart and taped it next to each oven.",
        "Every hour someone wrote down the temperature and signed their name.",
        "I showed the team how to do it and explained why it mattered.",
        "After one month we had not lost a single batch.",
        "The manager liked the chart so much that the day shift started using it too.",
    ],
]
STORIES_ZH = [
    [
        "去年国庆节那天，我在商场的服装店当班。",
        "下午两点，收银系统突然断网了。",
        "当时排队的顾客有二十多个人。",
        "我是当班组长，负责让收银尽快恢复。",
        "我先让同事用手机收款。",
        "然后我自己给门店的技术人员打电话。",
        "同时我跟排队的顾客解释情况。",
        "十五分钟以后，网络恢复了。",
        "那天没有一个顾客投诉。",
        "后来店长让我把这个办法写下来，教给其他同事。",
    ],
]


def speak(text: str, voice: str) -> np.ndarray:
    """One sentence from espeak-ng, 16 kHz mono float32."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", "150", "--stdout", text], capture_output=True, check=True
    ).stdout
    return decode_audio(wav)


def webm_opus(audio: np.ndarray) -> bytes:
    """WebM/Opus written to a pipe: an unsized, unseekable stream like MediaRecorder's."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1"]
        + ["-i", "pipe:0", "-c:a", "libopus", "-b:a", "32k", "-f", "webm", "pipe:1"],
        input=pcm,
        capture_output=True,
        check=True,
    ).stdout


def answer(
    sentences: list[str], voice: str, target_s: float, seed: int
) -> tuple[bytes, float, str]:
    """A spoken answer of about `target_s` s: (webm bytes, seconds, the script read)."""
    rng = np.random.default_rng(seed)
    parts = [np.zeros(int(0.6 * SAMPLE_RATE), np.float32)]  # the candidate starts talking
    said: list[str] = []
    total = 0.0
    i = int(rng.integers(len(sentences)))
    while total < target_s:
        speech = speak(sentences[i % len(sentences)], voice)
        pause = np.zeros(int(rng.uniform(0.35, 1.2) * SAMPLE_RATE), np.float32)
        parts += [speech, pause]
        said.append(sentences[i % len(sentences)])
        total += (len(speech) + len(pause)) / SAMPLE_RATE
        i += 1
    audio = np.concatenate(parts)
    audio = audio + rng.normal(0, NOISE_RMS, len(audio)).astype(np.float32)
    return webm_opus(audio), len(audio) / SAMPLE_RATE, ("" if voice == ZH_VOICE else " ").join(said)


def slices(data: bytes, duration_s: float, chunk_s: float) -> list[bytes]:
    """Consecutive byte ranges of ~`chunk_s` seconds each (the stream's mean bit rate)."""
    step = max(1, round(len(data) * chunk_s / duration_s))
    return [data[i : i + step] for i in range(0, len(data), step)]


def tokens(text: str, language: str) -> list[str]:
    """Words (English, lower case, no punctuation) or characters (Chinese) for error rates."""
    if language == "zh":
        return [ch for ch in text if ch.isalnum()]
    return re.findall(r"[a-z0-9']+", text.lower())


def error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Word (or character) error rate: edit distance / reference length."""
    prev = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        cur = [i] + [0] * len(hypothesis)
        for j, h in enumerate(hypothesis, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(len(reference), 1)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(np.ceil(q / 100 * len(ordered))) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(values), 3),
        "p95": round(pct(values, 95), 3),
        "max": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 answers instead of 10")
    parser.add_argument("--pace", type=float, default=1.0, help="chunks fed this x real time")
    parser.add_argument("--chunk-s", type=float, default=2.5, help="seconds per chunk")
    parser.add_argument("--min-stretch", type=float, default=MIN_STRETCH_S, help="seconds")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        sys.exit("needs espeak-ng and ffmpeg (make sysdeps)")

    library = load_library()
    plan = [  # (language, story, competency, target seconds)
        ("en", 0, "stress_tolerance", 60),
        ("en", 1, "planning_organising", 90),
        ("en", 2, "customer_orientation", 45),
        ("zh", 0, "stress_tolerance", 50),
        ("en", 3, "quality_focus", 75),
        ("en", 0, "stress_tolerance", 30),
        ("en", 1, "planning_organising", 60),
        ("en", 2, "customer_orientation", 80),
        ("en", 3, "quality_focus", 40),
        ("zh", 0, "stress_tolerance", 35),
    ]
    if args.quick:
        plan = plan[:4]
    backend = Backend("auto")
    recognizer = backend.recognizer(ASR_MODEL)
    embedder = backend.embedder(EMBEDDER)
    # Load both models before timing anything.
    transcribe(recognizer, speak("Hello there, this is a warm-up.", "en"), "en", ASR_MODEL)
    embedder.embed_queries(["warm-up"])
    sessions = LiveSessions(recognizer, ASR_MODEL, min_stretch_s=args.min_stretch)

    rows = []
    for n, (lang, story, comp_id, target) in enumerate(plan):
        sentences = (STORIES_ZH if lang == "zh" else STORIES_EN)[story]
        data, duration, script = answer(sentences, ZH_VOICE if lang == "zh" else "en", target, n)
        chunks = slices(data, duration, args.chunk_s)
        competency = library.competency(comp_id)
        question = getattr(competency.behavioural_questions[0], lang)
        key = (f"bench-{n}", comp_id, 1)
        load = os.getloadavg()[0]

        # Live: chunks at their real-time pace, the clock from the last one's arrival.
        gap = duration / len(chunks) / args.pace
        for chunk in chunks[:-1]:
            sessions.feed(key, chunk, lang)
            time.sleep(gap)
        settled = sessions.settled_s(key) or 0.0
        c0, t0 = time.process_time(), time.perf_counter()
        sessions.feed(key, chunks[-1], lang)
        live = sessions.finish(key, data, lang)
        t1, c1 = time.perf_counter(), time.process_time()
        followup_for(embedder, competency, question, live.text, lang, 0)
        t2, c2 = time.perf_counter(), time.process_time()

        # Baseline: everything at the end.
        d0, b0 = time.process_time(), time.perf_counter()
        whole = transcribe(recognizer, decode_audio(data), lang, ASR_MODEL)
        b1 = time.perf_counter()
        followup_for(embedder, competency, question, whole.text, lang, 0)
        b2, d2 = time.perf_counter(), time.process_time()

        row = {
            "language": lang,
            "audio_s": round(duration, 1),
            "chunks": len(chunks),
            "load": round(load, 2),
            "live_transcript_s": round(t1 - t0, 3),
            "live_followup_s": round(t2 - t0, 3),
            "live_transcript_cpu_s": round(c1 - c0, 2),  # CPU-seconds, all threads
            "live_followup_cpu_s": round(c2 - c0, 2),
            "whole_transcript_s": round(b1 - b0, 3),
            "whole_followup_s": round(b2 - b0, 3),
            "whole_followup_cpu_s": round(d2 - d0, 2),
            "wer_live_vs_whole": round(
                error_rate(tokens(whole.text, lang), tokens(live.text, lang)), 3
            ),
            "wer_live_vs_script": round(
                error_rate(tokens(script, lang), tokens(live.text, lang)), 3
            ),
            "wer_whole_vs_script": round(
                error_rate(tokens(script, lang), tokens(whole.text, lang)), 3
            ),
            "settled_at_end_s": round(settled, 1),  # transcribed before the last chunk
        }
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)

    live_f = [r["live_followup_s"] for r in rows]
    by_language = {
        lang: {
            "answers": len(sub),
            "live_followup_s": summary([r["live_followup_s"] for r in sub]),
            "whole_followup_s": summary([r["whole_followup_s"] for r in sub]),
            "wer_live_vs_whole_mean": round(
                statistics.fmean(r["wer_live_vs_whole"] for r in sub), 3
            ),
        }
        for lang in ("en", "zh")
        if (sub := [r for r in rows if r["language"] == lang])
    }
    out = {
        "answers": len(rows),
        "audio_s_total": round(sum(r["audio_s"] for r in rows), 1),
        "pace": args.pace,
        "chunk_s": args.chunk_s,
        "min_stretch_s": args.min_stretch,
        "cpus": os.cpu_count(),
        "live_transcript_s": summary([r["live_transcript_s"] for r in rows]),
        "live_followup_s": summary(live_f),
        "live_followup_cpu_s": summary([r["live_followup_cpu_s"] for r in rows]),
        "whole_transcript_s": summary([r["whole_transcript_s"] for r in rows]),
        "whole_followup_s": summary([r["whole_followup_s"] for r in rows]),
        "whole_followup_cpu_s": summary([r["whole_followup_cpu_s"] for r in rows]),
        "wer_live_vs_whole": {
            "mean": round(statistics.fmean(r["wer_live_vs_whole"] for r in rows), 3),
            "max": max(r["wer_live_vs_whole"] for r in rows),
        },
        "wer_live_vs_script_mean": round(
            statistics.fmean(r["wer_live_vs_script"] for r in rows), 3
        ),
        "wer_whole_vs_script_mean": round(
            statistics.fmean(r["wer_whole_vs_script"] for r in rows), 3
        ),
        "by_language": by_language,
        "load_avg_mean": round(statistics.fmean(r["load"] for r in rows), 2),
        "floor_s": FLOOR_S,
        "p95_within_floor": pct(live_f, 95) <= FLOOR_S,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
