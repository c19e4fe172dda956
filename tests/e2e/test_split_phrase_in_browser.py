"""A recovery phrase sent in three parts (4 + 4 + 4): every bubble ends up replaced, on the customer's
widget and on the agent's workspace, without a reload (a real browser)."""

import pytest
from mnemonic import Mnemonic
from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import open_widget, sign_in, write
from walletdesk.accounts.actions import create_team
from walletdesk.safety.protect import SEED_PLACEHOLDER

pytestmark = pytest.mark.e2e


async def test_a_phrase_sent_in_three_parts_disappears_from_both_screens(
        browser, server, e2e_services, artifacts):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support")
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    workspace = await sign_in(browser, server.url, alice.email)
    widget = await open_widget(browser, server.url)
    words = Mnemonic("english").to_mnemonic(bytes(range(7, 23))).split()

    # four words are not yet a phrase (five in a row would be replaced at once: a fragment)
    await write(widget, " ".join(words[:4]))
    await expect(widget.locator(".msg.customer .body").first).to_have_text(" ".join(words[:4]))
    conversation = workspace.locator(".conv").first
    await expect(conversation).to_be_visible()
    await conversation.click()
    bodies = workspace.locator("#messages .msg.customer .body")
    await expect(bodies.first).to_have_text(" ".join(words[:4]))

    # the second four make eight words in a row: both bubbles are replaced on both screens
    await write(widget, " ".join(words[4:8]))
    await expect(widget.locator(".msg.customer .body")).to_have_text(
        [SEED_PLACEHOLDER, SEED_PLACEHOLDER])
    await expect(bodies).to_have_text([SEED_PLACEHOLDER, SEED_PLACEHOLDER])
    await write(widget, " ".join(words[8:]))
    await expect(bodies).to_have_text([SEED_PLACEHOLDER] * 3)
    await expect(conversation).not_to_contain_text(" ".join(words[:2]))  # the inbox too
    await widget.screenshot(path=str(artifacts / "split-phrase-widget.png"))
    for page in (widget, workspace):
        content = await page.content()
        for start in (0, 4, 8):
            assert " ".join(words[start:start + 2]) not in content
