"""Every page runs under ``script-src 'self'; style-src 'self'`` (walletdesk.web.app.CSP): the
browser refuses an inline event handler (``onsubmit="…"``), a ``javascript:`` address, an inline
script and a ``style`` attribute, so a page that carries one silently breaks (the outreach form
posted to the wrong address). No template carries one; a page's behaviour lives in its
static script."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

import walletdesk.web

TEMPLATES = Path(walletdesk.web.__file__).parent / "templates"
# the pages (widget_loader.js, a template too, runs on the operator's site, under its policy)
PAGES = sorted(TEMPLATES.rglob("*.html"))
# a script the browser never runs: data for the page's static script
DATA_SCRIPT_TYPES = {"application/json"}


def _without_jinja(source: str) -> str:
    """The template's markup, its Jinja tags and expressions replaced by a neutral word (a
    value's own quotes and ``>`` would confuse the parser)."""
    out, i = [], 0
    while i < len(source):
        start = source.find("{", i)
        if start == -1 or start + 1 >= len(source) or source[start + 1] not in "{%#":
            out.append(source[i:] if start == -1 else source[i:start + 1])
            i = len(source) if start == -1 else start + 1
            continue
        closer = {"{": "}}", "%": "%}", "#": "#}"}[source[start + 1]]
        end = source.find(closer, start + 2)
        out.append(source[i:start] + "x")
        i = len(source) if end == -1 else end + 2
    return "".join(out)


class _Blocked(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"line {line}: <{tag} {name}=…> (inline event handler)")
            if name == "style":
                self.found.append(f"line {line}: <{tag} style=…> (inline style)")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"line {line}: <{tag} {name}=\"javascript:…\">")
        if tag == "script" and "src" not in values \
                and (values.get("type") or "") not in DATA_SCRIPT_TYPES:
            self.found.append(f"line {line}: inline <script>")


def blocked_by_the_policy(source: str) -> list[str]:
    parser = _Blocked()
    parser.feed(_without_jinja(source))
    parser.close()
    return parser.found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_carries_what_the_policy_blocks(page: Path) -> None:
    assert blocked_by_the_policy(page.read_text(encoding="utf-8")) == []


def test_the_check_finds_each_kind() -> None:
    source = """<form action="" onsubmit="this.action = '/a/' + {{ x|tojson }}">
    <a href="JavaScript:void(0)">x</a><p style="color:red">y</p><button onclick='go()'>z</button>
    <script>alert(1)</script><script type="application/json" id="d">{{ d|tojson }}</script>
    <script src="/static/page.js"></script>"""
    found = blocked_by_the_policy(source)
    assert [f.split(": ", 1)[1] for f in found] == [
        "<form onsubmit=…> (inline event handler)", '<a href="javascript:…">',
        "<p style=…> (inline style)", "<button onclick=…> (inline event handler)",
        "inline <script>"]


def test_the_csp_is_the_one_checked() -> None:
    from walletdesk.web.app import CSP
    assert "script-src 'self';" in CSP and "style-src 'self';" in CSP
    assert "unsafe-inline" not in CSP
