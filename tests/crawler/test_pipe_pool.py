"""aiwatch.crawler.runtime.pipe_pool: worker processes fed by the asyncio loop give what a direct call gives;
a dead worker is replaced and costs only the task that kills a second one; the crawl's pipeline on the
forked pool loses only the killer page."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import ForkProcess, SpawnProcess

import pytest
from aiwatch.crawler.items import Rejected
from aiwatch.crawler.pipelines.prepare import prepare_item, warm_up
from aiwatch.crawler.runtime.pipe_pool import SMALL_TASK, PipePool, WorkerCrashed
from aiwatch.crawler.store.compression import decompress_raw
from test_prepare import dying_pipeline, process_with_a_killer, sample_articles, sample_item


def echo(value: bytes, repeat: int) -> bytes:
    return value * repeat


def reject(reason: str) -> None:
    raise Rejected(reason, "from a worker")


def die(code: int) -> None:
    os._exit(code)


def die_at_start() -> None:
    os._exit(71)


SPAWNED = pytest.param(False, marks=pytest.mark.slow, id="spawned")


@pytest.mark.parametrize("fork", [pytest.param(True, id="forked"), SPAWNED])
def test_results_errors_queueing_and_large_tasks_come_back_in_order_of_their_futures(fork: bool) -> None:
    pool = PipePool(2, fork=fork)

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
    assert all(isinstance(w.process, ForkProcess if fork else SpawnProcess) for w in pool._workers)
    assert not any(w.process.is_alive() for w in pool._workers)


@pytest.mark.slow  # spawns the replacements
def test_a_dead_worker_is_replaced_and_only_the_task_that_kills_two_fails() -> None:
    pool = PipePool(2)
    forked = list(pool._workers)

    async def run() -> tuple[list, bytes]:
        tasks = [pool.submit(echo, b"a", 1), pool.submit(die, 70)]
        tasks += [pool.submit(echo, b"b", 1) for _ in range(5)]
        results = await asyncio.gather(*tasks, return_exceptions=True)
        return results, await pool.submit(echo, b"c", 1)  # the pool goes on

    try:
        results, after = asyncio.run(run())
        assert pool.replaced == 2  # the task was tried again once, in another worker
        assert all(w in forked or isinstance(w.process, SpawnProcess) for w in pool._workers)  # spawned
    finally:
        pool.shutdown()
    assert isinstance(results[1], WorkerCrashed) and isinstance(results[1], BrokenProcessPool)
    assert "killed 2 workers" in str(results[1])
    assert results[:1] + results[2:] == [b"a"] + [b"b"] * 5
    assert after == b"c"
    assert not any(w.process.is_alive() for w in pool._workers)


@pytest.mark.slow  # spawns a replacement
def test_a_pool_whose_workers_die_as_they_start_is_broken_and_refuses_more() -> None:
    pool = PipePool(2, initializer=die_at_start)

    async def run() -> tuple[list, BaseException | None]:
        tasks = [pool.submit(echo, b"a", 1) for _ in range(3)]
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
    assert all(isinstance(r, BrokenProcessPool) and not isinstance(r, WorkerCrashed) for r in results)
    assert refused is not None and "died" in str(refused)
    assert not any(w.process.is_alive() for w in pool._workers)


@pytest.mark.slow
def test_the_crawl_pipeline_on_the_forked_pool_loses_only_the_page_that_kills_its_worker() -> None:
    paths = sample_articles(6)
    pipeline, pool = dying_pipeline(fork=True)  # as the crawl process starts it, before Scrapy
    forked = list(pool._workers)
    try:
        results, after = process_with_a_killer(pipeline, paths)
        assert pool.replaced == 2
        assert all(w in forked or isinstance(w.process, SpawnProcess) for w in pool._workers)
    finally:
        pipeline.close_spider()
    assert not any(w.process.is_alive() for w in pool._workers)
    lost = results.pop(2)
    assert isinstance(lost, Rejected) and lost.reason == "extract_error"
    expected = [prepare_item(sample_item(p), 80, 1.0) for p in paths[1:]]
    assert [(r.text, r.topics, r.simhash) for r in results] == [
        (e.text, e.topics, e.simhash) for e in expected]
    assert after.text == expected[0].text and decompress_raw(after.body_compressed) == after.body


def test_forked_workers_warm_up_before_their_first_task() -> None:
    pool = PipePool(1, initializer=warm_up)

    async def run() -> object:
        return await pool.submit(prepare_item, sample_item(sample_articles(1)[0]), 80, 1.0)

    try:
        prepared = asyncio.run(run())
    finally:
        pool.shutdown()
    assert prepared.topics and prepared.simhash is not None
