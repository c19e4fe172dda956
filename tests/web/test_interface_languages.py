"""The workspace in the agent's language: the per-agent setting and the browser's default."""

import json
import re

from sqlalchemy import select

from walletdesk.accounts.models import Agent


async def test_the_workspace_follows_the_agents_language(services, make_agent, sign_in):
    mei = await make_agent("Mei")
    agent = await sign_in(mei.email)
    english = await agent.http.get("/app")
    assert '<html lang="en">' in english.text and "Pick a conversation on the left." in english.text

    changed = await agent.http.post("/app/interface-locale", data={
        "csrf_token": agent.csrf, "locale": "zh-Hant", "next": "/app/complaints"})
    assert changed.status_code == 303 and changed.headers["location"] == "/app/complaints"
    async with services.read() as session:
        stored = await session.scalar(select(Agent.interface_locale).where(Agent.id == mei.id))
    assert stored == "zh-Hant"

    page = await agent.http.get("/app", headers={"Accept-Language": "es"})  # the setting wins
    assert '<html lang="zh-Hant">' in page.text
    assert "請從左側選擇一個對話。" in page.text and "收件匣" in page.text  # Traditional
    assert "请从左侧选择一个对话" not in page.text and "Pick a conversation" not in page.text
    texts = re.search(r'<script type="application/json" id="wd-texts">(.*?)</script>', page.text)
    assert texts and json.loads(texts.group(1))["Nothing here."] == "這裡沒有內容。"  # for the JS

    reset = await agent.http.post("/app/interface-locale", data={
        "csrf_token": agent.csrf, "locale": ""})
    assert reset.status_code == 303 and reset.headers["location"] == "/app"
    browser = await agent.http.get("/app", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "请从左侧选择一个对话。" in browser.text  # back to the browser's language


async def test_the_login_page_speaks_the_browsers_language(client):
    page = await client.get("/login", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert "Los agentes y supervisores inician sesión aquí." in page.text
    assert '<html lang="es">' in page.text


async def test_changing_the_language_needs_a_session_csrf_and_a_known_locale(
        services, make_agent, sign_in, client):
    signed_out = await client.post("/app/interface-locale", data={"locale": "es"})
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    mei = await make_agent("Mei")
    agent = await sign_in(mei.email)
    forged = await agent.http.post("/app/interface-locale", data={"locale": "es"})
    assert forged.status_code == 403
    unknown = await agent.http.post("/app/interface-locale", data={
        "csrf_token": agent.csrf, "locale": "xx-<b>"}, headers={"Accept": "text/html"})
    assert unknown.status_code == 422 and "no interface language" in unknown.text
    assert "<b>" not in unknown.text
    away = await agent.http.post("/app/interface-locale", data={
        "csrf_token": agent.csrf, "locale": "es", "next": "https://evil.example/"})
    assert away.status_code == 303 and away.headers["location"] == "/app"
    async with services.read() as session:
        stored = await session.scalar(select(Agent.interface_locale).where(Agent.id == mei.id))
    assert stored == "es"
