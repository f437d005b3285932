"""zaqar-sql-db-manage: run the SQL schema migrations explicitly.

    zaqar-sql-db-manage [--config-file F] [--uri URI] upgrade [REVISION]
    zaqar-sql-db-manage [--config-file F] [--uri URI] downgrade REVISION
    zaqar-sql-db-manage [--config-file F] [--uri URI] current
    zaqar-sql-db-manage history

Without ``--uri`` it works on the databases of the configured stores that
use the SQL driver (message store and management store, once each when
they share a database).
"""

from __future__ import annotations

import sys

from oslo_config import cfg
from sqlalchemy.engine import make_url

from zaqar.common import configs
from zaqar.storage import errors
from zaqar.storage.sqlalchemy import migration
from zaqar.storage.sqlalchemy.database import Database

SQL_DRIVERS = ("sqlalchemy", "sqlite")


def _add_commands(subparsers) -> None:
    upgrade = subparsers.add_parser(
        "upgrade", help="migrate up to a revision (default: head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = subparsers.add_parser(
        "downgrade", help="migrate down to a revision ('base' = empty)")
    downgrade.add_argument("revision")
    subparsers.add_parser("current", help="show each database's revision")
    subparsers.add_parser("history", help="list the known revisions")


CLI_OPTS = [
    cfg.StrOpt("uri", secret=True,
               help="Database to work on instead of the configured "
                    "store(s), e.g. a pool's database."),
    cfg.SubCommandOpt("command", title="commands", handler=_add_commands),
]


def _uris(conf: cfg.ConfigOpts) -> list[str]:
    if conf.uri:
        return [conf.uri]
    uris = []
    if conf.drivers.message_store in SQL_DRIVERS:
        uris.append(conf[configs.SQL_MESSAGE_STORE_GROUP].uri)
    if conf.drivers.management_store in SQL_DRIVERS:
        uris.append(conf[configs.SQL_MANAGEMENT_STORE_GROUP].uri)
    return list(dict.fromkeys(uris))


def _shown(uri: str) -> str:
    """The URI without its password, for messages."""
    return make_url(uri).render_as_string(hide_password=True)


def run(conf: cfg.ConfigOpts) -> int:
    command = conf.command.name
    if command == "history":
        newest = migration.head()
        for revision, down, doc in migration.history():
            mark = " (head)" if revision == newest else ""
            title = doc.strip().splitlines()[0] if doc.strip() else ""
            print(f"{down or '<base>'} -> {revision}{mark}, {title}")
        return 0
    uris = _uris(conf)
    if not uris:
        print("No store uses the SQL driver; give --uri.", file=sys.stderr)
        return 2
    for uri in uris:
        database = Database(uri)
        try:
            if command == "upgrade":
                migration.upgrade(database, conf.command.revision)
            elif command == "downgrade":
                migration.downgrade(database, conf.command.revision)
            at = migration.current(database)
            mark = " (head)" if at == migration.head() else ""
            print(f"{_shown(uri)}: {at or '<base>'}{mark}")
        finally:
            database.close()
    return 0


def main(argv: list[str] | None = None) -> None:
    conf = configs.parse(sys.argv[1:] if argv is None else argv,
                         cli_opts=CLI_OPTS)
    try:
        code = run(conf)
    except (errors.StorageError, ValueError) as err:
        print(f"zaqar-sql-db-manage: {err}", file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
