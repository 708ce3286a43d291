"""Test fixtures: every database test runs on SQLite, and on PostgreSQL whenever one answers.

Isolation: the schema is migrated once per backend and session; each test then runs inside
an outer transaction that is rolled back afterwards (code under test may commit: its commits
become savepoints). Tests that need several real connections (scheduler lease, live server)
use `fresh_database_url`, a database of their own.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from advocacy import create_app
from advocacy.db import get_database
from tests import factories
from tests.support import (
    IN_CI,
    POSTGRES_URL,
    compile_translations,
    free_port,
    migrate,
    postgres_problem,
    schema_url,
    skip_or_fail,
)

pytest_plugins = ["tests.fakes.fixtures", "tests.oidc.fixtures", "tests.twittertext.fixtures"]

BACKENDS = ("sqlite", "postgresql")


def pytest_report_header(config: pytest.Config) -> str:
    problem = postgres_problem()
    if problem is None:
        return f"PostgreSQL: {POSTGRES_URL} answers; database tests run on SQLite and PostgreSQL"
    return (f"PostgreSQL: NOT reachable at {POSTGRES_URL} ({problem}); "
            "PostgreSQL tests are skipped" + (" - and fail, because CI=true" if IN_CI else ""))


def pytest_sessionstart(session: pytest.Session) -> None:
    compile_translations()


TEST_TOKEN_KEY = "yDlHkq4uVmgKxJo9dN1xy3x4wZ3q8lX0o3o4v1k2y8g="


def base_config(database_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "TOKEN_KEYS": TEST_TOKEN_KEY,
        "DATABASE_URL": database_url,
        "BASE_URL": "http://localhost",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every database that needs one."""
    path = tmp_path_factory.mktemp("db") / "template.sqlite"
    migrate(f"sqlite:///{path}")
    return path


def _require_postgres() -> None:
    problem = postgres_problem()
    if problem is not None:
        skip_or_fail(f"PostgreSQL not reachable at {POSTGRES_URL}: {problem}")


@contextmanager
def _migrated_database(backend: str, template: Path, folder: Path) -> Iterator[str]:
    """A migrated database: a copy of the SQLite template, or a new PostgreSQL schema."""
    if backend == "sqlite":
        path = folder / "test.sqlite"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    _require_postgres()
    with schema_url() as url:
        migrate(url)
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, _sqlite_template: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database per backend, shared by the session's isolated tests."""
    with _migrated_database(request.param, _sqlite_template,
                            tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def fresh_database_url(request: pytest.FixtureRequest, _sqlite_template: Path,
                       tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, committed for real; SQLite unless parametrized
    indirectly with "postgresql"."""
    with _migrated_database(getattr(request, "param", "sqlite"), _sqlite_template,
                            tmp_path) as url:
        yield url


@pytest.fixture
def config_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Override in a test module to change the app's configuration, or per test with
    `@pytest.mark.parametrize("config_overrides", [{...}], indirect=True)`."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
def app(database_url: str, config_overrides: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    app = create_app(base_config(database_url, UPLOAD_DIR=str(tmp_path / "uploads"),
                                 **config_overrides))
    database = get_database(app)
    connection = database.engine.connect()
    outer = connection.begin()
    database.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    database.bound = connection
    try:
        yield app
    finally:
        outer.rollback()
        connection.close()
        database.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session on the test's connection, like the one each request gets.

    No app context stays pushed: requests made during the test must each get their own,
    as in production (a shared one would leak `g` from request to request). Objects read
    here do not see a request's changes until refreshed.
    """
    session = get_database(app).sessionmaker()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def backend(database_url: str) -> str:
    return sa.make_url(database_url).get_backend_name()


class Client(FlaskClient):
    """The Flask test client plus CSRF-aware helpers (CSRF stays switched on in tests)."""

    _token: str | None = None

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Read the body, then close the response, as a real server does: work registered
        with `call_on_close` (mail delivery) runs then."""
        response = super().open(*args, **kwargs)
        response.get_data()
        response.close()
        return response

    def csrf_token(self) -> str:
        if self._token is None:
            page = self.get("/login", follow_redirects=True).get_data(as_text=True)
            match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
            assert match, "no CSRF token on the page"
            self._token = match.group(1)
        return self._token

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        payload = {"csrf_token": self.csrf_token(), **(data or {})}
        return self.post(url, data=payload, **kwargs)

    def login(self, email: str, password: str = factories.PASSWORD) -> Any:
        response = self.post_form("/login", {"email": email, "password": password})
        self._token = None  # the session was renewed on login
        return response

    def logout(self) -> Any:
        response = self.post_form("/logout")
        self._token = None
        return response


@pytest.fixture
def client(app: Flask) -> Client:
    app.test_client_class = Client
    test_client = app.test_client()
    # Anonymous pages follow the browser's language; tests read English unless they switch.
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client  # type: ignore[return-value]


@pytest.fixture
def make_user(db: Session) -> Any:
    def make(**kwargs: Any) -> Any:
        user = factories.make_user(db, **kwargs)
        db.commit()
        return user

    return make


@pytest.fixture
def login_as(client: Client, make_user: Any) -> Any:
    """Log the client in as a new person with the given roles; return that person."""

    def login(*roles: str, **kwargs: Any) -> Any:
        user = make_user(roles=set(roles) or {"employee"}, **kwargs)
        response = client.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """`with count_queries() as counter:` records every SQL statement the app sends."""
    engine = get_database(app).engine

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            counter.statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


class Mailbox:
    """What a real SMTP server on loopback received."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Any]:
        """Block until `count` messages have arrived (they are sent after the response)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert len(self.messages) >= count, f"expected {count} mails, got {len(self.messages)}"
        return self.messages

    @staticmethod
    def link_in(message: Any) -> str:
        body = message.get_body(preferencelist=("plain",)).get_content()
        match = re.search(r"http://localhost(/\S+)", body)
        assert match, body
        return match.group(1)


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp: tuple[Mailbox, int]) -> Mailbox:
    return smtp[0]


@pytest.fixture
def smtp_config(smtp: tuple[Mailbox, int]) -> dict[str, Any]:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp[1], "MAIL_SENDER": "noreply@example.org"}


def _bluesky_peer_dir() -> Path:
    """../shared/peers/bluesky beside the checkout, or where ADVOCACY_BLUESKY_PEER says (a
    clone made elsewhere, as CI may do, still finds the workplace's copy)."""
    candidates = [Path(os.environ["ADVOCACY_BLUESKY_PEER"])] \
        if os.environ.get("ADVOCACY_BLUESKY_PEER") else []
    candidates += [Path(__file__).resolve().parents[2] / "shared" / "peers" / "bluesky",
                   Path("/work/shared/peers/bluesky")]
    return next((c for c in candidates if (c / "start.sh").exists()), candidates[0])


BLUESKY_PEER = _bluesky_peer_dir()


@pytest.fixture(scope="session")
def bluesky_peer() -> Iterator[dict[str, Any]]:
    """A real Bluesky PDS on loopback (../shared/peers/bluesky), started once per run.

    bin/test installs it; without it the Bluesky tests are skipped locally and fail in CI.
    """
    import json
    import subprocess

    start = BLUESKY_PEER / "start.sh"
    result = subprocess.run([str(start)], capture_output=True, text=True, timeout=180) \
        if start.exists() else None
    if result is None or result.returncode != 0:
        reason = "missing" if result is None else result.stderr.strip().splitlines()[-1:]
        skip_or_fail(f"the Bluesky peer did not start ({reason}); bin/test installs it")
    try:
        yield json.loads(result.stdout)
    finally:
        subprocess.run([str(BLUESKY_PEER / "stop.sh")], capture_output=True, timeout=60)
