"""Cost of the glyph stage of ``realistic`` alone (warps, stroke thickness, digit styles, parameter draws).

Usage::

    poetry run python benchmarks/bench_glyph_stage.py [--repeat 5]

The inputs are what ``render_block`` hands the glyph stage: 10-digit strings
planned and framed with the ``realistic`` option defaults (MNIST train), each
string's generator in the state the planner left it.  Two paths, CPU time
(``time.process_time``, one thread), median over ``--repeat`` runs, µs per
image (one string = one image):

* ``draw``: one ``Pipeline.apply_glyphs`` call per string, as ``draw`` makes;
* ``block``: the strings of a block of 256 in one ``Pipeline.apply_glyph_block``
  call, as ``SyntheticDataset.render_block`` makes (on checkouts without it,
  one ``apply_glyphs`` call per string, which is what blocks did before).
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

from number_generator.augment import resolve_augment
from number_generator.core.framing import frame_glyphs
from number_generator.core.options import Options
from number_generator.core.planner import plan_block
from number_generator.core.render import gather_glyphs
from number_generator.glyphsets.glyphs import get_glyph_set

BLOCK = 256
BLOCKS = 3


def planned_block(seed: int):
    """Framed glyphs, texts and generator states of ``BLOCK`` planned 10-digit strings."""
    options = Options.create(augment="realistic", width=300)
    glyph_set = get_glyph_set("mnist", "train")
    text_rng = np.random.default_rng(seed)
    texts = ["".join(map(str, text_rng.integers(0, 10, 10))) for _ in range(BLOCK)]
    rngs = [np.random.default_rng((seed, k)) for k in range(BLOCK)]
    plan = plan_block(texts, rngs, options, glyph_set)
    glyphs, _ = gather_glyphs(plan, glyph_set)
    glyphs = frame_glyphs(glyphs, plan.glyph_scales, plan.baselines)
    return np.ascontiguousarray(glyphs), texts, [r.bit_generator.state for r in rngs]


def generators(states) -> list[np.random.Generator]:
    out = []
    for state in states:
        rng = np.random.default_rng()
        rng.bit_generator.state = state
        out.append(rng)
    return out


def run(blocks, path: str) -> float:
    """CPU µs per image of one pass over ``blocks`` (generators rebuilt outside the timing)."""
    pipe = resolve_augment("realistic")
    total = 0.0
    for glyphs, texts, states in blocks:
        rngs = generators(states)
        lengths = [len(t) for t in texts]
        start = time.process_time()
        if path == "block" and hasattr(pipe, "apply_glyph_block"):
            pipe.apply_glyph_block(glyphs, rngs, lengths, "".join(texts))
        else:
            a = 0
            for rng, text in zip(rngs, texts):
                pipe.apply_glyphs(glyphs[a : a + len(text)], rng, text=text)
                a += len(text)
        total += time.process_time() - start
    return total / (len(blocks) * BLOCK) * 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    blocks = [planned_block(seed) for seed in range(BLOCKS)]
    print(f"| path | µs per image (median of {args.repeat}) | images/s |")
    print("|---|---:|---:|")
    for path in ("draw", "block"):
        run(blocks[:1], path)  # warm-up: noise banks, caches
        us = statistics.median(run(blocks, path) for _ in range(args.repeat))
        print(f"| {path} | {us:.1f} | {1e6 / us:,.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
