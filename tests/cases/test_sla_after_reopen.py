"""The resolution clock after a reopen: resolving stops it, and it runs again when the
customer writes to the resolved conversation or an agent reopens it (docs/cases.md)."""

from datetime import timedelta

from sqlalchemy import select, update

from tests.cases.test_sla import ALWAYS, _admin, _conversation, _run_sla_jobs, _write
from tests.customers.test_code_limits import ARTICLES as DEMO_ARTICLES
from walletdesk.accounts.models import Role
from walletdesk.bot.actions import customer_feedback
from walletdesk.bot.runtime import BotRuntime, lexical_matcher
from walletdesk.cases.sla import save_sla_policy
from walletdesk.conversations.actions import (
    reopen_conversation,
    resolve_conversation,
    send_message,
)
from walletdesk.conversations.messages import sla_payload
from walletdesk.conversations.models import Conversation, Status
from walletdesk.db.base import utcnow
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.kb.actions import import_articles
from walletdesk.kb.queries import published_articles


async def _setup(services, make_agent, make_team):  # type: ignore[no-untyped-def]
    admin = await _admin(make_agent)
    team = await make_team("Support", weekly_hours=ALWAYS)
    mei = await make_agent("Mei", teams=[team], online=True)
    await save_sla_policy(services, admin, name="Default", first_response_s=600,
                          resolution_s=3600)
    return mei


async def _stopped_for(services, conversation_id: int, hours: int) -> None:  # type: ignore[no-untyped-def]
    """As if the clock had stood still for ``hours``."""
    async with services.transaction() as session:
        await session.execute(update(Conversation).where(Conversation.id == conversation_id)
                              .values(sla_paused_at=utcnow() - timedelta(hours=hours)))


async def _pending_resolution_dues(services, conversation_id: int) -> set[str]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        jobs = (await session.scalars(select(Job).where(
            Job.kind == "sla.check", Job.status == JobStatus.pending))).all()
    return {j.payload["due"] for j in jobs
            if j.payload["conversation_id"] == conversation_id
            and j.payload["clock"] == "resolution"}


async def test_resolving_stops_the_clock_and_the_customer_writing_again_resumes_it(
        services, make_agent, make_team):
    mei = await _setup(services, make_agent, make_team)
    conversation = await _write(services)
    await send_message(services, mei, conversation.id, "Which network did you use?")
    await _write(services, "TRC-20")  # resumes
    running = await _conversation(services, conversation.id)
    assert running.status == Status.assigned and running.sla_paused_at is None
    await resolve_conversation(services, mei, conversation.id)
    stopped = await _conversation(services, conversation.id)
    assert stopped.sla_paused_at is not None  # its time resolved does not count
    await _stopped_for(services, conversation.id, 2)

    await _write(services, "It still has not arrived")  # reopens it
    after = await _conversation(services, conversation.id)
    assert after.status in (Status.assigned, Status.queued)
    assert after.sla_paused_at is None
    assert sla_payload(after)["paused"] is False  # type: ignore[index]
    moved = after.resolution_due_at - running.resolution_due_at  # type: ignore[operator]
    assert timedelta(hours=2) - timedelta(seconds=5) < moved < timedelta(hours=2, seconds=5)
    assert after.resolution_due_at.isoformat() in await _pending_resolution_dues(  # type: ignore[union-attr]
        services, conversation.id)


async def test_resolved_while_waiting_on_the_customer_resumes_when_they_write_again(
        services, make_agent, make_team):
    mei = await _setup(services, make_agent, make_team)
    conversation = await _write(services)
    await send_message(services, mei, conversation.id, "Done, please check")  # paused
    await resolve_conversation(services, mei, conversation.id)
    await _stopped_for(services, conversation.id, 1)
    await _write(services, "No, still missing")
    after = await _conversation(services, conversation.id)
    assert after.status != Status.resolved and after.sla_paused_at is None
    # and the clock can breach again
    async with services.transaction() as session:
        await session.execute(update(Conversation).where(Conversation.id == conversation.id)
                              .values(resolution_due_at=utcnow() - timedelta(minutes=1)))
        row = await session.get(Conversation, conversation.id)
        assert row is not None
        from walletdesk.cases.sla import _schedule_checks

        await _schedule_checks(session, row, "resolution", utcnow() - timedelta(hours=1),
                               row.resolution_due_at, 0.8)  # type: ignore[arg-type]
    await _run_sla_jobs(services)
    assert (await _conversation(services, conversation.id)).resolution_breached


async def test_an_agent_reopening_runs_the_clock_again(services, make_agent, make_team):
    mei = await _setup(services, make_agent, make_team)
    conversation = await _write(services)
    await send_message(services, mei, conversation.id, "Done, please check")  # paused
    before = await _conversation(services, conversation.id)
    await resolve_conversation(services, mei, conversation.id)
    await _stopped_for(services, conversation.id, 3)

    await reopen_conversation(services, mei, conversation.id)
    after = await _conversation(services, conversation.id)
    assert after.status == Status.assigned and after.sla_paused_at is None
    moved = after.resolution_due_at - before.resolution_due_at  # type: ignore[operator]
    assert timedelta(hours=3) - timedelta(seconds=5) < moved < timedelta(hours=3, seconds=5)
    # the customer writing afterwards changes nothing: the clock already runs
    await _write(services, "Thanks for looking again")
    again = await _conversation(services, conversation.id)
    assert again.sla_paused_at is None and again.resolution_due_at == after.resolution_due_at
    # the agent answers: waiting on the customer pauses it as before
    await send_message(services, mei, conversation.id, "Which address?")
    assert (await _conversation(services, conversation.id)).sla_paused_at is not None


async def test_a_resolved_queue_conversation_back_from_the_bot_runs_its_clock_after_the_handoff(
        services, make_agent, make_team):
    """A supervisor resolves a conversation still in the queue (nobody assigned): the customer
    writing again gives it back to the bot, and asking it for a person starts the clock again
    (start_sla does nothing the second time: it was the pause that had to end)."""
    admin = await _admin(make_agent)
    team = await make_team("Support", weekly_hours=ALWAYS)
    boss = await make_agent("Lead", role=Role.supervisor, teams=[team])
    await save_sla_policy(services, admin, name="Default", first_response_s=600,
                          resolution_s=3600)
    conversation = await _write(services)  # no bot yet, nobody online: queued
    queued = await _conversation(services, conversation.id)
    assert queued.status == Status.queued and queued.resolution_due_at is not None
    await resolve_conversation(services, boss, conversation.id)
    await _stopped_for(services, conversation.id, 2)

    await import_articles(services, DEMO_ARTICLES.read_text(encoding="utf-8").splitlines())
    async with services.read() as session:
        articles = await published_articles(session)
    services.bot = BotRuntime("en")
    services.bot.fallback = lexical_matcher(articles)
    services.bot.articles = {a.slug: a for a in articles}
    try:
        await _write(services, "hi")  # a greeting: the bot answers it
        with_bot = await _conversation(services, conversation.id)
        assert with_bot.status == Status.bot and with_bot.sla_paused_at is not None
        await customer_feedback(services, conversation.id, with_bot.customer_id, None, "human")
    finally:
        services.bot = None
    after = await _conversation(services, conversation.id)
    assert after.status == Status.queued and after.sla_paused_at is None
    moved = after.resolution_due_at - queued.resolution_due_at  # type: ignore[operator]
    assert timedelta(hours=2) - timedelta(seconds=5) < moved < timedelta(hours=2, seconds=5)
    assert after.resolution_due_at.isoformat() in await _pending_resolution_dues(  # type: ignore[union-attr]
        services, conversation.id)
