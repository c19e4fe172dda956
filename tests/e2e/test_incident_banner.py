"""An incident in a real browser (issue 15): an announcement is published; a customer opening
the widget sees its banner (the help centre too) and the bot answers a related question with
it first; the status page shows it; resolving it tells the customer in their thread."""

import asyncio
import json

from playwright.async_api import expect

from tests.conftest import make_agent_in, serving
from tests.e2e.test_chat_in_browser import open_widget, write
from walletdesk.accounts.models import Role
from walletdesk.incidents.actions import (
    AnnouncementFields,
    advance_announcement,
    create_announcement,
)
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.kb.actions import import_articles
from walletdesk.web.app import create_app

ARTICLES = [
    {"id": "withdrawal-time", "category": "withdrawal",
     "title": {"en": "How long does a withdrawal take?"},
     "answer": {"en": "Withdrawals usually arrive within 30 minutes."},
     "examples": {"en": ["how long does a withdrawal take", "my withdrawal has not arrived"]}},
    {"id": "backup", "category": "security", "title": {"en": "Back up your wallet"},
     "answer": {"en": "Write the recovery phrase on paper and keep it offline."},
     "examples": {"en": ["how do I back up my wallet", "where do I keep my recovery phrase"]}},
]
TITLE = "USDT withdrawals on TRON are delayed"


async def test_banner_bot_status_page_and_resolution(browser, e2e_services, artifacts):
    services = e2e_services
    await import_articles(services, [json.dumps(a) for a in ARTICLES])
    lead = await make_agent_in(services, "Lead", role=Role.supervisor)
    async with services.transaction() as session:
        announcement = await create_announcement(session, lead, AnnouncementFields(
            texts={"en": (TITLE, "TRC20 withdrawals are queued; your funds are safe.")},
            severity="major", affected=["usdt", "tron"], contact_reasons=["withdrawal"],
            published=True))
    async with serving(create_app(services.settings, services)) as server:
        while services.bot is None or not services.bot.active:  # the bot loads its articles
            await asyncio.sleep(0.2)
        widget = await open_widget(browser, server.url)
        banner = widget.locator("#wd-announcements .wd-announcement")
        await expect(banner).to_contain_text(TITLE)
        await expect(banner.locator("a")).to_have_attribute(
            "href", f"/status?lang=en#incident-{announcement.id}")
        await widget.screenshot(path=str(artifacts / "incident_widget_banner.png"))

        await write(widget, "My USDT withdrawal on TRC20 has not arrived")
        notice = widget.locator(".msg.bot", has_text=f"Known issue: {TITLE}")
        # the bot's own answer follows the announcement (the bot is slow on a busy machine)
        await expect(widget.locator(".msg.bot").nth(1)).to_be_visible(timeout=60_000)
        await expect(notice).to_have_count(1)
        await expect(widget.locator(".msg.bot").first).to_contain_text("Known issue")

        # the embed: the title by the launcher while the chat is closed, the banner inside
        operator = await (await browser.new_context()).new_page()
        await operator.goto(f"{server.url}/embed-example")
        by_launcher = operator.locator("[data-walletdesk-announcement]")
        await expect(by_launcher).to_have_text(TITLE)
        await by_launcher.click()
        await expect(by_launcher).to_be_hidden()
        framed = operator.frame_locator("iframe")
        await expect(framed.locator("#wd-announcements")).to_contain_text(TITLE)
        await operator.screenshot(path=str(artifacts / "incident_embed.png"))

        help_page = await (await browser.new_context()).new_page()
        await help_page.goto(f"{server.url}/help?lang=en")
        await expect(help_page.locator("#wd-announcements")).to_contain_text(TITLE)
        await help_page.goto(f"{server.url}/status?lang=en")
        await expect(help_page.locator(f"#incident-{announcement.id}")).to_contain_text(TITLE)
        await expect(help_page.locator(".incident-status").first).to_have_text("Investigating")

        async with services.transaction() as session:
            await advance_announcement(session, lead, announcement.id, "resolved",
                                       {"en": "Withdrawals are flowing again."})
        for job_id, token in await claim_due(services, 50, 60):
            await run_job(services, job_id, token, "e2e")
        told = widget.locator(".msg.bot", has_text="Withdrawals are flowing again.")
        await expect(told).to_contain_text(f'Update: "{TITLE}" is resolved.', timeout=30_000)
        # the resolution message takes the banner down at once, not at the next refresh
        await expect(widget.locator("#wd-announcements")).to_be_hidden(timeout=30_000)
        await widget.screenshot(path=str(artifacts / "incident_resolved_in_thread.png"))
        await help_page.reload()
        await expect(help_page.locator(".all-good")).to_be_visible()
