"""Password hashing (argon2) and signed, expiring HR bearer tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from interview.errors import Unauthorized

_hasher = PasswordHasher()
HR_ROLES = ("admin", "recruiter", "reviewer", "hiring_manager")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def new_invite_token() -> str:
    """An unguessable invite token (256 bits); only its hash is stored."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(secret: str, user_id: str, expires: datetime) -> str:
    body = _b64(json.dumps({"u": user_id, "e": int(expires.timestamp())}).encode())
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def read_token(secret: str, token: str, now: datetime) -> str:
    """Return the user id of a valid, unexpired token."""
    try:
        body, mac = token.split(".", 1)
        expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise Unauthorized("sign-in token signature is invalid; sign in again")
        claims = json.loads(_unb64(body))
    except (ValueError, json.JSONDecodeError) as exc:
        raise Unauthorized("sign-in token is malformed; sign in again") from exc
    if int(claims["e"]) < now.timestamp():
        raise Unauthorized("sign-in token has expired; sign in again")
    return str(claims["u"])
