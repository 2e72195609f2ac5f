"""The feed model behind `pollday bench` scan_added_time_pct_40ppm: batches land at the scanner's
pace and are imported one at a time as they land; what counts is the time after the last page."""

from __future__ import annotations

import pytest

from app.bench import REGISTRY
from app.bench.b_scan import feed_added_pct


def test_the_metric_is_there_with_its_target() -> None:
    m = REGISTRY["scan_added_time_pct_40ppm"]
    assert (m.target, m.better, m.unit) == (10, "lt", "%")


def test_imports_faster_than_the_feed_add_only_the_last_one() -> None:
    # 40 batches of 100 pages at 40 pages/min: one every 150 s, 6,000 s of feed.
    assert feed_added_pct([30.0] * 40, 100, 40) == pytest.approx(30 / 6000 * 100)
    # an import slower than the feed piles up: 50 s more behind at every batch
    assert feed_added_pct([200.0] * 40, 100, 40) == pytest.approx((150 + 40 * 200 - 6000)
                                                                  / 6000 * 100)
    # one slow import in the middle is caught up while the next batches are scanned
    assert feed_added_pct([30.0] * 20 + [250.0] + [30.0] * 19, 100, 40) == \
        pytest.approx(30 / 6000 * 100)
