"""A faster array facet: the same results as Datasette's, counted per distinct array value first.

Datasette 0.65's array facet pairs every element with a copy of its whole row (``distinct j.value, inner.*``),
so over 100k articles it sorts 100k full article texts and takes seconds. Here the rows are first grouped by
the JSON array text (a covering-index scan when the column is indexed, as ``articles.topics`` is), then each
distinct array is expanded once, its elements deduplicated, and weighted by how many rows hold it: the same
counts (a row counts once per distinct element), in a few milliseconds. :func:`replace_array_facet` swaps it
in for the built-in class; the output (names, toggle URLs, "selected" state) is the built-in's.
"""

from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import ArrayFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


def array_facet_sql(column: str, sql: str, limit: int) -> str:
    """Per-element row counts of the JSON array ``column`` over the rows of ``sql``."""
    col = escape_sqlite(column)
    return f"""
        with arrays as (
            select {col} as arr, count(*) as n from ({sql}) where {col} is not null group by {col}
        ),
        elements as (
            select distinct arrays.arr, j.value as value, arrays.n from arrays, json_each(arrays.arr) j
        )
        select value, sum(n) as count from elements group by value order by count desc, value limit {limit}
    """


class FastArrayFacet(ArrayFacet):
    """Datasette's ``array`` facet with a grouped query (see the module docstring)."""

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        size = self.get_facet_size()
        pairs = self.get_querystring_pairs()
        for item in self.get_configs():
            config, source = item["config"], item["source"]
            column = config.get("column") or config["simple"]
            try:
                rows = await self.ds.execute(
                    self.database, array_facet_sql(column, self.sql, size + 1), self.params,
                    truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            for row in rows.rows[:size]:
                value = str(row["value"])
                arg = {f"{column}__arraycontains": value}
                selected = (f"{column}__arraycontains", value) in pairs
                path = path_with_removed_args(self.request, arg) if selected else path_with_added_args(
                    self.request, arg)
                values.append({"value": value, "label": value, "count": row["count"],
                               "toggle_url": self.ds.absolute_url(self.request, path), "selected": selected})
            results.append({
                "name": column, "type": self.type, "results": values, "hideable": source != "metadata",
                "toggle_url": self.ds.urls.path(
                    path_with_removed_args(self.request, {"_facet_array": column})),
                "truncated": len(rows) > size,
            })
        return results, timed_out


def replace_array_facet(classes: list[list[type]]) -> list[list[type]]:
    """The facet class lists with Datasette's ``ArrayFacet`` replaced by :class:`FastArrayFacet`."""
    return [[FastArrayFacet if cls is ArrayFacet else cls for cls in group] for group in classes]
