"""The environment failing under real `pollday` processes (issue: leftovers and half-reports):
kill -9 during export, a read-only database file and folder, a full disk, the database file
deleted or replaced under a running `pollday sign-in -`, a refused import-register.

Each says what happened in one Chinese sentence naming the file, exit status 1, no traceback,
and loses nothing it acknowledged. The read-only cases need a process that file modes stop:
as root that is a root process without CAP_DAC_OVERRIDE (setpriv). The full-disk cases mount
a 2 MB tmpfs (root on Linux only)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pdtest import pollday_cmd

from tests.app.attendance.attendance_venue import make_venue

WHEN = "2026-11-22T09:00:00+08:00"


def _env(home: Path, systmp: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "POLLDAY_HOME": str(home), "PYTHONUTF8": "1"}
    if systmp is not None:
        env["TMPDIR"] = env["TEMP"] = env["TMP"] = str(systmp)
    return env


def _run(*args: object, home: Path, prefix: list[str] | None = None, stdin: str | None = None,
         systmp: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*(prefix or []), *pollday_cmd(), *map(str, args)], input=stdin,
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env=_env(home, systmp))


@pytest.fixture
def venue_db(tmp_path: Path, fixed_clock) -> Path:
    path = tmp_path / "venue" / "选举.db"
    path.parent.mkdir()
    v = make_venue(path, fixed_clock)
    v.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    v.conn.close()
    return path


def _signed_in(db: Path) -> set[str]:
    c = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {r[0] for r in c.execute(
            "SELECT p.token FROM attendance_event e JOIN person p ON p.id = e.person_id"
            " WHERE e.kind = 'sign_in'")}
    finally:
        c.close()


# -- kill -9 during export ---------------------------------------------------------------------

def _full_copies(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("full.sqlite")]


def test_kill_9_during_export_leaves_no_full_copy_after_the_next_start(tmp_path: Path) -> None:
    home, systmp = tmp_path / "home", tmp_path / "systmp"
    systmp.mkdir()
    db = tmp_path / "demo.db"
    r = _run("demo", "--db", db, "--stage", "signed-in", home=home)
    assert r.returncode == 0, r.stderr
    for _attempt in range(5):
        proc = subprocess.Popen([*pollday_cmd(), "export", "--db", str(db), "--to",
                                 str(tmp_path / "stick")], env=_env(home, systmp),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        copies: list[Path] = []
        while proc.poll() is None and time.monotonic() < deadline:
            copies = [p for p in _full_copies(home, systmp) if p.stat().st_size > 0]
            if copies:
                proc.kill()  # SIGKILL: no finally runs
                break
            time.sleep(0.002)
        proc.wait(timeout=30)
        if copies:
            break
    else:
        pytest.fail("the export never showed its working copy before it finished")
    assert proc.returncode == -9
    # The kill left the full copy (ID numbers, phones) behind ...
    left = _full_copies(home, systmp)
    assert left, "expected the killed export's working copy on disk"
    assert all(str(p).startswith(str(home / "scratch")) for p in left), left  # not in the system temp
    # ... and the next start of PollDay, whatever the command, sweeps it.
    r = _run("--version", home=home, systmp=systmp)
    assert r.returncode == 0
    assert _full_copies(home, systmp) == []
    assert not any((home / "scratch").iterdir())


def test_the_sweep_leaves_a_running_export_alone(tmp_path: Path) -> None:
    from app.scratch import LOCK_NAME, scratch_dir

    home = tmp_path / "home"
    with scratch_dir("export-", home / "scratch") as work:
        (work / "full.sqlite").write_bytes(b"x" * 100)
        assert (work / LOCK_NAME).exists()
        r = _run("--version", home=home)  # another PollDay starts and sweeps
        assert r.returncode == 0
        assert (work / "full.sqlite").exists()
    assert not work.exists()  # removed by its owner at the end of the block


# -- read-only database file and folder ----------------------------------------------------------

def _unprivileged() -> list[str]:
    """A command prefix under which file modes apply (root ignores them)."""
    if os.name == "nt":
        pytest.skip("file modes: POSIX")
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be tested")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


@pytest.fixture
def read_only_db(venue_db: Path) -> Iterator[Path]:
    venue_db.chmod(0o444)
    venue_db.parent.chmod(0o555)
    yield venue_db
    venue_db.parent.chmod(0o755)
    venue_db.chmod(0o644)


def test_read_only_database_export_prints_path_hash_and_fingerprint(read_only_db: Path,
                                                                    tmp_path: Path) -> None:
    prefix = _unprivileged()
    home = tmp_path / "home"
    r = _run("export", "--db", read_only_db, "--to", tmp_path / "stick", "--at", WHEN,
             home=home, prefix=prefix)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    package = Path(r.stdout.strip())
    assert package.exists() and package.parent == tmp_path / "stick"
    assert "包校验码 " in r.stderr and "密钥指纹 " in r.stderr
    assert f"没能记入数据库：数据库 {read_only_db} 是只读的" in r.stderr
    v = _run("verify", package, home=home)
    assert v.returncode == 0, v.stderr


def test_read_only_database_attendance_reads_and_sign_in_is_refused_in_words(
        read_only_db: Path, tmp_path: Path) -> None:
    prefix = _unprivileged()
    home = tmp_path / "home"
    r = _run("attendance", "--db", read_only_db, "--json", home=home, prefix=prefix)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["present"] == 0
    r = _run("sign-in", "--db", read_only_db, "--desk", "一号台", "--at", WHEN, "--", "tok00001",
             home=home, prefix=prefix)
    assert r.returncode == 1
    assert r.stdout == ""  # nothing acknowledged
    assert "Traceback" not in r.stderr
    assert f"出错：数据库 {read_only_db} 是只读的" in r.stderr


def test_read_only_file_in_a_writable_folder(venue_db: Path, tmp_path: Path) -> None:
    prefix = _unprivileged()
    venue_db.chmod(0o444)
    try:
        r = _run("sign-in", "--db", venue_db, "--desk", "一号台", "--at", WHEN, "--", "tok00001",
                 home=tmp_path / "home", prefix=prefix)
    finally:
        venue_db.chmod(0o644)
    assert r.returncode == 1 and r.stdout == ""
    assert "Traceback" not in r.stderr
    assert f"数据库 {venue_db} 是只读的" in r.stderr


def test_a_program_error_still_shows_its_traceback(tmp_path: Path) -> None:
    """Only the environment is put in words: a bug keeps its traceback (and the hook's line)."""
    code = ("import sys\nimport app.cli.cmd_sort_names as cmd\nfrom ui import launcher\n"
            "def run(args):\n    raise ValueError('a bug')\n"
            "cmd.run = run\nsys.exit(launcher.main(['sort-names']))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       encoding="utf-8", timeout=60, env=_env(tmp_path / "home"),
                       cwd=Path(__file__).resolve().parents[2])
    assert r.returncode not in (0, 2)
    assert "Traceback (most recent call last)" in r.stderr and "ValueError: a bug" in r.stderr


# -- full disk ---------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a small tmpfs needs root on Linux")
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "ab", buffering=0) as f:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass
    return filler


def test_full_disk_under_a_streaming_sign_in(small_disk: Path, venue_db: Path,
                                             tmp_path: Path) -> None:
    db = small_disk / "选举.db"
    shutil.copyfile(venue_db, db)
    proc = subprocess.Popen([*pollday_cmd(), "sign-in", "--db", str(db), "--desk", "一号台",
                             "--at", WHEN, "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            env=_env(tmp_path / "home"))
    assert proc.stdin is not None and proc.stdout is not None
    acknowledged = []
    proc.stdin.write("tok00001\n")
    proc.stdin.flush()
    acknowledged.append(json.loads(proc.stdout.readline()))
    filler = _fill(small_disk)
    proc.stdin.write("tok00002\ntok00003\n")
    proc.stdin.close()
    rest = proc.stdout.read()
    stderr = proc.stderr.read() if proc.stderr else ""
    proc.wait(timeout=60)
    acknowledged += [json.loads(x) for x in rest.splitlines()]
    assert proc.returncode == 1, (rest, stderr)
    assert "Traceback" not in stderr
    assert f"磁盘已满，数据库 {db} 无法写入" in stderr
    filler.unlink()
    # Everything acknowledged is in the file; nothing else claims success.
    assert {a["ref"] for a in acknowledged if a["result"] == "signed_in"} == _signed_in(db)
    assert "tok00001" in _signed_in(db)


def test_full_disk_backup_and_export_say_so_without_a_traceback(small_disk: Path,
                                                                venue_db: Path,
                                                                tmp_path: Path) -> None:
    _fill(small_disk)
    home = tmp_path / "home"
    b = _run("backup", "--db", venue_db, "--to", small_disk, home=home)
    assert b.returncode == 1 and "Traceback" not in b.stderr
    assert "备份失败" in b.stderr and str(small_disk) in b.stderr
    e = _run("export", "--db", venue_db, "--to", small_disk, "--at", WHEN, home=home)
    assert e.returncode == 1 and "Traceback" not in e.stderr and e.stdout == ""
    assert str(small_disk) in e.stderr
    assert [p.name for p in small_disk.iterdir()] == ["filler"]  # no half-written package


def test_full_disk_where_the_export_works(small_disk: Path, venue_db: Path,
                                          tmp_path: Path) -> None:
    """The data folder (where the working copy goes) is full: said in words, naming the file."""
    home = small_disk / "home"
    key = subprocess.run([sys.executable, "-c", "from app.keys import load_or_create; "
                          "load_or_create()"], env=_env(home), capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2])
    assert key.returncode == 0, key.stderr
    _fill(small_disk)
    e = _run("export", "--db", venue_db, "--to", tmp_path / "stick", "--at", WHEN, home=home)
    assert e.returncode == 1, e.stderr
    assert "Traceback" not in e.stderr and e.stdout == ""
    assert (f"出错：PollDay 无法在 {home / 'scratch'} 存放临时文件：磁盘（或U盘）已满" in e.stderr
            or f"出错：导出需要在 {home / 'scratch'} 临时存放一份数据库副本，但写不下：磁盘已满"
            in e.stderr), e.stderr
    assert str(venue_db) not in e.stderr  # the election database is not what is full
    assert _full_copies(home) == []


# -- the database file deleted or replaced under a running desk ----------------------------------

def _streaming_sign_in(db: Path, home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*pollday_cmd(), "sign-in", "--db", str(db), "--desk", "一号台",
                             "--at", WHEN, "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            env=_env(home))


def _first_then(proc: subprocess.Popen[str], change: object) -> tuple[list[dict], str]:
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write("tok00001\n")
    proc.stdin.flush()
    first = json.loads(proc.stdout.readline())
    assert first["result"] == "signed_in"
    change()  # type: ignore[operator]
    proc.stdin.write("".join(f"tok{n:05d}\n" for n in range(2, 7)))
    proc.stdin.close()
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=60)
    return [first, *(json.loads(x) for x in out.splitlines())], err


@pytest.mark.skipif(os.name == "nt", reason="Windows does not let a file SQLite holds be deleted")
def test_database_deleted_under_a_running_sign_in(venue_db: Path, tmp_path: Path) -> None:
    proc = _streaming_sign_in(venue_db, tmp_path / "home")
    lines, err = _first_then(proc, venue_db.unlink)
    assert [x["result"] for x in lines] == ["signed_in"]  # no 签到成功 into a deleted file
    assert proc.returncode == 1
    assert "Traceback" not in err
    assert f"数据库文件 {venue_db} 在本程序打开之后已被删除或移走，刚才的操作没有写入" in err


@pytest.mark.skipif(os.name == "nt", reason="Windows does not let a file SQLite holds be replaced")
def test_database_replaced_under_a_running_sign_in(venue_db: Path, tmp_path: Path) -> None:
    other = tmp_path / "restored.db"
    shutil.copyfile(venue_db, other)  # a copy from before the day, dragged over the file
    proc = _streaming_sign_in(venue_db, tmp_path / "home")

    def swap() -> None:
        os.replace(other, venue_db)
        for suffix in ("-wal", "-shm"):
            Path(f"{venue_db}{suffix}").unlink(missing_ok=True)

    lines, err = _first_then(proc, swap)
    assert [x["result"] for x in lines] == ["signed_in"]
    assert proc.returncode == 1 and "Traceback" not in err and "malformed" not in err
    assert f"数据库文件 {venue_db} 在本程序打开之后已被另一个文件替换" in err
    assert _signed_in(venue_db) == set()  # the file now at the path got nothing half-written


# -- import-register refusing a file -------------------------------------------------------------

def test_refused_import_register_leaves_no_new_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bad = tmp_path / "名册.csv"
    bad.write_text("姓名,性别,不认识的列\n张三,男,x\n", encoding="utf-8")
    db = tmp_path / "新的.db"
    r = _run("import-register", "--db", db, bad, home=home)
    assert r.returncode == 1
    assert not db.exists()
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()
    bad.write_text("姓名,性别\n,男\n", encoding="utf-8")  # a bad row
    r = _run("import-register", "--db", db, bad, home=home)
    assert r.returncode == 1 and not db.exists()


def test_refused_import_register_keeps_an_existing_database(venue_db: Path,
                                                            tmp_path: Path) -> None:
    bad = tmp_path / "名册.csv"
    bad.write_text("姓名,性别\n,男\n", encoding="utf-8")
    before = venue_db.stat()
    r = _run("import-register", "--db", venue_db, bad, home=tmp_path / "home")
    assert r.returncode == 1
    assert venue_db.exists() and venue_db.stat().st_ino == before.st_ino
    assert stat.S_ISREG(venue_db.stat().st_mode)


def test_read_only_file_system_attendance_reads_and_sign_in_is_refused(venue_db: Path,
                                                                      tmp_path: Path) -> None:
    """A write-protected stick: the mount itself is read-only (EROFS, which SQLite reports as
    'unable to open' rather than 'readonly')."""
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a read-only tmpfs needs root on Linux")
    mount = tmp_path / "stick"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        db = mount / "选举.db"
        shutil.copyfile(venue_db, db)
        assert subprocess.run(["mount", "-o", "remount,ro", str(mount)]).returncode == 0
        home = tmp_path / "home"
        r = _run("attendance", "--db", db, "--json", home=home)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["expected"] > 0
        r = _run("sign-in", "--db", db, "--desk", "一号台", "--at", WHEN, "--", "tok00001",
                 home=home)
        assert r.returncode == 1 and r.stdout == "" and "Traceback" not in r.stderr
        assert f"出错：数据库 {db} 是只读的" in r.stderr
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
