"""The staffing plan from history, the roster, the page and the API, on both engines."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tests.conftest import make_agent_in
from walletdesk.accounts.actions import create_api_token
from walletdesk.accounts.models import Role
from walletdesk.conversations.models import Conversation, Message, SenderKind, Status
from walletdesk.customers.models import Customer
from walletdesk.db.base import utcnow
from walletdesk.staffing.models import Shift, TeamOverflow
from walletdesk.staffing.queries import staffing_plan

NOW = datetime(2026, 12, 7, 0, 10, tzinfo=UTC)  # a Monday, just after midnight UTC


async def seed_history(services, team_id: int, days: int,  # type: ignore[no-untyped-def]
                       end: datetime = NOW) -> int:
    """``days`` of contacts before ``end``, and ``end``'s own day up to it: 4 a half-hour
    09:00–17:00 UTC on weekdays, 10-minute handling (the customer asks, one of four agents
    answers 10 minutes later: one conversation at a time each); nothing at night or at
    weekends. (Without the morning of ``end``'s day, a run at 11:00 on a weekday read as a
    desk gone quiet, and the forecast fell to nothing.)"""
    made = 0
    agents = [await make_agent_in(services, f"History {k}") for k in range(4)]
    async with services.transaction() as session:
        customer = Customer(display_name="History", language="en")
        session.add(customer)
        await session.flush()
        for day in range(days, -1, -1):
            date = (end - timedelta(days=day)).replace(hour=0, minute=0, second=0,
                                                       microsecond=0)
            if date.weekday() >= 5:
                continue
            for half_hour in range(18, 34):
                for k in range(4):
                    queued = date + timedelta(minutes=30 * half_hour + 7 * k)
                    if queued >= end:
                        continue
                    answered = queued + timedelta(minutes=10)
                    conversation = Conversation(
                        customer_id=customer.id, channel="web", status=Status.resolved,
                        language="en", team_id=team_id, created_at=queued, queued_at=queued,
                        assigned_at=queued, resolved_at=answered, last_message_at=answered,
                        updated_at=answered, last_seq=2)
                    session.add(conversation)
                    await session.flush()
                    session.add_all([
                        Message(conversation_id=conversation.id, seq=1, created_at=queued,
                                sender_kind=SenderKind.customer, text="help"),
                        Message(conversation_id=conversation.id, seq=2, created_at=answered,
                                sender_kind=SenderKind.agent, sender_agent_id=agents[k].id,
                                sender_name=agents[k].display_name, text="done")])
                    made += 1
    return made


async def test_the_plan_forecasts_needs_and_highlights_gaps(services, make_team, make_agent):
    team = await make_team("Support", languages=["en"])
    await seed_history(services, team.id, 21)
    ann = await make_agent("Ann", teams=[team])
    async with services.transaction() as session:
        for weekday in range(5):  # Ann works 09–13 on weekdays, alone
            session.add(Shift(agent_id=ann.id, weekday=weekday, starts="09:00", ends="13:00",
                              timezone="UTC"))
    async with services.read() as session:
        plan = await staffing_plan(session, services.settings, team.id, now=NOW)
    assert plan.method == "holt_winters"
    assert plan.handle_from_history and round(plan.handle_s) == 600
    by_time = {(i.starts.weekday(), i.starts.strftime("%H:%M")): i for i in plan.intervals}
    busy, night = by_time[(1, "10:00")], by_time[(1, "03:00")]
    assert 3 <= busy.contacts <= 5 and night.contacts < 0.5
    # 4 contacts a half-hour, 600 s each: 1.33 erlangs; 80 % within 20 s needs 3 on the
    # queue (2 give 75.9 %), 5 rostered with 30 % shrinkage
    assert busy.on_queue == 3 and busy.needed == 5
    assert busy.rostered == 1 and busy.gap == -4
    assert night.needed == 0 and night.gap == 0
    afternoon = by_time[(1, "15:00")]
    assert afternoon.rostered == 0 and afternoon.gap == -afternoon.needed < 0
    assert plan.short_intervals >= 16 * 5


async def test_little_history_falls_back_and_says_so(services, make_team):
    team = await make_team("New desk")
    await seed_history(services, team.id, 3)
    async with services.read() as session:
        plan = await staffing_plan(session, services.settings, team.id, now=NOW)
    assert plan.method == "daily_average"
    assert not plan.handle_from_history or plan.handle_s == 600


async def test_page_roster_and_thresholds(services, make_team, make_agent, sign_in):
    team = await make_team("Support", languages=["en"])
    partner = await make_team("Partner", is_outsourced=True)
    await seed_history(services, team.id, 21, utcnow())
    lead = await make_agent("Lead", role=Role.supervisor)
    ann = await make_agent("Ann", teams=[team])
    signed = await sign_in(lead.email)

    page = await signed.http.get("/staffing")
    assert page.status_code == 200
    assert 'data-chart="staffing"' in page.text and 'id="staffing-data"' in page.text
    # nobody rostered: no roster entered, so no need is counted a gap (the page says so)
    assert 'data-gaps="unknown"' in page.text and "No roster is entered yet" in page.text

    saved = await signed.http.post(f"/staffing/shifts/{ann.id}", data={
        "csrf_token": signed.csrf, "mon": "09:00-13:00, 14:00-18:00", "tue": "22:00-24:00",
        "timezone": "Asia/Shanghai"})
    assert saved.status_code == 303
    async with services.read() as session:
        shifts = (await session.scalars(select(Shift).where(Shift.agent_id == ann.id)
                                        .order_by(Shift.weekday, Shift.starts))).all()
    assert [(s.weekday, s.starts, s.ends, s.timezone) for s in shifts] == [
        (0, "09:00", "13:00", "Asia/Shanghai"), (0, "14:00", "18:00", "Asia/Shanghai"),
        (1, "22:00", "24:00", "Asia/Shanghai")]
    page = await signed.http.get(f"/staffing?team_id={team.id}")
    assert 'value="09:00-13:00, 14:00-18:00"' in page.text

    for bad, why in (({"mon": "18:00-09:00"}, "is not before"),
                     ({"mon": "09:00-12:00, 11:00-13:00"}, "overlap"),
                     ({"wed": "nine to five"}, "HH:MM"),
                     ({"mon": "09:00-10:00", "timezone": "Mars/Olympus"}, "time zone")):
        refused = await signed.http.post(f"/staffing/shifts/{ann.id}",
                                         data={"csrf_token": signed.csrf, **bad})
        assert refused.status_code == 422 and why in refused.text, (bad, refused.text[:300])

    saved = await signed.http.post(f"/staffing/overflow/{team.id}",
                                   data={"csrf_token": signed.csrf, "wait_threshold_min": "5"})
    assert saved.status_code == 303
    async with services.read() as session:
        assert (await session.get(TeamOverflow, team.id)).wait_threshold_s == 300
    refused = await signed.http.post(f"/staffing/overflow/{partner.id}",
                                     data={"csrf_token": signed.csrf, "wait_threshold_min": "x"})
    assert refused.status_code == 422


async def test_api_plan_and_shifts(services, make_team, make_agent, client):
    team = await make_team("Support", languages=["en"])
    await seed_history(services, team.id, 21, utcnow())
    lead = await make_agent("Lead", role=Role.supervisor)
    ann = await make_agent("Ann", teams=[team])
    _, write = await create_api_token(services, lead, "wfm", "write")
    _, read = await create_api_token(services, lead, "bi", "read")
    agent = await make_agent("Agent", teams=[team])
    _, agent_token = await create_api_token(services, agent, "mine", "write")

    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    put = await client.put(f"/api/v1/staffing/shifts/{ann.id}", headers=auth(write), json={
        "timezone": "UTC", "shifts": [{"weekday": d, "starts": "09:00", "ends": "17:00"}
                                      for d in range(5)]})
    assert put.status_code == 200, put.text
    assert len(put.json()["shifts"]) == 5
    assert (await client.put(f"/api/v1/staffing/shifts/{ann.id}", headers=auth(read),
                             json={"shifts": []})).status_code == 403
    bad = await client.put(f"/api/v1/staffing/shifts/{ann.id}", headers=auth(write),
                           json={"shifts": [{"weekday": 7, "starts": "09:00", "ends": "10:00"}]})
    assert bad.status_code == 422
    assert (await client.put("/api/v1/staffing/shifts/999999", headers=auth(write),
                             json={"shifts": []})).status_code == 404

    plan = await client.get(f"/api/v1/staffing/plan?team_id={team.id}", headers=auth(read))
    assert plan.status_code == 200
    body = plan.json()
    assert body["method"] == "holt_winters" and len(body["intervals"]) == 2 * 336
    covered = [i for i in body["intervals"] if i["rostered"] == 1]
    assert covered and all(i["gap"] == i["rostered"] - i["needed"] for i in body["intervals"])
    shifts = await client.get("/api/v1/staffing/shifts", headers=auth(read))
    assert {row["name"]: len(row["shifts"]) for row in shifts.json()}["Ann"] == 5
    assert (await client.get("/api/v1/staffing/plan", headers=auth(agent_token))).status_code \
        == 403

    threshold = await client.put(f"/api/v1/staffing/overflow/{team.id}", headers=auth(write),
                                 json={"wait_threshold_s": 600})
    assert threshold.status_code == 200 and threshold.json() == {"wait_threshold_s": 600}
    assert (await client.put(f"/api/v1/staffing/overflow/{team.id}", headers=auth(write),
                             json={"wait_threshold_s": -1})).status_code == 422
