"""The spike detector on generated weeks with an ordinary weekly peak, both engines: no alert
on the peak, an injected spike alerted within two intervals, with samples and a proposed
announcement; the alert mail and webhook are scheduled as jobs."""

from datetime import timedelta

from sqlalchemy import select

from tests.incidents.history import MONDAY, PEAK, build_weeks, spike, write_contacts
from walletdesk.accounts.models import Role
from walletdesk.incidents.alerts import ALERT_MAIL_JOB, ALERT_WEBHOOK_JOB, alert_recipients
from walletdesk.incidents.baseline import assess
from walletdesk.incidents.detector import run_spike_detection
from walletdesk.incidents.models import Announcement, AnnouncementText, SpikeAlert
from walletdesk.incidents.spikes import detect_spikes, interval_floor
from walletdesk.incidents.vocabulary import terms_in
from walletdesk.jobs.models import Job


def test_the_chain_and_asset_words_in_every_language():
    assert terms_in("我的USDT提现一直没到账") == {"usdt", "withdrawal"}
    assert terms_in("波場轉帳 TRC20 提幣") == {"tron", "withdrawal"}  # Traditional folded
    assert terms_in("以太坊 ERC-20 gas") == {"ethereum"}
    assert terms_in("retiro de BTC pendiente") == {"bitcoin", "withdrawal"}
    assert terms_in("Solana deposit") == {"solana", "deposit"}
    assert terms_in("the solution was a leth token") == set()  # whole words only


def test_the_statistic_ignores_one_odd_week_and_small_counts():
    ordinary = [8, 9, 7, 8, 10, 6, 8, 9, 7, 8, 30, 9]  # one earlier incident among them
    assert not assess(14, ordinary, min_count=5, threshold=4, min_ratio=2).is_spike
    assert assess(25, ordinary, min_count=5, threshold=4, min_ratio=2).is_spike
    # nothing usual: it takes min_count to alert
    assert not assess(4, [0] * 12, min_count=5, threshold=4, min_ratio=2).is_spike
    assert assess(5, [0] * 12, min_count=5, threshold=4, min_ratio=2).is_spike


async def test_no_alert_on_the_weekly_peak_and_a_spike_within_two_intervals(services):
    settings = services.settings.model_copy(update={
        "spike_webhook_url": "http://127.0.0.1:9/hook", "spike_alert_emails": ["lead@x.test"],
        "smtp_host": "127.0.0.1"})
    await build_weeks(services)
    # every interval of the current Monday morning, the weekly peak included: no alert
    boundary = MONDAY + timedelta(hours=8, minutes=30)
    checked = 0
    while boundary <= MONDAY + timedelta(hours=12, minutes=30):
        async with services.transaction() as session:
            detection = await detect_spikes(session, settings, boundary + timedelta(seconds=20))
            assert detection.history_weeks == 4
            assert detection.signals == [], (boundary, detection.signals)
        boundary += timedelta(minutes=5)
        checked += 1
    assert checked == 49

    # a spike during the weekly peak: withdrawals about USDT on TRON, from 10:42
    start = MONDAY + PEAK[0] + timedelta(minutes=42)
    await write_contacts(services, spike(start, minutes=15, per_minute=3), seed=1)
    alerts: list[int] = []
    for boundary in (interval_floor(start, timedelta(minutes=5)) + timedelta(minutes=5 * n)
                     for n in (1, 2)):
        async with services.transaction() as session:
            alert = await run_spike_detection(session, settings, boundary + timedelta(seconds=20))
        if alert is not None and alert.id not in alerts:
            alerts.append(alert.id)
    assert len(alerts) == 1, "detected within two intervals, as one alert"
    async with services.read() as session:
        alert = await session.get(SpikeAlert, alerts[0])
        keys = {(s["kind"], s["key"]) for s in alert.signals}
        assert ("term", "tron") in keys and ("term", "usdt") in keys
        assert ("reason", "withdrawal") in keys
        assert ("reason", "deposit") not in keys and ("reason", "security") not in keys
        assert alert.sample_message_ids
        draft = await session.get(Announcement, alert.announcement_id)
        assert draft is not None and not draft.published
        assert {"tron", "usdt"} <= set(draft.affected) and draft.contact_reasons == ["withdrawal"]
        titles = {t.locale: t.title for t in await session.scalars(
            select(AnnouncementText).where(AnnouncementText.announcement_id == draft.id))}
        assert set(titles) == {"zh-Hans", "zh-Hant", "en", "es"}
        assert "TRON (TRC20)" in titles["en"]
        jobs = (await session.scalars(select(Job).order_by(Job.id))).all()
        assert [j.kind for j in jobs if j.kind == ALERT_MAIL_JOB] == [ALERT_MAIL_JOB]
        assert [j.payload for j in jobs if j.kind == ALERT_WEBHOOK_JOB] == [{"alert_id": alert.id}]

    # still high in the next interval: the same alert counts it, nobody is told again
    async with services.transaction() as session:
        later = await run_spike_detection(session, settings, start + timedelta(minutes=13))
    assert later is not None and later.id == alerts[0]
    async with services.read() as session:
        assert (await session.get(SpikeAlert, alerts[0])).intervals == 3
        assert len((await session.scalars(select(Job).where(
            Job.kind == ALERT_WEBHOOK_JOB))).all()) == 1


async def test_too_little_history_never_alerts(services):
    settings = services.settings
    start = MONDAY + timedelta(hours=9)
    await write_contacts(services, spike(start, minutes=10, per_minute=5))
    async with services.transaction() as session:
        detection = await detect_spikes(session, settings, start + timedelta(minutes=6))
    assert detection.history_weeks == 0 and detection.signals == []


async def test_no_alert_mail_without_outgoing_mail(services, make_agent):
    """The demo runs without a mail relay: every spike queued mails that could only fail."""
    await make_agent("Lead", role=Role.supervisor)
    with_mail = services.settings.model_copy(update={"smtp_host": "127.0.0.1"})
    async with services.read() as session:
        assert await alert_recipients(session, with_mail) == [("lead@example.com", None)]
        assert await alert_recipients(session, services.settings) == []
