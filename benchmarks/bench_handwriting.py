"""Cost of the issue-13 options: ``realistic`` end to end, ``writer="same"`` against ``"any"``.

Usage::

    poetry run python benchmarks/bench_handwriting.py [--repeat 7]

Single-threaded (OpenCV and BLAS limited to one thread), so the figures are
per core.  Each figure is the median over ``--repeat`` runs of the mean over
many calls (at least 0.2 s per run); images are 10 digits, 300 px wide, drawn
from MNIST ``train`` glyphs, composition included.  Two paths:

* ``draw``: one image per call (``number_generator.draw``), fresh seed each call;
* ``block``: ``SyntheticDataset.render_block`` of 256 samples (what exports and
  the DataLoader adapter use), per image.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import cv2
import numpy as np

from number_generator import draw
from number_generator.data.dataset import SyntheticDataset

TEXT = "0123456789"
WIDTH = 300
BLOCK = 256


def timed(fn, repeat: int, per_call: int = 1, min_time: float = 0.2) -> float:
    """Median over ``repeat`` runs of the mean µs per image (``per_call`` images per call of ``fn``)."""
    fn()
    runs = []
    for _ in range(repeat):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        runs.append(elapsed / (calls * per_call) * 1e6)
    return statistics.median(runs)


def draw_row(options: dict, repeat: int) -> float:
    rng = np.random.default_rng(0)
    return timed(lambda: draw(TEXT, seed=rng, width=WIDTH, **options), repeat)


def block_row(spec_options: dict, repeat: int) -> float:
    spec = {"seed": 1, "count": 100_000, "width": WIDTH, "draw": {"kind": "digits", "length": 10}, **spec_options}
    ds = SyntheticDataset(spec)
    start = [0]

    def one_block() -> None:
        ds.render_block(start[0], start[0] + BLOCK)
        start[0] = (start[0] + BLOCK) % (100_000 - BLOCK)

    return timed(one_block, repeat, per_call=BLOCK)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    rows = [
        ("draw", "writer='any' (default), no augmentation", lambda: draw_row({}, args.repeat)),
        ("draw", "writer='same', no augmentation", lambda: draw_row({"writer": "same"}, args.repeat)),
        ("block", "writer='any' (default), no augmentation", lambda: block_row({}, args.repeat)),
        ("block", "writer='same', no augmentation", lambda: block_row({"writer": "same"}, args.repeat)),
        (
            "draw",
            "spacing (-3, 2), fill (0.55, 1), align random",
            lambda: draw_row({"spacing": (-3, 2), "fill": (0.55, 1.0), "align": "random"}, args.repeat),
        ),
        (
            "draw",
            "augment='realistic' (its option defaults on)",
            lambda: draw_row({"augment": "realistic"}, args.repeat),
        ),
        (
            "block",
            "augment='realistic' (its option defaults on)",
            lambda: block_row({"augment": "realistic"}, args.repeat),
        ),
    ]
    print(f"| path | {TEXT!r}, width {WIDTH} | µs per image | images/s |")
    print("|---|---|---:|---:|")
    for path, label, measure in rows:
        us = measure()
        print(f"| {path} | {label} | {us:.1f} | {1e6 / us:,.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
