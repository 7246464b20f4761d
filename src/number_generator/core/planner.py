"""Plan, then rasterise: every random choice of the core, made here, for one sample or a block.

A :class:`Plan` records, for ``n`` samples holding ``m`` drawn glyphs in all
(spaces are not glyphs; they widen the gap they stand in), everything the
compositor needs besides pixels: the output width of each sample, which
source glyph or synthesised-bank entry draws each character, the gap after
each glyph, how many spaces that gap stands for, the alignment.  Its arrays
are columnar over the block (a single sample is a block of one), so the
export block path and the per-sample path are the same code.

Draw order, per sample and from that sample's own generator (fixed: the bytes
of every fixed-seed output depend on it): the width (only when a range is
given), the writer (only with ``writer="same"``: one ``integers`` call), one
glyph per real character (a single ``integers`` call), one bank entry per
synthesised character left to right, the ``d - 1`` letter gaps, then one draw
per space of each word gap; then, only when asked for, the framing: the
string's ink height and the ``d`` glyphs' height deviations (one ``random``
call of ``d + 1`` values, with ``fill``), and the left margin (one ``random``
call, with ``align="random"``).  Augmentation draws after all of these, from
the same generator.  Options left at their defaults draw nothing more, so
every fixed-seed output made before them keeps its bytes.

Writers (``writer="same"``): the string's writer is drawn uniformly among the
writers of the split (:mod:`number_generator.glyphsets.writers`); each glyph
is drawn uniformly among that writer's glyphs of its class, or, for a class
the writer never wrote, among those of its nearest writer in style space
(:attr:`Plan.writer_ids` records who supplied each glyph, so the fallback is
visible).  A synthesised character (hyphen, punctuation) is drawn from the
:data:`PEN_WINDOW` bank entries whose stroke width is closest to the
writer's measured stroke width, so it shares the string's pen.

Framing (``fill``): the string's ink height ``H = f * 28`` px, ``f`` uniform in
``fill``; glyph ``i`` is scaled by ``s_i = H * (1 + e_i) / 20`` (MNIST
normalised every digit's ink to a 20-px box; ``e_i`` uniform in
``+-height_jitter``), standing on a common baseline ``(28 + H) / 2`` px from
the top.  :mod:`number_generator.core.framing` applies it to the pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any

import numpy as np

from number_generator.core.options import Options
from number_generator.glyphsets.glyphs import GlyphSet
from number_generator.glyphsets.strokes import SYNTHESISED, synthetic_glyphs

#: Class code of a character drawn by a synthesiser (see :mod:`number_generator.glyphsets.strokes`).
SYNTHESISED_CLASS = -1
_UNKNOWN = -2
HEIGHT_PX = 28.0
_TABLE_SIZE = 0x10000
_SHORT_TEXT = 48
#: Bank entries a synthesised character of a ``writer="same"`` string is drawn from: those of the
#: closest stroke widths to the writer's (1/16 of a 4,096-entry bank: varied, yet one pen).
PEN_WINDOW = 256
#: Ink height, pixels, MNIST normalised each digit to (the 20 x 20 box inside its 28 x 28 frame).
NOMINAL_INK_HEIGHT = 20.0


@dataclass(frozen=True, eq=False)
class Plan:
    """The layout record of a block of samples: all their random choices, before any pixel.

    Attributes
    ----------
    texts : list of str
        Each sample's text as labelled (spaces included).
    widths : ndarray (n,) int64
        Output width of each sample, pixels.
    lengths : ndarray (n,) int64
        Drawn glyphs (characters other than spaces) of each sample; sample
        ``k`` owns glyphs ``starts[k] : starts[k] + lengths[k]``.
    starts : ndarray (n,) int64
        First glyph of each sample.
    chars : str
        The drawn characters of all samples, concatenated.
    classes : ndarray (m,) int64
        Class of each glyph in its dataset, -1 for synthesised characters.
    glyph_ids : ndarray (m,) int64
        Index of each glyph in its dataset split, -1 for synthesised ones.
    bank_ids : ndarray (m,) int64
        Entry of the synthesised character's bank, -1 for real glyphs.
    gaps : ndarray (m,) int64
        Gap after each glyph, pixels between ink (may be negative: the ink
        overlaps); 0 after a sample's last glyph.
    spaces : ndarray (m,) int64
        Spaces the gap after each glyph stands for (0 between letters).
    align : str
        ``center``, ``left`` or ``right``.
    strict : bool
        Refuse (``ValueError``) instead of scaling down a strip that is too wide.
    has_spaces : bool
        Whether some sample holds a space (a word gap).
    writer_ids : ndarray (m,) int64 or None
        Writer who wrote each glyph where known (-1: unknown or synthesised);
        with ``writer="same"`` a glyph the string's writer never wrote shows
        the nearest writer that supplied it.  None: not recorded.
    dy : ndarray (m,) int64 or None
        Vertical offset of each glyph, pixels (positive = down); None: all 0.
    writers : ndarray (n,) int64 or None
        The writer drawn for each sample (``writer="same"``); None otherwise.
    glyph_scales : ndarray (m,) float64 or None
        Framing: the factor each glyph is scaled by about its frame's bottom
        centre (see the module docstring); None: not framed.
    baselines : ndarray (m,) float64 or None
        Framing: the row (px from the top) each glyph's frame bottom (MNIST's
        row 24) is moved to; None: not framed.
    margins : ndarray (n,) float64 or None
        ``align="random"``: each sample's left margin as a fraction in [0, 1)
        of its spare width (see :func:`~number_generator.core.layout.arrange`).
    """

    texts: list[str]
    widths: np.ndarray
    lengths: np.ndarray
    starts: np.ndarray
    chars: str
    classes: np.ndarray
    glyph_ids: np.ndarray
    bank_ids: np.ndarray
    gaps: np.ndarray
    spaces: np.ndarray
    align: str
    strict: bool
    has_spaces: bool = False
    writer_ids: np.ndarray | None = None
    dy: np.ndarray | None = None
    writers: np.ndarray | None = None
    glyph_scales: np.ndarray | None = None
    baselines: np.ndarray | None = None
    margins: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def spacing(self, k: int) -> np.ndarray:
        """The ``lengths[k] - 1`` gaps between sample ``k``'s consecutive glyphs."""
        a = int(self.starts[k])
        return self.gaps[a : a + int(self.lengths[k]) - 1]


@lru_cache(maxsize=16)
def class_table(glyph_set: GlyphSet) -> np.ndarray:
    """Code point -> class of ``glyph_set`` (-1 synthesised, -2 not drawable), for the Basic Multilingual Plane."""
    table = np.full(_TABLE_SIZE, _UNKNOWN, dtype=np.int64)
    for ch, c in glyph_set.class_of_char.items():
        if ord(ch) < _TABLE_SIZE:
            table[ord(ch)] = c
    for ch in SYNTHESISED:
        table[ord(ch)] = SYNTHESISED_CLASS
    return table


@cache
def bank_size(char: str) -> int:
    """Number of entries in the bank of a synthesised character."""
    return len(synthetic_glyphs(char)[0])


def classes_of(chars: str, glyph_set: GlyphSet, codes: np.ndarray | None = None) -> np.ndarray:
    """Class of each character (-1 synthesised); ``ValueError`` lists the characters the set cannot draw.

    ``codes`` are the code points of ``chars`` when the caller has them.
    """
    if len(chars) <= _SHORT_TEXT or (codes is not None and codes.size and int(codes.max()) >= _TABLE_SIZE):
        lookup = glyph_set.class_of_char  # a few dict lookups beat the table's array calls on short texts
        found = [lookup.get(ch, _UNKNOWN) for ch in chars]
        if _UNKNOWN in found:
            found = [SYNTHESISED_CLASS if c == _UNKNOWN and ch in SYNTHESISED else c for ch, c in zip(chars, found)]
        if _UNKNOWN not in found:
            return np.array(found, dtype=np.int64)
        classes = np.array(found, dtype=np.int64)
    else:
        if codes is None:
            codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
        classes = class_table(glyph_set)[np.minimum(codes, _TABLE_SIZE - 1)]
        if int(codes.max()) >= _TABLE_SIZE:  # outside the table: look those up
            lookup = glyph_set.class_of_char
            for i in np.flatnonzero(codes >= _TABLE_SIZE).tolist():
                ch = chars[i]
                classes[i] = lookup.get(ch, SYNTHESISED_CLASS if ch in SYNTHESISED else _UNKNOWN)
    if np.count_nonzero(classes == _UNKNOWN):
        bad = sorted({ch for ch, c in zip(chars, classes.tolist()) if c == _UNKNOWN})
        raise ValueError(
            f"dataset {glyph_set.dataset!r} cannot draw {''.join(bad)!r}; "
            f"it draws {glyph_set.characters!r} plus {''.join(SYNTHESISED)!r}"
        )
    return classes


def plan_block(
    texts: Sequence[str], rngs: Sequence[np.random.Generator], options: Options, glyph_set: GlyphSet
) -> Plan:
    """Draw the layout of ``texts[k]`` from ``rngs[k]`` for every ``k`` (see the module's draw order).

    ``texts`` must be valid (:func:`~number_generator.core.validation.check_text`):
    non-empty, no space at either end.  ``options`` give the spacing, word
    spacing, width range, alignment and strictness; ``glyph_set`` the split
    the glyphs come from.
    """
    n = len(texts)
    joined = "".join(texts)
    codes = None
    any_space = " " in joined
    if n == 1:
        text_lengths = np.array([len(joined)], dtype=np.int64)
    else:
        text_lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    if any_space:
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        is_space = codes == 32
        chars = joined.replace(" ", "")
        spaces_before = np.cumsum(is_space)[~is_space]
        spaces = np.zeros(len(chars), dtype=np.int64)
        spaces[:-1] = np.diff(spaces_before)
        lengths = text_lengths - np.add.reduceat(is_space, np.cumsum(text_lengths) - text_lengths)
        codes = codes[~is_space]
    else:
        chars = joined
        spaces = np.zeros(len(chars), dtype=np.int64)
        lengths = text_lengths
    classes = classes_of(chars, glyph_set, codes)
    m = len(classes)
    starts = np.cumsum(lengths) - lengths if n > 1 else np.zeros(1, dtype=np.int64)
    length_list = lengths.tolist()
    last = starts + lengths - 1 if n > 1 else [length_list[0] - 1]
    if any_space:
        spaces[last] = 0
    synthesised = classes < 0
    any_synthesised = np.count_nonzero(synthesised) > 0
    if any_synthesised:
        real = ~synthesised
        real_classes = classes[real]
        real_counts = np.add.reduceat(real, starts).tolist()
        synth_chars = [chars[i] for i in np.flatnonzero(synthesised).tolist()]
        synth_sizes = [bank_size(ch) for ch in synth_chars]
        synth_bounds = list(accumulate((n_k - r_k for n_k, r_k in zip(length_list, real_counts)), initial=0))
    else:
        real_classes = classes
        real_counts = length_list
    real_bounds = list(accumulate(real_counts, initial=0))
    if any_space:  # the glyphs followed by a word gap, per sample
        word_breaks = np.flatnonzero(spaces)
        breaks_of = np.split(word_breaks, np.searchsorted(word_breaks, starts[1:]))
    lo_w, hi_w = options.width
    lo_s, hi_s1 = options.spacing[0], options.spacing[1] + 1
    lo_ws, hi_ws1 = options.word_spacing[0], options.word_spacing[1] + 1
    widths = [lo_w] * n
    picks, bank_draws, gap_parts, framing, margins = [], [], [], [], []
    same = options.writer == "same"
    if same:
        hand = hands(options.dataset, options.split)
        string_writers, suppliers = [], []
    else:
        highs = glyph_set.counts[real_classes]
    # One sample of real glyphs: its glyph picks and letter gaps in one ``integers`` call of per-draw bounds,
    # the same draws in the same order as the two calls below (one call less on the one-image path).
    joint = n == 1 and not same and not any_synthesised
    if joint:
        joint_low, joint_high = np.empty(2 * m - 1, dtype=np.int64), np.empty(2 * m - 1, dtype=np.int64)
        joint_low[:m], joint_low[m:], joint_high[:m], joint_high[m:] = 0, lo_s, highs, hi_s1
    for k, rng in enumerate(rngs):
        if lo_w != hi_w:
            widths[k] = int(rng.integers(lo_w, hi_w + 1))
        if joint:
            draws = rng.integers(joint_low, joint_high)
            picks.append(draws[:m])
            gaps_k = draws[m:]
        elif same:
            row = int(rng.integers(hand.count))
            string_writers.append(row)
            classes_k = real_classes[real_bounds[k] : real_bounds[k + 1]]
            supplied = hand.table.supplier[row, classes_k]
            suppliers.append(supplied)
            picks.append(
                hand.table.starts[supplied, classes_k] + rng.integers(0, hand.table.counts[supplied, classes_k])
            )
        else:
            picks.append(rng.integers(0, highs[real_bounds[k] : real_bounds[k + 1]]))
        if any_synthesised:
            for j, size in enumerate(synth_sizes[synth_bounds[k] : synth_bounds[k + 1]]):
                if same:
                    bank_draws.append(hand.pen_entry(synth_chars[synth_bounds[k] + j], row, rng))
                else:
                    bank_draws.append(int(rng.integers(size)))
        if not joint:
            gaps_k = rng.integers(lo_s, hi_s1, size=length_list[k] - 1)
        if any_space:
            a = int(starts[k])
            for j in breaks_of[k].tolist():
                gaps_k[j - a] = rng.integers(lo_ws, hi_ws1, size=int(spaces[j])).sum()
        gap_parts.append(gaps_k)
        if options.fill is not None:
            framing.append(rng.random(length_list[k] + 1))
        if options.align == "random":
            margins.append(rng.random())
    if same:
        ids = hand.table.order[picks[0] if n == 1 else np.concatenate(picks)]
        real_writers = hand.table.ids[suppliers[0] if n == 1 else np.concatenate(suppliers)].astype(np.int64)
    else:
        ids = glyph_set.order[glyph_set.starts[real_classes] + (picks[0] if n == 1 else np.concatenate(picks))]
        real_writers = glyph_set.writers[ids].astype(np.int64)
    if any_synthesised:
        glyph_ids = np.full(m, -1, dtype=np.int64)
        glyph_ids[real] = ids
        bank_ids = np.full(m, -1, dtype=np.int64)
        bank_ids[synthesised] = bank_draws
        writer_ids = np.full(m, -1, dtype=np.int64)
        writer_ids[real] = real_writers
    else:
        glyph_ids, bank_ids, writer_ids = ids, np.empty(m, dtype=np.int64), real_writers
        bank_ids.fill(-1)  # (np.full costs a Python call more, which shows on one image)
    if n == 1:
        gaps = np.empty(m, dtype=np.int64)
        gaps[:-1] = gap_parts[0]
        gaps[-1] = 0
    else:
        gaps = np.zeros(m, dtype=np.int64)
    if n > 1 and m > n:
        not_last = np.ones(m, dtype=bool)
        not_last[last] = False
        gaps[not_last] = np.concatenate(gap_parts)
    return Plan(
        texts=list(texts),
        widths=np.array(widths, dtype=np.int64),
        lengths=lengths,
        starts=starts,
        chars=chars,
        classes=classes,
        glyph_ids=glyph_ids,
        bank_ids=bank_ids,
        gaps=gaps,
        spaces=spaces,
        align=options.align,
        strict=options.strict,
        has_spaces=any_space,
        writer_ids=writer_ids,
        writers=hand.table.ids[string_writers].astype(np.int64) if same else None,
        **(frame(framing, lengths, options) if framing else {}),
        margins=np.array(margins, dtype=np.float64) if margins else None,
    )


def frame(draws: list[np.ndarray], lengths: np.ndarray, options: Options) -> dict[str, np.ndarray]:
    """Per-glyph scale and baseline of framed samples (see the module docstring), from their ``fill`` draws.

    ``draws[k]`` holds sample ``k``'s ``lengths[k] + 1`` uniform values: the
    string's ink height first, then one per glyph for its deviation.
    """
    assert options.fill is not None
    low, high = options.fill
    if len(draws) == 1:  # one sample: the same arithmetic on Python floats, fewer array operations
        u = draws[0]
        ink_height = HEIGHT_PX * (low + (high - low) * float(u[0]))
        line = (HEIGHT_PX + ink_height) / 2.0
        heights = ink_height * (1.0 + options.height_jitter * (2.0 * u[1:] - 1.0))
        np.minimum(heights, line, out=heights)
        return {"glyph_scales": heights / NOMINAL_INK_HEIGHT, "baselines": np.full(len(u) - 1, line)}
    u = np.concatenate(draws)
    firsts = np.cumsum(lengths + 1) - (lengths + 1)
    string_height = HEIGHT_PX * (low + (high - low) * u[firsts])  # (n,) px
    is_glyph = np.ones(len(u), dtype=bool)
    is_glyph[firsts] = False
    height = np.repeat(string_height, lengths)
    baseline = (HEIGHT_PX + height) / 2.0
    glyph_height = height * (1.0 + options.height_jitter * (2.0 * u[is_glyph] - 1.0))
    glyph_height = np.minimum(glyph_height, baseline)  # the ink stays inside the 28 rows
    return {"glyph_scales": glyph_height / NOMINAL_INK_HEIGHT, "baselines": baseline}


@dataclass(frozen=True, eq=False)
class Hands:
    """The writers of a split, for drawing one hand per string (``writer="same"``).

    ``table`` is the split's :class:`~number_generator.glyphsets.writers.WriterTable`;
    ``count`` its number of writers; :meth:`pen_entry` draws a synthesised
    character's bank entry in the writer's pen width.
    """

    table: Any
    count: int

    def pen_entry(self, char: str, row: int, rng: np.random.Generator) -> int:
        """A bank entry of ``char`` among the :data:`PEN_WINDOW` closest in stroke width to writer row ``row``'s.

        One ``integers`` draw, like the ``writer="any"`` bank draw it replaces.
        """
        order, widths = pen_widths(char)
        window = min(PEN_WINDOW, len(order))
        centre = int(np.searchsorted(widths, self.table.style[row, 0]))
        first = min(max(centre - window // 2, 0), len(order) - window)
        return int(order[first + int(rng.integers(window))])


@cache
def pen_widths(char: str) -> tuple[np.ndarray, np.ndarray]:
    """A synthesised character's bank entries sorted by stroke width (px), and those widths, ascending."""
    from number_generator.glyphsets.writers import glyph_style  # on first use: it loads OpenCV

    widths = glyph_style(synthetic_glyphs(char)[0])[:, 0]
    order = np.argsort(widths, kind="stable")
    return order, widths[order]


@cache
def hands(dataset: str, split: str) -> Hands:
    """The :class:`Hands` of a split, built once per process.

    The writer tables load OpenCV (style features); they are imported here, on
    the first ``writer="same"`` plan, so drawing with any writer stays light.
    """
    from number_generator.glyphsets.writers import get_writer_table  # on first use: it loads OpenCV

    table = get_writer_table(dataset, split)
    return Hands(table, len(table.ids))
