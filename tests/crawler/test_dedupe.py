"""Address keys and readable links, content hashes, SimHash and the band index (pure functions)."""

from __future__ import annotations

import hashlib
import random

import pytest
from aiwatch.crawler.page.fingerprints import (
    SimHashIndex,
    canonical_link,
    content_hash,
    hamming,
    normalise_text,
    simhash,
    text_words,
)
from trafilatura.utils import load_html

from aiwatch.urls import canonical_candidate, readable_url, same_site, site_of, strip_tracking
from aiwatch.urls import url_key as canonical_url

BASE = "https://news.example.com/tech/2025/01/29/deepseek-distilled.html"


@pytest.mark.parametrize("variant", [
    BASE,
    BASE + "?utm_source=rss&utm_medium=feed&utm_campaign=x",
    BASE + "?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2",
    BASE + "#comments",
    "HTTPS://News.Example.com:443/tech/2025/01/29/deepseek-distilled.html",
    "https://news.example.com/amp/tech/2025/01/29/deepseek-distilled.html",
    "https://news.example.com/tech/2025/01/29/deepseek-distilled.html?amp=1",
    "https://news.example.com/tech/2025/01/29/deepseek-distilled.amp.html",
    "https://news.example.com//tech/2025/01/29/deepseek-distilled.html",
])
def test_url_variants_share_one_canonical_form(variant: str) -> None:
    assert canonical_url(variant) == BASE


def test_canonical_url_keeps_meaningful_parts() -> None:
    assert canonical_url("http://a.test/story/index.html") == canonical_url("http://a.test/story/")
    assert canonical_url("http://a.test/story/amp") == "http://a.test/story"
    assert canonical_url("http://a.test/s?id=2&page=1") == "http://a.test/s?id=2&page=1"
    assert canonical_url("http://a.test/s?page=1&id=2") == "http://a.test/s?id=2&page=1"
    assert canonical_url("http://a.test:8080/s") == "http://a.test:8080/s"
    assert canonical_url("http://a.test/s?id=1") != canonical_url("http://a.test/s?id=2")
    assert strip_tracking(BASE + "?utm_source=x&id=3#top") == BASE + "?id=3"


def candidate(page_url: str, html: bytes) -> str | None:
    """The ``rel=canonical`` address the crawl tries for a page (before checking that it answers)."""
    return canonical_candidate(page_url, canonical_link(load_html(html), page_url))


def test_rel_canonical_tried_only_on_the_same_site() -> None:
    page = "https://news.example.com/amp/story.html?utm_source=x"
    same = b'<html><head><link rel="canonical" href="https://www.news.example.com/story.html"></head></html>'
    other = b'<html><head><link rel="canonical" href="https://elsewhere.test/story.html"></head></html>'
    relative = b'<html><head><link href="/story.html" rel="canonical"></head></html>'
    itself = b'<html><head><link href="/amp/story.html" rel="canonical"></head></html>'
    front = b'<html><head><link href="https://news.example.com/" rel="canonical"></head></html>'
    assert candidate(page, same) == "https://www.news.example.com/story.html"
    assert candidate(page, other) is None
    assert candidate(page, relative) == "https://news.example.com/story.html"
    assert candidate(page, itself) is None
    assert candidate(page, front) is None  # a template bug that would merge every page of the site
    assert candidate(page, b"<html>no head") is None
    assert same_site("https://www.a.test/x", "http://a.test/y")
    assert not same_site("https://a.test/x", "https://b.test/x")
    assert site_of("https://www.reuters.com/x") == "reuters.com"


@pytest.mark.parametrize(("fetched", "readable"), [
    ("https://a.test/2024/12/02/story/", "https://a.test/2024/12/02/story/"),  # the slash stays
    ("https://a.test/news/index.html?utm_source=rss", "https://a.test/news/index.html"),
    ("https://a.test/s?b=2&a=1&utm_medium=x#top", "https://a.test/s?b=2&a=1"),  # order kept
    ("https://a.test/s?q=a%20b&fbclid=1", "https://a.test/s?q=a%20b"),  # encoding kept
    ("https://A.test:443/Story?id=7&amp=1", "https://A.test:443/Story?id=7&amp=1"),
])
def test_readable_url_removes_tracking_and_fragment_only(fetched: str, readable: str) -> None:
    assert readable_url(fetched) == readable
    assert canonical_url(readable) == canonical_url(fetched)


def test_normalised_text_is_its_words() -> None:
    text = "ＡＩ chips\u00a0— the Nvidia H20, Ünïcode and naïve ﬁnance: 出口管制"
    expected = "ai chips the nvidia h20 ünïcode and naïve finance 出口管制"
    assert normalise_text(text) == " ".join(text_words(text)) == expected


def test_content_hash_ignores_markup_spacing_and_case() -> None:
    assert content_hash("DeepSeek  denied\nthe claim.") == content_hash("deepseek denied the claim")
    assert content_hash("DeepSeek denied the claim") != content_hash("DeepSeek admitted the claim")


def words(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(3000)]
    return [rng.choice(vocab) for _ in range(n)]


def test_simhash_near_copies_are_close_and_different_texts_far() -> None:
    text = words(400, 1)
    edited = text[:200] + ["reporting", "by", "the", "wire", "desk"] + text[200:]
    assert hamming(simhash(" ".join(text)), simhash(" ".join(edited))) <= 10
    assert hamming(simhash(" ".join(text)), simhash(" ".join(text))) == 0
    far = [hamming(simhash(" ".join(words(400, s))), simhash(" ".join(text))) for s in range(2, 12)]
    assert min(far) > 12


@pytest.mark.parametrize("distance", [0, 3, 6, 10])
def test_index_finds_exactly_the_hashes_within_distance(distance: int) -> None:
    rng = random.Random(distance)
    index = SimHashIndex(distance)
    stored = {i: rng.getrandbits(64) for i in range(2000)}
    for i, value in stored.items():
        index.add(i, value)
    for _ in range(200):
        target = rng.choice(list(stored))
        query = stored[target]
        for bit in rng.sample(range(64), rng.randint(0, distance + 2)):
            query ^= 1 << bit
        expected = sorted(i for i, v in stored.items() if hamming(v, query) <= distance)
        assert sorted(index.near(query)) == expected
    index.remove(0)
    assert 0 not in index.near(stored[0])
    assert len(index) == 1999
    index.remove(1999)  # the last row: nothing moves
    index.add(5, stored[7])  # re-adding an id replaces its hash
    assert 5 in index.near(stored[7])
    assert (5 in index.near(stored[5])) == (hamming(stored[5], stored[7]) <= distance)
    assert len(index) == 1998
    assert index.near(stored[7])[:2] == sorted([5, 7])  # distance 0 for both, then by id


def test_index_rejects_bad_distances() -> None:
    with pytest.raises(ValueError):
        SimHashIndex(64)


def test_simhash_values_are_stable_across_versions() -> None:
    """Stored SimHashes are compared with new ones: the function must never drift."""
    text = ("Nvidia said the Commerce Department had restricted exports of the H20 to China, a rule that "
            "cost it billions.")
    assert simhash(text) == 5773607021819421874
    assert simhash("two words") == 4687192971052320256
    assert simhash("one") == 3815355558890182089
    assert simhash("") == 0


def _reference_simhash(text: str) -> int:
    """SimHash as first specified: blake2b of each ``" ".join`` of three words, bit set by majority."""
    words = normalise_text(text).split()
    shingles = words if len(words) < 3 else [" ".join(words[i:i + 3]) for i in range(len(words) - 2)]
    hashes = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles]
    return sum(1 << bit for bit in range(64) if 2 * sum(h >> bit & 1 for h in hashes) > len(hashes))


def test_simhash_matches_the_reference_definition_on_varied_text() -> None:
    rng = random.Random(5)
    alphabet = ["export", "контроль", "出口", "Ünïcode", "x", "H20", "naïve", "\u00a0", "\t", "--", "é", "ß"]
    for n in (0, 1, 2, 3, 4, 50, 400):
        text = " ".join(rng.choice(alphabet) for _ in range(n))
        assert simhash(text) == _reference_simhash(text), text
