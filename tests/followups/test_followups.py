"""Follow-up calls (回访): programmes create tasks from events; the customer picks a slot,
chats instead, declines or opts out; agents work the day's call list."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.notify.test_sms import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, twilio  # noqa: F401
from walletdesk.accounts.models import Agent, Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message
from walletdesk.crypto import keyed_hash
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.followups.actions import (
    after_quiet_hours,
    book_slot,
    call_list,
    decline,
    followup_for_link,
    record_call,
    record_transaction,
    request_chat,
    save_programme,
)
from walletdesk.followups.models import FollowUp, FollowUpStatus
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.services import Services
from walletdesk.tokens import followup_token


@pytest.fixture(autouse=True)
def awake_now(services: Services) -> None:
    """Quiet hours that do not include the moment the test runs (tests run at any hour)."""
    now = datetime.now(UTC)
    services.settings = services.settings.model_copy(update={
        "followup_quiet_start": (now + timedelta(hours=6)).strftime("%H:00"),
        "followup_quiet_end": (now + timedelta(hours=8)).strftime("%H:00")})


async def _programme(services: Services, make_agent: Any, **fields: Any) -> Any:
    async with services.read() as session:
        admin = await session.scalar(select(Agent).where(Agent.email == "boss@example.com"))
    admin = admin or await make_agent("Boss", role=Role.admin)
    values = {"name": "Big withdrawals", "trigger": "transaction", "delay_s": 0,
              "rule": {"type": "withdrawal", "min_amount": "10000", "asset": "USDT"},
              "channel": "sms"}
    values.update(fields)
    return await save_programme(services, admin, **values)


async def _withdrawal(services: Services, tx: str = "tx-1", amount: str = "25000",
                      user: str = "u-1", **extra: Any) -> list[FollowUp]:
    return await record_transaction(services, user_id=user, transaction_id=tx, kind="Withdrawal",
                                    amount=Decimal(amount), asset="usdt",
                                    phone=extra.pop("phone", "+852 9123 4567"), **extra)


async def _run_jobs(services: Services) -> None:
    for job_id, token in await claim_due(services, 50, 60):
        await run_job(services, job_id, token, "test")


async def _followups(services: Services) -> list[FollowUp]:
    async with services.read() as session:
        return list((await session.scalars(select(FollowUp).order_by(FollowUp.id))).all())


async def test_a_large_withdrawal_creates_one_task_and_rules_are_enforced(services, make_agent):
    await _programme(services, make_agent)
    assert await _withdrawal(services, tx="small", amount="5000") == []
    [task] = await _withdrawal(services, tx="tx-1")
    assert task.reason == "your withdrawal of 25000 USDT" and task.status == FollowUpStatus.scheduled
    assert await _withdrawal(services, tx="tx-1") == []  # the same event reported again
    assert await _withdrawal(services, tx="tx-2") == []  # frequency cap: one per 30 days
    async with services.transaction() as session:  # 31 days later the cap has passed
        await session.execute(update(FollowUp).values(created_at=utcnow() - timedelta(days=31)))
    assert len(await _withdrawal(services, tx="tx-3")) == 1
    async with services.read() as session:
        customer = await session.scalar(select(Customer).where(
            Customer.verified_user_hash == keyed_hash("u-1")))
        jobs = await session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "followup.notify"))
    assert customer is not None and customer.phone == "+85291234567" and jobs == 2
    with pytest.raises(Invalid, match="international format"):
        await _withdrawal(services, tx="tx-9", phone="12345")


async def test_the_reason_is_written_in_the_customers_language(services, make_agent):
    # "your withdrawal of 25000 USDT" went, in English, into a Chinese customer's invitation
    await _programme(services, make_agent)
    [task] = await _withdrawal(services, language="zh-Hans")
    assert task.reason == "您的 25000 USDT 提币" and "your" not in task.reason
    [other] = await _withdrawal(services, tx="tx-es", user="u-2", phone="+852 9123 4568",
                                language="es")
    assert other.reason == "tu retiro de 25000 USDT"


async def test_notifications_wait_for_the_end_of_quiet_hours(services, make_agent):
    now = datetime.now(UTC)
    services.settings = services.settings.model_copy(update={
        "followup_quiet_start": (now - timedelta(hours=1)).strftime("%H:00"),
        "followup_quiet_end": (now + timedelta(hours=2)).strftime("%H:00")})
    await _programme(services, make_agent)
    [task] = await _withdrawal(services)
    assert task.notify_at > now + timedelta(hours=1)
    assert task.notify_at == after_quiet_hours(services.settings, now)
    await _run_jobs(services)  # not due yet: nothing is sent in quiet hours
    assert (await _followups(services))[0].status == FollowUpStatus.scheduled


async def test_the_invitation_goes_by_sms_through_the_provider(services, make_agent, twilio):  # noqa: F811
    services.settings = services.settings.model_copy(update={
        "sms_provider": "twilio", "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN, "twilio_from_number": FROM_NUMBER,
        "twilio_base_url": twilio.url})
    await _programme(services, make_agent)
    [task] = await _withdrawal(services)
    await _run_jobs(services)
    [request] = twilio.requests
    assert request["form"]["To"] == "+85291234567"
    assert f"/followup/{followup_token(services.settings, task.id)}" in request["form"]["Body"]
    [notified] = await _followups(services)
    assert (notified.status, notified.notified_via) == (FollowUpStatus.notified, "sms")


async def test_in_app_invitation_lands_in_the_customer_conversation(services, make_agent):
    await _programme(services, make_agent, channel="in_app")
    delivered = await receive_message(services, InboundMessage(
        channel="widget", external_id="visitor-1", text="hi", verified_user_id="u-1"))
    async with services.transaction() as session:  # the widget proved who this is
        customer = await session.get(Customer, delivered.conversation.customer_id)
        assert customer is not None
        customer.verified_user_id = "u-1"
    await _withdrawal(services, phone=None)
    await _run_jobs(services)
    async with services.read() as session:
        texts = (await session.scalars(select(Message.text).where(
            Message.conversation_id == delivered.conversation.id))).all()
    assert any("/followup/f" in text for text in texts)


async def _notified(services: Services, make_agent: Any, **programme: Any) -> FollowUp:
    await _programme(services, make_agent, channel="in_app", **programme)
    await receive_message(services, InboundMessage(channel="widget", external_id="v",
                                                   text="hello", verified_user_id="u-1"))
    async with services.transaction() as session:
        for customer in (await session.scalars(select(Customer))).all():
            customer.verified_user_id = "u-1"  # the widget proved who this is
    [task] = await _withdrawal(services)
    await _run_jobs(services)
    [task] = await _followups(services)
    assert task.status == FollowUpStatus.notified
    return task


async def test_the_customer_books_a_free_slot_once(services, make_agent):
    task = await _notified(services, make_agent)
    token = followup_token(services.settings, task.id)
    _, _, offered = await followup_for_link(services, token)
    assert offered and all(free for _, free in offered)
    with pytest.raises(Invalid, match="not on offer"):
        await book_slot(services, token, offered[0][0] + timedelta(minutes=7))
    booked = await book_slot(services, token, offered[0][0])
    assert booked.status == FollowUpStatus.booked and booked.slot_at == offered[0][0]
    with pytest.raises(Conflict, match="already booked"):
        await book_slot(services, token, offered[1][0])
    with pytest.raises(NotFound):
        await book_slot(services, token[:-1] + ("0" if token[-1] != "0" else "1"), offered[1][0])


async def test_a_slot_that_is_full_cannot_be_booked(services, make_agent):
    services.settings = services.settings.model_copy(update={"followup_slot_capacity": 1})
    task = await _notified(services, make_agent)
    token = followup_token(services.settings, task.id)
    _, _, offered = await followup_for_link(services, token)
    slot = offered[0][0]
    async with services.transaction() as session:  # another customer took it meanwhile
        other = Customer(display_name="Other")
        session.add(other)
        await session.flush()
        session.add(FollowUp(programme_id=task.programme_id, customer_id=other.id,
                             source_ref="tx:other", status=FollowUpStatus.booked, slot_at=slot,
                             due_from=task.due_from, due_until=task.due_until))
    _, _, offered = await followup_for_link(services, token)
    assert (slot, False) in offered
    with pytest.raises(Conflict, match="just been taken"):
        await book_slot(services, token, slot)


async def test_opting_out_is_honoured_forever(services, make_agent):
    task = await _notified(services, make_agent)
    await decline(services, followup_token(services.settings, task.id), opt_out=True)
    assert (await _followups(services))[0].status == FollowUpStatus.opted_out
    async with services.transaction() as session:  # a year later
        await session.execute(update(FollowUp).values(created_at=utcnow() - timedelta(days=365)))
    assert await _withdrawal(services, tx="tx-later") == []
    with pytest.raises(Conflict):
        await book_slot(services, followup_token(services.settings, task.id), utcnow())


async def test_asking_for_a_chat_instead_opens_a_conversation(services, make_agent):
    await _programme(services, make_agent, channel="email")
    [task] = await _withdrawal(services, email="li@example.com", language="zh-Hans")
    result = await request_chat(services, followup_token(services.settings, task.id))
    assert result.status == FollowUpStatus.chat_requested
    async with services.read() as session:
        conversation = await session.get(Conversation, result.conversation_id)
        texts = (await session.scalars(select(Message.text).where(
            Message.conversation_id == result.conversation_id))).all()
    assert conversation is not None and conversation.channel == "email"
    assert any("我希望在线沟通" in text for text in texts)


async def test_the_call_list_and_outcomes(services, make_agent):
    task = await _notified(services, make_agent, max_attempts=2)
    agent = await make_agent("Mei")
    outsider = await make_agent("Olu", role=Role.outsourced)
    today = datetime.now(UTC).date()
    async with services.read() as session:
        listed = await call_list(session, agent, today, "UTC")
        with pytest.raises(Forbidden):
            await call_list(session, outsider, today, "UTC")
    assert [f.id for f, _ in listed] == [task.id]
    with pytest.raises(Invalid):
        await record_call(services, agent, task.id, outcome="maybe")
    first = await record_call(services, agent, task.id, outcome="no_answer")
    assert first.status == FollowUpStatus.notified and first.next_call_at is not None
    async with services.read() as session:  # tried again tomorrow, not today
        assert await call_list(session, agent, today, "UTC") == []
    second = await record_call(services, agent, task.id, outcome="no_answer")
    assert second.status == FollowUpStatus.unreachable and second.attempts == 2
    with pytest.raises(Conflict):
        await record_call(services, agent, task.id, outcome="reached")


async def test_a_reached_call_records_satisfaction_and_a_new_case(services, make_agent):
    task = await _notified(services, make_agent)
    agent = await make_agent("Mei")
    with pytest.raises(Invalid):
        await record_call(services, agent, task.id, outcome="reached", satisfaction=6)
    done = await record_call(services, agent, task.id, outcome="reached", satisfaction=4,
                             notes="happy overall", new_case="Fee seemed too high on TRC-20")
    assert (done.status, done.satisfaction) == (FollowUpStatus.completed, 4)
    async with services.read() as session:
        case = await session.get(Conversation, done.conversation_id)
    assert case is not None and case.subject == "Problem found on a follow-up call"


async def test_new_customers_are_called_after_a_week_by_the_cohort_programme(services,
                                                                              make_agent):
    async with services.transaction() as session:
        for name, days in (("week-old", 7.5), ("too-new", 3), ("too-old", 9)):
            session.add(Customer(display_name=name, email=f"{name}@example.com",
                                 created_at=utcnow() - timedelta(days=days)))
    await _programme(services, make_agent, name="Week one", trigger="cohort",
                     rule={"days_after_signup": 7}, channel="email")
    await _run_jobs(services)  # the scan, scheduled when the programme was saved
    tasks = await _followups(services)
    async with services.read() as session:
        names = [(await session.get(Customer, t.customer_id)).display_name  # type: ignore[union-attr]
                 for t in tasks]
        next_scan = await session.scalar(select(Job).where(
            Job.kind == "followup.cohort_scan", Job.status == JobStatus.pending))
    assert names == ["week-old"]
    assert next_scan is not None and next_scan.due_at > utcnow() + timedelta(hours=23)
    with pytest.raises(Invalid, match="days_after_signup"):
        await _programme(services, make_agent, name="Bad", trigger="cohort", rule={})


async def test_a_resolved_complaint_is_followed_up(services, make_agent, make_team):
    from walletdesk.complaints.actions import advance_complaint, open_complaint

    await _programme(services, make_agent, name="After complaints",
                     trigger="complaint_resolved", rule={}, channel="in_app")
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])
    conversation = (await receive_message(services, InboundMessage(
        channel="web", external_id="v9", text="my refund?", language="es"))).conversation
    complaint = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                     summary="withdrawal lost")
    await advance_complaint(services, mei, complaint.id, "investigating", summary="checked")
    await advance_complaint(services, mei, complaint.id, "resolution_proposed",
                            kind="explanation")
    await advance_complaint(services, mei, complaint.id, "approved")
    assert await _followups(services) == []
    await advance_complaint(services, mei, complaint.id, "customer_notified")
    [task] = await _followups(services)
    assert (task.source_ref, task.customer_id) == (f"complaint:{complaint.id}",
                                                   conversation.customer_id)
    await _run_jobs(services)  # the in-app invitation lands in the complaint's conversation
    async with services.read() as session:
        texts = (await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation.id))).all()
    assert any("quiere llamarte" in text for text in texts)
