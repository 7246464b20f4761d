"""DataLoader throughput with 0, 1 and 2 workers, OpenCV on one thread per process (the default) or its own pool.

    poetry run python benchmarks/bench_loader.py [--count 10000] [--repeat 3]

Spec: 10-digit phone numbers (landline and toll-free), 300 px, ``medium``
augmentation; ``DataLoader(batch_size=64, collate_fn=ctc_collate)``; the
median samples/s of ``--repeat`` runs, each starting its workers.  "opencv
default" passes ``-1`` to ``cv2.setNumThreads`` in the main process and in
every worker (one OpenCV thread per core).  The 1-minute load average before
and after is printed: on a shared machine it says how far to trust the rates.
Needs torch.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time

from torch.utils.data import DataLoader

from number_generator.augment.opencv import set_opencv_threads
from number_generator.data.torch_adapter import TorchSyntheticDataset, ctc_collate

SPEC = {
    "seed": 0,
    "width": 300,
    "spacing": [0, 4],
    "augment": "medium",
    "draw": {"kind": "phone", "formats": ["landline", "toll-free"]},
}
SETTINGS = {"1 (default)": 1, "opencv default": -1}


def _worker_init(threads: int, worker_id: int) -> None:
    set_opencv_threads(threads)


def samples_per_second(workers: int, threads: int, count: int, repeat: int) -> float:
    """Median samples/s of ``repeat`` full passes over ``count`` samples."""
    set_opencv_threads(threads)
    dataset = TorchSyntheticDataset(SPEC, length=count)
    rates = []
    for _ in range(repeat):
        loader = DataLoader(
            dataset,
            batch_size=64,
            num_workers=workers,
            collate_fn=ctc_collate,
            worker_init_fn=functools.partial(_worker_init, threads) if workers else None,
        )
        start = time.perf_counter()
        n = sum(batch["images"].shape[0] for batch in loader)
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    print(f"cores: {os.cpu_count()}, 1-min load average before: {load_before:.2f}")
    print(f"| DataLoader workers | OpenCV threads per process | samples/s (median of {args.repeat}) |")
    print("|---|---|---|")
    for workers in (0, 1, 2):
        for label, threads in SETTINGS.items():
            rate = samples_per_second(workers, threads, args.count, args.repeat)
            print(f"| {workers} | {label} | {rate:,.0f} |", flush=True)
    print(f"1-min load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
