"""Liveness (public: database reachable, data and database directories writable with room
left) and metrics (a "metrics" token, or loopback when allowed by setting)."""

import asyncio
import errno
import ipaddress
import os
import shutil
from pathlib import Path
from typing import Any

import structlog
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from walletdesk import __version__
from walletdesk.accounts.actions import agent_for_token
from walletdesk.metrics import SOCKETS
from walletdesk.services import Services
from walletdesk.web.deps import ServicesDep

router = APIRouter(tags=["health"])
log = structlog.get_logger(__name__)


# less free space than this and the disk is reported full before a write fails on it
MIN_FREE_BYTES = 16 * 1024 * 1024
PROBE = b"walletdesk disk probe\n" * 64


def _disk_problem(directory: Path) -> str | None:
    """None if files can be written in ``directory``; else why not (full, read-only …)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".healthz-{os.getpid()}"
        try:
            with probe.open("wb") as handle:
                handle.write(PROBE)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            probe.unlink(missing_ok=True)
        if shutil.disk_usage(directory).free < MIN_FREE_BYTES:
            return "full"
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "full"
        if exc.errno == errno.EROFS:
            return "read_only"
        return f"not_writable ({errno.errorcode.get(exc.errno or 0, 'error')})"
    return None


def _directories(services: Services) -> list[Path]:
    """Where the desk writes: its data directory (attachments) and a SQLite database's."""
    settings = services.settings
    found = [Path(settings.data_dir)]
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        found.append(Path(str(url.database)).resolve().parent)
    return found


@router.get("/healthz")
async def healthz(services: ServicesDep) -> Response:
    body: dict[str, Any] = {"status": "ok", "version": __version__, "database": "ok",
                            "disk": "ok"}
    try:
        async with services.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        body.update(status="degraded", database="unreachable")
    for directory in _directories(services):
        problem = await asyncio.to_thread(_disk_problem, directory)
        if problem is not None:
            log.error("disk_unhealthy", directory=str(directory), problem=problem)
            body.update(status="degraded", disk=problem, disk_path=str(directory))
            break
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


def _from_loopback(request: Request) -> bool:
    try:
        return request.client is not None and ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


async def _may_read_metrics(request: Request, services: ServicesDep) -> None:
    """Prometheus scrapes with ``Authorization: Bearer <token of scope metrics>``; with
    WALLETDESK_METRICS_ALLOW_LOOPBACK a scraper on the same machine needs none."""
    if services.settings.metrics_allow_loopback and _from_loopback(request):
        return
    authorization = request.headers.get("authorization", "")
    if not authorization.lower().startswith("bearer "):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a metrics token is required",
                            headers={"WWW-Authenticate": "Bearer"})
    found = await agent_for_token(services, authorization[7:].strip())
    if found is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API token",
                            headers={"WWW-Authenticate": "Bearer"})
    if found[1] != "metrics":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token has no metrics scope")


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, services: ServicesDep) -> Response:
    await _may_read_metrics(request, services)
    SOCKETS.set(request.app.state.hub.connection_count)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
