"""Auth: scopes declared and used, and entity scopes under `scheme: none`."""

from __future__ import annotations

from .context import (
    Context,
)


def check_auth(ctx: Context) -> None:
    raw_auth = ctx.document.data.get("auth") or {}
    declared = raw_auth.get("scopes") or {}
    defaults = {scope for e in ctx.domain.entities for scope in (f"{e.plural}:read", f"{e.plural}:write")}
    if ctx.domain.auth.scheme == "none" and declared:
        ctx.report(
            ("auth", "scopes"), "scopes have no effect with `scheme: none`", key=True, code="scopes-without-auth"
        )
    for entity in ctx.domain.entities:
        raw = ctx.raw(entity.path).get("auth")
        if not raw:
            continue
        if ctx.domain.auth.scheme == "none":
            message = f"entity `{entity.name}` sets scopes, but auth.scheme is `none`"
            ctx.report((*entity.path, "auth"), message, key=True, code="scopes-without-auth")
            continue
        known = set(declared) | defaults
        for access in ("read", "write"):
            scope = raw.get(access)
            if scope is not None and scope not in known:
                hint = ctx.hint(scope, known)
                where = "auth.scopes" if declared else "auth.scopes (none are declared)"
                message = f"unknown scope `{scope}`{hint}: declare it in {where}"
                ctx.report((*entity.path, "auth", access), message, code="unknown-scope")
