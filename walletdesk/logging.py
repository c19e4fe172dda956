"""structlog set-up: JSON lines to stderr. Never log message texts or personal data."""

import logging
import sys

import structlog

from walletdesk.config import Settings

# loggers through which libraries can print frame contents or SQL parameters at DEBUG
FRAME_LOGGERS = ("uvicorn.error", "websockets", "websockets.server", "websockets.client")
QUIET_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


class DropFrameDumps(logging.Filter):
    """WebSocket libraries log every frame at DEBUG ("< TEXT '…'"): message texts, which may
    be anything a customer typed, must not reach the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg if isinstance(record.msg, str) else ""
        return not (message.startswith(("< ", "> ")) and record.args)


def configure_logging(settings: Settings) -> None:
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    renderer = (structlog.processors.JSONRenderer() if settings.log_json
                else structlog.dev.ConsoleRenderer(colors=False))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
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
    for name in QUIET_LOGGERS:  # their DEBUG output carries query parameters
        logging.getLogger(name).setLevel(max(level, logging.INFO))
