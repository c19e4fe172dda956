"""Proactive messages in a real browser: an admin makes a segment and an in-app campaign on
the admin pages, and the customer sees the message arrive in the open widget."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import expect
from sqlalchemy import select

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import open_widget, sign_in, write
from walletdesk.accounts.models import Role
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.outreach.models import OutreachContact


async def test_an_admin_sends_an_in_app_message_the_customer_sees(browser, server, e2e_services,
                                                                  artifacts):
    services = e2e_services
    now = datetime.now(UTC)
    # quiet hours away from now in Shanghai, where this customer's browser is
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    services.settings.outreach_quiet_start = (local + timedelta(hours=6)).strftime("%H:00")
    services.settings.outreach_quiet_end = (local + timedelta(hours=8)).strftime("%H:00")
    boss = await make_agent_in(services, "Boss", role=Role.admin)
    widget = await open_widget(browser, server.url, timezone_id="Asia/Shanghai")
    async with widget.expect_response("**/api/widget/outreach") as reported:
        await write(widget, "Is my withdrawal delayed?")
    assert (await reported.value).ok  # the browser's time zone, for quiet hours
    await expect(widget.locator(".msg.customer .body")).to_contain_text("withdrawal delayed")
    async with services.read() as session:
        [contact] = (await session.scalars(select(OutreachContact))).all()
    assert contact.timezone == "Asia/Shanghai"

    admin = await sign_in(browser, server.url, boss.email)
    await admin.goto(f"{server.url}/admin/outreach")
    segment = admin.locator("#new-segment")
    await segment.locator("input[name=name]").fill("Widget users")
    await segment.locator("input[name=channels]").fill("web")
    await segment.locator("button[type=submit]").click()
    await expect(admin.locator("#segment-count")).to_have_text(
        "1 customer in this segment now.")
    await expect(admin.locator("#segment-sample tbody tr")).to_have_count(1)

    await admin.goto(f"{server.url}/admin/outreach")
    campaign = admin.locator("#new-campaign")
    await campaign.locator("input[name=name]").fill("Withdrawals are back")
    await campaign.locator("select[name=segment_id]").select_option(label="Widget users")
    await campaign.locator("textarea[name=text_en]").fill(
        "Withdrawals are back to normal <b>now</b>.")
    await campaign.locator("button[type=submit]").click()
    await expect(admin.locator("#campaign-status")).to_contain_text("draft")
    await admin.locator("#launch button[type=submit]").click()
    await expect(admin.locator("#campaign-status")).to_contain_text("scheduled")

    for _ in range(2):  # the worker: the run, then the send
        for job_id, token in await claim_due(services, 10, 60):
            await run_job(services, job_id, token, "e2e")
    message = widget.locator(".msg.system", has_text="Withdrawals are back to normal")
    await expect(message.locator(".body")).to_have_text(
        "Withdrawals are back to normal <b>now</b>.")  # text, never HTML
    await expect(message.locator(".outreach-stop a")).to_have_text("Stop these messages")
    await widget.screenshot(path=str(artifacts / "outreach-widget.png"))
    await admin.reload()
    await expect(admin.locator("td[data-figure=sent]")).to_have_text("1")
    await expect(admin.locator("td[data-figure=delivered]")).to_have_text("1")
    await admin.screenshot(path=str(artifacts / "outreach-campaign.png"), full_page=True)
