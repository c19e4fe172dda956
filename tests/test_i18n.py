"""Message catalogs: complete, compiled, discovered from their directory, used per agent."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from walletdesk import i18n
from walletdesk.web import localization

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = i18n.LOCALE_DIR / "messages.pot"
CATALOGS = sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s|%%")


def _read(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_the_four_interface_languages_have_catalogs() -> None:
    assert {"zh-Hans", "zh-Hant", "es"} <= {p.parent.parent.name.replace("_", "-")
                                             for p in CATALOGS}
    assert set(i18n.available_locales()) >= {"en", "zh-Hans", "zh-Hant", "es"}


def test_the_template_lists_every_marked_text_of_the_sources(tmp_path: Path) -> None:
    """`make catalogs` was run: extracting again (with the Makefile's keywords: the domain
    errors' classes) finds nothing the template lacks."""
    fresh = tmp_path / "messages.pot"
    keywords = re.findall(r"-k \w+", (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert "-k Invalid" in keywords
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract",
                    "-F", "babel.cfg", *(part for k in keywords for part in k.split()),
                    "-o", str(fresh), "."], cwd=ROOT, check=True, capture_output=True)
    missing = _ids(_read(fresh)) - _ids(_read(TEMPLATE))
    assert not missing, f"run `make catalogs`: not in the template: {sorted(missing)[:10]}"


def test_every_catalog_translates_every_text_of_the_template() -> None:
    template = _ids(_read(TEMPLATE))
    for path in CATALOGS:
        catalog = _read(path)
        untranslated = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                              if m.id and (m.fuzzy or not all(
                                  m.string if isinstance(m.string, tuple) else (m.string,))))
        assert not untranslated, f"{path}: untranslated or fuzzy: {untranslated[:10]}"
        assert template <= _ids(catalog), f"{path}: missing {sorted(template - _ids(catalog))[:10]}"


def test_translations_keep_the_placeholders() -> None:
    for path in CATALOGS:
        for message in _read(path):
            if message.id and isinstance(message.id, str):
                assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
                    PLACEHOLDER.findall(message.string)), (path, message.id)
            elif message.id:  # every plural form keeps the plural msgid's placeholders
                wanted = set(PLACEHOLDER.findall(message.id[1]))
                for form in message.string:
                    assert set(PLACEHOLDER.findall(form)) == wanted, (path, message.id[0])


def test_compiled_catalogs_are_up_to_date_with_their_po_files() -> None:
    for path in CATALOGS:
        compiled = path.with_suffix(".mo")
        assert compiled.is_file(), f"{compiled} is missing: run `make catalogs`"
        with compiled.open("rb") as handle:
            shipped = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        expected: dict[object, str] = {}
        for m in _read(path):
            if not m.id or m.fuzzy or not m.string:
                continue
            prefix = f"{m.context}\x04" if m.context else ""  # pgettext's key
            if isinstance(m.id, str):
                expected[prefix + m.id] = m.string
            else:  # ngettext: one entry per plural form
                expected.update({(prefix + m.id[0], i): s for i, s in enumerate(m.string)})
        shipped = {key: value for key, value in shipped.items() if key}  # minus the header
        assert shipped == expected, f"{compiled} differs from {path.name}: run `make catalogs`"


def test_a_new_catalog_is_discovered_without_code_changes(tmp_path: Path) -> None:
    shutil.copytree(i18n.LOCALE_DIR, tmp_path / "locale")
    french = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    french.mkdir(parents=True)
    catalog = _read(TEMPLATE)
    catalog.locale = "fr"
    for message in catalog:
        if message.id == "Inbox":
            message.string = "Boîte de réception"
    with (french / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    assert "fr" not in i18n.available_locales()
    found = i18n.available_locales(tmp_path / "locale")
    assert "fr" in found and {"zh-Hans", "zh-Hant", "es", "en"} <= set(found)
    assert i18n.translations("fr", tmp_path / "locale").gettext("Inbox") == "Boîte de réception"
    assert i18n.interface_locale("fr-CA,fr;q=0.9,en;q=0.5", found) == "fr"


def test_accept_language_picks_the_best_available_catalog() -> None:
    assert i18n.interface_locale("zh-TW,zh;q=0.9,en;q=0.8") == "zh-Hant"
    assert i18n.interface_locale("zh-CN,zh;q=0.9") == "zh-Hans"
    assert i18n.interface_locale("de-DE,es;q=0.7,en;q=0.3") == "es"
    assert i18n.interface_locale("en;q=0.2, es-MX;q=0.9") == "es"
    assert i18n.interface_locale("de, fr;q=0.5") == "en"
    assert i18n.interface_locale(None) == "en"
    assert i18n.interface_locale("es;q=0, zh-HK") == "zh-Hant"


def test_system_texts_keep_their_keys_and_languages() -> None:
    assert i18n.text("agent_joined", "zh-Hant", name="美玲") == "美玲 已加入對話。"
    assert i18n.text("agent_joined", "es", name="Ana") == "Ana se ha unido a la conversación."
    assert i18n.text("agent_joined", "fr", name="Ana") == "Ana joined the conversation."
    assert i18n.text("queued", None).startswith("Thanks for your message")
    assert i18n.text("verify_code_body", "zh-Hans", brand="Demo", code="123456").startswith(
        "您的 Demo 客服验证码是 123456")
    assert i18n.customer_language("zh-TW") == "zh-Hant"
    assert i18n.customer_language("es-MX") == "es"
    assert i18n.customer_language("fr-FR", default="zh-Hans") == "zh-Hans"


def test_script_texts_come_from_the_catalog() -> None:
    texts = localization.script_texts("es", "workspace.js")
    assert texts["Nothing here."] == "No hay nada aquí."
    assert set(localization.script_messages("workspace.js")) == set(texts)
    english = localization.script_texts("en", "workspace.js")
    assert all(key == value for key, value in english.items())
