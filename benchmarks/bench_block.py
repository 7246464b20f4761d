#!/usr/bin/env python3
"""Per-sample path against the block path (the same code at two batch sizes), in CPU time.

    poetry run python benchmarks/bench_block.py [--repeat 5] [--count 5000]

Prints, medians of ``--repeat`` runs, in one process: the warm call
``generate_numbers_sequence(range(10), (0, 10), 300)`` (µs), and 10-digit phone
numbers (landline and toll-free, 300 px, no augmentation) made one at a time
(``ds[i]``) and in blocks of 1,000 (``ds.render_block``, what exports use),
as samples per second.  CPU time (``time.process_time``) rather than wall
time, so a busy machine skews the figures less; the load is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import timeit

from number_generator import SyntheticDataset, generate_numbers_sequence

PHONE10 = {"seed": 0, "width": 300, "spacing": [0, 4], "draw": {"kind": "phone", "formats": ["landline", "toll-free"]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    n = args.count
    print(f"load average at start: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores\n")
    generate_numbers_sequence(range(10), (0, 10), 300)
    warm = timeit.repeat(
        lambda: generate_numbers_sequence(range(10), (0, 10), 300),
        number=2000,
        repeat=args.repeat,
        timer=time.process_time,
    )
    ds = SyntheticDataset({**PHONE10, "length": n})  # "length": also read by versions before "count"
    ds.render_block(0, 100)  # build the per-process glyph table once

    def per_sample() -> None:
        for i in range(n):
            ds[i]

    def block() -> None:
        for lo in range(0, n, 1000):
            ds.render_block(lo, min(n, lo + 1000))

    rates = {}
    for name, run in (("one at a time, `ds[i]`", per_sample), ("blocks of 1,000, `ds.render_block`", block)):
        times = []
        for _ in range(args.repeat):
            start = time.process_time()
            run()
            times.append(time.process_time() - start)
        rates[name] = n / statistics.median(times)
    print(f"| measurement (median of {args.repeat}, CPU time) | result |")
    print("|---|---|")
    print(
        f"| warm `generate_numbers_sequence(range(10), (0, 10), 300)` | {statistics.median(warm) / 2000 * 1e6:.1f} µs/call |"
    )
    for name, rate in rates.items():
        print(f"| 10-digit phone numbers, {name} | {rate:,.0f} samples/s |")
    first, second = rates.values()
    print(f"| block / one-at-a-time | {second / first:.2f}x |")
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
