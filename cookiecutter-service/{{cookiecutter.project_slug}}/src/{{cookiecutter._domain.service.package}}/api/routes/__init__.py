{% set entities = cookiecutter._domain.entities | sort(attribute="module") %}
"""The routes of the resources and of their business rules; `main` mounts `api_router`."""

from fastapi import APIRouter

from ...rules import {% for entity in entities %}{{ entity.module }} as {{ entity.module }}_rules{{ ", " if not loop.last }}{% endfor %}

from . import {{ entities | map(attribute="module") | join(", ") }}

api_router = APIRouter()
{% for entity in entities %}
api_router.include_router({{ entity.module }}.router)
{% endfor %}
# The routes each entity's business rules add (`rules/<entity>.py`), beside the generated ones.
{% for entity in entities %}
api_router.include_router({{ entity.module }}_rules.router)
{% endfor %}
