"""The password policy (ASVS v4 2.1), changing one's password and an admin's reset."""

from __future__ import annotations

import json
from types import ModuleType

import pytest
from sqlalchemy import select

from interview.storage.tables import AuditEvent
from tests.api.conftest import PASSWORD, Api

API = "/api/v1"
NEW = "plum orchard lantern seven"


def _policy() -> ModuleType:
    from interview.accounts import passwords  # (imported here: the module is what is tested)

    return passwords


def _audit(api: Api, action: str) -> list[AuditEvent]:
    with api.db.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())


def _audit_text(api: Api) -> str:
    with api.db.session() as s:
        events = s.scalars(select(AuditEvent)).all()
        return " ".join(json.dumps(e.detail) + e.actor + e.subject + e.action for e in events)


def _me(api: Api, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    r = api.client.get(f"{API}/auth/me", headers=headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _signs_in(api: Api, email: str, password: str) -> int:
    r = api.client.post(f"{API}/auth/login", json={"email": email, "password": password})
    return r.status_code


# -- the policy -----------------------------------------------------------------------------

EMAIL, NAME = "zoe.miller@acme.test", "Zoë Miller"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaaaaaa", "repeats"),
        ("abababababab", "repeats"),
        ("123456789012", "sequence"),
        ("1234567890", "at least 12"),
        ("abcdefghijkl", "sequence"),
        ("qwertyuiopas", "sequence"),
        ("zyxwvutsrqpo", "sequence"),
        ("1qaz2wsx3edc", "sequence"),
        ("1q2w3e4r5t6y7u", "sequence"),
        ("password1234", "common"),
        ("P@ssw0rd2024!", "common"),
        ("iloveyou!!!!", "common"),
        ("Correct Horse Battery Staple", "common"),
        ("letmein", "at least 12"),
        ("purple lantern orbit " * 7, "at most 128"),
        (EMAIL, "e-mail"),
        ("ZOE.MILLER-1987", "e-mail"),
        ("i am zoë miller!", "name"),
        ("millerrocks2024", "name"),
    ],
)
def test_the_policy_refuses_short_trivial_common_and_personal_passwords(
    password: str, why: str
) -> None:
    problem = _policy().password_problem(password, email=EMAIL, name=NAME)
    assert problem is not None and why in problem, (password, problem)
    assert password.lower() not in problem.lower()  # a refusal never echoes the password
    assert "choose" in problem or "use" in problem  # and says what to do


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,  # the test suite's own: 21 characters, three words
        "plum orchard lantern seven",
        "my cat eats 3 lemons daily",
        "Tr0ub4dor&3 horse",
        "二〇二六年我在上海开了一家面包店",  # counted in characters, not bytes
        "x" * 3 + "vK9#mQ2$pL7!",
    ],
)
def test_the_policy_accepts_a_good_passphrase(password: str) -> None:
    assert _policy().password_problem(password, email=EMAIL, name=NAME) is None


def test_generated_passwords_pass_the_policy_and_differ() -> None:
    policy = _policy()
    made = {policy.generate_password(email=EMAIL, name=NAME) for _ in range(20)}
    assert len(made) == 20
    for password in made:
        assert len(password) >= 16 and policy.password_problem(password, EMAIL, NAME) is None


# -- creating a user ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaaaaaa", "repeats"),
        ("1234567890ab", "sequence"),
        ("password1234", "common"),
        ("sam.jones@acme.test", "e-mail"),
        ("only ten ch", "at least 12"),
    ],
)
def test_admins_cannot_give_a_new_user_a_weak_password(api: Api, password: str, why: str) -> None:
    admin = api.login()
    body = {"email": "sam.jones@acme.test", "name": "Sam Jones", "role": "reviewer"}
    r = api.client.post(f"{API}/users", headers=admin, json={**body, "password": password})
    assert r.status_code == 422, r.text
    message = r.json()["error"]["message"]
    assert why in message and password not in message
    assert _signs_in(api, "sam.jones@acme.test", password) == 401  # nobody was made
    r = api.client.post(f"{API}/users", headers=admin, json={**body, "password": NEW})
    assert r.status_code == 201, r.text
    assert _signs_in(api, "sam.jones@acme.test", NEW) == 200


def test_a_password_is_taken_as_typed_not_cleaned_like_text(api: Api) -> None:
    # Text fields lose invisible characters (text/clean.py); a password must not, or two
    # different passwords would open the same account.
    admin = api.login()
    typed = "saffron\u200dteapot\u202e lantern"
    body = {"email": "kim.lee@acme.test", "name": "Kim Lee", "role": "reviewer"}
    r = api.client.post(f"{API}/users", headers=admin, json={**body, "password": typed})
    assert r.status_code == 201, r.text
    assert _signs_in(api, "kim.lee@acme.test", typed) == 200
    assert _signs_in(api, "kim.lee@acme.test", "saffronteapot lantern") == 401


# -- changing one's own password ---------------------------------------------------------------


def test_changing_ones_password_ends_other_sessions_and_keeps_this_one(api: Api) -> None:
    here, elsewhere = api.login("reviewer@acme.test"), api.login("reviewer@acme.test")
    url = f"{API}/auth/password"
    weak = api.client.post(
        url, headers=here, json={"current_password": PASSWORD, "new_password": "reviewer2024!"}
    )
    assert weak.status_code == 422 and "e-mail" in weak.json()["error"]["message"]
    same = api.client.post(
        url, headers=here, json={"current_password": PASSWORD, "new_password": PASSWORD}
    )
    assert same.status_code == 422 and "same" in same.json()["error"]["message"]
    assert _me(api, elsewhere)  # refusals changed nothing

    r = api.client.post(url, headers=here, json={"current_password": PASSWORD, "new_password": NEW})
    assert r.status_code == 200, r.text
    fresh = {"Authorization": f"Bearer {r.json()['token']}"}
    assert _me(api, fresh)["email"] == "reviewer@acme.test"
    for old in (here, elsewhere):  # every earlier token stops working
        assert api.client.get(f"{API}/auth/me", headers=old).status_code == 401
    assert _signs_in(api, "reviewer@acme.test", PASSWORD) == 401
    assert _signs_in(api, "reviewer@acme.test", NEW) == 200

    (event,) = _audit(api, "auth.password_change")
    assert event.subject == f"user:{_me(api, fresh)['id']}"
    text = _audit_text(api)
    assert NEW not in text and PASSWORD not in text and "reviewer2024" not in text


def test_a_wrong_current_password_is_refused_and_counted_against_sign_in(api: Api) -> None:
    headers = api.login("recruiter@acme.test")
    url = f"{API}/auth/password"
    for _ in range(5):
        r = api.client.post(
            url, headers=headers, json={"current_password": "not my password", "new_password": NEW}
        )
        # 422, not 401: a mistyped current password must not sign the page out.
        assert r.status_code == 422, r.text
        assert "current password" in r.json()["error"]["message"]
    assert _me(api, headers)  # still signed in
    # The account is now locked like after five wrong sign-ins: even the right password waits.
    r = api.client.post(
        url, headers=headers, json={"current_password": PASSWORD, "new_password": NEW}
    )
    assert r.status_code == 429 and "retry-after" in r.headers
    assert _signs_in(api, "recruiter@acme.test", PASSWORD) == 429
    assert _signs_in(api, "reviewer@acme.test", PASSWORD) == 200  # other accounts are not
    failed = _audit(api, "auth.password_change_failed")
    reasons = sorted(e.detail["reason"] for e in failed)
    assert reasons == ["rate_limited_account"] + ["wrong_password"] * 5
    assert "not my password" not in _audit_text(api)
    assert not _audit(api, "auth.password_change")


def test_only_signed_in_users_change_a_password(api: Api) -> None:
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert api.client.post(f"{API}/auth/password", json=body).status_code == 401


# -- an admin's reset ----------------------------------------------------------------------------


def test_admins_reset_a_password_of_their_organization(api: Api) -> None:
    admin, recruiter = api.login(), api.login("recruiter@acme.test")
    other_admin, reviewer = api.login("admin@other.test"), api.login("reviewer@acme.test")
    target = _me(api, recruiter)["id"]
    url = f"{API}/users/{target}/password"
    assert api.client.post(url, headers=other_admin, json={}).status_code == 404  # not theirs
    assert api.client.post(url, headers=reviewer, json={}).status_code == 403  # not an admin
    assert (
        api.client.post(f"{API}/users/nobody/password", headers=admin, json={}).status_code == 404
    )
    weak = api.client.post(url, headers=admin, json={"password": "recruiter@acme.test"})
    assert weak.status_code == 422 and "e-mail" in weak.json()["error"]["message"]
    assert _me(api, recruiter)  # refusals changed nothing

    chosen = api.client.post(url, headers=admin, json={"password": NEW})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["password"] is None  # the admin knows it; it is not sent back
    assert api.client.get(f"{API}/auth/me", headers=recruiter).status_code == 401
    assert _signs_in(api, "recruiter@acme.test", PASSWORD) == 401
    assert _signs_in(api, "recruiter@acme.test", NEW) == 200

    made = api.client.post(url, headers=admin, json={})
    assert made.status_code == 200, made.text
    generated = made.json()["password"]
    assert len(generated) >= 16 and _policy().password_problem(generated) is None
    assert _signs_in(api, "recruiter@acme.test", NEW) == 401
    assert _signs_in(api, "recruiter@acme.test", generated) == 200

    # An admin's own password goes through the change form, which asks for the current one.
    me = _me(api, admin)["id"]
    own = api.client.post(f"{API}/users/{me}/password", headers=admin, json={"password": NEW})
    assert own.status_code == 409 and "current password" in own.json()["error"]["message"]

    events = _audit(api, "user.password_reset")
    assert [e.detail["generated"] for e in events] == [False, True]
    assert {e.subject for e in events} == {f"user:{target}"}
    text = _audit_text(api)
    assert generated not in text and NEW not in text
