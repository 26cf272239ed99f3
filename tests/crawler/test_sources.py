"""Sources files: the bundled default list and error messages for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiwatch.crawler.runtime.run import plan
from aiwatch.crawler.sources import (
    DEFAULT_SOURCES_FILE,
    KIND_SPIDERS,
    SourcesError,
    load_sources,
    parse_sources,
)


def test_default_sources_are_valid_and_cover_every_kind() -> None:
    sources = load_sources()
    assert len(sources) >= 15
    assert {"feed", "sitemap", "gdelt", "federal_register"} <= {s.kind for s in sources} <= set(KIND_SPIDERS)
    assert len({s.name for s in sources}) == len(sources)
    assert all(s.url.startswith("https://") for s in sources)
    fr = [s for s in sources if s.kind == "federal_register"]
    assert any("industry-and-security-bureau" in s.url for s in fr)
    assert load_sources(DEFAULT_SOURCES_FILE) == sources


@pytest.mark.parametrize(("text", "message"), [
    ('[[source]]\nkind = "feed"\nurl = "http://a.test/f"\n[[source]]\nkind = "rss"\nurl = "http://a/"\n',
     "entry 2 (line 4): unknown kind 'rss'"),
    ('[[source]]\nkind = "feed"\n', "entry 1 (line 1): missing url"),
    ('[[source]]\nkind = "feed"\nurl = "file:///etc/passwd"\n', "'file:///etc/passwd': not an http(s) URL"),
    ('[[source]]\nkind = "feed"\nurl = "https://"\n', "URL has no host"),
    ('[[source]]\nkind = "feed"\nurl = "http://a.test/f"\ncolour = "red"\n', "unknown key 'colour'"),
    ('[[source]]\nkind = "gdelt"\nurl = "http://a.test/api"\nqueries = "x"\n', "queries must be a list"),
    ('[[source]\nkind = "feed"\n', "invalid TOML"),
    ('[feeds]\nurl = "http://a.test"\n', "unknown top-level key 'feeds'"),
])
def test_bad_sources(text: str, message: str) -> None:
    with pytest.raises(SourcesError) as info:
        parse_sources(text, "my.toml")
    assert str(info.value).startswith("sources my.toml: ")
    assert message in str(info.value)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="cannot read"):
        load_sources(tmp_path / "nope.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b"# caf\xe9\n")
    with pytest.raises(SourcesError, match="not UTF-8"):
        load_sources(bad)


def test_plan_orders_and_filters_spiders() -> None:
    sources = parse_sources('[[source]]\nkind = "url"\nurl = "http://a.test/1"\n'
                            '[[source]]\nkind = "feed"\nurl = "http://a.test/f"\n')
    assert [name for name, _ in plan(sources, None)] == ["feeds", "urls"]
    assert [name for name, _ in plan(sources, ["urls", "gdelt"])] == ["urls", "gdelt"]
    with pytest.raises(SourcesError, match="unknown spider 'nope'"):
        plan(sources, ["nope"])
