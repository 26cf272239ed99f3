"""This process's peak memory, measured in a way that survives fork and exec.

``resource.getrusage(...).ru_maxrss`` is carried across ``fork``+``exec`` on Linux: a child started by a
large parent (one that has loaded spaCy, or a test runner) starts with the parent's peak, so a memory limit
on it fires for memory it never used and its reported peak is the parent's. ``VmHWM`` in
``/proc/self/status`` is the high-water mark of this process image alone.
"""

from __future__ import annotations

from pathlib import Path

STATUS = Path("/proc/self/status")


def peak_rss_bytes() -> int:
    """Peak resident set size of this process image in bytes (current RSS where VmHWM is unavailable)."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    import psutil

    return int(psutil.Process().memory_info().rss)


def peak_rss_mb() -> float:
    """:func:`peak_rss_bytes` in MB, one decimal.

    >>> 0 < peak_rss_mb() < 1e6
    True
    """
    return round(peak_rss_bytes() / 2**20, 1)
