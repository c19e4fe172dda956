"""Re-encrypting personal data with the primary key (``walletdesk keys rotate``).

Every encrypted column (``ENCRYPTED``: customers, their channel ids, the names on messages,
reported wallet addresses, the addresses one-time codes went to, agents' two-factor secrets)
that is not yet encrypted with the primary key — written with an older key, or before
encryption existed — is encrypted again, and its keyed hash recomputed (so a changed hash key
is applied too). Before anything is written, every key the stored values name must be
configured and open them (check_keys): a missing or wrong key stops the run with nothing
changed. The keyed hashes already stored must be the configured hash key's too
(check_hash_key), unless the hash key changes on purpose (``new_hash_key``): a shell without
the desk's WALLETDESK_HASH_KEY would otherwise recompute every hash with another key, and the
desk would no longer find a customer by channel id, phone, e-mail or verified user id. Work
goes in batches, each its own transaction, so a large table is rotated without one long lock;
a row changed meanwhile by the desk is left as the desk wrote it; running it again does
nothing new.

Changing the hash key needs the desk stopped: lookups compare one hash, so a desk still on the
old key does not find the customers already recomputed (a returning customer becomes a new
one, whose channel id then collides with the old one's when that is recomputed), and a desk
started on the new key does not find those not yet recomputed. So with ``new_hash_key`` the
rotation refuses while a worker of the desk is seen running (check_desk_stopped: a job
finished within ``DESK_QUIET`` or leased now; the embedded worker of ``serve`` runs the
reports' job every minute). The operating rule (docs/operate.md, "Changing the hash key"):
stop every server and worker, rotate, start them with the new key.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, column, func, or_, select, table, update

from walletdesk.audit.actions import record_audit
from walletdesk.crypto import PREFIX, KeyError_, Keyring, keyring
from walletdesk.customers.models import CUSTOMER_HASHES
from walletdesk.db.base import utcnow
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.services import Services

BATCH = 500
HASH_SAMPLE = 50  # rows per table whose stored keyed hashes are recomputed before writing
# a running desk's worker finishes a job at least this often (the reports' rollup: every
# minute, walletdesk.reports.rollups); a desk stopped less than this ago looks running
DESK_QUIET = timedelta(minutes=2)


class HashKeyMismatch(KeyError_):
    """The stored keyed hashes were made with another hash key than the configured one."""


class DeskRunning(KeyError_):
    """The hash key would change while the desk runs (a worker of it was seen lately)."""


@dataclass(frozen=True)
class EncryptedColumns:
    """One table's encrypted columns, and for those that lookups compare by keyed hash the
    column holding it (recomputed with the value; ``empty_hash`` for an empty value)."""

    table: str
    counted_as: str  # the field of Rotated that counts the table's rows re-encrypted
    columns: tuple[str, ...]
    hashes: Mapping[str, str] = field(default_factory=dict)
    empty_hash: str | None = None


# every EncryptedText column of the schema: tests/customers/test_keys_coverage.py fails when
# a new one is missing here (it would stay under the old key, unreadable once that is removed)
ENCRYPTED: tuple[EncryptedColumns, ...] = (
    EncryptedColumns("customers", "customers", (*CUSTOMER_HASHES, "note"), CUSTOMER_HASHES),
    EncryptedColumns("customer_identities", "identities", ("external_id",),
                     {"external_id": "external_hash"}, empty_hash=""),
    EncryptedColumns("messages", "messages", ("sender_name",)),
    EncryptedColumns("conversation_device_contexts", "device_addresses", ("wallet_addresses",)),
    EncryptedColumns("email_codes", "email_codes", ("email",)),
    EncryptedColumns("agents", "two_factor_secrets", ("totp_secret",)),
)


@dataclass
class Rotated:
    customers: int = 0
    identities: int = 0
    messages: int = 0  # senders' names
    device_addresses: int = 0  # wallet addresses the widget reported (customer_context)
    email_codes: int = 0  # the addresses one-time codes were mailed to
    two_factor_secrets: int = 0  # agents' TOTP secrets

    @property
    def total(self) -> int:
        return sum(asdict(self).values())


async def rotate_keys(services: Services, new_hash_key: bool = False) -> Rotated:
    """``new_hash_key``: WALLETDESK_HASH_KEY is being changed on purpose, so stored hashes
    made with another key are no reason to stop, but a running desk is (check_desk_stopped)."""
    await check_keys(services)
    if new_hash_key:
        await check_desk_stopped(services)
    else:
        await check_hash_key(services)
    done = Rotated()
    for spec in ENCRYPTED:
        setattr(done, spec.counted_as, getattr(done, spec.counted_as)
                + await _rotate_table(services, spec))
    if not done.total:
        return done
    async with services.transaction() as session:
        record_audit(session, actor_agent_id=None, action="keys.rotate",
                     detail={**asdict(done), "primary_key": keyring().primary,
                             "new_hash_key": new_hash_key})
    return done


async def check_keys(services: Services) -> None:
    """Raise KeyError_ when a stored value names a key that is not configured, or a
    configured key does not open a value naming it (a sample per column and key: wrong key
    material, or keys derived from another secret key)."""
    ring = keyring()
    async with services.read() as session:
        for spec in ENCRYPTED:
            for name in spec.columns:
                stored = column(name)
                of = select(stored).select_from(table(spec.table, stored)).limit(1)
                unknown = await session.scalar(of.where(
                    stored.like(f"{PREFIX}:%"),
                    *[stored.not_like(f"{PREFIX}:{key_id}:%") for key_id in ring.keys]))
                if unknown is not None:
                    key_id = unknown.split(":", 2)[1]
                    raise KeyError_(f"{spec.table}.{name} holds values encrypted with key "
                                    f"{key_id!r}, which is not in WALLETDESK_ENCRYPTION_KEYS: "
                                    "keep it there (after the new primary key) until the "
                                    "rotation is done; nothing was changed")
                for key_id in ring.keys:
                    sample = await session.scalar(of.where(stored.like(f"{PREFIX}:{key_id}:%")))
                    try:
                        if sample is not None:
                            ring.decrypt(sample)
                    except KeyError_ as exc:
                        raise KeyError_(f"{spec.table}.{name}: {exc}; nothing was changed"
                                        ) from None


async def check_hash_key(services: Services) -> None:
    """Raise HashKeyMismatch when keyed hashes are stored and none of a sample (the first
    HASH_SAMPLE rows per table that have one) recomputes to its stored value with the
    configured hash key. Some matching is allowed: an earlier change of hash key that stopped
    part way, resumed (rows are redone in id order, so the first ones match)."""
    ring = keyring()
    matched = sampled = 0
    async with services.read() as session:
        for spec in ENCRYPTED:
            if not spec.hashes:
                continue
            rows_of = table(spec.table, column("id"), *[column(name) for name in spec.hashes],
                            *[column(hashed) for hashed in spec.hashes.values()])
            # only hashes the desk made: of encrypted values (a plain one is from before
            # encryption, and its identity's hash a placeholder, 'legacy-<id>')
            made = [and_(rows_of.c[name].like(f"{PREFIX}:%"), rows_of.c[hashed].is_not(None),
                         rows_of.c[hashed] != "") for name, hashed in spec.hashes.items()]
            rows = (await session.execute(select(rows_of).where(or_(*made))
                                          .order_by(rows_of.c.id).limit(HASH_SAMPLE))
                    ).mappings().all()
            for row in rows:
                for name, hashed in spec.hashes.items():
                    if not row[hashed] or not (row[name] or "").startswith(f"{PREFIX}:"):
                        continue
                    sampled += 1
                    matched += row[hashed] == _hash(ring, spec, ring.decrypt(row[name]))
    if sampled and not matched:
        raise HashKeyMismatch(
            f"the stored keyed hashes were not made with this WALLETDESK_HASH_KEY (none of "
            f"{sampled} sampled recomputes to its stored value): run with the desk's own hash "
            "key, or with `walletdesk keys rotate --new-hash-key` if you are changing it on "
            "purpose; nothing was changed")


async def check_desk_stopped(services: Services) -> None:
    """Raise DeskRunning when a worker of the desk finished a job within DESK_QUIET or holds
    one now: changing the hash key under a running desk duplicates returning customers."""
    now = utcnow()
    async with services.read() as session:
        last_done = await session.scalar(select(func.max(Job.done_at)))
        leased = await session.scalar(select(func.count()).select_from(Job).where(
            Job.status == JobStatus.running, Job.lease_until > now))
    if not leased and (last_done is None or last_done <= now - DESK_QUIET):
        return
    seen = "a worker holds a job now" if leased else \
        f"a worker finished a job {max(int((now - last_done).total_seconds()), 0)} s ago"
    raise DeskRunning(
        f"the desk seems to be running ({seen}): stop every `walletdesk serve` and `walletdesk "
        "worker` before changing WALLETDESK_HASH_KEY, run this again, then start them with the "
        "new key. A desk on the old key would take returning customers for new ones while "
        f"their hashes are recomputed. A desk stopped less than "
        f"{int(DESK_QUIET.total_seconds() // 60)} minutes ago looks running until then. "
        "Nothing was changed")


async def _rotate_table(services: Services, spec: EncryptedColumns) -> int:
    ring = keyring()
    rows_of = table(spec.table, column("id"), *[column(name) for name in spec.columns],
                    *[column(name) for name in spec.hashes.values()])  # no decrypting type
    query = select(rows_of).order_by(rows_of.c.id).limit(BATCH)
    if not spec.hashes:  # nothing to recompute: only values not under the primary key
        current = f"{PREFIX}:{ring.primary}:%"
        query = query.where(or_(*[and_(rows_of.c[name].is_not(None), rows_of.c[name] != "",
                                       rows_of.c[name].not_like(current))
                                  for name in spec.columns]))
    done, last_id = 0, 0
    while True:
        async with services.transaction() as session:
            rows = (await session.execute(query.where(rows_of.c.id > last_id))).mappings().all()
            for row in rows:
                changes = _rewritten(ring, spec, row)
                if not changes:
                    continue
                # only if the desk did not write the row since it was read (then it is under
                # the primary key already, or will be at the next run)
                unchanged: list[ColumnElement[bool]] = [
                    rows_of.c[name].is_(None) if row[name] is None else rows_of.c[name] == row[name]
                    for name in spec.columns]
                result = await session.execute(
                    update(rows_of).where(rows_of.c.id == row["id"], *unchanged).values(changes))
                done += result.rowcount  # type: ignore[attr-defined]
        if len(rows) < BATCH:
            return done
        last_id = rows[-1]["id"]


def _is_current(ring: Keyring, stored: str | None) -> bool:
    return not stored or ring.is_current(stored)  # nothing personal in an empty value


def _hash(ring: Keyring, spec: EncryptedColumns, value: str | None) -> str | None:
    return ring.hash(value) if value else spec.empty_hash


def _rewritten(ring: Keyring, spec: EncryptedColumns, row: Mapping[str, Any]
               ) -> dict[str, str | None]:
    """The row's values encrypted with the primary key and their hashes recomputed, or
    nothing when it has them already."""
    plain = {name: None if row[name] is None else ring.decrypt(row[name])
             for name in spec.columns}
    if all(_is_current(ring, row[name]) for name in spec.columns) and all(
            row[hashed] == _hash(ring, spec, plain[name])
            for name, hashed in spec.hashes.items()):
        return {}
    changes = {name: None if value is None else ring.encrypt(value)
               for name, value in plain.items()}
    changes.update({hashed: _hash(ring, spec, plain[name])
                    for name, hashed in spec.hashes.items()})
    return changes
