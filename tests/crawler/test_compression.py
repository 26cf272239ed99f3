"""Raw-body compression: zstd for new rows, zlib rows still read, bad data refused with a clear error."""

from __future__ import annotations

import sqlite3
import zlib

import pytest
import zstandard
from aiwatch.crawler.items import PageItem
from aiwatch.crawler.store.articles import raw_body, store_raw
from aiwatch.crawler.store.compression import CompressedDataError, compress_raw, decompress_raw

from aiwatch.db import connect

PARAGRAPH = b"<p>The Commerce Department tightened rules on HBM exports.</p>"
PAGE = b"<html><body>" + PARAGRAPH * 300 + b"</body></html>"


def test_round_trip_and_ratio() -> None:
    packed = compress_raw(PAGE)
    assert packed[:4] == b"\x28\xb5\x2f\xfd"  # a zstd frame
    assert decompress_raw(packed) == PAGE and len(packed) < len(PAGE) // 10
    assert decompress_raw(zlib.compress(PAGE), "zlib") == PAGE


@pytest.mark.parametrize(("data", "codec", "message"), [
    (b"not compressed at all", "zstd", "corrupt zstd"),
    (compress_raw(PAGE)[:-20], "zstd", "corrupt zstd"),
    (b"not compressed at all", "zlib", "corrupt zlib"),
    (compress_raw(PAGE), "lz4", "unknown compression 'lz4'"),
])
def test_unreadable_data_is_refused_with_its_reason(data: bytes, codec: str, message: str) -> None:
    with pytest.raises(CompressedDataError, match=message):
        decompress_raw(data, codec)


def test_output_over_the_limit_is_refused_before_it_is_inflated() -> None:
    bomb = zstandard.ZstdCompressor().compress(bytes(50_000_000))  # ~2 KB claiming 50 MB
    with pytest.raises(CompressedDataError, match="exceeds 1000000"):
        decompress_raw(bomb, max_size=1_000_000)
    unsized = zstandard.ZstdCompressor(write_content_size=False).compress(bytes(5_000_000))
    with pytest.raises(CompressedDataError, match="over 1000000 bytes"):
        decompress_raw(unsized, max_size=1_000_000)
    assert decompress_raw(unsized) == bytes(5_000_000)
    with pytest.raises(CompressedDataError, match="beyond 1000000"):
        decompress_raw(zlib.compress(bytes(5_000_000)), "zlib", max_size=1_000_000)


def test_rows_from_before_zstd_are_still_read(tmp_path) -> None:
    from aiwatch import db

    path = tmp_path / "old.db"
    raw = sqlite3.connect(path, isolation_level=None)  # a database as the previous release left it
    for script in db.MIGRATIONS[:3]:
        for statement in db._split_sql(script):
            raw.execute(statement)
    raw.execute("PRAGMA user_version = 3")
    raw.execute("INSERT INTO raw_pages (url, fetched_at, body, body_size) VALUES ('https://a.test/old', "
                "'2025-01-01', ?, ?)", (zlib.compress(PAGE, 6), len(PAGE)))
    raw.close()
    conn = connect(path)
    item = PageItem(url="https://a.test/new", seen_key="https://a.test/new", response_url="https://a.test/new",
                    status=200, headers={}, body=PAGE + b"<!-- new -->")
    store_raw(conn, item, None)
    codecs = dict(conn.execute("SELECT url, compression FROM raw_pages").fetchall())
    assert codecs == {"https://a.test/old": "zlib", "https://a.test/new": "zstd"}
    assert raw_body(conn, "https://a.test/old") == PAGE
    assert raw_body(conn, "https://a.test/new") == PAGE + b"<!-- new -->"
    assert raw_body(conn, "https://a.test/missing") is None
    conn.close()
