"""The scanned ballots' record (issue 17 item 8): one row per scanned page, whatever became of it,
and what of it travels in the 报送包 (app/export/format.py, version 4):

    scan/ballots.jsonl   one JSON object a line, per scanned page in (batch, position) order:
                         the batch and position, the original file (name, SHA-256, page in
                         it), the layout (code, contest, round, format, test deck), dpi, fit
                         residual, upside down, status (read / flagged / refused) and the
                         refusal's reason, the box scores, the machine's reading and its flags,
                         the human decision and who made it (one or two people), where it was
                         counted (round, entry A number), the final reading counted (after a
                         double-entry resolution or a correction, with who did it), whether it
                         was in the blind sample, and its image in the package (adjudicated
                         ballots only) or null
    scan/testdeck.jsonl  the test deck's result, one line per scanned deck page
    scan/images/<page id>-<first 16 hex of the file's SHA-256>.<ext>
                         the image of each adjudicated ballot: the original file when it holds
                         that page alone (its SHA-256 is the record's), else that page taken out
                         of the file (a JPEG, its own SHA-256 in the record)

Images of ballots read without a human stay in the venue's archive and backups only. The images
stop at IMAGE_BUDGET (members and bytes, well inside app.export.verify.LIMITS); a record beyond
it says its image was left out and why. Nothing here is a key or a personal identifier: a scanned
ballot carries no name (write-in names are candidates' names, as in events/ballots.jsonl)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db import scan_records as q

BALLOTS = "scan/ballots.jsonl"
TESTDECK = "scan/testdeck.jsonl"
IMAGES = "scan/images/"
MiB = 1 << 20


@dataclass(frozen=True, slots=True)
class ImageBudget:
    files: int = 1200            # the package holds at most 2,000 members
    bytes: int = 600 * MiB       # all members together at most 1 GiB


IMAGE_BUDGET = ImageBudget()


def _json(text: object, default: Any) -> Any:
    try:
        return json.loads(str(text)) if text not in (None, "") else default
    except ValueError:
        return default


def _final(finals: dict[tuple[int, int], Any], c: Any) -> dict[str, Any] | None:
    """The reading finally counted for a scanned ballot in round c[1] under number c[3]."""
    f = finals.get((int(c[1]), int(c[3])))
    if f is None:
        return None
    return {"present": bool(f[0]), "marks": str(f[1]), "write_ins": _json(f[2], []),
            "invalid": bool(f[3]), "entry": str(f[4]), "by": str(f[5]), "action": str(f[6])}


def ballot_records(conn: sqlite3.Connection, meeting_ids: Collection[int] | None = None
                   ) -> list[dict[str, Any]]:
    """Every scanned page's record (of the meetings' layouts; refused pages of their batches)."""
    rows = q.page_records(conn)
    layouts = {int(r[0]): r for r in q.layout_meetings(conn)}
    decisions = {int(r[0]): r for r in q.decisions(conn)}
    counted: dict[int, Any] = {}
    counted_all: dict[int, list[Any]] = {}   # a page of several contests: one row per round
    for r in q.counted(conn):
        counted.setdefault(int(r[0]), r)
        counted_all.setdefault(int(r[0]), []).append(r)
    sampled = q.sampled_pages(conn)
    finals = q.final_readings(conn)
    wanted = None if meeting_ids is None else set(meeting_ids)
    batches_of_meetings: set[int] = set()
    out: list[dict[str, Any]] = []
    for (pid, batch, pos, page, status, reason, code, dpi, residual, upside, marks, written,
         scores, flags, fname, fsha, fpages) in rows:
        lay = layouts.get(int(code)) if code is not None else None
        if wanted is not None and lay is not None and int(lay[5]) not in wanted:
            continue
        if lay is not None:
            batches_of_meetings.add(int(batch))
        d = decisions.get(int(pid))
        c = counted.get(int(pid))
        final = None if c is None else _final(finals, c)
        out.append({
            "page_id": int(pid), "batch": int(batch), "position": int(pos),
            "file": {"name": str(fname), "sha256": str(fsha), "page": int(page),
                     "pages": int(fpages)},
            "layout": None if lay is None else {
                "code": int(code), "contest": str(lay[1]), "round": int(lay[2]),
                "format": str(lay[3]), "test_deck": bool(lay[4])},
            "dpi": dpi, "residual_mm": residual, "upside_down": bool(upside),
            "status": str(status), "reason": str(reason),
            "scores": _json(scores, []),
            "machine": {"marks": str(marks), "write_in_rows": _json(written, []),
                        "flags": _json(flags, [])},
            "decision": None if d is None else {
                "marks": str(d[1]), "write_ins": _json(d[2], []), "invalid": bool(d[3]),
                "reason": str(d[4]), "by": [x for x in (str(d[5]), str(d[6])) if x],
                "note": str(d[7]), "at": str(d[8])},
            "decided_by": ("machine" if status == "read" else
                           "refused: keyboard entry" if status == "refused" else
                           "people" if d is not None else "pending"),
            "counted": None if c is None else {"round_id": int(c[1]), "entry": str(c[2]),
                                               "seq": int(c[3]), "at": str(c[4])},
            "final": final,
            "in_sample": int(pid) in sampled,
            "image": None,
            # a page of several contests counted into each contest's round: every one of them
            **({"counted_rounds": [{"round_id": int(x[1]), "entry": str(x[2]), "seq": int(x[3]),
                                    "at": str(x[4]), "final": _final(finals, x)}
                                   for x in counted_all[int(pid)]]}
               if len(counted_all.get(int(pid), [])) > 1 else {}),
        })
    if wanted is not None:
        out = [r for r in out if r["layout"] is not None or r["batch"] in batches_of_meetings]
    return out


def testdeck_records(conn: sqlite3.Connection, meeting_ids: Collection[int] | None = None
                     ) -> list[dict[str, Any]]:
    from app.scan.testdeck import results

    meetings = {int(r[0]): int(r[5]) for r in q.layout_meetings(conn)}
    return [r.as_json() for r in results(conn)
            if meeting_ids is None or meetings.get(r.code) in set(meeting_ids)]


def _page_jpeg(path: Path, data: bytes, page: int) -> bytes | None:
    """Page `page` (1-based) of a multi-page scan file as a grayscale JPEG."""
    import io

    from PIL import Image

    from app.scan.source import pages_of

    for img in pages_of(path, data):
        if img.page == page and img.gray is not None:
            buf = io.BytesIO()
            Image.fromarray(img.gray).save(buf, "JPEG", quality=85,
                                           dpi=(img.dpi or 300, img.dpi or 300))
            return buf.getvalue()
    return None


def package_files(conn: sqlite3.Connection, folder: Path,
                  meeting_ids: Collection[int] | None = None,
                  budget: ImageBudget = IMAGE_BUDGET) -> tuple[dict[str, bytes], dict[str, int]]:
    """(package path -> bytes, counts) of the scan record; nothing when nothing was scanned.
    `folder`: where the election database lies (the archive folder is beside it)."""
    records = ballot_records(conn, meeting_ids)
    if not records:
        return {}, {}
    archived = {str(r[0]): str(r[1]) for r in q.archived_files(conn)}
    files: dict[str, bytes] = {}
    used = 0
    for rec in records:
        if rec["decision"] is None:
            continue
        sha = rec["file"]["sha256"]
        where = archived.get(sha)
        data = None
        if where is not None:
            try:
                data = (folder / where).read_bytes()
            except FileNotFoundError:
                rec["image_omitted"] = f"存档文件缺失：{where}"
                continue
            except OSError as exc:
                rec["image_omitted"] = f"存档文件无法读取：{exc.strerror or exc}"
                continue
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            rec["image_omitted"] = "存档文件缺失或已被改动（SHA-256 不符）"
            continue
        ext = Path(rec["file"]["name"]).suffix.lower() or ".bin"
        whole = rec["file"]["pages"] == 1
        if not whole:
            data = _page_jpeg(Path(rec["file"]["name"]), data, rec["file"]["page"])
            ext = ".jpg"
            if data is None:
                rec["image_omitted"] = "无法从扫描文件中取出该页"
                continue
        if len(files) + 1 > budget.files or used + len(data) > budget.bytes:
            rec["image_omitted"] = "超出报送包的图像限额（原件保存在计票电脑的存档和备份中）"
            continue
        path = f"{IMAGES}{rec['page_id']:06d}-{sha[:16]}{ext}"
        files[path] = data
        used += len(data)
        rec["image"] = {"path": path, "sha256": hashlib.sha256(data).hexdigest(),
                        "original": whole}
    files[BALLOTS] = b"".join(json.dumps(r, ensure_ascii=False, sort_keys=True,
                                         separators=(",", ":")).encode() + b"\n"
                              for r in records)
    deck = testdeck_records(conn, meeting_ids)
    if deck:
        files[TESTDECK] = b"".join(json.dumps(r, ensure_ascii=False, sort_keys=True,
                                              separators=(",", ":")).encode() + b"\n"
                                   for r in deck)
    images = sum(1 for p in files if p.startswith(IMAGES))
    return files, {"scan_ballots": len(records), "scan_images": images,
                   "scan_image_bytes": used}


def check_package_records(ballots: bytes, listed: dict[str, str]) -> list[str]:
    """What is wrong with a package's scan record (the district's import): a line that is not a
    record, an image the record names that the signed manifest does not list with the same
    SHA-256, or a listed image no record names. `listed`: path -> SHA-256 of the manifest."""
    problems: list[str] = []
    named: set[str] = set()
    for n, line in enumerate(ballots.decode("utf-8", "replace").splitlines(), 1):
        try:
            rec = json.loads(line)
            image = rec["image"]
            int(rec["page_id"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"{BALLOTS} 第{n}行不是扫描选票记录")
            continue
        if image is None:
            continue
        path, sha = str(image.get("path", "")), str(image.get("sha256", ""))
        named.add(path)
        if listed.get(path) != sha:
            problems.append(f"{BALLOTS} 第{n}行的图像 {path} 不在清单中或 SHA-256 不符")
    extra = sorted(p for p in listed if p.startswith(IMAGES) and p not in named)
    problems += [f"图像 {p} 没有对应的扫描选票记录" for p in extra]
    return problems
