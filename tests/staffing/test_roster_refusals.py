"""A refused roster names the agent, the day and what is wrong ("25:00 is not a time of day"),
and comes back with what was typed, open beside its refusal; the other agents' forms keep
their saved shifts. The overflow threshold's form likewise. (SQLite and PostgreSQL.)"""

import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from walletdesk.accounts.models import Role
from walletdesk.errors import Invalid
from walletdesk.staffing.actions import ShiftIn, check_shifts, parse_day_spec
from walletdesk.staffing.models import Shift

ALERT = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)


def form_of(page: Any, agent_id: int) -> str:
    """The roster entry of one agent: from its <details> to the end of its form."""
    start = f'<details class="roster-agent" id="shifts-{agent_id}"'
    assert page.text.count(start) == 1
    after = page.text.split(start, 1)[1]
    return after[:after.index("</form>")]


def value(stretch: str, name: str) -> str:
    match = re.search(rf'<input name="{name}"[^>]*value="([^"]*)"', stretch)
    assert match, name
    return html.unescape(match.group(1))


def alerts(page: Any) -> list[str]:
    return [html.unescape(text) for text in ALERT.findall(page.text)]


# --- the checks (pure) --------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "said"), [
    ("09:00-25:00", "Ann, Wednesday: 25:00 is not a time of day"),
    ("25:00-26:00", "Ann, Wednesday: 25:00 is not a time of day"),
    ("09:60-10:00", "Ann, Wednesday: 09:60 is not a time of day"),
    ("nine-five", "Ann, Wednesday: nine is not a time of day"),
    ("24:30-24:45", "Ann, Wednesday: 24:30 is not a time of day"),
    ("18:00-09:00", "Ann, Wednesday: 18:00 is not before 09:00"),
    ("09:00-12:00, 11:00-13:00", "Ann, Wednesday: shifts overlap (11:00-13:00)"),
    ("nine to five", "Ann, Wednesday: write nine to five as a start and an end, HH:MM-HH:MM"),
    ("09:00-", "Ann, Wednesday: write 09:00- as a start and an end"),
])
def test_a_refusal_names_the_agent_the_day_and_the_bad_time(typed: str, said: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_shifts(parse_day_spec(typed, "Ann", 2), "UTC", "Ann")
    assert said in str(refused.value)


def test_times_are_kept_as_hh_mm_and_24_00_ends_a_day() -> None:
    shifts = check_shifts(parse_day_spec("9:00-13:00; 22:00-24:00", "Ann", 0), "UTC", "Ann")
    assert [(s.weekday, s.starts, s.ends) for s in shifts] == [(0, "09:00", "13:00"),
                                                               (0, "22:00", "24:00")]


@pytest.mark.parametrize("zone", ["Mars/Olympus", "America", "", "utc"])
def test_a_time_zone_not_in_the_database_is_refused_naming_the_agent(zone: str) -> None:
    with pytest.raises(Invalid) as refused:  # "America" (a folder) raised IsADirectoryError
        check_shifts([ShiftIn(0, "09:00", "17:00")], zone, "Ann")
    assert str(refused.value).startswith("Ann: unknown time zone")


# --- the page -----------------------------------------------------------------------------

async def test_a_refused_roster_keeps_what_was_typed_beside_its_refusal(  # type: ignore[no-untyped-def]
        services, make_team, make_agent, sign_in):
    team = await make_team("Support", languages=["en"])
    ann = await make_agent("Ann", teams=[team])
    bo = await make_agent("Bo", teams=[team])
    async with services.transaction() as session:
        session.add(Shift(agent_id=bo.id, weekday=0, starts="08:00", ends="16:00",
                          timezone="Europe/Madrid"))
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)

    page = await lead.http.post(f"/staffing/shifts/{ann.id}", data={
        "csrf_token": lead.csrf, "team_id": str(team.id), "mon": "09:00-13:00",
        "wed": "09:00-25:00", "fri": 'x"<b>', "timezone": "Asia/Shanghai"})
    assert page.status_code == 422
    assert alerts(page) == ["Ann, Wednesday: 25:00 is not a time of day; write HH:MM, "
                            "from 00:00 to 24:00"]
    mine = form_of(page, ann.id)
    assert mine.split(">", 1)[0].rstrip().endswith("open")
    assert 'class="refusal" tabindex="-1" autofocus' in mine and 'role="alert"' in mine
    assert value(mine, "mon") == "09:00-13:00" and value(mine, "wed") == "09:00-25:00"
    assert value(mine, "fri") == 'x"<b>' and 'x&#34;&lt;b&gt;' in mine  # escaped
    assert value(mine, "timezone") == "Asia/Shanghai" and value(mine, "tue") == ""
    theirs = form_of(page, bo.id)  # not the refused form: as saved
    assert "refusal" not in theirs and value(theirs, "mon") == "08:00-16:00"
    assert value(theirs, "timezone") == "Europe/Madrid"
    async with services.read() as session:  # nothing saved
        assert not (await session.scalars(select(Shift).where(Shift.agent_id == ann.id))).all()

    page = await lead.http.post(f"/staffing/shifts/{ann.id}", data={
        "csrf_token": lead.csrf, "thu": "09:00-17:00", "timezone": "America"})
    assert page.status_code == 422  # was an error page (IsADirectoryError)
    assert alerts(page)[0].startswith("Ann: unknown time zone 'America'")
    assert value(form_of(page, ann.id), "timezone") == "America"

    saved = await lead.http.post(f"/staffing/shifts/{ann.id}", data={
        "csrf_token": lead.csrf, "wed": "9:00-13:00", "timezone": "UTC"})
    assert saved.status_code == 303
    async with services.read() as session:
        [shift] = (await session.scalars(select(Shift).where(Shift.agent_id == ann.id))).all()
    assert (shift.weekday, shift.starts, shift.ends) == (2, "09:00", "13:00")


async def test_a_refused_threshold_keeps_what_was_typed_in_its_row(make_team, make_agent,  # type: ignore[no-untyped-def]
                                                                   sign_in):
    team = await make_team("Support")
    other = await make_team("Night")
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    page = await lead.http.post(f"/staffing/overflow/{team.id}", data={
        "csrf_token": lead.csrf, "wait_threshold_min": "9999"})
    assert page.status_code == 422 and alerts(page) == ["the threshold is 0 to 1440 minutes"]
    row = page.text.split(f'<tr id="overflow-{team.id}">', 1)[1].split("</tr>", 1)[0]
    assert 'class="refusal"' in row and 'value="9999"' in row
    row = page.text.split(f'<tr id="overflow-{other.id}">', 1)[1].split("</tr>", 1)[0]
    assert 'class="refusal"' not in row and 'value="9999"' not in row
    for typed in ("inf", "nan", "-1"):  # "inf" was an error page (OverflowError)
        page = await lead.http.post(f"/staffing/overflow/{team.id}", data={
            "csrf_token": lead.csrf, "wait_threshold_min": typed})
        assert page.status_code == 422 and alerts(page) == ["the threshold is 0 to 1440 minutes"]


async def test_an_agent_out_of_the_team_shown_gets_the_refusal_at_the_top(  # type: ignore[no-untyped-def]
        make_team, make_agent, sign_in):
    team = await make_team("Support")
    ann = await make_agent("Ann")  # in no team: not on the team's page
    lead = await sign_in((await make_agent("Lead", role=Role.supervisor)).email)
    page = await lead.http.post(f"/staffing/shifts/{ann.id}", data={
        "csrf_token": lead.csrf, "team_id": str(team.id), "mon": "25:00-26:00"})
    assert page.status_code == 422
    assert alerts(page) == ["Ann, Monday: 25:00 is not a time of day; write HH:MM, from 00:00 "
                            "to 24:00"]
    assert f'id="shifts-{ann.id}"' not in page.text
