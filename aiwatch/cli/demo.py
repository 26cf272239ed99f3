"""``aiwatch demo``: the whole pipeline over the bundled sample site, offline, then serve it."""

from __future__ import annotations

import errno
from contextlib import ExitStack, closing
from dataclasses import replace

import click

from aiwatch.cli import AppContext, cli, user_errors
from aiwatch.cli.pipeline import Sources
from aiwatch.cli.update import report, update_app
from aiwatch.config import Config

DEFAULT_SITE_PORT = 8765


def sample_site_sources(base_url: str) -> Sources:
    """Every discovery path the sample site offers: RSS, Atom and the sitemap index (incl. news sitemap)."""
    return Sources(feeds=(f"{base_url}/feed.xml", f"{base_url}/atom.xml"),
                   sitemaps=(f"{base_url}/sitemap_index.xml",))


def demo_config(config: Config) -> Config:
    """The sample site is our own loopback server: no politeness delay needed (robots.txt still obeyed)."""
    return config.replace(download_delay=0, autothrottle=False)


def _serve_site(stack: ExitStack, port: int) -> str:
    """Start the sample site on ``port``; return its base URL.

    A busy port is an error, never a silent move to another port: the stored article URLs name the port, and
    would stop opening once this demo ends.
    """
    from aiwatch.crawler.sample_site import serve

    try:
        return stack.enter_context(serve(port=port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"sample site port {port} is busy (another `aiwatch demo` still running?): stop it, or "
                "choose another port with --site-port N (stored article URLs name the port)") from None
        raise click.ClickException(f"sample site: cannot listen on 127.0.0.1:{port}: "
                                   f"{exc.strerror or exc}") from None


@cli.command()
@click.option("--no-serve", is_flag=True, help="Build the database and exit instead of serving it.")
@click.option("--port", "-p", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port for Datasette.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface for Datasette.")
@click.option("--site-port", default=DEFAULT_SITE_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port for the bundled sample site (stable, so stored article URLs stay the same).")
@click.pass_obj
def demo(app: AppContext, no_serve: bool, port: int, host: str, site_port: int) -> None:
    """Crawl, extract and graph the bundled sample site into the database, then serve it with Datasette.

    Works offline. Both ports are taken before any work, so a busy one fails at once. The sample site keeps
    running on 127.0.0.1 while Datasette serves, so article links open.
    """
    from aiwatch.serve import PortError, bind_socket

    with ExitStack() as stack:
        sock = None
        if not no_serve:
            with user_errors(PortError):
                sock = stack.enter_context(closing(bind_socket(host, port)))
        base_url = _serve_site(stack, site_port)
        if app.verbosity >= 0:
            click.echo(f"Sample site at {base_url}/")
        local = replace(app, config=demo_config(app.config), _conn=None)
        report(update_app(local, sample_site_sources(base_url), None), app.verbosity)
        if no_serve:
            return
        from aiwatch.serve import run_server

        app.close()
        run_server(app.db_path, app.config, host=host, port=port, echo=click.echo, sock=sock)
