"""Where the samples of an export go: the names of shards, sample files and index files.

Two layouts:

- ``shards`` (the default): shard ``k`` is one folder (png: ``shard-00000/00000000.png ...`` and
  ``_index.jsonl``) or one file (``shard-00000.npz``, ``shard-00000.tar``);
- flat (png only, ``Layout.flat("phone-")``, written ``"flat:phone-"`` in manifests): every image in
  the root as ``phone-000000.png``, and shard ``k``'s index in ``.index/shard-00000.jsonl`` (what
  ``generate-phone-numbers`` writes).

Every name is computed here from ``(k, i, count)``: nothing read from a manifest or an index file is
used as a path, so a crafted manifest cannot point outside the export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from number_generator.export.formats import FILE_EXTENSIONS

SHARDS = "shards"
FLAT = "flat:"
SHARD_INDEX = "_index.jsonl"  # png: a shard's metadata lines (also its record of completion in the flat layout)
FLAT_INDEX_DIR = ".index"  # flat layout: one <shard>.jsonl per finished shard
_PREFIX = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}|")


def shard_count(count: int, shard_size: int) -> int:
    """Number of shards of ``shard_size`` samples that hold ``count`` samples."""
    return -(-count // shard_size)


def shard_name(k: int, n_shards: int) -> str:
    """``shard-00042``: zero-padded to at least 5 digits so names sort in order."""
    return f"shard-{k:0{max(5, len(str(n_shards - 1)))}d}"


def sample_key(i: int, count: int) -> str:
    """``00000042``: sample ``i``'s key in a shard (file stem), zero-padded to at least 8 digits."""
    return f"{i:0{max(8, len(str(count - 1)))}d}"


def flat_file_name(prefix: str, i: int, count: int) -> str:
    """Flat layout: ``<prefix><i>.png``, zero-padded to at least 6 digits so names sort in index order."""
    return f"{prefix}{i:0{max(6, len(str(count - 1)))}d}.png"


@dataclass(frozen=True)
class Layout:
    """The layout of an export: ``Layout()`` for shards, ``Layout.flat(prefix)`` for a flat PNG folder.

    Parameters
    ----------
    flat_prefix : str or None
        ``None`` for the shards layout; otherwise the file-name prefix of the
        flat layout (letters, digits, ``_``, ``.``, ``-``; at most 64
        characters; may be empty).
    """

    flat_prefix: str | None = None

    def __post_init__(self) -> None:
        if self.flat_prefix is not None and not _PREFIX.fullmatch(self.flat_prefix):
            raise ValueError(
                f"bad flat layout prefix {self.flat_prefix!r}: letters, digits, '_', '.', '-' only, "
                "not starting with '.' or '-', at most 64 characters"
            )

    @classmethod
    def flat(cls, prefix: str) -> Layout:
        return cls(flat_prefix=prefix)

    @classmethod
    def parse(cls, value: str | Layout) -> Layout:
        """``"shards"`` or ``"flat:PREFIX"`` (the manifest's spelling), or a :class:`Layout`."""
        if isinstance(value, Layout):
            return value
        if value == SHARDS:
            return cls()
        if isinstance(value, str) and value.startswith(FLAT):
            return cls.flat(value[len(FLAT) :])
        raise ValueError(f"unknown layout {value!r}: 'shards', or 'flat:PREFIX' with format png")

    def __str__(self) -> str:
        return SHARDS if self.flat_prefix is None else f"{FLAT}{self.flat_prefix}"

    @property
    def is_flat(self) -> bool:
        return self.flat_prefix is not None

    @property
    def label_column(self) -> str:
        """Second column of ``labels.csv``: ``number`` (flat phone-number folders) or ``text``."""
        return "number" if self.is_flat else "text"

    def check_format(self, fmt: str) -> None:
        """Raise ``ValueError`` unless ``fmt`` can be written in this layout (flat: png only)."""
        if self.is_flat and fmt != "png":
            raise ValueError(f"layout {str(self)!r} holds png files only, not {fmt!r}")

    def entry_name(self, fmt: str, k: int, n_shards: int) -> str:
        """The name recorded for shard ``k`` in the manifest: its folder or file, or (flat) its index file."""
        name = shard_name(k, n_shards)
        if self.is_flat:
            return f"{FLAT_INDEX_DIR}/{name}.jsonl"
        return name + FILE_EXTENSIONS[fmt]

    def png_path(self, i: int, count: int, n_shards: int, shard_size: int) -> str:
        """Path of sample ``i``'s PNG relative to the export root (what ``metadata.jsonl`` records)."""
        if self.flat_prefix is not None:
            return flat_file_name(self.flat_prefix, i, count)
        return f"{shard_name(i // shard_size, n_shards)}/{sample_key(i, count)}.png"

    def index_path(self, k: int, n_shards: int) -> str:
        """png: path of shard ``k``'s index (its metadata lines) relative to the root."""
        name = shard_name(k, n_shards)
        return f"{FLAT_INDEX_DIR}/{name}.jsonl" if self.is_flat else f"{name}/{SHARD_INDEX}"

    def shard_files(self, k: int, count: int, shard_size: int) -> list[str]:
        """png: the files of shard ``k`` relative to the root, its index last."""
        n_shards = shard_count(count, shard_size)
        start, stop = k * shard_size, min((k + 1) * shard_size, count)
        paths = [self.png_path(i, count, n_shards, shard_size) for i in range(start, stop)]
        return [*paths, self.index_path(k, n_shards)]
