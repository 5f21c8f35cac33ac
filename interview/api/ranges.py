"""HTTP Range requests (RFC 9110 section 14) over a stored blob, so a <video> can seek."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from fastapi.responses import Response, StreamingResponse

BLOCK = 256 * 1024  # bytes read per step


class Unsatisfiable(Exception):
    """The range starts past the end of the file."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte, inclusive, of a single "bytes=" range; None to send everything
    (no header, a unit other than bytes, several ranges, or a malformed value)."""
    if not header or not header.strip().lower().startswith("bytes="):
        return None
    spec = header.strip()[6:].strip()
    if "," in spec or "-" not in spec:
        return None
    first_s, last_s = (p.strip() for p in spec.split("-", 1))
    try:
        if first_s == "":  # the last N bytes
            n = int(last_s)
            if n <= 0:
                raise Unsatisfiable
            return max(0, size - n), size - 1
        first = int(first_s)
        last = int(last_s) if last_s else size - 1
    except ValueError:
        return None
    if first >= size:
        raise Unsatisfiable
    if first < 0 or last < first:
        return None
    return first, min(last, size - 1)


def _stream(f: BinaryIO, first: int, length: int) -> Iterator[bytes]:
    try:
        f.seek(first)
        left = length
        while left > 0:
            block = f.read(min(BLOCK, left))
            if not block:
                break
            left -= len(block)
            yield block
    finally:
        f.close()


def ranged_response(f: BinaryIO, media_type: str, range_header: str | None) -> Response:
    """200 with the whole file, 206 with the asked range, or 416 past the end."""
    f.seek(0, 2)
    size = f.tell()
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=600"}
    try:
        span = parse_range(range_header, size)
    except Unsatisfiable:
        f.close()
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    if span is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(_stream(f, 0, size), 200, headers, media_type=media_type)
    first, last = span
    headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    headers["Content-Length"] = str(last - first + 1)
    return StreamingResponse(
        _stream(f, first, last - first + 1), 206, headers, media_type=media_type
    )
