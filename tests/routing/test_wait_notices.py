"""What a waiting customer is told in the thread agrees with their banner: "An agent will be
with you shortly" only for a short wait; past 10 minutes every agent is busy, their place and
the wait, said as the banner says it ("about 3 hours", not "174 min"). SQLite and PostgreSQL
for the routing; the wording is pure."""

import pytest
from sqlalchemy import select

from walletdesk.conversations.actions import (
    InboundMessage,
    assign_conversation,
    receive_message,
)
from walletdesk.conversations.models import Message, SenderKind, Status
from walletdesk.i18n import text, translate
from walletdesk.routing.waits import (
    LONG_WAIT_S,
    LONG_WAIT_TEXTS,
    answers_by_mail,
    long_wait_text,
    wait_label,
)


def msg(visitor: str, email: str | None = None) -> InboundMessage:
    return InboundMessage(channel="web", external_id=visitor, text="my withdrawal is stuck",
                          language="en", customer_email=email)


async def notices(services, conversation_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return list((await session.scalars(
            select(Message.text).where(Message.conversation_id == conversation_id,
                                       Message.sender_kind == SenderKind.system)
            .order_by(Message.seq))).all())


@pytest.mark.parametrize(("seconds", "language", "said"), [
    (174 * 60, "en", "3 hours"), (174 * 60, "zh-Hans", "3小时"), (174 * 60, "zh-Hant", "3 小時"),
    (174 * 60, "es", "3 horas"), (90 * 60, "en", "1.5 hours"), (90 * 60, "es", "1,5 horas"),
    (45 * 60, "en", "45 minutes"), (45 * 60, "zh-Hans", "45分钟"), (20, "en", "1 minute"),
    (3590, "en", "1 hour"), (7 * 3600 + 1000, "en", "7 hours"), (500, None, "8 minutes"),
])
def test_a_wait_is_said_in_minutes_then_hours(seconds: int, language: str | None,
                                              said: str) -> None:
    assert wait_label(seconds, language) == said


def test_only_a_long_wait_has_its_own_notice(services) -> None:  # type: ignore[no-untyped-def]
    assert long_wait_text("queued", "en", position=2, eta_s=LONG_WAIT_S, by_mail=False) is None
    assert long_wait_text("agent_joined", "en", position=2, eta_s=9999, by_mail=False) is None
    told = long_wait_text("queued", "en", position=7, eta_s=174 * 60, by_mail=True)
    assert told == translate(LONG_WAIT_TEXTS["queued_mail"], "en", position=7, wait="3 hours")
    assert "number 7 in line" in told and "about 3 hours" in told and "e-mail" in told
    # by e-mail only where the desk mails unread replies: web chat, an address, SMTP
    mailing = services.settings.model_copy(update={"smtp_host": "mail.example.com"})
    assert answers_by_mail(mailing, "web", "wu@example.com")
    assert not answers_by_mail(mailing, "web", None)
    assert not answers_by_mail(mailing, "sms", "wu@example.com")
    assert not answers_by_mail(services.settings, "web", "wu@example.com")  # no SMTP
    assert not answers_by_mail(mailing.model_copy(update={"chat_reply_mail_after_min": 0}),
                               "web", "wu@example.com")


async def test_the_notice_says_the_wait_the_banner_shows(services, bus, make_team,
                                                         make_agent) -> None:
    team = await make_team()
    await make_agent("Ann", teams=[team], online=True, capacity=1)
    await receive_message(services, msg("first"))  # Ann's one slot
    # average_handle_s 240, one slot: number n in line waits n × 240 s
    waiting = [(await receive_message(services, msg(f"w{n}", email="wu@example.com")))
               .conversation for n in range(1, 4)]
    assert all(conversation.status == Status.queued for conversation in waiting)
    banners = []
    for conversation in waiting:
        first_banner = next(e for e in bus.of_type("queue")
                            if e["conversation_id"] == conversation.id)
        banners.append((first_banner["position"], first_banner["eta_s"],
                        first_banner["eta_label"]))
    assert banners == [(1, 240, "4 minutes"), (2, 480, "8 minutes"), (3, 720, "12 minutes")]
    shortly = text("queued", "en")
    assert await notices(services, waiting[0].id) == [shortly]
    assert await notices(services, waiting[1].id) == [shortly]
    # no SMTP here: the answer comes in the chat only
    assert await notices(services, waiting[2].id) == [
        translate(LONG_WAIT_TEXTS["queued"], "en", position=3, wait="12 minutes")]
    assert "about 12 minutes" in (await notices(services, waiting[2].id))[0]


async def test_a_transfer_to_a_busy_team_says_the_wait(services, make_team, make_agent) -> None:
    front, back = await make_team("Front"), await make_team("Back")
    alice = await make_agent("Alice", teams=[front], online=True)
    await make_agent("Bob", teams=[back], online=True, capacity=1)
    bobs = [await receive_message(services, InboundMessage(
        channel="web", external_id=f"b{n}", text="help", language="en")) for n in range(4)]
    for delivered in bobs:  # Bob's slot taken, three waiting for him
        await assign_conversation(services, alice, delivered.conversation.id, team_id=back.id)
    told = [(await notices(services, d.conversation.id))[-1] for d in bobs[1:]]
    assert told[:2] == [text("transferred_waiting", "en")] * 2
    assert told[2] == translate(LONG_WAIT_TEXTS["transferred_waiting"], "en", position=3,
                             wait="12 minutes")


async def test_an_overflow_offer_is_the_only_notice(services, make_team, make_agent) -> None:
    """The offer says the wait and the choices: no "shortly" above it any more."""
    from tests.staffing.test_routing_peaks import _peak

    own, _, partner = await _peak(services, make_team, make_agent)
    async with services.transaction() as session:
        (await session.get(type(partner), partner.id)).capacity = 0  # the partner is full too
    for visitor in ("o1", "o2"):
        await receive_message(services, msg(visitor))
    third = (await receive_message(services, msg("o3"))).conversation
    assert third.status == Status.queued and third.team_id == own.id
    [offer] = await notices(services, third.id)
    assert offer.startswith("We're very busy right now: the expected wait is about 8 minutes.")
