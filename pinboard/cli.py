"""The `pinboard` command. The only place (with run.py) that picks and patches an async library.

Monkey-patching has to happen before anything imports sockets or threads, so `main` reads the
settings (standard library only) and patches first, then imports the app.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from typing import Any

import click

from .config import ConfigError, Settings, load_settings


def _option_value(argv: list[str], name: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def prepare_async_mode(argv: list[str]) -> None:
    """Patch the standard library for the configured async mode (eventlet or gevent)."""
    if not argv or argv[0] != "run" or _option_value(argv, "--workers") not in (None, "1"):
        return  # `run --workers N` only starts and watches the server processes
    try:
        settings = load_settings(
            _option_value(argv, "--config"), overrides={"async_mode": _option_value(argv, "--async-mode")}
        )
    except ConfigError:
        return  # the command itself reports the error
    if settings.async_mode == "eventlet":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # eventlet announces its maintenance mode on import
            import eventlet

        eventlet.monkey_patch()
    elif settings.async_mode == "gevent":
        from gevent import monkey

        monkey.patch_all()


def main(argv: list[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    prepare_async_mode(arguments)
    cli.main(args=arguments, prog_name="pinboard")


@click.group()
def cli() -> None:
    """pinboard: a live workshop pinboard."""


def _settings(config: str | None, **overrides: Any) -> Settings:
    try:
        return load_settings(config, overrides=overrides)
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


@cli.command()
@click.option("--host", default=None, help="Address to listen on (0.0.0.0: reachable from the room's Wi-Fi).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 5000).")
@click.option("--config", "config", default=None, help="Settings file (default: config.toml if present).")
@click.option("--async-mode", type=click.Choice(["eventlet", "gevent", "threading"]), default=None)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
    help="Server processes on consecutive ports from --port (needs PostgreSQL and a message queue).",
)  # fmt: skip
def run(host: str | None, port: int | None, config: str | None, async_mode: str | None, workers: int) -> None:
    """Start the server (migrating the database first)."""
    settings = _settings(config, host=host, port=port, async_mode=async_mode)
    if workers > 1:
        from .workers import WorkerError, run_workers

        try:
            raise SystemExit(run_workers(settings, workers, config))
        except WorkerError as error:
            raise click.UsageError(str(error)) from None
    from .app import create_app

    app = create_app(settings)
    _announce(settings)
    serve(app, settings)


def _announce(settings: Settings) -> None:
    shown_hosts = [settings.host]
    if settings.host in ("0.0.0.0", "::"):
        from .network import lan_addresses

        shown_hosts = ["127.0.0.1", *lan_addresses()]
    click.echo(f"pinboard is running ({settings.async_mode}, {_database_label(settings)}).")
    for shown in shown_hosts:
        click.echo(f"  Start page (create a workshop): http://{shown}:{settings.port}/")
        click.echo(f"  Participants join at:          http://{shown}:{settings.port}/j")
    if settings.host in ("0.0.0.0", "::"):
        click.echo("Phones on the same network use the LAN address; the QR code on the board shows it.")
    else:
        click.echo("Only this computer can reach it; use --host 0.0.0.0 to let phones in the room join.")
    click.echo("Press Ctrl+C to stop.")
    sys.stdout.flush()


def _database_label(settings: Settings) -> str:
    url = settings.resolved_database_url()
    if url.startswith("sqlite"):
        return "SQLite " + url.split("///", 1)[-1]
    return url.split("://", 1)[0] + " database"


def serve(app: Any, settings: Settings) -> None:
    from .app import socketio_of

    socketio = socketio_of(app)
    if settings.async_mode == "eventlet":
        _serve_eventlet(app, settings)
    elif settings.async_mode == "threading":
        socketio.run(
            app, host=settings.host, port=settings.port, allow_unsafe_werkzeug=True, log_output=False
        )
    else:
        _serve_gevent(app, settings)


def _serve_eventlet(app: Any, settings: Settings) -> None:
    import eventlet
    import eventlet.wsgi

    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    listener = eventlet.listen((settings.host, settings.port), family=family, backlog=2048)
    # Without TCP_NODELAY, Nagle's algorithm holds small frames (acks, events) for delayed ACKs.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app, log_output=False, max_size=10_000)


def _serve_gevent(app: Any, settings: Settings) -> None:
    """gevent's WSGI server on a listening socket with TCP_NODELAY (accepted sockets inherit it),
    as for eventlet: an ack right after the event to the same phone otherwise waits for its ACK."""
    from gevent import pywsgi

    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind((settings.host, settings.port))
    listener.listen(2048)
    pywsgi.WSGIServer(listener, app, log=None).serve_forever()


@cli.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
@click.option("--config", "config", default=None)
@click.option("--revision", default="head", show_default=True)
def db_upgrade(config: str | None, revision: str) -> None:
    """Apply the schema migrations up to REVISION."""
    from .database import Database
    from .migrations import upgrade_database

    settings = _settings(config)
    database = Database(settings.resolved_database_url())
    upgrade_database(database, revision)
    database.dispose()
    click.echo(f"database upgraded to {revision}")


@cli.command("export")
@click.argument("workshop_id")
@click.option(
    "--format", "fmt", default="docx", show_default=True,
    type=click.Choice(["docx", "pdf", "html", "md", "json", "csv", "svg", "png"]),
)  # fmt: skip
@click.option(
    "-o", "--output", default=None, type=click.Path(dir_okay=False),
    help="File to write (default: the suggested file name, in the current directory; - for standard output).",
)  # fmt: skip
@click.option("--authors/--no-authors", default=False, help="Show the authors' names beside the cards.")
@click.option("--board", "board_id", type=int, default=None, help="The board to draw (svg, png).")
@click.option("--pictures/--no-pictures", default=True, help="Board pictures in docx, pdf and html.")
@click.option("--config", "config", default=None, help="Settings file (default: config.toml if present).")
def export_command(
    workshop_id: str, fmt: str, output: str | None, authors: bool, board_id: int | None, pictures: bool,
    config: str | None,
) -> None:  # fmt: skip
    """Export a workshop (reads the database directly; no key needed on the server)."""
    from .database import Database
    from .errors import DomainError
    from .exports import ExportOptions, export_workshop

    settings = _settings(config)
    database = Database(settings.resolved_database_url())
    try:
        options = ExportOptions(fmt, authors=authors, board_id=board_id, pictures=pictures)
        exported = export_workshop(database, workshop_id, options)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    finally:
        database.dispose()
    if output == "-":
        with click.open_file("-", "wb") as stdout:
            stdout.write(exported.content)
        return
    from pathlib import Path

    target = Path(output or exported.filename)
    target.write_bytes(exported.content)
    click.echo(f"wrote {target} ({len(exported.content):,} bytes)", err=True)


@cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--config", "config", default=None, help="Settings file (default: config.toml if present).")
def import_command(file: Any, config: str | None) -> None:
    """Create a new workshop from a workshop file (exported with --format json)."""
    import json

    from .credentials import derive_secret
    from .database import Database
    from .errors import DomainError
    from .exports.workshop_json import import_workshop, load_workshop_file
    from .migrations import upgrade_database
    from .workshops import PROJECTOR

    settings = _settings(config)
    try:
        payload = json.loads(file.read())
    except (ValueError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file.name} is not JSON: {error}") from None
    database = Database(settings.resolved_database_url())
    try:
        upgrade_database(database)
        content = load_workshop_file(payload)
        with database.write() as session:
            created = import_workshop(session, content)
            workshop_id, join_code = created.workshop.id, created.workshop.join_code or ""
    except DomainError as error:
        details = f" {error.fields}" if error.fields else ""
        raise click.ClickException(f"{error.message}{details}") from None
    finally:
        database.dispose()
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = settings.public_url.rstrip("/") or f"http://{host}:{settings.port}"
    projector_key = derive_secret(created.moderator_key, PROJECTOR)
    click.echo(f"Imported as workshop {workshop_id}; participants join with the code {join_code}.")
    click.echo(f"  Moderator: {base}/m/{workshop_id}#key={created.moderator_key}")
    click.echo(f"  Projector: {base}/p/{workshop_id}#key={projector_key}")
    click.echo(f"  Join:      {base}/j/{join_code}")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--config", "config", default=None)
def backup(file: Path, config: str | None) -> None:
    """Write a consistent copy of the database to FILE, while the server keeps running.

    SQLite: a copy made with SQLite's online backup API (restore: stop the server, replace the
    database file with the copy). PostgreSQL: pg_dump's custom format (restore with pg_restore).
    """
    from .backup import BackupError
    from .backup import backup as make_backup
    from .database import Database

    database = Database(_settings(config).resolved_database_url())
    try:
        written = make_backup(database, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    finally:
        database.dispose()
    click.echo(f"backup written to {written}")


@cli.command()
@click.option("--days", type=int, default=None, help="Default: the purge_after_days setting.")
@click.option("--config", "config", default=None)
def purge(days: int | None, config: str | None) -> None:
    """Delete every workshop whose last activity is more than DAYS days ago."""
    from .database import Database
    from .retention import purge_inactive

    settings = _settings(config)
    days = settings.purge_after_days if days is None else days
    if days <= 0:
        raise click.UsageError("give --days N (N > 0) or set purge_after_days")
    database = Database(settings.resolved_database_url())
    with database.write() as session:
        deleted = purge_inactive(session, days)
    database.dispose()
    click.echo(f"deleted {len(deleted)} workshop(s) inactive for more than {days} days")
