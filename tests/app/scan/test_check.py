"""The blind sample's size (issue 17 item 6): at least 5 % of the unflagged scanned ballots,
at least 100, all of them when fewer."""

from __future__ import annotations

from app.scan.check import sample_size


def test_the_sample_is_five_percent_at_least_a_hundred_or_all() -> None:
    assert [sample_size(n) for n in (1, 37, 100, 101, 1999, 2000, 2001, 4000, 10_000)] == \
        [1, 37, 100, 100, 100, 100, 101, 200, 500]
    for n in range(1, 5000, 7):
        k = sample_size(n)
        assert k <= n and k >= min(n, 100) and k * 100 >= 5 * n
