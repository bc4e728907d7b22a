"""scaffold: a YAML domain description -> OpenAPI contract and a FastAPI + SQLModel service."""

# The one place the version is written: hatch reads it for the distribution (pyproject.toml),
# and reading it here costs no `importlib.metadata` at start-up.
__version__ = "0.1.0"
