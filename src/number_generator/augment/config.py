"""What users pass as ``augment``, resolved: :func:`resolve_augment`, the presets, and configuration files.

The format of a configuration (plain data, JSON, YAML) and its parsing live in
:mod:`.serialise`; the presets' data in :mod:`.presets`.  Built presets are
shared per process (:func:`shared_preset`), configuration files cached per
file version.
"""

from __future__ import annotations

import copy
import os
from functools import cache
from pathlib import Path
from typing import Any

from number_generator.augment.pipeline import Pipeline
from number_generator.augment.presets import PRESET_NAMES, PRESETS
from number_generator.augment.serialise import MAX_TRANSFORMS, SUFFIXES, pipeline_data_from_json

__all__ = [
    "MAX_TRANSFORMS",
    "load_pipeline",
    "pipeline_data_from_json",
    "pipeline_from_dict",
    "preset",
    "resolve_augment",
    "save_pipeline",
    "shared_preset",
]


def pipeline_from_dict(data: Any) -> Pipeline:
    """Build a :class:`Pipeline` from plain data; ``ValueError`` on any bad key or value."""
    return Pipeline.from_dict(data)


def load_pipeline(path: str | os.PathLike) -> Pipeline:
    """Read a pipeline from a ``.json``, ``.yaml`` or ``.yml`` file."""
    return Pipeline.load(path)


def save_pipeline(pipeline: Pipeline, path: str | os.PathLike) -> None:
    """Write a pipeline as JSON or YAML (by suffix), atomically."""
    pipeline.save(path)


_FILE_CACHE: dict[tuple[str, int, int], Pipeline] = {}
_FILE_CACHE_SIZE = 32


def _load_cached(path: Path) -> Pipeline:
    """:func:`load_pipeline` once per file version: cached by absolute path, modification time and size.

    Each call still costs one ``stat``; an edited file (new mtime or size) is
    read again.  The cached pipeline is shared by the callers.
    """
    try:
        stat = path.stat()
    except OSError:
        return load_pipeline(path)  # raises the readable error
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    pipeline = _FILE_CACHE.get(key)
    if pipeline is None:
        pipeline = load_pipeline(path)
        if len(_FILE_CACHE) >= _FILE_CACHE_SIZE:
            _FILE_CACHE.pop(next(iter(_FILE_CACHE)))
        _FILE_CACHE[key] = pipeline
    return pipeline


def resolve_augment(spec: Any) -> Pipeline | None:
    """Turn any user-facing augmentation spec into a :class:`Pipeline` (or ``None``).

    Parameters
    ----------
    spec : None, str, os.PathLike, dict or Pipeline
        ``None`` or ``"none"``: no augmentation.  ``"light"``, ``"medium"``,
        ``"heavy"``: a preset (case-insensitive), built once per process and
        shared.  Another string or a path: a ``.json`` / ``.yaml`` / ``.yml``
        configuration file, read once per version of the file (cached by
        path, modification time and size).  A dict: a configuration.  A
        :class:`Pipeline`: returned as is.  Shared pipelines must not be
        modified; :func:`~number_generator.augment.preset` and
        :func:`load_pipeline` return private copies.

    Returns
    -------
    Pipeline or None

    Raises
    ------
    ValueError
        Unknown preset, unreadable or malformed file, unknown transform or
        parameter, bad value; the message names it and lists the valid choices.
    """
    if spec is None:
        return None
    if isinstance(spec, Pipeline):
        return spec
    if isinstance(spec, dict):
        return pipeline_from_dict(spec)
    if isinstance(spec, str) and spec.strip().lower() in ("none", *PRESETS):
        name = spec.strip().lower()
        return None if name == "none" else shared_preset(name)
    if isinstance(spec, (str, os.PathLike)):
        path = Path(spec)
        if path.suffix.lower() in SUFFIXES:
            return _load_cached(path)
        raise ValueError(
            f"unknown augment preset {str(spec)!r}; valid presets: none, "
            f"{', '.join(PRESETS)}; or a path to a .json, .yaml or .yml file"
        )
    raise ValueError(
        f"augment must be None, a preset name ({', '.join(['none', *PRESETS])}), a file path, "
        f"a dict or a Pipeline, got {type(spec).__name__}"
    )


def preset(name: str) -> Pipeline:
    """A new :class:`Pipeline` for a preset name (``light``, ``medium``, ``heavy``, ``realistic``)."""
    if name not in PRESETS:
        raise ValueError(f"unknown augment preset {name!r}; valid presets: {', '.join(PRESET_NAMES)}")
    return pipeline_from_dict(copy.deepcopy(PRESETS[name]))


@cache
def shared_preset(name: str) -> Pipeline:
    """The preset's pipeline built once per process and shared by every caller (do not modify it).

    Presets are constants, so :func:`~number_generator.augment.resolve_augment`
    hands out this one object instead of rebuilding the pipeline on every
    call (~200 us each); its transform lists are tuples so they cannot grow.
    """
    pipeline = preset(name)
    pipeline.glyph = tuple(pipeline.glyph)  # type: ignore[assignment]  # frozen: shared by every caller
    pipeline.image = tuple(pipeline.image)  # type: ignore[assignment]
    return pipeline
