"""Docstrings name only code that exists: every Sphinx-style reference to an ``aiwatch`` object resolves."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("aiwatch", "crawler", "extract", "graph")
REFERENCE = re.compile(r":(?:func|mod|class|meth|data|attr|exc):`~?(aiwatch(?:\.\w+)+)`")


def resolves(dotted: str) -> bool:
    """True when ``dotted`` names a module, or an attribute reachable from the longest importable module."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def test_resolves_knows_good_from_bad() -> None:
    assert resolves("aiwatch.graph.pipeline.update_graph") and resolves("aiwatch.db")
    assert not resolves("aiwatch.graph.pipeline.rebuild") and not resolves("aiwatch.nosuch")


def test_every_docstring_reference_resolves() -> None:
    broken = []
    for folder in FOLDERS:
        for path in sorted((REPO / folder).rglob("*.py")):
            for match in REFERENCE.finditer(path.read_text(encoding="utf-8")):
                if not resolves(match.group(1)):
                    line = path.read_text(encoding="utf-8").count("\n", 0, match.start()) + 1
                    broken.append(f"{path.relative_to(REPO)}:{line}: {match.group(0)}")
    assert broken == []
