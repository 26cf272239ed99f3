"""Datasette plugin for aiwatch: entity and overview pages, per-connection limits, links."""
