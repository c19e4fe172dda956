"""From an outside review of the customer pages: topics are grouped under the heading a
customer looks for (the demo's "My funds were stolen" sat under "Service status": its category
"incident" is a customer's security incident, not the service's status), and a team's open or
closed state reads as a whole phrase in Spanish and Chinese (the queue table said "Abierto
ahora: cerrada", the feminine "closed" of a conversation)."""

import re

from tests.bot.test_bot_flow import DEMO_ARTICLES
from tests.conftest import make_agent_in
from walletdesk import i18n
from walletdesk.accounts.actions import create_team
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.kb.actions import import_articles

MONDAY_MINUTE = {"mon": [["09:00", "09:01"]]}  # closed whenever the tests run


def sections(html: str) -> dict[str, str]:
    """{heading: the section's HTML} of the help centre's home."""
    return {heading: body for heading, body in re.findall(
        r'<section class="category">\s*<h2>(.*?)</h2>(.*?)</section>', html, re.S)}


async def test_stolen_funds_are_listed_under_security_in_every_language(services, client):
    report = await import_articles(services, DEMO_ARTICLES.read_text("utf-8").splitlines())
    assert not report.errors
    for lang, stolen, phone in (("en", "My funds were stolen", "I lost my phone"),
                                ("es", "Me robaron los fondos", "Perdí mi teléfono"),
                                ("zh-Hans", "资产被盗了", "手机丢了")):
        catalog = i18n.translations(lang)
        page = await client.get("/help", params={"lang": lang})
        found = sections(page.text)
        security = found[catalog.gettext("Security")]
        assert stolen in security and phone in security, lang  # one section, both topics
        assert catalog.gettext("Service status") not in found, lang
        # one heading once: the sections are what the reader sees, not the category keys
        headings = re.findall(r'<section class="category">\s*<h2>(.*?)</h2>', page.text)
        assert len(headings) == len(set(headings)), headings


async def test_the_incident_category_is_named_as_a_security_matter_everywhere():
    # the reports' contact reasons and the incident alerts read the same name
    assert i18n.category_name("incident", "en") == "Security incidents"
    assert i18n.help_section("Incident") == "security"
    assert i18n.help_section("transfer") == "transfers"
    assert i18n.help_section("cold_storage") == "cold_storage"


async def test_a_teams_open_or_closed_state_is_one_phrase(services, sign_in):
    async with services.transaction() as session:
        await create_team(session, None, name="Global")
        await create_team(session, None, name="VIP desk", weekly_hours=MONDAY_MINUTE)
    boss = await make_agent_in(services, "Boss", role=Role.admin)
    for lang in ("es", "zh-Hans", "en"):
        await set_interface_locale(services, boss.id, lang)
        admin = await sign_in(boss.email)
        page = (await admin.http.get("/admin")).text
        catalog = i18n.translations(lang)
        rows = dict(re.findall(r"<tr><td>(Global|VIP desk)</td><td>(.*?)</td>", page))
        assert rows == {"Global": catalog.gettext("open now"),
                        "VIP desk": catalog.gettext("closed now")}, (lang, rows)
        assert f"<th>{catalog.gettext('Working hours')}</th>" in page
        # never the status word of a conversation or a complaint ("cerrada", "已关闭")
        assert catalog.gettext("closed") not in rows.values()
