"""The customer who left the web chat gets the agent's reply by email (real SMTP on loopback),
only once, only if unread, and only when they gave an address."""

from datetime import timedelta

from sqlalchemy import select, update

from tests.email.conftest import MailDesk
from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.customer_reads import mark_read_by_customer
from walletdesk.conversations.models import Conversation, Message
from walletdesk.db.base import utcnow
from walletdesk.email import away_replies
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.services import Services


async def _chat(services: Services, visitor: str, email: str | None):  # type: ignore[no-untyped-def]
    return await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text="My USDT withdrawal is stuck",
        customer_email=email, language="zh-Hans"))


def _listen(services: Services) -> None:
    services.bus.subscribe(lambda event: away_replies.on_event(services, event))


async def _jobs(services: Services) -> list[Job]:
    async with services.read() as session:
        return list((await session.scalars(select(Job).where(
            Job.kind == away_replies.REPLY_MAIL_JOB).order_by(Job.id))).all())


async def _time_passes(services: Services) -> None:
    """The N minutes go by: the away-mail jobs become due (the rows hold the due time)."""
    async with services.transaction() as session:
        await session.execute(update(Job).where(Job.kind == away_replies.REPLY_MAIL_JOB,
                                                Job.status == JobStatus.pending)
                              .values(due_at=utcnow() - timedelta(seconds=1)))


async def test_unread_replies_are_mailed_once_after_the_wait(mail_desk: MailDesk, make_agent):
    services = mail_desk.services
    _listen(services)
    agent = await make_agent("Mei")
    chat = await _chat(services, "v-away", "alice@example.com")
    first = await send_message(services, agent, chat.conversation.id, "We are checking <TX 0xab>")
    await send_message(services, agent, chat.conversation.id, "It is confirmed now.")
    await send_message(services, agent, chat.conversation.id, "internal: done", internal=True)

    jobs = await _jobs(services)
    assert len(jobs) == 2  # one per public reply, none for the note
    wait = jobs[0].due_at - first.message.created_at
    assert wait == timedelta(minutes=services.settings.chat_reply_mail_after_min)
    await mail_desk.run_jobs()
    assert mail_desk.relay.received == []  # not yet due

    await _time_passes(services)
    await mail_desk.run_jobs()
    [mail] = mail_desk.relay.received  # both replies in one mail
    assert mail["To"] == "alice@example.com"
    assert mail["Subject"] == "DemoWallet 客服回复了您"
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Reply-To"] is None
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "We are checking <TX 0xab>" in plain and "It is confirmed now." in plain
    assert "&lt;TX 0xab&gt;" in html and "<TX" not in html
    assert "internal: done" not in plain
    async with services.read() as session:
        conversation = await session.get(Conversation, chat.conversation.id)
        assert conversation is not None and conversation.reply_mailed_seq == first.message.seq + 1
        note = await session.scalar(select(Message).where(
            Message.conversation_id == conversation.id, Message.is_internal.is_(True),
            Message.sender_kind == "system"))
    assert note is not None and "emailed" in note.text  # the agent knows

    await mail_desk.run_jobs()
    assert len(mail_desk.relay.received) == 1  # never twice
    assert [j.status for j in await _jobs(services)] == [JobStatus.done, JobStatus.done]


async def test_a_reply_read_in_the_chat_or_a_customer_without_address_gets_no_mail(
        mail_desk: MailDesk, make_agent):
    services = mail_desk.services
    _listen(services)
    agent = await make_agent("Mei")
    chat = await _chat(services, "v-here", "bob@example.com")
    reply = await send_message(services, agent, chat.conversation.id, "Here is the answer")
    # the widget showed it: the read mark moves (never past the last message, never back)
    mark = await mark_read_by_customer(services, chat.conversation.customer_id,
                                       chat.conversation.id, reply.message.seq + 50)
    assert mark == reply.message.seq
    assert await mark_read_by_customer(services, chat.conversation.customer_id,
                                       chat.conversation.id, 1) == reply.message.seq
    anonymous = await _chat(services, "v-anon", None)
    await send_message(services, agent, anonymous.conversation.id, "Answer for nobody")
    # another customer cannot move someone else's mark
    other = await _chat(services, "v-other", None)
    await mark_read_by_customer(services, other.conversation.customer_id,
                                anonymous.conversation.id, 99)
    async with services.read() as session:
        untouched = await session.get(Conversation, anonymous.conversation.id)
        assert untouched is not None and untouched.customer_read_seq == 0

    await _time_passes(services)
    await mail_desk.run_jobs()
    assert mail_desk.relay.received == []
    assert len(await _jobs(services)) == 2
    assert all(j.status == JobStatus.done for j in await _jobs(services))


async def test_email_conversations_and_a_desk_without_mail_schedule_nothing(
        mail_desk: MailDesk, make_agent):
    services = mail_desk.services
    _listen(services)
    agent = await make_agent("Mei")
    by_mail = await receive_message(services, InboundMessage(
        channel="email", external_id="carol@example.com", text="hello",
        customer_email="carol@example.com"))
    await send_message(services, agent, by_mail.conversation.id, "Hi Carol")  # mailed anyway
    services.settings = services.settings.model_copy(update={"chat_reply_mail_after_min": 0})
    chat = await _chat(services, "v-off", "dave@example.com")
    await send_message(services, agent, chat.conversation.id, "Hi Dave")
    assert await _jobs(services) == []
