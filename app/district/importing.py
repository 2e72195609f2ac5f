"""Import 报送包 into the district database: verify, deduplicate, supersede, flag a new key.

Each file gets one outcome (an expected value, never an exception):
- rejected: not intact (app.export.verify_package names what is wrong) or unreadable content;
  nothing is stored but the attempt.
- duplicate: a package with the same manifest (so the same content) is already imported.
- superseded: imported, and it replaces the community's earlier package as the one counted
  (a resubmission: the later export wins; both stay in the history).
- imported: the community's first package, or an older export arriving after a newer one (kept in
  the history, not counted; the reason says so).

Signing key: a community's packages are expected to carry the key the office registered for it
(`pollday district key`, from the paper hand-over note) or, when none is registered, the key of
its earlier packages. A package signed by another key (valid signature, different fingerprint) is IMPORTED BUT FLAGGED:
it counts like any other (refusing it would leave the district with stale figures on a day when
laptops are swapped), its `key_flag` says which keys differ, and the report and the dashboard list
it until the officer has compared the fingerprint with the one on the paper hand-over note.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.clock import iso
from app.export import format as fmt
from app.export import verify_package
from db import district as store
from db.tx import transaction

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
RESULTS = ("imported", "superseded", "duplicate", "rejected")


@dataclass(frozen=True, slots=True)
class ImportResult:
    package: str        # the file as given
    community: str
    result: str         # imported | superseded | duplicate | rejected
    reason: str
    short_hash: str = ""
    fingerprint: str = ""
    flagged: bool = False

    def json(self) -> dict[str, Any]:
        return asdict(self)


def utc_of(exported_at: str) -> str:
    t = dt.datetime.fromisoformat(exported_at)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))  # China time when unstated
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _content(data: bytes, manifest: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """results/<code>.json of every meeting of the manifest, and elected.json."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        results: dict[str, Any] = {}
        for m in manifest.get("meetings", []):
            code = str(m["code"])
            path = fmt.results_path(code)
            if path in names:
                results[code] = json.loads(zf.read(path).decode("utf-8"))
        elected = json.loads(zf.read(fmt.ELECTED).decode("utf-8")) if fmt.ELECTED in names \
            else {"meetings": []}
        if not isinstance(elected, dict):
            raise ValueError("elected.json is not an object")
        return results, elected


def _manifest_raw(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(fmt.MANIFEST)


def import_package(conn: sqlite3.Connection, path: Path, at: dt.datetime) -> ImportResult:
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        return _record(conn, at, ImportResult(name, "", "rejected", f"无法读取文件：{e}"))
    v = verify_package(path, fileobj=io.BytesIO(data))
    if not v.ok:
        reason = "；".join(p.message for p in v.problems)
        return _record(conn, at, ImportResult(name, v.community, "rejected", reason,
                                              v.short_hash, v.fingerprint))
    manifest_raw = _manifest_raw(data)
    manifest_sha = fmt.sha256_hex(manifest_raw)
    community = v.community
    base = ImportResult(name, community, "", "", v.short_hash, v.fingerprint)
    if not community:
        return _record(conn, at, _with(base, "rejected", "报送包没有写明社区名称"))
    same = store.package_by_manifest(conn, manifest_sha)
    if same is not None:
        return _record(conn, at, _with(base, "duplicate",
                                       f"同一报送包已于 {same.imported_at} 导入"
                                       f"（{Path(same.file_name).name}，校验码 {same.short_hash}）"))
    try:
        results, elected = _content(data, v.manifest)
        exported_utc = utc_of(v.exported_at)
        _check_figures(v.manifest, results, elected)
    except (KeyError, ValueError, TypeError, AttributeError, UnicodeDecodeError,
            zipfile.BadZipFile) as e:
        # Signed by someone, but not what PollDay writes: refused here rather than breaking
        # every report later.
        return _record(conn, at, _with(base, "rejected", f"报送包内容无法读取：{e!r}"))
    earlier = store.packages(conn, community, light=True)
    flag = key_flag(v.fingerprint, sorted({p.fingerprint for p in earlier}),
                    store.registered_keys(conn, community))
    latest = max(earlier, key=lambda p: (p.exported_utc, p.id), default=None)
    if latest is None:
        result, reason = "imported", ""
    elif exported_utc >= latest.exported_utc:
        result = "superseded"
        reason = (f"取代 {latest.exported_at} 导出的报送包（校验码 {latest.short_hash}），"
                  "原报送包保留在历史记录中")
    else:
        result = "imported"
        reason = (f"导出时间早于已导入的报送包（{latest.exported_at}，校验码 {latest.short_hash}），"
                  "仅存入历史记录，不计入汇总")
    reason = "；".join(r for r in (reason, flag) if r)
    stored_manifest = {k: val for k, val in v.manifest.items() if k != "files"}
    with transaction(conn):
        pid = store.insert_package(conn, {
            "manifest_sha256": manifest_sha, "short_hash": v.short_hash, "community": community,
            "street": str(v.manifest.get("street", "")), "exported_at": v.exported_at,
            "exported_utc": exported_utc, "fingerprint": v.fingerprint, "file_name": name,
            "file_sha256": hashlib.sha256(data).hexdigest(), "imported_at": iso(at),
            "key_flag": flag,
            "manifest": json.dumps(stored_manifest, ensure_ascii=False, sort_keys=True),
            "results": json.dumps(results, ensure_ascii=False, sort_keys=True),
            "elected": json.dumps(elected, ensure_ascii=False, sort_keys=True)})
        out = ImportResult(name, community, result, reason, v.short_hash, v.fingerprint,
                           bool(flag))
        _attempt(conn, at, out, pid)
    return out


def key_flag(fingerprint: str, earlier: list[str], registered: list[str]) -> str:
    """Why the signing key is questioned, or "": not a key the office registered for the
    community, or (none registered) not the key of the community's earlier packages."""
    if registered:
        if fingerprint in registered:
            return ""
        return (f"签名密钥 {fingerprint} 不是为该社区登记的密钥（{'、'.join(registered)}），"
                "请核对纸质交接单上的密钥指纹")
    if earlier and fingerprint not in earlier:
        return (f"签名密钥 {fingerprint} 与该社区此前报送包的密钥 {'、'.join(earlier)} 不同，"
                "请核对纸质交接单上的密钥指纹")
    return ""


def _check_figures(manifest: dict[str, Any], results: dict[str, Any],
                   elected: dict[str, Any]) -> None:
    """Compute the community's figures once: raises on content the report could not read."""
    from app.district.figures import Community, community_from_package

    row = store.PackageRow(0, "", "", str(manifest.get("community")), "", "", "", "", "", "",
                           "", "", json.dumps(manifest), json.dumps(results),
                           json.dumps(elected))
    community_from_package(Community(row.community), row)


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
