"""Walk finding: the staff form showed the PIN rule in red before anything was typed. The hint
is neutral (grey) until a PIN is typed that fails the rule; red for a PIN that fails or a
second entry that differs, green when the two agree — on the add form and in 重设PIN."""

from __future__ import annotations

from tests.gui.conftest import open_window
from tests.gui.test_staff_signon import open_signed_on, staff_db  # noqa: F401 (fixture)
from ui.pages.setup_common import GREEN, RED


def colour(label) -> str:
    return label.styleSheet()


def test_the_pin_hint_is_neutral_until_a_typed_pin_fails(qtbot, small_db, shot):
    gen = open_window(qtbot, small_db)
    window = next(gen)
    window.resize(1366, 768)
    window.staff_band.create_button.click()
    page = window.current_page()
    hint = page.pin_hint
    assert "6–12位数字" in hint.text()
    assert RED not in colour(hint) and GREEN not in colour(hint)       # nothing typed yet
    qtbot.wait(30)
    shot(window, "staff-form-pin-hint-neutral")
    page.pin1.setFocus()
    qtbot.keyClicks(page.pin1, "111111")
    assert "太容易猜到" in hint.text() and RED in colour(hint)
    page.pin1.clear()
    assert RED not in colour(hint)                                   # cleared: neutral again
    qtbot.keyClicks(page.pin1, "246810")
    assert hint.text() == "请再输入一次PIN" and RED not in colour(hint)
    page.pin2.setFocus()
    qtbot.keyClicks(page.pin2, "24681")
    assert hint.text() == "两次输入的PIN不一致" and RED in colour(hint)
    qtbot.keyClicks(page.pin2, "0")
    assert hint.text() == "PIN可以使用" and GREEN in colour(hint)
    gen.close()


def test_the_reset_pin_dialog_starts_neutral(qtbot, staff_db):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    page = window.show_step("prepare", tab="工作人员名单")
    qtbot.waitUntil(lambda: page.table.rowCount() > 1, timeout=3000)
    page.table.setFocus()
    page.table.selectRow(1)
    page.reset_button.click()
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None
                    and page.dialog.isVisible(), timeout=3000)
    dialog = page.dialog
    assert RED not in colour(dialog.hint) and GREEN not in colour(dialog.hint)
    dialog.pin1.setFocus()
    qtbot.keyClicks(dialog.pin1, "12ab")
    assert RED in colour(dialog.hint)
    dialog.reject()
    gen.close()
