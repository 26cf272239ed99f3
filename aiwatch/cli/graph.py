"""``aiwatch graph``: rebuild the graph tables (and export), or ask the graph for paths and neighbours.

The ``graph`` package (networkx, numpy, scipy) is imported inside the commands, so other ``aiwatch``
commands start without it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from aiwatch.cli import AppContext, cli, user_errors
from aiwatch.db import CLAIM_KINDS
from aiwatch.runs import recorded_run

if TYPE_CHECKING:
    from aiwatch.graph.query import Hop

KINDS = ("co_mention", *CLAIM_KINDS)


@cli.group(invoke_without_command=True)
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the graph to this file (.graphml, .gexf or .json, by suffix).")
@click.option("--full", is_flag=True,
              help="Rebuild from every article instead of applying the articles that changed since the last "
                   "build.")
@click.pass_context
def graph(ctx: click.Context, export_path: Path | None, full: bool) -> None:
    """Update graph_nodes and graph_edges from entities, mentions and claims.

    Only articles whose mentions, claims, date or duplicate status changed since the last build are
    re-read; --full rebuilds from every article. Subcommands query the last build: `path A B` and
    `neighbors A`.
    """
    app: AppContext = ctx.obj
    if ctx.invoked_subcommand is not None:
        if export_path is not None or full:
            raise click.UsageError("--export and --full apply to the build, not to a subcommand")
        return
    from aiwatch.graph.events.pipeline import EventSettings
    from aiwatch.graph.export import ExportError, check_export_path
    from aiwatch.graph.pipeline import update_graph

    if export_path is not None:
        with user_errors(ExportError):
            check_export_path(export_path)  # fail before the rebuild, not after it
    conn = app.writable_db()
    with user_errors(ExportError), recorded_run(conn, "graph", expected=(ExportError,)) as run:
        stats = update_graph(conn, betweenness_k=app.config.graph_betweenness_k, seed=app.config.graph_seed,
                             export=export_path, full=full, events=EventSettings.from_config(app.config))
        run.stats = stats.as_dict()
    if app.verbosity >= 0:
        click.echo(stats.summary())


def _name(G, node: str) -> str:
    return G.nodes[node].get("name") or node if node in G else node


def _format_hop(G, hop: Hop) -> list[str]:
    arrow = f"--{hop.kind}-->" if hop.forward else f"<--{hop.kind}--"
    if hop.kind == "co_mention":
        arrow = "--co_mention--"
    unit = "sentence" if hop.kind == "co_mention" else "article"
    count = int(hop.weight) if float(hop.weight).is_integer() else hop.weight
    plural = "s" if count != 1 else ""
    lines = [f"  {_name(G, hop.source)} {arrow} {_name(G, hop.target)}  ({count} {unit}{plural})"]
    if hop.evidence is not None:
        ev = hop.evidence
        lines += textwrap.wrap(f'"{ev.sentence.strip()}"', width=100, initial_indent="      ",
                               subsequent_indent="       ")
        title = f"{ev.article_title}  " if ev.article_title else ""
        lines.append(f"      {(ev.date or 'undated')[:10]}  {title}{ev.article_url}")
    return lines


def _resolve(conn, text: str) -> str:
    from aiwatch.graph.query import QueryError, resolve_entity

    try:
        return resolve_entity(conn, text)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None


@graph.command()
@click.argument("a")
@click.argument("b")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 50),
              help="Most chains to show.")
@click.pass_obj
def path(app: AppContext, a: str, b: str, limit: int) -> None:
    """Show the shortest evidence-backed chains between entities A and B (id, name or alias)."""
    from aiwatch.graph.query import QueryError, graph_of, shortest_paths

    conn = app.writable_db()
    G = graph_of(conn)
    try:
        chains = shortest_paths(G, a, b, limit=limit, conn=conn)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None
    start, end = _resolve(conn, a), _resolve(conn, b)
    if not chains:
        click.echo(f"No connection between {_name(G, start)} and {_name(G, end)}.")
        return
    for number, chain in enumerate(chains, 1):
        names = [_name(G, chain[0].source)] + [_name(G, hop.target) for hop in chain]
        click.echo(f"Path {number} ({len(chain)} hop{'s' if len(chain) != 1 else ''}): {' -> '.join(names)}")
        for hop in chain:
            click.echo("\n".join(_format_hop(G, hop)))
        click.echo("")


@graph.command("neighbors")
@click.argument("a")
@click.option("--kind", type=click.Choice(KINDS), help="Only relationships of this kind.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="Most relationships to show.")
@click.pass_obj
def neighbors_command(app: AppContext, a: str, kind: str | None, limit: int) -> None:
    """List the relationships of entity A (id, name or alias), strongest first, with evidence."""
    from aiwatch.graph.query import attach_evidence, graph_of, neighbors

    conn = app.writable_db()
    G = graph_of(conn)
    node = _resolve(conn, a)
    if node not in G:
        raise click.ClickException(f"entity {a!r}: has no relationships in the graph (run `aiwatch graph`?)")
    hops = neighbors(G, node, kind=kind)
    if not hops:
        click.echo(f"{_name(G, node)} has no {kind + ' ' if kind else ''}relationships.")
        return
    shown = attach_evidence(conn, hops[:limit])
    click.echo(f"{_name(G, node)}: {len(hops)} relationship{'s' if len(hops) != 1 else ''}"
               + (f" (showing {limit})" if len(hops) > limit else ""))
    for hop in shown:
        click.echo("\n".join(_format_hop(G, hop)))
