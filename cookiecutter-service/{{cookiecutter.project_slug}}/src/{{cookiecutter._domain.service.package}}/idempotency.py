"""`Idempotency-Key` on create: a retried request gets the first response, not a second row.

The key is claimed (a row in `idempotency_records`, unique per principal and key) in the same
transaction that creates the resource, before anything else is written: a concurrent request
with the same key waits on the unique constraint, fails, and replays the winner's response.
The same key with a different request (method, path or body) is a 409. A key is remembered
for `KEY_RETENTION`; after that it may be used again.
"""

import datetime as dt
import hashlib
import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from .errors import ProblemError
from .models import IdempotencyRecord, utcnow

KEY_RETENTION = dt.timedelta(hours=24)

REPLAY_HEADER = "Idempotent-Replayed"


def fingerprint(request: Request, body: BaseModel) -> str:
    """A hash of what the request asks for: method, path and the JSON body as validated."""
    document = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    canonical = json.dumps(
        [request.method, request.url.path, document], sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(
    session: Session, principal: str, key: str, request_hash: str
) -> IdempotencyRecord | JSONResponse:
    """The new record to complete, or the response to replay when the key was used before."""
    previous = _find(session, principal, key)
    if previous is not None and previous.created_at < utcnow() - KEY_RETENTION:
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
