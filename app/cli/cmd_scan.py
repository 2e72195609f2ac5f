"""`pollday scan`: counting from the office scanner (format A ballots, separate 赞成/不赞成 boxes;
format B, one box per candidate for ○ / ×).

    pollday scan setup  --db PATH [--meeting CODE] (--markers | --no-markers) [--qr]
    pollday scan format --db PATH [--meeting CODE] --contest CODE (A | B)
    pollday scan import --db PATH --count N FOLDER [--json]
    pollday scan import --db PATH --watch FOLDER [--existing] [--poll S]   until Ctrl+C
    pollday scan status --db PATH [--json]
    pollday scan adjudicate --db PATH [--json]                       the ballots waiting
    pollday scan adjudicate --db PATH --page ID --marks 1201 [--write-in 姓名 ... | --no-write-in]
                            [--invalid WHY] --operator NAME [--second NAME] [--json]
    pollday scan count  --db PATH --contest CODE [--round N]
    pollday scan check  --db PATH --contest CODE (--mode full|sample | --draw | --enter FILE)
    pollday scan testdeck --db PATH --contest CODE --out DECK.pdf | --result [--json]
    pollday scan records --db PATH [--meeting CODE]

`setup` records the meeting's decision to print corner markers (and the layout QR) on its
ballots: ask the supervising office (区（街道）换届办) first. `format` chooses a contest's
scannable ballot: A (赞成 and 不赞成 boxes, the default) or B (the traditional single box: ○ 赞成,
× 不赞成, blank 弃权; marks the reader cannot tell go to a human). Then `pollday print scan-ballots`
prints them. `import` reads a folder of scans (PDF, JPEG, PNG, TIFF; 200-300 dpi, grayscale or
colour) as one batch whose ballots the clerk counted by hand (--count): the whole batch is refused
when the pages differ from the count, or a file was imported before. `import --watch` watches the
MFP's scan folder or a USB stick: each new file is read once whole (one JSON line per file read or
refused), and each batch is imported when its hand count is typed on stdin. Refused pages are named
(file and page) and entered by keyboard (`pollday ballot enter --clerk A`). `adjudicate` settles
each flagged ballot: --marks in ballot-entry keys (1 赞成, 2 不赞成, 0 弃权) or o x -; a doubtful
ballot or an invalid one needs --second (two people). `count` enters the round's scanned ballots
as entry A, refused while any flag is pending; validation and lock then work as for keyboard
entry. `check` makes the scanner one of the two clerks (a blind random sample or full entry
by clerk B, app/scan/check.py); `testdeck` prints the test deck and shows its result;
`records` prints every scanned ballot's record (what the package carries).

Exit status: 0 done, 1 refused (the reason, nothing written), 2 usage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.cli.counting import EXIT_REFUSED, EXIT_USAGE, add_round_options, clock_at, operator

COMMANDS = ("scan",)


def register(sub: Any) -> None:
    scan = sub.add_parser("scan", help="count from the office scanner (扫描计票)",
                          description=__doc__,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = scan.add_subparsers(dest="scan_action", metavar="ACTION")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", required=True, type=Path, metavar="PATH", help="election database")
        p.add_argument("--operator", default="", metavar="NAME", help="who does it (audited)")
        p.add_argument("--at", default=None, metavar="TIME", help="time recorded (ISO 8601)")
        p.add_argument("--json", action="store_true", help="machine-readable output")

    p = actions.add_parser("setup", help="print corner markers / QR on this meeting's ballots")
    common(p)
    p.add_argument("--meeting", default=None, metavar="CODE")
    p.add_argument("--markers", action=argparse.BooleanOptionalAction, required=True)
    p.add_argument("--qr", action="store_true", help="also print the layout QR")
    p.set_defaults(func=run_setup)

    p = actions.add_parser("format", help="a contest's scannable ballot: A (赞成/不赞成 boxes) or "
                           "B (one box for ○ / ×)")
    common(p)
    p.add_argument("--meeting", default=None, metavar="CODE")
    p.add_argument("--contest", required=True, metavar="CODE")
    p.add_argument("format", choices=("A", "B"))
    p.set_defaults(func=run_format)
    p = actions.add_parser("import", help="import a folder of scans as one batch")
    common(p)
    p.add_argument("--count", type=int, metavar="N",
                   help="ballots in this batch, counted by hand")
    p.add_argument("folder", type=Path, metavar="FOLDER", nargs="?")
    p.add_argument("--watch", type=Path, metavar="FOLDER", default=None,
                   help="watch this folder until Ctrl+C: new scan files are read once whole, "
                        "each batch's hand count is typed on stdin; one JSON line per file")
    p.add_argument("--existing", action="store_true",
                   help="with --watch: also take the scan files already in the folder")
    p.add_argument("--poll", type=float, default=2.0, metavar="SECONDS",
                   help="with --watch: how often the folder is looked at (default 2)")
    p.set_defaults(func=run_import)
    p = actions.add_parser("status", help="batches, pages read, refused and waiting")
    common(p)
    p.set_defaults(func=run_status)
    p = actions.add_parser("adjudicate", help="list or settle flagged ballots")
    common(p)
    p.add_argument("--page", type=int, default=None, metavar="ID")
    p.add_argument("--marks", default=None, metavar="KEYS")
    p.add_argument("--write-in", action="append", default=[], metavar="NAME")
    p.add_argument("--no-write-in", action="store_true",
                   help="the writing in the 另选他人 rows counts for nobody (not a name, unreadable)")
    p.add_argument("--invalid", default=None, metavar="WHY")
    p.add_argument("--second", default="", metavar="NAME", help="the second person deciding")
    p.add_argument("--note", default="", metavar="TEXT")
    p.set_defaults(func=run_adjudicate)
    p = actions.add_parser("count", help="enter the round's scanned ballots as entry A")
    add_round_options(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_count)
    from app.cli.scan_check_cli import register_check, register_records, register_testdeck

    register_check(actions)
    register_testdeck(actions)
    register_records(actions)
    scan.set_defaults(func=lambda _a: (scan.print_usage(sys.stderr), EXIT_USAGE)[1])


def _out(args: argparse.Namespace, doc: Any, lines: list[str]) -> None:
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        print("\n".join(lines))


def run_setup(args: argparse.Namespace) -> int:
    from app.cli.opening import open_meeting_at
    from app.meetings import Refusal
    from app.scan.setup import set_print_setting

    opened = open_meeting_at(args)
    if opened is None:
        return EXIT_USAGE
    clock, conn, meeting = opened
    try:
        got = set_print_setting(conn, meeting.id, markers=args.markers, qr=args.qr,
                                actor=operator(args), clock=clock)
        if isinstance(got, Refusal):
            print(got.message, file=sys.stderr)
            return EXIT_REFUSED
        _out(args, {"meeting": meeting.code, "markers": got.markers, "qr": got.qr},
             [f"{meeting.title}：{got.words}"])
        return 0
    finally:
        conn.close()


def run_format(args: argparse.Namespace) -> int:
    from app.cli.opening import open_meeting_at
    from app.meetings import Refusal, list_contests
    from app.scan.setup import set_contest_format

    opened = open_meeting_at(args)
    if opened is None:
        return EXIT_USAGE
    clock, conn, meeting = opened
    try:
        contest = next((c for c in list_contests(conn, meeting.id) if c.code == args.contest), None)
        if contest is None:
            print(f"{meeting.title}没有代码为“{args.contest}”的选举事项", file=sys.stderr)
            return EXIT_REFUSED
        got = set_contest_format(conn, meeting.id, contest.id, args.format,
                                 contest=f"{contest.title}（{contest.code}）",
                                 actor=operator(args), clock=clock)
        if isinstance(got, Refusal):
            print(got.message, file=sys.stderr)
            return EXIT_REFUSED
        _out(args, {"meeting": meeting.code, "contest": contest.code, "format": args.format,
                    "rule": got}, [f"{contest.title}：{got}"])
        return 0
    finally:
        conn.close()


def _open(path: Path) -> Any:
    from db.connection import connect

    try:
        return connect(path, create=False)
    except FileNotFoundError:
        print(f"数据库文件不存在 / database not found: {path}", file=sys.stderr)
        return None


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """Ctrl+C, and a terminate signal (`kill`; Ctrl+Break on Windows), end the import or the watch
    as KeyboardInterrupt: the batch is rolled back whole instead of the process dying between two
    files, and a watch says what it leaves and ends with status 0.

    Ctrl+C is taken even when the process was started with it ignored, as these commands promise:
    a POSIX shell without job control starts a command put in the background (`cmd &`) with
    SIGINT ignored and Python keeps that, so Ctrl+C (or `kill -INT`) did nothing: a watch never
    ended, an import carried on to its COMMIT. On Windows a process started in a new process
    group (CREATE_NEW_PROCESS_GROUP) has Ctrl+C turned off the same way; it is turned on again."""
    def interrupt(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    term = getattr(signal, "SIGBREAK", None) if sys.platform == "win32" else signal.SIGTERM
    wanted: list[tuple[int, Any]] = [(signal.SIGINT, signal.default_int_handler)]
    if term is not None:
        wanted.append((term, interrupt))
    before: list[tuple[int, Any]] = []
    try:
        for sig, handler in wanted:
            before.append((sig, signal.signal(sig, handler)))
    except ValueError:           # not the main thread (a test calling it in-process)
        pass
    if before and sys.platform == "win32":
        _console_ctrl_c_on()
    try:
        yield
    finally:
        for sig, handler in reversed(before):
            if handler is not None:          # None: not set from Python, nothing to put back
                signal.signal(sig, handler)


def _console_ctrl_c_on() -> None:
    """Windows: undo an inherited "ignore Ctrl+C" (SetConsoleCtrlHandler(NULL, TRUE) of a parent,
    or a new process group), so the console's Ctrl+C reaches Python's SIGINT handler."""
    import ctypes

    try:
        ctypes.windll.kernel32.SetConsoleCtrlHandler(None, False)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pass


def _batch_ids(conn: Any) -> set[int]:
    import sqlite3

    from db.scan import batch_ids

    try:
        return batch_ids(conn)
    except sqlite3.Error:
        return set()


def run_import(args: argparse.Namespace) -> int:
    from app.meetings import Refusal
    from app.scan.batch import describe_refused, import_batch

    clock = clock_at(args.at)
    if clock is None:
        return EXIT_USAGE
    if (args.watch is None) == (args.folder is None) or (args.watch is None) == (
            args.count is None) or args.poll <= 0:
        print("须给出 --count N FOLDER（导入一个文件夹），或 --watch FOLDER（监视文件夹，不带 --count："
              "每批的手工清点张数在运行时键入）", file=sys.stderr)
        return EXIT_USAGE
    conn = _open(args.db)
    if conn is None:
        return EXIT_USAGE
    try:
        if args.watch is not None:
            from app.cli.scan_watch_cli import watch_folder

            with _interruptible():
                return watch_folder(args, conn, clock, operator(args))
        before = _batch_ids(conn)
        try:
            with _interruptible():
                got = import_batch(conn, args.db, args.folder, args.count,
                                   operator=operator(args), clock=clock)
        except KeyboardInterrupt:
            done = sorted(_batch_ids(conn) - before)
            if done:     # Ctrl+C just after the COMMIT: the batch is in, whole; say so
                print(f"已中断，但这一批在中断前已完整导入为第{done[0]}批（数据库和原件存档中都已保存）："
                      f"不要重新导入 {args.folder}；用 pollday scan status 查看", file=sys.stderr)
                return 130
            print(f"已中断：这一批未导入（数据库和原件存档中没有留下这一批的任何部分），可重新导入 {args.folder}",
                  file=sys.stderr)
            return 130
        if isinstance(got, Refusal):
            print(f"{got.message}（{got.code}）", file=sys.stderr)
            return EXIT_REFUSED
        lines = [f"第{got.batch_id}批：{got.pages}页，读出{got.read}张，须人工认定{got.flagged}张，"
                 f"拒读{len(got.refused)}张（须键盘录入）；原件存于 {got.archive}"]
        lines += [f"  拒读：{x}" for x in describe_refused(got.refused)]
        lines += [f"  未导入（不是扫描文件）：{n}" for n in got.ignored]
        bad = [t for t in got.testdeck if not t.passed]
        if got.testdeck:
            lines.append(f"  扫描测试选票{len(got.testdeck)}页：通过{len(got.testdeck) - len(bad)}页，"
                         f"未通过{len(bad)}页" + ("" if bad else "（合格）"))
        lines += [f"    第{t.deck}套第{t.page_no}页未通过：应为 {t.expected}，读作 {t.got}：{t.why}"
                  for t in bad]
        _out(args, got.as_json(), lines)
        return 0
    finally:
        conn.close()


def run_status(args: argparse.Namespace) -> int:
    from app.meetings import list_meetings
    from app.scan.adjudicate import batch_summary, reconciliation
    from app.voting import meeting_rounds

    conn = _open(args.db)
    if conn is None:
        return EXIT_USAGE
    try:
        batches = batch_summary(conn)
        meeting_ids = [m.id for m in list_meetings(conn)]
        rounds = [reconciliation(conn, r.id) for m in meeting_ids for r in meeting_rounds(conn, m)]
        recon = [r for r in rounds if isinstance(r, dict) and r["scanned_pages"]]
        lines = []
        for b in batches:
            lines.append(f"第{b['batch']}批：手工清点{b['hand_count']}张，扫描{b['pages']}页，"
                         f"读出{b['read']}，须人工认定{b['flagged']}（未认定{b['pending']}），"
                         f"拒读{len(b['refused'])}")
            lines += [f"  拒读：{x['file']} 第{x['page']}页（本批第{x['position']}张）：{x['reason']}"
                      for x in b["refused"]]
        for r in recon:
            lines.append(f"{r['round']}：收回{r['returned']}，扫描计入{r['counted_from_scan']}，"
                         f"键盘录入{r['entered_by_keyboard']}，未认定{r['pending']}，"
                         f"尚未计入{r['not_counted']}："
                         + ("相符" if r["balanced"] else "不相符"))
        _out(args, {"batches": batches, "rounds": recon}, lines or ["尚未导入扫描"])
        return 0
    finally:
        conn.close()


def run_adjudicate(args: argparse.Namespace) -> int:
    from app.meetings import Refusal
    from app.scan.adjudicate import decide, pending
    from app.scan.setup import known_layouts
    from app.scan.view import box_readings

    conn = _open(args.db)
    if conn is None:
        return EXIT_USAGE
    try:
        if args.page is None:
            waiting = pending(conn)
            known = known_layouts(conn)
            lines = []
            for p in waiting:
                lines.append(f"[{p.id}] 第{p.batch}批第{p.position}张（{p.file} 第{p.page}页）机读 "
                             f"{p.marks}：" + "；".join(t for _c, t in p.flags)
                             + ("（须两人认定）" if p.needs_two else ""))
                lay = known.get(p.layout_code or 0)
                if lay is not None and lay.layout.format == "B":
                    lines += [f"    {w}" for w in box_readings(lay.layout, p.scores_json)]
            _out(args, {"pending": [p.as_json() for p in waiting]},
                 lines or ["没有须人工认定的选票"])
            return 0
        if args.marks is None or not str(args.operator).strip():
            print("认定一张选票须给出 --marks 和 --operator", file=sys.stderr)
            return EXIT_USAGE
        clock = clock_at(args.at)
        if clock is None:
            return EXIT_USAGE
        got = decide(conn, args.page, args.marks, write_ins=args.write_in,
                     invalid=args.invalid is not None, reason=args.invalid or "",
                     first=args.operator, second=args.second, note=args.note,
                     no_write_in=args.no_write_in, clock=clock)
        if isinstance(got, Refusal):
            print(f"{got.message}（{got.code}）", file=sys.stderr)
            return EXIT_REFUSED
        _out(args, {**got.as_json(), **({"replaced": got.replaced} if got.replaced else {})},
             [f"已认定第{got.batch}批第{got.position}张"
              + (f"：已更改此前的认定（原为{got.replaced}）" if got.replaced else "")])
        return 0
    finally:
        conn.close()


def run_count(args: argparse.Namespace) -> int:
    from app.cli.counting import with_round
    from app.meetings import Refusal
    from app.scan.adjudicate import count_round, reconciliation

    def act(conn: Any, r: Any, clock: Any) -> int:
        got = count_round(conn, r.id, operator=operator(args), clock=clock)
        if isinstance(got, Refusal):
            print(f"{got.message}（{got.code}）", file=sys.stderr)
            return EXIT_REFUSED
        recon = reconciliation(conn, r.id)
        assert not isinstance(recon, Refusal)
        _out(args, {"entered": got, **recon},
             [f"{r.label}：扫描选票计入录入组A {got} 张；收回{recon['returned']}，扫描计入"
              f"{recon['counted_from_scan']}，键盘录入{recon['entered_by_keyboard']}："
              + ("相符" if recon["balanced"] else "不相符")])
        return 0

    return with_round(args, act)
