"""The limits on the one-time codes mailed (CODES_PER_CUSTOMER, CODES_PER_ADDRESS within
CODE_WINDOW) hold when requests come at once: several server processes, or the conversations
of several visitors aimed at one inbox, each counting "4 sent" must not each send a fifth
(found in a security review). The count per address is kept under the address's keyed hash,
never the address, and reads no other address's codes. Both database engines; the bot's real
verification step, real SMTP to a loopback relay."""

import asyncio
from datetime import timedelta

from sqlalchemy import column, func, insert, select, table, update

from tests.customers.test_code_limits import QUESTION, custodial_bot, say  # noqa: F401
from tests.email.conftest import mail_desk  # noqa: F401 - fixture
from walletdesk.conversations.models import Conversation, Status
from walletdesk.crypto import keyed_hash
from walletdesk.customers.email_code import (
    CODE_WINDOW,
    CODES_PER_ADDRESS,
    CODES_PER_CUSTOMER,
    verification_step,
)
from walletdesk.customers.models import Customer, EmailCode, EmailCodeQuota
from walletdesk.customers.privacy import erase_customer
from walletdesk.db.base import utcnow
from walletdesk.jobs.kinds import seed_recurring
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.services import Services

AT_ONCE = CODES_PER_ADDRESS + 3


async def asking_for_email(services: Services, visitors: list[str], *, new: bool = False
                           ) -> list[int]:
    """One conversation per visitor (or several of one visitor: ``new``), each where the bot
    has asked for the account's address."""
    ids = []
    for visitor in visitors:
        conversation, replies = await say(services, QUESTION, visitor, new=new)
        assert conversation.verification_state == "asked_email", replies
        ids.append(conversation.id)
    return ids


async def codes_to(services: Services, address: str | None = None) -> list[EmailCode]:
    async with services.read() as session:
        rows = (await session.scalars(select(EmailCode).order_by(EmailCode.id))).all()
    return [row for row in rows if address is None or row.email == address]


async def refused(services: Services, ids: list[int]) -> int:
    async with services.read() as session:
        return int(await session.scalar(select(func.count(Conversation.id)).where(
            Conversation.id.in_(ids), Conversation.handoff_reason == "verification_failed"))
            or 0)


async def test_requests_at_once_for_one_address_mail_at_most_its_limit(
        services, custodial_bot, mail_desk):  # noqa: F811
    """Visitors of their own, one conversation each, all sending the victim's address at the
    same moment (each conversation is far from its own limit)."""
    ids = await asking_for_email(services, [f"v{i}" for i in range(AT_ONCE)])
    await asyncio.gather(*(verification_step(services, cid, "victim@example.com")
                           for cid in ids))
    assert len(await codes_to(services, "victim@example.com")) == CODES_PER_ADDRESS
    assert await refused(services, ids) == AT_ONCE - CODES_PER_ADDRESS
    await mail_desk.run_jobs()
    assert len(mail_desk.relay.received) == CODES_PER_ADDRESS


async def test_conversations_of_one_customer_at_once_mail_at_most_its_limit(
        services, custodial_bot, mail_desk):  # noqa: F811
    """One visitor with several conversations, each sending another address at once."""
    ids = await asking_for_email(services, ["v"] * (CODES_PER_CUSTOMER + 3), new=True)
    async with services.read() as session:
        assert len(set((await session.scalars(select(Conversation.customer_id).where(
            Conversation.id.in_(ids)))).all())) == 1
    await asyncio.gather(*(verification_step(services, cid, f"box{i}@example.com")
                           for i, cid in enumerate(ids)))
    assert len(await codes_to(services)) == CODES_PER_CUSTOMER
    assert await refused(services, ids) == len(ids) - CODES_PER_CUSTOMER


async def test_one_request_after_another_the_limit_holds_and_is_per_normalised_address(
        services, custodial_bot, mail_desk):  # noqa: F811
    ids = await asking_for_email(services, [f"v{i}" for i in range(CODES_PER_ADDRESS + 2)])
    spellings = ["victim@example.com", "Victim@Example.COM", "  VICTIM@example.com  ",
                 "my email is victim@EXAMPLE.com", "victim@example.com"]
    for cid, text in zip(ids, spellings, strict=False):
        assert await verification_step(services, cid, text)
    assert len(await codes_to(services, "victim@example.com")) == CODES_PER_ADDRESS
    assert await refused(services, ids) == 0
    # one more, spelled another way: refused
    assert await verification_step(services, ids[-2], "VICTIM@example.com")
    assert await refused(services, ids) == 1
    assert len(await codes_to(services)) == CODES_PER_ADDRESS
    # another address shares nothing with it
    assert await verification_step(services, ids[-1], "other@example.com")
    assert len(await codes_to(services, "other@example.com")) == 1
    assert await refused(services, ids) == 1
    # stored under the keyed hash the desk's lookups use (walletdesk.crypto), never in clear
    async with services.read() as session:
        quotas = (await session.scalars(select(EmailCodeQuota).where(
            EmailCodeQuota.scope == "address"))).all()
        stored = repr([(q.scope, q.key, q.code_ids) for q in quotas])
    assert sorted(q.key for q in quotas) == sorted([keyed_hash("victim@example.com"),
                                                    keyed_hash("other@example.com")])
    assert "victim" not in stored and "example" not in stored


async def test_the_check_reads_no_other_addresses_codes(
        services, custodial_bot, mail_desk):  # noqa: F811
    """Many codes to other addresses within the hour (here: stored under a key this desk no
    longer has, so reading one would fail) cost the check nothing."""
    [cid] = await asking_for_email(services, ["v"])
    async with services.read() as session:
        customer_id = await session.scalar(select(Conversation.customer_id).where(
            Conversation.id == cid))
    raw = table("email_codes", column("customer_id"), column("conversation_id"),
                column("email"), column("attempts"), column("created_at"),
                column("expires_at"))  # no decrypting type: written as it is
    now = utcnow()
    async with services.transaction() as session:
        await session.execute(insert(raw), [
            {"customer_id": customer_id, "conversation_id": cid, "attempts": 0,
             "email": f"enc1:gone:{i:04d}", "created_at": now, "expires_at": now}
            for i in range(200)])
    [fresh] = await asking_for_email(services, ["w"])  # another customer
    assert await verification_step(services, fresh, "alice@example.com")
    async with services.read() as session:
        conversation = await session.get(Conversation, fresh)
    assert conversation is not None and conversation.verification_state == "code_sent"
    await mail_desk.run_jobs()
    assert [m["To"] for m in mail_desk.relay.received] == ["alice@example.com"]


async def _run_retention(services: Services) -> None:
    await seed_recurring(services)
    for job_id, token in await claim_due(services, 10, 60):
        await run_job(services, job_id, token, "test")


async def test_quotas_older_than_the_window_are_removed_by_the_daily_job(
        services, custodial_bot, mail_desk):  # noqa: F811
    ids = await asking_for_email(services, ["v1", "v2"])
    await verification_step(services, ids[0], "old@example.com")
    await verification_step(services, ids[1], "new@example.com")
    async with services.read() as session:
        old_customer, new_customer = [str(await session.scalar(select(
            Conversation.customer_id).where(Conversation.id == cid))) for cid in ids]
    async with services.transaction() as session:  # the first looked at over an hour ago
        await session.execute(update(EmailCodeQuota).where(
            EmailCodeQuota.key.in_([keyed_hash("old@example.com"), old_customer])).values(
            updated_at=utcnow() - CODE_WINDOW - timedelta(minutes=1)))
    await _run_retention(services)
    async with services.read() as session:
        keys = set((await session.scalars(select(EmailCodeQuota.key))).all())
    assert keys == {keyed_hash("new@example.com"), new_customer}


async def test_erasure_takes_the_customers_codes_out_of_the_address_counts(
        services, custodial_bot, mail_desk):  # noqa: F811
    first, second = await asking_for_email(services, ["a", "b"])
    await verification_step(services, first, "shared@example.com")
    await verification_step(services, first, "only-a@example.com")
    await verification_step(services, second, "shared@example.com")
    async with services.read() as session:
        erased_id = await session.scalar(select(Conversation.customer_id).where(
            Conversation.id == first))
        kept_code = await session.scalar(select(EmailCode.id).where(
            EmailCode.conversation_id == second))
    assert erased_id is not None
    await erase_customer(services, None, erased_id)
    async with services.read() as session:
        quotas = {q.key: q.code_ids for q in (await session.scalars(select(EmailCodeQuota).where(
            EmailCodeQuota.scope == "address"))).all()}
        assert (await session.get(Customer, erased_id)).erased_at is not None  # type: ignore[union-attr]
    assert quotas == {keyed_hash("shared@example.com"): [kept_code]}
    # the other customer's code to the shared address still counts
    conversation, _ = await say(services, "shared@example.com", "b")
    assert conversation.status == Status.bot and conversation.verification_state == "code_sent"
