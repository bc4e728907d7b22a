{% set service = cookiecutter._domain.service %}
{% set scheme = cookiecutter._domain.auth.scheme %}
"""Command line: `python -m {{ service.package }} serve|migrate{{ "|token" if scheme == "jwt" }}{{ "|api-key" if scheme == "api_key" }}`."""

import argparse
{% if scheme == "api_key" %}
import json
{% endif %}
import pathlib
import sys

import uvicorn
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

{% if scheme == "jwt" %}
from .auth import mint_token
{% elif scheme == "api_key" %}
from .auth import new_api_key
{% endif %}
from .db import create_db_engine
from .logging import configure_logging
from .migrations_state import current_revision
from .settings import ConfigurationError, Settings, get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="{{ service.package }}", description={{ service.title | py }})
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the HTTP server (HOST, PORT)")
    migrate_parser = commands.add_parser(
        "migrate", help="upgrade the database to the latest revision"
    )
    migrate_parser.add_argument("--config", default="alembic.ini", help="path of alembic.ini")
    migrate_parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 unless the database is at the latest revision",
    )
{% if scheme == "jwt" %}
    token_parser = commands.add_parser("token", help="mint a development token (HS256, JWT_SECRET)")
    token_parser.add_argument(
        "--scope", default="", help='space-separated scopes, e.g. "a:read a:write"'
    )
    token_parser.add_argument("--sub", default="developer", help="subject of the token")
    token_parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
{% elif scheme == "api_key" %}
    key_parser = commands.add_parser(
        "api-key", help="make a random API key and the API_KEYS entry (its digest) to configure"
    )
    key_parser.add_argument(
        "--scope", default="", help='space-separated scopes, e.g. "a:read a:write"'
    )
{% endif %}
    args = parser.parse_args(argv)
{% if scheme == "api_key" %}
    if args.command == "api-key":
        key, entry = new_api_key()
        print(f"key (give it to the client, keep it nowhere else): {key}")
        print(f"API_KEYS entry: {json.dumps({entry: args.scope.split()})}")
        return 0
{% endif %}
    try:
        settings = get_settings()
        if args.command == "serve":
            return serve(settings)
        if args.command == "migrate":
            return migrate(settings, pathlib.Path(args.config), check=args.check)
{% if scheme == "jwt" %}
        print(mint_token(settings, args.sub, args.scope.split(), args.ttl))
{% endif %}
    except (ValidationError, ConfigurationError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


def serve(settings: Settings) -> int:
    from .main import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=True,
        timeout_graceful_shutdown=settings.graceful_shutdown_timeout,
    )
    return 0


def migrate(settings: Settings, config_path: pathlib.Path, *, check: bool = False) -> int:
    if not config_path.is_file():
        print(f"{config_path} not found: run from the project directory", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    config = Config(str(config_path))
    try:
        if check:
            return check_revision(settings, config)
        command.upgrade(config, "head")
    except OperationalError as exc:
        print(f"cannot migrate the database: {exc.orig}", file=sys.stderr)
        return 1
    return 0


def check_revision(settings: Settings, config: Config) -> int:
    """0 when the database is at the head revision of `config`'s migrations, else 1."""
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = create_db_engine(settings, pooled=False)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    finally:
        engine.dispose()
    if current != head:
        print(f"the database is at migration {current or 'none'}; the code expects {head}", file=sys.stderr)
        return 1
    print(f"the database is at migration {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
