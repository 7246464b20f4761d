"""Images of handwritten digit sequences made from real MNIST glyphs, with exact labels.

The image contract: ``numpy.float32``, shape ``(28, image_width)``,
1.0 = white background, 0.0 = black ink.

>>> from number_generator import generate_numbers_sequence, generate_phone_number
>>> image = generate_numbers_sequence("0123456789", (0, 4), 300, seed=0)
>>> image.shape, image.dtype
((28, 300), dtype('float32'))
"""

from importlib.metadata import version

from number_generator.core.render import (
    Sample,
    generate_numbers_sequence,
    generate_text_sequence,
    render_sequence,
    render_text,
)
from number_generator.data.dataset import DatasetSpec, IterableSyntheticDataset, SyntheticDataset, load_spec
from number_generator.data.phone import (
    FORMATS as PHONE_FORMATS,
)
from number_generator.data.phone import (
    PhoneNumberBatch,
    PhoneNumberImage,
    generate_phone_number,
    generate_phone_numbers,
    random_phone_number,
    render_phone_number,
)
from number_generator.export.shards import export_dataset, verify_export

__version__ = version("number-generator")

__all__ = [
    "DatasetSpec",
    "IterableSyntheticDataset",
    "SyntheticDataset",
    "export_dataset",
    "load_spec",
    "verify_export",
    "PHONE_FORMATS",
    "PhoneNumberBatch",
    "PhoneNumberImage",
    "Sample",
    "__version__",
    "generate_numbers_sequence",
    "generate_phone_number",
    "generate_phone_numbers",
    "generate_text_sequence",
    "random_phone_number",
    "render_phone_number",
    "render_sequence",
    "render_text",
]
