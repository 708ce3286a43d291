"""Browser fixtures: the real app on a real port, driven by Debian's headless Chromium.

Every test gets a database of its own (`fresh_database_url`), a live server on a free
loopback port that sends mail to the loopback SMTP server of `smtp_config`, and a fresh
browser context. The browser itself is shared by the whole session; Playwright never
downloads one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from advocacy import create_app
from advocacy.db import get_database, session_scope
from tests import factories
from tests.conftest import base_config
from tests.support import free_port, skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass(frozen=True)
class Person:
    """What tests need to know about a seeded person (plain data, no ORM object)."""

    id: int
    email: str
    name: str
    password: str = factories.PASSWORD


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask
    admin: Person
    employee: Person


def _seed(app: Flask) -> tuple[Person, Person]:
    with app.app_context(), session_scope(app) as session:
        admin = factories.make_user(session, email="ada.admin@example.org", name="Ada Admin",
                                    roles={"admin", "employee"}, language="en", tier_id=1)
        employee = factories.make_user(session, email="erin.employee@example.org",
                                       name="Erin Employee", language="en", tier_id=3)
        people = tuple(Person(id=u.id, email=u.email, name=u.name) for u in (admin, employee))
    return people[0], people[1]


@pytest.fixture
def live_config() -> dict[str, Any]:
    """Extra configuration of the live server; a test module overrides it."""
    return {}


@pytest.fixture
def live_server(fresh_database_url: str, smtp_config: dict[str, Any], live_config: dict[str, Any],
                tmp_path: Path) -> Iterator[LiveServer]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(base_config(fresh_database_url, **smtp_config, BASE_URL=url,
                                 UPLOAD_DIR=str(tmp_path / "uploads"), **live_config))
    admin, employee = _seed(app)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=url, app=app, admin=admin, employee=employee)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        get_database(app).engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        skip_or_fail(f"Debian chromium not installed at {CHROMIUM}; bin/test installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh context; keyword arguments go to `browser.new_context`."""
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        context = browser.new_context(locale="en-US", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()
