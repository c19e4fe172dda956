"""Liveness and metrics (public: no personal data in either)."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from walletdesk import __version__
from walletdesk.metrics import SOCKETS
from walletdesk.web.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(services: ServicesDep) -> Response:
    try:
        async with services.read() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "version": __version__, "database": "ok"})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    SOCKETS.set(request.app.state.hub.connection_count)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
