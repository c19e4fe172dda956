"""structlog set-up: JSON lines to stderr. Never log message texts or personal data."""

import logging
import sys

import structlog

from walletdesk.config import Settings
from walletdesk.db.engine import redacted_traceback

# loggers through which libraries can print frame contents or SQL parameters at DEBUG
FRAME_LOGGERS = ("uvicorn.error", "websockets", "websockets.server", "websockets.client")
QUIET_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


class DropFrameDumps(logging.Filter):
    """WebSocket libraries log every frame at DEBUG ("< TEXT '…'"): message texts, which may
    be anything a customer typed, must not reach the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        return not (message.startswith(("< ", "> ")) and record.args)


def _exception_without_values(_logger: object, _name: str,
                               event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
    """Tracebacks with database errors' values hidden (they quote names, hashes, texts)."""
    exc_info = event_dict.pop("exc_info", None)
    if exc_info:
        if exc_info is True:
            exc_info = sys.exc_info()
        exc = exc_info if isinstance(exc_info, BaseException) else exc_info[1]
        if exc is not None:
            event_dict["exception"] = redacted_traceback(exc)
    return event_dict


class HideDatabaseValues(logging.Filter):
    """The same for the standard loggers (uvicorn's "Exception in ASGI application")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted_traceback(record.exc_info[1])
        return True


def configure_logging(settings: Settings) -> None:
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    renderer = (structlog.processors.JSONRenderer() if settings.log_json
                else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _exception_without_values,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    for name in FRAME_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropFrameDumps) for f in logger.filters):
            logger.addFilter(DropFrameDumps())
    for name in ("", "uvicorn.error", "uvicorn", "asyncio"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideDatabaseValues) for f in logger.filters):
            logger.addFilter(HideDatabaseValues())
        for handler in logger.handlers:  # a filter on a logger misses its children's records
            if not any(isinstance(f, HideDatabaseValues) for f in handler.filters):
                handler.addFilter(HideDatabaseValues())
    # a handler that fails (a closed stream) makes logging print "--- Logging error ---" with
    # the traceback being logged, unredacted (a database error's values): never
    logging.raiseExceptions = False
    for name in QUIET_LOGGERS:  # their DEBUG output carries query parameters
        logging.getLogger(name).setLevel(max(level, logging.INFO))
