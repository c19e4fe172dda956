"""Domain errors' messages: plain English msgids at every call (what `make catalogs` extracts),
their values named, translated in every catalog with the same placeholders."""

import ast
import re
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from walletdesk import i18n
from walletdesk.errors import Conflict, DomainError, Invalid

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "walletdesk"
BASES = {"DomainError", "NotFound", "Forbidden", "Invalid", "Conflict"}


@dataclass
class ErrorCall:
    where: str
    message: ast.expr | None
    keywords: set[str]


@cache
def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path))
            for path in sorted(PACKAGE.rglob("*.py"))}


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else \
        node.attr if isinstance(node, ast.Attribute) else None


def error_classes(trees: dict[Path, ast.Module]) -> dict[str, ast.ClassDef | None]:
    """Every DomainError class of the package by name (its definition; None: errors.py's)."""
    found: dict[str, ast.ClassDef | None] = dict.fromkeys(BASES)
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found and any(
                        _name(base) in found for base in node.bases):
                    found[node.name] = node
                    grew = True
    return found


def _own_init(definition: ast.ClassDef | None) -> ast.FunctionDef | None:
    return next((node for node in definition.body if isinstance(node, ast.FunctionDef)
                 and node.name == "__init__"), None) if definition else None


def takes_a_message(definition: ast.ClassDef | None) -> bool:
    """The class's first argument is the message (its own ``__init__`` may say otherwise:
    RefreshTooSoon takes numbers and words its message itself)."""
    init = _own_init(definition)
    parameters = [*init.args.posonlyargs, *init.args.args] if init else []
    return init is None or (len(parameters) > 1 and parameters[1].arg == "message")


def error_calls(trees: dict[Path, ast.Module]) -> list[ErrorCall]:
    """Every message an error is made with: the first argument of a call of a class that
    takes one, and a class's own ``super().__init__(...)`` for those that do not."""
    classes = error_classes(trees)
    calls = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            name = _name(node.func)
            if name in classes and takes_a_message(classes[name]):
                calls.append(ErrorCall(where, node.args[0] if node.args else None,
                                       {k.arg for k in node.keywords if k.arg}))
    for definition in classes.values():
        init = _own_init(definition)
        if init is None or takes_a_message(definition):
            continue
        for node in ast.walk(init):
            if isinstance(node, ast.Call) and _name(node.func) == "__init__":
                argument = node.args[0] if node.args else None
                if isinstance(argument, ast.Call) and _name(argument.func) == "N_":
                    argument = argument.args[0]  # marked for extraction where it is worded
                calls.append(ErrorCall(f"{definition.name}.__init__", argument,
                                       {k.arg for k in node.keywords if k.arg}))
    return calls


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) \
        else None


def _placeholders(text: str) -> list[str]:
    return sorted(name for _literal_text, name, _spec, _conversion in string.Formatter().parse(
        text) if name is not None)


def test_every_error_is_made_with_a_plain_literal_message() -> None:
    calls = error_calls(_trees())
    assert len(calls) > 250  # the walk finds the raise sites
    not_literal = [f"{call.where}: {ast.unparse(call.message) if call.message else '(none)'}"
                   for call in calls if _literal(call.message) is None]
    assert not not_literal, "name the values, never an f-string: " + "; ".join(not_literal)


def test_every_placeholder_of_a_message_gets_its_value_where_it_is_raised() -> None:
    for call in error_calls(_trees()):
        message = _literal(call.message)
        assert message is not None
        assert set(_placeholders(message)) == call.keywords, call.where
        assert all(re.fullmatch(r"\w+", name) for name in _placeholders(message)), (
            f"{call.where}: placeholders are plain names, no format specs or indexes")


def test_every_error_class_with_a_message_is_a_pybabel_keyword() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    keywords = set(re.findall(r"-k (\w+)", makefile))
    wanted = {name for name, definition in error_classes(_trees()).items()
              if takes_a_message(definition)}
    assert wanted <= keywords, f"add to the Makefile's ERROR_KEYWORDS: {sorted(wanted - keywords)}"


def test_the_template_has_every_error_message() -> None:
    """`make catalogs` picked them up (the classes are pybabel keywords)."""
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    messages = {_literal(call.message) for call in error_calls(_trees())}
    assert not messages - template, sorted(messages - template)[:10]


def test_every_error_message_formats_in_every_catalog() -> None:
    """No KeyError when an error is answered in another language; placeholders kept."""
    messages = {(_literal(call.message), frozenset(call.keywords))
                for call in error_calls(_trees())}
    for locale in i18n.available_locales():
        catalog = i18n.translations(locale)
        for message, keywords in messages:
            assert message is not None
            values = {name: f"⟨{name}⟩" for name in keywords}
            translated = catalog.gettext(message)
            text = translated.format(**values)
            assert _placeholders(translated) == _placeholders(message), (locale, message)
            assert all(value in text for name, value in values.items()
                       if name in _placeholders(message)), (locale, message)


def test_an_error_keeps_its_english_detail_and_is_told_in_another_language() -> None:
    error = Invalid("a title of 1 to {max} characters is required", max=80)
    assert error.detail == str(error) == "a title of 1 to 80 characters is required"
    assert error.code == "invalid" and isinstance(error, DomainError)
    assert error.translated("zh-Hans") == "请填写 1 到 80 个字符的标题"
    assert error.translated("es") == "hace falta un título de 1 a 80 caracteres"
    assert error.translated(None) == error.translated("xx") == error.detail
    # a value is filled in as it is, never read as a placeholder itself
    named = Conflict("a label named {name} exists", name=repr("{max} <b>"))
    assert named.translated("zh-Hant") == "已有名為 '{max} <b>' 的標籤"
