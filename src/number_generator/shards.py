"""Old import path kept for code written against 0.1: use :mod:`number_generator.export.shards`."""

from number_generator.export.shards import *  # noqa: F403
