"""Pages that fit the screen, in a real browser, and a form the page's policy lets work.

- The outreach page's "A customer's preferences" form saves (it carried an inline
  ``onsubmit`` the Content-Security-Policy blocked: the browser posted to the page itself).
- Nothing scrolls sideways at 375 px (and at 1440 px in the workspace): the incident page with
  transaction hashes in its sample messages, the workspace showing a customer whose name is
  150 letters without a space, the follow-up call list (each call a card, its outcome form in
  view).
- The top bar's links: on a phone a supervisor's fold behind the menu button, and every one is
  in view once it is opened; on a wide screen all show.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tests.conftest import PASSWORD, make_agent_in
from walletdesk.accounts.models import Agent, Role
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message, SenderKind
from walletdesk.db.base import utcnow
from walletdesk.followups.actions import record_transaction, save_programme
from walletdesk.incidents.models import AlertStatus, SpikeAlert
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.outreach.models import OutreachContact
from walletdesk.services import Services

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1440, "height": 900}
TX = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
LONG_NAME = "<img src=x onerror=alert(1)>" + "Z" * 150
SHOTS = "pages-fit"


async def signed_in(browser: Browser, base: str, agent: Agent, viewport: dict[str, int]
                    ) -> Page:
    page = await (await browser.new_context(viewport=viewport)).new_page()  # type: ignore[arg-type]
    await page.goto(f"{base}/login")
    await page.fill("input[name=email]", agent.email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/app")
    return page


async def assert_fits(page: Page, what: str) -> None:
    width, inner = await page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, f"{what}: {width} px wide in a {inner} px window"


def shot(artifacts: Path, name: str) -> str:
    (artifacts / SHOTS).mkdir(exist_ok=True)
    return str(artifacts / SHOTS / f"{name}.png")


async def customer_message(services: Services, visitor: str, text: str,
                           name: str | None = None) -> tuple[int, int]:
    """(conversation id, message id) of a customer's first message."""
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id=visitor, text=text, customer_name=name))
    async with services.read() as session:
        message_id = await session.scalar(select(Message.id).where(
            Message.conversation_id == delivered.conversation.id,
            Message.sender_kind == SenderKind.customer))
    assert message_id is not None
    return delivered.conversation.id, message_id


async def test_the_preferences_form_saves_under_the_pages_policy(browser, server, e2e_services,
                                                                 artifacts):
    lead = await make_agent_in(e2e_services, "Lead", role=Role.supervisor)
    conversation_id, _ = await customer_message(e2e_services, "v-pref", "hello")
    async with e2e_services.read() as session:
        customer_id = await session.scalar(select(Conversation.customer_id).where(
            Conversation.id == conversation_id))
    page = await signed_in(browser, server.url, lead, DESK)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text
            else None)
    await page.goto(f"{server.url}/admin/outreach")
    form = page.locator("#customer-preferences")
    await form.locator("input[name=customer_id]").fill(str(customer_id))
    await form.locator("input[name=opted_out]").check()
    await form.locator("input[name=timezone]").fill("Asia/Shanghai")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#preferences-saved")).to_have_text(
        f"Saved the preferences of customer #{customer_id}.")
    await page.screenshot(path=shot(artifacts, "outreach-preferences-saved"))
    async with e2e_services.read() as session:
        contact = await session.scalar(select(OutreachContact))
    assert contact is not None and contact.customer_id == customer_id
    assert contact.opted_out_at is not None and contact.timezone == "Asia/Shanghai"
    assert blocked == []


async def test_the_incident_page_fits_a_phone(browser, server, e2e_services, artifacts):
    lead = await make_agent_in(e2e_services, "Lead", role=Role.supervisor)
    samples = [(await customer_message(e2e_services, f"v-{n}", text))[1] for n, text in
               enumerate([f"My USDT hasn't arrived, tx {TX}", f"sent {TX}{'A' * 80}"])]
    now = utcnow()
    async with e2e_services.transaction() as session:
        session.add(SpikeAlert(
            interval_start=now - timedelta(minutes=5), interval_end=now, status=AlertStatus.open,
            signals=[{"kind": "term", "key": "usdt", "label": "USDT", "observed": 9,
                      "expected": 0.0, "threshold": 5}], sample_message_ids=samples))
    page = await signed_in(browser, server.url, lead, PHONE)
    # the workspace's badge: the number's plural form
    await expect(page.locator("#spike-alerts")).to_have_text("⚠ 1 incident alert")
    await page.goto(f"{server.url}/admin/incidents")
    await expect(page.locator(".samples li")).to_have_count(2)
    await assert_fits(page, "/admin/incidents")
    await page.screenshot(path=shot(artifacts, "incidents-375"), full_page=True)


async def test_a_long_name_never_widens_the_workspace(browser, server, e2e_services, artifacts):
    lead = await make_agent_in(e2e_services, "Lead", role=Role.supervisor)
    conversation_id, _ = await customer_message(e2e_services, "v-long", "I want a person",
                                                name=LONG_NAME)
    for label, viewport in (("1440", DESK), ("375", PHONE)):
        page = await signed_in(browser, server.url, lead, viewport)
        if viewport is DESK:  # the inbox row: the name cut, its status in view
            await page.locator("#views button[data-view=all]").click()
            row = page.locator(f".conv[data-id='{conversation_id}']")
            await expect(row).to_contain_text("<img src=x")
            box = await row.locator(".badge").first.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 320
        await page.goto(f"{server.url}/app#{conversation_id}")
        await expect(page.locator("#conv-title")).to_contain_text(f"#{conversation_id}")
        await expect(page.locator(".msg.customer .msg-head time")).to_be_visible()
        await assert_fits(page, f"/app at {label} px")
        time_box = await page.locator(".msg.customer .msg-head time").bounding_box()
        assert time_box is not None and time_box["x"] + time_box["width"] <= viewport["width"]
        await page.screenshot(path=shot(artifacts, f"workspace-long-name-{label}"))
        if viewport is PHONE:
            await page.locator("#show-customer").click()
            await expect(page.locator("#customer-details")).to_contain_text("ZZZZ")
            await assert_fits(page, "the customer panel at 375 px")
            await page.screenshot(path=shot(artifacts, "workspace-long-name-panel-375"))


async def test_the_call_list_is_cards_on_a_phone(browser, server, e2e_services, artifacts):
    now = datetime.now(UTC)
    e2e_services.settings.followup_quiet_start = (now + timedelta(hours=6)).strftime("%H:00")
    e2e_services.settings.followup_quiet_end = (now + timedelta(hours=8)).strftime("%H:00")
    lead = await make_agent_in(e2e_services, "Lead", role=Role.supervisor)
    await save_programme(e2e_services, lead, name="Big withdrawals", trigger="transaction",
                         channel="sms", delay_s=0,
                         rule={"type": "withdrawal", "min_amount": "10000", "asset": "USDT"})
    for n, name in enumerate(("陈女士", "Z" * 150)):
        await record_transaction(e2e_services, user_id=f"u-{n}", transaction_id=f"tx-{n}",
                                 kind="withdrawal", amount=Decimal("25000"), asset="USDT",
                                 phone=f"+65 8123 456{n}", name=name, language="zh-Hans")
    for job_id, token in await claim_due(e2e_services, 10, 60):  # the invitations
        await run_job(e2e_services, job_id, token, "e2e")

    page = await signed_in(browser, server.url, lead, PHONE)
    await page.goto(f"{server.url}/app/followups")
    rows = page.locator("table.calls tbody tr")
    await expect(rows).to_have_count(2)
    await assert_fits(page, "/app/followups")
    for index in range(2):  # every control of a call in view
        for control in ("select[name=outcome]", "select[name=satisfaction]",
                        "input[name=notes]", "button[type=submit]"):
            box = await rows.nth(index).locator(control).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, control
    await expect(rows.first.locator("a[href^='tel:']")).to_have_text("+6581234560")
    await page.screenshot(path=shot(artifacts, "followups-375"), full_page=True)
    # a call saved from the card
    await rows.first.locator("select[name=outcome]").select_option("reached")
    await rows.first.locator("button[type=submit]").click()
    await expect(page.locator("table.calls tbody tr")).to_have_count(1)


async def test_every_menu_link_is_in_view(browser, server, e2e_services, artifacts):
    lead = await make_agent_in(e2e_services, "Lead", role=Role.supervisor)
    phone = await signed_in(browser, server.url, lead, PHONE)
    links = phone.locator(".topbar nav a")
    button = phone.locator(".topbar .menu-toggle")
    await expect(button).to_be_visible()
    await expect(links.first).to_be_hidden()  # folded until asked for
    await button.click()
    await expect(button).to_have_attribute("aria-expanded", "true")
    count = await links.count()
    assert count >= 15  # a supervisor's pages: Inbox … Audit
    for index in range(count):
        link = links.nth(index)
        await expect(link).to_be_visible()
        box = await link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, \
            await link.text_content()
    await assert_fits(phone, "the open menu")
    await phone.screenshot(path=shot(artifacts, "menu-open-375"))
    await links.filter(has_text="Outreach").click()
    await phone.wait_for_url(f"{server.url}/admin/outreach")

    desk = await signed_in(browser, server.url, lead, DESK)
    await expect(desk.locator(".topbar .menu-toggle")).to_be_hidden()
    for index in range(count):
        await expect(desk.locator(".topbar nav a").nth(index)).to_be_in_viewport()
