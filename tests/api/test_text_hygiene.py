"""Text that enters and leaves through the API: the CSV import cleans names as a JSON body
does (no NUL reaches PostgreSQL, no control reaches the export), names that hide a formula
behind a separator are guarded in the export, look-alike mixed-script e-mails are refused by
name, invisible bidi and zero-width characters leave displayed names, and Chinese and
accented names stay as typed. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import select

from interview.hiring.invitations import invite
from interview.storage.tables import Candidate, User
from tests.api.conftest import Api

V1 = "/api/v1"
NOW = datetime.now(UTC)
INVISIBLE = (
    "\x00\x07\x1b\x7f\x85\u200b\u200c\u200d\u200e\u200f\u202a\u202e\u2060\u2066\u2069\ufeff\u061c"
)


def _role(api: Api, hr: dict[str, str]) -> str:
    r = api.client.post(f"{V1}/roles", json={"title": "Barista", "max_questions": 1}, headers=hr)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _csv_invite(api: Api, hr: dict[str, str], role_id: str, body: str):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"{V1}/roles/{role_id}/invitations/csv",
        content=body.encode("utf-8"),
        headers={**hr, "Content-Type": "text/csv"},
    )


def _export(api: Api, hr: dict[str, str]) -> tuple[str, list[list[str]]]:
    r = api.client.get(f"{V1}/sessions.csv", headers=hr)
    assert r.status_code == 200, r.text
    text = r.content.decode("utf-8-sig")
    return text, list(csv.reader(io.StringIO(text)))


def _hidden(text: str) -> list[str]:
    """The control and format characters of `text`, as U+XXXX (newlines of the CSV aside)."""
    return [
        f"U+{ord(c):04X}"
        for c in text
        if c not in "\r\n" and unicodedata.category(c) in ("Cc", "Cf")
    ]


def test_csv_import_keeps_controls_out_of_the_database_and_the_export(api: Api) -> None:
    hr = api.login()
    role_id = _role(api, hr)
    body = (
        "name,email\n"
        "Ana\x00 Sil\x07va\u202e,ana@example.com\n"
        "\u2066Bo\u200bb\x1b Lee\u2069\ufeff,\n"
        f"Li{INVISIBLE}\tLei,li@example.cn\n"
    )
    r = _csv_invite(api, hr, role_id, body)
    assert r.status_code == 201, r.text
    assert [m["candidate_name"] for m in r.json()] == ["Ana Silva", "Bob Lee", "Li Lei"]
    with api.db.session() as s:
        stored = sorted(s.scalars(select(Candidate.name)).all())
    assert stored == ["Ana Silva", "Bob Lee", "Li Lei"]
    text, table = _export(api, hr)
    assert _hidden(text) == []
    assert sorted(row[0] for row in table[1:]) == ["Ana Silva", "Bob Lee", "Li Lei"]


def test_names_hiding_a_formula_behind_a_separator_are_guarded(api: Api) -> None:
    hr = api.login()
    role_id = _role(api, hr)
    names = ["x;=1+1", "Ana, -2+3", "Bo; @SUM(A1)", "=HYPERLINK(1)", "Ana-Maria O'Neil"]
    for name in names:
        r = api.client.post(
            f"{V1}/roles/{role_id}/invitations", json={"candidate_name": name}, headers=hr
        )
        assert r.status_code == 201, r.text
    text, table = _export(api, hr)
    shown = sorted(row[0] for row in table[1:])
    assert shown == sorted(["'" + n for n in names[:-1]] + [names[-1]])
    # Every cell quoted (OWASP), so no separator inside a name can start a cell of its own.
    for line in text.splitlines():
        assert line.startswith('"') and line.endswith('"'), line


def test_a_mixed_script_email_is_refused_and_named(api: Api) -> None:
    admin = api.login()
    role_id = _role(api, admin)
    fake = "\u0430dmin2@acme.test"  # a Cyrillic "а" before "dmin"
    user = {"email": fake, "name": "Mallory", "role": "admin", "password": "Tq7#vLm2pX9!rWz4-kH"}
    r = api.client.post(f"{V1}/users", json=user, headers=admin)
    assert r.status_code == 422, r.text
    message = r.json()["error"]["message"]
    assert fake in message and "mixes scripts" in message and "U+0430" in message
    r = api.client.post(
        f"{V1}/roles/{role_id}/invitations",
        json={"candidate_name": "Ana", "email": "ana@p\u0430ypal.com"},
        headers=admin,
    )
    assert r.status_code == 422 and "ana@p\u0430ypal.com" in r.json()["error"]["message"]
    r = _csv_invite(api, admin, role_id, "Ana,ana@example.com\nBo,b\u043e@example.com\n")
    assert r.status_code == 422
    assert "line 2" in r.json()["error"]["message"] and "b\u043e@example.com" in r.text
    with api.db.session() as s:
        assert s.scalar(select(User).where(User.name == "Mallory")) is None
        assert s.scalars(select(Candidate)).all() == []
    # One script per label is fine, Latin beside Han too.
    for email in ("пример@пример.рф", "li雷@example.cn", "josé@exämple.de"):
        r = api.client.post(
            f"{V1}/roles/{role_id}/invitations",
            json={"candidate_name": "Ok", "email": email},
            headers=admin,
        )
        assert r.status_code == 201, r.text


def test_invisible_controls_leave_displayed_names_and_real_names_stay(api: Api) -> None:
    admin = api.login()
    role_id = _role(api, admin)
    typed = {
        "\u202eAna Silva\u202c": "Ana Silva",
        "Li\u200bLei\u2066\u2069": "LiLei",
        "\u200fRita\u061c\u200e Reviewer\ufeff": "Rita Reviewer",
        "李雷": "李雷",
        "José Zoë": "José Zoë",
        "Jose\u0301 Zoe\u0308": "José Zoë",  # the same, typed with combining marks: NFC
        "Ana\nSilva\tJr": "Ana Silva Jr",  # a name is one line
    }
    for name, want in typed.items():
        r = api.client.post(
            f"{V1}/roles/{role_id}/invitations", json={"candidate_name": name}, headers=admin
        )
        assert r.status_code == 201, r.text
        assert r.json()["candidate_name"] == want
    listed = api.client.get(f"{V1}/sessions", headers=admin).json()
    assert sorted(s["candidate_name"] for s in listed) == sorted(typed.values())
    user = {
        "email": "rita@acme.test",
        "name": "Rita\u202e Reviewer",
        "role": "reviewer",
        "password": "Tq7#vLm2pX9!rWz4-kH",
    }
    r = api.client.post(f"{V1}/users", json=user, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Rita Reviewer"
    r = api.client.patch(
        f"{V1}/users/{r.json()['id']}", json={"name": "\u2067Rita\u200d R.\u2069"}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Rita R."


def test_names_stored_before_the_cleaning_are_shown_clean(api: Api) -> None:
    """Rows written before input was cleaned (or by another route) still hold invisible
    characters: the API shows them without."""
    admin = api.login()
    role_id = _role(api, admin)
    with api.db.session() as s:
        me = s.scalar(select(User).where(User.email == "admin@acme.test"))
        assert me is not None
        invite(s, me.organization_id, role_id, "\u202eAna\u200b Silva\x07", None, "en", "test", NOW)
        me.name = "Ad\u200bmin\u2066"
    listed = api.client.get(f"{V1}/sessions", headers=admin).json()
    assert [x["candidate_name"] for x in listed] == ["Ana Silva"]
    users = api.client.get(f"{V1}/users", headers=admin).json()
    assert "Admin" in [u["name"] for u in users]
