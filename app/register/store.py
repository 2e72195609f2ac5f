"""Storing validated person records with their search keys and a random sign-in token."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields

from app.model import PartyStatus
from app.search import key_rows, person_keys, register_search_data
from db import audit
from db import persons as db_persons
from db.tx import transaction

TokenFactory = Callable[[], str]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person as imported: the person table's data columns (db.persons.DATA_COLUMNS), in
    that order. Values are already validated: gender 'M'/'F'/None, birth_date 'YYYY-MM-DD' or
    'YYYY-MM', id_number upper-case with a valid check digit."""

    name: str
    gender: str | None = None
    birth_date: str | None = None
    id_number: str | None = None
    education: str = ""
    branch: str = ""
    resident_group: str = ""
    household: str = ""
    member_no: str = ""
    party_status: PartyStatus = PartyStatus.NONE
    resident_voter: bool = False
    household_rep: bool = False
    resident_rep: bool = False
    collective_member: bool = False
    collective_delegate: bool = False
    phone: str = ""
    note: str = ""

    def values(self) -> tuple[object, ...]:
        """Column values in DATA_COLUMNS order, as stored (enums as text, bools as 0/1)."""
        return (self.name, self.gender, self.birth_date, self.id_number, self.education,
                self.branch, self.resident_group, self.household, self.member_no,
                self.party_status.value, int(self.resident_voter), int(self.household_rep),
                int(self.resident_rep), int(self.collective_member),
                int(self.collective_delegate), self.phone, self.note)

    def keys(self) -> set[tuple[str, str]]:
        return person_keys(self.name, self.id_number, self.member_no)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(PersonRecord))
assert FIELD_NAMES == db_persons.DATA_COLUMNS, "PersonRecord must mirror the person table"


TOKEN_BYTES = 13    # drawn per token: 104 bits, reduced to TOKEN_DIGITS digits
TOKEN_DIGITS = 29   # 10^29 ≈ 2^96: as many as the 96-bit tokens printed before
LEGACY_TOKEN_BYTES = 12  # tokens printed before: 96 bits, URL-safe base64, 16 characters


# Luhn: what each ASCII digit byte adds in a doubled place (2d, less 9 above 9) and in a
# plain place, so a token's sum is two C-level sums instead of a Python loop per digit.
_LUHN_DOUBLED = bytes.maketrans(b"0123456789", bytes((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)))
_LUHN_PLAIN = bytes.maketrans(b"0123456789", bytes(range(10)))


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of a string of digits (a misread digit is caught at the desk)."""
    if digits.isascii() and digits.isdigit():  # the usual case (every token made here)
        b = digits.encode()
        total = sum(b[-1::-2].translate(_LUHN_DOUBLED)) + sum(b[-2::-2].translate(_LUHN_PLAIN))
        return str(-total % 10)
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str(-total % 10)


def token_from(draw: Callable[[int], bytes]) -> str:
    """A sign-in token from a source of random bytes: 29 random digits and a Luhn check digit
    (30 digits). Digits only, so neither an input method (digits never start a composition;
    full-width ones are folded back) nor Caps Lock can change what a scanner types, and a QR
    code holds them in its compact numeric mode. Never begins with "-" (a command line would
    read it as an option). Tokens printed before (16 URL-safe base64 characters) keep working:
    lookups are by the stored text."""
    n = int.from_bytes(draw(TOKEN_BYTES), "big") % 10**TOKEN_DIGITS
    body = f"{n:0{TOKEN_DIGITS}d}"
    return body + luhn_digit(body)


def legacy_token_from(draw: Callable[[int], bytes]) -> str:
    """The token printed before (16 URL-safe base64 characters, never a leading "-"): kept to
    make test registers like the ones already in use."""
    while True:
        token = base64.urlsafe_b64encode(draw(LEGACY_TOKEN_BYTES)).decode("ascii")
        if not token.startswith("-"):
            return token


def new_token() -> str:
    """A random token for the sign-in QR code (30 digits, see token_from)."""
    return token_from(secrets.token_bytes)


def _batched_tokens(n: int) -> TokenFactory:
    """new_token for n persons with the random bytes read in one call (one system call instead
    of n); the same source (secrets), and single draws once the batch is used up."""
    pool = secrets.token_bytes(TOKEN_BYTES * (n + n // 32 + 4))
    pos = 0

    def draw(size: int) -> bytes:
        nonlocal pos
        if pos + size > len(pool):
            return secrets.token_bytes(size)
        pos += size
        return pool[pos - size:pos]

    return lambda: token_from(draw)


def insert_records(conn: db_persons.Conn, records: Iterable[PersonRecord], now: str,
                   token_factory: TokenFactory | None = None) -> list[int]:
    """Insert records and their search keys inside the caller's transaction."""
    recs = list(records)
    make_token = token_factory or _batched_tokens(len(recs))
    names = register_search_data(rec.name for rec in recs)  # (display pinyin, keys) each
    rows = [(rec.values(), make_token(), pinyin)
            for rec, (pinyin, _keys) in zip(recs, names, strict=True)]
    db_persons.large_batch(conn, len(recs))
    ids = db_persons.insert_persons(conn, rows, created_at=now)
    db_persons.insert_keys(conn, key_rows(
        (pid, keys, rec.id_number, rec.member_no)
        for pid, rec, (_pinyin, keys) in zip(ids, recs, names, strict=True)))
    return ids


def add_persons(conn: db_persons.Conn, records: Iterable[PersonRecord], now: str,
                token_factory: TokenFactory | None = None, *, actor: str = "system",
                source: str = "") -> list[int]:
    """Add persons to the register in ONE transaction (all or nothing); returns their ids in
    the order given. `token_factory` makes the sign-in tokens (a seeded one for demo data).
    One audit row records the addition."""
    with transaction(db_persons.raw(conn)):
        ids = insert_records(conn, records, now, token_factory)
        audit.append(db_persons.raw(conn), at=now, actor=actor, action="register.add",
                     detail={"count": len(ids), "source": source,
                             "first_id": ids[0] if ids else None,
                             "last_id": ids[-1] if ids else None})
    return ids
