"""Geometry for the server-side SVG pictures: bar charts and network neighbourhoods.

Pure functions returning plain dicts of coordinates; the Jinja templates turn them into inline SVG (so every
label passes through autoescape). No JavaScript, no external assets: the pictures render offline.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

# Colour-blind-friendly palette (Okabe-Ito) for topics, claim kinds and entity types.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
TYPE_COLOURS = {
    "ai_lab": "#0072B2",
    "company": "#56B4E9",
    "government": "#D55E00",
    "person": "#CC79A7",
    "ai_model": "#009E73",
    "chip": "#E69F00",
    "policy": "#F0E442",
    "country": "#999999",
    "organization": "#8C6D31",
    "other": "#BBBBBB",
}
EDGE_COLOURS = {
    "co_mention": "#AAAAAA",
    "accusation": "#D55E00",
    "denial": "#0072B2",
    "statement": "#56B4E9",
    "policy_action": "#E69F00",
    "announcement": "#009E73",
}
# What each line colour means, in the legend.
EDGE_NAMES = {"co_mention": "named together", "policy_action": "policy action"}


def month_range(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last`` inclusive.

    >>> month_range("2025-11", "2026-02")
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end and len(months) < 1200:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _nice_max(value: float) -> float:
    """Round ``value`` up to 1, 2 or 5 times a power of ten (for the axis).

    >>> _nice_max(7), _nice_max(13), _nice_max(0)
    (10.0, 20.0, 1.0)
    """
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


MONTH = re.compile(r"[12][0-9]{3}-(0[1-9]|1[0-2])")


def stacked_bars(
    counts: Iterable[tuple[str, str, float]],
    series: Sequence[str] | None = None,
    *,
    width: int = 720,
    height: int = 220,
    fill_months: bool = True,
    max_bars: int = 60,
) -> dict[str, Any]:
    """Lay out a stacked bar chart of ``(category, series, value)`` triples.

    Categories are ``YYYY-MM`` months when ``fill_months`` (gaps become empty bars) and keep their order
    otherwise; only the last ``max_bars`` categories are drawn. Returns the SVG size, the bars (one per
    category, each with coloured segments), the y-axis ticks and the legend.
    """
    table: dict[str, dict[str, float]] = {}
    order: list[str] = []
    for category, name, value in counts:
        if not category or (fill_months and not (isinstance(category, str) and MONTH.fullmatch(category))):
            continue  # a month the database got wrong is left out, never a reason to fail the page
        if name not in order:
            order.append(name)
        row = table.setdefault(category, {})
        row[name] = row.get(name, 0) + float(value or 0)
    names = list(series) if series else order
    for name in order:
        if name not in names:
            names.append(name)
    categories = list(table)
    if fill_months and categories:
        ordered = sorted(categories)
        categories = month_range(ordered[0], ordered[-1])
    categories = categories[-max_bars:]
    left, right, top, bottom = 40, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((sum(table.get(c, {}).values()) for c in categories), default=0))
    slot = plot_w / max(len(categories), 1)
    bar_w = max(2.0, slot * 0.8)
    label_every = max(1, math.ceil(len(categories) / 12))
    bars = []
    for i, category in enumerate(categories):
        x = left + i * slot + (slot - bar_w) / 2
        y_base = top + plot_h
        segments = []
        total = 0.0
        for j, name in enumerate(names):
            value = table.get(category, {}).get(name, 0)
            if value <= 0:
                continue
            h = plot_h * value / top_value
            y_base -= h
            total += value
            segments.append(
                {
                    "y": round(y_base, 1),
                    "h": round(h, 1),
                    "colour": PALETTE[j % len(PALETTE)],
                    "series": name,
                    "value": value,
                }
            )
        bars.append(
            {
                "x": round(x, 1),
                "w": round(bar_w, 1),
                "label": category,
                "total": total,
                "show_label": i % label_every == 0,
                "label_x": round(x + bar_w / 2, 1),
                "segments": segments,
            }
        )
    ticks = [{"y": round(top + plot_h - plot_h * f, 1), "value": _fmt(top_value * f)} for f in (0, 0.5, 1)]
    legend = [{"name": name, "colour": PALETTE[j % len(PALETTE)]} for j, name in enumerate(names)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "top": top,
        "plot_w": plot_w,
        "plot_h": plot_h,
        "axis_y": top + plot_h,
        "bars": bars,
        "ticks": ticks,
        "legend": legend,
    }


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2g}"


def hbars(items: Sequence[tuple[str, float, str]], *, width: int = 460, row_h: int = 22,
          percent: bool = False) -> dict[str, Any]:
    """Horizontal bars for ``(label, value, href)`` items (e.g. entities by PageRank), largest first;
    ``percent`` writes values as percentages (a share such as PageRank: 0.123 -> 12.3%)."""
    label_w = 200
    top_value = max((v for _, v, _ in items), default=0) or 1.0
    rows = []
    for i, (label, value, href) in enumerate(items):
        w = (width - label_w - 60) * (value / top_value)
        rows.append(
            {
                "y": i * row_h,
                "label": label,
                "value": value,
                "value_text": f"{value:.1%}" if percent else f"{value:.3f}",
                "href": href,
                "w": round(max(w, 1.0), 1),
                "label_w": label_w,
            }
        )
    return {"width": width, "height": max(row_h * len(rows), row_h), "rows": rows, "label_w": label_w}


def _layout(graph: nx.Graph, center: str | None, seed: int) -> dict[str, tuple[float, float]]:
    """Seeded spring layout (``center`` pinned), then each axis replaced by the nodes' rank on it.

    The ranks keep who sits left/right and above/below of whom (so clusters stay together) while spacing
    nodes evenly: every node gets its own row, so labels never sit on top of each other. Edge weight is
    shown by stroke width rather than used for attraction, which would pile strong pairs together.
    """
    n = graph.number_of_nodes()
    if n == 1:
        return {next(iter(graph)): (0.5, 0.5)}
    spread = 2.0 / math.sqrt(n)
    if center in graph:
        pos = nx.spring_layout(
            graph, pos={center: (0.0, 0.0)}, fixed=[center], k=spread, seed=seed, weight=None, iterations=200
        )
    else:
        pos = nx.spring_layout(graph, k=spread, seed=seed, weight=None, iterations=200)
    order = sorted(pos)

    def ranks(axis: int) -> dict[str, float]:
        ranked = sorted(order, key=lambda node: (pos[node][axis], node))
        return {node: i / (n - 1) for i, node in enumerate(ranked)}

    rx, ry = ranks(0), ranks(1)
    return {node: (rx[node], ry[node]) for node in order}


def network(
    center: str | None,
    nodes: dict[str, dict[str, Any]],
    edges: Iterable[tuple[str, str, str, float]],
    *,
    seed: int = 42,
    width: int = 640,
    height: int = 420,
) -> dict[str, Any]:
    """Lay out a small network with a seeded spring layout (``center`` pinned in the middle).

    ``nodes`` maps id to ``{"name", "type", "href"}``; ``edges`` are ``(source, target, kind, weight)``.
    Parallel edges of different kinds between the same pair are merged (weights summed, kinds listed).
    The same input always gives the same picture.
    """
    graph = nx.Graph()
    for node_id in sorted(nodes):
        graph.add_node(node_id)
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for source, target, kind, weight in edges:
        if source == target or source not in nodes or target not in nodes:
            continue
        key = (source, target) if source < target else (target, source)
        entry = merged.setdefault(key, {"weight": 0.0, "kinds": []})
        entry["weight"] += float(weight or 0)
        if kind not in entry["kinds"]:
            entry["kinds"].append(kind)
    for (a, b), entry in sorted(merged.items()):
        graph.add_edge(a, b, weight=max(entry["weight"], 0.1))
    if graph.number_of_nodes() == 0:
        empty: dict[str, list] = {"nodes": [], "edges": []}
        return {"width": width, "height": height, "nodes": [], "edges": [], "legend": empty}
    height = max(height, 22 * graph.number_of_nodes() + 2 * 24)
    pos = _layout(graph, center, seed)
    margin_x, margin_y = 70, 24

    def place(node_id: str) -> tuple[float, float]:
        x, y = pos[node_id]
        return round(margin_x + x * (width - 2 * margin_x), 1), round(
            margin_y + y * (height - 2 * margin_y), 1
        )

    max_weight = max((e["weight"] for e in merged.values()), default=1.0) or 1.0
    drawn_edges = []
    for (a, b), entry in sorted(merged.items()):
        (x1, y1), (x2, y2) = place(a), place(b)
        kind = "accusation" if "accusation" in entry["kinds"] else entry["kinds"][0]
        drawn_edges.append(
            {
                "x1": x1,
                "y1": y1,
                "x2": x2,
                "y2": y2,
                "kinds": ", ".join(entry["kinds"]),
                "weight": entry["weight"],
                "colour": EDGE_COLOURS.get(kind, "#AAAAAA"),
                "stroke": round(1 + 4 * entry["weight"] / max_weight, 1),
                # Links of the centre entity stand out; links among its neighbours stay in the background.
                "opacity": 0.8 if center is None or center in (a, b) else 0.25,
                "title": f"{nodes[a].get('name', a)} – {nodes[b].get('name', b)}: "
                + ", ".join(entry["kinds"]),
            }
        )
    drawn_nodes = []
    for node_id in sorted(nodes):
        if node_id not in graph:
            continue
        x, y = place(node_id)
        info = nodes[node_id]
        drawn_nodes.append(
            {
                "id": node_id,
                "x": x,
                "y": y,
                "r": 14 if node_id == center else 9,
                "colour": TYPE_COLOURS.get(str(info.get("type")), "#BBBBBB"),
                "name": str(info.get("name") or node_id),
                "type": str(info.get("type") or ""),
                "href": info.get("href"),
                "is_center": node_id == center,
                "anchor": "end" if x > width * 0.75 else "start",
                "label_dx": -12 if x > width * 0.75 else 12,
            }
        )
    legend = {
        "nodes": [{"name": t.replace("_", " "), "colour": c} for t, c in TYPE_COLOURS.items()
                  if any(n["type"] == t for n in drawn_nodes)],
        "edges": [{"name": EDGE_NAMES.get(k, k), "colour": c} for k, c in EDGE_COLOURS.items()
                  if any(e["colour"] == c for e in drawn_edges)],
    }
    return {"width": width, "height": height, "nodes": drawn_nodes, "edges": drawn_edges, "legend": legend}
