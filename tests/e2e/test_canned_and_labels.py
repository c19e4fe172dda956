"""Canned replies and labels in a real browser: the agent types "/" and a few letters, picks
a reply whose placeholders are filled and sends it; an admin creates a label, the agent puts
it on a conversation, and the inbox's label filter shows only the labelled conversation."""

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import sign_in
from tests.labels.helpers import conversation_in
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Role
from walletdesk.macros.actions import create_canned_reply

pytestmark = pytest.mark.e2e
SHOTS = Path("/work/notes/shots")


def shot(artifacts: Path, name: str) -> Path:
    """Screenshots for people to look at: test-artifacts/, and the notes folder if present."""
    if SHOTS.is_dir():
        return SHOTS / name
    return artifacts / name


async def test_canned_reply_and_labels(browser, server, e2e_services, artifacts):
    services = e2e_services
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support")
    admin = await make_agent_in(services, "Ada", role=Role.admin)
    mei = await make_agent_in(services, "Mei", teams=[team])
    await create_canned_reply(services, admin, shortcut="greeting", title="Greeting",
                              scope="everyone", texts={
                                  "en": "Hi {{customer_name}}, this is {{agent_name}}. "
                                        "Your case number is {{conversation_id}}.",
                                  "zh-Hans": "{{customer_name}}您好，我是{{agent_name}}。"})
    await create_canned_reply(services, admin, shortcut="tx-hash", title="Ask for the hash",
                              scope="everyone", texts={"en": "Could you send the transaction "
                                                             "hash (TXID)?"})
    daniel = await conversation_in(services, admin, team, "v1", name="Daniel",
                                   text="My USDT withdrawal is still pending")
    lucia = await conversation_in(services, admin, team, "v2", name="Lucia",
                                  text="How do I add a custom token?")

    agent = await sign_in(browser, server.url, mei.email)
    await agent.click("#views button[data-view=team]")
    await expect(agent.locator(".conv")).to_have_count(2)
    await agent.locator(".conv", has_text="still pending").click()
    await expect(agent.locator("#conv-title")).to_contain_text(f"#{daniel.id}")

    box = agent.locator("#reply-text")
    await box.click()
    await box.press_sequentially("/gre")
    picker = agent.locator("#canned-picker")
    await expect(picker).to_be_visible()
    await expect(picker.locator("li")).to_have_count(1)
    filled = f"Hi Daniel, this is Mei. Your case number is {daniel.id}."
    await expect(picker.locator("li.active .text")).to_have_text(filled)
    await agent.screenshot(path=shot(artifacts, "B_canned_picker.png"))
    await box.press("Enter")  # picks the reply (the open picker keeps Enter from sending)
    await expect(picker).to_be_hidden()
    await expect(box).to_have_value(filled)
    await expect(agent.locator("#messages .msg.agent")).to_have_count(0)
    await box.press("Enter")  # now it sends
    await expect(agent.locator("#messages .msg.agent .body").last).to_have_text(filled)
    await agent.screenshot(path=shot(artifacts, "B_canned_sent.png"))

    manager = await sign_in(browser, server.url, admin.email)
    await manager.goto(f"{server.url}/admin/labels")
    await manager.fill("#new-label input[name=name]", "Refund")
    await manager.fill("#new-label input[name=color]", "#cf222e")
    await manager.click("#new-label button[type=submit]")
    await expect(manager.locator("table .label-chip", has_text="Refund")).to_be_visible()
    background = await manager.locator("table .label-chip").first.evaluate(
        "e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(207, 34, 46)"  # the colour, set without inline styles (CSP)
    await manager.screenshot(path=shot(artifacts, "B_admin_labels.png"))

    await agent.reload()
    await agent.click("#views button[data-view=team]")
    await agent.locator(".conv", has_text="Daniel").click()
    await expect(agent.locator("#conv-labels select.add-label")).to_be_visible()
    await agent.select_option("#conv-labels select.add-label", label="Refund")
    await expect(agent.locator("#conv-labels .label-chip")).to_have_text("Refund×")
    row = agent.locator(".conv", has_text="Daniel")
    await expect(row.locator(".label-chip")).to_have_text("Refund")  # the live refresh
    await expect(agent.locator(".conv", has_text="Lucia").locator(".label-chip")
                 ).to_have_count(0)

    await agent.select_option("#label-filter", label="Refund")
    await expect(agent.locator(".conv")).to_have_count(1)
    await expect(agent.locator(".conv")).to_contain_text("Daniel")
    await agent.screenshot(path=shot(artifacts, "B_label_filter.png"))
    await agent.select_option("#label-filter", value="")
    await expect(agent.locator(".conv")).to_have_count(2)
    assert lucia.id != daniel.id
