"""The pages of tests/web/test_pages_name_codes.py in Spanish and Chinese: the names of the
codes in the reader's language, and Spanish "all" agreeing with its noun ("todos los
equipos", "todas las etiquetas"). Reads the compiled catalogs: passes once ``make catalogs``
has taken in this task's texts (their translations: /tmp/i18n/ui_codes.json). SQLite and
PostgreSQL."""

from tests.web.test_pages_name_codes import options, part, texts
from walletdesk import i18n
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.outreach.actions import save_campaign
from walletdesk.verification.actions import add_official_channel


def said(locale: str, msgid: str) -> str:
    """The catalog's text for an English one; a missing translation fails the test."""
    translated = i18n.translations(locale).gettext(msgid)
    assert translated != msgid, f"no {locale} translation of {msgid!r}"
    return translated


async def _reader(services, make_agent, sign_in, locale: str):  # type: ignore[no-untyped-def]
    boss = await make_agent("Boss", role=Role.supervisor)
    await set_interface_locale(services, boss.id, locale)
    return boss, (await sign_in(boss.email)).http


async def test_spanish_names_the_codes_and_agrees_all_with_its_noun(services, make_agent,
                                                                    sign_in) -> None:
    boss, http = await _reader(services, make_agent, sign_in, "es")
    await save_campaign(services, boss, name="Consejo mensual", kind="safety_tip",
                        channel="in_app")
    channel = await add_official_channel(services, boss, kind="domain",
                                         value="https://wallet.example")

    outreach = (await http.get("/admin/outreach")).text
    assert texts(part(outreach, 'id="campaigns"'))[1:4] == [
        "consejo de seguridad", said("es", "in-app"), "borrador"]
    assert options(outreach, "kind")["safety_tip"] == "consejo de seguridad"

    channels = (await http.get("/admin/channels")).text
    assert "sitio web" in texts(part(channels, "<tbody>"))

    audit = (await http.get("/admin/audit")).text
    rows = [texts(row) for row in part(audit, "<tbody>").split("<tr>")[1:]]
    added = next(row for row in rows if row[2] == "canal oficial añadido")
    assert added[3] == f"Canal oficial #{channel.id}" and "Tipo sitio web" in added[4]

    assert options((await http.get("/staffing")).text, "team_id")[""] == "todos los equipos"
    reports = (await http.get("/reports")).text
    assert options(reports, "channel")[""] == "todos los canales"
    assert options(reports, "agent_id")[""] == "todos los agentes"
    assert options(reports, "language")[""] == "todos los idiomas"
    assert options(reports, "label_id")[""] == "todas las etiquetas"
    assert options(reports, "category")[""] == "todas las categorías"


async def test_chinese_names_the_codes(services, make_agent, sign_in) -> None:
    boss, http = await _reader(services, make_agent, sign_in, "zh-Hans")
    await save_campaign(services, boss, name="每月提示", kind="safety_tip", channel="sms")
    await add_official_channel(services, boss, kind="wechat", value="DemoWallet")

    outreach = (await http.get("/admin/outreach")).text
    assert texts(part(outreach, 'id="campaigns"'))[1:3] == [
        said("zh-Hans", "safety tip"), said("zh-Hans", "SMS")]
    channels = (await http.get("/admin/channels")).text
    assert said("zh-Hans", "WeChat") in texts(part(channels, "<tbody>"))
    audit = " ".join(texts(part((await http.get("/admin/audit")).text, "<tbody>")))
    assert said("zh-Hans", "official channel added") in audit
    assert said("zh-Hans", "campaign saved") in audit
    assert "official_channel" not in audit and "safety_tip" not in audit
