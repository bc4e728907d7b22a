{% set pkg = cookiecutter._domain.service.package %}
"""A cursor is opaque: one the service never issued is a 422 on every database, never a 500.

Cursors are base64url JSON; a client can forge one holding any JSON value. Each column type
gets values no row of it can hold, which the database itself would refuse with an error.
"""

import base64
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from conftest import settings_for_tests
from {{ pkg }}.db import create_db_engine
from {{ pkg }}.errors import ProblemError
from {{ pkg }}.models import AwareDateTime
from {{ pkg }}.pagination import Sort, paginate

METADATA = sa.MetaData()
PROBE = sa.Table(
    "pagination_probe",
    METADATA,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("name", sa.String(50)),
    sa.Column("amount", sa.Numeric(10, 2)),
    sa.Column("ratio", sa.Double()),
    sa.Column("count", sa.BigInteger()),
    sa.Column("day", sa.Date()),
    sa.Column("at", AwareDateTime()),
)
# Raw JSON, so that a cursor can hold what `json.dumps` would not write (NaN, a lone surrogate).
FORGED = [
    ("name", '"a\\u0000b"'),
    ("name", '"\\ud800"'),
    ("amount", '"NaN"'),
    ("amount", '"-Infinity"'),
    ("amount", '"1e400"'),
    ("amount", '"100000000"'),
    ("ratio", "NaN"),
    ("ratio", "1e999"),
    ("ratio", "true"),
    ("count", str(2**63)),
    ("count", str(-(2**63) - 1)),
    ("count", "1.5"),
    ("day", '"2024-13-01"'),
    ("at", '"0001-01-01T00:00:00+14:00"'),
    ("at", '"9999-12-31T23:59:59-14:00"'),
    ("at", '"2024-01-15T09:30:00"'),
]
ISSUABLE = [
    ("name", '"ann"'),
    ("amount", '"99999999.99"'),
    ("ratio", "1.5"),
    ("count", str(2**63 - 1)),
    ("day", '"2024-01-15"'),
    ("at", '"2024-01-15T09:30:00+01:00"'),
]


def cursor(key: str, value: str, last_id: str = "1") -> str:
    text = '{"id":' + last_id + ',"sort":"' + key + '","value":' + value + "}"
    return base64.urlsafe_b64encode(text.encode("utf-8", "surrogatepass")).decode().rstrip("=")


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = create_db_engine(settings_for_tests(database_url))
    METADATA.create_all(engine)
    try:
        yield engine
    finally:
        METADATA.drop_all(engine)
        engine.dispose()


def page(engine: sa.Engine, key: str, token: str) -> list[object]:
    with Session(engine) as session:
        result = paginate(
            session,
            sa.select(PROBE),
            sort=Sort(key, descending=False),
            column=PROBE.c[key],
            id_column=PROBE.c.id,
            cursor=token,
            limit=10,
        )
    return result.items


@pytest.mark.parametrize(("key", "value"), FORGED)
def test_a_cursor_holding_a_value_no_row_can_hold_is_422(
    engine: sa.Engine, key: str, value: str
) -> None:
    with pytest.raises(ProblemError) as caught:
        page(engine, key, cursor(key, value))
    assert caught.value.status == 422
    assert [error["code"] for error in caught.value.errors or []] == ["invalid_cursor"]


@pytest.mark.parametrize("last_id", [str(2**63), "-1.5", '"1"'])
def test_a_cursor_holding_an_id_no_row_can_have_is_422(engine: sa.Engine, last_id: str) -> None:
    with pytest.raises(ProblemError) as caught:
        page(engine, "name", cursor("name", '"ann"', last_id))
    assert caught.value.status == 422


@pytest.mark.parametrize(("key", "value"), ISSUABLE)
def test_a_cursor_at_the_edge_of_its_column_is_read(engine: sa.Engine, key: str, value: str) -> None:
    assert page(engine, key, cursor(key, value)) == []
