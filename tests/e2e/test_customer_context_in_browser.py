"""The customer's context in a real browser: an agent sees the operator's account data and the
device report beside the conversation (values as text, refreshable), an outsourced agent sees
them masked, and the widget embedded in an operator's page passes the device context."""

import json
from urllib.parse import urlencode

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from tests.conftest import make_agent_in
from tests.customer_context.operator_server import configure, operator_endpoint
from tests.e2e.test_chat_in_browser import sign_in, write
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.customer_context import operator as context_module
from walletdesk.customer_context.device import DEVICE_FIELDS
from walletdesk.customer_context.models import DeviceContext
from walletdesk.customers.identity import sign_user_id

pytestmark = pytest.mark.e2e
IDENTITY_SECRET = "operator-shared-identity-secret"
ETH = "0x52908400098527886E0F7030069857D2E4169EE7"
# the panel loads after the conversation: on a loaded test machine give it longer than 5 s
PANEL_WAIT_MS = 20_000
HASH = "0x9fd2c1b7a3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddee"


async def _stored_context(services, attempts: int = 50) -> DeviceContext | None:  # type: ignore[no-untyped-def]
    import asyncio

    for _ in range(attempts):  # written by the server as the widget's message arrives
        async with services.read() as session:
            row = await session.scalar(select(DeviceContext))
        if row is not None:
            return row
        await asyncio.sleep(0.1)
    return None


async def test_agents_see_the_context_outsourced_agents_masked(browser, server, e2e_services,
                                                                artifacts):
    context_module.clear_cache()
    async with operator_endpoint() as operator:
        configure(e2e_services.settings, operator, identity_secret=IDENTITY_SECRET,
                  device_context_fields=list(DEVICE_FIELDS))
        async with e2e_services.transaction() as session:
            team = await create_team(session, None, name="Support")
        alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
        olivia = await make_agent_in(e2e_services, "Olivia", role=Role.outsourced, teams=[team])

        # an in-app web view: the signed user id and the device context in the fragment
        fragment = urlencode({
            "user_id": "user-42", "user_hash": sign_user_id(IDENTITY_SECRET, "user-42"),
            "context": json.dumps({"app_version": "3.2.1", "os": "Android 14",
                                   "platform": "android", "language": "zh-CN",
                                   "wallet_addresses": [{"chain": "ethereum", "address": ETH}]})})
        widget = await (await browser.new_context()).new_page()
        await widget.goto(f"{server.url}/widget#{fragment}")
        await expect(widget.locator("#conn-state")).to_have_text("Online")
        await write(widget, "Hi, my withdrawal has not arrived")
        await expect(widget.locator(".msg.system")).to_contain_text("Alice joined")
        stored = await _stored_context(e2e_services)
        assert stored is not None and stored.wallet_addresses == f"ethereum:{ETH}"

        workspace = await sign_in(browser, server.url, alice.email)
        await workspace.locator(".conv").first.click()
        panel = workspace.locator("#customer-context")
        await expect(panel).to_be_visible()
        account = panel.locator("#customer-context-account")
        await expect(account).to_contain_text("Gold", timeout=PANEL_WAIT_MS)
        await expect(account).to_contain_text("1,200")
        await expect(account).to_contain_text("kyc_status")
        # the operator's unknown field is shown as text, never as markup
        await expect(account).to_contain_text('<img src=x onerror="window.__xss=1">')
        transactions = panel.locator("#customer-context-transactions")
        await expect(transactions).to_contain_text("withdrawal · 250.00 USDT · completed")
        await expect(transactions).to_contain_text(HASH)
        device = panel.locator("#customer-context-device")
        await expect(device).to_contain_text("Android 14")
        await expect(device).to_contain_text(ETH)
        assert await workspace.evaluate("window.__xss") is None
        await workspace.screenshot(path=str(artifacts / "customer-context-agent.png"))

        # refreshable: the operator's new answer shows without reopening the conversation
        operator.answer = {**operator.answer, "account_level": "Platinum", "points": 1500}
        context_module.clear_cache()  # as if the short cache had run out
        await panel.locator("#customer-context-refresh").click()
        await expect(account).to_contain_text("Platinum")
        await expect(account).to_contain_text("1,500")

        # an outsourced agent of the same team: identifiers, amounts and the operator's own
        # fields masked
        conversation_id = await workspace.evaluate("wdWorkspace.current()")
        helper = await sign_in(browser, server.url, olivia.email)
        await helper.goto(f"{server.url}/app#{conversation_id}")
        masked = helper.locator("#customer-context")
        await expect(masked.locator("#customer-context-account")).to_contain_text(
            "Platinum", timeout=PANEL_WAIT_MS)
        await expect(masked.locator("#customer-context-state")).to_contain_text(
            "personal data masked")
        await expect(masked.locator("#customer-context-device")).to_contain_text("0x52***E7")
        await expect(masked.locator("#customer-context-transactions")).to_contain_text(
            "withdrawal · *** USDT · completed")
        text = await masked.inner_text()
        assert ETH not in text and HASH not in text and "passed" not in text
        await helper.screenshot(path=str(artifacts / "customer-context-outsourced.png"))

        # the operator's system down: a clear "unavailable", the device report still there
        operator.mode, operator.status = "status", 503
        context_module.clear_cache()
        await panel.locator("#customer-context-refresh").click()
        await expect(panel.locator("#customer-context-state")).to_contain_text(
            "Context unavailable")
        await expect(panel.locator("#customer-context-account")).to_be_empty()
        await expect(device).to_contain_text("Android 14")
    context_module.clear_cache()


async def test_the_embedded_widget_passes_the_device_context(browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support")
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    site = await (await browser.new_context()).new_page()
    await site.goto(f"{server.url}/embed-example")  # sets walletdeskSettings.context
    await site.locator("button[aria-label^='Chat with support']").click()
    widget = site.frame_locator("iframe[title='Support chat']")
    await expect(widget.locator("#conn-state")).to_have_text("Online")
    await widget.locator("#text").fill("hello from the operator's page")
    await widget.locator("#text").press("Enter")
    await expect(widget.locator(".msg.customer .body")).to_contain_text("hello from")

    stored = await _stored_context(e2e_services)
    assert stored is not None
    # the default fields: app version, OS, platform and language (no addresses)
    assert (stored.app_version, stored.platform) == ("web-demo-1.0", "web")
    assert stored.language and stored.os is not None and stored.wallet_addresses is None

    workspace = await sign_in(browser, server.url, alice.email)
    await workspace.locator(".conv").first.click()
    device = workspace.locator("#customer-context-device")
    await expect(device).to_contain_text("web-demo-1.0", timeout=PANEL_WAIT_MS)
    await expect(device).to_contain_text("web")


async def test_a_context_the_desk_would_refuse_never_stops_the_chat(browser, server,
                                                                     e2e_services):
    """A control character anywhere in a hello frame makes the server refuse the frame: the
    widget leaves such a context out, and the customer chats as usual."""
    async with e2e_services.transaction() as session:
        await create_team(session, None, name="Support")
    fragment = urlencode({"context": json.dumps({"app_version": "1.0", "os": "bad\u0000os"})})
    widget = await (await browser.new_context()).new_page()
    await widget.goto(f"{server.url}/widget#{fragment}")
    await expect(widget.locator("#conn-state")).to_have_attribute("data-state", "away")  # nobody
    await write(widget, "hello anyway")
    await expect(widget.locator(".msg.customer .body")).to_contain_text("hello anyway")
    await expect(widget.locator(".msg.customer.failed")).to_have_count(0)
    assert await _stored_context(e2e_services, attempts=5) is None
