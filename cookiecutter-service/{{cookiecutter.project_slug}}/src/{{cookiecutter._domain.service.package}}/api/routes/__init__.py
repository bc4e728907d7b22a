{% set entities = cookiecutter._domain.entities | sort(attribute="module") %}
"""The routes of the resources and of their business rules; `main` mounts `api_router`."""

from fastapi import APIRouter, Depends

from ...rules import {% for entity in entities %}{{ entity.module }} as {{ entity.module }}_rules{{ ", " if not loop.last }}{% endfor %}

from ..strict_query import reject_unknown_query
from . import {{ entities | map(attribute="module") | join(", ") }}

api_router = APIRouter()
# A generated route refuses query parameters it does not declare (a mistyped filter).
STRICT_QUERY = [Depends(reject_unknown_query)]
{% for entity in entities %}
api_router.include_router({{ entity.module }}.router, dependencies=STRICT_QUERY)
{% endfor %}
# The routes each entity's business rules add (`rules/<entity>.py`), beside the generated ones.
{% for entity in entities %}
api_router.include_router({{ entity.module }}_rules.router)
{% endfor %}
