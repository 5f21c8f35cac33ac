"""Sign-in hardening: rate limits, sign-out everywhere, expiring tokens, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from interview.accounts.credentials import read_token, sign_token
from interview.api.ratelimit import SignInLimiter
from interview.errors import Unauthorized
from interview.storage.db import MIGRATIONS, Database
from interview.storage.tables import AuditEvent, User
from tests.api.conftest import PASSWORD, Api

API = "/api/v1"


def _login(api: Api, email: str, password: str) -> tuple[int, dict[str, str], dict]:  # type: ignore[type-arg]
    r = api.client.post(f"{API}/auth/login", json={"email": email, "password": password})
    return r.status_code, dict(r.headers), r.json() if r.content else {}


def _audit(api: Api, action: str) -> list[AuditEvent]:
    with api.db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_failed_sign_ins_lock_the_account_then_429_with_retry_after(api: Api) -> None:
    for _ in range(5):
        status, _, body = _login(api, "recruiter@acme.test", "wrong password")
        assert status == 401 and body["error"]["message"] == "e-mail or password is wrong"
    # The sixth attempt is refused before the password is checked, even the right one.
    status, headers, body = _login(api, "Recruiter@Acme.test ", PASSWORD)
    assert status == 429, body
    assert "account" in body["error"]["message"] and "try again in" in body["error"]["message"]
    assert 800 <= int(headers["retry-after"]) <= 900
    # Other accounts from the same address still sign in (the address limit is higher).
    assert _login(api, "reviewer@acme.test", PASSWORD)[0] == 200

    failed = _audit(api, "auth.login_failed")
    reasons = sorted(e.detail["reason"] for e in failed)
    assert reasons == ["rate_limited_account"] + ["wrong_password"] * 5
    with api.db.session() as s:
        recruiter = s.scalar(select(User).where(User.email == "recruiter@acme.test"))
        assert recruiter is not None
        assert {e.subject for e in failed} == {f"user:{recruiter.id}"}
        assert {e.organization_id for e in failed} == {recruiter.organization_id}
    logged = " ".join(str(e.detail) + e.actor + e.subject for e in failed)
    assert "wrong password" not in logged and PASSWORD not in logged
    assert len(_audit(api, "auth.login")) == 1  # the reviewer's


def test_unknown_accounts_are_audited_without_the_address_typed(api: Api) -> None:
    status, _, _ = _login(api, "hunter2-typed-in-the-email-box@x.test", "hunter2")
    assert status == 401
    (event,) = _audit(api, "auth.login_failed")
    assert event.subject == "user:unknown" and event.organization_id is None
    assert event.detail == {"reason": "unknown_account"}
    assert "hunter2" not in f"{event.actor} {event.subject} {event.detail}"


def test_failed_sign_ins_from_one_address_are_limited_across_accounts(api: Api) -> None:
    limiter = api.client.app.state.ctx.signin  # type: ignore[attr-defined]
    for i in range(limiter.max_per_address):
        assert _login(api, f"guess{i}@acme.test", "nope")[0] == 401
    status, headers, body = _login(api, "admin@acme.test", PASSWORD)
    assert status == 429 and "address" in body["error"]["message"]
    assert int(headers["retry-after"]) > 0


def test_a_success_forgives_the_accounts_failures_not_the_addresses() -> None:
    lim = SignInLimiter(max_per_account=3, max_per_address=5, window_s=60)
    for t in (0, 1):
        assert lim.attempt("a@x.test", "10.0.0.1", t) is None  # two wrong passwords
    assert lim.attempt("a@x.test", "10.0.0.1", 2) is None
    lim.succeeded("A@X.test", "10.0.0.1", 2)  # the third was right
    for t in (3, 4):
        assert lim.attempt("a@x.test", "10.0.0.1", t) is None
    assert lim.attempt("a@x.test", "10.0.0.1", 5) is None  # 3 since the success, not 5
    refusal = lim.attempt("b@x.test", "10.0.0.1", 6)  # the address kept its 5 failures
    assert refusal is not None and refusal.scope == "address"


def test_parallel_guesses_are_held_to_the_limit() -> None:
    """Attempts count before the (slow) password check, so a burst cannot outrun them."""
    lim = SignInLimiter(max_per_account=5, max_per_address=100, window_s=60)
    admitted = [lim.attempt("a@x.test", f"10.0.0.{i}", 0.0) is None for i in range(40)]
    assert sum(admitted) == 5


def test_the_window_slides_and_memory_is_bounded() -> None:
    lim = SignInLimiter(max_per_account=2, max_per_address=3, window_s=60, max_keys=10)
    assert lim.attempt("a@x.test", "10.0.0.1", 0) is None
    assert lim.attempt("a@x.test", "10.0.0.2", 30) is None
    refusal = lim.attempt("a@x.test", "10.0.0.3", 31)
    assert refusal is not None and refusal.scope == "account" and refusal.retry_after == 29
    assert lim.attempt("a@x.test", "10.0.0.3", 60.5) is None  # the first left the window
    for i, account in enumerate(("b@x.test", "c@x.test", "d@x.test")):
        assert lim.attempt(account, "10.0.0.9", i) is None
    refusal = lim.attempt("e@x.test", "10.0.0.9", 3)
    assert refusal is not None and refusal.scope == "address"
    for i in range(50):
        lim.attempt(f"spray{i}@x.test", f"10.1.0.{i}", 10)
    assert len(lim._failures) <= 10


def test_sign_out_everywhere_revokes_every_token(api: Api) -> None:
    first, second = api.login(), api.login()
    assert api.client.get(f"{API}/auth/me", headers=first).status_code == 200
    assert api.client.post(f"{API}/auth/logout", headers=second).status_code == 204
    for headers in (first, second):
        r = api.client.get(f"{API}/auth/me", headers=headers)
        assert r.status_code == 401 and "signed out everywhere" in r.json()["error"]["message"]
    assert api.client.post(f"{API}/auth/logout", headers=first).status_code == 401
    fresh = api.login()
    assert api.client.get(f"{API}/auth/me", headers=fresh).status_code == 200
    assert len(_audit(api, "auth.logout")) == 1


def test_admins_end_another_users_sessions(api: Api) -> None:
    admin, recruiter = api.login(), api.login("recruiter@acme.test")
    other_admin = api.login("admin@other.test")
    me = api.client.get(f"{API}/auth/me", headers=recruiter).json()
    url = f"{API}/users/{me['id']}/sign-out"
    assert api.client.post(url, headers=recruiter).status_code == 403  # not an admin
    assert api.client.post(url, headers=other_admin).status_code == 404  # not theirs
    assert api.client.get(f"{API}/auth/me", headers=recruiter).status_code == 200
    assert api.client.post(url, headers=admin).status_code == 204
    assert api.client.get(f"{API}/auth/me", headers=recruiter).status_code == 401
    (event,) = _audit(api, "auth.sign_out_user")
    assert event.subject == f"user:{me['id']}"
    # Disabling an account ends its sessions too, and enabling it does not bring them back.
    again = api.login("recruiter@acme.test")
    patch = f"{API}/users/{me['id']}"
    assert api.client.patch(patch, json={"active": False}, headers=admin).status_code == 200
    assert api.client.patch(patch, json={"active": True}, headers=admin).status_code == 200
    assert api.client.get(f"{API}/auth/me", headers=again).status_code == 401


def test_tokens_expire_and_carry_their_generation(api: Api) -> None:
    secret = api.client.app.state.ctx.settings.secret_key  # type: ignore[attr-defined]
    with api.db.session() as s:
        user = s.scalar(select(User).where(User.email == "admin@acme.test"))
        assert user is not None
        uid, generation = user.id, user.token_generation
    past = sign_token(secret, uid, datetime.now(UTC) - timedelta(seconds=1))
    r = api.client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {past}"})
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    assert r.headers["www-authenticate"] == "Bearer"
    r = api.client.post(
        f"{API}/auth/login", json={"email": "admin@acme.test", "password": PASSWORD}
    )
    lifetime = datetime.fromisoformat(r.json()["expires_at"]) - datetime.now(UTC)
    assert timedelta(hours=1) < lifetime <= timedelta(hours=8)
    claims = read_token(secret, r.json()["token"], datetime.now(UTC))
    assert claims.user_id == uid and claims.generation == generation
    for forged in ("", "x", "a.b", "e30.e30", sign_token("another secret", uid, claims.expires)):
        with pytest.raises(Unauthorized):
            read_token(secret, forged, datetime.now(UTC))


def test_a_token_without_a_generation_is_refused() -> None:
    """Tokens from before migration 0006 (no "g" claim) must sign in again."""
    import base64
    import hashlib
    import hmac
    import json

    body = base64.urlsafe_b64encode(json.dumps({"u": "x", "e": 4_000_000_000}).encode())
    body_s = body.rstrip(b"=").decode()
    mac = hmac.new(b"k", body_s.encode(), hashlib.sha256).digest()
    token = f"{body_s}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    with pytest.raises(Unauthorized, match="malformed"):
        read_token("k", token, datetime.now(UTC))


def test_migration_0006_adds_the_generation_and_goes_back(db_url: str) -> None:
    db = Database(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_url"] = db_url
    try:
        db.upgrade("0005")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO organization (id, name, settings, created_at) "
                              "VALUES ('o1', 'Acme', '{}', CURRENT_TIMESTAMP)"))  # fmt: skip
            conn.execute(
                text(
                    "INSERT INTO user_account (id, organization_id, email, name, role, "
                    "password_hash, active, created_at) VALUES ('u1', 'o1', 'a@x.test', 'A', "
                    "'admin', 'h', true, CURRENT_TIMESTAMP)"
                )
            )
        db.upgrade("0006")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT token_generation FROM user_account")).scalar() == 0
        db.upgrade()  # 0009: every generation becomes random (everyone signs in again)
        with db.engine.connect() as conn:
            generation = conn.execute(text("SELECT token_generation FROM user_account")).scalar()
            assert generation is not None and generation > 2**32
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM user_account")).scalar() == 1
    finally:
        db.dispose()
