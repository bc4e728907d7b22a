"""Schemathesis extensions for the conformance tests (loaded with SCHEMATHESIS_HOOKS).

`positive_data_acceptance` asserts that every request valid by the contract's schemas is
accepted. Some valid-looking requests are refused for the state of the data, which no schema can
express; the built-in check is replaced by `positive_data_acceptance_given_state`, which accepts
exactly these refusals and still fails on every other one:

- 422 whose every error is `not_found` (a body member refers to an id that does not exist, e.g.
  `author_id`) or `invalid_cursor` (a `cursor` the service never issued: cursors are opaque);
- 412 to a request sending `If-Match` (the entity tag names another version than the current).

It also skips cases the built-in wrongly calls positive: schemathesis 4.32's coverage phase marks
a case positive by its body while one of its components (seen: an `If-Match: 0` header) was
generated negative; such a case is no valid request, and `negative_data_rejection` judges it.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

STATE_ERROR_CODES = frozenset({"not_found", "invalid_cursor"})


def _partly_negative(case: Any) -> bool:
    components = getattr(case.meta, "components", None) or {}
    return any(info.mode.is_negative for info in components.values())


def _refused_for_state(case: Any, response: Any) -> bool:
    if response.status_code == 412:
        return any(name.lower() == "if-match" for name in case.headers or {})
    if response.status_code != 422:
        return False
    try:
        errors = json.loads(response.content).get("errors") or []
    except (ValueError, AttributeError):
        return False
    return bool(errors) and all(error.get("code") in STATE_ERROR_CODES for error in errors)


@schemathesis.check
def positive_data_acceptance_given_state(ctx: Any, response: Any, case: Any) -> bool | None:
    if case.meta is not None and _partly_negative(case):
        return None
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if _refused_for_state(case, response):
            return None
        raise
