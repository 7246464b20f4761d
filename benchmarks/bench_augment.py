"""Cost of each augmentation transform and of whole presets, in µs per call.

Usage::

    PYTHONPATH=src python benchmarks/bench_augment.py [--repeat 7] [--threads 1]

Single-threaded by default (OpenCV and BLAS limited to one thread) so the
figures are per core.  Each figure is the median over ``--repeat`` runs of the
mean over many calls; every call samples fresh parameters (probability forced
to 1 for the per-transform rows) and applies them.  Glyphs are synthetic
strokes drawn with OpenCV (timings do not depend on the glyph content), except
for the class-conditional digit styles (CrossedSeven, FlaggedOne, OpenFour),
timed on real MNIST glyphs of their class.  Marks are timed on a real composed
line of "0123456789" (three thousands separators fit).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import cv2
import numpy as np

from number_generator.augment import (
    GLYPH_TRANSFORMS,
    IMAGE_TRANSFORMS,
    MARK_TRANSFORMS,
    PRESETS,
    Pipeline,
    resolve_augment,
)

PRESET_ROWS = ("light", "medium", "heavy", "realistic")
TEXT = "0123456789"

WIDTH = 300
N_GLYPHS = 10


def synthetic_glyphs(n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros((n, 28, 28), np.uint8)
    for g in out:
        pts = rng.integers(5, 23, size=(4, 2)).astype(np.int32)
        cv2.polylines(g, [pts], False, 255, int(rng.integers(2, 4)), cv2.LINE_AA)
    return out


def line(rng: np.random.Generator):
    img = np.ones((28, WIDTH), np.float32)
    boxes = []
    for i, g in enumerate(synthetic_glyphs(N_GLYPHS, rng)):
        x = 10 + i * 28
        img[:, x : x + 28] = np.minimum(img[:, x : x + 28], 1.0 - g / 255.0)
        boxes.append([x, 0, x + 28, 28])
    return img, np.array(boxes, np.int64)


def timed(fn, repeat: int, min_time: float = 0.05) -> float:
    """Median over ``repeat`` runs of the mean µs per call."""
    fn()
    n = 1
    while True:  # calibrate
        t = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t >= min_time:
            break
        n *= 2
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(runs)


def representative(kind: str):
    """The transforms of the medium preset (plus the ones it lacks, as in heavy or realistic), probability 1."""
    table = {"glyph": GLYPH_TRANSFORMS, "image": IMAGE_TRANSFORMS, "marks": MARK_TRANSFORMS}[kind]
    configs = {d["type"]: dict(d) for d in PRESETS["medium"].get(kind, [])}
    for name in ("heavy", "realistic"):
        configs.update({d["type"]: dict(d) for d in PRESETS[name].get(kind, []) if d["type"] not in configs})
    out = []
    for name, cls in table.items():
        cfg = {k: v for k, v in configs.get(name, {"type": name}).items() if k != "type"}
        cfg["p"] = 1.0
        out.append(cls(**cfg))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1, help="OpenCV threads (default 1 = one core)")
    args = ap.parse_args(argv)
    cv2.setNumThreads(args.threads)
    rng = np.random.default_rng(0)
    glyph = synthetic_glyphs(1, rng)[0]
    stack = synthetic_glyphs(N_GLYPHS, rng)
    img, boxes = line(rng)

    print(
        f"# augmentation cost, µs per call (median of {args.repeat}), OpenCV threads={args.threads}, "
        f"numpy {np.__version__}, OpenCV {cv2.__version__}"
    )
    print()
    print(f"| glyph transform (p=1)  | 1 glyph | {N_GLYPHS} glyphs batched | per glyph in batch |")
    print("|---|---:|---:|---:|")
    for t in representative("glyph"):
        pipe = Pipeline(glyph=[t])
        g1, gn, text = glyph, stack, None
        if t.character:  # class-conditional: real glyphs of its class, which it edits
            gn, text = class_glyphs(t.character, N_GLYPHS, rng), t.character * N_GLYPHS
            g1 = gn[0]
        one = timed(lambda: pipe.apply_glyph(g1, rng, char=text and text[0]), args.repeat)
        many = timed(lambda: pipe.apply_glyphs(gn, rng, text=text), args.repeat)
        print(f"| {type(t).__name__} | {one:.1f} | {many:.1f} | {many / N_GLYPHS:.1f} |")
    print()
    print(f"| image transform (p=1) on 28x{WIDTH} | µs |")
    print("|---|---:|")
    for t in representative("image"):
        pipe = Pipeline(image=[t])
        us = timed(lambda: pipe.apply_image(img, boxes, rng), args.repeat)
        print(f"| {type(t).__name__} | {us:.1f} |")
    page = real_line()
    if page is not None:
        print()
        print(f"| mark transform (p=1) on a real 28x{WIDTH} line of {TEXT!r} | µs |")
        print("|---|---:|")
        for t in representative("marks"):
            pipe = Pipeline(marks=[t])
            us = timed(lambda: pipe.apply_marks(page.image, page.boxes, TEXT, rng), args.repeat)
            print(f"| {type(t).__name__} | {us:.1f} |")
    print()
    print(
        f"| preset: {N_GLYPHS} glyphs + marks + one 28x{WIDTH} image | glyphs µs | marks µs | image µs "
        "| total µs | images/s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name in PRESET_ROWS:
        pipe = resolve_augment(name)
        g = timed(lambda: pipe.apply_glyphs(stack, rng, text=TEXT), args.repeat)
        m = timed(lambda: pipe.apply_marks(page.image, page.boxes, TEXT, rng), args.repeat) if page else 0.0
        i = timed(lambda: pipe.apply_image(img, boxes, rng), args.repeat)

        def all_stages():
            pipe.apply_glyphs(stack, rng, text=TEXT)
            if page is not None:
                pipe.apply_marks(page.image, page.boxes, TEXT, rng)
            pipe.apply_image(img, boxes, rng)

        total = timed(all_stages, args.repeat)
        print(f"| {name} | {g:.1f} | {m:.1f} | {i:.1f} | {total:.1f} | {1e6 / total:,.0f} |")
    end_to_end(args.repeat)
    return 0


def class_glyphs(char: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Real MNIST glyphs of one digit (synthetic strokes if the core is not importable)."""
    try:
        from number_generator.glyphsets.glyphs import get_glyph_set
    except ImportError:
        return synthetic_glyphs(n, rng)
    gs = get_glyph_set("mnist", "train")
    return np.ascontiguousarray(gs.images[gs.pick(np.full(n, int(char)), rng)])


def real_line():
    """A composed line of TEXT with its boxes, or None without the core."""
    try:
        from number_generator import render_sequence
    except ImportError:
        return None
    return render_sequence(TEXT, (0, 4), WIDTH, seed=0)


def end_to_end(repeat: int) -> None:
    """Whole images through the public API: real MNIST glyphs, composition included."""
    try:
        from number_generator import render_sequence
    except ImportError:  # augment package alone, without the core
        return
    rng = np.random.default_rng(1)
    render_sequence("0123456789", (0, 4), WIDTH, seed=rng)  # load the glyph set once
    print()
    print(f"| render_sequence('0123456789', (0, 4), {WIDTH}) | µs per image | images/s | augmentation share |")
    print("|---|---:|---:|---:|")
    base = timed(lambda: render_sequence("0123456789", (0, 4), WIDTH, seed=rng), repeat)
    print(f"| augment=None | {base:.1f} | {1e6 / base:,.0f} | - |")
    for name in PRESET_ROWS:
        # the call users write (a preset name) and the same with a pipeline resolved beforehand
        pipe = resolve_augment(name)
        for label, augment in ((repr(name), name), (f"resolve_augment({name!r})", pipe)):
            us = timed(lambda: render_sequence("0123456789", (0, 4), WIDTH, seed=rng, augment=augment), repeat)
            print(f"| augment={label} | {us:.1f} | {1e6 / us:,.0f} | {us - base:.1f} µs |")


if __name__ == "__main__":
    sys.exit(main())
