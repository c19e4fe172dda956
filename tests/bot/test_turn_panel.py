"""The agent's view of a bot turn says what its numbers are: each candidate's match against
the other articles, and the bot's own chance that its best match is right (``judgement``:
what that chance decided). Found in a walkthrough: "lost-phone 0.82" beside "confidence
0.10" read as a contradiction."""

import pytest

from tests.bot.test_small_talk import bot, say  # noqa: F401 (the fixture)
from walletdesk.accounts.models import Role
from walletdesk.bot.models import BotTurn
from walletdesk.bot.queries import turn_judgement, turn_payload
from walletdesk.conversations.workspace import open_conversation
from walletdesk.db.base import utcnow


@pytest.mark.parametrize(("outcome", "reason", "judgement"), [
    ("answered", "", "sure"), ("verify_email", "", "sure"),
    ("suggested", "unsure", "unsure"), ("answered_choice", "unsure", "unsure"),
    ("handed_off", "low_confidence", "unsure"), ("handed_off", "repeated_failure", "unsure"),
    ("handed_off", "out_of_scope", "off_topic"),
    ("handed_off", "asked_for_human", None), ("handed_off", "sensitive_topic", None),
    ("handed_off", "no_question", None), ("small_talk", "greeting", None),
    ("chain_lookup", "out_of_scope", None), ("verified", "official", None),
    ("clarify", "empty", None),
])
def test_the_judgement_says_what_the_confidence_decided(outcome, reason, judgement):
    turn = BotTurn(id=1, conversation_id=1, query="q", language="en", candidates=[],
                   confidence=0.1, outcome=outcome, reason=reason, created_at=utcnow())
    assert turn_judgement(turn) == judgement
    assert turn_payload(turn)["judgement"] == judgement


async def test_the_workspace_gets_each_turns_judgement(services, bot, make_agent):  # noqa: F811
    conversation, _, _ = await say(services, "my USDT hasn't arrived", visitor="w")
    await say(services, "thanks", visitor="w")
    await say(services, "my wallet on a new phone", visitor="w")
    lead = await make_agent("Lead", role=Role.supervisor)
    view = await open_conversation(services, lead, conversation.id)
    assert [(t["outcome"], t["judgement"]) for t in view["bot_turns"]] == [
        ("answered", "sure"), ("small_talk", None), ("suggested", "unsure")]
    assert view["bot_turns"][0]["candidates"][0]["score"] == 0.9  # the match, as before
