"""Load and saturation of a real server on loopback: latency, errors, nothing lost, bounded memory.

Starts `interview serve` as its own process (127.0.0.1, a fresh data folder, SQLite), signs in
as HR, creates one role and enough invitations, then runs N simulated candidates for S
seconds (asyncio + httpx, one connection per candidate). Each candidate goes through
interviews one after another, as the candidate page does: open the interview, consent, mark
each question shown, send browser events, record the first question's answer as a live WebM
(VP8 + Opus from the shared clip with JFK's speech, made once, cut into byte-range chunks as
MediaRecorder hands them out) uploaded chunk by chunk and finished, type the other answers,
and answer the follow-ups the server asks. 429 and 503 are retried after Retry-After, as the
page does. Measured per endpoint class: p50/p95/p99 latency and responses by status. The
recording finish (transcription for the follow-up) and the text answer (an embedding for the
follow-up) wait for inference; the other classes do not (a chunk is handed to the live
transcriber, which works in the background), and are also pooled as `non_inference`.

At the end every acknowledgement the clients got is checked against the database and the blob
store: each acknowledged answer exists once with its text (or recording), each acknowledged
chunk is stored with its sha256 (its blob still there while its take is open, its take's
answer there once finished). Answers stored but never acknowledged (an error after the
commit) are counted apart.

Then inference is saturated: waves of concurrent transcriptions (the OpenAI-compatible
/v1/audio/transcriptions of the same Whisper the finish uses, 11 s of speech each), twice as
many in the second wave. The model's queue is bounded, so the surplus is refused at once
with 429 and Retry-After; the server's resident memory (VmRSS from /proc/<pid>/status) is
sampled before, during and after each phase.

Usage: bench/load.py [--quick] [--candidates N] [--seconds S] [--chunk-interval S]
[--record-share F] [--keep DIR] [--repeat N] [--hog K]. --quick: 20 candidates for 15 s and
smaller waves; --record-share 0: typed answers only (no transcription competing for the
cores); --keep: the folder keeps the server's log, database and blobs, every acknowledgement
as received (acks.jsonl) and the verdict on each loss with what the database holds for it
(verify.json); --repeat N: the load and its check N times (a fresh server each, no
saturation), one line per run on stderr and the tally in the JSON; --hog K: K busy processes
on the same cores meanwhile. Progress on stderr; the last stdout line is one JSON object. The
machine's load average is printed: other work on the same cores slows everything, inference
most. What no acknowledged answer or chunk may do under contention is go missing:
  bench/load.py --quick --repeat 20 --hog 2 --keep /tmp/load-hog
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from interview.accounts.credentials import token_hash
from interview.storage.blobs import FileBlobStore
from interview.storage.db import Database
from interview.storage.tables import Answer, InterviewSession, Recording, RecordingChunk

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CLIP = DATA / "video" / "one_person_center.mp4"
JFK = DATA / "audio" / "jfk.flac"
LABELS = ROOT / "bench" / "data" / "scoring_labels.jsonl"
ADMIN = "admin@load.test"
PASSWORD = "load test password"
NODE_KEY = "load-bench-node-key"
ASR = "whisper-base"  # the recognizer the finish uses (interview.integrity.recording.ASR_MODEL)
NON_INFERENCE = ("open", "consent", "shown", "events", "chunk", "status")
RETRIES = 6  # attempts after a 429/503 before a candidate gives up on a request
MAX_RETRY_WAIT_S = 5.0  # a Retry-After above this is cut to it


@dataclass(frozen=True)
class LoadConfig:
    """One run's shape."""

    candidates: int = 100  # simultaneous candidates
    seconds: float = 60.0  # how long candidates keep starting requests
    recording_s: float = 6.0  # seconds of the recorded answer
    chunk_interval_s: float = 1.0  # pause between chunks (MediaRecorder hands one out a second)
    typing_s: float = 3.0  # pause before a typed answer
    step_s: float = 0.2  # pause between other requests (reading, clicking)
    record_share: float = 0.8  # share of interviews whose first answer is recorded
    timeout_s: float = 300.0  # per request; a finish may wait for a busy recognizer
    seed: int = 7


# -- test media ------------------------------------------------------------------------------


def make_recording(out: Path, seconds: float = 6.0, speech: bool = True) -> bytes:
    """A live WebM (VP8 + Opus, written to a pipe like MediaRecorder: no duration, clusters of
    ~1 s) of the shared clip, 240 px high, with JFK's speech or (speech=False) a silent track,
    which the server's transcription skips without calling the model."""
    sound = ["-i", str(JFK)] if speech else ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono"]
    with out.open("wb") as f:
        subprocess.run(
            [
                "ffmpeg", "-v", "error", "-i", str(CLIP), *sound,
                "-map", "0:v", "-map", "1:a", "-t", str(seconds), "-vf", "scale=-2:240",
                "-c:v", "libvpx", "-b:v", "300k", "-deadline", "realtime", "-cpu-used", "8",
                "-c:a", "libopus", "-b:a", "48k", "-ac", "1", "-ar", "48000",
                "-f", "webm", "-live", "1", "-cluster_time_limit", "1000", "pipe:1",
            ],
            stdout=f,
            check=True,
            timeout=120,
        )  # fmt: skip
    return out.read_bytes()


def cut_chunks(data: bytes, n: int) -> list[bytes]:
    """`data` as n consecutive byte ranges (MediaRecorder's blobs are byte ranges too)."""
    size = -(-len(data) // n)
    return [data[i : i + size] for i in range(0, len(data), size)]


def make_speech_wav(out: Path) -> bytes:
    """JFK's 11 s of speech as 16 kHz mono 16-bit WAV."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(JFK), "-ac", "1", "-ar", "16000",
         "-sample_fmt", "s16", str(out)],
        check=True,
        timeout=60,
    )  # fmt: skip
    return out.read_bytes()


def answer_texts() -> list[str]:
    """Real English interview answers (bench/data/scoring_labels.jsonl), ASCII-safe."""
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    return [r["answer"] for r in rows if r["language"] == "en"]


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- the server process ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    """Resident memory of a process in KiB (VmRSS), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def seed_admin(database_url: str) -> None:
    """Migrate the database and create one organization with an admin (before the server)."""
    from interview.accounts.users import create_organization, create_user

    db = Database(database_url)
    db.upgrade()
    now = datetime.now(UTC)
    with db.session() as s:
        org = create_organization(s, "Load test", now)
        create_user(s, org.id, ADMIN, "Admin", "admin", PASSWORD, now)
    db.dispose()


@contextmanager
def serve(data_dir: Path, **env: str) -> Iterator[tuple[str, int]]:
    """`interview serve` on a free loopback port; yields (base URL, pid), stops it after."""
    port = free_port()
    log = data_dir.parent / "server.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "interview.cli", "serve"],
        env={
            **os.environ,
            "INTERVIEW_DATA_DIR": str(data_dir),
            "INTERVIEW_HOST": "127.0.0.1",
            "INTERVIEW_PORT": str(port),
            "INTERVIEW_NODE_API_KEY": NODE_KEY,
            "INTERVIEW_INTEGRITY_REFERENCE_ANSWERS": "0",
            "INTERVIEW_LOG_LEVEL": "WARNING",  # no access log line per request
            **env,
        },
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("server did not start: " + log.read_text()[-3000:])
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def hr_login(base: str, email: str = ADMIN, password: str = PASSWORD) -> dict[str, str]:
    r = httpx.post(
        f"{base}/api/v1/auth/login", json={"email": email, "password": password}, timeout=60
    )
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def create_role(base: str, hr: dict[str, str]) -> dict[str, Any]:
    """A role of two open questions (video, audio or text answers) and no choice items."""
    r = httpx.post(
        f"{base}/api/v1/roles",
        json={"title": "Customer service agent", "max_questions": 2, "choice_items": 0},
        headers=hr,
        timeout=300,
    )
    r.raise_for_status()
    return dict(r.json())


def invite(base: str, hr: dict[str, str], role_id: str, n: int) -> list[str]:
    """n invitation tokens, 500 a CSV upload."""
    tokens: list[str] = []
    while len(tokens) < n:
        batch = min(500, n - len(tokens))
        csv = "\n".join(f"Load candidate {len(tokens) + i}" for i in range(batch))
        r = httpx.post(
            f"{base}/api/v1/roles/{role_id}/invitations/csv",
            content=csv.encode(),
            headers={**hr, "Content-Type": "text/csv"},
            timeout=300,
        )
        r.raise_for_status()
        tokens += [row["token"] for row in r.json()]
    return tokens


# -- what the clients saw --------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerAckRec:
    """An acknowledged answer as the client saw it."""

    token: str
    question_id: str
    answer_id: str
    text_sha256: str | None  # None for a recording
    at: float = 0.0  # time.time() when the acknowledgement arrived
    status: int = 0  # its HTTP status
    body: str = ""  # the response body as received


@dataclass(frozen=True)
class ChunkAckRec:
    """An acknowledged chunk as the client saw it."""

    token: str
    question_id: str
    take: int
    seq: int
    sha256: str
    at: float = 0.0
    status: int = 0
    body: str = ""


@dataclass
class Tally:
    """Latencies and statuses per endpoint class, and every acknowledgement."""

    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    answers: list[AnswerAckRec] = field(default_factory=list)
    chunks: list[ChunkAckRec] = field(default_factory=list)
    # Finishes refused although every chunk of the take was acknowledged: a stored chunk was
    # missing then, even if a later upload of the same bytes put its blob back before verify.
    refused_finishes: list[dict[str, Any]] = field(default_factory=list)
    sessions: int = 0
    finished_sessions: int = 0
    gave_up: int = 0  # requests still refused after RETRIES
    followups_asked: int = 0
    finishes_without_followup: int = 0

    def add(self, cls: str, status: str, seconds: float) -> None:
        self.statuses[cls][status] += 1
        if status.isdigit():
            self.latency[cls].append(seconds)


async def call(
    client: httpx.AsyncClient,
    tally: Tally,
    cls: str,
    method: str,
    url: str,
    retry: bool = True,
    **kwargs: Any,
) -> httpx.Response | None:
    """One request, timed and counted by class; 429/503 are retried after Retry-After.
    None when the request failed (connection error) or was refused every time."""
    for _ in range(RETRIES + 1 if retry else 1):
        start = time.perf_counter()
        try:
            r = await client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            tally.add(cls, type(exc).__name__, time.perf_counter() - start)
            return None
        tally.add(cls, str(r.status_code), time.perf_counter() - start)
        if r.status_code not in (429, 503) or not retry:
            return r
        wait = float(r.headers.get("Retry-After", "1") or 1)
        await asyncio.sleep(min(max(wait, 0.2), MAX_RETRY_WAIT_S))
    tally.gave_up += 1
    return None


# -- one simulated candidate -----------------------------------------------------------------


@dataclass
class Candidate:
    """What every simulated candidate shares: media, texts, the clock and the tally."""

    cfg: LoadConfig
    chunks: list[bytes]
    texts: list[str]
    tally: Tally
    deadline: float  # time.monotonic()

    def over(self) -> bool:
        return time.monotonic() >= self.deadline


async def _events(
    c: Candidate, client: httpx.AsyncClient, t: str, qid: str, kinds: list[str]
) -> None:
    now_ms = int(time.time() * 1000)
    events = [
        {"kind": k, "question_id": qid, "client_time": now_ms + i * 10} for i, k in enumerate(kinds)
    ]
    await call(client, c.tally, "events", "POST", f"/api/v1/interview/{t}/events",
               json={"events": events})  # fmt: skip


async def _text_answer(
    c: Candidate, client: httpx.AsyncClient, rng: random.Random, t: str, qid: str
) -> dict[str, Any] | None:
    await asyncio.sleep(c.cfg.typing_s * rng.uniform(0.5, 1.5))
    text = rng.choice(c.texts)
    r = await call(client, c.tally, "answer", "POST", f"/api/v1/interview/{t}/answers",
                   json={"question_id": qid, "text": text})  # fmt: skip
    if r is None or r.status_code != 201:
        return None
    ack = r.json()
    c.tally.answers.append(
        AnswerAckRec(t, qid, ack["answer_id"], sha256_hex(text.encode()), time.time(), 201, r.text)
    )
    return dict(ack)


async def _recorded_answer(
    c: Candidate, client: httpx.AsyncClient, rng: random.Random, t: str, qid: str
) -> dict[str, Any] | None:
    base = f"/api/v1/interview/{t}/recordings/{qid}"
    for seq, part in enumerate(c.chunks):
        await asyncio.sleep(c.cfg.chunk_interval_s * rng.uniform(0.8, 1.2))
        if c.over():
            return None  # the candidate stops mid-recording: acknowledged chunks stay
        r = await call(client, c.tally, "chunk", "PUT", f"{base}/chunks/{seq}?take=1",
                       content=part, headers={"Content-Type": "video/webm"})  # fmt: skip
        if r is None or r.status_code not in (200, 201):
            return None
        c.tally.chunks.append(
            ChunkAckRec(t, qid, 1, seq, sha256_hex(part), time.time(), r.status_code, r.text)
        )
        if seq == 2 and rng.random() < 0.2:  # a reloaded page asks what is stored
            await call(client, c.tally, "status", "GET", base)
    r = await call(client, c.tally, "finish", "POST", f"{base}/finish",
                   json={"chunks": len(c.chunks), "take": 1})  # fmt: skip
    if r is not None and r.status_code not in (200, 201):
        c.tally.refused_finishes.append(
            {
                "token": t[:8],
                "question_id": qid,
                "at": time.time(),
                "status": r.status_code,
                "body": r.text,
            }
        )
    if r is None or r.status_code not in (200, 201):
        return None
    ack = r.json()
    c.tally.answers.append(
        AnswerAckRec(t, qid, ack["answer_id"], None, time.time(), r.status_code, r.text)
    )
    if ack.get("followup") is None:
        c.tally.finishes_without_followup += 1
    return dict(ack)


async def interview_once(
    c: Candidate, client: httpx.AsyncClient, rng: random.Random, t: str
) -> bool:
    """One candidate's interview, as far as the clock allows; True when every question (and
    follow-up asked) was answered."""
    c.tally.sessions += 1
    r = await call(client, c.tally, "open", "GET", f"/api/v1/interview/{t}")
    if r is None or r.status_code != 200:
        return False
    questions = [q for q in r.json()["questions"] if not q["choices"]]
    await asyncio.sleep(c.cfg.step_s)
    r = await call(client, c.tally, "consent", "POST", f"/api/v1/interview/{t}/consent",
                   json={"recording": True, "ai_assessment": True})  # fmt: skip
    if r is None or r.status_code != 201:
        return False
    record_first = rng.random() < c.cfg.record_share
    for i, q in enumerate(questions):
        if c.over():
            return False
        qid = q["id"]
        await call(client, c.tally, "shown", "POST", f"/api/v1/interview/{t}/questions/{qid}/shown")
        await _events(c, client, t, qid, ["answer_start"])
        if i == 0 and record_first:
            ack = await _recorded_answer(c, client, rng, t, qid)
        else:
            ack = await _text_answer(c, client, rng, t, qid)
        if ack is None:
            return False
        await _events(c, client, t, qid, ["tab_hidden", "tab_visible"])
        while ack is not None and ack.get("followup"):
            c.tally.followups_asked += 1
            if c.over():
                return False
            ack = await _text_answer(c, client, rng, t, ack["followup"]["id"])
            if ack is None:
                return False
    c.tally.finished_sessions += 1
    return True


async def candidate_loop(
    c: Candidate, client: httpx.AsyncClient, index: int, tokens: list[str]
) -> None:
    """One simulated candidate: interviews one after another from its own tokens."""
    rng = random.Random(c.cfg.seed * 100_003 + index)
    await asyncio.sleep(rng.uniform(0, min(2.0, c.cfg.seconds / 10)))  # not all at once
    for t in tokens:
        if c.over():
            return
        await interview_once(c, client, rng, t)


async def run_candidates(
    base: str, tokens: list[str], chunks: list[bytes], texts: list[str], cfg: LoadConfig
) -> tuple[Tally, float]:
    """cfg.candidates candidates for cfg.seconds against `base`, each with its own share of
    `tokens`; (tally, wall seconds until the last one stopped)."""
    tally = Tally()
    c = Candidate(cfg, chunks, texts, tally, time.monotonic() + cfg.seconds)
    per = len(tokens) // cfg.candidates
    limits = httpx.Limits(max_connections=cfg.candidates + 10, max_keepalive_connections=None)
    start = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=cfg.timeout_s, limits=limits) as client:
        await asyncio.gather(
            *(
                candidate_loop(c, client, i, tokens[i * per : (i + 1) * per])
                for i in range(cfg.candidates)
            )
        )
    return tally, time.monotonic() - start


def tokens_needed(cfg: LoadConfig) -> int:
    """Invitations enough for every candidate's fastest possible run of interviews."""
    shortest = max(2.0, cfg.chunk_interval_s * 0.8 * 3 + cfg.typing_s * 0.5)
    return cfg.candidates * (int(cfg.seconds / shortest) + 2)


# -- nothing lost ----------------------------------------------------------------------------


def verify(database_url: str, blob_dir: Path, tally: Tally) -> dict[str, Any]:
    """Every acknowledgement against the database and blob store. `lost_answers` and
    `lost_chunks` must be 0: an acknowledged answer is found by its acknowledged id, in its
    session, under its question, with its text (or a recording whose blobs are there); an
    acknowledged chunk is found under its take and number with its sha256, its blob there while
    the take is open, the take's answer there once finished. `stored_unacknowledged` counts
    answers stored whose ack the client never got (an error after the commit: a retry stores
    the answer again). `lost_details` says, for each loss, why and what the database holds for
    that question (every answer row and take, with times), so a loss explains itself.
    `refused_finishes` must be 0 too: a take whose every chunk was acknowledged and whose finish
    was refused had a chunk missing then, even when a later upload of the same bytes (every
    candidate here sends the same recording) put the blob back before this check."""
    db = Database(database_url)
    blobs = FileBlobStore(blob_dir)
    lost_answers: list[dict[str, Any]] = []
    lost_chunks: list[dict[str, Any]] = []
    tokens = {a.token for a in tally.answers} | {ch.token for ch in tally.chunks}
    with db.session() as s:
        sess_of = {
            t: s.scalar(
                select(InterviewSession.id).where(InterviewSession.token_hash == token_hash(t))
            )
            for t in tokens
        }
        acked_ids = Counter(a.answer_id for a in tally.answers)
        for a in tally.answers:
            why = _answer_problem(s, blobs, a, sess_of[a.token], acked_ids[a.answer_id])
            if why:
                lost_answers.append(
                    {
                        "why": why,
                        "ack": a.__dict__ | {"token": a.token[:8]},
                        "held": _held(s, blobs, sess_of[a.token], a.question_id),
                    }  # fmt: skip
                )
        for ch in tally.chunks:
            why = _chunk_problem(s, blobs, ch, sess_of[ch.token])
            if why:
                lost_chunks.append(
                    {
                        "why": why,
                        "ack": ch.__dict__ | {"token": ch.token[:8]},
                        "held": _held(s, blobs, sess_of[ch.token], ch.question_id),
                    }  # fmt: skip
                )
        session_ids = [v for v in sess_of.values() if v is not None]
        stored = set(s.scalars(select(Answer.id).where(Answer.session_id.in_(session_ids))).all())
    db.dispose()
    lost = lost_answers + lost_chunks
    return {
        "acknowledged_answers": len(tally.answers),
        "acknowledged_chunks": len(tally.chunks),
        "lost_answers": len(lost_answers),
        "lost_chunks": len(lost_chunks),
        "lost_examples": [
            f"{x['ack']['token']}/{x['ack']['question_id']}: {x['why']}" for x in lost[:5]
        ],
        "lost_details": lost[:20],
        "refused_finishes": len(tally.refused_finishes),
        "refused_finish_details": tally.refused_finishes[:20],
        "stored_unacknowledged": len(stored - set(acked_ids)),
    }


def _answer_problem(
    s: Any, blobs: FileBlobStore, a: AnswerAckRec, session_id: str | None, times_acked: int
) -> str:
    """Why the acknowledged answer `a` is not as acknowledged ("" when it is)."""
    row = s.get(Answer, a.answer_id)
    if row is None:
        return f"no answer row {a.answer_id}"
    if row.session_id != session_id:
        return f"answer {a.answer_id} belongs to session {row.session_id}, not {session_id}"
    if row.question_id != a.question_id:
        return f"answer {a.answer_id} is under question {row.question_id!r}"
    if times_acked != 1:
        return f"answer {a.answer_id} was acknowledged {times_acked} times"
    if a.text_sha256 is not None and sha256_hex((row.text or "").encode()) != a.text_sha256:
        return f"answer {a.answer_id} holds other text ({len(row.text or '')} characters)"
    if a.text_sha256 is None:
        if not row.media:
            return f"recorded answer {a.answer_id} has no media"
        gone = [k for k in row.media if not blobs.exists(k)]
        if gone:
            return f"recorded answer {a.answer_id}: blob {gone[0][:12]} is not in the store"
    return ""


def _chunk_problem(s: Any, blobs: FileBlobStore, ch: ChunkAckRec, session_id: str | None) -> str:
    """Why the acknowledged chunk `ch` is not as acknowledged ("" when it is)."""
    rec = s.scalar(
        select(Recording).where(
            Recording.session_id == session_id,
            Recording.question_id == ch.question_id,
            Recording.take == ch.take,
        )
    )
    if rec is None:
        return f"no take {ch.take}"
    chunk = s.scalar(
        select(RecordingChunk).where(
            RecordingChunk.recording_id == rec.id, RecordingChunk.seq == ch.seq
        )
    )
    if chunk is None:
        return f"no chunk {ch.seq} in take {ch.take}"
    if chunk.blob_key != ch.sha256:
        return f"chunk {ch.seq} holds sha256 {chunk.blob_key[:12]}, not {ch.sha256[:12]}"
    if rec.status == "open":
        if not blobs.exists(ch.sha256):
            return f"chunk {ch.seq} of an open take: blob {ch.sha256[:12]} is not in the store"
        if _blob_sha(blobs, ch.sha256) != ch.sha256:
            return f"chunk {ch.seq}: blob {ch.sha256[:12]} is damaged"
        return ""
    if rec.answer_id is None or s.get(Answer, rec.answer_id) is None:
        return f"take {ch.take} is {rec.status} without its answer ({rec.answer_id})"
    return ""


def _held(s: Any, blobs: FileBlobStore, session_id: str | None, question_id: str) -> dict[str, Any]:
    """What the database holds for one question of one session: answers and takes, timed."""
    answers = s.scalars(
        select(Answer).where(Answer.session_id == session_id, Answer.question_id == question_id)
    ).all()
    takes = s.scalars(
        select(Recording).where(
            Recording.session_id == session_id, Recording.question_id == question_id
        )
    ).all()
    return {
        "session_id": session_id,
        "answers": [
            {"id": r.id, "attempt": r.attempt, "kind": r.kind, "created_at": str(r.created_at),
             "text_chars": len(r.text or ""),
             "media": {k[:12]: blobs.exists(k) for k in r.media or []}}  # fmt: skip
            for r in answers
        ],
        "takes": [
            {"take": r.take, "status": r.status, "answer_id": r.answer_id,
             "created_at": str(r.created_at), "finished_at": str(r.finished_at),
             "chunks": {c.seq: [c.blob_key[:12], str(c.created_at), blobs.exists(c.blob_key)]
                        for c in s.scalars(select(RecordingChunk)
                                           .where(RecordingChunk.recording_id == r.id)).all()}}
            for r in takes
        ],
    }  # fmt: skip


def _blob_sha(blobs: FileBlobStore, key: str) -> str:
    with blobs.open(key) as f:
        return sha256_hex(f.read())


# -- figures ---------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float | int]:
    """n and p50/p95/p99/max in milliseconds (nearest rank)."""
    if not values:
        return {"n": 0}
    v = sorted(values)

    def rank(p: float) -> float:
        return round(v[min(len(v) - 1, max(0, int(-(-p * len(v) // 100)) - 1))] * 1000, 1)

    return {"n": len(v), "p50_ms": rank(50), "p95_ms": rank(95), "p99_ms": rank(99),
            "max_ms": round(v[-1] * 1000, 1)}  # fmt: skip


def summarise(tally: Tally) -> dict[str, Any]:
    """Latency and statuses per class, non-inference classes pooled."""
    classes = sorted(set(tally.latency) | set(tally.statuses))
    out: dict[str, Any] = {
        cls: {**percentiles(tally.latency[cls]), "status": dict(tally.statuses[cls])}
        for cls in classes
    }
    pooled = [x for cls in NON_INFERENCE for x in tally.latency.get(cls, [])]
    statuses: Counter[str] = Counter()
    for cls in NON_INFERENCE:
        statuses.update(tally.statuses.get(cls, Counter()))
    out["non_inference"] = {**percentiles(pooled), "status": dict(statuses)}
    return out


def server_errors(tally: Tally, allowed: tuple[str, ...] = ("503",)) -> dict[str, int]:
    """5xx responses and connection errors other than `allowed`, by class and status."""
    bad: dict[str, int] = {}
    for cls, counts in tally.statuses.items():
        for status, n in counts.items():
            if status in allowed:
                continue
            if not status.isdigit() or status.startswith("5"):
                bad[f"{cls}:{status}"] = n
    return bad


# -- saturating inference --------------------------------------------------------------------


class RssSampler:
    """Samples a process's VmRSS every `every_s` seconds in a thread, tagged by phase."""

    def __init__(self, pid: int, every_s: float = 0.2) -> None:
        self.pid = pid
        self.every_s = every_s
        self.phase = "idle"
        self.samples: dict[str, list[int]] = defaultdict(list)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            kb = rss_kb(self.pid)
            if kb:
                self.samples[self.phase].append(kb)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def mark(self, phase: str) -> None:
        self.samples[phase].append(rss_kb(self.pid))
        self.phase = phase

    def figures(self) -> dict[str, dict[str, float]]:
        return {
            phase: {
                "first_mb": round(v[0] / 1024, 1),
                "peak_mb": round(max(v) / 1024, 1),
                "last_mb": round(v[-1] / 1024, 1),
            }  # fmt: skip
            for phase, v in self.samples.items()
            if v
        }


async def transcription_wave(
    base: str, wav: bytes, n: int, timeout_s: float = 300.0
) -> dict[str, Any]:
    """n transcriptions of `wav` at once, none retried: statuses, Retry-After values, and the
    latency of the refusals and of the answers."""
    tally = Tally()
    retry_after: list[float] = []
    limits = httpx.Limits(max_connections=n + 5, max_keepalive_connections=None)
    async with httpx.AsyncClient(base_url=base, timeout=timeout_s, limits=limits) as client:

        async def one() -> None:
            r = await call(client, tally, "transcribe", "POST", "/v1/audio/transcriptions",
                           retry=False, headers={"Authorization": f"Bearer {NODE_KEY}"},
                           data={"model": ASR, "language": "en"},
                           files={"file": ("speech.wav", wav, "audio/wav")})  # fmt: skip
            if r is not None and r.status_code == 429:
                retry_after.append(float(r.headers.get("Retry-After", "nan")))

        start = time.monotonic()
        await asyncio.gather(*(one() for _ in range(n)))
        wall = time.monotonic() - start
    return {
        "requests": n,
        "status": dict(tally.statuses["transcribe"]),
        "retry_after_s": sorted(set(retry_after)),
        "latency": percentiles(tally.latency["transcribe"]),
        "wall_s": round(wall, 1),
    }


async def saturate(
    base: str, wav: bytes, waves: tuple[int, ...], sampler: RssSampler | None
) -> list[dict[str, Any]]:
    """Transcription waves one after another (each twice the last), RSS marked per wave."""
    out = []
    for i, n in enumerate(waves):
        if sampler is not None:
            sampler.mark(f"saturate_{i + 1}")
        out.append(await transcription_wave(base, wav, n))
    return out


# -- the whole run ---------------------------------------------------------------------------


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def note(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(cfg: LoadConfig, waves: tuple[int, ...], workdir: Path) -> dict[str, Any]:
    """Start a server in `workdir`, run the candidates, verify, saturate (no `waves`: not);
    the figures. Every acknowledgement is kept in workdir/acks.jsonl, the verdict on each in
    workdir/verify.json."""
    data_dir = workdir / "var"
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{(data_dir / 'interview.db').resolve()}"
    recording = make_recording(workdir / "answer.webm", cfg.recording_s)
    chunks = cut_chunks(recording, max(2, round(cfg.recording_s)))
    wav = make_speech_wav(workdir / "speech.wav")
    texts = answer_texts()
    seed_admin(database_url)
    result: dict[str, Any] = {
        "config": {**cfg.__dict__, "waves": list(waves)},
        "recording": {"bytes": len(recording), "chunks": len(chunks)},
        "load_average_start": load_average(),
    }
    with serve(data_dir) as (base, pid):
        sampler = RssSampler(pid).start()
        t0 = time.monotonic()
        hr = hr_login(base)
        role = create_role(base, hr)
        tokens = invite(base, hr, role["id"], tokens_needed(cfg))
        note(f"server {base} pid {pid}: role and {len(tokens)} invitations in "
             f"{time.monotonic() - t0:.1f}s")  # fmt: skip
        # Warm the recognizer and the embedder once, so the load measures serving, not loading.
        asyncio.run(transcription_wave(base, wav, 1))
        sampler.mark("load")
        note(f"{cfg.candidates} candidates for {cfg.seconds:.0f}s ...")
        tally, wall = asyncio.run(run_candidates(base, tokens, chunks, texts, cfg))
        sampler.mark("after_load")
        result["load_average_after_load"] = load_average()
        note(f"load done in {wall:.1f}s; verifying")
        result["load"] = {
            "wall_s": round(wall, 1),
            "interviews_started": tally.sessions,
            "interviews_completed": tally.finished_sessions,
            "followups_asked": tally.followups_asked,
            "finishes_without_followup": tally.finishes_without_followup,
            "gave_up_after_retries": tally.gave_up,
            "requests": sum(sum(c.values()) for c in tally.statuses.values()),
            "endpoints": summarise(tally),
            "server_errors": server_errors(tally),
        }
        result["verify"] = verify(database_url, data_dir / "blobs", tally)
        keep_acks(workdir, tally, result["verify"])
        brief = {k: v for k, v in result["verify"].items() if not k.endswith("_details")}
        note(f"verify: {brief}")
        if not waves:
            sampler.stop()
            result["rss"] = sampler.figures()
            return result
        time.sleep(2.0)
        note(f"saturating the recognizer: waves of {list(waves)} transcriptions")
        result["saturation"] = asyncio.run(saturate(base, wav, waves, sampler))
        sampler.mark("after_saturation")
        time.sleep(3.0)
        sampler.mark("end")
        time.sleep(0.5)
        sampler.stop()
        result["rss"] = sampler.figures()
        result["load_average_end"] = load_average()
    return result


def keep_acks(workdir: Path, tally: Tally, verdict: dict[str, Any]) -> None:
    """Every acknowledgement as received (acks.jsonl) and the verdict (verify.json)."""
    with (workdir / "acks.jsonl").open("w", encoding="utf-8") as f:
        for a in tally.answers:
            f.write(json.dumps({"kind": "answer", **a.__dict__}) + "\n")
        for ch in tally.chunks:
            f.write(json.dumps({"kind": "chunk", **ch.__dict__}) + "\n")
    (workdir / "verify.json").write_text(json.dumps(verdict, indent=1), encoding="utf-8")


@contextmanager
def cpu_hog(n: int) -> Iterator[list[int]]:
    """n busy-looping processes (other work on the same cores) while the block runs; their
    pids. Each is killed by its own pid afterwards."""
    procs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdin=subprocess.DEVNULL)
        for _ in range(n)
    ]
    try:
        yield [p.pid for p in procs]
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait(10)


COUNTS = (
    "acknowledged_answers",
    "acknowledged_chunks",
    "lost_answers",
    "lost_chunks",
    "refused_finishes",
    "stored_unacknowledged",
)


def repeat(cfg: LoadConfig, n: int, hog: int, root: Path) -> dict[str, Any]:
    """The load and its check n times (a fresh server and database each time, no saturation)
    with `hog` busy processes on the same cores; per run and in total: what was acknowledged,
    lost and stored unacknowledged."""
    runs = []
    with cpu_hog(hog) as pids:
        note(f"{hog} busy processes {pids}")
        for i in range(1, n + 1):
            workdir = root / str(i)
            workdir.mkdir(parents=True, exist_ok=True)
            t0 = time.monotonic()
            got = run(cfg, (), workdir)
            v = got["verify"]
            row = {
                "run": i,
                "wall_s": round(time.monotonic() - t0, 1),
                "load_average": got["load_average_after_load"],
                **{k: v[k] for k in COUNTS},
                "server_errors": got["load"]["server_errors"],
                "not_2xx": {
                    f"{cls}:{status}": n
                    for cls, fig in got["load"]["endpoints"].items()
                    if cls != "non_inference"
                    for status, n in fig["status"].items()
                    if not status.startswith("2")
                },
                "lost_examples": v["lost_examples"],
            }  # fmt: skip
            runs.append(row)
            note(json.dumps(row))
    total = {k: sum(r[k] for r in runs) for k in COUNTS}
    total["runs_with_a_loss"] = sum(
        1 for r in runs if r["lost_answers"] or r["lost_chunks"] or r["refused_finishes"]
    )
    return {"config": cfg.__dict__, "repeat": n, "hog": hog, "runs": runs, "total": total}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="20 candidates for 15 s")
    p.add_argument("--candidates", type=int)
    p.add_argument("--seconds", type=float)
    p.add_argument("--chunk-interval", type=float, help="seconds between chunks")
    p.add_argument("--record-share", type=float, help="share of interviews with a recording")
    p.add_argument("--keep", type=Path, help="work in this folder and keep it")
    p.add_argument(
        "--repeat",
        type=int,
        default=0,
        help="run the load and its check N times (no saturation); tally per run",
    )
    p.add_argument("--hog", type=int, default=0, help="busy processes beside the runs")
    args = p.parse_args()
    cfg = LoadConfig(candidates=20, seconds=15.0) if args.quick else LoadConfig()
    changes: dict[str, Any] = {}
    if args.candidates:
        changes["candidates"] = args.candidates
    if args.seconds:
        changes["seconds"] = args.seconds
    if args.chunk_interval is not None:
        changes["chunk_interval_s"] = args.chunk_interval
    if args.record_share is not None:
        changes["record_share"] = args.record_share
    cfg = LoadConfig(**{**cfg.__dict__, **changes})
    waves = (24, 48) if args.quick else (48, 96)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="interview-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.repeat:
        try:
            tallied = repeat(cfg, args.repeat, args.hog, workdir)
        finally:
            if args.keep is None:
                shutil.rmtree(workdir, ignore_errors=True)
        print(json.dumps(tallied))
        return
    try:
        with cpu_hog(args.hog):
            result = run(cfg, waves, workdir)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    ep = result["load"]["endpoints"]
    for cls, fig in ep.items():
        note(f"{cls:>14}: {fig}")
    note(f"saturation: {result['saturation']}")
    note(f"rss: {result['rss']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
