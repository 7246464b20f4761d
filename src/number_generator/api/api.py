"""``uvicorn number_generator.api.api:app``: the import path the original project's Dockerfile starts.

``app`` is built once, at import, by :func:`~number_generator.api.create_app`
with its settings read from the ``NUMBER_GENERATOR_API_*`` environment
variables (see :class:`~number_generator.api.Settings`), so existing
deployments keep working; new ones use ``number-generator serve``.
"""

from number_generator.api.app import create_app

app = create_app()
