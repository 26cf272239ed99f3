"""The worker side of :class:`aiwatch.crawler.runtime.pipe_pool.PipePool`: one loop over one duplex pipe.

Messages are pickles, one per ``send_bytes``. The pool sends ``(fn, args)`` tasks and an empty message to
stop; the worker sends an empty message once its ``initializer`` has run (:data:`READY`), then
``(True, result)`` or ``(False, error)`` for each task, in the order the tasks came.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import Any

from aiwatch.lifetime import die_with_parent

READY = b""  # worker -> pool: set up, about to read tasks (pool -> worker, the same message means: stop)


def serve(conn: Connection, parent_pid: int, inherited: list[int],
          initializer: Callable[[], Any] | None = None) -> None:
    """Run ``initializer()``, say :data:`READY`, then answer ``(fn, args)`` tasks from ``conn`` until told to
    stop. ``inherited``: file descriptors a forked worker must close (the pool's ends of earlier workers'
    pipes)."""
    for fd in inherited:
        with suppress(OSError):
            os.close(fd)
    die_with_parent(parent_pid)
    if initializer is not None:
        initializer()
    try:
        conn.send_bytes(READY)
    except OSError:
        return
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
