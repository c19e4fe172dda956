"""A "thanks", "ok" or goodbye alone after an agent resolved a conversation does not reopen
it on the desk (walletdesk.small_talk.only_courtesy), so the reports do not count it as a
reopen and it does not break first-contact resolution — computed live and from the rollup
alike. Words beyond courtesy, a greeting (a question follows), a long message or an agent
writing again still reopen."""

from datetime import timedelta

import pytest

from tests.reports.test_rollups import refresh
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    resolve_conversation,
    send_message,
)
from walletdesk.conversations.models import Conversation, Status
from walletdesk.db.base import utcnow
from walletdesk.reports.filters import parse_filter
from walletdesk.reports.first_contact import first_contact_report
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.rollups import fact_source

AFTER_RESOLVE = {
    "v1": ["thanks!!"],  # courtesy: not reopened
    "v2": ["ok 👍", "谢谢", "gracias, adiós"],  # courtesy, several times: not reopened
    "v3": ["thanks, but one more question"],  # reopened
    "v4": ["hi"],  # a greeting: a question follows, reopened
    "v5": ["thanks " * 15],  # longer than small talk ever is: reopened
    "v6": [],  # nothing after the resolve
}


async def _history(services, make_team, make_agent) -> dict[str, int]:  # type: ignore[no-untyped-def]
    team = await make_team()
    alice = await make_agent("Alice", teams=[team], online=True)
    ids = {}
    for visitor, after in AFTER_RESOLVE.items():
        first = await receive_message(services, InboundMessage(
            channel="web", external_id=visitor, text="my transfer is stuck", language="en"))
        await send_message(services, alice, first.conversation.id, "it has arrived now")
        await resolve_conversation(services, alice, first.conversation.id)
        for words in after:
            again = await receive_message(services, InboundMessage(
                channel="web", external_id=visitor, text=words, language="en"))
            assert again.conversation.id == first.conversation.id
        ids[visitor] = first.conversation.id
    # an agent writing again after the resolve still counts as a reopen (docs/reports.md)
    await send_message(services, alice, ids["v6"], "one more thing: the fee was refunded")
    return ids


@pytest.mark.parametrize("from_rollup", [False, True])
async def test_courtesy_after_a_resolve_is_not_a_reopen(services, make_team, make_agent,  # type: ignore[no-untyped-def]
                                                        from_rollup) -> None:
    ids = await _history(services, make_team, make_agent)
    async with services.read() as session:  # the desk kept them resolved
        for visitor in ("v1", "v2"):
            conversation = await session.get(Conversation, ids[visitor])
            assert conversation is not None and conversation.status == Status.resolved
    if from_rollup:
        await refresh(services)
    today = utcnow().date()
    report = parse_filter(start=(today - timedelta(days=1)).isoformat(),
                          end=(today + timedelta(days=1)).isoformat(), tz="UTC")
    async with services.read() as session:
        assert (await fact_source(session, report) is not None) == from_rollup
        outcome = await outcome_report(session, report, live=not from_rollup)
        first = await first_contact_report(session, report, live=not from_rollup)
    # reopened: v3 (more than thanks), v4 (a greeting), v5 (long), v6 (the agent wrote)
    assert (outcome.ever_resolved, outcome.reopened) == (6, 4)
    assert outcome.reopen_rate == round(4 / 6, 4)
    assert (first.ever_resolved, first.reopened, first.came_back) == (6, 4, 0)
    assert first.first_contact_resolved == 2  # v1 and v2: thanked, still first-contact
