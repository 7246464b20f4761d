"""What one request may cost the server: the work budget, batch stream slots, log redaction.

The budget is counted in *pixel-passes*: every image pixel and every glyph
pixel is touched once to compose the image, and once more by each transform
of the augmentation pipeline.  It is checked before any work, so a request
past it costs the server nothing.  Batch downloads also take one of a few
*stream slots* for as long as they generate; when none is free the answer is
503 with ``Retry-After``, so batches never queue up in front of single images.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator

from starlette.concurrency import iterate_in_threadpool
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

#: Pixels of one glyph (28 x 28): glyph transforms work on every glyph of every character.
GLYPH_PIXELS = 28 * 28
#: Output image height, pixels.
IMAGE_HEIGHT = 28
#: Seconds a client is told to wait (``Retry-After``) when every stream slot is busy.
RETRY_AFTER_SECONDS = 5


def request_cost(images: int, image_width: int, characters: int, transforms: int) -> int:
    """Work of a request in pixel-passes.

    Parameters
    ----------
    images : int
        Images to generate (1 for a single PNG, ``count`` for a batch).
    image_width : int
        Width of each image, pixels (height is 28).
    characters : int
        Most characters in one image (each is a 28 x 28 glyph).
    transforms : int
        Transforms in the augmentation pipeline (0 without augmentation).

    Returns
    -------
    int
        ``images x (28 x image_width + 784 x characters) x (1 + transforms)``.
    """
    pixels = IMAGE_HEIGHT * image_width + GLYPH_PIXELS * characters
    return images * pixels * (1 + transforms)


class StreamSlots:
    """At most ``size`` batch streams generating at once in this process (thread-safe, never blocks)."""

    def __init__(self, size: int):
        self.size = size
        self._free = threading.BoundedSemaphore(size)

    def try_take(self) -> bool:
        """Take a slot if one is free; ``False`` otherwise."""
        return self._free.acquire(blocking=False)

    def give_back(self) -> None:
        """Return a slot taken with :meth:`try_take`."""
        self._free.release()


def _malloc_trim() -> Callable[[], object] | None:
    """glibc's ``malloc_trim(0)``, or ``None`` on other C libraries."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return lambda: trim(0)


_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Hand memory freed by a finished stream back to the system.

    glibc keeps what a thread freed in that thread's arena; with a pool of
    up to 40 threads each generating a block now and then, an idle server
    would otherwise keep the peak of every arena.
    """
    if _TRIM is not None:
        _TRIM()


class SlotStreamingResponse(StreamingResponse):
    """A streamed download that holds a stream slot until it ends, however it ends.

    ``chunks`` is a plain generator of bytes, advanced in the thread pool one
    chunk at a time: nothing is generated ahead of what the client has taken
    but the chunk being sent.  When the client disconnects (Starlette cancels
    the response) or the server stops (uvicorn cancels it after its graceful
    shutdown timeout) the generator is closed and the slot given back.
    """

    def __init__(self, chunks: Iterator[bytes], slots: StreamSlots, **kwargs) -> None:
        self._chunks, self._slots = chunks, slots
        super().__init__(self._iterate(), **kwargs)

    async def _iterate(self) -> AsyncIterator[bytes]:
        async for chunk in iterate_in_threadpool(self._chunks):
            yield chunk

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            try:
                self._chunks.close()  # type: ignore[attr-defined]
            except (AttributeError, ValueError):  # not a generator, or still running in its thread
                pass
            self._slots.give_back()
            release_free_memory()


_KEY_IN_QUERY = re.compile(r"(?i)(api_key=)[^&\s]*")


class RedactKey(logging.Filter):
    """Replace the value of ``api_key=`` in access-log lines by ``***`` (the key must not reach logs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_KEY_IN_QUERY.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = _KEY_IN_QUERY.sub(r"\1***", record.msg)
        return True


def redact_access_log() -> None:
    """Install :class:`RedactKey` on uvicorn's access logger (once per process)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactKey) for f in logger.filters):
        logger.addFilter(RedactKey())
