"""The retention policy erases quiet, closed customers' personal data — and nobody else's."""

from datetime import timedelta

from sqlalchemy import select, update

from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message, Status
from walletdesk.customers.models import Customer
from walletdesk.customers.privacy import ERASED
from walletdesk.db.base import utcnow
from walletdesk.followups.models import FollowUp, FollowUpProgramme, FollowUpStatus
from walletdesk.jobs.kinds import seed_recurring
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.jobs.runner import claim_due, run_job


async def _customer(services, visitor: str, *, status: Status, days_ago: int) -> int:  # type: ignore[no-untyped-def]
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=f"hello from {visitor}",
        customer_name=f"Name {visitor}"))
    async with services.transaction() as session:
        await session.execute(update(Conversation).where(
            Conversation.id == delivered.conversation.id).values(
            status=status, updated_at=utcnow() - timedelta(days=days_ago)))
    return delivered.conversation.customer_id


async def _run_retention(services) -> None:  # type: ignore[no-untyped-def]
    await seed_recurring(services)
    for job_id, token in await claim_due(services, 10, 60):
        await run_job(services, job_id, token, "test")


async def test_only_closed_and_quiet_customers_are_erased(services):
    services.settings = services.settings.model_copy(update={"retention_days": 30})
    old = await _customer(services, "old", status=Status.closed, days_ago=40)
    recent = await _customer(services, "recent", status=Status.closed, days_ago=5)
    active = await _customer(services, "active", status=Status.assigned, days_ago=40)
    awaiting_call = await _customer(services, "call", status=Status.closed, days_ago=40)
    async with services.transaction() as session:
        programme = FollowUpProgramme(name="p", trigger="cohort")
        session.add(programme)
        await session.flush()
        session.add(FollowUp(programme_id=programme.id, customer_id=awaiting_call,
                             source_ref="x", status=FollowUpStatus.booked))
    await _run_retention(services)
    async with services.read() as session:
        customers = {c.id: c for c in (await session.scalars(select(Customer))).all()}
        texts = dict((await session.execute(select(Conversation.customer_id, Message.text).join(
            Message, Message.conversation_id == Conversation.id).where(
            Message.sender_kind == "customer"))).all())
        audit = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "customer.erase"))).all()
        next_run = await session.scalar(select(Job).where(
            Job.kind == "privacy.retention", Job.status == JobStatus.pending))
    assert customers[old].erased_at is not None and customers[old].display_name == ""
    assert texts[old] == ERASED
    for kept in (recent, active, awaiting_call):
        assert customers[kept].erased_at is None and texts[kept].startswith("hello from")
    assert [(a.target_id, a.detail["reason"]) for a in audit] == [(str(old), "retention")]
    assert next_run is not None and next_run.due_at > utcnow() + timedelta(hours=22)


async def test_without_a_retention_period_nothing_is_erased(services):
    old = await _customer(services, "old", status=Status.closed, days_ago=400)
    await _run_retention(services)
    async with services.read() as session:
        customer = await session.get(Customer, old)
    assert customer is not None and customer.erased_at is None


async def test_the_daily_job_removes_failed_sign_ins_that_count_nothing_any_more(services):
    from walletdesk.accounts.models import LoginThrottle
    from walletdesk.customers.retention import RETENTION_JOB

    long_ago = utcnow() - timedelta(days=90)
    async with services.transaction() as session:
        session.add_all([
            LoginThrottle(account_key="old", source_key="a", failures=3,
                          last_failure_at=long_ago),  # forgotten
            LoginThrottle(account_key="recent", source_key="a", failures=3,
                          last_failure_at=utcnow()),  # still counts
            LoginThrottle(account_key="locked", source_key="a", failures=9,
                          last_failure_at=long_ago,
                          locked_until=utcnow() + timedelta(minutes=5)),  # still locked
            LoginThrottle(account_key="trusted", source_key="a", failures=0,
                          last_success_at=utcnow() - timedelta(days=1)),  # a trusted place
        ])
    await _run_retention(services)
    async with services.read() as session:
        kept = set((await session.scalars(select(LoginThrottle.account_key))).all())
        job = await session.scalar(select(Job).where(Job.kind == RETENTION_JOB,
                                                     Job.status == JobStatus.done))
    assert kept == {"recent", "locked", "trusted"}
    assert job is not None and job.payload["login_throttles_removed"] == 1
