"""`pollday sort-names` as a subprocess: UTF-8 in and out, BOM, CRLF, blank lines, --check."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path
from types import ModuleType


def _root_conftest() -> ModuleType:
    # `from conftest import ...` picks whichever conftest.py pytest loaded last (tests/app/* have
    # their own), so load tests/conftest.py by path.
    path = Path(__file__).resolve().parents[1] / "conftest.py"
    spec = importlib.util.spec_from_file_location("pollday_tests_root_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_conftest = _root_conftest()
FIXTURES: Path = _conftest.FIXTURES
pollday_cmd = _conftest.pollday_cmd


def sort_names_cli(data: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONIOENCODING="ascii")  # output must be UTF-8 whatever the locale
    return subprocess.run([*pollday_cmd(), "sort-names", *args], input=data,
                          capture_output=True, timeout=60, env=env, check=False)


def test_sorts_lines_as_given_with_bom_crlf_and_blank_lines() -> None:
    data = "\ufeff王沪宁\r\n李强（女）\r\n\r\n   \n丁薛祥\n王  毅".encode()
    done = sort_names_cli(data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == "丁薛祥\n王  毅\n王沪宁\n李强（女）\n"


def test_published_list_from_a_file(tmp_path: Path) -> None:
    src = FIXTURES / "name_order" / "cpc-20-delegates-head.txt"
    listed = [ln for ln in src.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    reversed_file = tmp_path / "names.txt"
    reversed_file.write_text("\n".join(reversed(listed)) + "\n", encoding="utf-8")
    done = sort_names_cli(b"", str(reversed_file))
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").splitlines() == listed


def test_check_reports_the_first_name_out_of_place() -> None:
    assert sort_names_cli("李希\n李强\n李干杰\n".encode(), "--check").returncode == 0
    bad = sort_names_cli("李干杰\n李强\n".encode(), "--check")
    assert bad.returncode == 1
    assert bad.stdout == b""
    assert "李强" in bad.stderr.decode("utf-8")


def test_explain_shows_counts_shapes_and_the_blank() -> None:
    done = sort_names_cli("李干杰\n李强\n".encode(), "--explain")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").splitlines() == [
        "李强\t李 7 1234521/0001010 | ○ | 强 12 515251251214/000000000000",
        "李干杰\t李 7 1234521/0001010 | 干 3 112/000 | 杰 8 12344444/00010000",
    ]


def test_plain_stroke_before_its_variant_as_the_standard_orders() -> None:
    # rules.md §5: 十 丁, 干 于, 下 寸 (by code point 丁 于 寸 would come first)
    done = sort_names_cli("寸明\n于明\n丁明\n下明\n干明\n十明\n".encode(), "--explain")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").splitlines() == [
        "十明\t十 2 12/00 | ○ | 明 8 25113511/00000000",
        "丁明\t丁 2 12/01 | ○ | 明 8 25113511/00000000",
        "干明\t干 3 112/000 | ○ | 明 8 25113511/00000000",
        "于明\t于 3 112/001 | ○ | 明 8 25113511/00000000",
        "下明\t下 3 124/000 | ○ | 明 8 25113511/00000000",
        "寸明\t寸 3 124/010 | ○ | 明 8 25113511/00000000",
    ]
    for pair in ("十明\n丁明\n", "干明\n于明\n", "下明\n寸明\n"):
        assert sort_names_cli(pair.encode(), "--check").returncode == 0
        swapped = "\n".join(reversed(pair.split())) + "\n"
        bad = sort_names_cli(swapped.encode(), "--check")
        assert bad.returncode == 1 and pair.split()[0] in bad.stderr.decode("utf-8")


def test_input_that_is_not_utf8_is_refused() -> None:
    done = sort_names_cli("王晨\n".encode("gb18030"))
    assert done.returncode == 2
    assert done.stdout == b""
    assert b"UTF-8" in done.stderr


def test_empty_input_prints_nothing() -> None:
    done = sort_names_cli(b"\n\n")
    assert done.returncode == 0
    assert done.stdout == b""
