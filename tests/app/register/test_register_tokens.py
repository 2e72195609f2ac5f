"""Sign-in tokens (the QR code's content): 30 digits with a Luhn check digit, so neither an
input method nor Caps Lock can change what a scanner types; never beginning with "-" (a PERSON
argument such as `pollday sign-in ... -Xy…` would be read as an option). The 16-character
tokens printed before keep their form (legacy_token_from) and keep working."""

from __future__ import annotations

import base64
import re

from app.register.store import legacy_token_from, luhn_digit, new_token, token_from


def test_tokens_are_29_random_digits_and_a_luhn_check_digit() -> None:
    assert token_from(lambda n: bytes(n)) == "0" * 30
    tokens = [new_token() for _ in range(4096)]
    assert all(re.fullmatch(r"[0-9]{30}", t) for t in tokens)
    assert all(luhn_digit(t[:-1]) == t[-1] for t in tokens)
    assert len(set(tokens)) == len(tokens)
    assert luhn_digit("7992739871") == "3"  # the textbook example


def test_a_seeded_source_gives_the_same_tokens() -> None:
    import random

    a, b = random.Random(5), random.Random(5)
    assert [token_from(a.randbytes) for _ in range(20)] == [token_from(b.randbytes)
                                                           for _ in range(20)]


def test_a_legacy_draw_that_would_begin_with_a_dash_is_replaced_by_the_next() -> None:
    dashed = b"\xf8" + bytes(11)  # top six bits 62: urlsafe base64 writes "-"
    assert base64.urlsafe_b64encode(dashed).decode().startswith("-")
    draws = iter([dashed, dashed, bytes(12)])
    assert legacy_token_from(lambda n: next(draws)[:n]) == "A" * 16
