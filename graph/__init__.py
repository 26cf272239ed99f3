"""The graph stage: networkx over entities, claims and co-mentions -> graph tables and exports.

Public entry points (the CLI and ``aiwatch update``/``demo`` call these):

* :func:`aiwatch.graph.pipeline.update_graph` -- bring the graph tables up to date with the articles changed
  since the last build (or all of them), compute metrics, write back atomically, optionally export.
* :func:`aiwatch.graph.build.load_graph` -- the ``MultiDiGraph`` from the database.
* :func:`aiwatch.graph.metrics.compute_metrics` -- degree, PageRank, betweenness, communities, first/last
  seen.
* :func:`aiwatch.graph.export.export_graph` -- GraphML, GEXF or node-link JSON by suffix.
* :func:`aiwatch.graph.query.shortest_paths`, :func:`aiwatch.graph.query.neighbors` -- evidence-backed chains.

This package imports only the shared ground (``aiwatch`` schema and config), never another stage.
"""
