"""Cases in a real browser: a customer books a follow-up call from the link; the agent sees
the SLA countdown and works the call list."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import sign_in
from walletdesk.accounts.models import Role
from walletdesk.cases.sla import save_sla_policy
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.followups.actions import record_transaction, save_programme
from walletdesk.followups.models import FollowUp
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.tokens import followup_token


async def test_a_customer_books_a_call_and_the_agent_sees_it(browser, server, e2e_services,
                                                             artifacts):
    services = e2e_services
    now = datetime.now(UTC)
    services.settings.followup_quiet_start = (now + timedelta(hours=6)).strftime("%H:00")
    services.settings.followup_quiet_end = (now + timedelta(hours=8)).strftime("%H:00")
    lead = await make_agent_in(services, "Lead", role=Role.supervisor)
    await save_sla_policy(services, lead, name="Standard", first_response_s=1800,
                          resolution_s=86400)
    await save_programme(services, lead, name="Large withdrawals", trigger="transaction",
                         rule={"min_amount": "1000"}, channel="sms", delay_s=0)
    await receive_message(services, InboundMessage(channel="web", external_id="v1",
                                                   text="where is my deposit?"))
    await services.after_commit.drain()  # the SLA is attached by a listener, after commit
    [task] = await record_transaction(services, user_id="u-1", transaction_id="tx-1",
                                      kind="withdrawal", amount=Decimal("5000"), asset="USDT",
                                      phone="+6591234567", name="Chen <b>bold</b>")
    for job_id, token in await claim_due(services, 10, 60):
        await run_job(services, job_id, token, "e2e")  # the SMS invitation (console)

    customer = await (await browser.new_context(viewport={"width": 390, "height": 844})).new_page()
    await customer.goto(f"{server.url}/followup/{followup_token(services.settings, task.id)}")
    await expect(customer.locator("h1")).to_have_text("Pick a time for our call")
    first_slot = customer.locator("input[name=slot]").first
    await first_slot.check()
    await customer.click("form.slots button[type=submit]")
    await expect(customer.locator(".verdict")).to_contain_text("Booked: we will call you at")
    await customer.screenshot(path=str(artifacts / "followup-booked.png"), full_page=True)

    agent = await sign_in(browser, server.url, lead.email)
    await agent.click("button[data-view=all]")
    # (the inbox's first load on a loaded machine: the wait other browser tests give it)
    await expect(agent.locator(".badge.sla").first).to_contain_text("SLA reply in",
                                                                    timeout=20_000)
    async with services.read() as session:  # the slot may be tomorrow (late in the day)
        booked = await session.get(FollowUp, task.id)
    assert booked is not None and booked.slot_at is not None
    day = booked.slot_at.astimezone(ZoneInfo(services.settings.followup_timezone)).date()
    await agent.goto(f"{server.url}/app/followups?day={day.isoformat()}")
    row = agent.locator("table.calls tbody tr").first
    await expect(row).to_contain_text("Chen <b>bold</b>")  # shown as text
    await expect(row).to_contain_text("+6591234567")
    await agent.screenshot(path=str(artifacts / "followup-call-list.png"), full_page=True)
    await row.locator("select[name=outcome]").select_option("reached")
    await row.locator("select[name=satisfaction]").select_option("5")
    await row.locator("button[type=submit]").click()
    await expect(agent.locator("table.calls")).to_contain_text("No calls for this day.")
