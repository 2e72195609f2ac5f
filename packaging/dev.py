#!/usr/bin/env python3
"""Set up PollDay's development environment and run it: the README's two Quick-start commands.

    python3 packaging/dev.py run     # set up .venv (idempotent) and open the GUI on the demo venue
    python3 packaging/dev.py test    # set up .venv and run the whole test suite + bundle smoke test

Works on Debian/Ubuntu (installs the few Debian packages Qt and the tests need, when it may) and on
Windows (`py packaging\\dev.py run`). Only the standard library is used here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".pollday-stamp"
WINDOWS = os.name == "nt"
RESULTS = ROOT / "build" / "test-results.xml"  # pytest JUnit report, read for the closing line

# Debian packages: Qt's xcb/offscreen platform libraries, and the tools the tests check PDFs and
# QR codes with (pdftotext/pdffonts/pdftoppm, zbarimg), plus Xvfb for screenshots.
DEBIAN_RUN = [
    "libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1", "libdbus-1-3",
    "libglib2.0-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
    "libxcb-render-util0", "libxcb-randr0", "libxcb-shape0", "libxcb-xinerama0", "libxcb-xkb1",
]
# libreoffice-calc-nogui: the district summary XLSX is opened by LibreOffice in the tests.
DEBIAN_TEST = DEBIAN_RUN + ["poppler-utils", "zbar-tools", "libzbar0", "xvfb", "binutils",
                            "libreoffice-calc-nogui"]


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")


def venv_bin(name: str) -> Path:
    return VENV / ("Scripts" if WINDOWS else "bin") / (name + (".exe" if WINDOWS else ""))


def log(msg: str) -> None:
    print(f"[pollday-setup] {msg}", flush=True)


def ensure_debian_packages(packages: list[str]) -> None:
    if WINDOWS or not shutil.which("dpkg-query") or not shutil.which("apt-get"):
        return
    missing = []
    for pkg in packages:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg],
                           capture_output=True, text=True)
        if "install ok installed" not in r.stdout:
            missing.append(pkg)
    if not missing:
        return
    sudo: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo"):
            log("missing Debian packages (install them as root): " + " ".join(missing))
            return
        sudo = ["sudo"]
    log("installing Debian packages: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                   check=True, env=env)


def ensure_venv(extras: str) -> None:
    # The stamp holds the pyproject hash and the extras installed with it, so that `run` after
    # `test` (fewer extras) does not reinstall, which would also fail on an offline laptop.
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    wanted = {e for e in extras.split(",") if e}
    if STAMP.exists() and venv_python().exists():
        have_digest, _, have_extras = STAMP.read_text().strip().partition(" ")
        if have_digest == digest and wanted <= {e for e in have_extras.split(",") if e}:
            return
        if have_digest == digest:
            wanted |= {e for e in have_extras.split(",") if e}
    extras = ",".join(sorted(wanted))
    if not venv_python().exists():
        log(f"creating virtual environment {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    py = str(venv_python())
    log("installing PollDay and its dependencies into .venv")
    subprocess.run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    spec = f"{ROOT}[{extras}]" if extras else str(ROOT)
    subprocess.run([py, "-m", "pip", "install", "-q", "-e", spec], check=True)
    STAMP.write_text(f"{digest} {extras}")


def run_app(extra: list[str]) -> int:
    ensure_debian_packages(DEBIAN_RUN)
    ensure_venv("")
    # The demo venue unless told otherwise (`pollday` alone reopens the database used last).
    cmd = [str(venv_bin("pollday")), *(extra or ["--demo"])]
    if not WINDOWS and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        log("no display found: starting on a virtual screen (Xvfb); use a desktop session to see it")
        ensure_debian_packages(["xvfb"])
        cmd = ["xvfb-run", "-a", *cmd]
    return subprocess.call(cmd, cwd=ROOT)


def run_tests(extra: list[str]) -> int:
    ensure_debian_packages(DEBIAN_TEST)
    ensure_venv("test,bundle")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUTF8="1")
    quick = "--quick" in extra
    extra = [a for a in extra if a != "--quick"]
    steps: list[tuple[str, list[str]]] = [
        ("lint", [str(venv_python()), "-m", "ruff", "check", "app", "db", "ui", "tests", "packaging"]),
        ("types", [str(venv_python()), "-m", "mypy", "app", "db"]),
        ("tests", [str(venv_python()), "-m", "pytest", "-q", f"--junitxml={RESULTS}", *extra]),
    ]
    if not quick:
        steps.append(("bundle", [str(venv_python()), str(ROOT / "packaging" / "build.py")]))
    RESULTS.unlink(missing_ok=True)
    failed = []
    for name, cmd in steps:
        log(f"step {name}: {' '.join(cmd)}")
        if subprocess.call(cmd, cwd=ROOT, env=env) != 0:
            failed.append(name)
    if failed:
        log("FAILED: " + ", ".join(failed))
    else:
        log("all steps passed")
    # The test counts again as the very last line, after the bundle's output, so that a
    # reader of the closing lines sees them: "pytest: N passed, N failed, N skipped".
    print(test_counts(), flush=True)
    return 1 if failed else 0


def test_counts() -> str:
    """pytest's counts from its JUnit XML report, as one closing line."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.parse(RESULTS).getroot()
    except (OSError, ET.ParseError):
        return "pytest: 0 passed, 1 failed (no test report was written)"
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get(k, "0")) for s in suites for k in ("tests",))
    failed = sum(int(s.get(k, "0")) for s in suites for k in ("failures", "errors"))
    skipped = sum(int(s.get("skipped", "0")) for s in suites)
    return f"pytest: {total - failed - skipped} passed, {failed} failed, {skipped} skipped"


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    return run_app(argv[1:]) if argv[0] == "run" else run_tests(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
