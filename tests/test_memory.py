"""Peak memory of a process is its own, even when a large parent started it (ru_maxrss is inherited)."""

from __future__ import annotations

import subprocess
import sys

from aiwatch.memory import peak_rss_mb


def test_child_of_a_large_parent_reports_its_own_peak():
    ballast = bytearray(400 * 2**20)
    ballast[:: 4096] = b"\x01" * len(range(0, len(ballast), 4096))  # touch every page: resident
    code = "import resource; from aiwatch.memory import peak_rss_mb; " \
           "print(peak_rss_mb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    own, inherited = map(float, subprocess.check_output([sys.executable, "-c", code], text=True).split())
    assert peak_rss_mb() > 400
    assert own < 150, own
    # Why the module exists: on Linux the kernel's counter carries the parent's peak into the child.
    if sys.platform == "linux":
        assert inherited > 400, inherited
    del ballast


def test_crawler_uses_the_process_memory_extension():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("aiwatch.crawler.settings")
    enabled = {name for name, order in settings.getwithbase("EXTENSIONS").items() if order is not None}
    assert "scrapy.extensions.memusage.MemoryUsage" not in enabled  # it reads the inherited ru_maxrss
    assert "aiwatch.crawler.runtime.memusage.ProcessMemoryUsage" in enabled
