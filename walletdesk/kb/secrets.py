"""Secrets in an article's body as its readers see it, not only as it is written.

The protect step (:func:`walletdesk.safety.protect.protect_text`) reads the text it is given.
An article's body is Markdown, and what the help centre shows (its HTML) and the bot sends
(:func:`walletdesk.kb.text.markdown_to_chat_text`) join what the source splits: the words of a
recovery phrase written ``ch**ange**``, ``se``lect`` or one link per word are no phrase to the
protect step and a phrase on the reader's screen. :func:`protect_article_body` also reads the
body with its emphasis and code marks left out and each link as its text, maps what it finds
back onto the source, and removes it there (a link it touches as a whole), so every view of
the body is free of it.
"""

import html
import re

from walletdesk.kb.text import markdown_to_chat_text, render_markdown
from walletdesk.safety.findings import Span
from walletdesk.safety.protect import Protected, find_secrets, protect_text, redact

_MARKS = frozenset("*_`~")  # emphasis, strong, code, strikethrough: no space on screen
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")  # [text](url): its text on screen
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|h[1-6]|pre|blockquote|tr|td|th|table|thead|tbody|"
                        r"br|hr)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
PASSES = 3  # a marked-up phrase found and removed, then what that uncovered; then: the views


def _reader_text(source: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    """``source`` as read on screen (marks left out, links as their text), the source offset
    of each of its characters, and the links' spans in the source."""
    chars: list[str] = []
    origin: list[int] = []
    links = [(m.start(), m.end(), m.start(1), m.end(1)) for m in _LINK.finditer(source)]
    cursor = 0
    for start, end, text_start, text_end in [*links, (len(source), len(source), 0, 0)]:
        for index in range(cursor, start):
            if source[index] not in _MARKS:
                chars.append(source[index])
                origin.append(index)
        for index in range(text_start, text_end):
            if source[index] not in _MARKS:
                chars.append(source[index])
                origin.append(index)
        if end > start:
            chars.append(" ")  # the link's end: a break, as on screen after its text
            origin.append(end - 1)
        cursor = end
    return "".join(chars), origin, [(start, end) for start, end, _, _ in links]


def _source_spans(source: str) -> list[Span]:
    """The secrets of ``source`` as read on screen, as spans of the source (sorted, apart)."""
    text, origin, links = _reader_text(source)
    spans: list[Span] = []
    for start, end, finding in find_secrets(text):
        first, last = origin[start], origin[end - 1] + 1
        for link_start, link_end in links:  # a link touched: all of it
            if link_start <= first < link_end:
                first = link_start
            if link_start < last <= link_end:
                last = link_end
        while first > 0 and source[first - 1] in _MARKS:
            first -= 1
        while last < len(source) and source[last] in _MARKS:
            last += 1
        if spans and first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], last), spans[-1][2])
        else:
            spans.append((first, last, finding))
    return spans


def reader_views(body: str) -> tuple[str, str]:
    """The body as the help centre shows it (its HTML's text) and as the bot sends it."""
    shown = _BLOCK_TAG.sub("\n", str(render_markdown(body)))
    return html.unescape(_TAG.sub("", shown)), markdown_to_chat_text(body)


def protect_article_body(body: str) -> Protected:
    """``body`` with every secret removed, as written and as read on screen."""
    protected = protect_text(body)
    text, findings = protected.text, list(protected.findings)
    for _ in range(PASSES):
        spans = _source_spans(text)
        if not spans:
            break
        text = redact(text, spans)
        findings += [finding for _, _, finding in spans]
    for view in reader_views(text):
        seen = protect_text(view)
        if seen.has_secret:  # a way of writing the mapping above does not know: the words
            text = protect_text(reader_views(text)[0]).text  # as shown, the secret removed
            findings += seen.findings
            break
    return Protected(text, findings)
