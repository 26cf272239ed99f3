"""The ``aiwatch`` command line: a thin click layer over plain functions in each stage.

Each command lives in its own module in this package and registers itself on :data:`cli`. Domain errors
(bad config, unusable database, bad input) become one-line messages with a non-zero exit; logging is
configured here and nowhere else.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click

from aiwatch import __version__
from aiwatch.config import Config, ConfigError, load_config
from aiwatch.db import DatabaseOpenError, SchemaError, check_writable, connect

log = logging.getLogger("aiwatch")

# Exceptions whose message is already a complete one-line explanation for the user.
USER_ERRORS: tuple[type[BaseException], ...] = (ConfigError, DatabaseOpenError, SchemaError)


@contextmanager
def user_errors(*types: type[BaseException]) -> Iterator[None]:
    """Turn a command's own domain errors (each message a complete explanation) into ``Error: ...``."""
    try:
        yield
    except types as exc:
        raise click.ClickException(str(exc)) from None


@dataclass
class AppContext:
    """What every command needs: where the database is and the resolved settings."""

    db_path: Path
    config: Config
    verbosity: int = 0
    _conn: sqlite3.Connection | None = field(default=None, repr=False)

    def db(self) -> sqlite3.Connection:
        """The migrated database connection (opened once per command)."""
        if self._conn is None:
            self._conn = connect(self.db_path)
        return self._conn

    def writable_db(self) -> sqlite3.Connection:
        """:meth:`db` for a command that writes: a read-only file is refused first, for root too."""
        if self._conn is None:
            check_writable(self.db_path)
        return self.db()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class AiwatchGroup(click.Group):
    """Turns domain errors into one-line ``Error:`` messages instead of tracebacks."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except USER_ERRORS as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            db = ctx.obj.db_path if isinstance(ctx.obj, AppContext) else "database"
            raise click.ClickException(f"database {db}: {exc}") from None
        finally:
            if isinstance(ctx.obj, AppContext):
                ctx.obj.close()


def configure_logging(verbosity: int) -> None:
    """Log to stderr: INFO by default, DEBUG with -v, WARNING with -q."""
    level = logging.DEBUG if verbosity > 0 else logging.WARNING if verbosity < 0 else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party libraries are chatty at INFO; keep them at WARNING unless -v.
    for name in ("scrapy", "py.warnings", "trafilatura", "htmldate", "urllib3", "asyncio", "filelock"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity > 0 else logging.WARNING)


@click.group(cls=AiwatchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", envvar="AIWATCH_DB", default="aiwatch.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database file.")
@click.option("--config", "config_path", envvar="AIWATCH_CONFIG",
              type=click.Path(dir_okay=False, path_type=Path), help="TOML settings file.")
@click.option("-v", "--verbose", count=True, help="More log output.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.version_option(__version__, prog_name="aiwatch")
@click.pass_context
def cli(ctx: click.Context, db_path: Path, config_path: Path | None, verbose: int, quiet: bool) -> None:
    """Track AI distillation disputes and chip export controls as a knowledge graph in SQLite."""
    verbosity = -1 if quiet else verbose
    configure_logging(verbosity)
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.obj = AppContext(db_path=db_path, config=config, verbosity=verbosity)


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="aiwatch")
    except KeyboardInterrupt:
        click.echo("Error: interrupted", err=True)
        sys.exit(130)


def _register_commands() -> None:
    """Import the command modules so they attach themselves to :data:`cli`."""
    import importlib

    for name in ("crawl", "extract", "graph", "update", "serve", "demo", "ingest"):
        importlib.import_module(f"aiwatch.cli.{name}")


_register_commands()
