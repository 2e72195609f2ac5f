"""Assemble a 报送包 from its files: manifest (with every file's size and SHA-256), Ed25519
signature of the manifest bytes, and a deterministic ZIP (app/export/format.py)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.export import format as fmt
from app.keys import InstallationKey

# Already-compressed content is stored, the rest deflated.
_STORED_SUFFIXES = (".pdf", ".xlsx")
# zlib level 1: the snapshot and ballot log compress to within ~10% of level 6 in a third of
# the time (export_package_s).
COMPRESS_LEVEL = 1


@dataclass(frozen=True, slots=True)
class Assembled:
    data: bytes               # the whole .pollday file
    manifest: dict[str, Any]
    manifest_bytes: bytes
    short_hash: str
    fingerprint: str


def file_list(files: Mapping[str, bytes]) -> list[dict[str, Any]]:
    return [{"path": p, "size": len(files[p]), "sha256": fmt.sha256_hex(files[p])}
            for p in sorted(files)]


def zip_time(at: dt.datetime) -> tuple[int, int, int, int, int, int]:
    t = at.replace(tzinfo=None)
    return (max(t.year, 1980), t.month, t.day, t.hour, t.minute, t.second - t.second % 2)


def zip_entries(entries: list[tuple[str, bytes]], at: dt.datetime, *,
                compress_all: bool = False) -> bytes:
    """A ZIP of `entries` in the given order, every timestamp `at`: same input, same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=zip_time(at))
            stored = name.endswith(_STORED_SUFFIXES) and not compress_all
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=COMPRESS_LEVEL if info.compress_type else None)
    return buf.getvalue()


def assemble(files: Mapping[str, bytes], fields: Mapping[str, Any], key: InstallationKey,
             at: dt.datetime) -> Assembled:
    """The package of `files` with manifest `fields` (+ format, key, files) signed by `key`."""
    for p in files:
        if not fmt.safe_path(p) or p in (fmt.MANIFEST, fmt.SIGNATURE):
            raise ValueError(f"bad package path {p!r}")
    manifest: dict[str, Any] = dict(fields)
    manifest.update({
        "format": fmt.FORMAT,
        "format_version": fmt.FORMAT_VERSION,
        "key": {"algorithm": "Ed25519", "public_key": key.public_b64,
                "fingerprint": key.fingerprint},
        "files": file_list(files),
    })
    raw = fmt.manifest_bytes(manifest)
    sig = key.sign(raw)
    entries = [(fmt.MANIFEST, raw), (fmt.SIGNATURE, sig)] + [(p, files[p]) for p in sorted(files)]
    return Assembled(zip_entries(entries, at), manifest, raw, fmt.short_hash(raw),
                     key.fingerprint)
