#!/usr/bin/env python3
"""REST API load and soak (issue 5): throughput, latency percentiles, errors, memory over time.

    poetry run python benchmarks/bench_api.py [--workers 2] [--concurrency 32] [--seconds 20] [--runs 3]
                                              [--soak 120] [--client aiohttp|wrk]
    poetry run python benchmarks/bench_api.py --abuse [--batches 40] [--seconds 20] [--runs 3]

Starts ``number-generator serve --workers N --no-access-log`` on 127.0.0.1,
then loads it from a *separate process* with ``--concurrency`` connections
requesting ``GET /v1/sequence.png`` for 10-digit sequences (300 px wide,
a different seed per request, so nothing is cached). Prints requests/s,
p50/p99 latency and errors for each run (median of ``--runs``), then a soak
of ``--soak`` seconds with the server's resident memory (all its processes)
sampled every 5 s.

``--client aiohttp`` (default) is an asyncio client in Python; ``--client
wrk`` uses the C load generator ``wrk`` if installed (``apt-get install
wrk``), which leaves more of the two cores to the server.

``--abuse`` (issue 15): ``--batches`` clients keep a ``POST /v1/batch``
open each (2,000 images 1,000 px wide with two glyph transforms, read at
about 1 MB/s; a 503 is retried after 0.5 s) while 4 connections request
single images as above. Prints the single-image p50/p99 (target: p99 <
100 ms), the batch answers by status, and the server's resident memory idle
before, at its peak during, and 5 s after the burst.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent

# One connection requesting single images until ``stop``; shared by both clients below.
SINGLE_IMAGE_WORKER = textwrap.dedent(
    r"""
    latencies, errors, statuses = [], 0, {}
    async def worker(session, k, stop):
        global errors
        n = 0
        while time.perf_counter() < stop:
            seed = k * 1_000_000 + n
            n += 1
            url = f"{base}/v1/sequence.png?digits=0123456789&min_spacing=0&max_spacing=4&image_width=300&seed={seed}"
            t = time.perf_counter()
            try:
                async with session.get(url) as r:
                    await r.read()
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                    if r.status != 200:
                        errors += 1
            except Exception:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t)
    """
)


def client_script(arguments: str, body: str) -> str:
    """A client program: imports, ``arguments`` (read from ``sys.argv``), the single-image worker, then ``body``."""
    return (
        "import asyncio, json, sys, time\nimport aiohttp\n"
        + arguments
        + "\n"
        + SINGLE_IMAGE_WORKER
        + textwrap.dedent(body)
    )


CLIENT = client_script(
    "base, concurrency, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])",
    r"""
    async def main():
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            start = time.perf_counter()
            stop = start + seconds
            await asyncio.gather(*(worker(session, k, stop) for k in range(concurrency)))
            elapsed = time.perf_counter() - start
        latencies.sort()
        q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
        print(json.dumps({"requests": len(latencies) + errors, "rps": len(latencies) / elapsed, "errors": errors,
                          "p50_ms": 1000 * q(0.50), "p99_ms": 1000 * q(0.99), "statuses": statuses}))
    asyncio.run(main())
    """,
)

WRK_SCRIPT = textwrap.dedent(
    """
    counter = 0
    request = function()
      counter = counter + 1
      return wrk.format("GET", "/v1/sequence.png?digits=0123456789&min_spacing=0&max_spacing=4&image_width=300&seed=" .. counter)
    end
    done = function(summary, latency, requests)
      io.write(string.format('{"requests": %d, "rps": %f, "errors": %d, "p50_ms": %f, "p99_ms": %f, "statuses": {}}\\n',
        summary.requests, summary.requests / (summary.duration / 1e6),
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
    end
    """
)


ABUSE_CLIENT = client_script(
    "base, batches, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])",
    r"""
    glyph = [{"type": "ElasticDistortion", "alpha": [20, 34]}, {"type": "Affine", "rotate": [-8, 8]}]
    augment = json.dumps({"glyph": glyph})
    body = {"kind": "digits", "count": 2000, "image_width": 1000, "augment": augment, "format": "npz"}
    answers, streamed = {}, [0]
    async def batch(session, stop):
        while time.perf_counter() < stop:
            try:
                async with session.post(f"{base}/v1/batch", json=body) as r:
                    answers[r.status] = answers.get(r.status, 0) + 1
                    if r.status != 200:
                        await asyncio.sleep(0.5)
                        continue
                    while time.perf_counter() < stop:  # a slow reader: 64 KB every 50 ms
                        chunk = await r.content.read(65536)
                        if not chunk:
                            break
                        streamed[0] += len(chunk)
                        await asyncio.sleep(0.05)
            except Exception:
                answers["error"] = answers.get("error", 0) + 1
    async def main():
        stop = time.perf_counter() + seconds
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            batchers = [batch(session, stop) for _ in range(batches)]
            await asyncio.gather(*batchers, *(worker(session, k, stop) for k in range(4)))
        latencies.sort()
        q = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
        print(json.dumps({"requests": len(latencies) + errors, "errors": errors, "p50_ms": 1000 * q(0.50),
                          "p99_ms": 1000 * q(0.99), "batch_answers": {str(k): v for k, v in answers.items()},
                          "streamed_mb": streamed[0] / 1e6}))
    asyncio.run(main())
    """,
)


def abuse(base: str, server_pid: int, batches: int, seconds: float) -> dict:
    """One abuse run; adds the server's RSS before, at peak during, and 5 s after it."""
    import threading

    before = tree_rss(server_pid)
    peak, done = [before], threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak.append(tree_rss(server_pid))

    thread = threading.Thread(target=sample)
    thread.start()
    out = subprocess.run(
        [sys.executable, "-c", ABUSE_CLIENT, base, str(batches), str(seconds)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    done.set()
    thread.join()
    time.sleep(5)
    result = json.loads(out)
    result.update(rss_before=before, rss_peak=max(peak), rss_after=tree_rss(server_pid))
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) * 1024
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            pass
    return total


def load(base: str, concurrency: int, seconds: float, client: str) -> dict:
    if client == "wrk":
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
            fh.write(WRK_SCRIPT)
        out = subprocess.run(
            ["wrk", "-t", "1", "-c", str(concurrency), "-d", f"{int(seconds)}s", "-s", fh.name, base],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        os.unlink(fh.name)
        result = json.loads(out.strip().splitlines()[-1])
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        result["errors"] += int(non2xx.group(1)) if non2xx else 0
        return result
    out = subprocess.run(
        [sys.executable, "-c", CLIENT, base, str(concurrency), str(seconds)], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--soak", type=float, default=120, help="seconds of the soak (0 to skip)")
    parser.add_argument("--client", choices=("aiohttp", "wrk"), default="aiohttp")
    parser.add_argument("--abuse", action="store_true", help="single-image latency while batch requests are open")
    parser.add_argument("--batches", type=int, default=40, help="--abuse: open batch requests")
    args = parser.parse_args()
    if args.client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(BIN / "number-generator"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--no-access-log",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        load(base, args.concurrency, 3, args.client)  # warm-up: every worker has loaded its glyphs
        if args.abuse:
            report_abuse([abuse(base, server.pid, args.batches, args.seconds) for _ in range(args.runs)], args)
            return
        runs = []
        for r in range(args.runs):
            runs.append(load(base, args.concurrency, args.seconds, args.client))
            print(
                f"run {r + 1}: {runs[-1]['rps']:,.0f} req/s, p50 {runs[-1]['p50_ms']:.1f} ms, "
                f"p99 {runs[-1]['p99_ms']:.1f} ms, errors {runs[-1]['errors']}",
                flush=True,
            )
        med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
        print()
        print(
            f"| `GET /v1/sequence.png`, 10 digits, 300 px, --workers {args.workers}, concurrency {args.concurrency}, "
            f"{args.client} client, {args.seconds:.0f} s x {args.runs} | result |"
        )
        print("|---|---|")
        print(f"| throughput (median) | {med('rps'):,.0f} requests/s |")
        print(f"| latency p50 / p99 (median of runs) | {med('p50_ms'):.1f} ms / {med('p99_ms'):.1f} ms |")
        print(f"| errors (all runs) | {sum(r['errors'] for r in runs)} of {sum(r['requests'] for r in runs):,} |")
        if args.soak > 0:
            import threading

            samples: list[tuple[float, int]] = []
            done = threading.Event()

            def sample():
                start = time.perf_counter()
                while not done.is_set():
                    samples.append((time.perf_counter() - start, tree_rss(server.pid)))
                    done.wait(5)

            thread = threading.Thread(target=sample)
            thread.start()
            soak = load(base, args.concurrency, args.soak, args.client)
            done.set()
            thread.join()
            warm = [rss for t, rss in samples if t >= 10] or [rss for _, rss in samples]
            growth = (max(warm) - warm[0]) / warm[0] * 100
            print(
                f"| soak {args.soak:.0f} s: throughput, errors | {soak['rps']:,.0f} requests/s, {soak['errors']} errors |"
            )
            print(
                f"| soak: server RSS at 10 s -> max -> end (all processes) | {warm[0] / 2**20:.0f} -> "
                f"{max(warm) / 2**20:.0f} -> {warm[-1] / 2**20:.0f} MiB (growth {growth:+.1f} %) |"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def report_abuse(runs: list[dict], args: argparse.Namespace) -> None:
    mib = lambda b: f"{b / 2**20:.0f}"  # noqa: E731
    for r, run in enumerate(runs, 1):
        print(
            f"run {r}: single image p50 {run['p50_ms']:.1f} ms, p99 {run['p99_ms']:.1f} ms, errors {run['errors']}; "
            f"batch answers {run['batch_answers']}, {run['streamed_mb']:.0f} MB streamed; RSS "
            f"{mib(run['rss_before'])} -> {mib(run['rss_peak'])} -> {mib(run['rss_after'])} MiB"
        )
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    print()
    print(
        f"| {args.batches} open `POST /v1/batch` (2,000 x 1,000 px, 2 glyph transforms, slow readers) + 4 connections "
        f"of `GET /v1/sequence.png`, --workers {args.workers}, {args.seconds:.0f} s x {args.runs} | result |"
    )
    print("|---|---|")
    print(f"| single image p50 / p99 (median of runs) | {med('p50_ms'):.1f} ms / {med('p99_ms'):.1f} ms |")
    print(
        f"| single-image errors (all runs) | {sum(r['errors'] for r in runs)} of {sum(r['requests'] for r in runs):,} |"
    )
    print(
        f"| server RSS idle -> peak -> 5 s after (median) | {mib(med('rss_before'))} -> {mib(med('rss_peak'))} -> "
        f"{mib(med('rss_after'))} MiB |"
    )


if __name__ == "__main__":
    main()
