"""The production pieces: gunicorn with deploy/gunicorn.conf.py, the schema check before
serving, and the process files naming commands that exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from advocacy import PROJECT_ROOT, create_app
from tests.conftest import TEST_TOKEN_KEY
from tests.support import free_port, migrate

pytestmark = pytest.mark.slow

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def _environment(database: Path) -> dict[str, str]:
    return {**os.environ, "ADVOCACY_SECRET_KEY": "deploy-test-secret-key",
            "ADVOCACY_TOKEN_KEYS": TEST_TOKEN_KEY,
            "ADVOCACY_DATABASE_URL": f"sqlite:///{database}",
            "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "2", "GUNICORN_ACCESSLOG": ""}


def _gunicorn(database: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "app:app"],
        cwd=PROJECT_ROOT, env=_environment(database), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)


def test_gunicorn_serves_the_migrated_site_in_production_mode(tmp_path):
    database = tmp_path / "site.sqlite"
    migrate(f"sqlite:///{database}")
    port = free_port()
    server = _gunicorn(database, port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start: {server.stdout.read()}")  # type: ignore[union-attr]
                time.sleep(0.3)
        assert health.json() == {"status": "ok", "database": "ok"}
        login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
        assert login.status_code == 200
        # Production mode: cookies only over https.
        assert "Secure" in login.headers["set-cookie"]
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_gunicorn_refuses_a_database_that_was_not_migrated(tmp_path):
    database = tmp_path / "empty.sqlite"
    server = _gunicorn(database, free_port())
    try:
        output, _ = server.communicate(timeout=60)
    finally:
        server.kill()
    assert server.returncode != 0
    assert "run `flask --app app db upgrade`" in output


def test_schema_check_names_an_older_schema(tmp_path):
    from advocacy.db import get_database
    from advocacy.schema import schema_problem

    database = tmp_path / "old.sqlite"
    migrate(f"sqlite:///{database}", "3385e47288b3")  # an earlier revision
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "TOKEN_KEYS": TEST_TOKEN_KEY,
                      "DATABASE_URL": f"sqlite:///{database}"})
    with get_database(app).engine.connect() as connection:
        assert "older than this version" in (schema_problem(connection) or "")
    migrate(f"sqlite:///{database}")
    with get_database(app).engine.connect() as connection:
        assert schema_problem(connection) is None
    get_database(app).engine.dispose()


def test_process_files_name_commands_that_exist(app):
    """Procfile and the systemd units run `flask --app app <group> <command>`: each must be
    a real command, so a typo cannot sit there until someone deploys."""
    texts = [(PROJECT_ROOT / "Procfile").read_text()]
    texts += [unit.read_text() for unit in (PROJECT_ROOT / "deploy/systemd").glob("*.service")]
    commands = re.findall(r"flask --app app (\w+) ([\w-]+)", "\n".join(texts))
    assert ("advocacy", "scheduler") in commands and ("db", "upgrade") in commands
    cli = app.cli
    for group, name in commands:
        assert name in cli.get_command(None, group).commands, f"{group} {name}"  # type: ignore[arg-type, union-attr]
    assert all("gunicorn -c deploy/gunicorn.conf.py" in text for text in texts
               if "gunicorn" in text)
