"""The segment form's contact reasons: one name once. A label named as a knowledge-base
category ("Security", the demo's label, and the category "security") and two categories with
one name ("transfer", "transfers": "Transfers") are one reason, in every language of the page,
and a segment about it finds the customers whichever of its codes their conversations carry
(SQLite and PostgreSQL)."""

import html
import re
from collections import Counter

from tests.outreach.helpers import admin, widget_customer
from walletdesk.conversations.reasons import merged_reasons, same_reason_codes
from walletdesk.db.base import utcnow
from walletdesk.i18n import available_locales
from walletdesk.kb.actions import TranslationIn, save_article
from walletdesk.kb.models import ArticleStatus
from walletdesk.labels.actions import create_label
from walletdesk.outreach.segments import preview, valid_rule

REASON_SELECT = re.compile(r'<select name="reason">(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"\s*(selected)?\s*>([^<]*)</option>')


async def _reasons(services, make_agent):  # type: ignore[no-untyped-def]
    boss = await admin(services, make_agent)
    for slug, category in (("phrase", "security"), ("sent", "transfer"), ("late", "transfers"),
                           ("fee", "fees")):
        async with services.transaction() as session:
            await save_article(session, None, slug=slug, category=category,
                               translations={"en": TranslationIn(slug, "x")},
                               status=ArticleStatus.published)
    for name in ("Security", "VIP", "Transfers"):
        await create_label(services, boss, name=name, color="#1a7f37")
    return boss


def options(page: str) -> list[tuple[str, bool, str]]:
    select = REASON_SELECT.search(page)
    assert select, "the reason picker"
    return [(html.unescape(value), bool(chosen), html.unescape(name))
            for value, chosen, name in OPTION.findall(select.group(1))]


def test_codes_with_one_name_in_any_language_are_one_reason():
    codes = ["fees", "security", "transfer", "transfers", "Security", "Transfers", "VIP"]
    assert merged_reasons(codes) == ["fees", "security", "transfer", "VIP"]
    assert set(same_reason_codes("Security")) >= {"security", "Security"}
    assert set(same_reason_codes("transfers")) >= {"transfer", "transfers", "Transfers"}
    assert "fees" not in same_reason_codes("transfer")
    assert same_reason_codes("VIP") == ["VIP"]


async def test_the_reason_picker_names_each_reason_once(services, make_agent, sign_in):
    await _reasons(services, make_agent)
    boss = await sign_in("boss@example.com")
    for locale in available_locales():
        page = await boss.http.get("/admin/outreach", headers={"accept-language": locale})
        assert page.status_code == 200
        shown = [name for value, _, name in options(page.text) if value]
        assert len(shown) == 4, (locale, shown)
        assert not [name for name, n in Counter(shown).items() if n > 1], (locale, shown)


async def test_a_segment_about_a_reason_finds_every_code_of_it(services, make_agent, sign_in):
    await _reasons(services, make_agent)
    by_label = await widget_customer(services, "v-label", reason="Security")
    by_category = await widget_customer(services, "v-category", reason="security")
    await widget_customer(services, "v-fees", reason="fees")
    async with services.read() as session:
        found = await preview(session, valid_rule({"reason": "security"}), utcnow())
    assert found.count == 2 and {c.id for c in found.sample} == {by_label, by_category}

    # a segment saved with the label's code (the API, or before the codes were merged) shows
    # its reason chosen in the picker, so saving the page again keeps it
    boss = await sign_in("boss@example.com")
    made = await boss.http.post("/admin/outreach/segments", data={
        "csrf_token": boss.csrf, "name": "Safety", "reason": "Security", "days": "30"})
    assert made.status_code == 303, made.text
    location = made.headers["location"]
    page = await boss.http.get(location)
    chosen = [(value, name) for value, selected, name in options(page.text) if selected]
    assert chosen == [("security", "Security")], chosen
    assert "2 customers in this segment now." in page.text
