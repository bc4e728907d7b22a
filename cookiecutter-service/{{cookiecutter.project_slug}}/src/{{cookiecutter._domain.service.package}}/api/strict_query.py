"""Unknown query parameters are refused, not ignored.

`GET /books?titel=x` (a typo of `title`) would otherwise list every book, unfiltered: the
mistake would pass silently. Each generated route accepts the parameters it declares (its
own, and the members of its filters model) and answers any other with the 422 problem of an
unknown body member (`extra_forbidden`, pointer `/query/<name>`), with the closest known
name as a suggestion. The routes of the business rules (`rules/`) are not checked.
"""

import difflib
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel

_known: dict[int, frozenset[str]] = {}  # per route object: the names its dependant declares


def reject_unknown_query(request: Request) -> None:
    """A route dependency: 422 for every query parameter the route does not declare."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = _known.get(id(route))
    if known is None:
        known = _known[id(route)] = frozenset(_query_names(dependant))
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        raise RequestValidationError([_error(name, request.query_params[name], known) for name in unknown])


def _query_names(dependant: Dependant) -> Iterator[str]:
    for field in dependant.query_params:
        annotation = field.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for name, info in annotation.model_fields.items():
                yield info.alias or name
        else:
            yield field.alias
    for sub in dependant.dependencies:
        yield from _query_names(sub)


def _error(name: str, value: str, known: frozenset[str]) -> dict[str, Any]:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    if close:
        hint = f"; did you mean `{close[0]}`?"
    elif known:
        hint = f"; this operation takes {', '.join(f'`{n}`' for n in sorted(known))}"
    else:
        hint = "; this operation takes none"
    return {"type": "extra_forbidden", "loc": ("query", name), "msg": f"Unknown query parameter{hint}", "input": value}
