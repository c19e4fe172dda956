"""The widget after the bot hands a customer to people while nobody is online (the demo's
first flow): the header, the banner and the thread say the same thing (the team is away,
leave a message; never "an agent will be with you shortly"), and no "Talk to a person"
button is left under the bot's messages, also after a reload."""

import pytest
from playwright.async_api import expect

from tests.conftest import make_agent_in, serving
from tests.e2e.test_bot_choice_in_browser import PHONE, unsure_bot
from tests.e2e.test_chat_in_browser import open_widget, write
from walletdesk.accounts.actions import create_team
from walletdesk.i18n import text
from walletdesk.web.app import create_app

pytestmark = pytest.mark.e2e


async def test_handed_off_with_nobody_online(browser, e2e_services, artifacts):
    services = e2e_services
    async with services.transaction() as session:
        team = await create_team(session, None, name="Support", is_default=True)
    await make_agent_in(services, "Alice", teams=[team])  # offline: open hours, nobody there
    async with serving(create_app(services.settings, services)) as server:
        await unsure_bot(services)
        widget = await open_widget(browser, server.url, **PHONE)
        human = widget.locator('.bot-actions button[data-action="human"]')

        await write(widget, "my wallet on a new phone?")  # the bot offers two articles
        await expect(human).to_have_count(1)
        await expect(human).to_be_visible()  # while it is the bot's: the way to a person
        await write(widget, "none of that, it is about my account")  # twice unsure: hand-off
        await expect(widget.locator(".msg.bot").last).to_have_text(
            "Assistant" + text("bot_handoff", "en"))
        away = text("after_hours_unknown", "en")
        await expect(widget.locator(".msg.system").last).to_have_text(away)

        for shown in ("live", "reloaded"):
            if shown == "reloaded":
                await widget.reload()
                await expect(widget.locator(".msg.system").last).to_have_text(away)
            await expect(widget.locator("#conn-state")).to_have_text(
                "Agents away · leave a message")
            await expect(widget.locator("#notice")).to_contain_text("busy or away")
            await expect(widget.locator(".msg", has_text=text("queued", "en"))).to_have_count(0)
            await expect(human).to_have_count(1)
            await expect(human).to_be_hidden()
            # the thread's last notice is in view under the banner
            await expect(widget.locator(".msg.system").last).to_be_in_viewport()
            await widget.screenshot(path=str(artifacts / f"handoff-nobody-online-{shown}.png"))
