"""The project writer: domain model -> contract -> rendered, formatted project on disk."""

from .new import new_project, template_context
from .record import RECORD_FILE

__all__ = ["RECORD_FILE", "new_project", "template_context"]
