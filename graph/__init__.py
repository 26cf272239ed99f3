"""The graph stage: networkx over entities, claims and co-mentions -> graph tables and exports.

Public entry points (the CLI and ``aiwatch update``/``demo`` call these):

* :func:`aiwatch.graph.pipeline.rebuild` -- load, compute metrics, write back atomically, optionally export.
* :func:`aiwatch.graph.build.load_graph` -- the ``MultiDiGraph`` from the database.
* :func:`aiwatch.graph.metrics.compute_metrics` -- degree, PageRank, betweenness, communities, first/last
seen.
* :func:`aiwatch.graph.export.export_graph` -- GraphML, GEXF or node-link JSON by suffix.
* :func:`aiwatch.graph.query.shortest_paths`, :func:`aiwatch.graph.query.neighbors` -- evidence-backed chains.

This package imports only ``aiwatch`` (schema and transactions), never ``crawler`` or ``extract``.
"""
