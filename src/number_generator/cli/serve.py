"""``number-generator serve``: the REST API and the playground (optional extra ``api``)."""

from __future__ import annotations

from typing import Annotated

import typer

from number_generator.cli.app import app


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (0.0.0.0 for all).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8085,
    workers: Annotated[int, typer.Option("--workers", help="Server processes (1 = one process).")] = 1,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="Require this key in X-API-Key (env NUMBER_GENERATOR_API_KEY).")
    ] = None,
    max_length: Annotated[
        int | None, typer.Option("--max-length", help="Most characters per sequence (default 256).")
    ] = None,
    max_width: Annotated[int | None, typer.Option("--max-width", help="Widest image, px (default 4096).")] = None,
    max_batch: Annotated[
        int | None, typer.Option("--max-batch", help="Most images per /v1/batch (default 10000).")
    ] = None,
    max_body_bytes: Annotated[
        int | None, typer.Option("--max-body-bytes", help="Largest request body (default 65536).")
    ] = None,
    max_cost: Annotated[
        int | None,
        typer.Option("--max-cost", help="Work budget per request, pixel-passes (default 2,000,000,000; see README)."),
    ] = None,
    max_streams: Annotated[
        int | None, typer.Option("--max-streams", help="Batch downloads generated at once per process (default 2).")
    ] = None,
    cors_origins: Annotated[
        str | None, typer.Option("--cors-origins", help="Comma-separated origins allowed from browsers.")
    ] = None,
    preload: Annotated[
        str | None, typer.Option("--preload", help="Comma-separated datasets loaded at start (default mnist).")
    ] = None,
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request.")] = True,
) -> None:
    """Serve the REST API and the playground page (http://HOST:PORT/, docs at /docs)."""
    import os

    try:
        import uvicorn
    except ImportError:
        raise ValueError("the REST API needs the 'api' extra: pip install 'number-generator[api]'") from None
    from number_generator.api.settings import ENV_PREFIX, Settings

    options = {
        "KEY": api_key,
        "MAX_LENGTH": max_length,
        "MAX_WIDTH": max_width,
        "MAX_BATCH": max_batch,
        "MAX_BODY_BYTES": max_body_bytes,
        "MAX_COST": max_cost,
        "MAX_STREAMS": max_streams,
        "CORS_ORIGINS": cors_origins,
        "PRELOAD": preload,
    }
    for name, value in options.items():
        if value is not None:
            os.environ[ENV_PREFIX + name] = str(value)
    settings = Settings.from_env()  # bad settings fail here, once, with one line
    if not 1 <= port <= 65535:
        raise ValueError(f"port must be 1-65535, got {port}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    uvicorn.run(
        "number_generator.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        timeout_graceful_shutdown=settings.shutdown_grace,  # then open streams are cancelled
    )
