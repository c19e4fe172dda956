"""An agent sees the transfer a customer named, looked up on chain, beside the conversation:
network, status, amount, explorer link; refresh asks the chain again (issue 16)."""

from datetime import timedelta

import pytest
from playwright.async_api import expect
from sqlalchemy import update

from tests.chains.test_http_chains import TRON_OK, trc20_transfer, tron_info
from tests.chains.wire_servers import trongrid
from tests.conftest import RecordingBus, make_agent_in, make_settings, serving, wipe
from tests.e2e.test_chat_in_browser import open_widget, sign_in, write
from walletdesk.accounts.actions import create_team
from walletdesk.chains.actions import REFRESH_EVERY_S
from walletdesk.chains.listeners import stop_lookups
from walletdesk.chains.models import ChainLookup
from walletdesk.db.base import utcnow
from walletdesk.services import Services
from walletdesk.web.app import create_app

pytestmark = pytest.mark.e2e


async def test_an_agent_sees_the_lookup_in_the_side_panel(browser, e2e_database, artifacts):
    transactions = {TRON_OK: trc20_transfer(TRON_OK, 100_000_000)}
    infos = {TRON_OK: tron_info(TRON_OK, 77_000_000, "SUCCESS")}
    async with trongrid(transactions, infos, 77_000_019) as (tron, behaviour):
        services = Services(make_settings(e2e_database, chain_endpoints={"tron": tron.url}),
                            bus=RecordingBus())
        try:
            async with services.transaction() as session:
                team = await create_team(session, None, name="Support")
            alice = await make_agent_in(services, "Alice", teams=[team], online=True)
            async with serving(create_app(services.settings, services)) as server:
                workspace = await sign_in(browser, server.url, alice.email)
                widget = await open_widget(browser, server.url)
                await write(widget, f"my USDT-TRC20 transfer {TRON_OK} has not arrived")
                await workspace.locator(".conv").first.click()
                panel = workspace.locator("#chain-lookups")
                await expect(panel).to_be_visible()
                first = panel.locator(".chain-lookup").first
                await expect(first).to_contain_text("TRON (TRC-20)")
                await expect(first).to_contain_text("confirmed")
                await expect(first).to_contain_text("100 USDT")
                await expect(first.locator("a.explorer")).to_have_attribute(
                    "href", f"https://tronscan.org/#/transaction/{TRON_OK}")
                before = behaviour.requests
                await first.locator("button.chain-refresh").click()  # too soon: said, not asked
                await expect(first.locator(".too-soon")).to_contain_text("refresh again in")
                assert behaviour.requests == before
                async with services.transaction() as session:  # the last check a while ago
                    await session.execute(update(ChainLookup).values(
                        checked_at=utcnow() - timedelta(seconds=REFRESH_EVERY_S + 5)))
                await workspace.locator(".conv").first.click()  # the panel reads it again
                await expect(first.locator(".too-soon")).to_have_count(0)
                await first.locator("button.chain-refresh").click()
                await expect(first.locator("button.chain-refresh")).to_be_enabled()
                assert behaviour.requests > before  # refreshed from the chain, not the cache

                await workspace.screenshot(path=artifacts / "chain_lookups_panel.png")
        finally:
            await stop_lookups(services)
            await wipe(services.db)
            await services.stop()
