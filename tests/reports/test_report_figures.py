"""Every figure of the reports over a known history (tests/reports/history.py), counted by
hand there, and the main ones recounted with plain SQL, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from tests.reports.history import END, START, TZ, build_history
from walletdesk.errors import Invalid
from walletdesk.reports.agents import agents_report
from walletdesk.reports.filters import cohort_ids, parse_filter
from walletdesk.reports.outcome import outcome_report
from walletdesk.reports.reasons import product_export, reasons_report
from walletdesk.reports.satisfaction import satisfaction_report
from walletdesk.reports.speed import speed_report
from walletdesk.reports.summary import summary_report
from walletdesk.reports.volume import volume_report


def period(**filters):  # type: ignore[no-untyped-def]
    return parse_filter(start=START, end=END, tz=TZ, **filters)


def as_utc(value: object) -> datetime:
    """A timestamp as plain SQL returns it: a string on SQLite, a datetime on PostgreSQL."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


@pytest.fixture
async def history(services, make_agent, make_team):  # type: ignore[no-untyped-def]
    return await build_history(services, make_agent, make_team)


async def test_volume(services, history) -> None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        volume = await volume_report(session, period())
    assert (volume.conversations, volume.messages) == (5, 14)
    assert (volume.customers, volume.new_customers, volume.returning_customers) == (5, 4, 1)
    assert [(d.day.day, d.conversations, d.messages) for d in volume.by_day] == [
        (2, 2, 5), (3, 0, 0), (4, 1, 2), (5, 1, 4), (6, 1, 3), (7, 0, 0), (8, 0, 0)]
    busy = {(c.weekday, c.hour): c.conversations for c in volume.by_hour if c.conversations}
    assert busy == {(0, 1): 1, (0, 9): 1, (2, 4): 1, (3, 20): 1, (4, 23): 1}
    assert len(volume.by_hour) == 7 * 24
    assert [(c.key, c.count) for c in volume.by_channel] == [
        ("widget", 3), ("email", 1), ("telegram", 1)]
    assert sorted((c.key, c.count) for c in volume.by_category) == [("", 4), ("transfer", 1)]
    assert [(c.key, c.count) for c in volume.by_language] == [("en", 3), ("es", 1),
                                                              ("zh-Hans", 1)]


async def test_the_time_zone_decides_the_days(services, history) -> None:  # type: ignore[no-untyped-def]
    """In UTC the same dates hold c6 (Sun 8 17:00 UTC) and not c7 (Sun 1 17:00 UTC)."""
    async with services.read() as session:
        volume = await volume_report(session, parse_filter(start=START, end=END, tz="UTC"))
    assert volume.conversations == 5
    assert "telegram" not in {c.key for c in volume.by_channel}
    assert volume.by_day[-1].conversations == 1  # c6 on Sunday 8 (UTC)


async def test_speed(services, history) -> None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        speed = await speed_report(session, period())
    first = speed.first_response
    # c1 10 min, c4 30 min (not its internal note), c2 14 h of which 1 in working hours
    assert (first.count, first.median_s, first.p90_s) == (3, 1800, 50400)
    assert (first.business_median_s, first.business_p90_s) == (1800, 3600)
    resolution = speed.resolution  # c1 1 h (outside working hours), c3 1 min (no team)
    assert (resolution.count, resolution.median_s, resolution.p90_s) == (2, 1830, 3600)
    assert (resolution.business_median_s, resolution.business_p90_s) == (30, 60)
    assert (speed.handling.count, speed.handling.median_s, speed.handling.business_median_s) \
        == (1, 3300, 0)
    assert (speed.sla_first_response_due, speed.sla_first_response_breached,
            speed.sla_first_response_attainment) == (2, 1, 0.5)
    assert (speed.sla_resolution_due, speed.sla_resolution_attainment) == (1, 1.0)


async def test_outcome(services, history) -> None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        outcome = await outcome_report(session, period())
    assert (outcome.conversations, outcome.resolved, outcome.resolution_rate) == (5, 2, 0.4)
    assert (outcome.ever_resolved, outcome.reopened, outcome.reopen_rate) == (3, 1, 0.3333)
    assert (outcome.with_bot, outcome.bot_contained, outcome.bot_containment_rate) == (2, 1, 0.5)
    assert outcome.handed_off == 1
    assert [(c.key, c.count) for c in outcome.handoff_reasons] == [("low_confidence", 1)]


async def test_satisfaction(services, history) -> None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        satisfaction = await satisfaction_report(session, period())
        unhappy = await satisfaction_report(session, period(), max_rating=2)
    assert (satisfaction.asked, satisfaction.ratings, satisfaction.average,
            satisfaction.csat) == (2, 2, 3.5, 0.5)
    assert [r.count for r in satisfaction.distribution] == [0, 1, 0, 0, 1]
    rated_days = [(d.day.day, d.ratings, d.average, d.csat) for d in satisfaction.by_day
                  if d.ratings]
    assert rated_days == [(2, 1, 5.0, 1.0), (4, 1, 2.0, 0.0)]
    assert [(c.rating, c.comment, c.agent) for c in satisfaction.comments] == [
        (2, "=slow", "Bob"), (5, "great", "Alice")]
    assert satisfaction.comments[0].link == f"/app#{history.ids['c2']}"
    assert [c.rating for c in unhappy.comments] == [2]


async def test_agents(services, history) -> None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        agents = await agents_report(session, period())
    rows = {row.agent: row for row in agents.agents}
    alice, bob = rows["Alice"], rows["Bob"]
    assert (alice.handled, alice.resolved, alice.replies) == (2, 1, 3)
    assert (alice.first_response_median_s, alice.resolution_median_s) == (1200, 3600)
    assert (alice.ratings, alice.csat_average) == (1, 5.0)
    assert (bob.handled, bob.resolved, bob.replies, bob.first_response_median_s,
            bob.resolution_median_s, bob.csat_average) == (1, 0, 1, 50400, None, 2.0)
    assert [row.agent for row in agents.agents] == ["Alice", "Bob"]


async def test_contact_reasons_and_product_export(services, history) -> None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        reasons = await reasons_report(session, period())
        product = await product_export(session, period())
    assert [(r.reason, r.source, r.count) for r in reasons.reasons] == [
        ("", "none", 2), ("fees", "bot", 1), ("transfer", "category", 1), ("vip", "label", 1)]
    assert reasons.reasons[0].share == 0.4
    none = product[0]
    assert none.samples == ["Someone has my account", "hello?"]  # the latest first
    assert none.links == [f"/app#{history.ids['c4']}", f"/app#{history.ids['c7']}"]
    assert [(p.reason, p.samples) for p in product[1:]] == [
        ("fees", ["What are the fees?"]), ("transfer", ["My transfer is stuck"]),
        ("vip", ["Fee too high?"])]


@pytest.mark.parametrize("filters, expected", [
    ({"channel": "email"}, {"c2"}), ({"language": "en"}, {"c1", "c3", "c7"}),
    ({"category": "transfer"}, {"c1"}), ({"agent": True}, {"c1", "c4"}),
    ({"team": True}, {"c1", "c2", "c4"}), ({"label": True}, {"c2"}),
])
async def test_filters(services, history, filters, expected) -> None:  # type: ignore[no-untyped-def]
    filters = dict(filters)  # the parameters are shared by both engines' runs
    if filters.pop("agent", None):
        filters["agent_id"] = history.alice.id
    if filters.pop("team", None):
        filters["team_id"] = history.team.id
    if filters.pop("label", None):
        filters["label_id"] = history.vip.id
    async with services.read() as session:
        reasons = await reasons_report(session, period(**filters))
        volume = await volume_report(session, period(**filters))
    assert reasons.conversations == volume.conversations == len(expected)
    by_id = {v: k for k, v in history.ids.items()}
    async with services.read() as session:
        found = {by_id[i] for i in (await session.scalars(cohort_ids(period(**filters)))).all()}
    assert found == expected


async def test_summary_compares_with_the_period_before(services, history) -> None:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        summary = await summary_report(session, period())
    figures = {f.key: f for f in summary.figures}
    assert summary.previous_period.start == date(2026, 2, 23)
    assert summary.previous_period.end == date(2026, 3, 1)
    assert (figures["conversations"].current, figures["conversations"].previous,
            figures["conversations"].change) == (5, 1, 4)
    assert (figures["first_response_median_s"].current,
            figures["first_response_median_s"].previous) == (1800, 300)
    assert (figures["csat"].current, figures["csat"].previous) == (0.5, 1.0)
    assert figures["reopen_rate"].previous == 0.0


async def test_plain_sql_recount(services, history) -> None:  # type: ignore[no-untyped-def]
    """The cohort, the message count and the first response times, recounted with SQL
    written by hand (not the report's query builder)."""
    report = period()
    async with services.read() as session:
        rows = (await session.execute(text(
            "SELECT c.id, c.created_at,"
            " (SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = c.id"
            "  AND m.sender_kind = 'customer'),"
            " (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id"
            "  AND m.sender_kind IN ('customer', 'agent', 'bot') AND m.is_internal = false)"
            " FROM conversations c"))).all()
        in_period = {cid: (as_utc(first), count) for cid, created, first, count in rows
                     if report.start_utc <= as_utc(created) < report.end_utc}
        replies = (await session.execute(text(
            "SELECT conversation_id, created_at FROM messages"
            " WHERE sender_kind = 'agent' AND is_internal = false"))).all()
        volume = await volume_report(session, report)
        speed = await speed_report(session, report)
    first_reply: dict[int, datetime] = {}
    for cid, created in replies:
        if cid in in_period and as_utc(created) >= in_period[cid][0]:
            first_reply[cid] = min(first_reply.get(cid, as_utc(created)), as_utc(created))
    waits = sorted((first_reply[cid] - in_period[cid][0]).total_seconds() for cid in first_reply)
    assert volume.conversations == len(in_period)
    assert volume.messages == sum(count for _, count in in_period.values())
    assert speed.first_response.count == len(waits)
    assert speed.first_response.median_s == waits[len(waits) // 2]
    assert speed.first_response.p90_s == waits[-1]


async def test_an_empty_period_has_no_figures(services, history) -> None:  # type: ignore[no-untyped-def]
    empty = parse_filter(start="2025-01-01", end="2025-01-07", tz=TZ)
    async with services.read() as session:
        speed = await speed_report(session, empty)
        outcome = await outcome_report(session, empty)
        satisfaction = await satisfaction_report(session, empty)
    assert speed.first_response.median_s is None and speed.first_response.count == 0
    assert outcome.resolution_rate is None and satisfaction.average is None


@pytest.mark.parametrize("arguments, message", [
    ({"start": "2026-13-01"}, "start must be a date"),
    ({"start": "2026-03-09", "end": "2026-03-01"}, "start must not be after end"),
    ({"start": "2024-01-01", "end": "2026-01-01"}, "at most 366 days"),
    ({"tz": "Mars/Olympus"}, "unknown time zone"),
    ({"team_id": 0}, "team_id must be a positive id"),
])
def test_bad_filters_are_refused_clearly(arguments, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid, match=message):
        parse_filter(**arguments)
