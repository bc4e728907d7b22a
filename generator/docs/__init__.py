"""The design document of a generated service (`docs/design.md`) and its Mermaid ER diagram."""

from .design import Endpoint, contract_endpoints, design_document
from .er import er_diagram

__all__ = ["Endpoint", "contract_endpoints", "design_document", "er_diagram"]
