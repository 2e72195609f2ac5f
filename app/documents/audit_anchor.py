"""The audit chain head on paper: the full SHA-256 of the last audit row when the page was
printed, in groups of four hex digits and in a QR code, so that `pollday audit verify --db PATH
--head HEX` can later prove the log up to that row was not rewritten (db/audit.py says why the
chain alone cannot). Printed on the notice, the count report and the hand-over slip."""

from __future__ import annotations

from reportlab.lib.units import mm

from app.documents import fonts
from app.documents.page import MARGIN, Flow
from db.audit import Head, grouped

QR = 24 * mm
HEIGHT = QR + 4 * mm


def anchor_lines(head: Head) -> list[str]:
    g = grouped(head.hash).split(" ")
    if head.broken:   # the log does not re-verify: the head proves nothing, and says so
        rows = "、".join(str(r) for r in head.broken)
        return [f"审计链断裂（第 {head.broken[0]} 条起）：此链头不能作为凭据",
                " ".join(g[:8]), " ".join(g[8:]),
                f"第 {rows} 条审计记录无法核实（写入后被改动、删除或调换过）。"
                "不能据此链头证明审计记录未被改写。"]
    return [f"审计链头（截至第 {head.row} 条审计记录，共 {head.rows} 条；SHA-256）",
            " ".join(g[:8]), " ".join(g[8:]),
            "核对：pollday audit verify --db 选举数据库 --head 链头（或扫左侧二维码）。"
            "一致即说明此前的审计记录未被改写。"]


def draw_audit_anchor(flow: Flow, head: Head) -> None:
    """A block of QR_SIZE height at the flow's cursor: the QR at the left, the text beside it."""
    from app.documents.certificates import draw_payload_qr

    flow.need(HEIGHT)
    c = flow.c
    top = flow.y - 2 * mm
    draw_payload_qr(c, MARGIN, top - QR, QR, head.hash)
    tx = MARGIN + QR + 4 * mm
    title, first, second, how = anchor_lines(head)
    fonts.draw_text(c, tx, top - 4 * mm, title, 9)
    fonts.draw_text(c, tx, top - 10 * mm, first, 11)
    fonts.draw_text(c, tx, top - 15.5 * mm, second, 11)
    fonts.draw_text(c, tx, top - 21 * mm, how, 7.5)
    flow.y -= HEIGHT
