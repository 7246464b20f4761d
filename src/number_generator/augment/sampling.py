"""Drawing the random parameters of a batch of transforms: one generator call where the stream allows.

Glyph transforms (:class:`SamplingPlan`, :func:`sample_glyph_columns`,
:func:`sample_string_columns`) draw one ``rng.random((rows, n))`` array per
string and turn it into per-transform parameter columns; image transforms
(:func:`sample_image_params`, :func:`sample_image_params_block`) draw the
values of consecutive transforms in one ``rng.random`` call.  Either way the
values equal those of one ``sample`` call per transform (same stream, same
arithmetic); the transforms themselves (:mod:`.base`) say what to draw
(``_spec``, ``uniform_spec``, ``finish_draws``) and finish the parameters
(``_finish``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # annotations only: the transforms call into this module
    from number_generator.augment.base import ImageTransform


class SamplingPlan:
    """Row layout of one random draw for a list of glyph transforms."""

    def __init__(self, transforms):
        self.specs = [t._spec() for t in transforms]
        lo: list = []
        span: list = []
        neutral: list = []
        is_applied, owner, self.slices = [], [], []
        row = 0
        for i, t in enumerate(transforms):
            names, t_lo, t_span, t_neutral = t._spec()
            for column, head, values in ((lo, 0.0, t_lo), (span, 1.0, t_span), (neutral, 0.0, t_neutral)):
                column.append([[head]])  # the "applied" row of the transform, then its parameters
                column.append(values)
            is_applied.extend([True] + [False] * len(names))
            owner.extend([i] * (1 + len(names)))
            self.slices.append((row, row + 1 + len(names), names))
            row += 1 + len(names)
        self.rows = row
        self.lo = np.concatenate(lo) if lo else np.zeros((0, 1))
        self.span = np.concatenate(span) if span else np.zeros((0, 1))
        self.neutral = np.concatenate(neutral) if neutral else np.zeros((0, 1))
        self.is_applied = np.array(is_applied, bool)[:, None]
        self.owner = np.array(owner, np.intp)
        self.applied_rows = np.array([a for a, _, _ in self.slices], np.intp)
        self.p = np.array([[t.p] for t in transforms], np.float64).reshape(-1, 1)  # (T, 1), also for T = 0
        self.string_scoped = np.array([i for i, t in enumerate(transforms) if t.scope == "string"], np.intp)

    def fits(self, transforms) -> bool:
        """Still the plan of ``transforms``: the same transforms, none changed since (a change drops its spec)."""
        return len(transforms) == len(self.specs) and all(
            t.__dict__.get("_spec_cache") is spec for t, spec in zip(transforms, self.specs)
        )


class StringLayout:
    """Where each glyph of a stack stands in its string (a stack may hold the glyphs of many strings).

    Parameters
    ----------
    lengths : sequence of int
        Glyphs per string, in stack order (each >= 0); they sum to the stack's length.

    Attributes
    ----------
    first : numpy.ndarray
        intp ``(n,)``: stack index of the first glyph of each glyph's string.
    place : numpy.ndarray
        float64 ``(n,)``: the glyph's place in its string, ``i / max(len - 1, 1)``, in [0, 1].
    """

    def __init__(self, lengths):
        lengths = np.asarray(lengths, np.intp)
        starts = np.cumsum(lengths) - lengths
        self.first = np.repeat(starts, lengths)
        denominators = np.repeat(np.maximum(lengths - 1, 1), lengths)
        self.place = (np.arange(int(lengths.sum())) - self.first) / denominators
        self.first.flags.writeable = self.place.flags.writeable = False  # may be shared (see ``of``)

    @classmethod
    def of(cls, lengths) -> StringLayout:
        """The layout of ``lengths``; that of one string (a drawn image) is built once per length and shared."""
        return _one_string(int(lengths[0])) if len(lengths) == 1 else cls(lengths)


@lru_cache(maxsize=64)
def _one_string(n: int) -> StringLayout:
    return StringLayout([n])


def sample_glyph_columns(transforms, rng: np.random.Generator, n: int, plan: SamplingPlan | None = None) -> list:
    """Column parameters of ``n`` glyphs (one string) for each transform, from one ``rng.random`` call.

    Identical to calling each transform's :meth:`GlyphTransform.sample_columns`
    in turn (the rows of one C-ordered draw are consecutive in the stream).
    """
    return sample_string_columns(transforms, [rng], [n], plan)


def sample_string_columns(transforms, rngs, lengths, plan: SamplingPlan | None = None) -> list:
    """Column parameters of the glyphs of several strings, string ``k`` drawing from ``rngs[k]``.

    Each string makes the one ``rngs[k].random((rows, lengths[k]))`` call that
    :func:`sample_glyph_columns` makes for it, so the columns equal those of one
    call per string, concatenated; the arithmetic after the draws runs once for all.
    """
    if plan is None:
        plan = SamplingPlan(transforms)
    draws = [rng.random((plan.rows, n)) for rng, n in zip(rngs, lengths)]
    u = draws[0] if len(draws) == 1 else np.concatenate([np.empty((plan.rows, 0)), *draws], axis=1)
    strings = StringLayout.of(lengths)
    vals = u * plan.span
    vals += plan.lo  # low + (high - low) * u, as Generator.uniform computes it
    applied = u[plan.applied_rows] < plan.p  # (T, n)
    if plan.string_scoped.size:  # one decision per string: its first glyph's
        applied[plan.string_scoped] = applied[plan.string_scoped[:, None], strings.first]
    if not applied.all():
        keep = applied[plan.owner] | plan.is_applied
        vals = np.where(keep, vals, plan.neutral)
    out, rows = [], list(vals)  # one view per row
    for t, a, (start, stop, names) in zip(transforms, applied, plan.slices):
        cols = dict(zip(names, rows[start + 1 : stop]))
        cols["applied"] = a
        t._finish(cols, strings)
        out.append(cols)
    return out


class _Drawn:
    """Stands in for the generator in :meth:`ImageTransform._finish`: serves the values drawn for it, in order."""

    def __init__(self, values: np.ndarray):
        self.values, self.used = values, 0

    def random(self, size: int) -> np.ndarray:
        if self.used + size > len(self.values):
            raise RuntimeError("an image transform's _finish drew more values than its finish_draws")
        self.used += size
        return self.values[self.used - size : self.used]


def sample_image_params(transforms: Sequence[ImageTransform], rng: np.random.Generator, shape) -> list[dict]:
    """The parameters of every image transform for one image: ``[t.sample(rng, shape) for t in transforms]``.

    The same values from fewer generator calls: the draws of consecutive
    transforms whose ``_finish`` draws a known count
    (:attr:`ImageTransform.finish_draws`) come from one ``rng.random`` call
    (one double per value either way, so the stream is the same), and a
    skipped transform's parameters are not built.
    """
    shape = (int(shape[0]), int(shape[1]))
    params: list[dict] = []
    i, n = 0, len(transforms)
    while i < n:
        run: list[tuple[ImageTransform, list, int]] = []
        total = 0
        for t in transforms[i:]:
            extra = t.finish_draws
            if extra is None:
                break
            spec = t.uniform_spec(shape)
            run.append((t, spec, extra))
            total += 1 + len(spec) + extra
        if not run:  # a transform drawing a variable amount: on its own
            params.append(transforms[i].sample(rng, shape))
            i += 1
            continue
        drawn = rng.random(total)
        u = drawn.tolist()
        at = 0
        for t, spec, extra in run:
            first, stop = at + 1, at + 1 + len(spec)
            at = stop + extra
            if u[first - 1] >= t.p:
                params.append({})
                continue
            values = {name: lo + (hi - lo) * x for (name, (lo, hi)), x in zip(spec, u[first:stop])}
            params.append(t._finish(values, _Drawn(drawn[stop:at]), shape))  # type: ignore[arg-type]  # duck-typed
        i += len(run)
    return params


def sample_image_params_block(
    transforms: Sequence[ImageTransform], rngs: Sequence[np.random.Generator], shape
) -> list[list[dict]]:
    """:func:`sample_image_params` for many images of one ``shape``, image ``k`` drawing from ``rngs[k]``.

    When every transform draws a known count (:attr:`ImageTransform.finish_draws`) each image's
    values come from one ``rng.random`` call, as in :func:`sample_image_params` (the same stream),
    and the "applied" tests and uniform values are computed for the whole block at once; otherwise
    image by image.  Returns one list of dicts (one per transform) per image.
    """
    shape = (int(shape[0]), int(shape[1]))
    if any(t.finish_draws is None for t in transforms):
        return [sample_image_params(transforms, rng, shape) for rng in rngs]
    heads: list[int] = []
    layout: list[tuple[ImageTransform, list[str], int, int, int]] = []
    lo: list[float] = []
    span: list[float] = []
    for t in transforms:
        spec = t.uniform_spec(shape)
        first = len(lo) + 1
        heads.append(first - 1)
        lo.append(0.0)
        span.append(1.0)
        for _, (a, b) in spec:
            lo.append(a)
            span.append(b - a)
        stop = len(lo)
        extra = int(t.finish_draws or 0)
        lo.extend([0.0] * extra)
        span.extend([1.0] * extra)
        layout.append((t, [name for name, _ in spec], first, stop, stop + extra))
    total = len(lo)
    drawn = np.stack([rng.random(total) for rng in rngs]) if len(rngs) else np.zeros((0, total))
    applied = drawn[:, heads] < np.array([t.p for t in transforms], np.float64)
    values = (np.array(lo, np.float64) + np.array(span, np.float64) * drawn).tolist()  # = lo + (hi - lo) * u
    params: list[list[dict]] = [[{} for _ in transforms] for _ in rngs]
    for k, j in zip(*(v.tolist() for v in applied.nonzero())):
        t, names, first, stop, at = layout[j]
        uniform = dict(zip(names, values[k][first:stop]))
        params[k][j] = t._finish(uniform, _Drawn(drawn[k, stop:at]), shape)
    return params
