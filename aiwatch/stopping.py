"""Stopping a run from outside: SIGTERM and a time limit become exceptions in the main thread.

The handlers raise wherever the main thread is, so the run unwinds through its ``finally`` blocks and its
``runs`` row is closed (``interrupted`` or ``timeout``) instead of being left ``running``.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class TimeLimitExceeded(Exception):
    """The run's time limit (``--max-minutes``) was reached."""


class Terminated(BaseException):
    """SIGTERM arrived (cron, systemd or an operator stopping the run)."""


@dataclass
class StopRequest:
    """A stop asked for by a signal (SIGTERM or the time limit), remembered beside the exception raised.

    The handlers raise in the main thread, wherever it is; a library with a bare ``except:`` can swallow that
    exception (spaCy's model lookup does, then reports "can't find model"). The request itself stays here,
    so the run still ends as stopped, not as some other failure (see :meth:`prevails`).
    """

    error: BaseException | None = None

    def stop(self, error: BaseException) -> None:
        self.error = error
        raise error

    @contextmanager
    def prevails(self) -> Iterator[None]:
        """Raise the requested stop when the block ends, instead of the error it caused or a normal end.

        A KeyboardInterrupt still goes through as itself.
        """
        try:
            yield
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            if self.error is None or exc is self.error:
                raise
            raise self.error from None
        if self.error is not None:
            raise self.error


@contextmanager
def time_limit(
    seconds: float | None, stop: StopRequest | None = None
) -> Iterator[Callable[[], float | None]]:
    """Raise :class:`TimeLimitExceeded` in the main thread after ``seconds``; yields a "time left" getter."""
    if not seconds:
        yield lambda: None
        return
    deadline = time.monotonic() + seconds
    request = stop or StopRequest()

    def expire(signum: int, frame: object) -> None:
        request.stop(TimeLimitExceeded(f"time limit of {seconds / 60:g} minutes reached"))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield lambda: max(0.0, deadline - time.monotonic())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def sigterm_raises(stop: StopRequest | None = None) -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated` in the main thread, so the run is closed and recorded."""
    request = stop or StopRequest()

    def terminate(signum: int, frame: object) -> None:
        request.stop(Terminated("terminated by SIGTERM"))

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
