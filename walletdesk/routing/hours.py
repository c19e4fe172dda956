"""Working hours: is a team open now, and when does it open next.

Hours are weekly intervals in the team's time zone, e.g. ``{"mon": [["09:00", "18:00"]]}``,
plus holidays (team-local ISO dates) when the team is closed all day. "24:00" ends a day.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from walletdesk.i18n import N_, Phrase

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# the days as a refusal names them (translated with it: walletdesk.i18n.Phrase)
DAY_NAMES = dict(zip(DAYS, (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"),
                            N_("Friday"), N_("Saturday"), N_("Sunday")), strict=True))


def day_name(day: str) -> Phrase:
    """A day key ("mon") as its name, to be a value of a refusal's message."""
    return Phrase(DAY_NAMES[day])


class InvalidHours(ValueError):
    """Hours that cannot be used: ``phrase`` says why (an English msgid with its values, for
    the reader's language); the exception's text is the English."""

    def __init__(self, message: str, /, **values: object) -> None:
        self.phrase = Phrase(message, **values)
        super().__init__(str(self.phrase))


def parse_clock(value: str) -> tuple[int, int]:
    try:
        hours, minutes = (int(part) for part in value.split(":"))
    except (ValueError, AttributeError) as exc:
        raise InvalidHours(N_("bad time {value}; use HH:MM"), value=repr(value)) from exc
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or (hours == 24 and minutes):
        raise InvalidHours(N_("bad time {value}; use HH:MM between 00:00 and 24:00"),
                           value=repr(value))
    return hours, minutes


def validate_hours(weekly_hours: dict[str, Any], holidays: list[str], timezone: str) -> None:
    """Raise InvalidHours with a clear message if the configuration cannot be used."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidHours(N_("unknown time zone {timezone}"), timezone=repr(timezone)) from exc
    for day, intervals in weekly_hours.items():
        if day not in DAYS:
            raise InvalidHours(N_("unknown day {day}; use one of {days}"), day=repr(day),
                               days=", ".join(DAYS))
        for interval in intervals:
            if len(interval) != 2:
                raise InvalidHours(N_("{day}: each interval is [start, end]"), day=day_name(day))
            if parse_clock(interval[0]) >= parse_clock(interval[1]):
                raise InvalidHours(N_("{day}: {starts} is not before {ends}"), day=day_name(day),
                                   starts=interval[0], ends=interval[1])
    for holiday in holidays:
        try:
            date.fromisoformat(holiday)
        except ValueError as exc:
            raise InvalidHours(N_("bad holiday date {holiday}; use YYYY-MM-DD"),
                               holiday=repr(holiday)) from exc


def _intervals_on(day: date, weekly_hours: dict[str, Any], holidays: set[str], tz: ZoneInfo
                  ) -> list[tuple[datetime, datetime]]:
    if day.isoformat() in holidays:
        return []
    result = []
    for start, end in weekly_hours.get(DAYS[day.weekday()], []):
        sh, sm = parse_clock(start)
        eh, em = parse_clock(end)
        opens = datetime.combine(day, time(sh, sm), tz)
        closes = (datetime.combine(day + timedelta(days=1), time(0, 0), tz) if eh == 24
                  else datetime.combine(day, time(eh, em), tz))
        result.append((opens, closes))
    return result


def is_open(weekly_hours: dict[str, Any], holidays: list[str], timezone: str,
            now: datetime) -> bool:
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    return any(
        opens <= local < closes
        for opens, closes in _intervals_on(local.date(), weekly_hours, set(holidays), tz)
    )


def next_opening(weekly_hours: dict[str, Any], holidays: list[str], timezone: str,
                 now: datetime) -> datetime | None:
    """The next moment the team opens (UTC), or None if it never opens in the next 60 days."""
    tz = ZoneInfo(timezone)
    local = now.astimezone(tz)
    holiday_set = set(holidays)
    for offset in range(0, 60):
        day = local.date() + timedelta(days=offset)
        for opens, closes in sorted(_intervals_on(day, weekly_hours, holiday_set, tz)):
            if opens <= local < closes:
                return now.astimezone(UTC)
            if opens > local:
                return opens.astimezone(UTC)
    return None


def _open_intervals_from(weekly_hours: dict[str, Any], holidays: list[str], timezone: str,
                         start: datetime, days: int) -> list[tuple[datetime, datetime]]:
    tz = ZoneInfo(timezone)
    local = start.astimezone(tz)
    holiday_set = set(holidays)
    spans = []
    for offset in range(days):
        for opens, closes in sorted(_intervals_on(local.date() + timedelta(days=offset),
                                                  weekly_hours, holiday_set, tz)):
            if closes > local:  # in UTC, so that a DST change is counted as it happens
                spans.append((max(opens, local).astimezone(UTC), closes.astimezone(UTC)))
    return spans


def add_business_seconds(weekly_hours: dict[str, Any], holidays: list[str], timezone: str,
                         start: datetime, seconds: float) -> datetime:
    """The moment ``seconds`` of working time after ``start`` (UTC). A team that never opens
    in the next year counts calendar time, so a deadline always exists."""
    remaining = timedelta(seconds=seconds)
    for opens, closes in _open_intervals_from(weekly_hours, holidays, timezone, start, 366):
        if remaining <= closes - opens:
            return opens + remaining
        remaining -= closes - opens
    return (start + timedelta(seconds=seconds)).astimezone(UTC)


def business_seconds_between(weekly_hours: dict[str, Any], holidays: list[str], timezone: str,
                             start: datetime, end: datetime) -> float:
    """Working time between two moments, in seconds (0 if ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    days = (end - start).days + 2
    total = timedelta()
    for opens, closes in _open_intervals_from(weekly_hours, holidays, timezone, start, days):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total.total_seconds()
