"""What every glyph source is: :class:`GlyphSource`, the small protocol MNIST, EMNIST and user IDX files implement.

A glyph source is a set of 28x28 ``uint8`` images (0 = paper, 255 = ink,
upright as MNIST stores them) with integer labels, a map from label to the
character it draws, and one or more splits.  Sources say what they can do
with plain flags (``downloadable``, ``removable``, ``has_writers``,
``user_defined``) instead of callers testing descriptions or missing
callables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import numpy as np


class GlyphSource:
    """A named source of handwritten glyphs (subclass it and implement :meth:`load` and :meth:`version`).

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"mnist"``.
    description : str
        One line for listings.
    classes : tuple of str
        ``classes[label]`` is the character drawn by glyphs with that label
        (``""``: a label that draws nothing).
    splits : tuple of str
        Split names, e.g. ``("train", "test")``.
    aliases : mapping of str to int
        Further characters and the label that draws them (e.g. ``"c" -> 38``
        in a dataset that merged lowercase c into uppercase C).
    downloadable : bool
        :meth:`fetch` downloads and/or converts the data (else there is nothing to fetch).
    removable : bool
        :meth:`remove` deletes its cached files (bundled data cannot be removed).
    has_writers : bool
        :meth:`writers` gives the writer id of every glyph.
    user_defined : bool
        Registered by a user (:func:`~number_generator.glyphsets.user.register_idx_dataset`);
        a user source may replace another user source, never a built-in one.
    """

    name: str
    description: str
    classes: tuple[str, ...]
    splits: tuple[str, ...]
    aliases: Mapping[str, int] = {}
    downloadable: ClassVar[bool] = False
    removable: ClassVar[bool] = False
    has_writers: ClassVar[bool] = False
    user_defined: ClassVar[bool] = False

    def load(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        """``(images, labels)`` of ``split``: ``(N, 28, 28) uint8`` and ``(N,)`` integer labels (maybe read-only)."""
        raise NotImplementedError

    def version(self) -> str:
        """A key that changes when the data changes; names derived cache files."""
        raise NotImplementedError

    def present(self) -> bool:
        """Whether the data is on this machine (bundled data always is)."""
        return True

    def disk_usage(self) -> int:
        """Bytes the source takes in the cache."""
        return 0

    def fetch(self, progress: bool = True, source: object = None) -> object:
        """Download and/or convert the data (``source``: a local archive or folder to use instead)."""
        raise ValueError(f"{self.name} needs no download (it is bundled or registered from local files)")

    def remove(self) -> int:
        """Delete the cached files; returns the bytes freed."""
        raise ValueError(f"{self.name} is bundled with the package and cannot be removed")

    def writers(self, split: str) -> np.ndarray:
        """``(N,) int32``: the writer id of every glyph of ``split``, aligned with :meth:`load`."""
        raise ValueError(f"{self.name} does not know the writer of its glyphs")

    def char_labels(self) -> dict[str, int]:
        """Character -> label: each class's own character first, then the aliases."""
        lookup: dict[str, int] = {}
        for label, char in enumerate(self.classes):
            if char:
                lookup.setdefault(char, label)
        for char, label in self.aliases.items():
            lookup.setdefault(char, label)
        return lookup

    def check_split(self, split: str) -> str:
        """Return ``split`` if this source has it, else raise ``ValueError``."""
        if split not in self.splits:
            raise ValueError(
                f"unknown split {split!r} for dataset {self.name!r}; choose one of {', '.join(self.splits)}"
            )
        return split

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
