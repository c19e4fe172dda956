"""The demo's Traditional Chinese texts use Traditional forms: 聯繫 (contact), not 聯系, a mix of
the Traditional 聯 and the Simplified 系 that a walkthrough found in a zh-Hant answer."""

import json
from pathlib import Path

from walletdesk.kb.actions import parse_jsonl_line

DEMO_ARTICLES = Path(__file__).resolve().parents[2] / "walletdesk" / "demo_content" / "articles.jsonl"
MIXED = ("聯系",)  # a Traditional character beside a Simplified one


def test_traditional_texts_have_no_simplified_forms() -> None:
    found = []
    for line in DEMO_ARTICLES.read_text(encoding="utf-8").splitlines():
        slug, _, translations = parse_jsonl_line(line)
        hant = translations.get("zh-Hant")
        if hant is None:
            continue
        text = json.dumps([hant.title, hant.body, hant.examples], ensure_ascii=False)
        found += [(slug, word) for word in MIXED if word in text]
    assert found == []
