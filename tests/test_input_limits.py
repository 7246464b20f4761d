"""Library input limits are checked without reading past them (issue 15 item 12)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from number_generator import PhoneNumberBatch, generate_numbers_sequence, generate_phone_numbers
from number_generator.core.validation import MAX_LIST_BYTES, MAX_SEQUENCE_LENGTH, parse_digits


class CountingIterator:
    """An endless iterator of 1s that counts how many items were taken."""

    def __init__(self):
        self.taken = 0

    def __iter__(self):
        return self

    def __next__(self) -> int:
        self.taken += 1
        return 1


def test_an_endless_iterator_is_refused_after_one_item_past_the_limit():
    digits = CountingIterator()
    with pytest.raises(ValueError, match=f"sequence length is above the limit of {MAX_SEQUENCE_LENGTH}"):
        generate_numbers_sequence(digits, (0, 1), 100)
    assert digits.taken == MAX_SEQUENCE_LENGTH + 1


@pytest.mark.parametrize(
    "digits",
    [range(10**7), itertools.count(), np.zeros(10**7, dtype=np.int64), (d % 10 for d in itertools.count())],
    ids=["range", "count", "numpy", "generator"],
)
def test_huge_iterables_are_refused(digits):
    with pytest.raises(ValueError, match=f"above the limit of {MAX_SEQUENCE_LENGTH}"):
        parse_digits(digits)


def test_a_huge_string_is_refused_by_its_length_with_a_short_message():
    with pytest.raises(ValueError) as info:
        parse_digits("x" * 10**8)
    assert str(info.value) == f"sequence length 100000000 is above the limit of {MAX_SEQUENCE_LENGTH}"


def test_the_limit_itself_is_accepted():
    assert parse_digits(range(10)) == "0123456789"
    assert parse_digits(itertools.repeat(7, MAX_SEQUENCE_LENGTH)) == "7" * MAX_SEQUENCE_LENGTH


def test_generate_phone_numbers_is_bounded_and_names_the_lazy_alternative():
    width = 300
    too_many = MAX_LIST_BYTES // (28 * width * 4) + 1
    with pytest.raises(ValueError, match="above the limit of 256 MiB; use PhoneNumberBatch"):
        generate_phone_numbers(too_many, (0, 4), width, seed=1)
    batch = PhoneNumberBatch(too_many, (0, 4), width, seed=1)  # lazy: fine at any count
    assert len(batch) == too_many
    images = generate_phone_numbers(3, (0, 4), width, seed=1)
    assert [len(images), images[0].image.shape, images[0].image.dtype] == [3, (28, width), np.float32]
