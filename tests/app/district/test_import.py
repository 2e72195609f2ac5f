"""District import through the CLI: tampered rejected with the reason, the same package again a
duplicate, a resubmission superseding (both in the history), another signing key quarantined,
an older export arriving late kept only in the history."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.export.package import assemble
from app.keys import InstallationKey
from db.district import NotADistrictDatabase, connect
from tests.app.district.conftest import cli, import_lines


def _by_file(lines: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {Path(str(x["package"])).name: x for x in lines}


def test_import_outcomes(demo_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    lines = import_lines(db, *sorted(demo_dir.glob("*.pollday")), subprocess=True)
    by = _by_file(lines)
    tampered = [n for n in by if "被改动" in n]
    assert len(tampered) == 1
    bad = by[tampered[0]]
    assert bad["result"] == "rejected"
    assert "results/party.json" in str(bad["reason"])
    results = [str(x["result"]) for x in lines]
    assert results.count("superseded") == 1 and results.count("rejected") == 1
    assert results.count("duplicate") == 0
    sup = next(x for x in lines if x["result"] == "superseded")
    assert "取代" in str(sup["reason"]) and not sup["flagged"]
    # The same packages again: every intact one a duplicate, the tampered one still rejected.
    again = import_lines(db, *sorted(demo_dir.glob("*.pollday")), subprocess=True)
    assert sorted(str(x["result"]) for x in again) == sorted(
        ["duplicate"] * (len(lines) - 1) + ["rejected"])
    history = [json.loads(x) for x in cli("district", "history", "--db", db).splitlines()]
    assert len(history) == 2 * len(lines)
    report = json.loads(cli("district", "report", "--db", db, "--json"))
    resub = next(c for c in report["per_community"] if c["community"] == sup["community"])
    assert resub["packages_received"] == 2 and resub["package"] == sup["short_hash"]


def _resign(src: Path, key: InstallationKey, at: dt.datetime) -> bytes:
    with zipfile.ZipFile(src) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        files = {n: zf.read(n) for n in zf.namelist() if n not in ("manifest.json",
                                                                     "manifest.sig")}
    fields = {k: v for k, v in manifest.items()
              if k not in ("files", "key", "format", "format_version")}
    fields["exported_at"] = at.isoformat(timespec="seconds")
    return assemble(files, fields, key, at).data


def test_other_key_is_quarantined_not_counted(demo_dir: Path, tmp_path: Path) -> None:
    first = sorted(p for p in demo_dir.glob("*.pollday") if "被改动" not in p.name)[0]
    db = tmp_path / "d.db"
    assert import_lines(db, first)[0]["result"] == "imported"
    other = InstallationKey(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
    later = dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    resigned = tmp_path / "resigned.pollday"
    resigned.write_bytes(_resign(first, other, later))
    line = import_lines(db, resigned)[0]
    assert line["result"] == "quarantined" and line["flagged"] is True
    assert other.fingerprint in str(line["reason"]) and "隔离" in str(line["reason"])
    report = json.loads(cli("district", "report", "--db", db, "--json"))
    assert report["flagged"] == [line["community"]]
    assert report["per_community"][0]["fingerprint"] != other.fingerprint


def test_older_export_arriving_late_is_history_only(demo_dir: Path, tmp_path: Path) -> None:
    pkgs = sorted(p for p in demo_dir.glob("*.pollday") if "被改动" not in p.name)
    names = [json.loads(zipfile.ZipFile(p).read("manifest.json"))["community"] for p in pkgs]
    twice = next(n for n in names if names.count(n) == 2)
    early, late = sorted((p for p, n in zip(pkgs, names, strict=True) if n == twice),
                         key=lambda p: p.name)
    db = tmp_path / "d.db"
    assert import_lines(db, late)[0]["result"] == "imported"
    line = import_lines(db, early)[0]
    assert line["result"] == "imported" and "仅存入历史" in str(line["reason"])
    report = json.loads(cli("district", "report", "--db", db, "--json"))
    assert [c["package"] for c in report["per_community"]] != [line["short_hash"]]
    assert report["per_community"][0]["packages_received"] == 2


def test_not_a_package_and_missing_file(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pollday"
    junk.write_bytes(b"not a zip")
    lines = import_lines(tmp_path / "d.db", junk, tmp_path / "absent.pollday")
    assert [x["result"] for x in lines] == ["rejected", "rejected"]
    assert "zip" in str(lines[0]["reason"])


def test_district_db_is_its_own_schema(tmp_path: Path) -> None:
    from db.connection import connect as election_connect

    election = tmp_path / "election.db"
    election_connect(election).close()
    try:
        connect(election)
    except NotADistrictDatabase as e:
        assert "不是" in str(e)
    else:
        raise AssertionError("an election database was opened as a district database")
    d = connect(tmp_path / "district.db")
    assert d.execute("PRAGMA user_version").fetchone()[0] >= 1
    d.close()
    cli("district", "report", "--db", election, ok=(1,))


def test_tampered_zip_bytes(demo_dir: Path, tmp_path: Path) -> None:
    """A flipped byte in a stored entry (not via the demo's tamper helper) is rejected too."""
    src = sorted(p for p in demo_dir.glob("*.pollday") if "被改动" not in p.name)[0]
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("summary.xlsx")   # stored, not deflated: the bytes are the file's
        offset = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 100
    data[offset] ^= 0xFF
    bad = tmp_path / "flipped.pollday"
    bad.write_bytes(bytes(data))
    line = import_lines(tmp_path / "d.db", bad)[0]
    assert line["result"] == "rejected" and "summary.xlsx" in str(line["reason"])


def test_signed_but_unreadable_content_is_rejected(demo_dir: Path, tmp_path: Path) -> None:
    """A validly signed package whose results are not what PollDay writes is refused at import,
    not left to break every report."""
    src = sorted(p for p in demo_dir.glob("*.pollday") if "被改动" not in p.name)[0]
    with zipfile.ZipFile(src) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        files = {n: zf.read(n) for n in zf.namelist() if n not in ("manifest.json",
                                                                     "manifest.sig")}
    files["results/party.json"] = b'{"contests": [{"rounds": [{"snapshot": {"expected": 5}}]}]}\n'
    fields = {k: v for k, v in manifest.items()
              if k not in ("files", "key", "format", "format_version")}
    key = InstallationKey(Ed25519PrivateKey.from_private_bytes(bytes(32)))
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    odd = tmp_path / "odd.pollday"
    odd.write_bytes(assemble(files, fields, key, at).data)
    db = tmp_path / "d.db"
    line = import_lines(db, odd)[0]
    assert line["result"] == "rejected" and "内容" in str(line["reason"])
    assert json.loads(cli("district", "report", "--db", db, "--json"))["communities"] == 0


def test_registered_key_quarantines_even_a_first_package(demo_dir: Path,
                                                         tmp_path: Path) -> None:
    src = sorted(p for p in demo_dir.glob("*.pollday") if "被改动" not in p.name)[0]
    community = json.loads(zipfile.ZipFile(src).read("manifest.json"))["community"]
    real = json.loads(zipfile.ZipFile(src).read("manifest.json"))["key"]["fingerprint"]
    db = tmp_path / "d.db"
    cli("district", "key", "--db", db, community, "0000-1111-2222-AAAA")
    cli("district", "key", "--db", db, community, "not-a-key", ok=(1,))
    line = import_lines(db, src)[0]
    assert line["result"] == "quarantined" and line["flagged"] is True
    assert "登记" in str(line["reason"])
    assert json.loads(cli("district", "report", "--db", db, "--json"))["per_community"][0][
        "package"] == ""
    db2 = tmp_path / "d2.db"
    cli("district", "key", "--db", db2, community, real.lower())
    assert import_lines(db2, src)[0]["flagged"] is False
    conn = connect(db2)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    conn.close()


def _rezip(src: Path, replace: dict[str, bytes], tmp: Path, name: str) -> Path:
    from app.export.package import zip_entries

    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with zipfile.ZipFile(src) as zf:
        entries = [(i.filename, replace.get(i.filename, zf.read(i))) for i in zf.infolist()]
    out = tmp / name
    out.write_bytes(zip_entries(entries, at))
    return out


def test_edited_manifest_swapped_signature_and_unknown_version_are_rejected(
        demo_dir: Path, tmp_path: Path) -> None:
    """The tamper cases of `pollday verify` at the district's door: each refused, with why."""
    intact = sorted(p for p in demo_dir.glob("*.pollday") if "被改动" not in p.name)
    src, other = intact[0], intact[1]
    with zipfile.ZipFile(src) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    with zipfile.ZipFile(other) as zf:
        other_sig = zf.read("manifest.sig")
    edited = {**manifest, "counts": {**manifest["counts"],
                                     "persons": manifest["counts"]["persons"] + 1}}
    version = {**manifest, "format_version": 99}

    def raw(doc: dict[str, object]) -> bytes:
        return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()

    cases = {
        "edited.pollday": ({"manifest.json": raw(edited)}, "签名无效"),
        "swapped.pollday": ({"manifest.sig": other_sig}, "签名无效"),
        "version.pollday": ({"manifest.json": raw(version)}, "格式版本"),
    }
    files = [_rezip(src, rep, tmp_path, name) for name, (rep, _why) in cases.items()]
    lines = _by_file(import_lines(tmp_path / "d.db", *files))
    for name, (_rep, why) in cases.items():
        assert lines[name]["result"] == "rejected", lines[name]
        assert why in str(lines[name]["reason"]), lines[name]
    report = json.loads(cli("district", "report", "--db", tmp_path / "d.db", "--json"))
    assert report["communities"] == 0 and report["per_community"] == []
