"""Database plumbing: declarative base, engine, one session per app context.

Services receive a session and only `flush()`. The edge (view, command, job) commits once;
`session_scope()` is that edge for code that runs outside a request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker

from advocacy import mail

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def like_pattern(text: str) -> str:
    """A case-insensitive "contains" pattern for LIKE ... ESCAPE '\\' in which % and _ typed
    by a person are plain characters, not wildcards."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC (the only kind of datetime we store)."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend.

    PostgreSQL keeps the zone; SQLite has none, so values are stored as naive UTC and handed
    back aware. Naive values are refused on the way in: they are always a bug here.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use advocacy.db.utcnow()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


# Column shapes used in many models.
intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[dt.datetime, mapped_column(default=utcnow)]
bool_false = Annotated[bool, mapped_column(default=False, server_default=sa.false())]
bool_true = Annotated[bool, mapped_column(default=True, server_default=sa.true())]


@dataclass
class Page(Generic[T]):
    """One page of a longer list, as every list page shows it."""

    items: list[T]
    page: int
    pages: int
    total: int


def paginate(session: Session, query: sa.Select[tuple[T]], page: int, per_page: int,
             *order_by: Any, options: tuple[Any, ...] = ()) -> Page[T]:
    """Count the rows of `query`, then load the requested page (clamped to the last) in
    `order_by` order: two queries, plus one per loader option."""
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.scalars(query.options(*options).order_by(*order_by)
                           .limit(per_page).offset((page - 1) * per_page))
    return Page(list(rows), page, pages, total)


@dataclass
class Database:
    """What the app owns of the database; kept in `app.extensions["advocacy.db"]`."""

    engine: Engine
    sessionmaker: sessionmaker[Session]
    # Tests run each test inside one transaction on one connection; code that talks to
    # the database without a session (the tracked links) uses it too. None in production.
    bound: sa.Connection | None = None


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and transactions SQLAlchemy controls.

    pysqlite opens transactions lazily on its own, which breaks SAVEPOINT handling; letting
    SQLAlchemy emit BEGIN itself is the documented fix (SQLAlchemy "Serializable isolation /
    Savepoints / Transactional DDL" section for pysqlite).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout
        # instead of one failing with "database is locked" when it upgrades its lock.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """Create the engine for a SQLite or PostgreSQL URL with our connection settings."""
    url_obj = sa.make_url(url)
    if url_obj.get_backend_name() == "postgresql" and url_obj.drivername == "postgresql":
        url_obj = url_obj.set(drivername="postgresql+psycopg")
    options: dict[str, Any] = {}
    if url_obj.get_backend_name() == "postgresql":
        options["pool_pre_ping"] = True
        # JIT compilation costs 25-40 ms per query once the planner's estimate passes
        # jit_above_cost, which the feed's targeting subqueries do; our queries are short
        # (bench/README.md). Options already in the URL (e.g. a search_path) are kept.
        existing = url_obj.query.get("options", "")
        if "jit=" not in str(existing):
            url_obj = url_obj.update_query_dict({"options": f"{existing} -c jit=off".strip()})
    engine = sa.create_engine(url_obj, **options)
    if url_obj.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    factory = sessionmaker(engine, expire_on_commit=False)
    mail.install(factory)
    app.extensions["advocacy.db"] = Database(engine=engine, sessionmaker=factory)
    app.teardown_appcontext(_close_session)


def get_database(app: Flask | None = None) -> Database:
    database: Database = (app or current_app).extensions["advocacy.db"]
    return database


def get_session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    session: Session = g.db_session
    return session


def end_request_transaction() -> None:
    """End the request's transaction before a call to a network.

    Such a call can take seconds, and the work after it commits in its own session; an
    open read transaction would only hold back PostgreSQL's vacuum meanwhile (and, in the
    tests, where every session shares one connection, wrap the job's commit in a savepoint
    that the request then rolls back). Loaded objects stay readable, detached.
    """
    session = g.get("db_session")
    if session is not None:
        session.close()


def db_guard(app: Flask) -> AbstractContextManager[Any]:
    """Held around database work done from several threads at once (the outbox's lanes).

    In production each thread's session has its own connection and nothing needs holding.
    The tests run every session on one shared connection (`Database.bound`), which two
    threads must not use at the same time: there this is a lock.
    """
    database = get_database(app)
    if database.bound is None:
        return nullcontext()
    lock = app.extensions.setdefault("advocacy.db_guard", threading.RLock())
    return lock  # type: ignore[no-any-return]


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session for a command or job: commit once at the end, roll back on error."""
    session = get_database(app).sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    mail.deliver(app, mail.take_ready(session))
