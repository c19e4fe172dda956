"""Files in the chat, both ways: the customer widget's uploads and downloads, the agent
workspace's uploads and inline images.

A file is a message: the upload goes through the one message path (``receive_message`` for
the customer, ``send_message`` for the agent) with the file as its attachment, after
``check_upload`` has refused what cannot be stored (413 too large, 415 type not allowed,
422 damaged) and re-encoded images without their metadata.

The widget proves who it is with the token its socket's welcome frame gives it (in the
``Authorization`` header, never in a URL); a customer reaches only the files of their own
conversations, an agent only those of conversations they may see.
"""

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import FileResponse, JSONResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.types import Message as AsgiMessage

from walletdesk import i18n
from walletdesk.config import Settings
from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.attachments import (
    AttachmentIn,
    AttachmentRefused,
    attachment_for_customer,
    blob_path,
    check_upload,
    too_large_refusal,
)
from walletdesk.conversations.messages import message_payload
from walletdesk.conversations.models import Attachment
from walletdesk.conversations.queries import attachment_for_agent
from walletdesk.web.deps import ApiAgent, PageAgent, RowId, ServicesDep, client_address
from walletdesk.web.schemas import MAX_ROW_ID
from walletdesk.web.sessions import RateLimiter

router = APIRouter(include_in_schema=False)
WIDGET_CHANNEL = "web"
FILES_SALT = "walletdesk-widget-files"
TOKEN_MAX_AGE_S = 7 * 24 * 3600  # the socket gives a fresh one on every connection
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields around the file
UPLOADS_PER_MINUTE = 20
STATUS_BY_REASON = {"too_large": 413, "type": 415, "damaged": 422, "empty": 422}
UNPROCESSABLE = 422
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


# --- the widget's token ----------------------------------------------------------------------

def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=FILES_SALT)


def widget_file_token(settings: Settings, external_id: str, verified_user_id: str | None) -> str:
    """For the welcome frame: who this widget's customer is on the web channel."""
    return _serializer(settings).dumps({"x": external_id, "u": verified_user_id})


class WidgetCustomer:
    def __init__(self, external_id: str, verified_user_id: str | None) -> None:
        self.external_id = external_id
        self.verified_user_id = verified_user_id


def _widget_customer(request: Request) -> WidgetCustomer:
    settings: Settings = request.app.state.settings
    authorization = request.headers.get("authorization", "")
    token = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    try:
        data = _serializer(settings).loads(token, max_age=TOKEN_MAX_AGE_S) if token else None
    except BadSignature:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("x"), str):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the chat's token is missing or "
                            "expired; reconnect the chat", headers={"WWW-Authenticate": "Bearer"})
    user = data.get("u")
    return WidgetCustomer(data["x"], user if isinstance(user, str) else None)


WidgetCustomerDep = Annotated[WidgetCustomer, Depends(_widget_customer)]


# --- reading an upload -----------------------------------------------------------------------

def _refusal(exc: AttachmentRefused, locale: str) -> JSONResponse:
    """The refusal in the sender's language (the code stays the same for scripts)."""
    detail = exc.detail.translated(locale) if isinstance(exc.detail, i18n.Phrase) else exc.detail
    return JSONResponse({"detail": detail, "code": f"attachment_{exc.reason}"},
                        status_code=STATUS_BY_REASON.get(exc.reason, 422))


def _rate_limited(request: Request, key: str) -> None:
    limiter = getattr(request.app.state, "upload_limiter", None)
    if limiter is None:
        limiter = request.app.state.upload_limiter = RateLimiter(UPLOADS_PER_MINUTE, 60)
    if not limiter.allow(key):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            "too many files in a minute; wait a moment", {"Retry-After": "60"})


async def _read_upload(request: Request,
                       settings: Settings) -> tuple[AttachmentIn, dict[str, str]]:
    """The multipart form, read with a cap (a larger body is refused before it is buffered),
    and its one file checked for the chat."""
    limit = settings.attachment_max_bytes + FORM_OVERHEAD
    too_large = too_large_refusal(settings)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large

    async def replay() -> AsgiMessage:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise HTTPException(UNPROCESSABLE,
                            "send the file as multipart/form-data in a field named file")
    try:
        async with Request(request.scope, replay).form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise HTTPException(UNPROCESSABLE, "choose a file to send")
            item = AttachmentIn(upload.filename or "file", upload.content_type or "",
                                await upload.read())
            fields = {key: value for key, value in form.items() if isinstance(value, str)}
    except MultiPartException as exc:
        raise HTTPException(UNPROCESSABLE,
                            f"the upload could not be read: {exc.message}") from None
    # decoding and re-encoding a large picture takes a CPU second or more: not on the loop
    return await asyncio.to_thread(check_upload, settings, item), fields


def _field(form: dict[str, str], name: str) -> str | None:
    return form.get(name) or None


def _caption(form: dict[str, str], item: AttachmentIn) -> str:
    """The text typed with the file, or the file's name: a message always says something."""
    text = (_field(form, "text") or "").strip()
    return text or f"📎 {item.filename}"


def _row_id(form: dict[str, str], name: str) -> int | None:
    value = _field(form, name)
    if value is None:
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ROW_ID:
        raise HTTPException(UNPROCESSABLE, f"{name} must be an id")
    return int(value)


def _sent(delivered: Any) -> dict[str, Any]:
    return {"conversation_id": delivered.conversation.id,
            "message": message_payload(delivered.message), "duplicate": delivered.duplicate}


# --- customer widget -------------------------------------------------------------------------

@router.post("/api/widget/attachments")
async def widget_upload(request: Request, customer: WidgetCustomerDep,
                        services: ServicesDep) -> Response:
    """A file from the customer (picked or pasted), with the text typed beside it."""
    _rate_limited(request, "c:" + customer.external_id)
    # a file is a message: the widget's message limits count it too (web.sessions)
    limits = request.app.state.widget_message_limits
    if not (limits.visitor.allow(customer.external_id)
            and limits.address.allow(client_address(request))):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            "too many messages; wait a minute and resend", {"Retry-After": "60"})
    settings = services.settings
    try:
        item, form = await _read_upload(request, settings)
    except AttachmentRefused as exc:  # in the widget's language (it sends Accept-Language)
        return _refusal(exc, i18n.interface_locale(request.headers.get("accept-language"),
                                                   i18n.customer_locales()))
    language = _field(form, "language")
    delivered = await receive_message(services, InboundMessage(
        channel=WIDGET_CHANNEL, external_id=customer.external_id, text=_caption(form, item),
        client_id=_field(form, "client_id"), conversation_id=_row_id(form, "conversation_id"),
        language=i18n.customer_language(language, settings.default_language) if language
        else None, verified_user_id=customer.verified_user_id, attachments=[item]))
    return JSONResponse(_sent(delivered))


@router.get("/api/widget/attachments/{attachment_id}")
async def widget_download(attachment_id: RowId, customer: WidgetCustomerDep,
                          services: ServicesDep) -> Response:
    """A file of the customer's own conversation (theirs or the agent's); 404 otherwise."""
    async with services.read() as session:
        found = await attachment_for_customer(session, WIDGET_CHANNEL, customer.external_id,
                                              attachment_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "attachment not found")
    return _file_response(services.settings, found, inline=True)


# --- agent workspace -------------------------------------------------------------------------

@router.post("/api/v1/conversations/{conversation_id}/attachments")
async def agent_upload(conversation_id: RowId, request: Request, agent: ApiAgent,
                       services: ServicesDep) -> Response:
    """An agent's file to the customer (or in an internal note); multipart form with
    ``file`` and optional ``text``, ``client_id``, ``internal``."""
    _rate_limited(request, f"a:{agent.id}")
    try:
        item, form = await _read_upload(request, services.settings)
    except AttachmentRefused as exc:  # in the agent's language
        return _refusal(exc, agent.interface_locale or i18n.interface_locale(
            request.headers.get("accept-language")))
    delivered = await send_message(
        services, agent, conversation_id, _caption(form, item),
        client_id=_field(form, "client_id"),
        internal=_field(form, "internal") in ("1", "true", "on"), attachments=[item])
    return JSONResponse(_sent(delivered))


@router.get("/app/attachments/{attachment_id}/view")
async def agent_view(attachment_id: RowId, agent: PageAgent, services: ServicesDep) -> Response:
    """A picture shown in the conversation (the thumbnail and its enlargement); other files
    are downloads, as from /app/attachments/{id}."""
    async with services.read() as session:
        found = await attachment_for_agent(session, agent, attachment_id)
    return _file_response(services.settings, found, inline=True)


def _file_response(settings: Settings, found: Attachment, *, inline: bool) -> Response:
    path = blob_path(settings, found.sha256)
    if not path.exists():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the file is no longer stored")
    picture = inline and found.content_type in INLINE_TYPES
    return FileResponse(
        path, media_type=found.content_type if picture else "application/octet-stream",
        filename=found.filename, content_disposition_type="inline" if picture else "attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
                 # a file is never a page: nothing in it runs, even if opened directly
                 "Content-Security-Policy": "default-src 'none'; sandbox"})
