"""The side panel's API: the lookups of a conversation and their refresh, for the agents who
may see it (outsourced agents with the addresses masked); on SQLite and PostgreSQL."""

import re
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from tests.chains.desk import desk, say
from tests.chains.test_http_chains import TRON_OK, trc20_transfer, tron_info
from tests.chains.wire_servers import trongrid
from tests.conftest import PASSWORD, make_agent_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role, Team
from walletdesk.chains.actions import REFRESH_EVERY_S
from walletdesk.chains.adapters.tron import tron_address
from walletdesk.chains.models import ChainLookup
from walletdesk.db.base import utcnow
from walletdesk.services import Services
from walletdesk.web.app import create_app

RECIPIENT = tron_address("41" + "22" * 20)


async def signed_in(app, email: str) -> tuple[httpx.AsyncClient, str]:  # type: ignore[no-untyped-def]
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://desk.test")
    response = await http.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303
    match = re.search(r'data-csrf="([^"]+)"', (await http.get("/app")).text)
    assert match
    return http, match.group(1)


async def checked_a_while_ago(services: Services, lookup_id: int) -> None:
    """The lookup last checked longer ago than a refresh must wait (REFRESH_EVERY_S)."""
    async with services.transaction() as session:
        await session.execute(update(ChainLookup).where(ChainLookup.id == lookup_id).values(
            checked_at=utcnow() - timedelta(seconds=REFRESH_EVERY_S + 5)))


async def test_agents_who_see_the_conversation_read_and_refresh_its_lookups(database_url):
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
    infos = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}
    async with trongrid(transactions, infos, 77_000_019) as (server, behaviour), \
            desk(database_url, {"tron": server.url}, bot=False) as services:
        conversation, _, lookups = await say(services, f"USDT TRC20 transfer {TRON_OK}")
        await checked_a_while_ago(services, lookups[0].id)
        async with services.transaction() as session:
            support = await session.scalar(select(Team).where(Team.name == "Support"))
            other = await create_team(session, None, name="Other")
        agent = await make_agent_in(services, "Mei", teams=[support])
        partner = await make_agent_in(services, "Pat", role=Role.outsourced, teams=[support])
        stranger = await make_agent_in(services, "Sol", teams=[other])
        app = create_app(services.settings, services)
        url = f"/api/v1/conversations/{conversation.id}/chain-lookups"
        mei, mei_csrf = await signed_in(app, agent.email)
        pat, _ = await signed_in(app, partner.email)
        sol, sol_csrf = await signed_in(app, stranger.email)
        try:
            seen = (await mei.get(url)).json()
            masked = (await pat.get(url)).json()
            hidden = await sol.get(url)
            refresh = f"{url}/{lookups[0].id}/refresh"
            no_csrf = await mei.post(refresh)
            before = behaviour.requests
            refreshed = await mei.post(refresh, headers={"x-csrf-token": mei_csrf})
            refused = await sol.post(refresh, headers={"x-csrf-token": sol_csrf})
            unknown = await mei.post(f"{url}/999999/refresh", headers={"x-csrf-token": mei_csrf})
        finally:
            for http in (mei, pat, sol):
                await http.aclose()
    assert seen[0]["tx"] == TRON_OK and seen[0]["status"] == "confirmed"
    assert seen[0]["network"] == "TRON (TRC-20)"
    assert seen[0]["explorer_url"] == f"https://tronscan.org/#/transaction/{TRON_OK}"
    assert seen[0]["result"]["recipient"] == RECIPIENT
    assert masked[0]["result"]["recipient"] == f"{RECIPIENT[:4]}***{RECIPIENT[-2:]}"
    assert masked[0]["explorer_url"] == seen[0]["explorer_url"]
    assert hidden.status_code == 404
    assert no_csrf.status_code == 403
    assert refreshed.status_code == 200 and refreshed.json()["status"] == "confirmed"
    assert behaviour.requests > before
    assert refused.status_code == 404 and unknown.status_code == 404
