"""SLA clocks: due in working hours, warned, breached and escalated once, paused on the
customer, moot once answered or resolved."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from walletdesk.accounts.models import Role
from walletdesk.audit.models import AuditEvent
from walletdesk.cases.sla import policy_for, save_sla_policy
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    resolve_conversation,
    send_message,
)
from walletdesk.conversations.models import Conversation, Message
from walletdesk.db.base import utcnow
from walletdesk.errors import Invalid
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.services import Services

OFFICE = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def _admin(make_agent):  # type: ignore[no-untyped-def]
    return await make_agent("Boss", role=Role.admin)


async def _run_sla_jobs(services: Services, stage: str | None = None) -> int:
    """Make the SLA checks due now (as if the time had come) and run them."""
    condition = Job.kind == "sla.check"
    async with services.transaction() as session:
        jobs = (await session.scalars(select(Job).where(condition,
                                                        Job.status == JobStatus.pending))).all()
        for job in jobs:
            if stage is None or job.payload["stage"] == stage:
                job.due_at = utcnow() - timedelta(seconds=1)
    ran = 0
    for job_id, token in await claim_due(services, 100, 60):
        await run_job(services, job_id, token, "test")
        ran += 1
    return ran


async def _notes(services: Services, conversation_id: int) -> list[str]:
    async with services.read() as session:
        return list((await session.scalars(select(Message.text).where(
            Message.conversation_id == conversation_id, Message.is_internal.is_(True))
            .order_by(Message.seq))).all())


async def _conversation(services: Services, conversation_id: int) -> Conversation:
    async with services.read() as session:
        found = await session.get(Conversation, conversation_id)
        assert found is not None
        return found


async def _write(services: Services, text: str = "My deposit is missing", visitor: str = "v1",
                 **fields):  # type: ignore[no-untyped-def]
    return (await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, **fields))).conversation


async def test_the_most_specific_active_policy_applies(services, make_agent):
    admin = await _admin(make_agent)
    await save_sla_policy(services, admin, name="Default", first_response_s=3600,
                          resolution_s=86400)
    await save_sla_policy(services, admin, name="Scam reports", category="scam",
                          first_response_s=300, resolution_s=3600)
    await save_sla_policy(services, admin, name="Old", category="scam", channel="web",
                          first_response_s=60, resolution_s=60, active=False)
    async with services.read() as session:
        scam = await policy_for(session, Conversation(priority=0, channel="web", category="scam"))
        other = await policy_for(session, Conversation(priority=2, channel="email"))
    assert scam is not None and scam.name == "Scam reports"
    assert other is not None and other.name == "Default"


async def test_policy_validation_is_clear(services, make_agent):
    admin = await _admin(make_agent)
    for fields, message in [
        ({"first_response_s": 10, "resolution_s": 3600}, "between one minute"),
        ({"first_response_s": 7200, "resolution_s": 3600}, "cannot be shorter"),
        ({"first_response_s": 600, "resolution_s": 3600, "warn_at_ratio": 1.5}, "share"),
        ({"first_response_s": 600, "resolution_s": 3600, "priority": 9}, "priority"),
    ]:
        with pytest.raises(Invalid, match=message):
            await save_sla_policy(services, admin, name="Bad", **fields)


async def test_due_times_count_the_team_working_hours(services, make_agent, make_team):
    admin = await _admin(make_agent)
    await make_team("Office", weekly_hours=OFFICE, timezone="Asia/Shanghai")
    await save_sla_policy(services, admin, name="Default", first_response_s=3600,
                          resolution_s=8 * 3600)
    conversation = await _write(services)
    assert conversation.sla_policy_id is not None
    due = conversation.first_response_due_at
    assert due is not None and conversation.resolution_due_at is not None
    local = due.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.weekday() < 5 and (9, 0) <= (local.hour, local.minute) <= (18, 0)
    async with services.read() as session:
        stages = sorted((j.payload["clock"], j.payload["stage"]) for j in
                        (await session.scalars(select(Job).where(Job.kind == "sla.check"))).all())
    assert stages == [("first_response", "breach"), ("first_response", "warning"),
                      ("resolution", "breach"), ("resolution", "warning")]


async def test_an_unanswered_conversation_is_warned_then_breached_and_escalated_once(
        services, bus, make_agent, make_team):
    admin = await _admin(make_agent)
    await make_team("Support", weekly_hours=ALWAYS)
    vip = await make_team("Escalations", weekly_hours=ALWAYS)
    await save_sla_policy(services, admin, name="Default", first_response_s=600,
                          resolution_s=3600, escalate_team_id=vip.id)
    conversation = await _write(services)
    assert await _run_sla_jobs(services, "warning") == 2
    notes = await _notes(services, conversation.id)
    assert any("first reply is due in" in n for n in notes)

    await _run_sla_jobs(services, "breach")
    await _run_sla_jobs(services)  # anything left runs once more: no second breach
    after = await _conversation(services, conversation.id)
    assert after.first_response_breached and after.resolution_breached
    assert after.priority == 2 and after.team_id == vip.id  # both clocks escalated once each
    notes = await _notes(services, conversation.id)
    assert sum("SLA breached: the first reply" in n for n in notes) == 1
    assert "handed to team Escalations" in notes[-2] or "handed to team Escalations" in notes[-1]
    assert {e["stage"] for e in bus.of_type("sla")} == {"warning", "breach"}
    async with services.read() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "sla.breach")) == 2


async def test_a_reply_in_time_makes_the_first_response_checks_moot(services, make_agent,
                                                                     make_team):
    admin = await _admin(make_agent)
    team = await make_team("Support", weekly_hours=ALWAYS)
    agent = await make_agent("Mei", teams=[team])
    await save_sla_policy(services, admin, name="Default", first_response_s=600,
                          resolution_s=3600)
    conversation = await _write(services)
    await send_message(services, agent, conversation.id, "Looking into it")
    await _run_sla_jobs(services)
    after = await _conversation(services, conversation.id)
    assert not after.first_response_breached
    assert not any("first reply" in n for n in await _notes(services, conversation.id))


async def test_waiting_on_the_customer_pauses_the_resolution_clock(services, make_agent,
                                                                    make_team):
    admin = await _admin(make_agent)
    team = await make_team("Support", weekly_hours=ALWAYS)
    agent = await make_agent("Mei", teams=[team])
    await save_sla_policy(services, admin, name="Default", first_response_s=600,
                          resolution_s=3600)
    conversation = await _write(services)
    await send_message(services, agent, conversation.id, "Which network did you use?")
    paused = await _conversation(services, conversation.id)
    assert paused.sla_paused_at is not None and paused.resolution_due_at is not None
    # two hours pass before the customer answers
    async with services.transaction() as session:
        await session.execute(update(Conversation).where(Conversation.id == conversation.id)
                              .values(sla_paused_at=utcnow() - timedelta(hours=2)))
    await _run_sla_jobs(services)  # while paused, nothing breaches
    assert not (await _conversation(services, conversation.id)).resolution_breached
    await _write(services, "TRC-20")
    resumed = await _conversation(services, conversation.id)
    assert resumed.sla_paused_at is None
    moved = resumed.resolution_due_at - paused.resolution_due_at  # type: ignore[operator]
    assert timedelta(hours=2) - timedelta(seconds=5) < moved < timedelta(hours=2, seconds=5)


async def test_resolving_stops_the_clocks(services, make_agent, make_team):
    admin = await _admin(make_agent)
    team = await make_team("Support", weekly_hours=ALWAYS)
    agent = await make_agent("Mei", teams=[team])
    await save_sla_policy(services, admin, name="Default", first_response_s=600,
                          resolution_s=3600)
    conversation = await _write(services)
    await resolve_conversation(services, agent, conversation.id)
    await _run_sla_jobs(services)
    after = await _conversation(services, conversation.id)
    assert not after.first_response_breached and not after.resolution_breached
    assert not any("SLA" in n for n in await _notes(services, conversation.id))


async def test_the_inbox_sorts_by_the_nearest_deadline(services, make_agent, make_team):
    from walletdesk.conversations.queries import InboxFilter, InboxSort, InboxView, list_inbox

    admin = await _admin(make_agent)
    await make_team("Support", weekly_hours=ALWAYS)
    await save_sla_policy(services, admin, name="Slow", first_response_s=7200,
                          resolution_s=86400)
    await save_sla_policy(services, admin, name="Scam", category="scam", first_response_s=300,
                          resolution_s=3600)
    urgent = await _write(services, "someone impersonates you", visitor="b", category="scam")
    slow = await _write(services, "question", visitor="a")  # the newest message
    async with services.read() as session:
        by_sla = await list_inbox(session, admin, InboxFilter(InboxView.all, sort=InboxSort.sla))
        recent = await list_inbox(session, admin, InboxFilter(InboxView.all))
    assert [c.id for c in by_sla] == [urgent.id, slow.id]
    assert [c.id for c in recent] == [slow.id, urgent.id]
