"""The verification payload of a 当选证书's QR code, signed with the installation key.

    PD1.<base64url(JSON)>.<base64url(Ed25519 signature)>.<base64url(public key)>

The JSON object has exactly the fields of `Claims`, in that order, compact, UTF-8 (Chinese is
not escaped: 3 bytes a character instead of 6 keeps the code small). The signature covers the
ASCII text `PD1.<base64url(JSON)>`, so the version prefix is signed too. The public key travels
with the payload, so the signature alone proves only that the text was not changed since SOME key
signed it: anyone can make a key and sign any claims. A certificate is genuine only when its key
is a KNOWN one: recorded by the election database (`record_key` stores it in the `setting` table
when certificates are signed; `check_in_db` also checks the person is elected in its locked
result), registered for the community in the district database (`check_in_district`), or a
fingerprint the checker expects from paper (`check_expected`: the notice's footer, the hand-over
slip).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sqlite3
from dataclasses import asdict, dataclass, fields

from app.keys import InstallationKey, fingerprint, verify
from app.voting.model import LOCK_CODE_ZH
from db import settings

PREFIX = "PD1"
KEY_SETTING = "signing_key."   # + fingerprint -> base64 (standard) raw public key


@dataclass(frozen=True, slots=True)
class Claims:
    community: str
    meeting: str       # meeting code
    contest: str       # contest code
    post: str          # 中共XX社区委员会委员
    name: str
    round: int         # round number that elected the person
    date: str          # date of the meeting (YYYY-MM-DD)
    result_hash: str   # short hash of the locked round result
    key_fp: str        # fingerprint of the signing key


CLAIM_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Claims))


@dataclass(frozen=True, slots=True)
class Verified:
    claims: Claims
    public_raw: bytes

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)


@dataclass(frozen=True, slots=True)
class Rejected:
    code: str          # FORMAT / BAD_SIGNATURE / KEY_MISMATCH / UNKNOWN_KEY / NOT_ELECTED ...
    reason: str        # Chinese, for the person checking


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    if not text or any(ch not in _B64URL for ch in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def claims_json(claims: Claims) -> bytes:
    return json.dumps(asdict(claims), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign_claims(claims: Claims, key: InstallationKey) -> str:
    """The QR text for `claims`; `claims.key_fp` must be the key's fingerprint."""
    if claims.key_fp != key.fingerprint:
        raise ValueError("claims.key_fp is not the signing key's fingerprint")
    head = f"{PREFIX}.{_b64e(claims_json(claims))}"
    return f"{head}.{_b64e(key.sign(head.encode('ascii')))}.{_b64e(key.public_raw)}"


def _claims_from(data: bytes) -> Claims | None:
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(obj, dict) or tuple(obj) != CLAIM_FIELDS:
        return None
    if not isinstance(obj["round"], int) or isinstance(obj["round"], bool):
        return None
    if not all(isinstance(obj[k], str) for k in CLAIM_FIELDS if k != "round"):
        return None
    return Claims(**obj)


def verify_payload(text: str) -> Verified | Rejected:
    """Check the format, the signature and that the key is the one the claims name."""
    parts = text.strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX:
        return Rejected("FORMAT", f"格式不符：不是 {PREFIX} 当选证书核验码")
    try:
        body, sig, pub = (_b64d(p) for p in parts[1:])
    except (ValueError, binascii.Error):
        return Rejected("FORMAT", "格式不符：核验码中有无法解码的部分")
    claims = _claims_from(body)
    if claims is None:
        return Rejected("FORMAT", "格式不符：证书内容缺项或不是规定的格式")
    if len(pub) != 32 or len(sig) != 64:
        return Rejected("FORMAT", "格式不符：签名或公钥长度不对")
    if not verify(pub, sig, f"{parts[0]}.{parts[1]}".encode("ascii")):
        return Rejected("BAD_SIGNATURE", "签名不符：证书内容被改动，或不是由所附密钥签发")
    if fingerprint(pub) != claims.key_fp:
        return Rejected("KEY_MISMATCH",
                        f"密钥指纹不符：证书写明 {claims.key_fp}，实际签名密钥为 {fingerprint(pub)}")
    return Verified(claims, pub)


def record_key(conn: sqlite3.Connection, key: InstallationKey) -> None:
    """Remember in the database that this key signed its certificates (caller's transaction)."""
    settings.put(conn, KEY_SETTING + key.fingerprint, base64.b64encode(key.public_raw).decode())


def known_keys(conn: sqlite3.Connection) -> dict[str, bytes]:
    """Fingerprint -> raw public key of every key recorded in the database."""
    return {k[len(KEY_SETTING):]: base64.b64decode(v)
            for k, v in settings.with_prefix(conn, KEY_SETTING).items()}


_FP_DIGITS = re.compile(r"[0-9A-F]{16}")


def normalise_fingerprint(text: str) -> str | None:
    """A fingerprint as typed from paper (any case, with or without dashes or spaces) in the
    printed form `994F-AAAB-FC9C-B86E`; None when it is not 16 hex digits."""
    digits = re.sub(r"[\s\-:]", "", text).upper()
    if not _FP_DIGITS.fullmatch(digits):
        return None
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


def check_expected(v: Verified, expected: set[str]) -> Verified | Rejected:
    """The signing key is one of the fingerprints the checker expects (normalised)."""
    if v.fingerprint in expected:
        return v
    return Rejected("KEY_NOT_EXPECTED",
                    f"签发密钥 {v.fingerprint} 不是预期的密钥（预期：{'、'.join(sorted(expected))}）")


def check_in_district(conn: sqlite3.Connection, v: Verified) -> Verified | Rejected:
    """The signing key is registered for the certificate's community in the district database."""
    from db import district

    known = district.registered_keys(conn, v.claims.community)
    if v.fingerprint in known:
        return v
    listed = "、".join(known) if known else "该社区尚未登记密钥"
    return Rejected("UNKNOWN_KEY", f"签发密钥 {v.fingerprint} 不是汇总数据库为“{v.claims.community}”"
                                   f"登记的密钥（已登记：{listed}）")


def describe(claims: Claims) -> list[str]:
    """The claims as lines for a person (CLI output)."""
    return [f"姓名：{claims.name}", f"当选：{claims.post}", f"社区：{claims.community}",
            f"会议：{claims.meeting}　选举事项：{claims.contest}　轮次：第{claims.round}轮",
            f"日期：{claims.date}", f"{LOCK_CODE_ZH}：{claims.result_hash}",
            f"密钥指纹：{claims.key_fp}"]


def check_in_db(conn: sqlite3.Connection, v: Verified,
                installation_fp: str | None) -> Verified | Rejected:
    """With a database: the key is one this database recorded (or this installation's), and the
    person is elected in the locked result of that meeting, contest and round, whose hash is the
    one on the certificate."""
    from app.documents.results_source import locked_result_doc
    from app.meetings import Refusal, meeting_by_code

    cl = v.claims
    known = known_keys(conn)
    if known.get(cl.key_fp) != v.public_raw and cl.key_fp != installation_fp:
        return Rejected("UNKNOWN_KEY", f"密钥 {cl.key_fp} 不是本数据库记录的签发密钥，也不是本机密钥")
    meeting = meeting_by_code(conn, cl.meeting)
    if meeting is None:
        return Rejected("NO_SUCH_MEETING", f"数据库中没有会议 {cl.meeting}")
    doc = locked_result_doc(conn, meeting, "核验", key_fp="")
    if isinstance(doc, Refusal):
        return Rejected("NOT_LOCKED", doc.message)
    contest = next((c for c in doc.contests if c.code == cl.contest), None)
    if contest is None:
        return Rejected("NO_SUCH_CONTEST", f"会议 {cl.meeting} 中没有选举事项 {cl.contest}")
    rnd = next((r for r in contest.rounds if r.number == cl.round), None)
    if rnd is None or rnd.result_hash != cl.result_hash:
        return Rejected("HASH_MISMATCH",
                        f"{LOCK_CODE_ZH} {cl.result_hash} 与数据库中锁定的结果不符")
    if cl.name not in rnd.elected or cl.post != contest.post:
        return Rejected("NOT_ELECTED", f"{cl.name} 不是该轮锁定结果中的{contest.post}当选人")
    return v
