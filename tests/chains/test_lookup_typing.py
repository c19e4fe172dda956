"""While the bot looks a transfer up (up to the endpoint's timeout and retries), the customer
sees it typing: on before the chain is asked, off once it has answered, failed or not; only
when the bot answers a message that names a transaction. On SQLite and PostgreSQL, and in
the widget over a real socket."""

import asyncio
from typing import Any

from tests.chains.desk import desk, say
from tests.chains.test_http_chains import TRON_OK, trc20_transfer, tron_info
from tests.chains.wire_servers import Behaviour, trongrid
from tests.conftest import serving
from tests.live.helpers import customer
from walletdesk.chains.listeners import settled
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.services import Services
from walletdesk.web.app import create_app

TRANSACTIONS = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
INFOS = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}


def bot_typing(services: Services) -> list[dict[str, Any]]:
    return [e for e in services.bus.of_type("typing")  # type: ignore[attr-defined]
            if e["sender_kind"] == "bot"]


async def test_the_bot_types_until_the_chain_has_answered(database_url):
    behaviour = Behaviour()
    behaviour.gate = asyncio.Event()  # the endpoint answers when the test says so
    async with trongrid(TRANSACTIONS, INFOS, 77_000_019, behaviour) as (server, _), \
            desk(database_url, {"tron": server.url}, chain_timeout_s=30) as services:
        delivered = await receive_message(services, InboundMessage(
            channel="web", external_id="v1", text=f"USDT TRC20 transfer {TRON_OK}?"))
        async with asyncio.timeout(30):  # bounded only so that a hang fails
            while behaviour.requests < 1:
                await asyncio.sleep(0.01)
        while_asking = bot_typing(services)
        behaviour.gate.set()
        await settled()
        published = services.bus.published  # type: ignore[attr-defined]
    conversation = delivered.conversation
    assert [e["state"] for e in while_asking] == [True]
    assert while_asking[0]["conversation_id"] == conversation.id
    assert while_asking[0]["customer_id"] == conversation.customer_id
    typing = bot_typing(services)
    assert typing[0]["state"] is True and typing[-1]["state"] is False
    assert [e["state"] for e in typing].count(False) == 1
    # off after the bot's answer went out (the widget hides the indicator on it anyway)
    answer = next(i for i, e in enumerate(published) if e["type"] == "message"
                  and e["message"]["sender_kind"] == "bot"
                  and (e["message"].get("meta") or {}).get("kind") == "chain_lookup")
    assert published.index(typing[-1]) > answer


async def test_the_bot_stops_typing_when_the_endpoint_fails(database_url):
    async with desk(database_url, {"tron": "http://127.0.0.1:9"}) as services:
        _, replies, lookups = await say(services, f"USDT TRC20 transfer {TRON_OK} where is it")
    assert lookups[0].status == "unavailable"
    assert [e["state"] for e in bot_typing(services)][0] is True
    assert bot_typing(services)[-1]["state"] is False


async def test_no_typing_without_a_hash_or_without_the_bot(database_url):
    async with trongrid(TRANSACTIONS, INFOS, 77_000_019) as (server, _):
        async with desk(database_url, {"tron": server.url}) as services:
            await say(services, "hello, how do I back up my wallet?")
            without_hash = bot_typing(services)
        async with desk(database_url, {"tron": server.url}, bot=False) as services:
            _, _, lookups = await say(services, f"USDT TRC20 transfer {TRON_OK}")
            with_a_person = bot_typing(services)
    assert without_hash == []
    assert lookups[0].status == "confirmed" and with_a_person == []


async def test_the_widget_shows_the_bot_typing_during_a_lookup(database_url):
    async with trongrid(TRANSACTIONS, INFOS, 77_000_019) as (server, _), \
            desk(database_url, {"tron": server.url}) as services:
        lexical = services.bot
        assert lexical is not None
        async with serving(create_app(services.settings, services)) as live:
            # the app starts a bot runtime of its own (its engine builds in the background):
            # it answers with the desk's lexical matcher, as the desk's did
            assert services.bot is not None
            services.bot.fallback, services.bot.articles = lexical.fallback, lexical.articles
            visitor, _ = await customer(live.ws_url)
            try:
                await visitor.say(f"USDT TRC20 transfer {TRON_OK} where is it?")
                on = await visitor.expect(lambda f: f["type"] == "typing" and f["state"])
                answer = await visitor.expect(
                    lambda f: f["type"] == "message" and f["message"]["sender_kind"] == "bot"
                    and (f["message"].get("meta") or {}).get("kind") == "chain_lookup")
                off = await visitor.expect(
                    lambda f: f["type"] == "typing" and f["state"] is False)
            finally:
                await visitor.close()
                await settled()
    assert on["conversation_id"] == answer["message"]["conversation_id"]
    assert on["sender_kind"] == "bot"  # the widget names the assistant, not "Support"
    assert off["conversation_id"] == on["conversation_id"]
