"""Worker processes fed over pipes by the crawl's asyncio event loop: no threads in the crawl process.

``concurrent.futures.ProcessPoolExecutor`` moves every task through two threads of the calling process (a
queue feeder that pickles, a manager that unpickles results and completes futures), and each result then
wakes the event loop through its self-pipe: with the reactor thread busy, the GIL hand-offs were a large
share of the crawl process's own work. :class:`PipePool` gives each worker one duplex pipe, writes tasks
from the event loop and reads results with ``loop.add_reader`` (the worker side:
:mod:`aiwatch.crawler.runtime.pipe_worker`).

A worker holds at most ``MAX_QUEUED`` tasks, more than one only when all are small enough to sit in the
pipe's buffer together, so writing a task never blocks the event loop, and a worker writing a large result
never waits on a parent blocked writing to it.

Starting workers: with ``fork=True`` the pool forks them when it is created, so they share the modules this
process imported and start at once; create it so before this process starts any thread or opens any
connection. Otherwise, and for every replacement, a worker is a fresh interpreter (``spawn``: forking a
process that runs threads is unsafe). Workers die with the process that started them.

A dead worker (a native crash, the OOM killer) is replaced. A worker answers its tasks in order, so the
first task it held is the one it was running: that task is sent again, and fails with
:class:`WorkerCrashed` when it kills a second worker too; the tasks queued behind it go back to the head of
the queue. A worker that dies before it is ready cannot be blamed on a task; after
``MAX_START_FAILURES`` of those the pool is broken: every task fails with ``BrokenProcessPool``, as does
:meth:`PipePool.submit`.
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

from aiwatch.crawler.runtime.pipe_worker import serve

logger = logging.getLogger(__name__)

SMALL_TASK = 48 * 1024  # a busy worker is given another task only when it and those it holds are this small
MAX_QUEUED = 3  # tasks a worker holds (3 x 48 KiB stays well inside a Unix socket's ~200 KiB send buffer)
MAX_CRASHES = 2  # workers a task may kill before it fails with WorkerCrashed
MAX_START_FAILURES = 3  # workers that may die before they are ready before the pool gives up


class WorkerCrashed(BrokenProcessPool):
    """A task killed every worker that ran it (``MAX_CRASHES``): the others go on."""


@dataclass(eq=False)
class _Task:
    future: asyncio.Future
    payload: bytes  # pickled (fn, args)
    crashes: int = 0  # workers that died running it


@dataclass(eq=False)
class _Worker:
    conn: Connection
    process: Any  # multiprocessing.Process
    ready: bool = False
    in_flight: deque[_Task] = field(default_factory=deque)  # sent, not yet answered; the first is running


class PipePool:
    """``workers`` worker processes; :meth:`submit` returns an asyncio future (call it on the event loop).

    ``initializer`` runs in each worker as it starts, all workers at once (tasks sent meanwhile wait in the
    pipe). ``replaced`` counts the workers started in place of dead ones.
    """

    def __init__(self, workers: int, initializer: Callable[[], Any] | None = None, *,
                 fork: bool = True) -> None:
        self._initializer = initializer
        self._workers: list[_Worker] = []
        self._waiting: deque[_Task] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broken: str | None = None
        self._closed = False
        self._start_failures = 0
        self.replaced = 0
        for _ in range(workers):
            self._workers.append(self._start(fork))

    def _start(self, fork: bool) -> _Worker:
        """One new worker, forked or spawned, watched by the event loop once the pool has one."""
        context = multiprocessing.get_context("fork" if fork else "spawn")
        ours, theirs = context.Pipe()
        inherited = [w.conn.fileno() for w in self._workers] if fork else []
        process = context.Process(target=serve, args=(theirs, os.getpid(), inherited, self._initializer),
                                  daemon=True, name="aiwatch-page-worker")
        process.start()
        theirs.close()
        worker = _Worker(ours, process)
        if self._loop is not None:
            self._loop.add_reader(ours.fileno(), self._on_message, worker)
        return worker

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
                loop.add_reader(worker.conn.fileno(), self._on_message, worker)
        future = loop.create_future()
        self._waiting.append(_Task(future, pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL)))
        self._dispatch()
        return future

    def _dispatch(self) -> None:
        while self._waiting:
            task = self._waiting[0]
            if task.future.done():  # cancelled while waiting
                self._waiting.popleft()
                continue
            worker = self._free_worker(len(task.payload))
            if worker is None:
                return
            try:
                worker.conn.send_bytes(task.payload)
            except OSError:  # the worker is gone: its tasks, this one still waiting, are dealt with
                self._lost(worker)
                continue
            self._waiting.popleft()
            worker.in_flight.append(task)

    def _free_worker(self, size: int) -> _Worker | None:
        idle = [w for w in self._workers if not w.in_flight]
        if idle:
            return idle[0]
        if size > SMALL_TASK:
            return None
        held = [w for w in self._workers if len(w.in_flight) < MAX_QUEUED
                and all(len(task.payload) <= SMALL_TASK for task in w.in_flight)]
        return min(held, key=lambda w: len(w.in_flight)) if held else None

    def _on_message(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv_bytes()
        except (EOFError, OSError):
            self._lost(worker)
            self._dispatch()
            return
        if not worker.ready:  # its first message: set up
            worker.ready = True
            return
        task = worker.in_flight.popleft()
        try:
            ok, value = pickle.loads(message)
        except Exception as exc:  # e.g. an exception class that cannot be rebuilt here
            ok, value = False, RuntimeError(f"answer did not unpickle ({type(exc).__name__}: {exc})")
        if not task.future.done():
            if ok:
                task.future.set_result(value)
            else:
                task.future.set_exception(value)
        self._dispatch()

    def _lost(self, worker: _Worker) -> None:
        """``worker`` died: requeue its tasks (or fail the one that killed it again) and start another."""
        self._retire(worker)
        code = worker.process.exitcode
        tasks = list(worker.in_flight)
        worker.in_flight.clear()
        if worker.ready and tasks:
            running = tasks[0]
            running.crashes += 1
            if running.crashes >= MAX_CRASHES:
                tasks.pop(0)
                if not running.future.done():
                    running.future.set_exception(WorkerCrashed(
                        f"the task killed {running.crashes} workers (last exit code {code})"))
        self._waiting.extendleft(reversed(tasks))
        if not worker.ready:
            self._start_failures += 1
            if self._start_failures >= MAX_START_FAILURES:
                self._break(f"page workers died as they started ({self._start_failures}; exit code {code})")
                return
        if self._closed:
            return
        logger.warning("a page worker died (exit code %s); starting another", code)
        self._workers.append(self._start(fork=False))
        self.replaced += 1

    def _retire(self, worker: _Worker) -> None:
        """Stop watching ``worker``, close its pipe and reap its process."""
        self._workers.remove(worker)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.conn.fileno())
        worker.conn.close()
        worker.process.join(timeout=5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)

    def _break(self, reason: str) -> None:
        """Workers cannot be started: fail every task in flight or waiting, stop the others."""
        self._broken = reason
        error = BrokenProcessPool(reason)
        for worker in self._workers:
            while worker.in_flight:
                task = worker.in_flight.popleft()
                if not task.future.done():
                    task.future.set_exception(error)
        while self._waiting:
            task = self._waiting.popleft()
            if not task.future.done():
                task.future.set_exception(error)
        self.shutdown(wait=False)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Stop the workers (``wait``: join them); ``cancel_futures``: cancel tasks not yet sent."""
        if self._closed:
            return
        self._closed = True
        if cancel_futures:
            while self._waiting:
                self._waiting.popleft().future.cancel()
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
