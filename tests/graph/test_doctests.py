"""Run the docstring examples of the graph modules."""

from __future__ import annotations

import doctest

import aiwatch.graph.contributions
import aiwatch.graph.export
import aiwatch.graph.metrics
import aiwatch.graph.query
import aiwatch.graph.totals
import pytest

MODULES = [aiwatch.graph.contributions, aiwatch.graph.export, aiwatch.graph.metrics, aiwatch.graph.query,
aiwatch.graph.totals]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
