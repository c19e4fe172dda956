"""With custodial accounts, an unverified customer asking about their own account verifies
their email with a code (sent over real SMTP to a loopback relay) before a person discusses
it; a typed code always gets an answer (right, wrong, expired)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401 - fixtures
from tests.email.conftest import MailDesk, mail_desk  # noqa: F401 - fixture
from walletdesk.bot.models import BotConfig, BotTurn
from walletdesk.conversations.models import Conversation, Status
from walletdesk.customers.models import Customer, EmailCode
from walletdesk.db.base import utcnow

QUESTION = "why was my withdrawal rejected"  # the demo's withdrawal-review: needs the account


@pytest.fixture
async def custodial(services, bot):  # type: ignore[no-untyped-def]  # noqa: F811
    async with services.transaction() as session:
        config = await session.get(BotConfig, 1)
        assert config is not None
        config.custody = "custodial"
    return bot


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


async def test_the_code_verifies_the_email_then_a_person_takes_over(services, custodial, mail_desk):  # noqa: F811
    conversation, replies, turns = await ask(services, QUESTION)
    assert "reply with the email address" in replies[-1].text
    assert [(t.outcome, t.article_slug) for t in turns] == [("verify_email", "withdrawal-review")]
    assert (await _state(services, conversation.id))[0] == "asked_email"

    _, replies, _ = await ask(services, "000000")  # a code before any was sent
    assert "haven't sent you a code" in replies[-1].text
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
    assert [r.text for r in replies][0].startswith("Thank you, your email is verified")
    # one bot message says it all: no second hand-off notice
    assert len([r for r in replies if r.sender_kind == "bot"]) == 1
    state, status, reason = await _state(services, conversation.id)
    assert state == "verified" and status == Status.queued and reason == "account_question"
    async with services.read() as session:
        customer = await session.get(Customer, conversation.customer_id)
    assert customer is not None and customer.email == "alice@example.com"
    assert customer.email_verified_at is not None


async def test_expired_codes_and_too_many_tries_are_refused(services, custodial, mail_desk):  # noqa: F811
    conversation, _, _ = await ask(services, QUESTION)
    await ask(services, "alice@example.com")
    await mail_desk.run_jobs()
    code = _last_code(mail_desk)
    async with services.transaction() as session:
        await session.execute(update(EmailCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    _, replies, _ = await ask(services, code)
    assert "has expired" in replies[-1].text
    await ask(services, "alice@example.com")  # a new code
    await mail_desk.run_jobs()
    fresh = _last_code(mail_desk)
    for attempt in range(5):
        await ask(services, f"{(int(fresh) + attempt + 1) % 10**6:06d}")
    _, replies, _ = await ask(services, fresh)  # right, but too late: 5 tries were used
    assert "not right" in replies[-1].text
    assert (await _state(services, conversation.id))[0] == "code_sent"


async def test_general_questions_and_signed_customers_are_not_stopped(services, custodial):
    conversation, replies, turns = await ask(services, "转账一直没到账怎么办", visitor="v2",
                                             language="zh-CN")
    assert turns[-1].outcome == "answered" and turns[-1].article_slug == "transfer-pending"
    assert (await _state(services, conversation.id))[0] is None
    async with services.transaction() as session:
        customer = await session.get(Customer, conversation.customer_id)
        assert customer is not None
        customer.verified_user_id = "user-7"  # the operator signed this visitor's id
    _, _, turns = await ask(services, QUESTION, visitor="v2")
    assert turns[-1].outcome == "answered"  # no email check for a signed customer


async def test_without_a_mail_relay_no_code_is_offered_a_person_helps(services, custodial):
    conversation, replies, turns = await ask(services, "我的提现没到账", language="zh-Hans")
    assert [(t.outcome, t.reason) for t in turns] == [("handed_off", "account_question")]
    assert not any("验证码" in r.text for r in replies)
    assert len([r for r in replies if r.sender_kind == "bot"]) == 1  # one clear message
    state, status, reason = await _state(services, conversation.id)
    assert (state, reason) == (None, "account_question") and status == Status.queued
    async with services.read() as session:
        assert (await session.scalars(select(EmailCode))).all() == []


async def test_when_the_relay_refuses_a_person_helps(services, custodial, mail_desk):  # noqa: F811
    mail_desk.relay.answer = "550 mailbox unavailable"
    conversation, _, _ = await ask(services, "我的提现没到账", language="zh-Hans")
    _, replies, _ = await ask(services, "wang@example.com", language="zh-Hans")
    assert "验证码" in replies[-1].text
    await mail_desk.run_jobs()
    state, status, reason = await _state(services, conversation.id)
    assert (state, reason) == ("failed", "verification_failed") and status != Status.bot


async def test_the_request_for_an_email_is_in_the_language_of_the_question(
        services, custodial, mail_desk):  # noqa: F811
    # the widget said "en" (the browser's language); the customer writes Spanish
    conversation, replies, _ = await ask(services, "¿por qué rechazaron mi retiro?",
                                         language="en")
    assert "correo registrado" in replies[-1].text
    async with services.read() as session:
        stored = await session.get(Conversation, conversation.id)
        assert stored is not None and stored.language == "es"


async def test_self_custody_answers_account_articles_directly(services, bot):  # noqa: F811
    _, replies, turns = await ask(services, QUESTION, visitor="self")
    assert turns[-1].outcome == "answered" and turns[-1].article_slug == "withdrawal-review"
    assert not any("email address" in r.text for r in replies)
    async with services.read() as session:
        outcomes = (await session.scalars(select(BotTurn.outcome))).all()
    assert outcomes == ["answered"]
