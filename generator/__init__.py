"""scaffold: a YAML domain description -> OpenAPI contract and a FastAPI + SQLModel service."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scaffold")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
