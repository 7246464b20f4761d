"""Drawing strings: the one data path (plan -> glyphs -> augment -> compose) and the public verb :func:`draw`.

:func:`render_block` runs the path for a block of texts, each with its own
generator; :func:`draw` is the same code for one text.  The older entry
points (:func:`render_sequence`, :func:`generate_numbers_sequence`,
:func:`render_text`, :func:`generate_text_sequence`) are thin wrappers over
:func:`draw` that keep their documented signatures and defaults.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from number_generator.core.compositor import HEIGHT, Composed, compose, ink_to_image, to_uint8
from number_generator.core.framing import frame_glyphs
from number_generator.core.options import DEFAULT_WORD_SPACING, Options
from number_generator.core.planner import Plan, plan_block
from number_generator.core.randomness import as_generator, seed_argument
from number_generator.core.sample import Sample
from number_generator.core.validation import check_text, parse_digits
from number_generator.glyphsets.glyphs import GlyphSet, get_glyph_set, ink_extents
from number_generator.glyphsets.strokes import SYNTHESISED, synthetic_glyphs

__all__ = [
    "DEFAULT_WORD_SPACING",
    "HEIGHT",
    "GlyphTable",
    "Sample",
    "draw",
    "generate_numbers_sequence",
    "generate_text_sequence",
    "glyph_table",
    "ink_to_image",
    "render_block",
    "render_sequence",
    "render_text",
]


@dataclass(frozen=True, eq=False)
class GlyphTable:
    """A glyph split plus the synthesised banks in one column-major array, for composing whole blocks fast.

    ``columns[g, x]`` is column ``x`` of glyph ``g`` (uint8, 255 = ink): the
    split's glyphs first, then each synthesised character's bank from
    ``bank_start[char]``.  ``extents`` are their ink extents (int64).
    """

    columns: np.ndarray
    extents: np.ndarray
    bank_start: dict[str, int]

    def ids(self, plan: Plan) -> np.ndarray:
        """Row of :attr:`columns` holding each glyph of ``plan``."""
        ids = plan.glyph_ids.copy()
        synthesised = np.flatnonzero(ids < 0)
        if synthesised.size:
            offsets = np.array([self.bank_start[plan.chars[i]] for i in synthesised.tolist()], dtype=np.int64)
            ids[synthesised] = offsets + plan.bank_ids[synthesised]
        return ids


@lru_cache(maxsize=8)
def glyph_table(glyph_set: GlyphSet, synthesised: str = "".join(SYNTHESISED)) -> GlyphTable:
    """The :class:`GlyphTable` of a split plus the banks of ``synthesised`` characters (MNIST train: ~47 MB).

    Built once per process and cached per (glyph set, banks), so datasets made one after another (a
    server's batch requests) share one copy.
    """
    images, extents, bank_start = [np.asarray(glyph_set.images[:])], [glyph_set.extents], {}
    offset = len(glyph_set.images)
    for ch in synthesised:
        bank, bank_extents = synthetic_glyphs(ch)
        images.append(bank)
        extents.append(bank_extents.astype(glyph_set.extents.dtype))
        bank_start[ch] = offset
        offset += len(bank)
    columns = np.ascontiguousarray(np.concatenate(images).transpose(0, 2, 1))
    return GlyphTable(columns, np.concatenate(extents).astype(np.int64), bank_start)


def gather_glyphs(plan: Plan, glyph_set: GlyphSet) -> tuple[np.ndarray, np.ndarray]:
    """The planned glyphs' pixels ``(m, 28, 28) uint8`` (255 = ink) and ink extents ``(m, 4) int16``."""
    ids = plan.glyph_ids
    synthesised = (ids < 0).nonzero()[0].tolist()
    if synthesised:  # gather real glyphs in one step (glyph 0 stands in), then put the banks' entries in
        ids = np.maximum(ids, 0)
    glyphs, extents = np.asarray(glyph_set.images[ids]), glyph_set.extents[ids]
    for k in synthesised:
        bank, bank_extents = synthetic_glyphs(plan.chars[k])
        entry = int(plan.bank_ids[k])
        glyphs[k], extents[k] = bank[entry], bank_extents[entry]
    return glyphs, extents


def render_block(
    plan: Plan,
    glyph_set: GlyphSet,
    rngs: Sequence[np.random.Generator],
    augment: Any = None,
    *,
    table: GlyphTable | None = None,
    as_uint8: bool = False,
) -> Composed:
    """Glyphs -> augment -> compose for every sample of ``plan``; ``rngs[k]`` is sample ``k``'s generator.

    ``augment`` is a resolved ``Pipeline`` or ``None``: its glyph transforms
    run on each sample's glyphs before their ink extents are measured, its
    marks (:mod:`number_generator.augment.marks`) and image transforms on each
    composed image (boxes follow), drawing from the sample's generator after
    the planner's draws.  ``table`` (see
    :func:`glyph_table`) lets an unaugmented block gather glyph columns
    without copying glyphs first; the pixels are the same either way.
    """
    glyph_aug = augment is not None and bool(augment.glyph)
    marks_aug = augment is not None and bool(augment.marks)
    image_aug = augment is not None and bool(augment.image)
    framed = plan.glyph_scales is not None and plan.baselines is not None
    if table is not None and not glyph_aug and not framed:
        store_ids = table.ids(plan)
        columns, extents = table.columns, table.extents[store_ids]
    elif (
        len(plan) == 1
        and not glyph_aug
        and not framed
        and isinstance(glyph_set.images, np.ndarray)
        and min(plan.glyph_ids.tolist()) >= 0
    ):  # one image of real glyphs from an in-memory split: paste from the split itself, no gathered copy
        store_ids = plan.glyph_ids
        columns, extents = glyph_set.images.transpose(0, 2, 1), glyph_set.extents[store_ids]
    else:
        glyphs, extents = gather_glyphs(plan, glyph_set)
        if plan.glyph_scales is not None and plan.baselines is not None:  # framed (narrowed for mypy), then style
            glyphs = frame_glyphs(glyphs, plan.glyph_scales, plan.baselines)
            if not glyph_aug:  # else measured once, after the glyph transforms
                extents = ink_extents(glyphs)
        if glyph_aug:  # one batch for the block; each sample draws from its own generator (= apply_glyphs)
            glyphs = augment.apply_glyph_block(np.ascontiguousarray(glyphs), rngs, plan.lengths.tolist(), plan.chars)
            extents = ink_extents(glyphs)
        columns, store_ids = glyphs.transpose(0, 2, 1), np.arange(len(glyphs))
    composed = compose(plan, columns, store_ids, extents, as_uint8=as_uint8 and not (marks_aug or image_aug))
    if marks_aug:  # marks that are not the label (augment/marks.py), on each composed line
        for k, rng in enumerate(rngs):
            a, length = int(plan.starts[k]), int(plan.lengths[k])
            composed.images[k], composed.boxes[k] = augment.apply_marks(
                composed.images[k], composed.boxes[k], plan.chars[a : a + length], rng
            )
    if image_aug:  # parameters drawn sample by sample after its marks' draws (= apply_image), pixels in a batch
        composed.images[:], composed.boxes[:] = augment.apply_image_block(composed.images, composed.boxes, rngs)
    if as_uint8 and (marks_aug or image_aug):
        composed.images[:] = [to_uint8(image) for image in composed.images]
    return composed


def label_boxes(plan: Plan, k: int, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``k``'s boxes and glyph indices with one entry per character of its text, spaces included.

    A space's box spans the gap between its neighbours' ink (a run of spaces
    splits it evenly), from the higher top to the lower bottom of the two;
    its glyph index is -1.
    """
    a, length = int(plan.starts[k]), int(plan.lengths[k])
    indices = plan.glyph_ids[a : a + length]
    if not plan.has_spaces:
        return boxes, indices
    spaces = plan.spaces[a : a + length]
    if not spaces.any():
        return boxes, indices
    out_boxes, out_indices = [], []
    for j, run in enumerate(spaces.tolist()):
        out_boxes.append(boxes[j])
        out_indices.append(int(indices[j]))
        if run:
            left, right = boxes[j], boxes[j + 1]
            x0, x1 = int(left[2]), max(int(left[2]), int(right[0]))
            y0, y1 = int(min(left[1], right[1])), int(max(left[3], right[3]))
            edges = np.linspace(x0, x1, run + 1).round().astype(np.int32)
            for i in range(run):
                out_boxes.append(np.array([edges[i], y0, edges[i + 1], y1], dtype=np.int32))
                out_indices.append(-1)
    return np.stack(out_boxes).astype(np.int32), np.array(out_indices, dtype=np.int64)


def samples_of(plan: Plan, composed: Composed) -> list[Sample]:
    """The :class:`Sample` records of a composed block."""
    samples = []
    for k, text in enumerate(plan.texts):
        a, length = int(plan.starts[k]), int(plan.lengths[k])
        if plan.has_spaces:
            boxes, indices = label_boxes(plan, k, composed.boxes[k])
        else:
            boxes, indices = composed.boxes[k], plan.glyph_ids[a : a + length]
        spacing = plan.spacing(k) if composed.gaps is None else composed.gaps[a : a + length - 1]
        samples.append(
            Sample(composed.images[k], text, boxes, indices, spacing, composed.scales[k], *writers_of(plan, k))
        )
    return samples


def writers_of(plan: Plan, k: int) -> tuple[np.ndarray | None, int]:
    """Sample ``k``'s writer id per character (-1: synthesised, space or unknown) and its string's writer (-1: any)."""
    if plan.writer_ids is None:
        return None, -1
    a, length = int(plan.starts[k]), int(plan.lengths[k])
    ids = plan.writer_ids[a : a + length]
    if plan.has_spaces and plan.spaces[a : a + length].any():
        ids = np.insert(ids, np.repeat(np.arange(1, length + 1), plan.spaces[a : a + length]), -1)
    return ids, -1 if plan.writers is None else int(plan.writers[k])


def draw_with(text: str, options: Options, rng: np.random.Generator) -> Sample:
    """:func:`draw` after validation: ``text`` checked, ``options`` built, ``rng`` the generator."""
    glyph_set = get_glyph_set(options.dataset, options.split)
    plan = plan_block([text], [rng], options, glyph_set)
    return samples_of(plan, render_block(plan, glyph_set, [rng], options.augment))[0]


def _report(verbose: bool, sample: Sample, seed: object) -> None:
    if verbose:
        shown = f"seed {seed}" if seed is None or isinstance(seed, (int, np.integer)) else "a given Generator"
        height, width = sample.image.shape
        print(f"number_generator: drew {sample.text!r} ({width}x{height} px, {shown})", file=sys.stderr)


def draw(
    text: str | Iterable[int],
    *,
    seed: int | np.random.Generator | None = None,
    random_seed: int | np.random.Generator | None = None,
    verbose: bool = False,
    **options: Any,
) -> Sample:
    """Draw any string with handwritten glyphs and return the full :class:`Sample`.

    The one verb of the library: digits, phone numbers, text with spaces,
    with any registered dataset (default ``mnist``).

    Parameters
    ----------
    text : str or iterable of int
        Characters to draw: any the dataset has plus the synthesised hyphen
        ``-``, and spaces between words (each stands for a ``word_spacing``
        gap); 1 to 1,024 characters, not starting or ending with a space.  An
        iterable of ints 0-9 means those digits (a set or dict is refused).
    seed, random_seed : int, numpy.random.Generator or None
        Same seed, same output (``random_seed`` is an alias).
    verbose : bool
        Print one line per image to stderr: the text, the size, the seed.
    **options
        The fields of :class:`~number_generator.core.options.Options`:
        ``spacing=(0, 4)`` (px between ink), ``width=300`` (px, or a
        ``(min, max)`` range), ``word_spacing=(10, 16)``, ``align="center"``,
        ``strict=False``, ``dataset="mnist"``, ``split="train"``,
        ``augment=None`` (a preset ``light``/``medium``/``heavy``, a
        ``.json``/``.yaml`` file, a dict or a Pipeline); old spellings
        ``spacing_range``, ``image_width`` too.

    Returns
    -------
    Sample
        ``image`` float32 ``(28, width)``, 1.0 = paper; one box per character.

    Examples
    --------
    >>> from number_generator import draw
    >>> sample = draw("090-1234 5678", spacing=(0, 3), width=320, seed=1)
    >>> sample.image.shape, sample.text, len(sample.boxes)
    ((28, 320), '090-1234 5678', 13)
    """
    chosen = seed_argument(seed, random_seed)
    opts = Options.create(**options)
    text = check_text(text) if isinstance(text, str) else parse_digits(text)
    sample = draw_with(text, opts, as_generator(chosen))
    _report(verbose, sample, chosen)
    return sample


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
    augment: Any = None,
    random_seed: int | np.random.Generator | None = None,
    verbose: bool = False,
) -> Sample:
    """:func:`draw` with the positional spacing range and width of the original API.

    Parameters
    ----------
    text : str or iterable of int
        As in :func:`draw` (MNIST: ``0``-``9``, the hyphen, spaces).
    spacing_range : (int, int)
        Inclusive range ``(min, max)`` of the gap between consecutive
        characters' ink, in pixels; ``0 <= min <= max <= 1000``.
    image_width : int
        Output width in pixels, 1 to 16,384.
    seed, random_seed, verbose, dataset, split, align, strict, augment
        As in :func:`draw`.

    Returns
    -------
    Sample
    """
    return draw(
        text,
        seed=seed,
        random_seed=random_seed,
        verbose=verbose,
        spacing_range=spacing_range,
        image_width=image_width,
        dataset=dataset,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
    )


def generate_numbers_sequence(
    digits: str | Iterable[int],
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    seed: int | np.random.Generator | None = None,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment: Any = None,
    random_seed: int | np.random.Generator | None = None,
    verbose: bool = False,
) -> np.ndarray:
    """Image of a digit sequence drawn with real MNIST digits (the homework's signature).

    Parameters
    ----------
    digits : str or iterable of int
        ``"350"`` or ``[3, 5, 0]``; each 0-9, 1 to 1,024 of them (no set or dict).
    spacing_range, image_width, seed, random_seed, verbose, split, align, strict, augment
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
        random_seed=random_seed,
        verbose=verbose,
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
    augment: Any = None,
    random_seed: int | np.random.Generator | None = None,
    verbose: bool = False,
) -> Sample:
    """:func:`draw` for text, with EMNIST ``byclass`` (letters and digits) as the default dataset.

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
    seed, random_seed, verbose, split, align, strict, augment
        As in :func:`draw`.

    Returns
    -------
    Sample
        ``text`` as given; one box per character, spaces included (a space's
        box spans the gap between its neighbours' ink, ``glyph_indices`` -1);
        ``spacing`` holds the gaps between consecutive drawn characters.
    """
    if not isinstance(text, str):
        check_text(text)
    return draw(
        text,
        seed=seed,
        random_seed=random_seed,
        verbose=verbose,
        spacing_range=spacing_range,
        image_width=image_width,
        word_spacing=word_spacing,
        dataset=dataset,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
    )


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
    augment: Any = None,
    random_seed: int | np.random.Generator | None = None,
    verbose: bool = False,
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
        random_seed=random_seed,
        verbose=verbose,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
    ).image
