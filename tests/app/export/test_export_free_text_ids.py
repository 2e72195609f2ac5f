"""An ID number typed into a reason or a note never reaches the district: not in the package's
database, event logs, results or PDFs, and the audit log in the package still re-verifies."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

from app.export import format as fmt
from app.export import verify_package
from tests.app.export.conftest import AT, Exported
from tests.app.export.test_export_package import chain_problems, find_secrets


def _typed_in(db: Path) -> set[bytes]:
    """Four real people's ID numbers typed into free text at four places, through the same
    writes the app makes (the audit row through db.audit.append)."""
    from db import meetings as mq
    from db.audit import append
    from db.connection import connect
    from db.tx import transaction

    conn = connect(db)
    ids = [str(r[0]) for r in conn.execute(
        "SELECT id_number FROM person WHERE length(id_number) = 18 ORDER BY id LIMIT 4")]
    plenary = conn.execute("SELECT id FROM meeting WHERE code = 'plenary'").fetchone()[0]
    on_leave = conn.execute(
        "SELECT id FROM person WHERE id NOT IN (SELECT person_id FROM leave)"
        " AND id NOT IN (SELECT person_id FROM exclusion) ORDER BY id DESC LIMIT 1").fetchone()[0]
    with transaction(conn):
        mq.insert_leave(conn, plenary, on_leave, f"由其子代为请假，身份证 {ids[0]}")
        append(conn, at="2026-11-29T17:00:00+08:00", actor="e2e", action="leave_added",
               meeting_id=plenary, detail={"person_id": on_leave,
                                           "reason": f"由其子代为请假，身份证 {ids[0]}"})
        ev = conn.execute("SELECT meeting_id, desk, max(seq), max(clock), person_id FROM"
                          " attendance_event WHERE kind = 'sign_in' GROUP BY desk"
                          " ORDER BY desk LIMIT 1").fetchone()
        conn.execute(
            "INSERT INTO attendance_event (meeting_id, desk, seq, clock, kind, person_id,"
            " operator, at, reason, ref) VALUES (?, ?, ?, ?, 'sign_out', ?, 'e2e',"
            " '2026-11-29T17:01:00+08:00', ?, '')",
            (ev[0], ev[1], ev[2] + 1, ev[3] + 1, ev[4], f"离场，证件 {ids[1]}"))
        cur = conn.execute("SELECT * FROM ballot_entry WHERE entry = 'A' ORDER BY id DESC"
                           " LIMIT 1")
        b = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
        cols = [c for c in b if c != "id"]
        row = b | {"action": "correct",
                                          "note": f"核对原票，监票人身份证{ids[2]}无误"}
        conn.execute(f"INSERT INTO ballot_entry ({', '.join(cols)}) VALUES"
                     f" ({', '.join('?' * len(cols))})", [row[c] for c in cols])
        append(conn, at="2026-11-29T17:02:00+08:00", actor="e2e", action="note",
               detail={"text": f"old ID {ids[3][:15]}", "number": 110101199001011234})
    conn.close()
    return {i.encode() for i in ids} | {ids[3][:15].encode()}


def test_ids_typed_into_free_text_stay_home(exported: Exported, home: Path,
                                            tmp_path: Path) -> None:
    from app.export.build import build_package
    from app.keys import load_or_create
    from db.audit import verify_chain
    from db.connection import connect
    from tests.app.documents.pdf_tools import pdf_text

    db = tmp_path / "typed.db"
    shutil.copy(exported.db, db)
    secrets = _typed_in(db)
    local = connect(db)
    # the live audit log holds them masked already, and its chain is intact
    details = "".join(r[0] for r in local.execute("SELECT detail FROM audit"))
    assert not find_secrets(details.encode(), secrets)
    assert "1101**********1234" not in details and "110101199001011234" in details  # a JSON number stays
    assert verify_chain(local) == []
    # the local database still has what was typed (the venue's own record)
    assert local.execute("SELECT count(*) FROM leave WHERE reason LIKE '%身份证%'").fetchone()[0] == 1
    local.close()

    built = build_package(db, key=load_or_create(), at=AT)
    assert not hasattr(built, "code"), built
    package = tmp_path / built.name  # type: ignore[union-attr]
    package.write_bytes(built.data)  # type: ignore[union-attr]
    assert verify_package(package).ok
    with zipfile.ZipFile(package) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist()}
    for name, data in files.items():
        hay = data
        if name.endswith(".pdf"):
            (tmp_path / "scan.pdf").write_bytes(data)
            hay += pdf_text(tmp_path / "scan.pdf").encode()
        assert not find_secrets(hay, secrets), name
    # ...but what was typed is there, masked, where the district reads it
    snap = tmp_path / "snap.sqlite"
    snap.write_bytes(files[fmt.SNAPSHOT])
    c = sqlite3.connect(snap)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    reasons = [r[0] for r in c.execute("SELECT reason FROM leave WHERE reason LIKE '%身份证%'")]
    c.close()
    assert len(reasons) == 1 and "**********" in reasons[0]
    events = [json.loads(x) for x in files[fmt.EVENTS_ATTENDANCE].decode().splitlines()]
    assert any(e["reason"].startswith("离场，证件 ") and "*" in e["reason"] for e in events)
    # the audit log in the package re-verifies its chain
    rows = [json.loads(x) for x in files[fmt.EVENTS_AUDIT].decode().splitlines()]
    assert chain_problems(rows, tmp_path / "chain.db") == []
