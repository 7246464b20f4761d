"""Built-in pipelines ``light``, ``medium`` and ``heavy`` (``none`` = no augmentation).

Tuned by eye on contact sheets of real MNIST training digits.  Intent:

* ``light``: the digits still look like clean MNIST, written by a slightly
  different hand; clean scan.
* ``medium``: clearly varied handwriting (slant, size, stroke width, wobble) on
  an ordinary scan or photo (mild noise, blur, uneven light, faint texture).
* ``heavy``: hard but still legible: strong distortions, noisy and degraded
  images, occlusions, line skew.

Inversion is in no preset (it breaks the 1.0 = paper convention).
"""

from __future__ import annotations

import copy
from functools import cache

from number_generator.augment.pipeline import Pipeline

PRESETS: dict[str, dict] = {
    "light": {
        "glyph": [
            {"type": "SizeVariation", "scale": [0.92, 1.05], "aspect": [0.95, 1.05], "p": 0.5},
            {
                "type": "Affine",
                "rotate": [-5, 5],
                "shear": [-8, 8],
                "scale": [0.97, 1.03],
                "translate": [0, 0],
                "p": 0.7,
            },
            {"type": "BaselineJitter", "shift": [-1, 1], "p": 0.5},
            {"type": "ElasticDistortion", "alpha": [8, 16], "sigma": [4, 5], "p": 0.3},
            {"type": "StrokeThickness", "delta": [-0.3, 0.4], "p": 0.3},
        ],
        "image": [
            {"type": "Brightness", "delta": [-0.05, 0.05], "p": 0.3},
            {"type": "Contrast", "factor": [0.85, 1.1], "p": 0.3},
            {"type": "GaussianBlur", "sigma": [0.3, 0.6], "p": 0.2},
            {"type": "GaussianNoise", "sigma": [0.0, 0.03], "p": 0.3},
        ],
    },
    "medium": {
        "glyph": [
            {"type": "SizeVariation", "scale": [0.85, 1.08], "aspect": [0.9, 1.1], "p": 0.7},
            {
                "type": "Affine",
                "rotate": [-10, 10],
                "shear": [-15, 15],
                "scale": [0.95, 1.05],
                "translate": [0, 0],
                "p": 0.9,
            },
            {"type": "BaselineJitter", "shift": [-2, 2], "p": 0.7},
            {"type": "ElasticDistortion", "alpha": [15, 28], "sigma": [4, 5], "p": 0.6},
            {"type": "StrokeThickness", "delta": [-0.5, 0.7], "p": 0.5},
        ],
        "image": [
            {"type": "Perspective", "skew": [-6, 6], "rotate": [-1, 1], "corner": [0, 1], "p": 0.3},
            {"type": "IntensityRange", "ink": [0.0, 0.25], "paper": [0.85, 1.0], "p": 0.5},
            {"type": "BackgroundGradient", "strength": [0.05, 0.2], "p": 0.3},
            {"type": "BackgroundTexture", "strength": [0.05, 0.2], "p": 0.3},
            {"type": "Brightness", "delta": [-0.08, 0.08], "p": 0.4},
            {"type": "Contrast", "factor": [0.75, 1.15], "p": 0.4},
            {"type": "Gamma", "gamma": [0.7, 1.5], "p": 0.3},
            {"type": "GaussianBlur", "sigma": [0.3, 0.8], "p": 0.3},
            {"type": "MotionBlur", "length": [2, 4], "p": 0.1},
            {"type": "GaussianNoise", "sigma": [0.01, 0.05], "p": 0.5},
        ],
    },
    "heavy": {
        "glyph": [
            {"type": "SizeVariation", "scale": [0.75, 1.1], "aspect": [0.8, 1.2], "p": 0.8},
            {
                "type": "Affine",
                "rotate": [-15, 15],
                "shear": [-25, 25],
                "scale": [0.9, 1.08],
                "translate": [-0.5, 0.5],
                "p": 1.0,
            },
            {"type": "BaselineJitter", "shift": [-3, 3], "p": 0.8},
            {"type": "ElasticDistortion", "alpha": [25, 38], "sigma": [4, 5], "p": 0.8},
            {"type": "StrokeThickness", "delta": [-0.7, 1.0], "p": 0.7},
        ],
        "image": [
            {"type": "Perspective", "skew": [-12, 12], "rotate": [-2, 2], "corner": [0, 2], "p": 0.6},
            {"type": "IntensityRange", "ink": [0.0, 0.3], "paper": [0.75, 1.0], "p": 0.7},
            {"type": "BackgroundGradient", "strength": [0.1, 0.35], "p": 0.5},
            {"type": "BackgroundTexture", "strength": [0.1, 0.35], "p": 0.5},
            {"type": "Brightness", "delta": [-0.15, 0.1], "p": 0.5},
            {"type": "Contrast", "factor": [0.7, 1.3], "p": 0.5},
            {"type": "Gamma", "gamma": [0.6, 1.8], "p": 0.4},
            {"type": "GaussianBlur", "sigma": [0.4, 1.0], "p": 0.3},
            {"type": "MotionBlur", "length": [2, 5], "p": 0.2},
            {
                "type": "RandomErasing",
                "count": [1, 3],
                "width": [2, 10],
                "height": [2, 10],
                "fill": [0.6, 1.0],
                "p": 0.3,
            },
            {"type": "SaltAndPepper", "amount": [0.005, 0.03], "p": 0.3},
            {"type": "GaussianNoise", "sigma": [0.02, 0.08], "p": 0.7},
        ],
    },
}

PRESET_NAMES = ("none", *PRESETS)


def preset(name: str) -> Pipeline:
    """A new :class:`Pipeline` for a preset name (``light``, ``medium``, ``heavy``)."""
    from number_generator.augment.config import pipeline_from_dict

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
