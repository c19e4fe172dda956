"""The customer's language follows the detected language of their conversations, unless an
agent chose it in the side panel."""

from sqlalchemy import select

from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation
from walletdesk.customers.edits import update_customer_details
from walletdesk.customers.language import follow_conversation_language
from walletdesk.customers.models import Customer


async def language_of(services, customer_id: int) -> str | None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return await session.scalar(select(Customer.language).where(Customer.id == customer_id))


async def detected(services, conversation_id: int, language: str) -> None:  # type: ignore[no-untyped-def]
    """What the bot does when it detects the language of a message."""
    async with services.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        conversation.language = language
        await follow_conversation_language(session, conversation)


async def test_a_browser_default_follows_the_conversations_language(services, make_team):
    await make_team("Support", is_default=True)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="我的USDT没到账", language="en-US"))
    customer_id = delivered.conversation.customer_id
    assert await language_of(services, customer_id) == "en"  # the browser's
    await detected(services, delivered.conversation.id, "zh-Hans")
    assert await language_of(services, customer_id) == "zh-Hans"


async def test_a_language_an_agent_chose_is_kept(services, make_team, make_agent):
    team = await make_team("Support", is_default=True)
    alice = await make_agent("Alice", teams=[team], online=True)
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v1", text="hello", language="en-US"))
    customer_id = delivered.conversation.customer_id
    shown = await update_customer_details(services, alice, customer_id, {"language": "es"})
    assert shown["language"] == "es"
    async with services.read() as session:
        audit = await session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "customer.edit"))
    assert audit == {"fields": ["language"]}
    await detected(services, delivered.conversation.id, "zh-Hant")
    assert await language_of(services, customer_id) == "es"
    cleared = await update_customer_details(services, alice, customer_id, {"language": ""})
    assert cleared["language"] is None
