"""`flask advocacy backup` / `restore` and the services behind them: a round trip loses nothing.

Each test has a database of its own (`fresh_database_url`): a restore replaces everything,
which the shared, rolled-back test database cannot take.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask

from advocacy import create_app
from advocacy.backup import BackupError, backup, pg_target, read_revision, restore
from advocacy.db import get_database, make_engine, session_scope
from advocacy.demo import load_demo
from advocacy.models import Base
from advocacy.people.models import User
from advocacy.schema import alembic_config
from advocacy.sharing.models import Click
from tests import factories
from tests.conftest import base_config

BOTH = ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)]

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(url: str) -> Snapshot:
    """Every row of every table, all columns, in primary-key order."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = set(sa.inspect(connection).get_table_names())
            assert names == set(Base.metadata.tables) | {"alembic_version"}
            tables = [*Base.metadata.sorted_tables,
                      sa.table("alembic_version", sa.column("version_num"))]
            contents: Snapshot = {}
            for table in tables:
                key = list(getattr(table, "primary_key", None) or table.columns)
                rows = connection.execute(sa.select(*table.columns).order_by(*key)).all()
                contents[table.name] = [tuple(row) for row in rows]
            return contents
    finally:
        engine.dispose()


def make_app(url: str, tmp_path: Path) -> Flask:
    app = create_app(base_config(url, UPLOAD_DIR=str(tmp_path / "uploads")))
    app.instance_path = str(tmp_path / "instance")
    return app


@pytest.fixture
def site(fresh_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(fresh_database_url, tmp_path)
    try:
        yield app
    finally:
        get_database(app).engine.dispose()


def add_people(app: Flask, count: int = 3) -> None:
    with session_scope(app) as session:
        for _ in range(count):
            factories.make_user(session)


def damage(app: Flask) -> None:
    """Delete rows, change one, add one: what a restore must undo."""
    with session_scope(app) as session:
        session.execute(sa.delete(Click))
        first = session.scalars(sa.select(User).order_by(User.id)).first()
        assert first is not None
        first.name = "Changed after the backup"
        factories.make_user(session, email="after-the-backup@example.org")
    get_database(app).engine.dispose()


@pytest.mark.parametrize("fresh_database_url", BOTH, indirect=True)
def test_round_trip_with_the_demo_company_loses_nothing(site: Flask, fresh_database_url: str,
                                                         tmp_path: Path) -> None:
    with site.app_context(), session_scope(site) as session:  # the demo renders mails
        load_demo(session, "demo words 123", site.config)
    get_database(site).engine.dispose()
    before = snapshot(fresh_database_url)
    assert len(before["user_account"]) >= 66 and len(before["click"]) > 100
    assert before["alembic_version"]

    result = backup(fresh_database_url, tmp_path / "nightly.bak")
    assert result.path == tmp_path / "nightly.bak"
    assert result.size == result.path.stat().st_size > 0
    assert result.backend == sa.make_url(fresh_database_url).get_backend_name()

    damage(site)
    assert snapshot(fresh_database_url) != before

    restored = restore(fresh_database_url, result.path)
    assert snapshot(fresh_database_url) == before
    assert restored.revision == before["alembic_version"][0][0]
    assert not restored.needs_upgrade
    live = sa.make_url(fresh_database_url).database
    if result.backend == "sqlite" and live is not None:
        assert Path(live).read_bytes()[18:20] == b"\x02\x02"  # still in WAL mode
    # Sequences came back too: the next row gets a fresh id instead of a duplicate key.
    with session_scope(site) as session:
        newcomer = factories.make_user(session)
        assert newcomer.id > max(row[0] for row in before["user_account"])


def test_sqlite_backup_is_online_and_one_private_file(fresh_database_url: str,
                                                      tmp_path: Path) -> None:
    site = make_app(fresh_database_url, tmp_path)
    add_people(site)
    get_database(site).engine.dispose()
    before = snapshot(fresh_database_url)
    live = sa.make_url(fresh_database_url).database
    assert live is not None
    writer = sqlite3.connect(live, isolation_level=None)
    try:
        # A writer in the middle of a transaction, as the running site may be: the backup
        # neither waits for it nor sees its uncommitted row.
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE user_account SET name = 'uncommitted'")
        result = backup(fresh_database_url, tmp_path / "online.sqlite")
        writer.execute("COMMIT")
    finally:
        writer.close()
    header = result.path.read_bytes()[:20]
    assert header.startswith(b"SQLite format 3\x00")
    assert header[18:20] == b"\x01\x01"  # rollback journal, not WAL: needs no side file
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("online")) \
        == ["online.sqlite"]  # no -wal beside it, no leftover partial file
    assert result.path.stat().st_mode & 0o077 == 0
    copy_url = f"sqlite:///{result.path}"
    assert snapshot(copy_url) == before


@pytest.mark.parametrize("fresh_database_url", BOTH, indirect=True)
def test_restore_refuses_a_garbage_file_and_changes_nothing(fresh_database_url: str,
                                                             site: Flask,
                                                             tmp_path: Path) -> None:
    add_people(site)
    get_database(site).engine.dispose()
    before = snapshot(fresh_database_url)
    garbage = tmp_path / "garbage.bak"
    garbage.write_bytes(b"this is not a backup\n" * 100)
    with pytest.raises(BackupError, match="not a backup made by"):
        restore(fresh_database_url, garbage)
    with pytest.raises(BackupError, match="does not exist"):
        restore(fresh_database_url, tmp_path / "missing.bak")
    assert snapshot(fresh_database_url) == before


@pytest.mark.slow
@pytest.mark.parametrize("fresh_database_url", ["postgresql"], indirect=True)
def test_postgresql_refuses_an_sqlite_backup(fresh_database_url: str, site: Flask,
                                             tmp_path: Path) -> None:
    add_people(site)
    get_database(site).engine.dispose()
    before = snapshot(fresh_database_url)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num TEXT)")
    connection.close()
    sqlite_backup = backup(f"sqlite:///{other}", tmp_path / "other-backup.sqlite")
    with pytest.raises(BackupError, match="is an SQLite backup, but the configured database "
                                          "is PostgreSQL"):
        restore(fresh_database_url, sqlite_backup.path)
    assert snapshot(fresh_database_url) == before


def test_sqlite_refuses_a_postgresql_backup(fresh_database_url: str, tmp_path: Path) -> None:
    before = snapshot(fresh_database_url)
    dump = tmp_path / "site.dump"
    dump.write_bytes(b"PGDMP\x01\x0f\x00" + bytes(200))
    with pytest.raises(BackupError, match=r"is a PostgreSQL backup \(pg_dump\), but the "
                                          "configured database is SQLite"):
        restore(fresh_database_url, dump)
    assert snapshot(fresh_database_url) == before


def test_sqlite_refuses_a_damaged_backup(fresh_database_url: str, site: Flask,
                                         tmp_path: Path) -> None:
    add_people(site, 20)
    get_database(site).engine.dispose()
    before = snapshot(fresh_database_url)
    result = backup(fresh_database_url, tmp_path / "damaged.sqlite")
    data = bytearray(result.path.read_bytes())
    data[4096:] = bytes(range(256)) * ((len(data) - 4096) // 256) + bytes(len(data) % 256)
    result.path.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"damaged|malformed|not a database"):
        restore(fresh_database_url, result.path)
    assert snapshot(fresh_database_url) == before


def set_revision(path: Path, revision: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    connection.close()


def test_sqlite_refuses_a_backup_from_a_newer_release(fresh_database_url: str,
                                                      tmp_path: Path) -> None:
    before = snapshot(fresh_database_url)
    result = backup(fresh_database_url, tmp_path / "newer.sqlite")
    set_revision(result.path, "ffffffffffff")
    with pytest.raises(BackupError, match="revision ffffffffffff, which this version of "
                                          "advocacy does not know"):
        restore(fresh_database_url, result.path)
    assert snapshot(fresh_database_url) == before


def test_backup_into_a_missing_directory_is_a_clear_error(fresh_database_url: str,
                                                          tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "backup.sqlite"
    with pytest.raises(BackupError, match=r"the directory .*dir does not exist"):
        backup(fresh_database_url, target)
    assert not (tmp_path / "no").exists()
    with pytest.raises(BackupError, match="is a directory"):
        backup(fresh_database_url, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("fresh_database_url", ["postgresql"], indirect=True)
def test_failed_pg_dump_leaves_no_file(fresh_database_url: str, tmp_path: Path) -> None:
    missing = sa.make_url(fresh_database_url).set(database="no_such_database_here")
    with pytest.raises(BackupError, match=r"pg_dump failed:\n.*no_such_database_here"):
        backup(missing.render_as_string(hide_password=False), tmp_path / "site.dump")
    assert list(tmp_path.iterdir()) == []


def test_missing_pg_dump_names_the_package_and_leaves_no_file(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("advocacy.backup.shutil.which", lambda _name: None)
    with pytest.raises(BackupError, match=r"pg_dump was not found.*postgresql-client"):
        backup("postgresql+psycopg://app@db.example/advocacy", tmp_path / "site.dump")
    assert list(tmp_path.iterdir()) == []


def test_sqlalchemy_urls_become_libpq_arguments() -> None:
    target = pg_target("postgresql+psycopg://app:s%40cret@db.example:5433/advocacy"
                       "?sslmode=require&options=-csearch_path%3Dtenant_a%2Cpublic%20-c%20jit%3Doff")
    assert target.dbname == "postgresql://app@db.example:5433/advocacy?sslmode=require"
    assert target.schema == "tenant_a"
    assert target.password == "s@cret"
    assert target.env()["PGPASSWORD"] == "s@cret"
    assert not any("s@cret" in arg or "cret" in arg for arg in target.args())
    assert target.args() == [f"--dbname={target.dbname}", "--no-password",
                             "--schema=tenant_a"]

    plain = pg_target("postgresql:///advocacy?host=/run/postgresql")
    assert plain.dbname == "postgresql:///advocacy?host=%2Frun%2Fpostgresql"
    assert plain.schema is None and plain.password is None
    assert "--schema" not in " ".join(plain.args())
    quoted = pg_target("postgresql://u@h/d?options=-csearch_path%3D%22%24user%22%2Cs1")
    assert quoted.schema == "s1"


@pytest.mark.slow
@pytest.mark.parametrize("fresh_database_url", ["postgresql"], indirect=True)
def test_postgresql_refuses_to_leave_newer_tables_behind(fresh_database_url: str, site: Flask,
                                                          tmp_path: Path) -> None:
    add_people(site)
    get_database(site).engine.dispose()
    result = backup(fresh_database_url, tmp_path / "site.dump")
    assert result.path.read_bytes().startswith(b"PGDMP")
    truncated = tmp_path / "truncated.dump"
    truncated.write_bytes(result.path.read_bytes()[:2000])
    with pytest.raises(BackupError, match="pg_restore failed"):
        restore(fresh_database_url, truncated)
    engine = make_engine(fresh_database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE from_a_newer_migration (id integer)"))
    engine.dispose()
    before = snapshot_with_extra(fresh_database_url)
    with pytest.raises(BackupError, match="tables the backup lacks \\(from_a_newer_migration\\)") \
            as refused:
        restore(fresh_database_url, result.path)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert f"db downgrade {head}`" in str(refused.value)  # the backup's own revision
    assert snapshot_with_extra(fresh_database_url) == before


def snapshot_with_extra(url: str) -> tuple[int, list[Any]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return (connection.scalar(sa.text("SELECT count(*) FROM from_a_newer_migration")),
                    connection.execute(sa.text("SELECT id, email, name FROM user_account "
                                               "ORDER BY id")).all())
    finally:
        engine.dispose()


# -- The commands ---------------------------------------------------------------------------


def invoke(app: Flask, *args: str, input: str | None = None) -> Any:
    return app.test_cli_runner().invoke(args=["advocacy", *args], input=input)


@pytest.mark.parametrize("fresh_database_url", BOTH, indirect=True)
def test_cli_backup_and_restore(fresh_database_url: str, site: Flask, tmp_path: Path) -> None:
    add_people(site)
    before = snapshot(fresh_database_url)
    result = invoke(site, "backup")
    assert result.exit_code == 0, result.output
    suffix = "sqlite" if fresh_database_url.startswith("sqlite") else "dump"
    written = list((tmp_path / "instance" / "backups").glob(f"advocacy-*Z.{suffix}"))
    assert len(written) == 1
    assert f"Backup written: {written[0]} (" in result.output
    assert "KiB)" in result.output or "MiB)" in result.output or "bytes)" in result.output

    damage(site)
    changed = snapshot(fresh_database_url)
    assert changed != before

    declined = invoke(site, "restore", str(written[0]), input="n\n")
    assert declined.exit_code == 0, declined.output
    assert "Stop the web and scheduler processes first" in declined.output
    assert "Nothing was changed." in declined.output
    assert snapshot(fresh_database_url) == changed

    unanswered = invoke(site, "restore", str(written[0]), input="")
    assert unanswered.exit_code != 0
    assert "Pass --yes" in unanswered.output
    assert snapshot(fresh_database_url) == changed

    confirmed = invoke(site, "restore", str(written[0]), input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "The schema is current" in confirmed.output
    assert snapshot(fresh_database_url) == before


def test_cli_restore_yes_reports_an_older_backup(fresh_database_url: str, site: Flask,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    result = invoke(site, "backup", str(path))
    assert result.exit_code == 0, result.output
    # A backup that says it is one migration behind (its tables are current; only the
    # label matters to the restore).
    from advocacy.schema import migrations

    current = read_revision(fresh_database_url)
    assert current is not None
    previous = migrations().get_revision(current).down_revision
    assert isinstance(previous, str)
    set_revision(path, previous)

    restored = invoke(site, "restore", "--yes", str(path))
    assert restored.exit_code == 0, restored.output
    assert "Stop the web" not in restored.output  # --yes: no prompt
    assert "run `flask --app app db upgrade`" in restored.output
    assert read_revision(fresh_database_url) == previous


def test_cli_errors_and_help(fresh_database_url: str, site: Flask, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_text("nope")
    result = invoke(site, "restore", "--yes", str(garbage))
    assert result.exit_code != 0 and "not a backup made by" in result.output
    result = invoke(site, "backup", str(tmp_path / "missing" / "x.sqlite"))
    assert result.exit_code != 0 and "does not exist" in result.output
    help_text = invoke(site, "restore", "--help").output
    assert "Stop the web and scheduler processes first" in help_text
    assert "db upgrade" in help_text and "--yes" in help_text
