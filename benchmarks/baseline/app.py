"""The baseline of the service benchmarks: the one-entity API written by hand.

A minimal FastAPI + SQLModel service in the style of the SQLModel tutorial, with the same
endpoints, table and response shape as the service generated from
`benchmarks/domains/one-entity.yaml`, and none of the generated middleware: no auth, no
request ids, no access log, no metrics, no rate limiter, no body limit, no ETags or
idempotency keys. The list is paginated with `offset`, as hand-written services often are;
the generated service pages with a keyset cursor.

Storage settings match the generated service (same pool size, SQLite in WAL mode with
`synchronous=NORMAL`), so a difference in speed is the cost of what the generated code adds.

    DATABASE_URL=sqlite:///./baseline.db uvicorn app:app --app-dir benchmarks/baseline
    python benchmarks/baseline/app.py create-tables   # creates the table (DATABASE_URL)
"""

import datetime as dt
import os
import sys
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Query, Response
from sqlmodel import Field, Session, SQLModel, col, create_engine, select

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///./baseline.db")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ItemBase(SQLModel):
    name: str = Field(min_length=1, max_length=200, index=True)
    quantity: int = Field(ge=0)
    in_stock: bool = True
    note: str | None = Field(default=None, max_length=255)


class Item(ItemBase, table=True):
    __tablename__ = "items"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), index=True)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), index=True)
    version: int = 1


class ItemCreate(ItemBase):
    pass


class ItemPublic(ItemBase):
    id: uuid.UUID
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ItemUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    quantity: int | None = Field(default=None, ge=0)
    in_stock: bool | None = None
    note: str | None = Field(default=None, max_length=255)


class ItemPage(SQLModel):
    items: list[ItemPublic]
    next_offset: int | None


def _engine() -> sa.Engine:
    sqlite = DATABASE_URL.startswith("sqlite")
    options: dict[str, Any] = {"pool_size": 10, "max_overflow": 10}
    if sqlite:
        options["connect_args"] = {"check_same_thread": False}
    engine = create_engine(DATABASE_URL, **options)
    if sqlite:

        @sa.event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


engine = _engine()


def get_session() -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
app = FastAPI(title="Baseline items")


@app.get("/api/v1/items", response_model=ItemPage)
def list_items(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Any:
    statement = select(Item).order_by(col(Item.created_at), col(Item.id)).offset(offset).limit(limit + 1)
    rows = session.exec(statement).all()
    more = len(rows) > limit
    return ItemPage(items=rows[:limit], next_offset=offset + limit if more else None)


@app.post("/api/v1/items", response_model=ItemPublic, status_code=201)
def create_item(item: ItemCreate, session: SessionDep, response: Response) -> Any:
    row = Item.model_validate(item)
    session.add(row)
    session.commit()
    session.refresh(row)
    response.headers["Location"] = f"/api/v1/items/{row.id}"
    return row


@app.get("/api/v1/items/{item_id}", response_model=ItemPublic)
def read_item(item_id: uuid.UUID, session: SessionDep) -> Any:
    row = session.get(Item, item_id)
    if row is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return row


@app.patch("/api/v1/items/{item_id}", response_model=ItemPublic)
def update_item(item_id: uuid.UUID, item: ItemUpdate, session: SessionDep) -> Any:
    row = session.get(Item, item_id)
    if row is None:
        raise HTTPException(status_code=404, detail="Item not found")
    row.sqlmodel_update(item.model_dump(exclude_unset=True))
    row.version += 1
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


@app.delete("/api/v1/items/{item_id}", status_code=204)
def delete_item(item_id: uuid.UUID, session: SessionDep) -> Response:
    row = session.get(Item, item_id)
    if row is None:
        raise HTTPException(status_code=404, detail="Item not found")
    session.delete(row)
    session.commit()
    return Response(status_code=204)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    if sys.argv[1:] != ["create-tables"]:
        sys.exit("usage: app.py create-tables")
    SQLModel.metadata.create_all(engine)
