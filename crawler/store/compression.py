"""Compression of stored raw responses (``raw_pages.body``) and of bodies handed over in a distributed crawl.

zstd at level 3: on the shared benchmark's real pages it reaches zlib level 6's ratio several times faster
(zlib was, on such pages, as costly as extracting the article). Rows written
before zstd hold zlib data and say so in ``raw_pages.compression``; both are read.
"""

from __future__ import annotations

import zlib

import zstandard

RAW_CODEC = "zstd"
CODECS = ("zstd", "zlib")
ZSTD_LEVEL = 3
_compressor: zstandard.ZstdCompressor | None = None  # one per process (not shared between threads)


class CompressedDataError(ValueError):
    """Compressed data that cannot be read: corrupt, of an unknown codec or over the size allowed."""


def compress_raw(body: bytes) -> bytes:
    """``body`` compressed with :data:`RAW_CODEC` (the frame records the original size)."""
    global _compressor
    if _compressor is None:
        _compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    return _compressor.compress(body)


def decompress_raw(data: bytes, codec: str = RAW_CODEC, *, max_size: int | None = None) -> bytes:
    """The original bytes of ``data`` compressed with ``codec``; at most ``max_size`` bytes of output (a
    frame claiming more is refused before anything is allocated)."""
    try:
        if codec == "zstd":
            declared = zstandard.frame_content_size(data)
            if max_size is not None and declared > max_size:
                raise CompressedDataError(f"zstd frame of {declared} bytes exceeds {max_size}")
            if declared < 0:  # size not recorded (a stream written elsewhere): bound the output instead
                limit = max_size or 1 << 30
                try:
                    return zstandard.ZstdDecompressor().decompress(data, max_output_size=limit)
                except zstandard.ZstdError as exc:
                    raise CompressedDataError(f"zstd data corrupt or over {limit} bytes ({exc})") from None
            return zstandard.ZstdDecompressor().decompress(data)
        if codec == "zlib":
            inflater = zlib.decompressobj()
            out = inflater.decompress(data, max_size or 0)
            if inflater.unconsumed_tail:
                raise CompressedDataError(f"zlib data inflates beyond {max_size} bytes")
            return out
    except (zstandard.ZstdError, zlib.error) as exc:
        raise CompressedDataError(f"corrupt {codec} data ({exc})") from None
    raise CompressedDataError(f"unknown compression {codec!r} (expected one of {', '.join(CODECS)})")
