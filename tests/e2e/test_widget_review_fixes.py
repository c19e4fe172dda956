"""An outside review of the widget in a real browser, at 1440 px and 375 px, in English and
Spanish: the header says "Online" only when someone who could take the conversation is
there (not with every agent offline, or online but not connected: decision 0059), else that
replies come later or when the team is back; an unsent message survives a reload and goes
once sent; stolen funds are listed under Security in the help centre.

The expected words come from the catalogs (i18n.translations), so the tests hold before and
after new translations are compiled."""

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import update

from tests.bot.test_bot_flow import DEMO_ARTICLES
from tests.conftest import make_agent_in
from walletdesk import i18n
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.models import Agent
from walletdesk.db.base import utcnow
from walletdesk.kb.actions import import_articles

pytestmark = pytest.mark.e2e
SIZES = {"1440": {"viewport": {"width": 1440, "height": 900}},
         "375": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}}
MONDAY_MINUTE = {"mon": [["09:00", "09:01"]]}  # closed whenever the tests run


def say(lang: str, text: str, **values: str) -> str:
    said = i18n.translations(lang).gettext(text)
    for key, value in values.items():
        said = said.replace("{" + key + "}", value)
    return said


# how many answers to its "availability" question each widget page received (by id(page))
ANSWERS: dict[int, int] = {}


def count_answers(page: Page) -> None:
    ANSWERS[id(page)] = 0

    def on_frame(payload: str | bytes) -> None:
        if isinstance(payload, str) and json.loads(payload).get("type") == "availability":
            ANSWERS[id(page)] += 1

    page.on("websocket", lambda socket: socket.on("framereceived", on_frame))


async def widget(browser: Browser, base: str, lang: str, size: str) -> Page:
    page = await (await browser.new_context(**SIZES[size])).new_page()  # type: ignore[arg-type]
    count_answers(page)
    await page.goto(f"{base}/widget?lang={lang}")
    await expect(page.locator("#conn-state")).to_have_attribute("data-state", "away")
    return page


async def seen(services: Any, agent_id: int, *, connected: bool) -> None:
    """The agent's workspace is connected now, or went away past the grace."""
    moment = utcnow() if connected else \
        utcnow() - timedelta(seconds=services.settings.presence_grace_s + 60)
    async with services.transaction() as session:
        await session.execute(update(Agent).where(Agent.id == agent_id)
                              .values(last_seen_at=moment))


async def ask_again(page: Page) -> None:
    """What the widget does every minute and when its tab comes back to the front; returns
    once the desk's answer reached the page (its header then shows that answer)."""
    before = ANSWERS[id(page)]
    await page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    for _ in range(500):  # a bound for a loaded machine, not what is tested
        if ANSWERS[id(page)] > before:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the desk never answered the widget's availability question")


async def test_online_only_when_someone_who_speaks_the_language_is_connected(
        browser, server, e2e_services, artifacts):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", languages=["en", "es"])
    await make_agent_in(e2e_services, "Olga", teams=[team])  # offline
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], languages=["en"],
                                online=True)
    await seen(e2e_services, alice.id, connected=False)  # online, her workspace closed
    for size in SIZES:
        for lang in ("en", "es"):
            page = await widget(browser, server.url, lang, size)
            header = page.locator("#conn-state")
            await expect(header).to_have_text(say(lang, "Agents away · leave a message"))
            await page.screenshot(path=artifacts / f"widget-away-{lang}-{size}.png")
            await page.context.close()

    # both widgets stay open while Alice's workspace connects: they ask again by themselves
    english = await widget(browser, server.url, "en", "375")
    spanish = await widget(browser, server.url, "es", "375")
    await seen(e2e_services, alice.id, connected=True)
    await ask_again(english)
    await expect(english.locator("#conn-state")).to_have_text("Online")
    await expect(english.locator("#conn-state")).to_have_attribute("data-state", "online")
    await english.screenshot(path=artifacts / "widget-online-en-375.png")
    await ask_again(spanish)  # Alice speaks no Spanish: nobody for this customer
    await expect(spanish.locator("#conn-state")).to_have_attribute("data-state", "away")
    await english.context.close()
    await spanish.context.close()


async def test_closed_says_when_the_team_is_back(browser, server, e2e_services, artifacts):
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support", weekly_hours=MONDAY_MINUTE,
                                 timezone="Asia/Singapore")
    await make_agent_in(e2e_services, "Alice", teams=[team], online=True)  # after hours
    for size in SIZES:
        for lang, weekday in (("en", "Mon "), ("es", "lun ")):
            page = await (await browser.new_context(**SIZES[size])).new_page()  # type: ignore[arg-type]
            await page.goto(f"{server.url}/widget?lang={lang}")
            header = page.locator("#conn-state")
            await expect(header).to_have_attribute("data-state", "closed")
            text = await header.inner_text()
            before, after = say(lang, "Closed until {t} · leave a message").split("{t}")
            assert text.startswith(before + weekday) and text.endswith(after), text
            assert "09:00" in text
            box = await header.bounding_box()
            assert box is not None and box["x"] + box["width"] <= SIZES[size]["viewport"]["width"]
            await page.screenshot(path=artifacts / f"widget-closed-{lang}-{size}.png")
            await page.context.close()


async def test_an_unsent_message_survives_a_reload_and_goes_once_sent(
        browser, server, e2e_services, artifacts):
    async with e2e_services.transaction() as session:
        await create_team(session, None, name="Support")
    for size in SIZES:
        page = await widget(browser, server.url, "es", size)
        box = page.locator("#text")
        await box.press_sequentially("Mi transferencia no llegó")  # typed: input events
        await page.reload()
        await expect(page.locator("#conn-state")).to_have_attribute("data-state", "away")
        await expect(box).to_have_value("Mi transferencia no llegó")
        await page.screenshot(path=artifacts / f"widget-draft-es-{size}.png")
        await box.press("Enter")
        await expect(page.locator(".msg.customer .body").first).to_have_text(
            "Mi transferencia no llegó")
        await expect(box).to_have_value("")
        # a draft in the conversation the first message started
        await box.press_sequentially("son 50 USDT")
        await page.reload()
        await expect(page.locator(".msg.customer .body").first).to_have_text(
            "Mi transferencia no llegó")
        await expect(box).to_have_value("son 50 USDT")
        await box.press("Enter")
        await expect(page.locator(".msg.customer .body", has_text="son 50 USDT")).to_have_count(1)
        await page.reload()
        await expect(page.locator(".msg.customer .body", has_text="son 50 USDT")).to_have_count(1)
        await expect(box).to_have_value("")  # sent: gone from the box and the tab's storage
        assert await page.evaluate("Object.keys(sessionStorage).filter("
                                   "k => k.indexOf('walletdesk.draft') === 0).length") == 0
        await page.context.close()


async def test_stolen_funds_under_security_in_the_help_centre(browser, server, e2e_services,
                                                             artifacts):
    while e2e_services.bot is None or e2e_services.bot.built_at is None:
        await asyncio.sleep(0.05)  # the app's own bot runtime, its first load done

    async def keep(*_: Any) -> None:  # no engine build for the articles below
        return None

    e2e_services.bot.rebuild = keep
    await import_articles(e2e_services, DEMO_ARTICLES.read_text("utf-8").splitlines())
    for size in SIZES:
        for lang, stolen in (("en", "My funds were stolen"), ("es", "Me robaron los fondos")):
            page = await (await browser.new_context(**SIZES[size])).new_page()  # type: ignore[arg-type]
            await page.goto(f"{server.url}/help?lang={lang}")
            section = page.locator("section.category", has_text=stolen)
            await expect(section.locator("h2")).to_have_text(say(lang, "Security"))
            await expect(page.locator("section.category h2", has_text=say(
                lang, "Service status"))).to_have_count(0)
            await section.scroll_into_view_if_needed()
            await page.screenshot(path=artifacts / f"help-security-{lang}-{size}.png",
                                  full_page=True)
            await page.context.close()
