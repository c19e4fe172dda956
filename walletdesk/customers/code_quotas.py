"""How many one-time codes were mailed lately for a customer and to an address, counted so
that several server processes cannot pass a limit together (walletdesk.customers.email_code).

Each customer and each address has one ``email_code_quotas`` row: the ids of the codes mailed
for it within the window. Before a code is mailed, ``hold`` takes the row with one
``INSERT … ON CONFLICT DO UPDATE … RETURNING``: made if new, and locked until the transaction
ends (PostgreSQL: a second request for the same customer or address waits for the first to
commit, then reads the code it added; SQLite: one writing transaction at a time anyway). Of
its ids, those of codes still within the window count (``email_codes.created_at``). ``add``
records the new code in the rows held. A check reads the limit's few codes, by id: never the
codes of other addresses, and no address — an address's row is found by the keyed hash of the
normalised address (walletdesk.crypto, as the customers' e-mail lookups).

Rows untouched for a window count nothing: the daily ``privacy.retention`` job removes them
(``prune``). Erasing a customer takes their codes out of the address rows (``forget``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import EmailCode, EmailCodeQuota
from walletdesk.db.base import utcnow

ADDRESS = "address"
CUSTOMER = "customer"


@dataclass(frozen=True)
class Held:
    """A quota row locked by this transaction, and the codes it counts now."""

    scope: str
    key: str
    code_ids: list[int]


def address_key(address: str) -> str:
    return keyed_hash(address) or ""  # trimmed and lower-cased before hashing


async def hold(session: AsyncSession, scope: str, key: str, since: datetime) -> Held:
    """Lock the row of ``key`` (made if new) for the rest of the transaction; the codes it
    has counted that were mailed at or after ``since``."""
    now = utcnow()
    insert: Any = postgresql_insert if session.bind.dialect.name == "postgresql" \
        else sqlite_insert
    ids = await session.scalar(
        insert(EmailCodeQuota).values(scope=scope, key=key, code_ids=[], updated_at=now)
        .on_conflict_do_update(index_elements=["scope", "key"], set_={"updated_at": now})
        .returning(EmailCodeQuota.code_ids))
    recent = (await session.scalars(select(EmailCode.id).where(
        EmailCode.id.in_(ids), EmailCode.created_at >= since).order_by(EmailCode.id))).all() \
        if ids else []
    return Held(scope, key, list(recent))


async def add(session: AsyncSession, held: Sequence[Held], code_id: int) -> None:
    """Count a code just made in each row held (the older ones out of the window dropped)."""
    for quota in held:
        await session.execute(update(EmailCodeQuota).where(
            EmailCodeQuota.scope == quota.scope, EmailCodeQuota.key == quota.key)
            .values(code_ids=[*quota.code_ids, code_id]))


async def prune(session: AsyncSession, before: datetime) -> int:
    """Remove the rows nobody has looked at since ``before`` (a window ago: every code they
    count is older); how many."""
    result = await session.execute(delete(EmailCodeQuota).where(
        EmailCodeQuota.updated_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def forget(session: AsyncSession, codes: Sequence[EmailCode]) -> None:
    """An erased customer's codes (their addresses still readable) leave the address rows; a
    row left with no code goes, its keyed hash with it. Other customers' codes to the same
    address still count."""
    ids_by_key: dict[str, set[int]] = {}
    for code in codes:
        ids_by_key.setdefault(address_key(code.email), set()).add(code.id)
    for key, ids in sorted(ids_by_key.items()):
        row = await session.scalar(select(EmailCodeQuota).where(
            EmailCodeQuota.scope == ADDRESS, EmailCodeQuota.key == key).with_for_update())
        if row is None:
            continue
        kept = [code_id for code_id in row.code_ids if code_id not in ids]
        if kept:
            row.code_ids = kept
        else:
            await session.delete(row)
