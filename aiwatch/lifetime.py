"""Child processes that must not outlive the process that started them."""

from __future__ import annotations

import os
import signal


def die_with_parent(parent_pid: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent dies (best effort elsewhere).

    With ``parent_pid``, also exit at once if the parent already died before the request was made (the
    process was then adopted by another one).
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
