"""A recovery phrase or private key typed into a knowledge-base article never reaches a screen:
the editor's preview shows it removed, a save is refused (nothing stored) with the form kept
as typed but for the secret, replaced by the protect step's marker, and the reason says what
was found where. Markdown formatting that splits a phrase's words for the eye of the raw text
(``ch**ange**``, ``se``lect``, one link per word) does not hide it (SQLite and PostgreSQL)."""

import html
import random
import re

import httpx
from mnemonic import Mnemonic
from sqlalchemy import select

from tests.kb.test_admin_kb import login
from walletdesk.accounts.models import Role
from walletdesk.kb.actions import TranslationIn, save_article
from walletdesk.kb.models import Article, ArticleTranslation
from walletdesk.kb.secrets import protect_article_body
from walletdesk.kb.text import markdown_to_chat_text, render_markdown
from walletdesk.safety.protect import KEY_PLACEHOLDER, SEED_PLACEHOLDER, protect_text

WIF = "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
HEX_KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


def phrase(language: str = "english", strength: int = 128) -> list[str]:
    """A fixed phrase per language (the tests do not depend on luck)."""
    return Mnemonic(language).to_mnemonic(random.Random(language).randbytes(strength // 8)).split()


def screen_text(page: str) -> str:
    """What a reader of the page sees or can copy: its text and its fields' values."""
    shown = re.sub(r"<[^>]+>", " ", page)
    fields = [tag for tag in re.findall(r"<input[^>]*>", page) if 'type="hidden"' not in tag]
    values = " ".join(re.findall(r'value="([^"]*)"', " ".join(fields)))  # not the CSRF token
    return html.unescape(f"{shown} {values}")


def no_secret_on(page: str, *secrets: str) -> bool:
    seen = screen_text(page)
    return not protect_text(seen).has_secret and not any(s in seen for s in secrets)


def alert(page: str) -> str:
    found = re.findall(r'<p class="error" role="alert">(.*?)</p>', page, re.S)
    assert len(found) == 1, found
    return html.unescape(found[0])


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, name
    return html.unescape(match.group(1))


async def test_the_preview_shows_every_kind_of_secret_removed(services, client, make_agent):
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    words, spanish = phrase(), phrase("spanish", 256)
    form = {"csrf_token": csrf, "action": "preview", "slug": "keys", "category": "security",
            "title_en": f"Import {WIF}",
            "body_en": f"Never share it.\n\nMine is: {' '.join(words)}\n\n**Stop.**",
            "examples_en": f"is this my key {HEX_KEY}\nhow do I import a wallet",
            "title_es": "Frase", "body_es": "\n".join(f"{n}. {w}" for n, w in
                                                      enumerate(spanish, start=1))}
    page = await client.post("/admin/kb", data=form)
    assert page.status_code == 200
    assert no_secret_on(page.text, WIF, HEX_KEY, " ".join(words[:4]), spanish[5])
    assert "<strong>Stop.</strong>" in page.text  # the rest is previewed as before
    body = textarea(page.text, "body_en")
    assert body.startswith("Never share it.") and SEED_PLACEHOLDER in body
    assert SEED_PLACEHOLDER in textarea(page.text, "body_es")
    assert KEY_PLACEHOLDER in textarea(page.text, "examples_en")
    assert "how do I import a wallet" in textarea(page.text, "examples_en")
    said = alert(page.text)
    assert "recovery phrase" in said and "private key" in said and "body (English)" in said
    assert "title (English)" in said and "example questions (English)" in said
    assert "body (Spanish)" in said
    async with services.read() as session:
        assert await session.scalar(select(Article)) is None  # a preview saves nothing


async def test_saving_is_refused_and_the_form_keeps_the_text_with_the_marker(
        services, client, make_agent):
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    words = phrase("chinese_simplified")
    form = {"csrf_token": csrf, "action": "save", "slug": "backup", "category": "security",
            "title_zh-Hans": "备份", "body_zh-Hans": f"助记词示例：{' '.join(words)}。请抄在纸上。",
            "title_en": "Backup", "body_en": f"Your key {HEX_KEY} is secret."}
    refused = await client.post("/admin/kb", data=form)
    assert refused.status_code == 422
    assert no_secret_on(refused.text, HEX_KEY, " ".join(words[:4]))
    said = alert(refused.text)
    assert "Not saved" in said and "recovery phrase" in said and "private key" in said
    kept = textarea(refused.text, "body_zh-Hans")
    assert kept.startswith("助记词示例：") and kept.endswith("抄在纸上。") and SEED_PLACEHOLDER in kept
    assert textarea(refused.text, "body_en") == f"Your key {KEY_PLACEHOLDER} is secret."
    assert 'value="backup"' in refused.text and 'value="Backup"' in refused.text
    async with services.read() as session:
        assert await session.scalar(select(Article)) is None

    # sent again as the form now holds it: saved, and published it shows no secret
    again = {**form, "body_zh-Hans": kept, "body_en": textarea(refused.text, "body_en")}
    saved = await client.post("/admin/kb", data=again)
    assert saved.status_code == 303
    article_id = saved.headers["location"].rsplit("/", 1)[1]
    await client.post(f"/admin/kb/{article_id}/status",
                      data={"csrf_token": csrf, "status": "published"})
    for lang in ("zh-Hans", "zh-Hant", "en"):
        shown = await client.get(f"/help/articles/backup?lang={lang}")
        assert shown.status_code == 200 and no_secret_on(shown.text, HEX_KEY)
        assert "removed]" in shown.text


MARKDOWN_HIDDEN = {  # a phrase whose words the raw text splits, joined again on screen
    "bold": lambda ws: " ".join(f"{w[:2]}**{w[2:]}**" for w in ws),
    "code": lambda ws: " ".join(f"{w[:2]}``{w[2:]}" for w in ws),
    "links": lambda ws: " ".join(f"[{w}](https://example.com/{n})" for n, w in enumerate(ws)),
    "emphasis": lambda ws: " ".join(f"*{w[:3]}*{w[3:]}" for w in ws),
}


def test_markdown_cannot_hide_a_phrase_from_the_article_check():
    words = phrase()
    for name, hide in MARKDOWN_HIDDEN.items():
        source = f"# Backup\n\nKeep it **offline**, 2024.\n\n{hide(words)}\n\n---\n\n2025 **end**"
        protected = protect_article_body(source)
        assert protected.has_secret, name
        rendered = re.sub(r"<[^>]+>", " ", str(render_markdown(protected.text)))
        for view in (protected.text, markdown_to_chat_text(protected.text), rendered):
            assert not protect_text(html.unescape(view)).has_secret, (name, view)
        assert protected.text == f"# Backup\n\nKeep it **offline**, 2024.\n\n{SEED_PLACEHOLDER}" \
            "\n\n---\n\n2025 **end**", (name, protected.text)
    plain = "Use **bold** and `code` and [links](https://example.com) as usual."
    assert protect_article_body(plain).text == plain and not protect_article_body(plain).findings


async def test_a_phrase_hidden_by_markdown_is_refused_in_the_editor(services, client,
                                                                    make_agent):
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    words = phrase()
    for name, hide in MARKDOWN_HIDDEN.items():
        form = {"csrf_token": csrf, "slug": f"hidden-{name}", "title_en": "Hidden",
                "body_en": hide(words)}
        preview = await client.post("/admin/kb", data={**form, "action": "preview"})
        assert preview.status_code == 200 and no_secret_on(preview.text), name
        assert "recovery phrase" in alert(preview.text)
        saved = await client.post("/admin/kb", data={**form, "action": "save"})
        assert saved.status_code == 422 and no_secret_on(saved.text), name
    async with services.read() as session:
        assert await session.scalar(select(Article)) is None


async def test_an_article_without_secrets_previews_and_saves_as_before(services, client,
                                                                       make_agent):
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    form = {"csrf_token": csrf, "slug": "phrase-help", "category": "security",
            "title_en": "Your recovery phrase (12 or 24 words)",
            "body_en": "Write the **12 words** on paper. See [Verify](https://example.com).",
            "examples_en": "where is my seed phrase\nwhat are the 12 words"}
    preview = await client.post("/admin/kb", data={**form, "action": "preview"})
    assert preview.status_code == 200 and 'role="alert"' not in preview.text
    assert textarea(preview.text, "body_en") == form["body_en"]
    saved = await client.post("/admin/kb", data={**form, "action": "save"})
    assert saved.status_code == 303


async def test_the_category_cannot_carry_a_phrase(services, client: httpx.AsyncClient,
                                                  make_agent):
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    category = "act add age aim air all any arm art ask bag abstract"  # a valid phrase, < 80
    refused = await client.post("/admin/kb", data={
        "csrf_token": csrf, "action": "save", "slug": "c", "category": category,
        "title_en": "T"})
    assert refused.status_code == 422 and no_secret_on(refused.text, category)
    assert "category" in alert(refused.text)
    async with services.read() as session:
        assert await session.scalar(select(Article)) is None


async def test_an_imported_article_hiding_a_phrase_is_shown_without_it_and_not_published(
        services, client, make_agent):
    """The import (and the API) store a phrase only Markdown hides removed; one stored before
    they did (written here straight into the table) is shown removed by its editor, which says
    so and does not publish it until it is saved again."""
    lead = await make_agent("Lead", role=Role.supervisor)
    csrf = await login(client, lead.email)
    words = phrase()
    hidden = MARKDOWN_HIDDEN["bold"](words)
    async with services.transaction() as session:
        article, _ = await save_article(session, None, slug="imported", category="security",
                                        translations={"en": TranslationIn("Imported", hidden)})
    async with services.transaction() as session:
        translation = await session.scalar(select(ArticleTranslation))
        assert translation is not None and SEED_PLACEHOLDER in translation.body
        assert not protect_text(markdown_to_chat_text(translation.body)).findings
        translation.body = hidden  # as an earlier release stored it
    editor = await client.get(f"/admin/kb/{article.id}")
    assert editor.status_code == 200 and no_secret_on(editor.text)
    assert SEED_PLACEHOLDER in textarea(editor.text, "body_en")
    assert "recovery phrase" in alert(editor.text)
    refused = await client.post(f"/admin/kb/{article.id}/status",
                                data={"csrf_token": csrf, "status": "published"})
    assert refused.status_code == 422 and no_secret_on(refused.text)
    assert (await client.get("/help/articles/imported?lang=en")).status_code == 404
    saved = await client.post("/admin/kb", data={
        "csrf_token": csrf, "action": "save", "article_id": str(article.id), "slug": "imported",
        "category": "security", "title_en": "Imported",
        "body_en": textarea(editor.text, "body_en")})
    assert saved.status_code == 303
    published = await client.post(f"/admin/kb/{article.id}/status",
                                  data={"csrf_token": csrf, "status": "published"})
    assert published.status_code == 303
    shown = await client.get("/help/articles/imported?lang=en")
    assert shown.status_code == 200 and no_secret_on(shown.text)
    async with services.read() as session:
        stored = await session.scalar(select(ArticleTranslation.body))
    assert stored == SEED_PLACEHOLDER and not protect_text(markdown_to_chat_text(stored)).findings
