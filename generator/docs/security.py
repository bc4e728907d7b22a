"""Sections 5 and 6 of the design document: security and observability."""

from __future__ import annotations

from ..domain.model import OPERATIONS
from . import facts
from .context import Context
from .markdown import code, join_words, table, text


class SecuritySections(Context):
    """Section 5: security; section 6: observability."""

    def security(self) -> str:
        return "\n\n".join(
            [
                "## 5. Security",
                self.auth_text(),
                self.scope_matrix(),
                self.secrets(),
                self.hardening(),
            ]
        )

    def auth_text(self) -> str:
        if self.scheme == "jwt":
            text = (
                "Every API operation requires a JWT in `Authorization: Bearer <token>`, verified "
                "locally: HS256 with `JWT_SECRET`, or RS256 with `JWT_PUBLIC_KEY` (the algorithm "
                "is fixed by configuration; `alg: none` and algorithm switching are refused). `sub` "
                "and `exp` are required (30 s leeway, `JWT_LEEWAY_SECONDS`); `iss` and `aud` are "
                "checked when `JWT_ISSUER`/`JWT_AUDIENCE` are set. The space-separated `scope` "
                "claim grants scopes. The service issues no tokens in production: "
                f"`python -m {self.service.package} token` mints development tokens."
            )
        elif self.scheme == "api_key":
            text = (
                "Every API operation requires an API key in the `X-API-Key` header. `API_KEYS` maps "
                "each key to its scopes; a presented key is compared with every configured key in "
                "constant time. The principal of a key is `key:` plus the first 16 hex digits of "
                "its SHA-256, so logs and rate limits never see the key itself."
            )
        else:
            text = (
                "The domain declares `auth: {scheme: none}`: the service authenticates no one, and "
                "every operation is open to whoever reaches it. Rate limits apply per client "
                "address. Expose it only behind a gateway or mesh that authenticates callers."
            )
        if self.scheme != "none":
            text += (
                " Deny by default: no credentials or bad credentials give `401` with "
                "`WWW-Authenticate`, credentials without the operation's scope `403`."
            )
        return "\n".join(["### 5.1 Authentication", "", text])

    def scope_matrix(self) -> str:
        operations = list(OPERATIONS)
        rows = []
        for entity in self.domain.entities:
            cells = [entity.title]
            for operation in operations:
                if operation not in entity.operations:
                    cells.append("-")
                elif self.scheme == "none":
                    cells.append("open")
                else:
                    cells.append(code(entity.read_scope if operation in ("list", "read") else entity.write_scope))
            rows.append(cells)
        if self.scheme == "none":
            intro = "Without authentication every operation is open (`-`: the operation does not exist)."
        else:
            intro = (
                "The scope each operation needs (`-`: the operation does not exist). Reverse "
                "listings need the read scope of the resource they list."
            )
        parts = [
            "### 5.2 Scope matrix",
            "",
            intro,
            "",
            table(("Entity", *operations), rows),
        ]
        if self.scheme != "none":
            grants: dict[str, list[str]] = {}
            for entity in self.domain.entities:
                for operation in entity.operations:
                    scope = entity.read_scope if operation in ("list", "read") else entity.write_scope
                    grants.setdefault(scope, []).append(f"{entity.title} {operation}")
            for entity in self.domain.entities:
                for inverse in entity.inverses:
                    source = self.entities[inverse.source]
                    path = code(f"/{entity.segment}/{{id}}/{inverse.segment}")
                    grants.setdefault(source.read_scope, []).append(path)
            scope_rows = [
                (code(scope), text(description), ", ".join(grants.get(scope, [])) or "nothing")
                for scope, description in sorted(self.domain.auth.scopes.items())
                if scope in grants
            ]
            parts += ["", table(("Scope", "Description", "Grants"), scope_rows)]
        return "\n".join(parts)

    def secrets(self) -> str:
        name = self.service.name
        rows = [
            (
                "`DATABASE_URL`",
                "Database credentials",
                f"Secret {code(name + '-secrets')} (Kubernetes), `.env` locally",
            )
        ]
        if self.scheme == "jwt":
            rows.append(
                (
                    "`JWT_SECRET`",
                    "HS256 signing key (at least 32 bytes)",
                    f"Secret {code(name + '-secrets')}; in development a generated `.jwt-dev-secret` file (mode 600)",
                )
            )
            rows.append(
                (
                    "`JWT_PUBLIC_KEY`",
                    "RS256 verification key (public, not secret)",
                    "Environment, instead of `JWT_SECRET`",
                )
            )
        elif self.scheme == "api_key":
            rows.append(("`API_KEYS`", "API keys and their scopes", f"Secret {code(name + '-secrets')}"))
        rows.append(
            (
                "`REDIS_URL`",
                "Redis address, possibly with a password",
                f"Secret {code(name + '-secrets')} (optional)",
            )
        )
        return "\n".join(
            [
                "### 5.3 Secrets",
                "",
                "Secrets come from the environment only: never from the image, the ConfigMap or "
                "the repository. Settings hold them as secret values, so they do not appear in "
                "`repr` or logs.",
                "",
                table(("Variable", "What", "Source"), rows),
            ]
        )

    def hardening(self) -> str:
        return "\n".join(
            [
                "### 5.4 Hardening",
                "",
                "- Every string, integer and array in the contract is bounded, request bodies are "
                f"limited to `MAX_BODY_BYTES` ({facts.MAX_BODY_BYTES} bytes), page sizes to each "
                "list's maximum, and every principal to its rate budget (OWASP API4).",
                "- Request schemas refuse unknown members (no mass assignment of `id`, `version` or "
                "read-only fields); types are strict (no `false` for `0`).",
                "- SQL is built with bound parameters only; database errors hide their parameters.",
                f"- The container runs as the unprivileged user {facts.RUN_AS_USER} with a read-only "
                "root filesystem, no capabilities, no privilege escalation, `RuntimeDefault` "
                "seccomp and no service account token.",
            ]
        )

    def observability(self) -> str:
        return "\n\n".join(
            [
                "## 6. Observability",
                self.logs(),
                self.metrics(),
                self.alerts(),
                "### 6.4 Tracing\n\nOff unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set (and the `otel` "
                "extra installed): then a span per request (FastAPI) and per SQL statement "
                "(SQLAlchemy) is exported over OTLP/HTTP as `OTEL_SERVICE_NAME` "
                f"(default {code(self.service.name)}).",
            ]
        )

    def logs(self) -> str:
        write_only = [(e, f) for e in self.domain.entities for f in e.fields if f.write_only]
        redactions = [
            "Request and response bodies are never logged, and query strings are not part of "
            "`path`, so filter and search values stay out of the logs.",
            "SQL errors are raised with their parameters hidden.",
        ]
        if write_only:
            redactions.insert(
                0,
                "Write-only fields ("
                + join_words(f"{e.title}.{code(f.name)}" for e, f in write_only)
                + ") are never returned and never logged: they travel only in request bodies.",
            )
        if self.scheme == "jwt":
            redactions.append("Tokens are never logged; `principal` is the token's `sub`.")
        elif self.scheme == "api_key":
            redactions.append("API keys are never logged; `principal` is a key fingerprint (`key:<sha256 prefix>`).")
        return "\n".join(
            [
                "### 6.1 Logs",
                "",
                "One JSON object per line on standard output, level from `LOG_LEVEL`. Every record "
                "has `time` (UTC), `level`, `logger` and `message`; the access log writes one line "
                "per request with `method`, `route` (the full path template, `<unmatched>` for "
                "unknown paths), `path`, `status`, `duration_ms` and `request_id`"
                + (" and `principal` (the authenticated subject)" if self.scheme != "none" else "")
                + ". `X-Request-ID` is taken from the "
                "request when valid (1-128 characters of `A-Za-z0-9._:-`) or generated, echoed on "
                "the response and put into every problem document. Unhandled errors are logged "
                "with their traceback and `request_id`.",
                "",
                "Redactions:",
                "",
                *(f"- {line}" for line in redactions),
            ]
        )

    def metrics(self) -> str:
        rows = [(code(name), kind, labels or "-", meaning) for name, kind, labels, meaning in facts.METRICS]
        return "\n".join(
            [
                "### 6.2 Metrics",
                "",
                "Prometheus text format at `/metrics` (unauthenticated, outside the base path; "
                "keep it off the public ingress). `route` is the path template, so label "
                "cardinality is bounded by the number of endpoints.",
                "",
                table(("Metric", "Type", "Labels", "Meaning"), rows),
            ]
        )

    def alerts(self) -> str:
        prefix = "".join(part.capitalize() for part in self.service.name.split("-"))
        rows = [
            (code(prefix + suffix), severity, duration, condition)
            for suffix, duration, severity, condition in facts.ALERTS
        ]
        return "\n".join(
            [
                "### 6.3 Alert rules",
                "",
                f'`deploy/prometheus/alerts.yaml`, scoped to `job="{self.service.name}"`:',
                "",
                table(("Alert", "Severity", "For", "Fires when"), rows),
            ]
        )
