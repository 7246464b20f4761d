"""REST API and browser playground (optional extra ``api``: FastAPI + uvicorn).

``number-generator serve`` runs it; :func:`create_app` builds it for any ASGI
server (settings from the environment, see :class:`Settings`).
"""

from number_generator.api.app import create_app
from number_generator.api.settings import Settings

__all__ = ["Settings", "create_app", "SERVE_COMMAND"]

#: The command that starts the server; the Dockerfile's CMD and the tests use it.
SERVE_COMMAND = ("number-generator", "serve")
