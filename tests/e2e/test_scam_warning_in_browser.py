"""A customer telling that "support" contacted them reads the warning first, in a real browser
(walletdesk.safety.contact_claims): on a phone-sized widget the bot's warning comes before its
choice of articles, whole and as plain text, and the conversation stays with the bot."""

import pytest
from playwright.async_api import expect

from tests.e2e.test_bot_choice_in_browser import asked_with_choices
from walletdesk import i18n

pytestmark = pytest.mark.e2e


async def test_the_warning_comes_before_the_bots_answer(browser, e2e_services, artifacts):
    services = e2e_services
    told = "Someone from support DMed me on Telegram asking for my recovery phrase <b>help</b>"
    async with asked_with_choices(browser, services, told) as (widget, question, choices):
        await expect(choices).to_have_count(2, timeout=20_000)
        bots = widget.locator(".msg.bot .body")
        warning = i18n.text("support_reached_out", "en", brand=services.settings.brand_name)
        await expect(bots.first).to_have_text(warning)
        # the customer's own words stay text: no <b> made bold
        await expect(widget.locator(".msg.customer .body").last).to_have_text(told)
        assert await widget.locator(".msg.customer b").count() == 0
        width = await widget.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
        await widget.screenshot(path=str(artifacts / "scam-warning-375.png"))
