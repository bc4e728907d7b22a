"""Database engine and the per-request session."""

import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from .errors import ProblemError
from .settings import Settings

logger = logging.getLogger(__name__)


def create_db_engine(settings: Settings, *, pooled: bool = True) -> Engine:
    """The engine for `DATABASE_URL`: SQLite (WAL, foreign keys on), PostgreSQL or MySQL.

    `pooled=False` gives an engine that opens a connection per use, for health checks that
    must not wait behind requests for a pooled connection.
    """
    url = make_url(settings.database_url)
    # Parameters could hold write-only values: keep them out of error messages and logs.
    options: dict[str, Any] = {"hide_parameters": True}
    if not pooled:
        options["poolclass"] = NullPool
    else:
        options.update(
            pool_pre_ping=settings.db_pool_pre_ping,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
        )
        if url.get_backend_name() != "sqlite":
            options["pool_recycle"] = 1800
    if url.get_backend_name() == "sqlite":
        options["connect_args"] = {"check_same_thread": False}
    if url.get_backend_name() in {"mysql", "mariadb"} and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    engine = create_engine(url, **options)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request, closed once the response is done.

    A request first takes one of `DB_POOL_SIZE + DB_MAX_OVERFLOW` slots, waiting in the event
    loop. So no worker thread ever waits for a pooled connection, and a request holding a
    connection always finds a thread to finish on (its endpoint and the serialization of its
    response run in threads). Without the slots a small pool stalls under load: every thread
    waits for a connection held by requests that wait for a thread.
    """
    slots: anyio.Semaphore = request.app.state.db_slots
    try:
        with anyio.fail_after(request.app.state.settings.db_pool_timeout):
            await slots.acquire()
    except TimeoutError:
        raise ProblemError(
            503,
            "service_unavailable",
            "Service unavailable",
            "Every database connection is busy; retry later.",
            {"Retry-After": "1"},
        ) from None
    try:
        session = Session(request.app.state.engine)
        try:
            yield session
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_close, session)
    finally:
        slots.release()


def _close(session: Session) -> None:
    """Close the session without raising: the response may be on its way already.

    Closing rolls back; on a connection the database dropped meanwhile that fails. The pool
    has then discarded the connection, and an error here could only cut the response off.
    """
    try:
        session.close()
    except SQLAlchemyError as exc:
        logger.warning("database session closed uncleanly: %s", type(exc).__name__)


SessionDep = Annotated[Session, Depends(get_session)]
