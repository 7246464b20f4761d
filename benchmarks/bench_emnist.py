#!/usr/bin/env python3
"""EMNIST loading figures of issue 4: conversion once, then memory-mapped loads.

    poetry run python benchmarks/bench_emnist.py [--runs 5] [--workdir DIR]

The real archive cannot be downloaded on the project's machines, so this
builds a synthetic ``gzip.zip`` in the official layout with the full
``emnist-byclass`` sizes (697,932 train + 116,323 test glyphs of 28x28; the
glyphs are random strokes, compressed with gzip level 6 like the original),
converts it once, and then measures in fresh processes (median of ``--runs``):

* load time: ``get_glyph_set("emnist-byclass", "train")`` -- memory-mapping
  the arrays, the cached ink extents, indexing by class -- and the first
  rendered text;
* resident memory added by that load (RSS after minus RSS before, in the
  same process), and after 1,000 more texts (glyphs are read with ``pread``
  for files this large, so memory stays flat; see ``glyphs.GlyphReader``).

Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _emnist_archive import idx_bytes, mapping_text
from number_generator.glyphsets import emnist

PROBE = r"""
import json, os, time
def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmRSS")) * 1024
import numpy, PIL.Image, number_generator
from number_generator.glyphsets.glyphs import get_glyph_set
from number_generator import render_text
before = rss()
t0 = time.perf_counter()
gs = get_glyph_set("emnist-byclass", "train")
t1 = time.perf_counter()
render_text("Hello World 2026", (0, 4), 300, dataset="emnist-byclass", seed=0)
t2 = time.perf_counter()
after_one = rss() - before
for i in range(1, 1001):
    render_text("Hello World 2026", (0, 4), 300, dataset="emnist-byclass", seed=i)
t3 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "first_text_s": t2 - t0, "rss_added": after_one, "rss_added_1000": rss() - before,
                  "text_us": (t3 - t2) / 1000 * 1e6, "glyphs": len(gs.labels)}))
"""


def fake_glyphs(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` glyphs of a few random thick strokes (compressible roughly like real ones)."""
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    for start in range(0, n, 50_000):
        m = min(50_000, n - start)
        block = images[start : start + m]
        for _ in range(3):
            r = rng.integers(4, 22, size=m)
            c0 = rng.integers(4, 12, size=m)
            length = rng.integers(6, 14, size=m)
            for d in range(14):
                on = d < length
                rows = np.clip(r + (d * rng.integers(-1, 2, size=m)) // 3, 0, 27)
                cols = np.clip(c0 + d, 0, 27)
                block[np.flatnonzero(on), rows[on], cols[on]] = 255
                block[np.flatnonzero(on), np.clip(rows[on] + 1, 0, 27), cols[on]] = 180
    return images


def build_archive(path: Path) -> None:
    rng = np.random.default_rng(0)
    n_classes = len(emnist.SPLITS["byclass"].classes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for part, n in zip(emnist.PARTS, emnist.SPLITS["byclass"].sizes):
            images = fake_glyphs(n, rng)
            labels = rng.integers(0, n_classes, size=n).astype(np.uint8)
            zf.writestr(f"gzip/{emnist.member_name('byclass', part, 'images')}", gzip.compress(idx_bytes(images), 6))
            zf.writestr(f"gzip/{emnist.member_name('byclass', part, 'labels')}", gzip.compress(idx_bytes(labels), 6))
        zf.writestr(f"gzip/{emnist.mapping_name('byclass')}", mapping_text("byclass"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="bench-emnist-"))
    work.mkdir(parents=True, exist_ok=True)
    archive = work / "gzip.zip"
    if not archive.exists():
        t = time.perf_counter()
        build_archive(archive)
        print(
            f"built synthetic archive {archive} ({archive.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s"
        )
    env = dict(
        os.environ,
        NUMBER_GENERATOR_CACHE=str(work / "cache"),
        **{emnist.PATH_ENV: str(archive), emnist.MD5_ENV: emnist.md5_of(archive)},
    )
    convert = [sys.executable, "-c", "from number_generator.glyphsets import emnist; emnist.prepare('byclass')"]
    t = time.perf_counter()
    subprocess.run(convert, env=env, check=True)
    conversion = time.perf_counter() - t
    subprocess.run([sys.executable, "-c", PROBE], env=env, check=True, capture_output=True)  # extents cached
    runs = [
        json.loads(
            subprocess.run([sys.executable, "-c", PROBE], env=env, check=True, capture_output=True, text=True).stdout
        )
        for _ in range(args.runs)
    ]
    med = {
        k: statistics.median(r[k] for r in runs)
        for k in ("load_s", "first_text_s", "rss_added", "rss_added_1000", "text_us")
    }
    print()
    print("| emnist-byclass (synthetic, full size: %s train glyphs) | result |" % f"{runs[0]['glyphs']:,}")
    print("|---|---|")
    print(f"| first use: convert train + test from the archive (once) | {conversion:.1f} s |")
    print(
        f'| later loads: `get_glyph_set("emnist-byclass", "train")` (median of {args.runs} processes) | {med["load_s"] * 1000:.0f} ms |'
    )
    print(f"| ... and the first rendered text | {med['first_text_s'] * 1000:.0f} ms |")
    print(f"| resident memory added by the load and one text | {med['rss_added'] / 2**20:.1f} MiB |")
    print(f"| ... after 1,000 more texts (16 characters each) | {med['rss_added_1000'] / 2**20:.1f} MiB |")
    print(f"| one 16-character text, 300 px | {med['text_us']:.0f} µs |")
    print(
        f"| cache on disk | {sum(p.stat().st_size for p in (work / 'cache').rglob('*') if p.is_file()) / 1e6:.0f} MB |"
    )


if __name__ == "__main__":
    main()
