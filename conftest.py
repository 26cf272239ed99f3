"""Tests see the packages as installed, and doctests import them under their installed names.

``python -m pytest`` puts the working directory first on ``sys.path``, where ``crawler/`` or ``extract/``
would import under their folder names and hide a reference to them that an installed copy cannot satisfy
(the test subprocesses, which start elsewhere, would fail where the tests pass). It is taken off.

``--doctest-modules`` (in ``pyproject.toml``) collects every module of ``aiwatch/``, ``crawler/``,
``extract/`` and ``graph/``. pytest would import ``crawler/page/topics.py`` as ``crawler.page.topics``, a
second copy beside the installed ``aiwatch.crawler.page.topics``; this hook imports each module by the name
``pyproject.toml``'s ``package-dir`` gives it instead.
"""

from __future__ import annotations

import importlib
import sys
import tomllib
from collections.abc import Generator
from pathlib import Path
from types import ModuleType

import pytest
from _pytest.doctest import DoctestModule

REPO = Path(__file__).resolve().parent
_SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
PACKAGE_DIRS = {(REPO / folder).resolve(): name for name, folder in _SETUPTOOLS["package-dir"].items()}
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != REPO]


def installed_name(path: Path) -> str | None:
    """``aiwatch.crawler.page.topics`` for ``crawler/page/topics.py``; None outside the packages."""
    for folder, package in PACKAGE_DIRS.items():
        if path.resolve().is_relative_to(folder):
            parts = path.resolve().relative_to(folder).with_suffix("").parts
            return ".".join((package, *(parts[:-1] if parts[-1] == "__init__" else parts)))
    return None


class InstalledDoctestModule(DoctestModule):
    """A doctest module imported by its installed name."""

    def _getobj(self) -> ModuleType:
        return importlib.import_module(installed_name(self.path))


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Generator[None, list, list]:
    collected = yield
    return [
        InstalledDoctestModule.from_parent(parent, path=file_path)
        if type(node) is DoctestModule and installed_name(file_path) is not None
        else node
        for node in collected
    ]
