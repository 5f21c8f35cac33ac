"""Password hashing (argon2) and signed, expiring HR bearer tokens.

A token is `body.mac`: the body is base64 JSON {u: user id, g: token generation, e: expiry in
Unix seconds}, the mac an HMAC-SHA256 of the body under the server's secret. Tokens are
stateless; the generation is what revokes them: each user row keeps a counter, every token
carries the value it was issued under, and bumping the counter ("sign out everywhere") makes
all of that user's earlier tokens, and the signed media links made from them, stop working.
A generation is a random 62-bit number, never a counter: knowing a user's id is not enough to
fill in a token's claims. The server caps a token's lifetime whatever its expiry says, so a
token minted with a leaked key for ten years is refused like a forged one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from pydantic import BaseModel, ConfigDict

from interview.errors import Unauthorized

_hasher = PasswordHasher()
HR_ROLES = ("admin", "recruiter", "reviewer", "hiring_manager")
TOKEN_HOURS = 8  # a sign-in lasts a working day; then the page asks for the password again
CLOCK_SKEW = timedelta(minutes=2)  # servers behind one load balancer may disagree this much


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


_dummy_hash: str | None = None


def burn_password_check(password: str) -> None:
    """Spend the time one password check takes, for an e-mail with no account, so that the
    answer's timing does not tell which addresses have accounts."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    verify_password(_dummy_hash, password)


def new_invite_token() -> str:
    """An unguessable invite token (256 bits); only its hash is stored."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenClaims(BaseModel):
    """What a valid token says: whose it is, under which generation, until when."""

    model_config = ConfigDict(frozen=True)
    user_id: str
    generation: int
    expires: datetime


def sign_token(secret: str, user_id: str, expires: datetime, generation: int = 0) -> str:
    claims = {"u": user_id, "g": generation, "e": int(expires.timestamp())}
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_b64(mac)}"


def read_token(
    secret: str, token: str, now: datetime, longest: timedelta = timedelta(hours=TOKEN_HOURS)
) -> TokenClaims:
    """The claims of a token signed with `secret`, not yet expired and not meant to live
    longer than `longest` from now; Unauthorized else."""
    try:
        body, mac = token.split(".", 1)
        expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise Unauthorized("sign-in token signature is invalid; sign in again")
        raw = json.loads(_unb64(body))
        claims = TokenClaims(
            user_id=str(raw["u"]),
            generation=int(raw["g"]),
            expires=datetime.fromtimestamp(int(raw["e"]), UTC),
        )
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        # ValueError covers bad base64 (binascii.Error), bad JSON and pydantic errors.
        raise Unauthorized("sign-in token is malformed; sign in again") from exc
    if claims.expires < now:
        raise Unauthorized("sign-in token has expired; sign in again")
    if claims.expires > now + longest + CLOCK_SKEW:
        # We never issue such a token: its key has leaked or it was made by hand.
        raise Unauthorized("sign-in token claims a longer life than this server grants")
    return claims
