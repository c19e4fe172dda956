"""An admin setting a weak password or a team language the desk does not serve gets the page
back with the reason (and the API a 422); nothing is saved."""

from sqlalchemy import select

from walletdesk.accounts.models import Agent, Role, Team


async def _admin(make_agent, sign_in):  # type: ignore[no-untyped-def]
    boss = await make_agent("Boss", role=Role.admin)
    signed = await sign_in(boss.email)
    signed.http.headers["x-csrf-token"] = signed.csrf
    return signed


async def test_a_weak_password_for_a_new_agent_is_refused(services, make_agent, sign_in):
    http = (await _admin(make_agent, sign_in)).http
    page = await http.post("/admin/agents", data={
        "email": "new@example.com", "display_name": "New", "password": "aaaaaaaaaa",
        "role": "agent"})
    assert page.status_code == 422 and "at least 12 characters" in page.text
    api = await http.post("/api/v1/agents", json={
        "email": "new@example.com", "display_name": "New", "password": "aaaaaaaaaaaa"})
    assert api.status_code == 422 and "repeated character" in api.text
    async with services.read() as session:
        assert await session.scalar(select(Agent).where(Agent.email == "new@example.com")) \
            is None


async def test_team_languages_must_be_served_ones(services, make_agent, sign_in):
    http = (await _admin(make_agent, sign_in)).http
    page = await http.post("/admin/teams", data={"name": "Klingon", "languages": "tlh, xx-YY"})
    assert page.status_code == 422 and "unknown language" in page.text and "tlh" in page.text
    api = await http.post("/api/v1/teams", json={"name": "Klingon", "languages": ["en", "xx-YY"]})
    assert api.status_code == 422 and "xx-YY" in api.text
    made = await http.post("/admin/teams", data={"name": "Chinese", "languages": "zh-CN, zh-TW"})
    assert made.status_code == 303
    async with services.read() as session:
        teams = (await session.scalars(select(Team))).all()
    assert [(t.name, t.languages) for t in teams] == [("Chinese", ["zh-Hans", "zh-Hant"])]
    patched = await http.patch(f"/api/v1/teams/{teams[0].id}", json={"languages": ["tlh"]})
    assert patched.status_code == 422
