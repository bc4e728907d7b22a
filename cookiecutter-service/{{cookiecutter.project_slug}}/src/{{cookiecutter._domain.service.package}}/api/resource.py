"""What the routes of every resource do alike: reads, writes, pages, references and links.

Each entity's route module declares one `Resource` (its table, its API schema, its members
and relations) and keeps only what is particular to it: paths, parameters and scopes. The
behaviour here (conditional requests, compare-and-set updates, idempotent creates, keyset
pages, related ids loaded in one query per relation) is written once and exercised by every
entity's generated tests; the filters and search of `query.py` by `tests/test_query.py`.
"""

import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, Protocol, TypeVar, cast

import sqlalchemy as sa
from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from .. import idempotency
from .rules import Rules
from ..models import utcnow
from ..pagination import Page, paginate, parse_sort
from .deps import (
    changed_concurrently,
    check_if_match,
    check_json_depth,
    check_references,
    etag,
    not_found,
    not_nullable,
    references,
    still_referenced,
)
from .query import filtered, searched


class Row(Protocol):
    """What every table of the service has: an id and a version counting its changes."""

    id: Any
    version: int


RowT = TypeVar("RowT", bound=Row)
ItemT = TypeVar("ItemT", bound=BaseModel)

# Members of every representation, set by the service.
_MANAGED = ("version", "created_at", "updated_at")


@dataclass(frozen=True, slots=True)
class Reference:
    """A body member holding the id, or the list of ids, of rows of another entity."""

    member: str
    target: type[SQLModel]
    title: str


@dataclass(frozen=True, slots=True)
class Link:
    """A many-to-many relation kept in a link table, exposed as a member listing related ids."""

    member: str
    table: sa.Table
    source: str
    target: str

    def load(self, session: Session, ids: list[Any]) -> dict[Any, list[Any]]:
        """The related ids of each row of `ids`, in one query."""
        source, target = self.table.c[self.source], self.table.c[self.target]
        found: dict[Any, list[Any]] = {item_id: [] for item_id in ids}
        query = sa.select(source, target).where(source.in_(ids)).order_by(source, target)
        for item_id, target_id in session.execute(query):
            found[item_id].append(target_id)
        return found

    def replace(self, session: Session, item_id: Any, ids: list[Any]) -> None:
        """Replace the related ids of one row; duplicate ids count once."""
        session.execute(sa.delete(self.table).where(self.table.c[self.source] == item_id))
        rows = [{self.source: item_id, self.target: target_id} for target_id in dict.fromkeys(ids)]
        if rows:
            session.execute(sa.insert(self.table), rows)


@dataclass(frozen=True)
class Resource(Generic[RowT, ItemT]):
    """One entity as the API serves it: `members` maps body members to model attributes."""

    model: type[RowT]
    schema: type[ItemT]
    title: str
    members: Mapping[str, str]
    write_only: frozenset[str] = frozenset()
    not_nullable: tuple[str, ...] = ()
    json_members: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    links: tuple[Link, ...] = ()
    sort: Mapping[str, str] = field(default_factory=dict)
    default_sort: str = "created_at"
    search: tuple[str, ...] = ()
    rules: Rules[Any] = field(default_factory=Rules)  # the entity's business rules (rules/<entity>.py)

    # Derived once, on first use (the models are mapped by then), not on every request.
    @cached_property
    def columns(self) -> Mapping[str, sa.Column[Any]]:
        """The model's columns by attribute name."""
        columns: Mapping[str, sa.Column[Any]] = sa.inspect(self.model).columns
        return columns

    @cached_property
    def _shown(self) -> tuple[tuple[str, str], ...]:
        """(member, attribute) of the representation: every member but the write-only ones."""
        return tuple((n, a) for n, a in self.members.items() if n not in self.write_only)

    @cached_property
    def _decimal_attrs(self) -> frozenset[str]:
        """Attributes stored as exact decimals, which request bodies carry as strings."""
        return frozenset(
            attr
            for attr, column in self.columns.items()
            if isinstance(column.type, sa.Numeric) and column.type.asdecimal
        )

    def select(self) -> sa.Select[Any]:
        return sa.select(self.model)

    def matching(self, filters: BaseModel | None, q: str | None) -> sa.Select[Any]:
        """The rows matching every filter given and, if given, the search text `q`."""
        statement = self.select()
        if filters is not None:
            statement = filtered(statement, self.model, filters)
        return searched(statement, self.model, self.search, q)

    def get_row(self, session: Session, item_id: Any) -> RowT:
        row = session.get(self.model, item_id)
        if row is None:
            raise not_found(self.title)
        return row

    def represent(self, session: Session, rows: Sequence[RowT]) -> list[ItemT]:
        """The API representation of `rows`, with related ids in one query per relation."""
        ids = [row.id for row in rows]
        linked = {link.member: link.load(session, ids) for link in self.links}
        shown = self._shown
        items = []
        for row in rows:
            document = {"id": row.id}
            document |= {name: _wire(getattr(row, attr)) for name, attr in shown}
            document |= {member: ids_of[document["id"]] for member, ids_of in linked.items()}
            document |= {name: getattr(row, name) for name in _MANAGED}
            items.append(self.schema.model_validate(document))
        return items

    def page(
        self, session: Session, statement: sa.Select[Any], sort: str, cursor: str | None, limit: int
    ) -> Page[ItemT]:
        """One page of `statement`'s rows in `sort` order, as API items."""
        order = parse_sort(sort, self.sort)
        columns = self.columns
        page = paginate(
            session,
            statement,
            sort=order,
            column=columns[self.sort[order.key]],
            id_column=columns["id"],
            cursor=cursor,
            limit=limit,
        )
        return Page(self.represent(session, page.items), page.next_cursor)

    def referring(self, attr: str, target_id: Any) -> sa.Select[Any]:
        """The rows whose foreign key `attr` holds `target_id`."""
        return self.select().where(self.columns[attr] == target_id)

    def linked(self, member: str, target_id: Any) -> sa.Select[Any]:
        """The rows that the link of `member` relates to the row `target_id` of its target."""
        link = next(link for link in self.links if link.member == member)
        statement = self.select().join(link.table, link.table.c[link.source] == self.columns["id"])
        return statement.where(link.table.c[link.target] == target_id)

    def read(self, session: Session, item_id: Any, response: Response) -> ItemT:
        """The row with this id; its `ETag` is its version."""
        row = self.get_row(session, item_id)
        response.headers["ETag"] = etag(row.version)
        return self.represent(session, [row])[0]

    def create(
        self,
        session: Session,
        body: BaseModel,
        request: Request,
        response: Response,
        principal: str,
        idempotency_key: str | None,
    ) -> ItemT | JSONResponse:
        """Insert a row; a retry with the same `Idempotency-Key` replays the first response."""
        record = None
        if idempotency_key is not None:
            request_hash = idempotency.fingerprint(request, body)
            retention = request.app.state.settings.idempotency_retention
            claimed = idempotency.claim(
                session, principal, idempotency_key, request_hash, retention
            )
            if isinstance(claimed, JSONResponse):
                return claimed
            record = claimed
        data = body.model_dump(by_alias=True)
        self._check(session, data)
        self.rules.before_create(session, data)
        row = self.model(**self._column_values(data))
        session.add(row)
        session.flush()
        item_id = row.id
        for link in self.links:
            link.replace(session, item_id, data[link.member] or [])
        self.rules.after_create(session, row)
        result = self.represent(session, [row])[0]
        headers = {"Location": f"{request.url.path}/{item_id}", "ETag": etag(row.version)}
        if record is not None:
            idempotency.complete(record, 201, result, headers)
        session.commit()
        response.headers.update(headers)
        return result

    def update(
        self,
        session: Session,
        item_id: Any,
        body: BaseModel,
        response: Response,
        if_match: str | None,
    ) -> ItemT:
        """Apply a JSON merge patch; with `If-Match`, only to that version."""
        row = self.get_row(session, item_id)
        version = row.version
        check_if_match(if_match, version)
        data = body.model_dump(by_alias=True, exclude_unset=True)
        not_nullable(data, self.not_nullable)
        self._check(session, data)
        self.rules.before_update(session, row, data)
        columns = self.columns
        # Compare-and-set on the version read above: a concurrent change makes this a no-op.
        changed = session.execute(
            sa.update(self.model)
            .where(columns["id"] == item_id, columns["version"] == version)
            .values(**self._column_values(data), version=version + 1, updated_at=utcnow())
        )
        if cast(sa.CursorResult[Any], changed).rowcount != 1:
            # Another request changed the row first: answer as if this one had come after it.
            # A locking read sees that version under MariaDB's repeatable read too.
            current = session.scalar(
                sa.select(columns["version"]).where(columns["id"] == item_id).with_for_update()
            )
            if current is None:
                raise not_found(self.title)
            check_if_match(if_match, current)
            raise changed_concurrently()
        for link in self.links:
            if link.member in data:
                link.replace(session, item_id, data[link.member] or [])
        session.refresh(row)
        self.rules.after_update(session, row)
        result = self.represent(session, [row])[0]
        session.commit()
        response.headers["ETag"] = etag(version + 1)
        return result

    def delete(self, session: Session, item_id: Any) -> Response:
        """Delete the row; rows referring to it are handled as their relation declares."""
        if self.rules.checks_deletes:
            self.rules.before_delete(session, self.get_row(session, item_id))
        try:
            deleted = session.execute(sa.delete(self.model).where(self.columns["id"] == item_id))
        except IntegrityError as error:
            raise still_referenced(self.title, error.orig) from error
        if cast(sa.CursorResult[Any], deleted).rowcount == 0:
            raise not_found(self.title)
        session.commit()
        return Response(status_code=204)

    def _check(self, session: Session, data: dict[str, Any]) -> None:
        """422 for JSON nested too deep and for references to rows that do not exist."""
        check_json_depth(data, self.json_members)
        check_references(
            session,
            [
                (sa.inspect(ref.target).columns["id"], ref.title, references(data, ref.member))
                for ref in self.references
            ],
        )

    def _column_values(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Model attributes and values for the members of a validated request body."""
        values = {}
        for name, value in data.items():
            attr = self.members.get(name)
            if attr is None:
                continue
            exact = attr in self._decimal_attrs and value is not None
            values[attr] = decimal.Decimal(value) if exact else value
        return values


def _wire(value: Any) -> Any:
    """A column value as the API schema takes it: decimals as plain strings."""
    return f"{value:f}" if isinstance(value, decimal.Decimal) else value
