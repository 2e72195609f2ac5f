"""The package's derived files: elected.json, summary.csv, summary.xlsx, and the PDFs.

Everything is computed from a consistent copy of the database and from the results JSON of
`pollday results --json` (app.results), so the package agrees with what the CLI prints.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from app import rounding
from app.export import format as fmt
from app.export.package import zip_entries
from app.keys import InstallationKey
from app.meetings import Refusal, list_contests
from app.model import Meeting
from db import posts as posts_store
from db import snapshot

# Result documents the district files. Blank ballots and sign-in sheets (which carry every
# person's sign-in token in a QR) are forms for the day, not results, and stay out.
DOCUMENT_KINDS = ("attendance-report", "tally-record", "count-report", "notice", "certificates",
                  "proxy-list")
# Their names as people say them (the 报送 page names the ones left out).
DOCUMENT_TITLES = {"attendance-report": "出席情况报告", "tally-record": "发票收票记录",
                   "count-report": "选举结果报告单", "notice": "计票结果公告和选举结果公告",
                   "certificates": "当选证书", "proxy-list": "委托投票名单"}

# OWASP "CSV injection": a spreadsheet evaluates a cell that begins with one of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"   # the spreadsheet convention for "what follows is text" (CSV only)

SUMMARY_HEADER = ("会议代码", "会议", "社区", "选举事项", "职务", "应选名额", "应到", "实到",
                  "出席率", "当选人数", "当选人", "完成", "一次性选举成功", "结果校验码",
                  "本轮锁定校验码")
# 结果校验码: the meeting's code as the 公告 and the 选举结果报告单 print it in their footer (the
# manifest's `result_hash`, what `verify` and the window call the 结果校验码); 本轮锁定校验码: the
# lock codes of the contest's rounds (the 当选证书 print them). Two values, the paper's two names.


def elected_doc(conn: sqlite3.Connection, meetings: list[Meeting],
                results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per meeting and contest the elected with gender, birth year, education, party status."""
    out = []
    for m in meetings:
        doc = results[m.code]
        contests = {c.code: c for c in list_contests(conn, m.id)}
        entries = []
        for c in doc["contests"]:
            contest = contests.get(c["id"])
            persons: dict[str, int | None] = {}
            if contest is not None:
                persons.update(snapshot.contest_candidate_persons(conn, contest.id))
            for r in c["rounds"]:
                for name, pid in snapshot.round_candidate_persons(conn, r["round_id"]).items():
                    if pid is not None or name not in persons:
                        persons[name] = pid
            part_time = posts_store.part_time_persons(conn, contest.id) if contest else {}
            elected = []
            for name in c["elected"]:
                pid = persons.get(name)
                profile = snapshot.person_profile(conn, pid) if pid is not None else None
                elected.append({"name": name, "person_id": pid, **(profile or {
                    "gender": None, "birth_year": None, "birth_month": None, "education": "",
                    "party_status": None, "previous": []}),
                    "part_time": part_time.get(name, False)})
            entries.append({"contest": c["id"], "title": c["title"],
                            "post": contest.post if contest is not None else "",
                            "body": contest.body if contest is not None else "",
                            "seats": c["seats"], "elected": elected})
        out.append({"meeting": m.code, "title": m.title, "contests": entries})
    return {"meetings": out}


def _rate(expected: int | None, present: int | None) -> str:
    if not expected or present is None:
        return ""
    return rounding.percent_text(present, expected)


def summary_rows(meetings: list[Meeting], results: dict[str, dict[str, Any]],
                 elected: dict[str, Any], result_hashes: dict[str, str] | None = None
                 ) -> list[tuple[Any, ...]]:
    """One row per meeting and contest; `result_hashes`: meeting code → its 结果校验码 (as
    printed on the notice; "" until every round of the meeting is locked)."""
    printed = result_hashes or {}
    bodies = {(m["meeting"], c["contest"]): c["body"]
              for m in elected["meetings"] for c in m["contests"]}
    rows: list[tuple[Any, ...]] = []
    for m in meetings:
        doc = results[m.code]
        for c in doc["contests"]:
            first = c["rounds"][0]["snapshot"] if c["rounds"] else None
            expected = first["expected"] if first else None
            present = first["present"] if first else None
            hashes = "、".join(r["hash"] for r in c["rounds"] if r.get("hash"))
            rows.append((m.code, m.title, m.community, bodies.get((m.code, c["id"]), ""),
                         c["title"], c["seats"], "" if expected is None else expected,
                         "" if present is None else present, _rate(expected, present),
                         len(c["elected"]), "、".join(c["elected"]),
                         "是" if c["complete"] else "否",
                         "是" if doc["one_pass_success"] else "否",
                         printed.get(m.code, ""), hashes))
    return rows


def formula_like(value: object) -> bool:
    """User text a spreadsheet would evaluate (a lone "-", the sheet's own blank, is not)."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and value != "-"


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet evaluates: formula-like text after an apostrophe."""
    return TEXT_MARK + value if formula_like(value) else value


def read_csv_cell(text: str) -> str:
    """The text `csv_cell` was given back (what a reader of summary.csv does)."""
    return text[1:] if text.startswith(TEXT_MARK) and formula_like(text[1:]) else text


def summary_csv(rows: list[tuple[Any, ...]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(SUMMARY_HEADER)
    w.writerows([csv_cell(v) for v in r] for r in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def append_text_row(ws: Any, values: list[Any]) -> None:
    """Append a row to an openpyxl sheet with every str as a text cell: openpyxl writes a str
    beginning with "=" as a formula; such a cell is stored as a string with the quote prefix
    (Excel's and LibreOffice's "this is text" mark), so it shows and reads back unchanged."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if formula_like(cell.value):
                cell.quotePrefix = True


def summary_xlsx(rows: list[tuple[Any, ...]], at: dt.datetime) -> bytes:
    """The summary as XLSX; openpyxl's output re-zipped with fixed timestamps (reproducible)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    append_text_row(ws, list(SUMMARY_HEADER))
    for r in rows:
        append_text_row(ws, list(r))
    for col, width in zip("ABCDEFGHIJKLMNO",
                          (10, 36, 20, 28, 10, 8, 8, 8, 8, 8, 40, 6, 12, 16, 30), strict=True):
        ws.column_dimensions[col].width = width
    naive = at.replace(tzinfo=None)
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.creator = "PollDay"
    raw = io.BytesIO()
    wb.save(raw)
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    # openpyxl stamps the save time into docProps/core.xml whatever `modified` says.
    entries = [(n, _fix_core(d, naive) if n == "docProps/core.xml" else d) for n, d in entries]
    return zip_entries(entries, at, compress_all=True)


def _fix_core(data: bytes, at: dt.datetime) -> bytes:
    import re

    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                  rb"\g<1>" + stamp + rb"\g<2>", data)


def printed_result_hash(conn: sqlite3.Connection, meeting: Meeting,
                        key: InstallationKey) -> str:
    """The 结果校验码 the notice and the count report print in their footer ("" until every
    round of the meeting is locked): the same function computes both."""
    from app.documents.results_source import result_doc

    doc = result_doc(conn, meeting, key_fp=key.fingerprint)
    return "" if isinstance(doc, Refusal) else doc.result_hash


def render_documents(conn: sqlite3.Connection, meeting: Meeting, folder: Path,
                     at: dt.datetime) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every DOCUMENT_KINDS PDF that prints for the meeting, and why the others did not."""
    from app.documents.fonts import GlyphMissing
    from app.documents.kinds import discover

    kinds = discover()
    done: dict[str, bytes] = {}
    missing: dict[str, str] = {}
    for name in DOCUMENT_KINDS:
        kind = kinds.get(name)
        if kind is None:
            missing[name] = "本程序没有这种文书"
            continue
        parser = argparse.ArgumentParser(add_help=False)
        if kind.add_arguments is not None:
            kind.add_arguments(parser)
        out = folder / f"{fmt.code_part(meeting.code)}-{name}.pdf"
        try:
            result = kind.render(conn, meeting, out, at, parser.parse_args([]))
        except GlyphMissing as e:
            missing[name] = str(e)
            continue
        if isinstance(result, Refusal):
            missing[name] = result.message
            continue
        done[fmt.document_path(meeting.code, name)] = out.read_bytes()
    return done, missing
