"""XSS payloads in a customer's name and in an article stay text in a real browser."""

import pytest
from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import XSS, sign_in
from walletdesk.accounts.actions import create_team
from walletdesk.kb.actions import TranslationIn, save_article
from walletdesk.kb.models import ArticleStatus

pytestmark = pytest.mark.e2e


async def test_customer_name_and_article_payloads_do_not_run(browser, server, e2e_services):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support")
        await save_article(session, None, slug="xss-article", category="<b>cat</b>",
                           status=ArticleStatus.published, translations={
                               "en": TranslationIn(f"Title {XSS}",
                                                   f"Body {XSS}\n\n[x](javascript:window.__xss=3)")})
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)

    context = await browser.new_context()
    widget = await context.new_page()
    await widget.goto(f"{server.url}/widget#name=" + XSS.replace('"', "%22"))
    await expect(widget.locator("#conn-state")).to_have_text("Online")
    await widget.fill("#text", "hello from a tricky name")
    await widget.press("#text", "Enter")

    workspace = await sign_in(browser, server.url, alice.email)
    row = workspace.locator(".conv").first
    await expect(row).to_contain_text("<img src=x")  # the name, as text
    await row.click()
    await expect(workspace.locator("#conv-title")).to_contain_text("<script>")

    help_page = await context.new_page()
    await help_page.goto(f"{server.url}/help?lang=en")
    await expect(help_page.locator("body")).to_contain_text("Title <img src=x")
    await help_page.goto(f"{server.url}/help/articles/xss-article?lang=en")
    await expect(help_page.locator("h1")).to_contain_text("<script>window.__xss=2</script>")
    # a javascript: link does not survive as a link
    assert await help_page.locator(".article-body a[href^='javascript']").count() == 0
    for page in (widget, workspace, help_page):
        assert await page.evaluate("window.__xss") is None
