"""``aiwatch serve``: publish the live database with Datasette (see :mod:`aiwatch.serve`)."""

from __future__ import annotations

import click

from aiwatch.cli import AppContext, cli, user_errors


@cli.command()
@click.option(
    "--port",
    "-p",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--host",
    "host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to bind; use 0.0.0.0 to serve other machines.",
)
@click.option("--no-sql", is_flag=True, help="Turn arbitrary SQL off: only canned queries run.")
@click.pass_obj
def serve(app: AppContext, port: int, host: str, no_sql: bool) -> None:
    """Serve the database with Datasette: metadata, canned queries, feeds, entity and overview pages."""
    from aiwatch.serve import PortError, bind_socket, run_server

    config = app.config.replace(serve_allow_sql=False) if no_sql else app.config
    if not app.db_path.is_file():
        raise click.ClickException(
            f"database {app.db_path}: no such file (run `aiwatch demo` or `aiwatch update` first)"
        )
    with user_errors(PortError):
        sock = bind_socket(host, port)  # a busy port fails before any work
    try:
        app.db()  # create/migrate the schema (and views) before Datasette opens it read-only
        app.close()
        run_server(app.db_path, config, host=host, port=port, echo=click.echo, sock=sock)
    except (FileNotFoundError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        sock.close()
