"""Issue 15 item 5: every audit action code written anywhere is in the one catalogue
(app/audit_catalogue.py), so the 审计日志 page shows every row in words.

The scan reads the source (ast) of app/, db/ and ui/: every call with the keywords `at`, `actor`
and `action` (db.audit.append's signature) is an audit write, and its action expression is
resolved to the codes it can take: a literal, `"a" + ("b" if x else "c")`, an f-string over a
local that is one of several literals, or a module constant (also one imported from another
module). An expression the scan cannot resolve fails the test, naming the file and line: write
the code as a literal (or a constant) so it can be checked."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
from pathlib import Path

import pytest

from app.audit_catalogue import CATALOGUE, action_words, describe, operator_name, render

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("app", "db", "ui")


class Unresolved(Exception):
    pass


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for p in (base.with_suffix(".py"), base / "__init__.py"):
        if p.is_file():
            return p
    return None


def _assigned(body: list[ast.stmt], name: str) -> list[ast.expr]:
    out = []
    for node in body:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == name for t in sub.targets):
                out.append(sub.value)
            elif isinstance(sub, ast.AnnAssign) and isinstance(sub.target, ast.Name) \
                    and sub.target.id == name and sub.value is not None:
                out.append(sub.value)
    return out


class Resolver:
    def __init__(self, path: Path, tree: ast.Module) -> None:
        self.path, self.tree = path, tree

    def codes(self, expr: ast.expr, func: ast.AST | None) -> set[str]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.codes(expr.body, func) | self.codes(expr.orelse, func)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return {a + b for a, b in itertools.product(self.codes(expr.left, func),
                                                        self.codes(expr.right, func))}
        if isinstance(expr, ast.JoinedStr):
            parts: list[set[str]] = []
            for v in expr.values:
                if isinstance(v, ast.FormattedValue) and v.format_spec is None:
                    parts.append(self.codes(v.value, func))
                else:
                    parts.append(self.codes(v, func))
            return {"".join(p) for p in itertools.product(*parts)}
        if isinstance(expr, ast.Name):
            return self.name(expr.id, func)
        if isinstance(expr, ast.Subscript):   # CODES[i]: any element of a literal tuple/list
            return self.elements(expr.value, func)
        raise Unresolved(ast.dump(expr)[:80])

    def elements(self, expr: ast.expr, func: ast.AST | None) -> set[str]:
        if isinstance(expr, ast.Tuple | ast.List | ast.Set):
            return set().union(*(self.codes(e, func) for e in expr.elts))
        if isinstance(expr, ast.Name):
            local = _assigned(getattr(func, "body", []), expr.id) if func is not None else []
            top = [v for node in self.tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                   for v in _assigned([node], expr.id)]
            values = local or top
            if values:
                return set().union(*(self.elements(v, func) for v in values))
        raise Unresolved(ast.dump(expr)[:80])

    def name(self, name: str, func: ast.AST | None) -> set[str]:
        if func is not None:
            local = _assigned(getattr(func, "body", []), name)
            if local:
                return set().union(*(self.codes(v, func) for v in local))
        top = [v for node in self.tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
               for v in _assigned([node], name)]
        if top:
            return set().union(*(self.codes(v, None) for v in top))
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and any(
                    (a.asname or a.name) == name for a in node.names):
                real = next(a.name for a in node.names if (a.asname or a.name) == name)
                src = _module_file(node.module)
                if src is None:
                    break
                other = Resolver(src, ast.parse(src.read_text(encoding="utf-8")))
                return other.name(real, None)
        raise Unresolved(name)


def _functions(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    """call node -> its innermost enclosing function."""
    owner: dict[ast.AST, ast.AST] = {}

    def visit(node: ast.AST, func: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else func
            if func is not None:
                owner[child] = func
            visit(child, inner)

    visit(tree, None)
    return owner


def audit_writes(paths: list[Path]) -> tuple[dict[str, list[str]], list[str]]:
    """(code -> where it is written, problems: writes whose code cannot be resolved)."""
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = _functions(tree)
        resolver = Resolver(path, tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            if not {"at", "actor", "action"} <= kw.keys():
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            try:
                codes = resolver.codes(kw["action"], owner.get(node))
            except Unresolved as e:
                problems.append(f"{where}: the action code cannot be read from the source ({e});"
                                " write it as a literal or a module constant")
                continue
            for code in codes:
                found.setdefault(code, []).append(where)
    return found, problems


def _sources() -> list[Path]:
    return sorted(p for d in SCANNED for p in (ROOT / d).rglob("*.py"))


def test_every_audit_code_written_anywhere_is_in_the_catalogue() -> None:
    found, problems = audit_writes(_sources())
    assert not problems, "\n".join(problems)
    missing = {code: where for code, where in found.items() if code not in CATALOGUE}
    assert not missing, ("audit action codes written but missing from app/audit_catalogue.py"
                         " CATALOGUE (add the words and a template):\n" + "\n".join(
                             f"  {c}: {', '.join(w)}" for c, w in sorted(missing.items())))


def test_the_scan_finds_the_codes_built_at_run_time() -> None:
    """The scan is not vacuous: it finds literal, concatenated, f-string and imported codes."""
    found, _ = audit_writes(_sources())
    for code in ("sign_in_undone", "round_unlocked", "tally_sheet_resolved",
                 "tally_sheet_reentered", "ballot_correct", "ballot_withdraw", "sync_refused",
                 "sync_refused_more", "sync_register_refreshed", "register.import",
                 "package_exported"):
        assert code in found, code
    assert len(found) >= 45


def test_the_scan_fails_on_a_new_code_and_on_an_unreadable_one(tmp_path: Path) -> None:
    src = ROOT / "app" / "zz_audit_scan_probe.py"
    assert not src.exists()
    src.write_text(
        "from db.audit import append\n"
        "KIND = 'probe_const'\n"
        "def f(conn, at, x, y):\n"
        "    append(conn, at=at, actor='a', action='probe_new_code')\n"
        "    append(conn, at=at, actor='a', action=KIND)\n"
        "    append(conn, at=at, actor='a', action=x.name)\n"
        "    append(conn, at=at, actor='a', action=('probe_t1', 'probe_t2')[x])\n", encoding="utf-8")
    try:
        found, problems = audit_writes([src])
    finally:
        src.unlink()
    assert set(found) == {"probe_new_code", "probe_const", "probe_t1", "probe_t2"}
    assert len(problems) == 1 and "zz_audit_scan_probe.py:6" in problems[0]


def test_no_audit_row_is_written_around_db_audit() -> None:
    """db/audit.py is the only writer: a raw INSERT elsewhere would escape the scan (and the
    chain)."""
    for path in _sources():
        if path == ROOT / "db" / "audit.py":
            continue
        assert "INSERT INTO audit" not in path.read_text(encoding="utf-8"), path


def test_every_code_the_demo_day_writes_is_in_the_catalogue(tmp_path: Path) -> None:
    """The same from the other side: a whole demo day through the real use cases."""
    from app.demo import build_demo
    from db.connection import connect

    conn = connect(tmp_path / "demo.db")
    build_demo(conn, stage="final")
    codes = {c for (c,) in conn.execute("SELECT DISTINCT action FROM audit")}
    conn.close()
    assert len(codes) > 10
    assert codes <= CATALOGUE.keys(), codes - CATALOGUE.keys()


@pytest.mark.parametrize("kept", sorted((ROOT / "tests" / "fixtures").glob("schema-v*.db")),
                         ids=lambda p: p.name)
def test_rows_of_kept_older_databases_are_in_words(kept: Path) -> None:
    """Databases of every released schema (their rows written by that version) read in words."""
    import sqlite3

    from db.files import ro_uri

    conn = sqlite3.connect(ro_uri(kept), uri=True)
    rows = conn.execute("SELECT actor, action FROM audit").fetchall()
    conn.close()
    for actor, code in rows:
        assert code in CATALOGUE, (kept.name, code)
        assert operator_name(actor) and not operator_name(actor).startswith("gui:")


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_each_template_renders_from_an_empty_detail_without_error(code: str) -> None:
    """A row written by an older version may lack fields: the sentence still renders."""
    text = describe(code, {})
    assert text and "{" not in text and "[" not in text


@pytest.mark.parametrize("odd", [None, 0, True, "=1+1", [1, {"a": []}], {"x": {"y": 1}}, "",
                                 "𠮷" * 3], ids=repr)
def test_hand_made_rows_with_odd_values_still_render(odd: object) -> None:
    """A row edited by hand (or by a future version) with any JSON value in any field."""
    import string

    for code, a in CATALOGUE.items():
        fields = {name for _, name, _, _ in string.Formatter().parse(
            a.template.replace("[", "").replace("]", "")) if name}
        text = describe(code, dict.fromkeys(fields, odd))
        assert isinstance(text, str) and text, code


def test_sentences_in_plain_chinese() -> None:
    assert describe("sign_in_undone", {"name": "王䶮", "reason": "扫错人", "desk": "一号台",
                                       "signed_in_at": "2026-11-29T09:01:02+08:00"}) == \
        "撤销 王䶮 的签到（签到于 2026-11-29 09:01:02），签到台“一号台”，原因：扫错人"
    assert describe("round_unlocked", {"hash": "e11c6acd646c", "why": ""}) == \
        "解除锁定（原锁定校验码 e11c6acd646c）"
    ballot = {"marks": "ox-", "invalid": False, "reason": "", "write_ins": ["张三"],
              "unmarked_write_ins": []}
    assert describe("ballot_difference_resolved", {"seq": 7, "a": ballot, "b": ballot,
                                                   "choice": "paper", "reading": ballot,
                                                   "why": "核对原票"}) == \
        "第 7 张选票录入不一致（A：○×弃 另选 张三；B：○×弃 另选 张三），按原票更正：○×弃 另选 张三，原因：核对原票"
    assert describe("sync_refused", {"address": "10.0.0.9", "reason": "bad_secret", "desk": ""},
                    "refused") == "拒绝（10.0.0.9）：配对码（密钥）不对（结果：已拒绝）"
    assert describe("desk_added", {"name": "一号台", "scope": []}) == "新增签到台“一号台”，负责：全部人员"
    assert action_words("round_locked") == "锁定结果"


def test_an_unknown_code_shows_as_the_code_and_its_raw_fields() -> None:
    text = describe("staff_future_code", {"who": "张三", "n": 3, "list": [1, 2]})
    assert text == "staff_future_code：who=张三；n=3；list=[1, 2]（未收录的动作代码）"
    assert action_words("staff_future_code") == "staff_future_code"
    assert describe("round_locked", "not json at all") == "round_locked：not json at all"
    assert describe("x", None) == "x（未收录的动作代码）"


def test_old_operators_show_the_name_part() -> None:
    assert operator_name("gui:root") == "root"
    assert operator_name("gui:张三") == "张三"
    assert operator_name("cli:李四") == "李四"
    assert operator_name("张三") == "张三"
    assert operator_name("") == "（未记名）"
    assert operator_name("host") == "主机"


def test_optional_parts_are_dropped_when_empty() -> None:
    assert render("A[，原因：{why}]", {"why": ""}) == "A"
    assert render("A[，原因：{why}]", {"why": "x"}) == "A，原因：x"
    assert render("{t:time}", {"t": dt.datetime(2026, 1, 2, 3, 4, 5).isoformat()}) == \
        "2026-01-02 03:04:05"
