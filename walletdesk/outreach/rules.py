"""The rules every proactive send obeys, as pure functions: quiet hours in the customer's
own time zone (the send waits for their morning), the text in the customer's language, and
the signed one-click opt-out link."""

import hashlib
import hmac
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from walletdesk.config import Settings
from walletdesk.i18n import customer_language, kb_locale
from walletdesk.routing.hours import parse_clock

STOP_PURPOSE = "outreach-stop"
STOP_MAC_CHARS = 24


def zone(settings: Settings, timezone: str | None) -> ZoneInfo:
    """The customer's zone, else the desk's default for outreach."""
    for name in (timezone, settings.outreach_default_timezone):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def valid_timezone(name: str) -> str:
    """An IANA time zone name as given; ValueError if it is not one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not a time zone (e.g. Asia/Shanghai)") from exc
    return name


def in_quiet_hours(settings: Settings, moment: datetime, tz: ZoneInfo) -> bool:
    start = time(*parse_clock(settings.outreach_quiet_start))
    end = time(*parse_clock(settings.outreach_quiet_end))
    clock = moment.astimezone(tz).time()
    if start == end:
        return False
    return (start <= clock or clock < end) if start > end else (start <= clock < end)


def after_quiet_hours(settings: Settings, moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment``, or the end of the quiet hours it falls in (the customer's morning)."""
    if not in_quiet_hours(settings, moment, tz):
        return moment
    local = moment.astimezone(tz)
    end = time(*parse_clock(settings.outreach_quiet_end))
    candidate = datetime.combine(local.date(), end, tz)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), end, tz)
    return candidate.astimezone(moment.tzinfo)


def clean_texts(texts: dict[str, str]) -> dict[str, str]:
    """Per-locale texts keyed by canonical tags (zh-hans → zh-Hans); empty ones dropped."""
    cleaned: dict[str, str] = {}
    for tag, value in texts.items():
        if isinstance(value, str) and value.strip():
            cleaned[kb_locale(str(tag))] = value.strip()
    return cleaned


def pick_locale(texts: dict[str, str], language: str | None, default: str) -> str | None:
    """The locale of ``texts`` for a customer: theirs, the same language in another script
    or region, the desk's default, else the first one written."""
    if not texts:
        return None
    wanted = customer_language(language, default) if language else default
    if wanted in texts:
        return wanted
    base = wanted.split("-")[0]
    for tag in texts:
        if tag.split("-")[0] == base:
            return tag
    if default in texts:
        return default
    return next(iter(texts))


def _stop_mac(settings: Settings, customer_id: int) -> str:
    return hmac.new(settings.secret_key.encode(), f"{STOP_PURPOSE}:{customer_id}".encode(),
                    hashlib.sha256).hexdigest()[:STOP_MAC_CHARS]


def stop_token(settings: Settings, customer_id: int) -> str:
    """o<customer id>-<MAC>: the customer's own opt-out link, valid for good."""
    return f"o{customer_id}-{_stop_mac(settings, customer_id)}"


def customer_from_stop_token(settings: Settings, token: str) -> int | None:
    found = re.fullmatch(rf"o(\d{{1,12}})-([0-9a-f]{{{STOP_MAC_CHARS}}})", token)
    if found is None:
        return None
    customer_id = int(found.group(1))
    return customer_id if hmac.compare_digest(found.group(2), _stop_mac(
        settings, customer_id)) else None


def stop_url(settings: Settings, customer_id: int) -> str:
    return f"{settings.public_url.rstrip('/')}/outreach/stop/{stop_token(settings, customer_id)}"
