"""Claim events, stories and threads (see :mod:`aiwatch.graph.events.pipeline`)."""
