"""Pipeline configuration: dict / JSON / YAML parsing, saving, and :func:`resolve_augment`.

A configuration is plain data with the names of the Python objects::

    {"glyph": [{"type": "Affine", "rotate": [-8, 8], "p": 0.8}, ...],
     "marks": [{"type": "Underline", "p": 0.2}, ...],          # optional
     "image": [{"type": "GaussianNoise", "sigma": [0, 0.05]}, ...]}

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


def _transform_from_dict(stage: str, index: int, item: Any):
    where = f"augment config {stage}[{index}]"
    table = _STAGES[stage]
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected a mapping with a 'type' key, got {item!r}")
    if "type" not in item:
        raise ValueError(f"{where}: missing 'type'; valid {stage} transforms: {', '.join(sorted(table))}")
    name = item["type"]
    if name not in table:
        other = next((s for s in _STAGES if s != stage and name in _STAGES[s]), None)
        hint = f" ({name!r} is a {other} transform)" if other else ""
        raise ValueError(
            f"{where}: unknown {stage} transform {name!r}{hint}; valid {stage} transforms: {', '.join(sorted(table))}"
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
        raise ValueError(f"augment config must be a mapping with keys 'glyph', 'marks' and/or 'image', got {data!r}")
    unknown = [k for k in data if k not in _STAGES]
    if unknown:
        raise ValueError(f"augment config: unknown key {unknown[0]!r}; valid keys: {', '.join(_STAGES)}")
    stages = {}
    for stage in _STAGES:
        items = data.get(stage) or []
        if not isinstance(items, list):
            raise ValueError(f"augment config: {stage!r} must be a list of transforms, got {items!r}")
        stages[stage] = [_transform_from_dict(stage, i, item) for i, item in enumerate(items)]
    return Pipeline(glyph=stages["glyph"], image=stages["image"], marks=stages["marks"])


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
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"augment config {str(path)!r} is not valid JSON: {exc}") from None
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"augment config {str(path)!r} is not valid YAML: {exc}") from None
    return pipeline_from_dict(data)


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
        ``"heavy"``: a preset (case-insensitive).  Another string or a path: a
        ``.json`` / ``.yaml`` / ``.yml`` configuration file.  A dict: a
        configuration.  A :class:`Pipeline`: returned as is.

    Returns
    -------
    Pipeline or None

    Raises
    ------
    ValueError
        Unknown preset, unreadable or malformed file, unknown transform or
        parameter, bad value; the message names it and lists the valid choices.
    """
    from number_generator.augment.presets import PRESETS, preset

    if spec is None:
        return None
    if isinstance(spec, Pipeline):
        return spec
    if isinstance(spec, dict):
        return pipeline_from_dict(spec)
    if isinstance(spec, str) and spec.strip().lower() in ("none", *PRESETS):
        name = spec.strip().lower()
        return None if name == "none" else preset(name)
    if isinstance(spec, (str, os.PathLike)):
        path = Path(spec)
        if path.suffix.lower() in _SUFFIXES:
            return load_pipeline(path)
        raise ValueError(
            f"unknown augment preset {str(spec)!r}; valid presets: none, "
            f"{', '.join(PRESETS)}; or a path to a .json, .yaml or .yml file"
        )
    raise ValueError(
        f"augment must be None, a preset name ({', '.join(['none', *PRESETS])}), a file path, "
        f"a dict or a Pipeline, got {type(spec).__name__}"
    )
