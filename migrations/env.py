"""Alembic environment: migrates the database of the app that runs the command.

`flask --app app db upgrade` runs inside an app context, so the URL comes from the app's
configuration (ADVOCACY_DATABASE_URL or the instance folder's SQLite file).
"""

from __future__ import annotations

from typing import Any

from alembic import context
from flask import current_app

from advocacy.db import UTCDateTime, get_database
from advocacy.models import Base


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTC type as the plain timezone-aware DateTime it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    engine = get_database(current_app).engine
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table (copy, drop, rename). With foreign keys enforced,
            # dropping the old `share` would cascade into outbox posts and clicks: rows
            # lost. The pragma only works outside a transaction, so it goes to the driver
            # before SQLAlchemy begins one; integrity is checked before the commit.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            _migrate(connection, sqlite)
        finally:
            if sqlite:  # also after a failed migration: the pooled connection is reused
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _migrate(connection: Any, sqlite: bool) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
        compare_server_default=True,
        render_item=render_item,
        user_module_prefix="sa.",
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"the migration left rows without their parent: "
                                   f"{broken[:5]}")
    connection.commit()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations()
