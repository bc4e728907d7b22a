{% set service = cookiecutter._domain.service %}
{% set scheme = cookiecutter._domain.auth.scheme %}
"""Pure ASGI middleware: request ids, access log, metrics, last-resort errors, body limit."""

import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

{% if scheme != "none" %}
from .auth import Principal
{% endif %}
from .errors import PROBLEM_MEDIA_TYPE, ProblemError, problem_body, problem_for
from .metrics import Metrics

REQUEST_ID_HEADER = b"x-request-id"
# Clients must not guess another media type than the declared one.
NO_SNIFF = (b"x-content-type-options", b"nosniff")
VALID_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")

access_logger = logging.getLogger("{{ service.package }}.access")
error_logger = logging.getLogger("{{ service.package }}.errors")


class RequestContextMiddleware:
    """Request id, metrics, access log and the last-resort 500 of every HTTP request.

    The id is the caller's `X-Request-ID` when valid, else a new one; it is echoed on the
    response, which also gets `X-Content-Type-Options: nosniff`.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        echoed = (REQUEST_ID_HEADER, request_id.encode())
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = message["status"]
                started = True
                message["headers"] = [*message.get("headers", []), echoed, NO_SNIFF]
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            error_logger.exception("unhandled error", extra={"fields": {"request_id": request_id}})
            if started:
                raise
            await _send_problem(scope, send_with_id, problem_for(exc, scope["method"]))
        finally:
            self.metrics.in_flight.dec()
            duration = time.perf_counter() - start
            route = _route_template(scope)
            self.metrics.observe(scope["method"], route, status, duration)
            if access_logger.isEnabledFor(logging.INFO):
                access_logger.info(
                    "request",
                    extra={
                        "fields": {
                            "method": scope["method"],
                            "route": route,
                            "path": scope["path"],
                            "status": status,
                            "duration_ms": round(duration * 1000, 3),
                            "request_id": request_id,
{% if scheme != "none" %}
                            "principal": _principal_sub(scope),
{% endif %}
                        }
                    },
                )


class BodyLimitMiddleware:
    """Refuses request bodies larger than `max_bytes` with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            error = HTTPException(413, "The request body is too large.")
            await _send_problem(scope, send, problem_for(error, scope["method"]))
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, "The request body is too large.")
            return message

        await self.app(scope, limited_receive, send)


async def _send_problem(scope: Scope, send: Send, error: ProblemError) -> None:
    body = problem_body(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        instance=scope["path"],
        request_id=scope.get("state", {}).get("request_id"),
        errors=error.errors,
    )
    headers = [(name.lower().encode(), value.encode()) for name, value in error.headers.items()]
    headers += [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _request_id(scope: Scope) -> str:
    for key, value in scope["headers"]:
        if key == REQUEST_ID_HEADER and VALID_REQUEST_ID.fullmatch(value):
            return str(value.decode())
    return uuid.uuid4().hex


def _route_template(scope: Scope) -> str:
    """The matched route's full path template; one label for every unmatched path.

    A route of an included router knows its path without the router's prefix: the prefix
    (which has no parameters) is the matching number of leading segments of the path.
    """
    template: str | None = getattr(scope.get("route"), "path", None)
    if template is None:
        return "<unmatched>"
    prefix_segments = scope["path"].count("/") - template.count("/")
    if prefix_segments <= 0:
        return template
    return "/".join(scope["path"].split("/")[: prefix_segments + 1]) + template
{% if scheme != "none" %}


def _principal_sub(scope: Scope) -> str | None:
    result = scope.get("state", {}).get("auth")
    return result.sub if isinstance(result, Principal) else None
{% endif %}
