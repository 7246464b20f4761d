"""Old import path kept for code written against 0.1: use :mod:`number_generator.data.dataset`."""

from number_generator.data.dataset import *  # noqa: F403
