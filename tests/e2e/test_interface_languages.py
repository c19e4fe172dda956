"""An agent switches the workspace to Spanish (and Simplified Chinese) in a real browser."""

from pathlib import Path

from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import sign_in
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message

SHOTS = Path("/work/notes/shots")


async def test_an_agent_switches_the_workspace_to_spanish(browser, server, e2e_services,
                                                          artifacts):
    services = e2e_services
    ana = await make_agent_in(services, "Ana")
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v-es", text="¿Dónde está mi retiro?", language="es"))
    await assign_conversation(services, ana, delivered.conversation.id, agent_id=ana.id)

    page = await sign_in(browser, server.url, ana.email)  # Playwright's default: en-US
    await expect(page.locator("#views button[data-view=mine]")).to_have_text("Mine")
    await page.select_option("form.locale-picker select", "es")  # saved on change
    await page.wait_for_url(f"{server.url}/app")
    await expect(page.locator("html")).to_have_attribute("lang", "es")
    await expect(page.locator("#views button[data-view=mine]")).to_have_text("Mías")
    await expect(page.locator("#empty")).to_have_text("Elige una conversación a la izquierda.")
    await expect(page.locator(".topbar nav a[href='/app']")).to_have_text("Bandeja de entrada")
    # texts drawn by workspace.js come from the same catalog
    await page.locator("#conversation-list li.conv").first.click()
    await expect(page.locator("#customer-details")).to_contain_text("Cliente desde")
    await expect(page.locator("#take")).to_be_hidden()  # already mine
    await expect(page.locator("#resolve")).to_have_text("Resolver")
    await expect(page.locator("#reply-text")).to_have_attribute(
        "placeholder", "Escribe una respuesta… (Intro envía, Mayús+Intro para una línea nueva)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "E_workspace_es.png"), full_page=True)

    # the choice stays with the agent: a new sign-in (another browser) is in Spanish too
    again = await sign_in(browser, server.url, ana.email)
    await expect(again.locator("#views button[data-view=unassigned]")).to_have_text("Sin asignar")
    await again.select_option("form.locale-picker select", "zh-Hans")
    await expect(again.locator("#views button[data-view=mine]")).to_have_text("我的")
    await again.locator("#conversation-list li.conv").first.click()
    await expect(again.locator("#customer-details")).to_contain_text("成为客户时间")
    await again.screenshot(path=str(SHOTS / "E_workspace_zh-Hans.png"), full_page=True)
