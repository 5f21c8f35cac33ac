"""The server's signing key: from the setting, or made once and kept in the data directory.

No fixed key ever signs a token. With INTERVIEW_SECRET_KEY empty (the default) the first start
writes 48 random bytes (64 URL-safe characters) to `<data_dir>/secret_key`, readable by the
server's user only, and every later start (and every process sharing the data directory)
reads the same key, so sign-ins survive a restart. Servers that share a database but not a
data directory must be given one key through the setting. The development string earlier
versions shipped is refused wherever it comes from: tokens signed with it were forgeable.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from pathlib import Path

from interview.config import is_loopback_address
from interview.errors import InvalidInput

log = logging.getLogger(__name__)
KEY_FILE = "secret_key"
MIN_KEY_BYTES = 32  # HMAC-SHA256 wants at least its output size of secret
KNOWN_KEYS = frozenset({"dev-insecure-change-me"})  # published in earlier releases


def signing_key(setting: str, data_dir: Path) -> str:
    """The key tokens are signed with: the setting when given, else the data directory's."""
    if setting:
        if setting in KNOWN_KEYS:
            raise InvalidInput(
                "INTERVIEW_SECRET_KEY is the development key earlier versions shipped, which "
                "anyone can read; set a random one (python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))') or leave it empty to have one generated"
            )
        return setting
    return _key_file(data_dir / KEY_FILE)


def _key_file(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once cannot both write; the loser reads.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    log.info("generated a signing key in %s (readable by this user only)", path)
    return key


def _read_key(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Someone widened it (a copy, a backup restore): narrow it again before trusting it.
        os.chmod(path, 0o600)
        log.warning("%s was readable by others; narrowed it to the server's user", path)
    key = path.read_text().strip()
    if len(key.encode()) < MIN_KEY_BYTES:
        raise InvalidInput(
            f"{path} holds a key of {len(key.encode())} bytes; at least {MIN_KEY_BYTES} are "
            "needed: delete the file to have a new one generated (everyone signs in again)"
        )
    return key


def check_serving_key(key: str, host: str) -> None:
    """Refuse to serve beyond this machine with a key too short to resist guessing."""
    if len(key.encode()) >= MIN_KEY_BYTES or _loopback(host):
        return
    raise InvalidInput(
        f"INTERVIEW_SECRET_KEY is {len(key.encode())} bytes; serving on {host!r} (not "
        f"loopback) needs at least {MIN_KEY_BYTES}: set a longer random key, or leave it "
        "empty to have one generated in the data directory"
    )


def _loopback(host: str) -> bool:
    # Another host name may resolve anywhere; "localhost" is this machine.
    return host == "localhost" or is_loopback_address(host)
