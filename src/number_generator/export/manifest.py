"""``manifest.json``: what an export is (spec, format, layout, sizes) and which shards are finished.

A manifest is validated in full before anything acts on it
(:meth:`Manifest.parse`): types, bounds (``count`` and ``shard_size`` at most
:data:`~number_generator.core.validation.MAX_COUNT`), and every shard entry's
name, start and stop equal to what the layout computes for its number, its
digests well-formed hex of the right length, so a damaged or crafted
manifest can neither point outside the export nor make a reader allocate for
shards that cannot exist.  A manifest that fails raises
:class:`ManifestError` (a ``ValueError``: the CLI exits 2 with its message).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from number_generator.core.validation import MAX_COUNT, check_int
from number_generator.export.formats import EXPORT_FORMATS
from number_generator.export.layout import Layout, shard_count
from number_generator.export.storage import Digests, Storage

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "number-generator-export/1"
PACKAGE = "number-generator"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_XXH3_128 = re.compile(r"[0-9a-f]{32}")


def package_version() -> str:
    """The installed package's version (recorded in manifests: a resume with another version is refused)."""
    try:
        return version(PACKAGE)
    except PackageNotFoundError:  # pragma: no cover - running from a source tree that is not installed
        return "0+unknown"


class ManifestError(ValueError):
    """A ``manifest.json`` that cannot be trusted (unreadable, wrong types, names or bounds)."""


@dataclass(frozen=True)
class ShardEntry:
    """A finished shard: number ``shard``, samples ``start <= i < stop``, its ``name``, size and digests.

    ``sha256`` is what ``export verify`` checks; ``xxh3_128`` (32 hex digits)
    is what a resume checks, ``None`` in manifests written before it was
    recorded (a resume then checks ``sha256``).
    """

    shard: int
    name: str
    start: int
    stop: int
    sha256: str
    bytes: int
    xxh3_128: str | None = None

    @classmethod
    def of(cls, shard: int, name: str, start: int, stop: int, digests: Digests) -> ShardEntry:
        """The entry of a shard just written, from :class:`Digests` computed with SHA-256."""
        if digests.sha256 is None:
            raise ValueError(f"shard {name}: a manifest entry needs its SHA-256")
        return cls(shard, name, start, stop, digests.sha256, digests.size, digests.xxh3_128)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "shard": self.shard,
            "name": self.name,
            "start": self.start,
            "stop": self.stop,
            "sha256": self.sha256,
            "bytes": self.bytes,
        }
        if self.xxh3_128 is not None:
            data["xxh3_128"] = self.xxh3_128
        return data


@dataclass
class Manifest:
    """An export's manifest; ``shards`` maps a shard number to its entry (finished shards only)."""

    format: str
    layout: Layout
    count: int
    shard_size: int
    spec: dict[str, Any]
    spec_hash: str
    version: str = field(default_factory=package_version)
    complete: bool = False
    shards: dict[int, ShardEntry] = field(default_factory=dict)

    @property
    def n_shards(self) -> int:
        return shard_count(self.count, self.shard_size)

    def bounds(self, k: int) -> tuple[int, int]:
        """Samples ``[start, stop)`` of shard ``k``."""
        return k * self.shard_size, min((k + 1) * self.shard_size, self.count)

    def entry_name(self, k: int) -> str:
        return self.layout.entry_name(self.format, k, self.n_shards)

    def first_missing(self) -> int | None:
        """The lowest shard number not finished, or ``None`` (looks at ``len(shards) + 1`` numbers at most)."""
        k = 0
        while k in self.shards:
            k += 1
        return k if k < self.n_shards else None

    def to_bytes(self) -> bytes:
        data = {
            "layout": str(self.layout),
            "manifest": MANIFEST_FORMAT,
            "package": PACKAGE,
            "version": self.version,
            "format": self.format,
            "count": self.count,
            "shard_size": self.shard_size,
            "shards_total": self.n_shards,
            "spec_hash": self.spec_hash,
            "spec": self.spec,
            "complete": self.complete,
            "shards": [self.shards[k].to_dict() for k in sorted(self.shards)],
        }
        return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()

    @classmethod
    def parse(cls, raw: bytes, where: str) -> Manifest:
        """Validate and load the bytes of a manifest; ``where`` names it in errors.

        Raises
        ------
        ManifestError
            ``"<where> is damaged: <what>"``, naming the first bad key.
        """
        try:
            return cls._parse(json.loads(raw))
        except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, check_int, Layout.parse
            raise ManifestError(f"{where} is damaged: {exc}") from None

    @classmethod
    def _parse(cls, data: Any) -> Manifest:
        if not isinstance(data, dict) or data.get("manifest") != MANIFEST_FORMAT:
            raise ValueError(f"not a {MANIFEST_FORMAT} manifest")
        fmt = _typed(data, "format", str)
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown format {fmt!r}")
        layout = Layout.parse(data.get("layout", "shards"))  # absent in no manifest we wrote; tolerated
        layout.check_format(fmt)
        count = check_int("count", data.get("count"), 1, MAX_COUNT)
        shard_size = check_int("shard_size", data.get("shard_size"), 1, MAX_COUNT)
        spec_hash = _typed(data, "spec_hash", str)
        if not _SHA256.fullmatch(spec_hash):
            raise ValueError(f"spec_hash is not a SHA-256: {spec_hash[:80]!r}")
        manifest = cls(
            format=fmt,
            layout=layout,
            count=count,
            shard_size=shard_size,
            spec=_typed(data, "spec", dict),
            spec_hash=spec_hash,
            version=_typed(data, "version", str),
            complete=_typed(data, "complete", bool),
        )
        if data.get("shards_total", manifest.n_shards) != manifest.n_shards:
            raise ValueError(f"shards_total {data['shards_total']!r} is not ceil(count / shard_size)")
        entries = _typed(data, "shards", list)
        if len(entries) > manifest.n_shards:
            raise ValueError(f"{len(entries)} shard entries for {manifest.n_shards} shards")
        for j, entry in enumerate(entries):
            parsed = manifest._entry(f"shards[{j}]", entry)
            if parsed.shard in manifest.shards:
                raise ValueError(f"shards[{j}]: shard {parsed.shard} is listed twice")
            manifest.shards[parsed.shard] = parsed
        return manifest

    def _entry(self, where: str, entry: Any) -> ShardEntry:
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be an object, got {entry!r:.80}")
        k = check_int(f"{where}.shard", entry.get("shard"), 0, self.n_shards - 1)
        start, stop = self.bounds(k)
        name = self.entry_name(k)
        expected: dict[str, str | int] = {"name": name, "start": start, "stop": stop}
        for key, value in expected.items():
            if entry.get(key) != value or type(entry.get(key)) is not type(value):
                raise ValueError(f"{where}.{key} must be {value!r} for shard {k}, got {entry.get(key)!r:.80}")
        sha = _typed(entry, "sha256", str, where)
        if not _SHA256.fullmatch(sha):
            raise ValueError(f"{where}.sha256 is not a SHA-256: {sha[:80]!r}")
        size = check_int(f"{where}.bytes", entry.get("bytes"), 0, 2**63 - 1)
        fast = None
        if "xxh3_128" in entry:  # absent from manifests written before it was recorded
            fast = _typed(entry, "xxh3_128", str, where)
            if not _XXH3_128.fullmatch(fast):
                raise ValueError(f"{where}.xxh3_128 is not an XXH3-128 digest (32 hex digits): {fast[:80]!r}")
        return ShardEntry(shard=k, name=name, start=start, stop=stop, sha256=sha, bytes=size, xxh3_128=fast)


def _typed(data: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        name = f"{where}.{key}" if where else key
        raise ValueError(f"{name} must be a {kind.__name__}, got {value!r:.80}")
    return value


def read_manifest(storage: Storage) -> Manifest | None:
    """The validated manifest of the export in ``storage``, or ``None`` if there is none.

    Raises
    ------
    ManifestError
        The manifest exists but is damaged.
    """
    raw = storage.read(MANIFEST)
    return None if raw is None else Manifest.parse(raw, f"{storage.url}/{MANIFEST}")
