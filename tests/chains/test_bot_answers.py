"""The bot answers questions about transfers from the chain (after commit, beside its own
answer), stores the lookups for the agent, and asks for a hash or a network when it must.
On SQLite and PostgreSQL."""

import asyncio

import pytest
from sqlalchemy import select

from tests.chains.desk import desk, say
from tests.chains.evm_chain import evm_endpoint
from tests.chains.test_http_chains import (
    TRON_OK,
    TRON_OOE,
    trc20_transfer,
    tron_info,
)
from tests.chains.test_lookup_routes import checked_a_while_ago
from tests.chains.wire_servers import Behaviour, esplora, trongrid
from tests.conftest import make_agent_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role, Team
from walletdesk.bot.models import BotTurn
from walletdesk.chains.actions import refresh_lookup
from walletdesk.chains.adapters.tron import tron_address
from walletdesk.chains.listeners import settled
from walletdesk.chains.models import ChainLookup
from walletdesk.chains.queries import panel_lookups
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import SenderKind, Status
from walletdesk.errors import NotFound


async def make_other_team(services):  # type: ignore[no-untyped-def]
    async with services.transaction() as session:
        return await create_team(session, None, name="Other")


TO_ADDRESS = tron_address("41" + "22" * 20)


def chain_replies(replies):  # type: ignore[no-untyped-def]
    return [r for r in replies if r.sender_kind == SenderKind.bot
            and (r.meta or {}).get("kind") == "chain_lookup"]


async def test_a_confirmed_erc20_transfer_is_answered_and_stored(database_url):
    async with evm_endpoint() as (chain, server):
        a = chain.accounts
        token = chain.deploy_token()
        tx = chain.token(token).functions.transfer(a[2], 25_500_000).transact(
            {"from": a[0], "gas": 100_000}).to_0x_hex()
        # the operator's own token (decision 0054: a contract is named by the desk's list or
        # the operator's, never by its symbol(): unregistered, this one would be unverified)
        async with desk(database_url, {"ethereum": server.url},
                        chain_known_tokens=[f"ethereum:{token}:TST:6"]) as services:
            conversation, replies, lookups = await say(
                services, f"my ERC20 TST transfer {tx} has not arrived yet")
    [answer] = chain_replies(replies)
    assert answer.meta["status"] == "confirmed"
    assert "confirmed" in answer.text and "25.5 TST" in answer.text
    assert a[2].lower() in answer.text
    [lookup] = lookups
    assert (lookup.chain, lookup.status, lookup.tx) == ("ethereum", "confirmed", tx)
    assert lookup.result["explorer_url"].endswith(tx)
    assert lookup.message_id is not None


async def test_failed_tron_transfer_links_the_energy_article(database_url):
    transactions = {TRON_OOE: trc20_transfer(TRON_OOE, 5_000_000, "OUT_OF_ENERGY")}
    infos = {TRON_OOE: tron_info(TRON_OOE, 77_000_001, "OUT_OF_ENERGY")}
    async with trongrid(transactions, infos, 77_000_019) as (server, _), \
            desk(database_url, {"tron": server.url}) as services:
        _, replies, lookups = await say(services, f"USDT-TRC20 转账失败了 txid {TRON_OOE}",
                                        language="zh-CN")
    [answer] = chain_replies(replies)
    assert answer.meta["status"] == "failed"
    assert "OUT_OF_ENERGY" in answer.text
    assert answer.meta["article"]["slug"] == "network-fees"
    assert lookups[0].result["failure"] == "out_of_energy"


async def test_a_deposit_address_that_needs_a_memo_is_called_out(database_url):
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
    infos = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}
    memo = [{"chain": "tron", "address": TO_ADDRESS, "name": "ExampleEx"}]
    async with trongrid(transactions, infos, 77_000_019) as (server, _), \
            desk(database_url, {"tron": server.url}, chain_memo_addresses=memo) as services:
        _, replies, lookups = await say(services, f"TRC20 deposit txid {TRON_OK} not credited")
    [answer] = chain_replies(replies)
    assert "100 USDT" in answer.text
    assert "ExampleEx" in answer.text and "memo" in answer.text
    assert lookups[0].result["memo_missing"] == "ExampleEx"


async def test_an_ambiguous_hash_asks_for_the_network_then_looks_it_up(database_url):
    transactions: dict = {}
    infos: dict = {}  # not broadcast yet: neither the transaction nor its outcome
    async with trongrid(transactions, infos, 77_000_019) as (tron, _), \
            esplora({}, 870_000) as (bitcoin, _), \
            desk(database_url, {"tron": tron.url, "bitcoin": bitcoin.url + "/api"},
                 chain_cache_ttl_s=0) as services:
        # a bare hash, no network named, on neither chain (not broadcast yet): ask
        conversation, first, lookups = await say(
            services, f"where is my transfer? txid {TRON_OK}")
        [asked] = chain_replies(first)
        assert asked.meta["status"] == "ask_network"
        assert "Which network" in asked.text and "TRON" in asked.text
        assert [lookup.status for lookup in lookups] == ["ask_network"]
        transactions[TRON_OK] = trc20_transfer(TRON_OK, 100_000_000)  # now on chain
        infos[TRON_OK] = tron_info(TRON_OK, 77_000_000, "SUCCESS")
        _, replies, lookups = await say(services, "it was USDT TRC20")
    [answer] = chain_replies(replies)
    assert answer.meta["status"] == "confirmed" and "TRON" in answer.text
    assert [(lookup.chain, lookup.status) for lookup in lookups] == [("tron", "confirmed")]


async def test_a_question_about_a_transfer_without_a_hash_gets_asked_for_it(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        conversation, replies, lookups = await say(
            services, "my transfer is stuck as pending for hours, can I speed it up?")
    assert conversation.status == Status.bot
    kinds = [(r.meta or {}).get("kind") for r in replies if r.sender_kind == SenderKind.bot]
    assert kinds[-1] == "chain_ask_hash", kinds
    assert lookups == []


async def test_an_endpoint_that_does_not_answer_hands_over_to_a_person(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        conversation, replies, lookups = await say(
            services, f"USDT TRC20 transfer {TRON_OK} where is it")
    answer = chain_replies(replies)[0]
    assert answer.meta["status"] == "unavailable"
    assert "passing you to a person" in answer.text
    assert conversation.status != Status.bot
    assert lookups[0].status == "unavailable" and lookups[0].result["error"] == "unreachable"


async def test_an_agents_conversation_stores_the_lookup_masked_for_outsourced_agents(
        database_url):
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
    infos = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}
    async with trongrid(transactions, infos, 77_000_019) as (server, behaviour), \
            desk(database_url, {"tron": server.url}, bot=False) as services:
        conversation, replies, lookups = await say(services, f"TRC20 transfer {TRON_OK}")
        assert conversation.status != Status.bot
        assert chain_replies(replies) == []  # stored for the agent, nothing said
        admin = await make_agent_in(services, "Ada", role=Role.admin)
        async with services.read() as session:
            support = await session.scalar(select(Team).where(Team.name == "Support"))
        partner = await make_agent_in(services, "Pat", role=Role.outsourced, teams=[support])
        stranger = await make_agent_in(services, "Sol", role=Role.agent,
                                       teams=[await make_other_team(services)])
        with pytest.raises(NotFound):
            await panel_lookups(services, stranger, conversation.id)
        with pytest.raises(NotFound):
            await refresh_lookup(services, stranger, conversation.id, lookups[0].id)
        full = await panel_lookups(services, admin, conversation.id)
        masked = await panel_lookups(services, partner, conversation.id)
        await checked_a_while_ago(services, lookups[0].id)  # a refresh waits REFRESH_EVERY_S
        before = behaviour.requests
        refreshed = await refresh_lookup(services, admin, conversation.id, lookups[0].id)
        assert behaviour.requests > before  # asked the chain again, not the cache
    assert full[0]["result"]["recipient"] == TO_ADDRESS
    assert masked[0]["result"]["recipient"] != TO_ADDRESS
    assert masked[0]["result"]["recipient"] == f"{TO_ADDRESS[:4]}***{TO_ADDRESS[-2:]}"
    assert refreshed["status"] == "confirmed" and refreshed["id"] == lookups[0].id


async def test_a_slow_endpoint_never_holds_up_the_message_or_the_bot(database_url):
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
    infos = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}
    behaviour = Behaviour()
    behaviour.gate = asyncio.Event()  # the endpoint answers only when the test says so
    async with trongrid(transactions, infos, 77_000_019, behaviour) as (server, _), \
            desk(database_url, {"tron": server.url}, chain_timeout_s=30) as services:
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id="slow", text=f"USDT TRC20 transfer {TRON_OK}?"))
        # the lookup runs after the commit, off the message path: wait until it has asked
        # (bounded only so that a hang fails; a loaded machine may take a moment)
        async with asyncio.timeout(30):
            while behaviour.requests < 1:
                await asyncio.sleep(0.01)
        async with services.read() as session:
            waiting = (await session.scalars(select(ChainLookup))).all()
            turns = (await session.scalars(select(BotTurn))).all()
        assert waiting == []  # asked, not answered yet
        assert [t.message_id for t in turns] == [delivered.message.id]  # the bot did its part
        behaviour.gate.set()
        await settled()
        async with services.read() as session:
            done = (await session.scalars(select(ChainLookup))).all()
    assert [(d.status, d.message_id) for d in done] == [("confirmed", delivered.message.id)]


async def test_a_network_without_an_endpoint_is_unsupported_and_goes_to_a_person(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        conversation, replies, lookups = await say(
            services, f"my BEP20 USDT transfer 0x{'7c' * 32} is missing")
    [answer] = chain_replies(replies)
    assert answer.meta["status"] == "unsupported"
    assert "BNB Smart Chain" in answer.text and "passing you to a person" in answer.text
    assert conversation.status != Status.bot
    assert [(lookup.chain, lookup.status) for lookup in lookups] == [("bsc", "unsupported")]
