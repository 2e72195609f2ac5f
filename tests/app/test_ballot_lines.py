"""The plain ballot lines of `pollday ballot enter`: full-width keys typed with a Chinese input
method are the same keys; a name written without its + says how to write a write-in (a CLI
walk met '第1位"０"无效' and '第4位"张"无效')."""

from __future__ import annotations

from app.cli.ballot_lines import Line, parse_line


def test_full_width_digits_and_space_are_keys() -> None:
    assert parse_line("１２０　１") == Line("120 1", (), None)
    assert parse_line("１１ ＋张三") == Line("11", ("张三",), None)


def test_a_name_without_plus_says_how_to_write_a_write_in() -> None:
    got = parse_line("11 张三")
    assert isinstance(got, str) and "第4位“张”无效" in got and "+张三" in got


def test_other_digits_are_left_to_the_core() -> None:
    assert parse_line("13") == Line("13", (), None)     # the entry core names 第2位"3"
