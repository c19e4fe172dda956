"""The placeholder of a removed secret reads in the customer's language in the widget, and in
the agent's in the workspace ("[已删除私钥]" in a Chinese chat, not "[private key removed]")."""

import pytest
from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import sign_in, write
from walletdesk.accounts.actions import create_team

pytestmark = pytest.mark.e2e

KEY = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"


async def test_a_removed_key_reads_in_chinese(browser, server, e2e_services, artifacts):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", languages=["zh-Hans"])
    mei = await make_agent_in(e2e_services, "Mei", teams=[team], languages=["zh-Hans"],
                              online=True)
    async with e2e_services.transaction() as session:
        agent = await session.merge(mei)
        agent.interface_locale = "zh-Hans"
    widget = await (await browser.new_context(locale="zh-CN")).new_page()
    await widget.goto(f"{server.url}/widget")
    await expect(widget.locator(".greeting")).to_be_visible()
    await write(widget, f"我的私钥是 {KEY} 转账一直没到")
    mine = widget.locator(".msg.customer .body").last
    await expect(mine).to_contain_text("[已删除私钥]")
    await expect(mine).not_to_contain_text("private key removed")
    await widget.screenshot(path=str(artifacts / "removed-key-widget-zh.png"))

    workspace = await sign_in(browser, server.url, mei.email)
    await workspace.locator(".conv").first.click()
    said = workspace.locator(".msg.customer .body").first
    await expect(said).to_contain_text("[已删除私钥]")
    await expect(said).not_to_contain_text("private key removed")
