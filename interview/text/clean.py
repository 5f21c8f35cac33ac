"""Text as it enters the product, whatever the route (a JSON body, a CSV import, batch files):
one normaliser for free text, one for names, one check for e-mail addresses. Pure.

Free text (answers, reasons, descriptions) is NFC-normalised and loses every control
character but newline and tab, and every invisible format character: bidi overrides and
isolates (U+202A-202E, U+2066-2069, U+200E/200F, U+061C), zero-width characters (U+200B-200D,
U+2060, U+FEFF) and the rest of Unicode's "Cf" category (soft hyphen, tags). A NUL cannot be
stored in PostgreSQL at all; the others make a name read differently from what is stored (a
right-to-left override before "avliS" shows it as "Silva") or hide text from a reviewer. A
name is one line: any run of whitespace, newlines and tabs included, becomes one space.

An e-mail address must be one well-formed address in which no label (the parts between dots,
and the part before the @) mixes scripts: "аdmin@acme.test" with a Cyrillic "а" is a
look-alike of "admin@acme.test". Latin with Han, Hiragana, Katakana, Bopomofo or Hangul is
one script here, as in Unicode's "highly restrictive" profile (UTS #39), so "李雷@例子.cn"
and "li雷@example.cn" pass.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

# No space, comma, semicolon, angle bracket or double quote: one plain address, never a list
# or a display name (an apostrophe, as in o'neil@, is fine).
EMAIL_RE = re.compile(r'^[^@\s,;<>"]+@[^@\s,;<>"]+\.[^@\s,;<>"]+$')
MAX_EMAIL = 320  # characters (RFC 5321: 64 before the @, 255 after)
# Scripts that may share a label (UTS #39, highly restrictive): Chinese, Japanese and Korean
# are written with Latin and Han together.
ALLOWED_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
_SCRIPT_ALIASES = {"CJK": "HAN", "IDEOGRAPHIC": "HAN", "KATAKANA-HIRAGANA": "KATAKANA"}
_WHITESPACE = re.compile(r"\s+")


def _check_surrogates(value: str) -> None:
    for ch in value:
        if "\ud800" <= ch <= "\udfff":
            raise ValueError(
                f"contains an invalid character (a lone surrogate, U+{ord(ch):04X}); send "
                "well-formed Unicode text"
            )


def _kept(ch: str, keep: str) -> bool:
    return ch in keep or unicodedata.category(ch) not in ("Cc", "Cf")


def clean_text(value: str) -> str:
    """Free text as stored: NFC, without control characters other than newline and tab and
    without invisible format characters (bidi controls, zero-width). A lone UTF-16 surrogate
    (JSON "\\ud800") is not text: ValueError."""
    _check_surrogates(value)
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if _kept(ch, "\n\t"))


def clean_name(value: str) -> str:
    """A name or title as stored and shown: clean_text on one line (whitespace runs, newlines
    and tabs included, become one space), without surrounding space."""
    _check_surrogates(value)
    value = unicodedata.normalize("NFC", value)
    # Whitespace controls (tab, newline, U+0085) count as spaces before the rest are dropped.
    value = "".join(ch for ch in value if ch.isspace() or _kept(ch, ""))
    return _WHITESPACE.sub(" ", value).strip()


def script_of(ch: str) -> str | None:
    """The script of a letter, from its Unicode name ("LATIN", "CYRILLIC", "HAN"...); None for
    what belongs to every script (digits, punctuation, combining marks)."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "UNKNOWN")
    words = name.split()
    first = words[0]
    if first in ("FULLWIDTH", "HALFWIDTH") and len(words) > 1:
        first = words[1]
    return _SCRIPT_ALIASES.get(first, first)


def _mixed(label: str) -> list[str]:
    """The first letter of each script in `label` when those scripts may not share a label
    (empty when they may)."""
    first: dict[str, str] = {}  # script -> its first letter in the label
    for ch in label:
        script = script_of(ch)
        if script is not None and script not in first:
            first[script] = ch
    if len(first) < 2 or any(set(first) <= mix for mix in ALLOWED_MIXES):
        return []
    return list(first.values())


def _letter(ch: str) -> str:
    return f"{(script_of(ch) or '').title()} {ch!r} U+{ord(ch):04X}"


def email_problem(address: str) -> str | None:
    """Why `address` is not accepted as an e-mail address, or None when it is."""
    if len(address) > MAX_EMAIL:
        return f"{address[:40]!r}... is {len(address)} characters; at most {MAX_EMAIL}"
    if not EMAIL_RE.match(address):
        return f"{address!r} is not an e-mail address (name@example.com)"
    if unicodedata.normalize("NFKC", address) != address:
        odd = next(c for c in address if unicodedata.normalize("NFKC", c) != c)
        return (
            f"{address!r} contains {odd!r} (U+{ord(odd):04X}), a look-alike form of "
            f"{unicodedata.normalize('NFKC', odd)!r}; type the address with ordinary letters"
        )
    local, _, domain = address.rpartition("@")
    for label in [*local.split("."), *domain.split(".")]:
        letters = _mixed(label)
        if letters:
            return (
                f"{address!r} mixes scripts in {label!r} ({', '.join(map(_letter, letters))}), "
                "so it can pass for another address; type it in one script"
            )
    return None


def check_email(address: str) -> str:
    """The address, cleaned (clean_name); ValueError naming it when it is not acceptable."""
    address = clean_name(address)
    problem = email_problem(address)
    if problem is not None:
        raise ValueError(problem)
    return address


def _text(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _name(value: Any) -> Any:
    return clean_name(value) if isinstance(value, str) else value


# Field types for input schemas; cleaned before the length limits are checked.
Text = Annotated[str, BeforeValidator(_text)]  # free text: answers, reasons, descriptions
Name = Annotated[str, BeforeValidator(_name)]  # a name or title: one line
Email = Annotated[str, AfterValidator(check_email)]  # no look-alike of another address
