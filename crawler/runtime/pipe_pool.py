"""Forked worker processes fed over pipes by the crawl's asyncio event loop: no threads in the crawl process.

``concurrent.futures.ProcessPoolExecutor`` moves every task through two threads of the calling process (a
queue feeder that pickles, a manager that unpickles results and completes futures), and each result then
wakes the event loop through its self-pipe: with the reactor thread busy, the GIL hand-offs cost the crawl
process ~0.8 CPU-seconds per 1,000 pages (its own work without page processing is ~3 s). :class:`PipePool`
gives each worker one duplex pipe, writes tasks from the event loop and reads results with
``loop.add_reader``.

A worker holds at most ``MAX_QUEUED`` tasks, more than one only when all are small enough to sit in the
pipe's buffer together, so writing a task never blocks the event loop, and a worker writing a large result
never waits on a parent blocked writing to it. When a worker dies (a native crash, the OOM killer) the
pool is broken: every task in flight or waiting fails with ``BrokenProcessPool``, as with
``ProcessPoolExecutor``. Workers are forked when the pool is created, before any thread exists, and die
with the crawl process.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from aiwatch.lifetime import die_with_parent

logger = logging.getLogger(__name__)

SMALL_TASK = 48 * 1024  # a busy worker is given another task only when it and those it holds are this small
MAX_QUEUED = 3  # tasks a worker holds (3 x 48 KiB stays well inside a Unix socket's ~200 KiB send buffer)


def _serve(conn: Connection, parent_pid: int, inherited: list[int],
           initializer: Callable[[], Any] | None = None) -> None:
    """Worker: run ``initializer()``, then ``(fn, args)`` tasks from ``conn``; send back ``(True, result)`` or
    ``(False, error)``."""
    for fd in inherited:  # the parent's ends of the pipes of workers forked earlier
        with suppress(OSError):
            os.close(fd)
    die_with_parent(parent_pid)
    if initializer is not None:
        initializer()
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not message:  # the pool's stop signal
            return
        fn, args = pickle.loads(message)
        try:
            reply = pickle.dumps((True, fn(*args)), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # the task's own error (e.g. Rejected) travels back to the caller
            try:
                reply = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
            except Exception:  # an error that does not pickle
                reply = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            conn.send_bytes(reply)
        except OSError:  # the pool stopped reading (shut down or gone)
            return


@dataclass
class _Worker:
    conn: Connection
    process: Any  # multiprocessing.Process
    in_flight: deque[tuple[asyncio.Future, int]] = field(default_factory=deque)  # (future, task size)


class PipePool:
    """``workers`` forked processes; :meth:`submit` returns an asyncio future (call it on the event loop).

    ``initializer`` runs in each worker as it starts, all workers at once (tasks sent meanwhile wait in the
    pipe).
    """

    def __init__(self, workers: int, initializer: Callable[[], Any] | None = None) -> None:
        context = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []
        self._waiting: deque[tuple[asyncio.Future, bytes]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broken: str | None = None
        self._closed = False
        for _ in range(workers):
            ours, theirs = context.Pipe()
            inherited = [w.conn.fileno() for w in self._workers]
            process = context.Process(target=_serve, args=(theirs, os.getpid(), inherited, initializer),
                                      daemon=True, name="aiwatch-page-worker")
            process.start()
            theirs.close()
            self._workers.append(_Worker(ours, process))

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future:
        """Run ``fn(*args)`` in a worker; the future gets its result or exception."""
        if self._broken is not None:
            raise BrokenProcessPool(self._broken)
        if self._closed:
            raise RuntimeError("cannot schedule new tasks after shutdown")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            for worker in self._workers:
                loop.add_reader(worker.conn.fileno(), self._on_result, worker)
        future = loop.create_future()
        self._waiting.append((future, pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL)))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        while self._waiting:
            future, task = self._waiting[0]
            if future.done():  # cancelled while waiting
                self._waiting.popleft()
                continue
            worker = self._free_worker(len(task))
            if worker is None:
                return
            self._waiting.popleft()
            try:
                worker.conn.send_bytes(task)
            except OSError as exc:
                self._break(f"a page worker died (its pipe: {exc})")
                future.set_exception(BrokenProcessPool(self._broken))
                return
            worker.in_flight.append((future, len(task)))

    def _free_worker(self, size: int) -> _Worker | None:
        idle = [w for w in self._workers if not w.in_flight]
        if idle:
            return idle[0]
        if size > SMALL_TASK:
            return None
        held = [w for w in self._workers if len(w.in_flight) < MAX_QUEUED
                and all(task_size <= SMALL_TASK for _, task_size in w.in_flight)]
        return min(held, key=lambda w: len(w.in_flight)) if held else None

    def _on_result(self, worker: _Worker) -> None:
        try:
            ok, value = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            code = worker.process.exitcode
            self._break(f"a page worker died ({type(exc).__name__}; exit code {code})")
            return
        future, _ = worker.in_flight.popleft()
        if not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self._dispatch()

    def _break(self, reason: str) -> None:
        """A worker is gone: fail every task in flight or waiting, stop the others."""
        self._broken = reason
        error = BrokenProcessPool(reason)
        for worker in self._workers:
            while worker.in_flight:
                future, _ = worker.in_flight.popleft()
                if not future.done():
                    future.set_exception(error)
        while self._waiting:
            future, _ = self._waiting.popleft()
            if not future.done():
                future.set_exception(error)
        self.shutdown(wait=False)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Stop the workers (``wait``: join them); ``cancel_futures``: cancel tasks not yet sent."""
        if self._closed:
            return
        self._closed = True
        if cancel_futures:
            while self._waiting:
                self._waiting.popleft()[0].cancel()
        for worker in self._workers:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(worker.conn.fileno())
            with suppress(OSError):
                worker.conn.send_bytes(b"")
            worker.conn.close()
        for worker in self._workers:
            if wait:
                worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
