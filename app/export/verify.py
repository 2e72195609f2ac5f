"""Check a 报送包 (app/export/format.py): intact, signed, of a known format version, and its
audit log (snapshot.sqlite, events/audit.jsonl) re-verifies (AUDIT_BROKEN names every row that
does not: a signature proves nothing about a log rewritten before the export).

`verify_package(path)` returns a Verification (an expected outcome, never an exception for a bad
package); the problems name what is wrong: which file's hash or size, a missing or extra file, a
bad signature, an unknown format version, not a zip, a member larger than a real package's can
be. `known_keys` (fingerprints) makes a valid signature by another key a problem too; without it
the fingerprint is only reported.

Limits (LIMITS, checked on the declared sizes of the ZIP directory BEFORE anything is unpacked,
and again while streaming, so a forged header cannot get past them): a real package of a
20,000-person community is a few tens of MB unpacked (the demo's: ~7.7 MB, of which the results
and elected JSON files are tens of KB). A package is refused, naming the member and the reason,
when it has more than 2,000 members, a member unpacks to more than 256 MiB (a JSON member:
manifest.json, results/*.json, elected.json, more than 8 MiB), all members together to more than
1 GiB, or a member of 1 MiB or more unpacks to more than 200 times its packed size (deflate of a
real SQLite file, JSON or PDF stays well under 20:1; a run of spaces reaches ~1000:1). Nothing is
read whole into memory except the small JSON members (at most 8 MiB each).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from app.export import format as fmt
from app.keys import fingerprint, verify

CHUNK = 1 << 20
MiB = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    member_bytes: int = 256 * MiB     # any one member, unpacked
    json_bytes: int = 8 * MiB         # manifest.json, results/*.json, elected.json
    total_bytes: int = 1024 * MiB     # all members together, unpacked
    members: int = 2000
    ratio: int = 200                  # unpacked / packed, for members of ratio_from bytes or more
    ratio_from: int = 1 * MiB


LIMITS = Limits()


class MemberTooLarge(ValueError):
    """A member unpacks to more than its limit (raised while streaming: the header lied)."""


def _mb(n: int) -> str:
    return f"{n / MiB:,.1f} MB" if n >= MiB else f"{n:,} 字节"


def member_limit(name: str, limits: Limits = LIMITS) -> int:
    return limits.json_bytes if name.endswith(".json") else limits.member_bytes


def member_problems(infos: list[zipfile.ZipInfo], limits: Limits = LIMITS) -> list[Problem]:
    """Members that a real package cannot have, from the ZIP directory alone (nothing unpacked):
    too many members, a member or all of them too large unpacked, a compression ratio only a
    bomb reaches. Each problem names the member and the limit."""
    if len(infos) > limits.members:
        return [Problem("TOO_LARGE", f"报送包的文件数 {len(infos):,} 超过上限 {limits.members:,}"
                                     "（真实报送包远少于此），未解压")]
    problems: list[Problem] = []
    total = 0
    for info in infos:
        name, size, packed = info.filename, info.file_size, info.compress_size
        total += size
        limit = member_limit(name, limits)
        if size > limit:
            problems.append(Problem("TOO_LARGE", f"文件 {name} 解压后 {_mb(size)}，超过该类文件"
                                                 f"上限 {_mb(limit)}，未解压", name))
        elif size >= limits.ratio_from and size > limits.ratio * max(packed, 1):
            problems.append(Problem("TOO_LARGE",
                                    f"文件 {name} 的压缩比 {size // max(packed, 1):,}:1 超过上限 "
                                    f"{limits.ratio}:1（{_mb(packed)} 解压为 {_mb(size)}），"
                                    "疑为压缩炸弹，未解压", name))
    if not problems and total > limits.total_bytes:
        problems.append(Problem("TOO_LARGE", f"报送包各文件解压后合计 {_mb(total)}，超过上限 "
                                             f"{_mb(limits.total_bytes)}，未解压"))
    return problems


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, never more than `limit` read: MemberTooLarge otherwise (declared
    or actual size)."""
    if info.file_size > limit:
        raise MemberTooLarge(f"文件 {info.filename} 解压后 {_mb(info.file_size)}，超过上限 "
                             f"{_mb(limit)}")
    with zf.open(info) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise MemberTooLarge(f"文件 {info.filename} 解压后超过上限 {_mb(limit)}")
    return data


@dataclass(frozen=True, slots=True)
class Problem:
    code: str      # NOT_ZIP | NO_MANIFEST | NO_SIGNATURE | BAD_MANIFEST | UNKNOWN_FORMAT |
                   # UNKNOWN_VERSION | BAD_SIGNATURE | UNKNOWN_KEY | MISSING_FILE | EXTRA_FILE |
                   # DUPLICATE_FILE | BAD_PATH | SIZE_MISMATCH | HASH_MISMATCH | UNREADABLE_FILE |
                   # TOO_LARGE | AUDIT_BROKEN
    message: str
    path: str = ""


@dataclass(frozen=True, slots=True)
class Verification:
    path: Path
    problems: tuple[Problem, ...]
    manifest: dict[str, Any] = field(default_factory=dict)
    short_hash: str = ""
    fingerprint: str = ""
    signed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def community(self) -> str:
        return str(self.manifest.get("community", ""))

    @property
    def exported_at(self) -> str:
        return str(self.manifest.get("exported_at", ""))

    @property
    def meetings(self) -> list[dict[str, Any]]:
        m = self.manifest.get("meetings", [])
        return m if isinstance(m, list) else []

    @property
    def format_version(self) -> int | None:
        v = self.manifest.get("format_version")
        return v if type(v) is int else None

    @property
    def files(self) -> list[dict[str, Any]]:
        f = self.manifest.get("files", [])
        return f if isinstance(f, list) else []

    def result_hashes(self) -> list[dict[str, Any]]:
        """Per meeting the hashes printed on its paper: `result_hash` (notice and count report
        footer, "" when not locked) and `round_hashes` (the certificates)."""
        out = []
        for m in self.meetings:
            rounds = m.get("result_hashes", [])
            out.append({"code": str(m.get("code", "")), "title": str(m.get("title", "")),
                        "complete": bool(m.get("complete")),
                        "result_hash": str(m.get("result_hash") or ""),
                        "round_hashes": [str(h) for h in rounds]
                        if isinstance(rounds, list) else []})
        return out

    def summary_lines(self) -> list[str]:
        if not self.manifest:
            return [f"报送包 {self.path.name}：无法读取", *[f"  - {p.message}" for p in self.problems]]
        lines = [f"报送包 {self.path.name}",
                 f"  社区：{self.community}",
                 f"  导出时间：{self.exported_at}",
                 f"  包校验码：{self.short_hash}",
                 f"  密钥指纹：{self.fingerprint}",
                 "  结果校验码（与选举结果公告、选举结果报告单页脚和交接单核对）："]
        for r in self.result_hashes():
            lines.append(f"    {r['title'] or r['code']}：{r['result_hash'] or '结果未锁定'}"
                         + (f"（各轮 {'、'.join(r['round_hashes'])}）" if r["round_hashes"] else ""))
        head = self.manifest.get("audit")
        if any(p.code == "AUDIT_BROKEN" for p in self.problems):
            lines.append("  审计链头：审计链断裂，链头不能作为凭据（见下方问题）")
        elif isinstance(head, dict) and isinstance(head.get("head"), str):
            from db.audit import grouped

            lines.append(f"  审计链头（第 {head.get('row')} 条，与交接单核对；"
                         f"pollday audit verify --head 可查选举数据库）：{grouped(head['head'])}")
        lines.append(f"  文件：{len(self.files)} 个（另有 manifest.json、manifest.sig）")
        lines.append(f"  格式版本：{self.format_version}")
        if self.format_version == 1:
            lines.append("  注意：旧格式（版本1）的 snapshot.sqlite 是整库副本，若该社区用过联网签到，"
                         "其中含主机的配对口令和密钥：请勿转交他人")
        if not self.ok:
            lines.append("  注意：报送包未通过验证，以上校验码不能作为凭据")
        if self.ok:
            lines.append("  结果：完整，签名有效")
        else:
            lines.append(f"  结果：有 {len(self.problems)} 处问题")
            lines += [f"    - {p.message}" for p in self.problems]
        return lines


def _hash_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    limit = member_limit(info.filename)
    with zf.open(info) as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            n += len(chunk)
            if n > limit:
                raise MemberTooLarge(f"解压后超过上限 {_mb(limit)}")
    return h.hexdigest(), n


def verify_package(path: Path | str, *, known_keys: Collection[str] | None = None,
                   fileobj: IO[bytes] | None = None) -> Verification:
    """Everything wrong with the package at `path` (or `fileobj`), and its manifest."""
    path = Path(path)
    problems: list[Problem] = []
    try:
        zf = zipfile.ZipFile(fileobj if fileobj is not None else path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        if fileobj is None and not path.exists():
            return Verification(path, (Problem("NOT_ZIP", f"文件不存在：{path}"),))
        return Verification(path, (Problem("NOT_ZIP", f"不是报送包：不是 zip 文件（{e}）"),))
    with zf:
        return _verify_open(path, zf, problems, known_keys)


def _verify_open(path: Path, zf: zipfile.ZipFile, problems: list[Problem],
                 known_keys: Collection[str] | None) -> Verification:
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if info.filename in by_name:
            problems.append(Problem("DUPLICATE_FILE", f"文件重复出现：{info.filename}",
                                    info.filename))
        if not fmt.safe_path(info.filename):
            problems.append(Problem("BAD_PATH", f"不安全的文件路径：{info.filename}",
                                    info.filename))
        by_name[info.filename] = info
    too_large = member_problems(zf.infolist())
    if too_large:
        return Verification(path, tuple(problems + too_large))
    if fmt.MANIFEST not in by_name:
        problems.append(Problem("NO_MANIFEST", "缺少 manifest.json（不是报送包或已损坏）",
                                fmt.MANIFEST))
        return Verification(path, tuple(problems))
    try:
        raw = read_member(zf, by_name[fmt.MANIFEST], LIMITS.json_bytes)
        manifest = json.loads(raw.decode("utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except (zipfile.BadZipFile, zlib.error, ValueError, UnicodeDecodeError, OSError) as e:
        problems.append(Problem("BAD_MANIFEST", f"manifest.json 已损坏或被改动：{e}",
                                fmt.MANIFEST))
        return Verification(path, tuple(problems))
    short = fmt.short_hash(raw)
    if manifest.get("format") != fmt.FORMAT:
        problems.append(Problem("UNKNOWN_FORMAT",
                                f"不是报送包格式：format = {manifest.get('format')!r}"))
        return Verification(path, tuple(problems), manifest, short)
    version = manifest.get("format_version")
    if type(version) is not int or version not in fmt.READABLE_VERSIONS:
        readable = "、".join(str(v) for v in fmt.READABLE_VERSIONS)
        problems.append(Problem(
            "UNKNOWN_VERSION", f"未知的报送包格式版本 {version!r}（本程序支持 {readable}），"
                               "请升级 PollDay"))
        return Verification(path, tuple(problems), manifest, short)
    fp, signed = _check_signature(zf, by_name, raw, manifest, problems, known_keys)
    _check_files(zf, by_name, manifest, problems)
    problems += audit_problems(zf, by_name, {p.path for p in problems})
    return Verification(path, tuple(problems), manifest, short, fp, signed)


UNREADABLE = "unreadable"


def _breaks_words(where: str, found: list[tuple[int, str]]) -> str:
    from db.audit import break_words

    if found[0][1] == UNREADABLE:
        return f"审计链无法核实：{where}中的审计日志读不出来，这份报送包的结果无法核实"

    rows = "、".join(str(r) for r in dict.fromkeys(rid for rid, _k in found))
    return (f"审计链断裂（第 {found[0][0]} 条起）：{where}中的审计日志第 {rows} 条无法核实——"
            + "；".join(break_words(rid, kind) for rid, kind in found[:20])
            + ("……" if len(found) > 20 else "")
            + "。报送包的签名只证明导出后未被改动，不能证明导出前的记录未被改写：这份报送包的结果无法核实")


def audit_problems(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo],
                   bad: Collection[str]) -> list[Problem]:
    """AUDIT_BROKEN when the audit log the package carries (the archive snapshot.sqlite, and
    events/audit.jsonl) does not re-verify: a database whose log was edited outside the
    program (triggers dropped with sqlite3) exported by a version that did not check it, or a
    forged package signed with a stolen key. Members already found changed are not read."""
    out: list[Problem] = []
    if fmt.SNAPSHOT in by_name and fmt.SNAPSHOT not in bad:
        found = _snapshot_breaks(zf, by_name[fmt.SNAPSHOT])
        if found:
            out.append(Problem("AUDIT_BROKEN", _breaks_words("存档 snapshot.sqlite ", found),
                               fmt.SNAPSHOT))
    if not out and fmt.EVENTS_AUDIT in by_name and fmt.EVENTS_AUDIT not in bad:
        found = _jsonl_breaks(zf, by_name[fmt.EVENTS_AUDIT])
        if found:
            out.append(Problem("AUDIT_BROKEN", _breaks_words(f"{fmt.EVENTS_AUDIT} ", found),
                               fmt.EVENTS_AUDIT))
    return out


def _snapshot_breaks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> list[tuple[int, str]]:
    """The archive's audit rows that do not verify (it is unpacked to a temporary file that is
    removed again; a snapshot without an audit table has nothing to check)."""
    import sqlite3
    import tempfile

    from db.audit import breaks
    from db.files import ro_uri

    with tempfile.TemporaryDirectory(prefix="pollday-verify-", ignore_cleanup_errors=True) as d:
        target = Path(d) / "snapshot.sqlite"
        n = 0
        limit = member_limit(info.filename)
        try:
            with zf.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(CHUNK):
                    n += len(chunk)
                    if n > limit:
                        return []     # the size check has already said so
                    dst.write(chunk)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            return []                 # the hash check has already said so
        try:
            conn = sqlite3.connect(ro_uri(target), uri=True)
        except sqlite3.Error:
            return []
        try:
            has = conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table'"
                               " AND name = 'audit'").fetchone()
            return breaks(conn) if has else []
        except sqlite3.Error:
            return [(0, UNREADABLE)]   # an archive whose log cannot be read is not verified
        finally:
            conn.close()


def _jsonl_breaks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> list[tuple[int, str]]:
    from db.audit import breaks_of

    def rows() -> Any:
        with zf.open(info) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    yield (r["id"], r["at"], r["actor"], r["action"], r["meeting_id"],
                           r["detail"], r["outcome"], r["prev_hash"], r["hash"])

    try:
        return breaks_of(rows())
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, KeyError,
            TypeError):
        return [(0, UNREADABLE)]


def _check_signature(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], raw: bytes,
                     manifest: dict[str, Any], problems: list[Problem],
                     known_keys: Collection[str] | None) -> tuple[str, bool]:
    key = manifest.get("key")
    try:
        assert isinstance(key, dict)
        public_raw = base64.b64decode(str(key["public_key"]), validate=True)
        if len(public_raw) != 32:
            raise ValueError("public key is not 32 bytes")
    except (AssertionError, KeyError, ValueError, binascii.Error):
        problems.append(Problem("BAD_SIGNATURE", "manifest.json 中没有有效的公钥，无法验证签名",
                                fmt.MANIFEST))
        return "", False
    fp = fingerprint(public_raw)
    if key.get("fingerprint") != fp:
        problems.append(Problem("BAD_SIGNATURE",
                                f"公钥指纹不符：manifest 写明 {key.get('fingerprint')}，实际为 {fp}",
                                fmt.MANIFEST))
    if fmt.SIGNATURE not in by_name:
        problems.append(Problem("NO_SIGNATURE", "缺少签名文件 manifest.sig", fmt.SIGNATURE))
        return fp, False
    try:
        sig = read_member(zf, by_name[fmt.SIGNATURE], 1024)
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError) as e:
        problems.append(Problem("BAD_SIGNATURE", f"签名文件 manifest.sig 已损坏：{e}",
                                fmt.SIGNATURE))
        return fp, False
    if not verify(public_raw, sig, raw):
        problems.append(Problem("BAD_SIGNATURE",
                                "签名无效：manifest.json 或 manifest.sig 被改动过，"
                                f"或不是密钥 {fp} 所签", fmt.SIGNATURE))
        return fp, False
    if known_keys is not None and fp not in known_keys:
        problems.append(Problem("UNKNOWN_KEY",
                                f"签名有效，但签名密钥 {fp} 不是预期的密钥"
                                f"（预期：{'、'.join(sorted(known_keys)) or '无'}）", fmt.SIGNATURE))
    return fp, True


def _check_files(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo],
                 manifest: dict[str, Any], problems: list[Problem]) -> None:
    files = manifest.get("files")
    if not isinstance(files, list):
        problems.append(Problem("BAD_MANIFEST", "manifest.json 没有文件清单 files", fmt.MANIFEST))
        return
    listed: set[str] = set()
    for entry in files:
        try:
            name, size, digest = str(entry["path"]), int(entry["size"]), str(entry["sha256"])
        except (KeyError, TypeError, ValueError):
            problems.append(Problem("BAD_MANIFEST", f"文件清单中有无效条目：{entry!r}",
                                    fmt.MANIFEST))
            continue
        listed.add(name)
        info = by_name.get(name)
        if info is None:
            problems.append(Problem("MISSING_FILE", f"缺少文件：{name}", name))
            continue
        if info.file_size != size:
            problems.append(Problem("SIZE_MISMATCH",
                                    f"文件 {name} 的大小不符：清单 {size} 字节，包内 {info.file_size} 字节",
                                    name))
            continue
        try:
            actual, n = _hash_member(zf, info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as e:
            problems.append(Problem("UNREADABLE_FILE",
                                    f"文件 {name} 已损坏或被改动，无法读出（{e}）", name))
            continue
        if n != size or actual != digest:
            problems.append(Problem("HASH_MISMATCH",
                                    f"文件 {name} 的 SHA-256 校验值不符（已被改动或损坏）", name))
    for name in sorted(set(by_name) - listed - {fmt.MANIFEST, fmt.SIGNATURE}):
        problems.append(Problem("EXTRA_FILE", f"清单中没有的多余文件：{name}", name))
