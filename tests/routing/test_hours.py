"""Working hours: open/closed, next opening, validation (pure functions)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from walletdesk.routing.hours import (
    InvalidHours,
    add_business_seconds,
    business_seconds_between,
    is_open,
    next_opening,
    validate_hours,
)

WEEKDAYS = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_open_inside_hours_in_the_team_time_zone():
    # 2026-11-23 is a Monday; 02:00 UTC is 10:00 in Shanghai
    assert is_open(WEEKDAYS, [], "Asia/Shanghai", at("2026-11-23T02:00:00+00:00"))
    assert not is_open(WEEKDAYS, [], "Asia/Shanghai", at("2026-11-23T11:00:00+00:00"))
    assert not is_open(WEEKDAYS, [], "UTC", at("2026-11-28T10:00:00+00:00"))  # Saturday


def test_holiday_is_closed_and_next_opening_skips_it():
    monday_10 = at("2026-11-23T10:00:00+00:00")
    assert not is_open(WEEKDAYS, ["2026-11-23"], "UTC", monday_10)
    assert next_opening(WEEKDAYS, ["2026-11-23"], "UTC", monday_10) == at(
        "2026-11-24T09:00:00+00:00")


def test_next_opening_after_friday_evening_is_monday_morning():
    friday_evening = at("2026-11-27T19:00:00+00:00")
    assert next_opening(WEEKDAYS, [], "Europe/Madrid", friday_evening) == at(
        "2026-11-30T09:00:00+01:00")


def test_midnight_end_and_never_open():
    always = {"sun": [["00:00", "24:00"]]}
    assert is_open(always, [], "UTC", at("2026-11-29T23:59:00+00:00"))
    assert next_opening({}, [], "UTC", at("2026-11-29T10:00:00+00:00")) is None


@pytest.mark.parametrize("hours, holidays, tz, message", [
    ({"mon": [["18:00", "09:00"]]}, [], "UTC", "not before"),
    ({"monday": [["09:00", "18:00"]]}, [], "UTC", "unknown day"),
    ({"mon": [["9am", "18:00"]]}, [], "UTC", "bad time"),
    ({"mon": [["09:00", "25:00"]]}, [], "UTC", "bad time"),
    ({}, ["2026-13-01"], "UTC", "bad holiday"),
    ({}, [], "Mars/Olympus", "unknown time zone"),
])
def test_invalid_configuration_is_refused_clearly(hours, holidays, tz, message):
    with pytest.raises(InvalidHours, match=message):
        validate_hours(hours, holidays, tz)


OFFICE = {day: [["09:00", "12:00"], ["13:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def test_business_time_skips_nights_lunch_weekends_and_holidays():
    friday_5pm = datetime(2026, 11, 27, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    # 4 working hours from Friday 17:00: 1 h on Friday, then Monday 09:00-12:00 → 12:00 Monday
    due = add_business_seconds(OFFICE, [], "Asia/Shanghai", friday_5pm, 4 * 3600)
    assert due == datetime(2026, 11, 30, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    # Monday is a holiday: Tuesday instead; one more hour crosses lunch
    due = add_business_seconds(OFFICE, ["2026-11-30"], "Asia/Shanghai", friday_5pm, 5 * 3600)
    assert due == datetime(2026, 12, 1, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert business_seconds_between(OFFICE, ["2026-11-30"], "Asia/Shanghai", friday_5pm,
                                    due) == 5 * 3600


def test_business_time_counts_a_dst_change_as_it_happens():
    always = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    before = datetime(2026, 3, 8, 0, 0, tzinfo=ZoneInfo("America/New_York"))  # 2 a.m. jumps to 3
    due = add_business_seconds(always, [], "America/New_York", before, 4 * 3600)
    assert due - before == timedelta(hours=4)
    assert due.astimezone(ZoneInfo("America/New_York")).hour == 5


def test_a_team_that_never_opens_still_gets_a_deadline():
    start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert add_business_seconds({}, [], "UTC", start, 60) == start + timedelta(seconds=60)


@given(start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1),
                          timezones=st.just(UTC)),
       seconds=st.integers(min_value=0, max_value=30 * 24 * 3600))
@settings(max_examples=150, deadline=None)
def test_adding_then_measuring_business_time_gives_it_back(start: datetime, seconds: int) -> None:
    due = add_business_seconds(OFFICE, ["2026-01-01"], "Europe/Madrid", start, seconds)
    assert due >= start
    assert business_seconds_between(OFFICE, ["2026-01-01"], "Europe/Madrid", start,
                                    due) == seconds
