"""Geometry of the server-side SVG pictures (pure functions; their doctests run with the package's)."""

from __future__ import annotations

import pytest

from aiwatch.datasette_plugin import svg


def test_stacked_bars_fill_missing_months_and_stack_series():
    chart = svg.stacked_bars(
        [("2025-01", "a", 2), ("2025-03", "a", 1), ("2025-03", "b", 3)], series=["a", "b"]
    )
    assert [b["label"] for b in chart["bars"]] == ["2025-01", "2025-02", "2025-03"]
    empty, third = chart["bars"][1], chart["bars"][2]
    assert empty["segments"] == [] and third["total"] == 4
    # Segments stack upwards from the axis without gaps, within the plot area.
    low, high = third["segments"]
    assert low["y"] + low["h"] == pytest.approx(chart["axis_y"], abs=0.2)
    assert high["y"] + high["h"] == pytest.approx(low["y"], abs=0.2)
    assert high["y"] >= chart["top"] - 0.1
    assert [item["name"] for item in chart["legend"]] == ["a", "b"]


def test_stacked_bars_keeps_only_the_last_bars():
    counts = [(f"20{y:02d}-{m:02d}", "x", 1) for y in range(10, 20) for m in range(1, 13)]
    chart = svg.stacked_bars(counts, max_bars=24)
    assert len(chart["bars"]) == 24 and chart["bars"][-1]["label"] == "2019-12"


def test_network_is_deterministic_and_inside_the_picture():
    nodes = {n: {"name": n.title(), "type": "ai_lab", "href": f"/e/{n}"} for n in "abcdefg"}
    edges = [("a", x, "co_mention", 1) for x in "bcdefg"] + [
        ("b", "c", "accusation", 3),
        ("c", "b", "denial", 1),
        ("a", "zzz", "co_mention", 1),
    ]
    first = svg.network("a", nodes, edges, seed=7)
    assert first == svg.network("a", nodes, edges, seed=7)
    assert len(first["nodes"]) == 7
    # Parallel edges between b and c merge into one, coloured as an accusation; unknown nodes are dropped.
    assert len(first["edges"]) == 7
    merged = next(e for e in first["edges"] if "accusation" in e["kinds"])
    assert merged["weight"] == 4 and merged["colour"] == svg.EDGE_COLOURS["accusation"]
    for node in first["nodes"]:
        assert 0 <= node["x"] <= first["width"] and 0 <= node["y"] <= first["height"]
    # Every node has its own row, so labels cannot overlap.
    ys = sorted(node["y"] for node in first["nodes"])
    assert min(b - a for a, b in zip(ys, ys[1:], strict=False)) >= 14
    assert [n for n in first["nodes"] if n["is_center"]][0]["id"] == "a"


def test_network_of_nothing_or_one_node():
    assert svg.network("a", {}, [])["nodes"] == []
    single = svg.network("a", {"a": {"name": "A", "type": "chip", "href": "/e/a"}}, [])
    assert len(single["nodes"]) == 1 and single["edges"] == []


def test_hbars_scale_to_largest():
    chart = svg.hbars([("A", 0.2, "/a"), ("B", 0.1, "/b")])
    assert chart["rows"][0]["w"] == pytest.approx(2 * chart["rows"][1]["w"], rel=0.01)
