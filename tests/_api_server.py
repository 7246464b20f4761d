"""Start the real server (``number-generator serve``) on 127.0.0.1 for the API tests."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager

import httpx

from conftest import script
from number_generator.api import SERVE_COMMAND


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_args(port: int, *extra: str) -> list[str]:
    """The serve command as the tests run it (tests/test_api.py checks the Dockerfile uses the same)."""
    return [*SERVE_COMMAND, "--host", "127.0.0.1", "--port", str(port), "--no-access-log", *extra]


@contextmanager
def running_server(*extra: str, env: dict | None = None, timeout: float = 60.0):
    """Yield the base URL of a server started with ``serve_args``; stop it afterwards."""
    port = free_port()
    args = serve_args(port, *extra)
    log = tempfile.TemporaryFile("w+")  # a file, not a pipe nobody reads (a full pipe would block the server)
    process = subprocess.Popen(
        [script(args[0]), *args[1:]], env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited with {process.returncode}: {log.read()}")
            try:
                if httpx.get(base + "/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start in time")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
