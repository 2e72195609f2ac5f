"""当选证书: one landscape A4 page per elected person, with a decorative border, the name large,
the post, the body, the term, the date, the issuer with a space for the seal, and a verification
QR code whose payload is signed with the installation key (app/documents/certificate_payload.py).
Printing certificates records the signing key's public key in the database so that the database
can later say the key is its own (`pollday verify-certificate PAYLOAD --db PATH`); without a
known key a certificate is only "intact, issuer unverified"."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.clock import iso
from app.documents import fonts
from app.documents.certificate_payload import Claims, sign_claims
from app.documents.kinds import Printed, print_kind
from app.documents.qr import _inline_mask  # reused: the 1-bit image mask of sign-in QR codes
from app.documents.results_doc import (
    ResultDoc,
    check_result_names,
    chinese_date,
    wrap_paragraph,
)
from app.keys import InstallationKey
from app.meetings import Refusal
from app.model import Meeting
from app.voting.model import LOCK_CODE_ZH

W, H = landscape(A4)
RED = (0.70, 0.10, 0.10)
GOLD = (0.72, 0.55, 0.18)
QR_SIZE = 38 * mm


@dataclass(frozen=True, slots=True)
class Certificate:
    number: str
    claims: Claims
    body_text: str
    payload: str


def certificates_of(doc: ResultDoc, key: InstallationKey) -> list[Certificate]:
    """One certificate per elected person, contest by contest, round by round."""
    out: list[Certificate] = []
    for contest in doc.contests:
        for i, (name, r) in enumerate(contest.elected()):
            claims = Claims(doc.community, doc.meeting_code, contest.code, contest.post, name,
                            r.number, doc.date, r.result_hash or doc.result_hash, key.fingerprint)
            text = (f"在{chinese_date(doc.date)}召开的{doc.meeting_title}上，经"
                    f"{'另行选举' if r.kind == 'runoff' else '选举'}，当选为{contest.post}，"
                    f"任期{doc.term}。")
            out.append(Certificate(f"{doc.meeting_code}-{contest.code}-{i + 1:03d}", claims,
                                   text, sign_claims(claims, key)))
    return out


@lru_cache(maxsize=64)
def _version_for(length: int) -> int:
    q = qrcode.QRCode(error_correction=ERROR_CORRECT_M, mask_pattern=0)
    q.add_data(b"x" * length, optimize=0)
    q.make(fit=True)
    return int(q.version)


def qr_rows(text: str) -> list[str]:
    """The certificate's QR matrix ('1' dark). Version and mask are fixed (the version from the
    payload's length, mask 0) instead of searched: `qrcode`'s search of 8 masks for a ~480-byte
    payload costs ~0.2 s a code, 50 certificates 10 s; this costs ~15 ms. Any mask decodes."""
    data = text.encode("utf-8")
    q = qrcode.QRCode(version=_version_for(len(data)), error_correction=ERROR_CORRECT_M,
                      mask_pattern=0, border=0)
    q.add_data(data, optimize=0)
    q.make(fit=False)
    return ["".join("1" if v else "0" for v in row) for row in q.get_matrix()]


def draw_payload_qr(c: Canvas, x: float, y: float, size: float, text: str) -> None:
    c.saveState()
    c.setFillColorRGB(0, 0, 0)
    c.transform(size, 0, 0, size, x, y)
    c.addLiteral(_inline_mask(qr_rows(text)))
    c.restoreState()


def _border(c: Canvas) -> None:
    c.saveState()
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(5)
    c.rect(9 * mm, 9 * mm, W - 18 * mm, H - 18 * mm)
    c.setLineWidth(0.8)
    c.rect(13 * mm, 13 * mm, W - 26 * mm, H - 26 * mm)
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(1.6)
    c.rect(15.5 * mm, 15.5 * mm, W - 31 * mm, H - 31 * mm)
    # Corner ornaments: a gold diamond in a red square at each corner.
    for cx, cy in ((15.5 * mm, 15.5 * mm), (W - 15.5 * mm, 15.5 * mm),
                   (15.5 * mm, H - 15.5 * mm), (W - 15.5 * mm, H - 15.5 * mm)):
        c.setFillColorRGB(*RED)
        c.rect(cx - 5 * mm, cy - 5 * mm, 10 * mm, 10 * mm, stroke=0, fill=1)
        c.setFillColorRGB(*GOLD)
        p = c.beginPath()
        p.moveTo(cx, cy - 4 * mm)
        p.lineTo(cx + 4 * mm, cy)
        p.lineTo(cx, cy + 4 * mm)
        p.lineTo(cx - 4 * mm, cy)
        p.close()
        c.drawPath(p, stroke=0, fill=1)
    # A band of small gold dots along the top and bottom inner frame.
    c.setFillColorRGB(*GOLD)
    x = 26 * mm
    while x < W - 26 * mm:
        c.circle(x, H - 19.5 * mm, 0.6 * mm, stroke=0, fill=1)
        c.circle(x, 19.5 * mm, 0.6 * mm, stroke=0, fill=1)
        x += 6 * mm
    c.restoreState()


def draw_certificate(c: Canvas, doc: ResultDoc, cert: Certificate, issued_on: str) -> None:
    _border(c)
    cl = cert.claims
    c.setFillColorRGB(*RED)
    fonts.draw_text(c, W / 2, H - 52 * mm, "当 选 证 书", 40, fonts.HEADING_STACK, align="center")
    c.setFillColorRGB(0, 0, 0)
    fonts.draw_text(c, W - 30 * mm, H - 30 * mm, f"编号：{cert.number}", 9, align="right")
    left = 42 * mm
    width = W - 2 * left
    y = H - 84 * mm
    w = fonts.draw_text(c, left, y, cl.name, 34, fonts.HEADING_STACK, who=cl.name,
                        max_width=width - 30 * mm)
    fonts.draw_text(c, left + w + 3 * mm, y, "同志：", 20, fonts.KAI_STACK)
    y -= 16 * mm
    for line in wrap_paragraph("　　" + cert.body_text, width, 19, fonts.KAI_STACK):
        fonts.draw_text(c, left, y, line, 19, fonts.KAI_STACK)
        y -= 12 * mm
    fonts.draw_text(c, left, y, "　　特发此证。", 19, fonts.KAI_STACK)
    right = W - 42 * mm
    base = 46 * mm
    fonts.draw_text(c, right, base + 12 * mm, doc.issuer, 15, fonts.KAI_STACK, align="right",
                    max_width=W * 0.45)
    fonts.draw_text(c, right, base, issued_on, 15, fonts.KAI_STACK, align="right")
    issuer_w = min(fonts.text_width(doc.issuer, 15, fonts.KAI_STACK), W * 0.45)
    c.saveState()
    c.setDash(2, 3)
    c.setLineWidth(0.5)
    c.setStrokeGray(0.6)
    c.circle(right - issuer_w / 2, base + 8 * mm, 20 * mm)
    c.restoreState()
    qx, qy = 30 * mm, 27 * mm
    c.setFillColorRGB(1, 1, 1)
    c.rect(qx - 2 * mm, qy - 2 * mm, QR_SIZE + 4 * mm, QR_SIZE + 4 * mm, stroke=0, fill=1)
    draw_payload_qr(c, qx, qy, QR_SIZE, cert.payload)
    c.setFillColorRGB(0, 0, 0)
    tx = qx + QR_SIZE + 4 * mm
    fonts.draw_text(c, tx, qy + 20 * mm, "扫码核验（PollDay 当选证书）", 8.5)
    fonts.draw_text(c, tx, qy + 15 * mm, f"{LOCK_CODE_ZH} {cl.result_hash}", 8)
    fonts.draw_text(c, tx, qy + 10 * mm, f"密钥指纹 {cl.key_fp}", 8)


def render_certificates(doc: ResultDoc, out: Path, at: dt.datetime, key: InstallationKey,
                        only: Sequence[str] | None = None) -> Printed:
    check_result_names(doc)
    fonts.check_printable(doc.issuer, "发证机关")
    certs = [ct for ct in certificates_of(doc, key) if not only or ct.claims.name in only]
    c = fonts.new_canvas(str(out), pagesize=(W, H))
    c.setTitle(f"{doc.meeting_title}当选证书")
    c.setCreator("PollDay")
    c.setSubject(f"打印时间 {iso(at)}")
    issued_on = chinese_date(at.date().isoformat())
    for cert in certs:
        draw_certificate(c, doc, cert, issued_on)
        c.showPage()
    if not certs:
        fonts.draw_text(c, W / 2, H / 2, "没有当选人", 16, align="center")
        c.showPage()
    c.save()
    return Printed(out, max(1, len(certs)), len(certs), f"密钥指纹 {key.fingerprint}")


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--term", default=None, metavar="TEXT", help="任期, e.g. 五年 (default 五年)")
    p.add_argument("--name", action="append", default=None, metavar="NAME",
                   help="only this elected person (repeatable)")


@print_kind("certificates", "当选证书: one per elected person, signed verification QR"
            " (locked results only)", _args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    from dataclasses import replace

    from app.documents.certificate_payload import record_key
    from app.documents.results_source import locked_result_doc
    from app.keys import load_or_create
    from db.tx import transaction

    doc = locked_result_doc(conn, meeting, "当选证书")
    if isinstance(doc, Refusal):
        return doc
    if getattr(args, "term", None):
        doc = replace(doc, term=args.term)
    key = load_or_create()
    try:
        with transaction(conn):
            record_key(conn, key)
    except sqlite3.OperationalError:
        # A read-only copy (an export snapshot) cannot remember the key; the certificates still
        # verify by their signature alone.
        pass
    return render_certificates(doc, out, at, key, getattr(args, "name", None))
