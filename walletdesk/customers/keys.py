"""Re-encrypting personal data with the primary key (``walletdesk keys rotate``).

Every personal field (customers, their channel ids, the names on messages) that is not yet
encrypted with the primary key — written with an older key, or before encryption existed —
is encrypted again, and its keyed hash recomputed (so a changed hash key is applied too).
Work goes in batches, each its own transaction, so a large table is rotated without one
long lock; running it again does nothing new.
"""

from dataclasses import dataclass

from sqlalchemy import column, select, table, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from walletdesk.audit.actions import record_audit
from walletdesk.crypto import PREFIX, keyring
from walletdesk.customers.models import CUSTOMER_HASHES, Customer, CustomerIdentity
from walletdesk.services import Services

BATCH = 500


@dataclass
class Rotated:
    customers: int = 0
    identities: int = 0
    messages: int = 0  # senders' names
    device_addresses: int = 0  # wallet addresses the widget reported (customer_context)


async def _rotate_unhashed(services: Services, table_name: str = "messages",
                           column_name: str = "sender_name") -> int:
    """Fields without a hash (names on messages, reported wallet addresses): only values not
    under the primary key are read."""
    ring = keyring()
    rows_of = table(table_name, column("id"), column(column_name))  # no decrypting type
    stored_column = rows_of.c[column_name]
    current = f"{PREFIX}:{ring.primary}:%"
    done = 0
    while True:
        async with services.transaction() as session:
            rows = (await session.execute(
                select(rows_of.c.id, stored_column)
                .where(stored_column.is_not(None), stored_column != "",
                       stored_column.not_like(current))
                .order_by(rows_of.c.id).limit(BATCH))).all()
            for row_id, stored in rows:
                await session.execute(update(rows_of).where(rows_of.c.id == row_id)
                                      .values({column_name: ring.encrypt(ring.decrypt(stored))}))
        done += len(rows)
        if len(rows) < BATCH:
            return done


def _stale(row: object, fields: tuple[str, ...], raw: dict[str, str | None],
           hashes: dict[str, str]) -> bool:
    ring = keyring()
    for field in fields:
        if not ring.is_current(raw.get(field)):
            return True
        value = getattr(row, field)
        if field in hashes and (ring.hash(value) if value else None) != getattr(row, hashes[field]):
            return True
    return False


async def rotate_keys(services: Services) -> Rotated:
    done = Rotated()
    for model, fields, hashes in (
            (Customer, (*CUSTOMER_HASHES, "note"), CUSTOMER_HASHES),  # the note: no hash
            (CustomerIdentity, ("external_id",), {"external_id": "external_hash"})):
        last_id = 0
        while True:
            async with services.transaction() as session:
                rows = (await session.scalars(select(model).where(model.id > last_id)
                                              .order_by(model.id).limit(BATCH))).all()
                if not rows:
                    break
                stored = await _stored_values(session, model.__tablename__, fields,
                                              [row.id for row in rows])
                for row in rows:
                    if not _stale(row, fields, stored.get(row.id, {}), hashes):
                        continue
                    for field in fields:
                        value = getattr(row, field)
                        empty = None if model is Customer else ""
                        if field in hashes:
                            setattr(row, hashes[field], keyring().hash(value) if value else empty)
                        flag_modified(row, field)  # written again: with the primary key
                    if model is Customer:
                        done.customers += 1
                    else:
                        done.identities += 1
                last_id = rows[-1].id
    done.messages = await _rotate_unhashed(services)
    done.device_addresses = await _rotate_unhashed(services, "conversation_device_contexts",
                                                   "wallet_addresses")
    if not (done.customers or done.identities or done.messages or done.device_addresses):
        return done
    async with services.transaction() as session:
        record_audit(session, actor_agent_id=None, action="keys.rotate",
                     detail={"customers": done.customers, "identities": done.identities,
                             "messages": done.messages,
                             "device_addresses": done.device_addresses,
                             "primary_key": keyring().primary})
    return done


async def _stored_values(session: AsyncSession, table_name: str, fields: tuple[str, ...],
                         ids: list[int]) -> dict[int, dict[str, str | None]]:
    """The text as stored (encrypted, or plain from before), bypassing decryption."""
    plain = table(table_name, column("id"), *[column(f) for f in fields])  # no decrypting type
    result = await session.execute(
        select(plain.c.id, *[plain.c[f] for f in fields]).where(plain.c.id.in_(ids)))
    return {row[0]: dict(zip(fields, row[1:], strict=True)) for row in result.all()}
