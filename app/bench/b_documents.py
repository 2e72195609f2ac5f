"""Result documents: the time to print what is posted and handed out once a result is locked.

- results_pdfs_s: 选举结果报告单, 选举结果公告 and 50 当选证书 (each with a signed QR code) for a
  result of 5 contests × 10 seats, 14 candidates each, one with a runoff; fonts registered and
  the installation key loaded before timing (a running app has both).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from app.bench import median, metric

ISSUE = "Voting rounds, ballot entry, validation, lock and the printed documents"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华喆珺昉淼"


def _names(n: int, offset: int) -> tuple[str, ...]:
    out = []
    for i in range(offset, offset + n):
        out.append(SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
                   + GIVEN[(i * 11 + 3) % len(GIVEN)])
    return tuple(out)


def sample_result(contests: int = 5, seats: int = 10, candidates: int = 14) -> object:
    """A locked-looking result of plain values (no database)."""
    from app.documents.results_doc import ContestDoc, ResultDoc, RoundDoc, TallyRow
    from app.model import RuleSet
    from app.names import sort_names

    docs = []
    for k in range(contests):
        names = tuple(sort_names(_names(candidates, k * candidates)))
        votes = [900 - 37 * i for i in range(candidates)]
        tally = tuple(TallyRow(n, v, 980 - v - 20, 20) for n, v in zip(names, votes, strict=True))
        elected = tuple(t.name for t in tally[:seats])
        r1 = RoundDoc(1, "第一轮选举", seats, names, 1060, 1000, 1000, 1000, 996, 4, tally,
                      elected, "选举有效，名额已选足", "超过实到会人数的一半",
                      scrutineers=("钱监票", "孙监票"), counters=("周计票",),
                      result_hash=f"{k:012x}", locked=True)
        docs.append(ContestDoc(f"c{k}", f"第{k + 1}组委员", "中共新华街道翠湖社区委员会", seats,
                               names, (r1,)))
    return ResultDoc("新华街道翠湖社区", "bench", "中共新华街道翠湖社区委员会换届选举党员大会",
                     RuleSet.PARTY, "2026-11-22", "党群服务中心", "中共新华街道翠湖社区委员会换届选举党员大会",
                     tuple(docs), "0123456789ab", "", True)


@metric("results_pdfs_s", unit="s", target=3, better="lt", issue=ISSUE)
def results_pdfs_s(scratch: Path) -> float:
    from dataclasses import replace

    from app.documents import fonts
    from app.documents.certificates import render_certificates
    from app.documents.count_report import render_report
    from app.documents.notice import render_notice
    from app.documents.results_doc import ResultDoc
    from app.keys import load_or_create

    fonts.register_fonts()
    key = load_or_create(scratch / "key")
    doc = sample_result()
    assert isinstance(doc, ResultDoc)
    doc = replace(doc, key_fp=key.fingerprint)
    at = dt.datetime(2026, 11, 22, 17, 0)
    times = []
    for i in range(3):
        t0 = time.perf_counter()
        render_report(doc, scratch / f"report-{i}.pdf", at)
        render_notice(doc, scratch / f"notice-{i}.pdf", at)
        printed = render_certificates(doc, scratch / f"certificates-{i}.pdf", at, key)
        times.append(time.perf_counter() - t0)
        assert printed.items == 50
    return median(times)
