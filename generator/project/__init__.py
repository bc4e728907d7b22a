"""The project writer: domain model -> contract -> rendered, formatted project on disk."""

from .new import RECORD_FILE, new_project, template_context

__all__ = ["RECORD_FILE", "new_project", "template_context"]
