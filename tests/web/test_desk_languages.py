"""What the desk draws besides its templates' words, in the agent's language: the system
notes' texts and the durations' units for the scripts, the contact reasons, a complaint's
history and time-in-stage figures (Babel's locale data for durations)."""

import html
import json
import re

import pytest

from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.complaints.actions import advance_complaint, open_complaint
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.web.localization import duration_patterns, format_duration


def _json_script(page: str, element_id: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page)
    assert found, element_id
    return json.loads(found.group(1))


@pytest.mark.parametrize(("locale", "seconds", "said"), [
    ("en", 26 * 60, "26m"), ("en", 86 * 60, "1h 26m"), ("en", 51 * 3600, "2d 3h"),
    ("en", 3600, "1h"), ("en", -26 * 60, "26m"),
    ("zh-Hans", 26 * 60, "26分钟"), ("zh-Hans", 86 * 60, "1小时26分钟"),
    ("zh-Hans", 51 * 3600, "2天3小时"), ("zh-Hant", 26 * 60, "26 分鐘"),
    ("zh-Hant", 86 * 60, "1 小時 26 分鐘"), ("zh-Hant", 51 * 3600, "2 天 3 小時"),
    ("es", 26 * 60, "26min"), ("es", 86 * 60, "1h 26min"),
])
def test_durations_are_said_as_babel_says_them(locale: str, seconds: int, said: str) -> None:
    assert format_duration(locale, seconds) == said


def test_the_scripts_get_the_same_units() -> None:
    chinese = duration_patterns("zh-Hans")
    assert chinese["minute"]["other"] == "{0}分钟" and chinese["hour"]["other"] == "{0}小时"
    assert chinese["list"] == "{0}{1}"
    assert duration_patterns("zh-Hant")["list"] == "{0} {1}"  # its units hold a space
    english = duration_patterns("en")
    assert english["minute"] == {"one": "{0}m", "other": "{0}m"} and english["list"] == "{0} {1}"


async def test_the_workspace_page_carries_the_notes_units_and_reasons_in_chinese(
        services, make_agent, sign_in):
    mei = await make_agent("Mei")
    await set_interface_locale(services, mei.id, "zh-Hans")
    page = (await (await sign_in(mei.email)).http.get("/app")).text

    texts = _json_script(page, "wd-texts")
    assert texts["Visitor #{id}"] == "访客 #{id}"
    # the channels' names come from walletdesk.code_names (tests/web/test_workspace_code_names.py)
    assert _json_script(page, "wd-code-names")["conversation_channel"]["web"] == "网页聊天"
    # the complaint notes' phrases (walletdesk.complaints.texts.NOTES) and the stages they name
    assert texts["Complaint #{ref}: {name} approved the proposed resolution."] == \
        "投诉 #{ref}：{name} 已批准拟定的处理方案。"
    assert texts["resolution proposed"] == "已提出方案"
    assert _json_script(page, "wd-durations")["minute"] == {"other": "{0}分钟"}
    names = re.search(r'id="resolve-reason"[^>]*data-names="([^"]*)"', page)
    assert names and json.loads(html.unescape(names.group(1)))["transfers"] == "转账"
    assert "Reason (optional)" not in page and "原因（可选）" in page


async def test_a_complaint_reads_in_the_agents_language(services, make_team, make_agent,
                                                        sign_in):
    team = await make_team("Support")
    mei = await make_agent("Mei", teams=[team])
    boss = await make_agent("Boss", role=Role.supervisor, teams=[team])
    conversation = (await receive_message(services, InboundMessage(
        channel="web", external_id="v-history", text="提现没到账", language="zh-Hans"))).conversation
    complaint = await open_complaint(services, mei, conversation.id, category="withdrawal",
                                     summary="stuck")
    await advance_complaint(services, mei, complaint.id, "investigating", summary="stuck")
    await advance_complaint(services, mei, complaint.id, "resolution_proposed", kind="refund",
                            amount="2", asset="USDT")
    await set_interface_locale(services, boss.id, "zh-Hans")
    agent = await sign_in(boss.email)

    history = (await agent.http.get(f"/app/complaints/{complaint.id}")).text
    assert "负责人: Mei" in history and "处理结果: 退款" in history and "金额: 2" in history
    assert "owner_agent_id" not in history and "kind:" not in history
    figures = (await agent.http.get("/app/complaints")).text
    assert "0分钟" in figures and " min<" not in figures
