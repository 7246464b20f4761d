"""The augmentation :class:`Pipeline`: glyph transforms, then marks, then image transforms."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from number_generator.augment.base import (
    GlyphTransform,
    ImageTransform,
    MarkTransform,
    check_glyph,
    check_glyphs,
    check_image,
)
from number_generator.augment.marks import Page
from number_generator.augment.sampling import (
    SamplingPlan,
    sample_image_params,
    sample_image_params_block,
    sample_string_columns,
)
from number_generator.augment.serialise import config_text, read_pipeline_data, stages_from_data, write_pipeline_text
from number_generator.augment.warp import warp_glyphs
from number_generator.core.options import check_pipeline_options


class Pipeline:
    """Ordered glyph transforms and image transforms, usable as plain data.

    Parameters
    ----------
    glyph : iterable of GlyphTransform
        Applied in order to every character (``uint8 (28, 28)``, 0 = no ink)
        before composition.  Consecutive geometric transforms are composed and
        resampled once (see :mod:`.glyph`).
    image : iterable of ImageTransform
        Applied in order to the composed line (``float32 (28, W)``, 1.0 = paper)
        and its character boxes.
    marks : iterable of MarkTransform
        Marks that are not the label (separators, leading and trailing marks,
        stray pen marks, an underline; :mod:`.marks`), drawn on the composed
        line before the image transforms; they need the text (``apply_marks``).
    options : mapping, optional
        Drawing-option defaults the pipeline carries (``spacing``, ``align``,
        ``writer``, ``fill``, ``height_jitter``; see
        :mod:`number_generator.core.options`): applied to the options a caller
        of ``draw`` or a dataset spec does not give.  The ``realistic`` preset
        uses them for one writer per string, touching digits and framing.

    Notes
    -----
    Randomness: every ``apply_*`` method draws all parameters from the given
    generator first, then applies them; the same generator state and pipeline
    give identical arrays.  ``apply_glyphs(stack, rng)`` on ``n`` glyphs draws one
    batch of parameters (it is *not* the same as ``n`` calls of ``apply_glyph``,
    but ``apply_glyph(g, rng)`` equals ``apply_glyphs(g[None], rng)[0]``).

    Recorded parameters (``return_params=True``) are plain JSON-serialisable data:
    for glyphs, one list per glyph with one dict per glyph transform; for the
    image, one dict per image transform; ``{}`` means "skipped".  Pass them to
    ``replay_glyphs`` / ``replay_image`` to reproduce the output exactly.
    """

    def __init__(
        self,
        glyph: Iterable[GlyphTransform] = (),
        image: Iterable[ImageTransform] = (),
        marks: Iterable[MarkTransform] = (),
        options: Mapping[str, Any] | None = None,
    ):
        self.glyph = list(glyph)
        self.image = list(image)
        self.marks = list(marks)
        self.options = check_pipeline_options(dict(options)) if options else {}
        stages: tuple[tuple[str, type, list, str], ...] = (
            ("glyph", GlyphTransform, self.glyph, "a glyph"),
            ("image", ImageTransform, self.image, "an image"),
            ("marks", MarkTransform, self.marks, "a mark"),
        )
        for stage, kind, transforms, what in stages:
            for i, t in enumerate(transforms):
                if not isinstance(t, kind):
                    raise ValueError(f"Pipeline {stage}[{i}]: expected {what} transform, got {t!r}")

    # ------------------------------------------------------------------ glyphs
    def _sample_glyph_columns(self, rng: np.random.Generator, n: int, text: str | None = None) -> list:
        return self._sample_string_columns([rng], [n], text)

    def _sample_string_columns(self, rngs, lengths, text: str | None = None) -> list:
        plan = self.__dict__.get("_plan")
        if plan is None or not plan.fits(self.glyph):
            plan = self.__dict__["_plan"] = SamplingPlan(self.glyph)
        columns = sample_string_columns(self.glyph, rngs, lengths, plan)
        n = sum(lengths)
        if text is not None and len(text) != n:
            raise ValueError(f"apply_glyphs: text {text!r} has {len(text)} characters for {n} glyphs")
        codes = None
        for t, cols in zip(self.glyph, columns):
            if t.character:  # class-conditional: only glyphs of its character (none if the text is unknown)
                if codes is None:
                    codes = np.frombuffer((text or " " * n).encode("utf-32-le"), np.uint32)
                cols["applied"] &= codes == ord(t.character)
        return columns

    def _run_glyphs(self, stack: np.ndarray, columns: list) -> np.ndarray:
        out = stack
        chain: list = []
        # which transforms apply to some glyph, in one reduction
        applied = np.array([cols["applied"] for cols in columns], dtype=bool).reshape(len(columns), len(stack))
        active = np.asarray(applied.any(axis=1)).tolist()
        for t, cols, on in zip(self.glyph, columns, active):
            if t.geometric:
                if on:
                    chain.append((t, cols))
                continue
            if chain:
                out = warp_glyphs(out, chain)
                chain = []
            if on:
                out = t._apply_pixels(out, cols)
        if chain:
            out = warp_glyphs(out, chain)
        return out.copy() if out is stack else out

    def _columns_to_records(self, columns: list, n: int) -> list:
        per_t = [t.columns_to_dicts(c) for t, c in zip(self.glyph, columns)]
        return [[per_t[j][i] for j in range(len(self.glyph))] for i in range(n)]

    def apply_glyphs(
        self, stack: np.ndarray, rng: np.random.Generator, return_params: bool = False, text: str | None = None
    ):
        """Augment a stack of glyphs, each with its own random parameters.

        Parameters
        ----------
        stack : numpy.ndarray
            uint8 ``(n, 28, 28)``, 0 = no ink, 255 = full ink.  Not modified.
        rng : numpy.random.Generator
            Source of randomness.
        return_params : bool
            Also return the parameters drawn (see class notes).
        text : str, optional
            The character each glyph draws (``len(text) == n``), for
            class-conditional transforms (a crossed 7 only on 7s); without it
            they skip every glyph.  It changes no random draw.

        Returns
        -------
        numpy.ndarray or (numpy.ndarray, list)
            New uint8 ``(n, 28, 28)`` stack (and the records).
        """
        stack = check_glyphs(stack)
        columns = self._sample_glyph_columns(rng, stack.shape[0], text)
        out = self._run_glyphs(stack, columns)
        if return_params:
            return out, self._columns_to_records(columns, stack.shape[0])
        return out

    def apply_glyph_block(self, stack: np.ndarray, rngs, lengths, text: str | None = None) -> np.ndarray:
        """Augment the glyphs of many strings in one batch: what :meth:`apply_glyphs` gives each string.

        Parameters
        ----------
        stack : numpy.ndarray
            uint8 ``(n, 28, 28)``, 0 = no ink: the glyphs of every string, string after string.  Not modified.
        rngs : sequence of numpy.random.Generator
            One per string; string ``k`` draws from ``rngs[k]`` exactly what
            ``apply_glyphs`` draws for it (the same stream, the same bytes).
        lengths : sequence of int
            Glyphs per string (``sum(lengths) == n``).
        text : str, optional
            The ``n`` characters drawn (all strings concatenated), for class-conditional transforms.

        Returns
        -------
        numpy.ndarray
            New uint8 ``(n, 28, 28)``: equal to ``apply_glyphs`` on each string's
            slice with its generator, concatenated; parameters are drawn string
            by string, the pixel work runs once for the block.
        """
        stack = check_glyphs(stack)
        lengths = [int(v) for v in lengths]
        if len(rngs) != len(lengths) or sum(lengths) != stack.shape[0] or min(lengths, default=0) < 0:
            raise ValueError(
                f"apply_glyph_block: {len(rngs)} generators and lengths {lengths} do not split "
                f"{stack.shape[0]} glyphs into strings"
            )
        return self._run_glyphs(stack, self._sample_string_columns(rngs, lengths, text))

    def apply_glyph(
        self, glyph: np.ndarray, rng: np.random.Generator, return_params: bool = False, char: str | None = None
    ):
        """Augment one glyph: uint8 ``(28, 28)`` in, uint8 ``(28, 28)`` out (``char``: the character it draws)."""
        glyph = check_glyph(glyph)
        res = self.apply_glyphs(glyph[None], rng, return_params, char)
        if return_params:
            return res[0][0], res[1][0]
        return res[0]

    def replay_glyphs(self, stack: np.ndarray, params: list) -> np.ndarray:
        """Re-apply recorded parameters (one list per glyph) to a stack ``(n, 28, 28)``."""
        stack = check_glyphs(stack)
        if len(params) != stack.shape[0] or any(len(p) != len(self.glyph) for p in params):
            raise ValueError(f"replay_glyphs: expected {stack.shape[0]} records of {len(self.glyph)} dicts")
        columns = [t.dicts_to_columns([p[j] for p in params]) for j, t in enumerate(self.glyph)]
        return self._run_glyphs(stack, columns)

    def replay_glyph(self, glyph: np.ndarray, params: list) -> np.ndarray:
        """Re-apply one glyph's recorded parameters."""
        return self.replay_glyphs(check_glyph(glyph)[None], [params])[0]

    # ------------------------------------------------------------------ marks
    def apply_marks(self, image: np.ndarray, boxes, text: str, rng: np.random.Generator, return_params: bool = False):
        """Draw marks that are not the label on a composed line (see :mod:`.marks`).

        Parameters
        ----------
        image : numpy.ndarray
            float32 ``(28, W)`` in [0, 1], 1.0 = paper, as composed (before image transforms).  Not modified.
        boxes : numpy.ndarray
            Integer ``(n, 4)`` boxes ``(x0, y0, x1, y1)`` of the ``n`` drawn characters.
        text : str
            The ``n`` drawn characters (separators go between digits only).
        rng : numpy.random.Generator
            Source of randomness.
        return_params : bool
            Also return the parameter dicts, one per mark transform.

        Returns
        -------
        (image, boxes) or (image, boxes, params)
            The label is unchanged; boxes move only where a separator opened a gap.
        """
        page = Page(check_image(image), boxes, text)
        params = []
        for t in self.marks:
            p = t.sample(rng, page)
            t.apply(page, p)
            params.append(p)
        if return_params:
            return page.image, page.boxes, params
        return page.image, page.boxes

    def replay_marks(self, image: np.ndarray, boxes, text: str, params: list):
        """Re-apply recorded mark parameters (one dict per mark transform)."""
        if len(params) != len(self.marks):
            raise ValueError(f"replay_marks: expected {len(self.marks)} dicts, got {len(params)}")
        page = Page(check_image(image), boxes, text)
        for t, p in zip(self.marks, params):
            t.apply(page, p)
        return page.image, page.boxes

    # ------------------------------------------------------------------ image
    def apply_image(self, image: np.ndarray, boxes, rng: np.random.Generator, return_params: bool = False):
        """Augment a composed line and move its boxes with it.

        Parameters
        ----------
        image : numpy.ndarray
            float32 ``(28, W)`` in [0, 1], 1.0 = paper.  Not modified.
        boxes : numpy.ndarray or None
            Integer ``(n, 4)`` boxes ``(x0, y0, x1, y1)``, half-open, pixels.
        rng : numpy.random.Generator
            Source of randomness.
        return_params : bool
            Also return the list of parameter dicts, one per image transform.

        Returns
        -------
        (image, boxes) or (image, boxes, params)
            float32 ``(28, W)`` in [0, 1] and boxes of the same dtype (or None).
        """
        image = check_image(image)
        params = sample_image_params(self.image, rng, image.shape)
        out, boxes = self._run_image(image, boxes, params)
        if return_params:
            return out, boxes, params
        return out, boxes

    def _run_image(self, image, boxes, params):
        out = image
        if boxes is not None:
            boxes = np.array(boxes, copy=True)
        for t, p in zip(self.image, params):
            if p:
                out, boxes = t._apply(out, boxes, p)
        if out is image:
            out = image.copy()
        return out, boxes

    def apply_image_block(self, images: Sequence[np.ndarray], boxes: Sequence, rngs) -> tuple[list, list]:
        """Augment many composed lines in one batch: what :meth:`apply_image` gives each line.

        Parameters
        ----------
        images : sequence of numpy.ndarray
            float32 ``(28, W)`` in [0, 1], 1.0 = paper, one per line (widths may differ).  Not modified.
        boxes : sequence of numpy.ndarray or None
            Each line's integer ``(n, 4)`` boxes.
        rngs : sequence of numpy.random.Generator
            One per line; line ``k`` draws from ``rngs[k]`` exactly what ``apply_image`` draws for it.

        Returns
        -------
        (list, list)
            The lines (float32 ``(28, W)``; lines of one width are views of one stack) and their boxes,
            byte for byte those of ``apply_image``: parameters are drawn line by line, then each
            transform's pixel work runs once over the lines of a width where it applies (stacked
            transforms, :attr:`ImageTransform.stacked`) or line by line (the others).
        """
        if not (len(images) == len(boxes) == len(rngs)):
            raise ValueError(
                f"apply_image_block: {len(images)} images, {len(boxes)} box arrays and {len(rngs)} generators"
            )
        out: list = [None] * len(images)
        out_boxes: list = [None] * len(images)
        groups: dict[tuple[int, int], list[int]] = {}
        for k, image in enumerate(images):
            groups.setdefault(check_image(image).shape, []).append(k)
        for shape, members in groups.items():
            if len(members) == 1:  # nothing to batch: the one-image path, without the block's overhead
                k = members[0]
                out[k], out_boxes[k] = self.apply_image(images[k], boxes[k], rngs[k])
                continue
            params = sample_image_params_block(self.image, [rngs[k] for k in members], shape)
            stack = np.stack([images[k] for k in members])
            group_boxes = [None if boxes[k] is None else np.array(boxes[k], copy=True) for k in members]
            for j, t in enumerate(self.image):
                on = [i for i, p in enumerate(params) if p[j]]
                if not on:
                    continue
                if t.stacked:
                    stack[on] = t._apply_stack(stack[on], [params[i][j] for i in on])
                    continue
                for i in on:
                    stack[i], group_boxes[i] = t._apply(stack[i], group_boxes[i], params[i][j])
            for i, k in enumerate(members):
                out[k], out_boxes[k] = stack[i], group_boxes[i]
        return out, out_boxes

    def replay_image(self, image: np.ndarray, boxes, params: list):
        """Re-apply recorded image parameters (one dict per image transform)."""
        image = check_image(image)
        if len(params) != len(self.image):
            raise ValueError(f"replay_image: expected {len(self.image)} dicts, got {len(params)}")
        return self._run_image(image, boxes, params)

    # ------------------------------------------------------------------ configuration
    def to_dict(self) -> dict:
        """Plain data: ``{"glyph": [...], "marks": [...], "image": [...], "options": {...}}`` (the last two if any)."""
        marks = {"marks": [t.to_dict() for t in self.marks]} if self.marks else {}
        options = {"options": dict(self.options)} if self.options else {}
        stages = {"glyph": [t.to_dict() for t in self.glyph], **marks, "image": [t.to_dict() for t in self.image]}
        return {**stages, **options}

    @classmethod
    def from_dict(cls, data: dict) -> Pipeline:
        """Build from :meth:`to_dict` output; ``ValueError`` names any bad key or value."""
        glyph, image, marks, options = stages_from_data(data)
        return cls(glyph=glyph, image=image, marks=marks, options=options)

    def to_json(self) -> str:
        """The configuration as indented JSON text."""
        return config_text(self.to_dict(), ".json")

    def to_yaml(self) -> str:
        """The configuration as YAML text."""
        return config_text(self.to_dict(), ".yaml")

    def save(self, path: str | os.PathLike) -> None:
        """Write to ``.json``, ``.yaml`` or ``.yml`` (atomically: temporary file, then rename)."""
        write_pipeline_text(path, self.to_dict())

    @classmethod
    def load(cls, path: str | os.PathLike) -> Pipeline:
        """Read a ``.json``, ``.yaml`` or ``.yml`` file written by :meth:`save` or by hand."""
        return cls.from_dict(read_pipeline_data(path))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        marks = f", marks={self.marks!r}" if self.marks else ""
        options = f", options={self.options!r}" if self.options else ""
        return f"Pipeline(glyph={self.glyph!r}, image={self.image!r}{marks}{options})"
