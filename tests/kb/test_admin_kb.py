"""Admin pages of the knowledge base: access, preview, save, publish, retire."""

import re

import httpx

from tests.conftest import PASSWORD
from walletdesk.accounts.models import Role


async def login(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    page = await client.get("/admin/kb/new")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    return match.group(1) if match else ""


async def test_agents_cannot_open_the_editor(services, client, make_agent):
    agent = await make_agent("Plain", role=Role.agent)
    assert (await client.get("/admin/kb")).status_code == 303  # not signed in: to /login
    await login(client, agent.email)
    assert (await client.get("/admin/kb")).status_code == 403
    assert (await client.post("/admin/kb", data={"slug": "x"})).status_code == 403


async def test_write_preview_publish_and_retire(services, client, make_agent):
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    form = {"csrf_token": csrf, "slug": "lost-phrase", "category": "security",
            "title_en": "I lost my recovery phrase", "body_en": "**Stop.** Nobody can restore it.",
            "examples_en": "lost my seed phrase\nforgot mnemonic", "title_zh-Hans": "助记词丢了"}
    preview = await client.post("/admin/kb", data={**form, "action": "preview"})
    assert preview.status_code == 200 and "<strong>Stop.</strong>" in preview.text
    assert (await client.get("/help/articles/lost-phrase")).status_code == 404  # not saved

    saved = await client.post("/admin/kb", data={**form, "action": "save"})
    assert saved.status_code == 303
    edit_url = saved.headers["location"]
    article_id = edit_url.rsplit("/", 1)[1]
    assert (await client.get("/help/articles/lost-phrase")).status_code == 404  # a draft

    published = await client.post(f"/admin/kb/{article_id}/status",
                                  data={"csrf_token": csrf, "status": "published"})
    assert published.status_code == 303
    page = await client.get("/help/articles/lost-phrase?lang=en")
    assert page.status_code == 200 and "Nobody can restore it" in page.text
    editor = await client.get(edit_url)
    assert "forgot mnemonic" in editor.text and ">2<" in editor.text  # version 2 listed

    await client.post(f"/admin/kb/{article_id}/status",
                      data={"csrf_token": csrf, "status": "retired"})
    assert (await client.get("/help/articles/lost-phrase")).status_code == 404


async def test_invalid_article_shows_the_reason_and_keeps_the_input(services, client,
                                                                    make_agent):
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    response = await client.post("/admin/kb", data={
        "csrf_token": csrf, "action": "save", "slug": "Has Spaces", "title_en": "Kept title"})
    assert response.status_code == 422
    assert "slug" in response.text and "Kept title" in response.text
    no_csrf = await client.post("/admin/kb", data={"action": "save", "slug": "ok",
                                                   "title_en": "t"})
    assert no_csrf.status_code == 403
