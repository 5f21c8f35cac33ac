"""The one normaliser for text that enters: free text keeps its lines, names are one line,
neither keeps control or invisible characters; e-mails mixing scripts in a label are named."""

from __future__ import annotations

import pytest

from interview.text.clean import check_email, clean_name, clean_text, email_problem

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
C0_C1 = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]))


def test_free_text_keeps_lines_and_tabs_and_loses_every_invisible_control() -> None:
    assert clean_text(f"a{BIDI}b{ZERO_WIDTH}c{C0_C1}d") == "abcd"
    assert clean_text("line one\n\tline two\r\n") == "line one\n\tline two\n"
    assert clean_text("Zoe\u0308 Jose\u0301") == "Zoë José"  # NFC
    with pytest.raises(ValueError, match="U\\+D800"):
        clean_text("a\ud800b")


def test_a_name_is_one_line_without_invisible_characters() -> None:
    assert clean_name(f" {BIDI}Ana\x00\n\tSil{ZERO_WIDTH}va{C0_C1} ") == "Ana Silva"
    assert clean_name("Ana\u2028Silva\x85Jr") == "Ana Silva Jr"  # line separators are spaces
    for name in ("李雷", "José Zoë", "Ana-Maria O'Neil", "Ирина Петрова", "محمد"):
        assert clean_name(name) == name
    assert clean_name("Jose\u0301") == "José"


@pytest.mark.parametrize(
    "address",
    [
        "ana@example.com",
        "o'neil@example.ie",
        "李雷@例子.cn",
        "li雷@example.cn",
        "пример@пример.рф",
        "josé@exämple.de",
    ],
)
def test_single_script_emails_pass(address: str) -> None:
    assert email_problem(address) is None and check_email(f" {address}\u200b") == address


@pytest.mark.parametrize(
    ("address", "odd"),
    [
        ("\u0430dmin@acme.test", "Cyrillic 'а' U+0430"),  # Cyrillic a
        ("admin@\u0430cme.test", "Cyrillic 'а' U+0430"),
        ("ana@example.c\u03bfm", "Greek 'ο' U+03BF"),  # Greek omicron in the last label
    ],
)
def test_a_label_mixing_scripts_is_refused_naming_the_address_and_the_letter(
    address: str, odd: str
) -> None:
    problem = email_problem(address)
    assert problem is not None and address in problem and odd in problem
    assert "mixes scripts" in problem
    with pytest.raises(ValueError, match="mixes scripts"):
        check_email(address)


def test_fullwidth_and_malformed_addresses_are_refused() -> None:
    assert "U+FF41" in (email_problem("\uff41dmin@acme.test") or "")
    assert "not an e-mail address" in (email_problem("ana@example") or "")
    assert "not an e-mail address" in (email_problem("a,b@example.com") or "")
    assert "at most 320" in (email_problem("a" * 320 + "@x.io") or "")
