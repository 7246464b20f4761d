"""Old import path kept for code written against 0.1: use :mod:`number_generator.data.torch_adapter`."""

from number_generator.data.torch_adapter import *  # noqa: F403
