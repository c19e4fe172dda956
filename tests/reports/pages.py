"""The reports page as a browser assembles it: the page, then each of its panels fetched from
the address the page gives (decision 0039)."""

import html
import re
from typing import Any


async def whole_page(http: Any, params: dict[str, Any]) -> str:
    """The page's HTML with every panel's fragment in place of its loading text."""
    page = await http.get("/reports", params=params)
    assert page.status_code == 200
    text: str = page.text
    for source in re.findall(r'class="panel" data-panel="[\w-]+" data-src="([^"]+)"', text):
        fragment = await http.get(html.unescape(source))
        assert fragment.status_code == 200, source
        text = text.replace(f'data-src="{source}" aria-busy="true">', f'data-src="{source}" '
                            f'aria-busy="false">{fragment.text}', 1)
    return text
