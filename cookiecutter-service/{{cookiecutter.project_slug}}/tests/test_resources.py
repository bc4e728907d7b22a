{% set pkg = cookiecutter._domain.service.package %}
"""The behaviour every resource shares, tested once against every entity of `resources.SPECS`.

Each test is parametrised by the entities (and members) it applies to; an id names them,
e.g. `test_read_returns_the_stored_resource[Book]`.
"""

import base64
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from conftest import AuthHeaders
from factories import SAMPLE_COUNT, SAMPLES, Factory, sort_value
from problems import assert_errors, assert_problem
from resources import SPECS, UNKNOWN_ID, ResourceSpec
from {{ pkg }}.api.deps import JSON_MAX_DEPTH
from {{ pkg }}.models import IdempotencyRecord, utcnow
from {{ pkg }}.settings import Settings

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


def each(applies: Callable[[ResourceSpec], bool]) -> list[Any]:
    """The entities a test applies to, one case each."""
    return [pytest.param(spec, id=spec.entity) for spec in SPECS if applies(spec)]


def each_of(values: Callable[[ResourceSpec], Iterable[Any]]) -> list[Any]:
    """One case per entity and value (a member, a query parameter, ...) the test applies to."""
    return [
        pytest.param(spec, value, id=f"{spec.entity}-{value[0] if isinstance(value, tuple) else value}")
        for spec in SPECS
        if spec.creatable
        for value in values(spec)
    ]


def can(*operations: str) -> Callable[[ResourceSpec], bool]:
    return lambda spec: spec.creatable and all(name in spec.operations for name in operations)


@pytest.fixture
def factory(client: TestClient, auth_headers: AuthHeaders) -> Factory:
    return Factory(client, auth_headers)


def same(spec: ResourceSpec, member: str, expected: Any, actual: Any) -> bool:
    kind = spec.types.get(member, "")
    if kind == "url":
        return bool(str(expected).rstrip("/") == str(actual).rstrip("/"))
    return bool(sort_value(kind, expected) == sort_value(kind, actual))


@pytest.mark.parametrize("spec", each(can("create")))
def test_create_returns_the_resource_with_location_and_etag(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    body = factory.body(spec.entity)
    response = client.post(spec.path, json=body, headers=auth_headers(spec.write_scope))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["version"] == 1
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == spec.url(created["id"])
    for member, value in body.items():
        if member in created:
            assert same(spec, member, value, created[member]), member
    assert not set(created) & spec.write_only


@pytest.mark.parametrize("spec", each(can("create", "read")))
def test_read_returns_the_stored_resource(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    created = factory.create(spec.entity)
    response = client.get(spec.url(created["id"]), headers=auth_headers(spec.read_scope))
    assert response.status_code == 200, response.text
    assert response.json() == created
    assert response.headers["ETag"] == '"1"'


@pytest.mark.parametrize("spec", each(lambda spec: "read" in spec.operations))
def test_read_of_an_unknown_id_is_404(client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec) -> None:
    response = client.get(spec.url(UNKNOWN_ID), headers=auth_headers(spec.read_scope))
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("spec", each(can("update")))
def test_update_applies_a_merge_patch_and_bumps_the_version(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    created = factory.create(spec.entity)
    member = spec.update_member
    patch = {member: SAMPLES[spec.entity][member][-1]} if member else {}
    headers = {**auth_headers(spec.write_scope), **MERGE_PATCH}
    response = client.patch(spec.url(created["id"]), content=json.dumps(patch), headers=headers)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["version"] == 2
    assert response.headers["ETag"] == '"2"'
    for name, value in patch.items():
        assert same(spec, name, value, updated[name]), name
    for name, value in created.items():
        if name not in patch and name not in ("version", "updated_at"):
            assert updated[name] == value, name


@pytest.mark.parametrize("spec", each(can("update")))
def test_update_with_a_stale_if_match_is_412(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    url = spec.url(factory.create(spec.entity)["id"])
    headers = {**auth_headers(spec.write_scope), "If-Match": '"1"'}
    first = client.patch(url, json={}, headers=headers)
    assert first.status_code == 200, first.text
    assert_problem(client.patch(url, json={}, headers=headers), 412, "precondition_failed")


@pytest.mark.parametrize("if_match", ["1", "", 'W/"1" x'])
@pytest.mark.parametrize("spec", each(can("update")))
def test_update_with_a_malformed_if_match_is_422(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec, if_match: str
) -> None:
    # The contract's If-Match is `*` or a list of entity tags; anything else is invalid.
    url = spec.url(factory.create(spec.entity)["id"])
    response = client.patch(url, json={}, headers={**auth_headers(spec.write_scope), "If-Match": if_match})
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize("spec", each(can("update")))
def test_update_of_an_unknown_id_is_404(client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec) -> None:
    response = client.patch(spec.url(UNKNOWN_ID), json={}, headers=auth_headers(spec.write_scope))
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("spec", each(lambda spec: can("update")(spec) and spec.nullable_member is not None))
def test_null_in_a_merge_patch_clears_a_nullable_member(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    created = factory.create(spec.entity)
    patch = {spec.nullable_member: None}
    headers = {**auth_headers(spec.write_scope), **MERGE_PATCH}
    response = client.patch(spec.url(created["id"]), content=json.dumps(patch), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()[spec.nullable_member] is None


@pytest.mark.parametrize("spec", each(lambda spec: can("update")(spec) and spec.immutable_member is not None))
def test_an_immutable_member_cannot_be_changed(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    created = factory.create(spec.entity)
    member = spec.immutable_member
    assert member is not None
    patch = {member: SAMPLES[spec.entity][member][-1]}
    response = client.patch(spec.url(created["id"]), json=patch, headers=auth_headers(spec.write_scope))
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize("spec", each(can("delete")))
def test_delete_removes_the_resource(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    url = spec.url(factory.create(spec.entity)["id"])
    writer = auth_headers(spec.write_scope)
    response = client.delete(url, headers=writer)
    assert response.status_code == 204, response.text
    if "read" in spec.operations:
        assert_problem(client.get(url, headers=auth_headers(spec.read_scope)), 404, "not_found")
    assert_problem(client.delete(url, headers=writer), 404, "not_found")


@pytest.mark.parametrize("spec", each(lambda spec: spec.creatable and spec.unique_member is not None))
def test_a_taken_unique_value_is_409(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    assert spec.unique_member is not None
    created = factory.create(spec.entity)
    body = {**factory.body(spec.entity), spec.unique_member: created[spec.unique_member]}
    response = client.post(spec.path, json=body, headers=auth_headers(spec.write_scope))
    assert_problem(response, 409, "unique_violation")
    problem = response.json()
    assert [error["pointer"] for error in problem["errors"]] == [f"/{spec.unique_member}"]
    assert problem["constraint"].startswith("uq_") and problem["constraint"].endswith(f"_{spec.unique_member}")


@pytest.mark.parametrize(("spec", "member"), each_of(lambda spec: spec.text_members))
def test_nul_in_a_string_member_is_422(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec, member: str
) -> None:
    """U+0000 is refused alike on every database (PostgreSQL cannot store it in text)."""
    body = factory.body(spec.entity)
    sample = body.get(member)
    body[member] = "\x00" + sample[1:] if isinstance(sample, str) and sample else "\x00"
    response = client.post(spec.path, json=body, headers=auth_headers(spec.write_scope))
    assert_errors(response, (f"/{member}", "string_nul"))


@pytest.mark.parametrize(("spec", "limit"), each_of(lambda spec: spec.email_limits))
def test_an_email_over_its_length_is_refused_like_any_string(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec, limit: tuple[str, int]
) -> None:
    member, max_length = limit
    body = {**factory.body(spec.entity), member: "a" * max_length + "@example.com"}
    response = client.post(spec.path, json=body, headers=auth_headers(spec.write_scope))
    assert_problem(response, 422, "validation_failed")
    message = f"String should have at most {max_length} characters"
    assert response.json()["errors"] == [{"pointer": f"/{member}", "message": message, "code": "string_too_long"}]


@pytest.mark.parametrize(
    ("value", "pointer"),
    [({"key": "a\x00"}, "/key"), ({"a\x00": 1}, "/a\x00"), ([["\x00"]], "/0/0"), ("\x00", "")],
)
@pytest.mark.parametrize(("spec", "member"), each_of(lambda spec: spec.json_members))
def test_nul_in_a_json_member_is_422(
    client: TestClient,
    factory: Factory,
    auth_headers: AuthHeaders,
    spec: ResourceSpec,
    member: str,
    value: Any,
    pointer: str,
) -> None:
    """No string of a JSON value, member names included, may contain U+0000."""
    body = {**factory.body(spec.entity), member: value}
    response = client.post(spec.path, json=body, headers=auth_headers(spec.write_scope))
    assert_errors(response, (f"/{member}{pointer}", "string_nul"))


@pytest.mark.parametrize(("spec", "member"), each_of(lambda spec: spec.json_members))
def test_a_json_member_nested_past_the_limit_is_422(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec, member: str
) -> None:
    """The contract's JsonValue nests at most JSON_MAX_DEPTH deep (MariaDB refuses deeper)."""
    writer = auth_headers(spec.write_scope)
    value: list[Any] = []
    for _ in range(JSON_MAX_DEPTH - 1):
        value = [value]
    stored = client.post(spec.path, json={**factory.body(spec.entity), member: value}, headers=writer)
    assert stored.status_code == 201, stored.text
    response = client.post(spec.path, json={**factory.body(spec.entity), member: [value]}, headers=writer)
    assert_errors(response, (f"/{member}", "json_too_deep"))


@pytest.mark.parametrize("spec", each(lambda spec: spec.creatable and spec.number_member is not None))
def test_a_boolean_is_not_a_number(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    body = {**factory.body(spec.entity), str(spec.number_member): False}
    response = client.post(spec.path, json=body, headers=auth_headers(spec.write_scope))
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "NaN", "Infinity"])
@pytest.mark.parametrize("spec", each(lambda spec: spec.creatable and spec.number_member is not None))
def test_a_number_no_database_stores_is_422(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec, number: str
) -> None:
    # `1e400` overflows a double; NaN and Infinity are not JSON, though Python's reader takes them.
    member = json.dumps(spec.number_member)
    body = json.dumps({**factory.body(spec.entity), spec.number_member: 0})
    content = body.replace(f"{member}: 0", f"{member}: {number}")
    headers = {**auth_headers(spec.write_scope), "Content-Type": "application/json"}
    assert_problem(client.post(spec.path, content=content, headers=headers), 422, "validation_failed")


@pytest.mark.parametrize("spec", each(can("create")))
def test_create_with_the_same_idempotency_key_replays_the_first_response(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    body = factory.body(spec.entity)
    headers = {**auth_headers(spec.write_scope), "Idempotency-Key": "create-once"}
    first = client.post(spec.path, json=body, headers=headers)
    second = client.post(spec.path, json=body, headers=headers)
    assert first.status_code == second.status_code == 201, second.text
    assert second.json() == first.json()
    assert second.headers["Location"] == first.headers["Location"]
    if "list" in spec.operations:
        params = {"limit": spec.max_page_size}
        listed = client.get(spec.path, params=params, headers=auth_headers(spec.read_scope)).json()["items"]
        assert [item["id"] for item in listed] == [first.json()["id"]]
    other = factory.body(spec.entity)
    if other != body:  # an entity whose bodies are all alike (no fields of its own) cannot differ
        assert_problem(client.post(spec.path, json=other, headers=headers), 409, "idempotency_key_reused")


@pytest.mark.parametrize("spec", each(can("create")))
def test_an_idempotency_key_can_be_reused_after_its_retention(
    client: TestClient,
    factory: Factory,
    engine: sa.Engine,
    settings: Settings,
    auth_headers: AuthHeaders,
    spec: ResourceSpec,
) -> None:
    headers = {**auth_headers(spec.write_scope), "Idempotency-Key": "used-long-ago"}
    first = client.post(spec.path, json=factory.body(spec.entity), headers=headers)
    assert first.status_code == 201, first.text
    long_ago = utcnow() - settings.idempotency_retention - dt.timedelta(minutes=1)
    with engine.begin() as connection:
        connection.execute(sa.update(IdempotencyRecord).values(created_at=long_ago))
    second = client.post(spec.path, json=factory.body(spec.entity), headers=headers)
    assert second.status_code == 201, second.text
    assert second.json()["id"] != first.json()["id"]


def read_all(client: TestClient, spec: ResourceSpec, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every item of a listing, following `next_cursor` two items at a time."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(spec.max_page_size):
        query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
        response = client.get(spec.path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the pages never end")


@pytest.mark.parametrize("spec", each(lambda spec: "list" in spec.operations))
def test_the_list_starts_empty(client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec) -> None:
    response = client.get(spec.path, headers=auth_headers(spec.read_scope))
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("spec", "sort"), each_of(lambda spec: [key for name in spec.sort_keys for key in (name, f"-{name}")])
)
def test_pages_cover_every_row_once_in_sort_order(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec, sort: str
) -> None:
    ids = [factory.create(spec.entity)["id"] for _ in range(SAMPLE_COUNT[spec.entity])]
    items = read_all(client, spec, auth_headers(spec.read_scope), sort=sort)
    assert sorted(str(item["id"]) for item in items) == sorted(str(i) for i in ids)
    key = sort.removeprefix("-")
    values = [sort_value(spec.types[key], item[key]) for item in items]
    present = [value for value in values if value is not None]
    assert values == present + [None] * (len(values) - len(present)), "nulls sort last"
    assert present == sorted(present, reverse=sort.startswith("-"))


@pytest.mark.parametrize("spec", each(lambda spec: "list" in spec.operations))
def test_limit_above_the_maximum_is_422(client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec) -> None:
    params = {"limit": spec.max_page_size + 1}
    response = client.get(spec.path, params=params, headers=auth_headers(spec.read_scope))
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize("spec", each(lambda spec: "list" in spec.operations))
def test_a_mistyped_query_parameter_is_422_with_a_suggestion(
    client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    """Ignored, `limt` (or a mistyped filter) would give every row: it is refused, with a hint."""
    response = client.get(spec.path, params={"limt": "5", "limit": "5"}, headers=auth_headers(spec.read_scope))
    assert_errors(response, ("/query/limt", "extra_forbidden"))
    assert response.json()["errors"][0]["message"] == "Unknown query parameter; did you mean `limit`?"


@pytest.mark.parametrize("spec", each(can("read")))
def test_a_query_parameter_of_an_operation_that_takes_none_is_422(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    created = factory.create(spec.entity)
    response = client.get(f"{spec.path}/{created['id']}?fields=name", headers=auth_headers(spec.read_scope))
    assert_errors(response, ("/query/fields", "extra_forbidden"))
    assert response.json()["errors"][0]["message"] == "Unknown query parameter; this operation takes none"


@pytest.mark.parametrize("spec", each(can("list")))
def test_a_foreign_cursor_is_422(client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec) -> None:
    params = {"cursor": "bm90LWEtY3Vyc29y"}
    response = client.get(spec.path, params=params, headers=auth_headers(spec.read_scope))
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize(("spec", "key"), each_of(lambda spec: spec.sort_keys))
def test_a_cursor_with_nul_in_its_sort_value_is_422(
    client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec, key: str
) -> None:
    """A forged cursor never reaches the database: PostgreSQL cannot even compare with NUL."""
    payload = {"id": UNKNOWN_ID, "sort": key, "value": "a\x00"}
    cursor = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    params = {"sort": key, "cursor": cursor}
    response = client.get(spec.path, params=params, headers=auth_headers(spec.read_scope))
    assert_problem(response, 422, "validation_failed")
    assert response.json()["errors"][0]["code"] == "invalid_cursor"


@pytest.mark.parametrize(("spec", "param"), each_of(lambda spec: spec.text_params))
def test_nul_in_a_text_filter_or_the_search_is_422(
    client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec, param: str
) -> None:
    response = client.get(spec.path, params={param: "a\x00"}, headers=auth_headers(spec.read_scope))
    # `q` refuses every control character by its pattern; a filter refuses NUL as its member does
    code = "string_pattern_mismatch" if param == "q" else "string_nul"
    assert_errors(response, (f"/query/{param}", code))


@pytest.mark.parametrize(("spec", "filter_"), each_of(lambda spec: spec.filters))
def test_filter_returns_only_matching_rows(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec, filter_: tuple[str, str, str]
) -> None:
    param, member, op = filter_
    rows = [factory.create(spec.entity) for _ in range(min(3, SAMPLE_COUNT[spec.entity]))]
    value = rows[0][member]
    if value is None:
        pytest.skip(f"the samples leave {member} empty")
    items = read_all(client, spec, auth_headers(spec.read_scope), **{param: value})
    assert rows[0]["id"] in [item["id"] for item in items]
    expected = sort_value(spec.types[member], value)
    for item in items:
        actual = sort_value(spec.types[member], item[member])
        assert {"eq": actual == expected, "gte": actual >= expected, "lte": actual <= expected}[op]


@pytest.mark.parametrize(("spec", "bad"), each_of(lambda spec: spec.bad_filter_values))
def test_a_filter_value_outside_the_contract_is_422(
    client: TestClient, auth_headers: AuthHeaders, spec: ResourceSpec, bad: tuple[str, str]
) -> None:
    # Dates are RFC 3339 strings (not timestamps), emails are addresses, strings and ids have
    # the contract's bounds.
    param, value = bad
    response = client.get(spec.path, params={param: value}, headers=auth_headers(spec.read_scope))
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize("spec", each(lambda spec: spec.creatable and bool(spec.search)))
def test_search_matches_a_substring_in_any_case(
    client: TestClient, factory: Factory, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    rows = [factory.create(spec.entity) for _ in range(min(3, SAMPLE_COUNT[spec.entity]))]
    # `q` holds no control character, and only ASCII letters fold case alike on every database.
    value = max(re.split("[\\x00-\\x1f\\x7f]", str(rows[0][spec.search[0]])), key=len)
    text = "".join(char.swapcase() if char.isascii() else char for char in value)
    items = read_all(client, spec, auth_headers(spec.read_scope), q=text)
    assert rows[0]["id"] in [item["id"] for item in items]
    for item in items:
        assert any(text.lower() in str(item[name] or "").lower() for name in spec.search)


@pytest.mark.parametrize("spec", each(can("list")))
def test_listing_costs_the_same_queries_for_one_row_and_a_page(
    client: TestClient, factory: Factory, engine: sa.Engine, auth_headers: AuthHeaders, spec: ResourceSpec
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def list_queries() -> int:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            params = {"limit": spec.max_page_size}
            response = client.get(spec.path, params=params, headers=auth_headers(spec.read_scope))
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, response.text
        return len(statements)

    factory.create(spec.entity)
    one = list_queries()
    for _ in range(SAMPLE_COUNT[spec.entity] - 1):
        factory.create(spec.entity)
    assert list_queries() == one
