"""The workspace of an agent who reads Simplified Chinese, in a real browser: no English left
in the list, the header, the side panel or a complaint's note, and the contact-reason picker
shows its whole placeholder on a phone."""

import re

from playwright.async_api import Page, expect

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import sign_in
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.cases.sla import save_sla_policy
from walletdesk.complaints.actions import advance_complaint, close_complaint, open_complaint
from walletdesk.conversations.actions import InboundMessage, assign_conversation, receive_message

# the words the workspace said in English to every agent before (issue: zh-Hans leftovers)
ENGLISH = ("Visitor #", "Complaint #", "proposed a refund", " · web · ", "closed early")
MINUTES_IN_ENGLISH = re.compile(r"\b\d+m\b")  # the countdowns' "26m"


async def _reason_fits(page: Page) -> bool:
    """Whether the contact-reason picker is wide enough for its chosen option and its arrow."""
    return await page.evaluate("""() => {
      const select = document.getElementById("resolve-reason");
      const probe = document.createElement("span");
      probe.style.font = getComputedStyle(select).font;
      probe.style.whiteSpace = "pre";
      probe.style.position = "absolute";
      probe.textContent = select.options[select.selectedIndex].text;
      document.body.appendChild(probe);
      const text = probe.getBoundingClientRect().width;
      probe.remove();
      const style = getComputedStyle(select);
      const inner = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return inner >= text + 14;  // the drop-down arrow takes about 14 px of the inside
    }""")


async def test_a_chinese_speaking_agent_sees_no_english_in_the_workspace(
        browser, server, e2e_services, artifacts):
    services = e2e_services
    lead = await make_agent_in(services, "Lead", role=Role.supervisor)
    await save_sla_policy(services, lead, name="Standard", first_response_s=1800,
                          resolution_s=86400)
    mei = await make_agent_in(services, "Mei")
    await set_interface_locale(services, mei.id, "zh-Hans")
    delivered = await receive_message(services, InboundMessage(
        channel="web", external_id="v-zh", text="我的提现手续费被扣了两次", language="zh-Hans"))
    await services.after_commit.drain()  # the SLA is attached by a listener, after commit
    conversation = delivered.conversation
    customer_id = conversation.customer_id
    await assign_conversation(services, mei, conversation.id, agent_id=mei.id)
    complaint = await open_complaint(services, mei, conversation.id, category="fees",
                                     summary="charged twice")
    await advance_complaint(services, mei, complaint.id, "investigating", summary="two fees")
    await advance_complaint(services, mei, complaint.id, "resolution_proposed", kind="refund",
                            amount="1.5", asset="USDT")
    await close_complaint(services, mei, complaint.id, reason="withdrawn by the customer")

    page = await sign_in(browser, server.url, mei.email, viewport={"width": 1440, "height": 900})
    row = page.locator("#conversation-list li.conv").first
    await expect(row.locator("strong")).to_have_text(f"访客 #{customer_id}", timeout=20_000)
    await expect(row.locator(".badge.sla")).to_contain_text("分钟")
    await row.click()
    await expect(page.locator("#conv-title")).to_have_text(
        f"访客 #{customer_id} — #{conversation.id}")
    await expect(page.locator("#conv-meta")).to_contain_text("网页聊天 · 简体中文")
    await expect(page.locator("#customer-details")).to_contain_text("网页聊天")
    await expect(page.locator("#messages")).to_contain_text(
        f"投诉 #{complaint.id}：Mei 提出退款 1.5 USDT，需要审批。")
    await expect(page.locator("#resolve-reason")).to_contain_text("原因（可选）")
    await page.screenshot(path=str(artifacts / "desk-zh-Hans-1440.png"), full_page=True)
    shown = await page.locator("body").inner_text()
    assert [word for word in ENGLISH if word in shown] == []
    assert not MINUTES_IN_ENGLISH.search(shown)

    phone = await sign_in(browser, server.url, mei.email, viewport={"width": 375, "height": 812})
    await phone.locator("#conversation-list li.conv").first.click(timeout=20_000)
    await expect(phone.locator("#resolve-reason")).to_be_visible()
    assert await _reason_fits(phone), "the picker cuts 原因（可选） off"
    await phone.screenshot(path=str(artifacts / "desk-zh-Hans-375.png"), full_page=True)
