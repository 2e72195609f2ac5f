"""Paper -> file: the notice and count report posted at the venue print the 结果校验码 and the key
fingerprint; the signed manifest lists the same per meeting; `pollday verify` prints them with the
package's short hash; the 交接单 printed after the export carries the short hash, the fingerprint
and the result hashes, so the paper the scrutineers sign vouches for the file."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

from app.cli import main
from tests.app.export.conftest import AT, Exported


def _pdf_text(data: bytes, tmp: Path) -> str:
    pdf = tmp / "x.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _footer(text: str) -> tuple[str, str]:
    m = re.search(r"结果校验码 ([0-9a-f]{12})\s+密钥指纹 ([0-9A-F]{4}(?:-[0-9A-F]{4}){3})", text)
    assert m, text[-400:]
    return m.group(1), m.group(2)


def _cli(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def test_posted_paper_matches_the_signed_manifest_and_verify(exported: Exported, home: Path,
                                                             tmp_path: Path) -> None:
    with zipfile.ZipFile(exported.package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        inside = _pdf_text(zf.read("documents/party/notice.pdf"), tmp_path)
    party = {m["code"]: m for m in manifest["meetings"]}["party"]
    fp = manifest["key"]["fingerprint"]
    assert re.fullmatch(r"[0-9a-f]{12}", party["result_hash"])
    assert _footer(inside) == (party["result_hash"], fp)
    # The notice and count report as printed at the venue (before the export), from the database.
    for kind in ("notice", "count-report"):
        out = tmp_path / f"{kind}.pdf"
        code, _o, err = _cli("print", kind, "--db", exported.db, "--out", out,
                             "--meeting", "party", "--at", AT.isoformat())
        assert code == 0, err
        assert _footer(_pdf_text(out.read_bytes(), tmp_path)) == (party["result_hash"], fp)
    # The district side (and the demo) recompute it from the package's own results file.
    from app.district.demo import meeting_result_hash

    with zipfile.ZipFile(exported.package) as zf:
        for m in manifest["meetings"]:
            doc = json.loads(zf.read(f"results/{m['code']}.json"))
            assert meeting_result_hash(doc) == m["result_hash"], m["code"]
    # The round hashes (certificates) are listed too; an unlocked meeting has no result hash.
    assert party["result_hashes"] and all(re.fullmatch(r"[0-9a-f]{12}", h)
                                          for h in party["result_hashes"])
    residents = {m["code"]: m for m in manifest["meetings"]}["residents"]
    assert residents["result_hash"] == "" and not residents["complete"]
    # What the district clerk reads from `pollday verify`: short hash, fingerprint, result hash.
    code, out_text, _e = _cli("verify", exported.package)
    assert code == 0
    assert f"包校验码：{exported.built.short_hash}" in out_text  # type: ignore[attr-defined]
    assert f"密钥指纹：{fp}" in out_text
    assert re.search(rf"党员大会\S*：{party['result_hash']}", out_text), out_text
    assert "结果未锁定" in out_text
    code, js, _e = _cli("verify", exported.package, "--json")
    doc = json.loads(js)
    by_code = {r["code"]: r for r in doc["result_hashes"]}
    assert by_code["party"]["result_hash"] == party["result_hash"]
    assert by_code["party"]["round_hashes"] == party["result_hashes"]


def test_a_changed_result_hash_in_the_manifest_is_caught(exported: Exported,
                                                         tmp_path: Path) -> None:
    from app.export.package import zip_entries
    from app.export.verify import verify_package

    with zipfile.ZipFile(exported.package) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    manifest = json.loads(entries[0][1])
    manifest["meetings"][0]["result_hash"] = "0" * 12
    entries[0] = ("manifest.json", (json.dumps(manifest, ensure_ascii=False, sort_keys=True,
                                               indent=2) + "\n").encode())
    bad = tmp_path / "bad.pollday"
    bad.write_bytes(zip_entries(entries, AT))
    v = verify_package(bad)
    assert not v.ok and {p.code for p in v.problems} == {"BAD_SIGNATURE"}
    assert any("不能作为凭据" in line for line in v.summary_lines())


def test_export_prints_the_handover_slip(exported: Exported, home: Path, tmp_path: Path) -> None:
    slip = tmp_path / "交接单.pdf"
    code, out, err = _cli("export", "--db", exported.db, "--to", tmp_path / "stick",
                          "--at", AT.isoformat(), "--slip", slip)
    assert code == 0, err
    package = Path(out.strip())
    assert f"交接单 {slip}" in err
    code, verified, _e = _cli("verify", package)
    assert code == 0
    short = re.search(r"包校验码：([0-9a-f]{12})", verified)
    fp = re.search(r"密钥指纹：(\S+)", verified)
    assert short and fp
    text = _pdf_text(slip.read_bytes(), tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert "报送包交接单" in flat and "新华街道翠湖社区" in flat
    assert short.group(1) in flat and fp.group(1) in flat
    assert package.name in flat
    assert hashlib.sha256(package.read_bytes()).hexdigest() in flat
    with zipfile.ZipFile(package) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    for m in manifest["meetings"]:
        if m["result_hash"]:
            assert m["result_hash"] in flat
    for label in ("监票人", "选举工作人员", "接收人"):
        assert label in flat
    fonts = subprocess.run(["pdffonts", str(slip)], capture_output=True, text=True,
                           check=True).stdout
    assert "Helvetica" not in fonts
    shots = Path(os.environ.get("POLLDAY_SHOTS", Path(tempfile.gettempdir()) / "pollday-shots"))
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(slip),
                    str(shots / "handover-slip")], check=True)
