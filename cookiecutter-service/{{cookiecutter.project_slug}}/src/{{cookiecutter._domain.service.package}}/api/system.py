{% set service = cookiecutter._domain.service %}
"""Routes outside the API base path: probes, metrics and the contract. No authentication."""

from importlib.resources import files

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ProblemError

READINESS_TIMEOUT_SECONDS = 2.0

# The emitted contract, served as is: the API is what `openapi.yaml` says.
CONTRACT = files("{{ service.package }}").joinpath("openapi.json").read_bytes()

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> dict[str, str]:
    """Readiness: the database answers.

    The check opens a connection of its own, so it succeeds while every pooled connection
    is busy serving requests.
    """
    engine: Engine = request.app.state.probe_engine
    try:
        with anyio.fail_after(READINESS_TIMEOUT_SECONDS):
            await anyio.to_thread.run_sync(_ping, engine, abandon_on_cancel=True)
    except (SQLAlchemyError, TimeoutError):
        raise ProblemError(
            503,
            "service_unavailable",
            "Service unavailable",
            "The database is not reachable.",
            {"Retry-After": "5"},
        ) from None
    return {"status": "ok"}


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/openapi.json", include_in_schema=False)
async def openapi() -> Response:
    return Response(CONTRACT, media_type="application/json")


@router.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title={{ service.title | py }})
