"""The gdelt and federal_register spiders against canned API responses served on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from urllib.parse import unquote

import pytest
from aiwatch.crawler.runtime.run import run_crawl

from aiwatch.config import Config

# Every test here runs a crawl in a child process (run_crawl): the quick pass leaves them out.
pytestmark = pytest.mark.slow


RULE_BODY = """<!doctype html><html><head><title>Export Administration Regulations: HBM</title></head><body>
<div id="fulltext_content_area"><h1>Foreign-Produced Direct Product Rule Additions, and Refinements to
Controls for Advanced Computing and Semiconductor Manufacturing Items</h1>
<p>AGENCY: Bureau of Industry and Security, Commerce.</p>
<p>ACTION: Interim final rule.</p>
<p>SUMMARY: In this rule, the Bureau of Industry and Security (BIS) amends the Export Administration
Regulations (EAR) to revise controls on advanced computing items and semiconductor manufacturing items.
The rule adds new export controls on high-bandwidth memory (HBM) and on certain semiconductor manufacturing
equipment, and adds entities to the Entity List. These export controls are intended to limit the ability
of the People's Republic of China to produce advanced-node integrated circuits that could be used in
military applications and in training frontier artificial intelligence models.</p>
<p>DATES: This rule is effective December 2, 2024.</p></div></body></html>"""
UNRELATED_BODY = """<!doctype html><html><head><title>Firearms</title></head><body><div>
<p>SUMMARY: This rule revises license requirements for shotguns and shotgun shells exported for sporting
purposes, and clarifies recordkeeping for hunting rifles shipped to licensed dealers abroad.</p>
</div></body></html>"""


def fr_document(base: str, number: str, title: str, abstract: str, date: str) -> dict[str, str]:
    return {"document_number": number, "publication_date": date, "title": title, "abstract": abstract,
            "type": "Rule", "html_url": f"{base}/documents/{number}",
            "body_html_url": f"{base}/documents/full_text/{number}.html"}


def test_federal_register_documents_are_policy_documents(site, crawl_config: Config, db_path: Path,
                                                         tmp_path: Path) -> None:
    base = site.base_url
    site.add("/api/v1/documents.json", json.dumps({"count": 2, "results": [
        fr_document(base, "2024-28270", "Foreign-Produced Direct Product Rule Additions",
                    "BIS adds export controls on high-bandwidth memory and chip equipment.", "2024-12-05"),
        fr_document(base, "2024-11111", "Sporting Shotguns: License Requirements",
                    "Revises license requirements for sporting shotguns.", "2024-11-01"),
    ]}), "application/json")
    site.add("/documents/full_text/2024-28270.html", RULE_BODY)
    site.add("/documents/full_text/2024-11111.html", UNRELATED_BODY)
    sources = tmp_path / "sources.toml"
    query = f"{base}/api/v1/documents.json?conditions[agencies][]=industry-and-security-bureau"
    sources.write_text(f'[[source]]\nname = "FR test"\nkind = "federal_register"\nurl = "{query}"\n')

    stats = run_crawl(db_path, crawl_config, sources_file=sources)

    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    (doc,) = conn.execute("SELECT * FROM articles").fetchall()
    assert doc["kind"] == "policy_document" and doc["doc_number"] == "2024-28270"
    assert doc["published"] == "2024-12-05"
    assert doc["title"] == "Foreign-Produced Direct Product Rule Additions"
    assert doc["url"] == f"{base}/documents/2024-28270"
    assert "high-bandwidth memory" in doc["text"]
    assert "export-controls" in json.loads(doc["topics"])
    assert stats.off_topic == 1 and stats.sources["FR test"]["ok"] == 1

    site.clear_hits()
    since = run_crawl(db_path, crawl_config, sources_file=sources, since="2024-12-01")
    api_hits = [unquote(h) for h in site.hits if h.startswith("/api/")]
    assert api_hits and "conditions[publication_date][gte]=2024-12-01" in api_hits[0]
    assert since.inserted == 0 and since.skipped_seen == 1 and since.skipped_since == 1


def test_gdelt_discovers_articles(news_site, crawl_config: Config, db_path: Path, tmp_path: Path) -> None:
    base = news_site.base_url
    news_site.add("/api/v2/doc/doc", json.dumps({"articles": [
        {"url": f"{base}/news/h20.html", "title": "US tightens export controls",
         "seendate": "20250416T100000Z", "domain": "127.0.0.1", "language": "English"},
        {"url": f"{base}/local/bikes.html", "title": "Bikes", "seendate": "20250301T100000Z"},
    ]}), "application/json")
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "GDELT test"\nkind = "gdelt"\nurl = "{base}/api/v2/doc/doc"\n'
                       'queries = ["chip export controls China"]\ntimespan = "1d"\n')

    stats = run_crawl(db_path, crawl_config, sources_file=sources)

    api_hits = [h for h in news_site.hits if h.startswith("/api/")]
    assert len(api_hits) == 1
    for param in ("mode=ArtList", "format=json", "timespan=1d", "query=chip+export+controls+China"):
        assert param in api_hits[0]
    urls = [r[0] for r in sqlite3.connect(db_path).execute("SELECT url FROM articles")]
    assert urls == [f"{base}/news/h20.html"]
    assert stats.off_topic == 1 and stats.status == "ok"


def test_gdelt_error_text_is_counted(site, crawl_config: Config, db_path: Path, tmp_path: Path) -> None:
    site.add("/api/v2/doc/doc", "Please limit requests to one every 5 seconds.", "text/plain")
    sources = tmp_path / "sources.toml"
    endpoint = f"{site.base_url}/api/v2/doc/doc"
    sources.write_text(f'[[source]]\nkind = "gdelt"\nurl = "{endpoint}"\nqueries = ["x y"]\n')
    stats = run_crawl(db_path, crawl_config, sources_file=sources)
    assert stats.errors == {"not_a_GDELT_response": 1} and stats.all_failed
