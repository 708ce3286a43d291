"""Helpers shared by fixtures and tests (no fixtures here)."""

from __future__ import annotations

import functools
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
import sqlalchemy as sa
from alembic import command
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from advocacy import create_app
from advocacy.db import make_engine
from advocacy.schema import alembic_config

POSTGRES_URL = os.environ.get(
    "ADVOCACY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TRANSLATIONS = Path(__file__).resolve().parent.parent / "advocacy" / "translations"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(message: str) -> NoReturn:
    """A missing real part (a database, a browser, a peer) skips locally and saying why;
    in CI it is a failure, so nothing goes untested there unnoticed."""
    if IN_CI:
        pytest.fail(message + " (CI must run these tests)")
    pytest.skip(message)


@functools.cache
def postgres_problem() -> str | None:
    """None when PostgreSQL answers, else a short reason."""
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure means "not usable here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    finally:
        engine.dispose()
    return None


@contextmanager
def schema_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema; the URL puts it first on the search path."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    """Run the real migrations against `url`, as `flask db upgrade` does; the target
    "base" (or `down`) runs the downgrades to it instead."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url,
                      "TOKEN_KEYS": "yDlHkq4uVmgKxJo9dN1xy3x4wZ3q8lX0o3o4v1k2y8g=",
                      "LOG_LEVEL": "WARNING"})
    with app.app_context():
        if revision == "base" or down:
            command.downgrade(alembic_config(), revision)
        else:
            command.upgrade(alembic_config(), revision)
    app.extensions["advocacy.db"].engine.dispose()


def compile_translations() -> None:
    """Compile the .po catalogues the way `pybabel compile` does, so tests see them."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
