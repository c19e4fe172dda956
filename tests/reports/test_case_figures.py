"""The reports added in issue 13 over a generated history (tests/reports/generated_cases.py),
each recounted with SQL written by hand, on SQLite and PostgreSQL: complaints, follow-up
calls, points (and the loyalty export), first-contact resolution, time online and busy,
CSAT per team, the comments and the contact reasons' trend."""

import bisect
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from tests.reports.generated_cases import generate, period
from walletdesk.reports.comments import comments_report
from walletdesk.reports.complaints import complaints_report
from walletdesk.reports.first_contact import first_contact_report
from walletdesk.reports.followups import followups_report
from walletdesk.reports.measures import median, percentile
from walletdesk.reports.points import points_credits, points_report
from walletdesk.reports.presence import presence_report
from walletdesk.reports.reason_trend import reason_trend_report
from walletdesk.reports.teams import team_satisfaction_report


def utc(value: Any) -> datetime:
    """A timestamp as plain SQL returns it: a string on SQLite, a datetime on PostgreSQL."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value.astimezone(UTC)


def inside(value: Any) -> bool:
    report = period()
    return value is not None and report.start_utc <= utc(value) < report.end_utc


async def rows(services, sql: str) -> list[Any]:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return list((await session.execute(text(sql))).all())


async def test_every_figure_recounted(services, make_agent, make_team) -> None:  # type: ignore[no-untyped-def]
    """One generated history for all (it takes seconds to write): each check below."""
    generated = await generate(services, make_agent, make_team)
    for check in (check_complaints, check_followups, check_points_and_the_loyalty_export,
                  check_first_contact_resolution, check_time_online_and_busy,
                  check_csat_per_team_and_the_comments, check_contact_reason_trend):
        await check(services, generated)


async def check_complaints(services, generated) -> None:  # type: ignore[no-untyped-def]
    complaints = {r[0]: r for r in await rows(
        services, "SELECT id, category, stage, opened_at, closed_at, resolution_kind, amount,"
                  " asset FROM complaints") if inside(r[3])}
    events = defaultdict(list)
    for cid, stage, at in await rows(services, "SELECT complaint_id, stage, at FROM"
                                               " complaint_events ORDER BY complaint_id, at, id"):
        events[cid].append((stage, utc(at)))
    async with services.read() as session:
        report = await complaints_report(session, period())
    assert report.opened == len(complaints) > 0
    assert report.closed == sum(1 for r in complaints.values() if r[4] is not None)
    assert {c.key: c.count for c in report.by_category} == Counter(
        r[1] for r in complaints.values())
    assert {c.key: c.count for c in report.by_stage} == Counter(r[2] for r in complaints.values())
    stays = defaultdict(list)
    for cid in complaints:
        for (stage, began), (_, ended) in zip(events[cid], events[cid][1:], strict=False):
            stays[stage].append((ended - began).total_seconds())
    for row in report.time_in_stage:
        assert (row.stays, row.median_s, row.p90_s) == (
            len(stays[row.stage]), median(stays[row.stage]),
            percentile(stays[row.stage], 0.9)), row.stage
        assert row.still_in_stage == sum(1 for r in complaints.values()
                                         if r[2] == row.stage and r[4] is None)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for cid, r in complaints.items():
        if r[5] in ("refund", "compensation") and r[6] is not None and \
                "approved" in {stage for stage, _ in events[cid]}:
            sums[(r[7], r[5])] += Decimal(str(r[6]))
    assert {(c.asset, c.kind): Decimal(c.amount) for c in report.compensated} == {
        key: value.quantize(Decimal("1e-8")).normalize() for key, value in sums.items()}


async def check_followups(services, generated) -> None:  # type: ignore[no-untyped-def]
    tasks = [r for r in await rows(services, "SELECT status, outcome, attempts, satisfaction,"
                                             " conversation_id, due_from FROM followups")
             if inside(r[5])]
    async with services.read() as session:
        report = await followups_report(session, period())
    done = [r for r in tasks if r[0] == "completed"]
    assert report.tasks == len(tasks) > 0
    assert report.calls == sum(r[2] for r in tasks)
    assert report.reached == sum(1 for r in done if r[1] == "reached")
    assert report.no_answer == sum(1 for r in tasks if r[0] == "unreachable")
    assert report.declined == sum(1 for r in tasks if r[0] == "declined"
                                  or (r[0] == "completed" and r[1] == "declined"))
    assert report.opted_out == sum(1 for r in tasks if r[0] == "opted_out")
    assert report.new_cases == sum(1 for r in done if r[4] is not None)
    scores = [r[3] for r in tasks if r[3] is not None]
    assert report.satisfaction_average == (round(sum(scores) / len(scores), 4) if scores
                                           else None)
    assert sum(r.count for r in report.satisfaction) == len(scores)


async def check_points_and_the_loyalty_export(services, generated) -> None:  # type: ignore[no-untyped-def]
    credits = [r for r in await rows(
        services, "SELECT s.id, s.customer_id, s.points, s.answered_at, c.verified_user_hash"
                  " FROM surveys s JOIN customers c ON c.id = s.customer_id WHERE s.points > 0")
        if inside(r[3])]
    async with services.read() as session:
        report = await points_report(session, period())
        exported = [credit async for credit in points_credits(session, period())]
    assert (report.credits, report.points) == (len(credits), sum(r[2] for r in credits))
    assert report.customers == len({r[1] for r in credits})
    assert report.identified_customers == len({r[1] for r in credits if r[4]})
    by_day = Counter((utc(r[3]) + timedelta(hours=8)).date() for r in credits)
    assert {d.day: d.credits for d in report.by_day if d.credits} == by_day
    assert [c.credit_id for c in exported] == [f"survey:{r[0]}" for r in sorted(credits)]
    assert {c.operator_user_id for c in exported if c.operator_user_id} <= {
        f"u-{n}" for n in range(12)}


async def check_first_contact_resolution(services, generated) -> None:  # type: ignore[no-untyped-def]
    conversations = {r[0]: (r[1], utc(r[2])) for r in await rows(
        services, "SELECT id, customer_id, created_at FROM conversations") if inside(r[2])}
    resolves: dict[int, list[datetime]] = defaultdict(list)
    later: dict[int, list[datetime]] = defaultdict(list)
    for cid, kind, at, meta in await rows(services, "SELECT conversation_id, sender_kind,"
                                                    " created_at, meta FROM messages"):
        if "resolved" in str(meta):
            resolves[cid].append(utc(at))
        elif kind in ("customer", "agent"):
            later[cid].append(utc(at))
    ever = {cid for cid in conversations if resolves[cid]}
    reopened = {cid for cid in ever if len(resolves[cid]) > 1
                or any(at > min(resolves[cid]) for at in later[cid])}
    everything = await rows(services, "SELECT id, customer_id, created_at FROM conversations")
    came_back = {cid for cid in ever - reopened if any(
        other != cid and customer == conversations[cid][0]
        and utc(created) > conversations[cid][1]
        and min(resolves[cid]) <= utc(created) <= min(resolves[cid]) + timedelta(days=7)
        for other, customer, created in everything)}
    async with services.read() as session:
        report = await first_contact_report(session, period())
    assert (report.ever_resolved, report.reopened, report.came_back) == (
        len(ever), len(reopened), len(came_back))
    assert report.first_contact_resolved == len(ever - reopened - came_back) > 0


async def check_time_online_and_busy(services, generated) -> None:  # type: ignore[no-untyped-def]
    """Recounted minute by minute (every generated time is a whole minute)."""
    report = period()
    changes = defaultdict(list)
    for agent_id, presence, at in await rows(
            services, "SELECT agent_id, presence, changed_at FROM presence_changes"
                      " ORDER BY agent_id, changed_at"):
        changes[agent_id].append((utc(at), presence))
    held = defaultdict(list)
    for agent_id, assigned, resolved in await rows(
            services, "SELECT assignee_id, assigned_at, resolved_at FROM conversations"
                      " WHERE assignee_id IS NOT NULL"):
        held[agent_id].append((utc(assigned), utc(resolved) if resolved else generated.now))
    async with services.read() as session:
        found = {row.agent_id: row for row in
                 (await presence_report(session, report, now=generated.now)).agents}
    assert set(found) == set(generated.agent_ids)
    for agent_id in generated.agent_ids:
        times = [at for at, _ in changes[agent_id]]
        online = away = busy = 0
        minute = report.start_utc
        while minute < report.end_utc:
            index = bisect.bisect_right(times, minute) - 1
            state = changes[agent_id][index][1] if index >= 0 else None
            if state == "online":
                online += 60
                busy += 60 if any(a <= minute < r for a, r in held[agent_id]) else 0
            elif state == "away":
                away += 60
            minute += timedelta(minutes=1)
        row = found[agent_id]
        assert (row.online_s, row.away_s, row.busy_s) == (online, away, busy), agent_id
    assert any(row.busy_s for row in found.values())


async def check_csat_per_team_and_the_comments(services, generated) -> None:  # type: ignore[no-untyped-def]
    surveys = [r for r in await rows(
        services, "SELECT s.team_id, s.rating, s.comment, s.answered_at, s.id, c.created_at"
                  " FROM surveys s JOIN conversations c ON c.id = s.conversation_id")
        if inside(r[5])]
    async with services.read() as session:
        teams = await team_satisfaction_report(session, period())
        comments = await comments_report(session, period())
        low = await comments_report(session, period(), ratings=[1, 2], search="SLOW")
    for row in teams.teams:
        mine = [r for r in surveys if r[0] == row.team_id]
        rated = [r[1] for r in mine if r[1] is not None]
        assert (row.asked, row.ratings) == (len(mine), len(rated))
        assert row.csat == (round(sum(1 for r in rated if r >= 4) / len(rated), 4)
                            if rated else None)
    assert sum(row.asked for row in teams.teams) == len(surveys)
    written = sorted((r for r in surveys if r[1] is not None and r[2]),
                     key=lambda r: (r[1], -utc(r[3]).timestamp(), -r[4]))
    assert comments.total == len(written)
    assert [(c.rating, c.comment) for c in comments.comments] == [(r[1], r[2]) for r in written]
    assert [c.comment for c in low.comments] == [
        r[2] for r in written if r[1] <= 2 and "slow" in r[2].lower()]


async def check_contact_reason_trend(services, generated) -> None:  # type: ignore[no-untyped-def]
    reasons = Counter()
    for created, chosen, category, label in await rows(
            services, "SELECT c.created_at, c.contact_reason, c.category,"
                      " (SELECT min(l.name) FROM labels l JOIN conversation_labels cl"
                      "  ON cl.label_id = l.id WHERE cl.conversation_id = c.id)"
                      " FROM conversations c"):
        if inside(created):
            day = (utc(created) + timedelta(hours=8)).date()
            reasons[(chosen or category or label or "", day)] += 1
    async with services.read() as session:
        trend = await reason_trend_report(session, period(), top=2)
    assert trend.bucket == "day" and len(trend.buckets) == 14
    totals = Counter()
    for (reason, _), count in reasons.items():
        totals[reason] += count
    top = sorted(totals, key=lambda r: (-totals[r], r))[:2]
    assert [s.reason for s in trend.series] == [*top, "other"]
    for series in trend.series[:2]:
        assert series.counts == [reasons[(series.reason, day)] for day in trend.buckets]
    assert sum(trend.series[-1].counts) == sum(totals.values()) - sum(totals[r] for r in top)
