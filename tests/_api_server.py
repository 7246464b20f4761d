"""Real servers on 127.0.0.1 for the tests that need real connections, processes or signals.

:func:`server_process` runs ``number-generator serve`` (or any uvicorn command) as its own process;
:func:`server_in_thread` runs an app built in this process under uvicorn in a thread, so a test can
reach inside it.  Everything that only needs answers to requests uses ``TestClient(create_app(...))``.

No port race: a server is ready when *its own* log says which port it listens on.  The CLI refuses
port 0, so it is given a free port; if another process takes that port first, the server exits with
"address already in use" and is started again on another one.  uvicorn itself binds port 0 and
reports the port the kernel gave it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import httpx

from conftest import script
from number_generator.api import SERVE_COMMAND

#: uvicorn's start-up line, written once it listens.
READY = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+) ")
#: Starts on a port taken in between before giving up.
ATTEMPTS = 5


def free_port() -> int:
    """A port free just now (another process may take it before it is used: see :func:`server_process`)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_args(port: int, *extra: str) -> list[str]:
    """The serve command as the tests run it (tests/test_api.py checks the Dockerfile uses the same)."""
    return [*SERVE_COMMAND, "--host", "127.0.0.1", "--port", str(port), "--no-access-log", *extra]


@dataclass
class Server:
    """A server process, its base URL and its combined stdout/stderr."""

    url: str
    process: subprocess.Popen
    log: IO[str]

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()


def _start(command: list[str], env: dict[str, str] | None, timeout: float) -> Server | None:
    """Start ``command``; the running server, or None if its port was taken meanwhile."""
    log = tempfile.TemporaryFile("w+")  # a file, not a pipe nobody reads (a full pipe would block the server)
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
    server = Server("", process, log)
    deadline = time.monotonic() + timeout
    while (ready := READY.search(server.output())) is None:
        if process.poll() is not None:
            text = server.output()
            log.close()
            if "address already in use" in text:
                return None
            raise RuntimeError(f"server exited with {process.returncode}: {text}")
        if time.monotonic() > deadline:
            _stop(server)
            raise RuntimeError(f"server did not start in {timeout} s: {server.output()}")
        time.sleep(0.05)
    server.url = f"http://127.0.0.1:{ready[1]}"
    assert httpx.get(server.url + "/healthz", timeout=30).status_code == 200
    return server


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    server.log.close()


@contextmanager
def server_process(
    command: Callable[[int], list[str]] | None = None,
    *extra: str,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[Server]:
    """A real server process on 127.0.0.1, stopped (SIGTERM) afterwards unless the test stopped it.

    ``command`` gives the command line for a port (default: :func:`serve_args` plus ``extra``, through
    the installed console script).
    """
    make = command or (lambda port: [script(SERVE_COMMAND[0]), *serve_args(port, *extra)[1:]])
    for _ in range(ATTEMPTS):
        server = _start(make(free_port()), env, timeout)
        if server is not None:
            break
    else:
        raise RuntimeError(f"no free port found in {ATTEMPTS} attempts")
    try:
        yield server
    finally:
        _stop(server)


@contextmanager
def running_server(*extra: str, env: dict[str, str] | None = None, timeout: float = 60.0) -> Iterator[str]:
    """The base URL of ``number-generator serve`` run with ``serve_args``."""
    with server_process(None, *extra, env=env, timeout=timeout) as server:
        yield server.url


@contextmanager
def server_in_thread(app, timeout: float = 60.0) -> Iterator[str]:
    """Serve ``app`` (built in this process) with uvicorn in a thread on a port the kernel picks; yield the URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the in-process server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()
