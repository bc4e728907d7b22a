"""Domain file -> validated domain model: the first stage of the pipeline."""

from __future__ import annotations

from pathlib import Path

from ..domain.build import build_domain
from ..domain.model import Domain
from ..errors import DomainError
from ..semantics import semantic_problems
from .gc_pause import collector_paused
from .source import Document, read_document
from .structure import structure_problems


def load_domain(path: Path) -> Domain:
    """Read, validate and build; raises `DomainError` listing every problem found."""
    return validate_document(read_document(path))  # each stage pauses the collector itself


def validate_document(document: Document) -> Domain:
    """Structure first: the semantic rules assume the shapes the schema guarantees."""
    with collector_paused():
        return _validated(document)


def _validated(document: Document) -> Domain:
    problems = structure_problems(document)
    if problems:
        raise DomainError(problems)
    domain = build_domain(document.data, source=document.file, source_sha256=document.sha256, source_text=document.text)
    problems = semantic_problems(document, domain)
    if problems:
        raise DomainError(problems)
    return domain
