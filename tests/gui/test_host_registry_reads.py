"""The host page reads the refusals and the desk registry again only when the database changed
(another connection committed, or its own wrote), not at every poll; what changed still shows."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from app import session
from app.sync import join, parse
from tests.gui.test_host_page import TIMEOUT_MS, open_host_page, start_on_loopback


def test_the_registry_is_read_when_the_database_changed_not_every_poll(qtbot, tmp_path, request,
                                                                        monkeypatch) -> None:
    import ui.pages.host_page as host_page

    reads: list[int] = []
    real = host_page.desk_keys
    monkeypatch.setattr(host_page, "desk_keys", lambda conn: reads.append(1) or real(conn))
    page = open_host_page(qtbot, tmp_path, request)
    page._poll.stop()                      # this test calls refresh itself
    page.refresh()
    first = len(reads)
    assert first >= 1 and page.refused_title.text() == "被拒绝的连接与数据：无"
    page.refresh()
    page.refresh()
    assert len(reads) == first             # nothing changed: not read again
    session.set_operator(page.ctx.conn, "值班人甲")   # this connection wrote
    page.refresh()
    assert len(reads) == first + 1
    # Another connection (the host's link) records a refused join: the next poll shows it.
    code = start_on_loopback(page, qtbot)
    wrong = dataclasses.replace(parse(code), secret="x" * 24)
    with pytest.raises(Exception, match="配对码不对"):
        asyncio.run(join(tmp_path / "intruder.db", wrong, "冒充台", timeout=10))
    page._poll.start()
    qtbot.waitUntil(lambda: page.refused.count() == 1, timeout=TIMEOUT_MS)
    assert "1 次" in page.refused_title.text() and "配对码" in page.refused.item(0).text()
