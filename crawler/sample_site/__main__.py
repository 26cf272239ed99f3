"""``python -m aiwatch.crawler.sample_site [--port N] [--host H]``: serve the sample site until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from aiwatch.crawler.sample_site import serve


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, serve the site and print its URL."""
    parser = argparse.ArgumentParser(prog="python -m aiwatch.crawler.sample_site", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free port)")
    args = parser.parse_args(argv)
    try:
        with serve(host=args.host, port=args.port) as base_url:
            print(f"Sample site at {base_url}/  (feed: {base_url}/feed.xml; Ctrl-C stops)", flush=True)
            threading.Event().wait()
    except OSError as exc:
        raise SystemExit(f"sample site: cannot bind {args.host}:{args.port}: {exc.strerror or exc}") from None
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
