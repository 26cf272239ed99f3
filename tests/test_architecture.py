"""The import rule and the installed layout, checked rather than kept by convention.

Stages (``aiwatch.crawler``, ``aiwatch.extract``, ``aiwatch.graph``) never import one another and meet in
the database; the shared ground (``aiwatch`` outside ``aiwatch.cli`` and the Datasette plugin) imports no
stage and not the CLI; no stage imports the CLI or the Datasette plugin. Every import counts, including
those inside functions.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STAGES = ("crawler", "extract", "graph")
FRONT = ("aiwatch.cli", "aiwatch.datasette_plugin")


def package_dirs() -> dict[str, Path]:
    """Installed package name -> folder, from ``pyproject.toml``'s ``package-dir``."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    return {name: REPO / folder for name, folder in setuptools["package-dir"].items()}


def modules(package: str, folder: Path) -> Iterator[tuple[str, Path]]:
    """(dotted module name, path) of every Python file under ``folder``."""
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join((package, *parts)), path


def imported(path: Path, module: str) -> Iterator[tuple[str, int]]:
    """Absolute names ``path`` imports (relative imports resolved against ``module``), with line numbers."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name, node.lineno
            yield from ((f"{name}.{alias.name}", node.lineno) for alias in node.names)


def owner(name: str) -> str | None:
    """The stage or front package an imported name belongs to, if any."""
    for part in (*(f"aiwatch.{s}" for s in STAGES), *FRONT):
        if name == part or name.startswith(part + "."):
            return part
    return None


def violations() -> list[str]:
    found = []
    dirs = package_dirs()
    for stage in STAGES:
        package = f"aiwatch.{stage}"
        for module, path in modules(package, dirs[package]):
            for name, line in imported(path, module):
                other = owner(name)
                if other is not None and other != package:
                    found.append(f"{path.relative_to(REPO)}:{line}: stage {package} imports {name}")
    for module, path in modules("aiwatch", dirs["aiwatch"]):
        if owner(module) in FRONT:
            continue
        for name, line in imported(path, module):
            other = owner(name)
            if other is not None and other != "aiwatch.datasette_plugin":  # serve.py builds the plugin's app
                found.append(f"{path.relative_to(REPO)}:{line}: shared ground imports {name}")
    return found


def test_stages_meet_only_in_the_database_and_the_shared_ground() -> None:
    assert violations() == []


def test_the_rule_sees_imports_inside_functions(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text("def f():\n    from ..graph import build\n    import aiwatch.crawler.items\n")
    names = {name for name, _ in imported(path, "aiwatch.extract.mod")}
    assert {"aiwatch.graph", "aiwatch.graph.build", "aiwatch.crawler.items"} <= names
    assert owner("aiwatch.graph.build") == "aiwatch.graph" and owner("aiwatch.config") is None


def test_every_package_folder_is_installed() -> None:
    """``packages`` in ``pyproject.toml`` lists every folder with an ``__init__.py``, under one namespace."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = set()
    for package, folder in package_dirs().items():
        for init in folder.rglob("__init__.py"):
            parts = init.parent.relative_to(folder).parts
            found.add(".".join((package, *parts)))
    assert set(setuptools["packages"]) == found
    assert all(name == "aiwatch" or name.startswith("aiwatch.") for name in found)


@pytest.mark.slow
def test_a_wheel_installs_only_the_aiwatch_package(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    for folder in package_dirs().values():
        shutil.copytree(folder, source / folder.name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    wheel_command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), source]
    subprocess.run(wheel_command, check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("aiwatch-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"aiwatch"}
    for expected in ("aiwatch/crawler/page/topics.toml", "aiwatch/crawler/sources.toml",
                     "aiwatch/extract/data/entities.jsonl", "aiwatch/crawler/sample_site/manifest.json",
                     "aiwatch/graph/build.py", "aiwatch/datasette_metadata.json"):
        assert expected in names
