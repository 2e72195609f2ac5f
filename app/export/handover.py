"""报送包交接单 (hand-over slip): the paper the scrutineers sign for the FILE.

The PDFs inside a package cannot carry the package's own hash (they are part of what is hashed),
so the chain from paper to file has two links, both checked by `pollday verify PACKAGE`:

1. The 选举结果公告 and 选举结果报告单 print the meeting's 结果校验码 and the key fingerprint in
   their footer; the signed manifest lists the same 结果校验码 per meeting (`result_hash`, and the
   rounds' lock hashes printed on the certificates in `result_hashes`); `pollday verify` prints
   them next to the fingerprint.
2. This slip, printed AFTER the package was written and read back, carries the package's short
   hash (SHA-256 of manifest.json, 12 hex digits), the key fingerprint, the file's name, size and
   SHA-256, and again each meeting's 结果校验码. The 监票人 and the officer sign it; the district
   clerk compares it with what `pollday verify` prints and signs as receiver.

A package whose short hash matches the signed slip is the file the scrutineers vouched for; a
result hash that matches the notice ties that file to the posted result. The slip also prints the
audit chain head signed in the manifest (format 3), in groups and in a QR code: with it `pollday
audit verify --db PATH --head HEX` proves the community's audit log up to the export was not
rewritten afterwards (db/audit.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.clock import iso
from app.fileio import finish_atomic, temp_path

TITLE = "报送包交接单"
SIGNERS = ("监票人", "监票人", "选举工作人员（导出人）", "日期", "接收人（区/街道换届办）", "接收日期")


@dataclass(frozen=True, slots=True)
class Slip:
    community: str
    file_name: str
    size: int
    sha256: str                 # of the whole .pollday file
    short_hash: str             # the package's short hash (manifest.json)
    fingerprint: str
    exported_at: str
    meetings: tuple[tuple[str, bool, str, tuple[str, ...]], ...]  # title, complete, hash, rounds
    audit_head: tuple[str, int, int] | None = None   # manifest's audit head: hash, row, rows


def slip_of(manifest: dict[str, Any], *, file_name: str, size: int, sha256: str,
            short_hash: str, fingerprint: str) -> Slip:
    meetings = []
    for m in manifest.get("meetings", []):
        rounds = m.get("result_hashes", [])
        meetings.append((str(m.get("title") or m.get("code")), bool(m.get("complete")),
                         str(m.get("result_hash") or ""),
                         tuple(str(h) for h in rounds) if isinstance(rounds, list) else ()))
    head = manifest.get("audit")
    audit_head = None
    if isinstance(head, dict) and isinstance(head.get("head"), str):
        audit_head = (str(head["head"]), int(head.get("row") or 0), int(head.get("rows") or 0))
    return Slip(str(manifest.get("community", "")), file_name, size, sha256, short_hash,
                fingerprint, str(manifest.get("exported_at", "")), tuple(meetings), audit_head)


def render_slip(slip: Slip, out: Path, at: dt.datetime) -> Path:
    """The slip as an A4 PDF at `out` (written through a temporary name)."""
    from reportlab.lib.units import mm

    from app.documents import fonts
    from app.documents.page import CONTENT_W, MARGIN, Column, Flow, footer_text

    tmp = temp_path(out)
    c = fonts.new_canvas(str(tmp))
    c.setTitle(f"{slip.community}{TITLE}")
    c.setCreator("PollDay")
    foot = f"包校验码 {slip.short_hash}　密钥指纹 {slip.fingerprint}　打印时间 {iso(at)[:16]}"
    flow = Flow(c, lambda cv, page: footer_text(cv, foot.replace("T", " "), page))
    flow.text(slip.community, 14, stack=fonts.HEADING_STACK, align="center")
    flow.text(TITLE, 22, stack=fonts.HEADING_STACK, align="center", gap=1.8)
    flow.space(4 * mm)
    flow.text("包校验码", 11)
    flow.text(slip.short_hash, 26, align="center", gap=1.5)
    flow.text("密钥指纹", 11)
    flow.text(slip.fingerprint, 26, align="center", gap=1.5)
    flow.space(3 * mm)
    _rows(flow, Column, CONTENT_W, [
        ("报送包文件", slip.file_name),
        ("文件大小", f"{slip.size} 字节"),
        ("文件 SHA-256", slip.sha256),
        ("导出时间", slip.exported_at.replace("T", " ")),
    ])
    flow.space(4 * mm)
    flow.text("各会议结果校验码（与选举结果公告、选举结果报告单页脚一致）", 11.5,
              stack=fonts.HEADING_STACK)
    cols = [Column("会议", 0.40 * CONTENT_W), Column("完成", 0.10 * CONTENT_W, "center"),
            Column("结果校验码", 0.20 * CONTENT_W, "center"),
            Column("各轮锁定校验码（当选证书）", 0.30 * CONTENT_W)]
    flow.table(cols, [(t, "是" if done else "否", h or "未锁定", "、".join(r) or "—")
                      for t, done, h, r in slip.meetings], size=10)
    if slip.audit_head is not None:
        from app.documents.audit_anchor import draw_audit_anchor
        from db.audit import Head

        flow.space(3 * mm)
        draw_audit_anchor(flow, Head(slip.audit_head[1], slip.audit_head[0], slip.audit_head[2]))
    flow.space(4 * mm)
    for line in _instructions():
        flow.text(line, 10, stack=fonts.KAI_STACK, x=MARGIN)
    flow.space(2 * mm)
    flow.signatures(SIGNERS)
    flow.finish()
    c.save()
    finish_atomic(tmp, out)   # FileInUse, in words, while a viewer holds the old slip
    return out


def _rows(flow: Any, column: Any, width: float, rows: Sequence[tuple[str, str]]) -> None:
    flow.table([column("项目", 0.22 * width), column("内容", 0.78 * width)], rows, size=10)


def _instructions() -> list[str]:
    return [
        "本单在报送包写入U盘并回读校验之后打印。包校验码是报送包内 manifest.json 的 SHA-256 前12位，"
        "密钥指纹是本机签名密钥的指纹；报送包内每个文件的校验值都列在 manifest.json 中并由该密钥签名。",
        "接收方运行 pollday verify 报送包文件，核对输出中的包校验码、密钥指纹和各会议结果校验码与本单"
        "一致，且结果为“完整，签名有效”，再签收。",
    ]


def slip_name(package_name: str) -> str:
    """The slip's file name for a package: <package stem>-交接单.pdf."""
    stem = package_name.rsplit(".", 1)[0]
    return f"{stem}-交接单.pdf"
