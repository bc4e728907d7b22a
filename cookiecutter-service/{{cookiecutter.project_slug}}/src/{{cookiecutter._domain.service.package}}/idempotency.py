"""`Idempotency-Key` on create: a retried request gets the first response, not a second row.

The key is claimed (a row in `idempotency_records`, unique per principal and key) in the same
transaction that creates the resource, before anything else is written: a concurrent request
with the same key waits on the unique constraint, fails, and replays the winner's response.
The same key with a different request (method, path or body) is a 409. A key is remembered
for `IDEMPOTENCY_RETENTION_HOURS` (24 by default); after that it may be used again, and every
`IDEMPOTENCY_SWEEP_INTERVAL_SECONDS` each replica deletes the expired records in batches, so
the table holds about one retention period of creates.
"""

import datetime as dt
import hashlib
import json
import logging
from typing import Any

import anyio
import anyio.to_thread
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, col, delete, select

from .errors import ProblemError
from .models import IdempotencyRecord, utcnow
from .settings import Settings

REPLAY_HEADER = "Idempotent-Replayed"
# Rows deleted per statement, so that a sweep never holds long locks.
SWEEP_BATCH = 1000

logger = logging.getLogger(__name__)


def fingerprint(request: Request, body: BaseModel) -> str:
    """A hash of what the request asks for: method, path and the JSON body as validated."""
    document = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    canonical = json.dumps(
        [request.method, request.url.path, document], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(
    session: Session, principal: str, key: str, request_hash: str, retention: dt.timedelta
) -> IdempotencyRecord | JSONResponse:
    """The new record to complete, or the response to replay when the key was used before."""
    previous = _find(session, principal, key)
    if previous is not None and previous.created_at < utcnow() - retention:
        session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == previous.id))
        previous = None
    if previous is not None:
        return _replay(previous, request_hash)
    record = IdempotencyRecord(
        principal=principal, key=key, request_hash=request_hash, status_code=0, response_body={}
    )
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        previous = _find(session, principal, key)
        if previous is None:
            raise
        return _replay(previous, request_hash)
    return record


def complete(
    record: IdempotencyRecord, status_code: int, body: BaseModel, headers: dict[str, str]
) -> None:
    """Store the response; it is committed together with the resource."""
    record.status_code = status_code
    record.response_body = {
        "body": body.model_dump(mode="json", by_alias=True),
        "headers": headers,
    }


def _find(session: Session, principal: str, key: str) -> IdempotencyRecord | None:
    statement = select(IdempotencyRecord).where(
        col(IdempotencyRecord.principal) == principal, col(IdempotencyRecord.key) == key
    )
    return session.exec(statement).first()


def _replay(record: IdempotencyRecord, request_hash: str) -> JSONResponse:
    if record.request_hash != request_hash:
        raise ProblemError(
            409,
            "idempotency_key_reused",
            "Conflict",
            "This Idempotency-Key was used for a different request.",
        )
    stored: dict[str, Any] = record.response_body
    headers = {**stored["headers"], REPLAY_HEADER: "true"}
    return JSONResponse(stored["body"], status_code=record.status_code, headers=headers)


def sweep_expired(engine: Engine, retention: dt.timedelta) -> int:
    """Delete the records older than `retention`, a batch per transaction; the number deleted."""
    cutoff = utcnow() - retention
    deleted = 0
    while True:
        with Session(engine) as session:
            expired = select(IdempotencyRecord.id).where(col(IdempotencyRecord.created_at) < cutoff)
            ids = list(session.exec(expired.limit(SWEEP_BATCH)))
            if not ids:
                return deleted
            session.execute(delete(IdempotencyRecord).where(col(IdempotencyRecord.id).in_(ids)))
            session.commit()
            deleted += len(ids)


async def sweep_periodically(engine: Engine, settings: Settings) -> None:
    """Sweep every `IDEMPOTENCY_SWEEP_INTERVAL_SECONDS` for the life of the app."""
    while True:
        await anyio.sleep(settings.idempotency_sweep_interval_seconds)
        try:
            deleted = await anyio.to_thread.run_sync(
                sweep_expired, engine, settings.idempotency_retention
            )
        except SQLAlchemyError as error:
            logger.warning("idempotency sweep failed: %s", type(error).__name__)
            continue
        if deleted:
            logger.info("idempotency sweep deleted %d expired records", deleted)
