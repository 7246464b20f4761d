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
given), one glyph per real character (a single ``integers`` call), one bank
entry per synthesised character left to right, the ``d - 1`` letter gaps,
then one draw per space of each word gap.  Augmentation draws after all of
these, from the same generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

import numpy as np

from number_generator.core.options import Options
from number_generator.glyphsets.glyphs import GlyphSet
from number_generator.glyphsets.strokes import SYNTHESISED, synthetic_glyphs

#: Class code of a character drawn by a synthesiser (see :mod:`number_generator.glyphsets.strokes`).
SYNTHESISED_CLASS = -1
_UNKNOWN = -2
_TABLE_SIZE = 0x10000
_SHORT_TEXT = 48


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
        Writer of each glyph where known (-1 unknown); None: not recorded.
    dy : ndarray (m,) int64 or None
        Vertical offset of each glyph, pixels (positive = down); None: all 0.
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
        classes = np.array(
            [lookup.get(ch, SYNTHESISED_CLASS if ch in SYNTHESISED else _UNKNOWN) for ch in chars], dtype=np.int64
        )
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
    highs = glyph_set.counts[real_classes]
    if any_space:  # the glyphs followed by a word gap, per sample
        word_breaks = np.flatnonzero(spaces)
        breaks_of = np.split(word_breaks, np.searchsorted(word_breaks, starts[1:]))
    lo_w, hi_w = options.width
    lo_s, hi_s1 = options.spacing[0], options.spacing[1] + 1
    lo_ws, hi_ws1 = options.word_spacing[0], options.word_spacing[1] + 1
    widths = [lo_w] * n
    picks, bank_draws, gap_parts = [], [], []
    for k, rng in enumerate(rngs):
        if lo_w != hi_w:
            widths[k] = int(rng.integers(lo_w, hi_w + 1))
        picks.append(rng.integers(0, highs[real_bounds[k] : real_bounds[k + 1]]))
        if any_synthesised:
            for size in synth_sizes[synth_bounds[k] : synth_bounds[k + 1]]:
                bank_draws.append(int(rng.integers(size)))
        gaps_k = rng.integers(lo_s, hi_s1, size=length_list[k] - 1)
        if any_space:
            a = int(starts[k])
            for j in breaks_of[k].tolist():
                gaps_k[j - a] = rng.integers(lo_ws, hi_ws1, size=int(spaces[j])).sum()
        gap_parts.append(gaps_k)
    ids = glyph_set.order[glyph_set.starts[real_classes] + (picks[0] if n == 1 else np.concatenate(picks))]
    if any_synthesised:
        glyph_ids = np.full(m, -1, dtype=np.int64)
        glyph_ids[real] = ids
        bank_ids = np.full(m, -1, dtype=np.int64)
        bank_ids[synthesised] = bank_draws
    else:
        glyph_ids, bank_ids = ids, np.full(m, -1, dtype=np.int64)
    gaps = np.zeros(m, dtype=np.int64)
    if n == 1:
        gaps[:-1] = gap_parts[0]
    elif m > n:
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
    )
