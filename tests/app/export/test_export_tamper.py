"""Every kind of tampering with a package is detected and named: a flipped byte in each file in
turn, an edited manifest, a swapped signature, a valid signature by another key, a missing or
extra file, an unknown format version, something that is not a zip at all."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.cli import main
from app.export import format as fmt
from app.export import verify_package
from app.export.package import zip_entries
from app.keys import InstallationKey
from tests.app.export.conftest import AT, Exported
from tests.conftest import pollday_cmd


def entries(package: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(package) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def data_span(package: Path, name: str) -> tuple[int, int]:
    """Where the (compressed) bytes of entry `name` lie in the zip file."""
    raw = package.read_bytes()
    with zipfile.ZipFile(package) as zf:
        info = zf.getinfo(name)
    n, m = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + n + m
    return start, start + info.compress_size


def codes(path: Path, **kw: object) -> set[str]:
    return {p.code for p in verify_package(path, **kw).problems}  # type: ignore[arg-type]


def test_intact_package_verifies(exported: Exported) -> None:
    v = verify_package(exported.package, known_keys={exported.built.fingerprint})  # type: ignore[attr-defined]
    assert v.ok, v.problems
    assert v.signed and v.fingerprint == exported.built.fingerprint  # type: ignore[attr-defined]
    assert v.short_hash == exported.built.short_hash  # type: ignore[attr-defined]


def test_one_flipped_byte_in_any_file_is_detected(exported: Exported, tmp_path: Path) -> None:
    names = [n for n, _ in entries(exported.package)]
    assert len(names) >= 20
    for name in names:
        start, end = data_span(exported.package, name)
        raw = bytearray(exported.package.read_bytes())
        raw[(start + end) // 2] ^= 0x01
        bad = tmp_path / f"flip-{names.index(name)}.pollday"
        bad.write_bytes(bytes(raw))
        v = verify_package(bad)
        assert not v.ok, f"a flipped byte in {name} went unnoticed"
        if name == fmt.SIGNATURE:
            assert {p.code for p in v.problems} == {"BAD_SIGNATURE"}
        elif name != fmt.MANIFEST:
            assert [p.path for p in v.problems] == [name], v.problems
        bad.unlink()


def test_flipped_byte_in_an_unpacked_file_and_repacked(exported: Exported, tmp_path: Path) -> None:
    """The zip is rebuilt around a changed file (CRCs right): only the hash catches it."""
    es = entries(exported.package)
    changed = [(n, d[:-1] + bytes([d[-1] ^ 1]) if n == "results/party.json" else d) for n, d in es]
    bad = tmp_path / "repacked.pollday"
    bad.write_bytes(zip_entries(changed, AT))
    v = verify_package(bad)
    assert [(p.code, p.path) for p in v.problems] == [("HASH_MISMATCH", "results/party.json")]
    assert "results/party.json" in v.problems[0].message


def test_edited_manifest_breaks_the_signature(exported: Exported, tmp_path: Path) -> None:
    es = dict(entries(exported.package))
    manifest = json.loads(es[fmt.MANIFEST])
    manifest["community"] = "别的社区"
    es[fmt.MANIFEST] = fmt.manifest_bytes(manifest)
    bad = tmp_path / "edited.pollday"
    bad.write_bytes(zip_entries(list(es.items()), AT))
    assert codes(bad) == {"BAD_SIGNATURE"}


def test_edited_file_with_manifest_hash_updated_breaks_the_signature(
        exported: Exported, tmp_path: Path) -> None:
    es = dict(entries(exported.package))
    es["elected.json"] = es["elected.json"].replace("欧阳红梅".encode(), "欧阳红霞".encode())
    manifest = json.loads(es[fmt.MANIFEST])
    for f in manifest["files"]:
        if f["path"] == "elected.json":
            f["sha256"] = fmt.sha256_hex(es["elected.json"])
    es[fmt.MANIFEST] = fmt.manifest_bytes(manifest)
    bad = tmp_path / "rehashed.pollday"
    bad.write_bytes(zip_entries(list(es.items()), AT))
    assert codes(bad) == {"BAD_SIGNATURE"}


def _resigned(exported: Exported, key: InstallationKey, tmp_path: Path,
              change: dict[str, object] | None = None) -> Path:
    es = dict(entries(exported.package))
    manifest = json.loads(es[fmt.MANIFEST])
    manifest.update(change or {})
    manifest["key"] = {"algorithm": "Ed25519", "public_key": key.public_b64,
                       "fingerprint": key.fingerprint}
    raw = fmt.manifest_bytes(manifest)
    es[fmt.MANIFEST], es[fmt.SIGNATURE] = raw, key.sign(raw)
    out = tmp_path / "resigned.pollday"
    out.write_bytes(zip_entries(list(es.items()), AT))
    return out


def test_swapped_signature_fails(exported: Exported, tmp_path: Path) -> None:
    other = InstallationKey(Ed25519PrivateKey.generate())
    es = dict(entries(exported.package))
    es[fmt.SIGNATURE] = other.sign(es[fmt.MANIFEST])
    bad = tmp_path / "swapped.pollday"
    bad.write_bytes(zip_entries(list(es.items()), AT))
    assert codes(bad) == {"BAD_SIGNATURE"}
    es[fmt.SIGNATURE] = b""
    bad.write_bytes(zip_entries(list(es.items()), AT))
    assert codes(bad) == {"BAD_SIGNATURE"}


def test_resigned_by_another_key_is_reported_and_refused_when_a_key_is_expected(
        exported: Exported, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = InstallationKey(Ed25519PrivateKey.generate())
    bad = _resigned(exported, other, tmp_path)
    v = verify_package(bad)
    assert v.ok and v.fingerprint == other.fingerprint != exported.built.fingerprint  # type: ignore[attr-defined]
    expected = exported.built.fingerprint  # type: ignore[attr-defined]
    v2 = verify_package(bad, known_keys={expected})
    assert [p.code for p in v2.problems] == ["UNKNOWN_KEY"]
    assert other.fingerprint in v2.problems[0].message
    assert main(["verify", str(bad), "--expect-key", expected]) == 1
    assert other.fingerprint in capsys.readouterr().err
    assert main(["verify", str(bad)]) == 0
    assert other.fingerprint in capsys.readouterr().out


def test_lying_fingerprint_fails(exported: Exported, tmp_path: Path) -> None:
    other = InstallationKey(Ed25519PrivateKey.generate())
    es = dict(entries(exported.package))
    manifest = json.loads(es[fmt.MANIFEST])
    manifest["key"]["public_key"] = other.public_b64   # fingerprint still says the real key
    raw = fmt.manifest_bytes(manifest)
    es[fmt.MANIFEST], es[fmt.SIGNATURE] = raw, other.sign(raw)
    bad = tmp_path / "lying.pollday"
    bad.write_bytes(zip_entries(list(es.items()), AT))
    assert codes(bad) == {"BAD_SIGNATURE"}


def test_unknown_format_version(exported: Exported, tmp_path: Path) -> None:
    key = InstallationKey(Ed25519PrivateKey.generate())
    for version in (5, 0, "3", 3.0, True):   # a later version, or not the integer it must be
        bad = _resigned(exported, key, tmp_path, {"format_version": version})
        v = verify_package(bad)
        assert [p.code for p in v.problems] == ["UNKNOWN_VERSION"], version
        assert repr(version) in v.problems[0].message and "支持 1、2、3" in v.problems[0].message


def test_missing_extra_and_duplicate_files(exported: Exported, tmp_path: Path) -> None:
    es = entries(exported.package)
    missing = tmp_path / "missing.pollday"
    missing.write_bytes(zip_entries([e for e in es if e[0] != "summary.csv"], AT))
    v = verify_package(missing)
    assert [(p.code, p.path) for p in v.problems] == [("MISSING_FILE", "summary.csv")]
    extra = tmp_path / "extra.pollday"
    extra.write_bytes(zip_entries([*es, ("documents/party/fake.pdf", b"%PDF-1.4")], AT))
    assert [(p.code, p.path) for p in verify_package(extra).problems] == [
        ("EXTRA_FILE", "documents/party/fake.pdf")]
    dup = tmp_path / "dup.pollday"
    with pytest.warns(UserWarning):   # zipfile warns about the duplicate name
        dup.write_bytes(zip_entries([*es, ("summary.csv", b"x")], AT))
    assert "DUPLICATE_FILE" in codes(dup)
    nomani = tmp_path / "nomanifest.pollday"
    nomani.write_bytes(zip_entries([e for e in es if e[0] != fmt.MANIFEST], AT))
    assert codes(nomani) == {"NO_MANIFEST"}
    nosig = tmp_path / "nosig.pollday"
    nosig.write_bytes(zip_entries([e for e in es if e[0] != fmt.SIGNATURE], AT))
    assert codes(nosig) == {"NO_SIGNATURE"}


def test_not_a_zip_and_truncated(exported: Exported, tmp_path: Path) -> None:
    junk = tmp_path / "junk.pollday"
    junk.write_bytes(b"this is not a package")
    assert codes(junk) == {"NOT_ZIP"}
    assert codes(tmp_path / "absent.pollday") == {"NOT_ZIP"}
    cut = tmp_path / "cut.pollday"
    cut.write_bytes(exported.package.read_bytes()[: exported.package.stat().st_size // 2])
    assert not verify_package(cut).ok


def test_verify_cli(exported: Exported, tmp_path: Path, home: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    ok = subprocess.run([*pollday_cmd(), "verify", str(exported.package)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    for word in ("新华街道翠湖社区", "2026-11-29T18:00:00+08:00", exported.built.fingerprint,  # type: ignore[attr-defined]
                 exported.built.short_hash, "党员大会", "完整，签名有效"):  # type: ignore[attr-defined]
        assert word in ok.stdout
    capsys.readouterr()
    assert main(["verify", str(exported.package), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and doc["meetings"] == ["party", "plenary", "residents"]
    bad = tmp_path / "bad.pollday"
    raw = bytearray(exported.package.read_bytes())
    start, end = data_span(exported.package, "events/audit.jsonl")
    raw[start + 5] ^= 0x10
    bad.write_bytes(bytes(raw))
    res = subprocess.run([*pollday_cmd(), "verify", str(bad)], capture_output=True, text=True)
    assert res.returncode == 1 and "events/audit.jsonl" in res.stderr
    junk = tmp_path / "junk.pollday"
    shutil.copy(exported.db, junk)
    assert main(["verify", str(junk)]) == 1
    assert "不是 zip" in capsys.readouterr().err

