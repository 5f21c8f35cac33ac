"""Every route, every actor: who may call what, against an explicit table.

The actors are an anonymous caller, a candidate (the invite token of an interview in
organization A), each HR role of organization A and the admin of organization B. Every route
the app serves is called by every actor with real ids from organization A, and the answer is
checked against TABLE: an allowed actor gets the status listed there, anyone else a refusal
(401, 403 or 404). A route missing from TABLE fails the test, so the table has to grow with
the API. Whatever organization B's admin gets back never holds an identifier of A's, and no
answer to a candidate's token carries a score, a level, an integrity level or flags.
"""

from __future__ import annotations

import itertools
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select

from interview.accounts.credentials import read_token
from interview.accounts.users import create_user
from interview.api.app import create_app
from interview.api.routes.sessions import MEDIA_LINK_HOURS, _media_secret
from interview.config import Settings
from interview.storage.db import Database
from interview.storage.tables import Answer, Job, User
from tests.api.conftest import PASSWORD, seed_org
from tests.conftest import SHARED

JFK = SHARED / "data" / "audio" / "jfk.flac"
CLIP = SHARED / "data" / "video" / "one_person_center.mp4"

ANONYMOUS, CANDIDATE, OTHER_ADMIN = "anonymous", "candidate", "other_admin"
HR_ROLES = ("admin", "recruiter", "reviewer", "hiring_manager")
ACTORS = (ANONYMOUS, CANDIDATE, *HR_ROLES, OTHER_ADMIN)

EVERYONE = frozenset(ACTORS)
NOBODY: frozenset[str] = frozenset()
CANDIDATE_ONLY = frozenset({CANDIDATE})
HR_A = frozenset(HR_ROLES)  # any HR user of organization A
HR_ANY = HR_A | {OTHER_ADMIN}  # any signed-in HR user; B sees only B's rows
WRITERS_A = frozenset({"admin", "recruiter"})
WRITERS_ANY = WRITERS_A | {OTHER_ADMIN}
ADMIN_A = frozenset({"admin"})
ADMINS_ANY = ADMIN_A | {OTHER_ADMIN}
# The reviewer may change levels and decide once the interview is assigned to them (the
# PUT .../reviewer row runs first and assigns it); hiring managers only read.
DECIDERS = WRITERS_A | {"reviewer"}
REFUSED = {401, 403, 404}

RESUME = (
    "Alex Walker\nExperience\nShift lead, Corner Shop, 2021-2024\n"
    "Cashier, Big Market, 2019-2021\nEducation\nCity College, 2019\n"
)


@dataclass
class World:
    """Organization A's ids, the candidates' tokens and the media the calls upload."""

    client: TestClient
    ids: dict[str, str]
    token: str  # the walking candidate's invite token (an interview in progress)
    scored_token: str  # the invite token of the scored interview
    media: dict[str, bytes]
    weights: dict[str, float]
    override_levels: dict[str, int]  # per deciding actor: a level unlike the machine's
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=itertools.count)

    def login(self, actor: str) -> dict[str, str]:
        if actor not in self.headers:
            email = "admin@other.test" if actor == OTHER_ADMIN else f"{actor}@acme.test"
            r = self.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            assert r.status_code == 200, r.text
            self.headers[actor] = {"Authorization": f"Bearer {r.json()['token']}"}
        return self.headers[actor]

    def auth(self, actor: str) -> dict[str, str]:
        """The credentials an actor holds: HR users their bearer token; a candidate only has
        the invite token, which it tries as a bearer token too."""
        if actor == ANONYMOUS:
            return {}
        if actor == CANDIDATE:
            return {"Authorization": f"Bearer {self.token}"}
        return self.login(actor)


Request = Callable[[World, str], dict[str, Any]]


def _none(w: World, actor: str) -> dict[str, Any]:
    return {}


def _nothing_after(w: World, actor: str, r: httpx.Response) -> None:
    return None


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    ok: int = 200  # the status an allowed actor gets
    request: Request = _none  # extra httpx arguments (json=, content=, files=, params=)
    ids: dict[str, str] = field(default_factory=dict)  # path ids other than the defaults
    revokes: bool = False  # ends the caller's sessions: sign in again afterwards
    after: Callable[[World, str, httpx.Response], None] = _nothing_after  # undo, once called


def _json(body: dict[str, Any]) -> Request:
    return lambda w, a: {"json": body}


def _login(w: World, actor: str) -> dict[str, Any]:
    if actor in HR_ROLES:
        email = f"{actor}@acme.test"
    elif actor == OTHER_ADMIN:
        email = "admin@other.test"
    else:
        email = "nobody@nowhere.test"  # no credentials: a wrong guess
    return {"json": {"email": email, "password": PASSWORD if "@nowhere" not in email else "x"}}


def _new_user(w: World, actor: str) -> dict[str, Any]:
    n = next(w.counter)
    return {
        "json": {
            "email": f"walk{n}@acme.test",
            "name": f"Walk {n}",
            "role": "reviewer",
            "password": "long enough password",
        }
    }


WALK_PASSWORD = "walking past the bakery"


def _change_password(w: World, actor: str) -> dict[str, Any]:
    return {"json": {"current_password": PASSWORD, "new_password": WALK_PASSWORD}}


def _restore_password(w: World, actor: str, r: httpx.Response) -> None:
    """Change the password back (with the fresh token the change returned): every actor signs
    in with PASSWORD afterwards."""
    if r.status_code != 200:
        return
    back = w.client.post(
        f"{API}/auth/password",
        headers={"Authorization": f"Bearer {r.json()['token']}"},
        json={"current_password": WALK_PASSWORD, "new_password": PASSWORD},
    )
    assert back.status_code == 200, back.text


def _weights(w: World, actor: str) -> dict[str, Any]:
    return {"json": {"weights": w.weights, "max_questions": 2}}


def _override(w: World, actor: str) -> dict[str, Any]:
    competency, level = next(iter(w.override_levels.items()))
    return {
        "json": {
            "competency_id": competency,
            "level": w.override_levels.get(actor, level),
            "reason": "Checked the recording again.",
        }
    }


def _reviewer(w: World, actor: str) -> dict[str, Any]:
    return {"json": {"reviewer_id": w.ids["reviewer_id"]}}


def _resume_file(w: World, actor: str) -> dict[str, Any]:
    return {"files": {"file": ("cv.txt", RESUME.encode(), "text/plain")}}


def _media(w: World, actor: str) -> dict[str, Any]:
    return {
        "data": {"question_id": "history:duration"},
        "files": {"file": ("answer.wav", w.media["wav"], "audio/wav")},
    }


def _chunk(w: World, actor: str) -> dict[str, Any]:
    return {"content": w.media["webm"], "headers": {"Content-Type": "video/webm"}}


def _photo(w: World, actor: str) -> dict[str, Any]:
    return {"content": w.media["photo"], "headers": {"Content-Type": "image/jpeg"}}


def _csv(w: World, actor: str) -> dict[str, Any]:
    n = next(w.counter)
    return {
        "content": f"Csv Walker {n},csv{n}@example.test,en\n",
        "headers": {"Content-Type": "text/csv"},
    }


API = "/api/v1"
ROLE = f"{API}/roles/{{role_id}}"
SESSION = f"{API}/sessions/{{session_id}}"
INTERVIEW = f"{API}/interview/{{token}}"

# (method, path template) -> who may call it. Ordered: state-changing calls run in this order
# (the reviewer is assigned before levels change; the candidate answers before finishing).
TABLE: dict[tuple[str, str], Rule] = {
    # -- public: liveness, readiness, metrics, the docs and the way to the pages
    ("GET", "/health"): Rule(EVERYONE),
    ("GET", "/ready"): Rule(EVERYONE),
    # metrics: loopback only by default, and this client is not on it (tests/api/test_metrics.py)
    ("GET", "/metrics"): Rule(NOBODY),
    ("GET", "/"): Rule(EVERYONE, ok=307),
    ("GET", f"{API}/openapi.json"): Rule(EVERYONE),
    ("GET", "/docs"): Rule(EVERYONE),
    ("GET", "/docs/oauth2-redirect"): Rule(EVERYONE),
    ("GET", "/redoc"): Rule(EVERYONE),
    # -- signing in: anyone may try; only HR users hold a password
    ("POST", f"{API}/auth/login"): Rule(HR_ANY, request=_login),
    ("GET", f"{API}/auth/me"): Rule(HR_ANY),
    # -- roles
    ("GET", f"{API}/roles"): Rule(HR_ANY),
    ("POST", f"{API}/roles"): Rule(
        WRITERS_ANY, ok=201, request=_json({"title": "Shelf stacker", "max_questions": 1})
    ),
    ("GET", ROLE): Rule(HR_A),
    ("PUT", f"{ROLE}/competencies"): Rule(WRITERS_A, request=_weights),
    ("POST", f"{ROLE}/plan-preview"): Rule(WRITERS_A, request=_weights),
    ("PUT", f"{ROLE}/persona"): Rule(WRITERS_A, request=_json({"name": "Sam"})),
    ("DELETE", f"{ROLE}/persona"): Rule(WRITERS_A),
    ("PUT", f"{ROLE}/scoring"): Rule(WRITERS_A, request=_json({})),
    ("GET", f"{ROLE}/versions"): Rule(HR_A),
    ("POST", f"{ROLE}/invitations"): Rule(
        WRITERS_A, ok=201, request=_json({"candidate_name": "Invited Walker"})
    ),
    ("POST", f"{ROLE}/invitations/csv"): Rule(WRITERS_A, ok=201, request=_csv),
    ("GET", f"{ROLE}/compare"): Rule(HR_A),
    ("GET", f"{ROLE}/fairness"): Rule(HR_A),
    # -- interviews as HR sees them
    ("GET", f"{API}/sessions"): Rule(HR_ANY),
    ("GET", f"{API}/sessions.csv"): Rule(HR_ANY),
    ("GET", f"{SESSION}/report"): Rule(HR_A),
    ("GET", f"{SESSION}/report.json"): Rule(HR_A),
    ("GET", f"{SESSION}/report.pdf"): Rule(HR_A),
    ("GET", f"{SESSION}/answers/{{answer_id}}/media"): Rule(HR_A),
    ("POST", f"{SESSION}/invitation"): Rule(
        WRITERS_A, request=_json({"expires_days": 7}), ids={"session_id": "invited_session_id"}
    ),
    ("POST", f"{SESSION}/resume"): Rule(
        WRITERS_A, request=_resume_file, ids={"session_id": "invited_session_id"}
    ),
    ("GET", f"{SESSION}/history"): Rule(HR_A),
    ("GET", f"{API}/jobs/{{job_id}}"): Rule(HR_A),
    # -- human review
    ("PUT", f"{SESSION}/reviewer"): Rule(WRITERS_A, request=_reviewer),
    ("POST", f"{SESSION}/overrides"): Rule(DECIDERS, ok=201, request=_override),
    ("PUT", f"{SESSION}/decision"): Rule(
        DECIDERS, request=_json({"decision": "hold", "reason": "Waiting for references."})
    ),
    # Writers may queue scoring again; this interview's scoring did not fail, so 409 (not a
    # refusal) says they were let through.
    ("POST", f"{SESSION}/scoring"): Rule(WRITERS_A, ok=409),
    ("POST", f"{SESSION}/review-request/answer"): Rule(
        DECIDERS, request=_json({"note": "Watched every recording again."})
    ),
    ("GET", f"{SESSION}/audit"): Rule(HR_A),
    # -- tools
    ("GET", f"{API}/library/competencies"): Rule(HR_ANY),
    ("GET", f"{API}/library/roles"): Rule(HR_ANY),
    ("POST", f"{API}/followups"): Rule(
        HR_ANY,
        request=_json({"competency_id": "customer_orientation", "answer": "I helped them."}),
    ),
    ("POST", f"{API}/resumes/parse"): Rule(HR_ANY, request=_resume_file),
    # -- users and the organization (B's admin acts on B: allowed, and sees only B)
    ("GET", f"{API}/users"): Rule(WRITERS_ANY),
    ("POST", f"{API}/users"): Rule(ADMINS_ANY, ok=201, request=_new_user),
    ("PATCH", f"{API}/users/{{user_id}}"): Rule(ADMIN_A, request=_json({"name": "Spare Two"})),
    ("POST", f"{API}/users/{{user_id}}/sign-out"): Rule(ADMIN_A, ok=204),
    ("POST", f"{API}/users/{{user_id}}/password"): Rule(ADMIN_A, request=_json({})),
    ("GET", f"{API}/organization"): Rule(HR_ANY),
    ("PUT", f"{API}/organization/persona"): Rule(ADMINS_ANY, request=_json({"name": "Kim"})),
    ("PUT", f"{API}/organization/self-report-groups"): Rule(
        ADMINS_ANY, request=_json({"groups": ["Under 40", "40 or over"]})
    ),
    # -- privacy
    ("GET", f"{API}/candidates/{{candidate_id}}/export"): Rule(ADMIN_A),
    ("DELETE", f"{API}/candidates/{{candidate_id}}"): Rule(
        ADMIN_A, ids={"candidate_id": "erasable_candidate_id"}
    ),
    ("PUT", f"{API}/organization/retention"): Rule(
        ADMINS_ANY, request=_json({"retention_days": None})
    ),
    ("GET", f"{API}/review-requests"): Rule(HR_ANY),
    # -- model serving for other nodes: off unless INTERVIEW_NODE_API_KEY is set
    ("GET", "/v1/models"): Rule(NOBODY),
    ("POST", "/v1/embeddings"): Rule(NOBODY),
    ("POST", "/v1/completions"): Rule(NOBODY),
    ("POST", "/v1/chat/completions"): Rule(NOBODY),
    ("POST", "/v1/audio/transcriptions"): Rule(NOBODY),
    # -- the candidate, through the invite token only
    ("GET", INTERVIEW): Rule(CANDIDATE_ONLY),
    ("POST", f"{INTERVIEW}/consent"): Rule(
        CANDIDATE_ONLY,
        ok=201,
        request=_json({"recording": True, "ai_assessment": True, "biometric": True}),
    ),
    ("GET", f"{INTERVIEW}/persona"): Rule(CANDIDATE_ONLY),
    ("GET", f"{INTERVIEW}/self-report"): Rule(CANDIDATE_ONLY),
    ("POST", f"{INTERVIEW}/self-report"): Rule(
        CANDIDATE_ONLY,
        ok=201,
        request=_json({"group": None}),  # none: withdrawn
    ),
    ("POST", f"{INTERVIEW}/questions/{{question_id}}/shown"): Rule(CANDIDATE_ONLY),
    ("POST", f"{INTERVIEW}/events"): Rule(
        CANDIDATE_ONLY,
        ok=201,
        request=_json({"events": [{"kind": "tab_hidden", "client_time": 1_780_000_000_000}]}),
    ),
    ("POST", f"{INTERVIEW}/answers"): Rule(
        CANDIDATE_ONLY,
        ok=201,
        request=_json({"question_id": "history:job", "text": "Cashier at Big Market."}),
    ),
    ("POST", f"{INTERVIEW}/media"): Rule(CANDIDATE_ONLY, ok=201, request=_media),
    ("PUT", f"{INTERVIEW}/recordings/{{question_id}}/chunks/{{seq}}"): Rule(
        CANDIDATE_ONLY, ok=201, request=_chunk
    ),
    ("GET", f"{INTERVIEW}/recordings/{{question_id}}"): Rule(CANDIDATE_ONLY),
    ("POST", f"{INTERVIEW}/recordings/{{question_id}}/finish"): Rule(
        CANDIDATE_ONLY, ok=201, request=_json({"chunks": 1, "take": 1})
    ),
    ("POST", f"{INTERVIEW}/enrollment"): Rule(CANDIDATE_ONLY, ok=201, request=_photo),
    ("POST", f"{INTERVIEW}/review-request"): Rule(
        CANDIDATE_ONLY, ok=201, request=_json({"reason": "Please have a person look."})
    ),
    ("POST", f"{INTERVIEW}/complete"): Rule(CANDIDATE_ONLY, ok=202),
    # -- changing one's password and signing out last: they end the caller's other sessions
    ("POST", f"{API}/auth/password"): Rule(
        HR_ANY, request=_change_password, revokes=True, after=_restore_password
    ),
    ("POST", f"{API}/auth/logout"): Rule(HR_ANY, ok=204, revokes=True),
}
# Keys whose presence would show a candidate a score, a level or an integrity judgement.
# ("integrity" also names a competency candidates see in question ids, so keys, not text.)
SCORE_WORDS = ("overall", "integrity", "level", "flags")


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, from its OpenAPI schema and its route table
    (which also holds the routes kept out of the schema)."""
    found = {
        (method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops
    }
    for route in iter_route_contexts(app.routes):
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


def test_the_table_names_every_route_and_only_those(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "var", job_workers=0))
    routes = app_routes(app)
    missing = sorted(routes - set(TABLE))
    assert not missing, f"routes missing from TABLE (say who may call them): {missing}"
    stale = sorted(set(TABLE) - routes)
    assert not stale, f"TABLE names routes the app no longer has: {stale}"


# -- the world ----------------------------------------------------------------------------


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("walk-media")
    _ffmpeg("-i", str(JFK), "-t", "4", "-ac", "1", "-ar", "16000", "-sample_fmt", "s16",
            str(out / "a.wav"))  # fmt: skip
    _ffmpeg("-i", str(JFK), "-t", "3", "-ac", "1", "-c:a", "libopus", "-b:a", "32k",
            "-f", "webm", str(out / "a.webm"))  # fmt: skip
    _ffmpeg("-ss", "2", "-i", str(CLIP), "-frames:v", "1", str(out / "me.jpg"))
    return {name: (out / f).read_bytes() for name, f in
            (("wav", "a.wav"), ("webm", "a.webm"), ("photo", "me.jpg"))}  # fmt: skip


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, backend: Any, media: dict[str, bytes]
) -> Iterator[World]:
    """Organization A with a scored interview (text and recorded answers, a review request),
    an interview in progress for the walking candidate, one to renew, one to erase and a
    spare user; organization B with its own users."""
    root = tmp_path_factory.mktemp("walk")
    url = f"sqlite:///{root / 'walk.db'}"
    settings = Settings(
        data_dir=root / "var",
        database_url=url,
        job_poll_seconds=0.05,
        max_body_bytes=4 * 1024 * 1024,
        integrity_reference_answers=False,
        retention_check_seconds=0,
    )
    db = Database(url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    seed_org(db, "Other Co", "other.test")
    with db.session() as s:
        org_a = s.scalar(select(User.organization_id).where(User.email == "admin@acme.test"))
        assert org_a is not None
        create_user(s, org_a, "spare@acme.test", "Spare", "reviewer", PASSWORD, datetime.now(UTC))
    with TestClient(create_app(settings, backend=backend)) as client:
        w = World(client, {}, "", "", media, {}, {})
        hr = w.login("admin")
        r = client.post(
            f"{API}/roles",
            headers=hr,
            json={"title": "Cashier", "max_questions": 2, "choice_items": 0, "work_history": True},
        )
        assert r.status_code == 201, r.text
        role = r.json()
        w.weights = {c["id"]: c["weight"] for c in role["competencies"]}

        def invite(name: str) -> dict[str, Any]:
            r = client.post(
                f"{API}/roles/{role['id']}/invitations", headers=hr, json={"candidate_name": name}
            )
            assert r.status_code == 201, r.text
            return dict(r.json())

        scored, walking = invite("Quentin Walkabout"), invite("Rosalind Walkabout")
        renewable, erasable = invite("Renata Walkabout"), invite("Erasmus Walkabout")
        t = scored["token"]
        consent = {"recording": True, "ai_assessment": True, "biometric": True}
        assert client.post(f"{API}/interview/{t}/consent", json=consent).status_code == 201
        # The open question the candidate records (which one the plan draws rotates per role).
        open_kinds = ("behavioural", "situational")
        qid = next(q["id"] for q in role["questions"] if q["kind"] in open_kinds)
        for q in role["questions"]:
            if q["id"] == qid:
                r = client.post(
                    f"{API}/interview/{t}/media",
                    data={"question_id": q["id"]},
                    files={"file": ("a.wav", media["wav"], "audio/wav")},
                )
            else:
                r = client.post(
                    f"{API}/interview/{t}/answers",
                    json={"question_id": q["id"], "text": "I served customers for two years "
                          "and handled the till, returns and complaints on my own."},
                )  # fmt: skip
            assert r.status_code == 201, r.text
        client.post(f"{API}/interview/{t}/review-request", json={"reason": "Please check."})
        job = client.post(f"{API}/interview/{t}/complete").json()["job_id"]
        deadline = time.time() + 300
        while client.get(f"{API}/jobs/{job}", headers=hr).json()["status"] in ("queued", "running"):
            assert time.time() < deadline, "the scoring job did not finish"
            time.sleep(0.2)
        report = client.get(f"{API}/sessions/{scored['session_id']}/report", headers=hr).json()
        assert report["competencies"], report
        machine = {c["competency_id"]: c["level"] for c in report["competencies"]}
        competency = next(iter(machine))
        others = [lv for lv in range(1, 6) if lv != machine[competency]]
        # Each decider sets a level unlike the one before it, so no override is a no-op.
        w.override_levels = {competency: others[0]} | {
            actor: others[i % 2] for i, actor in enumerate(sorted(DECIDERS))
        }
        with db.session() as s:
            answer = s.scalar(
                select(Answer.id).where(
                    Answer.session_id == scored["session_id"], Answer.kind == "audio"
                )
            )
            users = dict(s.execute(select(User.email, User.id)).all())  # type: ignore[arg-type]
        assert answer is not None
        w.ids = {
            "role_id": role["id"],
            "session_id": scored["session_id"],
            "candidate_id": scored["candidate_id"],
            "answer_id": answer,
            "job_id": job,
            "invited_session_id": renewable["session_id"],
            "erasable_candidate_id": erasable["candidate_id"],
            "user_id": users["spare@acme.test"],
            "reviewer_id": users["reviewer@acme.test"],
            "question_id": qid,
            "seq": "0",
        }
        w.token, w.scored_token = walking["token"], t
        w.ids["token"] = w.token
        # Everything of A's that B must never see: ids, the candidates' names.
        w.ids["_names"] = "Walkabout"
        yield w
        # The walking candidate finished too: let that scoring job end before the app stops
        # (a model mid-inference in a thread when the process exits aborts it).
        deadline = time.time() + 300
        while time.time() < deadline:
            with db.session() as s:
                if not s.scalar(select(Job.id).where(Job.status.in_(("queued", "running")))):
                    break
            time.sleep(0.5)
    db.dispose()


def _secrets_of_a(w: World) -> list[str]:
    keys = ("role_id", "session_id", "candidate_id", "answer_id", "job_id", "user_id",
            "reviewer_id", "invited_session_id", "_names")  # fmt: skip
    return [w.ids[k] for k in keys]


def _url(w: World, template: str, rule: Rule, actor: str) -> str:
    ids = {**w.ids, **{k: w.ids[v] for k, v in rule.ids.items()}}
    if actor != CANDIDATE:
        ids["token"] = "x" * 43  # no invite token: a guess of the right shape
    return template.format(**ids)


def _score_keys(value: Any, path: str = "") -> list[str]:
    """Paths of JSON keys that name a score, level, integrity level or flags."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if any(word in str(k).lower() for word in SCORE_WORDS):
                found.append(f"{path}.{k}")
            found += _score_keys(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _score_keys(v, f"{path}[{i}]")
    return found


def _scores_in(r: httpx.Response) -> list[str]:
    if "json" not in r.headers.get("content-type", "") or not r.content:
        return []
    return _score_keys(r.json())


def test_every_route_for_every_actor(world: World) -> None:
    w = world
    problems: list[str] = []
    calls = 0
    for (method, template), rule in TABLE.items():
        # Refused actors first: a refused call must not change what the allowed ones meet.
        order = sorted(ACTORS, key=lambda a: a in rule.allowed)
        for actor in order:
            url = _url(w, template, rule, actor)
            extra = rule.request(w, actor)
            headers = {**w.auth(actor), **extra.pop("headers", {})}
            r = w.client.request(method, url, headers=headers, follow_redirects=False, **extra)
            calls += 1
            where = f"{actor:>14} {method} {template} -> {r.status_code}"
            if actor in rule.allowed and r.status_code != rule.ok:
                problems.append(f"{where}, expected {rule.ok}: {r.text[:200]}")
            elif actor not in rule.allowed and r.status_code not in REFUSED:
                problems.append(f"{where}, expected a refusal (401/403/404): {r.text[:200]}")
            if actor == OTHER_ADMIN:
                # (An error may repeat the id it was asked about; anything more is a leak.)
                leaked = [x for x in _secrets_of_a(w) if x in r.text and x not in url]
                if leaked:
                    problems.append(f"{where}: organization B saw A's {leaked}")
            if actor == CANDIDATE and rule.allowed != EVERYONE:  # (the public schema names all)
                leaked = _scores_in(r)
                if leaked:
                    problems.append(f"{where}: a candidate was shown {leaked}")
            if actor == ANONYMOUS and r.status_code == 403:
                problems.append(f"{where}: anonymous callers get 401, not 403")
            if rule.revokes and r.status_code == rule.ok:
                w.headers.pop(actor, None)  # its tokens were revoked: sign in again
            rule.after(w, actor, r)
    assert calls == len(TABLE) * len(ACTORS)
    assert not problems, "\n".join(problems)


def test_a_candidate_never_reads_a_score_even_when_scored(world: World) -> None:
    """The scored interview's own token: every read a candidate can make, and HR's reads
    tried with that token, show no score, level, integrity level or flag."""
    w = world
    t = w.scored_token
    qid = w.ids["question_id"]
    for path in ("", "/persona", f"/recordings/{qid}"):
        r = w.client.get(f"{API}/interview/{t}{path}")
        assert r.status_code == 200, r.text
        assert not _scores_in(r), (path, r.text)
    sid = w.ids["session_id"]
    bearer = {"Authorization": f"Bearer {t}"}
    for path in (f"/sessions/{sid}/report", "/sessions", f"/sessions/{sid}/audit"):
        assert w.client.get(f"{API}{path}", headers=bearer).status_code == 401
    # The finished interview refuses new answers but keeps answering reads.
    r = w.client.post(f"{API}/interview/{t}/answers", json={"question_id": qid, "text": "More."})
    assert r.status_code == 409


def test_signed_media_links_are_read_only_scoped_short_lived_and_revocable(
    world: World,
) -> None:
    w = world
    hr = w.login("recruiter")
    sid, aid = w.ids["session_id"], w.ids["answer_id"]
    report = w.client.get(f"{API}/sessions/{sid}/report", headers=hr).json()
    link = next(a["media_url"] for a in report["answers"] if a.get("media_url"))
    access = link.split("access=", 1)[1]
    secret = w.client.app.state.ctx.settings.secret_key  # type: ignore[attr-defined]
    claims = read_token(_media_secret(secret, aid), access, datetime.now(UTC))
    lifetime = claims.expires.timestamp() - time.time()
    assert 0 < lifetime <= MEDIA_LINK_HOURS * 3600 + 5
    assert MEDIA_LINK_HOURS <= 1  # short-lived

    assert w.client.get(link).status_code == 200  # a <video> sends no header: the link works
    assert w.client.post(link).status_code == 405  # read-only
    assert w.client.delete(link).status_code == 405
    # Scoped to its answer: another answer id with the same link is refused.
    with w.client.app.state.ctx.db.session() as s:  # type: ignore[attr-defined]
        other = s.scalar(
            select(Answer.id).where(Answer.session_id == sid, Answer.id != aid).limit(1)
        )
    assert other is not None
    elsewhere = link.replace(f"/answers/{aid}/", f"/answers/{other}/")
    assert w.client.get(elsewhere).status_code == 401
    # Not a sign-in token, and a sign-in token is not a media link.
    as_bearer = {"Authorization": f"Bearer {access}"}
    assert w.client.get(f"{API}/auth/me", headers=as_bearer).status_code == 401
    bearer_token = hr["Authorization"].split()[1]
    assert w.client.get(link.replace(access, bearer_token)).status_code == 401
    # Organization B's admin cannot use A's link with their own sign-in either.
    b = w.login(OTHER_ADMIN)
    assert w.client.get(link.split("?")[0], headers=b).status_code == 404
    # Signing out everywhere kills the links made for that user.
    assert w.client.post(f"{API}/auth/logout", headers=hr).status_code == 204
    w.headers.pop("recruiter", None)
    dead = w.client.get(link)
    assert dead.status_code == 401 and "signed out" in dead.json()["error"]["message"]


def test_no_credential_is_read_from_a_cookie(world: World) -> None:
    """CSRF needs an ambient credential; a valid token in any cookie must not sign anyone in."""
    w = world
    token = w.login("admin")["Authorization"].split()[1]
    names = ("token", "access_token", "Authorization", "session", "interview.hr.token")
    for name in names:
        w.client.cookies.set(name, token)
    try:
        for method, path in (("GET", f"{API}/auth/me"), ("GET", f"{API}/sessions"),
                             ("POST", f"{API}/auth/logout")):  # fmt: skip
            r = w.client.request(method, path)
            assert r.status_code == 401, (path, r.text)
        r = w.client.get(f"{API}/auth/me", headers=w.login("admin"))
        assert r.status_code == 200  # the token itself is fine in the header
        assert "set-cookie" not in r.headers
    finally:
        w.client.cookies.clear()
    login = w.client.post(
        f"{API}/auth/login", json={"email": "admin@acme.test", "password": PASSWORD}
    )
    assert login.status_code == 200 and "set-cookie" not in login.headers
