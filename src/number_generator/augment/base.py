"""Transform base classes, parameter validation and the transform registry.

Every transform works in two steps:

1. ``sample(rng, ...)`` draws the random parameters of one application from a
   :class:`numpy.random.Generator` and returns them as a plain ``dict`` of Python
   numbers (``{}`` when the transform is skipped because of its probability ``p``);
2. ``apply(x, params)`` applies them deterministically.

A sample can therefore be recorded (the dicts are JSON-serialisable) and replayed.
The constructor arguments of a transform are its configuration; ``to_dict()``
returns them under the same names, with the class name under ``"type"``.

Randomness policy: a transform always consumes the same amount of randomness
from the generator whether or not it is applied, so one transform's probability
never shifts the parameters drawn by the following ones.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, ClassVar

import numpy as np

from number_generator.augment.sampling import StringLayout, sample_glyph_columns
from number_generator.augment.warp import GlyphInfo, warp_glyphs

GLYPH_SHAPE = (28, 28)

#: name -> class, filled by :func:`register`.
GLYPH_TRANSFORMS: dict[str, type[GlyphTransform]] = {}
IMAGE_TRANSFORMS: dict[str, type[ImageTransform]] = {}
MARK_TRANSFORMS: dict[str, type[MarkTransform]] = {}


def register(cls):
    """Class decorator adding a transform to its registry (by class name)."""
    if issubclass(cls, GlyphTransform):
        table: dict = GLYPH_TRANSFORMS
    elif issubclass(cls, MarkTransform):
        table = MARK_TRANSFORMS
    else:
        table = IMAGE_TRANSFORMS
    table[cls.__name__] = cls
    return cls


# --------------------------------------------------------------------------- validation


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def check_number(
    owner: str, name: str, value: Any, lo: float | None = None, hi: float | None = None, integer: bool = False
) -> float | int:
    """Validate one number; raise ``ValueError`` naming ``owner.name`` otherwise."""
    if not _is_number(value) or not math.isfinite(float(value)):
        raise ValueError(f"{owner}: parameter {name!r} must be a finite number, got {value!r}")
    if integer:
        if float(value) != int(value):
            raise ValueError(f"{owner}: parameter {name!r} must be an integer, got {value!r}")
        value = int(value)
    else:
        value = float(value)
    if lo is not None and value < lo:
        raise ValueError(f"{owner}: parameter {name!r} must be >= {lo}, got {value!r}")
    if hi is not None and value > hi:
        raise ValueError(f"{owner}: parameter {name!r} must be <= {hi}, got {value!r}")
    return value


def check_range(
    owner: str, name: str, value: Any, lo: float | None = None, hi: float | None = None, integer: bool = False
) -> tuple:
    """Validate a ``[low, high]`` range; a single number ``v`` means ``[v, v]``.

    Returns a tuple ``(low, high)`` of float (or int if ``integer``).
    """
    if _is_number(value):
        value = (value, value)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"{owner}: parameter {name!r} must be a number or a [low, high] pair, got {value!r}")
    a = check_number(owner, name, value[0], lo, hi, integer)
    b = check_number(owner, name, value[1], lo, hi, integer)
    if a > b:
        raise ValueError(f"{owner}: parameter {name!r} must have low <= high, got {list(value)!r}")
    return (a, b)


def check_probability(owner: str, value: Any) -> float:
    return check_number(owner, "p", value, 0.0, 1.0)


def check_choice(owner: str, name: str, value: Any, choices) -> str:
    if value not in choices:
        raise ValueError(f"{owner}: parameter {name!r} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def ranges_or_defaults(given: dict[str, Any], visible: dict[str, Any], identity: dict[str, Any]) -> dict[str, Any]:
    """The ranges of a transform with several: ``visible`` ones when none is given (``None``), else ``identity``
    for each one left out.

    So ``Affine(p=1)`` does something visible (every transform's defaults do), while ``Affine(rotate=[-5, 5])``
    only rotates.
    """
    if all(value is None for value in given.values()):
        return dict(visible)
    return {name: identity[name] if value is None else value for name, value in given.items()}


def _plain(v: Any) -> Any:
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    if isinstance(v, (np.integer, np.floating)):
        return v.item()
    return v


# --------------------------------------------------------------------------- base classes


class Transform:
    """Common base: probability ``p``, configuration (de)serialisation, equality."""

    kind: ClassVar[str] = ""

    def __init__(self, p: float = 1.0):
        self.p = check_probability(type(self).__name__, p)

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__.pop("_spec_cache", None)  # derived sampling tables
        super().__setattr__(name, value)

    @classmethod
    def parameter_names(cls) -> list[str]:
        """Names accepted by the constructor (and in configuration dicts)."""
        sig = inspect.signature(cls.__init__)
        return [n for n in sig.parameters if n != "self"]

    def to_dict(self) -> dict:
        """Configuration as plain data: ``{"type": ClassName, <argument>: <value>, ...}``."""
        d = {"type": type(self).__name__}
        for name in self.parameter_names():
            d[name] = _plain(getattr(self, name))
        return d

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if k != "type")
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Transform) and type(self) is type(other) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]


class GlyphTransform(Transform):
    """Transform of single glyphs: ``numpy.uint8`` ``(28, 28)``, 0 = no ink, 255 = full ink.

    A class-conditional transform sets ``character``: it applies only to glyphs
    drawing that character (the pipeline is told the text; without it, never).

    Subclasses define ``neutral`` (the parameter values meaning "identity", used
    when the transform is skipped) and ``_uniform_params()`` listing the
    parameters drawn uniformly (``_finish`` rounds or casts them).  Parameters are sampled column-wise for a batch
    of glyphs (one generator call per parameter, not per glyph);
    :meth:`sample` is the batch of one, so ``sample`` and ``sample_batch`` agree.
    """

    kind = "glyph"
    neutral: ClassVar[dict[str, float]] = {}
    #: True for geometric transforms, fused by the pipeline into one resampling.
    geometric: ClassVar[bool] = False
    #: The one character a class-conditional transform edits (``""``: every glyph).
    character: ClassVar[str] = ""
    #: ``"glyph"``: applied or skipped glyph by glyph; ``"string"``: applied or skipped for all the
    #: glyphs of one call (one string) together, the first glyph's draw deciding (``_finish`` then
    #: derives the string's shared values from the first glyph's draws).
    scope: ClassVar[str] = "glyph"

    # -- sampling
    def _uniform_params(self) -> list[tuple[str, tuple[float, float]]]:
        """(name, (low, high)) of the parameters drawn uniformly, in drawing order."""
        raise NotImplementedError

    def _spec(self):
        spec = self.__dict__.get("_spec_cache")
        if spec is None:
            params = self._uniform_params()
            names = [name for name, _ in params]
            lo = np.array([[r[0]] for _, r in params], np.float64)
            span = np.array([[r[1] - r[0]] for _, r in params], np.float64)
            neutral = np.array([[self.neutral[name]] for name in names], np.float64)
            spec = self.__dict__["_spec_cache"] = (names, lo, span, neutral)
        return spec

    def _finish(self, cols: dict[str, np.ndarray], strings: StringLayout) -> None:
        """Post-process sampled columns in place (rounding, integer casts; string-scoped values from ``strings``)."""

    def sample_columns(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Parameters of ``n`` glyphs as columns (arrays of length ``n``).

        One ``rng.random((1 + k, n))`` call gives the "applied" draws (row 0,
        compared with ``p``) and the ``k`` uniform parameters
        (``low + (high - low) * u``); skipped glyphs get the neutral values.
        The key ``"applied"`` is a bool mask.  A :class:`Pipeline` draws the
        rows of all its glyph transforms in one call: the same stream.
        """
        return sample_glyph_columns([self], rng, n)[0]

    def sample(self, rng: np.random.Generator) -> dict:
        """Parameters for one glyph as a plain dict (``{}`` if skipped)."""
        return self.columns_to_dicts(self.sample_columns(rng, 1))[0]

    def sample_batch(self, rng: np.random.Generator, n: int) -> list[dict]:
        """Parameters for ``n`` glyphs, one plain dict each (``{}`` if skipped)."""
        return self.columns_to_dicts(self.sample_columns(rng, n))

    def columns_to_dicts(self, cols: dict[str, np.ndarray]) -> list[dict]:
        keys = list(self.neutral)
        out = []
        for i, applied in enumerate(cols["applied"]):
            out.append({k: cols[k][i].item() for k in keys} if applied else {})
        return out

    def dicts_to_columns(self, params: list[dict]) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {}
        for k, v in self.neutral.items():
            dtype = np.int64 if isinstance(v, int) else np.float64
            try:
                cols[k] = np.array([d.get(k, v) if d else v for d in params], dtype=dtype)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{type(self).__name__}: bad recorded parameter {k!r}: {exc}") from None
        unknown = {k for d in params for k in d} - set(self.neutral)
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: unknown recorded parameter(s) {sorted(unknown)}; "
                f"valid: {', '.join(self.neutral)}"
            )
        cols["applied"] = np.array([bool(d) for d in params], dtype=bool)
        return cols

    # -- application
    def apply(self, glyph: np.ndarray, params: dict) -> np.ndarray:
        """Apply recorded/sampled ``params`` to one glyph (uint8 (28, 28)); returns a new glyph."""
        glyph = check_glyph(glyph)
        return self.apply_batch(glyph[None], self.dicts_to_columns([params]))[0]

    def apply_batch(self, stack: np.ndarray, cols: dict[str, np.ndarray]) -> np.ndarray:
        """Apply column parameters to a stack ``(n, 28, 28)`` uint8; returns a new stack."""
        stack = check_glyphs(stack)
        if self.geometric:
            return warp_glyphs(stack, [(self, cols)])
        return self._apply_pixels(stack, cols)

    def _apply_pixels(self, stack: np.ndarray, cols: dict[str, np.ndarray]) -> np.ndarray:
        raise NotImplementedError

    def backward(self, cols: dict[str, np.ndarray], info: GlyphInfo):
        """Geometric transforms: the map from output to input coordinates.

        Returns ``("affine", M)`` with ``M`` float64 ``(n, 3, 3)``, or
        ``("field", F)`` with ``F`` float32 ``(n, 2, 28, 28)`` displacements
        (dx, dy) in pixels added to output coordinates.
        """
        raise NotImplementedError


class ImageTransform(Transform):
    """Transform of a composed line image and its character boxes.

    Image: ``numpy.float32`` ``(28, W)`` in ``[0, 1]``, 1.0 = white background,
    0.0 = black ink.  Boxes: integer ``(n, 4)`` ``(x0, y0, x1, y1)``, half-open,
    pixels, or ``None``.  ``apply`` returns ``(image, boxes)``; the image is
    again float32 ``(28, W)`` in ``[0, 1]`` and the input is not modified.
    """

    kind = "image"
    #: True if the transform moves pixels (boxes follow).
    geometric: ClassVar[bool] = False
    #: How many ``rng.random`` values :meth:`_finish` draws after the uniform ones: 0 for a ``_finish``
    #: that draws nothing, ``None`` when unknown or variable (the default of a class overriding
    #: ``_finish`` without saying).  A pipeline draws the parameters of consecutive transforms with a
    #: known count in one generator call: the same stream as one :meth:`sample` call each.
    finish_draws: ClassVar[int | None] = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_finish" in cls.__dict__ and "finish_draws" not in cls.__dict__:
            cls.finish_draws = None

    def _uniform_params(self, shape: tuple[int, int]) -> list[tuple[str, tuple[float, float]]]:
        """(name, (low, high)) of the parameters drawn uniformly, in drawing order."""
        return []

    def uniform_spec(self, shape: tuple[int, int]) -> list[tuple[str, tuple[float, float]]]:
        """:meth:`_uniform_params` for ``shape``, remembered per shape until the configuration changes."""
        specs = self.__dict__.get("_spec_cache")
        if specs is None:
            specs = self.__dict__["_spec_cache"] = {}
        spec = specs.get(shape)
        if spec is None:
            spec = specs[shape] = self._uniform_params(shape)
        return spec

    def _finish(self, params: dict, rng: np.random.Generator, shape: tuple[int, int]) -> dict:
        """Complete the uniform draws: cast or round them, draw what is not uniform."""
        return params

    def sample(self, rng: np.random.Generator, shape: tuple[int, int]) -> dict:
        """Parameters for one image of ``shape`` (height, width); ``{}`` if skipped.

        One ``rng.random(1 + k)`` call gives the "applied" draw and the ``k``
        uniform parameters; the randomness used does not depend on ``p``.
        """
        shape = (int(shape[0]), int(shape[1]))
        spec = self.uniform_spec(shape)
        u = rng.random(1 + len(spec)).tolist()
        params = {name: lo + (hi - lo) * x for (name, (lo, hi)), x in zip(spec, u[1:])}
        params = self._finish(params, rng, shape)
        return params if u[0] < self.p else {}

    def apply(self, image: np.ndarray, boxes: np.ndarray | None, params: dict):
        """Apply ``params`` (from :meth:`sample` or a record) to ``image`` and ``boxes``."""
        image = check_image(image)
        if not params:
            return image.copy(), (None if boxes is None else np.array(boxes, copy=True))
        out, boxes = self._apply(image, boxes, params)
        return out, boxes

    def _apply(self, image, boxes, params):
        """One image: a stacked transform's :meth:`_apply_stack` on a stack of one (its one formula); others
        override this."""
        if not self.stacked:
            raise NotImplementedError
        return self._apply_stack(image[None], [params])[0], copy_boxes(boxes)

    #: True if :meth:`_apply_stack` does the pixel work of many images in one pass (pixel-wise
    #: transforms that leave boxes alone, written once for a stack); the pipeline then runs it once
    #: per block of images, and one image is a stack of one.
    stacked: ClassVar[bool] = False

    def _apply_stack(self, stack: np.ndarray, params: list[dict]) -> np.ndarray:
        """Apply one parameter dict per image to a float32 ``(k, H, W)`` stack; a new stack, bytes equal to
        :meth:`_apply` image by image (subclasses with ``stacked = True`` override it)."""
        return np.stack([self._apply(image, None, p)[0] for image, p in zip(stack, params)])


def per_image(values: list[float]) -> np.ndarray:
    """One float32 value per image of a stack, shaped ``(k, 1, 1)`` to broadcast over ``(k, H, W)``.

    Each value is rounded to float32 as ``np.float32(v)`` would round it, so a stacked transform
    computes the same bytes as its one-image form with that scalar.
    """
    return np.array(values, np.float32).reshape(-1, 1, 1)


class MarkTransform(Transform):
    """Marks that are not the label, drawn on the composed line (see :mod:`.marks`).

    ``sample(rng, page)`` draws the parameters of one application from the
    generator and the :class:`~.marks.Page` (image, boxes, text, pen width);
    ``apply(page, params)`` draws them on the page in place.  Parameters are
    plain data (``{}`` when skipped).

    Randomness: unlike glyph and image transforms, how many numbers a mark draws
    depends on the page (a longer number has more separators), so a mark
    transform draws one number for ``p`` and, only when applied, its
    parameters.  Skipped marks cost one draw and no work on the page.
    """

    kind = "marks"

    def sample(self, rng: np.random.Generator, page) -> dict:
        """Parameters for one page (``{}`` if skipped): one draw for ``p``, then :meth:`_sample` if applied."""
        if rng.random() >= self.p:
            return {}
        return self._sample(rng, page)

    def _sample(self, rng: np.random.Generator, page) -> dict:
        """The parameters (``{}`` when nothing fits on this page)."""
        raise NotImplementedError

    def apply(self, page, params: dict) -> None:
        """Draw recorded/sampled ``params`` on ``page`` (in place); ``{}`` does nothing."""
        if params:
            self._apply(page, params)

    def _apply(self, page, params: dict) -> None:
        raise NotImplementedError


def copy_boxes(boxes):
    """A copy of character boxes for a transform that does not move pixels (``None`` stays ``None``)."""
    return None if boxes is None else np.array(boxes, copy=True)


# --------------------------------------------------------------------------- array checks


def check_glyphs(stack: np.ndarray) -> np.ndarray:
    """Check a glyph stack: uint8 ``(n, 28, 28)``."""
    if (
        not isinstance(stack, np.ndarray)
        or stack.dtype != np.uint8
        or stack.ndim != 3
        or stack.shape[1:] != GLYPH_SHAPE
    ):
        raise ValueError(
            "glyphs must be a numpy.uint8 array of shape (n, 28, 28) (0 = no ink, 255 = full ink), got "
            f"{getattr(stack, 'dtype', type(stack).__name__)} {getattr(stack, 'shape', '')}"
        )
    return stack


def check_glyph(glyph: np.ndarray) -> np.ndarray:
    """Check one glyph: uint8 ``(28, 28)``."""
    if not isinstance(glyph, np.ndarray) or glyph.dtype != np.uint8 or glyph.shape != GLYPH_SHAPE:
        raise ValueError(
            "glyph must be a numpy.uint8 array of shape (28, 28) (0 = no ink, 255 = full ink), got "
            f"{getattr(glyph, 'dtype', type(glyph).__name__)} {getattr(glyph, 'shape', '')}"
        )
    return glyph


def check_image(image: np.ndarray) -> np.ndarray:
    """Check a line image: float32 ``(H, W)`` (H is 28 in the product)."""
    if not isinstance(image, np.ndarray) or image.dtype != np.float32 or image.ndim != 2:
        raise ValueError(
            "image must be a numpy.float32 array of shape (28, W) in [0, 1], got "
            f"{getattr(image, 'dtype', type(image).__name__)} {getattr(image, 'shape', '')}"
        )
    return image
