"""Where the database schema stands against the migrations this code ships.

Migrations run only by the explicit command `flask --app app db upgrade`, never as a side
effect of starting a web process: with several processes starting at once, each would try.
What a process may do is refuse to serve a schema that does not match its code (gunicorn's
`on_starting` hook in deploy/gunicorn.conf.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from advocacy import PROJECT_ROOT


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option(
        "file_template",
        "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    )
    config.set_main_option("timezone", "UTC")
    return config


def migrations() -> ScriptDirectory:
    """The migrations this code ships."""
    return ScriptDirectory.from_config(alembic_config())


def schema_problem(connection: sa.Connection) -> str | None:
    """None when the database is at this code's newest migration, else what to do."""
    script = migrations()
    heads = set(script.get_heads())
    current = set(MigrationContext.configure(connection).get_current_heads())
    if current == heads:
        return None
    if not current:
        return "the database has no schema yet: run `flask --app app db upgrade`"
    unknown = [rev for rev in current if not known_revision(script, rev)]
    if unknown:
        return (f"the database is at revision {', '.join(sorted(unknown))}, which this version "
                "does not know: it was migrated by newer code; deploy that code")
    return ("the database schema is older than this version: run "
            "`flask --app app db upgrade`")


def known_revision(script: ScriptDirectory, revision: str) -> bool:
    """Whether `revision` is one of `script`'s (a newer release's is not)."""
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for unknown or partial ids
        return False


def check_before_serving() -> None:
    """Stop a web server from starting on a schema that does not match its code."""
    from advocacy import create_app
    from advocacy.db import get_database

    engine = get_database(create_app()).engine
    try:
        with engine.connect() as connection:
            problem = schema_problem(connection)
    finally:
        engine.dispose()  # the workers open their own connections
    if problem:
        raise SystemExit(f"advocacy does not start: {problem}.")
