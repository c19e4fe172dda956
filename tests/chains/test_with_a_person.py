"""Conversations with a person: a hash in a later chat message (the socket's fast path,
walletdesk.conversations.chat) is looked up and shown to the agent; the customer gets no bot
answer once an agent has the conversation. On SQLite and PostgreSQL."""

from sqlalchemy import select

from tests.chains.desk import desk, say
from tests.chains.test_bot_answers import chain_replies, trc20_transfer, tron_info
from tests.chains.test_http_chains import TRON_OK
from tests.chains.wire_servers import esplora, trongrid
from tests.conftest import make_agent_in
from walletdesk.accounts.models import Role, Team
from walletdesk.chains.listeners import settled
from walletdesk.chains.models import ChainLookup
from walletdesk.chains.queries import panel_lookups
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message
from walletdesk.conversations.chat import ChatLine, ChatWriter
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.services import Services


async def settle(services: Services) -> None:
    await services.after_commit.drain()
    await settled()


async def bot_messages(services: Services, conversation_id: int) -> list[Message]:
    async with services.read() as session:
        return list((await session.scalars(
            select(Message).where(Message.conversation_id == conversation_id,
                                  Message.sender_kind == SenderKind.bot))).all())


async def test_a_hash_in_a_later_chat_message_is_looked_up_for_the_agent(database_url):
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
    infos = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}
    async with trongrid(transactions, infos, 77_000_019) as (server, behaviour), \
            desk(database_url, {"tron": server.url}, bot=False) as services:
        async with services.read() as session:
            support = await session.scalar(select(Team).where(Team.name == "Support"))
        agent = await make_agent_in(services, "Ada", teams=[support], online=True)
        first = await receive_message(services, InboundMessage(
            channel="web", external_id="v1", text="hello", client_id="v1-0"))
        await settle(services)
        customer = first.customer
        assert customer is not None
        line = ChatLine(customer_id=customer.id, conversation_id=first.conversation.id,
                        customer_name=customer.display_name, known=[customer.display_name])
        writer = ChatWriter(services)
        writer.remember(line.conversation_id, first.message.seq, first.message.created_at,
                        first.message.text)
        try:
            quiet = await writer.receive(line, "one moment please", "v1-1")
            named = await writer.receive(line, f"the USDT TRC20 transfer: txid {TRON_OK}",
                                         "v1-2")
        finally:
            await writer.stop()
        await settle(services)
        assert quiet is not None and named is not None  # both took the fast path
        async with services.read() as session:
            conversation = await session.get(Conversation, line.conversation_id)
            lookups = (await session.scalars(select(ChainLookup))).all()
        panel = await panel_lookups(services, agent, line.conversation_id)
        said = await bot_messages(services, line.conversation_id)
    assert conversation is not None and conversation.assignee_id == agent.id
    assert [(row.message_id, row.status) for row in lookups] == [
        (named.message["id"], "confirmed")]  # the quiet message asked nothing of the chain
    assert behaviour.requests >= 1
    assert [(p["tx"], p["network"], p["status"]) for p in panel] == [
        (TRON_OK, "TRON (TRC-20)", "confirmed")]
    assert said == []  # nothing from the bot in a conversation with a person


async def test_no_bot_answer_once_an_agent_has_the_conversation(database_url):
    transactions: dict = {}
    infos: dict = {}  # not broadcast yet: neither the transaction nor its outcome
    async with trongrid(transactions, infos, 77_000_019) as (server, _), \
            esplora({}, 870_000) as (bitcoin, _), \
            desk(database_url, {"tron": server.url, "bitcoin": bitcoin.url + "/api"},
                 chain_cache_ttl_s=0) as services:
        # the bot asks which network (a bare hash that two chains could hold) ...
        conversation, first, _ = await say(services, f"where is my transfer? txid {TRON_OK}")
        [asked] = chain_replies(first)
        assert asked.meta["status"] == "ask_network"
        # ... and an agent takes the conversation before the customer answers
        admin = await make_agent_in(services, "Ada", role=Role.admin, online=True)
        await assign_conversation(services, admin, conversation.id, agent_id=admin.id)
        await settle(services)
        transactions[TRON_OK] = trc20_transfer(TRON_OK, 100_000_000)
        infos[TRON_OK] = tron_info(TRON_OK, 77_000_000, "SUCCESS")
        conversation, replies, lookups = await say(services, "it was USDT TRC20")
    assert conversation.status != Status.bot and conversation.assignee_id == admin.id
    assert chain_replies(replies) == []  # the agent tells the customer, not the bot
    assert [(row.chain, row.status) for row in lookups] == [("tron", "confirmed")]
