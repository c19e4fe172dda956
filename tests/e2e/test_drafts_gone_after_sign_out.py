"""Reply drafts (kept in the tab's sessionStorage by workspace.js) are gone once the agent signs
out, from whichever page: a supervisor writes a draft in /app, goes to /reports and signs out
there; the tab keeps no draft, and what else the origin keeps in the browser (the widget's
visitor token in localStorage, another script's sessionStorage entry) stays."""

import re

import pytest
from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_workspace_address_and_drafts import drafts_kept, open_row, type_draft
from tests.e2e.test_workspace_first_use import sign_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message

pytestmark = pytest.mark.e2e


async def test_signing_out_from_the_reports_page_drops_the_drafts(
        browser, server, e2e_services, artifacts):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    lead = await make_agent_in(e2e_services, "Li Na", role=Role.supervisor, teams=[team])
    delivered = await receive_message(e2e_services, InboundMessage(
        channel="web", external_id="v-draft", text="Where is my USDT?", customer_name="Lin"))
    conversation_id = delivered.conversation.id
    await assign_conversation(e2e_services, lead, conversation_id, agent_id=lead.id)

    page = await sign_in(browser, server.url, lead.email)
    await open_row(page, conversation_id)
    await type_draft(page, "Your transfer is confirmed on chain")
    assert len(await drafts_kept(page)) == 1
    await page.evaluate("""() => { localStorage.setItem('walletdesk.visitor', 'kept');
                                   sessionStorage.setItem('other-tool', 'kept'); }""")

    await page.goto(f"{server.url}/reports")
    await expect(page.locator(".topbar")).to_contain_text("Li Na")
    assert len(await drafts_kept(page)) == 1  # the tab still has it here
    await page.locator("form[action='/logout'] button").click()
    await page.wait_for_url(re.compile(r"/login"))  # after its "load": the page's scripts ran
    assert await drafts_kept(page) == []
    assert await page.evaluate("[localStorage.getItem('walletdesk.visitor'),"
                               " sessionStorage.getItem('other-tool')]") == ["kept", "kept"]
    await page.screenshot(path=str(artifacts / "drafts_signed_out_from_reports.png"))
    await page.context.close()
