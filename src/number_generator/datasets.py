"""Old import path kept for code written against 0.1: use :mod:`number_generator.glyphsets`."""

from number_generator.glyphsets import *  # noqa: F403
from number_generator.glyphsets import emnist, mnist, user  # noqa: F401  (datasets.emnist.download(...) as before)
