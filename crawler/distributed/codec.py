"""JSON serializer for requests in the shared Redis queue (scrapy-redis ``SCHEDULER_SERIALIZER``).

scrapy-redis pickles requests by default; unpickling whatever sits in Redis would let anyone who can write
to it run code in every crawler. Requests are plain data (``Request.to_dict``), so JSON does, with bytes
and bytes-keyed dicts (headers) tagged.

>>> loads(dumps({"headers": {b"Accept": [b"text/html"]}, "body": b"", "meta": {"depth": 1}}))
{'headers': {b'Accept': [b'text/html']}, 'body': b'', 'meta': {'depth': 1}}
"""

from __future__ import annotations

import base64
import json
from typing import Any


def _tag(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _tag(v) for k, v in value.items()}
        return {"__pairs__": [[_tag(k), _tag(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [_tag(v) for v in value]
    return value


def _untag(obj: dict[str, Any]) -> Any:
    if set(obj) == {"__bytes__"}:
        return base64.b64decode(obj["__bytes__"])
    if set(obj) == {"__pairs__"}:
        return {k: v for k, v in obj["__pairs__"]}
    return obj


def dumps(obj: Any) -> bytes:
    """JSON bytes for a request dict; raises TypeError for values that are not plain data."""
    return json.dumps(_tag(obj), separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    """The request dict back from :func:`dumps`."""
    return json.loads(data, object_hook=_untag)
