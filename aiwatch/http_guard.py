"""Slow and idle clients cannot hold ``aiwatch serve``: a header-read timeout and a connection cap.

uvicorn (h11) accepts every connection and waits for its request header for as long as the client likes;
1,100 half-sent headers under a 1,024-file limit leave no descriptor for a real request (EMFILE).
:func:`guarded_protocol` returns uvicorn's h11 protocol with two additions:

* **Header timeout.** A connection must deliver a complete request header within ``header_timeout``
  seconds of opening, and again after each response (keep-alive); otherwise it is closed. A request whose
  header has arrived is never cut off (its response may take as long as the SQL time limit allows).
* **Connection cap.** Past ``max_connections`` open connections, the oldest one still waiting for its
  header is closed to make room; when every connection is busy with a request, the new one is closed.

:func:`raise_open_file_limit` lifts the soft open-file limit to the hard one at start, and
:func:`connection_cap` keeps the cap under it, so the cap, not the kernel, decides.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("aiwatch.serve")
RESERVED_FILES = 100  # descriptors left for SQLite files, logs and the listening socket


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header-read timeout and a cap on open connections."""

    header_timeout: float = 10.0
    max_connections: int = 500

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opened = 0.0
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._opened = self.loop.time()
        self._arm_header_timer()
        if len(self.connections) > self.max_connections:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a request header arrived
            self._disarm_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.waiting_for_header():
            self._arm_header_timer()

    def waiting_for_header(self) -> bool:
        """True while no request is in progress on this connection."""
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self.waiting_for_header() and not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        idle = [c for c in self.connections
                if isinstance(c, GuardedH11Protocol) and c.waiting_for_header() and c.transport is not None
                and not c.transport.is_closing()]
        victim = min(idle, key=lambda c: c._opened) if idle else self
        log.debug("connection cap %d reached: closing %s", self.max_connections,
                  "the oldest idle connection" if victim is not self else "the new connection")
        victim.transport.close()


def guarded_protocol(header_timeout: float, max_connections: int) -> type[GuardedH11Protocol]:
    """:class:`GuardedH11Protocol` with these limits (uvicorn takes a protocol class as ``http``)."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,),
                {"header_timeout": float(header_timeout), "max_connections": int(max_connections)})


def raise_open_file_limit() -> int:
    """Lift the soft open-file limit to the hard limit (when allowed); returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def connection_cap(wanted: int, open_file_limit: int) -> int:
    """The connection cap that fits under ``open_file_limit``.

    >>> connection_cap(500, 1024), connection_cap(5000, 1024), connection_cap(500, 120)
    (500, 924, 20)
    """
    return max(20, min(wanted, open_file_limit - RESERVED_FILES))
