"""The admin pages name what they list, never print the stored code: a campaign's kind,
channel and status and a segment's rule (/admin/outreach), an official channel's kind
(/admin/channels), an audit action, its target and a detail that is a code (/admin/audit);
the exports keep the codes. A filter's "all" says what it is all of ("all teams"), so Spanish
can agree it with its noun. English pages here; tests/web/test_pages_name_codes_translated.py
reads the same pages in Spanish and Chinese. SQLite and PostgreSQL."""

import re

from walletdesk.accounts.models import Role
from walletdesk.outreach.actions import save_campaign, save_segment
from walletdesk.verification.actions import add_official_channel


def texts(fragment: str, tag: str = "td") -> list[str]:
    """The text of each cell (or option …) of a page fragment, tags removed."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", fragment, re.S)]


def part(page: str, start: str, end: str = "</table>") -> str:
    """The page from ``start`` (an id or a tag) to the next ``end``."""
    begin = page.index(start)
    return page[begin:page.index(end, begin)]


def options(page: str, name: str) -> dict[str, str]:
    select = part(page, f'<select name="{name}"', "</select>")
    return {value: text.strip() for value, text in
            re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)}


async def test_outreach_names_kinds_channels_statuses_and_the_rule(services, make_agent,
                                                                   sign_in) -> None:
    boss = await make_agent("Boss", role=Role.supervisor)
    await save_segment(services, boss, name="Transfer askers", rule={
        "reason": "transfer", "channels": ["web", "email"], "languages": ["zh-Hans"],
        "verified": True, "days": 14})
    campaign = await save_campaign(services, boss, name="Monthly tip", kind="safety_tip",
                                   channel="in_app")
    http = (await sign_in(boss.email)).http

    page = (await http.get("/admin/outreach")).text
    campaigns = texts(part(page, 'id="campaigns"'))
    assert campaigns[1:4] == ["safety tip", "in-app", "draft"]
    rule = " ".join(texts(part(page, 'id="segments"'), "dd"))
    assert "Transfers" in rule and "e-mail, web chat" in rule  # "transfer", "email", "web"
    assert "Chinese (Simplified)" in rule and "verified only" in rule
    for code in ("safety_tip", "in_app", "zh-Hans", "transfer", '"web"', "{"):
        assert code not in " ".join(campaigns) + rule, code
    kinds = options(page, "kind")
    assert kinds == {"message": "message", "safety_tip": "safety tip", "survey": "survey"}
    assert options(page, "channel") == {"in_app": "in-app", "email": "e-mail", "sms": "SMS"}
    assert "Text in Chinese (Simplified)" in page and "Text (zh-Hans)" not in page

    status = part((await http.get(f"/admin/outreach/campaigns/{campaign.id}")).text,
                  'id="campaign-status"', "</p>")
    assert ">safety tip · in-app · draft · every 30 days" in re.sub(r"<[^>]+>", "", status)


async def test_channels_name_their_kinds(services, make_agent, sign_in) -> None:
    boss = await make_agent("Boss", role=Role.supervisor)
    await add_official_channel(services, boss, kind="app_store",
                               value="https://apps.apple.com/app/demo-wallet/id123")
    await add_official_channel(services, boss, kind="domain", value="https://wallet.example")
    page = (await (await sign_in(boss.email)).http.get("/admin/channels")).text
    cells = texts(part(page, "<tbody>"))
    assert "app store page" in cells and "website" in cells
    assert "app_store" not in cells and "domain" not in cells
    kinds = options(page, "kind")
    assert kinds["domain"] == "website" and kinds["wechat"] == "WeChat"
    assert kinds["email"] == "e-mail address" and kinds["x"] == "X (Twitter)"


async def test_the_audit_log_names_actions_targets_and_codes_and_the_export_keeps_them(
        services, make_agent, sign_in) -> None:
    boss = await make_agent("Boss", role=Role.supervisor)
    channel = await add_official_channel(services, boss, kind="domain",
                                         value="https://wallet.example")
    await save_campaign(services, boss, name="Monthly tip", kind="safety_tip", channel="sms")
    http = (await sign_in(boss.email)).http
    page = (await http.get("/admin/audit")).text
    rows = [texts(row) for row in re.findall(r"<tr>(.*?)</tr>", part(page, "<tbody>"), re.S)]
    added = next(row for row in rows if row[2] == "official channel added")
    assert added[3] == f"Official channel #{channel.id}"
    assert "Kind website" in added[4] and "Value https://wallet.example" in added[4]
    saved = next(row for row in rows if row[2] == "campaign saved")
    assert saved[3].startswith("Campaign #")
    assert "Kind safety tip" in saved[4] and "Channel SMS" in saved[4]
    shown = " ".join(" ".join(row) for row in rows)
    for code in ("official_channel.add", "official_channel", "outreach.campaign.save",
                 "outreach_campaign", "safety_tip", "domain", "agent.login"):
        assert code not in shown, code
    assert 'data-action="official_channel.add"' in page  # the code, for tools, not shown

    export = (await http.get("/admin/audit/export", params={"format": "csv"})).text
    assert "official_channel.add" in export and "official_channel" in export
    assert "outreach.campaign.save" in export and "safety_tip" in export


async def test_each_all_says_what_it_is_all_of(services, make_agent, sign_in) -> None:
    boss = await make_agent("Boss", role=Role.supervisor)
    http = (await sign_in(boss.email)).http
    staffing = (await http.get("/staffing")).text
    assert options(staffing, "team_id")[""] == "all teams"
    reports = (await http.get("/reports")).text
    assert {name: options(reports, name)[""] for name in (
        "channel", "team_id", "agent_id", "language", "label_id", "category")} == {
        "channel": "all channels", "team_id": "all teams", "agent_id": "all agents",
        "language": "all languages", "label_id": "all labels",
        "category": "all categories"}
    assert ">all</option>" not in staffing + reports
