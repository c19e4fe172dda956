"""The staffing page's gaps: consecutive short half-hours as one span that ends where its last
half-hour ends, in the plan's time zone, with the days named when a span runs past midnight;
spans repeating at the same times on consecutive days as one row. And a desk without a roster
is told so, not that it is short every half-hour (an outside review saw "Wed 19:30 – 19:30"
for a 14-day span, and "672 half-hours short" with no roster entered)."""

import html
import re
from datetime import UTC, datetime, timedelta

from babel.dates import format_skeleton

from tests.conftest import make_agent_in
from walletdesk.accounts.models import Role
from walletdesk.conversations.models import Conversation, Status
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.staffing.models import Shift
from walletdesk.staffing.queries import IntervalPlan, gap_runs, gap_spans, staffing_plan

HALF = timedelta(minutes=30)
WED = datetime(2026, 12, 2, 19, 30, tzinfo=UTC)  # a Wednesday
MON = datetime(2026, 12, 7, tzinfo=UTC)  # a Monday, midnight


def intervals(start: datetime, count: int, short: set[int] | None = None) -> list[IntervalPlan]:
    """``count`` half-hours from ``start``; those in ``short`` (all if None) one agent short."""
    return [IntervalPlan(starts=start + k * HALF, contacts=1.0, on_queue=1, needed=2,
                         rostered=1 if short is None or k in short else 2, service_level=None)
            for k in range(count)]


def at(day: int, hour: int, minute: int = 0) -> int:
    """The index of a half-hour of the week from MON."""
    return day * 48 + hour * 2 + minute // 30


# --- the spans and rows (pure) ------------------------------------------------------------

def test_one_short_half_hour_ends_thirty_minutes_after_it_starts() -> None:
    [span] = gap_spans(intervals(WED, 4, short={1}))
    assert span.starts == WED + HALF and span.ends == WED + 2 * HALF
    assert span.half_hours == 1 and span.end_clock == "20:30"
    assert span.end_day == span.starts.date()


def test_fourteen_short_days_are_one_span_ending_fourteen_days_later() -> None:
    [span] = gap_spans(intervals(WED, 14 * 48))
    assert span.starts == WED and span.ends == WED + timedelta(days=14)
    assert span.half_hours == 672
    # its end is a day and a time: not "19:30" beside a start of "19:30"
    assert span.end_day == (WED + timedelta(days=14)).date() and span.end_clock == "19:30"
    [run] = gap_runs([span])
    assert run.days == 1 and run.over_midnight


def test_a_span_ending_at_midnight_ends_at_24_00_of_its_day() -> None:
    [span] = gap_spans(intervals(MON, 48, short=set(range(at(0, 22), 48))))
    assert span.end_clock == "24:00" and span.end_day == MON.date()
    assert not gap_runs([span])[0].over_midnight


def test_the_same_hours_short_on_consecutive_days_are_one_row() -> None:
    short = {at(day, 9) + k for day in range(5) for k in range(6)}  # Mon–Fri 09:00–12:00
    short |= {at(day, 14) + k for day in (0, 1) for k in range(2)}  # Mon, Tue 14:00–15:00
    short |= {at(day, 9) + k for day in (7, 8) for k in range(6)}  # next Mon, Tue
    runs = gap_runs(gap_spans(intervals(MON, 14 * 48, short)))
    shape = [(r.first.starts.strftime("%a %d %H:%M"), r.last.starts.strftime("%a %d"), r.days,
              r.first.end_clock, r.half_hours) for r in runs]
    assert shape == [("Mon 07 09:00", "Fri 11", 5, "12:00", 30),
                     ("Mon 07 14:00", "Tue 08", 2, "15:00", 4),
                     ("Mon 14 09:00", "Tue 15", 2, "12:00", 12)]


def test_nights_short_on_consecutive_days_are_one_row_over_midnight() -> None:
    # 17:00 to 09:00 the next day, Monday to Thursday night; then a short Friday afternoon
    short = {at(day, 17) + k for day in range(4) for k in range(32)}
    short |= set(range(at(4, 13), at(4, 15)))
    runs = gap_runs(gap_spans(intervals(MON, 7 * 48, short)))
    assert [(r.days, r.over_midnight, r.first.starts.strftime("%H:%M"), r.first.end_clock)
            for r in runs] == [(4, True, "17:00", "09:00"), (1, False, "13:00", "15:00")]


def test_the_spans_are_in_the_plans_time_zone() -> None:
    [span] = gap_spans(intervals(MON, 4, short={0, 1}), "Asia/Shanghai")
    assert span.starts.strftime("%a %H:%M") == "Mon 08:00" and span.end_clock == "09:00"
    assert span.starts == MON  # the same moment


def test_a_run_keeps_the_worst_of_its_days() -> None:
    plans = intervals(MON, 3 * 48, short={at(0, 9), at(1, 9), at(2, 9)})
    plans[at(1, 9)].needed, plans[at(1, 9)].rostered = 4, 0
    [run] = gap_runs(gap_spans(plans))
    assert (run.days, run.needed, run.rostered, run.gap, run.half_hours) == (3, 4, 0, -4, 3)


# --- the plan and the page (SQLite and PostgreSQL) ----------------------------------------

async def seed_round_the_clock(services, team_id: int, days: int, end: datetime) -> None:  # type: ignore[no-untyped-def]
    """One contact every half-hour of ``days`` days before ``end`` and in ``end``'s own
    half-hour (the history runs to the start of the forecast, the next half-hour): a need at
    every half-hour of the forecast."""
    async with services.transaction() as session:
        customer = Customer(display_name="Steady", language="en")
        session.add(customer)
        await session.flush()
        first = end - timedelta(days=days)
        for k in range(days * 48 + 1):
            queued = first + k * HALF + timedelta(minutes=3)
            session.add(Conversation(customer_id=customer.id, channel="web",
                                     status=Status.resolved, language="en", team_id=team_id,
                                     created_at=queued, queued_at=queued, assigned_at=queued,
                                     resolved_at=queued, last_message_at=queued,
                                     updated_at=queued, last_seq=0))


def gap_rows(page_text: str) -> list[tuple[dict[str, str], str]]:
    """The gaps table's rows: their data attributes and the text of their "When"."""
    rows = []
    for attributes, when in re.findall(r'<tr class="short"([^>]*)><td class="when">(.*?)</td>',
                                       page_text, re.S):
        rows.append((dict(re.findall(r'data-(\w+)="([^"]*)"', attributes)),
                     " ".join(html.unescape(when).split())))
    return rows


def day(moment: datetime) -> str:
    return format_skeleton("MMMEd", moment, locale="en")


async def test_a_fortnight_short_reads_as_one_span_from_a_day_to_a_day(  # type: ignore[no-untyped-def]
        services, make_team, make_agent, sign_in):
    team = await make_team("Support", languages=["en"])
    await seed_round_the_clock(services, team.id, 8, utcnow())
    ann = await make_agent("Ann", teams=[team])
    async with services.transaction() as session:  # one half-hour a week: short all along
        session.add(Shift(agent_id=ann.id, weekday=0, starts="03:00", ends="03:30",
                          timezone="UTC"))
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    page = await lead.http.get(f"/staffing?team_id={team.id}")
    assert page.status_code == 200
    assert "When (UTC)" in page.text
    [(data, when)] = gap_rows(page.text)
    starts, ends = datetime.fromisoformat(data["starts"]), datetime.fromisoformat(data["ends"])
    assert ends - starts == timedelta(weeks=2) and data["days"] == "1"
    assert when == f"{day(starts)} {starts:%H:%M} – {day(ends)} {ends:%H:%M}", when
    assert day(starts) != day(ends)


async def test_weekday_gaps_are_one_row_per_run_of_days(services, make_team, make_agent,  # type: ignore[no-untyped-def]
                                                        sign_in):
    team = await make_team("Support", languages=["en"])
    await seed_round_the_clock(services, team.id, 8, utcnow())
    ann, bo = await make_agent("Ann", teams=[team]), await make_agent("Bo", teams=[team])
    async with services.transaction() as session:  # covered but from 09:00 to 12:00 daily
        for agent in (ann, bo):
            session.add_all([Shift(agent_id=agent.id, weekday=d, starts=s, ends=e,
                                   timezone="UTC")
                             for d in range(7) for s, e in (("00:00", "09:00"),
                                                            ("12:00", "24:00"))])
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    page = await lead.http.get(f"/staffing?team_id={team.id}")
    rows = gap_rows(page.text)
    # 09:00–12:00 on each of the 14 days (a part of it first and last when the forecast
    # starts inside it): a row for the run of days, and at most a part-day row either side
    assert 1 <= len(rows) <= 3 and 14 <= sum(int(data["days"]) for data, _ in rows) <= 15
    runs = [(data, when) for data, when in rows if data["days"] != "1"]
    [(data, when)] = runs
    starts = datetime.fromisoformat(data["starts"])
    assert int(data["days"]) >= 13
    last = starts + timedelta(days=int(data["days"]) - 1)
    assert when == f"{day(starts)} – {day(last)}, daily 09:00 – 12:00", when
    for data, when in rows:
        if data["days"] == "1":
            starts, ends = (datetime.fromisoformat(data[k]) for k in ("starts", "ends"))
            assert starts.date() == ends.date() and "09:00" <= f"{starts:%H:%M}" < "12:00"
            assert when == f"{day(starts)}, {starts:%H:%M} – {ends:%H:%M}", when


async def test_no_roster_is_said_and_no_shortfall_counted(services, make_team, make_agent,  # type: ignore[no-untyped-def]
                                                          sign_in, client):
    team = await make_team("Support", languages=["en"])
    await seed_round_the_clock(services, team.id, 8, utcnow())
    await make_agent("Ann", teams=[team])
    async with services.read() as session:
        plan = await staffing_plan(session, services.settings, team.id)
    assert plan.intervals and all(i.needed > 0 for i in plan.intervals)
    assert not plan.roster_entered
    assert plan.short_intervals == 0 and plan.short_agent_hours == 0

    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    page = await lead.http.get(f"/staffing?team_id={team.id}")
    assert page.status_code == 200
    assert "No roster is entered yet, so no shortfall is counted" in page.text
    assert '<a href="#roster">' in page.text and 'id="roster"' in page.text
    assert "Half-hours short" not in page.text and 'data-figure="short_intervals"' not in page.text
    assert not gap_rows(page.text) and "672" not in page.text
    api = await lead.http.get(f"/api/v1/staffing/plan?team_id={team.id}")
    assert api.json()["roster_entered"] is False and api.json()["short_intervals"] == 0


async def test_with_a_roster_the_shortfall_is_counted_and_the_unrostered_named(  # type: ignore[no-untyped-def]
        services, make_team, make_agent, sign_in):
    team = await make_team("Support", languages=["en"])
    await seed_round_the_clock(services, team.id, 8, utcnow())
    ann = await make_agent("Ann", teams=[team])
    await make_agent("Bo", teams=[team])
    async with services.transaction() as session:
        session.add(Shift(agent_id=ann.id, weekday=2, starts="09:00", ends="17:00",
                          timezone="UTC"))
    async with services.read() as session:
        plan = await staffing_plan(session, services.settings, team.id)
    assert plan.roster_entered and plan.short_intervals == 672
    assert (plan.agents, plan.agents_without_shifts) == (2, 1)
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    page = await lead.http.get(f"/staffing?team_id={team.id}")
    assert 'data-figure="short_intervals"' in page.text and "No roster is entered" not in page.text
    assert "1 of 2 agents have no shifts entered" in page.text


async def test_an_outsourced_team_named_so_is_not_told_so_twice(services, make_team,  # type: ignore[no-untyped-def]
                                                                sign_in):
    await make_team("Peak partner (outsourced)", is_outsourced=True)
    await make_team("Night partner", is_outsourced=True)
    lead = await sign_in((await make_agent_in(services, "Lead", role=Role.supervisor)).email)
    page = await lead.http.get("/staffing")
    table = page.text.split('<table class="thresholds">', 1)[1].split("</table>", 1)[0]
    cells = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split())
             for c in re.findall(r'<tr id="overflow-\d+"><td>(.*?)</td>', table, re.S)]
    assert "Peak partner (outsourced)" in cells and "Night partner (outsourced)" in cells
    assert not any("(outsourced) (outsourced)" in c for c in cells), cells
