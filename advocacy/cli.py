"""Command line: `flask --app app db ...` (migrations) and `flask --app app advocacy ...`."""

from __future__ import annotations

import signal
import sys
from types import FrameType

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup

from advocacy import PROJECT_ROOT
from advocacy.db import session_scope

db_cli = AppGroup("db", help="Database migrations (Alembic).")
advocacy_cli = AppGroup("advocacy", help="Run, seed and maintain the advocacy platform.")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option(
        "file_template",
        "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s",
    )
    config.set_main_option("timezone", "UTC")
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. -1 or base)."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    command.current(alembic_config(), verbose=True)


@db_cli.command("history")
def db_history() -> None:
    """List all migrations."""
    command.history(alembic_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="What the migration does.")
@click.option("--autogenerate", is_flag=True, help="Compare models and database.")
def db_revision(message: str, autogenerate: bool) -> None:
    """Create a new migration file (read and edit it before committing)."""
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@db_cli.command("check")
def db_check() -> None:
    """Fail when the models and the migrated database differ."""
    command.check(alembic_config())


@advocacy_cli.command("demo")
@click.option("--password", help="Password for the demo logins (default: random, printed).")
@click.option("--if-empty", is_flag=True, help="Do nothing when people exist already.")
def demo(password: str | None, if_empty: bool) -> None:
    """Load the demo company (idempotent) and print its logins."""
    from advocacy.demo import database_is_empty, load_demo

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with session_scope(app) as session:
        if if_empty and not database_is_empty(session):
            click.echo("Demo data not loaded: the database has people already. Run "
                       "`flask --app app advocacy demo` to get new demo passwords.")
            return
        logins = load_demo(session, password, app.config)
    click.echo("Demo company ready. Log in at " + app.config["BASE_URL"] + " with:")
    for email, role, login_password in logins:
        click.echo(f"  {email:<24} {login_password:<24} ({role})")


@advocacy_cli.command("create-admin")
@click.argument("email")
@click.option("--name", help="Full name (default: taken from the e-mail address).")
@click.password_option(help="The admin's password (asked for when not given).")
def create_admin(email: str, name: str | None, password: str) -> None:
    """Create an admin, or make an existing person an admin, and set the password."""
    from advocacy.people.services import ensure_admin

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with session_scope(app) as session:
        try:
            user = ensure_admin(session, email, name, password,
                                app.config["PASSWORD_MIN_LENGTH"])
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{user.email} is an admin.")


@advocacy_cli.command("new-token-key")
def new_token_key() -> None:
    """Print a fresh key for ADVOCACY_TOKEN_KEYS."""
    from advocacy.crypto import new_key

    click.echo(new_key())


@advocacy_cli.command("rotate-token-keys")
def rotate_token_keys() -> None:
    """Re-encrypt every stored token and secret under the first key of ADVOCACY_TOKEN_KEYS.

    Put the new key in front of the old ones, run this, then drop the old keys."""
    from advocacy.accounts.services import rotate_secrets
    from advocacy.crypto import SecretError, vault

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with session_scope(app) as session:
            count = rotate_secrets(session, vault(app))
    except SecretError as exc:
        raise click.ClickException(f"{exc}; nothing was changed. Keep every key still in "
                                   "use in ADVOCACY_TOKEN_KEYS.") from None
    click.echo(f"{count} stored secrets now use the newest key; older keys can be removed.")


@advocacy_cli.command("scheduler")
def scheduler() -> None:
    """Run the scheduler in this process (production: exactly one such process)."""
    from advocacy.scheduler import LeasedScheduler

    runner = LeasedScheduler(current_app._get_current_object(),  # type: ignore[attr-defined]
                             blocking=True)
    _stop_on_sigterm()
    try:
        runner.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        runner.shutdown()


@advocacy_cli.command("run-job")
@click.argument("job_id")
def run_job_command(job_id: str) -> None:
    """Run one scheduled job once, now (see `flask advocacy jobs`)."""
    from advocacy.scheduler import find_job, run_job

    try:
        job = find_job(job_id)
    except KeyError:
        raise click.ClickException(f"no job called {job_id!r}; see `flask advocacy jobs`") from None
    result = run_job(current_app._get_current_object(), job)  # type: ignore[attr-defined]
    click.echo(f"{job.id}: {result}")


@advocacy_cli.command("jobs")
def list_jobs() -> None:
    """List the scheduled jobs."""
    from advocacy.scheduler import JOBS

    for job in JOBS:
        click.echo(f"{job.id:<28} {job.trigger} {job.trigger_args}  {job.description}")


@advocacy_cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve(host: str, port: int) -> None:
    """Embedded mode: serve the site and run the scheduler in this one process."""
    from werkzeug.serving import run_simple

    from advocacy.scheduler import LeasedScheduler

    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    runner = LeasedScheduler(app, blocking=False)
    runner.start()
    _stop_on_sigterm()
    try:
        # Werkzeug's threaded server: plenty for one machine; production runs gunicorn.
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        runner.shutdown()


def _stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so the lease is released on the way out."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        sys.exit(0)

    signal.signal(signal.SIGTERM, handler)


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(advocacy_cli)

