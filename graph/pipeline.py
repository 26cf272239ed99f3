"""The graph stage as one call: load, compute metrics, write back, optionally export.

``aiwatch graph`` and ``aiwatch update`` both call :func:`rebuild`; it owns no CLI or ``runs`` bookkeeping.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.build import load_graph
from graph.export import export_graph
from graph.metrics import compute_metrics
from graph.store import write_graph

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())


@dataclass
class GraphStats:
    """What one build produced, for the summary line and the ``runs`` row."""

    nodes: int = 0
    edges: int = 0
    edges_by_kind: dict[str, int] = field(default_factory=dict)
    communities: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    export: str | None = None
    changed: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": self.edges, "edges_by_kind": dict(self.edges_by_kind),
                "communities": self.communities, "seconds": round(self.seconds, 3),
                "timings": {k: round(v, 3) for k, v in self.timings.items()}, "export": self.export,
                "changed": self.changed}

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.edges_by_kind.items())) or "none"
        line = (f"graph: {self.nodes} nodes, {self.edges} edges ({kinds}), {self.communities} communities "
                f"in {self.seconds:.1f}s")
        line += "" if self.changed else " (tables unchanged)"
        return line + (f"; exported {self.export}" if self.export else "")


def rebuild(conn: sqlite3.Connection, *, betweenness_k: int, seed: int,
            export: str | os.PathLike[str] | None = None) -> GraphStats:
    """Rebuild ``graph_nodes``/``graph_edges`` from the extraction tables; export to ``export`` if given."""
    stats = GraphStats()
    start = time.perf_counter()
    G = load_graph(conn)
    stats.timings["load"] = time.perf_counter() - start
    mark = time.perf_counter()
    metrics = compute_metrics(G, betweenness_k=betweenness_k, seed=seed)
    stats.timings["metrics"] = time.perf_counter() - mark
    mark = time.perf_counter()
    stats.changed = bool(write_graph(conn, G, metrics)["changed"])
    stats.timings["write"] = time.perf_counter() - mark
    if export is not None:
        mark = time.perf_counter()
        stats.export = str(export_graph(G, Path(export), metrics))
        stats.timings["export"] = time.perf_counter() - mark
    stats.nodes = G.number_of_nodes()
    stats.edges = G.number_of_edges()
    stats.edges_by_kind = dict(Counter(kind for _, _, kind in G.edges(keys=True)))
    stats.communities = len({m["community"] for m in metrics.values() if m["community"] is not None})
    stats.seconds = time.perf_counter() - start
    log.debug(stats.summary())
    return stats
