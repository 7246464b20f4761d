"""Pipeline configurations as plain data: parsing (dict / JSON / YAML) and writing files.

A configuration is plain data with the names of the Python objects::

    {"glyph": [{"type": "Affine", "rotate": [-8, 8], "p": 0.8}, ...],
     "marks": [{"type": "Underline", "p": 0.2}, ...],          # optional
     "image": [{"type": "GaussianNoise", "sigma": [0, 0.05]}, ...],
     "options": {"writer": "same", "spacing": [-2, 3]}}        # optional: drawing-option defaults

Omitted parameters take the constructor defaults.  Ranges are ``[low, high]``
lists; a single number means a fixed value.  :class:`~.pipeline.Pipeline`
builds itself from this (``from_dict``, ``load``) and writes it (``save``);
:mod:`.config` resolves what users pass as ``augment``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from number_generator.augment.base import GLYPH_TRANSFORMS, IMAGE_TRANSFORMS, MARK_TRANSFORMS, Transform
from number_generator.io.atomic import atomic_write_bytes

_STAGES: dict[str, Mapping[str, type[Transform]]] = {
    "glyph": GLYPH_TRANSFORMS,
    "marks": MARK_TRANSFORMS,
    "image": IMAGE_TRANSFORMS,
}
SUFFIXES = (".json", ".yaml", ".yml")

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


def stages_from_data(data: Any) -> tuple[list, list, list, dict]:
    """``(glyph, image, marks, options)`` of a configuration given as plain data.

    ``ValueError`` names any bad key or value.
    """
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
    return stages["glyph"], stages["image"], stages["marks"], options


def check_suffix(path: Path) -> str:
    """The lower-case suffix of a configuration file; ``ValueError`` unless it is .json, .yaml or .yml."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"augment config file must end in .json, .yaml or .yml, got {str(path)!r}")
    return suffix


def read_pipeline_data(path: str | os.PathLike) -> Any:
    """The plain data of a ``.json``, ``.yaml`` or ``.yml`` configuration file (not yet checked)."""
    path = Path(path)
    suffix = check_suffix(path)
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
    return data


def config_text(data: dict, suffix: str) -> str:
    """``data`` as the text of a ``suffix`` file: indented JSON (``.json``) or YAML (``.yaml``, ``.yml``)."""
    if suffix == ".json":
        return json.dumps(data, indent=2) + "\n"
    import yaml

    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)


def write_pipeline_text(path: str | os.PathLike, data: dict) -> None:
    """Write configuration ``data`` as JSON or YAML (by the file's suffix), atomically (temporary file, rename)."""
    path = Path(path)
    atomic_write_bytes(path, config_text(data, check_suffix(path)).encode("utf-8"))
