"""Import 报送包 into the district database: verify, deduplicate, supersede, flag a new key.

Each file gets one outcome (an expected value, never an exception):
- rejected: not intact (app.export.verify_package names what is wrong) or unreadable content;
  nothing is stored but the attempt.
- duplicate: a package with the same manifest (so the same content) is already imported.
- superseded: imported, and it replaces the community's earlier package as the one counted
  (a resubmission: the later export wins; both stay in the history).
- imported: the community's first package, or an older export arriving after a newer one (kept in
  the history, not counted; the reason says so).

- quarantined: signed by a key other than the community's (app.district.trust): stored and
  listed with the reason, never counted until a person approves it.

Signing key: the community's registered key decides (app.district.trust); with none registered
the first package counts but is marked 未核对密钥 until a person confirms its fingerprint against
the paper slip. Members are read within app.export.verify.LIMITS (a package bomb is refused from
its declared sizes before anything is unpacked) and the package file is read through one handle,
never whole into memory; the JSON members read for the figures are re-checked against the signed
manifest's SHA-256 (the file cannot change between the check and the read).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from app.clock import iso
from app.district import trust
from app.export import format as fmt
from app.export import verify_package
from app.export.verify import LIMITS, read_member
from db import district as store
from db.tx import transaction

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
RESULTS = ("imported", "superseded", "duplicate", "rejected", "quarantined")


@dataclass(frozen=True, slots=True)
class ImportResult:
    package: str        # the file as given
    community: str
    result: str         # imported | superseded | duplicate | rejected | quarantined
    reason: str
    short_hash: str = ""
    fingerprint: str = ""
    flagged: bool = False

    def json(self) -> dict[str, Any]:
        return asdict(self)


REEXPORT = "请社区重新导出报送包（报送页“导出报送包”），再把新的文件交来"
# What a refusal means, in a clerk's words, by the verifier's problem code; the technical
# detail follows in brackets for whoever helps.
PROBLEM_WORDS = {
    "NOT_ZIP": "这不是报送包，或文件已损坏", "NO_MANIFEST": "这不是报送包，或文件已损坏",
    "UNKNOWN_FORMAT": "报送包的格式本程序不认识（可能由不同版本的 PollDay 导出）",
    "UNKNOWN_VERSION": "报送包的格式本程序不认识（可能由不同版本的 PollDay 导出）",
    "TOO_LARGE": "文件过大，不像 PollDay 导出的报送包",
    "BAD_SIGNATURE": "报送包的签名对不上：无法确认它出自该社区的电脑",
    "NO_SIGNATURE": "报送包缺少签名：无法确认它出自该社区的电脑",
    "UNKNOWN_KEY": "报送包的签名对不上：无法确认它出自该社区的电脑",
}
CHANGED = "报送包在导出后被改动或损坏（拷贝不完整、U盘出错，或文件被修改过）"


def clerk_reason(what: str, detail: str, todo: str = REEXPORT) -> str:
    """A refusal for the 换届办 clerk: what it means, what to do, then the detail."""
    return f"{what}。{todo}。（详情：{detail}）"


AUDIT_TODO = ("未计入汇总。请社区用最后一份审计记录完整的备份恢复（审计日志页显示“审计记录完整”），"
              "从那份数据库重新导出报送包；并请核实记录被谁、何时改动")


def _audit_broken(problems: Sequence[Any]) -> str:
    """"审计链断裂（第 N 条起），报送包中的结果无法核实" when the package's audit log does not
    re-verify (app.export.verify.audit_problems), else ""."""
    for p in problems:
        if p.code == "AUDIT_BROKEN":
            head = str(p.message).split("：", 1)[0]
            return f"{head}，报送包中的结果无法核实"
    return ""


def broken_detail(problems: Sequence[Any]) -> str:
    return "；".join(str(p.message).split("：", 1)[-1] for p in problems
                    if p.code == "AUDIT_BROKEN")


def refusal_words(codes: Sequence[str]) -> str:
    """The first problem's meaning (a damaged or changed package when the code is not listed)."""
    return next((PROBLEM_WORDS[c] for c in codes if c in PROBLEM_WORDS), CHANGED)


def utc_of(exported_at: str) -> str:
    t = dt.datetime.fromisoformat(exported_at)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))  # China time when unstated
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_member(zf: zipfile.ZipFile, name: str, listed: dict[str, str]) -> Any:
    """A JSON member, at most LIMITS.json_bytes read, equal to what the signed manifest lists."""
    raw = read_member(zf, zf.getinfo(name), LIMITS.json_bytes)
    if listed.get(name) != hashlib.sha256(raw).hexdigest():
        raise ValueError(f"{name} 与签名清单不符（文件在校验后被改动？）")
    return json.loads(raw.decode("utf-8"))


def _content(f: IO[bytes], manifest: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """results/<code>.json of every meeting of the manifest, and elected.json."""
    listed = {str(e.get("path")): str(e.get("sha256")) for e in manifest.get("files", [])
              if isinstance(e, dict)}
    with zipfile.ZipFile(f) as zf:
        names = set(zf.namelist())
        results: dict[str, Any] = {}
        for m in manifest.get("meetings", []):
            code = str(m["code"])
            path = fmt.results_path(code)
            if path in names:
                results[code] = _json_member(zf, path, listed)
        elected = _json_member(zf, fmt.ELECTED, listed) if fmt.ELECTED in names \
            else {"meetings": []}
        if not isinstance(elected, dict):
            raise ValueError("elected.json is not an object")
        _check_scan_record(zf, names, listed)
        return results, elected


def _check_scan_record(zf: zipfile.ZipFile, names: set[str], listed: dict[str, str]) -> None:
    """Format 4's scanned-ballot record (app/scan/records.py) is checked, never counted: each
    image a record names is listed with its SHA-256 and no listed image is unnamed."""
    from app.scan.records import BALLOTS, IMAGES, check_package_records

    if BALLOTS not in names:
        if any(p.startswith(IMAGES) for p in listed):
            raise ValueError("报送包有扫描图像却没有扫描选票记录")
        return
    raw = read_member(zf, zf.getinfo(BALLOTS), LIMITS.member_bytes)
    if listed.get(BALLOTS) != hashlib.sha256(raw).hexdigest():
        raise ValueError(f"{BALLOTS} 与签名清单不符（文件在校验后被改动？）")
    problems = check_package_records(raw, listed)
    if problems:
        raise ValueError("扫描选票记录与报送包不符：" + "；".join(problems[:5]))


def _manifest_raw(f: IO[bytes]) -> bytes:
    with zipfile.ZipFile(f) as zf:
        return read_member(zf, zf.getinfo(fmt.MANIFEST), LIMITS.json_bytes)


def _file_sha256(f: IO[bytes]) -> str:
    f.seek(0)
    h = hashlib.sha256()
    while chunk := f.read(1 << 20):
        h.update(chunk)
    return h.hexdigest()


def import_package(conn: sqlite3.Connection, path: Path, at: dt.datetime) -> ImportResult:
    name = str(path)
    try:
        f = path.open("rb")
    except OSError as e:
        return _record(conn, at, ImportResult(name, "", "rejected", _unreadable(e)))
    try:
        return _import_open(conn, name, path, f, at)
    except OSError as e:   # the stick pulled out mid-read
        return _record(conn, at, ImportResult(name, "", "rejected", _unreadable(e)))
    finally:
        f.close()


def _import_open(conn: sqlite3.Connection, name: str, path: Path, f: IO[bytes],
                 at: dt.datetime) -> ImportResult:
    v = verify_package(path, fileobj=f)
    if not v.ok:
        broken = _audit_broken(v.problems)
        if broken and len(v.problems) == 1:   # intact and signed, but its log was rewritten
            return _refuse_broken_log(conn, at, name, f, v, broken)
        else:
            reason = clerk_reason(refusal_words([p.code for p in v.problems]),
                                  "；".join(p.message for p in v.problems))
        return _record(conn, at, ImportResult(name, v.community, "rejected", reason,
                                              v.short_hash, v.fingerprint))
    try:
        manifest_raw = _manifest_raw(f)
    except (KeyError, ValueError, zipfile.BadZipFile) as e:
        return _record(conn, at, ImportResult(name, v.community, "rejected",
                                              clerk_reason(CHANGED, f"报送包内容无法读取：{e}"),
                                              v.short_hash,
                                              v.fingerprint))
    manifest_sha = fmt.sha256_hex(manifest_raw)
    if fmt.short_hash(manifest_raw) != v.short_hash:
        return _record(conn, at, ImportResult(name, v.community, "rejected",
                                              clerk_reason(CHANGED, "manifest.json 在校验后被改动"),
                                              v.short_hash,
                                              v.fingerprint))
    community = v.community
    base = ImportResult(name, community, "", "", v.short_hash, v.fingerprint)
    if not community:
        return _record(conn, at, _with(base, "rejected", clerk_reason(
            "报送包没有写明是哪个社区的", "manifest.json 中没有社区名称")))
    same = store.package_by_manifest(conn, manifest_sha)
    if same is not None:
        return _record(conn, at, _with(base, "duplicate",
                                       f"同一报送包已于 {same.imported_at} 导入"
                                       f"（{Path(same.file_name).name}，校验码 {same.short_hash}）"))
    try:
        results, elected = _content(f, v.manifest)
        exported_utc = utc_of(v.exported_at)
        _check_figures(v.manifest, results, elected)
    except (KeyError, ValueError, TypeError, AttributeError, UnicodeDecodeError,
            zipfile.BadZipFile) as e:
        # Signed by someone, but not what PollDay writes: refused here rather than breaking
        # every report later.
        return _record(conn, at, _with(base, "rejected", clerk_reason(
            "报送包里的结果本程序读不懂（可能由不同版本的 PollDay 导出，或被改动过）",
            f"报送包内容无法读取：{e!r}")))
    before = trust.trust_of(conn, community)
    flag = trust.key_reason(v.fingerprint, before.keys, before.provisional)
    file_sha = _file_sha256(f)
    stored_manifest = {k: val for k, val in v.manifest.items() if k != "files"}
    with transaction(conn):
        pid = store.insert_package(conn, {
            "manifest_sha256": manifest_sha, "short_hash": v.short_hash, "community": community,
            "street": str(v.manifest.get("street", "")), "exported_at": v.exported_at,
            "exported_utc": exported_utc, "fingerprint": v.fingerprint, "file_name": name,
            "file_sha256": file_sha, "imported_at": iso(at),
            "key_flag": flag,
            "manifest": json.dumps(stored_manifest, ensure_ascii=False, sort_keys=True),
            "results": json.dumps(results, ensure_ascii=False, sort_keys=True),
            "elected": json.dumps(elected, ensure_ascii=False, sort_keys=True)})
        after = trust.trust_of(conn, community)
        result, reason = _outcome(before, after, pid)
        out = ImportResult(name, community, result, reason, v.short_hash, v.fingerprint,
                           result == "quarantined")
        _attempt(conn, at, out, pid)
    return out


def _refuse_broken_log(conn: sqlite3.Connection, at: dt.datetime, name: str, f: IO[bytes],
                       v: Any, broken: str) -> ImportResult:
    """Refused, naming the break; the same package imported earlier (by a version that did not
    check the log) is excluded from the figures, written to the decision log."""
    from app.district.decisions import decide

    reason = clerk_reason(broken, broken_detail(v.problems), AUDIT_TODO)
    try:
        same = store.package_by_manifest(conn, fmt.sha256_hex(_manifest_raw(f)))
    except (KeyError, ValueError, zipfile.BadZipFile):
        same = None
    with transaction(conn):
        if same is not None:
            done = decide(conn, "exclude", f"#{same.id}", reason=broken, by="导入核对（程序）",
                          at=at)
            if done.ok:
                reason = (f"{broken}。此前已导入的同一报送包（校验码 {same.short_hash}）"
                          f"现已排除出汇总（记入操作记录）。" + reason.split("。", 1)[1])
        out = ImportResult(name, v.community, "rejected", reason, v.short_hash, v.fingerprint)
        _attempt(conn, at, out, None)
    return out


def _outcome(before: trust.CommunityTrust, after: trust.CommunityTrust,
             pid: int) -> tuple[str, str]:
    """The import's result and reason from the community's trust before and after it."""
    mine = next(s for s in after.states if s.package.id == pid)
    if mine.status == trust.QUARANTINED:
        return "quarantined", (f"{mine.reason}：已隔离，不计入汇总；请核对纸质交接单上的密钥指纹，"
                               "核实后可批准（汇总界面“批准”或 pollday district approve）")
    unverified = ("" if after.keys else
                  f"该社区尚未登记密钥：已计入，但标记“{trust.UNVERIFIED}”，请对照纸质交接单核对指纹 "
                  f"{mine.package.fingerprint} 后确认（汇总界面“核对密钥”或 "
                  "pollday district confirm-key）")
    old = before.current
    if mine.status == trust.COUNTED:
        if old is None:
            return "imported", unverified
        p = old.package
        return "superseded", "；".join(x for x in (
            f"取代 {p.exported_at} 导出的报送包（校验码 {p.short_hash}），原报送包保留在历史记录中",
            unverified) if x)
    latest = after.current.package if after.current else None
    return "imported", (f"导出时间早于已导入的报送包（{latest.exported_at}，校验码 "
                        f"{latest.short_hash}），仅存入历史记录，不计入汇总" if latest else
                        "仅存入历史记录，不计入汇总")


def _check_figures(manifest: dict[str, Any], results: dict[str, Any],
                   elected: dict[str, Any]) -> None:
    """Compute the community's figures once: raises on content the report could not read."""
    from app.district.figures import Community, community_from_package

    row = store.PackageRow(0, "", "", str(manifest.get("community")), "", "", "", "", "", "",
                           "", "", json.dumps(manifest), json.dumps(results),
                           json.dumps(elected))
    community_from_package(Community(row.community), row)


def _unreadable(e: OSError) -> str:
    return clerk_reason("无法读取这个文件（U盘被拔出、文件损坏，或没有权限）", str(e),
                        "请插好U盘再导入一次；仍然不行，请社区重新导出报送包")


def _with(base: ImportResult, result: str, reason: str) -> ImportResult:
    return ImportResult(base.package, base.community, result, reason, base.short_hash,
                        base.fingerprint)


def _attempt(conn: sqlite3.Connection, at: dt.datetime, r: ImportResult,
             package_id: int | None) -> None:
    store.add_attempt(conn, at=iso(at), file_name=r.package, community=r.community,
                      short_hash=r.short_hash, fingerprint=r.fingerprint, result=r.result,
                      reason=r.reason, package_id=package_id)


def _record(conn: sqlite3.Connection, at: dt.datetime, r: ImportResult) -> ImportResult:
    with transaction(conn):
        _attempt(conn, at, r, None)
    return r


def _noop(_d: int, _t: int, _m: str) -> None:
    return None


def import_packages(conn: sqlite3.Connection, paths: Sequence[Path], at: dt.datetime, *,
                    progress: Progress | None = None, cancel: Cancel | None = None
                    ) -> list[ImportResult]:
    """Import `paths` in order (each in its own transaction); stops early when cancelled, the
    packages done so far staying imported."""
    report = progress or _noop
    stop = cancel or (lambda: False)
    out: list[ImportResult] = []
    for i, p in enumerate(paths):
        if stop():
            break
        report(i, len(paths), Path(p).name)
        out.append(import_package(conn, Path(p), at))
    report(len(out), len(paths), "完成")
    return out


def expand(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a folder stands for the .pollday files in it (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(p.glob(f"*{fmt.EXTENSION}")))
        else:
            out.append(p)
    return out
