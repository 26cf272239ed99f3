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


_registered = False


def forked_children_die_with_parent() -> None:
    """From now on, every child this process forks (e.g. spaCy's ``n_process`` workers) dies with it.

    Without this, a SIGKILLed extract (the OOM killer, ``kill -9``) leaves its spaCy workers running.
    """
    global _registered
    if not _registered:
        os.register_at_fork(after_in_child=_die_with_forking_parent)
        _registered = True


def _die_with_forking_parent() -> None:
    die_with_parent(os.getppid())
