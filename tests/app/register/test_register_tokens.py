"""Sign-in tokens (the QR code's content) never begin with "-": a PERSON argument such as
`pollday sign-in ... -Xy…` would be read as an option."""

from __future__ import annotations

import base64
import re

from app.register.store import new_token, token_from


def test_a_draw_that_would_begin_with_a_dash_is_replaced_by_the_next() -> None:
    dashed = b"\xf8" + bytes(11)  # top six bits 62: urlsafe base64 writes "-"
    assert base64.urlsafe_b64encode(dashed).decode().startswith("-")
    draws = iter([dashed, dashed, bytes(12)])
    assert token_from(lambda n: next(draws)[:n]) == "A" * 16


def test_random_tokens_are_urlsafe_unique_and_never_lead_with_a_dash() -> None:
    # Without the rule about 1 token in 64 begins with "-": 4,096 draws would hold ~64 of them.
    tokens = [new_token() for _ in range(4096)]
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{15}", t) for t in tokens)
    assert len(set(tokens)) == len(tokens)
    assert any("-" in t for t in tokens)  # the alphabet itself is unchanged
