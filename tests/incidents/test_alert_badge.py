"""The workspace's incident badge (/admin/incidents/badge) says the open alerts in the
reader's language with the number's plural form: "⚠ 1 incident alert", "⚠ 2 incident alerts"
(the words come from the server: a script cannot pick a language's plural form from a
catalog)."""

from datetime import timedelta

from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.db.base import utcnow
from walletdesk.incidents.models import AlertStatus, SpikeAlert


async def open_alerts(services, count: int) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    async with services.transaction() as session:
        session.add_all(SpikeAlert(
            interval_start=now - timedelta(minutes=5 * (n + 1)),
            interval_end=now - timedelta(minutes=5 * n), status=AlertStatus.open,
            signals=[{"kind": "term", "key": "usdt", "label": "USDT", "observed": 9,
                      "expected": 1.0, "threshold": 5}]) for n in range(count))


async def test_the_badge_says_one_alert_and_several(services, make_agent, sign_in) -> None:  # type: ignore[no-untyped-def]
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    await open_alerts(services, 1)
    assert (await lead.http.get("/admin/incidents/badge")).json() == {
        "open": 1, "text": "⚠ 1 incident alert"}
    await open_alerts(services, 1)
    assert (await lead.http.get("/admin/incidents/badge")).json() == {
        "open": 2, "text": "⚠ 2 incident alerts"}


async def test_the_badge_speaks_the_agents_language(services, make_agent, sign_in) -> None:  # type: ignore[no-untyped-def]
    """Needs the catalogs' translations of "⚠ {n} incident alert(s)" (merged by the lead)."""
    boss = await make_agent("Boss", role=Role.supervisor)
    await set_interface_locale(services, boss.id, "zh-Hans")
    lead = await sign_in(boss.email)
    await open_alerts(services, 2)
    text = (await lead.http.get("/admin/incidents/badge")).json()["text"]
    assert "2" in text and "incident" not in text
