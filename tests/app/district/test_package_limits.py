"""District memory (issue 13, finding 7): a validly signed package hiding a huge run of
whitespace in one results file is refused from its declared sizes, in seconds, with bounded
memory (a fresh process's peak RSS), naming the member and the limit."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from app.bench.b_package_bomb import refuse_in_process, write_bomb
from app.export import verify as v


def test_package_bomb_refused_with_bounded_memory(tmp_path: Path) -> None:
    bomb = write_bomb(tmp_path / "bomb.pollday", 300_000_000)
    assert bomb.stat().st_size < 1_000_000          # ~300 KB on the stick
    m = refuse_in_process(bomb, tmp_path / "d.db")
    line = m["line"]
    assert isinstance(line, dict)
    assert line["result"] == "rejected", line
    assert "results/m1.json" in str(line["reason"])
    assert float(str(m["s"])) < 10
    assert float(str(m["peak_mb"])) < 200, m        # before: ~610 MB for 300 MB of spaces


def _zip(entries: list[tuple[str, bytes]]) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def test_limits_name_the_member_and_reason() -> None:
    limits = v.Limits(member_bytes=1000, json_bytes=100, total_bytes=1500, members=3,
                      ratio=50, ratio_from=200)
    zf = _zip([("a.txt", b"x" * 900), ("results/a.json", b"{" + b" " * 150 + b"}")])
    problems = v.member_problems(zf.infolist(), limits)
    assert [p.path for p in problems] == ["a.txt", "results/a.json"]
    assert "压缩比" in problems[0].message          # 900 x's deflate > 50:1
    assert "100" in problems[1].message and "results/a.json" in problems[1].message
    zf = _zip([(f"f{i}", b"1") for i in range(4)])
    assert "文件数" in v.member_problems(zf.infolist(), limits)[0].message
    zf = _zip([("a", bytes(range(256)) * 3), ("b", bytes(range(256)) * 3)])
    assert "合计" in v.member_problems(zf.infolist(), limits)[0].message


def test_read_member_stops_at_the_limit_even_when_the_header_lies() -> None:
    zf = _zip([("results/a.json", b"[" + b" " * 5000 + b"]")])
    info = zf.infolist()[0]
    with pytest.raises(v.MemberTooLarge) as e:
        v.read_member(zf, info, 100)
    assert "results/a.json" in str(e.value)
    info.file_size = 10       # a forged header: unpacking stops at 10 bytes, the CRC fails
    with pytest.raises(zipfile.BadZipFile):
        v.read_member(zf, info, 100)
