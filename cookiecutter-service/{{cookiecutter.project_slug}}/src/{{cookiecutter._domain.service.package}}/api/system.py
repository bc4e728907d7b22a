{% set service = cookiecutter._domain.service %}
"""Routes outside the API base path: probes, metrics and the contract. No authentication.

`docs_router` (the contract and Swagger UI) is included only when the settings serve the
documentation (`DOCS_ENABLED`; by default everywhere but production). Swagger UI's files come
from the `fastapi-offline` package, not a CDN, and the page runs no inline script, so it works
offline and under a `script-src 'self'` Content-Security-Policy.
"""

import html
from importlib.resources import files

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ProblemError
from ..migrations_state import schema_problem

READINESS_TIMEOUT_SECONDS = 2.0

# The emitted contract, served as is: the API is what `openapi.yaml` says.
CONTRACT = files("{{ service.package }}").joinpath("openapi.json").read_bytes()
TITLE = {{ service.title | py }}

DOCS_ASSETS = files("fastapi_offline").joinpath("static")
DOCS_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
DOCS_SCRIPT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});
"""
DOCS_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(TITLE)}</title>
<link rel="icon" href="/docs/favicon.png">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""
# What the page needs and nothing more: its own files, and Swagger UI's inline styles.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_CACHE = "public, max-age=86400"

router = APIRouter()
docs_router = APIRouter()


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> dict[str, str]:
    """Readiness: the database answers, at the migration revision this code expects.

    The check opens a connection of its own, so it succeeds while every pooled connection
    is busy serving requests.
    """
    engine: Engine = request.app.state.probe_engine
    try:
        with anyio.fail_after(READINESS_TIMEOUT_SECONDS):
            problem = await anyio.to_thread.run_sync(_ping, engine, abandon_on_cancel=True)
    except (SQLAlchemyError, TimeoutError):
        problem = "The database is not reachable."
    if problem is not None:
        raise ProblemError(503, "service_unavailable", "Service unavailable", problem, {"Retry-After": "5"})
    return {"status": "ok"}


def _ping(engine: Engine) -> str | None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        return schema_problem(connection)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@docs_router.get("/openapi.json", include_in_schema=False)
async def openapi() -> Response:
    return Response(CONTRACT, media_type="application/json")


@docs_router.get("/docs", include_in_schema=False)
async def docs() -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE, headers={"Content-Security-Policy": DOCS_POLICY})


@docs_router.get("/docs/init.js", include_in_schema=False)
async def docs_script() -> Response:
    return Response(DOCS_SCRIPT, media_type="text/javascript", headers={"Cache-Control": DOCS_CACHE})


@docs_router.get("/docs/{name}", include_in_schema=False)
async def docs_file(name: str) -> FileResponse:
    media_type = DOCS_FILES.get(name)
    if media_type is None:
        raise ProblemError(404, "not_found", "Resource not found", "No such file.")
    path = DOCS_ASSETS.joinpath(name)
    return FileResponse(str(path), media_type=media_type, headers={"Cache-Control": DOCS_CACHE})
