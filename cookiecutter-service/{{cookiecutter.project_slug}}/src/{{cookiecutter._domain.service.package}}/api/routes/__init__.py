{% set entities = cookiecutter._domain.entities | sort(attribute="module") %}
"""The resource routes of the API; `main` mounts `api_router` under the base path."""

from fastapi import APIRouter

from . import {{ entities | map(attribute="module") | join(", ") }}

api_router = APIRouter()
{% for entity in entities %}
api_router.include_router({{ entity.module }}.router)
{% endfor %}
