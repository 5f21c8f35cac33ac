"""The password policy (OWASP ASVS v4 2.1) and generated passwords.

A password is 12 to 128 characters (ASVS 2.1.1 and 2.1.2: 64 or more must be allowed; the
ceiling bounds the argon2 work a request can ask for), counted in characters after the API's
NFC normalisation, with no composition rules (ASVS 2.1.9: length and a blocklist beat
"one digit, one symbol"). Refused: the most common passwords (interview.accounts.
common_passwords, also with digits or symbols added around them or letters swapped for
look-alike digits), a character or short pattern repeated, runs along the keyboard, the
alphabet or the digits, and anything holding the account's e-mail address or name. Refusals
say what is wrong and what to do, and never repeat the password.
"""

from __future__ import annotations

import secrets
import string

from interview.accounts.common_passwords import COMMON_PASSWORDS
from interview.errors import InvalidInput

MIN_LENGTH = 12  # characters; ASVS 2.1.1
MAX_LENGTH = 128  # characters; ASVS 2.1.2 asks that at least 64 be allowed
GENERATED_BYTES = 12  # 96 random bits, 16 URL-safe characters
PERSONAL_MIN = 4  # shorter name parts ("Li", "Sam") are too common inside words to refuse

SEPARATORS = str.maketrans("", "", " .-_+'")
# Runs of neighbours: a password whose characters mostly step along one of these (either
# way) is a walk along the digits, the alphabet or the keyboard (rows, then columns).
_SEQUENCES = (
    "01234567890",
    "abcdefghijklmnopqrstuvwxyz",
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "!@#$%^&*()_+",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",  # the zig-zag between the digit and top rows
    "q1w2e3r4t5y6u7i8o9p0",
)
_NEIGHBOURS = frozenset(
    pair
    for seq in _SEQUENCES
    for a, b in zip(seq, seq[1:], strict=False)
    for pair in (a + b, b + a)
)
_LOOKALIKES = str.maketrans("@4013$57!|", "aaoiessti" + "l")
_AROUND = string.digits + string.punctuation + " "


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """What is wrong with `password` for the account (`email`, `name`), or None when it is
    acceptable."""
    n = len(password)
    if n < MIN_LENGTH:
        return (
            f"the password is {n} characters; use at least {MIN_LENGTH} "
            "(a few unrelated words are long and easy to remember)"
        )
    if n > MAX_LENGTH:
        return f"the password is {n} characters; use at most {MAX_LENGTH}"
    folded = password.casefold()
    bare = folded.translate(SEPARATORS)
    if _contains_email(bare, email):
        return (
            "the password contains the account's e-mail address (or the part before the @); "
            "choose one that does not"
        )
    if _contains_name(bare, name):
        return "the password contains the account holder's name; choose one that does not"
    if _repeats(bare):
        return "the password only repeats one character or a short pattern; choose another"
    if _runs(bare) * 4 <= len(bare):  # its runs are 4 or more characters long on average
        return (
            "the password is a simple sequence along the keyboard, the alphabet or the digits; "
            "choose another, e.g. a few unrelated words"
        )
    if _is_common(folded, bare):
        return (
            "the password is one of the most common passwords (or one with digits or symbols "
            "added); choose another, e.g. a few unrelated words"
        )
    return None


def check_password(password: str, email: str = "", name: str = "") -> None:
    """Raise InvalidInput saying what is wrong when `password` breaks the policy."""
    problem = password_problem(password, email, name)
    if problem is not None:
        raise InvalidInput(problem)


def generate_password(email: str = "", name: str = "") -> str:
    """A random password (96 bits) that passes the policy for the account."""
    while True:
        password = secrets.token_urlsafe(GENERATED_BYTES)
        if password_problem(password, email, name) is None:
            return password


def _contains_email(bare: str, email: str) -> bool:
    address = email.strip().casefold()
    local = address.split("@", 1)[0].translate(SEPARATORS)
    whole = address.translate(SEPARATORS)
    return any(len(x) >= PERSONAL_MIN and x in bare for x in (whole, local))


def _contains_name(bare: str, name: str) -> bool:
    folded = name.strip().casefold()
    parts = [folded.translate(SEPARATORS), *(p.translate(SEPARATORS) for p in folded.split())]
    return any(len(p) >= PERSONAL_MIN and p in bare for p in parts)


def _repeats(bare: str) -> bool:
    """One character, or a unit of at most half the length, repeated throughout."""
    n = len(bare)
    return any(bare == (bare[:unit] * (n // unit + 1))[:n] for unit in range(1, max(1, n // 2) + 1))


def _runs(bare: str) -> int:
    """How many runs of keyboard, alphabet or digit neighbours (or repeats) make up `bare`."""
    return 1 + sum(
        1 for a, b in zip(bare, bare[1:], strict=False) if a != b and a + b not in _NEIGHBOURS
    )


def _is_common(folded: str, bare: str) -> bool:
    """A listed password, also with digits or symbols around it or look-alike digits in it."""
    for form in (folded, bare):
        stripped = form.strip(_AROUND)
        for candidate in (
            form,
            stripped,
            form.translate(_LOOKALIKES),
            stripped.translate(_LOOKALIKES),
        ):
            if candidate.translate(SEPARATORS) in COMMON_PASSWORDS:
                return True
    return False
