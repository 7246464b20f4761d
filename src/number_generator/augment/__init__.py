"""Reproducible augmentation of glyphs and composed line images.

Two kinds of transforms:

* glyph transforms (:mod:`.glyph`) on each character, ``numpy.uint8 (28, 28)``,
  0 = no ink, 255 = full ink, before composition;
* image transforms (:mod:`.image`) on the composed line, ``numpy.float32 (28, W)``
  in [0, 1], 1.0 = paper, with per-character boxes that follow geometric changes.

Every transform's default ranges do something visible (the ``medium`` preset's
ranges), so ``{"type": "GaussianBlur", "p": 0.3}`` blurs; a transform with several
ranges uses its defaults only when none is given, and the identity for those left
out otherwise.  Each transform samples plain-dict parameters from a ``numpy.random.Generator``
and applies them deterministically.  A :class:`Pipeline` chains them and is plain
data (dict / JSON / YAML); :func:`resolve_augment` accepts every user-facing form
(``None``, ``"none"``, ``"light"``, ``"medium"``, ``"heavy"``, ``"realistic"``, a file path, a dict,
a Pipeline).

Example
-------
>>> import numpy as np
>>> from number_generator.augment import resolve_augment
>>> pipe = resolve_augment("medium")
>>> rng = np.random.default_rng(0)
>>> glyphs = pipe.apply_glyphs(np.zeros((3, 28, 28), np.uint8), rng)
>>> image, boxes = pipe.apply_image(np.ones((28, 100), np.float32), None, rng)
"""

from number_generator.augment import opencv as _opencv  # noqa: F401  (one OpenCV thread per process, see there)
from number_generator.augment.base import (
    GLYPH_TRANSFORMS,
    IMAGE_TRANSFORMS,
    MARK_TRANSFORMS,
    GlyphTransform,
    ImageTransform,
    MarkTransform,
    Transform,
)
from number_generator.augment.config import load_pipeline, pipeline_from_dict, preset, resolve_augment, save_pipeline
from number_generator.augment.glyph import (
    Affine,
    BaselineJitter,
    ElasticDistortion,
    SizeVariation,
    StringStroke,
    StringStyle,
    StrokeThickness,
)
from number_generator.augment.image import (
    BackgroundGradient,
    BackgroundTexture,
    Brightness,
    Contrast,
    Gamma,
    GaussianBlur,
    GaussianNoise,
    IntensityRange,
    Invert,
    MotionBlur,
    Perspective,
    RandomErasing,
    SaltAndPepper,
)
from number_generator.augment.marks import EndMarks, GroupSeparators, StrayMarks, Underline
from number_generator.augment.paper import CombBoxes, InkDarkness, PrintedBox, PrintedRule, RuledPaper, SecurityPattern
from number_generator.augment.pipeline import Pipeline
from number_generator.augment.presets import PRESET_NAMES, PRESETS
from number_generator.augment.scan import Binarize, BleedThrough, JpegCompression, LowResolution
from number_generator.augment.styles import CrossedSeven, FlaggedOne, OpenFour

__all__ = [
    "Pipeline",
    "resolve_augment",
    "preset",
    "PRESETS",
    "PRESET_NAMES",
    "load_pipeline",
    "save_pipeline",
    "pipeline_from_dict",
    "Transform",
    "GlyphTransform",
    "ImageTransform",
    "GLYPH_TRANSFORMS",
    "IMAGE_TRANSFORMS",
    "MARK_TRANSFORMS",
    "MarkTransform",
    "EndMarks",
    "GroupSeparators",
    "StrayMarks",
    "Underline",
    "CrossedSeven",
    "FlaggedOne",
    "OpenFour",
    "PrintedRule",
    "PrintedBox",
    "CombBoxes",
    "RuledPaper",
    "SecurityPattern",
    "InkDarkness",
    "JpegCompression",
    "LowResolution",
    "Binarize",
    "BleedThrough",
    "Affine",
    "BaselineJitter",
    "ElasticDistortion",
    "SizeVariation",
    "StrokeThickness",
    "StringStyle",
    "StringStroke",
    "BackgroundGradient",
    "BackgroundTexture",
    "Brightness",
    "Contrast",
    "GaussianBlur",
    "GaussianNoise",
    "Gamma",
    "IntensityRange",
    "Invert",
    "MotionBlur",
    "Perspective",
    "RandomErasing",
    "SaltAndPepper",
]
