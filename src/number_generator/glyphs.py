"""Old import path kept for code written against 0.1: use :mod:`number_generator.glyphsets.glyphs`."""

from number_generator.glyphsets.glyphs import *  # noqa: F403
