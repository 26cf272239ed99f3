"""Export the graph as GraphML, GEXF (Gephi) or node-link JSON, chosen by the file suffix.

Nodes carry ``label`` (the entity name, which Gephi shows), ``name``, ``type``, ``curated``,
``article_count``, ``first_seen``, ``last_seen`` and, when metrics are given, ``degree``, ``pagerank``,
``betweenness`` and ``community``. Edges carry ``kind``, ``weight``, ``first_seen``, ``last_seen``,
``articles`` (co-mentions) and ``evidence`` as a JSON-encoded string (GraphML and GEXF take no lists).
Missing values are left out rather than written as empty strings, so types survive a round trip.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

FORMATS = (".graphml", ".gexf", ".json")


class ExportError(Exception):
    """The graph cannot be written to the requested path."""


def export_view(G: nx.MultiDiGraph,
                metrics: Mapping[Any, Mapping[str, Any]] | None = None) -> nx.MultiDiGraph:
    """A copy of ``G`` with format-safe attributes (scalars only, no ``None``); ``G`` is not changed.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("deepseek", name="DeepSeek", type="ai_lab", first_seen=None)
    >>> _ = G.add_edge("deepseek", "deepseek", key="statement", kind="statement", evidence=[3, 1])
    >>> E = export_view(G, {"deepseek": {"community": 0, "pagerank": 1.0}})
    >>> E.nodes["deepseek"]["label"], "first_seen" in E.nodes["deepseek"], E.nodes["deepseek"]["community"]
    ('DeepSeek', False, 0)
    >>> E.edges["deepseek", "deepseek", "statement"]["evidence"]
    '[3, 1]'
    """
    metrics = metrics or {}
    E = nx.MultiDiGraph()
    for n, data in G.nodes(data=True):
        attrs = {"label": data.get("name", str(n)), **data, **{k: v for k, v in metrics.get(n, {}).items()}}
        E.add_node(n, **_scalars(attrs))
    for u, v, key, data in G.edges(keys=True, data=True):
        attrs = dict(data)
        attrs.setdefault("kind", key)
        if "evidence" in attrs:
            attrs["evidence"] = json.dumps(list(attrs["evidence"]))
        E.add_edge(u, v, key=key, **_scalars(attrs))
    return E


def _scalars(attrs: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, bool | int | float | str):
            out[k] = v
        else:
            out[k] = json.dumps(v, default=str)
    return out


def check_export_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a ``Path`` if it can be exported to (known suffix, existing directory), else ExportError.

    >>> check_export_path("graph.csv")
    Traceback (most recent call last):
    ...
    aiwatch.graph.export.ExportError: export graph.csv: unknown format '.csv'; use one of .graphml, .gexf,
    .json
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"export {target}: unknown format {suffix or '(no suffix)'!r}; "
                          f"use one of {', '.join(FORMATS)}")
    if not target.parent.is_dir():
        raise ExportError(f"export {target}: directory {target.parent} does not exist")
    if target.is_dir():
        raise ExportError(f"export {target}: is a directory")
    return target


def export_graph(G: nx.MultiDiGraph, path: str | os.PathLike[str],
                 metrics: Mapping[Any, Mapping[str, Any]] | None = None) -> Path:
    """Write ``G`` (with optional node ``metrics``) to ``path`` in the format its suffix names.

    The file is written beside the target and renamed into place, so a reader never sees half a file.
    """
    target = check_export_path(path)
    suffix = target.suffix.lower()
    E = export_view(G, metrics)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if suffix == ".graphml":
            nx.write_graphml(E, partial, named_key_ids=True)
        elif suffix == ".gexf":
            nx.write_gexf(E, partial)
        else:
            data = nx.node_link_data(E, edges="edges")
            with open(partial, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(f"export {target}: {exc.strerror or exc}") from None
    return target


def read_export(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read a file written by :func:`export_graph` back into a ``MultiDiGraph``."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".graphml":
        return nx.read_graphml(target, force_multigraph=True, edge_key_type=str)
    if suffix == ".gexf":
        return nx.read_gexf(target)
    if suffix == ".json":
        with open(target, encoding="utf-8") as fh:
            return nx.node_link_graph(json.load(fh), directed=True, multigraph=True, edges="edges")
    raise ExportError(f"export {target}: unknown format {suffix!r}")
