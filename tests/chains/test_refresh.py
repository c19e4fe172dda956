"""The agent's refresh of a lookup: at most once per REFRESH_EVERY_S per lookup (the chain
endpoint is the operator's, paid per request), and never for a lookup erased with its
customer's data (the chain would be asked about "[erased]"); on SQLite and PostgreSQL."""

import asyncio

import pytest
from sqlalchemy import select

from tests.chains.desk import desk, say
from tests.chains.test_http_chains import TRON_OK, trc20_transfer, tron_info
from tests.chains.test_lookup_routes import checked_a_while_ago, signed_in
from tests.chains.wire_servers import trongrid
from tests.conftest import make_agent_in
from walletdesk.accounts.models import Team
from walletdesk.chains.actions import REFRESH_EVERY_S, RefreshTooSoon, refresh_lookup
from walletdesk.chains.models import ChainLookup
from walletdesk.customers.privacy import ERASED, erase_customer
from walletdesk.errors import Invalid
from walletdesk.services import Services
from walletdesk.web.app import create_app

TRANSACTIONS = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
INFOS = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}


async def support_agent(services: Services, name: str = "Mei"):  # type: ignore[no-untyped-def]
    async with services.read() as session:
        support = await session.scalar(select(Team).where(Team.name == "Support"))
    return await make_agent_in(services, name, teams=[support])


async def test_a_refresh_moments_after_the_last_check_waits(database_url):
    async with trongrid(TRANSACTIONS, INFOS, 77_000_019) as (server, behaviour), \
            desk(database_url, {"tron": server.url}, bot=False) as services:
        conversation, _, lookups = await say(services, f"USDT TRC20 transfer {TRON_OK}")
        agent = await support_agent(services)
        http, csrf = await signed_in(create_app(services.settings, services), agent.email)
        refresh = f"/api/v1/conversations/{conversation.id}/chain-lookups/{lookups[0].id}/refresh"
        try:
            before = behaviour.requests
            # the bot's lookup checked it a moment ago: the stored answer stands
            too_soon = await http.post(refresh, headers={"x-csrf-token": csrf})
            asked_too_soon = behaviour.requests - before
            await checked_a_while_ago(services, lookups[0].id)
            refreshed = await http.post(refresh, headers={"x-csrf-token": csrf})
            asked = behaviour.requests - before
            again = await http.post(refresh, headers={"x-csrf-token": csrf})
            asked_again = behaviour.requests - before - asked
        finally:
            await http.aclose()
    assert too_soon.status_code == 429 and asked_too_soon == 0
    retry_after = int(too_soon.headers["retry-after"])
    assert 1 <= retry_after <= REFRESH_EVERY_S
    assert too_soon.json()["detail"].startswith("checked ")
    assert f"refresh again in {retry_after} s" in too_soon.json()["detail"]
    assert refreshed.status_code == 200 and refreshed.json()["status"] == "confirmed"
    assert asked > 0
    assert again.status_code == 429 and asked_again == 0  # the refresh counts as a check


async def test_parallel_refreshes_ask_the_chain_once(database_url):
    async with trongrid(TRANSACTIONS, INFOS, 77_000_019) as (server, behaviour), \
            desk(database_url, {"tron": server.url}, bot=False) as services:
        conversation, _, lookups = await say(services, f"USDT TRC20 transfer {TRON_OK}")
        agent = await support_agent(services)
        await checked_a_while_ago(services, lookups[0].id)
        behaviour.gate = asyncio.Event()  # the first refresh's request waits at the endpoint
        refreshes = [asyncio.create_task(refresh_lookup(services, agent, conversation.id,
                                                        lookups[0].id)) for _ in range(3)]
        for _ in range(500):  # the other two are answered without the endpoint (bounded:
            if sum(t.done() for t in refreshes) >= 2:  # without the claim, all three wait)
                break
            await asyncio.sleep(0.01)
        behaviour.gate.set()
        results = await asyncio.gather(*refreshes, return_exceptions=True)
    assert sum(isinstance(r, dict) and r["status"] == "confirmed" for r in results) == 1
    assert sum(isinstance(r, RefreshTooSoon) for r in results) == 2


async def test_an_erased_lookup_is_not_looked_up(database_url):
    async with trongrid(TRANSACTIONS, INFOS, 77_000_019) as (server, behaviour), \
            desk(database_url, {"tron": server.url}, bot=False) as services:
        conversation, _, lookups = await say(services, f"USDT TRC20 transfer {TRON_OK}")
        agent = await support_agent(services)
        await erase_customer(services, None, conversation.customer_id)
        await checked_a_while_ago(services, lookups[0].id)
        http, csrf = await signed_in(create_app(services.settings, services), agent.email)
        try:
            before = behaviour.requests
            refused = await http.post(
                f"/api/v1/conversations/{conversation.id}/chain-lookups/{lookups[0].id}/refresh",
                headers={"x-csrf-token": csrf})
            asked = behaviour.requests - before
        finally:
            await http.aclose()
        async with services.read() as session:
            row = await session.get(ChainLookup, lookups[0].id)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid"
    assert "erased" in refused.json()["detail"]
    assert asked == 0
    assert row is not None and row.tx == ERASED and row.result == {}


async def test_a_lookup_erased_while_the_chain_answers_keeps_nothing(database_url):
    async with trongrid(TRANSACTIONS, INFOS, 77_000_019) as (server, behaviour), \
            desk(database_url, {"tron": server.url}, bot=False) as services:
        conversation, _, lookups = await say(services, f"USDT TRC20 transfer {TRON_OK}")
        agent = await support_agent(services)
        await checked_a_while_ago(services, lookups[0].id)
        behaviour.gate = asyncio.Event()
        before = behaviour.requests
        refresh = asyncio.create_task(refresh_lookup(services, agent, conversation.id,
                                                     lookups[0].id))
        while behaviour.requests == before:  # the chain is being asked
            await asyncio.sleep(0.01)
        await erase_customer(services, None, conversation.customer_id)
        behaviour.gate.set()
        with pytest.raises(Invalid, match="erased"):
            await refresh
        async with services.read() as session:
            row = await session.get(ChainLookup, lookups[0].id)
    # the chain's answer (the customer's addresses) is not written back into the erased row
    assert row is not None and row.tx == ERASED and row.result == {} and row.status == "confirmed"
