"""Pipeline configuration: dict / JSON / YAML parsing, saving, and :func:`resolve_augment`.

A configuration is plain data with the names of the Python objects::

    {"glyph": [{"type": "Affine", "rotate": [-8, 8], "p": 0.8}, ...],
     "marks": [{"type": "Underline", "p": 0.2}, ...],          # optional
     "image": [{"type": "GaussianNoise", "sigma": [0, 0.05]}, ...],
     "options": {"writer": "same", "spacing": [-2, 3]}}        # optional: drawing-option defaults

Omitted parameters take the constructor defaults.  Ranges are ``[low, high]``
lists; a single number means a fixed value.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from number_generator.augment.base import GLYPH_TRANSFORMS, IMAGE_TRANSFORMS, MARK_TRANSFORMS, Transform
from number_generator.augment.pipeline import Pipeline

_STAGES: dict[str, Mapping[str, type[Transform]]] = {
    "glyph": GLYPH_TRANSFORMS,
    "marks": MARK_TRANSFORMS,
    "image": IMAGE_TRANSFORMS,
}
_SUFFIXES = (".json", ".yaml", ".yml")

#: Most transforms in one pipeline (all stages together); ``heavy`` has 17, ``realistic`` 27, and ``realistic``
#: with ``heavy``'s photometric stage (examples/ablate_realistic.py) 33.
MAX_TRANSFORMS = 40


def _short(value: Any, limit: int = 80) -> str:
    """``repr`` of a user-given value, cut to ``limit`` characters (configs may be large or deeply nested)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<{type(value).__name__} nested too deeply>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def pipeline_data_from_json(text: str, source: str) -> Any:
    """Parse a JSON pipeline configuration; ``ValueError`` naming ``source`` if it is malformed or absurdly nested."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source} is not valid JSON: {exc}") from None
    except RecursionError:
        raise ValueError(f"{source} is nested too deeply to be an augment config") from None


def _transform_from_dict(stage: str, index: int, item: Any):
    where = f"augment config {stage}[{index}]"
    table = _STAGES[stage]
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected a mapping with a 'type' key, got {_short(item)}")
    if "type" not in item:
        raise ValueError(f"{where}: missing 'type'; valid {stage} transforms: {', '.join(sorted(table))}")
    name = item["type"]
    if not isinstance(name, str) or name not in table:
        other = next((s for s in _STAGES if s != stage and isinstance(name, str) and name in _STAGES[s]), None)
        hint = f" ({name!r} is a {other} transform)" if other else ""
        choices = ", ".join(sorted(table))
        raise ValueError(
            f"{where}: unknown {stage} transform {_short(name)}{hint}; valid {stage} transforms: {choices}"
        )
    cls = table[name]
    valid = cls.parameter_names()
    kwargs = {k: v for k, v in item.items() if k != "type"}
    unknown = [k for k in kwargs if k not in valid]
    if unknown:
        raise ValueError(f"{where}: unknown parameter {unknown[0]!r} for {name}; valid parameters: {', '.join(valid)}")
    try:
        return cls(**kwargs)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


def pipeline_from_dict(data: Any) -> Pipeline:
    """Build a :class:`Pipeline` from plain data; ``ValueError`` on any bad key or value."""
    if not isinstance(data, dict):
        raise ValueError(
            f"augment config must be a mapping with keys 'glyph', 'marks' and/or 'image', got {_short(data)}"
        )
    unknown = [k for k in data if k not in _STAGES and k != "options"]
    if unknown:
        raise ValueError(f"augment config: unknown key {unknown[0]!r}; valid keys: {', '.join(_STAGES)}, options")
    items = {stage: data.get(stage) or [] for stage in _STAGES}
    for stage, listed in items.items():
        if not isinstance(listed, list):
            raise ValueError(f"augment config: {stage!r} must be a list of transforms, got {_short(listed)}")
    total = sum(len(listed) for listed in items.values())
    if total > MAX_TRANSFORMS:
        raise ValueError(f"augment config has {total} transforms, above the limit of {MAX_TRANSFORMS}")
    stages = {stage: [_transform_from_dict(stage, i, item) for i, item in enumerate(items[stage])] for stage in _STAGES}
    options = data.get("options") or {}
    return Pipeline(glyph=stages["glyph"], image=stages["image"], marks=stages["marks"], options=options)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError(f"augment config file must end in .json, .yaml or .yml, got {str(path)!r}")
    return suffix


def load_pipeline(path: str | os.PathLike) -> Pipeline:
    """Read a pipeline from a ``.json``, ``.yaml`` or ``.yml`` file."""
    path = Path(path)
    suffix = _suffix(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read augment config {str(path)!r}: {exc.strerror or exc}") from None
    if suffix == ".json":
        data = pipeline_data_from_json(text, f"augment config {str(path)!r}")
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"augment config {str(path)!r} is not valid YAML: {exc}") from None
        except RecursionError:
            raise ValueError(f"augment config {str(path)!r} is nested too deeply to be an augment config") from None
    return pipeline_from_dict(data)


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


def save_pipeline(pipeline: Pipeline, path: str | os.PathLike) -> None:
    """Write a pipeline as JSON or YAML (by suffix), atomically."""
    path = Path(path)
    suffix = _suffix(path)
    text = pipeline.to_json() if suffix == ".json" else pipeline.to_yaml()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


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
    from number_generator.augment.presets import PRESETS, shared_preset

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
        if path.suffix.lower() in _SUFFIXES:
            return _load_cached(path)
        raise ValueError(
            f"unknown augment preset {str(spec)!r}; valid presets: none, "
            f"{', '.join(PRESETS)}; or a path to a .json, .yaml or .yml file"
        )
    raise ValueError(
        f"augment must be None, a preset name ({', '.join(['none', *PRESETS])}), a file path, "
        f"a dict or a Pipeline, got {type(spec).__name__}"
    )
