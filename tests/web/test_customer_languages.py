"""Customer pages (widget, help centre, verify, links) and error pages in the catalogs."""

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from walletdesk import i18n
from walletdesk.accounts.interface_locale import set_interface_locale
from walletdesk.accounts.models import Role
from walletdesk.kb.actions import TranslationIn, save_article
from walletdesk.kb.models import ArticleStatus
from walletdesk.web import localization
from walletdesk.web.routes.chat_uploads import widget_file_token

STATIC = Path(localization.STATIC_DIR)


def page_texts(html: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="wd-texts">(.*?)</script>', html)
    assert found, "the page carries its script texts"
    return json.loads(found.group(1))


@pytest.mark.parametrize(("locale", "query", "headers"), [
    ("zh-Hant", "", {"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"}),
    ("es", "?lang=es", {"Accept-Language": "zh-CN"}),  # the page's ?lang= wins
])
async def test_the_widget_speaks_the_customers_language_from_the_catalog(
        client, locale, query, headers):
    page = await client.get(f"/widget{query}", headers=headers)
    assert page.status_code == 200 and f'<html lang="{locale}">' in page.text
    assert page.headers["vary"] == "Accept-Language"
    catalog = i18n.translations(locale)
    texts = page_texts(page.text)
    # exactly the texts its scripts ask for, each from the catalog, none left in English
    scripts = re.findall(r'<script src="/static/([\w.]+\.js)"></script>', page.text)
    assert {"widget.js", "uploads.js"} <= set(scripts)
    expected = {m for script in scripts for m in localization.script_messages(script)}
    assert set(texts) == expected and {"Write a message…", "Talk to a person"} <= expected
    assert texts == {message: catalog.gettext(message) for message in expected}
    untranslated = [m for m, t in texts.items()
                    if t == m and re.search("[A-Za-z]{3}", re.sub(r"\{\w+\}", "", m))]
    assert not untranslated, untranslated
    send = re.search(r'<button type="submit" id="send">(.*?)</button>', page.text)
    assert send and send.group(1) == catalog.gettext("Send") != "Send"
    # no translation lives in the script itself any more
    source = (STATIC / "widget.js").read_text(encoding="utf-8")
    assert texts["Write a message…"] not in source and texts["Talk to a person"] not in source


async def test_the_widget_keeps_the_customers_language_for_a_signed_in_agent(
        services, make_agent, sign_in):
    mei = await make_agent("Mei")
    await set_interface_locale(services, mei.id, "es")
    agent = await sign_in(mei.email)
    page = await agent.http.get("/widget", headers={"Accept-Language": "zh-TW"})
    assert '<html lang="zh-Hant">' in page.text
    assert page_texts(page.text)["Write a message…"] == "輸入訊息…"


@pytest.fixture
def french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A French catalog dropped beside the shipped ones, as a translator would add it
    (``make catalog LOCALE=fr``, translate, compile); no code knows about French."""
    locale_dir = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale_dir)
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    words = {"Write a message…": "Écrivez un message…", "Send": "Envoyer",
             "Talk to a person": "Parler à une personne", "Help centre": "Centre d'aide",
             "Thanks for your message. An agent will be with you shortly.":
                 "Merci pour votre message. Un agent va vous répondre."}
    for message in catalog:
        if message.id in words:
            message.string = words[message.id]
    target = locale_dir / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    localization.customer_language_choices.cache_clear()
    localization.locale_choices.cache_clear()
    yield locale_dir
    localization.customer_language_choices.cache_clear()
    localization.locale_choices.cache_clear()


async def test_a_new_catalog_reaches_the_widget_without_code_changes(french, client):
    page = await client.get("/widget", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in page.text
    texts = page_texts(page.text)
    assert texts["Write a message…"] == "Écrivez un message…"
    assert texts["Talk to a person"] == "Parler à une personne"
    assert '<button type="submit" id="send">Envoyer</button>' in page.text
    help_page = await client.get("/help?lang=fr")
    assert '<html lang="fr">' in help_page.text and "Centre d'aide" in help_page.text
    assert 'href="/help?lang=fr" lang="fr"' in help_page.text  # the language links offer it
    assert i18n.text("queued", "fr-CA").startswith("Merci pour votre message")


async def test_help_centre_verify_and_link_pages_use_the_catalogs(services, client):
    async with services.transaction() as session:
        await save_article(session, None, slug="fees", category="fees", status=ArticleStatus.published,
                           translations={"es": TranslationIn("¿Qué es la comisión?", "Una tarifa.")})
    home = await client.get("/help?lang=es")
    assert "Centro de ayuda" in home.text and "¿Cómo podemos ayudarte?" in home.text
    assert "<h2>Comisiones</h2>" in home.text and 'href="/widget?lang=es"' in home.text
    article = await client.get("/help/articles/fees", headers={"Accept-Language": "es-MX"})
    assert "¿Te ha sido útil?" in article.text and ">Sí</button>" in article.text
    converted = await client.get("/help/articles/fees?lang=zh-Hant")
    assert "由西班牙文自動轉換。" in converted.text  # the source language, in the reader's words
    verify = await client.get("/verify", headers={"Accept-Language": "zh-TW"})
    assert "真的是我們嗎？" in verify.text and "查證" in verify.text
    survey = await client.get("/survey/s1-forged", headers={"Accept-Language": "es"})
    assert survey.status_code == 404 and "Este enlace de valoración no es válido." in survey.text
    followup = await client.get("/followup/f1-forged", headers={"Accept-Language": "zh-TW"})
    assert followup.status_code == 404 and "此連結無效。" in followup.text
    assert "<title>回訪預約 · " in followup.text


async def test_error_pages_follow_the_signed_in_agents_saved_language(
        services, make_agent, sign_in, client):
    signed_out = await client.get("/app/no-such-page", headers={"Accept-Language": "es",
                                                                 "Accept": "text/html"})
    assert signed_out.status_code == 404 and "Página no encontrada" in signed_out.text
    mei = await make_agent("Mei")
    agent = await sign_in(mei.email)
    await set_interface_locale(services, mei.id, "zh-Hant")
    missing = await agent.http.get("/app/no-such-page", headers={"Accept-Language": "es",
                                                                  "Accept": "text/html"})
    assert missing.status_code == 404
    assert '<html lang="zh-Hant">' in missing.text and "找不到頁面" in missing.text
    assert "錯誤 404" in missing.text and "Página no encontrada" not in missing.text
    refused = await agent.http.get("/admin", headers={"Accept": "text/html"})
    assert refused.status_code == 403 and "您無權存取此頁面" in refused.text


async def test_admin_tables_show_roles_and_statuses_in_the_agents_language(
        services, make_agent, sign_in):
    boss = await make_agent("Boss", role=Role.admin)
    await make_agent("Sue", role=Role.supervisor)
    await set_interface_locale(services, boss.id, "zh-Hant")
    async with services.transaction() as session:
        await save_article(session, None, slug="seed", category="security",
                           translations={"en": TranslationIn("Seed phrases", "Never share.")},
                           status=ArticleStatus.published)
    admin = await sign_in(boss.email)
    index = await admin.http.get("/admin")
    assert "<td>主管</td>" in index.text and "<td>supervisor</td>" not in index.text
    assert "<title>管理 · " in index.text
    kb = await admin.http.get("/admin/kb")
    assert "<td>已發布</td>" in kb.text and "<td>published</td>" not in kb.text


async def test_the_loader_speaks_the_visitors_language_and_passes_the_operators_choice(client):
    loader = await client.get("/widget.js", headers={"Accept-Language": "zh-TW"})
    assert loader.status_code == 200 and loader.headers["vary"] == "Accept-Language"
    labels = re.search(r'var label = ("[^"]*"), unreadLabel = ("[^"]*");', loader.text)
    assert labels and [json.loads(g) for g in labels.groups()] == ["聯絡客服", "聯絡客服（{n} 則未讀）"]
    assert "settings.locale" in loader.text and '"&lang=" + encodeURIComponent' in loader.text
    english = await client.get("/widget.js")
    assert '"Chat with support"' in english.text


async def test_why_a_channel_looks_fake_is_told_in_the_readers_language(
        client, make_agent, sign_in):
    lead = await make_agent("Lead", role=Role.supervisor)
    signed = await sign_in(lead.email)
    made = await signed.http.post("/api/v1/official-channels", headers={"x-csrf-token": signed.csrf},
                                  json={"kind": "domain", "value": "demowallet.com", "label": "web"})
    assert made.status_code == 201
    page = await client.get("/verify", params={"value": "dеmowallet.com", "lang": "zh-Hant"})
    assert "原因：" in page.text and "使用了其他字母表中的形近字元" in page.text
    assert "look-alike characters" not in page.text
    api = (await client.get("/verify/check", params={"value": "dеmowallet.com"})).json()
    assert "uses look-alike characters from another alphabet" in api["reasons"]  # the API: English


async def test_every_page_sends_the_texts_of_every_script_it_loads(client, make_agent, sign_in):
    """A script's gettext("…") texts reach the page that loads it (else they stay English)."""
    boss = await make_agent("Boss", role=Role.admin)
    admin = await sign_in(boss.email)
    checked = set()
    for path in ("/app", "/admin/labels", "/app/canned-replies", "/account/security", "/reports",
                 "/widget"):
        page = await (client if path == "/widget" else admin.http).get(
            path, headers={"Accept-Language": "es"})
        assert page.status_code == 200, path
        for script in re.findall(r'<script src="/static/([\w.]+\.js)"></script>', page.text):
            wanted = set(localization.script_messages(script))
            if wanted:
                texts = page_texts(page.text)
                assert wanted <= set(texts), (path, script, sorted(wanted - set(texts))[:5])
                checked.add(script)
    assert {"workspace.js", "widget.js", "labels.js", "canned.js", "uploads.js"} <= checked


async def test_a_refused_file_is_explained_in_the_widgets_language(client, services, tmp_path):
    services.settings.data_dir = str(tmp_path)
    services.settings.attachment_max_bytes = 100_000
    headers = {"Authorization": "Bearer " + widget_file_token(services.settings, "v-lang", None)}
    big = await client.post("/api/widget/attachments", files={"file": ("a.png", b"x" * 120_000,
                                                                       "image/png")},
                            headers={**headers, "Accept-Language": "zh-Hant"})
    assert big.status_code == 413
    assert big.json() == {"detail": "檔案超過了 98 KB 的大小上限", "code": "attachment_too_large"}
    exe = await client.post("/api/widget/attachments", files={"file": ("w.exe", b"MZ\x90\x00",
                                                                       "application/x-msdownload")},
                            headers={**headers, "Accept-Language": "es"})
    assert exe.status_code == 415
    assert exe.json()["detail"].startswith("no se permiten archivos de tipo application/x-msdownload")
