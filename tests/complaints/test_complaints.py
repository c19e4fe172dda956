"""Complaints: stages in order with what each needs, approval above the threshold by a second
pair of eyes, the customer told in their language, every change recorded and timed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from walletdesk.accounts.models import Role
from walletdesk.audit.models import AuditEvent
from walletdesk.cases.sla import save_sla_policy
from walletdesk.complaints import texts
from walletdesk.complaints.actions import (
    STAGES,
    advance_complaint,
    close_complaint,
    open_complaint,
)
from walletdesk.complaints.models import Complaint, ComplaintEvent
from walletdesk.complaints.queries import list_complaints, stage_durations
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message
from walletdesk.db.base import utcnow
from walletdesk.errors import Conflict, Forbidden, Invalid, NotFound
from walletdesk.services import Services


async def _write(services: Services, visitor: str = "v1", language: str = "zh-Hans",
                 text: str = "我的提现一直没到账"):  # type: ignore[no-untyped-def]
    return (await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, language=language))).conversation


async def _desk(make_team, make_agent):  # type: ignore[no-untyped-def]
    """A support team with two agents and a supervisor."""
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])
    li = await make_agent("Li", teams=[team])
    boss = await make_agent("Boss", role=Role.supervisor, teams=[team])
    return team, mei, li, boss


async def _complaint_messages(services: Services, conversation_id: int
                              ) -> list[tuple[str, bool, str]]:
    """(stage, internal, text) of the complaint's messages in the conversation, in order."""
    async with services.read() as session:
        messages = (await session.scalars(select(Message).where(
            Message.conversation_id == conversation_id).order_by(Message.seq))).all()
    return [(m.meta["stage"], m.is_internal, m.text) for m in messages
            if (m.meta or {}).get("kind") == "complaint"]


async def _events(services: Services, complaint_id: int) -> list[ComplaintEvent]:
    async with services.read() as session:
        return list((await session.scalars(select(ComplaintEvent).where(
            ComplaintEvent.complaint_id == complaint_id).order_by(ComplaintEvent.id))).all())


async def _audit_actions(services: Services, complaint_id: int) -> list[str]:
    async with services.read() as session:
        return list((await session.scalars(select(AuditEvent.action).where(
            AuditEvent.target_type == "complaint", AuditEvent.target_id == str(complaint_id))
            .order_by(AuditEvent.id))).all())


async def _load(services: Services, complaint_id: int) -> Complaint:
    async with services.read() as session:
        found = await session.get(Complaint, complaint_id)
        assert found is not None
        return found


async def _to_proposal(services, agent, conversation_id, **proposal):  # type: ignore[no-untyped-def]
    complaint = await open_complaint(services, agent, conversation_id, category="withdrawal",
                                     summary="withdrawal not received")
    await advance_complaint(services, agent, complaint.id, "investigating",
                            summary="stuck at the bridge")
    return await advance_complaint(services, agent, complaint.id, "resolution_proposed",
                                   **proposal)


async def test_the_whole_way_with_the_customer_told_in_their_language(services, bus, make_team,
                                                                     make_agent):
    _, mei, _, boss = await _desk(make_team, make_agent)
    conversation = await _write(services)
    complaint = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                     summary="250 USDT withdrawal never arrived")
    assert complaint.stage == "received" and complaint.customer_id == conversation.customer_id
    async with services.read() as session:
        marked = await session.get(Conversation, conversation.id)
        assert marked is not None and marked.category == "complaint" and marked.priority >= 1

    await advance_complaint(services, mei, complaint.id, "investigating",
                            summary="TRC-20 withdrawal stuck in the hot wallet queue")
    await advance_complaint(services, mei, complaint.id, "resolution_proposed", kind="refund",
                            amount="250", asset="usdt", note="fee was charged twice")
    await advance_complaint(services, boss, complaint.id, "approved")
    await advance_complaint(services, mei, complaint.id, "customer_notified")
    await advance_complaint(services, mei, complaint.id, "followed_up",
                            note="customer confirmed the refund arrived")
    closed = await advance_complaint(services, mei, complaint.id, "closed")

    assert closed.stage == "closed" and closed.closed_at is not None
    done = await _load(services, complaint.id)
    assert done.owner_agent_id == mei.id and done.summary.startswith("TRC-20")
    assert (done.resolution_kind, done.amount, done.asset) == ("refund", Decimal("250"), "USDT")
    assert done.proposed_by_agent_id == mei.id and done.approved_by_agent_id == boss.id
    assert "fee was charged twice" in done.notes and "refund arrived" in done.notes
    assert done.close_reason is None

    said = await _complaint_messages(services, conversation.id)
    to_customer = [(stage, text) for stage, internal, text in said if not internal]
    ref = str(complaint.id)
    def told(key: str) -> str:
        return texts.text(key, "zh-Hans", ref=ref)

    assert to_customer == [
        ("received", told("complaint_received")),
        ("investigating", told("complaint_investigating")),
        ("resolution_proposed", told("complaint_resolution_proposed")),
        ("approved", told("complaint_approved")),
        ("customer_notified", f"您的投诉 #{ref} 处理结果：我们将向您退款 250 USDT。"),
        ("followed_up", told("complaint_followed_up")),
        ("closed", told("complaint_closed")),
    ]
    assert [stage for stage, internal, _ in said if internal] == [
        "resolution_proposed", "approved", "followed_up"]
    # the widget hears the customer-visible ones live
    live = [e["message"]["text"] for e in bus.of_type("message")
            if not e["message"]["internal"] and (e["message"]["meta"] or {}).get("kind")
            == "complaint"]
    assert live == [text for _, text in to_customer]
    assert [e["stage"] for e in bus.of_type("complaint")] == list(STAGES)


async def test_every_change_is_an_event_and_an_audit_entry(services, make_team, make_agent):
    _, mei, li, boss = await _desk(make_team, make_agent)
    conversation = await _write(services)
    complaint = await _to_proposal(services, mei, conversation.id, kind="compensation",
                                   amount=Decimal("0.015"), asset="BTC")
    await advance_complaint(services, li, complaint.id, "approved")  # below the threshold
    await advance_complaint(services, mei, complaint.id, "customer_notified")
    await advance_complaint(services, mei, complaint.id, "followed_up", note="all good")
    await advance_complaint(services, boss, complaint.id, "closed")

    events = await _events(services, complaint.id)
    assert [e.stage for e in events] == list(STAGES)
    assert [e.actor_agent_id for e in events] == [mei.id, mei.id, mei.id, li.id, mei.id, mei.id,
                                                  boss.id]
    assert all(a.at <= b.at for a, b in zip(events, events[1:], strict=False))
    assert events[2].detail == {"kind": "compensation", "amount": "0.015", "asset": "BTC",
                                "note": ""}
    assert await _audit_actions(services, complaint.id) == [f"complaint.{s}" for s in STAGES]
    said = await _complaint_messages(services, conversation.id)
    assert "0.015 BTC" in next(text for stage, _, text in said if stage == "customer_notified")


async def test_customers_are_told_in_spanish_and_english_too(services, make_team, make_agent):
    _, mei, _, _ = await _desk(make_team, make_agent)
    spanish = await _write(services, visitor="es1", language="es-MX", text="No llega mi retiro")
    english = await _write(services, visitor="en1", language=None, text="My deposit is missing")
    for conversation in (spanish, english):
        await open_complaint(services, mei, conversation.id, category="deposit",
                             summary="missing deposit")
    assert "Hemos registrado tu reclamación" in (
        await _complaint_messages(services, spanish.id))[0][2]
    assert "We have registered your complaint" in (
        await _complaint_messages(services, english.id))[0][2]


async def test_stages_move_forward_one_step_at_a_time(services, make_team, make_agent):
    _, mei, _, _ = await _desk(make_team, make_agent)
    conversation = await _write(services)
    complaint = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                     summary="stuck")
    with pytest.raises(Invalid, match="the next stage is investigating"):
        await advance_complaint(services, mei, complaint.id, "approved")
    with pytest.raises(Invalid, match="unknown complaint stage 'escalated'"):
        await advance_complaint(services, mei, complaint.id, "escalated")
    with pytest.raises(Invalid, match="the stage investigating takes no amount"):
        await advance_complaint(services, mei, complaint.id, "investigating", summary="x",
                                amount="5")
    with pytest.raises(Invalid, match="to close it before it is followed up, give a reason"):
        await advance_complaint(services, mei, complaint.id, "closed")
    await advance_complaint(services, mei, complaint.id, "investigating", summary="stuck")
    with pytest.raises(Invalid, match="stages only move forward"):
        await advance_complaint(services, mei, complaint.id, "received")
    with pytest.raises(Invalid, match="stages only move forward"):
        await advance_complaint(services, mei, complaint.id, "investigating", summary="again")
    assert (await _load(services, complaint.id)).stage == "investigating"
    assert [e.stage for e in await _events(services, complaint.id)] == ["received",
                                                                        "investigating"]


async def test_each_stage_requires_its_fields(services, make_team, make_agent):
    _, mei, _, _ = await _desk(make_team, make_agent)
    outsider = await make_agent("Vendor", role=Role.outsourced,
                                teams=[await make_team("Vendor", is_outsourced=True)])
    conversation = await _write(services)
    with pytest.raises(Invalid, match="a summary of the complaint is required"):
        await open_complaint(services, mei, conversation.id, category="x", summary="  ")
    with pytest.raises(Invalid, match="a category is required"):
        await open_complaint(services, mei, conversation.id, category="", summary="stuck")
    complaint = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                     summary="stuck")
    with pytest.raises(Invalid, match="a summary of the issue is required"):
        await advance_complaint(services, mei, complaint.id, "investigating")
    with pytest.raises(Invalid, match="cannot see this conversation"):
        await advance_complaint(services, mei, complaint.id, "investigating", summary="stuck",
                                owner_agent_id=outsider.id)
    with pytest.raises(Invalid, match="active agent"):
        await advance_complaint(services, mei, complaint.id, "investigating", summary="stuck",
                                owner_agent_id=999_999)
    await advance_complaint(services, mei, complaint.id, "investigating", summary="stuck")

    def propose(**fields):  # type: ignore[no-untyped-def]
        return advance_complaint(services, mei, complaint.id, "resolution_proposed", **fields)

    for fields, message in [
        ({}, "needs a kind: refund, compensation, explanation"),
        ({"kind": "voucher"}, "needs a kind"),
        ({"kind": "refund", "asset": "USDT"}, "needs an amount"),
        ({"kind": "refund", "amount": "-5", "asset": "USDT"}, "positive"),
        ({"kind": "refund", "amount": "0", "asset": "USDT"}, "positive"),
        ({"kind": "refund", "amount": "ten", "asset": "USDT"}, "must be a number"),
        ({"kind": "refund", "amount": "NaN", "asset": "USDT"}, "positive"),
        ({"kind": "refund", "amount": "0.123456789", "asset": "BTC"}, "8 decimal places"),
        ({"kind": "refund", "amount": "1000000000000", "asset": "USDT"}, "too large"),
        ({"kind": "compensation", "amount": "5"}, "needs an asset"),
        ({"kind": "compensation", "amount": "5", "asset": "US-DT"}, "letters or digits"),
        ({"kind": "compensation", "amount": "5", "asset": "A" * 21}, "1 to 20"),
        ({"kind": "explanation", "amount": "5"}, "an explanation takes no amount"),
    ]:
        with pytest.raises(Invalid, match=message):
            await propose(**fields)
    assert (await _load(services, complaint.id)).stage == "investigating"

    await propose(kind="explanation")
    await advance_complaint(services, mei, complaint.id, "approved")
    await advance_complaint(services, mei, complaint.id, "customer_notified")
    with pytest.raises(Invalid, match="a note of the follow-up is required"):
        await advance_complaint(services, mei, complaint.id, "followed_up")
    await advance_complaint(services, mei, complaint.id, "followed_up", note="happy now")
    done = await _load(services, complaint.id)
    assert done.stage == "followed_up" and done.amount is None and done.asset is None
    said = await _complaint_messages(services, conversation.id)
    told = next(text for stage, internal, text in said
                if stage == "customer_notified" and not internal)
    assert told == texts.text("complaint_outcome_explanation", "zh-Hans", ref=str(complaint.id))


async def test_above_the_threshold_only_another_manager_approves(services, make_team,
                                                                 make_agent):
    team, mei, li, boss = await _desk(make_team, make_agent)
    admin = await make_agent("Root", role=Role.admin)
    first = await _to_proposal(services, mei, (await _write(services, "a")).id, kind="refund",
                               amount="150", asset="USDT")
    with pytest.raises(Forbidden, match="supervisor or an admin"):
        await advance_complaint(services, li, first.id, "approved")
    with pytest.raises(Forbidden, match="supervisor or an admin"):
        await advance_complaint(services, mei, first.id, "approved")
    await advance_complaint(services, boss, first.id, "approved")
    assert (await _load(services, first.id)).approved_by_agent_id == boss.id

    # the threshold is compared in the complaint's own asset: 0.5 BTC is not above 100
    second = await _to_proposal(services, boss, (await _write(services, "b")).id,
                                kind="compensation", amount="0.5", asset="BTC")
    await advance_complaint(services, boss, second.id, "approved")
    assert (await _load(services, second.id)).approved_by_agent_id == boss.id
    # above it, a supervisor's own proposal needs another manager (four eyes)
    third = await _to_proposal(services, boss, (await _write(services, "c")).id, kind="refund",
                               amount="100.00000001", asset="USDT")
    with pytest.raises(Forbidden, match="four-eyes"):
        await advance_complaint(services, boss, third.id, "approved")
    assert [e.stage for e in await _events(services, third.id)][-1] == "resolution_proposed"
    await advance_complaint(services, admin, third.id, "approved")
    assert (await _load(services, third.id)).stage == "approved"


async def test_at_or_below_the_threshold_any_agent_approves_even_their_own(services, make_team,
                                                                           make_agent):
    _, mei, li, _ = await _desk(make_team, make_agent)
    own = await _to_proposal(services, mei, (await _write(services, "a")).id, kind="refund",
                             amount="100", asset="USDT")  # the threshold itself: not above
    await advance_complaint(services, mei, own.id, "approved")
    other = await _to_proposal(services, mei, (await _write(services, "b")).id,
                               kind="explanation")
    await advance_complaint(services, li, other.id, "approved")
    assert (await _load(services, own.id)).approved_by_agent_id == mei.id
    assert (await _load(services, other.id)).approved_by_agent_id == li.id

    services.settings.complaint_approval_threshold = Decimal("10")  # configurable
    lower = await _to_proposal(services, mei, (await _write(services, "c")).id, kind="refund",
                               amount="40", asset="USDT")
    with pytest.raises(Forbidden, match="above 10 USDT"):
        await advance_complaint(services, li, lower.id, "approved")


async def test_closing_early_needs_and_keeps_a_reason(services, make_team, make_agent):
    _, mei, _, _ = await _desk(make_team, make_agent)
    conversation = await _write(services)
    complaint = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                     summary="stuck")
    await advance_complaint(services, mei, complaint.id, "investigating", summary="stuck")
    with pytest.raises(Invalid, match="a reason for closing is required"):
        await close_complaint(services, mei, complaint.id, reason=" ")
    closed = await close_complaint(services, mei, complaint.id, reason="withdrawn by customer")
    assert closed.stage == "closed" and closed.close_reason == "withdrawn by customer"
    assert closed.closed_at is not None
    last = (await _events(services, complaint.id))[-1]
    assert last.stage == "closed" and last.detail["early"] is True
    assert last.detail["from_stage"] == "investigating"
    assert last.detail["reason"] == "withdrawn by customer"
    said = await _complaint_messages(services, conversation.id)
    closing = [(internal, text) for stage, internal, text in said if stage == "closed"]
    # the customer hears it is closed; the reason is for agents
    assert [internal for internal, _ in closing] == [False, True]
    assert "withdrawn" not in closing[0][1] and "withdrawn by customer" in closing[1][1]
    assert (await _audit_actions(services, complaint.id))[-1] == "complaint.closed"
    with pytest.raises(Invalid, match="closed already"):
        await close_complaint(services, mei, complaint.id, reason="again")
    with pytest.raises(Invalid, match="is closed"):
        await advance_complaint(services, mei, complaint.id, "resolution_proposed",
                                kind="explanation")

    # closing early through advance_complaint, with a reason
    again = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                 summary="it happened again")
    done = await advance_complaint(services, mei, again.id, "closed", reason="duplicate")
    assert done.close_reason == "duplicate" and done.closed_at is not None


async def test_one_open_complaint_per_conversation(services, make_team, make_agent):
    _, mei, li, _ = await _desk(make_team, make_agent)
    conversation = await _write(services)
    first = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                 summary="stuck")
    with pytest.raises(Conflict, match=f"already has an open complaint \\(#{first.id}\\)"):
        await open_complaint(services, li, conversation.id, category="fees", summary="fees")
    await close_complaint(services, mei, first.id, reason="withdrawn by customer")
    second = await open_complaint(services, li, conversation.id, category="fees", summary="fees")
    assert second.id != first.id and second.stage == "received"


async def test_an_agent_who_cannot_see_the_conversation_gets_not_found(services, make_team,
                                                                      make_agent):
    team, mei, _, _ = await _desk(make_team, make_agent)
    vendor = await make_team("Vendor", is_outsourced=True)
    outsider = await make_agent("Vendor Agent", role=Role.outsourced, teams=[vendor])
    conversation = await _write(services)
    assert conversation.team_id == team.id
    with pytest.raises(NotFound):
        await open_complaint(services, outsider, conversation.id, category="x", summary="y")
    complaint = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                     summary="stuck")
    with pytest.raises(NotFound, match="complaint not found"):
        await advance_complaint(services, outsider, complaint.id, "investigating", summary="z")
    with pytest.raises(NotFound, match="complaint not found"):
        await close_complaint(services, outsider, complaint.id, reason="nope")
    with pytest.raises(NotFound, match="complaint not found"):
        await advance_complaint(services, mei, complaint.id + 1000, "investigating",
                                summary="z")
    assert (await _load(services, complaint.id)).stage == "received"
    async with services.read() as session:
        assert await list_complaints(session, outsider) == []
        assert [c.id for c in await list_complaints(session, mei)] == [complaint.id]


async def test_list_complaints_filters_by_stage(services, make_team, make_agent):
    _, mei, _, boss = await _desk(make_team, make_agent)
    received = await open_complaint(services, mei, (await _write(services, "a")).id,
                                    category="withdrawal", summary="stuck")
    proposed = await _to_proposal(services, mei, (await _write(services, "b")).id,
                                  kind="explanation")
    async with services.read() as session:
        assert [c.id for c in await list_complaints(session, boss, "received")] == [received.id]
        assert [c.id for c in await list_complaints(session, mei, "resolution_proposed")] == [
            proposed.id]
        assert {c.id for c in await list_complaints(session, mei)} == {received.id, proposed.id}
        with pytest.raises(Invalid, match="unknown complaint stage"):
            await list_complaints(session, mei, "lost")


async def test_stage_durations_report_time_in_each_stage(services, make_team, make_agent):
    _, mei, _, _ = await _desk(make_team, make_agent)
    a = await open_complaint(services, mei, (await _write(services, "a")).id, category="w",
                             summary="a")
    await advance_complaint(services, mei, a.id, "investigating", summary="a")
    await advance_complaint(services, mei, a.id, "resolution_proposed", kind="explanation")
    b = await open_complaint(services, mei, (await _write(services, "b")).id, category="w",
                             summary="b")
    await advance_complaint(services, mei, b.id, "investigating", summary="b")
    await close_complaint(services, mei, b.id, reason="withdrawn by customer")
    c = await open_complaint(services, mei, (await _write(services, "c")).id, category="w",
                             summary="c")
    old = await open_complaint(services, mei, (await _write(services, "d")).id, category="w",
                               summary="d")
    await advance_complaint(services, mei, old.id, "investigating", summary="d")

    base = utcnow() - timedelta(hours=10)
    offsets = {a.id: [0, 100, 400], b.id: [1000, 1300, 2300], c.id: [2000],
               old.id: [-86400, -86000]}  # the old complaint's stays began before "since"
    async with services.transaction() as session:
        for complaint_id, seconds in offsets.items():
            events = (await session.scalars(select(ComplaintEvent.id).where(
                ComplaintEvent.complaint_id == complaint_id).order_by(ComplaintEvent.id))).all()
            assert len(events) == len(seconds)
            for event_id, offset in zip(events, seconds, strict=True):
                await session.execute(update(ComplaintEvent).where(ComplaintEvent.id == event_id)
                                      .values(at=base + timedelta(seconds=offset)))

    async with services.read() as session:
        report = await stage_durations(session, base, now=base + timedelta(seconds=10_000))
        live = await stage_durations(session, base)
    assert list(report) == list(STAGES[:-1])
    received = report["received"]  # a: 100 s, b: 300 s, c: still there, 8000 s
    assert (received.count, received.average_s, received.median_s, received.max_s) == (
        3, 2800.0, 300.0, 8000.0)
    investigating = report["investigating"]  # a: 300 s, b: 1000 s until closed early
    assert (investigating.count, investigating.average_s, investigating.median_s,
            investigating.max_s) == (2, 650.0, 650.0, 1000.0)
    proposed = report["resolution_proposed"]  # a: still there, 9600 s
    assert (proposed.count, proposed.max_s) == (1, 9600.0)
    assert report["approved"].count == 0 and report["approved"].average_s is None
    # up to now: c has been "received" for about 10 h less 2000 s
    assert live["received"].max_s is not None
    assert 34_000 <= live["received"].max_s < 34_000 + 120


async def test_a_complaint_sla_policy_takes_over(services, make_team, make_agent):
    _, mei, _, _ = await _desk(make_team, make_agent)
    admin = await make_agent("Root", role=Role.admin)
    await save_sla_policy(services, admin, name="Default", first_response_s=3600,
                          resolution_s=86400)
    fast = await save_sla_policy(services, admin, name="Complaints", category="complaint",
                                 first_response_s=300, resolution_s=7200)
    conversation = await _write(services)
    assert conversation.sla_policy_id is not None and conversation.sla_policy_id != fast.id
    before = conversation.resolution_due_at
    await open_complaint(services, mei, conversation.id, category="withdrawal", summary="stuck")
    async with services.read() as session:
        after = await session.get(Conversation, conversation.id)
    assert after is not None and after.sla_policy_id == fast.id
    assert before is not None and after.resolution_due_at is not None
    assert after.resolution_due_at < before - timedelta(hours=20)
