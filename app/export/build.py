"""Build a 报送包 from an election database (format: app/export/format.py).

Everything in the package comes from ONE consistent copy of the database (VACUUM INTO), taken
first: results, event logs, documents and the archive (snapshot.sqlite, built from an allowlist:
db/snapshot.py) agree even while desks write.
The export time is passed in; the same database and time give the same package bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__
from app.clock import iso
from app.export import content
from app.export import format as fmt
from app.export.package import assemble
from app.fileio import safe_filename
from app.keys import InstallationKey
from app.meetings import Refusal, list_meetings, resolve_meeting
from app.model import Meeting
from app.scratch import ScratchError, scratch_dir
from db import audit, settings, snapshot
from db import files as dbfiles
from db.connection import connect
from db.tx import transaction

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
LAST_PACKAGE_SETTING = "export.last_package"   # JSON: short_hash, fingerprint, file, at
CANCELLED = Refusal("CANCELLED", "已取消导出")
PRIVACY = {
    "id_number": "公民身份号码只保留前4位和后4位（如 1101**********1234）",
    "snapshot": "按允许清单逐表逐列复制的存档（db/snapshot.py ARCHIVE），其余内容不离开本机",
    "removed": ["person.phone", "person.note", "person.token", "person.birth_date 的日",
                "exclusion.detail", "person_key（检索键）",
                "sync_host / sync_peer / sync_desk / sync_update（联网签到的配对密钥、口令与同步数据）",
                "setting 中除社区所属街道、区和公钥以外的设置"],
}
_BAD_NAME_CHARS = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True, slots=True)
class BuiltPackage:
    name: str                 # file name, <community>-<YYYYMMDD>-<HHMMSS>.pollday
    data: bytes
    manifest: dict[str, Any]
    short_hash: str
    fingerprint: str
    missing_documents: dict[str, dict[str, str]] = field(default_factory=dict)


def package_name(community: str, at: dt.datetime) -> str:
    safe = safe_filename(_BAD_NAME_CHARS.sub("_", community).strip("._"), fallback="community")
    return f"{safe}-{at.strftime('%Y%m%d-%H%M%S')}{fmt.EXTENSION}"


def street_of(community: str) -> str:
    m = re.match(r"^(.+?(?:街道|镇|乡))", community)
    return m.group(1) if m else ""


def _noop(_d: int, _t: int, _m: str) -> None:
    return None


def build_package(db_path: Path, *, key: InstallationKey, at: dt.datetime,
                  meeting_code: str | None = None, progress: Progress | None = None,
                  cancel: Cancel | None = None, actor: str | None = None
                  ) -> BuiltPackage | Refusal:
    """The package of every meeting of the database (or only `meeting_code`). Where the
    database has a staff list, `actor` is the signed-on 主持人 (app.permissions)."""
    from app.permissions import check_path

    denied = check_path(db_path, "export", actor)
    if denied is not None:
        return Refusal("NOT_ALLOWED", denied.message)
    report = progress or _noop
    stop = cancel or (lambda: False)
    # The working copy is the whole database (ID numbers, phones): it lives in a scratch folder
    # that is removed when this block ends and swept at the next start after a crash (app/scratch.py).
    with scratch_dir("export-") as work:
        full = work / "full.sqlite"
        src = connect(db_path, create=False)
        source = work / "archive-source.sqlite"
        try:
            report(0, 0, "复制数据库")
            # The archive is built from the copy as taken, before the documents write to it
            # (the certificates record their key): a private copy of it is read in a thread
            # (SQLite releases the GIL, so this overlaps with rendering the PDFs).
            def copy() -> None:
                snapshot.vacuum_into(src, full)
                shutil.copyfile(full, source)

            _scratch_copy(copy, full)
        finally:
            src.close()
        # A package is a promise that its figures can be re-checked: a log that no longer
        # verifies (a row edited or removed outside the program) never leaves in one.
        broken = audit_refusal(full)
        if broken is not None:
            return broken
        with ThreadPoolExecutor(1) as pool:
            archive = pool.submit(_archive, source, work)
            conn = connect(full, create=False)
            # A throwaway working copy: what the documents write to it need not survive a crash.
            dbfiles.throwaway(conn)
            try:
                chosen = _meetings(conn, meeting_code)
                if isinstance(chosen, Refusal):
                    return chosen
                steps = 3 + len(chosen)
                files, fields, missing = _files_from_copy(conn, chosen, work, at, key,
                                                          lambda i, m: report(i, steps, m), stop)
                if files is not None:   # the scanned ballots' record (format 4), if any
                    from app.scan.records import package_files

                    scan_files, scan_counts = package_files(
                        conn, db_path.parent, None if meeting_code is None else
                        [m.id for m in chosen])
                    files.update(scan_files)
                    fields["counts"].update(scan_counts)
            finally:
                conn.close()
            if files is None:
                return CANCELLED
            report(steps - 1, steps, "生成数据库存档（按允许清单）")
            files[fmt.SNAPSHOT] = archive.result()
        if stop():
            return CANCELLED
        fields["counts"]["files"] = len(files)
        assembled = assemble(files, fields, key, at)
        report(steps, steps, "签名完成")
    community = str(fields["community"])
    return BuiltPackage(package_name(community, at), assembled.data, assembled.manifest,
                        assembled.short_hash, assembled.fingerprint, missing)


def audit_refusal(db: Path) -> Refusal | None:
    """AUDIT_BROKEN naming EVERY audit row of `db` that does not verify (when, who, what, and
    how), and how to proceed; None when the chain is intact."""
    # One wording for the export refusal, the main window's band and the 审计日志 page.
    from app.audit_log import RESTORE_ADVICE, check_chain

    conn = connect(db, create=False)
    try:
        check = check_chain(conn)
    finally:
        conn.close()
    if check.intact:
        return None
    return Refusal("AUDIT_BROKEN", (
        f"审计日志{check.rows_text()}无法核实，不能导出报送包。"
        + check.every_break_text() + "。审计链断裂的报送包，区里无法核实其中的结果，"
        "也无法证明它未被伪造。" + RESTORE_ADVICE + "。"))


def _scratch_copy(copy: Callable[[], object], full: Path) -> None:
    """Run `copy` (the working copies in the scratch folder); a full or read-only data folder is
    said as such, naming the folder, not as a fault of the election database."""
    from app.logs import environment_words

    try:
        copy()
    except (OSError, sqlite3.Error) as e:
        words = environment_words(e, full)
        if words is None:
            raise
        raise ScratchError(f"导出需要在 {full.parent.parent} 临时存放一份数据库副本，但写不下：{words}"
                           "（导出没有进行，数据库没有改动）") from e


def _meetings(conn: sqlite3.Connection, code: str | None) -> list[Meeting] | Refusal:
    if code is not None:
        m = resolve_meeting(conn, code)
        return m if isinstance(m, Refusal) else [m]
    meetings = list_meetings(conn)
    if not meetings:
        return Refusal("NO_MEETING", "数据库中还没有会议，没有可报送的内容")
    return sorted(meetings, key=lambda m: m.id)


def _archive(source: Path, work: Path) -> bytes:
    # VACUUM INTO wrote a self-contained file (no WAL) nobody had opened: a file copy of it is
    # as consistent as a second VACUUM INTO, and faster.
    target = work / fmt.SNAPSHOT
    snapshot.build_archive(source, target)
    return target.read_bytes()


def _files_from_copy(conn: sqlite3.Connection, meetings: list[Meeting], work: Path,
                     at: dt.datetime, key: InstallationKey, report: Callable[[int, str], None],
                     stop: Cancel) -> tuple[dict[str, bytes] | None, dict[str, Any],
                                           dict[str, dict[str, str]]]:
    from app.results import results as results_of

    files: dict[str, bytes] = {}
    missing: dict[str, dict[str, str]] = {}
    meeting_parts: list[dict[str, Any]] = []
    results: dict[str, dict[str, Any]] = {}
    for i, m in enumerate(meetings):
        if stop():
            return None, {}, missing
        report(i, f"{m.title}：结果与文书")
        doc = results_of(conn, m)
        results[m.code] = doc
        files[fmt.results_path(m.code)] = fmt.json_bytes(doc)
        pdfs, missing[m.code] = content.render_documents(conn, m, work, at)
        files.update(pdfs)
        meeting_parts.append(_meeting_part(m, doc, pdfs, missing[m.code],
                                           content.printed_result_hash(conn, m, key)))
    report(len(meetings), "事件记录与汇总表")
    ids = [m.id for m in meetings]
    attendance = snapshot.attendance_rows(conn, ids)
    ballots = snapshot.ballot_rows(conn, ids)
    # The audit detail is masked as it is written (db/audit.py), so the exact stored text goes
    # out and the chain re-verifies from the file; the rows' free text is masked again here.
    audit_rows = snapshot.audit_rows(conn)
    # The chain head anchors the log outside the file: signed here, printed on the paper.
    head = audit.head(conn)
    files[fmt.EVENTS_ATTENDANCE] = fmt.jsonl_bytes(attendance)
    files[fmt.EVENTS_BALLOTS] = fmt.jsonl_bytes(ballots)
    files[fmt.EVENTS_AUDIT] = fmt.jsonl_bytes(audit_rows)
    elected = content.elected_doc(conn, meetings, results)
    files[fmt.ELECTED] = fmt.json_bytes(elected)
    rows = content.summary_rows(meetings, results, elected,
                                {p["code"]: p["result_hash"] for p in meeting_parts})
    files[fmt.SUMMARY_CSV] = content.summary_csv(rows)
    files[fmt.SUMMARY_XLSX] = content.summary_xlsx(rows, at)
    community = meetings[0].community
    fields: dict[str, Any] = {
        "software": {"name": "PollDay", "version": __version__},
        "exported_at": iso(at),
        "community": community,
        "street": settings.get(conn, "community.street") or street_of(community),
        "district": settings.get(conn, "community.district") or "",
        "schema_version": snapshot.schema_version(conn),
        "meetings": meeting_parts,
        "counts": {"persons": snapshot.count(conn, "person"), "meetings": len(meetings),
                   "attendance_events": len(attendance), "ballot_rows": len(ballots),
                   "audit_rows": len(audit_rows),
                   "elected": sum(len(c["elected"]) for m in elected["meetings"]
                                  for c in m["contests"])},
        "privacy": PRIVACY,
        "audit": {"head": head.hash, "row": head.row, "rows": head.rows},
    }
    return files, fields, missing


def _meeting_part(m: Meeting, doc: dict[str, Any], pdfs: dict[str, bytes],
                  missing: dict[str, str], result_hash: str) -> dict[str, Any]:
    return {
        "code": m.code, "title": m.title, "organisation": m.organisation.value,
        "rules": m.rules.value, "form": m.form.value, "date": m.date, "venue": m.venue,
        "complete": doc["complete"], "one_pass_success": doc["one_pass_success"],
        # What the notice and the count report print (结果校验码), and the rounds' lock hashes
        # (on the certificates): the paper's figures, listed in the signed manifest.
        "result_hash": result_hash,
        "result_hashes": [r["hash"] for c in doc["contests"] for r in c["rounds"] if r["hash"]],
        "documents": {p.rsplit("/", 1)[1].removesuffix(".pdf"): p for p in sorted(pdfs)},
        "documents_missing": dict(sorted(missing.items())),
    }


def record_export(db_path: Path, built: BuiltPackage, *, file: str, at: dt.datetime,
                  actor: str = "选举工作人员") -> None:
    """Remember the last package (setting LAST_PACKAGE_SETTING) and audit the export."""
    conn = connect(db_path, create=False)
    try:
        value = {"short_hash": built.short_hash, "fingerprint": built.fingerprint,
                 "file": file, "at": iso(at)}
        with transaction(conn):
            settings.put(conn, LAST_PACKAGE_SETTING, json.dumps(value, ensure_ascii=False))
            audit.append(conn, at=iso(at), actor=actor, action="package_exported",
                         detail=value)
    finally:
        conn.close()


def record_export_or_words(db_path: Path, built: BuiltPackage, *, file: str,
                           at: dt.datetime, actor: str = "选举工作人员") -> str:
    """`record_export`; "" when done, else why not in words (a read-only, full or replaced
    database). The package is already written and checked: that must not hide it."""
    from app.logs import environment_words, to_file_only
    from db.identity import DatabaseFileChanged

    try:
        record_export(db_path, built, file=file, at=at, actor=actor)
    except DatabaseFileChanged as e:
        return str(e)
    except (OSError, sqlite3.Error) as e:
        words = environment_words(e, db_path)
        if words is None:
            raise
        to_file_only(words, e)
        return words
    return ""


def last_package(conn: sqlite3.Connection) -> dict[str, str] | None:
    raw = settings.get(conn, LAST_PACKAGE_SETTING)
    if raw is None:
        return None
    value = json.loads(raw)
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None
