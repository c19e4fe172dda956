"""A customer's message resent with a client_id already stored (the chat socket's hot path,
walletdesk.conversations.chat): the conversation's preview and last activity go back to
what ``append_message`` left them at — the last message of a customer or agent, in its
masked form if it carries one — not to the bot's answer after it."""

from sqlalchemy import select

from tests.conversations.test_chat_hot_path import first_message
from walletdesk.conversations.chat import ChatWriter
from walletdesk.conversations.messages import append_message, lock_conversation
from walletdesk.conversations.models import Conversation, Message, SenderKind

FULL = "Your withdrawal of 250.00 USDT is on its way"
MASKED = "Your withdrawal of *** USDT is on its way"


async def test_a_retry_gives_back_the_preview_append_message_wrote(services, make_team,
                                                                  make_agent) -> None:
    team = await make_team()
    agent = await make_agent("Alice", teams=[team], online=True)
    writer = ChatWriter(services)
    line = await first_message(services, writer)
    try:
        assert await writer.receive(line, "my transfer is stuck", "c1") is not None
        async with services.transaction() as session:
            conversation = await lock_conversation(session, line.conversation_id)
            assert conversation is not None
            await append_message(session, conversation, sender_kind=SenderKind.agent,
                                 sender_name="Alice", sender_agent_id=agent.id, text=FULL,
                                 meta={"masked_text": MASKED})
            await append_message(session, conversation, sender_kind=SenderKind.bot,
                                 text="Anything else I can help with?")
        async with services.read() as session:
            before = await session.get(Conversation, line.conversation_id)
            assert before is not None
            expected = (before.last_seq, before.last_message_preview, before.last_message_at)
        again = await writer.receive(line, "my transfer is stuck", "c1")  # a resend
    finally:
        await writer.stop()

    assert again is not None and again.duplicate
    assert expected[1] == MASKED  # as append_message previews the agent's reply
    async with services.read() as session:
        after = await session.get(Conversation, line.conversation_id)
        reply = await session.scalar(select(Message).where(
            Message.conversation_id == line.conversation_id,
            Message.sender_kind == SenderKind.agent))
    assert after is not None and reply is not None
    assert (after.last_seq, after.last_message_preview, after.last_message_at) == expected
    assert after.last_message_at == reply.created_at
