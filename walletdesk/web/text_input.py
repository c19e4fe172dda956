"""Every text input of every HTTP request, checked in one place (walletdesk.text_rules).

``TextInputGuard`` is an ASGI middleware: before a route sees the request it checks the
path, the query string and the body's text (JSON, url-encoded and multipart forms: every
string, key, field and file name; file contents are bytes and are not checked). A request
with a NUL, another control character or a lone surrogate is answered 422 with what and where
(JSON for the API, the error page for people: walletdesk.web.error_pages), so no route,
schema or form can forget the rule.
The WebSocket frames get the same rule in walletdesk.web.routes.sockets.
"""

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from walletdesk.text_rules import TextRefused, check_data, check_text
from walletdesk.web.error_pages import error_response

MAX_CHECKED_BODY = 64 * 1024 * 1024  # a body this large is refused, not buffered


class TextInputGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_text(scope.get("path", ""), "path")
            query = scope.get("query_string", b"").decode("latin-1")
            for key, value in parse_qsl(query, keep_blank_values=True):
                check_text(key, "query")
                check_text(value, f"query.{key}")
            content_type = _content_type(scope)
            if content_type not in _BODY_CHECKS:
                await self.app(scope, receive, send)
                return
            body = await _read_body(receive)
            replay = _replay(body, receive)
            await _BODY_CHECKS[content_type](scope, body)
        except TextRefused as exc:
            refusal = await _refusal(scope, 422, exc.where, exc.detail)
            await refusal(scope, receive, send)
            return
        except _TooLarge:
            refusal = await _refusal(scope, 413, "body", "the request body is too large")
            await refusal(scope, receive, send)
            return
        await self.app(scope, replay, send)


class _TooLarge(Exception):
    pass


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_CHECKED_BODY:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, then: Receive | None = None) -> Receive:
    """The body once, then the client's own events (a real disconnect, when it comes: a
    made-up one would cut streaming responses short)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _check_json(scope: Scope, body: bytes) -> None:
    if not body.strip():
        return
    try:
        data = json.loads(body)
    except RecursionError:
        raise TextRefused("body", "JSON nested too deeply") from None
    except ValueError:
        return  # not JSON at all: the route's own validation says so
    check_data(data, "body")


async def _check_urlencoded(scope: Scope, body: bytes) -> None:
    for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
        check_text(key, "form")
        check_text(value, f"form.{key}")


async def _check_multipart(scope: Scope, body: bytes) -> None:
    try:
        form = await Request(scope, _replay(body)).form(max_files=1000, max_fields=1000)
    except MultiPartException:
        return  # malformed: the route's own parsing answers it
    try:
        for key, value in form.multi_items():
            check_text(key, "form")
            if isinstance(value, UploadFile):
                check_text(value.filename or "", f"form.{key}.filename")
            else:
                check_text(value, f"form.{key}")
    finally:
        await form.close()


_BODY_CHECKS: dict[str, Any] = {
    "application/json": _check_json,
    "application/x-www-form-urlencoded": _check_urlencoded,
    "multipart/form-data": _check_multipart,
}


async def _refusal(scope: Scope, status: int, where: str, detail: str) -> Response:
    errors = [{"loc": where.split("."), "msg": detail}]
    return await error_response(Request(scope), status, errors,
                                payload={"detail": errors, "code": "invalid"})
