"""Walk finding 19: a refused PIN is never echoed, even in part; the wrong-PIN audit line says
no "须等待 0 秒"."""

from __future__ import annotations

from app import audit_catalogue, staff


def test_a_refused_pin_is_not_echoed():
    for pin in ("123456", "111111", "987654"):
        said = staff.pin_problem(pin)
        assert said is not None and "太容易猜到" in said
        assert pin[:2] not in said and "…" not in said, said


def test_the_wrong_pin_line_says_a_wait_only_when_there_is_one():
    free = audit_catalogue.describe("staff_pin_wrong",
                                    {"name": "李主任", "failed": 1, "wait_s": 0, "where": "主机"})
    assert "0 秒" not in free and "等待" not in free
    assert free == "李主任 输入的PIN不正确（已连续输错 1 次），在 主机"
    waited = audit_catalogue.describe("staff_pin_wrong",
                                      {"name": "李主任", "failed": 4, "wait_s": 30})
    assert waited == "李主任 输入的PIN不正确（已连续输错 4 次），须等待 30 秒再试"
