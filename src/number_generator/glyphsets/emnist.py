"""EMNIST: handwritten letters and digits from NIST Special Database 19 (opt-in download).

EMNIST (Cohen, Afshar, Tapson and van Schaik, 2017) converts the NIST SD-19
characters to MNIST's 28x28 format.  It is not bundled (the official archive
is about 560 MB): it is fetched once, on request, and converted to
uncompressed arrays that are memory-mapped afterwards.

Where the data comes from, in order of preference:

1. ``source=`` (the CLI's ``--data-dir``) or the environment variable
   ``NUMBER_GENERATOR_EMNIST_PATH``: the official ``gzip.zip`` a user already
   has, or a folder holding its extracted ``emnist-*.gz`` files (directly or
   in a ``gzip/`` subfolder; uncompressed IDX files work too).
2. ``<cache>/emnist/gzip.zip`` if an earlier download left it there.
3. :func:`download` (``number-generator datasets download NAME``): the
   official archive from :data:`ARCHIVE_URL`, or the mirrors listed
   (comma-separated) in ``NUMBER_GENERATOR_EMNIST_URL``, checked against the
   md5 :data:`ARCHIVE_MD5` (``NUMBER_GENERATOR_EMNIST_MD5`` overrides it for a
   mirror that repackages the archive).  Downloads go through :mod:`pooch`,
   which writes to a temporary file and keeps it only if the hash matches.

Nothing is downloaded implicitly: using an EMNIST dataset whose arrays are
not in the cache and whose archive is not on disk raises
:class:`DatasetUnavailable` saying what to download and where to put it.

Conversion reads only the four IDX members a split needs (plus its mapping
file) from the archive, fixes the orientation (EMNIST stores every image
transposed relative to MNIST), and saves ``images`` and ``labels`` as
``.npy`` files through a temporary name and a rename; a ``token`` file written
last marks the conversion complete, so an interrupted conversion is redone,
never trusted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import string
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from number_generator.glyphsets.cache import cache_dir, record_digest, save_npy_atomic
from number_generator.glyphsets.idx import IDXError, check_glyph_arrays, decode_idx
from number_generator.glyphsets.source import GlyphSource
from number_generator.io.atomic import atomic_write_bytes

ARCHIVE_URL = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
ARCHIVE_MD5 = "58c8d27c78d21e728a6bc7b3cc06412e"
ARCHIVE_NAME = "gzip.zip"
URL_ENV = "NUMBER_GENERATOR_EMNIST_URL"
MD5_ENV = "NUMBER_GENERATOR_EMNIST_MD5"
PATH_ENV = "NUMBER_GENERATOR_EMNIST_PATH"
PARTS = ("train", "test")

_DIGITS = string.digits
_UPPER = string.ascii_uppercase
_LOWER = string.ascii_lowercase
_MERGED_LOWER = "abdefghnqrt"  # the lowercase letters bymerge/balanced keep as their own classes


class DatasetUnavailable(ValueError):
    """A dataset's files are not on this machine (and no download was asked for)."""


@dataclass(frozen=True)
class EmnistSplit:
    """One of the six EMNIST splits.

    ``classes[label]`` is the character of a label (``""`` for a label the
    split does not use); ``aliases`` maps further characters to the label
    that draws them (case-merged letters).  ``sizes`` are the official glyph
    counts of the train and test parts.
    """

    name: str
    description: str
    classes: tuple[str, ...]
    aliases: dict[str, int]
    sizes: tuple[int, int]


def _merged_aliases(classes: tuple[str, ...]) -> dict[str, int]:
    """Lowercase letters without a class of their own draw their uppercase class."""
    own = {ch: label for label, ch in enumerate(classes)}
    return {low: own[low.upper()] for low in _LOWER if low not in own}


_MERGED = tuple(_DIGITS + _UPPER + _MERGED_LOWER)
_LETTERS = ("",) + tuple(_UPPER)  # label 0 is unused in emnist-letters

SPLITS: dict[str, EmnistSplit] = {
    s.name: s
    for s in (
        EmnistSplit(
            "byclass",
            "digits, A-Z and a-z, 62 classes (train 697,932, test 116,323)",
            tuple(_DIGITS + _UPPER + _LOWER),
            {},
            (697_932, 116_323),
        ),
        EmnistSplit(
            "bymerge",
            "47 classes: 15 look-alike lowercase letters merged into uppercase (train 697,932, test 116,323)",
            _MERGED,
            _merged_aliases(_MERGED),
            (697_932, 116_323),
        ),
        EmnistSplit(
            "balanced",
            "47 classes as bymerge, balanced (train 112,800, test 18,800)",
            _MERGED,
            _merged_aliases(_MERGED),
            (112_800, 18_800),
        ),
        EmnistSplit(
            "letters",
            "26 letters, upper and lowercase merged (train 124,800, test 20,800)",
            _LETTERS,
            {low: label for label, low in enumerate(_LOWER, 1)},
            (124_800, 20_800),
        ),
        EmnistSplit(
            "digits",
            "digits 0-9 from more writers than MNIST (train 240,000, test 40,000)",
            tuple(_DIGITS),
            {},
            (240_000, 40_000),
        ),
        EmnistSplit(
            "mnist",
            "MNIST re-converted the EMNIST way, digits 0-9 (train 60,000, test 10,000)",
            tuple(_DIGITS),
            {},
            (60_000, 10_000),
        ),
    )
}


def _check_split(split: str) -> EmnistSplit:
    try:
        return SPLITS[split]
    except KeyError:
        raise ValueError(f"unknown EMNIST split {split!r}; choose one of {', '.join(SPLITS)}") from None


def _check_part(part: str) -> str:
    if part not in PARTS:
        raise ValueError(f"unknown split {part!r}; choose one of {', '.join(PARTS)}")
    return part


# --------------------------------------------------------------------------- where things live


def root_dir() -> Path:
    """``<cache>/emnist``: the downloaded archive and the converted arrays."""
    return cache_dir() / "emnist"


def archive_path() -> Path:
    """Where a downloaded ``gzip.zip`` is kept."""
    return root_dir() / ARCHIVE_NAME


def _split_dir(split: str) -> Path:
    return root_dir() / split


def member_name(split: str, part: str, kind: str) -> str:
    """File name of an IDX member, e.g. ``emnist-letters-train-images-idx3-ubyte.gz``."""
    return f"emnist-{split}-{part}-{'images-idx3' if kind == 'images' else 'labels-idx1'}-ubyte.gz"


def mapping_name(split: str) -> str:
    return f"emnist-{split}-mapping.txt"


def mirrors() -> list[str]:
    """Archive URLs tried in order: ``NUMBER_GENERATOR_EMNIST_URL`` (comma-separated) or the official one."""
    override = os.environ.get(URL_ENV, "").strip()
    return [u.strip() for u in override.split(",") if u.strip()] if override else [ARCHIVE_URL]


def expected_md5() -> str:
    return os.environ.get(MD5_ENV, "").strip().lower() or ARCHIVE_MD5


def _unavailable(split: str) -> DatasetUnavailable:
    return DatasetUnavailable(
        f"EMNIST ({split}) is not on this machine. Run 'number-generator datasets download emnist-{split}' "
        f"(fetches {ARCHIVE_URL}, about 560 MB, md5 {ARCHIVE_MD5}), or download that file yourself and put it "
        f"at {archive_path()}, or point {PATH_ENV} (or --data-dir) at the archive or its extracted folder"
    )


# --------------------------------------------------------------------------- reading sources


class _Source:
    """The official archive, or a folder of its extracted files; reads one member at a time."""

    def __init__(self, path: Path):
        self.path = path
        if not path.exists():
            raise DatasetUnavailable(f"EMNIST source {path} does not exist")

    def read(self, name: str) -> bytes:
        if self.path.is_dir():
            stem = name[:-3] if name.endswith(".gz") else name
            for folder in (self.path, self.path / "gzip"):
                for candidate in (folder / name, folder / stem):
                    if candidate.is_file():
                        return candidate.read_bytes()
            raise DatasetUnavailable(f"{name} is not in the EMNIST folder {self.path} (nor in its gzip/ subfolder)")
        try:
            with zipfile.ZipFile(self.path) as archive:
                members = {Path(m).name: m for m in archive.namelist()}
                if name not in members:
                    raise DatasetUnavailable(f"{name} is not in the EMNIST archive {self.path}")
                return archive.read(members[name])
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise DatasetUnavailable(f"{self.path} is not a readable EMNIST zip archive ({exc})") from None


def parse_mapping(text: str, source: str = "mapping") -> dict[int, list[str]]:
    """``label code [code ...]`` per line (ASCII codes) -> ``{label: [characters]}``."""
    mapping: dict[int, list[str]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            label, *codes = (int(v) for v in line.split())
            if not codes:
                raise ValueError
            mapping[label] = [chr(c) for c in codes]
        except ValueError:
            raise IDXError(f"{source}, line {n}: expected 'label ascii_code [ascii_code]', got {line!r}") from None
    return mapping


def _check_mapping(spec: EmnistSplit, mapping: dict[int, list[str]], source: str) -> None:
    """The archive's mapping must give every label the character this module draws with it."""
    for label, chars in mapping.items():
        expected = spec.classes[label] if 0 <= label < len(spec.classes) else None
        if expected != chars[0]:
            raise IDXError(
                f"{source}: label {label} maps to {chars[0]!r}, expected {expected!r} for EMNIST {spec.name}"
            )


def _resolve_source(source: str | os.PathLike | None) -> Path | None:
    if source is not None:
        return Path(source).expanduser()
    env = os.environ.get(PATH_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return archive_path() if archive_path().is_file() else None


# --------------------------------------------------------------------------- converting and loading


def is_converted(split: str) -> bool:
    """Whether the split's arrays are in the cache (complete: its token is written last)."""
    return (_split_dir(_check_split(split).name) / "token").is_file()


def prepare(split: str, *, source: str | os.PathLike | None = None) -> Path:
    """Convert an EMNIST split from its source into memory-mappable arrays (once).

    Returns the split's cache folder.  Raises :class:`DatasetUnavailable` when
    no source is found, :class:`~number_generator.glyphsets.IDXError` for a
    malformed member or a mapping that is not EMNIST's.
    """
    spec = _check_split(split)
    path = _resolve_source(source)
    if path is None:
        raise _unavailable(split)
    if path.is_file():
        actual = md5_of(path)
        if actual != expected_md5():
            raise DatasetUnavailable(
                f"{path} has md5 {actual}, but the EMNIST archive has {expected_md5()}: a damaged or different file "
                f"(set {MD5_ENV} if a mirror repackaged it on purpose)"
            )
    return _convert(spec, path)


def _convert(spec: EmnistSplit, path: Path) -> Path:
    """:func:`prepare` once the source is known (and, for an archive, its md5 checked)."""
    split = spec.name
    src = _Source(path)
    mapping = parse_mapping(src.read(mapping_name(split)).decode("ascii", "replace"), f"{path}:{mapping_name(split)}")
    _check_mapping(spec, mapping, f"{path}:{mapping_name(split)}")
    out = _split_dir(split)
    (out / "token").unlink(missing_ok=True)  # whatever is there is no longer trusted
    out.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        where = f"{path}:{member_name(split, part, 'images')}"
        labels_where = f"{path}:{member_name(split, part, 'labels')}"
        images = decode_idx(src.read(member_name(split, part, "images")), where)
        labels = decode_idx(src.read(member_name(split, part, "labels")), labels_where)
        check_glyph_arrays(images, labels, where, labels_where)
        unknown = sorted(set(np.unique(labels).tolist()) - set(mapping))
        if unknown:
            raise IDXError(f"{where}: labels {unknown[:10]} are not in the mapping file")
        # EMNIST stores each glyph transposed relative to MNIST: swap rows and columns.
        save_npy_atomic(out / f"{part}-images.npy", np.ascontiguousarray(images.transpose(0, 2, 1)))
        save_npy_atomic(out / f"{part}-labels.npy", labels.astype(np.uint8))
        for kind in ("images", "labels"):  # checked by 'datasets verify'
            record_digest(out / f"{part}-{kind}.npy")
        del images, labels
    atomic_write_bytes(out / "token", uuid.uuid4().hex[:12].encode())
    return out


def version(split: str) -> str:
    """Changes every time the split is converted again (names derived caches such as ink extents)."""
    try:
        return (_split_dir(split) / "token").read_text().strip()
    except FileNotFoundError:
        raise _unavailable(split) from None


def load(split: str, part: str) -> tuple[np.ndarray, np.ndarray]:
    """Memory-mapped images ``(N, 28, 28) uint8`` (0 = paper, 255 = ink, upright) and labels ``(N,) uint8``.

    Converts the split first if a source is on disk (see the module notes);
    never downloads.
    """
    spec = _check_split(split)
    _check_part(part)
    if not is_converted(split):
        if _resolve_source(None) is None:
            raise _unavailable(split)
        prepare(split)
    folder = _split_dir(spec.name)
    images = np.load(folder / f"{part}-images.npy", mmap_mode="r", allow_pickle=False)
    labels = np.load(folder / f"{part}-labels.npy", mmap_mode="r", allow_pickle=False)
    if images.shape[0] != labels.shape[0]:
        raise IDXError(
            f"{folder}: {images.shape[0]} images but {labels.shape[0]} labels; run 'datasets remove' and convert again"
        )
    return images, labels


# --------------------------------------------------------------------------- download and housekeeping


def download(split: str | None = None, *, progress: bool = True, source: str | os.PathLike | None = None) -> Path:
    """Fetch the archive if needed (pooch: md5-checked, progress bar) and convert ``split``.

    With ``source`` (or ``NUMBER_GENERATOR_EMNIST_PATH``) nothing is fetched.
    Returns the archive or source path.  A download that fails its checksum
    leaves no file behind; a failed or unreachable mirror is followed by the next.
    """
    if split is not None:
        _check_split(split)
    path = _resolve_source(source)
    if path is None:
        path = _fetch(progress)
        if split is not None:
            _convert(_check_split(split), path)  # pooch has just checked its md5
        return path
    if split is not None:
        prepare(split, source=path)
    return path


def _fetch(progress: bool) -> Path:
    import pooch
    import requests

    target = archive_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    for url in mirrors():
        try:
            fetched = pooch.retrieve(
                url, known_hash=f"md5:{expected_md5()}", fname=ARCHIVE_NAME, path=target.parent, progressbar=progress
            )
            return Path(fetched)
        except ValueError as exc:  # pooch: hash mismatch (the temporary download is deleted)
            errors.append(f"{url}: {exc}".replace("\n", " "))
        except (requests.RequestException, OSError) as exc:
            errors.append(f"{url}: {type(exc).__name__}: {exc}".replace("\n", " "))
    raise DatasetUnavailable(
        "could not download EMNIST: "
        + "; ".join(errors)
        + f". Download {ARCHIVE_URL} (md5 {ARCHIVE_MD5}) yourself and put it at {target}, "
        f"or point {PATH_ENV} at it"
    )


def disk_usage(split: str | None = None) -> int:
    """Bytes on disk: one split's arrays, or (``None``) everything under ``<cache>/emnist``."""
    folder = root_dir() if split is None else _split_dir(_check_split(split).name)
    if not folder.exists():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def remove(split: str | None = None) -> int:
    """Delete a split's converted arrays and derived caches, or (``None``) everything EMNIST; returns bytes freed."""
    names = list(SPLITS) if split is None else [_check_split(split).name]
    freed = disk_usage(split)
    for name in names:
        derived = cache_dir() / f"emnist-{name}"  # e.g. ink extents, keyed by the dataset name
        freed += sum(p.stat().st_size for p in derived.rglob("*") if p.is_file()) if derived.exists() else 0
        shutil.rmtree(derived, ignore_errors=True)
        shutil.rmtree(_split_dir(name), ignore_errors=True)
    if split is None:
        shutil.rmtree(root_dir(), ignore_errors=True)
    return freed


def md5_of(path: Path) -> str:
    """md5 of a file, streamed (used to check an archive a user supplies)."""
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class EmnistSource(GlyphSource):
    """One EMNIST split (``byclass``, ``digits``, ...), downloaded (about 560 MB) and converted once."""

    downloadable = True
    removable = True

    def __init__(self, split: EmnistSplit):
        self.split = split
        self.name = f"emnist-{split.name}"
        self.description = f"EMNIST {split.description}; download about 560 MB"
        self.classes = split.classes
        self.splits = PARTS
        self.aliases = split.aliases

    def load(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        return load(self.split.name, split)

    def version(self) -> str:
        return version(self.split.name)

    def present(self) -> bool:
        return is_converted(self.split.name)

    def disk_usage(self) -> int:
        return disk_usage(self.split.name)

    def fetch(self, progress: bool = True, source: object = None) -> Path:
        return download(self.split.name, progress=progress, source=source)  # type: ignore[arg-type]

    def remove(self) -> int:
        return remove(self.split.name)
