"""The district refusing a package bomb: a validly signed 报送包 whose results file unpacks to
3 GB of whitespace (about 3 MB on the stick). Before the member limits (app/export/verify.py
LIMITS) the import read the member whole and needed ~9.6 GB of memory.

- refuse_package_bomb_s: wall time of `pollday district import` in a fresh process, refused.
- refuse_package_bomb_peak_mb: that process's peak resident memory (MB).

The package is written once (streaming: it never exists unpacked), before timing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from app.bench import metric

ISSUE = "Trust boundaries: the district's package limits"
BOMB_BYTES = 3_000_000_000
_AT = dt.datetime(2099, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def write_bomb(path: Path, unpacked: int, *, community: str = "炸弹社区",
               seed: bytes = bytes(range(32))) -> Path:
    """A package, signed by the key from `seed`, whose results/m1.json is valid JSON of
    `unpacked` bytes (almost all spaces), deflated while written: memory stays small."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.export import format as fmt
    from app.keys import InstallationKey

    key = InstallationKey(Ed25519PrivateKey.from_private_bytes(seed))
    member = fmt.results_path("m1")
    head, tail = b'{"contests": [', b"]}"
    chunk = b" " * (1 << 20)
    h = hashlib.sha256()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as out:
            left = unpacked - len(head) - len(tail)
            out.write(head)
            h.update(head)
            while left > 0:
                part = chunk if left >= len(chunk) else chunk[:left]
                out.write(part)
                h.update(part)
                left -= len(part)
            out.write(tail)
            h.update(tail)
        manifest = {
            "format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION,
            "software": {"name": "PollDay", "version": "0.1.0"},
            "exported_at": _AT.isoformat(timespec="seconds"), "community": community,
            "street": "", "district": "", "schema_version": 1,
            "meetings": [{"code": "m1", "title": "党员大会", "form": "party", "date": "2099-01-01",
                          "complete": True, "one_pass_success": True}],
            "key": {"algorithm": "Ed25519", "public_key": key.public_b64,
                    "fingerprint": key.fingerprint},
            "files": [{"path": member, "size": unpacked, "sha256": h.hexdigest()}]}
        raw = fmt.manifest_bytes(manifest)
        zf.writestr(fmt.MANIFEST, raw)
        zf.writestr(fmt.SIGNATURE, key.sign(raw))
    return path


_CHILD = """
import json, sys, time
t = time.perf_counter()
from app.cli import main
code = main(["district", "import", "--db", sys.argv[1], sys.argv[2]])
took = time.perf_counter() - t
if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes
    class PMC(ctypes.Structure):
        _fields_ = [("cb", wintypes.DWORD), ("PageFaultCount", wintypes.DWORD)] + [
            (n, ctypes.c_size_t) for n in ("PeakWorkingSetSize", "WorkingSetSize",
            "QuotaPeakPagedPoolUsage", "QuotaPagedPoolUsage", "QuotaPeakNonPagedPoolUsage",
            "QuotaNonPagedPoolUsage", "PagefileUsage", "PeakPagefileUsage")]
    pmc = PMC()
    pmc.cb = ctypes.sizeof(PMC)
    ctypes.windll.psapi.GetProcessMemoryInfo(ctypes.windll.kernel32.GetCurrentProcess(),
                                             ctypes.byref(pmc), pmc.cb)
    peak_mb = pmc.PeakWorkingSetSize / 2**20
else:
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / (2**20 if sys.platform == "darwin" else 1024)
print(json.dumps({"code": code, "s": took, "peak_mb": peak_mb}))
"""


def refuse_in_process(package: Path, db: Path) -> dict[str, object]:
    """`district import` of `package` in a fresh interpreter: its JSON line, exit code, seconds
    and peak resident memory in MB (ru_maxrss; on Windows the peak working set)."""
    # Through a small launcher: Linux keeps a process's peak memory across fork and exec, so
    # a child forked straight from a big process (pytest, the bench) reports the parent's peak.
    launcher = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"
    p = subprocess.run([sys.executable, "-c", launcher, sys.executable, "-c", _CHILD, str(db),
                        str(package)],
                       capture_output=True, text=True, encoding="utf-8", timeout=600)
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or not lines:
        raise RuntimeError(f"import process failed ({p.returncode}): {p.stderr[-800:]}")
    out: dict[str, object] = json.loads(lines[-1])
    out["line"] = json.loads(lines[0]) if len(lines) > 1 else {}
    return out


_CACHE: dict[str, dict[str, object]] = {}


def _measured(folder: Path) -> dict[str, object]:
    if "m" not in _CACHE:
        bomb = folder / "bomb.pollday"
        if not bomb.exists():
            write_bomb(bomb, BOMB_BYTES)
        db = folder / "bomb-district.db"
        db.unlink(missing_ok=True)
        t = time.perf_counter()
        m = refuse_in_process(bomb, db)
        m["wall_s"] = time.perf_counter() - t
        line = m["line"]
        if not isinstance(line, dict) or line.get("result") != "rejected":
            raise RuntimeError(f"the package bomb was not refused: {line}")
        _CACHE["m"] = m
    return _CACHE["m"]


@metric("refuse_package_bomb_s", unit="s", target=10, better="lt", issue=ISSUE)
def refuse_package_bomb_s(folder: Path) -> float:
    """Seconds for `pollday district import` (a fresh process) to refuse the 3 GB package."""
    return float(str(_measured(folder)["wall_s"]))


@metric("refuse_package_bomb_peak_mb", unit="MB", target=300, better="lt", issue=ISSUE)
def refuse_package_bomb_peak_mb(folder: Path) -> float:
    """Peak resident memory (MB) of that process."""
    return float(str(_measured(folder)["peak_mb"]))
