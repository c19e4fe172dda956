"""Canned replies: who sees and changes which, the protect step, language variants and
placeholders (masked for outsourced agents)."""

import pytest
from mnemonic import Mnemonic
from sqlalchemy import select

from tests.labels.helpers import conversation_in
from walletdesk.accounts.models import Role
from walletdesk.errors import Forbidden, Invalid, NotFound
from walletdesk.macros import actions
from walletdesk.macros.models import CannedReply, CannedReplyText
from walletdesk.macros.queries import list_canned_replies, replies_for_conversation

PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))  # a valid 12-word phrase
GREETING = {"en": "Hi {{customer_name}}, this is {{agent_name}} (case #{{conversation_id}}).",
            "zh-Hans": "{{customer_name}}您好，我是{{agent_name}}，工单号 {{conversation_id}}。"}


@pytest.fixture
async def desk(services, make_team, make_agent):  # type: ignore[no-untyped-def]
    support = await make_team("Support")
    partner = await make_team("Partner", is_outsourced=True)
    people = {
        "admin": await make_agent("Ada", role=Role.admin),
        "lead": await make_agent("Li Na", role=Role.supervisor),
        "mei": await make_agent("Mei", teams=[support]),
        "sam": await make_agent("Sam"),  # in no team
        "ravi": await make_agent("Ravi", role=Role.outsourced, teams=[support, partner]),
    }
    return support, partner, people


async def shortcuts(services, agent, search=None):  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return [r.shortcut for r in await list_canned_replies(session, agent, search)]


async def test_seed_phrases_and_keys_are_removed_before_the_text_is_stored(services, desk):
    _, _, people = desk
    key = "0x" + "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
    saved = await actions.create_canned_reply(
        services, people["mei"], shortcut="oops", title=f"phrase {PHRASE}",
        texts={"en": f"Your words: {PHRASE}", "es": f"private key {key}"})
    assert saved.secrets_removed == 3
    async with services.read() as session:
        stored = [t.text for t in (await session.scalars(select(CannedReplyText))).all()]
        title = (await session.scalars(select(CannedReply.title))).one()
    assert all(PHRASE not in text and "abandon amount" not in text for text in stored)
    assert all(key[2:] not in text for text in stored)
    assert "seed phrase removed" in " ".join(stored) and "abandon amount" not in title


async def test_who_sees_which_reply(services, desk):
    support, partner, people = desk
    await actions.create_canned_reply(services, people["mei"], shortcut="mine", title="Mei's",
                                      texts={"en": "personal"})
    await actions.create_canned_reply(services, people["lead"], shortcut="support-hello",
                                      title="Support team", scope="team", team_id=support.id,
                                      texts={"en": "team"})
    await actions.create_canned_reply(services, people["admin"], shortcut="partner-hello",
                                      title="Partner team", scope="team", team_id=partner.id,
                                      texts={"en": "partner"})
    await actions.create_canned_reply(services, people["admin"], shortcut="thanks",
                                      title="Thanks", scope="everyone", texts={"en": "thanks"})
    assert await shortcuts(services, people["mei"]) == ["mine", "support-hello", "thanks"]
    assert await shortcuts(services, people["sam"]) == ["thanks"]  # another team's agent
    assert await shortcuts(services, people["ravi"]) == ["partner-hello", "support-hello",
                                                         "thanks"]
    # personal means personal: not even an admin sees Mei's
    assert await shortcuts(services, people["admin"]) == ["partner-hello", "support-hello",
                                                          "thanks"]
    assert await shortcuts(services, people["mei"], "HELLO") == ["support-hello"]
    assert await shortcuts(services, people["mei"], "personal") == ["mine"]  # by its text
    assert await shortcuts(services, people["mei"], "100%_") == []  # LIKE characters escaped


async def test_who_changes_which_reply(services, desk):
    support, _, people = desk
    mine = (await actions.create_canned_reply(services, people["mei"], shortcut="mine",
                                              title="Mine", texts={"en": "a"})).reply
    shared = (await actions.create_canned_reply(services, people["lead"], shortcut="team",
                                                title="Team", scope="team", team_id=support.id,
                                                texts={"en": "b"})).reply
    with pytest.raises(Forbidden):  # agents keep personal replies only
        await actions.create_canned_reply(services, people["mei"], shortcut="x", title="X",
                                          scope="team", team_id=support.id, texts={"en": "c"})
    with pytest.raises(Forbidden):
        await actions.create_canned_reply(services, people["ravi"], shortcut="x", title="X",
                                          scope="everyone", texts={"en": "c"})
    with pytest.raises(Forbidden):  # Mei sees her team's reply but may not change it
        await actions.update_canned_reply(services, people["mei"], shared.id, shortcut="team",
                                          title="Mine now", scope="team",
                                          team_id=support.id, texts={"en": "b"})
    with pytest.raises(NotFound):  # someone else's personal reply does not exist for you
        await actions.delete_canned_reply(services, people["admin"], mine.id)
    with pytest.raises(NotFound):
        await actions.delete_canned_reply(services, people["sam"], shared.id)
    updated = await actions.update_canned_reply(
        services, people["admin"], shared.id, shortcut="team", title="Team v2", scope="team",
        team_id=support.id, texts={"zh-Hans": "你好"})
    assert updated.reply.title == "Team v2"
    assert {t.language: t.text for t in updated.reply.texts} == {"zh-Hans": "你好"}
    await actions.delete_canned_reply(services, people["mei"], mine.id)
    assert await shortcuts(services, people["mei"]) == ["team"]


@pytest.mark.parametrize("fields, message", [
    ({"texts": {"en": "Hi {{customer_email}}"}}, "unknown placeholder"),
    ({"texts": {"en": "Hi {customer_name}, welcome"}},
     "write the placeholder {customer_name} as {{customer_name}}"),  # inserted as it stood
    ({"texts": {"zh-Hans": "您好 { agent_name }"}}, "{{agent_name}}"),
    ({"texts": {"fr": "Bonjour"}}, "language must be one of"),
    ({"texts": {"en": "   "}}, "at least one language"),
    ({"shortcut": "two words"}, "shortcut"),
    ({"shortcut": ""}, "shortcut"),
    ({"title": ""}, "title"),
    ({"scope": "galaxy"}, "scope"),
    ({"scope": "team"}, "team_id"),
    ({"texts": {"en": "x" * 5001}}, "longer than"),
])
async def test_bad_input_is_refused_with_a_reason(services, desk, fields, message):
    _, _, people = desk
    values = {"shortcut": "hello", "title": "Hello", "texts": {"en": "Hi"}, **fields}
    with pytest.raises(Invalid) as refused:
        await actions.create_canned_reply(services, people["admin"], **values)
    assert message in str(refused.value)


async def test_braces_that_are_not_a_placeholder_are_text(services, desk):
    _, _, people = desk
    saved = await actions.create_canned_reply(
        services, people["admin"], shortcut="json", title="JSON",
        texts={"en": 'Send {"memo": 123} as the memo, {{customer_name}}; {x} stays'})
    assert saved.reply.texts[0].text.startswith('Send {"memo": 123}')


async def test_the_picker_fills_placeholders_in_the_conversations_language(services, desk):
    support, _, people = desk
    await actions.create_canned_reply(services, people["admin"], shortcut="greeting",
                                      title="Greeting", scope="everyone", texts=GREETING)
    english = await conversation_in(services, people["admin"], support, "v1", name="Daniel")
    chinese = await conversation_in(services, people["admin"], support, "v2", name="林小姐",
                                    language="zh-CN", text="你好，我的转账还没到")
    traditional = await conversation_in(services, people["admin"], support, "v3",
                                        name="陳先生", language="zh-TW", text="轉帳還沒到帳")
    anonymous = await conversation_in(services, people["admin"], support, "v4", name="")
    async with services.read() as session:
        async def fill(agent, conversation):  # type: ignore[no-untyped-def]
            rows = await replies_for_conversation(session, agent, conversation.id, "greet",
                                                  "en")
            return rows[0]["language"], rows[0]["text"]

        assert await fill(people["mei"], english) == (
            "en", f"Hi Daniel, this is Mei (case #{english.id}).")
        assert await fill(people["mei"], chinese) == (
            "zh-Hans", f"林小姐您好，我是Mei，工单号 {chinese.id}。")
        language, text = await fill(people["mei"], traditional)
        assert language == "zh-Hant" and text.startswith("陳先生您好，我是Mei")  # converted
        assert "單" in text
        # outsourced agents never get the name, and the customer is not sent "Hi D***"
        assert await fill(people["ravi"], english) == (
            "en", f"Hi, this is Ravi (case #{english.id}).")
        assert (await fill(people["ravi"], chinese))[1].startswith("您好，我是Ravi")
        assert (await fill(people["mei"], anonymous))[1].startswith("Hi, this is Mei")
        with pytest.raises(NotFound):  # Sam may not see the conversation
            await replies_for_conversation(session, people["sam"], english.id, None, "en")


async def test_replies_in_the_customers_language_come_first(services, desk):
    """Found in an outside review: an English conversation's picker offered a reply written
    only in Chinese among the first, with the English ones after it."""
    support, _, people = desk
    await actions.create_canned_reply(services, people["admin"], shortcut="a-chinese-only",
                                      title="Chinese only", scope="everyone",
                                      texts={"zh-Hans": "我们已记录您的问题。"})
    await actions.create_canned_reply(services, people["admin"], shortcut="b-english",
                                      title="English", scope="everyone",
                                      texts={"en": "We have logged your issue."})
    english = await conversation_in(services, people["admin"], support, "v-order", name="Dan")
    async with services.read() as session:
        rows = await replies_for_conversation(session, people["mei"], english.id, None, "en")
    assert [(row["shortcut"], row["language"]) for row in rows] == [
        ("b-english", "en"), ("a-chinese-only", "zh-Hans")]  # still offered, after
