"""Migrations: an empty database reaches head, and then matches the models exactly."""

from __future__ import annotations

import datetime as dt

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


def test_posts_and_shares_of_the_old_outbox_keep_their_meaning(fresh_database_url):
    """5c1e0a7d9b32: the link comes off a share's text; held posts wait again (the account
    says why); open outcomes become "unknown" (being settled) or "in doubt" (the person
    decides); and it all goes back on a downgrade."""
    url = _empty_url(fresh_database_url)
    migrate(url, "8973bb9e4a41")
    engine = make_engine(url)
    shares = {1: "Words\n\nI work at Example.\nhttp://localhost/r/aaaaaaaaa1",
              2: "http://localhost/r/aaaaaaaaa2", 3: ""}
    with engine.begin() as connection:
        _insert(connection, "user_account", id=1, email="a@example.org")
        _insert(connection, "content_item", id=1)
        for share_id, text in shares.items():
            _insert(connection, "share", id=share_id, code=f"aaaaaaaaa{share_id}", user_id=1,
                    item_id=1, network="x", method="api", text=text)
        for post_id, state, unknown in ((1, "blocked", False), (2, "failed", True),
                                        (3, "queued", True)):
            _insert(connection, "outbox_post", id=post_id, share_id=post_id, state=state,
                    idempotency_key=f"k{post_id}", outcome_unknown=unknown)
    migrate(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT text, disclosure, link FROM share ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [
            ("Words\n\nI work at Example.", "", "http://localhost/r/aaaaaaaaa1"),
            ("", "", "http://localhost/r/aaaaaaaaa2"), ("", "", "")]
        posts = connection.execute(sa.text(
            "SELECT state, outcome_unknown, doubted FROM outbox_post ORDER BY id")).all()
        assert [(s, bool(u), bool(d)) for s, u, d in posts] == [
            ("queued", False, False), ("in_doubt", True, True), ("unknown", True, True)]
    migrate(url, "8973bb9e4a41", down=True)
    with engine.connect() as connection:
        texts = connection.execute(sa.text("SELECT text FROM share ORDER BY id")).scalars()
        assert list(texts) == list(shares.values())
        states = connection.execute(sa.text(
            "SELECT state FROM outbox_post ORDER BY id")).scalars().all()
        assert states == ["queued", "failed", "queued"]
    migrate(url)
    engine.dispose()


def test_known_follower_counts_keep_their_source_and_sealed_days_their_reach(
        fresh_database_url):
    """c3f9a7d05e18: every follower count known so far came from a connected account; the
    rollups of days the next run will not recompute (sealed by retention) get their reach
    moved to that source, so the report neither loses it nor shows it unattributed."""
    url = _empty_url(fresh_database_url)
    migrate(url, "b5d2e8a41c07")
    engine = make_engine(url)
    with engine.begin() as connection:
        _insert(connection, "user_account", id=1, email="a@example.org")
        _insert(connection, "content_item", id=1)
        for share_id, followers in ((1, 340), (2, None)):
            _insert(connection, "share", id=share_id, code=f"aaaaaaaaa{share_id}", user_id=1,
                    item_id=1, network="x", method="api", followers=followers)
        for row_id, reach, api in ((1, 700, 2), (2, 0, 0), (3, 50, 0)):
            _insert(connection, "activity_rollup", id=row_id, grain="day", person_id=1,
                    network="x", shares=3, api_shares=api, reach=reach)
    migrate(url, "c3f9a7d05e18")
    with engine.connect() as connection:
        sources = connection.execute(sa.text(
            "SELECT reach_source FROM share ORDER BY id")).scalars().all()
        assert sources == ["followers", None]
        rows = connection.execute(sa.text(
            "SELECT follower_reach, follower_shares, reported_reach FROM activity_rollup "
            "ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(700, 2, 0), (0, 0, 0), (50, 1, 0)]
    migrate(url)
    engine.dispose()


def test_each_guideline_version_keeps_its_words_as_a_text_in_their_language(
        fresh_database_url):
    """d8e1f4a2b6c3: a version's title and body become its text in the language they are
    written in; acknowledgements stay; a downgrade puts one text back on each version."""
    url = _empty_url(fresh_database_url)
    migrate(url, "c3f9a7d05e18")
    engine = make_engine(url)
    versions = {1: ("Leitfaden", "<p>Sie sprechen für sich, und nicht für die Firma.</p>"),
                2: ("Guidelines", "<p>You speak for yourself, not for the company.</p>")}
    with engine.begin() as connection:
        _insert(connection, "user_account", id=1, email="a@example.org")
        for number, (title, body) in versions.items():
            _insert(connection, "guideline", id=number, version=number, title=title,
                    body_html=body)
        _insert(connection, "guideline_ack", user_id=1, guideline_id=1)
    migrate(url)
    with engine.connect() as connection:
        texts = connection.execute(sa.text(
            "SELECT guideline_id, language, title, body_html FROM guideline_text "
            "ORDER BY guideline_id")).all()
        assert [tuple(t) for t in texts] == [(1, "de", *versions[1]), (2, "en", *versions[2])]
        assert connection.execute(sa.text("SELECT guideline_id FROM guideline_ack")
                                  ).scalars().all() == [1]
    migrate(url, "c3f9a7d05e18", down=True)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(
            "SELECT id, title, body_html FROM guideline ORDER BY id")).all()
        assert {row[0]: (row[1], row[2]) for row in rows} == versions
    migrate(url)
    engine.dispose()


def _insert(connection: sa.Connection, table_name: str, **values: object) -> None:
    """A row as the schema of that revision takes it: the given values, and a plain value
    of the right type for every other column that must have one."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    filler = {sa.Integer: 0, sa.String: "x", sa.Text: "x", sa.Boolean: False,
              sa.DateTime: dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC),
              sa.Date: dt.date(2026, 12, 1), sa.Numeric: 0}
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None \
                or column.primary_key:
            continue
        row[column.name] = next(value for kind, value in filler.items()
                                if isinstance(column.type, kind))
    connection.execute(table.insert().values(**row))
