"""Migrations: an empty database reaches head, and then matches the models exactly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from advocacy import create_app
from advocacy.db import get_database, make_engine
from advocacy.models import Base
from advocacy.schema import alembic_config
from tests.conftest import base_config
from tests.support import migrate

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"],
                                     indirect=True)


def _empty_url(fresh_database_url: str) -> str:
    """The fixture's database comes migrated; take it back to nothing first."""
    migrate(fresh_database_url, "base")
    return fresh_database_url


def _differences(url: str) -> list[object]:
    app = create_app(base_config(url))
    engine = get_database(app).engine
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "compare_server_default": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_upgrade_from_empty_then_no_autogenerate_difference(fresh_database_url):
    url = _empty_url(fresh_database_url)
    migrate(url)
    assert _differences(url) == []


def test_seeded_tiers_and_downgrade_roundtrip(fresh_database_url):
    url = _empty_url(fresh_database_url)
    migrate(url)
    engine = make_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT id FROM tier ORDER BY id")).scalars().all() \
            == [1, 2, 3]
    migrate(url, "base")
    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate(url)
    engine.dispose()


def test_flask_db_upgrade_command(fresh_database_url):
    url = _empty_url(fresh_database_url)
    app = create_app(base_config(url))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        command.check(alembic_config())  # raises when models and database differ
    get_database(app).engine.dispose()
