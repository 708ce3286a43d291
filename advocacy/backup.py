"""Backups of the database: `flask --app app advocacy backup` and `restore`.

SQLite uses the online backup API (a consistent copy while the site keeps running);
PostgreSQL uses pg_dump's custom format and pg_restore. The services take a database URL
and paths, never the app, so they run from the CLI, a job or a test alike.

A backup file names its own kind by its first bytes: SQLite files start with
"SQLite format 3", pg_dump archives with "PGDMP". Restore reads them to refuse a file of
the wrong kind before anything is changed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from advocacy.db import make_engine
from advocacy.schema import known_revision, migrations

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIXES = {"sqlite": "sqlite", "postgresql": "dump"}
# pg_dump of a large database takes a while; an hour is "hung", not "slow".
PG_TIMEOUT_SECONDS = 3600


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    backend: str  # "sqlite" or "postgresql"


@dataclass(frozen=True)
class RestoreResult:
    backend: str
    revision: str  # the Alembic revision of the restored database
    heads: tuple[str, ...]  # the newest revisions this code knows

    @property
    def needs_upgrade(self) -> bool:
        return self.revision not in self.heads


# -- Common ---------------------------------------------------------------------------------


def backend_of(database_url: str) -> str:
    """ "sqlite" or "postgresql"; anything else is not supported."""
    try:
        backend = sa.make_url(database_url).get_backend_name()
    except sa.exc.ArgumentError:
        raise BackupError(f"not a database URL: {database_url!r}") from None
    if backend not in SUFFIXES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def backup(database_url: str, target_path: Path | str) -> BackupResult:
    """Write a backup of the database to `target_path` (replaced if it exists)."""
    backend = backend_of(database_url)
    target = Path(target_path)
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give the backup file's name")
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist; create it first "
                          "or choose another path")
    with _partial_file(target) as partial:
        if backend == "sqlite":
            _sqlite_backup(_sqlite_path(database_url), partial)
        else:
            _pg_backup(database_url, partial)
    return BackupResult(path=target, size=target.stat().st_size, backend=backend)


def restore(database_url: str, source_path: Path | str) -> RestoreResult:
    """Replace the database's contents with the backup at `source_path`.

    Everything that can be checked is checked before the database is touched: the file's
    kind, its integrity (SQLite) or table of contents (PostgreSQL), and that its schema
    revision is one this code knows. The restore itself is one transaction on both backends.
    """
    backend = backend_of(database_url)
    source = Path(source_path)
    _check_kind(source, backend)
    if backend == "sqlite":
        _sqlite_restore(_sqlite_path(database_url), source)
    else:
        _pg_restore(database_url, source)
    revision = read_revision(database_url)
    if revision is None:  # the checks above make this a bug, not an operator's mistake
        raise BackupError("the restored database has no alembic_version; restore failed")
    return RestoreResult(backend=backend, revision=revision, heads=tuple(migrations().get_heads()))


def check_revision(revision: str | None, source: Path) -> str:
    """The backup's revision; refuses a backup whose schema this code cannot run or migrate."""
    if revision is None:
        raise BackupError(f"{source} has no alembic_version table: it is not a backup of an "
                          "advocacy database (or of one that was never migrated)")
    if not known_revision(migrations(), revision):
        # A newer release's schema: this code would misread it, and cannot downgrade it
        # (the downgrade steps live in the newer code).
        raise BackupError(f"{source} is at schema revision {revision}, which this version of "
                          "advocacy does not know: it was made by a newer release. Install "
                          "that release (or newer) and restore with it; nothing was changed.")
    return revision


def read_revision(database_url: str) -> str | None:
    """The Alembic revision of a database; None when it has no alembic_version table."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return None
            return connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    finally:
        engine.dispose()


def _check_kind(source: Path, backend: str) -> None:
    """Refuse a missing file or one that is not a backup for `backend`, by its magic bytes."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    try:
        with source.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror}") from None
    kind = ("sqlite" if head.startswith(SQLITE_MAGIC)
            else "postgresql" if head.startswith(PGDUMP_MAGIC) else None)
    if kind is None:
        raise BackupError(f"{source} is not a backup made by `flask --app app advocacy backup` "
                          "(neither an SQLite file nor a pg_dump custom-format archive); "
                          "nothing was changed")
    if kind != backend:
        made_by = "an SQLite backup" if kind == "sqlite" else "a PostgreSQL backup (pg_dump)"
        raise BackupError(f"{source} is {made_by}, but the configured database is "
                          f"{'SQLite' if backend == 'sqlite' else 'PostgreSQL'}; nothing was "
                          "changed")


@contextlib.contextmanager
def _partial_file(target: Path) -> Iterator[Path]:
    """A new, empty, private temporary file beside `target`, renamed to it on success.

    Beside, so the rename is atomic (same file system); a failed backup never leaves a
    half-written file under the target name. Mode 0600 from mkstemp: backups hold password
    hashes and encrypted tokens.
    """
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        _fsync(partial)
        os.replace(partial, target)
        _fsync(target.parent)
    finally:
        for leftover in (partial, Path(f"{partial}-journal"), Path(f"{partial}-wal"),
                         Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush a file or directory to disk, so a crash right after leaves the backup intact."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(database_url: str) -> Path:
    database = sa.make_url(database_url).database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        raise BackupError(f"cannot back up the SQLite database {database_url!r}: only a plain "
                          "file path (sqlite:////path/to/file) is supported")
    return Path(database)


def _sqlite_backup(live: Path, partial: Path) -> None:
    if not live.is_file():
        # sqlite3.connect would create an empty database and back that up.
        raise BackupError(f"the database file {live} does not exist")
    try:
        with contextlib.closing(sqlite3.connect(live, timeout=30)) as source, \
                contextlib.closing(sqlite3.connect(partial)) as copy:
            # One step: a consistent snapshot; the site's readers and writers go on (WAL).
            source.backup(copy)
            # The copy may carry the live file's WAL flag; a backup is one self-contained
            # file, with no -wal beside it that a file copy could forget.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup of {live} failed: {exc}") from None


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    found = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                               "AND name = 'alembic_version'").fetchone()
    if found is None:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else str(row[0])


def _sqlite_restore(live: Path, source: Path) -> None:
    if not live.parent.is_dir():
        raise BackupError(f"the directory of the database file, {live.parent}, does not exist")
    if live.exists() and live.samefile(source):
        raise BackupError(f"{source} is the live database file itself; nothing was changed")
    uri = f"file:{quote(str(source.resolve()))}?mode=ro"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as backup_db:
            problems = [row[0] for row in backup_db.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"{source} is damaged (SQLite integrity check: "
                                  f"{'; '.join(problems[:3])}); nothing was changed")
            check_revision(_sqlite_revision(backup_db), source)
            # The backup API writes the live file in one transaction, through SQLite's own
            # locking and WAL: a failure rolls back, and a process that still has the file
            # open sees the old or the new database, never a mix (which replacing the file
            # and deleting its -wal and -shm beside it could not promise).
            with contextlib.closing(sqlite3.connect(live, timeout=30)) as live_db:
                backup_db.backup(live_db)
                live_db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite restore from {source} failed: {exc}; nothing was "
                          "changed") from None


# -- PostgreSQL -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTarget:
    """What pg_dump and pg_restore need: a libpq URI, the schema, and the password."""

    dbname: str  # libpq URI without password and without `options`
    schema: str | None  # the first schema on the URL's search_path, if it names one
    password: str | None

    def env(self) -> dict[str, str]:
        # The password goes through the environment: a command line is visible to every
        # user of the machine in `ps`.
        env = dict(os.environ)
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env

    def args(self) -> list[str]:
        # --no-password: fail at once instead of waiting for a prompt no one will answer.
        return [f"--dbname={self.dbname}", "--no-password"] + (
            [f"--schema={self.schema}"] if self.schema else [])


def pg_target(database_url: str) -> PgTarget:
    """Translate an SQLAlchemy URL (`postgresql+psycopg://...`) for pg_dump/pg_restore.

    The `options` query parameter is a libpq setting too, but pg_dump and pg_restore set
    their own session (search_path included) and must not get ours; a search_path in it
    becomes --schema instead. Other query parameters (sslmode, host=/socket/dir) pass on.
    """
    url = sa.make_url(database_url)
    query = {key: value for key, value in url.query.items() if key != "options"}
    plain = sa.URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=query)
    options = url.query.get("options", "")
    if not isinstance(options, str):  # given twice in the URL
        options = " ".join(options)
    return PgTarget(dbname=plain.render_as_string(hide_password=False),
                    schema=_search_path_schema(options), password=url.password)


def _search_path_schema(options: str) -> str | None:
    """The first schema of `-c search_path=...` (or `--search_path=...`) in libpq options."""
    settings: list[str] = []
    words = shlex.split(options)
    for index, word in enumerate(words):
        if word == "-c" and index + 1 < len(words):
            settings.append(words[index + 1])
        elif word.startswith(("-c", "--")):
            settings.append(word[2:])
    for setting in settings:
        name, _, value = setting.partition("=")
        if name.strip().lower().replace("-", "_") != "search_path":
            continue
        for entry in value.split(","):
            entry = entry.strip().strip('"')
            if entry and entry != "$user":
                return entry
    return None


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on the PATH. Install the PostgreSQL client "
                          "tools in the server's major version (Debian/Ubuntu: `apt install "
                          "postgresql-client`).")
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    """Run a PostgreSQL client tool; its stdout, or BackupError with its own words."""
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                                timeout=PG_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} took longer than {PG_TIMEOUT_SECONDS} s; stopped") from None
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        detail = "\n".join(lines[-8:]) or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed:\n{detail}")
    return result.stdout


def _pg_backup(database_url: str, partial: Path) -> None:
    target = pg_target(database_url)
    _run([_pg_tool("pg_dump"), "--format=custom", f"--file={partial}", *target.args()],
         target.env(), "pg_dump")


# Lines of `pg_restore --list`: "<id>; <catalog oid> <oid> TABLE <schema> <name> <owner>".
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ")


def _pg_archive_tables(pg_restore: str, source: Path) -> set[tuple[str, str]]:
    """(schema, table) of every table in a pg_dump archive; refuses a broken archive."""
    listing = _run([pg_restore, "--list", str(source)], dict(os.environ),
                   f"reading {source} with pg_restore")
    return {(m.group(1), m.group(2)) for line in listing.splitlines()
            if (m := _TOC_TABLE.match(line))}


def _pg_archive_revision(pg_restore: str, source: Path, schema: str) -> str | None:
    """alembic_version's row in the archive, read as SQL text without touching a database."""
    script = _run([pg_restore, "--data-only", f"--schema={schema}", "--table=alembic_version",
                   "--file=-", str(source)], dict(os.environ), f"reading {source}")
    lines = script.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and index + 1 < len(lines) and lines[index + 1] != "\\.":
            return lines[index + 1].strip()
    return None


def _pg_live_tables(database_url: str, schema: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            if schema not in inspector.get_schema_names():
                # pg_restore --schema restores what is in the schema, not the schema itself.
                raise BackupError(f"the schema {schema} does not exist in the database; "
                                  f'create it first (CREATE SCHEMA "{schema}")')
            return set(inspector.get_table_names(schema=schema))
    except sa.exc.OperationalError as exc:
        raise BackupError(f"cannot connect to the database: {str(exc.orig).strip()}") from None
    finally:
        engine.dispose()


def _pg_restore(database_url: str, source: Path) -> None:
    target = pg_target(database_url)
    pg_restore = _pg_tool("pg_restore")
    archived = _pg_archive_tables(pg_restore, source)
    schema = target.schema or "public"
    schemas = {table_schema for table_schema, _ in archived}
    if schema not in schemas:
        # pg_restore recreates objects in the schema they were dumped from, so restoring
        # elsewhere would leave the configured schema as it was and fill another one.
        raise BackupError(f"{source} holds schema {', '.join(sorted(schemas)) or '(none)'}, "
                          f"but the database URL uses schema {schema}; nothing was changed")
    revision = check_revision(_pg_archive_revision(pg_restore, source, schema), source)
    extra = _pg_live_tables(database_url, schema) - {name for s, name in archived if s == schema}
    if extra:
        # --clean drops only what the archive holds: newer tables would survive the restore,
        # and the next `db upgrade` would trip over them.
        raise BackupError(
            f"the database has tables the backup lacks ({', '.join(sorted(extra))}): it was "
            f"migrated past the backup's revision {revision}. Downgrade it first with the "
            f"release that migrated it (`flask --app app db downgrade {revision}`), or restore "
            "into an empty database; nothing was changed.")
    # One transaction: if anything fails, the database stays as it was. --no-owner: the
    # restoring role owns the objects, whoever owned them where the dump was taken.
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", *target.args(), str(source)], target.env(), "pg_restore")
