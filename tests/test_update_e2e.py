"""Day two, end to end: a service with data, hand edits and a domain change, on every database.

The bookstore is generated and installed; rows are written through its API on SQLite,
PostgreSQL and MariaDB; files are edited and added and committed; the domain gains a field
and an entity, loses an entity, renames a field (`renamed_from`) and lengthens another; then
`scaffold update` and `migrate`. Every row is still there with its values, the edits and the
added files are intact, the new field and entity work through the API, and the project's own
suite, linters and `scaffold check` pass.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.support.services import ROOT, Installed, generate, install, scratch_database, serving

pytestmark = pytest.mark.slow

BOOKSTORE = ROOT / "specs" / "examples" / "bookstore.yaml"
JWT_SECRET = "update-e2e-secret-" + "x" * 32
SCOPES = " ".join(
    f"{name}:{access}"
    for name in ("authors", "catalog", "tags", "categories", "publishers")
    for access in ("read", "write")
)
ISBNS = ["9780000000001", "9780000000002", "9780000000003"]


def request(base: str, token: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    req = urllib.request.Request(base + "/api/v1" + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def backends() -> Iterator[tuple[str, str | None]]:
    yield "sqlite", None
    for name, variable in (("postgresql", "TEST_POSTGRES_URL"), ("mariadb", "TEST_MARIADB_URL")):
        yield name, os.environ.get(variable)


@contextlib.contextmanager
def database(name: str, admin_url: str | None, tmp_path: Path) -> Iterator[str]:
    if admin_url is None:
        yield f"sqlite:///{tmp_path / f'{name}.db'}"
        return
    with scratch_database(admin_url, "update_e2e") as url:
        yield url


def migrate(installed: Installed, env: dict[str, str]) -> None:
    result = installed.run("-m", "bookstore", "migrate", env=env)
    assert result.returncode == 0, result.stderr


def write_rows(base: str, token: str) -> dict[str, Any]:
    status, author = request(base, token, "POST", "/authors", {"name": "Ann Author", "email": "ann@example.com"})
    assert status == 201, author
    status, tag = request(base, token, "POST", "/tags", {"name": "classic"})
    assert status == 201, tag
    books = []
    for number, isbn in enumerate(ISBNS):
        body = {
            "title": f"Book {number} " + "x" * 280,
            "isbn": isbn,
            "price": "12.50",
            "genre": "fiction",
            "author_id": author["id"],
            "tag_ids": [tag["id"]],
        }
        status, book = request(base, token, "POST", "/books", body)
        assert status == 201, book
        books.append(book)
    status, category = request(base, token, "POST", "/categories", {"name": "Shelf"})
    assert status == 201, category
    return {"author": author, "tag": tag, "books": books}


# A business rule, written where the generated README says: no generated file is touched.
RULE_IMPORTS = {
    "from fastapi import APIRouter\n": (
        "from typing import Any\n\nfrom fastapi import APIRouter\nfrom sqlmodel import Session\n"
    ),
    "from ..api.rules import Rules\n": "from ..api.rules import Rules\nfrom ..errors import ProblemError\n",
}
BOOK_RULES = """    def before_create(self, session: Session, data: dict[str, Any]) -> None:
        if float(data["price"]) > 1000:
            raise ProblemError(409, "price_too_high", "Price too high", "No book costs over 1000.")
"""


def change_domain(project: Path) -> None:
    domain = project / "domain.yaml"
    text = domain.read_text(encoding="utf-8")
    text = text.replace("max_length: 300", "max_length: 400")  # Book.title, longer
    text = text.replace(
        "      title: {type: string,",
        "      pages: {type: integer, minimum: 1, default: 100}\n      title: {type: string,",
    )
    text = text.replace(
        "      name: {type: string, max_length: 50, unique: true}",
        "      label: {type: string, max_length: 50, unique: true, renamed_from: name}",
    )
    text = text.replace("    unique_together: [[title, author]]\n", "")  # a composite unique goes
    text = text.replace("on_delete: restrict, inverse: books", "on_delete: cascade, inverse: books")
    text = text.replace("[fiction, non_fiction, poetry]", "[fiction, non_fiction, poetry, drama]")
    text = text[: text.index("  Category:\n")]  # the last entity goes
    text += "  Publisher:\n    fields:\n      name: {type: string, max_length: 100}\n"
    domain.write_text(text, encoding="utf-8")


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def test_update_keeps_every_row_and_every_edit_on_every_database(tmp_path: Path) -> None:
    project = tmp_path / "bookstore"
    domain = generate(BOOKSTORE, project)
    installed = install(project, domain, BOOKSTORE)
    token = installed.run("-m", "bookstore", "token", "--scope", SCOPES, env={"JWT_SECRET": JWT_SECRET}).stdout.strip()
    with contextlib.ExitStack() as stack:
        urls: dict[str, str] = {}
        rows: dict[str, dict[str, Any]] = {}
        for name, admin_url in backends():
            if name != "sqlite" and admin_url is None:
                continue
            urls[name] = stack.enter_context(database(name, admin_url, tmp_path))
            env = {"DATABASE_URL": urls[name], "JWT_SECRET": JWT_SECRET}
            migrate(installed, env)
            with serving(installed, env) as base:
                rows[name] = write_rows(base, token)

        route = project / "src/bookstore/api/routes/book.py"
        route.write_text(route.read_text().replace("router = APIRouter(", "# rule: our own\nrouter = APIRouter(", 1))
        (project / "src/bookstore/policies.py").write_text('"""Our module."""\n\nMAX_LOANS = 1\n')
        rules = project / "src/bookstore/rules/book.py"
        rules.write_text(
            functools.reduce(lambda text, pair: text.replace(*pair), RULE_IMPORTS.items(), rules.read_text()).replace(
                "    pass\n", BOOK_RULES
            )
        )
        git(project, "add", "--all")
        git(project, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "our edits")
        change_domain(project)

        result = CliRunner().invoke(main, ["update", str(project)])

        assert result.exit_code == 0, result.output
        assert "# rule: our own" in route.read_text()
        assert (project / "src/bookstore/policies.py").read_text() == '"""Our module."""\n\nMAX_LOANS = 1\n'
        assert not (project / "src/bookstore/api/routes/category.py").exists()
        assert CliRunner().invoke(main, ["check", str(project)]).exit_code == 0
        for name, url in urls.items():
            env = {"DATABASE_URL": url, "JWT_SECRET": JWT_SECRET}
            assert installed.run("-m", "bookstore", "migrate", "--check", env=env).returncode == 1, name
            migrate(installed, env)
            with serving(installed, env) as base:
                check_rows(base, token, rows[name], name)
        for args in (("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)):
            lint = installed.run("-m", *args)
            assert lint.returncode == 0, f"{args}: {lint.stdout}{lint.stderr}"
        suite = installed.run("-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", timeout=900)
        assert suite.returncode == 0, suite.stdout[-3000:]
        edited = project / "openapi.yaml"
        edited.write_text("# by hand\n" + edited.read_text())
        assert CliRunner().invoke(main, ["check", str(project)]).exit_code == 3


def check_rows(base: str, token: str, before: dict[str, Any], name: str) -> None:
    status, page = request(base, token, "GET", "/books?limit=100")
    assert status == 200, (name, page)
    books = {book["isbn"]: book for book in page["items"]}
    assert sorted(books) == ISBNS, name
    for old in before["books"]:
        new = books[old["isbn"]]
        assert (new["id"], new["title"], new["price"], new["tag_ids"]) == (
            old["id"],
            old["title"],
            old["price"],
            old["tag_ids"],
        ), name
        assert new["pages"] == 100, name  # the existing rows took the new field's default
    status, tag = request(base, token, "GET", f"/tags/{before['tag']['id']}")
    assert (status, tag["label"]) == (200, "classic"), name  # renamed, with its value
    status, author = request(base, token, "GET", f"/authors/{before['author']['id']}")
    assert (status, author["email"]) == (200, "ann@example.com"), name
    status, book = request(
        base,
        token,
        "POST",
        "/books",
        {
            "title": "T" * 400,
            "isbn": "9780000000009",
            "price": "1.00",
            "genre": "drama",
            "author_id": author["id"],
            "pages": 7,
        },
    )
    assert status == 201 and book["pages"] == 7, (name, book)
    expensive = {**{k: book[k] for k in ("genre", "author_id")}, "title": "Dear", "isbn": "9780000000010"}
    status, problem = request(base, token, "POST", "/books", {**expensive, "price": "5000.00"})
    assert (status, problem["code"]) == (409, "price_too_high"), (name, problem)
    status, publisher = request(base, token, "POST", "/publishers", {"name": "Small Press"})
    assert status == 201, (name, publisher)
    assert request(base, token, "GET", "/categories")[0] == 404, name
