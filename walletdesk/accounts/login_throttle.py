"""Failed sign-ins counted so that guessing stays slow and nobody can lock an agent out
(docs/decisions/0058-sign-in-limits-per-address-not-per-account.md).

- **The pair** (the e-mail typed, the source address): after ``login_max_failures`` failed
  passwords or codes, that e-mail is refused from that address for ``login_lockout_s``. From
  another address the right password still works.
- **The address**, whatever the e-mails: ``login_ip_max_attempts_per_min`` per process (the
  web layer's RateLimiter).
- **The account**, every address together: after ``SLOW_AFTER_LOCKS`` pairs' worth of
  failures without a quiet ``login_lockout_s``, attempts from places the account has not
  signed in from within ``TRUSTED_FOR`` are let through one at a time, a growing interval
  apart (1 s, doubling every ``login_max_failures`` failures, at most ``MAX_INTERVAL``); the
  others are answered "wait" unchecked. A distributed guess gets about one try a minute; the
  owner, from a place they signed in from lately, is not slowed at all.
- **The device**: an attempt carrying a valid device cookie of the e-mail's agent
  (walletdesk.accounts.device_trust) is counted against the cookie's nonce instead of the
  address, and skips the account's slow-down: the owner's browser gets in at once from a new
  place too. After ``login_max_failures`` failures the device is not trusted for
  ``login_lockout_s`` (its attempts are counted as any without a cookie), as a stolen cookie
  must not buy more guesses than the slow-down allows.

Everything is keyed by the e-mail as typed, whether an agent has it or not, so the answers
(and their cost) are the same for an unknown e-mail as for a known one, and by keyed hashes
(walletdesk.crypto): the table holds neither e-mails nor addresses. An IPv6 source counts by
its /64, the block one subscriber gets. Each attempt is reserved before it is checked, in one
conditional upsert, so parallel guesses cannot pass a limit together; a right password gives
its attempt back.
"""

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.accounts.models import LoginThrottle
from walletdesk.audit.actions import record_audit
from walletdesk.config import Settings
from walletdesk.crypto import keyed_hash
from walletdesk.db.base import UTCDateTime, utcnow
from walletdesk.services import Services

ACCOUNT = "*"  # the source key of an account's row (every address)
LOCKED = "locked"  # refused: too many failures for this e-mail from this address
SLOW = "slow"  # refused: the account is under a distributed guess; this place waits
SLOW_AFTER_LOCKS = 4  # the account slows new places after 4 pairs' worth of failures
MAX_INTERVAL = timedelta(seconds=60)
TRUSTED_FOR = timedelta(days=30)
UNKNOWN_SOURCE = "unknown"


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt reserved (``refused`` None; ``count``: the pair's failures with this
    one) or refused before any check (``LOCKED`` / ``SLOW``)."""

    account_key: str
    source_key: str
    count: int = 0
    refused: str | None = None
    # counted against a trusted device (``source_key`` is its key): the address it came from,
    # trusted for the account once signed in
    address_key: str | None = None


def source_network(address: str) -> str:
    """The address an attempt is counted for: IPv4 as is, IPv6 by its /64."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or UNKNOWN_SOURCE
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def attempt_keys(email: str, source: str) -> tuple[str, str]:
    """The keyed hashes of the e-mail (trimmed, any case) and of the source's network; each
    with its own prefix, so neither equals a customer's e-mail hash."""
    return (keyed_hash(f"sign-in:{email.strip().lower()}") or "",
            keyed_hash(f"sign-in-from:{source_network(source)}") or "")


def device_key(nonce: str) -> str:
    """The keyed hash a device cookie's attempts are counted under."""
    return keyed_hash(f"sign-in-device:{nonce}") or ""


def slow_after(settings: Settings) -> int:
    return SLOW_AFTER_LOCKS * settings.login_max_failures


def _window(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.login_lockout_s)


def _interval(failures: int, settings: Settings) -> timedelta:
    doublings = max(0, failures - slow_after(settings)) // max(1, settings.login_max_failures)
    return min(MAX_INTERVAL, timedelta(seconds=2 ** min(doublings, 16)))


def _insert(session: AsyncSession) -> Any:
    return postgresql_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


def _reserve_statement(session: AsyncSession, keys: tuple[str, str], settings: Settings,
                       now: datetime) -> Any:
    """Count one more attempt of the pair unless it is locked; the attempt reaching the limit
    sets the lock. Returns the count, or no row when locked."""
    limit = settings.login_max_failures
    lock_until = now + timedelta(seconds=settings.login_lockout_s)
    table = LoginThrottle
    stale = or_(table.locked_until <= now, table.last_failure_at.is_(None),
                table.last_failure_at < now - _window(settings))
    count = case((stale, 1), else_=table.failures + 1)
    return (
        _insert(session)(table)
        .values(account_key=keys[0], source_key=keys[1], failures=1, last_failure_at=now,
                locked_until=lock_until if limit <= 1 else None)
        .on_conflict_do_update(
            index_elements=["account_key", "source_key"],
            set_={"failures": count, "last_failure_at": now,
                  "locked_until": case((count >= limit, literal(lock_until, UTCDateTime())),
                                       else_=None)},
            where=and_(or_(table.locked_until.is_(None), table.locked_until <= now),
                       or_(stale, table.failures < limit)))
        .returning(table.failures)
    )


async def begin_attempt(services: Services, email: str, source: str,
                        device: str | None = None) -> Attempt:
    """Reserve an attempt for ``email`` from ``source``, or refuse it unchecked. ``device``:
    the nonce of a valid device cookie of the e-mail's agent (checked by the caller); unless
    that device failed too often lately, the attempt is counted against it, not slowed."""
    settings = services.settings
    keys = attempt_keys(email, source)
    device_source = device_key(device) if device else None
    now = utcnow()
    async with services.transaction() as session:
        rows = {row.source_key: row for row in (await session.execute(
            select(LoginThrottle.source_key, LoginThrottle.failures,
                   LoginThrottle.last_failure_at, LoginThrottle.locked_until,
                   LoginThrottle.last_success_at)
            .where(LoginThrottle.account_key == keys[0],
                   LoginThrottle.source_key.in_(
                       (keys[1], ACCOUNT, *((device_source,) if device_source else ())))))).all()}
        if device_source is not None:
            mark = rows.get(device_source)
            if mark is None or mark.locked_until is None or mark.locked_until <= now:
                count = await session.scalar(
                    _reserve_statement(session, (keys[0], device_source), settings, now))
                if count is not None:
                    return Attempt(keys[0], device_source, count=count, address_key=keys[1])
            # a device locked by its failures is not trusted: counted as without the cookie
        pair, account = rows.get(keys[1]), rows.get(ACCOUNT)
        if pair is not None and pair.locked_until is not None and pair.locked_until > now:
            return Attempt(*keys, refused=LOCKED)
        trusted = pair is not None and pair.last_success_at is not None \
            and pair.last_success_at > now - TRUSTED_FOR
        slowed = account is not None and account.failures >= slow_after(settings) \
            and account.last_failure_at is not None \
            and account.last_failure_at > now - _window(settings)
        if slowed and not trusted:
            assert account is not None
            taken = await session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.account_key == keys[0], LoginThrottle.source_key == ACCOUNT,
                       or_(LoginThrottle.next_attempt_at.is_(None),
                           LoginThrottle.next_attempt_at <= now))
                .values(next_attempt_at=now + _interval(account.failures, settings)),
                execution_options={"synchronize_session": False})
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return Attempt(*keys, refused=SLOW)
        count = await session.scalar(_reserve_statement(session, keys, settings, now))
    return Attempt(*keys, count=count) if count is not None else Attempt(*keys, refused=LOCKED)


async def attempt_failed(services: Services, attempt: Attempt, agent_id: int | None,
                         what: str) -> None:
    """A wrong password or code: the account's count goes up too. Audited when the pair
    locks and when the account starts slowing new places (for an e-mail no agent has as
    well, without a target: the same writes, and admins see guesses at unknown e-mails)."""
    settings = services.settings
    now = utcnow()
    table = LoginThrottle
    stale = or_(table.last_failure_at.is_(None), table.last_failure_at < now - _window(settings))
    async with services.transaction() as session:
        total = await session.scalar(
            _insert(session)(table)
            .values(account_key=attempt.account_key, source_key=ACCOUNT, failures=1,
                    last_failure_at=now)
            .on_conflict_do_update(
                index_elements=["account_key", "source_key"],
                set_={"failures": case((stale, 1), else_=table.failures + 1),
                      "last_failure_at": now})
            .returning(table.failures))
        target = {"target_type": "agent", "target_id": agent_id} if agent_id is not None \
            else {"target_type": "sign_in"}
        if attempt.count >= settings.login_max_failures:
            record_audit(session, actor_agent_id=None,
                         action="agent.locked" if agent_id is not None else "sign_in.locked",
                         detail={"after": what, "for": "one device" if attempt.address_key
                                 else "one address"}, **target)
        if total == slow_after(settings):
            record_audit(session, actor_agent_id=None,
                         action="agent.slowed" if agent_id is not None else "sign_in.slowed",
                         detail={"failures": total}, **target)


async def give_attempt_back(services: Services, attempt: Attempt) -> None:
    """The password was right but a second factor follows: that attempt was no failure."""
    limit = services.settings.login_max_failures
    async with services.transaction() as session:
        await session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.account_key == attempt.account_key,
                   LoginThrottle.source_key == attempt.source_key, LoginThrottle.failures > 0)
            .values(failures=LoginThrottle.failures - 1,
                    locked_until=case((LoginThrottle.failures - 1 < limit, None),
                                      else_=LoginThrottle.locked_until)),
            execution_options={"synchronize_session": False})


async def login_succeeded(services: Services, attempt: Attempt, agent_id: int,
                          detail: dict[str, Any] | None = None) -> None:
    """Signed in: the pair's (or the device's) count starts again and the place is trusted
    for a while (the account's count is left: a right password elsewhere says nothing about
    the guessing). Through a trusted device the address's own count is left as it is."""
    now = utcnow()
    async with services.transaction() as session:
        await session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.account_key == attempt.account_key,
                   LoginThrottle.source_key == attempt.source_key)
            .values(failures=0, locked_until=None, last_success_at=now),
            execution_options={"synchronize_session": False})
        if attempt.address_key is not None:
            await session.execute(
                _insert(session)(LoginThrottle)
                .values(account_key=attempt.account_key, source_key=attempt.address_key,
                        failures=0, last_success_at=now)
                .on_conflict_do_update(index_elements=["account_key", "source_key"],
                                       set_={"last_success_at": now}))
            detail = {**(detail or {}), "trusted_device": True}
        record_audit(session, actor_agent_id=agent_id, action="agent.login",
                     target_type="agent", target_id=agent_id, detail=detail)


async def prune_login_throttles(session: AsyncSession, settings: Settings) -> int:
    """Remove the rows that count nothing any more (no lock, no failure within the window,
    no sign-in within ``TRUSTED_FOR``): for a daily job."""
    now = utcnow()
    result = await session.execute(delete(LoginThrottle).where(
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        or_(LoginThrottle.last_failure_at.is_(None),
            LoginThrottle.last_failure_at < now - _window(settings)),
        or_(LoginThrottle.next_attempt_at.is_(None), LoginThrottle.next_attempt_at <= now),
        or_(LoginThrottle.last_success_at.is_(None),
            LoginThrottle.last_success_at < now - TRUSTED_FOR)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
