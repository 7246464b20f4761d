"""OpenCV's thread pool, set once per process when augmentation is first imported.

OpenCV parallelises ``remap``, ``GaussianBlur`` and ``warpPerspective`` over
its own pool (one thread per core by default).  On these tiny images
(28 x 300 px) the hand-off costs more than it saves, and in DataLoader worker
processes or a multi-process export every process's pool competes for the same
cores.  So the augmentation package runs OpenCV on **one thread per process**
by default; scale with processes (``--workers``, ``num_workers``) instead.
Measured figures are in BENCHMARKS.md.

The environment variable ``NUMBER_GENERATOR_OPENCV_THREADS`` overrides it
(read when the package is first imported, so also in every worker process):
``N`` is passed to ``cv2.setNumThreads`` (``0`` = no threading, a negative
number = OpenCV's own default).
"""

from __future__ import annotations

import os

import cv2

OPENCV_THREADS_ENV = "NUMBER_GENERATOR_OPENCV_THREADS"
#: Threads OpenCV uses per process unless the environment says otherwise.
DEFAULT_OPENCV_THREADS = 1


def opencv_threads() -> int:
    """The thread count for ``cv2.setNumThreads``: ``NUMBER_GENERATOR_OPENCV_THREADS`` or the default (1)."""
    raw = os.environ.get(OPENCV_THREADS_ENV, "").strip()
    if not raw:
        return DEFAULT_OPENCV_THREADS
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{OPENCV_THREADS_ENV} must be an integer, got {raw!r}") from None


def set_opencv_threads(threads: int | None = None) -> None:
    """Set OpenCV's thread pool for this process (``None``: :func:`opencv_threads`)."""
    cv2.setNumThreads(opencv_threads() if threads is None else threads)


set_opencv_threads()
