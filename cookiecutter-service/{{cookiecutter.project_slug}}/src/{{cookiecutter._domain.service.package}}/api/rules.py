"""The hooks a resource's business rules override; the generated endpoints call them.

Each entity has a module of its own in `rules/` (written once by scaffold, never regenerated)
with a subclass of `Rules`. Every hook runs inside the request's transaction, after the
request was validated against the contract: raise a `ProblemError` to refuse the request
(nothing is written), or change more rows through `session` (they commit with the request).
`data` holds the wire members of the body (a merge patch holds only the members it sets).
"""

from typing import Any, Generic, TypeVar

from sqlmodel import Session

RowT = TypeVar("RowT")


class Rules(Generic[RowT]):
    """No rules: every hook does nothing. Override the ones an entity needs."""

    def before_create(self, session: Session, data: dict[str, Any]) -> None:
        """Before the row is inserted."""

    def after_create(self, session: Session, row: RowT) -> None:
        """After the row (and its links) are written, before the commit."""

    def before_update(self, session: Session, row: RowT, data: dict[str, Any]) -> None:
        """Before a merge patch is applied to `row` (as read, at its current version)."""

    def after_update(self, session: Session, row: RowT) -> None:
        """After the patch is applied, before the commit."""

    def before_delete(self, session: Session, row: RowT) -> None:
        """Before the row is deleted (rows referring to it follow their relation's on_delete)."""

    @property
    def checks_deletes(self) -> bool:
        """Whether `before_delete` is overridden: only then does a delete read the row first."""
        return type(self).before_delete is not Rules.before_delete
