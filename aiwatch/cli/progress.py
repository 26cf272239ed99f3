"""Live progress on a terminal: a tqdm line per stage, on stderr, only when stderr is a terminal.

Cron (no terminal) sees none of it; ``-q`` turns it off everywhere. The extract stage draws its own bar
(:func:`aiwatch.extract.runner.run_extract`); the crawl's counts come from its child process
(:func:`aiwatch.crawler.runtime.run.run_prepared`'s ``on_progress``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


def show_progress(verbosity: int) -> bool:
    """Progress bars are for people at a terminal: not under ``-q``, not when stderr is a pipe or file."""
    return verbosity >= 0 and sys.stderr.isatty()


def crawl_postfix(counts: dict[str, int]) -> str:
    """The words after the crawl bar's page count.

    >>> crawl_postfix({"fetched": 9, "stored": 4, "rejected": 3, "duplicates": 1, "errors": 0})
    'stored 4 (1 syndicated copies), rejected 3, errors 0'
    """
    copies = f" ({counts['duplicates']} syndicated copies)" if counts.get("duplicates") else ""
    return f"stored {counts.get('stored', 0)}{copies}, rejected {counts.get('rejected', 0)}, " \
           f"errors {counts.get('errors', 0)}"


@contextmanager
def crawl_bar(show: bool) -> Iterator[Callable[[dict[str, int]], None] | None]:
    """A bar counting pages fetched, articles stored and pages rejected; yields its update callback, or
    None when ``show`` is false (so the crawl does not even report progress)."""
    if not show:
        yield None
        return
    bar = tqdm(desc="crawl", unit=" pages fetched", file=sys.stderr, total=None, leave=True,
               bar_format="{desc}: {n}{unit} [{elapsed}]{postfix}")

    def update(counts: dict[str, int]) -> None:
        bar.n = counts.get("fetched", 0)
        bar.set_postfix_str(crawl_postfix(counts), refresh=False)
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
