"""Fixtures for the incident tests: the HTTP fixtures of tests/web (the app in-process), the
SMTP relay of tests/email, and helpers that make conversations with the real actions."""

from sqlalchemy import select

from tests.email.conftest import mail_desk  # noqa: F401
from tests.web.conftest import app, client, sign_in  # noqa: F401
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.messages import lock_conversation
from walletdesk.conversations.models import Message, Status
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.services import Services


async def with_the_bot(services: Services, visitor: str, first: str, *, channel: str = "web",
                       language: str = "en") -> int:
    """A conversation that is with the bot (the bot itself is not built in these tests: the
    desk's real path hands it to a person as "bot_unavailable" after the announcement)."""
    delivered = await receive_message(services, InboundMessage(
        channel=channel, external_id=visitor, text=first, language=language))
    async with services.transaction() as session:
        conversation = await lock_conversation(session, delivered.conversation.id)
        assert conversation is not None
        conversation.status = Status.bot
    return delivered.conversation.id


async def ask(services: Services, visitor: str, text: str, conversation_id: int, *,
              channel: str = "web") -> None:
    await receive_message(services, InboundMessage(channel=channel, external_id=visitor,
                                                   text=text, conversation_id=conversation_id))


async def thread(services: Services, conversation_id: int) -> list[Message]:
    async with services.read() as session:
        return list((await session.scalars(select(Message).where(
            Message.conversation_id == conversation_id).order_by(Message.seq))).all())


async def run_jobs(services: Services) -> list[str]:
    """Run every due job once; their kinds."""
    from walletdesk.jobs.models import Job

    kinds = []
    for job_id, token in await claim_due(services, 100, 60):
        async with services.read() as session:
            job = await session.get(Job, job_id)
            assert job is not None
            kinds.append(job.kind)
        await run_job(services, job_id, token, "test")
    return kinds
