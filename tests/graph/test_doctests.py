"""Run the docstring examples of the graph modules."""

from __future__ import annotations

import doctest

import pytest

import graph.contributions
import graph.export
import graph.metrics
import graph.query
import graph.totals

MODULES = [graph.contributions, graph.export, graph.metrics, graph.query, graph.totals]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
