#!/usr/bin/env python3
"""Build the one-folder PollDay bundle with PyInstaller and smoke-test the frozen app.

    python packaging/build.py              # build into build/ and dist/pollday/, then smoke-test
    python packaging/build.py --no-build   # smoke-test the bundle already in dist/pollday/
    python packaging/build.py --clean      # discard PyInstaller's cache in build/ first

Run it with the project's virtual environment (`pip install -e .[bundle]`); `packaging/dev.py
test` does. The bundle is for the platform it is built on (no cross-building). The smoke test runs
the frozen `pollday` from an empty folder and compares it with the same commands run from source:
see packaging/README.md. Prints the bundle size and the build time; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "pollday.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build"
BUNDLE = DIST / "pollday"
EXE = BUNDLE / ("pollday.exe" if os.name == "nt" else "pollday")
SHARED = ROOT.parent / "shared"
# Every command gets this long; the selftest and the demo open databases and Qt.
TIMEOUT = 300


def log(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def env() -> dict[str, str]:
    # Fixed width so that argparse's help text is comparable; offscreen so no display is needed.
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUTF8="1", COLUMNS="120",
                PYTHONDONTWRITEBYTECODE="1")


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=TIMEOUT)


def frozen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run([str(EXE), *args], cwd)


def source(*args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "ui.launcher", *args], ROOT)


def build(clean: bool) -> float:
    try:
        import PyInstaller  # noqa: F401  # only to say clearly what is missing
    except ImportError:
        log("PyInstaller is not installed: pip install -e .[bundle]")
        raise SystemExit(2) from None
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(DIST), "--workpath", str(WORK), *(["--clean"] if clean else []),
           str(SPEC)]
    log("building: " + " ".join(cmd))
    start = time.perf_counter()
    if subprocess.call(cmd, cwd=ROOT) != 0:
        log("FAILED: PyInstaller")
        raise SystemExit(1)
    return time.perf_counter() - start


def bundle_size() -> tuple[int, int]:
    total = files = 0
    for folder, _dirs, names in os.walk(BUNDLE):
        for name in names:
            total += os.lstat(os.path.join(folder, name)).st_size
            files += 1
    return total, files


def commands(help_text: str) -> list[str]:
    """Sub-command names from `pollday --help` (the indented lines under COMMAND)."""
    lines = help_text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "COMMAND") + 1
    except StopIteration:
        return []
    names = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        if not line.startswith("     "):  # deeper lines continue a long help text
            names.append(line.split()[0])
    return names


class Smoke:
    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.failures: list[str] = []

    def check(self, name: str, func: Callable[[], str | None]) -> None:
        start = time.perf_counter()
        try:
            problem = func()
        except Exception as exc:  # a hung or crashed check is a failed check
            problem = f"{type(exc).__name__}: {exc}"
        took = time.perf_counter() - start
        if problem:
            self.failures.append(name)
            log(f"FAIL  {name} ({took:.1f} s): {problem}")
        else:
            log(f"ok    {name} ({took:.1f} s)")

    def skip(self, name: str, why: str) -> None:
        log(f"skip  {name}: {why}")


def same_as_source(args: list[str], scratch: Path) -> str | None:
    f, s = frozen(*args, cwd=scratch), source(*args)
    if s.returncode != 0:  # two identical failures must not pass as a match
        return f"the source run itself failed (exit {s.returncode}):\n{s.stderr[-1500:]}"
    if (f.returncode, f.stdout) != (s.returncode, s.stdout):
        return (f"frozen exit {f.returncode} differs from source exit {s.returncode} or output\n"
                f"--- frozen stdout ---\n{f.stdout[-1500:]}\n--- frozen stderr ---\n{f.stderr[-1500:]}"
                f"\n--- source stdout ---\n{s.stdout[-1500:]}")
    return None


def files_under(folder: Path, pattern: str) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.glob(pattern) if p.is_file()}


def source_modules() -> set[str]:
    names = set()
    for package in ("app", "db", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def modules_missing() -> str | None:
    """Modules are found by name at run time (commands, metrics, pages), so PyInstaller's import
    graph cannot vouch for them: compare the bundle's module archive with the source tree."""
    from PyInstaller.archive.readers import pkg_archive_contents

    missing = sorted(source_modules() - set(pkg_archive_contents(str(EXE))))
    return ("not in the bundle (a folder without __init__.py, or a module that failed to import "
            f"while building?): {', '.join(missing)}") if missing else None


def qt_modules_missing() -> str | None:
    """The spec leaves out Qt modules PollDay does not use; one the source imports must be there
    (an import inside a function, such as a benchmark's, would otherwise fail only when run)."""
    import re

    used = set()
    for package in ("app", "db", "ui"):
        for path in (ROOT / package).rglob("*.py"):
            used |= set(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    present = {p.name.split(".")[0] for p in (BUNDLE / "_internal" / "PySide6").glob("Qt*.*")}
    missing = sorted(used - present)
    return f"imported by the source but not in the bundle: {', '.join(missing)}" if missing else None


HOST_LIFE_S = 31.0   # host mode once died ~11 s after starting whenever mDNS was on


def host_and_desk(demo_db: Path, scratch: Path) -> str | None:
    """A frozen `pollday serve` with its defaults (127.0.0.1, mDNS on the loopback interface
    only) that stays up >= HOST_LIFE_S while frozen desks whose code has a stale port find it by
    mDNS (restricted to 127.0.0.1), join and sign voters in."""
    import dataclasses
    import shutil
    import signal
    import socket
    import threading

    sys.path.insert(0, str(ROOT))
    from app.sync.pairing import read_pairing

    host_db, pairing = scratch / "host.db", scratch / "pairing.txt"
    shutil.copyfile(demo_db, host_db)
    people = json.loads(frozen("register", "--db", str(host_db), "--json", cwd=scratch).stdout)
    tokens = [p["token"] for p in people if p.get("votes")][:2]
    started = time.monotonic()
    host = subprocess.Popen([str(EXE), "serve", "--db", str(host_db), "--port", "0",
                             "--pairing-out", str(pairing)],
                            cwd=scratch, env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
    timer = threading.Timer(180, host.kill)  # a host that never says it listens
    timer.start()
    try:
        assert host.stdout is not None and host.stderr is not None
        line = host.stdout.readline()
        if not line or "listening" not in json.loads(line):
            return f"the host did not start: {line!r}"
        mdns = json.loads(host.stdout.readline() or "{}")
        if mdns.get("mdns") != "on":
            return f"mDNS did not start on loopback: {mdns}"
        stale = scratch / "stale.txt"   # the code's port answers no more: desks must discover
        real = read_pairing(pairing)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed = int(s.getsockname()[1])
        stale.write_text(dataclasses.replace(real, port=closed).code(), encoding="utf-8")

        def desk(name: str, token: str) -> str | None:
            r = frozen("desk", "--db", str(scratch / f"desk-{name}.db"), "--pairing", str(stale),
                       "--desk", name, "--mdns-interface", "127.0.0.1", "--sync-timeout", "30",
                       "--", token, cwd=scratch)
            if r.returncode != 0 or '"signed_in"' not in r.stdout:
                return f"desk {name} exit {r.returncode}\n{r.stdout[-800:]}\n{r.stderr[-800:]}"
            if f"127.0.0.1:{real.port}" not in r.stderr:
                return f"desk {name} did not find the host by mDNS:\n{r.stderr[-800:]}"
            status = json.loads(r.stderr.strip().splitlines()[-1])
            return None if status.get("unshared") == 0 else f"desk {name} not shared: {status}"

        if (problem := desk("1", tokens[0])) is not None:
            return problem
        time.sleep(max(0.0, started + HOST_LIFE_S - time.monotonic()))
        if host.poll() is not None:
            return f"the host died after {time.monotonic() - started:.0f} s: {host.stderr.read()[-800:]}"
        if (problem := desk("2", tokens[1])) is not None:
            return problem
        if host.poll() is not None:
            return f"the host died: {host.stderr.read()[-800:]}"
        if os.name != "nt":   # a clean stop withdraws the advert (Windows: a stop is a kill)
            host.send_signal(signal.SIGTERM)
            if host.wait(30) != 0:
                return f"the host did not stop cleanly: {host.stderr.read()[-800:]}"
        return None
    finally:
        timer.cancel()
        host.kill()
        host.wait(30)


def smoke_test() -> list[str]:
    if not EXE.exists():
        log(f"FAILED: no bundle at {EXE.relative_to(ROOT)}")
        return ["bundle missing"]
    sys.path.insert(0, str(ROOT))
    from app import __version__

    with tempfile.TemporaryDirectory(prefix="pollday-smoke-") as tmp:
        scratch = Path(tmp)
        smoke = Smoke(scratch)
        internal = BUNDLE / "_internal"

        def version() -> str | None:
            r = frozen("--version", cwd=scratch)
            want = f"PollDay {__version__}"
            return None if r.returncode == 0 and r.stdout.strip() == want else \
                f"exit {r.returncode}, printed {r.stdout.strip()!r} {r.stderr[-800:]}, want {want!r}"

        smoke.check("pollday --version", version)
        # Commands are discovered by module name: a command module left out of the bundle would
        # only show as a missing line here.
        smoke.check("pollday --help lists the same commands as the source",
                    lambda: same_as_source(["--help"], scratch))

        def resources() -> str | None:
            src, got = files_under(ROOT / "resources", "**/*"), files_under(internal / "resources", "**/*")
            sql = files_under(ROOT / "db", "**/*.sql")
            got_sql = files_under(internal / "db", "**/*.sql")
            missing = sorted(src - got) + [f"db/{n}" for n in sorted(sql - got_sql)]
            return f"missing in the bundle: {', '.join(missing)}" if missing else None

        smoke.check("resources/ and db/**/*.sql (migrations) are in the bundle", resources)
        smoke.check("every module of app/, db/ and ui/ is in the bundle", modules_missing)
        smoke.check("every Qt module the source imports is in the bundle", qt_modules_missing)

        available = commands(source("--help").stdout)
        smoke.check("pollday bench --list (metric modules found)",
                    lambda: same_as_source(["bench", "--list"], scratch))

        if "selftest" in available:
            def selftest() -> str | None:
                r = frozen("selftest", cwd=scratch)
                return None if r.returncode == 0 else \
                    f"exit {r.returncode}\n{r.stdout[-1500:]}\n{r.stderr[-1500:]}"

            smoke.check("pollday selftest (offscreen)", selftest)
        else:
            smoke.skip("pollday selftest", "no such command yet")

        if "demo" in available:
            def demo() -> str | None:
                db = scratch / "demo.db"
                r = frozen("demo", "--db", str(db), cwd=scratch)
                if r.returncode != 0:
                    return f"exit {r.returncode}\n{r.stdout[-1500:]}\n{r.stderr[-1500:]}"
                return None if db.is_file() and db.stat().st_size > 0 else "no database written"

            smoke.check("pollday demo --db (schema migrations from the bundle)", demo)
        else:
            smoke.skip("pollday demo", "no such command yet")

        demo_db = scratch / "demo.db"
        if "print" in available and demo_db.is_file():
            def print_sheets() -> str | None:
                pdf = scratch / "signin.pdf"
                r = frozen("print", "signin-sheets", "--db", str(demo_db), "--out", str(pdf),
                           "--at", "2026-11-22T08:00:00+08:00", cwd=scratch)
                if r.returncode != 0:
                    return f"exit {r.returncode}\n{r.stdout[-1500:]}\n{r.stderr[-1500:]}"
                return None if pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-" else "no PDF written"

            smoke.check("pollday print signin-sheets (reportlab, fonts, QR codes)", print_sheets)
        else:
            smoke.skip("pollday print", "no such command or no demo database")

        if {"serve", "desk", "register"} <= set(available) and demo_db.is_file():
            smoke.check("pollday serve (defaults: mDNS on loopback) lives 31 s while two pollday "
                        "desk find it by mDNS, join and share a sign-in each (TLS, sync)",
                        lambda: host_and_desk(demo_db, scratch))
        else:
            smoke.skip("pollday serve/desk", "no such commands or no demo database")

        scenarios = sorted(p for p in (SHARED / "scenarios").glob("*.json")
                           if not p.name.startswith("bad-"))
        if "scenario" not in available:
            smoke.skip("pollday scenario run", "no such command yet")
        elif not scenarios:
            smoke.skip("pollday scenario run", "shared scenarios folder (../shared/scenarios) absent")
        else:
            one = scenarios[0]

            def scenario() -> str | None:
                problem = same_as_source(["scenario", "run", str(one)], scratch)
                if problem:
                    return problem
                json.loads(frozen("scenario", "run", str(one), cwd=scratch).stdout)
                return None

            smoke.check(f"pollday scenario run {one.name} (same JSON as from source)", scenario)
        return smoke.failures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="smoke-test the existing bundle")
    parser.add_argument("--clean", action="store_true", help="clear PyInstaller's cache first")
    args = parser.parse_args(argv)
    build_time = 0.0 if args.no_build else build(args.clean)
    start = time.perf_counter()
    failures = smoke_test()
    smoke_time = time.perf_counter() - start
    size, files = bundle_size() if BUNDLE.exists() else (0, 0)
    log(f"bundle {BUNDLE.relative_to(ROOT)}: {size / 2**20:.1f} MiB in {files} files; "
        f"build {build_time:.1f} s, smoke test {smoke_time:.1f} s")
    if failures:
        log(f"FAILED: {len(failures)} smoke check(s): " + "; ".join(failures))
        return 1
    log("bundle OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
