{% set domain = cookiecutter._domain %}
{% set overriding = domain.entities | selectattr("rate_limit.read") | list + domain.entities | selectattr("rate_limit.write") | list %}
"""Per-principal rate limiting with token buckets, in process or shared through Redis.

Every API request spends one token from its principal's bucket: reads (GET, HEAD, OPTIONS)
and writes have separate budgets. The principal is the authenticated subject, else the
client address. An entity with its own `rate_limit` in the domain has buckets of its own.
A bucket of `N/period` holds N tokens and refills continuously at N per period.

Responses carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (seconds
until the bucket is full again); a request over budget gets 429 with `Retry-After`.
With `REDIS_URL` the buckets live in Redis (one atomic Lua script per request), so every
replica spends the same budget. When Redis is unreachable requests are let through
(fail open), logged and counted, and Redis is not tried again for a few seconds.
"""

import itertools
import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.asyncio.retry import Retry
from starlette.types import ASGIApp, Message, Receive, Scope, Send

{% if domain.auth.scheme != "none" %}
from .auth import Principal, authenticate_scope
{% endif %}
from .errors import PROBLEM_MEDIA_TYPE, problem_body
from .metrics import Metrics
from .settings import Rate{{ ', parse_rate' if overriding }}

logger = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REDIS_RETRY_AFTER_FAILURE = 5.0
MAX_MEMORY_BUCKETS = 100_000

# Token bucket in a Redis hash; the server clock is used so replicas agree on time.
BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1]) or capacity
local stamp = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - stamp) * capacity / period)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(period))
return {allowed, tostring(tokens)}
"""


# Budgets of the entities whose domain declares their own, by URL segment.
{% if overriding %}
ENTITY_RATES: dict[str, tuple[Rate | None, Rate | None]] = {
{% for entity in domain.entities if entity.rate_limit.read or entity.rate_limit.write %}
    "{{ entity.segment }}": (
        {{ 'parse_rate("%s")' % entity.rate_limit.read if entity.rate_limit.read else "None" }},
        {{ 'parse_rate("%s")' % entity.rate_limit.write if entity.rate_limit.write else "None" }},
    ),
{% endfor %}
}
{% else %}
ENTITY_RATES: dict[str, tuple[Rate | None, Rate | None]] = {}
{% endif %}


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int


def decide(rate: Rate, tokens: float, allowed: bool) -> Decision:
    """The outcome of one request, from the tokens left in its bucket afterwards."""
    per_token = rate.seconds / rate.count
    return Decision(
        allowed=allowed,
        limit=rate.count,
        remaining=max(0, math.floor(tokens)),
        reset=math.ceil((rate.count - tokens) * per_token),
        retry_after=0 if allowed else max(1, math.ceil((1 - tokens) * per_token)),
    )


class Buckets(Protocol):
    async def take(self, key: str, rate: Rate) -> Decision: ...

    async def close(self) -> None: ...


class MemoryBuckets:
    """Buckets of this process only: right for a single replica."""

    def __init__(self) -> None:
        # key -> (tokens, time of the last update, time the bucket is full again)
        self._buckets: dict[str, tuple[float, float, float]] = {}

    async def take(self, key: str, rate: Rate) -> Decision:
        now = time.monotonic()
        # Popped and put back: the dict stays in least recently used order.
        tokens, stamp, _ = self._buckets.pop(key, (float(rate.count), now, now))
        tokens = min(rate.count, tokens + (now - stamp) * rate.count / rate.seconds)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        if len(self._buckets) >= MAX_MEMORY_BUCKETS:
            self._make_room(now)
        full_at = now + (rate.count - tokens) * rate.seconds / rate.count
        self._buckets[key] = (tokens, now, full_at)
        return decide(rate, tokens, allowed)

    def _make_room(self, now: float) -> None:
        """Bring the buckets down to 90% of the cap, so that one scan serves many requests.

        Refilled buckets go first (they behave exactly like absent ones); then, if many
        principals are mid-budget at once, the least recently used ones, whose principals
        start again with a full budget. Memory stays bounded whatever the clients send.
        """
        for key in [key for key, (_, _, full_at) in self._buckets.items() if full_at <= now]:
            del self._buckets[key]
        excess = len(self._buckets) - MAX_MEMORY_BUCKETS * 9 // 10
        for key in list(itertools.islice(self._buckets, max(0, excess))):
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)

    async def close(self) -> None:
        self._buckets.clear()


class RedisBuckets:
    """Buckets shared by every replica that uses the same Redis."""

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = Redis.from_url(
            url,
            socket_connect_timeout=0.25,
            socket_timeout=0.25,
            retry=Retry(NoBackoff(), 0),
        )
        self._script = self._redis.register_script(BUCKET_SCRIPT)
        self._prefix = prefix

    async def take(self, key: str, rate: Rate) -> Decision:
        keys, args = [self._prefix + key], [rate.count, rate.seconds]
        allowed, tokens = await self._script(keys=keys, args=args)
        return decide(rate, float(tokens), bool(allowed))

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    """The budgets of the service and where their buckets are kept."""

    def __init__(self, read: Rate, write: Rate, buckets: Buckets, metrics: Metrics) -> None:
        self.read = read
        self.write = write
        self._buckets = buckets
        self._metrics = metrics
        self._skip_until = 0.0

    async def take(self, method: str, segment: str, principal: str) -> Decision | None:
        """The decision for one request, or None when the bucket store is unreachable."""
        is_read = method in READ_METHODS
        kind = "read" if is_read else "write"
        override = ENTITY_RATES.get(segment, (None, None))[0 if is_read else 1]
        rate = override or (self.read if is_read else self.write)
        bucket = f"{kind}:{segment if override else '*'}:{principal}"
        if time.monotonic() < self._skip_until:
            return None
        try:
            decision = await self._buckets.take(bucket, rate)
        except (RedisError, OSError) as exc:
            self._skip_until = time.monotonic() + REDIS_RETRY_AFTER_FAILURE
            self._metrics.ratelimit_store_errors.inc()
            logger.warning("rate limit store unreachable, letting requests through: %s", exc)
            return None
        if not decision.allowed:
            self._metrics.ratelimit_rejections.labels(kind).inc()
        return decision

    async def close(self) -> None:
        await self._buckets.close()


class RateLimitMiddleware:
    """Pure ASGI middleware applying the limiter to requests under the API base path."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, base_path: str) -> None:
        self.app = app
        self.limiter = limiter
        self.prefix = base_path.rstrip("/") + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        segment = path[len(self.prefix) :].partition("/")[0]
        decision = await self.limiter.take(scope["method"], segment, principal_key(scope))
        if decision is None:
            await self.app(scope, receive, send)
            return
        headers = [
            (b"ratelimit-limit", str(decision.limit).encode()),
            (b"ratelimit-remaining", str(decision.remaining).encode()),
            (b"ratelimit-reset", str(decision.reset).encode()),
        ]
        if not decision.allowed:
            await self._reject(scope, send, decision, headers)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _reject(
        self, scope: Scope, send: Send, decision: Decision, headers: list[tuple[bytes, bytes]]
    ) -> None:
        body = problem_body(
            status=429,
            code="rate_limited",
            title="Too many requests",
            detail=f"The request budget is spent; retry in {decision.retry_after} s.",
            instance=scope["path"],
            request_id=scope.get("state", {}).get("request_id"),
        )
        headers += [
            (b"retry-after", str(decision.retry_after).encode()),
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def principal_key(scope: Scope) -> str:
{% if domain.auth.scheme != "none" %}
    """The authenticated subject, or the client address for anonymous or bad credentials."""
    result = authenticate_scope(scope)
    if isinstance(result, Principal):
        return f"sub:{result.sub}"
{% else %}
    """The client address (the service has no authentication)."""
{% endif %}
    client = scope.get("client")
    return f"addr:{client[0] if client else 'unknown'}"
