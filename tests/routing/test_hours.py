"""Working hours: open/closed, next opening, validation (pure functions)."""

from datetime import UTC, datetime

import pytest

from walletdesk.routing.hours import InvalidHours, is_open, next_opening, validate_hours

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
