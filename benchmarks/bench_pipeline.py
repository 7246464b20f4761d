"""Training-data pipeline throughput: sharded exports and a torch DataLoader.

    poetry run python benchmarks/bench_pipeline.py [--count 100000] [--repeat 3] [--out-root DIR] [--only-resume]

Prints a table (median of ``--repeat`` runs):

* PNG and NPZ export of ``--count`` 10-digit phone numbers (landline and
  toll-free formats, 300 px, no augmentation) with 1 and 2 worker processes,
  written under each ``--out-root`` (default: /work, the disk, and /dev/shm,
  a tmpfs; page cache not dropped);
* resume with hash checking: re-running the NPZ export over its finished
  output (every shard's size and XXH3-128 digest checked against the
  manifest, nothing to redo; ``export verify`` checks SHA-256), as a share of
  the export's own time (target < 5 %);
* a ``torch.utils.data.DataLoader`` (batch 64, ``ctc_collate``) with 0, 1 and
  2 workers over the same spec with ``medium`` augmentation (skipped
  without torch).

Timings include starting the worker pool, not the interpreter.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from number_generator.export.shards import export_dataset

PHONE10 = {"seed": 0, "width": 300, "spacing": [0, 4], "draw": {"kind": "phone", "formats": ["landline", "toll-free"]}}


def bench_export(fmt: str, workers: int, count: int, root: Path, repeat: int) -> float:
    rates = []
    for r in range(repeat):
        out = root / f"{fmt}-{workers}-{r}"
        shutil.rmtree(out, ignore_errors=True)
        start = time.perf_counter()
        export_dataset(PHONE10, out, count=count, format=fmt, shard_size=10_000, workers=workers)
        rates.append(count / (time.perf_counter() - start))
        shutil.rmtree(out, ignore_errors=True)
    return statistics.median(rates)


def bench_resume(count: int, root: Path, repeat: int) -> tuple[float, float, float]:
    """Resume check of a finished NPZ export (1 worker) as % of the export: median wall and CPU-time ratios,
    and the median resume wall time in seconds."""
    wall, cpu, seconds = [], [], []
    for r in range(repeat):
        out = root / f"resume-{r}"
        shutil.rmtree(out, ignore_errors=True)
        start, start_cpu = time.perf_counter(), time.process_time()
        export_dataset(PHONE10, out, count=count, format="npz", shard_size=10_000)
        export_s, export_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        start, start_cpu = time.perf_counter(), time.process_time()
        result = export_dataset(PHONE10, out, count=count, format="npz", shard_size=10_000)
        resume_s, resume_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        assert result.written == 0 and result.skipped == result.shards
        wall.append(100 * resume_s / export_s)
        cpu.append(100 * resume_cpu / export_cpu)
        seconds.append(resume_s)
        shutil.rmtree(out, ignore_errors=True)
    return statistics.median(wall), statistics.median(cpu), statistics.median(seconds)


def bench_loader(workers: int, count: int, repeat: int) -> float | None:
    """DataLoader samples/s (see bench_loader.py, which also compares OpenCV thread settings); None without torch."""
    try:
        from bench_loader import samples_per_second  # benchmarks/ is on sys.path when run as a script
    except ImportError:
        return None
    from number_generator.augment.opencv import DEFAULT_OPENCV_THREADS

    return samples_per_second(workers, DEFAULT_OPENCV_THREADS, count, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--loader-count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out-root",
        type=Path,
        action="append",
        default=None,
        help="where exports are written (repeatable); default /work and /dev/shm",
    )
    parser.add_argument("--skip-loader", action="store_true")
    parser.add_argument("--only-resume", action="store_true", help="only the resume-with-hash-checking line")
    args = parser.parse_args()
    roots = (
        args.out_root or [p for p in (Path("/work"), Path("/dev/shm")) if p.is_dir()] or [Path(tempfile.gettempdir())]
    )
    rows = []
    for base in roots:
        root = Path(tempfile.mkdtemp(prefix="bench-pipeline-", dir=base))
        try:
            wall, cpu, seconds = bench_resume(args.count, root, args.repeat)
            for what, share in (("wall", wall), ("CPU", cpu)):
                rows.append(
                    (
                        f"resume check (size + XXH3-128) of a {args.count:,}-image NPZ export in {base}, {what} %",
                        1,
                        share,
                    )
                )
                print(f"{rows[-1][0]:75s} {share:.2f} % ({seconds:.2f} s wall)", flush=True)
            for fmt in () if args.only_resume else ("png", "npz"):
                for workers in (1, 2):
                    rate = bench_export(fmt, workers, args.count, root, args.repeat)
                    rows.append((f"export {fmt} to {base}, {args.count:,} phone numbers (10 digits)", workers, rate))
                    print(f"{rows[-1][0]:65s} workers={workers}  {rate:10,.0f} img/s", flush=True)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    for workers in () if args.skip_loader or args.only_resume else (0, 1, 2):
        rate = bench_loader(workers, args.loader_count, args.repeat)
        if rate is None:
            print("DataLoader: torch not installed, skipped")
            break
        rows.append((f"DataLoader batch 64, medium augmentation ({args.loader_count:,} samples)", workers, rate))
        print(f"{rows[-1][0]:65s} workers={workers}  {rate:10,.0f} samples/s", flush=True)
    print()
    print(f"| benchmark (median of {args.repeat}) | workers | per second |")
    print("|---|---:|---:|")
    for name, workers, rate in rows:
        print(f"| {name} | {workers} | {rate:,.2f} |" if "%" in name else f"| {name} | {workers} | {rate:,.0f} |")


if __name__ == "__main__":
    main()
