"""Composition of glyphs into the output image, and the :class:`Sample` record.

The image contract (see DESIGN.md): ``numpy.float32``, shape
``(28, image_width)``, 1.0 = white paper, 0.0 = black ink.  A glyph pixel of
value ``v`` (0-255, 255 = full ink) becomes ``(255 - v) / 255``
(:func:`ink_to_image`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from number_generator.core.layout import draw_gaps, fit, place
from number_generator.core.randomness import as_generator
from number_generator.core.validation import (
    MAX_SEQUENCE_LENGTH,
    check_align,
    check_image_width,
    check_spacing_range,
    parse_digits,
)
from number_generator.glyphsets.glyphs import GlyphSet, get_glyph_set, ink_extents
from number_generator.glyphsets.strokes import SYNTHESISED, synthetic_glyphs

HEIGHT = 28
#: Default gap one space stands for, pixels between ink (about half a glyph).
DEFAULT_WORD_SPACING = (10, 16)
_255 = np.float32(255.0)


def ink_to_image(ink: np.ndarray) -> np.ndarray:
    """Glyph convention (uint8, 0 = paper, 255 = ink) -> image contract (float32, 1.0 = paper, 0.0 = ink).

    ``(255 - v) / 255`` in float32: paper is exactly 1.0, full ink exactly 0.0.
    """
    return np.true_divide(255 - ink, _255, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Sample:
    """One generated image with everything known about it.

    Attributes
    ----------
    image : ndarray, shape (28, W), float32
        1.0 = paper, 0.0 = ink.
    text : str
        The characters drawn, left to right.
    boxes : ndarray, shape (n, 4), int32
        One box per character, ``x0, y0, x1, y1`` in output pixels, half-open
        (``image[y0:y1, x0:x1]`` holds the character's ink).
    glyph_indices : ndarray, shape (n,), int64
        Index of each character's source glyph in its dataset split, or -1
        for synthesised characters (the hyphen).
    spacing : ndarray, shape (n - 1,), int64
        The gaps drawn between consecutive characters, in pixels before any
        down-scaling.
    scale : float
        1.0 when the strip fitted; else the down-scaling factor applied.
    """

    image: np.ndarray
    text: str
    boxes: np.ndarray
    glyph_indices: np.ndarray
    spacing: np.ndarray
    scale: float


def _classes_of(text: str, glyph_set: GlyphSet) -> np.ndarray:
    """Class of each character; -1 for synthesised ones; ValueError lists the rest."""
    lookup = glyph_set.class_of_char
    classes = [lookup.get(ch, -1) for ch in text]
    bad = sorted({ch for ch, c in zip(text, classes) if c < 0 and ch not in SYNTHESISED})
    if bad:
        raise ValueError(
            f"dataset {glyph_set.dataset!r} cannot draw {''.join(bad)!r}; "
            f"it draws {glyph_set.characters!r} plus {''.join(SYNTHESISED)!r}"
        )
    return np.array(classes, dtype=np.int64)


def _compose(glyphs: np.ndarray, extents: np.ndarray, gaps: np.ndarray, image_width: int, align: str, strict: bool):
    """Paste the ink columns of ``glyphs`` left to right; return image, boxes, scale.

    All columns are gathered and scattered in one vectorised step (no Python
    loop per glyph): this is the hot path of every generator.
    """
    left = extents[:, 0].astype(np.int64)
    widths = extents[:, 1] - left + 1
    offsets, strip_width = place(widths, gaps)
    placement = fit(strip_width, image_width, align, strict)
    canvas_width = image_width if placement.scale == 1.0 else strip_width
    ink = np.zeros((HEIGHT, canvas_width), dtype=np.uint8)
    x0 = offsets + placement.offset
    # Column j of the ink strip comes from glyph k[j], source column src[j].
    k = np.repeat(np.arange(len(widths)), widths)
    src = np.arange(k.size) + np.repeat(left - (np.cumsum(widths) - widths), widths)
    dest = src + np.repeat(x0 - left, widths)
    ink[:, dest] = glyphs[k, :, src].T
    canvas = ink_to_image(ink)
    boxes = np.empty((len(widths), 4), dtype=np.int32)
    boxes[:, 0] = x0
    boxes[:, 1] = extents[:, 2]
    boxes[:, 2] = x0 + widths
    boxes[:, 3] = extents[:, 3] + 1
    if placement.scale == 1.0:
        return canvas, boxes, 1.0
    return _scale_down(canvas, boxes, image_width, placement.scale)


def _scale_down(strip: np.ndarray, boxes: np.ndarray, image_width: int, scale: float):
    """Shrink ``strip`` to ``image_width`` keeping its aspect ratio, centred vertically."""
    from PIL import Image

    height = max(1, round(HEIGHT * scale))
    small = np.asarray(
        Image.fromarray(strip, mode="F").resize((image_width, height), Image.Resampling.BILINEAR),
        dtype=np.float32,
    )
    # Filters leave 0.99999994 on blank paper; snap near-paper and near-ink values.
    small = np.clip(small, 0.0, 1.0)
    small[small > 1.0 - 1e-4] = 1.0
    small[small < 1e-4] = 0.0
    top = (HEIGHT - height) // 2
    image = np.ones((HEIGHT, image_width), dtype=np.float32)
    image[top : top + height] = small
    # The bilinear filter spreads ink up to one output pixel: widen boxes by 1.
    sx = image_width / strip.shape[1]
    sy = height / HEIGHT
    scaled = np.empty_like(boxes, dtype=np.float64)
    scaled[:, 0] = np.floor(boxes[:, 0] * sx) - 1
    scaled[:, 2] = np.ceil(boxes[:, 2] * sx) + 1
    scaled[:, 1] = top + np.floor(boxes[:, 1] * sy) - 1
    scaled[:, 3] = top + np.ceil(boxes[:, 3] * sy) + 1
    scaled[:, 0::2] = np.clip(scaled[:, 0::2], 0, image_width)
    scaled[:, 1::2] = np.clip(scaled[:, 1::2], 0, HEIGHT)
    return image, scaled.astype(np.int32), scale


def resolve_augmentation(augment):
    """``augment=`` argument -> ``Pipeline`` or ``None`` (ValueError on a bad spec).

    The augmentation package (OpenCV) is imported only when augmentation is asked for.
    """
    if augment is None:
        return None
    from number_generator.augment import resolve_augment

    return resolve_augment(augment)


def _render(
    text: str,
    classes: np.ndarray,
    glyph_set: GlyphSet,
    spacing_range,
    image_width: int,
    rng: np.random.Generator,
    align: str,
    strict: bool,
    augment=None,
    words=None,
) -> Sample:
    """Pick glyphs, draw gaps, (augment glyphs), compose, (augment the image).

    ``augment`` is a resolved ``Pipeline`` or ``None``.  Augmentation draws its
    randomness after the glyphs and gaps, so the same seed picks the same glyphs
    and spacing with or without it; glyph ink extents are measured after the
    glyph transforms, and boxes follow the image transforms.

    ``words`` is ``None`` or ``(breaks, word_spacing)``: ``breaks[k]`` spaces
    stand between drawn characters ``k`` and ``k + 1``; each such gap becomes
    the sum of ``breaks[k]`` draws from ``word_spacing`` (made after the letter
    gaps, so text without spaces draws exactly what it would without them).
    """
    synthesised = classes < 0
    if synthesised.any():
        real = ~synthesised
        indices = np.full(len(text), -1, dtype=np.int64)
        indices[real] = glyph_set.pick(classes[real], rng)
        glyphs = np.empty((len(text), HEIGHT, HEIGHT), dtype=np.uint8)
        glyphs[real] = glyph_set.images[indices[real]]
        extents = np.empty((len(text), 4), dtype=np.int16)
        extents[real] = glyph_set.extents[indices[real]]
        for k in np.flatnonzero(synthesised).tolist():
            bank, bank_extents = synthetic_glyphs(text[k])
            choice = rng.integers(len(bank))
            glyphs[k], extents[k] = bank[choice], bank_extents[choice]
    else:
        indices = glyph_set.pick(classes, rng)
        glyphs = glyph_set.images[indices]
        extents = glyph_set.extents[indices]
    gaps = draw_gaps(rng, len(text) - 1, spacing_range)
    if words is not None:
        breaks, word_spacing = words
        for k in np.flatnonzero(breaks).tolist():
            gaps[k] = draw_gaps(rng, int(breaks[k]), word_spacing).sum()
    if augment is not None and augment.glyph:
        glyphs = augment.apply_glyphs(np.ascontiguousarray(glyphs), rng, text=text)
        extents = ink_extents(glyphs)
    image, boxes, scale = _compose(glyphs, extents, gaps, image_width, align, strict)
    if augment is not None and augment.marks:  # marks that are not the label (augment/marks.py)
        image, boxes = augment.apply_marks(image, boxes, text, rng)
    if augment is not None and augment.image:
        image, boxes = augment.apply_image(image, boxes, rng)
    return Sample(image=image, text=text, boxes=boxes, glyph_indices=indices, spacing=gaps, scale=scale)


def render_sequence(
    text: str | Iterable[int],
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    seed: int | np.random.Generator | None = None,
    dataset: str = "mnist",
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment=None,
) -> Sample:
    """Render a character sequence and return the full :class:`Sample`.

    Parameters
    ----------
    text : str or iterable of int
        Characters to draw: any the dataset has (MNIST: ``0``-``9``) plus the
        synthesised hyphen ``-``.  An iterable of ints means digits 0-9.
    spacing_range : (int, int)
        Inclusive range ``(min, max)`` of the gap between consecutive
        characters' ink, in pixels; ``0 <= min <= max <= 1000``.
    image_width : int
        Output width in pixels, 1 to 16,384.
    seed : int, numpy.random.Generator or None
        Same seed, same output.
    dataset : str
        Glyph dataset name (see :func:`number_generator.glyphsets.dataset_names`).
    split : str
        ``"train"`` or ``"test"``: which samples the glyphs are drawn from.
    align : {"center", "left", "right"}
        Where a strip narrower than ``image_width`` goes.
    strict : bool
        Raise ``ValueError`` instead of scaling down a strip wider than
        ``image_width``.
    augment : None, str, os.PathLike, dict or augment.Pipeline
        Augmentation: ``None``/``"none"`` (default), a preset ``"light"``,
        ``"medium"``, ``"heavy"``, a ``.json``/``.yaml`` pipeline file, a
        pipeline dict or a :class:`~number_generator.augment.Pipeline`.  Each
        glyph is transformed before its ink extents are measured, the composed
        image after composition; boxes follow.  Same seed, same output.

    Returns
    -------
    Sample
    """
    spacing_range = check_spacing_range(spacing_range)
    image_width = check_image_width(image_width)
    align = check_align(align)
    glyph_set = get_glyph_set(dataset, split)
    if not isinstance(text, str):
        text = parse_digits(text)
    if not text:
        raise ValueError("text must not be empty")
    if len(text) > MAX_SEQUENCE_LENGTH:
        raise ValueError(f"sequence length {len(text)} is above the limit of {MAX_SEQUENCE_LENGTH}")
    classes = _classes_of(text, glyph_set)
    pipeline = resolve_augmentation(augment)
    return _render(text, classes, glyph_set, spacing_range, image_width, as_generator(seed), align, strict, pipeline)


def generate_numbers_sequence(
    digits: str | Iterable[int],
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    seed: int | np.random.Generator | None = None,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment=None,
) -> np.ndarray:
    """Image of a digit sequence drawn with real MNIST digits.

    Parameters
    ----------
    digits : str or iterable of int
        ``"350"`` or ``[3, 5, 0]``; each 0-9, 1 to 1,024 of them.
    spacing_range, image_width, seed, split, align, strict, augment
        As in :func:`render_sequence`.

    Returns
    -------
    ndarray, shape (28, image_width), float32
        1.0 = white background, 0.0 = black ink.
    """
    return render_sequence(
        parse_digits(digits),
        spacing_range,
        image_width,
        seed=seed,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
    ).image


def render_text(
    text: str,
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    dataset: str = "emnist-byclass",
    word_spacing: tuple[int, int] = DEFAULT_WORD_SPACING,
    seed: int | np.random.Generator | None = None,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment=None,
) -> Sample:
    """Render text (letters, digits, spaces) with a glyph dataset; return the full :class:`Sample`.

    Parameters
    ----------
    text : str
        Characters the dataset draws, plus the synthesised hyphen and spaces;
        1 to 1,024 characters, not starting or ending with a space.  In a
        case-merged dataset (``emnist-bymerge``, ``emnist-balanced``,
        ``emnist-letters``) a lowercase letter without a class of its own is
        drawn from its uppercase class; the label keeps the letter as typed.
    spacing_range : (int, int)
        Gap between the ink of consecutive characters of a word, pixels.
    image_width : int
        Output width in pixels, 1 to 16,384.
    dataset : str
        Glyph dataset (EMNIST datasets must be downloaded once first).
    word_spacing : (int, int)
        Gap, in pixels between ink, that one space stands for (each space of
        a run adds one draw); default ``(10, 16)``, about half a glyph.
    seed, split, align, strict, augment
        As in :func:`render_sequence`.

    Returns
    -------
    Sample
        ``text`` as given; one box per character, spaces included (a space's
        box spans the gap between its neighbours' ink, ``glyph_indices`` -1);
        ``spacing`` holds the gaps between consecutive drawn characters.
    """
    spacing_range = check_spacing_range(spacing_range)
    word_spacing = check_spacing_range(word_spacing, "word spacing")
    image_width = check_image_width(image_width)
    align = check_align(align)
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__} {text!r}")
    if not text.strip():
        raise ValueError(f"text must contain at least one character that is not a space, got {text!r}")
    if len(text) > MAX_SEQUENCE_LENGTH:
        raise ValueError(f"text length {len(text)} is above the limit of {MAX_SEQUENCE_LENGTH}")
    if text != text.strip(" "):
        raise ValueError(f"text must not start or end with a space, got {text!r}")
    glyph_set = get_glyph_set(dataset, split)
    return _render_text(
        text,
        glyph_set,
        spacing_range,
        image_width,
        as_generator(seed),
        align,
        strict,
        resolve_augmentation(augment),
        word_spacing,
    )


def _render_text(
    text: str,
    glyph_set: GlyphSet,
    spacing_range,
    image_width: int,
    rng: np.random.Generator,
    align: str,
    strict: bool,
    augment,
    word_spacing,
) -> Sample:
    """:func:`render_text` after validation: spaces become word gaps, each with its own box."""
    drawn = text.replace(" ", "")
    classes = _classes_of(drawn, glyph_set)
    breaks = np.array([len(run) for run in _space_runs(text)], dtype=np.int64)
    sample = _render(
        drawn,
        classes,
        glyph_set,
        spacing_range,
        image_width,
        rng,
        align,
        strict,
        augment,
        words=(breaks, word_spacing) if breaks.any() else None,
    )
    if not breaks.any():
        return sample
    boxes, indices = [], []
    for k, run in enumerate(breaks.tolist() + [0]):
        boxes.append(sample.boxes[k])
        indices.append(sample.glyph_indices[k])
        if run:
            left, right = sample.boxes[k], sample.boxes[k + 1]
            x0, x1 = int(left[2]), max(int(left[2]), int(right[0]))
            y0, y1 = int(min(left[1], right[1])), int(max(left[3], right[3]))
            edges = np.linspace(x0, x1, run + 1).round().astype(np.int32)
            for j in range(run):
                boxes.append(np.array([edges[j], y0, edges[j + 1], y1], dtype=np.int32))
                indices.append(-1)
    return Sample(
        image=sample.image,
        text=text,
        boxes=np.stack(boxes).astype(np.int32),
        glyph_indices=np.array(indices, dtype=np.int64),
        spacing=sample.spacing,
        scale=sample.scale,
    )


def _space_runs(text: str) -> list[str]:
    """For each pair of consecutive non-space characters, the spaces between them."""
    runs, current = [], ""
    for ch in text.strip(" ")[1:]:
        if ch == " ":
            current += " "
        else:
            runs.append(current)
            current = ""
    return runs


def generate_text_sequence(
    text: str,
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    dataset: str = "emnist-byclass",
    word_spacing: tuple[int, int] = DEFAULT_WORD_SPACING,
    seed: int | np.random.Generator | None = None,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment=None,
) -> np.ndarray:
    """Image of handwritten text; arguments as in :func:`render_text`.

    Returns
    -------
    ndarray, shape (28, image_width), float32
        1.0 = white background, 0.0 = black ink.
    """
    return render_text(
        text,
        spacing_range,
        image_width,
        dataset=dataset,
        word_spacing=word_spacing,
        seed=seed,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
    ).image
