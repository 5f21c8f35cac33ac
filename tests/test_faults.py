"""Faults and load against real server processes on loopback (tests/server.py).

- SIGKILL while several candidates upload recording chunks at once: after a restart every
  acknowledged chunk is stored with its sha256 and listed for resuming, the uploads resume and
  finish, and every acknowledged answer is stored exactly once.
- The SQLite database's folder moved away for ~3 s (as root, chmod would not stop the server)
  and PostgreSQL refusing and cutting the server's connections (pg_terminate_backend on the
  test's own database; the service itself is never stopped): requests in the window get 503
  with a message and Retry-After, never 500, /ready says not ready, and the same server
  process serves again afterwards; nothing acknowledged is missing, nothing refused is stored.
- bench/load.py's candidates at a reduced load: no acknowledged answer or chunk lost, no 5xx.

The recordings here have a silent sound track, so the server's transcription for follow-ups
skips the model (bench/load.py uses speech); durability does not depend on the words.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from bench.load import (
    ADMIN,
    PASSWORD,
    LoadConfig,
    answer_texts,
    create_role,
    cut_chunks,
    hr_login,
    invite,
    make_recording,
    run_candidates,
    seed_admin,
    server_errors,
    tokens_needed,
    verify,
)
from interview.accounts.credentials import token_hash
from interview.api.app import create_app
from interview.api.routes import candidate
from interview.candidate.live import LiveSessions, live_sessions
from interview.config import Settings
from interview.storage.blobs import FileBlobStore
from interview.storage.db import Database
from interview.storage.tables import (
    Answer,
    Base,
    FollowUpDecision,
    IntegrityEvent,
    InterviewSession,
    Recording,
    RecordingChunk,
)
from tests.conftest import PG_ADMIN_URL
from tests.server import Server

CANDIDATES = 4  # uploading at once when the server is killed
CHUNKS = 8  # per recording (6 s of WebM: ~30 kB a chunk)
OUTAGE_S = 3.0  # seconds the database is away
CLIENTS = 12  # request loops during an outage: more than SQLite's 5 pooled connections
ROLE_TABLES = ("organization", "user_account", "job_role", "competency_model", "question_plan")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Site:
    """A running server over its own database, one role of two open questions, invitations."""

    server: Server
    db: Database
    db_dir: Path  # the SQLite database's folder (only the database lives there)
    blobs: FileBlobStore
    role: dict[str, Any]
    tokens: list[str]

    @property
    def api(self) -> str:
        return f"{self.server.base}/api/v1"

    def candidates(self, n: int) -> list[str]:
        """n fresh invitations, consent given."""
        out = [self.tokens.pop() for _ in range(n)]
        for t in out:
            r = httpx.post(
                f"{self.api}/interview/{t}/consent",
                json={"recording": True, "ai_assessment": True},
                timeout=60,
            )
            assert r.status_code == 201, r.text
        return out


def _start_site(
    root: Path, database_url: str, invitations: int, role: dict[str, Any] | None = None
) -> Site:
    """Start a server over `database_url` (seeded already when `role` is given) and invite."""
    if role is None:
        seed_admin(database_url)
    server = Server(
        root / "var", INTERVIEW_DATABASE_URL=database_url, INTERVIEW_LOG_LEVEL="WARNING"
    )
    server.start()
    try:
        hr = hr_login(server.base)
        role = role or create_role(server.base, hr)
        tokens = invite(server.base, hr, role["id"], invitations)
    except BaseException:
        server.kill()
        raise
    blobs = FileBlobStore(root / "var" / "blobs")
    return Site(server, Database(database_url), root / "db", blobs, role, tokens)


def _copy_rows(src: Database, dst: Database, tables: tuple[str, ...]) -> None:
    """Copy every row of `tables` (in foreign-key order) from one database to another."""
    with src.engine.connect() as read, dst.engine.begin() as write:
        for table in Base.metadata.sorted_tables:
            if table.name in tables:
                rows = [dict(r._mapping) for r in read.execute(table.select())]
                if rows:
                    write.execute(table.insert(), rows)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("faults")
    url = f"sqlite:///{root / 'db' / 'interview.db'}"
    s = _start_site(root, url, 40 + tokens_needed(QUICK))
    yield s
    s.server.stop()
    s.db.dispose()


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    data = make_recording(tmp_path_factory.mktemp("media") / "answer.webm", 6.0, speech=False)
    chunks = cut_chunks(data, CHUNKS)
    assert len(chunks) == CHUNKS
    return chunks


def _questions(site: Site) -> tuple[str, str]:
    recorded, typed = (q["id"] for q in site.role["questions"])
    return recorded, typed


def _session_id(site: Site, token: str) -> str:
    with site.db.session() as s:
        sid = s.scalar(
            select(InterviewSession.id).where(InterviewSession.token_hash == token_hash(token))
        )
    assert sid is not None
    return sid


# -- SIGKILL during chunk uploads ------------------------------------------------------------


@dataclass
class Uploads:
    """What the clients were told: chunk sha256 by token and seq, answer ids by token."""

    chunks: dict[str, dict[int, str]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # non-2xx answers before the kill
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acked(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.chunks.values())


def _upload(site: Site, t: str, parts: list[bytes], got: Uploads, text: str) -> None:
    """Upload a recording's chunks one after another (and type the other answer after the
    third); stop at the first connection error, as a page whose server vanished."""
    recorded, typed = _questions(site)
    with httpx.Client(base_url=site.api, timeout=30) as c:
        for seq, part in enumerate(parts):
            try:
                r = c.put(
                    f"/interview/{t}/recordings/{recorded}/chunks/{seq}",
                    content=part,
                    headers={"Content-Type": "video/webm"},
                )
            except httpx.HTTPError:
                return
            with got.lock:
                if r.status_code in (200, 201):
                    got.chunks.setdefault(t, {})[seq] = _sha(part)
                else:
                    got.refused.append(f"chunk {seq}: {r.status_code} {r.text[:200]}")
            if seq == 2:
                try:
                    a = c.post(f"/interview/{t}/answers", json={"question_id": typed, "text": text})
                except httpx.HTTPError:
                    return
                with got.lock:
                    if a.status_code == 201:
                        got.answers[t] = a.json()["answer_id"]
                    else:
                        got.refused.append(f"answer: {a.status_code} {a.text[:200]}")
            time.sleep(0.25)


def test_sigkill_during_chunk_uploads_keeps_every_acknowledged_chunk(
    site: Site, parts: list[bytes]
) -> None:
    recorded, typed = _questions(site)
    tokens = site.candidates(CANDIDATES)
    text = answer_texts()[0]
    got = Uploads()
    threads = [threading.Thread(target=_upload, args=(site, t, parts, got, text)) for t in tokens]
    for th in threads:
        th.start()
    deadline = time.time() + 120
    while got.acked() < 2 * CANDIDATES and time.time() < deadline:
        time.sleep(0.02)
    site.server.kill()  # SIGKILL, mid-upload
    for th in threads:
        th.join(60)
    assert not got.refused, got.refused
    acked = got.acked()
    assert 2 * CANDIDATES <= acked < CANDIDATES * CHUNKS, acked

    # The server is down: the database and the blob store hold every acknowledged chunk.
    with site.db.session() as s:
        for t, sent in got.chunks.items():
            rec = s.scalar(
                select(Recording).where(
                    Recording.session_id == _session_id(site, t), Recording.question_id == recorded
                )
            )
            assert rec is not None and rec.status == "open"
            stored = {
                c.seq: c.blob_key
                for c in s.scalars(
                    select(RecordingChunk).where(RecordingChunk.recording_id == rec.id)
                )
            }
            for seq, sha in sent.items():
                assert stored.get(seq) == sha, (t, seq)
                with site.blobs.open(sha) as f:
                    assert _sha(f.read()) == sha

    site.server.start()

    def resume(t: str) -> None:
        """The reloaded page: what is stored, the rest of the chunks, finish (twice)."""
        with httpx.Client(base_url=f"{site.api}/interview/{t}", timeout=120) as c:
            url = f"/recordings/{recorded}"
            (take,) = c.get(url).json()["takes"]
            listed = {ch["seq"]: ch["size"] for ch in take["chunks"]}
            sent = got.chunks.get(t, {})
            # Everything acknowledged is listed (a chunk in flight at the kill may be too).
            assert {seq: len(parts[seq]) for seq in sent} == {s: listed[s] for s in sent}, t
            for seq in range(CHUNKS):
                if seq not in listed:
                    r = c.put(f"{url}/chunks/{seq}", content=parts[seq])
                    assert r.status_code == 201, r.text
            if sent:  # resending an acknowledged chunk is a no-op
                again = c.put(f"{url}/chunks/{min(sent)}", content=parts[min(sent)])
                assert again.status_code == 200, again.text
            done = c.post(f"{url}/finish", json={"chunks": CHUNKS})
            assert done.status_code == 201, done.text
            twice = c.post(f"{url}/finish", json={"chunks": CHUNKS})
            assert twice.status_code == 200, twice.text
            assert twice.json()["answer_id"] == done.json()["answer_id"]
            if t not in got.answers:  # never acknowledged: the page sends it again
                r = c.post("/answers", json={"question_id": typed, "text": text})
                assert r.status_code == 201, r.text

    with ThreadPoolExecutor(CANDIDATES) as pool:  # the pages reload at once
        list(pool.map(resume, tokens))

    whole = b"".join(parts)
    with site.db.session() as s:
        for t in tokens:
            rows = s.scalars(select(Answer).where(Answer.session_id == _session_id(site, t))).all()
            videos = [a for a in rows if a.question_id == recorded]
            assert len(videos) == 1 and videos[0].kind == "video" and videos[0].media
            with site.blobs.open(videos[0].media[0]) as f:
                media = f.read()
            with av.open(io.BytesIO(media), mode="r") as container:
                assert container.duration is not None
                assert 5.5 < container.duration / 1_000_000 < 6.5  # all 8 chunks, in order
            assert len(media) > 0.9 * len(whole)
            typed_rows = [a for a in rows if a.question_id == typed]
            assert all(a.text == text for a in typed_rows)
            if t in got.answers:  # acknowledged before the kill: stored once, kept
                assert [a.id for a in typed_rows] == [got.answers[t]]
            else:  # sent again after the restart; one more copy if the first was in flight
                assert 1 <= len(typed_rows) <= 2


# -- the database going away -----------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    start: float
    end: float
    kind: str
    token: str
    status: int
    body: dict[str, Any]
    retry_after: str | None


def _traffic(site: Site, tokens: list[str], stop: threading.Event, calls: list[Call]) -> None:
    """Candidates' requests in a loop until `stop`: open the interview, send an event, type an
    answer (every third round)."""
    recorded, typed = _questions(site)
    lock = threading.Lock()

    def loop(t: str) -> None:
        with httpx.Client(base_url=site.api, timeout=60) as c:
            n = 0
            while not stop.is_set():
                n += 1
                event = {"kind": "tab_hidden", "question_id": recorded, "client_time": n}
                steps: list[tuple[str, str, str, dict[str, Any] | None]] = [
                    ("open", "GET", f"/interview/{t}", None),
                    ("event", "POST", f"/interview/{t}/events", {"events": [event]}),
                ]
                if n % 3 == 0:
                    answer = {"question_id": typed, "text": f"Round {n}: I called the customer."}
                    steps.append(("answer", "POST", f"/interview/{t}/answers", answer))
                for kind, method, url, body in steps:
                    start = time.time()
                    r = c.request(method, url, json=body)
                    is_json = r.headers.get("content-type", "").startswith("application/json")
                    call = Call(
                        start,
                        time.time(),
                        kind,
                        t,
                        r.status_code,
                        r.json() if is_json else {},
                        r.headers.get("Retry-After"),
                    )
                    with lock:
                        calls.append(call)

    threads = [threading.Thread(target=loop, args=(t,), daemon=True) for t in tokens]
    for th in threads:
        th.start()
    stop.wait()
    for th in threads:
        th.join(90)


def _outage(
    site: Site, away: Callable[[], None], back: Callable[[], None]
) -> tuple[list[Call], list[int], float, float]:
    """Traffic for 1.5 s, the database away for OUTAGE_S (polling /ready), back, traffic for
    3 s more; (calls, /ready statuses while away, time away, time back)."""
    tokens = site.candidates(CLIENTS)
    calls: list[Call] = []
    stop = threading.Event()
    runner = threading.Thread(target=_traffic, args=(site, tokens, stop, calls))
    runner.start()
    ready_away: list[int] = []
    try:
        time.sleep(1.5)
        t_away = time.time()
        away()
        try:
            while time.time() < t_away + OUTAGE_S:
                ready_away.append(httpx.get(f"{site.server.base}/ready", timeout=30).status_code)
                time.sleep(0.3)
        finally:
            back()
        t_back = time.time()
        deadline = t_back + 30
        while httpx.get(f"{site.server.base}/ready", timeout=30).status_code != 200:
            assert time.time() < deadline, "not ready again 30 s after the database came back"
            time.sleep(0.2)
        time.sleep(3.0)
    finally:
        stop.set()
        runner.join(120)
    return calls, ready_away, t_away, t_back


def _check_outage(site: Site, calls: list[Call], ready_away: list[int], t_back: float) -> None:
    statuses = Counter(c.status for c in calls)
    assert set(statuses) <= {200, 201, 503}, statuses  # never a 500
    refused = [c for c in calls if c.status == 503]
    assert refused, f"no request saw the database away: {statuses}"
    for c in refused:
        assert "database unavailable" in c.body["error"]["message"], c.body
        assert c.retry_after is not None
    assert ready_away and all(code == 503 for code in ready_away), ready_away
    # The same process serves again by itself, no restart.
    assert site.server.proc is not None and site.server.proc.poll() is None
    late = [c for c in calls if c.start > t_back + 1.0]
    assert late and all(c.status in (200, 201) for c in late), Counter(c.status for c in late)
    # Nothing acknowledged is missing; nothing refused was stored.
    events = Counter(c.token for c in calls if c.kind == "event" and c.status == 201)
    answers = {c.body["answer_id"] for c in calls if c.kind == "answer" and c.status == 201}
    tokens = {c.token for c in calls}
    with site.db.session() as s:
        for t in tokens:
            sid = _session_id(site, t)
            stored = s.scalars(select(IntegrityEvent).where(IntegrityEvent.session_id == sid))
            assert len(stored.all()) == events[t], t
        ids = set(
            s.scalars(
                select(Answer.id).where(
                    Answer.session_id.in_([_session_id(site, t) for t in tokens])
                )
            ).all()
        )
    assert ids == answers


def test_sqlite_database_away_gives_503_then_recovers(site: Site) -> None:
    moved = site.db_dir.with_name("db.away")
    calls, ready_away, _, t_back = _outage(
        site, lambda: os.rename(site.db_dir, moved), lambda: os.rename(moved, site.db_dir)
    )
    _check_outage(site, calls, ready_away, t_back)


@pytest.fixture
def pg_site(site: Site, tmp_path: Path, pg_url: str) -> Iterator[Site]:
    # Creating a role embeds the whole competency library (~20 s on this CPU): the
    # PostgreSQL database gets a copy of the SQLite one's organization, admin and role.
    db = Database(pg_url)
    db.upgrade()
    _copy_rows(site.db, db, ROLE_TABLES)
    db.dispose()
    s = _start_site(tmp_path, pg_url, CLIENTS, site.role)
    yield s
    s.server.stop()
    s.db.dispose()


def test_postgres_connections_cut_gives_503_then_recovers(pg_site: Site) -> None:
    name = pg_site.db.url.rsplit("/", 1)[-1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    cut = threading.Event()

    def terminate() -> None:
        # Refuse new connections to this one database and cut the open ones, again and again.
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            while not cut.is_set():
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                cut.wait(0.1)

    killer = threading.Thread(target=terminate)

    def back() -> None:
        cut.set()
        killer.join(30)
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    try:
        calls, ready_away, _, t_back = _outage(pg_site, killer.start, back)
    finally:
        cut.set()
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    _check_outage(pg_site, calls, ready_away, t_back)


# -- in process: what a fault between two steps of one request does ---------------------------


@dataclass
class Local:
    """The app in this process (TestClient) over a copy of the site's role."""

    client: TestClient
    db: Database
    db_dir: Path  # the SQLite database's folder
    role: dict[str, Any]

    def candidate(self) -> str:
        """A fresh invitation with consent given."""
        login = self.client.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
        hr = {"Authorization": f"Bearer {login.json()['token']}", "Content-Type": "text/csv"}
        (inv,) = self.client.post(
            f"/api/v1/roles/{self.role['id']}/invitations/csv", content=b"Sam", headers=hr
        ).json()
        consent = {"recording": True, "ai_assessment": True}
        r = self.client.post(f"/api/v1/interview/{inv['token']}/consent", json=consent)
        assert r.status_code == 201, r.text
        return str(inv["token"])


@pytest.fixture
def local(site: Site, tmp_path: Path, backend: Any) -> Iterator[Local]:
    url = f"sqlite:///{tmp_path / 'db' / 'app.db'}"
    db = Database(url)
    db.upgrade()
    _copy_rows(site.db, db, ROLE_TABLES)
    settings = Settings(
        data_dir=tmp_path / "var", database_url=url, job_workers=0, retention_check_seconds=0
    )
    with TestClient(create_app(settings, backend=backend)) as client:
        yield Local(client, db, tmp_path / "db", site.role)
    db.dispose()


def test_answer_stored_before_the_database_goes_away_is_still_acknowledged(
    local: Local, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A typed answer is committed before its follow-up is decided. The database going away
    in between must not turn the stored answer into a 503: the page would send it again and
    it would be stored twice. (Too narrow a window to hit reliably from outside the process:
    here the database's folder is moved away right after the commit.)"""
    moved = local.db_dir.with_name("db.away")
    real = candidate._next_followup

    def database_goes_away(*args: Any, **kwargs: Any) -> Any:
        os.rename(local.db_dir, moved)
        return real(*args, **kwargs)

    monkeypatch.setattr(candidate, "_next_followup", database_goes_away)
    _, typed = (q["id"] for q in local.role["questions"])
    t = local.candidate()
    try:
        r = local.client.post(
            f"/api/v1/interview/{t}/answers", json={"question_id": typed, "text": "I called."}
        )
    finally:
        if moved.exists():
            os.rename(moved, local.db_dir)
    assert r.status_code == 201, r.text
    assert r.json()["followup"] is None
    with local.db.session() as s:
        assert s.scalars(select(Answer.id)).all() == [r.json()["answer_id"]]


def test_no_database_connection_is_held_while_a_model_works(
    local: Local, parts: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request waiting for the recognizer or the embedder (seconds when their queues are
    long) holds no pooled connection: under load a handful of such waits would otherwise
    exhaust the pool and fail every other request (seen with bench/load.py: 30 s waits, then
    500s). The real models run; the wrappers only read the pool's checked-out count."""
    pool = local.client.app.state.ctx.db.engine.pool  # type: ignore[attr-defined]
    held: dict[str, list[int]] = {"followup": [], "transcript": []}
    real_followup = candidate.followup_for
    real_finish = LiveSessions.finish

    def followup_for(*args: Any, **kwargs: Any) -> Any:
        held["followup"].append(pool.checkedout())
        return real_followup(*args, **kwargs)

    def finish(self: LiveSessions, *args: Any, **kwargs: Any) -> Any:
        held["transcript"].append(pool.checkedout())
        return real_finish(self, *args, **kwargs)

    monkeypatch.setattr(candidate, "followup_for", followup_for)
    monkeypatch.setattr(LiveSessions, "finish", finish)
    recorded, typed = (q["id"] for q in local.role["questions"])
    t = local.candidate()
    base = f"/api/v1/interview/{t}"
    for seq, part in enumerate(parts):
        r = local.client.put(f"{base}/recordings/{recorded}/chunks/{seq}", content=part)
        assert r.status_code == 201, r.text
    r = local.client.post(f"{base}/recordings/{recorded}/finish", json={"chunks": len(parts)})
    assert r.status_code == 201, r.text
    r = local.client.post(f"{base}/answers", json={"question_id": typed, "text": "I called."})
    assert r.status_code == 201, r.text
    # The recording holds no speech: no probe is decided for it (one asking for "more" would
    # blame the candidate for the device), and the report will say why.
    assert held == {"followup": [0], "transcript": [0]}, held
    with local.db.session() as s:
        kept = {d.question_id: d.outcome for d in s.scalars(select(FollowUpDecision)).all()}
    assert kept.get(recorded) == "no_words", kept


def test_finish_uses_the_transcript_built_while_the_chunks_arrived(
    local: Local, parts: list[bytes]
) -> None:
    """The live transcriber is fed the chunks as uploaded; finishing hands it the same bytes
    (not the remuxed file, which always differs and made every finish transcribe the whole
    recording again: twice the recognizer's work, seen as a saturated queue under load)."""
    live = live_sessions(local.client.app.state.ctx.backend)  # type: ignore[attr-defined]
    before = dict(live.counts)
    recorded, _ = (q["id"] for q in local.role["questions"])
    base = f"/api/v1/interview/{local.candidate()}/recordings/{recorded}"
    for seq, part in enumerate(parts):
        assert local.client.put(f"{base}/chunks/{seq}", content=part).status_code == 201
    assert local.client.post(f"{base}/finish", json={"chunks": len(parts)}).status_code == 201
    # Only how this answer finished: earlier tests' live state may be dropped as idle meanwhile.
    changed = {
        k: v - before.get(k, 0)
        for k, v in live.counts.items()
        if k.startswith("finished_") and v != before.get(k, 0)
    }
    assert changed == {"finished_live": 1}, changed


def test_no_free_database_connection_is_503_not_500(
    local: Local, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every pooled connection busy past the pool's timeout is overload: 503 and Retry-After
    (it was a 500 under bench/load.py's 100 candidates before uploads stopped holding them)."""
    t = local.candidate()
    engine = local.client.app.state.ctx.db.engine  # type: ignore[attr-defined]
    monkeypatch.setattr(engine.pool, "_timeout", 0.2)  # seconds a checkout waits
    held = []
    try:
        while engine.pool.checkedout() < engine.pool.size() + engine.pool._max_overflow:
            held.append(engine.connect())
        busy = local.client.get(f"/api/v1/interview/{t}")
    finally:
        for conn in held:
            conn.close()
    assert busy.status_code == 503, busy.text
    assert "busy" in busy.json()["error"]["message"] and busy.headers["Retry-After"]
    assert local.client.get(f"/api/v1/interview/{t}").status_code == 200


# -- load ------------------------------------------------------------------------------------

QUICK = LoadConfig(
    candidates=10, seconds=10.0, chunk_interval_s=0.3, typing_s=1.0, step_s=0.1, timeout_s=120.0
)


def test_reduced_load_loses_nothing(site: Site, parts: list[bytes]) -> None:
    tokens = [site.tokens.pop() for _ in range(tokens_needed(QUICK))]
    tally, _ = asyncio.run(run_candidates(site.server.base, tokens, parts, answer_texts(), QUICK))
    assert tally.sessions >= QUICK.candidates
    assert len(tally.chunks) >= QUICK.candidates and len(tally.answers) >= QUICK.candidates
    assert server_errors(tally, allowed=()) == {}, dict(tally.statuses)
    checked = verify(site.db.url, site.blobs.root, tally)
    assert checked["lost_answers"] == 0 and checked["lost_chunks"] == 0, checked
    assert checked["stored_unacknowledged"] == 0, checked
