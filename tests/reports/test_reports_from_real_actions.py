"""Reports over a history made with the real actions (receive, reply, resolve, write again):
the resolve marks the reports count reopens from are written by the actions themselves."""

from datetime import timedelta

from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    resolve_conversation,
    send_message,
)
from walletdesk.db.base import utcnow
from walletdesk.reports.filters import parse_filter
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.volume import volume_report


async def test_a_reopen_made_by_the_customer_is_counted(services, make_team, make_agent) -> None:  # type: ignore[no-untyped-def]
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    first = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="my transfer is stuck", language="en"))
    await send_message(services, alice, first.conversation.id, "let me check")
    await resolve_conversation(services, alice, first.conversation.id)
    again = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="it is stuck again", language="en"))
    assert again.conversation.id == first.conversation.id  # within the reopen window
    other = await receive_message(services, InboundMessage(
        channel="web", external_id="v2", text="how do fees work", language="en"))
    await send_message(services, alice, other.conversation.id, "like this")
    await resolve_conversation(services, alice, other.conversation.id)

    today = utcnow().date()
    report = parse_filter(start=(today - timedelta(days=1)).isoformat(),
                          end=(today + timedelta(days=1)).isoformat(), tz="UTC")
    async with services.read() as session:
        outcome = await outcome_report(session, report)
        speed = await speed_report(session, report)
        volume = await volume_report(session, report)
    assert (outcome.conversations, outcome.ever_resolved, outcome.reopened) == (2, 2, 1)
    assert (outcome.resolved, outcome.reopen_rate) == (1, 0.5)
    assert speed.first_response.count == 2 and speed.first_response.median_s is not None
    assert speed.resolution.count == 1  # the reopened one is open again
    assert volume.messages == 5  # 3 customer + 2 agent; the desk's notices are not counted
