"""Sets of distinct phone-number images: thin views of a :class:`~number_generator.data.dataset.SyntheticDataset`.

:class:`PhoneNumberBatch` and :func:`generate_phone_numbers` build the spec
of one phone source (:func:`phone_spec`) and read samples from the dataset,
so they share its block path and its bytes: sample ``i`` of a batch is
sample ``i`` of ``SyntheticDataset(phone_spec(...))``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from number_generator.core.options import Options
from number_generator.core.randomness import base_seed, seed_argument
from number_generator.core.sample import Sample
from number_generator.core.validation import MAX_LIST_BYTES, check_count
from number_generator.data.dataset import SyntheticDataset
from number_generator.data.phone import PhoneNumberImage, UniquePhoneNumbers, phone_formats_argument

PhoneFormats = str | Iterable[str] | Mapping[str, float] | None


def phone_spec(
    count: int,
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    seed: int,
    separator: str = "-",
    formats: PhoneFormats = None,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment: Any = None,
    style: PhoneFormats = None,
    writer: str | None = None,
) -> dict:
    """The dataset spec (see :mod:`number_generator.data.spec`) of ``count`` distinct phone numbers on MNIST.

    ``writer`` is stored only when given, so specs without it keep their hash.
    """
    if formats is not None and not isinstance(formats, (str, dict)):
        formats = list(formats)
    draw: dict[str, Any] = {"kind": "phone", "formats": formats, "separator": separator}
    if style is not None:  # only when given, so specs without it keep their hash
        draw["style"] = style if isinstance(style, (str, dict)) else list(style)
    return {
        "seed": seed,
        "length": count,
        "dataset": "mnist",
        "split": split,
        "spacing": list(spacing_range),
        "width": image_width,
        "align": align,
        "strict": strict,
        "augment": augment,
        "draw": draw,
        **({"writer": writer} if writer is not None else {}),
    }


class PhoneNumberBatch:
    """Index-deterministic unique phone numbers: sample ``i`` depends only on ``(seed, i)``.

    Sample ``i`` picks its format with its own generator, then takes number
    ``P_f(i)`` where ``P_f`` is a keyed permutation of format ``f``'s number
    space (:class:`~number_generator.data.phone.UniquePhoneNumbers`): two
    indices never share a number, however the batch is split across
    processes or machines.  Counts are limited by the smallest capacity among
    the chosen formats.  A view of :attr:`dataset`, a
    :class:`~number_generator.data.dataset.SyntheticDataset` of
    :func:`phone_spec`: ``batch[i]`` is ``batch.dataset[i]``.
    """

    def __init__(
        self,
        count: int,
        spacing_range: tuple[int, int],
        image_width: int,
        *,
        seed: int | np.random.Generator | None = None,
        separator: str = "-",
        formats: PhoneFormats = None,
        split: str = "train",
        align: str | None = "center",
        strict: bool = False,
        augment: Any = None,
        phone_formats: PhoneFormats = None,
        random_seed: int | np.random.Generator | None = None,
        style: PhoneFormats = None,
        writer: str | None = None,
    ):
        formats = phone_formats_argument(phone_formats, formats)
        self.count = check_count("count", count)
        options = Options.create(
            spacing_range=spacing_range,
            image_width=image_width,
            split=split,
            align=align,
            strict=strict,
            augment=augment,
            writer=writer,
        )
        self.spacing_range, self.image_width = options.spacing, options.width[0]
        self.align, self.strict, self.split, self.augment = (
            options.align,
            options.strict,
            options.split,
            options.augment,
        )
        self.seed = base_seed(seed_argument(seed, random_seed))
        self.numbers = UniquePhoneNumbers(self.count, seed=self.seed, formats=formats, separator=separator, style=style)
        self.separator = self.numbers.separator
        self.weights = self.numbers.weights
        self.dataset = SyntheticDataset(
            phone_spec(
                self.count,
                self.spacing_range,
                self.image_width,
                seed=self.seed,
                separator=self.separator,
                formats=formats,
                split=self.split,
                align=self.align,
                strict=self.strict,
                augment=augment,
                style=style,
                writer=None if options.writer == "any" else options.writer,
            )
        )

    def __len__(self) -> int:
        return self.count

    def number(self, index: int) -> str:
        """The number of sample ``index``, without drawing it (cheap)."""
        if not 0 <= index < self.count:
            raise IndexError(f"index {index} out of range for {self.count} phone numbers")
        return self.dataset.text(index)

    def __getitem__(self, index: int) -> Sample:
        if not 0 <= index < self.count:
            raise IndexError(f"index {index} out of range for {self.count} phone numbers")
        return self.dataset[index]

    def render_range(self, start: int, stop: int) -> Iterator[tuple[int, Sample]]:
        """``(i, self[i])`` for ``start <= i < stop``, composed in blocks (see :meth:`SyntheticDataset.samples`)."""
        if not 0 <= start <= stop <= self.count:
            raise IndexError(f"range {start}..{stop} out of range for {self.count} phone numbers")
        return self.dataset.samples(start, stop)


def generate_phone_numbers(
    count: int,
    spacing_range: tuple[int, int],
    image_width: int,
    *,
    seed: int | np.random.Generator | None = None,
    separator: str = "-",
    formats: PhoneFormats = None,
    split: str = "train",
    align: str = "center",
    strict: bool = False,
    augment: Any = None,
    phone_formats: PhoneFormats = None,
    random_seed: int | np.random.Generator | None = None,
    verbose: bool = False,
    style: PhoneFormats = None,
) -> list[PhoneNumberImage]:
    """``count`` images of distinct phone numbers, rendered now and returned in a list.

    The list is bounded: ``count x 28 x image_width x 4`` bytes of images may
    not exceed :data:`~number_generator.core.validation.MAX_LIST_BYTES`
    (256 MiB, e.g. 7,989 images 300 px wide); for more, use
    :class:`PhoneNumberBatch`, which renders each image when it is read.
    Raises ``ValueError`` past that bound and when ``count`` is more than a
    chosen format can hold.
    Sample ``i`` is the same as ``PhoneNumberBatch(...)[i]`` with the same seed.
    ``verbose=True`` prints the seed used and the count to stderr (useful
    with ``seed=None``: the printed seed reproduces the set).
    """
    batch = PhoneNumberBatch(
        count,
        spacing_range,
        image_width,
        seed=seed,
        separator=separator,
        formats=formats,
        split=split,
        align=align,
        strict=strict,
        augment=augment,
        phone_formats=phone_formats,
        random_seed=random_seed,
        style=style,
    )
    list_bytes = batch.count * 28 * batch.image_width * 4  # float32 images
    if list_bytes > MAX_LIST_BYTES:
        raise ValueError(
            f"generate_phone_numbers({batch.count}, ..., image_width={batch.image_width}) would hold "
            f"{list_bytes / 2**20:,.0f} MiB of images in a list, above the limit of {MAX_LIST_BYTES / 2**20:,.0f} MiB; "
            "use PhoneNumberBatch, which renders each image when it is read"
        )
    if verbose:
        print(f"number_generator: drawing {batch.count} phone numbers with seed {batch.seed}", file=sys.stderr)
    return [PhoneNumberImage(s.image, s.text) for _, s in batch.render_range(0, batch.count)]
