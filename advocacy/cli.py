"""Command line: `flask --app app db ...` (migrations) and `flask --app app advocacy ...`."""

from __future__ import annotations

import datetime as dt
import signal
import sys
from pathlib import Path
from types import FrameType

import click
import sqlalchemy as sa
from alembic import command
from flask import Flask, current_app
from flask.cli import AppGroup

from advocacy.core.services import audit
from advocacy.db import get_database, session_scope
from advocacy.schema import alembic_config

db_cli = AppGroup("db", help="Database migrations (Alembic).")
advocacy_cli = AppGroup("advocacy", help="Run, seed and maintain the advocacy platform.")


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
        audit(session, None, "admin.created", {"email": user.email})
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
            audit(session, None, "admin.keys_rotated", {"secrets": count})
    except SecretError as exc:
        raise click.ClickException(f"{exc}; nothing was changed. Keep every key still in "
                                   "use in ADVOCACY_TOKEN_KEYS.") from None
    click.echo(f"{count} stored secrets now use the newest key; older keys can be removed.")


RESTORE_WARNING = ("Stop the web and scheduler processes first (e.g. `systemctl stop "
                   "advocacy-web advocacy-scheduler`): requests or jobs running during the "
                   "restore write into a database that is being replaced.")


@advocacy_cli.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path | None) -> None:
    """Back up the database to PATH.

    The default is instance/backups/advocacy-<UTC time>.sqlite (or .dump for PostgreSQL).
    SQLite is copied online, while the site runs; PostgreSQL with pg_dump (custom format).
    """
    from advocacy.backup import SUFFIXES, BackupError, backend_of, backup

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config["DATABASE_URL"]
    try:
        if path is None:
            path = _default_backup_path(Path(app.instance_path), SUFFIXES[backend_of(url)])
        result = backup(url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written: {result.path} ({_size(result.size)})")


def _default_backup_path(instance: Path, suffix: str) -> Path:
    folder = instance / "backups"
    # 0700: backups hold password hashes and encrypted tokens.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"advocacy-{stamp}.{suffix}"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    amount, unit = size / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if amount < 1024:
            break
        amount, unit = amount / 1024, bigger
    return f"{amount:.1f} {unit}"


@advocacy_cli.command("restore", help=f"""Replace the database's contents with the backup
at PATH (made by `advocacy backup`).

{RESTORE_WARNING} Afterwards run `flask --app app db upgrade` if the backup is from an older
release, then start the processes again.""")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    from advocacy.backup import BackupError, restore

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = app.config["DATABASE_URL"]
    if not yes:
        click.echo(RESTORE_WARNING)
        try:
            confirmed = click.confirm(
                f"Replace everything in {_describe(url)} with {path}?", default=False)
        except click.Abort:
            # No terminal (cron, a pipe without an answer): never restore unasked.
            raise click.ClickException("no answer to the confirmation (stdin closed); nothing "
                                       "was changed. Pass --yes to restore without asking.") \
                from None
        if not confirmed:
            click.echo("Nothing was changed.")
            return
    # The app's own pooled connections would keep the old database's view open.
    get_database(app).engine.dispose()
    try:
        result = restore(url, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {path} (schema revision {result.revision}).")
    if result.needs_upgrade:
        click.echo("The backup is from an older release: run `flask --app app db upgrade` "
                   "before starting the web and scheduler processes.")
    else:
        click.echo("The schema is current; start the web and scheduler processes again.")


def _describe(url: str) -> str:
    """The database, named without its password."""
    return sa.make_url(url).render_as_string(hide_password=True)


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
    result = run_job(current_app._get_current_object(), job,  # type: ignore[attr-defined]
                     once=True)
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

