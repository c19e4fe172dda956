"""An unverified customer asking about their own account verifies their email with a code
(sent over real SMTP to a loopback relay) before a person discusses it."""

import re
from datetime import timedelta

from sqlalchemy import select, text, update

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401 - fixtures
from tests.email.conftest import MailDesk, mail_desk  # noqa: F401 - fixture
from walletdesk.bot.models import BotTurn
from walletdesk.conversations.models import Conversation, Status
from walletdesk.customers.models import Customer, EmailCode
from walletdesk.db.base import utcnow

QUESTION = "My withdrawal has not arrived, where is my money?"


def _last_code(desk: MailDesk) -> str:
    body = desk.relay.received[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"\b(\d{6})\b", body)
    assert found, body
    return found.group(1)


async def _state(services, conversation_id: int) -> tuple[str | None, str, str | None]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation.verification_state, conversation.status, conversation.handoff_reason


async def test_the_code_verifies_the_email_then_a_person_takes_over(services, bot, mail_desk):  # noqa: F811
    conversation, replies, turns = await ask(services, QUESTION)
    assert "reply with the email address" in replies[-1].text and turns == []
    assert (await _state(services, conversation.id))[0] == "asked_email"

    _, replies, _ = await ask(services, "it is Alice@Example.com")
    assert "a***@e***.com" in replies[-1].text
    await mail_desk.run_jobs()
    assert mail_desk.relay.received[-1]["To"] == "alice@example.com"
    code = _last_code(mail_desk)
    async with services.read() as session:
        stored = (await session.execute(text("SELECT code_hash, email FROM email_codes"))).all()
    assert code not in repr(stored) and "alice" not in repr(stored)  # hashed and encrypted

    wrong = "000000" if code != "000000" else "111111"
    _, replies, _ = await ask(services, wrong)
    assert "not right" in replies[-1].text
    _, replies, _ = await ask(services, f"the code is {code}")
    assert "your email is verified" in replies[0].text
    state, status, reason = await _state(services, conversation.id)
    assert state == "verified" and status == Status.queued and reason == "account_question"
    async with services.read() as session:
        customer = await session.get(Customer, conversation.customer_id)
        turns = (await session.scalars(select(BotTurn))).all()
    assert customer is not None and customer.email == "alice@example.com"
    assert customer.email_verified_at is not None and turns == []


async def test_expired_codes_and_too_many_tries_are_refused(services, bot, mail_desk):  # noqa: F811
    conversation, _, _ = await ask(services, QUESTION)
    await ask(services, "alice@example.com")
    await mail_desk.run_jobs()
    code = _last_code(mail_desk)
    async with services.transaction() as session:
        await session.execute(update(EmailCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    _, replies, _ = await ask(services, code)
    assert "expired" in replies[-1].text
    await ask(services, "alice@example.com")  # a new code
    await mail_desk.run_jobs()
    fresh = _last_code(mail_desk)
    for attempt in range(5):
        await ask(services, f"{(int(fresh) + attempt + 1) % 10**6:06d}")
    _, replies, _ = await ask(services, fresh)  # right, but too late: 5 tries were used
    assert "not right" in replies[-1].text
    assert (await _state(services, conversation.id))[0] == "code_sent"


async def test_how_to_questions_and_signed_customers_are_not_stopped(services, bot):  # noqa: F811
    conversation, _, turns = await ask(services, "How do I back up my wallet?", visitor="v2")
    assert turns and (await _state(services, conversation.id))[0] is None
    async with services.transaction() as session:
        customer = await session.get(Customer, conversation.customer_id)
        assert customer is not None
        customer.verified_user_id = "user-7"  # the operator signed this visitor's id
    _, _, turns = await ask(services, QUESTION, visitor="v2")
    assert len(turns) == 2  # the bot handled it; no email check for a signed customer


async def test_when_no_code_can_be_sent_a_person_helps(services, bot):  # noqa: F811
    from walletdesk.jobs.runner import claim_due, run_job

    conversation, _, _ = await ask(services, "我的提现没到账", language="zh-Hans")
    _, replies, _ = await ask(services, "wang@example.com", language="zh-Hans")
    assert "验证码" in replies[-1].text
    for job_id, token in await claim_due(services, 10, 60):  # no relay is configured
        await run_job(services, job_id, token, "test")
    state, status, reason = await _state(services, conversation.id)
    assert (state, reason) == ("failed", "verification_failed") and status != Status.bot


async def test_the_request_for_an_email_is_in_the_language_of_the_question(services, bot):  # noqa: F811
    # the widget said "en" (the browser's language); the customer writes Spanish
    conversation, replies, _ = await ask(services, "mi transferencia lleva horas pendiente",
                                         language="en")
    assert "correo registrado" in replies[-1].text
    async with services.read() as session:
        stored = await session.get(Conversation, conversation.id)
        assert stored is not None and stored.language == "es"
