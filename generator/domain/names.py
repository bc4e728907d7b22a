"""Name derivation: the only place that turns domain names into code, SQL and URL names.

Later stages read the names stored on the domain model and never derive their own, so a
rule changed here changes every artifact consistently.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys

# Attributes that a field may not shadow on a pydantic model or a SQLAlchemy declarative class.
_MODEL_ATTRIBUTES = frozenset(
    {
        "metadata",
        "registry",
        "construct",
        "copy",
        "dict",
        "json",
        "parse_obj",
        "parse_raw",
        "parse_file",
        "from_orm",
        "schema",
        "schema_json",
        "validate",
        "update_forward_refs",
        "fields",
        "sa_column",
    }
)

# Module names a generated package must not take: the standard library and the runtime
# dependencies of a generated service would be shadowed by it.
_TAKEN_MODULES = frozenset(sys.stdlib_module_names) | frozenset(
    {
        "alembic",
        "anyio",
        "fastapi",
        "httpx",
        "jwt",
        "migrations",
        "prometheus_client",
        "psycopg",
        "pydantic",
        "pydantic_settings",
        "pymysql",
        "pytest",
        "redis",
        "sqlalchemy",
        "sqlmodel",
        "starlette",
        "test",  # CPython's regression tests: a package of the standard library, not listed there
        "tests",
        "uvicorn",
        # what those pull in, the service's dev tools, and packages a fork commonly adds: a
        # service called `click` or `dns` would shadow click (uvicorn) or dnspython
        "annotated_doc",
        "annotated_types",
        "certifi",
        "cffi",
        "charset_normalizer",
        "click",
        "cryptography",
        "dns",
        "dotenv",
        "email_validator",
        "google",
        "greenlet",
        "h11",
        "httpcore",
        "httptools",
        "idna",
        "importlib_metadata",
        "iniconfig",
        "kubernetes_validate",
        "mako",
        "markupsafe",
        "multipart",
        "mypy",
        "opentelemetry",
        "packaging",
        "pluggy",
        "promql_parser",
        "psycopg_binary",
        "pycparser",
        "pydantic_core",
        "pygments",
        "requests",
        "ruff",
        "sniffio",
        "typing_extensions",
        "typing_inspection",
        "urllib3",
        "uvloop",
        "watchfiles",
        "websockets",
        "wrapt",
        "yaml",
        "zipp",
    }
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Irregular and invariant English plurals; the rest follow the suffix rules below.
_IRREGULAR_PLURALS = {
    "child": "children",
    "person": "people",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "foot": "feet",
    "tooth": "teeth",
    "ox": "oxen",
    "datum": "data",
    "medium": "media",
    "criterion": "criteria",
    "analysis": "analyses",
    "index": "indices",
    "matrix": "matrices",
    "vertex": "vertices",
    "axis": "axes",
    "leaf": "leaves",
    "life": "lives",
    "knife": "knives",
    "wife": "wives",
    "half": "halves",
    "shelf": "shelves",
    "thief": "thieves",
    "quiz": "quizzes",
    "wolf": "wolves",
    "calf": "calves",
    "loaf": "loaves",
    "phenomenon": "phenomena",
    "hero": "heroes",
    "potato": "potatoes",
    "tomato": "tomatoes",
    "echo": "echoes",
    "veto": "vetoes",
    "stomach": "stomachs",
    "epoch": "epochs",
    "monarch": "monarchs",
    # singulars that the suffix rules of `singularize_word` would get wrong
    "movie": "movies",
    "cookie": "cookies",
    "zombie": "zombies",
    "tie": "ties",
    "pie": "pies",
    "calorie": "calories",
    "rookie": "rookies",
    "selfie": "selfies",
    "hoodie": "hoodies",
    "cache": "caches",
    "niche": "niches",
    "headache": "headaches",
    "menu": "menus",
    "guru": "gurus",
    "alias": "aliases",
    "atlas": "atlases",
    "canvas": "canvases",
    "gas": "gases",
    "lens": "lenses",
}
_INVARIANT_PLURALS = frozenset(
    {
        "sheep",
        "fish",
        "deer",
        "series",
        "species",
        "news",
        "equipment",
        "information",
        "software",
        "hardware",
        "feedback",
        "metadata",
        "data",
        "staff",
    }
)
_IRREGULAR_SINGULARS = {plural: singular for singular, plural in _IRREGULAR_PLURALS.items()}


def snake_case(name: str) -> str:
    """`OrderItem` -> `order_item`; snake_case input is returned unchanged."""
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def kebab_case(name: str) -> str:
    return snake_case(name).replace("_", "-")


def pascal_case(name: str) -> str:
    """`order_item` -> `OrderItem`; PascalCase input is returned unchanged."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-]+", name) if part)


def title_case(name: str) -> str:
    return " ".join(word.capitalize() for word in re.split(r"[_\-]+", snake_case(name)) if word)


def pluralize_word(word: str) -> str:
    if word in _INVARIANT_PLURALS:
        return word
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word.endswith("sis"):
        return word[:-2] + "es"  # analysis, diagnosis, crisis
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def singularize_word(word: str) -> str:
    if word in _INVARIANT_PLURALS:
        return word
    if word in _IRREGULAR_SINGULARS:
        return _IRREGULAR_SINGULARS[word]
    if word in _IRREGULAR_PLURALS:
        return word  # already singular (alias, lens)
    if re.search(r"[^aeiou]ies$", word):
        return word[:-3] + "y"
    if re.search(r"(ss|x|zz|ch|sh|[^aeiou]us)es$", word):
        return word[:-2]  # classes, boxes, buzzes, churches, statuses, campuses
    if word.endswith("ses") and len(word) > 5 and word[:-3].endswith(("ly", "no", "the", "ri")):
        return word[:-2] + "is"  # analyses, diagnoses, hypotheses, crises
    if re.search(r"(ss|us|sis|xis|itis)$", word):
        return word  # already singular: address, status, analysis, axis, arthritis
    if word.endswith("s") and len(word) > 1:
        return word[:-1]
    return word


def pluralize(snake: str) -> str:
    """English plural of the last word of a snake_case name: `order_item` -> `order_items`."""
    head, _, last = snake.rpartition("_")
    return f"{head}_{pluralize_word(last)}" if head else pluralize_word(last)


def singularize(snake: str) -> str:
    """English singular of the last word: `tags` -> `tag`, `categories` -> `category`."""
    head, _, last = snake.rpartition("_")
    return f"{head}_{singularize_word(last)}" if head else singularize_word(last)


# Soft keywords as of Python 3.12, fixed here so that output does not depend on the Python
# version running scaffold (3.11 does not list `type`).
_SOFT_KEYWORDS = frozenset({"_", "case", "match", "type"})


# Names that the bodies of generated classes refer to: the types of table, API and filter model
# fields (`int`, `dt.date`, `list[UUID]`), their columns (`sa.Column`) and defaults
# (`utcnow`, `datetime.date(...)` in schemas.py). A class body is one namespace run top to
# bottom, and pydantic and mypy resolve annotations in it too, so a field attribute of such a
# name would replace the type for the fields below it (`int: int | None` breaks `version: int`).
# Capitalised names (`Field`, `Any`, `UUID`) cannot be field names. Keep in step with the
# templates; tests/test_names.py checks the generated classes against this set.
_CLASS_BODY_NAMES = frozenset(
    {"bool", "datetime", "decimal", "dict", "dt", "float", "int", "list", "sa", "schemas", "str", "utcnow", "uuid"}
)


def is_unsafe_identifier(name: str) -> bool:
    return (
        keyword.iskeyword(name)
        or name in _SOFT_KEYWORDS
        or name in _MODEL_ATTRIBUTES
        or name in _CLASS_BODY_NAMES
        or name.startswith(("model_", "_"))
    )


def attribute_name(name: str) -> str:
    """A Python attribute for a wire name: keywords, reserved model attributes and the names
    that generated class bodies use get `_`."""
    if name.startswith("model_"):
        return "f_" + name
    return name + "_" if is_unsafe_identifier(name) else name


def module_name(snake: str) -> str:
    """A module of the routes package: keywords and reserved names get `_`.

    Unlike attributes, modules may take the names that class bodies use (`routes/list.py`).
    """
    if snake in _CLASS_BODY_NAMES:
        return snake
    return attribute_name(snake)


def variable_name(name: str) -> str:
    """A local/module-level identifier: like `attribute_name`, and builtins are avoided too."""
    name = attribute_name(name)
    return name + "_" if hasattr(builtins, name) else name


def package_name(service_name: str) -> str:
    """Import package of a service; names that would shadow a module get `_service`."""
    base = service_name.replace("-", "_")
    if keyword.iskeyword(base) or base in _SOFT_KEYWORDS or base in _TAKEN_MODULES:
        return base + "_service"
    return base


def class_name(name: str, taken: frozenset[str]) -> str:
    """A class name that avoids the names a generated module imports."""
    return name + "Model" if name in taken or hasattr(builtins, name) else name
