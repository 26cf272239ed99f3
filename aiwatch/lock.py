"""An exclusive, crash-safe run lock for ``aiwatch update``.

The lock is an ``flock`` on a small file beside the database: the kernel releases it when the holding
process exits or dies (even on SIGKILL), so a stale lock file never blocks cron. The file records who holds
it (pid, start time, command) so a refused run can name the holder.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from aiwatch.runs import utcnow

EX_TEMPFAIL = 75


class LockHeldError(Exception):
    """Another process holds the lock."""

    def __init__(self, path: Path, holder: dict[str, object] | None) -> None:
        self.path = path
        self.holder = holder or {}
        who = ", ".join(f"{k} {v}" for k, v in self.holder.items() if k in ("pid", "started_at", "host"))
        super().__init__(
            f"another aiwatch update is running ({who or 'holder unknown'}); lock {path}"
        )


def default_lock_path(db_path: str | os.PathLike[str]) -> Path:
    """The lock file for a database: ``<db>.lock`` beside it."""
    return Path(f"{os.fspath(db_path)}.lock")


def read_holder(path: Path) -> dict[str, object] | None:
    """What the lock file says about its holder, or None if unreadable."""
    try:
        return json.loads(path.read_text() or "null")
    except (OSError, ValueError):
        return None


def _written_holder(path: Path, wait: float = 0.25) -> dict[str, object] | None:
    """The holder, once it has written itself into the lock file: a run that took the lock an instant ago
    may not have yet (it writes right after locking), so an empty file is read again for up to ``wait``
    seconds before the holder is called unknown."""
    deadline = time.monotonic() + wait
    while True:
        holder = read_holder(path)
        if holder or time.monotonic() >= deadline:
            return holder
        time.sleep(0.01)


class RunLock:
    """Non-blocking exclusive lock; use as a context manager.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.lock"
    >>> with RunLock(p, "update"):
    ...     try:
    ...         RunLock(p, "update").acquire()
    ...     except LockHeldError as exc:
    ...         print(str(exc)[:33])
    another aiwatch update is running
    >>> RunLock(p, "update").acquire().release()  # free again once the holder is done
    """

    def __init__(self, path: str | os.PathLike[str], command: str) -> None:
        self.path = Path(path)
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockHeldError(self.path, _written_holder(self.path)) from None
        holder = {"pid": os.getpid(), "started_at": utcnow(), "host": socket.gethostname(),
                  "command": self.command}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
