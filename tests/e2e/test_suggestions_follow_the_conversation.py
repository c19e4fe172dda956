"""The suggested articles belong to the conversation on screen (found in a walkthrough: after
opening another conversation, the previous one's articles stayed with working "Insert
answer" buttons until the new request answered, and for good when it failed)."""

import re

import pytest
from playwright.async_api import Route, expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import open_widget, sign_in, write
from walletdesk.accounts.actions import create_team

pytestmark = pytest.mark.e2e


async def test_switching_conversations_never_shows_the_previous_suggestions(
        browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support")
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    workspace = await sign_in(browser, server.url, alice.email)
    for visitor in ("first customer", "second customer"):
        widget = await open_widget(browser, server.url)
        await write(widget, f"hello from the {visitor}")
    conversations = workspace.locator(".conv")
    await expect(conversations).to_have_count(2)
    suggestions = workspace.locator("#suggestions")
    await conversations.nth(0).click()
    await expect(suggestions.locator("li")).not_to_have_count(0)
    await expect(suggestions).not_to_contain_text("Looking for articles")
    shown_before = await suggestions.inner_text()

    async def fail(route: Route) -> None:
        await route.abort()

    # the next conversation's suggestions fail to load
    await workspace.route(re.compile(r".*/suggestions$"), fail)
    await conversations.nth(1).click()
    await expect(suggestions).to_contain_text("Suggestions are unavailable right now.")
    assert shown_before not in await suggestions.inner_text()
