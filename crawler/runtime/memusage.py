"""Scrapy's memory-usage extension, measuring only the crawl process's own memory.

Scrapy's ``MemoryUsage`` reads ``ru_maxrss``, which Linux carries across fork and exec: a crawl started by a
large parent would inherit the parent's peak and could be closed for memory it never used (see
:mod:`aiwatch.memory`). This subclass reads the crawl process's own high-water mark instead; the limits,
warnings and ``memusage/*`` stats work as in Scrapy (settings ``MEMUSAGE_*``).
"""

from __future__ import annotations

from scrapy.extensions.memusage import MemoryUsage

from aiwatch.memory import peak_rss_bytes


class ProcessMemoryUsage(MemoryUsage):
    """``MemoryUsage`` over this process image's peak RSS (VmHWM)."""

    def get_virtual_size(self) -> int:
        return peak_rss_bytes()
