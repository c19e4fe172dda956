"""Follow-the-sun team choice and overflow to the outsourced team, on both engines."""

from datetime import UTC, datetime

from sqlalchemy import select

from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message, Status
from walletdesk.customers.models import Customer
from walletdesk.errors import Conflict, Invalid
from walletdesk.followups.models import FollowUp, FollowUpStatus
from walletdesk.routing.actions import choose_team
from walletdesk.routing.overflow import QueueLoad
from walletdesk.staffing.models import OverflowOffer, TeamOverflow
from walletdesk.staffing.overflow_choices import choose_overflow

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NINE_TO_FIVE = {day: [["09:00", "17:00"]] for day in DAYS}


def msg(visitor: str, language: str | None = "en", text: str = "my withdrawal is stuck"
        ) -> InboundMessage:
    return InboundMessage(channel="web", external_id=visitor, text=text, language=language)


async def test_follow_the_sun_picks_the_open_team_that_speaks_the_language(services, make_team):
    # 09–17 local in three zones: Shanghai (01–09 UTC), London (09–17 UTC in winter),
    # New York (14–22 UTC in winter)
    shanghai = await make_team("Shanghai", languages=["en", "zh-Hans"], timezone="Asia/Shanghai",
                               weekly_hours=NINE_TO_FIVE, is_default=True)
    london = await make_team("London", languages=["en"], timezone="Europe/London",
                             weekly_hours=NINE_TO_FIVE)
    new_york = await make_team("New York", languages=["en", "es"],
                               timezone="America/New_York", weekly_hours=NINE_TO_FIVE)
    async with services.read() as session:
        def at(hour: int) -> datetime:
            return datetime(2026, 12, 2, hour, 30, tzinfo=UTC)  # a Wednesday in winter

        assert (await choose_team(session, "en", at(3))).id == shanghai.id
        assert (await choose_team(session, "en", at(11))).id == london.id
        assert (await choose_team(session, "en", at(19))).id == new_york.id
        # Spanish: only New York speaks it; closed at 03:00 UTC, still chosen (the customer
        # is told when it is back) rather than an open team that does not speak it
        assert (await choose_team(session, "es", at(3))).id == new_york.id
        # nobody open at 23:00 UTC: a closed team that speaks it, the default first
        assert (await choose_team(session, "en", at(23))).id == shanghai.id
        # Chinese at London time: Shanghai is closed but the only one speaking it
        assert (await choose_team(session, "zh-Hans", at(11))).id == shanghai.id


async def test_a_new_conversation_goes_to_the_team_open_now(services, make_team, make_agent):
    now = datetime.now(UTC)
    closed = {day: [] for day in DAYS}
    asleep = await make_team("Asleep", languages=["en"], weekly_hours=closed, is_default=True)
    awake = await make_team("Awake", languages=["en"])
    agent = await make_agent("Ann", teams=[awake], online=True)
    received = await receive_message(services, msg("sun-1"))
    assert received.conversation.team_id == awake.id
    assert received.conversation.assignee_id == agent.id
    assert not received.conversation.after_hours
    assert asleep.id != awake.id and now.tzinfo is UTC


def test_expected_wait_from_queue_capacity_and_handling_time():
    assert QueueLoad(waiting=0, agents=1, slots=2, free=1, handle_s=300).expected_wait_s == 0
    # 4 ahead, no free slot, 2 slots each freeing every 300 s: the 5th waits 5 * 150 s
    assert QueueLoad(waiting=4, agents=2, slots=2, free=0, handle_s=300).expected_wait_s == 750
    assert QueueLoad(waiting=3, agents=0, slots=0, free=0, handle_s=300).expected_wait_s is None


async def _peak(services, make_team, make_agent, threshold: int = 400):  # type: ignore[no-untyped-def]
    own = await make_team("In-house", languages=["en"], is_default=True)
    outsourced = await make_team("Partner", languages=["en"], is_outsourced=True)
    await make_agent("Ian", teams=[own], capacity=1, online=True)
    partner = await make_agent("Pat", teams=[outsourced], role=Role.outsourced, capacity=3,
                               online=True)
    async with services.transaction() as session:
        session.add(TeamOverflow(team_id=own.id, wait_threshold_s=threshold))
    return own, outsourced, partner


async def test_overflow_sends_new_conversations_to_the_outsourced_team(services, bus, make_team,
                                                                      make_agent):
    own, outsourced, partner = await _peak(services, make_team, make_agent)
    # average_handle_s 240: the first is answered, the next waits 240 s, the one after 480 s
    first = await receive_message(services, msg("p1"))
    second = await receive_message(services, msg("p2"))
    assert first.conversation.team_id == own.id and first.conversation.status == Status.assigned
    assert second.conversation.team_id == own.id and second.conversation.status == Status.queued
    third = await receive_message(services, msg("p3"))  # 480 s > 400 s: overflow
    async with services.read() as session:
        moved = await session.get(Conversation, third.conversation.id)
    assert moved.team_id == outsourced.id
    assert moved.assignee_id == partner.id  # a free outsourced agent took it after commit
    offered = [e for e in bus.of_type("message") if e["conversation_id"] == moved.id
               and (e["message"]["meta"] or {}).get("kind") == "overflow_offer"]
    assert not offered  # no wait there: nothing to offer
    async with services.read() as session:
        offers = (await session.scalars(select(OverflowOffer))).all()
    assert [(o.conversation_id, o.from_team_id, o.to_team_id, o.expected_wait_s)
            for o in offers] == [(third.conversation.id, own.id, outsourced.id, 480)]
    # the outsourced agent sees masked data only, as for any conversation of theirs
    masked = [e for e in bus.of_type("message")
              if e["conversation_id"] == third.conversation.id and "masked_message" in e]
    assert masked


async def test_the_customer_is_told_the_wait_and_offered_the_choices(services, bus, make_team,
                                                                     make_agent):
    own, outsourced, partner = await _peak(services, make_team, make_agent)
    async with services.transaction() as session:
        (await session.get(type(partner), partner.id)).capacity = 0  # the partner is full too
    await receive_message(services, msg("q1"))
    await receive_message(services, msg("q2"))
    third = await receive_message(services, msg("q3"))
    conversation = third.conversation
    assert conversation.status == Status.queued
    async with services.read() as session:
        notices = (await session.scalars(select(Message).where(
            Message.conversation_id == conversation.id, Message.sender_kind == "system")
            .order_by(Message.seq))).all()
        offer = await session.scalar(select(OverflowOffer).where(
            OverflowOffer.conversation_id == conversation.id))
    assert offer is not None and offer.to_team_id == own.id  # partner no shorter: stays
    offer_message = notices[-1]
    assert offer_message.meta["kind"] == "overflow_offer"
    assert offer_message.meta["choices"] == ["wait", "email", "callback"]
    assert offer_message.meta["eta_s"] == 480 and "about 8 min" in offer_message.text

    # the e-mail choice stores the address, once; a bad one is refused
    try:
        await choose_overflow(services, customer_id=conversation.customer_id, offer_id=offer.id,
                              choice="email", email="not an address")
        raise AssertionError("a bad address was accepted")
    except Invalid:
        pass
    chosen = await choose_overflow(services, customer_id=conversation.customer_id,
                                   offer_id=offer.id, choice="email", email="wu@example.com")
    assert chosen.choice == "email"
    async with services.read() as session:
        customer = await session.get(Customer, conversation.customer_id)
        assert customer.email == "wu@example.com"
        assert (await session.get(Conversation, conversation.id)).status == Status.queued
    told = [e["message"]["text"] for e in bus.of_type("message")
            if e["conversation_id"] == conversation.id]
    assert any("w***@e***.com" in text for text in told)
    try:
        await choose_overflow(services, customer_id=conversation.customer_id, offer_id=offer.id,
                              choice="wait")
        raise AssertionError("a second choice was accepted")
    except Conflict:
        pass


async def test_a_call_back_becomes_a_follow_up_call(services, make_team, make_agent):
    own, outsourced, partner = await _peak(services, make_team, make_agent, threshold=0)
    async with services.transaction() as session:
        (await session.get(type(partner), partner.id)).capacity = 0
    await receive_message(services, msg("c1"))
    waiting = (await receive_message(services, msg("c2"))).conversation
    async with services.read() as session:
        offer = await session.scalar(select(OverflowOffer).where(
            OverflowOffer.conversation_id == waiting.id))
    try:
        await choose_overflow(services, customer_id=waiting.customer_id, offer_id=offer.id,
                              choice="callback", phone="call me")
        raise AssertionError("a bad number was accepted")
    except Invalid:
        pass
    # somebody else's offer is not theirs to answer
    other = (await receive_message(services, msg("c3"))).conversation
    try:
        await choose_overflow(services, customer_id=other.customer_id, offer_id=offer.id,
                              choice="wait")
        raise AssertionError("another customer's offer was answered")
    except Exception as exc:  # NotFound
        assert exc.__class__.__name__ == "NotFound"
    chosen = await choose_overflow(services, customer_id=waiting.customer_id, offer_id=offer.id,
                                   choice="callback", phone="+44 20 7946 0958")
    async with services.read() as session:
        followup = await session.get(FollowUp, chosen.followup_id)
        customer = await session.get(Customer, waiting.customer_id)
        last = await session.scalar(select(Message).where(
            Message.conversation_id == waiting.id).order_by(Message.seq.desc()).limit(1))
    assert followup.status == FollowUpStatus.notified and followup.customer_id == customer.id
    assert customer.phone == "+44 20 7946 0958"
    assert "/followup/" in last.text and "0958" not in last.text.replace("**58", "")


async def test_the_wait_uses_the_teams_recent_handling_time(services, bus, make_team,
                                                            make_agent):
    from datetime import timedelta

    from walletdesk.db.base import utcnow

    team = await make_team("Support", languages=["en"], is_default=True)
    await make_agent("Ann", teams=[team], capacity=1, online=True)
    async with services.transaction() as session:
        customer = Customer(display_name="Earlier", language="en")
        session.add(customer)
        await session.flush()
        for hours in range(1, 13):  # twelve resolved today, ten minutes each
            assigned = utcnow() - timedelta(hours=hours)
            session.add(Conversation(customer_id=customer.id, channel="web", language="en",
                                     status=Status.resolved, team_id=team.id,
                                     assigned_at=assigned,
                                     resolved_at=assigned + timedelta(minutes=10)))
    await receive_message(services, msg("h1"))  # Ann takes it
    await receive_message(services, msg("h2"))
    queue = [e for e in bus.of_type("queue")][-1]
    assert queue["position"] == 1 and queue["eta_s"] == 600  # not AVERAGE_HANDLE_S (240)
