{% set pkg = cookiecutter._domain.service.package %}
"""The filters and the search of every list endpoint (`api/query.py`), on a table of their own."""

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from {{ pkg }}.api.query import Where, filtered, searched


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "query_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    note: Mapped[str | None]
    size: Mapped[int]


class ItemFilters(BaseModel):
    name: Annotated[str | None, Where("name")] = None
    size_min: Annotated[int | None, Where("size", "gte")] = None
    size_max: Annotated[int | None, Where("size", "lte")] = None


ROWS = [
    (1, "50% off", None, 1),
    (2, "500 off", "a_b", 2),
    (3, "axb", "Bang!", 3),
    (4, "plain", "plain", 4),
]


@pytest.fixture
def session() -> Iterator[Session]:
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(Item(id=i, name=name, note=note, size=size) for i, name, note, size in ROWS)
        session.commit()
        yield session
    engine.dispose()


def ids(session: Session, statement: sa.Select[Any]) -> list[int]:
    return sorted(item.id for item in session.scalars(statement))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("0%", [1]),  # `%` is a character, not a wildcard
        ("a_b", [2]),  # so is `_`
        ("BANG!", [3]),  # any case; `!` (the escape character) is a character too
        ("PLAIN", [4]),
        ("off", [1, 2]),
    ],
)
def test_search_matches_q_literally_in_any_search_attribute(
    session: Session, q: str, expected: list[int]
) -> None:
    statement = searched(sa.select(Item), Item, ("name", "note"), q)
    assert ids(session, statement) == expected


def test_no_search_text_or_no_search_attributes_match_every_row(session: Session) -> None:
    assert ids(session, searched(sa.select(Item), Item, ("name",), None)) == [1, 2, 3, 4]
    assert ids(session, searched(sa.select(Item), Item, (), "zzz")) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, [1, 2, 3, 4]),
        ({"size_min": 2}, [2, 3, 4]),
        ({"size_max": 2}, [1, 2]),
        ({"size_min": 2, "size_max": 3}, [2, 3]),
        ({"name": "axb", "size_min": 3}, [3]),
        ({"name": "axb", "size_max": 2}, []),
    ],
)
def test_filters_given_combine_with_and(
    session: Session, given: dict[str, int | str], expected: list[int]
) -> None:
    statement = filtered(sa.select(Item), Item, ItemFilters.model_validate(given))
    assert ids(session, statement) == expected
