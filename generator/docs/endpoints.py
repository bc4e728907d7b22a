"""The operations of an emitted contract, as the design document's endpoint table lists them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str  # upper case
    path: str  # absolute path on the host (server URL + contract path)
    operation_id: str
    scopes: tuple[str, ...]  # empty: no credentials needed
    success: tuple[int, ...]
    errors: tuple[int, ...]


def contract_endpoints(contract: dict[str, Any]) -> list[Endpoint]:
    """Every operation of the contract, in document order, with its absolute path."""
    default_server = _server_url(contract.get("servers"))
    found = []
    for path, item in contract.get("paths", {}).items():
        path_server = _server_url(item.get("servers")) if "servers" in item else default_server
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            server = _server_url(operation["servers"]) if "servers" in operation else path_server
            requirements = operation.get("security", contract.get("security", []))
            scopes = tuple(scope for requirement in requirements for names in requirement.values() for scope in names)
            statuses = sorted(int(status) for status in operation.get("responses", {}) if status.isdigit())
            found.append(
                Endpoint(
                    method=method.upper(),
                    path=_join_path(server, path),
                    operation_id=str(operation.get("operationId", "")),
                    scopes=scopes,
                    success=tuple(s for s in statuses if 200 <= s < 300),
                    errors=tuple(s for s in statuses if s >= 400),
                )
            )
    return found


def _server_url(servers: Any) -> str:
    if not servers:
        return "/"
    return str(servers[0].get("url", "/"))


def _join_path(server: str, path: str) -> str:
    return (server.rstrip("/") + path) or "/"
