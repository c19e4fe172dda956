"""Locale fallback (with OpenCC between Chinese scripts) and safe Markdown rendering."""

import re
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from walletdesk.kb.models import Article

CHINESE = ("zh-Hans", "zh-Hant")
ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "h2", "h3",
                "h4", "blockquote", "hr", "table", "thead", "tbody", "tr", "th", "td"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@lru_cache(maxsize=2)
def _converter(direction: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(direction)


def convert_chinese(text: str, target: str) -> str:
    """zh-Hans → zh-Hant (Taiwan phrasing) or back."""
    return _converter("s2twp" if target == "zh-Hant" else "tw2sp").convert(text)


@dataclass
class LocalizedArticle:
    article: Article
    locale: str  # the locale the reader asked for
    source_locale: str  # where the text came from
    title: str
    body: str
    examples: list[str]

    @property
    def converted(self) -> bool:
        return self.source_locale != self.locale


def localize(article: Article, locale: str, default_locale: str) -> LocalizedArticle | None:
    """The article in ``locale``; the other Chinese script converted; else the default."""
    exact = article.translation(locale)
    if exact is not None:
        return LocalizedArticle(article, locale, locale, exact.title, exact.body,
                                list(exact.examples))
    if locale in CHINESE:
        other = article.translation(CHINESE[1 - CHINESE.index(locale)])
        if other is not None:
            return LocalizedArticle(
                article, locale, other.locale, convert_chinese(other.title, locale),
                convert_chinese(other.body, locale),
                [convert_chinese(e, locale) for e in other.examples])
    for fallback in (default_locale, "en", *(t.locale for t in article.translations)):
        found = article.translation(fallback)
        if found is not None:
            return LocalizedArticle(article, locale, found.locale, found.title, found.body,
                                    list(found.examples))
    return None


def render_markdown(source: str) -> Markup:
    """Markdown to HTML; raw HTML in the source is escaped, the result sanitised again."""
    html = _markdown.render(source)
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow")
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


_EMPHASIS = re.compile(r"\*\*|__|`")
_HEADING = re.compile(r"^#{1,6}\s*", re.MULTILINE)
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")


def markdown_to_chat_text(source: str) -> str:
    """An article body as a chat message: plain text, lists and paragraphs kept."""
    text = _LINK.sub(r"\1 (\2)", source)
    text = _HEADING.sub("", _EMPHASIS.sub("", text))
    return text.strip()
