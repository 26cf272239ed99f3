"""aiwatch.crawler.runtime.pipe_pool: forked workers fed by the asyncio loop give what a direct call gives; a
dead worker
breaks the pool for every task in flight; the crawl's pipeline replaces it and loses only the killer page."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures.process import BrokenProcessPool

import aiwatch.crawler.pipelines.prepare as prepare
import hostile_servers
import pytest
from aiwatch.crawler.items import Rejected
from aiwatch.crawler.runtime.pipe_pool import SMALL_TASK, PipePool
from aiwatch.crawler.store.compression import decompress_raw
from test_prepare import sample_articles, sample_item


def echo(value: bytes, repeat: int) -> bytes:
    return value * repeat


def reject(reason: str) -> None:
    raise Rejected(reason, "from a worker")


def die(code: int) -> None:
    os._exit(code)


def test_results_errors_queueing_and_large_tasks_come_back_in_order_of_their_futures() -> None:
    pool = PipePool(2)

    async def run() -> list:
        small = [pool.submit(echo, bytes([i]), 10) for i in range(40)]  # more than the workers hold
        big = pool.submit(echo, b"x" * (3 * SMALL_TASK), 20)  # larger than any pipe buffer, both ways
        bad = pool.submit(reject, "not_article")
        return await asyncio.gather(*small, big, bad, return_exceptions=True)

    try:
        results = asyncio.run(run())
    finally:
        pool.shutdown()
    assert results[:40] == [bytes([i]) * 10 for i in range(40)]
    assert results[40] == b"x" * (60 * SMALL_TASK)
    assert isinstance(results[41], Rejected) and results[41].reason == "not_article"
    assert not any(w.process.is_alive() for w in pool._workers)


def test_a_dead_worker_fails_every_task_in_flight_and_the_pool_refuses_more() -> None:
    pool = PipePool(2)

    async def submit(fn, *args):  # the pool may already know it is broken when a task is submitted
        return await pool.submit(fn, *args)

    async def run() -> tuple[list, BaseException | None]:
        tasks = [submit(echo, b"a", 1), submit(die, 70), *(submit(echo, b"b", 1) for _ in range(5))]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        try:
            pool.submit(echo, b"c", 1)
        except BrokenProcessPool as exc:
            return results, exc
        return results, None

    try:
        results, refused = asyncio.run(run())
    finally:
        pool.shutdown()
    assert isinstance(results[1], BrokenProcessPool)
    assert all(r in (b"a", b"b") or isinstance(r, BrokenProcessPool) for r in results)
    assert refused is not None and "died" in str(refused)
    assert not any(w.process.is_alive() for w in pool._workers)


@pytest.mark.slow
def test_the_crawl_pipeline_on_the_forked_pool_loses_only_the_page_that_kills_its_worker() -> None:
    paths = sample_articles(6)
    killer = sample_item(paths[0])
    killer.body += hostile_servers.WORKER_KILLER
    items = [sample_item(p) for p in paths[1:]]
    prepare.prestart_pool(2)
    pipeline = DyingPipeline(80, 1.0, workers=2)

    async def run() -> tuple[list, object]:
        pipeline.open_spider()
        assert isinstance(pipeline.pool, PipePool)
        results = await asyncio.gather(*(pipeline.process_item(i) for i in [*items[:2], killer, *items[2:]]),
                                       return_exceptions=True)
        return results, await pipeline.process_item(sample_item(paths[1]))

    try:
        results, after = asyncio.run(run())
        assert pipeline.generation == 1 and prepare._prestarted is None  # replaced by a spawned pool
    finally:
        pipeline.close_spider()
        prepare.shutdown_prestarted()
    lost = results.pop(2)
    assert isinstance(lost, Rejected) and lost.reason == "extract_error"
    expected = [prepare.prepare_item(sample_item(p), 80, 1.0) for p in paths[1:]]
    assert [(r.text, r.topics, r.simhash) for r in results] == [
        (e.text, e.topics, e.simhash) for e in expected]
    assert after.text == expected[0].text and decompress_raw(after.body_compressed) == after.body


class DyingPipeline(prepare.PreparePipeline):
    task = staticmethod(hostile_servers.prepare_or_die)
