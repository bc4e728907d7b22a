"""Name derivation (generator/domain/names.py): the one place domain names become code, SQL and URL names."""

from __future__ import annotations

import ast
import builtins
import keyword
import re
import sys
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.contract import attribute_aliases, emit_contract, generate_api_models
from generator.domain import names
from generator.escape import EscapeExtension
from generator.load import load_domain
from generator.resources import template_path

SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
snake_names = st.from_regex(r"\A[a-z][a-z0-9_]{0,30}\Z")
service_names = st.from_regex(r"\A[a-z][a-z0-9-]{0,30}\Z")
PROPERTY = settings(max_examples=300, deadline=None)


# --- case conversions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("Book", "book"),
        ("OrderItem", "order_item"),
        ("VisitNote", "visit_note"),
        ("HTTPServer", "http_server"),
        ("APIKey", "api_key"),
        ("IOError", "io_error"),
        ("UUIDToken", "uuid_token"),
        ("ABTest", "ab_test"),
        ("ABC", "abc"),
        ("A", "a"),
        ("Order2", "order2"),
        ("V2Api", "v2_api"),
        ("Book2Author", "book2_author"),
        ("order_item", "order_item"),
    ],
)
def test_snake_case(name: str, snake: str) -> None:
    assert names.snake_case(name) == snake
    assert names.kebab_case(name) == snake.replace("_", "-")


@pytest.mark.parametrize(
    ("name", "pascal"),
    [("order_item", "OrderItem"), ("book", "Book"), ("feature-flags", "FeatureFlags"), ("OrderItem", "OrderItem")],
)
def test_pascal_case(name: str, pascal: str) -> None:
    assert names.pascal_case(name) == pascal


@pytest.mark.parametrize(
    ("name", "title"),
    [("feature-flags", "Feature Flags"), ("bookstore", "Bookstore"), ("OrderItem", "Order Item"), ("a_b", "A B")],
)
def test_title_case(name: str, title: str) -> None:
    assert names.title_case(name) == title


@PROPERTY
@given(st.from_regex(r"\A[A-Z][a-z][a-z0-9]{0,7}([A-Z][a-z][a-z0-9]{0,7}){0,3}\Z"))
def test_snake_case_of_a_pascal_name_is_snake_and_converts_back(name: str) -> None:
    snake = names.snake_case(name)
    assert SNAKE.match(snake)
    assert names.pascal_case(snake) == name


@PROPERTY
@given(st.from_regex(r"\A[A-Z][A-Za-z0-9]{0,30}\Z"))
def test_snake_case_of_any_entity_name_is_a_valid_snake_name(name: str) -> None:
    snake = names.snake_case(name)
    assert SNAKE.match(snake), snake
    assert "__" not in snake
    assert names.snake_case(snake) == snake


# --- plurals and singulars ----------------------------------------------------------------

PAIRS = [
    # regular
    ("book", "books"),
    ("tag", "tags"),
    ("user", "users"),
    ("day", "days"),
    ("key", "keys"),
    ("journey", "journeys"),
    ("category", "categories"),
    ("policy", "policies"),
    ("box", "boxes"),
    ("tax", "taxes"),
    ("church", "churches"),
    ("dish", "dishes"),
    ("buzz", "buzzes"),
    ("class", "classes"),
    ("address", "addresses"),
    ("process", "processes"),
    ("status", "statuses"),
    ("bus", "buses"),
    ("campus", "campuses"),
    ("virus", "viruses"),
    ("size", "sizes"),
    ("house", "houses"),
    ("warehouse", "warehouses"),
    ("cause", "causes"),
    ("course", "courses"),
    ("response", "responses"),
    ("database", "databases"),
    ("photo", "photos"),
    ("schema", "schemas"),
    ("menu", "menus"),
    ("genre", "genres"),
    # -sis
    ("analysis", "analyses"),
    ("diagnosis", "diagnoses"),
    ("crisis", "crises"),
    ("hypothesis", "hypotheses"),
    # irregular
    ("person", "people"),
    ("child", "children"),
    ("man", "men"),
    ("woman", "women"),
    ("mouse", "mice"),
    ("tooth", "teeth"),
    ("criterion", "criteria"),
    ("phenomenon", "phenomena"),
    ("medium", "media"),
    ("index", "indices"),
    ("matrix", "matrices"),
    ("axis", "axes"),
    ("leaf", "leaves"),
    ("life", "lives"),
    ("wolf", "wolves"),
    ("quiz", "quizzes"),
    ("hero", "heroes"),
    ("movie", "movies"),
    ("cookie", "cookies"),
    ("cache", "caches"),
    ("alias", "aliases"),
    ("stomach", "stomachs"),
    # invariant
    ("sheep", "sheep"),
    ("series", "series"),
    ("news", "news"),
    ("metadata", "metadata"),
    ("data", "data"),
    ("software", "software"),
]


@pytest.mark.parametrize(("singular", "plural"), PAIRS, ids=[s for s, _ in PAIRS])
def test_plural_and_singular(singular: str, plural: str) -> None:
    assert names.pluralize(singular) == plural
    assert names.singularize(plural) == singular


@pytest.mark.parametrize(("singular", "plural"), PAIRS, ids=[s for s, _ in PAIRS])
def test_singularizing_a_singular_keeps_it(singular: str, plural: str) -> None:
    assert names.singularize(singular) == singular


@pytest.mark.parametrize(
    ("name", "plural"),
    [
        ("order_item", "order_items"),
        ("person_status", "person_statuses"),
        ("sales_person", "sales_people"),
        ("user_data", "user_data"),
        ("visit_note", "visit_notes"),
        ("box_office", "box_offices"),
    ],
)
def test_only_the_last_word_of_a_snake_name_changes(name: str, plural: str) -> None:
    assert names.pluralize(name) == plural
    assert names.singularize(plural) == name


def test_datum_pluralizes_to_data_which_stays_data() -> None:
    assert names.pluralize("datum") == "data"
    assert names.singularize("data") == "data"


@PROPERTY
@given(snake_names)
def test_plural_and_singular_of_any_snake_name_are_snake_names(name: str) -> None:
    for derived in (names.pluralize(name), names.singularize(name)):
        assert SNAKE.match(derived), derived
        head = name.rpartition("_")[0]
        assert derived.startswith(head)


# --- Python identifiers -------------------------------------------------------------------

KEYWORDS = [word for word in keyword.kwlist if word.islower()]
SOFT_KEYWORDS = ["match", "case", "type"]
MODEL_ATTRIBUTES = ["metadata", "registry", "schema", "json", "dict", "copy", "validate", "fields", "construct"]


@pytest.mark.parametrize("name", KEYWORDS + SOFT_KEYWORDS + MODEL_ATTRIBUTES)
def test_attribute_name_escapes_keywords_soft_keywords_and_model_attributes(name: str) -> None:
    assert names.is_unsafe_identifier(name)
    assert names.attribute_name(name) == name + "_"


@pytest.mark.parametrize("name", ["model_config", "model_fields", "model_dump"])
def test_attribute_name_moves_pydantic_model_prefix_away(name: str) -> None:
    assert names.attribute_name(name) == "f_" + name


@pytest.mark.parametrize(
    "name", ["title", "id", "print", "format", "min", "date", "select", "where", "order", "group", "self", "class_"]
)
def test_attribute_name_keeps_ordinary_names_and_builtins(name: str) -> None:
    # builtins are fine as attributes (`book.format`); they are escaped only as variables,
    # except the types that generated class bodies use (below)
    assert names.attribute_name(name) == name


# What the bodies of the generated table, API and filter classes refer to (models.py,
# schemas.py, the route modules); tests/regression_domains/builtin-names.yaml uses them all.
CLASS_BODY_NAMES = ["bool", "datetime", "decimal", "dict", "dt", "float", "int", "list", "sa", "schemas", "str"]
CLASS_BODY_NAMES += ["utcnow", "uuid"]


@pytest.mark.parametrize("name", CLASS_BODY_NAMES)
def test_attribute_name_escapes_the_names_that_class_bodies_use(name: str) -> None:
    # `int: int | None = Field(...)` in a class body would make `version: int` below it refer
    # to the field; the wire and column name stay `int`
    assert names.is_unsafe_identifier(name)
    assert names.attribute_name(name) == name + "_"
    assert names.variable_name(name) == name + "_"


@pytest.mark.parametrize("name", CLASS_BODY_NAMES)
def test_module_name_keeps_the_names_that_only_class_bodies_avoid(name: str) -> None:
    assert names.module_name(name) == name


@pytest.mark.parametrize("name", ["class", "type", "metadata", "model_config", "book"])
def test_module_name_escapes_like_an_attribute_otherwise(name: str) -> None:
    assert names.module_name(name) == names.attribute_name(name)


@pytest.mark.parametrize(
    ("name", "variable"),
    [("list", "list_"), ("id", "id_"), ("print", "print_"), ("class", "class_"), ("type", "type_"), ("title", "title")],
)
def test_variable_name_also_avoids_builtins(name: str, variable: str) -> None:
    assert names.variable_name(name) == variable


@PROPERTY
@given(snake_names)
def test_attribute_and_variable_names_are_always_safe_identifiers(name: str) -> None:
    for derived in (names.attribute_name(name), names.variable_name(name)):
        assert derived.isidentifier()
        assert not keyword.iskeyword(derived)
        assert derived not in SOFT_KEYWORDS
        assert derived not in MODEL_ATTRIBUTES
        assert not derived.startswith("model_")
    assert not hasattr(builtins, names.variable_name(name))
    if not names.is_unsafe_identifier(name):
        assert names.attribute_name(name) == name


def test_soft_keywords_do_not_depend_on_the_running_python() -> None:
    # Python 3.11 does not list `type` as a soft keyword; generated code must not depend on that
    assert names.attribute_name("type") == "type_"


# --- package and class names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "package"),
    [
        ("bookstore", "bookstore"),
        ("feature-flags", "feature_flags"),
        ("my-shop-2", "my_shop_2"),
        ("json", "json_service"),
        ("os", "os_service"),
        ("typing", "typing_service"),
        ("email", "email_service"),
        ("logging", "logging_service"),
        ("tests", "tests_service"),
        ("migrations", "migrations_service"),
        ("fastapi", "fastapi_service"),
        ("sqlmodel", "sqlmodel_service"),
        ("pydantic-settings", "pydantic_settings_service"),
        ("email-validator", "email_validator_service"),
        ("dns", "dns_service"),
        ("click", "click_service"),
        ("yaml", "yaml_service"),
        ("class", "class_service"),
        ("import", "import_service"),
        ("match", "match_service"),
    ],
)
def test_package_name(service: str, package: str) -> None:
    assert names.package_name(service) == package


@PROPERTY
@given(service_names)
def test_package_name_is_an_importable_name_that_shadows_no_standard_module(service: str) -> None:
    package = names.package_name(service)
    assert package.isidentifier()
    assert not keyword.iskeyword(package)
    assert package not in sys.stdlib_module_names
    assert package in (service.replace("-", "_"), service.replace("-", "_") + "_service")


@pytest.mark.parametrize(
    ("entity", "class_name"),
    [
        ("Book", "Book"),
        ("Session", "SessionModel"),
        ("Field", "FieldModel"),
        ("SQLModel", "SQLModelModel"),
        ("Exception", "ExceptionModel"),
        ("None", "NoneModel"),
        ("Group", "Group"),
    ],
)
def test_class_name_avoids_imported_names_and_builtins(entity: str, class_name: str) -> None:
    taken = frozenset({"Session", "Field", "SQLModel"})
    assert names.class_name(entity, taken) == class_name


# --- generated class bodies ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = [*sorted((ROOT / "specs" / "examples").glob("*.yaml")), ROOT / "tests/regression_domains/builtin-names.yaml"]
ENTITY_TEMPLATES = template_path() / "{{cookiecutter.project_slug}}" / "_entity_templates"


def _generated_classes(domain_file: Path) -> dict[str, ast.ClassDef]:
    """The classes with fields of models.py, schemas.py and the route modules, rendered as the hook does."""
    domain = load_domain(domain_file)
    data, package = domain.to_json(), domain.service.package
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(ENTITY_TEMPLATES)),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        extensions=[EscapeExtension],
    )
    routes = env.get_template("src/{package}/api/routes/{module}.py.j2")
    modules = {
        "models.py": env.get_template("src/{package}/models.py.j2").render(domain=data, entity=None, package=package),
        "schemas.py": generate_api_models(
            emit_contract(domain), wire_module=f"{package}.wire", aliases=attribute_aliases(domain)
        ),
    }
    for entity in data["entities"]:
        modules[f"routes/{entity['module']}.py"] = routes.render(domain=data, entity=entity, package=package)
    return {
        f"{module}:{node.name}": node
        for module, code in modules.items()
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.ClassDef) and any(isinstance(stmt, ast.AnnAssign) for stmt in node.body)
    }


def _class_body_names(node: ast.ClassDef) -> tuple[set[str], set[str]]:
    """(attributes assigned, names read) by the statements of a class body itself."""
    assigned: set[str] = set()
    read: set[str] = set()
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign | ast.Assign):
            targets = [stmt.target] if isinstance(stmt, ast.AnnAssign) else stmt.targets
            assigned.update(target.id for target in targets if isinstance(target, ast.Name))
            read.update(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    return assigned, read


@pytest.mark.parametrize("domain_file", DOMAINS, ids=lambda path: path.stem)
def test_no_field_attribute_shadows_a_name_its_class_body_reads(domain_file: Path) -> None:
    for where, node in _generated_classes(domain_file).items():
        assigned, read = _class_body_names(node)
        assert not assigned & read, where
        # what a field could be called (snake_case) is escaped by attribute_name
        could_be_fields = {name for name in read if SNAKE.match(name)}
        assert could_be_fields <= set(CLASS_BODY_NAMES), (where, could_be_fields - set(CLASS_BODY_NAMES))
