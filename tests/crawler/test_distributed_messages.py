"""Items handed from crawlers to the single writer: encoded, decoded, and refused when malformed."""

from __future__ import annotations

import base64
import json
import sys

import pytest
import zstandard
from aiwatch.crawler.distributed.frontier import (
    ITEM_FORMAT,
    MAX_BODY_BYTES,
    DistributedError,
    decode_message,
    encode_item,
    redis_client,
)
from aiwatch.crawler.items import PageItem


def item() -> PageItem:
    page = PageItem(url="https://a.test/1", seen_key="https://a.test/1", response_url="https://a.test/1",
                    status=200, headers={"Content-Type": "text/html"}, body=b"<p>Nvidia H20</p>" * 100)
    page.article_url, page.url_key = "https://a.test/1/", "https://a.test/1"
    page.text, page.simhash = "Nvidia H20", 12345
    return page


def test_an_item_survives_the_hand_over() -> None:
    decoded = decode_message(encode_item(item()))["item"]
    assert decoded == item()  # body included; the compressed copy is not sent twice


def tampered(**changes) -> bytes:
    message = json.loads(encode_item(item()))
    message.update(changes.pop("message", {}))
    message["item"].update(changes)
    return json.dumps(message).encode()


@pytest.mark.parametrize(("raw", "reason"), [
    (b"{not json", "not an aiwatch item"),
    (tampered(message={"format": ITEM_FORMAT - 1}), "format 2, expected 3"),
    (tampered(body=base64.b64encode(b"garbage").decode()), "corrupt zstd"),
    (tampered(body=base64.b64encode(zstandard.ZstdCompressor().compress(bytes(MAX_BODY_BYTES + 1))).decode()),
     "exceeds"),
])
def test_a_malformed_entry_is_refused_with_its_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(DistributedError, match=reason):
        decode_message(raw)


@pytest.mark.parametrize("missing", ["redis", "scrapy_redis"])
def test_without_the_distributed_extra_the_error_says_what_to_install(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # what an installation without the extra looks like
    with pytest.raises(DistributedError) as error:
        redis_client("redis://127.0.0.1:9/0")
    assert str(error.value) == (
        f"distributed crawl: {missing} is not installed (pip install 'aiwatch[distributed]')")
