"""No fixed key signs a token: a generated key in the data directory, a capped token life,
unguessable generations, and a refusal to serve beyond loopback with a short key."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from interview.accounts.credentials import TOKEN_HOURS, sign_token
from interview.api.app import create_app
from interview.cli import app as cli
from interview.config import Settings
from interview.errors import InvalidInput
from interview.storage.secret_key import KEY_FILE, MIN_KEY_BYTES, check_serving_key, signing_key
from interview.storage.tables import User
from tests.api.conftest import Api

API = "/api/v1"
OLD_DEFAULT = "dev-insecure-change-me"  # the key earlier versions shipped


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"  # keys do not depend on the database


def _admin(api: Api) -> User:
    with api.db.session() as s:
        user = s.scalar(select(User).where(User.email == "admin@acme.test"))
        assert user is not None
        s.expunge(user)
        return user


def _me(api: Api, token: str) -> int:
    r = api.client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"})
    return r.status_code


def test_the_old_default_key_forges_nothing_and_a_strong_key_is_kept_private(api: Api) -> None:
    admin = _admin(api)
    soon = datetime.now(UTC) + timedelta(hours=1)
    # The attack of the report: the published key, the admin's id, a guessed generation.
    for generation in (0, 1, 2, admin.token_generation):
        assert _me(api, sign_token(OLD_DEFAULT, admin.id, soon, generation)) == 401
    key_file = api.settings.data_dir / KEY_FILE
    key = key_file.read_text().strip()
    assert len(key.encode()) >= MIN_KEY_BYTES
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # the server's user only
    assert api.client.app.state.ctx.settings.secret_key == key  # type: ignore[attr-defined]
    assert _me(api, sign_token(key, admin.id, soon, admin.token_generation)) == 200


def test_the_generated_key_survives_a_restart(api: Api) -> None:
    token = api.login()["Authorization"].split()[1]
    with TestClient(create_app(api.settings, backend=api.client.app.state.ctx.backend)) as again:  # type: ignore[attr-defined]
        r = again.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text


def test_a_token_living_longer_than_the_server_grants_is_refused(api: Api) -> None:
    admin = _admin(api)
    key = api.client.app.state.ctx.settings.secret_key  # type: ignore[attr-defined]
    decade = datetime.now(UTC) + timedelta(days=3650)
    forged = sign_token(key, admin.id, decade, admin.token_generation)
    r = api.client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401 and "longer life" in r.json()["error"]["message"]
    just_within = datetime.now(UTC) + timedelta(hours=TOKEN_HOURS)
    assert _me(api, sign_token(key, admin.id, just_within, admin.token_generation)) == 200
    # A media link lives an hour: a sign-in token's life is too long for one.
    sid = "s" * 32
    link = sign_token(f"{key}:media:a1", admin.id, just_within, admin.token_generation)
    r = api.client.get(f"{API}/sessions/{sid}/answers/a1/media?access={link}")
    assert r.status_code == 401 and "longer life" in r.json()["error"]["message"]


def test_token_generations_are_random_not_counters(api: Api) -> None:
    with api.db.session() as s:
        generations = list(s.scalars(select(User.token_generation)).all())
    assert len(set(generations)) == len(generations) == 8  # two organizations of four
    assert min(generations) > 2**32  # none of 0, 1, 2...: 62 random bits
    before = _admin(api).token_generation
    hr = api.login()
    assert api.client.post(f"{API}/auth/logout", headers=hr).status_code == 204
    after = _admin(api).token_generation
    assert after != before and abs(after - before) > 2**20  # not the next number


def test_the_published_key_is_refused_as_a_setting(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="development key"):
        signing_key(OLD_DEFAULT, tmp_path)
    with pytest.raises(InvalidInput, match="development key"):
        create_app(Settings(data_dir=tmp_path / "var", secret_key=OLD_DEFAULT))


def test_a_key_file_others_could_read_is_narrowed_and_a_short_one_refused(tmp_path: Path) -> None:
    key = signing_key("", tmp_path)
    path = tmp_path / KEY_FILE
    os.chmod(path, 0o644)
    assert signing_key("", tmp_path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("short\n")
    with pytest.raises(InvalidInput, match="delete the file"):
        signing_key("", tmp_path)


def test_serving_beyond_loopback_needs_a_long_key(tmp_path: Path) -> None:
    short = "x" * (MIN_KEY_BYTES - 1)
    check_serving_key(short, "127.0.0.1")  # a demo on this machine only
    check_serving_key(short, "::1")
    check_serving_key("k" * MIN_KEY_BYTES, "0.0.0.0")
    for host in ("0.0.0.0", "10.1.2.3", "interview.example.com"):
        with pytest.raises(InvalidInput, match="at least 32"):
            check_serving_key(short, host)
    # The command refuses before it binds anything.
    env = {
        "INTERVIEW_DATA_DIR": str(tmp_path / "var"),
        "INTERVIEW_SECRET_KEY": short,
        "INTERVIEW_HOST": "0.0.0.0",
        "INTERVIEW_JOB_WORKERS": "0",
    }
    result = CliRunner().invoke(cli, ["serve"], env=env)
    assert result.exit_code == 2, result.output
    assert "at least 32" in result.output


def test_a_second_server_on_the_same_data_directory_reads_the_same_key(tmp_path: Path) -> None:
    keys = {signing_key("", tmp_path / "var") for _ in range(3)}
    assert len(keys) == 1
