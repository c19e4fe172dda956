"""Proactive messages: segments by rule, in-app campaigns sent once per customer (even when
a worker dies mid-send), the frequency cap across campaigns, quiet hours in the customer's
time zone, opt-out (link, SMS reply, staff toggle), safety tips as a recurring campaign."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from tests.notify.test_sms import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, twilio  # noqa: F401
from tests.outreach.helpers import (
    admin,
    awake_everywhere,
    campaign_to,
    run_jobs,
    sends,
    widget_customer,
)
from walletdesk.accounts.models import Role
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.db.base import utcnow
from walletdesk.errors import Forbidden, Invalid
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.outreach.actions import (
    cancel_campaign,
    launch_campaign,
    opt_out_by_link,
    opt_out_by_sms,
    save_campaign,
    save_segment,
    set_outreach_preferences,
)
from walletdesk.outreach.models import Campaign, CampaignStatus, OutreachSend, SendStatus
from walletdesk.outreach.queries import campaign_figures
from walletdesk.outreach.rules import stop_token
from walletdesk.outreach.segments import preview
from walletdesk.outreach.sending import reserve


@pytest.fixture(autouse=True)
def _awake(services) -> None:  # type: ignore[no-untyped-def]
    awake_everywhere(services)


async def _in_app_texts(services, customer_id: int) -> list[Message]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return [m for m in (await session.scalars(
            select(Message).join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.customer_id == customer_id,
                   Message.sender_kind == SenderKind.system)
            .order_by(Message.id))).all() if m.meta and "campaign_id" in m.meta]


async def test_a_segment_is_its_rule_and_its_preview_is_masked(services, make_agent):
    boss = await admin(services, make_agent)
    alice = await widget_customer(services, "v-alice", reason="withdrawal", language="zh-Hans",
                                  verified="user-1", email="alice.chan@example.com")
    await widget_customer(services, "v-bob", reason="withdrawal", language="en")
    await widget_customer(services, "v-carol", reason="deposit", language="zh-Hans")
    await widget_customer(services, "v-dan", reason="withdrawal", language="zh-Hans",
                          days_ago=40)  # asked too long ago
    await widget_customer(services, "dan@example.com", reason="withdrawal",
                          language="zh-Hans", channel="email")
    segment = await save_segment(services, boss, name="Chinese withdrawals", rule={
        "reason": "withdrawal", "days": 30, "languages": ["zh-CN"], "channels": ["web"]})
    assert segment.rule["languages"] == ["zh-Hans"]  # folded onto the customer locale
    async with services.read() as session:
        shown = await preview(session, segment.rule, utcnow())
        assert shown.count == 1 and [c.id for c in shown.sample] == [alice]
        assert shown.sample[0].email == "a***@e***.com" and shown.sample[0].verified
        verified_only = await preview(session, {"reason": "withdrawal", "verified": True},
                                      utcnow())
        unverified = await preview(session, {"reason": "withdrawal", "verified": False},
                                   utcnow())
    assert verified_only.count == 1 and unverified.count == 2  # bob, and dan by e-mail
    with pytest.raises(Invalid, match="unknown rule keys"):
        await save_segment(services, boss, name="bad", rule={"country": "CN"})
    with pytest.raises(Invalid, match="days"):
        await save_segment(services, boss, name="bad", rule={"days": 0})
    agent = await make_agent("Plain Agent", role=Role.agent)
    with pytest.raises(Forbidden):
        await save_segment(services, agent, name="mine", rule={})


async def test_an_in_app_campaign_reaches_each_customer_once_in_their_language(
        services, make_agent):
    boss = await admin(services, make_agent)
    alice = await widget_customer(services, "v-alice", reason="withdrawal", language="zh-Hans")
    bob = await widget_customer(services, "v-bob", reason="withdrawal", language="en")
    campaign = await campaign_to(services, boss, {"reason": "withdrawal"})
    await run_jobs(services)
    await run_jobs(services)  # nothing left to do: nothing doubled
    [to_alice] = await _in_app_texts(services, alice)
    [to_bob] = await _in_app_texts(services, bob)
    assert to_alice.text == "提现已恢复正常。" and to_bob.text == "Withdrawals are back to normal."
    assert to_bob.meta is not None and to_bob.meta["kind"] == "outreach"
    assert to_bob.meta["stop_url"].endswith(stop_token(services.settings, bob))
    figures = await campaign_figures(services, campaign.id)
    assert (figures.targeted, figures.sent, figures.delivered, figures.failed) == (2, 2, 2, 0)
    async with services.read() as session:
        done = await session.get(Campaign, campaign.id)
    assert done is not None and done.status == CampaignStatus.done and done.runs == 1


async def test_a_worker_dying_mid_send_doubles_nothing(services, make_agent):
    boss = await admin(services, make_agent)
    alice = await widget_customer(services, "v-alice", reason="withdrawal")
    campaign = await campaign_to(services, boss, {"reason": "withdrawal"})
    await run_jobs(services, rounds=1)  # the run: one send, its job due
    [send] = await sends(services, campaign.id)
    # a worker reserved the send (deliver step) and died before its commit
    assert (await reserve(services, send.id))["result"] == "go"
    assert (await sends(services))[0].status == SendStatus.sending
    async with services.transaction() as session:  # its lease expired
        await session.execute(update(Job).where(Job.kind == "outreach.send").values(
            status=JobStatus.running, lease_token="dead", lease_until=utcnow()
            - timedelta(seconds=1)))
    claimed = await claim_due(services, 10, 60)
    assert len(claimed) == 1
    job_id, token = claimed[0]
    assert await run_job(services, job_id, token, "second worker")
    assert not await run_job(services, job_id, token, "second worker")  # ran once
    # the run job itself repeated (e.g. scheduled again) finds its sends made
    async with services.transaction() as session:
        await session.execute(update(Campaign).values(status=CampaignStatus.scheduled, runs=0))
        session.add(Job(kind="outreach.run", payload={"campaign_id": campaign.id, "run": 1}))
    await run_jobs(services)
    assert len(await _in_app_texts(services, alice)) == 1
    [send] = await sends(services)
    assert send.status == SendStatus.sent and send.message_id is not None


async def test_the_frequency_cap_counts_every_campaign(services, make_agent):
    services.settings = services.settings.model_copy(update={
        "outreach_cap_messages": 2, "outreach_cap_days": 7})
    boss = await admin(services, make_agent)
    alice = await widget_customer(services, "v-alice", reason="withdrawal")
    for n in range(3):
        await campaign_to(services, boss, {"reason": "withdrawal"}, name=f"notice {n}")
        await run_jobs(services)
    statuses = [s.status for s in await sends(services)]
    assert statuses == [SendStatus.sent, SendStatus.sent, SendStatus.skipped_cap]
    third = (await sends(services))[2].campaign_id
    assert (await campaign_figures(services, third)).skipped_cap == 1
    async with services.transaction() as session:  # a week later the cap has passed
        await session.execute(update(OutreachSend).values(
            reserved_at=utcnow() - timedelta(days=8)))
    await campaign_to(services, boss, {"reason": "withdrawal"}, name="notice 4")
    await run_jobs(services)
    assert (await sends(services))[-1].status == SendStatus.sent
    assert len(await _in_app_texts(services, alice)) == 3


async def test_quiet_hours_follow_the_customers_time_zone_and_defer(services, make_agent):
    now = datetime.now(UTC)
    services.settings = services.settings.model_copy(update={
        "outreach_quiet_start": (now - timedelta(hours=1)).strftime("%H:00"),
        "outreach_quiet_end": (now + timedelta(hours=2)).strftime("%H:00"),
        "outreach_default_timezone": "UTC"})
    boss = await admin(services, make_agent)
    sleeper = await widget_customer(services, "v-sleeper", reason="withdrawal")
    awake = await widget_customer(services, "v-awake", reason="withdrawal")
    # twelve hours away from UTC, it is day where the awake customer lives
    await set_outreach_preferences(services, awake, timezone="Etc/GMT-12")
    campaign = await campaign_to(services, boss, {"reason": "withdrawal"})
    await run_jobs(services)
    assert len(await _in_app_texts(services, awake)) == 1
    assert await _in_app_texts(services, sleeper) == []  # deferred, not dropped
    by_customer = {s.customer_id: s for s in await sends(services)}
    deferred = by_customer[sleeper]
    assert deferred.status == SendStatus.pending and deferred.deferrals == 1
    assert deferred.due_at > now + timedelta(hours=1)
    async with services.read() as session:
        due = await session.scalar(select(Job.due_at).where(
            Job.kind == "outreach.send", Job.status == JobStatus.pending))
    assert due == deferred.due_at and due.astimezone(UTC).strftime("%H:00") == \
        services.settings.outreach_quiet_end
    figures = await campaign_figures(services, campaign.id)
    assert (figures.sent, figures.deferred_quiet_hours, figures.pending) == (1, 1, 1)
    async with services.transaction() as session:  # morning comes
        await session.execute(update(Job).where(Job.status == JobStatus.pending)
                              .values(due_at=utcnow()))
    services.settings = services.settings.model_copy(update={
        "outreach_quiet_start": (now + timedelta(hours=6)).strftime("%H:00"),
        "outreach_quiet_end": (now + timedelta(hours=8)).strftime("%H:00")})
    await run_jobs(services)
    assert len(await _in_app_texts(services, sleeper)) == 1


async def test_an_opt_out_is_honoured_by_every_later_send(services, make_agent):
    boss = await admin(services, make_agent)
    alice = await widget_customer(services, "v-alice", reason="withdrawal")
    bob = await widget_customer(services, "v-bob", reason="withdrawal", phone="+85291234567")
    carol = await widget_customer(services, "v-carol", reason="withdrawal")
    assert await opt_out_by_link(services, stop_token(services.settings, alice)) == alice
    assert not await opt_out_by_sms(services, "+852 9123 4567", "thanks!")
    assert await opt_out_by_sms(services, "+852 9123 4567", "STOP")
    await set_outreach_preferences(services, carol, opted_out=True, via="widget")
    await set_outreach_preferences(services, carol, opted_out=False, actor=boss)  # back in
    campaign = await campaign_to(services, boss, {"reason": "withdrawal"})
    await run_jobs(services)
    status = {s.customer_id: s.status for s in await sends(services)}
    assert status == {alice: SendStatus.skipped_opt_out, bob: SendStatus.skipped_opt_out,
                      carol: SendStatus.sent}
    figures = await campaign_figures(services, campaign.id)
    assert (figures.skipped_opt_out, figures.sent) == (2, 1)
    with pytest.raises(Forbidden):
        await set_outreach_preferences(services, alice, opted_out=False,
                                       actor=await make_agent("Out", role=Role.outsourced))


async def test_an_sms_campaign_goes_through_the_provider_with_its_stop_link(
        services, make_agent, twilio):  # noqa: F811
    services.settings = services.settings.model_copy(update={
        "sms_provider": "twilio", "twilio_account_sid": ACCOUNT_SID,
        "twilio_auth_token": AUTH_TOKEN, "twilio_from_number": FROM_NUMBER,
        "twilio_base_url": twilio.url})
    boss = await admin(services, make_agent)
    bob = await widget_customer(services, "v-bob", reason="withdrawal", phone="+85291234567")
    await widget_customer(services, "v-nophone", reason="withdrawal")
    campaign = await campaign_to(services, boss, {"reason": "withdrawal"}, channel="sms")
    await run_jobs(services)
    [request] = twilio.requests
    assert request["form"]["To"] == "+85291234567"
    assert request["form"]["Body"].startswith("Withdrawals are back to normal.")
    assert f"/outreach/stop/{stop_token(services.settings, bob)}" in request["form"]["Body"]
    figures = await campaign_figures(services, campaign.id)
    assert (figures.sent, figures.skipped_no_address) == (1, 1)
    assert {s.provider_id for s in await sends(services) if s.customer_id == bob} != {None}


async def test_staff_texts_are_protected_and_a_cancelled_campaign_sends_nothing(
        services, make_agent):
    boss = await admin(services, make_agent)
    await widget_customer(services, "v-alice", reason="withdrawal")
    phrase = ("abandon ability able about above absent absorb abstract absurd abuse access "
              "accident")
    campaign = await campaign_to(services, boss, {"reason": "withdrawal"}, launch=False,
                                 texts={"en": f"Never share {phrase} with anyone"})
    assert "abandon" not in campaign.texts["en"]
    with pytest.raises(Invalid, match="at least one language"):
        await save_campaign(services, boss, name="empty", segment_id=campaign.segment_id,
                            texts={"en": "  "})
    with pytest.raises(Invalid):
        await save_campaign(services, boss, name="bad locale", segment_id=campaign.segment_id,
                            texts={"xx-nope-nope": "hi"})
    await launch_campaign(services, boss, campaign.id, at=utcnow() + timedelta(hours=1))
    await cancel_campaign(services, boss, campaign.id)
    async with services.transaction() as session:
        await session.execute(update(Job).values(due_at=utcnow()))
    await run_jobs(services)
    assert await sends(services) == []


async def test_safety_tips_ship_in_every_language_and_repeat(services, make_agent):
    boss = await admin(services, make_agent)
    alice = await widget_customer(services, "v-alice", language="zh-Hant")
    tips = await save_campaign(services, boss, name="Safety tips", kind="safety_tip")
    assert tips.repeat_days == 30 and {"en", "zh-Hans", "zh-Hant", "es"} <= set(tips.texts)
    assert "recovery phrase" in tips.texts["en"]
    edited = await save_campaign(services, boss, tips.id, name="Safety tips", kind="safety_tip",
                                 texts={**tips.texts, "en": "We never ask for your seed."},
                                 repeat_days=14)
    await launch_campaign(services, boss, edited.id)
    await run_jobs(services)
    [tip] = await _in_app_texts(services, alice)
    assert tip.text == tips.texts["zh-Hant"]
    async with services.read() as session:
        campaign = await session.get(Campaign, tips.id)
        next_run = await session.scalar(select(Job).where(
            Job.kind == "outreach.run", Job.status == JobStatus.pending))
    assert campaign is not None and campaign.status == CampaignStatus.scheduled
    assert next_run is not None and next_run.payload["run"] == 2
    assert next_run.due_at - campaign.last_run_at >= timedelta(days=14) - timedelta(minutes=1)
    async with services.transaction() as session:  # two weeks later
        await session.execute(update(Job).where(Job.id == next_run.id).values(due_at=utcnow()))
    await run_jobs(services, rounds=2)
    assert len(await _in_app_texts(services, alice)) == 2
    async with services.read() as session:
        runs = await session.scalar(select(func.count(func.distinct(OutreachSend.run))))
    assert runs == 2


async def test_two_campaigns_racing_for_one_customer_respect_the_cap(services, make_agent):
    """The reservation locks the customer's row and counts itself: with a cap of one, two
    sends decided at the same moment let exactly one through."""
    services.settings = services.settings.model_copy(update={"outreach_cap_messages": 1})
    boss = await admin(services, make_agent)
    await widget_customer(services, "v-alice", reason="withdrawal")
    for name in ("first", "second"):
        await campaign_to(services, boss, {"reason": "withdrawal"}, name=name)
    await run_jobs(services, rounds=1)  # both runs: one send each, not yet decided
    pending = [s.id for s in await sends(services) if s.status == SendStatus.pending]
    assert len(pending) == 2
    decisions = await asyncio.gather(*(reserve(services, send_id) for send_id in pending))
    assert sorted(d["result"] for d in decisions) == ["go", "skipped"]
    assert sorted(s.status for s in await sends(services)) == [SendStatus.sending,
                                                               SendStatus.skipped_cap]
