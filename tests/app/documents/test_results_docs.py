"""Result documents read back as a person or a scanner would: fonts embedded, names and figures in
the extracted text, certificate QR codes decoded by zbar and verified, an altered payload refused
by the `pollday verify-certificate` process, unprintable names refused with the person named."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pdtest import pollday_cmd

from app.cli import main
from app.clock import FixedClock
from app.documents import fonts
from app.documents.certificate_payload import (
    Rejected,
    Verified,
    known_keys,
    sign_claims,
    verify_payload,
)
from app.documents.kinds import discover
from app.documents.notice import render_notice
from app.documents.results_doc import ResultDoc
from app.documents.results_source import result_doc
from app.keys import load_or_create
from db.connection import connect
from tests.app.documents.pdf_tools import (
    assert_fonts_embedded,
    decode_qr_codes,
    pdf_text,
    render_pages,
    squash,
)
from tests.app.documents.results_venue import CANDIDATES, WRITE_IN, build

AT = "2026-11-22T17:30:00+08:00"
ELECTED = {"王䶮", "李𠮷祥", "张喆"}


def _clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 22, 8, 30,
                                  tzinfo=dt.timezone(dt.timedelta(hours=8))), 1.0)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """POLLDAY_HOME for the module: the installation key lives there."""
    path = tmp_path_factory.mktemp("home")
    old = os.environ.get("POLLDAY_HOME")
    os.environ["POLLDAY_HOME"] = str(path)
    yield path
    if old is None:
        del os.environ["POLLDAY_HOME"]
    else:
        os.environ["POLLDAY_HOME"] = old


@pytest.fixture(scope="module")
def locked_db(tmp_path_factory: pytest.TempPathFactory, home: Path) -> Path:
    path = tmp_path_factory.mktemp("db") / "party.db"
    conn = connect(path)
    build(conn, _clock())
    conn.close()
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, locked_db: Path) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    paths: dict[str, Path] = {}
    for kind, extra in (("ballots", ["--round", "1", "--count", "3"]), ("tally-record", []),
                        ("count-report", []), ("notice", ["--number", "第2号"]),
                        ("certificates", ["--term", "五年"])):
        paths[kind] = out / f"{kind}.pdf"
        rc = main(["print", kind, "--db", str(locked_db), "--out", str(paths[kind]),
                   "--at", AT, *extra])
        assert rc == 0, kind
    return paths


def test_the_five_kinds_are_registered() -> None:
    assert {"ballots", "tally-record", "count-report", "notice", "certificates"} <= set(discover())


@pytest.mark.parametrize("kind", ["ballots", "tally-record", "count-report", "notice",
                                  "certificates"])
def test_fonts_are_embedded(printed: dict[str, Path], kind: str) -> None:
    assert_fonts_embedded(printed[kind])


def test_ballots_list_candidates_in_stroke_order_without_numbers(printed: dict[str, Path]
                                                                  ) -> None:
    text = squash(pdf_text(printed["ballots"]))
    # 王(4) 李(7) 张(7: 横折 after 李's 横竖) 欧(8); each of the 3 ballots lists all four.
    assert text.count("王䶮李𠮷祥张喆欧阳娜娜") == 3
    assert "编号" not in text and "000001" not in text  # test_ballots_no_number.py
    assert "应选名额：3名" in text and "所选人数多于应选人数的为无效票" in text
    assert "另选他人" in text and text.count("盖章处") == 3


def test_tally_record_has_the_box_figures(printed: dict[str, Path]) -> None:
    text = squash(pdf_text(printed["tally-record"]))
    assert "发票收票记录" in text and "主票箱" in text
    assert "主票箱3028280" in text  # printed 30, issued 28, returned 28, spoiled 0
    assert "第二轮（另行选举）" in text and "本轮投票有效" in text


def test_count_report_has_every_figure(printed: dict[str, Path], locked_db: Path) -> None:
    text = squash(pdf_text(printed["count-report"]))
    conn = connect(locked_db, create=False)
    from app.meetings import meeting_by_code

    meeting = meeting_by_code(conn, "party")
    assert meeting is not None
    doc = result_doc(conn, meeting)
    conn.close()
    assert isinstance(doc, ResultDoc)
    assert "选举结果报告单" in text
    for name in [*CANDIDATES, WRITE_IN]:
        assert name in text
    # round 1: 应到 30, 实到 28, 发出 28, 收回 28, 有效 27, 无效 1; 王䶮 16 / 0 / 11, elected
    assert "30282828271" in text
    assert "1王䶮16011当选" in text and "赵大山（另选他人）3——" in text
    assert "所选人数多于应选人数" in text
    assert "监票人：钱监票、孙监票" in text and "计票人：周计票" in text
    assert f"结果校验码{doc.result_hash}" in text and f"密钥指纹{doc.key_fp}" in text
    assert "委员当选人（3名）：王䶮、李𠮷祥、张喆" in text


def test_notice_has_votes_elected_and_hash(printed: dict[str, Path]) -> None:
    text = squash(pdf_text(printed["notice"]))
    assert "选举结果公告" in text and "（第2号）" in text
    assert "《中国共产党基层组织选举工作条例》" in text
    assert "应到会有选举权的党员30名" in text and "实到会有选举权的党员28名" in text
    assert "张喆2008当选" in text and "欧阳娜娜8020" in text
    assert "当选为委员的是（按姓氏笔画为序）：王䶮、李𠮷祥、张喆" in text
    assert "（盖章）" in text and "结果校验码" in text and "密钥指纹" in text


def test_certificate_qr_codes_decode_and_verify(printed: dict[str, Path], locked_db: Path,
                                                home: Path) -> None:
    text = squash(pdf_text(printed["certificates"]))
    assert text.count("同志：") == 3 and "当选证书" in text and "任期五年" in text
    payloads = decode_qr_codes(printed["certificates"], dpi=150)
    assert len(payloads) == 3
    key = load_or_create(home)
    names = set()
    for p in payloads:
        v = verify_payload(p)
        assert isinstance(v, Verified), v
        assert v.claims.key_fp == key.fingerprint and v.claims.meeting == "party"
        names.add(v.claims.name)
    assert names == ELECTED
    conn = connect(locked_db, create=False)
    assert known_keys(conn) == {key.fingerprint: key.public_raw}  # recorded when signing
    conn.close()


def _alter(payload: str, **changes: object) -> str:
    head, body, sig, pub = payload.split(".")
    obj = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    obj.update(changes)
    raw = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    return ".".join([head, base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), sig, pub])


def _verify(payload: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLLDAY_HOME": str(home)}
    return subprocess.run([*pollday_cmd(), "verify-certificate", payload, *args],
                          capture_output=True, text=True, env=env, timeout=60)


def test_verify_certificate_cli_genuine_altered_and_unknown_key(
        printed: dict[str, Path], locked_db: Path, home: Path, tmp_path: Path) -> None:
    payload = decode_qr_codes(printed["certificates"], dpi=150, first=1, last=1)[0]
    ok = _verify(payload, "--db", str(locked_db), home=home)
    assert ok.returncode == 0, ok.stderr
    assert "证书真实" in ok.stdout and "王䶮" in ok.stdout
    altered = _alter(payload, name="钱监票")
    bad = _verify(altered, home=home)
    assert bad.returncode == 1 and "BAD_SIGNATURE" in bad.stderr
    # In-process checks of the other refusals (a process each would only repeat the above).
    assert isinstance(verify_payload(payload[:-3]), Rejected)
    garbled = verify_payload("PD1.???.x.y")
    assert isinstance(garbled, Rejected) and garbled.code == "FORMAT"
    other = load_or_create(tmp_path / "other-installation")
    v = verify_payload(payload)
    assert isinstance(v, Verified)
    forged = sign_claims(replace(v.claims, key_fp=other.fingerprint), other)
    assert isinstance(verify_payload(forged), Verified)  # self-consistent on its own ...
    unknown = _verify(forged, "--db", str(locked_db), home=home)
    assert unknown.returncode == 1 and "UNKNOWN_KEY" in unknown.stderr  # ... not to this db


def test_db_check_refuses_a_person_not_elected(printed: dict[str, Path], locked_db: Path,
                                               home: Path) -> None:
    from app.documents.certificate_payload import check_in_db

    key = load_or_create(home)
    payload = decode_qr_codes(printed["certificates"], dpi=150, first=1, last=1)[0]
    v = verify_payload(payload)
    assert isinstance(v, Verified)
    conn = connect(locked_db, create=False)
    assert check_in_db(conn, v, None) == v
    for change, code in (({"name": "欧阳娜娜"}, "NOT_ELECTED"),
                         ({"result_hash": "000000000000"}, "HASH_MISMATCH"),
                         ({"meeting": "nope"}, "NO_SUCH_MEETING")):
        forged = verify_payload(sign_claims(replace(v.claims, **change), key))
        assert isinstance(forged, Verified)
        got = check_in_db(conn, forged, None)
        assert isinstance(got, Rejected) and got.code == code, (change, got)
    conn.close()


def test_published_documents_are_refused_until_locked(tmp_path: Path, home: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "open.db"
    conn = connect(path)
    build(conn, _clock(), lock=False)
    conn.close()
    for kind in ("notice", "certificates", "count-report"):
        out = tmp_path / f"{kind}.pdf"
        assert main(["print", kind, "--db", str(path), "--out", str(out)]) == 1
        assert not out.exists()
        assert "尚未锁定" in capsys.readouterr().err
    assert main(["print", "tally-record", "--db", str(path), "--out",
                 str(tmp_path / "t.pdf")]) == 0


def test_unprintable_name_is_refused_naming_the_person(locked_db: Path, tmp_path: Path) -> None:
    from app.meetings import meeting_by_code

    conn = connect(locked_db, create=False)
    meeting = meeting_by_code(conn, "party")
    assert meeting is not None
    doc = result_doc(conn, meeting)
    conn.close()
    assert isinstance(doc, ResultDoc)
    contest = doc.contests[0]
    odd = "张\U000f0001"
    doc = replace(doc, contests=(replace(contest, candidates=(*contest.candidates, odd)),))
    with pytest.raises(fonts.GlyphMissing) as e:
        render_notice(doc, tmp_path / "n.pdf", dt.datetime(2026, 11, 22, 17))
    assert odd in str(e.value) and "U+F0001" in str(e.value) and "候选人" in str(e.value)


def test_pages_render(printed: dict[str, Path], tmp_path: Path) -> None:
    """Every page rasterises (what the layout review looked at, at 60 dpi)."""
    for kind, path in printed.items():
        assert render_pages(path, tmp_path / kind, dpi=60), kind


def test_ballots_cli_refuses_an_unprintable_candidate(tmp_path: Path, home: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from app.model import RuleSet
    from tests.app.voting.voting_venue import small_meeting

    path = tmp_path / "odd.db"
    conn = connect(path)
    small_meeting(conn, _clock(), RuleSet.PARTY, voters=6, seats=1,
                  candidates=["王\U000f0003五", "李四"], code="odd")
    conn.close()
    out = tmp_path / "ballots.pdf"
    assert main(["print", "ballots", "--db", str(path), "--out", str(out), "--count", "2"]) == 1
    err = capsys.readouterr().err
    assert "王\U000f0003五" in err and "U+F0003" in err and "候选人" in err
    assert not out.exists()
