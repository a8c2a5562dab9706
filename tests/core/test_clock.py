"""Working days: Monday to Friday, less England's bank holidays."""

from __future__ import annotations

from datetime import date

import pytest

from cafpedia.core import clock


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2026, 11, 20), date(2026, 11, 23), 1),  # Friday to Monday
        (date(2026, 11, 20), date(2026, 11, 22), 0),  # over the weekend
        (date(2026, 11, 23), date(2026, 11, 23), 0),
        (date(2026, 11, 23), date(2026, 11, 20), 0),  # backwards
        (date(2026, 11, 16), date(2026, 11, 30), 10),
        (date(2026, 12, 24), date(2026, 12, 29), 1),  # Christmas Day, the weekend, Boxing Day observed on Monday 28th
        (date(2026, 4, 2), date(2026, 4, 7), 1),  # Good Friday and Easter Monday
        (date(2026, 12, 31), date(2027, 1, 4), 1),  # New Year's Day, across the year
        (date(2025, 11, 3), date(2026, 11, 2), 252),  # 52 weeks: 260 weekdays less 8 bank holidays on weekdays
    ],
)
def test_working_days_between(start, end, expected):
    assert clock.working_days_between(start, end) == expected


def test_working_days_and_bank_holidays():
    assert clock.working_days_between(date(2026, 12, 27), date(2026, 12, 28)) == 0  # Boxing Day (observed)
    assert clock.working_days_between(date(2026, 11, 20), date(2026, 11, 21)) == 0  # a Saturday
    assert clock.working_days_between(date(2026, 11, 22), date(2026, 11, 23)) == 1  # a Monday
    assert date(2026, 12, 28) in clock.bank_holidays(2026)
    assert date(2026, 8, 31) in clock.bank_holidays(2026)
