"""The bot's matched category becomes a label, through the after-commit listener; and the
demo desk comes with labels, rules and canned replies."""

from sqlalchemy import select

from tests.bot.test_bot_flow import ask, bot, demo_engine  # noqa: F401  (fixtures)
from walletdesk.accounts.models import Role
from walletdesk.demo import seed_demo
from walletdesk.labels import actions
from walletdesk.labels.models import ConversationLabel, Label
from walletdesk.labels.rules import subscribe_label_rules
from walletdesk.macros.models import CannedReply


async def labels_of(services, conversation_id):  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return list((await session.scalars(
            select(Label.name).join(ConversationLabel, ConversationLabel.label_id == Label.id)
            .where(ConversationLabel.conversation_id == conversation_id))).all())


async def test_the_bots_matched_category_labels_the_conversation(services, bot, make_agent):  # noqa: F811
    admin = await make_agent("Ada", role=Role.admin)
    pending = await actions.create_label(services, admin, name="Pending transfer",
                                         color="#bf8700")
    await actions.add_label_rule(services, admin, category="transfers", label_id=pending.id)
    unsubscribe = subscribe_label_rules(services)
    try:
        answered, _, turns = await ask(services, "转账一直显示pending，好几个小时了",
                                       language="zh-CN")
        assert turns[-1].outcome == "answered"
        assert turns[-1].candidates[0]["category"] == "transfers"
        off_topic, _, other_turns = await ask(
            services, "what's the weather going to be in Paris tomorrow afternoon",
            visitor="w")
        assert other_turns[-1].outcome != "answered"
    finally:
        unsubscribe()
    assert await labels_of(services, answered.id) == ["Pending transfer"]
    assert await labels_of(services, off_topic.id) == []


async def test_the_demo_has_labels_rules_and_canned_replies(services):
    assert await seed_demo(services) is True
    async with services.read() as session:
        labels = set((await session.scalars(select(Label.name))).all())
        replies = (await session.scalars(select(CannedReply))).all()
        used = set((await session.scalars(select(Label.name).join(ConversationLabel))).all())
    assert {"Refund", "Scam report", "Security"} <= labels
    languages = {t.language for reply in replies for t in reply.texts}
    assert {"zh-Hans", "en"} <= languages
    assert {r.scope for r in replies} == {"everyone", "team", "personal"}
    assert "Refund" in used  # the demo's complaint; the sample history labels others too
    assert used <= labels
