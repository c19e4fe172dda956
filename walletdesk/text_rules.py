"""The one rule for text that comes in from outside (forms, JSON, query strings, socket
frames, mail): no NUL, no other control characters but tab and line breaks, no lone
surrogates. PostgreSQL cannot store a NUL in text and neither engine's driver can encode a
lone surrogate, so such text would fail deep in a transaction; it is refused (or, where the
sender cannot be told, as in a mail, cleaned) at the boundary instead.

Pure functions: the web layer refuses with a clear error, the mail channel cleans.
"""

import re
from collections.abc import Iterator
from typing import Any

# C0 controls but \t \n \r, DEL, C1 controls, and UTF-16 surrogates (never valid alone in str)
DISALLOWED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# JSON deeper than this is refused before anything walks it recursively
MAX_DEPTH = 64


class TextRefused(ValueError):
    """Text with a character the desk does not accept; ``where`` names the field."""

    def __init__(self, where: str, detail: str) -> None:
        where = clean_text(where)[:200]  # the field name may hold the bad character itself
        super().__init__(f"{where}: {detail}" if where else detail)
        self.where = where
        self.detail = detail


def describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X})"
    return "a NUL character" if code == 0 else f"a control character (U+{code:04X})"


def check_text(value: str, where: str = "") -> str:
    """``value`` unchanged, or TextRefused naming the first disallowed character."""
    found = DISALLOWED.search(value)
    if found is not None:
        raise TextRefused(where, f"text contains {describe(found.group())}, which is not "
                          "allowed")
    return value


def clean_text(value: str) -> str:
    """For text nobody can be asked to fix (a received mail): drop controls, mark surrogates."""
    return DISALLOWED.sub(lambda m: "\ufffd" if ord(m.group()) >= 0xD800 else "", value)


def _strings(data: Any, path: str) -> Iterator[tuple[str, str]]:
    # iterative, so a hostile depth cannot exhaust the stack
    stack: list[tuple[Any, str, int]] = [(data, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TextRefused(where, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, str):
            yield item, where
        elif isinstance(item, dict):
            for key, value in item.items():
                name = f"{where}.{key}" if where else str(key)
                yield str(key), name
                stack.append((value, name, depth + 1))
        elif isinstance(item, list):
            stack.extend((value, f"{where}[{i}]", depth + 1) for i, value in enumerate(item))


def check_data(data: Any, where: str = "") -> Any:
    """Every string (and key) of decoded JSON checked; too deep nesting refused."""
    for value, path in _strings(data, where):
        check_text(value, path)
    return data
