"""Bad input raises ValueError naming the bad value."""

from __future__ import annotations

import re

import numpy as np
import pytest

from number_generator import generate_numbers_sequence, generate_phone_number, render_sequence


@pytest.mark.parametrize(
    "digits, spacing, width, kwargs, message",
    [
        ("", (0, 1), 100, {}, "digits must not be empty"),
        ([], (0, 1), 100, {}, "digits must not be empty"),
        ("12a", (0, 1), 100, {}, "digits must be 0-9, got 'a' in '12a'"),
        ([1, 10], (0, 1), 100, {}, "digits must be 0-9, got 10"),
        ([1, -1], (0, 1), 100, {}, "digits must be 0-9, got -1"),
        ([1, 2.5], (0, 1), 100, {}, "digits must be integers 0-9, got 2.5"),
        ([True], (0, 1), 100, {}, "digits must be integers 0-9, got True"),
        (12, (0, 1), 100, {}, "digits must be a string or an iterable of ints 0-9, got 12"),
        ("1" * 1025, (0, 1), 100, {}, "sequence length 1025 is above the limit of 1024"),
        ("12", (3, 1), 100, {}, "minimum spacing 3 is greater than maximum spacing 1"),
        ("12", (-14, 1), 100, {}, "minimum spacing must be >= -13, got -14"),
        ("12", (0, 1001), 100, {}, "maximum spacing must be <= 1000, got 1001"),
        ("12", (0,), 100, {}, r"spacing_range must be a pair \(min, max\), got \(0,\)"),
        ("12", (0, 1.5), 100, {}, "maximum spacing must be an integer, got 1.5"),
        ("12", (0, 1), 0, {}, "image_width must be >= 1, got 0"),
        ("12", (0, 1), 16_385, {}, "image_width must be <= 16384, got 16385"),
        ("12", (0, 1), 100.0, {}, "image_width must be an integer, got 100.0"),
        ("12", (0, 1), 100, {"split": "validation"}, "unknown split 'validation'"),
        ("12", (0, 1), 100, {"seed": -5}, "seed must be non-negative, got -5"),
        ("12", (0, 1), 100, {"seed": "abc"}, "seed must be a non-negative integer"),
        ("12", (0, 1), 100, {"align": "middle"}, "unknown align 'middle'; choose one of center, left, right, random"),
    ],
)
def test_bad_sequence_input(digits, spacing, width, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_numbers_sequence(digits, spacing, width, **kwargs)


def test_numpy_integers_are_accepted():
    image = generate_numbers_sequence(np.array([3, 5, 0]), (np.int64(0), np.int64(2)), np.int32(90), seed=np.uint8(1))
    assert image.shape == (28, 90)


def test_a_dataset_that_cannot_draw_a_character_lists_it():
    with pytest.raises(
        ValueError, match=re.escape("dataset 'mnist' cannot draw 'AZ'; it draws '0123456789' plus '-()+./'")
    ):
        render_sequence("1A2Z", (0, 1), 100)
    with pytest.raises(ValueError, match="unknown dataset 'kmnist'"):
        render_sequence("12", (0, 1), 100, dataset="kmnist")


def test_bad_phone_input():
    with pytest.raises(ValueError, match="separator must be '-' or ''"):
        generate_phone_number((0, 1), 300, separator="/")
    with pytest.raises(ValueError, match="unknown phone format 'fax'; choose from mobile, ip, toll-free, landline"):
        generate_phone_number((0, 1), 300, formats=["fax"])
    with pytest.raises(ValueError, match="weight of phone format 'ip' must be a non-negative number, got -1"):
        generate_phone_number((0, 1), 300, formats={"ip": -1})
