"""The web application: pages, REST API, WebSockets, health and metrics."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from walletdesk import __version__, i18n
from walletdesk.accounts.passwords import configure_hashing
from walletdesk.bot.runtime import BotRuntime
from walletdesk.chains.listeners import ask_for_hash_on_pick, stop_lookups
from walletdesk.config import Settings, get_settings
from walletdesk.conversations.chat import ChatWriter
from walletdesk.conversations.listeners import subscribe_workspace_listeners
from walletdesk.db.engine import DatabaseUnavailable
from walletdesk.email import away_replies
from walletdesk.email.smtp_server import start_smtp_server
from walletdesk.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from walletdesk.jobs.worker import Worker
from walletdesk.labels.rules import subscribe_label_rules
from walletdesk.logging import configure_logging
from walletdesk.reports.presence import subscribe_presence_history
from walletdesk.routing.actions import drain_queues
from walletdesk.safety.protect import warm_up as warm_up_protect
from walletdesk.services import Services
from walletdesk.web import localization
from walletdesk.web.deps import LoginRequired
from walletdesk.web.error_pages import error_response
from walletdesk.web.live import Hub
from walletdesk.web.load_shedding import install_load_shedding
from walletdesk.web.long_lived import keep_frozen
from walletdesk.web.routes import (
    admin,
    admin_bot,
    admin_channels,
    admin_kb,
    admin_privacy,
    admin_sla,
    api,
    auth,
    chat_uploads,
    complaints,
    followups,
    health,
    help_centre,
    interface,
    labels,
    macros,
    outreach_api,
    pages,
    reports,
    sockets,
    staffing,
    surveys,
    transfers,
    verify,
    workspace_tools,
)
from walletdesk.web.routes import chains as chain_routes
from walletdesk.web.routes import incidents as incident_routes
from walletdesk.web.routes import outreach as outreach_pages
from walletdesk.web.routes.customer_context import router as customer_context_router
from walletdesk.web.sessions import RateLimiter, Signer, WidgetMessageLimits
from walletdesk.web.text_input import TextInputGuard

WEB_DIR = Path(__file__).parent
QUEUE_SWEEP_S = 30
log = structlog.get_logger(__name__)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFound: 404, Forbidden: 403, Invalid: 422, Conflict: 409,
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors {frame_ancestors}"
)


def widget_frame_ancestors(settings: Settings) -> str:
    """The sites that may frame the widget: WALLETDESK_WIDGET_ALLOWED_ORIGINS (validated)."""
    origins = settings.widget_allowed_origins
    return "*" if "*" in origins else " ".join(["'self'", *origins])


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        # the widget is made to be framed by the operator's sites; nothing else is
        embeddable = request.url.path.startswith("/widget")
        response.headers.setdefault("Content-Security-Policy", CSP.format(
            frame_ancestors=widget_frame_ancestors(request.app.state.settings) if embeddable
            else "'self'"))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not embeddable:
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response


async def _sweep_queues(services: Services) -> None:
    """Teams open and agents free up over time; assign whoever has waited meanwhile."""
    while True:
        await asyncio.sleep(QUEUE_SWEEP_S)
        try:
            async with services.transaction() as session:
                await drain_queues(session, services.settings)
        except Exception:
            log.exception("queue_sweep_failed")


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    services = services or Services(settings)
    hub = Hub()
    chat_writer = ChatWriter(services)  # the chat socket's group commit

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await services.start()
        unsubscribe = services.bus.subscribe(hub.on_event)
        # every process's customer messages, for protect across a customer's devices
        unsubscribe_chat = services.bus.subscribe(chat_writer.on_event)
        bot = services.bot = BotRuntime(settings.default_language)
        unsubscribe_bot = services.bus.subscribe(lambda event: bot.on_event(services, event))
        unsubscribe_workspace = subscribe_workspace_listeners(services)
        unsubscribe_labels = subscribe_label_rules(services)
        unsubscribe_presence = subscribe_presence_history(services)  # reports: time online
        # a transfer article picked from the bot's choice: ask for the hash
        unsubscribe_hash_ask = services.bus.subscribe(
            lambda event: ask_for_hash_on_pick(services, event))
        unsubscribe_reply_mail = services.bus.subscribe(
            lambda event: away_replies.on_event(services, event))
        bot.schedule_rebuild(services, delay=0)  # a saved engine loads in a second
        # protect's tables, off the first message
        warmed = asyncio.get_running_loop().run_in_executor(None, warm_up_protect)
        # `walletdesk serve`: what was built at start is kept out of the collector's walks
        freezer = asyncio.create_task(keep_frozen(warmed, bot)) \
            if getattr(app.state, "freeze_long_lived", False) else None
        sweeper = asyncio.create_task(_sweep_queues(services))
        worker_stop = asyncio.Event()
        worker = smtp = None
        if settings.embedded_worker:  # the embedded mode: one process does it all
            worker = asyncio.create_task(Worker(services).run(worker_stop))
            if settings.smtp_inbound_port is not None:
                smtp = await start_smtp_server(services)
        log.info("walletdesk_started", version=__version__, redis=bool(settings.redis_url))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            if freezer is not None:
                freezer.cancel()
            worker_stop.set()
            if worker is not None:
                await worker
            if smtp is not None:
                smtp.close()
            unsubscribe()
            unsubscribe_bot()
            unsubscribe_workspace()
            unsubscribe_labels()
            unsubscribe_presence()
            unsubscribe_hash_ask()
            unsubscribe_reply_mail()
            await bot.stop()
            unsubscribe_chat()
            await chat_writer.stop()
            await stop_lookups(services)
            await services.stop()

    app = FastAPI(
        title="walletdesk",
        version=__version__,
        description="Customer service desk for digital wallet operators. "
        "Authenticate with `Authorization: Bearer <API token>`.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    configure_hashing(settings.password_hash_threads,  # argon2 off the loop, bounded
                      time_cost=settings.password_hash_time_cost,
                      memory_kib=settings.password_hash_memory_kib)
    app.state.settings = settings
    app.state.hub = hub
    app.state.chat_writer = chat_writer
    app.state.signer = Signer(settings.secret_key, settings.session_max_age_s)
    app.state.login_limiter = RateLimiter(settings.login_ip_max_attempts_per_min, 60)
    app.state.check_limiter = RateLimiter(60, 60)  # /verify checks per address and minute
    app.state.widget_message_limits = WidgetMessageLimits(
        settings.widget_messages_per_min, settings.widget_messages_per_min_per_address)
    app.state.report_limiter = RateLimiter(5, 60)  # scam reports per address and minute
    templates = Jinja2Templates(directory=WEB_DIR / "templates")
    templates.env.globals["brand_name"] = settings.brand_name
    templates.env.globals["category_name"] = i18n.category_name
    localization.install(templates)  # per-request locale (docs/decisions/0017-babel-catalogs.md)
    app.state.templates = templates

    app.add_middleware(TextInputGuard)  # inside SecurityHeaders: refusals get the headers too
    install_load_shedding(app, settings)  # "busy, retry" before the work (docs/operate.md)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for module in (health, auth, pages, help_centre, verify, admin, admin_kb, admin_bot, admin_sla,
                   admin_channels, api, sockets, surveys, followups, complaints, interface,
                   workspace_tools, chat_uploads, transfers, labels, macros):
        app.include_router(module.router)
    app.include_router(admin_privacy.router)
    app.include_router(reports.router)
    app.include_router(incident_routes.router)  # issue 15: announcements, spike alerts
    app.include_router(outreach_pages.router)  # proactive messages (walletdesk.outreach)
    app.include_router(outreach_api.router)
    app.include_router(staffing.router)
    app.include_router(customer_context_router)  # issue 16: the customer's context
    app.include_router(chain_routes.router)  # issue 16: transfers by hash

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        # the same code in every language; the detail in the reader's (error_pages.reader_locale)
        return await error_response(request, STATUS_BY_ERROR.get(type(exc), 400), exc.detail,
                                    {"detail": exc.detail, "code": exc.code})

    @app.exception_handler(DatabaseUnavailable)
    async def _db_unavailable(request: Request, exc: DatabaseUnavailable) -> Response:
        log.warning("database_unavailable", path=request.url.path)
        detail = "the database is briefly unavailable; retry"
        return await error_response(request, 503, detail,
                                    {"detail": detail, "code": "unavailable"},
                                    headers={"Retry-After": "1"})

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return await error_response(request, 422, errors, {"detail": errors, "code": "invalid"})

    # Starlette's own HTTPException too: unknown paths (404) and methods (405) raise it
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return await error_response(request, exc.status_code, exc.detail,
                                    headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # logged by the server with its traceback; the caller learns nothing internal
        return await error_response(request, 500, "internal error")

    return app
